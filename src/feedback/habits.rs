//! Speech habits in the words: filler words, hedges, immediate repeats and
//! restarts.
//!
//! **Filler words** (counted wherever they are): the hesitation sounds
//! `um`, `umm`, `uh`, `uhh`, `er`, `erm`, `ah`, `ahh`, `hmm`, `hm`, `mm`
//! (each counted under its plain American spelling: `umm` and the British
//! `erm` are `um`, `er` is `uh`), `basically` and `actually`. Counted only where they cannot be ordinary words:
//! - `you know` and `I mean` after a break (the start, a comma, a sentence
//!   end) or before a comma ("it was, you know, slow"; not "do you know");
//! - `kind of` and `sort of` unless a determiner comes before them ("a kind
//!   of cache", "what sort of load");
//! - `like` after a comma or before a break (a comma or a pause of at least
//!   [`PAUSE_MS`]): "it was, like, slow" but not "I like it", "looks like
//!   rain" or "like a cache";
//! - `so` opening a sentence ("So, I moved…"), not "so that" or "so slow".
//!
//! **Hedges**: `I think`, `I guess`, `I suppose`, `I believe`, `maybe`,
//! `perhaps`, `probably`, `sort of`, `kind of` (the last two as fillers
//! above; a phrase may be both).
//!
//! **Repeats**: a word said twice in a row ("the the"). **Restarts**: two to
//! four words said again straight away ("we moved the, we moved the
//! reports").

use std::collections::BTreeMap;

use super::tokens::{Token, after_break, before_break, opens_sentence, phrase_at};

/// A silence after "like" that makes it a filler, in milliseconds.
pub const PAUSE_MS: u64 = 300;

/// Hesitation sounds and their plain spelling.
const SOUNDS: &[(&str, &str)] = &[
    ("um", "um"),
    ("umm", "um"),
    ("ummm", "um"),
    ("uh", "uh"),
    ("uhh", "uh"),
    ("uhm", "um"),
    ("er", "uh"),
    ("erm", "um"),
    ("ah", "ah"),
    ("ahh", "ah"),
    ("hmm", "hmm"),
    ("hm", "hmm"),
    ("hmmm", "hmm"),
    ("mm", "mm"),
    ("mmm", "mm"),
];

/// Words that make "kind of" / "sort of" an ordinary noun phrase.
const DETERMINERS: &[&str] = &[
    "a",
    "an",
    "the",
    "this",
    "that",
    "these",
    "those",
    "what",
    "which",
    "some",
    "any",
    "every",
    "each",
    "one",
    "same",
    "other",
    "another",
    "no",
    "my",
    "our",
    "your",
    "their",
    "its",
    "his",
    "her",
    "right",
    "wrong",
    "new",
    "different",
    "first",
];

/// Hedging phrases.
const HEDGES: &[&[&str]] = &[
    &["i", "think"],
    &["i", "guess"],
    &["i", "suppose"],
    &["i", "believe"],
    &["maybe"],
    &["perhaps"],
    &["probably"],
    &["sort", "of"],
    &["kind", "of"],
];

/// Something said, and how often.
pub type Counts = BTreeMap<String, u32>;

/// What [`habits`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Habits {
    /// Filler words and phrases with their counts.
    pub fillers: Counts,
    /// Where each filler is: its first token's index and its length in
    /// tokens, in order.
    pub filler_spans: Vec<(usize, usize)>,
    /// Hedging phrases with their counts.
    pub hedges: Counts,
    /// Words said twice in a row ("the the").
    pub repeats: Vec<String>,
    /// Phrases said again straight away ("we moved the").
    pub restarts: Vec<String>,
}

