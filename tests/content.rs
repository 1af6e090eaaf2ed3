//! What an answer said, judged with the real sentence model: its vectors
//! against known similarities, the strong answer's points and the STAR
//! parts on scripted answers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    reason = "tests: a failure is a panic"
)]

mod common;

use rehearse::content::embed::{Embedder, cosine};

fn embedder() -> Embedder {
    let folder = common::test_embedding_model();
    Embedder::load(
        &folder.join("model.safetensors"),
        &folder.join("tokenizer.json"),
    )
    .unwrap()
}

#[test]
fn similar_sentences_are_close_and_unrelated_ones_far() {
    let started = std::time::Instant::now();
    let model = embedder();
    println!("loaded in {:?}", started.elapsed());
    let texts = [
        "normalisation",
        "I design a normalised schema",
        "PostgreSQL",
        "we moved everything to Postgres",
        "caches the most frequently read data",
        "keep the results everyone asks for in memory",
        "my cat likes to sleep in the sun",
    ];
    let started = std::time::Instant::now();
    let vectors = model.embed(&texts).unwrap();
    println!("{} sentences in {:?}", texts.len(), started.elapsed());
    let sim = |a: usize, b: usize| cosine(&vectors[a], &vectors[b]);
    println!(
        "norm {:.3} pg {:.3} cache {:.3} unrelated {:.3} {:.3}",
        sim(0, 1),
        sim(2, 3),
        sim(4, 5),
        sim(4, 6),
        sim(2, 6)
    );
    assert!((sim(0, 1) - 0.55).abs() < 0.05, "{}", sim(0, 1));
    assert!((sim(2, 3) - 0.65).abs() < 0.05, "{}", sim(2, 3));
    assert!(sim(4, 5) > 0.4);
    assert!(sim(4, 6) < 0.2 && sim(2, 6) < 0.2);
    // One at a time gives what a batch gives (padding is left out).
    let alone = model.embed(&[texts[1]]).unwrap();
    assert!((cosine(&alone[0], &vectors[1]) - 1.0).abs() < 1e-4);
}
