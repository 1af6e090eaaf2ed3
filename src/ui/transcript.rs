//! A take's transcript as flowing text: filler words and the question's
//! keywords marked (with a legend), pauses of a second or more shown where
//! they were, the word being played highlighted (in a colour of its own)
//! and kept in view. Clicking a word plays from it and gives the text the
//! keyboard focus; Left/Right then step a word at a time (and stay in the
//! text).
//!
//! The whole text is one galley (laid out once and cached by egui), so a
//! 30-minute take's transcript costs no more per frame than a paragraph;
//! screen readers read it through AccessKit text runs.

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use eframe::egui;
use egui::text::{CCursor, LayoutJob, TextFormat};

use crate::feedback::{Mark, marked_words, pause_text};
use crate::speech::Transcript;

/// The text laid out for one transcript and its keywords: the job, and
/// each transcript word's characters in the text (`words[i]`: word `i`).
struct Prepared {
    job: LayoutJob,
    words: Vec<Range<usize>>,
    /// Something is marked (a filler, a keyword, a pause): the legend is
    /// worth showing.
    marked: bool,
}

/// The colours of the marks, readable in light and dark themes.
fn mark_colour(ui: &egui::Ui, mark: Mark) -> egui::Color32 {
    let dark = ui.visuals().dark_mode;
    match (mark, dark) {
        (Mark::Plain, _) => egui::Color32::TRANSPARENT,
        (Mark::Filler, false) => egui::Color32::from_rgb(253, 226, 184),
        (Mark::Filler, true) => egui::Color32::from_rgb(110, 72, 24),
        (Mark::Keyword, false) => egui::Color32::from_rgb(205, 228, 251),
        (Mark::Keyword, true) => egui::Color32::from_rgb(30, 72, 120),
    }
}

/// The colour behind the word being played: green, apart from both marks.
fn playing_colour(ui: &egui::Ui) -> egui::Color32 {
    if ui.visuals().dark_mode {
        egui::Color32::from_rgb(36, 104, 56)
    } else {
        egui::Color32::from_rgb(190, 234, 196)
    }
}

/// Where a chosen word moves playback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct WordChoice {
    /// The word's start.
    pub to: Duration,
    /// Play from there (a click), or only move there (a key).
    pub play: bool,
}

fn prepare(
    ui: &egui::Ui,
    transcript: &Transcript,
    keywords: &[String],
    pauses: Option<&[crate::analysis::Pause]>,
) -> Prepared {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let text_colour = ui.visuals().text_color();
    let weak = ui.visuals().weak_text_color();
    let mut job = LayoutJob::default();
    let mut words = Vec::with_capacity(transcript.words.len());
    let mut chars = 0;
    let mut marked_any = false;
    let mut append = |job: &mut LayoutJob, text: &str, format: TextFormat| -> Range<usize> {
        let start = chars;
        chars += text.chars().count();
        job.append(text, 0.0, format);
        start..chars
    };
    for marked in marked_words(transcript, keywords, pauses) {
        marked_any |= marked.mark != Mark::Plain || marked.pause_before_ms > 0;
        if marked.pause_before_ms > 0 {
            let pause = format!("{} ", pause_text(marked.pause_before_ms));
            append(&mut job, &pause, TextFormat::simple(font.clone(), weak));
        }
        let format = TextFormat {
            background: mark_colour(ui, marked.mark),
            ..TextFormat::simple(font.clone(), text_colour)
        };
        // `marked_words` gives every word, in order: the index is the word.
        words.push(append(
            &mut job,
            transcript.words[marked.word].text.trim(),
            format,
        ));
        append(&mut job, " ", TextFormat::simple(font.clone(), text_colour));
    }
    Prepared {
        job,
        words,
        marked: marked_any,
    }
}

/// The word being played: the last one that started at or before
/// `position` (none before the first word).
fn current_word(transcript: &Transcript, position: Duration) -> Option<usize> {
    let ms = u64::try_from(position.as_millis()).unwrap_or(u64::MAX);
    let after = transcript.words.partition_point(|word| word.start_ms <= ms);
    after.checked_sub(1)
}

/// The legend of the marks, in the text's own size.
fn legend(ui: &mut egui::Ui) {
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 8.0;
        for (mark, text) in [(Mark::Filler, "filler word"), (Mark::Keyword, "key point")] {
            let colour = mark_colour(ui, mark);
            ui.label(egui::RichText::new(text).background_color(colour));
        }
        ui.label(egui::RichText::new("playing").background_color(playing_colour(ui)));
        ui.label(egui::RichText::new("· 1.2 s · pause").weak());
    });
}

