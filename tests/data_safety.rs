//! No command may destroy, misplace or leak a user's data: the findings of
//! an independent attack on the release binary (issue 11), each as a test
//! that failed before its fix. Library calls where the rule lives in the
//! store; the real binary where the rule is about a command.
//!
//! The suite also runs on Windows, under Wine (`make check-windows`); a
//! test that cannot run there is ignored with the reason.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    reason = "a test helper that fails should fail the test; a fuzz round reads as one"
)]

use std::collections::HashMap;
#[cfg(unix)]
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rehearse::audio::TakeFormat;
use rehearse::audio::take_file::TakeFile;
use rehearse::interview::{PlanRequest, build_plan};
use rehearse::model::Rating;
use rehearse::paths::DataDir;
use rehearse::questions::{PackSources, QuestionBank};
use rehearse::store::export::{AudioFormat, Container, ExportError, ExportRequest, export};
use rehearse::store::{Session, Store, StoreError, Take};
use tempfile::TempDir;

/// The store of `data`, owned by this process. A child that another test
/// thread forks keeps a copy of a just-closed lock until it runs its
/// program, so the lock may need a moment to come free.
fn open(data: &Path) -> Store {
    for _ in 0..100 {
        let store = Store::open(DataDir::resolve(Some(data.to_path_buf())).unwrap())
            .unwrap()
            .store;
        if !store.is_read_only() {
            return store;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("{} stays locked", data.display());
}

/// A session of two questions with one real 0.5 s take each.
fn session_with_takes(store: &Store) -> Session {
    session_answering(store, 2, &[])
}

/// A session of `count` questions of the bank, the first ones given the
/// ids in `ids`, with one real 0.5 s take each where the store puts it.
fn session_answering(store: &Store, count: usize, ids: &[&str]) -> Session {
    let bank = QuestionBank::load(&PackSources::default());
    let request = PlanRequest {
        count: Some(count),
        ..PlanRequest::default()
    };
    let mut plan = build_plan(bank.questions(), &request, &HashMap::new()).unwrap();
    for (planned, id) in plan.questions.iter_mut().zip(ids) {
        planned.question.id = rehearse::model::QuestionId::parse(id).unwrap();
    }
    let mut session = store.create_session(&plan).unwrap();
    for question_index in 0..count {
        let (relative, full) = store.take_path(&session, question_index, 1);
        let mut file = TakeFile::create(&full, TakeFormat::S16, 8000).unwrap();
        file.write(&[0.25; 4000]).unwrap();
        assert_eq!(file.finish().unwrap().path, full);
        let take = Take {
            duration_ms: 500,
            sample_rate: 8000,
            ..session.new_take(question_index, 1, relative, jiff::Timestamp::now())
        };
        session.takes.push(take);
    }
    store.save(&session).unwrap();
    session
}

fn rehearse(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The names in the zip file `zip`, as `unzip -l` lists them; on Windows
/// (no unzip there) as the zip crate reads them.
fn zip_listing(zip: &Path) -> String {
    if cfg!(windows) {
        let archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
        let names: Vec<String> = archive
            .file_names()
            .map(|name| name.unwrap().into_owned())
            .collect();
        names.join("\n")
    } else {
        let listed = Command::new("unzip").arg("-l").arg(zip).output().unwrap();
        assert!(listed.status.success());
        text(&listed.stdout)
    }
}

fn export_to(
    store: &Store,
    session: &Session,
    to: PathBuf,
    force: bool,
) -> Result<(), ExportError> {
    let request = ExportRequest {
        sessions: vec![session.clone()],
        destination: to,
        container: Container::Folder,
        audio: AudioFormat::Wav,
        force,
        bank: Vec::new(),
    };
    export(store, &request, |_| true).map(|_| ())
}

/// Every file under `root`, relative, sorted.
fn tree(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.is_symlink() {
                stack.push(path.clone());
            }
            let relative = path.strip_prefix(root).unwrap().to_string_lossy();
            found.push(relative.replace('\\', "/"));
        }
    }
    found.sort();
    found
}

// 1. `export --force` deletes whatever the destination is.

#[test]
fn an_export_never_goes_into_or_over_the_data_folder() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let store = open(&data);
    let session = session_with_takes(&store);
    let before = tree(&data);
    #[cfg_attr(windows, allow(unused_mut, reason = "links are added on Unix only"))]
    let mut destinations = vec![
        data.clone(),
        data.join("sessions"),
        data.join("sessions").join("new-export"),
        dir.path().to_path_buf(),
    ];
    // Links: on Windows making one needs developer mode, and Wine 8 makes
    // one it cannot read back.
    #[cfg(unix)]
    {
        symlink(&data, dir.path().join("link-to-data")).unwrap();
        destinations.push(dir.path().join("link-to-data"));
        destinations.push(dir.path().join("link-to-data").join("inside"));
    }
    for destination in destinations {
        for force in [false, true] {
            let result = export_to(&store, &session, destination.clone(), force);
            assert!(
                matches!(
                    result,
                    Err(ExportError::Refused { .. } | ExportError::Exists(_))
                ),
                "{} (force {force}): {result:?}",
                destination.display()
            );
        }
    }
    assert_eq!(tree(&data), before, "the data folder is untouched");
    assert_eq!(store.list().unwrap().sessions.len(), 1);

    // The same through the command line.
    let refused = rehearse(
        &data,
        &[
            "export",
            "latest",
            "--force",
            "--to",
            data.to_str().unwrap(),
        ],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("data folder"),
        "{}",
        text(&refused.stderr)
    );
    assert_eq!(tree(&data), before);
}

