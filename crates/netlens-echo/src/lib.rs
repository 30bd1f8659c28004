//! A WebSocket echo server for the netlens latency probe, with impairments on request.
//!
//! Every socket gets `TCP_NODELAY`: with Nagle's algorithm on, small echoes wait for the
//! client's delayed ACK and the probe would measure the server's TCP stack (3–5 ms more at the
//! median and 12–20 ms at p99 on loopback, measured for the research notes).
//!
//! Each connection's query string asks for impairments, so one server serves every test and
//! benchmark at once (`ws://127.0.0.1:9000/echo?delay_ms=20&jitter_ms=5&loss=0.01`):
//!
//! | parameter | meaning |
//! |---|---|
//! | `delay_ms` | hold each echo this long after it was read |
//! | `jitter_ms` | add a uniformly random −jitter…+jitter to the delay (never below 0) |
//! | `loss` | drop this fraction of messages (0 to 1) |
//! | `seed` | seed for jitter and loss (default: from the clock) |
//! | `duplicate_every` | send every Nth echo twice |
//! | `garbage_every` | after every Nth echo, also send 16–64 random bytes |
//! | `oversize_every` | after every Nth echo, also send a 2 MiB message |
//! | `stall_after`, `stall_ms` | after the Nth message, stop reading for this long (a stalled server: what was sent meanwhile is echoed late, in a burst) |
//! | `rate_kbps`, `queue_kb` | this connection's own bottleneck: a FIFO of `queue_kb` KB drained at `rate_kbps` kbit/s each way ([`bottleneck`]); the server's `--rate-kbps`/`--queue-kb` give one that every connection shares |
//! | `tcp_info` | `1`: every [`KERNEL_EVERY`] the server also sends the kernel's view of the connection as text, `{"tcp_info":{"rtt_ms":…,"rttvar_ms":…,"min_rtt_ms":…,"total_retrans":…}}` ([`kernel`]), so a probe can show its RTT minus the kernel's: what the browser and the device add |
//! | `bulk` | `download`: the server sends [`BULK_CHUNK_BYTES`]-byte binary messages starting `NLDN` for as long as the connection lasts; `upload`: binary messages starting `NLUP` are counted, not echoed, and the server reports what arrived as text, `{"received":BYTES,"server_ms":MS}`, every [`REPORT_EVERY`] and whenever [`REPORT_BYTES`] more arrived (throughput measured at the receiver, where browsers' `bufferedAmount` cannot mislead it). Probes on the same connection are echoed as usual, behind the bulk data: self probes |
//!
//! Echoes keep their order: each one's release time is at least the previous one's, as on a
//! real path (TCP never reorders), so jitter larger than the probe interval bunches echoes up
//! rather than swapping them. The wait is precise to well under a millisecond and nearly free of
//! CPU: tokio's timer has millisecond granularity and rounds up (≈ +1.3 ms at the median), so the
//! server asks it for 2 ms before the release time, sleeps on a blocking thread until 0.3 ms
//! before, and yields until it arrives (a test server shares its machine with the client it
//! serves).
//!
//! With a bottleneck, every message passes it: an echo waits behind the bulk data queued ahead
//! of it, and a shared bottleneck also holds a new connection's upgrade response (the first
//! round trip a foreign probe makes).
//!
//! Bounded: messages up to [`Limits::max_message_bytes`] (larger ones close the connection with
//! 1009), at most [`Limits::max_connections`] at once (more are refused with HTTP 503), closed
//! after [`Limits::idle_timeout`] without a message (1001), at most [`QUEUE`] echoes waiting.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Bytes, Error as WsError, Message};

pub mod bottleneck;
pub mod http;
pub mod kernel;
pub mod tls;

use bottleneck::{Link, Shape};

/// Largest bulk download message. Through a bottleneck, messages carry half a millisecond of
/// the link's time ([`Link::piece_bytes`], at least [`MIN_BULK_CHUNK_BYTES`]).
pub const BULK_CHUNK_BYTES: usize = 32 * 1024;
/// Smallest bulk download message (about one TCP segment).
pub const MIN_BULK_CHUNK_BYTES: usize = 1448;
/// Bulk download bytes waiting in a connection's send queue at most (beyond the bottleneck's
/// own queue): without a bottleneck the socket takes them as fast as the client reads.
pub const BULK_BUFFER_BYTES: usize = 1 << 20;
/// How often a connection with `tcp_info=1` sends the kernel's view of it.
pub const KERNEL_EVERY: Duration = Duration::from_secs(1);

