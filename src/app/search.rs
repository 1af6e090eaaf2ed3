//! Searching what was said, from the history screen: the index of every
//! transcript is read in the background once the history is listed, kept
//! up to date as takes are transcribed and sessions deleted, and searched
//! on the window's thread (a scan of memory, milliseconds even for 10,000
//! transcripts: `make bench` measures it).

use std::time::Duration;

use crate::speech::Transcript;
use crate::store::search::{Hit, TranscriptIndex};

use super::worker::WorkerRequest;
use super::{RehearseApp, Screen};

/// The most results listed.
pub const MOST_HITS: usize = 50;

/// What the history's search box shows.
#[derive(Clone, Debug, Default)]
pub struct SearchState {
    /// What the user typed.
    pub query: String,
    /// The takes that say it.
    pub hits: Vec<Hit>,
    /// The transcripts are being read.
    pub indexing: bool,
}

impl RehearseApp {
    /// The history was listed: read the transcripts for the search, once.
    pub(super) fn index_transcripts(&mut self) {
        if self.services.search_index.is_some() || self.state.search.indexing {
            return;
        }
        if !self.state.sessions.is_listed() {
            return;
        }
        self.state.search.indexing = true;
        self.services.worker.send(WorkerRequest::IndexTranscripts(
            self.state.sessions.all().to_vec(),
        ));
    }

    /// The transcripts were read; transcripts made meanwhile are added.
    pub(super) fn transcripts_indexed(&mut self, mut index: TranscriptIndex) {
        for ((session, file), slot) in &self.state.transcripts {
            if let super::TranscriptSlot::Ready(transcript) = slot
                && let Some(owner) = self.state.sessions.get(session)
                && let Some(take) = owner.takes.iter().find(|t| &t.file == file)
            {
                index.add(owner, take, transcript);
            }
        }
        self.state.search.indexing = false;
        self.services.search_index = Some(index);
        self.run_search();
    }

    /// A take of `session` was transcribed.
    pub(super) fn index_transcript(&mut self, session: &str, file: &str, transcript: &Transcript) {
        let Some(index) = &mut self.services.search_index else {
            return;
        };
        if let Some(owner) = self.state.sessions.get(session)
            && let Some(take) = owner.takes.iter().find(|t| t.file == file)
        {
            index.add(owner, take, transcript);
        }
    }

    /// A session was deleted.
    pub(super) fn unindex_session(&mut self, session: &str) {
        if let Some(index) = &mut self.services.search_index {
            index.remove_session(session);
        }
        self.state.search.hits.retain(|hit| hit.session != session);
    }

    /// The search box changed.
    pub(super) fn search(&mut self, query: String) {
        self.state.search.query = query;
        self.run_search();
    }

    fn run_search(&mut self) {
        self.state.search.hits = match &self.services.search_index {
            Some(index) => index.search(&self.state.search.query, MOST_HITS),
            None => Vec::new(),
        };
    }

    /// Opens the review of a result's session with playback cued at it.
    pub(super) fn open_hit(&mut self, hit: &Hit) {
        let Some(session) = self.state.sessions.get(&hit.session) else {
            self.state
                .say(format!("Session {} is not in the history.", hit.session));
            return;
        };
        let path = session
            .takes
            .iter()
            .find(|t| t.file == hit.file)
            .map(|take| self.state.take_file(session, take));
        self.state.review = Some(hit.session.clone());
        self.state.screen = Screen::Review;
        if let Some(Ok(path)) = path {
            self.seek(path, Duration::from_millis(hit.start_ms));
        }
    }
}
