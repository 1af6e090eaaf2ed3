//! Speech feedback from the audio alone, with no model and no network: when
//! the speaker started, how much of the time they spoke, where they paused,
//! an estimate of their pace, and whether the recording itself is usable.
//!
//! The pipeline, all over a copy of the take at about 8 kHz:
//!
//! 1. an intensity contour (RMS in dB over 25 ms, every 10 ms);
//! 2. voice activity: a threshold set between the take's own noise floor
//!    and its speech level, with hysteresis; gaps under 0.3 s are bridged,
//!    blips under 0.1 s dropped;
//! 3. pauses: the gaps between speech of at least 1 s;
//! 4. syllable nuclei, after de Jong & Wempe (2009): peaks of a smoother
//!    intensity contour that stand at least 2 dB above the dip before them,
//!    inside speech, and voiced (a clear period between 75 and 400 Hz);
//!    their count over the speaking time is the articulation rate;
//! 5. level: peak and RMS in dBFS, clipped samples, and warnings.
//!
//! Pure: no UI, no disk but [`analyze_wav`].

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::audio::mono_wav::MonoWav;

/// Step of the intensity contour, in seconds.
const HOP_SECONDS: f64 = 0.010;
/// Window of the voice-activity contour.
const VAD_WINDOW_SECONDS: f64 = 0.025;
/// Window of the syllable contour: long enough to smooth out the pitch
/// periods, short enough to keep the dips between syllables.
const NUCLEUS_WINDOW_SECONDS: f64 = 0.050;
/// Gaps in speech shorter than this are bridged.
const BRIDGE_SECONDS: f64 = 0.3;
/// Bursts of sound shorter than this are not speech.
const BLIP_SECONDS: f64 = 0.1;
/// A gap at least this long is a pause.
pub const PAUSE_SECONDS: f64 = 1.0;
/// A pause at least this long is called long in the hints.
pub const LONG_PAUSE_SECONDS: f64 = 2.5;
/// Pre-emphasis of the voice-activity contour.
const PRE_EMPHASIS: f32 = 0.95;
/// How far above the noise floor the quiet edges of words reach.
const EDGE_ABOVE_FLOOR_DB: f32 = 2.0;
/// In a recording with no noise, how far below the speech level they reach.
const EDGE_BELOW_LOUD_DB: f32 = 60.0;
/// How far a run of speech may grow at each end.
const EDGE_REACH_SECONDS: f64 = 0.3;
/// The dip a syllable peak must rise above.
const MIN_DIP_DB: f32 = 2.0;
/// Peaks more than this below the loudest speech are not syllables.
const NUCLEUS_RANGE_DB: f32 = 25.0;
/// Below this, a take is silent.
pub const SILENT_DBFS: f32 = -50.0;
/// Speech quieter than this is hard to hear back.
pub const QUIET_DBFS: f32 = -35.0;
/// Share of clipped samples above which the take is called clipped.
pub const CLIPPED_PERCENT: f64 = 0.05;
/// A sample this close to full scale is clipped.
const CLIP_LEVEL: f32 = 0.999;
/// Syllables per word in conversational English, for the estimate of words
/// per minute.
const SYLLABLES_PER_WORD: f64 = 1.4;
/// Pace bands, in estimated words per minute (practice tools use 100-165).
pub const SLOW_WPM: f64 = 100.0;
/// Above this, the pace is fast.
pub const FAST_WPM: f64 = 165.0;

/// A pause in the answer.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pause {
    /// Where it starts, in seconds from the start of the take.
    pub at: f64,
    /// How long it lasts, in seconds.
    pub seconds: f64,
}

/// The pace, from the estimated words per minute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pace {
    /// Under 100 words a minute.
    Slow,
    /// 100 to 165 words a minute.
    Steady,
    /// Over 165 words a minute.
    Fast,
}

impl Pace {
    /// The band of `wpm`.
    pub fn of(wpm: f64) -> Self {
        if wpm < SLOW_WPM {
            Self::Slow
        } else if wpm > FAST_WPM {
            Self::Fast
        } else {
            Self::Steady
        }
    }

    /// A word for the band.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Slow => "slow",
            Self::Steady => "steady",
            Self::Fast => "fast",
        }
    }
}

/// Something wrong with the recording itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordingWarning {
    /// Nothing above the silence threshold: wrong or muted microphone.
    Silent,
    /// Speech so quiet it is hard to hear back.
    TooQuiet,
    /// Samples at full scale: the input gain is too high.
    Clipping,
    /// A steady sound with no syllables: not speech.
    NotSpeech,
}

impl RecordingWarning {
    /// Plain-language advice.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Silent => {
                "silent: nothing was heard; check that the right microphone is chosen and unmuted"
            }
            Self::TooQuiet => "too quiet: move closer to the microphone or raise its input level",
            Self::Clipping => {
                "clipping: the input is too loud and distorts; lower the microphone's input level"
            }
            Self::NotSpeech => {
                "no speech found: the sound is steady, with no syllables (a hum or a tone?)"
            }
        }
    }
}

