//! The "Speech recognition" part of the settings: on or off, which model,
//! the installed models, downloading (only when asked, with progress and
//! Cancel), importing a file, removing, and transcribing older takes.

use eframe::egui;

use crate::app::{AppState, Command, SpeechCommand, TranscriptSlot};
use crate::speech::models::{CATALOGUE, CatalogueModel, RECOMMENDED, megabytes};

/// Returns whether a setting changed (to be saved).
pub(super) fn draw(ui: &mut egui::Ui, app: &mut AppState, commands: &mut Vec<Command>) -> bool {
    ui.label(egui::RichText::new("Speech recognition").strong());
    let mut changed = ui
        .checkbox(
            &mut app.settings.speech.enabled,
            "Transcribe each take on this computer (nothing is sent anywhere)",
        )
        .changed();
    let Some(installed) = app.speech.installed.clone() else {
        ui.weak("Looking for installed models…");
        return changed;
    };
    if installed.is_empty() {
        ui.weak(format!(
            "No model is installed. {RECOMMENDED} is recommended; tiny.en suits slow computers."
        ));
    } else {
        changed |= model_choice(ui, app, &installed);
        for model in &installed {
            ui.horizontal(|ui| {
                ui.monospace(&model.name);
                ui.weak(megabytes(model.bytes));
                let button = ui.add_enabled(!app.speech.busy, egui::Button::new("Remove"));
                let name = format!("Remove the {} model", model.name);
                button.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
                if button.clicked() {
                    commands.push(Command::Speech(SpeechCommand::RemoveModel(
                        model.name.clone(),
                    )));
                }
            });
        }
    }
    downloads(ui, app, &installed, commands);
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Import a model file:");
        ui.add(
            egui::TextEdit::singleline(&mut app.speech.import_path)
                .hint_text("its path, e.g. ~/Downloads/ggml-base.en.bin")
                .desired_width(320.0),
        )
        .labelled_by(label.id);
        ui.add_enabled_ui(!app.speech.busy, |ui| {
            if super::named(ui.button("Choose…"), "Choose a model file…").clicked() {
                commands.push(Command::Speech(SpeechCommand::ChooseModelFile));
            }
            if ui.button("Import").clicked() {
                commands.push(Command::Speech(SpeechCommand::ImportModel));
            }
        });
    });
    ui.weak(
        "For a computer that is offline or behind a proxy: a model file copied from another \
         computer (the files offered above, from whisper.cpp), or the sentence model's folder \
         or zip.",
    );
    sentence_model(ui, app, commands);
    if !installed.is_empty() {
        older_takes(ui, app, commands);
    }
    changed
}

/// The sentence model: whether points said in other words count, and a
/// way to download, import or remove it.
fn sentence_model(ui: &mut egui::Ui, app: &AppState, commands: &mut Vec<Command>) {
    use crate::content::model as sentence;
    ui.add_space(6.0);
    ui.label(egui::RichText::new("Matching by meaning").strong());
    let downloading = app
        .speech
        .download
        .as_ref()
        .is_some_and(|(name, _)| name == sentence::NAME);
    match app.speech.sentence_model {
        None => {
            ui.weak("Looking for the sentence model…");
        }
        Some(true) => {
            ui.horizontal_wrapped(|ui| {
                ui.label(
                    "The sentence model is installed: a point said in other words counts as \
                     covered.",
                );
                let button = ui.add_enabled(!app.speech.busy, egui::Button::new("Remove"));
                if super::named(button, "Remove the sentence model").clicked() {
                    commands.push(Command::Speech(SpeechCommand::RemoveModel(
                        sentence::NAME.to_owned(),
                    )));
                }
            });
        }
        Some(false) if !downloading => {
            ui.weak(format!(
                "Without the sentence model, a strong answer's points are matched by their \
                 words (and forms of them). With it ({}, once; it runs on this computer), a \
                 point said in other words counts too.",
                megabytes(sentence::SIZE)
            ));
            let busy = app.speech.download.is_some() || app.speech.busy;
            let button = ui.add_enabled(!busy, egui::Button::new("Download"));
            if super::named(button, "Download the sentence model")
                .on_hover_text(sentence::url_for(&sentence::WEIGHTS))
                .clicked()
            {
                commands.push(Command::Speech(SpeechCommand::DownloadModel(
                    sentence::NAME.to_owned(),
                )));
            }
        }
        Some(false) => {}
    }
}