#[test]
fn force_replaces_only_an_earlier_export() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir.path().join("data"));
    let session = session_with_takes(&store);

    // A folder of the user's own is never replaced, nor is a device
    // (`NUL` on Windows: a name in every folder).
    let documents = dir.path().join("Documents");
    std::fs::create_dir(&documents).unwrap();
    std::fs::write(documents.join("cv.txt"), b"mine").unwrap();
    let result = export_to(&store, &session, documents.clone(), true);
    assert!(
        matches!(result, Err(ExportError::Refused { .. })),
        "{result:?}"
    );
    assert_eq!(std::fs::read(documents.join("cv.txt")).unwrap(), b"mine");
    let device = if cfg!(windows) { "NUL" } else { "/dev/null" };
    let result = export_to(&store, &session, PathBuf::from(device), true);
    assert!(
        matches!(result, Err(ExportError::Refused { .. })),
        "{result:?}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        assert!(
            std::fs::metadata(device)
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }

    // An export is: it is moved aside, replaced, and nothing is left over.
    let out = dir.path().join("out");
    export_to(&store, &session, out.clone(), false).unwrap();
    std::fs::write(out.join("stale.txt"), b"from the first export").unwrap();
    export_to(&store, &session, out.clone(), true).unwrap();
    assert!(!out.join("stale.txt").exists());
    assert!(out.join("report.html").is_file());
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.contains(".partial-") && !n.contains(".replaced-")),
        "{names:?}"
    );
}

/// Copies the folder `from` to `to` with everything in it (as `cp -a`
/// would, here on Windows too).
fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

// 2. Writes go to the manifest's `id`, not to the folder that was loaded.

#[test]
fn a_session_is_its_folder_and_a_disagreeing_id_is_damaged() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let store = open(&data);
    let session = session_with_takes(&store);
    let original = store.session_dir(&session.id);
    let backup = data.join("sessions").join(format!("{}-backup", session.id));
    copy_folder(&original, &backup);
    let manifest_before = std::fs::read(original.join("session.json")).unwrap();

    let listing = store.list().unwrap();
    assert_eq!(listing.sessions.len(), 1, "one id is listed once");
    assert_eq!(listing.damaged.len(), 1);
    assert!(
        listing.damaged[0]
            .reason
            .to_string()
            .contains("not the name of its folder"),
        "{}",
        listing.damaged[0].reason
    );
    let backup_id = format!("{}-backup", session.id);
    let rated = rehearse(&data, &["rate", &backup_id, "1", "5"]);
    assert!(!rated.status.success());
    assert_eq!(
        std::fs::read(original.join("session.json")).unwrap(),
        manifest_before,
        "rating the copy never rewrites the original"
    );

    // An id that climbs out of the data folder is never written anywhere.
    let hostile = data.join("sessions").join("hostile");
    std::fs::create_dir_all(hostile.join("takes")).unwrap();
    let mut text_of = String::from_utf8(manifest_before).unwrap();
    text_of = text_of.replace(
        &format!("\"id\": \"{}\"", session.id),
        "\"id\": \"../../outside\"",
    );
    std::fs::write(hostile.join("session.json"), &text_of).unwrap();
    // A part left by a crash makes start-up recovery want to save it.
    std::fs::write(
        hostile.join("takes").join("01-x-take1.wav.part"),
        wav_bytes(800),
    )
    .unwrap();
    let rated = rehearse(&data, &["rate", "hostile", "1", "5"]);
    assert!(!rated.status.success());
    assert!(matches!(
        store.load("hostile"),
        Err(StoreError::Damaged { .. })
    ));
    assert!(!dir.path().join("outside").exists());
    assert!(!data.join("outside").exists());
}

/// A small 8 kHz mono 16-bit WAV of `frames` frames.
fn wav_bytes(frames: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    let data_len = frames * 2;
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data_len).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes());
    bytes.extend_from_slice(&8000u32.to_le_bytes());
    bytes.extend_from_slice(&16_000u32.to_le_bytes());
    bytes.extend_from_slice(&2u16.to_le_bytes());
    bytes.extend_from_slice(&16u16.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data_len.to_le_bytes());
    bytes.resize(bytes.len() + data_len as usize, 0x10);
    bytes
}

// 3. A take's `file` is used as an unrestricted path.

