//! What an answer said, judged against what the interviewer looks for: the
//! strong answer's points ([`points`]), the STAR parts of a story
//! ([`star`]) and the follow-up question the answer invites.
//!
//! Pure functions of a transcript, a question and (when installed) the
//! sentence model ([`embed`]); no UI types. The window, the terminal and
//! the export all show the same [`Content`].

pub mod bert;
pub mod embed;
pub mod model;
pub mod points;
pub mod sentences;
pub mod star;

use serde::{Deserialize, Serialize};

use crate::model::{FollowUp, FollowUpWhen, Question, QuestionKind, StrongPoint};
use crate::speech::Transcript;

pub use embed::{EmbedError, Embedder};
pub use points::{PointFinding, Status};
pub use star::{Part, Star};

/// What an answer is judged against: the question's kind, answer limit,
/// strong answer and follow-ups (from the bank, or as a session recorded
/// them).
#[derive(Clone, Copy, Debug)]
pub struct Asked<'a> {
    /// Behavioural questions get STAR parts.
    pub kind: QuestionKind,
    /// The answer limit, in seconds (what "short" is measured against).
    pub answer_seconds: u32,
    /// The points.
    pub strong_answer: &'a [StrongPoint],
    /// The follow-ups, in priority order.
    pub follow_ups: &'a [FollowUp],
}

impl<'a> From<&'a Question> for Asked<'a> {
    fn from(question: &'a Question) -> Self {
        Self {
            kind: question.kind,
            answer_seconds: question.answer_seconds,
            strong_answer: &question.strong_answer,
            follow_ups: &question.follow_ups,
        }
    }
}

impl Asked<'_> {
    /// Whether there is anything to judge.
    pub fn has_content(&self) -> bool {
        !self.strong_answer.is_empty() || !self.follow_ups.is_empty()
    }
}

/// The content of `transcript` as an answer to `question`, with the
/// sentence model from `models` when it is installed and sound (else
/// literally); `None` when the question has nothing to judge against. The
/// one function the window, the terminal and the export use.
pub fn judge(
    transcript: &Transcript,
    question: &Asked<'_>,
    models: &std::path::Path,
) -> Option<Content> {
    if !question.has_content() {
        return None;
    }
    let model = model::load_or_log(models);
    match analyse(transcript, question, model.as_deref()) {
        Ok(content) => Some(content),
        Err(err) => {
            log::warn!("the sentence model failed, so the answer is matched literally: {err}");
            analyse(transcript, question, None).ok()
        }
    }
}

/// While a take is being transcribed, runs each sentence the recogniser
/// has finished through the sentence model (from `models`, loaded on first
/// use) on another core, remembering its vector: judging the answer once
/// the transcript is complete then embeds only its last sentences, so the
/// follow-up comes moments after the transcript. The sentences are cut as
/// [`sentences::split`] cuts the finished transcript, so they are the same
/// texts.
pub fn embed_while_transcribing(
    models: std::path::PathBuf,
    question: &Asked<'_>,
) -> crate::speech::SegmentListener {
    // The question's own texts first (the model loaded if need be).
    let behavioural = question.kind == QuestionKind::Behavioural;
    let texts: Vec<String> = QuestionTexts::of(question, behavioural)
        .texts
        .into_iter()
        .map(str::to_owned)
        .collect();
    embed_ahead(models.clone(), texts);
    // The text heard so far, and how many of its sentences were handed on.
    let heard = std::sync::Mutex::new((String::new(), 0usize));
    std::sync::Arc::new(move |segment: &str| {
        let finished: Vec<String> = {
            let mut heard = heard
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            heard.0.push_str(segment);
            heard.0.push(' ');
            let words: Vec<crate::speech::transcript::Word> = heard
                .0
                .split_whitespace()
                .map(|text| crate::speech::transcript::Word {
                    text: text.to_owned(),
                    start_ms: 0,
                    end_ms: 0,
                    probability: 1.0,
                })
                .collect();
            let split = sentences::split(&words);
            // The last sentence may go on in the next segment.
            let done = split.sentences.len().saturating_sub(1);
            let new = split.sentences[heard.1.min(done)..done]
                .iter()
                .map(|sentence| sentence.text.clone())
                .collect();
            heard.1 = done;
            new
        };
        if !finished.is_empty() {
            embed_ahead(models.clone(), finished);
        }
    })
}

/// Embeds `texts` with the sentence model in `models`, remembering them,
/// on another thread of the current pool.
fn embed_ahead(models: std::path::PathBuf, texts: Vec<String>) {
    rayon::spawn(move || {
        let Some(model) = model::load_or_log(&models) else {
            return;
        };
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        if let Err(err) = model.embed_remembered(&texts) {
            // Embedded again when the answer is judged, which says so.
            log::debug!("texts not embedded ahead: {err}");
        }
    });
}

