//! The desktop app: owns the app state and applies the [`Command`]s the
//! screens push after each frame ([`commands`]); the window around it is
//! [`crate::shell`], the screens [`crate::ui`]. Disk, device and
//! export work runs on the [`worker`] thread, playback on the
//! [`Player`]'s; the interview itself is the pure state machine of
//! [`crate::interview`], and recording is the same [`Microphone`] the CLI
//! uses (its calls never block). So the window never waits.

mod commands;
pub mod jobs;
pub mod worker;

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::time::{Duration, Instant};

use eframe::egui;
use jiff::Timestamp;

use crate::audio::player::{Player, PlayerEvent, PlayerStatus};
use crate::audio::waveform::Waveform;
use crate::audio::{DeviceInfo, Microphone, RecorderEvent, TakeEnd, TakeSummary};
use crate::interview::{
    AnswerLimit, Interview, Order, Phase, Plan, PlanRequest, StopReason, TakeRequest, ThinkTime,
};
use crate::model::{PracticeRecord, QuestionId};
use crate::paths::DataDir;
use crate::questions::QuestionBank;
use crate::store::export::{AudioFormat, Container};
use crate::store::history::{SessionFilter, SessionSummary, day_start, rating_trend, summaries};
use crate::store::settings::{OrderChoice, Settings};
use crate::store::{Listing, Session, StarChecklist, Take};
use worker::{Worker, WorkerEvent, WorkerRequest};

pub use commands::{Command, TakeEdit};

/// Which screen is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// Choose questions, timing and microphone.
    Home,
    /// A session in progress.
    Interview,
    /// One session's takes: to listen, rate and annotate.
    Review,
    /// Every session.
    History,
    /// Every take of one question, oldest first.
    Progress,
    /// Settings.
    Settings,
}

/// The home screen's choices.
#[derive(Clone, Debug)]
pub struct HomeChoices {
    /// Chosen categories (none: all, unless questions are chosen).
    pub categories: BTreeSet<String>,
    /// Single questions chosen (asked first, before the categories').
    pub questions: BTreeSet<String>,
    /// Questions per session.
    pub count: usize,
    /// Order.
    pub order: OrderChoice,
    /// Think time.
    pub think: ThinkTime,
    /// Answer limit.
    pub answer: AnswerLimit,
}

/// The microphone's state.
pub enum MicrophoneState {
    /// Closed.
    Closed,
    /// Being opened on the worker.
    Opening,
    /// Open and delivering audio.
    Open(Box<Microphone>),
}

/// The "test microphone" button: record 3 s, then play them back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MicTest {
    /// Not testing.
    Idle,
    /// Waiting for the microphone to open.
    Waiting,
    /// Recording the 3 s.
    Recording,
    /// Playing them back.
    Playing(PathBuf),
}

/// How long the microphone test records.
pub const MIC_TEST_SECONDS: u64 = 3;

/// A session being practised.
pub struct ActiveSession {
    /// The state machine.
    pub interview: Interview,
    /// The manifest, saved after every change.
    pub session: Session,
    /// Takes asked of the recorder and not yet finished, oldest first (a
    /// quick retake can start one before the last one's file is closed).
    pub recordings: VecDeque<PendingTake>,
    /// Index in `session.takes` of the latest take.
    pub latest_take: Option<usize>,
    /// The user asked to end while recording; waiting for confirmation.
    pub confirm_end: bool,
    /// Tips are shown.
    pub show_tips: bool,
}

/// A take asked of the recorder and not yet reported finished.
pub struct PendingTake {
    /// What the state machine asked for.
    pub request: TakeRequest,
    /// Its file, relative to the session folder.
    pub relative: String,
    /// When it started.
    pub started_at: Timestamp,
    /// Why the app asked the recorder to stop it, if it did.
    pub stop: Option<StopReason>,
}

