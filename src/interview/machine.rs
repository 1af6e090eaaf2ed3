//! The interview state machine: one session's phases, timers and takes.
//!
//! `Ready → Thinking → Answering → Reviewing → … → Finished`; in a mock
//! interview `Answering → Thinking` (the next question) with no review, no
//! retake and no skip until the end.
//!
//! A follow-up question is asked like a question (read aloud, think time,
//! its own answer limit) and recorded as a follow-up take of the same
//! question. In practice the user asks for it while reviewing an answer
//! ([`Interview::answer_follow_up`]); in a mock interview, after each
//! answer within the plan's depth, the session waits in
//! [`Phase::Awaiting`] ("the interviewer is thinking") until the caller,
//! having the answer's transcript, gives the follow-up or says there is
//! none. At most [`MAX_FOLLOW_UP_DEPTH`] deep. Pure logic:
//! the caller passes the current time into every call (the injected clock)
//! and receives [`Action`]s to carry out, such as "start recording take 2 of
//! question 3". It never touches audio, disk or the window, so every
//! transition and every boundary is tested here with exact instants.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::plan::{MAX_FOLLOW_UP_DEPTH, Plan, PlanError, PlannedQuestion, SessionMode};

/// What the caller must do after a transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "the caller must start or stop the recording"]
pub enum Action {
    /// Start recording a take of the current question.
    StartRecording(TakeRequest),
    /// Stop the recording in progress.
    StopRecording(StopReason),
}

/// The take to record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TakeRequest {
    /// Index of the question in the plan (0-based).
    pub question_index: usize,
    /// Number of the take for this question (1-based).
    pub take: u32,
    /// The answer limit; the recorder stops by itself after this much audio.
    pub limit: Option<Duration>,
    /// 0 for an answer to the question, 1 for a follow-up, 2 for a
    /// follow-up of a follow-up (the follow-up is [`Interview::follow_up`]).
    pub follow_up_depth: u8,
}

/// Why a recording stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The user stopped it.
    User,
    /// The answer limit was reached.
    TimeLimit,
    /// The user skipped the question while answering.
    Skipped,
    /// The user ended the session while answering.
    SessionEnded,
    /// The microphone failed or disappeared (reported by the recorder).
    DeviceLost,
    /// Writing the take failed, e.g. a full disk (reported by the recorder).
    WriteFailed,
    /// The take was cut short by a crash and recovered at the next start.
    Recovered,
}

impl StopReason {
    /// A short phrase for lists and reports.
    pub fn describe(self) -> &'static str {
        match self {
            Self::User => "stopped",
            Self::TimeLimit => "time limit",
            Self::Skipped => "skipped",
            Self::SessionEnded => "session ended",
            Self::DeviceLost => "microphone lost",
            Self::WriteFailed => "write failed",
            Self::Recovered => "recovered after a crash",
        }
    }
}

/// The phase of the session, as a screen shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Nothing started yet.
    Ready,
    /// The question is being read aloud; the think countdown starts when
    /// it has been read.
    Asking,
    /// The think countdown runs.
    Thinking,
    /// The answer is being recorded.
    Answering,
    /// The answer has stopped; retake, next or skip.
    Reviewing,
    /// A mock interview's answer has stopped and its follow-up is being
    /// chosen ("the interviewer is thinking").
    Awaiting,
    /// The session is over.
    Finished,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Ready,
    Asking,
    Thinking { since: Instant },
    Answering { since: Instant },
    Reviewing { stopped: StopReason },
    Awaiting,
    Finished,
}

/// A follow-up question being asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUpTurn {
    /// 1 for a follow-up of the answer, 2 for a follow-up of a follow-up.
    pub depth: u8,
    /// What the interviewer asks.
    pub ask: String,
    /// Why ("you mentioned the cache").
    pub reason: String,
}

/// One asking of a question or follow-up ([`Interview::asking`]): what the
/// voice has read aloud is remembered by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Asking {
    /// The question's index in the plan.
    pub question_index: usize,
    /// Its answers so far.
    pub takes: u32,
    /// Its follow-up answers so far.
    pub follow_up_takes: u32,
}

/// What happened to one question of the plan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuestionOutcome {
    /// Takes recorded (including one stopped by skip or end), follow-ups
    /// apart.
    pub takes: u32,
    /// Follow-up takes recorded.
    pub follow_up_takes: u32,
    /// The user skipped it before finishing an answer.
    pub skipped: bool,
}

/// One interview session in progress.
#[derive(Clone, Debug)]
pub struct Interview {
    plan: Plan,
    current: usize,
    state: State,
    outcomes: Vec<QuestionOutcome>,
    /// Each question is read aloud before its think time.
    reads_aloud: bool,
    /// The follow-up being asked, answered or reviewed (`None`: the
    /// question itself).
    follow_up: Option<FollowUpTurn>,
}

/// Where the session is: question `number` of `total` (1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// 1-based number of the current question.
    pub number: usize,
    /// Questions in the plan.
    pub total: usize,
}

impl Interview {
    /// A session over `plan`, not started yet; a plan without questions is
    /// refused.
    pub fn new(plan: Plan) -> Result<Self, PlanError> {
        if plan.questions.is_empty() {
            return Err(PlanError::Empty);
        }
        let outcomes = vec![QuestionOutcome::default(); plan.questions.len()];
        Ok(Self {
            plan,
            current: 0,
            state: State::Ready,
            outcomes,
            reads_aloud: false,
            follow_up: None,
        })
    }

    /// Has each question read aloud first: it is asked ([`Phase::Asking`])
    /// until [`Self::question_read`], and only then does the think time
    /// start.
    #[must_use]
    pub fn reading_aloud(mut self, on: bool) -> Self {
        self.reads_aloud = on;
        self
    }

