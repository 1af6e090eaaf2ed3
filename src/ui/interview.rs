//! The interview screen (question, countdowns, recording, rating) and the
//! summary shown when a session ends; a mock interview shows no tips and
//! offers no skip, and never stops to review. Keyboard: Space starts or stops, R
//! retakes, N next, S skip, F answers the follow-up offered, Esc ends
//! (asking first while recording), 1-5 rate the take just recorded.

use std::time::Instant;

use eframe::egui;

use super::review::{CardMedia, take_card};
use super::{clock, level_meter};
use crate::app::{ActiveSession, AppState, Command};
use crate::audio::Level;
use crate::interview::{Interview, Phase, StopReason};
use crate::store::{NextFollowUp, Session};

pub(super) fn draw(ui: &mut egui::Ui, app: &mut AppState, commands: &mut Vec<Command>) {
    let level = app.level();
    let microphone = app.microphone_name().map(str::to_owned);
    let (latest, media, earlier) = takes_to_review(app, commands);
    let follow_up = app.follow_up_after_latest();
    let transcript_percent = app.latest_transcript_percent();
    let Some(active) = &mut app.active else {
        ui.spinner();
        ui.label("Preparing the session…");
        return;
    };
    keyboard(ui, active, commands);
    let now = Instant::now();
    let interview = &active.interview;
    let progress = interview.progress();
    let question = &interview.question().question;

    let mock = interview.is_mock();
    ui.horizontal(|ui| {
        ui.label(format!(
            "{}Question {} of {} · {}",
            if mock { "Mock interview · " } else { "" },
            progress.number,
            progress.total,
            question.category
        ));
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let end = if mock {
                "End interview (Esc)"
            } else {
                "End session (Esc)"
            };
            if ui.button(end).clicked() {
                commands.push(Command::RequestEnd);
            }
            // A mock interview has no tips, as a real one has none.
            if !mock {
                ui.toggle_value(&mut active.show_tips, "Tips");
            }
        });
    });
    ui.add_space(12.0);
    asked(ui, interview);
    ui.add_space(8.0);
    if active.show_tips && !mock {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            if !question.looking_for.is_empty() {
                ui.label(format!("What they look for: {}", question.looking_for));
            }
            for tip in &question.tips {
                ui.label(format!("• {tip}"));
            }
            if question.asks_for_story() && question.tips.iter().all(|t| !t.contains("STAR")) {
                ui.label("• Use STAR: situation, task, action, result.");
            }
        });
    }
    ui.add_space(16.0);

    if active.confirm_end {
        ui.horizontal(|ui| {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                "End the session? The answer being recorded is kept.",
            );
            if ui.button("End session").clicked() {
                commands.push(Command::End);
            }
            if ui.button("Keep recording").clicked() {
                commands.push(Command::CancelEnd);
            }
        });
    }

    match interview.phase() {
        Phase::Ready => {
            ui.spinner();
            ui.label(match &microphone {
                Some(_) => "Starting…".to_owned(),
                None => "Opening the microphone…".to_owned(),
            });
        }
        Phase::Asking => asking(ui),
        Phase::Thinking => thinking(ui, interview, now, commands),
        Phase::Answering => answering(ui, interview, now, level, commands),
        Phase::Reviewing => review(
            ui,
            active,
            microphone.as_deref(),
            latest.as_ref().map(|(session, _)| session),
            (media.as_ref(), &earlier),
            follow_up.as_ref(),
            commands,
        ),
        Phase::Awaiting => awaiting(ui, active, now, transcript_percent),
        Phase::Finished => {
            ui.spinner();
            ui.label("Saving the last take…");
        }
    }
}

/// What the interviewer asks: the question, or a follow-up under it.
fn asked(ui: &mut egui::Ui, interview: &Interview) {
    let question = &interview.question().question;
    match interview.follow_up() {
        Some(turn) => {
            ui.weak(&question.text);
            ui.add_space(4.0);
            ui.label(
                egui::RichText::new(if turn.depth > 1 {
                    "Follow-up to your follow-up answer"
                } else {
                    "Follow-up"
                })
                .size(16.0)
                .weak(),
            );
            ui.label(egui::RichText::new(&turn.ask).size(28.0).strong());
            ui.weak(format!("Asked because: {}", turn.reason));
        }
        None => {
            ui.label(egui::RichText::new(&question.text).size(28.0).strong());
        }
    }
}

/// How long "the interviewer is thinking" may show before it says what
/// it waits for.
const THINKING_QUIETLY: std::time::Duration = std::time::Duration::from_secs(3);

