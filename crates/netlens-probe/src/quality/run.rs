//! A whole working-conditions run as a state machine with no I/O and no clock, so the CLI and
//! the browser's worker drive the same sequence and compute the same report.
//!
//! The driver owns the sockets and a monotonic clock. It calls [`QualityRun::poll`] at (or
//! after) [`QualityRun::next_wake_ms`] and carries out the [`Action`]s: open a connection of a
//! kind (idle echo, bulk download, bulk upload), close the phase's connections, send a self probe
//! on one connection, open a foreign probe. It reports back what happened: bytes the receiver
//! counted ([`QualityRun::received`]), a self probe's round trip, a foreign probe's handshake and
//! first echo, a connection that failed. Phases: idle, download, upload, both, cooldown; each
//! loaded phase follows [`Stage`]'s saturation rule and ends when RPM is stable or its time is up.

use serde::{Deserialize, Serialize};

use super::{
    BUFFERBLOAT_GRADE_SOURCE, Confidence, Next, Params, Probe, ProbeKind, Responsiveness, RpmBand,
    Stage, ThroughputEstimate, bufferbloat_grade,
};
use crate::compare::NetworkQualityKeys;
use crate::stats::Distribution;

/// One probe pair (a self probe and a foreign probe) goes out this often, ms: ten a second
/// keeps a slow link's probe traffic small (the draft allows up to 100).
pub const PROBE_INTERVAL_MS: f64 = 100.0;
/// A foreign probe not answered within this long is given up (not counted).
pub const PROBE_TIMEOUT_MS: f64 = 5_000.0;

/// What a run does and for how long.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunConfig {
    /// The draft's parameters.
    pub params: Params,
    /// Idle phase, ms.
    pub idle_ms: f64,
    /// Longest loaded phase, ms (it ends sooner once RPM is stable).
    pub phase_limit_ms: f64,
    /// Cooldown phase, ms (0: none).
    pub cooldown_ms: f64,
    /// Round trips a fresh connection's opening handshake takes (2 for ws://: TCP and the
    /// upgrade; 3 for wss:// with TLS 1.3): its duration ÷ this is `tcp_f`.
    pub handshake_round_trips: f64,
    /// What the connections speak.
    #[serde(default)]
    pub transport: Transport,
}

/// What a run's connections speak.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    /// netlens-echo's bulk protocol on WebSocket connections (`?bulk=download`, `?bulk=upload`).
    #[default]
    Websocket,
    /// The draft's HTTP/2 endpoints from a responsiveness server's configuration.
    Http2,
}

impl Transport {
    /// What to check when a loaded phase's connections all fail.
    fn failure_hint(self) -> &'static str {
        match self {
            Transport::Websocket => {
                "does the server speak netlens-echo's bulk protocol (?bulk=download, ?bulk=upload)?"
            }
            Transport::Http2 => {
                "does the configuration's server accept its large download and its upload over HTTP/2?"
            }
        }
    }
}

impl Default for RunConfig {
    fn default() -> RunConfig {
        RunConfig {
            params: Params::default(),
            idle_ms: 2_000.0,
            phase_limit_ms: 12_000.0,
            cooldown_ms: 2_000.0,
            handshake_round_trips: 2.0,
            transport: Transport::Websocket,
        }
    }
}

impl RunConfig {
    /// The handshake round trips of an endpoint: 3 for `wss://`, else 2.
    pub fn round_trips_for(url: &str) -> f64 {
        if url.trim_start().to_ascii_lowercase().starts_with("wss://") {
            3.0
        } else {
            2.0
        }
    }
}

/// A phase of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Probes only.
    Idle,
    /// Bulk downloads.
    Download,
    /// Bulk uploads.
    Upload,
    /// Both at once.
    Both,
    /// Probes only, after the load, while the path recovers.
    Cooldown,
    /// The run is over.
    Done,
}

impl Phase {
    /// Its name for people.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Download => "download",
            Phase::Upload => "upload",
            Phase::Both => "download and upload",
            Phase::Cooldown => "cooldown",
            Phase::Done => "done",
        }
    }

    fn loaded(self) -> bool {
        matches!(self, Phase::Download | Phase::Upload | Phase::Both)
    }

    /// The connections a loaded phase adds each time it adds flows.
    fn kinds(self) -> &'static [FlowKind] {
        match self {
            Phase::Download => &[FlowKind::Download],
            Phase::Upload => &[FlowKind::Upload],
            Phase::Both => &[FlowKind::Download, FlowKind::Upload],
            _ => &[FlowKind::Idle],
        }
    }
}

