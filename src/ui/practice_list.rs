//! The question bank on the practice screen: one list grouped by category
//! (each group folds, and its tri-state check box chooses none, some or all
//! of it), a search over text, category and keywords, and beside the list
//! the shown question's details: what the interviewer listens for, its
//! tips, and what can be done with it.

use eframe::egui;

use crate::app::{AppState, Command, QuestionCommand};
use crate::interview::CategoryChoice;
use crate::model::{Question, QuestionId};
use crate::store::history::days_ago;

/// From this width a question's row has its practice line beside it.
const WIDE_ROW: f32 = 640.0;
/// A wide row's width at most, so the practice line stays near its question.
const ROW_AT_MOST: f32 = 760.0;

pub(super) fn draw(ui: &mut egui::Ui, app: &mut AppState, commands: &mut Vec<Command>) {
    egui::Panel::right("question_details")
        .resizable(true)
        .default_size((ui.available_width() * 0.36).clamp(220.0, 520.0))
        .size_range(200.0..=520.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("details")
                .auto_shrink([false, false])
                .show(ui, |ui| details(ui, app, commands));
        });
    // The list takes what the details leave.
    egui::CentralPanel::default()
        .frame(egui::Frame::new())
        .show(ui, |ui| {
            search_row(ui, app, commands);
            egui::ScrollArea::vertical()
                .id_salt("questions")
                .auto_shrink([false, false])
                .show(ui, |ui| groups(ui, app));
        });
}

/// The search box and "New question".
fn search_row(ui: &mut egui::Ui, app: &mut AppState, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.add(
            egui::TextEdit::singleline(&mut app.home.search)
                .hint_text("Search questions, categories, keywords")
                .desired_width((ui.available_width() - 130.0).clamp(120.0, 280.0)),
        )
        .widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::SearchInput, true, "Search questions")
        });
        if !app.home.search.is_empty() && ui.small_button("Clear").clicked() {
            app.home.search.clear();
        }
        if ui
            .button("New question")
            .on_hover_text("Add a question you expect to be asked")
            .clicked()
        {
            commands.push(Command::Questions(QuestionCommand::New));
        }
    });
}

/// Every category with its questions that match the search; a category
/// with no match is left out while searching, and shown unfolded.
fn groups(ui: &mut egui::Ui, app: &mut AppState) {
    let query = app.home.search.trim().to_owned();
    let searching = !query.is_empty();
    let categories: Vec<String> = app
        .bank
        .categories()
        .into_iter()
        .map(|(category, _)| category.to_owned())
        .collect();
    let mut matches = 0;
    for category in categories {
        let bank = app.bank.questions();
        let in_category: Vec<&Question> = bank.iter().filter(|q| q.category == category).collect();
        let found: Vec<QuestionId> = in_category
            .iter()
            .filter(|q| q.matches_words(&query))
            .map(|q| q.id.clone())
            .collect();
        if searching && found.is_empty() {
            continue;
        }
        matches += found.len();
        let practised = in_category
            .iter()
            .filter(|q| {
                app.records
                    .get(&q.id)
                    .is_some_and(|r| r.times_practiced > 0)
            })
            .count();
        let counts = if searching {
            format!("{} of {} match", found.len(), in_category.len())
        } else {
            format!(
                "{} · {practised} practised",
                super::plural(in_category.len(), "question")
            )
        };
        let unfolded = searching || app.home.unfolded.contains(&category);
        group_header(ui, app, &category, unfolded, &counts);
        if unfolded {
            ui.indent(("questions of", &category), |ui| {
                for id in &found {
                    question_row(ui, app, id);
                }
            });
        }
    }
    if searching && matches == 0 {
        ui.weak(format!("No question matches “{query}”."));
    }
}

