//! A change the review makes to one take (rating, notes, the STAR
//! checklist, the preferred take), and how it is applied to its session.

use crate::model::Rating;
use crate::store::{Session, StarChecklist};

/// A change to one take, saved as soon as it is made.
#[derive(Clone, Debug, PartialEq)]
pub enum TakeEdit {
    /// The rating (`None` clears it).
    Rating(Option<Rating>),
    /// The notes.
    Notes(String),
    /// The STAR checklist.
    Star(StarChecklist),
    /// This is the preferred take of its question.
    Preferred,
}

/// Applies `edit` to `take` (and, for "preferred", to its siblings).
pub(super) fn apply_edit(session: &mut Session, index: usize, edit: &TakeEdit) {
    let Some(question) = session.takes.get(index).map(|t| t.question_index) else {
        return;
    };
    match edit {
        TakeEdit::Rating(rating) => session.takes[index].rating = *rating,
        TakeEdit::Notes(notes) => session.takes[index].notes.clone_from(notes),
        TakeEdit::Star(star) => session.takes[index].star = star.clone(),
        TakeEdit::Preferred => {
            for (i, take) in session.takes.iter_mut().enumerate() {
                if take.question_index == question {
                    take.preferred = i == index;
                }
            }
        }
    }
}

/// The STAR checklist with the box of `part` set by the user (it then
/// stays so whatever the transcript shows).
pub fn star_with(star: &StarChecklist, part: crate::content::Part, on: bool) -> StarChecklist {
    let mut star = star.clone();
    star.set_by_user(part, on);
    star
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        crate::store::session::fixture()
    }

    #[test]
    fn preferring_a_take_unprefers_its_siblings() {
        let mut session = session();
        apply_edit(&mut session, 1, &TakeEdit::Preferred);
        assert!(!session.takes[0].preferred && session.takes[1].preferred);
        apply_edit(&mut session, 0, &TakeEdit::Preferred);
        assert!(session.takes[0].preferred && !session.takes[1].preferred);
        apply_edit(&mut session, 9, &TakeEdit::Preferred);
        assert!(
            session.takes[0].preferred,
            "an unknown take changes nothing"
        );
    }

    #[test]
    fn edits_set_rating_notes_and_checklist() {
        let mut session = session();
        apply_edit(&mut session, 0, &TakeEdit::Rating(Rating::new(2)));
        apply_edit(&mut session, 0, &TakeEdit::Notes("slower".to_owned()));
        let star = star_with(
            &StarChecklist::default(),
            crate::content::Part::Result,
            true,
        );
        apply_edit(&mut session, 0, &TakeEdit::Star(star));
        let take = &session.takes[0];
        assert_eq!(take.rating.map(Rating::stars), Some(2));
        assert_eq!(take.notes, "slower");
        assert!(take.star.result && !take.star.situation);
        // The parts found in a transcript fill the other boxes; the one the
        // user set stays.
        let mut star = take.star.clone();
        let heard = crate::content::Star {
            situation: Some(crate::content::star::PartHeard {
                text: "At my last job…".to_owned(),
                start_ms: 0,
                end_ms: 4_000,
                share: 20.0,
            }),
            ..Default::default()
        };
        star.fill_from(&heard);
        assert!(star.situation && star.result && !star.task);
    }
}
