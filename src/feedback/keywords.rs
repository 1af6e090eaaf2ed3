//! Which of a question's keywords an answer used.
//!
//! Matching is case-insensitive and forgiving in the ways speech and
//! transcripts differ from a written keyword: plural and singular ("index",
//! "indexes"; "replica", "replicas"; "query", "queries"), simple inflections
//! ("cache", "cached", "caching"; "shard", "sharding"), and hyphens, spaces
//! or nothing between the parts ("read-replica", "read replica";
//! "rate limiter", "ratelimiter"). A keyword of several words matches only
//! as that phrase.

use super::tokens::{Token, words_in};

/// Short names said for a longer one, each with the name it stands for
/// written together (so it matches the name's phrase as well).
const SHORT_NAMES: &[(&str, &str)] = &[
    ("postgres", "postgresql"),
    ("psql", "postgresql"),
    ("k8s", "kubernetes"),
    ("kube", "kubernetes"),
    ("js", "javascript"),
    ("db", "database"),
    ("dbs", "databases"),
    ("mongo", "mongodb"),
    ("pr", "pullrequest"),
    ("prs", "pullrequests"),
    ("mr", "mergerequest"),
    ("lb", "loadbalancer"),
    ("iac", "infrastructureascode"),
    ("dlq", "deadletterqueue"),
    ("ttl", "timetolive"),
    ("authn", "authentication"),
    ("authz", "authorisation"),
    ("repo", "repository"),
    ("repos", "repositories"),
    ("config", "configuration"),
    ("infra", "infrastructure"),
    ("perf", "performance"),
    ("env", "environment"),
    ("prod", "production"),
    // What a recogniser often hears for a term (tiny.en writes "cash"
    // for "cache" nearly every time).
    ("cash", "cache"),
    ("cashes", "caches"),
    ("cashed", "cached"),
    ("cashing", "caching"),
];

/// The stem two forms of one word share: lower case, a short name made
/// the name it stands for ("Postgres" is `PostgreSQL`), then the plural
/// and the common endings (-ies, -es, -s, -ing, -ed, a final -e) taken off,
/// a doubled final consonant made single ("stopped", "stopping" → "stop"),
/// and the endings that make one word of another (-ation, -ion, -ment,
/// -ability, -able, -ly, -ise/-ize, -ate) taken off too, so
/// "normalisation", "normalised" and "normalize" share "normalis", and
/// "invalidate" and "invalidation" share "invalid". A stem is kept at four
/// letters at least, so short words keep their own ("state", "status").
pub fn stem(word: &str) -> String {
    let word = word.trim_end_matches("'s");
    let word = SHORT_NAMES
        .iter()
        .find(|(short, _)| *short == word)
        .map_or(word, |(_, long)| long);
    derive(inflect(word))
}

/// `word` without its plural and inflection endings.
fn inflect(word: &str) -> String {
    let mut w = word.to_owned();
    let strip = |w: &mut String, suffix: &str, keep: usize, add: &str| -> bool {
        if w.len() >= suffix.len() + keep && w.ends_with(suffix) {
            w.truncate(w.len() - suffix.len());
            w.push_str(add);
            true
        } else {
            false
        }
    };
    if !strip(&mut w, "ies", 2, "y") && !strip(&mut w, "sses", 2, "ss") {
        let sibilant_es = ["ches", "shes", "xes", "zes", "ses"]
            .iter()
            .any(|end| w.ends_with(end) && w.len() > end.len() + 1);
        if sibilant_es {
            w.truncate(w.len() - 2);
        } else if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") {
            w.pop();
        }
    }
    let inflected =
        strip(&mut w, "ied", 2, "y") || strip(&mut w, "ing", 3, "") || strip(&mut w, "ed", 3, "");
    if inflected {
        let bytes = w.as_bytes();
        let n = bytes.len();
        if n >= 3 && bytes[n - 1] == bytes[n - 2] && !b"aeiouls".contains(&bytes[n - 1]) {
            w.pop();
        }
    }
    if w.len() > 3 && w.ends_with('e') && !w.ends_with("ee") {
        w.pop();
    }
    w
}

