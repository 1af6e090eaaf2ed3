//! The history screen (every session, filters, the rating trend, delete and
//! export) and the progress screen (every take of one question, oldest
//! first, to hear the progress).

use eframe::egui;
use egui_plot::{Line, Plot, PlotPoints, Points};

use super::review::{CardMedia, take_card};
use super::{clock, plural};
use crate::app::{AppState, Command, HistoryView, Screen, SessionStore};
use crate::store::Session;
use crate::store::history::{local_time, takes_of_question};

pub(super) fn draw(ui: &mut egui::Ui, app: &mut AppState, commands: &mut Vec<Command>) {
    ui.heading("History");
    if !app.sessions.is_listed() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Reading the sessions…");
        });
        return;
    }
    if search(ui, app, commands) {
        return;
    }
    filters(ui, app);
    if let Some(error) = &app.history.filter_error {
        ui.colored_label(ui.visuals().warn_fg_color, error);
    }
    if let Some(id) = app.history.confirm_delete.clone() {
        ui.horizontal(|ui| {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!("Delete session {id} and all its recordings? This cannot be undone."),
            );
            if ui.button("Delete for good").clicked() {
                commands.push(Command::ConfirmDelete);
            }
            if ui.button("Keep it").clicked() {
                commands.push(Command::CancelDelete);
            }
        });
    }
    trends(ui, &app.history);
    ui.separator();
    damaged_sessions(ui, &app.sessions);
    session_rows(ui, app, commands);
}

/// The search box for what was said, and its results; whether results are
/// shown (instead of the sessions).
fn search(ui: &mut egui::Ui, app: &AppState, commands: &mut Vec<Command>) -> bool {
    let search = &app.search;
    ui.horizontal(|ui| {
        let label = ui.label("Search what you said:");
        let mut query = search.query.clone();
        let response = ui
            .add(
                egui::TextEdit::singleline(&mut query)
                    .hint_text("a word or phrase, e.g. read replica")
                    .desired_width(320.0),
            )
            .labelled_by(label.id);
        if response.changed() {
            commands.push(Command::Search(query));
        }
        if search.indexing {
            ui.spinner();
            ui.weak("reading the transcripts…");
        }
    });
    if search.query.trim().is_empty() {
        return false;
    }
    ui.separator();
    if search.hits.is_empty() {
        ui.weak(if search.indexing {
            "Reading the transcripts…"
        } else {
            "No transcript says that."
        });
        return true;
    }
    ui.label(plural(search.hits.len(), "take"));
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (number, hit) in search.hits.iter().enumerate() {
                search_hit(ui, number, hit, commands);
            }
        });
    true
}

/// One result: when and which question, the words around the match (the
/// match marked), and a button that opens the take cued at it.
fn search_hit(
    ui: &mut egui::Ui,
    number: usize,
    hit: &crate::store::search::Hit,
    commands: &mut Vec<Command>,
) {
    ui.horizontal_wrapped(|ui| {
        let open = ui.small_button("Open");
        let name = format!("Open result {}: {}", number + 1, hit.question);
        open.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
        if open.clicked() {
            commands.push(Command::OpenHit(Box::new(hit.clone())));
        }
        ui.monospace(local_time(hit.started_at));
        ui.weak(&hit.question);
    });
    let font = egui::TextStyle::Body.resolve(ui.style());
    let mut job = egui::text::LayoutJob::default();
    let plain = egui::text::TextFormat::simple(font.clone(), ui.visuals().weak_text_color());
    job.append(&format!("{} ", hit.before), 0.0, plain.clone());
    job.append(
        &hit.matched,
        0.0,
        egui::text::TextFormat {
            background: ui.visuals().selection.bg_fill,
            ..egui::text::TextFormat::simple(font, ui.visuals().strong_text_color())
        },
    );
    job.append(&format!(" {}", hit.after), 0.0, plain);
    ui.label(job);
    ui.add_space(4.0);
}

