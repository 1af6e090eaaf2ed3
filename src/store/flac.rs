//! A take's WAV as FLAC, for exports.
//!
//! The take is read a batch of blocks at a time; the blocks of a batch are
//! encoded into frames on every core while another thread adds them to the
//! MD5 of the audio, and each frame is written out as soon as its batch is
//! done. Nothing but the finished bytes outlives a batch, so a long take
//! costs no more memory per minute than its FLAC, and the frame buffers
//! are reused (the crate's own parallel encoder keeps every frame of the
//! take until the end, and most of its time in a fresh process went to
//! that memory).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use flacenc::component::{BitRepr, Stream};
use flacenc::error::Verify;
use flacenc::source::{Fill, FrameBuf};
use md5::Digest;

/// Blocks each core encodes per batch.
const BLOCKS_PER_WORKER: usize = 16;

/// Why a take could not be made FLAC.
#[derive(Debug)]
pub(super) enum FlacError {
    /// `keep_going` said stop.
    Cancelled,
    /// Reading or encoding failed.
    Failed(String),
}

impl<E: std::fmt::Display> From<E> for FlacError {
    fn from(error: E) -> Self {
        Self::Failed(error.to_string())
    }
}

/// The encoder tuned to about `flac`'s default level (5): 4096-sample
/// blocks, linear prediction up to order 7 over a Tukey(0.5) window, and no
/// search over the fixed predictors. On two minutes of speech the file is 1 %
/// larger than flac's, made in 35 % less time than with the crate's default
/// (order 10 and that search).
fn config() -> flacenc::config::Encoder {
    let mut config = flacenc::config::Encoder::default();
    config.subframe_coding.qlpc.lpc_order = 7;
    config.subframe_coding.qlpc.window = flacenc::config::Window::Tukey { alpha: 0.5 };
    config.subframe_coding.use_fixed = false;
    config.multithread = false;
    config
}

/// The WAV file at `wav` as a FLAC file (float takes become 24-bit).
/// `keep_going` hears how many bytes of audio have been read after every
/// batch; when it returns `false` the encoding stops with
/// [`FlacError::Cancelled`].
pub(super) fn encode(
    wav: &Path,
    keep_going: &mut dyn FnMut(u64) -> bool,
) -> Result<Vec<u8>, FlacError> {
    // A megabyte at a time (hound's own reader reads 8 KB at a time).
    let file = File::open(wav)?;
    let reader = hound::WavReader::new(io::BufReader::with_capacity(1 << 20, file))?;
    let spec = reader.spec();
    let channels = usize::from(spec.channels);
    let read_width = u64::from(spec.bits_per_sample.div_ceil(8));
    let mut samples = WavSamples::of(reader);
    let config = config()
        .into_verified()
        .map_err(|(_, e)| FlacError::Failed(format!("{e:?}")))?;
    let block = config.block_size;
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut stream = Stream::new(spec.sample_rate as usize, channels, samples.bits())?;
    stream.stream_info_mut().set_block_sizes(block, block)?;

    // Two sets of buffers: one batch is encoded while the next is read.
    let buffers = || {
        (0..workers * BLOCKS_PER_WORKER)
            .map(|_| FrameBuf::with_size(channels, block))
            .collect::<Result<Vec<_>, _>>()
    };
    let (mut now, mut next) = ((buffers()?, Vec::new()), (buffers()?, Vec::new()));
    let mut md5 = md5::Md5::new();
    // The header's place is kept at the front and written at the end: a
    // stream with only STREAMINFO as metadata.
    let mut bytes = vec![0; HEADER_BYTES];
    let mut first_frame = 0;
    let mut samples_read = 0;
    let (mut filled, mut read) = read_batch(&mut samples, &mut now, block * channels)?;
    while filled > 0 {
        samples_read += read;
        if !keep_going(samples_read * read_width) {
            return Err(FlacError::Cancelled);
        }
        // Encode it on every core, add it to the MD5 beside them, and read
        // the next batch meanwhile.
        let info = stream.stream_info().clone();
        let share = filled.div_ceil(workers);
        let (blocks, batch) = (&now.0, &now.1);
        let (encoded, following) = std::thread::scope(|scope| {
            scope.spawn(|| md5.update(batch));
            let handles: Vec<_> = blocks[..filled]
                .chunks(share)
                .enumerate()
                .map(|(part, chunk)| {
                    let (config, info) = (&config, &info);
                    scope.spawn(move || {
                        encode_blocks(config, info, chunk, first_frame + part * share)
                    })
                })
                .collect();
            let following = read_batch(&mut samples, &mut next, block * channels);
            let encoded = handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err("an encoder thread failed".into()))
                })
                .collect::<Result<Vec<_>, FlacError>>();
            (encoded, following)
        });
        for (frames, frame_bytes) in encoded? {
            for frame in &frames {
                stream.stream_info_mut().update_frame_info(frame);
            }
            bytes.extend_from_slice(&frame_bytes);
        }
        first_frame += filled;
        (filled, read) = following?;
        std::mem::swap(&mut now, &mut next);
    }

    let digest: [u8; 16] = md5.finalize().into();
    let info = stream.stream_info_mut();
    info.set_md5_digest(&digest);
    info.set_total_samples(usize::try_from(samples_read)? / channels);
    // The stream without frames is the header: "fLaC" and its STREAMINFO.
    let mut header = flacenc::bitsink::ByteSink::new();
    stream
        .write(&mut header)
        .map_err(|e| FlacError::Failed(format!("{e:?}")))?;
    if header.as_slice().len() != HEADER_BYTES {
        return Err(FlacError::Failed(format!(
            "a header of {} bytes, not {HEADER_BYTES}",
            header.as_slice().len()
        )));
    }
    bytes[..HEADER_BYTES].copy_from_slice(header.as_slice());
    Ok(bytes)
}

