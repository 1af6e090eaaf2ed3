//! The bundled question bank: complete, well formed, and faithful to the two
//! documents it was built from.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test helper that fails should fail the test"
)]

use rehearse::model::QuestionKind;
use rehearse::questions::{PackSources, QuestionBank, bundled_pack};

/// Each question of the source document (25 senior backend developer
/// questions), by the id it has in the bank and words its text must keep.
const SEED_QUESTIONS: [(&str, &[&str]); 25] = [
    (
        "team-product-development",
        &["team of developers", "product or website"],
    ),
    (
        "key-senior-backend-skills",
        &["important skills", "senior backend developer"],
    ),
    (
        "frontend-backend-relationship",
        &["relationship", "front end", "back end"],
    ),
    ("database-vs-server", &["difference", "database", "server"]),
    (
        "familiar-programming-language",
        &["programming language you know"],
    ),
    ("priorities-if-hired", &["hired", "priorities"]),
    ("frontend-bug-noticed", &["coding error", "front end"]),
    (
        "communicating-with-frontend",
        &["communicate", "front-end developers"],
    ),
    (
        "cloud-services-experience",
        &["experience", "cloud computing services"],
    ),
    (
        "when-external-data-source",
        &["appropriate", "external data source"],
    ),
    (
        "making-system-scalable",
        &["scalable", "senior backend developer"],
    ),
    (
        "relational-database-experience",
        &["experience", "relational databases"],
    ),
    (
        "why-you-for-this-role",
        &["right candidate", "senior backend developer"],
    ),
    (
        "most-important-languages",
        &["programming languages", "most important"],
    ),
    (
        "hardest-part-of-role",
        &["most challenging part", "senior backend developer"],
    ),
    (
        "updating-technical-skills",
        &["how often", "technical skills"],
    ),
    ("learning-new-language", &["never used", "learning it"]),
    (
        "most-important-consideration",
        &["most important thing", "website or application"],
    ),
    ("debugging-backend-issue", &["debug", "back end"]),
    ("version-control-git", &["version control", "git"]),
    (
        "designing-new-feature",
        &["designing and building a new feature"],
    ),
    (
        "security-in-development",
        &["security", "website or application"],
    ),
    ("frameworks-used", &["frameworks", "development easier"]),
    (
        "following-web-trends",
        &["latest trends", "web development"],
    ),
    (
        "areas-needing-attention",
        &["areas of web development", "more attention"],
    ),
];

/// One technical question for each of the ten areas the first document says
/// interviewers probe, by id.
const TOPIC_QUESTIONS: [&str; 10] = [
    "architecture-pattern-tradeoffs",
    "secure-api-under-load",
    "production-incident-pressure",
    "api-design-from-requirements",
    "mentoring-junior-developers",
    "team-development-workflow",
    "evaluating-new-technology",
    "slow-endpoint-optimisation",
    "cloud-job-processing-design",
    "database-design-choice",
];

fn bank() -> QuestionBank {
    let bank = QuestionBank::load(&PackSources::default());
    assert!(bank.problems().is_empty(), "{:?}", bank.problems());
    bank
}

#[test]
fn bundled_pack_is_valid_and_large_enough() {
    let pack = bundled_pack().expect("the bundled pack must load");
    assert_eq!(pack.name, "Senior backend developer");
    assert!(
        pack.questions.len() >= 35,
        "{} questions",
        pack.questions.len()
    );
    assert!(bank().categories().len() >= 8);
}

#[test]
fn every_question_has_complete_coaching_material() {
    for q in bank().questions() {
        let id = &q.id;
        assert!(q.text.ends_with('?') || q.text.ends_with('.'), "{id}: text");
        assert!(q.looking_for.len() >= 40, "{id}: looking_for too short");
        assert!(
            (2..=4).contains(&q.tips.len()),
            "{id}: {} tips",
            q.tips.len()
        );
        assert!(q.keywords.len() >= 3, "{id}: keywords");
        assert!(q.think_seconds > 0 && q.think_seconds <= 120, "{id}: think");
        assert!((60..=300).contains(&q.answer_seconds), "{id}: answer");
        if q.kind == QuestionKind::Behavioural {
            assert!(
                q.tips.iter().any(|tip| tip.contains("STAR")),
                "{id}: a behavioural question must point to STAR"
            );
        }
    }
}

