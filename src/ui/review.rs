//! The review screen: every question of a session with its takes, each one
//! a card with its waveform, play head, rating, notes, STAR checklist and
//! "preferred" mark. Every change is a command that is saved at once.

use std::path::PathBuf;
use std::time::Duration;

use eframe::egui;

use super::{clock, review_speech, waveform::waveform};
use crate::app::{
    AppState, Command, Screen, SpeechCommand, TakeEdit, TranscriptSlot, WaveformSlot, star_with,
};
use crate::model::Rating;
use crate::store::Session;
use crate::store::history::local_time;

/// What a take card needs besides the session: its file, waveform and the
/// player's state for it.
pub(super) struct CardMedia {
    /// The take's WAV; `None` for a damaged take, whose file may not be used.
    pub path: Option<PathBuf>,
    /// Its waveform.
    pub waveform: WaveformSlot,
    /// Play position.
    pub position: Duration,
    /// Whether it is playing.
    pub playing: bool,
    /// Its speech is being measured.
    pub analysing: bool,
    /// Its transcript, as far as the window knows it.
    pub transcript: Option<TranscriptSlot>,
    /// No speech recognition model is installed.
    pub no_speech_model: bool,
    /// Why takes have no transcript, when the review's offer to set up
    /// speech recognition is not shown any more.
    pub why_no_transcript: Option<&'static str>,
    /// The follow-up the take invites is offered above the card (the
    /// interview's review), so the card does not repeat it.
    pub follow_up_above: bool,
}

impl CardMedia {
    /// The media of take `index` of `session`; a waveform not read yet is
    /// asked for with a command.
    pub fn of(
        app: &AppState,
        session: &Session,
        index: usize,
        commands: &mut Vec<Command>,
    ) -> Self {
        let (path, waveform) = match app.take_file(session, &session.takes[index]) {
            Ok(path) => match app.waveform(&path) {
                Some(WaveformSlot::Damaged(reason)) => (None, WaveformSlot::Damaged(reason)),
                Some(slot) => (Some(path), slot),
                None => {
                    commands.push(Command::LoadWaveform(path.clone()));
                    (Some(path), WaveformSlot::Loading)
                }
            },
            Err(reason) => (None, WaveformSlot::Damaged(reason)),
        };
        let status = path.as_deref().and_then(|path| app.playback_of(path));
        let take = &session.takes[index];
        let key = (session.id.clone(), take.file.clone());
        let analysing = app.analysing.contains(&key);
        let transcript = app.transcripts.get(&key).cloned();
        if transcript.is_none() && take.transcript.is_some() {
            commands.push(Command::Speech(SpeechCommand::LoadTranscript {
                session: key.0.clone(),
                file: key.1.clone(),
            }));
        }
        Self {
            analysing,
            transcript,
            no_speech_model: app.no_speech_model,
            why_no_transcript: if !app.settings.speech.enabled {
                Some("No transcript: speech recognition is off (Settings).")
            } else if app.no_speech_model && app.settings.speech.setup_offered {
                Some("No transcript: no speech model is installed (Settings › Speech recognition).")
            } else {
                None
            },
            waveform,
            position: status.map_or(Duration::ZERO, |s| s.position),
            playing: status.is_some_and(|s| s.playing),
            path,
            follow_up_above: false,
        }
    }
}

pub(super) fn draw(ui: &mut egui::Ui, app: &mut AppState, commands: &mut Vec<Command>) {
    let Some(session) = app.review_session().cloned() else {
        ui.label("No session is open. Choose one in the history.");
        return;
    };
    let media: Vec<CardMedia> = (0..session.takes.len())
        .map(|index| CardMedia::of(app, &session, index, commands))
        .collect();
    review_speech::speech_offer(ui, app, commands);
    ui.horizontal(|ui| {
        let kind = if session.plan.mode.is_practice() {
            "Session"
        } else {
            "Mock interview"
        };
        ui.heading(format!("{kind} of {}", local_time(session.started_at)));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            if ui.button("Export…").clicked() {
                commands.push(Command::OpenExport(vec![session.id.clone()]));
            }
            if ui.button("Practise again").clicked() {
                commands.push(Command::Show(Screen::Home));
            }
        });
    });
    let words = session.words_together();
    let pace = match (&words, session.average_pace()) {
        (Some(_), _) => format!(" · {} of pauses", clock(session.pause_time())),
        (None, Some(wpm)) => format!(
            " · about {wpm:.0} words a minute (estimate) · {} of pauses",
            clock(session.pause_time())
        ),
        (None, None) => String::new(),
    };
    ui.label(format!(
        "{} of {} answered · {} · {} recorded · {}{pace}",
        session.questions_answered(),
        super::plural(session.questions.len(), "question"),
        super::plural(session.takes.len(), "take"),
        clock(session.recorded_time()),
        session.average_rating().map_or_else(
            || "unrated".to_owned(),
            |avg| format!("average rating {avg:.1}")
        )
    ));
    if let Some(words) = words {
        ui.label(format!("What was said: {}", words.describe()));
    }
    ui.separator();
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (number, question) in session.questions.iter().enumerate() {
                ui.add_space(6.0);
                ui.horizontal_wrapped(|ui| {
                    ui.label(
                        egui::RichText::new(format!("{}. {}", number + 1, question.text)).strong(),
                    );
                    ui.weak(&question.category);
                    if ui.small_button("All takes of this question").clicked() {
                        commands.push(Command::OpenProgress(question.id.clone()));
                    }
                });
                // With several takes, the figures of the one that stands
                // for the question (a single take shows its own below).
                if session.takes_of(number).nth(1).is_some()
                    && let Some(spoken) =
                        session.chosen_take(number).and_then(|t| t.spoken.as_ref())
                {
                    ui.weak(spoken.headline());
                }
                let mut any = false;
                for index in (0..session.takes.len()).filter(|&i| {
                    let take = &session.takes[i];
                    take.question_index == number && take.follow_up.is_none()
                }) {
                    any = true;
                    take_card(ui, &session, index, &media[index], commands);
                    follow_up_cards(ui, &session, index, &media, commands);
                }
                if !any {
                    ui.weak("Not answered.");
                }
            }
        });
}

