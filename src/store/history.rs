//! Queries over the loaded sessions for the history screens and the CLI:
//! summaries with filters, every take of one question, practice records
//! (which feed "weakest first") and the rating trend.

use std::collections::HashMap;
use std::time::Duration;

use jiff::Timestamp;

use super::{Session, Take};
use crate::model::{PracticeRecord, QuestionId, Rating};

/// One line of the session list.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionSummary {
    /// The session's id.
    pub id: String,
    /// When it started.
    pub started_at: Timestamp,
    /// Questions with at least one take.
    pub questions: usize,
    /// Takes recorded.
    pub takes: usize,
    /// Total length of the takes.
    pub speaking_time: Duration,
    /// Mean rating of the rated takes.
    pub average_rating: Option<f64>,
    /// Practice, or a mock interview.
    pub mode: crate::interview::SessionMode,
}

impl SessionSummary {
    /// The summary of `session`.
    pub fn of(session: &Session) -> Self {
        Self {
            id: session.id.clone(),
            started_at: session.started_at,
            questions: session.questions_answered(),
            takes: session.takes.len(),
            speaking_time: session.speaking_time(),
            average_rating: session.average_rating(),
            mode: session.plan.mode,
        }
    }
}

/// Which sessions to show.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SessionFilter {
    /// Started at or after.
    pub from: Option<Timestamp>,
    /// Started before.
    pub until: Option<Timestamp>,
    /// Asked at least one question of this category (case ignored).
    pub category: Option<String>,
    /// Average rating at least this.
    pub min_rating: Option<f64>,
}

impl SessionFilter {
    /// Whether `session` passes.
    pub fn accepts(&self, session: &Session) -> bool {
        self.from.is_none_or(|from| session.started_at >= from)
            && self.until.is_none_or(|until| session.started_at < until)
            && self.category.as_ref().is_none_or(|category| {
                session
                    .questions
                    .iter()
                    .any(|q| q.category.eq_ignore_ascii_case(category))
            })
            && self
                .min_rating
                .is_none_or(|min| session.average_rating().is_some_and(|avg| avg >= min))
    }
}

/// Summaries of the sessions that pass `filter`, in the given order (the
/// store lists newest first).
pub fn summaries(sessions: &[Session], filter: &SessionFilter) -> Vec<SessionSummary> {
    sessions
        .iter()
        .filter(|s| filter.accepts(s))
        .map(SessionSummary::of)
        .collect()
}

/// Every take of question `id` across sessions, oldest first, as its
/// session and its index there: to hear progress.
pub fn takes_of_question<'a>(sessions: &'a [Session], id: &str) -> Vec<(&'a Session, usize)> {
    let mut takes: Vec<(&Session, usize)> = sessions
        .iter()
        .flat_map(|s| {
            s.takes
                .iter()
                .enumerate()
                .filter(move |(_, t)| t.question_id == id)
                .map(move |(index, _)| (s, index))
        })
        .collect();
    takes.sort_by_key(|(session, index)| session.takes[*index].started_at);
    takes
}

/// How many takes of question `id` the sessions hold (they stay when the
/// question is changed or deleted).
pub fn takes_of(sessions: &[Session], id: &QuestionId) -> usize {
    sessions
        .iter()
        .flat_map(|s| &s.takes)
        .filter(|t| t.question_id == id.as_str())
        .count()
}

/// How often and how well each question has been practised.
pub fn practice_records(sessions: &[Session]) -> HashMap<QuestionId, PracticeRecord> {
    let mut records: HashMap<QuestionId, PracticeRecord> = HashMap::new();
    let mut latest_rated: HashMap<QuestionId, Timestamp> = HashMap::new();
    for session in sessions {
        let mut seen_in_session: Vec<&str> = Vec::new();
        for take in &session.takes {
            let Ok(id) = QuestionId::parse(&take.question_id) else {
                continue;
            };
            let record = records.entry(id.clone()).or_default();
            if !seen_in_session.contains(&take.question_id.as_str()) {
                seen_in_session.push(&take.question_id);
                record.times_practiced += 1;
            }
            let when = take.started_at.as_second();
            record.last_practiced_unix =
                Some(record.last_practiced_unix.map_or(when, |l| l.max(when)));
            if let Some(rating) = take.rating {
                record.best_rating = Some(record.best_rating.map_or(rating, |b| b.max(rating)));
                let newer = latest_rated
                    .get(&id)
                    .is_none_or(|&at| take.started_at >= at);
                if newer {
                    latest_rated.insert(id, take.started_at);
                    record.latest_rating = Some(rating);
                }
            }
        }
    }
    records
}

/// Each rated session's average rating, oldest first: the trend to plot.
pub fn rating_trend<'a>(sessions: impl IntoIterator<Item = &'a Session>) -> Vec<(Timestamp, f64)> {
    let mut points: Vec<(Timestamp, f64)> = sessions
        .into_iter()
        .filter_map(|s| s.average_rating().map(|avg| (s.started_at, avg)))
        .collect();
    points.sort_by_key(|(at, _)| *at);
    points
}

