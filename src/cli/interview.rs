//! `rehearse interview`: one practice session in the terminal, driven by the
//! same state machine, recorder and store as the window. Lines typed on
//! standard input are the controls (Enter starts or stops, `s` skips,
//! `r` retakes, `q` ends), so scripts and tests can drive it too.

use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use jiff::Timestamp;

use super::InterviewArgs;
use super::audio::DEVICE_START_TIMEOUT;
use super::questions::load_bank;
use super::sessions::{open_store, stars};
use crate::audio::{self, Microphone, RecorderEvent, TakeEnd, TakeSummary};
use crate::interview::{
    Action, AnswerLimit, Interview, Order, Phase, PlanRequest, StopReason, TakeRequest, ThinkTime,
    build_plan,
};
use crate::model::clock;
use crate::model::{QuestionKind, Rating};
use crate::paths::DataDir;
use crate::questions::PackSources;
use crate::store::history::practice_records;
use crate::store::settings::{OrderChoice, Settings};
use crate::store::{Session, Store};

/// How often the countdowns are advanced.
const TICK: Duration = Duration::from_millis(50);

/// Where the review of a take is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Review {
    /// Waiting for the recorder to finish the take.
    Saving,
    /// Asking for a rating.
    Rating,
    /// Asking what next.
    Choosing,
}

