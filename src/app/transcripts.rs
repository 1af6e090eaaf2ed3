//! Speech recognition in the window: the [`SpeechCommand`]s of the review
//! and the settings, asking the worker to transcribe a take (the newest
//! first, older ones on request), to read a take's transcript file or to
//! list, download, import or remove a model, and taking in what it reports.

use std::sync::Arc;

use super::jobs;
use super::models::{DownloadShared, ModelRequest};
use super::state::TranscriptSlot;
use super::worker::{WorkerEvent, WorkerRequest};
use super::{RehearseApp, Screen};

/// The commands about transcripts and speech models.
#[derive(Clone, Debug, PartialEq)]
pub enum SpeechCommand {
    /// Transcribe a take now (the user asked).
    Transcribe {
        /// The session's id.
        session: String,
        /// The take's file, relative to the session folder.
        file: String,
    },
    /// Read a take's transcript file, once.
    LoadTranscript {
        /// The session's id.
        session: String,
        /// The take's file, relative to the session folder.
        file: String,
    },
    /// Read the models folder again.
    RefreshModels,
    /// Ask whether to download the published model of this name (`None`:
    /// the answer was no).
    AskDownload(Option<String>),
    /// Download the published model of this name.
    DownloadModel(String),
    /// Stop the download (what arrived is kept).
    CancelDownload,
    /// Choose a model file with the system's dialog, then import it.
    ChooseModelFile,
    /// Import the model file whose path was typed or chosen.
    ImportModel,
    /// Remove the installed model of this name.
    RemoveModel(String),
    /// Transcribe every older take without a transcript.
    TranscribeOlder,
    /// Stop transcribing older takes.
    CancelOlder,
    /// The user answered the review's offer to set up speech recognition:
    /// `true` opens the settings.
    AnswerSpeechOffer(bool),
}

impl RehearseApp {
    /// The speech recognition commands: transcripts and models.
    pub(super) fn apply_speech(&mut self, command: SpeechCommand) {
        match command {
            SpeechCommand::Transcribe { session, file } => {
                self.transcribe(&session, &file, jobs::Priority::Current, true);
            }
            SpeechCommand::LoadTranscript { session, file } => {
                self.load_transcript(&session, &file);
            }
            SpeechCommand::RefreshModels => self.models(ModelRequest::List),
            SpeechCommand::AskDownload(name) => self.state.speech.confirm_download = name,
            SpeechCommand::DownloadModel(name) if self.state.speech.download.is_none() => {
                self.state.speech.confirm_download = None;
                let shared = Arc::new(DownloadShared::default());
                self.state.speech.download = Some((name.clone(), Arc::clone(&shared)));
                self.models(ModelRequest::Download { name, shared });
            }
            SpeechCommand::CancelDownload => {
                if let Some((_, shared)) = &self.state.speech.download {
                    shared
                        .cancel
                        .store(true, std::sync::atomic::Ordering::Relaxed);
                }
            }
            SpeechCommand::ChooseModelFile => {
                self.state.speech.busy = true;
                self.models(ModelRequest::Choose);
            }
            SpeechCommand::ImportModel => {
                match crate::files::typed_path(&self.state.speech.import_path) {
                    None => self
                        .state
                        .say("Type the path of a model file (ggml-….bin), or choose one."),
                    Some(path) => {
                        self.state.speech.busy = true;
                        self.models(ModelRequest::Import(path));
                    }
                }
            }
            SpeechCommand::RemoveModel(name) => {
                self.state.speech.busy = true;
                self.models(ModelRequest::Remove(name));
            }
            SpeechCommand::TranscribeOlder => {
                self.state.no_speech_model = false;
                self.transcribe_older();
            }
            SpeechCommand::CancelOlder => self.cancel_older(),
            SpeechCommand::AnswerSpeechOffer(accepted) => {
                self.state.settings.speech.setup_offered = true;
                self.save_settings();
                if accepted {
                    self.state.screen = Screen::Settings;
                    self.models(ModelRequest::List);
                }
            }
            _ => {}
        }
    }

    /// A take transcribed before content was judged gets its content
    /// judged on the jobs thread.
    fn judge_if_unjudged(
        &mut self,
        session: &str,
        file: &str,
        transcript: &Arc<crate::speech::Transcript>,
    ) {
        let Some(session_state) = self.state.sessions.get(session) else {
            return;
        };
        let Some(take) = session_state.takes.iter().find(|t| t.file == file) else {
            return;
        };
        let Some(question) = session_state.question_for(file) else {
            return;
        };
        if take.content.is_some() || !question.content_question().has_content() {
            return;
        }
        self.services.worker.send(WorkerRequest::JudgeTake {
            session: session.to_owned(),
            file: file.to_owned(),
            transcript: Arc::clone(transcript),
            question: Box::new(question),
        });
    }

    fn models(&self, request: ModelRequest) {
        self.services.worker.send(WorkerRequest::Models(request));
    }

