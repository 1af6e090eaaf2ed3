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
    pub recorded_time: Duration,
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
            recorded_time: session.recorded_time(),
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
        // A follow-up answer answers another question than the bank's.
        for take in session.takes.iter().filter(|t| t.follow_up.is_none()) {
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

/// How many of the latest rated sessions make the "recent" average rating
/// (and how many before them make the one it is compared with).
pub const RECENT_RATED_SESSIONS: usize = 5;

/// How practice is going, at a glance (the practice screen's top line).
#[derive(Clone, Debug, PartialEq)]
pub struct Glance {
    /// Questions of the bank answered at least once.
    pub practised: usize,
    /// Questions in the bank.
    pub bank: usize,
    /// Sessions started in the last 7 days.
    pub sessions_last_week: usize,
    /// The average rating lately, and before.
    pub rating: Option<RatingChange>,
}

/// The average rating of the latest rated sessions, and of as many before
/// them.
#[derive(Clone, Debug, PartialEq)]
pub struct RatingChange {
    /// Mean of the latest rated sessions' averages.
    pub recent: f64,
    /// How many sessions that is (at most [`RECENT_RATED_SESSIONS`]).
    pub recent_sessions: usize,
    /// Mean of the ones before them, if any.
    pub before: Option<f64>,
}

impl Glance {
    /// The glance over `bank` (with its practice `records`) and `sessions`
    /// (any order), as of `now`.
    pub fn of(
        bank: &[crate::model::Question],
        records: &HashMap<QuestionId, PracticeRecord>,
        sessions: &[Session],
        now: Timestamp,
    ) -> Self {
        let week_ago = now - jiff::SignedDuration::from_hours(7 * 24);
        let mut rated = rating_trend(sessions);
        rated.reverse();
        let mean = |points: &[(Timestamp, f64)]| {
            (!points.is_empty())
                .then(|| points.iter().map(|(_, r)| r).sum::<f64>() / points.len() as f64)
        };
        let recent = &rated[..rated.len().min(RECENT_RATED_SESSIONS)];
        let before = &rated[recent.len()..rated.len().min(2 * RECENT_RATED_SESSIONS)];
        Self {
            practised: bank
                .iter()
                .filter(|q| records.get(&q.id).is_some_and(|r| r.times_practiced > 0))
                .count(),
            bank: bank.len(),
            sessions_last_week: sessions
                .iter()
                .filter(|s| s.started_at >= week_ago && s.started_at <= now)
                .count(),
            rating: mean(recent).map(|recent_mean| RatingChange {
                recent: recent_mean,
                recent_sessions: recent.len(),
                before: mean(before),
            }),
        }
    }
}

/// When something was last done, as a person says it: "today",
/// "yesterday", "3 days ago" (by the calendar days of the system's time
/// zone), or the date once it is over a month ago.
pub fn days_ago(then: Timestamp, now: Timestamp) -> String {
    let zone = jiff::tz::TimeZone::system();
    let then = then.to_zoned_datetime(zone.clone()).date();
    let today = now.to_zoned_datetime(zone).date();
    let days = (today - then).get_days();
    match days {
        i32::MIN..=0 => "today".to_owned(),
        1 => "yesterday".to_owned(),
        2..=31 => format!("{days} days ago"),
        _ => then.to_string(),
    }
}

/// A moment as shown to the user: in the system's time zone, to the minute.
pub fn local_time(at: Timestamp) -> String {
    at.to_zoned_datetime(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// `at` in the system's time zone as a person writes it: "5 December
/// 2026, 08:18" (for reports people read, not for lists that sort).
pub fn readable_time(at: Timestamp) -> String {
    format!(
        "{}, {}",
        readable_day(at),
        at.to_zoned_datetime(jiff::tz::TimeZone::system())
            .strftime("%H:%M")
    )
}

/// The day of `at` in the system's time zone: "5 December 2026".
pub fn readable_day(at: Timestamp) -> String {
    at.to_zoned_datetime(jiff::tz::TimeZone::system())
        .strftime("%-d %B %Y")
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
            content: None,
            follow_up: None,
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
                strong_answer: Vec::new(),
                follow_ups: Vec::new(),
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
        assert_eq!(all[0].recorded_time, Duration::from_secs(40));
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

    #[test]
    fn the_glance_counts_the_practised_questions_this_weeks_sessions_and_the_rating_change() {
        let question = |id: &str| crate::model::Question::example(id, "Databases");
        let bank = vec![question("a"), question("b"), question("z")];
        let day = 86_400;
        // Twelve sessions a day apart, one rated take each: 1 star in the
        // oldest two, 2 in the five before the latest five, 4 in those.
        let mut all: Vec<Session> = (0..12)
            .map(|n| {
                let stars = match n {
                    0..=1 => 1,
                    2..=6 => 2,
                    _ => 4,
                };
                session(
                    &format!("s{n}"),
                    n * day,
                    "Databases",
                    vec![take("a", n * day + 1, Some(stars), 1_000)],
                )
            })
            .collect();
        all.push(session(
            "unrated",
            12 * day,
            "Databases",
            vec![take("b", 12 * day + 1, None, 1_000)],
        ));
        let records = practice_records(&all);
        let glance = Glance::of(&bank, &records, &all, at(12 * day + 60));
        assert_eq!((glance.practised, glance.bank), (2, 3));
        assert_eq!(glance.sessions_last_week, 7, "days 6 to 12");
        let rating = glance.rating.unwrap();
        assert_eq!(rating.recent_sessions, 5);
        assert!((rating.recent - 4.0).abs() < 1e-9);
        assert!((rating.before.unwrap() - 2.0).abs() < 1e-9);

        let one = &all[..1];
        let glance = Glance::of(&bank, &practice_records(one), one, at(90 * day));
        assert_eq!(glance.sessions_last_week, 0);
        let rating = glance.rating.unwrap();
        assert_eq!((rating.recent_sessions, rating.before), (1, None));
        assert!(
            Glance::of(&bank, &HashMap::new(), &[], at(0))
                .rating
                .is_none()
        );
    }

    #[test]
    fn days_ago_counts_calendar_days() {
        let now = Timestamp::from_second(1_790_000_000).unwrap();
        let hours = |h: i64| now - jiff::SignedDuration::from_hours(h);
        assert_eq!(days_ago(now, now), "today");
        assert_eq!(days_ago(hours(24), now), "yesterday");
        assert_eq!(days_ago(hours(24 * 5), now), "5 days ago");
        assert!(days_ago(hours(24 * 60), now).starts_with("20"), "a date");
        assert_eq!(days_ago(hours(-5), now), "today", "a clock set back");
    }
}
