//! The command line: subcommands over the same services the app uses, for
//! scripting and for end-to-end tests.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, bail};
use clap::{CommandFactory, Parser, Subcommand};

use crate::audio::{self, Microphone, Playback, RecorderEvent, TakeEnd, TakeFormat};
use crate::model::Question;
use crate::paths::DataDir;
use crate::questions::{self, PackSources, QuestionBank};

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
    #[arg(long = "questions", global = true, value_name = "FILE")]
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
}

/// Runs the command line; the exit code tells scripts whether it worked.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let data_dir = DataDir::resolve(cli.data_dir.clone())?;
    let sources = PackSources {
        folder: Some(data_dir.questions()),
        files: cli.question_files.clone(),
    };
    match cli.command {
        None => {
            let bank = load_bank(&sources);
            print_overview(&bank, &data_dir)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Questions(QuestionsCommand::List { category })) => {
            let bank = load_bank(&sources);
            list_questions(&bank, category.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Questions(QuestionsCommand::Check { files })) => Ok(check_packs(&files)),
        Some(Command::Devices { all }) => list_devices(all),
        Some(Command::Record(args)) => record(&args),
        Some(Command::Play { file, from }) => play(&file, from),
        Some(Command::Recover { dir }) => recover(&dir),
    }
}

/// Loads the bank and warns on stderr about every pack left out.
fn load_bank(sources: &PackSources) -> QuestionBank {
    let bank = QuestionBank::load(sources);
    for problem in bank.problems() {
        eprintln!("warning: pack left out: {problem}");
    }
    bank
}

/// Without a subcommand: the help, then what the bank holds.
fn print_overview(bank: &QuestionBank, data_dir: &DataDir) -> anyhow::Result<()> {
    let help = Cli::command().render_long_help();
    write_stdout(|out| {
        writeln!(out, "{help}")?;
        writeln!(
            out,
            "Question bank: {} questions in {} categories",
            bank.questions().len(),
            bank.categories().len()
        )?;
        for (category, count) in bank.categories() {
            writeln!(out, "  {count:>4}  {category}")?;
        }
        writeln!(out, "Packs:")?;
        for pack in bank.packs() {
            writeln!(
                out,
                "  {} ({} questions) from {}",
                pack.name, pack.questions, pack.source
            )?;
        }
        writeln!(
            out,
            "Add your own packs as JSON files in {}",
            data_dir.questions().display()
        )
    })
}

/// `questions list`.
fn list_questions(bank: &QuestionBank, category: Option<&str>) -> anyhow::Result<()> {
    let only = match category {
        Some(name) => match bank.find_category(name) {
            Some(found) => Some(found),
            None => {
                let known: Vec<&str> = bank.categories().into_iter().map(|(c, _)| c).collect();
                bail!(
                    "no category {name:?}; the categories are: {}",
                    known.join(", ")
                );
            }
        },
        None => None,
    };
    write_stdout(|out| {
        for (name, count) in bank.categories() {
            if only.is_some_and(|only| only != name) {
                continue;
            }
            writeln!(out, "{name} ({count})")?;
            for question in bank.questions().iter().filter(|q| q.category == name) {
                write_question(out, question)?;
            }
            writeln!(out)?;
        }
        Ok(())
    })
}

fn write_question(out: &mut impl Write, question: &Question) -> io::Result<()> {
    writeln!(
        out,
        "  {}  [{}, think {} s, answer {} s]\n    {}",
        question.id, question.kind, question.think_seconds, question.answer_seconds, question.text
    )
}

