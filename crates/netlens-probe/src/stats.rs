//! Statistics over RTT samples, each with a stated definition (users compare our numbers with
//! ping, Cloudflare, networkQuality and IRTT, which all define them differently; the
//! definitions here are the ones the UI, the CLI and the exports print).
//!
//! - [`RunHistogram`]: a whole run or segment in bounded memory (HDR histogram, 1 µs to 60 s at
//!   three significant digits, 68 KiB), with exact min, max and mean beside it.
//! - [`Window`]: the last samples (at most [`Window::MAX_SAMPLES`] and [`Window::MAX_SPAN_MS`]),
//!   exact percentiles, jitter and PDV: the "current" view.
//! - [`RttEstimator`]: RFC 6298 SRTT / RTTVAR, the smoothed line and the adaptive timeout.
//! - [`InterarrivalJitter`]: RFC 3550 §6.4.1 jitter applied to round trips.
//! - [`Quality`] and [`rpm`]: networkQuality's responsiveness bands.
//! - [`Stability`]: the Low / Medium / High confidence grade, after the RPM draft's rule.

use std::collections::VecDeque;

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// Summary of a set of RTTs, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// Number of samples.
    pub count: u64,
    /// Smallest.
    pub min: f64,
    /// 50th percentile.
    pub median: f64,
    /// Arithmetic mean.
    pub mean: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    pub max: f64,
}

impl Distribution {
    /// The exact distribution of `values` (non-finite ones left out); `None` when none remain.
    pub fn of(values: &[f64]) -> Option<Distribution> {
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        sorted.sort_by(f64::total_cmp);
        Some(Distribution {
            count: sorted.len() as u64,
            min: *sorted.first()?,
            median: percentile(&sorted, 0.5)?,
            mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
            p90: percentile(&sorted, 0.9)?,
            p99: percentile(&sorted, 0.99)?,
            max: *sorted.last()?,
        })
    }
}

/// The `q` quantile (0 ≤ q ≤ 1) of ascending `sorted` by linear interpolation between closest
/// ranks (numpy's default, Cloudflare's definition); `None` when empty.
pub fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let rank = q.clamp(0.0, 1.0) * last as f64;
    let below = rank.floor() as usize;
    let above = rank.ceil() as usize;
    let (lo, hi) = (sorted.get(below)?, sorted.get(above)?);
    Some(lo + (hi - lo) * (rank - below as f64))
}

/// Highest value the run histogram tracks, in microseconds (60 s); larger RTTs are recorded as
/// this value, and the exact maximum is kept beside the histogram.
const HISTOGRAM_MAX_US: u64 = 60_000_000;

/// A whole run (or segment) of RTTs in bounded memory.
///
/// Percentiles come from an HDR histogram with three significant digits (at most 0.1 % off:
/// 0.02 ms at 20 ms); count, min, max and mean are exact.
#[derive(Clone, Debug)]
pub struct RunHistogram {
    histogram: Histogram<u32>,
    count: u64,
    sum_ms: f64,
    min_ms: f64,
    max_ms: f64,
}

impl Default for RunHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl RunHistogram {
    /// An empty histogram.
    pub fn new() -> Self {
        // The bounds are constants that hdrhistogram accepts (a unit test builds one), so this
        // cannot fail at run time.
        #[allow(clippy::expect_used)]
        let histogram = Histogram::new_with_bounds(1, HISTOGRAM_MAX_US, 3)
            .expect("1 µs to 60 s at 3 significant digits is a valid HDR range");
        RunHistogram {
            histogram,
            count: 0,
            sum_ms: 0.0,
            min_ms: f64::INFINITY,
            max_ms: f64::NEG_INFINITY,
        }
    }

    /// Records one RTT. Non-finite or negative values are ignored (a caller's clock went wrong).
    pub fn record(&mut self, rtt_ms: f64) {
        if !rtt_ms.is_finite() || rtt_ms < 0.0 {
            return;
        }
        let micros = (rtt_ms * 1000.0)
            .round()
            .clamp(1.0, HISTOGRAM_MAX_US as f64) as u64;
        self.histogram.saturating_record(micros);
        self.count += 1;
        self.sum_ms += rtt_ms;
        self.min_ms = self.min_ms.min(rtt_ms);
        self.max_ms = self.max_ms.max(rtt_ms);
    }

