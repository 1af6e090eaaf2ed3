//! A take on disk: written as `NAME.wav.part` with its header brought up to
//! date and synced to disk every second, and renamed to `NAME.wav` only when
//! complete. After a crash, [`super::recover`] repairs what is left.

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::convert::{TakeFormat, to_i16, to_i24};
use crate::durable::{create_private, publish_beside};

/// Suffix of a take still being recorded.
pub const PART_SUFFIX: &str = ".part";

/// `NAME.wav` → `NAME.wav.part`.
pub fn part_path(final_path: &Path) -> PathBuf {
    let mut name = final_path.as_os_str().to_owned();
    name.push(PART_SUFFIX);
    PathBuf::from(name)
}

/// A file whose `flush` also syncs its data to the disk, so that a flushed
/// header and the audio before it survive a crash or a power cut.
#[derive(Debug)]
struct DurableFile(File);

impl Write for DurableFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()?;
        self.0.sync_data()
    }
}

impl Seek for DurableFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.0.seek(pos)
    }
}

/// An open take being written.
pub struct TakeFile {
    writer: hound::WavWriter<BufWriter<DurableFile>>,
    format: TakeFormat,
    final_path: PathBuf,
    part_path: PathBuf,
    frames: u64,
}

impl std::fmt::Debug for TakeFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TakeFile")
            .field("part_path", &self.part_path)
            .field("frames", &self.frames)
            .finish_non_exhaustive()
    }
}

impl TakeFile {
    /// Creates `final_path` + `.part` (never overwriting anything) with a
    /// complete header already on disk. Fails if `final_path` exists.
    pub fn create(final_path: &Path, format: TakeFormat, sample_rate: u32) -> io::Result<Self> {
        if final_path.exists() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} already exists", final_path.display()),
            ));
        }
        let part_path = part_path(final_path);
        let file = create_private(&part_path).map_err(|err| {
            if err.kind() == io::ErrorKind::AlreadyExists {
                io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!(
                        "{} exists: a take cut short earlier? `rehearse recover` repairs it",
                        part_path.display()
                    ),
                )
            } else {
                err
            }
        })?;
        // While this file is open, `recover` (in any process) sees the take
        // is live and leaves it alone. A file system without locks only
        // loses that protection, so a failure here is not the take's.
        if let Err(err) = file.try_lock() {
            log::info!(
                "{}: not locked ({err}); recover could touch it while it records",
                part_path.display()
            );
        }
        let buffered = BufWriter::with_capacity(64 * 1024, DurableFile(file));
        let mut writer =
            hound::WavWriter::new(buffered, format.wav_spec(sample_rate)).map_err(into_io)?;
        writer.flush().map_err(into_io)?;
        Ok(Self {
            writer,
            format,
            final_path: final_path.to_path_buf(),
            part_path,
            frames: 0,
        })
    }

    /// Appends mono samples.
    pub fn write(&mut self, samples: &[f32]) -> io::Result<()> {
        match self.format {
            TakeFormat::S16 => {
                let mut block = self.writer.get_i16_writer(samples.len() as u32);
                for &sample in samples {
                    block.write_sample(to_i16(sample));
                }
                block.flush().map_err(into_io)?;
            }
            TakeFormat::S24 => {
                for &sample in samples {
                    self.writer.write_sample(to_i24(sample)).map_err(into_io)?;
                }
            }
            TakeFormat::F32 => {
                for &sample in samples {
                    self.writer
                        .write_sample(sample.clamp(-1.0, 1.0))
                        .map_err(into_io)?;
                }
            }
        }
        self.frames += samples.len() as u64;
        Ok(())
    }

    /// Brings the header up to date and syncs everything to disk.
    pub fn checkpoint(&mut self) -> io::Result<()> {
        self.writer.flush().map_err(into_io)
    }

    /// Frames written so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// The `.part` file.
    pub fn part_path(&self) -> &Path {
        &self.part_path
    }

    /// Completes the header, syncs, and gives the file its final name (or,
    /// when something appeared at that name meanwhile, a free name beside
    /// it: nothing is ever replaced).
    pub fn finish(self) -> io::Result<FinishedTake> {
        self.writer.finalize().map_err(into_io)?;
        let path = publish_beside(&self.part_path, &self.final_path)?;
        Ok(FinishedTake {
            path,
            frames: self.frames,
        })
    }

    /// After a write error: closes what can be closed, repairs the header
    /// from the data that reached the disk, and renames the file, so the
    /// audio written so far stays a valid WAV. The frames reported are those
    /// on disk, which may be fewer than were written.
    pub fn salvage(self) -> io::Result<FinishedTake> {
        // Dropping the writer tries to finalize; its error is the one being
        // salvaged from, so the repair below is what counts.
        drop(self.writer);
        let wav = super::wav_header::repair(&self.part_path)
            .map_err(|err| io::Error::other(err.to_string()))?;
        let path = publish_beside(&self.part_path, &self.final_path)?;
        Ok(FinishedTake {
            path,
            frames: wav.frames,
        })
    }
}

