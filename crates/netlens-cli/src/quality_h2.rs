//! `netlens quality http(s)://HOST/config`: the same run against a responsiveness server (the
//! draft's, Apple's `networkQuality -C`, netlens-echo's HTTP side) over HTTP/2, as the draft
//! measures: load flows are `GET large` and `POST upload` streams, each on its own connection;
//! self probes are `GET small` streams on a loaded connection; foreign probes open a fresh
//! connection (TCP, then TLS for https://) and `GET small` on it.
//!
//! https:// negotiates HTTP/2 by ALPN; http:// speaks it with prior knowledge (h2c), which
//! netlens-echo serves on its plain port. Uploads are counted at the receiver when the server
//! reports what arrived (netlens-echo does when asked with `netlens-progress: 1`), else as the
//! server's HTTP/2 flow control accepts them, which can run ahead by one window at first.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use netlens_probe::quality::run::FlowKind;
use netlens_probe::quality::server::{self, HttpUrl, ServerConfig};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use crate::quality_cmd::{AbortOnDrop, Event, PROBE_TIMEOUT};

/// Each stream's and the connection's receive window: a download must not wait on window
/// updates at 100 Mbit/s and beyond (HTTP/2's default is 64 KiB).
const RECEIVE_WINDOW: u32 = 8 << 20;
/// Size of an upload write.
const UPLOAD_CHUNK: usize = 64 * 1024;
/// Asks netlens-echo's `/upload` for reports as the body arrives…
const PROGRESS_HEADER: &str = netlens_echo::tls::PROGRESS_HEADER;
/// …which come one JSON object per line.
const PROGRESS_TYPE: &str = netlens_echo::tls::PROGRESS_TYPE;

/// Where a run connects and with what.
pub struct Target {
    /// The configuration's URLs, parsed.
    pub small: HttpUrl,
    pub large: HttpUrl,
    pub upload: HttpUrl,
    /// `test_endpoint`: the host to connect to instead of the URLs' own.
    pub connect_host: Option<String>,
    /// TLS for https:// (ALPN h2).
    pub tls: Arc<rustls::ClientConfig>,
}

/// A TLS client configuration: Mozilla's roots and the certificates in `extra_pem` (a test
/// CA), offering `alpn`.
pub fn tls_config(
    extra_pem: Option<&[u8]>,
    alpn: &[&[u8]],
) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    if let Some(pem) = extra_pem {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| format!("--cacert is not PEM certificates ({e})"))?;
            roots
                .add(cert)
                .map_err(|e| format!("--cacert holds a certificate rustls cannot use ({e})"))?;
            added += 1;
        }
        if added == 0 {
            return Err("--cacert holds no PEM certificate".to_owned());
        }
    }
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| e.to_string())?
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Ok(Arc::new(config))
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// TCP (and TLS for https://) to `url`'s server, within [`PROBE_TIMEOUT`]; the ALPN protocol
/// the server chose.
async fn open(
    url: &HttpUrl,
    connect_host: Option<&str>,
    tls: &Arc<rustls::ClientConfig>,
) -> Result<(Box<dyn Io>, Option<Vec<u8>>), String> {
    let host = connect_host.unwrap_or(&url.host);
    let opening = async {
        let tcp = TcpStream::connect((host, url.port))
            .await
            .map_err(|e| format!("cannot connect to {}: {e}", url.authority()))?;
        let _ = tcp.set_nodelay(true);
        if !url.tls {
            return Ok((Box::new(tcp) as Box<dyn Io>, None));
        }
        let name = ServerName::try_from(url.host.clone())
            .map_err(|_| format!("{} is not a host name TLS can check", url.host))?;
        let stream = tokio_rustls::TlsConnector::from(tls.clone())
            .connect(name, tcp)
            .await
            .map_err(|e| format!("TLS with {} failed: {e}", url.authority()))?;
        let alpn = stream.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
        Ok((Box::new(stream) as Box<dyn Io>, alpn))
    };
    tokio::time::timeout(PROBE_TIMEOUT, opening)
        .await
        .map_err(|_| format!("no connection to {} within 5 s", url.authority()))?
}

/// An HTTP/2 connection: requests go out on `send`; the connection lives as long as this.
struct Connection {
    send: h2::client::SendRequest<Bytes>,
    _driver: AbortOnDrop,
}

