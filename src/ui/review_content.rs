//! What a review card shows of a take's content: the strong answer's
//! points, each covered (with the sentence that covered it: a click plays
//! from there), named only or missing; the STAR parts found in a story; and
//! the follow-up the interviewer might ask. Shown once the take has a
//! transcript, so the draft comes first and the strong answer after.

use std::time::Duration;

use eframe::egui;

use super::review::CardMedia;
use crate::app::Command;
use crate::content::{Content, Status};
use crate::store::Session;

/// Colours of the three statuses: covered calm green, named amber,
/// missing the weak text colour.
fn status_colour(ui: &egui::Ui, status: Status) -> egui::Color32 {
    match status {
        Status::Covered => egui::Color32::from_rgb(0x5f, 0xb8, 0x6a),
        Status::Named => ui.visuals().warn_fg_color,
        Status::Missing => ui.visuals().weak_text_color(),
    }
}

/// The take's content, when it was judged.
pub(super) fn content(
    ui: &mut egui::Ui,
    session: &Session,
    index: usize,
    media: &CardMedia,
    commands: &mut Vec<Command>,
) {
    let take = &session.takes[index];
    let Some(content) = &take.content else {
        return;
    };
    if !content.strong_answer.is_empty() {
        egui::CollapsingHeader::new(format!(
            "What a strong answer covers: {}",
            content.summary()
        ))
        .id_salt("strong answer")
        .default_open(true)
        .show(ui, |ui| points(ui, content, index, media, commands));
    }
    if let Some(star) = &content.star {
        egui::CollapsingHeader::new(format!("STAR parts heard: {} of 4", star.heard()))
            .id_salt("star parts")
            .default_open(false)
            .show(ui, |ui| {
                for line in star.lines() {
                    ui.label(line);
                }
            });
    }
    // Not when it is offered above the card, nor once it was answered
    // (its answer's card below shows it).
    let answered = session.follow_ups_of(&take.file).next().is_some();
    if let Some(follow_up) = content
        .follow_up
        .as_ref()
        .filter(|_| !media.follow_up_above && !answered)
    {
        ui.horizontal_wrapped(|ui| {
            ui.label(egui::RichText::new("The interviewer might ask:").strong());
            ui.label(&follow_up.ask);
            ui.weak(format!("({})", follow_up.reason));
        });
    }
}

fn points(
    ui: &mut egui::Ui,
    content: &Content,
    index: usize,
    media: &CardMedia,
    commands: &mut Vec<Command>,
) {
    if !content.by_meaning {
        ui.weak(
            "Matched by the words only. With the sentence model (Settings, 91 MB) a point \
             said in other words counts too.",
        );
    }
    egui::Grid::new(("points", index))
        .num_columns(2)
        .spacing([10.0, 4.0])
        .show(ui, |ui| {
            for (number, finding) in content.strong_answer.iter().enumerate() {
                ui.colored_label(status_colour(ui, finding.status), finding.status.label());
                ui.vertical(|ui| {
                    ui.label(&finding.point);
                    let (Some(quote), Some(at)) = (&finding.quote, finding.start_ms) else {
                        return;
                    };
                    let at = Duration::from_millis(at);
                    let text = format!("{} “{quote}”", crate::model::clock(at));
                    let link = ui.add_enabled(
                        media.path.is_some(),
                        egui::Button::new(egui::RichText::new(text).italics().weak())
                            .frame(false)
                            .wrap(),
                    );
                    let name = format!("Play from the quote of point {}", number + 1);
                    let link = super::named(link, &name);
                    if link.on_hover_text("Play from here").clicked()
                        && let Some(path) = &media.path
                    {
                        commands.push(Command::PlayFrom(path.clone(), at));
                    }
                });
                ui.end_row();
            }
        });
}
