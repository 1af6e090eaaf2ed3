//! Reading a whole WAV file as blocks of mono samples in [-1, 1]: the
//! waveform of a take and its speech analysis both read takes this way. A
//! block at a time, so a 30-minute take needs no more memory than a
//! 30-second one; 16-bit files (every take) are converted from large byte
//! blocks, several times faster than hound's sample-at-a-time reader.

use std::fs::File;
use std::io::{BufReader, Read};
use std::ops::ControlFlow;
use std::path::Path;

/// Sample rates a recording can have: from telephone speech to the
/// fastest studio converters.
pub const PLAUSIBLE_RATES: std::ops::RangeInclusive<u32> = 8_000..=384_000;

/// Frames per block handed to the caller.
const BLOCK_FRAMES: usize = 4096;

/// A WAV file opened for reading as mono.
pub struct MonoWav {
    reader: hound::WavReader<BufReader<File>>,
}

/// Opens the WAV at `path` for reading: only a regular file (a FIFO would
/// hang the reader), and only a header that describes audio (0 Hz or no
/// channels is an error, not a file of no length). Every reader of takes
/// and of WAV files given on the command line opens them here.
pub fn open_wav(path: &Path) -> Result<hound::WavReader<BufReader<File>>, hound::Error> {
    crate::files::ensure_regular(path)
        .map_err(|err| hound::Error::IoError(std::io::Error::other(err.to_string())))?;
    let reader = hound::WavReader::open(path)?;
    let spec = reader.spec();
    if spec.sample_rate == 0 || spec.channels == 0 {
        return Err(hound::Error::FormatError(
            "the header describes no audio (0 Hz or no channels)",
        ));
    }
    // A 32 KB file that says 1 Hz would be hours of audio to resample.
    if !PLAUSIBLE_RATES.contains(&spec.sample_rate) {
        return Err(hound::Error::FormatError(
            "the header's sample rate is one no microphone records (below 8 kHz or above 384 kHz)",
        ));
    }
    Ok(reader)
}

impl MonoWav {
    /// Opens `path` ([`open_wav`]) and reads its header.
    pub fn open(path: &Path) -> Result<Self, hound::Error> {
        Ok(Self {
            reader: open_wav(path)?,
        })
    }

    /// Sample rate of the file.
    pub fn sample_rate(&self) -> u32 {
        self.reader.spec().sample_rate
    }

    /// Frames in the file, as its header says.
    pub fn frames(&self) -> u64 {
        u64::from(self.reader.duration())
    }

    /// Calls `block` with every block of the file, downmixed to mono.
    pub fn for_each_block(self, mut block: impl FnMut(&[f32])) -> Result<(), hound::Error> {
        self.for_each_block_until(|samples| {
            block(samples);
            ControlFlow::Continue(())
        })
    }

    /// Calls `block` with the file's blocks, downmixed to mono, until it
    /// says to stop (the rest of the file is not read).
    pub fn for_each_block_until(
        mut self,
        mut block: impl FnMut(&[f32]) -> ControlFlow<()>,
    ) -> Result<(), hound::Error> {
        let spec = self.reader.spec();
        let channels = usize::from(spec.channels.max(1));
        if spec.sample_format == hound::SampleFormat::Int && spec.bits_per_sample == 16 {
            let total = u64::from(self.reader.len()) * 2;
            return Ok(read_pcm16(
                self.reader.into_inner(),
                total,
                channels,
                &mut block,
            )?);
        }
        let mut mono: Vec<f32> = Vec::with_capacity(BLOCK_FRAMES);
        let mut frame = 0.0f32;
        let mut in_frame = 0;
        let mut push = |sample: f32| {
            frame += sample;
            in_frame += 1;
            if in_frame == channels {
                mono.push(frame / channels as f32);
                frame = 0.0;
                in_frame = 0;
                if mono.len() == BLOCK_FRAMES {
                    let flow = block(&mono);
                    mono.clear();
                    return flow;
                }
            }
            ControlFlow::Continue(())
        };
        match spec.sample_format {
            hound::SampleFormat::Float => {
                // A float file can hold anything: NaN and infinities
                // become silence and the rest is kept within full scale,
                // so no measure or transcript is made of them.
                for sample in self.reader.samples::<f32>() {
                    let sample = sample?;
                    let flow = push(if sample.is_finite() {
                        sample.clamp(-1.0, 1.0)
                    } else {
                        0.0
                    });
                    if flow.is_break() {
                        return Ok(());
                    }
                }
            }
            hound::SampleFormat::Int => {
                let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
                for sample in self.reader.samples::<i32>() {
                    if push(sample? as f32 * scale).is_break() {
                        return Ok(());
                    }
                }
            }
        }
        if !mono.is_empty() {
            // The last block: there is nothing left to stop reading.
            let _last = block(&mono);
        }
        Ok(())
    }
}

