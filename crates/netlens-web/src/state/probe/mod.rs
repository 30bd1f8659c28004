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
//!
//! Its parts: [`log`] keeps the samples and writes the JSON export, [`chart`] turns samples into
//! chart geometry, [`format`] writes numbers for people, and [`settings`] is the settings form's
//! own reducer (what the user typed, where each value came from, whether the hosted settings
//! file has been read).

use std::cell::RefCell;
use std::rc::Rc;

use netlens_probe::ProbeConfig;
use netlens_probe::quality::run::{Phase, QualityLive};
use netlens_probe::session::{BROWSER_CLOSED, ConnectionState, Event, Session, Summary};
use netlens_probe::worker::{Report, WorkerEnvironment};
use yew::Reducible;

pub mod chart;
pub mod format;
pub mod log;
pub mod settings;

pub use chart::{Histogram, RttChart, geometry, histogram, rtt_chart};
pub use format::fmt_ms;
pub use log::{SampleLog, export_json};

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
    /// The working-conditions run, if one was started since the last reset.
    pub quality: Option<QualityRunState>,
}

/// A working-conditions run, as the page knows it.
#[derive(Clone, Debug, PartialEq)]
pub struct QualityRunState {
    /// Its id.
    pub run_id: u32,
    /// The latest the worker said.
    pub live: Option<Rc<QualityLive>>,
    /// Why the worker could not go on, if it could not.
    pub error: Option<String>,
}

impl QualityRunState {
    /// The run is over (finished, stopped or failed).
    pub fn over(&self) -> bool {
        self.error.is_some() || self.live.as_ref().is_some_and(|l| l.phase == Phase::Done)
    }
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
    /// A working-conditions run was started.
    StartedQuality {
        /// The run's id.
        run_id: u32,
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
            ProbeAction::Report(Report::Quality { run_id, live }) => {
                let Some(q) = state.quality.as_mut().filter(|q| q.run_id == run_id) else {
                    return self;
                };
                q.live = Some(Rc::new(*live));
            }
            ProbeAction::Report(Report::Error { message }) => {
                match (state.quality.as_mut(), state.run.as_mut()) {
                    (Some(q), _) if !q.over() => q.error = Some(message),
                    (_, Some(run)) => run.error = Some(message),
                    _ => state.worker_error = Some(message),
                }
            }
            ProbeAction::WorkerFailed(message) => state.worker_error = Some(message),
            ProbeAction::StartedQuality { run_id } => {
                state.run = None;
                state.quality = Some(QualityRunState {
                    run_id,
                    live: None,
                    error: None,
                });
            }
            ProbeAction::Started { run_id, config } => {
                state.quality = None;
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
            ProbeAction::Reset => {
                state.run = None;
                state.quality = None;
            }
            ProbeAction::Visibility { hidden } => state.hidden = hidden,
        }
        Rc::new(state)
    }
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
    if let Some(q) = &state.quality {
        return quality_status(q);
    }
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

/// The status line of a working-conditions run.
pub fn quality_status(q: &QualityRunState) -> (Tone, String) {
    if let Some(e) = &q.error {
        return (Tone::Bad, format!("Stopped: {e}"));
    }
    let Some(live) = &q.live else {
        return (
            Tone::Neutral,
            "Starting: measuring the idle path first.".to_owned(),
        );
    };
    match live.phase {
        Phase::Done => {
            let rpm = live.rpm.map_or_else(
                || "no RPM (see below why)".to_owned(),
                |r| format!("{r:.0} RPM"),
            );
            let tone = if live.problems.is_empty() {
                Tone::Good
            } else {
                Tone::Warn
            };
            (
                tone,
                format!("Finished in {:.0} s: {rpm}.", live.elapsed_ms / 1000.0),
            )
        }
        Phase::Idle => (
            Tone::Good,
            "Idle phase: round trips on an unloaded path.".to_owned(),
        ),
        Phase::Cooldown => (
            Tone::Good,
            "Cooldown: the load has stopped; watching the path recover.".to_owned(),
        ),
        phase => {
            let rate = live
                .throughput_bps
                .map_or_else(String::new, |b| format!(", {} now", format::fmt_rate(b)));
            (
                Tone::Good,
                format!(
                    "Loading the path ({}): {} connection{}{rate}.",
                    phase.name(),
                    live.flows,
                    if live.flows == 1 { "" } else { "s" }
                ),
            )
        }
    }
}

/// Whether the run is live (Start would restart it; Stop applies).
pub fn is_running(state: &ProbeState) -> bool {
    if let Some(q) = &state.quality {
        return !q.over();
    }
    state.run.as_ref().is_some_and(|r| {
        r.error.is_none()
            && !r.stopped
            && !matches!(
                r.summary.as_ref().map(|s| s.connection),
                Some(ConnectionState::Finished)
            )
    })
}

#[cfg(test)]
pub(crate) mod test_support {
    use netlens_probe::session::{Outcome, Sample};

    /// A sample sent at `sent_at_ms`, answered in `rtt_ms` or lost.
    pub fn sample(seq: u64, sent_at_ms: f64, rtt_ms: Option<f64>) -> Sample {
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
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;
    use crate::state::probe::test_support::sample;

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
