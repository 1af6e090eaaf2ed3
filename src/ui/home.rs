//! The home screen: the question bank by category with practice records,
//! the session's settings, and the microphone.

use eframe::egui;

use crate::app::{Command, MicrophoneState, RehearseApp};
use crate::interview::{ANSWER_PRESETS, AnswerLimit, THINK_PRESETS, ThinkTime};
use crate::store::settings::OrderChoice;

pub(super) fn draw(ui: &mut egui::Ui, app: &mut RehearseApp, commands: &mut Vec<Command>) {
    ui.heading("Rehearse");
    ui.label(format!(
        "Practise answering out loud. Everything stays in {}",
        app.data_dir().root().display()
    ));
    ui.separator();

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
        let think_label = ui.label("Think time:");
        egui::ComboBox::from_id_salt("think")
            .selected_text(think_text(app.home.think))
            .show_ui(ui, |ui| {
                ui.selectable_value(
                    &mut app.home.think,
                    ThinkTime::QuestionDefault,
                    "Question default",
                );
                for seconds in THINK_PRESETS {
                    ui.selectable_value(
                        &mut app.home.think,
                        ThinkTime::Seconds(seconds),
                        format!("{seconds} s"),
                    );
                }
            })
            .response
            .labelled_by(think_label.id);
        let answer_label = ui.label("Answer limit:");
        egui::ComboBox::from_id_salt("answer")
            .selected_text(answer_text(app.home.answer))
            .show_ui(ui, |ui| {
                ui.selectable_value(
                    &mut app.home.answer,
                    AnswerLimit::QuestionDefault,
                    "Question default",
                );
                for seconds in ANSWER_PRESETS {
                    ui.selectable_value(
                        &mut app.home.answer,
                        AnswerLimit::Seconds(seconds),
                        format!("{seconds} s"),
                    );
                }
                ui.selectable_value(&mut app.home.answer, AnswerLimit::NoLimit, "No limit");
            })
            .response
            .labelled_by(answer_label.id);
    });

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
        match &app.microphone {
            MicrophoneState::Opening => {
                ui.spinner();
                ui.label("Opening the microphone…");
            }
            MicrophoneState::Open(mic) if app.checking_level => super::level_meter(ui, mic.level()),
            _ => {}
        }
    });

    ui.separator();
    let selected = if app.home.categories.is_empty() {
        app.bank.questions().len()
    } else {
        app.bank
            .questions()
            .iter()
            .filter(|q| app.home.categories.contains(&q.category))
            .count()
    };
    ui.horizontal(|ui| {
        let start = egui::Button::new(egui::RichText::new("Start session").size(18.0));
        let enabled = selected > 0 && !app.read_only;
        if ui.add_enabled(enabled, start).clicked() {
            commands.push(Command::StartSession);
        }
        let categories = if app.home.categories.is_empty() {
            "all categories".to_owned()
        } else {
            format!("{} categories", app.home.categories.len())
        };
        ui.label(format!(
            "{} of {selected} questions from {categories}",
            app.home.count.min(selected)
        ));
    });
    ui.separator();

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
                        ui.label(format!("• {}  ({practised})", question.text));
                    }
                });
        }
    });
}

fn think_text(think: ThinkTime) -> String {
    match think {
        ThinkTime::QuestionDefault => "Question default".to_owned(),
        ThinkTime::Seconds(seconds) => format!("{seconds} s"),
    }
}

fn answer_text(answer: AnswerLimit) -> String {
    match answer {
        AnswerLimit::QuestionDefault => "Question default".to_owned(),
        AnswerLimit::Seconds(seconds) => format!("{seconds} s"),
        AnswerLimit::NoLimit => "No limit".to_owned(),
    }
}
