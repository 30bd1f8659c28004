//! `netlens quality URL`: responsiveness under working conditions against a WebSocket server
//! that speaks netlens-echo's bulk protocol (`?bulk=download`, `?bulk=upload`), or, given a
//! responsiveness server's configuration URL (`http(s)://…/config`), over HTTP/2 as the draft
//! and `networkQuality -C` measure ([`crate::quality_h2`]).
//!
//! A driver of [`QualityRun`], the same state machine the browser's worker drives: it owns the
//! sockets and the clock, carries out the run's actions (open a load-generating or idle
//! connection, send a self probe, open a foreign probe, close a phase's connections) and tells
//! the run what happened. Goodput is counted at the receiver: downloads here, uploads at the
//! server, which reports what arrived.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use netlens_probe::compare::{self, OtherRun, Row};
use netlens_probe::quality::run::{
    Action, FlowKind, Latency, QualityReport, QualityRun, RunConfig,
};
use netlens_probe::quality::{Params, RpmBand};
use netlens_probe::stats::Distribution;
use serde::Serialize;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::{Bytes, Message};

use crate::probe_cmd::{Socket, connect_url, describe};
use crate::quality_h2;
use netlens_probe::quality::server::HttpUrl;

/// What `netlens quality` was asked to do.
#[derive(clap::Args)]
pub struct QualityArgs {
    /// ws:// or wss:// URL of a netlens-echo server (or one that speaks its bulk protocol), or
    /// http(s):// URL of a responsiveness server's configuration (netlens-echo's `/config`, a
    /// `networkQuality -C` server's).
    #[arg(value_name = "URL")]
    pub url: String,
    /// Also trust the CA certificates in this PEM file (a test CA from `netlens make`).
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<std::path::PathBuf>,
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
    /// Another tool's result to show beside this run: `networkQuality -c` JSON, networkQuality's
    /// summary, or goresponsiveness' output (`-`: standard input).
    #[arg(long, value_name = "FILE")]
    pub compare: Option<std::path::PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Probe pairs per second (the draft allows up to 100; ten keep a slow link's share small).
/// Upload bytes in flight per connection at most (sent, not yet reported received).
const UPLOAD_WINDOW: u64 = 256 * 1024;
/// Size of an upload message.
const UPLOAD_CHUNK: usize = 16 * 1024;
/// A connection or probe that takes longer is given up.
pub(crate) const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
/// First bytes of a latency probe (the echo returns it unchanged).
const PROBE_MAGIC: &[u8; 4] = b"NLPR";

/// The report, with the endpoint and another tool's result beside it.
#[derive(Debug, Serialize)]
struct Report {
    url: String,
    #[serde(flatten)]
    run: QualityReport,
    /// Another tool's result beside this run, when `--compare` gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    compare: Option<Comparison>,
}

#[derive(Debug, Serialize)]
struct Comparison {
    other: OtherRun,
    rows: Vec<Row>,
}

/// Reads `--compare`'s file (or standard input) and parses it.
fn read_other(path: &std::path::Path) -> Result<OtherRun, String> {
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut std::io::Read::take(std::io::stdin(), compare::MAX_INPUT_BYTES as u64 + 1),
            &mut text,
        )
        .map_err(|e| format!("cannot read standard input: {e}"))?;
        text
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?
    };
    compare::parse(&text).map_err(|e| e.to_string())
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
    // Read first: a bad file is said before a minute of measuring, not after.
    let other = match args.compare.as_deref().map(read_other).transpose() {
        Ok(other) => other,
        Err(why) => {
            eprintln!("netlens quality: {why}");
            return ExitCode::from(2);
        }
    };
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
        Ok(mut report) => {
            report.compare = other.map(|other| Comparison {
                rows: compare::side_by_side(&report.run.network_quality, &other),
                other,
            });
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
            if report.run.rpm.is_some() {
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

fn probe_message(seq: u64) -> Message {
    let mut data = PROBE_MAGIC.to_vec();
    data.extend_from_slice(&seq.to_le_bytes());
    Message::Binary(data.into())
}

/// What the connections and probes tell the driver.
pub(crate) enum Event {
    Opened(u32),
    Failed(u32, String),
    Received(u32, u64),
    SelfReply {
        flow: u32,
        at: Instant,
        ms: f64,
    },
    Foreign {
        probe: u32,
        at: Instant,
        open_ms: f64,
        first_ms: f64,
    },
}

/// A task that ends when its handle is dropped.
pub(crate) struct AbortOnDrop<T = ()>(pub(crate) tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// An open connection of the run: ask it for self probes; dropping it closes it.
struct FlowHandle {
    probe_tx: mpsc::Sender<()>,
    _task: AbortOnDrop,
}

async fn connect_within(url: &str) -> Result<Socket, String> {
    match tokio::time::timeout(PROBE_TIMEOUT, connect_url(url, None)).await {
        Ok(Ok(socket)) => Ok(socket),
        Ok(Err(e)) => Err(describe(&e, url)),
        Err(_) => Err("no connection within 5 s".to_owned()),
    }
}

/// A connection of the run: counts what it receives (download) or keeps the upload window
/// full, and sends the self probes it is asked for.
async fn flow(
    url: String,
    id: u32,
    kind: FlowKind,
    events: mpsc::UnboundedSender<Event>,
    mut probe_rx: mpsc::Receiver<()>,
) {
    let socket = match connect_within(&url).await {
        Ok(socket) => socket,
        Err(why) => {
            let _ = events.send(Event::Failed(id, why));
            return;
        }
    };
    let _ = events.send(Event::Opened(id));
    let (mut sink, mut stream) = socket.split();
    let acked = Arc::new(AtomicU64::new(0));
    let pending: Arc<std::sync::Mutex<Option<Instant>>> = Arc::default();
    // Aborted with the flow: a reader left running would keep the connection open.
    let reader = {
        let events = events.clone();
        let acked = acked.clone();
        let pending = pending.clone();
        AbortOnDrop(tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                match message {
                    Message::Binary(data) if data.starts_with(netlens_echo::DOWNLOAD_MAGIC) => {
                        let _ = events.send(Event::Received(id, data.len() as u64));
                    }
                    Message::Binary(data) if data.starts_with(PROBE_MAGIC) => {
                        let sent = pending
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .take();
                        if let Some(sent) = sent {
                            let _ = events.send(Event::SelfReply {
                                flow: id,
                                at: Instant::now(),
                                ms: sent.elapsed().as_secs_f64() * 1000.0,
                            });
                        }
                    }
                    Message::Text(text) => {
                        // An upload report: what the server received so far.
                        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text)
                            && let Some(received) = value["received"].as_u64()
                        {
                            let before = acked.swap(received, Ordering::Relaxed);
                            let _ =
                                events.send(Event::Received(id, received.saturating_sub(before)));
                        }
                    }
                    _ => {}
                }
            }
            let _ = events.send(Event::Failed(
                id,
                "the server closed the connection".to_owned(),
            ));
        }))
    };
    let upload = kind == FlowKind::Upload;
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

/// A foreign probe: a fresh connection's handshake and first echo.
async fn foreign_probe(url: String, probe: u32, events: mpsc::UnboundedSender<Event>) {
    let started = Instant::now();
    let Ok(mut socket) = connect_within(&url).await else {
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
        let _ = events.send(Event::Foreign {
            probe,
            at: Instant::now(),
            open_ms,
            first_ms: sent.elapsed().as_secs_f64() * 1000.0,
        });
    }
    let _ = socket.close(None).await;
}

/// What the run's connections speak.
enum Transport {
    /// netlens-echo's bulk protocol over WebSocket.
    WebSocket,
    /// The draft's HTTP/2 endpoints.
    Http2(Arc<quality_h2::Target>),
}

/// The transport for `args.url`: a WebSocket URL as it is; an http(s) URL is a configuration,
/// fetched and read first (a URL that is not JSON or lacks the URLs is said now).
async fn transport(args: &QualityArgs) -> Result<(Transport, f64), String> {
    let Some(config_url) = HttpUrl::parse(&args.url) else {
        netlens_probe::config::parse_endpoint(&args.url).map_err(|e| e.to_string())?;
        return Ok((Transport::WebSocket, RunConfig::round_trips_for(&args.url)));
    };
    let extra = match &args.cacert {
        Some(path) => {
            Some(std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?)
        }
        None => None,
    };
    let config = quality_h2::fetch_config(&config_url, extra.as_deref())
        .await
        .map_err(|why| format!("{}: {why}", args.url))?;
    let parse = |url: &str| {
        HttpUrl::parse(url).ok_or_else(|| format!("the configuration's URL {url:?} cannot be used"))
    };
    let small = parse(&config.small_url)?;
    // TCP and the HTTP/2 request (h2c), or TCP and TLS 1.3 before it (https://).
    let round_trips = if small.tls { 2.0 } else { 1.0 };
    let target = quality_h2::Target {
        large: parse(&config.large_url)?,
        upload: parse(&config.upload_url)?,
        small,
        connect_host: config.test_endpoint,
        tls: quality_h2::tls_config(extra.as_deref(), &[b"h2"])?,
    };
    Ok((Transport::Http2(Arc::new(target)), round_trips))
}

async fn measure(args: &QualityArgs) -> Result<Report, String> {
    let (transport, handshake_round_trips) = transport(args).await?;
    let config = RunConfig {
        params: Params {
            interval_ms: args.interval_ms,
            ..Params::default()
        },
        idle_ms: args.idle_s * 1000.0,
        phase_limit_ms: args.duration_s * 1000.0,
        cooldown_ms: args.cooldown_s * 1000.0,
        handshake_round_trips,
        transport: match transport {
            Transport::WebSocket => netlens_probe::quality::run::Transport::Websocket,
            Transport::Http2(_) => netlens_probe::quality::run::Transport::Http2,
        },
    };
    let t0 = Instant::now();
    let ms = |at: Instant| at.saturating_duration_since(t0).as_secs_f64() * 1000.0;
    let mut run = QualityRun::new(config, 0.0);
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let mut flows: HashMap<u32, FlowHandle> = HashMap::new();
    // Bounded: the run ends after its phases' time limits; this is a safety net.
    let limit =
        Duration::from_secs_f64(args.idle_s + 3.0 * args.duration_s + args.cooldown_s + 30.0);
    while run.phase() != netlens_probe::quality::run::Phase::Done {
        if t0.elapsed() > limit {
            return Err("the run did not end in time".to_owned());
        }
        let wake = t0 + Duration::from_secs_f64(run.next_wake_ms().max(0.0) / 1000.0);
        tokio::select! {
            event = events.recv() => match event {
                Some(Event::Opened(flow)) => run.opened(flow),
                Some(Event::Failed(flow, why)) => {
                    flows.remove(&flow);
                    run.flow_failed(flow, &why);
                }
                Some(Event::Received(flow, bytes)) => run.received(flow, bytes),
                Some(Event::SelfReply { flow, at, ms: rtt }) => run.self_reply(flow, ms(at), rtt),
                Some(Event::Foreign { probe, at, open_ms, first_ms }) => {
                    run.foreign(probe, ms(at), open_ms, first_ms)
                }
                None => {}
            },
            _ = tokio::time::sleep_until(wake.into()) => {
                for action in run.poll(ms(Instant::now())) {
                    match action {
                        Action::OpenFlow { flow: id, kind } => {
                            let (probe_tx, probe_rx) = mpsc::channel(4);
                            let events = events_tx.clone();
                            let task = match &transport {
                                Transport::WebSocket => {
                                    let url = match kind {
                                        FlowKind::Idle => args.url.clone(),
                                        FlowKind::Download => with_query(&args.url, "bulk=download"),
                                        FlowKind::Upload => with_query(&args.url, "bulk=upload"),
                                    };
                                    tokio::spawn(flow(url, id, kind, events, probe_rx))
                                }
                                Transport::Http2(target) => tokio::spawn(quality_h2::flow(
                                    target.clone(), id, kind, events, probe_rx,
                                )),
                            };
                            flows.insert(id, FlowHandle { probe_tx, _task: AbortOnDrop(task) });
                        }
                        Action::CloseFlows => flows.clear(),
                        Action::SelfProbe { flow } => {
                            if let Some(handle) = flows.get(&flow) {
                                let _ = handle.probe_tx.try_send(());
                            }
                        }
                        Action::ForeignProbe { probe } => match &transport {
                            Transport::WebSocket => {
                                tokio::spawn(foreign_probe(args.url.clone(), probe, events_tx.clone()));
                            }
                            Transport::Http2(target) => {
                                tokio::spawn(quality_h2::foreign_probe(
                                    target.clone(), probe, events_tx.clone(),
                                ));
                            }
                        },
                    }
                }
            }
        }
    }
    if let Some(why) = run.fatal() {
        return Err(format!("{}: {why}", args.url));
    }
    Ok(Report {
        url: args.url.clone(),
        run: run.report(),
        compare: None,
    })
}

fn ms(d: &Option<Distribution>) -> String {
    d.as_ref().map_or_else(
        || "–".to_owned(),
        |d| format!("{:.1} / {:.1} / {:.1} ms", d.median, d.p90, d.p99),
    )
}

fn print_report(report: &Report) {
    let r = &report.run;
    println!(
        "netlens quality {}: idle, download, upload, both, cooldown; {} ms intervals, MAD {}",
        report.url, r.config.params.interval_ms, r.config.params.mad
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
    if let Some(c) = &report.compare {
        let tool = c.other.tool.map_or("the other tool", |t| t.name());
        println!("\n{:<36}{:>14}{:>20}", "beside", "netlens", tool);
        let cell = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}"));
        for row in &c.rows {
            if row.netlens.is_none() && row.other.is_none() {
                continue;
            }
            println!(
                "{:<36}{:>14}{:>20}  {}",
                row.metric,
                cell(row.netlens),
                cell(row.other),
                row.unit
            );
        }
        println!(
            "(netlens loads the path with WebSocket flows to this server; {tool} measured its own server and path: compare like with like)"
        );
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
        assert_eq!(RunConfig::round_trips_for("WSS://h/"), 3.0);
        assert_eq!(RunConfig::round_trips_for("ws://h/"), 2.0);
    }
}
