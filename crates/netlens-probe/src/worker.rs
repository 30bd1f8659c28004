//! The messages between the browser UI and the probe's Web Worker.
//!
//! The WebSocket lives in a dedicated worker so that rendering, garbage collection and layout on
//! the page's main thread never delay a receive timestamp. The UI only sends commands; the
//! worker owns the [`Session`](crate::Session) and posts batches of finished samples a few times
//! a second, which is all the charts need. Both sides (two instances of one wasm module) share these
//! types: commands travel as JSON text, reports as numbers and strings ([`crate::codec`]).

use serde::{Deserialize, Serialize};

use crate::config::ProbeConfig;
use crate::quality::run::{QualityLive, RunConfig};
use crate::session::{Event, Sample, Summary};

/// How often the worker posts an [`Report::Update`] while a run is live, ms (and at once on every
/// connection state change). Once a second is as fast as people read numbers; more often, the
/// worker's summary and the page's rendering compete with the replies being timed, which showed
/// as a p99 tail (`make bench-probe`).
pub const UPDATE_INTERVAL_MS: f64 = 1000.0;

/// UI → worker.
///
/// Externally tagged (`{"start": {…}}`), unlike the exported types: page and worker are the same
/// build, and an internally tagged enum costs its reader serde's buffering of the whole message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    /// Start a run (stopping any run under way).
    Start {
        /// Validated settings.
        config: ProbeConfig,
        /// Identifies this run's probes (replies to an earlier run's are not counted).
        run_id: u32,
        /// Whether the page is hidden now.
        hidden: bool,
    },
    /// Start a working-conditions run against `url` (a server with netlens-echo's bulk
    /// protocol), stopping any run under way.
    StartQuality {
        /// ws:// or wss:// URL.
        url: String,
        /// Phases and their lengths.
        config: RunConfig,
        /// Identifies this run's reports.
        run_id: u32,
    },
    /// Stop the run: close the connection, keep the results.
    Stop,
    /// The page became hidden or visible (`visibilitychange`).
    Visibility {
        /// Hidden now.
        hidden: bool,
    },
}

/// What the worker measured about its own clock and context, once, at start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkerEnvironment {
    /// The smallest step of `performance.now()` observed, ms (5 µs isolated in Chromium,
    /// 100 µs otherwise; 1 ms in Firefox and Safari unless isolated).
    pub timer_resolution_ms: f64,
    /// `self.crossOriginIsolated` in the worker.
    pub cross_origin_isolated: bool,
    /// `navigator.userAgent` as the worker sees it.
    pub user_agent: String,
}

/// Worker → UI, encoded by [`crate::codec`] (the JSON form is for tests and logs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Report {
    /// The worker is running and accepts commands.
    Ready {
        /// Its clock and context.
        environment: WorkerEnvironment,
    },
    /// Progress of the current run.
    Update {
        /// The run this is about.
        run_id: u32,
        /// Counters and estimates now.
        summary: Box<Summary>,
        /// Samples resolved since the last update (late replies re-sent with the same `seq`).
        samples: Vec<Sample>,
        /// Events since the last update.
        events: Vec<Event>,
    },
    /// Progress of a working-conditions run.
    Quality {
        /// The run this is about.
        run_id: u32,
        /// What the page shows.
        live: Box<QualityLive>,
    },
    /// A command could not be carried out.
    Error {
        /// What went wrong, for the user.
        message: String,
    },
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;
    use crate::session::Session;

    #[test]
    fn reports_round_trip_through_json() {
        // The UI decodes what the worker encodes: every field must survive.
        let mut session = Session::new(ProbeConfig::default(), 7, 0.0);
        let _ = session.poll(0.0, 0);
        session.opened(3.0);
        let _ = session.poll(3.0, 0);
        session.closed(9.0, Some(1006), "gone");
        let (samples, events) = session.drain();
        let report = Report::Update {
            run_id: 7,
            summary: Box::new(session.summary(10.0)),
            samples,
            events,
        };
        let json = serde_json::to_string(&report).unwrap();
        assert_eq!(serde_json::from_str::<Report>(&json).unwrap(), report);
        let start = Command::Start {
            config: ProbeConfig::default(),
            run_id: 1,
            hidden: false,
        };
        let json = serde_json::to_string(&start).unwrap();
        assert!(json.starts_with(r#"{"start":{"#), "{json}");
        assert_eq!(serde_json::from_str::<Command>(&json).unwrap(), start);
    }
}
