//! The latency probe's page state: what the worker reported, kept for the charts and exports,
//! and the chart geometry computed from it.
//!
//! A run at 100 probes/s collects up to [`Session::MAX_SAMPLES`] samples, and an update arrives
//! every second: copying them on every update (as a plain immutable reducer would) costs
//! megabytes per second. So the sample log sits behind one `Rc<RefCell<…>>` that the reducer
//! appends to, and a version number tells Yew that something changed.
//!
//! The chart functions are pure and bounded: the RTT chart looks at the last minute only and
//! reduces it to one column per pixel (min and max), so drawing costs the same at 1 probe/s and
//! at 100; the histogram is one pass over the samples.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;

use netlens_probe::session::{
    BROWSER_CLOSED, ConnectionState, Event, Outcome, Sample, Session, Summary,
};
use netlens_probe::worker::{Report, WorkerEnvironment};
use netlens_probe::{ProbeConfig, export};
use serde::Serialize;
use yew::Reducible;

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

/// One run, as the page knows it.
#[derive(Clone, Debug)]
pub struct Run {
    /// Its id (reports of other runs are ignored).
    pub run_id: u32,
    /// The settings it was started with.
    pub config: ProbeConfig,
    /// The latest summary.
    pub summary: Option<Summary>,
    /// The summary the details table and counters show: the latest one at most every
    /// [`DETAILS_EVERY_MS`] of run time while the run goes on, and the last one when it ends.
    /// Nobody reads forty numbers a second, and each one that changes costs the page a layout.
    pub details: Option<Rc<Summary>>,
    /// Its samples (shared: see the module documentation).
    pub log: Rc<RefCell<SampleLog>>,
    /// Its events, oldest first.
    pub events: Vec<Event>,
    /// Why the worker could not go on, if it could not.
    pub error: Option<String>,
    /// Stopped by the user (rather than finished its count or failed).
    pub stopped: bool,
}

/// The page's probe state.
#[derive(Clone, Debug, Default)]
pub struct ProbeState {
    /// The worker's clock and context, once it is ready.
    pub environment: Option<WorkerEnvironment>,
    /// The worker could not start.
    pub worker_error: Option<String>,
    /// The current run, if one was started since the last reset.
    pub run: Option<Run>,
    /// Bumped on every change that the page shows (not while it is hidden: nobody sees it,
    /// and rendering would only compete with the worker for the device).
    pub version: u64,
    /// The page is hidden (a background tab).
    pub hidden: bool,
}

impl PartialEq for ProbeState {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

/// How often, in run time, the details table and counters follow the run (see [`Run::details`]).
pub const DETAILS_EVERY_MS: f64 = 5_000.0;

/// What can happen to the probe state.
#[derive(Debug)]
pub enum ProbeAction {
    /// The worker reported something.
    Report(Report),
    /// The worker script failed to load or crashed.
    WorkerFailed(String),
    /// A run was started with these settings.
    Started {
        /// The run's id.
        run_id: u32,
        /// Its settings.
        config: ProbeConfig,
    },
    /// The user stopped the run.
    Stopped,
    /// The user cleared the results.
    Reset,
    /// The page was hidden or shown.
    Visibility {
        /// Hidden now.
        hidden: bool,
    },
}

impl Reducible for ProbeState {
    type Action = ProbeAction;