/// The history screen: the sessions on disk, the filters and what they let
/// through (recomputed only when either changes, so a long history draws
/// fast).
#[derive(Default)]
pub struct HistoryView {
    /// Everything on disk; `None` until loaded.
    pub listing: Option<Listing>,
    /// Filter: first day shown, `YYYY-MM-DD`.
    pub from: String,
    /// Filter: last day shown, `YYYY-MM-DD`.
    pub to: String,
    /// Filter: category.
    pub category: Option<String>,
    /// Filter: lowest average rating.
    pub min_rating: Option<u8>,
    /// The sessions that pass, newest first.
    pub rows: Vec<SessionSummary>,
    /// Average rating per session, oldest first: `[days since epoch, rating]`.
    pub trend: Vec<[f64; 2]>,
    /// Average estimated words per minute per analysed session, oldest first.
    pub pace_trend: Vec<[f64; 2]>,
    /// Average share of the time spoken per analysed session, in percent.
    pub speaking_trend: Vec<[f64; 2]>,
    /// A filter date that cannot be read.
    pub filter_error: Option<String>,
    /// The session the user asked to delete (waiting for confirmation).
    pub confirm_delete: Option<String>,
}

impl HistoryView {
    /// Applies the filters to the listing.
    pub fn refresh(&mut self) {
        let Some(listing) = &self.listing else {
            return;
        };
        self.filter_error = None;
        let day = |text: &str, what: &str, errors: &mut Option<String>| -> Option<Timestamp> {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            match text.parse::<jiff::civil::Date>() {
                Ok(date) => day_start(date).ok(),
                Err(_) => {
                    *errors = Some(format!("{what} \"{text}\" is not a date like 2026-11-26"));
                    None
                }
            }
        };
        let mut errors = None;
        let from = day(&self.from, "From", &mut errors);
        let until =
            day(&self.to, "To", &mut errors).map(|t| t + jiff::SignedDuration::from_hours(24));
        self.filter_error = errors;
        let filter = SessionFilter {
            from,
            until,
            category: self.category.clone(),
            min_rating: self.min_rating.map(f64::from),
        };
        self.rows = summaries(&listing.sessions, &filter);
        let mut oldest_first: Vec<&Session> = listing
            .sessions
            .iter()
            .filter(|s| filter.accepts(s))
            .collect();
        oldest_first.sort_by_key(|s| s.started_at);
        let day = |at: Timestamp| at.as_second() as f64 / 86_400.0;
        self.trend = rating_trend(oldest_first.iter().copied())
            .into_iter()
            .map(|(at, rating)| [day(at), rating])
            .collect();
        self.pace_trend = oldest_first
            .iter()
            .filter_map(|s| s.average_pace().map(|wpm| [day(s.started_at), wpm]))
            .collect();
        self.speaking_trend = oldest_first
            .iter()
            .filter_map(|s| {
                s.average_speaking_ratio()
                    .map(|ratio| [day(s.started_at), ratio * 100.0])
            })
            .collect();
    }

    /// The loaded session `id`.
    pub fn session(&self, id: &str) -> Option<&Session> {
        self.listing
            .as_ref()
            .and_then(|l| l.sessions.iter().find(|s| s.id == id))
    }
}

/// How far an export is; shared with the thread doing it.
#[derive(Debug, Default)]
pub struct ExportProgress {
    /// Bytes of audio done.
    pub done: AtomicU64,
    /// Bytes of audio in all.
    pub total: AtomicU64,
    /// Set to cancel.
    pub cancel: AtomicBool,
}

/// The export window.
pub struct ExportPanel {
    /// The sessions to export.
    pub sessions: Vec<String>,
    /// Where to (editable; "Choose…" opens the system's dialog).
    pub destination: String,
    /// Folder or zip.
    pub container: Container,
    /// WAV or FLAC.
    pub audio: AudioFormat,
    /// The system's save dialog is open.
    pub choosing: bool,
    /// The export is running.
    pub running: Option<Arc<ExportProgress>>,
}

