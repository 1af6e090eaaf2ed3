//! Speech recognition models: the catalogue of published whisper.cpp
//! models, the ones installed in the data folder's `models/`, and the check
//! that a file is a whole Whisper model before it is used or imported.
//!
//! A model is installed as `models/ggml-<name>.bin`. A download in progress
//! is `ggml-<name>.bin.partial` (see [`super::download`]); an import is
//! copied to a temporary name and renamed, so a half-copied file is never
//! taken for a model.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::trial::Trial;

/// One published model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CatalogueModel {
    /// The name used everywhere (`base.en`).
    pub name: &'static str,
    /// Exact size of the file, in bytes.
    pub size: u64,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: &'static str,
    /// One line on speed and accuracy.
    pub note: &'static str,
}

/// Where published models are downloaded from (`ggml-<name>.bin` is added).
pub const DOWNLOAD_BASE: &str = "https://huggingface.co/ggerganov/whisper.cpp/resolve/main";

/// The model recommended to most users.
pub const RECOMMENDED: &str = "base.en";

/// The published English models of whisper.cpp's model repository. Sizes
/// and SHA-256 sums are each taken from two independent public model
/// tables that agree: the model catalogues of open-source whisper.cpp
/// front ends (a Rust desktop app's `model_catalog` listing every ggml file
/// with its size and hash, and a TypeScript app's `MODEL_FILES` table with
/// the hashes of tiny.en, base.en and small.en and their `q5_1` and `q8_0`
/// variants; tiny.en and base.en also agree with a Swift app's catalogue,
/// which gives their sizes). tiny.en's size is also the one given in
/// whisper.cpp's model table (77,704,715 bytes). Word error rates on
/// LibriSpeech test-clean are from the Whisper paper (greedy decoding).
pub const CATALOGUE: &[CatalogueModel] = &[
    CatalogueModel {
        name: "tiny.en",
        size: 77_704_715,
        sha256: "921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f",
        note: "fastest, for slow machines; about 1 word in 18 misheard",
    },
    CatalogueModel {
        name: "tiny.en-q5_1",
        size: 32_166_155,
        sha256: "c77c5766f1cef09b6b7d47f21b546cbddd4157886b3b5d6d4f709e91e66c7c2b",
        note: "tiny.en compressed to 5 bits: smallest download, a little less accurate",
    },
    CatalogueModel {
        name: "tiny.en-q8_0",
        size: 43_550_795,
        sha256: "5bc2b3860aa151a4c6e7bb095e1fcce7cf12c7b020ca08dcec0c6d018bb7dd94",
        note: "tiny.en compressed to 8 bits: about as accurate, half the size",
    },
    CatalogueModel {
        name: "base.en",
        size: 147_964_211,
        sha256: "a03779c86df3323075f5e796cb2ce5029f00ec8869eee3fdfb897afe36c6d002",
        note: "recommended: fast on any laptop; about 1 word in 24 misheard",
    },
    CatalogueModel {
        name: "base.en-q5_1",
        size: 59_721_011,
        sha256: "4baf70dd0d7c4247ba2b81fafd9c01005ac77c2f9ef064e00dcf195d0e2fdd2f",
        note: "base.en compressed to 5 bits: 40 % of the download, slightly less accurate",
    },
    CatalogueModel {
        name: "base.en-q8_0",
        size: 81_781_811,
        sha256: "a4d4a0768075e13cfd7e19df3ae2dbc4a68d37d36a7dad45e8410c9a34f8c87e",
        note: "base.en compressed to 8 bits: about as accurate, half the size",
    },
    CatalogueModel {
        name: "small.en",
        size: 487_614_201,
        sha256: "c6138d6d58ecc8322097e0f987c32f1be8bb0a18532a3f88f734d1bbf9c41e5d",
        note: "most accurate here (about 1 word in 32 misheard); 3 times slower than base.en",
    },
    CatalogueModel {
        name: "small.en-q5_1",
        size: 190_098_681,
        sha256: "bfdff4894dcb76bbf647d56263ea2a96645423f1669176f4844a1bf8e478ad30",
        note: "small.en compressed to 5 bits: 40 % of the download",
    },
    CatalogueModel {
        name: "small.en-q8_0",
        size: 264_477_561,
        sha256: "67a179f608ea6114bd3fdb9060e762b588a3fb3bd00c4387971be4d177958067",
        note: "small.en compressed to 8 bits: about as accurate, half the size",
    },
];

