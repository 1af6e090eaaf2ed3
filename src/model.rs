//! Plain data shared by every layer: questions, their kinds, ratings and the
//! practice record that orders a plan "weakest first"; and how a duration
//! is written.
//!
//! Nothing here does I/O or knows about audio or the window; the types are
//! serde data so the question packs, the store and the CLI can share them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One interview question with the coaching material that goes with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Stable identifier (a slug such as `debugging-backend-issue`); takes on
    /// disk refer to the question by it, so it never changes once published.
    pub id: QuestionId,
    /// The question as the interviewer asks it.
    pub text: String,
    /// Display category, e.g. "Databases"; the home screen groups by it.
    pub category: String,
    /// Behavioural, technical or situational.
    pub kind: QuestionKind,
    /// What the interviewer is assessing with this question.
    #[serde(default)]
    pub looking_for: String,
    /// Short points on how to answer well.
    #[serde(default)]
    pub tips: Vec<String>,
    /// Default think time before the answer starts, in seconds.
    #[serde(default = "default_think_seconds")]
    pub think_seconds: u32,
    /// Default answer limit, in seconds.
    #[serde(default = "default_answer_seconds")]
    pub answer_seconds: u32,
    /// Terms a strong answer tends to use.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// What a strong answer covers: 3 to 6 points (none: not written).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub strong_answer: Vec<StrongPoint>,
    /// What the interviewer may ask next, in priority order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<FollowUp>,
}

/// One point a strong answer covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrongPoint {
    /// The point, in one line.
    pub point: String,
    /// Phrases that say it ("cache", "read replica"), matched like
    /// keywords.
    #[serde(default)]
    pub cues: Vec<String>,
}

/// A question the interviewer may ask after an answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    /// The question.
    pub ask: String,
    /// When it is asked.
    pub when: FollowUpWhen,
}

/// When a follow-up is asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FollowUpWhen {
    /// The answer said one of these phrases (building on it).
    Said(Vec<String>),
    /// The answer said none of these phrases.
    NotSaid(Vec<String>),
    /// The answer stated no result (`true`).
    NoResult(bool),
    /// The answer was short for the question (`true`).
    Short(bool),
    /// After any answer, with or without a transcript (`true`).
    Always(bool),
}

impl Question {
    /// Whether every word of `query` is found (ignoring case) in the
    /// question's text, category or keywords: the practice screen's search.
    /// A blank query matches every question.
    pub fn matches_words(&self, query: &str) -> bool {
        let haystack = format!(
            "{} {} {}",
            self.text,
            self.category,
            self.keywords.join(" ")
        )
        .to_lowercase();
        query
            .split_whitespace()
            .all(|word| haystack.contains(&word.to_lowercase()))
    }
}

#[cfg(test)]
impl Question {
    /// A technical question `id` of `category`, "Question <id>?", with the
    /// default times and nothing else: for unit tests.
    pub(crate) fn example(id: &str, category: &str) -> Self {
        Self {
            id: QuestionId::parse(id).expect("a test id"),
            text: format!("Question {id}?"),
            category: category.to_owned(),
            kind: QuestionKind::Technical,
            looking_for: String::new(),
            tips: Vec::new(),
            think_seconds: DEFAULT_THINK_SECONDS,
            answer_seconds: DEFAULT_ANSWER_SECONDS,
            keywords: Vec::new(),
            strong_answer: Vec::new(),
            follow_ups: Vec::new(),
        }
    }
}

/// Think time used when a pack does not give one.
pub const DEFAULT_THINK_SECONDS: u32 = 30;
/// Answer limit used when a pack does not give one.
pub const DEFAULT_ANSWER_SECONDS: u32 = 120;

fn default_think_seconds() -> u32 {
    DEFAULT_THINK_SECONDS
}

fn default_answer_seconds() -> u32 {
    DEFAULT_ANSWER_SECONDS
}

/// A question's stable id: lower-case ASCII letters, digits and single
/// hyphens, so it is safe in file names on every platform.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct QuestionId(String);