/// Everything measured on one take.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeechMetrics {
    /// Length of the take, in seconds.
    pub duration: f64,
    /// Silence before the first word, in seconds (the whole take if no
    /// speech was found).
    pub time_to_first_word: f64,
    /// Time spent speaking (pauses under 0.3 s included), in seconds.
    pub speaking_time: f64,
    /// Speaking time over the duration.
    pub speaking_ratio: f64,
    /// Pauses of at least 1 s between words, in order.
    pub pauses: Vec<Pause>,
    /// Sum of the pauses, in seconds.
    pub pause_total: f64,
    /// Silence after the last word, in seconds.
    pub trailing_silence: f64,
    /// Syllable nuclei found.
    pub syllables: u32,
    /// Syllables per second of speaking time (an estimate).
    pub articulation_rate: f64,
    /// Estimated words per minute over the answer (first word to last).
    pub words_per_minute: f64,
    /// Pace band of the estimate.
    pub pace: Pace,
    /// Loudest sample, in dBFS.
    pub peak_dbfs: f32,
    /// RMS of the whole take, in dBFS.
    pub rms_dbfs: f32,
    /// RMS of the speech, in dBFS.
    pub speech_rms_dbfs: f32,
    /// Share of samples at full scale, in percent.
    pub clipped_percent: f64,
    /// What is wrong with the recording, if anything.
    pub warnings: Vec<RecordingWarning>,
}

impl SpeechMetrics {
    /// What is impossible about these figures, if anything: every time
    /// within a day and not negative, ratios within their range, levels
    /// within what a file can hold. Figures read from a manifest are checked
    /// with this before anything adds or formats them.
    pub fn problem(&self) -> Option<String> {
        const DAY: f64 = 24.0 * 60.0 * 60.0;
        let mut checks: Vec<(&str, f64, f64, f64)> = vec![
            ("duration", self.duration, 0.0, DAY),
            ("time_to_first_word", self.time_to_first_word, 0.0, DAY),
            ("speaking_time", self.speaking_time, 0.0, DAY),
            ("speaking_ratio", self.speaking_ratio, 0.0, 1.0),
            ("pause_total", self.pause_total, 0.0, DAY),
            ("trailing_silence", self.trailing_silence, 0.0, DAY),
            ("articulation_rate", self.articulation_rate, 0.0, 100.0),
            ("words_per_minute", self.words_per_minute, 0.0, 10_000.0),
            ("peak_dbfs", f64::from(self.peak_dbfs), -1_000.0, 1_000.0),
            ("rms_dbfs", f64::from(self.rms_dbfs), -1_000.0, 1_000.0),
            (
                "speech_rms_dbfs",
                f64::from(self.speech_rms_dbfs),
                -1_000.0,
                1_000.0,
            ),
            ("clipped_percent", self.clipped_percent, 0.0, 100.0),
        ];
        for pause in &self.pauses {
            checks.push(("pauses.at", pause.at, 0.0, DAY));
            checks.push(("pauses.seconds", pause.seconds, 0.0, DAY));
        }
        checks
            .into_iter()
            .find(|&(_, value, low, high)| !(low..=high).contains(&value))
            .map(|(name, value, low, high)| format!("{name} {value} is outside {low}..{high}"))
    }

    /// The longest pause, if any.
    pub fn longest_pause(&self) -> Option<Pause> {
        self.pauses
            .iter()
            .copied()
            .max_by(|a, b| a.seconds.total_cmp(&b.seconds))
    }

    /// The figures in one line: "first word after 0.4 s · spoke 85% of the
    /// time · 2 pauses of 1 s or more (3.1 s in all) · about 140 words a
    /// minute, steady (estimate)". The review, `sessions show` and the
    /// export report all show this line. With `words_counted` (a transcript
    /// gave the real pace, shown with its measures) the estimate is left
    /// out.
    pub fn summary(&self, words_counted: bool) -> String {
        let pauses = match self.pauses.len() {
            0 => "no pauses of 1 s or more".to_owned(),
            1 => format!("1 pause of 1 s or more ({:.1} s)", self.pause_total),
            n => format!(
                "{n} pauses of 1 s or more ({:.1} s in all)",
                self.pause_total
            ),
        };
        let mut line = format!(
            "first word after {:.1} s · spoke {:.0}% of the time · {pauses}",
            self.time_to_first_word,
            self.speaking_ratio * 100.0,
        );
        if !words_counted {
            line.push_str(&format!(
                " · about {:.0} words a minute, {} (estimate)",
                self.words_per_minute,
                self.pace.describe()
            ));
        }
        line
    }

