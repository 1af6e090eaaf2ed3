//! The sentence model: all-MiniLM-L6-v2 (a 6-layer BERT, 384 numbers per
//! sentence) run in-process by [`super::bert`], its tokenizer read by the
//! `tokenizers` crate. A sentence becomes the mean of its tokens' last
//! hidden states, scaled to length 1, as sentence-transformers does for
//! this model; two sentences' similarity is then the dot product of their
//! vectors (their cosine).
//!
//! The weights are read into memory (90.9 MB) rather than mapped, so a
//! file changed on disk later cannot change a running model.

use std::path::Path;

use tokenizers::Tokenizer;

use super::bert::Encoder;

/// Tokens a sentence is cut to (the model was trained on at most 256).
pub const MAX_TOKENS: usize = 256;
/// Numbers per sentence.
pub const DIMENSIONS: usize = super::bert::WIDTH;

/// Why the model cannot be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// A file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The tokenizer file is not one this model can use.
    #[error("{}: not a usable tokenizer: {reason}", path.display())]
    Tokenizer {
        /// The file.
        path: std::path::PathBuf,
        /// What the tokenizers library said.
        reason: String,
    },
    /// The weights are not all-MiniLM-L6-v2's.
    #[error("{}: not the sentence model's weights: {reason}", path.display())]
    Weights {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong with them.
        reason: String,
    },
    /// Running the model failed.
    #[error("the sentence model failed: {0}")]
    Run(String),
}

/// The loaded sentence model.
pub struct Embedder {
    encoder: Encoder,
    tokenizer: Tokenizer,
    /// Vectors of texts that come back take after take (a question's
    /// points and phrases, the STAR examples), by text.
    remembered: std::sync::Mutex<std::collections::HashMap<String, Vec<f32>>>,
}

/// Texts remembered at most; past this the memory starts again.
const REMEMBERED: usize = 4096;

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Embedder(all-MiniLM-L6-v2)")
    }
}

impl Embedder {
    /// Loads the weights (`model.safetensors`) and the tokenizer
    /// (`tokenizer.json`).
    pub fn load(weights: &Path, tokenizer: &Path) -> Result<Self, EmbedError> {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|source| EmbedError::Io {
                path: path.to_path_buf(),
                source,
            })
        };
        Self::from_bytes((weights, &read(weights)?), (tokenizer, &read(tokenizer)?))
    }

    /// The model from the bytes of its weights and its tokenizer, already
    /// read (and checked) by the caller; the paths name them in errors.
    pub fn from_bytes(
        (weights, weight_bytes): (&Path, &[u8]),
        (tokenizer, tokenizer_bytes): (&Path, &[u8]),
    ) -> Result<Self, EmbedError> {
        let mut tokens =
            Tokenizer::from_bytes(tokenizer_bytes).map_err(|err| EmbedError::Tokenizer {
                path: tokenizer.to_path_buf(),
                reason: err.to_string(),
            })?;
        tokens.with_padding(None);
        tokens
            .with_truncation(Some(tokenizers::TruncationParams {
                max_length: MAX_TOKENS,
                ..Default::default()
            }))
            .map_err(|err| EmbedError::Tokenizer {
                path: tokenizer.to_path_buf(),
                reason: err.to_string(),
            })?;
        let encoder =
            Encoder::from_safetensors(weight_bytes).map_err(|reason| EmbedError::Weights {
                path: weights.to_path_buf(),
                reason,
            })?;
        Ok(Self {
            encoder,
            tokenizer: tokens,
            remembered: std::sync::Mutex::default(),
        })
    }

    /// Each text's vector, as [`Self::embed`], remembering them: for texts
    /// that are the same every time (a question's points), so only the
    /// answer's own sentences are run through the model after the first
    /// take.
    pub fn embed_remembered(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut remembered = self
            .remembered
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut new: Vec<&str> = texts
            .iter()
            .copied()
            .filter(|text| !remembered.contains_key(*text))
            .collect();
        new.sort_unstable();
        new.dedup();
        if !new.is_empty() {
            let vectors = self.embed(&new)?;
            if remembered.len() + new.len() > REMEMBERED {
                remembered.clear();
            }
            for (text, vector) in new.into_iter().zip(vectors) {
                remembered.insert(text.to_owned(), vector);
            }
        }
        Ok(texts
            .iter()
            .map(|text| remembered.get(*text).cloned().unwrap_or_default())
            .collect())
    }

    /// Each text's vector (length 1), in order.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|err| EmbedError::Run(err.to_string()))?;
        let sequences: Vec<&[u32]> = encodings.iter().map(|e| e.get_ids()).collect();
        Ok(self
            .encoder
            .mean_states(&sequences)
            .into_iter()
            .map(unit)
            .collect())
    }
}

/// `vector` scaled to length 1 (a zero vector stays zero).
fn unit(mut vector: Vec<f32>) -> Vec<f32> {
    let length = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if length > 0.0 {
        for x in &mut vector {
            *x /= length;
        }
    }
    vector
}

/// The cosine of two unit vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