    fn reduce(self: Rc<Self>, action: ProbeAction) -> Rc<Self> {
        let mut state = (*self).clone();
        // A report to a hidden page is kept, not shown: the version (what Yew compares) moves
        // on the next change the page can see.
        let unseen = state.hidden && matches!(action, ProbeAction::Report(Report::Update { .. }));
        if !unseen {
            state.version += 1;
        }
        match action {
            ProbeAction::Report(Report::Ready { environment }) => {
                state.environment = Some(environment);
            }
            ProbeAction::Report(Report::Update {
                run_id,
                summary,
                samples,
                events,
            }) => {
                let Some(run) = state.run.as_mut().filter(|r| r.run_id == run_id) else {
                    return self;
                };
                let due = run.details.as_ref().is_none_or(|shown| {
                    summary.elapsed_ms >= shown.elapsed_ms + DETAILS_EVERY_MS
                        || summary.connection == ConnectionState::Finished
                });
                if due {
                    run.details = Some(Rc::new((*summary).clone()));
                }
                run.summary = Some(*summary);
                run.log.borrow_mut().extend(samples);
                run.events.extend(events);
                let excess = run.events.len().saturating_sub(Session::MAX_EVENTS);
                run.events.drain(..excess);
            }
            ProbeAction::Report(Report::Error { message }) => match state.run.as_mut() {
                Some(run) => run.error = Some(message),
                None => state.worker_error = Some(message),
            },
            ProbeAction::WorkerFailed(message) => state.worker_error = Some(message),
            ProbeAction::Started { run_id, config } => {
                state.run = Some(Run {
                    run_id,
                    config,
                    summary: None,
                    details: None,
                    log: Rc::default(),
                    events: Vec::new(),
                    error: None,
                    stopped: false,
                });
            }
            ProbeAction::Stopped => {
                if let Some(run) = state.run.as_mut() {
                    run.stopped = true;
                    run.details = run.summary.clone().map(Rc::new);
                }
            }
            ProbeAction::Reset => state.run = None,
            ProbeAction::Visibility { hidden } => state.hidden = hidden,
        }
        Rc::new(state)
    }
}

/// A number of milliseconds, with the precision it deserves: three decimals below 10 ms (the
/// timer resolves microseconds), two below 100 ms, one above.
pub fn fmt_ms(ms: f64) -> String {
    if !ms.is_finite() {
        "–".to_owned()
    } else if ms == 0.0 {
        "0 ms".to_owned()
    } else if ms.abs() < 10.0 {
        format!("{ms:.3} ms")
    } else if ms.abs() < 100.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

/// An axis label: the value as short as it is exact (ticks are quarters of a nice number, so
/// three decimals always suffice), `0 ms`, `7.5 ms`, `1500 ms`, `0.125 ms`.
pub fn fmt_tick(ms: f64) -> String {
    let text = format!("{ms:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} ms")
}

/// How the status line looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Nothing to worry about.
    Neutral,
    /// Working.
    Good,
    /// Trouble, being handled (reconnecting).
    Warn,
    /// Stopped by a problem.
    Bad,
}

impl Tone {
    /// CSS class.
    pub fn class(self) -> &'static str {
        match self {
            Tone::Neutral => "nl-status",
            Tone::Good => "nl-status nl-status-good",
            Tone::Warn => "nl-status nl-status-warn",
            Tone::Bad => "nl-status nl-status-bad",
        }
    }
}

fn last_disconnect(events: &[Event]) -> Option<&str> {
    events.iter().rev().find_map(|e| match e {
        Event::Disconnected { reason, .. } => Some(reason.as_str()),
        _ => None,
    })
}

/// How long after a suspension ended the status line still says so (ms): the page comes back
/// visible as the run resumes, and the reader needs a moment to see why there is a gap.
const RESUMED_SAID_MS: f64 = 30_000.0;

/// The status line: one sentence for every connection state, and one more for
/// [`RESUMED_SAID_MS`] after the browser suspended the run, so a gap is never silent.
pub fn status_line(state: &ProbeState) -> (Tone, String) {
    let (tone, line) = connection_status(state);
    let Some(summary) = state.run.as_ref().and_then(|run| run.summary.as_ref()) else {
        return (tone, line);
    };
    // A finished run says the whole of it already (its interruption note).
    if summary.connection == ConnectionState::Finished {
        return (tone, line);
    }
    let now_ms = summary.elapsed_ms;
    let recent = state.run.as_ref().and_then(|run| {
        run.events.iter().rev().find_map(|e| match e {
            Event::Suspended {
                from_ms,
                to_ms,
                hidden,
                interrupted_in_flight,
            } if now_ms - to_ms <= RESUMED_SAID_MS => {
                let by = if *hidden {
                    "the browser suspended this hidden page"
                } else {
                    "the device stopped the run (asleep?)"
                };
                let probes = match interrupted_in_flight {
                    0 => String::new(),
                    1 => "; the probe in flight then is not counted as lost".to_owned(),
                    n => format!("; the {n} probes in flight then are not counted as lost"),
                };
                Some(format!(
                    "Resumed after {:.1} s: {by}{probes}.",
                    (to_ms - from_ms) / 1000.0
                ))
            }
            Event::Disconnected { at_ms, reason, .. }
                if reason == BROWSER_CLOSED && now_ms - at_ms <= RESUMED_SAID_MS =>
            {
                Some(
                    concat!(
                        "The browser closed the connection while the page was hidden; its probes ",
                        "in flight are not counted as lost."
                    )
                    .to_owned(),
                )
            }
            _ => None,
        })
    });
    match recent {
        Some(sentence) => (Tone::Warn, format!("{line} {sentence}")),
        None => (tone, line),
    }
}

