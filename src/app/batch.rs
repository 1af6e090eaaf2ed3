//! The worker's batches: requests that queued up while the worker was busy
//! are taken together, and what a later one makes pointless is dropped,
//! without ever reordering what depends on what.

use super::worker::WorkerRequest;

/// Drops work that a later request in the same batch makes pointless,
/// without ever reordering what depends on what: several saves of one
/// session become one save of the latest copy, made where the first of them
/// was queued (so nothing queued after that first save can see an older
/// copy); of several listings only the last is made, where it was queued
/// (it sees every save queued before any of them); likewise for settings. A
/// deletion of a session is a barrier for its saves.
pub(super) fn coalesce(batch: Vec<WorkerRequest>) -> Vec<WorkerRequest> {
    let mut kept: Vec<WorkerRequest> = Vec::with_capacity(batch.len());
    for request in batch {
        let earlier = match &request {
            WorkerRequest::SaveSession(session) => kept
                .iter()
                .rposition(|queued| match queued {
                    WorkerRequest::DeleteSession(id) => id == &session.id,
                    WorkerRequest::SaveSession(s) => s.id == session.id,
                    _ => false,
                })
                .filter(|&at| matches!(kept[at], WorkerRequest::SaveSession(_))),
            WorkerRequest::SaveSettings(_) => kept
                .iter()
                .position(|queued| matches!(queued, WorkerRequest::SaveSettings(_))),
            WorkerRequest::LoadListing(_) => {
                kept.retain(|queued| !matches!(queued, WorkerRequest::LoadListing(_)));
                None
            }
            _ => None,
        };
        match earlier {
            Some(at) => kept[at] = request,
            None => kept.push(request),
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::store::Session;

    fn session(id: &str, notes: &str) -> Box<Session> {
        let mut session = crate::store::session::fixture();
        session.id = id.to_owned();
        session.takes[0].notes = notes.to_owned();
        Box::new(session)
    }

    fn describe(request: &WorkerRequest) -> String {
        match request {
            WorkerRequest::SaveSession(s) => format!("save {} {}", s.id, s.takes[0].notes),
            WorkerRequest::LoadListing(_) => "list".to_owned(),
            WorkerRequest::DeleteSession(id) => format!("delete {id}"),
            _ => "other".to_owned(),
        }
    }

    #[test]
    fn saves_are_merged_where_the_first_was_queued_and_one_listing_runs_last() {
        let batch = vec![
            WorkerRequest::SaveSession(session("a", "h")),
            WorkerRequest::LoadListing(0),
            WorkerRequest::SaveSession(session("b", "x")),
            WorkerRequest::SaveSession(session("a", "he")),
            WorkerRequest::LoadListing(0),
            WorkerRequest::SaveSession(session("a", "hey")),
        ];
        let described: Vec<String> = coalesce(batch).iter().map(describe).collect();
        assert_eq!(described, ["save a hey", "save b x", "list"]);
    }

    #[test]
    fn a_deletion_is_a_barrier_for_saves_of_its_session() {
        let batch = vec![
            WorkerRequest::SaveSession(session("a", "1")),
            WorkerRequest::DeleteSession("a".to_owned()),
            WorkerRequest::SaveSession(session("a", "2")),
        ];
        let described: Vec<String> = coalesce(batch).iter().map(describe).collect();
        assert_eq!(described, ["save a 1", "delete a", "save a 2"]);
    }

    /// Runs `requests` against a model of the store (session → the version
    /// saved last); returns what each listing saw, and the final state.
    fn execute(requests: &[WorkerRequest]) -> (Vec<HashMap<String, u32>>, HashMap<String, u32>) {
        let mut store = HashMap::new();
        let mut seen = Vec::new();
        for request in requests {
            match request {
                WorkerRequest::SaveSession(s) => {
                    store.insert(s.id.clone(), s.takes[0].notes.parse().unwrap());
                }
                WorkerRequest::DeleteSession(id) => {
                    store.remove(id);
                }
                WorkerRequest::LoadListing(_) => seen.push(store.clone()),
                _ => {}
            }
        }
        (seen, store)
    }

    #[test]
    fn a_listing_never_reads_a_session_older_than_a_save_queued_before_it() {
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..2000 {
            let mut version = 0;
            let batch: Vec<WorkerRequest> = (0..rng.usize(1..12))
                .map(|_| match rng.u8(..10) {
                    0..=5 => {
                        version += 1;
                        let id = ["a", "b", "c"][rng.usize(..3)];
                        WorkerRequest::SaveSession(session(id, &version.to_string()))
                    }
                    6..=8 => WorkerRequest::LoadListing(0),
                    _ => WorkerRequest::DeleteSession(["a", "b", "c"][rng.usize(..3)].to_owned()),
                })
                .collect();
            let (listings_before, final_before) = execute(&batch);
            let kept = coalesce(batch);
            let (listings_after, final_after) = execute(&kept);
            let shown: Vec<String> = kept.iter().map(describe).collect();
            assert_eq!(final_after, final_before, "{shown:?}");
            // The one listing left sees what the last queued listing would
            // have seen, or newer: never older.
            assert_eq!(
                listings_after.len(),
                listings_before.len().min(1),
                "{shown:?}"
            );
            if let (Some(after), Some(before)) = (listings_after.last(), listings_before.last()) {
                for (id, version) in before {
                    let now = after.get(id);
                    assert!(
                        now.is_some_and(|v| v >= version),
                        "{id}: {now:?} < {version} in {shown:?}"
                    );
                }
            }
        }
    }
}