impl QuestionId {
    /// Longest id accepted; keeps take file names well under path limits.
    pub const MAX_LEN: usize = 80;

    /// Checks that `id` is a slug and wraps it.
    pub fn parse(id: &str) -> Result<Self, InvalidId> {
        let well_formed = !id.is_empty()
            && id.len() <= Self::MAX_LEN
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !id.starts_with('-')
            && !id.ends_with('-')
            && !id.contains("--");
        if well_formed {
            Ok(Self(id.to_owned()))
        } else {
            Err(InvalidId(id.to_owned()))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for QuestionId {
    type Error = InvalidId;

    fn try_from(id: String) -> Result<Self, Self::Error> {
        Self::parse(&id)
    }
}

impl From<QuestionId> for String {
    fn from(id: QuestionId) -> Self {
        id.0
    }
}

impl fmt::Display for QuestionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An id that is not a slug.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "id {0:?} is not a slug: use 1 to 80 lower-case letters, digits and single hyphens, e.g. \"api-design-basics\""
)]
pub struct InvalidId(pub String);

/// The three kinds of interview question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionKind {
    /// About what the candidate did before ("tell me about a time…");
    /// answered best with the STAR structure.
    Behavioural,
    /// About knowledge and engineering judgement.
    Technical,
    /// A hypothetical ("what would you do if…").
    Situational,
}

/// Phrases that ask for a story from the candidate's past.
const STORY_PROMPTS: &[&str] = &[
    "tell me about a time",
    "tell me about a situation",
    "tell me about a project",
    "tell me about an occasion",
    "describe a time",
    "describe a situation",
    "describe a project",
    "describe an occasion",
    "give me an example",
    "give an example",
    "share an example",
    "walk me through a time",
    "talk about a time",
    "a time when",
    "a time you",
    "have you ever",
    "when did you last",
    "when have you",
];

/// Whether a question of `kind` worded `text` asks for a story from the
/// candidate's past ("Tell me about a time…", "Describe a situation…"),
/// the answers the STAR structure and a stated result belong to; "Why do
/// you want to work here?" is behavioural and asks for none.
pub fn asks_for_story(kind: QuestionKind, text: &str) -> bool {
    let text = text.to_lowercase();
    kind == QuestionKind::Behavioural && STORY_PROMPTS.iter().any(|prompt| text.contains(prompt))
}

impl Question {
    /// Whether it asks for a story ([`asks_for_story`]).
    pub fn asks_for_story(&self) -> bool {
        asks_for_story(self.kind, &self.text)
    }
}

impl QuestionKind {
    /// Lower-case name as used in packs and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Behavioural => "behavioural",
            Self::Technical => "technical",
            Self::Situational => "situational",
        }
    }
}

impl fmt::Display for QuestionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rating of a take, 1 (poor) to 5 (excellent).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Rating(u8);

impl Rating {
    /// Wraps `stars` when it is between 1 and 5.
    pub fn new(stars: u8) -> Option<Self> {
        (1..=5).contains(&stars).then_some(Self(stars))
    }

