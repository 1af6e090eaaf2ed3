//! Sample conversion: whatever PCM format the device delivers, as raw bytes,
//! to mono `f32` in -1..1; and `f32` back to the format written to disk.
//!
//! Integer formats map by their full scale (`i16::MIN` is exactly -1.0, as in
//! cpal and most audio code), so a 16- or 24-bit sample survives the round
//! trip through `f32` unchanged.

use cpal::SampleFormat;

/// A device format the writer can decode: its sample format, size and
/// channel count.
#[derive(Clone, Copy, Debug)]
pub struct InputFormat {
    sample_format: SampleFormat,
    /// Bytes per sample.
    pub sample_bytes: usize,
    /// Interleaved channels per frame.
    pub channels: usize,
}

/// Reads `N` bytes as an array; the callers pass exactly `N`.
fn bytes<const N: usize>(raw: &[u8]) -> [u8; N] {
    let mut out = [0; N];
    out.copy_from_slice(&raw[..N]);
    out
}

fn decode_i8(raw: [u8; 1]) -> f32 {
    f32::from(i8::from_ne_bytes(raw)) / 128.0
}
fn decode_u8(raw: [u8; 1]) -> f32 {
    (f32::from(raw[0]) - 128.0) / 128.0
}
fn decode_i16(raw: [u8; 2]) -> f32 {
    f32::from(i16::from_ne_bytes(raw)) / 32_768.0
}
fn decode_u16(raw: [u8; 2]) -> f32 {
    (f32::from(u16::from_ne_bytes(raw)) - 32_768.0) / 32_768.0
}
/// 24-bit samples arrive in 4 bytes (an `i32` holding -2^23..2^23-1).
fn decode_i24(raw: [u8; 4]) -> f32 {
    i32::from_ne_bytes(raw) as f32 / 8_388_608.0
}
/// Unsigned 24-bit in 4 bytes, 0..2^24-1 with 2^23 as silence.
fn decode_u24(raw: [u8; 4]) -> f32 {
    (u32::from_ne_bytes(raw) as f32 - 8_388_608.0) / 8_388_608.0
}
fn decode_i32(raw: [u8; 4]) -> f32 {
    (f64::from(i32::from_ne_bytes(raw)) / 2_147_483_648.0) as f32
}
fn decode_u32(raw: [u8; 4]) -> f32 {
    ((f64::from(u32::from_ne_bytes(raw)) - 2_147_483_648.0) / 2_147_483_648.0) as f32
}
fn decode_i64(raw: [u8; 8]) -> f32 {
    (i64::from_ne_bytes(raw) as f64 / 9_223_372_036_854_775_808.0) as f32
}
fn decode_u64(raw: [u8; 8]) -> f32 {
    ((u64::from_ne_bytes(raw) as f64 - 9_223_372_036_854_775_808.0) / 9_223_372_036_854_775_808.0)
        as f32
}
fn decode_f32(raw: [u8; 4]) -> f32 {
    f32::from_ne_bytes(raw)
}
fn decode_f64(raw: [u8; 8]) -> f32 {
    f64::from_ne_bytes(raw) as f32
}

impl InputFormat {
    /// The decoder for `format` with `channels` channels; `None` for formats
    /// that are not PCM (DSD) and for zero channels.
    pub fn new(format: SampleFormat, channels: u16) -> Option<Self> {
        let sample_bytes = match format {
            SampleFormat::I8 | SampleFormat::U8 => 1,
            SampleFormat::I16 | SampleFormat::U16 => 2,
            SampleFormat::I24
            | SampleFormat::U24
            | SampleFormat::I32
            | SampleFormat::U32
            | SampleFormat::F32 => 4,
            SampleFormat::I64 | SampleFormat::U64 | SampleFormat::F64 => 8,
            _ => return None,
        };
        (channels > 0).then_some(Self {
            sample_format: format,
            sample_bytes,
            channels: usize::from(channels),
        })
    }

    /// Bytes per interleaved frame.
    pub fn frame_bytes(&self) -> usize {
        self.sample_bytes * self.channels
    }

