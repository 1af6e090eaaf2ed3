//! The real app driven through its accessibility tree with `egui_kittest`: a
//! whole session recorded from the virtual microphone, the history, an
//! export to a zip checked by `unzip`, a damaged session, and no microphone.
//!
//! The app finds the sound server through `XDG_RUNTIME_DIR`, which is
//! process-wide; so each scenario runs in a child process of this test
//! binary with its own environment, and the tests never hear each other.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    clippy::too_many_lines,
    reason = "tests: a failure is a panic; a scenario reads as one user's session"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use rehearse::app::{AppState, Screen, TranscriptSlot};
use rehearse::interview::Phase;
use rehearse::paths::DataDir;
use rehearse::questions::{PackSources, QuestionBank};
use rehearse::shell::Window;
use rehearse::store::{NextFollowUp, Session};

use common::VirtualAudio;

/// Set in the child process: the scenario to run there.
const SCENARIO: &str = "REHEARSE_UI_SCENARIO";
/// The data folder of the child.
const DATA: &str = "REHEARSE_UI_DATA";

/// Two short questions (1 s to think, 2 s to answer) and a long one.
const PACK: &str = r#"{
  "schema_version": 1,
  "name": "UI test",
  "questions": [
    {"id": "ui-test-story", "text": "Tell me about a time you fixed a slow query.",
     "category": "UI test", "kind": "behavioural", "looking_for": "A story.",
     "tips": ["Use STAR."], "think_seconds": 1, "answer_seconds": 2, "keywords": ["index"]},
    {"id": "ui-test-design", "text": "How would you design a rate limiter?",
     "category": "UI test", "kind": "technical", "looking_for": "Trade-offs.",
     "tips": ["Start from requirements."], "think_seconds": 1, "answer_seconds": 2,
     "keywords": ["token bucket"]},
    {"id": "ui-test-snapshot", "text": "Why do you want to work here?",
     "category": "UI test", "kind": "behavioural", "looking_for": "Motivation.",
     "tips": ["Be specific about the team."], "think_seconds": 120, "answer_seconds": 60,
     "keywords": ["mission"]}
  ]
}"#;

/// Runs `scenario` in a child of this test binary with `env`, and fails
/// when it fails.
fn run_in_child(test_name: &str, scenario: &str, data: &Path, env: &[(&str, &Path)]) {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([test_name, "--exact", "--nocapture", "--test-threads=1"])
        .env(SCENARIO, scenario)
        .env(DATA, data);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "scenario {scenario} failed:\n{stdout}\n{stderr}"
    );
}

/// The scenario this process must run, when it is a child.
fn child_scenario() -> Option<(String, PathBuf)> {
    let scenario = std::env::var(SCENARIO).ok()?;
    let data = std::env::var_os(DATA).map(PathBuf::from)?;
    Some((scenario, data))
}

fn harness(data: &Path) -> Harness<'static, Window> {
    harness_with_packs(data, &[PACK])
}

/// The window on `data` with the question packs `packs` beside the
/// bundled bank.
fn harness_with_packs(data: &Path, packs: &[&str]) -> Harness<'static, Window> {
    std::fs::create_dir_all(data).unwrap();
    let files = packs
        .iter()
        .enumerate()
        .map(|(number, text)| {
            let pack = if number == 0 {
                data.join("ui-test-pack.json")
            } else {
                data.join(format!("ui-test-pack-{number}.json"))
            };
            std::fs::write(&pack, text).unwrap();
            pack
        })
        .collect();
    let sources = PackSources {
        folder: Some(data.join("questions")),
        files,
        off: std::collections::BTreeSet::new(),
    };
    let bank = QuestionBank::load(&sources);
    assert!(bank.problems().is_empty(), "{:?}", bank.problems());
    let data_dir = DataDir::resolve(Some(data.to_path_buf())).unwrap();
    Harness::builder()
        .with_size([1000.0, 740.0])
        .build_eframe(move |cc| Window::new(&cc.egui_ctx, data_dir, sources, bank))
}

/// Saves what the window shows as `target/tmp/kittest-failures/<what>.png`
/// and says where, or why it could not.
fn failure_picture(harness: &mut Harness<'_, Window>, what: &str) -> String {
    let folder = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kittest-failures");
    let name: String = what
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let path = folder.join(format!("{name}.png"));
    let saved = std::fs::create_dir_all(&folder)
        .map_err(|err| err.to_string())
        .and_then(|()| harness.render())
        .and_then(|image| image.save(&path).map_err(|err| err.to_string()));
    match saved {
        Ok(()) => path.display().to_string(),
        Err(err) => format!("(no picture: {err})"),
    }
}

/// Steps the window (in real time: the countdowns use the clock) until
/// `done` holds.
fn step_until(harness: &mut Harness<'_, Window>, what: &str, done: impl Fn(&AppState) -> bool) {
    step_until_within(harness, what, Duration::from_secs(30), done);
}

