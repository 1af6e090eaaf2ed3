//! The command line: subcommands over the same services the app uses, for
//! scripting and for end-to-end tests.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{CommandFactory, Parser, Subcommand};

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
