//! The user's questions and packs from the window: the question form (new,
//! edit, duplicate), deleting a question (asked first), turning packs off
//! and on, importing and exporting packs. Files are read and written on the
//! worker, which sends back the bank as it now is; the window never waits.

use std::collections::HashSet;
use std::path::PathBuf;

use super::RehearseApp;
use super::worker::WorkerRequest;
pub use super::worker::questions::{QuestionEvent, QuestionRequest};
use crate::model::{Question, QuestionId};
use crate::questions::QuestionBank;
use crate::questions::own::{self, Field, QuestionDraft, QuestionEdit};
use crate::store::history::takes_of;

/// The question form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuestionEditor {
    /// The question being changed and its pack file; `None` for a new one.
    pub original: Option<(Question, PathBuf)>,
    /// For a copy, the text of the question it copies.
    pub copy_of: Option<String>,
    /// The form as typed.
    pub draft: QuestionDraft,
    /// The question has takes, so its id is kept.
    pub has_takes: bool,
    /// Fields the user has changed (their problems show as they type).
    pub touched: HashSet<Field>,
    /// Save was pressed: every problem shows.
    pub save_pressed: bool,
    /// Why the last save was refused.
    pub refused: Option<String>,
}

impl QuestionEditor {
    /// The form's title.
    pub fn title(&self) -> &'static str {
        match (&self.original, &self.copy_of) {
            (Some(_), _) => "Edit question",
            (None, Some(_)) => "Copy of a question",
            (None, None) => "New question",
        }
    }

    /// Whether the problem of `field` shows.
    pub fn shows(&self, field: Field) -> bool {
        self.save_pressed || self.touched.contains(&field)
    }

    /// The id the question will be saved with.
    pub fn id(&self, bank: &QuestionBank) -> QuestionId {
        match &self.original {
            Some((question, _)) => {
                own::id_after_edit(question, &self.draft.text, self.has_takes, bank)
            }
            None => {
                let taken = own::taken_ids(bank);
                own::slug_for(&self.draft.text, |id| taken.contains(id))
            }
        }
    }
}

/// A question the user asked to delete, waiting for confirmation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingDelete {
    /// The question.
    pub question: Question,
    /// Its pack file.
    pub file: PathBuf,
    /// How many takes of it the history keeps (they stay).
    pub takes: usize,
}

/// The questions part of the app's state.
#[derive(Clone, Debug, Default)]
pub struct QuestionsPanel {
    /// The question form, when open.
    pub editor: Option<QuestionEditor>,
    /// A delete waiting for confirmation.
    pub delete: Option<PendingDelete>,
    /// The pack file to import, as typed or chosen.
    pub import_path: String,
    /// A pack file is being read, written or chosen (while the form is
    /// open, that is its save).
    pub busy: bool,
}

/// What the screens ask about questions and packs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QuestionCommand {
    /// Open an empty form.
    New,
    /// Open the form on a question of the user's packs.
    Edit(QuestionId),
    /// Open a new form filled from any question.
    Duplicate(QuestionId),
    /// Save the form (refused, with the problems shown, while any remain).
    Save,
    /// Close the form without saving.
    CloseEditor,
    /// Ask to delete a question of the user's packs.
    RequestDelete(QuestionId),
    /// Delete the question the user confirmed.
    ConfirmDelete,
    /// Keep it after all.
    CancelDelete,
    /// Turn a pack (its key) on or off.
    SetPackOn(String, bool),
    /// Open the system's dialog to choose a pack file to import.
    ChoosePackToImport,
    /// Import the pack file typed or chosen.
    ImportPack,
    /// Write the loaded pack with this source to a file (the system's save
    /// dialog asks where).
    ExportPack(String),
}

impl RehearseApp {
    /// Applies a command about questions and packs.
    pub(super) fn apply_questions(&mut self, command: QuestionCommand) {
        match command {
            QuestionCommand::New => self.open_editor(None, None),
            QuestionCommand::Edit(id) => {
                if let Some((question, file)) = self.own_question(&id) {
                    self.open_editor(Some((question, file)), None);
                }
            }
            QuestionCommand::Duplicate(id) => {
                if let Some(question) = self.state.bank.get(&id).cloned() {
                    self.open_editor(None, Some(&question));
                }
            }
            QuestionCommand::Save => self.save_question(),
            QuestionCommand::CloseEditor => self.state.questions.editor = None,
            QuestionCommand::RequestDelete(id) => {
                if let Some((question, file)) = self.own_question(&id) {
                    let takes = self.takes_of(&id);
                    self.state.questions.delete = Some(PendingDelete {
                        question,
                        file,
                        takes,
                    });
                }
            }
            QuestionCommand::CancelDelete => self.state.questions.delete = None,
            QuestionCommand::ConfirmDelete => {
                if let Some(pending) = self.state.questions.delete.take() {
                    let text = &pending.question.text;
                    let said = match pending.takes {
                        0 => format!("Deleted “{text}”."),
                        1 => format!("Deleted “{text}”; its take stays in your history."),
                        n => format!("Deleted “{text}”; its {n} takes stay in your history."),
                    };
                    self.questions_request(QuestionRequest::Edit {
                        sources: self.state.sources.clone(),
                        edit: Box::new(QuestionEdit::Remove {
                            file: pending.file,
                            id: pending.question.id,
                        }),
                        said,
                    });
                }
            }
            QuestionCommand::SetPackOn(key, on) => {
                if on {
                    self.state.settings.packs_off.remove(&key);
                } else {
                    self.state.settings.packs_off.insert(key);
                }
                self.state.sources.off = self.state.settings.packs_off.clone();
                self.save_settings();
                self.questions_request(QuestionRequest::Reload(self.state.sources.clone()));
            }
            QuestionCommand::ChoosePackToImport => {
                self.questions_request(QuestionRequest::Choose);
            }
            QuestionCommand::ImportPack => {
                match crate::files::typed_path(&self.state.questions.import_path) {
                    None => self.state.say("Choose a pack file to import first."),
                    Some(path) => self.questions_request(QuestionRequest::Import(
                        self.state.sources.clone(),
                        path,
                    )),
                }
            }
            QuestionCommand::ExportPack(source) => {
                let Some(pack) = self.state.bank.packs().iter().find(|p| p.source == source) else {
                    return;
                };
                let name = pack.name.clone();
                let questions = self
                    .state
                    .bank
                    .questions_of(&source)
                    .into_iter()
                    .cloned()
                    .collect();
                self.questions_request(QuestionRequest::Export { name, questions });
            }
        }
    }

