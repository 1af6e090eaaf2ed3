//! What a review card shows of a take's speech: the measures and a coach's
//! hints, what was said (the transcript, its progress, or why there is
//! none), and, once, the offer to set up speech recognition.

use std::time::Duration;

use eframe::egui;

use super::review::{CardMedia, take_button, take_name};
use super::transcript::transcript_text;
use crate::app::{AppState, Command, SpeechCommand, TranscriptSlot};
use crate::store::Session;

/// The take's speech metrics in a line, with a coach's hints; or a way to
/// measure them.
pub(super) fn speech(
    ui: &mut egui::Ui,
    session: &Session,
    index: usize,
    media: &CardMedia,
    commands: &mut Vec<Command>,
) {
    let take = &session.takes[index];
    match &take.metrics {
        Some(m) => {
            if m.syllables > 0 {
                let summary = m.summary(take.spoken.is_some());
                let mut letters = summary.chars();
                let capitalised: String = letters
                    .next()
                    .map(|first| first.to_uppercase().chain(letters).collect())
                    .unwrap_or_default();
                ui.label(capitalised);
            }
            for hint in m.hints(take.spoken.is_some()) {
                ui.colored_label(ui.visuals().warn_fg_color, format!("• {hint}"));
            }
        }
        None if media.analysing => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.weak("Measuring the speech…");
            });
        }
        None if media.path.is_none() => {}
        None => {
            if take_button(ui, "Analyse speech", "Analyse speech of", take)
                && let Some(path) = &media.path
            {
                commands.push(Command::Analyze {
                    session: session.id.clone(),
                    file: take.file.clone(),
                    path: path.clone(),
                });
            }
        }
    }
}

/// Until answered, when no speech model is installed: what transcripts
/// would give, and a way to set them up (or to never be asked again). The
/// practice screen shows it from the first start, the review too.
pub(super) fn speech_offer(ui: &mut egui::Ui, app: &AppState, commands: &mut Vec<Command>) {
    let none_installed = app.speech.installed.as_ref().is_some_and(Vec::is_empty);
    if !none_installed || app.settings.speech.setup_offered || !app.settings.speech.enabled {
        return;
    }
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.label(
            "See what you said: Rehearse can write down each answer on this computer, and \
             then count filler words, measure your pace and check the key points. It needs a \
             speech model, downloaded once (75 to 150 MB); your recordings never leave this \
             computer.",
        );
        ui.horizontal(|ui| {
            if ui.button("Set up speech recognition").clicked() {
                commands.push(Command::Speech(SpeechCommand::AnswerSpeechOffer(true)));
            }
            if ui.button("Not now").clicked() {
                commands.push(Command::Speech(SpeechCommand::AnswerSpeechOffer(false)));
            }
        });
    });
}

/// What was said in the take: the transcript as flowing text, its progress
/// while it is made, why there is none, or a button to make it.
pub(super) fn said(
    ui: &mut egui::Ui,
    session: &Session,
    index: usize,
    media: &CardMedia,
    commands: &mut Vec<Command>,
) {
    let take = &session.takes[index];
    match &media.transcript {
        Some(TranscriptSlot::Transcribing(control)) => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.weak(format!("transcribing… {} %", control.percent()));
            });
            ui.ctx().request_repaint_after(Duration::from_millis(250));
        }
        Some(TranscriptSlot::Loading) => {
            ui.weak("Reading the transcript…");
        }
        Some(TranscriptSlot::Ready(transcript)) => {
            if transcript.words.is_empty() {
                ui.weak("No words were recognised.");
            } else {
                let keywords = session
                    .questions
                    .get(take.question_index)
                    .map_or(&[][..], |q| q.keywords.as_slice());
                let name = take_name(take);
                let pauses = take.metrics.as_ref().map(|m| m.pauses.as_slice());
                if let Some(choice) = transcript_text(
                    ui,
                    (transcript, pauses),
                    keywords,
                    media.position,
                    media.playing,
                    &name,
                ) && let Some(path) = &media.path
                {
                    commands.push(if choice.play {
                        Command::PlayFrom(path.clone(), choice.to)
                    } else {
                        Command::Seek(path.clone(), choice.to)
                    });
                }
            }
            if let Some(spoken) = &take.spoken {
                spoken_measures(ui, spoken);
            }
        }
        Some(TranscriptSlot::Failed(reason)) => {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("No transcript: {reason}"),
            );
        }
        None if media.path.is_none() => {}
        // Without a model the review offers the set-up once, at the top;
        // after that each take says why it has no transcript.
        None if media.no_speech_model || media.why_no_transcript.is_some() => {
            if let Some(why) = media.why_no_transcript {
                ui.weak(why);
            }
        }
        None => {
            if take_button(ui, "Transcribe", "Transcribe", take) {
                commands.push(Command::Speech(SpeechCommand::Transcribe {
                    session: session.id.clone(),
                    file: take.file.clone(),
                }));
            }
        }
    }
}

/// What the words show: the main figures in a line that opens to every
/// measure, then the hints worth attention.
fn spoken_measures(ui: &mut egui::Ui, spoken: &crate::feedback::SpokenMeasures) {
    egui::CollapsingHeader::new(spoken.headline())
        .id_salt("spoken measures")
        .show(ui, |ui| {
            egui::Grid::new("spoken measures grid")
                .num_columns(2)
                .spacing([12.0, 2.0])
                .show(ui, |ui| {
                    for (label, text) in spoken.lines() {
                        ui.weak(label);
                        ui.label(text);
                        ui.end_row();
                    }
                });
        });
    for hint in spoken.hints() {
        ui.colored_label(ui.visuals().warn_fg_color, format!("• {hint}"));
    }
}
