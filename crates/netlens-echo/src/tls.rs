//! netlens-echo over TLS (`--cert`, `--key`): TLS 1.3 (1.2 still accepted) with ALPN `h2` and
//! `http/1.1`, so that `networkQuality -C https://HOST:PORT/config` on a Mac can measure against
//! it, as the responsiveness draft requires of a test server ("Both the client and the server
//! MUST support HTTP/2 over TLS").
//!
//! Over HTTP/2 the same four endpoints as over plain HTTP ([`crate::http`]) are served, each
//! request on its own stream, so self probes (a GET of `/small`) share a connection with a
//! `/large` download as the draft's self probes do; HTTP/2 PING frames are answered by the
//! connection itself (h2 does so for every server connection). Over HTTP/1.1 the plain
//! handler serves the requests. WebSocket over TLS (`wss://`) is not offered here. The plain
//! listener serves the same HTTP/2 to a client that starts with HTTP/2's preface (prior
//! knowledge, h2c), so that `netlens quality http://127.0.0.1:PORT/config` needs no certificate.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;

use crate::bottleneck::Link;
use crate::http::{BODY_CHUNK, LARGE_BODY_BYTES, config_json};

/// The request header that asks `/upload` for reports as the body arrives.
pub const PROGRESS_HEADER: &str = "netlens-progress";
/// The content type of those reports: one JSON object per line.
pub const PROGRESS_TYPE: &str = "application/x-ndjson";
/// An upload report goes out after this many bytes…
const REPORT_BYTES: u64 = 64 * 1024;
/// …or this long, whichever comes first.
const REPORT_EVERY: Duration = Duration::from_millis(100);

/// Each HTTP/2 stream's receive window, bytes (the protocol's default is 64 KiB).
const UPLOAD_WINDOW_BYTES: u32 = 4 << 20;

/// A TLS acceptor from PEM files' contents: the certificate chain (leaf first) and its key.
pub fn acceptor(cert_pem: &[u8], key_pem: &[u8]) -> Result<TlsAcceptor, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("the certificate file is not PEM certificates ({e})"))?;
    if chain.is_empty() {
        return Err("the certificate file holds no certificate".to_owned());
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem)
        .map_err(|e| format!("the key file holds no PEM private key ({e})"))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("the key does not fit the certificate, or is unsupported ({e})"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serves one TLS connection: HTTP/2 if the client chose it, else HTTP/1.1.
pub async fn serve(
    stream: TcpStream,
    acceptor: TlsAcceptor,
    link: Option<Arc<Link>>,
    started: Instant,
) -> std::io::Result<()> {
    let tls = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream))
        .await
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
    let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
    if h2 {
        serve_h2(tls, link, started, "https").await
    } else {
        crate::http::serve(tls, link, started, "https").await
    }
}

/// Serves HTTP/2 on `io`: after TLS's ALPN here, or on the plain listener for a client with
/// prior knowledge (`scheme` `http`), whose configuration then names http:// URLs.
pub(crate) async fn serve_h2<S>(
    io: S,
    link: Option<Arc<Link>>,
    started: Instant,
    scheme: &'static str,
) -> std::io::Result<()>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    // Windows larger than any queue the bottleneck is given: an upload's bytes must be able to
    // wait in the emulated queue (which this server drains), not in a full HTTP/2 window.
    let mut connection = h2::server::Builder::new()
        .initial_window_size(UPLOAD_WINDOW_BYTES)
        .initial_connection_window_size(4 * UPLOAD_WINDOW_BYTES)
        .handshake(io)
        .await
        .map_err(std::io::Error::other)?;
    // Each request on its own task; the connection (which answers PINGs and moves every
    // stream's frames) is driven by `accept` here.
    while let Some(request) = connection.accept().await {
        let Ok((request, respond)) = request else {
            break;
        };
        let link = link.clone();
        tokio::spawn(async move {
            let _ = answer(request, respond, link, started, scheme).await;
        });
    }
    Ok(())
}

fn head(status: StatusCode, content_type: &str, length: Option<u64>) -> Response<()> {
    let mut response = Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("cache-control", "no-store")
        .header("access-control-allow-origin", "*")
        .header("timing-allow-origin", "*");
    if let Some(length) = length {
        response = response.header("content-length", length);
    }
    response.body(()).unwrap_or_default()
}

/// Sends `data` on `stream` as flow control allows.
async fn send(
    stream: &mut h2::SendStream<Bytes>,
    mut data: Bytes,
    end: bool,
) -> Result<(), h2::Error> {
    while !data.is_empty() {
        stream.reserve_capacity(data.len());
        let granted = std::future::poll_fn(|cx| stream.poll_capacity(cx))
            .await
            .ok_or_else(|| h2::Error::from(h2::Reason::CANCEL))??;
        let part = data.split_to(granted.min(data.len()));
        stream.send_data(part, end && data.is_empty())?;
    }
    Ok(())
}

