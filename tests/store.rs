//! The session store on real folders: round trips, damaged manifests, the
//! single-owner lock, crash recovery into sessions, hostile names.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test helper that fails should fail the test"
)]

use std::collections::HashMap;
use std::path::Path;

use rehearse::audio::TakeFormat;
use rehearse::audio::take_file::TakeFile;
use rehearse::interview::{PlanRequest, StopReason, build_plan};
use rehearse::model::Rating;
use rehearse::paths::DataDir;
use rehearse::questions::{PackSources, QuestionBank};
use rehearse::store::{Session, Store, StoreError, Take};
use tempfile::TempDir;

fn open(dir: &Path) -> Store {
    Store::open(DataDir::resolve(Some(dir.to_path_buf())).unwrap())
        .unwrap()
        .store
}

fn new_session(store: &Store, count: usize) -> Session {
    let bank = QuestionBank::load(&PackSources::default());
    let request = PlanRequest {
        count: Some(count),
        ..PlanRequest::default()
    };
    let plan = build_plan(bank.questions(), &request, &HashMap::new()).unwrap();
    store.create_session(&plan).unwrap()
}

fn take(session: &Session, question_index: usize, number: u32, file: String) -> Take {
    Take {
        duration_ms: 1500,
        ..session.new_take(question_index, number, file, jiff::Timestamp::now())
    }
}

#[test]
fn sessions_round_trip_and_list_newest_first() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    let mut first = new_session(&store, 2);
    let (relative, _) = store.take_path(&first, 1, 1);
    assert_eq!(
        relative,
        format!("takes/02-{}-take1.wav", first.questions[1].id)
    );
    first.takes.push(take(&first, 1, 1, relative));
    store.save(&first).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = new_session(&store, 1);

    assert_eq!(store.load(&first.id).unwrap(), first);
    let listing = store.list().unwrap();
    let ids: Vec<&str> = listing.sessions.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, [second.id.as_str(), first.id.as_str()]);
    assert!(listing.damaged.is_empty());
    assert_eq!(store.resolve("latest").unwrap(), second.id);
    assert_eq!(
        store.resolve(&first.id[..first.id.len() - 2]).unwrap(),
        first.id
    );
    assert!(matches!(
        store.resolve("1999"),
        Err(StoreError::NotFound(_))
    ));
}

/// A session written by a version-1 build is read as it is, and saved in
/// this build's format, saying so.
#[test]
fn an_older_session_is_read_and_saved_upgraded() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    // The fixture's folder name is its id.
    let id = "2026-11-20T091500Z-7f3a";
    let folder = store.session_dir(id);
    std::fs::create_dir_all(folder.join("takes")).unwrap();
    std::fs::write(
        folder.join("session.json"),
        include_str!("fixtures/session-v1.json"),
    )
    .unwrap();
    let loaded = store.load(id).unwrap();
    assert_eq!(loaded.schema_version, 1);
    assert!(loaded.questions[0].keywords.is_empty());
    store.save(&loaded).unwrap();
    let saved = std::fs::read_to_string(folder.join("session.json")).unwrap();
    let version = format!(
        "\"schema_version\": {}",
        rehearse::store::SESSION_SCHEMA_VERSION
    );
    assert!(saved.contains(&version), "{saved}");
    assert_eq!(store.load(id).unwrap().takes, loaded.takes);
}

#[test]
fn rating_deleting_takes_and_sessions() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    let mut session = new_session(&store, 1);
    for number in 1..=2 {
        let (relative, full) = store.take_path(&session, 0, number);
        std::fs::write(&full, b"RIFF").unwrap();
        session.takes.push(take(&session, 0, number, relative));
    }
    store.save(&session).unwrap();
    store
        .rate(
            &mut session,
            2,
            Rating::new(5).unwrap(),
            Some("clear and short"),
        )
        .unwrap();
    let reloaded = store.load(&session.id).unwrap();
    assert_eq!(reloaded.takes[1].rating, Rating::new(5));
    assert_eq!(reloaded.takes[1].notes, "clear and short");
    assert!(matches!(
        store.rate(&mut session, 3, Rating::new(1).unwrap(), None),
        Err(StoreError::NoSuchTake {
            take: 3,
            count: 2,
            ..
        })
    ));

    let first_file = store.session_dir(&session.id).join(&session.takes[0].file);
    // Its transcript goes with it.
    let transcript = rehearse::speech::transcript::sidecar_path(&first_file);
    std::fs::write(&transcript, b"{}").unwrap();
    store.delete_take(&mut session, 1).unwrap();
    assert!(!first_file.exists());
    assert!(!transcript.exists());
    assert_eq!(store.load(&session.id).unwrap().takes.len(), 1);

    store.delete_session(&session.id).unwrap();
    assert!(!store.session_dir(&session.id).exists());
    assert!(store.list().unwrap().sessions.is_empty());
}

