//! The home screen: the question bank by category with practice records,
//! the session's settings, and the microphone.

use eframe::egui;

use crate::app::{AppState, Command, MIC_TEST_SECONDS, MicTest, MicrophoneState, QuestionCommand};
use crate::model::QuestionId;
use crate::store::settings::OrderChoice;

pub(super) fn draw(ui: &mut egui::Ui, app: &mut AppState, commands: &mut Vec<Command>) {
    ui.heading("Rehearse");
    ui.label(format!(
        "Practise answering out loud. Everything stays in {}",
        app.data_dir().root().display()
    ));
    ui.separator();

    session_choices(ui, app);
    microphone_row(ui, app, commands);
    start_row(ui, app, commands);
    question_bank(ui, app, commands);
}

/// How many questions, in which order, with how much time.
fn session_choices(ui: &mut egui::Ui, app: &mut AppState) {
    ui.horizontal(|ui| {
        let count_label = ui.label("Questions:");
        ui.add(egui::DragValue::new(&mut app.home.count).range(1..=50))
            .labelled_by(count_label.id);
        ui.separator();
        ui.label("Order:");
        ui.radio_value(&mut app.home.order, OrderChoice::AsListed, "As listed");
        ui.radio_value(&mut app.home.order, OrderChoice::Shuffled, "Shuffled");
        ui.radio_value(
            &mut app.home.order,
            OrderChoice::WeakestFirst,
            "Weakest first",
        );
    });
    ui.horizontal(|ui| {
        super::think_time_picker(ui, "think", &mut app.home.think);
        super::answer_limit_picker(ui, "answer", &mut app.home.answer);
    });
}

/// The microphone: which one, its level, and the 3-second test.
fn microphone_row(ui: &mut egui::Ui, app: &AppState, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let mic_label = ui.label("Microphone:");
        let chosen = app.settings.microphone.clone();
        let chosen_name = chosen
            .as_ref()
            .and_then(|id| {
                app.devices
                    .iter()
                    .find(|d| &d.id == id)
                    .map(|d| d.name.clone())
            })
            .or(chosen.clone())
            .unwrap_or_else(|| "System default".to_owned());
        egui::ComboBox::from_id_salt("microphone")
            .selected_text(chosen_name)
            .show_ui(ui, |ui| {
                if ui
                    .selectable_label(chosen.is_none(), "System default")
                    .clicked()
                {
                    commands.push(Command::ChooseMicrophone(None));
                }
                for device in &app.devices {
                    let selected = chosen.as_deref() == Some(device.id.as_str());
                    if ui.selectable_label(selected, &device.name).clicked() {
                        commands.push(Command::ChooseMicrophone(Some(device.id.clone())));
                    }
                }
            })
            .response
            .labelled_by(mic_label.id);
        let mut checking = app.checking_level;
        if ui.checkbox(&mut checking, "Check level").changed() {
            commands.push(Command::CheckLevel(checking));
        }
        let test_text = match &app.mic_test {
            MicTest::Idle => "Test microphone".to_owned(),
            MicTest::Waiting => "Opening…".to_owned(),
            MicTest::Recording => format!("Recording {MIC_TEST_SECONDS} s… speak now"),
            MicTest::Playing(_) => "Playing it back…".to_owned(),
        };
        let idle = app.mic_test == MicTest::Idle;
        if ui
            .add_enabled(idle, egui::Button::new(test_text))
            .on_hover_text("Records 3 seconds and plays them back")
            .clicked()
        {
            commands.push(Command::TestMicrophone);
        }
        match &app.microphone {
            MicrophoneState::Opening => {
                ui.spinner();
                ui.label("Opening the microphone…");
            }
            MicrophoneState::Open { .. }
                if app.checking_level || app.mic_test == MicTest::Recording =>
            {
                if let Some(level) = app.level() {
                    super::level_meter(ui, level);
                }
            }
            _ => {}
        }
    });
}

