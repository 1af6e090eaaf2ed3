//! The log: what Rehearse does not show but must not lose (a folder that
//! could not be synced, a background thread that ended, a leftover that
//! could not be removed) goes through the `log` facade to stderr and to a
//! small file, `rehearse.log`, in the platform's state folder (e.g.
//! `~/.local/state/rehearse/` on Linux; beside the data when the data
//! folder is named with `--data-dir`), created at the first record. The
//! level comes from `RUST_LOG`
//! (`error`, `warn`, `info`, `debug`, `trace`; warnings by default). The
//! file is rotated at 1 MiB, keeping the two before it.

use std::cell::RefCell;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

use log::{Level, LevelFilter, Log, Metadata, Record};

/// Size at which the file is rotated.
const ROTATE_AT: u64 = 1 << 20;
/// Older files kept: `rehearse.log.1`, `rehearse.log.2`.
const KEPT: u32 = 2;

static LOG_FILE: OnceLock<PathBuf> = OnceLock::new();

thread_local! {
    /// The first error the file-dialog library logged on this thread
    /// while [`file_dialog_error`] watched.
    static DIALOG_ERROR: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
}

/// Runs `dialog` (one of `rfd`'s blocking file dialogs) and returns what
/// it returned with the error it logged, if any. `rfd` answers `None` both
/// when the user cancels and when no dialog could open (no desktop portal,
/// no zenity), and tells the second only to the log; this is how Rehearse
/// tells them apart. It needs the logger of [`init`] at the error level.
pub fn file_dialog_error<T>(dialog: impl FnOnce() -> T) -> (T, Option<String>) {
    DIALOG_ERROR.with(|seen| *seen.borrow_mut() = Some(None));
    let answer = dialog();
    let error = DIALOG_ERROR.with(|seen| seen.borrow_mut().take().flatten());
    (answer, error)
}

/// Runs `work` with a panic in it contained: the panic is logged as an
/// error naming `what`, and `None` comes back instead of the thread
/// ending. For the loops of long-lived threads (the worker, the job
/// queue), so one bad request never stops the ones after it.
pub fn contain_panic<T>(what: impl std::fmt::Display, work: impl FnOnce() -> T) -> Option<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
        Ok(value) => Some(value),
        Err(payload) => {
            let why = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(no message)".to_owned());
            log::error!("{what} panicked: {why}");
            None
        }
    }
}

/// Where the log file is (or will be, at the first record), once [`init`]
/// has run with a folder.
pub fn log_file() -> Option<&'static Path> {
    LOG_FILE.get().map(PathBuf::as_path)
}

/// The folder the log goes in: `explicit_data_dir/log` when the user named
/// a data folder, else the platform's place for an app's logs: the state
/// folder on Linux (`~/.local/state/rehearse`), `%LOCALAPPDATA%\rehearse\
/// Rehearse\logs` on Windows (on this machine, out of the roaming
/// profile), `~/Library/Logs/Rehearse` on macOS.
pub fn log_folder(explicit_data_dir: Option<&Path>) -> Option<PathBuf> {
    if let Some(data) = explicit_data_dir {
        return Some(data.join("log"));
    }
    let dirs = directories::ProjectDirs::from("io.github", "rehearse", "Rehearse")?;
    if cfg!(windows) {
        // `data_local_dir` is `%LOCALAPPDATA%\rehearse\Rehearse\data`.
        if let Some(app) = dirs.data_local_dir().parent() {
            return Some(app.join("logs"));
        }
    }
    if cfg!(target_os = "macos") {
        let home = directories::BaseDirs::new()?;
        return Some(home.home_dir().join("Library/Logs/Rehearse"));
    }
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.cache_dir())
            .to_path_buf(),
    )
}

/// The level `RUST_LOG` asks for (its last plain level word), or warnings.
fn level_from_env() -> LevelFilter {
    std::env::var("RUST_LOG")
        .ok()
        .and_then(|value| {
            value
                .split([',', '='])
                .filter_map(|word| word.trim().parse::<LevelFilter>().ok())
                .next_back()
        })
        .unwrap_or(LevelFilter::Warn)
}

struct Logger {
    /// Where the file goes; it is opened at the first record, so a run
    /// that logs nothing leaves nothing behind.
    path: Option<PathBuf>,
    file: Mutex<Option<LogFile>>,
}

struct LogFile {
    path: PathBuf,
    file: File,
    written: u64,
}