/// What the answer said, against the question's strong answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Content {
    /// The strong answer's points, in the question's order.
    pub strong_answer: Vec<PointFinding>,
    /// The STAR parts (behavioural questions only).
    #[serde(default)]
    pub star: Option<Star>,
    /// The first follow-up whose condition holds.
    #[serde(default)]
    pub follow_up: Option<FollowUpChoice>,
    /// Whether the sentence model judged meaning (`false`: cues and stems
    /// only, "the matching is literal").
    pub by_meaning: bool,
}

/// A follow-up chosen for an answer, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpChoice {
    /// The question.
    pub ask: String,
    /// Why it comes now ("you mentioned caching").
    pub reason: String,
}

impl Content {
    /// How many points were covered.
    pub fn covered(&self) -> usize {
        self.strong_answer
            .iter()
            .filter(|p| p.status == Status::Covered)
            .count()
    }

    /// "3 of 5 points covered, 1 named only".
    pub fn summary(&self) -> String {
        let named = self
            .strong_answer
            .iter()
            .filter(|p| p.status == Status::Named)
            .count();
        let mut text = format!(
            "{} of {} points covered",
            self.covered(),
            self.strong_answer.len()
        );
        if named > 0 {
            text.push_str(&format!(", {named} named only"));
        }
        text
    }

    /// The object `rehearse analyze --json` prints: `strong_answer` (each
    /// point's `point`, `status`, `quote` and `start_ms`, null when
    /// missing), `star` (each part's `text`, `start_ms`, `end_ms` and
    /// `share`, or null; null for a question that is not behavioural),
    /// `follow_up` (`ask` and `reason`, or null) and `by_meaning`.
    pub fn to_json(&self) -> serde_json::Value {
        let points: Vec<serde_json::Value> = self
            .strong_answer
            .iter()
            .map(|p| {
                serde_json::json!({
                    "point": p.point,
                    "status": p.status,
                    "quote": p.quote,
                    "start_ms": p.start_ms,
                })
            })
            .collect();
        let star = self.star.as_ref().map(|star| {
            let part = |part: Part| {
                star.get(part).map(|heard| {
                    serde_json::json!({
                        "text": heard.text,
                        "start_ms": heard.start_ms,
                        "end_ms": heard.end_ms,
                        "share": heard.share,
                    })
                })
            };
            serde_json::json!({
                "situation": part(Part::Situation),
                "task": part(Part::Task),
                "action": part(Part::Action),
                "result": part(Part::Result),
            })
        });
        serde_json::json!({
            "strong_answer": points,
            "star": star,
            "follow_up": self.follow_up,
            "by_meaning": self.by_meaning,
        })
    }

    /// Lines for a terminal or a report: the points, the STAR parts and
    /// the follow-up.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "What a strong answer covers ({}{}):",
            self.summary(),
            if self.by_meaning {
                ""
            } else {
                "; the matching is literal: install the sentence model to match by meaning"
            }
        )];
        for finding in &self.strong_answer {
            let mark = match finding.status {
                Status::Covered => "✓",
                Status::Named => "~",
                Status::Missing => "✗",
            };
            let quote = match (&finding.quote, finding.start_ms) {
                (Some(quote), Some(at)) if finding.status != Status::Missing => format!(
                    " — at {}: “{}”",
                    crate::model::clock(std::time::Duration::from_millis(at)),
                    quote
                ),
                _ => String::new(),
            };
            lines.push(format!(
                "  {mark} {} ({}){quote}",
                finding.point,
                finding.status.label()
            ));
        }
        if let Some(star) = &self.star {
            lines.push("STAR:".to_owned());
            lines.extend(star.lines().into_iter().map(|line| format!("  {line}")));
        }
        if let Some(follow_up) = &self.follow_up {
            lines.push(format!(
                "The interviewer might ask: {} ({})",
                follow_up.ask, follow_up.reason
            ));
        }
        lines
    }
}

/// What `transcript` said of `question`'s strong answer, with the sentence
/// model when there is one (else cues and stems only).
pub fn analyse(
    transcript: &Transcript,
    question: &Asked<'_>,
    model: Option<&Embedder>,
) -> Result<Content, EmbedError> {
    let split = sentences::split(&transcript.words);
    let texts: Vec<&str> = split.sentences.iter().map(|s| s.text.as_str()).collect();
    let behavioural = question.kind == QuestionKind::Behavioural;
    let meaning = match model {
        Some(model) if !texts.is_empty() => {
            Some(Meaning::of(model, &texts, question, behavioural)?)
        }
        _ => None,
    };
    let strong_answer = points::judge(
        &split,
        question.strong_answer,
        meaning.as_ref().map(|m| m.points.as_slice()),
    );
    let star = behavioural.then(|| {
        let labels = star::label(&split, meaning.as_ref().map(|m| m.star.as_slice()));
        star::parts(&split.sentences, &labels)
    });
    let follow_up = choose_follow_up(
        question,
        &split,
        star.as_ref(),
        meaning.as_ref(),
        &strong_answer,
    );
    Ok(Content {
        strong_answer,
        star,
        follow_up,
        by_meaning: meaning.is_some(),
    })
}

