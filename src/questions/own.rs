//! The user's own questions: a form's draft checked field by field, ids
//! made from the text, and edits written to a pack file in the data
//! folder's `questions/` (new questions go to `my-questions.json`, made on
//! first use).
//!
//! Every write is checked the way `questions check` checks a pack, against
//! the rest of the bank, before it replaces the file atomically: an edit
//! can never leave a pack that would be left out at the next start.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{PackError, PackSources, Problem, QuestionBank, content_problems, parse_pack};
use crate::model::{Question, QuestionId, QuestionKind};

/// The file new questions are written to, in the questions folder.
pub const MY_PACK_FILE: &str = "my-questions.json";

/// The name of the pack made on first use.
pub const MY_PACK_NAME: &str = "My questions";

/// A field of the question form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// The question text.
    Text,
    /// The category.
    Category,
    /// Tip number `n` (0-based).
    Tip(usize),
    /// Keyword number `n` (0-based).
    Keyword(usize),
    /// The answer time.
    AnswerSeconds,
    /// The strong answer's points as a whole.
    StrongAnswer,
    /// The follow-ups as a whole.
    FollowUps,
}

/// How a field is named in messages (as in a pack file).
pub fn field_name(field: Field) -> String {
    match field {
        Field::Text => "text".to_owned(),
        Field::Category => "category".to_owned(),
        Field::Tip(n) => format!("tip {}", n + 1),
        Field::Keyword(n) => format!("keyword {}", n + 1),
        Field::AnswerSeconds => "answer_seconds".to_owned(),
        Field::StrongAnswer => "strong_answer".to_owned(),
        Field::FollowUps => "follow_ups".to_owned(),
    }
}

/// The question form's contents, as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionDraft {
    /// The question as asked.
    pub text: String,
    /// Its category (an existing one or a new one).
    pub category: String,
    /// Its kind.
    pub kind: QuestionKind,
    /// What the interviewer is listening for.
    pub looking_for: String,
    /// Tips, one per row.
    pub tips: Vec<String>,
    /// Think time, seconds.
    pub think_seconds: u32,
    /// Answer time, seconds.
    pub answer_seconds: u32,
    /// Keywords, one per row.
    pub keywords: Vec<String>,
    /// What a strong answer covers, one row a point.
    pub strong_answer: Vec<PointDraft>,
    /// What the interviewer may ask next, one row each, in order.
    pub follow_ups: Vec<FollowUpDraft>,
}

/// A strong-answer point as typed: its line and its cues, comma-separated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PointDraft {
    /// The point.
    pub point: String,
    /// Its cue phrases, separated by commas.
    pub cues: String,
}

/// When a follow-up is asked, as the form offers it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Condition {
    /// One of the phrases was said.
    Said,
    /// None of the phrases was said.
    NotSaid,
    /// No result was stated.
    NoResult,
    /// The answer was short.
    Short,
    /// After any answer.
    #[default]
    Always,
}

impl Condition {
    /// Every condition, in the form's order.
    pub const ALL: [Self; 5] = [
        Self::Said,
        Self::NotSaid,
        Self::NoResult,
        Self::Short,
        Self::Always,
    ];

    /// As the form shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Said => "when the answer says",
            Self::NotSaid => "when the answer does not say",
            Self::NoResult => "when no result is stated",
            Self::Short => "when the answer is short",
            Self::Always => "after any answer",
        }
    }

    /// Whether it needs phrases.
    pub fn has_phrases(self) -> bool {
        matches!(self, Self::Said | Self::NotSaid)
    }
}

/// A follow-up as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FollowUpDraft {
    /// The question.
    pub ask: String,
    /// When it is asked.
    pub condition: Condition,
    /// Its phrases, separated by commas (for said / not said).
    pub phrases: String,
}

/// Phrases typed with commas between them.
fn phrases_of(text: &str) -> Vec<String> {
    text.split(',')
        .map(|phrase| phrase.trim().to_owned())
        .filter(|phrase| !phrase.is_empty())
        .collect()
}

impl From<&crate::model::StrongPoint> for PointDraft {
    fn from(point: &crate::model::StrongPoint) -> Self {
        Self {
            point: point.point.clone(),
            cues: point.cues.join(", "),
        }
    }
}