/// How a message is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageLevel {
    /// Something done.
    Info,
    /// Something the user should act on.
    Warning,
}

/// A message in the bar at the top of the window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// What to say; errors name their file or device.
    pub text: String,
    /// How to show it.
    pub level: MessageLevel,
    /// A folder to offer to open.
    pub open: Option<PathBuf>,
}

/// A take's waveform, as far as it is loaded.
#[derive(Clone, Debug)]
pub enum WaveformSlot {
    /// Being read on the worker.
    Loading,
    /// Ready to draw.
    Ready(Arc<Waveform>),
    /// Could not be read.
    Failed(String),
}

/// Everything the screens draw from.
pub struct RehearseApp {
    worker: Worker,
    data_dir: DataDir,
    /// The question bank.
    pub bank: QuestionBank,
    /// The user's settings.
    pub settings: Settings,
    /// Practice record of each practised question.
    pub records: HashMap<QuestionId, PracticeRecord>,
    /// The screen shown.
    pub screen: Screen,
    /// The home screen's choices.
    pub home: HomeChoices,
    /// Microphones to choose from.
    pub devices: Vec<DeviceInfo>,
    /// The microphone.
    pub microphone: MicrophoneState,
    /// The level meter is shown on the home screen.
    pub checking_level: bool,
    /// The microphone test.
    pub mic_test: MicTest,
    /// The session in progress.
    pub active: Option<ActiveSession>,
    /// The session on the review screen.
    pub review: Option<Session>,
    /// The history screen.
    pub history: HistoryView,
    /// The question of the progress screen.
    pub progress_question: Option<String>,
    /// The export window.
    pub export: Option<ExportPanel>,
    /// Plays takes.
    pub player: Player,
    /// The take loaded in the player, and the player's generation for it.
    pub playing: Option<(PathBuf, u64)>,
    /// Waveforms of the takes shown.
    pub waveforms: HashMap<PathBuf, WaveformSlot>,
    /// Another process owns the data folder.
    pub read_only: bool,
    /// Messages to show, oldest first.
    pub messages: Vec<Message>,
    /// The store has opened (and recovery has run).
    pub store_ready: bool,
    /// Takes being analysed: (session id, file).
    pub analysing: HashSet<(String, String)>,
    /// A session is to be created as soon as the microphone is open.
    start_when_open: bool,
    /// The plan of the session being created.
    pending_plan: Option<Plan>,
}

impl RehearseApp {
    /// The app over `data_dir`, with the worker and the player started.
    pub fn new(ctx: &egui::Context, data_dir: DataDir, bank: QuestionBank) -> Self {
        let wake = ctx.clone();
        let worker = Worker::start(data_dir.clone(), move || wake.request_repaint());
        let wake = ctx.clone();
        let player = Player::start(move || wake.request_repaint());
        let (settings, warning) = Settings::load(&data_dir.settings());
        let mut messages: Vec<Message> = bank
            .problems()
            .iter()
            .map(|p| warning_message(format!("Question pack left out: {p}")))
            .collect();
        messages.extend(warning.map(warning_message));
        worker.send(WorkerRequest::LoadListing);
        worker.send(WorkerRequest::ListDevices);
        Self {
            worker,
            data_dir,
            bank,
            home: HomeChoices {
                categories: BTreeSet::new(),
                questions: BTreeSet::new(),
                count: settings.questions_per_session,
                order: settings.order,
                think: settings.think,
                answer: settings.answer,
            },
            settings,
            records: HashMap::new(),
            screen: Screen::Home,
            devices: Vec::new(),
            microphone: MicrophoneState::Closed,
            checking_level: false,
            mic_test: MicTest::Idle,
            active: None,
            review: None,
            history: HistoryView::default(),
            progress_question: None,
            export: None,
            player,
            playing: None,
            waveforms: HashMap::new(),
            read_only: false,
            messages,
            store_ready: false,
            analysing: HashSet::new(),
            start_when_open: false,
            pending_plan: None,
        }
    }