    /// Number of RTTs recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The distribution, `None` when empty. Percentiles are clamped into [min, max] so that
    /// bucket rounding never reports a median below the minimum.
    pub fn distribution(&self) -> Option<Distribution> {
        if self.count == 0 {
            return None;
        }
        let at = |q: f64| {
            let value = self.histogram.value_at_quantile(q);
            (self.histogram.median_equivalent(value) as f64 / 1000.0)
                .clamp(self.min_ms, self.max_ms)
        };
        Some(Distribution {
            count: self.count,
            min: self.min_ms,
            median: at(0.5),
            mean: self.sum_ms / self.count as f64,
            p90: at(0.9),
            p99: at(0.99),
            max: self.max_ms,
        })
    }

    /// The distribution of what this histogram holds and `other` does not (`other` records a
    /// subset of this one's values: the replies a stalled driver timed, say); `None` when
    /// nothing is left. Min and max come from the histogram's buckets (three significant
    /// digits), the mean is exact.
    pub fn distribution_without(&self, other: &RunHistogram) -> Option<Distribution> {
        let count = self.count.checked_sub(other.count).filter(|c| *c > 0)?;
        let mut rest = self.histogram.clone();
        rest.subtract(&other.histogram).ok()?;
        let ms = |us: u64| rest.median_equivalent(us) as f64 / 1000.0;
        let (min, max) = (ms(rest.min()), ms(rest.max()));
        let at = |q: f64| ms(rest.value_at_quantile(q)).clamp(min, max);
        Some(Distribution {
            count,
            min,
            median: at(0.5),
            mean: (self.sum_ms - other.sum_ms) / count as f64,
            p90: at(0.9),
            p99: at(0.99),
            max,
        })
    }
}

/// The current view: the latest RTTs, at most [`Window::MAX_SAMPLES`] of them and none older
/// than [`Window::MAX_SPAN_MS`] before the newest.
#[derive(Clone, Debug, Default)]
pub struct Window {
    /// (time the probe was sent, RTT), oldest first.
    samples: VecDeque<(f64, f64)>,
}

/// Statistics of the [`Window`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct WindowStats {
    /// Percentiles, exact.
    #[serde(flatten)]
    pub distribution: Distribution,
    /// Jitter: mean |ΔRTT| between consecutive replies (Cloudflare, networkquality-rs, IRTT).
    pub jitter_ms: f64,
    /// Population standard deviation (ping's `mdev`).
    pub stddev_ms: f64,
    /// Packet delay variation, RFC 5481: p99 − min.
    pub pdv_ms: f64,
    /// Interquartile mean: the mean of the middle half (Ookla's loaded-latency statistic).
    pub iqm_ms: f64,
    /// Time from the oldest to the newest sample's send.
    pub span_ms: f64,
}

impl Window {
    /// At most this many samples (one minute at 1 probe/s; 6 s at 10/s).
    pub const MAX_SAMPLES: usize = 60;
    /// At most this old, relative to the newest sample.
    pub const MAX_SPAN_MS: f64 = 30_000.0;

    /// Adds an RTT measured by a probe sent at `sent_at_ms`.
    pub fn push(&mut self, sent_at_ms: f64, rtt_ms: f64) {
        self.samples.push_back((sent_at_ms, rtt_ms));
        while self.samples.len() > Self::MAX_SAMPLES {
            self.samples.pop_front();
        }
        while self
            .samples
            .front()
            .is_some_and(|&(at, _)| sent_at_ms - at > Self::MAX_SPAN_MS)
        {
            self.samples.pop_front();
        }
    }

    /// Forgets every sample (a change was detected: the old level no longer describes the path).
    pub fn clear(&mut self) {
        self.samples.clear();
    }

    /// Number of samples held.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// Whether the window is empty.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// The RTTs, oldest first.
    pub fn rtts(&self) -> impl Iterator<Item = f64> + '_ {
        self.samples.iter().map(|&(_, rtt)| rtt)
    }

    /// Statistics, `None` when empty.
    pub fn stats(&self) -> Option<WindowStats> {
        let rtts: Vec<f64> = self.rtts().collect();
        let mut sorted = rtts.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let mean = sorted.iter().sum::<f64>() / n.max(1) as f64;
        let distribution = Distribution {
            count: n as u64,
            min: *sorted.first()?,
            median: percentile(&sorted, 0.5)?,
            mean,
            p90: percentile(&sorted, 0.9)?,
            p99: percentile(&sorted, 0.99)?,
            max: *sorted.last()?,
        };
        let deltas: Vec<f64> = rtts.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
        let jitter_ms = if deltas.is_empty() {
            0.0
        } else {
            deltas.iter().sum::<f64>() / deltas.len() as f64
        };
        let variance = sorted.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / n as f64;
        let (q1, q3) = (n / 4, n - n / 4);
        let middle = &sorted[q1..q3.max(q1 + 1).min(n)];
        let iqm_ms = middle.iter().sum::<f64>() / middle.len().max(1) as f64;
        let span_ms = match (self.samples.front(), self.samples.back()) {
            (Some(first), Some(last)) => last.0 - first.0,
            _ => 0.0,
        };
        Some(WindowStats {
            distribution,
            jitter_ms,
            stddev_ms: variance.sqrt(),
            pdv_ms: distribution.p99 - distribution.min,
            iqm_ms,
            span_ms,
        })
    }
}