/// The catalogue entry called `name`.
pub fn catalogue_model(name: &str) -> Option<&'static CatalogueModel> {
    CATALOGUE.iter().find(|model| model.name == name)
}

/// The catalogue entry whose file has this size and hash.
pub fn catalogue_model_by_hash(sha256: &str) -> Option<&'static CatalogueModel> {
    CATALOGUE.iter().find(|model| model.sha256 == sha256)
}

impl CatalogueModel {
    /// The file name (`ggml-base.en.bin`).
    pub fn file_name(&self) -> String {
        file_name(self.name)
    }

    /// Where it is downloaded from.
    pub fn url(&self) -> String {
        format!("{DOWNLOAD_BASE}/{}", self.file_name())
    }
}

/// The file name of the model called `name`.
pub fn file_name(name: &str) -> String {
    format!("ggml-{name}.bin")
}

/// A size as people read model sizes: `148 MB`.
pub fn megabytes(bytes: u64) -> String {
    format!("{:.0} MB", bytes as f64 / 1e6)
}

/// The model's name from its file name (`ggml-base.en.bin` → `base.en`).
pub fn name_of(path: &Path) -> Option<String> {
    let file = path.file_name()?.to_str()?;
    let name = file.strip_prefix("ggml-")?.strip_suffix(".bin")?;
    is_valid_name(name).then(|| name.to_owned())
}

/// A model name: letters, digits, `.`, `-` and `_`, not starting with a dot.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// The size of a Whisper model, read from its hyper-parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WhisperSize {
    /// 39 M parameters.
    Tiny,
    /// 74 M.
    Base,
    /// 244 M.
    Small,
    /// 769 M.
    Medium,
    /// 1,550 M (and large-v3-turbo, which has fewer decoder layers).
    Large,
}

impl WhisperSize {
    /// Lowercase name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Tiny => "tiny",
            Self::Base => "base",
            Self::Small => "small",
            Self::Medium => "medium",
            Self::Large => "large",
        }
    }
}

/// What a model file holds, as checked by [`inspect`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelFileInfo {
    /// The architecture's size.
    pub size: WhisperSize,
    /// English only (`.en`), from the vocabulary size.
    pub english_only: bool,
    /// Number of tensors.
    pub tensors: usize,
    /// Length of the file, in bytes.
    pub bytes: u64,
}