#[test]
fn every_question_of_the_source_document_is_in_the_bank() {
    let bank = bank();
    for (id, phrases) in SEED_QUESTIONS {
        let id = rehearse::model::QuestionId::parse(id).unwrap();
        let question = bank.get(&id).unwrap_or_else(|| panic!("{id} is missing"));
        let text = question.text.to_lowercase();
        for phrase in phrases {
            assert!(
                text.contains(&phrase.to_lowercase()),
                "{id}: {phrase:?} not in {text:?}"
            );
        }
    }
}

#[test]
fn each_probed_area_has_a_technical_question() {
    let bank = bank();
    for id in TOPIC_QUESTIONS {
        let id = rehearse::model::QuestionId::parse(id).unwrap();
        let question = bank.get(&id).unwrap_or_else(|| panic!("{id} is missing"));
        assert_eq!(question.kind, QuestionKind::Technical, "{id}");
    }
}

/// Runs of this many words are compared with the seed documents.
const SHINGLE: usize = 8;

/// The first 16 hex digits of the SHA-256 of each run of [`SHINGLE`] words
/// in `text`: lower case, apostrophes dropped, letters and digits only (as
/// `tests/fixtures/seed-fingerprints.txt` was made).
fn fingerprints(text: &str) -> Vec<String> {
    use sha2::{Digest, Sha256};
    let cleaned = text.to_lowercase().replace(['’', '\''], "");
    let words: Vec<&str> = cleaned
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(SHINGLE)
        .map(|run| {
            let digest = Sha256::digest(run.join(" ").as_bytes());
            digest[..8].iter().map(|b| format!("{b:02x}")).collect()
        })
        .collect()
}

#[test]
fn every_question_has_a_strong_answer_and_follow_ups_in_its_own_words() {
    use rehearse::model::FollowUpWhen;
    let seeds: std::collections::HashSet<String> = include_str!("fixtures/seed-fingerprints.txt")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(str::to_owned)
        .collect();
    assert!(seeds.len() > 3000, "{} fingerprints", seeds.len());
    assert_eq!(
        fingerprints("One two, three: four five six seven eight!"),
        ["62d51a1fd36f8eb3"]
    );
    for q in bank().questions() {
        let id = &q.id;
        assert!(
            (3..=6).contains(&q.strong_answer.len()),
            "{id}: {} points",
            q.strong_answer.len()
        );
        for point in &q.strong_answer {
            assert!(
                !point.cues.is_empty(),
                "{id}: {:?} has no cues",
                point.point
            );
        }
        // At least three follow-ups: one building on what was said, one on
        // what was left out (or a missing result), one for any answer.
        assert!(
            q.follow_ups.len() >= 3,
            "{id}: {} follow-ups",
            q.follow_ups.len()
        );
        let has = |wanted: fn(&FollowUpWhen) -> bool| q.follow_ups.iter().any(|f| wanted(&f.when));
        assert!(
            has(|w| matches!(w, FollowUpWhen::Said(_))),
            "{id}: none builds on what was said"
        );
        assert!(
            has(|w| matches!(w, FollowUpWhen::NotSaid(_) | FollowUpWhen::NoResult(true))),
            "{id}: none asks for what was left out"
        );
        assert!(
            has(|w| matches!(w, FollowUpWhen::Always(true))),
            "{id}: none for any answer"
        );
        let own_words = std::iter::once(&q.looking_for)
            .chain(&q.tips)
            .chain(q.strong_answer.iter().map(|p| &p.point))
            .chain(q.follow_ups.iter().map(|f| &f.ask));
        for text in own_words {
            for print in fingerprints(text) {
                assert!(
                    !seeds.contains(&print),
                    "{id}: {text:?} repeats a seed document"
                );
            }
        }
    }
}
