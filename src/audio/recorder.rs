//! The microphone: an input stream opened ahead of time ("armed"), a
//! wait-free ring from the audio callback to a writer thread, and takes
//! started and stopped without reopening the device.
//!
//! The cpal callback only copies bytes into the ring and bumps two atomic
//! counters: it never allocates, locks, does I/O or logs. The writer thread
//! converts, downmixes, meters and writes; it also enforces the answer limit
//! by counting samples, so a stalled UI can never make a take longer.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, StreamTrait};
use rtrb::{Consumer, Producer, RingBuffer};

use super::AudioError;
use super::convert::{InputFormat, TakeFormat};
use super::devices::{FoundInput, InputSettings, choose_input_settings};
use super::level::{Level, LevelMeter, LiveLevel, PeakSummary, PeakSummaryBuilder, SILENCE_DBFS};
use super::take_file::TakeFile;

/// How often the writer drains the ring when no command wakes it: about
/// as often as the meter reports (30 times a second). Commands (start,
/// stop) wake it at once, so this only paces the meter and the writes;
/// every wake-up costs CPU time, which a recording is measured by.
const POLL: Duration = Duration::from_millis(30);

/// Seconds of audio the ring holds; the writer only falls this far behind
/// when the disk stalls.
const RING_SECONDS: usize = 2;

/// A take with no audio arriving for this long ends as a lost device.
const STALL_LIMIT: Duration = Duration::from_secs(3);

/// How long closing the input stream may take before it is left to finish
/// (or hang) on its own.
const STREAM_CLOSE_WAIT: Duration = Duration::from_secs(1);

/// Counters shared by the callback, the writer and the control side.
#[derive(Debug, Default)]
struct Shared {
    /// Frames delivered by the device.
    frames_captured: AtomicU64,
    /// Frames that did not fit in the ring (the writer fell behind).
    frames_dropped: AtomicU64,
    /// The latest meter reading.
    level: LiveLevel,
}

/// Copies one callback's audio into the ring, whole frames only, and counts
/// what did not fit. Runs on the audio thread: no allocation, no lock, no
/// I/O.
fn push_input(producer: &mut Producer<u8>, shared: &Shared, frame_bytes: usize, data: &[u8]) {
    let frames = data.len() / frame_bytes;
    let fitting = (producer.slots() / frame_bytes).min(frames);
    if fitting > 0 {
        // Cannot fail: `fitting` frames were free a moment ago and only
        // this thread adds to the ring (and the audio thread may not log).
        if producer
            .push_entire_slice(&data[..fitting * frame_bytes])
            .is_err()
        {
            shared
                .frames_dropped
                .fetch_add(fitting as u64, Ordering::Relaxed);
        }
    }
    shared
        .frames_captured
        .fetch_add(frames as u64, Ordering::Relaxed);
    if fitting < frames {
        shared
            .frames_dropped
            .fetch_add((frames - fitting) as u64, Ordering::Relaxed);
    }
}

/// How a take ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TakeEnd {
    /// [`Microphone::stop_take`] was called.
    Stopped,
    /// The take reached its length limit (counted in samples).
    LimitReached,
    /// The microphone failed or disappeared; the text says how.
    DeviceLost(String),
    /// Writing failed (e.g. the disk is full); the text says how.
    WriteFailed(String),
    /// The microphone was closed while recording.
    Closed,
}

impl std::fmt::Display for TakeEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Stopped => f.write_str("stopped"),
            Self::LimitReached => f.write_str("time limit reached"),
            Self::DeviceLost(why) => write!(f, "the microphone stopped: {why}"),
            Self::WriteFailed(why) => write!(f, "writing the take failed: {why}"),
            Self::Closed => f.write_str("the microphone was closed"),
        }
    }
}

/// Everything known about a finished take.
#[derive(Clone, Debug)]
pub struct TakeSummary {
    /// The WAV file (complete and valid, whatever the ending).
    pub path: PathBuf,
    /// Mono frames written.
    pub frames: u64,
    /// Sample rate.
    pub sample_rate: u32,
    /// Sample format on disk.
    pub format: TakeFormat,
    /// How it ended.
    pub ended: TakeEnd,
    /// Frames lost because the writer fell behind (normally zero).
    pub dropped_frames: u64,
    /// From the start request to the first audio written.
    pub first_sample_delay: Option<Duration>,
    /// The loudest meter window of the take.
    pub loudest: Level,
    /// The microphone's name.
    pub device_name: String,
    /// Min/max summary for drawing the waveform.
    pub peaks: PeakSummary,
}

