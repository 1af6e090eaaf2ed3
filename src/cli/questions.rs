//! `questions list` and `questions check`, and the overview printed by a
//! bare `rehearse`.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use clap::CommandFactory;

use super::{Cli, write_stdout};
use crate::model::Question;
use crate::paths::DataDir;
use crate::questions::{self, PackSources, QuestionBank};

/// Loads the bank and warns on stderr about every pack left out.
pub(super) fn load_bank(sources: &PackSources) -> QuestionBank {
    let bank = QuestionBank::load(sources);
    for problem in bank.problems() {
        eprintln!(
            "warning: pack left out: {}",
            super::printable(&problem.to_string())
        );
    }
    bank
}

/// Without a subcommand: the help, then what the bank holds.
pub(super) fn print_overview(bank: &QuestionBank, data_dir: &DataDir) -> anyhow::Result<()> {
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
pub(super) fn list_questions(bank: &QuestionBank, category: Option<&str>) -> anyhow::Result<()> {
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
pub(super) fn check_packs(files: &[PathBuf]) -> ExitCode {
    let mut bank = QuestionBank::default();
    let checks_bundled_file = files.iter().any(|file| {
        crate::files::read_text(file).is_ok_and(|text| questions::is_bundled_text(&text))
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
        eprintln!("{}", super::printable(&problem.to_string()));
    }
    if bank.problems().is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