/// Opens an HTTP/2 connection to `url`'s server; how long TCP (and TLS) took, ms.
async fn connect(target: &Target, url: &HttpUrl) -> Result<(Connection, f64), String> {
    let started = Instant::now();
    let (io, alpn) = open(url, target.connect_host.as_deref(), &target.tls).await?;
    let open_ms = started.elapsed().as_secs_f64() * 1000.0;
    if url.tls && alpn.as_deref() != Some(b"h2") {
        return Err(format!(
            "{} did not offer HTTP/2 (ALPN h2), which the responsiveness draft requires of a test server",
            url.authority()
        ));
    }
    let handshake = h2::client::Builder::new()
        .initial_window_size(RECEIVE_WINDOW)
        .initial_connection_window_size(RECEIVE_WINDOW)
        .handshake::<_, Bytes>(io);
    let (send, connection) = tokio::time::timeout(PROBE_TIMEOUT, handshake)
        .await
        .map_err(|_| format!("{} did not answer HTTP/2 within 5 s", url.authority()))?
        .map_err(|e| h2_refused(url, &e))?;
    let driver = AbortOnDrop(tokio::spawn(async move {
        let _ = connection.await;
    }));
    Ok((
        Connection {
            send,
            _driver: driver,
        },
        open_ms,
    ))
}

fn h2_refused(url: &HttpUrl, e: &h2::Error) -> String {
    if url.tls {
        format!("HTTP/2 with {} failed ({e})", url.authority())
    } else {
        format!(
            "{} did not answer HTTP/2 without TLS (prior knowledge, h2c) ({e}); netlens-echo does, other servers want their https:// configuration",
            url.authority()
        )
    }
}

fn request(method: http::Method, url: &HttpUrl) -> http::Request<()> {
    let scheme = if url.tls { "https" } else { "http" };
    http::Request::builder()
        .method(method)
        .uri(format!("{scheme}://{}{}", url.authority(), url.path))
        .header("user-agent", concat!("netlens/", env!("CARGO_PKG_VERSION")))
        .header("accept", "*/*")
        .body(())
        .unwrap_or_default()
}

/// Sends `GET url` on `connection` and reads the whole (small) body; the response's status.
async fn get_small(send: &mut h2::client::SendRequest<Bytes>, url: &HttpUrl) -> Result<(), String> {
    let exchange = async {
        let mut send = send.clone().ready().await.map_err(|e| e.to_string())?;
        let (response, _) = send
            .send_request(request(http::Method::GET, url), true)
            .map_err(|e| e.to_string())?;
        let response = response.await.map_err(|e| e.to_string())?;
        check_status(&response, "GET", url)?;
        let mut body = response.into_body();
        let mut read = 0usize;
        while let Some(data) = body.data().await {
            let data = data.map_err(|e| e.to_string())?;
            read += data.len();
            let _ = body.flow_control().release_capacity(data.len());
            if read > 1 << 20 {
                return Err(format!(
                    "{}'s small resource is over 1 MiB",
                    url.authority()
                ));
            }
        }
        Ok(())
    };
    tokio::time::timeout(PROBE_TIMEOUT, exchange)
        .await
        .map_err(|_| "no answer within 5 s".to_owned())?
}

fn check_status<T>(
    response: &http::Response<T>,
    method: &str,
    url: &HttpUrl,
) -> Result<(), String> {
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    Err(format!(
        "the server answered {method} {}{} with {} {}",
        url.authority(),
        url.path,
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    )
    .trim_end()
    .to_owned())
}

