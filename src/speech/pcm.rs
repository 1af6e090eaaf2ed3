//! A take as the recogniser wants it: mono, 16 kHz, f32 in [-1, 1].
//! Takes are recorded at the device's rate (usually 48 kHz); they are
//! resampled with rubato's FFT resampler, which filters out what 16 kHz
//! cannot hold instead of folding it back as noise.

use std::ops::ControlFlow;
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

/// Reads the whole WAV at `path` as mono 16 kHz samples (one stretch of
/// [`for_each_stretch`], as long as the file).
pub fn read_for_recognition(path: &Path) -> Result<Vec<f32>, PcmError> {
    let mut whole = Vec::new();
    for_each_stretch(path, f64::INFINITY, |stretch| {
        whole = stretch.pcm.to_vec();
        Ok::<(), PcmError>(())
    })?;
    Ok(whole)
}

/// A stretch of a file, as the recogniser wants it.
pub struct Stretch<'a> {
    /// Its samples, mono, 16 kHz.
    pub pcm: &'a [f32],
    /// Where it starts in the file, in milliseconds.
    pub start_ms: u64,
    /// The share of the file read once it is done, 0 to 1.
    pub done_at: f64,
}

/// Calls `each` with the file at `path` a stretch at a time, each at most
/// `seconds` long and ending at the longest pause of its last
/// [`CUT_WINDOW_SECONDS`], so that a file of any length needs the memory
/// of one stretch, and no word is cut in two where a speaker paused. A
/// file no longer than `seconds` is one stretch. Stops at the first error
/// `each` returns (the rest of the file is not read).
pub fn for_each_stretch<E: From<PcmError>>(
    path: &Path,
    seconds: f64,
    mut each: impl FnMut(Stretch<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let wav_error = |source| PcmError::Wav {
        path: path.to_path_buf(),
        source,
    };
    let wav = MonoWav::open(path).map_err(wav_error)?;
    let rate = wav.sample_rate();
    let total = wav.frames().max(1) as f64;
    let longest = ((seconds * f64::from(rate)) as usize).max(1);
    let window = ((CUT_WINDOW_SECONDS * f64::from(rate)) as usize).min(longest / 2);
    let mut buffer: Vec<f32> = Vec::new();
    // Input frames before buffer[0].
    let mut offset: u64 = 0;
    let mut outcome = Ok(());
    let mut send = |samples: &[f32], offset: u64| -> Result<(), E> {
        let pcm = resample(samples, rate)?;
        each(Stretch {
            pcm: &pcm,
            start_ms: offset * 1000 / u64::from(rate),
            done_at: ((offset + samples.len() as u64) as f64 / total).min(1.0),
        })
    };
    wav.for_each_block_until(|block| {
        buffer.extend_from_slice(block);
        while buffer.len() >= longest {
            let cut = pause_to_cut_at(&buffer[..longest], rate, window);
            if let Err(err) = send(&buffer[..cut], offset) {
                outcome = Err(err);
                return ControlFlow::Break(());
            }
            buffer.drain(..cut);
            offset += cut as u64;
        }
        ControlFlow::Continue(())
    })
    .map_err(wav_error)?;
    outcome?;
    if !buffer.is_empty() || offset == 0 {
        send(&buffer, offset)?;
    }
    Ok(())
}

/// A stretch ends at the longest pause in this many seconds before its
/// longest end.
pub const CUT_WINDOW_SECONDS: f64 = 30.0;

/// Where to end a stretch of `samples`: in the middle of the longest pause
/// between runs of speech in its last `window` samples, else of the longest
/// silence between pieces of speech there, else at its end.
fn pause_to_cut_at(samples: &[f32], rate: u32, window: usize) -> usize {
    let from = samples.len() - window.min(samples.len());
    let spans = crate::analysis::speech_spans(&samples[from..], rate);
    let longest_gap = |spans: &[(f64, f64)]| {
        spans
            .windows(2)
            .map(|pair| (pair[0].1, pair[1].0))
            .chain(
                spans
                    .last()
                    .map(|&(_, end)| (end, window as f64 / f64::from(rate))),
            )
            .filter(|(start, end)| end > start)
            .max_by(|a, b| (a.1 - a.0).total_cmp(&(b.1 - b.0)))
    };
    let Some((start, end)) = longest_gap(&spans.runs).or_else(|| longest_gap(&spans.pieces)) else {
        return samples.len();
    };
    let middle = ((start + end) / 2.0 * f64::from(rate)) as usize;
    (from + middle).clamp(1, samples.len())
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

    /// 150 s of half-second tones 1 s apart, with one 2-s pause at 55-57 s.
    fn bursts(path: &Path) -> Vec<(f64, f64)> {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut writer = hound::WavWriter::create(path, spec).unwrap();
        let mut sounds = Vec::new();
        let mut at = 0.5;
        while at < 149.0 {
            sounds.push((at, at + 0.5));
            at += if (54.0..55.0).contains(&at) { 2.5 } else { 1.5 };
        }
        for i in 0..150 * 16_000 {
            let t = f64::from(i) / 16_000.0;
            let on = sounds.iter().any(|&(s, e)| t >= s && t < e);
            let value = if on {
                (t * 220.0 * std::f64::consts::TAU).sin() * 0.3
            } else {
                0.0
            };
            writer.write_sample((value * 32_767.0) as i16).unwrap();
        }
        writer.finalize().unwrap();
        sounds
    }

    #[test]
    fn a_long_file_comes_in_stretches_cut_at_pauses() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("long.wav");
        let sounds = bursts(&path);
        let mut stretches = Vec::new();
        for_each_stretch(&path, 70.0, |stretch| {
            stretches.push((stretch.start_ms, stretch.pcm.len(), stretch.done_at));
            Ok::<(), PcmError>(())
        })
        .unwrap();
        assert_eq!(stretches.len(), 3, "{stretches:?}");
        // The first ends in the middle of the longest pause of 40-70 s.
        assert!(stretches[1].0.abs_diff(56_000) <= 100, "{stretches:?}");
        for &(start_ms, _, _) in &stretches[1..] {
            let at = start_ms as f64 / 1000.0;
            assert!(
                !sounds.iter().any(|&(s, e)| at >= s - 0.1 && at < e + 0.1),
                "{at}"
            );
        }
        // Nothing lost or doubled: the stretches add up to the file, each
        // starting where the one before it ended.
        let total: usize = stretches.iter().map(|s| s.1).sum();
        assert!(total.abs_diff(150 * 16_000) <= 3, "{total}");
        for pair in stretches.windows(2) {
            let end_ms = pair[0].0 + pair[0].1 as u64 / 16;
            assert!(end_ms.abs_diff(pair[1].0) <= 1, "{stretches:?}");
        }
        assert!((stretches[2].2 - 1.0).abs() < 1e-9);
    }

    #[test]
    fn an_error_stops_the_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("long.wav");
        bursts(&path);
        let mut calls = 0;
        let result = for_each_stretch(&path, 60.0, |_| {
            calls += 1;
            Err(PcmError::Resample {
                rate: 1,
                message: "stop".to_owned(),
            })
        });
        assert!(result.is_err());
        assert_eq!(calls, 1);
    }
}
