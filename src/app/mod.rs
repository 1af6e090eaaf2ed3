//! The desktop app: owns the app state, draws the screens, and applies the
//! [`Command`]s they push after each frame. Disk and device work runs on the
//! [`worker`] thread; the interview itself is the pure state machine of
//! [`crate::interview`], and recording is the same [`Microphone`] the CLI
//! uses (its calls never block).

pub mod worker;

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use eframe::egui;
use jiff::Timestamp;

use crate::audio::{DeviceInfo, Microphone, RecorderEvent, TakeEnd, TakeSummary};
use crate::interview::{
    Action, AnswerLimit, Interview, Order, Phase, PlanRequest, StopReason, TakeRequest, ThinkTime,
    build_plan,
};
use crate::model::{PracticeRecord, QuestionId, Rating};
use crate::paths::{APP_ID, DataDir};
use crate::questions::QuestionBank;
use crate::store::settings::{OrderChoice, Settings};
use crate::store::{Session, Take, take_path};
use crate::ui;
use worker::{Worker, WorkerEvent, WorkerRequest};

/// Starts the window; returns when it is closed.
pub fn run(data_dir: DataDir, bank: QuestionBank) -> Result<(), eframe::Error> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Rehearse")
            .with_app_id(APP_ID)
            .with_inner_size([980.0, 720.0])
            .with_min_inner_size([640.0, 480.0]),
        renderer: eframe::Renderer::Glow,
        ..Default::default()
    };
    eframe::run_native(
        "Rehearse",
        options,
        Box::new(move |cc| Ok(Box::new(RehearseApp::new(&cc.egui_ctx, data_dir, bank)))),
    )
}

/// Which screen is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// Choose questions, timing and microphone.
    Home,
    /// A session in progress.
    Interview,
    /// The session just finished.
    Summary,
}

/// What the user asked for; applied after the frame is drawn.
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub enum Command {
    /// Start a session with the home screen's choices.
    StartSession,
    /// Start answering before the think time is over.
    StartAnswer,
    /// Stop the answer.
    Stop,
    /// Record the question again.
    Retake,
    /// Go to the next question.
    Next,
    /// Skip the question.
    Skip,
    /// Ask to end the session (confirmation while recording).
    RequestEnd,
    /// End the session.
    End,
    /// Keep going after asking to end.
    CancelEnd,
    /// Rate the latest take.
    Rate(u8),
    /// Choose the microphone (`None`: the system default).
    ChooseMicrophone(Option<String>),
    /// Open or close the microphone to see its level on the home screen.
    CheckLevel(bool),
    /// Back to the home screen.
    Home,
    /// Forget the oldest message.
    DismissMessage,
}

