//! The sentence model: all-MiniLM-L6-v2 (a 6-layer BERT, 384 numbers per
//! sentence) run in-process with candle, its tokenizer read by the
//! `tokenizers` crate. A sentence becomes the mean of its tokens' last
//! hidden states (padding left out), scaled to length 1, as
//! sentence-transformers does for this model; two sentences' similarity is
//! then the dot product of their vectors (their cosine).
//!
//! The weights are read into memory (90.9 MB) rather than mapped, so no
//! unsafe code is needed and a file changed on disk later cannot change a
//! running model.

use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config, HiddenAct, PositionEmbeddingType};
use tokenizers::Tokenizer;

/// Tokens a sentence is cut to (the model was trained on at most 256).
pub const MAX_TOKENS: usize = 256;
/// Sentences embedded in one pass (sorted by length, so little padding).
const BATCH: usize = 32;
/// Numbers per sentence.
pub const DIMENSIONS: usize = 384;

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
        /// What candle said.
        reason: String,
    },
    /// Running the model failed.
    #[error("the sentence model failed: {0}")]
    Run(String),
}

/// The configuration of all-MiniLM-L6-v2 (its `config.json`).
fn config() -> Config {
    Config {
        vocab_size: 30522,
        hidden_size: DIMENSIONS,
        num_hidden_layers: 6,
        num_attention_heads: 12,
        intermediate_size: 1536,
        hidden_act: HiddenAct::Gelu,
        hidden_dropout_prob: 0.1,
        max_position_embeddings: 512,
        type_vocab_size: 2,
        initializer_range: 0.02,
        layer_norm_eps: 1e-12,
        pad_token_id: 0,
        position_embedding_type: PositionEmbeddingType::Absolute,
        use_cache: true,
        classifier_dropout: None,
        model_type: Some("bert".to_owned()),
    }
}

/// The loaded sentence model.
pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
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
        Self::from_bytes((weights, read(weights)?), (tokenizer, &read(tokenizer)?))
    }

    /// The model from the bytes of its weights and its tokenizer, already
    /// read (and checked) by the caller; the paths name them in errors.
    pub fn from_bytes(
        (weights, weight_bytes): (&Path, Vec<u8>),
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
        let weight_error = |reason: String| EmbedError::Weights {
            path: weights.to_path_buf(),
            reason,
        };
        let device = Device::Cpu;
        let builder = VarBuilder::from_buffered_safetensors(weight_bytes, DType::F32, &device)
            .map_err(|err| weight_error(err.to_string()))?;
        let model =
            BertModel::load(builder, &config()).map_err(|err| weight_error(err.to_string()))?;
        Ok(Self {
            model,
            tokenizer: tokens,
            device,
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
        let run = |err: &dyn std::fmt::Display| EmbedError::Run(err.to_string());
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|err| run(&err))?;
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| encodings[i].get_ids().len());
        let mut vectors = vec![Vec::new(); texts.len()];
        for batch in order.chunks(BATCH) {
            let longest = batch
                .iter()
                .map(|&i| encodings[i].get_ids().len())
                .max()
                .unwrap_or(0)
                .max(1);
            let mut ids = vec![0u32; batch.len() * longest];
            let mut mask = vec![0u32; batch.len() * longest];
            for (row, &i) in batch.iter().enumerate() {
                for (column, &id) in encodings[i].get_ids().iter().enumerate() {
                    ids[row * longest + column] = id;
                    mask[row * longest + column] = 1;
                }
            }
            let shape = (batch.len(), longest);
            let ids = Tensor::from_vec(ids, shape, &self.device).map_err(|err| run(&err))?;
            let mask = Tensor::from_vec(mask, shape, &self.device).map_err(|err| run(&err))?;
            let types = ids.zeros_like().map_err(|err| run(&err))?;
            let hidden = self
                .model
                .forward(&ids, &types, Some(&mask))
                .map_err(|err| run(&err))?;
            let pooled = mean_pool(&hidden, &mask).map_err(|err| run(&err))?;
            let rows: Vec<Vec<f32>> = pooled.to_vec2().map_err(|err| run(&err))?;
            for (&i, row) in batch.iter().zip(rows) {
                vectors[i] = unit(row);
            }
        }
        Ok(vectors)
    }
}

/// The mean of each row's hidden states where `mask` is 1.
fn mean_pool(hidden: &Tensor, mask: &Tensor) -> candle_core::Result<Tensor> {
    let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
    let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
    let counts = mask.sum(1)?.clamp(1e-9, f64::MAX)?;
    summed.broadcast_div(&counts)
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