/// How often an upload connection reports the bytes it received.
pub const REPORT_EVERY: Duration = Duration::from_millis(100);
/// An upload connection also reports whenever this much arrived since its last report: a client
/// that paces by the reports (a window of sent-but-unreported bytes) must never wait for a timer
/// while its whole window has already arrived (on a fast path it arrives within a millisecond).
pub const REPORT_BYTES: u64 = 64 * 1024;
/// First bytes of a bulk download message.
pub const DOWNLOAD_MAGIC: &[u8; 4] = b"NLDN";
/// First bytes of a bulk upload message (counted, not echoed).
pub const UPLOAD_MAGIC: &[u8; 4] = b"NLUP";

/// Echoes waiting for their release time, per connection; a client that sends faster than the
/// delay drains waits for room (back-pressure), not memory.
pub const QUEUE: usize = 4096;

/// Bounds on what one server accepts.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest message.
    pub max_message_bytes: usize,
    /// Connections at once.
    pub max_connections: usize,
    /// Close a connection after this long without a message.
    pub idle_timeout: Duration,
    /// One bottleneck every connection shares (parallel flows fill one queue, as at a home
    /// router); a connection's own `rate_kbps` replaces it for that connection.
    pub bottleneck: Option<Shape>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 1 << 20,
            max_connections: 256,
            idle_timeout: Duration::from_secs(120),
            bottleneck: None,
        }
    }
}

/// Impairments one connection asked for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Impairment {
    /// Added delay.
    pub delay: Duration,
    /// Half-width of the uniform jitter around the delay.
    pub jitter: Duration,
    /// Fraction of messages dropped.
    pub loss: f64,
    /// Seed for jitter and loss.
    pub seed: Option<u64>,
    /// Send every Nth echo twice (0: never).
    pub duplicate_every: u64,
    /// Send garbage after every Nth echo (0: never).
    pub garbage_every: u64,
    /// Send a 2 MiB message after every Nth echo (0: never).
    pub oversize_every: u64,
    /// Stall after this many messages (0: never).
    pub stall_after: u64,
    /// How long to stall.
    pub stall: Duration,
    /// This connection's own bottleneck.
    pub bottleneck: Option<Shape>,
    /// Bulk transfer on this connection.
    pub bulk: Option<Bulk>,
    /// Send the kernel's TCP_INFO every [`KERNEL_EVERY`].
    pub tcp_info: bool,
}

/// A bulk transfer a connection asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bulk {
    /// The server sends for as long as the connection lasts.
    Download,
    /// The client sends; the server counts and reports.
    Upload,
}

/// tokio's timer has millisecond granularity and rounds up (≈ +1.3 ms at the median): the echo
/// asks it to wake this long before the release time.
const TIMER_MARGIN: Duration = Duration::from_millis(2);
/// The OS's sleep (`nanosleep`) wakes 0.1–0.3 ms late on a busy 2-core VM: the echo sleeps until
/// this long before the release time and yields the rest. The server once yielded from tokio's
/// wake-up on (0.7 ms before the release at the median, up to 2 ms): about 1 ms of CPU per echo
/// (`holding_echoes_costs_next_to_no_cpu`: 100 ms for 100 echoes, now 30–40), taken from any
/// client on the same machine in the moments before a release. A client whose fixed schedule
/// sends as an echo is due (an interval that divides the delay: 20 ms at 100 ms) sent into them
/// every time: in `make bench-probe` the browser's p99 at 100 ms was 0.7–1.1 ms over a bare
/// client whose drifting schedule missed them, and is 0.26–0.35 ms over it now.
const SPIN: Duration = Duration::from_micros(300);

const PARAMETERS: &str = "delay_ms, jitter_ms, loss, seed, duplicate_every, garbage_every, oversize_every, stall_after, stall_ms, rate_kbps, queue_kb, bulk, tcp_info";

/// Size of the `oversize_every` message.
pub const OVERSIZE_BYTES: usize = 2 << 20;

