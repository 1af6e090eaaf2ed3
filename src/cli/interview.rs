//! `rehearse interview`: one practice session in the terminal, driven by the
//! same state machine, recorder and store as the window. Lines typed on
//! standard input are the controls (Enter starts or stops, `s` skips,
//! `r` retakes, `q` ends), so scripts and tests can drive it too.

use std::collections::HashSet;
use std::io::BufRead;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use jiff::Timestamp;

use super::InterviewArgs;
use super::audio::DEVICE_START_TIMEOUT;
use super::load_bank;
use super::open_store;
use super::sessions::stars;
use super::transcriber::Transcriber;
use crate::audio::{self, Microphone, TakeEnd, TakeSummary};
use crate::interview::{
    Action, AnswerLimit, Interview, Order, Phase, PlanRequest, SessionMode, StopReason, ThinkTime,
    build_plan,
};
use crate::model::Rating;
use crate::model::clock;
use crate::paths::DataDir;
use crate::questions::PackSources;
use crate::recording::{PendingTake, Recordings, Report};
use crate::store::history::practice_records;
use crate::store::settings::{OrderChoice, Settings};
use crate::store::{NextFollowUp, Session, Store};

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
    /// Waiting for the answer's transcript to choose its follow-up.
    FollowUp,
}

pub(super) fn run(
    data_dir: DataDir,
    sources: &PackSources,
    args: &InterviewArgs,
) -> anyhow::Result<ExitCode> {
    let (settings, warning) = Settings::load(&data_dir.settings());
    if let Some(warning) = warning {
        say!("warning: {warning}");
    }
    if old_count_spelling(std::env::args()) {
        say!(
            "note: `interview --questions N` is now `interview --count N` \
             (`--questions FILE` before the subcommand adds a pack)"
        );
    }
    let bank = load_bank(sources);
    let models = data_dir.models();
    let store = open_store(data_dir)?;
    if store.is_read_only() {
        bail!("cannot record while another Rehearse is using the same data folder");
    }
    let records = practice_records(&store.list()?.sessions);
    let request = plan_request(args, &settings);
    let plan = build_plan(bank.questions(), &request, &records)?;
    let interview = Interview::new(plan.clone())?;
    let microphone = open_microphone(args, &settings)?;
    let session = store.create_session(&plan)?;
    let transcriber = start_transcriber(&models, &settings, store.session_dir(&session.id));
    let mut practice = Practice {
        store,
        microphone,
        interview,
        session,
        review: Review::Saving,
        recordings: Recordings::default(),
        transcriber,
        untranscribed: HashSet::new(),
    };
    let interrupted = super::interrupt_flag()?;
    let commands = stdin_lines();
    let mut terminal = Terminal::default();
    let mut actions = practice.interview.start(Instant::now());
    loop {
        practice.apply(&mut actions);
        terminal.show(&practice.interview);
        if interrupted.load(Ordering::SeqCst) && practice.interview.phase() != Phase::Finished {
            actions = practice.interview.end();
            continue;
        }
        if practice.interview.phase() == Phase::Finished && practice.recordings.is_empty() {
            break;
        }
        actions.extend(practice.take_recorder_events());
        practice.take_transcripts();
        actions.extend(practice.ask_follow_up_when_ready());
        match commands.recv_timeout(TICK) {
            Ok(line) => actions.extend(practice.on_line(&line)),
            Err(RecvTimeoutError::Disconnected) => {
                // Standard input closed: nothing more can be asked.
                if practice.interview.phase() != Phase::Finished {
                    actions = practice.interview.end();
                }
                std::thread::sleep(TICK);
            }
            Err(RecvTimeoutError::Timeout) => {}
        }
        actions.extend(practice.interview.tick(Instant::now()));
    }
    practice.finish(&interrupted, &commands)
}

