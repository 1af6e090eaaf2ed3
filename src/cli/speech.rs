//! `rehearse models …` and `rehearse transcribe`: speech recognition
//! models and transcripts from the terminal.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::{interrupt_flag, write_stdout};
use crate::content::model as sentence;
use crate::paths::DataDir;
use crate::speech::download::{self, DownloadError, Progress};
use crate::speech::models::{self, CATALOGUE, InstalledModel, megabytes};
use crate::speech::trial::Trial;
use crate::speech::{Control, Engine, Transcript};

/// `rehearse models …`
#[derive(Debug, clap::Subcommand)]
pub enum ModelsCommand {
    /// The published models, and which are installed.
    List,
    /// Download a published model (the only time Rehearse uses the network).
    Download {
        /// Its name, as `models list` shows it (e.g. base.en).
        name: String,
    },
    /// Install a model file you already have (ggml-*.bin from whisper.cpp).
    Import {
        /// The file.
        file: PathBuf,
    },
    /// Remove an installed model.
    Remove {
        /// Its name.
        name: String,
    },
    /// Load a model file and run it on a second of silence (what an import
    /// does in a child process, so a file that makes whisper.cpp abort
    /// cannot end the program importing it).
    #[command(hide = true)]
    Try {
        /// The model file.
        file: PathBuf,
    },
}

/// Output formats of `rehearse transcribe`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TranscriptFormat {
    /// The text.
    Text,
    /// The whole transcript with word times (the format of transcript files).
    Json,
    /// SubRip captions.
    Srt,
    /// WebVTT captions.
    Vtt,
}

/// `rehearse models …`
pub fn models(data_dir: &DataDir, command: ModelsCommand) -> anyhow::Result<ExitCode> {
    let folder = data_dir.models();
    // A change is made while no other Rehearse writes the folder.
    let _store = match command {
        ModelsCommand::List | ModelsCommand::Try { .. } => None,
        _ => Some(super::open_store_to_change(data_dir)?),
    };
    match command {
        ModelsCommand::List => list(&folder),
        ModelsCommand::Download { name } if name == sentence::NAME => fetch_sentence_model(&folder),
        ModelsCommand::Download { name } => fetch(&folder, &name),
        ModelsCommand::Import { file } if sentence::is_import_source(&file) => {
            sentence::import(&file, &folder)?;
            write_stdout(|out| {
                writeln!(
                    out,
                    "installed the sentence model {} as {}",
                    sentence::NAME,
                    sentence::folder(&folder).display()
                )
            })?;
            Ok(ExitCode::SUCCESS)
        }
        ModelsCommand::Remove { name } if name == sentence::NAME => {
            if sentence::remove(&folder).with_context(|| format!("cannot remove {name}"))? {
                write_stdout(|out| writeln!(out, "removed {name}"))?;
                Ok(ExitCode::SUCCESS)
            } else {
                bail!("the sentence model {name} is not installed")
            }
        }
        ModelsCommand::Try { file } => {
            crate::speech::trial::try_here(&file)?;
            Ok(ExitCode::SUCCESS)
        }
        ModelsCommand::Import { file } => {
            let model = models::import(&file, &folder, &Trial::this_program())?;
            write_stdout(|out| {
                writeln!(
                    out,
                    "installed {} ({}) as {}",
                    model.name,
                    megabytes(model.bytes),
                    model.path.display()
                )
            })?;
            Ok(ExitCode::SUCCESS)
        }
        ModelsCommand::Remove { name } => {
            if models::remove(&folder, &name)
                .with_context(|| format!("cannot remove the model {name}"))?
            {
                write_stdout(|out| writeln!(out, "removed {name}"))?;
                Ok(ExitCode::SUCCESS)
            } else {
                bail!("no model called {name} is installed (see `rehearse models list`)")
            }
        }
    }
}