    /// Plain-language hints a coach would give first; with `words_counted`
    /// none about the estimated pace (the transcript's measures have the
    /// real one).
    pub fn hints(&self, words_counted: bool) -> Vec<String> {
        let mut hints: Vec<String> = self
            .warnings
            .iter()
            .map(|w| w.describe().to_owned())
            .collect();
        if self.warnings.contains(&RecordingWarning::Silent)
            || self.warnings.contains(&RecordingWarning::NotSpeech)
        {
            return hints;
        }
        if self.time_to_first_word >= 3.0 {
            hints.push(format!(
                "you took {:.1} s to start; a short opening sentence buys thinking time",
                self.time_to_first_word
            ));
        }
        for pause in self
            .pauses
            .iter()
            .filter(|p| p.seconds >= LONG_PAUSE_SECONDS)
        {
            hints.push(format!(
                "long pause at {} ({:.1} s)",
                minutes_seconds(pause.at),
                pause.seconds
            ));
        }
        if !words_counted {
            match self.pace {
                Pace::Slow => hints.push(format!(
                    "pace about {:.0} words a minute (estimate): slow; aim for 100-165",
                    self.words_per_minute
                )),
                Pace::Fast => hints.push(format!(
                    "pace about {:.0} words a minute (estimate): fast; slow down and pause between points",
                    self.words_per_minute
                )),
                Pace::Steady => {}
            }
        }
        if self.speaking_ratio < 0.6 && self.duration > 10.0 {
            hints.push(format!(
                "you spoke {:.0}% of the time; more than a third was silence",
                self.speaking_ratio * 100.0
            ));
        }
        if self.trailing_silence >= LONG_TRAILING_SILENCE_SECONDS {
            hints.push(format!(
                "the last {:.0} s were silent: when you are done, close with a one-line summary and stop",
                self.trailing_silence
            ));
        }
        hints
    }
}

/// Silence at the end of a take at least this long is worth a hint (the
/// answer was over well before the recording was).
pub const LONG_TRAILING_SILENCE_SECONDS: f64 = 5.0;

/// What [`recording_warnings`] judges a take by.
struct Levels {
    peak_dbfs: f32,
    speech_rms_dbfs: f32,
    clipped_percent: f64,
    found_speech: bool,
    speaking_time: f64,
    articulation_rate: f64,
}

/// What is wrong with the recording itself: silent, a steady sound rather
/// than speech, speech too quiet, clipping.
fn recording_warnings(levels: &Levels) -> Vec<RecordingWarning> {
    let mut warnings = Vec::new();
    if levels.peak_dbfs < SILENT_DBFS {
        warnings.push(RecordingWarning::Silent);
    } else if !levels.found_speech {
        // Sound, but never rising above its own floor: a steady hum.
        warnings.push(RecordingWarning::NotSpeech);
    } else {
        if levels.speech_rms_dbfs < QUIET_DBFS {
            warnings.push(RecordingWarning::TooQuiet);
        }
        if levels.speaking_time >= 1.0 && levels.articulation_rate < 0.5 {
            warnings.push(RecordingWarning::NotSpeech);
        }
    }
    if levels.clipped_percent > CLIPPED_PERCENT {
        warnings.push(RecordingWarning::Clipping);
    }
    warnings
}

/// `value`, or 0 when it is zero, negative or not a number.
fn not_negative(value: f64) -> f64 {
    if value > 0.0 { value } else { 0.0 }
}

/// The metrics as text, a line each (for the terminal and the report);
/// with `words_counted` without the pace estimate (a transcript has the
/// real pace).
pub fn report(m: &SpeechMetrics, words_counted: bool) -> String {
    let mut text = String::new();
    let mut line = |label: &str, value: String| {
        text.push_str(&format!("{label:<22} {value}\n"));
    };
    // Figures that are zero but came out of a subtraction as -0.0 (or a
    // rounding error below zero) print as 0.
    let m = &SpeechMetrics {
        duration: not_negative(m.duration),
        time_to_first_word: not_negative(m.time_to_first_word),
        speaking_time: not_negative(m.speaking_time),
        speaking_ratio: not_negative(m.speaking_ratio),
        pause_total: not_negative(m.pause_total),
        trailing_silence: not_negative(m.trailing_silence),
        articulation_rate: not_negative(m.articulation_rate),
        words_per_minute: not_negative(m.words_per_minute),
        ..m.clone()
    };
    line("duration", format!("{:.2} s", m.duration));
    line(
        "time to first word",
        format!("{:.2} s", m.time_to_first_word),
    );
    line(
        "speaking time",
        format!(
            "{:.2} s ({:.0}%)",
            m.speaking_time,
            m.speaking_ratio * 100.0
        ),
    );
    let pauses = m
        .pauses
        .iter()
        .map(|p| format!("{} ({:.1} s)", minutes_seconds(p.at), p.seconds))
        .collect::<Vec<_>>()
        .join(", ");
    line(
        "pauses of 1 s or more",
        if m.pauses.is_empty() {
            "none".to_owned()
        } else {
            format!(
                "{}, {:.1} s in all: {pauses}",
                m.pauses.len(),
                m.pause_total
            )
        },
    );
    line("trailing silence", format!("{:.2} s", m.trailing_silence));
    line("syllables (estimate)", m.syllables.to_string());
    line(
        "articulation rate",
        format!("{:.2} syllables/s (estimate)", m.articulation_rate),
    );
    if !words_counted {
        line(
            "pace",
            format!(
                "about {:.0} words/min (estimate): {}",
                m.words_per_minute,
                m.pace.describe()
            ),
        );
    }
    line(
        "level",
        format!(
            "peak {:.1} dBFS, RMS {:.1} dBFS, speech {:.1} dBFS, clipped {:.3}%",
            m.peak_dbfs, m.rms_dbfs, m.speech_rms_dbfs, m.clipped_percent
        ),
    );
    for hint in m.hints(words_counted) {
        line("hint", hint);
    }
    text
}

