//! What a practice session looks like on disk (`session.json`): the plan
//! that was used, the questions as asked, and every take with its rating,
//! notes and checklist. Plain serde data; the store reads and writes it.

use std::fs;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::analysis::SpeechMetrics;
use crate::audio::{TakeEnd, TakeFormat, TakeSummary};
use crate::interview::{PlanRequest, StopReason, TakeRequest};
use crate::model::{QuestionKind, Rating};

/// The `session.json` format this build writes (and the newest it reads).
///
/// 2: takes carry the measures of what was said ([`Take::spoken`]) and
/// questions their keywords; 3: what the answer covered ([`Take::content`])
/// and each question's strong answer; 4: follow-up takes
/// ([`Take::follow_up`]). Older files read as they are.
pub const SESSION_SCHEMA_VERSION: u32 = 4;

/// One practice session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// Format version of this file.
    pub schema_version: u32,
    /// The session's id, which is also its folder name.
    pub id: String,
    /// When it started.
    pub started_at: Timestamp,
    /// When it ended; `None` while running, or if the app stopped abruptly.
    #[serde(default)]
    pub ended_at: Option<Timestamp>,
    /// What the user chose.
    pub plan: PlanRequest,
    /// The questions in the order they were asked, as they were worded then.
    pub questions: Vec<AskedQuestion>,
    /// Every take, in the order recorded.
    #[serde(default)]
    pub takes: Vec<Take>,
}

/// A question as it was asked in a session (packs change; sessions don't).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AskedQuestion {
    /// The question's id.
    pub id: String,
    /// Its text.
    pub text: String,
    /// Its category.
    pub category: String,
    /// Its kind.
    pub kind: QuestionKind,
    /// Think time used, in seconds.
    pub think_seconds: u32,
    /// Answer limit used, in seconds; `None` for no limit.
    pub answer_seconds: Option<u32>,
    /// The question's keywords then (the answer's key points).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// What a strong answer covered then (schema 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub strong_answer: Vec<crate::model::StrongPoint>,
    /// The follow-ups the question had then (schema 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<crate::model::FollowUp>,
}

impl AskedQuestion {
    /// Whether it asks for a story ([`crate::model::asks_for_story`]).
    pub fn asks_for_story(&self) -> bool {
        crate::model::asks_for_story(self.kind, &self.text)
    }

    /// What the content of an answer is judged against.
    pub fn content_question(&self) -> crate::content::Asked<'_> {
        crate::content::Asked {
            kind: self.kind,
            answer_seconds: self
                .answer_seconds
                .unwrap_or(crate::model::DEFAULT_ANSWER_SECONDS),
            strong_answer: &self.strong_answer,
            follow_ups: &self.follow_ups,
        }
    }

    /// What the measures of an answer need to know about the question.
    pub fn answer_context(&self) -> crate::feedback::AnswerContext<'_> {
        crate::feedback::AnswerContext {
            kind: Some(self.kind),
            keywords: &self.keywords,
            answer_seconds: self.answer_seconds,
            story: self.asks_for_story(),
        }
    }
}

/// One recorded answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Take {
    /// Index of the question in [`Session::questions`].
    pub question_index: usize,
    /// The question's id (also in the file name).
    pub question_id: String,
    /// The question's text as asked.
    pub question_text: String,
    /// Number of this take of the question (1, 2, …).
    pub take: u32,
    /// When recording started.
    pub started_at: Timestamp,
    /// Length of the audio, in milliseconds.
    pub duration_ms: u64,
    /// The WAV, relative to the session folder (`takes/…`).
    pub file: String,
    /// Sample format of the file.
    pub format: TakeFormat,
    /// Sample rate of the file.
    pub sample_rate: u32,
    /// Why the recording stopped.
    pub stopped: StopReason,
    /// The user's rating.
    #[serde(default)]
    pub rating: Option<Rating>,
    /// The user's notes.
    #[serde(default)]
    pub notes: String,
    /// The STAR checklist (behavioural questions).
    #[serde(default)]
    pub star: StarChecklist,
    /// Whether this is the preferred take of its question.
    #[serde(default)]
    pub preferred: bool,
    /// The take was silent (below -50 dBFS throughout).
    #[serde(default)]
    pub silent: bool,
    /// Speech metrics, filled in by the analysis after the take is saved.
    #[serde(default)]
    pub metrics: Option<SpeechMetrics>,
    /// What the transcript beside the take holds, in short (the words are
    /// in [`Take::transcript_path`], so listing the history stays fast).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<crate::speech::TranscriptSummary>,
    /// What the words show (pace, fillers, key points…), computed with the
    /// transcript.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spoken: Option<crate::feedback::SpokenMeasures>,
    /// What the answer covered of the question's strong answer, its STAR
    /// parts and the follow-up it invites (when the question has a strong
    /// answer and the take a transcript).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<crate::content::Content>,
    /// For a follow-up take: the follow-up it answers and the take it
    /// follows (`None`: an answer to the question itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<FollowUpOf>,
}