/// A connection the run asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    /// An echo connection without bulk data (idle and cooldown self probes).
    Idle,
    /// The server sends bulk data (netlens-echo's `?bulk=download`).
    Download,
    /// The client sends bulk data (`?bulk=upload`); the server reports what arrived.
    Upload,
}

/// What the driver should do now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Open a connection of this kind, known as `flow` from now on.
    OpenFlow {
        /// Its id.
        flow: u32,
        /// What it carries.
        kind: FlowKind,
    },
    /// Close every connection opened so far (a phase ended).
    CloseFlows,
    /// Send a self probe on `flow` and report its round trip.
    SelfProbe {
        /// The connection.
        flow: u32,
    },
    /// Open a fresh connection, send one probe, report the handshake and the echo, close it.
    ForeignProbe {
        /// Its id, to report back with.
        probe: u32,
    },
}

/// A probe with the phase it belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PhaseProbe {
    /// The phase.
    pub phase: Phase,
    /// The probe.
    #[serde(flatten)]
    pub probe: Probe,
}

/// Latency of a phase by probe kind, ms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Latency {
    /// Self probes (on a loaded connection; at idle and in cooldown, on an idle one).
    pub self_ms: Option<Distribution>,
    /// First echo on a fresh connection.
    pub foreign_ms: Option<Distribution>,
    /// Opening handshake per round trip on a fresh connection.
    pub connect_ms: Option<Distribution>,
}

impl Latency {
    /// The distributions of `probes`.
    pub fn of(probes: &[Probe]) -> Latency {
        let of = |kind: ProbeKind| {
            let values: Vec<f64> = probes
                .iter()
                .filter(|p| p.kind == kind)
                .map(|p| p.ms)
                .collect();
            Distribution::of(&values)
        };
        Latency {
            self_ms: of(ProbeKind::SelfRequest),
            foreign_ms: of(ProbeKind::ForeignRequest),
            connect_ms: of(ProbeKind::ForeignConnect),
        }
    }
}

/// A loaded phase's result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoadedPhase {
    /// Which.
    pub phase: Phase,
    /// Receiver-counted goodput, moving average of the last MAD intervals, bit/s.
    pub goodput_bps: Option<f64>,
    /// The draft's confidence in it.
    pub goodput_confidence: Confidence,
    /// Load-generating connections at the end.
    pub flows: usize,
    /// Intervals run.
    pub intervals: usize,
    /// RPM over the last MAD intervals, with its parts.
    pub responsiveness: Option<Responsiveness>,
    /// Its band.
    pub rpm_band: Option<RpmBand>,
    /// The draft's confidence in it.
    pub rpm_confidence: Confidence,
    /// Completion times (ms since the start) of the first and last probe RPM was computed from:
    /// this phase's exported probes in that range are exactly its inputs.
    pub rpm_window_ms: Option<(f64, f64)>,
    /// Latency over the last MAD intervals.
    pub latency: Latency,
    /// Self-probe median minus the idle one, ms.
    pub added_self_ms: Option<f64>,
    /// Foreign-probe median minus the idle one, ms.
    pub added_foreign_ms: Option<f64>,
    /// The running throughput estimate after each probe interval: (ms since the start, bit/s).
    pub throughput_estimate_bps: Vec<(f64, f64)>,
}

/// A loaded phase in a few numbers, for a page to show while the run goes on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhaseLine {
    /// Which.
    pub phase: Phase,
    /// Goodput, bit/s.
    pub goodput_bps: Option<f64>,
    /// Load-generating connections.
    pub flows: u64,
    /// RPM over the last MAD intervals.
    pub rpm: Option<f64>,
    /// The draft's confidence in the RPM.
    pub rpm_confidence: Confidence,
    /// Median self probe, ms.
    pub self_ms: Option<f64>,
    /// Median foreign probe (first echo), ms.
    pub foreign_ms: Option<f64>,
    /// Self median minus the idle one, ms.
    pub added_self_ms: Option<f64>,
    /// Foreign median minus the idle one, ms.
    pub added_foreign_ms: Option<f64>,
}

