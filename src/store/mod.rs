//! Sessions on disk: one folder per session with its `session.json` and its
//! takes, written atomically, owned by one process at a time, recovered after
//! a crash, and never overwritten when damaged. Used by the CLI and the app.
//!
//! ```text
//! <data dir>/
//!   rehearse.lock               held while a process owns the folder
//!   settings.json
//!   questions/*.json            the user's own question packs
//!   sessions/<id>/session.json  <id> = <started at, UTC>-<4 hex digits>
//!   sessions/<id>/takes/<nn>-<question id>-take<k>.wav
//!   sessions/<id>/takes/<nn>-<question id>-take<k>.transcript.json
//!   models/ggml-<name>.bin      speech recognition models
//! ```

pub mod export;
mod flac;
pub mod history;
pub mod search;
pub mod session;
pub mod settings;
pub mod transcripts;

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::audio::{self, Recovery};
use crate::interview::{Plan, StopReason};
use crate::model::Rating;
use crate::paths::DataDir;

pub use session::{
    AskedQuestion, FollowUpOf, NextFollowUp, SESSION_SCHEMA_VERSION, Session, StarChecklist, Take,
};

/// What went wrong in the store. Every variant names the file or session.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// A `session.json` cannot be read; it is left exactly as it is.
    #[error("{}{}: {message}", path.display(), crate::files::place(*line, *column))]
    Damaged {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// This process may not write the data folder; the text says why.
    #[error("{0}; this one is read-only")]
    ReadOnly(String),
    /// No session matches.
    #[error("no session {0:?}; `rehearse sessions list` shows them")]
    NotFound(String),
    /// More than one session matches a prefix.
    #[error("{0:?} matches several sessions: {1}")]
    Ambiguous(String, String),
    /// A take number that the session does not have.
    #[error("session {session} has no take {take} (it has {count})")]
    NoSuchTake {
        /// The session.
        session: String,
        /// The take asked for (1-based).
        take: usize,
        /// How many takes it has.
        count: usize,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `bytes` to `path` atomically ([`crate::durable::atomic_write`]).
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    crate::durable::atomic_write(path, bytes).map_err(io_error(path))
}

/// Creates `path` and its parents, readable by the user only.
pub fn create_private_dir(path: &Path) -> Result<(), StoreError> {
    crate::durable::create_private_dir(path).map_err(io_error(path))
}

/// A session whose `session.json` cannot be read.
#[derive(Debug)]
pub struct DamagedSession {
    /// The folder name.
    pub id: String,
    /// Why it cannot be read, with file, line and column.
    pub reason: StoreError,
}

/// Every session, newest first, and those that cannot be read.
#[derive(Debug, Default)]
pub struct Listing {
    /// Readable sessions, newest first.
    pub sessions: Vec<Session>,
    /// Sessions whose manifest is damaged, by folder name.
    pub damaged: Vec<DamagedSession>,
}

/// A take found cut short at start-up and repaired.
#[derive(Debug)]
pub struct RecoveredTake {
    /// The session it belongs to.
    pub session_id: String,
    /// The repaired WAV.
    pub path: PathBuf,
    /// Its length.
    pub duration: std::time::Duration,
    /// Whether it was added to the session's takes (not when the session is
    /// damaged, or the file name is not a take's).
    pub attached: bool,
}

/// The data folder, opened.
#[derive(Debug)]
pub struct Store {
    dir: DataDir,
    access: Access,
}

/// What this process may do with the folder.
#[derive(Debug)]
enum Access {
    /// It owns the folder: the lock lasts as long as this file is open.
    Owner {
        /// Held, never read.
        _lock: File,
    },
    /// Another process holds the lock.
    OtherProcess,
    /// The folder (or its file system) cannot be written; why.
    NotWritable(String),
}

/// Takes the OS lock of the data folder `dir`: owned, held by another
/// process, or not possible on a folder this process cannot write.
fn lock(dir: &DataDir) -> Result<Access, StoreError> {
    let lock_path = dir.root().join("rehearse.lock");
    let opened = crate::durable::open_lock_file(&lock_path);
    let io = |source| StoreError::Io {
        path: lock_path.clone(),
        source,
    };
    match opened {
        Ok(file) => match file.try_lock() {
            Ok(()) => Ok(Access::Owner { _lock: file }),
            Err(fs::TryLockError::WouldBlock) => Ok(Access::OtherProcess),
            Err(fs::TryLockError::Error(source)) => Err(io(source)),
        },
        Err(source) if cannot_write(&source) => Ok(Access::NotWritable(format!(
            "{}: {source}",
            lock_path.display()
        ))),
        Err(source) => Err(io(source)),
    }
}

/// Whether an error means the folder cannot be written (a read-only file
/// system, or no permission), as opposed to a real failure.
fn cannot_write(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied
    )
}

