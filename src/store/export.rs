//! Export of sessions for a coach or a friend: a folder or a `.zip` with the
//! audio (WAV as recorded, or FLAC), a self-contained `report.html`, a
//! `takes.csv` and each `session.json`.
//!
//! The export is built under a temporary name beside the destination and
//! renamed into place only when complete, so an error, a cancel or a signal
//! leaves nothing half-written (and a killed export's leftovers are removed
//! by the next one). A destination is refused when it is, holds or lies
//! inside the data folder, or is anything but a regular file or a folder;
//! `force` replaces only an earlier export (recognised by its marker), which
//! is moved aside first and removed once the new one is in place. Everything
//! is created readable by the user only: it holds their voice. Every name
//! inside comes from [`crate::files::sanitize_component`].

use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use super::history::{readable_day, readable_time};
use super::{Session, Store, Take};
use crate::files::sanitize_component;
use crate::model::{clock, plural};

/// Where the export goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    /// A folder.
    Folder,
    /// A `.zip` file.
    Zip,
}

/// How the audio is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AudioFormat {
    /// The WAV files as recorded.
    Wav,
    /// FLAC: lossless and about half the size.
    Flac,
}

/// What to export, and how.
#[derive(Clone, Debug)]
pub struct ExportRequest {
    /// The sessions.
    pub sessions: Vec<Session>,
    /// The folder or `.zip` to create.
    pub destination: PathBuf,
    /// Folder or zip.
    pub container: Container,
    /// WAV or FLAC.
    pub audio: AudioFormat,
    /// Replace an existing destination.
    pub force: bool,
    /// The question bank as it is now: the report gives each question's
    /// "what the interviewer listens for" and tips from it, for whoever
    /// reads the report (a mentor). A question no longer in it has none.
    pub bank: Vec<crate::model::Question>,
}

/// How far an export is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Bytes of audio read so far.
    pub done_bytes: u64,
    /// Bytes of audio in all.
    pub total_bytes: u64,
}

/// What an export produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportSummary {
    /// The folder or zip written.
    pub destination: PathBuf,
    /// Audio files written.
    pub audio_files: usize,
    /// Takes whose audio file was missing (listed in the report).
    pub missing: Vec<String>,
}

/// Why an export failed; nothing was left behind.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The destination exists and `force` was not given.
    #[error("{0} already exists; choose another name")]
    Exists(PathBuf),
    /// The destination may not be written, whatever `force` says.
    #[error("{path}: {reason}")]
    Refused {
        /// The destination as given.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The user cancelled.
    #[error("export cancelled; nothing was written")]
    Cancelled,
    /// Nothing to export.
    #[error("no sessions to export")]
    Empty,
    /// Reading or writing a file failed.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What failed.
        message: String,
    },
}

fn file_error(path: &Path) -> impl Fn(&dyn std::fmt::Display) -> ExportError + '_ {
    move |err| ExportError::File {
        path: path.to_path_buf(),
        message: err.to_string(),
    }
}

/// One audio file of the export.
struct ExportedTake<'a> {
    session: &'a Session,
    take: &'a Take,
    /// Source WAV.
    source: PathBuf,
    /// Path inside the export, with `/` separators.
    inside: String,
    /// What was said, when the take has a readable transcript.
    transcript: Option<crate::speech::Transcript>,
}

/// Writes the export; `progress` is called as audio is copied and returns
/// `false` to cancel.
pub fn export(
    store: &Store,
    request: &ExportRequest,
    mut progress: impl FnMut(Progress) -> bool,
) -> Result<ExportSummary, ExportError> {
    if request.sessions.is_empty() {
        return Err(ExportError::Empty);
    }
    let destination = &request.destination;
    let replaces = check_destination(store, destination, request.force)?;
    let extension = match request.audio {
        AudioFormat::Wav => "wav",
        AudioFormat::Flac => "flac",
    };
    let mut takes = Vec::new();
    let mut missing = Vec::new();
    // Two sessions or takes whose names come out the same (ids that differ
    // only in characters a file name cannot hold, in case, a take number
    // twice in an edited manifest) get the next free name, never one file.
    let mut taken = std::collections::HashSet::new();
    let folders: Vec<String> = request
        .sessions
        .iter()
        .map(|session| unique_name(sanitize_component(&session.id, 80), &mut taken))
        .collect();
    for (session, folder) in request.sessions.iter().zip(&folders) {
        for take in &session.takes {
            let source = match take.audio_path(&store.session_dir(&session.id)) {
                Ok(source) if source.is_file() => source,
                Ok(_) => {
                    missing.push(format!("{}/{}", session.id, take.file));
                    continue;
                }
                Err(reason) => {
                    missing.push(format!("{} (damaged take: {reason})", session.id));
                    continue;
                }
            };
            let stem = super::take_stem(
                take.question_index,
                &take.question_id,
                take.take,
                take.follow_up.is_some(),
            );
            let name = format!("{stem}.{extension}");
            let transcript = take.transcript.as_ref().and_then(|_| {
                super::transcripts::read(&store.session_dir(&session.id), take)
                    .map_err(|err| log::warn!("export without a transcript: {err}"))
                    .ok()
            });
            takes.push(ExportedTake {
                session,
                take,
                source,
                inside: unique_name(format!("{folder}/takes/{name}"), &mut taken),
                transcript,
            });
        }
    }
    let total_bytes = takes
        .iter()
        .map(|t| fs::metadata(&t.source).map_or(0, |m| m.len()))
        .sum();

    let partial = crate::durable::temporary_path(destination, PARTIAL);
    remove_leftovers(destination);
    let result = write_all(
        request,
        &folders,
        &takes,
        &missing,
        &partial,
        total_bytes,
        &mut progress,
    )
    .and_then(|()| put_in_place(&partial, destination, replaces));
    match result {
        Ok(()) => Ok(ExportSummary {
            destination: destination.clone(),
            audio_files: takes.len(),
            missing,
        }),
        Err(err) => {
            if let Err(cleanup) = remove_any(&partial) {
                return Err(ExportError::File {
                    path: partial,
                    message: format!(
                        "{err}; and the unfinished export could not be removed: {cleanup}"
                    ),
                });
            }
            Err(err)
        }
    }
}