fn connection_status(state: &ProbeState) -> (Tone, String) {
    if let Some(e) = &state.worker_error {
        return (Tone::Bad, format!("The probe cannot run: {e}"));
    }
    let Some(run) = &state.run else {
        return if state.environment.is_some() {
            (Tone::Neutral, "Ready. Press Start to probe.".to_owned())
        } else {
            (Tone::Neutral, "Starting the probe worker…".to_owned())
        };
    };
    let endpoint = &run.config.endpoint;
    let Some(summary) = &run.summary else {
        return match &run.error {
            Some(e) => (Tone::Bad, format!("Not started: {e}")),
            None => (Tone::Neutral, format!("Starting a run against {endpoint}…")),
        };
    };
    let rate = if run.config.fresh_connection {
        format!(
            "a fresh connection every {} ms",
            run.config.interval_ms.round()
        )
    } else {
        format!("a probe every {} ms", run.config.interval_ms.round())
    };
    match summary.connection {
        ConnectionState::Idle => (Tone::Good, format!("Probing {endpoint}: {rate}.")),
        ConnectionState::Connecting { attempt: 1 } if summary.connections == 0 => {
            (Tone::Neutral, format!("Connecting to {endpoint}…"))
        }
        ConnectionState::Connecting { attempt } => (
            Tone::Warn,
            format!("Reconnecting to {endpoint} (attempt {attempt})…"),
        ),
        ConnectionState::Open { connection } => {
            let which = if connection > 1 && !run.config.fresh_connection {
                format!(" (connection {connection})")
            } else {
                String::new()
            };
            (
                Tone::Good,
                format!("Connected to {endpoint}{which}: {rate}."),
            )
        }
        ConnectionState::Waiting {
            retry_at_ms,
            failures,
        } => {
            let why = last_disconnect(&run.events).unwrap_or("the connection closed");
            let wait = ((retry_at_ms - summary.elapsed_ms) / 1000.0).max(0.0);
            let next = failures + 1;
            let text = if summary.connections == 0 {
                format!(
                    "Cannot connect to {endpoint}: {why}. Retrying in {wait:.1} s (attempt {next})."
                )
            } else {
                format!(
                    "Connection lost; reconnecting in {wait:.1} s (attempt {next}). Last error: {why}. Results so far are kept."
                )
            };
            (Tone::Warn, text)
        }
        ConnectionState::Finished => {
            if let Some(e) = &run.error {
                (Tone::Bad, format!("Stopped: {e}."))
            } else if run.stopped {
                (
                    Tone::Neutral,
                    format!("Stopped after {} probes.", summary.sent),
                )
            } else {
                // A finished run keeps saying what interrupted it (the export says the same).
                let note = summary
                    .interruption_note()
                    .map(|n| format!(" {n}"))
                    .unwrap_or_default();
                (
                    Tone::Neutral,
                    format!("Finished: {} probes sent.{note}", summary.sent),
                )
            }
        }
    }
}

