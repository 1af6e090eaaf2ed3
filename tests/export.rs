//! Export checked by other programs: `unzip -t`, `sox` on the WAV and FLAC
//! files, and `report.html` opened in headless Chromium.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test helper that fails should fail the test"
)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use rehearse::audio::TakeFormat;
use rehearse::audio::take_file::TakeFile;
use rehearse::interview::{PlanRequest, build_plan};
use rehearse::model::Rating;
use rehearse::paths::DataDir;
use rehearse::questions::{PackSources, QuestionBank};
use rehearse::store::export::{AudioFormat, Container, ExportError, ExportRequest, export};
use rehearse::store::{Session, StarChecklist, Store, Take};
use tempfile::TempDir;

/// A store with one session of two questions and three takes of known
/// lengths; the second question's id is hostile.
fn store_with_takes(dir: &Path) -> (Store, Session) {
    let store = Store::open(DataDir::resolve(Some(dir.join("data"))).unwrap())
        .unwrap()
        .store;
    let bank = QuestionBank::load(&PackSources::default());
    let request = PlanRequest {
        count: Some(2),
        ..PlanRequest::default()
    };
    let plan = build_plan(bank.questions(), &request, &HashMap::new()).unwrap();
    let mut session = store.create_session(&plan).unwrap();
    session.questions[1].id = "../../../outside <b>&".to_owned();
    session.questions[1].text = "Is <script>alert(1)</script> escaped?".to_owned();
    for (question_index, take_no, seconds, format) in [
        (0, 1, 1.5, TakeFormat::S16),
        (0, 2, 2.25, TakeFormat::S24),
        (1, 1, 0.75, TakeFormat::F32),
    ] {
        let (relative, full) = store.take_path(&session, question_index, take_no);
        let frames = (48_000.0 * seconds) as usize;
        let samples: Vec<f32> = (0..frames)
            .map(|i| 0.3 * (i as f32 * 2.0 * std::f32::consts::PI * 220.0 / 48_000.0).sin())
            .collect();
        let mut file = TakeFile::create(&full, format, 48_000).unwrap();
        file.write(&samples).unwrap();
        file.finish().unwrap();
        let take = Take {
            duration_ms: (seconds * 1000.0) as u64,
            format,
            rating: Rating::new(take_no as u8 + 2),
            notes: "said \"um\" a lot, then = fine".to_owned(),
            star: StarChecklist {
                situation: true,
                ..StarChecklist::default()
            },
            preferred: take_no == 2,
            ..session.new_take(question_index, take_no, relative, jiff::Timestamp::now())
        };
        session.takes.push(take);
    }
    store.save(&session).unwrap();
    (store, session)
}

fn request(
    session: &Session,
    destination: PathBuf,
    container: Container,
    audio: AudioFormat,
) -> ExportRequest {
    ExportRequest {
        sessions: vec![session.clone()],
        destination,
        container,
        audio,
        force: false,
        // The bundled bank: what the report says of each question.
        bank: QuestionBank::load(&PackSources::default())
            .questions()
            .to_vec(),
    }
}

fn seconds_by_sox(path: &Path) -> f64 {
    let output = Command::new("soxi").arg("-D").arg(path).output().unwrap();
    assert!(
        output.status.success(),
        "sox cannot read {}",
        path.display()
    );
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap()
}

fn audio_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "wav" || e == "flac") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn check_lengths(files: &[PathBuf]) {
    let mut lengths: Vec<f64> = files.iter().map(|f| seconds_by_sox(f)).collect();
    lengths.sort_by(f64::total_cmp);
    assert_eq!(lengths, [0.75, 1.5, 2.25], "{files:?}");
}

