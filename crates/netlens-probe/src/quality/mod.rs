//! Responsiveness under working conditions, as draft-ietf-ippm-responsiveness-09 defines it
//! (Apple's `networkQuality`), and the running throughput estimate an adaptive video player
//! keeps.
//!
//! Idle round trips say little about how a path behaves when it is busy: a bloated queue at the
//! bottleneck adds hundreds of milliseconds only while something fills it. The draft's test
//! loads the path with parallel bulk flows, adds flows until goodput stops growing, and meanwhile
//! sends two kinds of latency probes:
//! - *foreign* probes on fresh connections: the connection set-up (`tcp_f`, and `tls_f` per
//!   TLS round trip) and the first request's round trip (`http_f`);
//! - *self* probes on the loaded connections (`http_l`), which wait behind the flows' own data.
//!
//! RPM ("round trips per minute") is then `(Foreign + Loaded) / 2` with
//! `Foreign = 60000 / mean(TM(tcp_f), [TM(tls_f),] TM(http_f))` and `Loaded = 60000 /
//! TM(http_l)`, where TM is the single-sided 95 % trimmed mean of the probes of the last MAD
//! intervals (§ "Aggregating the Measurements"). Confidence is Low before MAD intervals ran,
//! Medium after, High once the last MAD values are stable within SDT (§ "Confidence of
//! Test-Results"). This module holds that arithmetic and the saturation rule, with no clock and
//! no I/O: the CLI and the browser's worker feed it interval by interval.
//!
//! Over WebSocket (netlens' transport), a foreign probe's connection set-up is the opening
//! handshake: TCP, TLS when `wss://`, and the HTTP upgrade, one number in browsers. It counts as
//! `tcp_f` normalised per round trip (÷ 2 for `ws://`, ÷ 3 for `wss://` with TLS 1.3), and the
//! first echo on the new connection as `http_f`; the CLI, which sees the phases, reports them
//! apart too. The draft's TCP-only formula applies (no separate `tls_f`).
//!
//! [`ThroughputEstimate`] is the other half of Apple's advice ("build a running estimate …
//! this is exactly how HTTP Live Streaming works"): two exponentially weighted moving averages
//! of per-chunk throughput, weighted by each chunk's duration, with half-lives of 2 s and 5 s,
//! and the lower one wins, so a drop shows within seconds and a burst does not inflate the
//! estimate (shaka-player's `lib/abr/ewma_bandwidth_estimator.js`; hls.js keeps the same pair).

use serde::{Deserialize, Serialize};

pub mod run;
pub mod server;

/// The draft's test parameters (§ "Test Parameters").
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// MAD: intervals in the moving average.
    pub mad: usize,
    /// ID: interval duration, ms. The draft says 5 s; its own confidence example gives each
    /// stage 10 s, which cannot hold MAD = 4 such intervals, so netlens defaults to 1 s (as
    /// earlier drafts did) and reports the value it used.
    pub interval_ms: f64,
    /// TMP: the fraction kept by the single-sided trimmed mean.
    pub trimmed_mean_keep: f64,
    /// SDT: stability tolerance (standard deviation ÷ current value).
    pub stability_tolerance: f64,
    /// MNP: most load-generating connections.
    pub max_flows: usize,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            mad: 4,
            interval_ms: 1000.0,
            trimmed_mean_keep: 0.95,
            stability_tolerance: 0.05,
            max_flows: 16,
        }
    }
}

/// The single-sided trimmed mean: the mean of the values at or below the `keep` quantile (the
/// smallest `ceil(n × keep)` values), as the draft and Cloudflare's networkquality-rs compute
/// it. `None` for no values.
pub fn trimmed_mean(values: &[f64], keep: f64) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let kept = ((sorted.len() as f64 * keep).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[..kept].iter().sum::<f64>() / kept as f64)
}

/// What a latency probe measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeKind {
    /// `tcp_f`: a fresh connection's set-up, normalised per round trip.
    ForeignConnect,
    /// `http_f`: the first request's round trip on a fresh connection.
    ForeignRequest,
    /// `http_l`: a request's round trip on a loaded (load-generating) connection.
    SelfRequest,
}

/// One latency probe's result.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    /// When it completed, ms since the run started.
    pub at_ms: f64,
    /// What it measured.
    pub kind: ProbeKind,
    /// Its duration, ms.
    pub ms: f64,
}