/// A connection of the run over HTTP/2: downloads `large` or uploads to `upload`, counting what
/// the receiver got, and sends the self probes (`GET small`) it is asked for beside the load.
pub async fn flow(
    target: Arc<Target>,
    id: u32,
    kind: FlowKind,
    events: mpsc::UnboundedSender<Event>,
    mut probe_rx: mpsc::Receiver<()>,
) {
    let url = match kind {
        FlowKind::Idle => &target.small,
        FlowKind::Download => &target.large,
        FlowKind::Upload => &target.upload,
    };
    let connection = match connect(&target, url).await {
        Ok((connection, _)) => connection,
        Err(why) => {
            let _ = events.send(Event::Failed(id, why));
            return;
        }
    };
    let _ = events.send(Event::Opened(id));
    let load = {
        let events = events.clone();
        let send = connection.send.clone();
        let target = target.clone();
        AbortOnDrop(tokio::spawn(async move {
            let outcome = match kind {
                FlowKind::Idle => std::future::pending().await,
                FlowKind::Download => download(send, &target.large, id, &events).await,
                FlowKind::Upload => upload(send, &target.upload, id, &events).await,
            };
            let why = match outcome {
                Ok(()) => "the server ended the transfer".to_owned(),
                Err(why) => why,
            };
            let _ = events.send(Event::Failed(id, why));
        }))
    };
    // Self probes, each on its own stream beside the load (HTTP/2 multiplexes them), as the
    // draft sends them; dropping the set at the end cancels any still out.
    let mut probes = tokio::task::JoinSet::new();
    while let Some(()) = probe_rx.recv().await {
        if load.0.is_finished() {
            break;
        }
        let (mut send, small, events) = (
            connection.send.clone(),
            target.small.clone(),
            events.clone(),
        );
        probes.spawn(async move {
            let sent = Instant::now();
            match get_small(&mut send, &small).await {
                Ok(()) => {
                    let _ = events.send(Event::SelfReply {
                        flow: id,
                        at: Instant::now(),
                        ms: sent.elapsed().as_secs_f64() * 1000.0,
                    });
                }
                // An idle connection carries nothing but probes: one that fails is the
                // connection failing (a loaded one's load says so itself).
                Err(why) if kind == FlowKind::Idle => {
                    let _ = events.send(Event::Failed(id, why));
                }
                Err(_) => {}
            }
        });
        // Reap the finished ones so the set stays small.
        while probes.try_join_next().is_some() {}
    }
}

async fn download(
    send: h2::client::SendRequest<Bytes>,
    url: &HttpUrl,
    id: u32,
    events: &mpsc::UnboundedSender<Event>,
) -> Result<(), String> {
    let mut send = send.ready().await.map_err(|e| e.to_string())?;
    let (response, _) = send
        .send_request(request(http::Method::GET, url), true)
        .map_err(|e| e.to_string())?;
    let response = tokio::time::timeout(PROBE_TIMEOUT, response)
        .await
        .map_err(|_| format!("{} did not answer GET within 5 s", url.authority()))?
        .map_err(|e| e.to_string())?;
    check_status(&response, "GET", url)?;
    let mut body = response.into_body();
    while let Some(data) = body.data().await {
        let data = data.map_err(|e| e.to_string())?;
        let _ = body.flow_control().release_capacity(data.len());
        let _ = events.send(Event::Received(id, data.len() as u64));
    }
    Ok(())
}

async fn upload(
    send: h2::client::SendRequest<Bytes>,
    url: &HttpUrl,
    id: u32,
    events: &mpsc::UnboundedSender<Event>,
) -> Result<(), String> {
    let mut send = send.ready().await.map_err(|e| e.to_string())?;
    let mut head = request(http::Method::POST, url);
    head.headers_mut()
        .insert(PROGRESS_HEADER, http::HeaderValue::from_static("1"));
    head.headers_mut().insert(
        "content-type",
        http::HeaderValue::from_static("application/octet-stream"),
    );
    let (response, mut body) = send.send_request(head, false).map_err(|e| e.to_string())?;
    // The server's answer: a refusal ends the flow with its status; netlens-echo's reports
    // (a JSON line per 100 ms or 64 KiB) make the count the receiver's.
    let (answers_tx, mut answers) = mpsc::unbounded_channel::<Answer>();
    let mut answer = {
        let url = url.clone();
        AbortOnDrop(tokio::spawn(async move {
            let response = response.await.map_err(|e| e.to_string())?;
            check_status(&response, "POST", &url)?;
            let progress = response
                .headers()
                .get("content-type")
                .is_some_and(|t| t.as_bytes().starts_with(PROGRESS_TYPE.as_bytes()));
            if progress {
                let _ = answers_tx.send(Answer::Progress);
            }
            let mut text = Vec::new();
            let mut body = response.into_body();
            while let Some(data) = body.data().await {
                let data = data.map_err(|e| e.to_string())?;
                let _ = body.flow_control().release_capacity(data.len());
                if !progress {
                    continue;
                }
                text.extend_from_slice(&data);
                while let Some(end) = text.iter().position(|&b| b == b'\n') {
                    let line: Vec<u8> = text.drain(..=end).collect();
                    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&line)
                        && let Some(received) = value["received"].as_u64()
                    {
                        let _ = answers_tx.send(Answer::Received(received));
                    }
                }
                if text.len() > 64 * 1024 {
                    text.clear();
                }
            }
            Err::<(), String>("the server ended the upload".to_owned())
        }))
    };
    let chunk = Bytes::from(vec![0u8; UPLOAD_CHUNK]);
    // Who counts: undecided until the server's reports start or a second has passed; until
    // then what flow control accepted waits in `pending`.
    let mut receiver_counts: Option<bool> = None;
    let mut pending: u64 = 0;
    let mut reported: u64 = 0;
    let decide_by = tokio::time::Instant::now() + Duration::from_secs(1);
    loop {
        body.reserve_capacity(UPLOAD_CHUNK);
        tokio::select! {
            capacity = std::future::poll_fn(|cx| body.poll_capacity(cx)) => {
                let granted = match capacity {
                    Some(Ok(n)) => n.min(UPLOAD_CHUNK),
                    Some(Err(e)) => return Err(answer_or(answer, e.to_string()).await),
                    None => return Err(answer_or(answer, "the server closed the upload").await),
                };
                if granted == 0 {
                    continue;
                }
                if let Err(e) = body.send_data(chunk.slice(..granted), false) {
                    return Err(answer_or(answer, e.to_string()).await);
                }
                match receiver_counts {
                    Some(false) => { let _ = events.send(Event::Received(id, granted as u64)); }
                    Some(true) => {}
                    None => pending += granted as u64,
                }
            }
            Some(said) = answers.recv() => match said {
                Answer::Progress => receiver_counts = Some(true),
                Answer::Received(received) => {
                    let _ = events.send(Event::Received(id, received.saturating_sub(reported)));
                    reported = reported.max(received);
                }
            },
            _ = tokio::time::sleep_until(decide_by), if receiver_counts.is_none() => {
                receiver_counts = Some(false);
                let _ = events.send(Event::Received(id, pending));
            }
            outcome = &mut answer.0 => {
                return Err(match outcome {
                    Ok(Err(why)) => why,
                    _ => "the server ended the upload".to_owned(),
                });
            }
        }
    }
}