impl From<&crate::model::FollowUp> for FollowUpDraft {
    fn from(follow_up: &crate::model::FollowUp) -> Self {
        use crate::model::FollowUpWhen;
        let (condition, phrases) = match &follow_up.when {
            FollowUpWhen::Said(p) => (Condition::Said, p.join(", ")),
            FollowUpWhen::NotSaid(p) => (Condition::NotSaid, p.join(", ")),
            FollowUpWhen::NoResult(_) => (Condition::NoResult, String::new()),
            FollowUpWhen::Short(_) => (Condition::Short, String::new()),
            FollowUpWhen::Always(_) => (Condition::Always, String::new()),
        };
        Self {
            ask: follow_up.ask.clone(),
            condition,
            phrases,
        }
    }
}

impl FollowUpDraft {
    fn to_follow_up(&self) -> crate::model::FollowUp {
        use crate::model::FollowUpWhen;
        let phrases = phrases_of(&self.phrases);
        crate::model::FollowUp {
            ask: self.ask.trim().to_owned(),
            when: match self.condition {
                Condition::Said => FollowUpWhen::Said(phrases),
                Condition::NotSaid => FollowUpWhen::NotSaid(phrases),
                Condition::NoResult => FollowUpWhen::NoResult(true),
                Condition::Short => FollowUpWhen::Short(true),
                Condition::Always => FollowUpWhen::Always(true),
            },
        }
    }
}

impl Default for QuestionDraft {
    fn default() -> Self {
        Self {
            text: String::new(),
            category: String::new(),
            // Most questions of a backend interview are technical; a story
            // question is marked so by whoever writes it.
            kind: QuestionKind::Technical,
            looking_for: String::new(),
            tips: Vec::new(),
            think_seconds: crate::model::DEFAULT_THINK_SECONDS,
            answer_seconds: crate::model::DEFAULT_ANSWER_SECONDS,
            keywords: Vec::new(),
            strong_answer: Vec::new(),
            follow_ups: Vec::new(),
        }
    }
}

impl From<&Question> for QuestionDraft {
    fn from(question: &Question) -> Self {
        Self {
            text: question.text.clone(),
            category: question.category.clone(),
            kind: question.kind,
            looking_for: question.looking_for.clone(),
            tips: question.tips.clone(),
            think_seconds: question.think_seconds,
            answer_seconds: question.answer_seconds,
            keywords: question.keywords.clone(),
            strong_answer: question
                .strong_answer
                .iter()
                .map(PointDraft::from)
                .collect(),
            follow_ups: question
                .follow_ups
                .iter()
                .map(FollowUpDraft::from)
                .collect(),
        }
    }
}

impl QuestionDraft {
    /// The question this draft makes, with `id`, trimmed as it is saved;
    /// a tip or keyword row left empty is no tip or keyword (not a
    /// problem).
    pub fn to_question(&self, id: QuestionId) -> Question {
        let rows = |rows: &[String]| {
            rows.iter()
                .map(|row| row.trim().to_owned())
                .filter(|row| !row.is_empty())
                .collect()
        };
        Question {
            id,
            text: self.text.trim().to_owned(),
            category: self.category.trim().to_owned(),
            kind: self.kind,
            looking_for: self.looking_for.trim().to_owned(),
            tips: rows(&self.tips),
            think_seconds: self.think_seconds,
            answer_seconds: self.answer_seconds,
            keywords: rows(&self.keywords),
            // A row left empty is no point or follow-up.
            strong_answer: self
                .strong_answer
                .iter()
                .filter(|row| !row.point.trim().is_empty() || !row.cues.trim().is_empty())
                .map(|row| crate::model::StrongPoint {
                    point: row.point.trim().to_owned(),
                    cues: phrases_of(&row.cues),
                })
                .collect(),
            follow_ups: self
                .follow_ups
                .iter()
                .filter(|row| !row.ask.trim().is_empty() || !row.phrases.trim().is_empty())
                .map(FollowUpDraft::to_follow_up)
                .collect(),
        }
    }