/// "fLaC", a metadata block's header and STREAMINFO.
const HEADER_BYTES: usize = 4 + 4 + 34;

/// Reads the next batch into `blocks` (one block of `block_samples` per
/// buffer) and `batch` (its bytes, for the MD5): how many buffers were
/// filled and how many samples read.
fn read_batch(
    samples: &mut WavSamples,
    (blocks, batch): &mut (Vec<FrameBuf>, Vec<u8>),
    block_samples: usize,
) -> Result<(usize, u64), FlacError> {
    batch.clear();
    let mut filled = 0;
    let mut total = 0;
    for buffer in blocks {
        let start = batch.len();
        let read = samples.read(block_samples, batch)?;
        if read == 0 {
            break;
        }
        buffer.fill_le_bytes(&batch[start..], samples.width())?;
        total += read as u64;
        filled += 1;
        if read < block_samples {
            break;
        }
    }
    Ok((filled, total))
}

/// The blocks in `buffers` as frames numbered from `first`: the frames
/// (for the stream's sizes) and their bytes.
fn encode_blocks(
    config: &flacenc::error::Verified<flacenc::config::Encoder>,
    info: &flacenc::component::StreamInfo,
    buffers: &[FrameBuf],
    first: usize,
) -> Result<(Vec<flacenc::component::Frame>, Vec<u8>), FlacError> {
    let mut sink = flacenc::bitsink::ByteSink::new();
    let mut frames = Vec::with_capacity(buffers.len());
    for (offset, buffer) in buffers.iter().enumerate() {
        let frame = flacenc::encode_fixed_size_frame(config, buffer, first + offset, info)?;
        frame
            .write(&mut sink)
            .map_err(|e| FlacError::Failed(format!("{e:?}")))?;
        frames.push(frame);
    }
    Ok((frames, sink.as_slice().to_vec()))
}

/// Where a WAV's samples come from: the formats takes are recorded in
/// (16-bit integers, 32-bit floats) straight from the file, a third of the
/// time of decoding sample by sample; any other through `hound`.
enum WavSamples {
    /// 16-bit little-endian integers; samples left to read.
    Int16(io::BufReader<File>, u64),
    /// 32-bit little-endian floats (made 24-bit); samples left to read.
    Float32(io::BufReader<File>, u64),
    /// Decoded by `hound`.
    Decoded(hound::WavReader<io::BufReader<File>>),
}

impl WavSamples {
    fn of(reader: hound::WavReader<io::BufReader<File>>) -> Self {
        let spec = reader.spec();
        let samples = u64::from(reader.len());
        match (spec.sample_format, spec.bits_per_sample) {
            (hound::SampleFormat::Int, 16) => Self::Int16(reader.into_inner(), samples),
            (hound::SampleFormat::Float, 32) => Self::Float32(reader.into_inner(), samples),
            _ => Self::Decoded(reader),
        }
    }

    /// Bits per sample of the FLAC.
    fn bits(&self) -> usize {
        match self {
            Self::Int16(..) => 16,
            Self::Float32(..) => 24,
            Self::Decoded(reader) => match reader.spec().sample_format {
                hound::SampleFormat::Int => usize::from(reader.spec().bits_per_sample),
                hound::SampleFormat::Float => 24,
            },
        }
    }

    /// Bytes per sample of what [`Self::read`] appends.
    fn width(&self) -> usize {
        self.bits().div_ceil(8)
    }

    /// Appends up to `wanted` samples to `out` as little-endian integers of
    /// [`Self::width`] bytes (what the MD5 of a FLAC stream is taken over);
    /// returns how many.
    fn read(&mut self, wanted: usize, out: &mut Vec<u8>) -> io::Result<usize> {
        let start = out.len();
        let width = self.width();
        let mut raw = |input: &mut io::BufReader<File>, left: &mut u64, width: usize| {
            let count = wanted.min(usize::try_from(*left).unwrap_or(usize::MAX));
            out.resize(start + count * width, 0);
            input.read_exact(&mut out[start..])?;
            *left -= count as u64;
            Ok::<_, io::Error>(count)
        };
        match self {
            Self::Int16(input, left) => raw(input, left, 2),
            Self::Float32(input, left) => {
                let count = raw(input, left, 4)?;
                // Each float becomes the three bytes of a 24-bit sample, in
                // place (a sample is written where earlier ones were read).
                for index in 0..count {
                    let at = start + index * 4;
                    let value =
                        f32::from_le_bytes([out[at], out[at + 1], out[at + 2], out[at + 3]]);
                    let sample = crate::audio::convert::to_i24(value).to_le_bytes();
                    let to = start + index * 3;
                    out[to..to + 3].copy_from_slice(&sample[..3]);
                }
                out.truncate(start + count * 3);
                Ok(count)
            }
            Self::Decoded(reader) => {
                let mut count = 0;
                let mut push = |sample: i32| {
                    out.extend_from_slice(&sample.to_le_bytes()[..width]);
                    count += 1;
                };
                match reader.spec().sample_format {
                    hound::SampleFormat::Int => {
                        for sample in reader.samples::<i32>().take(wanted) {
                            push(sample.map_err(io::Error::other)?);
                        }
                    }
                    hound::SampleFormat::Float => {
                        for sample in reader.samples::<f32>().take(wanted) {
                            push(crate::audio::convert::to_i24(
                                sample.map_err(io::Error::other)?,
                            ));
                        }
                    }
                }
                Ok(count)
            }
        }
    }
}
