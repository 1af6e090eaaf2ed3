//! all-MiniLM-L6-v2's encoder, written for this one model: a BERT of 6
//! layers, 384 wide, 12 attention heads of 32, an inner layer of 1536 and
//! the exact (erf) GELU, run on the CPU.
//!
//! Why not a general tensor library (candle-transformers' `bert` ran it
//! first): the sentences of an answer are short and of different lengths.
//! A general BERT pads each batch to its longest sentence and masks the
//! padding; here the tokens of all sentences are packed one after another
//! (no padding at all), and only attention looks at the sentence each
//! token belongs to. The four products of each layer are matrix products
//! over every token at once (the `gemm` crate, the kernel candle uses), with
//! the bias and the residual written into the output first so the product
//! adds to them in the same pass; GELU and softmax use polynomial erf and
//! exp the compiler can vectorise (the C library's `erff` and `expf` took
//! a fifth of the time in candle's run). The result is the same model's
//! output to about 1e-5 (checked against candle's in the tests).

use rayon::prelude::*;

/// Numbers per token (and per sentence).
pub const WIDTH: usize = 384;
/// Attention heads.
const HEADS: usize = 12;
/// Numbers per head.
const HEAD: usize = WIDTH / HEADS;
/// Layers.
const LAYERS: usize = 6;
/// The feed-forward layer's width.
const INNER: usize = 1536;
/// Tokens the tokenizer knows.
const VOCABULARY: usize = 30522;
/// Positions the model has embeddings for.
pub const POSITIONS: usize = 512;
/// Layer normalisation's epsilon (the model's `layer_norm_eps`).
const EPSILON: f32 = 1e-12;
/// Tokens run through the layers at once: enough for large products,
/// few enough that the inner layer's activations stay small (9 MiB).
const TOKENS_AT_ONCE: usize = 1536;

/// A layer's learned scale and shift after normalisation.
struct Norm {
    gain: Vec<f32>,
    shift: Vec<f32>,
}

/// A linear map: `weight` is `outputs` rows of `inputs` numbers, as
/// `PyTorch` stores it.
struct Linear {
    weight: Vec<f32>,
    bias: Vec<f32>,
    inputs: usize,
    outputs: usize,
}

/// One transformer layer.
struct Layer {
    /// Query, key and value in one product (their weights stacked).
    query_key_value: Linear,
    attention_out: Linear,
    attention_norm: Norm,
    up: Linear,
    down: Linear,
    out_norm: Norm,
}

/// The loaded encoder.
pub struct Encoder {
    words: Vec<f32>,
    positions: Vec<f32>,
    /// The first token type's embedding (every token is type 0 here).
    token_type: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
}

/// The weights' tensors by name, with or without the `bert.` prefix some
/// copies carry.
struct Weights<'a>(safetensors::SafeTensors<'a>);

impl Weights<'_> {
    /// The tensor `name` as f32 numbers, checked to have `shape`.
    fn get(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, String> {
        let view = self
            .0
            .tensor(name)
            .or_else(|_| self.0.tensor(&format!("bert.{name}")))
            .map_err(|_| format!("it has no tensor {name}"))?;
        if view.dtype() != safetensors::Dtype::F32 {
            return Err(format!("{name} is {:?}, not F32", view.dtype()));
        }
        if view.shape() != shape {
            return Err(format!(
                "{name} has shape {:?}, not {shape:?}",
                view.shape()
            ));
        }
        let numbers: Vec<f32> = view
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if numbers.iter().any(|x| !x.is_finite()) {
            return Err(format!("{name} holds numbers that are not finite"));
        }
        Ok(numbers)
    }

    fn norm(&self, name: &str) -> Result<Norm, String> {
        Ok(Norm {
            gain: self.get(&format!("{name}.weight"), &[WIDTH])?,
            shift: self.get(&format!("{name}.bias"), &[WIDTH])?,
        })
    }

    fn linear(&self, name: &str, inputs: usize, outputs: usize) -> Result<Linear, String> {
        Ok(Linear {
            weight: self.get(&format!("{name}.weight"), &[outputs, inputs])?,
            bias: self.get(&format!("{name}.bias"), &[outputs])?,
            inputs,
            outputs,
        })
    }

    fn layer(&self, index: usize) -> Result<Layer, String> {
        let name = |part: &str| format!("encoder.layer.{index}.{part}");
        let [query, key, value] = ["query", "key", "value"]
            .map(|part| self.linear(&name(&format!("attention.self.{part}")), WIDTH, WIDTH));
        let (query, key, value) = (query?, key?, value?);
        let query_key_value = Linear {
            weight: [query.weight, key.weight, value.weight].concat(),
            bias: [query.bias, key.bias, value.bias].concat(),
            inputs: WIDTH,
            outputs: 3 * WIDTH,
        };
        Ok(Layer {
            query_key_value,
            attention_out: self.linear(&name("attention.output.dense"), WIDTH, WIDTH)?,
            attention_norm: self.norm(&name("attention.output.LayerNorm"))?,
            up: self.linear(&name("intermediate.dense"), WIDTH, INNER)?,
            down: self.linear(&name("output.dense"), INNER, WIDTH)?,
            out_norm: self.norm(&name("output.LayerNorm"))?,
        })
    }
}