/// What a page shows of a run: the live numbers and, at the end, the results and the export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QualityLive {
    /// The phase now.
    pub phase: Phase,
    /// Time since the run started, ms.
    pub elapsed_ms: f64,
    /// The running throughput estimate of the current loaded phase, bit/s.
    pub throughput_bps: Option<f64>,
    /// Connections of the current phase.
    pub flows: u64,
    /// Median of the latest self probes (up to ten), ms.
    pub latest_self_ms: Option<f64>,
    /// Idle medians, ms: self and foreign.
    pub idle_self_ms: Option<f64>,
    /// See [`idle_self_ms`](Self::idle_self_ms).
    pub idle_foreign_ms: Option<f64>,
    /// The loaded phases done so far.
    pub phases: Vec<PhaseLine>,
    /// The overall RPM (the phase that loads both directions).
    pub rpm: Option<f64>,
    /// The bufferbloat grade.
    pub grade: Option<String>,
    /// What could not be measured.
    pub problems: Vec<String>,
    /// The JSON report, once the run is over.
    pub export: Option<String>,
}

/// The report of a run (so far, while it goes on).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QualityReport {
    /// What the run was set to do.
    pub config: RunConfig,
    /// The phase now ([`Phase::Done`] at the end).
    pub phase: Phase,
    /// Idle latency.
    pub idle: Latency,
    /// The loaded phases that ran.
    pub phases: Vec<LoadedPhase>,
    /// Latency after the load.
    pub cooldown: Latency,
    /// The draft's overall figure: RPM of the phase that loads both directions.
    pub rpm: Option<f64>,
    /// Its band.
    pub rpm_band: Option<RpmBand>,
    /// The bufferbloat grade of the mean added latency of download and upload.
    pub bufferbloat_grade: Option<&'static str>,
    /// Where the grade's thresholds come from.
    pub bufferbloat_grade_source: &'static str,
    /// What could not be measured, one sentence each.
    pub problems: Vec<String>,
    /// The run under networkQuality's `-c` key names.
    pub network_quality: NetworkQualityKeys,
    /// Every probe, with its phase.
    pub probes: Vec<PhaseProbe>,
}

#[derive(Clone, Copy, Debug)]
struct Flow {
    id: u32,
    open: bool,
}

/// The run (see the module documentation).
#[derive(Clone, Debug)]
pub struct QualityRun {
    config: RunConfig,
    phase: Phase,
    phase_started_ms: f64,
    next_tick_ms: f64,
    last_tick_ms: f64,
    ticks: u64,
    stage: Stage,
    flows: Vec<Flow>,
    next_flow: u32,
    next_self: usize,
    next_probe: u32,
    /// Foreign probes under way: id, sent at.
    foreign_pending: Vec<(u32, f64)>,
    bytes_since_tick: u64,
    interval_bytes: u64,
    interval_probes: Vec<Probe>,
    estimate: ThroughputEstimate,
    timeline: Vec<(f64, f64)>,
    probes: Vec<PhaseProbe>,
    phases: Vec<LoadedPhase>,
    problems: Vec<String>,
    fatal: Option<String>,
    /// Every connection of the loaded phase failed: the next poll moves on.
    phase_failed: bool,
}

impl QualityRun {
    /// A run starting at `now_ms`; the first [`poll`](Self::poll) opens the idle connection.
    pub fn new(config: RunConfig, now_ms: f64) -> QualityRun {
        QualityRun {
            config,
            phase: Phase::Idle,
            phase_started_ms: now_ms,
            next_tick_ms: now_ms,
            last_tick_ms: now_ms,
            ticks: 0,
            stage: Stage::new(config.params),
            flows: Vec::new(),
            next_flow: 1,
            next_self: 0,
            next_probe: 1,
            foreign_pending: Vec::new(),
            bytes_since_tick: 0,
            interval_bytes: 0,
            interval_probes: Vec::new(),
            estimate: ThroughputEstimate::default(),
            timeline: Vec::new(),
            probes: Vec::new(),
            phases: Vec::new(),
            problems: Vec::new(),
            fatal: None,
            phase_failed: false,
        }
    }

