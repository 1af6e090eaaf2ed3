//! UI time of one frame (no GPU: the frame is laid out and tessellated by
//! egui, not rendered) of the history screen over 1,000 sessions and of the
//! review screen of a 30-minute take (without and with its transcript),
//! next to a minimal egui frame measured the same way; the review's frames
//! while the content of a 30-minute transcript is judged in the background;
//! and the time to compute every measure of a 2-minute transcript. Run by `make bench`
//! (`cargo bench --bench ui_frames`); prints one JSON object per
//! measurement.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "a benchmark: a failure is a panic"
)]

use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use rehearse::app::{AppState, Screen};
use rehearse::paths::DataDir;
use rehearse::questions::{PackSources, QuestionBank};
use rehearse::shell::Window;
use rehearse::store::Session;

const FRAMES: usize = 300;

fn fixture(id: &str, started: &str) -> Session {
    let mut session: Session =
        serde_json::from_str(include_str!("../tests/fixtures/session-v1.json")).unwrap();
    session.id = id.to_owned();
    session.started_at = started.parse().unwrap();
    session
}

fn write(data: &Path, session: &Session) {
    let folder = data.join("sessions").join(&session.id);
    std::fs::create_dir_all(folder.join("takes")).unwrap();
    std::fs::write(
        folder.join("session.json"),
        serde_json::to_vec(session).unwrap(),
    )
    .unwrap();
}

fn app(data: &Path) -> Harness<'static, Window> {
    let data_dir = DataDir::resolve(Some(data.to_path_buf())).unwrap();
    let bank = QuestionBank::load(&PackSources::default());
    Harness::builder()
        .with_size([1000.0, 740.0])
        .build_eframe(move |cc| Window::new(&cc.egui_ctx, data_dir, PackSources::default(), bank))
}

fn settle(harness: &mut Harness<'_, Window>, done: impl Fn(&AppState) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !done(harness.state()) {
        assert!(Instant::now() < deadline, "the app did not settle");
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    for _ in 0..5 {
        harness.step();
    }
}

/// The times of `runs` calls of `work`, in milliseconds, fastest first.
fn sorted_times_ms(runs: usize, mut work: impl FnMut()) -> Vec<f64> {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times
}

/// Median and 95th percentile of `FRAMES` frames, in milliseconds.
fn frame_times(step: impl FnMut()) -> (f64, f64) {
    let times = sorted_times_ms(FRAMES, step);
    (times[FRAMES / 2], times[FRAMES * 95 / 100])
}

