//! `questions list|check|add|edit|remove|import|packs`, and the overview
//! printed by a bare `rehearse`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;
use clap::CommandFactory;

use super::{Cli, QuestionFields, QuestionsCommand, write_stdout};
use crate::model::{Question, QuestionId, QuestionKind, plural};
use crate::paths::DataDir;
use crate::questions::own::{self, QuestionDraft, QuestionEdit};
use crate::questions::{self, PackSources, PackStatus, QuestionBank};
use crate::store::Store;

/// Without a subcommand: the help, then what the bank holds.
pub(super) fn print_overview(bank: &QuestionBank, data_dir: &DataDir) -> anyhow::Result<()> {
    let help = Cli::command().render_long_help();
    write_stdout(|out| {
        writeln!(out, "{help}")?;
        writeln!(
            out,
            "Question bank: {} in {}",
            plural(bank.questions().len(), "question"),
            plural(bank.categories().len(), "category")
        )?;
        for (category, count) in bank.categories() {
            writeln!(out, "  {count:>4}  {category}")?;
        }
        writeln!(out, "Packs:")?;
        for pack in bank.packs() {
            writeln!(
                out,
                "  {} ({}) from {}",
                pack.name,
                plural(pack.questions, "question"),
                pack.source
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
            writeln!(out, "{} ({count})", one_line(name))?;
            for question in bank.questions().iter().filter(|q| q.category == name) {
                write_question(out, question)?;
            }
            writeln!(out)?;
        }
        Ok(())
    })
}

/// `text` on one line: line breaks shown as `\n` and `\r`.
fn one_line(text: &str) -> String {
    text.replace('\r', "\\r").replace('\n', "\\n")
}

fn write_question(out: &mut impl Write, question: &Question) -> io::Result<()> {
    // One line per question: a line break in the text is shown as `\n`,
    // never as a line that looks like another question.
    let text = one_line(&question.text);
    writeln!(
        out,
        "  {}  [{}, think {} s, answer {} s]\n    {text}",
        question.id, question.kind, question.think_seconds, question.answer_seconds
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
            let added = &bank.questions()[before..];
            let with_points = added.iter().filter(|q| !q.strong_answer.is_empty()).count();
            let follow_ups: usize = added.iter().map(|q| q.follow_ups.len()).sum();
            println!(
                "{}: OK, {} ({} with a strong answer, {})",
                file.display(),
                plural(added.len(), "question"),
                with_points,
                plural(follow_ups, "follow-up")
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

/// `questions add|edit|remove|import|packs`.
pub(super) fn change(
    data_dir: &DataDir,
    sources: &PackSources,
    command: QuestionsCommand,
) -> anyhow::Result<ExitCode> {
    if let QuestionsCommand::Packs = command {
        return list_packs(&super::load_bank(sources));
    }
    // Held until the change is made: no other Rehearse writes meanwhile.
    let store = super::open_store_to_change(data_dir)?;
    match command {
        QuestionsCommand::Add(fields) => add(sources, &fields),
        QuestionsCommand::Edit { id, fields } => edit(&store, sources, &id, &fields),
        QuestionsCommand::Remove { id } => remove(&store, sources, &id),
        QuestionsCommand::Import { file } => {
            let (copied, bank) = own::import(sources, &file)?;
            let added = bank
                .packs()
                .iter()
                .find(|p| Path::new(&p.source) == copied)
                .map_or(0, |p| p.questions);
            println!(
                "imported {} as {}",
                plural(added, "question"),
                copied.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        QuestionsCommand::Packs
        | QuestionsCommand::List { .. }
        | QuestionsCommand::Check { .. } => {
            unreachable!("listed, checked and shown above, without changing anything")
        }
    }
}

/// `fields` over `draft`: only what was given changes.
fn fill_draft(draft: &mut QuestionDraft, fields: &QuestionFields) {
    if let Some(text) = &fields.text {
        draft.text.clone_from(text);
    }
    if let Some(category) = &fields.category {
        draft.category = category.clone();
    }
    if let Some(kind) = &fields.kind {
        draft.kind = match kind.as_str() {
            "technical" => QuestionKind::Technical,
            "situational" => QuestionKind::Situational,
            _ => QuestionKind::Behavioural,
        };
    }
    if let Some(looking_for) = &fields.looking_for {
        draft.looking_for.clone_from(looking_for);
    }
    if !fields.tips.is_empty() {
        draft.tips.clone_from(&fields.tips);
    }
    if let Some(think) = fields.think {
        draft.think_seconds = think;
    }
    if let Some(answer) = fields.answer {
        draft.answer_seconds = answer;
    }
    if !fields.keywords.is_empty() {
        draft.keywords.clone_from(&fields.keywords);
    }
}

/// Refuses a draft with problems, naming each field.
fn check_draft(draft: &QuestionDraft) -> anyhow::Result<()> {
    let problems: Vec<String> = draft
        .problems()
        .into_iter()
        .map(|(field, problem)| format!("{}: {problem}", own::field_name(field)))
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        bail!("{}", problems.join("; "))
    }
}

fn add(sources: &PackSources, fields: &QuestionFields) -> anyhow::Result<ExitCode> {
    for (given, flag) in [
        (fields.text.is_some(), "--text"),
        (fields.category.is_some(), "--category"),
        (fields.kind.is_some(), "--kind"),
    ] {
        if !given {
            bail!("a new question needs {flag}");
        }
    }
    let mut draft = QuestionDraft::default();
    fill_draft(&mut draft, fields);
    check_draft(&draft)?;
    let every_pack = PackSources {
        off: std::collections::BTreeSet::new(),
        ..sources.clone()
    };
    let taken = own::taken_ids(&QuestionBank::load(&every_pack));
    let id = own::slug_for(&draft.text, |id| taken.contains(id));
    own::apply(sources, &QuestionEdit::Add(draft.to_question(id.clone())))?;
    println!(
        "added question {id} to {}",
        data_dir_pack(sources).display()
    );
    Ok(ExitCode::SUCCESS)
}

fn data_dir_pack(sources: &PackSources) -> PathBuf {
    sources
        .folder
        .clone()
        .unwrap_or_default()
        .join(own::MY_PACK_FILE)
}

/// The question `id` of the user's own packs, with its pack file.
fn own_question(bank: &QuestionBank, id: &str) -> anyhow::Result<(Question, PathBuf)> {
    let parsed = QuestionId::parse(id)?;
    let Some(question) = bank.get(&parsed) else {
        bail!("no question {id:?} in the bank (`rehearse questions list` shows the ids)");
    };
    match bank.own_file(&parsed) {
        Some(file) => Ok((question.clone(), file.to_path_buf())),
        None => bail!(
            "question {id:?} is in {}, not in your own packs, so it cannot be changed; copy it with `rehearse questions add`",
            bank.pack_of(&parsed).map_or("", |p| p.source.as_str())
        ),
    }
}

/// How many takes of question `id` the history keeps.
fn takes_of(store: &Store, id: &QuestionId) -> anyhow::Result<usize> {
    Ok(crate::store::history::takes_of(&store.list()?.sessions, id))
}

fn edit(
    store: &Store,
    sources: &PackSources,
    id: &str,
    fields: &QuestionFields,
) -> anyhow::Result<ExitCode> {
    let bank = super::load_bank(sources);
    let (question, file) = own_question(&bank, id)?;
    let mut draft = QuestionDraft::from(&question);
    fill_draft(&mut draft, fields);
    check_draft(&draft)?;
    let has_takes = takes_of(store, &question.id)? > 0;
    let new_id = own::id_after_edit(&question, &draft.text, has_takes, &bank);
    let edit = QuestionEdit::Replace {
        file,
        id: question.id.clone(),
        question: draft.to_question(new_id.clone()),
    };
    own::apply(sources, &edit)?;
    if new_id == question.id {
        println!("changed question {new_id}");
    } else {
        println!("changed question {} (its id is now {new_id})", question.id);
    }
    Ok(ExitCode::SUCCESS)
}

fn remove(store: &Store, sources: &PackSources, id: &str) -> anyhow::Result<ExitCode> {
    let bank = super::load_bank(sources);
    let (question, file) = own_question(&bank, id)?;
    let takes = takes_of(store, &question.id)?;
    own::apply(
        sources,
        &QuestionEdit::Remove {
            file,
            id: question.id.clone(),
        },
    )?;
    match takes {
        0 => println!("removed question {id}"),
        n => println!("removed question {id}; its {n} takes stay in your history"),
    }
    Ok(ExitCode::SUCCESS)
}

fn list_packs(bank: &QuestionBank) -> anyhow::Result<ExitCode> {
    write_stdout(|out| {
        for entry in bank.entries() {
            let status = match &entry.status {
                PackStatus::Loaded { questions } => format!("loaded, {questions} questions"),
                PackStatus::Off { questions: Some(n) } => format!("off, {n} questions"),
                PackStatus::Off { questions: None } => "off".to_owned(),
                PackStatus::Failed(problems) => format!("left out: {}", problems[0]),
            };
            writeln!(out, "{}  ({})  {status}", entry.name, entry.source)?;
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
