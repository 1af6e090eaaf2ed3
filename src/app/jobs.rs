//! The background job queue: long work on takes (the speech analysis and
//! the transcription) runs here one job at a time, on one thread at low
//! priority, instead of a thread per request. The take the user is looking at
//! goes first; jobs of a session being deleted, and every job still waiting
//! when the window closes, are dropped.

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

use crate::analysis::{SpeechMetrics, analyze_wav};
use crate::speech::{Control, Engine, Transcript};
use crate::store::Take;

/// One piece of work on a take. Two jobs are the same when they do the
/// same kind of work on the same take.
#[derive(Clone, Debug)]
pub enum Job {
    /// Measure a take's speech.
    Analyze {
        /// The session's id.
        session: String,
        /// The take's file, relative to the session folder.
        file: String,
        /// The take's full path.
        path: PathBuf,
    },
    /// Transcribe a take and write its transcript beside it.
    Transcribe {
        /// The session's id.
        session: String,
        /// The session's folder.
        session_dir: PathBuf,
        /// The take.
        take: Box<Take>,
        /// The question it answers, as the session recorded it.
        question: Option<Box<crate::store::AskedQuestion>>,
        /// The models folder.
        models: PathBuf,
        /// The chosen model's name (`None`: the best installed).
        model: Option<String>,
        /// Progress and cancellation, shared with the window.
        control: Control,
    },
    /// Judge the content of a take transcribed before content was judged.
    Judge {
        /// The session's id.
        session: String,
        /// The take's file, relative to the session folder.
        file: String,
        /// Its transcript.
        transcript: Arc<Transcript>,
        /// The question it answers, as the session recorded it.
        question: Box<crate::store::AskedQuestion>,
        /// The models folder (the sentence model is there).
        models: PathBuf,
    },
}

impl Job {
    /// The session the job is about.
    fn session(&self) -> &str {
        match self {
            Self::Analyze { session, .. }
            | Self::Transcribe { session, .. }
            | Self::Judge { session, .. } => session,
        }
    }

    /// What identifies the job: its kind, session and take file.
    fn key(&self) -> (u8, &str, &str) {
        match self {
            Self::Analyze { session, file, .. } => (0, session, file),
            Self::Transcribe { session, take, .. } => (1, session, &take.file),
            Self::Judge { session, file, .. } => (2, session, file),
        }
    }

    /// The result that says this job failed for `why`.
    fn failure(&self, why: &str) -> JobResult {
        match self {
            Self::Analyze { session, file, .. } => JobResult::Analyzed {
                session: session.clone(),
                file: file.clone(),
                result: Err(format!("{file}: {why}")),
            },
            Self::Transcribe { session, take, .. } => JobResult::Transcribed {
                session: session.clone(),
                file: take.file.clone(),
                result: Transcription::Failed(format!("{}: {why}", take.file)),
            },
            Self::Judge { session, file, .. } => {
                log::warn!("{file}: its content was not judged: {why}");
                JobResult::Judged {
                    session: session.clone(),
                    file: file.clone(),
                    content: None,
                }
            }
        }
    }

    fn cancel(&self) {
        if let Self::Transcribe { control, .. } = self {
            control.cancel();
        }
    }
}

impl PartialEq for Job {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Job {}

/// How a transcription ended.
#[derive(Debug)]
pub enum Transcription {
    /// The transcript, written beside the take, and what it covered of
    /// the question's strong answer (when the question has one).
    Done(Box<Transcript>, Option<Box<crate::content::Content>>),
    /// No model is installed.
    NoModel,
    /// Cancelled; nothing was written.
    Cancelled,
    /// It failed; the text names the file.
    Failed(String),
}

/// How soon a job should run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    /// Work nobody is waiting for (older takes): in the order queued.
    Background,
    /// The user's current take: before any background work, newest first.
    Current,
}

/// What a job produced.
#[derive(Debug)]
pub enum JobResult {
    /// A take's speech metrics, or the error naming the file.
    Analyzed {
        /// The session's id.
        session: String,
        /// The take's file, relative to the session folder.
        file: String,
        /// The metrics, or why there are none.
        result: Result<SpeechMetrics, String>,
    },
    /// What a take's answer covered (`None`: nothing to judge).
    Judged {
        /// The session's id.
        session: String,
        /// The take's file, relative to the session folder.
        file: String,
        /// The content.
        content: Option<Box<crate::content::Content>>,
    },
    /// A take's transcript.
    Transcribed {
        /// The session's id.
        session: String,
        /// The take's file, relative to the session folder.
        file: String,
        /// How it ended.
        result: Transcription,
    },
}