#[test]
fn a_damaged_manifest_is_listed_with_its_reason_and_never_rewritten() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    let good = new_session(&store, 1);
    let broken = new_session(&store, 1);
    let path = store.session_dir(&broken.id).join("session.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let truncated = &text[..text.len() / 2];
    std::fs::write(&path, truncated).unwrap();

    let listing = store.list().unwrap();
    assert_eq!(listing.sessions.len(), 1);
    assert_eq!(listing.sessions[0].id, good.id);
    assert_eq!(listing.damaged.len(), 1);
    let reason = listing.damaged[0].reason.to_string();
    assert!(
        reason.starts_with(&format!("{}:", path.display())),
        "{reason}"
    );
    assert!(matches!(listing.damaged[0].reason, StoreError::Damaged { line, .. } if line > 1));

    // Reopening (which runs recovery) leaves it exactly as it was.
    drop(store);
    let store = open(dir.path());
    let _ = store.list().unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), truncated);
}

#[test]
fn hostile_manifests_never_panic_and_never_hide_the_others() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    let good = new_session(&store, 2);
    let valid = std::fs::read(store.session_dir(&good.id).join("session.json")).unwrap();
    let hostile: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"null".to_vec(),
        b"\xff\xfe\x00garbage".to_vec(),
        "[".repeat(100_000).into_bytes(),
        br#"{"schema_version": 99, "id": "x"}"#.to_vec(),
        br#"{"schema_version": 1e400}"#.to_vec(),
        String::from_utf8_lossy(&valid)
            .replace(
                "\"takes\": []",
                "\"takes\": [{\"question_index\": 18446744073709551615}]",
            )
            .into_bytes(),
    ];
    let mut rng = fastrand::Rng::with_seed(7);
    let mut cases = hostile;
    for _ in 0..300 {
        let mut mutated = valid.clone();
        for _ in 0..rng.usize(1..8) {
            let at = rng.usize(..mutated.len());
            match rng.u8(..3) {
                0 => mutated[at] = rng.u8(..),
                1 => {
                    mutated.remove(at);
                }
                _ => mutated.truncate(at),
            }
            if mutated.is_empty() {
                break;
            }
        }
        cases.push(mutated);
    }
    for (n, bytes) in cases.iter().enumerate() {
        let id = format!("2000-01-01T000000Z-{n:04}");
        std::fs::create_dir_all(store.session_dir(&id)).unwrap();
        std::fs::write(store.session_dir(&id).join("session.json"), bytes).unwrap();
    }
    let listing = store.list().unwrap();
    assert!(listing.sessions.iter().any(|s| s.id == good.id));
    assert_eq!(
        listing.sessions.len() + listing.damaged.len(),
        cases.len() + 1
    );
    for damaged in &listing.damaged {
        assert!(damaged.reason.to_string().contains("session.json"));
    }
}

