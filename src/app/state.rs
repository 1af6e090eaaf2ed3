//! The app's state: what the screens read and edit, as plain data (no
//! devices, no threads), and the small rules on it (a take's file, the plan
//! of the home screen's choices, whether the window must keep repainting).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::time::{Duration, Instant};

use super::history_view::HistoryView;
use crate::audio::player::PlayerStatus;
use crate::audio::waveform::Waveform;
use crate::audio::{DeviceInfo, Level};
use crate::interview::{
    AnswerLimit, Interview, Order, Phase, Plan, PlanRequest, Selection, ThinkTime,
};
use crate::model::{PracticeRecord, QuestionId};
use crate::paths::DataDir;
use crate::questions::QuestionBank;
use crate::store::export::{AudioFormat, Container};
use crate::store::settings::{OrderChoice, Settings};
use crate::store::{Session, Take};

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
    /// The categories and questions chosen (none: the whole bank).
    pub selection: Selection,
    /// Words the question list is filtered by.
    pub search: String,
    /// The question whose details show beside the list.
    pub shown: Option<QuestionId>,
    /// Categories whose questions are listed (the others are folded).
    pub unfolded: std::collections::BTreeSet<String>,
    /// Questions per session.
    pub count: usize,
    /// Order.
    pub order: OrderChoice,
    /// Think time.
    pub think: ThinkTime,
    /// Answer limit.
    pub answer: AnswerLimit,
}

/// The microphone, as the screens show it (the device itself is one of
/// the app's services).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MicrophoneState {
    /// Closed.
    Closed,
    /// Being opened on the worker.
    Opening,
    /// Open and delivering audio.
    Open {
        /// Its name.
        name: String,
    },
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

/// How often the level meter is drawn while it shows: as often as the eye
/// follows a level (drawing the window costs the same whatever changed).
pub const METER_INTERVAL: Duration = Duration::from_millis(50);

/// How often the window looks again while it waits for something that does
/// not wake it (a recording being finished, the microphone opening).
const WAIT_INTERVAL: Duration = Duration::from_millis(100);

/// How long the microphone test records.
pub const MIC_TEST_SECONDS: u64 = 3;

/// A session being practised.
pub struct ActiveSession {
    /// The state machine.
    pub interview: Interview,
    /// The session's id in [`AppState::sessions`] (its manifest is saved
    /// after every change).
    pub session_id: String,
    /// Takes asked of the recorder and not yet finished (the recording
    /// driver the terminal uses too).
    pub recordings: crate::recording::Recordings,
    /// Index in the session's takes of the latest take.
    pub latest_take: Option<usize>,
    /// The user asked to end while recording; waiting for confirmation.
    pub confirm_end: bool,
    /// Tips are shown.
    pub show_tips: bool,
    /// The question being read aloud.
    pub reading: Option<super::voice::Reading>,
    /// Since when a mock interview has been waiting to choose a follow-up
    /// ("the interviewer is thinking"), to show progress when it is long.
    pub awaiting_since: Option<Instant>,
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
    /// When it was said.
    pub at: Instant,
}

/// How long a message that needs nothing from the user stays ("Added …",
/// "Deleted …"): it goes by itself, so it does not take rows of the window
/// through a whole session.
pub const MESSAGE_FADES_AFTER: Duration = Duration::from_secs(8);

impl Message {
    /// Something done, to read in passing.
    pub fn info(text: String) -> Self {
        Self {
            text,
            level: MessageLevel::Info,
            open: None,
            at: Instant::now(),
        }
    }

    /// Something the user should act on.
    pub fn warning(text: String) -> Self {
        Self {
            level: MessageLevel::Warning,
            ..Self::info(text)
        }
    }

    /// Whether it goes by itself: information that offers nothing to do.
    /// Warnings, and messages with a folder to open, stay until dismissed.
    pub fn fades(&self) -> bool {
        self.level == MessageLevel::Info && self.open.is_none()
    }

    /// When it goes by itself, if it does.
    fn fades_at(&self) -> Option<Instant> {
        self.fades().then(|| self.at + MESSAGE_FADES_AFTER)
    }
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
    /// The take may not be used (its file is a link out of the session).
    Damaged(String),
}

/// What the screens read and edit: plain data, no devices or threads.
/// Drawing takes this and returns commands; only the app's services work.
pub struct AppState {
    /// The data folder.
    pub(super) data_dir: DataDir,
    /// Where the bank comes from (to load it again after an edit).
    pub(super) sources: crate::questions::PackSources,
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
    /// Every session the window knows, each held once.
    pub sessions: super::SessionStore,
    /// The id of the session on the review screen.
    pub review: Option<String>,
    /// The history screen.
    pub history: HistoryView,
    /// The search of what was said (history screen).
    pub search: super::SearchState,
    /// The question form and the packs.
    pub questions: super::QuestionsPanel,
    /// The interviewer's voice, as the settings show it.
    pub voice: super::VoicePanel,
    /// The question of the progress screen.
    pub progress_question: Option<String>,
    /// The export window.
    pub export: Option<ExportPanel>,
    /// The player's status, as of this frame.
    pub player: PlayerStatus,
    /// The microphone's level, as of this frame, while it is open.
    pub level: Option<Level>,
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
    /// Transcripts of takes, by (session id, file).
    pub transcripts: HashMap<(String, String), TranscriptSlot>,
    /// A transcription found no speech model installed.
    pub no_speech_model: bool,
    /// The "Speech recognition" settings: models and their downloads.
    pub speech: SpeechPanel,
    /// A session is to be created as soon as the microphone is open.
    pub(super) start_when_open: bool,
    /// The plan of the session being created.
    pub(super) pending_plan: Option<Plan>,
}

