//! The waveform of a take with its play head: drawn from the take's
//! min/max pyramid (one mesh, one column per pixel), clicked or dragged to
//! seek, and read by screen readers as a slider.

use std::time::Duration;

use eframe::egui;

use super::clock;
use crate::app::WaveformSlot;
use crate::audio::waveform::Waveform;

/// Draws the waveform of a take of length `duration` with the play head at
/// `position`; returns where the user clicked or dragged to, if anywhere.
pub(super) fn waveform(
    ui: &mut egui::Ui,
    slot: &WaveformSlot,
    duration: Duration,
    position: Duration,
    pauses: &[crate::analysis::Pause],
    label: &str,
) -> Option<Duration> {
    let width = ui.available_width().clamp(120.0, 900.0);
    let (rect, response) =
        ui.allocate_exact_size(egui::vec2(width, 64.0), egui::Sense::click_and_drag());
    let fraction_at = |x: f32| ((x - rect.left()) / rect.width()).clamp(0.0, 1.0);
    let seconds = duration.as_secs_f32();
    let played = if seconds > 0.0 {
        (position.as_secs_f32() / seconds).clamp(0.0, 1.0)
    } else {
        0.0
    };
    response.widget_info(|| {
        egui::WidgetInfo::slider(
            true,
            f64::from(position.as_secs_f32()),
            format!("Play position of {label}"),
        )
    });

    if ui.is_rect_visible(rect) {
        let visuals = ui.visuals();
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 4.0, visuals.extreme_bg_color);
        if seconds > 0.0 {
            // Pauses of a second or more, shaded.
            let shade = visuals.warn_fg_color.gamma_multiply(0.25);
            for pause in pauses {
                let from = rect.left() + (pause.at as f32 / seconds).clamp(0.0, 1.0) * rect.width();
                let to = rect.left()
                    + ((pause.at + pause.seconds) as f32 / seconds).clamp(0.0, 1.0) * rect.width();
                painter.rect_filled(
                    egui::Rect::from_x_y_ranges(from..=to, rect.y_range()),
                    0.0,
                    shade,
                );
            }
        }
        match slot {
            WaveformSlot::Ready(waveform) => {
                paint_peaks(&painter, visuals, rect, waveform, played);
            }
            other => {
                let (text, size, color) = match other {
                    WaveformSlot::Failed(why) => (why.clone(), 12.0, visuals.error_fg_color),
                    WaveformSlot::Damaged(why) => {
                        (format!("Damaged take: {why}"), 12.0, visuals.error_fg_color)
                    }
                    _ => (
                        "Loading the waveform…".to_owned(),
                        13.0,
                        visuals.weak_text_color(),
                    ),
                };
                painter.text(
                    rect.center(),
                    egui::Align2::CENTER_CENTER,
                    text,
                    egui::FontId::proportional(size),
                    color,
                );
            }
        }
        let x = rect.left() + played * rect.width();
        painter.line_segment(
            [egui::pos2(x, rect.top()), egui::pos2(x, rect.bottom())],
            egui::Stroke::new(2.0, visuals.strong_text_color()),
        );
        if response.has_focus() {
            painter.rect_stroke(
                rect,
                4.0,
                visuals.selection.stroke,
                egui::StrokeKind::Inside,
            );
        }
    }

    let response = response.on_hover_text(format!("{} / {}", clock(position), clock(duration)));
    if (response.clicked() || response.dragged())
        && let Some(pointer) = response.interact_pointer_pos()
    {
        return Some(duration.mul_f32(fraction_at(pointer.x)));
    }
    if response.has_focus() {
        let step = Duration::from_secs(5);
        let (left, right) = ui.input(|i| {
            (
                i.key_pressed(egui::Key::ArrowLeft),
                i.key_pressed(egui::Key::ArrowRight),
            )
        });
        if left {
            return Some(position.saturating_sub(step));
        }
        if right {
            return Some((position + step).min(duration));
        }
    }
    None
}

/// The waveform's columns (min to max of each), the part already played
/// in the selection colour.
fn paint_peaks(
    painter: &egui::Painter,
    visuals: &egui::Visuals,
    rect: egui::Rect,
    waveform: &Waveform,
    played: f32,
) {
    let middle = rect.center().y;
    let half = rect.height() / 2.0 - 2.0;
    let columns = waveform.columns(rect.width().max(1.0) as usize);
    let head_x = rect.left() + played * rect.width();
    let mut mesh = egui::Mesh::default();
    let played_color = visuals.selection.bg_fill;
    let rest_color = visuals.widgets.inactive.fg_stroke.color;
    for (column, (low, high)) in columns.iter().enumerate() {
        let x = rect.left() + column as f32;
        let top = middle - high.clamp(-1.0, 1.0) * half;
        let bottom = (middle - low.clamp(-1.0, 1.0) * half).max(top + 1.0);
        let color = if x < head_x { played_color } else { rest_color };
        mesh.add_colored_rect(
            egui::Rect::from_min_max(egui::pos2(x, top), egui::pos2(x + 1.0, bottom)),
            color,
        );
    }
    painter.add(egui::Shape::mesh(mesh));
}