    /// The data folder.
    pub fn data_dir(&self) -> &DataDir {
        &self.data_dir
    }

    /// The full path of a take of `session`, or why its file may not be
    /// used (a damaged take).
    pub fn take_file(&self, session: &Session, take: &Take) -> Result<PathBuf, String> {
        take.audio_path(&self.data_dir.sessions().join(&session.id))
    }

    /// The microphone's latest level, when it is open.
    pub fn level(&self) -> Option<crate::audio::Level> {
        match &self.microphone {
            MicrophoneState::Open(mic) => Some(mic.level()),
            _ => None,
        }
    }

    /// The name of the open microphone.
    pub fn microphone_name(&self) -> Option<&str> {
        match &self.microphone {
            MicrophoneState::Open(mic) => Some(mic.info().name.as_str()),
            _ => None,
        }
    }

    /// The player's status for the take at `path`: its position and whether
    /// it plays (zero and paused when another take is loaded).
    pub fn playback_of(&self, path: &Path) -> Option<PlayerStatus> {
        let (loaded, generation) = self.playing.as_ref()?;
        let status = self.player.status();
        (loaded == path && status.generation == *generation).then_some(status)
    }

    /// The waveform of the take at `path`, if it has been asked for
    /// ([`Command::LoadWaveform`]).
    pub fn waveform(&self, path: &Path) -> Option<WaveformSlot> {
        self.waveforms.get(path).cloned()
    }

    /// Asks the worker for the waveform of the take at `path`, once.
    fn load_waveform(&mut self, path: PathBuf) {
        if !self.waveforms.contains_key(&path) {
            self.waveforms.insert(path.clone(), WaveformSlot::Loading);
            self.worker.send(WorkerRequest::LoadWaveform(path));
        }
    }

    /// The plan request of the home screen's choices.
    pub fn plan_request(&self) -> PlanRequest {
        PlanRequest {
            categories: self.home.categories.iter().cloned().collect(),
            questions: self
                .home
                .questions
                .iter()
                .filter_map(|id| QuestionId::parse(id).ok())
                .collect(),
            count: Some(self.home.count),
            order: match self.home.order {
                OrderChoice::AsListed => Order::AsListed,
                OrderChoice::Shuffled => Order::Shuffled {
                    seed: fastrand::u64(..),
                },
                OrderChoice::WeakestFirst => Order::WeakestFirst,
            },
            think: self.home.think,
            answer: self.home.answer,
            warning_seconds: self.settings.warning_seconds,
        }
    }

    /// Shows a message.
    pub fn say(&mut self, text: impl Into<String>) {
        self.messages.push(warning_message(text.into()));
    }

    fn open_microphone(&mut self) {
        if matches!(self.microphone, MicrophoneState::Closed) {
            self.microphone = MicrophoneState::Opening;
            self.worker.send(WorkerRequest::OpenMicrophone {
                id: self.settings.microphone.clone(),
                format: self.settings.take_format,
            });
        }
    }

    fn close_microphone(&mut self) {
        if let MicrophoneState::Open(mic) =
            std::mem::replace(&mut self.microphone, MicrophoneState::Closed)
        {
            self.worker.send(WorkerRequest::CloseMicrophone(mic));
        }
    }

    /// Closes the microphone unless something still needs it.
    fn release_microphone(&mut self) {
        let needed = self.active.is_some()
            || self.checking_level
            || matches!(self.mic_test, MicTest::Waiting | MicTest::Recording);
        if !needed {
            self.close_microphone();
        }
    }