/// Why a file is not a usable Whisper model.
#[derive(Debug, thiserror::Error)]
pub enum ModelFileError {
    /// Reading failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// The file is not a whisper.cpp model at all.
    #[error("{}: not a Whisper model for whisper.cpp ({reason})", path.display())]
    NotAModel {
        /// The file.
        path: PathBuf,
        /// What gave it away.
        reason: String,
    },
    /// The file starts like a model but is cut short or damaged.
    #[error("{}: a damaged or incomplete Whisper model ({reason}); download or import it again", path.display())]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// The ggml magic, `ggml` read as a little-endian u32.
const GGML_MAGIC: u32 = 0x6767_6d6c;

/// Checks that `path` is a whole whisper.cpp model: the ggml magic, the
/// hyper-parameters of a known Whisper size, and every tensor present up
/// to the exact end of the file (the tensors' data is skipped, not read).
pub fn inspect(path: &Path) -> Result<ModelFileInfo, ModelFileError> {
    read_model(path, false)
}

/// [`inspect`], and every weight read: a model whose weights hold a value
/// that is not a number (NaN or infinite) is damaged (it transcribes
/// `!!!!`, many times slower). Reads the whole file: for a model being
/// installed, not one being loaded.
pub fn inspect_weights(path: &Path) -> Result<ModelFileInfo, ModelFileError> {
    read_model(path, true)
}

fn read_model(path: &Path, check_weights: bool) -> Result<ModelFileInfo, ModelFileError> {
    let io_error = |source| ModelFileError::Io {
        path: path.to_path_buf(),
        source,
    };
    crate::files::ensure_regular(path).map_err(|err| match err {
        crate::files::TextFileError::Io(source) => io_error(source),
        other => ModelFileError::NotAModel {
            path: path.to_path_buf(),
            reason: other.to_string(),
        },
    })?;
    let file = File::open(path).map_err(io_error)?;
    let bytes = file.metadata().map_err(io_error)?.len();
    let mut reader = Reader {
        inner: BufReader::new(file),
        bytes,
        position: 0,
    };
    let not_a_model = |reason: String| ModelFileError::NotAModel {
        path: path.to_path_buf(),
        reason,
    };
    let damaged = |reason: String| ModelFileError::Damaged {
        path: path.to_path_buf(),
        reason,
    };
    let magic = reader
        .u32()
        .map_err(|_| not_a_model("shorter than a model's header".to_owned()))?;
    if magic != GGML_MAGIC {
        return Err(not_a_model(format!(
            "it starts with {:02x?}, not the ggml signature",
            magic.to_le_bytes()
        )));
    }
    let short = |_| damaged("it ends inside its header".to_owned());
    let mut hparams = [0u32; 11];
    for value in &mut hparams {
        *value = reader.u32().map_err(short)?;
    }
    let (size, n_mels) = whisper_size(&hparams).map_err(not_a_model)?;
    let [n_vocab, _, _, _, n_audio_layer, _, _, _, n_text_layer, _, _] = hparams;
    // The mel filters.
    let filter_mels = reader.u32().map_err(short)?;
    let filter_bins = reader.u32().map_err(short)?;
    if filter_mels != n_mels || filter_bins > 1024 {
        return Err(damaged(format!(
            "its mel filters are {filter_mels} × {filter_bins}"
        )));
    }
    reader
        .skip(u64::from(filter_mels) * u64::from(filter_bins) * 4)
        .map_err(short)?;
    // The vocabulary.
    let words = reader.u32().map_err(short)?;
    if words > n_vocab {
        return Err(damaged(format!(
            "its vocabulary lists {words} tokens of {n_vocab}"
        )));
    }
    for _ in 0..words {
        let length = reader.u32().map_err(short)?;
        if length > 1024 {
            return Err(damaged(format!("a token of {length} bytes")));
        }
        reader.skip(u64::from(length)).map_err(short)?;
    }
    let tensors = read_tensors(&mut reader, check_weights).map_err(damaged)?;
    let least = 2 + 2 + 10 * n_audio_layer as usize + 3 + 15 * n_text_layer as usize;
    if tensors < least {
        return Err(damaged(format!(
            "it holds {tensors} tensors, a {} model has at least {least}",
            size.label()
        )));
    }
    Ok(ModelFileInfo {
        size,
        english_only: n_vocab == 51_864,
        tensors,
        bytes,
    })
}

/// The Whisper size and the number of mel bands that hyper-parameters
/// describe, or why they are not a Whisper model's.
fn whisper_size(hparams: &[u32; 11]) -> Result<(WhisperSize, u32), String> {
    let [
        n_vocab,
        n_audio_ctx,
        n_audio_state,
        n_audio_head,
        n_audio_layer,
        n_text_ctx,
        n_text_state,
        n_text_head,
        n_text_layer,
        n_mels,
        ftype,
    ] = *hparams;
    // whisper.cpp keeps the file type modulo its quantisation version and
    // aborts the process on a type its table lacks (5 and 6 were removed
    // from ggml; 4 maps to nothing): only the types whose tensors
    // `tensor_bytes` knows are accepted.
    let kind = ftype % GGML_QUANTISATION_VERSION_FACTOR;
    if !MODEL_FILE_TYPES.contains(&kind) {
        return Err(format!(
            "its weight type {ftype} is not one whisper.cpp models use (f32, f16, q4, q5, q8)"
        ));
    }
    let size = match (n_audio_state, n_audio_layer) {
        (384, 4) => WhisperSize::Tiny,
        (512, 6) => WhisperSize::Base,
        (768, 12) => WhisperSize::Small,
        (1024, 24) => WhisperSize::Medium,
        (1280, 32) => WhisperSize::Large,
        _ => {
            return Err(format!(
                "its encoder ({n_audio_layer} layers of width {n_audio_state}) is not a Whisper size"
            ));
        }
    };
    if n_audio_ctx != 1500
        || n_text_ctx != 448
        || n_text_state != n_audio_state
        || n_audio_head != n_audio_state / 64
        || n_text_head != n_text_state / 64
        || !(1..=n_audio_layer).contains(&n_text_layer)
        || !(n_mels == 80 || n_mels == 128)
        || !(51_864..=51_866).contains(&n_vocab)
    {
        return Err(format!(
            "its hyper-parameters (vocabulary {n_vocab}, {n_mels} mel bands, text context {n_text_ctx}) are not Whisper's"
        ));
    }
    Ok((size, n_mels))
}

/// ggml's model file types (`enum ggml_ftype`) of the tensor types
/// [`tensor_bytes`] knows: all f32, mostly f16, `q4_0`, `q4_1`, `q8_0`,
/// `q5_0`, `q5_1`.
const MODEL_FILE_TYPES: [u32; 7] = [0, 1, 2, 3, 7, 8, 9];

/// ggml stores a quantised model's format version in the file type's
/// thousands.
const GGML_QUANTISATION_VERSION_FACTOR: u32 = 1000;

/// Walks the tensors to the end of the file; returns how many there are.
fn read_tensors(reader: &mut Reader, check_weights: bool) -> Result<usize, String> {
    let mut count = 0;
    loop {
        if reader.position == reader.bytes {
            return Ok(count);
        }
        let cut = |_| format!("it ends inside tensor {}", count + 1);
        let n_dims = reader.u32().map_err(cut)?;
        let name_length = reader.u32().map_err(cut)?;
        let kind = reader.u32().map_err(cut)?;
        if !(1..=4).contains(&n_dims) || !(1..=256).contains(&name_length) {
            return Err(format!("tensor {} has an impossible header", count + 1));
        }
        let mut elements: u64 = 1;
        let mut first_dim = 0;
        for dim in 0..n_dims {
            let extent = reader.u32().map_err(cut)?;
            if extent == 0 || extent > 1 << 20 {
                return Err(format!("tensor {} has a dimension of {extent}", count + 1));
            }
            if dim == 0 {
                first_dim = extent;
            }
            elements = elements.saturating_mul(u64::from(extent));
        }
        reader.skip(u64::from(name_length)).map_err(cut)?;
        let data = tensor_bytes(kind, elements, first_dim)
            .ok_or_else(|| format!("tensor {} has the unknown type {kind}", count + 1))?;
        if check_weights {
            if !weights_are_numbers(reader, kind, data).map_err(cut)? {
                return Err(format!(
                    "tensor {} holds a weight that is not a number (NaN or infinite)",
                    count + 1
                ));
            }
        } else {
            reader.skip(data).map_err(cut)?;
        }
        count += 1;
    }
}

/// Reads `bytes` of a tensor of type `kind` and says whether its weights
/// are all numbers: every f32 and f16 value, and the f16 scales of each
/// quantised block (the quantised values themselves are small integers).
fn weights_are_numbers(reader: &mut Reader, kind: u32, bytes: u64) -> io::Result<bool> {
    // (bytes per unit, offsets of the f16 values in it, f32 instead)
    let (unit, halves, single): (usize, &[usize], bool) = match kind {
        0 => (4, &[], true),
        1 => (2, &[0], false),
        2 => (18, &[0], false),
        3 => (20, &[0, 2], false),
        6 => (22, &[0], false),
        7 => (24, &[0, 2], false),
        8 => (34, &[0], false),
        _ => return reader.skip(bytes).map(|()| true),
    };
    let mut buffer = vec![0u8; unit * (1 << 16)];
    let mut left = bytes;
    while left > 0 {
        let take = buffer
            .len()
            .min(usize::try_from(left).unwrap_or(usize::MAX));
        reader.read(&mut buffer[..take])?;
        left -= take as u64;
        for chunk in buffer[..take].chunks_exact(unit) {
            let finite = if single {
                u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]) & 0x7f80_0000
                    != 0x7f80_0000
            } else {
                halves
                    .iter()
                    .all(|&at| u16::from_le_bytes([chunk[at], chunk[at + 1]]) & 0x7c00 != 0x7c00)
            };
            if !finite {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// Bytes of a tensor's data: ggml's block sizes for the types whisper.cpp
/// models use (f32, f16 and the quantized 4, 5 and 8 bit blocks of 32).
fn tensor_bytes(kind: u32, elements: u64, first_dim: u32) -> Option<u64> {
    let per_block = |bytes: u64| {
        first_dim
            .is_multiple_of(32)
            .then_some(elements / 32 * bytes)
    };
    match kind {
        0 => Some(elements * 4),
        1 => Some(elements * 2),
        2 => per_block(18), // q4_0
        3 => per_block(20), // q4_1
        6 => per_block(22), // q5_0
        7 => per_block(24), // q5_1
        8 => per_block(34), // q8_0
        _ => None,
    }
}

/// A little-endian reader that knows the file's length, so skipping past
/// the end is an error instead of a silent seek. It counts its own position:
/// asking the file for it is a system call, and a vocabulary is fifty
/// thousand short skips.
struct Reader {
    inner: BufReader<File>,
    bytes: u64,
    position: u64,
}

impl Reader {
    fn u32(&mut self) -> io::Result<u32> {
        let mut buffer = [0u8; 4];
        self.inner.read_exact(&mut buffer)?;
        self.position += 4;
        Ok(u32::from_le_bytes(buffer))
    }

    fn read(&mut self, buffer: &mut [u8]) -> io::Result<()> {
        self.inner.read_exact(buffer)?;
        self.position += buffer.len() as u64;
        Ok(())
    }

    fn skip(&mut self, count: u64) -> io::Result<()> {
        let target = self.position.saturating_add(count);
        if target > self.bytes {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        // Relative, so a skip inside the buffer keeps it.
        let offset = i64::try_from(count).map_err(|_| io::ErrorKind::UnexpectedEof)?;
        self.inner.seek_relative(offset)?;
        self.position = target;
        Ok(())
    }
}

/// SHA-256 of the file at `path`, lowercase hex.
pub fn sha256_of(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hex(&hasher.finalize()))
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A model file in the models folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstalledModel {
    /// Its name (`base.en`).
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
}

impl InstalledModel {
    /// The catalogue entry of the same name, if any.
    pub fn catalogue(&self) -> Option<&'static CatalogueModel> {
        catalogue_model(&self.name)
    }
}

/// The models in `folder` (`ggml-*.bin`), by name. A missing folder holds
/// none.
pub fn installed(folder: &Path) -> io::Result<Vec<InstalledModel>> {
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(err),
    };
    let mut models = Vec::new();
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let Some(name) = name_of(&path) else { continue };
        let metadata = entry.metadata()?;
        if metadata.is_file() {
            models.push(InstalledModel {
                name,
                path,
                bytes: metadata.len(),
            });
        }
    }
    models.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(models)
}

/// The installed model to use: `wanted` when it is installed, otherwise the
/// best installed catalogue model (base.en, then the others in catalogue
/// order), otherwise any installed model.
pub fn choose(folder: &Path, wanted: Option<&str>) -> io::Result<Option<InstalledModel>> {
    Ok(pick(&installed(folder)?, wanted).cloned())
}

/// [`choose`] among the `models` known to be installed.
pub fn pick<'a>(models: &'a [InstalledModel], wanted: Option<&str>) -> Option<&'a InstalledModel> {
    if let Some(wanted) = wanted
        && let Some(model) = models.iter().find(|m| m.name == wanted)
    {
        return Some(model);
    }
    let rank = |model: &InstalledModel| {
        if model.name == RECOMMENDED {
            0
        } else {
            CATALOGUE
                .iter()
                .position(|entry| entry.name == model.name)
                .map_or(CATALOGUE.len() + 1, |index| index + 1)
        }
    };
    models.iter().min_by_key(|model| rank(model))
}

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is not a usable model.
    #[error(transparent)]
    Model(#[from] ModelFileError),
    /// Copying failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file being written or read.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// Loading the model ended the child process that tried it.
    #[error("{}: {source}", path.display())]
    Trial {
        /// The file.
        path: PathBuf,
        /// What the trial found.
        source: super::trial::TrialError,
    },
    /// A different model of that name is installed already.
    #[error("a different model called {name} is installed already ({}); remove it first", path.display())]
    Clash {
        /// The name.
        name: String,
        /// The installed file.
        path: PathBuf,
    },
}