    /// Decodes whole frames of `raw` and appends one mono sample per frame
    /// (the mean of the channels) to `out`. Trailing bytes that do not make
    /// a whole frame are ignored; the ring only ever holds whole frames.
    pub fn decode_mono(&self, raw: &[u8], out: &mut Vec<f32>) {
        // One loop per format, with its decoder inlined: this runs on every
        // sample a microphone delivers.
        let channels = self.channels;
        match self.sample_format {
            SampleFormat::I8 => mix_down(raw, channels, out, decode_i8),
            SampleFormat::U8 => mix_down(raw, channels, out, decode_u8),
            SampleFormat::I16 => mix_down(raw, channels, out, decode_i16),
            SampleFormat::U16 => mix_down(raw, channels, out, decode_u16),
            SampleFormat::I24 => mix_down(raw, channels, out, decode_i24),
            SampleFormat::U24 => mix_down(raw, channels, out, decode_u24),
            SampleFormat::I32 => mix_down(raw, channels, out, decode_i32),
            SampleFormat::U32 => mix_down(raw, channels, out, decode_u32),
            SampleFormat::I64 => mix_down(raw, channels, out, decode_i64),
            SampleFormat::U64 => mix_down(raw, channels, out, decode_u64),
            SampleFormat::F32 => mix_down(raw, channels, out, decode_f32),
            SampleFormat::F64 => mix_down(raw, channels, out, decode_f64),
            // `new` accepts no other format.
            _ => {}
        }
    }
}

/// Appends the mean of each frame's channels, each `N`-byte sample decoded
/// by `decode`.
#[inline(always)]
fn mix_down<const N: usize>(
    raw: &[u8],
    channels: usize,
    out: &mut Vec<f32>,
    decode: impl Fn([u8; N]) -> f32 + Copy,
) {
    let sample = |raw: &[u8]| decode(bytes(raw));
    if channels == 1 {
        out.extend(raw.chunks_exact(N).map(sample));
        return;
    }
    let scale = 1.0 / channels as f32;
    out.extend(raw.chunks_exact(N * channels).map(|frame| {
        let sum: f32 = frame.chunks_exact(N).map(sample).sum();
        sum * scale
    }));
}

/// The sample formats a take can be written in.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum TakeFormat {
    /// 16-bit integer PCM (the default: plenty for speech, half the size).
    #[default]
    S16,
    /// 24-bit integer PCM.
    S24,
    /// 32-bit float.
    F32,
}

impl TakeFormat {
    /// The WAV header for mono audio at `sample_rate`.
    pub fn wav_spec(self, sample_rate: u32) -> hound::WavSpec {
        let (bits_per_sample, sample_format) = match self {
            Self::S16 => (16, hound::SampleFormat::Int),
            Self::S24 => (24, hound::SampleFormat::Int),
            Self::F32 => (32, hound::SampleFormat::Float),
        };
        hound::WavSpec {
            channels: 1,
            sample_rate,
            bits_per_sample,
            sample_format,
        }
    }

    /// The name used on the command line and in session files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::S16 => "s16",
            Self::S24 => "s24",
            Self::F32 => "f32",
        }
    }
}

impl std::str::FromStr for TakeFormat {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "s16" => Ok(Self::S16),
            "s24" => Ok(Self::S24),
            "f32" => Ok(Self::F32),
            other => Err(format!("unknown format {other:?}: use s16, s24 or f32")),
        }
    }
}

/// `x` (clamped to -1..1) as a 16-bit sample, rounded to nearest.
pub fn to_i16(x: f32) -> i16 {
    let scaled = (x * 32_768.0).clamp(-32_768.0, 32_767.0);
    // Rounds half away from zero like `f32::round`, without its libm call
    // per sample: `as` truncates, and the fraction of a number this small
    // is exact. NaN becomes 0.
    let whole = scaled as i32;
    let fraction = scaled - whole as f32;
    (whole + i32::from(fraction >= 0.5) - i32::from(fraction <= -0.5)) as i16
}