    /// Takes in what the worker, the recorder and the player report, and
    /// advances the countdowns. Runs before every frame.
    pub fn poll(&mut self) {
        while let Some(event) = self.worker.try_recv() {
            self.on_worker_event(event);
        }
        while let Some(PlayerEvent::Failed(message)) = self.player.try_event() {
            self.say(message);
        }
        if let MicTest::Playing(path) = &self.mic_test
            && let Some(status) = self.playback_of(path)
            && !status.playing
            && status.position >= status.duration
        {
            self.mic_test = MicTest::Idle;
        }
        self.poll_recorder();
        let now = Instant::now();
        self.drive(|i| i.tick(now));
        self.finish_if_done();
    }

    fn on_worker_event(&mut self, event: WorkerEvent) {
        match event {
            WorkerEvent::StoreOpened {
                read_only,
                recovered,
            } => {
                self.store_ready = true;
                self.read_only = read_only.is_some();
                if let Some(reason) = read_only {
                    let mut reason = reason;
                    if let Some(first) = reason.get_mut(..1) {
                        first.make_ascii_uppercase();
                    }
                    self.say(format!(
                        "{reason}; this window can look but not record or change anything."
                    ));
                }
                self.messages
                    .extend(recovered.into_iter().map(warning_message));
            }
            WorkerEvent::Listing(listing, records) => {
                self.records = records;
                self.history.listing = Some(*listing);
                self.history.refresh();
            }
            WorkerEvent::Devices(devices) => self.devices = devices,
            WorkerEvent::MicrophoneOpened(mic, warning) => {
                if let Some(warning) = warning {
                    self.say(warning);
                }
                self.microphone = MicrophoneState::Open(mic);
                if self.mic_test == MicTest::Waiting {
                    self.start_mic_test();
                }
                if self.start_when_open {
                    self.start_when_open = false;
                    if let Some(plan) = &self.pending_plan {
                        self.worker
                            .send(WorkerRequest::CreateSession(Box::new(plan.clone())));
                    }
                }
            }
            WorkerEvent::MicrophoneFailed(message) => {
                self.microphone = MicrophoneState::Closed;
                if self.mic_test == MicTest::Waiting {
                    self.mic_test = MicTest::Idle;
                }
                if self.start_when_open {
                    self.start_when_open = false;
                    self.pending_plan = None;
                    self.say(format!("Cannot start the session: {message}"));
                } else {
                    self.say(message);
                }
            }
            WorkerEvent::SessionCreated(session) => self.session_created(*session),
            WorkerEvent::SessionNotCreated(message) => {
                self.pending_plan = None;
                self.say(format!("Cannot start the session: {message}"));
                self.release_microphone();
            }
            WorkerEvent::TakeAnalyzed {
                session,
                file,
                result,
            } => {
                self.analysing.remove(&(session.clone(), file.clone()));
                match result {
                    Ok(metrics) => {
                        self.update_session(&session, |s| {
                            if let Some(take) = s.takes.iter_mut().find(|t| t.file == file) {
                                take.metrics = Some(metrics.clone());
                            }
                        });
                        self.history.refresh();
                    }
                    Err(message) => self.say(message),
                }
            }
            WorkerEvent::Waveform(path, result) => {
                let slot = match result {
                    Ok(waveform) => WaveformSlot::Ready(waveform),
                    Err(message) => WaveformSlot::Failed(message),
                };
                self.waveforms.insert(path, slot);
            }
            WorkerEvent::SessionDeleted(id) => {
                if self.review.as_ref().is_some_and(|s| s.id == id) {
                    self.review = None;
                    if self.screen == Screen::Review {
                        self.screen = Screen::History;
                    }
                }
                self.messages.push(Message {
                    text: format!("Deleted session {id}."),
                    level: MessageLevel::Info,
                    open: None,
                });
                self.worker.send(WorkerRequest::LoadListing);
            }
            WorkerEvent::ExportDestination(chosen) => {
                if let Some(panel) = &mut self.export {
                    panel.choosing = false;
                    if let Some(path) = chosen {
                        panel.destination = path.display().to_string();
                    }
                }
            }
            WorkerEvent::ExportFinished(result) => {
                if let Some(panel) = &mut self.export {
                    panel.running = None;
                }
                match result {
                    Ok(summary) => {
                        self.export = None;
                        let folder = if summary.destination.is_dir() {
                            summary.destination.clone()
                        } else {
                            summary
                                .destination
                                .parent()
                                .map_or_else(|| summary.destination.clone(), Path::to_path_buf)
                        };
                        let mut text = format!(
                            "Exported {} recordings to {}.",
                            summary.audio_files,
                            summary.destination.display()
                        );
                        if !summary.missing.is_empty() {
                            text.push_str(&format!(
                                " Missing audio (listed in the report): {}.",
                                summary.missing.join(", ")
                            ));
                        }
                        self.messages.push(Message {
                            text,
                            level: MessageLevel::Info,
                            open: Some(folder),
                        });
                    }
                    Err(message) => self.say(message),
                }
            }
            WorkerEvent::Failed(message) => self.say(message),
        }
    }