    /// The phase now.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Why the run had to stop, if it did (the idle connection could not be opened).
    pub fn fatal(&self) -> Option<&str> {
        self.fatal.as_deref()
    }

    /// When to call [`poll`](Self::poll) next.
    pub fn next_wake_ms(&self) -> f64 {
        self.next_tick_ms
    }

    /// The running throughput estimate of the current loaded phase, bit/s.
    pub fn throughput_bps(&self) -> Option<f64> {
        self.phase.loaded().then(|| self.estimate.bps()).flatten()
    }

    fn open(&mut self, kinds: &[FlowKind], actions: &mut Vec<Action>) {
        for &kind in kinds {
            let flow = self.next_flow;
            self.next_flow += 1;
            self.flows.push(Flow {
                id: flow,
                open: false,
            });
            actions.push(Action::OpenFlow { flow, kind });
        }
    }

    fn start_phase(&mut self, phase: Phase, now_ms: f64, actions: &mut Vec<Action>) {
        self.phase = phase;
        self.phase_started_ms = now_ms;
        self.ticks = 0;
        self.stage = Stage::new(self.config.params);
        self.bytes_since_tick = 0;
        self.interval_bytes = 0;
        self.interval_probes.clear();
        self.foreign_pending.clear();
        self.estimate = ThroughputEstimate::default();
        self.timeline.clear();
        self.next_self = 0;
        match phase {
            Phase::Done => {}
            Phase::Cooldown if self.config.cooldown_ms <= 0.0 => {
                self.phase = Phase::Done;
            }
            _ => self.open(phase.kinds(), actions),
        }
    }

    fn end_phase(&mut self, now_ms: f64, actions: &mut Vec<Action>) {
        if self.phase.loaded() {
            self.finish_loaded();
        }
        actions.push(Action::CloseFlows);
        self.flows.clear();
        let next = match self.phase {
            Phase::Idle => Phase::Download,
            Phase::Download => Phase::Upload,
            Phase::Upload => Phase::Both,
            Phase::Both => Phase::Cooldown,
            Phase::Cooldown | Phase::Done => Phase::Done,
        };
        self.start_phase(next, now_ms, actions);
    }

    fn finish_loaded(&mut self) {
        let recent = self.stage.recent_probes();
        let responsiveness = self.stage.current_responsiveness();
        if responsiveness.is_none() {
            self.problems.push(format!(
                "The {} phase ended without a complete set of probes (self, foreign and handshake), so it has no RPM.",
                self.phase.name()
            ));
        }
        let window = recent
            .iter()
            .map(|p| p.at_ms)
            .fold(None, |range: Option<(f64, f64)>, t| {
                Some(range.map_or((t, t), |(a, b)| (a.min(t), b.max(t))))
            });
        self.phases.push(LoadedPhase {
            phase: self.phase,
            goodput_bps: self.stage.goodput_bps(),
            goodput_confidence: self.stage.goodput_confidence(),
            flows: self.stage.flows(),
            intervals: self.stage.intervals(),
            rpm_band: responsiveness.map(|r| RpmBand::of(r.rpm)),
            responsiveness,
            rpm_confidence: self.stage.rpm_confidence(),
            rpm_window_ms: window,
            latency: Latency::of(&recent),
            added_self_ms: None,
            added_foreign_ms: None,
            throughput_estimate_bps: std::mem::take(&mut self.timeline),
        });
    }