impl TakeSummary {
    /// Length of the audio.
    pub fn duration(&self) -> Duration {
        Duration::from_secs_f64(self.frames as f64 / f64::from(self.sample_rate))
    }

    /// Whether the take never rose above the silence threshold: most likely
    /// the wrong microphone, or a muted one.
    pub fn is_silent(&self) -> bool {
        self.loudest.rms_dbfs < SILENCE_DBFS
    }

    /// The warning to show for a silent take, naming the microphone.
    pub fn silence_warning(&self) -> Option<String> {
        self.is_silent().then(|| {
            format!(
                "the take is silent (loudest {:.0} dBFS): is \"{}\" the right microphone, and is it unmuted?",
                self.loudest.rms_dbfs, self.device_name
            )
        })
    }
}

/// What the writer reports.
#[derive(Clone, Debug)]
pub enum RecorderEvent {
    /// The first audio of a take is on its way to disk.
    TakeStarted {
        /// The take's final path.
        path: PathBuf,
        /// From the start request to the first audio written.
        first_sample_delay: Duration,
    },
    /// A take ended; its file is complete.
    TakeFinished(TakeSummary),
    /// A take could not be started (e.g. its file could not be created).
    TakeFailed {
        /// The take's final path.
        path: PathBuf,
        /// Why.
        error: String,
    },
    /// The input stream failed while no take was running.
    StreamFailed(String),
}

enum WriterCommand {
    Start {
        path: PathBuf,
        limit_frames: Option<u64>,
        requested_at: Instant,
    },
    Stop,
    StreamError(String),
    Shutdown,
}

/// What the microphone records: its name, id and stream format.
#[derive(Clone, Debug)]
pub struct MicrophoneInfo {
    /// The device id.
    pub id: String,
    /// The readable name.
    pub name: String,
    /// Sample rate of the stream and of the takes.
    pub sample_rate: u32,
    /// Channels delivered (downmixed to mono).
    pub channels: u16,
    /// The device's sample format.
    pub device_format: String,
    /// Frames per callback asked for.
    pub buffer: cpal::BufferSize,
    /// Format the takes are written in.
    pub take_format: TakeFormat,
}

/// An open, running microphone; takes start and stop on it at once.
pub struct Microphone {
    stream: Option<cpal::Stream>,
    shared: Arc<Shared>,
    commands: Sender<WriterCommand>,
    events: Receiver<RecorderEvent>,
    writer: Option<JoinHandle<()>>,
    info: MicrophoneInfo,
    opened_at: Instant,
}