pub(super) fn run(
    data_dir: DataDir,
    sources: &PackSources,
    args: &InterviewArgs,
) -> anyhow::Result<ExitCode> {
    let (settings, warning) = Settings::load(&data_dir.settings());
    if let Some(warning) = warning {
        eprintln!("warning: {warning}");
    }
    let bank = load_bank(sources);
    let store = open_store(data_dir)?;
    if store.is_read_only() {
        bail!("cannot record while another Rehearse is using the same data folder");
    }
    let records = practice_records(&store.list()?.sessions);
    let request = plan_request(args, &settings);
    let plan = build_plan(bank.questions(), &request, &records)?;
    let mut interview = Interview::new(plan.clone())?;

    let input = audio::find_input(args.device.as_deref().or(settings.microphone.as_deref()))?;
    if let Some(warning) = &input.fallback_warning {
        eprintln!("warning: {warning}");
    }
    let microphone = Microphone::open(input, settings.take_format, None)?;
    let name = microphone.info().name.clone();
    microphone
        .wait_for_audio(DEVICE_START_TIMEOUT)
        .with_context(|| {
            format!("\"{name}\" delivered no audio; check it with `rehearse devices`")
        })?;
    eprintln!("Microphone: {name}");

    let mut session = store.create_session(&plan)?;
    let interrupted = super::interrupt_flag()?;
    let commands = stdin_lines();
    let mut terminal = Terminal::default();
    let mut review = Review::Saving;
    let mut pending_stop: Option<StopReason> = None;
    let mut recording: Option<(TakeRequest, String, Timestamp)> = None;
    let mut actions = interview.start(Instant::now());

    loop {
        for action in actions.drain(..) {
            match action {
                Action::StartRecording(request) => {
                    let (relative, path) =
                        store.take_path(&session, request.question_index, request.take);
                    microphone.start_take(path, request.limit);
                    recording = Some((request, relative, Timestamp::now()));
                    review = Review::Saving;
                    pending_stop = None;
                }
                Action::StopRecording(reason) => {
                    pending_stop = Some(reason);
                    microphone.stop_take();
                }
            }
        }
        terminal.show(&interview);

        if interrupted.load(Ordering::SeqCst) && interview.phase() != Phase::Finished {
            actions = interview.end();
            continue;
        }
        let done_recording = recording.is_none();
        if interview.phase() == Phase::Finished && done_recording {
            break;
        }

        while let Ok(event) = microphone.events().try_recv() {
            match event {
                RecorderEvent::TakeStarted { .. } => {
                    eprintln!("● Recording… (Enter stops, s skips, q ends)");
                }
                RecorderEvent::TakeFinished(summary) => {
                    let Some((request, relative, started_at)) = recording.take() else {
                        continue;
                    };
                    report_take_end(&summary);
                    let mut take = session.recorded_take(
                        &request,
                        relative,
                        started_at,
                        &summary,
                        pending_stop.take(),
                    );
                    interview.recording_stopped(take.stopped);
                    // A 2-minute take is measured in milliseconds.
                    match crate::analysis::analyze_wav(&summary.path) {
                        Ok(metrics) => {
                            for hint in metrics.hints() {
                                eprintln!("  {hint}");
                            }
                            take.metrics = Some(metrics);
                        }
                        Err(err) => eprintln!("{err}"),
                    }
                    session.takes.push(take);
                    save_or_explain(&store, &session);
                    review = if interview.phase() == Phase::Reviewing {
                        eprintln!(
                            "Saved {} ({}). Rate it 1-5 (Enter to skip):",
                            session.takes.last().map_or("", |t| t.file.as_str()),
                            clock(summary.duration())
                        );
                        Review::Rating
                    } else {
                        Review::Saving
                    };
                }
                RecorderEvent::TakeFailed { error, .. } => {
                    recording = None;
                    eprintln!("error: {error}");
                    interview.recording_stopped(StopReason::WriteFailed);
                    review = Review::Choosing;
                    prompt_next();
                }
                RecorderEvent::StreamFailed(why) => {
                    eprintln!("error: the microphone failed: {why}");
                    actions = interview.end();
                }
            }
        }

        match commands.recv_timeout(TICK) {
            Ok(line) => {
                let now = Instant::now();
                let line = line.trim().to_lowercase();
                actions.extend(match (interview.phase(), line.as_str()) {
                    (_, "q") => interview.end(),
                    (Phase::Thinking | Phase::Answering | Phase::Reviewing, "s") => {
                        interview.skip(now)
                    }
                    (Phase::Thinking, "") => interview.start_answer(now),
                    (Phase::Answering, "") => interview.stop(now),
                    (Phase::Reviewing, _) if review == Review::Rating => {
                        rate_last_take(&store, &mut session, &line);
                        review = Review::Choosing;
                        prompt_next();
                        Vec::new()
                    }
                    (Phase::Reviewing, "r") if review == Review::Choosing => interview.retake(now),
                    (Phase::Reviewing, "" | "n") if review == Review::Choosing => {
                        interview.next(now)
                    }
                    _ => Vec::new(),
                });
            }
            Err(RecvTimeoutError::Disconnected) => {
                // Standard input closed: nothing more can be asked.
                if interview.phase() != Phase::Finished {
                    actions = interview.end();
                }
                std::thread::sleep(TICK);
            }
            Err(RecvTimeoutError::Timeout) => {}
        }
        actions.extend(interview.tick(Instant::now()));
    }

    drop(microphone);
    if session.takes.is_empty() {
        store.delete_session(&session.id)?;
        eprintln!("No answer was recorded, so nothing was saved.");
        return Ok(ExitCode::SUCCESS);
    }
    session.ended_at = Some(Timestamp::now());
    if !save_or_explain(&store, &session) {
        return Ok(ExitCode::FAILURE);
    }
    println!("session: {}", session.id);
    println!(
        "takes: {}  speaking: {}  average: {}",
        session.takes.len(),
        clock(session.speaking_time()),
        session
            .average_rating()
            .map_or_else(|| "unrated".to_owned(), |avg| format!("★ {avg:.1}"))
    );
    Ok(ExitCode::SUCCESS)
}

/// The plan request from the arguments, falling back on the settings.
fn plan_request(args: &InterviewArgs, settings: &Settings) -> PlanRequest {
    let order = match args.order.as_deref() {
        Some("listed") => OrderChoice::AsListed,
        Some("shuffled") => OrderChoice::Shuffled,
        Some("weakest") => OrderChoice::WeakestFirst,
        _ => settings.order,
    };
    PlanRequest {
        categories: args.category.clone(),
        questions: Vec::new(),
        count: Some(args.count.unwrap_or(settings.questions_per_session)),
        order: match order {
            OrderChoice::AsListed => Order::AsListed,
            OrderChoice::Shuffled => Order::Shuffled {
                seed: args.seed.unwrap_or_else(|| fastrand::u64(..)),
            },
            OrderChoice::WeakestFirst => Order::WeakestFirst,
        },
        think: args.think.map_or(settings.think, ThinkTime::Seconds),
        answer: match args.answer {
            Some(0) => AnswerLimit::NoLimit,
            Some(seconds) => AnswerLimit::Seconds(seconds),
            None => settings.answer,
        },
        warning_seconds: settings.warning_seconds,
    }
}

