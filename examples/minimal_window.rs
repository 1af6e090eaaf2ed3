//! The yardstick of `make bench`: the smallest eframe app, built with the
//! same eframe features and renderer as Rehearse, that says when its first
//! frame has been presented (as Rehearse does with
//! `REHEARSE_REPORT_FIRST_FRAME`). Start-up and idle CPU of Rehearse are
//! compared with it.

use eframe::egui;

#[derive(Default)]
struct Minimal {
    frames: u64,
}

impl eframe::App for Minimal {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.frames += 1;
        match self.frames {
            1 => ctx.request_repaint(),
            2 => eprintln!("{}", rehearse::shell::FIRST_FRAME_MARK),
            _ => {}
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading("Minimal");
            ui.label("A minimal eframe window.");
        });
    }
}

fn main() -> eframe::Result {
    let mut options = rehearse::shell::native_options(None);
    options.viewport = options.viewport.with_title("Minimal");
    eframe::run_native(
        "Minimal",
        options,
        Box::new(|_cc| Ok(Box::<Minimal>::default())),
    )
}