/// What comes after a take, as far as follow-ups go
/// ([`Session::follow_up_after`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NextFollowUp {
    /// The transcript is still being made: the interviewer is thinking.
    Pending,
    /// This follow-up, for this reason.
    Ask(crate::content::FollowUpChoice),
    /// None of the question's follow-ups applies (or it has none).
    Nothing,
}

/// What a follow-up take answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpOf {
    /// The file of the take it follows: an answer to the question (depth
    /// 1) or a follow-up take (depth 2).
    pub take: String,
    /// What the interviewer asked.
    pub ask: String,
    /// Why it was asked ("you mentioned the cache").
    pub reason: String,
    /// 1 for a follow-up of the answer, 2 for one of a follow-up.
    pub depth: u8,
}

/// The longest take a manifest may describe: a day. Anything longer is
/// damage, not a recording (and would overflow the history's totals).
pub const MAX_TAKE_MS: u64 = 24 * 60 * 60 * 1000;

/// Sample rates a take may have: what any microphone can deliver.
pub const TAKE_RATES: std::ops::RangeInclusive<u32> = 1_000..=768_000;

impl Take {
    /// Whether the manifest's summary and measures are those of
    /// `transcript` (the sidecar file is the truth; the summary and the
    /// measures are made from it by [`Session::apply_transcript`]).
    pub fn is_measured_from(&self, transcript: &crate::speech::Transcript) -> bool {
        self.spoken.is_some() && self.transcript.as_ref() == Some(&transcript.summary())
    }

    /// Length of the audio.
    pub fn duration(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.duration_ms)
    }

    /// What is wrong with `file`, if anything: it must be a plain
    /// `takes/<name>.wav`, one name inside the session's `takes` folder,
    /// with no other separator, no `..`, and not hidden.
    pub fn file_problem(&self) -> Option<&'static str> {
        let Some(name) = self.file.strip_prefix("takes/") else {
            return Some("its file is not inside the session's takes folder");
        };
        if name.contains(['/', '\\', '\0']) || name.starts_with('.') {
            return Some("its file name is not a plain name inside the takes folder");
        }
        if !name.ends_with(".wav") || name.len() == ".wav".len() {
            return Some("its file is not a .wav file");
        }
        None
    }

    /// Where the take's WAV is inside `session_dir`, from its `file` alone
    /// (no disk access, so the window can ask every frame), or why that
    /// `file` may not be used ([`Self::file_problem`]).
    pub fn file_path(&self, session_dir: &Path) -> Result<PathBuf, String> {
        match self.file_problem() {
            Some(problem) => Err(format!("{:?}: {problem}", self.file)),
            None => Ok(session_dir.join(&self.file)),
        }
    }

    /// The take's WAV inside `session_dir`, or why it cannot be used: the
    /// path of [`Self::file_path`], and neither the `takes` folder nor the
    /// file a symbolic link ([`link_problem`]). A file that does not exist
    /// is not a problem here: it is reported as missing where it is read.
    pub fn audio_path(&self, session_dir: &Path) -> Result<PathBuf, String> {
        let path = self.file_path(session_dir)?;
        match link_problem(&path) {
            Some(problem) => Err(problem),
            None => Ok(path),
        }
    }

    /// The take's transcript file (`takes/<stem>.transcript.json`), under
    /// the same rules as [`Self::audio_path`].
    pub fn transcript_path(&self, session_dir: &Path) -> Result<PathBuf, String> {
        let path = crate::speech::transcript::sidecar_path(&self.audio_path(session_dir)?);
        match link_problem(&path) {
            Some(problem) => Err(problem),
            None => Ok(path),
        }
    }

    /// What is impossible about this take in `session`, if anything.
    fn problem(&self, questions: usize) -> Option<String> {
        if self.question_index >= questions {
            return Some(format!(
                "question_index {} but the session has {questions} question(s)",
                self.question_index
            ));
        }
        if self.duration_ms > MAX_TAKE_MS {
            return Some(format!(
                "duration_ms {} is longer than a day",
                self.duration_ms
            ));
        }
        if !TAKE_RATES.contains(&self.sample_rate) {
            return Some(format!("sample_rate {} is not a rate", self.sample_rate));
        }
        self.metrics
            .as_ref()
            .and_then(SpeechMetrics::problem)
            .map(|problem| format!("metrics: {problem}"))
    }
}