fn list(folder: &Path) -> anyhow::Result<ExitCode> {
    let installed =
        models::installed(folder).with_context(|| format!("cannot read {}", folder.display()))?;
    write_stdout(|out| {
        writeln!(
            out,
            "Published models (download with `rehearse models download NAME`):"
        )?;
        for model in CATALOGUE {
            let mark = if installed.iter().any(|m| m.name == model.name) {
                "installed"
            } else {
                ""
            };
            writeln!(
                out,
                "  {:<14} {:>7}  {:<9}  {}",
                model.name,
                megabytes(model.size),
                mark,
                model.note
            )?;
        }
        let others: Vec<&InstalledModel> = installed
            .iter()
            .filter(|m| m.catalogue().is_none())
            .collect();
        if !others.is_empty() {
            writeln!(out, "Imported models:")?;
            for model in others {
                writeln!(out, "  {:<14} {:>7}", model.name, megabytes(model.bytes))?;
            }
        }
        writeln!(
            out,
            "Sentence model (judges what an answer covered by meaning; without it the matching is literal):"
        )?;
        writeln!(
            out,
            "  {:<14} {:>7}  {:<9}  6-layer English sentence model, a fraction of a second per answer",
            sentence::NAME,
            megabytes(sentence::SIZE),
            if sentence::is_installed(folder) {
                "installed"
            } else {
                ""
            },
        )?;
        writeln!(out, "Models live in {}", folder.display())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `rehearse models download all-MiniLM-L6-v2`: both files, each checked.
fn fetch_sentence_model(folder: &Path) -> anyhow::Result<ExitCode> {
    if sentence::is_installed(folder) {
        write_stdout(|out| writeln!(out, "{} is installed already", sentence::NAME))?;
        return Ok(ExitCode::SUCCESS);
    }
    let target = sentence::folder(folder);
    let interrupted = interrupt_flag()?;
    eprintln!(
        "downloading {} ({}) from {}",
        sentence::NAME,
        megabytes(sentence::SIZE),
        download::without_credentials(&sentence::url_for(&sentence::WEIGHTS))
    );
    let mut report = |progress: Progress| super::status::show(&progress.describe());
    let result = sentence::download(folder, &mut report, &interrupted);
    super::status::end();
    match result {
        Ok(()) => {}
        Err(DownloadError::Cancelled) => return Ok(ExitCode::from(130)),
        Err(err) => {
            return Err(err).with_context(|| format!("cannot download {}", sentence::NAME));
        }
    }
    write_stdout(|out| writeln!(out, "installed {} as {}", sentence::NAME, target.display()))?;
    Ok(ExitCode::SUCCESS)
}

fn fetch(folder: &Path, name: &str) -> anyhow::Result<ExitCode> {
    let Some(model) = models::catalogue_model(name) else {
        let names: Vec<&str> = CATALOGUE.iter().map(|m| m.name).collect();
        bail!(
            "there is no published model called {name}; the models are {}",
            names.join(", ")
        );
    };
    let target = folder.join(model.file_name());
    match std::fs::symlink_metadata(&target) {
        Ok(found) if found.is_file() => {
            write_stdout(|out| {
                writeln!(out, "{name} is installed already ({})", target.display())
            })?;
            return Ok(ExitCode::SUCCESS);
        }
        Ok(_) => bail!(
            "{} is a folder or a link, not a model; move it away to install {name}",
            target.display()
        ),
        Err(_) => {}
    }
    let request = download::Request {
        url: download::url_for(&model.file_name()),
        target: target.clone(),
        size: model.size,
        sha256: model.sha256.to_owned(),
        stall_limit: download::STALL_LIMIT,
    };
    eprintln!(
        "downloading {name} ({}) from {}",
        megabytes(model.size),
        download::without_credentials(&request.url)
    );
    let interrupted = interrupt_flag()?;
    let terminal = super::status::updates_in_place();
    let mut last_line = Instant::now() - Duration::from_secs(10);
    let mut report = |progress: Progress| {
        let every = if terminal {
            Duration::from_millis(200)
        } else {
            Duration::from_secs(5)
        };
        if last_line.elapsed() < every && progress.received < progress.total {
            return;
        }
        last_line = Instant::now();
        super::status::show(&progress.describe());
    };
    let result = download::download(&request, &mut report, &interrupted);
    super::status::end();
    match result {
        Ok(()) => {
            write_stdout(|out| writeln!(out, "installed {name} as {}", target.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(DownloadError::Cancelled) => {
            let kept = std::fs::metadata(download::partial_path(&target)).map_or(0, |m| m.len());
            eprintln!(
                "stopped with {} of {} kept; run `rehearse models download {name}` again to resume",
                megabytes(kept),
                megabytes(model.size)
            );
            Ok(ExitCode::from(130))
        }
        Err(err) => Err(err).with_context(|| format!("cannot download {name}")),
    }
}

/// The model named on the command line: an installed model's name, a
/// file, or (without one) the best installed model.
pub fn resolve_model(data_dir: &DataDir, wanted: Option<&str>) -> anyhow::Result<PathBuf> {
    let folder = data_dir.models();
    if let Some(wanted) = wanted {
        let as_path = Path::new(wanted);
        if wanted.contains(std::path::MAIN_SEPARATOR) || as_path.is_file() {
            return Ok(as_path.to_path_buf());
        }
        let path = folder.join(models::file_name(wanted));
        if models::is_valid_name(wanted) && path.is_file() {
            return Ok(path);
        }
        bail!(
            "no model called {wanted} is installed; install one with `rehearse models download {}`",
            models::RECOMMENDED
        );
    }
    match models::choose(&folder, None)
        .with_context(|| format!("cannot read {}", folder.display()))?
    {
        Some(model) => Ok(model.path),
        None => bail!(
            "no speech recognition model is installed; `rehearse models download {}` fetches the recommended one ({}), or `rehearse models import FILE` installs one you have",
            models::RECOMMENDED,
            models::catalogue_model(models::RECOMMENDED)
                .map_or_else(String::new, |m| megabytes(m.size))
        ),
    }
}

/// `rehearse transcribe FILE [--model M] [--format F]`.
pub fn transcribe(
    data_dir: &DataDir,
    file: &Path,
    model: Option<&str>,
    format: TranscriptFormat,
) -> anyhow::Result<ExitCode> {
    let model = resolve_model(data_dir, model)?;
    let control = Control::new();
    let interrupted = interrupt_flag()?;
    let transcript = run_with_progress(&model, file, &control, &interrupted)?;
    write_stdout(|out| match format {
        TranscriptFormat::Text => writeln!(out, "{}", transcript.text()),
        TranscriptFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &transcript).map_err(std::io::Error::other)?;
            writeln!(out)
        }
        TranscriptFormat::Srt => write!(out, "{}", transcript.to_srt()),
        TranscriptFormat::Vtt => write!(out, "{}", transcript.to_vtt()),
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `rehearse analyze FILE --transcript [--question ID] [--model M] [--json]`:
/// the acoustic metrics, the transcript, and the measures of its words
/// against the bank question `question` (its keywords and kind).
pub fn analyze_words(
    data_dir: &DataDir,
    bank: &crate::questions::QuestionBank,
    file: &Path,
    question: Option<&str>,
    model: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let question = match question {
        None => None,
        Some(id) => {
            let parsed = crate::model::QuestionId::parse(id)
                .map_err(|err| anyhow::anyhow!("--question {id}: {err}"))?;
            Some(bank.get(&parsed).ok_or_else(|| {
                anyhow::anyhow!(
                    "--question {id}: no such question in the bank (`rehearse questions list` shows the ids)"
                )
            })?)
        }
    };
    let metrics = crate::analysis::analyze_wav(file)?;
    let model = resolve_model(data_dir, model)?;
    let interrupted = interrupt_flag()?;
    let transcript = run_with_progress(&model, file, &Control::new(), &interrupted)?;
    let context = question.map_or_else(
        crate::feedback::AnswerContext::default,
        crate::feedback::AnswerContext::from,
    );
    let spoken = crate::feedback::SpokenMeasures::of(&transcript, &context);
    let content = question.and_then(|question| {
        crate::content::judge(&transcript, &question.into(), &data_dir.models())
    });
    write_stdout(|out| {
        if json {
            let all = serde_json::json!({
                "metrics": metrics,
                "model": transcript.model.name,
                "text": transcript.text(),
                "spoken": spoken,
                "content": content.as_ref().map(crate::content::Content::to_json),
            });
            serde_json::to_writer_pretty(&mut *out, &all).map_err(std::io::Error::other)?;
            return writeln!(out);
        }
        write!(out, "{}", crate::analysis::report(&metrics, true))?;
        if let Some(question) = question {
            writeln!(out, "question: {}", question.text)?;
        }
        writeln!(out, "said: {}", transcript.text())?;
        super::write_spoken(out, "", &spoken)?;
        for line in content.iter().flat_map(crate::content::Content::lines) {
            writeln!(out, "{line}")?;
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Transcribes `file` on a background thread, showing the percentage on
/// a terminal and cancelling on Ctrl-C.
pub fn run_with_progress(
    model: &Path,
    file: &Path,
    control: &Control,
    interrupted: &AtomicBool,
) -> anyhow::Result<Transcript> {
    let terminal = super::status::updates_in_place();
    let result = std::thread::scope(|scope| {
        let worker = scope.spawn(|| {
            crate::speech::engine::lower_thread_priority();
            Engine::new().transcribe_file(model, file, control)
        });
        let mut shown = None;
        while !worker.is_finished() {
            if interrupted.load(Ordering::Relaxed) {
                control.cancel();
            }
            if terminal && shown != Some(control.percent()) {
                shown = Some(control.percent());
                super::status::show(&format!("transcribing… {} %", control.percent()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        super::status::clear();
        worker.join()
    });
    match result {
        Ok(result) => result.with_context(|| format!("cannot transcribe {}", file.display())),
        Err(_) => bail!("the speech recogniser stopped unexpectedly"),
    }
}
