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
use crate::store::settings::{Settings, Theme, WindowPlace};
use crate::ui;

/// Set to have the window report its first presented frame on stderr.
pub const FIRST_FRAME_PROBE: &str = "REHEARSE_REPORT_FIRST_FRAME";
/// What it reports.
pub const FIRST_FRAME_MARK: &str = "rehearse: first frame presented";

/// The window icon, drawn in `assets/` (see `scripts/icons.sh`).
const ICON_PNG: &[u8] = include_bytes!("../assets/icons/256x256/io.github.rehearse.Rehearse.png");

/// The window's size at first: it fits a 1366×768 laptop screen with its
/// title bar and a panel.
pub const FIRST_SIZE: [f32; 2] = [1000.0, 660.0];
// A 1366×768 screen less a title bar and a panel.
const _: () = assert!(FIRST_SIZE[0] <= 1366.0 && FIRST_SIZE[1] <= 768.0 - 32.0 - 48.0);

/// The smallest the window may be.
pub const MIN_SIZE: [f32; 2] = [640.0, 480.0];

/// The window's options: title, app id (matching the desktop file), icon,
/// and where it was last time (`place`), or a size that fits a small laptop.
pub fn native_options(place: Option<WindowPlace>) -> eframe::NativeOptions {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Rehearse")
        .with_app_id(APP_ID)
        .with_inner_size(FIRST_SIZE)
        .with_min_inner_size(MIN_SIZE);
    if let Some(place) = place {
        viewport = viewport
            .with_inner_size([
                (place.width as f32).max(MIN_SIZE[0]),
                (place.height as f32).max(MIN_SIZE[1]),
            ])
            .with_maximized(place.maximized);
        if let (Some(x), Some(y)) = (place.x, place.y) {
            viewport = viewport.with_position([x as f32, y as f32]);
        }
    }
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
    let (settings, _) = Settings::load(&data_dir.settings());
    eframe::run_native(
        "Rehearse",
        native_options(settings.window),
        Box::new(move |cc| {
            let window = Window::new(&cc.egui_ctx, data_dir, sources, bank);
            Ok(Box::new(window.background_by_renderer(&cc.egui_ctx)))
        }),
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
    /// The window was moved or resized since its place was last saved.
    place_changed: Option<std::time::Instant>,
    /// The panels' colour in the dark and the light theme: what the
    /// renderer clears each frame to.
    background: [egui::Color32; 2],
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
            place_changed: None,
            background: [
                ctx.style_of(egui::Theme::Dark).visuals.panel_fill,
                ctx.style_of(egui::Theme::Light).visuals.panel_fill,
            ],
        }
    }

    /// The renderer clears each frame to the panels' colour, and the panels
    /// draw no fill of their own. Under a software renderer a full-window
    /// fill is most of a frame's cost (recording: 15 % of a core with it, 5 %
    /// without); a test harness that clears to transparent keeps the fills.
    #[must_use]
    pub fn background_by_renderer(self, ctx: &egui::Context) -> Self {
        ctx.all_styles_mut(|style| style.visuals.panel_fill = egui::Color32::TRANSPARENT);
        self
    }

    /// Remembers where the window is; saves it once it has stayed put for
    /// a second (not at every frame of a drag).
    fn follow_place(&mut self, ctx: &egui::Context) {
        let settings = &mut self.app.state.settings;
        let mut place = ctx.input(|input| window_place(input.viewport()));
        // Maximized, the window keeps the size to return to.
        if let (Some(now), Some(before)) = (&mut place, settings.window)
            && now.maximized
        {
            (now.x, now.y, now.width, now.height) =
                (before.x, before.y, before.width, before.height);
        }
        if let Some(place) = place
            && settings.window != Some(place)
        {
            settings.window = Some(place);
            self.place_changed = Some(std::time::Instant::now());
        }
        if self
            .place_changed
            .is_some_and(|at| at.elapsed() >= Duration::from_secs(1))
        {
            self.place_changed = None;
            self.app.apply(crate::app::Command::SettingsChanged);
        } else if self.place_changed.is_some() {
            ctx.request_repaint_after(Duration::from_secs(1));
        }
    }
}

/// Where the window is, as the settings keep it; `None` while minimized or
/// before the system has said. A maximized window keeps its last normal
/// size.
fn window_place(viewport: &egui::ViewportInfo) -> Option<WindowPlace> {
    if viewport.minimized == Some(true) {
        return None;
    }
    let inner = viewport.inner_rect?;
    let outer = viewport.outer_rect;
    Some(WindowPlace {
        x: outer.map(|r| r.min.x.round() as i32),
        y: outer.map(|r| r.min.y.round() as i32),
        width: inner.width().round() as u32,
        height: inner.height().round() as u32,
        maximized: viewport.maximized == Some(true),
    })
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
    fn clear_color(&self, visuals: &egui::Visuals) -> [f32; 4] {
        let [dark, light] = self.background;
        if visuals.dark_mode { dark } else { light }.to_normalized_gamma_f32()
    }

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
        self.follow_place(ctx);
        if let Some(after) = self.app.state.repaint_after(std::time::Instant::now()) {
            ctx.request_repaint_after(after);
        }
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        // A move or resize in the last second is saved by the worker, the
        // one writer of the settings, before it stops.
        if self.place_changed.take().is_some() {
            self.app.apply(crate::app::Command::SettingsChanged);
        }
        self.app.stop();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_window_fits_a_small_laptop_and_a_known_place_is_restored() {
        let first = native_options(None).viewport;
        assert_eq!(first.inner_size, Some(egui::vec2(1000.0, 660.0)));
        assert_eq!(first.position, None);
        let place = WindowPlace {
            x: Some(40),
            y: Some(30),
            width: 1200,
            height: 200,
            maximized: true,
        };
        let again = native_options(Some(place)).viewport;
        assert_eq!(again.inner_size, Some(egui::vec2(1200.0, 480.0)));
        assert_eq!(again.position, Some(egui::pos2(40.0, 30.0)));
        assert_eq!(again.maximized, Some(true));
    }

    #[test]
    fn the_place_is_read_from_the_viewport_and_not_while_minimized() {
        let mut viewport = egui::ViewportInfo {
            inner_rect: Some(egui::Rect::from_min_size(
                egui::pos2(50.0, 80.0),
                egui::vec2(900.4, 600.6),
            )),
            outer_rect: Some(egui::Rect::from_min_size(
                egui::pos2(50.0, 52.0),
                egui::vec2(900.0, 629.0),
            )),
            ..Default::default()
        };
        assert_eq!(
            window_place(&viewport),
            Some(WindowPlace {
                x: Some(50),
                y: Some(52),
                width: 900,
                height: 601,
                maximized: false,
            })
        );
        viewport.minimized = Some(true);
        assert_eq!(window_place(&viewport), None);
    }
}