async fn answer(
    request: http::Request<h2::RecvStream>,
    mut respond: h2::server::SendResponse<Bytes>,
    link: Option<Arc<Link>>,
    started: Instant,
    scheme: &str,
) -> Result<(), h2::Error> {
    let path = request.uri().path().to_owned();
    let host = request
        .uri()
        .authority()
        .map(|a| a.to_string())
        .unwrap_or_else(|| "127.0.0.1".to_owned());
    match (request.method(), path.as_str()) {
        (&Method::GET, "/config" | "/.well-known/nq") => {
            let body = Bytes::from(config_json(scheme, &host));
            let mut stream = respond.send_response(
                head(StatusCode::OK, "application/json", Some(body.len() as u64)),
                false,
            )?;
            send(&mut stream, body, true).await
        }
        (&Method::GET, "/small") => {
            // The request (a HEADERS frame of about this size) crossed the link up, the
            // answer crosses it down.
            // The precise wait: tokio's timer rounds up to the next millisecond, which an idle
            // probe would measure.
            if let Some(link) = &link {
                crate::wait_until(link.exchange(100, 64).await).await;
            }
            let mut stream = respond.send_response(
                head(StatusCode::OK, "application/octet-stream", Some(1)),
                false,
            )?;
            send(&mut stream, Bytes::from_static(b"x"), true).await
        }
        (&Method::GET, "/large") => {
            let mut stream = respond.send_response(
                head(
                    StatusCode::OK,
                    "application/octet-stream",
                    Some(LARGE_BODY_BYTES),
                ),
                false,
            )?;
            let piece = link.as_ref().map_or(BODY_CHUNK, |link| {
                link.piece_bytes(crate::MIN_BULK_CHUNK_BYTES, BODY_CHUNK)
            });
            let chunk = Bytes::from(vec![0u8; piece]);
            let mut left = LARGE_BODY_BYTES;
            let mut paced = link.as_ref().map(|link| link.paced_down(piece));
            // Ends when the client resets the stream or closes the connection.
            while left > 0 {
                let n = piece.min(usize::try_from(left).unwrap_or(usize::MAX));
                if let Some(leaves) = &mut paced {
                    let Some(leaves) = leaves.recv().await else {
                        break;
                    };
                    tokio::time::sleep_until(leaves.into()).await;
                }
                left -= n as u64;
                send(&mut stream, chunk.slice(..n), left == 0).await?;
            }
            Ok(())
        }
        (&Method::POST, "/upload") => {
            // A client that sends `netlens-progress: 1` is told what arrived as it arrives (a
            // JSON line every 100 ms or 64 KiB), so that it counts goodput at the receiver as
            // over the WebSocket; any other gets one line at the end, as the draft expects.
            let progress = request.headers().contains_key(PROGRESS_HEADER);
            let mut body = request.into_body();
            let line = |received: u64, end: &str| {
                Bytes::from(format!(
                    "{{\"received\":{received},\"server_ms\":{:.3}}}{end}",
                    started.elapsed().as_secs_f64() * 1000.0
                ))
            };
            let mut reports = if progress {
                Some(respond.send_response(head(StatusCode::OK, PROGRESS_TYPE, None), false)?)
            } else {
                None
            };
            let mut received: u64 = 0;
            let mut reported: (u64, Instant) = (0, Instant::now());
            // What arrives is admitted to the bottleneck's queue as it comes (so the queue
            // fills as a router's does: a reader task does the admitting) and counted, and its
            // window given back, as it leaves.
            let (arrived_tx, mut arrived) = tokio::sync::mpsc::channel::<(Instant, usize)>(8192);
            let mut flow_control = body.flow_control().clone();
            tokio::spawn(async move {
                // Admitted in pieces of half a millisecond of link time, as downloads are, so
                // the queue is full to within one piece rather than one 16 KiB frame.
                let piece = link.as_ref().map_or(usize::MAX, |link| {
                    link.piece_bytes(crate::MIN_BULK_CHUNK_BYTES, BODY_CHUNK)
                });
                // Ends with the body (or the stream's reset).
                while let Some(Ok(data)) = body.data().await {
                    let mut left = data.len();
                    // Bounded: each round admits at least one byte of the frame.
                    while left > 0 {
                        let n = left.min(piece);
                        left -= n;
                        let leaves = match &link {
                            Some(link) => link.up.pass(n, Instant::now()).await,
                            None => Instant::now(),
                        };
                        if arrived_tx.send((leaves, n)).await.is_err() {
                            return;
                        }
                    }
                }
            });
            while let Some((leaves, len)) = arrived.recv().await {
                tokio::time::sleep_until(leaves.into()).await;
                received += len as u64;
                let _ = flow_control.release_capacity(len);
                if let Some(stream) = &mut reports
                    && (received - reported.0 >= REPORT_BYTES
                        || reported.1.elapsed() >= REPORT_EVERY)
                {
                    reported = (received, Instant::now());
                    send(stream, line(received, "\n"), false).await?;
                }
            }
            match reports {
                Some(mut stream) => send(&mut stream, line(received, "\n"), true).await,
                None => {
                    let text = line(received, "");
                    let mut stream = respond.send_response(
                        head(StatusCode::OK, "application/json", Some(text.len() as u64)),
                        false,
                    )?;
                    send(&mut stream, text, true).await
                }
            }
        }
        (&Method::OPTIONS, _) => {
            let response = Response::builder()
                .status(StatusCode::NO_CONTENT)
                .header("access-control-allow-origin", "*")
                .header("access-control-allow-methods", "GET, POST, OPTIONS")
                .header("access-control-allow-headers", "*")
                .header("access-control-max-age", "86400")
                .header("timing-allow-origin", "*")
                .body(())
                .unwrap_or_default();
            respond.send_response(response, true)?;
            Ok(())
        }
        _ => {
            let body = Bytes::from_static(
                b"not found: this netlens-echo serves /config, /small, /large and /upload\n",
            );
            let mut stream = respond.send_response(
                head(StatusCode::NOT_FOUND, "text/plain", Some(body.len() as u64)),
                false,
            )?;
            send(&mut stream, body, true).await
        }
    }
}