impl AppState {
    /// The data folder.
    pub fn data_dir(&self) -> &DataDir {
        &self.data_dir
    }

    /// The full path of a take of `session`, or why its file may not be
    /// used (a damaged take).
    pub fn take_file(&self, session: &Session, take: &Take) -> Result<PathBuf, String> {
        take.file_path(&self.data_dir.sessions().join(&session.id))
    }

    /// The session on the review screen.
    pub fn review_session(&self) -> Option<&Session> {
        self.sessions.get(self.review.as_deref()?)
    }

    /// The session being practised.
    pub fn active_session(&self) -> Option<&Session> {
        self.sessions.get(&self.active.as_ref()?.session_id)
    }

    /// The microphone's latest level, when it is open.
    pub fn level(&self) -> Option<Level> {
        self.level
    }

    /// The name of the open microphone.
    pub fn microphone_name(&self) -> Option<&str> {
        match &self.microphone {
            MicrophoneState::Open { name } => Some(name),
            _ => None,
        }
    }

    /// The player's status for the take at `path`: its position and whether
    /// it plays (zero and paused when another take is loaded).
    pub fn playback_of(&self, path: &Path) -> Option<PlayerStatus> {
        let (loaded, generation) = self.playing.as_ref()?;
        let status = self.player;
        (loaded == path && status.generation == *generation).then_some(status)
    }

    /// The waveform of the take at `path`, if it has been asked for
    /// ([`Command::LoadWaveform`]).
    pub fn waveform(&self, path: &Path) -> Option<WaveformSlot> {
        self.waveforms.get(path).cloned()
    }

    /// Whether takes are transcribed: recognition is on and a model is
    /// installed (as far as the window knows).
    pub fn transcribes_takes(&self) -> bool {
        self.settings.speech.enabled && !self.no_speech_model
    }

    /// What follows the take just recorded in the session being
    /// practised, as far as follow-ups go ([`Session::follow_up_after`]):
    /// pending while the take is being saved, measured or transcribed.
    /// `None` without a session or an answer to the question (or
    /// follow-up) being asked.
    pub fn follow_up_after_latest(&self) -> Option<crate::store::NextFollowUp> {
        let active = self.active.as_ref()?;
        if !active.recordings.is_empty() {
            return Some(crate::store::NextFollowUp::Pending);
        }
        let session = self.sessions.get(&active.session_id)?;
        let take = session.latest_take_asked(&active.interview)?;
        let key = (active.session_id.clone(), take.file.clone());
        let transcript_coming = self.analysing.contains(&key)
            || matches!(
                self.transcripts.get(&key),
                Some(TranscriptSlot::Transcribing(_))
            );
        Some(session.follow_up_after(&take.file, transcript_coming))
    }

    /// How far the transcript of the take just recorded has come, 0 to
    /// 100, while it is being made.
    pub fn latest_transcript_percent(&self) -> Option<u8> {
        let active = self.active.as_ref()?;
        let take = self
            .sessions
            .get(&active.session_id)?
            .takes
            .get(active.latest_take?)?;
        match self
            .transcripts
            .get(&(active.session_id.clone(), take.file.clone()))?
        {
            TranscriptSlot::Transcribing(control) => Some(control.percent()),
            _ => None,
        }
    }

    /// The plan request of the home screen's choices.
    pub fn plan_request(&self) -> PlanRequest {
        PlanRequest {
            categories: self.home.selection.categories.iter().cloned().collect(),
            questions: self.home.selection.questions.iter().cloned().collect(),
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
            mode: crate::interview::SessionMode::Practice,
            follow_ups: self.settings.follow_ups,
        }
    }

    /// Removes the messages whose time is up at `now`
    /// ([`MESSAGE_FADES_AFTER`]).
    pub fn expire_messages(&mut self, now: Instant) {
        drop_faded(&mut self.messages, now);
    }

    /// The file a dialog answered with; when no dialog could open, the
    /// user is told to type the path instead.
    pub fn chosen_file(&mut self, answer: super::worker::DialogAnswer) -> Option<PathBuf> {
        use super::worker::DialogAnswer;
        match answer {
            DialogAnswer::Chosen(path) => Some(path),
            DialogAnswer::Cancelled => None,
            DialogAnswer::Unavailable => {
                self.say(DialogAnswer::UNAVAILABLE);
                None
            }
        }
    }

    /// Shows a message.
    pub fn say(&mut self, text: impl Into<String>) {
        self.messages.push(Message::warning(text.into()));
    }

