//! What the app takes in before every frame: the worker's results, the
//! recorder's and the player's reports, and the countdowns.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::RehearseApp;
use super::jobs;
use super::state::{
    ActiveSession, MIC_TEST_SECONDS, Message, MicTest, MicrophoneState, Screen, WaveformSlot,
    mic_test_path,
};
use super::worker::{WorkerEvent, WorkerRequest};
use crate::audio::player::PlayerEvent;
use crate::audio::waveform::Waveform;
use crate::audio::{Microphone, RecorderEvent, TakeEnd, TakeSummary};
use crate::interview::{Interview, Phase, StopReason};
use crate::recording::{PendingTake, Recordings, Report, microphone_failed};
use crate::store::export::ExportSummary;
use crate::store::history::practice_records;
use crate::store::{NextFollowUp, Session};

impl RehearseApp {
    /// Takes in what the worker, the recorder and the player report, and
    /// advances the countdowns. Runs before every frame.
    pub fn poll(&mut self) {
        while let Some(event) = self.services.worker.try_recv() {
            self.on_worker_event(event);
        }
        while let Some(PlayerEvent::Failed(message)) = self.services.player.try_event() {
            self.state.say(message);
        }
        self.state.expire_messages(Instant::now());
        self.state.player = self.services.player.status();
        self.state.level = self.services.microphone.as_ref().map(|mic| mic.level());
        if let MicTest::Playing(path) = &self.state.mic_test
            && let Some(status) = self.state.playback_of(path)
            && !status.playing
            && status.position >= status.duration
        {
            self.state.mic_test = MicTest::Idle;
        }
        self.poll_recorder();
        self.poll_voice();
        let now = Instant::now();
        self.drive(|i| i.tick(now));
        self.await_follow_up(now);
        self.finish_if_done();
    }

    /// A mock interview waiting after an answer: once the answer's
    /// transcript has been judged (or none is coming), asks the follow-up
    /// it invites, or goes on to the next question.
    fn await_follow_up(&mut self, now: Instant) {
        let Some(active) = &mut self.state.active else {
            return;
        };
        if active.interview.phase() != Phase::Awaiting {
            active.awaiting_since = None;
            return;
        }
        active.awaiting_since.get_or_insert(now);
        match self.state.follow_up_after_latest() {
            Some(NextFollowUp::Pending) => {}
            Some(NextFollowUp::Ask(choice)) => {
                self.drive(|i| i.answer_follow_up(choice.ask, choice.reason, now));
            }
            Some(NextFollowUp::Nothing) | None => self.drive(|i| i.no_follow_up(now)),
        }
    }

