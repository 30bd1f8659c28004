//! `netlens quality URL`: responsiveness under working conditions against a WebSocket server
//! that speaks netlens-echo's bulk protocol (`?bulk=download`, `?bulk=upload`), with the RPM
//! arithmetic, saturation rule and confidence of [`netlens_probe::quality`].
//!
//! Phases: idle (probes only), download, upload, both at once (each adding load-generating
//! connections until goodput saturates, up to `--duration` seconds), then a cooldown that shows
//! the path recovering. Every 100 ms one probe pair goes out: a self probe on a random loaded
//! connection and a foreign probe on a fresh one (its opening handshake per round trip as
//! `tcp_f`, its first echo as `http_f`). Goodput is counted at the receiver: downloads here,
//! uploads at the server, which reports what arrived.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use netlens_probe::quality::{
    self, Confidence, Next, Params, Probe, ProbeKind, RpmBand, Stage, ThroughputEstimate,
};
use netlens_probe::stats::Distribution;
use serde::Serialize;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::{Bytes, Message};

use crate::probe_cmd::{Socket, connect_url, describe};

/// What `netlens quality` was asked to do.
#[derive(clap::Args)]
pub struct QualityArgs {
    /// ws:// or wss:// URL of a netlens-echo server (or one that speaks its bulk protocol).
    #[arg(value_name = "URL")]
    pub url: String,
    /// Longest time per loaded phase, seconds (a phase ends sooner once RPM is stable).
    #[arg(long = "duration", default_value_t = 12.0, value_name = "S")]
    pub duration_s: f64,
    /// The draft's interval duration ID, ms (its -09 text says 5000; see the docs).
    #[arg(long = "interval-ms", default_value_t = 1000.0, value_name = "MS")]
    pub interval_ms: f64,
    /// Idle phase, seconds.
    #[arg(long = "idle", default_value_t = 2.0, value_name = "S")]
    pub idle_s: f64,
    /// Cooldown phase, seconds.
    #[arg(long = "cooldown", default_value_t = 2.0, value_name = "S")]
    pub cooldown_s: f64,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Probe pairs per second (the draft allows up to 100; ten keep a slow link's share small).
const PROBES_PER_S: u64 = 10;
/// Upload bytes in flight per connection at most (sent, not yet reported received).
const UPLOAD_WINDOW: u64 = 256 * 1024;
/// Size of an upload message.
const UPLOAD_CHUNK: usize = 16 * 1024;
/// A probe that takes longer is given up on (and not counted).
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// First bytes of a latency probe (the echo returns it unchanged).
const PROBE_MAGIC: &[u8; 4] = b"NLPR";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Phase {
    Idle,
    Download,
    Upload,
    Both,
    Cooldown,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Download => "download",
            Phase::Upload => "upload",
            Phase::Both => "download and upload",
            Phase::Cooldown => "cooldown",
        }
    }
}

/// A probe, with the phase it belonged to (the export keeps every one).
#[derive(Clone, Copy, Debug, Serialize)]
struct PhaseProbe {
    phase: Phase,
    #[serde(flatten)]
    probe: Probe,
}

/// Latency of one kind of probe in one phase.
#[derive(Debug, Serialize)]
struct Latency {
    /// Self probes (on a loaded connection; at idle and in cooldown, on an idle one).
    self_ms: Option<Distribution>,
    /// First echo on a fresh connection.
    foreign_ms: Option<Distribution>,
    /// Opening handshake per round trip on a fresh connection.
    connect_ms: Option<Distribution>,
}