#[test]
fn a_take_file_outside_its_takes_folder_is_never_read_or_deleted() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let store = open(&data);
    let mut session = session_with_takes(&store);
    let secret = dir.path().join("secret.wav");
    std::fs::write(&secret, wav_bytes(8000)).unwrap();
    #[cfg_attr(windows, allow(unused_mut, reason = "links are added on Unix only"))]
    let mut files = vec![
        secret.display().to_string(),
        "takes/../../../../secret.wav".to_owned(),
    ];
    // A link (not on Windows: see the first test).
    #[cfg(unix)]
    {
        let takes = store.session_dir(&session.id).join("takes");
        symlink(&secret, takes.join("linked.wav")).unwrap();
        files.push("takes/linked.wav".to_owned());
    }
    for (index, file) in files.into_iter().enumerate() {
        session.takes[0].file = file.clone();
        store.save(&session).unwrap();
        let loaded = store.load(&session.id).unwrap();
        assert!(
            loaded.takes[0]
                .audio_path(&store.session_dir(&session.id))
                .is_err(),
            "{file}"
        );

        let zip = dir.path().join(format!("out-{index}.zip"));
        let exported = rehearse(
            &data,
            &["export", "latest", "--zip", "--to", zip.to_str().unwrap()],
        );
        assert!(exported.status.success(), "{}", text(&exported.stderr));
        assert!(
            text(&exported.stderr).contains("damaged take"),
            "{}",
            text(&exported.stderr)
        );
        if index < 2 {
            let shown = rehearse(&data, &["sessions", "show", "latest"]);
            assert!(
                text(&shown.stdout).contains("DAMAGED: its file"),
                "{}",
                text(&shown.stdout)
            );
        }
        let listed = zip_listing(&zip);
        assert_eq!(listed.matches(".wav").count(), 1, "{listed}");
    }
    let mut loaded = store.load(&session.id).unwrap();
    store.delete_take(&mut loaded, 1).unwrap();
    assert!(
        secret.is_file(),
        "deleting the take never deletes outside it"
    );
    assert_eq!(loaded.takes.len(), 1);
}

// 4. A full disk during an interview orphans the take.

#[test]
fn finished_takes_no_manifest_lists_are_attached_at_start() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let store = open(&data);
    let mut session = session_with_takes(&store);
    // The manifest was saved before the second take (its save failed).
    let second = session.takes.pop().unwrap();
    store.save(&session).unwrap();
    drop(store);

    let opened = Store::open(DataDir::resolve(Some(data.clone())).unwrap()).unwrap();
    assert_eq!(opened.recovered.len(), 1, "{:?}", opened.recovered);
    assert!(opened.recovered[0].attached);
    let session = opened.store.load(&session.id).unwrap();
    assert_eq!(session.takes.len(), 2);
    assert_eq!(session.takes[1].file, second.file);
    assert_eq!(session.takes[1].duration_ms, 500);
    drop(opened);
    // Said once: the next start finds nothing more.
    let again = Store::open(DataDir::resolve(Some(data)).unwrap()).unwrap();
    assert!(again.recovered.is_empty());
}

// 7. Values that parse but are absurd panic.

#[test]
fn impossible_values_make_one_session_damaged_and_the_rest_listed() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let store = open(&data);
    let good = session_with_takes(&store);
    let mut bad = good.clone();
    bad.id = "bad".to_owned();
    std::fs::create_dir_all(data.join("sessions/bad/takes")).unwrap();
    for take in &mut bad.takes {
        take.duration_ms = u64::MAX;
    }
    bad.takes = std::iter::repeat_n(bad.takes[0].clone(), 1001).collect();
    std::fs::write(
        data.join("sessions/bad/session.json"),
        serde_json::to_vec(&bad).unwrap(),
    )
    .unwrap();
    let listed = rehearse(&data, &["sessions", "list"]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let out = text(&listed.stdout);
    assert!(out.contains(&good.id), "{out}");
    assert!(
        out.contains("DAMAGED  bad") && out.contains("longer than a day"),
        "{out}"
    );

    let mut metrics = bad.takes[0].clone();
    metrics.duration_ms = 500;
    let analysed =
        rehearse::analysis::analyze_wav(&store.session_dir(&good.id).join(&good.takes[0].file))
            .unwrap();
    for pause_total in [-1.0, 1e20] {
        let mut session = good.clone();
        session.takes[0].metrics = Some(rehearse::analysis::SpeechMetrics {
            pause_total,
            ..analysed.clone()
        });
        std::fs::write(
            store.session_dir(&good.id).join("session.json"),
            serde_json::to_vec(&session).unwrap(),
        )
        .unwrap();
        let exported = rehearse(
            &data,
            &[
                "export",
                &good.id,
                "--to",
                dir.path().join(format!("x{pause_total}")).to_str().unwrap(),
            ],
        );
        assert!(!exported.status.success());
        assert_ne!(exported.status.code(), Some(101), "no panic");
        assert!(
            text(&exported.stderr).contains("pause_total"),
            "{}",
            text(&exported.stderr)
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn absurd_arguments_get_a_message_not_a_panic() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let zero_rate = dir.path().join("zero.wav");
    let mut bytes = wav_bytes(100);
    // Sample rate and byte rate both 0: a header that agrees with itself.
    bytes[24..32].copy_from_slice(&[0; 8]);
    std::fs::write(&zero_rate, bytes).unwrap();
    let good = dir.path().join("good.wav");
    std::fs::write(&good, wav_bytes(800)).unwrap();
    // No sound server is needed: each is refused before a device is opened.
    for (args, said) in [
        (
            vec!["record", "--out", "x.wav", "--seconds", "1e20"],
            "--seconds",
        ),
        (
            vec!["record", "--out", "x.wav", "--seconds=-1"],
            "--seconds",
        ),
        (
            vec!["play", good.to_str().unwrap(), "--from", "1e30"],
            "past the end",
        ),
        (vec!["play", good.to_str().unwrap(), "--from=-3"], "--from"),
        (vec!["play", zero_rate.to_str().unwrap()], "0 Hz"),
        (vec!["analyze", zero_rate.to_str().unwrap()], "0 Hz"),
    ] {
        let output = rehearse(&data, &args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(said), "{args:?}: {stderr}");
    }
}

// 9. A read-only data folder cannot be opened at all.

#[test]
#[cfg_attr(
    windows,
    ignore = "a folder cannot be made read-only here: Windows' read-only attribute does not stop writing into a folder, and Wine runs as this (root) user, whom permissions do not stop"
)]
fn a_data_folder_that_cannot_be_written_is_opened_read_only() {
    #[cfg(unix)]
    a_data_folder_that_cannot_be_written_on_unix();
}