/// What opening the store found.
#[derive(Debug)]
pub struct Opened {
    /// The store.
    pub store: Store,
    /// Takes recovered after a crash, to announce.
    pub recovered: Vec<RecoveredTake>,
    /// Takes that could not be recovered, with why.
    pub unrecoverable: Vec<String>,
}

impl Store {
    /// Opens the data folder, creating it if needed. The first process takes
    /// an OS lock, removes temporary files a killed write left, and recovers
    /// takes left by a crash; a second one, or any process on a folder it
    /// cannot write, opens it read-only ([`Self::read_only_reason`]).
    pub fn open(dir: DataDir) -> Result<Opened, StoreError> {
        let access = match create_private_dir(&dir.sessions()) {
            Ok(()) => lock(&dir)?,
            Err(StoreError::Io { ref source, .. })
                if cannot_write(source) && dir.sessions().is_dir() =>
            {
                Access::NotWritable(format!("{}: {source}", dir.sessions().display()))
            }
            Err(other) => return Err(other),
        };
        let store = Self { dir, access };
        let (recovered, unrecoverable) = if store.is_read_only() {
            (Vec::new(), Vec::new())
        } else {
            store.remove_interrupted_deletions();
            store.recover()?
        };
        Ok(Opened {
            store,
            recovered,
            unrecoverable,
        })
    }

    /// Whether this process may not write the folder.
    pub fn is_read_only(&self) -> bool {
        !matches!(self.access, Access::Owner { .. })
    }

    /// Why this process may not write the folder, in words, when it may not.
    pub fn read_only_reason(&self) -> Option<String> {
        match &self.access {
            Access::Owner { .. } => None,
            Access::OtherProcess => Some(format!(
                "another Rehearse is using {}",
                self.dir.root().display()
            )),
            Access::NotWritable(why) => Some(format!("the data folder cannot be written ({why})")),
        }
    }

    /// The data folder.
    pub fn dir(&self) -> &DataDir {
        &self.dir
    }

    fn writable(&self) -> Result<(), StoreError> {
        match self.read_only_reason() {
            Some(reason) => Err(StoreError::ReadOnly(reason)),
            None => Ok(()),
        }
    }

    /// The folder of session `id`.
    pub fn session_dir(&self, id: &str) -> PathBuf {
        self.dir.sessions().join(id)
    }

    fn manifest_path(&self, id: &str) -> PathBuf {
        self.session_dir(id).join("session.json")
    }

    /// Starts a session for `plan` and writes its manifest at once, so that
    /// takes recorded before a crash can be attached to it.
    pub fn create_session(&self, plan: &Plan) -> Result<Session, StoreError> {
        self.writable()?;
        let started_at = Timestamp::now();
        let stamp = started_at.strftime("%Y-%m-%dT%H%M%SZ").to_string();
        let id = loop {
            let candidate = format!("{stamp}-{:04x}", fastrand::u16(..));
            if !self.session_dir(&candidate).exists() {
                break candidate;
            }
        };
        create_private_dir(&self.session_dir(&id).join("takes"))?;
        let session = Session {
            schema_version: SESSION_SCHEMA_VERSION,
            id,
            started_at,
            ended_at: None,
            plan: plan.request.clone(),
            questions: plan
                .questions
                .iter()
                .map(|planned| AskedQuestion {
                    id: planned.question.id.to_string(),
                    text: planned.question.text.clone(),
                    category: planned.question.category.clone(),
                    kind: planned.question.kind,
                    think_seconds: planned.think.as_secs() as u32,
                    answer_seconds: planned.answer_limit.map(|l| l.as_secs() as u32),
                    keywords: planned.question.keywords.clone(),
                    strong_answer: planned.question.strong_answer.clone(),
                    follow_ups: planned.question.follow_ups.clone(),
                })
                .collect(),
            takes: Vec::new(),
        };
        self.save(&session)?;
        Ok(session)
    }