/// The main action, with what it will ask.
fn start_row(ui: &mut egui::Ui, app: &AppState, commands: &mut Vec<Command>) {
    ui.separator();
    let selected = if app.home.categories.is_empty() && app.home.questions.is_empty() {
        app.bank.questions().len()
    } else {
        app.bank
            .questions()
            .iter()
            .filter(|q| {
                app.home.categories.contains(&q.category)
                    || app.home.questions.contains(q.id.as_str())
            })
            .count()
    };
    ui.horizontal(|ui| {
        let start = egui::Button::new(egui::RichText::new("Start session").size(18.0));
        let enabled = selected > 0 && !app.read_only;
        if ui.add_enabled(enabled, start).clicked() {
            commands.push(Command::StartSession);
        }
        let mock = ui
            .add_enabled(enabled, egui::Button::new("Mock interview"))
            .on_hover_text(
                "Like a real one-way interview: random order, one answer per question, no tips; review at the end",
            );
        if mock.clicked() {
            commands.push(Command::StartMockInterview);
        }
        let categories = match (app.home.categories.len(), app.home.questions.len()) {
            (0, 0) => "all categories".to_owned(),
            (0, q) => format!("{q} chosen questions"),
            (c, 0) => format!("{c} categories"),
            (c, q) => format!("{c} categories and {q} chosen questions"),
        };
        ui.label(format!(
            "{} of {selected} questions from {categories}",
            app.home.count.min(selected)
        ));
    });
    ui.separator();
}

/// The bank by category, each question with its practice record and what
/// can be done with it; a question of the user's own can be changed.
fn question_bank(ui: &mut egui::Ui, app: &mut AppState, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.label(egui::RichText::new("Questions").strong());
        if ui
            .button("New question")
            .on_hover_text("Add a question you expect to be asked")
            .clicked()
        {
            commands.push(Command::Questions(QuestionCommand::New));
        }
    });
    egui::ScrollArea::vertical().show(ui, |ui| {
        for (category, count) in app.bank.categories() {
            let category = category.to_owned();
            let mut chosen = app.home.categories.contains(&category);
            ui.horizontal(|ui| {
                if ui
                    .checkbox(&mut chosen, format!("{category} ({count})"))
                    .changed()
                {
                    if chosen {
                        app.home.categories.insert(category.clone());
                    } else {
                        app.home.categories.remove(&category);
                    }
                }
            });
            egui::CollapsingHeader::new(format!("Questions in {category}"))
                .id_salt(&category)
                .show(ui, |ui| {
                    for question in app
                        .bank
                        .questions()
                        .iter()
                        .filter(|q| q.category == category)
                    {
                        let record = app.records.get(&question.id);
                        let practised = match record {
                            Some(r) if r.times_practiced > 0 => format!(
                                "practised {}×, latest {}",
                                r.times_practiced,
                                r.latest_rating.map_or_else(
                                    || "unrated".to_owned(),
                                    |s| format!("rated {}", s.stars())
                                )
                            ),
                            _ => "not practised yet".to_owned(),
                        };
                        let id = question.id.as_str().to_owned();
                        let mut chosen = app.home.questions.contains(&id);
                        let text = format!("{}  ({practised})", question.text);
                        let own = app.bank.own_file(&question.id).is_some();
                        ui.horizontal_wrapped(|ui| {
                            if ui.checkbox(&mut chosen, text).changed() {
                                if chosen {
                                    app.home.questions.insert(id);
                                } else {
                                    app.home.questions.remove(&id);
                                }
                            }
                            question_buttons(ui, &question.id, &question.text, own, commands);
                        });
                    }
                });
        }
    });
}

/// Edit, Duplicate and Delete for a question of the user's own; Duplicate
/// for any other (a bundled question is never changed in place).
fn question_buttons(
    ui: &mut egui::Ui,
    id: &QuestionId,
    text: &str,
    own: bool,
    commands: &mut Vec<Command>,
) {
    let mut act = |label: &str, command: fn(QuestionId) -> QuestionCommand| {
        if super::named_button(ui, label, &format!("{label} “{text}”")) {
            commands.push(Command::Questions(command(id.clone())));
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