/// Which parts of the STAR structure the answer covered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StarChecklist {
    /// The situation was set out.
    #[serde(default)]
    pub situation: bool,
    /// The task was made clear.
    #[serde(default)]
    pub task: bool,
    /// The actions taken were described.
    #[serde(default)]
    pub action: bool,
    /// The result was given.
    #[serde(default)]
    pub result: bool,
    /// The parts whose box the user set by hand; the others follow the
    /// parts found in the transcript.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set_by_user: Vec<crate::content::Part>,
}

impl StarChecklist {
    /// The box of `part`.
    pub fn get(&self, part: crate::content::Part) -> bool {
        use crate::content::Part;
        match part {
            Part::Situation => self.situation,
            Part::Task => self.task,
            Part::Action => self.action,
            Part::Result => self.result,
        }
    }

    fn slot(&mut self, part: crate::content::Part) -> &mut bool {
        use crate::content::Part;
        match part {
            Part::Situation => &mut self.situation,
            Part::Task => &mut self.task,
            Part::Action => &mut self.action,
            Part::Result => &mut self.result,
        }
    }

    /// The user sets `part`'s box: it stays so whatever the transcript
    /// shows.
    pub fn set_by_user(&mut self, part: crate::content::Part, ticked: bool) {
        *self.slot(part) = ticked;
        if !self.set_by_user.contains(&part) {
            self.set_by_user.push(part);
        }
    }

    /// Ticks the boxes the user has not set from the parts `star` found.
    pub fn fill_from(&mut self, star: &crate::content::Star) {
        for part in crate::content::Part::ALL {
            if !self.set_by_user.contains(&part) {
                *self.slot(part) = star.get(part).is_some();
            }
        }
    }

    /// Whether any part is ticked.
    pub fn any(&self) -> bool {
        self.situation || self.task || self.action || self.result
    }
}

impl Take {
    /// Whether its STAR checklist is shown: for a question that asks for a
    /// story, and wherever a part was ticked (ticks made before the rule
    /// narrowed are kept in sight).
    pub fn shows_star(&self, question: &AskedQuestion) -> bool {
        question.asks_for_story() || self.star.any()
    }
}

impl Session {
    /// A new take of question `question_index` (which must exist): 16-bit,
    /// 48 kHz, empty and unrated, stopped by the user; the caller sets what
    /// the recording was actually like with struct-update syntax.
    pub fn new_take(
        &self,
        question_index: usize,
        take: u32,
        file: String,
        started_at: Timestamp,
    ) -> Take {
        let question = &self.questions[question_index];
        Take {
            question_index,
            question_id: question.id.clone(),
            question_text: question.text.clone(),
            take,
            started_at,
            duration_ms: 0,
            file,
            format: TakeFormat::S16,
            sample_rate: 48_000,
            stopped: StopReason::User,
            rating: None,
            notes: String::new(),
            star: StarChecklist::default(),
            preferred: false,
            silent: false,
            metrics: None,
            transcript: None,
            spoken: None,
            content: None,
            follow_up: None,
        }
    }

    /// Puts `transcript` on the take whose file is `file`: its summary and
    /// the measures of what was said, for the question the take answers.
    /// The one place both are set, for the window and the terminal; false
    /// when there is no such take.
    pub fn apply_transcript(&mut self, file: &str, transcript: &crate::speech::Transcript) -> bool {
        let Some(index) = self.takes.iter().position(|take| take.file == file) else {
            return false;
        };
        let spoken = self.measure(&self.takes[index], transcript);
        let take = &mut self.takes[index];
        take.transcript = Some(transcript.summary());
        take.spoken = Some(spoken);
        true
    }