/// Each sentence's STAR part (as [`analyse`] decides them), for checking
/// the labeller against labelled answers.
pub fn star_labels(
    transcript: &Transcript,
    question: &Asked<'_>,
    model: Option<&Embedder>,
) -> Result<Vec<Option<Part>>, EmbedError> {
    let split = sentences::split(&transcript.words);
    let texts: Vec<&str> = split.sentences.iter().map(|s| s.text.as_str()).collect();
    let meaning = match model {
        Some(model) if !texts.is_empty() => Some(Meaning::of(model, &texts, question, true)?),
        _ => None,
    };
    Ok(star::label(
        &split,
        meaning.as_ref().map(|m| m.star.as_slice()),
    ))
}

/// Whether two phrase lists have a phrase in common (as the matcher
/// compares them: case, plurals and derivations aside).
fn shares_a_phrase(a: &[String], b: &[String]) -> bool {
    let stems = |phrase: &String| -> Vec<String> {
        crate::feedback::tokens::words_in(phrase)
            .iter()
            .map(|w| crate::feedback::keywords::stem(w))
            .collect()
    };
    a.iter().any(|x| b.iter().any(|y| stems(x) == stems(y)))
}

/// The follow-up for a take without a transcript: the first one asked
/// after any answer.
pub fn follow_up_without_transcript(question: &Asked<'_>) -> Option<FollowUpChoice> {
    question
        .follow_ups
        .iter()
        .find(|f| matches!(f.when, FollowUpWhen::Always(true)))
        .map(|f| FollowUpChoice {
            ask: f.ask.clone(),
            reason: "asked after any answer".to_owned(),
        })
}

/// What an answer is compared with that is the same take after take (so
/// remembered once embedded): the points, the STAR examples (for a story)
/// and the follow-ups' phrases.
struct QuestionTexts<'a> {
    /// The points, then the examples, then the phrases.
    texts: Vec<&'a str>,
    /// Where the examples start.
    examples_at: usize,
    /// Where the phrases start.
    phrases_at: usize,
    /// The follow-up each phrase belongs to.
    phrase_owner: Vec<usize>,
}

impl<'a> QuestionTexts<'a> {
    fn of(question: &Asked<'a>, behavioural: bool) -> Self {
        let mut texts: Vec<&str> = Vec::new();
        texts.extend(question.strong_answer.iter().map(|p| p.point.as_str()));
        let examples_at = texts.len();
        if behavioural {
            texts.extend(star::EXAMPLES.iter().flat_map(|part| part.iter().copied()));
        }
        let phrases_at = texts.len();
        let mut phrase_owner = Vec::new();
        for (f, follow_up) in question.follow_ups.iter().enumerate() {
            if let FollowUpWhen::Said(phrases) | FollowUpWhen::NotSaid(phrases) = &follow_up.when {
                for phrase in phrases {
                    texts.push(phrase);
                    phrase_owner.push(f);
                }
            }
        }
        Self {
            texts,
            examples_at,
            phrases_at,
            phrase_owner,
        }
    }
}

/// The similarities the sentence model gives.
struct Meaning {
    /// `points[s][p]`: sentence `s` and point `p`.
    points: Vec<Vec<f32>>,
    /// `star[s][part]`: sentence `s` and the closest example of `part`.
    star: Vec<[f32; 4]>,
    /// `phrases[s][f]`: sentence `s` and the closest phrase of follow-up
    /// `f` (0 for follow-ups without phrases).
    phrases: Vec<Vec<f32>>,
}

