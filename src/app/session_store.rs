//! The window's one copy of each session. The running interview, the
//! review and the history hold session ids into this store; every edit goes
//! through it, and a listing read on the worker merges into it without ever
//! replacing a session the window changed after that listing was asked for.
//!
//! The rule that makes a merge safe is a generation: every change the
//! window makes to a session stamps it with the next value of one counter,
//! and a listing request carries the counter's value when it was sent. The
//! worker runs requests in order, so a save queued before the listing request
//! is on disk when the listing is read; a session stamped later may be newer
//! in the window than in the listing, and the window's copy is kept.

use std::collections::HashMap;

use crate::store::{DamagedSession, Listing, Session};

/// Every session the window knows, newest first, each held once.
#[derive(Debug, Default)]
pub struct SessionStore {
    /// The sessions, newest first.
    sessions: Vec<Session>,
    /// Where each session is in `sessions`, by id.
    index: HashMap<String, usize>,
    /// The generation of the window's last change to each session it
    /// changed.
    changed: HashMap<String, u64>,
    /// The last generation handed out.
    generation: u64,
    /// Sessions whose manifest cannot be read, as of the last listing.
    damaged: Vec<DamagedSession>,
    /// A listing has been merged.
    listed: bool,
}

impl SessionStore {
    /// Whether the history has been read from disk at least once.
    pub fn is_listed(&self) -> bool {
        self.listed
    }

    /// Every session, newest first.
    pub fn all(&self) -> &[Session] {
        &self.sessions
    }

    /// Session `id`.
    pub fn get(&self, id: &str) -> Option<&Session> {
        self.index.get(id).map(|&at| &self.sessions[at])
    }

    /// The sessions whose manifest could not be read.
    pub fn damaged(&self) -> &[DamagedSession] {
        &self.damaged
    }

    /// The stamp for a listing request sent now ([`Self::merge`] takes it
    /// back).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Adds a session the window has just made (or replaces its copy).
    pub fn insert(&mut self, session: Session) {
        self.stamp(&session.id);
        match self.index.get(&session.id) {
            Some(&at) => self.sessions[at] = session,
            None => {
                self.sessions.push(session);
                self.sort();
            }
        }
    }

    /// Changes session `id` with `change`: what it returns, or `None` when
    /// the store has no such session.
    pub fn edit<R>(&mut self, id: &str, change: impl FnOnce(&mut Session) -> R) -> Option<R> {
        let at = *self.index.get(id)?;
        self.stamp(id);
        Some(change(&mut self.sessions[at]))
    }

    /// Forgets session `id` (it was deleted).
    pub fn remove(&mut self, id: &str) {
        self.changed.remove(id);
        if self.index.remove(id).is_some() {
            self.sessions.retain(|s| s.id != id);
            self.reindex();
        }
    }

    /// Takes in a listing read on the worker after a request stamped
    /// `asked_at`: a listed session replaces the window's copy unless the
    /// window changed it after `asked_at`; a session the listing lacks is
    /// forgotten (deleted on disk) unless the window changed it since.
    /// `prepare` is applied to each session taken from the listing.
    pub fn merge(&mut self, listing: Listing, asked_at: u64, prepare: impl Fn(&mut Session)) {
        let newer_here = |changed: &HashMap<String, u64>, id: &str| {
            changed.get(id).is_some_and(|&at| at > asked_at)
        };
        let mut old: HashMap<String, Session> = std::mem::take(&mut self.sessions)
            .into_iter()
            .map(|s| (s.id.clone(), s))
            .collect();
        let mut merged = Vec::with_capacity(listing.sessions.len());
        for mut listed in listing.sessions {
            match old.remove(&listed.id) {
                Some(mine) if newer_here(&self.changed, &mine.id) => merged.push(mine),
                _ => {
                    prepare(&mut listed);
                    merged.push(listed);
                }
            }
        }
        for (id, mine) in old {
            if newer_here(&self.changed, &id) {
                merged.push(mine);
            } else {
                self.changed.remove(&id);
            }
        }
        self.sessions = merged;
        self.damaged = listing.damaged;
        self.listed = true;
        self.sort();
    }

    fn stamp(&mut self, id: &str) {
        self.generation += 1;
        self.changed.insert(id.to_owned(), self.generation);
    }

    fn sort(&mut self) {
        self.sessions.sort_by(|a, b| {
            b.started_at
                .cmp(&a.started_at)
                .then_with(|| b.id.cmp(&a.id))
        });
        self.reindex();
    }

    fn reindex(&mut self) {
        self.index = self
            .sessions
            .iter()
            .enumerate()
            .map(|(at, s)| (s.id.clone(), at))
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: &str, started: &str) -> Session {
        let mut session = crate::store::session::fixture();
        session.id = id.to_owned();
        session.started_at = started.parse().unwrap();
        session
    }

    fn listing(sessions: Vec<Session>) -> Listing {
        Listing {
            sessions,
            damaged: Vec::new(),
        }
    }

    /// The bug this store replaces: a listing asked for before a take's
    /// measures arrived must not take them away.
    #[test]
    fn a_listing_asked_for_before_an_edit_never_replaces_it() {
        let mut store = SessionStore::default();
        store.insert(session("a", "2026-11-20T09:00:00Z"));
        let asked_at = store.generation();
        let stale = store.get("a").unwrap().clone();
        store.edit("a", |s| s.takes[0].notes = "measured".to_owned());
        store.merge(listing(vec![stale]), asked_at, |_| {});
        assert_eq!(store.get("a").unwrap().takes[0].notes, "measured");
        // A later listing (asked after the edit was saved) is the truth.
        let asked_at = store.generation();
        let mut on_disk = store.get("a").unwrap().clone();
        on_disk.takes[0].notes = "edited elsewhere".to_owned();
        store.merge(listing(vec![on_disk]), asked_at, |_| {});
        assert_eq!(store.get("a").unwrap().takes[0].notes, "edited elsewhere");
    }

    #[test]
    fn a_merge_keeps_new_sessions_forgets_deleted_ones_and_sorts_newest_first() {
        let mut store = SessionStore::default();
        store.merge(
            listing(vec![
                session("old", "2026-11-01T09:00:00Z"),
                session("gone", "2026-11-02T09:00:00Z"),
            ]),
            0,
            |s| s.takes[0].notes = "prepared".to_owned(),
        );
        assert!(store.is_listed());
        let asked_at = store.generation();
        store.insert(session("new", "2026-11-30T09:00:00Z"));
        // The listing was read before "new" was saved, after "gone" was deleted.
        store.merge(
            listing(vec![session("old", "2026-11-01T09:00:00Z")]),
            asked_at,
            |_| {},
        );
        let ids: Vec<&str> = store.all().iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["new", "old"]);
        assert!(store.get("gone").is_none());
        assert_eq!(store.get("new").unwrap().id, "new");
        store.remove("new");
        assert_eq!(store.all().len(), 1);
        assert!(store.edit("new", |_| ()).is_none());
    }
}
