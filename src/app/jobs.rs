//! The background job queue: long work on takes (today the speech analysis;
//! the transcription will join it) runs here one job at a time, on one
//! thread, instead of a thread per request. The take the user is looking at
//! goes first; jobs of a session being deleted, and every job still waiting
//! when the window closes, are dropped.

use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

use crate::analysis::{SpeechMetrics, analyze_wav};

/// One piece of work on a take.
#[derive(Clone, Debug, PartialEq, Eq)]
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
}

impl Job {
    /// The session the job is about.
    fn session(&self) -> &str {
        match self {
            Self::Analyze { session, .. } => session,
        }
    }
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
}

#[derive(Default)]
struct Pending {
    jobs: Vec<(Priority, u64, Job)>,
    next: u64,
    closed: bool,
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
                while let Some(job) = next_job(&queue) {
                    done(run(job));
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

    /// Drops the waiting jobs of `session`.
    pub fn cancel_session(&self, session: &str) {
        let (lock, _) = &*self.shared;
        lock.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .jobs
            .retain(|(_, _, job)| job.session() != session);
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
/// background one; `None` once the queue is closed.
fn next_job(shared: &Shared) -> Option<Job> {
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
            return Some(pending.jobs.remove(index).2);
        }
        pending = wake.wait(pending).unwrap_or_else(PoisonError::into_inner);
    }
}

fn run(job: Job) -> JobResult {
    match job {
        Job::Analyze {
            session,
            file,
            path,
        } => JobResult::Analyzed {
            session,
            file,
            result: analyze_wav(&path).map_err(|err| err.to_string()),
        },
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
            JobResult::Analyzed { file, .. } => file.clone(),
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
