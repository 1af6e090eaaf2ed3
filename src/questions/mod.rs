//! Question packs: the bank bundled in the binary and the user's own JSON
//! files, loaded, validated and merged into one [`QuestionBank`].
//!
//! A pack is rejected as a whole when anything in it is wrong, and every
//! problem is reported with the file, the line and column, and the question
//! id, so a user can fix a hand-written pack without guessing. One bad pack
//! never stops the others from loading.

pub mod own;

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::model::{Question, QuestionId};

/// The pack format this build reads.
pub const SCHEMA_VERSION: u64 = 2;
/// The oldest pack format still read (version 1 has no `strong_answer` or
/// `follow_ups`; its packs load unchanged).
pub const OLDEST_SCHEMA_VERSION: u64 = 1;

/// The bundled question bank, embedded at build time.
const BUNDLED_JSON: &str = include_str!("../../questions.json");

/// How the bundled bank is named in messages.
pub const BUNDLED_SOURCE: &str = "questions.json (bundled)";

/// A place in a pack file: 1-based line and column (columns count bytes, as
/// `serde_json` does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl Position {
    /// Converts a position reported relative to a fragment that starts at
    /// `self` into a position in the whole file.
    fn offset_by(self, inner: Self) -> Self {
        if inner.line == 1 {
            Self {
                line: self.line,
                column: self.column + inner.column - 1,
            }
        } else {
            Self {
                line: self.line + inner.line - 1,
                column: inner.column,
            }
        }
    }
}

/// Where each line of a text starts, to turn byte offsets into positions in
/// logarithmic time (a pack of 10,000 questions has 10,000 of them to find).
struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let newlines = text
            .bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .map(|(i, _)| i + 1);
        Self {
            line_starts: std::iter::once(0).chain(newlines).collect(),
        }
    }

    /// The position of byte `offset`.
    fn position(&self, offset: usize) -> Position {
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let line_start = self.line_starts[line.saturating_sub(1)];
        Position {
            line,
            column: offset - line_start + 1,
        }
    }
}

/// What is wrong with a pack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The file could not be read (missing, no permission, not UTF-8…).
    Unreadable(String),
    /// The JSON is malformed, or a field is unknown, missing or of the wrong
    /// type; the text is `serde_json`'s description.
    Json(String),
    /// The pack declares a format this build does not read.
    UnsupportedSchema(u64),
    /// The pack contains no questions.
    NoQuestions,
    /// A question's text is blank.
    EmptyQuestion,
    /// A field that must say something is blank.
    BlankField(&'static str),
    /// `answer_seconds` is zero.
    ZeroAnswerTime,
    /// The id is already used; the text says where.
    DuplicateId(String),
    /// A strong answer or a follow-up is not as the format wants it; the
    /// text says what, in words.
    Content(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreadable(reason) => write!(f, "cannot read the file: {reason}"),
            Self::Json(reason) => f.write_str(reason),
            Self::UnsupportedSchema(found) => write!(
                f,
                "schema_version {found} is not supported (this version of Rehearse reads schema_version {OLDEST_SCHEMA_VERSION} to {SCHEMA_VERSION})"
            ),
            Self::NoQuestions => f.write_str("the pack has no questions"),
            Self::EmptyQuestion => f.write_str("the question text is empty"),
            // In words a person reads, in the window and about a pack.
            Self::BlankField("category") => f.write_str("give the question a category"),
            Self::BlankField("tips") => f.write_str("a tip is empty: write it or remove it"),
            Self::BlankField("keywords") => {
                f.write_str("a keyword is empty: write it or remove it")
            }
            Self::BlankField(field) => write!(f, "the {field} is empty"),
            Self::ZeroAnswerTime => f.write_str("the answer limit must be at least 1 second"),
            Self::DuplicateId(first) => write!(f, "duplicate id, first defined at {first}"),
            Self::Content(what) => f.write_str(what),
        }
    }
}

/// One problem in one pack, with everything needed to find it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackError {
    /// The pack's file (or [`BUNDLED_SOURCE`]).
    pub file: String,
    /// Where in the file, when the problem has a place.
    pub position: Option<Position>,
    /// The id of the question concerned, when there is one.
    pub question_id: Option<String>,
    /// What is wrong.
    pub problem: Problem,
}