#[cfg(unix)]
fn a_data_folder_that_cannot_be_written_on_unix() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let session = session_with_takes(&open(&data));
    std::fs::remove_file(data.join("rehearse.lock")).unwrap();
    let _guard = ReadOnly::make(&data);
    let listed = rehearse(&data, &["sessions", "list"]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    assert!(text(&listed.stdout).contains(&session.id));
    assert!(
        text(&listed.stderr).contains("read-only"),
        "{}",
        text(&listed.stderr)
    );
    let shown = rehearse(&data, &["sessions", "show", "latest"]);
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    let out = dir.path().join("out");
    let exported = rehearse(&data, &["export", "latest", "--to", out.to_str().unwrap()]);
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    let rated = rehearse(&data, &["rate", "latest", "1", "3"]);
    assert!(!rated.status.success());
    assert!(
        text(&rated.stderr).contains("cannot be written"),
        "{}",
        text(&rated.stderr)
    );
}

/// A folder made read-only: as root (who ignores permissions) a read-only
/// bind mount, else the file system's immutable flag on its folders
/// (`chattr +i`, where mounting is not allowed); as anyone else its
/// permissions. Undone when dropped. A test that cannot have one fails:
/// it must never pass having checked nothing.
#[cfg(unix)]
struct ReadOnly {
    path: PathBuf,
    how: Protection,
}

/// How [`ReadOnly`] protects its folder.
#[cfg(unix)]
#[derive(Clone, Copy, PartialEq, Eq)]
enum Protection {
    Mounted,
    Immutable,
    Permissions,
}

/// The folders under `path`, itself included.
#[cfg(unix)]
fn folders_of(path: &Path) -> Vec<PathBuf> {
    let mut found = vec![path.to_path_buf()];
    let mut at = 0;
    while at < found.len() {
        if let Ok(entries) = std::fs::read_dir(&found[at]) {
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    found.push(entry.path());
                }
            }
        }
        at += 1;
    }
    found
}

#[cfg(unix)]
fn chattr(flag: &str, folders: &[PathBuf]) -> bool {
    Command::new("chattr")
        .arg(flag)
        .args(folders)
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(unix)]
impl ReadOnly {
    fn make(path: &Path) -> Self {
        let is_root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| text(&o.stdout).trim() == "0");
        if is_root {
            let bound = Command::new("mount")
                .args(["--bind", "-o", "ro"])
                .arg(path)
                .arg(path)
                .status()
                .is_ok_and(|s| s.success());
            let remounted = bound
                && Command::new("mount")
                    .args(["-o", "remount,bind,ro"])
                    .arg(path)
                    .status()
                    .is_ok_and(|s| s.success());
            if remounted {
                return Self {
                    path: path.to_path_buf(),
                    how: Protection::Mounted,
                };
            }
            if bound {
                Command::new("umount").arg(path).status().ok();
            }
            if chattr("+i", &folders_of(path)) {
                return Self {
                    path: path.to_path_buf(),
                    how: Protection::Immutable,
                };
            }
            panic!(
                "cannot make {} read-only: as root this needs `mount --bind` or `chattr +i` (an ext4 or xfs folder)",
                path.display()
            );
        }
        for entry in [path.to_path_buf(), path.join("sessions")] {
            std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o500)).unwrap();
        }
        Self {
            path: path.to_path_buf(),
            how: Protection::Permissions,
        }
    }
}

