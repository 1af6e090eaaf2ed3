//! The audio engine end to end, through `rehearse record`, `play`,
//! `recover` and `devices`, with real audio through a private `PulseAudio`
//! server (see `common`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test helper that fails should fail the test"
)]

mod common;

use std::time::{Duration, Instant};

use common::{Running, VirtualAudio, python_wave, report_value, sox_stat, speech};
use tempfile::TempDir;

/// RMS amplitude (0..1) above which a recording holds the speech played.
const SPEECH_RMS: f64 = 0.01;

#[test]
fn speech_played_into_the_microphone_ends_up_in_the_take() {
    let audio = VirtualAudio::start();
    let dir = TempDir::new().unwrap();
    let voice = speech(
        dir.path(),
        "voice",
        "Tell me about a time you improved the performance of a slow service.",
    );
    let out = dir.path().join("take.wav");
    let mut recording = Running::start(
        &audio,
        &["record", "--out", out.to_str().unwrap(), "--seconds", "4.5"],
    );
    recording.wait_for("Recording to");
    audio.play_into_microphone(&voice);
    let (report, stderr, ok) = recording.finish();
    assert!(ok, "{stderr}");

    // The limit counts samples: the length is exact.
    assert_eq!(report_value(&report, "frames"), "216000", "{report}");
    assert_eq!(report_value(&report, "ended"), "time limit reached");
    assert_eq!(report_value(&report, "dropped_frames"), "0");
    let (seconds, rms) = sox_stat(&out);
    assert!((seconds - 4.5).abs() < 0.001, "{seconds} s");
    assert!(rms > SPEECH_RMS, "RMS {rms}: the speech is missing");
    assert_eq!(python_wave(&out), (216_000, 48_000));
    assert!(!stderr.contains("silent"), "{stderr}");
    // Closing the sound server's connection at exit is not an error.
    assert!(!stderr.contains("Reactor error"), "{stderr}");
    let mode = std::fs::metadata(&out).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(mode.permissions().mode() & 0o777, 0o600);
    }
}

#[test]
fn a_silent_microphone_is_flagged_by_name() {
    let audio = VirtualAudio::start();
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("silent.wav");
    let recording = Running::start(
        &audio,
        &[
            "record",
            "--out",
            out.to_str().unwrap(),
            "--seconds",
            "1",
            "--format",
            "f32",
        ],
    );
    let (report, stderr, ok) = recording.finish();
    assert!(ok, "{stderr}");
    assert!(stderr.contains("warning: the take is silent"), "{stderr}");
    assert!(stderr.contains("\"Monitor of Null Output\""), "{stderr}");
    assert_eq!(report_value(&report, "format"), "f32");
    let (seconds, rms) = sox_stat(&out);
    assert!((seconds - 1.0).abs() < 0.001);
    assert!(rms < 0.001);
}

#[test]
fn ctrl_c_stops_and_keeps_the_take() {
    let audio = VirtualAudio::start();
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("interrupted.wav");
    let mut recording = Running::start(&audio, &["record", "--out", out.to_str().unwrap()]);
    recording.wait_for("until Ctrl-C");
    std::thread::sleep(Duration::from_millis(1500));
    let pid = recording.child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let (report, stderr, ok) = recording.finish();
    assert!(ok, "{stderr}");
    assert_eq!(report_value(&report, "ended"), "stopped");
    let (seconds, _) = sox_stat(&out);
    assert!(seconds > 1.0 && seconds < 3.0, "{seconds} s");
    assert!(!dir.path().join("interrupted.wav.part").exists());
}

