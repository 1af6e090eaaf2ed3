//! Shared by the end-to-end tests: the real binary, and a private `PulseAudio`
//! server whose null sink is the "microphone" (what is played into the sink
//! is what its monitor records), as described in the project's testing
//! notes. Every test gets its own server, so tests never hear each other.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "each test file uses a part; a failing helper fails the test"
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The `rehearse` binary under test.
pub fn rehearse_bin() -> &'static str {
    env!("CARGO_BIN_EXE_rehearse")
}

/// A private PulseAudio server with a null sink `vsink` as the default
/// output and its monitor as the default input. Stopped when dropped.
pub struct VirtualAudio {
    runtime_dir: TempDir,
    server: Child,
}

impl VirtualAudio {
    /// Starts the server and waits until it answers.
    pub fn start() -> Self {
        let runtime_dir = TempDir::new().unwrap();
        let server = Command::new("pulseaudio")
            .args([
                "-n",
                "--daemonize=no",
                "--exit-idle-time=-1",
                "--use-pid-file=no",
                "--disallow-exit",
                "-L",
                "module-native-protocol-unix auth-anonymous=1",
                "-L",
                "module-null-sink sink_name=vsink rate=48000 channels=2",
            ])
            .env("XDG_RUNTIME_DIR", runtime_dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pulseaudio must be installed (make test installs it)");
        let audio = Self {
            runtime_dir,
            server,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !audio.pactl(&["info"]).status.success() {
            assert!(Instant::now() < deadline, "pulseaudio did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(audio.pactl(&["set-default-sink", "vsink"]).status.success());
        assert!(
            audio
                .pactl(&["set-default-source", "vsink.monitor"])
                .status
                .success()
        );
        audio
    }

    /// The runtime folder clients find the server through.
    pub fn runtime_dir(&self) -> &Path {
        self.runtime_dir.path()
    }

    /// A command that talks to this server.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.env("XDG_RUNTIME_DIR", self.runtime_dir.path());
        command
    }

    /// `pactl ARGS` against this server.
    pub fn pactl(&self, args: &[&str]) -> Output {
        self.command("pactl").args(args).output().unwrap()
    }

    /// Plays a WAV file into the sink (the microphone hears it); returns
    /// when it has been played.
    pub fn play_into_microphone(&self, wav: &Path) {
        let status = self.command("paplay").arg(wav).status().unwrap();
        assert!(status.success(), "paplay failed");
    }

    /// Stops the server, as when a USB microphone is pulled out.
    pub fn kill(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

impl Drop for VirtualAudio {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The speech test model, a real tiny.en that `scripts/make_test_model.py`
/// builds (`make test` runs it) in `target/test-model/`, or the file named
/// by `REHEARSE_TEST_MODEL`.
pub fn test_model() -> PathBuf {
    let path = std::env::var_os("REHEARSE_TEST_MODEL").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-model/ggml-tiny.en.bin"),
        PathBuf::from,
    );
    assert!(
        path.is_file(),
        "{} is missing: run `python3 scripts/make_test_model.py` (make test does)",
        path.display()
    );
    path
}

/// The same weights in ggml's 8-bit blocks (`ggml-tiny.en-q8_0.bin`, the
/// format of the catalogue's `-q8_0` models), made beside the test model.
pub fn compressed_test_model() -> PathBuf {
    let path = test_model().with_file_name("ggml-tiny.en-q8_0.bin");
    assert!(
        path.is_file(),
        "{} is missing: run `python3 scripts/make_test_model.py` (make test does)",
        path.display()
    );
    path
}

/// The sentence model's folder (`model.safetensors`, `tokenizer.json`):
/// the published all-MiniLM-L6-v2 that `scripts/make_test_model.py` takes
/// from the Python package index into `target/test-model/`.
pub fn test_embedding_model() -> PathBuf {
    let folder = test_model().with_file_name("all-MiniLM-L6-v2");
    for name in ["model.safetensors", "tokenizer.json"] {
        assert!(
            folder.join(name).is_file(),
            "{} is missing: run `python3 scripts/make_test_model.py` (make test does)",
            folder.join(name).display()
        );
    }
    folder
}

/// Speech from espeak-ng, written to `dir/name.wav`.
pub fn speech(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(format!("{name}.wav"));
    let status = Command::new("espeak-ng")
        .args(["-w"])
        .arg(&path)
        .arg(text)
        .status()
        .expect("espeak-ng must be installed (make test installs it)");
    assert!(status.success());
    path
}

/// A running `rehearse` whose stderr is read line by line.
pub struct Running {
    pub child: Child,
    lines: mpsc::Receiver<String>,
    pub stderr_seen: Vec<String>,
}

impl Running {
    /// Starts `rehearse ARGS` against `audio`.
    pub fn start(audio: &VirtualAudio, args: &[&str]) -> Self {
        let child = audio
            .command(rehearse_bin())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        Self::from_child(child)
    }

    /// Watches a child started with piped stdout and stderr.
    pub fn from_child(mut child: Child) -> Self {
        let stderr: ChildStderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            stderr_seen: Vec::new(),
        }
    }

    /// Waits for a stderr line containing `text` and returns it.
    pub fn wait_for(&mut self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.stderr_seen.push(line.clone());
                    if line.contains(text) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no line with {text:?}; stderr so far: {:?}",
                    self.stderr_seen
                ),
            }
        }
    }

    /// Waits for the process to end; returns its stdout, the rest of its
    /// stderr and whether it succeeded.
    pub fn finish(mut self) -> (String, String, bool) {
        let status = self.child.wait().unwrap();
        let mut stdout = String::new();
        if let Some(mut out) = self.child.stdout.take() {
            std::io::Read::read_to_string(&mut out, &mut stdout).unwrap();
        }
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.stderr_seen.push(line);
        }
        (stdout, self.stderr_seen.join("\n"), status.success())
    }
}

