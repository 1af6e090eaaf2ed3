//! The command line: subcommands over the same services the app uses, for
//! scripting and for end-to-end tests.

/// `eprintln!` below the terminal's status line ([`status`]), which stays
/// as it was.
macro_rules! say {
    ($($arg:tt)*) => {{
        $crate::cli::status::end();
        eprintln!($($arg)*);
    }};
}

mod audio;
mod interview;
mod questions;
mod sessions;
mod speech;
mod status;
mod transcriber;
#[cfg(windows)]
mod windows_console;

pub use speech::{ModelsCommand, TranscriptFormat};

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use clap::{CommandFactory, Parser, Subcommand};

use crate::audio::TakeFormat;
use crate::paths::DataDir;
use crate::questions::PackSources;

/// Practise interview answers out loud: Rehearse shows a question, times your
/// thinking, records your answer and keeps every take on this machine.
#[derive(Debug, Parser)]
#[command(name = "rehearse", version, about, max_term_width = 100)]
pub struct Cli {
    /// Folder for sessions, settings and your own question packs
    /// [default: the platform's data folder, e.g. ~/.local/share/rehearse].
    #[arg(long, global = true, value_name = "DIR", env = "REHEARSE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// An extra question pack (JSON) to load; may be given more than once.
    /// Goes before the subcommand: `rehearse --questions my.json questions list`.
    #[arg(long = "questions", value_name = "FILE")]
    pub question_files: Vec<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show or check question packs.
    #[command(subcommand)]
    Questions(QuestionsCommand),
    /// List microphones and outputs with their ids (default first).
    Devices {
        /// Also list ALSA's aliases and plugins of the same hardware.
        #[arg(long)]
        all: bool,
    },
    /// Record from a microphone into a mono WAV file.
    Record(RecordArgs),
    /// Play a WAV file through the default output.
    Play {
        /// The file to play.
        file: PathBuf,
        /// Start this many seconds in.
        #[arg(long, value_name = "SECONDS", default_value_t = 0.0)]
        from: f64,
    },
    /// Repair takes left as `.wav.part` by a crash, under a folder.
    Recover {
        /// The folder to search (with its subfolders).
        dir: PathBuf,
    },
    /// List, show or delete practice sessions.
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// Rate a take 1 to 5 stars, optionally with a note.
    Rate {
        /// The session: its id, a unique start of it, or `latest`.
        session: String,
        /// The take's number, as `sessions show` lists it.
        take: usize,
        /// Stars, 1 to 5.
        #[arg(value_parser = clap::value_parser!(u8).range(1..=5))]
        stars: u8,
        /// A note to keep with the take (replaces the previous one).
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Practise in the terminal: questions, countdowns, recording, rating.
    Interview(InterviewArgs),
    /// Export sessions to a folder or a .zip: audio, report.html, takes.csv.
    Export {
        /// The sessions: ids, unique starts of ids, or `latest`.
        #[arg(required = true)]
        sessions: Vec<String>,
        /// The folder (or, with --zip, the .zip file) to create.
        #[arg(long, value_name = "PATH")]
        to: PathBuf,
        /// Write a .zip file instead of a folder.
        #[arg(long)]
        zip: bool,
        /// Convert the audio to FLAC (lossless, about half the size).
        #[arg(long)]
        flac: bool,
        /// Replace PATH if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script: `rehearse completions bash > …`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `rehearse manpage | man -l -`.
    Manpage,
    /// Speech recognition models: list, download, import, remove.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// What was said in a recording, recognised on this machine with an
    /// installed model (`rehearse models`).
    Transcribe {
        /// The WAV file.
        file: PathBuf,
        /// An installed model's name, or a model file (default: the best
        /// installed model).
        #[arg(long, value_name = "NAME|PATH")]
        model: Option<String>,
        /// What to print.
        #[arg(long, value_enum, default_value_t = TranscriptFormat::Text)]
        format: TranscriptFormat,
    },
    /// Speech metrics of a recording: time to the first word, speaking
    /// time, pauses, an estimate of the pace, and the recording's level;
    /// with --transcript also what was said and what the words show
    /// (pace, fillers, hedges, repeats, key points, I/we, a stated result).
    Analyze {
        /// The WAV file.
        file: PathBuf,
        /// Transcribe it too and measure the words.
        #[arg(long)]
        transcript: bool,
        /// The bank question it answers: its keywords and kind are used.
        #[arg(long, value_name = "ID", requires = "transcript")]
        question: Option<String>,
        /// An installed model's name, or a model file (default: the best
        /// installed model).
        #[arg(long, value_name = "NAME|PATH", requires = "transcript")]
        model: Option<String>,
        /// Print the metrics as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `rehearse sessions …`
#[derive(Debug, Subcommand)]
pub enum SessionsCommand {
    /// Sessions, newest first, with questions, takes, time and rating.
    List(SessionFilterArgs),
    /// One session's questions and takes.
    Show {
        /// The session: its id, a unique start of it, or `latest`.
        session: String,
    },
    /// Delete a session with all its recordings.
    Delete {
        /// The session: its id, a unique start of it, or `latest`.
        session: String,
        /// Confirm: without it nothing is deleted.
        #[arg(long)]
        yes: bool,
    },
}

/// Filters of `sessions list`.
#[derive(Debug, clap::Args)]
pub struct SessionFilterArgs {
    /// Only sessions started on or after this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    pub from: Option<jiff::civil::Date>,
    /// Only sessions started on or before this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE")]
    pub to: Option<jiff::civil::Date>,
    /// Only sessions that asked a question of this category.
    #[arg(long, value_name = "NAME")]
    pub category: Option<String>,
    /// Only sessions whose average rating is at least this.
    #[arg(long, value_name = "STARS")]
    pub min_rating: Option<f64>,
}

/// `rehearse interview …`
#[derive(Debug, clap::Args)]
pub struct InterviewArgs {
    /// How many questions (default: from the settings, 5 at first). Was
    /// `--questions N`, which still works (and says so): `--questions FILE`
    /// before the subcommand names a pack.
    #[arg(long = "count", alias = "questions", value_name = "N")]
    pub count: Option<usize>,
    /// Only questions of this category; may be given more than once.
    #[arg(long, value_name = "NAME")]
    pub category: Vec<String>,
    /// Seconds to think before answering (0 starts at once; default: each
    /// question's own).
    #[arg(long, value_name = "S")]
    pub think: Option<u32>,
    /// Answer limit in seconds (0 for no limit; default: each question's own).
    #[arg(long, value_name = "S")]
    pub answer: Option<u32>,
    /// Order: listed, shuffled or weakest (default: from the settings).
    #[arg(long, value_parser = ["listed", "shuffled", "weakest"])]
    pub order: Option<String>,
    /// Seed for a shuffled order, to repeat one.
    #[arg(long)]
    pub seed: Option<u64>,
    /// The microphone's id (default: from the settings, else the system's).
    #[arg(long, value_name = "ID")]
    pub device: Option<String>,
    /// A mock interview: questions in a random order, one take each, no
    /// tips, no retake or skip, each answer stopped at its limit and the
    /// next question straight after; rate at the end.
    #[arg(long)]
    pub mock: bool,
    /// Follow-up questions asked after each answer, 0 to 2 deep, chosen
    /// from what the answer said (default: none in practice; in a mock
    /// interview, as the settings say: one).
    #[arg(long = "follow-ups", value_name = "N", value_parser = clap::value_parser!(u8).range(0..=2))]
    pub follow_ups: Option<u8>,
}

/// `rehearse record …`
#[derive(Debug, clap::Args)]
pub struct RecordArgs {
    /// The WAV file to write (it must not exist yet).
    #[arg(long, value_name = "FILE.wav")]
    pub out: PathBuf,
    /// Stop after exactly this many seconds of audio (default: until Ctrl-C).
    #[arg(long, value_name = "N")]
    pub seconds: Option<f64>,
    /// The microphone's id, from `rehearse devices` (default: the system's).
    #[arg(long, value_name = "ID")]
    pub device: Option<String>,
    /// Sample format of the file.
    #[arg(long, default_value = "s16", value_parser = parse_take_format)]
    pub format: TakeFormat,
    /// Sample rate (default: 48000 when the device offers it).
    #[arg(long, value_name = "HZ")]
    pub rate: Option<u32>,
}

fn parse_take_format(text: &str) -> Result<TakeFormat, String> {
    text.parse()
}

/// `rehearse questions …`
#[derive(Debug, Subcommand)]
pub enum QuestionsCommand {
    /// List the question bank by category.
    List {
        /// Only this category (case does not matter).
        #[arg(long, value_name = "NAME")]
        category: Option<String>,
    },
    /// Validate question packs as they would load beside the bundled bank;
    /// exits non-zero and says what is wrong, where, in which question.
    Check {
        /// The packs to check, in loading order.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Add a question of your own (to questions/my-questions.json); prints
    /// its id.
    Add(QuestionFields),
    /// Change a question of your own packs; only the fields given change
    /// (--tip and --keyword replace the whole list).
    Edit {
        /// The question's id.
        id: String,
        /// The new values.
        #[command(flatten)]
        fields: QuestionFields,
    },
    /// Remove a question of your own packs; its takes stay in the history.
    Remove {
        /// The question's id.
        id: String,
    },
    /// Check a pack file and copy it into your questions folder; a pack
    /// with problems or ids already in the bank is refused.
    Import {
        /// The pack file.
        file: PathBuf,
    },
    /// Every pack: name, questions, and whether it loaded, is off or has
    /// problems.
    Packs,
}

/// The fields of a question, for `questions add` and `questions edit`.
#[derive(Debug, Default, clap::Args)]
pub struct QuestionFields {
    /// The question as the interviewer asks it.
    #[arg(long)]
    pub text: Option<String>,
    /// Its category (an existing one or a new one).
    #[arg(long)]
    pub category: Option<String>,
    /// behavioural, technical or situational.
    #[arg(long, value_parser = ["behavioural", "technical", "situational"])]
    pub kind: Option<String>,
    /// What the interviewer is listening for.
    #[arg(long, value_name = "TEXT")]
    pub looking_for: Option<String>,
    /// A tip on answering; may be given more than once.
    #[arg(long = "tip", value_name = "TEXT")]
    pub tips: Vec<String>,
    /// Seconds to think.
    #[arg(long, value_name = "S")]
    pub think: Option<u32>,
    /// Seconds to answer (at least 1).
    #[arg(long, value_name = "S")]
    pub answer: Option<u32>,
    /// A term a strong answer uses; may be given more than once.
    #[arg(long = "keyword", value_name = "WORD")]
    pub keywords: Vec<String>,
}

/// An error and its causes in one line, each cause said once: a cause whose
/// text its parent already ends with (`path: reason` wrapping `reason`) is
/// not repeated. Control characters are made visible.
pub fn error_text(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let cause = cause.to_string();
        if text.ends_with(&cause) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause);
    }
    printable(&text).into_owned()
}

/// Where the bank comes from: the bundled bank and the data folder's packs
/// less those turned off in the settings, then `--questions` files.
pub fn pack_sources(data_dir: &DataDir, files: &[PathBuf]) -> PackSources {
    let (settings, warning) = crate::store::settings::Settings::load(&data_dir.settings());
    if let Some(warning) = warning {
        // The window and the interview, which use the settings, say so.
        log::debug!("{warning}");
    }
    PackSources {
        folder: Some(data_dir.questions()),
        files: files.to_vec(),
        off: settings.packs_off,
    }
}

/// Where the command logs: the data folder's log, except for a model trial
/// (a child of an import), which writes no log of its own: what it says on
/// stderr reaches the importing program, which logs the outcome.
fn log_folder_of(cli: &Cli) -> Option<PathBuf> {
    if matches!(
        cli.command,
        Some(Command::Models(ModelsCommand::Try { .. }))
    ) {
        return None;
    }
    crate::logging::log_folder(cli.data_dir.as_deref())
}

/// Runs the command line; the exit code tells scripts whether it worked.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    crate::logging::init(log_folder_of(&cli));
    let data_dir = DataDir::resolve(cli.data_dir.clone())?;
    // Read only by the commands that load the bank (the settings say which
    // packs are off).
    let sources = || pack_sources(&data_dir, &cli.question_files);
    match cli.command {
        None => {
            let sources = sources();
            let bank = load_bank(&sources);
            if has_display() {
                crate::shell::run(data_dir, sources, bank)
                    .map_err(|err| anyhow::anyhow!("cannot open the window: {err}"))?;
                return Ok(ExitCode::SUCCESS);
            }
            eprintln!(
                "rehearse: no display found (DISPLAY and WAYLAND_DISPLAY are not set), so the window cannot open.\n\
                 Everything also works from the terminal: `rehearse interview` runs a whole practice session;\n\
                 the commands are listed below."
            );
            questions::print_overview(&bank, &data_dir)?;
            Ok(ExitCode::FAILURE)
        }
        Some(Command::Questions(QuestionsCommand::List { category })) => {
            let bank = load_bank(&sources());
            questions::list_questions(&bank, category.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Questions(QuestionsCommand::Check { files })) => {
            Ok(questions::check_packs(&files))
        }
        Some(Command::Questions(command)) => questions::change(&data_dir, &sources(), command),
        Some(Command::Devices { all }) => audio::list_devices(all),
        Some(Command::Record(args)) => audio::record(&args),
        Some(Command::Play { file, from }) => audio::play(&file, from),
        Some(Command::Recover { dir }) => audio::recover(data_dir, &dir),
        Some(Command::Sessions(command)) => sessions::run(data_dir.clone(), command, sources),
        Some(Command::Rate {
            session,
            take,
            stars,
            note,
        }) => sessions::rate(data_dir, &session, take, stars, note.as_deref()),
        Some(Command::Interview(args)) => interview::run(data_dir.clone(), &sources(), &args),
        Some(Command::Export {
            sessions,
            to,
            zip,
            flac,
            force,
        }) => {
            let bank = load_bank(&sources());
            sessions::export(data_dir, &sessions, to, zip, flac, force, &bank)
        }
        Some(Command::Analyze {
            file,
            transcript: false,
            json,
            ..
        }) => analyze(&file, json),
        Some(Command::Analyze {
            file,
            question,
            model,
            json,
            ..
        }) => {
            let bank = load_bank(&sources());
            speech::analyze_words(
                &data_dir,
                &bank,
                &file,
                question.as_deref(),
                model.as_deref(),
                json,
            )
        }
        Some(Command::Models(command)) => speech::models(&data_dir, command),
        Some(Command::Transcribe {
            file,
            model,
            format,
        }) => speech::transcribe(&data_dir, &file, model.as_deref(), format),
        Some(Command::Completions { shell }) => {
            let mut command = Cli::command();
            write_stdout_raw(|out| {
                clap_complete::generate(shell, &mut command, "rehearse", out);
                Ok(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Manpage) => {
            let page = clap_mangen::Man::new(Cli::command());
            write_stdout_raw(|out| page.render(out))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `rehearse analyze FILE [--json]`.
fn analyze(file: &std::path::Path, json: bool) -> anyhow::Result<ExitCode> {
    let metrics = crate::analysis::analyze_wav(file)?;
    write_stdout(|out| {
        if json {
            serde_json::to_writer_pretty(&mut *out, &metrics).map_err(io::Error::other)?;
            return writeln!(out);
        }
        write!(out, "{}", crate::analysis::report(&metrics, false))
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Whether a window can be shown: on Linux and the BSDs, an X11 or Wayland
/// display must be named in the environment.
fn has_display() -> bool {
    if cfg!(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "openbsd",
        target_os = "netbsd"
    )) {
        ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
    } else {
        true
    }
}

// What several commands share lives here, so that no two of them
// import each other.

/// Opens the store, announcing what it recovered.
fn open_store(data_dir: DataDir) -> anyhow::Result<crate::store::Store> {
    Ok(announce(crate::store::Store::open(data_dir)?))
}

/// What opening the store found, said on stderr; the store.
fn announce(opened: crate::store::Opened) -> crate::store::Store {
    for take in &opened.recovered {
        eprintln!(
            "recovered a take that was not saved with its session (a crash or a full disk): {} ({:.1} s){}",
            take.path.display(),
            take.duration.as_secs_f64(),
            if take.attached {
                ""
            } else {
                "; it could not be added to its session"
            }
        );
    }
    for problem in &opened.unrecoverable {
        eprintln!("warning: could not recover {problem}");
    }
    if let Some(reason) = opened.store.read_only_reason() {
        eprintln!("note: {reason}; working read-only");
    }
    opened.store
}

/// How long a command that changes the data folder waits for another
/// Rehearse to let it go (another such command takes a moment; the window
/// or an interview holds it until it ends).
const CHANGE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The store of a command that changes the data folder (packs, models),
/// held while the change is made, or why it may not: another Rehearse (the
/// window, an interview in a terminal) still owns the folder after
/// [`CHANGE_WAIT`], or it cannot be written.
fn open_store_to_change(data_dir: &DataDir) -> anyhow::Result<crate::store::Store> {
    let started = std::time::Instant::now();
    loop {
        let opened = crate::store::Store::open(data_dir.clone())?;
        match opened.store.read_only_reason() {
            None => return Ok(announce(opened)),
            Some(_) if started.elapsed() < CHANGE_WAIT => {
                drop(opened);
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Some(reason) => anyhow::bail!(
                "{reason}: close it (or end its session) and try again; nothing was changed"
            ),
        }
    }
}

/// Loads the bank and warns on stderr about every pack left out.
fn load_bank(sources: &PackSources) -> crate::questions::QuestionBank {
    let bank = crate::questions::QuestionBank::load(sources);
    for problem in bank.problems() {
        eprintln!(
            "warning: pack left out: {}",
            printable(&problem.to_string())
        );
    }
    bank
}

/// A flag that Ctrl-C sets (once per process).
fn interrupt_flag() -> anyhow::Result<Arc<AtomicBool>> {
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    on_interrupt(move || flag.store(true, Ordering::SeqCst))?;
    Ok(interrupted)
}

/// Runs `handler` on every Ctrl-C, and when the terminal closes or the
/// session ends (SIGHUP and SIGTERM; on Windows the console's close,
/// log-off and shut-down events); set once per process.
fn on_interrupt(handler: impl FnMut() + Send + 'static) -> anyhow::Result<()> {
    #[cfg(windows)]
    {
        let handler = Arc::new(std::sync::Mutex::new(handler));
        let on_close = Arc::clone(&handler);
        ctrlc::set_handler(move || (*lock_handler(&handler))()).context("cannot catch Ctrl-C")?;
        windows_console::on_close(move || (*lock_handler(&on_close))());
        Ok(())
    }
    #[cfg(not(windows))]
    ctrlc::set_handler(handler).context("cannot catch Ctrl-C")
}

/// The handler behind `mutex`, whether or not an earlier call panicked.
#[cfg(windows)]
fn lock_handler<F>(mutex: &std::sync::Mutex<F>) -> std::sync::MutexGuard<'_, F> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Writes text to stdout through a buffer, with control characters made
/// visible ([`printable`]): question packs and manifests come from other
/// people and may hold terminal escape sequences. A closed pipe
/// (`rehearse … | head`) ends the output quietly instead of failing.
/// The measures of what was said, then their hints, a line each after
/// `indent` (`sessions show`, `analyze --transcript`).
fn write_spoken(
    out: &mut impl Write,
    indent: &str,
    spoken: &crate::feedback::SpokenMeasures,
) -> io::Result<()> {
    for (label, text) in spoken.lines() {
        writeln!(out, "{indent}{}: {text}", label.to_lowercase())?;
    }
    for hint in spoken.hints() {
        writeln!(out, "{indent}hint: {hint}")?;
    }
    Ok(())
}

fn write_stdout(
    body: impl FnOnce(&mut Printable<BufWriter<io::StdoutLock<'static>>>) -> io::Result<()>,
) -> anyhow::Result<()> {
    let mut out = Printable(BufWriter::new(io::stdout().lock()));
    match body(&mut out).and_then(|()| out.flush()) {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

/// Writes Rehearse's own output (a completion script, the manual page) to
/// stdout as it is.
fn write_stdout_raw(
    body: impl FnOnce(&mut BufWriter<io::StdoutLock<'static>>) -> io::Result<()>,
) -> anyhow::Result<()> {
    let mut out = BufWriter::new(io::stdout().lock());
    match body(&mut out).and_then(|()| out.flush()) {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

pub(crate) use crate::files::printable;

/// A writer that passes text through [`printable`]. Formatting writes each
/// piece whole, so a piece is always complete UTF-8 when it arrives here.
pub(crate) struct Printable<W>(W);

impl<W: Write> Write for Printable<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match std::str::from_utf8(buf) {
            Ok(text) => self.0.write_all(printable(text).as_bytes())?,
            Err(_) => self
                .0
                .write_all(printable(&String::from_utf8_lossy(buf)).as_bytes())?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_says_each_cause_once() {
        let io = io::Error::new(io::ErrorKind::NotFound, "No such file or directory");
        let err = anyhow::Error::new(crate::files::TextFileError::Io(io));
        let err = err.context("x.json: No such file or directory");
        assert_eq!(error_text(&err), "x.json: No such file or directory");
    }

    #[test]
    fn control_characters_are_shown_not_sent() {
        assert_eq!(printable("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(
            printable("\u{1b}]0;owned\u{7}\u{9b}2J"),
            "\\u{1b}]0;owned\\u{7}\\u{9b}2J"
        );
        let mut out = Printable(Vec::new());
        let text = "a\u{1b}[31mred";
        write!(out, "{text}").unwrap();
        assert_eq!(out.0, b"a\\u{1b}[31mred");
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