#[test]
fn a_zip_export_passes_unzip_and_its_wavs_read_back() {
    let dir = TempDir::new().unwrap();
    let (store, session) = store_with_takes(dir.path());
    // The first take was recorded at a known time.
    let recorded = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_773_500_966);
    let first = store.session_dir(&session.id).join(&session.takes[0].file);
    std::fs::File::options()
        .write(true)
        .open(&first)
        .unwrap()
        .set_modified(recorded)
        .unwrap();
    let zip_path = dir.path().join("practice.zip");
    let mut calls = 0;
    let summary = export(
        &store,
        &request(&session, zip_path.clone(), Container::Zip, AudioFormat::Wav),
        |progress| {
            calls += 1;
            assert!(progress.done_bytes <= progress.total_bytes);
            true
        },
    )
    .unwrap();
    assert_eq!(summary.audio_files, 3);
    assert!(calls >= 4);

    let tested = Command::new("unzip")
        .arg("-t")
        .arg(&zip_path)
        .output()
        .unwrap();
    assert!(
        tested.status.success(),
        "{}",
        String::from_utf8_lossy(&tested.stdout)
    );
    let out = dir.path().join("unzipped");
    let unpacked = Command::new("unzip")
        .arg("-q")
        .arg(&zip_path)
        .arg("-d")
        .arg(&out)
        .status()
        .unwrap();
    assert!(unpacked.success());
    let files = audio_files(&out);
    check_lengths(&files);
    for file in &files {
        assert!(
            file.starts_with(&out),
            "{} escaped the export",
            file.display()
        );
    }
    assert!(out.join("report.html").is_file());
    assert!(out.join("takes.csv").is_file());
    assert!(out.join(&session.id).join("session.json").is_file());
    // unzip gives each file its time in the zip: the recording's for a
    // take (zip times have 2 s steps), the export's for the rest.
    let modified = |path: &Path| std::fs::metadata(path).unwrap().modified().unwrap();
    let take = files
        .iter()
        .find(|f| f.ends_with(&session.takes[0].file))
        .unwrap();
    let off = modified(take)
        .duration_since(recorded)
        .unwrap_or_else(|e| e.duration());
    assert!(off <= std::time::Duration::from_secs(2), "{off:?} off");
    let age = std::time::SystemTime::now()
        .duration_since(modified(&out.join("report.html")))
        .unwrap_or_default();
    assert!(age < std::time::Duration::from_secs(600), "{age:?} old");
}

#[test]
fn a_flac_export_is_lossless_and_read_back_by_sox() {
    let dir = TempDir::new().unwrap();
    let (store, session) = store_with_takes(dir.path());
    let folder = dir.path().join("flac export");
    export(
        &store,
        &request(
            &session,
            folder.clone(),
            Container::Folder,
            AudioFormat::Flac,
        ),
        |_| true,
    )
    .unwrap();
    let files = audio_files(&folder);
    assert!(files.iter().all(|f| f.extension().unwrap() == "flac"));
    check_lengths(&files);
    // The reference decoder finds every file whole: its frames, and the MD5
    // of its audio in the header.
    for file in &files {
        let tested = Command::new("flac")
            .args(["-t", "-s"])
            .arg(file)
            .output()
            .unwrap();
        assert!(
            tested.status.success(),
            "{}: {}",
            file.display(),
            String::from_utf8_lossy(&tested.stderr)
        );
    }
    // Each take decodes through sox: the 16-bit and the 24-bit take to
    // exactly their samples, the float take to its samples at 24 bits.
    let decode = |question: &str, take: &str| -> Vec<i32> {
        let flac = files
            .iter()
            .find(|f| {
                let name = f.to_string_lossy();
                name.contains(&format!("/{question}-")) && name.ends_with(take)
            })
            .unwrap();
        let decoded = dir.path().join(format!("{question}-{take}.wav"));
        let status = Command::new("sox")
            .arg(flac)
            .arg(&decoded)
            .status()
            .unwrap();
        assert!(status.success());
        hound::WavReader::open(&decoded)
            .unwrap()
            .samples::<i32>()
            .map(Result::unwrap)
            .collect()
    };
    let recorded = |index: usize| {
        hound::WavReader::open(
            store
                .session_dir(&session.id)
                .join(&session.takes[index].file),
        )
        .unwrap()
    };
    let plain: Vec<i32> = recorded(0).samples::<i32>().map(Result::unwrap).collect();
    assert_eq!(decode("01", "take1.flac"), plain);
    let deep: Vec<i32> = recorded(1).samples::<i32>().map(Result::unwrap).collect();
    assert_eq!(decode("01", "take2.flac"), deep);
    let float: Vec<i32> = recorded(2)
        .samples::<f32>()
        .map(|s| rehearse::audio::convert::to_i24(s.unwrap()))
        .collect();
    assert_eq!(decode("02", "take1.flac"), float);
}

