//! What an answer said, judged against what the interviewer looks for: the
//! strong answer's points ([`points`]), the STAR parts of a story
//! ([`star`]) and the follow-up question the answer invites.
//!
//! Pure functions of a transcript, a question and (when installed) the
//! sentence model ([`embed`]); no UI types. The window, the terminal and
//! the export all show the same [`Content`].

pub mod embed;
pub mod points;
pub mod sentences;
pub mod star;