#[derive(Debug, Serialize)]
struct LoadedPhase {
    phase: Phase,
    /// Receiver-counted goodput, moving average of the last MAD intervals, bit/s.
    goodput_bps: Option<f64>,
    goodput_confidence: Confidence,
    /// Load-generating connections at the end.
    flows: usize,
    intervals: usize,
    /// RPM over the last MAD intervals, with its parts.
    responsiveness: Option<quality::Responsiveness>,
    /// The completion times (ms since the start) of the first and last probe RPM was computed
    /// from: this phase's exported probes in that range are exactly its inputs.
    rpm_window_ms: Option<(f64, f64)>,
    rpm_band: Option<RpmBand>,
    rpm_confidence: Confidence,
    latency: Latency,
    /// Self-probe median minus the idle median, ms.
    added_self_ms: Option<f64>,
    /// Foreign-probe median minus the idle foreign median, ms.
    added_foreign_ms: Option<f64>,
    /// The running throughput estimate (fast/slow EWMA, lower wins), every 100 ms.
    throughput_estimate_bps: Vec<(f64, f64)>,
}

#[derive(Debug, Serialize)]
struct Report {
    url: String,
    params: Params,
    idle: Latency,
    phases: Vec<LoadedPhase>,
    cooldown: Latency,
    /// The draft's overall figure: RPM of the phase that loads both directions.
    rpm: Option<f64>,
    rpm_band: Option<RpmBand>,
    /// Bufferbloat grade of the mean added latency over download and upload.
    bufferbloat_grade: Option<&'static str>,
    bufferbloat_grade_source: &'static str,
    /// What could not be measured, one sentence each.
    problems: Vec<String>,
    probes: Vec<PhaseProbe>,
}

pub fn run(args: QualityArgs) -> ExitCode {
    if !(1.0..=120.0).contains(&args.duration_s)
        || !(100.0..=10_000.0).contains(&args.interval_ms)
        || !(0.5..=60.0).contains(&args.idle_s)
        || !(0.0..=60.0).contains(&args.cooldown_s)
    {
        eprintln!(
            "netlens quality: --duration 1–120 s, --interval-ms 100–10000, --idle 0.5–60 s, --cooldown 0–60 s"
        );
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("netlens quality: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(measure(&args)) {
        Ok(report) => {
            if args.json {
                match serde_json::to_string_pretty(&report) {
                    Ok(json) => println!("{json}"),
                    Err(e) => {
                        eprintln!("netlens quality: {e}");
                        return ExitCode::FAILURE;
                    }
                }
            } else {
                print_report(&report);
            }
            if report.rpm.is_some() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(why) => {
            eprintln!("netlens quality: {why}");
            ExitCode::from(2)
        }
    }
}

/// `url` with `extra` added to its query.
fn with_query(url: &str, extra: &str) -> String {
    let (base, fragment) = url.split_once('#').map_or((url, ""), |(b, f)| (b, f));
    let joined = if base.contains('?') {
        format!("{base}&{extra}")
    } else {
        format!("{base}?{extra}")
    };
    if fragment.is_empty() {
        joined
    } else {
        format!("{joined}#{fragment}")
    }
}

/// Round trips an opening handshake takes: TCP and the HTTP upgrade, plus TLS 1.3's one.
fn handshake_round_trips(url: &str) -> f64 {
    if url.to_ascii_lowercase().starts_with("wss://") {
        3.0
    } else {
        2.0
    }
}

/// Everything the flows and probes of a run share.
struct Shared {
    t0: Instant,
    /// Receiver-counted bulk bytes since the last interval ended.
    bytes: AtomicU64,
    /// Completed probes since the last interval ended.
    probes: Mutex<Vec<Probe>>,
}

impl Shared {
    fn now_ms(&self) -> f64 {
        self.t0.elapsed().as_secs_f64() * 1000.0
    }

    fn record(&self, kind: ProbeKind, ms: f64) {
        let probe = Probe {
            at_ms: self.now_ms(),
            kind,
            ms,
        };
        self.probes
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(probe);
    }

    fn take_probes(&self) -> Vec<Probe> {
        std::mem::take(
            &mut *self
                .probes
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

fn probe_message(seq: u64) -> Message {
    let mut data = PROBE_MAGIC.to_vec();
    data.extend_from_slice(&seq.to_le_bytes());
    Message::Binary(data.into())
}

/// A load-generating connection: counts what it receives (download) or keeps the upload window
/// full, and answers the self probes it is asked to send.
async fn flow(socket: Socket, upload: bool, shared: Arc<Shared>, mut probe_rx: mpsc::Receiver<()>) {
    let (mut sink, mut stream) = socket.split();
    let acked = Arc::new(AtomicU64::new(0));
    let pending: Arc<Mutex<Option<Instant>>> = Arc::new(Mutex::new(None));
    // Aborted with the flow (a phase that ends aborts its flows): a reader left running would
    // keep the connection open and count its bytes into the next phase.
    let reader = {
        let shared = shared.clone();
        let acked = acked.clone();
        let pending = pending.clone();
        tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                match message {
                    Message::Binary(data) if data.starts_with(netlens_echo::DOWNLOAD_MAGIC) => {
                        shared.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
                    }
                    Message::Binary(data) if data.starts_with(PROBE_MAGIC) => {
                        let sent = pending
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .take();
                        if let Some(sent) = sent {
                            shared.record(
                                ProbeKind::SelfRequest,
                                sent.elapsed().as_secs_f64() * 1000.0,
                            );
                        }
                    }
                    Message::Text(text) => {
                        // An upload report: what the server received so far.
                        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text)
                            && let Some(received) = value["received"].as_u64()
                        {
                            let before = acked.swap(received, Ordering::Relaxed);
                            shared
                                .bytes
                                .fetch_add(received.saturating_sub(before), Ordering::Relaxed);
                        }
                    }
                    _ => {}
                }
            }
        })
    };
    let reader = AbortOnDrop(reader);
    let mut chunk = vec![0u8; UPLOAD_CHUNK];
    chunk[..4].copy_from_slice(netlens_echo::UPLOAD_MAGIC);
    let chunk = Bytes::from(chunk);
    let mut sent: u64 = 0;
    let mut seq = 0;
    loop {
        let room = upload && sent.saturating_sub(acked.load(Ordering::Relaxed)) < UPLOAD_WINDOW;
        tokio::select! {
            biased;
            request = probe_rx.recv() => {
                let Some(()) = request else { break };
                seq += 1;
                *pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Instant::now());
                if sink.send(probe_message(seq)).await.is_err() {
                    break;
                }
            }
            result = sink.send(Message::Binary(chunk.clone())), if room => {
                if result.is_err() {
                    break;
                }
                sent += UPLOAD_CHUNK as u64;
            }
            _ = tokio::time::sleep(Duration::from_millis(2)), if !room => {}
        }
        if reader.0.is_finished() {
            break;
        }
    }
}

