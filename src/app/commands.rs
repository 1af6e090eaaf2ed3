//! What the screens ask for, as values, and how the app carries it out
//! after the frame is drawn: the state machine's transitions, edits of
//! takes (saved at once), playback, history, export and settings.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::take_edit::{TakeEdit, apply_edit};
use super::transcripts::SpeechCommand;
use super::worker::WorkerRequest;
use super::{MicTest, MicrophoneState, RehearseApp, Screen};
use crate::interview::{Action, Interview, Phase, build_plan};
use crate::model::Rating;
use crate::store::settings::LastScreen;

/// What the user asked for; applied after the frame is drawn.
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub enum Command {
    /// Show a screen.
    Show(Screen),
    /// Read the waveform of the take at this path (once).
    LoadWaveform(PathBuf),
    /// Start a session with the home screen's choices.
    StartSession,
    /// Start a mock interview with the home screen's choices.
    StartMockInterview,
    /// Start answering before the think time is over.
    StartAnswer,
    /// Stop the answer.
    Stop,
    /// Record the question again.
    Retake,
    /// Answer the follow-up the take just recorded invites (practice).
    AnswerFollowUp,
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
    /// Rate the take just recorded.
    RateLatest(u8),
    /// Change a take of a session.
    EditTake {
        /// The session's id.
        session: String,
        /// Index of the take in the session.
        take: usize,
        /// The change.
        edit: TakeEdit,
    },
    /// Measure the speech of a take recorded before analysis existed.
    Analyze {
        /// The session's id.
        session: String,
        /// The take's file, relative to the session folder.
        file: String,
        /// The take's full path.
        path: PathBuf,
    },
    /// Transcripts and speech models.
    Speech(SpeechCommand),
    /// The user's questions and packs.
    Questions(super::QuestionCommand),
    /// The interviewer's voice.
    Voice(super::VoiceCommand),
    /// Play a take from where it is (loading it first if needed).
    Play(PathBuf),
    /// Pause playback.
    Pause,
    /// Move the play position of a take.
    Seek(PathBuf, Duration),
    /// Play a take from this position.
    PlayFrom(PathBuf, Duration),
    /// Choose the microphone (`None`: the system default).
    ChooseMicrophone(Option<String>),
    /// Open or close the microphone to see its level on the home screen.
    CheckLevel(bool),
    /// Record 3 seconds and play them back.
    TestMicrophone,
    /// Open a session in the review screen.
    OpenSession(String),
    /// Show every take of a question.
    OpenProgress(String),
    /// Ask to delete a session.
    RequestDelete(String),
    /// Delete the session the user confirmed.
    ConfirmDelete,
    /// Keep the session after all.
    CancelDelete,
    /// Open the export window for these sessions.
    OpenExport(Vec<String>),
    /// Open the system's save dialog for the export.
    ChooseExportDestination,
    /// Start the export.
    StartExport,
    /// Cancel the running export, or close the export window.
    CancelExport,
    /// Open a folder in the file manager.
    OpenFolder(PathBuf),
    /// The settings changed: apply and save them.
    SettingsChanged,
    /// Forget a message (its index in the list).
    DismissMessage(usize),
    /// Search the transcripts for a word or phrase.
    Search(String),
    /// Open a search result: its session, cued at the words.
    OpenHit(Box<crate::store::search::Hit>),
}