/// The transcribed takes' main figures in a table, oldest first, to see the
/// progress at a glance.
fn figures_side_by_side(ui: &mut egui::Ui, app: &AppState, found: &[(Session, usize)], grid: &str) {
    let measured: Vec<(
        &Session,
        &crate::store::Take,
        &crate::feedback::SpokenMeasures,
    )> = found
        .iter()
        .filter_map(|(session, index)| {
            let take = &session.takes[*index];
            take.spoken.as_ref().map(|spoken| (session, take, spoken))
        })
        .collect();
    if measured.is_empty() {
        return;
    }
    egui::Grid::new(grid)
        .striped(true)
        .spacing([16.0, 2.0])
        .show(ui, |ui| {
            for heading in [
                "Take",
                "Rating",
                "Words",
                "Words a minute",
                "Fillers",
                "Key points",
                "Points covered",
                "STAR",
                "Result",
                "How it began",
            ] {
                ui.strong(heading);
            }
            ui.end_row();
            for (session, take, spoken) in measured {
                ui.horizontal(|ui| {
                    ui.monospace(format!("{} #{}", local_time(session.started_at), take.take));
                    if !session.plan.mode.is_practice() {
                        ui.weak("mock");
                    }
                });
                ui.label(take.rating.map_or_else(
                    || "—".to_owned(),
                    // In words: the window's font has no star.
                    |rating| format!("{} of 5", rating.stars()),
                ));
                ui.label(spoken.words.to_string());
                ui.label(format!("{:.0}", spoken.words_per_minute));
                ui.label(format!("{:.1} %", spoken.filler_percent));
                ui.label(spoken.key_points.as_ref().map_or_else(
                    || "—".to_owned(),
                    |p| format!("{} of {}", p.covered.len(), p.total()),
                ));
                let content = take.content.as_ref();
                ui.label(content.map_or_else(
                    || "—".to_owned(),
                    |c| format!("{} of {}", c.covered(), c.strong_answer.len()),
                ));
                ui.label(
                    content
                        .and_then(|c| c.star.as_ref())
                        .map_or_else(|| "—".to_owned(), |star| format!("{} of 4", star.heard())),
                );
                ui.label(match spoken.result_stated {
                    Some(true) => "stated",
                    Some(false) => "none",
                    None => "—",
                });
                // The full transcripts are in the cards below.
                let key = (session.id.clone(), take.file.clone());
                match app.transcripts.get(&key) {
                    Some(crate::app::TranscriptSlot::Ready(transcript)) => {
                        ui.weak(opening_words(transcript, 12))
                    }
                    _ => ui.weak("…"),
                };
                ui.end_row();
            }
        });
    ui.separator();
}

/// The first `count` words of `transcript`, with "…" when there are more.
fn opening_words(transcript: &crate::speech::Transcript, count: usize) -> String {
    let mut text: Vec<&str> = transcript
        .words
        .iter()
        .take(count)
        .map(|w| w.text.trim())
        .collect();
    if transcript.words.len() > count {
        text.push("…");
    }
    text.join(" ")
}