/// The filler (by its plain spelling) that starts at token `index`, and
/// how many tokens it spans.
pub fn filler_at(tokens: &[Token], index: usize) -> Option<(&'static str, usize)> {
    let word = tokens[index].text.as_str();
    if let Some((_, plain)) = SOUNDS.iter().find(|(spelling, _)| *spelling == word) {
        return Some((plain, 1));
    }
    match word {
        "basically" => Some(("basically", 1)),
        "actually" => Some(("actually", 1)),
        "like" if like_is_filler(tokens, index) => Some(("like", 1)),
        "so" if so_is_filler(tokens, index) => Some(("so", 1)),
        "you" if phrase_at(tokens, index, &["you", "know"]) && aside(tokens, index, 2) => {
            Some(("you know", 2))
        }
        "i" if phrase_at(tokens, index, &["i", "mean"]) && aside(tokens, index, 2) => {
            Some(("I mean", 2))
        }
        "kind" | "sort"
            if tokens.get(index + 1).is_some_and(|next| next.text == "of")
                && !(index > 0 && DETERMINERS.contains(&tokens[index - 1].text.as_str())) =>
        {
            Some((if word == "kind" { "kind of" } else { "sort of" }, 2))
        }
        _ => None,
    }
}

/// "so" opening a sentence and carrying nothing: followed by a comma, a
/// pause or another filler ("So, um, we…"), or standing alone. A "so" that
/// leads into what follows ("So we agreed to migrate") is a word.
fn so_is_filler(tokens: &[Token], index: usize) -> bool {
    opens_sentence(tokens, index)
        && (before_break(tokens, index, PAUSE_MS)
            || (index + 1 < tokens.len()
                && tokens[index + 1].text != "so"
                && filler_at(tokens, index + 1).is_some()))
}

/// "like" after a comma, or before a comma or a pause, and not right after
/// a word it would complete ("looks like", "would like", "I like").
fn like_is_filler(tokens: &[Token], index: usize) -> bool {
    let follows_comma = index > 0 && tokens[index - 1].clause_end;
    let verb_before = index > 0
        && !tokens[index - 1].clause_end
        && !tokens[index - 1].sentence_end
        && matches!(
            tokens[index - 1].text.as_str(),
            "i" | "we"
                | "you"
                | "they"
                | "would"
                | "looks"
                | "look"
                | "looked"
                | "seems"
                | "seemed"
                | "feel"
                | "feels"
                | "felt"
                | "sounds"
                | "something"
                | "just"
        );
    follows_comma || (before_break(tokens, index, PAUSE_MS) && !verb_before)
}

/// A phrase of `length` tokens at `index` set apart by breaks: after the
/// start, a comma or a sentence end, or followed by a comma.
fn aside(tokens: &[Token], index: usize, length: usize) -> bool {
    let last = &tokens[index + length - 1];
    after_break(tokens, index) || last.clause_end || last.sentence_end
}

/// The habits in `tokens`.
pub fn habits(tokens: &[Token]) -> Habits {
    let mut found = Habits::default();
    let mut index = 0;
    while index < tokens.len() {
        if let Some((filler, length)) = filler_at(tokens, index) {
            *found.fillers.entry(filler.to_owned()).or_default() += 1;
            found.filler_spans.push((index, length));
            index += length;
        } else {
            index += 1;
        }
    }
    for index in 0..tokens.len() {
        if let Some(hedge) = HEDGES.iter().find(|hedge| phrase_at(tokens, index, hedge)) {
            let is_noun_phrase = hedge.len() == 2
                && hedge[1] == "of"
                && index > 0
                && DETERMINERS.contains(&tokens[index - 1].text.as_str());
            if !is_noun_phrase {
                let text = hedge
                    .join(" ")
                    .replacen('i', "I", usize::from(hedge[0] == "i"));
                *found.hedges.entry(text).or_default() += 1;
            }
        }
    }
    repeats_and_restarts(tokens, &mut found);
    found
}

