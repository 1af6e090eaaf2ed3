//! The interview plan: which questions, in which order, with which timing.
//!
//! Built from the bank and the user's choices; "weakest first" takes the
//! practice records as input so the history can feed it without this module
//! knowing about the store.

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Selection;
use crate::model::{PracticeRecord, Question, QuestionId};

/// Think times offered by the app, in seconds (besides the question's own).
pub const THINK_PRESETS: [u32; 6] = [0, 3, 10, 30, 60, 120];

/// Answer limits offered by the app, in seconds (besides the question's own
/// and no limit).
pub const ANSWER_PRESETS: [u32; 4] = [60, 90, 120, 180];

/// Default time before the end of an answer at which the warning shows.
pub const DEFAULT_WARNING_SECONDS: u32 = 30;

/// How long to think before answering.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThinkTime {
    /// Each question's own `think_seconds`.
    #[default]
    QuestionDefault,
    /// The same think time for every question; 0 starts answering at once.
    Seconds(u32),
}

/// How long an answer may last.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerLimit {
    /// Each question's own `answer_seconds`.
    #[default]
    QuestionDefault,
    /// The same limit for every question (at least one second).
    Seconds(u32),
    /// The answer runs until the user stops it.
    NoLimit,
}

/// The order in which the chosen questions are asked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// The bank's order.
    #[default]
    AsListed,
    /// Shuffled; the same seed gives the same order.
    Shuffled {
        /// Seed of the shuffle, kept so a session can be repeated.
        seed: u64,
    },
    /// Never-practised questions first, then the lowest latest rating, then
    /// the longest since last practised; ties keep the bank's order.
    WeakestFirst,
}

/// How a session runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionMode {
    /// Practice: tips, retakes, skipping, and a look at each answer before
    /// the next question.
    #[default]
    Practice,
    /// Like a one-way video interview: one take per question, no tips, no
    /// retake, no skip; each answer stops at its limit and the next
    /// question follows by itself; review and rating only at the end.
    MockInterview,
}

impl SessionMode {
    /// Whether this is a practice session (the default, not written).
    pub fn is_practice(&self) -> bool {
        *self == Self::Practice
    }

    /// How lists and reports name it.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Practice => "Practice",
            Self::MockInterview => "Mock interview",
        }
    }
}

/// Follow-up questions deeper than this are never asked (a follow-up of a
/// follow-up at most).
pub const MAX_FOLLOW_UP_DEPTH: u8 = 2;

/// The default answer limit of a follow-up, in seconds.
pub const DEFAULT_FOLLOW_UP_SECONDS: u32 = 60;

/// How follow-up questions are asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FollowUps {
    /// How deep a mock interview asks them by itself after each answer:
    /// 0 (none), 1 (one per question) or 2 (a follow-up of the follow-up
    /// too). Practice asks them when the user chooses to answer one.
    pub per_question: u8,
    /// A follow-up's answer limit, in seconds (at least one).
    pub answer_seconds: u32,
}

impl Default for FollowUps {
    fn default() -> Self {
        Self {
            per_question: 1,
            answer_seconds: DEFAULT_FOLLOW_UP_SECONDS,
        }
    }
}

impl FollowUps {
    /// Whether these are the defaults (not written).
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// A follow-up's answer limit.
    pub fn answer_limit(&self) -> Duration {
        Duration::from_secs(u64::from(self.answer_seconds.max(1)))
    }

    /// How deep a mock interview goes, within [`MAX_FOLLOW_UP_DEPTH`].
    pub fn depth(&self) -> u8 {
        self.per_question.min(MAX_FOLLOW_UP_DEPTH)
    }
}

/// What the user chose on the home screen (or the command line).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRequest {
    /// Categories to draw from; with `questions`, empty means every question.
    pub categories: Vec<String>,
    /// Single questions chosen in addition to the categories.
    pub questions: Vec<QuestionId>,
    /// How many questions to ask at most; `None` asks all chosen.
    pub count: Option<usize>,
    /// The order of the questions.
    pub order: Order,
    /// Think time.
    pub think: ThinkTime,
    /// Answer limit.
    pub answer: AnswerLimit,
    /// The warning shows when this many seconds of the answer remain.
    pub warning_seconds: u32,
    /// Practice, or a mock interview.
    #[serde(default, skip_serializing_if = "SessionMode::is_practice")]
    pub mode: SessionMode,
    /// Follow-up questions (sessions before them read the defaults).
    #[serde(default, skip_serializing_if = "FollowUps::is_default")]
    pub follow_ups: FollowUps,
}

