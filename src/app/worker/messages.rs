//! What the window asks of the worker ([`WorkerRequest`]) and what it hears
//! back ([`WorkerEvent`]).

use std::path::PathBuf;
use std::sync::Arc;

use crate::analysis::SpeechMetrics;
use crate::app::jobs::{Priority, Transcription};
use crate::app::{ExportProgress, WaveformSlot};
use crate::audio::{self, DeviceInfo, Microphone, TakeFormat};
use crate::interview::Plan;
use crate::speech::{Control, Transcript};
use crate::store::Take;
use crate::store::export::{ExportRequest, ExportSummary};
use crate::store::settings::Settings;
use crate::store::{Listing, Session};

/// Work for the background thread.
pub enum WorkerRequest {
    /// List the microphones.
    ListDevices,
    /// Open a microphone (its id, or the default).
    OpenMicrophone {
        /// The remembered id, if any.
        id: Option<String>,
        /// Format of the takes.
        format: TakeFormat,
        /// Which of the window's requests this is (the answer carries it).
        request: u64,
    },
    /// Close a microphone (closing can take a moment).
    CloseMicrophone(Box<Microphone>),
    /// Start a session for a plan.
    CreateSession(Box<Plan>),
    /// Write a session's manifest.
    SaveSession(Box<Session>),
    /// Write the settings.
    SaveSettings(Box<Settings>),
    /// Read every session; the stamp is the window's session generation
    /// when it asked ([`crate::app::SessionStore::merge`]).
    LoadListing(u64),
    /// Read the transcripts of these sessions for the search (on a thread
    /// of its own, so saves do not wait).
    IndexTranscripts(Vec<Session>),
    /// Read a take's waveform.
    LoadWaveform(PathBuf),
    /// Keep a new take's peak summary beside it, so it opens at once.
    SavePeaks(PathBuf, Box<audio::level::PeakSummary>),
    /// Delete a session.
    DeleteSession(String),
    /// Ask the user where to export to, with the system's save dialog.
    ChooseExportDestination {
        /// Where the dialog starts.
        suggested: PathBuf,
        /// A zip file, rather than a folder.
        zip: bool,
    },
    /// Measure a take's speech (on the job queue).
    AnalyzeTake {
        /// The session's id.
        session: String,
        /// The take's file, relative to the session folder.
        file: String,
        /// The take's full path.
        path: PathBuf,
        /// How soon.
        priority: Priority,
    },
    /// Transcribe a take (on the job queue) and write its transcript.
    TranscribeTake {
        /// The session's id.
        session: String,
        /// The take.
        take: Box<Take>,
        /// The question it answers, as the session recorded it (its
        /// content is judged against it).
        question: Option<Box<crate::store::AskedQuestion>>,
        /// The chosen model (`None`: the best installed).
        model: Option<String>,
        /// Progress and cancellation, shared with the window.
        control: Control,
        /// How soon.
        priority: Priority,
    },
    /// Judge what a take transcribed before content was judged covered.
    JudgeTake {
        /// The session's id.
        session: String,
        /// The take's file, relative to the session folder.
        file: String,
        /// Its transcript.
        transcript: Arc<Transcript>,
        /// The question it answers, as the session recorded it.
        question: Box<crate::store::AskedQuestion>,
    },
    /// List, download, import or remove speech recognition models.
    Models(crate::app::models::ModelRequest),
    /// Change the user's questions or packs.
    Questions(Box<crate::app::questions::QuestionRequest>),
    /// Read a take's transcript file.
    LoadTranscript {
        /// The session's id.
        session: String,
        /// The take.
        take: Box<Take>,
    },
    /// Export sessions.
    Export {
        /// What and where.
        request: Box<ExportRequest>,
        /// Progress and cancel, shared with the window.
        progress: Arc<ExportProgress>,
    },
}

impl WorkerRequest {
    /// What the worker is doing while it handles this request, for a
    /// message ("while it was …").
    pub fn describe(&self) -> &'static str {
        match self {
            Self::ListDevices => "listing the microphones",
            Self::OpenMicrophone { .. } => "opening the microphone",
            Self::CloseMicrophone(_) => "closing the microphone",
            Self::CreateSession(_) => "starting a session",
            Self::SaveSession(_) => "saving a session",
            Self::SaveSettings(_) => "saving the settings",
            Self::LoadListing(_) => "reading the history",
            Self::IndexTranscripts(_) => "reading the transcripts for the search",
            Self::LoadWaveform(_) => "reading a waveform",
            Self::SavePeaks(..) => "saving a waveform",
            Self::DeleteSession(_) => "deleting a session",
            Self::ChooseExportDestination { .. } => "opening the file dialog",
            Self::AnalyzeTake { .. } => "queueing a take's analysis",
            Self::TranscribeTake { .. } => "queueing a transcription",
            Self::JudgeTake { .. } => "queueing a judging of content",
            Self::Models(_) => "managing the speech models",
            Self::Questions(_) => "changing the questions",
            Self::LoadTranscript { .. } => "reading a transcript",
            Self::Export { .. } => "starting an export",
        }
    }
}

