//! The export's own threads, started by the worker: the system's save
//! dialog (it blocks until the user answers) and the export itself (a
//! gigabyte of audio must not hold up a rating being saved).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::{DialogAnswer, Outbox, WorkerEvent};
use crate::app::ExportProgress;
use crate::store::Store;
use crate::store::export::{ExportError, ExportRequest, export};

/// Shows the system's save dialog on a thread of its own (it blocks until
/// the user answers) and reports the choice.
pub(super) fn ask_for_destination(suggested: PathBuf, zip: bool, outbox: &Outbox) {
    let answer = outbox.clone();
    let spawned = std::thread::Builder::new()
        .name("rehearse-file-dialog".to_owned())
        .spawn(move || {
            let chosen = DialogAnswer::ask(|| choose_destination(&suggested, zip));
            answer.send(WorkerEvent::ExportDestination(chosen));
        });
    if let Err(err) = spawned {
        outbox.send(WorkerEvent::ExportDestination(DialogAnswer::Cancelled));
        outbox.send(WorkerEvent::Failed(format!(
            "cannot open the file dialog: {err}"
        )));
    }
}

fn choose_destination(suggested: &std::path::Path, zip: bool) -> Option<PathBuf> {
    let mut dialog = rfd::FileDialog::new().set_title(if zip {
        "Export to a zip file"
    } else {
        "Export to a new folder"
    });
    if let Some(folder) = suggested.parent().filter(|p| p.is_dir()) {
        dialog = dialog.set_directory(folder);
    }
    if let Some(name) = suggested.file_name() {
        let name = name.to_string_lossy();
        let name = if zip {
            name.into_owned()
        } else {
            name.trim_end_matches(".zip").to_owned()
        };
        dialog = dialog.set_file_name(name);
    }
    if zip {
        dialog = dialog.add_filter("Zip archive", &["zip"]);
    }
    dialog.save_file()
}

/// Runs an export on a thread of its own, so the worker stays free (saving
/// a rating must not wait for a gigabyte of audio).
pub(super) fn start_export(
    store: Arc<Store>,
    request: ExportRequest,
    progress: Arc<ExportProgress>,
    outbox: Outbox,
) {
    let fallback = outbox.clone();
    let spawned = std::thread::Builder::new()
        .name("rehearse-export".to_owned())
        .spawn(move || {
            let result = export(&store, &request, |step| {
                progress.total.store(step.total_bytes, Ordering::Relaxed);
                progress.done.store(step.done_bytes, Ordering::Relaxed);
                (outbox.wake)();
                !progress.cancel.load(Ordering::Relaxed)
            });
            outbox.send(WorkerEvent::ExportFinished(result.map_err(
                |err| match err {
                    // The command line's advice (--force) means nothing here.
                    ExportError::Exists(path) => {
                        format!("{} already exists; choose another name", path.display())
                    }
                    ExportError::Cancelled => "Export cancelled; nothing was written.".to_owned(),
                    other => format!("Export failed: {other}"),
                },
            )));
        });
    if let Err(err) = spawned {
        fallback.send(WorkerEvent::ExportFinished(Err(format!(
            "cannot start the export: {err}"
        ))));
    }
}