/// Why an upload ended: the server's answer when it gave one (a refusal closes the stream as
/// its status arrives, and says more than the closed stream), else `fallback`.
async fn answer_or(
    mut answer: AbortOnDrop<Result<(), String>>,
    fallback: impl Into<String>,
) -> String {
    match tokio::time::timeout(Duration::from_secs(1), &mut answer.0).await {
        Ok(Ok(Err(why))) => why,
        _ => fallback.into(),
    }
}

/// What the upload's answer says.
enum Answer {
    /// The server reports what arrived (netlens-echo).
    Progress,
    /// Bytes arrived so far.
    Received(u64),
}

/// A foreign probe: a fresh connection (TCP, TLS) and one `GET small` on it.
pub async fn foreign_probe(target: Arc<Target>, probe: u32, events: mpsc::UnboundedSender<Event>) {
    let Ok((mut connection, open_ms)) = connect(&target, &target.small).await else {
        return;
    };
    let sent = Instant::now();
    if get_small(&mut connection.send, &target.small).await.is_ok() {
        let _ = events.send(Event::Foreign {
            probe,
            at: Instant::now(),
            open_ms,
            first_ms: sent.elapsed().as_secs_f64() * 1000.0,
        });
    }
}

/// Fetches and reads the configuration at `url` (HTTP/1.1, as any server answers it).
pub async fn fetch_config(url: &HttpUrl, extra_pem: Option<&[u8]>) -> Result<ServerConfig, String> {
    let tls = tls_config(extra_pem, &[b"http/1.1"])?;
    let (mut io, _) = open(url, None, &tls).await?;
    let head = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\nUser-Agent: netlens/{}\r\nConnection: close\r\n\r\n",
        url.path,
        url.authority(),
        env!("CARGO_PKG_VERSION")
    );
    // Read until the response is complete by its own framing (a server may keep the
    // connection open whatever `Connection: close` asked) or the server closes.
    let exchange = async {
        io.write_all(head.as_bytes()).await?;
        let mut bytes = Vec::new();
        let mut buffer = vec![0u8; 16 * 1024];
        // Bounded: each round adds bytes, up to the size limit.
        loop {
            let n = io.read(&mut buffer).await?;
            bytes.extend_from_slice(&buffer[..n]);
            let closed = n == 0;
            if closed || bytes.len() > server::MAX_CONFIG_BYTES + 16 * 1024 {
                return Ok::<_, std::io::Error>(http1_body(&bytes, true));
            }
            if let Ok(Some(response)) = http1_body(&bytes, false) {
                return Ok(Ok(Some(response)));
            }
        }
    };
    let response = tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .map_err(|_| {
            format!(
                "{} did not send its configuration within 10 s",
                url.authority()
            )
        })?
        .map_err(|e| {
            format!(
                "reading the configuration from {} failed: {e}",
                url.authority()
            )
        })?;
    let (status, body) = match response {
        Ok(Some(response)) => response,
        Ok(None) => {
            return Err(format!(
                "{} sent part of its configuration and closed",
                url.authority()
            ));
        }
        Err(why) => {
            return Err(format!(
                "the configuration URL's answer is not an HTTP/1.1 response ({why})"
            ));
        }
    };
    if !(200..300).contains(&status) {
        return Err(format!(
            "the configuration URL answered {status}; a responsiveness server answers it with 200 and its JSON"
        ));
    }
    server::parse(&body).map_err(|e| e.to_string())
}