    /// Where take `take` of question `question_index` is recorded: the path
    /// relative to the session folder, and the full path.
    pub fn take_path(
        &self,
        session: &Session,
        question_index: usize,
        take: u32,
    ) -> (String, PathBuf) {
        take_path(&self.dir, session, question_index, take)
    }

    /// Where the recording `request` asks for goes, and what a follow-up
    /// take follows ([`planned_take`]).
    pub fn planned_take(
        &self,
        session: &Session,
        request: &crate::interview::TakeRequest,
        turn: Option<&crate::interview::FollowUpTurn>,
    ) -> (PathBuf, Option<FollowUpOf>) {
        planned_take(&self.dir, session, request, turn)
    }

    /// Writes a session's manifest (atomically).
    pub fn save(&self, session: &Session) -> Result<(), StoreError> {
        self.writable()?;
        if !is_session_folder_name(&session.id) {
            return Err(StoreError::NotFound(session.id.clone()));
        }
        let path = self.manifest_path(&session.id);
        // The file is written in this build's format, so it says so: an
        // older session saved here is upgraded (an older build then refuses
        // it by its version, not by a field it does not know).
        let upgraded;
        let current = if session.schema_version == SESSION_SCHEMA_VERSION {
            session
        } else {
            upgraded = Session {
                schema_version: SESSION_SCHEMA_VERSION,
                ..session.clone()
            };
            &upgraded
        };
        let mut json = serde_json::to_vec_pretty(current).map_err(|err| StoreError::Io {
            path: path.clone(),
            source: io::Error::other(err),
        })?;
        json.push(b'\n');
        atomic_write(&path, &json)
    }

    /// Reads session `id` (a folder name). The folder is what identifies a
    /// session: a manifest whose `id` names another folder, or whose values
    /// are impossible, is [`StoreError::Damaged`] and is never written.
    pub fn load(&self, id: &str) -> Result<Session, StoreError> {
        if !is_session_folder_name(id) {
            return Err(StoreError::NotFound(id.to_owned()));
        }
        let path = self.manifest_path(id);
        let text = crate::files::read_text(&path).map_err(|err| match err {
            crate::files::TextFileError::Io(source)
                if source.kind() == io::ErrorKind::NotFound && !self.session_dir(id).exists() =>
            {
                StoreError::NotFound(id.to_owned())
            }
            crate::files::TextFileError::Io(source) => StoreError::Io {
                path: path.clone(),
                source,
            },
            crate::files::TextFileError::NotUtf8 { line, column } => StoreError::Damaged {
                path: path.clone(),
                line,
                column,
                message: "not UTF-8 text".to_owned(),
            },
            not_regular @ crate::files::TextFileError::NotRegular(_) => StoreError::Damaged {
                path: path.clone(),
                line: 0,
                column: 0,
                message: not_regular.to_string(),
            },
        })?;
        let session = parse_session(&path, &text)?;
        let damaged = |message: String| StoreError::Damaged {
            path: path.clone(),
            line: 0,
            column: 0,
            message,
        };
        if session.id != id {
            return Err(damaged(format!(
                "its id {:?} is not the name of its folder {id:?} (a copied or edited session?); it is left as it is",
                session.id
            )));
        }
        if let Some(problem) = session.problem() {
            return Err(damaged(problem));
        }
        Ok(session)
    }

    /// Every session, newest first; damaged ones are listed apart and left
    /// untouched.
    pub fn list(&self) -> Result<Listing, StoreError> {
        let ids = self.session_ids()?;
        // Parsing a long history is the cost: share it among the cores.
        let loaded = on_every_core(&ids, |id| self.load(id));
        let mut listing = Listing::default();
        for (id, result) in ids.into_iter().zip(loaded) {
            match result {
                Ok(session) => listing.sessions.push(session),
                Err(reason) => listing.damaged.push(DamagedSession { id, reason }),
            }
        }
        listing
            .sessions
            .sort_by(|a, b| b.started_at.cmp(&a.started_at).then(b.id.cmp(&a.id)));
        listing.damaged.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(listing)
    }