#[cfg(unix)]
impl Drop for ReadOnly {
    fn drop(&mut self) {
        match self.how {
            Protection::Mounted => {
                Command::new("umount").arg(&self.path).status().ok();
            }
            Protection::Immutable => {
                chattr("-i", &folders_of(&self.path));
            }
            Protection::Permissions => {
                for entry in [self.path.clone(), self.path.join("sessions")] {
                    std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(0o700)).ok();
                }
            }
        }
    }
}

// 11. Exports are not private.

#[test]
#[cfg_attr(
    windows,
    ignore = "Windows has no umask or mode bits: a user's files are private through the ACL of their profile folder, which Wine does not keep"
)]
fn exports_and_the_lock_are_private_whatever_the_umask() {
    #[cfg(unix)]
    exports_and_the_lock_are_private_on_unix();
}

#[cfg(unix)]
fn exports_and_the_lock_are_private_on_unix() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    session_with_takes(&open(&data));
    std::fs::remove_file(data.join("rehearse.lock")).unwrap();
    let bin = env!("CARGO_BIN_EXE_rehearse");
    let folder = dir.path().join("folder");
    let zip = dir.path().join("out.zip");
    let script = format!(
        "umask 000 && '{bin}' --data-dir '{d}' export latest --to '{f}' && '{bin}' --data-dir '{d}' export latest --zip --to '{z}'",
        d = data.display(),
        f = folder.display(),
        z = zip.display()
    );
    let status = Command::new("sh").args(["-c", &script]).status().unwrap();
    assert!(status.success());
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&zip), 0o600);
    assert_eq!(mode(&data.join("rehearse.lock")), 0o600);
    assert_eq!(mode(&folder), 0o700);
    for entry in tree(&folder) {
        let path = folder.join(&entry);
        let expected = if path.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(&path), expected, "{entry}");
    }
}

// 10. An export ended by a signal leaves `DEST.partial-PID`.

#[test]
#[cfg_attr(
    windows,
    ignore = "Windows has no SIGTERM or SIGHUP; the console's Ctrl-C and close events ending a recording are checked under Wine by check_windows.py"
)]
fn an_export_ended_by_a_signal_leaves_nothing() {
    #[cfg(unix)]
    an_export_ended_by_a_signal_on_unix();
}

#[cfg(unix)]
fn an_export_ended_by_a_signal_on_unix() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let store = open(&data);
    let mut session = session_with_takes(&store);
    // Ten minutes of noise makes a FLAC export long enough to interrupt.
    let (relative, full) = store.take_path(&session, 0, 2);
    let mut file = TakeFile::create(&full, TakeFormat::S16, 48_000).unwrap();
    let mut noise = vec![0.0f32; 48_000];
    for second in 0..600 {
        for (i, sample) in noise.iter_mut().enumerate() {
            *sample = (((i * 7919 + second * 104_729) % 65_521) as f32 / 65_521.0) - 0.5;
        }
        file.write(&noise).unwrap();
    }
    file.finish().unwrap();
    session.takes.push(Take {
        duration_ms: 600_000,
        ..session.new_take(0, 2, relative, jiff::Timestamp::now())
    });
    store.save(&session).unwrap();
    drop(store);

    for signal in ["TERM", "HUP"] {
        let out = dir.path().join(format!("out-{signal}"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_rehearse"))
            .arg("--data-dir")
            .arg(&data)
            .args(["export", "latest", "--flac", "--to"])
            .arg(&out)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stderr));
        // The export has started once it reports progress.
        lines
            .find(|l| l.as_ref().is_ok_and(|l| l.contains("exporting")))
            .unwrap()
            .unwrap();
        let partial = dir
            .path()
            .join(format!("out-{signal}.partial-{}", child.id()));
        assert!(partial.exists(), "the export is under way");
        let killed = Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        assert!(!status.success());
        assert!(!partial.exists(), "SIG{signal} left {}", partial.display());
        assert!(!out.exists());
    }
}

#[test]
fn what_a_killed_export_left_goes_at_the_next_export() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    session_with_takes(&open(&data));
    // What a killed process left (its process id is no process's) is
    // removed by the next export.
    let stale = dir.path().join("again.partial-4000000");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("report.html"), b"half").unwrap();
    let again = dir.path().join("again");
    let exported = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .arg("--data-dir")
        .arg(&data)
        .args(["export", "latest", "--to", again.to_str().unwrap()])
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    assert!(!stale.exists());
    // Said in the log, which lives beside the data named with --data-dir.
    let log = std::fs::read_to_string(data.join("log/rehearse.log")).unwrap();
    assert!(log.contains("left by an export that was killed"), "{log}");
}

// Smaller things.

#[test]
fn an_empty_session_name_matches_nothing() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    session_with_takes(&open(&data));
    std::fs::remove_file(data.join("rehearse.lock")).unwrap();
    let deleted = rehearse(&data, &["sessions", "delete", "", "--yes"]);
    assert!(!deleted.status.success());
    let listed = rehearse(&data, &["sessions", "list"]);
    assert!(
        text(&listed.stdout).contains("2 takes"),
        "{}",
        text(&listed.stdout)
    );
}