#[test]
fn any_session_survives_save_and_load() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    let mut rng = fastrand::Rng::with_seed(42);
    let text = |rng: &mut fastrand::Rng| -> String {
        let alphabet = [
            'a', 'Z', ' ', '"', '\\', '\n', '\t', 'é', '✓', '\u{0}', '😀', '/',
        ];
        (0..rng.usize(0..40))
            .map(|_| alphabet[rng.usize(..alphabet.len())])
            .collect()
    };
    for _ in 0..100 {
        let mut session = new_session(&store, rng.usize(1..4));
        for n in 0..rng.usize(0..6) {
            let question = rng.usize(..session.questions.len());
            let mut t = take(
                &session,
                question,
                n as u32 + 1,
                format!("takes/{}.wav", text(&mut rng)),
            );
            t.rating = Rating::new(rng.u8(0..6));
            t.notes = text(&mut rng);
            t.star.action = rng.bool();
            t.preferred = rng.bool();
            t.duration_ms = rng.u64(..=rehearse::store::session::MAX_TAKE_MS);
            t.stopped = [
                StopReason::User,
                StopReason::TimeLimit,
                StopReason::Recovered,
            ][rng.usize(..3)];
            session.takes.push(t);
        }
        session.ended_at = rng.bool().then(jiff::Timestamp::now);
        store.save(&session).unwrap();
        assert_eq!(store.load(&session.id).unwrap(), session);
    }
}

#[test]
fn a_second_process_on_the_same_folder_is_read_only() {
    let dir = TempDir::new().unwrap();
    let owner = open(dir.path());
    assert!(!owner.is_read_only());
    let session = new_session(&owner, 1);
    let second = open(dir.path());
    assert!(second.is_read_only());
    assert_eq!(
        second.list().unwrap().sessions.len(),
        1,
        "it can still read"
    );
    let err = second.save(&session).unwrap_err();
    assert!(
        err.to_string().contains("another Rehearse is using"),
        "{err}"
    );
    assert!(matches!(
        second.delete_session(&session.id),
        Err(StoreError::ReadOnly(_))
    ));
    drop(owner);
    drop(second);
    assert!(!open(dir.path()).is_read_only());
}

#[test]
fn a_take_cut_short_by_a_crash_is_recovered_into_its_session() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    let session = new_session(&store, 2);
    let (relative, full) = store.take_path(&session, 1, 1);
    let mut file = TakeFile::create(&full, TakeFormat::S16, 48_000).unwrap();
    file.write(&vec![0.25; 48_000 * 2]).unwrap();
    file.checkpoint().unwrap();
    // The process dies: no finish, no manifest update, and its lock on the
    // file goes with it (here: the file is copied to a new one, unlocked).
    let part = file.part_path().to_path_buf();
    std::mem::forget(file);
    let bytes = std::fs::read(&part).unwrap();
    std::fs::remove_file(&part).unwrap();
    std::fs::write(&part, bytes).unwrap();
    drop(store);

    let opened = Store::open(DataDir::resolve(Some(dir.path().to_path_buf())).unwrap()).unwrap();
    assert_eq!(opened.recovered.len(), 1);
    let recovered = &opened.recovered[0];
    assert!(recovered.attached);
    assert_eq!(recovered.path, full);
    assert!((recovered.duration.as_secs_f64() - 2.0).abs() < 1e-6);
    let session = opened.store.load(&session.id).unwrap();
    assert_eq!(session.takes.len(), 1);
    let take = &session.takes[0];
    assert_eq!(take.file, relative);
    assert_eq!(take.question_index, 1);
    assert_eq!(take.take, 1);
    assert_eq!(take.stopped, StopReason::Recovered);
    assert_eq!(take.duration_ms, 2000);
    assert!(full.exists());
}

#[test]
fn a_hostile_question_id_cannot_leave_the_session_folder() {
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    let mut session = new_session(&store, 1);
    session.questions[0].id = "../../../etc/passwd\u{7}\u{0}/..\\x".to_owned();
    let (relative, full) = store.take_path(&session, 0, 1);
    assert_eq!(relative, "takes/01-etc-passwd-x-take1.wav");
    assert!(full.starts_with(store.session_dir(&session.id).join("takes")));
    assert_eq!(rehearse::files::sanitize_component("..", 10), "untitled");
    assert_eq!(
        rehearse::files::sanitize_component(&"a".repeat(500), 80).len(),
        80
    );
}

#[cfg(unix)]
#[test]
fn sessions_and_manifests_are_private_to_the_user() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new().unwrap();
    let store = open(dir.path());
    let session = new_session(&store, 1);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&store.session_dir(&session.id)), 0o700);
    assert_eq!(
        mode(&store.session_dir(&session.id).join("session.json")),
        0o600
    );
}