impl Impairment {
    /// Reads a query string (`delay_ms=20&loss=0.01`); unknown parameters and bad values are
    /// errors, so a typo never silently measures an unimpaired path.
    pub fn from_query(query: &str) -> Result<Impairment, String> {
        let mut imp = Impairment::default();
        let (mut rate_kbps, mut queue_kb) = (None, None);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let number = || -> Result<f64, String> {
                value
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && *v >= 0.0)
                    .ok_or_else(|| format!("`{key}={value}`: expected a number ≥ 0"))
            };
            let ms = || -> Result<Duration, String> {
                let v = number()?;
                if v > 60_000.0 {
                    return Err(format!("`{key}={value}`: at most 60000 ms"));
                }
                Ok(Duration::from_secs_f64(v / 1000.0))
            };
            let every = || -> Result<u64, String> {
                value
                    .parse::<u64>()
                    .ok()
                    .filter(|&n| n >= 1)
                    .ok_or_else(|| format!("`{key}={value}`: expected a whole number ≥ 1"))
            };
            match key {
                "delay_ms" => imp.delay = ms()?,
                "jitter_ms" => imp.jitter = ms()?,
                "loss" => {
                    let v = number()?;
                    if v > 1.0 {
                        return Err(format!(
                            "`loss={value}`: a fraction from 0 to 1 (0.01 is 1 %)"
                        ));
                    }
                    imp.loss = v;
                }
                "seed" => {
                    imp.seed = Some(
                        value
                            .parse()
                            .map_err(|_| format!("`seed={value}`: expected a whole number"))?,
                    )
                }
                "duplicate_every" => imp.duplicate_every = every()?,
                "garbage_every" => imp.garbage_every = every()?,
                "oversize_every" => imp.oversize_every = every()?,
                "stall_after" => imp.stall_after = every()?,
                "stall_ms" => imp.stall = ms()?,
                "tcp_info" => {
                    imp.tcp_info = match value {
                        "1" | "true" => true,
                        "0" | "false" => false,
                        _ => return Err(format!("`tcp_info={value}`: 1 or 0")),
                    }
                }
                "rate_kbps" => rate_kbps = Some(number()?),
                "queue_kb" => queue_kb = Some(number()?),
                "bulk" => {
                    imp.bulk = Some(match value {
                        "download" => Bulk::Download,
                        "upload" => Bulk::Upload,
                        _ => return Err(format!("`bulk={value}`: download or upload")),
                    })
                }
                _ => return Err(format!("unknown parameter `{key}` (known: {PARAMETERS})")),
            }
        }
        imp.bottleneck = match (rate_kbps, queue_kb) {
            (Some(rate), queue) => Some(Shape::new(rate, queue.unwrap_or(0.0))?),
            (None, Some(_)) => {
                return Err(
                    "`queue_kb` needs `rate_kbps` (the queue drains at that rate)".to_owned(),
                );
            }
            (None, None) => None,
        };
        Ok(imp)
    }
}

/// xorshift64*: seeded, tiny, good enough for jitter and loss decisions.
struct Rng(u64);

impl Rng {
    fn new(seed: Option<u64>) -> Rng {
        let seed = seed.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
        // Zero is xorshift's fixed point.
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15 | 1)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A message and when to send it.
struct Outbound {
    release_at: Instant,
    message: Message,
    /// Bulk data: released on tokio's millisecond timer, not [`wait_until`]'s precise wait
    /// (which costs a blocking thread and a short spin per message).
    bulk: bool,
    /// Bulk data holds its share of [`BULK_BUFFER_BYTES`] until sent.
    _permit: Option<OwnedSemaphorePermit>,
}

impl Outbound {
    fn at(release_at: Instant, message: Message) -> Outbound {
        Outbound {
            release_at,
            message,
            bulk: false,
            _permit: None,
        }
    }
}

/// Waits until `deadline` with sub-millisecond precision, nearly without using the CPU: tokio's
/// timer for all but the last [`TIMER_MARGIN`], the OS's sleep on a blocking thread for all but
/// the last [`SPIN`], then yielding. Returns how long before the deadline the yielding began:
/// never more than [`SPIN`], which is what keeps a held echo cheap.
pub(crate) async fn wait_until(deadline: Instant) -> Duration {
    let now = Instant::now();
    if deadline <= now {
        return Duration::ZERO;
    }
    if deadline - now > TIMER_MARGIN {
        tokio::time::sleep_until((deadline - TIMER_MARGIN).into()).await;
    }
    let left = deadline.saturating_duration_since(Instant::now());
    if left > SPIN {
        let nap = left - SPIN;
        // On a blocking thread, so that the runtime's workers (other connections) do not wait.
        let _ = tokio::task::spawn_blocking(move || std::thread::sleep(nap)).await;
    }
    let yielding = deadline.saturating_duration_since(Instant::now());
    while Instant::now() < deadline {
        tokio::task::yield_now().await;
    }
    yielding
}

/// A task that ends when its handle is dropped.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn reject(status: StatusCode, message: String) -> ErrorResponse {
    let mut response = ErrorResponse::new(Some(message));
    *response.status_mut() = status;
    response
}

