//! A transcript cut into sentences, with their times: what the content
//! measures judge one at a time. A sentence ends at a full stop, question
//! or exclamation mark; a run of more than [`LONGEST`] tokens without one
//! (recognisers sometimes leave them out) is cut at its clause ends.

use std::ops::Range;

use crate::feedback::tokens::{Token, tokens};
use crate::speech::transcript::Word;

/// Tokens a sentence may have before it is cut at a comma.
pub const LONGEST: usize = 45;

/// One sentence of an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sentence {
    /// Its words as the transcript has them (with punctuation).
    pub text: String,
    /// Where it starts, in milliseconds from the take's start.
    pub start_ms: u64,
    /// Where it ends.
    pub end_ms: u64,
    /// Its tokens in the answer's tokens.
    pub tokens: Range<usize>,
}

impl Sentence {
    /// How many tokens it has.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether it has no tokens (never, for a sentence from [`split`]).
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Its first `count` words and "…" when there are more.
    pub fn opening(&self, count: usize) -> String {
        let words: Vec<&str> = self.text.split_whitespace().collect();
        if words.len() <= count {
            words.join(" ")
        } else {
            format!("{}…", words[..count].join(" "))
        }
    }
}

/// An answer's tokens and its sentences.
#[derive(Clone, Debug, Default)]
pub struct Sentences {
    /// Every token of the answer.
    pub tokens: Vec<Token>,
    /// The sentences, in order; together they hold every token.
    pub sentences: Vec<Sentence>,
}

/// Cuts `words` into sentences.
pub fn split(words: &[Word]) -> Sentences {
    let tokens = tokens(words);
    let mut sentences = Vec::new();
    let mut start = 0;
    let mut last_clause = None;
    for (index, token) in tokens.iter().enumerate() {
        if token.clause_end {
            last_clause = Some(index);
        }
        let end = if token.sentence_end || index + 1 == tokens.len() {
            Some(index + 1)
        } else if index + 1 - start >= LONGEST {
            Some(
                last_clause
                    .filter(|&at| at >= start + 3)
                    .map_or(index + 1, |at| at + 1),
            )
        } else {
            None
        };
        if let Some(end) = end {
            sentences.push(sentence(words, &tokens, start..end));
            start = end;
            last_clause = None;
        }
    }
    if start < tokens.len() {
        sentences.push(sentence(words, &tokens, start..tokens.len()));
    }
    Sentences { tokens, sentences }
}

fn sentence(words: &[Word], tokens: &[Token], range: Range<usize>) -> Sentence {
    let first = &tokens[range.start];
    let last = &tokens[range.end - 1];
    let text = words[first.word..=last.word]
        .iter()
        .map(|word| word.text.trim())
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Sentence {
        text,
        start_ms: first.start_ms,
        end_ms: last.end_ms,
        tokens: range,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedback::tokens::tests::words;

    #[test]
    fn sentences_end_at_their_marks_and_keep_their_times() {
        let split = split(&words("We had a slow page. So I added an index! It worked"));
        let texts: Vec<&str> = split.sentences.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            ["We had a slow page.", "So I added an index!", "It worked"]
        );
        let second = &split.sentences[1];
        assert_eq!(second.tokens, 5..10);
        assert_eq!(second.start_ms, split.tokens[5].start_ms);
        assert_eq!(second.end_ms, split.tokens[9].end_ms);
        assert_eq!(second.opening(3), "So I added…");
    }

    #[test]
    fn a_long_run_without_full_stops_is_cut_at_a_comma() {
        let text = format!(
            "{}, {}",
            "word ".repeat(30).trim(),
            "more ".repeat(30).trim()
        );
        let split = split(&words(&text));
        assert_eq!(split.sentences.len(), 2);
        assert_eq!(split.sentences[0].len(), 30);
        assert_eq!(split.sentences[1].len(), 30);
    }
}
