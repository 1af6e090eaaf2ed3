//! The recogniser: whisper.cpp through whisper-rs. A model is loaded once,
//! when first needed, and freed after it has been idle for a while; each
//! transcription reports progress, can be cancelled, runs on all cores but
//! one and returns words with their times.
//!
//! Filler words: Whisper leaves out "um" and "uh" unless its prompt shows
//! them, so the prompt is a short line of fillers written as speech
//! ([`FILLER_PROMPT`]), never an instruction (an instruction-like prompt
//! makes it drop whole sentences).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime};

use whisper_rs::{
    DtwMode, DtwModelPreset, DtwParameters, FullParams, SamplingStrategy, WhisperContext,
    WhisperContextParameters,
};

use super::models::{self, ModelFileError, WhisperSize};
use super::pcm::WHISPER_RATE;
use super::transcript::{ModelStamp, SCHEMA, Segment, Transcript, Word};

/// The style prompt that keeps filler words in the transcript.
pub const FILLER_PROMPT: &str = "Um, uh, hmm, er, ah.";

/// How long an unused model stays in memory.
pub const IDLE_LIMIT: Duration = Duration::from_secs(5 * 60);

/// How word times are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WordTiming {
    /// From the decoder's timestamp tokens, split on words.
    Tokens,
    /// From dynamic time warping over the model's alignment heads (the
    /// preset of each standard model).
    Dtw,
    /// The decoder's timestamp tokens, then placed on the speech the audio
    /// holds ([`super::align`]).
    Speech,
}

/// The timing the tests found closest to the truth (`tests/speech.rs`
/// measures all three on words with known starts). With tiny.en, on words
/// apart, the timestamp tokens were off by 5 ms on average, the DTW
/// preset by 640 ms; on an answer with pauses of 1-3 s the tokens were off
/// by 0.5-0.7 s on average (1.9 s at worst), DTW likewise, and the tokens
/// placed on the speech by 14-17 ms (0.25 s at worst).
pub const DEFAULT_TIMING: WordTiming = WordTiming::Speech;

/// The longest stretch of a file given to whisper.cpp at once, in seconds.
/// Five minutes: longer than any answer, so a take is one stretch; a file
/// of hours is read, recognised and its words placed a stretch at a time
/// (whisper.cpp keeps a spectrogram of all it is given, and word placement
/// compares every word with every run of speech).
pub const STRETCH_SECONDS: f64 = 300.0;

/// Why a transcription failed.
#[derive(Debug, thiserror::Error)]
pub enum SpeechError {
    /// The model file is not usable.
    #[error(transparent)]
    Model(#[from] ModelFileError),
    /// whisper.cpp refused to load the model.
    #[error("{}: whisper.cpp cannot load this model ({message})", path.display())]
    Load {
        /// The model file.
        path: PathBuf,
        /// What whisper.cpp said.
        message: String,
    },
    /// The recognition itself failed.
    #[error("speech recognition failed: {0}")]
    Recognition(String),
    /// The take cannot be read.
    #[error(transparent)]
    Audio(#[from] super::pcm::PcmError),
    /// What came back is not words (a model whose weights are not numbers,
    /// or audio that is: `!!!!` and the like).
    #[error(
        "the recogniser returned {0:?}, which is not words: the model or the audio is damaged; no transcript was kept"
    )]
    NotWords(String),
    /// Cancelled before it finished.
    #[error("cancelled")]
    Cancelled,
    /// The processor lacks instructions the recogniser was built with.
    #[error(
        "this computer's processor lacks {0}, which speech recognition needs (x86-64-v3: Intel since 2013, AMD since 2015); everything else works"
    )]
    Processor(&'static str),
}

/// The instruction set whisper.cpp is compiled for (see
/// `.cargo/config.toml`) that this processor lacks, if any: checked before a
/// model is loaded, so an older processor gets a message instead of a crash.
pub fn missing_processor_feature() -> Option<&'static str> {
    #[cfg(target_arch = "x86_64")]
    {
        if !std::arch::is_x86_feature_detected!("avx2") {
            return Some("AVX2");
        }
        if !std::arch::is_x86_feature_detected!("fma") {
            return Some("FMA");
        }
        if !std::arch::is_x86_feature_detected!("f16c") {
            return Some("F16C");
        }
        if !std::arch::is_x86_feature_detected!("bmi2") {
            return Some("BMI2");
        }
    }
    None
}