    fn on_worker_event(&mut self, event: WorkerEvent) {
        match event {
            WorkerEvent::StoreOpened {
                read_only,
                recovered,
            } => self.store_opened(read_only, recovered),
            WorkerEvent::Listing(listing, asked_at) => {
                let bank = &self.state.bank;
                self.state
                    .sessions
                    .merge(*listing, asked_at, |s| s.fill_missing_from_bank(bank));
                self.state.records = practice_records(self.state.sessions.all());
                self.state.history.refresh(&self.state.sessions);
                self.index_transcripts();
            }
            WorkerEvent::TranscriptsIndexed(index) => self.transcripts_indexed(*index),
            WorkerEvent::Devices(devices) => self.state.devices = devices,
            microphone
            @ (WorkerEvent::MicrophoneOpened(..) | WorkerEvent::MicrophoneFailed(..)) => {
                self.on_microphone_event(microphone);
            }
            WorkerEvent::SessionCreated(session) => self.session_created(*session),
            WorkerEvent::SessionNotCreated(message) => {
                self.state.pending_plan = None;
                self.state
                    .say(format!("Cannot start the session: {message}"));
                self.release_microphone();
            }
            WorkerEvent::TakeAnalyzed {
                session,
                file,
                result,
            } => {
                self.state
                    .analysing
                    .remove(&(session.clone(), file.clone()));
                match result {
                    Ok(metrics) => {
                        self.update_session(&session, |s| {
                            if let Some(take) = s.takes.iter_mut().find(|t| t.file == file) {
                                take.metrics = Some(metrics.clone());
                            }
                        });
                        self.state.history.refresh(&self.state.sessions);
                    }
                    Err(message) => self.state.say(message),
                }
                // After the analysis, the transcript (when recognition is on).
                if self.state.transcribes_takes() {
                    self.transcribe(&session, &file, jobs::Priority::Current, false);
                }
            }
            speech @ (WorkerEvent::TakeTranscribed { .. }
            | WorkerEvent::Models(_)
            | WorkerEvent::SentenceModel(_)
            | WorkerEvent::ContentJudged { .. }
            | WorkerEvent::ModelChanged(_)
            | WorkerEvent::ModelFileChosen(_)
            | WorkerEvent::TranscriptLoaded { .. }) => self.on_speech_event(speech),
            WorkerEvent::Waveform(path, slot) => {
                self.state.waveforms.insert(path, slot);
            }
            WorkerEvent::SessionDeleted(id) => {
                self.unindex_session(&id);
                self.state.sessions.remove(&id);
                if self.state.review.as_ref().is_some_and(|s| *s == id) {
                    self.state.review = None;
                    if self.state.screen == Screen::Review {
                        self.state.screen = Screen::History;
                    }
                }
                self.state
                    .messages
                    .push(Message::info(format!("Deleted session {id}.")));
                self.load_listing();
            }
            WorkerEvent::ExportDestination(chosen) => {
                let chosen = self.state.chosen_file(chosen);
                if let Some(panel) = &mut self.state.export {
                    panel.choosing = false;
                    if let Some(path) = chosen {
                        panel.destination = path.display().to_string();
                    }
                }
            }
            WorkerEvent::ExportFinished(result) => self.export_finished(result),
            WorkerEvent::Questions(event) => self.on_questions_event(event),
            WorkerEvent::Failed(message) => self.state.say(message),
        }
    }

    /// The worker opened the microphone, or could not; an answer to a
    /// request that is no longer the latest is stale.
    fn on_microphone_event(&mut self, event: WorkerEvent) {
        match event {
            WorkerEvent::MicrophoneOpened(mic, _, request)
                if request != self.services.microphone_request =>
            {
                // Closed (or reopened) while it was opening: not wanted.
                self.services
                    .worker
                    .send(WorkerRequest::CloseMicrophone(mic));
            }
            WorkerEvent::MicrophoneOpened(mic, warning, _) => self.microphone_opened(mic, warning),
            WorkerEvent::MicrophoneFailed(message, request)
                if request != self.services.microphone_request =>
            {
                log::info!("a microphone no longer wanted failed to open: {message}");
            }
            WorkerEvent::MicrophoneFailed(message, _) => {
                self.state.microphone = MicrophoneState::Closed;
                if self.state.mic_test == MicTest::Waiting {
                    self.state.mic_test = MicTest::Idle;
                }
                if self.state.start_when_open {
                    self.state.start_when_open = false;
                    self.state.pending_plan = None;
                    self.state
                        .say(format!("Cannot start the session: {message}"));
                } else {
                    self.state.say(message);
                }
            }
            _ => {}
        }
    }

    /// The store is open: read-only or not, and what it recovered.
    fn store_opened(&mut self, read_only: Option<String>, recovered: Vec<String>) {
        self.state.store_ready = true;
        // Which speech models are installed (the review and settings show it).
        self.services
            .worker
            .send(WorkerRequest::Models(super::models::ModelRequest::List));
        self.state.read_only = read_only.is_some();
        if let Some(reason) = read_only {
            let mut reason = reason;
            if let Some(first) = reason.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            self.state.say(format!(
                "{reason}; this window can look but not record or change anything."
            ));
        }
        self.state
            .messages
            .extend(recovered.into_iter().map(Message::warning));
    }

    /// The microphone is open: what was waiting for it goes on.
    fn microphone_opened(&mut self, mic: Box<Microphone>, warning: Option<String>) {
        if let Some(warning) = warning {
            self.state.say(warning);
        }
        self.state.microphone = MicrophoneState::Open {
            name: mic.info().name.clone(),
        };
        self.services.microphone = Some(mic);
        if self.state.mic_test == MicTest::Waiting {
            self.start_mic_test();
        }
        if self.state.start_when_open {
            self.state.start_when_open = false;
            if let Some(plan) = &self.state.pending_plan {
                self.services
                    .worker
                    .send(WorkerRequest::CreateSession(Box::new(plan.clone())));
            }
        }
    }

