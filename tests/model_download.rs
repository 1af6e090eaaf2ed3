//! Model downloads against a local HTTP server on 127.0.0.1 that serves
//! the test model (see `tests/speech.rs`), and misbehaves on request: it
//! drops the connection half-way, stalls, answers with a web page, or
//! serves a file whose hash is wrong. Nothing here leaves the machine.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rehearse::speech::download::{self, DownloadError, Request};
use rehearse::speech::models;

use common::test_model;

/// How the server behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Behaviour {
    /// Serves the file, honouring `Range`.
    Serve,
    /// The first answer stops half-way; later ones are whole.
    DropHalfWayOnce,
    /// Sends half the file, then nothing (holding the connection open).
    StallHalfWay,
    /// Answers every request with a sign-in page.
    SignInPage,
    /// Answers 404.
    Missing,
    /// Whole answers stop half-way; a resume gets another range than the
    /// one asked for (after 40 requests: 503, so a loop ends).
    WrongRangeAndDrop,
    /// Announces 1,000 bytes, sends the whole file.
    ShortLength,
    /// A sign-in page as `application/octet-stream`, without a length.
    UnlabelledPage,
}

/// A one-file HTTP/1.1 server on 127.0.0.1.
struct Server {
    address: String,
    requests: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl Server {
    fn start(body: Vec<u8>, behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let served = Arc::new(AtomicUsize::new(0));
        let body = Arc::new(body);
        {
            let requests = Arc::clone(&requests);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    let body = Arc::clone(&body);
                    let requests = Arc::clone(&requests);
                    let stop = Arc::clone(&stop);
                    let served = Arc::clone(&served);
                    std::thread::spawn(move || {
                        answer(stream, &body, behaviour, &requests, &stop, &served);
                    });
                }
            });
        }
        Self {
            address,
            requests,
            stop,
        }
    }

    fn url(&self) -> String {
        format!("{}/ggml-tiny.en.bin", self.address)
    }

    /// The `Range` header of each request (empty when there was none).
    fn ranges(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn answer(
    mut stream: TcpStream,
    body: &[u8],
    behaviour: Behaviour,
    requests: &Mutex<Vec<String>>,
    stop: &AtomicBool,
    served: &AtomicUsize,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut range_from = None;
    let mut range_header = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("range: bytes=") {
            range_header = line.to_owned();
            range_from = value.trim_end_matches('-').parse::<usize>().ok();
        }
    }
    requests.lock().unwrap().push(range_header);
    let nth = served.fetch_add(1, Ordering::SeqCst);
    if answer_specially(&mut stream, body, behaviour, range_from, nth) {
        return;
    }
    let from = range_from.unwrap_or(0).min(body.len());
    let head = if range_from.is_some() {
        format!(
            "HTTP/1.1 206 Partial Content\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nContent-Range: bytes {from}-{}/{}\r\n\r\n",
            body.len() - from,
            body.len() - 1,
            body.len()
        )
    } else {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
    };
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    let half = body.len() / 2;
    let end = match behaviour {
        Behaviour::DropHalfWayOnce if nth == 0 => half,
        Behaviour::WrongRangeAndDrop => half,
        Behaviour::StallHalfWay => half.max(from),
        _ => body.len(),
    };
    for chunk in body[from..end].chunks(64 * 1024) {
        if stream.write_all(chunk).is_err() {
            return;
        }
    }
    if behaviour == Behaviour::StallHalfWay {
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    // Dropping the stream closes the connection (half-way, when so asked).
}

/// The answers of the misbehaving servers that send no model; whether
/// `behaviour` is one of them (and the answer was sent).
fn answer_specially(
    stream: &mut TcpStream,
    body: &[u8],
    behaviour: Behaviour,
    range_from: Option<usize>,
    nth: usize,
) -> bool {
    match behaviour {
        Behaviour::SignInPage => {
            let page = b"<html><body>Sign in to continue to the network</body></html>";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
                page.len()
            );
            let _ = stream.write_all(page);
            true
        }
        Behaviour::Missing => {
            let _ = write!(
                stream,
                "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nnot found"
            );
            true
        }
        Behaviour::WrongRangeAndDrop if nth >= 40 => {
            let _ = write!(
                stream,
                "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
            );
            true
        }
        Behaviour::WrongRangeAndDrop if range_from.is_some() => {
            let _ = write!(
                stream,
                "HTTP/1.1 206 Partial Content\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nContent-Range: bytes 0-{}/{}\r\n\r\n",
                body.len(),
                body.len() - 1,
                body.len()
            );
            let _ = stream.write_all(&body[..body.len() / 2]);
            true
        }
        Behaviour::ShortLength => {
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n"
            );
            let _ = stream.write_all(body);
            true
        }
        Behaviour::UnlabelledPage => {
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n<html><body>Sign in to use this network</body></html>"
            );
            true
        }
        _ => false,
    }
}

