//! Feedback from what was said: measures computed from a take's transcript
//! (and the question it answers), each with a plain-language hint when it is
//! worth attention. Only what can be observed is reported ("no measurable
//! result mentioned"), never a judgement of the speaker.
//!
//! No UI types here: the window, the terminal and the export all show
//! [`SpokenMeasures`] through [`SpokenMeasures::lines`] and
//! [`SpokenMeasures::hints`].

pub mod habits;
pub mod keywords;
pub mod tokens;

use serde::{Deserialize, Serialize};

use crate::analysis::Pace;
use crate::model::QuestionKind;
use crate::speech::Transcript;

pub use habits::Counts;

/// Under this share of words, fillers are hardly noticed (percent).
pub const FILLERS_GOOD_PERCENT: f64 = 2.0;
/// Over this share, fillers distract (percent).
pub const FILLERS_DISTRACTING_PERCENT: f64 = 5.0;
/// The usual length of a 2-minute behavioural or situational answer, in
/// words (a story with its result); technical answers vary more.
pub const STORY_WORDS: (u32, u32) = (150, 350);
/// The same for technical answers.
pub const TECHNICAL_WORDS: (u32, u32) = (120, 400);

/// What the question asks for, as far as the measures need it.
#[derive(Clone, Copy, Debug, Default)]
pub struct AnswerContext<'a> {
    /// The question's kind, when known.
    pub kind: Option<QuestionKind>,
    /// The question's keywords (none: no key points are shown).
    pub keywords: &'a [String],
    /// The answer limit, in seconds (the length band scales with it).
    pub answer_seconds: Option<u32>,
    /// Whether the question asks for a story ([`crate::model::asks_for_story`]):
    /// only then is a stated result looked for.
    pub story: bool,
}

impl<'a> From<&'a crate::model::Question> for AnswerContext<'a> {
    /// A bank question as asked with its own answer limit.
    fn from(question: &'a crate::model::Question) -> Self {
        Self {
            kind: Some(question.kind),
            keywords: &question.keywords,
            answer_seconds: Some(question.answer_seconds),
            story: question.asks_for_story(),
        }
    }
}

/// How noticeable the filler words are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FillerBand {
    /// Under 2 % of words.
    Good,
    /// 2 to 5 %.
    Noticeable,
    /// Over 5 %.
    Distracting,
}

impl FillerBand {
    /// The band of `percent` of words.
    pub fn of(percent: f64) -> Self {
        if percent < FILLERS_GOOD_PERCENT {
            Self::Good
        } else if percent <= FILLERS_DISTRACTING_PERCENT {
            Self::Noticeable
        } else {
            Self::Distracting
        }
    }

    /// A word for the band.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Good => "hardly noticed",
            Self::Noticeable => "noticeable",
            Self::Distracting => "distracting",
        }
    }
}

/// Which of the question's keywords were said.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPoints {
    /// Said, in the question's order.
    pub covered: Vec<String>,
    /// Not said.
    pub missing: Vec<String>,
}

impl KeyPoints {
    /// How many keywords the question has.
    pub fn total(&self) -> usize {
        self.covered.len() + self.missing.len()
    }

    /// "covered 4 of 6: index, replica; not mentioned: sharding, cache".
    pub fn describe(&self) -> String {
        let mut text = format!("covered {} of {}", self.covered.len(), self.total());
        if !self.covered.is_empty() {
            text.push_str(&format!(": {}", self.covered.join(", ")));
        }
        if !self.missing.is_empty() {
            text.push_str(&format!("; not mentioned: {}", self.missing.join(", ")));
        }
        text
    }
}

/// "I" against "we" as the subject (behavioural answers).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ownership {
    /// "I", "I'm", "I've", "I'd", "I'll".
    pub i: u32,
    /// "we", "we're", "we've", "we'd", "we'll".
    pub we: u32,
}

impl Ownership {
    /// The share of "I" among the two, in percent (`None` without either).
    pub fn i_percent(self) -> Option<f64> {
        let total = self.i + self.we;
        (total > 0).then(|| f64::from(self.i) * 100.0 / f64::from(total))
    }