/// The first take gets a transcript (with a filler, the question's keyword
/// and a pause) and becomes its question's chosen take.
fn give_the_first_take_a_transcript(store: &Store, session: &mut Session) {
    // The first take has a transcript: its text goes in the report and the
    // table, and a .txt and a .vtt go beside its recording.
    let transcript = rehearse::speech::Transcript {
        schema: rehearse::speech::transcript::SCHEMA,
        model: rehearse::speech::transcript::ModelStamp {
            name: "tiny.en".to_owned(),
            sha256: "0".repeat(64),
        },
        language: "en".to_owned(),
        duration_ms: 1_500,
        segments: vec![rehearse::speech::transcript::Segment {
            start_ms: 0,
            end_ms: 1_400,
            text: "Um, I used a read replica <now>.".to_owned(),
        }],
        words: ["Um,", "I", "used", "a", "read", "replica", "<now>."]
            .iter()
            .zip(0_u64..)
            .map(|(text, n)| rehearse::speech::transcript::Word {
                text: format!(" {text}"),
                // A pause of 1.2 s before the last word.
                start_ms: n * 150 + if n == 6 { 1_200 } else { 0 },
                end_ms: n * 150 + 120 + if n == 6 { 1_200 } else { 0 },
                probability: 0.9,
            })
            .collect(),
    };
    let session_dir = store.session_dir(&session.id);
    transcript
        .write(&session.takes[0].transcript_path(&session_dir).unwrap())
        .unwrap();
    // The question's keyword is marked where it was said.
    session.questions[0].keywords = vec!["read replica".to_owned()];
    let file = session.takes[0].file.clone();
    assert!(session.apply_transcript(&file, &transcript));
    // Its content, judged literally (no sentence model here): one point
    // covered, one missing.
    session.questions[0].strong_answer = vec![
        rehearse::model::StrongPoint {
            point: "Reads moved to a read replica".to_owned(),
            cues: vec!["read replica".to_owned()],
        },
        rehearse::model::StrongPoint {
            point: "A cache in front of the database".to_owned(),
            cues: vec!["cache".to_owned()],
        },
    ];
    let content =
        rehearse::content::analyse(&transcript, &session.questions[0].content_question(), None)
            .unwrap();
    assert!(session.apply_content(&file, content));
    // It is the question's chosen take, so the session's summary counts it.
    session.takes[0].preferred = true;
    session.takes[1].preferred = false;
}

/// The page at `path` as a browser builds it (headless Chromium).
fn dom_of(path: &Path) -> String {
    String::from_utf8_lossy(&chromium(path, &["--dump-dom"])).into_owned()
}