/// A task that ends when its handle is dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A foreign probe: a fresh connection's handshake and first echo.
async fn foreign_probe(url: String, shared: Arc<Shared>) {
    let started = Instant::now();
    let Ok(Ok(mut socket)) = tokio::time::timeout(PROBE_TIMEOUT, connect_url(&url, None)).await
    else {
        return;
    };
    let open_ms = started.elapsed().as_secs_f64() * 1000.0;
    let sent = Instant::now();
    if socket.send(probe_message(0)).await.is_err() {
        return;
    }
    let reply = tokio::time::timeout(PROBE_TIMEOUT, async {
        while let Some(Ok(message)) = socket.next().await {
            if let Message::Binary(data) = message
                && data.starts_with(PROBE_MAGIC)
            {
                return true;
            }
        }
        false
    })
    .await;
    if reply == Ok(true) {
        shared.record(
            ProbeKind::ForeignConnect,
            open_ms / handshake_round_trips(&url),
        );
        shared.record(
            ProbeKind::ForeignRequest,
            sent.elapsed().as_secs_f64() * 1000.0,
        );
    }
    let _ = socket.close(None).await;
}

/// The connections of a phase and the channels that ask them for self probes.
struct Flows {
    tasks: JoinSet<()>,
    probe_tx: Vec<mpsc::Sender<()>>,
    next: usize,
}

impl Flows {
    fn new() -> Flows {
        Flows {
            tasks: JoinSet::new(),
            probe_tx: Vec::new(),
            next: 0,
        }
    }