/// The marker of a folder export: a file at its top, holding [`MARKER`].
const FOLDER_MARKER: &str = ".rehearse-export";
/// What marks an export: the folder marker's text, the zip's comment.
const MARKER: &str = "Rehearse export";
/// The kind of an export being written (`DEST.partial-PID`).
const PARTIAL: &str = "partial";
/// The kind of an earlier export moved aside (`DEST.replaced-PID`).
const REPLACED: &str = "replaced";

/// Checks that `destination` may be written, and whether it replaces an
/// earlier export (only with `force`).
fn check_destination(store: &Store, destination: &Path, force: bool) -> Result<bool, ExportError> {
    let refuse = |reason: &str| ExportError::Refused {
        path: destination.to_path_buf(),
        reason: reason.to_owned(),
    };
    let Some(name) = destination.file_name() else {
        return Err(refuse("not a file or folder name"));
    };
    if cfg!(windows) && crate::files::is_windows_device_name(&name.to_string_lossy()) {
        return Err(refuse(
            "a name Windows keeps for a device, not a file or folder; choose another name",
        ));
    }
    let parent = folder_of(destination);
    let parent = fs::canonicalize(parent).map_err(|err| ExportError::File {
        path: parent.to_path_buf(),
        message: format!("cannot export into it: {err}"),
    })?;
    let resolved = parent.join(name);
    let data =
        fs::canonicalize(store.dir().root()).map_err(|e| file_error(store.dir().root())(&e))?;
    let clash = if resolved == data {
        Some("this is")
    } else if resolved.starts_with(&data) {
        Some("this is inside")
    } else if data.starts_with(&resolved) {
        Some("this holds")
    } else {
        None
    };
    if let Some(clash) = clash {
        return Err(refuse(&format!(
            "{clash} Rehearse's data folder ({}); export somewhere outside it",
            data.display()
        )));
    }
    let Ok(metadata) = fs::symlink_metadata(destination) else {
        return Ok(false);
    };
    if !force {
        return Err(ExportError::Exists(destination.to_path_buf()));
    }
    if metadata.is_dir()
        && fs::symlink_metadata(destination.join(FOLDER_MARKER)).is_ok_and(|m| m.is_file())
    {
        return Ok(true);
    }
    if metadata.is_file() && is_zip_export(destination) {
        return Ok(true);
    }
    let what = if metadata.is_dir() {
        "a folder"
    } else if metadata.is_file() {
        "a file"
    } else {
        "not a regular file or folder"
    };
    Err(refuse(&format!(
        "{what} that is not an earlier Rehearse export; --force only replaces an export"
    )))
}

/// Whether `path` is a zip that Rehearse wrote.
fn is_zip_export(path: &Path) -> bool {
    File::open(path)
        .ok()
        .and_then(|file| zip::ZipArchive::new(io::BufReader::new(file)).ok())
        .is_some_and(|archive| archive.comment() == MARKER.as_bytes())
}

/// The folder `path` is in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Removes what an export to `destination` killed by a signal or a crash
/// left: its unfinished copy, and an earlier export it had moved aside
/// (put back when the destination is gone).
fn remove_leftovers(destination: &Path) {
    let Some(name) = destination.file_name() else {
        return;
    };
    let name = name.to_string_lossy();
    let Ok(entries) = fs::read_dir(folder_of(destination)) else {
        return;
    };
    for entry in entries.flatten() {
        let entry_name = entry.file_name().to_string_lossy().into_owned();
        let Some(kind) = [PARTIAL, REPLACED]
            .into_iter()
            .find(|kind| crate::durable::is_abandoned(&entry_name, &name, kind))
        else {
            continue;
        };
        let path = entry.path();
        let result = if kind == REPLACED && fs::symlink_metadata(destination).is_err() {
            fs::rename(&path, destination)
        } else {
            remove_any(&path)
        };
        match result {
            Ok(()) => log::info!(
                "removed {}, left by an export that was killed",
                path.display()
            ),
            Err(err) => log::warn!(
                "cannot remove {}, left by a killed export: {err}",
                path.display()
            ),
        }
    }
}