/// Checks the model file at `source` ([`inspect`]) and copies it into
/// `folder` as `ggml-<name>.bin`: the catalogue name when its hash is a
/// published model's, otherwise the name of its file (`ggml-<name>.bin`),
/// otherwise its size (`tiny.en-imported`). The copy is written under a
/// temporary name and synced; a model that is not a published one is then
/// loaded once by `trial` (in a child process), and only a model that
/// passes is renamed into place.
pub fn import(source: &Path, folder: &Path, trial: &Trial) -> Result<InstalledModel, ImportError> {
    let info = inspect_weights(source)?;
    let sha256 = sha256_of(source).map_err(|err| ImportError::Io {
        path: source.to_path_buf(),
        source: err,
    })?;
    let published = catalogue_model_by_hash(&sha256);
    let name = published
        .map(|model| model.name.to_owned())
        .or_else(|| name_of(source).filter(|name| catalogue_model(name).is_none()))
        .unwrap_or_else(|| {
            format!(
                "{}{}-imported",
                info.size.label(),
                if info.english_only { ".en" } else { "" }
            )
        });
    let target = folder.join(file_name(&name));
    let io_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ImportError::Io { path, source }
    };
    crate::durable::create_private_dir(folder).map_err(io_error(folder))?;
    if target.exists() {
        if sha256_of(&target).map_err(io_error(&target))? == sha256 {
            return Ok(InstalledModel {
                name,
                path: target,
                bytes: info.bytes,
            });
        }
        return Err(ImportError::Clash { name, path: target });
    }
    let temporary = crate::durable::temporary_path(
        &folder.join(format!(".{}", file_name(&name))),
        crate::durable::TEMPORARY,
    );
    let copied = (|| {
        let mut from = File::open(source)?;
        let mut to = crate::durable::create_private(&temporary)?;
        io::copy(&mut from, &mut to)?;
        to.sync_all()
    })()
    .map_err(io_error(&target))
    .and_then(|()| match published {
        Some(_) => Ok(()),
        None => trial.run(&temporary).map_err(|err| ImportError::Trial {
            path: source.to_path_buf(),
            source: err,
        }),
    })
    .and_then(|()| crate::durable::publish(&temporary, &target).map_err(io_error(&target)));
    if let Err(err) = copied {
        if let Err(cleanup) = std::fs::remove_file(&temporary)
            && cleanup.kind() != io::ErrorKind::NotFound
        {
            log::warn!("{}: {cleanup}", temporary.display());
        }
        return Err(err);
    }
    Ok(InstalledModel {
        name,
        path: target,
        bytes: info.bytes,
    })
}

