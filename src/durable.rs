//! Durable, private writes, in one place: files and folders readable by the
//! user only (they hold their voice and their notes), JSON written
//! atomically (temporary file, fsync, rename, fsync of the folder), and a
//! finished take given its final name without ever replacing a file.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Options that create files readable by the user only, where the platform
/// has such permissions; the caller adds how to open.
pub fn private_file_options() -> OpenOptions {
    #[cfg_attr(not(unix), allow(unused_mut, reason = "only Unix sets a mode"))]
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Opens `path` with `options` without following a symbolic link at its
/// end and without waiting on a FIFO, and refuses anything that is not a
/// regular file: a link planted in the data folder (a restored or shared
/// folder) must never make Rehearse write through it to another file.
pub fn open_own_file(options: &OpenOptions, path: &Path) -> io::Result<File> {
    #[cfg_attr(not(unix), allow(unused_mut, reason = "only Unix adds flags"))]
    let mut options = options.clone();
    #[cfg(unix)]
    {
        use rustix::fs::OFlags;
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags((OFlags::NOFOLLOW | OFlags::NONBLOCK).bits() as i32);
    }
    #[cfg(not(unix))]
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(not_regular(path));
    }
    let file = options.open(path).map_err(|err| {
        // Linux says ELOOP for a link where O_NOFOLLOW forbids one.
        #[cfg(unix)]
        if err.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
            return not_regular(path);
        }
        err
    })?;
    if file.metadata()?.is_file() {
        Ok(file)
    } else {
        Err(not_regular(path))
    }
}

fn not_regular(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{} is a link, a folder or a device, not a regular file; move it away and try again",
            path.display()
        ),
    )
}

/// Opens (creating it when missing, never truncating it) the lock file
/// `path`, readable by the user only; the caller takes the OS lock on it.
pub fn open_lock_file(path: &Path) -> io::Result<File> {
    let mut options = private_file_options();
    options.create(true).truncate(false).write(true);
    open_own_file(&options, path)
}

/// Creates `path` for writing, failing if it exists; readable by the user
/// only.
pub fn create_private(path: &Path) -> io::Result<File> {
    private_file_options()
        .write(true)
        .read(true)
        .create_new(true)
        .open(path)
}

/// `PATH.KIND-PID`: where this process keeps a temporary `kind` of `path`
/// (an atomic write's `tmp`, an export's `partial`).
pub fn temporary_path(path: &Path, kind: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{kind}-{}", std::process::id()));
    PathBuf::from(name)
}

/// Whether the file name `name` is a temporary `kind` of `base`
/// ([`temporary_path`], or an atomic write's `PATH.tmp-PID-N`) made by a
/// process that has ended, so that it can only be a leftover.
pub fn is_abandoned(name: &str, base: &str, kind: &str) -> bool {
    name.strip_prefix(base)
        .and_then(|rest| rest.strip_prefix(&format!(".{kind}-")))
        .and_then(|rest| {
            let (pid, write) = rest.split_once('-').unwrap_or((rest, "0"));
            write.parse::<u64>().ok()?;
            pid.parse::<u32>().ok()
        })
        .is_some_and(|pid| !crate::files::process_is_alive(pid))
}

/// Creates `path` and its parents, readable by the user only (on Unix).
/// When a file stands where a folder must be, the error names that file
/// (systems word it differently, and Wine as "File already exists").
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path).map_err(|err| {
        let in_the_way = path
            .ancestors()
            .find(|folder| fs::symlink_metadata(folder).is_ok())
            .filter(|existing| !existing.is_dir());
        match in_the_way {
            Some(file) => io::Error::new(
                io::ErrorKind::NotADirectory,
                format!("{} is a file, not a folder", file.display()),
            ),
            None => err,
        }
    })
}

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// folder (`.NAME.tmp-PID-N`, a name of its own for every write, so two
/// threads writing one file never share one), synced, then renamed over
/// `path`, then the folder synced. A crash leaves either the old file or
/// the new one, never a mix; the store removes temporary files of dead
/// processes at start.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let folder = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let write = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut temporary =
        temporary_path(&folder.join(format!(".{name}")), TEMPORARY).into_os_string();
    temporary.push(format!("-{write}"));
    let temporary = PathBuf::from(temporary);
    let result = (|| {
        // A name left by an earlier process with this process's id is a
        // leftover: nothing of ours can be writing it.
        let mut file = create_private(&temporary).or_else(|err| {
            if err.kind() == io::ErrorKind::AlreadyExists {
                fs::remove_file(&temporary)?;
                create_private(&temporary)
            } else {
                Err(err)
            }
        })?;
        file.write_all(bytes)?;
        file.sync_all()?;
        // Closed before the rename: Windows cannot replace a file through
        // a name that is still open without sharing its deletion.
        drop(file);
        fs::rename(&temporary, path)?;
        sync_folder(folder);
        Ok(())
    })();
    if result.is_err()
        && let Err(err) = fs::remove_file(&temporary)
        && err.kind() != io::ErrorKind::NotFound
    {
        // Removed at the next start instead.
        log::warn!("{}: {err}", temporary.display());
    }
    result
}

/// The kind of an atomic write's temporary file (`.NAME.tmp-PID-N`).
pub const TEMPORARY: &str = "tmp";