#[test]
fn a_killed_recording_is_recovered_but_for_its_last_second() {
    let audio = VirtualAudio::start();
    let dir = TempDir::new().unwrap();
    let voice = speech(
        dir.path(),
        "voice",
        "Walk me through how you would design a rate limiter.",
    );
    let takes = dir.path().join("takes");
    std::fs::create_dir(&takes).unwrap();
    let out = takes.join("01-rate-limiter-take1.wav");
    let mut recording = Running::start(&audio, &["record", "--out", out.to_str().unwrap()]);
    recording.wait_for("Recording to");
    let started = Instant::now();
    audio.play_into_microphone(&voice);
    std::thread::sleep(Duration::from_millis(1200));
    let recorded_for = started.elapsed().as_secs_f64();
    recording.child.kill().unwrap();
    let _ = recording.finish();

    let part = takes.join("01-rate-limiter-take1.wav.part");
    assert!(part.exists(), "the .part file is left by the kill");
    assert!(!out.exists());
    let recovered = std::process::Command::new(common::rehearse_bin())
        .args(["recover", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&recovered.stdout);
    assert!(recovered.status.success(), "{said}");
    assert!(
        said.contains(&format!("recovered {}", out.display())),
        "{said}"
    );
    assert!(!part.exists());

    let (seconds, rms) = sox_stat(&out);
    assert!(
        seconds >= recorded_for - 1.1,
        "kept {seconds} s of {recorded_for} s"
    );
    assert!(
        seconds <= recorded_for + 0.2,
        "kept {seconds} s of {recorded_for} s"
    );
    assert!(rms > SPEECH_RMS / 2.0, "RMS {rms}: the speech is missing");
    let (frames, rate) = python_wave(&out);
    assert_eq!(rate, 48_000);
    assert!((frames as f64 / 48_000.0 - seconds).abs() < 0.001);

    let again = std::process::Command::new(common::rehearse_bin())
        .args(["recover", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stdout).contains("nothing to recover"));
}

#[test]
fn a_microphone_that_disappears_mid_take_keeps_what_was_recorded() {
    let mut audio = VirtualAudio::start();
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("unplugged.wav");
    let mut recording = Running::start(&audio, &["record", "--out", out.to_str().unwrap()]);
    recording.wait_for("Recording to");
    std::thread::sleep(Duration::from_millis(1500));
    audio.kill();
    let (report, stderr, ok) = recording.finish();
    assert!(!ok, "losing the microphone is reported as a failure");
    assert!(stderr.contains("the microphone stopped"), "{stderr}");
    assert!(stderr.contains("recorded so far are saved in"), "{stderr}");
    let (seconds, _) = sox_stat(&out);
    assert!(seconds > 1.0, "{seconds} s kept; report: {report}");
    python_wave(&out);
}

#[test]
fn an_unknown_device_falls_back_to_the_default_with_a_warning() {
    let audio = VirtualAudio::start();
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("fallback.wav");
    let recording = Running::start(
        &audio,
        &[
            "record",
            "--out",
            out.to_str().unwrap(),
            "--seconds",
            "0.5",
            "--device",
            "pulseaudio:usb-headset-that-was-unplugged",
        ],
    );
    let (report, stderr, ok) = recording.finish();
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains(
            "warning: the microphone \"pulseaudio:usb-headset-that-was-unplugged\" is not available"
        ),
        "{stderr}"
    );
    assert_eq!(report_value(&report, "frames"), "24000");
}

