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
        TakeEdit::Star(star) => session.takes[index].star = *star,
        TakeEdit::Preferred => {
            for (i, take) in session.takes.iter_mut().enumerate() {
                if take.question_index == question {
                    take.preferred = i == index;
                }
            }
        }
    }
}

/// The STAR checklist with one part set.
pub fn star_with(star: StarChecklist, part: usize, on: bool) -> StarChecklist {
    let mut star = star;
    match part {
        0 => star.situation = on,
        1 => star.task = on,
        2 => star.action = on,
        _ => star.result = on,
    }
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
        let star = star_with(StarChecklist::default(), 3, true);
        apply_edit(&mut session, 0, &TakeEdit::Star(star));
        let take = &session.takes[0];
        assert_eq!(take.rating.map(Rating::stars), Some(2));
        assert_eq!(take.notes, "slower");
        assert!(take.star.result && !take.star.situation);
    }
}