/// What the background thread reports.
pub enum WorkerEvent {
    /// The store opened: whether read-only, and what was recovered.
    StoreOpened {
        /// Why the data folder is read-only for this window, when it is.
        read_only: Option<String>,
        /// Messages about takes recovered after a crash.
        recovered: Vec<String>,
    },
    /// Every session, read for the request stamped so.
    Listing(Box<Listing>, u64),
    /// The microphones.
    Devices(Vec<DeviceInfo>),
    /// A microphone opened for a request (with a warning if the chosen one
    /// was missing).
    MicrophoneOpened(Box<Microphone>, Option<String>, u64),
    /// The microphone could not be opened for a request; the text names it.
    MicrophoneFailed(String, u64),
    /// A session was created.
    SessionCreated(Box<Session>),
    /// A session could not be created; the text names the file.
    SessionNotCreated(String),
    /// A take's speech metrics, or why it could not be analysed.
    TakeAnalyzed {
        /// The session's id.
        session: String,
        /// The take's file, relative to the session folder.
        file: String,
        /// The metrics, or the error naming the file.
        result: Result<SpeechMetrics, String>,
    },
    /// A take was transcribed, or why not.
    TakeTranscribed {
        /// The session's id.
        session: String,
        /// The take's file, relative to the session folder.
        file: String,
        /// How it ended.
        result: Transcription,
    },
    /// A take's transcript file was read, or why it cannot be.
    TranscriptLoaded {
        /// The session's id.
        session: String,
        /// The take's file, relative to the session folder.
        file: String,
        /// The transcript, or the error naming the file.
        result: Result<Arc<Transcript>, String>,
    },
    /// The installed speech recognition models, or why they cannot be read.
    Models(Result<Vec<crate::speech::models::InstalledModel>, String>),
    /// Whether the sentence model is installed.
    SentenceModel(bool),
    /// What an older take's answer covered (`None`: nothing to judge).
    ContentJudged {
        /// The session's id.
        session: String,
        /// The take's file, relative to the session folder.
        file: String,
        /// The content.
        content: Option<Box<crate::content::Content>>,
    },
    /// A model download, import or removal ended: what to tell the user
    /// (empty when there is nothing to say), or the error.
    ModelChanged(Result<String, String>),
    /// What the system's dialog for a model file answered.
    ModelFileChosen(DialogAnswer),
    /// The user's questions or packs changed, or a change was refused.
    Questions(crate::app::questions::QuestionEvent),
    /// A take's waveform, or why it cannot be read.
    Waveform(PathBuf, WaveformSlot),
    /// A session was deleted.
    SessionDeleted(String),
    /// The transcripts of the history, read for the search.
    TranscriptsIndexed(Box<crate::store::search::TranscriptIndex>),
    /// Where the user chose to export to, in the system's dialog.
    ExportDestination(DialogAnswer),
    /// An export ended; the error names the file.
    ExportFinished(Result<ExportSummary, String>),
    /// Something failed; the text says what and names the file or device.
    Failed(String),
}

/// What one of the system's file dialogs answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DialogAnswer {
    /// The user chose this file.
    Chosen(PathBuf),
    /// The user closed the dialog.
    Cancelled,
    /// No dialog could open (no desktop portal and no zenity, as on many
    /// tiling window managers): the user types the path instead.
    Unavailable,
}

impl DialogAnswer {
    /// What the user is told when no dialog could open.
    pub const UNAVAILABLE: &'static str = "No file dialog could open on this desktop (Rehearse \
        asks the desktop portal, then zenity; neither answered). Type the file's path in the \
        field beside Choose… instead.";

    /// Runs `dialog` (an `rfd` dialog, which answers `None` both for a
    /// cancel and for a dialog that could not open) and tells the two
    /// apart by the error `rfd` logged.
    pub fn ask(dialog: impl FnOnce() -> Option<PathBuf>) -> Self {
        match crate::logging::file_dialog_error(dialog) {
            (Some(path), _) => Self::Chosen(path),
            (None, None) => Self::Cancelled,
            (None, Some(_logged)) => Self::Unavailable,
        }
    }
}