/// Removes the installed model `name` (and any download of it in progress).
/// Returns whether there was anything to remove.
pub fn remove(folder: &Path, name: &str) -> io::Result<bool> {
    if !is_valid_name(name) {
        return Ok(false);
    }
    let mut removed = false;
    let model = folder.join(file_name(name));
    for path in [model.clone(), super::download::partial_path(&model)] {
        match std::fs::remove_file(&path) {
            Ok(()) => removed = true,
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(err) => return Err(err),
        }
    }
    Ok(removed)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A file with a model's layout: a tiny.en header, one tensor of
    /// `elements` f16 values per layer-sized group, no weights that mean
    /// anything. Enough for [`inspect`], not for recognition.
    pub(crate) fn fake_model(path: &Path, tensors: usize, truncate_by: u64) {
        let mut bytes = Vec::new();
        let put = |value: u32, bytes: &mut Vec<u8>| bytes.extend_from_slice(&value.to_le_bytes());
        put(GGML_MAGIC, &mut bytes);
        for value in [51_864, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1] {
            put(value, &mut bytes);
        }
        put(80, &mut bytes);
        put(201, &mut bytes);
        bytes.extend(std::iter::repeat_n(0u8, 80 * 201 * 4));
        put(2, &mut bytes);
        for token in [&b"a"[..], b"bc"] {
            put(token.len() as u32, &mut bytes);
            bytes.extend_from_slice(token);
        }
        for index in 0..tensors {
            let name = format!("t{index}");
            put(2, &mut bytes);
            put(name.len() as u32, &mut bytes);
            put(1, &mut bytes);
            put(64, &mut bytes);
            put(3, &mut bytes);
            bytes.extend_from_slice(name.as_bytes());
            bytes.extend(std::iter::repeat_n(0u8, 64 * 3 * 2));
        }
        bytes.truncate(bytes.len() - truncate_by as usize);
        std::fs::write(path, bytes).unwrap();
    }

    #[test]
    fn a_whole_model_layout_is_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ggml-x.bin");
        fake_model(&path, 120, 0);
        let info = inspect(&path).unwrap();
        assert_eq!(info.size, WhisperSize::Tiny);
        assert!(info.english_only);
        assert_eq!(info.tensors, 120);
    }

    /// The probe's model: a real layout whose file type (byte 44) is 5,
    /// which whisper.cpp's table lacks (it aborted every transcription).
    #[test]
    fn a_file_type_whisper_cpp_cannot_map_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ggml-x.bin");
        fake_model(&path, 120, 0);
        let mut bytes = std::fs::read(&path).unwrap();
        for (ftype, accepted) in [
            (5u32, false),
            (6, false),
            (4, false),
            (2007, true),
            (1, true),
        ] {
            bytes[44..48].copy_from_slice(&ftype.to_le_bytes());
            std::fs::write(&path, &bytes).unwrap();
            match inspect(&path) {
                Ok(_) => assert!(accepted, "file type {ftype} was accepted"),
                Err(err) => {
                    assert!(!accepted, "file type {ftype}: {err}");
                    assert!(err.to_string().contains("weight type"), "{err}");
                }
            }
        }
    }

    /// Weights that are not numbers transcribe `!!!!`: an import reads
    /// them all and refuses such a model; loading only walks the layout.
    #[test]
    fn weights_that_are_not_numbers_are_found_at_import() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ggml-nan.bin");
        fake_model(&path, 120, 0);
        assert!(inspect_weights(&path).is_ok());
        let mut bytes = std::fs::read(&path).unwrap();
        // The last tensor's last f16 value: infinity.
        let end = bytes.len();
        bytes[end - 2..].copy_from_slice(&0x7c00u16.to_le_bytes());
        std::fs::write(&path, &bytes).unwrap();
        assert!(inspect(&path).is_ok());
        let err = inspect_weights(&path).unwrap_err().to_string();
        assert!(
            err.contains("tensor 120 holds a weight that is not a number"),
            "{err}"
        );
        let models = dir.path().join("models");
        assert!(import(&path, &models, &passing_trial()).is_err());
        assert!(installed(&models).unwrap().is_empty());
    }

    #[test]
    fn a_truncated_model_is_damaged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ggml-x.bin");
        fake_model(&path, 120, 10);
        let err = inspect(&path).unwrap_err();
        assert!(matches!(err, ModelFileError::Damaged { .. }), "{err}");
        assert!(err.to_string().contains("ends inside tensor 120"), "{err}");
    }

    #[test]
    fn other_files_are_not_models() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.txt");
        std::fs::write(&path, "just some text, long enough to read").unwrap();
        let err = inspect(&path).unwrap_err().to_string();
        assert!(err.contains("not a Whisper model"), "{err}");
        std::fs::write(&path, "ab").unwrap();
        let err = inspect(&path).unwrap_err().to_string();
        assert!(err.contains("shorter than a model's header"), "{err}");
        let err = inspect(dir.path()).unwrap_err().to_string();
        assert!(err.contains("a folder"), "{err}");
    }

    #[test]
    fn the_catalogue_is_well_formed() {
        for model in CATALOGUE {
            assert!(is_valid_name(model.name));
            assert_eq!(model.sha256.len(), 64);
            assert!(
                model
                    .sha256
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_uppercase())
            );
            assert!(model.url().ends_with(&format!("/ggml-{}.bin", model.name)));
        }
        assert!(catalogue_model(RECOMMENDED).is_some());
    }

    #[test]
    fn names_come_from_file_names_and_nothing_else() {
        assert_eq!(
            name_of(Path::new("/m/ggml-base.en.bin")).as_deref(),
            Some("base.en")
        );
        assert_eq!(name_of(Path::new("/m/ggml-base.en.bin.partial")), None);
        assert_eq!(name_of(Path::new("/m/ggml-.bin")), None);
        assert_eq!(name_of(Path::new("/m/ggml-../x.bin")), None);
        assert!(!is_valid_name("../x"));
    }

    #[test]
    fn import_names_copies_and_refuses_clashes() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("my model.bin");
        fake_model(&source, 120, 0);
        let models = dir.path().join("models");
        let imported = import(&source, &models, &passing_trial()).unwrap();
        assert_eq!(imported.name, "tiny.en-imported");
        assert_eq!(
            std::fs::read(&imported.path).unwrap(),
            std::fs::read(&source).unwrap()
        );
        // The same file again is fine; a different one of the same name is not.
        import(&source, &models, &passing_trial()).unwrap();
        fake_model(&source, 121, 0);
        let err = import(&source, &models, &passing_trial()).unwrap_err();
        assert!(matches!(err, ImportError::Clash { .. }), "{err}");
        assert_eq!(installed(&models).unwrap().len(), 1);
        assert!(remove(&models, "tiny.en-imported").unwrap());
        assert!(installed(&models).unwrap().is_empty());
        assert!(!remove(&models, "../models").unwrap());
    }

    /// A trial by a program that always succeeds (`true`): these tests'
    /// models have a model's layout but nothing whisper.cpp could run.
    fn passing_trial() -> Trial {
        Trial::with_program(PathBuf::from("true"))
    }

    #[test]
    fn a_model_that_fails_its_trial_is_not_installed() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("ggml-odd.bin");
        fake_model(&source, 120, 0);
        let models = dir.path().join("models");
        let err = import(
            &source,
            &models,
            &Trial::with_program(PathBuf::from("false")),
        )
        .unwrap_err();
        assert!(matches!(err, ImportError::Trial { .. }), "{err}");
        assert!(
            err.to_string().starts_with(&source.display().to_string()),
            "{err}"
        );
        // Nothing is left behind: no model, no temporary copy.
        assert_eq!(std::fs::read_dir(&models).unwrap().count(), 0);
    }
}
