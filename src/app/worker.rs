//! The app's background thread: everything that waits on the disk or on a
//! device (the store, listing devices, opening and closing the microphone)
//! runs here, so the window never freezes. Requests go in on a channel;
//! results come back as [`WorkerEvent`]s and wake the window.

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, Sender};

use crate::audio::{self, DeviceInfo, Microphone, TakeFormat};
use crate::interview::Plan;
use crate::model::{PracticeRecord, QuestionId};
use crate::paths::DataDir;
use crate::store::history::practice_records;
use crate::store::settings::Settings;
use crate::store::{Session, Store};

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
    },
    /// Close a microphone (closing can take a moment).
    CloseMicrophone(Box<Microphone>),
    /// Start a session for a plan.
    CreateSession(Box<Plan>),
    /// Write a session's manifest.
    SaveSession(Box<Session>),
    /// Write the settings.
    SaveSettings(Box<Settings>),
    /// Recompute the practice records.
    LoadRecords,
}

/// What the background thread reports.
pub enum WorkerEvent {
    /// The store opened: whether read-only, and what was recovered.
    StoreOpened {
        /// Another process owns the data folder.
        read_only: bool,
        /// Messages about takes recovered after a crash.
        recovered: Vec<String>,
    },
    /// Practice records for the home screen and "weakest first".
    Records(HashMap<QuestionId, PracticeRecord>),
    /// The microphones.
    Devices(Vec<DeviceInfo>),
    /// A microphone opened (with a warning if the chosen one was missing).
    MicrophoneOpened(Box<Microphone>, Option<String>),
    /// A session was created.
    SessionCreated(Box<Session>),
    /// Something failed; the text says what and names the file or device.
    Failed(String),
}

/// Handle to the background thread.
pub struct Worker {
    requests: Sender<WorkerRequest>,
    events: Receiver<WorkerEvent>,
}

impl Worker {
    /// Starts the thread; `wake` is called after every event (the window
    /// repaints then).
    pub fn start(data_dir: DataDir, wake: impl Fn() + Send + 'static) -> Self {
        let (requests, request_rx) = mpsc::channel::<WorkerRequest>();
        let (event_tx, events) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("rehearse-worker".to_owned())
            .spawn(move || {
                let send = |event| {
                    let _ = event_tx.send(event);
                    wake();
                };
                let store = match Store::open(data_dir.clone()) {
                    Ok(opened) => {
                        let recovered = opened
                            .recovered
                            .iter()
                            .map(|t| {
                                format!(
                                    "Recovered a take cut short by a crash: {} ({:.1} s)",
                                    t.path.display(),
                                    t.duration.as_secs_f64()
                                )
                            })
                            .chain(
                                opened
                                    .unrecoverable
                                    .iter()
                                    .map(|p| format!("Could not recover {p}")),
                            )
                            .collect();
                        send(WorkerEvent::StoreOpened {
                            read_only: opened.store.is_read_only(),
                            recovered,
                        });
                        Some(opened.store)
                    }
                    Err(err) => {
                        send(WorkerEvent::Failed(err.to_string()));
                        None
                    }
                };
                for request in request_rx {
                    handle(request, store.as_ref(), &data_dir, &send);
                }
            });
        if let Err(err) = spawned {
            let (tx, rx) = mpsc::channel();
            let _ = tx.send(WorkerEvent::Failed(format!(
                "cannot start the background thread: {err}"
            )));
            return Self {
                requests: mpsc::channel().0,
                events: rx,
            };
        }
        Self { requests, events }
    }

    /// Queues work.
    pub fn send(&self, request: WorkerRequest) {
        let _ = self.requests.send(request);
    }

    /// The next finished piece of work, if any.
    pub fn try_recv(&self) -> Option<WorkerEvent> {
        self.events.try_recv().ok()
    }
}

fn handle(
    request: WorkerRequest,
    store: Option<&Store>,
    data_dir: &DataDir,
    send: &impl Fn(WorkerEvent),
) {
    let no_store = || WorkerEvent::Failed("the data folder could not be opened".to_owned());
    match request {
        WorkerRequest::ListDevices => match audio::list_devices(false) {
            Ok(devices) => send(WorkerEvent::Devices(
                devices.into_iter().filter(|d| d.input.is_some()).collect(),
            )),
            Err(err) => send(WorkerEvent::Failed(err.to_string())),
        },
        WorkerRequest::OpenMicrophone { id, format } => {
            let opened = audio::find_input(id.as_deref()).and_then(|input| {
                let warning = input.fallback_warning.clone();
                Microphone::open(input, format, None).map(|mic| (mic, warning))
            });
            match opened {
                Ok((mic, warning)) => send(WorkerEvent::MicrophoneOpened(Box::new(mic), warning)),
                Err(err) => send(WorkerEvent::Failed(err.to_string())),
            }
        }
        WorkerRequest::CloseMicrophone(mic) => drop(mic),
        WorkerRequest::CreateSession(plan) => match store {
            Some(store) => match store.create_session(&plan) {
                Ok(session) => send(WorkerEvent::SessionCreated(Box::new(session))),
                Err(err) => send(WorkerEvent::Failed(err.to_string())),
            },
            None => send(no_store()),
        },
        WorkerRequest::SaveSession(session) => {
            if let Some(Err(err)) = store.map(|s| s.save(&session)) {
                send(WorkerEvent::Failed(err.to_string()));
            }
        }
        WorkerRequest::SaveSettings(settings) => {
            if let Err(err) = settings.save(&data_dir.settings()) {
                send(WorkerEvent::Failed(err.to_string()));
            }
        }
        WorkerRequest::LoadRecords => match store.map(Store::list) {
            Some(Ok(listing)) => send(WorkerEvent::Records(practice_records(&listing.sessions))),
            Some(Err(err)) => send(WorkerEvent::Failed(err.to_string())),
            None => send(no_store()),
        },
    }
}