/// A mock interview between an answer and its follow-up: the answer's
/// transcript is being made and judged.
fn awaiting(ui: &mut egui::Ui, active: &ActiveSession, now: Instant, percent: Option<u8>) {
    waiting_line(ui, "The interviewer is thinking…");
    let waited = active
        .awaiting_since
        .map_or(std::time::Duration::ZERO, |since| now - since);
    if waited >= THINKING_QUIETLY {
        let text = match percent {
            Some(percent) => format!("Listening back to your answer: {percent} %"),
            None => "Reading your answer…".to_owned(),
        };
        ui.add(egui::ProgressBar::new(f32::from(percent.unwrap_or(0)) / 100.0).text(text));
    }
}

/// A spinner and what the interview waits for.
fn waiting_line(ui: &mut egui::Ui, text: &str) {
    ui.horizontal(|ui| {
        ui.spinner();
        ui.label(egui::RichText::new(text).size(18.0).weak());
    });
}

/// While the question is read aloud.
fn asking(ui: &mut egui::Ui) {
    waiting_line(ui, "The interviewer is asking the question…");
    ui.weak("Your time to think starts when the question has been read.");
}

/// Remaining time rounded up, so the countdown reaches 0:00 at the end.
fn clock_up(left: std::time::Duration) -> String {
    let seconds = left.as_secs() + u64::from(left.subsec_nanos() > 0);
    clock(std::time::Duration::from_secs(seconds))
}

/// The session with the take just recorded (and its index), that take's
/// media, and its question's earlier takes with theirs (to compare after a
/// retake).
#[allow(
    clippy::type_complexity,
    reason = "three parts of one answer, each named where it is used"
)]
fn takes_to_review(
    app: &AppState,
    commands: &mut Vec<Command>,
) -> (
    Option<(Session, usize)>,
    Option<CardMedia>,
    Vec<(usize, CardMedia)>,
) {
    let latest = app.active.as_ref().and_then(|a| {
        let index = a.latest_take?;
        let session = app.sessions.get(&a.session_id)?.clone();
        Some((session, index))
    });
    let media = latest.as_ref().map(|(session, index)| CardMedia {
        // Practice offers the follow-up above the card, to answer it.
        follow_up_above: app
            .active
            .as_ref()
            .is_some_and(|a| a.interview.can_follow_up()),
        ..CardMedia::of(app, session, *index, commands)
    });
    let earlier = latest
        .as_ref()
        .map(|(session, latest)| {
            let question = session.takes[*latest].question_index;
            (0..session.takes.len())
                .filter(|&i| i != *latest && session.takes[i].question_index == question)
                .map(|i| (i, CardMedia::of(app, session, i, commands)))
                .collect()
        })
        .unwrap_or_default();
    (latest, media, earlier)
}

/// The take just recorded, with what to do next above it (the buttons
/// stay where they are while its transcript and measures arrive), and the
/// question's earlier takes folded below it.
fn review(
    ui: &mut egui::Ui,
    active: &ActiveSession,
    microphone: Option<&str>,
    session: Option<&Session>,
    (media, earlier): (Option<&CardMedia>, &[(usize, CardMedia)]),
    follow_up: Option<&NextFollowUp>,
    commands: &mut Vec<Command>,
) {
    if active.interview.stop_reason() == Some(StopReason::TimeLimit) {
        ui.label(
            egui::RichText::new("Time's up")
                .size(32.0)
                .color(ui.visuals().warn_fg_color),
        );
    }
    ui.horizontal(|ui| {
        if ui.button("Retake (R)").clicked() {
            commands.push(Command::Retake);
        }
        let last = active.interview.progress().number == active.interview.progress().total;
        if ui
            .button(if last { "Finish (N)" } else { "Next (N)" })
            .clicked()
        {
            commands.push(Command::Next);
        }
        if ui.button("Skip (S)").clicked() {
            commands.push(Command::Skip);
        }
    });
    if active.interview.can_follow_up() {
        follow_up_offer(ui, follow_up, commands);
    }
    ui.add_space(8.0);
    // Below the buttons, what can grow (the transcript, earlier takes)
    // scrolls.
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            let current = active.interview.progress().number - 1;
            let latest = active.latest_take.and_then(|i| {
                let session = session?;
                let take = session.takes.get(i)?;
                (take.question_index == current).then_some((session, i, take))
            });
            match (latest, media) {
                (Some((session, index, take)), Some(media)) if active.recordings.is_empty() => {
                    if take.silent {
                        ui.colored_label(
                            ui.visuals().error_fg_color,
                            format!(
                                "This take is silent. Is \"{}\" the right microphone, and is it unmuted?",
                                microphone.unwrap_or("the microphone")
                            ),
                        );
                    }
                    take_card(ui, session, index, media, commands);
                    if !earlier.is_empty() {
                        egui::CollapsingHeader::new(format!(
                            "Earlier takes of this question ({})",
                            earlier.len()
                        ))
                        .id_salt(("earlier takes", take.question_index))
                        .show(ui, |ui| {
                            for (earlier_index, earlier_media) in earlier {
                                take_card(ui, session, *earlier_index, earlier_media, commands);
                            }
                        });
                    }
                }
                _ => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Saving the take…");
                    });
                }
            }
        });
}

