//! The playback service of the window: one thread owns the audio output and
//! the [`Playback`] of the take being heard. Callers send commands that never
//! wait (a rodio seek waits for the audio thread, and opening the output can
//! take a moment) and read the play position from atomics, so a window that
//! draws a play head every frame never blocks on audio.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use super::{AudioError, Playback};

/// How often the position is published while playing.
const POSITION_INTERVAL: Duration = Duration::from_millis(25);

/// Opens a file for playback: the default output in the app, a device-less
/// player in tests.
pub type Opener = Box<dyn Fn(&Path) -> Result<Playback, AudioError> + Send>;

enum Request {
    Load {
        path: PathBuf,
        generation: u64,
        from: Duration,
        play: bool,
    },
    Play,
    Pause,
    Seek(Duration),
    Unload,
}

/// What the player reports besides its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlayerEvent {
    /// A take could not be played; the text names the file.
    Failed(String),
}

/// State shared with the player thread: written there (one writer), read
/// anywhere, always as a whole: a sequence number, odd while a write is
/// under way, lets a reader see the four figures of one publication only
/// (a seqlock: no lock, and a reader never waits for the player).
#[derive(Debug, Default)]
struct Shared {
    sequence: AtomicU64,
    /// Generation of the take the figures below belong to.
    generation: AtomicU64,
    position_ms: AtomicU64,
    duration_ms: AtomicU64,
    playing: AtomicBool,
}

impl Shared {
    /// Publishes `status` (the player thread only).
    fn write(&self, status: PlayerStatus) {
        let sequence = self.sequence.load(Ordering::Relaxed);
        self.sequence
            .store(sequence.wrapping_add(1), Ordering::Relaxed);
        std::sync::atomic::fence(Ordering::Release);
        self.generation.store(status.generation, Ordering::Relaxed);
        self.position_ms
            .store(status.position.as_millis() as u64, Ordering::Relaxed);
        self.duration_ms
            .store(status.duration.as_millis() as u64, Ordering::Relaxed);
        self.playing.store(status.playing, Ordering::Relaxed);
        self.sequence
            .store(sequence.wrapping_add(2), Ordering::Release);
    }

    /// The last whole publication.
    fn read(&self) -> PlayerStatus {
        loop {
            let before = self.sequence.load(Ordering::Acquire);
            if before % 2 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let status = PlayerStatus {
                generation: self.generation.load(Ordering::Relaxed),
                position: Duration::from_millis(self.position_ms.load(Ordering::Relaxed)),
                duration: Duration::from_millis(self.duration_ms.load(Ordering::Relaxed)),
                playing: self.playing.load(Ordering::Relaxed),
            };
            std::sync::atomic::fence(Ordering::Acquire);
            if self.sequence.load(Ordering::Relaxed) == before {
                return status;
            }
        }
    }
}

/// What is playing, as last published by the player thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlayerStatus {
    /// The load this status belongs to (see [`Player::load`]).
    pub generation: u64,
    /// Play position.
    pub position: Duration,
    /// Length of the take.
    pub duration: Duration,
    /// Whether it is playing (not paused, not at the end), or opening to
    /// play.
    pub playing: bool,
}

/// Handle to the playback thread; dropping it stops playback.
pub struct Player {
    requests: Sender<Request>,
    events: Receiver<PlayerEvent>,
    shared: Arc<Shared>,
    next_generation: u64,
}

impl std::fmt::Debug for Player {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Player")
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

impl Player {
    /// A player on the default output; `wake` is called whenever the status
    /// changes (the window repaints then).
    pub fn start(wake: impl Fn() + Send + 'static) -> Self {
        Self::with_opener(Box::new(Playback::open), wake)
    }

    /// A player whose takes are opened by `open`.
    pub fn with_opener(open: Opener, wake: impl Fn() + Send + 'static) -> Self {
        let (requests, request_rx) = mpsc::channel();
        let (event_tx, events) = mpsc::channel();
        let shared = Arc::new(Shared::default());
        let thread_shared = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name("rehearse-player".to_owned())
            .spawn(move || run(&open, &request_rx, &event_tx, &thread_shared, &wake));
        if let Err(err) = spawned {
            let (tx, rx) = mpsc::channel();
            // `rx` is alive: this cannot fail.
            tx.send(PlayerEvent::Failed(format!(
                "cannot start the playback thread: {err}"
            )))
            .ok();
            return Self {
                requests: mpsc::channel().0,
                events: rx,
                shared,
                next_generation: 1,
            };
        }
        Self {
            requests,
            events,
            shared,
            next_generation: 1,
        }
    }

    /// Loads `path` at `from`, playing at once if `play`; returns the
    /// generation that [`PlayerStatus::generation`] will show for it.
    pub fn load(&mut self, path: &Path, from: Duration, play: bool) -> u64 {
        let generation = self.next_generation;
        self.next_generation += 1;
        self.request(Request::Load {
            path: path.to_path_buf(),
            generation,
            from,
            play,
        });
        generation
    }

