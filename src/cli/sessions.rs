//! `sessions list|show|delete` and `rate`: the history from the command line.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, bail};

use super::{SessionFilterArgs, SessionsCommand, write_stdout};
use crate::model::{Rating, clock, plural};
use crate::paths::DataDir;
use crate::store::history::{self, SessionFilter, local_time, summaries};
use crate::store::{Session, Store};

/// `★★★☆☆` for a rating.
pub(super) fn stars(rating: Option<Rating>) -> String {
    match rating {
        Some(rating) => {
            let n = usize::from(rating.stars());
            format!("{}{} {n}", "★".repeat(n), "☆".repeat(5 - n))
        }
        None => "unrated".to_owned(),
    }
}

pub(super) fn run(
    data_dir: DataDir,
    command: SessionsCommand,
    sources: impl FnOnce() -> crate::questions::PackSources,
) -> anyhow::Result<ExitCode> {
    let store = super::open_store(data_dir)?;
    match command {
        SessionsCommand::List(filter) => list(&store, &filter),
        SessionsCommand::Show { session } => {
            let id = store.resolve(&session)?;
            let mut session = store.load(&id)?;
            // Older sessions did not keep their questions' keywords.
            session.fill_missing_from_bank(&super::load_bank(&sources()));
            show(&store.session_dir(&id), &session)
        }
        SessionsCommand::Delete { session, yes } => {
            let id = store.resolve(&session)?;
            if !yes {
                bail!("this deletes session {id} and all its recordings; add --yes to confirm");
            }
            store.delete_session(&id)?;
            println!("deleted session {id}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn day_start(date: jiff::civil::Date) -> anyhow::Result<jiff::Timestamp> {
    Ok(history::day_start(date)?)
}

fn list(store: &Store, args: &SessionFilterArgs) -> anyhow::Result<ExitCode> {
    let listing = store.list()?;
    let filter = SessionFilter {
        from: args.from.map(day_start).transpose()?,
        until: args
            .to
            .map(|d| {
                d.tomorrow()
                    .context("date out of range")
                    .and_then(day_start)
            })
            .transpose()?,
        category: args.category.clone(),
        min_rating: args.min_rating,
    };
    let rows = summaries(&listing.sessions, &filter);
    write_stdout(|out| {
        if rows.is_empty() && listing.damaged.is_empty() {
            writeln!(out, "no sessions yet: `rehearse interview` starts one")?;
        }
        for row in &rows {
            let average = row
                .average_rating
                .map_or_else(|| "unrated".to_owned(), |avg| format!("★ {avg:.1}"));
            let mode = if row.mode.is_practice() {
                String::new()
            } else {
                format!("{}  ", row.mode.describe().to_lowercase())
            };
            writeln!(
                out,
                "{}  {}  {mode}{}  {}  {}  {average}",
                local_time(row.started_at),
                row.id,
                plural(row.questions, "question"),
                plural(row.takes, "take"),
                clock(row.recorded_time),
            )?;
        }
        for damaged in &listing.damaged {
            writeln!(out, "DAMAGED  {}  {}", damaged.id, damaged.reason)?;
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn show(session_dir: &std::path::Path, session: &Session) -> anyhow::Result<ExitCode> {
    write_stdout(|out| {
        writeln!(out, "session {}", session.id)?;
        if !session.plan.mode.is_practice() {
            writeln!(out, "{}", session.plan.mode.describe().to_lowercase())?;
        }
        writeln!(out, "started {}", local_time(session.started_at))?;
        if let Some(ended) = session.ended_at {
            writeln!(out, "ended {}", local_time(ended))?;
        }
        writeln!(
            out,
            "{} of {} answered, {}, {} recorded",
            session.questions_answered(),
            plural(session.questions.len(), "question"),
            plural(session.takes.len(), "take"),
            clock(session.recorded_time())
        )?;
        for (index, question) in session.questions.iter().enumerate() {
            writeln!(out)?;
            writeln!(
                out,
                "{}. [{}] {}",
                index + 1,
                question.category,
                question.text
            )?;
            for (number, take) in session.takes.iter().enumerate() {
                if take.question_index != index {
                    continue;
                }
                let preferred = if session.is_chosen(number) {
                    "  preferred"
                } else {
                    ""
                };
                let damaged = take
                    .file_problem()
                    .map_or_else(String::new, |problem| format!("  DAMAGED: {problem}"));
                let silent = if take.silent { "  SILENT" } else { "" };
                let kind = if let Some(of) = &take.follow_up {
                    writeln!(out, "   follow-up ({}): {}", of.reason, of.ask)?;
                    "follow-up answer, "
                } else {
                    ""
                };
                writeln!(
                    out,
                    "   take #{}: {kind}{}  {}  {}{preferred}{silent}  {}{damaged}",
                    number + 1,
                    clock(take.duration()),
                    take.stopped.describe(),
                    stars(take.rating),
                    take.file
                )?;
                if !take.notes.is_empty() {
                    writeln!(out, "      notes: {}", take.notes)?;
                }
                if let Some(m) = &take.metrics {
                    writeln!(out, "      speech: {}", m.summary(take.spoken.is_some()))?;
                    for hint in m.hints(take.spoken.is_some()) {
                        writeln!(out, "      hint: {hint}")?;
                    }
                }
                if take.transcript.is_some() {
                    match crate::store::transcripts::read(session_dir, take) {
                        Ok(transcript) => {
                            writeln!(out, "      said: {}", transcript.text())?;
                            // Older takes were transcribed before the measures.
                            let spoken = take
                                .spoken
                                .clone()
                                .unwrap_or_else(|| session.measure(take, &transcript));
                            super::write_spoken(out, "      ", &spoken)?;
                            for line in take.content.iter().flat_map(crate::content::Content::lines)
                            {
                                writeln!(out, "      {line}")?;
                            }
                        }
                        Err(err) => writeln!(out, "      transcript: {err}")?,
                    }
                }
            }
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `rate SESSION TAKE STARS [--note TEXT]`.
pub(super) fn rate(
    data_dir: DataDir,
    session: &str,
    take: usize,
    stars_given: u8,
    note: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let store = super::open_store(data_dir)?;
    let id = store.resolve(session)?;
    let mut session = store.load(&id)?;
    let rating = Rating::new(stars_given).context("a rating is 1 to 5 stars")?;
    store.rate(&mut session, take, rating, note)?;
    println!("take #{take} of {id}: {}", stars(Some(rating)));
    Ok(ExitCode::SUCCESS)
}

/// `export SESSION… --to PATH [--zip] [--flac] [--force]`; Ctrl-C cancels
/// and leaves nothing behind.
pub(super) fn export(
    data_dir: DataDir,
    sessions: &[String],
    to: std::path::PathBuf,
    zip: bool,
    flac: bool,
    force: bool,
    bank: &crate::questions::QuestionBank,
) -> anyhow::Result<ExitCode> {
    use crate::store::export::{AudioFormat, Container, ExportError, ExportRequest, export};

    let store = super::open_store(data_dir)?;
    let mut loaded = Vec::new();
    for text in sessions {
        let id = store.resolve(text)?;
        loaded.push(store.load(&id)?);
    }
    let request = ExportRequest {
        sessions: loaded,
        destination: to,
        container: if zip {
            Container::Zip
        } else {
            Container::Folder
        },
        audio: if flac {
            AudioFormat::Flac
        } else {
            AudioFormat::Wav
        },
        force,
        bank: bank.questions().to_vec(),
    };
    let interrupted = super::interrupt_flag()?;
    let mut shown = None;
    let summary = export(&store, &request, |progress| {
        let percent = (progress.done_bytes * 100)
            .checked_div(progress.total_bytes)
            .unwrap_or(100);
        if shown != Some(percent / 10) {
            shown = Some(percent / 10);
            eprintln!("exporting… {percent}%");
        }
        !interrupted.load(std::sync::atomic::Ordering::SeqCst)
    })
    .map_err(|err| match err {
        ExportError::Exists(_) => anyhow::anyhow!("{err}, or replace it with --force"),
        other => other.into(),
    })?;
    for file in &summary.missing {
        eprintln!("warning: {file} is missing; listed in the report");
    }
    println!(
        "exported {} recordings to {}",
        summary.audio_files,
        summary.destination.display()
    );
    Ok(ExitCode::SUCCESS)
}
