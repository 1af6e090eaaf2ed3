//! Where Rehearse keeps its files: the data folder and what lives in it.
//!
//! The folder is the platform's data directory for the app, unless the user
//! names another with `--data-dir` or `REHEARSE_DATA_DIR` (tests always do).

use std::path::{Path, PathBuf};

/// The reverse-DNS application id, shared by the window, the desktop file and
/// the packaging.
pub const APP_ID: &str = "io.github.rehearse.Rehearse";

/// The data folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

/// No data folder could be determined.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot find a home folder to keep Rehearse's data in; name one with --data-dir DIR or REHEARSE_DATA_DIR"
)]
pub struct NoDataDir;

impl DataDir {
    /// `explicit` when given, otherwise the platform's data folder for the
    /// app (e.g. `~/.local/share/rehearse` on Linux). Nothing is created.
    pub fn resolve(explicit: Option<PathBuf>) -> Result<Self, NoDataDir> {
        let root = match explicit {
            Some(root) => root,
            None => directories::ProjectDirs::from("io.github", "rehearse", "Rehearse")
                .ok_or(NoDataDir)?
                .data_dir()
                .to_path_buf(),
        };
        Ok(Self { root })
    }

    /// The folder itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// One folder per practice session.
    pub fn sessions(&self) -> PathBuf {
        self.root.join("sessions")
    }

    /// The user's settings.
    pub fn settings(&self) -> PathBuf {
        self.root.join("settings.json")
    }

    /// The user's own question packs (`*.json`).
    pub fn questions(&self) -> PathBuf {
        self.root.join("questions")
    }

    /// Speech recognition models (`ggml-<name>.bin`).
    pub fn models(&self) -> PathBuf {
        self.root.join("models")
    }
}

/// The user's documents folder, else the home folder: where exports are
/// suggested.
pub fn documents_folder() -> Option<PathBuf> {
    directories::UserDirs::new()
        .and_then(|dirs| dirs.document_dir().map(Path::to_path_buf))
        .or_else(|| directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_path_buf()))
}