/// Moves the finished export from `partial` to `destination`: an earlier
/// export there is moved aside first and removed only once the new one is
/// in place.
fn put_in_place(partial: &Path, destination: &Path, replaces: bool) -> Result<(), ExportError> {
    let failed = file_error(destination);
    if !replaces {
        return fs::rename(partial, destination).map_err(|e| failed(&e));
    }
    let aside = crate::durable::temporary_path(destination, REPLACED);
    fs::rename(destination, &aside).map_err(|e| failed(&e))?;
    if let Err(err) = fs::rename(partial, destination) {
        if let Err(back) = fs::rename(&aside, destination) {
            return Err(ExportError::File {
                path: aside,
                message: format!(
                    "{err}; the earlier export is kept here, since it could not be put back: {back}"
                ),
            });
        }
        return Err(failed(&err));
    }
    remove_any(&aside).map_err(|err| ExportError::File {
        path: aside.clone(),
        message: format!(
            "the earlier export was replaced, but its old copy could not be removed: {err}"
        ),
    })
}

fn remove_any(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(err),
    }
}

/// Where the export's files go: a folder or a zip.
enum Sink {
    Folder(PathBuf),
    Zip(Box<zip::ZipWriter<BufWriter<File>>>),
}

impl Sink {
    fn open(container: Container, path: &Path) -> Result<Self, ExportError> {
        match container {
            Container::Folder => {
                super::create_private_dir(path).map_err(|e| file_error(path)(&e))?;
                let marker = path.join(FOLDER_MARKER);
                crate::durable::create_private(&marker)
                    .and_then(|mut file| writeln!(file, "{MARKER}"))
                    .map_err(|e| file_error(&marker)(&e))?;
                Ok(Self::Folder(path.to_path_buf()))
            }
            Container::Zip => {
                let file =
                    crate::durable::create_private(path).map_err(|e| file_error(path)(&e))?;
                Ok(Self::Zip(Box::new(zip::ZipWriter::new(BufWriter::new(
                    file,
                )))))
            }
        }
    }

    /// Starts the file `inside`; `compress` for text, not audio. In a zip
    /// it carries `modified` (a recording's own time), else the time now.
    fn start(
        &mut self,
        inside: &str,
        compress: bool,
        modified: Option<std::time::SystemTime>,
    ) -> Result<Box<dyn Write + '_>, ExportError> {
        match self {
            Self::Folder(root) => {
                let path = root.join(inside);
                if let Some(parent) = path.parent() {
                    super::create_private_dir(parent).map_err(|e| file_error(parent)(&e))?;
                }
                let file =
                    crate::durable::create_private(&path).map_err(|e| file_error(&path)(&e))?;
                Ok(Box::new(BufWriter::new(file)))
            }
            Self::Zip(zip) => {
                let method = if compress {
                    zip::CompressionMethod::Deflated
                } else {
                    zip::CompressionMethod::Stored
                };
                let options = zip::write::SimpleFileOptions::default()
                    .compression_method(method)
                    .large_file(true)
                    .unix_permissions(0o600)
                    .last_modified_time(zip_time(
                        modified.unwrap_or_else(std::time::SystemTime::now),
                    ));
                zip.start_file(inside, options)
                    .map_err(|e| file_error(Path::new(inside))(&e))?;
                Ok(Box::new(zip.as_mut()))
            }
        }
    }

    fn put(&mut self, inside: &str, bytes: &[u8]) -> Result<(), ExportError> {
        let mut out = self.start(inside, true, None)?;
        out.write_all(bytes)
            .and_then(|()| out.flush())
            .map_err(|e| file_error(Path::new(inside))(&e))
    }

    fn finish(self, path: &Path) -> Result<(), ExportError> {
        match self {
            Self::Folder(_) => Ok(()),
            Self::Zip(mut zip) => {
                zip.set_comment(MARKER).map_err(|e| file_error(path)(&e))?;
                let buffered = zip.finish().map_err(|e| file_error(path)(&e))?;
                let file = buffered
                    .into_inner()
                    .map_err(|e| file_error(path)(&e.to_string()))?;
                file.sync_all().map_err(|e| file_error(path)(&e))
            }
        }
    }
}