/// `m:ss` of a time in seconds, to the nearest second.
pub fn minutes_seconds(seconds: f64) -> String {
    crate::model::clock(std::time::Duration::from_secs_f64(seconds.max(0.0).round()))
}

/// Why a file could not be analysed.
#[derive(Debug, thiserror::Error)]
#[error("cannot analyse {path}: {message}")]
pub struct AnalysisError {
    /// The file.
    pub path: std::path::PathBuf,
    /// What went wrong.
    pub message: String,
}

/// Reads a WAV file (any channels, integer or float) and analyses it.
pub fn analyze_wav(path: &Path) -> Result<SpeechMetrics, AnalysisError> {
    let failed = |err: hound::Error| AnalysisError {
        path: path.to_path_buf(),
        message: err.to_string(),
    };
    let wav = MonoWav::open(path).map_err(failed)?;
    let mut analyzer = Analyzer::new(wav.sample_rate());
    wav.for_each_block(|block| analyzer.push(block))
        .map_err(failed)?;
    Ok(analyzer.finish())
}

/// Analyses mono `samples` at `sample_rate`.
pub fn analyze(samples: &[f32], sample_rate: u32) -> SpeechMetrics {
    let mut analyzer = Analyzer::new(sample_rate);
    analyzer.push(samples);
    analyzer.finish()
}

/// Where mono `samples` at `sample_rate` hold speech
/// ([`Analyzer::finish_speech`]).
pub fn speech_spans(samples: &[f32], sample_rate: u32) -> SpeechSpans {
    let mut analyzer = Analyzer::new(sample_rate);
    analyzer.push(samples);
    analyzer.finish_speech()
}

/// Where a take holds speech, as `(start, end)` seconds, at two scales.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpeechSpans {
    /// Runs of speech between pauses of 0.3 s or more (the metrics' voice
    /// activity).
    pub runs: Vec<(f64, f64)>,
    /// The pieces of those runs between the shortest silences
    /// ([`PIECE_GAP_SECONDS`]): a word or a few.
    pub pieces: Vec<(f64, f64)>,
}

/// A silence at least this long separates two pieces of speech.
pub const PIECE_GAP_SECONDS: f64 = 0.04;

/// The analysis as samples arrive: keeps only per-5-ms energies and an
/// 8 kHz copy of the take, so memory is a small fraction of the audio's.
pub struct Analyzer {
    rate: u32,
    /// Full-rate samples per block (half a hop).
    block: usize,
    peak: f32,
    sum_squares: f64,
    clipped: u64,
    samples: u64,
    /// Energy per block, pre-emphasised (voice activity).
    emphasised: Vec<f64>,
    /// Energy per block as recorded (speech level).
    plain: Vec<f64>,
    open_emphasised: f32,
    open_plain: f32,
    in_block: usize,
    previous: f32,
    /// Full-rate samples per 8 kHz sample.
    factor: usize,
    /// The 8 kHz copy in 16 bits (half the memory of floats; 96 dB is
    /// far more than voicing needs): 0.46 GB for 8 hours.
    low: Vec<i16>,
    low_sum: f32,
    low_count: usize,
}

impl Analyzer {
    /// An analyzer for mono audio at `sample_rate`.
    pub fn new(sample_rate: u32) -> Self {
        let rate = f64::from(sample_rate.max(1));
        let hop = ((HOP_SECONDS * rate).round() as usize).max(2);
        Self {
            rate: sample_rate.max(1),
            block: hop / 2,
            peak: 0.0,
            sum_squares: 0.0,
            clipped: 0,
            samples: 0,
            emphasised: Vec::new(),
            plain: Vec::new(),
            open_emphasised: 0.0,
            open_plain: 0.0,
            in_block: 0,
            previous: 0.0,
            factor: (rate / 8000.0).round().max(1.0) as usize,
            low: Vec::new(),
            low_sum: 0.0,
            low_count: 0,
        }
    }

    /// Feeds samples.
    pub fn push(&mut self, samples: &[f32]) {
        for &sample in samples {
            let magnitude = sample.abs();
            self.peak = self.peak.max(magnitude);
            // Per-block sums in f32 (a block is 5 ms); the take's totals in f64.
            let square = sample * sample;
            self.clipped += u64::from(magnitude >= CLIP_LEVEL);
            // Voice activity runs on the full band tilted up (pre-emphasis):
            // the quiet consonants at the edges of words live above 2 kHz,
            // where room and fan noise is weakest.
            let emphasised = sample - PRE_EMPHASIS * self.previous;
            self.previous = sample;
            self.open_emphasised += emphasised * emphasised;
            self.open_plain += square;
            self.in_block += 1;
            if self.in_block == self.block {
                self.close_block();
            }
            // Block averages: a crude low-pass, enough for intensity and
            // for voicing below 400 Hz.
            self.low_sum += sample;
            self.low_count += 1;
            if self.low_count == self.factor {
                self.low.push(to_low(self.low_sum / self.factor as f32));
                self.low_sum = 0.0;
                self.low_count = 0;
            }
        }
        self.samples += samples.len() as u64;
    }

