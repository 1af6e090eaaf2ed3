//! The "Question packs" part of the settings: every pack with its name,
//! questions and status (loaded, off, or its problems with file, line and
//! column), a switch for each, importing a pack file and exporting one.

use eframe::egui;

use crate::app::{AppState, Command, QuestionCommand};
use crate::questions::PackStatus;

pub(super) fn draw(ui: &mut egui::Ui, app: &mut AppState, commands: &mut Vec<Command>) {
    ui.label(egui::RichText::new("Question packs").strong());
    ui.weak(format!(
        "Packs are JSON files in {}; turn one off to leave its questions out of new sessions.",
        app.data_dir().questions().display()
    ));
    let busy = app.questions.busy;
    for entry in app.bank.entries() {
        ui.horizontal_wrapped(|ui| {
            let mut on = !matches!(entry.status, PackStatus::Off { .. });
            let failed = matches!(entry.status, PackStatus::Failed(_));
            let toggle =
                ui.add_enabled(!busy && !failed, egui::Checkbox::new(&mut on, &entry.name));
            if toggle.changed() {
                commands.push(Command::Questions(QuestionCommand::SetPackOn(
                    entry.key.clone(),
                    on,
                )));
            }
            match &entry.status {
                PackStatus::Loaded { questions } => {
                    ui.label(format!("{}, loaded", super::plural(*questions, "question")));
                    if super::named_button(ui, "Export…", &format!("Export pack {}", entry.name))
                    {
                        commands.push(Command::Questions(QuestionCommand::ExportPack(
                            entry.source.clone(),
                        )));
                    }
                }
                PackStatus::Off { questions } => {
                    ui.weak(match questions {
                        Some(n) => format!("{}, off", super::plural(*n, "question")),
                        None => "off".to_owned(),
                    });
                }
                PackStatus::Failed(_) => {
                    ui.colored_label(ui.visuals().warn_fg_color, "left out");
                }
            }
        });
        if let PackStatus::Failed(problems) = &entry.status {
            for problem in problems {
                ui.colored_label(ui.visuals().warn_fg_color, format!("    {problem}"));
            }
        }
    }
    ui.horizontal(|ui| {
        let label = ui.label("Import a pack:");
        ui.add(
            egui::TextEdit::singleline(&mut app.questions.import_path)
                .hint_text("a .json pack file")
                .desired_width(320.0),
        )
        .labelled_by(label.id);
        ui.add_enabled_ui(!busy, |ui| {
            if super::named(ui.button("Choose…"), "Choose a pack file…").clicked() {
                commands.push(Command::Questions(QuestionCommand::ChoosePackToImport));
            }
            if ui.button("Import pack").clicked() {
                commands.push(Command::Questions(QuestionCommand::ImportPack));
            }
        });
    });
}