/// RPM and its parts, from one set of probes.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Responsiveness {
    /// `(foreign_rpm + loaded_rpm) / 2`.
    pub rpm: f64,
    /// `60000 / mean(TM(tcp_f), TM(http_f))`.
    pub foreign_rpm: f64,
    /// `60000 / TM(http_l)`.
    pub loaded_rpm: f64,
    /// `TM(tcp_f)`, ms.
    pub tm_connect_ms: f64,
    /// `TM(http_f)`, ms.
    pub tm_foreign_ms: f64,
    /// `TM(http_l)`, ms.
    pub tm_self_ms: f64,
    /// Probes it was computed from.
    pub probes: usize,
}

/// RPM from `probes` (the draft's TCP-only formula); `None` unless every series has a value.
pub fn responsiveness(probes: &[Probe], keep: f64) -> Option<Responsiveness> {
    let series = |kind: ProbeKind| -> Vec<f64> {
        probes
            .iter()
            .filter(|p| p.kind == kind)
            .map(|p| p.ms)
            .collect()
    };
    let tm_connect_ms = trimmed_mean(&series(ProbeKind::ForeignConnect), keep)?;
    let tm_foreign_ms = trimmed_mean(&series(ProbeKind::ForeignRequest), keep)?;
    let tm_self_ms = trimmed_mean(&series(ProbeKind::SelfRequest), keep)?;
    let foreign_ms = (tm_connect_ms + tm_foreign_ms) / 2.0;
    if foreign_ms <= 0.0 || tm_self_ms <= 0.0 {
        return None;
    }
    let foreign_rpm = 60_000.0 / foreign_ms;
    let loaded_rpm = 60_000.0 / tm_self_ms;
    Some(Responsiveness {
        rpm: (foreign_rpm + loaded_rpm) / 2.0,
        foreign_rpm,
        loaded_rpm,
        tm_connect_ms,
        tm_foreign_ms,
        tm_self_ms,
        probes: probes.len(),
    })
}

/// The draft's confidence in a stage's result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Fewer than MAD intervals ran.
    Low,
    /// MAD intervals or more ran, but the values were not stable.
    Medium,
    /// The last MAD values were stable within SDT.
    High,
}

impl Confidence {
    /// Its name, as the draft writes it.
    pub fn name(self) -> &'static str {
        match self {
            Confidence::Low => "Low",
            Confidence::Medium => "Medium",
            Confidence::High => "High",
        }
    }
}

/// Whether the last `mad` values are stable: their (population) standard deviation is within
/// `tolerance` of the latest.
fn stable(values: &[f64], mad: usize, tolerance: f64) -> bool {
    if mad == 0 || values.len() < mad {
        return false;
    }
    let last = &values[values.len() - mad..];
    let mean = last.iter().sum::<f64>() / mad as f64;
    let variance = last.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / mad as f64;
    let current = last[mad - 1];
    current > 0.0 && variance.sqrt() <= tolerance * current
}

/// What to do after an interval of a loaded stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Goodput still grows: open another load-generating connection.
    AddFlow,
    /// Keep the flows and go on measuring.
    Continue,
    /// Goodput and responsiveness are both stable: the stage is done (High confidence).
    Done,
}

/// One loaded stage (download, upload or both) of the draft's algorithm, fed interval by
/// interval: bytes the receiver counted, and the probes that completed.
#[derive(Clone, Debug, Default)]
pub struct Stage {
    params: Params,
    /// Bytes received per interval.
    interval_bytes: Vec<u64>,
    /// Probes per interval.
    interval_probes: Vec<Vec<Probe>>,
    /// Moving-average goodput after each interval, bit/s.
    goodput_averages: Vec<f64>,
    /// The interval at which goodput saturated.
    saturated_at: Option<usize>,
    /// RPM after each interval since saturation.
    rpm_values: Vec<f64>,
    /// Responsiveness reached stability.
    rpm_stable: bool,
    /// Load-generating connections open now.
    flows: usize,
}

impl Stage {
    /// A stage with one load-generating connection (INP = 1).
    pub fn new(params: Params) -> Stage {
        Stage {
            params,
            flows: 1,
            ..Stage::default()
        }
    }

    /// Load-generating connections the stage wants open.
    pub fn flows(&self) -> usize {
        self.flows
    }