/// The follow-up answers of take `index`, each under the take it follows
/// (a follow-up of a follow-up one step further in).
pub(super) fn follow_up_cards(
    ui: &mut egui::Ui,
    session: &Session,
    index: usize,
    media: &[CardMedia],
    commands: &mut Vec<Command>,
) {
    for follow_up in session.follow_ups_of(&session.takes[index].file) {
        ui.indent(("follow-up", follow_up), |ui| {
            take_card(ui, session, follow_up, &media[follow_up], commands);
            follow_up_cards(ui, session, follow_up, media, commands);
        });
    }
}

/// One take: waveform, playback, rating, "preferred", STAR checklist and
/// notes.
pub(super) fn take_card(
    ui: &mut egui::Ui,
    session: &Session,
    index: usize,
    media: &CardMedia,
    commands: &mut Vec<Command>,
) {
    let take = &session.takes[index];
    let edit = |edit: TakeEdit| Command::EditTake {
        session: session.id.clone(),
        take: index,
        edit,
    };
    let name = take_name(take);
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.push_id((&session.id, index), |ui| {
            card_title(ui, take);
            let duration = take.duration();
            let pauses = take
                .metrics
                .as_ref()
                .map_or(&[][..], |m| m.pauses.as_slice());
            if let Some(to) = waveform(ui, &media.waveform, duration, media.position, pauses, &name)
                && let Some(path) = &media.path
            {
                commands.push(Command::Seek(path.clone(), to));
            }
            ui.horizontal(|ui| {
                let (text, command) = match &media.path {
                    _ if media.playing => ("Pause", Some(Command::Pause)),
                    Some(path) => ("Play", Some(Command::Play(path.clone()))),
                    None => ("Play", None),
                };
                let button = ui.add_enabled(command.is_some(), egui::Button::new(text));
                let label = format!("{} {name}", if media.playing { "Pause" } else { "Play" });
                button.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, command.is_some(), &label)
                });
                if button.clicked()
                    && let Some(command) = command
                {
                    commands.push(command);
                }
                ui.monospace(format!("{} / {}", clock(media.position), clock(duration)));
                ui.separator();
                ui.label("Rating:");
                for stars in 1..=5u8 {
                    let lit = take.rating.is_some_and(|r| r.stars() >= stars);
                    let chosen = take.rating.map(Rating::stars) == Some(stars);
                    let star = star_button(ui, lit, chosen, stars);
                    if star.clicked() {
                        let rating = if chosen { None } else { Rating::new(stars) };
                        commands.push(edit(TakeEdit::Rating(rating)));
                    }
                }
                // A follow-up answer never stands for its question.
                if take.follow_up.is_none() {
                    ui.separator();
                    let chosen = session.is_chosen(index);
                    let mut radio = ui.radio(chosen, "Preferred take");
                    if chosen && !take.preferred {
                        radio = radio.on_hover_text(
                            "Chosen for its rating (or as the latest) until you pick a take",
                        );
                    }
                    if radio.clicked() && !take.preferred {
                        commands.push(edit(TakeEdit::Preferred));
                    }
                }
            });
            review_speech::speech(ui, session, index, media, commands);
            review_speech::said(ui, session, index, media, commands);
            super::review_content::content(ui, session, index, media, commands);
            star_checklist(ui, session, index, commands);
            ui.horizontal(|ui| {
                let label = ui.label("Notes:");
                let mut notes = take.notes.clone();
                let response = ui.add(
                    egui::TextEdit::multiline(&mut notes)
                        .desired_rows(2)
                        .desired_width(f32::INFINITY)
                        .hint_text("What to keep, what to change next time"),
                );
                let response = response.labelled_by(label.id);
                if response.changed() {
                    commands.push(edit(TakeEdit::Notes(notes)));
                }
            });
        });
    });
}