/// RFC 6298 §2 smoothed RTT and RTT variation (α = 1/8, β = 1/4).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RttEstimator {
    /// Smoothed RTT, `None` before the first sample.
    pub srtt_ms: Option<f64>,
    /// Smoothed mean deviation.
    pub rttvar_ms: f64,
}

impl RttEstimator {
    /// Folds in one RTT.
    pub fn update(&mut self, rtt_ms: f64) {
        match self.srtt_ms {
            None => {
                self.srtt_ms = Some(rtt_ms);
                self.rttvar_ms = rtt_ms / 2.0;
            }
            Some(srtt) => {
                // RTTVAR uses the SRTT from before this sample.
                self.rttvar_ms = 0.75 * self.rttvar_ms + 0.25 * (srtt - rtt_ms).abs();
                self.srtt_ms = Some(0.875 * srtt + 0.125 * rtt_ms);
            }
        }
    }

    /// SRTT + 4·RTTVAR: how long a reply may take before it is unusually late (`None` before
    /// the first sample).
    pub fn rto_ms(&self) -> Option<f64> {
        self.srtt_ms.map(|srtt| srtt + 4.0 * self.rttvar_ms)
    }
}

/// RFC 3550 §6.4.1 interarrival jitter on round trips: J ← J + (|D| − J)/16, where D, for two
/// consecutive replies, is the difference of their RTTs (the sender's and receiver's clocks are
/// the same, so the transit-time difference is the RTT difference).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct InterarrivalJitter {
    last_rtt_ms: Option<f64>,
    jitter_ms: f64,
}

impl InterarrivalJitter {
    /// Folds in the next reply's RTT.
    pub fn update(&mut self, rtt_ms: f64) {
        if let Some(last) = self.last_rtt_ms {
            let d = (rtt_ms - last).abs();
            self.jitter_ms += (d - self.jitter_ms) / 16.0;
        }
        self.last_rtt_ms = Some(rtt_ms);
    }

    /// The current estimate (0 before two replies).
    pub fn jitter_ms(&self) -> f64 {
        self.jitter_ms
    }
}

/// Mean |ΔRTT| between consecutive replies over a whole run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MeanAbsDelta {
    last_rtt_ms: Option<f64>,
    sum_ms: f64,
    count: u64,
}

impl MeanAbsDelta {
    /// Folds in the next reply's RTT.
    pub fn update(&mut self, rtt_ms: f64) {
        if let Some(last) = self.last_rtt_ms {
            self.sum_ms += (rtt_ms - last).abs();
            self.count += 1;
        }
        self.last_rtt_ms = Some(rtt_ms);
    }

    /// The mean, 0 before two replies.
    pub fn mean_ms(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum_ms / self.count as f64
        }
    }
}

/// Round trips per minute: 60000 / RTT in ms (the RPM draft's unit; higher is better).
pub fn rpm(rtt_ms: f64) -> f64 {
    if rtt_ms > 0.0 {
        60_000.0 / rtt_ms
    } else {
        f64::INFINITY
    }
}

/// networkQuality's responsiveness bands (draft-ietf-ippm-responsiveness, "Round-Trips per
/// Minute"), applied to the current median RTT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quality {
    /// Below 300 RPM (over 200 ms): conversations and games suffer.
    Poor,
    /// 300 to 1000 RPM (200 to 60 ms).
    Fair,
    /// 1000 to 6000 RPM (60 to 10 ms).
    Good,
    /// 6000 RPM or more (10 ms or less).
    Excellent,
}

impl Quality {
    /// The band of a median RTT.
    pub fn of_rtt(rtt_ms: f64) -> Quality {
        let rpm = rpm(rtt_ms);
        if rpm >= 6000.0 {
            Quality::Excellent
        } else if rpm >= 1000.0 {
            Quality::Good
        } else if rpm >= 300.0 {
            Quality::Fair
        } else {
            Quality::Poor
        }
    }