    /// Sends a request about pack files to the worker.
    fn questions_request(&mut self, request: QuestionRequest) {
        if self.state.read_only {
            self.state
                .say("Another Rehearse owns the data folder; your questions were not changed.");
            return;
        }
        self.state.questions.busy = true;
        self.services
            .worker
            .send(WorkerRequest::Questions(Box::new(request)));
    }

    /// A question of the user's own packs, with its file; says so when it
    /// is not one.
    fn own_question(&mut self, id: &QuestionId) -> Option<(Question, PathBuf)> {
        let question = self.state.bank.get(id)?.clone();
        match self.state.bank.own_file(id) {
            Some(file) => Some((question, file.to_path_buf())),
            None => {
                self.state
                    .say("Bundled questions cannot be changed; duplicate one to make it your own.");
                None
            }
        }
    }

    /// How many takes of question `id` the history keeps.
    fn takes_of(&self, id: &QuestionId) -> usize {
        takes_of(self.state.sessions.all(), id)
    }

    fn open_editor(&mut self, original: Option<(Question, PathBuf)>, copy_of: Option<&Question>) {
        let source = original.as_ref().map(|(q, _)| q).or(copy_of);
        let draft = source.map(QuestionDraft::from).unwrap_or_default();
        let has_takes = original
            .as_ref()
            .is_some_and(|(q, _)| self.takes_of(&q.id) > 0);
        self.state.questions.editor = Some(QuestionEditor {
            original,
            copy_of: copy_of.map(|q| q.text.clone()),
            draft,
            has_takes,
            touched: HashSet::new(),
            save_pressed: false,
            refused: None,
        });
    }

    fn save_question(&mut self) {
        let Some(editor) = &mut self.state.questions.editor else {
            return;
        };
        editor.save_pressed = true;
        editor.refused = None;
        if !editor.draft.problems().is_empty() || self.state.questions.busy {
            return;
        }
        let question = editor.draft.to_question(editor.id(&self.state.bank));
        let (edit, said) = match &editor.original {
            Some((old, file)) => {
                let said = format!("Saved “{}”.", question.text);
                let edit = QuestionEdit::Replace {
                    file: file.clone(),
                    id: old.id.clone(),
                    question,
                };
                (edit, said)
            }
            None => {
                let said = format!("Added “{}”.", question.text);
                (QuestionEdit::Add(question), said)
            }
        };
        self.questions_request(QuestionRequest::Edit {
            sources: self.state.sources.clone(),
            edit: Box::new(edit),
            said,
        });
    }

    /// What the worker reported about pack files.
    pub(super) fn on_questions_event(&mut self, event: QuestionEvent) {
        match event {
            QuestionEvent::Bank(bank, said) => {
                self.state.questions.busy = false;
                // The form is modal: while it is open, the change was its save.
                self.state.questions.editor = None;
                self.state.bank = *bank;
                self.state.questions.import_path.clear();
                // Choices of questions that are gone are forgotten.
                let bank = self.state.bank.questions();
                self.state.home.selection.keep_known(bank);
                if let Some(shown) = &self.state.home.shown
                    && !bank.iter().any(|q| &q.id == shown)
                {
                    self.state.home.shown = None;
                }
                self.state.report(Ok(said));
            }
            QuestionEvent::Refused(why) => {
                self.state.questions.busy = false;
                match &mut self.state.questions.editor {
                    Some(editor) => editor.refused = Some(why),
                    None => self.state.say(why),
                }
            }
            QuestionEvent::Chosen(answer) => {
                self.state.questions.busy = false;
                if let Some(path) = self.state.chosen_file(answer) {
                    self.state.questions.import_path = path.display().to_string();
                    self.apply_questions(QuestionCommand::ImportPack);
                }
            }
            QuestionEvent::Exported(result) => {
                self.state.questions.busy = false;
                self.state.report(result);
            }
        }
    }
}