    fn session_created(&mut self, session: Session) {
        match self.pending_plan.take().map(Interview::new) {
            Some(Ok(interview)) => {
                self.active = Some(ActiveSession {
                    interview,
                    session,
                    recordings: VecDeque::new(),
                    latest_take: None,
                    confirm_end: false,
                    show_tips: false,
                });
                self.screen = Screen::Interview;
                self.begin_session();
            }
            _ => self.say("The session could not be planned."),
        }
    }

    fn begin_session(&mut self) {
        let now = Instant::now();
        self.drive(|i| i.start(now));
    }

    fn start_mic_test(&mut self) {
        let MicrophoneState::Open(mic) = &self.microphone else {
            return;
        };
        let path = mic_test_path(&self.data_dir);
        mic.start_take(path, Some(Duration::from_secs(MIC_TEST_SECONDS)));
        self.mic_test = MicTest::Recording;
    }

    fn poll_recorder(&mut self) {
        let MicrophoneState::Open(mic) = &self.microphone else {
            return;
        };
        let mut finished: Vec<TakeSummary> = Vec::new();
        let mut problems = Vec::new();
        let mut failed = false;
        while let Ok(event) = mic.events().try_recv() {
            match event {
                RecorderEvent::TakeStarted { .. } => {}
                RecorderEvent::TakeFinished(summary) => finished.push(summary),
                RecorderEvent::TakeFailed { error, .. } => {
                    problems.push(error);
                    failed = true;
                }
                RecorderEvent::StreamFailed(why) => {
                    problems.push(format!("The microphone failed: {why}"));
                }
            }
        }
        for problem in problems {
            self.say(problem);
        }
        if failed {
            if self.mic_test == MicTest::Recording {
                self.mic_test = MicTest::Idle;
            } else if let Some(active) = &mut self.active {
                active.recordings.pop_front();
                if active.recordings.is_empty() {
                    active.interview.recording_stopped(StopReason::WriteFailed);
                }
            }
        }
        for summary in finished {
            if self.mic_test == MicTest::Recording {
                self.mic_test_finished(&summary);
            } else {
                self.take_finished(&summary);
            }
        }
    }

    fn mic_test_finished(&mut self, summary: &TakeSummary) {
        if let Some(warning) = summary.silence_warning() {
            self.say(format!("Warning: {warning}"));
        }
        let path = summary.path.clone();
        self.waveforms.remove(&path);
        let generation = self.player.load(&path, Duration::ZERO, true);
        self.playing = Some((path.clone(), generation));
        self.mic_test = MicTest::Playing(path);
        self.release_microphone();
    }

