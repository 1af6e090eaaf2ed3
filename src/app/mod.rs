//! The desktop app: its [`AppState`] (what the screens read and edit,
//! `state`), its services (the [`worker`] thread for disk and devices, the
//! [`jobs`] queue, the [`Player`], the open [`Microphone`]), the
//! [`Command`]s the screens return ([`commands`]) and the events it takes in
//! before every frame (`events`). The window around it is
//! [`crate::shell`], the screens [`crate::ui`]. The interview itself is the
//! pure state machine of [`crate::interview`], and recording is the same
//! [`Microphone`] the CLI uses (its calls never block), so the window never
//! waits.

mod batch;
mod commands;
mod events;
mod export_panel;
mod history_view;
pub mod jobs;
pub mod questions;
mod search;
mod session_store;
mod state;
mod take_edit;
mod transcripts;
pub mod voice;
pub mod worker;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use eframe::egui;

use crate::audio::Microphone;
use crate::audio::player::Player;
use crate::paths::DataDir;
use crate::questions::{PackSources, QuestionBank};
use crate::store::settings::Settings;
/// The speech models from the window (worker-side: [`worker::models`]).
pub use worker::models;
use worker::{Worker, WorkerRequest};

pub use commands::Command;
pub use history_view::HistoryView;
pub use questions::{QuestionCommand, QuestionEditor, QuestionsPanel};
pub use search::SearchState;
pub use session_store::SessionStore;
pub use state::{
    ActiveSession, AppState, ExportPanel, ExportProgress, HomeChoices, METER_INTERVAL,
    MIC_TEST_SECONDS, Message, MessageLevel, MicTest, MicrophoneState, Screen, SpeechPanel,
    TranscriptSlot, WaveformSlot, mic_test_path,
};
pub use take_edit::{TakeEdit, star_with};
pub use transcripts::SpeechCommand;
pub use voice::{VoiceCommand, VoicePanel};

/// The app: its state, which the screens read and edit, and its services,
/// which do the work (disk and devices on the worker, takes on the job
/// queue, playback, the open microphone). Drawing never reaches the
/// services; commands and events are where the two meet.
pub struct RehearseApp {
    /// What the screens draw from.
    pub state: AppState,
    services: Services,
}

/// What does the work for the window.
struct Services {
    worker: Worker,
    player: Player,
    /// The open microphone.
    microphone: Option<Box<Microphone>>,
    /// The number of the latest request to open or close the microphone:
    /// a microphone (or failure) answering an older one is stale.
    microphone_request: u64,
    /// Every transcript of the history, for the search (`None` until read).
    search_index: Option<crate::store::search::TranscriptIndex>,
    /// The interviewer's voice, once needed.
    voice: Option<crate::voice::Voice>,
    /// The tag of the last utterance asked of the voice.
    next_voice_tag: u64,
    /// Wakes the window (for services started later).
    wake: egui::Context,
}

impl RehearseApp {
    /// The app over `data_dir`, with the worker and the player started.
    pub fn new(
        ctx: &egui::Context,
        data_dir: DataDir,
        sources: PackSources,
        bank: QuestionBank,
    ) -> Self {
        let wake = ctx.clone();
        let worker = Worker::start(data_dir.clone(), move || wake.request_repaint());
        let wake = ctx.clone();
        let player = Player::start(move || wake.request_repaint());
        let (settings, warning) = Settings::load(&data_dir.settings());
        // The window opens on the screen it showed last.
        let first_screen = match settings.last_screen {
            crate::store::settings::LastScreen::Practice => Screen::Home,
            crate::store::settings::LastScreen::History => Screen::History,
            crate::store::settings::LastScreen::Settings => Screen::Settings,
        };
        let mut messages: Vec<Message> = bank
            .problems()
            .iter()
            .map(|p| Message::warning(format!("Question pack left out: {p}")))
            .collect();
        messages.extend(warning.map(Message::warning));
        worker.send(WorkerRequest::LoadListing(0));
        worker.send(WorkerRequest::ListDevices);
        let state = AppState {
            data_dir,
            sources,
            bank,
            home: HomeChoices {
                selection: crate::interview::Selection::default(),
                search: String::new(),
                shown: None,
                unfolded: std::collections::BTreeSet::new(),
                count: settings.questions_per_session,
                order: settings.order,
                think: settings.think,
                answer: settings.answer,
            },
            settings,
            records: HashMap::new(),
            // The window opens on the screen it showed last.
            screen: first_screen,
            devices: Vec::new(),
            microphone: MicrophoneState::Closed,
            checking_level: false,
            mic_test: MicTest::Idle,
            active: None,
            sessions: SessionStore::default(),
            review: None,
            history: HistoryView::default(),
            search: SearchState::default(),
            questions: QuestionsPanel::default(),
            voice: VoicePanel::default(),
            progress_question: None,
            export: None,
            player: player.status(),
            level: None,
            playing: None,
            waveforms: HashMap::new(),
            read_only: false,
            messages,
            store_ready: false,
            analysing: HashSet::new(),
            transcripts: HashMap::new(),
            no_speech_model: false,
            speech: SpeechPanel::default(),
            start_when_open: false,
            pending_plan: None,
        };
        Self {
            state,
            services: Services {
                worker,
                player,
                microphone: None,
                microphone_request: 0,
                search_index: None,
                voice: None,
                next_voice_tag: 0,
                wake: ctx.clone(),
            },
        }
    }

    /// Stops the services in order as the window closes: the microphone
    /// is closed and the worker finishes what was queued (the last edits
    /// and the settings) within [`worker::STOP_LIMIT`].
    pub fn stop(&mut self) {
        self.close_microphone();
        self.services.worker.stop(worker::STOP_LIMIT);
    }

    /// Asks the worker for the waveform of the take at `path`, once.
    fn load_waveform(&mut self, path: PathBuf) {
        if !self.state.waveforms.contains_key(&path) {
            self.state
                .waveforms
                .insert(path.clone(), WaveformSlot::Loading);
            self.services.worker.send(WorkerRequest::LoadWaveform(path));
        }
    }

    fn open_microphone(&mut self) {
        if matches!(self.state.microphone, MicrophoneState::Closed) {
            self.state.microphone = MicrophoneState::Opening;
            self.services.microphone_request += 1;
            self.services.worker.send(WorkerRequest::OpenMicrophone {
                id: self.state.settings.microphone.clone(),
                format: self.state.settings.take_format,
                request: self.services.microphone_request,
            });
        }
    }

    /// Closes the microphone; one still opening is closed when it arrives
    /// (its request is no longer the latest).
    fn close_microphone(&mut self) {
        self.services.microphone_request += 1;
        self.state.microphone = MicrophoneState::Closed;
        self.state.level = None;
        if let Some(mic) = self.services.microphone.take() {
            self.services
                .worker
                .send(WorkerRequest::CloseMicrophone(mic));
        }
    }

    /// Closes the microphone unless something still needs it.
    fn release_microphone(&mut self) {
        let needed = self.state.active.is_some()
            || self.state.checking_level
            || matches!(self.state.mic_test, MicTest::Waiting | MicTest::Recording);
        if !needed {
            self.close_microphone();
        }
    }
}