/// [`step_until`], waiting at most `limit` (speech recognition is slow on
/// a busy machine: it runs at low priority on one core).
fn step_until_within(
    harness: &mut Harness<'_, Window>,
    what: &str,
    limit: Duration,
    done: impl Fn(&AppState) -> bool,
) {
    let deadline = Instant::now() + limit;
    while !done(harness.state()) {
        let messages: Vec<String> = harness
            .state()
            .messages
            .iter()
            .map(|m| m.text.clone())
            .collect();
        if Instant::now() >= deadline {
            let picture = failure_picture(harness, what);
            panic!(
                "gave up waiting for {what}; messages: {messages:?}; the window then: {picture}"
            );
        }
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.step();
}

/// The window asks to be drawn again when the countdown's second turns
/// (2 ms after), or after `at_most` if that is sooner.
fn assert_repaints_at(harness: &Harness<'_, Window>, at_most: Duration) {
    let now = Instant::now();
    let app = harness.state();
    let tick = app
        .active
        .as_ref()
        .unwrap()
        .interview
        .until_next_second(now);
    assert_eq!(
        app.repaint_after(now),
        tick.map(|t| at_most.min(t + Duration::from_millis(2)))
    );
}

fn phase(app: &AppState) -> Option<Phase> {
    app.active.as_ref().map(|a| a.interview.phase())
}

/// Clicks the practice screen's main action, whatever it says.
fn click_start(harness: &mut Harness<'_, Window>) {
    harness.step();
    let label = harness
        .root()
        .children_recursive()
        .filter_map(|node| node.accesskit_node().label())
        .find(|label| label.starts_with("Start "))
        .expect("the start button");
    click(harness, &label);
}

fn click(harness: &mut Harness<'_, Window>, label: &str) {
    // A window that has just opened is measured in its first frame and
    // drawn in the next.
    for _ in 0..3 {
        if harness.query_by_label(label).is_some() {
            break;
        }
        harness.step();
    }
    if harness.query_by_label(label).is_none() {
        let labels: Vec<String> = harness
            .root()
            .children_recursive()
            .filter_map(|node| node.accesskit_node().label())
            .collect();
        panic!("no widget labelled {label:?}; the labels: {labels:#?}");
    }
    harness.get_by_label(label).scroll_to_me();
    harness.step();
    harness.step();
    harness.get_by_label(label).click_accesskit();
    harness.step();
    harness.step();
}

/// The text of the transcript named `name`: its rows' text runs.
fn transcript_text(harness: &Harness<'_, Window>, name: &str) -> String {
    harness
        .get_by_label(name)
        .children()
        .filter_map(|row| row.accesskit_node().value())
        .collect::<Vec<_>>()
        .join("")
}

/// Clicks the first word of the transcript named `name` that contains
/// `word`, where it is drawn (found through the rows' character positions).
fn click_word(harness: &mut Harness<'_, Window>, name: &str, word: &str) {
    harness.get_by_label(name).scroll_to_me();
    for _ in 0..10 {
        harness.step();
    }
    let target = harness
        .get_by_label(name)
        .children()
        .find_map(|row| {
            let node = row.accesskit_node();
            let value = node.value()?;
            let at = value.to_lowercase().find(word)?;
            let index = value[..at].chars().count() + word.len() / 2;
            let positions = node.data().character_positions()?;
            let widths = node.data().character_widths()?;
            let rect = row.rect();
            Some(egui::pos2(
                rect.min.x + positions[index] + widths[index] / 2.0,
                rect.center().y,
            ))
        })
        .unwrap_or_else(|| panic!("{word:?} is not in {name}"));
    harness.event(egui::Event::PointerMoved(target));
    for pressed in [true, false] {
        harness.event(egui::Event::PointerButton {
            pos: target,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::default(),
        });
    }
    harness.step();
    harness.step();
}

fn messages(app: &AppState) -> Vec<String> {
    app.messages.iter().map(|m| m.text.clone()).collect()
}

/// Plays speech into the virtual microphone on a thread of its own.
fn speak(dir: &Path) -> std::thread::JoinHandle<()> {
    let wav = common::speech(
        dir,
        &format!("speech-{}", fastrand_suffix()),
        "I added an index and the query went from seconds to milliseconds.",
    );
    std::thread::spawn(move || {
        let status = Command::new("paplay").arg(&wav).status().unwrap();
        assert!(status.success());
    })
}

fn fastrand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn rms_of(path: &Path) -> f64 {
    common::sox_stat(path).1
}

#[test]
fn a_whole_session_is_recorded_reviewed_found_in_the_history_and_exported() {
    let Some((scenario, data)) = child_scenario() else {
        let audio = VirtualAudio::start();
        let data = tempfile::tempdir().unwrap();
        // The data folder is a folder of its own: the export goes beside it
        // (never inside it).
        run_in_child(
            "a_whole_session_is_recorded_reviewed_found_in_the_history_and_exported",
            "session",
            &data.path().join("data"),
            &[("XDG_RUNTIME_DIR", audio.runtime_dir())],
        );
        return;
    };
    assert_eq!(scenario, "session");
    // A speech model is installed: every take is transcribed after it is
    // measured.
    install_test_model(&data);
    let mut harness = harness(&data);
    step_until(&mut harness, "the store and the history", |app| {
        app.is_settled()
    });
    harness.check_accessibility();

    // The microphone test records 3 s and plays them back.
    click(&mut harness, "Test microphone");
    step_until(&mut harness, "the microphone test played back", |app| {
        matches!(app.mic_test, rehearse::app::MicTest::Playing(_))
    });
    let test_take = data.join("microphone-test.wav");
    let (seconds, _) = common::sox_stat(&test_take);
    assert!((seconds - 3.0).abs() < 0.05, "{seconds} s");
    step_until(&mut harness, "the playback to end", |app| {
        app.mic_test == rehearse::app::MicTest::Idle
    });

    // Choose the two test questions, as listed.
    click(&mut harness, "Unfold UI test");
    click(&mut harness, "As listed");
    harness.state_mut().home.count = 2;
    click(
        &mut harness,
        "Choose “Tell me about a time you fixed a slow query.”",
    );
    click(
        &mut harness,
        "Choose “How would you design a rate limiter?”",
    );
    assert_eq!(harness.state().home.selection.questions.len(), 2);

    click(&mut harness, "Start 2 questions in order");
    step_until(&mut harness, "thinking", |app| {
        phase(app) == Some(Phase::Thinking)
    });
    assert!(
        harness
            .query_by_label_contains("Tell me about a time")
            .is_some()
    );
    harness.check_accessibility();
    // Thinking, the window draws itself again when the countdown's second
    // turns, not more often.
    assert_repaints_at(&harness, Duration::MAX);
    step_until(&mut harness, "answering", |app| {
        phase(app) == Some(Phase::Answering)
    });
    let speaking = speak(&data);
    assert!(harness.query_by_label("Recording").is_some());
    // Recording, the level meter is drawn 20 times a second.
    step_until(&mut harness, "the level shown", |app| app.level().is_some());
    assert_repaints_at(&harness, rehearse::app::METER_INTERVAL);
    step_until(&mut harness, "the take saved at the limit", |app| {
        phase(app) == Some(Phase::Reviewing) && app.active.as_ref().unwrap().recordings.is_empty()
    });
    speaking.join().unwrap();
    assert!(harness.query_by_label("Time's up").is_some());
    harness.check_accessibility();
    click(&mut harness, "Rate 4 of 5");
    click(&mut harness, "Situation");

    // A retake, stopped early with Space.
    click(&mut harness, "Retake (R)");
    step_until(&mut harness, "answering the retake", |app| {
        phase(app) == Some(Phase::Answering)
    });
    std::thread::sleep(Duration::from_millis(600));
    harness.key_press(egui::Key::Space);
    step_until(&mut harness, "the retake saved", |app| {
        phase(app) == Some(Phase::Reviewing) && app.active_session().unwrap().takes.len() == 2
    });
    // The question's first take is there to compare, folded; the buttons
    // sit above the new take, so what arrives in its card (a transcript)
    // never moves them.
    assert!(shows_text(
        &mut harness,
        "Earlier takes of this question (1)"
    ));
    click(&mut harness, "Earlier takes of this question (1)");
    assert!(
        harness
            .query_by_label("Play take 1 of question 1")
            .is_some()
    );
    assert!(
        harness.get_by_label("Retake (R)").rect().bottom()
            < harness
                .get_by_label("Play take 2 of question 1")
                .rect()
                .top()
    );

    // Next question: start answering early, let the limit stop it.
    click(&mut harness, "Next (N)");
    step_until(&mut harness, "thinking on question 2", |app| {
        phase(app) == Some(Phase::Thinking)
    });
    click(&mut harness, "Start answering (Space)");
    step_until(&mut harness, "question 2 answered", |app| {
        phase(app) == Some(Phase::Reviewing) && app.active_session().unwrap().takes.len() == 3
    });
    click(&mut harness, "Finish (N)");
    step_until(&mut harness, "the session review", |app| {
        app.screen == Screen::Review && app.active.is_none()
    });

    // On disk: three takes, the first rated 4 with its checklist, the
    // first and last stopped by the limit; the first holds the speech.
    let session: Session = {
        let review = harness.state().review_session().cloned().unwrap();
        let path = data.join("sessions").join(&review.id).join("session.json");
        step_until(&mut harness, "the manifest written", |_| {
            std::fs::read_to_string(&path)
                .ok()
                .and_then(|t| serde_json::from_str::<Session>(&t).ok())
                .is_some_and(|s| {
                    s.ended_at.is_some()
                        && s.takes.len() == 3
                        && s.takes.iter().all(|t| t.metrics.is_some())
                })
        });
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    };
    assert_eq!(session.takes.len(), 3);
    assert_eq!(session.takes[0].rating.map(|r| r.stars()), Some(4));
    assert!(session.takes[0].star.situation);
    assert!(session.takes[0].preferred, "the first take is preferred");
    assert_eq!(
        session.takes[0].stopped,
        rehearse::interview::StopReason::TimeLimit
    );
    assert_eq!(
        session.takes[1].stopped,
        rehearse::interview::StopReason::User
    );
    assert_eq!(session.takes[1].take, 2);
    assert_eq!(
        session.takes[2].stopped,
        rehearse::interview::StopReason::TimeLimit
    );
    let first = data
        .join("sessions")
        .join(&session.id)
        .join(&session.takes[0].file);
    let (seconds, _) = common::sox_stat(&first);
    assert!((seconds - 2.0).abs() < 0.05, "a 2 s limit gave {seconds} s");
    assert!(rms_of(&first) > 0.01, "the speech is in the take");
    // Measured in the background and saved with the take.
    let metrics = session.takes[0].metrics.as_ref().unwrap();
    assert!(
        metrics.syllables > 0 && metrics.speaking_time > 0.5,
        "{metrics:?}"
    );
    assert!(
        harness
            .query_by_label_contains("First word after")
            .is_some()
    );
    // What the first take said is shown under it, with its measures (what
    // tiny.en makes of 2 s of espeak through the sound server varies; the
    // words themselves are checked in tests/speech.rs and the e2e test).
    step_until_within(
        &mut harness,
        "the first take's transcript",
        Duration::from_secs(180),
        |app| {
            app.transcripts
                .get(&(session.id.clone(), session.takes[0].file.clone()))
                .is_some_and(|slot| matches!(slot, TranscriptSlot::Ready(_)))
        },
    );
    harness.step();
    let said = transcript_text(&harness, "Transcript of take 1 of question 1");
    assert!(said.split_whitespace().count() >= 3, "{said:?}");
    let first_said = said.clone();
    assert!(
        harness
            .query_all_by_label_contains("words a minute")
            .next()
            .is_some()
    );
    for take in &session.takes {
        assert!(
            data.join("sessions")
                .join(&session.id)
                .join(&take.file)
                .is_file()
        );
    }

    harness.check_accessibility();

    // Review: a note typed on the first take is saved.
    let notes = harness.get_all_by_label("Notes:").next().is_some();
    assert!(notes, "each take has a notes box");
    harness
        .get_all_by_role(egui::accesskit::Role::MultilineTextInput)
        .next()
        .unwrap()
        .focus();
    harness.step();
    harness
        .get_all_by_role(egui::accesskit::Role::MultilineTextInput)
        .next()
        .unwrap()
        .type_text("pause less");
    harness.step();
    harness.step();
    let manifest = data.join("sessions").join(&session.id).join("session.json");
    step_until(&mut harness, "the note saved", |_| {
        std::fs::read_to_string(&manifest).is_ok_and(|t| t.contains("pause less"))
    });

    // Playback of the first take from the review screen, paused midway
    // (scrolled to first: typing the note may have moved the page).
    // Scrolling is animated: let it settle before clicking.
    harness
        .get_by_label("Play take 1 of question 1")
        .scroll_to_me();
    for _ in 0..30 {
        harness.step();
    }
    harness.get_by_label("Play take 1 of question 1").click();
    step_until(&mut harness, "playback", |app| {
        let status = app.player;
        app.playing.is_some() && status.playing && status.position > Duration::ZERO
    });
    harness.step();
    harness.get_by_label("Pause take 1 of question 1").click();
    step_until(&mut harness, "the pause", |app| !app.player.playing);
    let status = harness.state().player;
    assert!(status.position < status.duration, "{status:?}");

    // History: the session with its rating and takes.
    click(&mut harness, "History");
    step_until(&mut harness, "the history listing", |app| {
        app.history.rows.len() == 1
    });
    let row = &harness.state().history.rows[0];
    assert_eq!((row.questions, row.takes), (2, 3));
    assert_eq!(row.average_rating, Some(4.0));
    assert!(
        harness
            .query_by_label_contains("2 questions · 3 takes")
            .is_some()
    );
    harness.check_accessibility();

    // Progress of question 1: both takes.
    click(&mut harness, &format!("Open session {}", session.id));
    assert_eq!(harness.state().screen, Screen::Review);
    harness
        .get_all_by_label("All takes of this question")
        .next()
        .unwrap()
        .click();
    harness.step();
    harness.step();
    assert_eq!(harness.state().screen, Screen::Progress);
    assert!(harness.query_by_label("2 takes, oldest first.").is_some());
    // The figures side by side have the ratings (the first take's 4).
    assert!(shows_text(&mut harness, "4 of 5"));
    harness.check_accessibility();

    // Export to a zip; the destination is typed where the dialog would
    // have put it (the only step the test does not take as a user would).
    click(&mut harness, "History");
    click(&mut harness, &format!("Export session {}", session.id));
    let zip = data.parent().unwrap().join("export.zip");
    harness.state_mut().export.as_mut().unwrap().destination = zip.display().to_string();
    harness.step();
    harness.check_accessibility();
    click(&mut harness, "Export");
    step_until(&mut harness, "the export", |app| app.export.is_none());
    let said = messages(harness.state());
    assert!(
        said.iter().any(|m| m.contains("Exported 3 recordings")),
        "{said:?}"
    );
    assert!(harness.query_by_label("Open folder").is_some());
    let unzip = Command::new("unzip").arg("-t").arg(&zip).output().unwrap();
    assert!(
        unzip.status.success(),
        "{}",
        String::from_utf8_lossy(&unzip.stdout)
    );
    let listing = String::from_utf8_lossy(&unzip.stdout);
    assert!(listing.contains("report.html") && listing.contains("takes.csv"));
    let csv = Command::new("unzip")
        .arg("-p")
        .arg(&zip)
        .arg("*takes.csv")
        .output()
        .unwrap();
    let csv = String::from_utf8_lossy(&csv.stdout);
    assert!(
        csv.lines().next().unwrap().contains("speaking_ratio"),
        "{csv}"
    );

    // Exporting onto the same name again is refused with the file named,
    // and the zip is left alone.
    let before = std::fs::metadata(&zip).unwrap().len();
    click(&mut harness, &format!("Export session {}", session.id));
    harness.state_mut().export.as_mut().unwrap().destination = zip.display().to_string();
    harness.step();
    click(&mut harness, "Export");
    step_until(&mut harness, "the refusal", |app| {
        app.export.as_ref().is_some_and(|e| e.running.is_none())
            && app
                .messages
                .iter()
                .any(|m| m.text.contains("already exists"))
    });
    let said = messages(harness.state()).join("\n");
    assert!(said.contains(&zip.display().to_string()), "{said}");
    assert_eq!(std::fs::metadata(&zip).unwrap().len(), before);
    click(&mut harness, "Close");
    assert!(harness.state().export.is_none());

    // The search finds what the first take said, though it was transcribed
    // while the session ran (it was left out until the next start).
    let word = first_said
        .split(|c: char| !c.is_alphabetic())
        .max_by_key(|w| w.len())
        .unwrap()
        .to_owned();
    click(&mut harness, "Practice");
    click(&mut harness, "History");
    harness.get_by_label("Search what you said:").focus();
    harness.step();
    harness
        .get_by_label("Search what you said:")
        .type_text(&word);
    harness.step();
    step_until(&mut harness, "the first take found", |app| {
        app.search
            .hits
            .iter()
            .any(|hit| hit.session == session.id && hit.file == session.takes[0].file)
    });
}

#[test]
fn a_damaged_session_is_shown_with_its_reason_and_the_rest_load() {
    let dir = tempfile::tempdir().unwrap();
    let sessions = dir.path().join("sessions");
    let damaged = sessions.join("2026-01-01T100000Z-dead");
    std::fs::create_dir_all(&damaged).unwrap();
    std::fs::write(
        damaged.join("session.json"),
        "{\n  \"schema_version\": 1,\n  oops\n",
    )
    .unwrap();
    let good = sessions.join("2026-01-02T100000Z-beef");
    std::fs::create_dir_all(good.join("takes")).unwrap();
    let mut session: Session =
        serde_json::from_str(include_str!("fixtures/session-v1.json")).unwrap();
    session.id = "2026-01-02T100000Z-beef".to_owned();
    std::fs::write(
        good.join("session.json"),
        serde_json::to_string_pretty(&session).unwrap(),
    )
    .unwrap();

    // A take cut short by a crash: one second of audio whose header still
    // says it is empty.
    let part = good.join("takes/01-relational-database-experience-take3.wav.part");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(&part, spec).unwrap();
    for i in 0..48_000 {
        writer.write_sample((i % 200) as i16 * 50).unwrap();
    }
    writer.finalize().unwrap();
    let mut bytes = std::fs::read(&part).unwrap();
    bytes[40..44].copy_from_slice(&0u32.to_le_bytes());
    std::fs::write(&part, bytes).unwrap();

    let mut harness = harness(dir.path());
    step_until(&mut harness, "the history", |app| app.is_settled());
    let said = messages(harness.state()).join("\n");
    assert!(
        said.contains("Recovered a take cut short by a crash") && said.contains("take3.wav"),
        "{said}"
    );
    click(&mut harness, "History");
    step_until(&mut harness, "the rows", |app| app.history.rows.len() == 1);
    assert_eq!(
        harness.state().history.rows[0].takes,
        3,
        "the recovered take is listed"
    );
    assert!(
        harness
            .query_by_label("Damaged: 2026-01-01T100000Z-dead")
            .is_some()
    );
    let reason = harness.get_by_label_contains("line 3").value();
    let _ = reason;
    // The damaged file is left exactly as it was.
    assert_eq!(
        std::fs::read_to_string(damaged.join("session.json")).unwrap(),
        "{\n  \"schema_version\": 1,\n  oops\n"
    );
    click(&mut harness, "Open session 2026-01-02T100000Z-beef");
    assert_eq!(harness.state().screen, Screen::Review);

    // The recovered take was never measured: measure it on demand.
    click(&mut harness, "Analyse speech of take 3 of question 1");
    step_until(&mut harness, "the analysis", |app| {
        app.review_session().unwrap().takes[2].metrics.is_some()
    });
    step_until(&mut harness, "the metrics saved", |_| {
        std::fs::read_to_string(good.join("session.json"))
            .is_ok_and(|t| t.contains("speaking_ratio"))
    });

    // Deleting asks first, then removes the folder and the row.
    click(&mut harness, "History");
    click(&mut harness, "Delete session 2026-01-02T100000Z-beef");
    assert!(good.is_dir(), "nothing is deleted before the confirmation");
    click(&mut harness, "Delete for good");
    step_until(&mut harness, "the session deleted", |app| {
        app.history.rows.is_empty() && app.sessions.is_listed()
    });
    assert!(!good.exists());
    assert!(
        damaged.join("session.json").is_file(),
        "the damaged one stays"
    );

    // Had a wait failed, the window's picture would be saved for the report.
    let picture = failure_picture(&mut harness, "a damaged session (demo)");
    assert!(
        picture.ends_with(".png") && Path::new(&picture).is_file(),
        "{picture}"
    );
}

#[test]
fn without_a_microphone_the_app_says_so_and_keeps_working() {
    let Some((scenario, data)) = child_scenario() else {
        // A runtime folder with no sound server in it: no microphone.
        let runtime = tempfile::tempdir().unwrap();
        let data = tempfile::tempdir().unwrap();
        run_in_child(
            "without_a_microphone_the_app_says_so_and_keeps_working",
            "no-microphone",
            data.path(),
            &[
                ("XDG_RUNTIME_DIR", runtime.path()),
                ("PULSE_SERVER", Path::new("unix:/nonexistent/pulse")),
                // …and no speech service.
                (
                    "SPEECHD_ADDRESS",
                    Path::new("unix_socket:/nonexistent/speechd.sock"),
                ),
            ],
        );
        return;
    };
    assert_eq!(scenario, "no-microphone");
    let mut harness = harness(&data);
    step_until(&mut harness, "the store", |app| app.is_settled());
    click(&mut harness, "Test microphone");
    step_until(&mut harness, "a message about the microphone", |app| {
        !app.messages.is_empty()
    });
    let said = messages(harness.state()).join("\n");
    assert!(
        said.contains("microphone") || said.contains("cannot use"),
        "{said}"
    );
    // A device that cannot be used now (ALSA's default, with no sound
    // server behind it) is listed with why, not left out.
    step_until(&mut harness, "the devices listed", |app| {
        !app.devices.is_empty()
    });
    harness.get_by_label("Microphone:").click();
    harness.run();
    let unavailable = harness
        .query_by_label_contains("(not available now)")
        .map(|node| node.accesskit_node().label().unwrap_or_default().to_owned());
    let picture = failure_picture(&mut harness, "microphone list without a sound server");
    assert!(
        unavailable.is_some(),
        "no device listed with why; see {picture}"
    );
    harness.key_press(egui::Key::Escape);
    harness.run();
    // Still usable: the history opens, and a session cannot start without
    // a microphone but says why.
    click(&mut harness, "Dismiss");
    click_start(&mut harness);
    step_until(&mut harness, "the session to fail to start", |app| {
        !app.messages.is_empty()
    });
    assert!(harness.state().active.is_none());
    assert!(
        messages(harness.state())
            .join("\n")
            .contains("Cannot start the session")
    );
    click(&mut harness, "History");
    click(&mut harness, "Settings");
    harness.check_accessibility();
    // Without a speech service, reading questions aloud says why and
    // cannot be turned on.
    step_until(&mut harness, "the speech service looked for", |app| {
        app.voice.offer.is_some()
    });
    assert!(shows_text(&mut harness, "Questions cannot be read aloud"));
    click(&mut harness, "Read questions aloud");
    assert!(!harness.state().settings.voice.read_aloud);
    click(&mut harness, "Dark");
    step_until(&mut harness, "the settings saved", |app| {
        std::fs::read_to_string(app.data_dir().settings()).is_ok_and(|t| t.contains("dark"))
    });
    // The screen shown is kept: opened again, the window shows the
    // settings. (Its size and place are checked under Xvfb, where there is
    // a real window: tests/e2e_window.py.)
    step_until(&mut harness, "the screen remembered", |app| {
        std::fs::read_to_string(app.data_dir().settings())
            .is_ok_and(|t| t.contains(r#""last_screen": "settings""#))
    });
    drop(harness);
    let again = self::harness(&data);
    assert_eq!(again.state().screen, Screen::Settings);
}

/// A fixture session with audio: two takes of a speech-like buzz (five
/// syllables a second, phrases of 7 s with 2 s pauses between them), the
/// same on every run, measured by the analysis as the app would.
fn write_fixture_session(data: &Path, id: &str, started: &str, rating: u8) {
    let mut session: Session =
        serde_json::from_str(include_str!("fixtures/session-v1.json")).unwrap();
    session.id = id.to_owned();
    session.started_at = started.parse().unwrap();
    session.takes[1].rating = rehearse::model::Rating::new(rating);
    let folder = data.join("sessions").join(id);
    std::fs::create_dir_all(folder.join("takes")).unwrap();
    for take in &session.takes {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 48_000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut writer = hound::WavWriter::create(folder.join(&take.file), spec).unwrap();
        let frames = take.duration_ms * 48;
        for i in 0..frames {
            let t = i as f64 / 48_000.0;
            let phrase = if t % 9.0 < 7.0 { 1.0 } else { 0.0 };
            let syllable = (std::f64::consts::PI * (t * 5.0).fract()).sin().powi(2);
            let buzz: f64 = (1..6)
                .map(|h| {
                    (2.0 * std::f64::consts::PI * 150.0 * f64::from(h) * t).sin() / f64::from(h)
                })
                .sum();
            let sample = 0.3 * phrase * syllable * buzz;
            writer.write_sample((sample * 32767.0) as i16).unwrap();
        }
        writer.finalize().unwrap();
    }
    for take in &mut session.takes {
        take.metrics = Some(rehearse::analysis::analyze_wav(&folder.join(&take.file)).unwrap());
    }
    std::fs::write(
        folder.join("session.json"),
        serde_json::to_string_pretty(&session).unwrap(),
    )
    .unwrap();
}

/// `count` sessions in `data`, copies of one fixture (their recordings
/// hard links to its), a day apart.
fn write_long_history(data: &Path, count: usize) {
    write_fixture_session(data, "2020-01-01_first", "2020-01-01T09:00:00Z", 3);
    let first = data.join("sessions").join("2020-01-01_first");
    let session: Session =
        serde_json::from_str(&std::fs::read_to_string(first.join("session.json")).unwrap())
            .unwrap();
    let start: jiff::Timestamp = "2020-01-02T09:00:00Z".parse().unwrap();
    for day in 0..count - 1 {
        let mut copy = session.clone();
        copy.started_at = start + jiff::SignedDuration::from_hours(24 * day as i64);
        copy.id = format!("old-{day:04}");
        let folder = data.join("sessions").join(&copy.id);
        std::fs::create_dir_all(folder.join("takes")).unwrap();
        for take in &copy.takes {
            std::fs::hard_link(first.join(&take.file), folder.join(&take.file)).unwrap();
        }
        std::fs::write(
            folder.join("session.json"),
            serde_json::to_string_pretty(&copy).unwrap(),
        )
        .unwrap();
    }
}

/// The test model installed in `data`'s `models/` folder.
fn install_test_model(data: &Path) {
    std::fs::create_dir_all(data.join("models")).unwrap();
    std::fs::copy(common::test_model(), data.join("models/ggml-tiny.en.bin")).unwrap();
}

/// The practice screen: progress at a glance from the history; a
/// category's box shows none, some or all of its questions chosen; the main
/// action says what it will ask; the search narrows the list.
fn practice_screen_choices(harness: &mut Harness<'_, Window>) {
    assert!(shows_text(harness, "1 of 40"), "one question practised");
    assert!(shows_text(harness, "average rating, last 2 sessions"));
    let choice = |harness: &Harness<'_, Window>| {
        let app = harness.state();
        app.home
            .selection
            .category_choice(app.bank.questions(), "UI test")
    };
    harness.state_mut().home.order = rehearse::store::settings::OrderChoice::Shuffled;
    click(harness, "Choose “Why do you want to work here?”");
    assert_eq!(choice(harness), rehearse::interview::CategoryChoice::Some);
    assert!(shows_text(harness, "Start 1 question, shuffled"));
    click(harness, "Choose UI test");
    assert_eq!(choice(harness), rehearse::interview::CategoryChoice::All);
    assert!(shows_text(harness, "Start 3 questions, shuffled"));
    assert!(shows_text(harness, "from 1 category (3 questions)"));
    click(harness, "Choose “Why do you want to work here?”");
    assert_eq!(choice(harness), rehearse::interview::CategoryChoice::Some);
    assert!(shows_text(harness, "Start 2 questions, shuffled"));
    click(harness, "Choose UI test");
    click(harness, "Choose UI test");
    assert_eq!(choice(harness), rehearse::interview::CategoryChoice::None);
    assert!(shows_text(harness, "from the whole bank"));

    // "token" is a keyword of one question; "UI test" a category. A chosen
    // question the search hides is said to be there.
    click(harness, "Choose “Why do you want to work here?”");
    type_into(harness, "Search questions", "token");
    assert!(shows_text(harness, "1 of 3 match"));
    assert!(shows_text(
        harness,
        "from the 1 question you chose; it is hidden by the search"
    ));
    assert!(
        harness
            .query_by_label("Choose “How would you design a rate limiter?”")
            .is_some()
    );
    assert!(
        harness
            .query_by_label("Choose “Why do you want to work here?”")
            .is_none()
    );
    assert!(
        harness.query_by_label("Choose Databases").is_none(),
        "no match there"
    );
    click(harness, "Clear");
    type_into(harness, "Search questions", "nothing like this");
    assert!(shows_text(
        harness,
        "No question matches “nothing like this”."
    ));
    click(harness, "Clear");
    assert!(harness.query_by_label("Choose Databases").is_some());
    click(harness, "Choose “Why do you want to work here?”");
    harness.state_mut().home.order = rehearse::store::settings::OrderChoice::WeakestFirst;
}

/// The fixture session in `data`, each of its takes espeak-ng saying one
/// of `texts`; its folder and manifest.
fn fixture_session_saying(data: &Path, texts: &[&str]) -> (PathBuf, Session) {
    let id = "2026-11-20T091500Z-7f3a";
    write_fixture_session(data, id, "2026-11-20T09:15:00Z", 4);
    let session_dir = data.join("sessions").join(id);
    let manifest: Session =
        serde_json::from_str(&std::fs::read_to_string(session_dir.join("session.json")).unwrap())
            .unwrap();
    assert_eq!(manifest.takes.len(), texts.len());
    for (take, text) in manifest.takes.iter().zip(texts) {
        let status = Command::new("espeak-ng")
            .arg("-w")
            .arg(session_dir.join(&take.file))
            .arg(text)
            .status()
            .unwrap();
        assert!(status.success());
    }
    (session_dir, manifest)
}

#[test]
fn the_main_screens_look_as_committed() {
    let Some((scenario, data)) = child_scenario() else {
        let audio = VirtualAudio::start();
        // A fixed folder: the settings screen shows its path.
        let data = std::env::temp_dir().join("rehearse-ui-snapshots");
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data).unwrap();
        run_in_child(
            "the_main_screens_look_as_committed",
            "snapshots",
            &data,
            &[
                ("XDG_RUNTIME_DIR", audio.runtime_dir()),
                ("TZ", Path::new("UTC")),
            ],
        );
        let _ = std::fs::remove_dir_all(&data);
        return;
    };
    assert_eq!(scenario, "snapshots");
    write_fixture_session(&data, "2026-11-20T091500Z-7f3a", "2026-11-20T09:15:00Z", 4);
    write_fixture_session(&data, "2026-11-13T091500Z-1b2c", "2026-11-13T09:15:00Z", 2);
    let mut harness = harness(&data);
    step_until(&mut harness, "the store", |app| app.is_settled());
    // One category unfolded, one question's details beside the list (none
    // of them practised, so nothing on the screen depends on today's date).
    click(&mut harness, "Unfold UI test");
    click(&mut harness, "How would you design a rate limiter?");
    harness.snapshot("home");
    // From the first start the practice screen offers speech recognition,
    // and says transcripts are off.
    assert!(shows_text(&mut harness, "See what you said"));
    assert!(shows_text(
        &mut harness,
        "Transcripts: off until a speech model is installed"
    ));
    practice_screen_choices(&mut harness);

    click(&mut harness, "History");
    step_until(&mut harness, "the history", |app| {
        app.history.rows.len() == 2
    });
    harness.snapshot("history");
    // On a window this low the trends are folded, under the sessions'
    // filters; unfolded, one unit per plot, each series in its colour.
    click(&mut harness, "Trends");
    harness.snapshot("history-trends");
    click(&mut harness, "Trends");
    // A small laptop's screen: the sessions still show with the trends
    // unfolded, and the practice screen still has its main action.
    harness.set_size(egui::vec2(1024.0, 600.0));
    click(&mut harness, "Trends");
    harness.snapshot("history-1024x600");
    click(&mut harness, "Trends");
    click(&mut harness, "Practice");
    harness.snapshot("home-1024x600");
    // A common laptop's screen: the list uses its column's width.
    harness.set_size(egui::vec2(1366.0, 768.0));
    harness.run();
    harness.snapshot("home-1366x768");
    click(&mut harness, "History");
    harness.set_size(egui::vec2(1000.0, 740.0));
    // Dates in one click, or from the calendar beside each field.
    let today = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::system())
        .date();
    let days_ago = |n: i64| {
        today
            .checked_sub(jiff::Span::new().days(n))
            .unwrap()
            .to_string()
    };
    click(&mut harness, "Last 7 days");
    assert_eq!(harness.state().history.from, days_ago(6));
    assert!(harness.state().history.to.is_empty());
    click(&mut harness, "All");
    assert!(harness.state().history.from.is_empty());
    assert_eq!(harness.state().history.rows.len(), 2);
    click(&mut harness, "Choose the From date");
    click(&mut harness, "<");
    click(&mut harness, "Save");
    assert_eq!(harness.state().history.from, days_ago(1));
    assert_eq!(
        harness.state().history.rows.len(),
        0,
        "both sessions are older"
    );
    click(&mut harness, "All");

    click(&mut harness, "Open session 2026-11-20T091500Z-7f3a");
    step_until(&mut harness, "the waveforms", |app| app.is_settled());
    harness.snapshot("review");
    // Takes recorded before peak summaries get one the first time they are
    // opened, and keep it (the next opening reads 200 bytes a second of
    // take instead of the take).
    let takes = data.join("sessions/2026-11-20T091500Z-7f3a/takes");
    let kept: Vec<_> = std::fs::read_dir(&takes)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "peaks"))
        .collect();
    assert_eq!(kept.len(), 2, "{kept:?}");

    click(&mut harness, "Settings");
    step_until(&mut harness, "the speech service", |app| {
        app.is_settled() && app.voice.offer.is_some()
    });
    harness.snapshot("settings");

    click(&mut harness, "Practice");
    // A session's think time is its own: saving the settings (as "Not
    // now" does) keeps the default.
    let default_think = harness.state().settings.think;
    harness.state_mut().home.think = rehearse::interview::ThinkTime::Seconds(90);
    // "Not now" is remembered.
    click(&mut harness, "Not now");
    assert!(!shows_text(&mut harness, "See what you said"));
    assert!(harness.state().settings.speech.setup_offered);
    assert_eq!(harness.state().settings.think, default_think);
    harness.state_mut().home.think = default_think;
    click(&mut harness, "Choose “Why do you want to work here?”");
    click_start(&mut harness);
    step_until(&mut harness, "thinking", |app| {
        phase(app) == Some(Phase::Thinking)
    });
    // The countdown reads 2:00 for the whole first second.
    harness.snapshot("interview");
}