    /// An export ended: say where it went (offering the folder), or why not.
    fn export_finished(&mut self, result: Result<ExportSummary, String>) {
        if let Some(panel) = &mut self.state.export {
            panel.running = None;
        }
        match result {
            Ok(summary) => {
                self.state.export = None;
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
                self.state.messages.push(Message {
                    open: Some(folder),
                    ..Message::info(text)
                });
            }
            Err(message) => self.state.say(message),
        }
    }

    fn session_created(&mut self, session: Session) {
        let aloud = self.state.settings.voice.read_aloud;
        if aloud {
            self.voice();
        }
        let planned = self.state.pending_plan.take().map(Interview::new);
        match planned.map(|made| made.map(|interview| interview.reading_aloud(aloud))) {
            Some(Ok(interview)) => {
                let session_id = session.id.clone();
                self.state.sessions.insert(session);
                self.state.history.refresh(&self.state.sessions);
                self.state.active = Some(ActiveSession {
                    interview,
                    session_id,
                    recordings: Recordings::default(),
                    latest_take: None,
                    confirm_end: false,
                    show_tips: false,
                    reading: None,
                    awaiting_since: None,
                });
                self.state.screen = Screen::Interview;
                self.begin_session();
            }
            _ => self.state.say("The session could not be planned."),
        }
    }

    fn begin_session(&mut self) {
        let now = Instant::now();
        self.drive(|i| i.start(now));
    }

    pub(super) fn start_mic_test(&mut self) {
        let Some(mic) = &self.services.microphone else {
            return;
        };
        let path = mic_test_path(&self.state.data_dir);
        mic.start_take(path, Some(Duration::from_secs(MIC_TEST_SECONDS)));
        self.state.mic_test = MicTest::Recording;
    }

    fn poll_recorder(&mut self) {
        let Some(mic) = &self.services.microphone else {
            return;
        };
        let events: Vec<RecorderEvent> = mic.events().try_iter().collect();
        for event in events {
            if self.state.mic_test == MicTest::Recording {
                self.mic_test_event(event);
                continue;
            }
            let Some(active) = &mut self.state.active else {
                if let RecorderEvent::StreamFailed(why) = event {
                    self.state.say(microphone_failed(&why));
                }
                continue;
            };
            match active.recordings.report(event) {
                Report::Started(_) => {}
                Report::Finished {
                    pending,
                    summary,
                    last,
                } => self.take_finished(&pending, &summary, last),
                Report::Failed { error, last, .. } => {
                    self.state.say(error);
                    if last {
                        self.drive(|i| {
                            i.recording_stopped(StopReason::WriteFailed, Instant::now())
                        });
                    }
                }
                Report::MicrophoneFailed(message) => self.state.say(message),
            }
        }
        self.end_if_microphone_failed();
    }

    /// The session's one rule for a microphone that stopped working (the
    /// terminal keeps it too): once its takes are saved, the session ends,
    /// and the microphone is closed so the next session opens it afresh.
    fn end_if_microphone_failed(&mut self) {
        let Some(active) = &self.state.active else {
            return;
        };
        let Some(message) = active.recordings.session_must_end(active.interview.phase()) else {
            return;
        };
        self.state.say(message);
        self.drive(Interview::end);
        self.close_microphone();
    }

    /// What the recorder reported during the microphone test.
    fn mic_test_event(&mut self, event: RecorderEvent) {
        match event {
            RecorderEvent::TakeStarted { .. } => {}
            RecorderEvent::TakeFinished(summary) => self.mic_test_finished(&summary),
            RecorderEvent::TakeFailed { error, .. } => {
                self.state.say(error);
                self.state.mic_test = MicTest::Idle;
            }
            RecorderEvent::StreamFailed(why) => {
                self.state.say(microphone_failed(&why));
                self.state.mic_test = MicTest::Idle;
            }
        }
    }

