//! The practice screen people start from: how practice is going at a
//! glance, the main action (start a session of the chosen questions), the
//! session's settings and the microphone, then the bank by category with
//! the chosen question's details beside it (`practice_list`).

use eframe::egui;

use crate::app::{AppState, Command, MIC_TEST_SECONDS, MicTest, MicrophoneState};
use crate::store::history::Glance;
use crate::store::settings::OrderChoice;

pub(super) fn draw(ui: &mut egui::Ui, app: &mut AppState, commands: &mut Vec<Command>) {
    glance(ui, app);
    super::review_speech::speech_offer(ui, app, commands);
    ui.add_space(6.0);
    start_row(ui, app, commands);
    session_choices(ui, app);
    microphone_row(ui, app, commands);
    transcripts_row(ui, app, commands);
    ui.separator();
    super::practice_list::draw(ui, app, commands);
}

/// Whether the takes will be transcribed, and with which model.
fn transcripts_row(ui: &mut egui::Ui, app: &AppState, commands: &mut Vec<Command>) {
    let speech = &app.settings.speech;
    let text = match &app.speech.installed {
        _ if !speech.enabled => "Transcripts: off".to_owned(),
        None => return,
        Some(installed) if installed.is_empty() => {
            "Transcripts: off until a speech model is installed".to_owned()
        }
        Some(installed) => {
            let model = crate::speech::models::pick(installed, speech.model.as_deref())
                .map_or("", |model| model.name.as_str());
            format!("Transcripts: on, made on this computer with the {model} model")
        }
    };
    ui.horizontal(|ui| {
        ui.weak(text);
        if ui.small_button("Change in Settings").clicked() {
            commands.push(Command::Show(crate::app::Screen::Settings));
        }
    });
}

/// Progress at a glance: questions practised of the bank, sessions in the
/// last 7 days, and where the average rating is going.
fn glance(ui: &mut egui::Ui, app: &AppState) {
    let glance = Glance::of(
        app.bank.questions(),
        &app.records,
        app.sessions.all(),
        jiff::Timestamp::now(),
    );
    let rating = match &glance.rating {
        None => ("–".to_owned(), "average rating: none rated yet".to_owned()),
        Some(change) => {
            let over = format!(
                "average rating, last {}",
                super::plural(change.recent_sessions, "session")
            );
            let trend = match change.before {
                Some(before) if change.recent - before >= 0.1 => format!(", up from {before:.1}"),
                Some(before) if before - change.recent >= 0.1 => {
                    format!(", down from {before:.1}")
                }
                Some(_) => ", steady".to_owned(),
                None => String::new(),
            };
            (format!("{:.1}", change.recent), format!("{over}{trend}"))
        }
    };
    ui.horizontal(|ui| {
        figure(
            ui,
            &format!("{} of {}", glance.practised, glance.bank),
            "questions practised",
        );
        figure(
            ui,
            &glance.sessions_last_week.to_string(),
            if glance.sessions_last_week == 1 {
                "session in the last 7 days"
            } else {
                "sessions in the last 7 days"
            },
        );
        figure(ui, &rating.0, &rating.1);
    });
}

/// One figure of the glance: the number large, what it counts under it.
fn figure(ui: &mut egui::Ui, number: &str, what: &str) {
    egui::Frame::group(ui.style())
        .inner_margin(egui::Margin::symmetric(12, 6))
        .show(ui, |ui| {
            ui.vertical(|ui| {
                ui.label(egui::RichText::new(number).size(22.0).strong());
                ui.weak(what);
            });
        });
}

/// Whether no question has been practised yet.
fn nothing_practised(app: &AppState) -> bool {
    app.records
        .values()
        .all(|record| record.times_practiced == 0)
}