    fn take_finished(&mut self, summary: &TakeSummary) {
        let Some(active) = &mut self.active else {
            return;
        };
        let Some(PendingTake {
            request,
            relative,
            started_at,
            stop,
        }) = active.recordings.pop_front()
        else {
            return;
        };
        let take = active
            .session
            .recorded_take(&request, relative, started_at, summary, stop);
        if active.recordings.is_empty() {
            active.interview.recording_stopped(take.stopped);
        }
        let mut warnings = Vec::new();
        if let TakeEnd::DeviceLost(_) | TakeEnd::WriteFailed(_) = summary.ended {
            warnings.push(format!("{}; what was recorded is kept.", summary.ended));
        }
        if let Some(warning) = summary.silence_warning() {
            warnings.push(format!("Warning: {warning}"));
        }
        active.session.takes.push(take);
        active.latest_take = Some(active.session.takes.len() - 1);
        self.waveforms.insert(
            summary.path.clone(),
            WaveformSlot::Ready(Arc::new(Waveform::new(&summary.peaks))),
        );
        self.worker
            .send(WorkerRequest::SaveSession(Box::new(active.session.clone())));
        let session = active.session.id.clone();
        if let Some(take) = active.session.takes.last() {
            let file = take.file.clone();
            self.analyze(&session, &file, summary.path.clone());
        }
        for warning in warnings {
            self.say(warning);
        }
    }

    /// Measures the speech of a take in the background.
    pub(crate) fn analyze(&mut self, session: &str, file: &str, path: PathBuf) {
        if self.analysing.insert((session.to_owned(), file.to_owned())) {
            // A take the user has just recorded or asked about: first.
            self.worker.send(WorkerRequest::AnalyzeTake {
                session: session.to_owned(),
                file: file.to_owned(),
                path,
                priority: jobs::Priority::Current,
            });
        }
    }

    /// Changes every copy of session `id` held (interview, review,
    /// history) with `change`, and saves it; whether there was one.
    pub(crate) fn update_session(&mut self, id: &str, change: impl Fn(&mut Session)) -> bool {
        let mut copies: Vec<&mut Session> = Vec::new();
        if let Some(active) = &mut self.active
            && active.session.id == id
        {
            copies.push(&mut active.session);
        }
        if let Some(review) = &mut self.review
            && review.id == id
        {
            copies.push(review);
        }
        if let Some(listing) = &mut self.history.listing {
            copies.extend(listing.sessions.iter_mut().filter(|s| s.id == id));
        }
        let mut saved = None;
        for session in copies {
            change(session);
            saved = Some(session.clone());
        }
        match saved {
            Some(session) if !self.read_only => {
                self.worker
                    .send(WorkerRequest::SaveSession(Box::new(session)));
                true
            }
            Some(_) => true,
            None => false,
        }
    }

    /// When the interview has finished and its last take is saved, shows
    /// the whole session in the review screen.
    fn finish_if_done(&mut self) {
        let done = self
            .active
            .as_ref()
            .is_some_and(|a| a.interview.phase() == Phase::Finished && a.recordings.is_empty());
        if !done {
            return;
        }
        if let Some(mut active) = self.active.take() {
            active.session.ended_at = Some(Timestamp::now());
            self.worker
                .send(WorkerRequest::SaveSession(Box::new(active.session.clone())));
            self.review = Some(active.session);
            self.screen = Screen::Review;
            self.release_microphone();
            self.worker.send(WorkerRequest::LoadListing);
        }
    }

    /// Whether something on screen is changing by itself (a countdown, a
    /// recording, the level meter, playback, an export), so the window must
    /// keep repainting; otherwise an idle window draws nothing.
    pub fn is_animating(&self) -> bool {
        let counting = self.active.as_ref().is_some_and(|a| {
            matches!(a.interview.phase(), Phase::Thinking | Phase::Answering)
                || !a.recordings.is_empty()
        });
        counting
            || matches!(self.microphone, MicrophoneState::Opening)
            || (self.checking_level && matches!(self.microphone, MicrophoneState::Open(_)))
            || matches!(self.mic_test, MicTest::Waiting | MicTest::Recording)
            || self.player.status().playing
            || self.export.as_ref().is_some_and(|e| e.running.is_some())
    }

