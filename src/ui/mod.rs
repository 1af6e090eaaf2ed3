//! The screens: each draws from the app state and returns the commands the
//! user gave; nothing here touches the disk or a device.

mod export;
mod history;
mod home;
mod interview;
mod packs;
mod practice_list;
mod question_editor;
mod review;
mod review_content;
mod review_speech;
mod settings;
mod speech_settings;
mod transcript;
mod voice_settings;
mod waveform;

use eframe::egui;

use crate::app::{AppState, Command, MessageLevel, Screen};
use crate::audio::Level;
use crate::audio::level::FLOOR_DBFS;
use crate::interview::{ANSWER_PRESETS, AnswerLimit, THINK_PRESETS, ThinkTime};

/// How many messages the bar at the top shows at once.
const MESSAGES_SHOWN: usize = 3;

/// Draws the current screen and returns what the user asked for.
pub fn draw(ui: &mut egui::Ui, app: &mut AppState) -> Vec<Command> {
    let mut commands = Vec::new();
    navigation_keys(ui, app, &mut commands);
    egui::Panel::top("navigation").show(ui, |ui| {
        ui.horizontal(|ui| {
            let in_session = app.active.is_some();
            for (screen, label, key) in [
                (Screen::Home, "Practice", 1),
                (Screen::History, "History", 2),
                (Screen::Settings, "Settings", 3),
            ] {
                let selected = app.screen == screen
                    || (screen == Screen::History
                        && matches!(app.screen, Screen::Review | Screen::Progress)
                        && !in_session);
                let button = ui
                    .add_enabled(!in_session, egui::Button::selectable(selected, label))
                    .on_hover_text(format!("Ctrl+{key}"));
                if button.clicked() {
                    commands.push(Command::Show(screen));
                }
            }
            if app.read_only {
                ui.separator();
                ui.colored_label(ui.visuals().warn_fg_color, "Read-only");
            }
        });
    });
    if !app.messages.is_empty() {
        egui::Panel::top("messages").show(ui, |ui| {
            // The newest few, newest first; older ones wait below the fold.
            let shown = app.messages.len().min(MESSAGES_SHOWN);
            for index in (app.messages.len() - shown..app.messages.len()).rev() {
                let message = &app.messages[index];
                ui.horizontal_wrapped(|ui| {
                    let color = match message.level {
                        MessageLevel::Info => ui.visuals().text_color(),
                        MessageLevel::Warning => ui.visuals().warn_fg_color,
                    };
                    ui.colored_label(color, &message.text);
                    if let Some(folder) = &message.open
                        && ui.button("Open folder").clicked()
                    {
                        commands.push(Command::OpenFolder(folder.clone()));
                    }
                    if ui.small_button("Dismiss").clicked() {
                        commands.push(Command::DismissMessage(index));
                    }
                });
            }
            let hidden = app.messages.len() - shown;
            if hidden > 0 {
                ui.weak(format!("{hidden} older messages"));
            }
        });
    }
    egui::CentralPanel::default().show(ui, |ui| match app.screen {
        Screen::Home => home::draw(ui, app, &mut commands),
        Screen::Interview => interview::draw(ui, app, &mut commands),
        Screen::Review => review::draw(ui, app, &mut commands),
        Screen::History => history::draw(ui, app, &mut commands),
        Screen::Progress => history::draw_progress(ui, app, &mut commands),
        Screen::Settings => {
            egui::ScrollArea::vertical()
                .auto_shrink([false, false])
                .show(ui, |ui| settings::draw(ui, app, &mut commands));
        }
    });
    export::draw(ui, app, &mut commands);
    question_editor::draw(ui, app, &mut commands);
    commands
}

/// Ctrl+1, Ctrl+2 and Ctrl+3 show the practice, history and settings
/// screens (not during a session); Enter on the practice screen starts a
/// session. Typing in a text field is left alone.
fn navigation_keys(ui: &egui::Ui, app: &AppState, commands: &mut Vec<Command>) {
    if app.active.is_some() || app.export.is_some() || ui.ctx().egui_wants_keyboard_input() {
        return;
    }
    ui.input_mut(|input| {
        for (key, screen) in [
            (egui::Key::Num1, Screen::Home),
            (egui::Key::Num2, Screen::History),
            (egui::Key::Num3, Screen::Settings),
        ] {
            if input.consume_key(egui::Modifiers::COMMAND, key) {
                commands.push(Command::Show(screen));
            }
        }
        if app.screen == Screen::Home && input.consume_key(egui::Modifiers::NONE, egui::Key::Enter)
        {
            commands.push(Command::StartSession);
        }
    });
}