    /// Whether the speaker's own part is hard to hear: "we" is most of at
    /// least three.
    pub fn mostly_we(self) -> bool {
        self.i + self.we >= 3 && self.we > self.i
    }
}

/// What the words of one answer show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpokenMeasures {
    /// Words said (fillers included).
    pub words: u32,
    /// From the first word's start to the last word's end, in milliseconds.
    pub speaking_ms: u64,
    /// Words per minute over that span.
    pub words_per_minute: f64,
    /// Its band.
    pub pace: Pace,
    /// Filler words and phrases with their counts.
    pub fillers: Counts,
    /// Fillers per minute of the speaking span.
    pub fillers_per_minute: f64,
    /// Fillers as a share of words, in percent.
    pub filler_percent: f64,
    /// How noticeable that is.
    pub filler_band: FillerBand,
    /// Hedging phrases with their counts.
    pub hedges: Counts,
    /// Words said twice in a row.
    pub repeats: Vec<String>,
    /// Phrases said again straight away.
    pub restarts: Vec<String>,
    /// The question's keywords said and not said (`None`: it has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_points: Option<KeyPoints>,
    /// "I" against "we" (behavioural answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ownership: Option<Ownership>,
    /// Whether the last third states a result with a number or measure
    /// (behavioural answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_stated: Option<bool>,
    /// The usual length of such an answer, in words (when the kind is
    /// known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usual_words: Option<(u32, u32)>,
}

/// Words that state an amount.
const NUMBER_WORDS: &[&str] = &[
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "hundreds",
    "thousand",
    "thousands",
    "million",
    "millions",
    "billion",
    "percent",
    "half",
    "halved",
    "twice",
    "double",
    "doubled",
    "triple",
    "tripled",
    "quarter",
    "dozen",
];

impl SpokenMeasures {
    /// The measures of `transcript` for a question described by `context`.
    pub fn of(transcript: &Transcript, context: &AnswerContext<'_>) -> Self {
        let tokens = tokens::tokens(&transcript.words);
        let words = u32::try_from(tokens.len()).unwrap_or(u32::MAX);
        let speaking_ms = match (tokens.first(), tokens.last()) {
            (Some(first), Some(last)) => last.end_ms.saturating_sub(first.start_ms),
            _ => 0,
        };
        let minutes = speaking_ms as f64 / 60_000.0;
        let per_minute = |count: u32| {
            if minutes > 0.0 {
                f64::from(count) / minutes
            } else {
                0.0
            }
        };
        let words_per_minute = per_minute(words);
        let found = habits::habits(&tokens);
        let filler_count: u32 = found.fillers.values().sum();
        let filler_percent = if words > 0 {
            f64::from(filler_count) * 100.0 / f64::from(words)
        } else {
            0.0
        };
        let behavioural = context.kind == Some(QuestionKind::Behavioural);
        let key_points = (!context.keywords.is_empty()).then(|| {
            let (covered, missing) = keywords::key_points(&tokens, context.keywords);
            KeyPoints { covered, missing }
        });
        let usual_words = context.kind.map(|kind| {
            let (low, high) = match kind {
                QuestionKind::Technical => TECHNICAL_WORDS,
                QuestionKind::Behavioural | QuestionKind::Situational => STORY_WORDS,
            };
            let scale = f64::from(context.answer_seconds.unwrap_or(120)) / 120.0;
            let scaled = |words: u32| (f64::from(words) * scale).round() as u32;
            (scaled(low), scaled(high))
        });
        Self {
            words,
            speaking_ms,
            words_per_minute,
            pace: Pace::of(words_per_minute),
            fillers_per_minute: per_minute(filler_count),
            fillers: found.fillers,
            filler_percent,
            filler_band: FillerBand::of(filler_percent),
            hedges: found.hedges,
            repeats: found.repeats,
            restarts: found.restarts,
            key_points,
            ownership: behavioural.then(|| ownership(&tokens)),
            result_stated: context.story.then(|| result_stated(&tokens)),
            usual_words,
        }
    }