impl LogFile {
    fn open(path: PathBuf) -> std::io::Result<Self> {
        if let Some(folder) = path.parent() {
            crate::durable::create_private_dir(folder)?;
        }
        let mut options = crate::durable::private_file_options();
        options.create(true).append(true);
        let file = crate::durable::open_own_file(&options, &path)?;
        let written = file.metadata()?.len();
        Ok(Self {
            path,
            file,
            written,
        })
    }

    fn write_line(&mut self, line: &str) {
        if self.written + line.len() as u64 > ROTATE_AT
            && let Err(err) = self.rotate()
        {
            // The line still goes to the full file rather than being lost.
            eprintln!(
                "rehearse: cannot rotate the log {}: {err}",
                self.path.display()
            );
        }
        match self.file.write_all(line.as_bytes()) {
            Ok(()) => self.written += line.len() as u64,
            Err(err) => eprintln!(
                "rehearse: cannot write the log {}: {err}",
                self.path.display()
            ),
        }
    }

    fn rotate(&mut self) -> std::io::Result<()> {
        let numbered = |n: u32| {
            let mut name = self.path.as_os_str().to_owned();
            name.push(format!(".{n}"));
            PathBuf::from(name)
        };
        for n in (1..KEPT).rev() {
            if numbered(n).exists() {
                fs::rename(numbered(n), numbered(n + 1))?;
            }
        }
        fs::rename(&self.path, numbered(1))?;
        *self = Self::open(self.path.clone())?;
        Ok(())
    }
}

impl Log for Logger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let level = match record.level() {
            Level::Error => "error",
            Level::Warn => "warning",
            Level::Info => "info",
            Level::Debug => "debug",
            Level::Trace => "trace",
        };
        let text = crate::files::printable(&record.args().to_string()).into_owned();
        if record.level() == Level::Error && record.target().starts_with("rfd") {
            DIALOG_ERROR.with(|seen| {
                if let Some(first @ None) = seen.borrow_mut().as_mut() {
                    *first = Some(text.clone());
                }
            });
        }
        // The recognition library's own messages ("failed to decode" when a
        // transcription is cancelled) go to the log file: what failed
        // reaches the user once, as the error Rehearse reports.
        let library = record.target().starts_with("whisper_rs");
        if !library || self.path.is_none() {
            eprintln!("rehearse: {level}: {text}");
        }
        let Some(path) = &self.path else {
            return;
        };
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        if file.is_none() {
            match LogFile::open(path.clone()) {
                Ok(opened) => *file = Some(opened),
                Err(err) => {
                    eprintln!("rehearse: cannot write the log {}: {err}", path.display());
                    return;
                }
            }
        }
        if let Some(file) = file.as_mut() {
            file.write_line(&format!(
                "{} {level} [{}] {text}\n",
                jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S%.3fZ"),
                record.target()
            ));
        }
    }

    fn flush(&self) {
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(file) = file.as_mut()
            && let Err(err) = file.file.flush()
        {
            eprintln!(
                "rehearse: cannot write the log {}: {err}",
                file.path.display()
            );
        }
    }
}

/// Starts logging to stderr and to `folder/rehearse.log` (opened when
/// the first record comes). Only the first call of a process counts.
pub fn init(folder: Option<PathBuf>) {
    let path = folder.map(|folder| folder.join("rehearse.log"));
    if let Some(path) = &path {
        LOG_FILE.set(path.clone()).ok();
    }
    let logger = Logger {
        path,
        file: Mutex::new(None),
    };
    if log::set_boxed_logger(Box::new(logger)).is_ok() {
        log::set_max_level(level_from_env());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contained_panic_is_logged_and_becomes_none() {
        assert_eq!(contain_panic("a sum", || 2 + 2), Some(4));
        let failed: Option<u8> = contain_panic("a test", || panic!("on purpose"));
        assert_eq!(failed, None);
    }

    #[test]
    fn the_file_is_rotated_and_keeps_two_older_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rehearse.log");
        let mut log = LogFile::open(path.clone()).unwrap();
        let line = format!("{}\n", "x".repeat(999));
        for _ in 0..(4 * ROTATE_AT / 1000) {
            log.write_line(&line);
        }
        for name in ["rehearse.log", "rehearse.log.1", "rehearse.log.2"] {
            let size = fs::metadata(dir.path().join(name)).unwrap().len();
            assert!(size > 0 && size <= ROTATE_AT, "{name}: {size}");
        }
        assert!(!dir.path().join("rehearse.log.3").exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_log_file_that_is_a_link_is_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, b"keep").unwrap();
        let path = dir.path().join("rehearse.log");
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        let err = LogFile::open(path).err().expect("a link is refused");
        assert!(err.to_string().contains("not a regular file"), "{err}");
        assert_eq!(fs::read(&victim).unwrap(), b"keep");
    }
}