/// The rating and speech trends of the sessions shown: folded under a
/// header (open on a tall window), so the sessions, what people come for,
/// are never pushed off a small screen; one unit per plot.
fn trends(ui: &mut egui::Ui, history: &HistoryView) {
    let tall = ui.ctx().content_rect().height() >= 800.0;
    egui::CollapsingHeader::new("Trends")
        .id_salt("history-trends")
        .default_open(tall)
        .show(ui, |ui| {
            if history.trend.len() >= 2 {
                trend_plot(
                    ui,
                    "rating-trend",
                    "rating",
                    (1.0, 5.0),
                    &[("Average rating", &history.trend)],
                );
            } else {
                ui.weak("Rate takes in two or more sessions to see your rating trend here.");
            }
            if history.pace_trend.len() >= 2 {
                let pace = if history.pace_estimated {
                    "Pace, words a minute (estimate without a transcript)"
                } else {
                    "Pace, words a minute"
                };
                trend_plot(
                    ui,
                    "pace-trend",
                    "words/min",
                    (0.0, 220.0),
                    &[(pace, &history.pace_trend)],
                );
                let mut shares: Vec<(&str, &Vec<[f64; 2]>)> =
                    vec![("Time spoken", &history.speaking_trend)];
                if history.coverage_trend.len() >= 2 {
                    shares.push(("Key points covered", &history.coverage_trend));
                }
                let unit = if shares.len() == 1 {
                    "time spoken, %"
                } else {
                    "%"
                };
                trend_plot(ui, "share-trend", unit, (0.0, 100.0), &shares);
            }
            if history.fillers_trend.len() >= 2 {
                let most = history
                    .fillers_trend
                    .iter()
                    .map(|[_, f]| *f)
                    .fold(4.0, f64::max);
                trend_plot(
                    ui,
                    "fillers-trend",
                    "fillers/min",
                    (0.0, most.ceil()),
                    &[("Fillers a minute", &history.fillers_trend)],
                );
            }
        });
}

/// The colours of a plot's series, in order: told apart in light and dark
/// themes, the same for a series' line, its points and its legend entry.
const SERIES_COLOURS: [egui::Color32; 3] = [
    egui::Color32::from_rgb(66, 133, 244),
    egui::Color32::from_rgb(230, 124, 35),
    egui::Color32::from_rgb(52, 168, 83),
];

/// The sessions whose manifest cannot be read, with why.
fn damaged_sessions(ui: &mut egui::Ui, sessions: &SessionStore) {
    let damaged: Vec<(String, String)> = sessions
        .damaged()
        .iter()
        .map(|d| (d.id.clone(), d.reason.to_string()))
        .collect();
    for (id, reason) in &damaged {
        ui.horizontal_wrapped(|ui| {
            ui.colored_label(ui.visuals().error_fg_color, format!("Damaged: {id}"));
            ui.label(reason);
            ui.weak("(kept as it is; fix or remove the file by hand)");
        });
    }
}

/// One row per session shown, with its actions.
fn session_rows(ui: &mut egui::Ui, app: &AppState, commands: &mut Vec<Command>) {
    let rows = &app.history.rows;
    if rows.is_empty() {
        ui.label(if app.sessions.all().is_empty() {
            "No sessions yet. Practise one from the Practice screen."
        } else {
            "No session matches the filters."
        });
        return;
    }
    ui.horizontal(|ui| {
        ui.label(plural(rows.len(), "session"));
        if ui.button("Export shown…").clicked() {
            commands.push(Command::OpenExport(
                rows.iter().map(|r| r.id.clone()).collect(),
            ));
        }
    });
    let row_height = ui.spacing().interact_size.y + 4.0;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show_rows(ui, row_height, rows.len(), |ui, range| {
            for row in &rows[range] {
                ui.horizontal(|ui| {
                    ui.monospace(local_time(row.started_at));
                    if !row.mode.is_practice() {
                        ui.strong(row.mode.describe());
                    }
                    ui.label(format!(
                        "{} · {} · {} recorded · {}",
                        plural(row.questions, "question"),
                        plural(row.takes, "take"),
                        clock(row.recorded_time),
                        row.average_rating
                            .map_or_else(|| "unrated".to_owned(), |r| format!("rated {r:.1}"))
                    ));
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        let id = &row.id;
                        if super::named_button(ui, "Delete…", &format!("Delete session {id}")) {
                            commands.push(Command::RequestDelete(id.clone()));
                        }
                        if super::named_button(ui, "Export…", &format!("Export session {id}")) {
                            commands.push(Command::OpenExport(vec![id.clone()]));
                        }
                        if super::named_button(ui, "Open", &format!("Open session {id}")) {
                            commands.push(Command::OpenSession(id.clone()));
                        }
                    });
                });
            }
        });
}