/// Whether the command line `args` gave the count of `interview` by its
/// old name, `--questions` after the subcommand.
fn old_count_spelling(args: impl Iterator<Item = String>) -> bool {
    args.skip_while(|arg| arg != "interview")
        .any(|arg| arg == "--questions" || arg.starts_with("--questions="))
}

/// What the terminal asks after a take.
const RATE_PROMPT: &str = "Rate it 1-5 (Enter to skip):";

/// Puts finished transcripts on their takes and saves; says what was said
/// unless `quiet` (a mock interview gives its feedback at the end).
/// Returns whether anything was printed.
fn apply_transcripts(
    transcriber: &mut Transcriber,
    store: &Store,
    session: &mut Session,
    quiet: bool,
    untranscribed: &mut HashSet<String>,
) -> bool {
    let finished = transcriber.finished();
    if finished.is_empty() {
        return false;
    }
    let mut printed = false;
    for done in finished {
        let Some(number) = session.takes.iter().position(|t| t.file == done.file) else {
            continue;
        };
        match done.result {
            Ok((transcript, _)) => {
                session.apply_transcript(&done.file, &transcript);
                if let Some(content) = done.content {
                    session.apply_content(&done.file, content);
                }
                if !quiet {
                    say!("  take #{} said: {}", number + 1, transcript.text());
                    print_spoken(&session.takes[number]);
                    printed = true;
                }
            }
            Err(err) => {
                say!("  take #{} was not transcribed: {err}", number + 1);
                untranscribed.insert(done.file);
                printed = true;
            }
        }
    }
    save_or_explain(store, session);
    printed
}

/// What the words of a take show, the hints they give, and what the
/// answer covered.
fn print_spoken(take: &crate::store::Take) {
    if let Some(spoken) = &take.spoken {
        for (label, text) in spoken.lines() {
            say!("    {label}: {text}");
        }
        for hint in spoken.hints() {
            say!("    → {hint}");
        }
    }
    for line in take.content.iter().flat_map(crate::content::Content::lines) {
        say!("    {line}");
    }
}

/// Waits for the transcripts still being made (Ctrl-C skips them).
fn finish_transcripts(
    transcriber: &mut Transcriber,
    store: &Store,
    session: &mut Session,
    interrupted: &AtomicBool,
) {
    let mut shown = None;
    while transcriber.waiting() > 0 {
        if interrupted.load(Ordering::SeqCst) {
            transcriber.cancel();
        }
        let line = (transcriber.waiting(), transcriber.percent());
        if shown != Some(line) {
            shown = Some(line);
            say!(
                "Finishing transcripts: {} left, {} % of the current one (Ctrl-C skips)",
                line.0,
                line.1
            );
        }
        std::thread::sleep(Duration::from_millis(200));
        let quiet = !session.plan.mode.is_practice();
        apply_transcripts(transcriber, store, session, quiet, &mut HashSet::new());
    }
}

/// The transcriber, when speech recognition is on and a model is
/// installed; otherwise the interview runs without transcripts.
fn start_transcriber(
    models: &std::path::Path,
    settings: &Settings,
    session_dir: std::path::PathBuf,
) -> Option<Transcriber> {
    if !settings.speech.enabled {
        return None;
    }
    let model = match crate::speech::models::choose(models, settings.speech.model.as_deref()) {
        Ok(Some(model)) => model,
        Ok(None) => return None,
        Err(err) => {
            say!(
                "warning: cannot read {}: {err}; takes are not transcribed",
                models.display()
            );
            return None;
        }
    };
    match Transcriber::start(session_dir, model.path, models.to_path_buf()) {
        Ok(transcriber) => {
            say!(
                "Takes are transcribed on this machine with the {} model.",
                model.name
            );
            Some(transcriber)
        }
        Err(err) => {
            say!("warning: cannot start the transcriber: {err}; takes are not transcribed");
            None
        }
    }
}