impl std::fmt::Debug for Microphone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Microphone")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl Microphone {
    /// Opens and starts the input stream of `input`. Audio flows (and the
    /// level meter moves) from now on; nothing is written until
    /// [`Self::start_take`].
    pub fn open(
        input: FoundInput,
        take_format: TakeFormat,
        requested_rate: Option<u32>,
    ) -> Result<Self, AudioError> {
        let opened_at = Instant::now();
        super::devices::quiet_alsa_messages();
        let InputSettings {
            config,
            sample_format,
            input_format,
        } = choose_input_settings(&input.device, requested_rate)?;
        let frame_bytes = input_format.frame_bytes();
        let capacity = config.sample_rate as usize * frame_bytes * RING_SECONDS;
        let (mut producer, consumer) = RingBuffer::<u8>::new(capacity);
        let shared = Arc::new(Shared::default());
        let (commands, command_rx) = mpsc::channel();
        let (event_tx, events) = mpsc::channel();

        let callback_shared = Arc::clone(&shared);
        let error_commands = commands.clone();
        let stream = input
            .device
            .build_input_stream_raw(
                config,
                sample_format,
                move |data: &cpal::Data, _: &cpal::InputCallbackInfo| {
                    push_input(&mut producer, &callback_shared, frame_bytes, data.bytes());
                },
                move |err: cpal::Error| {
                    if is_fatal(&err)
                        && error_commands
                            .send(WriterCommand::StreamError(err.to_string()))
                            .is_err()
                    {
                        log::warn!("the microphone failed after it was closed: {err}");
                    }
                },
                None,
            )
            .map_err(|err| AudioError::from_cpal(&input.device, &err))?;
        stream
            .play()
            .map_err(|err| AudioError::from_cpal(&input.device, &err))?;

        let writer = Writer {
            consumer,
            input_format,
            sample_rate: config.sample_rate,
            take_format,
            shared: Arc::clone(&shared),
            events: event_tx,
            device_name: input.name.clone(),
        };
        let writer = std::thread::Builder::new()
            .name("rehearse-take-writer".to_owned())
            .spawn(move || writer.run(&command_rx))
            .map_err(|err| AudioError::Host(format!("cannot start the writer thread: {err}")))?;

        Ok(Self {
            stream: Some(stream),
            shared,
            commands,
            events,
            writer: Some(writer),
            info: MicrophoneInfo {
                id: input.id,
                name: input.name,
                sample_rate: config.sample_rate,
                channels: config.channels,
                device_format: sample_format.to_string(),
                buffer: config.buffer_size,
                take_format,
            },
            opened_at,
        })
    }

    /// What is being recorded from.
    pub fn info(&self) -> &MicrophoneInfo {
        &self.info
    }

    /// The latest level (about 30 readings a second), from any thread.
    pub fn level(&self) -> Level {
        self.shared.level.load()
    }

    /// Frames the device has delivered since it opened.
    pub fn frames_captured(&self) -> u64 {
        self.shared.frames_captured.load(Ordering::Relaxed)
    }

    /// Frames dropped since it opened because the writer fell behind.
    pub fn frames_dropped(&self) -> u64 {
        self.shared.frames_dropped.load(Ordering::Relaxed)
    }

    /// Waits until the device delivers audio (devices can take a second or
    /// two to start) and says how long it took since it was opened; `None`
    /// when nothing arrived within `timeout`.
    pub fn wait_for_audio(&self, timeout: Duration) -> Option<Duration> {
        while self.frames_captured() == 0 {
            if self.opened_at.elapsed() >= timeout {
                return None;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        Some(self.opened_at.elapsed())
    }

    /// Starts recording into `path` (written as `path.part` until finished)
    /// from the next audio to arrive; it stops by itself after `limit` of
    /// audio. A take already running is finished first. The outcome comes
    /// as [`RecorderEvent`]s.
    pub fn start_take(&self, path: PathBuf, limit: Option<Duration>) {
        let rate = f64::from(self.info.sample_rate);
        let command = WriterCommand::Start {
            path,
            limit_frames: limit.map(|l| (l.as_secs_f64() * rate).round() as u64),
            requested_at: Instant::now(),
        };
        if self.commands.send(command).is_err() {
            log::error!(
                "cannot start a take on \"{}\": its writer thread has ended",
                self.info.name
            );
        }
    }

    /// Stops the running take; [`RecorderEvent::TakeFinished`] follows.
    pub fn stop_take(&self) {
        self.take_stopper().stop();
    }

    /// A handle that stops the running take from another thread (a Ctrl-C
    /// handler, say), so nobody has to poll a flag to call
    /// [`Self::stop_take`].
    pub fn take_stopper(&self) -> TakeStopper {
        TakeStopper(self.commands.clone())
    }

    /// The writer's reports, to poll (`try_recv`) or wait on (`recv`).
    pub fn events(&self) -> &Receiver<RecorderEvent> {
        &self.events
    }
}

/// Stops the running take of a [`Microphone`]; see
/// [`Microphone::take_stopper`]. Stopping when no take runs, or after the
/// microphone closed, does nothing.
#[derive(Clone, Debug)]
pub struct TakeStopper(Sender<WriterCommand>);

impl TakeStopper {
    /// Stops the running take; [`RecorderEvent::TakeFinished`] follows.
    pub fn stop(&self) {
        if self.0.send(WriterCommand::Stop).is_err() {
            log::debug!("stop asked after the microphone closed");
        }
    }
}

impl Drop for Microphone {
    /// Stops the stream, then lets the writer finish a running take with
    /// everything the ring still holds.
    fn drop(&mut self) {
        if let Some(stream) = self.stream.take() {
            // Closing a stream whose sound server died can block for ever
            // inside the audio library; close it on a thread of its own and
            // wait only a moment, so neither the app nor the CLI hangs.
            let (closed, wait) = mpsc::channel();
            let closer = std::thread::Builder::new()
                .name("rehearse-stream-close".to_owned())
                .spawn(move || {
                    drop(stream);
                    // The microphone may have stopped waiting: nothing to tell.
                    closed.send(()).ok();
                });
            match closer {
                Ok(_) => {
                    if wait.recv_timeout(STREAM_CLOSE_WAIT).is_err() {
                        log::warn!(
                            "\"{}\" did not close within {} s; left to close in the background",
                            self.info.name,
                            STREAM_CLOSE_WAIT.as_secs_f64()
                        );
                    }
                }
                Err(err) => log::error!(
                    "cannot start a thread to close \"{}\": {err}",
                    self.info.name
                ),
            }
        }
        if self.commands.send(WriterCommand::Shutdown).is_err() {
            log::debug!("the writer of \"{}\" had already ended", self.info.name);
        }
        if let Some(writer) = self.writer.take()
            && writer.join().is_err()
        {
            log::error!("the writer thread of \"{}\" panicked", self.info.name);
        }
    }
}

/// Errors after which the stream delivers no more audio.
fn is_fatal(err: &cpal::Error) -> bool {
    !matches!(
        err.kind(),
        cpal::ErrorKind::Xrun | cpal::ErrorKind::RealtimeDenied | cpal::ErrorKind::DeviceChanged
    )
}

struct Writer {
    consumer: Consumer<u8>,
    input_format: InputFormat,
    sample_rate: u32,
    take_format: TakeFormat,
    shared: Arc<Shared>,
    events: Sender<RecorderEvent>,
    device_name: String,
}

struct ActiveTake {
    file: TakeFile,
    path: PathBuf,
    limit_frames: Option<u64>,
    requested_at: Instant,
    first_sample_delay: Option<Duration>,
    frames_at_checkpoint: u64,
    dropped_at_start: u64,
    loudest: Level,
    peaks: PeakSummaryBuilder,
    last_audio: Instant,
}

impl Writer {
    fn run(mut self, commands: &Receiver<WriterCommand>) {
        let mut raw: Vec<u8> = Vec::with_capacity(self.consumer.buffer().capacity());
        let mut mono: Vec<f32> = Vec::with_capacity(self.sample_rate as usize * RING_SECONDS);
        let mut meter = LevelMeter::new(self.sample_rate);
        let mut take: Option<ActiveTake> = None;
        loop {
            match commands.recv_timeout(POLL) {
                Ok(WriterCommand::Start {
                    path,
                    limit_frames,
                    requested_at,
                }) => {
                    if let Some(running) = take.take() {
                        self.finish(running, TakeEnd::Stopped);
                    }
                    take = self.begin(path, limit_frames, requested_at);
                }
                Ok(WriterCommand::Stop) => {
                    self.drain(&mut raw, &mut mono, &mut meter, &mut take);
                    if let Some(running) = take.take() {
                        self.finish(running, TakeEnd::Stopped);
                    }
                }
                Ok(WriterCommand::StreamError(why)) => {
                    self.drain(&mut raw, &mut mono, &mut meter, &mut take);
                    match take.take() {
                        Some(running) => self.finish(running, TakeEnd::DeviceLost(why)),
                        None => self.report(RecorderEvent::StreamFailed(why)),
                    }
                }
                Ok(WriterCommand::Shutdown) | Err(RecvTimeoutError::Disconnected) => {
                    self.drain(&mut raw, &mut mono, &mut meter, &mut take);
                    if let Some(running) = take.take() {
                        self.finish(running, TakeEnd::Closed);
                    }
                    return;
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
            self.drain(&mut raw, &mut mono, &mut meter, &mut take);
            if let Some(running) = &take
                && running.last_audio.elapsed() > STALL_LIMIT
                && let Some(stalled) = take.take()
            {
                let why = format!("no audio arrived for {} seconds", STALL_LIMIT.as_secs());
                self.finish(stalled, TakeEnd::DeviceLost(why));
            }
        }
    }

    fn begin(
        &self,
        path: PathBuf,
        limit_frames: Option<u64>,
        requested_at: Instant,
    ) -> Option<ActiveTake> {
        match TakeFile::create(&path, self.take_format, self.sample_rate) {
            Ok(file) => Some(ActiveTake {
                file,
                path,
                limit_frames,
                requested_at,
                first_sample_delay: None,
                frames_at_checkpoint: 0,
                dropped_at_start: self.shared.frames_dropped.load(Ordering::Relaxed),
                loudest: Level::SILENT,
                peaks: PeakSummaryBuilder::new(self.sample_rate),
                last_audio: Instant::now(),
            }),
            Err(err) => {
                self.report(RecorderEvent::TakeFailed {
                    error: format!("cannot create {}: {err}", path.display()),
                    path,
                });
                None
            }
        }
    }

    /// Moves everything in the ring through the meter and into the take.
    fn drain(
        &mut self,
        raw: &mut Vec<u8>,
        mono: &mut Vec<f32>,
        meter: &mut LevelMeter,
        take: &mut Option<ActiveTake>,
    ) {
        let frame_bytes = self.input_format.frame_bytes();
        let available = self.consumer.slots() / frame_bytes * frame_bytes;
        if available == 0 {
            return;
        }
        raw.clear();
        if let Ok(chunk) = self.consumer.read_chunk(available) {
            let (first, second) = chunk.as_slices();
            raw.extend_from_slice(first);
            raw.extend_from_slice(second);
            chunk.commit_all();
        }
        mono.clear();
        self.input_format.decode_mono(raw, mono);

        let live = &self.shared.level;
        let mut loudest = take.as_ref().map(|t| t.loudest);
        meter.push(mono, |level| {
            live.store(level);
            if let Some(loudest) = &mut loudest {
                loudest.peak_dbfs = loudest.peak_dbfs.max(level.peak_dbfs);
                loudest.rms_dbfs = loudest.rms_dbfs.max(level.rms_dbfs);
            }
        });

        let Some(running) = take.as_mut() else {
            return;
        };
        if let Some(loudest) = loudest {
            running.loudest = loudest;
        }
        running.last_audio = Instant::now();
        let wanted = match running.limit_frames {
            Some(limit) => (limit.saturating_sub(running.file.frames()) as usize).min(mono.len()),
            None => mono.len(),
        };
        let samples = &mono[..wanted];
        if running.first_sample_delay.is_none() && !samples.is_empty() {
            let delay = running.requested_at.elapsed();
            running.first_sample_delay = Some(delay);
            self.report(RecorderEvent::TakeStarted {
                path: running.path.clone(),
                first_sample_delay: delay,
            });
        }
        running.peaks.push(samples);
        let mut outcome = running
            .file
            .write(samples)
            .err()
            .map(|err| TakeEnd::WriteFailed(err.to_string()));
        if outcome.is_none()
            && running.file.frames() - running.frames_at_checkpoint >= u64::from(self.sample_rate)
        {
            running.frames_at_checkpoint = running.file.frames();
            outcome = running
                .file
                .checkpoint()
                .err()
                .map(|err| TakeEnd::WriteFailed(err.to_string()));
        }
        if outcome.is_none()
            && running
                .limit_frames
                .is_some_and(|limit| running.file.frames() >= limit)
        {
            outcome = Some(TakeEnd::LimitReached);
        }
        if let Some(ended) = outcome
            && let Some(done) = take.take()
        {
            self.finish(done, ended);
        }
    }

    /// Tells the microphone's owner; one that has gone is logged, since
    /// the take itself is on disk either way.
    fn report(&self, event: RecorderEvent) {
        if let Err(mpsc::SendError(event)) = self.events.send(event) {
            log::info!("a recorder event nobody listens to any more: {event:?}");
        }
    }

    /// Completes the file (or salvages it after a write error) and reports.
    fn finish(&self, take: ActiveTake, ended: TakeEnd) {
        let mut frames = take.file.frames();
        let mut path = take.path;
        let result = match ended {
            TakeEnd::WriteFailed(_) => take.file.salvage(),
            _ => take.file.finish(),
        };
        let ended = match (result, ended) {
            (Ok(finished), ended) => {
                frames = finished.frames;
                path = finished.path;
                ended
            }
            (Err(err), TakeEnd::WriteFailed(first)) => TakeEnd::WriteFailed(format!(
                "{first}; then saving what was written failed: {err}"
            )),
            (Err(err), _) => TakeEnd::WriteFailed(err.to_string()),
        };
        let dropped = self.shared.frames_dropped.load(Ordering::Relaxed) - take.dropped_at_start;
        self.report(RecorderEvent::TakeFinished(TakeSummary {
            path,
            frames,
            sample_rate: self.sample_rate,
            format: self.take_format,
            ended,
            dropped_frames: dropped,
            first_sample_delay: take.first_sample_delay,
            loudest: take.loudest,
            device_name: self.device_name.clone(),
            peaks: take.peaks.finish(),
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts the allocations made on a thread while it is being watched, to
    /// prove the audio callback path makes none.
    mod allocation_counter {
        use std::alloc::{GlobalAlloc, Layout, System};
        use std::cell::Cell;

        thread_local! {
            static WATCHING: Cell<bool> = const { Cell::new(false) };
            static COUNT: Cell<usize> = const { Cell::new(0) };
        }

        struct Counting;

        #[allow(unsafe_code, reason = "a global allocator is unsafe by definition")]
        // SAFETY: every call is forwarded unchanged to the system allocator.
        unsafe impl GlobalAlloc for Counting {
            unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
                if WATCHING.with(Cell::get) {
                    COUNT.with(|c| c.set(c.get() + 1));
                }
                // SAFETY: forwarded with the caller's layout.
                unsafe { System.alloc(layout) }
            }

            unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
                // SAFETY: `ptr` came from `alloc` above with this layout.
                unsafe { System.dealloc(ptr, layout) }
            }
        }

        #[global_allocator]
        static ALLOCATOR: Counting = Counting;

        /// Allocations `f` makes on this thread.
        pub fn allocations_in(f: impl FnOnce()) -> usize {
            COUNT.with(|c| c.set(0));
            WATCHING.with(|w| w.set(true));
            f();
            WATCHING.with(|w| w.set(false));
            COUNT.with(Cell::get)
        }
    }

    #[test]
    fn the_callback_path_never_allocates() {
        let (mut producer, _consumer) = RingBuffer::<u8>::new(4096);
        let shared = Shared::default();
        let data = vec![7u8; 4 * 1024];
        // Control: the counter does see allocations.
        assert!(allocation_counter::allocations_in(|| drop(vec![1u8; 10])) > 0);
        let allocations = allocation_counter::allocations_in(|| {
            for _ in 0..3 {
                // Fills the ring, then overflows it: both paths are covered.
                push_input(&mut producer, &shared, 8, &data);
            }
        });
        assert_eq!(allocations, 0);
        assert!(shared.frames_dropped.load(Ordering::Relaxed) > 0);
    }

    #[test]
    fn the_callback_pushes_whole_frames_and_counts_overflow() {
        let (mut producer, mut consumer) = RingBuffer::<u8>::new(10);
        let shared = Shared::default();
        // 4-byte frames: 2 fit in 10 bytes, 1 of 3 is dropped.
        push_input(&mut producer, &shared, 4, &[1; 12]);
        assert_eq!(shared.frames_captured.load(Ordering::Relaxed), 3);
        assert_eq!(shared.frames_dropped.load(Ordering::Relaxed), 1);
        assert_eq!(consumer.slots(), 8);
        let chunk = consumer.read_chunk(8).unwrap();
        chunk.commit_all();
        push_input(&mut producer, &shared, 4, &[2; 8]);
        assert_eq!(shared.frames_captured.load(Ordering::Relaxed), 5);
        assert_eq!(shared.frames_dropped.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn a_silent_take_warns_and_names_the_microphone() {
        let summary = TakeSummary {
            path: PathBuf::from("t.wav"),
            frames: 48_000,
            sample_rate: 48_000,
            format: TakeFormat::S16,
            ended: TakeEnd::Stopped,
            dropped_frames: 0,
            first_sample_delay: None,
            loudest: Level {
                peak_dbfs: -48.0,
                rms_dbfs: -60.0,
            },
            device_name: "USB Mic".to_owned(),
            peaks: PeakSummary::default(),
        };
        assert_eq!(summary.duration(), Duration::from_secs(1));
        let warning = summary.silence_warning().unwrap();
        assert!(warning.contains("\"USB Mic\""), "{warning}");
        let loud = TakeSummary {
            loudest: Level {
                peak_dbfs: -6.0,
                rms_dbfs: -20.0,
            },
            ..summary
        };
        assert!(loud.silence_warning().is_none());
    }
}