/// A small plot of values over days, with a legend when there are several.
fn trend_plot(
    ui: &mut egui::Ui,
    id: &str,
    y_label: &str,
    (low, high): (f64, f64),
    series: &[(&str, &Vec<[f64; 2]>)],
) {
    let mut plot = Plot::new(id);
    if series.len() > 1 {
        plot = plot.legend(egui_plot::Legend::default().position(egui_plot::Corner::LeftBottom));
    }
    plot.height(110.0)
        .include_y(low)
        .include_y(high)
        .allow_scroll(false)
        .allow_drag(false)
        .allow_zoom(false)
        .x_axis_label("date")
        // Labels closer than egui_plot's default allows: a 1-5 rating on a
        // plot this low has its steps 17 points apart.
        .custom_y_axes(vec![
            egui_plot::AxisHints::new_y()
                .label(y_label)
                .formatter(|mark, _range| format!("{:.0}", mark.value))
                .label_spacing(12.0..=20.0)
                .min_thickness(28.0),
        ])
        .x_axis_formatter(|mark, range| {
            // Sessions hours apart are told apart by their time.
            let format = if range.end() - range.start() < 3.0 {
                "%m-%d %H:%M"
            } else {
                "%m-%d"
            };
            jiff::Timestamp::from_second((mark.value * 86_400.0) as i64)
                .map(|t| {
                    t.to_zoned_datetime(jiff::tz::TimeZone::system())
                        .strftime(format)
                        .to_string()
                })
                .unwrap_or_default()
        })
        .show(ui, |plot| {
            for ((name, points), colour) in series.iter().zip(SERIES_COLOURS.iter().cycle()) {
                plot.line(Line::new(*name, PlotPoints::from((*points).clone())).color(*colour));
                plot.points(
                    Points::new(*name, PlotPoints::from((*points).clone()))
                        .radius(3.0)
                        .color(*colour),
                );
            }
        });
}

fn filters(ui: &mut egui::Ui, app: &mut AppState) {
    let history = &mut app.history;
    let mut changed = false;
    ui.horizontal_wrapped(|ui| {
        let today = jiff::Timestamp::now()
            .to_zoned_datetime(jiff::tz::TimeZone::system())
            .date();
        for (label, days) in [
            ("Last 7 days", Some(7)),
            ("Last 30 days", Some(30)),
            ("All", None),
        ] {
            if ui.small_button(label).clicked() {
                history.show_days(today, days);
                changed = true;
            }
        }
        ui.separator();
        changed |= date_field(ui, "From:", &mut history.from, today);
        changed |= date_field(ui, "To:", &mut history.to, today);
    });
    ui.horizontal_wrapped(|ui| {
        let category = ui.label("Category:");
        let before = history.category.clone();
        egui::ComboBox::from_id_salt("history-category")
            .selected_text(history.category.as_deref().unwrap_or("All"))
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut history.category, None, "All");
                for (name, _) in app.bank.categories() {
                    ui.selectable_value(&mut history.category, Some(name.to_owned()), name);
                }
            })
            .response
            .labelled_by(category.id);
        changed |= before != history.category;
        let rating = ui.label("Rating at least:");
        let before = history.min_rating;
        egui::ComboBox::from_id_salt("history-rating")
            .selected_text(
                history
                    .min_rating
                    .map_or_else(|| "Any".to_owned(), |r| format!("{r}")),
            )
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut history.min_rating, None, "Any");
                for stars in 1..=5u8 {
                    ui.selectable_value(&mut history.min_rating, Some(stars), format!("{stars}"));
                }
            })
            .response
            .labelled_by(rating.id);
        changed |= before != history.min_rating;
    });
    if changed {
        history.refresh(&app.sessions);
    }
}