#[test]
fn older_takes_are_transcribed_from_the_settings_and_shown_in_the_review() {
    let Some((scenario, data)) = child_scenario() else {
        let audio = VirtualAudio::start();
        let dir = tempfile::tempdir().unwrap();
        run_in_child(
            "older_takes_are_transcribed_from_the_settings_and_shown_in_the_review",
            "speech",
            dir.path(),
            &[("XDG_RUNTIME_DIR", audio.runtime_dir())],
        );
        return;
    };
    assert_eq!(scenario, "speech");
    install_test_model(&data);
    // The takes hold speech of known text; the question has keywords.
    let (session_dir, mut manifest) = fixture_session_saying(
        &data,
        &[
            "I added an index to the orders table.",
            "Then I moved the reports to a read replica.",
        ],
    );
    let id = manifest.id.clone();
    manifest.questions[0].keywords = vec!["index".to_owned(), "read replica".to_owned()];
    std::fs::write(
        session_dir.join("session.json"),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();

    let mut harness = harness(&data);
    step_until(&mut harness, "the installed models", |app| {
        app.speech.has_model()
    });
    click(&mut harness, "Settings");
    assert!(
        harness
            .query_all_by_label_contains("tiny.en")
            .next()
            .is_some()
    );
    click(&mut harness, "Transcribe all older takes");
    step_until_within(
        &mut harness,
        "the transcripts",
        Duration::from_secs(180),
        |app| {
            app.transcripts.len() == 2
                && app
                    .transcripts
                    .values()
                    .all(|slot| matches!(slot, TranscriptSlot::Ready(_)))
        },
    );
    // Saved: the manifest carries the summaries, the words are beside.
    let saved = session_dir.join("session.json");
    step_until(&mut harness, "the summaries saved", |_| {
        std::fs::read_to_string(&saved).is_ok_and(|t| t.matches("\"transcript\"").count() == 2)
    });
    click(&mut harness, "History");
    click(&mut harness, &format!("Open session {id}"));
    step_until(&mut harness, "the review", |app| {
        app.screen == Screen::Review
    });
    harness.step();
    // The transcript is text a screen reader reads: its node is named, and
    // its rows are text runs.
    let texts: Vec<String> = (1..=2)
        .map(|take| {
            transcript_text(
                &harness,
                &format!("Transcript of take {take} of question 1"),
            )
        })
        .collect();
    assert!(
        texts[1].to_lowercase().contains("replica"),
        "{texts:?}; the window: {}",
        failure_picture(&mut harness, "speech-review")
    );
    // Clicking a word moves playback to it, and the play head with it.
    let Some(TranscriptSlot::Ready(transcript)) = harness
        .state()
        .transcripts
        .iter()
        .find(|((_, file), _)| file.contains("take2"))
        .map(|(_, slot)| slot.clone())
    else {
        panic!("no transcript of the second take");
    };
    let word = transcript
        .words
        .iter()
        .find(|w| w.text.to_lowercase().contains("replica"))
        .unwrap()
        .clone();
    click_word(
        &mut harness,
        "Transcript of take 2 of question 1",
        "replica",
    );
    // A click on a word plays from it, and gives the text the keyboard.
    step_until(&mut harness, "playback from the word", |app| {
        app.player.playing && app.player.position.as_millis() + 300 >= u128::from(word.start_ms)
    });
    println!(
        "clicked 'replica' (starts at {} ms): playing at {} ms",
        word.start_ms,
        harness.state().player.position.as_millis()
    );
    assert!(
        harness
            .get_by_label("Transcript of take 2 of question 1")
            .is_focused()
    );
    // "replica" is the last word: the take plays to its end.
    step_until(&mut harness, "the end of the take", |app| {
        !app.player.playing
    });
    // Back to the start, with the waveform's keys (5 s a press).
    harness
        .get_by_label("Play position of take 2 of question 1")
        .focus();
    harness.step();
    harness.key_press(egui::Key::ArrowLeft);
    step_until(&mut harness, "playback at the start", |app| {
        app.player.position.is_zero()
    });
    // From the keyboard, with the text focused: Right steps a word on,
    // Left a word back, and the keys stay in the text.
    let starts: Vec<u64> = transcript.words.iter().map(|w| w.start_ms).collect();
    harness
        .get_by_label("Transcript of take 2 of question 1")
        .focus();
    // As after Tab: the frame that gives focus, and the one egui asks for.
    harness.step();
    harness.step();
    for (key, word) in [
        (egui::Key::ArrowRight, 0),
        (egui::Key::ArrowRight, 1),
        (egui::Key::ArrowRight, 2),
        (egui::Key::ArrowLeft, 1),
    ] {
        harness.key_press(key);
        step_until(&mut harness, "playback at the next word", |app| {
            app.player
                .position
                .as_millis()
                .abs_diff(u128::from(starts[word]))
                <= 30
        });
        assert!(
            harness
                .get_by_label("Transcript of take 2 of question 1")
                .is_focused(),
            "the text lost the keyboard after {key:?}"
        );
    }
    assert!(
        !harness.state().player.playing,
        "keys move, they do not play"
    );
    harness.snapshot("review-transcript");

    // The history's search finds what the first take said and opens it
    // cued at the word.
    click(&mut harness, "History");
    harness.get_by_label("Search what you said:").focus();
    harness.step();
    harness
        .get_by_label("Search what you said:")
        .type_text("Index");
    step_until(&mut harness, "a search result", |app| {
        !app.search.hits.is_empty()
    });
    let hit = harness.state().search.hits[0].clone();
    assert_eq!(
        harness.state().search.hits.len(),
        1,
        "only the first take says it"
    );
    assert!(
        hit.file.contains("take1") && hit.matched.to_lowercase().contains("index"),
        "{hit:?}"
    );
    harness.snapshot("history-search");
    click(&mut harness, &format!("Open result 1: {}", hit.question));
    step_until(&mut harness, "the first take cued at the word", |app| {
        app.screen == Screen::Review
            && app
                .playing
                .as_ref()
                .is_some_and(|(path, _)| path.ends_with(&hit.file))
            && app
                .player
                .position
                .as_millis()
                .abs_diff(u128::from(hit.start_ms))
                <= 300
    });

    // Cued, not playing: the user presses Play when ready.
    for _ in 0..20 {
        harness.step();
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !harness.state().player.playing,
        "{:?}",
        harness.state().player
    );
    // Every take of the question: their figures side by side, oldest first.
    click(&mut harness, "All takes of this question");
    step_until(&mut harness, "the progress view", |app| {
        app.screen == Screen::Progress
    });
    assert!(harness.query_by_label("Words a minute").is_some());
    // No offer to set up what is set up.
    assert!(
        harness
            .query_by_label("Set up speech recognition")
            .is_none()
    );
}

#[test]
fn transcribing_older_takes_cancelled_half_way_leaves_no_transcript() {
    let Some((scenario, data)) = child_scenario() else {
        let audio = VirtualAudio::start();
        let dir = tempfile::tempdir().unwrap();
        run_in_child(
            "transcribing_older_takes_cancelled_half_way_leaves_no_transcript",
            "speech",
            dir.path(),
            &[("XDG_RUNTIME_DIR", audio.runtime_dir())],
        );
        return;
    };
    assert_eq!(scenario, "speech");
    install_test_model(&data);
    // Takes of about 45 s: two of Whisper's 30 s windows each, so the
    // progress moves before the end.
    let answer = "I added an index to the orders table, measured again, and moved the reports \
                  to a read replica so the primary only served customers. "
        .repeat(5);
    let (session_dir, _) = fixture_session_saying(&data, &[&answer, &answer]);

    let mut harness = harness(&data);
    step_until(&mut harness, "the installed models", |app| {
        app.speech.has_model()
    });
    click(&mut harness, "Settings");
    click(&mut harness, "Transcribe all older takes");
    step_until_within(
        &mut harness,
        "a transcription half-way",
        Duration::from_secs(180),
        |app| {
            app.transcripts.values().any(|slot| {
                matches!(slot, TranscriptSlot::Transcribing(control) if control.percent() > 0)
            })
        },
    );
    click(&mut harness, "Cancel");
    step_until(&mut harness, "the transcriptions to stop", |app| {
        app.transcripts.is_empty()
    });
    // Nothing half-made on disk, nothing in the manifest, and the button
    // is back to start again.
    let written: Vec<_> = std::fs::read_dir(session_dir.join("takes"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with(".wav"))
        .collect();
    assert!(written.is_empty(), "{written:?}");
    let saved = std::fs::read_to_string(session_dir.join("session.json")).unwrap();
    assert!(!saved.contains("\"transcript\""), "{saved}");
    assert!(
        harness
            .query_by_label("Transcribe all older takes")
            .is_some(),
        "the window: {}",
        failure_picture(&mut harness, "speech-cancelled")
    );
}

#[test]
fn a_model_download_from_the_settings_shows_progress_and_refuses_a_wrong_file() {
    let Some((scenario, data)) = child_scenario() else {
        let audio = VirtualAudio::start();
        let dir = tempfile::tempdir().unwrap();
        // A local server in place of the model repository, serving the test
        // model under the published name: a real tiny.en, but not the
        // published bytes, so its hash must be refused.
        let served = dir.path().join("served");
        std::fs::create_dir_all(&served).unwrap();
        let model = common::test_model();
        std::fs::copy(&model, served.join("ggml-tiny.en.bin")).unwrap();
        // And the sentence model, as the model hub has it.
        common::copy_sentence_model(&served);
        let server = common::LocalServer::start(&served);
        let url = server.url.clone();
        run_in_child(
            "a_model_download_from_the_settings_shows_progress_and_refuses_a_wrong_file",
            "download",
            &dir.path().join("data"),
            &[
                ("XDG_RUNTIME_DIR", audio.runtime_dir()),
                ("REHEARSE_MODELS_URL", Path::new(&url)),
                ("HTTP_PROXY", Path::new("")),
                ("http_proxy", Path::new("")),
                ("ALL_PROXY", Path::new("")),
                ("all_proxy", Path::new("")),
                // No session bus, so no desktop portal to open a dialog.
                (
                    "DBUS_SESSION_BUS_ADDRESS",
                    Path::new("unix:path=/nonexistent/rehearse-test-bus"),
                ),
                // The program that tries an imported model (this is a test
                // binary, not rehearse).
                (
                    "REHEARSE_TRIAL_PROGRAM",
                    Path::new(env!("CARGO_BIN_EXE_rehearse")),
                ),
            ],
        );
        drop(server);
        return;
    };
    assert_eq!(scenario, "download");
    // The log is how a file dialog that could not open is told from one
    // the user closed (the app starts it the same way).
    rehearse::logging::init(None);
    let mut harness = harness(&data);
    step_until(&mut harness, "the models folder read", |app| {
        app.speech.installed.is_some()
    });
    click(&mut harness, "Settings");
    assert!(
        harness
            .query_by_label_contains("No model is installed")
            .is_some()
    );
    // A large model is asked about first; "Not now" starts nothing.
    click(&mut harness, "Download the base.en model");
    assert!(shows_text(&mut harness, "base.en is a download of"));
    assert!(harness.state().speech.download.is_none());
    click(&mut harness, "Not now");
    assert!(!shows_text(&mut harness, "base.en is a download of"));
    // A small one starts at once.
    click(&mut harness, "Download the tiny.en model");
    assert!(
        harness.state().speech.download.is_some(),
        "the download runs"
    );
    step_until(&mut harness, "the download to end", |app| {
        app.speech.download.is_none()
    });
    let said = messages(harness.state()).join(" | ");
    assert!(
        said.contains("Cannot download tiny.en: the downloaded file is not the published model"),
        "{said}"
    );
    assert!(said.contains("it was removed"), "{said}");
    let models = data.join("models");
    let left: Vec<_> = std::fs::read_dir(&models)
        .map(|entries| entries.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
    assert!(!harness.state().speech.has_model());

    // A model installed from the terminal while the window is open is seen
    // when the settings are shown again (it said "No model is installed").
    install_test_model(&data);
    click(&mut harness, "Practice");
    click(&mut harness, "Settings");
    step_until(&mut harness, "the model installed meanwhile", |app| {
        app.speech.has_model()
    });
    assert!(shows_text(&mut harness, "Remove the tiny.en model"));
    assert!(std::fs::remove_file(data.join("models/ggml-tiny.en.bin")).is_ok());

    // This machine has no desktop portal and no zenity: the window says
    // so, and a model file is imported by its path (and tried in a child
    // process first).
    click(&mut harness, "Choose a model file…");
    step_until(&mut harness, "the dialog's failure to be told", |app| {
        messages(app)
            .iter()
            .any(|m| m.contains("No file dialog could open on this desktop"))
    });
    let copy = data.join("a model from a colleague.bin");
    std::fs::copy(common::test_model(), &copy).unwrap();
    type_into(&mut harness, "Import a model file:", copy.to_str().unwrap());
    click(&mut harness, "Import");
    step_until(&mut harness, "the import to end", |app| {
        !app.speech.busy
            && app
                .speech
                .installed
                .as_ref()
                .is_some_and(|models| models.iter().any(|m| m.name == "tiny.en-imported"))
    });
    let said = messages(harness.state()).join(" | ");
    assert!(
        said.contains("Installed the tiny.en-imported model."),
        "{said}"
    );

    // The sentence model downloads from the same place, both its files
    // checked, and can be removed again.
    assert_eq!(harness.state().speech.sentence_model, Some(false));
    click(&mut harness, "Download the sentence model");
    step_until_within(
        &mut harness,
        "the sentence model installed",
        Duration::from_secs(60),
        |app| app.speech.sentence_model == Some(true) && app.speech.download.is_none(),
    );
    assert!(shows_text(&mut harness, "The sentence model is installed"));
    assert_eq!(
        std::fs::metadata(data.join("models/all-MiniLM-L6-v2/model.safetensors"))
            .unwrap()
            .len(),
        90_868_376
    );
    click(&mut harness, "Remove the sentence model");
    step_until(&mut harness, "the sentence model removed", |app| {
        app.speech.sentence_model == Some(false)
    });
    assert!(!data.join("models/all-MiniLM-L6-v2").exists());
}

/// Focuses the text field labelled `label` and types `text` into it.
fn type_into(harness: &mut Harness<'_, Window>, label: &str, text: &str) {
    harness.get_by_label(label).scroll_to_me();
    harness.step();
    harness.get_by_label(label).focus();
    harness.step();
    harness.get_by_label(label).type_text(text);
    harness.step();
    harness.step();
}

/// Whether the window shows a text containing `part` (after a frame, so
/// that a window opened by the last click is drawn).
fn shows_text(harness: &mut Harness<'_, Window>, part: &str) -> bool {
    harness.step();
    harness.query_all_by_label_contains(part).next().is_some()
}

#[test]
fn your_own_questions_are_made_answered_changed_and_removed_in_the_window() {
    let Some((scenario, data)) = child_scenario() else {
        let audio = VirtualAudio::start();
        let data = tempfile::tempdir().unwrap();
        run_in_child(
            "your_own_questions_are_made_answered_changed_and_removed_in_the_window",
            "own-questions",
            &data.path().join("data"),
            &[("XDG_RUNTIME_DIR", audio.runtime_dir())],
        );
        return;
    };
    assert_eq!(scenario, "own-questions");
    let mut harness = harness(&data);
    step_until(&mut harness, "the store", |app| app.is_settled());
    let own_pack = data.join("questions").join("my-questions.json");

    // An empty form is refused, each problem beside its field.
    click(&mut harness, "New question");
    assert!(harness.state().questions.editor.is_some());
    harness.step();
    assert!(
        !shows_text(&mut harness, "question text is empty"),
        "no problem shows before the user types or saves"
    );
    click(&mut harness, "Save question");
    assert!(shows_text(&mut harness, "the question text is empty"));
    assert!(shows_text(&mut harness, "give the question a category"));
    assert!(shows_text(&mut harness, "Not saved: 2 problems"));
    assert!(harness.state().questions.editor.is_some());
    assert!(!own_pack.exists());

    // Filled in, the problems go as the user types; then it saves.
    type_into(
        &mut harness,
        "Question:",
        "What would you build first at Acme?",
    );
    assert!(!shows_text(&mut harness, "the question text is empty"));
    assert!(shows_text(
        &mut harness,
        "Id: what-would-you-build-first-at-acme (made from the text)"
    ));
    type_into(&mut harness, "Category:", "Company");
    // The form keeps its place as it grows (it is not centred again).
    let top = harness.get_by_label("Question:").rect().top();
    click(&mut harness, "Add tip");
    assert_eq!(harness.get_by_label("Question:").rect().top(), top);
    type_into(&mut harness, "Tip 1:", "Name one product.");
    {
        let editor = harness.state_mut().questions.editor.as_mut().unwrap();
        editor.draft.think_seconds = 1;
        editor.draft.answer_seconds = 2;
    }
    harness.check_accessibility();
    click(&mut harness, "Save question");
    step_until(&mut harness, "the question saved", |app| {
        app.questions.editor.is_none() && !app.questions.busy
    });
    let id = rehearse::model::QuestionId::parse("what-would-you-build-first-at-acme").unwrap();
    assert_eq!(
        harness.state().bank.get(&id).unwrap().tips,
        ["Name one product."]
    );
    assert!(
        std::fs::read_to_string(&own_pack)
            .unwrap()
            .contains("Name one product.")
    );

    // It is answered in a session.
    click(&mut harness, "Unfold Company");
    click(&mut harness, "Choose “What would you build first at Acme?”");
    harness.state_mut().home.count = 1;
    click_start(&mut harness);
    step_until(&mut harness, "answering", |app| {
        phase(app) == Some(Phase::Answering)
    });
    step_until(&mut harness, "the take saved", |app| {
        phase(app) == Some(Phase::Reviewing) && app.active.as_ref().unwrap().recordings.is_empty()
    });
    click(&mut harness, "Finish (N)");
    step_until(&mut harness, "the review", |app| {
        app.screen == Screen::Review && app.active.is_none()
    });
    click(&mut harness, "Practice");
    step_until(&mut harness, "the history read", |app| {
        app.records.contains_key(&id)
    });

    // Its tips are changed; the id stays (a take refers to it), and the
    // next session shows the new tip.
    // The question's details show beside the list, with what can be done.
    click(&mut harness, "What would you build first at Acme?");
    assert!(shows_text(&mut harness, "Practised in 1 session"));
    click(&mut harness, "Edit “What would you build first at Acme?”");
    assert!(shows_text(&mut harness, "kept: your takes refer to it"));
    type_into(&mut harness, "Tip 1:", " Say why it matters.");
    // A strong answer and a follow-up are written in the form too; one
    // point is too few, and the form says so.
    click(&mut harness, "Add point");
    type_into(&mut harness, "Point 1:", "A product Acme sells, by name");
    click(&mut harness, "Add follow-up");
    type_into(&mut harness, "Follow-up 1:", "Why that one first?");
    click(&mut harness, "Save question");
    assert!(shows_text(
        &mut harness,
        "a strong answer has 3 to 6 points; this one has 1"
    ));
    click(&mut harness, "Add point");
    type_into(&mut harness, "Point 2:", "Who it helps");
    click(&mut harness, "Add point");
    type_into(&mut harness, "Point 3:", "What you would measure");
    harness.snapshot("question-editor");
    click(&mut harness, "Save question");
    step_until(&mut harness, "the change saved", |app| {
        app.questions.editor.is_none() && !app.questions.busy
    });
    let saved = harness.state().bank.get(&id).unwrap().clone();
    assert_eq!(saved.tips, ["Name one product. Say why it matters."]);
    assert_eq!(saved.strong_answer.len(), 3);
    assert_eq!(saved.strong_answer[2].point, "What you would measure");
    assert_eq!(
        saved.follow_ups,
        [rehearse::model::FollowUp {
            ask: "Why that one first?".to_owned(),
            when: rehearse::model::FollowUpWhen::Always(true),
        }]
    );
    harness.state_mut().home.selection =
        rehearse::interview::Selection::of(&[], std::slice::from_ref(&id));
    click(&mut harness, "Start 1 question, weakest first");
    step_until(&mut harness, "thinking", |app| {
        phase(app) == Some(Phase::Thinking)
    });
    click(&mut harness, "Tips");
    assert!(shows_text(&mut harness, "Say why it matters."));
    click(&mut harness, "End session (Esc)");
    step_until(&mut harness, "the session ended", |app| {
        app.active.is_none()
    });
    click(&mut harness, "Practice");

    // A question of another pack is copied into the user's own.
    click(&mut harness, "Unfold UI test");
    click(&mut harness, "How would you design a rate limiter?");
    click(
        &mut harness,
        "Duplicate “How would you design a rate limiter?”",
    );
    assert!(shows_text(&mut harness, "Copy of a question"));
    click(&mut harness, "Save question");
    step_until(&mut harness, "the copy saved", |app| {
        app.questions.editor.is_none() && !app.questions.busy
    });
    let copy = rehearse::model::QuestionId::parse("how-would-you-design-a-rate-limiter").unwrap();
    let copy_pack = harness.state().bank.pack_of(&copy).unwrap().clone();
    assert_eq!(copy_pack.own_file.as_deref(), Some(own_pack.as_path()));
    assert!(
        harness
            .state()
            .bank
            .get(&rehearse::model::QuestionId::parse("ui-test-design").unwrap())
            .is_some(),
        "the original stays"
    );

    // The answered question is deleted after asking; its take stays.
    click(&mut harness, "What would you build first at Acme?");
    click(&mut harness, "Delete “What would you build first at Acme?”");
    assert!(shows_text(
        &mut harness,
        "Your take of it stays in your history"
    ));
    click(&mut harness, "Delete question");
    step_until(&mut harness, "the question deleted", |app| {
        app.bank.get(&id).is_none() && !app.questions.busy
    });
    click(&mut harness, "History");
    step_until(&mut harness, "the history", |app| app.sessions.is_listed());
    let asked = harness
        .state()
        .sessions
        .all()
        .iter()
        .find(|s| s.takes.iter().any(|t| t.question_id == id.as_str()))
        .expect("the take is still in the history")
        .clone();
    assert_eq!(
        asked.questions[0].text,
        "What would you build first at Acme?"
    );

    // Packs: one with a clashing id is refused with the reason; a good one
    // is imported; turned off, its questions leave the bank.
    click(&mut harness, "Settings");
    let clash = data.parent().unwrap().join("clash.json");
    std::fs::write(
        &clash,
        r#"{"schema_version": 1, "name": "Clash", "questions": [
  {"id": "ui-test-story", "text": "Again?", "category": "X", "kind": "technical"}]}"#,
    )
    .unwrap();
    type_into(&mut harness, "Import a pack:", &clash.display().to_string());
    click(&mut harness, "Import pack");
    step_until(&mut harness, "the import refused", |app| {
        messages(app).iter().any(|m| m.starts_with("Not imported"))
    });
    let said = messages(harness.state()).join("\n");
    assert!(
        said.contains("clash.json:2:3: question `ui-test-story`: duplicate id"),
        "{said}"
    );
    let good = data.parent().unwrap().join("team.json");
    std::fs::write(
        &good,
        r#"{"schema_version": 1, "name": "Team pack", "questions": [
  {"id": "team-why-us", "text": "Why our team?", "category": "Team", "kind": "behavioural"}]}"#,
    )
    .unwrap();
    harness.state_mut().questions.import_path.clear();
    type_into(&mut harness, "Import a pack:", &good.display().to_string());
    click(&mut harness, "Import pack");
    let team = rehearse::model::QuestionId::parse("team-why-us").unwrap();
    step_until(&mut harness, "the pack imported", |app| {
        app.bank.get(&team).is_some()
    });
    assert!(data.join("questions").join("team.json").is_file());
    assert!(shows_text(&mut harness, "1 question, loaded"));
    click(&mut harness, "Team pack");
    step_until(&mut harness, "the pack turned off", |app| {
        app.bank.get(&team).is_none() && !app.questions.busy
    });
    assert!(shows_text(&mut harness, "1 question, off"));
    step_until(&mut harness, "the settings saved", |app| {
        std::fs::read_to_string(app.data_dir().settings()).is_ok_and(|t| t.contains("team.json"))
    });
    harness.check_accessibility();
}