impl std::error::Error for PackError {}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(Position { line, column }) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        if let Some(id) = &self.question_id {
            write!(f, ": question `{id}`")?;
        }
        write!(f, ": {}", self.problem)
    }
}

/// A pack that passed validation.
#[derive(Clone, Debug)]
pub struct Pack {
    /// The pack's display name.
    pub name: String,
    /// Its free-text description, kept when the pack is written back.
    pub description: Option<String>,
    /// Where it came from (a path, or [`BUNDLED_SOURCE`]).
    pub source: String,
    /// Its questions in file order.
    pub questions: Vec<Question>,
    /// Where each question starts in the file, in the same order.
    positions: Vec<Position>,
}

/// Only the version, read first so that a newer pack is reported as newer
/// rather than as full of unknown fields.
#[derive(Deserialize)]
struct VersionProbe {
    schema_version: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPack<'a> {
    #[allow(
        dead_code,
        reason = "checked by VersionProbe; listed so it is a known field"
    )]
    schema_version: u64,
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(borrow)]
    questions: Vec<&'a RawValue>,
}

/// Only the id, read on its own so that an error elsewhere in a question can
/// still name it.
#[derive(Deserialize)]
struct IdProbe {
    id: Option<serde_json::Value>,
}

/// Parses and validates the text of one pack. Every problem found is
/// returned, not just the first.
pub fn parse_pack(source: &str, text: &str) -> Result<Pack, Vec<PackError>> {
    let error = |position, question_id, problem| PackError {
        file: source.to_owned(),
        position,
        question_id,
        problem,
    };
    let json_error = |err: &serde_json::Error, base: Position, question_id: Option<String>| {
        let inner = Position {
            line: err.line().max(1),
            column: err.column().max(1),
        };
        error(
            (err.line() > 0).then(|| base.offset_by(inner)),
            question_id,
            Problem::Json(serde_message(err)),
        )
    };
    let start = Position { line: 1, column: 1 };

    let probe: VersionProbe =
        serde_json::from_str(text).map_err(|err| vec![json_error(&err, start, None)])?;
    if let Some((at, problem)) = version_problem(text, probe.schema_version) {
        return Err(vec![error(at, None, problem)]);
    }

    let raw: RawPack<'_> =
        serde_json::from_str(text).map_err(|err| vec![json_error(&err, start, None)])?;
    if raw.questions.is_empty() {
        let at = find_key(text, "questions");
        return Err(vec![error(at, None, Problem::NoQuestions)]);
    }

    let mut problems = Vec::new();
    let mut questions = Vec::with_capacity(raw.questions.len());
    let mut positions = Vec::with_capacity(raw.questions.len());
    let mut first_seen: HashMap<QuestionId, Position> = HashMap::new();
    let lines = LineIndex::new(text);
    for fragment in raw.questions {
        let at = lines.position(offset_in(text, fragment.get()));
        let probed_id = serde_json::from_str::<IdProbe>(fragment.get())
            .ok()
            .and_then(|probe| probe.id)
            .and_then(|id| id.as_str().map(str::to_owned));
        let question: Question = match serde_json::from_str(fragment.get()) {
            Ok(question) => question,
            Err(err) => {
                problems.push(json_error(&err, at, probed_id));
                continue;
            }
        };
        let id = Some(question.id.to_string());
        for problem in content_problems(&question) {
            problems.push(error(Some(at), id.clone(), problem));
        }
        for (key, problem) in strong_answer_problems(&question) {
            let place = fragment
                .get()
                .find(&format!("\"{key}\""))
                .map_or(at, |inner| {
                    lines.position(offset_in(text, fragment.get()) + inner)
                });
            problems.push(error(Some(place), id.clone(), problem));
        }
        if let Some(first) = first_seen.get(&question.id) {
            let first = format!("{source}:{}:{}", first.line, first.column);
            problems.push(error(Some(at), id, Problem::DuplicateId(first)));
        } else {
            first_seen.insert(question.id.clone(), at);
        }
        questions.push(question);
        positions.push(at);
    }

    if problems.is_empty() {
        Ok(Pack {
            name: raw.name,
            description: raw.description,
            source: source.to_owned(),
            questions,
            positions,
        })
    } else {
        Err(problems)
    }
}