/// Letters a derived stem keeps at least.
const STEM_AT_LEAST: usize = 4;

/// `word` (inflections already off) without the ending that derives it
/// from another word.
fn derive(mut w: String) -> String {
    // The first ending that fits is taken off (or replaced): the ending,
    // what replaces it, and the letters that must be left before it.
    const ENDINGS: &[(&str, &str, usize)] = &[
        ("isation", "is", STEM_AT_LEAST),
        ("ization", "is", STEM_AT_LEAST),
        ("ation", "at", STEM_AT_LEAST),
        ("tion", "t", STEM_AT_LEAST - 1),
        ("sion", "s", STEM_AT_LEAST - 1),
        ("ability", "", STEM_AT_LEAST),
        ("ibility", "", STEM_AT_LEAST),
        ("abl", "", STEM_AT_LEAST),
        ("ibl", "", STEM_AT_LEAST),
        ("ency", "ent", STEM_AT_LEAST),
        ("ancy", "ant", STEM_AT_LEAST),
        ("ment", "", STEM_AT_LEAST + 1),
        ("ly", "", STEM_AT_LEAST),
    ];
    if let Some((suffix, add, _)) = ENDINGS
        .iter()
        .find(|(suffix, _, at_least)| w.ends_with(suffix) && w.len() - suffix.len() >= *at_least)
    {
        w.truncate(w.len() - suffix.len());
        w.push_str(add);
    }
    // "normaliz(e)" is "normalis(e)"; "invalidat(e)" is "invalid".
    if w.ends_with("iz") && w.len() >= 2 + STEM_AT_LEAST {
        w.truncate(w.len() - 2);
        w.push_str("is");
    }
    if w.ends_with("at") && w.len() > 2 + STEM_AT_LEAST {
        w.truncate(w.len() - 2);
    }
    w
}

/// A keyword's words, stemmed, and its letters run together.
struct Keyword {
    stems: Vec<String>,
    joined: String,
}

impl Keyword {
    fn new(keyword: &str) -> Self {
        let words = words_in(keyword);
        Self {
            stems: words.iter().map(|w| stem(w)).collect(),
            joined: stem(&words.concat()),
        }
    }
}

/// An answer ready to be matched against keywords: each token's stem, and
/// the stem of every run of two and three tokens written together.
struct Answer {
    stems: Vec<String>,
    /// `runs[0][i]`: tokens `i` and `i + 1` run together; `runs[1][i]`:
    /// tokens `i` to `i + 2`.
    runs: [Vec<String>; 2],
}

impl Answer {
    fn new(tokens: &[Token]) -> Self {
        let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        let run = |length: usize| {
            texts
                .windows(length)
                .map(|window| stem(&window.concat()))
                .collect()
        };
        Self {
            stems: texts.iter().map(|t| stem(t)).collect(),
            runs: [run(2), run(3)],
        }
    }

    /// How many tokens `keyword` spans when said from token `index`: as its
    /// phrase, or its parts written together or apart ("rate limiter" said
    /// "ratelimiter", or the other way round).
    fn match_at(&self, keyword: &Keyword, index: usize) -> Option<usize> {
        let phrase = keyword.stems.len();
        if phrase > 0 && self.stems.get(index..index + phrase) == Some(keyword.stems.as_slice()) {
            return Some(phrase);
        }
        if self.stems.get(index) == Some(&keyword.joined) {
            return Some(1);
        }
        (2..=3).find(|&length| self.runs[length - 2].get(index) == Some(&keyword.joined))
    }
}

/// Keywords looked up by what they can start with: the stem of their
/// first word, or all their letters run together. Matching an answer then
/// costs its length times the few keywords that can start at each word,
/// not its length times every keyword (100,000 of each took 34 s).
struct Keywords {
    all: Vec<Keyword>,
    by_first: std::collections::HashMap<String, Vec<usize>>,
    by_joined: std::collections::HashMap<String, Vec<usize>>,
}