    /// Folder names of all sessions, in no particular order.
    fn session_ids(&self) -> Result<Vec<String>, StoreError> {
        let sessions = self.dir.sessions();
        let entries = match fs::read_dir(&sessions) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(StoreError::Io {
                    path: sessions,
                    source,
                });
            }
        };
        let mut ids = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io_error(&sessions))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type().is_ok_and(|t| t.is_dir()) && !name.starts_with('.') {
                ids.push(name);
            }
        }
        Ok(ids)
    }

    /// The id of the session `text` names: an id, a unique prefix of one,
    /// or `latest`.
    pub fn resolve(&self, text: &str) -> Result<String, StoreError> {
        if text.trim().is_empty() {
            return Err(StoreError::NotFound(text.to_owned()));
        }
        let mut ids = self.session_ids()?;
        ids.sort();
        if text == "latest" {
            // The newest session that can be read; a damaged one is named
            // only when no other is left, so that its problem is shown.
            return ids
                .iter()
                .rev()
                .find(|id| self.load(id).is_ok())
                .or(ids.last())
                .cloned()
                .ok_or_else(|| StoreError::NotFound(text.to_owned()));
        }
        if ids.iter().any(|id| id == text) {
            return Ok(text.to_owned());
        }
        let matching: Vec<&String> = ids.iter().filter(|id| id.starts_with(text)).collect();
        match matching.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(StoreError::NotFound(text.to_owned())),
            many => Err(StoreError::Ambiguous(
                text.to_owned(),
                many.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            )),
        }
    }

    /// Deletes a session: its folder disappears at once (renamed), then its
    /// files are removed.
    pub fn delete_session(&self, id: &str) -> Result<(), StoreError> {
        self.writable()?;
        let dir = self.session_dir(id);
        if !dir.is_dir() {
            return Err(StoreError::NotFound(id.to_owned()));
        }
        let doomed = self.dir.sessions().join(format!(".deleting-{id}"));
        fs::rename(&dir, &doomed).map_err(io_error(&dir))?;
        fs::remove_dir_all(&doomed).map_err(io_error(&doomed))
    }

    /// Deletes take `number` (1-based, in recording order) of a session: the
    /// manifest first, then the file.
    pub fn delete_take(&self, session: &mut Session, number: usize) -> Result<(), StoreError> {
        self.writable()?;
        let index = take_index(session, number)?;
        let take = session.takes.remove(index);
        self.save(session)?;
        // A take whose file is not a plain name in its takes folder loses
        // its entry only: nothing outside the session is ever removed.
        let dir = self.session_dir(&session.id);
        let Ok(file) = take.audio_path(&dir) else {
            return Ok(());
        };
        // The transcript first: a transcript without its take would be
        // an orphan, a take without a transcript is merely untranscribed.
        let transcript = take.transcript_path(&dir).ok();
        let peaks = audio::peaks_file::path_for(&file);
        for path in transcript.into_iter().chain([peaks, file]) {
            match fs::remove_file(&path) {
                Err(err) if err.kind() != io::ErrorKind::NotFound => {
                    return Err(StoreError::Io { path, source: err });
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Rates take `number` (1-based) and, when given, replaces its notes.
    pub fn rate(
        &self,
        session: &mut Session,
        number: usize,
        rating: Rating,
        notes: Option<&str>,
    ) -> Result<(), StoreError> {
        self.writable()?;
        let index = take_index(session, number)?;
        session.takes[index].rating = Some(rating);
        if let Some(notes) = notes {
            session.takes[index].notes = notes.to_owned();
        }
        self.save(session)
    }

    /// Repairs `.wav.part` files left by a crash, and adds them and any
    /// finished take that no manifest lists (its save failed, say on a full
    /// disk) to their sessions. A session that cannot be saved keeps its
    /// takes on disk; they are added at the next start.
    fn recover(&self) -> Result<(Vec<RecoveredTake>, Vec<String>), StoreError> {
        let mut recovered = Vec::new();
        let mut unrecoverable = Vec::new();
        let ids = self.session_ids()?;
        // Looking is the cost over a long history: on every core. Repairs,
        // which are rare, are made one at a time.
        let looks = on_every_core(&ids, |id| self.look_for_recovery(id));
        for (id, look) in ids.into_iter().zip(looks) {
            let found = match look {
                Look::Nothing => continue,
                Look::Unreadable(message) => {
                    unrecoverable.push(message);
                    continue;
                }
                Look::Needed(found) => found,
            };
            let takes_dir = self.session_dir(&id).join("takes");
            let outcomes = if found.parts_or_folders {
                match audio::recover_dir(&takes_dir) {
                    Ok(outcomes) => outcomes,
                    Err(err) => {
                        unrecoverable.push(format!("{}: {err}", takes_dir.display()));
                        continue;
                    }
                }
            } else {
                Vec::new()
            };
            // A damaged session gets its repaired takes, but no manifest
            // change: it is never written.
            let mut session = self.load(&id).ok();
            let mut changed = false;
            for outcome in outcomes {
                match outcome {
                    Recovery::Recovered { path, wav } => {
                        let attached = session
                            .as_mut()
                            .is_some_and(|session| attach_recovered(session, &path, &wav));
                        changed |= attached;
                        recovered.push(RecoveredTake {
                            session_id: id.clone(),
                            path,
                            duration: wav.duration(),
                            attached,
                        });
                    }
                    Recovery::Failed(err) => unrecoverable.push(err.to_string()),
                }
            }
            if let Some(session) = &mut session {
                for (path, wav) in unlisted_takes(session, &takes_dir, &found.wavs) {
                    if attach_recovered(session, &path, &wav) {
                        changed = true;
                        recovered.push(RecoveredTake {
                            session_id: id.clone(),
                            path,
                            duration: wav.duration(),
                            attached: true,
                        });
                    }
                }
            }
            if let Some(session) = session.filter(|_| changed)
                && let Err(err) = self.save(&session)
            {
                unrecoverable.push(format!(
                    "session {id} could not be saved ({err}); its takes stay in {} and are added at the next start",
                    takes_dir.display()
                ));
            }
        }
        Ok((recovered, unrecoverable))
    }

    /// Whether session `id` needs recovery: removes its abandoned temporary
    /// files, and looks for `.wav.part` files and takes its manifest does
    /// not list (known without reading the whole manifest).
    fn look_for_recovery(&self, id: &str) -> Look {
        remove_abandoned_writes(&self.session_dir(id));
        let takes_dir = self.session_dir(id).join("takes");
        if !fs::symlink_metadata(&takes_dir).is_ok_and(|m| m.is_dir()) {
            return Look::Nothing;
        }
        match TakesFolder::read(&takes_dir) {
            Err(err) => Look::Unreadable(format!("{}: {err}", takes_dir.display())),
            Ok(found)
                if !found.parts_or_folders && lists_all(&self.manifest_path(id), &found.wavs) =>
            {
                Look::Nothing
            }
            Ok(found) => Look::Needed(found),
        }
    }

    /// Finishes deletions of sessions a killed process cut short, and
    /// removes the settings' temporary file it left.
    fn remove_interrupted_deletions(&self) {
        remove_abandoned_writes(self.dir.root());
        let Ok(entries) = fs::read_dir(self.dir.sessions()) else {
            return;
        };
        for entry in entries.flatten() {
            let doomed = entry
                .file_name()
                .to_string_lossy()
                .starts_with(".deleting-")
                && entry.file_type().is_ok_and(|t| t.is_dir());
            // The user already chose to delete it.
            if doomed && let Err(err) = fs::remove_dir_all(entry.path()) {
                log::warn!("{}: {err}", entry.path().display());
            }
        }
    }
}

/// Removes the temporary files of atomic writes in `folder` whose process
/// has ended.
fn remove_abandoned_writes(folder: &Path) {
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        if crate::durable::is_abandoned_write(&entry.file_name().to_string_lossy())
            && entry.file_type().is_ok_and(|t| t.is_file())
            && let Err(err) = fs::remove_file(entry.path())
        {
            log::warn!("{}: {err}", entry.path().display());
        }
    }
}

/// What start-up recovery found in one session.
enum Look {
    /// Nothing to repair or attach (the usual case).
    Nothing,
    /// Its `takes/` could not be read: why.
    Unreadable(String),
    /// Something to repair or attach.
    Needed(TakesFolder),
}

/// `work` on each of `items`, shared among the cores (at most 8); the
/// results in the items' order.
fn on_every_core<T: Send>(items: &[String], work: impl Fn(&str) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, 8);
    let per_thread = items.len().div_ceil(threads).max(1);
    let work = &work;
    let run = move |part: &[String]| -> Vec<T> { part.iter().map(|item| work(item)).collect() };
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(per_thread)
            .map(|part| (part, scope.spawn(move || run(part))))
            .collect();
        handles
            .into_iter()
            .flat_map(|(part, handle)| handle.join().unwrap_or_else(|_| run(part)))
            .collect()
    })
}

