//! A take's transcript: what was said, with a time and a confidence for
//! every word, kept in a file beside the take (`takes/<stem>.transcript.json`)
//! and written atomically like every JSON file. The manifest keeps only a
//! [`TranscriptSummary`], so listing the history never reads transcripts.
//!
//! A transcript that cannot be read is reported with its file, line and
//! column and never rewritten, like a damaged manifest.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The schema this version writes; files of a newer schema are refused.
pub const SCHEMA: u32 = 1;

/// The suffix of a transcript file beside a take (`<stem>` + this).
pub const SIDECAR_SUFFIX: &str = ".transcript.json";

/// Which model made a transcript.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelStamp {
    /// The model's name (`tiny.en`), or its file name for an unknown model.
    pub name: String,
    /// SHA-256 of the model file, lowercase hex.
    pub sha256: String,
}

/// A stretch of speech the recogniser returned as one piece.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// Start, in milliseconds from the start of the take.
    pub start_ms: u64,
    /// End, in milliseconds.
    pub end_ms: u64,
    /// The text, trimmed.
    pub text: String,
}

/// One spoken word.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Word {
    /// The word as written, with its punctuation ("logs,").
    pub text: String,
    /// Start, in milliseconds from the start of the take.
    pub start_ms: u64,
    /// End, in milliseconds.
    pub end_ms: u64,
    /// The recogniser's confidence, 0 to 1 (the lowest of its tokens).
    pub probability: f32,
}

/// What was said in one take.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    /// [`SCHEMA`] when written.
    pub schema: u32,
    /// The model that made it.
    pub model: ModelStamp,
    /// The language, as a code (`en`).
    pub language: String,
    /// Length of the audio, in milliseconds.
    pub duration_ms: u64,
    /// The segments, in order.
    pub segments: Vec<Segment>,
    /// The words, in order.
    pub words: Vec<Word>,
}

/// The part of a transcript the manifest keeps.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptSummary {
    /// How many words were recognised.
    pub words: u32,
    /// The model's name.
    pub model: String,
}

/// Why a transcript file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    /// There is no transcript file.
    #[error("{}: no transcript", path.display())]
    Missing {
        /// The file looked for.
        path: PathBuf,
    },
    /// Reading or writing failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// The file is not a transcript this version can read; it is left as
    /// it is.
    #[error("{}{}: {message}", path.display(), crate::files::place(*line, *column))]
    Damaged {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 for the whole file).
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

/// The transcript file of the take at `wav` (`x.wav` → `x.transcript.json`).
pub fn sidecar_path(wav: &Path) -> PathBuf {
    let stem = wav
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    wav.with_file_name(format!("{stem}{SIDECAR_SUFFIX}"))
}

impl Transcript {
    /// Adds `part`, the transcript of audio that starts `start_ms` into
    /// this one's audio, after what this one holds.
    pub fn append_at(&mut self, part: Transcript, start_ms: u64) {
        self.segments
            .extend(part.segments.into_iter().map(|segment| Segment {
                start_ms: segment.start_ms + start_ms,
                end_ms: segment.end_ms + start_ms,
                ..segment
            }));
        self.words.extend(part.words.into_iter().map(|word| Word {
            start_ms: word.start_ms + start_ms,
            end_ms: word.end_ms + start_ms,
            ..word
        }));
        self.duration_ms = self.duration_ms.max(start_ms + part.duration_ms);
    }

    /// The short form the manifest keeps.
    pub fn summary(&self) -> TranscriptSummary {
        TranscriptSummary {
            words: u32::try_from(self.words.len()).unwrap_or(u32::MAX),
            model: self.model.name.clone(),
        }
    }

