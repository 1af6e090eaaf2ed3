//! Downloading a model, only when the user asks: to `<file>.partial`,
//! resumed with a `Range` request after an interruption, abandoned after a
//! stall, and moved into place only when its size and SHA-256 match.
//!
//! The HTTP client is ureq with rustls (no OpenSSL); it honours
//! `HTTPS_PROXY`/`https_proxy` (and `ALL_PROXY`, `NO_PROXY`).

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// Without a byte for this long, a download is given up (and can be
/// resumed later).
pub const STALL_LIMIT: Duration = Duration::from_secs(60);

/// Attempts in a row that bring no new byte before giving up.
const ATTEMPTS_WITHOUT_PROGRESS: u32 = 3;

/// The environment variable naming a mirror of the model repository (a
/// URL that `ggml-<name>.bin` is added to), for organisations that host
/// the files themselves; tests point it at a local server.
pub const MIRROR_VARIABLE: &str = "REHEARSE_MODELS_URL";

/// What to download.
#[derive(Clone, Debug)]
pub struct Request {
    /// Where from.
    pub url: String,
    /// The finished file.
    pub target: PathBuf,
    /// Its exact size.
    pub size: u64,
    /// Its SHA-256, lowercase hex.
    pub sha256: String,
    /// How long to wait for a byte before giving up.
    pub stall_limit: Duration,
}

/// How far a download is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// Bytes on disk so far.
    pub received: u64,
    /// Bytes in all.
    pub total: u64,
    /// Recent speed, bytes per second (0 until known).
    pub bytes_per_second: f64,
}

impl Progress {
    /// `12.3 of 148.0 MB, 4.1 MB/s, 31 s left` (speed and time when known).
    pub fn describe(&self) -> String {
        let mut line = format!(
            "{:.1} of {:.1} MB",
            self.received as f64 / 1e6,
            self.total as f64 / 1e6
        );
        if self.bytes_per_second > 0.0 {
            line.push_str(&format!(", {:.1} MB/s", self.bytes_per_second / 1e6));
        }
        if let Some(left) = self.seconds_left() {
            line.push_str(&format!(", {:.0} s left", left.ceil()));
        }
        line
    }

    /// Seconds left at the recent speed, when known.
    pub fn seconds_left(&self) -> Option<f64> {
        (self.bytes_per_second > 0.0)
            .then(|| self.total.saturating_sub(self.received) as f64 / self.bytes_per_second)
    }
}

/// Why a download failed. Every message says what happened in words a user
/// can act on.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    /// The server could not be reached at all.
    #[error(
        "cannot reach {host}: this computer may be offline, or need a proxy (set HTTPS_PROXY). \
         Or download the model file on another computer and import it ({detail})"
    )]
    Unreachable {
        /// The host asked.
        host: String,
        /// What the client said.
        detail: String,
    },
    /// The proxy named in the environment could not be reached.
    #[error(
        "cannot reach the proxy {proxy} (set by HTTPS_PROXY, HTTP_PROXY or ALL_PROXY): {detail}; check that setting, or unset it to connect directly"
    )]
    ProxyUnreachable {
        /// The proxy, without credentials.
        proxy: String,
        /// What the client said.
        detail: String,
    },
    /// The server announced a length other than the model's.
    #[error(
        "{url} announced {announced} bytes where the model needs {due}: it is not serving the model (a proxy or a network sign-in page may be in the way); what arrived before is kept"
    )]
    WrongLength {
        /// The address, without credentials.
        url: String,
        /// The `Content-Length` of the answer.
        announced: u64,
        /// The bytes the model still needed.
        due: u64,
    },
    /// A web page came back instead of the file: a proxy's or a captive
    /// portal's sign-in page, or an error page.
    #[error(
        "{url} answered with a web page (HTTP {status}), not the model: a proxy or a network sign-in page may be in the way; open the address in a browser, or download the file there and use Import"
    )]
    WebPage {
        /// The address.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// The server answered with an error status.
    #[error("{url} answered HTTP {status}")]
    Status {
        /// The address.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// No byte arrived for the stall limit.
    #[error("no data arrived for {} s; what arrived is kept and the download resumes when started again", .0.as_secs())]
    Stalled(Duration),
    /// The connection kept failing.
    #[error(
        "the connection kept failing ({detail}); what arrived ({received} of {total} bytes) is kept and the download resumes when started again"
    )]
    Interrupted {
        /// Bytes kept.
        received: u64,
        /// Bytes in all.
        total: u64,
        /// The last failure.
        detail: String,
    },
    /// The file that arrived is not the published one; it was removed.
    #[error("the downloaded file is not the published model ({what}); it was removed")]
    Mismatch {
        /// Size or hash, with both values.
        what: String,
    },
    /// The disk is full.
    #[error("the disk is full while writing {}; free some space and start again (the download resumes)", .0.display())]
    DiskFull(PathBuf),
    /// Another file operation failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// The user cancelled; what arrived is kept.
    #[error("cancelled")]
    Cancelled,
}

