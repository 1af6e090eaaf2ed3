//! Trying a model in a child process before it is installed.
//!
//! whisper.cpp answers some damaged or unexpected model files by aborting
//! the whole process (ggml's `GGML_ABORT`), which no Rust code can catch.
//! [`super::models::inspect_weights`] refuses every such file found so far,
//! but a model file Rehearse has never seen is also loaded once, and run on
//! a second of silence, by a child process (`rehearse models try FILE`):
//! if anything in the file ends that process, only the child is lost and
//! the model is not installed. Published models (known by their hash) are
//! not tried; they are the files whisper.cpp is tested with.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Names the program to run the trial with where the running program is not
/// `rehearse` itself (a test binary; set to Cargo's `CARGO_BIN_EXE_rehearse`).
pub const PROGRAM_VARIABLE: &str = "REHEARSE_TRIAL_PROGRAM";

/// The command-line words after the program that try a model (hidden from
/// `--help`; see `cli::speech`).
pub const TRIAL_ARGUMENTS: [&str; 2] = ["models", "try"];

/// How long a trial may take: loading the largest model and running it on
/// a second of audio takes well under a minute on a laptop.
pub const TRIAL_LIMIT: Duration = Duration::from_secs(600);

/// How a model is tried.
#[derive(Clone, Debug)]
pub struct Trial {
    program: PathBuf,
    limit: Duration,
}

/// Why a model failed its trial.
#[derive(Debug, thiserror::Error)]
pub enum TrialError {
    /// The child could not be started.
    #[error("cannot start {} to try the model: {source}", program.display())]
    Start {
        /// The program.
        program: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// Loading or running the model ended the child.
    #[error("whisper.cpp cannot use this model: {0}")]
    Refused(String),
}

impl Trial {
    /// Trials run by this program (or by [`PROGRAM_VARIABLE`]'s, when set).
    /// Where the system cannot say which file this program is, `rehearse`
    /// from the `PATH` (a trial that cannot start then names it).
    pub fn this_program() -> Self {
        let program = match std::env::var_os(PROGRAM_VARIABLE) {
            Some(program) if !program.is_empty() => PathBuf::from(program),
            _ => std::env::current_exe().unwrap_or_else(|err| {
                log::warn!(
                    "cannot tell which file this program is ({err}); trying models with `rehearse`"
                );
                PathBuf::from("rehearse")
            }),
        };
        Self::with_program(program)
    }

    /// Trials run by `program` (given [`TRIAL_ARGUMENTS`] and the model).
    pub fn with_program(program: PathBuf) -> Self {
        Self {
            program,
            limit: TRIAL_LIMIT,
        }
    }

    /// The same with another time limit.
    #[must_use]
    pub fn with_limit(mut self, limit: Duration) -> Self {
        self.limit = limit;
        self
    }

    /// Loads `model` in a child process and runs it on a second of
    /// silence. Succeeds when the child ends normally.
    pub fn run(&self, model: &Path) -> Result<(), TrialError> {
        let started = Instant::now();
        let mut child = Command::new(&self.program)
            .args(TRIAL_ARGUMENTS)
            .arg(model)
            .env("GGML_NO_BACKTRACE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| TrialError::Start {
                program: self.program.clone(),
                source,
            })?;
        // Read on a thread of its own, so a child that writes much cannot
        // block on a full pipe while this waits for it to end.
        let stderr = child.stderr.take().map(|mut pipe| {
            std::thread::spawn(move || {
                let mut text = Vec::new();
                if let Err(err) = pipe.by_ref().take(64 * 1024).read_to_end(&mut text) {
                    log::warn!("reading the model trial's messages: {err}");
                }
                // Whatever is left is drained, so the child never blocks.
                if let Err(err) = std::io::copy(&mut pipe, &mut std::io::sink()) {
                    log::warn!("reading the model trial's messages: {err}");
                }
                String::from_utf8_lossy(&text).into_owned()
            })
        });
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Ok(status),
                Ok(None) if started.elapsed() >= self.limit => {
                    if let Err(err) = child.kill() {
                        log::warn!("stopping the model trial: {err}");
                    }
                    if let Err(err) = child.wait() {
                        log::warn!("waiting for the model trial: {err}");
                    }
                    break Err(format!(
                        "loading it did not finish within {} s",
                        self.limit.as_secs()
                    ));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(err) => break Err(format!("waiting for the trial: {err}")),
            }
        };
        let messages = stderr
            .and_then(|reader| reader.join().ok())
            .unwrap_or_default();
        let status = status.map_err(TrialError::Refused)?;
        log::info!(
            "model {} tried in a child process in {} ms: {status}",
            model.display(),
            started.elapsed().as_millis()
        );
        if status.success() {
            return Ok(());
        }
        Err(TrialError::Refused(describe_failure(status, &messages)))
    }
}

