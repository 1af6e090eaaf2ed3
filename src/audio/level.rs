//! Level maths: dBFS, the windowed meter (peak and RMS about 30 times a
//! second), the live level shared with other threads, and the min/max peak
//! summary a waveform is drawn from.

use std::sync::atomic::{AtomicU32, Ordering};

use serde::{Deserialize, Serialize};

/// The lowest level reported; digital silence reads as this.
pub const FLOOR_DBFS: f32 = -120.0;

/// A take whose loudest meter window stays below this is flagged as silent.
pub const SILENCE_DBFS: f32 = -50.0;

/// Meter windows per second.
pub const METER_RATE_HZ: u32 = 30;

/// Waveform summary buckets per second of audio.
pub const PEAK_BUCKETS_PER_SECOND: u32 = 100;

/// An amplitude (0..1 full scale) in dB relative to full scale.
pub fn dbfs(amplitude: f32) -> f32 {
    if amplitude > 0.0 {
        (20.0 * amplitude.log10()).max(FLOOR_DBFS)
    } else {
        FLOOR_DBFS
    }
}

/// The level of one meter window.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Level {
    /// Largest absolute sample, in dBFS.
    pub peak_dbfs: f32,
    /// Root mean square, in dBFS.
    pub rms_dbfs: f32,
}

impl Level {
    /// The level of digital silence.
    pub const SILENT: Self = Self {
        peak_dbfs: FLOOR_DBFS,
        rms_dbfs: FLOOR_DBFS,
    };
}

impl Default for Level {
    fn default() -> Self {
        Self::SILENT
    }
}

/// Splits a stream of samples into windows of 1/30 s and measures each.
#[derive(Clone, Debug)]
pub struct LevelMeter {
    window: usize,
    count: usize,
    peak: f32,
    sum_squares: f64,
}

impl LevelMeter {
    /// A meter for audio at `sample_rate`.
    pub fn new(sample_rate: u32) -> Self {
        Self {
            window: (sample_rate / METER_RATE_HZ).max(1) as usize,
            count: 0,
            peak: 0.0,
            sum_squares: 0.0,
        }
    }

    /// Feeds `samples`; `on_window` receives the level of each window
    /// completed by them.
    pub fn push(&mut self, samples: &[f32], mut on_window: impl FnMut(Level)) {
        for &sample in samples {
            self.peak = self.peak.max(sample.abs());
            self.sum_squares += f64::from(sample) * f64::from(sample);
            self.count += 1;
            if self.count == self.window {
                let rms = (self.sum_squares / self.count as f64).sqrt() as f32;
                on_window(Level {
                    peak_dbfs: dbfs(self.peak),
                    rms_dbfs: dbfs(rms),
                });
                self.count = 0;
                self.peak = 0.0;
                self.sum_squares = 0.0;
            }
        }
    }
}

/// The latest meter reading, written by the writer thread and read by any
/// other (the UI's meter) without a lock.
#[derive(Debug)]
pub struct LiveLevel {
    peak_bits: AtomicU32,
    rms_bits: AtomicU32,
}

impl Default for LiveLevel {
    fn default() -> Self {
        Self {
            peak_bits: AtomicU32::new(FLOOR_DBFS.to_bits()),
            rms_bits: AtomicU32::new(FLOOR_DBFS.to_bits()),
        }
    }
}

impl LiveLevel {
    /// Publishes a reading.
    pub fn store(&self, level: Level) {
        self.peak_bits
            .store(level.peak_dbfs.to_bits(), Ordering::Relaxed);
        self.rms_bits
            .store(level.rms_dbfs.to_bits(), Ordering::Relaxed);
    }

    /// The latest reading.
    pub fn load(&self) -> Level {
        Level {
            peak_dbfs: f32::from_bits(self.peak_bits.load(Ordering::Relaxed)),
            rms_dbfs: f32::from_bits(self.rms_bits.load(Ordering::Relaxed)),
        }
    }
}

/// Minimum and maximum sample of each short bucket of a take: enough to draw
/// its waveform at any zoom down to 10 ms per pixel, whatever its length.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PeakSummary {
    /// Samples per bucket.
    pub bucket_samples: u32,
    /// Sample rate of the take.
    pub sample_rate: u32,
    /// Smallest sample of each bucket.
    pub min: Vec<f32>,
    /// Largest sample of each bucket.
    pub max: Vec<f32>,
}