/// The microphone of the arguments or the settings, open and delivering.
fn open_microphone(args: &InterviewArgs, settings: &Settings) -> anyhow::Result<Microphone> {
    let input = audio::find_input(args.device.as_deref().or(settings.microphone.as_deref()))?;
    if let Some(warning) = &input.fallback_warning {
        say!("warning: {warning}");
    }
    let microphone = Microphone::open(input, settings.take_format, None)?;
    let name = microphone.info().name.clone();
    microphone
        .wait_for_audio(DEVICE_START_TIMEOUT)
        .with_context(|| {
            format!("\"{name}\" delivered no audio; check it with `rehearse devices`")
        })?;
    say!("Microphone: {name}");
    Ok(microphone)
}

/// A practice session in the terminal: the state machine, the recorder and
/// the session on disk.
struct Practice {
    store: Store,
    microphone: Microphone,
    interview: Interview,
    session: Session,
    review: Review,
    /// The takes being recorded (in a mock interview with no think time
    /// the next starts as the last one is being closed): the recording
    /// driver the window uses too.
    recordings: Recordings,
    /// Transcribes takes in the background, when a model is installed.
    transcriber: Option<Transcriber>,
    /// Takes whose transcription failed (their follow-up is chosen
    /// without a transcript).
    untranscribed: HashSet<String>,
}

impl Practice {
    /// Carries out what the state machine asked for.
    fn apply(&mut self, actions: &mut Vec<Action>) {
        for action in actions.drain(..) {
            match action {
                Action::StartRecording(request) => {
                    let planned = self.store.planned_take(
                        &self.session,
                        &request,
                        self.interview.follow_up(),
                    );
                    self.recordings.start(&self.microphone, request, planned);
                    self.review = Review::Saving;
                }
                Action::StopRecording(reason) => self.recordings.stop(&self.microphone, reason),
            }
        }
    }

    /// Takes in what the recorder reported; what the state machine then
    /// asks for.
    fn take_recorder_events(&mut self) -> Vec<Action> {
        let mut actions = Vec::new();
        while let Ok(event) = self.microphone.events().try_recv() {
            match self.recordings.report(event) {
                Report::Started(_) => {
                    if self.interview.is_mock() {
                        say!("● Recording… (Enter finishes the answer, q ends)");
                    } else {
                        say!("● Recording… (Enter stops, s skips, q ends)");
                    }
                }
                Report::Finished {
                    pending,
                    summary,
                    last,
                } => {
                    actions.extend(self.take_finished(&pending, &summary, last));
                }
                Report::Failed { error, last, .. } => {
                    say!("error: {error}");
                    if last {
                        actions.extend(
                            self.interview
                                .recording_stopped(StopReason::WriteFailed, Instant::now()),
                        );
                    }
                    if self.interview.phase() == Phase::Reviewing {
                        self.review = Review::Choosing;
                        prompt_next();
                    }
                }
                Report::MicrophoneFailed(message) => say!("error: {message}"),
            }
        }
        if let Some(message) = self.recordings.session_must_end(self.interview.phase()) {
            say!("{message}");
            actions.extend(self.interview.end());
        }
        actions
    }