#[test]
fn without_a_sound_server_there_is_a_clear_message_and_no_file() {
    let mut audio = VirtualAudio::start();
    audio.kill();
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("none.wav");
    let recording = Running::start(&audio, &["record", "--out", out.to_str().unwrap()]);
    let (_, stderr, ok) = recording.finish();
    assert!(!ok);
    assert!(stderr.starts_with("rehearse: "), "{stderr}");
    assert!(
        !stderr.contains("ALSA lib"),
        "libasound's noise is kept quiet: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!out.exists());

    let devices = audio
        .command(common::rehearse_bin())
        .arg("devices")
        .output()
        .unwrap();
    assert!(devices.status.success());
    assert!(String::from_utf8_lossy(&devices.stdout).contains("none: no microphone found"));
}

#[test]
fn devices_lists_the_default_microphone_first_with_its_id() {
    let audio = VirtualAudio::start();
    let output = audio
        .command(common::rehearse_bin())
        .arg("devices")
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Microphones:");
    assert!(lines[1].ends_with("(default)"), "{text}");
    assert_eq!(lines[2].trim(), "id: pulseaudio:vsink.monitor", "{text}");
    assert!(lines[3].contains("48000"), "{text}");
    assert!(
        !text.contains("id: alsa:null"),
        "ALSA's aliases are hidden: {text}"
    );
    let all = audio
        .command(common::rehearse_bin())
        .args(["devices", "--all"])
        .output()
        .unwrap();
    let all = String::from_utf8_lossy(&all.stdout);
    assert!(all.lines().count() >= lines.len(), "{all}");
}

#[test]
fn play_sends_a_take_to_the_output() {
    let audio = VirtualAudio::start();
    let dir = TempDir::new().unwrap();
    let voice = speech(
        dir.path(),
        "voice",
        "Rehearse plays back what you recorded.",
    );
    let out = dir.path().join("heard.wav");
    let mut recording = Running::start(
        &audio,
        &["record", "--out", out.to_str().unwrap(), "--seconds", "4"],
    );
    recording.wait_for("Recording to");
    let played = audio
        .command(common::rehearse_bin())
        .arg("play")
        .arg(&voice)
        .output()
        .unwrap();
    assert!(
        played.status.success(),
        "{}",
        String::from_utf8_lossy(&played.stderr)
    );
    let (_, stderr, ok) = recording.finish();
    assert!(ok, "{stderr}");
    let (_, rms) = sox_stat(&out);
    assert!(rms > SPEECH_RMS, "RMS {rms}: nothing was played");
}

#[test]
fn a_full_disk_stops_the_take_and_keeps_a_valid_file() {
    let audio = VirtualAudio::start();
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("full.wav");
    // The shell limits the size of files the recorder may write (in 512-byte
    // blocks: 100 KiB, about one second at 48 kHz, 16-bit) and ignores the
    // signal that limit sends, so writing fails as on a full disk.
    let script = format!(
        "ulimit -f 200; trap '' XFSZ; exec '{}' record --out '{}' --seconds 10",
        common::rehearse_bin(),
        out.display()
    );
    let output = audio.command("sh").args(["-c", &script]).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("writing the take failed"), "{stderr}");
    assert!(stderr.contains("recorded so far are saved in"), "{stderr}");
    let (seconds, _) = sox_stat(&out);
    assert!(seconds > 0.5 && seconds < 1.1, "{seconds} s kept");
    python_wave(&out);
    // The report says what is on disk, not what reached the writer.
    let reported: f64 = report_value(&String::from_utf8_lossy(&output.stdout), "seconds")
        .parse()
        .unwrap();
    assert!(
        (reported - seconds).abs() < 0.001,
        "reported {reported} s, {seconds} s on disk"
    );
}

/// Issue 11, finding 5: a rate the device does not list is refused with the
/// list, and the sound server survives the request.
#[test]
fn an_impossible_sample_rate_is_refused_and_the_server_lives() {
    let audio = VirtualAudio::start();
    let dir = TempDir::new().unwrap();
    for rate in ["1", "48", "12345"] {
        let out = dir.path().join(format!("rate-{rate}.wav"));
        let output = audio
            .command(common::rehearse_bin())
            .args(["record", "--seconds", "1", "--rate", rate, "--out"])
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{rate}: {stderr}");
        assert!(
            stderr.contains(&format!("cannot record at {rate} Hz")),
            "{stderr}"
        );
        assert!(
            stderr.contains("48000"),
            "the possible rates are named: {stderr}"
        );
        assert!(!out.exists());
        assert!(
            audio.pactl(&["info"]).status.success(),
            "PulseAudio died after --rate {rate}"
        );
    }
}

