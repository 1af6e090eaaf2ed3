//! The interview: the plan of a session and the state machine that walks
//! through it. Pure logic: no audio, no disk, no window, and time is passed
//! in by the caller.

mod machine;
mod plan;
mod selection;

pub use machine::{
    Action, Asking, FollowUpTurn, Interview, Phase, Progress, QuestionOutcome, StopReason,
    TakeRequest,
};
pub use plan::{
    ANSWER_PRESETS, AnswerLimit, DEFAULT_FOLLOW_UP_SECONDS, DEFAULT_WARNING_SECONDS, FollowUps,
    MAX_FOLLOW_UP_DEPTH, Order, Plan, PlanError, PlanRequest, PlannedQuestion, SessionMode,
    THINK_PRESETS, ThinkTime, build_plan,
};
pub use selection::{CategoryChoice, Selection};
