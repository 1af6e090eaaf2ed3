//! Speech metrics against speech of known structure: espeak-ng reads SSML
//! whose `<break>`s are pauses of known length (digital silence, so the
//! truth is read off the clean clip), at several speaking rates, clean and
//! mixed with pink noise by sox at 30, 20 and 10 dB SNR. The syllable
//! counts of the texts were counted by hand.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    reason = "tests: a failure is a panic"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use rehearse::analysis::{RecordingWarning, SpeechMetrics, analyze_wav};

/// A clip: SSML sentences with breaks, and their syllables by hand.
struct Clip {
    name: &'static str,
    ssml: &'static str,
    syllables: u32,
    /// Silence before the first word (added with sox).
    lead_seconds: f64,
}

const CLIPS: [Clip; 3] = [
    Clip {
        name: "logs",
        // 8 + 12 + 9 syllables.
        ssml: r#"<speak>I would start by reading the logs. <break time="1500ms"/> Then I would form a hypothesis and test it. <break time="2s"/> Finally I would fix the problem.</speak>"#,
        syllables: 29,
        lead_seconds: 0.0,
    },
    Clip {
        name: "cache",
        // We(1) add-ed(2) a(1) cache(1) in(1) front(1) of(1) the(1) da-ta-base(3) = 12;
        // The(1) ser-vice(2) got(1) fast-er(2) = 6; and(1) the(1) team(1)
        // slept(1) bet-ter(2) = 6.
        ssml: r#"<speak>We added a cache in front of the database. <break time="1200ms"/> The service got faster, <break time="3s"/> and the team slept better.</speak>"#,
        syllables: 24,
        lead_seconds: 1.2,
    },
    Clip {
        name: "mentor",
        // I(1) men-tored(2) a(1) ju-ni-or(3) de-vel-op-er(4) for(1) a(1)
        // year(1) = 14; She(1) now(1) leads(1) her(1) own(1) pro-ject(2) = 7.
        ssml: r#"<speak>I mentored a junior developer for a year. <break time="2500ms"/> She now leads her own project.</speak>"#,
        syllables: 21,
        lead_seconds: 0.6,
    },
];

/// espeak-ng's speaking rates, in words per minute.
const RATES: [u32; 3] = [130, 175, 220];