impl Keywords {
    fn new(keywords: &[String]) -> Self {
        let all: Vec<Keyword> = keywords.iter().map(|k| Keyword::new(k)).collect();
        let mut by_first: std::collections::HashMap<String, Vec<usize>> = Default::default();
        let mut by_joined: std::collections::HashMap<String, Vec<usize>> = Default::default();
        for (at, keyword) in all.iter().enumerate() {
            if let Some(first) = keyword.stems.first() {
                by_first.entry(first.clone()).or_default().push(at);
            }
            by_joined
                .entry(keyword.joined.clone())
                .or_default()
                .push(at);
        }
        Self {
            all,
            by_first,
            by_joined,
        }
    }

    /// The keywords said from token `index` of `answer`, in the keywords'
    /// order, each with the tokens it spans.
    fn said_at(&self, answer: &Answer, index: usize) -> Vec<(usize, usize)> {
        let mut candidates: Vec<usize> = Vec::new();
        let mut look = |map: &std::collections::HashMap<String, Vec<usize>>,
                        key: Option<&String>| {
            if let Some(found) = key.and_then(|key| map.get(key)) {
                candidates.extend(found);
            }
        };
        look(&self.by_first, answer.stems.get(index));
        look(&self.by_joined, answer.stems.get(index));
        look(&self.by_joined, answer.runs[0].get(index));
        look(&self.by_joined, answer.runs[1].get(index));
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .filter_map(|at| {
                answer
                    .match_at(&self.all[at], index)
                    .map(|length| (at, length))
            })
            .collect()
    }
}

/// Which of `keywords` the answer in `tokens` said, and which not, each
/// in the keywords' order.
pub fn key_points(tokens: &[Token], keywords: &[String]) -> (Vec<String>, Vec<String>) {
    if keywords.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let answer = Answer::new(tokens);
    let wanted = Keywords::new(keywords);
    let mut said = vec![false; keywords.len()];
    for index in 0..tokens.len() {
        for (at, _) in wanted.said_at(&answer, index) {
            said[at] = true;
        }
    }
    let (covered, missing): (Vec<_>, Vec<_>) = keywords
        .iter()
        .cloned()
        .zip(said)
        .partition(|(_, said)| *said);
    (
        covered.into_iter().map(|(k, _)| k).collect(),
        missing.into_iter().map(|(k, _)| k).collect(),
    )
}

/// Where `keywords` were said: each match's first token and its length in
/// tokens, in the order of the answer (for marking them in the text).
pub fn keyword_spans(tokens: &[Token], keywords: &[String]) -> Vec<(usize, usize)> {
    if keywords.is_empty() {
        return Vec::new();
    }
    let answer = Answer::new(tokens);
    let wanted = Keywords::new(keywords);
    let mut spans = Vec::new();
    let mut index = 0;
    while index < tokens.len() {
        match wanted
            .said_at(&answer, index)
            .first()
            .map(|&(_, length)| length)
        {
            Some(length) => {
                spans.push((index, length));
                index += length;
            }
            None => index += 1,
        }
    }
    spans
}