    /// Stores a finished take, measured, and asks for its rating (in a
    /// mock interview, moves on); what the state machine then asks for.
    fn take_finished(
        &mut self,
        pending: &PendingTake,
        summary: &TakeSummary,
        last: bool,
    ) -> Vec<Action> {
        report_take_end(summary);
        if let Err(err) = audio::peaks_file::write(&summary.path, &summary.peaks) {
            // Made again from the take when the window opens it.
            log::warn!(
                "{}: the peak summary was not kept: {err}",
                summary.path.display()
            );
        }
        let mut take = pending.recorded_take(&self.session, summary);
        let actions = if last {
            self.interview
                .recording_stopped(take.stopped, Instant::now())
        } else {
            Vec::new()
        };
        let mock = self.interview.is_mock();
        // A 2-minute take is measured in milliseconds.
        match crate::analysis::analyze_wav(&summary.path) {
            Ok(metrics) => {
                if !mock {
                    // With a transcript on its way, its pace is the one
                    // given as advice, not the estimate's.
                    for hint in metrics.hints(self.transcriber.is_some()) {
                        say!("  {hint}");
                    }
                }
                take.metrics = Some(metrics);
            }
            Err(err) => say!("{err}"),
        }
        self.session.takes.push(take);
        if let Some(transcriber) = &mut self.transcriber
            && let Some(take) = self.session.takes.last()
        {
            // Judged against the question less the follow-ups asked on the
            // way to it.
            transcriber.push(take.clone(), self.session.question_for(&take.file));
        }
        save_or_explain(&self.store, &self.session);
        self.review = if self.interview.phase() == Phase::Reviewing {
            say!(
                "Saved {} ({}). {RATE_PROMPT}",
                self.session.takes.last().map_or("", |t| t.file.as_str()),
                clock(summary.duration())
            );
            Review::Rating
        } else {
            if mock {
                say!(
                    "{} {} recorded ({}).",
                    if pending.request.follow_up_depth > 0 {
                        "Follow-up answer to question"
                    } else {
                        "Answer"
                    },
                    pending.request.question_index + 1,
                    clock(summary.duration())
                );
            }
            Review::Saving
        };
        actions
    }

    /// A line typed by the user; what the state machine then asks for.
    fn on_line(&mut self, line: &str) -> Vec<Action> {
        let now = Instant::now();
        let line = line.trim().to_lowercase();
        let interview = &mut self.interview;
        match (interview.phase(), line.as_str()) {
            (_, "q") => interview.end(),
            (Phase::Thinking | Phase::Answering | Phase::Reviewing, "s") => interview.skip(now),
            (Phase::Thinking, "") => interview.start_answer(now),
            (Phase::Answering, "") => interview.stop(now),
            (Phase::Reviewing, _) if self.review == Review::Rating => {
                let number = self.session.takes.len();
                rate_take(&self.store, &mut self.session, number, &line);
                if interview.can_follow_up()
                    && interview.depth() < interview.plan().request.follow_ups.depth()
                {
                    say!("The interviewer is thinking…");
                    self.review = Review::FollowUp;
                } else {
                    self.review = Review::Choosing;
                    prompt_next();
                }
                Vec::new()
            }
            (Phase::Reviewing, "r") if self.review == Review::Choosing => interview.retake(now),
            (Phase::Reviewing, "" | "n") if self.review == Review::Choosing => interview.next(now),
            _ => Vec::new(),
        }
    }

    /// Puts finished transcripts on their takes and saves; when what was
    /// said came while a rating is asked for, asks again below it (the
    /// cursor is never left without its question).
    fn take_transcripts(&mut self) {
        if let Some(transcriber) = &mut self.transcriber {
            let quiet = self.interview.is_mock();
            if apply_transcripts(
                transcriber,
                &self.store,
                &mut self.session,
                quiet,
                &mut self.untranscribed,
            ) && self.interview.phase() == Phase::Reviewing
                && self.review == Review::Rating
            {
                say!("{RATE_PROMPT}");
            }
        }
    }

    /// After an answer, when a follow-up is due (a mock interview awaits
    /// one; practice with `--follow-ups` after the rating): once the
    /// answer's transcript is judged (or none is coming), asks the
    /// follow-up it invites, or moves on. What the state machine then asks
    /// for.
    fn ask_follow_up_when_ready(&mut self) -> Vec<Action> {
        let awaiting = match self.interview.phase() {
            Phase::Awaiting => true,
            Phase::Reviewing => self.review == Review::FollowUp,
            _ => false,
        };
        if !awaiting || !self.recordings.is_empty() {
            return Vec::new();
        }
        let now = Instant::now();
        let next =
            self.session
                .latest_take_asked(&self.interview)
                .map_or(NextFollowUp::Nothing, |take| {
                    let coming =
                        self.transcriber.is_some() && !self.untranscribed.contains(&take.file);
                    self.session.follow_up_after(&take.file, coming)
                });
        match next {
            NextFollowUp::Pending => Vec::new(),
            NextFollowUp::Ask(choice) => {
                say!();
                say!(
                    "Follow-up ({}): {}",
                    super::printable(&choice.reason),
                    super::printable(&choice.ask)
                );
                self.review = Review::Saving;
                self.interview
                    .answer_follow_up(choice.ask, choice.reason, now)
            }
            NextFollowUp::Nothing if self.interview.phase() == Phase::Awaiting => {
                self.interview.no_follow_up(now)
            }
            NextFollowUp::Nothing => {
                say!("No follow-up for this answer.");
                self.review = Review::Choosing;
                prompt_next();
                Vec::new()
            }
        }
    }

