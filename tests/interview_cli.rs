//! `rehearse interview` end to end: a practice session in the terminal
//! against the virtual microphone with speech played in, then found with its
//! take and rating by `rehearse sessions`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    reason = "a test helper that fails should fail the test; a session reads as one"
)]

mod common;

use std::io::Write;
use std::process::Stdio;

use common::{Running, VirtualAudio, rehearse_bin, sox_stat, speech};
use tempfile::TempDir;

/// `rehearse interview` of one question, in the listed order with no think
/// time, plus `extra` arguments, typed into through the returned stdin.
fn start_interview(
    audio: &VirtualAudio,
    data: &str,
    extra: &[&str],
) -> (std::process::ChildStdin, Running) {
    let mut args = vec!["--data-dir", data, "interview", "--count", "1"];
    args.extend(["--order", "listed", "--think", "0"]);
    args.extend(extra);
    typed_into(audio, &args)
}

/// `rehearse ARGS`, typed into through the returned stdin.
fn typed_into(audio: &VirtualAudio, args: &[&str]) -> (std::process::ChildStdin, Running) {
    let mut child = audio
        .command(rehearse_bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = child.stdin.take().unwrap();
    (stdin, Running::from_child(child))
}

#[test]
fn a_terminal_session_records_rates_and_is_kept() {
    let audio = VirtualAudio::start();
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    let voice = speech(
        dir.path(),
        "voice",
        "I split the monolith along the billing boundary and measured the latency.",
    );

    let (mut stdin, mut running) = start_interview(
        &audio,
        data_arg,
        &["--category", "architecture & design", "--answer", "5"],
    );
    running.wait_for("Question 1 of 1 [Architecture & design]");
    running.wait_for("Recording");
    audio.play_into_microphone(&voice);

    // While this session owns the data folder, a second process can only read.
    let second = audio
        .command(rehearse_bin())
        .args([
            "--data-dir",
            data_arg,
            "sessions",
            "delete",
            "latest",
            "--yes",
        ])
        .output()
        .unwrap();
    assert!(!second.status.success());
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("another Rehearse is using"),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );

    running.wait_for("Time's up.");
    running.wait_for("Rate it 1-5");
    writeln!(stdin, "4").unwrap();
    running.wait_for("Rated");
    writeln!(stdin).unwrap();
    let (report, stderr, ok) = running.finish();
    assert!(ok, "{stderr}");
    assert!(report.contains("takes: 1"), "{report}");
    // The end says how to see the session again.
    assert!(
        stderr.contains("See it again with `rehearse sessions show "),
        "{stderr}"
    );

    let show = audio
        .command(rehearse_bin())
        .args(["--data-dir", data_arg, "sessions", "show", "latest"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&show.stdout);
    assert!(
        show.status.success(),
        "{}",
        String::from_utf8_lossy(&show.stderr)
    );
    assert!(
        shown.contains("1 of 1 question answered, 1 take,"),
        "{shown}"
    );
    assert!(
        // The first take of a question is its preferred one, as in the
        // window (both build takes with `Session::recorded_take`).
        shown.contains("take #1: 0:05  time limit  ★★★★☆ 4  preferred"),
        "{shown}"
    );
    // The take was measured as it was saved.
    assert!(shown.contains("speech: first word"), "{shown}");

    let file = shown
        .lines()
        .find_map(|line| {
            line.split_whitespace()
                .last()
                .filter(|w| w.ends_with(".wav"))
        })
        .unwrap();
    let sessions = std::fs::read_dir(data.join("sessions")).unwrap();
    let session_dir = sessions.map(|e| e.unwrap().path()).next().unwrap();
    let (seconds, rms) = sox_stat(&session_dir.join(file));
    assert!((seconds - 5.0).abs() < 0.001, "{seconds} s");
    assert!(rms > 0.01, "RMS {rms}: the answer is missing");

    let rate = audio
        .command(rehearse_bin())
        .args([
            "--data-dir",
            data_arg,
            "rate",
            "latest",
            "1",
            "2",
            "--note",
            "too long",
        ])
        .output()
        .unwrap();
    assert!(
        rate.status.success(),
        "{}",
        String::from_utf8_lossy(&rate.stderr)
    );
    let list = audio
        .command(rehearse_bin())
        .args(["--data-dir", data_arg, "sessions", "list"])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(
        listed.contains("1 question  1 take  0:05  ★ 2.0"),
        "{listed}"
    );
    let show = audio
        .command(rehearse_bin())
        .args(["--data-dir", data_arg, "sessions", "show", "latest"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&show.stdout).contains("notes: too long"));

    let refused = audio
        .command(rehearse_bin())
        .args(["--data-dir", data_arg, "sessions", "delete", "latest"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("add --yes to confirm"));
    let deleted = audio
        .command(rehearse_bin())
        .args([
            "--data-dir",
            data_arg,
            "sessions",
            "delete",
            "latest",
            "--yes",
        ])
        .output()
        .unwrap();
    assert!(deleted.status.success());
    assert!(!session_dir.exists());
}

/// Issue 11, smaller finding: an interview whose standard input is closed
/// ends cleanly and saves nothing.
#[test]
fn an_interview_without_input_ends_and_saves_nothing() {
    let audio = VirtualAudio::start();
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let output = audio
        .command(rehearse_bin())
        .arg("--data-dir")
        .arg(&data)
        .args(["interview", "--questions", "1", "--think", "30"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // The count's old spelling still works, and says what it is now.
    assert!(
        stderr.contains("`interview --questions N` is now `interview --count N`"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was saved"), "{stderr}");
    let sessions: Vec<_> = std::fs::read_dir(data.join("sessions")).unwrap().collect();
    assert!(sessions.is_empty(), "{sessions:?}");
}

/// Issue 11, finding 4: a full disk while an interview saves its take keeps
/// the take, and the next start attaches it to the session, saying so.
#[test]
fn a_take_an_interview_could_not_save_is_attached_at_the_next_start() {
    let audio = VirtualAudio::start();
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    let full = FullDisk::new(&data);
    let (mut stdin, mut running) = start_interview(&audio, data_arg, &["--answer", "3"]);
    running.wait_for("Recording");
    // Fill what is left of the disk while the take records.
    full.fill();
    running.wait_for("next time Rehearse starts");
    writeln!(stdin, "q").unwrap();
    drop(stdin);
    let (_, stderr, _) = running.finish();
    full.free();
    assert!(!stderr.contains("panicked"), "{stderr}");

    let listed = audio
        .command(rehearse_bin())
        .args(["--data-dir", data_arg, "sessions", "list"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&listed.stderr);
    assert!(said.contains("recovered a take"), "{said}");
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains("1 take "), "{listed}");
    drop(full);
}

/// A data folder on a 4 MB tmpfs that can be filled. Mounting needs root,
/// which CI and the development machines have; without it the test fails
/// (it must never pass having checked nothing; `audio_cli`'s full-disk
/// test covers a file-size limit, which needs no privilege).
struct FullDisk {
    root: std::path::PathBuf,
}

impl FullDisk {
    fn new(root: &std::path::Path) -> Self {
        std::fs::create_dir_all(root).unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
            .arg(root)
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            mounted,
            "this test fills a 4 MB tmpfs at {}: it needs root and `mount -t tmpfs`",
            root.display()
        );
        Self {
            root: root.to_path_buf(),
        }
    }

    /// Takes the rest of the space.
    fn fill(&self) {
        // Fails once the disk is full, which is the point.
        std::fs::write(self.root.join("filler"), vec![0u8; 4 << 20]).ok();
    }

    fn free(&self) {
        std::fs::remove_file(self.root.join("filler")).unwrap();
    }
}

impl Drop for FullDisk {
    fn drop(&mut self) {
        std::process::Command::new("umount")
            .arg(&self.root)
            .status()
            .ok();
    }
}

#[test]
fn with_a_model_installed_each_take_is_transcribed() {
    let model = common::test_model();
    let audio = VirtualAudio::start();
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("models")).unwrap();
    std::fs::copy(&model, data.join("models/ggml-tiny.en.bin")).unwrap();
    // And the sentence model: what the answer covered is judged too.
    common::copy_sentence_model(&data.join("models"));
    let data_arg = data.to_str().unwrap();
    let voice = speech(
        dir.path(),
        "voice",
        "I moved the reports to a read replica and the database load fell by half.",
    );
    let (mut stdin, mut running) = start_interview(&audio, data_arg, &["--answer", "8"]);
    running.wait_for("transcribed on this machine with the tiny.en model");
    running.wait_for("Recording");
    audio.play_into_microphone(&voice);
    running.wait_for("Rate it 1-5");
    writeln!(stdin).unwrap();
    let said = running.wait_for("said:");
    assert!(said.to_lowercase().contains("replica"), "{said}");
    // The after-take summary has the measures of the words.
    let pace = running.wait_for("Words:");
    assert!(pace.contains("words a minute"), "{pace}");
    running.wait_for("Fillers:");
    // And what it covered of the question's strong answer, by meaning.
    let covers = running.wait_for("What a strong answer covers");
    assert!(covers.contains("points covered"), "{covers}");
    assert!(!covers.contains("literal"), "{covers}");
    writeln!(stdin).unwrap();
    let (_, stderr, ok) = running.finish();
    assert!(ok, "{stderr}");

    let show = audio
        .command(rehearse_bin())
        .args(["--data-dir", data_arg, "sessions", "show", "latest"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&show.stdout);
    let line = shown
        .lines()
        .find(|line| line.trim_start().starts_with("said:"))
        .unwrap_or_else(|| panic!("no transcript in {shown}"));
    assert!(line.to_lowercase().contains("replica"), "{shown}");
    assert!(
        shown.contains("What a strong answer covers"),
        "no content in {shown}"
    );
    // No "result:": the question asks for no story, so none is looked for.
    for measure in ["words:", "fillers:", "i / we:"] {
        assert!(
            shown.lines().any(|l| l.trim_start().starts_with(measure)),
            "{measure} missing in {shown}"
        );
    }
    // The manifest holds only the summary; the words are beside the take.
    let session_dir = std::fs::read_dir(data.join("sessions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .unwrap();
    let manifest = std::fs::read_to_string(session_dir.join("session.json")).unwrap();
    assert!(manifest.contains("\"transcript\": {"), "{manifest}");
    assert!(manifest.contains("\"model\": \"tiny.en\""), "{manifest}");
    assert!(!manifest.contains("\"words\": ["), "{manifest}");
    let sidecars: Vec<_> = std::fs::read_dir(session_dir.join("takes"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".transcript.json"))
        .collect();
    assert_eq!(sidecars.len(), 1, "{sidecars:?}");
}

#[test]
fn a_mock_interview_in_the_terminal_moves_on_by_itself_and_asks_for_ratings_at_the_end() {
    let audio = VirtualAudio::start();
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    // One follow-up per question by itself (the default), of 2 s.
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("settings.json"),
        r#"{"follow_ups": {"answer_seconds": 2}}"#,
    )
    .unwrap();
    let (mut stdin, mut running) = typed_into(
        &audio,
        &[
            "--data-dir",
            data_arg,
            "interview",
            "--count",
            "2",
            "--category",
            "databases",
            "--think",
            "1",
            "--answer",
            "2",
            "--mock",
        ],
    );
    running.wait_for("Question 1 of 2");
    running.wait_for("Enter finishes the answer, q ends");
    // No rating, no retake: the follow-up follows by itself (without a
    // speech model, one asked after any answer), then the next question
    // (its think time may start before the last answer's file is closed).
    running.wait_for("Follow-up (asked after any answer): ");
    running.wait_for("Question 2 of 2");
    running.wait_for("Answer 2 recorded");
    running.wait_for("Follow-up (asked after any answer): ");
    running.wait_for("Follow-up answer to question 2 recorded");
    running.wait_for("The interview is over. Your answers:");
    running.wait_for("Rate it 1-5");
    writeln!(stdin, "3").unwrap();
    for _ in 0..3 {
        running.wait_for("Rate it 1-5");
        writeln!(stdin).unwrap();
    }
    let (report, stderr, ok) = running.finish();
    assert!(ok, "{stderr}");
    assert!(report.contains("takes: 4"), "{report}");
    assert!(
        !stderr.contains("Rate it 1-5 (Enter to skip):\nSaved"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("tip:"),
        "no tips in a mock interview: {stderr}"
    );

    let shown = audio
        .command(rehearse_bin())
        .args(["--data-dir", data_arg, "sessions", "show", "latest"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.contains("mock interview"), "{shown}");
    assert!(
        shown.contains("2 of 2 questions answered, 4 takes,"),
        "{shown}"
    );
    assert!(shown.contains("★★★☆☆ 3"), "{shown}");
    let sessions = std::fs::read_dir(data.join("sessions")).unwrap();
    let session_dir = sessions.map(|e| e.unwrap().path()).next().unwrap();
    let manifest = std::fs::read_to_string(session_dir.join("session.json")).unwrap();
    assert!(
        manifest.contains(r#""mode": "mock_interview""#),
        "{manifest}"
    );
}

#[test]
fn interview_with_follow_ups_asks_the_one_the_answer_invites_and_records_it() {
    let audio = VirtualAudio::start();
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(data.join("models")).unwrap();
    std::fs::copy(common::test_model(), data.join("models/ggml-tiny.en.bin")).unwrap();
    let pack = dir.path().join("follow-up-pack.json");
    std::fs::write(&pack, common::FOLLOW_UP_PACK).unwrap();
    let data_arg = data.to_str().unwrap();
    let voice = speech(
        dir.path(),
        "voice",
        "I added an index and the query went from seconds to milliseconds.",
    );
    let pack_arg = pack.to_str().unwrap();
    let (mut stdin, mut running) = typed_into(
        &audio,
        &[
            "--data-dir",
            data_arg,
            "--questions",
            pack_arg,
            "interview",
            "--count",
            "1",
            "--category",
            "Follow-up test",
            "--order",
            "listed",
            "--think",
            "0",
            "--follow-ups",
            "1",
        ],
    );
    running.wait_for("Recording");
    audio.play_into_microphone(&voice);
    running.wait_for("Rate it 1-5");
    writeln!(stdin, "4").unwrap();
    running.wait_for("The interviewer is thinking");
    // Chosen from the transcript, with the reason.
    let asked = running.wait_for("Follow-up (");
    assert!(
        asked.contains(
            "Follow-up (you mentioned milliseconds): You gave a timing: how did you measure it?"
        ),
        "{asked}"
    );
    running.wait_for("Recording");
    audio.play_into_microphone(&voice);
    writeln!(stdin).unwrap();
    running.wait_for("Rate it 1-5");
    writeln!(stdin, "3").unwrap();
    // One deep, as asked: then the usual choice.
    running.wait_for("Enter or n: next question");
    writeln!(stdin).unwrap();
    let (report, stderr, ok) = running.finish();
    assert!(ok, "{stderr}");
    assert!(report.contains("takes: 2"), "{report}");

    let show = audio
        .command(rehearse_bin())
        .args(["--data-dir", data_arg, "--questions", pack_arg])
        .args(["sessions", "show", "latest"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&show.stdout);
    assert!(
        shown.contains(
            "follow-up (you mentioned milliseconds): You gave a timing: how did you measure it?"
        ),
        "{shown}"
    );
    assert!(shown.contains("take #2: follow-up answer, "), "{shown}");
    assert!(shown.contains("then-follow-up1.wav"), "{shown}");
    assert!(shown.contains("★★★☆☆ 3"), "{shown}");
}
