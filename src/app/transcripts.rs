//! Transcripts in the window: asking the worker to transcribe a take (the
//! newest first, older ones on request) or to read a take's transcript
//! file, and taking in what it reports, with the speech models' news.

use std::sync::Arc;

use super::RehearseApp;
use super::jobs;
use super::state::TranscriptSlot;
use super::worker::{WorkerEvent, WorkerRequest};

impl RehearseApp {
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
                Err(message) => self.state.say(message),
            },
            WorkerEvent::ModelChanged(result) => {
                self.state.speech.busy = false;
                self.state.speech.download = None;
                self.state.report(result);
            }
            WorkerEvent::TranscriptLoaded {
                session,
                file,
                result,
            } => {
                let slot = match result {
                    Ok(transcript) => {
                        // A take transcribed before the measures existed
                        // gets them now (and they are saved).
                        if self
                            .find_take(&session, &file)
                            .is_some_and(|take| take.spoken.is_none())
                        {
                            self.update_session(&session, |s| {
                                s.apply_transcript(&file, &transcript);
                            });
                        }
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
        let control = crate::speech::Control::new();
        self.state
            .transcripts
            .insert(key, TranscriptSlot::Transcribing(control.clone()));
        self.services.worker.send(WorkerRequest::TranscribeTake {
            session: session.to_owned(),
            take: Box::new(take),
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

    /// A copy of take `file` of session `session`, from whichever copy of
    /// the session the window holds (the interview, the review, the
    /// history).
    fn find_take(&self, session: &str, file: &str) -> Option<crate::store::Take> {
        let active = self.state.active.as_ref().map(|a| &a.session);
        let review = self.state.review.as_ref();
        active
            .into_iter()
            .chain(review)
            .chain(self.state.history.session(session))
            .filter(|s| s.id == session)
            .find_map(|s| s.takes.iter().find(|t| t.file == file))
            .cloned()
    }

    /// Queues every take of the history that has no transcript, oldest
    /// session last, behind the user's current work.
    pub(crate) fn transcribe_older(&mut self) {
        let keys: Vec<(String, String)> = self
            .state
            .history
            .sessions()
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
            jobs::Transcription::Done(transcript) => {
                self.update_session(session, |s| {
                    s.apply_transcript(file, &transcript);
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
