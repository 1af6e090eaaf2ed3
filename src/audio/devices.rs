//! Audio devices: a readable list (default first, ALSA's many aliases of
//! the same hardware hidden), finding the chosen microphone by its stable id
//! with a fallback to the default, and choosing the stream configuration.

use cpal::traits::{DeviceTrait, HostTrait};
use cpal::{BufferSize, SampleFormat, StreamConfig, SupportedBufferSize};

use super::AudioError;
use super::convert::InputFormat;

/// The rate used when the device offers it: every microphone and sound
/// server handles it natively.
pub const PREFERRED_RATE: u32 = 48_000;

/// Frames per callback asked for: about 21 ms at 48 kHz. Measured through
/// PulseAudio (cpal 0.18.2): audio then arrives every 21 ms for about 1 %
/// of a core; with the default size the server delivers 2-second blocks.
pub const BUFFER_FRAMES: u32 = 1024;

/// Keeps libasound from printing its own diagnostics on this thread's
/// stderr ("ALSA lib pcm.c:… Unknown PCM default"): Rehearse reports every
/// failure itself, in words that name the device.
pub fn quiet_alsa_messages() {
    #[cfg(target_os = "linux")]
    {
        use std::cell::RefCell;
        thread_local! {
            static CAPTURED: RefCell<Option<std::rc::Rc<RefCell<alsa::Output>>>> =
                const { RefCell::new(None) };
        }
        CAPTURED.with(|captured| {
            // A fresh handler also discards what the previous one captured.
            *captured.borrow_mut() = alsa::Output::local_error_handler().ok();
        });
    }
}

/// One device as listed to the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    /// Stable id to remember the device by (`host:device`).
    pub id: String,
    /// Readable name.
    pub name: String,
    /// Whether it is the system's default for its direction.
    pub is_default: bool,
    /// Input capabilities, if it records.
    pub input: Option<Capabilities>,
    /// Output capabilities, if it plays.
    pub output: Option<Capabilities>,
}

/// What a device supports in one direction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// Common sample rates within its supported ranges.
    pub sample_rates: Vec<u32>,
    /// Sample formats, e.g. `i16`, `f32`.
    pub sample_formats: Vec<String>,
    /// Channel counts.
    pub channels: Vec<u16>,
    /// Why the device could not say what it supports just now (busy, in
    /// use by another program): it is still listed, with this.
    pub problem: Option<String>,
}

/// What a device that can record or play in a direction supports, or why
/// it cannot say now; `None` when it cannot work in that direction at all.
fn capabilities_or_problem<R, E>(
    supports: bool,
    ranges: impl FnOnce() -> Result<R, E>,
) -> Option<Capabilities>
where
    R: Iterator<Item = cpal::SupportedStreamConfigRange>,
    E: std::fmt::Display,
{
    if !supports {
        return None;
    }
    Some(match ranges() {
        Ok(ranges) => capabilities(ranges),
        Err(err) => Capabilities {
            problem: Some(err.to_string()),
            ..Capabilities::default()
        },
    })
}

const COMMON_RATES: [u32; 8] = [8000, 16_000, 22_050, 32_000, 44_100, 48_000, 88_200, 96_000];

/// ALSA lists every plugin and alias of each card; these are the entries a
/// person would choose. Everything else is shown with `devices --all`.
fn is_useful_alsa_device(pcm: &str) -> bool {
    matches!(pcm, "default" | "pulse" | "pipewire") || pcm.starts_with("sysdefault:")
}

/// Whether a device id is worth listing without `--all`: not one of ALSA's
/// aliases, and not a sound server's "monitor" of an output (it records
/// what is played, not a microphone).
fn is_listed_by_default(id: &str) -> bool {
    match id.split_once(':') {
        Some(("alsa", pcm)) => is_useful_alsa_device(pcm),
        Some(("pulseaudio", name)) => !name.ends_with(".monitor"),
        _ => true,
    }
}

fn capabilities(ranges: impl Iterator<Item = cpal::SupportedStreamConfigRange>) -> Capabilities {
    let mut caps = Capabilities::default();
    for range in ranges {
        for rate in COMMON_RATES {
            if (range.min_sample_rate()..=range.max_sample_rate()).contains(&rate)
                && !caps.sample_rates.contains(&rate)
            {
                caps.sample_rates.push(rate);
            }
        }
        let format = range.sample_format().to_string();
        if !caps.sample_formats.contains(&format) {
            caps.sample_formats.push(format);
        }
        if !caps.channels.contains(&range.channels()) {
            caps.channels.push(range.channels());
        }
    }
    caps.sample_rates.sort_unstable();
    caps.channels.sort_unstable();
    caps
}

