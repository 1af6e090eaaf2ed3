//! The export window: where to (typed, or chosen in the system's save
//! dialog), folder or zip, WAV or FLAC; then a progress bar with Cancel.

use std::sync::atomic::Ordering;

use eframe::egui;

use crate::app::{AppState, Command};
use crate::store::export::{AudioFormat, Container};

pub(super) fn draw(ui: &mut egui::Ui, app: &mut AppState, commands: &mut Vec<Command>) {
    let Some(panel) = &mut app.export else {
        return;
    };
    let modal = egui::Modal::new(egui::Id::unique("export")).show(ui.ctx(), |ui| {
        ui.set_width(520.0);
        ui.heading(match panel.sessions.len() {
            1 => "Export a session".to_owned(),
            n => format!("Export {n} sessions"),
        });
        ui.label("The recordings, a report to open in any browser, a spreadsheet of takes and the session files.");
        ui.add_space(8.0);
        if let Some(progress) = &panel.running {
            let total = progress.total.load(Ordering::Relaxed).max(1);
            let done = progress.done.load(Ordering::Relaxed).min(total);
            let cancelling = progress.cancel.load(Ordering::Relaxed);
            ui.label(format!("Exporting to {}", panel.destination));
            ui.add(
                egui::ProgressBar::new(done as f32 / total as f32)
                    .show_percentage()
                    .animate(true),
            );
            ui.add_enabled_ui(!cancelling, |ui| {
                if ui.button(if cancelling { "Cancelling…" } else { "Cancel export" }).clicked() {
                    commands.push(Command::CancelExport);
                }
            });
            return;
        }
        ui.horizontal(|ui| {
            ui.label("Save as:");
            ui.radio_value(&mut panel.container, Container::Zip, "One .zip file");
            ui.radio_value(&mut panel.container, Container::Folder, "A folder");
        });
        ui.horizontal(|ui| {
            ui.label("Audio:");
            ui.radio_value(&mut panel.audio, AudioFormat::Wav, "WAV (as recorded)");
            ui.radio_value(&mut panel.audio, AudioFormat::Flac, "FLAC (lossless, smaller)");
        });
        ui.horizontal(|ui| {
            let label = ui.label("Destination:");
            ui.add(egui::TextEdit::singleline(&mut panel.destination).desired_width(330.0))
                .labelled_by(label.id);
            ui.add_enabled_ui(!panel.choosing, |ui| {
                if ui.button("Choose…").clicked() {
                    commands.push(Command::ChooseExportDestination);
                }
            });
        });
        if panel.choosing {
            ui.weak("Waiting for the file dialog…");
        }
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui.button("Export").clicked() {
                commands.push(Command::StartExport);
            }
            if ui.button("Close").clicked() {
                commands.push(Command::CancelExport);
            }
        });
    });
    if modal.should_close() && panel_idle(app) {
        commands.push(Command::CancelExport);
    }
}

fn panel_idle(app: &AppState) -> bool {
    app.export.as_ref().is_some_and(|p| p.running.is_none())
}
