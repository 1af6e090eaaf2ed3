//! Recovery of takes cut short by a crash, a kill or a full disk: every
//! `.wav.part` left under a folder gets its header repaired
//! ([`super::wav_header::repair`]) and its final name. A take still being
//! recorded (its file locked by the recorder) is left alone.

use std::io;
use std::path::{Path, PathBuf};

use super::take_file::PART_SUFFIX;
use super::wav_header::{RepairError, RepairedWav, repair};
use crate::durable::publish_beside;

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