    /// Intervals so far.
    pub fn intervals(&self) -> usize {
        self.interval_bytes.len()
    }

    /// Ends an interval in which the receivers counted `bytes` and `probes` completed.
    pub fn end_interval(&mut self, bytes: u64, probes: Vec<Probe>) -> Next {
        let p = self.params;
        self.interval_bytes.push(bytes);
        self.interval_probes.push(probes);
        // Moving average aggregate goodput: bytes of this interval and the MAD − 1 before it,
        // divided by their duration (fewer intervals at the start).
        let window = &self.interval_bytes[self.interval_bytes.len().saturating_sub(p.mad)..];
        let seconds = window.len() as f64 * p.interval_ms / 1000.0;
        let average = window.iter().sum::<u64>() as f64 * 8.0 / seconds.max(f64::MIN_POSITIVE);
        self.goodput_averages.push(average);
        if self.saturated_at.is_none() {
            if stable(&self.goodput_averages, p.mad, p.stability_tolerance) {
                self.saturated_at = Some(self.interval_bytes.len() - 1);
            } else if self.flows < p.max_flows {
                self.flows += 1;
                return Next::AddFlow;
            } else {
                // MNP reached: no more flows to add; measure what there is.
                self.saturated_at = Some(self.interval_bytes.len() - 1);
            }
        }
        if let Some(r) = self.current_responsiveness() {
            self.rpm_values.push(r.rpm);
            if stable(&self.rpm_values, p.mad, p.stability_tolerance) {
                self.rpm_stable = true;
                return Next::Done;
            }
        }
        Next::Continue
    }

    /// The probes of the last MAD intervals.
    pub fn recent_probes(&self) -> Vec<Probe> {
        let from = self.interval_probes.len().saturating_sub(self.params.mad);
        self.interval_probes[from..]
            .iter()
            .flatten()
            .copied()
            .collect()
    }

    /// RPM over the last MAD intervals.
    pub fn current_responsiveness(&self) -> Option<Responsiveness> {
        responsiveness(&self.recent_probes(), self.params.trimmed_mean_keep)
    }

    /// The latest moving-average goodput, bit/s.
    pub fn goodput_bps(&self) -> Option<f64> {
        self.goodput_averages.last().copied()
    }

    /// Goodput has saturated (stable, or MNP reached).
    pub fn saturated(&self) -> bool {
        self.saturated_at.is_some()
    }

    /// Confidence in the goodput figure.
    pub fn goodput_confidence(&self) -> Confidence {
        match self.saturated_at {
            Some(_)
                if stable(
                    &self.goodput_averages,
                    self.params.mad,
                    self.params.stability_tolerance,
                ) =>
            {
                Confidence::High
            }
            _ if self.intervals() >= self.params.mad => Confidence::Medium,
            _ => Confidence::Low,
        }
    }

    /// Confidence in the RPM figure.
    pub fn rpm_confidence(&self) -> Confidence {
        if self.rpm_stable {
            Confidence::High
        } else if self.rpm_values.len() >= self.params.mad {
            Confidence::Medium
        } else {
            Confidence::Low
        }
    }
}

/// The draft's responsiveness bands (§ "Round-Trips per Minute"). Apple's `networkQuality`
/// prints Low / Medium / High but does not publish its thresholds; these are the draft's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RpmBand {
    /// Below 300 RPM (over 200 ms).
    Poor,
    /// 300 to 1000 RPM.
    Fair,
    /// 1000 to 6000 RPM.
    Good,
    /// 6000 RPM or more (10 ms or less).
    Excellent,
}

impl RpmBand {
    /// The band of an RPM value.
    pub fn of(rpm: f64) -> RpmBand {
        if rpm >= 6000.0 {
            RpmBand::Excellent
        } else if rpm >= 1000.0 {
            RpmBand::Good
        } else if rpm >= 300.0 {
            RpmBand::Fair
        } else {
            RpmBand::Poor
        }
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            RpmBand::Poor => "Poor",
            RpmBand::Fair => "Fair",
            RpmBand::Good => "Good",
            RpmBand::Excellent => "Excellent",
        }
    }
}