impl Meaning {
    fn of(
        model: &Embedder,
        sentences: &[&str],
        question: &Asked<'_>,
        behavioural: bool,
    ) -> Result<Self, EmbedError> {
        let QuestionTexts {
            texts,
            examples_at,
            phrases_at,
            phrase_owner,
        } = QuestionTexts::of(question, behavioural);
        // Remembered: most were embedded while the take was transcribed
        // ([`embed_while_transcribing`]).
        let sentence_vectors = model.embed_remembered(sentences)?;
        let rest = model.embed_remembered(&texts)?;
        let point_vectors = &rest[..examples_at];
        let example_vectors = &rest[examples_at..phrases_at];
        let phrase_vectors = &rest[phrases_at..];
        let points = sentence_vectors
            .iter()
            .map(|s| point_vectors.iter().map(|p| embed::cosine(s, p)).collect())
            .collect();
        let star = sentence_vectors
            .iter()
            .map(|s| {
                let mut best = [0.0f32; 4];
                if behavioural {
                    let mut at = 0;
                    for (part, examples) in star::EXAMPLES.iter().enumerate() {
                        for example in &example_vectors[at..at + examples.len()] {
                            best[part] = best[part].max(embed::cosine(s, example));
                        }
                        at += examples.len();
                    }
                }
                best
            })
            .collect();
        let phrases = sentence_vectors
            .iter()
            .map(|s| {
                let mut best = vec![0.0f32; question.follow_ups.len()];
                for (owner, phrase) in phrase_owner.iter().zip(phrase_vectors) {
                    best[*owner] = best[*owner].max(embed::cosine(s, phrase));
                }
                best
            })
            .collect();
        Ok(Self {
            points,
            star,
            phrases,
        })
    }
}

/// The first follow-up of `question` whose condition holds for the answer.
/// A follow-up's phrase is said by meaning when a sentence is at least
/// this similar to it (a phrase is short, so this is rare).
const PHRASE_BY_MEANING: f32 = 0.5;

/// The first follow-up of `question` whose condition holds for the answer.
/// A phrase counts as said when the answer says it (as the points' cues
/// are matched), when a point that has it among its cues was covered by
/// meaning (a paraphrase of the point says it too), or when a sentence
/// means it.
fn choose_follow_up(
    question: &Asked<'_>,
    split: &sentences::Sentences,
    star: Option<&Star>,
    meaning: Option<&Meaning>,
    findings: &[PointFinding],
) -> Option<FollowUpChoice> {
    let groups: Vec<&[String]> = question
        .follow_ups
        .iter()
        .map(|f| match &f.when {
            FollowUpWhen::Said(phrases) | FollowUpWhen::NotSaid(phrases) => phrases.as_slice(),
            _ => &[],
        })
        .collect();
    let hits = points::cue_hits(split, &groups);
    let said_phrase = |f: usize| -> Option<String> {
        let (FollowUpWhen::Said(phrases) | FollowUpWhen::NotSaid(phrases)) =
            &question.follow_ups[f].when
        else {
            return None;
        };
        let literal = hits.iter().position(|sentence| sentence[f]);
        let by_point = question
            .strong_answer
            .iter()
            .zip(findings)
            .find(|(point, finding)| finding.by_meaning && shares_a_phrase(&point.cues, phrases))
            .and_then(|(_, finding)| {
                split
                    .sentences
                    .iter()
                    .position(|s| Some(s.start_ms) == finding.start_ms)
            });
        let by_meaning = meaning.and_then(|m| {
            m.phrases
                .iter()
                .position(|sentence| sentence[f] >= PHRASE_BY_MEANING)
        });
        let sentence = literal.or(by_point).or(by_meaning)?;
        // Name the phrase as the answer said it, when it did.
        let tokens = &split.tokens[split.sentences[sentence].tokens.clone()];
        let spoken = crate::feedback::keywords::all_matches(tokens, phrases)
            .first()
            .map(|&(_, start, length)| {
                tokens[start..start + length]
                    .iter()
                    .map(|t| t.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            });
        Some(spoken.unwrap_or_else(|| phrases[0].clone()))
    };
    let words = split.tokens.len();
    let usual_low = match question.kind {
        QuestionKind::Technical => crate::feedback::TECHNICAL_WORDS.0,
        QuestionKind::Behavioural | QuestionKind::Situational => crate::feedback::STORY_WORDS.0,
    };
    let short_below = f64::from(usual_low) * f64::from(question.answer_seconds) / 120.0 / 2.0;
    // A story states its result in its result part; another answer by a
    // number or measure near its end.
    let result_stated = match star {
        Some(star) => star.result.is_some(),
        None => crate::feedback::result_stated(&split.tokens),
    };
    question
        .follow_ups
        .iter()
        .enumerate()
        .find_map(|(f, follow_up)| {
            let reason = match &follow_up.when {
                FollowUpWhen::Said(_) => said_phrase(f).map(|p| format!("you mentioned {p}")),
                FollowUpWhen::NotSaid(phrases) => said_phrase(f)
                    .is_none()
                    .then(|| format!("you did not mention {}", phrases[0])),
                FollowUpWhen::NoResult(true) => {
                    (!result_stated).then(|| "no measurable result yet".to_owned())
                }
                FollowUpWhen::Short(true) => ((words as f64) < short_below)
                    .then(|| format!("a short answer ({})", crate::model::plural(words, "word"))),
                FollowUpWhen::Always(true) => Some("asked after any answer".to_owned()),
                _ => None,
            }?;
            Some(FollowUpChoice {
                ask: follow_up.ask.clone(),
                reason,
            })
        })
}