/// Issue 11, finding 6: Ctrl-Z then `fg` (SIGSTOP, SIGCONT) does not end a
/// recording; it goes on into the same take.
#[test]
fn a_stopped_and_continued_recording_keeps_recording() {
    let audio = VirtualAudio::start();
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("paused.wav");
    let mut recording = Running::start(
        &audio,
        &["record", "--out", out.to_str().unwrap(), "--seconds", "6"],
    );
    recording.wait_for("Recording to");
    let pid = recording.child.id().to_string();
    for (signal, wait) in [
        ("-STOP", 1500),
        ("-CONT", 300),
        ("-STOP", 400),
        ("-CONT", 0),
    ] {
        std::thread::sleep(Duration::from_millis(wait));
        let sent = std::process::Command::new("kill")
            .args([signal, &pid])
            .status()
            .unwrap();
        assert!(sent.success());
    }
    let (report, stderr, ok) = recording.finish();
    assert!(ok, "{stderr}");
    assert_eq!(
        report_value(&report, "ended"),
        "time limit reached",
        "{report}"
    );
    let (seconds, _) = sox_stat(&out);
    assert!((seconds - 6.0).abs() < 0.001, "{seconds} s");
}

/// Issue 11, finding 8: `recover` leaves a take that is still being
/// recorded alone, and the recording finishes normally.
#[test]
fn recover_leaves_a_live_take_alone() {
    let audio = VirtualAudio::start();
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("live.wav");
    let mut recording = Running::start(
        &audio,
        &["record", "--out", out.to_str().unwrap(), "--seconds", "3"],
    );
    recording.wait_for("Recording to");
    std::thread::sleep(Duration::from_millis(1200));
    let recover = audio
        .command(common::rehearse_bin())
        .arg("recover")
        .arg(dir.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&recover.stderr);
    assert!(said.contains("still being recorded"), "{said}");
    assert!(dir.path().join("live.wav.part").exists());
    let (report, stderr, ok) = recording.finish();
    assert!(ok, "{stderr}");
    assert_eq!(report_value(&report, "ended"), "time limit reached");
    let (seconds, _) = sox_stat(&out);
    assert!((seconds - 3.0).abs() < 0.001, "{seconds} s");
}

/// Issue 11, finding 12 and a smaller finding: a leftover `.part` is named
/// as what it is.
#[test]
fn a_leftover_part_file_is_named_in_the_message() {
    let audio = VirtualAudio::start();
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("y.wav");
    std::fs::write(dir.path().join("y.wav.part"), b"RIFF").unwrap();
    let output = audio
        .command(common::rehearse_bin())
        .args(["record", "--seconds", "1", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("y.wav.part exists"), "{stderr}");
    assert!(stderr.contains("recover"), "{stderr}");
}

/// Issue 11, finding 12: a file that appears at `--out` while recording is
/// never replaced; the take goes beside it and the report says where.
#[test]
fn a_file_that_appears_at_the_output_is_never_replaced() {
    let audio = VirtualAudio::start();
    let dir = TempDir::new().unwrap();
    let out = dir.path().join("mine.wav");
    let mut recording = Running::start(
        &audio,
        &["record", "--out", out.to_str().unwrap(), "--seconds", "2"],
    );
    recording.wait_for("Recording to");
    std::fs::write(&out, b"written by someone else").unwrap();
    let (report, stderr, ok) = recording.finish();
    assert!(ok, "{stderr}");
    assert!(stderr.contains("appeared while recording"), "{stderr}");
    assert_eq!(std::fs::read(&out).unwrap(), b"written by someone else");
    let beside = dir.path().join("mine.recovered.wav");
    assert_eq!(report_value(&report, "file"), beside.to_str().unwrap());
    let (seconds, _) = sox_stat(&beside);
    assert!((seconds - 2.0).abs() < 0.001, "{seconds} s");
}