fn model_choice(
    ui: &mut egui::Ui,
    app: &mut AppState,
    installed: &[crate::speech::models::InstalledModel],
) -> bool {
    let mut changed = false;
    ui.horizontal(|ui| {
        let label = ui.label("Model:");
        let current = app
            .settings
            .speech
            .model
            .clone()
            .unwrap_or_else(|| "the best installed".to_owned());
        egui::ComboBox::from_id_salt("speech-model")
            .selected_text(current)
            .show_ui(ui, |ui| {
                changed |= ui
                    .selectable_value(&mut app.settings.speech.model, None, "the best installed")
                    .changed();
                for model in installed {
                    changed |= ui
                        .selectable_value(
                            &mut app.settings.speech.model,
                            Some(model.name.clone()),
                            &model.name,
                        )
                        .changed();
                }
            })
            .response
            .labelled_by(label.id);
    });
    changed
}

/// The published models not installed yet, each with a Download button;
/// the running download with its progress and Cancel.
fn downloads(
    ui: &mut egui::Ui,
    app: &AppState,
    installed: &[crate::speech::models::InstalledModel],
    commands: &mut Vec<Command>,
) {
    if let Some((name, shared)) = &app.speech.download {
        let progress = shared.progress();
        ui.horizontal(|ui| {
            ui.label(format!("Downloading {name}:"));
            let fraction = if progress.total > 0 {
                progress.received as f32 / progress.total as f32
            } else {
                0.0
            };
            ui.add(
                egui::ProgressBar::new(fraction)
                    .desired_width(240.0)
                    .text(progress.describe()),
            );
            if ui.button("Cancel").clicked() {
                commands.push(Command::Speech(SpeechCommand::CancelDownload));
            }
        });
        return;
    }
    let missing: Vec<&CatalogueModel> = CATALOGUE
        .iter()
        .filter(|model| installed.iter().all(|m| m.name != model.name))
        .collect();
    if missing.is_empty() {
        return;
    }
    let row = |ui: &mut egui::Ui, model: &CatalogueModel, commands: &mut Vec<Command>| {
        ui.horizontal_wrapped(|ui| {
            let button = ui.button("Download");
            let name = format!("Download the {} model", model.name);
            button.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
            if button
                .on_hover_text(crate::speech::download::url_for(&model.file_name()))
                .clicked()
            {
                // A large download is asked about first.
                let command = if model.size > ASK_ABOVE_BYTES {
                    SpeechCommand::AskDownload(Some(model.name.to_owned()))
                } else {
                    SpeechCommand::DownloadModel(model.name.to_owned())
                };
                commands.push(Command::Speech(command));
            }
            ui.monospace(model.name);
            ui.weak(format!("{} · {}", megabytes(model.size), model.note));
        });
        if app.speech.confirm_download.as_deref() == Some(model.name) {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!(
                    "{} is a download of {}; on a metered or slow connection it may take a while.",
                    model.name,
                    megabytes(model.size)
                ));
                if ui.button("Download now").clicked() {
                    commands.push(Command::Speech(SpeechCommand::DownloadModel(
                        model.name.to_owned(),
                    )));
                }
                if ui.button("Not now").clicked() {
                    commands.push(Command::Speech(SpeechCommand::AskDownload(None)));
                }
            });
        }
    };
    let (main, compressed): (Vec<&CatalogueModel>, Vec<&CatalogueModel>) = missing
        .into_iter()
        .partition(|model| !model.name.contains('-'));
    for model in main {
        row(ui, model, commands);
    }
    if !compressed.is_empty() {
        egui::CollapsingHeader::new("Smaller, compressed models")
            .id_salt("compressed-models")
            .show(ui, |ui| {
                for model in compressed {
                    row(ui, model, commands);
                }
            });
    }
    ui.weak(format!(
        "Models come from {} when you press Download; nothing else uses the network.",
        crate::speech::download::url_for("").trim_end_matches('/')
    ));
}

/// Downloads larger than this are asked about before they start.
const ASK_ABOVE_BYTES: u64 = 100_000_000;

/// "Transcribe all older takes", or its progress and Cancel.
fn older_takes(ui: &mut egui::Ui, app: &AppState, commands: &mut Vec<Command>) {
    let running = &app.speech.older;
    let left = running
        .iter()
        .filter(|key| {
            matches!(
                app.transcripts.get(*key),
                Some(TranscriptSlot::Transcribing(_))
            )
        })
        .count();
    ui.horizontal(|ui| {
        if left == 0 {
            if ui.button("Transcribe all older takes").clicked() {
                commands.push(Command::Speech(SpeechCommand::TranscribeOlder));
            }
            if !running.is_empty() {
                ui.weak(format!("{} takes done.", running.len()));
            }
        } else {
            let done = running.len() - left;
            ui.add(
                egui::ProgressBar::new(done as f32 / running.len() as f32)
                    .desired_width(240.0)
                    .text(format!("{done} of {} takes transcribed", running.len())),
            );
            if ui.button("Cancel").clicked() {
                commands.push(Command::Speech(SpeechCommand::CancelOlder));
            }
        }
    });
}