    /// Advances the run to `now_ms`: what to do now (nothing before [`next_wake_ms`]).
    ///
    /// [`next_wake_ms`]: Self::next_wake_ms
    pub fn poll(&mut self, now_ms: f64) -> Vec<Action> {
        let mut actions = Vec::new();
        if self.phase == Phase::Done || now_ms < self.next_tick_ms {
            return actions;
        }
        if self.flows.is_empty() && self.ticks == 0 && self.phase == Phase::Idle {
            self.open(&[FlowKind::Idle], &mut actions);
        }
        let elapsed = now_ms - self.phase_started_ms;
        let tick_ms = (now_ms - self.last_tick_ms).max(0.0);
        self.last_tick_ms = now_ms;
        self.ticks += 1;
        // Foreign probes that never came back are given up.
        self.foreign_pending
            .retain(|(_, sent)| now_ms - sent < PROBE_TIMEOUT_MS);
        if self.phase.loaded() {
            let bytes = std::mem::take(&mut self.bytes_since_tick);
            self.interval_bytes += bytes;
            self.estimate.sample(tick_ms, bytes);
            if let Some(bps) = self.estimate.bps() {
                self.timeline.push((now_ms, bps));
            }
        }
        // A probe pair: a self probe on the next open connection in turn (round robin spreads
        // them evenly, as the draft's random choice does on average) and a foreign probe.
        let open: Vec<u32> = self.flows.iter().filter(|f| f.open).map(|f| f.id).collect();
        if !open.is_empty() {
            self.next_self = (self.next_self + 1) % open.len();
            actions.push(Action::SelfProbe {
                flow: open[self.next_self],
            });
        }
        let probe = self.next_probe;
        self.next_probe += 1;
        self.foreign_pending.push((probe, now_ms));
        actions.push(Action::ForeignProbe { probe });

        let ticks_per_interval = (self.config.params.interval_ms / PROBE_INTERVAL_MS)
            .round()
            .max(1.0) as u64;
        let mut phase_over = std::mem::take(&mut self.phase_failed)
            || match self.phase {
                Phase::Idle => elapsed >= self.config.idle_ms,
                Phase::Cooldown => elapsed >= self.config.cooldown_ms,
                _ => elapsed >= self.config.phase_limit_ms,
            };
        if self.phase.loaded() && self.ticks.is_multiple_of(ticks_per_interval) {
            let probes = std::mem::take(&mut self.interval_probes);
            match self
                .stage
                .end_interval(std::mem::take(&mut self.interval_bytes), probes)
            {
                Next::AddFlow => {
                    let kinds = self.phase.kinds();
                    self.open(kinds, &mut actions);
                }
                Next::Continue => {}
                Next::Done => phase_over = true,
            }
        }
        if phase_over {
            self.end_phase(now_ms, &mut actions);
        }
        self.next_tick_ms = if self.next_tick_ms + PROBE_INTERVAL_MS <= now_ms {
            // Behind (a suspended page, a busy machine): resume from now, do not catch up.
            now_ms + PROBE_INTERVAL_MS
        } else {
            self.next_tick_ms + PROBE_INTERVAL_MS
        };
        actions
    }

    fn current(&self, flow: u32) -> bool {
        self.flows.iter().any(|f| f.id == flow)
    }

    /// `flow` is open.
    pub fn opened(&mut self, flow: u32) {
        if let Some(f) = self.flows.iter_mut().find(|f| f.id == flow) {
            f.open = true;
        }
    }

    /// `flow` could not be opened, or failed: `why` in a sentence.
    pub fn flow_failed(&mut self, flow: u32, why: &str) {
        if !self.current(flow) {
            return;
        }
        self.flows.retain(|f| f.id != flow);
        match self.phase {
            Phase::Idle if self.probes.is_empty() => {
                self.fatal = Some(why.to_owned());
                self.phase = Phase::Done;
            }
            phase if phase.loaded() && self.flows.is_empty() => {
                self.problems.push(format!(
                    "The {} phase lost its connections ({why}); {}",
                    phase.name(),
                    self.config.transport.failure_hint()
                ));
                // The next poll ends the phase and starts the next one.
                self.phase_failed = true;
            }
            _ => {}
        }
    }

    /// Bulk bytes the receiver counted on `flow` (downloads: here; uploads: the server's report).
    pub fn received(&mut self, flow: u32, bytes: u64) {
        if self.current(flow) && self.phase.loaded() {
            self.bytes_since_tick += bytes;
        }
    }

    fn record(&mut self, at_ms: f64, kind: ProbeKind, ms: f64) {
        let probe = Probe { at_ms, kind, ms };
        self.probes.push(PhaseProbe {
            phase: self.phase,
            probe,
        });
        if self.phase.loaded() {
            self.interval_probes.push(probe);
        }
    }

    /// A self probe on `flow` came back after `ms`.
    pub fn self_reply(&mut self, flow: u32, at_ms: f64, ms: f64) {
        if self.current(flow) && self.phase != Phase::Done {
            self.record(at_ms, ProbeKind::SelfRequest, ms);
        }
    }