/// `<target>.partial`, where a download in progress is written.
pub fn partial_path(target: &Path) -> PathBuf {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    target.with_file_name(name)
}

/// The address of the published model file `file_name`: the mirror when
/// [`MIRROR_VARIABLE`] is set, otherwise whisper.cpp's model repository.
pub fn url_for(file_name: &str) -> String {
    let base = std::env::var(MIRROR_VARIABLE)
        .ok()
        .filter(|base| !base.is_empty())
        .unwrap_or_else(|| super::models::DOWNLOAD_BASE.to_owned());
    format!("{}/{file_name}", base.trim_end_matches('/'))
}

/// What the download thread reports.
enum Update {
    Progress(Progress),
    Done(Result<(), DownloadError>),
}

/// Downloads `request`, calling `progress` as bytes arrive (at most about
/// ten times a second). The transfer runs on a thread of its own, so that
/// `cancel` stops the download at once, even while the server sends
/// nothing (a read waits up to the stall limit); that thread writes nothing
/// more once cancelled and ends with its read.
pub fn download(
    request: &Request,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<(), DownloadError> {
    let stop = Arc::new(AtomicBool::new(false));
    let (updates, received) = mpsc::channel();
    let transfer = {
        let request = request.clone();
        let stop = Arc::clone(&stop);
        move || {
            let sent = updates.clone();
            let mut report = |p| {
                // The caller has gone (cancelled): nobody to tell.
                let _ = sent.send(Update::Progress(p));
            };
            let result = transfer(&request, &mut report, &stop);
            // Likewise: a cancelled caller has stopped listening (what
            // arrived is kept on disk for a resume either way).
            let _ = updates.send(Update::Done(result));
        }
    };
    std::thread::Builder::new()
        .name("rehearse-download".to_owned())
        .spawn(transfer)
        .map_err(|source| DownloadError::Io {
            path: partial_path(&request.target),
            source,
        })?;
    loop {
        match received.recv_timeout(Duration::from_millis(50)) {
            Ok(Update::Progress(p)) => progress(p),
            Ok(Update::Done(result)) => return result,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if cancel.load(Ordering::Relaxed) {
                    stop.store(true, Ordering::Relaxed);
                    return Err(DownloadError::Cancelled);
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(DownloadError::Interrupted {
                    received: file_length(&partial_path(&request.target)).unwrap_or(0),
                    total: request.size,
                    detail: "the download thread ended".to_owned(),
                });
            }
        }
    }
}

/// The download itself, on the calling thread.
fn transfer(
    request: &Request,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<(), DownloadError> {
    let partial = partial_path(&request.target);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_per_read(Some(request.stall_limit))
        .user_agent(concat!("Rehearse/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut fruitless = 0;
    // Partials thrown away (a server that answers a resume with another
    // range, a file longer than the model): each counts as a failed
    // attempt whatever arrived before, so no server can loop for ever.
    let mut discarded = 0;
    loop {
        let before = file_length(&partial)?;
        if before == request.size {
            break;
        }
        let attempt = if before > request.size {
            remove(&partial)?;
            Err(Attempt::Restart(format!(
                "{before} bytes were on disk, more than the model's {}",
                request.size
            )))
        } else {
            fetch(&agent, request, &partial, before, progress, cancel)
        };
        match attempt {
            Ok(()) => {}
            Err(Attempt::Fatal(err)) => return Err(err),
            Err(Attempt::Restart(detail)) => {
                discarded += 1;
                log::info!(
                    "download of {} started over: {detail}",
                    without_credentials(&request.url)
                );
                if discarded >= ATTEMPTS_WITHOUT_PROGRESS {
                    return Err(DownloadError::Interrupted {
                        received: 0,
                        total: request.size,
                        detail,
                    });
                }
            }
            Err(Attempt::Retry(detail)) => {
                let after = file_length(&partial)?;
                fruitless = if after > before { 0 } else { fruitless + 1 };
                log::info!(
                    "download of {} interrupted at {after} bytes: {detail}",
                    without_credentials(&request.url)
                );
                if fruitless >= ATTEMPTS_WITHOUT_PROGRESS {
                    return Err(DownloadError::Interrupted {
                        received: after,
                        total: request.size,
                        detail,
                    });
                }
            }
        }
    }
    verify_and_publish(request, &partial)
}

/// How one request ended, when not with the whole body.
enum Attempt {
    /// Try again (with a `Range` from what is on disk).
    Retry(String),
    /// What was on disk was thrown away; try again from the start.
    Restart(String),
    /// Stop.
    Fatal(DownloadError),
}

impl From<DownloadError> for Attempt {
    fn from(err: DownloadError) -> Self {
        Self::Fatal(err)
    }
}

/// What the answer to a request from byte `from` says before its body:
/// whether it continues the partial (else it starts the file), or why it
/// cannot be used.
fn check_answer(
    response: &ureq::http::Response<ureq::Body>,
    request: &Request,
    partial: &Path,
    from: u64,
) -> Result<bool, Attempt> {
    let shown_url = without_credentials(&request.url);
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    if header("content-type").is_some_and(|kind| kind.to_ascii_lowercase().contains("text/html")) {
        return Err(Attempt::Fatal(DownloadError::WebPage {
            url: shown_url.clone(),
            status,
        }));
    }
    let append = match status {
        206 => {
            let range = header("content-range").unwrap_or_default();
            if !range.starts_with(&format!("bytes {from}-")) {
                // A range other than the one asked for: start over.
                remove(partial)?;
                return Err(Attempt::Restart(format!(
                    "the server sent the range {range:?} instead of bytes {from}-"
                )));
            }
            true
        }
        200 => false,
        416 => {
            remove(partial)?;
            return Err(Attempt::Restart("the server refused to resume".to_owned()));
        }
        _ => {
            return Err(Attempt::Fatal(DownloadError::Status {
                url: shown_url.clone(),
                status,
            }));
        }
    };
    // A length other than the rest of the model: the answer is not the
    // model (a page, a truncated proxy answer); reading it would cost a
    // request per announced length.
    let due = request.size - if append { from } else { 0 };
    if let Some(announced) = header("content-length").and_then(|v| v.trim().parse::<u64>().ok())
        && announced != due
    {
        return Err(Attempt::Fatal(DownloadError::WrongLength {
            url: shown_url.clone(),
            announced,
            due,
        }));
    }
    Ok(append)
}

/// One request: from byte `from` (0: the whole file) to the end.
fn fetch(
    agent: &ureq::Agent,
    request: &Request,
    partial: &Path,
    from: u64,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<(), Attempt> {
    let mut call = agent.get(&request.url);
    if from > 0 {
        call = call.header("Range", format!("bytes={from}-"));
    }
    let response = call
        .call()
        .map_err(|err| classify(&request.url, err, request.stall_limit))?;
    let shown_url = without_credentials(&request.url);
    let status = response.status().as_u16();
    let append = check_answer(&response, request, partial, from)?;
    let mut file = open_partial(partial, append)?;
    let mut received = if append { from } else { 0 };
    let mut reader = response.into_body().into_reader();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut speed = Speed::new(received);
    let mut last_report = Instant::now() - Duration::from_secs(1);
    loop {
        if cancel.load(Ordering::Relaxed) {
            sync(&mut file, partial)?;
            return Err(Attempt::Fatal(DownloadError::Cancelled));
        }
        let read = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(read) => read,
            Err(err) => {
                sync(&mut file, partial)?;
                return Err(read_failure(&err, request.stall_limit));
            }
        };
        if cancel.load(Ordering::Relaxed) {
            // Cancelled during the read: nothing more is written.
            sync(&mut file, partial)?;
            return Err(Attempt::Fatal(DownloadError::Cancelled));
        }
        if received == 0 && looks_like_a_web_page(&buffer[..read]) {
            // A sign-in page sent without saying it is one.
            drop(file);
            remove(partial)?;
            return Err(Attempt::Fatal(DownloadError::WebPage {
                url: shown_url,
                status,
            }));
        }
        if received + read as u64 > request.size {
            drop(file);
            remove(partial)?;
            return Err(Attempt::Fatal(DownloadError::Mismatch {
                what: format!("the server sent more than {} bytes", request.size),
            }));
        }
        file.write_all(&buffer[..read])
            .map_err(|err| Attempt::Fatal(write_failure(err, partial)))?;
        received += read as u64;
        if last_report.elapsed() >= Duration::from_millis(100) {
            last_report = Instant::now();
            progress(Progress {
                received,
                total: request.size,
                bytes_per_second: speed.update(received),
            });
        }
    }
    sync(&mut file, partial)?;
    progress(Progress {
        received,
        total: request.size,
        bytes_per_second: speed.update(received),
    });
    if received < request.size {
        return Err(Attempt::Retry(format!(
            "the connection closed after {received} of {} bytes",
            request.size
        )));
    }
    Ok(())
}

/// Whether the first bytes of an answer are a web page (a model starts
/// with ggml's signature, a page with `<`).
fn looks_like_a_web_page(first: &[u8]) -> bool {
    first
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'<')
}

/// `url` with any user name and password in it replaced by `***`, for
/// messages and the log.
pub fn without_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://***@{}", &rest[at + 1..]),
        None => url.to_owned(),
    }
}

/// The host (and port) of `url`, without credentials.
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or(rest);
    authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host)
        .to_owned()
}

