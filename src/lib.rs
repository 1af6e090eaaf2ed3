//! Rehearse: a private, offline mock-interview recorder.
//!
//! The library holds everything; the binary only parses the command line.
//! Layers, each using only those below it:
//!
//! - [`shell`]: the window: eframe's frame loop around the app and the screens;
//! - [`ui`]: the window's screens, drawn from the app state;
//! - [`app`]: the window's state and commands; background work on threads;
//! - [`cli`]: the subcommands, over the services;
//! - [`analysis`]: speech metrics from a take (pure);
//! - [`speech`]: transcripts of takes, on this machine (whisper.cpp);
//! - [`store`]: sessions on disk, settings and history queries;
//! - [`interview`]: the plan and the state machine of a session (pure);
//! - [`audio`]: devices, recording, recovery and playback;
//! - [`questions`]: question packs, loaded and validated;
//! - [`paths`]: where the data lives;
//! - [`files`]: reading the user's text files safely;
//! - [`durable`]: private, atomic, never-replacing writes;
//! - [`logging`]: the log (stderr and a rotated file);
//! - [`model`]: plain data shared by all.

pub mod analysis;
pub mod app;
pub mod audio;
pub mod cli;
pub mod durable;
pub mod feedback;
pub mod files;
pub mod interview;
pub mod logging;
pub mod model;
pub mod paths;
pub mod questions;
pub mod shell;
pub mod speech;
pub mod store;
pub mod ui;
pub mod voice;
