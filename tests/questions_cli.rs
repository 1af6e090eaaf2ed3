//! `rehearse questions …` and the bare `rehearse`, run as a user runs them:
//! the real binary, a private data folder, packs written to disk.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test helper that fails should fail the test"
)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// The binary with its data folder set to `data`.
fn rehearse(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(args)
        .env("REHEARSE_DATA_DIR", data)
        .output()
        .expect("rehearse runs")
}

/// The binary started with its data folder set to `data`, its output
/// kept for `wait_with_output`.
fn start_rehearse(data: &Path, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .args(args)
        .env("REHEARSE_DATA_DIR", data)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("rehearse starts")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

/// A pack with the given question objects, one per line from line 5 on.
fn pack(questions: &[&str]) -> String {
    format!(
        "{{\n  \"schema_version\": 1,\n  \"name\": \"Mine\",\n  \"questions\": [\n{}\n  ]\n}}\n",
        questions.join(",\n")
    )
}

const MINE_1: &str = r#"    {"id": "mine-one", "text": "What is a B-tree?", "category": "Mine", "kind": "technical"}"#;
const MINE_2: &str = r#"    {"id": "mine-two", "text": "Tell me about a launch.", "category": "Mine", "kind": "behavioural"}"#;

#[test]
fn list_shows_the_whole_bank_by_category() {
    let data = TempDir::new().unwrap();
    let out = rehearse(data.path(), &["questions", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let questions = text
        .lines()
        .filter(|l| l.starts_with("  ") && l.contains("["))
        .count();
    assert!(questions >= 35, "{questions} questions listed");
    assert!(text.contains("Databases ("), "{text}");
    assert!(text.contains("debugging-backend-issue  [technical, think 20 s, answer 120 s]"));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[test]
fn list_filters_by_category_ignoring_case() {
    let data = TempDir::new().unwrap();
    let out = rehearse(
        data.path(),
        &["questions", "list", "--category", "DATABASES"],
    );
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.starts_with("Databases ("), "{text}");
    assert!(!text.contains("Security ("), "{text}");

    let out = rehearse(data.path(), &["questions", "list", "--category", "Cooking"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("no category \"Cooking\""), "{err}");
    assert!(
        err.contains("Databases"),
        "the message lists the categories: {err}"
    );
}

#[test]
fn the_bundled_file_passes_check() {
    let data = TempDir::new().unwrap();
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("questions.json");
    let out = rehearse(
        data.path(),
        &["questions", "check", bundled.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("OK, 3"), "{}", stdout(&out));
}

/// Checks `text` as a pack and returns the message, which must name the
/// file, and `place` (`:line:col` and the question where they apply).
fn rejected(text: &str, places: &[&str]) -> String {
    let dir = TempDir::new().unwrap();
    let file = write(dir.path(), "my pack.json", text);
    let out = rehearse(dir.path(), &["questions", "check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.starts_with(&format!("{}:", file.display())), "{err}");
    for place in places {
        assert!(err.contains(place), "{place:?} missing from {err}");
    }
    err
}

#[test]
fn check_rejects_a_syntax_error_with_its_position() {
    let broken = pack(&[MINE_1]).replace("\"kind\": \"technical\"", "\"kind\" \"technical\"");
    let err = rejected(&broken, &["my pack.json:5:"]);
    assert!(err.contains("expected `:`"), "{err}");
}

#[test]
fn check_rejects_an_unknown_field() {
    let odd = MINE_1.replace("\"kind\"", "\"difficulty\": 3, \"kind\"");
    let err = rejected(&pack(&[&odd]), &["my pack.json:5:", "question `mine-one`"]);
    assert!(err.contains("unknown field `difficulty`"), "{err}");
}

#[test]
fn check_rejects_a_missing_field() {
    let partial = MINE_2.replace(", \"category\": \"Mine\"", "");
    let err = rejected(
        &pack(&[MINE_1, &partial]),
        &["my pack.json:6:", "question `mine-two`"],
    );
    assert!(err.contains("missing field `category`"), "{err}");
}

#[test]
fn check_rejects_an_empty_question() {
    let empty = MINE_2.replace("Tell me about a launch.", "");
    let err = rejected(
        &pack(&[MINE_1, &empty]),
        &["my pack.json:6:5", "question `mine-two`"],
    );
    assert!(err.contains("the question text is empty"), "{err}");
}

#[test]
fn check_rejects_a_duplicate_id_within_the_pack() {
    let twin = MINE_2.replace("mine-two", "mine-one");
    let err = rejected(
        &pack(&[MINE_1, &twin]),
        &["my pack.json:6:5", "question `mine-one`"],
    );
    assert!(err.contains("duplicate id, first defined at"), "{err}");
    assert!(err.contains("my pack.json:5:5"), "{err}");
}

#[test]
fn check_rejects_an_id_already_in_the_bundled_bank() {
    let clash = MINE_2.replace("mine-two", "database-vs-server");
    let err = rejected(
        &pack(&[MINE_1, &clash]),
        &["my pack.json:6:5", "question `database-vs-server`"],
    );
    assert!(err.contains("questions.json (bundled)"), "{err}");
}

#[test]
fn check_rejects_an_unsupported_schema_version() {
    let future = pack(&[MINE_1]).replace("\"schema_version\": 1", "\"schema_version\": 3");
    let err = rejected(&future, &["my pack.json:2:3"]);
    assert!(err.contains("schema_version 3 is not supported"), "{err}");
}

#[test]
fn check_reports_every_problem_of_a_pack() {
    let empty = MINE_1.replace("What is a B-tree?", " ");
    let twin = MINE_2.replace("mine-two", "mine-one");
    let err = rejected(
        &pack(&[&empty, &twin]),
        &["my pack.json:5:5", "my pack.json:6:5"],
    );
    assert_eq!(err.lines().count(), 2, "{err}");
}

#[test]
fn check_names_a_missing_file() {
    let data = TempDir::new().unwrap();
    let missing = data.path().join("nowhere ü.json");
    let out = rehearse(
        data.path(),
        &["questions", "check", missing.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("nowhere ü.json: cannot read the file"),
        "{err}"
    );
}

#[test]
fn a_bad_pack_in_the_folder_is_left_out_and_the_others_load() {
    let data = TempDir::new().unwrap();
    let folder = data.path().join("questions");
    fs::create_dir_all(&folder).unwrap();
    write(&folder, "a-good.json", &pack(&[MINE_1]));
    write(&folder, "b-bad.json", "{ \"schema_version\": 1, \"name\": ");
    write(&folder, "notes.txt", "not a pack");
    let extra_dir = TempDir::new().unwrap();
    let extra = write(
        extra_dir.path(),
        "extra.json",
        &pack(&[MINE_2]).replace("\"Mine\",\n", "\"Extra\",\n"),
    );

    let out = rehearse(
        data.path(),
        &[
            "--questions",
            extra.to_str().unwrap(),
            "questions",
            "list",
            "--category",
            "mine",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("Mine (2)"), "{text}");
    assert!(
        text.contains("mine-one") && text.contains("mine-two"),
        "{text}"
    );
    let err = stderr(&out);
    assert!(err.contains("warning: pack left out:"), "{err}");
    assert!(err.contains("b-bad.json:1:"), "{err}");
    assert!(!err.contains("notes.txt"), "{err}");
}

#[test]
fn without_a_display_bare_rehearse_says_so_and_prints_help_and_the_bank_summary() {
    let data = TempDir::new().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .env("REHEARSE_DATA_DIR", data.path())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no display found"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("rehearse interview"),
        "{}",
        stderr(&out)
    );
    let text = stdout(&out);
    assert!(text.contains("Usage: rehearse"), "{text}");
    assert!(text.contains("questions"), "{text}");
    assert!(text.contains("Question bank: 3"), "{text}");
    assert!(
        text.contains(&data.path().join("questions").display().to_string()),
        "{text}"
    );
}

#[test]
fn completions_and_the_manual_page_are_printed() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let output = rehearse(dir.path(), &["completions", shell]);
        assert!(output.status.success(), "{}", stderr(&output));
        let script = stdout(&output);
        assert!(
            script.contains("rehearse") && script.contains("interview"),
            "{shell}: {script}"
        );
    }
    let page = rehearse(dir.path(), &["manpage"]);
    assert!(page.status.success());
    let page = stdout(&page);
    assert!(
        page.starts_with(".ie") || page.contains(".TH rehearse"),
        "{page}"
    );
    assert!(page.contains("interview"));
}

#[test]
fn questions_are_added_edited_and_removed_from_the_terminal() {
    let data = TempDir::new().unwrap();
    // A blank text and a zero answer time are refused, each named.
    let refused = rehearse(
        data.path(),
        &[
            "questions",
            "add",
            "--text",
            " ",
            "--category",
            "Company",
            "--kind",
            "behavioural",
            "--answer",
            "0",
        ],
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains(
            "text: the question text is empty; answer_seconds: the answer limit must be at least 1 second"
        ),
        "{}",
        stderr(&refused)
    );
    let added = rehearse(
        data.path(),
        &[
            "questions",
            "add",
            "--text",
            "Why do you want to work at Acme?",
            "--category",
            "Company",
            "--kind",
            "behavioural",
            "--tip",
            "Name one product.",
            "--keyword",
            "mission",
        ],
    );
    assert!(added.status.success(), "{}", stderr(&added));
    assert!(
        stdout(&added).starts_with("added question why-do-you-want-to-work-at-acme to "),
        "{}",
        stdout(&added)
    );
    let file = data.path().join("questions").join("my-questions.json");
    // What the terminal writes, `questions check` accepts.
    let checked = rehearse(data.path(), &["questions", "check", file.to_str().unwrap()]);
    assert!(checked.status.success(), "{}", stderr(&checked));
    let listed = stdout(&rehearse(
        data.path(),
        &["questions", "list", "--category", "company"],
    ));
    assert!(
        listed.contains("Why do you want to work at Acme?"),
        "{listed}"
    );

    // Without takes, the id follows the text.
    let edited = rehearse(
        data.path(),
        &[
            "questions",
            "edit",
            "why-do-you-want-to-work-at-acme",
            "--text",
            "Why Acme?",
            "--tip",
            "Say what you would build.",
        ],
    );
    assert!(edited.status.success(), "{}", stderr(&edited));
    assert!(
        stdout(&edited).contains("its id is now why-acme"),
        "{}",
        stdout(&edited)
    );
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.contains("Say what you would build.") && !text.contains("Name one product."));
    assert!(text.contains("mission"), "fields not given are kept");

    // A bundled question cannot be changed in place.
    let bundled = rehearse(
        data.path(),
        &["questions", "remove", "debugging-backend-issue"],
    );
    assert!(!bundled.status.success());
    assert!(stderr(&bundled).contains("not in your own packs"));

    let removed = rehearse(data.path(), &["questions", "remove", "why-acme"]);
    assert!(removed.status.success(), "{}", stderr(&removed));
    assert!(
        !file.exists(),
        "the last question's removal removes the pack"
    );
}

#[test]
fn a_pack_is_imported_only_when_it_is_sound_and_new() {
    let data = TempDir::new().unwrap();
    let elsewhere = TempDir::new().unwrap();
    let broken = write(
        elsewhere.path(),
        "broken.json",
        &pack(&[r#"    {"id": "x", "text": "A?""#]),
    );
    let out = rehearse(
        data.path(),
        &["questions", "import", broken.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("broken.json:6:3: expected"),
        "{}",
        stderr(&out)
    );

    let good = write(elsewhere.path(), "team pack.json", &pack(&[MINE_1, MINE_2]));
    let out = rehearse(
        data.path(),
        &["questions", "import", good.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("imported 2 questions as "),
        "{}",
        stdout(&out)
    );
    assert!(
        data.path()
            .join("questions")
            .join("team-pack.json")
            .is_file()
    );

    // Importing it again would clash with the copy: refused, nothing added.
    let out = rehearse(
        data.path(),
        &["questions", "import", good.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("duplicate id"), "{}", stderr(&out));
    assert_eq!(
        fs::read_dir(data.path().join("questions")).unwrap().count(),
        1
    );

    let packs = stdout(&rehearse(data.path(), &["questions", "packs"]));
    assert!(packs.contains("Mine  ("), "{packs}");
    assert!(packs.contains("loaded, 2 questions"), "{packs}");
    // Turned off in the settings, it is listed as off and leaves the bank.
    fs::write(
        data.path().join("settings.json"),
        r#"{"packs_off": ["team-pack.json"]}"#,
    )
    .unwrap();
    let packs = stdout(&rehearse(data.path(), &["questions", "packs"]));
    assert!(packs.contains("off, 2 questions"), "{packs}");
    let listed = stdout(&rehearse(data.path(), &["questions", "list"]));
    assert!(!listed.contains("What is a B-tree?"), "{listed}");
}

/// Twenty `questions add` at once keep twenty questions: each edit reads
/// the pack only after the one before it was written.
#[test]
fn parallel_adds_keep_every_question() {
    let data = TempDir::new().unwrap();
    let children: Vec<_> = (0..20)
        .map(|n| {
            let text = format!("Parallel question number {n}?");
            let args = [
                "questions",
                "add",
                "--text",
                &text,
                "--category",
                "Parallel",
                "--kind",
                "technical",
            ];
            start_rehearse(data.path(), &args)
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = rehearse(
        data.path(),
        &["questions", "list", "--category", "Parallel"],
    );
    let listed = stdout(&out)
        .lines()
        .filter(|l| l.contains("parallel-question-number"))
        .count();
    assert_eq!(listed, 20, "{}", stdout(&out));
}

/// Two packs with one file name imported at once: both are kept, the
/// second under the next free name.
#[test]
fn parallel_imports_of_one_file_name_keep_both() {
    let data = TempDir::new().unwrap();
    let sources = TempDir::new().unwrap();
    let children: Vec<_> = (0..2)
        .map(|n| {
            let folder = sources.path().join(format!("from-{n}"));
            fs::create_dir_all(&folder).unwrap();
            let question = format!(
                r#"    {{"id": "shared-{n}", "text": "Question {n}?", "category": "Shared", "kind": "technical"}}"#
            );
            let file = write(&folder, "team.json", &pack(&[&question]));
            start_rehearse(data.path(), &["questions", "import", file.to_str().unwrap()])
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = rehearse(data.path(), &["questions", "list", "--category", "Shared"]);
    for n in 0..2 {
        assert!(
            stdout(&out).contains(&format!("shared-{n}")),
            "{}",
            stdout(&out)
        );
    }
}

/// While another Rehearse owns the data folder (the window, an interview
/// in a terminal), `questions` and `models` change nothing and say why;
/// listing still works.
#[test]
fn changes_wait_for_the_rehearse_that_owns_the_data_folder() {
    let data = TempDir::new().unwrap();
    let owner = rehearse::store::Store::open(
        rehearse::paths::DataDir::resolve(Some(data.path().to_path_buf())).unwrap(),
    )
    .unwrap();
    let add = [
        "questions",
        "add",
        "--text",
        "Owned?",
        "--category",
        "Lock",
        "--kind",
        "technical",
    ];
    for args in [&add[..], &["models", "remove", "tiny.en"]] {
        let out = rehearse(data.path(), args);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr(&out).contains("another Rehearse is using")
                && stderr(&out).contains("nothing was changed"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert!(
        rehearse(data.path(), &["questions", "list"])
            .status
            .success()
    );
    assert!(
        !data
            .path()
            .join("questions")
            .join("my-questions.json")
            .exists()
    );
    drop(owner);
    assert!(rehearse(data.path(), &add).status.success());
}
