//! Question packs from the window, on the worker: edits and imports
//! (each under the questions folder's lock), reloads, and the system's file
//! dialogs on threads of their own, so the worker stays free for saves.
//! The window's side (the form, the commands) is `app/questions.rs`.

use std::path::PathBuf;

use super::{DialogAnswer, Outbox, WorkerEvent};
use crate::model::Question;
use crate::questions::own::{self, QuestionEdit};
use crate::questions::{PackSources, QuestionBank};

/// What the worker does with pack files.
pub enum QuestionRequest {
    /// Apply an edit and load the bank again; then say `said`.
    Edit {
        /// Where the bank comes from.
        sources: PackSources,
        /// The change.
        edit: Box<QuestionEdit>,
        /// What to tell the user once it is saved.
        said: String,
    },
    /// Check a pack file and copy it into the questions folder.
    Import(PackSources, PathBuf),
    /// Load the bank again (a pack was turned off or on).
    Reload(PackSources),
    /// Ask for a pack file with the system's dialog.
    Choose,
    /// Ask where to, with the system's save dialog, and write a pack.
    Export {
        /// The pack's name.
        name: String,
        /// Its questions.
        questions: Vec<Question>,
    },
}

/// What the worker reports about pack files.
pub enum QuestionEvent {
    /// The bank as it now is, and what to say (nothing when empty).
    Bank(Box<QuestionBank>, String),
    /// The change was refused or failed: why, naming the file.
    Refused(String),
    /// What the dialog for a pack to import answered.
    Chosen(DialogAnswer),
    /// A pack was exported (what to say; empty when the dialog closed).
    Exported(Result<String, String>),
}

/// Carries out `request` on the worker (dialogs on threads of their own).
pub(in crate::app) fn handle(request: QuestionRequest, outbox: &Outbox) {
    let send = |event| outbox.send(WorkerEvent::Questions(event));
    match request {
        QuestionRequest::Edit {
            sources,
            edit,
            said,
        } => match own::apply(&sources, &edit) {
            Ok(bank) => send(QuestionEvent::Bank(Box::new(bank), said)),
            Err(err) => send(QuestionEvent::Refused(err.to_string())),
        },
        QuestionRequest::Import(sources, file) => match own::import(&sources, &file) {
            Ok((copied, bank)) => send(QuestionEvent::Bank(
                Box::new(bank),
                format!("Imported {} as {}.", file.display(), copied.display()),
            )),
            Err(err) => send(QuestionEvent::Refused(format!("Not imported: {err}"))),
        },
        QuestionRequest::Reload(sources) => {
            send(QuestionEvent::Bank(
                Box::new(QuestionBank::load(&sources)),
                String::new(),
            ));
        }
        QuestionRequest::Choose => on_dialog_thread(outbox, |outbox| {
            let chosen = DialogAnswer::ask(|| {
                rfd::FileDialog::new()
                    .set_title("Import a question pack")
                    .add_filter("Question pack", &["json"])
                    .pick_file()
            });
            outbox.send(WorkerEvent::Questions(QuestionEvent::Chosen(chosen)));
        }),
        QuestionRequest::Export { name, questions } => on_dialog_thread(outbox, move |outbox| {
            let file_name = format!("{}.json", crate::files::sanitize_component(&name, 60));
            let chosen = DialogAnswer::ask(|| {
                rfd::FileDialog::new()
                    .set_title("Export a question pack")
                    .set_file_name(&file_name)
                    .add_filter("Question pack", &["json"])
                    .save_file()
            });
            let result = match chosen {
                DialogAnswer::Cancelled => Ok(String::new()),
                DialogAnswer::Chosen(path) => export_pack(&path, &name, &questions),
                DialogAnswer::Unavailable => export_without_dialog(&file_name, &name, &questions),
            };
            outbox.send(WorkerEvent::Questions(QuestionEvent::Exported(result)));
        }),
    }
}

/// Where a pack goes when no dialog could ask: a new file (never one
/// that exists) in the user's documents folder, named in the message.
fn export_without_dialog(
    file_name: &str,
    name: &str,
    questions: &[Question],
) -> Result<String, String> {
    let folder = crate::paths::documents_folder()
        .ok_or("No file dialog could open, and there is no home folder to export to.")?;
    let wanted = folder.join(file_name);
    let part = crate::durable::temporary_path(&wanted, "part");
    crate::durable::atomic_write(&part, own::pack_text(name, questions).as_bytes())
        .map_err(|err| format!("Cannot write {}: {err}", part.display()))?;
    let stem = wanted.with_extension("");
    let numbered = |n: u32| PathBuf::from(format!("{}-{}.json", stem.display(), n + 1));
    match crate::durable::publish_under_free_name(&part, &wanted, numbered) {
        Ok(path) => Ok(format!(
            "No file dialog could open on this desktop, so {} questions went to {}.",
            questions.len(),
            path.display()
        )),
        Err(err) => {
            if let Err(left) = std::fs::remove_file(&part) {
                log::warn!("{}: not removed: {left}", part.display());
            }
            Err(format!("Cannot export to {}: {err}", folder.display()))
        }
    }
}

/// Writes a pack file others can import.
pub(in crate::app) fn export_pack(
    path: &std::path::Path,
    name: &str,
    questions: &[Question],
) -> Result<String, String> {
    crate::durable::atomic_write(path, own::pack_text(name, questions).as_bytes())
        .map(|()| {
            format!(
                "Exported {} questions to {}.",
                questions.len(),
                path.display()
            )
        })
        .map_err(|err| format!("{}: cannot write: {err}", path.display()))
}

fn on_dialog_thread(outbox: &Outbox, work: impl FnOnce(Outbox) + Send + 'static) {
    let thread_outbox = outbox.clone();
    if let Err(err) = std::thread::Builder::new()
        .name("rehearse-pack-dialog".to_owned())
        .spawn(move || work(thread_outbox))
    {
        outbox.send(WorkerEvent::Questions(QuestionEvent::Refused(format!(
            "cannot open the file dialog: {err}"
        ))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exported_pack_imports_elsewhere() {
        let dir = tempfile::tempdir().unwrap();
        let bundled = crate::questions::bundled_pack().unwrap();
        let path = dir.path().join("shared.json");
        let said = export_pack(&path, "Shared", &bundled.questions[..3]).unwrap();
        assert!(said.starts_with("Exported 3 questions"), "{said}");
        let pack = crate::questions::read_pack(&path).unwrap();
        assert_eq!(pack.name, "Shared");
        assert_eq!(pack.questions, bundled.questions[..3]);
    }
}
