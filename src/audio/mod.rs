//! The audio engine: devices, crash-safe recording from a microphone,
//! recovery of interrupted takes, and playback. A service with no UI types:
//! the command line and the window both drive it.
//!
//! The path of one take: cpal input callback → wait-free ring (rtrb) →
//! writer thread (conversion, mono downmix, meter, peak summary, WAV via
//! hound, header synced every second) → `NAME.wav.part` → `NAME.wav`.

pub mod convert;
pub mod devices;
pub mod level;
pub mod mono_wav;
pub mod peaks_file;
pub mod playback;
pub mod player;
pub mod recorder;
pub mod recover;
pub mod take_file;
pub mod wav_header;
pub mod waveform;

pub use convert::TakeFormat;
pub use devices::{DeviceInfo, FoundInput, find_input, list_devices};
pub use level::{Level, PeakSummary};
pub use playback::Playback;
pub use recorder::{Microphone, MicrophoneInfo, RecorderEvent, TakeEnd, TakeStopper, TakeSummary};
pub use recover::{Recovery, recover_dir};

/// What can go wrong with audio devices.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// There is no input device at all.
    #[error(
        "no microphone found: connect one, and check that the sound server (PulseAudio or PipeWire) is running; `rehearse devices` lists what is available"
    )]
    NoMicrophone,
    /// There is no output device at all.
    #[error(
        "no audio output found: check that the sound server (PulseAudio or PipeWire) is running"
    )]
    NoOutput,
    /// The audio system itself failed.
    #[error("the audio system failed: {0}")]
    Host(String),
    /// A device could not be opened or used.
    #[error("cannot use \"{device}\": {message}")]
    Device {
        /// The device's name.
        device: String,
        /// What failed.
        message: String,
    },
    /// The device does not record at the requested rate.
    #[error("\"{device}\" cannot record at {rate} Hz; it offers {offered}")]
    UnsupportedRate {
        /// The requested rate.
        rate: u32,
        /// The device's name.
        device: String,
        /// The rates it offers, in words.
        offered: String,
    },
    /// The device only offers a sample format Rehearse cannot read.
    #[error("\"{device}\" delivers {format} samples, which Rehearse cannot record")]
    UnsupportedFormat {
        /// The format.
        format: String,
        /// The device's name.
        device: String,
    },
    /// A file could not be played.
    #[error("cannot play {path}: {message}")]
    Playback {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        message: String,
    },
}

impl AudioError {
    /// A cpal error about `device`, naming it.
    pub fn from_cpal(device: &cpal::Device, err: &cpal::Error) -> Self {
        let hint = match err.kind() {
            cpal::ErrorKind::DeviceNotAvailable | cpal::ErrorKind::HostUnavailable => {
                " Is the sound server (PulseAudio or PipeWire) running? `rehearse devices` lists what is available."
            }
            _ => "",
        };
        Self::Device {
            device: devices::device_name(device),
            message: format!("{err}{hint}"),
        }
    }
}
