//! The window shell: eframe's side of the app. It opens the native window
//! (title, app id, icon), runs the frame loop (poll the app, draw the
//! screens, apply the commands they return), follows the theme setting, and
//! knows nothing of sessions or recordings itself. `app` never imports
//! `ui`; this module joins them.

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use eframe::egui;

use crate::app::{AppState, RehearseApp};
use crate::paths::{APP_ID, DataDir};
use crate::questions::{PackSources, QuestionBank};
use crate::store::settings::Theme;
use crate::ui;

/// Set to have the window report its first presented frame on stderr.
pub const FIRST_FRAME_PROBE: &str = "REHEARSE_REPORT_FIRST_FRAME";
/// What it reports.
pub const FIRST_FRAME_MARK: &str = "rehearse: first frame presented";

/// The window icon, drawn in `assets/` (see `scripts/icons.sh`).
const ICON_PNG: &[u8] = include_bytes!("../assets/icons/256x256/io.github.rehearse.Rehearse.png");

/// The window's options: title, app id (matching the desktop file) and icon.
pub fn native_options() -> eframe::NativeOptions {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Rehearse")
        .with_app_id(APP_ID)
        .with_inner_size([1000.0, 740.0])
        .with_min_inner_size([640.0, 480.0]);
    match eframe::icon_data::from_png_bytes(ICON_PNG) {
        Ok(icon) => viewport = viewport.with_icon(icon),
        Err(err) => log::warn!("the window icon cannot be read: {err}"),
    }
    eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    }
}

/// Starts the window; returns when it is closed.
pub fn run(
    data_dir: DataDir,
    sources: PackSources,
    bank: QuestionBank,
) -> Result<(), eframe::Error> {
    eframe::run_native(
        "Rehearse",
        native_options(),
        Box::new(move |cc| Ok(Box::new(Window::new(&cc.egui_ctx, data_dir, sources, bank)))),
    )
}

/// The app in its window: what eframe drives.
pub struct Window {
    app: RehearseApp,
    /// The theme last applied to the window.
    theme: Theme,
    /// Frames drawn so far.
    frames: u64,
    /// `REHEARSE_REPORT_FIRST_FRAME` is set: say on stderr when the first
    /// frame has been presented (`make bench` times start-up with it).
    report_first_frame: bool,
}

impl Window {
    /// The app over `data_dir` in a window whose context is `ctx`.
    /// `sources` are where `bank` came from, to load it again after the
    /// user changes their questions.
    pub fn new(
        ctx: &egui::Context,
        data_dir: DataDir,
        sources: PackSources,
        bank: QuestionBank,
    ) -> Self {
        let app = RehearseApp::new(ctx, data_dir, sources, bank);
        let theme = app.state.settings.theme;
        apply_theme(ctx, theme);
        Self {
            app,
            theme,
            frames: 0,
            report_first_frame: std::env::var_os(FIRST_FRAME_PROBE).is_some(),
        }
    }
}

/// The window is its app plus a little frame bookkeeping: tests and the
/// bench reach the app's state through it, as the screens do.
impl Deref for Window {
    type Target = AppState;

    fn deref(&self) -> &AppState {
        &self.app.state
    }
}

impl DerefMut for Window {
    fn deref_mut(&mut self) -> &mut AppState {
        &mut self.app.state
    }
}

impl eframe::App for Window {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.frames += 1;
        if self.report_first_frame {
            // Frame 1 is being drawn now; by frame 2 it has been presented.
            match self.frames {
                1 => ctx.request_repaint(),
                2 => eprintln!("{FIRST_FRAME_MARK}"),
                _ => {}
            }
        }
        self.app.poll();
        if self.app.state.is_animating() {
            ctx.request_repaint_after(Duration::from_millis(33));
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        for command in ui::draw(ui, &mut self.app.state) {
            self.app.apply(command);
        }
        if self.app.state.settings.theme != self.theme {
            self.theme = self.app.state.settings.theme;
            apply_theme(ui.ctx(), self.theme);
        }
    }
}

/// Follows the theme setting (light, dark, or the system's).
pub fn apply_theme(ctx: &egui::Context, theme: Theme) {
    let preference = match theme {
        Theme::System => egui::ThemePreference::System,
        Theme::Light => egui::ThemePreference::Light,
        Theme::Dark => egui::ThemePreference::Dark,
    };
    ctx.set_theme(preference);
}
