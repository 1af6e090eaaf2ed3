//! The settings screen: the data folder, the log, default timings, warning
//! time, recording format, speech recognition, the interviewer's voice, question packs and theme. Every change is
//! saved at once.

use eframe::egui;

use super::{answer_limit_picker, think_time_picker};
use crate::app::{AppState, Command};
use crate::audio::TakeFormat;
use crate::store::settings::Theme;

pub(super) fn draw(ui: &mut egui::Ui, app: &mut AppState, commands: &mut Vec<Command>) {
    ui.heading("Settings");
    ui.add_space(8.0);
    let root = app.data_dir().root().to_path_buf();
    ui.horizontal_wrapped(|ui| {
        ui.label("Your sessions and recordings are kept in");
        ui.monospace(root.display().to_string());
        if ui.button("Open data folder").clicked() {
            commands.push(Command::OpenFolder(root.clone()));
        }
    });
    ui.weak("Nothing leaves this computer unless you export it. To back up, copy this folder.");
    if let Some(log) = crate::logging::log_file() {
        ui.horizontal_wrapped(|ui| {
            ui.label("If something goes wrong, details are written to");
            ui.monospace(log.display().to_string());
        });
    }
    ui.separator();

    let mut changed = false;
    ui.label(egui::RichText::new("Timing of new sessions").strong());
    ui.horizontal(|ui| {
        // The defaults: a new default is also the practice screen's choice
        // from now on (a choice made there is for its session only).
        if think_time_picker(ui, "settings-think", &mut app.settings.think) {
            app.home.think = app.settings.think;
            changed = true;
        }
        if answer_limit_picker(ui, "settings-answer", &mut app.settings.answer) {
            app.home.answer = app.settings.answer;
            changed = true;
        }
    });
    ui.horizontal(|ui| {
        let label = ui.label("Warn this many seconds before the end:");
        changed |= ui
            .add(egui::DragValue::new(&mut app.settings.warning_seconds).range(0..=120))
            .labelled_by(label.id)
            .changed();
    });
    ui.separator();

    ui.label(egui::RichText::new("Recording format").strong());
    ui.horizontal(|ui| {
        for (format, text) in [
            (
                TakeFormat::S16,
                "Standard (recommended: small files, plenty for speech)",
            ),
            (
                TakeFormat::S24,
                "More detail (for a very quiet voice; half as large again)",
            ),
            (TakeFormat::F32, "For editing later (twice the size)"),
        ] {
            changed |= ui
                .radio_value(&mut app.settings.take_format, format, text)
                .changed();
        }
    });
    ui.weak("Applies the next time the microphone opens.");
    ui.separator();

    changed |= super::speech_settings::draw(ui, app, commands);
    ui.separator();

    changed |= super::voice_settings::draw(ui, app, commands);
    ui.separator();

    super::packs::draw(ui, app, commands);
    ui.separator();

    ui.label(egui::RichText::new("Theme").strong());
    ui.horizontal(|ui| {
        for (theme, text) in [
            (Theme::System, "Follow the system"),
            (Theme::Light, "Light"),
            (Theme::Dark, "Dark"),
        ] {
            changed |= ui
                .radio_value(&mut app.settings.theme, theme, text)
                .changed();
        }
    });
    if changed {
        commands.push(Command::SettingsChanged);
    }
}
