//! A strong answer's points checked against what was said.
//!
//! Each point is `covered` when a sentence of the answer explains it,
//! `named` when its terms are only mentioned (a bare list of terms never
//! covers anything), or `missing`. Two signals decide:
//!
//! - **Cues**: the point's phrases, matched with the keyword matcher
//!   ([`crate::feedback::keywords`]): any case, plural, inflection and
//!   derivation ("normalise", "normalisation"), common short names
//!   ("Postgres" for `PostgreSQL`).
//! - **Meaning**: with the sentence model, the cosine between the point's
//!   line and each sentence ([`super::embed`]).
//!
//! A sentence *explains* when it has at least [`EXPLAINING_TOKENS`]
//! tokens and is not a list (most of its clauses a term or two, or most of
//! its words cue terms). A point is covered by an explaining sentence
//! that says one of its cues, or, with the model, by an explaining
//! sentence that is at least [`BY_MEANING`] similar to it and more similar
//! to it than to any other point of the question (a paraphrase: "keep the
//! results everyone asks for in memory"). Sentence similarities to a
//! point's line are low in absolute terms (0.25 to 0.45 for a good
//! paraphrase) while a vague sentence on the topic reaches 0.5 with every
//! point; being the sentence's closest point is what tells them apart.
//! The threshold was calibrated on the labelled answers in
//! `tests/fixtures/content/` (see the content issue's note).

use serde::{Deserialize, Serialize};

use super::sentences::{Sentence, Sentences};
use crate::feedback::keywords;
use crate::feedback::tokens::Token;
use crate::model::StrongPoint;

/// A sentence with fewer tokens than this names, it does not explain.
pub const EXPLAINING_TOKENS: usize = 6;
/// Without a cue, a sentence at least this similar to a point, and closer
/// to it than to the question's other points, covers it.
pub const BY_MEANING: f32 = 0.3;

/// How much of a point the answer gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Not said at all.
    Missing,
    /// Its terms were said but not explained.
    Named,
    /// A sentence explains it.
    Covered,
}

impl Status {
    /// As people read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Covered => "covered",
            Self::Named => "named only",
            Self::Missing => "missing",
        }
    }
}

/// One point of the strong answer and what the answer did with it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointFinding {
    /// The point's line.
    pub point: String,
    /// Covered, named or missing.
    pub status: Status,
    /// The sentence that covered or named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// Where that sentence starts, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_ms: Option<u64>,
    /// Covered by meaning alone (none of its cues was said).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_meaning: bool,
}

/// What the cues of some phrase groups matched in an answer.
pub struct CueMatches {
    /// `hits[s][g]`: sentence `s` said a phrase of group `g`.
    pub hits: Vec<Vec<bool>>,
    /// How many tokens of each sentence are inside a match.
    pub tokens_inside: Vec<usize>,
}

/// Matches the phrase groups `groups` (a point's cues, or a follow-up's
/// phrases) in `sentences`, once.
pub fn cue_matches(sentences: &Sentences, groups: &[&[String]]) -> CueMatches {
    let mut phrases = Vec::new();
    let mut group_of = Vec::new();
    for (group, list) in groups.iter().enumerate() {
        for phrase in list.iter() {
            phrases.push(phrase.clone());
            group_of.push(group);
        }
    }
    let mut hits = vec![vec![false; groups.len()]; sentences.sentences.len()];
    let mut inside = vec![false; sentences.tokens.len()];
    for (phrase, start, length) in keywords::all_matches(&sentences.tokens, &phrases) {
        if let Some(at) = sentences
            .sentences
            .iter()
            .position(|s| s.tokens.contains(&start))
        {
            hits[at][group_of[phrase]] = true;
        }
        for flag in inside.iter_mut().skip(start).take(length) {
            *flag = true;
        }
    }
    let tokens_inside = sentences
        .sentences
        .iter()
        .map(|s| inside[s.tokens.clone()].iter().filter(|&&f| f).count())
        .collect();
    CueMatches {
        hits,
        tokens_inside,
    }
}

/// Which sentences said which phrases: `said[s][g]` for sentence `s` and
/// phrase group `g` (a point's cues, or a follow-up's phrases).
pub fn cue_hits(sentences: &Sentences, groups: &[&[String]]) -> Vec<Vec<bool>> {
    cue_matches(sentences, groups).hits
}

/// Whether `sentence` explains rather than lists: long enough, not a list
/// of short clauses, not mostly cue terms (`cue_tokens`: how many of its
/// tokens are in a cue match).
pub fn explains(sentence: &Sentence, tokens: &[Token], cue_tokens: usize) -> bool {
    let own = &tokens[sentence.tokens.clone()];
    if own.len() < EXPLAINING_TOKENS {
        return false;
    }
    let mut clauses = vec![0usize];
    for token in own {
        if let Some(last) = clauses.last_mut() {
            *last += 1;
        }
        if token.clause_end {
            clauses.push(0);
        }
    }
    clauses.retain(|&length| length > 0);
    let short = clauses.iter().filter(|&&length| length <= 3).count();
    let a_list = clauses.len() >= 3 && short * 3 >= clauses.len() * 2;
    let mostly_terms = cue_tokens * 2 >= own.len();
    !a_list && !mostly_terms
}

/// The findings for `points`, in their order. `similarity[s][p]`: the
/// cosine of sentence `s` and point `p`, when the sentence model ran.
pub fn judge(
    sentences: &Sentences,
    points: &[StrongPoint],
    similarity: Option<&[Vec<f32>]>,
) -> Vec<PointFinding> {
    let groups: Vec<&[String]> = points.iter().map(|p| p.cues.as_slice()).collect();
    let CueMatches {
        hits,
        tokens_inside,
    } = cue_matches(sentences, &groups);
    let explaining: Vec<bool> = sentences
        .sentences
        .iter()
        .zip(&tokens_inside)
        .map(|(sentence, &count)| explains(sentence, &sentences.tokens, count))
        .collect();
    points
        .iter()
        .enumerate()
        .map(|(p, point)| {
            let mut best: Option<(Status, f32, usize)> = None;
            let mut cue_said = false;
            for (s, sentence_hits) in hits.iter().enumerate() {
                let cue = sentence_hits[p];
                cue_said |= cue && explaining[s];
                let similar = similarity.map(|all| all[s][p]);
                let closest =
                    similarity.is_some_and(|all| all[s].iter().all(|&other| other <= all[s][p]));
                let by_meaning = closest && similar.is_some_and(|sim| sim >= BY_MEANING);
                let status = match (cue, explaining[s]) {
                    (true, true) => Status::Covered,
                    (false, true) if by_meaning => Status::Covered,
                    (true, false) => Status::Named,
                    _ => Status::Missing,
                };
                let rank = (status, similar.unwrap_or(0.0), s);
                let better = match best {
                    None => status != Status::Missing,
                    Some((st, sim, _)) => (status, rank.1) > (st, sim),
                };
                if better {
                    best = Some(rank);
                }
            }
            match best {
                Some((status, _, s)) => {
                    let sentence = &sentences.sentences[s];
                    PointFinding {
                        point: point.point.clone(),
                        status,
                        quote: Some(sentence.text.clone()),
                        start_ms: Some(sentence.start_ms),
                        by_meaning: status == Status::Covered && !cue_said,
                    }
                }
                None => PointFinding {
                    point: point.point.clone(),
                    status: Status::Missing,
                    quote: None,
                    start_ms: None,
                    by_meaning: false,
                },
            }
        })
        .collect()
}