/// What recovery looks for in a session's `takes/`, from one reading of it.
struct TakesFolder {
    /// Whether it holds a `.wav.part` or a folder (where recovery looks too).
    parts_or_folders: bool,
    /// The names of its visible `.wav` files (regular files: links are left
    /// out).
    wavs: Vec<String>,
}

impl TakesFolder {
    fn read(takes_dir: &Path) -> io::Result<Self> {
        let entries = fs::read_dir(takes_dir)?;
        let mut found = Self {
            parts_or_folders: false,
            wavs: Vec::new(),
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let kind = entry.file_type().ok();
            if name.ends_with(".wav.part") || kind.is_some_and(|t| t.is_dir()) {
                found.parts_or_folders = true;
            } else if name.ends_with(".wav")
                && !name.starts_with('.')
                && kind.is_some_and(|t| t.is_file())
            {
                found.wavs.push(name);
            }
        }
        Ok(found)
    }
}

/// Only the take files of a manifest: reading them skips building the rest
/// of the session, which makes start-up recovery over a long history cheap.
#[derive(serde::Deserialize)]
struct TakeFiles {
    takes: Vec<TakeFile>,
}

#[derive(serde::Deserialize)]
struct TakeFile {
    file: String,
}

/// Whether the manifest at `manifest` lists every one of `wavs` (names in
/// its session's `takes/`). A manifest that cannot be read this way counts
/// as not listing them, so recovery then reads it whole and decides as
/// always.
fn lists_all(manifest: &Path, wavs: &[String]) -> bool {
    if wavs.is_empty() {
        return true;
    }
    let Ok(text) = crate::files::read_text(manifest) else {
        return false;
    };
    let Ok(listed) = serde_json::from_str::<TakeFiles>(&text) else {
        return false;
    };
    wavs.iter()
        .all(|name| listed.takes.iter().any(|take| names_file(&take.file, name)))
}