    fn close_block(&mut self) {
        self.emphasised.push(f64::from(self.open_emphasised));
        self.plain.push(f64::from(self.open_plain));
        self.sum_squares += f64::from(self.open_plain);
        self.open_emphasised = 0.0;
        self.open_plain = 0.0;
        self.in_block = 0;
    }

    /// Speech in everything fed: the voice activity of the metrics (gaps
    /// under 0.3 s bridged) and its pieces, for placing the words of a
    /// transcript where they were said.
    pub fn finish_speech(mut self) -> SpeechSpans {
        if self.in_block > 0 {
            self.close_block();
        }
        let duration = self.samples as f64 / f64::from(self.rate);
        let peak_dbfs = to_db(f64::from(self.peak));
        let contour = self.vad_contour();
        SpeechSpans {
            runs: self.seconds_of(
                &speech_segments(&contour, peak_dbfs, BRIDGE_SECONDS),
                duration,
            ),
            pieces: self.seconds_of(
                &speech_segments(&contour, peak_dbfs, PIECE_GAP_SECONDS),
                duration,
            ),
        }
    }

    /// The voice-activity contour of everything fed.
    fn vad_contour(&self) -> Vec<f32> {
        let window_blocks = (VAD_WINDOW_SECONDS / HOP_SECONDS * 2.0).round() as usize;
        intensity(&self.emphasised, self.block, window_blocks)
    }

    /// Frames of the contour as seconds, within `duration`.
    fn seconds_of(&self, segments: &[(usize, usize)], duration: f64) -> Vec<(f64, f64)> {
        let frame_seconds = (2 * self.block) as f64 / f64::from(self.rate);
        let at = |frame: usize| (frame as f64 * frame_seconds).min(duration);
        segments.iter().map(|&(s, e)| (at(s), at(e))).collect()
    }

    /// The metrics of everything fed.
    pub fn finish(mut self) -> SpeechMetrics {
        if self.in_block > 0 {
            self.close_block();
        }
        if self.low_count > 0 {
            self.low.push(to_low(self.low_sum / self.low_count as f32));
        }
        let rate = f64::from(self.rate);
        let duration = self.samples as f64 / rate;
        let count = self.samples.max(1) as f64;
        let peak_dbfs = to_db(f64::from(self.peak));
        let rms_dbfs = to_db((self.sum_squares / count).sqrt());
        let clipped_percent = self.clipped as f64 / count * 100.0;

        let segments = speech_segments(&self.vad_contour(), peak_dbfs, BRIDGE_SECONDS);
        let speech = self.seconds_of(&segments, duration);
        // Sums start from 0.0: Rust's f64 `sum` of nothing is -0.0, which
        // reads as "-0.0" in JSON and "-0.000" in a spreadsheet.
        let speaking_time = total(speech.iter().map(|(s, e)| e - s));
        let pauses: Vec<Pause> = speech
            .windows(2)
            .map(|pair| Pause {
                at: pair[0].1,
                seconds: pair[1].0 - pair[0].1,
            })
            .filter(|p| p.seconds >= PAUSE_SECONDS)
            .collect();
        let (first, last) = match (speech.first(), speech.last()) {
            (Some(first), Some(last)) => (first.0, last.1),
            _ => (duration, duration),
        };

        let low_rate = rate / self.factor as f64;
        let hop = ((HOP_SECONDS * low_rate).round() as usize).max(2);
        let nucleus_contour = intensity(
            &low_energies(&self.low, hop / 2),
            hop / 2,
            (NUCLEUS_WINDOW_SECONDS / HOP_SECONDS * 2.0).round() as usize,
        );
        let syllables = syllable_nuclei(&nucleus_contour, &segments, &self.low, hop, low_rate);
        let articulation_rate = if speaking_time > 0.0 {
            f64::from(syllables) / speaking_time
        } else {
            0.0
        };
        let answer_time = last - first;
        let words_per_minute = if answer_time > 0.0 {
            f64::from(syllables) / SYLLABLES_PER_WORD / answer_time * 60.0
        } else {
            0.0
        };

        // Speech level: the recorded energy of the blocks inside speech
        // (a frame is two blocks).
        let (speech_energy, speech_blocks) =
            segments
                .iter()
                .fold((0.0, 0usize), |(energy, blocks), &(s, e)| {
                    let inside =
                        &self.plain[(2 * s).min(self.plain.len())..(2 * e).min(self.plain.len())];
                    (energy + inside.iter().sum::<f64>(), blocks + inside.len())
                });
        let speech_rms_dbfs = if speech_blocks == 0 {
            -100.0
        } else {
            to_db((speech_energy / (speech_blocks * self.block) as f64).sqrt())
        };

        let warnings = recording_warnings(&Levels {
            peak_dbfs,
            speech_rms_dbfs,
            clipped_percent,
            found_speech: !speech.is_empty(),
            speaking_time,
            articulation_rate,
        });

        SpeechMetrics {
            duration,
            time_to_first_word: first,
            speaking_time,
            speaking_ratio: if duration > 0.0 {
                speaking_time / duration
            } else {
                0.0
            },
            pause_total: total(pauses.iter().map(|p| p.seconds)),
            pauses,
            trailing_silence: duration - last,
            syllables,
            articulation_rate,
            words_per_minute,
            pace: Pace::of(words_per_minute),
            peak_dbfs,
            rms_dbfs,
            speech_rms_dbfs,
            clipped_percent,
            warnings,
        }
    }
}

