//! The "Interviewer's voice" part of the settings: read questions aloud
//! (off by default), the voice and speed among what the system's speech
//! service offers, and a sample to hear them. Without a speech service the
//! setting says why and cannot be turned on.

use eframe::egui;

use crate::app::{AppState, Command, VoiceCommand};

/// Draws the section; whether a setting changed.
pub(super) fn draw(ui: &mut egui::Ui, app: &mut AppState, commands: &mut Vec<Command>) -> bool {
    ui.label(egui::RichText::new("Interviewer's voice").strong());
    if app.voice.offer.is_none() && !app.voice.probing {
        commands.push(Command::Voice(VoiceCommand::Probe));
    }
    let available = app.voice.available();
    let settings = &mut app.settings.voice;
    let mut changed = false;
    let toggle = ui.add_enabled(
        available,
        egui::Checkbox::new(&mut settings.read_aloud, "Read questions aloud"),
    );
    changed |= toggle.changed();
    match &app.voice.offer {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.weak("Looking for the system's speech service…");
            });
        }
        Some(Err(why)) => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("Questions cannot be read aloud: {why}."),
            );
        }
        Some(Ok(offer)) => {
            ui.weak(
                "The question is read before your time to think starts; never while you answer.",
            );
            ui.horizontal(|ui| {
                let label = ui.label("Voice:");
                let chosen = settings.voice.clone();
                let shown = chosen
                    .as_ref()
                    .and_then(|id| offer.voices.iter().find(|v| &v.id == id))
                    .map_or_else(
                        || "System default".to_owned(),
                        |v| format!("{} ({})", v.name, v.language),
                    );
                egui::ComboBox::from_id_salt("voice")
                    .selected_text(shown)
                    .height(300.0)
                    .show_ui(ui, |ui| {
                        if ui
                            .selectable_label(chosen.is_none(), "System default")
                            .clicked()
                        {
                            settings.voice = None;
                            changed = true;
                        }
                        for voice in &offer.voices {
                            let selected = chosen.as_deref() == Some(voice.id.as_str());
                            let text = format!("{} ({})", voice.name, voice.language);
                            if ui.selectable_label(selected, text).clicked() {
                                settings.voice = Some(voice.id.clone());
                                changed = true;
                            }
                        }
                    })
                    .response
                    .labelled_by(label.id);
                let label = ui.label("Speed:");
                changed |= ui
                    .add(egui::Slider::new(&mut settings.speed, 0..=100).show_value(false))
                    .labelled_by(label.id)
                    .changed();
                if ui.button("Hear it").clicked() {
                    commands.push(Command::Voice(VoiceCommand::Try));
                }
            });
        }
    }
    changed
}