    /// The number of stars, 1 to 5.
    pub fn stars(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Rating {
    type Error = String;

    fn try_from(stars: u8) -> Result<Self, Self::Error> {
        Self::new(stars).ok_or_else(|| format!("a rating is 1 to 5 stars, not {stars}"))
    }
}

impl From<Rating> for u8 {
    fn from(rating: Rating) -> Self {
        rating.0
    }
}

/// How often and how well one question has been practised; the history
/// computes it and the plan's "weakest first" order reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeRecord {
    /// Number of sessions in which the question was answered.
    pub times_practiced: u32,
    /// When it was last answered, as seconds since the Unix epoch.
    pub last_practiced_unix: Option<i64>,
    /// Rating of the most recent rated take.
    pub latest_rating: Option<Rating>,
    /// Best rating of any take.
    pub best_rating: Option<Rating>,
}

/// A duration as `m:ss`, rounded to the nearest second (as `{:.1} s`
/// figures round, so a 2.96-s pause is "0:03" beside "3.0 s"): how every
/// screen, report and listing shows lengths and times. Countdowns round
/// up instead (a second is left until none is).
pub fn clock(duration: std::time::Duration) -> String {
    let seconds = (duration.as_millis() + 500) / 1000;
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// `count` and `noun`, plural unless the count is one ("1 question",
/// "3 questions", "2 categories"): the window and the terminal count alike.
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        return format!("1 {noun}");
    }
    // A consonant before a final y: "category", "categories" ("key" keeps
    // its y).
    match noun.strip_suffix('y') {
        Some(stem) if stem.ends_with(|c: char| !"aeiou".contains(c)) => {
            format!("{count} {stem}ies")
        }
        _ => format!("{count} {noun}s"),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn counts_read_as_words() {
        assert_eq!(plural(1, "question"), "1 question");
        assert_eq!(plural(0, "take"), "0 takes");
        assert_eq!(plural(2, "category"), "2 categories");
        assert_eq!(plural(3, "key"), "3 keys");
    }

    #[test]
    fn durations_round_to_the_nearest_second() {
        use std::time::Duration;
        assert_eq!(clock(Duration::from_millis(2_960)), "0:03");
        assert_eq!(clock(Duration::from_millis(2_499)), "0:02");
        assert_eq!(clock(Duration::from_millis(59_500)), "1:00");
        assert_eq!(clock(Duration::ZERO), "0:00");
    }

    #[test]
    fn only_questions_that_ask_for_a_story_ask_for_one() {
        use QuestionKind::{Behavioural, Technical};
        assert!(asks_for_story(
            Behavioural,
            "Tell me about a time you disagreed with a colleague."
        ));
        assert!(asks_for_story(
            Behavioural,
            "Describe a situation where a deadline slipped."
        ));
        assert!(asks_for_story(
            Behavioural,
            "Give me an example of a hard bug you fixed."
        ));
        assert!(!asks_for_story(
            Behavioural,
            "Why do you want to work at Acme?"
        ));
        assert!(!asks_for_story(Behavioural, "What are your strengths?"));
        assert!(!asks_for_story(
            Technical,
            "Tell me about a time you used an index."
        ));
    }

    use super::*;

    #[test]
    fn slugs_are_accepted_and_other_ids_rejected() {
        for good in ["a", "api-design", "q12", "x-1-y"] {
            assert!(QuestionId::parse(good).is_ok(), "{good}");
        }
        let too_long = "a".repeat(QuestionId::MAX_LEN + 1);
        for bad in [
            "",
            "Api",
            "a b",
            "-a",
            "a-",
            "a--b",
            "a/b",
            "..",
            "é",
            too_long.as_str(),
        ] {
            assert!(QuestionId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ratings_outside_one_to_five_are_rejected() {
        assert!(Rating::new(0).is_none());
        assert_eq!(Rating::new(3).map(Rating::stars), Some(3));
        assert!(Rating::new(6).is_none());
        assert!(serde_json::from_str::<Rating>("7").is_err());
        assert_eq!(serde_json::from_str::<Rating>("5").ok(), Rating::new(5));
    }

    #[test]
    fn search_words_are_found_in_the_text_category_or_keywords() {
        let question = Question {
            id: QuestionId::parse("slow-query").unwrap(),
            text: "Tell me about a slow query you fixed.".to_owned(),
            category: "Databases".to_owned(),
            kind: QuestionKind::Behavioural,
            looking_for: "Measuring before changing".to_owned(),
            tips: vec!["Name the tool".to_owned()],
            think_seconds: 30,
            answer_seconds: 120,
            keywords: vec!["EXPLAIN".to_owned(), "index".to_owned()],
            strong_answer: Vec::new(),
            follow_ups: Vec::new(),
        };
        for query in ["", "  ", "SLOW", "query databases", "explain", "Index slow"] {
            assert!(question.matches_words(query), "{query:?}");
        }
        for query in ["measuring", "tool", "slow cache"] {
            assert!(!question.matches_words(query), "{query:?}");
        }
    }
}
