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
            // Hundreds of voices: a language first (the system's at the
            // top), then its voices.
            let chosen = settings.voice.clone();
            let chosen_voice = chosen
                .as_ref()
                .and_then(|id| offer.voices.iter().find(|v| &v.id == id));
            let system = crate::voice::system_language();
            let groups = crate::voice::language_groups(&offer.voices, &system);
            let language = app
                .voice
                .language
                .clone()
                .or_else(|| chosen_voice.map(|v| crate::voice::language_of(&v.language)))
                .filter(|language| groups.iter().any(|(name, _)| name == language))
                .or_else(|| groups.first().map(|(name, _)| name.clone()))
                .unwrap_or(system);
            if let Some(picked) = language_choice(ui, &groups, &language) {
                app.voice.language = Some(picked);
            }
            let members: &[&crate::voice::VoiceChoice] = groups
                .iter()
                .find(|(name, _)| *name == language)
                .map_or(&[], |(_, members)| members.as_slice());
            ui.horizontal(|ui| {
                let label = ui.label("Voice:");
                let shown = chosen_voice.map_or_else(
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
                        for voice in members {
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

/// The language whose voices are listed; the one picked, if one was.
fn language_choice(
    ui: &mut egui::Ui,
    groups: &[(String, Vec<&crate::voice::VoiceChoice>)],
    language: &str,
) -> Option<String> {
    let mut picked = None;
    ui.horizontal(|ui| {
        let label = ui.label("Language:");
        egui::ComboBox::from_id_salt("voice-language")
            .selected_text(language)
            .height(300.0)
            .show_ui(ui, |ui| {
                for (name, members) in groups {
                    let text = format!("{name} ({})", super::plural(members.len(), "voice"));
                    if ui.selectable_label(name == language, text).clicked() {
                        picked = Some(name.clone());
                    }
                }
            })
            .response
            .labelled_by(label.id);
    });
    picked
}
