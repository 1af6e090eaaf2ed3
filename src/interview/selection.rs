//! Which questions a session draws from: whole categories and single
//! questions, as the practice screen's check boxes and the command line's
//! `--category` and `--question` choose them. Choosing neither means the
//! whole bank. The plan and the screen both ask [`Selection::takes`], so
//! what the screen shows as chosen is what the session asks.

use std::collections::BTreeSet;

use crate::model::{Question, QuestionId};

/// Whole categories and single questions chosen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Categories chosen whole (a question added to one later is chosen too).
    pub categories: BTreeSet<String>,
    /// Questions chosen one by one.
    pub questions: BTreeSet<QuestionId>,
}

/// How much of a category is chosen: its tri-state check box.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CategoryChoice {
    /// None of its questions.
    None,
    /// Some of them.
    Some,
    /// Every one.
    All,
}

impl Selection {
    /// The selection of a plan request's categories and questions.
    pub fn of(categories: &[String], questions: &[QuestionId]) -> Self {
        Self {
            categories: categories.iter().cloned().collect(),
            questions: questions.iter().cloned().collect(),
        }
    }

    /// Nothing is chosen, so the whole bank is.
    pub fn is_whole_bank(&self) -> bool {
        self.categories.is_empty() && self.questions.is_empty()
    }

    /// Whether a session drawn from this selection may ask `question`.
    pub fn takes(&self, question: &Question) -> bool {
        self.is_whole_bank() || self.is_chosen(question)
    }

    /// Whether `question` is chosen explicitly (by its category or itself):
    /// what its check box shows.
    pub fn is_chosen(&self, question: &Question) -> bool {
        self.questions.contains(&question.id) || self.has_category(&question.category)
    }

    /// How much of `category` is chosen, over the bank's questions.
    pub fn category_choice(&self, bank: &[Question], category: &str) -> CategoryChoice {
        let mut chosen = 0;
        let mut total = 0;
        for question in bank.iter().filter(|q| q.category == category) {
            total += 1;
            chosen += usize::from(self.is_chosen(question));
        }
        match chosen {
            0 => CategoryChoice::None,
            n if n == total => CategoryChoice::All,
            _ => CategoryChoice::Some,
        }
    }

    /// The category's check box clicked: all of it when it was not wholly
    /// chosen, none of it when it was.
    pub fn toggle_category(&mut self, bank: &[Question], category: &str) {
        let whole = self.category_choice(bank, category) == CategoryChoice::All;
        self.categories
            .retain(|c| !c.eq_ignore_ascii_case(category));
        let in_category: Vec<&QuestionId> = bank
            .iter()
            .filter(|q| q.category == category)
            .map(|q| &q.id)
            .collect();
        self.questions.retain(|id| !in_category.contains(&id));
        if !whole {
            self.categories.insert(category.to_owned());
        }
    }

    /// A question's check box clicked. Unchoosing one question of a category
    /// chosen whole keeps the category's other questions chosen, one by one.
    pub fn toggle_question(&mut self, bank: &[Question], question: &Question) {
        if self.has_category(&question.category) {
            self.categories
                .retain(|c| !c.eq_ignore_ascii_case(&question.category));
            self.questions.extend(
                bank.iter()
                    .filter(|q| q.category == question.category && q.id != question.id)
                    .map(|q| q.id.clone()),
            );
        } else if !self.questions.remove(&question.id) {
            self.questions.insert(question.id.clone());
        }
    }

    /// Drops choices the bank no longer has (a question deleted, a pack
    /// turned off), so a session is never refused for them.
    pub fn keep_known(&mut self, bank: &[Question]) {
        self.categories
            .retain(|c| bank.iter().any(|q| q.category.eq_ignore_ascii_case(c)));
        self.questions.retain(|id| bank.iter().any(|q| &q.id == id));
    }

    fn has_category(&self, category: &str) -> bool {
        self.categories
            .iter()
            .any(|c| c.eq_ignore_ascii_case(category))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn question(id: &str, category: &str) -> Question {
        Question::example(id, category)
    }

    fn bank() -> Vec<Question> {
        vec![
            question("a1", "Alpha"),
            question("a2", "Alpha"),
            question("a3", "Alpha"),
            question("b1", "Beta"),
        ]
    }

    #[test]
    fn nothing_chosen_takes_the_whole_bank_but_checks_no_box() {
        let bank = bank();
        let selection = Selection::default();
        assert!(bank.iter().all(|q| selection.takes(q)));
        assert!(bank.iter().all(|q| !selection.is_chosen(q)));
        assert_eq!(
            selection.category_choice(&bank, "Alpha"),
            CategoryChoice::None
        );
    }

    #[test]
    fn a_category_box_goes_from_none_to_all_and_from_some_to_all_to_none() {
        let bank = bank();
        let mut selection = Selection::default();
        selection.toggle_category(&bank, "Alpha");
        assert_eq!(
            selection.category_choice(&bank, "Alpha"),
            CategoryChoice::All
        );
        assert!(!selection.takes(&bank[3]), "Beta is not chosen");

        selection.toggle_question(&bank, &bank[1]);
        assert_eq!(
            selection.category_choice(&bank, "Alpha"),
            CategoryChoice::Some
        );
        assert!(selection.is_chosen(&bank[0]) && !selection.is_chosen(&bank[1]));
        assert!(selection.is_chosen(&bank[2]));

        selection.toggle_category(&bank, "Alpha");
        assert_eq!(
            selection.category_choice(&bank, "Alpha"),
            CategoryChoice::All
        );
        assert_eq!(selection.questions.len(), 0, "the category covers them");

        selection.toggle_category(&bank, "Alpha");
        assert_eq!(
            selection.category_choice(&bank, "Alpha"),
            CategoryChoice::None
        );
        assert!(selection.is_whole_bank());
    }

    #[test]
    fn every_question_chosen_one_by_one_checks_the_category() {
        let bank = bank();
        let mut selection = Selection::default();
        for q in &bank[..3] {
            selection.toggle_question(&bank, q);
        }
        assert_eq!(
            selection.category_choice(&bank, "Alpha"),
            CategoryChoice::All
        );
        selection.toggle_question(&bank, &bank[0]);
        assert_eq!(
            selection.category_choice(&bank, "Alpha"),
            CategoryChoice::Some
        );
    }

    #[test]
    fn categories_match_regardless_of_case_as_on_the_command_line() {
        let bank = bank();
        let selection = Selection::of(&["alpha".to_owned()], &[]);
        assert!(selection.takes(&bank[0]));
        assert!(!selection.takes(&bank[3]));
    }

    #[test]
    fn choices_the_bank_no_longer_has_are_dropped() {
        let bank = bank();
        let mut selection = Selection::of(
            &["Gamma".to_owned(), "Beta".to_owned()],
            &[QuestionId::parse("gone").unwrap(), bank[0].id.clone()],
        );
        selection.keep_known(&bank);
        assert_eq!(
            selection,
            Selection::of(&["Beta".to_owned()], &[bank[0].id.clone()])
        );
    }
}