    /// Plays (from the start again when the take had ended).
    pub fn play(&self) {
        self.request(Request::Play);
    }

    /// Pauses.
    pub fn pause(&self) {
        self.request(Request::Pause);
    }

    /// Moves the play position (clamped to the take).
    pub fn seek(&self, to: Duration) {
        self.request(Request::Seek(to));
    }

    /// Stops and forgets the take (before it is deleted, say).
    pub fn unload(&self) {
        self.request(Request::Unload);
    }

    /// Sends a request to the playback thread; one that has ended was
    /// already reported (its start failed), so this only logs.
    fn request(&self, request: Request) {
        if self.requests.send(request).is_err() {
            log::warn!("playback is not available: its thread is not running");
        }
    }

    /// The latest published status.
    pub fn status(&self) -> PlayerStatus {
        self.shared.read()
    }

    /// The next event, if any.
    pub fn try_event(&self) -> Option<PlayerEvent> {
        self.events.try_recv().ok()
    }
}

/// The take being heard on the player thread.
struct Loaded {
    path: PathBuf,
    playback: Playback,
}

fn run(
    open: &Opener,
    requests: &Receiver<Request>,
    events: &Sender<PlayerEvent>,
    shared: &Shared,
    wake: &dyn Fn(),
) {
    let mut loaded: Option<Loaded> = None;
    loop {
        let playing = loaded
            .as_ref()
            .is_some_and(|l| !l.playback.is_paused() && !l.playback.is_finished());
        let first = if playing {
            match requests.recv_timeout(POSITION_INTERVAL) {
                Ok(request) => Some(request),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        } else {
            match requests.recv() {
                Ok(request) => Some(request),
                Err(_) => return,
            }
        };
        // Coalesce what queued up meanwhile: while a play head is dragged
        // only the last seek matters.
        let mut pending: Vec<Request> = first.into_iter().collect();
        pending.extend(requests.try_iter());
        let last_seek = pending
            .iter()
            .rposition(|r| matches!(r, Request::Seek(_) | Request::Load { .. }));
        let mut failures = Vec::new();
        for (index, request) in pending.into_iter().enumerate() {
            if matches!(request, Request::Seek(_)) && Some(index) != last_seek {
                continue;
            }
            if let Err(message) = apply(request, &mut loaded, open, shared) {
                failures.push(message);
            }
        }
        // The status first: whoever hears of a failure reads a status that
        // already shows it (a take that failed to open is not playing).
        publish(loaded.as_ref(), shared);
        for message in failures {
            if let Err(mpsc::SendError(PlayerEvent::Failed(message))) =
                events.send(PlayerEvent::Failed(message))
            {
                log::warn!("{message}");
            }
        }
        wake();
    }
}

fn apply(
    request: Request,
    loaded: &mut Option<Loaded>,
    open: &Opener,
    shared: &Shared,
) -> Result<(), String> {
    match request {
        Request::Load {
            path,
            generation,
            from,
            play,
        } => {
            *loaded = None;
            // The new take's generation, with nothing loaded yet: never
            // the old take's figures under the new generation. Playing if
            // asked to: a take still opening has not played to its end
            // (stopped at a position equal to its length), which is how a
            // reader would take a stopped status with both at zero.
            shared.write(PlayerStatus {
                generation,
                position: Duration::ZERO,
                duration: Duration::ZERO,
                playing: play,
            });
            let playback = open(&path).map_err(|err| err.to_string())?;
            if !from.is_zero() {
                playback.seek(from).map_err(|err| err.to_string())?;
            }
            if play {
                playback.play();
            }
            *loaded = Some(Loaded { path, playback });
        }
        Request::Play => {
            if let Some(current) = loaded.as_mut() {
                if current.playback.is_finished() {
                    current.playback = open(&current.path).map_err(|err| err.to_string())?;
                }
                current.playback.play();
            }
        }
        Request::Pause => {
            if let Some(current) = loaded.as_ref() {
                current.playback.pause();
            }
        }
        Request::Seek(to) => {
            if let Some(current) = loaded.as_mut() {
                if current.playback.is_finished() {
                    current.playback = open(&current.path).map_err(|err| err.to_string())?;
                }
                current.playback.seek(to).map_err(|err| err.to_string())?;
            }
        }
        Request::Unload => *loaded = None,
    }
    Ok(())
}

fn publish(loaded: Option<&Loaded>, shared: &Shared) {
    let (position, duration, playing) = match loaded {
        Some(current) => {
            let duration = current.playback.duration();
            let finished = current.playback.is_finished();
            let position = if finished {
                duration
            } else {
                current.playback.position()
            };
            (
                position,
                duration,
                !finished && !current.playback.is_paused(),
            )
        }
        None => (Duration::ZERO, Duration::ZERO, false),
    };
    // One writer: the generation read back is the one last written.
    let generation = shared.generation.load(Ordering::Relaxed);
    shared.write(PlayerStatus {
        generation,
        position,
        duration,
        playing,
    });
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::audio::convert::TakeFormat;
    use crate::audio::take_file::TakeFile;

    fn take(dir: &Path, seconds: u32) -> PathBuf {
        let path = dir.join(format!("take-{seconds}.wav"));
        let mut file = TakeFile::create(&path, TakeFormat::S16, 8000).unwrap();
        file.write(&vec![0.25; 8000 * seconds as usize]).unwrap();
        file.finish().unwrap();
        path
    }

    /// Plays into no device: a thread pulls the audio at about real time,
    /// as an output would.
    fn detached_opener() -> Opener {
        Box::new(|path| {
            let (playback, mut output) = Playback::detached(path)?;
            std::thread::spawn(move || {
                loop {
                    for _ in 0..80 {
                        if output.next().is_none() {
                            return;
                        }
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
            });
            Ok(playback)
        })
    }

    fn wait_for(player: &Player, what: impl Fn(PlayerStatus) -> bool) -> PlayerStatus {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let status = player.status();
            if what(status) {
                return status;
            }
            assert!(Instant::now() < deadline, "gave up waiting: {status:?}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn loads_plays_seeks_and_pauses_without_blocking_the_caller() {
        let dir = tempfile::tempdir().unwrap();
        let path = take(dir.path(), 3);
        let mut player = Player::with_opener(detached_opener(), || {});
        let generation = player.load(&path, Duration::ZERO, true);
        let status = wait_for(&player, |s| s.generation == generation && s.playing);
        assert_eq!(status.duration, Duration::from_secs(3));
        wait_for(&player, |s| s.position >= Duration::from_millis(100));

        // Many seeks queue up while a play head is dragged; the last wins.
        for ms in (0..2000).step_by(100) {
            player.seek(Duration::from_millis(ms));
        }
        player.seek(Duration::from_millis(2500));
        wait_for(&player, |s| s.position >= Duration::from_millis(2500));

        player.pause();
        let paused = wait_for(&player, |s| !s.playing);
        std::thread::sleep(Duration::from_millis(150));
        assert_eq!(player.status().position, paused.position, "paused stays");

        // Play to the end, then play again from the start.
        player.play();
        wait_for(&player, |s| !s.playing && s.position == s.duration);
        player.play();
        wait_for(&player, |s| {
            s.playing && s.position < Duration::from_secs(1)
        });
        assert!(player.try_event().is_none());
    }

    /// Loading take after take while the status is read: a generation is
    /// only ever shown with its own take's figures (or none yet).
    #[test]
    fn a_status_never_mixes_two_takes() {
        let dir = tempfile::tempdir().unwrap();
        let paths = [take(dir.path(), 1), take(dir.path(), 3)];
        let mut player = Player::with_opener(detached_opener(), || {});
        let mut lengths = std::collections::HashMap::new();
        let mut mixed = Vec::new();
        for round in 0..200 {
            let seconds = [1, 3][round % 2];
            let generation = player.load(&paths[round % 2], Duration::ZERO, true);
            lengths.insert(generation, Duration::from_secs(seconds));
            for _ in 0..50 {
                let status = player.status();
                let own = lengths.get(&status.generation).copied();
                let fits = status.generation == 0
                    || status.duration.is_zero()
                    || Some(status.duration) == own;
                if !fits || status.position > status.duration {
                    mixed.push(status);
                }
            }
        }
        assert!(
            mixed.is_empty(),
            "{} mixed, e.g. {:?}",
            mixed.len(),
            mixed[0]
        );
    }

    /// A take asked to play reads as playing while it opens, never as
    /// stopped at its end (what a reader waiting for the end looks for).
    #[test]
    fn a_take_opening_to_play_is_not_at_its_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = take(dir.path(), 1);
        let (open_now, gate) = mpsc::channel::<()>();
        let opener = detached_opener();
        let slow_opener: Opener = Box::new(move |path| {
            gate.recv().unwrap();
            opener(path)
        });
        let mut player = Player::with_opener(slow_opener, || {});
        let generation = player.load(&path, Duration::ZERO, true);
        let opening = wait_for(&player, |s| s.generation == generation);
        assert!(opening.playing, "{opening:?}");
        open_now.send(()).unwrap();
        wait_for(&player, |s| s.playing && !s.duration.is_zero());
        let ended = wait_for(&player, |s| !s.playing);
        assert_eq!(ended.position, ended.duration);
    }

    #[test]
    fn a_missing_file_is_reported_with_its_name() {
        let mut player = Player::with_opener(detached_opener(), || {});
        player.load(Path::new("/nonexistent/take.wav"), Duration::ZERO, true);
        let deadline = Instant::now() + Duration::from_secs(10);
        let event = loop {
            if let Some(event) = player.try_event() {
                break event;
            }
            assert!(Instant::now() < deadline);
            std::thread::sleep(Duration::from_millis(5));
        };
        let PlayerEvent::Failed(message) = event;
        assert!(message.contains("/nonexistent/take.wav"), "{message}");
        assert!(!player.status().playing);
    }
}
