//! The history screen's data: the filters over the window's sessions
//! ([`SessionStore`]) and what passes them, recomputed only when either changes (so a long history
//! draws fast), with the trends drawn from it.

use jiff::Timestamp;

use super::SessionStore;
use crate::store::Session;
use crate::store::history::{SessionFilter, SessionSummary, day_start, rating_trend, summaries};

/// The history screen: the filters and what they let through of the
/// window's sessions (recomputed only when either changes, so a long
/// history draws fast).
#[derive(Default)]
pub struct HistoryView {
    /// Filter: first day shown, `YYYY-MM-DD`.
    pub from: String,
    /// Filter: last day shown, `YYYY-MM-DD`.
    pub to: String,
    /// Filter: category.
    pub category: Option<String>,
    /// Filter: lowest average rating.
    pub min_rating: Option<u8>,
    /// The sessions that pass, newest first.
    pub rows: Vec<SessionSummary>,
    /// Average rating per session, oldest first: `[days since epoch, rating]`.
    pub trend: Vec<[f64; 2]>,
    /// Words per minute per session, oldest first: counted from the
    /// transcripts where the session has them, else the acoustic estimate.
    pub pace_trend: Vec<[f64; 2]>,
    /// Some of those are estimates.
    pub pace_estimated: bool,
    /// Fillers per minute per session with transcripts.
    pub fillers_trend: Vec<[f64; 2]>,
    /// Keywords covered, in percent, per session with transcripts of
    /// questions that have keywords.
    pub coverage_trend: Vec<[f64; 2]>,
    /// Average share of the time spoken per analysed session, in percent.
    pub speaking_trend: Vec<[f64; 2]>,
    /// A filter date that cannot be read.
    pub filter_error: Option<String>,
    /// The session the user asked to delete (waiting for confirmation).
    pub confirm_delete: Option<String>,
}

impl HistoryView {
    /// Shows the last `days` days up to `today` (`None`: every day).
    pub fn show_days(&mut self, today: jiff::civil::Date, days: Option<i64>) {
        self.to.clear();
        self.from = match days {
            Some(days) => today
                .checked_sub(jiff::Span::new().days(days - 1))
                .map_or_else(|_| String::new(), |from| from.to_string()),
            None => String::new(),
        };
    }

    /// Applies the filters to the sessions.
    pub fn refresh(&mut self, store: &SessionStore) {
        let sessions = store.all();
        self.filter_error = None;
        let day = |text: &str, what: &str, errors: &mut Option<String>| -> Option<Timestamp> {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            match text.parse::<jiff::civil::Date>() {
                Ok(date) => day_start(date).ok(),
                Err(_) => {
                    *errors = Some(format!("{what} \"{text}\" is not a date like 2026-11-26"));
                    None
                }
            }
        };
        let mut errors = None;
        let from = day(&self.from, "From", &mut errors);
        let until =
            day(&self.to, "To", &mut errors).map(|t| t + jiff::SignedDuration::from_hours(24));
        self.filter_error = errors;
        let filter = SessionFilter {
            from,
            until,
            category: self.category.clone(),
            min_rating: self.min_rating.map(f64::from),
        };
        self.rows = summaries(sessions, &filter);
        let mut oldest_first: Vec<&Session> =
            sessions.iter().filter(|s| filter.accepts(s)).collect();
        oldest_first.sort_by_key(|s| s.started_at);
        let day = |at: Timestamp| at.as_second() as f64 / 86_400.0;
        self.trend = rating_trend(oldest_first.iter().copied())
            .into_iter()
            .map(|(at, rating)| [day(at), rating])
            .collect();
        self.pace_estimated = false;
        self.pace_trend = oldest_first
            .iter()
            .filter_map(|s| {
                let counted = s
                    .words_together()
                    .and_then(|words| words.words_per_minute());
                self.pace_estimated |= counted.is_none() && s.average_pace().is_some();
                counted
                    .or_else(|| s.average_pace())
                    .map(|wpm| [day(s.started_at), wpm])
            })
            .collect();
        let words: Vec<(f64, crate::feedback::WordsTogether)> = oldest_first
            .iter()
            .filter_map(|s| s.words_together().map(|w| (day(s.started_at), w)))
            .collect();
        self.fillers_trend = words
            .iter()
            .filter_map(|(at, w)| w.fillers_per_minute().map(|f| [*at, f]))
            .collect();
        self.coverage_trend = words
            .iter()
            .filter_map(|(at, w)| w.coverage_percent().map(|c| [*at, c]))
            .collect();
        self.speaking_trend = oldest_first
            .iter()
            .filter_map(|s| {
                s.average_speaking_ratio()
                    .map(|ratio| [day(s.started_at), ratio * 100.0])
            })
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Listing;

    fn store(sessions: Vec<Session>) -> SessionStore {
        let mut store = SessionStore::default();
        let listing = Listing {
            sessions,
            damaged: Vec::new(),
        };
        store.merge(listing, 0, |_| {});
        store
    }

    fn session() -> Session {
        crate::store::session::fixture()
    }

    /// `session` with `text` said in every take (a word every 400 ms), its
    /// question asking for "index" and "replica".
    fn said(mut session: Session, id: &str, started: &str, text: &str) -> Session {
        session.id = id.to_owned();
        session.started_at = started.parse().unwrap();
        session.questions[0].keywords = vec!["index".to_owned(), "replica".to_owned()];
        let transcript = crate::feedback::tokens::tests::transcript(text);
        let files: Vec<String> = session.takes.iter().map(|t| t.file.clone()).collect();
        for file in files {
            session.apply_transcript(&file, &transcript);
        }
        session
    }

    #[test]
    fn trends_of_what_was_said_come_from_the_transcripts() {
        let sessions = store(vec![
            said(
                session(),
                "b",
                "2026-11-20T09:00:00Z",
                "I added an index and a replica.",
            ),
            said(
                session(),
                "a",
                "2026-11-10T09:00:00Z",
                "Um, I added, um, an index.",
            ),
        ]);
        let mut history = HistoryView::default();
        history.refresh(&sessions);
        // Oldest first: half the keywords, then all of them; fillers fall.
        let coverage: Vec<f64> = history.coverage_trend.iter().map(|p| p[1]).collect();
        assert_eq!(coverage, [50.0, 100.0]);
        let fillers: Vec<f64> = history.fillers_trend.iter().map(|p| p[1]).collect();
        assert!(fillers[0] > 0.0 && fillers[1] == 0.0, "{fillers:?}");
        // Pace counted from the words: 6 words over 2.3 s.
        assert!((history.pace_trend[0][1] - 6.0 / 2.3 * 60.0).abs() < 1e-6);
        assert!(!history.pace_estimated);
    }

    #[test]
    fn history_filters_by_day_and_reports_a_bad_date() {
        let sessions = store(vec![session()]);
        let mut history = HistoryView::default();
        history.refresh(&sessions);
        assert_eq!(history.rows.len(), 1);
        assert_eq!(history.trend.len(), 1);
        history.from = "2999-01-01".to_owned();
        history.refresh(&sessions);
        assert!(history.rows.is_empty());
        history.from = "yesterday".to_owned();
        history.refresh(&sessions);
        assert!(
            history
                .filter_error
                .as_deref()
                .unwrap()
                .contains("yesterday")
        );
        assert_eq!(history.rows.len(), 1, "a bad date filters nothing");
    }
}