/// A take that has its final name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FinishedTake {
    /// Where it is: the name asked for, unless something else took it.
    pub path: PathBuf,
    /// Frames in the file.
    pub frames: u64,
}

fn into_io(err: hound::Error) -> io::Error {
    match err {
        hound::Error::IoError(err) => err,
        other => io::Error::other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_take_is_a_part_file_until_finished() {
        let dir = tempfile::tempdir().unwrap();
        let final_path = dir.path().join("01-q-take1.wav");
        let mut take = TakeFile::create(&final_path, TakeFormat::S16, 16_000).unwrap();
        assert!(take.part_path().exists());
        assert!(!final_path.exists());
        take.write(&[0.0, 0.5, -0.5, 1.0]).unwrap();
        take.checkpoint().unwrap();
        // After a checkpoint the .part is already a valid WAV.
        let reader = hound::WavReader::open(take.part_path()).unwrap();
        assert_eq!(reader.duration(), 4);
        take.write(&[0.25; 6]).unwrap();
        assert_eq!(take.frames(), 10);
        let finished = take.finish().unwrap();
        assert_eq!(finished.path, final_path);
        assert_eq!(finished.frames, 10);
        assert!(!part_path(&final_path).exists());
        let mut reader = hound::WavReader::open(&final_path).unwrap();
        assert_eq!(reader.spec(), TakeFormat::S16.wav_spec(16_000));
        let samples: Vec<i16> = reader.samples::<i16>().map(Result::unwrap).collect();
        assert_eq!(&samples[..4], &[0, 16_384, -16_384, 32_767]);
        assert_eq!(samples.len(), 10);
    }

    #[test]
    fn every_format_writes_a_readable_file() {
        let dir = tempfile::tempdir().unwrap();
        for format in [TakeFormat::S16, TakeFormat::S24, TakeFormat::F32] {
            let path = dir.path().join(format!("{}.wav", format.as_str()));
            let mut take = TakeFile::create(&path, format, 48_000).unwrap();
            take.write(&[0.5, -0.25]).unwrap();
            take.finish().unwrap();
            let reader = hound::WavReader::open(&path).unwrap();
            assert_eq!(reader.spec(), format.wav_spec(48_000));
            assert_eq!(reader.duration(), 2);
        }
    }

    #[test]
    fn an_existing_take_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("take.wav");
        std::fs::write(&path, b"keep me").unwrap();
        let err = TakeFile::create(&path, TakeFormat::S16, 48_000).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        std::fs::write(part_path(&path), b"").unwrap();
        let other = dir.path().join("other.wav");
        std::fs::write(part_path(&other), b"in progress").unwrap();
        assert!(TakeFile::create(&other, TakeFormat::S16, 48_000).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"keep me");
    }

    #[test]
    fn a_file_that_appears_at_the_final_name_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("take.wav");
        let mut take = TakeFile::create(&path, TakeFormat::S16, 8000).unwrap();
        take.write(&[0.5; 80]).unwrap();
        std::fs::write(&path, b"someone else's").unwrap();
        let finished = take.finish().unwrap();
        assert_eq!(finished.path, dir.path().join("take.recovered.wav"));
        assert_eq!(std::fs::read(&path).unwrap(), b"someone else's");
        assert_eq!(
            hound::WavReader::open(&finished.path).unwrap().duration(),
            80
        );
        assert!(!part_path(&path).exists());
    }

    #[cfg(unix)]
    #[test]
    fn takes_are_private_to_the_user() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("take.wav");
        TakeFile::create(&path, TakeFormat::S16, 48_000)
            .unwrap()
            .finish()
            .unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