/// Whether the run is live (Start would restart it; Stop applies).
pub fn is_running(state: &ProbeState) -> bool {
    state.run.as_ref().is_some_and(|r| {
        r.error.is_none()
            && !r.stopped
            && !matches!(
                r.summary.as_ref().map(|s| s.connection),
                Some(ConnectionState::Finished)
            )
    })
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

/// Geometry of the RTT chart, in SVG user units.
pub mod geometry {
    /// Width of the plot area.
    pub const WIDTH: f64 = 720.0;
    /// Height of the plot area.
    pub const HEIGHT: f64 = 200.0;
    /// Room left of the plot for the axis labels.
    pub const LEFT: f64 = 64.0;
    /// Room below the plot for the axis labels.
    pub const BOTTOM: f64 = 22.0;
    /// Room above the plot for the loss marks.
    pub const TOP: f64 = 10.0;
}

/// The RTT-over-time chart, ready to draw.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct RttChart {
    /// One vertical stroke per pixel column from its smallest to its largest RTT.
    pub rtt_path: String,
    /// The smoothed RTT (RFC 6298 SRTT).
    pub srtt_path: String,
    /// A tick above the plot for every lost probe.
    pub lost_path: String,
    /// Shaded spans where the page was hidden (x from, x to).
    pub hidden: Vec<(f64, f64)>,
    /// Detected changes (x, label).
    pub changes: Vec<(f64, String)>,
    /// Horizontal grid lines (y, label).
    pub y_ticks: Vec<(f64, String)>,
    /// Time labels (x, label).
    pub x_ticks: Vec<(f64, String)>,
    /// Probes drawn.
    pub points: usize,
    /// The time the chart spans (one of [`CHART_SPANS`]).
    pub span_ms: f64,
}

/// The smallest "nice" number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10ⁿ) at least `v`: an axis
/// that ends close above the data, with quarter ticks that read well.
pub fn nice_ceil(v: f64) -> f64 {
    if v.is_nan() || v <= 0.0 || v.is_infinite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|n| *n >= v * (1.0 - 1e-12))
        .unwrap_or(10.0 * magnitude)
}

/// The RTT chart's time spans (ms) and tick steps: the chart shows the smallest span that holds
/// the run so far (a ten-second run is not squeezed into a minute's width), then the last
/// minute. Ticks are relative to the latest probe, so the axis stays the same from one update to
/// the next and only the plotted paths change.
pub const CHART_SPANS: [(f64, f64); 3] = [
    (10_000.0, 2_000.0),
    (30_000.0, 5_000.0),
    (60_000.0, 10_000.0),
];

