//! A take's transcript on disk: made by the speech engine, written beside
//! the take (`takes/<stem>.transcript.json`) only when it is complete, and
//! read back for the review, `sessions show` and the export. The manifest
//! keeps the [`TranscriptSummary`]; whoever owns the session puts it there.

use std::path::Path;

use crate::speech::transcript::TranscriptError;
use crate::speech::{Control, Engine, SpeechError, Transcript, TranscriptSummary};

use super::Take;

/// Why a take could not be transcribed.
#[derive(Debug, thiserror::Error)]
pub enum TranscribeError {
    /// The take's file is not one the store may touch.
    #[error("the take's file cannot be used: {0}")]
    File(String),
    /// The engine failed (or was cancelled).
    #[error(transparent)]
    Speech(#[from] SpeechError),
    /// The transcript could not be written.
    #[error(transparent)]
    Write(#[from] TranscriptError),
}

/// Transcribes `take` of the session in `session_dir` with the model at
/// `model` and writes its transcript file; returns the summary for the
/// manifest. Nothing is written when it fails or is cancelled.
pub fn transcribe_take(
    session_dir: &Path,
    take: &Take,
    engine: &mut Engine,
    model: &Path,
    control: &Control,
) -> Result<(Transcript, TranscriptSummary), TranscribeError> {
    let wav = take
        .audio_path(session_dir)
        .map_err(TranscribeError::File)?;
    let path = take
        .transcript_path(session_dir)
        .map_err(TranscribeError::File)?;
    let transcript = engine.transcribe_file(model, &wav, control)?;
    transcript.write(&path)?;
    let summary = transcript.summary();
    Ok((transcript, summary))
}

/// Reads the transcript of `take`.
pub fn read(session_dir: &Path, take: &Take) -> Result<Transcript, TranscriptError> {
    let path = take
        .transcript_path(session_dir)
        .map_err(|problem| TranscriptError::Damaged {
            path: session_dir.join(&take.file),
            line: 0,
            column: 0,
            message: problem,
        })?;
    let transcript = Transcript::read(&path)?;
    if let Some(summary) = &take.transcript
        && !take.is_measured_from(&transcript)
    {
        // A transcript replaced by hand or by another copy of the data:
        // the file is the truth (the window measures it again), and the
        // log says so.
        log::warn!(
            "{}: made by {} with {} words, where the session says {} with {}; the file is used",
            path.display(),
            transcript.model.name,
            transcript.words.len(),
            summary.model,
            summary.words
        );
    }
    Ok(transcript)
}

/// `control`, with the answer's sentences embedded as they are recognised
/// when its content will be judged ([`crate::content::embed_while_transcribing`]).
pub fn hearing_sentences(
    control: &Control,
    question: Option<&super::AskedQuestion>,
    models: &Path,
) -> Control {
    match question {
        Some(question) if question.content_question().has_content() => control
            .clone()
            .hearing_segments(crate::content::embed_while_transcribing(
                models.to_path_buf(),
                &question.content_question(),
            )),
        _ => control.clone(),
    }
}