/// The meter's scale, in dB below full scale: its left end.
const METER_BOTTOM_DB: f32 = -60.0;
/// Speech louder than this (RMS) nears distortion.
const LOUD_DBFS: f32 = -10.0;

/// A level meter: the RMS as a bar, the good range for speech marked on
/// it, and the level in words ("good", "quiet", "loud") rather than
/// decibels, for screen readers too.
pub fn level_meter(ui: &mut egui::Ui, level: Level) {
    let place = |db: f32| ((db - METER_BOTTOM_DB) / -METER_BOTTOM_DB).clamp(0.0, 1.0);
    let text = if level.rms_dbfs <= FLOOR_DBFS.max(METER_BOTTOM_DB) {
        "Level: silence"
    } else if level.peak_dbfs >= -1.0 {
        "Level: too loud, it distorts; lower the input volume"
    } else if level.rms_dbfs > LOUD_DBFS {
        "Level: loud"
    } else if level.rms_dbfs >= crate::analysis::QUIET_DBFS {
        "Level: good"
    } else {
        "Level: quiet (between words is fine)"
    };
    let bar = ui.add(
        egui::ProgressBar::new(place(level.rms_dbfs))
            .desired_width(280.0)
            .text(text),
    );
    // The good range for speech, as two marks on the bar.
    let rect = bar.rect;
    let stroke = egui::Stroke::new(2.0, ui.visuals().widgets.active.fg_stroke.color);
    for db in [crate::analysis::QUIET_DBFS, LOUD_DBFS] {
        let x = rect.left() + rect.width() * place(db);
        ui.painter().vline(x, rect.y_range(), stroke);
    }
    bar.on_hover_text("Speak so the bar stays between the two marks.");
}

pub use crate::model::clock;

/// A labelled combo box over `options`; whether the choice changed.
fn preset_picker<T: Copy + PartialEq>(
    ui: &mut egui::Ui,
    id: &str,
    label: &str,
    value: &mut T,
    options: &[T],
    text: impl Fn(T) -> String,
) -> bool {
    let label = ui.label(label);
    let before = *value;
    egui::ComboBox::from_id_salt(id)
        .selected_text(text(*value))
        .show_ui(ui, |ui| {
            for &option in options {
                ui.selectable_value(value, option, text(option));
            }
        })
        .response
        .labelled_by(label.id);
    before != *value
}

/// A labelled choice of think time among the presets.
pub fn think_time_picker(ui: &mut egui::Ui, id: &str, think: &mut ThinkTime) -> bool {
    let mut options = vec![ThinkTime::QuestionDefault];
    options.extend(THINK_PRESETS.iter().map(|&s| ThinkTime::Seconds(s)));
    preset_picker(
        ui,
        id,
        "Think time:",
        think,
        &options,
        |think| match think {
            ThinkTime::QuestionDefault => "Question default".to_owned(),
            ThinkTime::Seconds(seconds) => format!("{seconds} s"),
        },
    )
}

/// A labelled choice of answer limit among the presets.
pub fn answer_limit_picker(ui: &mut egui::Ui, id: &str, answer: &mut AnswerLimit) -> bool {
    let mut options = vec![AnswerLimit::QuestionDefault];
    options.extend(ANSWER_PRESETS.iter().map(|&s| AnswerLimit::Seconds(s)));
    options.push(AnswerLimit::NoLimit);
    preset_picker(
        ui,
        id,
        "Answer limit:",
        answer,
        &options,
        |answer| match answer {
            AnswerLimit::QuestionDefault => "Question default".to_owned(),
            AnswerLimit::Seconds(seconds) => format!("{seconds} s"),
            AnswerLimit::NoLimit => "No limit".to_owned(),
        },
    )
}

/// A small button showing `text` whose accessible name says which row it
/// acts on; whether it was clicked.
fn named_button(ui: &mut egui::Ui, text: &str, name: &str) -> bool {
    named(ui.small_button(text), name).clicked()
}

/// `button` with the accessible name `name` (what it acts on, where its
/// text alone is ambiguous: "Choose…", "Remove").
fn named(button: egui::Response, name: &str) -> egui::Response {
    let enabled = button.enabled();
    button.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, enabled, name));
    button
}

pub use crate::model::plural;