    /// Whether the background work asked for so far is done: the store is
    /// open, the history and waveforms are loaded, no export runs. For tests
    /// that step the window until things settle.
    pub fn is_settled(&self) -> bool {
        self.store_ready
            && self.history.listing.is_some()
            && !self
                .waveforms
                .values()
                .any(|w| matches!(w, WaveformSlot::Loading))
            && self
                .export
                .as_ref()
                .is_none_or(|e| e.running.is_none() && !e.choosing)
            && !matches!(self.microphone, MicrophoneState::Opening)
            && self.analysing.is_empty()
            && self.pending_plan.is_none()
            && self.mic_test != MicTest::Waiting
    }
}

fn warning_message(text: String) -> Message {
    Message {
        text,
        level: MessageLevel::Warning,
        open: None,
    }
}

/// Where the microphone test records.
pub fn mic_test_path(data_dir: &DataDir) -> PathBuf {
    data_dir.root().join("microphone-test.wav")
}

/// Applies `edit` to `take` (and, for "preferred", to its siblings).
fn apply_edit(session: &mut Session, index: usize, edit: &TakeEdit) {
    let Some(question) = session.takes.get(index).map(|t| t.question_index) else {
        return;
    };
    match edit {
        TakeEdit::Rating(rating) => session.takes[index].rating = *rating,
        TakeEdit::Notes(notes) => session.takes[index].notes.clone_from(notes),
        TakeEdit::Star(star) => session.takes[index].star = *star,
        TakeEdit::Preferred => {
            for (i, take) in session.takes.iter_mut().enumerate() {
                if take.question_index == question {
                    take.preferred = i == index;
                }
            }
        }
    }
}

/// The STAR checklist with one part set.
pub fn star_with(star: StarChecklist, part: usize, on: bool) -> StarChecklist {
    let mut star = star;
    match part {
        0 => star.situation = on,
        1 => star.task = on,
        2 => star.action = on,
        _ => star.result = on,
    }
    star
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        let text = include_str!("../../tests/fixtures/session-v1.json");
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn preferring_a_take_unprefers_its_siblings() {
        let mut session = session();
        apply_edit(&mut session, 1, &TakeEdit::Preferred);
        assert!(!session.takes[0].preferred && session.takes[1].preferred);
        apply_edit(&mut session, 0, &TakeEdit::Preferred);
        assert!(session.takes[0].preferred && !session.takes[1].preferred);
        apply_edit(&mut session, 9, &TakeEdit::Preferred);
        assert!(
            session.takes[0].preferred,
            "an unknown take changes nothing"
        );
    }

    #[test]
    fn edits_set_rating_notes_and_checklist() {
        let mut session = session();
        apply_edit(
            &mut session,
            0,
            &TakeEdit::Rating(crate::model::Rating::new(2)),
        );
        apply_edit(&mut session, 0, &TakeEdit::Notes("slower".to_owned()));
        let star = star_with(StarChecklist::default(), 3, true);
        apply_edit(&mut session, 0, &TakeEdit::Star(star));
        let take = &session.takes[0];
        assert_eq!(take.rating.map(crate::model::Rating::stars), Some(2));
        assert_eq!(take.notes, "slower");
        assert!(take.star.result && !take.star.situation);
    }

    #[test]
    fn history_filters_by_day_and_reports_a_bad_date() {
        let mut history = HistoryView {
            listing: Some(Listing {
                sessions: vec![session()],
                damaged: Vec::new(),
            }),
            ..HistoryView::default()
        };
        history.refresh();
        assert_eq!(history.rows.len(), 1);
        assert_eq!(history.trend.len(), 1);
        history.from = "2999-01-01".to_owned();
        history.refresh();
        assert!(history.rows.is_empty());
        history.from = "yesterday".to_owned();
        history.refresh();
        assert!(
            history
                .filter_error
                .as_deref()
                .unwrap()
                .contains("yesterday")
        );
        assert_eq!(history.rows.len(), 1, "a bad date filters nothing");
    }
}