    /// Puts what the answer in `file` covered on its take, and fills its
    /// STAR boxes the user has not set.
    pub fn apply_content(&mut self, file: &str, content: crate::content::Content) -> bool {
        let Some(take) = self.takes.iter_mut().find(|take| take.file == file) else {
            return false;
        };
        if let Some(star) = &content.star {
            take.star.fill_from(star);
        }
        take.content = Some(content);
        true
    }

    /// Gives the questions of a session written before questions kept their
    /// keywords (schema 1) the keywords the bank has for them now, and those
    /// written before they kept a strong answer and follow-ups (schema 2)
    /// the bank's, so their takes get key points and content too. What a
    /// session recorded is left as it is.
    pub fn fill_missing_from_bank(&mut self, bank: &crate::questions::QuestionBank) {
        if self.schema_version >= SESSION_SCHEMA_VERSION {
            return;
        }
        let keywords_missing = self.schema_version < 2;
        for asked in &mut self.questions {
            let Some(question) = crate::model::QuestionId::parse(&asked.id)
                .ok()
                .and_then(|id| bank.get(&id))
            else {
                continue;
            };
            if keywords_missing && asked.keywords.is_empty() {
                asked.keywords.clone_from(&question.keywords);
            }
            if asked.strong_answer.is_empty() && asked.follow_ups.is_empty() {
                asked.strong_answer.clone_from(&question.strong_answer);
                asked.follow_ups.clone_from(&question.follow_ups);
            }
        }
    }

    /// The measures of `transcript` as an answer to `take`'s question.
    pub fn measure(
        &self,
        take: &Take,
        transcript: &crate::speech::Transcript,
    ) -> crate::feedback::SpokenMeasures {
        let context = self
            .questions
            .get(take.question_index)
            .map(AskedQuestion::answer_context)
            .unwrap_or_default();
        crate::feedback::SpokenMeasures::of(transcript, &context)
    }

    /// The take to store for a recording that has ended: `request` says
    /// what was asked for (`follow_up`: the follow-up it answers, for a
    /// follow-up take), `summary` what the recorder wrote, `chosen` why the
    /// user stopped it, if they did. The one place that sets what a new
    /// take is: the first answer to a question is its preferred take (a
    /// follow-up never is); the file is where the recorder put it (beside
    /// the planned name if something took that); the stop reason is the
    /// user's, else the recorder's.
    pub fn recorded_take(
        &self,
        (request, follow_up): (&TakeRequest, Option<&FollowUpOf>),
        started_at: Timestamp,
        summary: &TakeSummary,
        chosen: Option<StopReason>,
    ) -> Take {
        Take {
            follow_up: follow_up.cloned(),
            duration_ms: summary.duration().as_millis() as u64,
            format: summary.format,
            sample_rate: summary.sample_rate,
            stopped: chosen.unwrap_or_else(|| stop_reason(&summary.ended)),
            silent: summary.is_silent(),
            preferred: follow_up.is_none()
                && self.takes_of(request.question_index).next().is_none(),
            ..self.new_take(
                request.question_index,
                request.take,
                recorded_take_file(&summary.path),
                started_at,
            )
        }
    }

    /// Answers to the question at `question_index`, in order (follow-up
    /// takes apart: [`Self::follow_ups_of`]).
    pub fn takes_of(&self, question_index: usize) -> impl Iterator<Item = &Take> {
        self.takes
            .iter()
            .filter(move |take| take.question_index == question_index && take.follow_up.is_none())
    }

    /// The latest take of the question at `question_index` that is
    /// `depth` deep (0: an answer; 1, 2: follow-ups).
    pub fn latest_take_at(&self, question_index: usize, depth: u8) -> Option<&Take> {
        self.takes.iter().rev().find(|take| {
            take.question_index == question_index
                && take.follow_up.as_ref().map_or(0, |f| f.depth) == depth
        })
    }

    /// The latest take of what `interview` asks now: its question, or the
    /// follow-up being asked ([`Self::latest_take_at`]).
    pub fn latest_take_asked(&self, interview: &crate::interview::Interview) -> Option<&Take> {
        self.latest_take_at(interview.progress().number - 1, interview.depth())
    }

