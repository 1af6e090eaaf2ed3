//! A take as the recogniser wants it: mono, 16 kHz, f32 in [-1, 1].
//! Takes are recorded at the device's rate (usually 48 kHz); they are
//! resampled with rubato's FFT resampler, which filters out what 16 kHz
//! cannot hold instead of folding it back as noise.

use std::path::Path;

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler};

use crate::audio::mono_wav::MonoWav;

/// The rate Whisper models listen at.
pub const WHISPER_RATE: u32 = 16_000;

/// Why a take cannot be turned into samples for the recogniser.
#[derive(Debug, thiserror::Error)]
pub enum PcmError {
    /// The WAV file cannot be read.
    #[error("{}: {source}", path.display())]
    Wav {
        /// The file.
        path: std::path::PathBuf,
        /// What failed.
        source: hound::Error,
    },
    /// The resampler refused the rates.
    #[error("cannot resample from {rate} Hz: {message}")]
    Resample {
        /// The file's rate.
        rate: u32,
        /// The resampler's message.
        message: String,
    },
}

/// Reads the WAV at `path` as mono 16 kHz samples.
pub fn read_for_recognition(path: &Path) -> Result<Vec<f32>, PcmError> {
    let wav_error = |source| PcmError::Wav {
        path: path.to_path_buf(),
        source,
    };
    let wav = MonoWav::open(path).map_err(wav_error)?;
    let rate = wav.sample_rate();
    let mut mono = Vec::new();
    wav.for_each_block(|block| mono.extend_from_slice(block))
        .map_err(wav_error)?;
    resample(&mono, rate)
}

/// Resamples mono samples at `rate` to [`WHISPER_RATE`].
pub fn resample(mono: &[f32], rate: u32) -> Result<Vec<f32>, PcmError> {
    if rate == WHISPER_RATE || mono.is_empty() {
        return Ok(mono.to_vec());
    }
    let failed = |message: String| PcmError::Resample { rate, message };
    let mut resampler = Fft::<f32>::new(
        rate as usize,
        WHISPER_RATE as usize,
        1024,
        1,
        FixedSync::Input,
    )
    .map_err(|err| failed(err.to_string()))?;
    let input =
        InterleavedSlice::new(mono, 1, mono.len()).map_err(|err| failed(err.to_string()))?;
    let output = resampler
        .process_all(&input, mono.len(), None)
        .map_err(|err| failed(err.to_string()))?;
    Ok(output.take_data())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn tone(rate: u32, hz: f32, seconds: f32) -> Vec<f32> {
        let n = (rate as f32 * seconds) as usize;
        (0..n)
            .map(|i| (i as f32 / rate as f32 * hz * std::f32::consts::TAU).sin() * 0.5)
            .collect()
    }

    #[test]
    fn resampling_keeps_length_and_speech_band_tones() {
        let out = resample(&tone(48_000, 440.0, 2.0), 48_000).unwrap();
        assert!(out.len().abs_diff(32_000) <= 2, "{}", out.len());
        // A 440 Hz tone keeps its level (RMS of a 0.5 sine is 0.354).
        let middle = &out[4_000..28_000];
        let rms = (middle.iter().map(|s| s * s).sum::<f32>() / middle.len() as f32).sqrt();
        assert!((rms - 0.3536).abs() < 0.01, "{rms}");
    }

    #[test]
    fn resampling_removes_what_16_khz_cannot_hold() {
        // 12 kHz is above 8 kHz (16 kHz's Nyquist): filtered out, not folded back.
        let out = resample(&tone(48_000, 12_000.0, 1.0), 48_000).unwrap();
        let middle = &out[2_000..14_000];
        let rms = (middle.iter().map(|s| s * s).sum::<f32>() / middle.len() as f32).sqrt();
        assert!(rms < 0.01, "{rms}");
    }

    #[test]
    fn reads_a_wav_at_44_1_khz() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 44_100,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut writer = hound::WavWriter::create(&path, spec).unwrap();
        for sample in tone(44_100, 300.0, 1.5) {
            let value = (sample * 32_767.0) as i16;
            writer.write_sample(value).unwrap();
            writer.write_sample(value).unwrap();
        }
        writer.finalize().unwrap();
        let pcm = read_for_recognition(&path).unwrap();
        assert!(pcm.len().abs_diff(24_000) <= 2, "{}", pcm.len());
    }
}
