//! The export window's commands: where to (the system's dialog, or typed),
//! and the export itself, run on the worker with progress shared.

use std::path::PathBuf;
use std::sync::Arc;

use jiff::Timestamp;

use super::worker::WorkerRequest;
use super::{ExportPanel, ExportProgress, RehearseApp};
use crate::store::export::{AudioFormat, Container, ExportRequest};

impl RehearseApp {
    /// Opens the system's save dialog for the export.
    pub(super) fn choose_export_destination(&mut self) {
        if let Some(panel) = &mut self.state.export {
            panel.choosing = true;
            self.services
                .worker
                .send(WorkerRequest::ChooseExportDestination {
                    suggested: PathBuf::from(panel.destination.trim()),
                    zip: panel.container == Container::Zip,
                });
        }
    }

    /// Opens the export window for `sessions`, suggesting a zip in the
    /// user's documents.
    pub(super) fn open_export(&mut self, sessions: Vec<String>) {
        let stamp = Timestamp::now().strftime("%Y-%m-%d").to_string();
        let folder = crate::paths::documents_folder()
            .unwrap_or_else(|| self.state.data_dir.root().to_path_buf());
        let destination = folder.join(format!("rehearse-{stamp}.zip"));
        self.state.export = Some(ExportPanel {
            sessions,
            destination: destination.display().to_string(),
            container: Container::Zip,
            audio: AudioFormat::Wav,
            choosing: false,
            running: None,
        });
    }

    /// Starts the export the window describes.
    pub(super) fn start_export(&mut self) {
        let Some(panel) = &mut self.state.export else {
            return;
        };
        if panel.running.is_some() {
            return;
        }
        let mut sessions = Vec::new();
        for id in &panel.sessions {
            match self.state.sessions.get(id) {
                Some(session) => sessions.push(session.clone()),
                None => {
                    let message = format!("Session {id} is not loaded; nothing was exported.");
                    self.state.say(message);
                    return;
                }
            }
        }
        let destination = with_container_extension(panel.destination.trim(), panel.container);
        if destination.as_os_str().is_empty() {
            self.state.say("Choose where to export to.");
            return;
        }
        let progress = Arc::new(ExportProgress::default());
        panel.running = Some(Arc::clone(&progress));
        self.services.worker.send(WorkerRequest::Export {
            request: Box::new(ExportRequest {
                sessions,
                destination,
                container: panel.container,
                audio: panel.audio,
                force: false,
                bank: self.state.bank.questions().to_vec(),
            }),
            progress,
        });
    }
}

/// The destination typed, with `.zip` added for a zip or taken off for a
/// folder.
fn with_container_extension(typed: &str, container: Container) -> PathBuf {
    if typed.is_empty() {
        return PathBuf::new();
    }
    let is_zip = std::path::Path::new(typed)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    match container {
        Container::Zip if !is_zip => PathBuf::from(format!("{typed}.zip")),
        Container::Folder if is_zip => PathBuf::from(&typed[..typed.len() - 4]),
        _ => PathBuf::from(typed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_destination_gets_the_container_extension() {
        let zip = with_container_extension("/tmp/out", Container::Zip);
        assert_eq!(zip, PathBuf::from("/tmp/out.zip"));
        let kept = with_container_extension("/tmp/out.ZIP", Container::Zip);
        assert_eq!(kept, PathBuf::from("/tmp/out.ZIP"));
        let folder = with_container_extension("/tmp/out.zip", Container::Folder);
        assert_eq!(folder, PathBuf::from("/tmp/out"));
        assert!(
            with_container_extension("", Container::Zip)
                .as_os_str()
                .is_empty()
        );
    }
}