/// Every place one of `phrases` was said: the phrase's index, the first
/// token and the length in tokens, in the order of the answer (a phrase
/// may match at several places, and several phrases at one place).
pub fn all_matches(tokens: &[Token], phrases: &[String]) -> Vec<(usize, usize, usize)> {
    if phrases.is_empty() {
        return Vec::new();
    }
    let answer = Answer::new(tokens);
    let wanted = Keywords::new(phrases);
    (0..tokens.len())
        .flat_map(|index| {
            wanted
                .said_at(&answer, index)
                .into_iter()
                .map(move |(phrase, length)| (phrase, index, length))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedback::tokens::tests::words;
    use crate::feedback::tokens::{clean, tokens};

    fn covered(text: &str, keywords: &[&str]) -> Vec<String> {
        let keywords: Vec<String> = keywords.iter().map(|k| (*k).to_owned()).collect();
        key_points(&tokens(&words(text)), &keywords).0
    }

    /// The probe's case, smaller: every keyword checked at every word made
    /// it grow with their product; the index makes it their sum.
    #[test]
    fn many_keywords_over_a_long_answer() {
        let keywords: Vec<String> = (0..20_000).map(|n| format!("term{n} part")).collect();
        let mut text: String = (0..20_000).map(|n| format!("word{n} ")).collect();
        text.push_str("term7 part");
        let started = std::time::Instant::now();
        let (covered, missing) = key_points(&tokens(&words(&text)), &keywords);
        println!("20,000 keywords over 20,001 words: {:?}", started.elapsed());
        assert_eq!(covered, ["term7 part"]);
        assert_eq!(missing.len(), 19_999);
    }

    #[test]
    fn stems_join_plural_and_inflected_forms() {
        for group in [
            &["index", "indexes", "Index"][..],
            &["replica", "replicas"],
            &["query", "queries"],
            &["cache", "caches", "cached", "caching"],
            &["shard", "shards", "sharding", "sharded"],
            &["stop", "stopped", "stopping", "stops"],
            &["retry", "retries", "retried"],
            &["process", "processes"],
            &["latency", "latencies"],
            &["batch", "batches", "batching"],
        ] {
            let first = stem(&clean(group[0]));
            for word in group {
                assert_eq!(stem(&clean(word)), first, "{word} vs {}", group[0]);
            }
        }
        // Words derived from one another, and short names.
        for group in [
            &[
                "normalise",
                "normalised",
                "normalisation",
                "normalization",
                "normalizing",
            ][..],
            &["invalidate", "invalidation", "invalidated", "invalidating"],
            &["optimise", "optimisation", "optimization", "optimized"],
            &["authenticate", "authentication", "authenticated"],
            &["migrate", "migration", "migrations", "migrating"],
            &["validate", "validation"],
            &["scalable", "scalability", "scale", "scaling"],
            &["observable", "observability"],
            &["deploy", "deployment", "deployments"],
            &["idempotent", "idempotency"],
            &["document", "documentation", "documented"],
            &["encrypt", "encryption", "encrypted"],
            &["create", "creation", "created"],
            &["postgresql", "postgres", "Postgres"],
            &["kubernetes", "k8s"],
            &["database", "db"],
        ] {
            let first = stem(&clean(group[0]));
            for word in group {
                assert_eq!(stem(&clean(word)), first, "{word} vs {}", group[0]);
            }
        }
        // Words that only look alike stay apart.
        assert_ne!(stem("update"), stem("up"));
        assert_ne!(stem("format"), stem("form"));
        assert_ne!(stem("comment"), stem("come"));
        assert_ne!(stem("status"), stem("state"));
        assert_ne!(stem("class"), stem("cla"));
    }

    #[test]
    fn keywords_match_across_forms_hyphens_and_phrases() {
        let said = "We added two indexes, moved reads to read replicas and cached the hot rows; \
                    the rate-limiter used a token bucket.";
        assert_eq!(
            covered(
                said,
                &[
                    "index",
                    "read-replica",
                    "cache",
                    "rate limiter",
                    "token bucket",
                    "sharding",
                    "bucket token",
                ]
            ),
            [
                "index",
                "read-replica",
                "cache",
                "rate limiter",
                "token bucket"
            ]
        );
        assert_eq!(
            covered("a ratelimiter in front", &["rate limiter"]),
            ["rate limiter"]
        );
        assert_eq!(
            covered("the data base was slow", &["database"]),
            ["database"]
        );
        // A phrase must be said as a phrase.
        assert!(covered("the token was in a bucket", &["token bucket"]).is_empty());
    }

    #[test]
    fn keywords_are_found_where_they_were_said() {
        let keywords: Vec<String> = ["read replica", "index", "ratelimiter"]
            .iter()
            .map(|k| (*k).to_owned())
            .collect();
        let tokens = tokens(&words("An index, then a read-replica and a rate limiter."));
        // an index then a read replica and a rate limiter
        assert_eq!(keyword_spans(&tokens, &keywords), [(1, 1), (4, 2), (8, 2)]);
    }

    #[test]
    fn what_was_not_said_is_listed_in_order() {
        let keywords: Vec<String> = ["sharding", "index", "cache"]
            .iter()
            .map(|k| (*k).to_owned())
            .collect();
        let (covered, missing) = key_points(&tokens(&words("I added an index.")), &keywords);
        assert_eq!(covered, ["index"]);
        assert_eq!(missing, ["sharding", "cache"]);
    }
}