    /// Foreign probe `probe` opened its connection in `open_ms` and got its echo `first_ms`
    /// after sending. A probe started in an earlier phase is not counted.
    pub fn foreign(&mut self, probe: u32, at_ms: f64, open_ms: f64, first_ms: f64) {
        let Some(i) = self.foreign_pending.iter().position(|(id, _)| *id == probe) else {
            return;
        };
        self.foreign_pending.swap_remove(i);
        if self.phase == Phase::Done {
            return;
        }
        self.record(
            at_ms,
            ProbeKind::ForeignConnect,
            open_ms / self.config.handshake_round_trips,
        );
        self.record(at_ms, ProbeKind::ForeignRequest, first_ms);
    }

    /// What a page shows now; with the JSON report (the same as `netlens quality --json`'s,
    /// without the endpoint) once the run is over.
    pub fn live(&self, now_ms: f64) -> QualityLive {
        let report = self.report();
        let median = |d: Option<Distribution>| d.map(|d| d.median);
        let recent_self: Vec<f64> = self
            .probes
            .iter()
            .rev()
            .filter(|p| p.phase == self.phase && p.probe.kind == ProbeKind::SelfRequest)
            .take(10)
            .map(|p| p.probe.ms)
            .collect();
        QualityLive {
            phase: self.phase,
            elapsed_ms: now_ms,
            throughput_bps: self.throughput_bps(),
            flows: self.flows.iter().filter(|f| f.open).count() as u64,
            latest_self_ms: median(Distribution::of(&recent_self)),
            idle_self_ms: median(report.idle.self_ms),
            idle_foreign_ms: median(report.idle.foreign_ms),
            phases: report
                .phases
                .iter()
                .map(|p| PhaseLine {
                    phase: p.phase,
                    goodput_bps: p.goodput_bps,
                    flows: p.flows as u64,
                    rpm: p.responsiveness.map(|r| r.rpm),
                    rpm_confidence: p.rpm_confidence,
                    self_ms: median(p.latency.self_ms),
                    foreign_ms: median(p.latency.foreign_ms),
                    added_self_ms: p.added_self_ms,
                    added_foreign_ms: p.added_foreign_ms,
                })
                .collect(),
            rpm: report.rpm,
            grade: report.bufferbloat_grade.map(str::to_owned),
            problems: report.problems.clone(),
            export: (self.phase == Phase::Done)
                .then(|| serde_json::to_string_pretty(&report).unwrap_or_default()),
        }
    }

    /// Stops the run where it is: the phase under way ends (its figures so far are kept, with
    /// a sentence saying why it ended), and the run is over.
    pub fn stop(&mut self, why: &str) {
        if self.phase == Phase::Done {
            return;
        }
        if self.phase.loaded() {
            self.finish_loaded();
        }
        self.problems.push(format!(
            "The run stopped during the {} phase: {why}.",
            self.phase.name()
        ));
        self.flows.clear();
        self.phase = Phase::Done;
    }

    /// The report so far.
    pub fn report(&self) -> QualityReport {
        let of_phase = |phase: Phase| -> Vec<Probe> {
            self.probes
                .iter()
                .filter(|p| p.phase == phase)
                .map(|p| p.probe)
                .collect()
        };
        let idle = Latency::of(&of_phase(Phase::Idle));
        let added = |loaded: Option<Distribution>, idle: Option<Distribution>| {
            Some(loaded?.median - idle?.median)
        };
        let phases: Vec<LoadedPhase> = self
            .phases
            .iter()
            .cloned()
            .map(|mut p| {
                p.added_self_ms = added(p.latency.self_ms, idle.self_ms);
                p.added_foreign_ms = added(p.latency.foreign_ms, idle.foreign_ms);
                p
            })
            .collect();
        let rpm = phases
            .iter()
            .find(|p| p.phase == Phase::Both)
            .and_then(|p| p.responsiveness)
            .map(|r| r.rpm);
        let bloat: Vec<f64> = phases
            .iter()
            .filter(|p| p.phase != Phase::Both)
            .filter_map(|p| p.added_foreign_ms)
            .collect();
        let network_quality = self.network_quality(&phases, rpm);
        QualityReport {
            config: self.config,
            phase: self.phase,
            idle,
            cooldown: Latency::of(&of_phase(Phase::Cooldown)),
            rpm,
            rpm_band: rpm.map(RpmBand::of),
            bufferbloat_grade: (bloat.len() == 2)
                .then(|| bufferbloat_grade((bloat[0] + bloat[1]) / 2.0)),
            bufferbloat_grade_source: BUFFERBLOAT_GRADE_SOURCE,
            problems: self.problems.clone(),
            network_quality,
            phases,
            probes: self.probes.clone(),
        }
    }