/// Draws `transcript` (of the take called `name`, answering a question
/// with `keywords`) with playback at `position`, under the legend when
/// anything is marked; returns where to move playback when a word was
/// chosen.
pub(super) fn transcript_text(
    ui: &mut egui::Ui,
    (transcript, pauses): (&Arc<Transcript>, Option<&[crate::analysis::Pause]>),
    keywords: &[String],
    position: Duration,
    playing: bool,
    name: &str,
) -> Option<WordChoice> {
    let id = ui.scope_id().with((
        "transcript",
        Arc::as_ptr(transcript) as usize,
        pauses.map(<[_]>::len),
        keywords,
        ui.visuals().dark_mode,
    ));
    let prepared: Arc<Prepared> = ui
        .data(|data| data.get_temp::<Arc<Prepared>>(id))
        .unwrap_or_else(|| {
            let prepared = Arc::new(prepare(ui, transcript, keywords, pauses));
            ui.data_mut(|data| data.insert_temp(id, Arc::clone(&prepared)));
            prepared
        });
    if prepared.marked {
        legend(ui);
    }
    let mut job = prepared.job.clone();
    job.wrap.max_width = ui.available_width();
    let galley = ui.fonts_mut(|fonts| fonts.layout_job(job));
    let (rect, response) = ui.allocate_exact_size(galley.size(), egui::Sense::click());
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Label, true, format!("Transcript of {name}"))
    });
    egui::text_selection::accesskit_text::update_accesskit_for_text_widget(
        ui.ctx(),
        response.id,
        None,
        egui::emath::TSTransform::from_translation(rect.min.to_vec2()),
        &galley,
    );
    let word_rect = |word: usize| -> Option<egui::Rect> {
        let range = prepared.words.get(word)?;
        let start = galley.pos_from_cursor(CCursor::new(range.start));
        let end = galley.pos_from_cursor(CCursor::new(range.end));
        Some(egui::Rect::from_min_max(start.min, end.max).translate(rect.min.to_vec2()))
    };
    let current = (playing || position > Duration::ZERO)
        .then(|| current_word(transcript, position))
        .flatten();
    if let Some(highlight) = current.and_then(word_rect) {
        ui.painter()
            .rect_filled(highlight.expand(1.0), 2.0, playing_colour(ui));
        if playing && !ui.clip_rect().contains_rect(highlight) {
            ui.scroll_to_rect(highlight, Some(egui::Align::Center));
        }
    }
    let underline = if response.has_focus() {
        egui::Stroke::new(1.0, ui.visuals().text_color())
    } else {
        egui::Stroke::NONE
    };
    ui.painter().add(
        egui::epaint::TextShape::new(rect.min, galley.clone(), ui.visuals().text_color())
            .with_underline(underline),
    );
    let start_of = |word: usize, play: bool| WordChoice {
        to: Duration::from_millis(transcript.words[word].start_ms),
        play,
    };
    if response.clicked()
        && let Some(pointer) = response.interact_pointer_pos()
    {
        response.request_focus();
        let at: usize = galley.cursor_from_pos(pointer - rect.min).index.into();
        let word = prepared.words.partition_point(|range| range.end < at);
        return (word < prepared.words.len()).then(|| start_of(word, true));
    }
    if response.has_focus() {
        // Left and Right are the text's: focus does not move on with them.
        // egui takes the filter from the second frame with focus on, so one
        // more frame is drawn at once (a key pressed next finds it set).
        let settled = ui.memory_mut(|memory| {
            memory.set_focus_lock_filter(
                response.id,
                egui::EventFilter {
                    horizontal_arrows: true,
                    ..Default::default()
                },
            );
            memory.had_focus_last_frame(response.id)
        });
        if !settled {
            ui.ctx().request_repaint();
        }
        let (left, right) = ui.input(|input| {
            (
                input.key_pressed(egui::Key::ArrowLeft),
                input.key_pressed(egui::Key::ArrowRight),
            )
        });
        let words = transcript.words.len();
        if right && words > 0 {
            return Some(start_of(
                current.map_or(0, |w| (w + 1).min(words - 1)),
                false,
            ));
        }
        if left && words > 0 {
            return Some(start_of(current.map_or(0, |w| w.saturating_sub(1)), false));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::speech::transcript::{ModelStamp, SCHEMA, Word};

    #[test]
    fn the_current_word_is_the_last_one_started() {
        let transcript = Transcript {
            schema: SCHEMA,
            model: ModelStamp {
                name: "t".to_owned(),
                sha256: String::new(),
            },
            language: "en".to_owned(),
            duration_ms: 3_000,
            segments: Vec::new(),
            words: [(500, 900), (1_000, 1_400), (2_000, 2_500)]
                .iter()
                .map(|&(start_ms, end_ms)| Word {
                    text: " w".to_owned(),
                    start_ms,
                    end_ms,
                    probability: 1.0,
                })
                .collect(),
        };
        assert_eq!(current_word(&transcript, Duration::from_millis(100)), None);
        assert_eq!(
            current_word(&transcript, Duration::from_millis(500)),
            Some(0)
        );
        assert_eq!(
            current_word(&transcript, Duration::from_millis(1_999)),
            Some(1)
        );
        assert_eq!(current_word(&transcript, Duration::from_secs(9)), Some(2));
    }
}