/// The devices of the default host. Without `all`, ALSA's duplicate aliases
/// are left out and devices with the same name are listed once. Defaults come
/// first. No devices at all is an empty list, not an error.
pub fn list_devices(all: bool) -> Result<Vec<DeviceInfo>, AudioError> {
    quiet_alsa_messages();
    let host = cpal::default_host();
    let default_input = host.default_input_device().and_then(|d| d.id().ok());
    let default_output = host.default_output_device().and_then(|d| d.id().ok());
    let devices = host
        .devices()
        .map_err(|err| AudioError::Host(err.to_string()))?;
    let mut listed: Vec<DeviceInfo> = Vec::new();
    for device in devices {
        let Ok(id) = device.id() else { continue };
        let id_text = id.to_string();
        let is_default =
            Some(&id) == default_input.as_ref() || Some(&id) == default_output.as_ref();
        if !all && !is_default && !is_listed_by_default(&id_text) {
            continue;
        }
        let name = device
            .description()
            .map(|d| d.name().to_owned())
            .unwrap_or_else(|_| id_text.clone());
        let is_default =
            Some(&id) == default_input.as_ref() || Some(&id) == default_output.as_ref();
        if !all && !is_default && listed.iter().any(|d| d.name == name) {
            continue;
        }
        // A busy device cannot list its configurations; it stays listed
        // with the reason, instead of vanishing as if it had no input.
        let input =
            capabilities_or_problem(device.supports_input(), || device.supported_input_configs());
        let output = capabilities_or_problem(device.supports_output(), || {
            device.supported_output_configs()
        });
        listed.push(DeviceInfo {
            id: id_text,
            name,
            is_default,
            input,
            output,
        });
    }
    listed.sort_by_key(|d| !d.is_default);
    Ok(listed)
}

/// A microphone found for recording.
pub struct FoundInput {
    /// The device.
    pub device: cpal::Device,
    /// Its id, to remember it by.
    pub id: String,
    /// Its readable name.
    pub name: String,
    /// Set when the chosen device was not available and the default is used
    /// instead; says which device is missing.
    pub fallback_warning: Option<String>,
}

impl std::fmt::Debug for FoundInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FoundInput")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("fallback_warning", &self.fallback_warning)
            .finish_non_exhaustive()
    }
}

/// The microphone with id `chosen`, or the default one; when `chosen` is
/// gone the default is used and the warning names the missing device.
pub fn find_input(chosen: Option<&str>) -> Result<FoundInput, AudioError> {
    quiet_alsa_messages();
    let host = cpal::default_host();
    let mut fallback_warning = None;
    if let Some(wanted) = chosen {
        let found = wanted
            .parse::<cpal::DeviceId>()
            .ok()
            .and_then(|id| host.device_by_id(&id))
            .filter(DeviceTrait::supports_input);
        match found {
            Some(device) => return Ok(describe(device, None)),
            None => {
                fallback_warning = Some(format!(
                    "the microphone \"{wanted}\" is not available (unplugged, or not a device id); using the default microphone instead"
                ));
            }
        }
    }
    let device = host
        .default_input_device()
        .ok_or(AudioError::NoMicrophone)?;
    Ok(describe(device, fallback_warning))
}

fn describe(device: cpal::Device, fallback_warning: Option<String>) -> FoundInput {
    let id = device
        .id()
        .map(|id| id.to_string())
        .unwrap_or_else(|_| "unknown".to_owned());
    let name = device
        .description()
        .map(|d| d.name().to_owned())
        .unwrap_or_else(|_| id.clone());
    FoundInput {
        device,
        id,
        name,
        fallback_warning,
    }
}

/// The stream settings chosen for a microphone.
#[derive(Clone, Copy, Debug)]
pub struct InputSettings {
    /// What cpal is asked for.
    pub config: StreamConfig,
    /// The format of the samples it delivers.
    pub sample_format: SampleFormat,
    /// Its decoder.
    pub input_format: InputFormat,
}