    /// How many fillers were said.
    pub fn filler_count(&self) -> u32 {
        self.fillers.values().sum()
    }

    /// The most frequent filler and its count.
    pub fn most_frequent_filler(&self) -> Option<(&str, u32)> {
        most_frequent(&self.fillers)
    }

    /// The main figures in one line: "142 words a minute (steady) ·
    /// fillers 1.2 % · key points 4 of 6 · a result stated".
    pub fn headline(&self) -> String {
        let mut parts = vec![
            format!(
                "{:.0} words a minute ({})",
                self.words_per_minute,
                self.pace.describe()
            ),
            format!("fillers {:.1} %", self.filler_percent),
        ];
        if let Some(points) = &self.key_points {
            parts.push(format!(
                "key points {} of {}",
                points.covered.len(),
                points.total()
            ));
        }
        match self.result_stated {
            Some(true) => parts.push("a result stated".to_owned()),
            Some(false) => parts.push("no result stated".to_owned()),
            None => {}
        }
        parts.join(" · ")
    }

    /// One line per measure, as label and text, for every place that shows
    /// them (window, terminal, report).
    pub fn lines(&self) -> Vec<(&'static str, String)> {
        let mut lines = vec![(
            "Words",
            format!(
                "{} in {}, {:.0} words a minute ({})",
                self.words,
                crate::model::clock(std::time::Duration::from_millis(self.speaking_ms)),
                self.words_per_minute,
                self.pace.describe()
            ),
        )];
        let mut fillers = format!(
            "{} ({:.1} a minute, {:.1} % of words: {})",
            self.filler_count(),
            self.fillers_per_minute,
            self.filler_percent,
            self.filler_band.describe()
        );
        if let Some((filler, count)) = self.most_frequent_filler() {
            fillers.push_str(&format!("; most often '{filler}' {}", times(count)));
        }
        lines.push(("Fillers", fillers));
        if !self.hedges.is_empty() {
            lines.push(("Hedges", listed(&self.hedges)));
        }
        if !self.repeats.is_empty() || !self.restarts.is_empty() {
            let all: Vec<String> = self
                .repeats
                .iter()
                .chain(&self.restarts)
                .map(|r| format!("'{r}'"))
                .collect();
            lines.push(("Repeats", all.join(", ")));
        }
        if let Some(points) = &self.key_points {
            lines.push(("Key points", points.describe()));
        }
        if let Some(own) = self.ownership {
            lines.push(("I / we", format!("'I' {}, 'we' {}", own.i, own.we)));
        }
        if let Some(stated) = self.result_stated {
            let text = if stated {
                "a result with a number or measure"
            } else {
                "no measurable result mentioned"
            };
            lines.push(("Result", text.to_owned()));
        }
        lines
    }

    /// Plain-language hints, only for what is worth attention.
    pub fn hints(&self) -> Vec<String> {
        let mut hints = Vec::new();
        if self.words == 0 {
            hints.push("No words were recognised in this take.".to_owned());
            return hints;
        }
        match self.pace {
            Pace::Slow => hints.push(format!(
                "{:.0} words a minute is slow; 100–165 is easy to follow.",
                self.words_per_minute
            )),
            Pace::Fast => hints.push(format!(
                "{:.0} words a minute is fast; 100–165 is easy to follow.",
                self.words_per_minute
            )),
            Pace::Steady => {}
        }
        if self.filler_band != FillerBand::Good
            && let Some((filler, count)) = self.most_frequent_filler()
        {
            hints.push(format!(
                "Fillers are {:.1} % of your words ({}); '{filler}' {}. A short silence works better.",
                self.filler_percent,
                self.filler_band.describe(),
                times(count)
            ));
        }
        let hedges: u32 = self.hedges.values().sum();
        if hedges >= 3 {
            hints.push(format!(
                "{hedges} hedges ({}): say it plainly where you are sure.",
                listed(&self.hedges)
            ));
        }
        let repeats = self.repeats.len() + self.restarts.len();
        if repeats >= 3 {
            hints.push(format!(
                "{repeats} repeats and restarts: a pause before the sentence helps."
            ));
        }
        if let Some(points) = &self.key_points
            && !points.missing.is_empty()
            && points.covered.len() * 2 < points.total()
        {
            hints.push(format!("Key points: {}.", points.describe()));
        }
        if self.ownership.is_some_and(Ownership::mostly_we) {
            hints.push("Mostly 'we': say what you did yourself.".to_owned());
        }
        if self.result_stated == Some(false) {
            hints.push(
                "No measurable result mentioned: end with what changed, in numbers.".to_owned(),
            );
        }
        if let Some((low, high)) = self.usual_words {
            if self.words < low {
                hints.push(format!(
                    "{} words is short for this question ({low}–{high} is usual).",
                    self.words
                ));
            } else if self.words > high {
                hints.push(format!(
                    "{} words is long for this question ({low}–{high} is usual).",
                    self.words
                ));
            }
        }
        hints
    }
}

