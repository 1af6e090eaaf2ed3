//! A take's peak summary on disk (`takes/<stem>.peaks` beside its WAV), so
//! the review draws a long take's waveform without decoding the take: 100
//! min/max pairs a second, one byte each (200 bytes a second, 360 KB for 30
//! minutes). It records the length of the WAV it was made from; a summary
//! whose WAV has changed (repaired, replaced) is not used, and is made
//! again from the WAV.

use std::path::{Path, PathBuf};

use super::level::PeakSummary;

/// The file's first bytes.
const MAGIC: &[u8; 4] = b"RHPK";
/// The format version this build writes.
const VERSION: u8 = 1;
/// Bytes before the pairs.
const HEADER: usize = 4 + 1 + 4 + 4 + 8 + 4;

/// The summary file of the take at `wav`.
pub fn path_for(wav: &Path) -> PathBuf {
    wav.with_extension("peaks")
}

/// A sample in [-1, 1] as a byte, rounded away from zero so that the
/// drawn peaks never shrink.
fn quantize(sample: f32, up: bool) -> i8 {
    let scaled = sample.clamp(-1.0, 1.0) * 127.0;
    let rounded = if up { scaled.ceil() } else { scaled.floor() };
    rounded as i8
}

/// The bytes of `summary` for a WAV of `wav_len` bytes.
pub fn encode(summary: &PeakSummary, wav_len: u64) -> Vec<u8> {
    let count = summary.min.len().min(summary.max.len());
    let mut bytes = Vec::with_capacity(HEADER + 2 * count);
    bytes.extend_from_slice(MAGIC);
    bytes.push(VERSION);
    bytes.extend_from_slice(&summary.sample_rate.to_le_bytes());
    bytes.extend_from_slice(&summary.bucket_samples.to_le_bytes());
    bytes.extend_from_slice(&wav_len.to_le_bytes());
    bytes.extend_from_slice(&u32::try_from(count).unwrap_or(u32::MAX).to_le_bytes());
    for (&low, &high) in summary.min.iter().zip(&summary.max) {
        bytes.push(quantize(low, false).to_le_bytes()[0]);
        bytes.push(quantize(high, true).to_le_bytes()[0]);
    }
    bytes
}

/// The summary in `bytes`, when they are one made for a WAV of `wav_len`
/// bytes.
pub fn decode(bytes: &[u8], wav_len: u64) -> Option<PeakSummary> {
    let header = bytes.get(..HEADER)?;
    if &header[..4] != MAGIC || header[4] != VERSION {
        return None;
    }
    let u32_at = |at: usize| u32::from_le_bytes(header[at..at + 4].try_into().unwrap_or_default());
    let sample_rate = u32_at(5);
    let bucket_samples = u32_at(9);
    let made_for = u64::from_le_bytes(header[13..21].try_into().unwrap_or_default());
    let count = u32_at(21) as usize;
    let pairs = &bytes[HEADER..];
    if made_for != wav_len || pairs.len() != 2 * count || bucket_samples == 0 {
        return None;
    }
    let byte = |b: u8| f32::from(i8::from_le_bytes([b])) / 127.0;
    Some(PeakSummary {
        bucket_samples,
        sample_rate,
        min: pairs.iter().step_by(2).map(|&b| byte(b)).collect(),
        max: pairs.iter().skip(1).step_by(2).map(|&b| byte(b)).collect(),
    })
}

/// Writes the summary of the take at `wav` beside it, atomically.
pub fn write(wav: &Path, summary: &PeakSummary) -> std::io::Result<()> {
    let wav_len = std::fs::metadata(wav)?.len();
    crate::durable::atomic_write(&path_for(wav), &encode(summary, wav_len))
}

/// The summary of the take at `wav`, when one was written for it as it is.
pub fn read(wav: &Path) -> Option<PeakSummary> {
    let wav_len = std::fs::metadata(wav).ok()?.len();
    let bytes = std::fs::read(path_for(wav)).ok()?;
    decode(&bytes, wav_len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary() -> PeakSummary {
        PeakSummary {
            bucket_samples: 480,
            sample_rate: 48_000,
            min: vec![-0.5, -1.0, 0.0],
            max: vec![0.5, 1.0, 0.001],
        }
    }

    #[test]
    fn a_summary_round_trips_without_shrinking_its_peaks() {
        let bytes = encode(&summary(), 1234);
        assert_eq!(bytes.len(), HEADER + 6);
        let back = decode(&bytes, 1234).unwrap();
        assert_eq!(back.sample_rate, 48_000);
        assert_eq!(back.bucket_samples, 480);
        for (was, now) in summary().min.iter().zip(&back.min) {
            assert!(now <= was && was - now < 1.0 / 127.0, "{was} → {now}");
        }
        for (was, now) in summary().max.iter().zip(&back.max) {
            assert!(now >= was && now - was < 1.0 / 127.0, "{was} → {now}");
        }
    }

    #[test]
    fn a_summary_of_another_wav_or_a_damaged_file_is_not_used() {
        let bytes = encode(&summary(), 1234);
        assert!(decode(&bytes, 1235).is_none(), "the WAV changed");
        assert!(decode(&bytes[..bytes.len() - 1], 1234).is_none());
        assert!(decode(b"RIFF", 1234).is_none());
    }

    #[test]
    fn it_is_written_beside_the_take_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let wav = dir.path().join("01-q-take1.wav");
        std::fs::write(&wav, [0u8; 100]).unwrap();
        write(&wav, &summary()).unwrap();
        assert_eq!(path_for(&wav), dir.path().join("01-q-take1.peaks"));
        assert_eq!(read(&wav).unwrap().min.len(), 3);
        std::fs::write(&wav, [0u8; 101]).unwrap();
        assert!(read(&wav).is_none(), "stale once the WAV changes");
    }
}
