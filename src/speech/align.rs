//! Word times placed on the speech the audio holds. whisper.cpp's token
//! times drift after a pause and collapse in long windows (a 4-second
//! sentence given starts within 0.2 s, a sentence placed 1.5 s early), but
//! the audio says exactly where speech is: the voice activity of
//! [`crate::analysis`] splits the take into runs of speech between pauses of
//! 0.3 s or more. Each word is given to one run (in order, by a dynamic
//! programme that weighs how long the run is against how long its words
//! take to say, and where the decoder put them), and placed inside it: at
//! the decoder's time when the decoder put the run's words inside the run,
//! else spread over the run by the length of each word.
//!
//! Pure: words and runs in, words out.

use super::transcript::Word;

/// How far outside its run the decoder may put a word before the run's
/// times are no longer trusted, in seconds.
const TRUSTED_SLACK: f64 = 0.3;
/// The share of their even spread a run's words must cover for the
/// decoder's times to be kept.
const SPREAD_SHARE: f64 = 0.5;
/// What a second of speech given no word costs.
const EMPTY_RUN_WEIGHT: f64 = 1.5;
/// Most words one run may take.
const MOST_WORDS_PER_RUN: usize = 200;

/// What the split of words over spans weighs besides lengths (a second of
/// difference between a span's length and its words' costs 1).
#[derive(Clone, Copy, Debug)]
struct Costs {
    /// Per second between a word's decoder time and its span.
    anchor: f64,
    /// For a span that ends inside a clause.
    mid_clause: f64,
    /// For each sentence end inside a span (the next sentence starting in
    /// the middle of a run of speech rather than after a pause).
    sentence_inside: f64,
}

/// Over runs between pauses, the decoder's times help to choose, a run
/// rarely ends inside a clause, and a sentence rarely starts inside a run
/// (without that, a misheard sentence of five words for eight pulled the
/// next sentence's first word 1.5 s back into its run).
const RUN_COSTS: Costs = Costs {
    anchor: 0.25,
    mid_clause: 0.5,
    sentence_inside: 0.5,
};

/// Inside a run the decoder's times say little, and pieces end between
/// any two words.
const PIECE_COSTS: Costs = Costs {
    anchor: 0.0,
    mid_clause: 0.0,
    sentence_inside: 0.0,
};

/// Whether `word` ends a sentence (its punctuation says so).
fn ends_sentence(word: &Word) -> bool {
    word.text.ends_with(['.', '?', '!'])
}

/// Whether `word` ends a sentence or a clause (its punctuation says so).
fn ends_clause(word: &Word) -> bool {
    word.text.ends_with(['.', ',', '?', '!', ';', ':'])
}

/// How long a word takes to say, in units shared by all words: its letters
/// and digits, plus a constant for the shortest words.
fn weight(word: &Word) -> f64 {
    word.text.chars().filter(|c| c.is_alphanumeric()).count() as f64 + 2.0
}

/// Places `words` (in spoken order, with the decoder's times) on `runs` of
/// speech between pauses, and inside each run on its `pieces` between the
/// shortest silences (`(start, end)` seconds, in order). Words are left as
/// they are when there is no run.
pub fn place_on_speech(words: &mut [Word], runs: &[(f64, f64)], pieces: &[(f64, f64)]) {
    for_each_group(words, runs, RUN_COSTS, |group, (start, end)| {
        let inside: Vec<(f64, f64)> = pieces
            .iter()
            .copied()
            .filter(|(s, e)| (s + e) / 2.0 >= start && (s + e) / 2.0 <= end)
            .collect();
        if inside.len() > 1 {
            // The pieces' lengths place the words.
            for_each_group(group, &inside, PIECE_COSTS, spread_over);
        } else {
            place_in_run(group, (start, end));
        }
    });
}