/// What headless Chromium prints for the page at `path` with `args`.
fn chromium(path: &Path, args: &[&str]) -> Vec<u8> {
    let profile = TempDir::new().unwrap();
    let output = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(format!("file://{}", path.display()))
        .output()
        .expect("chromium must be installed (make test installs it)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// What a person reading `report.html` in `folder` (of `session`) needs:
/// a title and dates they read, counts in words, the transcript across the
/// row, what the interviewer listens for and the tips; and a picture of the
/// page to look at (kept under target/).
fn report_reads_well(dom: &str, folder: &Path, session: &Session) {
    // Titled and dated as a person reads them; the id for reference.
    let when = rehearse::store::history::readable_time(session.started_at);
    assert!(
        dom.contains(&format!("<title>Mock interview, {when}</title>")),
        "{dom}"
    );
    assert!(
        dom.contains(&format!("<h2>Mock interview, {when}</h2>")),
        "{dom}"
    );
    assert!(dom.contains(&format!("Session {}", session.id)), "{dom}");
    assert!(dom.contains("1 session, 3 takes."), "{dom}");
    assert!(!dom.contains("(s)"), "{dom}");
    // The words take the row's whole width.
    assert!(
        dom.contains("<tr class=\"speech\"><td colspan=\"6\">"),
        "{dom}"
    );
    // A picture of the page, to look at (kept under target/).
    let picture = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report.png");
    chromium(
        &folder.join("report.html"),
        &[
            &format!("--screenshot={}", picture.display()),
            "--window-size=1100,1400",
            "--hide-scrollbars",
        ],
    );
    assert!(picture.is_file());
    // For a mentor reading it: what the interviewer listens for, and tips.
    assert!(
        dom.contains(
            "<strong>What the interviewer listens for:</strong> Whether you have really shipped things"
        ),
        "{dom}"
    );
    assert!(
        dom.contains(
            "<li>Say what your own role was and how the work was split and coordinated.</li>"
        ),
        "{dom}"
    );
}

#[test]
fn the_report_is_html_a_browser_opens_with_everything_escaped() {
    let dir = TempDir::new().unwrap();
    let (store, mut session) = store_with_takes(dir.path());
    give_the_first_take_a_transcript(&store, &mut session);
    session.plan.mode = rehearse::interview::SessionMode::MockInterview;
    store.save(&session).unwrap();
    let folder = dir.path().join("report");
    export(
        &store,
        &request(
            &session,
            folder.clone(),
            Container::Folder,
            AudioFormat::Wav,
        ),
        |_| true,
    )
    .unwrap();
    let dom = dom_of(&folder.join("report.html"));
    report_reads_well(&dom, &folder, &session);
    assert!(dom.contains(&session.questions[0].text));
    assert!(
        dom.contains("Is &lt;script&gt;alert(1)&lt;/script&gt; escaped?"),
        "{dom}"
    );
    assert!(!dom.contains("<script>"), "no script from the data runs");
    assert_eq!(dom.matches("<audio").count(), 3);
    // Every player links to a file that exists in the export.
    for src in dom.split("src=\"").skip(1) {
        let link = src.split('"').next().unwrap().replace("&amp;", "&");
        assert!(folder.join(&link).is_file(), "{link} is not in the export");
    }

    assert!(
        dom.contains(
            "“<mark class=\"filler\">Um,</mark> I used a <mark class=\"keyword\">read</mark> \
             <mark class=\"keyword\">replica</mark> <span class=\"pause\">· 1.2 s ·</span> \
             &lt;now&gt;.”"
        ),
        "{dom}"
    );
    assert!(dom.contains("covered 1 of 1: read replica"), "{dom}");
    // What a strong answer covers, with the sentence that covered it.
    assert!(
        dom.contains("<strong>What a strong answer covers</strong>"),
        "{dom}"
    );
    assert!(
        dom.contains(
            "<li><span class=\"covered\">covered</span> Reads moved to a read replica \
             <span class=\"muted\">0:00 “Um, I used a read replica &lt;now&gt;.”</span></li>"
        ),
        "{dom}"
    );
    assert!(
        dom.contains("<span class=\"missing\">missing</span> A cache in front of the database"),
        "{dom}"
    );
    assert!(
        dom.contains("What was said: 0:02 speaking · 189 words a minute"),
        "{dom}"
    );
    let inside = folder.join(&session.id).join("takes");
    let stem = format!("01-{}-take1", session.takes[0].question_id);
    assert_eq!(
        std::fs::read_to_string(inside.join(format!("{stem}.txt"))).unwrap(),
        "Um, I used a read replica <now>.\n"
    );
    let vtt = std::fs::read_to_string(inside.join(format!("{stem}.vtt"))).unwrap();
    assert!(
        vtt.starts_with("WEBVTT\n\n00:00:00.000 --> 00:00:01.400\nUm, I used"),
        "{vtt}"
    );

    let csv = std::fs::read_to_string(folder.join("takes.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(
        csv.lines().next().unwrap().ends_with(
            ",transcript,words,words_per_minute,fillers,filler_percent,keywords_covered,keywords_total,i_share,result_stated,session_mode,points_covered,points_total,star_parts,follow_up_of,follow_up_question"
        ),
        "{csv}"
    );
    // 7 words, 1 filler (14.286 %), the keyword covered; a behavioural
    // question: all "I"; it asks for no story, so no result is looked for.
    assert!(
        csv.contains(",Um, I used a read replica <now>.,7,")
            || csv.contains(",\"Um, I used a read replica <now>.\",7,"),
        "{csv}"
    );
    assert!(
        csv.contains(",1,14.286,1,1,1.000,,mock interview,1,2,,,\n"),
        "{csv}"
    );
    assert!(
        csv.contains("\"said \"\"um\"\" a lot, then = fine\""),
        "{csv}"
    );
}

#[test]
fn an_export_never_overwrites_without_force_and_a_cancel_leaves_nothing() {
    let dir = TempDir::new().unwrap();
    let (store, session) = store_with_takes(dir.path());
    let target = dir.path().join("out.zip");
    std::fs::write(&target, b"someone else's file").unwrap();
    let mut req = request(&session, target.clone(), Container::Zip, AudioFormat::Wav);
    assert!(matches!(
        export(&store, &req, |_| true),
        Err(ExportError::Exists(_))
    ));
    assert_eq!(std::fs::read(&target).unwrap(), b"someone else's file");

    let fresh = dir.path().join("cancelled");
    let cancelled = request(&session, fresh.clone(), Container::Folder, AudioFormat::Wav);
    let mut calls = 0;
    let result = export(&store, &cancelled, |_| {
        calls += 1;
        calls < 3
    });
    assert!(matches!(result, Err(ExportError::Cancelled)));
    assert!(!fresh.exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // --force replaces only an earlier export, never someone else's file.
    req.force = true;
    assert!(matches!(
        export(&store, &req, |_| true),
        Err(ExportError::Refused { .. })
    ));
    assert_eq!(std::fs::read(&target).unwrap(), b"someone else's file");
    std::fs::remove_file(&target).unwrap();
    export(&store, &req, |_| true).unwrap();
    export(&store, &req, |_| true).unwrap();
    let tested = Command::new("unzip")
        .arg("-t")
        .arg(&target)
        .output()
        .unwrap();
    assert!(tested.status.success());
}

#[test]
fn the_cli_exports_and_refuses_to_overwrite() {
    let dir = TempDir::new().unwrap();
    let (store, _session) = store_with_takes(dir.path());
    drop(store);
    let data = dir.path().join("data");
    let target = dir.path().join("cli.zip");
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_rehearse"))
            .arg("--data-dir")
            .arg(&data)
            .args(["export", "latest", "--zip", "--flac", "--to"])
            .arg(&target)
            .args(extra)
            .output()
            .unwrap()
    };
    let first = run(&[]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("exported 3 recordings"));
    let second = run(&[]);
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("--force"));
    assert!(run(&["--force"]).status.success());
}

/// A hand-edited manifest that gives two takes one number: both are
/// exported, the second under the next free name, and the zip passes
/// `unzip -t` (the export failed whole before).
#[test]
fn two_takes_with_one_name_are_both_exported() {
    let dir = TempDir::new().unwrap();
    let (store, mut session) = store_with_takes(dir.path());
    session.takes[1].take = 1;
    store.save(&session).unwrap();
    let zip_path = dir.path().join("same-names.zip");
    let summary = export(
        &store,
        &request(&session, zip_path.clone(), Container::Zip, AudioFormat::Wav),
        |_| true,
    )
    .unwrap();
    assert_eq!(summary.audio_files, 3);
    let tested = Command::new("unzip")
        .arg("-t")
        .arg(&zip_path)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&tested.stdout);
    assert!(tested.status.success(), "{listing}");
    assert!(listing.contains("-take1.wav"), "{listing}");
    assert!(listing.contains("-take1-2.wav"), "{listing}");
}

/// A follow-up take is exported under a name that sorts after its
/// question's answers and before the next question's, as the data folder
/// names it.
#[test]
fn a_follow_up_take_sorts_after_its_questions_answers() {
    let dir = TempDir::new().unwrap();
    let (store, mut session) = store_with_takes(dir.path());
    let follow_up_request = rehearse::interview::TakeRequest {
        question_index: 0,
        take: 1,
        limit: None,
        follow_up_depth: 1,
    };
    let turn = rehearse::interview::FollowUpTurn {
        depth: 1,
        ask: "What did you measure?".to_owned(),
        reason: "no measurable result yet".to_owned(),
    };
    let (full, follow_up) = store.planned_take(&session, &follow_up_request, Some(&turn));
    let follow_up = follow_up.unwrap();
    assert_eq!(
        follow_up.take, session.takes[1].file,
        "follows the latest answer"
    );
    let mut file = TakeFile::create(&full, TakeFormat::S16, 48_000).unwrap();
    file.write(&[0.1; 48_000]).unwrap();
    file.finish().unwrap();
    let relative = format!("takes/{}", full.file_name().unwrap().to_string_lossy());
    session.takes.push(Take {
        duration_ms: 1000,
        follow_up: Some(follow_up),
        ..session.new_take(0, 1, relative, jiff::Timestamp::now())
    });
    store.save(&session).unwrap();
    let zip_path = dir.path().join("follow-up.zip");
    export(
        &store,
        &request(&session, zip_path.clone(), Container::Zip, AudioFormat::Wav),
        |_| true,
    )
    .unwrap();
    let listed = Command::new("unzip")
        .arg("-Z1")
        .arg(&zip_path)
        .output()
        .unwrap();
    assert!(listed.status.success());
    let mut takes: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .filter(|line| line.contains("/takes/"))
        .map(|line| line.rsplit('/').next().unwrap_or_default().to_owned())
        .collect();
    takes.sort();
    assert_eq!(takes.len(), 4, "{takes:?}");
    assert!(
        takes[0].ends_with("-take1.wav") && takes[1].ends_with("-take2.wav"),
        "{takes:?}"
    );
    assert!(
        takes[2].starts_with("01-") && takes[2].ends_with("-then-follow-up1.wav"),
        "{takes:?}"
    );
    assert!(takes[3].starts_with("02-"), "{takes:?}");

    // takes.csv names the take it follows as the export does, and the
    // report puts the follow-up's question above its answer.
    let unzipped = |name: &str| {
        let out = Command::new("unzip")
            .arg("-p")
            .arg(&zip_path)
            .arg(name)
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}");
        String::from_utf8(out.stdout).unwrap()
    };
    let csv = unzipped("takes.csv");
    let row = csv
        .lines()
        .find(|line| line.contains("-then-follow-up1.wav"))
        .unwrap_or_else(|| panic!("no follow-up row in {csv}"));
    assert!(
        row.ends_with(&format!(
            ",{}/takes/{},What did you measure?",
            session.id, takes[1]
        )),
        "{row}"
    );
    let report = unzipped("report.html");
    let asked = report.find("Follow-up: What did you measure?").unwrap();
    let answer = report.find("-then-follow-up1.wav").unwrap();
    assert!(asked < answer, "{report}");
}