/// The status and body of an HTTP/1.1 response once it is complete by its framing
/// (Content-Length or chunked; `closed`: the connection ended, which also ends a body without
/// either); `None` while more is to come.
fn http1_body(bytes: &[u8], closed: bool) -> Result<Option<(u16, Vec<u8>)>, &'static str> {
    let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
        return if closed || bytes.len() > 16 * 1024 {
            Err("no end of head")
        } else {
            Ok(None)
        };
    };
    let head = std::str::from_utf8(&bytes[..end]).map_err(|_| "head is not text")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    if !status_line.starts_with("HTTP/1.") {
        return Err("no status line");
    }
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no status code")?;
    let mut chunked = false;
    let mut length = None;
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
                "content-length" => length = value.trim().parse::<usize>().ok(),
                _ => {}
            }
        }
    }
    let rest = &bytes[end + 4..];
    let cut = |why| if closed { Err(why) } else { Ok(None) };
    if chunked {
        let mut body = Vec::new();
        let mut at = 0;
        // Bounded: each round consumes a chunk or ends.
        loop {
            let Some(line_end) = rest
                .get(at..)
                .and_then(|r| r.windows(2).position(|w| w == b"\r\n"))
            else {
                return cut("cut chunk");
            };
            let size_text =
                std::str::from_utf8(&rest[at..at + line_end]).map_err(|_| "bad chunk")?;
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
                .map_err(|_| "bad chunk size")?;
            at += line_end + 2;
            if size == 0 {
                return Ok(Some((status, body)));
            }
            // A size near usize::MAX from a hostile server must not overflow.
            let Some(chunk_end) = at.checked_add(size).filter(|&e| e <= rest.len()) else {
                return cut("cut chunk");
            };
            body.extend_from_slice(&rest[at..chunk_end]);
            at = chunk_end + 2;
        }
    }
    match length {
        Some(n) => match rest.get(..n) {
            Some(body) => Ok(Some((status, body.to_vec()))),
            None => cut("body shorter than its Content-Length"),
        },
        None if closed => Ok(Some((status, rest.to_vec()))),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http1_bodies_are_read_by_length_chunks_or_close() {
        let whole = |bytes: &[u8]| http1_body(bytes, false).unwrap().unwrap();
        assert_eq!(
            whole(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}xx"),
            (200, b"{}".to_vec())
        );
        assert_eq!(
            whole(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{\"\r\n1;x\r\n}\r\n0\r\n\r\n"),
            (200, b"{\"}".to_vec())
        );
        // A body framed by the connection's end is whole only once it ended.
        let close = b"HTTP/1.0 404 Not Found\r\n\r\nnope";
        assert_eq!(http1_body(close, false), Ok(None));
        assert_eq!(http1_body(close, true), Ok(Some((404, b"nope".to_vec()))));
        // Parts: more to come, or cut if the connection ended.
        let part = b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{}";
        assert_eq!(http1_body(part, false), Ok(None));
        assert!(http1_body(part, true).is_err());
        assert_eq!(
            http1_body(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
                false
            ),
            Ok(None)
        );
        assert!(http1_body(b"SSH-2.0-OpenSSH\r\n\r\n", false).is_err());
        // A chunk size at the top of the range is a cut chunk, not an overflow.
        let huge = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nab";
        assert_eq!(http1_body(huge, false), Ok(None));
        assert!(http1_body(huge, true).is_err());
        assert!(
            http1_body(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                false
            )
            .is_err()
        );
    }
}