/// Reads and validates one pack file.
pub fn read_pack(path: &Path) -> Result<Pack, Vec<PackError>> {
    read_pack_and_text(path).map(|(pack, _)| pack)
}

/// Reads and validates one pack file, keeping its text as it is (to copy
/// it without reading it again).
pub fn read_pack_and_text(path: &Path) -> Result<(Pack, String), Vec<PackError>> {
    let source = path.display().to_string();
    match crate::files::read_text(path) {
        Ok(text) => parse_pack(&source, &text).map(|pack| (pack, text)),
        Err(crate::files::TextFileError::NotUtf8 { line, column }) => Err(vec![PackError {
            file: source,
            position: Some(Position { line, column }),
            question_id: None,
            problem: Problem::Unreadable("not UTF-8 text".to_owned()),
        }]),
        Err(err) => Err(vec![PackError {
            file: source,
            position: None,
            question_id: None,
            problem: Problem::Unreadable(err.to_string()),
        }]),
    }
}

/// The bank bundled in the binary.
pub fn bundled_pack() -> Result<Pack, Vec<PackError>> {
    parse_pack(BUNDLED_SOURCE, BUNDLED_JSON)
}

/// Whether `text` is exactly the bundled bank.
pub fn is_bundled_text(text: &str) -> bool {
    text == BUNDLED_JSON
}

/// The problems a question has beyond its JSON shape.
fn content_problems(question: &Question) -> Vec<Problem> {
    let mut problems = Vec::new();
    if question.text.trim().is_empty() {
        problems.push(Problem::EmptyQuestion);
    }
    if question.category.trim().is_empty() {
        problems.push(Problem::BlankField("category"));
    }
    if question.tips.iter().any(|tip| tip.trim().is_empty()) {
        problems.push(Problem::BlankField("tips"));
    }
    if question.keywords.iter().any(|word| word.trim().is_empty()) {
        problems.push(Problem::BlankField("keywords"));
    }
    if question.answer_seconds == 0 {
        problems.push(Problem::ZeroAnswerTime);
    }
    problems
}

/// What is wrong with a pack's `schema_version`, and where, if anything.
fn version_problem(
    text: &str,
    version: Option<serde_json::Value>,
) -> Option<(Option<Position>, Problem)> {
    match version {
        None => Some((
            Some(Position { line: 1, column: 1 }),
            Problem::Json("missing field `schema_version`".to_owned()),
        )),
        Some(serde_json::Value::Number(n)) => match n.as_u64() {
            Some(v) if (OLDEST_SCHEMA_VERSION..=SCHEMA_VERSION).contains(&v) => None,
            Some(found) => Some((
                find_key(text, "schema_version"),
                Problem::UnsupportedSchema(found),
            )),
            None => Some((
                find_key(text, "schema_version"),
                Problem::Json("`schema_version` must be a whole number".to_owned()),
            )),
        },
        Some(_) => Some((
            find_key(text, "schema_version"),
            Problem::Json("`schema_version` must be a whole number".to_owned()),
        )),
    }
}

/// Points a strong answer has at least and at most.
pub const STRONG_POINTS: std::ops::RangeInclusive<usize> = 3..=6;