/// Whether a take's `file` (relative to its session folder) is `name` in
/// `takes/`.
fn names_file(file: &str, name: &str) -> bool {
    file.strip_prefix("takes/") == Some(name)
}

/// Those of `wavs` (names in `takes_dir`, from [`TakesFolder::read`]) that
/// `session`'s manifest does not list and that hold audio, with what they
/// hold, in name order.
fn unlisted_takes(
    session: &Session,
    takes_dir: &Path,
    wavs: &[String],
) -> Vec<(PathBuf, audio::wav_header::RepairedWav)> {
    let mut found: Vec<(PathBuf, audio::wav_header::RepairedWav)> = wavs
        .iter()
        .filter(|name| {
            !session
                .takes
                .iter()
                .any(|take| names_file(&take.file, name))
        })
        .filter_map(|name| {
            let path = takes_dir.join(name);
            let wav = audio::wav_header::inspect(&path).ok()?;
            Some((path, wav))
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// Whether `name` can be a session folder: one plain, visible name.
fn is_session_folder_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\0'])
        && Path::new(name).components().count() == 1
}

/// Where take `take` of question `question_index` of `session` is recorded
/// in the data folder `dir`: relative to the session folder, and in full. The
/// question id is sanitised, whatever the manifest says.
pub fn take_path(
    dir: &DataDir,
    session: &Session,
    question_index: usize,
    take: u32,
) -> (String, PathBuf) {
    take_file(dir, session, (question_index, take, false))
}

/// A take's file name without its extension, the one rule for the data
/// folder and exports: `NN-id-takeN` for answers, `NN-id-then-follow-upN`
/// for follow-up takes, so a question's follow-ups sort after its answers
/// and before the next question. `question_id` is sanitised here.
pub fn take_stem(question_index: usize, question_id: &str, take: u32, follow_up: bool) -> String {
    let kind = if follow_up { "then-follow-up" } else { "take" };
    format!(
        "{:02}-{}-{kind}{take}",
        question_index + 1,
        crate::files::sanitize_component(question_id, 80)
    )
}

/// Where the recording `request` asks for goes, and for a follow-up take
/// (`turn`, the follow-up being asked), what it follows: the question's
/// latest take one level up (names: [`take_stem`]).
/// A follow-up whose take to follow is not there (it cannot happen from
/// the state machine) is logged and kept as an answer.
pub fn planned_take(
    dir: &DataDir,
    session: &Session,
    request: &crate::interview::TakeRequest,
    turn: Option<&crate::interview::FollowUpTurn>,
) -> (PathBuf, Option<FollowUpOf>) {
    let question = request.question_index;
    if request.follow_up_depth == 0 {
        return (take_path(dir, session, question, request.take).1, None);
    }
    let parent = session.latest_take_at(question, request.follow_up_depth - 1);
    let follow_up = match (parent, turn) {
        (Some(parent), Some(turn)) => Some(FollowUpOf {
            take: parent.file.clone(),
            ask: turn.ask.clone(),
            reason: turn.reason.clone(),
            depth: request.follow_up_depth,
        }),
        _ => {
            log::error!(
                "a follow-up of question {} with nothing to follow: kept as an answer",
                question + 1
            );
            None
        }
    };
    let (_, path) = take_file(dir, session, (question, request.take, true));
    (path, follow_up)
}

/// `takes/STEM.wav` of `session` ([`take_stem`] with the question's id),
/// relative and in full.
fn take_file(
    dir: &DataDir,
    session: &Session,
    (question_index, take, follow_up): (usize, u32, bool),
) -> (String, PathBuf) {
    let question_id = session
        .questions
        .get(question_index)
        .map_or("question", |q| q.id.as_str());
    let relative = format!(
        "takes/{}.wav",
        take_stem(question_index, question_id, take, follow_up)
    );
    let full = dir
        .sessions()
        .join(crate::files::sanitize_component(&session.id, 80))
        .join(&relative);
    (relative, full)
}

/// Index in `session.takes` of take `number` (1-based).
fn take_index(session: &Session, number: usize) -> Result<usize, StoreError> {
    if number == 0 || number > session.takes.len() {
        return Err(StoreError::NoSuchTake {
            session: session.id.clone(),
            take: number,
            count: session.takes.len(),
        });
    }
    Ok(number - 1)
}

/// Adds a recovered WAV to its session, reading the question and take
/// number from its name (`<nn>-<question id>-take<k>.wav`).
fn attach_recovered(
    session: &mut Session,
    path: &Path,
    wav: &audio::wav_header::RepairedWav,
) -> bool {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return false;
    };
    let relative = format!("takes/{name}");
    if session.takes.iter().any(|t| t.file == relative) {
        return true;
    }
    let parsed = name
        .strip_suffix(".wav")
        .and_then(|stem| {
            let (number, rest) = stem.split_once('-')?;
            let (_, take) = rest.rsplit_once("-take")?;
            Some((number.parse::<usize>().ok()?, take.parse::<u32>().ok()?))
        })
        .filter(|&(number, _)| number >= 1 && number <= session.questions.len());
    let Some((number, take)) = parsed else {
        return false;
    };
    let started_at = fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|modified| Timestamp::try_from(modified).ok())
        .map_or(session.started_at, |end| {
            end.checked_sub(jiff::SignedDuration::try_from(wav.duration()).unwrap_or_default())
                .unwrap_or(end)
        });
    let take = Take {
        duration_ms: wav.duration().as_millis() as u64,
        format: match wav.bits_per_sample {
            24 => audio::TakeFormat::S24,
            32 => audio::TakeFormat::F32,
            _ => audio::TakeFormat::S16,
        },
        sample_rate: wav.sample_rate,
        stopped: StopReason::Recovered,
        ..session.new_take(number - 1, take, relative, started_at)
    };
    session.takes.push(take);
    true
}