    /// Capitalised name.
    pub fn name(self) -> &'static str {
        match self {
            Quality::Poor => "Poor",
            Quality::Fair => "Fair",
            Quality::Good => "Good",
            Quality::Excellent => "Excellent",
        }
    }
}

/// How settled the current estimate is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Too few replies since the start or the last change.
    Low,
    /// Enough replies, but the level still moves.
    Medium,
    /// The last [`Stability::BLOCKS`] block medians agree within 5 %.
    High,
}

impl Confidence {
    /// The grade as the page and the exports write it (`low`, `medium`, `high`).
    pub fn name(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// The confidence grade, after the RPM draft's rule (stable when the standard deviation of the
/// last four moving averages is within 5 % of the current one), with blocks of replies instead of
/// 5-second intervals so it works at any probe rate.
#[derive(Clone, Debug, Default)]
pub struct Stability {
    block: Vec<f64>,
    block_medians: VecDeque<f64>,
    replies: u64,
}

impl Stability {
    /// Replies per block.
    pub const BLOCK: usize = 10;
    /// Blocks compared.
    pub const BLOCKS: usize = 4;
    /// Replies before the grade can leave Low.
    pub const MIN_REPLIES: u64 = 20;
    /// Relative standard deviation of the block medians below which the estimate is settled.
    pub const TOLERANCE: f64 = 0.05;

    /// Folds in one reply's RTT.
    pub fn update(&mut self, rtt_ms: f64) {
        self.replies += 1;
        self.block.push(rtt_ms);
        if self.block.len() == Self::BLOCK {
            self.block.sort_by(f64::total_cmp);
            if let Some(median) = percentile(&self.block, 0.5) {
                self.block_medians.push_back(median);
            }
            self.block.clear();
            while self.block_medians.len() > Self::BLOCKS {
                self.block_medians.pop_front();
            }
        }
    }

    /// Starts over (a change was detected).
    pub fn reset(&mut self) {
        *self = Stability::default();
    }

    /// The grade.
    pub fn confidence(&self) -> Confidence {
        if self.replies < Self::MIN_REPLIES || self.block_medians.len() < Self::BLOCKS {
            return Confidence::Low;
        }
        let n = self.block_medians.len() as f64;
        let mean = self.block_medians.iter().sum::<f64>() / n;
        let variance = self
            .block_medians
            .iter()
            .map(|m| (m - mean).powi(2))
            .sum::<f64>()
            / n;
        let current = self.block_medians.back().copied().unwrap_or(mean);
        if current > 0.0 && variance.sqrt() <= Self::TOLERANCE * current {
            Confidence::High
        } else {
            Confidence::Medium
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn confidence_names_are_the_serialized_ones() {
        for c in [Confidence::Low, Confidence::Medium, Confidence::High] {
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.name())
            );
        }
    }

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    #[test]
    fn percentiles_interpolate_between_ranks() {
        let sorted = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&sorted, 0.5), Some(2.5));
        assert_eq!(percentile(&sorted, 0.0), Some(1.0));
        assert_eq!(percentile(&sorted, 1.0), Some(4.0));
        // rank 0.9 × 3 = 2.7: 3 + 0.7 × (4 − 3)
        assert!(close(percentile(&sorted, 0.9).unwrap(), 3.7, 1e-12));
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[7.0], 0.99), Some(7.0));
    }

    #[test]
    fn window_statistics_match_hand_computed_values() {
        let mut w = Window::default();
        for (i, rtt) in [10.0, 12.0, 11.0, 15.0, 10.0].into_iter().enumerate() {
            w.push(i as f64 * 100.0, rtt);
        }
        let s = w.stats().unwrap();
        // sorted 10 10 11 12 15
        assert_eq!(s.distribution.min, 10.0);
        assert_eq!(s.distribution.median, 11.0);
        assert_eq!(s.distribution.max, 15.0);
        assert!(close(s.distribution.mean, 11.6, 1e-12));
        // p90: rank 3.6 → 12 + 0.6 × 3 = 13.8
        assert!(close(s.distribution.p90, 13.8, 1e-12));
        // |Δ| = 2, 1, 4, 5 → 3
        assert!(close(s.jitter_ms, 3.0, 1e-12));
        // deviations −1.6 −1.6 −0.6 0.4 3.4 → squares sum 2.56+2.56+0.36+0.16+11.56 = 17.2 → /5 = 3.44
        assert!(close(s.stddev_ms, 3.44f64.sqrt(), 1e-12));
        // p99: rank 3.96 → 12 + 0.96 × 3 = 14.88; PDV = 14.88 − 10
        assert!(close(s.pdv_ms, 4.88, 1e-12));
        // IQM of 5: indices 1..4 → 10 11 12 → 11
        assert!(close(s.iqm_ms, 11.0, 1e-12));
        assert_eq!(s.span_ms, 400.0);
    }

    #[test]
    fn window_keeps_the_latest_samples_by_count_and_age() {
        let mut w = Window::default();
        for i in 0..100 {
            w.push(i as f64 * 10.0, i as f64);
        }
        assert_eq!(w.len(), Window::MAX_SAMPLES);
        assert_eq!(w.rtts().next(), Some(40.0));
        let mut w = Window::default();
        w.push(0.0, 1.0);
        w.push(20_000.0, 2.0);
        w.push(40_000.0, 3.0);
        assert_eq!(w.rtts().collect::<Vec<_>>(), vec![2.0, 3.0]);
    }

    #[test]
    fn rfc6298_estimator_follows_the_rfc_by_hand() {
        let mut e = RttEstimator::default();
        assert_eq!(e.rto_ms(), None);
        e.update(100.0);
        assert_eq!(e.srtt_ms, Some(100.0));
        assert_eq!(e.rttvar_ms, 50.0);
        assert_eq!(e.rto_ms(), Some(300.0));
        e.update(200.0);
        // RTTVAR = 3/4·50 + 1/4·|100 − 200| = 62.5; SRTT = 7/8·100 + 1/8·200 = 112.5
        assert_eq!(e.rttvar_ms, 62.5);
        assert_eq!(e.srtt_ms, Some(112.5));
        assert_eq!(e.rto_ms(), Some(362.5));
    }

    #[test]
    fn rfc3550_jitter_and_mean_abs_delta_by_hand() {
        let mut j = InterarrivalJitter::default();
        let mut m = MeanAbsDelta::default();
        for rtt in [10.0, 26.0, 10.0] {
            j.update(rtt);
            m.update(rtt);
        }
        // J = 0 + (16 − 0)/16 = 1; then 1 + (16 − 1)/16 = 1.9375
        assert_eq!(j.jitter_ms(), 1.9375);
        assert_eq!(m.mean_ms(), 16.0);
    }

    #[test]
    fn run_histogram_is_exact_where_it_can_be_and_within_a_tenth_of_a_percent_elsewhere() {
        let mut h = RunHistogram::new();
        assert_eq!(h.distribution(), None);
        for i in 1..=1000 {
            h.record(i as f64 / 10.0); // 0.1 … 100 ms
        }
        h.record(f64::NAN);
        h.record(-1.0);
        let d = h.distribution().unwrap();
        assert_eq!(d.count, 1000);
        assert_eq!(d.min, 0.1);
        assert_eq!(d.max, 100.0);
        assert!(close(d.mean, 50.05, 1e-9));
        assert!(close(d.median, 50.0, 0.05), "{}", d.median);
        assert!(close(d.p90, 90.0, 0.09), "{}", d.p90);
        assert!(close(d.p99, 99.0, 0.1), "{}", d.p99);
        // Beyond the tracked range the exact max is still reported.
        h.record(120_000.0);
        assert_eq!(h.distribution().map(|d| d.max), Some(120_000.0));
    }

    #[test]
    fn rpm_bands_follow_network_quality() {
        assert_eq!(rpm(20.0), 3000.0);
        assert_eq!(Quality::of_rtt(10.0), Quality::Excellent);
        assert_eq!(Quality::of_rtt(10.01), Quality::Good);
        assert_eq!(Quality::of_rtt(60.0), Quality::Good);
        assert_eq!(Quality::of_rtt(61.0), Quality::Fair);
        assert_eq!(Quality::of_rtt(200.0), Quality::Fair);
        assert_eq!(Quality::of_rtt(201.0), Quality::Poor);
    }

    #[test]
    fn confidence_rises_when_block_medians_agree_and_not_before() {
        let mut s = Stability::default();
        for _ in 0..19 {
            s.update(20.0);
        }
        assert_eq!(s.confidence(), Confidence::Low);
        for _ in 0..21 {
            s.update(20.0);
        }
        assert_eq!(s.confidence(), Confidence::High);
        // A drifting level: block medians 20, 24, 28, 32 → stddev ≈ 4.5 > 5 % of 32.
        let mut s = Stability::default();
        for level in [20.0, 24.0, 28.0, 32.0] {
            for _ in 0..Stability::BLOCK {
                s.update(level);
            }
        }
        assert_eq!(s.confidence(), Confidence::Medium);
        s.reset();
        assert_eq!(s.confidence(), Confidence::Low);
    }
}