    /// The indices in [`Self::takes`] of the follow-up takes that follow
    /// the take in `file`, in order.
    pub fn follow_ups_of<'a>(&'a self, file: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.takes
            .iter()
            .enumerate()
            .filter(move |(_, take)| take.follow_up.as_ref().is_some_and(|f| f.take == file))
            .map(|(index, _)| index)
    }

    /// The follow-up `take` answers, and the take it follows when the
    /// session has it.
    fn parent_of(&self, take: &Take) -> Option<&Take> {
        let of = take.follow_up.as_ref()?;
        self.takes.iter().find(|t| t.file == of.take)
    }

    /// The question the take in `file` answers, as the session asked it,
    /// with the follow-ups already asked on the way to that take left out
    /// (a follow-up take's own and those above it): what its content and
    /// its own follow-up are judged against, in the window and the
    /// terminal alike.
    pub fn question_for(&self, file: &str) -> Option<AskedQuestion> {
        let take = self.takes.iter().find(|t| t.file == file)?;
        let mut question = self.questions.get(take.question_index)?.clone();
        let mut asked = Vec::new();
        let mut at = Some(take);
        // At most MAX_FOLLOW_UP_DEPTH links; the bound keeps a hand-made
        // loop of links from running for ever.
        for _ in 0..=crate::interview::MAX_FOLLOW_UP_DEPTH {
            let Some(of) = at.and_then(|t| t.follow_up.as_ref()) else {
                break;
            };
            asked.push(of.ask.as_str());
            at = at.and_then(|t| self.parent_of(t));
        }
        question
            .follow_ups
            .retain(|follow_up| !asked.contains(&follow_up.ask.as_str()));
        Some(question)
    }

    /// The follow-up the interviewer asks after the take in `file`:
    /// `transcript_coming` says whether its transcript (and so its content)
    /// is still being made. With content, the follow-up its content chose;
    /// without a transcript on its way, the first follow-up asked after
    /// any answer. The one rule for the window's practice and mock
    /// interview and the terminal's.
    pub fn follow_up_after(&self, file: &str, transcript_coming: bool) -> NextFollowUp {
        let Some(take) = self.takes.iter().find(|t| t.file == file) else {
            return NextFollowUp::Nothing;
        };
        let choice = if let Some(content) = &take.content {
            content.follow_up.clone()
        } else if transcript_coming && take.transcript.is_none() {
            return NextFollowUp::Pending;
        } else {
            self.question_for(file).and_then(|question| {
                crate::content::follow_up_without_transcript(&question.content_question())
            })
        };
        choice.map_or(NextFollowUp::Nothing, NextFollowUp::Ask)
    }

    /// Questions with at least one take.
    pub fn questions_answered(&self) -> usize {
        let mut answered: Vec<usize> = self.takes.iter().map(|t| t.question_index).collect();
        answered.sort_unstable();
        answered.dedup();
        answered.len()
    }

    /// What makes this manifest impossible, if anything: a value that parses
    /// but cannot be true (a take of another question, a length of years, a
    /// negative pause). Such a session is listed as damaged, never written.
    pub fn problem(&self) -> Option<String> {
        self.takes.iter().enumerate().find_map(|(index, take)| {
            take.problem(self.questions.len())
                .or_else(|| self.follow_up_problem(take))
                .map(|problem| format!("take {}: {problem}", index + 1))
        })
    }

    /// What is impossible about `take` as a follow-up: it follows a take
    /// the session does not have, of another question, or at a depth that
    /// does not follow from it.
    fn follow_up_problem(&self, take: &Take) -> Option<String> {
        let of = take.follow_up.as_ref()?;
        let Some(parent) = self.parent_of(take) else {
            return Some(format!(
                "a follow-up of {}, which is not a take of this session",
                of.take
            ));
        };
        let parent_depth = parent.follow_up.as_ref().map_or(0, |f| f.depth);
        if parent.question_index != take.question_index {
            Some(format!(
                "a follow-up of {}, a take of another question",
                of.take
            ))
        } else if of.depth != parent_depth + 1 || of.depth > crate::interview::MAX_FOLLOW_UP_DEPTH {
            Some(format!(
                "a follow-up {} deep of {}, which is {parent_depth} deep",
                of.depth, of.take
            ))
        } else {
            None
        }
    }

    /// Total length of all takes.
    pub fn recorded_time(&self) -> std::time::Duration {
        self.takes
            .iter()
            .fold(std::time::Duration::ZERO, |total, take| {
                total.saturating_add(take.duration())
            })
    }

    /// The take that stands for question `question_index`: the one the
    /// user marked preferred, else the best rated (the latest of equals),
    /// else the latest.
    pub fn chosen_take(&self, question_index: usize) -> Option<&Take> {
        self.chosen_take_index(question_index)
            .map(|index| &self.takes[index])
    }

    /// The index in [`Self::takes`] of [`Self::chosen_take`].
    pub fn chosen_take_index(&self, question_index: usize) -> Option<usize> {
        let takes = || {
            self.takes.iter().enumerate().filter(move |(_, take)| {
                take.question_index == question_index && take.follow_up.is_none()
            })
        };
        takes()
            .find(|(_, take)| take.preferred)
            .or_else(|| {
                takes()
                    .filter(|(_, take)| take.rating.is_some())
                    .max_by_key(|(index, take)| (take.rating.map(Rating::stars), *index))
            })
            .or_else(|| takes().next_back())
            .map(|(index, _)| index)
    }

    /// Whether take `index` stands for its question ([`Self::chosen_take`]).
    pub fn is_chosen(&self, index: usize) -> bool {
        self.takes
            .get(index)
            .is_some_and(|take| self.chosen_take_index(take.question_index) == Some(index))
    }

    /// What the words of the session show together: each answered
    /// question's chosen take ([`Self::chosen_take`]) that has a transcript.
    pub fn words_together(&self) -> Option<crate::feedback::WordsTogether> {
        crate::feedback::WordsTogether::of(
            (0..self.questions.len())
                .filter_map(|index| self.chosen_take(index))
                .filter_map(|take| take.spoken.as_ref()),
        )
    }

    /// Mean estimated words per minute of the analysed takes with speech.
    pub fn average_pace(&self) -> Option<f64> {
        mean(self.takes.iter().filter_map(|t| {
            t.metrics
                .as_ref()
                .filter(|m| m.syllables > 0)
                .map(|m| m.words_per_minute)
        }))
    }

    /// Mean speaking ratio of the analysed takes.
    pub fn average_speaking_ratio(&self) -> Option<f64> {
        mean(
            self.takes
                .iter()
                .filter_map(|t| t.metrics.as_ref().map(|m| m.speaking_ratio)),
        )
    }

    /// Total length of the pauses of the analysed takes.
    pub fn pause_time(&self) -> std::time::Duration {
        let seconds: f64 = self
            .takes
            .iter()
            .filter_map(|t| t.metrics.as_ref().map(|m| m.pause_total))
            .sum();
        std::time::Duration::try_from_secs_f64(seconds).unwrap_or_default()
    }

    /// Mean rating of the rated takes.
    pub fn average_rating(&self) -> Option<f64> {
        let ratings: Vec<f64> = self
            .takes
            .iter()
            .filter_map(|t| t.rating)
            .map(|r| f64::from(r.stars()))
            .collect();
        (!ratings.is_empty()).then(|| ratings.iter().sum::<f64>() / ratings.len() as f64)
    }
}