/// Draws the probes sent in the chart's span (see [`CHART_SPANS`]) before `end_ms` (ms since the
/// run started). Coordinates are whole SVG units (about a pixel each): integers are quicker to
/// write, and for the browser to parse, than decimals.
pub fn rtt_chart(samples: &[Sample], events: &[Event], end_ms: f64) -> RttChart {
    use geometry::*;
    let (span, step) = CHART_SPANS
        .into_iter()
        .find(|(span, _)| end_ms <= *span)
        .unwrap_or(CHART_SPANS[CHART_SPANS.len() - 1]);
    let start_ms = end_ms - span;
    // Samples are in resolve order, which trails send order by at most a timeout (≤ 10 s): scan
    // back until well before the window.
    let visible: Vec<&Sample> = samples
        .iter()
        .rev()
        .take_while(|s| s.sent_at_ms >= start_ms - 12_000.0)
        .filter(|s| s.sent_at_ms >= start_ms && s.sent_at_ms <= end_ms)
        .collect();
    let y_max = nice_ceil(
        visible
            .iter()
            .filter_map(|s| s.rtt_ms.into_iter().chain(s.srtt_ms).reduce(f64::max))
            .fold(0.0, f64::max)
            * 1.05,
    );
    let x_of = |t: f64| LEFT + ((t - start_ms) / span * WIDTH).clamp(0.0, WIDTH);
    let y_of = |ms: f64| TOP + HEIGHT - (ms / y_max * HEIGHT).clamp(0.0, HEIGHT);
    let columns = WIDTH as usize + 1;
    let mut lo = vec![f64::INFINITY; columns];
    let mut hi = vec![f64::NEG_INFINITY; columns];
    let mut srtt: Vec<Option<(f64, f64)>> = vec![None; columns];
    let mut lost = vec![false; columns];
    for s in &visible {
        let column = ((s.sent_at_ms - start_ms) / span * WIDTH).clamp(0.0, WIDTH) as usize;
        match s.rtt_ms {
            Some(rtt) if s.outcome == Outcome::Ok => {
                lo[column] = lo[column].min(rtt);
                hi[column] = hi[column].max(rtt);
            }
            _ => lost[column] = true,
        }
        if let Some(v) = s.srtt_ms
            && srtt[column].is_none_or(|(t, _)| s.sent_at_ms > t)
        {
            srtt[column] = Some((s.sent_at_ms, v));
        }
    }
    let mut chart = RttChart {
        points: visible.len(),
        span_ms: span,
        ..RttChart::default()
    };
    // Whole units: `as i32` on values clamped to the plot.
    let unit = |v: f64| v.round() as i32;
    for column in 0..columns {
        let x = LEFT as i32 + column as i32;
        if lo[column].is_finite() {
            let top = unit(y_of(hi[column]));
            // At least 2 units tall so a single probe shows as a dot.
            let bottom = unit(y_of(lo[column])).max(top + 2);
            let _ = write!(chart.rtt_path, "M{x} {top}V{bottom}");
        }
        if lost[column] {
            let _ = write!(chart.lost_path, "M{x} 1V{}", unit(TOP - 1.0));
        }
        if let Some((_, v)) = srtt[column] {
            let command = if chart.srtt_path.is_empty() { 'M' } else { 'L' };
            let _ = write!(chart.srtt_path, "{command}{x} {}", unit(y_of(v)));
        }
    }
    let mut hidden_since: Option<f64> = None;
    for e in events {
        match e {
            Event::Change {
                at_ms,
                segment,
                from_ms,
                to_ms,
                ..
            } if *at_ms >= start_ms => chart.changes.push((
                x_of(*at_ms),
                format!(
                    "segment {segment}: {} → {}",
                    fmt_ms(*from_ms),
                    fmt_ms(*to_ms)
                ),
            )),
            Event::Visibility {
                at_ms,
                hidden: true,
            } => hidden_since = Some(*at_ms),
            Event::Visibility {
                at_ms,
                hidden: false,
            } => {
                if let Some(from) = hidden_since.take()
                    && *at_ms >= start_ms
                {
                    chart.hidden.push((x_of(from), x_of(*at_ms)));
                }
            }
            _ => {}
        }
    }
    if let Some(from) = hidden_since {
        chart.hidden.push((x_of(from), x_of(end_ms)));
    }
    for i in 0..=4 {
        let v = y_max * f64::from(i) / 4.0;
        chart.y_ticks.push((y_of(v), fmt_tick(v)));
    }
    // Seconds before the latest probe, at fixed places.
    let ticks = (span / step).round() as usize;
    for k in 0..=ticks {
        let before_s = (span - k as f64 * step) / 1000.0;
        let label = if k == ticks {
            "0 s".to_owned()
        } else {
            format!("\u{2212}{before_s:.0} s")
        };
        chart
            .x_ticks
            .push((LEFT + k as f64 * step / span * WIDTH, label));
    }
    chart
}

/// The RTT histogram, ready to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    /// Lower edge of the first bin, ms.
    pub from_ms: f64,
    /// Width of each bin, ms.
    pub bin_ms: f64,
    /// Replies per bin.
    pub counts: Vec<u64>,
    /// Replies above the last bin.
    pub above: u64,
}