/// The words of several answers together (a session, or the answers of
/// one question over time).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WordsTogether {
    /// Answers counted.
    pub answers: u32,
    /// Their speaking spans, in milliseconds.
    pub speaking_ms: u64,
    /// Their words.
    pub words: u32,
    /// Their fillers.
    pub fillers: u32,
    /// Keywords said, of [`Self::keywords`].
    pub covered: u32,
    /// The questions' keywords (answers to questions with keywords only).
    pub keywords: u32,
}

impl WordsTogether {
    /// The sums over `measures` (`None` when there are none).
    pub fn of<'a>(measures: impl IntoIterator<Item = &'a SpokenMeasures>) -> Option<Self> {
        let mut all = Self::default();
        for m in measures {
            all.answers += 1;
            all.speaking_ms += m.speaking_ms;
            all.words += m.words;
            all.fillers += m.filler_count();
            if let Some(points) = &m.key_points {
                all.covered += u32::try_from(points.covered.len()).unwrap_or(0);
                all.keywords += u32::try_from(points.total()).unwrap_or(0);
            }
        }
        (all.answers > 0).then_some(all)
    }

    fn minutes(&self) -> f64 {
        self.speaking_ms as f64 / 60_000.0
    }

    /// Words per minute over all the speaking.
    pub fn words_per_minute(&self) -> Option<f64> {
        (self.speaking_ms > 0).then(|| f64::from(self.words) / self.minutes())
    }

    /// Fillers per minute over all the speaking.
    pub fn fillers_per_minute(&self) -> Option<f64> {
        (self.speaking_ms > 0).then(|| f64::from(self.fillers) / self.minutes())
    }

    /// Keywords said, in percent of the questions' keywords.
    pub fn coverage_percent(&self) -> Option<f64> {
        (self.keywords > 0).then(|| f64::from(self.covered) * 100.0 / f64::from(self.keywords))
    }

    /// "4:10 speaking · 142 words a minute · 3.1 fillers a minute · key
    /// points 14 of 20 (70 %)".
    pub fn describe(&self) -> String {
        let mut parts = vec![format!(
            "{} speaking",
            crate::model::clock(std::time::Duration::from_millis(self.speaking_ms))
        )];
        if let Some(wpm) = self.words_per_minute() {
            parts.push(format!("{wpm:.0} words a minute"));
        }
        if let Some(fillers) = self.fillers_per_minute() {
            parts.push(format!("{fillers:.1} fillers a minute"));
        }
        if let Some(coverage) = self.coverage_percent() {
            parts.push(format!(
                "key points {} of {} ({coverage:.0} %)",
                self.covered, self.keywords
            ));
        }
        parts.join(" · ")
    }
}

/// Pauses between words from this long on are shown in the text.
pub const SHOWN_PAUSE_MS: u64 = 1_000;

/// How a word of the transcript is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// An ordinary word.
    Plain,
    /// A filler word (or part of a filler phrase).
    Filler,
    /// One of the question's keywords (or part of one).
    Keyword,
}

/// A transcript word with its mark and the pause before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarkedWord {
    /// Its index in [`Transcript::words`].
    pub word: usize,
    /// How to show it.
    pub mark: Mark,
    /// The silence before it when at least [`SHOWN_PAUSE_MS`], else 0.
    pub pause_before_ms: u64,
}