fn write_all(
    request: &ExportRequest,
    folders: &[String],
    takes: &[ExportedTake<'_>],
    missing: &[String],
    partial: &Path,
    total_bytes: u64,
    progress: &mut impl FnMut(Progress) -> bool,
) -> Result<(), ExportError> {
    let mut sink = Sink::open(request.container, partial)?;
    let mut done_bytes = 0;
    let mut report = |done: u64| {
        if progress(Progress {
            done_bytes: done,
            total_bytes,
        }) {
            Ok(())
        } else {
            Err(ExportError::Cancelled)
        }
    };
    report(0)?;
    for take in takes {
        let recorded = fs::metadata(&take.source)
            .and_then(|m| m.modified())
            .map_err(|e| log::warn!("{}: no modification time: {e}", take.source.display()))
            .ok();
        let mut out = sink.start(&take.inside, false, recorded)?;
        match request.audio {
            AudioFormat::Wav => {
                let mut input =
                    File::open(&take.source).map_err(|e| file_error(&take.source)(&e))?;
                let mut buffer = vec![0; 1 << 20];
                loop {
                    let read = input
                        .read(&mut buffer)
                        .map_err(|e| file_error(&take.source)(&e))?;
                    if read == 0 {
                        break;
                    }
                    out.write_all(&buffer[..read])
                        .map_err(|e| file_error(partial)(&e))?;
                    done_bytes += read as u64;
                    report(done_bytes)?;
                }
            }
            AudioFormat::Flac => {
                let before = done_bytes;
                let bytes =
                    super::flac::encode(&take.source, &mut |read| report(before + read).is_ok())
                        .map_err(|error| match error {
                            super::flac::FlacError::Cancelled => ExportError::Cancelled,
                            super::flac::FlacError::Failed(message) => file_error(&take.source)(
                                &format!("FLAC encoding failed: {message}"),
                            ),
                        })?;
                out.write_all(&bytes).map_err(|e| file_error(partial)(&e))?;
                done_bytes += fs::metadata(&take.source).map_or(0, |m| m.len());
                report(done_bytes)?;
            }
        }
        out.flush().map_err(|e| file_error(partial)(&e))?;
        drop(out);
        if let Some(transcript) = &take.transcript {
            // Beside the recording: the text, and captions a player shows.
            let stem = take
                .inside
                .rsplit_once('.')
                .map_or(take.inside.as_str(), |(stem, _)| stem);
            let mut text = transcript.text();
            text.push('\n');
            sink.put(&format!("{stem}.txt"), text.as_bytes())?;
            sink.put(&format!("{stem}.vtt"), transcript.to_vtt().as_bytes())?;
        }
    }
    for (session, folder) in request.sessions.iter().zip(folders) {
        let json = serde_json::to_vec_pretty(session).map_err(|e| file_error(partial)(&e))?;
        sink.put(&format!("{folder}/session.json"), &json)?;
    }
    sink.put("takes.csv", takes_csv(takes).as_bytes())?;
    sink.put(
        "report.html",
        report_html(&request.sessions, &request.bank, takes, missing).as_bytes(),
    )?;
    sink.finish(partial)
}

/// `time` as a zip entry's time: the local wall-clock time, as zip tools
/// show it (the format has no time zone); outside the format's years
/// 1980–2107, the nearest end.
fn zip_time(time: std::time::SystemTime) -> zip::DateTime {
    let local = jiff::Timestamp::try_from(time)
        .map(|t| t.to_zoned_datetime(jiff::tz::TimeZone::system()).datetime())
        .unwrap_or_default();
    let parts = |t: jiff::civil::DateTime| {
        zip::DateTime::from_date_and_time(
            u16::try_from(t.year()).unwrap_or(1980),
            u8::try_from(t.month()).unwrap_or(1),
            u8::try_from(t.day()).unwrap_or(1),
            u8::try_from(t.hour()).unwrap_or(0),
            u8::try_from(t.minute()).unwrap_or(0),
            u8::try_from(t.second()).unwrap_or(0),
        )
    };
    parts(local).unwrap_or_else(|_| {
        if local.year() < 1980 {
            zip::DateTime::default()
        } else {
            zip::DateTime::from_date_and_time(2107, 12, 31, 23, 59, 58).unwrap_or_default()
        }
    })
}

/// One row per take.
fn takes_csv(takes: &[ExportedTake<'_>]) -> String {
    let mut csv = String::from(
        "session,started_at,question_number,question_id,category,question,take,seconds,stopped,rating,preferred,silent,notes,file,\
         time_to_first_word,speaking_time,speaking_ratio,pauses,pause_total,longest_pause,syllables,articulation_rate,words_per_minute_estimate,pace,peak_dbfs,rms_dbfs,clipped_percent,warnings,transcript,\
         words,words_per_minute,fillers,filler_percent,keywords_covered,keywords_total,i_share,result_stated,session_mode,\
         points_covered,points_total,star_parts,follow_up_of,follow_up_question\n",
    );
    // A follow-up answer names the take it follows as the export does.
    let names: std::collections::HashMap<(&str, &str), &str> = takes
        .iter()
        .map(|t| {
            (
                (t.session.id.as_str(), t.take.file.as_str()),
                t.inside.as_str(),
            )
        })
        .collect();
    for exported in takes {
        let (session, take) = (exported.session, exported.take);
        let category = session
            .questions
            .get(take.question_index)
            .map_or("", |q| q.category.as_str());
        let metrics = take.metrics.as_ref();
        let number = |value: Option<f64>| value.map_or_else(String::new, decimal);
        let fields = [
            session.id.clone(),
            take.started_at.to_string(),
            (take.question_index + 1).to_string(),
            take.question_id.clone(),
            category.to_owned(),
            take.question_text.clone(),
            take.take.to_string(),
            format!("{:.3}", take.duration().as_secs_f64()),
            take.stopped.describe().to_owned(),
            take.rating
                .map_or_else(String::new, |r| r.stars().to_string()),
            take.preferred.to_string(),
            take.silent.to_string(),
            take.notes.clone(),
            exported.inside.clone(),
            number(metrics.map(|m| m.time_to_first_word)),
            number(metrics.map(|m| m.speaking_time)),
            number(metrics.map(|m| m.speaking_ratio)),
            metrics.map_or_else(String::new, |m| m.pauses.len().to_string()),
            number(metrics.map(|m| m.pause_total)),
            number(metrics.and_then(|m| m.longest_pause()).map(|p| p.seconds)),
            metrics.map_or_else(String::new, |m| m.syllables.to_string()),
            number(metrics.map(|m| m.articulation_rate)),
            number(metrics.map(|m| m.words_per_minute)),
            metrics.map_or_else(String::new, |m| m.pace.describe().to_owned()),
            number(metrics.map(|m| f64::from(m.peak_dbfs))),
            number(metrics.map(|m| f64::from(m.rms_dbfs))),
            number(metrics.map(|m| m.clipped_percent)),
            metrics.map_or_else(String::new, |m| {
                m.warnings
                    .iter()
                    .map(|w| format!("{w:?}").to_lowercase())
                    .collect::<Vec<_>>()
                    .join(" ")
            }),
            exported
                .transcript
                .as_ref()
                .map_or_else(String::new, crate::speech::Transcript::text),
        ];
        let spoken = take.spoken.as_ref();
        let points = spoken.and_then(|s| s.key_points.as_ref());
        let words_fields = [
            spoken.map_or_else(String::new, |s| s.words.to_string()),
            number(spoken.map(|s| s.words_per_minute)),
            spoken.map_or_else(String::new, |s| s.filler_count().to_string()),
            number(spoken.map(|s| s.filler_percent)),
            points.map_or_else(String::new, |p| p.covered.len().to_string()),
            points.map_or_else(String::new, |p| p.total().to_string()),
            number(
                spoken
                    .and_then(|s| s.ownership)
                    .and_then(|o| o.i_percent())
                    .map(|p| p / 100.0),
            ),
            spoken
                .and_then(|s| s.result_stated)
                .map_or_else(String::new, |stated| stated.to_string()),
            session.plan.mode.describe().to_lowercase(),
        ];
        let content_fields = content_fields(take);
        let follow_up_fields = follow_up_fields(session, take, &names);
        let fields: Vec<String> = fields
            .into_iter()
            .chain(words_fields)
            .chain(content_fields)
            .chain(follow_up_fields)
            .collect();
        let row: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        csv.push_str(&row.join(","));
        csv.push('\n');
    }
    csv
}

/// takes.csv's `points_covered`, `points_total` and `star_parts`.
fn content_fields(take: &Take) -> [String; 3] {
    let content = take.content.as_ref();
    [
        content.map_or_else(String::new, |c| c.covered().to_string()),
        content.map_or_else(String::new, |c| c.strong_answer.len().to_string()),
        content
            .and_then(|c| c.star.as_ref())
            .map_or_else(String::new, |star| {
                crate::content::Part::ALL
                    .iter()
                    .filter(|&&part| star.get(part).is_some())
                    .map(|part| part.label().to_lowercase())
                    .collect::<Vec<_>>()
                    .join(" ")
            }),
    ]
}

/// takes.csv's `follow_up_of` (the take a follow-up answer follows, named
/// as in the export: `names` maps a session's take to its name there) and
/// `follow_up_question`; empty for an answer to the question.
fn follow_up_fields(
    session: &Session,
    take: &Take,
    names: &std::collections::HashMap<(&str, &str), &str>,
) -> [String; 2] {
    take.follow_up.as_ref().map_or_else(
        || [String::new(), String::new()],
        |of| {
            let parent = names
                .get(&(session.id.as_str(), of.take.as_str()))
                .map_or_else(|| of.take.clone(), |name| (*name).to_owned());
            [parent, of.ask.clone()]
        },
    )
}

/// `candidate`, or the first of `NAME-2.EXT`, `NAME-3.EXT`… that no name
/// in `taken` equals ignoring case (a case-insensitive disk would make
/// them one file); the name is added to `taken`.
fn unique_name(candidate: String, taken: &mut std::collections::HashSet<String>) -> String {
    let (stem, extension) = match candidate.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() && !extension.contains('/') => {
            (stem.to_owned(), format!(".{extension}"))
        }
        _ => (candidate.clone(), String::new()),
    };
    let mut name = candidate;
    let mut n = 2;
    while !taken.insert(name.to_lowercase()) {
        name = format!("{stem}-{n}{extension}");
        n += 1;
    }
    name
}

/// `value` with three decimals, never `-0.000`.
fn decimal(value: f64) -> String {
    let text = format!("{value:.3}");
    match text.strip_prefix('-') {
        Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_owned(),
        _ => text,
    }
}

/// Whether `text` is a plain decimal number (`-1.019`, `42`): a spreadsheet
/// reads it as a number, never as a formula.
fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// A CSV field, quoted when it must be; text with a leading `=`, `+`, `-`,
/// `@`, tab or carriage return is prefixed with `'` so spreadsheets do not
/// run it as a formula (a plain number such as `-1.019` stays a number).
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_plain_number(text) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// Text made safe inside HTML.
fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// One take's row of the report's table (`question`: the one it answers).
fn take_row(row: &ExportedTake<'_>, question: &super::AskedQuestion) -> String {
    let take = row.take;
    let rating = take.rating.map_or_else(
        || "unrated".to_owned(),
        |r| {
            format!(
                "{}{}",
                "★".repeat(usize::from(r.stars())),
                "☆".repeat(5 - usize::from(r.stars()))
            )
        },
    );
    let star = &take.star;
    let checklist = if take.shows_star(question) {
        format!(
            "<br><span class=\"muted\">STAR: {}{}{}{}</span>",
            if star.situation { "S✓ " } else { "S✗ " },
            if star.task { "T✓ " } else { "T✗ " },
            if star.action { "A✓ " } else { "A✗ " },
            if star.result { "R✓" } else { "R✗" },
        )
    } else {
        String::new()
    };
    let speech = take.metrics.as_ref().map_or_else(
        || "<span class=\"muted\">not analysed</span>".to_owned(),
        |m| {
            let mut cell = html(&m.summary(take.spoken.is_some()));
            for hint in m.hints(take.spoken.is_some()) {
                cell.push_str("<br><span class=\"muted\">");
                cell.push_str(&html(&hint));
                cell.push_str("</span>");
            }
            cell
        },
    );
    let said = row.transcript.as_ref().map_or_else(String::new, |t| {
        let mut cell = format!(
            "<br><span class=\"said\">“{}”</span>",
            marked_html(
                t,
                &question.keywords,
                take.metrics.as_ref().map(|m| m.pauses.as_slice())
            )
        );
        if let Some(spoken) = &take.spoken {
            let lines = spoken.lines();
            for (label, text) in &lines {
                let _ = write!(
                    cell,
                    "<br><span class=\"muted\">{}:</span> {}",
                    html(label),
                    html(text)
                );
            }
            // A hint that restates a line above ("Key points: …") is not
            // repeated.
            for hint in spoken.hints() {
                if lines
                    .iter()
                    .any(|(label, _)| hint.starts_with(&format!("{label}:")))
                {
                    continue;
                }
                let _ = write!(cell, "<br><span class=\"hint\">{}</span>", html(&hint));
            }
        }
        if let Some(content) = &take.content {
            cell.push_str(&content_html(content));
        }
        cell
    });
    // A follow-up's question above its answer.
    let (asked, number) = take.follow_up.as_ref().map_or_else(
        || (String::new(), take.take.to_string()),
        |of| {
            (
                format!(
                    "<tr class=\"follow-up\"><td colspan=\"6\">Follow-up: {} <span class=\"muted\">({})</span></td></tr>\n",
                    html(&of.ask),
                    html(&of.reason)
                ),
                format!("follow-up {}", take.take),
            )
        },
    );
    // The measures and the words take the row's whole width, below it.
    format!(
        "{asked}<tr><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{checklist}</td><td><audio controls preload=\"none\" src=\"{}\"></audio></td></tr>\n\
         <tr class=\"speech\"><td colspan=\"6\">{speech}{said}</td></tr>\n",
        number,
        if take.preferred { " (preferred)" } else { "" },
        clock(take.duration()),
        html(take.stopped.describe()),
        rating,
        html(&take.notes),
        html(&row.inside),
    )
}

/// The transcript as HTML: fillers and the question's keywords marked, and
/// pauses of a second or more shown where they were.
fn marked_html(
    transcript: &crate::speech::Transcript,
    keywords: &[String],
    pauses: Option<&[crate::analysis::Pause]>,
) -> String {
    if transcript.words.is_empty() {
        return html(&transcript.text());
    }
    let mut out = String::new();
    for marked in crate::feedback::marked_words(transcript, keywords, pauses) {
        if marked.pause_before_ms > 0 {
            let _ = write!(
                out,
                " <span class=\"pause\">{}</span>",
                html(&crate::feedback::pause_text(marked.pause_before_ms))
            );
        }
        let text = html(transcript.words[marked.word].text.trim());
        let _ = match marked.mark {
            crate::feedback::Mark::Plain => write!(out, " {text}"),
            crate::feedback::Mark::Filler => write!(out, " <mark class=\"filler\">{text}</mark>"),
            crate::feedback::Mark::Keyword => write!(out, " <mark class=\"keyword\">{text}</mark>"),
        };
    }
    out.trim_start().to_owned()
}

/// What the answer covered: the strong answer's points with their quotes,
/// the STAR parts heard and the follow-up the interviewer might ask.
fn content_html(content: &crate::content::Content) -> String {
    let mut out = String::new();
    if !content.strong_answer.is_empty() {
        let _ = write!(
            out,
            "<br><strong>What a strong answer covers</strong> <span class=\"muted\">({}{})</span><ul class=\"points\">",
            html(&content.summary()),
            if content.by_meaning {
                ""
            } else {
                "; matched by the words only"
            }
        );
        for finding in &content.strong_answer {
            let quote = match (&finding.quote, finding.start_ms) {
                (Some(quote), Some(at)) => format!(
                    " <span class=\"muted\">{} “{}”</span>",
                    clock(std::time::Duration::from_millis(at)),
                    html(quote)
                ),
                _ => String::new(),
            };
            let _ = write!(
                out,
                "<li><span class=\"{}\">{}</span> {}{quote}</li>",
                match finding.status {
                    crate::content::Status::Covered => "covered",
                    crate::content::Status::Named => "named",
                    crate::content::Status::Missing => "missing",
                },
                html(finding.status.label()),
                html(&finding.point)
            );
        }
        out.push_str("</ul>");
    }
    if let Some(star) = &content.star {
        out.push_str("<strong>STAR</strong><ul class=\"points\">");
        for line in star.lines() {
            let _ = write!(out, "<li>{}</li>", html(&line));
        }
        out.push_str("</ul>");
    }
    if let Some(follow_up) = &content.follow_up {
        let _ = write!(
            out,
            "<strong>The interviewer might ask:</strong> {} <span class=\"muted\">({})</span>",
            html(&follow_up.ask),
            html(&follow_up.reason)
        );
    }
    out
}

/// What the interviewer listens for in `question`, and its tips.
fn guidance_html(question: &crate::model::Question) -> String {
    let mut out = String::new();
    if !question.looking_for.trim().is_empty() {
        let _ = writeln!(
            out,
            "<p><strong>What the interviewer listens for:</strong> {}</p>",
            html(&question.looking_for)
        );
    }
    if !question.tips.is_empty() {
        out.push_str("<p><strong>Tips:</strong></p>\n<ul>\n");
        for tip in &question.tips {
            let _ = writeln!(out, "<li>{}</li>", html(tip));
        }
        out.push_str("</ul>\n");
    }
    out
}

/// The report's title: one session by its kind and time ("Practice
/// session, 5 December 2026, 08:18"), several by their number and days.
fn report_title(sessions: &[Session]) -> String {
    match sessions {
        [session] => format!(
            "{}, {}",
            if session.plan.mode.is_practice() {
                "Practice session"
            } else {
                "Mock interview"
            },
            readable_time(session.started_at)
        ),
        _ => {
            let day = readable_day;
            let first = sessions.iter().map(|s| s.started_at).min();
            let last = sessions.iter().map(|s| s.started_at).max();
            match (first, last) {
                (Some(first), Some(last)) if day(first) != day(last) => format!(
                    "Practice report: {}, {} to {}",
                    plural(sessions.len(), "session"),
                    day(first),
                    day(last)
                ),
                (Some(first), _) => format!(
                    "Practice report: {}, {}",
                    plural(sessions.len(), "session"),
                    day(first)
                ),
                _ => "Practice report".to_owned(),
            }
        }
    }
}

/// A readable, self-contained page about the sessions, with a player per
/// take that links to the exported file. (`write!` into a `String` cannot
/// fail, so its `fmt::Result` is dropped here, in [`take_row`] and in
/// [`marked_html`].)
fn report_html(
    sessions: &[Session],
    bank: &[crate::model::Question],
    takes: &[ExportedTake<'_>],
    missing: &[String],
) -> String {
    let title = report_title(sessions);
    let mut page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n\
         body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#222}}\n\
         h1{{font-size:1.6rem}}h2{{margin-top:2.5rem;border-bottom:1px solid #ccc}}h3{{font-size:1.05rem;margin-bottom:.3rem}}\n\
         table{{border-collapse:collapse;width:100%}}td,th{{padding:.3rem .5rem;text-align:left;vertical-align:top;border-bottom:1px solid #eee}}\n\
         .muted{{color:#666}}audio{{width:16rem}}.hint{{color:#8a4b00}}.pause{{color:#888;font-size:.85em}}\n\
         mark.filler{{background:#fde2b8}}mark.keyword{{background:#cde4fb}}\n\
         ul.points{{margin:.2em 0 .4em 1.2em;padding:0}}.covered{{color:#2e7d32;font-weight:600}}.named{{color:#8a4b00;font-weight:600}}.missing{{color:#888;font-weight:600}}\n\
         tr.speech td{{border-bottom:1px solid #ccc;padding-bottom:.8rem}}tr.follow-up td{{font-style:italic;padding-top:.8rem;border-bottom:none}}\n</style>\n</head>\n<body>\n<h1>{title}</h1>\n",
        title = html(&title)
    );
    let _ = writeln!(
        page,
        "<p class=\"muted\">{}, {}. Recorded with Rehearse; everything stays where you put it.</p>",
        plural(sessions.len(), "session"),
        plural(takes.len(), "take")
    );
    if takes.iter().any(|t| t.transcript.is_some()) {
        page.push_str(
            "<p class=\"muted\">In the transcripts: <mark class=\"filler\">filler words</mark>, \
             <mark class=\"keyword\">the question's keywords</mark>, and \
             <span class=\"pause\">· 2.1 s ·</span> a pause of a second or more.</p>\n",
        );
    }
    for session in sessions {
        let kind = if session.plan.mode.is_practice() {
            "Session"
        } else {
            "Mock interview"
        };
        let _ = writeln!(
            page,
            "<h2>{kind}, {}</h2>\n<p class=\"muted\">Session {}</p>",
            html(&readable_time(session.started_at)),
            html(&session.id)
        );
        let average = session
            .average_rating()
            .map_or_else(|| "unrated".to_owned(), |avg| format!("{avg:.1} of 5"));
        let pace = session.average_pace().map_or_else(String::new, |wpm| {
            format!(
                " Average pace about {wpm:.0} words/min (estimate); pauses {} in all.",
                clock(session.pause_time())
            )
        });
        let _ = writeln!(
            page,
            "<p>{} of {} answered, {}, {} recorded. Average rating: {}.{pace}</p>",
            session.questions_answered(),
            plural(session.questions.len(), "question"),
            plural(session.takes.len(), "take"),
            clock(session.recorded_time()),
            html(&average)
        );
        if let Some(words) = session.words_together() {
            let _ = writeln!(page, "<p>What was said: {}.</p>", html(&words.describe()));
        }
        for (index, question) in session.questions.iter().enumerate() {
            let _ = writeln!(
                page,
                "<h3>{}. {}</h3>\n<p class=\"muted\">{} · {} · think {} s · answer {}</p>",
                index + 1,
                html(&question.text),
                html(&question.category),
                question.kind,
                question.think_seconds,
                question
                    .answer_seconds
                    .map_or_else(|| "no limit".to_owned(), |s| format!("{s} s"))
            );
            if let Some(guidance) = bank.iter().find(|q| q.id.as_str() == question.id) {
                page.push_str(&guidance_html(guidance));
            }
            let rows: Vec<&ExportedTake<'_>> = takes
                .iter()
                .filter(|t| std::ptr::eq(t.session, session) && t.take.question_index == index)
                .collect();
            if rows.is_empty() {
                page.push_str("<p class=\"muted\">Not answered.</p>\n");
                continue;
            }
            page.push_str("<table>\n<tr><th>Take</th><th>Length</th><th>Stopped</th><th>Rating</th><th>Notes</th><th>Listen</th></tr>\n");
            for row in rows {
                page.push_str(&take_row(row, question));
            }
            page.push_str("</table>\n");
        }
    }
    if !missing.is_empty() {
        page.push_str("<h2>Missing recordings</h2>\n<ul>\n");
        for file in missing {
            let _ = writeln!(page, "<li>{}</li>", html(file));
        }
        page.push_str("</ul>\n");
    }
    page.push_str("</body>\n</html>\n");
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\"\nthen"), "\"say \"\"hi\"\"\nthen\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("\t=1+1"), "'\t=1+1");
        assert_eq!(csv_field("\r=1+1"), "\"'\r=1+1\"");
        // Numbers stay numbers; what only looks like one is defused.
        assert_eq!(csv_field("-1.019"), "-1.019");
        assert_eq!(csv_field("-1+2"), "'-1+2");
        assert_eq!(csv_field("-1."), "'-1.");
        assert_eq!(csv_field("-"), "'-");
        assert_eq!(decimal(-0.0001), "0.000");
        assert_eq!(decimal(-0.0), "0.000");
        assert_eq!(decimal(-1.0194), "-1.019");
    }

    #[test]
    fn names_that_come_out_the_same_are_numbered() {
        let mut taken = std::collections::HashSet::new();
        let names: Vec<String> = [
            "s/takes/01-q-take1.wav",
            "s/takes/01-Q-take1.wav",
            "s/takes/01-q-take1.wav",
            "a-b",
            "a-b",
        ]
        .into_iter()
        .map(|name| unique_name(name.to_owned(), &mut taken))
        .collect();
        assert_eq!(
            names,
            [
                "s/takes/01-q-take1.wav",
                "s/takes/01-Q-take1-2.wav",
                "s/takes/01-q-take1-3.wav",
                "a-b",
                "a-b-2"
            ]
        );
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            html("<script>alert('x') & \"y\"</script>\u{7}"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;\u{fffd}"
        );
    }
}
