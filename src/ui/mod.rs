//! The screens: each draws from the app state and returns the commands the
//! user gave; nothing here touches the disk or a device.

mod home;
mod interview;

use eframe::egui;

use crate::app::{Command, RehearseApp, Screen};
use crate::audio::Level;
use crate::audio::level::FLOOR_DBFS;
use crate::store::settings::Theme;

/// Draws the current screen and returns what the user asked for.
pub fn draw(ui: &mut egui::Ui, app: &mut RehearseApp) -> Vec<Command> {
    let mut commands = Vec::new();
    if let Some(message) = app.messages.first() {
        egui::Panel::top("messages").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.colored_label(ui.visuals().warn_fg_color, message);
                if ui.button("Dismiss").clicked() {
                    commands.push(Command::DismissMessage);
                }
            });
        });
    }
    egui::CentralPanel::default().show(ui, |ui| match app.screen {
        Screen::Home => home::draw(ui, app, &mut commands),
        Screen::Interview => interview::draw(ui, app, &mut commands),
        Screen::Summary => interview::draw_summary(ui, app, &mut commands),
    });
    commands
}

/// Sets light or dark colours; `System` follows the platform.
pub fn apply_theme(ctx: &egui::Context, theme: Theme) {
    let preference = match theme {
        Theme::System => egui::ThemePreference::System,
        Theme::Light => egui::ThemePreference::Light,
        Theme::Dark => egui::ThemePreference::Dark,
    };
    ctx.set_theme(preference);
}

/// A level meter: the RMS as a bar from -60 to 0 dBFS, labelled with peak
/// and RMS for screen readers too.
pub fn level_meter(ui: &mut egui::Ui, level: Level) {
    let fraction = ((level.rms_dbfs - -60.0) / 60.0).clamp(0.0, 1.0);
    let text = if level.rms_dbfs <= FLOOR_DBFS {
        "Level: silence".to_owned()
    } else {
        format!(
            "Level: {:.0} dBFS (peak {:.0})",
            level.rms_dbfs, level.peak_dbfs
        )
    };
    ui.add(
        egui::ProgressBar::new(fraction)
            .desired_width(280.0)
            .text(text),
    );
}

/// `m:ss`.
pub fn clock(duration: std::time::Duration) -> String {
    let seconds = duration.as_secs();
    format!("{}:{:02}", seconds / 60, seconds % 60)
}