/// Hears the text of each segment as the recogniser finishes it, while
/// the rest of the take is still being transcribed (on the recogniser's
/// thread: it must only hand the text on).
pub type SegmentListener = Arc<dyn Fn(&str) + Send + Sync>;

/// Progress and cancellation, shared with whoever waits for the result,
/// and who hears the segments as they come.
#[derive(Clone, Default)]
pub struct Control {
    percent: Arc<AtomicU8>,
    cancelled: Arc<AtomicBool>,
    segments: Option<SegmentListener>,
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("percent", &self.percent)
            .field("cancelled", &self.cancelled)
            .field("hears_segments", &self.segments.is_some())
            .finish()
    }
}

impl Control {
    /// A fresh control: 0 %, not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// The same control, with `listener` hearing each segment's text as it
    /// is recognised.
    #[must_use]
    pub fn hearing_segments(mut self, listener: SegmentListener) -> Self {
        self.segments = Some(listener);
        self
    }

    /// How far the transcription is, 0 to 100.
    pub fn percent(&self) -> u8 {
        self.percent.load(Ordering::Relaxed)
    }

    /// Asks the transcription to stop as soon as it can.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// Whether [`Self::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}

/// A loaded model.
struct Loaded {
    path: PathBuf,
    modified: Option<SystemTime>,
    context: WhisperContext,
    stamp: Stamp,
    timing: WordTiming,
    last_used: Instant,
}

/// What transcripts say of their model. Its SHA-256 takes a fifth of a
/// second for tiny.en (seconds for the larger models), so it is worked out
/// on a helper thread while the model loads and the first take is
/// transcribed, and waited for only when that transcript is written.
enum Stamp {
    /// The file is being hashed.
    Hashing(JoinHandle<io::Result<String>>),
    /// Hashed, or why the file could not be read to the end.
    Done(Result<ModelStamp, String>),
}

impl Loaded {
    /// The model's stamp, once the file is hashed.
    fn stamp(&mut self) -> Result<ModelStamp, SpeechError> {
        let done = match std::mem::replace(&mut self.stamp, Stamp::Done(Err(String::new()))) {
            Stamp::Hashing(hashing) => stamp_from_hash(
                &self.path,
                hashing
                    .join()
                    .unwrap_or_else(|_| Err(io::Error::other("the thread hashing it stopped"))),
            ),
            Stamp::Done(done) => done,
        };
        self.stamp = Stamp::Done(done.clone());
        done.map_err(|reason| {
            SpeechError::Model(ModelFileError::Io {
                path: self.path.clone(),
                source: io::Error::other(reason),
            })
        })
    }
}

/// Starts hashing the model file at `path` (on the calling thread when no
/// thread can be started).
fn start_hashing(path: &Path) -> Stamp {
    let owned = path.to_path_buf();
    thread::Builder::new()
        .name("model-hash".to_owned())
        .spawn(move || models::sha256_of(&owned))
        .map_or_else(
            |err| {
                log::warn!("cannot start a thread to hash the model ({err}); hashing it here");
                Stamp::Done(stamp_from_hash(path, models::sha256_of(path)))
            },
            Stamp::Hashing,
        )
}

/// The stamp of the model at `path` from hashing it (the catalogue's name
/// for the hash, else the name of its file), or why it could not be hashed.
fn stamp_from_hash(path: &Path, sha256: io::Result<String>) -> Result<ModelStamp, String> {
    let sha256 = sha256.map_err(|err| err.to_string())?;
    let name = models::catalogue_model_by_hash(&sha256)
        .map(|model| model.name.to_owned())
        .or_else(|| models::name_of(path))
        .unwrap_or_else(|| {
            path.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        });
    Ok(ModelStamp { name, sha256 })
}

/// The recogniser, holding at most one loaded model.
pub struct Engine {
    loaded: Option<Loaded>,
    threads: usize,
    timing: WordTiming,
    stretch_seconds: f64,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

/// Threads for recognition: all cores but one, at least one.
pub fn recognition_threads() -> usize {
    threads_beside_the_window(thread::available_parallelism().map_or(1, std::num::NonZero::get))
}

/// Of `cores`, the ones recognition may use: all but one, which stays with
/// the window and the recorder, and at least one.
fn threads_beside_the_window(cores: usize) -> usize {
    cores.saturating_sub(1).max(1)
}

/// Lowers the calling thread's priority (and that of the threads it
/// starts, such as whisper.cpp's workers) so recognition never competes
/// with the window or the recorder.
pub fn lower_thread_priority() {
    #[cfg(target_os = "linux")]
    {
        let thread = rustix::thread::gettid();
        if let Err(err) = rustix::process::setpriority_process(Some(thread), 10) {
            log::info!("cannot lower the background thread's priority: {err}");
        }
    }
}

/// Sends whisper.cpp's and ggml's messages to the log instead of stderr.
fn route_library_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        whisper_rs::install_logging_hooks();
        // Read once by the patched ggml (third_party/README.md).
        if let Some(value) = std::env::var_os(F16_ENCODER_VARIABLE)
            && !value.is_empty()
            && value != "0"
        {
            log::info!(
                "{F16_ENCODER_VARIABLE} is set: the encoder's products stay in f16, as on processors without AVX512-BF16"
            );
        }
    });
}