fn request_for(server: &Server, target: &Path, body: &[u8], stall: Duration) -> Request {
    Request {
        url: server.url(),
        target: target.to_path_buf(),
        size: body.len() as u64,
        sha256: sha256(body),
        stall_limit: stall,
    }
}

fn sha256(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    std::fs::write(&path, bytes).unwrap();
    models::sha256_of(&path).unwrap()
}

fn run(request: &Request) -> (Result<(), DownloadError>, Vec<download::Progress>) {
    let mut seen = Vec::new();
    let result = download::download(request, &mut |p| seen.push(p), &AtomicBool::new(false));
    (result, seen)
}

#[test]
fn a_whole_download_is_checked_and_moved_into_place() {
    let body = std::fs::read(test_model()).unwrap();
    let server = Server::start(body.clone(), Behaviour::Serve);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("models/ggml-tiny.en.bin");
    let (result, progress) = run(&request_for(
        &server,
        &target,
        &body,
        Duration::from_secs(10),
    ));
    result.unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), body);
    assert!(!download::partial_path(&target).exists());
    let last = progress.last().unwrap();
    assert_eq!(
        (last.received, last.total),
        (body.len() as u64, body.len() as u64)
    );
    println!(
        "downloaded {} bytes from 127.0.0.1 with {} progress reports",
        body.len(),
        progress.len()
    );
    // The downloaded model is a model.
    assert!(models::inspect(&target).is_ok());
}

#[test]
fn an_interrupted_download_resumes_where_it_stopped() {
    let body = std::fs::read(test_model()).unwrap();
    let server = Server::start(body.clone(), Behaviour::DropHalfWayOnce);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("ggml-tiny.en.bin");
    let (result, _) = run(&request_for(
        &server,
        &target,
        &body,
        Duration::from_secs(10),
    ));
    result.unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), body);
    let ranges = server.ranges();
    println!("requests: {ranges:?}");
    assert_eq!(ranges.len(), 2, "{ranges:?}");
    assert_eq!(ranges[0], "");
    assert_eq!(
        ranges[1].to_ascii_lowercase(),
        format!("range: bytes={}-", body.len() / 2)
    );
}

#[test]
fn a_stalled_download_gives_up_and_keeps_what_arrived() {
    let body = std::fs::read(test_model()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("ggml-tiny.en.bin");
    {
        let server = Server::start(body.clone(), Behaviour::StallHalfWay);
        let started = std::time::Instant::now();
        let (result, _) = run(&request_for(
            &server,
            &target,
            &body,
            Duration::from_secs(2),
        ));
        let err = result.unwrap_err();
        println!(
            "stalled: {err} after {:.1} s",
            started.elapsed().as_secs_f64()
        );
        assert!(matches!(err, DownloadError::Stalled(_)), "{err}");
        assert!(err.to_string().contains("no data arrived for 2 s"), "{err}");
        assert!(!target.exists());
        let kept = std::fs::metadata(download::partial_path(&target))
            .unwrap()
            .len();
        assert_eq!(kept, body.len() as u64 / 2);
    }
    // Started again against a server that works: only the rest is fetched.
    let server = Server::start(body.clone(), Behaviour::Serve);
    let (result, _) = run(&request_for(
        &server,
        &target,
        &body,
        Duration::from_secs(10),
    ));
    result.unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), body);
    assert_eq!(
        server.ranges()[0].to_ascii_lowercase(),
        format!("range: bytes={}-", body.len() / 2)
    );
}

#[test]
fn a_web_page_instead_of_the_model_is_named_as_such() {
    let body = std::fs::read(test_model()).unwrap();
    let server = Server::start(body.clone(), Behaviour::SignInPage);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("ggml-tiny.en.bin");
    let (result, _) = run(&request_for(
        &server,
        &target,
        &body,
        Duration::from_secs(10),
    ));
    let err = result.unwrap_err().to_string();
    assert!(err.contains("answered with a web page"), "{err}");
    assert!(err.contains("proxy or a network sign-in page"), "{err}");
    assert!(!target.exists());
    assert!(!download::partial_path(&target).exists());

    let server = Server::start(body.clone(), Behaviour::Missing);
    let (result, _) = run(&request_for(
        &server,
        &target,
        &body,
        Duration::from_secs(10),
    ));
    let err = result.unwrap_err().to_string();
    assert!(err.ends_with("answered HTTP 404"), "{err}");
}