/// Why the take at `path` (`<session>/takes/<name>.wav`) may not be read,
/// if its folder or itself is a symbolic link, which could lead out of the
/// session.
pub fn link_problem(path: &Path) -> Option<String> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    // Named as in the manifest (`takes/…`): short enough to show on a card.
    [
        (path.parent(), "takes".to_owned()),
        (Some(path), format!("takes/{name}")),
    ]
    .into_iter()
    .find_map(|(step, shown)| {
        step.is_some_and(|step| {
            fs::symlink_metadata(step).is_ok_and(|m| m.file_type().is_symlink())
        })
        .then(|| format!("{shown} is a symbolic link, which Rehearse does not follow"))
    })
}

/// The `file` of a take the recorder wrote at `path`: `takes/<its name>`.
fn recorded_take_file(path: &Path) -> String {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    format!("takes/{name}")
}

/// Why a recording stopped, from how the recorder says it ended.
pub fn stop_reason(ended: &TakeEnd) -> StopReason {
    match ended {
        TakeEnd::LimitReached => StopReason::TimeLimit,
        TakeEnd::DeviceLost(_) => StopReason::DeviceLost,
        TakeEnd::WriteFailed(_) => StopReason::WriteFailed,
        TakeEnd::Closed => StopReason::SessionEnded,
        TakeEnd::Stopped => StopReason::User,
    }
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.fold((0.0, 0usize), |(sum, count), v| (sum + v, count + 1));
    (count > 0).then(|| sum / count as f64)
}

