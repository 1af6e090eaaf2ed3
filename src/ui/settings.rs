//! The settings screen: the data folder, the log, default timings, warning
//! time, recording format, speech recognition, follow-up questions, the
//! interviewer's voice, question packs and theme. Every change is saved at
//! once.

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

    changed |= follow_up_settings(ui, app);
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

/// How many follow-up questions a mock interview asks by itself, and how
/// long a follow-up's answer may be; whether the change is to be saved.
fn follow_up_settings(ui: &mut egui::Ui, app: &mut AppState) -> bool {
    let mut changed = false;
    let follow_ups = &mut app.settings.follow_ups;
    ui.label(egui::RichText::new("Follow-up questions").strong());
    ui.horizontal(|ui| {
        ui.label("In a mock interview, after each answer:");
        for (depth, text) in [
            (0, "none"),
            (1, "one follow-up"),
            (2, "up to two (a follow-up of the follow-up)"),
        ] {
            changed |= ui
                .radio_value(&mut follow_ups.per_question, depth, text)
                .changed();
        }
    });
    ui.horizontal(|ui| {
        let label = ui.label("A follow-up's answer limit:");
        changed |= ui
            .add(
                egui::DragValue::new(&mut follow_ups.answer_seconds)
                    .range(10..=600)
                    .suffix(" s"),
            )
            .labelled_by(label.id)
            .changed();
    });
    ui.weak(
        "The follow-up is chosen from what your answer said, on this computer. In practice, \
         answer one from the review of a take (F).",
    );
    if app.no_speech_model || !app.settings.speech.enabled {
        ui.weak(
            "Without speech recognition only the follow-ups asked after any answer can be \
             chosen: the others depend on what you said.",
        );
    }
    changed
}
