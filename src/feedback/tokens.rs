//! A transcript's words as the measures read them: lower-case, without
//! punctuation, with what the punctuation said (a comma or a sentence end
//! after the word) and the word's times. Hyphenated words are split into
//! their parts ("read-replica" is "read", "replica"), all with the word's
//! times.

use crate::speech::transcript::Word;

/// One word of the transcript, ready to compare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// Lower-case letters, digits and apostrophes ("don't", "40").
    pub text: String,
    /// Where the word starts, in milliseconds.
    pub start_ms: u64,
    /// Where it ends.
    pub end_ms: u64,
    /// A comma, semicolon, colon or dash follows it.
    pub clause_end: bool,
    /// A full stop, question or exclamation mark follows it.
    pub sentence_end: bool,
    /// The index of the transcript word it comes from.
    pub word: usize,
}

/// The tokens of `words`, in order; words with nothing to compare (a lone
/// dash) give none.
pub fn tokens(words: &[Word]) -> Vec<Token> {
    let mut out = Vec::with_capacity(words.len() + words.len() / 8);
    for (index, word) in words.iter().enumerate() {
        let raw = word.text.trim();
        let trailing: String = raw
            .chars()
            .rev()
            .take_while(|c| !c.is_alphanumeric())
            .collect();
        let sentence_end = trailing.contains(['.', '?', '!']);
        let clause_end = !sentence_end && trailing.contains([',', ';', ':', '—', '–', '-']);
        let parts = words_in(raw);
        let count = parts.len();
        for (position, text) in parts.into_iter().enumerate() {
            let last = position + 1 == count;
            out.push(Token {
                text,
                start_ms: word.start_ms,
                end_ms: word.end_ms,
                clause_end: last && clause_end,
                sentence_end: last && sentence_end,
                word: index,
            });
        }
    }
    out
}

/// The words of `text` as the measures and the search compare them:
/// split at spaces, hyphens and slashes ("read-replica" is two words), each
/// [`clean`]ed, empty ones dropped. Transcript words, keywords and search
/// queries all go through this one rule.
pub fn words_in(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '-' | '‐' | '/'))
        .map(clean)
        .filter(|word| !word.is_empty())
        .collect()
}

/// `text` in lower case with only letters, digits, apostrophes (inside a
/// word) and a percent sign kept; curly apostrophes become straight.
pub fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() || c == '%' {
            out.extend(c.to_lowercase());
        } else if matches!(c, '\'' | '’') && !out.is_empty() {
            out.push('\'');
        }
    }
    while out.ends_with('\'') {
        out.pop();
    }
    out
}

/// Whether token `index` opens a sentence.
pub fn opens_sentence(tokens: &[Token], index: usize) -> bool {
    index == 0 || tokens[index - 1].sentence_end
}

/// Whether token `index` follows a comma, a sentence end or the start.
pub fn after_break(tokens: &[Token], index: usize) -> bool {
    index == 0 || tokens[index - 1].clause_end || tokens[index - 1].sentence_end
}

/// Whether punctuation or a silence of at least `pause_ms` follows token
/// `index` (the end of the answer counts).
pub fn before_break(tokens: &[Token], index: usize, pause_ms: u64) -> bool {
    let token = &tokens[index];
    token.clause_end
        || token.sentence_end
        || tokens
            .get(index + 1)
            .is_none_or(|next| next.word != token.word && next.start_ms >= token.end_ms + pause_ms)
}

/// Whether the tokens from `index` on read `phrase` (words separated by
/// spaces, already lower-case).
pub fn phrase_at(tokens: &[Token], index: usize, phrase: &[&str]) -> bool {
    phrase.len() <= tokens.len() - index.min(tokens.len())
        && phrase
            .iter()
            .zip(&tokens[index..])
            .all(|(word, token)| token.text == *word)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Words from `text`, a word every 400 ms (300 ms long); `|` marks a
    /// pause of 1.5 s before the next word.
    pub(crate) fn words(text: &str) -> Vec<Word> {
        let mut at = 0;
        let mut out = Vec::new();
        for piece in text.split_whitespace() {
            if piece == "|" {
                at += 1_500;
                continue;
            }
            out.push(Word {
                text: format!(" {piece}"),
                start_ms: at,
                end_ms: at + 300,
                probability: 0.9,
            });
            at += 400;
        }
        out
    }

    /// A transcript of `text` with the timing of [`words`].
    pub(crate) fn transcript(text: &str) -> crate::speech::Transcript {
        let words = words(text);
        crate::speech::Transcript {
            schema: crate::speech::transcript::SCHEMA,
            model: crate::speech::transcript::ModelStamp {
                name: "test".to_owned(),
                sha256: String::new(),
            },
            language: "en".to_owned(),
            duration_ms: words.last().map_or(0, |w| w.end_ms + 500),
            segments: Vec::new(),
            words,
        }
    }

    #[test]
    fn punctuation_is_read_and_dropped() {
        let tokens = tokens(&words(
            "So, I added an index. Then the read-replica’s lag: 40%!",
        ));
        let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "so",
                "i",
                "added",
                "an",
                "index",
                "then",
                "the",
                "read",
                "replica's",
                "lag",
                "40%"
            ]
        );
        assert!(tokens[0].clause_end && !tokens[0].sentence_end);
        assert!(tokens[4].sentence_end);
        assert!(opens_sentence(&tokens, 5));
        assert!(!opens_sentence(&tokens, 6));
        // The parts of a hyphenated word share its times; only the last
        // carries its punctuation.
        assert_eq!(tokens[7].start_ms, tokens[8].start_ms);
        assert!(!tokens[7].clause_end);
        assert!(tokens[9].clause_end);
    }

    #[test]
    fn a_pause_is_a_break() {
        let tokens = tokens(&words("it was like | slow and like fast"));
        assert!(before_break(&tokens, 2, 500));
        assert!(!before_break(&tokens, 4, 500));
        assert!(before_break(&tokens, 6, 500), "the end of the answer");
    }
}
