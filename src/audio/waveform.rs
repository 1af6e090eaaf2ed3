//! A take's waveform ready for drawing: a min/max pyramid built once from
//! the [`PeakSummary`], so drawing N pixel columns costs about N steps
//! whatever the take's length (a 30-minute take draws as fast as a
//! 30-second one).

use std::path::Path;
use std::time::Duration;

use super::level::{PeakSummary, PeakSummaryBuilder};
use super::mono_wav::MonoWav;

/// The min/max pyramid of one take.
#[derive(Clone, Debug, PartialEq)]
pub struct Waveform {
    /// Level 0 is the summary's buckets; each next level halves the count.
    levels: Vec<Vec<(f32, f32)>>,
    duration: Duration,
}

impl Waveform {
    /// The pyramid of `summary`.
    pub fn new(summary: &PeakSummary) -> Self {
        let base: Vec<(f32, f32)> = summary
            .min
            .iter()
            .zip(&summary.max)
            .map(|(&low, &high)| (low, high))
            .collect();
        let seconds = base.len() as f64 * f64::from(summary.bucket_samples.max(1))
            / f64::from(summary.sample_rate.max(1));
        let mut levels = vec![base];
        while let Some(last) = levels.last()
            && last.len() > 1
        {
            let next = last
                .chunks(2)
                .map(|pair| {
                    pair.iter()
                        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &(l, h)| {
                            (lo.min(l), hi.max(h))
                        })
                })
                .collect();
            levels.push(next);
        }
        Self {
            levels,
            duration: Duration::from_secs_f64(seconds),
        }
    }

    /// The waveform of the take at `path`: from its peak summary file when
    /// it has one made for the WAV as it is (milliseconds, whatever the
    /// length), else read from the WAV, and the summary written for the
    /// next time (a take recorded before summaries, or recovered).
    pub fn of_take(path: &Path) -> Result<Self, hound::Error> {
        if let Some(summary) = super::peaks_file::read(path) {
            return Ok(Self::new(&summary));
        }
        let summary = summary_of_wav(path)?;
        if let Err(err) = super::peaks_file::write(path, &summary) {
            log::warn!("{}: the peak summary was not kept: {err}", path.display());
        }
        Ok(Self::new(&summary))
    }

    /// Reads a WAV file and builds its waveform (off the UI thread: a long
    /// take takes a moment to read).
    pub fn read_wav(path: &Path) -> Result<Self, hound::Error> {
        Ok(Self::new(&summary_of_wav(path)?))
    }

    /// Length of the take.
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// Min and max of each of `columns` equal slices of the take (empty
    /// when the take is).
    pub fn columns(&self, columns: usize) -> Vec<(f32, f32)> {
        let base_len = self.levels.first().map_or(0, Vec::len);
        if columns == 0 || base_len == 0 {
            return Vec::new();
        }
        (0..columns)
            .map(|column| {
                let start = column * base_len / columns;
                let end = ((column + 1) * base_len / columns).clamp(start + 1, base_len);
                self.extremes(start.min(base_len - 1), end)
            })
            .collect()
    }

    /// Min and max of base buckets `start..end`, read as a few aligned
    /// blocks of the pyramid: about two per level, so a column costs
    /// O(log n) steps however many buckets it spans. (Entry `i` of level `k`
    /// covers base buckets `i << k .. (i + 1) << k`.)
    fn extremes(&self, mut start: usize, end: usize) -> (f32, f32) {
        let mut extremes = (0.0f32, 0.0f32);
        while start < end {
            let mut level = 0;
            while level + 1 < self.levels.len()
                && start.is_multiple_of(1 << (level + 1))
                && start + (1 << (level + 1)) <= end
            {
                level += 1;
            }
            let (low, high) = self.levels[level][start >> level];
            extremes = (extremes.0.min(low), extremes.1.max(high));
            start += 1 << level;
        }
        extremes
    }
}

/// The peak summary of a WAV file, read through once.
fn summary_of_wav(path: &Path) -> Result<PeakSummary, hound::Error> {
    let wav = MonoWav::open(path)?;
    let mut builder = PeakSummaryBuilder::new(wav.sample_rate());
    wav.for_each_block(|block| builder.push(block))?;
    Ok(builder.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::TakeFormat;
    use crate::audio::take_file::TakeFile;

    fn summary(buckets: usize) -> PeakSummary {
        PeakSummary {
            bucket_samples: 480,
            sample_rate: 48_000,
            min: (0..buckets).map(|i| -((i % 7) as f32) / 10.0).collect(),
            max: (0..buckets).map(|i| (i % 5) as f32 / 10.0).collect(),
        }
    }

    #[test]
    fn columns_keep_the_extremes_of_exactly_their_slice() {
        // One loud bucket in the middle shows in its column only.
        let mut quiet = summary(100);
        quiet.min.fill(0.0);
        quiet.max.fill(0.0);
        quiet.max[50] = 0.9;
        let columns = Waveform::new(&quiet).columns(2);
        assert_eq!(columns, [(0.0, 0.0), (0.0, 0.9)]);
        let columns = Waveform::new(&quiet).columns(3);
        assert_eq!(columns, [(0.0, 0.0), (0.0, 0.9), (0.0, 0.0)]);
    }

    #[test]
    fn columns_keep_the_extremes_of_their_slice() {
        let waveform = Waveform::new(&summary(1000));
        assert_eq!(waveform.duration(), Duration::from_secs(10));
        let columns = waveform.columns(10);
        assert_eq!(columns.len(), 10);
        for (low, high) in columns {
            assert!((low - -0.6).abs() < 1e-6, "{low}");
            assert!((high - 0.4).abs() < 1e-6, "{high}");
        }
        // More columns than buckets: each column shows its own bucket.
        let fine = Waveform::new(&summary(3)).columns(6);
        assert_eq!(fine.len(), 6);
        assert_eq!(fine[5], (-0.2, 0.2));
        assert!(Waveform::new(&summary(0)).columns(100).is_empty());
    }

    #[test]
    fn a_long_take_is_drawn_from_a_coarse_level() {
        // 30 minutes at 100 buckets a second.
        let long = Waveform::new(&summary(180_000));
        assert_eq!(long.duration(), Duration::from_secs(1800));
        assert_eq!(long.columns(800).len(), 800);
        // Each column of 225 buckets is read as a handful of blocks.
        let mut blocks = 0;
        let mut start = 0usize;
        while start < 225 {
            let mut level = 0;
            while start.is_multiple_of(1 << (level + 1)) && start + (1 << (level + 1)) <= 225 {
                level += 1;
            }
            start += 1 << level;
            blocks += 1;
        }
        assert!(blocks <= 16, "{blocks} blocks");
    }

    #[test]
    fn reads_the_waveform_of_a_wav() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("take.wav");
        let mut file = TakeFile::create(&path, TakeFormat::S16, 8000).unwrap();
        let mut samples = vec![0.0f32; 8000];
        samples[4000] = 0.5;
        samples[4001] = -0.25;
        file.write(&samples).unwrap();
        file.finish().unwrap();
        let waveform = Waveform::read_wav(&path).unwrap();
        assert_eq!(waveform.duration(), Duration::from_secs(1));
        let columns = waveform.columns(2);
        assert_eq!(columns[0], (0.0, 0.0));
        assert!((columns[1].1 - 0.5).abs() < 1e-3);
        assert!((columns[1].0 - -0.25).abs() < 1e-3);
    }
}