#[test]
fn a_killed_write_leaves_no_temporary_file_after_the_next_start() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let session = session_with_takes(&open(&data));
    let session_dir = data.join("sessions").join(&session.id);
    let stale = session_dir.join(".session.json.tmp-4000000");
    std::fs::write(&stale, b"{\"half").unwrap();
    let live = session_dir.join(format!(".session.json.tmp-{}", std::process::id()));
    std::fs::write(&live, b"{\"live").unwrap();
    let store = open(&data);
    assert!(!stale.exists());
    assert!(
        live.exists(),
        "a live process's temporary file is left alone"
    );
    assert_eq!(store.list().unwrap().sessions.len(), 1);
}

#[test]
fn errors_name_the_file_once_and_unusual_files_are_refused() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    // A data folder under a file: the cause is said once.
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"").unwrap();
    let listed = rehearse(&file.join("data"), &["sessions", "list"]);
    let stderr = text(&listed.stderr);
    assert!(!listed.status.success());
    let cause = format!("{} is a file, not a folder", file.display());
    assert_eq!(stderr.matches(&cause).count(), 1, "{stderr}");

    // A named pipe (Unix only: Windows' pipes are not in folders).
    #[cfg(unix)]
    named_pipes_are_refused(dir.path(), &data);

    // A folder named like a pack, and a dangling link, are said, not skipped.
    let packs = data.join("questions");
    std::fs::create_dir_all(packs.join("folder.json")).unwrap();
    #[cfg(unix)]
    symlink(dir.path().join("gone"), packs.join("dangling.json")).unwrap();
    let listed = rehearse(&data, &["questions", "list"]);
    let stderr = text(&listed.stderr);
    assert!(
        stderr.contains("folder.json") && stderr.contains("a folder"),
        "{stderr}"
    );
    #[cfg(unix)]
    assert!(stderr.contains("dangling.json"), "{stderr}");

    // A byte-order mark is accepted; bad UTF-8 is placed.
    let bom = dir.path().join("bom.json");
    let pack = "{\"schema_version\": 1, \"name\": \"B\", \"questions\": [{\"id\": \"bom-q\", \"text\": \"Why?\", \"category\": \"Misc\", \"kind\": \"technical\"}]}";
    std::fs::write(&bom, [b"\xEF\xBB\xBF".as_slice(), pack.as_bytes()].concat()).unwrap();
    let checked = rehearse(&data, &["questions", "check", bom.to_str().unwrap()]);
    assert!(
        checked.status.success(),
        "{}{}",
        text(&checked.stdout),
        text(&checked.stderr)
    );
    let bad = dir.path().join("bad.json");
    let mut bytes = pack.replace("Why?", "Wh@y?").into_bytes();
    let at = bytes.iter().position(|&b| b == b'@').unwrap();
    bytes[at] = 0xFF;
    std::fs::write(&bad, bytes).unwrap();
    let checked = rehearse(&data, &["questions", "check", bad.to_str().unwrap()]);
    let said = format!("{}{}", text(&checked.stdout), text(&checked.stderr));
    assert!(
        said.contains("bad.json:1:") && said.contains("not UTF-8"),
        "{said}"
    );
}

#[cfg(unix)]
fn named_pipes_are_refused(dir: &Path, data: &Path) {
    let fifo = dir.join("pipe.json");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let checked = rehearse(data, &["questions", "check", fifo.to_str().unwrap()]);
    assert!(!checked.status.success());
    assert!(
        text(&checked.stdout).contains("named pipe")
            || text(&checked.stderr).contains("named pipe")
    );
    let analysed = rehearse(data, &["analyze", fifo.to_str().unwrap()]);
    assert!(
        text(&analysed.stderr).contains("named pipe"),
        "{}",
        text(&analysed.stderr)
    );
}

#[test]
fn text_from_packs_and_manifests_cannot_drive_the_terminal() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let store = open(&data);
    let mut session = session_with_takes(&store);
    session.takes[0].notes = "fine\u{1b}]0;owned\u{7}\u{1b}[2J".to_owned();
    session.takes[0].rating = Rating::new(3);
    store.save(&session).unwrap();
    drop(store);
    let pack = dir.path().join("evil.json");
    std::fs::write(
        &pack,
        "{\"schema_version\": 1, \"name\": \"E\", \"questions\": [{\"id\": \"evil\", \"text\": \"Hi\\u001b[31m red\", \"category\": \"Evil\\u001b]0;x\\u0007\", \"kind\": \"technical\"}]}",
    )
    .unwrap();
    let listed = Command::new(env!("CARGO_BIN_EXE_rehearse"))
        .arg("--data-dir")
        .arg(&data)
        .arg("--questions")
        .arg(&pack)
        .args(["questions", "list"])
        .output()
        .unwrap();
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let shown = rehearse(&data, &["sessions", "show", "latest"]);
    assert!(shown.status.success());
    for output in [&listed, &shown] {
        assert!(!output.stdout.contains(&0x1b), "{}", text(&output.stdout));
        assert!(!output.stdout.contains(&0x07));
    }
    assert!(text(&listed.stdout).contains("Hi\\u{1b}[31m red"));
    assert!(text(&shown.stdout).contains("fine\\u{1b}]0;owned"));
}