/// Immediate repeats of one word ("the the") and of two to four words
/// ("we moved the, we moved the"); hesitation sounds do not count.
fn repeats_and_restarts(tokens: &[Token], found: &mut Habits) {
    let mut index = 0;
    'next: while index < tokens.len() {
        for length in (1..=4).rev() {
            if index + 2 * length > tokens.len() {
                continue;
            }
            let first = &tokens[index..index + length];
            let second = &tokens[index + length..index + 2 * length];
            let same = first.iter().zip(second).all(|(a, b)| a.text == b.text);
            let sounds = first
                .iter()
                .all(|t| SOUNDS.iter().any(|(spelling, _)| *spelling == t.text));
            // "had had", "that that" are grammatical: only flag a single
            // word when nothing but a comma or nothing separates it.
            let grammatical = length == 1 && matches!(first[0].text.as_str(), "had" | "that");
            if same && !sounds && !grammatical {
                let phrase: Vec<&str> = first.iter().map(|t| t.text.as_str()).collect();
                if length == 1 {
                    found.repeats.push(format!("{0} {0}", phrase[0]));
                } else {
                    found.restarts.push(phrase.join(" "));
                }
                index += 2 * length;
                continue 'next;
            }
        }
        index += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedback::tokens::tests::words;
    use crate::feedback::tokens::tokens;

    fn fillers(text: &str) -> Vec<(String, u32)> {
        habits(&tokens(&words(text))).fillers.into_iter().collect()
    }

    fn pairs(list: &[(&str, u32)]) -> Vec<(String, u32)> {
        list.iter().map(|(w, n)| ((*w).to_owned(), *n)).collect()
    }

    #[test]
    fn hesitation_sounds_count_under_their_plain_spelling() {
        assert_eq!(
            fillers("Um, I umm added uh an index, er, hmm, erm."),
            pairs(&[("hmm", 1), ("uh", 2), ("um", 3)])
        );
    }

    #[test]
    fn like_counts_only_where_it_cannot_be_a_verb_or_a_preposition() {
        assert_eq!(fillers("It was, like, really slow."), pairs(&[("like", 1)]));
        assert_eq!(fillers("It was like | really slow."), pairs(&[("like", 1)]));
        assert!(fillers("I like small services.").is_empty());
        assert!(fillers("It looks like a cache problem.").is_empty());
        assert!(fillers("A queue like Kafka helps.").is_empty());
        assert!(fillers("We would like to ship, and I like it.").is_empty());
    }

    #[test]
    fn so_counts_only_when_it_opens_a_sentence_and_leads_nowhere() {
        assert_eq!(
            fillers("So, I moved the reports. So we were fine."),
            pairs(&[("so", 1)])
        );
        assert!(fillers("So we agreed to migrate step by step.").is_empty());
        assert!(fillers("It failed. So I rolled it back.").is_empty());
        assert!(fillers("It was so slow, so I added an index.").is_empty());
        assert!(fillers("So that the primary is free.").is_empty());
        // Before a pause, before another filler, or on its own.
        assert_eq!(fillers("So | the report was slow."), pairs(&[("so", 1)]));
        assert_eq!(
            fillers("So um the report was slow."),
            pairs(&[("so", 1), ("um", 1)])
        );
        assert_eq!(fillers("So."), pairs(&[("so", 1)]));
    }

    #[test]
    fn phrases_count_when_set_apart() {
        assert_eq!(
            fillers("You know, the part, I mean, the rollout was, you know, slow."),
            pairs(&[("I mean", 1), ("you know", 2)])
        );
        assert!(fillers("Do you know the answer? I mean it.").len() == 1);
        assert_eq!(
            fillers("It was kind of slow and sort of fragile."),
            pairs(&[("kind of", 1), ("sort of", 1)])
        );
        assert!(fillers("What kind of cache and a sort of queue.").is_empty());
        assert_eq!(
            fillers("Basically we actually shipped."),
            pairs(&[("actually", 1), ("basically", 1)])
        );
    }

    #[test]
    fn hedges_are_counted() {
        let found = habits(&tokens(&words(
            "I think it was maybe the index. I guess we could probably shard, sort of.",
        )));
        let hedges: Vec<(String, u32)> = found.hedges.into_iter().collect();
        assert_eq!(
            hedges,
            pairs(&[
                ("I guess", 1),
                ("I think", 1),
                ("maybe", 1),
                ("probably", 1),
                ("sort of", 1)
            ])
        );
    }

    #[test]
    fn repeats_and_restarts_are_listed() {
        let found = habits(&tokens(&words(
            "I added the the index. We moved the, we moved the reports. Um um. He had had enough.",
        )));
        assert_eq!(found.repeats, ["the the"]);
        assert_eq!(found.restarts, ["we moved the"]);
    }
}