/// Set (and not `0`), the patched ggml keeps the encoder's products in f16
/// on a processor with AVX512-BF16, so the f16 path most laptops take is
/// tested and measured there too (`make test`, `make bench`).
pub const F16_ENCODER_VARIABLE: &str = "REHEARSE_F16_ENCODER";

impl Engine {
    /// An engine with no model loaded, using [`recognition_threads`] and
    /// [`DEFAULT_TIMING`].
    pub fn new() -> Self {
        Self {
            loaded: None,
            threads: recognition_threads(),
            timing: DEFAULT_TIMING,
            stretch_seconds: STRETCH_SECONDS,
        }
    }

    /// The same with another word timing (for measurements).
    pub fn with_timing(timing: WordTiming) -> Self {
        Self {
            timing,
            ..Self::new()
        }
    }

    /// The same with another number of threads.
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// Whether a model is in memory.
    pub fn is_loaded(&self) -> bool {
        self.loaded.is_some()
    }

    /// Frees the model when it has not been used for `idle`.
    pub fn free_if_idle(&mut self, idle: Duration) {
        if self
            .loaded
            .as_ref()
            .is_some_and(|loaded| loaded.last_used.elapsed() >= idle)
        {
            log::info!("speech model freed after {} s idle", idle.as_secs());
            self.loaded = None;
        }
    }

    /// The same with stretches of another length (see [`STRETCH_SECONDS`]).
    pub fn with_stretch(mut self, seconds: f64) -> Self {
        self.stretch_seconds = seconds.max(2.0 * super::pcm::CUT_WINDOW_SECONDS);
        self
    }

    /// Transcribes the WAV at `wav` with the model at `model`, a stretch at
    /// a time ([`super::pcm::for_each_stretch`]): a file of hours needs the
    /// memory of a few minutes, and a cancel is heard between stretches as
    /// well as inside one.
    pub fn transcribe_file(
        &mut self,
        model: &Path,
        wav: &Path,
        control: &Control,
    ) -> Result<Transcript, SpeechError> {
        control.percent.store(0, Ordering::Relaxed);
        let mut whole: Option<Transcript> = None;
        let mut done = 0.0;
        super::pcm::for_each_stretch(wav, self.stretch_seconds, |stretch| {
            let share = (done, stretch.done_at);
            let part = self.transcribe_stretch(model, stretch.pcm, control, share)?;
            done = stretch.done_at;
            match &mut whole {
                None => whole = Some(part),
                Some(whole) => whole.append_at(part, stretch.start_ms),
            }
            Ok::<(), SpeechError>(())
        })?;
        let transcript = whole.ok_or_else(|| SpeechError::Recognition("no audio".to_owned()))?;
        finished(transcript, control)
    }

    /// Transcribes `pcm` (mono, 16 kHz) with the model at `model`.
    pub fn transcribe(
        &mut self,
        model: &Path,
        pcm: &[f32],
        control: &Control,
    ) -> Result<Transcript, SpeechError> {
        control.percent.store(0, Ordering::Relaxed);
        let transcript = self.transcribe_stretch(model, pcm, control, (0.0, 1.0))?;
        finished(transcript, control)
    }

