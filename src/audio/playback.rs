//! Playback of a take through the default output, with play, pause and a
//! seek that stays inside the take.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rodio::{Decoder, MixerDeviceSink, Player};

use super::AudioError;

/// A take loaded for playback.
pub struct Playback {
    player: Player,
    duration: Duration,
    /// Keeps the output open; `None` for a player pulled by a test.
    _sink: Option<MixerDeviceSink>,
}

impl std::fmt::Debug for Playback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Playback")
            .field("duration", &self.duration)
            .finish_non_exhaustive()
    }
}

impl Playback {
    /// Loads `path` on the default output, paused at the start.
    pub fn open(path: &Path) -> Result<Self, AudioError> {
        super::devices::quiet_alsa_messages();
        let mut sink =
            rodio::DeviceSinkBuilder::open_default_sink().map_err(|err| AudioError::Playback {
                path: path.to_path_buf(),
                message: format!("no audio output: {err}"),
            })?;
        sink.log_on_drop(false);
        let player = Player::connect_new(sink.mixer());
        Self::load(path, player, Some(sink))
    }

    /// Loads `path` into a player with no device, and returns the source
    /// the audio can be pulled from: playback without a sound card.
    pub fn detached(path: &Path) -> Result<(Self, rodio::queue::SourcesQueueOutput), AudioError> {
        let (player, output) = Player::new();
        Ok((Self::load(path, player, None)?, output))
    }

    fn load(
        path: &Path,
        player: Player,
        sink: Option<MixerDeviceSink>,
    ) -> Result<Self, AudioError> {
        let failed = |message: String| AudioError::Playback {
            path: path.to_path_buf(),
            message,
        };
        let duration = wav_duration(path).map_err(|err| failed(err.to_string()))?;
        let file = File::open(path).map_err(|err| failed(err.to_string()))?;
        let decoder = Decoder::try_from(file).map_err(|err| failed(err.to_string()))?;
        player.pause();
        player.append(decoder);
        Ok(Self {
            player,
            duration,
            _sink: sink,
        })
    }

    /// Starts or resumes.
    pub fn play(&self) {
        self.player.play();
    }

    /// Pauses.
    pub fn pause(&self) {
        self.player.pause();
    }

    /// Whether paused.
    pub fn is_paused(&self) -> bool {
        self.player.is_paused()
    }

    /// Whether the take has played to its end.
    pub fn is_finished(&self) -> bool {
        self.player.empty()
    }

    /// Length of the take.
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// The play position, never past the end.
    pub fn position(&self) -> Duration {
        self.player.get_pos().min(self.duration)
    }

    /// Moves the play position, clamped to the take (a seek past the end
    /// would otherwise succeed and leave the position beyond it).
    pub fn seek(&self, to: Duration) -> Result<(), AudioError> {
        let to = to.min(self.duration);
        self.player
            .try_seek(to)
            .map_err(|err| AudioError::Playback {
                path: PathBuf::new(),
                message: format!("seek failed: {err}"),
            })
    }
}

/// The length of a WAV file from its header ([`super::mono_wav::open_wav`]).
pub fn wav_duration(path: &Path) -> Result<Duration, hound::Error> {
    let reader = super::mono_wav::open_wav(path)?;
    let seconds = f64::from(reader.duration()) / f64::from(reader.spec().sample_rate);
    Ok(Duration::try_from_secs_f64(seconds).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::convert::TakeFormat;
    use crate::audio::take_file::TakeFile;

    fn one_second_take(dir: &Path) -> PathBuf {
        let path = dir.join("take.wav");
        let mut take = TakeFile::create(&path, TakeFormat::S16, 8000).unwrap();
        let samples: Vec<f32> = (0..8000)
            .map(|i| if i % 16 < 8 { 0.5 } else { -0.5 })
            .collect();
        take.write(&samples).unwrap();
        take.finish().unwrap();
        path
    }

    #[test]
    fn a_detached_player_plays_the_take_and_clamps_seeks() {
        let dir = tempfile::tempdir().unwrap();
        let path = one_second_take(dir.path());
        let (playback, mut output) = Playback::detached(&path).unwrap();
        assert_eq!(playback.duration(), Duration::from_secs(1));
        assert!(playback.is_paused());
        playback.play();
        let pulled: Vec<f32> = output.by_ref().take(4000).collect();
        assert!(
            pulled.iter().any(|&s| s > 0.4),
            "the take's audio comes out"
        );
        // A seek is carried out by whoever pulls the audio, as the output
        // device would.
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop_puller = std::sync::Arc::clone(&stop);
        let puller = std::thread::spawn(move || {
            while !stop_puller.load(std::sync::atomic::Ordering::Relaxed) {
                output.next();
            }
        });
        playback.seek(Duration::from_millis(500)).unwrap();
        let position = playback.position();
        assert!(position >= Duration::from_millis(500), "{position:?}");
        playback.seek(Duration::from_secs(30)).unwrap();
        assert!(playback.position() <= Duration::from_secs(1));
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        puller.join().unwrap();
    }

    #[test]
    fn a_missing_file_is_a_clear_error() {
        let Err(err) = Playback::detached(Path::new("/nonexistent/take.wav")) else {
            panic!("a missing file must not load");
        };
        assert!(
            err.to_string()
                .starts_with("cannot play /nonexistent/take.wav"),
            "{err}"
        );
    }
}