impl PlanRequest {
    /// This request as a mock interview: questions chosen one by one are
    /// asked in that order, questions drawn from categories in a random
    /// order (`seed`), and every answer has a limit (the question's own
    /// when none was chosen).
    #[must_use]
    pub fn mock_interview(mut self, seed: u64) -> Self {
        self.mode = SessionMode::MockInterview;
        self.order = if self.categories.is_empty() && !self.questions.is_empty() {
            Order::AsListed
        } else {
            Order::Shuffled { seed }
        };
        if self.answer == AnswerLimit::NoLimit {
            self.answer = AnswerLimit::QuestionDefault;
        }
        self
    }
}

impl Default for PlanRequest {
    fn default() -> Self {
        Self {
            categories: Vec::new(),
            questions: Vec::new(),
            count: None,
            order: Order::AsListed,
            think: ThinkTime::QuestionDefault,
            answer: AnswerLimit::QuestionDefault,
            warning_seconds: DEFAULT_WARNING_SECONDS,
            mode: SessionMode::Practice,
            follow_ups: FollowUps::default(),
        }
    }
}

/// One question of a plan with its timing resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedQuestion {
    /// The question as asked.
    pub question: Question,
    /// Think time before the answer.
    pub think: Duration,
    /// Answer limit; `None` for no limit.
    pub answer_limit: Option<Duration>,
}

/// The questions of one session, in order, with their timing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The questions in the order they are asked (never empty).
    pub questions: Vec<PlannedQuestion>,
    /// The warning shows when this much of the answer remains.
    pub warning_before: Duration,
    /// The request the plan was built from, kept with the session.
    pub request: PlanRequest,
}

/// Why no plan could be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// A chosen category is not in the bank.
    #[error("no category {0:?} in the question bank")]
    UnknownCategory(String),
    /// A chosen question is not in the bank.
    #[error("no question with id `{0}` in the question bank")]
    UnknownQuestion(QuestionId),
    /// The choice selects nothing, or the count is zero.
    #[error("the selection contains no questions")]
    Empty,
    /// A fixed answer limit of zero seconds.
    #[error("an answer limit must be at least 1 second (or no limit)")]
    ZeroAnswerLimit,
}

/// Builds the plan for `request` from the bank's questions. `records` holds
/// the practice record of each question that has one (for weakest first).
pub fn build_plan(
    bank: &[Question],
    request: &PlanRequest,
    records: &HashMap<QuestionId, PracticeRecord>,
) -> Result<Plan, PlanError> {
    if request.answer == AnswerLimit::Seconds(0) {
        return Err(PlanError::ZeroAnswerLimit);
    }
    for category in &request.categories {
        if !bank
            .iter()
            .any(|q| q.category.eq_ignore_ascii_case(category))
        {
            return Err(PlanError::UnknownCategory(category.clone()));
        }
    }
    for id in &request.questions {
        if !bank.iter().any(|q| &q.id == id) {
            return Err(PlanError::UnknownQuestion(id.clone()));
        }
    }

    let selection = Selection::of(&request.categories, &request.questions);
    let mut chosen: Vec<&Question> = bank.iter().filter(|q| selection.takes(q)).collect();

    match request.order {
        Order::AsListed => {}
        Order::Shuffled { seed } => fastrand::Rng::with_seed(seed).shuffle(&mut chosen),
        Order::WeakestFirst => chosen.sort_by_key(|q| weakness_key(records.get(&q.id))),
    }
    if let Some(count) = request.count {
        chosen.truncate(count);
    }
    if chosen.is_empty() {
        return Err(PlanError::Empty);
    }

    let questions = chosen
        .into_iter()
        .map(|question| PlannedQuestion {
            think: Duration::from_secs(u64::from(match request.think {
                ThinkTime::QuestionDefault => question.think_seconds,
                ThinkTime::Seconds(seconds) => seconds,
            })),
            answer_limit: match request.answer {
                AnswerLimit::QuestionDefault => Some(question.answer_seconds),
                AnswerLimit::Seconds(seconds) => Some(seconds),
                AnswerLimit::NoLimit => None,
            }
            .map(|seconds| Duration::from_secs(u64::from(seconds))),
            question: question.clone(),
        })
        .collect();
    Ok(Plan {
        questions,
        warning_before: Duration::from_secs(u64::from(request.warning_seconds)),
        request: request.clone(),
    })
}