/// A card's first lines: a follow-up's question, the take's number,
/// length, why it stopped and whether it is silent.
fn card_title(ui: &mut egui::Ui, take: &crate::store::Take) {
    if let Some(of) = &take.follow_up {
        ui.horizontal_wrapped(|ui| {
            ui.label(egui::RichText::new("Follow-up:").strong());
            ui.label(&of.ask);
            ui.weak(format!("({})", of.reason));
        });
    }
    ui.horizontal_wrapped(|ui| {
        let title = match &take.follow_up {
            Some(_) => format!("Follow-up answer {}", take.take),
            None => format!("Take {}", take.take),
        };
        ui.label(egui::RichText::new(title).strong());
        ui.label(format!(
            "{} · {}",
            clock(take.duration()),
            take.stopped.describe()
        ));
        if take.silent {
            ui.colored_label(ui.visuals().error_fg_color, "silent: check the microphone");
        }
    });
}

/// How screen readers and the tests name a take: "take K of question Q"
/// ("follow-up K of question Q" for a follow-up answer).
pub(super) fn take_name(take: &crate::store::Take) -> String {
    let what = if take.follow_up.is_some() {
        "follow-up"
    } else {
        "take"
    };
    format!(
        "{what} {} of question {}",
        take.take,
        take.question_index + 1
    )
}

/// A small button about one take, named for a screen reader
/// "`action` take K of question Q"; whether it was clicked.
pub(super) fn take_button(
    ui: &mut egui::Ui,
    text: &str,
    action: &str,
    take: &crate::store::Take,
) -> bool {
    let button = ui.small_button(text);
    let name = format!("{action} {}", take_name(take));
    button.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
    button.clicked()
}

/// The STAR checklist of a take of a question that asks for a story.
fn star_checklist(ui: &mut egui::Ui, session: &Session, index: usize, commands: &mut Vec<Command>) {
    let take = &session.takes[index];
    let edit = |edit: TakeEdit| Command::EditTake {
        session: session.id.clone(),
        take: index,
        edit,
    };
    let shown = session
        .questions
        .get(take.question_index)
        .is_some_and(|question| take.shows_star(question));
    if shown {
        ui.horizontal(|ui| {
            ui.label("STAR:");
            for part in crate::content::Part::ALL {
                let mut on = take.star.get(part);
                if ui.checkbox(&mut on, part.label()).changed() {
                    commands.push(edit(TakeEdit::Star(star_with(&take.star, part, on))));
                }
            }
        });
    }
}

/// A star of the rating: filled when `lit`, read as "Rate N of 5" (and
/// selected when it is the rating given).
fn star_button(ui: &mut egui::Ui, lit: bool, chosen: bool, stars: u8) -> egui::Response {
    let size = ui.spacing().interact_size.y;
    let (rect, response) = ui.allocate_exact_size(egui::vec2(size, size), egui::Sense::click());
    response.widget_info(|| {
        egui::WidgetInfo::selected(
            egui::Role::Button,
            true,
            chosen,
            format!("Rate {stars} of 5"),
        )
    });
    if ui.is_rect_visible(rect) {
        let visuals = ui.style().interact(&response);
        let center = rect.center();
        let outer = rect.height() * 0.48;
        let inner = outer * 0.42;
        let points: Vec<egui::Pos2> = (0..10)
            .map(|i| {
                let radius = if i % 2 == 0 { outer } else { inner };
                let angle = std::f32::consts::PI * (i as f32 / 5.0 - 0.5);
                center + radius * egui::vec2(angle.cos(), angle.sin())
            })
            .collect();
        let gold = egui::Color32::from_rgb(240, 180, 40);
        let fill = if lit {
            gold
        } else {
            egui::Color32::TRANSPARENT
        };
        let stroke_color = if lit { gold } else { visuals.fg_stroke.color };
        // The star is concave: fill it as five triangles and a pentagon.
        let painter = ui.painter();
        if lit {
            let pentagon: Vec<egui::Pos2> = points.iter().skip(1).step_by(2).copied().collect();
            painter.add(egui::Shape::convex_polygon(
                pentagon,
                fill,
                egui::Stroke::NONE,
            ));
            for tip in 0..5 {
                let triangle = vec![
                    points[(2 * tip + 9) % 10],
                    points[2 * tip],
                    points[(2 * tip + 1) % 10],
                ];
                painter.add(egui::Shape::convex_polygon(
                    triangle,
                    fill,
                    egui::Stroke::NONE,
                ));
            }
        }
        painter.add(egui::Shape::closed_line(
            points,
            egui::Stroke::new(1.5, stroke_color),
        ));
    }
    response.on_hover_text(format!("{stars} of 5"))
}