/// A category's header: the fold arrow, the tri-state check box, its name
/// (which folds and unfolds it too) and its counts.
fn group_header(
    ui: &mut egui::Ui,
    app: &mut AppState,
    category: &str,
    unfolded: bool,
    counts: &str,
) {
    ui.horizontal(|ui| {
        let size = egui::Vec2::splat(ui.spacing().icon_width);
        let (_, arrow) = ui.allocate_exact_size(size, egui::Sense::click());
        egui::collapsing_header::paint_default_icon(ui, if unfolded { 1.0 } else { 0.0 }, &arrow);
        let verb = if unfolded { "Fold" } else { "Unfold" };
        arrow.widget_info(|| {
            egui::WidgetInfo::labeled(egui::Role::Button, true, format!("{verb} {category}"))
        });

        let choice = app
            .home
            .selection
            .category_choice(app.bank.questions(), category);
        let mut all = choice == CategoryChoice::All;
        let check = ui
            .add(
                egui::Checkbox::without_text(&mut all)
                    .indeterminate(choice == CategoryChoice::Some),
            )
            .on_hover_text(match choice {
                CategoryChoice::All => format!("Every question of {category} is chosen"),
                CategoryChoice::Some => format!("Some questions of {category} are chosen"),
                CategoryChoice::None => format!("Choose every question of {category}"),
            });
        check.widget_info(|| {
            egui::WidgetInfo::selected(
                egui::Role::CheckBox,
                true,
                choice == CategoryChoice::All,
                format!("Choose {category}"),
            )
        });
        if check.clicked() {
            app.home
                .selection
                .toggle_category(app.bank.questions(), category);
        }
        let name = ui.add(
            egui::Label::new(egui::RichText::new(category).strong())
                .sense(egui::Sense::click())
                .selectable(false),
        );
        if arrow.clicked() || name.clicked() {
            if unfolded {
                app.home.unfolded.remove(category);
            } else {
                app.home.unfolded.insert(category.to_owned());
            }
        }
        ui.weak(counts);
    });
}

/// A question's row: its check box, its text (which shows its details),
/// and under it its kind, when it was last practised and its latest rating.
fn question_row(ui: &mut egui::Ui, app: &mut AppState, id: &QuestionId) {
    let Some(question) = app.bank.get(id) else {
        return;
    };
    let shown = app.home.shown.as_ref() == Some(id);
    let mut chosen = app.home.selection.is_chosen(question);
    let mut toggled = false;
    let mut show = false;
    ui.horizontal(|ui| {
        let check = ui.add(egui::Checkbox::without_text(&mut chosen));
        check.widget_info(|| {
            egui::WidgetInfo::selected(
                egui::Role::CheckBox,
                true,
                chosen,
                format!("Choose “{}”", question.text),
            )
        });
        toggled = check.clicked();
        // On a wide list the practice line sits at the row's right end
        // (the list's whole width in use), else below the question.
        let wide = ui.available_width() >= WIDE_ROW;
        let mut question_label = |ui: &mut egui::Ui| {
            let text = egui::RichText::new(&question.text);
            let text = if shown { text.strong() } else { text };
            let label = ui.add(
                egui::Label::new(text)
                    .sense(egui::Sense::click())
                    .selectable(false),
            );
            if shown {
                let rect = label.rect.expand(2.0);
                ui.painter().rect_stroke(
                    rect,
                    3.0,
                    ui.visuals().selection.stroke,
                    egui::StrokeKind::Outside,
                );
            }
            show = label
                .on_hover_cursor(egui::CursorIcon::PointingHand)
                .clicked();
        };
        if wide {
            ui.vertical(|ui| {
                // Not wider than a table is read across.
                ui.set_max_width(ROW_AT_MOST);
                egui::Sides::new().shrink_left().wrap().show(
                    ui,
                    |ui| question_label(ui),
                    |ui| {
                        ui.add_space(8.0);
                        ui.weak(practice_line(app, question));
                    },
                );
            });
        } else {
            ui.vertical(|ui| {
                question_label(ui);
                ui.weak(practice_line(app, question));
            });
        }
    });
    if toggled {
        app.home
            .selection
            .toggle_question(app.bank.questions(), question);
    }
    if show {
        app.home.shown = Some(id.clone());
    }
}

