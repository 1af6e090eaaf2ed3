//! Finding what was said: an index of every take's transcript in memory
//! (each transcript's words, lower-case, joined by single spaces, with
//! where each word starts), built in the background from the transcript
//! files and kept up to date as takes are transcribed or deleted. A query
//! is a word or a phrase, matched case-insensitively on whole words
//! ("read replica" finds "Read-replica." but not "bread replicas"); a
//! scan of 1,000 sessions × 10 two-minute transcripts takes milliseconds.

use std::collections::HashMap;
use std::path::Path;

use jiff::Timestamp;

use super::{Session, Take};
use crate::feedback::tokens::words_in;
use crate::speech::Transcript;

/// One take's transcript, ready to search.
#[derive(Clone, Debug)]
struct Entry {
    session: String,
    started_at: Timestamp,
    question: String,
    /// The words as said, for snippets.
    words: Vec<String>,
    /// Where each word starts, in milliseconds.
    starts: Vec<u64>,
    /// " word word … word ": lower-case, cleaned, a space before and after
    /// each word.
    text: String,
    /// For each word, where it starts in `text` (its leading space).
    offsets: Vec<usize>,
}

/// A take whose transcript says what was searched for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// The session's id.
    pub session: String,
    /// When it started.
    pub started_at: Timestamp,
    /// The take's file, relative to its session folder.
    pub file: String,
    /// The question as asked.
    pub question: String,
    /// Words before the match (a few).
    pub before: String,
    /// The words that matched, as said.
    pub matched: String,
    /// Words after it.
    pub after: String,
    /// Where the match starts in the take, in milliseconds.
    pub start_ms: u64,
}

/// Words of context on each side of a match.
const CONTEXT_WORDS: usize = 6;

/// The transcripts of the history, by (session id, take file).
#[derive(Clone, Debug, Default)]
pub struct TranscriptIndex {
    entries: HashMap<(String, String), Entry>,
}

impl TranscriptIndex {
    /// Reads the transcript of every take of `sessions` (whose folders are
    /// in `sessions_folder`) that has one; a transcript that cannot be read
    /// is logged and left out.
    pub fn build(sessions_folder: &Path, sessions: &[Session]) -> Self {
        let mut index = Self::default();
        for session in sessions {
            for take in session.takes.iter().filter(|t| t.transcript.is_some()) {
                match super::transcripts::read(&sessions_folder.join(&session.id), take) {
                    Ok(transcript) => index.add(session, take, &transcript),
                    Err(err) => log::warn!("search leaves out a transcript: {err}"),
                }
            }
        }
        index
    }

    /// How many transcripts are indexed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether none are.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds (or replaces) the transcript of `take` of `session`.
    pub fn add(&mut self, session: &Session, take: &Take, transcript: &Transcript) {
        let mut entry = Entry {
            session: session.id.clone(),
            started_at: session.started_at,
            // A follow-up answer answers the follow-up.
            question: take.follow_up.as_ref().map_or_else(
                || take.question_text.clone(),
                |of| format!("Follow-up: {}", of.ask),
            ),
            words: Vec::with_capacity(transcript.words.len()),
            starts: Vec::with_capacity(transcript.words.len()),
            text: String::from(" "),
            offsets: Vec::with_capacity(transcript.words.len()),
        };
        for word in &transcript.words {
            let shown = word.text.trim();
            let parts = words_in(shown);
            if parts.is_empty() {
                continue;
            }
            entry.offsets.push(entry.text.len() - 1);
            entry.words.push(shown.to_owned());
            entry.starts.push(word.start_ms);
            entry.text.push_str(&parts.join(" "));
            entry.text.push(' ');
        }
        self.entries
            .insert((session.id.clone(), take.file.clone()), entry);
    }

    /// Forgets the transcript of `file` of session `session`.
    pub fn remove_take(&mut self, session: &str, file: &str) {
        self.entries.remove(&(session.to_owned(), file.to_owned()));
    }

    /// Forgets every transcript of session `session`.
    pub fn remove_session(&mut self, session: &str) {
        self.entries.retain(|(id, _), _| id != session);
    }