    fn mic_test_finished(&mut self, summary: &TakeSummary) {
        if let Some(warning) = summary.silence_warning() {
            self.state.say(format!("Warning: {warning}"));
        }
        let path = summary.path.clone();
        self.state.waveforms.remove(&path);
        let generation = self.services.player.load(&path, Duration::ZERO, true);
        self.state.playing = Some((path.clone(), generation));
        self.state.mic_test = MicTest::Playing(path);
        self.release_microphone();
    }

    fn take_finished(&mut self, pending: &PendingTake, summary: &TakeSummary, last: bool) {
        let Some(active) = &mut self.state.active else {
            return;
        };
        let session_id = active.session_id.clone();
        let Some((latest, file, stopped)) = self.state.sessions.edit(&session_id, |session| {
            let take = pending.recorded_take(session, summary);
            let (file, stopped) = (take.file.clone(), take.stopped);
            session.takes.push(take);
            (session.takes.len() - 1, file, stopped)
        }) else {
            return;
        };
        let moves_on = last.then_some(stopped);
        active.latest_take = Some(latest);
        let mut warnings = Vec::new();
        if let TakeEnd::DeviceLost(_) | TakeEnd::WriteFailed(_) = summary.ended {
            warnings.push(format!("{}; what was recorded is kept.", summary.ended));
        }
        if let Some(warning) = summary.silence_warning() {
            warnings.push(format!("Warning: {warning}"));
        }
        self.state.waveforms.insert(
            summary.path.clone(),
            WaveformSlot::Ready(Arc::new(Waveform::new(&summary.peaks))),
        );
        self.save_session(&session_id);
        self.services.worker.send(WorkerRequest::SavePeaks(
            summary.path.clone(),
            Box::new(summary.peaks.clone()),
        ));
        self.analyze(&session_id, &file, summary.path.clone());
        // Transcribed at once, while it is measured: its follow-up waits
        // for the transcript only.
        if self.state.transcribes_takes() {
            self.transcribe(&session_id, &file, jobs::Priority::Current, false);
        }
        for warning in warnings {
            self.state.say(warning);
        }
        if let Some(reason) = moves_on {
            self.drive(|i| i.recording_stopped(reason, Instant::now()));
        }
    }

    /// Measures the speech of a take in the background.
    pub(crate) fn analyze(&mut self, session: &str, file: &str, path: PathBuf) {
        if self
            .state
            .analysing
            .insert((session.to_owned(), file.to_owned()))
        {
            // A take the user has just recorded or asked about: first.
            self.services.worker.send(WorkerRequest::AnalyzeTake {
                session: session.to_owned(),
                file: file.to_owned(),
                path,
                priority: jobs::Priority::Current,
            });
        }
    }

    /// Changes session `id` in the window's store with `change`, and saves
    /// it; whether the store has it.
    pub(crate) fn update_session(&mut self, id: &str, change: impl FnOnce(&mut Session)) -> bool {
        if self.state.sessions.edit(id, change).is_none() {
            return false;
        }
        self.save_session(id);
        true
    }

    /// Asks the worker to write the store's copy of session `id`.
    pub(crate) fn save_session(&mut self, id: &str) {
        if self.state.read_only {
            return;
        }
        if let Some(session) = self.state.sessions.get(id) {
            self.services
                .worker
                .send(WorkerRequest::SaveSession(Box::new(session.clone())));
        }
    }

    /// Asks the worker to read the history again; the listing merges into
    /// the store ([`super::SessionStore::merge`]).
    pub(crate) fn load_listing(&mut self) {
        let asked_at = self.state.sessions.generation();
        self.services
            .worker
            .send(WorkerRequest::LoadListing(asked_at));
    }

    /// When the interview has finished and its last take is saved, shows
    /// the whole session in the review screen.
    fn finish_if_done(&mut self) {
        let done = self
            .state
            .active
            .as_ref()
            .is_some_and(|a| a.interview.phase() == Phase::Finished && a.recordings.is_empty());
        if !done {
            return;
        }
        self.silence_voice();
        if let Some(active) = self.state.active.take() {
            let id = active.session_id;
            self.update_session(&id, |s| s.ended_at = Some(Timestamp::now()));
            self.state.review = Some(id);
            self.state.screen = Screen::Review;
            self.release_microphone();
            self.load_listing();
        }
    }
}