/// The bufferbloat grade of an added latency (loaded − idle), as DSLReports defined it and the
/// Waveform and LibreQoS tests use it (https://www.dslreports.com/faq/17930): A+ below 5 ms, A
/// below 30, B below 60, C below 200, D below 400, F from 400 ms.
pub fn bufferbloat_grade(added_ms: f64) -> &'static str {
    match added_ms {
        a if a < 5.0 => "A+",
        a if a < 30.0 => "A",
        a if a < 60.0 => "B",
        a if a < 200.0 => "C",
        a if a < 400.0 => "D",
        _ => "F",
    }
}

/// Where [`bufferbloat_grade`]'s thresholds come from.
pub const BUFFERBLOAT_GRADE_SOURCE: &str = "https://www.dslreports.com/faq/17930";

/// A running throughput estimate: the lower of a fast (2 s half-life) and a slow (5 s) EWMA of
/// per-chunk throughput, each sample weighted by its duration (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ThroughputEstimate {
    fast: Ewma,
    slow: Ewma,
    /// Bytes sampled so far.
    pub bytes: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
struct Ewma {
    half_life_s: f64,
    estimate: f64,
    total_weight: f64,
}

impl Ewma {
    fn new(half_life_s: f64) -> Ewma {
        Ewma {
            half_life_s,
            estimate: 0.0,
            total_weight: 0.0,
        }
    }

    fn sample(&mut self, weight_s: f64, value: f64) {
        // alpha^weight with alpha = 0.5^(1 / half-life): a sample of one half-life's duration
        // carries half the estimate.
        let keep = 0.5f64.powf(weight_s / self.half_life_s);
        self.estimate = value * (1.0 - keep) + keep * self.estimate;
        self.total_weight += weight_s;
    }

    /// The estimate, corrected for its zero start (the bias an EWMA from 0 has early on).
    fn value(&self) -> Option<f64> {
        let zero_factor = 1.0 - 0.5f64.powf(self.total_weight / self.half_life_s);
        (self.total_weight > 0.0 && zero_factor > 0.0).then(|| self.estimate / zero_factor)
    }
}

impl Default for ThroughputEstimate {
    fn default() -> ThroughputEstimate {
        ThroughputEstimate {
            fast: Ewma::new(2.0),
            slow: Ewma::new(5.0),
            bytes: 0,
        }
    }
}

impl ThroughputEstimate {
    /// Chunks shorter than this are left out: their time is mostly latency, not throughput.
    pub const MIN_CHUNK_MS: f64 = 10.0;

    /// Adds a chunk of `bytes` received in `duration_ms`.
    pub fn sample(&mut self, duration_ms: f64, bytes: u64) {
        if duration_ms.is_nan() || duration_ms < Self::MIN_CHUNK_MS || bytes == 0 {
            return;
        }
        let seconds = duration_ms / 1000.0;
        let bps = bytes as f64 * 8.0 / seconds;
        self.fast.sample(seconds, bps);
        self.slow.sample(seconds, bps);
        self.bytes += bytes;
    }

    /// The estimate, bit/s: the lower of the two averages.
    pub fn bps(&self) -> Option<f64> {
        Some(self.fast.value()?.min(self.slow.value()?))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;

    fn probe(kind: ProbeKind, ms: f64) -> Probe {
        Probe {
            at_ms: 0.0,
            kind,
            ms,
        }
    }

    #[test]
    fn the_trimmed_mean_drops_the_top_five_percent_only() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        // The 95 smallest: 1..=95, mean 48.
        assert_eq!(trimmed_mean(&values, 0.95), Some(48.0));
        assert_eq!(trimmed_mean(&[7.0], 0.95), Some(7.0));
        // 10 values: ceil(9.5) = 10 kept, nothing dropped.
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(trimmed_mean(&ten, 0.95), Some(5.5));
        assert_eq!(trimmed_mean(&[], 0.95), None);
        assert_eq!(trimmed_mean(&[f64::NAN], 0.95), None);
    }

    #[test]
    fn rpm_is_the_mean_of_foreign_and_loaded_responsiveness() {
        let probes = [
            probe(ProbeKind::ForeignConnect, 10.0),
            probe(ProbeKind::ForeignRequest, 30.0),
            probe(ProbeKind::SelfRequest, 100.0),
        ];
        let r = responsiveness(&probes, 0.95).unwrap();
        assert_eq!(r.foreign_rpm, 3000.0);
        assert_eq!(r.loaded_rpm, 600.0);
        assert_eq!(r.rpm, 1800.0);
        assert_eq!(RpmBand::of(r.rpm), RpmBand::Good);
        assert!(
            responsiveness(&probes[..2], 0.95).is_none(),
            "no self probe"
        );
    }

