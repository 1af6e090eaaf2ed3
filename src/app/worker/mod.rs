//! The app's background thread: everything that waits on the disk or on a
//! device (the store, listing devices, opening and closing the microphone,
//! reading waveforms) runs here, and what takes long (an export, the
//! system's file dialog) on threads it starts, so the window never freezes.
//! Requests go in on a channel; results come back as [`WorkerEvent`]s and
//! wake the window.

mod export;
mod messages;
pub mod models;
pub(super) mod questions;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

use super::WaveformSlot;
use super::batch::coalesce;
use super::jobs::{Job, JobQueue, JobResult, Transcription};
use crate::audio::waveform::Waveform;
use crate::audio::{self, Microphone, TakeFormat};
use crate::paths::DataDir;
use crate::store::{Session, Store};
use export::{ask_for_destination, start_export};
pub use messages::{DialogAnswer, WorkerEvent, WorkerRequest};

/// Sends events to the window and wakes it; shared with the threads the
/// worker starts.
#[derive(Clone)]
pub(super) struct Outbox {
    events: Sender<WorkerEvent>,
    wake: Arc<dyn Fn() + Send + Sync>,
}

impl Outbox {
    /// Wakes the window without an event (it reads shared progress).
    pub(super) fn wake(&self) {
        (self.wake)();
    }

    pub(super) fn send(&self, event: WorkerEvent) {
        if let Err(mpsc::SendError(event)) = self.events.send(event) {
            // The window has closed; what it would have shown is logged.
            if let WorkerEvent::Failed(message) = event {
                log::warn!("{message}");
            }
            return;
        }
        (self.wake)();
    }
}

/// How long closing the window waits for the worker to finish what was
/// queued (the last saves) before it gives up and says so in the log.
pub const STOP_LIMIT: Duration = Duration::from_secs(10);