/// The proxy the HTTP client goes through for `url`, as ureq reads it
/// from the environment (`ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY`, lower
/// case too; none for a host `NO_PROXY` lists), without credentials.
fn proxy_for(url: &str) -> Option<String> {
    let proxy = ureq::Proxy::try_from_env()?;
    let uri: ureq::http::Uri = url.parse().ok()?;
    (!proxy.is_no_proxy(&uri)).then(|| format!("{}:{}", proxy.host(), proxy.port()))
}

/// The speed over the last few seconds.
struct Speed {
    samples: std::collections::VecDeque<(Instant, u64)>,
}

impl Speed {
    fn new(received: u64) -> Self {
        Self {
            samples: std::iter::once((Instant::now(), received)).collect(),
        }
    }

    fn update(&mut self, received: u64) -> f64 {
        let now = Instant::now();
        self.samples.push_back((now, received));
        while self.samples.len() > 2
            && now.duration_since(self.samples[0].0) > Duration::from_secs(5)
        {
            self.samples.pop_front();
        }
        let (start, bytes) = self.samples[0];
        let seconds = now.duration_since(start).as_secs_f64();
        if seconds < 0.2 {
            0.0
        } else {
            received.saturating_sub(bytes) as f64 / seconds
        }
    }
}

fn classify(url: &str, err: ureq::Error, stall_limit: Duration) -> Attempt {
    let host = host_of(url);
    let unreachable = |detail: String| {
        Attempt::Fatal(match proxy_for(url) {
            Some(proxy) => DownloadError::ProxyUnreachable { proxy, detail },
            None => DownloadError::Unreachable {
                host: host.clone(),
                detail,
            },
        })
    };
    match err {
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => unreachable(err.to_string()),
        ureq::Error::Io(io)
            if matches!(
                io.kind(),
                io::ErrorKind::ConnectionRefused
                    | io::ErrorKind::HostUnreachable
                    | io::ErrorKind::NetworkUnreachable
                    | io::ErrorKind::AddrNotAvailable
            ) =>
        {
            unreachable(io.to_string())
        }
        ureq::Error::Timeout(_) => Attempt::Fatal(DownloadError::Stalled(stall_limit)),
        other => Attempt::Retry(other.to_string()),
    }
}