/// Gives each of `words` to one of `spans` ([`assign`]) and calls `place`
/// with each span's words.
fn for_each_group(
    words: &mut [Word],
    spans: &[(f64, f64)],
    costs: Costs,
    mut place: impl FnMut(&mut [Word], (f64, f64)),
) {
    let spans: Vec<(f64, f64)> = spans.iter().copied().filter(|(s, e)| e > s).collect();
    if words.is_empty() || spans.is_empty() {
        return;
    }
    let owners = assign(words, &spans, costs);
    let mut first = 0;
    while first < words.len() {
        let span = owners[first];
        let end = first + owners[first..].iter().take_while(|&&o| o == span).count();
        place(&mut words[first..end], spans[span]);
        first = end;
    }
}

/// The run each word goes to: the cheapest monotone split of the words
/// into consecutive groups, one group (maybe empty) per run.
fn assign(words: &[Word], runs: &[(f64, f64)], costs: Costs) -> Vec<usize> {
    let n = words.len();
    let weights: Vec<f64> = words.iter().map(weight).collect();
    let mut prefix = vec![0.0; n + 1];
    for (i, w) in weights.iter().enumerate() {
        prefix[i + 1] = prefix[i] + w;
    }
    let speech: f64 = runs.iter().map(|(s, e)| e - s).sum();
    let seconds_per_weight = speech / prefix[n];
    let anchors: Vec<f64> = words.iter().map(|w| w.start_ms as f64 / 1000.0).collect();
    // cost[k][i]: the least cost of giving words ..i to runs ..k.
    let mut cost = vec![vec![f64::INFINITY; n + 1]; runs.len() + 1];
    let mut from = vec![vec![0usize; n + 1]; runs.len() + 1];
    cost[0][0] = 0.0;
    for (k, &(start, end)) in runs.iter().enumerate() {
        let length = end - start;
        for i in 0..=n {
            let before = cost[k][i];
            if !before.is_finite() {
                continue;
            }
            // The run takes no word.
            let empty = before + EMPTY_RUN_WEIGHT * length;
            if empty < cost[k + 1][i] {
                cost[k + 1][i] = empty;
                from[k + 1][i] = i;
            }
            // The run takes words i..j.
            let mut anchored = 0.0;
            let mut sentences_inside = 0.0;
            for j in i + 1..=n.min(i + MOST_WORDS_PER_RUN) {
                let at = anchors[j - 1];
                anchored += (start - at).max(0.0) + (at - end).max(0.0);
                if j >= i + 2 && ends_sentence(&words[j - 2]) {
                    sentences_inside += costs.sentence_inside;
                }
                let said = (prefix[j] - prefix[i]) * seconds_per_weight;
                // A run rarely ends inside a sentence or clause.
                let cut = if j < n && !ends_clause(&words[j - 1]) {
                    costs.mid_clause
                } else {
                    0.0
                };
                let total = before
                    + (length - said).abs()
                    + costs.anchor * anchored
                    + cut
                    + sentences_inside;
                if total < cost[k + 1][j] {
                    cost[k + 1][j] = total;
                    from[k + 1][j] = i;
                }
            }
        }
    }
    let mut owners = vec![0; n];
    let mut j = n;
    for k in (1..=runs.len()).rev() {
        let i = from[k][j];
        for owner in &mut owners[i..j] {
            *owner = k - 1;
        }
        j = i;
    }
    owners
}

/// Whether the decoder's times of a run's `words` can be kept: all near
/// the run, in order, and spread over at least half of it (collapsed times
/// are the decoder's known failure).
fn decoder_is_right(words: &[Word], (start, end): (f64, f64)) -> bool {
    let seconds = |ms: u64| ms as f64 / 1000.0;
    let near = words.iter().all(|w| {
        let at = seconds(w.start_ms);
        at >= start - TRUSTED_SLACK && at <= end + TRUSTED_SLACK
    });
    let ordered = words
        .windows(2)
        .all(|pair| pair[0].start_ms < pair[1].start_ms);
    // Spoken evenly, the starts would spread over the run but its last
    // word.
    let spread = match (words.first(), words.last()) {
        (Some(first), Some(last)) if words.len() > 1 => {
            let total: f64 = words.iter().map(weight).sum();
            let expected = (end - start) * (total - weight(last)) / total;
            seconds(last.start_ms - first.start_ms) >= expected * SPREAD_SHARE
        }
        _ => true,
    };
    near && ordered && spread
}