/// Handle to the background thread. Dropping it closes the queue and waits
/// (at most [`STOP_LIMIT`]) for the requests already sent, so an edit made
/// just before the window closes reaches the disk.
pub struct Worker {
    /// `None` once closed.
    requests: Option<Sender<WorkerRequest>>,
    events: Receiver<WorkerEvent>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Worker {
    /// Starts the thread; `wake` is called after every event (the window
    /// repaints then).
    pub fn start(data_dir: DataDir, wake: impl Fn() + Send + Sync + 'static) -> Self {
        let (requests, request_rx) = mpsc::channel::<WorkerRequest>();
        let (event_tx, events) = mpsc::channel();
        let outbox = Outbox {
            events: event_tx,
            wake: Arc::new(wake),
        };
        let spawned = std::thread::Builder::new()
            .name("rehearse-worker".to_owned())
            .spawn(move || {
                let store = open_store(data_dir.clone(), &outbox);
                let results = outbox.clone();
                let jobs = JobQueue::start(move |result| match result {
                    JobResult::Analyzed {
                        session,
                        file,
                        result,
                    } => results.send(WorkerEvent::TakeAnalyzed {
                        session,
                        file,
                        result,
                    }),
                    JobResult::Transcribed {
                        session,
                        file,
                        result,
                    } => results.send(WorkerEvent::TakeTranscribed {
                        session,
                        file,
                        result,
                    }),
                    JobResult::Judged {
                        session,
                        file,
                        content,
                    } => results.send(WorkerEvent::ContentJudged {
                        session,
                        file,
                        content,
                    }),
                })
                .map_err(|err| {
                    outbox.send(WorkerEvent::Failed(format!(
                        "cannot start the background jobs (speech analysis): {err}"
                    )));
                })
                .ok();
                let context = Context {
                    store: store.as_ref(),
                    jobs: jobs.as_ref(),
                    data_dir: &data_dir,
                    outbox: &outbox,
                };
                while let Ok(first) = request_rx.recv() {
                    let mut batch = vec![first];
                    batch.extend(request_rx.try_iter());
                    for request in coalesce(batch) {
                        let what = request.describe();
                        let handled = crate::logging::contain_panic(
                            format_args!("the worker ({what})"),
                            || {
                                handle(request, &context);
                            },
                        );
                        if handled.is_none() {
                            outbox.send(WorkerEvent::Failed(format!(
                                "Rehearse hit an internal error while it was {what}; the window \
                                 keeps working, and the log has the details."
                            )));
                        }
                    }
                }
            });
        match spawned {
            Ok(thread) => Self {
                requests: Some(requests),
                events,
                thread: Some(thread),
            },
            Err(err) => {
                let (tx, rx) = mpsc::channel();
                // `rx` is alive: this cannot fail.
                tx.send(WorkerEvent::Failed(format!(
                    "cannot start the background thread: {err}"
                )))
                .ok();
                Self {
                    requests: None,
                    events: rx,
                    thread: None,
                }
            }
        }
    }

    /// Queues work.
    pub fn send(&self, request: WorkerRequest) {
        let sent = self.requests.as_ref().map(|r| r.send(request));
        if !matches!(sent, Some(Ok(()))) {
            log::error!("the background thread has ended; a request was lost");
        }
    }

    /// Closes the queue and waits up to `limit` for the thread to finish
    /// what was sent; whether it did (if not, the log says so).
    pub fn stop(&mut self, limit: Duration) -> bool {
        self.requests = None;
        let Some(thread) = self.thread.take() else {
            return true;
        };
        let started = Instant::now();
        while !thread.is_finished() {
            if started.elapsed() >= limit {
                log::warn!(
                    "the background thread did not finish within {} s of closing; \
                     work still queued may be lost",
                    limit.as_secs()
                );
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        if thread.join().is_err() {
            log::error!("the background thread panicked while closing");
            return false;
        }
        true
    }

    /// The next finished piece of work, if any.
    pub fn try_recv(&self) -> Option<WorkerEvent> {
        self.events.try_recv().ok()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.stop(STOP_LIMIT);
    }
}

fn open_store(data_dir: DataDir, outbox: &Outbox) -> Option<Arc<Store>> {
    match Store::open(data_dir) {
        Ok(opened) => {
            let recovered = opened
                .recovered
                .iter()
                .map(|t| {
                    format!(
                        "Recovered a take cut short by a crash: {} ({:.1} s){}",
                        t.path.display(),
                        t.duration.as_secs_f64(),
                        if t.attached {
                            ", added to its session"
                        } else {
                            ""
                        }
                    )
                })
                .chain(
                    opened
                        .unrecoverable
                        .iter()
                        .map(|p| format!("Could not recover {p}")),
                )
                .collect();
            outbox.send(WorkerEvent::StoreOpened {
                read_only: opened.store.read_only_reason(),
                recovered,
            });
            Some(Arc::new(opened.store))
        }
        Err(err) => {
            outbox.send(WorkerEvent::Failed(err.to_string()));
            None
        }
    }
}

/// What the worker's requests are carried out with.
struct Context<'a> {
    store: Option<&'a Arc<Store>>,
    jobs: Option<&'a JobQueue>,
    data_dir: &'a DataDir,
    outbox: &'a Outbox,
}

/// What the window hears when the store could not be opened.
fn no_store() -> WorkerEvent {
    WorkerEvent::Failed("the data folder could not be opened".to_owned())
}

/// The transcript requests: queue a transcription, read a transcript.
fn handle_transcript(request: WorkerRequest, context: &Context<'_>) {
    let Context {
        store,
        jobs,
        data_dir,
        outbox,
    } = *context;
    match request {
        WorkerRequest::TranscribeTake {
            session,
            take,
            question,
            model,
            control,
            priority,
        } => match (jobs, store) {
            (Some(jobs), Some(store)) => jobs.push(
                Job::Transcribe {
                    session_dir: store.session_dir(&session),
                    session,
                    take,
                    question,
                    models: data_dir.models(),
                    model,
                    control,
                },
                priority,
            ),
            _ => outbox.send(WorkerEvent::TakeTranscribed {
                session,
                file: take.file.clone(),
                result: Transcription::Failed("the transcription could not start".to_owned()),
            }),
        },
        WorkerRequest::JudgeTake {
            session,
            file,
            transcript,
            question,
        } => {
            if let Some(jobs) = jobs {
                jobs.push(
                    Job::Judge {
                        session,
                        file,
                        transcript,
                        question,
                        models: data_dir.models(),
                    },
                    crate::app::jobs::Priority::Background,
                );
            }
        }
        WorkerRequest::LoadTranscript { session, take } => match store {
            Some(store) => {
                let result = crate::store::transcripts::read(&store.session_dir(&session), &take)
                    .map(Arc::new)
                    .map_err(|err| err.to_string());
                outbox.send(WorkerEvent::TranscriptLoaded {
                    session,
                    file: take.file.clone(),
                    result,
                });
            }
            None => outbox.send(no_store()),
        },
        _ => {}
    }
}

/// Reads the transcripts of `sessions` for the search on a thread of its
/// own (the worker goes on saving meanwhile).
fn index_transcripts(folder: PathBuf, sessions: Vec<Session>, outbox: &Outbox) {
    let thread_outbox = outbox.clone();
    if let Err(err) = std::thread::Builder::new()
        .name("search index".to_owned())
        .spawn(move || {
            let index = crate::store::search::TranscriptIndex::build(&folder, &sessions);
            thread_outbox.send(WorkerEvent::TranscriptsIndexed(Box::new(index)));
        })
    {
        log::warn!("search stays off: cannot start its thread: {err}");
    }
}

fn handle(request: WorkerRequest, context: &Context<'_>) {
    let Context {
        store,
        jobs,
        data_dir,
        outbox,
    } = *context;
    match request {
        WorkerRequest::ListDevices => list_inputs(outbox),
        WorkerRequest::OpenMicrophone {
            id,
            format,
            request,
        } => open_microphone(id.as_deref(), format, request, outbox),
        WorkerRequest::CloseMicrophone(mic) => drop(mic),
        WorkerRequest::CreateSession(plan) => match store {
            Some(store) => match store.create_session(&plan) {
                Ok(session) => outbox.send(WorkerEvent::SessionCreated(Box::new(session))),
                Err(err) => outbox.send(WorkerEvent::SessionNotCreated(err.to_string())),
            },
            None => outbox.send(WorkerEvent::SessionNotCreated(
                "the data folder could not be opened".to_owned(),
            )),
        },
        WorkerRequest::SaveSession(session) => {
            if let Some(Err(err)) = store.map(|s| s.save(&session)) {
                outbox.send(WorkerEvent::Failed(err.to_string()));
            }
        }
        WorkerRequest::SavePeaks(path, peaks) => {
            if let Err(err) = audio::peaks_file::write(&path, &peaks) {
                // The summary is made again from the take when it is opened.
                log::warn!("{}: the peak summary was not kept: {err}", path.display());
            }
        }
        WorkerRequest::SaveSettings(settings) => {
            if let Err(err) = settings.save(&data_dir.settings()) {
                outbox.send(WorkerEvent::Failed(err.to_string()));
            }
        }
        WorkerRequest::IndexTranscripts(sessions) => {
            index_transcripts(data_dir.sessions(), sessions, outbox);
        }
        WorkerRequest::LoadListing(asked_at) => match store.map(|s| s.list()) {
            Some(Ok(listing)) => outbox.send(WorkerEvent::Listing(Box::new(listing), asked_at)),
            Some(Err(err)) => outbox.send(WorkerEvent::Failed(err.to_string())),
            None => outbox.send(no_store()),
        },
        WorkerRequest::LoadWaveform(path) => load_waveform(path, outbox),
        WorkerRequest::DeleteSession(id) => match store.map(|s| {
            if let Some(jobs) = jobs {
                jobs.cancel_session(&id);
            }
            s.delete_session(&id)
        }) {
            Some(Ok(())) => outbox.send(WorkerEvent::SessionDeleted(id)),
            Some(Err(err)) => outbox.send(WorkerEvent::Failed(err.to_string())),
            None => outbox.send(no_store()),
        },
        WorkerRequest::ChooseExportDestination { suggested, zip } => {
            ask_for_destination(suggested, zip, outbox);
        }
        WorkerRequest::AnalyzeTake {
            session,
            file,
            path,
            priority: crate::app::jobs::Priority::Current,
        } => analyze_beside_the_jobs(session, file, path, outbox.clone()),
        WorkerRequest::AnalyzeTake {
            session,
            file,
            path,
            priority,
        } => match jobs {
            Some(jobs) => jobs.push(
                Job::Analyze {
                    session,
                    file,
                    path,
                },
                priority,
            ),
            None => outbox.send(WorkerEvent::TakeAnalyzed {
                session,
                file,
                result: Err("the speech analysis could not start".to_owned()),
            }),
        },
        request @ (WorkerRequest::TranscribeTake { .. }
        | WorkerRequest::LoadTranscript { .. }
        | WorkerRequest::JudgeTake { .. }) => {
            handle_transcript(request, context);
        }
        WorkerRequest::Models(request) => models::handle(request, data_dir, outbox),
        WorkerRequest::Questions(request) => questions::handle(*request, outbox),
        WorkerRequest::Export { request, progress } => match store {
            Some(store) => start_export(Arc::clone(store), *request, progress, outbox.clone()),
            None => outbox.send(WorkerEvent::ExportFinished(Err(
                "the data folder could not be opened".to_owned(),
            ))),
        },
    }
}

/// Measures the take just recorded on a thread of its own, beside the
/// jobs thread, which transcribes it meanwhile (a 2-minute take's measures
/// take a few tens of milliseconds that its follow-up need not wait for).
/// Takes measured in the background go through the jobs queue instead.
fn analyze_beside_the_jobs(session: String, file: String, path: PathBuf, outbox: Outbox) {
    let failed = outbox.clone();
    let (failed_session, failed_file) = (session.clone(), file.clone());
    let started = std::thread::Builder::new()
        .name("rehearse-analysis".to_owned())
        .spawn(move || {
            crate::speech::engine::lower_thread_priority();
            let result = crate::logging::contain_panic("the speech analysis", || {
                crate::analysis::analyze_wav(&path).map_err(|err| err.to_string())
            })
            .unwrap_or_else(|| Err(format!("{file}: {}", crate::app::jobs::INTERNAL_ERROR)));
            outbox.send(WorkerEvent::TakeAnalyzed {
                session,
                file,
                result,
            });
        });
    if let Err(err) = started {
        failed.send(WorkerEvent::TakeAnalyzed {
            session: failed_session,
            file: failed_file.clone(),
            result: Err(format!(
                "{failed_file}: the speech analysis could not start: {err}"
            )),
        });
    }
}

/// Reports the microphones.
fn list_inputs(outbox: &Outbox) {
    match audio::list_devices(false) {
        Ok(devices) => outbox.send(WorkerEvent::Devices(
            devices.into_iter().filter(|d| d.input.is_some()).collect(),
        )),
        Err(err) => outbox.send(WorkerEvent::Failed(err.to_string())),
    }
}

/// Opens the microphone `id` (or the default) and reports it.
fn open_microphone(id: Option<&str>, format: TakeFormat, request: u64, outbox: &Outbox) {
    let opened = audio::find_input(id).and_then(|input| {
        let warning = input.fallback_warning.clone();
        Microphone::open(input, format, None).map(|mic| (mic, warning))
    });
    match opened {
        Ok((mic, warning)) => {
            outbox.send(WorkerEvent::MicrophoneOpened(
                Box::new(mic),
                warning,
                request,
            ));
        }
        Err(err) => outbox.send(WorkerEvent::MicrophoneFailed(err.to_string(), request)),
    }
}

/// Reads a take's waveform (from its peak summary when it has one) and
/// reports it.
fn load_waveform(path: PathBuf, outbox: &Outbox) {
    // The take's links are checked here, off the window's thread.
    let slot = match crate::store::session::link_problem(&path) {
        Some(problem) => WaveformSlot::Damaged(problem),
        None => match Waveform::of_take(&path) {
            Ok(waveform) => WaveformSlot::Ready(Arc::new(waveform)),
            Err(err) => WaveformSlot::Failed(format!("{}: {err}", path.display())),
        },
    };
    outbox.send(WorkerEvent::Waveform(path, slot));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::settings::Settings;

    /// The last edit before the window closes reaches the disk: dropping
    /// the worker waits for what was queued.
    #[test]
    fn closing_waits_for_the_queued_saves() {
        let dir = tempfile::tempdir().unwrap();
        let data_dir = DataDir::resolve(Some(dir.path().to_path_buf())).unwrap();
        let worker = Worker::start(data_dir.clone(), || {});
        let mut settings = Settings::default();
        for count in 1..=20 {
            settings.questions_per_session = count;
            worker.send(WorkerRequest::SaveSettings(Box::new(settings.clone())));
        }
        drop(worker);
        let (saved, warning) = Settings::load(&data_dir.settings());
        assert_eq!(warning, None);
        assert_eq!(saved.questions_per_session, 20);
    }
}
