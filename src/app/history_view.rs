//! The history screen's data: every session on disk, the filters, and what
//! passes them, recomputed only when either changes (so a long history
//! draws fast), with the trends drawn from it.

use jiff::Timestamp;

use crate::store::history::{SessionFilter, SessionSummary, day_start, rating_trend, summaries};
use crate::store::{Listing, Session};

/// The history screen: the sessions on disk, the filters and what they let
/// through (recomputed only when either changes, so a long history draws
/// fast).
#[derive(Default)]
pub struct HistoryView {
    /// Everything on disk; `None` until loaded.
    pub listing: Option<Listing>,
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
    /// Average estimated words per minute per analysed session, oldest first.
    pub pace_trend: Vec<[f64; 2]>,
    /// Average share of the time spoken per analysed session, in percent.
    pub speaking_trend: Vec<[f64; 2]>,
    /// A filter date that cannot be read.
    pub filter_error: Option<String>,
    /// The session the user asked to delete (waiting for confirmation).
    pub confirm_delete: Option<String>,
}

impl HistoryView {
    /// Applies the filters to the listing.
    pub fn refresh(&mut self) {
        let Some(listing) = &self.listing else {
            return;
        };
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
        self.rows = summaries(&listing.sessions, &filter);
        let mut oldest_first: Vec<&Session> = listing
            .sessions
            .iter()
            .filter(|s| filter.accepts(s))
            .collect();
        oldest_first.sort_by_key(|s| s.started_at);
        let day = |at: Timestamp| at.as_second() as f64 / 86_400.0;
        self.trend = rating_trend(oldest_first.iter().copied())
            .into_iter()
            .map(|(at, rating)| [day(at), rating])
            .collect();
        self.pace_trend = oldest_first
            .iter()
            .filter_map(|s| s.average_pace().map(|wpm| [day(s.started_at), wpm]))
            .collect();
        self.speaking_trend = oldest_first
            .iter()
            .filter_map(|s| {
                s.average_speaking_ratio()
                    .map(|ratio| [day(s.started_at), ratio * 100.0])
            })
            .collect();
    }

    /// Every loaded session, newest first.
    pub fn sessions(&self) -> &[Session] {
        self.listing.as_ref().map_or(&[], |l| l.sessions.as_slice())
    }

    /// The loaded session `id`.
    pub fn session(&self, id: &str) -> Option<&Session> {
        self.listing
            .as_ref()
            .and_then(|l| l.sessions.iter().find(|s| s.id == id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        crate::store::session::fixture()
    }

    #[test]
    fn history_filters_by_day_and_reports_a_bad_date() {
        let mut history = HistoryView {
            listing: Some(Listing {
                sessions: vec![session()],
                damaged: Vec::new(),
            }),
            ..HistoryView::default()
        };
        history.refresh();
        assert_eq!(history.rows.len(), 1);
        assert_eq!(history.trend.len(), 1);
        history.from = "2999-01-01".to_owned();
        history.refresh();
        assert!(history.rows.is_empty());
        history.from = "yesterday".to_owned();
        history.refresh();
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