    /// What is wrong, field by field: the rules `questions check` applies
    /// to a pack's question, placed on the field (and row) they concern.
    pub fn problems(&self) -> Vec<(Field, Problem)> {
        let question = self.to_question(QuestionId::parse("draft").unwrap_or_else(|_| {
            unreachable!("\"draft\" is a slug");
        }));
        let blank_rows = |rows: &[String], field: fn(usize) -> Field| {
            rows.iter()
                .enumerate()
                .filter(|(_, row)| row.trim().is_empty())
                .map(move |(n, _)| field(n))
                .collect::<Vec<_>>()
        };
        let mut problems = Vec::new();
        for problem in content_problems(&question) {
            match problem {
                Problem::EmptyQuestion => problems.push((Field::Text, problem)),
                Problem::BlankField("category") => problems.push((Field::Category, problem)),
                Problem::BlankField("tips") => problems.extend(
                    blank_rows(&self.tips, Field::Tip)
                        .into_iter()
                        .map(|field| (field, problem.clone())),
                ),
                Problem::BlankField("keywords") => problems.extend(
                    blank_rows(&self.keywords, Field::Keyword)
                        .into_iter()
                        .map(|field| (field, problem.clone())),
                ),
                Problem::ZeroAnswerTime => problems.push((Field::AnswerSeconds, problem)),
                other => log::warn!("a question form cannot place {other:?}"),
            }
        }
        for (key, problem) in super::strong_answer_problems(&question) {
            let field = if key == "follow_ups" {
                Field::FollowUps
            } else {
                Field::StrongAnswer
            };
            problems.push((field, problem));
        }
        problems
    }
}

/// An id for a question with `text`: its words as a slug (lower-case ASCII
/// letters and digits joined by single hyphens, at most about 60
/// characters, cut at a word), made unique with `-2`, `-3`… when `taken`
/// says the plain one is used.
pub fn slug_for(text: &str, taken: impl Fn(&str) -> bool) -> QuestionId {
    const MOST: usize = 60;
    let mut base = String::new();
    for word in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        let word = word.to_ascii_lowercase();
        if !base.is_empty() && base.len() + 1 + word.len() > MOST {
            break;
        }
        if !base.is_empty() {
            base.push('-');
        }
        base.push_str(&word[..word.len().min(MOST)]);
    }
    if base.is_empty() {
        base.push_str("question");
    }
    let mut candidate = base.clone();
    let mut n = 2;
    while taken(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    QuestionId::parse(&candidate)
        .unwrap_or_else(|err| unreachable!("a slug is built from ASCII words: {err}"))
}

/// A change to the user's questions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuestionEdit {
    /// Adds a question to `my-questions.json`.
    Add(Question),
    /// Replaces the question `id` of the pack `file` (its id may change).
    Replace {
        /// The pack file that holds it.
        file: PathBuf,
        /// Its id before the change.
        id: QuestionId,
        /// The question as it is now.
        question: Question,
    },
    /// Removes the question `id` from the pack `file`.
    Remove {
        /// The pack file that holds it.
        file: PathBuf,
        /// Its id.
        id: QuestionId,
    },
}

/// Why an edit was not saved.
#[derive(Debug)]
pub enum EditError {
    /// The pack file has problems of its own (it is never rewritten then).
    Pack(Vec<PackError>),
    /// The question is not in the pack.
    NotFound {
        /// The pack.
        file: PathBuf,
        /// The id looked for.
        id: QuestionId,
    },
    /// The file is not a pack in the questions folder.
    NotOwn(PathBuf),
    /// Writing failed.
    Write {
        /// The file.
        file: PathBuf,
        /// Why.
        error: std::io::Error,
    },
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pack(problems) => {
                let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
                f.write_str(&lines.join("\n"))
            }
            Self::NotFound { file, id } => {
                write!(f, "{}: no question `{id}`", file.display())
            }
            Self::NotOwn(file) => write!(
                f,
                "{}: only packs in your questions folder can be changed",
                file.display()
            ),
            Self::Write { file, error } => write!(f, "{}: cannot write: {error}", file.display()),
        }
    }
}

impl std::error::Error for EditError {}

/// A pack file as written back: its name, description and questions.
#[derive(Serialize)]
struct PackFile {
    schema_version: u64,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    questions: Vec<Question>,
}

impl PackFile {
    /// The pack text as Rehearse writes it (pretty JSON, a final newline).
    fn to_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(self)
            .unwrap_or_else(|err| unreachable!("a pack always serializes: {err}"));
        text.push('\n');
        text
    }
}

/// The text of a pack named `name` holding `questions`, as "Export pack…"
/// and `questions export` write it.
pub fn pack_text(name: &str, questions: &[Question]) -> String {
    PackFile {
        schema_version: super::SCHEMA_VERSION,
        name: name.to_owned(),
        description: None,
        questions: questions.to_vec(),
    }
    .to_text()
}