/// The home screen's choices.
#[derive(Clone, Debug)]
pub struct HomeChoices {
    /// Chosen categories (none: all).
    pub categories: BTreeSet<String>,
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

/// A session being practised.
pub struct ActiveSession {
    /// The state machine.
    pub interview: Interview,
    /// The manifest, saved after every change.
    pub session: Session,
    /// The take being recorded: what, where (relative), since when.
    pub recording: Option<(TakeRequest, String, Timestamp)>,
    /// Why the app asked the recorder to stop.
    pub pending_stop: Option<StopReason>,
    /// Index in `session.takes` of the latest take.
    pub latest_take: Option<usize>,
    /// The user asked to end while recording; waiting for confirmation.
    pub confirm_end: bool,
    /// Tips are shown.
    pub show_tips: bool,
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
    /// The session in progress or just finished.
    pub active: Option<ActiveSession>,
    /// Another process owns the data folder.
    pub read_only: bool,
    /// Messages to show (errors name their file or device).
    pub messages: Vec<String>,
    /// A session is wanted as soon as the microphone is open.
    start_when_open: bool,
    /// The plan of the session being created.
    pending_plan: Option<crate::interview::Plan>,
}

impl RehearseApp {
    /// The app over `data_dir`, with the worker started.
    pub fn new(ctx: &egui::Context, data_dir: DataDir, bank: QuestionBank) -> Self {
        let wake = ctx.clone();
        let worker = Worker::start(data_dir.clone(), move || wake.request_repaint());
        let (settings, warning) = Settings::load(&data_dir.settings());
        let mut messages: Vec<String> = bank
            .problems()
            .iter()
            .map(|p| format!("Question pack left out: {p}"))
            .collect();
        messages.extend(warning);
        worker.send(WorkerRequest::LoadRecords);
        worker.send(WorkerRequest::ListDevices);
        ui::apply_theme(ctx, settings.theme);
        Self {
            worker,
            data_dir,
            bank,
            home: HomeChoices {
                categories: BTreeSet::new(),
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
            active: None,
            read_only: false,
            messages,
            start_when_open: false,
            pending_plan: None,
        }
    }

    /// The data folder.
    pub fn data_dir(&self) -> &DataDir {
        &self.data_dir
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

    /// The plan request of the home screen's choices.
    pub fn plan_request(&self) -> PlanRequest {
        PlanRequest {
            categories: self.home.categories.iter().cloned().collect(),
            questions: Vec::new(),
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

    fn save_settings(&mut self) {
        self.settings.questions_per_session = self.home.count;
        self.settings.order = self.home.order;
        self.settings.think = self.home.think;
        self.settings.answer = self.home.answer;
        self.worker
            .send(WorkerRequest::SaveSettings(Box::new(self.settings.clone())));
    }

    /// Applies one command.
    pub fn apply(&mut self, command: Command) {
        let now = Instant::now();
        match command {
            Command::StartSession => {
                if self.read_only {
                    self.messages.push(
                        "Another Rehearse is using the data folder; close it to record.".to_owned(),
                    );
                    return;
                }
                self.save_settings();
                match build_plan(self.bank.questions(), &self.plan_request(), &self.records) {
                    Ok(plan) => {
                        self.worker
                            .send(WorkerRequest::CreateSession(Box::new(plan.clone())));
                        self.pending_plan = Some(plan);
                        self.open_microphone();
                    }
                    Err(err) => self.messages.push(format!("Cannot start: {err}")),
                }
            }
            Command::StartAnswer => self.drive(|i| i.start_answer(now)),
            Command::Stop => self.drive(|i| i.stop(now)),
            Command::Retake => self.drive(|i| i.retake(now)),
            Command::Next => self.drive(|i| i.next(now)),
            Command::Skip => self.drive(|i| i.skip(now)),
            Command::RequestEnd => {
                let recording = self
                    .active
                    .as_ref()
                    .is_some_and(|a| a.interview.phase() == Phase::Answering);
                if recording {
                    if let Some(active) = &mut self.active {
                        active.confirm_end = true;
                    }
                } else {
                    self.apply(Command::End);
                }
            }
            Command::End => {
                if let Some(active) = &mut self.active {
                    active.confirm_end = false;
                }
                self.drive(Interview::end);
            }
            Command::CancelEnd => {
                if let Some(active) = &mut self.active {
                    active.confirm_end = false;
                }
            }
            Command::Rate(stars) => {
                if let Some(active) = &mut self.active
                    && let Some(index) = active.latest_take
                    && let Some(take) = active.session.takes.get_mut(index)
                {
                    take.rating = Rating::new(stars);
                    self.worker
                        .send(WorkerRequest::SaveSession(Box::new(active.session.clone())));
                }
            }
            Command::ChooseMicrophone(id) => {
                self.settings.microphone = id;
                self.save_settings();
                let reopen = !matches!(self.microphone, MicrophoneState::Closed);
                self.close_microphone();
                if reopen {
                    self.open_microphone();
                }
            }
            Command::CheckLevel(on) => {
                self.checking_level = on;
                if on {
                    self.open_microphone();
                } else if self.active.is_none() {
                    self.close_microphone();
                }
            }
            Command::Home => {
                self.active = None;
                self.screen = Screen::Home;
                if !self.checking_level {
                    self.close_microphone();
                }
                self.worker.send(WorkerRequest::LoadRecords);
            }
            Command::DismissMessage => {
                if !self.messages.is_empty() {
                    self.messages.remove(0);
                }
            }
        }
    }

    /// Runs a transition of the state machine and carries out its actions.
    fn drive(&mut self, transition: impl FnOnce(&mut Interview) -> Vec<Action>) {
        let Some(active) = &mut self.active else {
            return;
        };
        let actions = transition(&mut active.interview);
        self.carry_out(actions);
    }

    fn carry_out(&mut self, actions: Vec<Action>) {
        let Some(active) = &mut self.active else {
            return;
        };
        let MicrophoneState::Open(mic) = &self.microphone else {
            if !actions.is_empty() {
                self.messages.push("The microphone is not open.".to_owned());
            }
            return;
        };
        for action in actions {
            match action {
                Action::StartRecording(request) => {
                    let (relative, full) = take_path(
                        &self.data_dir,
                        &active.session,
                        request.question_index,
                        request.take,
                    );
                    mic.start_take(full, request.limit);
                    active.recording = Some((request, relative, Timestamp::now()));
                    active.pending_stop = None;
                }
                Action::StopRecording(reason) => {
                    active.pending_stop = Some(reason);
                    mic.stop_take();
                }
            }
        }
    }

    /// Takes in what the worker and the recorder report, and advances the
    /// countdowns. Runs before every frame.
    pub fn poll(&mut self) {
        while let Some(event) = self.worker.try_recv() {
            match event {
                WorkerEvent::StoreOpened {
                    read_only,
                    recovered,
                } => {
                    self.read_only = read_only;
                    if read_only {
                        self.messages.push(format!(
                            "Another Rehearse is using {}; this window can only look.",
                            self.data_dir.root().display()
                        ));
                    }
                    self.messages.extend(recovered);
                }
                WorkerEvent::Records(records) => self.records = records,
                WorkerEvent::Devices(devices) => self.devices = devices,
                WorkerEvent::MicrophoneOpened(mic, warning) => {
                    self.messages.extend(warning);
                    self.microphone = MicrophoneState::Open(mic);
                    if self.start_when_open {
                        self.start_when_open = false;
                        self.begin_session();
                    }
                }
                WorkerEvent::SessionCreated(session) => {
                    match self.pending_plan.take().map(Interview::new) {
                        Some(Ok(interview)) => {
                            self.active = Some(ActiveSession {
                                interview,
                                session: *session,
                                recording: None,
                                pending_stop: None,
                                latest_take: None,
                                confirm_end: false,
                                show_tips: false,
                            });
                            self.screen = Screen::Interview;
                            if matches!(self.microphone, MicrophoneState::Open(_)) {
                                self.begin_session();
                            } else {
                                self.start_when_open = true;
                            }
                        }
                        _ => self
                            .messages
                            .push("The session could not be planned.".to_owned()),
                    }
                }
                WorkerEvent::Failed(message) => {
                    if matches!(self.microphone, MicrophoneState::Opening) {
                        self.microphone = MicrophoneState::Closed;
                        self.start_when_open = false;
                    }
                    self.messages.push(message);
                }
            }
        }
        self.poll_recorder();
        let now = Instant::now();
        self.drive(|i| i.tick(now));
    }

    fn begin_session(&mut self) {
        let now = Instant::now();
        self.drive(|i| i.start(now));
    }

    fn poll_recorder(&mut self) {
        let MicrophoneState::Open(mic) = &self.microphone else {
            return;
        };
        let mut finished: Vec<TakeSummary> = Vec::new();
        while let Ok(event) = mic.events().try_recv() {
            match event {
                RecorderEvent::TakeStarted { .. } => {}
                RecorderEvent::TakeFinished(summary) => finished.push(summary),
                RecorderEvent::TakeFailed { error, .. } => {
                    self.messages.push(error);
                    if let Some(active) = &mut self.active {
                        active.recording = None;
                        active.interview.recording_stopped(StopReason::WriteFailed);
                    }
                }
                RecorderEvent::StreamFailed(why) => {
                    self.messages.push(format!("The microphone failed: {why}"));
                }
            }
        }
        for summary in finished {
            self.take_finished(&summary);
        }
    }

    fn take_finished(&mut self, summary: &TakeSummary) {
        let Some(active) = &mut self.active else {
            return;
        };
        let Some((request, relative, started_at)) = active.recording.take() else {
            return;
        };
        let stopped = active.pending_stop.take().unwrap_or(match &summary.ended {
            TakeEnd::LimitReached => StopReason::TimeLimit,
            TakeEnd::DeviceLost(_) => StopReason::DeviceLost,
            TakeEnd::WriteFailed(_) => StopReason::WriteFailed,
            TakeEnd::Closed => StopReason::SessionEnded,
            TakeEnd::Stopped => StopReason::User,
        });
        active.interview.recording_stopped(stopped);
        if let TakeEnd::DeviceLost(_) | TakeEnd::WriteFailed(_) = summary.ended {
            self.messages
                .push(format!("{}; what was recorded is kept.", summary.ended));
        }
        if let Some(warning) = summary.silence_warning() {
            self.messages.push(format!("Warning: {warning}"));
        }
        let take = Take {
            duration_ms: summary.duration().as_millis() as u64,
            format: summary.format,
            sample_rate: summary.sample_rate,
            stopped,
            silent: summary.is_silent(),
            ..active
                .session
                .new_take(request.question_index, request.take, relative, started_at)
        };
        active.session.takes.push(take);
        active.latest_take = Some(active.session.takes.len() - 1);
        if active.interview.phase() == Phase::Finished {
            active.session.ended_at = Some(Timestamp::now());
        }
        self.worker
            .send(WorkerRequest::SaveSession(Box::new(active.session.clone())));
    }

    /// Whether something on screen is changing by itself (a countdown, a
    /// recording, the level meter), so the window must keep repainting.
    pub fn is_animating(&self) -> bool {
        let counting = self.active.as_ref().is_some_and(|a| {
            matches!(a.interview.phase(), Phase::Thinking | Phase::Answering)
                || a.recording.is_some()
        });
        counting
            || matches!(self.microphone, MicrophoneState::Opening)
            || (self.checking_level && matches!(self.microphone, MicrophoneState::Open(_)))
    }
}

impl eframe::App for RehearseApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.poll();
        if let Some(active) = &mut self.active
            && active.interview.phase() == Phase::Finished
            && active.recording.is_none()
            && self.screen == Screen::Interview
        {
            if active.session.ended_at.is_none() {
                active.session.ended_at = Some(Timestamp::now());
                self.worker
                    .send(WorkerRequest::SaveSession(Box::new(active.session.clone())));
            }
            self.screen = Screen::Summary;
            if !self.checking_level {
                self.close_microphone();
            }
        }
        if self.is_animating() {
            ctx.request_repaint_after(Duration::from_millis(33));
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let commands = ui::draw(ui, self);
        for command in commands {
            self.apply(command);
        }
    }
}
