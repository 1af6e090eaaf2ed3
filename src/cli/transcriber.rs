//! Transcripts during a terminal interview: a background thread, at low
//! priority, transcribes each take after it is saved while the interview
//! goes on; the interview puts each summary on its take and saves.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;

use crate::speech::{Control, Engine, Transcript, TranscriptSummary};
use crate::store::transcripts::{TranscribeError, transcribe_take};
use crate::store::{AskedQuestion, Take};

/// One finished transcription.
pub struct Transcribed {
    /// The take's file (`takes/…`), which identifies it in the session.
    pub file: String,
    /// The transcript and its summary, or why there is none.
    pub result: Result<(Transcript, TranscriptSummary), TranscribeError>,
    /// What the answer covered of its question's strong answer.
    pub content: Option<crate::content::Content>,
}

/// The background thread and its queue.
pub struct Transcriber {
    jobs: Option<Sender<(Take, Option<AskedQuestion>)>>,
    results: Receiver<Transcribed>,
    control: Control,
    thread: Option<JoinHandle<()>>,
    waiting: usize,
}

impl Transcriber {
    /// Starts the thread for the session in `session_dir`, with the speech
    /// model `model`; answers are judged with the sentence model in
    /// `models` when it is there.
    pub fn start(session_dir: PathBuf, model: PathBuf, models: PathBuf) -> std::io::Result<Self> {
        let (jobs, inbox) = mpsc::channel::<(Take, Option<AskedQuestion>)>();
        let (outbox, results) = mpsc::channel();
        let control = Control::new();
        let shared = control.clone();
        let thread = std::thread::Builder::new()
            .name("transcriber".to_owned())
            .spawn(move || {
                crate::speech::engine::lower_thread_priority();
                let mut engine = Engine::new();
                for (take, question) in inbox {
                    if shared.is_cancelled() {
                        break;
                    }
                    let control = crate::store::transcripts::hearing_sentences(
                        &shared,
                        question.as_ref(),
                        &models,
                    );
                    let result =
                        transcribe_take(&session_dir, &take, &mut engine, &model, &control);
                    let content = match (&result, &question) {
                        (Ok((transcript, _)), Some(asked)) => {
                            crate::content::judge(transcript, &asked.content_question(), &models)
                        }
                        _ => None,
                    };
                    if outbox
                        .send(Transcribed {
                            file: take.file.clone(),
                            result,
                            content,
                        })
                        .is_err()
                    {
                        break;
                    }
                }
            })?;
        Ok(Self {
            jobs: Some(jobs),
            results,
            control,
            thread: Some(thread),
            waiting: 0,
        })
    }

    /// Queues `take`.
    pub fn push(&mut self, take: Take, question: Option<AskedQuestion>) {
        if let Some(jobs) = &self.jobs
            && jobs.send((take, question)).is_ok()
        {
            self.waiting += 1;
        }
    }

    /// Transcriptions that have finished since the last call.
    pub fn finished(&mut self) -> Vec<Transcribed> {
        let done: Vec<Transcribed> = self.results.try_iter().collect();
        self.waiting -= done.len().min(self.waiting);
        done
    }

    /// How many are queued or running.
    pub fn waiting(&self) -> usize {
        self.waiting
    }

    /// The progress of the one running, 0 to 100.
    pub fn percent(&self) -> u8 {
        self.control.percent()
    }

    /// Stops: the running transcription is cancelled, queued ones dropped.
    pub fn cancel(&mut self) {
        self.control.cancel();
    }
}

impl Drop for Transcriber {
    fn drop(&mut self) {
        self.jobs = None;
        self.control.cancel();
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            log::error!("the transcriber thread panicked");
        }
    }
}