/// Applies `edit` to the pack files in `sources.folder`, checks the result
/// as the bank will load it, writes it atomically, and returns the bank as
/// it now is.
pub fn apply(sources: &PackSources, edit: &QuestionEdit) -> Result<QuestionBank, EditError> {
    let folder = sources
        .folder
        .clone()
        .unwrap_or_else(|| unreachable!("edits are made only with a questions folder"));
    let file = match edit {
        QuestionEdit::Add(_) => folder.join(MY_PACK_FILE),
        QuestionEdit::Replace { file, .. } | QuestionEdit::Remove { file, .. } => {
            if file.parent() != Some(folder.as_path()) {
                return Err(EditError::NotOwn(file.clone()));
            }
            file.clone()
        }
    };
    let write = |error| EditError::Write {
        file: file.clone(),
        error,
    };
    // Held until the pack is written: a second edit (another window, a
    // `questions add` in a terminal) reads the pack only after this one.
    let _lock = lock_folder(&folder).map_err(write)?;
    let mut pack = read_for_edit(&file)?;
    match edit {
        QuestionEdit::Add(question) => pack.questions.push(question.clone()),
        QuestionEdit::Replace { id, question, .. } => {
            let slot = pack.questions.iter_mut().find(|q| &q.id == id);
            *slot.ok_or_else(|| not_found(&file, id))? = question.clone();
        }
        QuestionEdit::Remove { id, .. } => {
            let before = pack.questions.len();
            pack.questions.retain(|q| &q.id != id);
            if pack.questions.len() == before {
                return Err(not_found(&file, id));
            }
        }
    }
    let text = pack.to_text();
    if !pack.questions.is_empty() {
        check_beside_the_rest(sources, &file, &text)?;
    }
    if pack.questions.is_empty() {
        // A pack without questions is not a pack: the last question's
        // removal removes the file.
        std::fs::remove_file(&file).map_err(write)?;
    } else {
        crate::durable::atomic_write(&file, text.as_bytes()).map_err(write)?;
    }
    let bank = QuestionBank::load(sources);
    for problem in bank.problems() {
        log::warn!("after editing {}: {problem}", file.display());
    }
    Ok(bank)
}

/// Locks the questions folder (created when missing) for one edit: an
/// exclusive lock on `questions.lock` beside it (never inside, where only
/// packs are), held until the file returned is dropped, by this process or
/// another; waits for an edit under way.
fn lock_folder(folder: &Path) -> std::io::Result<std::fs::File> {
    if !folder.exists() {
        crate::durable::create_private_dir(folder)?;
    }
    let lock = crate::durable::open_lock_file(&folder.with_extension("lock"))?;
    lock.lock()?;
    Ok(lock)
}

fn not_found(file: &Path, id: &QuestionId) -> EditError {
    EditError::NotFound {
        file: file.to_path_buf(),
        id: id.clone(),
    }
}

/// The pack at `file` for editing: a missing `my-questions.json` is a new
/// empty pack; a pack with problems is refused (and left as it is).
fn read_for_edit(file: &Path) -> Result<PackFile, EditError> {
    let missing = std::fs::symlink_metadata(file)
        .is_err_and(|err| err.kind() == std::io::ErrorKind::NotFound);
    if missing {
        return Ok(PackFile {
            schema_version: super::SCHEMA_VERSION,
            name: MY_PACK_NAME.to_owned(),
            description: None,
            questions: Vec::new(),
        });
    }
    let pack = super::read_pack(file).map_err(EditError::Pack)?;
    Ok(PackFile {
        schema_version: super::SCHEMA_VERSION,
        name: pack.name,
        description: pack.description,
        questions: pack.questions,
    })
}

/// Checks the new text of `file` as `questions check` would, and that its
/// ids are used by no other pack of the bank (a clash would leave the
/// whole pack out at the next start).
fn check_beside_the_rest(sources: &PackSources, file: &Path, text: &str) -> Result<(), EditError> {
    let source = file.display().to_string();
    let pack = parse_pack(&source, text).map_err(EditError::Pack)?;
    let others = QuestionBank::load_without(sources, file);
    let clashes: Vec<PackError> = others.clashes(&pack);
    if clashes.is_empty() {
        Ok(())
    } else {
        Err(EditError::Pack(clashes))
    }
}