    async fn open(&mut self, url: &str, upload: bool, shared: &Arc<Shared>) -> Result<(), String> {
        let target = with_query(
            url,
            if upload {
                "bulk=upload"
            } else {
                "bulk=download"
            },
        );
        let socket = tokio::time::timeout(PROBE_TIMEOUT, connect_url(&target, None))
            .await
            .map_err(|_| format!("{target}: no connection within 5 s"))?
            .map_err(|e| format!("{target}: {}", describe(&e, &target)))?;
        let (tx, rx) = mpsc::channel(4);
        self.probe_tx.push(tx);
        self.tasks.spawn(flow(socket, upload, shared.clone(), rx));
        Ok(())
    }

    /// Opens one connection of each kind (`true`: upload).
    async fn open_all(
        &mut self,
        url: &str,
        kinds: &[bool],
        shared: &Arc<Shared>,
    ) -> Result<(), String> {
        for &upload in kinds {
            self.open(url, upload, shared).await?;
        }
        Ok(())
    }

    /// Asks the next connection in turn for a self probe (round robin spreads them evenly, as
    /// the draft's random choice does on average).
    fn self_probe(&mut self) {
        if self.probe_tx.is_empty() {
            return;
        }
        self.next = (self.next + 1) % self.probe_tx.len();
        let _ = self.probe_tx[self.next].try_send(());
    }
}