/// The sum of `values`, 0.0 (not -0.0) when there are none.
pub fn total(values: impl Iterator<Item = f64>) -> f64 {
    values.fold(0.0, |sum, value| sum + value)
}

/// A sample of the 8 kHz copy, in 16 bits.
fn to_low(sample: f32) -> i16 {
    (sample * LOW_SCALE_INVERSE)
        .round()
        .clamp(-32_768.0, 32_767.0) as i16
}

/// A sample of the 8 kHz copy, as a float in [-1, 1].
fn from_low(sample: i16) -> f32 {
    f32::from(sample) / LOW_SCALE_INVERSE
}

const LOW_SCALE_INVERSE: f32 = 32_768.0;

/// Sums of squares of the 8 kHz copy in blocks of `block` samples.
fn low_energies(low: &[i16], block: usize) -> Vec<f64> {
    low.chunks(block.max(1))
        .map(|chunk| {
            chunk
                .iter()
                .map(|&s| f64::from(from_low(s)) * f64::from(from_low(s)))
                .sum()
        })
        .collect()
}

fn to_db(amplitude: f64) -> f32 {
    if amplitude <= 1e-5 {
        -100.0
    } else {
        (20.0 * amplitude.log10()) as f32
    }
}

/// RMS in dB, every hop, of a window of `window_blocks` half-hop blocks
/// centred on the hop; `block` samples to a block.
fn intensity(energies: &[f64], block: usize, window_blocks: usize) -> Vec<f32> {
    let half = (window_blocks / 2).max(1);
    let frames = energies.len().div_ceil(2);
    let mut sum: f64 = energies.iter().take(half).sum();
    let mut from = 0usize;
    let mut to = half.min(energies.len());
    (0..frames)
        .map(|frame| {
            // The window of this frame: blocks centre-half .. centre+half.
            let centre = 2 * frame + 1;
            let want_from = centre.saturating_sub(half);
            let want_to = (centre + half).min(energies.len());
            while to < want_to {
                sum += energies[to];
                to += 1;
            }
            while from < want_from {
                sum -= energies[from];
                from += 1;
            }
            let count = ((to - from) * block).max(1);
            to_db((sum.max(0.0) / count as f64).sqrt())
        })
        .collect()
}

/// The value below which `share` of `values` lie.
fn quantile(values: &[f32], share: f64) -> f32 {
    if values.is_empty() {
        return -100.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f32::total_cmp);
    let index = ((sorted.len() - 1) as f64 * share).round() as usize;
    sorted[index]
}

