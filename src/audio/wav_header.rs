//! The header of a WAV file as Rehearse writes it: reading what it says
//! (checked for consistency), and repairing it after a crash, a kill or a
//! full disk, from the audio actually on disk.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// What a repaired file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RepairedWav {
    /// Sample rate.
    pub sample_rate: u32,
    /// Channels.
    pub channels: u16,
    /// Whole frames kept.
    pub frames: u64,
    /// Bits per sample.
    pub bits_per_sample: u16,
}

impl RepairedWav {
    /// Length of the audio.
    pub fn duration(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(self.frames as f64 / f64::from(self.sample_rate.max(1)))
    }
}

/// Why a file could not be repaired.
#[derive(Debug, thiserror::Error)]
pub enum RepairError {
    /// Reading or writing it failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// Another process is still recording it.
    #[error("{0}: still being recorded; left alone")]
    InUse(PathBuf),
    /// The header is too damaged to know what the audio is.
    #[error("{path}: not a WAV file Rehearse can repair: {reason}")]
    NotWav {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: &'static str,
    },
}

/// Rewrites the RIFF and data sizes of the WAV at `path` from the bytes on
/// disk, dropping a trailing partial frame. Works in place; the audio itself
/// is never touched.
pub fn repair(path: &Path) -> Result<RepairedWav, RepairError> {
    let io_error = |source| RepairError::Io {
        path: path.to_path_buf(),
        source,
    };
    let not_wav = |reason| RepairError::NotWav {
        path: path.to_path_buf(),
        reason,
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(io_error)?;
    // A recorder holds this lock for as long as the take is live.
    // (A file system without locks tells nothing either way.)
    if let Err(std::fs::TryLockError::WouldBlock) = file.try_lock() {
        return Err(RepairError::InUse(path.to_path_buf()));
    }
    let (layout, file_len) = read_layout(&mut file, path)?;
    if file_len < layout.data_start {
        return Err(not_wav("the file ends inside its header"));
    }
    let block = u64::from(layout.block_align);
    let data_len = (file_len - layout.data_start) / block * block;
    let data_len_u32 = u32::try_from(data_len).map_err(|_| not_wav("over 4 GiB of audio"))?;
    let riff_len = u32::try_from(layout.data_start - 8 + data_len)
        .map_err(|_| not_wav("over 4 GiB of audio"))?;
    let write_u32 = |file: &mut File, at: u64, value: u32| -> io::Result<()> {
        file.seek(SeekFrom::Start(at))?;
        file.write_all(&value.to_le_bytes())
    };
    file.set_len(layout.data_start + data_len)
        .map_err(io_error)?;
    write_u32(&mut file, 4, riff_len).map_err(io_error)?;
    write_u32(&mut file, layout.data_start - 4, data_len_u32).map_err(io_error)?;
    file.sync_all().map_err(io_error)?;
    Ok(RepairedWav {
        sample_rate: layout.sample_rate,
        channels: layout.channels,
        frames: data_len / block,
        bits_per_sample: layout.bits_per_sample,
    })
}

struct Layout {
    sample_rate: u32,
    channels: u16,
    block_align: u16,
    bits_per_sample: u16,
    /// Offset of the first audio byte (the data chunk's size field is the 4
    /// bytes before it).
    data_start: u64,
}

fn parse_layout(head: &[u8]) -> Result<Layout, &'static str> {
    let u16_at = |at: usize| {
        head.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let u32_at = |at: usize| {
        head.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    if head.get(0..4) != Some(b"RIFF") || head.get(8..12) != Some(b"WAVE") {
        return Err("no RIFF/WAVE header");
    }
    let mut at = 12;
    let mut format = None;
    loop {
        let id = head.get(at..at + 4).ok_or("no data chunk in the header")?;
        let size = u32_at(at + 4).ok_or("no data chunk in the header")? as usize;
        if id == b"fmt " {
            let channels = u16_at(at + 10).ok_or("truncated fmt chunk")?;
            let sample_rate = u32_at(at + 12).ok_or("truncated fmt chunk")?;
            let block_align = u16_at(at + 20).ok_or("truncated fmt chunk")?;
            let bits_per_sample = u16_at(at + 22).ok_or("truncated fmt chunk")?;
            if channels == 0 || block_align == 0 || sample_rate == 0 {
                return Err("the fmt chunk describes no audio");
            }
            if !matches!(bits_per_sample, 8 | 16 | 24 | 32)
                || u32::from(block_align) != u32::from(channels) * u32::from(bits_per_sample / 8)
            {
                return Err(
                    "the fmt chunk contradicts itself (block_align, channels and bits_per_sample disagree)",
                );
            }
            format = Some((sample_rate, channels, block_align, bits_per_sample));
        } else if id == b"data" {
            let (sample_rate, channels, block_align, bits_per_sample) =
                format.ok_or("the data chunk comes before the fmt chunk")?;
            return Ok(Layout {
                sample_rate,
                channels,
                block_align,
                bits_per_sample,
                data_start: (at + 8) as u64,
            });
        }
        at += 8 + size + (size & 1);
    }
}

/// What a finished WAV holds, from its header and its length on disk,
/// without changing it.
pub fn inspect(path: &Path) -> Result<RepairedWav, RepairError> {
    let mut file = File::open(path).map_err(|source| RepairError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let (layout, file_len) = read_layout(&mut file, path)?;
    let block = u64::from(layout.block_align);
    Ok(RepairedWav {
        sample_rate: layout.sample_rate,
        channels: layout.channels,
        frames: file_len.saturating_sub(layout.data_start) / block,
        bits_per_sample: layout.bits_per_sample,
    })
}

/// The layout of the open WAV `file` (at `path`, for messages) from its
/// first 4 KiB, and the file's length.
fn read_layout(file: &mut File, path: &Path) -> Result<(Layout, u64), RepairError> {
    let io_error = |source| RepairError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file_len = file.metadata().map_err(io_error)?.len();
    let mut head = Vec::with_capacity(4096);
    file.take(4096).read_to_end(&mut head).map_err(io_error)?;
    let layout = parse_layout(&head).map_err(|reason| RepairError::NotWav {
        path: path.to_path_buf(),
        reason,
    })?;
    Ok((layout, file_len))
}