/// Parses a manifest; a problem becomes [`StoreError::Damaged`] with its
/// place in the file.
pub fn parse_session(path: &Path, text: &str) -> Result<Session, StoreError> {
    let session: Session = serde_json::from_str(text).map_err(|err| StoreError::Damaged {
        path: path.to_path_buf(),
        line: err.line(),
        column: err.column(),
        message: err.to_string(),
    })?;
    if session.schema_version > SESSION_SCHEMA_VERSION {
        return Err(StoreError::Damaged {
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            message: format!(
                "written by a newer Rehearse (schema_version {}); this one reads up to {SESSION_SCHEMA_VERSION}",
                session.schema_version
            ),
        });
    }
    Ok(session)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_follow_up_take_is_named_apart_and_follows_the_latest_take_above_it() {
        let folder = tempfile::tempdir().unwrap();
        let dir = DataDir::resolve(Some(folder.path().to_path_buf())).unwrap();
        let session = session::fixture();
        let request = |take, follow_up_depth| crate::interview::TakeRequest {
            question_index: 0,
            take,
            limit: None,
            follow_up_depth,
        };
        let turn = crate::interview::FollowUpTurn {
            depth: 1,
            ask: "What did you measure?".to_owned(),
            reason: "no measurable result yet".to_owned(),
        };
        let (answer, none) = planned_take(&dir, &session, &request(3, 0), None);
        assert!(answer.ends_with("takes/01-relational-database-experience-take3.wav"));
        assert_eq!(none, None);
        let (path, of) = planned_take(&dir, &session, &request(1, 1), Some(&turn));
        assert!(path.ends_with("takes/01-relational-database-experience-then-follow-up1.wav"));
        let of = of.unwrap();
        assert_eq!(of.take, session.takes[1].file, "the latest answer");
        assert_eq!((of.depth, of.ask.as_str()), (1, "What did you measure?"));
        // Two deep with no follow-up take to follow: kept as an answer.
        let (_, orphan) = planned_take(&dir, &session, &request(2, 2), Some(&turn));
        assert_eq!(orphan, None);
    }

    #[test]
    fn a_manifest_lists_its_takes_by_their_file_names_only() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join("session.json");
        let wavs = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>();
        // JSON may escape the slash; other fields are not read.
        fs::write(
            &manifest,
            r#"{"id": "x", "takes": [{"file": "takes/01-a-take1.wav", "rating": 9},
                                       {"file": "takes\/02-b-take1.wav"}]}"#,
        )
        .unwrap();
        assert!(lists_all(
            &manifest,
            &wavs(&["01-a-take1.wav", "02-b-take1.wav"])
        ));
        assert!(!lists_all(&manifest, &wavs(&["01-a-take2.wav"])));
        assert!(lists_all(&manifest, &[]), "nothing to list");
        // A manifest that cannot be read this way sends recovery to the
        // whole reading, which decides as always.
        fs::write(&manifest, r#"{"takes": [{"file": 3}]}"#).unwrap();
        assert!(!lists_all(&manifest, &wavs(&["01-a-take1.wav"])));
        fs::remove_file(&manifest).unwrap();
        assert!(!lists_all(&manifest, &wavs(&["01-a-take1.wav"])));
    }

    #[test]
    fn one_reading_of_takes_finds_wavs_parts_and_folders() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("01-a-take1.wav"), b"").unwrap();
        fs::write(dir.path().join(".hidden.wav"), b"").unwrap();
        fs::write(dir.path().join("notes.txt"), b"").unwrap();
        let found = TakesFolder::read(dir.path()).unwrap();
        assert_eq!(found.wavs, ["01-a-take1.wav"]);
        assert!(!found.parts_or_folders);
        fs::write(dir.path().join("02-b-take1.wav.part"), b"").unwrap();
        assert!(TakesFolder::read(dir.path()).unwrap().parts_or_folders);
        fs::remove_file(dir.path().join("02-b-take1.wav.part")).unwrap();
        fs::create_dir(dir.path().join("old")).unwrap();
        assert!(TakesFolder::read(dir.path()).unwrap().parts_or_folders);
    }
}