/// The problems of a question's strong answer and follow-ups, each with the
/// key it is found under.
pub fn strong_answer_problems(question: &Question) -> Vec<(&'static str, Problem)> {
    use crate::model::FollowUpWhen;
    let mut problems = Vec::new();
    let mut say = |key, text: String| problems.push((key, Problem::Content(text)));
    let points = question.strong_answer.len();
    if points > 0 && !STRONG_POINTS.contains(&points) {
        say(
            "strong_answer",
            format!(
                "a strong answer has {} to {} points; this one has {points}",
                STRONG_POINTS.start(),
                STRONG_POINTS.end()
            ),
        );
    }
    for (n, point) in question.strong_answer.iter().enumerate() {
        if point.point.trim().is_empty() {
            say(
                "strong_answer",
                format!("point {} of the strong answer is empty", n + 1),
            );
        }
        if point.cues.iter().any(|cue| cue.trim().is_empty()) {
            say(
                "strong_answer",
                format!("a cue of point {} is empty: write it or remove it", n + 1),
            );
        }
    }
    for (n, follow_up) in question.follow_ups.iter().enumerate() {
        let which = n + 1;
        if follow_up.ask.trim().is_empty() {
            say("follow_ups", format!("follow-up {which} asks nothing"));
        }
        match &follow_up.when {
            FollowUpWhen::Said(phrases) | FollowUpWhen::NotSaid(phrases) => {
                if phrases.is_empty() || phrases.iter().any(|p| p.trim().is_empty()) {
                    say(
                        "follow_ups",
                        format!("follow-up {which}: give its phrases, none of them empty"),
                    );
                }
            }
            FollowUpWhen::NoResult(on) | FollowUpWhen::Short(on) | FollowUpWhen::Always(on) => {
                if !on {
                    say(
                        "follow_ups",
                        format!("follow-up {which}: its condition must be true (or remove it)"),
                    );
                }
            }
        }
    }
    problems
}

/// `serde_json`'s message without the " at line L column C" it appends; the
/// position is reported separately, relative to the whole file.
fn serde_message(err: &serde_json::Error) -> String {
    let full = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    full.strip_suffix(&suffix).unwrap_or(&full).to_owned()
}

/// Byte offset of `fragment`, a slice borrowed from `text`, within `text`.
fn offset_in(text: &str, fragment: &str) -> usize {
    (fragment.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

/// Position of the first `"key"` in `text`, for problems that concern a
/// top-level field.
fn find_key(text: &str, key: &str) -> Option<Position> {
    text.find(&format!("\"{key}\""))
        .map(|offset| LineIndex::new(text).position(offset))
}

/// Every question that loaded, from the bundled bank and the user's packs,
/// and the problems of the packs that did not.
#[derive(Clone, Debug, Default)]
pub struct QuestionBank {
    questions: Vec<Question>,
    /// For each id, the question's index and the index of its pack.
    by_id: HashMap<QuestionId, (usize, usize)>,
    packs: Vec<PackSummary>,
    problems: Vec<PackError>,
    entries: Vec<PackEntry>,
}

/// A pack that is part of the bank.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackSummary {
    /// The pack's name.
    pub name: String,
    /// Where it came from.
    pub source: String,
    /// How many questions it added.
    pub questions: usize,
    /// Its file, when it is in the user's questions folder (so its
    /// questions may be edited and the pack removed).
    pub own_file: Option<PathBuf>,
}

/// Every pack the bank knows of, whether it loaded or not, for the list
/// of packs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackEntry {
    /// What turns it off and on: [`BUNDLED_KEY`] or its file name.
    pub key: String,
    /// Its name (its file name when it cannot be read).
    pub name: String,
    /// Where it is.
    pub source: String,
    /// Whether it loaded.
    pub status: PackStatus,
}

/// Whether a pack loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PackStatus {
    /// Its questions are in the bank.
    Loaded {
        /// How many.
        questions: usize,
    },
    /// Turned off by the user.
    Off {
        /// How many questions it holds, when it is a good pack.
        questions: Option<usize>,
    },
    /// Left out; every problem, with file, line and column.
    Failed(Vec<PackError>),
}

/// The key of the bundled bank in [`PackSources::off`].
pub const BUNDLED_KEY: &str = "bundled";

/// Where the bank's packs come from.
#[derive(Clone, Debug, Default)]
pub struct PackSources {
    /// A folder whose `*.json` files are packs (the user's `questions/`
    /// folder); read in file-name order, and a missing folder is fine.
    pub folder: Option<PathBuf>,
    /// Pack files named explicitly (`--questions FILE`); read after the
    /// folder.
    pub files: Vec<PathBuf>,
    /// Packs the user turned off: [`BUNDLED_KEY`] or a file name in the
    /// folder.
    pub off: BTreeSet<String>,
}