/// The id of question `old` after its text became `new_text`: the same id
/// once the question has takes (they refer to it by id) or when the text is
/// unchanged, else one made from the new text.
pub fn id_after_edit(
    old: &Question,
    new_text: &str,
    has_takes: bool,
    bank: &QuestionBank,
) -> QuestionId {
    if has_takes || old.text.trim() == new_text.trim() {
        return old.id.clone();
    }
    let taken = taken_ids(bank);
    slug_for(new_text, |id| id != old.id.as_str() && taken.contains(id))
}

/// Copies the pack `file` into the questions folder after checking it as
/// `questions check` does, against every pack there (turned off or not):
/// a pack with problems or ids that clash is refused with the reasons.
/// Returns where it was copied and the bank as it now is.
pub fn import(sources: &PackSources, file: &Path) -> Result<(PathBuf, QuestionBank), EditError> {
    let folder = sources
        .folder
        .clone()
        .unwrap_or_else(|| unreachable!("imports are made only with a questions folder"));
    let (pack, text) = super::read_pack_and_text(file).map_err(EditError::Pack)?;
    let write = |error| EditError::Write {
        file: file.to_path_buf(),
        error,
    };
    // Under the folder's lock the packs checked against are the packs
    // there when it is written, and the free name stays free; the write
    // creates it and never replaces a file.
    let _lock = lock_folder(&folder).map_err(write)?;
    let everything = PackSources {
        off: BTreeSet::new(),
        ..sources.clone()
    };
    let clashes = QuestionBank::load(&everything).clashes(&pack);
    if !clashes.is_empty() {
        return Err(EditError::Pack(clashes));
    }
    let destination = free_name(&folder, file);
    let partial = crate::durable::temporary_path(&destination, "partial");
    crate::durable::atomic_write(&partial, text.as_bytes())
        .and_then(|()| crate::durable::publish(&partial, &destination))
        .map_err(write)?;
    Ok((destination, QuestionBank::load(sources)))
}

/// `folder/<file's name>.json`, or `<name>-2.json`… when that is taken.
fn free_name(folder: &Path, file: &Path) -> PathBuf {
    let stem = file.file_stem().map_or_else(
        || "pack".to_owned(),
        |stem| crate::files::sanitize_component(&stem.to_string_lossy(), 60),
    );
    let mut candidate = folder.join(format!("{stem}.json"));
    let mut n = 2;
    while std::fs::symlink_metadata(&candidate).is_ok() {
        candidate = folder.join(format!("{stem}-{n}.json"));
        n += 1;
    }
    candidate
}