/// In practice, under the buttons: the follow-up the interviewer might ask
/// after this answer, and the way to answer it.
fn follow_up_offer(
    ui: &mut egui::Ui,
    follow_up: Option<&NextFollowUp>,
    commands: &mut Vec<Command>,
) {
    match follow_up {
        Some(NextFollowUp::Pending) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.weak("Listening back for a follow-up question…");
            });
        }
        Some(NextFollowUp::Ask(choice)) => {
            egui::Frame::group(ui.style()).show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    ui.label(egui::RichText::new("The interviewer might ask:").strong());
                    ui.label(&choice.ask);
                    ui.weak(format!("({})", choice.reason));
                });
                if ui.button("Answer it (F)").clicked() {
                    commands.push(Command::AnswerFollowUp);
                }
            });
        }
        Some(NextFollowUp::Nothing) | None => {}
    }
}

fn keyboard(ui: &egui::Ui, active: &ActiveSession, commands: &mut Vec<Command>) {
    use egui::Key;
    if ui.ctx().egui_wants_keyboard_input() {
        // Typing notes: letters and digits are text, not shortcuts.
        return;
    }
    let phase = active.interview.phase();
    ui.input(|input| {
        if input.key_pressed(Key::Escape) {
            commands.push(if active.confirm_end {
                Command::CancelEnd
            } else {
                Command::RequestEnd
            });
        }
        if input.key_pressed(Key::Space) {
            match phase {
                Phase::Asking | Phase::Thinking => commands.push(Command::StartAnswer),
                Phase::Answering => commands.push(Command::Stop),
                _ => {}
            }
        }
        if input.key_pressed(Key::S) && !active.interview.is_mock() {
            commands.push(Command::Skip);
        }
        if phase == Phase::Reviewing {
            if input.key_pressed(Key::R) {
                commands.push(Command::Retake);
            }
            if input.key_pressed(Key::N) {
                commands.push(Command::Next);
            }
            if input.key_pressed(Key::F) {
                commands.push(Command::AnswerFollowUp);
            }
            for (key, stars) in [
                (Key::Num1, 1),
                (Key::Num2, 2),
                (Key::Num3, 3),
                (Key::Num4, 4),
                (Key::Num5, 5),
            ] {
                if input.key_pressed(key) {
                    commands.push(Command::RateLatest(stars));
                }
            }
        }
    });
}

/// The think countdown, with the way to start at once.
fn thinking(ui: &mut egui::Ui, interview: &Interview, now: Instant, commands: &mut Vec<Command>) {
    let left = interview.remaining(now).unwrap_or_default();
    ui.label(egui::RichText::new("Time to think").size(18.0).weak());
    ui.label(egui::RichText::new(clock_up(left)).size(56.0));
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        let start = egui::Button::new(egui::RichText::new("Start answering (Space)").size(18.0));
        if ui.add(start).clicked() {
            commands.push(Command::StartAnswer);
        }
        if !interview.is_mock() && ui.button("Skip (S)").clicked() {
            commands.push(Command::Skip);
        }
    });
    if interview.is_mock() {
        ui.weak(
            "One answer per question: when you stop or the time is up, the next question follows. You review and rate them at the end.",
        );
    }
}

/// The answer countdown (or clock, without a limit) while recording.
fn answering(
    ui: &mut egui::Ui,
    interview: &Interview,
    now: Instant,
    level: Option<Level>,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        let red = egui::Color32::from_rgb(220, 40, 40);
        let (dot, _) = ui.allocate_exact_size(egui::vec2(18.0, 18.0), egui::Sense::hover());
        ui.painter().circle_filled(dot.center(), 8.0, red);
        ui.colored_label(red, egui::RichText::new("Recording").size(20.0));
        if let Some(level) = level {
            level_meter(ui, level);
        }
    });
    let (text, warn) = match interview.remaining(now) {
        Some(left) => (format!("{} left", clock_up(left)), interview.warning(now)),
        None => (
            format!(
                "{} (no limit)",
                clock(interview.answer_elapsed(now).unwrap_or_default())
            ),
            false,
        ),
    };
    let color = if warn {
        ui.visuals().warn_fg_color
    } else {
        ui.visuals().text_color()
    };
    ui.label(egui::RichText::new(text).size(56.0).color(color));
    ui.horizontal(|ui| {
        let mock = interview.is_mock();
        let stop = if mock {
            "Finish answer (Space)"
        } else {
            "Stop (Space)"
        };
        if ui.button(stop).clicked() {
            commands.push(Command::Stop);
        }
        if !mock && ui.button("Skip (S)").clicked() {
            commands.push(Command::Skip);
        }
    });
}