/// Places `words` inside the run `(start, end)`: at the decoder's times
/// when they look right ([`decoder_is_right`]), else spread by length.
fn place_in_run(words: &mut [Word], run: (f64, f64)) {
    if !decoder_is_right(words, run) {
        spread_over(words, run);
        return;
    }
    let (start_ms, end_ms) = (to_ms(run.0), to_ms(run.1));
    // The decoder's times, kept inside the run and in order; a word ends
    // where the decoder says, or at the next word.
    let mut last = start_ms;
    for word in words.iter_mut() {
        last = word.start_ms.clamp(last, end_ms);
        word.start_ms = last;
    }
    let starts: Vec<u64> = words.iter().map(|w| w.start_ms).collect();
    for (index, word) in words.iter_mut().enumerate() {
        let next = starts.get(index + 1).copied().unwrap_or(end_ms);
        word.end_ms = if word.end_ms > word.start_ms && word.end_ms <= next {
            word.end_ms
        } else {
            next
        };
        word.end_ms = word.end_ms.max(word.start_ms + 1);
    }
}

/// Spreads `words` over `(start, end)` by their length: each starts where
/// the words before it, said evenly, end, and lasts until the next.
fn spread_over(words: &mut [Word], (start, end): (f64, f64)) {
    let total: f64 = words.iter().map(weight).sum();
    let mut said = 0.0;
    let mut starts = Vec::with_capacity(words.len());
    for word in words.iter() {
        starts.push(to_ms(start + (end - start) * said / total));
        said += weight(word);
    }
    let end_ms = to_ms(end);
    for (index, word) in words.iter_mut().enumerate() {
        word.start_ms = starts[index];
        word.end_ms = starts
            .get(index + 1)
            .copied()
            .unwrap_or(end_ms)
            .max(word.start_ms + 1);
    }
}

fn to_ms(seconds: f64) -> u64 {
    (seconds * 1000.0).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, start_ms: u64, end_ms: u64) -> Word {
        Word {
            text: text.to_owned(),
            start_ms,
            end_ms,
            probability: 0.9,
        }
    }

    /// The failure seen: a second sentence after a pause, its words
    /// collapsed by the decoder into the pause before it.
    #[test]
    fn words_collapsed_into_a_pause_are_spread_over_their_speech() {
        let mut words = vec![
            word("First", 1_000, 1_400),
            word("sentence.", 1_400, 2_000),
            word("Then", 2_400, 2_400),
            word("another", 2_400, 2_450),
            word("one.", 2_450, 2_500),
        ];
        let runs = [(1.0, 2.0), (4.0, 5.5)];
        place_on_speech(&mut words, &runs, &[]);
        let starts: Vec<u64> = words.iter().map(|w| w.start_ms).collect();
        // The first run's times were right and are kept.
        assert_eq!(&starts[..2], [1_000, 1_400]);
        // The second run's words start on its speech, in order, by length.
        assert_eq!(starts[2], 4_000);
        assert!(starts[3] > starts[2] && starts[4] > starts[3], "{starts:?}");
        assert!(words.iter().all(|w| w.end_ms > w.start_ms), "{words:?}");
        assert_eq!(words[4].end_ms, 5_500, "the last word ends with its speech");
    }

    #[test]
    fn noise_with_no_words_is_left_out_and_no_run_changes_nothing() {
        let mut words = vec![word("Hello", 3_000, 3_300), word("there.", 3_300, 3_700)];
        let kept = words.clone();
        place_on_speech(&mut words, &[], &[]);
        assert_eq!(words, kept);
        // A cough at 0.2 s, the words at 3 s.
        place_on_speech(&mut words, &[(0.2, 0.4), (3.0, 3.7)], &[]);
        assert_eq!(words[0].start_ms, 3_000);
        assert_eq!(words[1].start_ms, 3_300);
    }
}