    /// Closes the microphone and saves the session (or, with no take,
    /// removes it), then says what was kept.
    fn finish(
        mut self,
        interrupted: &AtomicBool,
        lines: &Receiver<String>,
    ) -> anyhow::Result<ExitCode> {
        drop(self.microphone);
        if let Some(transcriber) = &mut self.transcriber {
            finish_transcripts(transcriber, &self.store, &mut self.session, interrupted);
        }
        self.transcriber = None;
        if self.interview.is_mock() && !interrupted.load(Ordering::SeqCst) {
            review_at_end(&self.store, &mut self.session, lines);
        }
        let session = &mut self.session;
        if session.takes.is_empty() {
            self.store.delete_session(&session.id)?;
            say!("No answer was recorded, so nothing was saved.");
            return Ok(ExitCode::SUCCESS);
        }
        session.ended_at = Some(Timestamp::now());
        if !save_or_explain(&self.store, session) {
            return Ok(ExitCode::FAILURE);
        }
        println!("session: {}", session.id);
        println!(
            "takes: {}  recorded: {}  average: {}",
            session.takes.len(),
            clock(session.recorded_time()),
            session
                .average_rating()
                .map_or_else(|| "unrated".to_owned(), |avg| format!("★ {avg:.1}"))
        );
        // How to come back to it (stderr: stdout stays the two lines above).
        say!(
            "See it again with `rehearse sessions show {}`, or in the window's History.",
            session.id
        );
        Ok(ExitCode::SUCCESS)
    }
}

/// The plan request from the arguments, falling back on the settings.
fn plan_request(args: &InterviewArgs, settings: &Settings) -> PlanRequest {
    let order = match args.order.as_deref() {
        Some("listed") => OrderChoice::AsListed,
        Some("shuffled") => OrderChoice::Shuffled,
        Some("weakest") => OrderChoice::WeakestFirst,
        _ => settings.order,
    };
    let request = PlanRequest {
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
        mode: SessionMode::Practice,
        follow_ups: crate::interview::FollowUps {
            per_question: args.follow_ups.unwrap_or(if args.mock {
                settings.follow_ups.per_question
            } else {
                0
            }),
            ..settings.follow_ups
        },
    };
    if args.mock {
        request.mock_interview(args.seed.unwrap_or_else(|| fastrand::u64(..)))
    } else {
        request
    }
}

/// Saves the session; when that fails (a full disk), says so and that the
/// takes on disk are kept and added to the session at the next start.
/// Whether it was saved.
fn save_or_explain(store: &Store, session: &Session) -> bool {
    match store.save(session) {
        Ok(()) => true,
        Err(err) => {
            say!(
                "error: {err}; the recordings are kept in {} and are added to the session the next time Rehearse starts",
                store.session_dir(&session.id).join("takes").display()
            );
            false
        }
    }
}

fn report_take_end(summary: &TakeSummary) {
    match &summary.ended {
        TakeEnd::LimitReached => say!("Time's up."),
        TakeEnd::DeviceLost(_) | TakeEnd::WriteFailed(_) => {
            say!("error: {}; what was recorded is kept", summary.ended);
        }
        TakeEnd::Stopped | TakeEnd::Closed => {}
    }
    if let Some(warning) = summary.silence_warning() {
        say!("warning: {warning}");
    }
}