fn read_failure(err: &io::Error, stall_limit: Duration) -> Attempt {
    let timed_out = err.kind() == io::ErrorKind::TimedOut
        || err
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<ureq::Error>())
            .is_some_and(|inner| matches!(inner, ureq::Error::Timeout(_)));
    if timed_out {
        Attempt::Fatal(DownloadError::Stalled(stall_limit))
    } else {
        Attempt::Retry(err.to_string())
    }
}

fn write_failure(err: io::Error, path: &Path) -> DownloadError {
    if err.kind() == io::ErrorKind::StorageFull {
        DownloadError::DiskFull(path.to_path_buf())
    } else {
        DownloadError::Io {
            path: path.to_path_buf(),
            source: err,
        }
    }
}

fn open_partial(path: &Path, append: bool) -> Result<File, DownloadError> {
    if let Some(folder) = path.parent() {
        crate::durable::create_private_dir(folder).map_err(|source| DownloadError::Io {
            path: folder.to_path_buf(),
            source,
        })?;
    }
    let mut options: OpenOptions = crate::durable::private_file_options();
    options.create(true);
    if append {
        options.append(true);
    } else {
        options.write(true).truncate(true);
    }
    crate::durable::open_own_file(&options, path).map_err(|source| DownloadError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn sync(file: &mut File, path: &Path) -> Result<(), DownloadError> {
    file.flush()
        .and_then(|()| file.sync_data())
        .map_err(|err| write_failure(err, path))
}

fn file_length(path: &Path) -> Result<u64, DownloadError> {
    match std::fs::metadata(path) {
        Ok(metadata) => Ok(metadata.len()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(0),
        Err(source) => Err(DownloadError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn remove(path: &Path) -> Result<(), DownloadError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(DownloadError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Checks the finished `.partial` against the request and gives it its
/// final name; a file that does not match is removed.
fn verify_and_publish(request: &Request, partial: &Path) -> Result<(), DownloadError> {
    let io_error = |source| DownloadError::Io {
        path: partial.to_path_buf(),
        source,
    };
    let length = file_length(partial)?;
    if length != request.size {
        remove(partial)?;
        return Err(DownloadError::Mismatch {
            what: format!("{length} bytes, not {}", request.size),
        });
    }
    let sha256 = super::models::sha256_of(partial).map_err(io_error)?;
    if sha256 != request.sha256 {
        remove(partial)?;
        return Err(DownloadError::Mismatch {
            what: format!("SHA-256 {sha256}, not {}", request.sha256),
        });
    }
    std::fs::rename(partial, &request.target).map_err(|source| DownloadError::Io {
        path: request.target.clone(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_reach_a_message() {
        assert_eq!(
            without_credentials("https://ann:s3cret@mirror.example/models/x.bin"),
            "https://***@mirror.example/models/x.bin"
        );
        assert_eq!(
            without_credentials("https://mirror.example/a@b/x.bin"),
            "https://mirror.example/a@b/x.bin"
        );
        assert_eq!(host_of("http://ann:pw@127.0.0.1:8080/x"), "127.0.0.1:8080");
        assert!(looks_like_a_web_page(b"\n  <!DOCTYPE html>"));
        assert!(!looks_like_a_web_page(b"lmgg\x00"));
    }

    #[test]
    fn partial_sits_beside_the_model() {
        assert_eq!(
            partial_path(Path::new("/d/models/ggml-base.en.bin")),
            Path::new("/d/models/ggml-base.en.bin.partial")
        );
    }

    #[test]
    fn time_left_follows_the_speed() {
        let progress = Progress {
            received: 25,
            total: 125,
            bytes_per_second: 10.0,
        };
        assert_eq!(progress.seconds_left(), Some(10.0));
        assert_eq!(progress.describe(), "0.0 of 0.0 MB, 0.0 MB/s, 10 s left");
        assert_eq!(
            Progress {
                bytes_per_second: 0.0,
                ..progress
            }
            .seconds_left(),
            None
        );
    }
}