    /// Transcripts and models reported by the worker.
    pub(super) fn on_speech_event(&mut self, event: WorkerEvent) {
        match event {
            WorkerEvent::TakeTranscribed {
                session,
                file,
                result,
            } => self.take_transcribed(session, file, result),
            WorkerEvent::Models(result) => match result {
                Ok(installed) => {
                    self.state.no_speech_model = installed.is_empty();
                    self.state.speech.installed = Some(installed);
                }
                Err(message) => {
                    // Known to be none usable (the message says why), rather
                    // than "looking for installed models" for ever.
                    self.state.speech.installed.get_or_insert_with(Vec::new);
                    self.state.say(message);
                }
            },
            WorkerEvent::ContentJudged {
                session,
                file,
                content: Some(content),
            } => {
                self.update_session(&session, |s| {
                    s.apply_content(&file, *content);
                });
            }
            WorkerEvent::SentenceModel(installed) => {
                self.state.speech.sentence_model = Some(installed);
            }
            WorkerEvent::ModelChanged(result) => {
                self.state.speech.busy = false;
                self.state.speech.download = None;
                self.state.report(result);
            }
            WorkerEvent::ModelFileChosen(chosen) => {
                self.state.speech.busy = false;
                if let Some(path) = self.state.chosen_file(chosen) {
                    self.state.speech.import_path = path.display().to_string();
                    self.apply_speech(SpeechCommand::ImportModel);
                }
            }
            WorkerEvent::TranscriptLoaded {
                session,
                file,
                result,
            } => {
                let slot = match result {
                    Ok(transcript) => {
                        // A take transcribed before the measures existed,
                        // or whose transcript was replaced since, is
                        // measured from the file now (and saved).
                        if self
                            .find_take(&session, &file)
                            .is_some_and(|take| !take.is_measured_from(&transcript))
                        {
                            self.update_session(&session, |s| {
                                s.apply_transcript(&file, &transcript);
                            });
                        }
                        self.judge_if_unjudged(&session, &file, &transcript);
                        TranscriptSlot::Ready(transcript)
                    }
                    Err(message) => TranscriptSlot::Failed(message),
                };
                self.state.transcripts.insert((session, file), slot);
            }
            _ => {}
        }
    }

    /// Transcribes a take in the background, unless it is being
    /// transcribed already or (unless `again`) has a transcript.
    pub(crate) fn transcribe(
        &mut self,
        session: &str,
        file: &str,
        priority: jobs::Priority,
        again: bool,
    ) {
        let key = (session.to_owned(), file.to_owned());
        if matches!(
            self.state.transcripts.get(&key),
            Some(TranscriptSlot::Transcribing(_))
        ) {
            return;
        }
        let Some(take) = self.find_take(session, file) else {
            return;
        };
        if take.transcript.is_some() && !again {
            return;
        }
        let question = self
            .state
            .sessions
            .get(session)
            .and_then(|s| s.question_for(file))
            .map(Box::new);
        let control = crate::speech::Control::new();
        self.state
            .transcripts
            .insert(key, TranscriptSlot::Transcribing(control.clone()));
        self.services.worker.send(WorkerRequest::TranscribeTake {
            session: session.to_owned(),
            take: Box::new(take),
            question,
            model: self.state.settings.speech.model.clone(),
            control,
            priority,
        });
    }

    /// Reads a take's transcript file in the background, once.
    pub(crate) fn load_transcript(&mut self, session: &str, file: &str) {
        let key = (session.to_owned(), file.to_owned());
        if self.state.transcripts.contains_key(&key) {
            return;
        }
        let Some(take) = self.find_take(session, file) else {
            return;
        };
        self.state.transcripts.insert(key, TranscriptSlot::Loading);
        self.services.worker.send(WorkerRequest::LoadTranscript {
            session: session.to_owned(),
            take: Box::new(take),
        });
    }

    /// A copy of take `file` of session `session`.
    fn find_take(&self, session: &str, file: &str) -> Option<crate::store::Take> {
        self.state
            .sessions
            .get(session)?
            .takes
            .iter()
            .find(|t| t.file == file)
            .cloned()
    }

    /// Queues every take of the history that has no transcript, oldest
    /// session last, behind the user's current work.
    pub(crate) fn transcribe_older(&mut self) {
        let keys: Vec<(String, String)> = self
            .state
            .sessions
            .all()
            .iter()
            .flat_map(|session| {
                session
                    .takes
                    .iter()
                    .filter(|take| take.transcript.is_none() && take.file_problem().is_none())
                    .map(|take| (session.id.clone(), take.file.clone()))
            })
            .collect();
        for (session, file) in &keys {
            self.transcribe(session, file, jobs::Priority::Background, false);
        }
        self.state.speech.older = keys;
    }

    /// Stops "Transcribe all older takes": what is done stays done.
    pub(crate) fn cancel_older(&mut self) {
        for key in std::mem::take(&mut self.state.speech.older) {
            if let Some(TranscriptSlot::Transcribing(control)) = self.state.transcripts.get(&key) {
                control.cancel();
            }
        }
    }

    fn take_transcribed(&mut self, session: String, file: String, result: jobs::Transcription) {
        let key = (session, file);
        let (session, file) = (&key.0, &key.1);
        match result {
            jobs::Transcription::Done(transcript, content) => {
                self.update_session(session, |s| {
                    s.apply_transcript(file, &transcript);
                    if let Some(content) = content {
                        s.apply_content(file, *content);
                    }
                });
                self.index_transcript(session, file, &transcript);
                self.state
                    .transcripts
                    .insert(key, TranscriptSlot::Ready(Arc::new(*transcript)));
            }
            jobs::Transcription::NoModel => {
                self.state.no_speech_model = true;
                self.state.transcripts.remove(&key);
            }
            jobs::Transcription::Cancelled => {
                self.state.transcripts.remove(&key);
            }
            jobs::Transcription::Failed(message) => {
                self.state.say(format!("No transcript: {message}"));
                self.state
                    .transcripts
                    .insert(key, TranscriptSlot::Failed(message));
            }
        }
    }
}