impl RehearseApp {
    /// Applies one command.
    pub fn apply(&mut self, command: Command) {
        let now = Instant::now();
        match command {
            Command::Show(screen) => self.show(screen),
            Command::LoadWaveform(path) => self.load_waveform(path),
            Command::StartSession => self.start_session(false),
            Command::StartMockInterview => self.start_session(true),
            Command::StartAnswer => self.drive(|i| i.start_answer(now)),
            Command::Stop => self.drive(|i| i.stop(now)),
            Command::Retake => self.drive(|i| i.retake(now)),
            Command::AnswerFollowUp => self.answer_follow_up(now),
            Command::Next => self.drive(|i| i.next(now)),
            Command::Skip => self.drive(|i| i.skip(now)),
            Command::RequestEnd => match &mut self.state.active {
                Some(active) if active.interview.phase() == Phase::Answering => {
                    active.confirm_end = true;
                }
                Some(_) => self.drive(Interview::end),
                None => {}
            },
            Command::End => {
                if let Some(active) = &mut self.state.active {
                    active.confirm_end = false;
                }
                self.drive(Interview::end);
            }
            Command::CancelEnd => {
                if let Some(active) = &mut self.state.active {
                    active.confirm_end = false;
                }
            }
            Command::RateLatest(stars) => {
                if let Some(active) = &self.state.active
                    && let Some(take) = active.latest_take
                {
                    let session = active.session_id.clone();
                    self.edit_take(&session, take, &TakeEdit::Rating(Rating::new(stars)));
                }
            }
            Command::EditTake {
                session,
                take,
                edit,
            } => self.edit_take(&session, take, &edit),
            Command::Analyze {
                session,
                file,
                path,
            } => self.analyze(&session, &file, path),
            Command::Speech(speech) => self.apply_speech(speech),
            Command::Questions(command) => self.apply_questions(command),
            Command::Voice(command) => self.apply_voice(command),
            Command::Play(path) => self.play(path),
            Command::Pause => self.services.player.pause(),
            Command::Seek(path, to) => self.seek(path, to),
            Command::PlayFrom(path, from) => self.play_from(path, from),
            Command::ChooseMicrophone(id) => self.choose_microphone(id),
            Command::CheckLevel(on) => self.check_level(on),
            Command::TestMicrophone => self.test_microphone(),
            Command::OpenSession(id) => self.open_session(id),
            Command::OpenProgress(id) => {
                self.state.progress_question = Some(id);
                self.state.screen = Screen::Progress;
            }
            Command::RequestDelete(id) => self.state.history.confirm_delete = Some(id),
            Command::CancelDelete => self.state.history.confirm_delete = None,
            Command::ConfirmDelete => self.confirm_delete(),
            Command::OpenExport(sessions) => self.open_export(sessions),
            Command::ChooseExportDestination => self.choose_export_destination(),
            Command::StartExport => self.start_export(),
            Command::CancelExport => {
                match self.state.export.as_ref().and_then(|p| p.running.as_ref()) {
                    Some(progress) => progress
                        .cancel
                        .store(true, std::sync::atomic::Ordering::Relaxed),
                    None => self.state.export = None,
                }
            }
            Command::OpenFolder(path) => {
                if let Err(err) = open_in_file_manager(&path) {
                    self.state
                        .say(format!("Cannot open {}: {err}", path.display()));
                }
            }
            // The window shell follows `settings.theme` after every frame.
            Command::SettingsChanged => self.save_settings(),
            Command::Search(query) => self.search(query),
            Command::OpenHit(hit) => self.open_hit(&hit),
            Command::DismissMessage(index) => {
                if index < self.state.messages.len() {
                    self.state.messages.remove(index);
                }
            }
        }
    }

    /// Asks the follow-up the take just recorded invites, when there is
    /// one (practice).
    fn answer_follow_up(&mut self, now: Instant) {
        if let Some(crate::store::NextFollowUp::Ask(choice)) = self.state.follow_up_after_latest() {
            self.drive(|i| i.answer_follow_up(choice.ask, choice.reason, now));
        }
    }

    /// Shows session `id` in the review screen.
    fn open_session(&mut self, id: String) {
        if self.state.sessions.get(&id).is_some() {
            self.state.review = Some(id);
            self.state.screen = Screen::Review;
        } else {
            self.state
                .say(format!("Session {id} is not in the history."));
        }
    }

    /// Remembers the microphone chosen, reopening it if it was open.
    fn choose_microphone(&mut self, id: Option<String>) {
        self.state.settings.microphone = id;
        self.save_settings();
        let reopen = !matches!(self.state.microphone, MicrophoneState::Closed);
        self.close_microphone();
        if reopen {
            self.open_microphone();
        }
    }

    /// Shows (and opens) or hides the level meter.
    fn check_level(&mut self, on: bool) {
        self.state.checking_level = on;
        if on {
            self.open_microphone();
        } else {
            self.release_microphone();
        }
    }

    /// Records 3 s and plays them back (not during a session).
    fn test_microphone(&mut self) {
        if self.state.mic_test == MicTest::Idle && self.state.active.is_none() {
            self.state.mic_test = MicTest::Waiting;
            if matches!(self.state.microphone, MicrophoneState::Open { .. }) {
                self.start_mic_test();
            } else {
                self.open_microphone();
            }
        }
    }

    /// Deletes the session the user confirmed.
    fn confirm_delete(&mut self) {
        if let Some(id) = self.state.history.confirm_delete.take() {
            if self.state.read_only {
                self.state
                    .say("Another Rehearse owns the data folder; nothing was deleted.");
            } else {
                self.services.player.unload();
                self.state.playing = None;
                self.services.worker.send(WorkerRequest::DeleteSession(id));
            }
        }
    }

    fn show(&mut self, screen: Screen) {
        if self.state.active.is_some() && screen != Screen::Interview {
            self.state.say("End the session first (Esc).");
            return;
        }
        if matches!(screen, Screen::History | Screen::Home) {
            self.load_listing();
        }
        // A model installed or removed from the terminal meanwhile is seen.
        if matches!(screen, Screen::Settings | Screen::Home) {
            self.apply_speech(SpeechCommand::RefreshModels);
        }
        let remembered = match screen {
            Screen::Home => Some(LastScreen::Practice),
            Screen::History => Some(LastScreen::History),
            Screen::Settings => Some(LastScreen::Settings),
            _ => None,
        };
        if let Some(last) = remembered
            && last != self.state.settings.last_screen
        {
            self.state.settings.last_screen = last;
            self.save_settings();
        }
        self.state.screen = screen;
        self.release_microphone();
    }

