//! The recording driver, one for the window and the terminal: it carries
//! out the state machine's recording actions on the open microphone, keeps
//! the takes asked for and not yet finished, and matches each of the
//! recorder's reports to its take by path (a quick retake can start one take
//! before the last one's file is closed). A microphone that fails, between
//! answers or during one, ends the session: every later answer would only be
//! an empty take.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::audio::{Microphone, RecorderEvent, TakeEnd, TakeSummary};
use crate::interview::{Phase, StopReason, TakeRequest};
use crate::store::{FollowUpOf, Session, Take};

/// What to say when the microphone failed for `why`.
pub fn microphone_failed(why: &str) -> String {
    format!("The microphone failed: {why}")
}

/// A take asked of the recorder and not yet reported finished.
#[derive(Clone, Debug)]
pub struct PendingTake {
    /// What the state machine asked for.
    pub request: TakeRequest,
    /// Where the recorder writes it.
    pub path: PathBuf,
    /// When it started.
    pub started_at: Timestamp,
    /// Why it was asked to stop, once it was.
    pub stop: Option<StopReason>,
    /// For a follow-up take, what it follows.
    pub follow_up: Option<FollowUpOf>,
}

impl PendingTake {
    /// The take of `session` this recording became, as the recorder
    /// summed it up.
    pub fn recorded_take(&self, session: &Session, summary: &TakeSummary) -> Take {
        session.recorded_take(
            (&self.request, self.follow_up.as_ref()),
            self.started_at,
            summary,
            self.stop,
        )
    }
}

/// What a recorder report means for the session.
#[derive(Debug)]
pub enum Report {
    /// The first audio of the take at this path is on its way to disk.
    Started(PathBuf),
    /// A take ended with its file complete.
    Finished {
        /// What was asked for it.
        pending: PendingTake,
        /// What the recorder measured.
        summary: Box<TakeSummary>,
        /// No other take is being recorded: the state machine may move on.
        last: bool,
    },
    /// A take could not be started or written; nothing of it is kept.
    Failed {
        /// What was asked for it, when the recorder's path was one asked for.
        pending: Option<PendingTake>,
        /// Why, naming the file.
        error: String,
        /// No other take is being recorded.
        last: bool,
    },
    /// The microphone failed while no take was recording.
    MicrophoneFailed(String),
}

/// The takes being recorded, oldest first, and whether the microphone
/// still works.
#[derive(Debug, Default)]
pub struct Recordings {
    pending: VecDeque<PendingTake>,
    failed: Option<String>,
}

impl Recordings {
    /// Starts recording `request` into `path` (a follow-up take: what it
    /// follows, as [`crate::store::planned_take`] gives both).
    pub fn start(
        &mut self,
        microphone: &Microphone,
        request: TakeRequest,
        (path, follow_up): (PathBuf, Option<FollowUpOf>),
    ) {
        microphone.start_take(path.clone(), request.limit);
        self.asked(request, path, follow_up);
    }

    fn asked(&mut self, request: TakeRequest, path: PathBuf, follow_up: Option<FollowUpOf>) {
        self.pending.push_back(PendingTake {
            request,
            path,
            started_at: Timestamp::now(),
            stop: None,
            follow_up,
        });
    }

    /// Stops the take being recorded, for `reason`.
    pub fn stop(&mut self, microphone: &Microphone, reason: StopReason) {
        if let Some(pending) = self.pending.back_mut() {
            pending.stop.get_or_insert(reason);
        }
        microphone.stop_take();
    }

    /// Whether no take is being recorded.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Why the microphone stopped working, once it did: the session must
    /// end (what was recorded is kept).
    pub fn microphone_failure(&self) -> Option<&str> {
        self.failed.as_deref()
    }

    /// The session's one rule for a microphone that stopped working: once
    /// the takes being recorded are saved, a session in `phase` ends; what
    /// to say then, or `None` while it goes on.
    pub fn session_must_end(&self, phase: Phase) -> Option<String> {
        let why = self.microphone_failure()?;
        (self.is_empty() && phase != Phase::Finished).then(|| {
            format!(
                "The microphone stopped ({why}); the session ends here, and what was recorded is kept."
            )
        })
    }

