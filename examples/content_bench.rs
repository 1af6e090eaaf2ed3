//! Times the content analysis for `make bench`: the sentence model's load,
//! and judging a transcript (every sentence embedded, then points, STAR
//! parts and follow-up) against a bank question, as the jobs thread does.
//!
//! `content_bench MODELS_DIR TRANSCRIPT_JSON QUESTION_ID ROUNDS` prints one
//! line of JSON: `load_ms`, `median_ms` (of ROUNDS judgings after a warm-up),
//! `sentences`, `peak_rss_mib`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a measuring tool")]

use std::time::Instant;

use rehearse::content;
use rehearse::questions::{PackSources, QuestionBank};
use rehearse::speech::Transcript;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, models, transcript, question, rounds] = args.as_slice() else {
        eprintln!("usage: content_bench MODELS_DIR TRANSCRIPT_JSON QUESTION_ID ROUNDS");
        std::process::exit(2);
    };
    let transcript = Transcript::read(std::path::Path::new(transcript)).unwrap();
    let bank = QuestionBank::load(&PackSources::default());
    let question = bank
        .get(&rehearse::model::QuestionId::parse(question).unwrap())
        .unwrap();
    let started = Instant::now();
    let model = content::model::load(std::path::Path::new(models)).unwrap();
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    let asked = content::Asked::from(question);
    let split = content::sentences::split(&transcript.words);
    let sentences = split.sentences.len();
    // What the yardstick embeds: the same sentences and points.
    if let Ok(path) = std::env::var("CONTENT_BENCH_TEXTS") {
        let texts: Vec<&str> = split
            .sentences
            .iter()
            .map(|s| s.text.as_str())
            .chain(question.strong_answer.iter().map(|p| p.point.as_str()))
            .collect();
        std::fs::write(path, serde_json::to_string(&texts).unwrap()).unwrap();
    }
    content::analyse(&transcript, &asked, Some(&model)).unwrap();
    let rounds: usize = rounds.parse().unwrap();
    let mut times: Vec<f64> = (0..rounds)
        .map(|_| {
            let started = Instant::now();
            content::analyse(&transcript, &asked, Some(&model)).unwrap();
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak_kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    println!(
        "{{\"load_ms\": {load_ms:.1}, \"median_ms\": {:.1}, \"sentences\": {sentences}, \"peak_rss_mib\": {:.0}}}",
        times[times.len() / 2],
        peak_kib / 1024.0
    );
}