/// Whether `name` is an atomic write's temporary file left by a process
/// that has ended.
pub fn is_abandoned_write(name: &str) -> bool {
    name.starts_with('.')
        && name
            .rsplit_once(&format!(".{TEMPORARY}-"))
            .is_some_and(|(base, _)| is_abandoned(name, base, TEMPORARY))
}

/// Syncs a folder, so that a rename in it survives a crash (`fsync` on
/// Unix, `FlushFileBuffers` on Windows, where a folder opens only with
/// backup semantics). Not every file system can; the rename is done either
/// way.
fn sync_folder(folder: &Path) {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        /// `FILE_FLAG_BACKUP_SEMANTICS`: what opening a folder needs.
        const OPEN_A_FOLDER: u32 = 0x0200_0000;
        options.custom_flags(OPEN_A_FOLDER);
    }
    if let Err(err) = options.open(folder).and_then(|dir| dir.sync_all()) {
        log::debug!("{}: not synced: {err}", folder.display());
    }
}

/// Gives a finished `.part` its final name without ever replacing a file,
/// and syncs the folder so the new name survives a crash. Fails with
/// [`io::ErrorKind::AlreadyExists`] when `final_path` exists.
pub fn publish(part_path: &Path, final_path: &Path) -> io::Result<()> {
    // A hard link fails when the name exists, where a rename would replace
    // it; the link is then removed from the `.part` name.
    match fs::hard_link(part_path, final_path) {
        Ok(()) => fs::remove_file(part_path)?,
        Err(err) if err.kind() == io::ErrorKind::AlreadyExists => return Err(err),
        Err(_) => {
            // A file system without hard links (FAT, some network shares):
            // check, then rename; only a race of microseconds remains.
            if fs::symlink_metadata(final_path).is_ok() {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} exists", final_path.display()),
                ));
            }
            fs::rename(part_path, final_path)?;
        }
    }
    if let Some(folder) = final_path.parent() {
        sync_folder(folder);
    }
    Ok(())
}

/// Publishes `part_path` as `final_path`, or as the first free
/// `NAME.recovered[-n].wav` beside it when that name is taken; the name used.
pub fn publish_beside(part_path: &Path, final_path: &Path) -> io::Result<PathBuf> {
    publish_under_free_name(part_path, final_path, |n| numbered_name(final_path, n))
}

/// Publishes `part_path` as `final_path`, or when that name is taken as the
/// first free `numbered(1)`, `numbered(2)`…; the name used. Never replaces
/// a file.
pub fn publish_under_free_name(
    part_path: &Path,
    final_path: &Path,
    numbered: impl Fn(u32) -> PathBuf,
) -> io::Result<PathBuf> {
    let mut candidate = final_path.to_path_buf();
    for attempt in 1..=1000 {
        match publish(part_path, &candidate) {
            Ok(()) => return Ok(candidate),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                candidate = numbered(attempt);
            }
            Err(err) => return Err(err),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("no free name beside {}", final_path.display()),
    ))
}

/// `NAME.wav` → `NAME.recovered.wav` (n = 1), `NAME.recovered-n.wav`.
fn numbered_name(final_path: &Path, n: u32) -> PathBuf {
    let text = final_path.to_string_lossy();
    let stem = text.strip_suffix(".wav").unwrap_or(&text);
    if n == 1 {
        PathBuf::from(format!("{stem}.recovered.wav"))
    } else {
        PathBuf::from(format!("{stem}.recovered-{n}.wav"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_atomic_write_replaces_the_whole_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("session.json");
        atomic_write(&path, b"{\"old\": true}").unwrap();
        atomic_write(&path, b"{}").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"{}");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    /// Two threads writing one file: every reading is one whole version.
    #[test]
    fn parallel_atomic_writes_of_one_file_never_publish_a_mix() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        atomic_write(&path, &[b'a'; 65_536]).unwrap();
        std::thread::scope(|scope| {
            for byte in [b'a', b'b'] {
                let path = &path;
                scope.spawn(move || {
                    for _ in 0..300 {
                        atomic_write(path, &[byte; 65_536]).unwrap();
                    }
                });
            }
            for _ in 0..2_000 {
                let bytes = fs::read(&path).unwrap();
                assert_eq!(bytes.len(), 65_536, "a half-written file was published");
                assert!(bytes.iter().all(|&b| b == bytes[0]), "two writes mixed");
            }
        });
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary is left");
    }

    #[test]
    fn temporaries_of_ended_processes_are_recognised_old_names_and_new() {
        // PID 4,000,000 exceeds Linux's pid_max: no such process.
        assert!(is_abandoned_write(".session.json.tmp-4000000"));
        assert!(is_abandoned_write(".session.json.tmp-4000000-17"));
        let mine = format!(".session.json.tmp-{}-3", std::process::id());
        assert!(!is_abandoned_write(&mine));
        assert!(!is_abandoned_write(".session.json.tmp-x-3"));
    }

    #[cfg(unix)]
    #[test]
    fn what_is_created_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("a/b");
        create_private_dir(&folder).unwrap();
        atomic_write(&folder.join("x.json"), b"1").unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&folder), 0o700);
        assert_eq!(mode(&folder.join("x.json")), 0o600);
    }
}