    /// What `event` means: matched to its take by path.
    pub fn report(&mut self, event: RecorderEvent) -> Report {
        match event {
            RecorderEvent::TakeStarted { path, .. } => Report::Started(path),
            RecorderEvent::TakeFinished(summary) => {
                if let TakeEnd::DeviceLost(why) = &summary.ended {
                    self.failed.get_or_insert_with(|| why.clone());
                }
                match self.remove(&summary.path) {
                    Some(pending) => Report::Finished {
                        pending,
                        summary: Box::new(summary),
                        last: self.pending.is_empty(),
                    },
                    None => Report::Failed {
                        pending: None,
                        error: format!(
                            "{}: the recorder finished a take that was not asked for",
                            summary.path.display()
                        ),
                        last: self.pending.is_empty(),
                    },
                }
            }
            RecorderEvent::TakeFailed { path, error } => Report::Failed {
                pending: self.remove(&path),
                error,
                last: self.pending.is_empty(),
            },
            RecorderEvent::StreamFailed(why) => {
                self.failed.get_or_insert_with(|| why.clone());
                Report::MicrophoneFailed(microphone_failed(&why))
            }
        }
    }

    fn remove(&mut self, path: &Path) -> Option<PendingTake> {
        let at = self.pending.iter().position(|p| p.path == path)?;
        self.pending.remove(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::{Level, TakeFormat};

    fn request(take: u32) -> TakeRequest {
        TakeRequest {
            question_index: 0,
            take,
            limit: None,
            follow_up_depth: 0,
        }
    }

    fn finished(path: &str, ended: TakeEnd) -> RecorderEvent {
        RecorderEvent::TakeFinished(TakeSummary {
            path: PathBuf::from(path),
            frames: 48_000,
            sample_rate: 48_000,
            format: TakeFormat::default(),
            ended,
            dropped_frames: 0,
            first_sample_delay: None,
            loudest: Level::SILENT,
            device_name: "test".to_owned(),
            peaks: crate::audio::level::PeakSummary::default(),
        })
    }

    /// A retake started before the first take's file was closed: the
    /// second take's failure arrives first and must not take the first.
    #[test]
    fn reports_are_matched_by_path_whatever_their_order() {
        let mut recordings = Recordings::default();
        recordings.asked(request(1), PathBuf::from("take1.wav"), None);
        recordings.asked(request(2), PathBuf::from("take2.wav"), None);
        let failed = recordings.report(RecorderEvent::TakeFailed {
            path: PathBuf::from("take2.wav"),
            error: "take2.wav: disk full".to_owned(),
        });
        let Report::Failed { pending, last, .. } = failed else {
            panic!("{failed:?}")
        };
        assert_eq!(pending.unwrap().request.take, 2);
        assert!(!last, "take 1 is still being written");
        let done = recordings.report(finished("take1.wav", TakeEnd::Stopped));
        let Report::Finished { pending, last, .. } = done else {
            panic!("{done:?}")
        };
        assert_eq!(pending.request.take, 1);
        assert!(last && recordings.is_empty());
        assert_eq!(recordings.microphone_failure(), None);
        assert_eq!(recordings.session_must_end(Phase::Reviewing), None);
    }

    #[test]
    fn a_lost_or_failed_microphone_is_remembered() {
        let mut recordings = Recordings::default();
        recordings.asked(request(1), PathBuf::from("take1.wav"), None);
        let lost = recordings.report(finished(
            "take1.wav",
            TakeEnd::DeviceLost("unplugged".to_owned()),
        ));
        assert!(
            matches!(lost, Report::Finished { last: true, .. }),
            "{lost:?}"
        );
        assert_eq!(recordings.microphone_failure(), Some("unplugged"));
        assert!(recordings.session_must_end(Phase::Reviewing).is_some());
        assert_eq!(recordings.session_must_end(Phase::Finished), None);

        let mut recordings = Recordings::default();
        let failed = recordings.report(RecorderEvent::StreamFailed("gone".to_owned()));
        assert!(matches!(failed, Report::MicrophoneFailed(_)), "{failed:?}");
        assert_eq!(recordings.microphone_failure(), Some("gone"));
    }
}