    /// Transcribes `pcm`, one stretch of the audio, reporting progress
    /// between the shares `share.0` and `share.1` of the whole.
    fn transcribe_stretch(
        &mut self,
        model: &Path,
        pcm: &[f32],
        control: &Control,
        share: (f64, f64),
    ) -> Result<Transcript, SpeechError> {
        if control.is_cancelled() {
            return Err(SpeechError::Cancelled);
        }
        let threads = i32::try_from(self.threads).unwrap_or(1);
        let loaded = self.load(model)?;
        loaded.last_used = Instant::now();
        let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        params.set_n_threads(threads);
        params.set_language(Some("en"));
        // After a space, as OpenAI's Whisper and faster-whisper tokenise a
        // prompt, so its first word is the token of running text (" Um", not
        // "Um"); without it tiny.en made more errors on the four clean clips
        // of tests/speech.rs (13.5 % against 11.2 %).
        params.set_initial_prompt(&format!(" {FILLER_PROMPT}"));
        params.set_token_timestamps(true);
        params.set_print_special(false);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_timestamps(false);
        let percent = Arc::clone(&control.percent);
        params.set_progress_callback_safe(move |value: i32| {
            let whole = share.0 + (share.1 - share.0) * f64::from(value.clamp(0, 100)) / 100.0;
            percent.store((whole * 100.0).clamp(0.0, 99.0) as u8, Ordering::Relaxed);
        });
        let cancelled = Arc::clone(&control.cancelled);
        // Boxed on purpose: whisper-rs 0.16 stores the callback as a boxed
        // `dyn FnMut` but calls it as the closure's own type, which is only
        // the same thing when that type is the box (a plain closure here
        // made every call read garbage and abort the encoder).
        let abort: Box<dyn FnMut() -> bool> = Box::new(move || cancelled.load(Ordering::Relaxed));
        params.set_abort_callback_safe(abort);
        if let Some(listener) = &control.segments {
            // whisper-rs 0.16 never frees the boxed segment callback, so it
            // holds only a weak reference: what the listener keeps goes
            // with the listener.
            let listener = Arc::downgrade(listener);
            params.set_segment_callback_safe_lossy(
                move |segment: whisper_rs::SegmentCallbackData| {
                    if let Some(listener) = listener.upgrade() {
                        listener(&segment.text);
                    }
                },
            );
        }
        let mut state = loaded
            .context
            .create_state()
            .map_err(|err| SpeechError::Recognition(err.to_string()))?;
        let result = state.full(params, pcm);
        if control.is_cancelled() {
            return Err(SpeechError::Cancelled);
        }
        result.map_err(|err| SpeechError::Recognition(err.to_string()))?;
        let duration_ms = pcm.len() as u64 * 1000 / u64::from(WHISPER_RATE);
        let mut transcript = Transcript {
            schema: SCHEMA,
            model: loaded.stamp()?,
            language: "en".to_owned(),
            duration_ms,
            segments: Vec::new(),
            words: Vec::new(),
        };
        let end_of_text = loaded.context.token_eot();
        // The words of each segment, to time the segment by its words.
        let mut segment_words: Vec<std::ops::Range<usize>> = Vec::new();
        for segment in state.as_iter() {
            let text = segment
                .to_str_lossy()
                .map_err(|err| SpeechError::Recognition(err.to_string()))?;
            transcript.segments.push(Segment {
                start_ms: centiseconds(segment.start_timestamp()).min(duration_ms),
                end_ms: centiseconds(segment.end_timestamp()).min(duration_ms),
                text: text.trim().to_owned(),
            });
            let mut tokens = Vec::new();
            for index in 0..segment.n_tokens() {
                let Some(token) = segment.get_token(index) else {
                    continue;
                };
                if token.token_id() >= end_of_text {
                    continue;
                }
                let data = token.token_data();
                let bytes = token.to_bytes().unwrap_or_default().to_vec();
                tokens.push(TimedToken {
                    bytes,
                    start: centiseconds(data.t0),
                    end: centiseconds(data.t1),
                    aligned: (data.t_dtw >= 0).then(|| centiseconds(data.t_dtw)),
                    probability: data.p,
                });
            }
            let first = transcript.words.len();
            transcript
                .words
                .extend(words_of(&tokens, loaded.timing, duration_ms));
            segment_words.push(first..transcript.words.len());
        }
        if loaded.timing == WordTiming::Speech {
            place_words_on_speech(&mut transcript, &segment_words, pcm);
        }
        loaded.last_used = Instant::now();
        Ok(transcript)
    }

    /// The loaded model, loading `path` first when it is not the one in
    /// memory (or the file changed since).
    fn load(&mut self, path: &Path) -> Result<&mut Loaded, SpeechError> {
        let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        let current = self
            .loaded
            .as_ref()
            .is_some_and(|loaded| loaded.path == path && loaded.modified == modified);
        if !current {
            self.loaded = None;
            self.loaded = Some(load_model(path, modified, self.timing)?);
        }
        self.loaded
            .as_mut()
            .ok_or_else(|| SpeechError::Recognition("no model".to_owned()))
    }
}

