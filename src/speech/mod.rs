//! Speech recognition, on this machine: the whisper.cpp engine, the models
//! it reads (a catalogue, the installed ones, download and import) and the
//! transcripts it writes beside each take. No UI types: the window, the
//! terminal and the export all use this.
//!
//! - [`engine`]: loads a model lazily, transcribes with word times;
//! - [`pcm`]: a take as 16 kHz mono samples;
//! - [`transcript`]: the transcript file and its formats (text, VTT, SRT);
//! - [`models`]: the catalogue, the installed models, checks and import;
//! - [`download`]: fetching a model when the user asks;
//! - [`trial`]: loading a new model once in a child process before it is
//!   installed;
//! - `mingw_math` (the Windows build only): a fast `exp` for whisper.cpp in
//!   place of MinGW-w64's x87 one.

pub mod align;
pub mod download;
pub mod engine;
#[cfg(all(windows, target_env = "gnu"))]
pub mod mingw_math;
pub mod models;
pub mod pcm;
pub mod transcript;
pub mod trial;

pub use engine::{Control, Engine, SegmentListener, SpeechError};
pub use transcript::{Transcript, TranscriptSummary};