fn run(command: &mut Command) {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The clean clip at 48 kHz, 16-bit mono, with its leading silence.
fn clean_clip(dir: &Path, clip: &Clip, rate: u32) -> PathBuf {
    let raw = dir.join(format!("{}-{rate}-raw.wav", clip.name));
    run(Command::new("espeak-ng")
        .args(["-m", "-s", &rate.to_string(), "-w"])
        .arg(&raw)
        .arg(clip.ssml));
    let clean = dir.join(format!("{}-{rate}.wav", clip.name));
    run(Command::new("sox")
        .arg(&raw)
        .args(["-r", "48000", "-b", "16", "-c", "1"])
        .arg(&clean)
        .args(["pad", &clip.lead_seconds.to_string(), "0"]));
    clean
}

/// `clean` mixed with pink noise `snr_db` below its RMS.
fn noisy_clip(dir: &Path, clean: &Path, snr_db: f64) -> PathBuf {
    let (seconds, rms) = common::sox_stat(clean);
    let noise = dir.join("noise.wav");
    run(Command::new("sox")
        .args(["-R", "-n", "-r", "48000", "-b", "16", "-c", "1"])
        .arg(&noise)
        .args(["synth", &format!("{seconds}"), "pinknoise"]));
    let (_, noise_rms) = common::sox_stat(&noise);
    let gain = rms / noise_rms / 10f64.powf(snr_db / 20.0);
    let stem = clean.file_stem().unwrap().to_string_lossy();
    let noisy = dir.join(format!("{stem}-snr{snr_db}.wav"));
    run(Command::new("sox")
        .arg("-m")
        .arg(clean)
        .args(["-v", &format!("{gain}")])
        .arg(&noise)
        .arg(&noisy));
    noisy
}

/// What the clean clip says: pauses (digital silence of at least 1 s
/// between sound), time to the first sound, and speaking time (sound, with
/// gaps under 0.3 s bridged).
struct Truth {
    pauses: Vec<(f64, f64)>,
    first_word: f64,
    speaking_time: f64,
}

fn truth(clean: &Path) -> Truth {
    let mut reader = hound::WavReader::open(clean).unwrap();
    let rate = f64::from(reader.spec().sample_rate);
    let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
    // Runs of sound, bridged over gaps under 0.3 s.
    let mut runs: Vec<(f64, f64)> = Vec::new();
    let mut start = None;
    for (i, &s) in samples.iter().enumerate() {
        let loud = s.unsigned_abs() > 3;
        match (loud, start) {
            (true, None) => start = Some(i),
            (false, Some(from)) => {
                runs.push((from as f64 / rate, i as f64 / rate));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        runs.push((from as f64 / rate, samples.len() as f64 / rate));
    }
    let mut bridged: Vec<(f64, f64)> = Vec::new();
    for run in runs {
        match bridged.last_mut() {
            Some(last) if run.0 - last.1 < 0.3 => last.1 = run.1,
            _ => bridged.push(run),
        }
    }
    bridged.retain(|(a, b)| b - a >= 0.1);
    Truth {
        pauses: bridged
            .windows(2)
            .map(|w| (w[0].1, w[1].0 - w[0].1))
            .filter(|(_, length)| *length >= 1.0)
            .collect(),
        first_word: bridged[0].0,
        speaking_time: bridged.iter().map(|(a, b)| b - a).sum(),
    }
}

fn describe(m: &SpeechMetrics) -> String {
    rehearse::analysis::report(m, false)
}

/// The checks of a clean or 20 dB clip.
fn check_exact(name: &str, m: &SpeechMetrics, truth: &Truth, syllables: u32) {
    let found: Vec<(f64, f64)> = m.pauses.iter().map(|p| (p.at, p.seconds)).collect();
    assert_eq!(
        found.len(),
        truth.pauses.len(),
        "{name}: pauses {found:?}, truth {:?}\n{}",
        truth.pauses,
        describe(m)
    );
    for (got, want) in found.iter().zip(&truth.pauses) {
        assert!(
            (got.1 - want.1).abs() <= 0.1 && (got.0 - want.0).abs() <= 0.1,
            "{name}: pause {got:?}, truth {want:?}"
        );
    }
    let speaking_error = (m.speaking_time - truth.speaking_time).abs() / truth.speaking_time;
    assert!(
        speaking_error <= 0.03,
        "{name}: speaking time {:.3} s, truth {:.3} s",
        m.speaking_time,
        truth.speaking_time
    );
    assert!(
        (m.time_to_first_word - truth.first_word).abs() <= 0.05,
        "{name}: first word at {:.3} s, truth {:.3} s",
        m.time_to_first_word,
        truth.first_word
    );
    let syllable_error =
        (f64::from(m.syllables) - f64::from(syllables)).abs() / f64::from(syllables);
    assert!(
        syllable_error <= 0.10,
        "{name}: {} syllables, truth {syllables}",
        m.syllables
    );
    assert!(m.warnings.is_empty(), "{name}: {:?}", m.warnings);
}

#[test]
fn pauses_speaking_time_first_word_and_syllables_of_known_speech() {
    let dir = tempfile::tempdir().unwrap();
    for clip in &CLIPS {
        for rate in RATES {
            let clean = clean_clip(dir.path(), clip, rate);
            let truth = truth(&clean);
            let name = format!("{} at {rate} wpm", clip.name);
            check_exact(
                &format!("{name}, clean"),
                &analyze_wav(&clean).unwrap(),
                &truth,
                clip.syllables,
            );
            for snr in [30.0, 20.0] {
                let noisy = noisy_clip(dir.path(), &clean, snr);
                check_exact(
                    &format!("{name}, {snr} dB SNR"),
                    &analyze_wav(&noisy).unwrap(),
                    &truth,
                    clip.syllables,
                );
            }
            // At 10 dB: at most one pause missed (nothing found over it) or
            // split (more than one found over it).
            let noisy = noisy_clip(dir.path(), &clean, 10.0);
            let m = analyze_wav(&noisy).unwrap();
            let wrong = truth
                .pauses
                .iter()
                .filter(|(at, length)| {
                    let overlapping = m
                        .pauses
                        .iter()
                        .filter(|p| p.at < at + length && p.at + p.seconds > *at)
                        .count();
                    overlapping != 1
                })
                .count();
            assert!(
                wrong <= 1,
                "{name}, 10 dB SNR: pauses {:?}, truth {:?}",
                m.pauses,
                truth.pauses
            );
        }
    }
}

#[test]
fn silence_a_tone_clipping_and_a_quiet_take_get_their_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let synth = |name: &str, args: &[&str]| -> PathBuf {
        let path = dir.path().join(format!("{name}.wav"));
        run(Command::new("sox")
            .args(["-n", "-r", "48000", "-b", "16", "-c", "1"])
            .arg(&path)
            .args(args));
        path
    };
    let silent = analyze_wav(&synth("silence", &["trim", "0", "3"])).unwrap();
    assert_eq!(silent.warnings, [RecordingWarning::Silent]);

    let tone = analyze_wav(&synth("tone", &["synth", "3", "sine", "440", "vol", "0.5"])).unwrap();
    assert!(
        tone.warnings.contains(&RecordingWarning::NotSpeech),
        "{:?}",
        tone.warnings
    );

    let clean = clean_clip(dir.path(), &CLIPS[0], 175);
    // The clean clip at another volume.
    let scaled = |name: &str, volume: &str| -> PathBuf {
        let path = dir.path().join(format!("{name}.wav"));
        run(Command::new("sox")
            .arg(&clean)
            .arg(&path)
            .args(["vol", volume]));
        path
    };
    let clipped = analyze_wav(&scaled("clipped", "8")).unwrap();
    assert!(
        clipped.warnings.contains(&RecordingWarning::Clipping),
        "{:?}",
        clipped.warnings
    );

    let quiet = analyze_wav(&scaled("quiet", "0.01")).unwrap();
    assert!(
        quiet.warnings.contains(&RecordingWarning::TooQuiet),
        "{:?}",
        quiet.warnings
    );
    assert!(!quiet.warnings.contains(&RecordingWarning::Silent));
}

#[test]
fn the_cli_prints_the_metrics_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let clean = clean_clip(dir.path(), &CLIPS[1], 175);
    let output = Command::new(common::rehearse_bin())
        .args(["analyze", "--json"])
        .arg(&clean)
        .output()
        .unwrap();
    assert!(output.status.success());
    let m: SpeechMetrics = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(m.pauses.len(), 2);
    let output = Command::new(common::rehearse_bin())
        .arg("analyze")
        .arg(&clean)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("time to first word") && text.contains("long pause at 0:"),
        "{text}"
    );
    let missing = Command::new(common::rehearse_bin())
        .args(["analyze", "/nonexistent/take.wav"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/take.wav"));
}
