//! Repair of takes cut short by a crash, a kill or a full disk: the header of
//! a `.wav.part` is rewritten from the audio actually on disk, and the file
//! gets its final name.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::take_file::{PART_SUFFIX, publish_beside};

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
    let file_len = file.metadata().map_err(io_error)?.len();
    let mut head = Vec::with_capacity(4096);
    (&mut file)
        .take(4096)
        .read_to_end(&mut head)
        .map_err(io_error)?;
    let layout = parse_layout(&head).map_err(not_wav)?;
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

/// What happened to one leftover `.wav.part`.
#[derive(Debug)]
pub enum Recovery {
    /// Repaired and renamed.
    Recovered {
        /// The WAV now holding the audio.
        path: PathBuf,
        /// What it holds.
        wav: RepairedWav,
    },
    /// Left in place, untouched or partly repaired; the error says why.
    Failed(RepairError),
}

/// Repairs every `*.wav.part` under `dir` (searching subfolders) and gives
/// each its final name (or `NAME.recovered.wav` when that name is taken).
/// Files that cannot be repaired are left where they are.
pub fn recover_dir(dir: &Path) -> io::Result<Vec<Recovery>> {
    let mut parts = Vec::new();
    find_parts(dir, &mut parts)?;
    parts.sort();
    Ok(parts.into_iter().map(|part| recover_file(&part)).collect())
}

/// Repairs one `.wav.part` and gives it its final name (or a free one
/// beside it).
pub fn recover_file(part: &Path) -> Recovery {
    let wav = match repair(part) {
        Ok(wav) => wav,
        Err(err) => return Recovery::Failed(err),
    };
    let text = part.to_string_lossy();
    let final_path = PathBuf::from(text.strip_suffix(PART_SUFFIX).unwrap_or(&text));
    match publish_beside(part, &final_path) {
        Ok(path) => Recovery::Recovered { path, wav },
        Err(source) => Recovery::Failed(RepairError::Io {
            path: part.to_path_buf(),
            source,
        }),
    }
}

/// What a finished WAV holds, from its header and its length on disk,
/// without changing it.
pub fn inspect(path: &Path) -> Result<RepairedWav, RepairError> {
    let io_error = |source| RepairError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io_error)?;
    let file_len = file.metadata().map_err(io_error)?.len();
    let mut head = Vec::with_capacity(4096);
    (&mut file)
        .take(4096)
        .read_to_end(&mut head)
        .map_err(io_error)?;
    let layout = parse_layout(&head).map_err(|reason| RepairError::NotWav {
        path: path.to_path_buf(),
        reason,
    })?;
    let block = u64::from(layout.block_align);
    Ok(RepairedWav {
        sample_rate: layout.sample_rate,
        channels: layout.channels,
        frames: file_len.saturating_sub(layout.data_start) / block,
        bits_per_sample: layout.bits_per_sample,
    })
}