/// `key: value` lines of `rehearse record`'s report.
pub fn report_value<'a>(report: &'a str, key: &str) -> &'a str {
    report
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{key}: ")))
        .unwrap_or_else(|| panic!("no {key} in {report}"))
}

/// Length and RMS amplitude of a sound file, as `sox FILE -n stat` reads it.
pub fn sox_stat(path: &Path) -> (f64, f64) {
    let output = Command::new("sox")
        .arg(path)
        .args(["-n", "stat"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "sox cannot read {}",
        path.display()
    );
    let text = String::from_utf8_lossy(&output.stderr);
    let value = |key: &str| -> f64 {
        text.lines()
            .find(|line| line.starts_with(key))
            .and_then(|line| line.split(':').nth(1))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {key} in sox output: {text}"))
    };
    (value("Length (seconds)"), value("RMS     amplitude"))
}

/// Frames and rate as Python's `wave` module reads the file.
pub fn python_wave(path: &Path) -> (u64, u32) {
    let output = Command::new("python3")
        .args([
            "-c",
            "import sys, wave\nw = wave.open(sys.argv[1])\nprint(w.getnframes(), w.getframerate())",
        ])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "python's wave cannot read {}: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout);
    let mut parts = text.split_whitespace();
    (
        parts.next().unwrap().parse().unwrap(),
        parts.next().unwrap().parse().unwrap(),
    )
}

/// For each word of `script`, the index of the word of `heard` it was
/// matched with (a longest common subsequence of equal words), if any.
pub fn align(script: &[String], heard: &[String]) -> Vec<Option<usize>> {
    let (n, m) = (script.len(), heard.len());
    let mut table = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[i][j] = if script[i] == heard[j] {
                table[i + 1][j + 1] + 1
            } else {
                table[i + 1][j].max(table[i][j + 1])
            };
        }
    }
    let mut matched = vec![None; n];
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if script[i] == heard[j] {
            matched[i] = Some(j);
            i += 1;
            j += 1;
        } else if table[i + 1][j] >= table[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    matched
}

/// The sentence test model's two files copied into `models`, as an
/// installed model (or the model hub) holds them.
pub fn copy_sentence_model(models: &Path) {
    let folder = models.join("all-MiniLM-L6-v2");
    std::fs::create_dir_all(&folder).unwrap();
    for name in ["model.safetensors", "tokenizer.json"] {
        std::fs::copy(test_embedding_model().join(name), folder.join(name)).unwrap();
    }
}

/// A local HTTP server in place of the model hub, serving a folder until
/// it is dropped.
pub struct LocalServer {
    child: Child,
    /// Where it serves, `http://127.0.0.1:PORT`.
    pub url: String,
}

impl LocalServer {
    /// Serves `folder`, once it answers.
    pub fn start(folder: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                "--bind",
                "127.0.0.1",
                &port.to_string(),
            ])
            .arg("--directory")
            .arg(folder)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the local server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A question pack of two questions with follow-ups (and no strong answer),
/// for the window's and the terminal's follow-up tests: one asked when
/// the answer says "milliseconds" (tiny.en hears it in espeak's voice),
/// one when it does not mention a replica, one after any answer.
pub const FOLLOW_UP_PACK: &str = r#"{
  "schema_version": 2,
  "name": "Follow-up test",
  "questions": [
    {"id": "ui-follow-slow-read", "text": "How would you speed up a slow read?",
     "category": "Follow-up test", "kind": "technical", "looking_for": "A method.",
     "think_seconds": 1, "answer_seconds": 5,
     "follow_ups": [
       {"ask": "You gave a timing: how did you measure it?",
        "when": {"said": ["milliseconds"]}},
       {"ask": "Did you consider a read replica?", "when": {"not_said": ["replica"]}},
       {"ask": "What would you try next?", "when": {"always": true}}
     ]},
    {"id": "ui-follow-queue", "text": "When would you put a queue between two services?",
     "category": "Follow-up test", "kind": "technical", "looking_for": "Trade-offs.",
     "think_seconds": 1, "answer_seconds": 2,
     "follow_ups": [
       {"ask": "What happens when the consumer falls behind?",
        "when": {"said": ["backlog"]}},
       {"ask": "And if a message is delivered twice?", "when": {"always": true}}
     ]}
  ]
}"#;
