//! netlens-echo over TLS (`--cert`, `--key`): TLS 1.3 (1.2 still accepted) with ALPN `h2` and
//! `http/1.1`, so that `networkQuality -C https://HOST:PORT/config` on a Mac can measure against
//! it, as the responsiveness draft requires of a test server ("Both the client and the server
//! MUST support HTTP/2 over TLS").
//!
//! Over HTTP/2 the same four endpoints as over plain HTTP ([`crate::http`]) are served, each
//! request on its own stream, so self probes (a GET of `/small`) share a connection with a
//! `/large` download as the draft's self probes do; HTTP/2 PING frames are answered by the
//! connection itself (h2 does so for every server connection). Over HTTP/1.1 the plain
//! handler serves the requests. WebSocket over TLS (`wss://`) is not offered here.

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
        serve_h2(tls, link, started).await
    } else {
        crate::http::serve(tls, link, started).await
    }
}

async fn serve_h2<S>(io: S, link: Option<Arc<Link>>, started: Instant) -> std::io::Result<()>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut connection = h2::server::handshake(io)
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
            let _ = answer(request, respond, link, started).await;
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
) -> Result<(), h2::Error> {
    let path = request.uri().path().to_owned();
    let host = request
        .uri()
        .authority()
        .map(|a| a.to_string())
        .unwrap_or_else(|| "127.0.0.1".to_owned());
    match (request.method(), path.as_str()) {
        (&Method::GET, "/config" | "/.well-known/nq") => {
            let body = Bytes::from(config_json(&host).replace("http://", "https://"));
            let mut stream = respond.send_response(
                head(StatusCode::OK, "application/json", Some(body.len() as u64)),
                false,
            )?;
            send(&mut stream, body, true).await
        }
        (&Method::GET, "/small") => {
            if let Some(link) = &link {
                let leaves = link.down.pass(64, Instant::now()).await;
                tokio::time::sleep_until(leaves.into()).await;
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
            let chunk = Bytes::from(vec![0u8; BODY_CHUNK]);
            let mut left = LARGE_BODY_BYTES;
            // Ends when the client resets the stream or closes the connection.
            while left > 0 {
                let n = BODY_CHUNK.min(usize::try_from(left).unwrap_or(usize::MAX));
                if let Some(link) = &link {
                    let leaves = link.down.pass(n, Instant::now()).await;
                    tokio::time::sleep_until(leaves.into()).await;
                }
                left -= n as u64;
                send(&mut stream, chunk.slice(..n), left == 0).await?;
            }
            Ok(())
        }
        (&Method::POST, "/upload") => {
            let mut body = request.into_body();
            let mut received: u64 = 0;
            while let Some(data) = body.data().await {
                let data = data?;
                if let Some(link) = &link {
                    let leaves = link.up.pass(data.len(), Instant::now()).await;
                    tokio::time::sleep_until(leaves.into()).await;
                }
                received += data.len() as u64;
                let _ = body.flow_control().release_capacity(data.len());
            }
            let text = Bytes::from(format!(
                "{{\"received\":{received},\"server_ms\":{:.3}}}",
                started.elapsed().as_secs_f64() * 1000.0
            ));
            let mut stream = respond.send_response(
                head(StatusCode::OK, "application/json", Some(text.len() as u64)),
                false,
            )?;
            send(&mut stream, text, true).await
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