    /// The whole text: the segments joined by spaces.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for segment in &self.segments {
            if segment.text.is_empty() {
                continue;
            }
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(&segment.text);
        }
        text
    }

    /// WebVTT captions, one cue per segment. (`write!` into a `String`
    /// cannot fail, so its `fmt::Result` is dropped here and in
    /// [`Self::to_srt`].)
    pub fn to_vtt(&self) -> String {
        let mut out = String::from("WEBVTT\n");
        for segment in self.segments.iter().filter(|s| !s.text.is_empty()) {
            let _ = write!(
                out,
                "\n{} --> {}\n{}\n",
                timestamp(segment.start_ms, '.'),
                timestamp(segment.end_ms, '.'),
                caption_text(&segment.text)
            );
        }
        out
    }

    /// SubRip captions, one numbered cue per segment.
    pub fn to_srt(&self) -> String {
        let mut out = String::new();
        for (number, segment) in self
            .segments
            .iter()
            .filter(|s| !s.text.is_empty())
            .enumerate()
        {
            let _ = write!(
                out,
                "{}\n{} --> {}\n{}\n\n",
                number + 1,
                timestamp(segment.start_ms, ','),
                timestamp(segment.end_ms, ','),
                caption_text(&segment.text)
            );
        }
        out
    }

    /// Reads the transcript at `path`.
    pub fn read(path: &Path) -> Result<Self, TranscriptError> {
        let text = crate::files::read_text(path).map_err(|err| match err {
            crate::files::TextFileError::Io(source) if source.kind() == io::ErrorKind::NotFound => {
                TranscriptError::Missing {
                    path: path.to_path_buf(),
                }
            }
            crate::files::TextFileError::Io(source) => TranscriptError::Io {
                path: path.to_path_buf(),
                source,
            },
            crate::files::TextFileError::NotUtf8 { line, column } => TranscriptError::Damaged {
                path: path.to_path_buf(),
                line,
                column,
                message: "not UTF-8 text".to_owned(),
            },
            other @ crate::files::TextFileError::NotRegular(_) => TranscriptError::Damaged {
                path: path.to_path_buf(),
                line: 0,
                column: 0,
                message: other.to_string(),
            },
        })?;
        let transcript: Self =
            serde_json::from_str(&text).map_err(|err| TranscriptError::Damaged {
                path: path.to_path_buf(),
                line: err.line(),
                column: err.column(),
                message: err.to_string(),
            })?;
        let whole_file = |message: String| TranscriptError::Damaged {
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            message,
        };
        if transcript.schema > SCHEMA {
            return Err(whole_file(format!(
                "written by a newer Rehearse (schema {}; this version reads up to {SCHEMA})",
                transcript.schema
            )));
        }
        if let Some(problem) = transcript.problem() {
            return Err(whole_file(problem));
        }
        Ok(transcript)
    }

    /// What makes this transcript impossible, if anything: times out of
    /// order or past the end, a probability outside 0..1.
    fn problem(&self) -> Option<String> {
        let limit = self.duration_ms.saturating_add(1_000);
        for word in &self.words {
            if word.start_ms > word.end_ms || word.end_ms > limit {
                return Some(format!(
                    "the word {:?} has impossible times ({} to {} ms in {} ms of audio)",
                    word.text, word.start_ms, word.end_ms, self.duration_ms
                ));
            }
            if !(0.0..=1.0).contains(&word.probability) {
                return Some(format!(
                    "the word {:?} has an impossible probability {}",
                    word.text, word.probability
                ));
            }
        }
        self.segments
            .iter()
            .find(|s| s.start_ms > s.end_ms || s.end_ms > limit)
            .map(|s| {
                format!(
                    "a segment has impossible times ({} to {} ms in {} ms of audio)",
                    s.start_ms, s.end_ms, self.duration_ms
                )
            })
    }

    /// Writes the transcript to `path` atomically.
    pub fn write(&self, path: &Path) -> Result<(), TranscriptError> {
        let mut json = serde_json::to_vec_pretty(self).map_err(|err| TranscriptError::Io {
            path: path.to_path_buf(),
            source: io::Error::other(err),
        })?;
        json.push(b'\n');
        crate::durable::atomic_write(path, &json).map_err(|source| TranscriptError::Io {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// `HH:MM:SS.mmm` (WebVTT) or `HH:MM:SS,mmm` (SubRip).
fn timestamp(ms: u64, separator: char) -> String {
    let (hours, rest) = (ms / 3_600_000, ms % 3_600_000);
    let (minutes, rest) = (rest / 60_000, rest % 60_000);
    let (seconds, millis) = (rest / 1000, rest % 1000);
    format!("{hours:02}:{minutes:02}:{seconds:02}{separator}{millis:03}")
}

/// A cue's text: a blank line or `-->` would end or confuse the cue.
fn caption_text(text: &str) -> String {
    text.replace("-->", "->")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
pub(crate) fn fixture() -> Transcript {
    let word = |text: &str, start_ms, end_ms| Word {
        text: text.to_owned(),
        start_ms,
        end_ms,
        probability: 0.9,
    };
    Transcript {
        schema: SCHEMA,
        model: ModelStamp {
            name: "tiny.en".to_owned(),
            sha256: "ab".repeat(32),
        },
        language: "en".to_owned(),
        duration_ms: 4_000,
        segments: vec![
            Segment {
                start_ms: 0,
                end_ms: 1_500,
                text: "So, um, I would start.".to_owned(),
            },
            Segment {
                start_ms: 1_600,
                end_ms: 3_900,
                text: "Then the logs --> index.".to_owned(),
            },
        ],
        words: vec![
            word("So,", 100, 300),
            word("um,", 350, 600),
            word("I", 700, 800),
            word("would", 800, 1_000),
            word("start.", 1_000, 1_400),
        ],
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sidecar_sits_beside_the_take() {
        assert_eq!(
            sidecar_path(Path::new("/s/takes/01-q-take1.wav")),
            Path::new("/s/takes/01-q-take1.transcript.json")
        );
    }

    #[test]
    fn writes_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.transcript.json");
        let transcript = fixture();
        transcript.write(&path).unwrap();
        assert_eq!(Transcript::read(&path).unwrap(), transcript);
        assert_eq!(
            transcript.summary(),
            TranscriptSummary {
                words: 5,
                model: "tiny.en".to_owned()
            }
        );
        assert_eq!(
            transcript.text(),
            "So, um, I would start. Then the logs --> index."
        );
    }

    #[test]
    fn captions_have_the_formats_timestamps() {
        let transcript = fixture();
        assert_eq!(
            transcript.to_vtt(),
            "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nSo, um, I would start.\n\n\
             00:00:01.600 --> 00:00:03.900\nThen the logs -> index.\n"
        );
        assert!(
            transcript
                .to_srt()
                .starts_with("1\n00:00:00,000 --> 00:00:01,500\nSo, um")
        );
        assert_eq!(timestamp(3_723_004, '.'), "01:02:03.004");
    }

    #[test]
    fn a_damaged_file_is_named_with_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.transcript.json");
        std::fs::write(&path, "{\n  \"schema\": 1,\n  \"model\": 3\n}").unwrap();
        let err = Transcript::read(&path).unwrap_err();
        assert!(
            matches!(err, TranscriptError::Damaged { line: 3, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("a.transcript.json:3:"), "{err}");

        let mut impossible = fixture();
        impossible.words[0].end_ms = 99_000;
        impossible.write(&path).unwrap();
        let err = Transcript::read(&path).unwrap_err().to_string();
        assert!(err.contains("impossible times"), "{err}");

        let mut newer = fixture();
        newer.schema = SCHEMA + 1;
        newer.write(&path).unwrap();
        let err = Transcript::read(&path).unwrap_err().to_string();
        assert!(err.contains("newer Rehearse"), "{err}");

        let missing = Transcript::read(&dir.path().join("none.json")).unwrap_err();
        assert!(matches!(missing, TranscriptError::Missing { .. }));
    }
}