/// What ended the child, in words: its signal, or its last message.
fn describe_failure(status: ExitStatus, messages: &str) -> String {
    let said = messages
        .lines()
        .map(str::trim)
        .rfind(|line| !line.is_empty())
        .map(|line| line.strip_prefix("rehearse: ").unwrap_or(line))
        .map(|line| line.chars().take(300).collect::<String>());
    if let Some(signal) = signal_of(status) {
        let name = match signal {
            6 => " (SIGABRT)",
            11 => " (SIGSEGV)",
            7 => " (SIGBUS)",
            8 => " (SIGFPE)",
            4 => " (SIGILL)",
            9 => " (SIGKILL: out of memory?)",
            _ => "",
        };
        return match said {
            Some(said) => {
                format!("loading it ended the process with signal {signal}{name}: {said}")
            }
            None => format!("loading it ended the process with signal {signal}{name}"),
        };
    }
    said.unwrap_or_else(|| format!("loading it failed ({status})"))
}

#[cfg(unix)]
fn signal_of(status: ExitStatus) -> Option<i32> {
    std::os::unix::process::ExitStatusExt::signal(&status)
}

#[cfg(not(unix))]
fn signal_of(_status: ExitStatus) -> Option<i32> {
    None
}

/// What `rehearse models try FILE` does in the child: loads the model and
/// runs it on a second of silence.
pub fn try_here(model: &Path) -> Result<(), super::SpeechError> {
    let mut engine = super::Engine::new();
    let silence = vec![0.0_f32; super::pcm::WHISPER_RATE as usize];
    engine.transcribe(model, &silence, &super::Control::new())?;
    Ok(())
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn script(dir: &Path, body: &str) -> PathBuf {
        let path = dir.join("program");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn a_child_that_ends_normally_passes() {
        let dir = tempfile::tempdir().unwrap();
        let program = script(dir.path(), "[ \"$1 $2\" = 'models try' ] && [ -n \"$3\" ]");
        Trial::with_program(program)
            .run(Path::new("model.bin"))
            .unwrap();
    }

    #[test]
    fn an_abort_is_named_with_the_last_message() {
        let dir = tempfile::tempdir().unwrap();
        let program = script(
            dir.path(),
            "echo 'GGML_ASSERT: bad type' >&2; kill -ABRT $$",
        );
        let err = Trial::with_program(program)
            .run(Path::new("model.bin"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("signal 6 (SIGABRT)"), "{err}");
        assert!(err.contains("GGML_ASSERT: bad type"), "{err}");
    }

    #[test]
    fn a_refusal_names_what_the_child_said() {
        let dir = tempfile::tempdir().unwrap();
        let program = script(dir.path(), "echo 'rehearse: not a model' >&2; exit 1");
        let err = Trial::with_program(program)
            .run(Path::new("model.bin"))
            .unwrap_err()
            .to_string();
        assert_eq!(err, "whisper.cpp cannot use this model: not a model");
    }

    #[test]
    fn a_child_that_hangs_is_stopped_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let program = script(dir.path(), "exec sleep 30");
        let started = Instant::now();
        let err = Trial::with_program(program)
            .with_limit(Duration::from_millis(200))
            .run(Path::new("model.bin"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("did not finish"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(30));
    }

    #[test]
    fn a_missing_program_is_named() {
        let err = Trial::with_program(PathBuf::from("/nonexistent/rehearse"))
            .run(Path::new("model.bin"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/rehearse"), "{err}");
    }
}