/// Every word of `transcript`, marked: fillers, `keywords` where said, and
/// pauses of a second or more. The review and the report show the
/// transcript with these marks.
///
/// With the take's measured `pauses` (its audio's silences), each is
/// marked, at its own length, before the first word that starts after it:
/// a word the recogniser dropped or a word time that overlaps a silence
/// cannot lengthen, shorten or hide a pause. Without them, a gap of a
/// second or more between two words' times is marked.
pub fn marked_words(
    transcript: &Transcript,
    keywords: &[String],
    pauses: Option<&[crate::analysis::Pause]>,
) -> Vec<MarkedWord> {
    let tokens = tokens::tokens(&transcript.words);
    let mut marks = vec![Mark::Plain; transcript.words.len()];
    let mut mark = |spans: &[(usize, usize)], as_mark: Mark| {
        for &(first, length) in spans {
            for token in &tokens[first..first + length] {
                marks[token.word] = as_mark;
            }
        }
    };
    mark(&keywords::keyword_spans(&tokens, keywords), Mark::Keyword);
    mark(&habits::habits(&tokens).filler_spans, Mark::Filler);
    let mut marked: Vec<MarkedWord> = transcript
        .words
        .iter()
        .enumerate()
        .map(|(index, word)| {
            let gap = index.checked_sub(1).map_or(0, |before| {
                word.start_ms
                    .saturating_sub(transcript.words[before].end_ms)
            });
            MarkedWord {
                word: index,
                mark: marks[index],
                pause_before_ms: if gap >= SHOWN_PAUSE_MS && pauses.is_none() {
                    gap
                } else {
                    0
                },
            }
        })
        .collect();
    for pause in pauses.unwrap_or_default() {
        let ms = (pause.seconds * 1000.0).round() as u64;
        if ms < SHOWN_PAUSE_MS {
            continue;
        }
        // The first word that starts after the pause (its words are placed
        // on the speech, so within a few tens of milliseconds of its end);
        // a pause before the first word or after the last is not between
        // words.
        let end_ms = ((pause.at + pause.seconds) * 1000.0) as u64;
        let after = transcript
            .words
            .partition_point(|word| word.start_ms + PAUSE_END_SLACK_MS < end_ms);
        if after > 0
            && let Some(word) = marked.get_mut(after)
        {
            word.pause_before_ms = word.pause_before_ms.max(ms);
        }
    }
    marked
}

/// How far before a measured pause's end a word may be placed and still
/// count as the word after it.
const PAUSE_END_SLACK_MS: u64 = 200;

/// "· 2.1 s ·": how a pause is shown inside the text.
pub fn pause_text(milliseconds: u64) -> String {
    format!("· {:.1} s ·", milliseconds as f64 / 1000.0)
}

/// "once", "twice", "3 times".
fn times(count: u32) -> String {
    match count {
        1 => "once".to_owned(),
        2 => "twice".to_owned(),
        n => format!("{n} times"),
    }
}

/// The most frequent entry (the first in order among equals).
fn most_frequent(counts: &Counts) -> Option<(&str, u32)> {
    counts.iter().fold(
        None,
        |best: Option<(&str, u32)>, (text, &count)| match best {
            Some((_, most)) if most >= count => best,
            _ => Some((text.as_str(), count)),
        },
    )
}