/// Bins the run's replies between `from_ms` and `to_ms` (the run's minimum and p99: the tail
/// beyond goes into `above`, so one 200 ms retransmission does not flatten the rest).
pub fn histogram(samples: &[Sample], from_ms: f64, to_ms: f64, bins: usize) -> Option<Histogram> {
    let bins = bins.max(1);
    if !(from_ms.is_finite() && to_ms.is_finite()) {
        return None;
    }
    let (from, to) = if to_ms - from_ms < 0.01 {
        (from_ms - 0.005, from_ms + 0.005)
    } else {
        (from_ms, to_ms)
    };
    let bin_ms = (to - from) / bins as f64;
    let mut counts = vec![0u64; bins];
    let mut above = 0;
    let mut any = false;
    for rtt in samples
        .iter()
        .filter(|s| s.outcome == Outcome::Ok)
        .filter_map(|s| s.rtt_ms)
    {
        any = true;
        if rtt > to {
            above += 1;
        } else {
            let i = (((rtt - from) / bin_ms).floor().max(0.0) as usize).min(bins - 1);
            counts[i] += 1;
        }
    }
    any.then_some(Histogram {
        from_ms: from,
        bin_ms,
        counts,
        above,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;

    fn sample(seq: u64, sent_at_ms: f64, rtt_ms: Option<f64>) -> Sample {
        Sample {
            seq,
            sent_at_ms,
            send_delay_ms: 0.0,
            rtt_ms,
            outcome: if rtt_ms.is_some() {
                Outcome::Ok
            } else {
                Outcome::Lost
            },
            connection: 1,
            segment: 1,
            srtt_ms: rtt_ms,
            hidden: false,
            disturbed: false,
        }
    }

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

    #[test]
    fn nice_numbers() {
        assert_eq!(nice_ceil(0.0), 1.0);
        assert_eq!(nice_ceil(0.17), 0.2);
        assert_eq!(nice_ceil(2.0), 2.0);
        assert_eq!(nice_ceil(21.0), 25.0);
        assert_eq!(nice_ceil(26.3), 30.0);
        assert_eq!(nice_ceil(101.0), 150.0);
        assert_eq!(nice_ceil(900.0), 1000.0);
        assert_eq!(nice_ceil(f64::NAN), 1.0);
    }

    #[test]
    fn chart_draws_one_column_per_pixel_and_marks_losses_and_changes() {
        // 10 s at 100 probes/s: 1000 probes in 720 columns.
        let samples: Vec<Sample> = (0..1000)
            .map(|i| {
                let t = i as f64 * 10.0;
                sample(i, t, (i % 100 != 0).then_some(20.0 + (i % 3) as f64))
            })
            .collect();
        let events = vec![Event::Change {
            at_ms: 5_000.0,
            seq: 500,
            segment: 2,
            direction: netlens_probe::change::Direction::Up,
            from_ms: 20.0,
            to_ms: 40.0,
        }];
        let chart = rtt_chart(&samples, &events, 10_000.0);
        assert_eq!(chart.points, 1000);
        // Every column is drawn at most once.
        let strokes = chart.rtt_path.matches('M').count();
        assert!((700..=721).contains(&strokes), "{strokes}");
        assert_eq!(chart.lost_path.matches('M').count(), 10);
        assert_eq!(chart.changes.len(), 1);
        assert!(chart.changes[0].1.contains("20.00 ms → 40.00 ms"));
        // Axis: 0 to 25 ms (22 ms × 1.05 rounded up to a nice number).
        assert_eq!(chart.y_ticks.last().unwrap().1, "25 ms");
        assert_eq!(chart.y_ticks[1].1, "6.25 ms");
        assert_eq!(chart.y_ticks[0].1, "0 ms");
        assert_eq!(chart.y_ticks[0].0, geometry::TOP + geometry::HEIGHT);
        // 10 s of data: ten seconds, ticks every 2 s before the latest probe.
        assert_eq!(chart.span_ms, 10_000.0);
        let labels: Vec<&str> = chart.x_ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            labels,
            [
                "\u{2212}10 s",
                "\u{2212}8 s",
                "\u{2212}6 s",
                "\u{2212}4 s",
                "\u{2212}2 s",
                "0 s"
            ]
        );
        assert_eq!(chart.x_ticks[0].0, geometry::LEFT);
        assert_eq!(chart.x_ticks[5].0, geometry::LEFT + geometry::WIDTH);
        // The axis does not move from one update to the next: only the paths do.
        let short = rtt_chart(&samples[..400], &[], 4_000.0);
        assert_eq!(short.x_ticks, chart.x_ticks);
        assert_eq!(short.y_ticks, chart.y_ticks);
        assert_ne!(short.rtt_path, chart.rtt_path);
        // Whole units only.
        assert!(!chart.rtt_path.contains('.') && !chart.srtt_path.contains('.'));
        // Then 30 s, then the last minute.
        let labels = |end_ms| {
            let c = rtt_chart(&samples, &[], end_ms);
            (c.span_ms, c.x_ticks.len(), c.x_ticks[0].1.clone())
        };
        assert_eq!(labels(25_000.0), (30_000.0, 7, "\u{2212}30 s".to_owned()));
        assert_eq!(labels(600_000.0), (60_000.0, 7, "\u{2212}60 s".to_owned()));
        // Only the last minute is drawn.
        let late: Vec<Sample> = (0..200)
            .map(|i| sample(i, i as f64 * 1000.0, Some(5.0)))
            .collect();
        let chart = rtt_chart(&late, &[], 199_000.0);
        assert_eq!(chart.points, 61);
    }

    #[test]
    fn histogram_bins_replies_and_counts_the_tail() {
        let samples: Vec<Sample> = [10.0, 10.5, 11.0, 19.9, 20.0, 300.0]
            .iter()
            .enumerate()
            .map(|(i, r)| sample(i as u64, 0.0, Some(*r)))
            .chain([sample(99, 0.0, None)])
            .collect();
        let h = histogram(&samples, 10.0, 20.0, 10).unwrap();
        assert_eq!(h.counts.iter().sum::<u64>(), 5);
        assert_eq!(h.above, 1);
        assert_eq!(h.counts[0], 2); // 10.0 and 10.5
        assert_eq!(h.counts[1], 1); // 11.0
        assert_eq!(h.counts[9], 2); // 19.9 and 20.0 (the top edge belongs to the last bin)
        // Identical RTTs get a narrow range rather than a division by zero.
        let same = vec![sample(1, 0.0, Some(1.0)); 3];
        let h = histogram(&same, 1.0, 1.0, 4).unwrap();
        assert_eq!(h.counts.iter().sum::<u64>(), 3);
        assert!(histogram(&[sample(1, 0.0, None)], 0.0, 1.0, 4).is_none());
    }

    #[test]
    fn milliseconds_are_shown_with_sensible_precision() {
        assert_eq!(fmt_ms(0.1574), "0.157 ms");
        assert_eq!(fmt_ms(20.152), "20.15 ms");
        assert_eq!(fmt_ms(201.52), "201.5 ms");
        assert_eq!(fmt_ms(f64::NAN), "–");
        assert_eq!(fmt_ms(0.0), "0 ms");
        assert_eq!(fmt_tick(0.0), "0 ms");
        assert_eq!(fmt_tick(1125.0), "1125 ms");
        assert_eq!(fmt_tick(0.125), "0.125 ms");
        assert_eq!(fmt_tick(7.5), "7.5 ms");
    }

    #[test]
    fn reports_to_a_hidden_page_are_kept_and_shown_when_it_is_visible_again() {
        let state = Rc::new(ProbeState::default());
        let state = state.reduce(ProbeAction::Started {
            run_id: 7,
            config: ProbeConfig::default(),
        });
        let state = state.reduce(ProbeAction::Visibility { hidden: true });
        let hidden_at = state.version;
        let update = |seq| {
            ProbeAction::Report(Report::Update {
                run_id: 7,
                summary: Box::new(Session::new(ProbeConfig::default(), 7, 0.0).summary(0.0)),
                samples: vec![sample(seq, seq as f64, Some(5.0))],
                events: Vec::new(),
            })
        };
        let state = state.reduce(update(1)).reduce(update(2));
        // Nothing for Yew to render, but the samples are there.
        assert_eq!(state.version, hidden_at);
        assert_eq!(state.run.as_ref().unwrap().log.borrow().samples.len(), 2);
        let state = state.reduce(ProbeAction::Visibility { hidden: false });
        assert!(state.version > hidden_at);
        let state = state.reduce(update(3));
        assert!(state.version > hidden_at + 1);
    }

    #[test]
    fn the_status_line_says_when_the_browser_suspended_the_run() {
        let started = Rc::new(ProbeState::default()).reduce(ProbeAction::Started {
            run_id: 7,
            config: ProbeConfig::default(),
        });
        let with_events = |events: Vec<Event>| {
            let mut summary = Session::new(ProbeConfig::default(), 7, 0.0).summary(6_000.0);
            summary.connection = ConnectionState::Open { connection: 1 };
            summary.connections = 1;
            started.clone().reduce(ProbeAction::Report(Report::Update {
                run_id: 7,
                summary: Box::new(summary),
                samples: Vec::new(),
                events,
            }))
        };
        let suspended = Event::Suspended {
            from_ms: 915.0,
            to_ms: 5_915.0,
            hidden: true,
            interrupted_in_flight: 1,
        };
        let (tone, line) = status_line(&with_events(vec![suspended.clone()]));
        assert_eq!(tone, Tone::Warn);
        assert!(
            line.ends_with(
                "Resumed after 5.0 s: the browser suspended this hidden page; the probe in flight \
                 then is not counted as lost."
            ),
            "{line}"
        );
        // The page coming back does not hide it; half a minute later the line is the usual one.
        let back = Event::Visibility {
            at_ms: 5_920.0,
            hidden: false,
        };
        let (_, line) = status_line(&with_events(vec![suspended.clone(), back]));
        assert!(line.contains("Resumed after 5.0 s"), "{line}");
        let long_ago = Event::Suspended {
            from_ms: -40_000.0,
            to_ms: -35_000.0,
            hidden: true,
            interrupted_in_flight: 1,
        };
        let (tone, line) = status_line(&with_events(vec![long_ago]));
        assert_eq!(tone, Tone::Good);
        assert!(line.starts_with("Connected to"), "{line}");
        // A connection the browser closed while the page was hidden is said the same way.
        let closed = Event::Disconnected {
            at_ms: 5_000.0,
            connection: 1,
            was_open: true,
            code: None,
            reason: BROWSER_CLOSED.to_owned(),
            lost_in_flight: 0,
            interrupted_in_flight: 2,
            retry_at_ms: Some(5_250.0),
        };
        let (tone, line) = status_line(&with_events(vec![closed]));
        assert_eq!(tone, Tone::Warn);
        assert!(
            line.ends_with("The browser closed the connection while the page was hidden; its probes in flight are not counted as lost."),
            "{line}"
        );
    }

    #[test]
    fn the_details_follow_the_run_every_five_seconds_and_show_its_end() {
        let state = Rc::new(ProbeState::default()).reduce(ProbeAction::Started {
            run_id: 7,
            config: ProbeConfig::default(),
        });
        let update = |state: Rc<ProbeState>, at_ms: f64, finished: bool| {
            let mut summary = Session::new(ProbeConfig::default(), 7, 0.0).summary(at_ms);
            summary.elapsed_ms = at_ms;
            if finished {
                summary.connection = ConnectionState::Finished;
            }
            state.reduce(ProbeAction::Report(Report::Update {
                run_id: 7,
                summary: Box::new(summary),
                samples: Vec::new(),
                events: Vec::new(),
            }))
        };
        let shown = |state: &ProbeState| {
            state
                .run
                .as_ref()
                .unwrap()
                .details
                .as_ref()
                .unwrap()
                .elapsed_ms
        };
        let mut state = state;
        let mut seen = Vec::new();
        for second in 0..=12 {
            state = update(state, f64::from(second) * 1000.0, false);
            seen.push(shown(&state));
            // The tiles and charts follow every update.
            assert_eq!(
                state
                    .run
                    .as_ref()
                    .unwrap()
                    .summary
                    .as_ref()
                    .unwrap()
                    .elapsed_ms,
                f64::from(second) * 1000.0
            );
        }
        assert_eq!(seen.iter().filter(|t| **t == 0.0).count(), 5);
        assert_eq!(shown(&state), 10_000.0);
        // The run's end is shown at once, finished or stopped.
        let finished = update(state.clone(), 12_500.0, true);
        assert_eq!(shown(&finished), 12_500.0);
        let stopped = update(state, 12_600.0, false).reduce(ProbeAction::Stopped);
        assert_eq!(shown(&stopped), 12_600.0);
    }
}