    /// Takes whose transcript says `query` (whole words, any case), newest
    /// session first, at most `limit`; one hit per take (its first match).
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let words = words_in(query);
        if words.is_empty() {
            return Vec::new();
        }
        let needle = format!(" {} ", words.join(" "));
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        let mut hits: Vec<Hit> = self
            .entries
            .iter()
            .filter_map(|((_, file), entry)| {
                let at = finder.find(entry.text.as_bytes())?;
                let first = entry.offsets.partition_point(|&offset| offset < at);
                let mut last = first;
                while last + 1 < entry.offsets.len()
                    && entry.offsets[last + 1] < at + needle.len() - 1
                {
                    last += 1;
                }
                let from = first.saturating_sub(CONTEXT_WORDS);
                let to = (last + 1 + CONTEXT_WORDS).min(entry.words.len());
                Some(Hit {
                    session: entry.session.clone(),
                    started_at: entry.started_at,
                    file: file.clone(),
                    question: entry.question.clone(),
                    before: snippet(&entry.words[from..first], from > 0, false),
                    matched: entry.words[first..=last].join(" "),
                    after: snippet(&entry.words[last + 1..to], false, to < entry.words.len()),
                    start_ms: entry.starts[first],
                })
            })
            .collect();
        hits.sort_by(|a, b| {
            b.started_at
                .cmp(&a.started_at)
                .then_with(|| a.file.cmp(&b.file))
        });
        hits.truncate(limit);
        hits
    }
}

/// Context words, with "…" where the transcript goes on.
fn snippet(words: &[String], cut_before: bool, cut_after: bool) -> String {
    let mut text = words.join(" ");
    if cut_before {
        text.insert_str(0, "… ");
    }
    if cut_after {
        text.push_str(" …");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedback::tokens::tests::transcript;

    fn session(id: &str, started: &str) -> Session {
        let mut session: Session =
            serde_json::from_str(include_str!("../../tests/fixtures/session-v1.json")).unwrap();
        session.id = id.to_owned();
        session.started_at = started.parse().unwrap();
        session
    }

    #[test]
    fn phrases_are_found_on_whole_words_in_any_case() {
        let older = session("a", "2026-11-01T09:00:00Z");
        let newer = session("b", "2026-11-20T09:00:00Z");
        let mut index = TranscriptIndex::default();
        index.add(
            &older,
            &older.takes[0],
            &transcript("First I checked the logs. Then we moved reads to a Read-replica, and the lag stayed low."),
        );
        index.add(
            &newer,
            &newer.takes[1],
            &transcript("The read replica lagged; bread replicas are not a thing."),
        );
        let hits = index.search("READ replica", 10);
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].session, "b", "newest first");
        assert_eq!(hits[0].matched, "read replica");
        assert_eq!(hits[0].start_ms, 400);
        assert_eq!(hits[1].matched, "Read-replica,");
        assert_eq!(hits[1].before, "… Then we moved reads to a");
        assert_eq!(hits[1].after, "and the lag stayed low.");
        assert_eq!(hits[1].start_ms, 11 * 400);
        assert!(index.search("replic", 10).is_empty(), "whole words only");
        assert!(index.search("  ", 10).is_empty());
        assert_eq!(index.search("lag", 10).len(), 1);
    }

    #[test]
    fn words_of_a_follow_up_answer_are_found_under_its_follow_up() {
        let mut one = session("a", "2026-11-01T09:00:00Z");
        one.takes[1].follow_up = Some(crate::store::FollowUpOf {
            take: one.takes[0].file.clone(),
            ask: "And the result?".to_owned(),
            reason: "no measurable result yet".to_owned(),
            depth: 1,
        });
        let mut index = TranscriptIndex::default();
        index.add(&one, &one.takes[1], &transcript("latency fell by half"));
        let hits = index.search("fell by half", 10);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].file, one.takes[1].file);
        assert_eq!(hits[0].question, "Follow-up: And the result?");
    }

    #[test]
    fn the_index_follows_changes() {
        let one = session("a", "2026-11-01T09:00:00Z");
        let mut index = TranscriptIndex::default();
        index.add(&one, &one.takes[0], &transcript("an index on orders"));
        index.add(&one, &one.takes[1], &transcript("a cache in front"));
        assert_eq!(index.len(), 2);
        index.add(&one, &one.takes[0], &transcript("a queue instead"));
        assert!(index.search("index", 10).is_empty(), "replaced");
        index.remove_take("a", &one.takes[1].file);
        assert!(index.search("cache", 10).is_empty());
        index.remove_session("a");
        assert!(index.is_empty());
    }
}