fn prompt_next() {
    say!("Enter or n: next question, r: retake, s: skip, q: end");
}

/// Applies a typed rating ("1"–"5"; anything else leaves it unrated).
/// The end of a mock interview: each answer with what it shows, and its
/// rating asked for (until standard input closes).
fn review_at_end(store: &Store, session: &mut Session, lines: &Receiver<String>) {
    if session.takes.is_empty() {
        return;
    }
    say!();
    say!("The interview is over. Your answers:");
    for number in 1..=session.takes.len() {
        let take = &session.takes[number - 1];
        say!();
        let asked = take.follow_up.as_ref().map_or_else(
            || take.question_text.clone(),
            |of| format!("Follow-up: {} ({})", of.ask, of.reason),
        );
        say!(
            "{number}. {} ({}, {})",
            super::printable(&asked),
            clock(take.duration()),
            take.stopped.describe()
        );
        if let Some(metrics) = &take.metrics {
            for hint in metrics.hints(take.spoken.is_some()) {
                say!("  {hint}");
            }
        }
        print_spoken(take);
        say!("{RATE_PROMPT}");
        match lines.recv() {
            Ok(line) => rate_take(store, session, number, line.trim()),
            Err(_) => return,
        }
    }
}

/// Rates take `number` (1-based) with the stars typed on `line`; an empty
/// line leaves it unrated.
fn rate_take(store: &Store, session: &mut Session, number: usize, line: &str) {
    let Some(rating) = line.parse::<u8>().ok().and_then(Rating::new) else {
        if !line.is_empty() {
            say!("(not a rating from 1 to 5; left unrated)");
        }
        return;
    };
    match store.rate(session, number, rating, None) {
        Ok(()) => say!("Rated {}", stars(Some(rating))),
        Err(err) => say!("error: the rating could not be saved: {err}"),
    }
}

/// Lines typed on standard input, read on their own thread so the
/// countdowns keep running.
fn stdin_lines() -> Receiver<String> {
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            // The terminal's echo of Enter moved below the status line.
            super::status::ended_by_user();
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
    phase_shown: Option<(Phase, crate::interview::Asking)>,
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
            say!();
            say!(
                "Question {} of {} [{}]",
                progress.number,
                progress.total,
                super::printable(&question.category)
            );
            say!("{}", super::printable(&question.text));
            if question.asks_for_story() && !interview.is_mock() {
                say!("(tip: answer with STAR: situation, task, action, result)");
            }
        }
        let key = (phase, interview.asking());
        if self.phase_shown != Some(key) {
            self.phase_shown = Some(key);
            self.last_second = None;
            match phase {
                Phase::Thinking => say!("Think… (Enter starts answering now)"),
                Phase::Awaiting => say!("The interviewer is thinking…"),
                _ => {}
            }
        }
        if let Some(left) = interview.remaining(Instant::now()) {
            let second = left.as_secs() + u64::from(left.subsec_nanos() > 0);
            // On a terminal one line counts every second; in a log, a line
            // every ten seconds and for each of the last five.
            let wanted = super::status::updates_in_place() || second % 10 == 0 || second <= 5;
            if self.last_second != Some(second) && wanted {
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
                super::status::show(&format!("  {label}: {second} s left{warning}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_old_spelling_of_the_count_is_noticed_only_after_the_subcommand() {
        let words = |line: &str| {
            line.split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
                .into_iter()
        };
        assert!(old_count_spelling(words(
            "rehearse interview --questions 3"
        )));
        assert!(old_count_spelling(words(
            "rehearse interview --questions=3"
        )));
        assert!(!old_count_spelling(words(
            "rehearse --questions my.json interview --count 3"
        )));
        assert!(!old_count_spelling(words("rehearse interview --count 3")));
    }
}