    /// The run under networkQuality's `-c` key names: idle arrays from the idle phase, loaded
    /// arrays from every loaded phase's probes.
    fn network_quality(&self, phases: &[LoadedPhase], rpm: Option<f64>) -> NetworkQualityKeys {
        let series = |idle: bool, kind: ProbeKind| -> Vec<f64> {
            self.probes
                .iter()
                .filter(|p| {
                    if idle {
                        p.phase == Phase::Idle
                    } else {
                        p.phase.loaded()
                    }
                })
                .filter(|p| p.probe.kind == kind)
                .map(|p| p.probe.ms)
                .collect()
        };
        let phase = |which: Phase| phases.iter().find(|p| p.phase == which);
        let il_h2_req_resp = series(true, ProbeKind::SelfRequest);
        NetworkQualityKeys {
            dl_throughput: phase(Phase::Download).and_then(|p| p.goodput_bps),
            ul_throughput: phase(Phase::Upload).and_then(|p| p.goodput_bps),
            dl_flows: phase(Phase::Download).map(|p| p.flows as u64),
            ul_flows: phase(Phase::Upload).map(|p| p.flows as u64),
            responsiveness: rpm,
            dl_responsiveness: phase(Phase::Download)
                .and_then(|p| p.responsiveness)
                .map(|r| r.rpm),
            ul_responsiveness: phase(Phase::Upload)
                .and_then(|p| p.responsiveness)
                .map(|r| r.rpm),
            base_rtt: Distribution::of(&il_h2_req_resp).map(|d| d.median),
            il_h2_req_resp,
            il_tcp_handshake_443: series(true, ProbeKind::ForeignConnect),
            lud_foreign_h2_req_resp: series(false, ProbeKind::ForeignRequest),
            lud_foreign_tcp_handshake_443: series(false, ProbeKind::ForeignConnect),
            lud_self_h2_req_resp: series(false, ProbeKind::SelfRequest),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;

    /// A simulated path: connections open at once; bulk flows share `rate_bps`; probes take
    /// `idle_ms` at idle and `loaded_ms` while any bulk flow is open.
    fn simulate(run: &mut QualityRun, rate_bps: f64, idle_ms: f64, loaded_ms: f64) -> Vec<Phase> {
        let mut now = 0.0;
        let mut bulk: Vec<u32> = Vec::new();
        let mut seen = vec![run.phase()];
        // Bounded: a run of 2 + 3 × 12 + 2 s is 400 ticks.
        for _ in 0..2_000 {
            if run.phase() == Phase::Done {
                break;
            }
            now = run.next_wake_ms();
            // Bulk bytes since the last tick, split over the flows.
            if !bulk.is_empty() {
                let share =
                    (rate_bps / 8.0 * PROBE_INTERVAL_MS / 1000.0) as u64 / bulk.len() as u64;
                for &flow in &bulk {
                    run.received(flow, share);
                }
            }
            let rtt = if bulk.is_empty() { idle_ms } else { loaded_ms };
            for action in run.poll(now) {
                match action {
                    Action::OpenFlow { flow, kind } => {
                        run.opened(flow);
                        if kind != FlowKind::Idle {
                            bulk.push(flow);
                        }
                    }
                    Action::CloseFlows => bulk.clear(),
                    Action::SelfProbe { flow } => run.self_reply(flow, now + rtt, rtt),
                    Action::ForeignProbe { probe } => run.foreign(probe, now + rtt, 2.0 * rtt, rtt),
                }
            }
            if seen.last() != Some(&run.phase()) {
                seen.push(run.phase());
            }
        }
        assert!(now > 0.0);
        seen
    }

    #[test]
    fn a_run_goes_through_every_phase_and_reports_the_path() {
        let mut run = QualityRun::new(RunConfig::default(), 0.0);
        let phases = simulate(&mut run, 20e6, 1.0, 100.0);
        assert_eq!(
            phases,
            [
                Phase::Idle,
                Phase::Download,
                Phase::Upload,
                Phase::Both,
                Phase::Cooldown,
                Phase::Done
            ]
        );
        let report = run.report();
        assert_eq!(report.phases.len(), 3);
        for phase in &report.phases {
            let goodput = phase.goodput_bps.unwrap();
            assert!((goodput - 20e6).abs() < 0.02 * 20e6, "{goodput}");
            assert_eq!(phase.added_foreign_ms, Some(99.0));
            assert_eq!(phase.rpm_confidence, Confidence::High);
            // tcp_f = 200 ms ÷ 2 = 100, http_f = 100, http_l = 100: 600 RPM.
            let r = phase.responsiveness.unwrap();
            assert!((r.rpm - 600.0).abs() < 1e-9, "{r:?}");
            assert!(!phase.throughput_estimate_bps.is_empty());
        }
        assert_eq!(report.rpm, Some(600.0));
        assert_eq!(report.rpm_band, Some(RpmBand::Fair));
        assert_eq!(report.bufferbloat_grade, Some("C"));
        assert_eq!(report.idle.self_ms.unwrap().median, 1.0);
        assert_eq!(report.cooldown.self_ms.unwrap().median, 1.0);
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        assert_eq!(report.network_quality.base_rtt, Some(1.0));
        assert_eq!(report.network_quality.responsiveness, Some(600.0));
    }

    #[test]
    fn an_unreachable_server_ends_the_run_with_its_reason() {
        let mut run = QualityRun::new(RunConfig::default(), 0.0);
        let actions = run.poll(0.0);
        let Some(Action::OpenFlow {
            flow,
            kind: FlowKind::Idle,
        }) = actions.first().copied()
        else {
            panic!("{actions:?}");
        };
        run.flow_failed(flow, "connection refused");
        assert_eq!(run.phase(), Phase::Done);
        assert_eq!(run.fatal(), Some("connection refused"));
        assert!(run.poll(100.0).is_empty());
    }

    #[test]
    fn a_server_that_refuses_bulk_flows_is_said_and_the_run_goes_on() {
        let config = RunConfig {
            idle_ms: 200.0,
            cooldown_ms: 0.0,
            ..RunConfig::default()
        };
        let mut run = QualityRun::new(config, 0.0);
        let mut now = 0.0;
        let mut seen = Vec::new();
        for _ in 0..500 {
            if run.phase() == Phase::Done {
                break;
            }
            now = run.next_wake_ms();
            for action in run.poll(now) {
                match action {
                    Action::OpenFlow {
                        flow,
                        kind: FlowKind::Idle,
                    } => run.opened(flow),
                    Action::OpenFlow { flow, .. } => run.flow_failed(flow, "HTTP 400"),
                    Action::SelfProbe { flow } => run.self_reply(flow, now + 1.0, 1.0),
                    Action::ForeignProbe { probe } => run.foreign(probe, now + 1.0, 2.0, 1.0),
                    Action::CloseFlows => {}
                }
            }
            if seen.last() != Some(&run.phase()) {
                seen.push(run.phase());
            }
        }
        assert_eq!(run.phase(), Phase::Done, "{seen:?} at {now}");
        let report = run.report();
        // One sentence per phase that lost its connections, one per phase without an RPM.
        assert_eq!(
            report
                .problems
                .iter()
                .filter(|p| p.contains("bulk protocol"))
                .count(),
            3,
            "{:?}",
            report.problems
        );
        assert_eq!(report.rpm, None);
    }

    #[test]
    fn late_foreign_probes_from_an_earlier_phase_are_not_counted() {
        let mut run = QualityRun::new(RunConfig::default(), 0.0);
        let actions = run.poll(0.0);
        let probe = actions
            .iter()
            .find_map(|a| match a {
                Action::ForeignProbe { probe } => Some(*probe),
                _ => None,
            })
            .unwrap();
        run.foreign(probe, 10.0, 2.0, 1.0);
        run.foreign(probe, 11.0, 2.0, 1.0);
        assert_eq!(run.report().probes.len(), 2, "counted once");
        run.foreign(999, 12.0, 2.0, 1.0);
        assert_eq!(run.report().probes.len(), 2, "unknown ids are ignored");
    }
}
