//! Speech recognition models from the window: listing what is installed,
//! downloading a published model (only when the user asks), importing a
//! file through the system's dialog, removing one. Each runs off the
//! window's thread; downloads and dialogs on threads of their own, so the
//! worker stays free for saves.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::{Outbox, WorkerEvent};
use crate::content::model as sentence;
use crate::paths::DataDir;
use crate::speech::download::{self, DownloadError};
use crate::speech::models::{self, InstalledModel};
use crate::speech::trial::Trial;

/// How far a download is; shared by the window and the download thread.
#[derive(Debug, Default)]
pub struct DownloadShared {
    /// Bytes on disk.
    pub received: AtomicU64,
    /// Bytes in all.
    pub total: AtomicU64,
    /// Recent speed, bytes per second.
    pub speed: AtomicU64,
    /// Set to stop (what arrived is kept for a later resume).
    pub cancel: AtomicBool,
}

impl DownloadShared {
    /// Keeps what the download reported, for the window to read.
    pub fn record(&self, progress: download::Progress) {
        self.received.store(progress.received, Ordering::Relaxed);
        self.total.store(progress.total, Ordering::Relaxed);
        self.speed
            .store(progress.bytes_per_second as u64, Ordering::Relaxed);
    }

    /// The progress as the download module describes it.
    pub fn progress(&self) -> download::Progress {
        download::Progress {
            received: self.received.load(Ordering::Relaxed),
            total: self.total.load(Ordering::Relaxed),
            bytes_per_second: self.speed.load(Ordering::Relaxed) as f64,
        }
    }
}

/// What the window asks about models.
pub enum ModelRequest {
    /// Read the models folder.
    List,
    /// Download the published model of this name.
    Download {
        /// Its catalogue name.
        name: String,
        /// Progress and cancel.
        shared: Arc<DownloadShared>,
    },
    /// Ask for a file with the system's dialog (the window then imports
    /// it).
    Choose,
    /// Import the model file at this path.
    Import(std::path::PathBuf),
    /// Remove the installed model of this name.
    Remove(String),
}

/// Carries out `request`, reporting through `outbox`.
pub(super) fn handle(request: ModelRequest, data_dir: &DataDir, outbox: &Outbox) {
    let folder = data_dir.models();
    match request {
        ModelRequest::List => send_state(outbox, &folder),
        ModelRequest::Remove(name) => {
            let result = if name == sentence::NAME {
                match sentence::remove(&folder) {
                    Ok(_) => Ok(
                        "Removed the sentence model: answers are matched by their words."
                            .to_owned(),
                    ),
                    Err(err) => Err(format!("Cannot remove the sentence model: {err}")),
                }
            } else {
                match models::remove(&folder, &name) {
                    Ok(true) => Ok(format!("Removed the {name} model.")),
                    Ok(false) => Err(format!("No model called {name} is installed.")),
                    Err(err) => Err(format!("Cannot remove the {name} model: {err}")),
                }
            };
            changed(outbox, &folder, result);
        }
        ModelRequest::Download { name, shared } => {
            spawn(outbox, "rehearse-download", move |outbox| {
                let result = if name == sentence::NAME {
                    fetch_sentence_model(&folder, &shared, &outbox)
                } else {
                    fetch(&folder, &name, &shared, &outbox)
                };
                changed(&outbox, &folder, result);
            });
        }
        ModelRequest::Import(file) if sentence::is_import_source(&file) => {
            spawn(outbox, "rehearse-import", move |outbox| {
                let result = sentence::import(&file, &folder)
                    .map(|()| "Installed the sentence model.".to_owned())
                    .map_err(|err| format!("Not imported: {err}"));
                changed(&outbox, &folder, result);
            });
        }
        ModelRequest::Choose => {
            spawn(outbox, "rehearse-dialog", move |outbox| {
                let chosen = super::DialogAnswer::ask(|| {
                    rfd::FileDialog::new()
                        .set_title("Import a speech recognition model (ggml-*.bin)")
                        .add_filter("whisper.cpp model", &["bin"])
                        .pick_file()
                });
                outbox.send(WorkerEvent::ModelFileChosen(chosen));
            });
        }
        ModelRequest::Import(file) => {
            // On a thread of its own: the whole file is read and the model
            // is tried in a child process, while saves go on.
            spawn(outbox, "rehearse-import", move |outbox| {
                let result = models::import(&file, &folder, &Trial::this_program())
                    .map(|model| format!("Installed the {} model.", model.name))
                    .map_err(|err| format!("Not imported: {err}"));
                changed(&outbox, &folder, result);
            });
        }
    }
}

/// What the models folder holds: the speech models and whether the
/// sentence model is there.
fn send_state(outbox: &Outbox, folder: &Path) {
    outbox.send(WorkerEvent::Models(list(folder)));
    outbox.send(WorkerEvent::SentenceModel(sentence::is_installed(folder)));
}

/// A download, import or removal ended: what to say, then the folder as it
/// is now.
fn changed(outbox: &Outbox, folder: &Path, result: Result<String, String>) {
    outbox.send(WorkerEvent::ModelChanged(result));
    send_state(outbox, folder);
}

fn list(folder: &Path) -> Result<Vec<InstalledModel>, String> {
    models::installed(folder).map_err(|err| format!("{}: {err}", folder.display()))
}

fn spawn(outbox: &Outbox, name: &str, work: impl FnOnce(Outbox) + Send + 'static) {
    let thread_outbox = outbox.clone();
    if let Err(err) = std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || work(thread_outbox))
    {
        outbox.send(WorkerEvent::ModelChanged(Err(format!(
            "cannot start a background thread: {err}"
        ))));
    }
}

/// Downloads the sentence model's two files; what to tell the user.
fn fetch_sentence_model(
    folder: &Path,
    shared: &DownloadShared,
    outbox: &Outbox,
) -> Result<String, String> {
    shared.total.store(sentence::SIZE, Ordering::Relaxed);
    let mut report = |progress| {
        shared.record(progress);
        outbox.wake();
    };
    match sentence::download(folder, &mut report, &shared.cancel) {
        Ok(()) => {
            Ok("Installed the sentence model: points said in other words count now.".to_owned())
        }
        Err(DownloadError::Cancelled) => Ok(
            "Download of the sentence model stopped; what arrived is kept and Download resumes it."
                .to_owned(),
        ),
        Err(err) => Err(format!("Cannot download the sentence model: {err}")),
    }
}

fn fetch(
    folder: &Path,
    name: &str,
    shared: &DownloadShared,
    outbox: &Outbox,
) -> Result<String, String> {
    let model = models::catalogue_model(name)
        .ok_or_else(|| format!("There is no published model called {name}."))?;
    let request = download::Request {
        url: download::url_for(&model.file_name()),
        target: folder.join(model.file_name()),
        size: model.size,
        sha256: model.sha256.to_owned(),
        stall_limit: download::STALL_LIMIT,
    };
    shared.total.store(model.size, Ordering::Relaxed);
    log::info!(
        "downloading {name} from {}",
        download::without_credentials(&request.url)
    );
    let mut report = |progress| {
        shared.record(progress);
        outbox.wake();
    };
    match download::download(&request, &mut report, &shared.cancel) {
        Ok(()) => Ok(format!("Installed the {name} model.")),
        Err(DownloadError::Cancelled) => Ok(format!(
            "Download of {name} stopped; what arrived is kept and Download resumes it."
        )),
        Err(err) => Err(format!("Cannot download {name}: {err}")),
    }
}