    /// Starts a practice session, or a mock interview (`mock`), with the
    /// home screen's choices.
    fn start_session(&mut self, mock: bool) {
        if self.state.read_only {
            self.state
                .say("Another Rehearse is using the data folder; close it to record.");
            return;
        }
        if self.state.active.is_some() || self.state.pending_plan.is_some() {
            return;
        }
        self.save_settings();
        let mut request = self.state.plan_request();
        if mock {
            request = request.mock_interview(fastrand::u64(..));
        }
        match build_plan(self.state.bank.questions(), &request, &self.state.records) {
            Ok(plan) => {
                // The microphone opens first (it can take a second to start),
                // so a missing one stops nothing half-made.
                if matches!(self.state.microphone, MicrophoneState::Open { .. }) {
                    self.services
                        .worker
                        .send(WorkerRequest::CreateSession(Box::new(plan.clone())));
                } else {
                    self.state.start_when_open = true;
                    self.open_microphone();
                }
                self.state.pending_plan = Some(plan);
            }
            Err(err) => self.state.say(format!("Cannot start: {err}")),
        }
    }

    pub(super) fn save_settings(&mut self) {
        // The practice screen's count and order are remembered as last
        // used; its think time and answer limit are the session's own (the
        // defaults change only in Settings).
        self.state.settings.questions_per_session = self.state.home.count;
        self.state.settings.order = self.state.home.order;
        self.services
            .worker
            .send(WorkerRequest::SaveSettings(Box::new(
                self.state.settings.clone(),
            )));
    }

    /// Runs a transition of the state machine and carries out its actions.
    pub(super) fn drive(&mut self, transition: impl FnOnce(&mut Interview) -> Vec<Action>) {
        let Some(active) = &mut self.state.active else {
            return;
        };
        let actions = transition(&mut active.interview);
        if actions.is_empty() {
            return;
        }
        let Some(mic) = &self.services.microphone else {
            self.state.say("The microphone is not open.");
            return;
        };
        for action in actions {
            match action {
                Action::StartRecording(request) => {
                    // The voice never plays while recording.
                    if let Some(voice) = &self.services.voice {
                        voice.stop();
                    }
                    let Some(session) = self.state.sessions.get(&active.session_id) else {
                        log::error!("session {} is not in the store", active.session_id);
                        continue;
                    };
                    let planned = crate::store::planned_take(
                        &self.state.data_dir,
                        session,
                        &request,
                        active.interview.follow_up(),
                    );
                    active.recordings.start(mic, request, planned);
                }
                Action::StopRecording(reason) => active.recordings.stop(mic, reason),
            }
        }
    }

    /// Applies `edit` to the session in the store and saves it.
    fn edit_take(&mut self, session_id: &str, take: usize, edit: &TakeEdit) {
        if self.state.read_only {
            self.state
                .say("Another Rehearse owns the data folder; changes cannot be saved.");
            return;
        }
        if self.update_session(session_id, |session| apply_edit(session, take, edit))
            && matches!(edit, TakeEdit::Rating(_))
        {
            self.state.history.refresh(&self.state.sessions);
        }
    }

    fn play(&mut self, path: PathBuf) {
        self.cue(path, None, true);
    }

    fn play_from(&mut self, path: PathBuf, from: Duration) {
        self.cue(path, Some(from), true);
    }

    pub(super) fn seek(&mut self, path: PathBuf, to: Duration) {
        self.cue(path, Some(to), false);
    }

    /// Moves playback of `path` to `to` (where it is, when `None`) and
    /// plays from there when `play`; a take not loaded yet is loaded so.
    fn cue(&mut self, path: PathBuf, to: Option<Duration>, play: bool) {
        match &self.state.playing {
            Some((loaded, _)) if *loaded == path => {
                if let Some(to) = to {
                    self.services.player.seek(to);
                }
                if play {
                    self.services.player.play();
                }
            }
            _ => {
                let generation = self
                    .services
                    .player
                    .load(&path, to.unwrap_or_default(), play);
                self.state.playing = Some((path, generation));
            }
        }
    }
}

/// Opens `path` in the system's file manager (without waiting for it).
pub fn open_in_file_manager(path: &std::path::Path) -> std::io::Result<()> {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let mut child = std::process::Command::new(program)
        .arg(path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    // Reap it in the background so it leaves no zombie.
    std::thread::spawn(move || {
        if let Err(err) = child.wait() {
            log::debug!("{program}: {err}");
        }
    });
    Ok(())
}