/// The main action, saying what it will ask, and the mock interview.
fn start_row(ui: &mut egui::Ui, app: &AppState, commands: &mut Vec<Command>) {
    let selection = &app.home.selection;
    let drawn_from = app
        .bank
        .questions()
        .iter()
        .filter(|q| selection.takes(q))
        .count();
    let asked = app.home.count.min(drawn_from);
    let enabled = asked > 0 && !app.read_only;
    // Chosen questions the search hides still count: say so.
    let query = app.home.search.trim();
    let hidden = if query.is_empty() || selection.questions.is_empty() {
        0
    } else {
        app.bank
            .questions()
            .iter()
            .filter(|q| selection.questions.contains(&q.id) && !q.matches_words(query))
            .count()
    };
    ui.horizontal_wrapped(|ui| {
        let order = match app.home.order {
            OrderChoice::AsListed => " in order",
            OrderChoice::Shuffled => ", shuffled",
            OrderChoice::WeakestFirst if nothing_practised(app) => ", never practised first",
            OrderChoice::WeakestFirst => ", weakest first",
        };
        let text = format!("Start {}{order}", super::plural(asked, "question"));
        let visuals = ui.visuals();
        let start = egui::Button::new(
            egui::RichText::new(text)
                .size(20.0)
                .color(visuals.strong_text_color()),
        )
        .fill(visuals.selection.bg_fill)
        .min_size(egui::vec2(0.0, 40.0));
        if ui
            .add_enabled(enabled, start)
            .on_hover_text("Enter")
            .clicked()
        {
            commands.push(Command::StartSession);
        }
        let mock = ui
            .add_enabled(
                enabled,
                egui::Button::new("Mock interview").min_size(egui::vec2(0.0, 40.0)),
            )
            .on_hover_text(
                "Like a real one-way interview: random order, one answer per question, no tips; review at the end",
            );
        if mock.clicked() {
            commands.push(Command::StartMockInterview);
        }
        let categories = |c: usize| super::plural(c, "category");
        let from = match (selection.categories.len(), selection.questions.len()) {
            (0, 0) => format!("from the whole bank ({})", super::plural(drawn_from, "question")),
            (0, q) => format!("from the {} you chose", super::plural(q, "question")),
            (c, 0) => format!(
                "from {} ({})",
                categories(c),
                super::plural(drawn_from, "question")
            ),
            (c, q) => format!(
                "from {} and {} you chose ({} in all)",
                categories(c),
                super::plural(q, "question"),
                drawn_from
            ),
        };
        let hidden = match (hidden, selection.questions.len()) {
            (0, _) => String::new(),
            (1, 1) => "; it is hidden by the search".to_owned(),
            (1, _) => "; 1 of them is hidden by the search".to_owned(),
            (n, _) => format!("; {n} of them are hidden by the search"),
        };
        ui.weak(format!("{from}{hidden}"));
    });
}

/// How many questions, in which order, with how much time: two short rows,
/// so they fit the narrowest window.
fn session_choices(ui: &mut egui::Ui, app: &mut AppState) {
    ui.horizontal(|ui| {
        let count_label = ui.label("Questions:");
        ui.add(egui::DragValue::new(&mut app.home.count).range(1..=50))
            .labelled_by(count_label.id);
        ui.separator();
        ui.label("Order:");
        ui.radio_value(&mut app.home.order, OrderChoice::AsListed, "As listed");
        ui.radio_value(&mut app.home.order, OrderChoice::Shuffled, "Shuffled");
        // Before any practice no question is weaker than another.
        let weakest = if nothing_practised(app) {
            "Never practised first"
        } else {
            "Weakest first"
        };
        ui.radio_value(&mut app.home.order, OrderChoice::WeakestFirst, weakest);
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
                    let problem = device.input.as_ref().and_then(|i| i.problem.as_deref());
                    let label = match problem {
                        Some(_) => format!("{} (not available now)", device.name),
                        None => device.name.clone(),
                    };
                    let mut row = ui.selectable_label(selected, label);
                    if let Some(problem) = problem {
                        row = row.on_hover_text(format!(
                            "It cannot be opened just now: another program may be using it, \
                             or the sound server is not running. ({problem})"
                        ));
                    }
                    if row.clicked() {
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