fn load_model(
    path: &Path,
    modified: Option<SystemTime>,
    timing: WordTiming,
) -> Result<Loaded, SpeechError> {
    if let Some(missing) = missing_processor_feature() {
        return Err(SpeechError::Processor(missing));
    }
    route_library_logs();
    let info = models::inspect(path)?;
    let started = Instant::now();
    let stamp = start_hashing(path);
    let mut parameters = WhisperContextParameters::default();
    let timing = match (timing, dtw_preset(info.size, info.english_only)) {
        (WordTiming::Dtw, Some(preset)) => {
            parameters.dtw_parameters(DtwParameters {
                mode: DtwMode::ModelPreset {
                    model_preset: preset,
                },
                ..DtwParameters::default()
            });
            WordTiming::Dtw
        }
        (WordTiming::Speech, _) => WordTiming::Speech,
        // Flash attention stays off (whisper-rs's default): with tiny.en it
        // saved a fifth of the memory (258 instead of 323 MB) but raised the
        // word error rate of tests/speech.rs from 16.2 % to 18.9 %.
        _ => WordTiming::Tokens,
    };
    let path_text = path.to_str().ok_or_else(|| SpeechError::Load {
        path: path.to_path_buf(),
        message: "the path is not valid UTF-8".to_owned(),
    })?;
    let context = WhisperContext::new_with_params(path_text, parameters).map_err(|err| {
        SpeechError::Load {
            path: path.to_path_buf(),
            message: err.to_string(),
        }
    })?;
    log::info!(
        "speech model loaded from {} in {} ms",
        path.display(),
        started.elapsed().as_millis()
    );
    Ok(Loaded {
        path: path.to_path_buf(),
        modified,
        context,
        stamp,
        timing,
        last_used: Instant::now(),
    })
}

fn dtw_preset(size: WhisperSize, english_only: bool) -> Option<DtwModelPreset> {
    Some(match (size, english_only) {
        (WhisperSize::Tiny, true) => DtwModelPreset::TinyEn,
        (WhisperSize::Tiny, false) => DtwModelPreset::Tiny,
        (WhisperSize::Base, true) => DtwModelPreset::BaseEn,
        (WhisperSize::Base, false) => DtwModelPreset::Base,
        (WhisperSize::Small, true) => DtwModelPreset::SmallEn,
        (WhisperSize::Small, false) => DtwModelPreset::Small,
        (WhisperSize::Medium, true) => DtwModelPreset::MediumEn,
        (WhisperSize::Medium, false) => DtwModelPreset::Medium,
        (WhisperSize::Large, _) => return None,
    })
}

/// A whole transcript, checked: refused when it is not words, else done.
fn finished(transcript: Transcript, control: &Control) -> Result<Transcript, SpeechError> {
    let text = transcript.text();
    if !is_words(&text) {
        let shown: String = text.chars().take(40).collect();
        return Err(SpeechError::NotWords(shown));
    }
    control.percent.store(100, Ordering::Relaxed);
    Ok(transcript)
}

/// Places the words of `transcript` on the speech of `pcm`
/// ([`super::align`]) and times each segment (its words are
/// `segment_words`) by its first and last word.
fn place_words_on_speech(
    transcript: &mut Transcript,
    segment_words: &[std::ops::Range<usize>],
    pcm: &[f32],
) {
    let speech = crate::analysis::speech_spans(pcm, WHISPER_RATE);
    super::align::place_on_speech(&mut transcript.words, &speech.runs, &speech.pieces);
    for (segment, words) in transcript.segments.iter_mut().zip(segment_words) {
        if let Some(placed) = transcript.words.get(words.clone())
            && let (Some(first), Some(last)) = (placed.first(), placed.last())
        {
            segment.start_ms = first.start_ms;
            segment.end_ms = last.end_ms;
        }
    }
}

/// Whether `text` reads as words: empty (nothing said), or at least half
/// of its visible characters letters or digits. A model or a take that is
/// not numbers makes whisper.cpp return runs of `!`.
fn is_words(text: &str) -> bool {
    let visible = text.chars().filter(|c| !c.is_whitespace()).count();
    let letters = text.chars().filter(|c| c.is_alphanumeric()).count();
    visible == 0 || letters * 2 >= visible
}

fn centiseconds(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0) * 10
}

/// A text token with its times, in milliseconds.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TimedToken {
    pub bytes: Vec<u8>,
    pub start: u64,
    pub end: u64,
    pub aligned: Option<u64>,
    pub probability: f32,
}