/// A running server.
pub struct Server {
    local_addr: SocketAddr,
    /// The shared bottleneck's full-queue delay, if there is one.
    shared_bottleneck: Option<Shape>,
    accept_loop: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Binds `addr` and starts serving on the current tokio runtime.
    pub async fn start(addr: SocketAddr, limits: Limits) -> io::Result<Server> {
        Server::start_with(addr, limits, None).await
    }

    /// Like [`start`](Self::start), serving TLS (HTTP/2 and HTTP/1.1, [`tls`]) with `acceptor`.
    pub async fn start_tls(
        addr: SocketAddr,
        limits: Limits,
        acceptor: tokio_rustls::TlsAcceptor,
    ) -> io::Result<Server> {
        Server::start_with(addr, limits, Some(acceptor)).await
    }

    async fn start_with(
        addr: SocketAddr,
        limits: Limits,
        tls: Option<tokio_rustls::TlsAcceptor>,
    ) -> io::Result<Server> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let accept_loop = tokio::spawn(accept_loop(listener, limits, tls));
        Ok(Server {
            local_addr,
            shared_bottleneck: limits.bottleneck,
            accept_loop,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The bottleneck every connection shares, if any.
    pub fn shared_bottleneck(&self) -> Option<Shape> {
        self.shared_bottleneck
    }

    /// `ws://ADDR/echo`.
    pub fn url(&self) -> String {
        format!("ws://{}/echo", self.local_addr)
    }

    /// Stops accepting and drops every connection at once (their sockets close without a
    /// WebSocket close frame, as when the process dies).
    pub fn kill(self) {
        self.accept_loop.abort();
    }

    /// Serves until the task is cancelled.
    pub async fn wait(self) {
        let _ = self.accept_loop.await;
    }
}

async fn accept_loop(
    listener: TcpListener,
    limits: Limits,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let shared = limits.bottleneck.map(|shape| Arc::new(Link::new(shape)));
    // Dropping the set (when this task is aborted) aborts every connection.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // EMFILE and friends: back off briefly rather than spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let permit = Arc::clone(&permits).try_acquire_owned().ok();
                let shared = shared.clone();
                let tls = tls.clone();
                connections.spawn(async move {
                    if let Some(acceptor) = tls {
                        if permit.is_some() {
                            let _ = stream.set_nodelay(true);
                            let _ = tls::serve(stream, acceptor, shared, Instant::now()).await;
                        }
                        drop(permit);
                        return;
                    }
                    let _ = serve_connection(stream, limits, permit.is_some(), shared).await;
                    // The slot frees when the connection ends.
                    drop(permit);
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve_connection(
    stream: TcpStream,
    limits: Limits,
    admitted: bool,
    shared: Option<Arc<Link>>,
) -> Result<(), WsError> {
    stream.set_nodelay(true)?;
    let started = Instant::now();
    let addresses = stream.local_addr().ok().zip(stream.peer_addr().ok());
    // Plain HTTP requests (the responsiveness server's endpoints) share the port: look at the
    // first request without consuming it; a WebSocket upgrade goes on to tungstenite.
    match http::peek_head(&stream).await {
        Ok(http::Opening::Http1(head)) if !head.websocket => {
            if admitted {
                let _ = http::serve(stream, shared, started, "http").await;
            }
            return Ok(());
        }
        Ok(http::Opening::H2) => {
            if admitted {
                let _ = tls::serve_h2(stream, shared, started, "http").await;
            }
            return Ok(());
        }
        Ok(http::Opening::Http1(_)) => {}
        Err(why) => {
            if why == http::NOT_HTTP {
                let mut stream = stream;
                let _ =
                    tokio::io::AsyncWriteExt::write_all(&mut stream, http::NOT_HTTP_RESPONSE).await;
            }
            return Ok(());
        }
    }
    // The upgrade request and response cross a shared bottleneck too (a connection's own one
    // is not known until its query is read).
    if let Some(link) = &shared {
        wait_until(link.exchange(HANDSHAKE_BYTES, HANDSHAKE_BYTES).await).await;
    }
    let mut impairment = Impairment::default();
    // tungstenite's handshake callback fixes the error type.
    #[allow(clippy::result_large_err)]
    let callback = |request: &Request, mut response: Response| {
        if !admitted {
            return Err(reject(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("too many connections (limit {})", limits.max_connections),
            ));
        }
        impairment = Impairment::from_query(request.uri().query().unwrap_or(""))
            .map_err(|why| reject(StatusCode::BAD_REQUEST, why))?;
        // Accept the first subprotocol offered, so clients that require one can be tested.
        if let Some(first) = request
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .and_then(|p| HeaderValue::from_str(p).ok())
        {
            response
                .headers_mut()
                .insert("sec-websocket-protocol", first);
        }
        Ok(response)
    };
    let config = WebSocketConfig::default()
        .max_message_size(Some(limits.max_message_bytes))
        .max_frame_size(Some(limits.max_message_bytes));
    let handshake = tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(config));
    let ws = tokio::time::timeout(Duration::from_secs(10), handshake)
        .await
        .map_err(|_| WsError::Io(io::Error::new(io::ErrorKind::TimedOut, "handshake timeout")))??;
    let (mut sink, mut incoming) = ws.split();
    let (tx, mut rx) = mpsc::channel::<Outbound>(QUEUE);
    let link = match impairment.bottleneck {
        Some(shape) => Some(Arc::new(Link::new(shape))),
        None => shared,
    };

    // Aborted with the connection (a killed server): it holds the socket's write half, and
    // would otherwise keep the socket open to send the echoes still held.
    let mut writer = AbortOnDrop(tokio::spawn(async move {
        while let Some(out) = rx.recv().await {
            if out.bulk {
                // tokio's timer wakes up to ~1.3 ms late: a bulk message released late would
                // hold back the echo queued behind it. Asked for TIMER_MARGIN early, it leaves
                // about on time (the rate stays the queue's: its departures are virtual).
                let early = out
                    .release_at
                    .checked_sub(TIMER_MARGIN)
                    .unwrap_or(out.release_at);
                tokio::time::sleep_until(early.into()).await;
            } else {
                wait_until(out.release_at).await;
            }
            let closing = matches!(out.message, Message::Close(_));
            if sink.send(out.message).await.is_err() || closing {
                break;
            }
        }
    }));

    // Bulk download: a producer that keeps the bottleneck's queue (or the socket) full.
    let producer = (impairment.bulk == Some(Bulk::Download)).then(|| {
        let tx = tx.clone();
        let link = link.clone();
        AbortOnDrop(tokio::spawn(produce_bulk(tx, link)))
    });
    // The kernel's view, every second, for probes that compare it with their own.
    let kernel_reports = match addresses {
        Some((local, peer)) if impairment.tcp_info => {
            let tx = tx.clone();
            Some(AbortOnDrop(tokio::spawn(report_kernel(tx, local, peer))))
        }
        _ => None,
    };
    let mut upload = UploadCount {
        started,
        received: 0,
        reported: 0,
        last_report: None,
    };

    let mut rng = Rng::new(impairment.seed);
    let mut last_release = Instant::now();
    let mut count: u64 = 0;
    let mut echoed: u64 = 0;
    loop {
        let next = tokio::time::timeout(limits.idle_timeout, incoming.next()).await;
        let message = match next {
            Err(_) => {
                let _ = tx
                    .send(Outbound::at(
                        Instant::now(),
                        close(CloseCode::Away, "idle timeout"),
                    ))
                    .await;
                break;
            }
            Ok(None) => break,
            Ok(Some(Err(WsError::Capacity(_)))) => {
                let _ = tx
                    .send(Outbound::at(
                        Instant::now(),
                        close(CloseCode::Size, "message too large"),
                    ))
                    .await;
                break;
            }
            Ok(Some(Err(_))) => break,
            Ok(Some(Ok(message))) => message,
        };
        let received = Instant::now();
        let message = match message {
            Message::Text(_) | Message::Binary(_) => message,
            Message::Close(_) => break,
            // Pings are answered by tungstenite itself; pongs need nothing.
            _ => continue,
        };
        count += 1;
        // Through the link's upstream queue: the message reaches the server when it leaves it
        // (and reading waits while the queue is full, holding the client back).
        let arrived = match &link {
            Some(link) => link.up.pass(message.len(), received).await,
            None => received,
        };
        if impairment.bulk == Some(Bulk::Upload)
            && let Message::Binary(data) = &message
            && data.starts_with(UPLOAD_MAGIC)
        {
            if let Some(report) = upload.count(data.len(), arrived) {
                let at = match &link {
                    Some(link) => link.down.pass(report.len(), arrived).await,
                    None => arrived,
                };
                if tx.send(Outbound::at(at, report)).await.is_err() {
                    break;
                }
            }
            continue;
        }
        if impairment.loss > 0.0 && rng.unit() < impairment.loss {
            continue;
        }
        echoed += 1;
        let jitter = if impairment.jitter.is_zero() {
            0.0
        } else {
            (rng.unit() * 2.0 - 1.0) * impairment.jitter.as_secs_f64()
        };
        let delay = (impairment.delay.as_secs_f64() + jitter).max(0.0);
        let mut release_at = (arrived + Duration::from_secs_f64(delay)).max(last_release);
        if let Some(link) = &link {
            release_at = link.down.pass(message.len(), release_at).await;
        }
        last_release = release_at;
        let mut out = vec![message.clone()];
        if impairment.duplicate_every > 0 && echoed.is_multiple_of(impairment.duplicate_every) {
            out.push(message);
        }
        if impairment.garbage_every > 0 && echoed.is_multiple_of(impairment.garbage_every) {
            let len = 16 + (rng.next_u64() % 49) as usize;
            let garbage: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
            out.push(Message::Binary(Bytes::from(garbage)));
        }
        if impairment.oversize_every > 0 && echoed.is_multiple_of(impairment.oversize_every) {
            out.push(Message::Binary(Bytes::from(vec![0x5a; OVERSIZE_BYTES])));
        }
        for message in out {
            if tx.send(Outbound::at(release_at, message)).await.is_err() {
                break;
            }
        }
        if count == impairment.stall_after && !impairment.stall.is_zero() {
            tokio::time::sleep(impairment.stall).await;
        }
    }
    drop(producer);
    drop(kernel_reports);
    drop(tx);
    let _ = (&mut writer.0).await;
    Ok(())
}

/// Bytes an upgrade request or response takes on the link (about what browsers send).
const HANDSHAKE_BYTES: usize = 300;

/// Sends bulk download messages until the connection ends: each waits for room in the
/// connection's send buffer ([`BULK_BUFFER_BYTES`]) and in the link's queue, and is released
/// when the link lets it out.
async fn produce_bulk(tx: mpsc::Sender<Outbound>, link: Option<Arc<Link>>) {
    let buffer = Arc::new(Semaphore::new(BULK_BUFFER_BYTES / 1024));
    let len = link.as_ref().map_or(BULK_CHUNK_BYTES, |link| {
        link.piece_bytes(MIN_BULK_CHUNK_BYTES, BULK_CHUNK_BYTES)
    });
    let mut chunk = vec![0u8; len];
    chunk[..4].copy_from_slice(DOWNLOAD_MAGIC);
    let chunk = Bytes::from(chunk);
    loop {
        let Ok(permit) = Arc::clone(&buffer)
            .acquire_many_owned(len.div_ceil(1024) as u32)
            .await
        else {
            return;
        };
        let release_at = match &link {
            Some(link) => link.down.pass(len, Instant::now()).await,
            None => Instant::now(),
        };
        let out = Outbound {
            release_at,
            message: Message::Binary(chunk.clone()),
            bulk: true,
            _permit: Some(permit),
        };
        if tx.send(out).await.is_err() {
            return;
        }
    }
}

/// Sends the kernel's TCP_INFO for the connection every [`KERNEL_EVERY`] until it ends (or the
/// kernel cannot say: no sock_diag netlink).
async fn report_kernel(tx: mpsc::Sender<Outbound>, local: SocketAddr, peer: SocketAddr) {
    loop {
        tokio::time::sleep(KERNEL_EVERY).await;
        let answer = tokio::task::spawn_blocking(move || kernel::query(local, peer)).await;
        let Ok(Ok(Some(info))) = answer else {
            return;
        };
        let text = format!(
            "{{\"tcp_info\":{{\"rtt_ms\":{:.3},\"rttvar_ms\":{:.3},\"min_rtt_ms\":{:.3},\"total_retrans\":{}}}}}",
            info.rtt_ms, info.rttvar_ms, info.min_rtt_ms, info.total_retrans
        );
        if tx
            .send(Outbound::at(Instant::now(), Message::Text(text.into())))
            .await
            .is_err()
        {
            return;
        }
    }
}

/// What an upload connection received, and when it last said so.
struct UploadCount {
    started: Instant,
    received: u64,
    /// `received` as last reported.
    reported: u64,
    last_report: Option<Instant>,
}

impl UploadCount {
    /// Counts `len` bytes that arrived at `at`; a report when one is due.
    fn count(&mut self, len: usize, at: Instant) -> Option<Message> {
        self.received += len as u64;
        if self
            .last_report
            .is_some_and(|last| at.saturating_duration_since(last) < REPORT_EVERY)
            && self.received - self.reported < REPORT_BYTES
        {
            return None;
        }
        self.last_report = Some(at);
        self.reported = self.received;
        let server_ms = at.saturating_duration_since(self.started).as_secs_f64() * 1000.0;
        Some(Message::Text(
            format!(
                "{{\"received\":{},\"server_ms\":{server_ms:.3}}}",
                self.received
            )
            .into(),
        ))
    }
}

fn close(code: CloseCode, reason: &str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;

    /// The CPU a held echo costs is the time spent yielding before its release: never more than
    /// [`SPIN`] whatever the hold, whether tokio's timer wakes early, late or not at all (a
    /// hold shorter than its margin). `holding_echoes_costs_next_to_no_cpu` measures the CPU.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_precise_wait_yields_only_in_its_last_moments() {
        for hold_us in [0u64, 100, 250, 400, 1_000, 1_900, 2_500, 5_000, 30_000] {
            for _ in 0..5 {
                let deadline = Instant::now() + Duration::from_micros(hold_us);
                let yielding = wait_until(deadline).await;
                assert!(Instant::now() >= deadline, "released early");
                assert!(
                    yielding <= SPIN,
                    "a {hold_us} µs hold yielded for {yielding:?}"
                );
            }
        }
    }

    #[test]
    fn impairments_parse_and_typos_are_errors() {
        let imp =
            Impairment::from_query("delay_ms=20&jitter_ms=5&loss=0.01&seed=3&duplicate_every=7")
                .unwrap();
        assert_eq!(imp.delay, Duration::from_millis(20));
        assert_eq!(imp.jitter, Duration::from_millis(5));
        assert_eq!(
            (imp.loss, imp.seed, imp.duplicate_every),
            (0.01, Some(3), 7)
        );
        assert_eq!(Impairment::from_query("").unwrap(), Impairment::default());
        assert!(
            Impairment::from_query("delay=20")
                .unwrap_err()
                .contains("unknown parameter `delay`")
        );
        assert!(
            Impairment::from_query("loss=2")
                .unwrap_err()
                .contains("fraction")
        );
        assert!(
            Impairment::from_query("delay_ms=-1")
                .unwrap_err()
                .contains("≥ 0")
        );
        assert!(
            Impairment::from_query("delay_ms=1e9")
                .unwrap_err()
                .contains("60000")
        );
        assert!(
            Impairment::from_query("garbage_every=0")
                .unwrap_err()
                .contains("≥ 1")
        );
    }

    #[test]
    fn the_generator_is_seeded_and_uniform_enough() {
        let mut a = Rng::new(Some(5));
        let mut b = Rng::new(Some(5));
        let xs: Vec<f64> = (0..10_000).map(|_| a.unit()).collect();
        assert!(xs.iter().all(|&x| (0.0..1.0).contains(&x)));
        assert_eq!(xs[..5], (0..5).map(|_| b.unit()).collect::<Vec<_>>()[..]);
        let below_tenth = xs.iter().filter(|&&x| x < 0.1).count();
        assert!((900..1100).contains(&below_tenth), "{below_tenth}");
    }
}