// The fuzz test of manifests.

/// Numbers a manifest may hold that no recording can have.
const HOSTILE_NUMBERS: [&str; 10] = [
    "-1",
    "-0.5",
    "1e20",
    "-1e308",
    "1e308",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "4294967296",
    "0",
];

/// Path-like values: absolute, climbing, hidden, nested, linked, empty.
const HOSTILE_PATHS: [&str; 10] = [
    "/etc/passwd",
    "../../outside",
    "takes/../../../outside.wav",
    "takes/link.wav",
    "takes/.hidden.wav",
    "takes/a/b.wav",
    "",
    "..",
    "takes\\\\..\\\\x.wav",
    "takes/01-q-take1.wav\u{0}",
];

/// Every number and every `id`/`file` string in `value`, as JSON pointers.
fn leaves(
    value: &serde_json::Value,
    at: String,
    numbers: &mut Vec<String>,
    paths: &mut Vec<String>,
) {
    match value {
        serde_json::Value::Number(_) => numbers.push(at),
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                let here = format!("{at}/{key}");
                if child.is_string() && (key == "id" || key == "file" || key == "question_id") {
                    paths.push(here.clone());
                }
                leaves(child, here, numbers, paths);
            }
        }
        serde_json::Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                leaves(child, format!("{at}/{index}"), numbers, paths);
            }
        }
        _ => {}
    }
}

#[test]
fn fuzzed_manifests_never_panic_write_outside_or_hide_the_others() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let store = open(&data);
    let bystander = session_with_takes(&store);
    let mut target = session_with_takes(&store);
    let analysed =
        rehearse::analysis::analyze_wav(&store.session_dir(&target.id).join(&target.takes[0].file))
            .unwrap();
    for take in &mut target.takes {
        take.metrics = Some(analysed.clone());
    }
    store.save(&target).unwrap();
    let target_dir = store.session_dir(&target.id);
    let outside = dir.path().join("outside.wav");
    std::fs::write(&outside, wav_bytes(800)).unwrap();
    #[cfg(unix)]
    symlink(&outside, target_dir.join("takes/link.wav")).unwrap();
    let pristine = serde_json::to_value(&target).unwrap();
    let manifest = target_dir.join("session.json");
    let (mut numbers, mut paths) = (Vec::new(), Vec::new());
    leaves(&pristine, String::new(), &mut numbers, &mut paths);
    // Everything but the fuzzed session's own folder and the exports.
    let own = format!("data/sessions/{}", target.id);
    let watched = |root: &Path| -> Vec<String> {
        tree(root)
            .into_iter()
            .filter(|p| !p.starts_with(&own) && !p.starts_with("export"))
            .collect()
    };
    let before = watched(dir.path());
    let bystander_before =
        std::fs::read(store.session_dir(&bystander.id).join("session.json")).unwrap();

    let mut rng = fastrand::Rng::with_seed(11);
    let mut parsed = 0;
    for round in 0..400 {
        let mut value = pristine.clone();
        for _ in 0..rng.usize(1..4) {
            if rng.bool() {
                let at = &numbers[rng.usize(..numbers.len())];
                let number = HOSTILE_NUMBERS[rng.usize(..HOSTILE_NUMBERS.len())];
                *value.pointer_mut(at).unwrap() = serde_json::from_str(number)
                    .unwrap_or(serde_json::Value::String(number.to_owned()));
            } else {
                let at = &paths[rng.usize(..paths.len())];
                let path = HOSTILE_PATHS[rng.usize(..HOSTILE_PATHS.len())];
                *value.pointer_mut(at).unwrap() = serde_json::Value::String(path.to_owned());
            }
        }
        let mut bytes = serde_json::to_vec_pretty(&value).unwrap();
        // Some rounds also damage the syntax: cut short, or a byte changed.
        match round % 8 {
            0 => bytes.truncate(rng.usize(..bytes.len())),
            1 => {
                let at = rng.usize(..bytes.len());
                bytes[at] = rng.u8(..);
            }
            _ => {}
        }
        std::fs::write(&manifest, &bytes).unwrap();

        let listing = store.list().unwrap();
        assert!(
            listing.sessions.iter().any(|s| s.id == bystander.id),
            "round {round}: the other session is still listed"
        );
        assert_eq!(listing.sessions.len() + listing.damaged.len(), 2);
        let summaries = rehearse::store::history::summaries(&listing.sessions, &Default::default());
        assert_eq!(summaries.len(), listing.sessions.len());
        rehearse::store::history::practice_records(&listing.sessions);
        rehearse::store::history::rating_trend(&listing.sessions);
        if let Some(session) = listing.sessions.iter().find(|s| s.id == target.id) {
            parsed += 1;
            for take in &session.takes {
                if let Some(metrics) = &take.metrics {
                    metrics.summary(false);
                    metrics.hints(false);
                }
            }
            session.average_pace();
            session.pause_time();
            let destination = dir.path().join(format!("export-{round}"));
            export_to(&store, session, destination.clone(), false).unwrap();
            std::fs::remove_dir_all(&destination).unwrap();
            let mut session = session.clone();
            if !session.takes.is_empty() {
                store
                    .rate(&mut session, 1, Rating::new(2).unwrap(), Some("fuzz"))
                    .unwrap();
                store.delete_take(&mut session, 1).unwrap();
            }
        }
        // The binary, read-only beside this test's store (as beside the
        // window), reads the same manifest.
        if round % 40 == 0 {
            for args in [
                vec!["sessions", "list"],
                vec!["sessions", "show", target.id.as_str()],
            ] {
                let output = rehearse(&data, &args);
                assert_ne!(
                    output.status.code(),
                    Some(101),
                    "round {round} {args:?}: {}",
                    text(&output.stderr)
                );
            }
        }
        assert_eq!(
            watched(dir.path()),
            before,
            "round {round}: nothing written outside"
        );
        assert!(outside.is_file(), "round {round}");
        // Put the takes back for the next round.
        for take in &target.takes {
            let path = target_dir.join(&take.file);
            if !path.exists() {
                std::fs::write(&path, wav_bytes(4000)).unwrap();
            }
        }
    }
    eprintln!("fuzz: {parsed} of 400 manifests readable, the rest damaged");
    assert!(
        parsed > 50,
        "only {parsed} rounds produced a readable manifest"
    );
    assert_eq!(
        std::fs::read(store.session_dir(&bystander.id).join("session.json")).unwrap(),
        bystander_before
    );
}