/// "'I think' 3 times, 'maybe' once", most frequent first.
fn listed(counts: &Counts) -> String {
    let mut entries: Vec<(&String, &u32)> = counts.iter().collect();
    entries.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    entries
        .iter()
        .map(|(text, count)| format!("'{text}' {}", times(**count)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "I" and "we" as subjects.
fn ownership(tokens: &[tokens::Token]) -> Ownership {
    let mut own = Ownership::default();
    for token in tokens {
        match token.text.as_str() {
            "i" | "i'm" | "i've" | "i'd" | "i'll" => own.i += 1,
            "we" | "we're" | "we've" | "we'd" | "we'll" => own.we += 1,
            _ => {}
        }
    }
    own
}

/// Whether the last third of the speaking span states a number or measure.
pub(crate) fn result_stated(tokens: &[tokens::Token]) -> bool {
    let (Some(first), Some(last)) = (tokens.first(), tokens.last()) else {
        return false;
    };
    let from = first.start_ms + (last.end_ms.saturating_sub(first.start_ms)) * 2 / 3;
    tokens
        .iter()
        .filter(|token| token.end_ms > from)
        .any(|token| {
            token.text.chars().any(|c| c.is_ascii_digit())
                || token.text.contains('%')
                || NUMBER_WORDS.contains(&token.text.as_str())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedback::tokens::tests::transcript;

    fn behavioural(keywords: &[String]) -> AnswerContext<'_> {
        AnswerContext {
            kind: Some(QuestionKind::Behavioural),
            keywords,
            answer_seconds: Some(120),
            story: true,
        }
    }

    #[test]
    fn a_result_is_looked_for_only_in_a_story() {
        let answer = transcript("I like the product and the team seems kind.");
        let story = SpokenMeasures::of(&answer, &behavioural(&[]));
        assert!(
            story
                .hints()
                .iter()
                .any(|h| h.contains("No measurable result"))
        );
        let why_here = AnswerContext {
            story: false,
            ..behavioural(&[])
        };
        let measures = SpokenMeasures::of(&answer, &why_here);
        assert_eq!(measures.result_stated, None);
        assert!(
            !measures
                .hints()
                .iter()
                .any(|h| h.contains("No measurable result"))
        );
        assert!(measures.lines().iter().all(|(name, _)| *name != "Result"));
    }

    #[test]
    fn pace_is_words_over_the_speaking_span() {
        // 10 words, a word every 400 ms: 3.9 s from the first start to the
        // last end.
        let measures = SpokenMeasures::of(
            &transcript("one two three four five six seven eight nine ten"),
            &AnswerContext::default(),
        );
        assert_eq!(measures.words, 10);
        assert_eq!(measures.speaking_ms, 3_900);
        assert!((measures.words_per_minute - 10.0 / 3.9 * 60.0).abs() < 1e-9);
        assert_eq!(measures.pace, Pace::Steady);
        assert!(measures.ownership.is_none() && measures.result_stated.is_none());
    }

    #[test]
    fn fillers_are_counted_banded_and_named() {
        let text = "Um, I added an index. Um, then, like, the reads moved. \
                    Uh, we checked the lag and it was fine for the whole week after that.";
        let measures = SpokenMeasures::of(&transcript(text), &AnswerContext::default());
        assert_eq!(measures.filler_count(), 4);
        assert_eq!(measures.most_frequent_filler(), Some(("um", 2)));
        assert!((measures.filler_percent - 4.0 * 100.0 / 26.0).abs() < 1e-9);
        assert_eq!(measures.filler_band, FillerBand::Distracting);
        assert!(measures.hints().iter().any(|h| h.contains("'um' twice")));
        assert_eq!(FillerBand::of(1.9), FillerBand::Good);
        assert_eq!(FillerBand::of(2.0), FillerBand::Noticeable);
        assert_eq!(FillerBand::of(5.0), FillerBand::Noticeable);
        assert_eq!(FillerBand::of(5.1), FillerBand::Distracting);
    }

    #[test]
    fn a_we_heavy_story_without_numbers_gets_both_hints() {
        let keywords = vec!["index".to_owned(), "replica".to_owned()];
        let measures = SpokenMeasures::of(
            &transcript(
                "We saw slow reports. We added an index and we moved reads. \
                 We were happy with it and the team liked the result.",
            ),
            &behavioural(&keywords),
        );
        assert_eq!(measures.ownership, Some(Ownership { i: 0, we: 4 }));
        assert_eq!(measures.result_stated, Some(false));
        let hints = measures.hints();
        assert!(hints.iter().any(|h| h.contains("Mostly 'we'")), "{hints:?}");
        assert!(hints.iter().any(|h| h.contains("No measurable result")));
        assert!(hints.iter().any(|h| h.contains("short for this question")));
        assert_eq!(
            measures.key_points.unwrap().describe(),
            "covered 1 of 2: index; not mentioned: replica"
        );
    }

    #[test]
    fn a_result_needs_a_number_in_the_last_third() {
        let ends_with = |ending: &str| {
            SpokenMeasures::of(
                &transcript(&format!(
                    "I looked at the slow query log and I found the scan on orders. {ending}"
                )),
                &behavioural(&[]),
            )
            .result_stated
        };
        assert_eq!(
            ends_with("It fell from four seconds to eighty."),
            Some(true)
        );
        assert_eq!(ends_with("The page got 40% faster after that."), Some(true));
        assert_eq!(
            ends_with("Reports ran twice as fast after that."),
            Some(true)
        );
        assert_eq!(
            ends_with("After that the reports were much better."),
            Some(false)
        );
        // A number early on is not a result.
        let early = SpokenMeasures::of(
            &transcript(
                "Two years ago I looked at the slow query log and found a scan; \
                 after that the reports were much better and the team was happy.",
            ),
            &behavioural(&[]),
        );
        assert_eq!(early.result_stated, Some(false));
    }

    #[test]
    fn questions_without_keywords_show_no_key_points() {
        let measures = SpokenMeasures::of(&transcript("I added an index."), &behavioural(&[]));
        assert!(measures.key_points.is_none());
        assert!(
            !measures
                .lines()
                .iter()
                .any(|(label, _)| *label == "Key points")
        );
    }

    #[test]
    fn no_words_say_so() {
        let measures = SpokenMeasures::of(&transcript(""), &AnswerContext::default());
        assert_eq!(measures.words, 0);
        assert_eq!(measures.words_per_minute, 0.0);
        assert_eq!(measures.hints(), ["No words were recognised in this take."]);
    }

    #[test]
    fn words_are_marked_with_fillers_keywords_and_pauses() {
        let keywords = vec!["read replica".to_owned()];
        let marked = marked_words(
            &transcript("Um, I moved reads to a read replica. | You know, it worked."),
            &keywords,
            None,
        );
        let marks: Vec<Mark> = marked.iter().map(|m| m.mark).collect();
        use Mark::{Filler as F, Keyword as K, Plain as P};
        assert_eq!(marks, [F, P, P, P, P, P, K, K, F, F, P, P]);
        assert_eq!(marked[8].pause_before_ms, 1_600);
        assert!(marked.iter().filter(|m| m.pause_before_ms > 0).count() == 1);
        assert_eq!(pause_text(1_600), "· 1.6 s ·");
    }

    /// The audio's own pauses, when measured, are the marks: at their own
    /// length, before the word after them, even where the words' times
    /// leave no gap (a dropped word, or times that overlap the silence).
    #[test]
    fn measured_pauses_are_marked_between_the_words_around_them() {
        // A word every 400 ms (300 ms long): "So" starts at 2.0 s.
        let words = transcript("We moved the reports and so it worked.");
        let pause = |at: f64, seconds: f64| crate::analysis::Pause { at, seconds };
        // 3.0 s of silence ending at 2.0 s (no gap in the words' times), a
        // short one, one before the first word and one after the last.
        let pauses = [
            pause(-1.0, 1.2),
            pause(0.1, 0.5),
            pause(-1.0, 3.0),
            pause(3.2, 4.0),
        ];
        let marked = marked_words(&words, &[], Some(&pauses[..]));
        let shown: Vec<(usize, u64)> = marked
            .iter()
            .filter(|m| m.pause_before_ms > 0)
            .map(|m| (m.word, m.pause_before_ms))
            .collect();
        assert_eq!(shown, [(5, 3_000)], "{shown:?}");
    }

    #[test]
    fn measures_survive_a_round_trip() {
        let keywords = vec!["index".to_owned()];
        let measures = SpokenMeasures::of(
            &transcript("Um, I added an index, and it got 10 times faster."),
            &behavioural(&keywords),
        );
        let json = serde_json::to_string(&measures).unwrap();
        let back: SpokenMeasures = serde_json::from_str(&json).unwrap();
        assert_eq!(back, measures);
    }
}
