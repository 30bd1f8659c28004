//! `netlens probe URL`: the latency probe natively, with the same session, protocol and
//! statistics as the browser's worker, for comparison and CI.
//!
//! The driver owns a tokio-tungstenite socket (TCP_NODELAY, rustls with Mozilla's roots for
//! wss://) and a monotonic clock, and does what [`Session::poll`] says.

use std::future::Future;
use std::io::Write as _;
use std::path::PathBuf;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use netlens_probe::config::{MessageMode, ProbeConfig, parse_endpoint};
use netlens_probe::export;
use netlens_probe::session::{Action, Event, Incoming, Outgoing, Session, Summary};
use netlens_probe::stats::Distribution;
use serde::Serialize;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What `netlens probe` was asked to do.
#[derive(clap::Args)]
pub struct ProbeArgs {
    /// ws:// or wss:// URL.
    #[arg(value_name = "URL")]
    pub url: String,
    /// Probes to send.
    #[arg(long, default_value_t = 50)]
    pub count: u64,
    /// Milliseconds between probes (10 to 60000).
    #[arg(long = "interval", default_value_t = 100.0, value_name = "MS")]
    pub interval_ms: f64,
    /// Binary probe size in bytes (echo mode; 24 to 65536).
    #[arg(long = "payload", default_value_t = 32, value_name = "BYTES")]
    pub payload_bytes: usize,
    /// Fixed reply timeout in ms (default: adaptive, RFC 6298).
    #[arg(long = "timeout", value_name = "MS")]
    pub timeout_ms: Option<f64>,
    /// WebSocket subprotocol to request.
    #[arg(long, value_name = "NAME")]
    pub subprotocol: Option<String>,
    /// Open a fresh connection for every probe (connect time each time).
    #[arg(long)]
    pub fresh_connection: bool,
    /// Request/response mode: the request text, with {seq} and optionally {t}.
    #[arg(long, value_name = "TEMPLATE", requires = "match_field")]
    pub request: Option<String>,
    /// Request/response mode: the JSON field (dotted path) carrying {seq} in replies.
    #[arg(long, value_name = "FIELD", requires = "request")]
    pub match_field: Option<String>,
    /// Write one CSV row per probe to FILE (`-`: standard output).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Give up when no connection could be made for this long after one was lost.
const GIVE_UP_AFTER: Duration = Duration::from_secs(30);

#[derive(Serialize)]
struct Environment {
    client: &'static str,
    version: &'static str,
    clock: &'static str,
}

pub fn run(args: ProbeArgs) -> ExitCode {
    let mode = match (&args.request, &args.match_field) {
        (Some(template), Some(field)) => MessageMode::RequestResponse {
            template: template.clone(),
            match_field: field.clone(),
        },
        (None, None) => MessageMode::Echo,
        _ => {
            eprintln!("netlens probe: --request and --match-field go together");
            return ExitCode::from(2);
        }
    };
    let config = ProbeConfig {
        endpoint: args.url.clone(),
        interval_ms: args.interval_ms,
        payload_bytes: args.payload_bytes,
        timeout_ms: args.timeout_ms,
        subprotocol: args.subprotocol.clone(),
        mode,
        fresh_connection: args.fresh_connection,
        count: Some(args.count),
    };
    if let Err(e) = config.validate() {
        eprintln!("netlens probe: {e}");
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("netlens probe: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(drive(config));
    let (session, end, failure) = match outcome {
        Ok(done) => done,
        Err(message) => {
            eprintln!("netlens probe: {message}");
            return ExitCode::from(2);
        }
    };
    let summary = session.summary(end);
    if let Some(path) = &args.csv {
        let csv = export::csv(session.samples());
        let written = if path.as_os_str() == "-" {
            std::io::stdout().write_all(csv.as_bytes())
        } else {
            std::fs::write(path, csv)
        };
        if let Err(e) = written {
            eprintln!("netlens probe: cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    if args.json {
        let report = export::RunReport::new(
            session.config(),
            &summary,
            session.events(),
            Environment {
                client: "netlens-cli",
                version: env!("CARGO_PKG_VERSION"),
                clock: "std::time::Instant (monotonic, nanoseconds)",
            },
        );
        println!("{}", report.to_json());
    } else if args.csv.as_deref().is_none_or(|p| p.as_os_str() != "-") {
        print_text(&args.url, &session, &summary);
    }
    if let Some(why) = failure {
        eprintln!("netlens probe: {why}");
        return ExitCode::FAILURE;
    }
    if summary.replies == 0 {
        eprintln!("netlens probe: no replies");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn run_id() -> u32 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1, |d| d.subsec_nanos() ^ d.as_secs() as u32)
}

/// Why a connection attempt failed, in words a user can act on.
pub(crate) fn describe(error: &WsError, url: &str) -> String {
    let secure = url.to_ascii_lowercase().starts_with("wss://");
    match error {
        WsError::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused: nothing is listening at that address and port".to_owned()
        }
        WsError::Io(e) if e.kind() == std::io::ErrorKind::TimedOut => {
            "connection timed out".to_owned()
        }
        WsError::Io(e) if e.to_string().contains("lookup") => {
            format!("cannot resolve the host name ({e})")
        }
        WsError::Io(e)
            if secure
                && (matches!(
                    e.kind(),
                    std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof
                ) || e.to_string().to_ascii_lowercase().contains("tls")) =>
        {
            format!(
                "TLS handshake failed ({e}): is the server plain ws://? Try {}",
                url.replacen("wss://", "ws://", 1)
            )
        }
        WsError::Tls(e) => format!(
            "TLS handshake failed: {e}{}",
            if secure {
                " (a plain ws:// server answers wss:// with garbage; check the scheme)"
            } else {
                ""
            }
        ),
        WsError::Http(response) => {
            let body = response
                .body()
                .as_ref()
                .map(|b| {
                    String::from_utf8_lossy(b)
                        .trim()
                        .chars()
                        .take(200)
                        .collect::<String>()
                })
                .unwrap_or_default();
            format!(
                "the server answered HTTP {} instead of switching to WebSocket{}",
                response.status(),
                if body.is_empty() {
                    String::new()
                } else {
                    format!(": {body}")
                }
            )
        }
        WsError::Protocol(e) => format!("WebSocket protocol error: {e}"),
        WsError::Url(e) => format!("invalid URL: {e}"),
        other => other.to_string(),
    }
}

async fn connect(config: &ProbeConfig) -> Result<Socket, WsError> {
    connect_url(&config.endpoint, config.subprotocol.as_deref()).await
}

/// Opens a WebSocket to `url` (TCP_NODELAY; rustls with Mozilla's roots for wss://).
pub(crate) async fn connect_url(url: &str, subprotocol: Option<&str>) -> Result<Socket, WsError> {
    let mut request = url.into_client_request()?;
    if let Some(protocol) = subprotocol
        && let Ok(value) = HeaderValue::from_str(protocol)
    {
        request
            .headers_mut()
            .insert("sec-websocket-protocol", value);
    }
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| WsError::Io(std::io::Error::other(e)))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    let ws_config =
        WebSocketConfig::default().max_message_size(Some(Session::MAX_MESSAGE_BYTES * 4));
    let (socket, _) = tokio_tungstenite::connect_async_tls_with_config(
        request,
        Some(ws_config),
        true, // TCP_NODELAY
        Some(Connector::Rustls(Arc::new(tls))),
    )
    .await?;
    Ok(socket)
}

type Connecting = Pin<Box<dyn Future<Output = Result<Socket, WsError>>>>;

async fn finish_connect(connecting: &mut Option<Connecting>) -> Result<Socket, WsError> {
    match connecting {
        Some(attempt) => attempt.await,
        None => std::future::pending().await,
    }
}

async fn next_message(socket: &mut Option<Socket>) -> Option<Result<Message, WsError>> {
    match socket {
        Some(ws) => ws.next().await,
        None => std::future::pending().await,
    }
}

/// Runs the session to its end. `Err` when the first connection cannot be made; `Ok` with a
/// failure note when the run had to be abandoned.
async fn drive(config: ProbeConfig) -> Result<(Session, f64, Option<String>), String> {
    let start = Instant::now();
    let now = || start.elapsed().as_secs_f64() * 1000.0;
    let url = config.endpoint.clone();
    let endpoint = parse_endpoint(&url).map_err(|e| e.to_string())?;
    let mut session = Session::new(config.clone(), run_id(), now());
    let mut socket: Option<Socket> = None;
    let mut connecting: Option<Connecting> = None;
    let mut ever_connected = false;
    let mut down_since: Option<Instant> = None;
    loop {
        let poll = session.poll(now(), 0);
        for action in poll.actions {
            match action {
                Action::Connect => {
                    let config = config.clone();
                    connecting = Some(Box::pin(async move { connect(&config).await }));
                }
                Action::Send(message) => {
                    let message = match message {
                        Outgoing::Binary(bytes) => Message::Binary(bytes.into()),
                        Outgoing::Text(text) => Message::Text(text.into()),
                    };
                    if let Some(ws) = socket.as_mut()
                        && let Err(e) = ws.send(message).await
                    {
                        socket = None;
                        session.closed(now(), None, &format!("send failed: {e}"));
                        down_since.get_or_insert_with(Instant::now);
                    }
                }
                Action::Close => {
                    if let Some(mut ws) = socket.take() {
                        let _ = ws.close(None).await;
                    }
                }
            }
        }
        if session.finished() {
            break;
        }
        if let Some(since) = down_since
            && since.elapsed() > GIVE_UP_AFTER
        {
            let end = now();
            return Ok((
                session,
                end,
                Some(format!(
                    "gave up: no connection to {}:{} for {} s",
                    endpoint.host,
                    endpoint.port,
                    GIVE_UP_AFTER.as_secs()
                )),
            ));
        }
        let wake = start + Duration::from_secs_f64(poll.wake_at_ms.max(0.0) / 1000.0);
        // tokio's timers tick in whole milliseconds: one may fire up to 1 ms after the wake-up
        // asked for on an idle machine; later than that is this machine holding us up.
        session.timer_armed(poll.wake_at_ms + 1.0);
        tokio::select! {
            _ = tokio::time::sleep_until(wake.into()) => {}
            result = finish_connect(&mut connecting), if connecting.is_some() => {
                connecting = None;
                match result {
                    Ok(ws) => {
                        socket = Some(ws);
                        ever_connected = true;
                        down_since = None;
                        session.opened(now());
                    }
                    Err(e) => {
                        let why = describe(&e, &url);
                        if !ever_connected {
                            return Err(format!("cannot connect to {url}: {why}"));
                        }
                        session.closed(now(), None, &why);
                        down_since.get_or_insert_with(Instant::now);
                    }
                }
            }
            message = next_message(&mut socket), if socket.is_some() => {
                let at = now();
                match message {
                    Some(Ok(Message::Binary(bytes))) => session.on_message(at, Incoming::Binary(&bytes)),
                    Some(Ok(Message::Text(text))) => session.on_message(at, Incoming::Text(&text)),
                    Some(Ok(Message::Close(frame))) => {
                        socket = None;
                        let (code, reason) = frame.map_or((None, "closed by the server".to_owned()), |f| (Some(u16::from(f.code)), f.reason.to_string()));
                        session.closed(at, code, &reason);
                        if !session.finished() {
                            down_since.get_or_insert_with(Instant::now);
                        }
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => {
                        socket = None;
                        session.closed(at, None, &describe(&e, &url));
                        down_since.get_or_insert_with(Instant::now);
                    }
                    None => {
                        socket = None;
                        session.closed(at, None, "the connection closed without a close frame");
                        down_since.get_or_insert_with(Instant::now);
                    }
                }
            }
        }
    }
    let end = now();
    Ok((session, end, None))
}

fn describe_settings(config: &ProbeConfig) -> String {
    let mode = match &config.mode {
        MessageMode::Echo => format!("{}-byte binary echo", config.payload_bytes),
        MessageMode::RequestResponse { match_field, .. } => {
            format!("text request/response matched on `{match_field}`")
        }
    };
    let fresh = if config.fresh_connection {
        ", a fresh connection each"
    } else {
        ""
    };
    format!(
        "{} probes, {} ms apart, {mode}{fresh}",
        config.count.unwrap_or(0),
        config.interval_ms
    )
}

fn distribution_line(d: &Distribution) -> String {
    format!(
        "min {:.3}  median {:.3}  mean {:.3}  p90 {:.3}  p99 {:.3}  max {:.3} ms",
        d.min, d.median, d.mean, d.p90, d.p99, d.max
    )
}

fn print_text(url: &str, session: &Session, s: &Summary) {
    println!(
        "netlens probe {url}: {}",
        describe_settings(session.config())
    );
    for event in session.events() {
        match event {
            Event::Connected {
                at_ms,
                connection,
                connect_ms,
            } => {
                println!(
                    "  {:>9.3} s  connection {connection} open in {connect_ms:.3} ms",
                    at_ms / 1000.0
                )
            }
            Event::Disconnected {
                at_ms,
                was_open,
                code,
                reason,
                lost_in_flight,
                retry_at_ms,
                ..
            } => {
                let code = code.map(|c| format!(" (code {c})")).unwrap_or_default();
                let what = if *was_open {
                    "closed"
                } else {
                    "attempt failed"
                };
                let retry = retry_at_ms
                    .map(|r| format!("; retrying at {:.3} s", r / 1000.0))
                    .unwrap_or_default();
                println!(
                    "  {:>9.3} s  {what}{code}: {reason}; {lost_in_flight} in flight lost{retry}",
                    at_ms / 1000.0
                )
            }
            Event::Change {
                at_ms,
                seq,
                segment,
                from_ms,
                to_ms,
                ..
            } => println!(
                "  {:>9.3} s  change at probe {seq}: {from_ms:.3} → {to_ms:.3} ms, segment {segment} starts",
                at_ms / 1000.0
            ),
            Event::Visibility { .. } => {}
            Event::Suspended {
                from_ms,
                to_ms,
                interrupted_in_flight,
                ..
            } => println!(
                "  {:>9.3} s  suspended for {:.3} s (the device slept): {interrupted_in_flight} in flight interrupted, not counted",
                from_ms / 1000.0,
                (to_ms - from_ms) / 1000.0
            ),
        }
    }
    println!(
        "{} sent, {} replies, {} lost ({:.1} %), {} late, {} duplicates, {} unmatched, {} skipped",
        s.sent,
        s.replies,
        s.lost,
        s.loss * 100.0,
        s.late,
        s.duplicates,
        s.unmatched,
        s.skipped
    );
    if let Some(d) = &s.rtt_ms {
        println!("rtt      {}", distribution_line(d));
    }
    if let Some(w) = &s.window {
        println!(
            "current  {} (last {} replies)",
            distribution_line(&w.distribution),
            w.distribution.count
        );
    }
    if s.rtt_ms.is_some() {
        println!(
            "jitter   {:.3} ms mean |Δ|, {:.3} ms RFC 3550, PDV {:.3} ms (p99 − min)",
            s.jitter_ms,
            s.rfc3550_jitter_ms,
            s.pdv_ms.unwrap_or(0.0)
        );
    }
    if let Some(c) = &s.connect {
        println!("connect  {:.3} ms (median of {})", c.median, c.count);
    }
    if let (Some(rpm), Some(quality)) = (s.idle_rpm, s.idle_quality) {
        println!(
            "idle     {rpm:.0} round trips per minute ({} by the draft's bands; under load see netlens quality), confidence {:?}",
            quality.name(),
            s.confidence
        );
    }
    if let Some(k) = &s.kernel {
        let above = s
            .rtt_ms
            .map(|d| {
                format!(
                    ": the probe's median is {:.3} ms above it",
                    d.median - k.rtt_ms
                )
            })
            .unwrap_or_default();
        println!(
            "kernel   rtt {:.3} ms, rttvar {:.3}, min {:.3}, {} retransmitted (the server's TCP_INFO){above}",
            k.rtt_ms, k.rttvar_ms, k.min_rtt_ms, k.total_retrans
        );
    }
    if let Some(note) = s.interruption_note() {
        println!("paused   {note}");
    }
    if let Some(note) = s.disturbance_note() {
        println!("device   {note}");
    }
}
