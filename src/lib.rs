//! Rehearse: a private, offline mock-interview recorder.
//!
//! The library holds everything; the binary only parses the command line.
//! Layers, each using only those below it (`scripts/check_layers.py`
//! checks every `crate::` path against this list in `make test`):
//!
//! - [`cli`]: the command line: a subcommand, or the window;
//! - [`shell`]: the window: eframe's frame loop around the app and the screens;
//! - [`ui`]: the window's screens, drawn from the app state;
//! - [`app`]: the window's state and commands; background work on threads;
//! - [`recording`]: the recording driver of a session, for window and terminal;
//! - [`store`]: sessions on disk, settings and history queries;
//! - [`content`]: what an answer covered: points, STAR parts, follow-ups (the
//!   sentence model runs here);
//! - [`feedback`]: what the words of a transcript say (pure);
//! - [`speech`]: transcripts of takes, on this machine (whisper.cpp);
//! - [`analysis`]: speech metrics from a take (pure);
//! - [`interview`]: the plan and the state machine of a session (pure);
//! - [`questions`]: question packs, loaded and validated;
//! - [`audio`]: devices, recording, recovery and playback;
//! - [`voice`]: the interviewer's voice (the system's speech synthesis);
//! - [`paths`]: where the data lives;
//! - [`logging`]: the log (stderr and a rotated file);
//! - [`durable`]: private, atomic, never-replacing writes;
//! - [`files`]: reading the user's text files safely, safe names and text;
//! - [`model`]: plain data shared by all.

pub mod analysis;
pub mod app;
pub mod audio;
pub mod cli;
pub mod content;
pub mod durable;
pub mod feedback;
pub mod files;
pub mod interview;
pub mod logging;
pub mod model;
pub mod paths;
pub mod questions;
pub mod recording;
pub mod shell;
pub mod speech;
pub mod store;
pub mod ui;
pub mod voice;