#[derive(Default)]
struct Pending {
    jobs: Vec<(Priority, u64, Job)>,
    next: u64,
    closed: bool,
    /// The job being run, so that closing or deleting can cancel it.
    running: Option<Job>,
}

type Shared = Arc<(Mutex<Pending>, Condvar)>;

/// The queue and its thread. Dropping it drops the jobs still waiting and
/// waits for the one running, if any.
pub struct JobQueue {
    shared: Shared,
    thread: Option<JoinHandle<()>>,
}

impl JobQueue {
    /// Starts the thread; `done` hears every result.
    pub fn start(done: impl Fn(JobResult) + Send + 'static) -> std::io::Result<Self> {
        let shared: Shared = Arc::default();
        let queue = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("rehearse-jobs".to_owned())
            .spawn(move || {
                crate::speech::engine::lower_thread_priority();
                let pool = background_pool();
                let mut engine = Engine::new();
                while let Some(job) = next_job(&queue, &mut engine) {
                    let failure = job.failure(INTERNAL_ERROR);
                    let work = || match &pool {
                        Some(pool) => pool.install(|| run(job, &mut engine)),
                        None => run(job, &mut engine),
                    };
                    let result = crate::logging::contain_panic("a background job", work)
                        .unwrap_or_else(|| {
                            // The model may be half-changed: load it afresh.
                            engine = Engine::new();
                            failure
                        });
                    finished(&queue);
                    done(result);
                }
            })?;
        Ok(Self {
            shared,
            thread: Some(thread),
        })
    }

    /// Queues `job`, unless the same job is already waiting.
    pub fn push(&self, job: Job, priority: Priority) {
        let (lock, wake) = &*self.shared;
        let mut pending = lock.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(queued) = pending.jobs.iter_mut().find(|(_, _, j)| *j == job) {
            queued.0 = queued.0.max(priority);
            return;
        }
        let order = pending.next;
        pending.next += 1;
        pending.jobs.push((priority, order, job));
        wake.notify_one();
    }

    /// Drops the waiting jobs of `session` and cancels its running one.
    pub fn cancel_session(&self, session: &str) {
        let (lock, _) = &*self.shared;
        let mut pending = lock.lock().unwrap_or_else(PoisonError::into_inner);
        pending.jobs.retain(|(_, _, job)| {
            let keep = job.session() != session;
            if !keep {
                job.cancel();
            }
            keep
        });
        if let Some(running) = &pending.running
            && running.session() == session
        {
            running.cancel();
        }
    }

    /// How many jobs wait.
    pub fn waiting(&self) -> usize {
        let (lock, _) = &*self.shared;
        lock.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .jobs
            .len()
    }
}

impl Drop for JobQueue {
    fn drop(&mut self) {
        let (lock, wake) = &*self.shared;
        {
            let mut pending = lock.lock().unwrap_or_else(PoisonError::into_inner);
            pending.closed = true;
            pending.jobs.clear();
            // A transcription stops at once: closing never waits for it.
            if let Some(running) = &pending.running {
                running.cancel();
            }
        }
        wake.notify_all();
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            log::error!("a background job panicked; its result is lost");
        }
    }
}

