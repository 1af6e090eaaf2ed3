//! The question form (new, edit, copy) and the question to delete, as
//! modal windows over the practice screen. Every field of a pack question;
//! each problem shows beside its field as the user types, and Save is
//! refused while any remains.

use eframe::egui;

use crate::app::{AppState, Command, QuestionCommand, QuestionEditor};
use crate::model::QuestionKind;
use crate::questions::QuestionBank;
use crate::questions::own::{Condition, Field};

pub(super) fn draw(ui: &mut egui::Ui, app: &mut AppState, commands: &mut Vec<Command>) {
    confirm_delete(ui, app, commands);
    let categories: Vec<String> = app
        .bank
        .categories()
        .into_iter()
        .map(|(name, _)| name.to_owned())
        .collect();
    let bank = &app.bank;
    // While the form is open, the only work on pack files is its save.
    let saving = app.questions.busy;
    let Some(editor) = &mut app.questions.editor else {
        return;
    };
    // Anchored at the top, not centred: rows added below grow it downwards
    // and Save does not move under the mouse. The window behind is dimmed
    // more than egui's default, so the form stands out.
    let id = egui::Id::unique("question-editor");
    let modal = egui::Modal::new(id)
        .area(egui::Modal::default_area(id).anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 24.0)))
        .backdrop_color(egui::Color32::from_black_alpha(160))
        .show(ui.ctx(), |ui| {
            ui.set_width(600.0);
            ui.heading(editor.title());
            if let Some(text) = &editor.copy_of {
                ui.weak(format!(
                    "A copy of “{text}”, saved as a question of your own."
                ));
            }
            egui::ScrollArea::vertical()
                .max_height(ui.ctx().content_rect().height() * 0.7)
                .show(ui, |ui| form(ui, editor, &categories, bank));
            ui.separator();
            buttons(ui, editor, saving, commands);
        });
    if modal.should_close() && !saving {
        commands.push(Command::Questions(QuestionCommand::CloseEditor));
    }
}

/// The problem of `field` beside it, when it shows.
fn problem(ui: &mut egui::Ui, editor: &QuestionEditor, field: Field) {
    if !editor.shows(field) {
        return;
    }
    if let Some((_, problem)) = editor
        .draft
        .problems()
        .into_iter()
        .find(|(f, _)| *f == field)
    {
        ui.colored_label(ui.visuals().error_fg_color, problem.to_string());
    }
}

fn form(
    ui: &mut egui::Ui,
    editor: &mut QuestionEditor,
    categories: &[String],
    bank: &QuestionBank,
) {
    let label = ui.label("Question:");
    let response = ui
        .add(
            egui::TextEdit::multiline(&mut editor.draft.text)
                .desired_rows(2)
                .desired_width(f32::INFINITY)
                .hint_text("As the interviewer would ask it"),
        )
        .labelled_by(label.id);
    if response.changed() {
        editor.touched.insert(Field::Text);
    }
    problem(ui, editor, Field::Text);
    ui.weak(id_line(editor, bank));
    ui.add_space(4.0);

    ui.horizontal(|ui| {
        let label = ui.label("Category:");
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut editor.draft.category)
                    .hint_text("choose or type a new one"),
            )
            .labelled_by(label.id);
        if response.changed() {
            editor.touched.insert(Field::Category);
        }
        let choose = egui::ComboBox::from_id_salt("editor-category")
            .selected_text("Choose…")
            .show_ui(ui, |ui| {
                for category in categories {
                    if ui.selectable_label(false, category).clicked() {
                        editor.draft.category.clone_from(category);
                        editor.touched.insert(Field::Category);
                    }
                }
            })
            .response;
        choose.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::ComboBox, true, "Choose a category")
        });
    });
    problem(ui, editor, Field::Category);

    ui.horizontal(|ui| {
        ui.label("Kind:");
        for kind in [
            QuestionKind::Behavioural,
            QuestionKind::Technical,
            QuestionKind::Situational,
        ] {
            ui.radio_value(&mut editor.draft.kind, kind, kind.as_str());
        }
    });
    ui.add_space(4.0);

    let label = ui.label("What the interviewer looks for:");
    ui.add(
        egui::TextEdit::multiline(&mut editor.draft.looking_for)
            .desired_rows(2)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id);
    ui.add_space(4.0);

    rows(ui, editor, "Tips", "Tip", Field::Tip);
    ui.horizontal(|ui| {
        let label = ui.label("Think time (s):");
        ui.add(egui::DragValue::new(&mut editor.draft.think_seconds).range(0..=600))
            .labelled_by(label.id);
        let label = ui.label("Answer time (s):");
        let response = ui
            .add(egui::DragValue::new(&mut editor.draft.answer_seconds).range(0..=3600))
            .labelled_by(label.id);
        if response.changed() {
            editor.touched.insert(Field::AnswerSeconds);
        }
    });
    problem(ui, editor, Field::AnswerSeconds);
    ui.add_space(4.0);
    rows(ui, editor, "Keywords", "Keyword", Field::Keyword);
    ui.add_space(4.0);
    points(ui, editor);
    ui.add_space(4.0);
    follow_ups(ui, editor);
}