/// A date typed as YYYY-MM-DD, with a calendar button beside it; whether
/// it changed.
fn date_field(ui: &mut egui::Ui, label: &str, text: &mut String, today: jiff::civil::Date) -> bool {
    let label_response = ui.label(label);
    let mut changed = ui
        .add(
            egui::TextEdit::singleline(text)
                .desired_width(100.0)
                .hint_text("YYYY-MM-DD"),
        )
        .labelled_by(label_response.id)
        .changed();
    let shown: jiff::civil::Date = text.trim().parse().unwrap_or(today);
    // The picker speaks jiff 0.2; the dates are plain days either way.
    let mut date = jiff_02::civil::date(shown.year(), shown.month(), shown.day());
    let calendar = ui.add(
        egui_extras::DatePickerButton::new(&mut date)
            .id_salt(label)
            .format("Calendar")
            .show_icon(false)
            .calendar_week(false)
            .highlight_weekends(false),
    );
    let name = format!("Choose the {} date", label.trim_end_matches(':'));
    calendar.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
    if calendar.changed() {
        *text = date.to_string();
        changed = true;
    }
    changed
}

pub(super) fn draw_progress(ui: &mut egui::Ui, app: &mut AppState, commands: &mut Vec<Command>) {
    let Some(id) = app.progress_question.clone() else {
        return;
    };
    let text = app
        .bank
        .questions()
        .iter()
        .find(|q| q.id.as_str() == id)
        .map_or_else(|| id.clone(), |q| q.text.clone());
    ui.horizontal(|ui| {
        if ui.button("Back").clicked() {
            commands.push(Command::Show(if app.review.is_some() {
                Screen::Review
            } else {
                Screen::History
            }));
        }
        ui.heading("Progress on one question");
    });
    ui.label(egui::RichText::new(text).size(18.0).strong());
    if !app.sessions.is_listed() {
        ui.spinner();
        return;
    }
    // Owned copies: the cards below borrow the app mutably (waveforms).
    let found: Vec<(Session, usize)> = takes_of_question(app.sessions.all(), &id)
        .into_iter()
        .map(|(session, index)| (session.clone(), index))
        .collect();
    if found.is_empty() {
        ui.label("No takes of this question yet.");
        return;
    }
    // Answers to the question, and apart from them the answers to its
    // follow-ups (another question each, so not the same progress).
    let (answers, follow_ups): (Vec<_>, Vec<_>) = found
        .into_iter()
        .partition(|(session, index)| session.takes[*index].follow_up.is_none());
    let mut summary = format!("{}, oldest first", plural(answers.len(), "take"));
    if !follow_ups.is_empty() {
        summary.push_str(&format!(
            "; {} below them",
            plural(follow_ups.len(), "follow-up answer")
        ));
    }
    ui.label(format!("{summary}."));
    figures_side_by_side(ui, app, &answers, "answer figures");
    let media = |found: &[(Session, usize)], commands: &mut Vec<Command>| -> Vec<CardMedia> {
        found
            .iter()
            .map(|(session, index)| CardMedia::of(app, session, *index, commands))
            .collect()
    };
    let answer_media = media(&answers, commands);
    let follow_up_media = media(&follow_ups, commands);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            progress_cards(ui, &answers, &answer_media, commands);
            if !follow_ups.is_empty() {
                ui.add_space(8.0);
                ui.label(egui::RichText::new("Follow-up answers").strong());
                figures_side_by_side(ui, app, &follow_ups, "follow-up figures");
                progress_cards(ui, &follow_ups, &follow_up_media, commands);
            }
        });
}

/// The cards of one question's progress, each under its session's date.
fn progress_cards(
    ui: &mut egui::Ui,
    found: &[(Session, usize)],
    media: &[CardMedia],
    commands: &mut Vec<Command>,
) {
    for ((session, index), media) in found.iter().zip(media) {
        let kind = if session.plan.mode.is_practice() {
            "Session"
        } else {
            "Mock interview"
        };
        ui.weak(format!("{kind} of {}", local_time(session.started_at)));
        take_card(ui, session, *index, media, commands);
    }
}