/// Joins tokens into words: a token that starts with a space starts a new
/// word; punctuation stays with the word before it. The bytes are joined
/// before decoding, since a character may be split across tokens.
pub(crate) fn words_of(tokens: &[TimedToken], timing: WordTiming, duration_ms: u64) -> Vec<Word> {
    let mut groups: Vec<Vec<&TimedToken>> = Vec::new();
    for token in tokens {
        let starts_word = token.bytes.first() == Some(&b' ');
        match groups.last_mut() {
            Some(group) if !starts_word => group.push(token),
            _ => groups.push(vec![token]),
        }
    }
    let starts: Vec<u64> = groups
        .iter()
        .map(|group| match timing {
            WordTiming::Dtw => group[0].aligned.unwrap_or(group[0].start),
            WordTiming::Tokens | WordTiming::Speech => group[0].start,
        })
        .collect();
    let mut words: Vec<Word> = Vec::new();
    for (index, group) in groups.iter().enumerate() {
        let bytes: Vec<u8> = group.iter().flat_map(|t| t.bytes.iter().copied()).collect();
        let text = String::from_utf8_lossy(&bytes).trim().to_owned();
        if text.is_empty() {
            continue;
        }
        let start = starts[index].min(duration_ms);
        let last = group[group.len() - 1];
        let end = match timing {
            // DTW gives one instant per token: a word ends where the next
            // begins, or with its own last token.
            WordTiming::Dtw => starts
                .get(index + 1)
                .copied()
                .unwrap_or(last.end)
                .min(last.end.max(start)),
            WordTiming::Tokens | WordTiming::Speech => last.end,
        }
        .clamp(start, duration_ms.max(start));
        let probability = group
            .iter()
            .map(|t| t.probability)
            .fold(1.0f32, f32::min)
            .clamp(0.0, 1.0);
        words.push(Word {
            text,
            start_ms: start,
            end_ms: end,
            probability,
        });
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(text: &str, start: u64, end: u64, aligned: u64) -> TimedToken {
        TimedToken {
            bytes: text.as_bytes().to_vec(),
            start,
            end,
            aligned: Some(aligned),
            probability: 0.8,
        }
    }

    #[test]
    fn tokens_join_into_words_with_their_punctuation() {
        let tokens = [
            token(" So", 0, 200, 50),
            token(",", 200, 210, 200),
            token(" hyp", 300, 400, 320),
            token("othesis", 400, 700, 420),
            token(".", 700, 710, 700),
        ];
        let words = words_of(&tokens, WordTiming::Tokens, 10_000);
        let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["So,", "hypothesis."]);
        assert_eq!((words[1].start_ms, words[1].end_ms), (300, 710));
        let aligned = words_of(&tokens, WordTiming::Dtw, 10_000);
        assert_eq!((aligned[0].start_ms, aligned[0].end_ms), (50, 210));
        assert_eq!(aligned[1].start_ms, 320);
    }

    #[test]
    fn a_character_split_across_tokens_is_whole() {
        let mut first = token(" caf", 0, 100, 0);
        first.bytes.push(0xc3);
        let second = TimedToken {
            bytes: vec![0xa9],
            ..token("", 100, 200, 100)
        };
        let words = words_of(&[first, second], WordTiming::Tokens, 1_000);
        assert_eq!(words[0].text, "café");
    }

    #[test]
    fn times_stay_inside_the_audio() {
        let words = words_of(
            &[token(" late", 900, 1_500, 950)],
            WordTiming::Tokens,
            1_000,
        );
        assert_eq!((words[0].start_ms, words[0].end_ms), (900, 1_000));
    }

    #[test]
    fn this_processor_runs_the_recogniser() {
        // The machines that build and test Rehearse are x86-64-v3 or later.
        assert_eq!(missing_processor_feature(), None);
    }

    #[test]
    fn runs_of_punctuation_are_not_words() {
        assert!(is_words(""));
        assert!(is_words("Um, I moved the report... to a replica!"));
        assert!(!is_words("!!!!!!!!!!!!!!!!"));
        assert!(!is_words(" ! ! ! ? !!"));
    }

    #[test]
    fn recognition_leaves_one_core_to_the_window() {
        let used: Vec<usize> = [0, 1, 2, 4, 16]
            .into_iter()
            .map(threads_beside_the_window)
            .collect();
        assert_eq!(used, [1, 1, 1, 3, 15]);
    }
}