/// The strong answer's points: each a line and its cues (comma-separated),
/// removable, and a button to add one.
fn points(ui: &mut egui::Ui, editor: &mut QuestionEditor) {
    ui.label("What a strong answer covers (3 to 6 points; cues are phrases that say it, with commas between):");
    let mut remove = None;
    for (index, row) in editor.draft.strong_answer.iter_mut().enumerate() {
        ui.horizontal(|ui| {
            let label = ui.label(format!("Point {}:", index + 1));
            let point = ui
                .add(egui::TextEdit::singleline(&mut row.point).desired_width(300.0))
                .labelled_by(label.id);
            let label = ui.label("cues:");
            let cues = ui
                .add(
                    egui::TextEdit::singleline(&mut row.cues)
                        .desired_width(200.0)
                        .hint_text("cache, TTL"),
                )
                .labelled_by(label.id);
            if point.changed() || cues.changed() {
                editor.touched.insert(Field::StrongAnswer);
            }
            if remove_clicked(ui, &format!("point {}", index + 1)) {
                remove = Some(index);
            }
        });
    }
    if update_rows(ui, &mut editor.draft.strong_answer, remove, "Add point") {
        editor.touched.insert(Field::StrongAnswer);
    }
    problem(ui, editor, Field::StrongAnswer);
}

/// The follow-ups in order: what is asked, when, and the phrases the
/// condition looks for.
fn follow_ups(ui: &mut egui::Ui, editor: &mut QuestionEditor) {
    ui.label("Follow-ups (the first whose condition holds is asked):");
    let mut remove = None;
    for (index, row) in editor.draft.follow_ups.iter_mut().enumerate() {
        ui.horizontal_wrapped(|ui| {
            let label = ui.label(format!("Follow-up {}:", index + 1));
            let ask = ui
                .add(egui::TextEdit::singleline(&mut row.ask).desired_width(300.0))
                .labelled_by(label.id);
            let mut changed = ask.changed();
            let combo = egui::ComboBox::from_id_salt(("follow-up when", index))
                .selected_text(row.condition.label())
                .show_ui(ui, |ui| {
                    for condition in Condition::ALL {
                        changed |= ui
                            .selectable_value(&mut row.condition, condition, condition.label())
                            .changed();
                    }
                })
                .response;
            let name = format!("When follow-up {} is asked", index + 1);
            combo.widget_info(|| egui::WidgetInfo::labeled(egui::Role::ComboBox, true, &name));
            if row.condition.has_phrases() {
                let phrases = ui.add(
                    egui::TextEdit::singleline(&mut row.phrases)
                        .desired_width(180.0)
                        .hint_text("cache, caching"),
                );
                let name = format!("Phrases of follow-up {}", index + 1);
                phrases
                    .widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, &name));
                changed |= phrases.changed();
            }
            if changed {
                editor.touched.insert(Field::FollowUps);
            }
            if remove_clicked(ui, &format!("follow-up {}", index + 1)) {
                remove = Some(index);
            }
        });
    }
    if update_rows(ui, &mut editor.draft.follow_ups, remove, "Add follow-up") {
        editor.touched.insert(Field::FollowUps);
    }
    problem(ui, editor, Field::FollowUps);
}

/// What the id will be.
fn id_line(editor: &QuestionEditor, bank: &QuestionBank) -> String {
    let id = editor.id(bank);
    match &editor.original {
        Some((old, _)) if editor.has_takes => {
            format!("Id: {} (kept: your takes refer to it)", old.id)
        }
        _ => format!("Id: {id} (made from the text)"),
    }
}