fn find_parts(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            find_parts(&path, out)?;
        } else if kind.is_file() && path.to_string_lossy().ends_with(".wav.part") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::convert::TakeFormat;
    use crate::audio::take_file::{TakeFile, part_path};

    /// A `.part` as a crash leaves it: header flushed after `flushed`
    /// samples, then `more` samples and `extra_bytes` of a partial sample.
    fn crashed_part(dir: &Path, format: TakeFormat, flushed: usize, more: usize) -> PathBuf {
        let final_path = dir.join("take.wav");
        let mut take = TakeFile::create(&final_path, format, 8000).unwrap();
        take.write(&vec![0.25; flushed]).unwrap();
        take.checkpoint().unwrap();
        take.write(&vec![-0.25; more]).unwrap();
        take.checkpoint().unwrap();
        let part = take.part_path().to_path_buf();
        // Simulate the crash: the header still says `flushed` samples.
        std::mem::forget(take);
        let mut bytes = std::fs::read(&part).unwrap();
        let header_len = bytes.len() - (flushed + more) * bytes_per_sample(format);
        let data_size = (flushed * bytes_per_sample(format)) as u32;
        bytes[header_len - 4..header_len].copy_from_slice(&data_size.to_le_bytes());
        bytes.extend_from_slice(&[1]); // half a sample
        // A new file: the forgotten writer still holds the old one's lock,
        // which a real crash would have released.
        std::fs::remove_file(&part).unwrap();
        std::fs::write(&part, bytes).unwrap();
        part
    }

    fn bytes_per_sample(format: TakeFormat) -> usize {
        match format {
            TakeFormat::S16 => 2,
            TakeFormat::S24 => 3,
            TakeFormat::F32 => 4,
        }
    }

    #[test]
    fn repair_keeps_every_whole_sample_on_disk() {
        for format in [TakeFormat::S16, TakeFormat::S24, TakeFormat::F32] {
            let dir = tempfile::tempdir().unwrap();
            let part = crashed_part(dir.path(), format, 800, 300);
            let wav = repair(&part).unwrap();
            assert_eq!(
                (wav.sample_rate, wav.channels, wav.frames),
                (8000, 1, 1100),
                "{format:?}"
            );
            assert_eq!(wav.bits_per_sample, bytes_per_sample(format) as u16 * 8);
            let reader = hound::WavReader::open(&part).unwrap();
            assert_eq!(reader.duration(), 1100);
            assert!((wav.duration().as_secs_f64() - 0.1375).abs() < 1e-9);
        }
    }

    #[test]
    fn recover_dir_renames_and_reports() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("sessions/a/takes");
        std::fs::create_dir_all(&nested).unwrap();
        let part = crashed_part(&nested, TakeFormat::S16, 100, 50);
        std::fs::write(nested.join("broken.wav.part"), b"RIFF").unwrap();
        std::fs::write(nested.join("other.txt"), b"x").unwrap();

        let outcomes = recover_dir(dir.path()).unwrap();
        assert_eq!(outcomes.len(), 2);
        let failed = outcomes
            .iter()
            .filter(|o| matches!(o, Recovery::Failed(RepairError::NotWav { .. })))
            .count();
        assert_eq!(failed, 1);
        let recovered: Vec<_> = outcomes
            .iter()
            .filter_map(|o| match o {
                Recovery::Recovered { path, wav } => Some((path.clone(), *wav)),
                Recovery::Failed(_) => None,
            })
            .collect();
        assert_eq!(recovered.len(), 1);
        assert_eq!(recovered[0].0, nested.join("take.wav"));
        assert_eq!(recovered[0].1.frames, 150);
        assert!(!part.exists());
        assert!(nested.join("broken.wav.part").exists(), "never deleted");
    }

    #[test]
    fn recovery_never_overwrites_a_finished_take() {
        let dir = tempfile::tempdir().unwrap();
        let part = crashed_part(dir.path(), TakeFormat::S16, 10, 0);
        let taken = dir.path().join("take.wav");
        std::fs::write(&taken, b"finished").unwrap();
        assert_eq!(part, part_path(&taken));
        match recover_file(&part) {
            Recovery::Recovered { path, .. } => {
                assert_eq!(path, dir.path().join("take.recovered.wav"));
            }
            Recovery::Failed(err) => panic!("{err}"),
        }
        assert_eq!(std::fs::read(&taken).unwrap(), b"finished");
    }

    #[test]
    fn header_only_part_is_an_empty_take() {
        let dir = tempfile::tempdir().unwrap();
        let part = crashed_part(dir.path(), TakeFormat::S16, 0, 0);
        assert_eq!(repair(&part).unwrap().frames, 0);
    }

    #[test]
    fn a_take_still_being_recorded_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let final_path = dir.path().join("live.wav");
        let mut take = TakeFile::create(&final_path, TakeFormat::S16, 8000).unwrap();
        take.write(&[0.5; 800]).unwrap();
        take.checkpoint().unwrap();
        let outcomes = recover_dir(dir.path()).unwrap();
        assert!(
            matches!(
                outcomes.as_slice(),
                [Recovery::Failed(RepairError::InUse(_))]
            ),
            "{outcomes:?}"
        );
        assert!(take.part_path().exists(), "the live take keeps its name");
        take.write(&[0.5; 800]).unwrap();
        let finished = take.finish().unwrap();
        assert_eq!(finished.path, final_path);
        assert_eq!(
            hound::WavReader::open(&final_path).unwrap().duration(),
            1600
        );
    }

    #[test]
    fn a_header_that_contradicts_itself_is_not_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let part = crashed_part(dir.path(), TakeFormat::S16, 800, 300);
        let mut bytes = std::fs::read(&part).unwrap();
        let before = bytes.len();
        // block_align (offset 32 in a canonical header) claims 64-byte frames.
        bytes[32..34].copy_from_slice(&64u16.to_le_bytes());
        std::fs::write(&part, &bytes).unwrap();
        assert!(matches!(
            recover_file(&part),
            Recovery::Failed(RepairError::NotWav { .. })
        ));
        assert_eq!(std::fs::metadata(&part).unwrap().len() as usize, before);
    }
}