/// Chooses the stream configuration: the requested rate, else 48 kHz when
/// offered, else the device's default rate; the device's preferred sample
/// format, in mono when the device (or sound server) offers to mix down
/// itself, else its preferred channel count; a small fixed buffer.
pub fn choose_input_settings(
    device: &cpal::Device,
    requested_rate: Option<u32>,
) -> Result<InputSettings, AudioError> {
    let open_error = |err: cpal::Error| AudioError::from_cpal(device, &err);
    let default = device.default_input_config().map_err(open_error)?;
    let ranges: Vec<_> = device
        .supported_input_configs()
        .map_err(open_error)?
        .filter(|range| InputFormat::new(range.sample_format(), range.channels()).is_some())
        .collect();
    let offers = |rate: u32| {
        ranges
            .iter()
            .any(|r| (r.min_sample_rate()..=r.max_sample_rate()).contains(&rate))
    };
    let rate = match requested_rate {
        // Only the rates `devices` lists: a sound server may claim a range
        // from 1 Hz, and PulseAudio dies when asked for such a stream.
        Some(rate) if COMMON_RATES.contains(&rate) && offers(rate) => rate,
        Some(rate) => {
            let offered: Vec<String> = COMMON_RATES
                .iter()
                .filter(|&&r| offers(r))
                .map(u32::to_string)
                .collect();
            return Err(AudioError::UnsupportedRate {
                rate,
                device: device_name(device),
                offered: if offered.is_empty() {
                    "none of the usual rates".to_owned()
                } else {
                    format!("{} Hz", offered.join(", "))
                },
            });
        }
        None if offers(PREFERRED_RATE) => PREFERRED_RATE,
        None => default.sample_rate(),
    };
    let in_range = |r: &&cpal::SupportedStreamConfigRange| {
        (r.min_sample_rate()..=r.max_sample_rate()).contains(&rate)
    };
    let with_default_format = |channels: u16| {
        ranges
            .iter()
            .filter(in_range)
            .find(move |r| r.sample_format() == default.sample_format() && r.channels() == channels)
    };
    // Takes are mono: a server that mixes down sends half the data (or
    // less) through the socket, the ring and the decoder.
    let range = with_default_format(1)
        .or_else(|| with_default_format(default.channels()))
        .or_else(|| {
            ranges
                .iter()
                .filter(in_range)
                .find(|r| r.sample_format() == default.sample_format())
        })
        .or_else(|| ranges.iter().find(in_range));
    let (sample_format, channels, buffer) = match range {
        Some(range) => (
            range.sample_format(),
            range.channels(),
            *range.buffer_size(),
        ),
        None => (
            default.sample_format(),
            default.channels(),
            *default.buffer_size(),
        ),
    };
    let input_format =
        InputFormat::new(sample_format, channels).ok_or_else(|| AudioError::UnsupportedFormat {
            format: sample_format.to_string(),
            device: device_name(device),
        })?;
    let buffer_size = match buffer {
        SupportedBufferSize::Range { min, max } => BufferSize::Fixed(BUFFER_FRAMES.clamp(min, max)),
        SupportedBufferSize::Unknown => BufferSize::Fixed(BUFFER_FRAMES),
    };
    Ok(InputSettings {
        config: StreamConfig {
            channels,
            sample_rate: rate,
            buffer_size,
        },
        sample_format,
        input_format,
    })
}

/// A device's readable name, or its id.
pub fn device_name(device: &cpal::Device) -> String {
    device
        .description()
        .map(|d| d.name().to_owned())
        .or_else(|_| device.id().map(|id| id.to_string()))
        .unwrap_or_else(|_| "unknown device".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_device_keeps_its_place_with_the_reason() {
        let busy = capabilities_or_problem(true, || {
            Err::<std::iter::Empty<cpal::SupportedStreamConfigRange>, _>("Device or resource busy")
        });
        let busy = busy.expect("a busy microphone is still a microphone");
        assert_eq!(busy.problem.as_deref(), Some("Device or resource busy"));
        let none = capabilities_or_problem(false, || {
            Ok::<_, String>(std::iter::empty::<cpal::SupportedStreamConfigRange>())
        });
        assert_eq!(none, None);
    }

    #[test]
    fn only_the_useful_alsa_entries_are_listed() {
        for useful in ["default", "pulse", "pipewire", "sysdefault:CARD=PCH"] {
            assert!(is_useful_alsa_device(useful), "{useful}");
        }
        for noise in [
            "hw:CARD=PCH,DEV=0",
            "plughw:CARD=PCH,DEV=0",
            "dmix:CARD=PCH,DEV=0",
            "dsnoop:CARD=PCH,DEV=0",
            "front:CARD=PCH,DEV=0",
            "surround51:CARD=PCH,DEV=0",
            "null",
            "samplerate",
            "speexrate",
            "upmix",
            "vdownmix",
        ] {
            assert!(!is_useful_alsa_device(noise), "{noise}");
        }
        assert!(is_listed_by_default("pulseaudio:alsa_input.usb-mic"));
        assert!(!is_listed_by_default("pulseaudio:alsa_output.pci.monitor"));
        assert!(!is_listed_by_default("alsa:dmix"));
        assert!(is_listed_by_default("coreaudio:BuiltInMicrophone"));
    }
}