/// A moment as shown to the user: in the system's time zone, to the minute.
pub fn local_time(at: Timestamp) -> String {
    at.to_zoned_datetime(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// The first moment of `date` in the system's time zone: filters by day
/// mean the user's days.
pub fn day_start(date: jiff::civil::Date) -> Result<Timestamp, jiff::Error> {
    Ok(date
        .to_zoned_datetime(jiff::tz::TimeZone::system())?
        .timestamp())
}

/// The best rating among `takes`.
pub fn best_rating<'a>(takes: impl IntoIterator<Item = &'a Take>) -> Option<Rating> {
    takes.into_iter().filter_map(|t| t.rating).max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::TakeFormat;
    use crate::interview::{PlanRequest, StopReason};
    use crate::model::QuestionKind;
    use crate::store::{AskedQuestion, StarChecklist};

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_790_000_000 + seconds).unwrap()
    }

    fn take(question: &str, started: i64, rating: Option<u8>, ms: u64) -> Take {
        Take {
            question_index: usize::from(question == "b"),
            question_id: question.to_owned(),
            question_text: format!("{question}?"),
            take: 1,
            started_at: at(started),
            duration_ms: ms,
            file: format!("takes/01-{question}-take1.wav"),
            format: TakeFormat::S16,
            sample_rate: 48_000,
            stopped: StopReason::User,
            rating: rating.and_then(Rating::new),
            notes: String::new(),
            star: StarChecklist::default(),
            preferred: false,
            silent: false,
            metrics: None,
            transcript: None,
            spoken: None,
        }
    }

    fn session(id: &str, started: i64, category: &str, takes: Vec<Take>) -> Session {
        Session {
            schema_version: 1,
            id: id.to_owned(),
            started_at: at(started),
            ended_at: None,
            plan: PlanRequest::default(),
            questions: vec![AskedQuestion {
                id: "q".to_owned(),
                text: "Q?".to_owned(),
                category: category.to_owned(),
                kind: QuestionKind::Technical,
                think_seconds: 10,
                answer_seconds: Some(60),
                keywords: Vec::new(),
            }],
            takes,
        }
    }

    fn sessions() -> Vec<Session> {
        vec![
            session(
                "c",
                300,
                "Databases",
                vec![
                    take("a", 301, Some(4), 30_000),
                    take("b", 302, None, 10_000),
                ],
            ),
            session("b", 200, "Security", vec![take("a", 201, Some(2), 20_000)]),
            session(
                "a",
                100,
                "Databases",
                vec![
                    take("a", 101, Some(3), 5_000),
                    take("a", 102, Some(5), 5_000),
                ],
            ),
        ]
    }

    #[test]
    fn summaries_count_and_filter() {
        let all = summaries(&sessions(), &SessionFilter::default());
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].id, "c");
        assert_eq!(all[0].questions, 2);
        assert_eq!(all[0].takes, 2);
        assert_eq!(all[0].speaking_time, Duration::from_secs(40));
        assert_eq!(all[0].average_rating, Some(4.0));

        let databases = SessionFilter {
            category: Some("databases".to_owned()),
            ..SessionFilter::default()
        };
        let ids: Vec<String> = summaries(&sessions(), &databases)
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(ids, ["c", "a"]);

        let window = SessionFilter {
            from: Some(at(150)),
            until: Some(at(300)),
            ..SessionFilter::default()
        };
        let ids: Vec<String> = summaries(&sessions(), &window)
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(ids, ["b"]);

        let good = SessionFilter {
            min_rating: Some(3.5),
            ..SessionFilter::default()
        };
        let ids: Vec<String> = summaries(&sessions(), &good)
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(ids, ["c", "a"]);
    }

    #[test]
    fn takes_of_a_question_run_oldest_first() {
        let all = sessions();
        let takes = takes_of_question(&all, "a");
        let order: Vec<(&str, i64)> = takes
            .iter()
            .map(|(session, index)| {
                let at = session.takes[*index].started_at.as_second();
                (session.id.as_str(), at - 1_790_000_000)
            })
            .collect();
        assert_eq!(order, [("a", 101), ("a", 102), ("b", 201), ("c", 301)]);
    }

    #[test]
    fn practice_records_count_sessions_and_track_ratings() {
        let records = practice_records(&sessions());
        let a = &records[&QuestionId::parse("a").unwrap()];
        assert_eq!(a.times_practiced, 3);
        assert_eq!(a.last_practiced_unix, Some(at(301).as_second()));
        assert_eq!(a.latest_rating.map(Rating::stars), Some(4));
        assert_eq!(a.best_rating.map(Rating::stars), Some(5));
        let b = &records[&QuestionId::parse("b").unwrap()];
        assert_eq!((b.times_practiced, b.latest_rating), (1, None));
    }

    #[test]
    fn the_rating_trend_is_oldest_first() {
        let trend: Vec<f64> = rating_trend(&sessions())
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        assert_eq!(trend, [4.0, 2.0, 4.0]);
    }
}