/// Builds a [`PeakSummary`] as samples arrive.
#[derive(Clone, Debug)]
pub struct PeakSummaryBuilder {
    summary: PeakSummary,
    count: u32,
    low: f32,
    high: f32,
}

impl PeakSummaryBuilder {
    /// A builder for audio at `sample_rate`.
    pub fn new(sample_rate: u32) -> Self {
        Self {
            summary: PeakSummary {
                bucket_samples: (sample_rate / PEAK_BUCKETS_PER_SECOND).max(1),
                sample_rate,
                min: Vec::new(),
                max: Vec::new(),
            },
            count: 0,
            low: f32::INFINITY,
            high: f32::NEG_INFINITY,
        }
    }

    /// Feeds samples.
    pub fn push(&mut self, samples: &[f32]) {
        for &sample in samples {
            self.low = self.low.min(sample);
            self.high = self.high.max(sample);
            self.count += 1;
            if self.count == self.summary.bucket_samples {
                self.close_bucket();
            }
        }
    }

    fn close_bucket(&mut self) {
        self.summary.min.push(self.low);
        self.summary.max.push(self.high);
        self.count = 0;
        self.low = f32::INFINITY;
        self.high = f32::NEG_INFINITY;
    }

    /// The summary, including a last partial bucket.
    pub fn finish(mut self) -> PeakSummary {
        if self.count > 0 {
            self.close_bucket();
        }
        self.summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dbfs_of_known_amplitudes() {
        assert_eq!(dbfs(1.0), 0.0);
        assert!((dbfs(0.5) - -6.0206).abs() < 1e-3);
        assert!((dbfs(0.001) - -60.0).abs() < 1e-3);
        assert_eq!(dbfs(0.0), FLOOR_DBFS);
        assert_eq!(dbfs(1e-30), FLOOR_DBFS);
    }

    #[test]
    fn meter_reports_peak_and_rms_per_window() {
        // 48 kHz: windows of 1600 samples.
        let mut meter = LevelMeter::new(48_000);
        let square: Vec<f32> = (0..3200)
            .map(|i| if i % 2 == 0 { 0.5 } else { -0.5 })
            .collect();
        let mut levels = Vec::new();
        meter.push(&square[..1000], |l| levels.push(l));
        assert!(levels.is_empty());
        meter.push(&square[1000..], |l| levels.push(l));
        assert_eq!(levels.len(), 2);
        for level in levels {
            assert!((level.peak_dbfs - -6.0206).abs() < 1e-3);
            assert!(
                (level.rms_dbfs - -6.0206).abs() < 1e-3,
                "square wave: rms = peak"
            );
        }

        let sine: Vec<f32> = (0..1600)
            .map(|i| (i as f32 * 2.0 * std::f32::consts::PI * 440.0 / 48_000.0).sin())
            .collect();
        let mut level = Level::SILENT;
        LevelMeter::new(48_000).push(&sine, |l| level = l);
        assert!(level.peak_dbfs > -0.01);
        assert!(
            (level.rms_dbfs - -3.0103).abs() < 0.05,
            "{}",
            level.rms_dbfs
        );
    }

    #[test]
    fn live_level_round_trips() {
        let live = LiveLevel::default();
        assert_eq!(live.load(), Level::SILENT);
        let level = Level {
            peak_dbfs: -3.5,
            rms_dbfs: -20.25,
        };
        live.store(level);
        assert_eq!(live.load(), level);
    }

    #[test]
    fn peak_summary_keeps_min_and_max_per_bucket() {
        let mut builder = PeakSummaryBuilder::new(1000); // buckets of 10 samples
        let samples: Vec<f32> = (0..25).map(|i| (i as f32 - 12.0) / 12.0).collect();
        builder.push(&samples[..7]);
        builder.push(&samples[7..]);
        let summary = builder.finish();
        assert_eq!(summary.bucket_samples, 10);
        assert_eq!(summary.min.len(), 3);
        assert_eq!(summary.min[0], -1.0);
        assert_eq!(summary.max[0], samples[9]);
        assert_eq!(summary.min[2], samples[20]);
        assert_eq!(summary.max[2], 1.0);
        assert!(PeakSummaryBuilder::new(1000).finish().min.is_empty());
    }
}