#[test]
fn a_file_with_the_wrong_hash_is_removed() {
    let body = std::fs::read(test_model()).unwrap();
    let mut damaged = body.clone();
    damaged[body.len() / 3] ^= 0xff;
    let server = Server::start(damaged, Behaviour::Serve);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("ggml-tiny.en.bin");
    let (result, _) = run(&request_for(
        &server,
        &target,
        &body,
        Duration::from_secs(10),
    ));
    let err = result.unwrap_err().to_string();
    assert!(err.contains("not the published model (SHA-256"), "{err}");
    assert!(err.contains("it was removed"), "{err}");
    assert!(!target.exists());
    assert!(!download::partial_path(&target).exists());
}

#[test]
fn no_server_means_a_clear_message() {
    // A port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let request = Request {
        url: format!("http://127.0.0.1:{port}/ggml-tiny.en.bin"),
        target: dir.path().join("ggml-tiny.en.bin"),
        size: 10,
        sha256: "0".repeat(64),
        stall_limit: Duration::from_secs(5),
    };
    let err = run(&request).0.unwrap_err().to_string();
    assert!(err.starts_with("cannot reach 127.0.0.1:"), "{err}");
    assert!(err.contains("this computer may be offline"), "{err}");
    assert!(err.contains("import it"), "{err}");
}

#[test]
fn the_terminal_downloads_from_a_mirror_and_checks_the_published_hash() {
    // The test model is a real tiny.en, but not byte for byte the
    // published file: the terminal must refuse it by its hash.
    let body = std::fs::read(test_model()).unwrap();
    let server = Server::start(body, Behaviour::Serve);
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(common::rehearse_bin())
        .arg("--data-dir")
        .arg(dir.path())
        .args(["models", "download", "tiny.en"])
        .env(download::MIRROR_VARIABLE, &server.address)
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stderr}");
    assert!(!output.status.success());
    assert!(
        stderr.contains(&format!("from {}/ggml-tiny.en.bin", server.address)),
        "{stderr}"
    );
    assert!(stderr.contains("cannot download tiny.en"), "{stderr}");
    assert!(
        stderr.contains("not the published model (SHA-256"),
        "{stderr}"
    );
    let models = dir.path().join("models");
    assert_eq!(std::fs::read_dir(&models).unwrap().count(), 0);

    let unknown = Command::new(common::rehearse_bin())
        .arg("--data-dir")
        .arg(dir.path())
        .args(["models", "download", "huge"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        stderr.contains("no published model called huge"),
        "{stderr}"
    );
    assert!(stderr.contains("base.en"), "{stderr}");
}

/// A `.partial` that is a link (planted in a restored or shared data
/// folder) is never followed: the file it points at stays as it was, and
/// the message names the partial. A folder where the model would go is
/// named, not taken for an installed model.
#[test]
fn a_linked_partial_is_refused_and_its_target_untouched() {
    let body = std::fs::read(test_model()).unwrap();
    let server = Server::start(body.clone(), Behaviour::Serve);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("models/ggml-tiny.en.bin");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    let victim = dir.path().join("notes.txt");
    std::fs::write(&victim, b"my notes").unwrap();
    let partial = download::partial_path(&target);
    std::os::unix::fs::symlink(&victim, &partial).unwrap();
    let (result, _) = run(&request_for(
        &server,
        &target,
        &body,
        Duration::from_secs(10),
    ));
    let message = result.unwrap_err().to_string();
    assert!(message.contains("ggml-tiny.en.bin.partial"), "{message}");
    assert!(message.contains("not a regular file"), "{message}");
    assert_eq!(std::fs::read(&victim).unwrap(), b"my notes");
    assert!(!target.exists());

    // A folder in the model's place.
    std::fs::remove_file(&partial).unwrap();
    std::fs::create_dir(&target).unwrap();
    let output = Command::new(common::rehearse_bin())
        .arg("--data-dir")
        .arg(dir.path())
        .args(["models", "download", "tiny.en"])
        .env(download::MIRROR_VARIABLE, &server.address)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("is a folder or a link, not a model"),
        "{stderr}"
    );
}