    #[test]
    fn goodput_saturates_then_rpm_settles_with_high_confidence() {
        let params = Params::default();
        let mut stage = Stage::new(params);
        let probes = || {
            vec![
                probe(ProbeKind::ForeignConnect, 1.0),
                probe(ProbeKind::ForeignRequest, 2.0),
                probe(ProbeKind::SelfRequest, 100.0),
            ]
        };
        // Goodput grows with each flow for three intervals, then stays.
        let mut nexts = Vec::new();
        for bytes in [100_000, 200_000, 300_000] {
            nexts.push(stage.end_interval(bytes, probes()));
        }
        assert_eq!(nexts, [Next::AddFlow; 3]);
        assert_eq!(stage.flows(), 4);
        assert_eq!(stage.rpm_confidence(), Confidence::Low);
        let mut next = Next::Continue;
        for _ in 0..20 {
            next = stage.end_interval(300_000, probes());
            if next == Next::Done {
                break;
            }
        }
        assert_eq!(next, Next::Done);
        assert!(stage.saturated());
        assert_eq!(stage.rpm_confidence(), Confidence::High);
        assert_eq!(stage.goodput_confidence(), Confidence::High);
        assert_eq!(stage.goodput_bps(), Some(2_400_000.0));
        // Flows stopped growing at saturation: the moving average needs MAD equal intervals
        // to settle, so MAD more flows were added after goodput stopped growing.
        assert_eq!(stage.flows(), 8);
    }

    #[test]
    fn without_saturation_flows_stop_at_the_maximum_and_confidence_stays_medium() {
        let params = Params {
            max_flows: 3,
            ..Params::default()
        };
        let mut stage = Stage::new(params);
        for i in 0..12u64 {
            // A queue that keeps growing: RPM never settles.
            let ms = 50.0 * (i + 1) as f64;
            let probes = vec![
                probe(ProbeKind::ForeignConnect, ms),
                probe(ProbeKind::ForeignRequest, ms),
                probe(ProbeKind::SelfRequest, ms),
            ];
            stage.end_interval(100_000 * (1 + (i % 3)), probes);
        }
        assert_eq!(stage.flows(), 3);
        assert_eq!(stage.rpm_confidence(), Confidence::Medium);
    }

    #[test]
    fn bufferbloat_grades_follow_their_source() {
        let grades: Vec<_> = [0.0, 4.9, 5.0, 29.0, 59.0, 100.0, 399.0, 400.0]
            .iter()
            .map(|&a| bufferbloat_grade(a))
            .collect();
        assert_eq!(grades, ["A+", "A+", "A", "A", "B", "C", "D", "F"]);
    }

    #[test]
    fn the_throughput_estimate_follows_a_drop_within_seconds() {
        let mut estimate = ThroughputEstimate::default();
        assert_eq!(estimate.bps(), None);
        // 20 Mbit/s in 100 ms chunks for 10 s.
        for _ in 0..100 {
            estimate.sample(100.0, 250_000);
        }
        let before = estimate.bps().unwrap();
        assert!((before - 20e6).abs() < 1.0, "{before}");
        // The rate halves: the estimate is within 10 % of the new rate after how long?
        let mut after_ms = 0.0;
        while estimate.bps().unwrap() > 11e6 {
            estimate.sample(100.0, 125_000);
            after_ms += 100.0;
            assert!(after_ms < 20_000.0);
        }
        // The lower average wins, so the estimate follows the fast one (2 s half-life) down:
        // half the drop shows in 2 s, all but 10 % of it in log2(10) × 2 s ≈ 6.6 s.
        assert!((6_000.0..=7_000.0).contains(&after_ms), "{after_ms}");
        // A one-second burst at 40 Mbit/s moves the estimate less than half way up: the slow
        // average holds it.
        estimate.sample(1000.0, 5_000_000);
        assert!(estimate.bps().unwrap() < 25e6);
        // Tiny chunks are left out.
        let bytes = estimate.bytes;
        estimate.sample(1.0, 10);
        assert_eq!(estimate.bytes, bytes);
    }
}