/// "technical · practised 3 days ago · rated 4 of 5", or "not practised yet".
fn practice_line(app: &AppState, question: &Question) -> String {
    let record = app
        .records
        .get(&question.id)
        .filter(|r| r.times_practiced > 0);
    let Some(record) = record else {
        return format!("{} · not practised yet", question.kind);
    };
    let when = record
        .last_practiced_unix
        .and_then(|at| jiff::Timestamp::from_second(at).ok())
        .map_or_else(String::new, |at| {
            format!(" {}", days_ago(at, jiff::Timestamp::now()))
        });
    let rating = record.latest_rating.map_or_else(
        || "unrated".to_owned(),
        |r| format!("rated {} of 5", r.stars()),
    );
    format!("{} · practised{when} · {rating}", question.kind)
}

/// The shown question: what it is, what the interviewer listens for, the
/// tips, and Edit, Duplicate and Delete (a bundled question is never
/// changed in place, only duplicated into the user's own pack).
fn details(ui: &mut egui::Ui, app: &AppState, commands: &mut Vec<Command>) {
    // A question the search hides is not shown beside the list either.
    let query = app.home.search.trim();
    let Some(question) = app
        .home
        .shown
        .as_ref()
        .and_then(|id| app.bank.get(id))
        .filter(|question| question.matches_words(query))
    else {
        ui.add_space(8.0);
        ui.weak(
            "Click a question to see what the interviewer listens for, and tips on answering it.",
        );
        ui.add_space(8.0);
        ui.weak(format!(
            "Everything you record stays on this computer, in {}",
            app.data_dir().root().display()
        ));
        return;
    };
    ui.add_space(4.0);
    ui.label(egui::RichText::new(&question.text).size(16.0).strong());
    ui.weak(format!("{} · {}", question.category, question.kind));
    let record = app
        .records
        .get(&question.id)
        .filter(|r| r.times_practiced > 0);
    ui.label(match record {
        None => "Not practised yet".to_owned(),
        Some(r) => format!(
            "Practised in {}{}",
            super::plural(r.times_practiced as usize, "session"),
            r.latest_rating.map_or_else(String::new, |rating| format!(
                ", latest rating {} of 5",
                rating.stars()
            ))
        ),
    });
    ui.label(format!(
        "{} s to think, {} to answer",
        question.think_seconds,
        crate::model::clock(std::time::Duration::from_secs(u64::from(
            question.answer_seconds
        )))
    ));
    if !question.looking_for.is_empty() {
        ui.add_space(8.0);
        ui.label(egui::RichText::new("What the interviewer listens for").strong());
        ui.label(&question.looking_for);
    }
    if !question.tips.is_empty() {
        ui.add_space(8.0);
        ui.label(egui::RichText::new("Tips").strong());
        for tip in &question.tips {
            ui.label(format!("• {tip}"));
        }
    }
    if !question.keywords.is_empty() {
        ui.add_space(8.0);
        ui.label(egui::RichText::new("Words a strong answer tends to use").strong());
        ui.weak(question.keywords.join(", "));
    }
    ui.add_space(8.0);
    ui.horizontal(|ui| question_buttons(ui, app, question, commands));
    if app.bank.own_file(&question.id).is_none() {
        ui.weak("To change it, duplicate it into your own questions.");
    }
}

/// Edit, Duplicate and Delete for a question of the user's own; Duplicate
/// for any other.
fn question_buttons(
    ui: &mut egui::Ui,
    app: &AppState,
    question: &Question,
    commands: &mut Vec<Command>,
) {
    let own = app.bank.own_file(&question.id).is_some();
    let mut act = |label: &str, command: fn(QuestionId) -> QuestionCommand| {
        if super::named_button(ui, label, &format!("{label} “{}”", question.text)) {
            commands.push(Command::Questions(command(question.id.clone())));
        }
    };
    if own {
        act("Edit", QuestionCommand::Edit);
    }
    act("Duplicate", QuestionCommand::Duplicate);
    if own {
        act("Delete", QuestionCommand::RequestDelete);
    }
}