/// The session of `tests/fixtures/session-v1.json` (two rated takes of one
/// question), for unit tests.
#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "the fixture is committed and read by a test below"
)]
pub(crate) fn fixture() -> Session {
    serde_json::from_str(include_str!("../../tests/fixtures/session-v1.json")).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A transcript replaced after the take was measured (another model,
    /// other words) is seen as such, so it is measured again.
    #[test]
    fn a_replaced_transcript_is_not_the_one_measured() {
        let mut session = fixture();
        let file = session.takes[0].file.clone();
        let first = crate::feedback::tokens::tests::transcript("I added an index.");
        assert!(
            !session.takes[0].is_measured_from(&first),
            "not measured yet"
        );
        session.apply_transcript(&file, &first);
        assert!(session.takes[0].is_measured_from(&first));
        let mut other =
            crate::feedback::tokens::tests::transcript("I added an index and a replica.");
        assert!(!session.takes[0].is_measured_from(&other), "other words");
        other = first.clone();
        other.model.name = "base.en".to_owned();
        assert!(!session.takes[0].is_measured_from(&other), "another model");
    }

    /// A session in the current format; kept as a file so that a change to
    /// the format that cannot read it fails here.
    const FIXTURE_V1: &str = include_str!("../../tests/fixtures/session-v1.json");

    #[test]
    fn an_older_session_takes_its_keywords_from_the_bank() {
        let bank = crate::questions::QuestionBank::load(&crate::questions::PackSources::default());
        let mut old = fixture();
        assert!(old.questions[0].keywords.is_empty());
        old.fill_missing_from_bank(&bank);
        assert!(old.questions[0].keywords.iter().any(|k| k == "index"));
        // A session that recorded its keywords keeps them.
        let mut recorded = fixture();
        recorded.schema_version = SESSION_SCHEMA_VERSION;
        recorded.fill_missing_from_bank(&bank);
        assert!(recorded.questions[0].keywords.is_empty());
    }

    #[test]
    fn the_v1_fixture_reads_and_writes_back_the_same() {
        let session: Session = serde_json::from_str(FIXTURE_V1).unwrap();
        assert_eq!(session.schema_version, 1);
        assert_eq!(session.takes.len(), 2);
        assert_eq!(session.takes[1].rating.map(Rating::stars), Some(4));
        assert!(session.takes[1].star.situation && !session.takes[1].star.result);
        assert_eq!(session.takes[0].stopped, StopReason::TimeLimit);
        assert_eq!(session.questions_answered(), 1);
        assert_eq!(session.recorded_time().as_millis(), 95_500);
        assert_eq!(session.average_rating(), Some(4.0));
        let written = serde_json::to_string_pretty(&session).unwrap();
        let again: Session = serde_json::from_str(&written).unwrap();
        assert_eq!(again, session);
    }

    /// The fixture's question has take 1 (unrated) and take 2 (4 stars).
    #[test]
    fn the_chosen_take_follows_ratings_until_one_is_picked() {
        let mut session: Session = serde_json::from_str(FIXTURE_V1).unwrap();
        for take in &mut session.takes {
            take.preferred = false;
        }
        // Take 2 is rated higher than the unrated take 1.
        assert_eq!(session.chosen_take_index(0), Some(1));
        // Rated higher, take 1 stands for the question.
        session.takes[0].rating = Rating::new(5);
        assert_eq!(session.chosen_take_index(0), Some(0));
        assert!(session.is_chosen(0) && !session.is_chosen(1));
        // Equal ratings: the later take.
        session.takes[0].rating = Rating::new(4);
        assert_eq!(session.chosen_take_index(0), Some(1));
        // The user's pick wins over any rating.
        session.takes[0].rating = Rating::new(5);
        session.takes[1].preferred = true;
        assert_eq!(session.chosen_take_index(0), Some(1));
        // Nothing rated: the latest.
        for take in &mut session.takes {
            take.preferred = false;
            take.rating = None;
        }
        assert_eq!(session.chosen_take_index(0), Some(1));
        assert_eq!(session.chosen_take_index(7), None);
    }

    /// Take 2 of the fixture made a follow-up `depth` deep of `of`.
    fn with_follow_up(of: &str, depth: u8) -> Session {
        let mut session = fixture();
        session.takes[1].follow_up = Some(FollowUpOf {
            take: of.to_owned(),
            ask: "And the result?".to_owned(),
            reason: "no measurable result yet".to_owned(),
            depth,
        });
        session
    }

    #[test]
    fn a_follow_up_take_is_kept_apart_from_the_answers() {
        let first = fixture().takes[0].file.clone();
        let mut session = with_follow_up(&first, 1);
        assert_eq!(session.problem(), None);
        // Rated best, it still does not stand for the question.
        session.takes[1].rating = Rating::new(5);
        session.takes[1].preferred = true;
        assert_eq!(session.chosen_take_index(0), Some(0));
        assert_eq!(session.takes_of(0).count(), 1);
        let follow_ups: Vec<usize> = session.follow_ups_of(&first).collect();
        assert_eq!(follow_ups, [1]);
        assert_eq!(session.latest_take_at(0, 1).map(|t| t.take), Some(2));
        assert_eq!(session.latest_take_at(0, 0).map(|t| t.take), Some(1));
        // Written and read back the same; a session without follow-ups
        // writes no trace of them.
        let json = serde_json::to_string(&session).unwrap();
        assert_eq!(serde_json::from_str::<Session>(&json).unwrap(), session);
        assert!(
            !serde_json::to_string(&fixture())
                .unwrap()
                .contains("follow_up\"")
        );
    }

    #[test]
    fn the_next_follow_up_leaves_out_those_asked_on_the_way() {
        use crate::model::{FollowUp, FollowUpWhen};
        let first = fixture().takes[0].file.clone();
        let mut session = with_follow_up(&first, 1);
        let follow_up = |ask: &str, when| FollowUp {
            ask: ask.to_owned(),
            when,
        };
        session.questions[0].follow_ups = vec![
            follow_up(
                "What did the cache hold?",
                FollowUpWhen::Said(vec!["cache".to_owned()]),
            ),
            follow_up("And the result?", FollowUpWhen::Always(true)),
            follow_up("What would you change?", FollowUpWhen::Always(true)),
        ];
        let second = session.takes[1].file.clone();
        // The answer: its transcript on its way, then none coming.
        assert_eq!(session.follow_up_after(&first, true), NextFollowUp::Pending);
        let NextFollowUp::Ask(asked) = session.follow_up_after(&first, false) else {
            panic!("no follow-up");
        };
        assert_eq!(asked.ask, "And the result?");
        assert_eq!(asked.reason, "asked after any answer");
        // The follow-up's answer is judged without the follow-up it answers.
        let question = session.question_for(&second).unwrap();
        assert_eq!(question.follow_ups.len(), 2);
        let NextFollowUp::Ask(next) = session.follow_up_after(&second, false) else {
            panic!("no second follow-up");
        };
        assert_eq!(next.ask, "What would you change?");
        // Judged content decides, when there is some.
        session.takes[1].content = Some(crate::content::Content {
            strong_answer: Vec::new(),
            star: None,
            follow_up: None,
            by_meaning: false,
        });
        assert_eq!(
            session.follow_up_after(&second, true),
            NextFollowUp::Nothing
        );
    }

    #[test]
    fn a_follow_up_of_a_take_not_there_is_damage_never_dropped() {
        let missing = with_follow_up("takes/01-gone-take9.wav", 1);
        let problem = missing.problem().unwrap_or_default();
        assert!(problem.contains("takes/01-gone-take9.wav"), "{problem}");
        assert!(problem.starts_with("take 2:"), "{problem}");
        // Two deep of an answer is not a depth that follows from it.
        let first = fixture().takes[0].file.clone();
        let too_deep = with_follow_up(&first, 2);
        assert!(too_deep.problem().unwrap_or_default().contains("2 deep"));
        // Following itself is no parent either.
        let own = fixture().takes[1].file.clone();
        assert!(with_follow_up(&own, 1).problem().is_some());
    }

    #[test]
    fn every_stop_reason_round_trips() {
        for reason in [
            StopReason::User,
            StopReason::TimeLimit,
            StopReason::Skipped,
            StopReason::SessionEnded,
            StopReason::DeviceLost,
            StopReason::WriteFailed,
            StopReason::Recovered,
        ] {
            let text = serde_json::to_string(&reason).unwrap();
            assert_eq!(serde_json::from_str::<StopReason>(&text).unwrap(), reason);
        }
    }
}