/// A list of one-line rows (tips or keywords), each removable, and a
/// button to add one.
fn rows(
    ui: &mut egui::Ui,
    editor: &mut QuestionEditor,
    heading: &str,
    noun: &str,
    field: fn(usize) -> Field,
) {
    ui.label(format!("{heading}:"));
    let is_tip = matches!(field(0), Field::Tip(_));
    let mut remove = None;
    let count = if is_tip {
        editor.draft.tips.len()
    } else {
        editor.draft.keywords.len()
    };
    for index in 0..count {
        ui.horizontal(|ui| {
            let label = ui.label(format!("{noun} {}:", index + 1));
            let row = if is_tip {
                &mut editor.draft.tips[index]
            } else {
                &mut editor.draft.keywords[index]
            };
            let width = if is_tip { 420.0 } else { 240.0 };
            let response = ui
                .add(egui::TextEdit::singleline(row).desired_width(width))
                .labelled_by(label.id);
            if response.changed() {
                editor.touched.insert(field(index));
            }
            if remove_clicked(ui, &format!("{} {}", noun.to_lowercase(), index + 1)) {
                remove = Some(index);
            }
        });
        problem(ui, editor, field(index));
    }
    let list = if is_tip {
        &mut editor.draft.tips
    } else {
        &mut editor.draft.keywords
    };
    if update_rows(ui, list, remove, &format!("Add {}", noun.to_lowercase())) {
        // Problems are placed by row; the rows below moved up.
        editor
            .touched
            .retain(|f| !matches!(f, Field::Tip(_) | Field::Keyword(_)));
    }
}

/// A row's Remove button, its hover naming the row ("Remove point 2");
/// whether it was clicked.
fn remove_clicked(ui: &mut egui::Ui, row: &str) -> bool {
    ui.small_button("Remove")
        .on_hover_text(format!("Remove {row}"))
        .clicked()
}

/// Removes row `remove` of `rows`, then adds an empty row when the button
/// `add` is clicked; whether a row was removed.
fn update_rows<T: Default>(
    ui: &mut egui::Ui,
    rows: &mut Vec<T>,
    remove: Option<usize>,
    add: &str,
) -> bool {
    let removed = match remove {
        Some(index) if index < rows.len() => {
            rows.remove(index);
            true
        }
        _ => false,
    };
    if ui.button(add).clicked() {
        rows.push(T::default());
    }
    removed
}

fn buttons(ui: &mut egui::Ui, editor: &QuestionEditor, saving: bool, commands: &mut Vec<Command>) {
    if let Some(why) = &editor.refused {
        ui.colored_label(ui.visuals().error_fg_color, format!("Not saved: {why}"));
    }
    let problems = editor.draft.problems().len();
    if editor.save_pressed && problems > 0 {
        ui.colored_label(
            ui.visuals().error_fg_color,
            format!(
                "Not saved: {} to fix above.",
                super::plural(problems, "problem")
            ),
        );
    }
    ui.horizontal(|ui| {
        ui.add_enabled_ui(!saving, |ui| {
            let save = ui.add(egui::Button::new(if saving {
                "Saving…"
            } else {
                "Save question"
            }));
            if save.clicked() {
                commands.push(Command::Questions(QuestionCommand::Save));
            }
            if ui.button("Cancel").clicked() {
                commands.push(Command::Questions(QuestionCommand::CloseEditor));
            }
        });
    });
}

fn confirm_delete(ui: &mut egui::Ui, app: &AppState, commands: &mut Vec<Command>) {
    let Some(pending) = &app.questions.delete else {
        return;
    };
    let modal = egui::Modal::new(egui::Id::unique("question-delete")).show(ui.ctx(), |ui| {
        ui.set_width(460.0);
        ui.heading("Delete this question?");
        ui.label(format!("“{}”", pending.question.text));
        match pending.takes {
            0 => ui.label("You have not answered it yet."),
            1 => ui.label(
                "Your take of it stays in your history, under the question as it was asked.",
            ),
            n => ui.label(format!(
                "Your {n} takes of it stay in your history, under the question as it was asked."
            )),
        };
        ui.horizontal(|ui| {
            if ui.button("Delete question").clicked() {
                commands.push(Command::Questions(QuestionCommand::ConfirmDelete));
            }
            if ui.button("Keep it").clicked() {
                commands.push(Command::Questions(QuestionCommand::CancelDelete));
            }
        });
    });
    if modal.should_close() {
        commands.push(Command::Questions(QuestionCommand::CancelDelete));
    }
}