/// Speech as `(first frame, end frame)` runs of the contour: above a
/// threshold between the take's noise floor and its speech level (with
/// 3 dB of hysteresis), gaps shorter than `bridge_seconds` bridged, blips
/// dropped.
fn speech_segments(contour: &[f32], peak_dbfs: f32, bridge_seconds: f64) -> Vec<(usize, usize)> {
    if contour.is_empty() || peak_dbfs < SILENT_DBFS {
        return Vec::new();
    }
    let floor = quantile(contour, 0.10);
    let loud = quantile(contour, 0.95);
    let threshold = floor + ((loud - floor) * 0.35).max(6.0);
    let release = threshold - 3.0;
    let frames_per_second = 1.0 / HOP_SECONDS;
    let bridge = (bridge_seconds * frames_per_second).round() as usize;
    let blip = (BLIP_SECONDS * frames_per_second).round() as usize;

    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut start: Option<usize> = None;
    for (frame, &db) in contour.iter().enumerate() {
        match start {
            None if db >= threshold => start = Some(frame),
            Some(from) if db < release => {
                runs.push((from, frame));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        runs.push((from, contour.len()));
    }
    // The threshold sits well above the noise so that pauses stay pauses;
    // the quiet starts and ends of words (a final "t", a soft "f") are then
    // won back by growing each run while the sound stays above the floor.
    let edge = (floor + EDGE_ABOVE_FLOOR_DB).max(loud - EDGE_BELOW_LOUD_DB);
    let reach = (EDGE_REACH_SECONDS * frames_per_second).round() as usize;
    let mut previous_end = 0;
    for index in 0..runs.len() {
        let next_start = runs.get(index + 1).map_or(contour.len(), |r| r.0);
        let (from, to) = &mut runs[index];
        let limit = from.saturating_sub(reach).max(previous_end);
        while *from > limit && contour[*from - 1] >= edge {
            *from -= 1;
        }
        let limit = (*to + reach).min(next_start);
        while *to < limit && contour[*to] >= edge {
            *to += 1;
        }
        previous_end = *to;
    }
    let mut bridged: Vec<(usize, usize)> = Vec::new();
    for run in runs {
        match bridged.last_mut() {
            Some(last) if run.0 - last.1 < bridge => last.1 = run.1,
            _ => bridged.push(run),
        }
    }
    bridged.retain(|&(from, to)| to - from >= blip);
    bridged
}

/// Counts syllable nuclei: peaks of `contour` inside speech, within 25 dB
/// of the loudest speech, at least 2 dB above the lowest point since the
/// previous nucleus, and voiced.
fn syllable_nuclei(
    contour: &[f32],
    segments: &[(usize, usize)],
    low: &[i16],
    hop: usize,
    low_rate: f64,
) -> u32 {
    let speech: Vec<f32> = segments
        .iter()
        .flat_map(|&(from, to)| {
            contour[from.min(contour.len())..to.min(contour.len())]
                .iter()
                .copied()
        })
        .collect();
    if speech.is_empty() {
        return 0;
    }
    let floor = quantile(&speech, 0.99) - NUCLEUS_RANGE_DB;
    let mut count = 0;
    for &(from, to) in segments {
        let to = to.min(contour.len());
        let mut dip = f32::INFINITY;
        for frame in from..to {
            let db = contour[frame];
            dip = dip.min(db);
            let is_peak = frame > from
                && frame + 1 < to
                && db > contour[frame - 1]
                && db >= contour[frame + 1];
            if is_peak
                && db >= floor
                && db - dip >= MIN_DIP_DB
                && voiced(low, frame * hop + hop / 2, low_rate)
            {
                count += 1;
                dip = db;
            }
        }
    }
    count
}

/// Whether 40 ms of `low` around `centre` has a clear period between 75 and
/// 400 Hz (normalised autocorrelation above 0.5).
fn voiced(low: &[i16], centre: usize, low_rate: f64) -> bool {
    let half = (0.020 * low_rate) as usize;
    let from = centre.saturating_sub(half);
    let to = (centre + half).min(low.len());
    if to <= from + 2 {
        return false;
    }
    let window: Vec<f32> = low[from..to].iter().map(|&s| from_low(s)).collect();
    let mean = window.iter().sum::<f32>() / window.len() as f32;
    let centred: Vec<f32> = window.iter().map(|s| s - mean).collect();
    let energy: f32 = centred.iter().map(|s| s * s).sum();
    if energy <= 1e-9 {
        return false;
    }
    let shortest = (low_rate / 400.0) as usize;
    let longest = ((low_rate / 75.0) as usize).min(centred.len() / 2);
    (shortest.max(1)..=longest).any(|lag| {
        let (a, b) = (&centred[..centred.len() - lag], &centred[lag..]);
        let cross: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        let norm =
            (a.iter().map(|x| x * x).sum::<f32>() * b.iter().map(|y| y * y).sum::<f32>()).sqrt();
        norm > 0.0 && cross / norm > 0.5
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_never_prints_a_negative_zero() {
        let metrics = SpeechMetrics {
            duration: 1.0,
            time_to_first_word: 1.0,
            speaking_time: -0.0,
            speaking_ratio: -1e-12,
            pauses: Vec::new(),
            pause_total: 0.0,
            trailing_silence: -0.0,
            syllables: 0,
            articulation_rate: 0.0,
            words_per_minute: 0.0,
            pace: Pace::Slow,
            peak_dbfs: -120.0,
            rms_dbfs: -120.0,
            speech_rms_dbfs: -120.0,
            clipped_percent: 0.0,
            warnings: Vec::new(),
        };
        let text = report(&metrics, false);
        assert!(!text.contains("-0"), "{text}");
    }

    const RATE: u32 = 16_000;

    /// A vowel-like buzz: a 140 Hz pulse train with harmonics, shaped into
    /// syllables of 180 ms, 5 a second.
    fn speech(seconds: f64) -> Vec<f32> {
        let n = (seconds * f64::from(RATE)) as usize;
        (0..n)
            .map(|i| {
                let t = i as f64 / f64::from(RATE);
                let syllable = (t * 5.0).fract();
                let envelope = if syllable < 0.9 {
                    (std::f64::consts::PI * syllable / 0.9).sin().powi(2)
                } else {
                    0.0
                };
                let voice: f64 = (1..8)
                    .map(|h| {
                        (2.0 * std::f64::consts::PI * 140.0 * f64::from(h) * t).sin() / f64::from(h)
                    })
                    .sum();
                (0.25 * envelope * voice) as f32
            })
            .collect()
    }

    fn silence(seconds: f64) -> Vec<f32> {
        vec![0.0; (seconds * f64::from(RATE)) as usize]
    }

    #[test]
    fn pauses_speaking_time_and_first_word_of_a_known_structure() {
        let mut take = silence(1.5);
        take.extend(speech(3.0));
        take.extend(silence(2.0));
        take.extend(speech(2.0));
        take.extend(silence(1.0));
        let m = analyze(&take, RATE);
        assert!((m.duration - 9.5).abs() < 1e-6);
        assert!(
            (m.time_to_first_word - 1.5).abs() < 0.05,
            "{}",
            m.time_to_first_word
        );
        assert_eq!(m.pauses.len(), 1, "{:?}", m.pauses);
        // The syllables fade in and out, so the pause measured is the
        // silence plus the quiet ends of the syllables around it.
        assert!((m.pauses[0].seconds - 2.0).abs() < 0.15, "{:?}", m.pauses);
        assert!((m.speaking_time - 5.0).abs() < 0.25, "{}", m.speaking_time);
        assert!(
            (m.trailing_silence - 1.0).abs() < 0.15,
            "{}",
            m.trailing_silence
        );
        // 5 syllables a second for 5 s.
        assert!((i64::from(m.syllables) - 25).abs() <= 2, "{}", m.syllables);
        assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    }

    #[test]
    fn silence_a_tone_clipping_and_a_quiet_take_are_flagged() {
        let silent = analyze(&silence(3.0), RATE);
        assert_eq!(silent.warnings, [RecordingWarning::Silent]);
        assert_eq!(silent.syllables, 0);
        assert_eq!(silent.speaking_time, 0.0);
        assert!((silent.time_to_first_word - 3.0).abs() < 1e-9);
        // Not -0.0, which JSON and the CSV would print with its sign.
        let json = serde_json::to_string(&silent).unwrap();
        assert!(!json.contains("-0.0"), "{json}");

        let tone: Vec<f32> = (0..RATE as usize * 3)
            .map(|i| (i as f32 * 2.0 * std::f32::consts::PI * 440.0 / RATE as f32).sin() * 0.3)
            .collect();
        assert!(
            analyze(&tone, RATE)
                .warnings
                .contains(&RecordingWarning::NotSpeech)
        );

        let clipped: Vec<f32> = speech(3.0)
            .iter()
            .map(|s| (s * 8.0).clamp(-1.0, 1.0))
            .collect();
        assert!(
            analyze(&clipped, RATE)
                .warnings
                .contains(&RecordingWarning::Clipping)
        );

        let quiet: Vec<f32> = speech(3.0).iter().map(|s| s * 0.01).collect();
        let m = analyze(&quiet, RATE);
        assert!(
            m.warnings.contains(&RecordingWarning::TooQuiet),
            "{:?}",
            m.warnings
        );
        assert!(!m.warnings.contains(&RecordingWarning::Silent));
    }

    #[test]
    fn hints_name_long_pauses_and_pace() {
        let mut take = speech(2.0);
        take.extend(silence(3.1));
        take.extend(speech(2.0));
        let m = analyze(&take, RATE);
        let hints = m.hints(false).join("\n");
        assert!(hints.contains("long pause at 0:02"), "{hints}");
        assert!(!hints.contains("were silent"), "{hints}");
        take.extend(silence(6.0));
        let hints = analyze(&take, RATE).hints(false).join("\n");
        assert!(hints.contains("the last 6 s were silent"), "{hints}");
        assert_eq!(Pace::of(90.0), Pace::Slow);
        assert_eq!(Pace::of(130.0), Pace::Steady);
        assert_eq!(Pace::of(170.0), Pace::Fast);
        assert_eq!(minutes_seconds(62.4), "1:02");
    }

    #[test]
    fn fed_in_pieces_or_at_once_the_metrics_are_the_same() {
        let mut take = speech(2.0);
        take.extend(silence(1.5));
        take.extend(speech(1.0));
        let whole = analyze(&take, RATE);
        let mut analyzer = Analyzer::new(RATE);
        for piece in take.chunks(333) {
            analyzer.push(piece);
        }
        assert_eq!(analyzer.finish(), whole);
    }

    #[test]
    fn a_16_bit_stereo_file_reads_as_its_downmix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stereo.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut take = speech(1.0);
        take.extend(silence(1.2));
        take.extend(speech(1.0));
        let mut writer = hound::WavWriter::create(&path, spec).unwrap();
        let mut mono = Vec::new();
        for &sample in &take {
            let left = (sample * 32767.0) as i16;
            let right = (sample * 0.5 * 32767.0) as i16;
            writer.write_sample(left).unwrap();
            writer.write_sample(right).unwrap();
            mono.push((f32::from(left) + f32::from(right)) / 2.0 / 32768.0);
        }
        writer.finalize().unwrap();
        let from_file = analyze_wav(&path).unwrap();
        assert_eq!(from_file, analyze(&mono, RATE));
        assert_eq!(from_file.pauses.len(), 1);
    }

    #[test]
    fn metrics_round_trip_through_json() {
        let m = analyze(&speech(2.0), RATE);
        let text = serde_json::to_string(&m).unwrap();
        assert_eq!(serde_json::from_str::<SpeechMetrics>(&text).unwrap(), m);
    }
}