    /// Shows how something the user asked for went: what was done (nothing
    /// when empty), or the error.
    pub fn report(&mut self, result: Result<String, String>) {
        match result {
            Ok(text) if text.is_empty() => {}
            Ok(text) => self.messages.push(Message::info(text)),
            Err(text) => self.say(text),
        }
    }

    /// How soon the window must draw itself again when nothing else wakes
    /// it: the level meter 20 times a second while it shows, a countdown
    /// when its second changes, playback and the app's own waits a few
    /// times a second. `None` when nothing on screen changes by itself, so
    /// an idle window draws nothing.
    pub fn repaint_after(&self, now: Instant) -> Option<Duration> {
        let mut after: Option<Duration> = None;
        let mut within = |wait: Duration| after = Some(after.map_or(wait, |a| a.min(wait)));
        let phase = self.active.as_ref().map(|a| a.interview.phase());
        let meter_shown = matches!(self.microphone, MicrophoneState::Open { .. })
            && (self.checking_level
                || self.mic_test == MicTest::Recording
                || phase == Some(Phase::Answering));
        if meter_shown || self.player.playing {
            within(METER_INTERVAL);
        }
        if let Some(first) = self.messages.iter().filter_map(Message::fades_at).min() {
            within(first.saturating_duration_since(now));
        }
        if let Some(active) = &self.active {
            if let Some(tick) = active.interview.until_next_second(now) {
                // A hair after the second turns, so the new one is shown.
                within(tick + Duration::from_millis(2));
            }
            if !active.recordings.is_empty()
                || matches!(phase, Some(Phase::Asking | Phase::Awaiting))
            {
                within(WAIT_INTERVAL);
            }
        }
        if matches!(self.microphone, MicrophoneState::Opening)
            || self.mic_test == MicTest::Waiting
            || self.export.as_ref().is_some_and(|e| e.running.is_some())
        {
            within(WAIT_INTERVAL);
        }
        after
    }

    /// Whether the background work asked for so far is done: the store is
    /// open, the history and waveforms are loaded, no export runs. For tests
    /// that step the window until things settle.
    pub fn is_settled(&self) -> bool {
        self.store_ready
            && self.sessions.is_listed()
            // The models list decides whether the speech offer shows.
            && self.speech.installed.is_some()
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
            && !self
                .transcripts
                .values()
                .any(|t| matches!(t, TranscriptSlot::Transcribing(_) | TranscriptSlot::Loading))
            && self.pending_plan.is_none()
            && self.mic_test != MicTest::Waiting
            && !self.voice.probing
            && !self.questions.busy
    }
}

/// The models part of the settings.
#[derive(Debug, Default)]
pub struct SpeechPanel {
    /// The installed models; `None` until the folder has been read.
    pub installed: Option<Vec<crate::speech::models::InstalledModel>>,
    /// The download running, if any: the model's name and its progress.
    pub download: Option<(String, Arc<super::models::DownloadShared>)>,
    /// An import or a removal is under way.
    pub busy: bool,
    /// The path typed (or chosen) of a model file to import.
    pub import_path: String,
    /// The large download asked about, waiting for a yes.
    pub confirm_download: Option<String>,
    /// Whether the sentence model is installed (`None`: not known yet).
    pub sentence_model: Option<bool>,
    /// The takes of the running "Transcribe all older takes", by
    /// (session id, file).
    pub older: Vec<(String, String)>,
}

impl SpeechPanel {
    /// Whether any model is installed (as far as known).
    pub fn has_model(&self) -> bool {
        self.installed.as_ref().is_some_and(|m| !m.is_empty())
    }
}

/// A take's transcript, as the window knows it.
#[derive(Clone, Debug)]
pub enum TranscriptSlot {
    /// Being made; the control says how far it is.
    Transcribing(crate::speech::Control),
    /// Being read from its file.
    Loading,
    /// Ready to show.
    Ready(Arc<crate::speech::Transcript>),
    /// It could not be made or read; why.
    Failed(String),
}

/// Removes from `messages` those whose time is up at `now`.
fn drop_faded(messages: &mut Vec<Message>, now: Instant) {
    messages.retain(|message| message.fades_at().is_none_or(|at| at > now));
}

/// Where the microphone test records.
pub fn mic_test_path(data_dir: &DataDir) -> PathBuf {
    data_dir.root().join("microphone-test.wav")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn information_fades_and_what_needs_the_user_stays() {
        let added = Message::info("Added a question.".to_owned());
        let said = added.at;
        let mut messages = vec![
            added,
            Message::warning("cannot read x.json".to_owned()),
            Message {
                open: Some(PathBuf::from("/tmp/export")),
                ..Message::info("Exported.".to_owned())
            },
        ];
        drop_faded(
            &mut messages,
            said + MESSAGE_FADES_AFTER - Duration::from_millis(1),
        );
        assert_eq!(messages.len(), 3);
        drop_faded(&mut messages, said + MESSAGE_FADES_AFTER);
        let left: Vec<&str> = messages.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(left, ["cannot read x.json", "Exported."]);
    }
}