/// How a pack file is named in [`PackSources::off`]: its file name.
pub fn pack_key(file: &Path) -> String {
    file.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl QuestionBank {
    /// The bundled bank, then the packs from `sources`. A pack with a problem
    /// is left out and its problems are kept for [`Self::problems`].
    pub fn load(sources: &PackSources) -> Self {
        Self::load_without(sources, Path::new(""))
    }

    /// [`Self::load`] leaving out the pack file `left_out`, to check a new
    /// version of it against the rest.
    pub fn load_without(sources: &PackSources, left_out: &Path) -> Self {
        let mut bank = Self::default();
        if sources.off.contains(BUNDLED_KEY) {
            let questions = bundled_pack().ok().map(|p| p.questions.len());
            bank.entries.push(PackEntry {
                key: BUNDLED_KEY.to_owned(),
                name: "Bundled questions".to_owned(),
                source: BUNDLED_SOURCE.to_owned(),
                status: PackStatus::Off { questions },
            });
        } else {
            bank.add_entry(BUNDLED_KEY, bundled_pack(), None);
        }
        if let Some(folder) = &sources.folder {
            match pack_files_in(folder) {
                Ok(files) => {
                    for file in files.iter().filter(|file| *file != left_out) {
                        bank.add_file(sources, pack_key(file), file, true);
                    }
                }
                Err(problem) => bank.problems.push(problem),
            }
        }
        for file in sources.files.iter().filter(|file| *file != left_out) {
            bank.add_file(sources, file.display().to_string(), file, false);
        }
        bank
    }

    /// Reads the pack `file` and adds it, or lists it as off when `key` is
    /// turned off; `own` when it is in the user's questions folder.
    fn add_file(&mut self, sources: &PackSources, key: String, file: &Path, own: bool) {
        let pack = read_pack(file);
        if sources.off.contains(&key) {
            self.entries.push(PackEntry {
                name: pack
                    .as_ref()
                    .map_or_else(|_| key.clone(), |p| p.name.clone()),
                source: file.display().to_string(),
                status: PackStatus::Off {
                    questions: pack.ok().map(|p| p.questions.len()),
                },
                key,
            });
        } else {
            self.add_entry(&key, pack, own.then_some(file));
        }
    }

    /// Adds a pack as [`Self::add`] does, and lists it (under `key`).
    fn add_entry(&mut self, key: &str, pack: Result<Pack, Vec<PackError>>, own: Option<&Path>) {
        let name = pack.as_ref().ok().map(|p| p.name.clone());
        let source = match &pack {
            Ok(pack) => pack.source.clone(),
            Err(problems) => problems.first().map(|p| p.file.clone()).unwrap_or_default(),
        };
        let problems_before = self.problems.len();
        self.add(pack);
        let status = if self.problems.len() > problems_before {
            PackStatus::Failed(self.problems[problems_before..].to_vec())
        } else {
            let summary = self
                .packs
                .last_mut()
                .unwrap_or_else(|| unreachable!("just added"));
            summary.own_file = own.map(Path::to_path_buf);
            PackStatus::Loaded {
                questions: summary.questions,
            }
        };
        self.entries.push(PackEntry {
            key: key.to_owned(),
            name: name.unwrap_or_else(|| key.to_owned()),
            source,
            status,
        });
    }

    /// Adds a parsed pack unless it failed or reuses an id already in the
    /// bank; then its problems are recorded instead.
    pub fn add(&mut self, pack: Result<Pack, Vec<PackError>>) {
        match pack.and_then(|pack| self.check_ids_are_new(pack)) {
            Ok(pack) => {
                let pack_index = self.packs.len();
                for (offset, question) in pack.questions.iter().enumerate() {
                    let index = self.questions.len() + offset;
                    self.by_id.insert(question.id.clone(), (index, pack_index));
                }
                self.packs.push(PackSummary {
                    name: pack.name,
                    source: pack.source,
                    questions: pack.questions.len(),
                    own_file: None,
                });
                self.questions.extend(pack.questions);
            }
            Err(problems) => self.problems.extend(problems),
        }
    }

    fn check_ids_are_new(&self, pack: Pack) -> Result<Pack, Vec<PackError>> {
        let problems = self.clashes(&pack);
        if problems.is_empty() {
            Ok(pack)
        } else {
            Err(problems)
        }
    }

    /// The questions of `pack` whose ids the bank already has, each as a
    /// problem that says where the id is first defined.
    pub fn clashes(&self, pack: &Pack) -> Vec<PackError> {
        pack.questions
            .iter()
            .zip(&pack.positions)
            .filter_map(|(question, &at)| {
                let first = self.find_source(&question.id)?;
                Some(PackError {
                    file: pack.source.clone(),
                    position: Some(at),
                    question_id: Some(question.id.to_string()),
                    problem: Problem::DuplicateId(first),
                })
            })
            .collect()
    }

    /// The source of the pack that defines `id`.
    fn find_source(&self, id: &QuestionId) -> Option<String> {
        let &(_, pack) = self.by_id.get(id)?;
        Some(self.packs[pack].source.clone())
    }

    /// All questions, bundled first, in pack order.
    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    /// The packs that loaded.
    pub fn packs(&self) -> &[PackSummary] {
        &self.packs
    }

    /// Problems of the packs that were left out.
    pub fn problems(&self) -> &[PackError] {
        &self.problems
    }

    /// Every pack, loaded, off or failed, in loading order.
    pub fn entries(&self) -> &[PackEntry] {
        &self.entries
    }

    /// The pack that holds question `id`.
    pub fn pack_of(&self, id: &QuestionId) -> Option<&PackSummary> {
        let &(_, pack) = self.by_id.get(id)?;
        self.packs.get(pack)
    }

    /// The pack file of question `id` when it is one of the user's own
    /// (in the questions folder, so it may be changed).
    pub fn own_file(&self, id: &QuestionId) -> Option<&Path> {
        self.pack_of(id)?.own_file.as_deref()
    }

    /// The questions of the loaded pack whose source is `source`.
    pub fn questions_of(&self, source: &str) -> Vec<&Question> {
        let Some(index) = self.packs.iter().position(|p| p.source == source) else {
            return Vec::new();
        };
        self.questions
            .iter()
            .filter(|q| self.by_id.get(&q.id).is_some_and(|&(_, p)| p == index))
            .collect()
    }

    /// The question with this id.
    pub fn get(&self, id: &QuestionId) -> Option<&Question> {
        let &(index, _) = self.by_id.get(id)?;
        self.questions.get(index)
    }

    /// Categories with their question counts, in the order they first appear.
    pub fn categories(&self) -> Vec<(&str, usize)> {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for question in &self.questions {
            match counts
                .iter_mut()
                .find(|(name, _)| *name == question.category)
            {
                Some((_, count)) => *count += 1,
                None => counts.push((&question.category, 1)),
            }
        }
        counts
    }

    /// The category named `name`, ignoring case, as spelled in the bank.
    pub fn find_category(&self, name: &str) -> Option<&str> {
        self.questions
            .iter()
            .map(|q| q.category.as_str())
            .find(|category| category.eq_ignore_ascii_case(name.trim()))
    }
}

/// The `*.json` entries of a folder in name order; a missing folder has
/// none. Entries that are not readable files (a folder named `x.json`, a
/// dangling or looping link) are kept, so that reading them says why they
/// were left out.
fn pack_files_in(folder: &Path) -> Result<Vec<PathBuf>, PackError> {
    let unreadable = |err: std::io::Error| PackError {
        file: folder.display().to_string(),
        position: None,
        question_id: None,
        problem: Problem::Unreadable(err.to_string()),
    };
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(unreadable(err)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(unreadable)?.path();
        if path.extension().is_some_and(|ext| ext == "json") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack_with(questions: &str) -> String {
        format!(
            "{{\n  \"schema_version\": 1,\n  \"name\": \"Test\",\n  \"questions\": [\n{questions}\n  ]\n}}\n"
        )
    }

    const GOOD: &str = r#"    {"id": "one", "text": "Why?", "category": "Misc", "kind": "technical"},
    {"id": "two", "text": "How?", "category": "Misc", "kind": "behavioural",
     "tips": ["Use STAR."], "think_seconds": 5, "answer_seconds": 60, "keywords": ["x"]}"#;

    fn only_error(text: &str) -> PackError {
        let errors = parse_pack("pack.json", text).expect_err("pack should be rejected");
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    #[test]
    fn offsets_map_to_lines_and_columns() {
        let lines = LineIndex::new("ab\ncd\n\ne");
        let at = |offset| {
            let Position { line, column } = lines.position(offset);
            (line, column)
        };
        assert_eq!(at(0), (1, 1));
        assert_eq!(at(2), (1, 3));
        assert_eq!(at(3), (2, 1));
        assert_eq!(at(6), (3, 1));
        assert_eq!(at(7), (4, 1));
    }

    #[test]
    fn a_good_pack_loads_with_defaults() {
        let pack = parse_pack("pack.json", &pack_with(GOOD)).unwrap();
        assert_eq!(pack.name, "Test");
        assert_eq!(pack.questions.len(), 2);
        assert_eq!(pack.questions[0].think_seconds, 30);
        assert_eq!(pack.questions[0].answer_seconds, 120);
        assert_eq!(pack.questions[1].think_seconds, 5);
        assert_eq!(pack.positions[0], Position { line: 5, column: 5 });
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let text =
            pack_with(r#"    {"id": "one", "text": "Why?" "category": "x", "kind": "technical"}"#);
        let err = only_error(&text);
        assert_eq!(
            err.position,
            Some(Position {
                line: 5,
                column: 34
            })
        );
        assert!(
            matches!(err.problem, Problem::Json(ref m) if m.contains("expected")),
            "{err}"
        );
        assert_eq!(err.question_id.as_deref(), None);
    }

    #[test]
    fn unknown_field_names_the_question() {
        let text = pack_with(
            r#"    {"id": "one", "text": "Why?", "category": "x", "kind": "technical", "colour": 1}"#,
        );
        let err = only_error(&text);
        assert_eq!(err.question_id.as_deref(), Some("one"));
        assert_eq!(err.position.map(|p| p.line), Some(5));
        assert!(err.to_string().contains("unknown field `colour`"), "{err}");
        assert!(err.to_string().starts_with("pack.json:5:"), "{err}");
    }

    #[test]
    fn missing_field_names_the_question() {
        let text = pack_with(r#"    {"id": "one", "text": "Why?", "kind": "technical"}"#);
        let err = only_error(&text);
        assert_eq!(err.question_id.as_deref(), Some("one"));
        assert!(
            err.to_string().contains("missing field `category`"),
            "{err}"
        );
    }

    #[test]
    fn empty_question_is_rejected() {
        let text =
            pack_with(r#"    {"id": "one", "text": "  ", "category": "x", "kind": "technical"}"#);
        let err = only_error(&text);
        assert_eq!(err.problem, Problem::EmptyQuestion);
        assert_eq!(
            err.to_string(),
            "pack.json:5:5: question `one`: the question text is empty"
        );
    }

    #[test]
    fn duplicate_id_within_a_pack_points_to_both() {
        let text = pack_with(
            r#"    {"id": "one", "text": "A?", "category": "x", "kind": "technical"},
    {"id": "one", "text": "B?", "category": "x", "kind": "technical"}"#,
        );
        let err = only_error(&text);
        assert_eq!(err.position, Some(Position { line: 6, column: 5 }));
        assert_eq!(
            err.problem,
            Problem::DuplicateId("pack.json:5:5".to_owned())
        );
    }

    #[test]
    fn unsupported_schema_version_is_named() {
        let text = pack_with(GOOD).replace("\"schema_version\": 1", "\"schema_version\": 3");
        let err = only_error(&text);
        assert_eq!(err.problem, Problem::UnsupportedSchema(3));
        assert_eq!(err.position, Some(Position { line: 2, column: 3 }));
    }

    const STRONG: &str = r#"    {"id": "cache", "text": "When would you add a cache?", "category": "Caching",
     "kind": "technical",
     "strong_answer": [
       {"point": "Reads repeat and the source is slow", "cues": ["slow", "read-heavy"]},
       {"point": "Expiry bounds staleness", "cues": ["TTL"]},
       {"point": "Invalidate on writes", "cues": ["invalidation"]}
     ],
     "follow_ups": [
       {"ask": "What if the invalidation is lost?", "when": {"said": ["invalidation"]}},
       {"ask": "And the result?", "when": {"no_result": true}},
       {"ask": "When is a cache not worth it?", "when": {"always": true}}
     ]}"#;

    #[test]
    fn a_version_2_pack_carries_a_strong_answer_and_follow_ups() {
        let text = pack_with(STRONG).replace("\"schema_version\": 1", "\"schema_version\": 2");
        let pack = parse_pack("strong.json", &text).unwrap();
        let question = &pack.questions[0];
        assert_eq!(question.strong_answer.len(), 3);
        assert_eq!(question.strong_answer[1].cues, ["TTL"]);
        assert_eq!(
            question.follow_ups[0].when,
            crate::model::FollowUpWhen::Said(vec!["invalidation".to_owned()])
        );
        // Version 1 packs (without them) still load.
        assert!(parse_pack("good.json", &pack_with(GOOD)).is_ok());
    }

    #[test]
    fn a_malformed_strong_answer_or_follow_up_is_refused_with_its_place() {
        let two_points = STRONG.replace(
            r#"       {"point": "Invalidate on writes", "cues": ["invalidation"]}"#,
            "",
        );
        let two_points = two_points.replace(r#"["TTL"]},"#, r#"["TTL"]}"#);
        let err = only_error(&pack_with(&two_points));
        assert_eq!(
            err.problem,
            Problem::Content("a strong answer has 3 to 6 points; this one has 2".to_owned())
        );
        assert_eq!(err.position, Some(Position { line: 7, column: 6 }));
        let false_condition = STRONG.replace(r#"{"always": true}"#, r#"{"always": false}"#);
        let err = only_error(&pack_with(&false_condition));
        assert!(
            err.to_string()
                .contains("follow-up 3: its condition must be true"),
            "{err}"
        );
        assert_eq!(
            err.position,
            Some(Position {
                line: 12,
                column: 6
            })
        );
        let two_conditions =
            STRONG.replace(r#"{"always": true}"#, r#"{"always": true, "short": true}"#);
        let err = only_error(&pack_with(&two_conditions));
        assert!(
            err.to_string().contains("strong.json") || err.position.is_some(),
            "{err}"
        );
        let blank_cue = STRONG.replace(r#"["TTL"]"#, r#"["TTL", " "]"#);
        let err = only_error(&pack_with(&blank_cue));
        assert!(
            err.to_string().contains("a cue of point 2 is empty"),
            "{err}"
        );
    }

    #[test]
    fn bad_slug_and_zero_answer_time_are_rejected() {
        let text = pack_with(
            r#"    {"id": "Bad Id", "text": "A?", "category": "x", "kind": "technical"},
    {"id": "two", "text": "B?", "category": "x", "kind": "technical", "answer_seconds": 0}"#,
        );
        let errors = parse_pack("pack.json", &text).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(
            errors[0].to_string().contains("not a slug"),
            "{}",
            errors[0]
        );
        assert_eq!(errors[0].question_id.as_deref(), Some("Bad Id"));
        assert_eq!(errors[1].problem, Problem::ZeroAnswerTime);
    }

    #[test]
    fn a_pack_reusing_a_bundled_id_is_left_out_and_the_rest_loads() {
        let bundled_id = bundled_pack().unwrap().questions[0].id.to_string();
        let clash = pack_with(&format!(
            r#"    {{"id": "{bundled_id}", "text": "A?", "category": "x", "kind": "technical"}}"#
        ));
        let mut bank = QuestionBank::default();
        bank.add(bundled_pack());
        let before = bank.questions().len();
        bank.add(parse_pack("mine.json", &clash));
        bank.add(parse_pack("other.json", &pack_with(GOOD)));
        assert_eq!(bank.questions().len(), before + 2);
        assert_eq!(bank.problems().len(), 1);
        let message = bank.problems()[0].to_string();
        assert!(
            message.starts_with("mine.json:5:5: question `"),
            "{message}"
        );
        assert!(message.contains(BUNDLED_SOURCE), "{message}");
    }

    #[test]
    fn categories_are_counted_in_first_seen_order() {
        let mut bank = QuestionBank::default();
        bank.add(parse_pack("p.json", &pack_with(GOOD)));
        assert_eq!(bank.categories(), vec![("Misc", 2)]);
        assert_eq!(bank.find_category("misc"), Some("Misc"));
        assert_eq!(bank.find_category("nope"), None);
    }
}