#[test]
fn a_mock_interview_asks_three_questions_in_a_row_and_reviews_them_at_the_end() {
    let Some((scenario, data)) = child_scenario() else {
        let audio = VirtualAudio::start();
        let data = tempfile::tempdir().unwrap();
        run_in_child(
            "a_mock_interview_asks_three_questions_in_a_row_and_reviews_them_at_the_end",
            "mock-interview",
            &data.path().join("data"),
            &[("XDG_RUNTIME_DIR", audio.runtime_dir())],
        );
        return;
    };
    assert_eq!(scenario, "mock-interview");
    // A long history: its listing, asked for as the interview ends, arrives
    // after the last take's measures (the order that once lost them).
    write_long_history(&data, 400);
    let mut harness = harness(&data);
    step_until(&mut harness, "the store", |app| app.is_settled());
    click(&mut harness, "Choose UI test");
    {
        let home = &mut harness.state_mut().home;
        home.count = 3;
        home.think = rehearse::interview::ThinkTime::Seconds(1);
        home.answer = rehearse::interview::AnswerLimit::Seconds(2);
    }
    click(&mut harness, "Mock interview");
    step_until(&mut harness, "thinking", |app| {
        phase(app) == Some(Phase::Thinking)
    });
    assert!(shows_text(&mut harness, "Mock interview · Question 1 of 3"));
    assert!(harness.query_by_label("Tips").is_none(), "no tips");
    assert!(harness.query_by_label("Skip (S)").is_none(), "no skip");
    harness.check_accessibility();
    step_until(&mut harness, "answering", |app| {
        phase(app) == Some(Phase::Answering)
    });
    let speaking = speak(&data);
    assert!(harness.query_by_label("Finish answer (Space)").is_some());
    assert!(harness.query_by_label("Skip (S)").is_none());
    // Each answer stops at its limit and the next question follows by
    // itself; nothing stops to be reviewed until the end.
    let reviewed = std::cell::Cell::new(false);
    let asked = std::cell::RefCell::new(Vec::new());
    step_until(&mut harness, "the interview over", |app| {
        if let Some(active) = &app.active {
            reviewed.set(reviewed.get() || active.interview.phase() == Phase::Reviewing);
            let number = active.interview.progress().number;
            if asked.borrow().last() != Some(&number) {
                asked.borrow_mut().push(number);
            }
        }
        app.screen == Screen::Review && app.active.is_none()
    });
    speaking.join().unwrap();
    assert!(!reviewed.get(), "a mock interview never stops to review");
    assert_eq!(*asked.borrow(), [1, 2, 3]);
    assert!(shows_text(&mut harness, "Mock interview of"));

    // On disk: one take per question, each stopped at its limit, and the
    // session marked as a mock interview.
    let id = harness.state().review.clone().unwrap();
    let manifest = data.join("sessions").join(&id).join("session.json");
    step_until(&mut harness, "the manifest written", |_| {
        std::fs::read_to_string(&manifest)
            .ok()
            .and_then(|t| serde_json::from_str::<Session>(&t).ok())
            .is_some_and(|s| s.ended_at.is_some() && s.takes.len() == 3)
    });
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(text.contains(r#""mode": "mock_interview""#), "{text}");
    let session: Session = serde_json::from_str(&text).unwrap();
    let questions: Vec<usize> = session.takes.iter().map(|t| t.question_index).collect();
    assert_eq!(questions, [0, 1, 2]);
    for take in &session.takes {
        assert_eq!(take.take, 1);
        assert_eq!(take.stopped, rehearse::interview::StopReason::TimeLimit);
        let (seconds, _) = common::sox_stat(&data.join("sessions").join(&id).join(&take.file));
        assert!((seconds - 2.0).abs() < 0.05, "{seconds} s");
    }
    // Rated in the review, at the end, once every take is measured and the
    // history read again; the measures stay on disk (a restart shows them).
    step_until(&mut harness, "the takes measured", |app| {
        app.review_session()
            .is_some_and(|s| s.takes.iter().all(|t| t.metrics.is_some()))
    });
    let listed = Instant::now();
    step_until(&mut harness, "the listing read again", |_| {
        listed.elapsed() > Duration::from_secs(3)
    });
    // The first take rated 4, the last (whose measures came last) 3.
    for (rate, take) in [("Rate 4 of 5", 0), ("Rate 3 of 5", 2)] {
        harness
            .get_all_by_label(rate)
            .nth(take)
            .unwrap_or_else(|| panic!("no {rate} for take {take}"))
            .click_accesskit();
        harness.step();
    }
    step_until(&mut harness, "the ratings saved", |_| {
        std::fs::read_to_string(&manifest)
            .ok()
            .and_then(|t| serde_json::from_str::<Session>(&t).ok())
            .is_some_and(|s| {
                s.takes[0].rating.is_some_and(|r| r.stars() == 4)
                    && s.takes[2].rating.is_some_and(|r| r.stars() == 3)
            })
    });
    let saved: Session =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    assert!(
        saved.takes.iter().all(|t| t.metrics.is_some()),
        "a rating wrote an older copy over the take's measures"
    );
    click(&mut harness, "History");
    step_until(&mut harness, "the history", |app| app.sessions.is_listed());
    assert!(shows_text(&mut harness, "Mock interview"));
}

/// When the sound on `raw` (16 kHz mono s16 from the sink's monitor,
/// recorded from `start`) is loud: the instants of its 20 ms windows above
/// -40 dBFS.
fn loud_moments(raw: &[u8], start: Instant) -> Vec<Instant> {
    let samples: Vec<f64> = raw
        .chunks_exact(2)
        .map(|b| f64::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
        .collect();
    samples
        .chunks(320)
        .enumerate()
        .filter(|(_, window)| {
            let rms = (window.iter().map(|s| s * s).sum::<f64>() / window.len() as f64).sqrt();
            rms > 0.01
        })
        .map(|(n, _)| start + Duration::from_millis(n as u64 * 20))
        .collect()
}

#[test]
fn a_question_is_read_aloud_before_the_think_time_and_never_over_a_recording() {
    let Some((scenario, data)) = child_scenario() else {
        let audio = VirtualAudio::start();
        let data = tempfile::tempdir().unwrap();
        run_in_child(
            "a_question_is_read_aloud_before_the_think_time_and_never_over_a_recording",
            "read-aloud",
            &data.path().join("data"),
            &[("XDG_RUNTIME_DIR", audio.runtime_dir())],
        );
        return;
    };
    assert_eq!(scenario, "read-aloud");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("settings.json"),
        r#"{"voice": {"read_aloud": true, "speed": 70}}"#,
    )
    .unwrap();
    let mut harness = harness(&data);
    step_until(&mut harness, "the store", |app| app.is_settled());
    // The settings find the speech service (speech-dispatcher, started by
    // its client library, speaking into this test's sound server).
    click(&mut harness, "Settings");
    step_until(&mut harness, "the speech service", |app| {
        app.voice.offer.is_some()
    });
    assert!(
        harness.state().voice.available(),
        "{:?}",
        harness.state().voice.offer
    );
    harness.check_accessibility();

    // Everything played to the sound card is recorded from its monitor.
    let monitor = data.join("monitor.raw");
    let mut parec = Command::new("parec")
        .args([
            "-d",
            "vsink.monitor",
            "--format=s16le",
            "--rate=16000",
            "--channels=1",
        ])
        .stdout(std::fs::File::create(&monitor).unwrap())
        .spawn()
        .unwrap();
    let recording_from = Instant::now();
    std::thread::sleep(Duration::from_millis(300));

    click(&mut harness, "Practice");
    click(&mut harness, "Unfold UI test");
    click(
        &mut harness,
        "Choose “Tell me about a time you fixed a slow query.”",
    );
    harness.state_mut().home.count = 1;
    click_start(&mut harness);
    step_until(&mut harness, "the question asked", |app| {
        phase(app) == Some(Phase::Asking)
    });
    let asked = Instant::now();
    assert!(shows_text(
        &mut harness,
        "The interviewer is asking the question"
    ));
    step_until(&mut harness, "the think time", |app| {
        phase(app) == Some(Phase::Thinking)
    });
    let thinking = Instant::now();
    step_until(&mut harness, "answering", |app| {
        phase(app) == Some(Phase::Answering)
    });
    let answering = Instant::now();
    step_until(&mut harness, "the take saved", |app| {
        phase(app) == Some(Phase::Reviewing) && app.active.as_ref().unwrap().recordings.is_empty()
    });
    let stopped = Instant::now();
    std::thread::sleep(Duration::from_millis(300));
    parec.kill().unwrap();
    parec.wait().unwrap();

    // The question was heard between its asking and the think time, and
    // it was read to its end: the think time started after a second or
    // more of speech, not at a timeout.
    let loud = loud_moments(&std::fs::read(&monitor).unwrap(), recording_from);
    let margin = Duration::from_millis(200);
    let spoken: Vec<&Instant> = loud
        .iter()
        .filter(|&&t| t + margin >= asked && t <= thinking + margin)
        .collect();
    assert!(
        spoken.len() >= 50,
        "{} loud windows of 20 ms while asking ({:?} s)",
        spoken.len(),
        (thinking - asked).as_secs_f64()
    );
    assert!(
        thinking - asked < Duration::from_secs(10),
        "the think time followed the end of the reading, not the time-out"
    );
    // Nothing was played while the answer was recorded…
    let over_answer = loud
        .iter()
        .filter(|&&t| t >= answering + margin && t + margin <= stopped)
        .count();
    assert_eq!(over_answer, 0, "the voice played while recording");
    // …and the take (recorded from the same monitor) is silent.
    let session = harness.state().active_session().unwrap().clone();
    let take = data
        .join("sessions")
        .join(&session.id)
        .join(&session.takes[0].file);
    assert!(rms_of(&take) < 0.001, "the take heard the voice");
    click(&mut harness, "Finish (N)");
}

/// Check level turned on and off again while the microphone is still
/// opening (it takes about a second): the microphone that opens later is
/// closed, not kept open with nothing showing it.
#[test]
fn a_microphone_no_longer_wanted_when_it_opens_is_closed() {
    let Some((scenario, data)) = child_scenario() else {
        let audio = VirtualAudio::start();
        let data = tempfile::tempdir().unwrap();
        run_in_child(
            "a_microphone_no_longer_wanted_when_it_opens_is_closed",
            "check-level-off",
            &data.path().join("data"),
            &[("XDG_RUNTIME_DIR", audio.runtime_dir())],
        );
        return;
    };
    assert_eq!(scenario, "check-level-off");
    let mut harness = harness(&data);
    step_until(&mut harness, "the store", |app| app.is_settled());
    click(&mut harness, "Check level");
    assert_eq!(
        harness.state().microphone,
        rehearse::app::MicrophoneState::Opening
    );
    click(&mut harness, "Check level");
    step_until(&mut harness, "the level check off", |app| {
        !app.checking_level
    });
    // Long enough for the microphone asked for to have opened.
    let asked = Instant::now();
    step_until(&mut harness, "the microphone's answer", |_| {
        asked.elapsed() > Duration::from_secs(4)
    });
    assert_eq!(
        harness.state().microphone,
        rehearse::app::MicrophoneState::Closed,
        "a microphone opened after Check level was turned off is kept open"
    );
    assert!(harness.state().level().is_none());
}

/// The sound server goes away between two answers: the window ends the
/// session there, as the terminal does, saying so and keeping the take
/// recorded (it went on, and every later answer was an empty take).
#[test]
fn a_microphone_lost_between_answers_ends_the_session() {
    let Some((scenario, data)) = child_scenario() else {
        let audio = VirtualAudio::start();
        let data = tempfile::tempdir().unwrap();
        run_in_child(
            "a_microphone_lost_between_answers_ends_the_session",
            "microphone-lost",
            &data.path().join("data"),
            &[("XDG_RUNTIME_DIR", audio.runtime_dir())],
        );
        return;
    };
    assert_eq!(scenario, "microphone-lost");
    let mut harness = harness(&data);
    step_until(&mut harness, "the store", |app| app.is_settled());
    click(&mut harness, "Choose UI test");
    {
        let home = &mut harness.state_mut().home;
        home.count = 2;
        home.think = rehearse::interview::ThinkTime::Seconds(1);
        home.answer = rehearse::interview::AnswerLimit::Seconds(2);
    }
    click_start(&mut harness);
    step_until(&mut harness, "the first answer reviewed", |app| {
        phase(app) == Some(Phase::Reviewing)
            && app.active_session().is_some_and(|s| s.takes.len() == 1)
    });
    // The sound server drops its clients (as when it restarts): the
    // module that serves them is unloaded (the rig's server may not exit).
    // pactl's own connection goes with it, so its status says nothing.
    Command::new("pactl")
        .args(["unload-module", "module-native-protocol-unix"])
        .status()
        .unwrap();
    step_until(&mut harness, "the session ended", |app| {
        app.active.is_none() && app.screen == Screen::Review
    });
    let said = messages(harness.state()).join("\n");
    assert!(said.contains("the session ends here"), "{said}");
    assert_eq!(harness.state().review_session().unwrap().takes.len(), 1);
}

#[test]
fn the_review_shows_what_a_strong_answer_covers_and_fills_the_star_checklist() {
    let Some((scenario, data)) = child_scenario() else {
        let audio = VirtualAudio::start();
        let dir = tempfile::tempdir().unwrap();
        run_in_child(
            "the_review_shows_what_a_strong_answer_covers_and_fills_the_star_checklist",
            "content",
            dir.path(),
            &[("XDG_RUNTIME_DIR", audio.runtime_dir())],
        );
        return;
    };
    assert_eq!(scenario, "content");
    install_test_model(&data);
    common::copy_sentence_model(&data.join("models"));
    // A session written before sessions kept strong answers: its question's
    // points and follow-ups come from the bank.
    let (session_dir, manifest) = fixture_session_saying(
        &data,
        &[
            "At my last job our reports were getting slow. \
             I was responsible for the orders database. \
             I ran explain on the slowest query and added an index where the plan showed a full scan. \
             As a result the report went from forty seconds to two.",
            "I know SQL.",
        ],
    );
    let id = manifest.id.clone();
    let mut harness = harness(&data);
    step_until(&mut harness, "the installed models", |app| {
        app.speech.has_model()
    });
    click(&mut harness, "Settings");
    click(&mut harness, "Transcribe all older takes");
    let saved = session_dir.join("session.json");
    step_until_within(
        &mut harness,
        "the content judged and saved",
        Duration::from_secs(180),
        |_| std::fs::read_to_string(&saved).is_ok_and(|t| t.matches("\"content\"").count() == 2),
    );
    let session: Session = serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    let content = session.takes[0].content.as_ref().unwrap();
    assert!(content.by_meaning, "{content:?}");
    let index_point = &content.strong_answer[2];
    assert_eq!(
        index_point.status,
        rehearse::content::Status::Covered,
        "{content:?}"
    );
    let star = session.takes[0].star.clone();
    assert!(star.situation && star.action && star.result, "{star:?}");

    click(&mut harness, "History");
    click(&mut harness, &format!("Open session {id}"));
    step_until(&mut harness, "the review", |app| {
        app.screen == Screen::Review
    });
    assert!(shows_text(&mut harness, "What a strong answer covers"));
    assert!(shows_text(&mut harness, "The interviewer might ask"));
    harness.snapshot("review-content");
    // The quote of a covered point plays from its sentence.
    click(&mut harness, "Play from the quote of point 3");
    let start = index_point.start_ms.unwrap();
    step_until(&mut harness, "playback from the quote", |app| {
        app.player.playing && app.player.position.as_millis() + 300 >= u128::from(start)
    });
    click(&mut harness, "Pause take 1 of question 1");

    // A box the user changes stays as set when the take is judged again.
    let checkbox = harness.get_all_by_label("Task").next().unwrap();
    let was = checkbox.accesskit_node().toggled() == Some(egui::accesskit::Toggled::True);
    checkbox.click();
    harness.run();
    step_until(&mut harness, "the box saved", |_| {
        std::fs::read_to_string(&saved).is_ok_and(|t| t.contains("set_by_user"))
    });
    // Judged again (as when the take is transcribed again), the parts
    // found fill the other boxes and this one stays.
    let mut again: Session =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(again.takes[0].star.task, !was, "{:?}", again.takes[0].star);
    let file = again.takes[0].file.clone();
    let content = again.takes[0].content.clone().unwrap();
    let covered = content.covered();
    again.apply_content(&file, content);
    assert_eq!(again.takes[0].star.task, !was, "{:?}", again.takes[0].star);
    // One question's progress counts the points covered in each take.
    click(&mut harness, "All takes of this question");
    assert!(shows_text(&mut harness, "Points covered"));
    assert!(shows_text(&mut harness, &format!("{covered} of 5")));
    assert_eq!(again.takes[0].star.task, !was, "{:?}", again.takes[0].star);
}

#[test]
fn a_take_transcribed_before_content_was_judged_is_judged_when_reviewed() {
    let Some((scenario, data)) = child_scenario() else {
        let audio = VirtualAudio::start();
        let dir = tempfile::tempdir().unwrap();
        run_in_child(
            "a_take_transcribed_before_content_was_judged_is_judged_when_reviewed",
            "older-content",
            dir.path(),
            &[("XDG_RUNTIME_DIR", audio.runtime_dir())],
        );
        return;
    };
    assert_eq!(scenario, "older-content");
    install_test_model(&data);
    common::copy_sentence_model(&data.join("models"));
    // Transcribed by an earlier Rehearse: a transcript and its measures,
    // no content.
    let (session_dir, mut manifest) = fixture_session_saying(
        &data,
        &[
            "I ran explain on the slow query and added an index where the plan showed a full scan.",
            "I know SQL.",
        ],
    );
    let mut engine = rehearse::speech::Engine::new();
    for index in 0..manifest.takes.len() {
        let take = manifest.takes[index].clone();
        let (transcript, _) = rehearse::store::transcripts::transcribe_take(
            &session_dir,
            &take,
            &mut engine,
            &common::test_model(),
            &rehearse::speech::Control::new(),
        )
        .unwrap();
        manifest.apply_transcript(&take.file, &transcript);
    }
    assert!(manifest.takes.iter().all(|t| t.content.is_none()));
    let saved = session_dir.join("session.json");
    std::fs::write(&saved, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();

    let mut harness = harness(&data);
    step_until(&mut harness, "the store", |app| app.is_settled());
    click(&mut harness, "History");
    click(&mut harness, &format!("Open session {}", manifest.id));
    step_until_within(
        &mut harness,
        "the older takes judged and saved",
        Duration::from_secs(60),
        |_| std::fs::read_to_string(&saved).is_ok_and(|t| t.matches("\"content\"").count() == 2),
    );
    assert!(shows_text(&mut harness, "What a strong answer covers"));
}

/// The session saved in `manifest`, once it is as `done` wants it.
fn saved_session(
    harness: &mut Harness<'_, Window>,
    manifest: &Path,
    what: &str,
    done: impl Fn(&Session) -> bool,
) -> Session {
    step_until_within(harness, what, Duration::from_secs(120), |_| {
        std::fs::read_to_string(manifest)
            .ok()
            .and_then(|t| serde_json::from_str::<Session>(&t).ok())
            .is_some_and(|s| done(&s))
    });
    serde_json::from_str(&std::fs::read_to_string(manifest).unwrap()).unwrap()
}

#[test]
fn a_follow_up_is_answered_in_practice_recorded_reviewed_and_rated() {
    let Some((scenario, data)) = child_scenario() else {
        let audio = VirtualAudio::start();
        let dir = tempfile::tempdir().unwrap();
        run_in_child(
            "a_follow_up_is_answered_in_practice_recorded_reviewed_and_rated",
            "follow-up-practice",
            &dir.path().join("data"),
            &[("XDG_RUNTIME_DIR", audio.runtime_dir())],
        );
        return;
    };
    assert_eq!(scenario, "follow-up-practice");
    // The speech model: the follow-up is chosen from what was said.
    install_test_model(&data);
    let mut harness = harness_with_packs(&data, &[PACK, common::FOLLOW_UP_PACK]);
    step_until(&mut harness, "the store", |app| app.is_settled());
    harness.state_mut().settings.follow_ups.answer_seconds = 3;
    click(&mut harness, "Unfold Follow-up test");
    click(&mut harness, "As listed");
    harness.state_mut().home.count = 1;
    click(&mut harness, "Choose “How would you speed up a slow read?”");
    click(&mut harness, "Start 1 question in order");
    step_until(&mut harness, "answering", |app| {
        phase(app) == Some(Phase::Answering)
    });
    let speaking = speak(&data);
    step_until(&mut harness, "the take saved at the limit", |app| {
        phase(app) == Some(Phase::Reviewing) && app.active.as_ref().unwrap().recordings.is_empty()
    });
    speaking.join().unwrap();
    // Under the take, once its transcript is judged: the follow-up the
    // answer invites, and why.
    step_until_within(
        &mut harness,
        "the follow-up chosen",
        Duration::from_secs(120),
        |app| matches!(app.follow_up_after_latest(), Some(NextFollowUp::Ask(_))),
    );
    let Some(NextFollowUp::Ask(offered)) = harness.state().follow_up_after_latest() else {
        unreachable!()
    };
    assert_eq!(offered.ask, "You gave a timing: how did you measure it?");
    assert_eq!(offered.reason, "you mentioned milliseconds");
    assert!(shows_text(&mut harness, "The interviewer might ask:"));
    assert!(harness.query_by_label("Answer it (F)").is_some());
    click(&mut harness, "Rate 3 of 5");

    // F asks it like a question: think time, then its own answer limit.
    harness.key_press(egui::Key::F);
    step_until(&mut harness, "thinking about the follow-up", |app| {
        phase(app) == Some(Phase::Thinking)
    });
    assert!(shows_text(&mut harness, "Follow-up"));
    assert!(shows_text(
        &mut harness,
        "Asked because: you mentioned milliseconds"
    ));
    step_until(&mut harness, "answering the follow-up", |app| {
        phase(app) == Some(Phase::Answering)
    });
    let speaking = speak(&data);
    step_until(&mut harness, "the follow-up saved at its limit", |app| {
        phase(app) == Some(Phase::Reviewing)
            && app.active.as_ref().unwrap().recordings.is_empty()
            && app.active_session().unwrap().takes.len() == 2
    });
    speaking.join().unwrap();
    harness.key_press(egui::Key::Num4);
    harness.step();
    // The follow-up answer gets a follow-up of its own, never the same one.
    step_until_within(
        &mut harness,
        "the follow-up's follow-up chosen",
        Duration::from_secs(120),
        |app| matches!(app.follow_up_after_latest(), Some(NextFollowUp::Ask(_))),
    );
    let Some(NextFollowUp::Ask(second)) = harness.state().follow_up_after_latest() else {
        unreachable!()
    };
    assert_ne!(second.ask, offered.ask);

    let id = harness.state().active.as_ref().unwrap().session_id.clone();
    let manifest = data.join("sessions").join(&id).join("session.json");
    let session = saved_session(&mut harness, &manifest, "the follow-up rated", |s| {
        s.takes.len() == 2 && s.takes[1].rating.is_some()
    });
    let (answer, follow_up) = (&session.takes[0], &session.takes[1]);
    assert_eq!(answer.rating.map(|r| r.stars()), Some(3));
    assert_eq!(follow_up.rating.map(|r| r.stars()), Some(4));
    let of = follow_up.follow_up.as_ref().unwrap();
    assert_eq!(of.take, answer.file);
    assert_eq!(of.ask, offered.ask);
    assert_eq!(of.reason, "you mentioned milliseconds");
    assert_eq!(of.depth, 1);
    assert!(
        follow_up.file.ends_with("-then-follow-up1.wav"),
        "{}",
        follow_up.file
    );
    let (seconds, _) = common::sox_stat(&data.join("sessions").join(&id).join(&follow_up.file));
    assert!((seconds - 3.0).abs() < 0.05, "{seconds} s");

    // The session's review: the follow-up under the answer it follows.
    click(&mut harness, "End session (Esc)");
    step_until(&mut harness, "the review", |app| {
        app.screen == Screen::Review && app.active.is_none()
    });
    assert!(shows_text(&mut harness, "Follow-up answer 1"));
    assert!(
        harness
            .get_by_label("Play take 1 of question 1")
            .rect()
            .top()
            < harness
                .get_by_label("Play follow-up 1 of question 1")
                .rect()
                .top()
    );
}

#[test]
fn a_mock_interview_asks_a_follow_up_by_itself_and_without_speech_only_those_after_any_answer() {
    let Some((scenario, data)) = child_scenario() else {
        let audio = VirtualAudio::start();
        let dir = tempfile::tempdir().unwrap();
        run_in_child(
            "a_mock_interview_asks_a_follow_up_by_itself_and_without_speech_only_those_after_any_answer",
            "follow-up-mock",
            &dir.path().join("data"),
            &[("XDG_RUNTIME_DIR", audio.runtime_dir())],
        );
        return;
    };
    assert_eq!(scenario, "follow-up-mock");
    // No speech model: only the follow-ups asked after any answer can be
    // chosen, and the settings say so.
    let mut harness = harness_with_packs(&data, &[PACK, common::FOLLOW_UP_PACK]);
    step_until(&mut harness, "the store", |app| app.is_settled());
    assert_eq!(
        harness.state().settings.follow_ups.per_question,
        1,
        "one by default"
    );
    harness.state_mut().settings.follow_ups.answer_seconds = 2;
    click(&mut harness, "Settings");
    assert!(shows_text(
        &mut harness,
        "only the follow-ups asked after any answer"
    ));
    click(&mut harness, "Practice");
    click(&mut harness, "Choose Follow-up test");
    {
        let home = &mut harness.state_mut().home;
        home.count = 2;
        home.think = rehearse::interview::ThinkTime::Seconds(1);
        home.answer = rehearse::interview::AnswerLimit::Seconds(2);
    }
    click(&mut harness, "Mock interview");
    // Each answer, then its follow-up by itself, then the next question.
    let asked = std::cell::RefCell::new(Vec::new());
    let awaited = std::cell::Cell::new(false);
    step_until_within(
        &mut harness,
        "the interview over",
        Duration::from_secs(120),
        |app| {
            if let Some(active) = &app.active {
                let interview = &active.interview;
                awaited.set(awaited.get() || interview.phase() == Phase::Awaiting);
                let now = (
                    interview.question().question.id.to_string(),
                    interview.follow_up().map(|f| f.ask.clone()),
                );
                if asked.borrow().last() != Some(&now) {
                    asked.borrow_mut().push(now);
                }
            }
            app.screen == Screen::Review && app.active.is_none()
        },
    );
    assert!(
        awaited.get(),
        "the interviewer thinks between answer and follow-up"
    );
    // In the interview's (shuffled) order.
    let asked = asked.into_inner();
    let after_any_answer = |id: &str| match id {
        "ui-follow-slow-read" => "What would you try next?",
        _ => "And if a message is delivered twice?",
    };
    assert_eq!(asked.len(), 4, "{asked:?}");
    for pair in asked.chunks(2) {
        assert_eq!(pair[0].1, None, "{asked:?}");
        assert_eq!(pair[1].0, pair[0].0, "{asked:?}");
        assert_eq!(
            pair[1].1.as_deref(),
            Some(after_any_answer(&pair[0].0)),
            "{asked:?}"
        );
    }
    let id = harness.state().review.clone().unwrap();
    let manifest = data.join("sessions").join(&id).join("session.json");
    let session = saved_session(&mut harness, &manifest, "the interview saved", |s| {
        s.ended_at.is_some() && s.takes.len() == 4
    });
    assert_eq!(session.problem(), None);
    for (index, parent) in [(1, 0), (3, 2)] {
        let of = session.takes[index].follow_up.as_ref().unwrap();
        assert_eq!(of.take, session.takes[parent].file);
        assert_eq!(of.reason, "asked after any answer");
        assert_eq!(of.depth, 1);
    }
    // Reviewed at the end: each follow-up's question above its answer,
    // under the answer it follows.
    assert!(shows_text(&mut harness, "Follow-up:"));
    assert!(shows_text(&mut harness, "What would you try next?"));
    assert!(
        harness
            .query_by_label("Play follow-up 1 of question 2")
            .is_some()
    );
}