/// Saves the session; when that fails (a full disk), says so and that the
/// takes on disk are kept and added to the session at the next start.
/// Whether it was saved.
fn save_or_explain(store: &Store, session: &Session) -> bool {
    match store.save(session) {
        Ok(()) => true,
        Err(err) => {
            eprintln!(
                "error: {err}; the recordings are kept in {} and are added to the session the next time Rehearse starts",
                store.session_dir(&session.id).join("takes").display()
            );
            false
        }
    }
}

fn report_take_end(summary: &TakeSummary) {
    match &summary.ended {
        TakeEnd::LimitReached => eprintln!("Time's up."),
        TakeEnd::DeviceLost(_) | TakeEnd::WriteFailed(_) => {
            eprintln!("error: {}; what was recorded is kept", summary.ended);
        }
        TakeEnd::Stopped | TakeEnd::Closed => {}
    }
    if let Some(warning) = summary.silence_warning() {
        eprintln!("warning: {warning}");
    }
}

fn prompt_next() {
    eprintln!("Enter or n: next question, r: retake, s: skip, q: end");
}

/// Applies a typed rating ("1"–"5"; anything else leaves it unrated).
fn rate_last_take(store: &Store, session: &mut Session, line: &str) {
    let Some(rating) = line.parse::<u8>().ok().and_then(Rating::new) else {
        if !line.is_empty() {
            eprintln!("(not a rating from 1 to 5; left unrated)");
        }
        return;
    };
    let number = session.takes.len();
    match store.rate(session, number, rating, None) {
        Ok(()) => eprintln!("Rated {}", stars(Some(rating))),
        Err(err) => eprintln!("error: the rating could not be saved: {err}"),
    }
}

/// Lines typed on standard input, read on their own thread so the
/// countdowns keep running.
fn stdin_lines() -> Receiver<String> {
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    lines
}

/// Prints what changed: a new question, a new phase, the countdown.
#[derive(Default)]
struct Terminal {
    question_shown: Option<usize>,
    phase_shown: Option<(Phase, u32)>,
    last_second: Option<u64>,
}

impl Terminal {
    fn show(&mut self, interview: &Interview) {
        let progress = interview.progress();
        let phase = interview.phase();
        if matches!(phase, Phase::Ready | Phase::Finished) {
            return;
        }
        let question = &interview.question().question;
        if self.question_shown != Some(progress.number) {
            self.question_shown = Some(progress.number);
            eprintln!();
            eprintln!(
                "Question {} of {} [{}]",
                progress.number,
                progress.total,
                super::printable(&question.category)
            );
            eprintln!("{}", super::printable(&question.text));
            if question.kind == QuestionKind::Behavioural {
                eprintln!("(tip: answer with STAR: situation, task, action, result)");
            }
        }
        let key = (phase, interview.takes());
        if self.phase_shown != Some(key) {
            self.phase_shown = Some(key);
            self.last_second = None;
            if phase == Phase::Thinking {
                eprintln!("Think… (Enter starts answering now)");
            }
        }
        if let Some(left) = interview.remaining(Instant::now()) {
            let second = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            if self.last_second != Some(second) && (second % 10 == 0 || second <= 5) {
                self.last_second = Some(second);
                let label = if phase == Phase::Thinking {
                    "think"
                } else {
                    "answer"
                };
                let warning = if interview.warning(Instant::now()) {
                    " (nearly up)"
                } else {
                    ""
                };
                eprintln!("  {label}: {second} s left{warning}");
                // Nothing to say if even stderr fails.
                std::io::stderr().flush().ok();
            }
        }
    }
}