/// Ids of every question in `bank`, to make a new one unique.
pub fn taken_ids(bank: &QuestionBank) -> BTreeSet<String> {
    bank.questions()
        .iter()
        .map(|q| q.id.as_str().to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slug_is_made_from_the_words_and_kept_unique() {
        let none = |_: &str| false;
        assert_eq!(
            slug_for("Tell me about a time you fixed prod!", none).as_str(),
            "tell-me-about-a-time-you-fixed-prod"
        );
        assert_eq!(slug_for("  ¿¡ !? ", none).as_str(), "question");
        assert_eq!(slug_for("Café au lait", none).as_str(), "caf-au-lait");
        let long = "word ".repeat(40);
        let id = slug_for(&long, none);
        assert!(id.as_str().len() <= 60, "{id}");
        assert!(!id.as_str().ends_with('-'));
        let taken = |id: &str| id == "why" || id == "why-2";
        assert_eq!(slug_for("Why?", taken).as_str(), "why-3");
    }

    #[test]
    fn a_draft_places_each_problem_on_its_field() {
        let draft = QuestionDraft {
            text: "  ".to_owned(),
            category: String::new(),
            tips: vec!["Be brief.".to_owned(), " ".to_owned()],
            keywords: vec![String::new()],
            answer_seconds: 0,
            ..QuestionDraft::default()
        };
        let fields: Vec<Field> = draft.problems().into_iter().map(|(f, _)| f).collect();
        // Empty rows are no tips or keywords, not problems.
        assert_eq!(fields, [Field::Text, Field::Category, Field::AnswerSeconds]);
        let question = draft.to_question(QuestionId::parse("q").unwrap());
        assert_eq!(question.tips, ["Be brief."]);
        assert!(question.keywords.is_empty());
        let good = QuestionDraft {
            text: "Why Rust?".to_owned(),
            category: "Languages".to_owned(),
            ..QuestionDraft::default()
        };
        assert!(good.problems().is_empty());
    }

    fn sources(folder: &Path) -> PackSources {
        PackSources {
            folder: Some(folder.to_path_buf()),
            ..PackSources::default()
        }
    }

    fn draft(text: &str) -> QuestionDraft {
        QuestionDraft {
            text: text.to_owned(),
            category: "Mine".to_owned(),
            tips: vec!["Say why.".to_owned()],
            ..QuestionDraft::default()
        }
    }

    #[test]
    fn add_replace_and_remove_round_trip_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("questions");
        let sources = sources(&folder);
        let id = slug_for("Why this team?", |_| false);
        let bank = apply(
            &sources,
            &QuestionEdit::Add(draft("Why this team?").to_question(id.clone())),
        )
        .unwrap();
        assert_eq!(bank.get(&id).unwrap().text, "Why this team?");
        assert!(bank.problems().is_empty());
        let file = folder.join(MY_PACK_FILE);
        assert!(super::super::read_pack(&file).is_ok());

        let mut edited = draft("Why this team, really?").to_question(id.clone());
        edited.tips.push("Name a person.".to_owned());
        let bank = apply(
            &sources,
            &QuestionEdit::Replace {
                file: file.clone(),
                id: id.clone(),
                question: edited,
            },
        )
        .unwrap();
        assert_eq!(bank.get(&id).unwrap().tips.len(), 2);

        let bank = apply(
            &sources,
            &QuestionEdit::Remove {
                file: file.clone(),
                id: id.clone(),
            },
        )
        .unwrap();
        assert!(bank.get(&id).is_none());
        assert!(!file.exists(), "an empty pack is removed");
    }

    #[test]
    fn an_id_used_elsewhere_is_refused_and_the_file_kept() {
        let dir = tempfile::tempdir().unwrap();
        let sources = sources(dir.path());
        let bundled = super::super::bundled_pack().unwrap().questions[0].clone();
        let err = apply(&sources, &QuestionEdit::Add(bundled)).unwrap_err();
        assert!(
            err.to_string().contains("duplicate id"),
            "{err}: the bundled id clashes"
        );
        assert!(!dir.path().join(MY_PACK_FILE).exists());
    }

    #[test]
    fn a_broken_pack_is_never_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(MY_PACK_FILE);
        std::fs::write(&file, "{ broken").unwrap();
        let id = slug_for("New?", |_| false);
        let err = apply(
            &sources(dir.path()),
            &QuestionEdit::Add(draft("New?").to_question(id)),
        )
        .unwrap_err();
        assert!(err.to_string().contains("my-questions.json:1:"), "{err}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "{ broken");
    }

    #[test]
    fn an_import_is_checked_copied_and_never_clashes() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("questions");
        let sources = sources(&folder);
        let good = dir.path().join("team pack.json");
        std::fs::write(
            &good,
            pack_text(
                "Team",
                &[draft("Why us?").to_question(slug_for("Why us?", |_| false))],
            ),
        )
        .unwrap();
        let (copied, bank) = import(&sources, &good).unwrap();
        assert_eq!(copied, folder.join("team-pack.json"));
        assert!(bank.get(&slug_for("Why us?", |_| false)).is_some());
        // The same pack again clashes with the copy.
        let err = import(&sources, &good).unwrap_err();
        assert!(err.to_string().contains("duplicate id"), "{err}");
        assert!(!folder.join("team-pack-2.json").exists());
    }

    #[test]
    fn an_id_follows_the_text_only_until_the_question_has_takes() {
        let bank = QuestionBank::default();
        let old = draft("Why?").to_question(slug_for("Why?", |_| false));
        assert_eq!(id_after_edit(&old, "Why?  ", false, &bank).as_str(), "why");
        assert_eq!(
            id_after_edit(&old, "Why now?", false, &bank).as_str(),
            "why-now"
        );
        assert_eq!(id_after_edit(&old, "Why now?", true, &bank).as_str(), "why");
    }

    #[test]
    fn only_packs_in_the_questions_folder_are_changed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("elsewhere.json");
        let err = apply(
            &sources(&dir.path().join("questions")),
            &QuestionEdit::Remove {
                file: outside,
                id: slug_for("x", |_| false),
            },
        )
        .unwrap_err();
        assert!(matches!(err, EditError::NotOwn(_)), "{err}");
    }
}