/// The probe's misbehaving mirrors: each ends in a message after a few
/// requests, never in a loop, and nothing of a page is kept.
#[test]
fn a_misbehaving_mirror_ends_in_a_message_not_a_loop() {
    let body = std::fs::read(test_model()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("ggml-tiny.en.bin");
    let request = |server: &Server| request_for(server, &target, &body, Duration::from_secs(10));

    // A resume answered with another range, over and over.
    let server = Server::start(body.clone(), Behaviour::WrongRangeAndDrop);
    let err = run(&request(&server)).0.unwrap_err();
    let asked = server.ranges().len();
    println!("another range each time: {asked} requests, then: {err}");
    assert!(matches!(err, DownloadError::Interrupted { .. }), "{err}");
    assert!(asked <= 8, "{asked} requests");
    let _ = std::fs::remove_file(download::partial_path(&target));

    // A length of 1,000 announced for the whole model.
    let server = Server::start(body.clone(), Behaviour::ShortLength);
    let err = run(&request(&server)).0.unwrap_err().to_string();
    assert!(err.contains("announced 1000 bytes"), "{err}");
    assert_eq!(server.ranges().len(), 1);

    // A sign-in page that does not say it is one.
    let server = Server::start(body.clone(), Behaviour::UnlabelledPage);
    let err = run(&request(&server)).0.unwrap_err().to_string();
    assert!(err.contains("answered with a web page"), "{err}");
    assert!(!download::partial_path(&target).exists(), "a page was kept");
}

/// Cancelling while the server sends nothing stops at once, not after the
/// stall limit (60 s here), and keeps what arrived.
#[test]
fn cancelling_a_stalled_download_stops_at_once() {
    let body = std::fs::read(test_model()).unwrap();
    let server = Server::start(body.clone(), Behaviour::StallHalfWay);
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("ggml-tiny.en.bin");
    let request = request_for(&server, &target, &body, Duration::from_secs(60));
    let cancel = Arc::new(AtomicBool::new(false));
    let half = body.len() as u64 / 2;
    // Once half is on disk the server sends nothing more: cancel then.
    let canceller = {
        let cancel = Arc::clone(&cancel);
        let partial = download::partial_path(&target);
        std::thread::spawn(move || {
            while std::fs::metadata(&partial).map_or(0, |m| m.len()) < half {
                std::thread::sleep(Duration::from_millis(20));
            }
            std::thread::sleep(Duration::from_millis(300));
            cancel.store(true, Ordering::SeqCst);
            std::time::Instant::now()
        })
    };
    let result = download::download(&request, &mut |_| {}, &cancel);
    let waited = canceller.join().unwrap().elapsed();
    println!("cancelled during a stall; returned {waited:?} after the cancel");
    assert!(
        matches!(result, Err(DownloadError::Cancelled)),
        "{result:?}"
    );
    assert!(
        waited < Duration::from_secs(30),
        "it waited for the stall limit"
    );
    assert_eq!(
        std::fs::metadata(download::partial_path(&target))
            .unwrap()
            .len(),
        half
    );
}

/// A user name and password in the mirror's address never appear in what
/// is printed; a proxy that cannot be reached is named as the proxy.
#[test]
fn credentials_are_hidden_and_a_dead_proxy_is_named() {
    let body = std::fs::read(test_model()).unwrap();
    let server = Server::start(body, Behaviour::SignInPage);
    let dir = tempfile::tempdir().unwrap();
    let mirror = server.address.replace("http://", "http://ann:s3cret@");
    let rehearse = |mirror: &str, proxy: Option<&str>| {
        let mut command = Command::new(common::rehearse_bin());
        command
            .arg("--data-dir")
            .arg(dir.path())
            .args(["models", "download", "tiny.en"])
            .env(download::MIRROR_VARIABLE, mirror);
        for name in [
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
            "all_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "NO_PROXY",
            "no_proxy",
        ] {
            command.env_remove(name);
        }
        if let Some(proxy) = proxy {
            command.env("HTTP_PROXY", proxy);
        }
        let output = command.output().unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    };
    let said = rehearse(&mirror, None);
    assert!(said.contains("answered with a web page"), "{said}");
    assert!(!said.contains("s3cret") && !said.contains("ann:"), "{said}");
    assert!(said.contains("***@127.0.0.1"), "{said}");

    let dead = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let said = rehearse(&server.address, Some(&format!("http://127.0.0.1:{dead}")));
    assert!(
        said.contains(&format!("cannot reach the proxy 127.0.0.1:{dead}")),
        "{said}"
    );
}