impl Encoder {
    /// The encoder from the bytes of `model.safetensors`; why not, in
    /// words, when they are not this model's weights.
    pub fn from_safetensors(bytes: &[u8]) -> Result<Self, String> {
        let weights = Weights(
            safetensors::SafeTensors::deserialize(bytes)
                .map_err(|err| format!("not a safetensors file ({err})"))?,
        );
        let token_types = weights.get("embeddings.token_type_embeddings.weight", &[2, WIDTH])?;
        Ok(Self {
            words: weights.get("embeddings.word_embeddings.weight", &[VOCABULARY, WIDTH])?,
            positions: weights.get("embeddings.position_embeddings.weight", &[POSITIONS, WIDTH])?,
            token_type: token_types[..WIDTH].to_vec(),
            embedding_norm: weights.norm("embeddings.LayerNorm")?,
            layers: (0..LAYERS)
                .map(|index| weights.layer(index))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Each token sequence's mean last hidden state (not yet scaled to
    /// length 1). A token id outside the vocabulary reads as id 0 (padding);
    /// a sequence longer than [`POSITIONS`] is cut.
    pub fn mean_states(&self, sequences: &[&[u32]]) -> Vec<Vec<f32>> {
        let mut means = Vec::with_capacity(sequences.len());
        let mut first = 0;
        while first < sequences.len() {
            let mut tokens = 0;
            let mut end = first;
            while end < sequences.len()
                && (end == first || tokens + sequences[end].len().min(POSITIONS) <= TOKENS_AT_ONCE)
            {
                tokens += sequences[end].len().min(POSITIONS);
                end += 1;
            }
            means.extend(self.run(&sequences[first..end]));
            first = end;
        }
        means
    }

    /// The encoder over `sequences` packed one after another.
    fn run(&self, sequences: &[&[u32]]) -> Vec<Vec<f32>> {
        let lengths: Vec<usize> = sequences.iter().map(|s| s.len().min(POSITIONS)).collect();
        let tokens: usize = lengths.iter().sum();
        let mut states = vec![0.0f32; tokens * WIDTH];
        let mut rows = states.chunks_exact_mut(WIDTH);
        for sequence in sequences {
            let kept = sequence.iter().take(POSITIONS);
            for (position, (&id, row)) in kept.zip(rows.by_ref()).enumerate() {
                let id = if (id as usize) < VOCABULARY {
                    id as usize
                } else {
                    0
                };
                let word = &self.words[id * WIDTH..][..WIDTH];
                let place = &self.positions[position * WIDTH..][..WIDTH];
                for (((out, w), p), t) in row.iter_mut().zip(word).zip(place).zip(&self.token_type)
                {
                    *out = w + p + t;
                }
            }
        }
        normalise_rows(&mut states, &self.embedding_norm);
        let mut query_key_value = vec![0.0f32; tokens * 3 * WIDTH];
        let mut context = vec![0.0f32; tokens * WIDTH];
        let mut attended = vec![0.0f32; tokens * WIDTH];
        let mut inner = vec![0.0f32; tokens * INNER];
        for layer in &self.layers {
            fill_rows(&mut query_key_value, &layer.query_key_value.bias);
            add_product(&mut query_key_value, &states, &layer.query_key_value);
            attend(&query_key_value, &mut context, &lengths);
            attended.copy_from_slice(&states);
            add_rows(&mut attended, &layer.attention_out.bias);
            add_product(&mut attended, &context, &layer.attention_out);
            normalise_rows(&mut attended, &layer.attention_norm);
            fill_rows(&mut inner, &layer.up.bias);
            add_product(&mut inner, &attended, &layer.up);
            inner.par_chunks_mut(INNER * 64).for_each(gelu);
            states.copy_from_slice(&attended);
            add_rows(&mut states, &layer.down.bias);
            add_product(&mut states, &inner, &layer.down);
            normalise_rows(&mut states, &layer.out_norm);
        }
        let mut means = Vec::with_capacity(sequences.len());
        let mut rest = states.as_slice();
        for &length in &lengths {
            let (own, tail) = rest.split_at(length * WIDTH);
            rest = tail;
            let mut mean = vec![0.0f32; WIDTH];
            for row in own.chunks_exact(WIDTH) {
                for (sum, x) in mean.iter_mut().zip(row) {
                    *sum += x;
                }
            }
            let count = length.max(1) as f32;
            for sum in &mut mean {
                *sum /= count;
            }
            means.push(mean);
        }
        means
    }
}

/// Every row of `matrix` set to `row`.
fn fill_rows(matrix: &mut [f32], row: &[f32]) {
    for out in matrix.chunks_exact_mut(row.len()) {
        out.copy_from_slice(row);
    }
}

/// `row` added to every row of `matrix`.
fn add_rows(matrix: &mut [f32], row: &[f32]) {
    for out in matrix.chunks_exact_mut(row.len()) {
        for (x, b) in out.iter_mut().zip(row) {
            *x += b;
        }
    }
}

/// `out` (tokens × outputs) += `input` (tokens × inputs) · weightᵀ, over
/// the current thread pool.
fn add_product(out: &mut [f32], input: &[f32], linear: &Linear) {
    let rows = input.len() / linear.inputs;
    assert_eq!(input.len(), rows * linear.inputs, "input is whole rows");
    assert_eq!(
        out.len(),
        rows * linear.outputs,
        "output has a row per input row"
    );
    assert_eq!(linear.weight.len(), linear.inputs * linear.outputs);
    if rows == 0 {
        return;
    }
    let threads = rayon::current_num_threads();
    let parallelism = if threads > 1 {
        gemm::Parallelism::Rayon(threads)
    } else {
        gemm::Parallelism::None
    };
    let (inputs, outputs) = (linear.inputs as isize, linear.outputs as isize);
    // SAFETY: the asserts above keep every index gemm computes inside its
    // slice: out is rows × outputs (row stride outputs, column stride 1),
    // input rows × inputs (row stride inputs), and the weight, read as its
    // transpose, inputs × outputs with element (p, j) at j·inputs + p. The
    // slices do not overlap (out is the only mutable borrow).
    #[allow(unsafe_code, reason = "gemm's kernel takes raw pointers and strides")]
    unsafe {
        gemm::gemm(
            rows,
            linear.outputs,
            linear.inputs,
            out.as_mut_ptr(),
            1,
            outputs,
            true,
            input.as_ptr(),
            1,
            inputs,
            linear.weight.as_ptr(),
            inputs,
            1,
            1.0,
            1.0,
            false,
            false,
            false,
            parallelism,
        );
    }
}

/// Self-attention of each sequence over its own tokens: `context` gets,
/// for each token and head, the values weighted by the softmax of its
/// query against the sequence's keys.
fn attend(query_key_value: &[f32], context: &mut [f32], lengths: &[usize]) {
    let mut pieces = Vec::with_capacity(lengths.len());
    let (mut inputs, mut outputs) = (query_key_value, context);
    for &length in lengths {
        let (input, input_rest) = inputs.split_at(length * 3 * WIDTH);
        let (output, output_rest) = std::mem::take(&mut outputs).split_at_mut(length * WIDTH);
        pieces.push((input, output));
        inputs = input_rest;
        outputs = output_rest;
    }
    let scale = 1.0 / (HEAD as f32).sqrt();
    pieces.into_par_iter().for_each(|(input, output)| {
        let length = output.len() / WIDTH;
        let mut weights = vec![0.0f32; length];
        for head in 0..HEADS {
            let part = |token: usize, which: usize| {
                &input[token * 3 * WIDTH + which * WIDTH + head * HEAD..][..HEAD]
            };
            for token in 0..length {
                let query = part(token, 0);
                for (other, weight) in weights.iter_mut().enumerate() {
                    *weight = dot(query, part(other, 1)) * scale;
                }
                softmax(&mut weights);
                let out = &mut output[token * WIDTH + head * HEAD..][..HEAD];
                out.fill(0.0);
                for (other, &weight) in weights.iter().enumerate() {
                    for (o, v) in out.iter_mut().zip(part(other, 2)) {
                        *o += weight * v;
                    }
                }
            }
        }
    });
}

/// The dot product, summed in eight lanes (so it vectorises).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let whole = a.len() / 8 * 8;
    for (x, y) in a[..whole].chunks_exact(8).zip(b[..whole].chunks_exact(8)) {
        for lane in 0..8 {
            lanes[lane] += x[lane] * y[lane];
        }
    }
    let tail: f32 = a[whole..].iter().zip(&b[whole..]).map(|(x, y)| x * y).sum();
    lanes.iter().sum::<f32>() + tail
}

/// The sum, in eight lanes.
fn sum(a: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let whole = a.len() / 8 * 8;
    for x in a[..whole].chunks_exact(8) {
        for lane in 0..8 {
            lanes[lane] += x[lane];
        }
    }
    lanes.iter().sum::<f32>() + a[whole..].iter().sum::<f32>()
}

/// Softmax in place.
fn softmax(values: &mut [f32]) {
    let largest = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    for x in values.iter_mut() {
        *x = exp(*x - largest);
    }
    let total = sum(values);
    for x in values.iter_mut() {
        *x /= total;
    }
}

/// Each row normalised to mean 0 and variance 1, then scaled and shifted.
fn normalise_rows(matrix: &mut [f32], norm: &Norm) {
    matrix.par_chunks_mut(WIDTH * 32).for_each(|rows| {
        for row in rows.chunks_exact_mut(WIDTH) {
            let mean = sum(row) / WIDTH as f32;
            for x in row.iter_mut() {
                *x -= mean;
            }
            let variance = dot(row, row) / WIDTH as f32;
            let scale = 1.0 / (variance + EPSILON).sqrt();
            for ((x, gain), shift) in row.iter_mut().zip(&norm.gain).zip(&norm.shift) {
                *x = *x * scale * gain + shift;
            }
        }
    });
}

/// GELU in place: x·Φ(x), with the error function (not tanh's estimate).
fn gelu(values: &mut [f32]) {
    for x in values {
        *x = 0.5 * *x * (1.0 + erf(*x * std::f32::consts::FRAC_1_SQRT_2));
    }
}

/// The error function as a rational polynomial on [-4, 4] (beyond, ±1 to
/// float precision): the approximation Eigen and XLA use for f32, within
/// a few units of the last place; no branches, so loops of it vectorise.
#[inline]
fn erf(x: f32) -> f32 {
    const ALPHA: [f32; 7] = [
        -2.726_142_3e-10,
        2.770_681_4e-8,
        -2.101_024e-6,
        -5.692_506_4e-5,
        -7.349_906e-4,
        -2.954_600_1e-3,
        -1.609_603_3e-2,
    ];
    const BETA: [f32; 5] = [
        -1.456_607_2e-5,
        -2.133_740_6e-4,
        -1.682_827e-3,
        -7.373_329_5e-3,
        -1.426_474e-2,
    ];
    let x = x.clamp(-4.0, 4.0);
    let square = x * x;
    let mut top = ALPHA[0];
    for a in &ALPHA[1..] {
        top = top * square + a;
    }
    let mut bottom = BETA[0];
    for b in &BETA[1..] {
        bottom = bottom * square + b;
    }
    x * top / bottom
}

/// e^x for x ≤ 0 (softmax's range; below -87 it is 0 to float precision):
/// 2^n · e^r with n whole and |r| ≤ ln 2 / 2, e^r by its series to r⁷.
#[inline]
fn exp(x: f32) -> f32 {
    // 1.5 · 2²³: adding and taking it away rounds to a whole number.
    const ROUND: f32 = 12_582_912.0;
    const LN2_HIGH: f32 = 0.693_359_4;
    const LN2_LOW: f32 = -2.121_944_4e-4;
    let x = x.clamp(-87.0, 0.0);
    let n = (x * std::f32::consts::LOG2_E + ROUND) - ROUND;
    let r = x - n * LN2_HIGH - n * LN2_LOW;
    let mut series = 1.0 / 5040.0;
    for coefficient in [
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
        1.0,
    ] {
        series = series * r + coefficient;
    }
    series * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_is_the_error_function_to_float_precision() {
        // Reference values of erf (Abramowitz and Stegun, table 7.1).
        for (x, expected) in [
            (0.0f32, 0.0f32),
            (0.1, 0.112_462_92),
            (0.5, 0.520_499_9),
            (1.0, 0.842_700_8),
            (1.5, 0.966_105_16),
            (2.0, 0.995_322_3),
            (3.0, 0.999_977_9),
            (5.0, 1.0),
        ] {
            assert!((erf(x) - expected).abs() < 3e-7, "erf({x}) = {}", erf(x));
            assert!((erf(-x) + expected).abs() < 3e-7, "erf(-{x}) = {}", erf(-x));
        }
    }

    #[test]
    fn exp_matches_the_library_on_softmax_range() {
        let mut worst = 0.0f32;
        for step in 0..=20_000 {
            let x = -(step as f32) * 0.004;
            let relative = (exp(x) - x.exp()).abs() / x.exp();
            worst = worst.max(relative);
        }
        assert!(worst < 1e-6, "worst relative error {worst}");
        assert_eq!(exp(-200.0), (-87.0f32).exp());
    }

    #[test]
    fn softmax_sums_to_one_and_keeps_order() {
        let mut values = [1.0, 2.0, 3.0, -50.0];
        softmax(&mut values);
        assert!((values.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(values[2] > values[1] && values[1] > values[0] && values[0] > values[3]);
    }

    #[test]
    fn a_file_that_is_not_the_model_is_refused_in_words() {
        let err = Encoder::from_safetensors(b"not weights")
            .err()
            .unwrap_or_default();
        assert!(err.contains("not a safetensors file"), "{err}");
    }
}