/// Waits for the next job: the newest current one, else the oldest
/// background one; `None` once the queue is closed. A speech model idle
/// for [`crate::speech::engine::IDLE_LIMIT`] is freed while waiting.
fn next_job(shared: &Shared, engine: &mut Engine) -> Option<Job> {
    let (lock, wake) = &**shared;
    let mut pending = lock.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        if pending.closed {
            return None;
        }
        let best = pending
            .jobs
            .iter()
            .enumerate()
            .max_by_key(|(_, (priority, order, _))| match priority {
                Priority::Current => (1, i128::from(*order)),
                Priority::Background => (0, -i128::from(*order)),
            })
            .map(|(index, _)| index);
        if let Some(index) = best {
            let job = pending.jobs.remove(index).2;
            pending.running = Some(job.clone());
            return Some(job);
        }
        if engine.is_loaded() {
            pending = wake
                .wait_timeout(pending, std::time::Duration::from_secs(30))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            engine.free_if_idle(crate::speech::engine::IDLE_LIMIT);
        } else {
            pending = wake.wait(pending).unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// What a take's job that panicked says (the panic itself is logged).
pub const INTERNAL_ERROR: &str =
    "Rehearse hit an internal error on this take; the log has the details";

/// The threads the sentence model (and the tokenizer) spread their work
/// over when the jobs thread runs them: as many as the machine has, at
/// the jobs thread's low priority, so the window's frames never wait
/// behind them. `None` (logged) when they cannot be started: the shared
/// pool is used then.
fn background_pool() -> Option<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .thread_name(|index| format!("rehearse-jobs-{index}"))
        .start_handler(|_| crate::speech::engine::lower_thread_priority())
        .build()
        .map_err(|err| log::warn!("no background threads ({err}); the shared pool is used"))
        .ok()
}

/// The running job is done.
fn finished(shared: &Shared) {
    let (lock, _) = &**shared;
    lock.lock().unwrap_or_else(PoisonError::into_inner).running = None;
}

fn run(job: Job, engine: &mut Engine) -> JobResult {
    match job {
        Job::Judge {
            session,
            file,
            transcript,
            question,
            models,
        } => JobResult::Judged {
            session,
            file,
            content: crate::content::judge(&transcript, &question.content_question(), &models)
                .map(Box::new),
        },
        Job::Analyze {
            session,
            file,
            path,
        } => JobResult::Analyzed {
            session,
            file,
            result: analyze_wav(&path).map_err(|err| err.to_string()),
        },
        Job::Transcribe {
            session,
            session_dir,
            take,
            question,
            models,
            model,
            control,
        } => {
            let result = match crate::speech::models::choose(&models, model.as_deref()) {
                Ok(None) => Transcription::NoModel,
                Err(err) => Transcription::Failed(format!("{}: {err}", models.display())),
                Ok(Some(model)) => match crate::store::transcripts::transcribe_take(
                    &session_dir,
                    &take,
                    engine,
                    &model.path,
                    &crate::store::transcripts::hearing_sentences(
                        &control,
                        question.as_deref(),
                        &models,
                    ),
                ) {
                    Ok((transcript, _)) => {
                        // Judged here, on the jobs thread: the sentence
                        // model is too slow for the window's.
                        let content = question.and_then(|asked| {
                            crate::content::judge(&transcript, &asked.content_question(), &models)
                        });
                        Transcription::Done(Box::new(transcript), content.map(Box::new))
                    }
                    Err(crate::store::transcripts::TranscribeError::Speech(
                        crate::speech::SpeechError::Cancelled,
                    )) => Transcription::Cancelled,
                    Err(err) => Transcription::Failed(err.to_string()),
                },
            };
            JobResult::Transcribed {
                session,
                file: take.file.clone(),
                result,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    fn analyze(session: &str, file: &str) -> Job {
        Job::Analyze {
            session: session.to_owned(),
            file: file.to_owned(),
            path: PathBuf::from(format!("/nonexistent/{file}")),
        }
    }

    fn file_of(result: &JobResult) -> String {
        match result {
            JobResult::Analyzed { file, .. }
            | JobResult::Transcribed { file, .. }
            | JobResult::Judged { file, .. } => file.clone(),
        }
    }

    #[test]
    fn current_takes_go_first_newest_first_then_the_rest_in_order() {
        // Jobs queued while the thread is held up by the first one.
        let gate = Arc::new((Mutex::new(false), Condvar::new()));
        let (results, finished) = mpsc::channel();
        let held = Arc::clone(&gate);
        let queue = JobQueue::start(move |result| {
            let (lock, open) = &*held;
            let mut opened = lock.lock().unwrap();
            while !*opened {
                opened = open.wait(opened).unwrap();
            }
            results.send(file_of(&result)).unwrap();
        })
        .unwrap();
        queue.push(analyze("s", "first"), Priority::Background);
        std::thread::sleep(Duration::from_millis(50));
        queue.push(analyze("s", "old-1"), Priority::Background);
        queue.push(analyze("s", "current-1"), Priority::Current);
        queue.push(analyze("s", "old-2"), Priority::Background);
        queue.push(analyze("s", "current-2"), Priority::Current);
        queue.push(analyze("s", "old-1"), Priority::Background);
        queue.push(analyze("gone", "deleted"), Priority::Current);
        queue.cancel_session("gone");
        assert_eq!(queue.waiting(), 4, "a job queued twice waits once");
        *gate.0.lock().unwrap() = true;
        gate.1.notify_all();
        let order: Vec<String> = (0..5)
            .map(|_| finished.recv_timeout(Duration::from_secs(10)).unwrap())
            .collect();
        assert_eq!(order, ["first", "current-2", "current-1", "old-1", "old-2"]);
        drop(queue);
        assert!(finished.try_recv().is_err());
    }

    #[test]
    fn closing_drops_what_waits() {
        let (results, finished) = mpsc::channel();
        let queue = JobQueue::start(move |result| {
            std::thread::sleep(Duration::from_millis(100));
            results.send(file_of(&result)).ok();
        })
        .unwrap();
        for n in 0..20 {
            queue.push(analyze("s", &n.to_string()), Priority::Background);
        }
        std::thread::sleep(Duration::from_millis(20));
        drop(queue);
        let ran = finished.try_iter().count();
        assert!(ran <= 2, "{ran} jobs ran after closing");
    }
}