#[test]
fn latest_is_the_newest_session_that_can_be_read() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let store = open(&data);
    let session = session_with_takes(&store);
    // A copy sorts after the original, and is damaged (its id is not its
    // folder's name): `latest` still means the session the user can use.
    let copy = data.join("sessions").join(format!("{}-backup", session.id));
    copy_folder(&store.session_dir(&session.id), &copy);
    assert_eq!(store.resolve("latest").unwrap(), session.id);
    let shown = rehearse(&data, &["sessions", "show", "latest"]);
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    // A problem of the whole file is not given a line 0, column 0.
    let listed = text(&rehearse(&data, &["sessions", "list"]).stdout);
    assert!(listed.contains("session.json: its id"), "{listed}");
}

// Windows' rules, kept on every platform.

#[test]
fn a_second_process_reads_the_data_folder_and_writes_nothing() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let store = open(&data);
    let session = session_with_takes(&store);
    let manifest = store.session_dir(&session.id).join("session.json");
    let before = std::fs::read(&manifest).unwrap();
    // This process holds the data folder's lock (an OS lock: LockFileEx
    // on Windows): another reads, and refuses to write.
    let listed = rehearse(&data, &["sessions", "list"]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    assert!(text(&listed.stdout).contains(&session.id));
    let rated = rehearse(&data, &["rate", "latest", "1", "4"]);
    assert!(!rated.status.success());
    assert!(
        text(&rated.stderr).contains("another Rehearse is using"),
        "{}",
        text(&rated.stderr)
    );
    assert_eq!(std::fs::read(&manifest).unwrap(), before);
    // Once it ends, the next one writes.
    drop(store);
    let rated = rehearse(&data, &["rate", "latest", "1", "4"]);
    assert!(rated.status.success(), "{}", text(&rated.stderr));
    assert_ne!(std::fs::read(&manifest).unwrap(), before);
}

#[test]
fn device_names_and_long_paths_make_takes_that_export() {
    let dir = TempDir::new().unwrap();
    // A data folder deep enough that every take's path is longer than
    // Windows' old limit of 260 characters.
    let data = dir.path().join("d".repeat(100)).join("e".repeat(100));
    let store = open(&data);
    // Ids that are names Windows keeps for devices get a `_` wherever they
    // make a part of a file name (`sanitize_component`, one rule).
    let long_id = "q".repeat(rehearse::model::QuestionId::MAX_LEN);
    let session = session_answering(&store, 4, &["con", "nul", "com1", &long_id]);
    for take in &session.takes {
        let full = store.session_dir(&session.id).join(&take.file);
        assert!(full.as_os_str().len() > 260, "{}", full.display());
    }
    drop(store);
    let reopened = open(&data);
    let loaded = reopened.load(&session.id).unwrap();
    let folder = reopened.session_dir(&session.id);
    for take in &loaded.takes {
        let audio = take.audio_path(&folder).unwrap();
        assert_eq!(
            std::fs::metadata(&audio).unwrap().len(),
            44 + 8000,
            "{}",
            take.file
        );
    }
    drop(reopened);
    let zip = dir.path().join("long.zip");
    let exported = rehearse(
        &data,
        &["export", "latest", "--zip", "--to", zip.to_str().unwrap()],
    );
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    let listed = zip_listing(&zip);
    assert_eq!(listed.matches(".wav").count(), 4, "{listed}");
    for name in ["con_", "nul_", "com1_", long_id.as_str()] {
        assert!(
            listed.contains(&format!("-{name}-take1.wav")),
            "{name}: {listed}"
        );
    }
}