/// `x` (clamped to -1..1) as a 24-bit sample in an `i32`, rounded to nearest.
pub fn to_i24(x: f32) -> i32 {
    (f64::from(x) * 8_388_608.0)
        .round()
        .clamp(-8_388_608.0, 8_388_607.0) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mono(format: SampleFormat, channels: u16, raw: &[u8]) -> Vec<f32> {
        let mut out = Vec::new();
        InputFormat::new(format, channels)
            .unwrap()
            .decode_mono(raw, &mut out);
        out
    }

    fn ne<const N: usize, T: Copy>(values: &[T], to: fn(T) -> [u8; N]) -> Vec<u8> {
        values.iter().flat_map(|&v| to(v)).collect()
    }

    #[test]
    fn every_integer_format_maps_its_extremes_and_silence() {
        let cases: Vec<(SampleFormat, Vec<u8>)> = vec![
            (
                SampleFormat::I8,
                ne(&[i8::MIN, 0, i8::MAX], i8::to_ne_bytes),
            ),
            (SampleFormat::U8, vec![0, 128, 255]),
            (
                SampleFormat::I16,
                ne(&[i16::MIN, 0, i16::MAX], i16::to_ne_bytes),
            ),
            (
                SampleFormat::U16,
                ne(&[0, 32_768, u16::MAX], u16::to_ne_bytes),
            ),
            (
                SampleFormat::I24,
                ne(&[-8_388_608, 0, 8_388_607], i32::to_ne_bytes),
            ),
            (
                SampleFormat::U24,
                ne(&[0, 8_388_608, 16_777_215], u32::to_ne_bytes),
            ),
            (
                SampleFormat::I32,
                ne(&[i32::MIN, 0, i32::MAX], i32::to_ne_bytes),
            ),
            (
                SampleFormat::U32,
                ne(&[0, 1 << 31, u32::MAX], u32::to_ne_bytes),
            ),
            (
                SampleFormat::I64,
                ne(&[i64::MIN, 0, i64::MAX], i64::to_ne_bytes),
            ),
            (
                SampleFormat::U64,
                ne(&[0, 1 << 63, u64::MAX], u64::to_ne_bytes),
            ),
            (
                SampleFormat::F32,
                ne(&[-1.0f32, 0.0, 1.0], f32::to_ne_bytes),
            ),
            (
                SampleFormat::F64,
                ne(&[-1.0f64, 0.0, 1.0], f64::to_ne_bytes),
            ),
        ];
        for (format, raw) in cases {
            let out = mono(format, 1, &raw);
            assert_eq!(out.len(), 3, "{format:?}");
            assert_eq!(out[0], -1.0, "{format:?} minimum");
            assert_eq!(out[1], 0.0, "{format:?} silence");
            assert!(
                (out[2] - 1.0).abs() < 0.01 && out[2] <= 1.0,
                "{format:?} maximum {}",
                out[2]
            );
        }
    }

    #[test]
    fn dsd_and_zero_channels_are_refused() {
        assert!(InputFormat::new(SampleFormat::DsdU8, 1).is_none());
        assert!(InputFormat::new(SampleFormat::I16, 0).is_none());
    }

    #[test]
    fn stereo_is_downmixed_to_the_mean_of_the_channels() {
        let raw = ne(
            &[16_384i16, -16_384, 32_767, 32_767, 8192, 0],
            i16::to_ne_bytes,
        );
        let out = mono(SampleFormat::I16, 2, &raw);
        assert_eq!(out, [0.0, 32_767.0 / 32_768.0, 0.125]);
    }

    #[test]
    fn a_partial_trailing_frame_is_ignored() {
        let mut raw = ne(&[1000i16, 1000], i16::to_ne_bytes);
        raw.push(7);
        assert_eq!(mono(SampleFormat::I16, 2, &raw).len(), 1);
    }

    #[test]
    fn sixteen_and_twenty_four_bit_round_trip_exactly() {
        for sample in [i16::MIN, -12_345, -1, 0, 1, 12_345, i16::MAX] {
            let x = mono(SampleFormat::I16, 1, &sample.to_ne_bytes())[0];
            assert_eq!(to_i16(x), sample);
        }
        for sample in [-8_388_608, -1_234_567, -1, 0, 1, 7_654_321, 8_388_607] {
            let x = mono(SampleFormat::I24, 1, &i32::to_ne_bytes(sample))[0];
            assert_eq!(to_i24(x), sample);
        }
    }

    #[test]
    fn output_conversion_rounds_to_nearest_and_clips() {
        for step in -80_000..=80_000 {
            let x = step as f32 / 65_536.0 + 0.25 / 65_536.0 * (step % 3) as f32;
            let expected = (x * 32_768.0).round().clamp(-32_768.0, 32_767.0) as i16;
            assert_eq!(to_i16(x), expected, "{x}");
        }
        assert_eq!(to_i16(2.5 / 32_768.0), 3);
        assert_eq!(to_i16(-2.5 / 32_768.0), -3);
        assert_eq!(to_i16(0.499_999_97 / 32_768.0), 0);
        assert_eq!(to_i16(f32::NAN), 0);
        assert_eq!(to_i16(0.4 / 32_768.0), 0);
        assert_eq!(to_i16(0.6 / 32_768.0), 1);
        assert_eq!(to_i16(-0.6 / 32_768.0), -1);
        assert_eq!(to_i16(1.0), i16::MAX);
        assert_eq!(to_i16(2.5), i16::MAX);
        assert_eq!(to_i16(-3.0), i16::MIN);
        assert_eq!(to_i24(1.0), 8_388_607);
        assert_eq!(to_i24(-1.5), -8_388_608);
        assert_eq!(to_i24(0.6 / 8_388_608.0), 1);
    }

    #[test]
    fn take_formats_parse_and_describe_their_headers() {
        assert_eq!("s24".parse::<TakeFormat>(), Ok(TakeFormat::S24));
        assert!("s8".parse::<TakeFormat>().is_err());
        let spec = TakeFormat::F32.wav_spec(48_000);
        assert_eq!((spec.channels, spec.bits_per_sample), (1, 32));
        assert_eq!(spec.sample_format, hound::SampleFormat::Float);
    }
}