/// `questions check FILE…`: the files are loaded after the bundled bank, as
/// the app would, so an id that clashes with it is reported too. A file that
/// is the bundled bank itself is checked on its own.
fn check_packs(files: &[PathBuf]) -> ExitCode {
    let mut bank = QuestionBank::default();
    let checks_bundled_file = files.iter().any(|file| {
        std::fs::read_to_string(file).is_ok_and(|text| questions::is_bundled_text(&text))
    });
    if !checks_bundled_file {
        bank.add(questions::bundled_pack());
    }
    for file in files {
        let before = bank.questions().len();
        let problems_before = bank.problems().len();
        bank.add(questions::read_pack(file));
        if bank.problems().len() == problems_before {
            println!(
                "{}: OK, {} questions",
                file.display(),
                bank.questions().len() - before
            );
        }
    }
    for problem in bank.problems() {
        eprintln!("{problem}");
    }
    if bank.problems().is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `devices`.
fn list_devices(all: bool) -> anyhow::Result<ExitCode> {
    let devices = audio::list_devices(all)?;
    let describe = |caps: &audio::devices::Capabilities| {
        let rates: Vec<String> = caps.sample_rates.iter().map(u32::to_string).collect();
        let channels = match (caps.channels.first(), caps.channels.last()) {
            (Some(first), Some(last)) if first != last => format!("{first} to {last}"),
            (Some(only), _) => only.to_string(),
            _ => "none".to_owned(),
        };
        format!(
            "rates {} Hz; formats {}; channels {}",
            rates.join(", "),
            caps.sample_formats.join(", "),
            channels
        )
    };
    write_stdout(|out| {
        for (title, inputs) in [("Microphones", true), ("Outputs", false)] {
            writeln!(out, "{title}:")?;
            let mut any = false;
            for device in &devices {
                let caps = if inputs {
                    &device.input
                } else {
                    &device.output
                };
                let Some(caps) = caps else { continue };
                any = true;
                let mark = if device.is_default { " (default)" } else { "" };
                writeln!(out, "  {}{mark}", device.name)?;
                writeln!(out, "    id: {}", device.id)?;
                writeln!(out, "    {}", describe(caps))?;
            }
            if !any {
                let what = if inputs { "microphone" } else { "output" };
                writeln!(
                    out,
                    "  none: no {what} found; check that one is connected and that the sound server (PulseAudio or PipeWire) is running"
                )?;
            }
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// How long a microphone may take to deliver its first audio.
const DEVICE_START_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// `record`: records one take and reports on it.
fn record(args: &RecordArgs) -> anyhow::Result<ExitCode> {
    if args.out.exists() {
        bail!(
            "{} already exists; choose another file name",
            args.out.display()
        );
    }
    let limit = match args.seconds {
        Some(seconds) if seconds.is_finite() && seconds > 0.0 => {
            Some(std::time::Duration::from_secs_f64(seconds))
        }
        Some(seconds) => bail!("--seconds must be a positive number, not {seconds}"),
        None => None,
    };
    let input = audio::find_input(args.device.as_deref())?;
    if let Some(warning) = &input.fallback_warning {
        eprintln!("warning: {warning}");
    }
    let microphone = Microphone::open(input, args.format, args.rate)?;
    let info = microphone.info();
    eprintln!(
        "Microphone: {} ({}), {} Hz, {} channel(s) of {}, buffer {:?}",
        info.name, info.id, info.sample_rate, info.channels, info.device_format, info.buffer
    );
    // Arm first, as the app does while the question is read: the take then
    // starts on audio that is already flowing.
    let device_start = microphone
        .wait_for_audio(DEVICE_START_TIMEOUT)
        .with_context(|| {
            format!(
                "\"{}\" delivered no audio within {} s; check it with `rehearse devices`",
                info.name,
                DEVICE_START_TIMEOUT.as_secs()
            )
        })?;

    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .context("cannot catch Ctrl-C")?;

    microphone.start_take(args.out.clone(), limit);
    let mut stop_sent = false;
    loop {
        match microphone
            .events()
            .recv_timeout(std::time::Duration::from_millis(50))
        {
            Ok(RecorderEvent::TakeStarted {
                path,
                first_sample_delay,
            }) => {
                let until = match limit {
                    Some(limit) => format!("for {:.3} s", limit.as_secs_f64()),
                    None => "until Ctrl-C".to_owned(),
                };
                eprintln!(
                    "Recording to {} {until} (first audio after {} ms)",
                    path.display(),
                    first_sample_delay.as_millis()
                );
            }
            Ok(RecorderEvent::TakeFinished(summary)) => {
                write_stdout(|out| {
                    writeln!(out, "file: {}", summary.path.display())?;
                    writeln!(out, "seconds: {:.3}", summary.duration().as_secs_f64())?;
                    writeln!(out, "frames: {}", summary.frames)?;
                    writeln!(out, "sample_rate: {}", summary.sample_rate)?;
                    writeln!(out, "format: {}", summary.format.as_str())?;
                    writeln!(out, "ended: {}", summary.ended)?;
                    writeln!(out, "peak_dbfs: {:.1}", summary.loudest.peak_dbfs)?;
                    writeln!(out, "loudest_rms_dbfs: {:.1}", summary.loudest.rms_dbfs)?;
                    writeln!(out, "dropped_frames: {}", summary.dropped_frames)?;
                    if let Some(delay) = summary.first_sample_delay {
                        writeln!(out, "first_sample_ms: {:.1}", delay.as_secs_f64() * 1000.0)?;
                    }
                    writeln!(
                        out,
                        "device_start_ms: {:.1}",
                        device_start.as_secs_f64() * 1000.0
                    )?;
                    Ok(())
                })?;
                if let Some(warning) = summary.silence_warning() {
                    eprintln!("warning: {warning}");
                }
                if summary.dropped_frames > 0 {
                    eprintln!(
                        "warning: {} samples were lost because writing fell behind",
                        summary.dropped_frames
                    );
                }
                return Ok(match summary.ended {
                    TakeEnd::Stopped | TakeEnd::LimitReached => ExitCode::SUCCESS,
                    TakeEnd::DeviceLost(_) | TakeEnd::WriteFailed(_) | TakeEnd::Closed => {
                        eprintln!(
                            "rehearse: {}; the {:.1} s recorded so far are saved in {}",
                            summary.ended,
                            summary.duration().as_secs_f64(),
                            summary.path.display()
                        );
                        ExitCode::FAILURE
                    }
                });
            }
            Ok(RecorderEvent::TakeFailed { error, .. }) => bail!(error),
            Ok(RecorderEvent::StreamFailed(why)) => bail!("the microphone failed: {why}"),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                if interrupted.load(Ordering::SeqCst) && !stop_sent {
                    microphone.stop_take();
                    stop_sent = true;
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                bail!("the recorder stopped unexpectedly")
            }
        }
    }
}

/// `play`: plays a file to its end, or until Ctrl-C.
fn play(file: &std::path::Path, from: f64) -> anyhow::Result<ExitCode> {
    let playback = Playback::open(file)?;
    if from > 0.0 && from.is_finite() {
        playback.seek(std::time::Duration::from_secs_f64(from))?;
    }
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .context("cannot catch Ctrl-C")?;
    eprintln!(
        "Playing {} ({:.1} s)",
        file.display(),
        playback.duration().as_secs_f64()
    );
    playback.play();
    while !playback.is_finished() && !interrupted.load(Ordering::SeqCst) {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Ok(ExitCode::SUCCESS)
}

/// `recover DIR`.
fn recover(dir: &std::path::Path) -> anyhow::Result<ExitCode> {
    let outcomes =
        audio::recover_dir(dir).with_context(|| format!("cannot search {}", dir.display()))?;
    if outcomes.is_empty() {
        println!("nothing to recover in {}", dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    let mut failed = false;
    for outcome in outcomes {
        match outcome {
            audio::Recovery::Recovered { path, wav } => println!(
                "recovered {}: {:.3} s at {} Hz",
                path.display(),
                wav.duration().as_secs_f64(),
                wav.sample_rate
            ),
            audio::Recovery::Failed(err) => {
                failed = true;
                eprintln!("could not recover {err}");
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes to stdout through a buffer; a closed pipe (`rehearse … | head`)
/// ends the output quietly instead of failing.
fn write_stdout(
    body: impl FnOnce(&mut BufWriter<io::StdoutLock<'static>>) -> io::Result<()>,
) -> anyhow::Result<()> {
    let mut out = BufWriter::new(io::stdout().lock());
    match body(&mut out).and_then(|()| out.flush()) {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}