fn report(name: &str, (median, p95): (f64, f64)) {
    println!(r#"{{"name": "{name}", "median_ms": {median:.4}, "p95_ms": {p95:.4}}}"#);
}

/// A transcript of `minutes` at 150 words a minute: an answer's words with
/// fillers, a keyword now and then, and a pause every 40 words.
fn transcript(minutes: u64) -> rehearse::speech::Transcript {
    const TEXT: &str = "So, um, when the reports slowed down I started from the slow query log, \
        and, uh, the worst query scanned the orders table because the filter had no index. \
        I think we added a composite index, measured again, and the time fell from four seconds \
        to eighty milliseconds. Then I moved the reports to a read replica, you know, so the \
        primary only served customers, and we watched the replication lag for a week.";
    let words: Vec<&str> = TEXT.split_whitespace().collect();
    let count = minutes * 150;
    let mut at = 0;
    let words = (0..count)
        .map(|n| {
            if n % 40 == 39 {
                at += 1_500;
            }
            let word = rehearse::speech::transcript::Word {
                text: format!(" {}", words[n as usize % words.len()]),
                start_ms: at,
                end_ms: at + 330,
                probability: 0.9,
            };
            at += 400;
            word
        })
        .collect();
    rehearse::speech::Transcript {
        schema: rehearse::speech::transcript::SCHEMA,
        model: rehearse::speech::transcript::ModelStamp {
            name: "tiny.en".to_owned(),
            sha256: "0".repeat(64),
        },
        language: "en".to_owned(),
        duration_ms: at,
        segments: vec![rehearse::speech::transcript::Segment {
            start_ms: 0,
            end_ms: at,
            text: TEXT.to_owned(),
        }],
        words,
    }
}

/// Median time of `runs` calls of `work`, in milliseconds.
fn median_ms(runs: usize, work: impl FnMut()) -> f64 {
    sorted_times_ms(runs, work)[runs / 2]
}

fn main() {
    // `cargo bench --bench ui_frames -- follow-up`: that figure alone.
    if std::env::args().any(|arg| arg == "follow-up") {
        follow_up_after_answer();
        return;
    }
    let keywords = measures();
    search();
    // The yardstick: a minimal egui frame, stepped the same way.
    let mut minimal = Harness::builder()
        .with_size([1000.0, 740.0])
        .build_ui(|ui| {
            ui.heading("Minimal");
            ui.label("A minimal egui frame.");
        });
    report("minimal frame", frame_times(|| minimal.step()));

    history();
    review(&keywords);
    follow_up_after_answer();
}

/// Warm rounds of the follow-up time (medians).
const FOLLOW_UP_ROUNDS: u32 = 3;

/// From the end of a 2-minute answer to its follow-up on screen, as the
/// window does it (the take measured, transcribed with tiny.en on the
/// jobs thread, judged with the sentence model, the follow-up chosen and
/// drawn), against the same take's transcription alone in this process:
/// the goal is the transcript's time plus at most 50 ms. The answer is
/// `REHEARSE_BENCH_ANSWER_WAV` (bench.py's 2-minute answer about a slow query).
fn follow_up_after_answer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-model");
    let speech_model = root.join("ggml-tiny.en.bin");
    let sentence_model = root.join(rehearse::content::model::NAME);
    let Some(wav) = std::env::var_os("REHEARSE_BENCH_ANSWER_WAV") else {
        eprintln!("REHEARSE_BENCH_ANSWER_WAV is not set: the follow-up time is skipped");
        return;
    };
    if !speech_model.is_file() || !sentence_model.join("model.safetensors").is_file() {
        eprintln!(
            "the test models are missing (python3 scripts/make_test_model.py): the follow-up time is skipped"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (session, session_dir) =
        follow_up_session(&data, Path::new(&wav), &speech_model, &sentence_model);

    // The yardstick: the same take transcribed and written alone (in a
    // folder of its own), with the model loaded.
    let yardstick_dir = dir.path().join("yardstick");
    std::fs::create_dir_all(yardstick_dir.join("takes")).unwrap();
    let take = session.takes[0].clone();
    std::fs::copy(&wav, yardstick_dir.join(&take.file)).unwrap();
    let mut engine = rehearse::speech::Engine::new();
    let mut transcribe = || transcribe_alone(&yardstick_dir, &take, &mut engine, &speech_model);
    let cold_transcript_s = transcribe();

    let mut window = window_on_session(&data, &session.id);
    settle(&mut window, |app| {
        app.screen == Screen::Review && app.is_settled()
    });
    let mut answer = |index: usize| {
        let follow_up = |app: &AppState| {
            let s = app.sessions.get(&session.id)?;
            let take = &s.takes[index];
            match s.follow_up_after(&take.file, false) {
                rehearse::store::NextFollowUp::Ask(choice) if take.content.is_some() => {
                    Some(choice)
                }
                _ => None,
            }
        };
        // What a finished take starts: its measures and its transcript,
        // side by side.
        for action in ["Analyse speech of", "Transcribe"] {
            window
                .get_by_label(&format!("{action} take {} of question 1", index + 1))
                .click_accesskit();
        }
        let started = Instant::now();
        // A frame every 16 ms, as the waiting screen's spinner draws.
        while follow_up(window.state()).is_none() {
            assert!(started.elapsed() < Duration::from_secs(300), "no follow-up");
            let frame = Instant::now();
            window.step();
            std::thread::sleep(Duration::from_millis(16).saturating_sub(frame.elapsed()));
        }
        window.step();
        let seconds = started.elapsed().as_secs_f64();
        // The transcript file is written as the transcription ends: what
        // came after it is the follow-up's own time.
        let written = session.takes[index]
            .transcript_path(&session_dir)
            .ok()
            .and_then(|path| std::fs::metadata(path).ok()?.modified().ok())
            .expect("the transcript is written");
        let beyond = SystemTime::now()
            .duration_since(written)
            .unwrap_or_default()
            .as_secs_f64();
        let choice = follow_up(window.state()).unwrap();
        assert!(
            window
                .query_all_by_label_contains(&choice.ask)
                .next()
                .is_some(),
            "the follow-up is on screen"
        );
        (seconds, beyond)
    };
    let (cold_s, cold_beyond) = answer(0);
    // In turns, so both meet the same noise.
    let (mut ours, mut beyond, mut theirs) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=FOLLOW_UP_ROUNDS {
        theirs.push(transcribe());
        let (seconds, after) = answer(round as usize);
        ours.push(seconds);
        beyond.push(after);
    }
    let median = |mut times: Vec<f64>| {
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    let (warm_s, beyond_ms, transcript_s) = (median(ours), median(beyond) * 1000.0, median(theirs));
    let cold_beyond_ms = cold_beyond * 1000.0;
    println!(
        r#"{{"name": "follow-up after a 2-minute answer", "seconds": {warm_s:.3}, "beyond_ms": {beyond_ms:.1}, "transcript_s": {transcript_s:.3}, "cold_seconds": {cold_s:.3}, "cold_beyond_ms": {cold_beyond_ms:.1}, "cold_transcript_s": {cold_transcript_s:.3}, "threads": {}}}"#,
        rehearse::speech::engine::recognition_threads()
    );
}

/// Seconds to transcribe `take` in `folder` and write its transcript (then
/// removed, to do it again).
fn transcribe_alone(
    folder: &Path,
    take: &rehearse::store::Take,
    engine: &mut rehearse::speech::Engine,
    model: &Path,
) -> f64 {
    let started = Instant::now();
    rehearse::store::transcripts::transcribe_take(
        folder,
        take,
        engine,
        model,
        &rehearse::speech::Control::new(),
    )
    .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    std::fs::remove_file(take.transcript_path(folder).unwrap()).unwrap();
    seconds
}

/// A data folder at `data` with both models and a session of a database
/// question whose takes are copies of `wav`, not yet measured (as the
/// recorder leaves a take when the answer ends): the first to find the
/// models cold, [`FOLLOW_UP_ROUNDS`] more warm. The session and its folder.
fn follow_up_session(
    data: &Path,
    wav: &Path,
    speech_model: &Path,
    sentence_model: &Path,
) -> (Session, std::path::PathBuf) {
    let models = data.join("models");
    std::fs::create_dir_all(models.join(rehearse::content::model::NAME)).unwrap();
    std::fs::copy(speech_model, models.join("ggml-tiny.en.bin")).unwrap();
    for name in ["model.safetensors", "tokenizer.json"] {
        std::fs::copy(
            sentence_model.join(name),
            models.join(rehearse::content::model::NAME).join(name),
        )
        .unwrap();
    }
    let bank = QuestionBank::load(&PackSources::default());
    let request = rehearse::interview::PlanRequest {
        questions: vec![
            rehearse::model::QuestionId::parse("relational-database-experience").unwrap(),
        ],
        ..rehearse::interview::PlanRequest::default()
    };
    let plan =
        rehearse::interview::build_plan(bank.questions(), &request, &Default::default()).unwrap();
    let data_dir = DataDir::resolve(Some(data.to_path_buf())).unwrap();
    let store = rehearse::store::Store::open(data_dir).unwrap().store;
    let mut session = store.create_session(&plan).unwrap();
    let session_dir = store.session_dir(&session.id);
    for number in 1..=1 + FOLLOW_UP_ROUNDS {
        let file = format!("takes/01-relational-database-experience-take{number}.wav");
        std::fs::copy(wav, session_dir.join(&file)).unwrap();
        let mut take = session.new_take(0, number, file, jiff::Timestamp::now());
        take.duration_ms = 109_333;
        take.sample_rate = 22_050;
        session.takes.push(take);
    }
    store.save(&session).unwrap();
    drop(store);

    (session, session_dir)
}

/// Every measure of a 2-minute transcript; its text is written for the
/// yardstick (Python's regular expressions over the same words). Returns
/// the keywords used.
fn measures() -> Vec<String> {
    let answer = transcript(2);
    let keywords: Vec<String> = ["index", "read replica", "replication lag", "sharding"]
        .iter()
        .map(|k| (*k).to_owned())
        .collect();
    let context = rehearse::feedback::AnswerContext {
        kind: Some(rehearse::model::QuestionKind::Behavioural),
        keywords: &keywords,
        answer_seconds: Some(120),
        story: true,
    };
    let measures_ms = median_ms(501, || {
        std::hint::black_box(rehearse::feedback::SpokenMeasures::of(
            std::hint::black_box(&answer),
            &context,
        ));
    });
    let text_file = Path::new(env!("CARGO_TARGET_TMPDIR")).join("transcript-2min.txt");
    let text: Vec<&str> = answer.words.iter().map(|w| w.text.trim()).collect();
    std::fs::write(&text_file, text.join(" ")).unwrap();
    println!(
        r#"{{"name": "measures of a 2-minute transcript", "median_ms": {measures_ms:.4}, "words": {}, "text": {:?}}}"#,
        answer.words.len(),
        text_file.display().to_string()
    );

    keywords
}

/// Searching 1,000 sessions × 10 takes of 300-word transcripts for a
/// phrase said in one take of 50; the same transcripts are written as text
/// files for the yardstick (`grep -ril`).
fn search() {
    const VOCABULARY: &[&str] = &[
        "the",
        "query",
        "index",
        "table",
        "orders",
        "we",
        "I",
        "measured",
        "latency",
        "cache",
        "so",
        "um",
        "service",
        "deploy",
        "rollback",
        "team",
        "metrics",
        "alert",
        "primary",
        "load",
        "customers",
        "scan",
        "plan",
        "week",
        "faster",
        "read",
        "queue",
        "worker",
    ];
    let fixture = fixture("x", "2026-01-01T10:00:00Z");
    let corpus = Path::new(env!("CARGO_TARGET_TMPDIR")).join("search-corpus");
    let _ = std::fs::remove_dir_all(&corpus);
    let mut index = rehearse::store::search::TranscriptIndex::default();
    let mut seed = 7u32;
    for number in 0..1000u32 {
        let mut session = fixture.clone();
        session.id = format!("2026-01-01T100000Z-{number:04x}");
        let take = session.takes[0].clone();
        let folder = corpus.join(&session.id);
        std::fs::create_dir_all(&folder).unwrap();
        for t in 0..10u32 {
            let take = rehearse::store::Take {
                file: format!("takes/01-q-take{t}.wav"),
                ..take.clone()
            };
            let mut words: Vec<String> = (0..300)
                .map(|_| {
                    seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    VOCABULARY[(seed >> 16) as usize % VOCABULARY.len()].to_owned()
                })
                .collect();
            if (number * 10 + t) % 50 == 0 {
                words[150] = "read".to_owned();
                words[151] = "replica".to_owned();
            }
            let mut answer = transcript(2);
            for (word, text) in answer.words.iter_mut().zip(&words) {
                word.text = format!(" {text}");
            }
            index.add(&session, &take, &answer);
            std::fs::write(folder.join(format!("{t}.txt")), words.join(" ")).unwrap();
        }
    }
    let mut found = 0;
    let search_ms = median_ms(21, || {
        found = index.search("read replica", usize::MAX).len();
    });
    assert_eq!(found, 200);
    println!(
        r#"{{"name": "search of 10,000 transcripts", "median_ms": {search_ms:.3}, "hits": {found}, "corpus": {:?}}}"#,
        corpus.display().to_string()
    );
}

/// The history of 1,000 sessions of 10 takes.
fn history() {
    let dir = tempfile::tempdir().unwrap();
    let base = fixture("x", "2026-01-01T10:00:00Z");
    for index in 0..1000u32 {
        let mut session = base.clone();
        session.id = format!(
            "2026-{:02}-{:02}T100000Z-{index:04x}",
            1 + index % 12,
            1 + index % 28
        );
        session.started_at = format!("2026-{:02}-{:02}T10:00:00Z", 1 + index % 12, 1 + index % 28)
            .parse()
            .unwrap();
        let take = base.takes[1].clone();
        session.takes = (0..10)
            .map(|t| rehearse::store::Take {
                take: t + 1,
                rating: rehearse::model::Rating::new(1 + (t + index) as u8 % 5),
                ..take.clone()
            })
            .collect();
        write(dir.path(), &session);
    }
    let mut history = app(dir.path());
    settle(&mut history, AppState::is_settled);
    open_history(&mut history);
    settle(&mut history, |app| {
        app.screen == Screen::History && app.history.rows.len() == 1000
    });
    report(
        "history frame, 1,000 sessions",
        frame_times(|| history.step()),
    );
}

/// Shows the history (a window opens on the screen it showed last, which
/// may be the history already).
fn open_history(harness: &mut Harness<'_, Window>) {
    if harness.state().screen != Screen::History {
        harness.get_by_label("History").click();
    }
}

/// A window over `data` (one session, `id`) whose "Open" of that session
/// in the history was just clicked.
fn window_on_session(data: &Path, id: &str) -> Harness<'static, Window> {
    let mut window = app(data);
    settle(&mut window, AppState::is_settled);
    open_history(&mut window);
    settle(&mut window, |app| app.history.rows.len() == 1);
    window.get_by_label(&format!("Open session {id}")).click();
    window
}

/// A window over `data` showing the review of session `id`, once its
/// waveforms are drawn; how long that took after "Open" is printed as
/// `name`.
fn open_review(data: &Path, id: &str, name: &str) -> Harness<'static, Window> {
    let mut review = window_on_session(data, id);
    let start = Instant::now();
    settle(&mut review, |app| {
        app.screen == Screen::Review && app.is_settled() && !app.waveforms.is_empty()
    });
    println!(
        r#"{{"name": "{name}", "seconds": {:.3}}}"#,
        start.elapsed().as_secs_f64()
    );
    review
}

/// The review of one 30-minute take, without and with its transcript.
fn review(keywords: &[String]) {
    // Review: one 30-minute take (16-bit, 48 kHz: 173 MB).
    let dir = tempfile::tempdir().unwrap();
    let mut session = fixture("2026-11-20T091500Z-7f3a", "2026-11-20T09:15:00Z");
    session.takes.truncate(1);
    session.takes[0].duration_ms = 30 * 60 * 1000;
    write(dir.path(), &session);
    let wav = dir
        .path()
        .join("sessions")
        .join(&session.id)
        .join(&session.takes[0].file);
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(&wav, spec).unwrap();
    let mut seed = 1u32;
    for i in 0..(30 * 60 * 48_000u32) {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let envelope = ((i / 48_000) % 7) as f32 / 7.0;
        let noise = (seed >> 16) as f32 / 65_536.0 - 0.5;
        writer
            .write_sample((noise * envelope * 32_000.0) as i16)
            .unwrap();
    }
    writer.finalize().unwrap();
    let mut review = open_review(dir.path(), &session.id, "waveform of a 30-minute take read");
    report(
        "review frame, one 30-minute take",
        frame_times(|| review.step()),
    );
    drop(review);

    // Opened again: its peak summary was kept the first time.
    drop(open_review(
        dir.path(),
        &session.id,
        "waveform of a 30-minute take from its summary",
    ));

    // The same take with the transcript of its 30 minutes (4,500 words).
    let long = transcript(30);
    let folder = dir.path().join("sessions").join(&session.id);
    long.write(&session.takes[0].transcript_path(&folder).unwrap())
        .unwrap();
    session.questions[0].keywords = keywords.to_vec();
    let file = session.takes[0].file.clone();
    session.apply_transcript(&file, &long);
    write(dir.path(), &session);
    let mut review = window_on_session(dir.path(), &session.id);
    settle(&mut review, |app| {
        app.screen == Screen::Review
            && app.is_settled()
            && !app.waveforms.is_empty()
            && app
                .transcripts
                .values()
                .any(|slot| matches!(slot, rehearse::app::TranscriptSlot::Ready(_)))
    });
    report(
        "review frame, one 30-minute take with its transcript",
        frame_times(|| review.step()),
    );
    drop(review);
    review_while_judging(dir.path(), &session);
}

/// Frames of the review while the jobs thread judges the content of a
/// 30-minute transcript with the sentence model (the take was transcribed
/// before content was judged, so reading its transcript queues the
/// judging). From the frames after the transcript's first layout, a frame
/// is stepped every 16 ms, as a display would ask; prints the worst and
/// 95th-percentile frame, how many frames ran and how long from the
/// transcript's arrival the judging took.
fn review_while_judging(data: &Path, session: &Session) {
    let sentence_model = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/test-model")
        .join(rehearse::content::model::NAME);
    if !sentence_model.join("model.safetensors").is_file() {
        eprintln!(
            "{} is missing (python3 scripts/make_test_model.py): judging frames skipped",
            sentence_model.display()
        );
        return;
    }
    let installed = data.join("models").join(rehearse::content::model::NAME);
    std::fs::create_dir_all(&installed).unwrap();
    for name in ["model.safetensors", "tokenizer.json"] {
        std::fs::copy(sentence_model.join(name), installed.join(name)).unwrap();
    }
    // The window before judged it literally and kept that: as it was.
    write(data, session);
    let mut review = window_on_session(data, &session.id);
    let judged = |app: &AppState| {
        app.sessions
            .get(&session.id)
            .is_some_and(|s| s.takes[0].content.is_some())
    };
    // The judging is queued when the transcript is read; the frame that
    // first lays the transcript out is the screen opening, timed apart.
    let started = Instant::now();
    settle(&mut review, |app| {
        app.transcripts
            .values()
            .any(|slot| matches!(slot, rehearse::app::TranscriptSlot::Ready(_)))
    });
    let mut times = Vec::new();
    while !judged(review.state()) {
        assert!(started.elapsed() < Duration::from_secs(300), "never judged");
        let frame = Instant::now();
        review.step();
        let took = frame.elapsed();
        times.push(took.as_secs_f64() * 1000.0);
        std::thread::sleep(Duration::from_millis(16).saturating_sub(took));
    }
    let judging = started.elapsed().as_secs_f64();
    assert!(!times.is_empty(), "judged before a frame could be timed");
    times.sort_by(f64::total_cmp);
    let content = review.state().sessions.get(&session.id).unwrap().takes[0]
        .content
        .clone()
        .unwrap();
    assert!(content.by_meaning, "judged by meaning");
    println!(
        r#"{{"name": "review frames while a 30-minute transcript is judged", "worst_ms": {:.3}, "p95_ms": {:.3}, "frames": {}, "judging_s": {judging:.3}}}"#,
        times[times.len() - 1],
        times[times.len() * 95 / 100],
        times.len()
    );
}
