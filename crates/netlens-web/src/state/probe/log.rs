//! The samples of a run as the page keeps them, and the JSON export written from them.

use netlens_probe::export;
use netlens_probe::session::{Sample, Session};
use netlens_probe::worker::WorkerEnvironment;
use serde::Serialize;

use super::Run;

/// The samples of a run, in the order the worker resolved them.
#[derive(Debug, Default)]
pub struct SampleLog {
    /// Oldest first; at most [`Session::MAX_SAMPLES`].
    pub samples: Vec<Sample>,
    /// Samples dropped from the front because the log was full.
    pub dropped: u64,
    /// The largest `seq` seen (a smaller or equal one may be an update).
    max_seq: Option<u64>,
}

impl SampleLog {
    /// Adds a batch. A sample the worker sent before comes again when it changes (a late reply,
    /// a segment re-labelled by a detected change): it replaces the earlier copy, searched from
    /// the end (such updates are recent).
    pub fn extend(&mut self, batch: Vec<Sample>) {
        for sample in batch {
            if self.max_seq.is_some_and(|max| sample.seq <= max)
                && let Some(old) = self
                    .samples
                    .iter_mut()
                    .rev()
                    .take(Session::TRACKED_PROBES * 2)
                    .find(|s| s.seq == sample.seq)
            {
                *old = sample;
                continue;
            }
            self.max_seq = Some(self.max_seq.map_or(sample.seq, |m| m.max(sample.seq)));
            self.samples.push(sample);
        }
        let excess = self.samples.len().saturating_sub(Session::MAX_SAMPLES);
        if excess > 0 {
            self.samples.drain(..excess);
            self.dropped += excess as u64;
        }
    }
}

/// The browser's side of the JSON export's `environment`.
#[derive(Serialize)]
pub struct BrowserEnvironment<'a> {
    /// Always `netlens-web`.
    pub client: &'static str,
    /// netlens version.
    pub version: &'static str,
    /// The worker's `navigator.userAgent`.
    pub browser: &'a str,
    /// The clock.
    pub clock: &'static str,
    /// The smallest `performance.now()` step the worker observed, ms.
    pub timer_resolution_ms: f64,
    /// Whether the worker was cross-origin isolated (finer timers).
    pub cross_origin_isolated: bool,
}

/// The JSON export: the same report as `netlens probe --json`, with the browser's environment.
pub fn export_json(run: &Run, environment: Option<&WorkerEnvironment>) -> Option<String> {
    let summary = run.summary.as_ref()?;
    let env = BrowserEnvironment {
        client: "netlens-web",
        version: env!("CARGO_PKG_VERSION"),
        browser: environment.map_or("", |e| e.user_agent.as_str()),
        clock: "performance.now() in a dedicated Web Worker",
        timer_resolution_ms: environment.map_or(f64::NAN, |e| e.timer_resolution_ms),
        cross_origin_isolated: environment.is_some_and(|e| e.cross_origin_isolated),
    };
    Some(export::RunReport::new(&run.config, summary, &run.events, env).to_json())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;
    use crate::state::probe::test_support::sample;
    use netlens_probe::session::Outcome;

    #[test]
    fn late_replies_replace_the_lost_sample_and_the_log_is_bounded() {
        let mut log = SampleLog::default();
        log.extend(vec![sample(1, 0.0, None), sample(2, 10.0, Some(5.0))]);
        let late = Sample {
            rtt_ms: Some(1500.0),
            outcome: Outcome::Late,
            ..sample(1, 0.0, None)
        };
        log.extend(vec![late]);
        assert_eq!(log.samples.len(), 2);
        assert_eq!(log.samples[0].outcome, Outcome::Late);
        // A re-labelled segment replaces too; a lost probe resolved after a later reply (a
        // smaller seq, never seen) is added.
        log.extend(vec![Sample {
            segment: 2,
            ..sample(2, 10.0, Some(5.0))
        }]);
        assert_eq!(log.samples.len(), 2);
        assert_eq!(log.samples[1].segment, 2);
        log.extend(vec![sample(4, 30.0, Some(5.0)), sample(3, 20.0, None)]);
        assert_eq!(
            log.samples.iter().map(|s| s.seq).collect::<Vec<_>>(),
            [1, 2, 4, 3]
        );
        let many: Vec<Sample> = (5..Session::MAX_SAMPLES as u64 + 15)
            .map(|i| sample(i, i as f64, Some(1.0)))
            .collect();
        log.extend(many);
        assert_eq!(log.samples.len(), Session::MAX_SAMPLES);
        assert_eq!(log.dropped, 14);
        assert_eq!(log.samples[0].seq, 15);
    }
}