/// Sort key for "weakest first": smaller is weaker.
fn weakness_key(record: Option<&PracticeRecord>) -> (bool, u8, i64) {
    match record {
        None => (false, 0, i64::MIN),
        Some(record) if record.times_practiced == 0 => (false, 0, i64::MIN),
        Some(record) => (
            true,
            // A practised but unrated question sorts before any rated one.
            record.latest_rating.map_or(0, |r| r.stars()),
            record.last_practiced_unix.unwrap_or(i64::MIN),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{QuestionKind, Rating};

    fn question(id: &str, category: &str) -> Question {
        Question {
            id: QuestionId::parse(id).unwrap(),
            text: format!("Question {id}?"),
            category: category.to_owned(),
            kind: QuestionKind::Technical,
            looking_for: String::new(),
            tips: Vec::new(),
            think_seconds: 15,
            answer_seconds: 90,
            keywords: Vec::new(),
            strong_answer: Vec::new(),
            follow_ups: Vec::new(),
        }
    }

    fn bank() -> Vec<Question> {
        vec![
            question("a", "Databases"),
            question("b", "Security"),
            question("c", "Databases"),
            question("d", "Cloud"),
            question("e", "Security"),
        ]
    }

    fn ids(plan: &Plan) -> Vec<&str> {
        plan.questions
            .iter()
            .map(|p| p.question.id.as_str())
            .collect()
    }

    fn no_records() -> HashMap<QuestionId, PracticeRecord> {
        HashMap::new()
    }

    #[test]
    fn default_request_asks_everything_as_listed_with_question_timing() {
        let plan = build_plan(&bank(), &PlanRequest::default(), &no_records()).unwrap();
        assert_eq!(ids(&plan), ["a", "b", "c", "d", "e"]);
        assert_eq!(plan.questions[0].think, Duration::from_secs(15));
        assert_eq!(
            plan.questions[0].answer_limit,
            Some(Duration::from_secs(90))
        );
        assert_eq!(plan.warning_before, Duration::from_secs(30));
    }

    #[test]
    fn categories_and_single_questions_combine_and_count_truncates() {
        let request = PlanRequest {
            categories: vec!["databases".to_owned()],
            questions: vec![QuestionId::parse("d").unwrap()],
            ..PlanRequest::default()
        };
        let plan = build_plan(&bank(), &request, &no_records()).unwrap();
        assert_eq!(ids(&plan), ["a", "c", "d"]);

        let two = PlanRequest {
            count: Some(2),
            ..request
        };
        assert_eq!(
            ids(&build_plan(&bank(), &two, &no_records()).unwrap()),
            ["a", "c"]
        );
    }

    #[test]
    fn a_mock_interview_shuffles_categories_keeps_a_fixed_list_and_always_has_a_limit() {
        let from_categories = PlanRequest {
            categories: vec!["Databases".to_owned()],
            answer: AnswerLimit::NoLimit,
            ..PlanRequest::default()
        }
        .mock_interview(7);
        assert_eq!(from_categories.mode, SessionMode::MockInterview);
        assert_eq!(from_categories.order, Order::Shuffled { seed: 7 });
        assert_eq!(from_categories.answer, AnswerLimit::QuestionDefault);
        let fixed = PlanRequest {
            questions: vec![QuestionId::parse("b").unwrap()],
            answer: AnswerLimit::Seconds(90),
            ..PlanRequest::default()
        }
        .mock_interview(7);
        assert_eq!(fixed.order, Order::AsListed);
        assert_eq!(fixed.answer, AnswerLimit::Seconds(90));
        // Written only when it is not practice, so older sessions compare equal.
        let practice = serde_json::to_string(&PlanRequest::default()).unwrap();
        assert!(!practice.contains("mode"), "{practice}");
        let mock = serde_json::to_string(&fixed).unwrap();
        assert!(mock.contains(r#""mode":"mock_interview""#), "{mock}");
    }

    #[test]
    fn fixed_timing_and_no_limit_override_the_questions() {
        let request = PlanRequest {
            think: ThinkTime::Seconds(0),
            answer: AnswerLimit::NoLimit,
            warning_seconds: 10,
            ..PlanRequest::default()
        };
        let plan = build_plan(&bank(), &request, &no_records()).unwrap();
        assert!(plan.questions.iter().all(|p| p.think.is_zero()));
        assert!(plan.questions.iter().all(|p| p.answer_limit.is_none()));
        assert_eq!(plan.warning_before, Duration::from_secs(10));

        let fixed = PlanRequest {
            answer: AnswerLimit::Seconds(60),
            ..PlanRequest::default()
        };
        let plan = build_plan(&bank(), &fixed, &no_records()).unwrap();
        assert!(
            plan.questions
                .iter()
                .all(|p| p.answer_limit == Some(Duration::from_secs(60)))
        );
    }

    #[test]
    fn shuffle_is_repeatable_with_a_seed_and_keeps_every_question() {
        let request = |seed| PlanRequest {
            order: Order::Shuffled { seed },
            ..PlanRequest::default()
        };
        let first = build_plan(&bank(), &request(7), &no_records()).unwrap();
        let again = build_plan(&bank(), &request(7), &no_records()).unwrap();
        assert_eq!(ids(&first), ids(&again));
        let mut sorted = ids(&first);
        sorted.sort_unstable();
        assert_eq!(sorted, ["a", "b", "c", "d", "e"]);
        let orders: std::collections::HashSet<Vec<String>> = (0..20)
            .map(|seed| {
                let plan = build_plan(&bank(), &request(seed), &no_records()).unwrap();
                ids(&plan).into_iter().map(str::to_owned).collect()
            })
            .collect();
        assert!(orders.len() > 5, "shuffles should differ between seeds");
    }

    #[test]
    fn weakest_first_puts_unpractised_then_low_ratings_then_stale_first() {
        let record = |rating: Option<u8>, last: i64| PracticeRecord {
            times_practiced: 1,
            last_practiced_unix: Some(last),
            latest_rating: rating.and_then(Rating::new),
            best_rating: rating.and_then(Rating::new),
        };
        let records = HashMap::from([
            (QuestionId::parse("a").unwrap(), record(Some(5), 100)),
            (QuestionId::parse("b").unwrap(), record(Some(2), 300)),
            (QuestionId::parse("c").unwrap(), record(Some(2), 200)),
            (QuestionId::parse("e").unwrap(), record(None, 400)),
        ]);
        let request = PlanRequest {
            order: Order::WeakestFirst,
            ..PlanRequest::default()
        };
        let plan = build_plan(&bank(), &request, &records).unwrap();
        assert_eq!(ids(&plan), ["d", "e", "c", "b", "a"]);
    }

    #[test]
    fn bad_choices_are_errors() {
        let unknown = PlanRequest {
            categories: vec!["Cooking".to_owned()],
            ..PlanRequest::default()
        };
        assert_eq!(
            build_plan(&bank(), &unknown, &no_records()),
            Err(PlanError::UnknownCategory("Cooking".to_owned()))
        );
        let missing = PlanRequest {
            questions: vec![QuestionId::parse("zz").unwrap()],
            ..PlanRequest::default()
        };
        assert!(matches!(
            build_plan(&bank(), &missing, &no_records()),
            Err(PlanError::UnknownQuestion(_))
        ));
        let zero = PlanRequest {
            count: Some(0),
            ..PlanRequest::default()
        };
        assert_eq!(
            build_plan(&bank(), &zero, &no_records()),
            Err(PlanError::Empty)
        );
        let zero_limit = PlanRequest {
            answer: AnswerLimit::Seconds(0),
            ..PlanRequest::default()
        };
        assert_eq!(
            build_plan(&bank(), &zero_limit, &no_records()),
            Err(PlanError::ZeroAnswerLimit)
        );
        assert_eq!(
            build_plan(&[], &PlanRequest::default(), &no_records()),
            Err(PlanError::Empty)
        );
    }
}