    /// The question has been read aloud: the think countdown starts now
    /// (or the answer, with no think time).
    #[must_use]
    pub fn question_read(&mut self, now: Instant) -> Vec<Action> {
        match self.state {
            State::Asking => self.begin_thinking(now),
            _ => Vec::new(),
        }
    }

    /// Starts the session with the first question.
    #[must_use]
    pub fn start(&mut self, now: Instant) -> Vec<Action> {
        match self.state {
            State::Ready => self.enter_question(0, now),
            _ => Vec::new(),
        }
    }

    /// Advances the timers: ends the think countdown, or stops the answer at
    /// its limit. Call it often (every frame, or every tick of a loop).
    #[must_use]
    pub fn tick(&mut self, now: Instant) -> Vec<Action> {
        match self.state {
            State::Thinking { since } if now.saturating_duration_since(since) >= self.think() => {
                self.begin_answer(now)
            }
            State::Answering { since } => match self.limit() {
                Some(limit) if now.saturating_duration_since(since) >= limit => {
                    self.answer_ended(StopReason::TimeLimit, now, true)
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// Starts answering before the think countdown is over.
    #[must_use]
    pub fn start_answer(&mut self, now: Instant) -> Vec<Action> {
        match self.state {
            State::Asking | State::Thinking { .. } => self.begin_answer(now),
            _ => Vec::new(),
        }
    }

    /// Stops the answer being recorded.
    #[must_use]
    pub fn stop(&mut self, now: Instant) -> Vec<Action> {
        let mut actions = self.tick(now);
        if let State::Answering { .. } = self.state {
            actions.extend(self.answer_ended(StopReason::User, now, true));
        }
        actions
    }

    /// The recorder stopped on its own (it enforces the limit by counting
    /// samples, which can be a moment before the next tick, or it lost the
    /// microphone); moves on without asking it to stop again.
    #[must_use]
    pub fn recording_stopped(&mut self, reason: StopReason, now: Instant) -> Vec<Action> {
        if let State::Answering { .. } = self.state {
            self.answer_ended(reason, now, false)
        } else {
            Vec::new()
        }
    }

    /// The answer stopped for `reason` (`stop_recorder`: the recorder must
    /// be told). In practice the answer is reviewed; in a mock interview
    /// the next question follows, unless the recording failed, which ends
    /// the interview (what was recorded is kept).
    fn answer_ended(
        &mut self,
        reason: StopReason,
        now: Instant,
        stop_recorder: bool,
    ) -> Vec<Action> {
        let mut actions = Vec::new();
        if stop_recorder {
            actions.push(Action::StopRecording(reason));
        }
        if !self.is_mock() {
            self.state = State::Reviewing { stopped: reason };
        } else if matches!(reason, StopReason::DeviceLost | StopReason::WriteFailed) {
            self.state = State::Finished;
        } else if self.depth() < self.plan.request.follow_ups.depth() {
            self.state = State::Awaiting;
        } else {
            actions.extend(self.enter_question(self.current + 1, now));
        }
        actions
    }

    /// How deep the current answer is: 0 for the question, 1 and 2 for
    /// follow-ups.
    pub fn depth(&self) -> u8 {
        self.follow_up.as_ref().map_or(0, |turn| turn.depth)
    }

    /// Whether a follow-up can be asked now: while reviewing an answer (in
    /// practice) that is not already [`MAX_FOLLOW_UP_DEPTH`] deep, or while
    /// a mock interview awaits one.
    pub fn can_follow_up(&self) -> bool {
        match self.state {
            State::Reviewing { .. } => !self.is_mock() && self.depth() < MAX_FOLLOW_UP_DEPTH,
            State::Awaiting => true,
            _ => false,
        }
    }

    /// Asks the follow-up `ask` (why: `reason`) of the answer just given,
    /// as a question: read aloud, think time, the follow-up's answer limit.
    /// Ignored when no follow-up can be asked now ([`Self::can_follow_up`]).
    #[must_use]
    pub fn answer_follow_up(&mut self, ask: String, reason: String, now: Instant) -> Vec<Action> {
        if !self.can_follow_up() {
            return Vec::new();
        }
        self.follow_up = Some(FollowUpTurn {
            depth: self.depth() + 1,
            ask,
            reason,
        });
        self.ask_current(now)
    }

    /// A mock interview's answer has no follow-up to ask: the next question
    /// follows (or the end).
    #[must_use]
    pub fn no_follow_up(&mut self, now: Instant) -> Vec<Action> {
        match self.state {
            State::Awaiting => self.enter_question(self.current + 1, now),
            _ => Vec::new(),
        }
    }

    /// The follow-up being asked, answered or reviewed; `None` while the
    /// question itself is.
    pub fn follow_up(&self) -> Option<&FollowUpTurn> {
        self.follow_up.as_ref()
    }

    /// Which asking this is: the question's index and its answers and
    /// follow-up answers so far (a retake asks it again, a follow-up is
    /// an asking of its own).
    pub fn asking(&self) -> Asking {
        let outcome = self.outcomes.get(self.current).copied().unwrap_or_default();
        Asking {
            question_index: self.current,
            takes: outcome.takes,
            follow_up_takes: outcome.follow_up_takes,
        }
    }

    /// What the interviewer asks now: the follow-up being asked, else the
    /// question.
    pub fn asked_text(&self) -> &str {
        self.follow_up
            .as_ref()
            .map_or(self.question().question.text.as_str(), |turn| {
                turn.ask.as_str()
            })
    }

    /// Whether this is a mock interview.
    pub fn is_mock(&self) -> bool {
        self.plan.request.mode == SessionMode::MockInterview
    }

    /// Records the current question again; every earlier take is kept.
    #[must_use]
    pub fn retake(&mut self, now: Instant) -> Vec<Action> {
        match self.state {
            // A follow-up is asked again; the question otherwise.
            State::Reviewing { .. } if !self.is_mock() => self.ask_current(now),
            _ => Vec::new(),
        }
    }

    /// Moves on to the next question after reviewing, or finishes.
    #[must_use]
    pub fn next(&mut self, now: Instant) -> Vec<Action> {
        match self.state {
            State::Reviewing { .. } => self.enter_question(self.current + 1, now),
            _ => Vec::new(),
        }
    }

    /// Skips the current question: while thinking or answering it is marked
    /// skipped (an answer in progress stops and is kept); while reviewing it
    /// is the same as [`Self::next`].
    #[must_use]
    pub fn skip(&mut self, now: Instant) -> Vec<Action> {
        let mut actions = Vec::new();
        if self.is_mock() {
            return actions;
        }
        match self.state {
            State::Ready | State::Finished => return actions,
            // A follow-up passed over leaves the question answered.
            State::Asking | State::Thinking { .. } => {
                self.outcomes[self.current].skipped |= self.follow_up.is_none();
            }
            State::Answering { .. } => {
                self.outcomes[self.current].skipped |= self.follow_up.is_none();
                actions.push(Action::StopRecording(StopReason::Skipped));
            }
            State::Reviewing { .. } | State::Awaiting => {}
        }
        actions.extend(self.enter_question(self.current + 1, now));
        actions
    }

    /// Ends the session; an answer in progress stops and is kept.
    #[must_use]
    pub fn end(&mut self) -> Vec<Action> {
        let actions = match self.state {
            State::Answering { .. } => vec![Action::StopRecording(StopReason::SessionEnded)],
            _ => Vec::new(),
        };
        self.state = State::Finished;
        actions
    }

    /// The current phase.
    pub fn phase(&self) -> Phase {
        match self.state {
            State::Ready => Phase::Ready,
            State::Asking => Phase::Asking,
            State::Thinking { .. } => Phase::Thinking,
            State::Answering { .. } => Phase::Answering,
            State::Reviewing { .. } => Phase::Reviewing,
            State::Awaiting => Phase::Awaiting,
            State::Finished => Phase::Finished,
        }
    }

    /// The question being asked (the last one once finished).
    pub fn question(&self) -> &PlannedQuestion {
        &self.plan.questions[self.current.min(self.plan.questions.len() - 1)]
    }

    /// Question k of n.
    pub fn progress(&self) -> Progress {
        Progress {
            number: self.current.min(self.plan.questions.len() - 1) + 1,
            total: self.plan.questions.len(),
        }
    }

    /// Time left in the think countdown, or before the answer limit; `None`
    /// in other phases and when answering without a limit.
    pub fn remaining(&self, now: Instant) -> Option<Duration> {
        match self.state {
            State::Thinking { since } => Some(
                self.think()
                    .saturating_sub(now.saturating_duration_since(since)),
            ),
            State::Answering { since } => self
                .limit()
                .map(|limit| limit.saturating_sub(now.saturating_duration_since(since))),
            _ => None,
        }
    }

    /// How long until the countdown (or, without a limit, the answer clock)
    /// shows another second, in whole seconds as the screens show it: the
    /// moment the window must be drawn again. `None` when no clock runs.
    pub fn until_next_second(&self, now: Instant) -> Option<Duration> {
        const SECOND: Duration = Duration::from_secs(1);
        let fraction = |d: Duration| Duration::from_nanos(u64::from(d.subsec_nanos()));
        if let Some(left) = self.remaining(now) {
            // Shown rounded up: it changes when `left` reaches a whole second.
            let to_whole = fraction(left);
            return Some(if to_whole.is_zero() && !left.is_zero() {
                SECOND
            } else {
                to_whole
            });
        }
        // Shown rounded down: it changes when the elapsed time does.
        self.answer_elapsed(now)
            .map(|elapsed| SECOND - fraction(elapsed))
    }

    /// How long the current answer has been running.
    pub fn answer_elapsed(&self, now: Instant) -> Option<Duration> {
        match self.state {
            State::Answering { since } => Some(now.saturating_duration_since(since)),
            _ => None,
        }
    }

    /// Whether the "time is nearly up" warning is on: answering with a
    /// limit, and no more than the plan's warning time remaining.
    pub fn warning(&self, now: Instant) -> bool {
        // At most the last quarter of the limit: a 25-s answer with a 30-s
        // warning would otherwise be in the warning colour from its start.
        let before = self.limit().map_or(self.plan.warning_before, |limit| {
            self.plan.warning_before.min(limit / 4)
        });
        matches!(self.state, State::Answering { .. })
            && self.remaining(now).is_some_and(|left| left <= before)
    }

    /// Why the last answer stopped, while reviewing it.
    pub fn stop_reason(&self) -> Option<StopReason> {
        match self.state {
            State::Reviewing { stopped } => Some(stopped),
            _ => None,
        }
    }

    /// Number of takes of the current question so far.
    pub fn takes(&self) -> u32 {
        self.outcomes
            .get(self.current)
            .map_or(0, |outcome| outcome.takes)
    }

    /// What happened to each question of the plan, in plan order.
    pub fn outcomes(&self) -> &[QuestionOutcome] {
        &self.outcomes
    }

    /// The plan of this session.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    fn think(&self) -> Duration {
        self.question().think
    }

    fn limit(&self) -> Option<Duration> {
        if self.follow_up.is_some() {
            Some(self.plan.request.follow_ups.answer_limit())
        } else {
            self.question().answer_limit
        }
    }

    /// Moves to question `index` (or finishes past the end) and starts its
    /// think countdown; a zero think time starts the answer at once.
    fn enter_question(&mut self, index: usize, now: Instant) -> Vec<Action> {
        if index >= self.plan.questions.len() {
            self.state = State::Finished;
            return Vec::new();
        }
        self.current = index;
        self.follow_up = None;
        self.ask_current(now)
    }

    /// Asks the current question (or follow-up): read aloud first, or its
    /// think countdown at once.
    fn ask_current(&mut self, now: Instant) -> Vec<Action> {
        if self.reads_aloud {
            self.state = State::Asking;
            Vec::new()
        } else {
            self.begin_thinking(now)
        }
    }

    /// Starts the think countdown, or the answer at once with no think time.
    fn begin_thinking(&mut self, now: Instant) -> Vec<Action> {
        if self.think().is_zero() {
            self.begin_answer(now)
        } else {
            self.state = State::Thinking { since: now };
            Vec::new()
        }
    }

    fn begin_answer(&mut self, now: Instant) -> Vec<Action> {
        let limit = self.limit();
        let follow_up_depth = self.depth();
        let outcome = &mut self.outcomes[self.current];
        let take = if follow_up_depth == 0 {
            outcome.takes += 1;
            outcome.takes
        } else {
            outcome.follow_up_takes += 1;
            outcome.follow_up_takes
        };
        self.state = State::Answering { since: now };
        vec![Action::StartRecording(TakeRequest {
            question_index: self.current,
            take,
            limit,
            follow_up_depth,
        })]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interview::plan::PlanRequest;
    use crate::model::{Question, QuestionId, QuestionKind};

    const SECOND: Duration = Duration::from_secs(1);
    const NANO: Duration = Duration::from_nanos(1);

    /// A plan of `n` questions with the given think time and answer limit
    /// (seconds), and a 30 s warning.
    fn plan(n: usize, think: u64, limit: Option<u64>) -> Plan {
        let questions = (0..n)
            .map(|i| PlannedQuestion {
                question: Question {
                    id: QuestionId::parse(&format!("q{i}")).unwrap(),
                    text: format!("Question {i}?"),
                    category: "Test".to_owned(),
                    kind: QuestionKind::Technical,
                    looking_for: String::new(),
                    tips: Vec::new(),
                    think_seconds: 0,
                    answer_seconds: 1,
                    keywords: Vec::new(),
                    strong_answer: Vec::new(),
                    follow_ups: Vec::new(),
                },
                think: Duration::from_secs(think),
                answer_limit: limit.map(Duration::from_secs),
            })
            .collect();
        Plan {
            questions,
            warning_before: Duration::from_secs(30),
            request: PlanRequest::default(),
        }
    }

    fn start_take(question_index: usize, take: u32, limit: Option<u64>) -> Action {
        Action::StartRecording(TakeRequest {
            question_index,
            take,
            limit: limit.map(Duration::from_secs),
            follow_up_depth: 0,
        })
    }

    fn start_follow_up(question_index: usize, take: u32, depth: u8) -> Action {
        Action::StartRecording(TakeRequest {
            question_index,
            take,
            limit: Some(Duration::from_secs(60)),
            follow_up_depth: depth,
        })
    }

    /// A started session of `n` questions (10 s think, 120 s limit) and the
    /// instant it started.
    fn started(n: usize) -> (Interview, Instant) {
        let t0 = Instant::now();
        let mut interview = Interview::new(plan(n, 10, Some(120))).unwrap();
        assert_eq!(interview.phase(), Phase::Ready);
        assert!(interview.start(t0).is_empty());
        (interview, t0)
    }

    #[test]
    fn an_empty_plan_is_refused() {
        assert!(matches!(
            Interview::new(plan(0, 10, None)),
            Err(PlanError::Empty)
        ));
    }

    #[test]
    fn ready_does_nothing_but_start() {
        let t0 = Instant::now();
        let mut interview = Interview::new(plan(2, 10, Some(120))).unwrap();
        assert!(interview.tick(t0 + SECOND * 100).is_empty());
        assert!(interview.start_answer(t0).is_empty());
        assert!(interview.stop(t0).is_empty());
        assert!(interview.next(t0).is_empty());
        assert!(interview.retake(t0).is_empty());
        assert!(interview.skip(t0).is_empty());
        assert_eq!(interview.phase(), Phase::Ready);
        assert_eq!(interview.remaining(t0), None);
    }

    #[test]
    fn think_countdown_starts_the_answer_exactly_when_it_ends() {
        let (mut interview, t0) = started(2);
        assert_eq!(interview.phase(), Phase::Thinking);
        assert_eq!(
            interview.progress(),
            Progress {
                number: 1,
                total: 2
            }
        );
        assert_eq!(interview.remaining(t0 + SECOND * 4), Some(SECOND * 6));
        assert!(interview.tick(t0 + SECOND * 10 - NANO).is_empty());
        assert_eq!(interview.phase(), Phase::Thinking);
        assert_eq!(
            interview.tick(t0 + SECOND * 10),
            [start_take(0, 1, Some(120))]
        );
        assert_eq!(interview.phase(), Phase::Answering);
        assert_eq!(interview.remaining(t0 + SECOND * 10), Some(SECOND * 120));
    }

    #[test]
    fn the_clock_says_when_it_next_shows_another_second() {
        let (mut interview, t0) = started(1);
        let milli = Duration::from_millis(1);
        // Thinking, 10 s: 9.7 s left shows "0:10" until 9 s are left.
        assert_eq!(
            interview.until_next_second(t0 + milli * 300),
            Some(milli * 700)
        );
        assert_eq!(interview.until_next_second(t0 + SECOND * 2), Some(SECOND));
        assert_eq!(
            interview.tick(t0 + SECOND * 10),
            [start_take(0, 1, Some(120))]
        );
        // Answering with a limit: the countdown.
        assert_eq!(
            interview.until_next_second(t0 + SECOND * 10 + milli * 250),
            Some(milli * 750)
        );
        assert!(!interview.stop(t0 + SECOND * 11).is_empty());
        assert_eq!(
            interview.until_next_second(t0 + SECOND * 12),
            None,
            "reviewing"
        );

        // Without a limit, the answer clock counts up.
        let mut open = Interview::new(plan(1, 0, None)).unwrap();
        assert_eq!(open.start(t0), [start_take(0, 1, None)]);
        assert_eq!(open.phase(), Phase::Answering);
        assert_eq!(
            open.until_next_second(t0 + milli * 1_400),
            Some(milli * 600)
        );
    }

    #[test]
    fn the_user_may_start_answering_early() {
        let (mut interview, t0) = started(1);
        let early = t0 + SECOND * 3;
        assert_eq!(interview.start_answer(early), [start_take(0, 1, Some(120))]);
        assert_eq!(interview.answer_elapsed(early + SECOND), Some(SECOND));
        assert_eq!(interview.remaining(early + SECOND), Some(SECOND * 119));
        // Starting again while answering does nothing.
        assert!(interview.start_answer(early + SECOND).is_empty());
    }

    #[test]
    fn the_answer_stops_on_the_exact_tick_of_the_limit() {
        let (mut interview, t0) = started(2);
        let answer_start = t0 + SECOND * 10;
        let _ = interview.tick(answer_start);
        assert!(
            interview
                .tick(answer_start + SECOND * 120 - NANO)
                .is_empty()
        );
        assert_eq!(interview.phase(), Phase::Answering);
        assert_eq!(
            interview.tick(answer_start + SECOND * 120),
            [Action::StopRecording(StopReason::TimeLimit)]
        );
        assert_eq!(interview.phase(), Phase::Reviewing);
        assert_eq!(interview.stop_reason(), Some(StopReason::TimeLimit));
        // Nothing more happens while reviewing, however long it lasts.
        assert!(interview.tick(answer_start + SECOND * 1000).is_empty());
    }

    #[test]
    fn a_late_tick_still_stops_at_the_limit() {
        let (mut interview, t0) = started(1);
        let _ = interview.start_answer(t0);
        assert_eq!(
            interview.tick(t0 + SECOND * 500),
            [Action::StopRecording(StopReason::TimeLimit)]
        );
    }

    #[test]
    fn stopping_a_moment_before_the_limit_is_a_user_stop() {
        let (mut interview, t0) = started(1);
        let _ = interview.start_answer(t0);
        assert_eq!(
            interview.stop(t0 + SECOND * 120 - NANO),
            [Action::StopRecording(StopReason::User)]
        );
        assert_eq!(interview.stop_reason(), Some(StopReason::User));
    }

    #[test]
    fn stopping_after_the_limit_passed_unticked_is_a_limit_stop() {
        let (mut interview, t0) = started(1);
        let _ = interview.start_answer(t0);
        assert_eq!(
            interview.stop(t0 + SECOND * 121),
            [Action::StopRecording(StopReason::TimeLimit)]
        );
        assert_eq!(interview.stop_reason(), Some(StopReason::TimeLimit));
    }

    #[test]
    fn warning_turns_on_at_the_threshold() {
        let (mut interview, t0) = started(1);
        let _ = interview.start_answer(t0);
        assert!(!interview.warning(t0 + SECOND * 90 - NANO));
        assert!(interview.warning(t0 + SECOND * 90));
        assert!(interview.warning(t0 + SECOND * 119));
        let _ = interview.stop(t0 + SECOND * 100);
        assert!(!interview.warning(t0 + SECOND * 100));
    }

    #[test]
    fn the_warning_is_at_most_the_last_quarter_of_the_limit() {
        let t0 = Instant::now();
        let mut interview = Interview::new(plan(1, 0, Some(25))).unwrap();
        let _ = interview.start(t0);
        assert_eq!(interview.phase(), Phase::Answering);
        assert!(!interview.warning(t0));
        assert!(!interview.warning(t0 + SECOND * 18));
        assert!(interview.warning(t0 + SECOND * 19));
    }

    #[test]
    fn retake_after_a_limit_stop_keeps_counting_takes() {
        let (mut interview, t0) = started(2);
        let _ = interview.start_answer(t0);
        let _ = interview.tick(t0 + SECOND * 120);
        assert_eq!(interview.phase(), Phase::Reviewing);
        let t1 = t0 + SECOND * 130;
        assert!(interview.retake(t1).is_empty());
        assert_eq!(interview.phase(), Phase::Thinking);
        assert_eq!(interview.progress().number, 1);
        assert_eq!(
            interview.tick(t1 + SECOND * 10),
            [start_take(0, 2, Some(120))]
        );
        assert_eq!(interview.takes(), 2);
        let _ = interview.stop(t1 + SECOND * 20);
        let _ = interview.retake(t1 + SECOND * 21);
        assert_eq!(
            interview.start_answer(t1 + SECOND * 22),
            [start_take(0, 3, Some(120))]
        );
        assert_eq!(
            interview.outcomes()[0],
            QuestionOutcome {
                takes: 3,
                skipped: false,
                ..QuestionOutcome::default()
            }
        );
    }

    #[test]
    fn next_moves_on_and_finishes_after_the_last_question() {
        let (mut interview, t0) = started(2);
        let _ = interview.start_answer(t0);
        let _ = interview.stop(t0 + SECOND);
        assert!(interview.next(t0 + SECOND * 2).is_empty());
        assert_eq!(interview.phase(), Phase::Thinking);
        assert_eq!(
            interview.progress(),
            Progress {
                number: 2,
                total: 2
            }
        );
        assert_eq!(interview.takes(), 0);
        assert_eq!(
            interview.start_answer(t0 + SECOND * 3),
            [start_take(1, 1, Some(120))]
        );
        let _ = interview.stop(t0 + SECOND * 4);
        assert!(interview.next(t0 + SECOND * 5).is_empty());
        assert_eq!(interview.phase(), Phase::Finished);
        assert_eq!(
            interview.progress(),
            Progress {
                number: 2,
                total: 2
            }
        );
        assert!(interview.start(t0).is_empty());
        assert!(interview.tick(t0 + SECOND * 500).is_empty());
    }

    #[test]
    fn next_is_ignored_while_thinking_or_answering() {
        let (mut interview, t0) = started(2);
        assert!(interview.next(t0).is_empty());
        let _ = interview.start_answer(t0);
        assert!(interview.next(t0).is_empty());
        assert!(interview.retake(t0).is_empty());
        assert_eq!(interview.phase(), Phase::Answering);
        assert_eq!(interview.progress().number, 1);
    }

    #[test]
    fn skip_during_thinking_moves_on_without_recording() {
        let (mut interview, t0) = started(2);
        assert!(interview.skip(t0 + SECOND).is_empty());
        assert_eq!(interview.phase(), Phase::Thinking);
        assert_eq!(interview.progress().number, 2);
        assert_eq!(
            interview.outcomes()[0],
            QuestionOutcome {
                takes: 0,
                skipped: true,
                ..QuestionOutcome::default()
            }
        );
        // The new question's countdown starts at the skip.
        assert_eq!(interview.remaining(t0 + SECOND), Some(SECOND * 10));
    }

    #[test]
    fn skip_during_answering_stops_and_keeps_the_take() {
        let (mut interview, t0) = started(2);
        let _ = interview.start_answer(t0);
        assert_eq!(
            interview.skip(t0 + SECOND * 5),
            [Action::StopRecording(StopReason::Skipped)]
        );
        assert_eq!(
            interview.outcomes()[0],
            QuestionOutcome {
                takes: 1,
                skipped: true,
                ..QuestionOutcome::default()
            }
        );
        assert_eq!(interview.phase(), Phase::Thinking);
        assert_eq!(interview.progress().number, 2);
    }

    #[test]
    fn skip_while_reviewing_is_next_and_skipping_the_last_finishes() {
        let (mut interview, t0) = started(2);
        let _ = interview.start_answer(t0);
        let _ = interview.stop(t0 + SECOND);
        assert!(interview.skip(t0 + SECOND * 2).is_empty());
        assert_eq!(
            interview.outcomes()[0],
            QuestionOutcome {
                takes: 1,
                skipped: false,
                ..QuestionOutcome::default()
            }
        );
        assert_eq!(interview.progress().number, 2);
        assert!(interview.skip(t0 + SECOND * 3).is_empty());
        assert_eq!(interview.phase(), Phase::Finished);
        assert!(interview.outcomes()[1].skipped);
    }

    #[test]
    fn end_during_answering_stops_the_recording() {
        let (mut interview, t0) = started(3);
        let _ = interview.start_answer(t0);
        assert_eq!(
            interview.end(),
            [Action::StopRecording(StopReason::SessionEnded)]
        );
        assert_eq!(interview.phase(), Phase::Finished);
        assert_eq!(interview.remaining(t0), None);
        assert!(interview.end().is_empty());
    }

    #[test]
    fn end_while_thinking_or_ready_just_finishes() {
        let (mut interview, _) = started(3);
        assert!(interview.end().is_empty());
        assert_eq!(interview.phase(), Phase::Finished);
        let mut fresh = Interview::new(plan(1, 10, None)).unwrap();
        assert!(fresh.end().is_empty());
        assert_eq!(fresh.phase(), Phase::Finished);
    }

    #[test]
    fn no_limit_mode_never_stops_by_itself_and_has_no_warning() {
        let t0 = Instant::now();
        let mut interview = Interview::new(plan(1, 10, None)).unwrap();
        let _ = interview.start(t0);
        assert_eq!(interview.start_answer(t0), [start_take(0, 1, None)]);
        let hours_later = t0 + Duration::from_secs(3 * 3600);
        assert!(interview.tick(hours_later).is_empty());
        assert_eq!(interview.phase(), Phase::Answering);
        assert_eq!(interview.remaining(hours_later), None);
        assert!(!interview.warning(hours_later));
        assert_eq!(
            interview.answer_elapsed(hours_later),
            Some(Duration::from_secs(3 * 3600))
        );
        assert_eq!(
            interview.stop(hours_later),
            [Action::StopRecording(StopReason::User)]
        );
    }

    #[test]
    fn zero_think_time_starts_recording_at_once_at_every_question() {
        let t0 = Instant::now();
        let mut interview = Interview::new(plan(2, 0, Some(60))).unwrap();
        assert_eq!(interview.start(t0), [start_take(0, 1, Some(60))]);
        assert_eq!(interview.phase(), Phase::Answering);
        let _ = interview.stop(t0 + SECOND);
        assert_eq!(
            interview.retake(t0 + SECOND * 2),
            [start_take(0, 2, Some(60))]
        );
        assert_eq!(
            interview.skip(t0 + SECOND * 3),
            [
                Action::StopRecording(StopReason::Skipped),
                start_take(1, 1, Some(60))
            ]
        );
        assert_eq!(interview.progress().number, 2);
    }

    #[test]
    fn a_recorder_stop_moves_to_review_without_a_second_stop() {
        let (mut interview, t0) = started(1);
        let _ = interview.start_answer(t0);
        assert!(
            interview
                .recording_stopped(StopReason::TimeLimit, t0 + SECOND)
                .is_empty()
        );
        assert_eq!(interview.phase(), Phase::Reviewing);
        assert_eq!(interview.stop_reason(), Some(StopReason::TimeLimit));
        assert!(interview.tick(t0 + SECOND * 200).is_empty());
        assert!(interview.stop(t0 + SECOND * 200).is_empty());
    }

    /// A started mock interview of `n` questions (10 s think, 120 s limit).
    fn mock(n: usize) -> (Interview, Instant) {
        mock_with_follow_ups(n, 0)
    }

    /// A started mock interview of `n` questions asking follow-ups
    /// `depth` deep.
    fn mock_with_follow_ups(n: usize, depth: u8) -> (Interview, Instant) {
        let t0 = Instant::now();
        let mut plan = plan(n, 10, Some(120));
        plan.request.mode = SessionMode::MockInterview;
        plan.request.follow_ups.per_question = depth;
        let mut interview = Interview::new(plan).unwrap();
        assert!(interview.is_mock());
        assert!(interview.start(t0).is_empty());
        (interview, t0)
    }

    #[test]
    fn a_mock_interview_moves_on_at_the_limit_with_one_take_per_question() {
        let (mut interview, t0) = mock(2);
        let answer = t0 + SECOND * 10;
        assert_eq!(interview.tick(answer), [start_take(0, 1, Some(120))]);
        // No skip while answering.
        assert!(interview.skip(answer + SECOND).is_empty());
        assert_eq!(interview.phase(), Phase::Answering);
        // At the limit: stop, and straight on to question 2's think time.
        assert_eq!(
            interview.tick(answer + SECOND * 120),
            [Action::StopRecording(StopReason::TimeLimit)]
        );
        assert_eq!(interview.phase(), Phase::Thinking);
        assert_eq!(interview.progress().number, 2);
        assert!(interview.retake(answer + SECOND * 121).is_empty());
        assert!(interview.skip(answer + SECOND * 121).is_empty());
        // Stopped early by the user: the interview is over, never reviewed.
        let second = answer + SECOND * 130;
        assert_eq!(interview.tick(second), [start_take(1, 1, Some(120))]);
        assert_eq!(
            interview.stop(second + SECOND),
            [Action::StopRecording(StopReason::User)]
        );
        assert_eq!(interview.phase(), Phase::Finished);
        assert_eq!(
            interview
                .outcomes()
                .iter()
                .map(|o| o.takes)
                .collect::<Vec<_>>(),
            [1, 1]
        );
    }

    #[test]
    fn a_mock_interview_follows_the_recorder_and_ends_when_it_fails() {
        let (mut interview, t0) = mock(3);
        let _ = interview.start_answer(t0);
        // The recorder stops at the limit a moment before the tick.
        assert!(
            interview
                .recording_stopped(StopReason::TimeLimit, t0 + SECOND)
                .is_empty()
        );
        assert_eq!(interview.phase(), Phase::Thinking);
        assert_eq!(interview.progress().number, 2);
        let _ = interview.start_answer(t0 + SECOND * 2);
        assert!(
            interview
                .recording_stopped(StopReason::DeviceLost, t0 + SECOND * 3)
                .is_empty()
        );
        assert_eq!(interview.phase(), Phase::Finished);
    }

    #[test]
    fn a_mock_interview_with_no_think_time_starts_the_next_answer_at_once() {
        let t0 = Instant::now();
        let mut plan = plan(2, 0, Some(60));
        plan.request.mode = SessionMode::MockInterview;
        plan.request.follow_ups.per_question = 0;
        let mut interview = Interview::new(plan).unwrap();
        assert_eq!(interview.start(t0), [start_take(0, 1, Some(60))]);
        assert_eq!(
            interview.tick(t0 + SECOND * 60),
            [
                Action::StopRecording(StopReason::TimeLimit),
                start_take(1, 1, Some(60))
            ]
        );
    }

    #[test]
    fn a_question_read_aloud_starts_its_think_time_when_it_has_been_read() {
        let t0 = Instant::now();
        let mut interview = Interview::new(plan(2, 10, Some(120)))
            .unwrap()
            .reading_aloud(true);
        assert!(interview.start(t0).is_empty());
        assert_eq!(interview.phase(), Phase::Asking);
        // However long the reading takes, no countdown runs meanwhile.
        assert!(interview.tick(t0 + SECOND * 30).is_empty());
        assert_eq!(interview.remaining(t0 + SECOND * 30), None);
        let read = t0 + SECOND * 31;
        assert!(interview.question_read(read).is_empty());
        assert_eq!(interview.phase(), Phase::Thinking);
        assert_eq!(interview.remaining(read), Some(SECOND * 10));
        assert!(interview.question_read(read).is_empty(), "only once");
        // Answering may start while it is still being read.
        let _ = interview.tick(read + SECOND * 10);
        let _ = interview.stop(read + SECOND * 20);
        let _ = interview.next(read + SECOND * 21);
        assert_eq!(interview.phase(), Phase::Asking);
        assert_eq!(
            interview.start_answer(read + SECOND * 22),
            [start_take(1, 1, Some(120))]
        );
    }

    fn ask(interview: &mut Interview, what: &str, now: Instant) -> Vec<Action> {
        interview.answer_follow_up(what.to_owned(), "because".to_owned(), now)
    }

    #[test]
    fn practice_asks_a_follow_up_like_a_question_two_deep_at_most() {
        let (mut interview, t0) = started(2);
        let t1 = t0 + 10 * SECOND;
        assert_eq!(interview.tick(t1), vec![start_take(0, 1, Some(120))]);
        let _ = interview.stop(t1 + 5 * SECOND);
        assert!(interview.can_follow_up());
        // Think time, then the follow-up's own 60-s limit.
        let t2 = t1 + 6 * SECOND;
        assert!(ask(&mut interview, "And the result?", t2).is_empty());
        assert_eq!(interview.phase(), Phase::Thinking);
        assert_eq!(interview.follow_up().map(|f| f.depth), Some(1));
        assert_eq!(
            interview.tick(t2 + 10 * SECOND),
            vec![start_follow_up(0, 1, 1)]
        );
        let at_limit = t2 + 70 * SECOND;
        assert_eq!(
            interview.tick(at_limit),
            vec![Action::StopRecording(StopReason::TimeLimit)]
        );
        assert_eq!(interview.phase(), Phase::Reviewing);
        // A follow-up of the follow-up, then no deeper.
        assert!(interview.can_follow_up());
        let _ = ask(&mut interview, "Why?", at_limit);
        assert_eq!(interview.follow_up().map(|f| f.depth), Some(2));
        let _ = interview.start_answer(at_limit);
        let _ = interview.stop(at_limit + SECOND);
        assert!(!interview.can_follow_up());
        assert!(ask(&mut interview, "Deeper?", at_limit).is_empty());
        assert_eq!(interview.phase(), Phase::Reviewing);
        // A retake asks the same follow-up again, as its own take.
        let _ = interview.retake(at_limit + 2 * SECOND);
        assert_eq!(interview.follow_up().map(|f| f.ask.as_str()), Some("Why?"));
        assert_eq!(
            interview.start_answer(at_limit + 3 * SECOND),
            vec![start_follow_up(0, 3, 2)]
        );
        let _ = interview.stop(at_limit + 4 * SECOND);
        // The next question is the question again: take 1, no follow-up.
        let t3 = at_limit + 5 * SECOND;
        let _ = interview.next(t3);
        assert_eq!(interview.follow_up(), None);
        assert_eq!(
            interview.tick(t3 + 10 * SECOND),
            vec![start_take(1, 1, Some(120))]
        );
        assert_eq!(interview.outcomes()[0].takes, 1);
        assert_eq!(interview.outcomes()[0].follow_up_takes, 3);
    }

    #[test]
    fn a_follow_up_is_asked_only_after_an_answer() {
        let (mut interview, t0) = started(1);
        assert!(!interview.can_follow_up());
        assert!(ask(&mut interview, "Early?", t0).is_empty());
        assert_eq!(interview.follow_up(), None);
        let _ = interview.start_answer(t0);
        assert!(ask(&mut interview, "While answering?", t0).is_empty());
        assert_eq!(interview.phase(), Phase::Answering);
    }

    #[test]
    fn skipping_a_follow_up_leaves_the_question_answered() {
        let (mut interview, t0) = started(2);
        let _ = interview.start_answer(t0);
        let _ = interview.stop(t0 + SECOND);
        let _ = ask(&mut interview, "And then?", t0 + SECOND);
        let _ = interview.start_answer(t0 + 2 * SECOND);
        assert_eq!(
            interview.skip(t0 + 3 * SECOND),
            vec![Action::StopRecording(StopReason::Skipped)]
        );
        assert!(!interview.outcomes()[0].skipped);
        assert_eq!(interview.progress().number, 2);
        assert_eq!(interview.follow_up(), None);
    }

    #[test]
    fn a_mock_interview_awaits_each_answers_follow_up() {
        let (mut interview, t0) = mock_with_follow_ups(2, 1);
        let t1 = t0 + 10 * SECOND;
        let _ = interview.tick(t1);
        let _ = interview.stop(t1 + 30 * SECOND);
        // The interviewer is thinking: nothing moves until told.
        assert_eq!(interview.phase(), Phase::Awaiting);
        assert!(interview.tick(t1 + 300 * SECOND).is_empty());
        assert_eq!(interview.phase(), Phase::Awaiting);
        let t2 = t1 + 301 * SECOND;
        let _ = ask(&mut interview, "What did you measure?", t2);
        assert_eq!(
            interview.tick(t2 + 10 * SECOND),
            vec![start_follow_up(0, 1, 1)]
        );
        // One deep: the follow-up's answer leads to the next question.
        let _ = interview.stop(t2 + 20 * SECOND);
        assert_eq!(interview.phase(), Phase::Thinking);
        assert_eq!(interview.progress().number, 2);
        assert_eq!(interview.follow_up(), None);
        // No follow-up found for the last answer: the interview ends.
        let t3 = t2 + 30 * SECOND;
        let _ = interview.tick(t3);
        let _ = interview.stop(t3 + SECOND);
        assert_eq!(interview.phase(), Phase::Awaiting);
        assert!(interview.no_follow_up(t3 + 2 * SECOND).is_empty());
        assert_eq!(interview.phase(), Phase::Finished);
    }

    #[test]
    fn a_mock_interview_two_deep_asks_a_follow_up_of_the_follow_up() {
        let (mut interview, t0) = mock_with_follow_ups(1, 2);
        let _ = interview.start_answer(t0);
        let _ = interview.stop(t0 + SECOND);
        let _ = ask(&mut interview, "One?", t0 + SECOND);
        let _ = interview.start_answer(t0 + SECOND);
        let _ = interview.stop(t0 + 2 * SECOND);
        assert_eq!(interview.phase(), Phase::Awaiting);
        let _ = ask(&mut interview, "Two?", t0 + 2 * SECOND);
        assert_eq!(
            interview.start_answer(t0 + 2 * SECOND),
            vec![start_follow_up(0, 2, 2)]
        );
        let _ = interview.stop(t0 + 3 * SECOND);
        assert_eq!(interview.phase(), Phase::Finished);
    }

    #[test]
    fn a_mock_interview_that_loses_the_microphone_awaits_nothing() {
        let (mut interview, t0) = mock_with_follow_ups(2, 1);
        let _ = interview.start_answer(t0);
        let _ = interview.recording_stopped(StopReason::DeviceLost, t0 + SECOND);
        assert_eq!(interview.phase(), Phase::Finished);
    }
}