/// Feeds `total` bytes of 16-bit little-endian PCM with `channels`
/// interleaved channels from `data` to `block`, downmixed.
fn read_pcm16(
    data: impl Read,
    total: u64,
    channels: usize,
    block: &mut impl FnMut(&[f32]) -> ControlFlow<()>,
) -> std::io::Result<()> {
    let frame_bytes = 2 * channels;
    let mut data = data.take(total);
    let mut bytes = vec![0u8; BLOCK_FRAMES * frame_bytes];
    let mut mono: Vec<f32> = Vec::with_capacity(BLOCK_FRAMES);
    let scale = 1.0 / 32768.0 / channels as f32;
    loop {
        let mut filled = 0;
        while filled < bytes.len() {
            let read = data.read(&mut bytes[filled..])?;
            if read == 0 {
                break;
            }
            filled += read;
        }
        let whole = filled / frame_bytes * frame_bytes;
        mono.clear();
        mono.extend(bytes[..whole].chunks_exact(frame_bytes).map(|frame| {
            let sum: i32 = frame
                .chunks_exact(2)
                .map(|pair| i32::from(i16::from_le_bytes([pair[0], pair[1]])))
                .sum();
            sum as f32 * scale
        }));
        if !mono.is_empty() && block(&mono).is_break() {
            return Ok(());
        }
        if filled < bytes.len() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, spec: hound::WavSpec, frames: &[(f32, f32)]) {
        let mut writer = hound::WavWriter::create(path, spec).unwrap();
        for &(left, right) in frames {
            match (spec.sample_format, spec.bits_per_sample) {
                (hound::SampleFormat::Float, _) => {
                    writer.write_sample(left).unwrap();
                    writer.write_sample(right).unwrap();
                }
                (_, 16) => {
                    writer.write_sample((left * 32767.0) as i16).unwrap();
                    writer.write_sample((right * 32767.0) as i16).unwrap();
                }
                _ => {
                    writer.write_sample((left * 8_388_607.0) as i32).unwrap();
                    writer.write_sample((right * 8_388_607.0) as i32).unwrap();
                }
            }
        }
        writer.finalize().unwrap();
    }

    #[test]
    fn not_a_number_in_a_float_file_reads_as_silence() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nan.wav");
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 16_000,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let mut writer = hound::WavWriter::create(&path, spec).unwrap();
        for sample in [0.5, f32::NAN, f32::INFINITY, -7.0, f32::NEG_INFINITY] {
            writer.write_sample(sample).unwrap();
        }
        writer.finalize().unwrap();
        let mut read = Vec::new();
        MonoWav::open(&path)
            .unwrap()
            .for_each_block(|block| read.extend_from_slice(block))
            .unwrap();
        assert_eq!(read, [0.5, 0.0, 0.0, -1.0, 0.0]);
    }

    /// The probe's file: a header that says 1 Hz (and one that says 1 MHz)
    /// is refused at once, with why.
    #[test]
    fn a_rate_no_microphone_records_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        for rate in [1, 7_999, 1_000_000] {
            let path = dir.path().join(format!("{rate}.wav"));
            let spec = hound::WavSpec {
                channels: 1,
                sample_rate: rate,
                bits_per_sample: 16,
                sample_format: hound::SampleFormat::Int,
            };
            write(&path, spec, &[(0.1, 0.1); 16_000]);
            let err = MonoWav::open(&path).err().expect("refused").to_string();
            assert!(err.contains("no microphone records"), "{rate} Hz: {err}");
        }
    }

    #[test]
    fn every_format_reads_as_the_same_downmix_in_blocks() {
        let dir = tempfile::tempdir().unwrap();
        let frames: Vec<(f32, f32)> = (0..10_000)
            .map(|i| ((i % 100) as f32 / 100.0 - 0.5, 0.25))
            .collect();
        for (format, bits) in [
            (hound::SampleFormat::Int, 16),
            (hound::SampleFormat::Int, 24),
            (hound::SampleFormat::Float, 32),
        ] {
            let path = dir.path().join(format!("{bits}.wav"));
            let spec = hound::WavSpec {
                channels: 2,
                sample_rate: 8000,
                bits_per_sample: bits,
                sample_format: format,
            };
            write(&path, spec, &frames);
            let wav = MonoWav::open(&path).unwrap();
            assert_eq!(wav.sample_rate(), 8000);
            let mut read = Vec::new();
            let mut blocks = 0;
            wav.for_each_block(|block| {
                blocks += 1;
                read.extend_from_slice(block);
            })
            .unwrap();
            assert_eq!(read.len(), frames.len(), "{bits}-bit");
            assert_eq!(blocks, 3, "{bits}-bit: 4096 + 4096 + 1808 frames");
            for (got, (left, right)) in read.iter().zip(&frames) {
                assert!((got - (left + right) / 2.0).abs() < 1e-3, "{bits}-bit");
            }
        }
    }
}