/// Probes at idle (a self probe on one idle connection, a foreign probe) for `seconds`.
async fn idle_phase(url: &str, shared: &Arc<Shared>, seconds: f64) -> Result<Vec<Probe>, String> {
    let mut flows = Flows::new();
    let socket = tokio::time::timeout(PROBE_TIMEOUT, connect_url(url, None))
        .await
        .map_err(|_| format!("{url}: no connection within 5 s"))?
        .map_err(|e| format!("{url}: {}", describe(&e, url)))?;
    let (tx, rx) = mpsc::channel(4);
    flows.probe_tx.push(tx);
    flows.tasks.spawn(flow(socket, false, shared.clone(), rx));
    let ticks = (seconds * PROBES_PER_S as f64).round() as u64;
    let mut interval = tokio::time::interval(Duration::from_millis(1000 / PROBES_PER_S));
    for _ in 0..ticks {
        interval.tick().await;
        flows.self_probe();
        tokio::spawn(foreign_probe(url.to_owned(), shared.clone()));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    flows.tasks.abort_all();
    Ok(shared.take_probes())
}

/// A loaded phase: flows added until goodput saturates, probes throughout.
async fn loaded_phase(
    url: &str,
    shared: &Arc<Shared>,
    phase: Phase,
    params: Params,
    limit: Duration,
) -> Result<(Stage, Vec<Probe>, Vec<(f64, f64)>), String> {
    let mut stage = Stage::new(params);
    let mut flows = Flows::new();
    let kinds: Vec<bool> = match phase {
        Phase::Download => vec![false],
        Phase::Upload => vec![true],
        _ => vec![false, true],
    };
    flows.open_all(url, &kinds, shared).await?;
    shared.bytes.store(0, Ordering::Relaxed);
    shared.take_probes();
    let started = Instant::now();
    let mut all = Vec::new();
    let mut estimate = ThroughputEstimate::default();
    let mut timeline = Vec::new();
    let tick = Duration::from_millis(1000 / PROBES_PER_S);
    let ticks_per_interval = ((params.interval_ms / 1000.0) * PROBES_PER_S as f64)
        .round()
        .max(1.0) as u64;
    let mut interval_bytes = 0u64;
    let mut ticker = tokio::time::interval(tick);
    ticker.tick().await;
    let mut count = 0u64;
    while started.elapsed() < limit {
        ticker.tick().await;
        count += 1;
        flows.self_probe();
        tokio::spawn(foreign_probe(url.to_owned(), shared.clone()));
        let bytes = shared.bytes.swap(0, Ordering::Relaxed);
        interval_bytes += bytes;
        estimate.sample(tick.as_secs_f64() * 1000.0, bytes);
        if let Some(bps) = estimate.bps() {
            timeline.push((shared.now_ms(), bps));
        }
        if count.is_multiple_of(ticks_per_interval) {
            let probes = shared.take_probes();
            all.extend_from_slice(&probes);
            match stage.end_interval(std::mem::take(&mut interval_bytes), probes) {
                Next::AddFlow => flows.open_all(url, &kinds, shared).await?,
                Next::Continue => {}
                Next::Done => break,
            }
        }
        if flows.tasks.is_empty() {
            return Err(format!("the {} connections closed", phase.name()));
        }
    }
    flows.tasks.abort_all();
    Ok((stage, all, timeline))
}

fn distribution(probes: &[Probe], kind: ProbeKind) -> Option<Distribution> {
    let values: Vec<f64> = probes
        .iter()
        .filter(|p| p.kind == kind)
        .map(|p| p.ms)
        .collect();
    Distribution::of(&values)
}

fn latency(probes: &[Probe]) -> Latency {
    Latency {
        self_ms: distribution(probes, ProbeKind::SelfRequest),
        foreign_ms: distribution(probes, ProbeKind::ForeignRequest),
        connect_ms: distribution(probes, ProbeKind::ForeignConnect),
    }
}

async fn measure(args: &QualityArgs) -> Result<Report, String> {
    netlens_probe::config::parse_endpoint(&args.url).map_err(|e| e.to_string())?;
    let params = Params {
        interval_ms: args.interval_ms,
        ..Params::default()
    };
    let shared = Arc::new(Shared {
        t0: Instant::now(),
        bytes: AtomicU64::new(0),
        probes: Mutex::new(Vec::new()),
    });
    let mut exported = Vec::new();
    let mut tag = |phase: Phase, probes: &[Probe]| {
        exported.extend(probes.iter().map(|&probe| PhaseProbe { phase, probe }));
    };
    let idle_probes = idle_phase(&args.url, &shared, args.idle_s).await?;
    tag(Phase::Idle, &idle_probes);
    let idle = latency(&idle_probes);
    let mut problems = Vec::new();
    let mut phases = Vec::new();
    let limit = Duration::from_secs_f64(args.duration_s);
    for phase in [Phase::Download, Phase::Upload, Phase::Both] {
        match loaded_phase(&args.url, &shared, phase, params, limit).await {
            Ok((stage, probes, timeline)) => {
                // The last MAD intervals: the probes RPM was computed from.
                let recent = stage.recent_probes();
                tag(phase, &probes);
                let latency = latency(&recent);
                let responsiveness = stage.current_responsiveness();
                if responsiveness.is_none() {
                    problems.push(format!(
                        "The {} phase ended without a complete set of probes: no RPM for it.",
                        phase.name()
                    ));
                }
                let added = |loaded: &Option<Distribution>, idle: &Option<Distribution>| {
                    Some(loaded.as_ref()?.median - idle.as_ref()?.median)
                };
                phases.push(LoadedPhase {
                    phase,
                    goodput_bps: stage.goodput_bps(),
                    goodput_confidence: stage.goodput_confidence(),
                    flows: stage.flows(),
                    intervals: stage.intervals(),
                    rpm_band: responsiveness.map(|r| RpmBand::of(r.rpm)),
                    rpm_window_ms: recent
                        .iter()
                        .map(|p| p.at_ms)
                        .fold(None, |range: Option<(f64, f64)>, t| {
                            Some(range.map_or((t, t), |(a, b)| (a.min(t), b.max(t))))
                        }),
                    responsiveness,
                    rpm_confidence: stage.rpm_confidence(),
                    added_self_ms: added(&latency.self_ms, &idle.self_ms),
                    added_foreign_ms: added(&latency.foreign_ms, &idle.foreign_ms),
                    latency,
                    throughput_estimate_bps: timeline,
                });
            }
            Err(why) => problems.push(format!(
                "The {} phase could not run: {why}. Does the server speak netlens-echo's bulk protocol (?bulk=download, ?bulk=upload)?",
                phase.name()
            )),
        }
    }
    // Let the queues drain as the last flows close, then watch the path recover.
    let cooldown_probes = if args.cooldown_s > 0.0 {
        idle_phase(&args.url, &shared, args.cooldown_s).await?
    } else {
        Vec::new()
    };
    tag(Phase::Cooldown, &cooldown_probes);
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
    let bufferbloat_grade =
        (bloat.len() == 2).then(|| quality::bufferbloat_grade((bloat[0] + bloat[1]) / 2.0));
    Ok(Report {
        url: args.url.clone(),
        params,
        idle,
        phases,
        cooldown: latency(&cooldown_probes),
        rpm,
        rpm_band: rpm.map(RpmBand::of),
        bufferbloat_grade,
        bufferbloat_grade_source: quality::BUFFERBLOAT_GRADE_SOURCE,
        problems,
        probes: exported,
    })
}

fn ms(d: &Option<Distribution>) -> String {
    d.as_ref().map_or_else(
        || "–".to_owned(),
        |d| format!("{:.1} / {:.1} / {:.1} ms", d.median, d.p90, d.p99),
    )
}

fn print_report(r: &Report) {
    println!(
        "netlens quality {}: idle, download, upload, both, cooldown; {} ms intervals, MAD {}",
        r.url, r.params.interval_ms, r.params.mad
    );
    println!(
        "latency (median / p90 / p99)      self probe              foreign (first echo)    handshake per round trip"
    );
    let row = |name: &str, l: &Latency| {
        println!(
            "{name:<34}{:<24}{:<24}{}",
            ms(&l.self_ms),
            ms(&l.foreign_ms),
            ms(&l.connect_ms)
        );
    };
    row("idle", &r.idle);
    for p in &r.phases {
        row(p.phase.name(), &p.latency);
    }
    row("cooldown", &r.cooldown);
    for p in &r.phases {
        let goodput = p
            .goodput_bps
            .map_or_else(|| "–".to_owned(), |b| format!("{:.2} Mbit/s", b / 1e6));
        let rpm = p.responsiveness.map_or_else(
            || "no RPM".to_owned(),
            |x| format!("{:.0} RPM ({})", x.rpm, RpmBand::of(x.rpm).name()),
        );
        let added = p
            .added_foreign_ms
            .map_or_else(String::new, |a| format!(", +{a:.1} ms loaded latency"));
        println!(
            "{:<20} goodput {goodput} ({} confidence, {} flows), {rpm} ({} confidence){added}",
            p.phase.name(),
            p.goodput_confidence.name(),
            p.flows,
            p.rpm_confidence.name()
        );
    }
    match (r.rpm, r.rpm_band) {
        (Some(rpm), Some(band)) => println!(
            "responsiveness {rpm:.0} RPM ({}: the draft's bands, Poor < 300 ≤ Fair < 1000 ≤ Good < 6000 ≤ Excellent)",
            band.name()
        ),
        _ => println!("responsiveness not measured"),
    }
    if let Some(grade) = r.bufferbloat_grade {
        println!(
            "bufferbloat grade {grade} (mean added latency of download and upload; A+ < 5 ms, A < 30, B < 60, C < 200, D < 400, F: {})",
            r.bufferbloat_grade_source
        );
    }
    for p in &r.problems {
        println!("note: {p}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_parameters_join_the_query() {
        assert_eq!(
            with_query("ws://h:1/echo", "bulk=upload"),
            "ws://h:1/echo?bulk=upload"
        );
        assert_eq!(
            with_query("ws://h:1/echo?rate_kbps=8000", "bulk=download"),
            "ws://h:1/echo?rate_kbps=8000&bulk=download"
        );
        assert_eq!(handshake_round_trips("WSS://h/"), 3.0);
        assert_eq!(handshake_round_trips("ws://h/"), 2.0);
    }
}
