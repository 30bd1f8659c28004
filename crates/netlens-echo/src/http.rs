//! netlens-echo as a responsiveness test server over plain HTTP/1.1 (draft-ietf-ippm-
//! responsiveness-09, "Responsiveness Test Server"), on the same port as the WebSocket echo:
//!
//! | request | answer |
//! |---|---|
//! | `GET /config`, `GET /.well-known/nq` | the configuration JSON: `version` 1 and the three URLs, under the draft's names (`small_download_url`, `large_download_url`, `upload_url`) and under the names Apple's `networkQuality -C` reads (`small_https_download_url`, `large_https_download_url`, `https_upload_url`); clients ignore names they do not know |
//! | `GET /small` | 200 with 1 byte |
//! | `GET /large` | 200 with a body of 8 GiB (zeros) that the server keeps sending until the client closes |
//! | `POST /upload` | reads and discards the body (Content-Length or chunked), then 200 with `{"received":BYTES,"server_ms":MS}` |
//! | `OPTIONS` anything | a CORS preflight answer |
//!
//! Every answer carries `Access-Control-Allow-Origin: *` and `Timing-Allow-Origin: *`, so a
//! page on another origin can use the endpoints and read their Resource Timing. A shared
//! bottleneck (`--rate-kbps`) applies to these bodies as to WebSocket messages. Connections stay
//! open for further requests (HTTP/1.1 keep-alive). The draft requires HTTP/2 over TLS for
//! `networkQuality` against a real server; that is for `--cert`/`--key`, not this plain listener.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::bottleneck::Link;

/// Largest request head read.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// The large body's size: the draft asks for at least 8 GB.
pub const LARGE_BODY_BYTES: u64 = 8 << 30;
/// Write size for the large body.
pub const BODY_CHUNK: usize = 16 * 1024;
/// A connection with no new request for this long is closed.
const KEEP_ALIVE: Duration = Duration::from_secs(30);

/// A request head, as much of it as the server uses.
#[derive(Debug, PartialEq)]
pub struct Head {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path without its query.
    pub path: String,
    /// The `Host` header.
    pub host: Option<String>,
    /// `Upgrade: websocket` was asked for.
    pub websocket: bool,
    /// `Content-Length`.
    pub content_length: Option<u64>,
    /// `Transfer-Encoding: chunked`.
    pub chunked: bool,
    /// Bytes the head took, the blank line included.
    pub len: usize,
}

/// Parses a request head from the start of `bytes`; `None` until the blank line has arrived,
/// an error for a head that is not HTTP/1.x or is too large.
pub fn parse_head(bytes: &[u8]) -> Result<Option<Head>, &'static str> {
    let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
        return if bytes.len() >= MAX_HEAD_BYTES {
            Err("request head too large")
        } else {
            Ok(None)
        };
    };
    let text = std::str::from_utf8(&bytes[..end]).map_err(|_| "request head is not UTF-8")?;
    let mut lines = text.split("\r\n");
    let mut request = lines.next().unwrap_or("").split(' ');
    let (Some(method), Some(target), Some(version)) =
        (request.next(), request.next(), request.next())
    else {
        return Err("not an HTTP request line");
    };
    if !version.starts_with("HTTP/1.") {
        return Err("not HTTP/1.x");
    }
    let mut head = Head {
        method: method.to_owned(),
        path: target.split('?').next().unwrap_or("").to_owned(),
        host: None,
        websocket: false,
        content_length: None,
        chunked: false,
        len: end + 4,
    };
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "host" => head.host = Some(value.to_owned()),
            "upgrade" => head.websocket = value.eq_ignore_ascii_case("websocket"),
            "content-length" => {
                head.content_length = Some(value.parse().map_err(|_| "bad Content-Length")?)
            }
            "transfer-encoding" => head.chunked = value.to_ascii_lowercase().contains("chunked"),
            _ => {}
        }
    }
    Ok(Some(head))
}

/// [`peek_head`]'s answer to bytes that are not HTTP.
pub const NOT_HTTP: &str = "not HTTP";

/// The plain answer to a client that spoke TLS (or anything but HTTP) to the plain listener: a
/// TLS client fails on it with a clear "not TLS" error rather than a reset connection.
pub const NOT_HTTP_RESPONSE: &[u8] = b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 79\r\nConnection: close\r\n\r\nthis netlens-echo serves plain ws:// and http://; for TLS start it with --cert\n";

/// The start of HTTP/2 spoken without TLS by a client that knows the server speaks it
/// (RFC 9113 §3.3, "prior knowledge"; `curl --http2-prior-knowledge`, `netlens quality
/// http://…/config`).
pub const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// How a plain connection opens.
#[derive(Debug, PartialEq)]
pub enum Opening {
    /// An HTTP/1.x request (a WebSocket upgrade among them).
    Http1(Head),
    /// HTTP/2 with prior knowledge.
    H2,
}

/// Waits (10 s at most) until the first request head (or HTTP/2's preface) has arrived, without
/// consuming it: a WebSocket upgrade is then read again by tungstenite, HTTP/2 by h2.
pub async fn peek_head(stream: &TcpStream) -> Result<Opening, &'static str> {
    let mut buffer = vec![0u8; MAX_HEAD_BYTES];
    let deadline = Instant::now() + Duration::from_secs(10);
    // Bounded: each round waits for more bytes or ends at the deadline.
    for _ in 0..1000 {
        let n = tokio::time::timeout_at(deadline.into(), stream.peek(&mut buffer))
            .await
            .map_err(|_| "no request within 10 s")?
            .map_err(|_| "connection failed")?;
        if n == 0 {
            return Err("connection closed");
        }
        // HTTP starts with a method's letters; anything else (a TLS ClientHello: wss:// or
        // https:// to this plain listener) is said at once.
        if !buffer[0].is_ascii_uppercase() {
            return Err(NOT_HTTP);
        }
        if buffer[..n.min(H2_PREFACE.len())] == H2_PREFACE[..n.min(H2_PREFACE.len())] {
            if n >= H2_PREFACE.len() {
                return Ok(Opening::H2);
            }
        } else if let Some(head) = parse_head(&buffer[..n])? {
            return Ok(Opening::Http1(head));
        }
        // Peek returns what has arrived; wait a moment for the rest.
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Err("request head never completed")
}

/// The configuration JSON for a server reached as `scheme://host` (over TLS the URLs say https).
pub fn config_json(scheme: &str, host: &str) -> String {
    let url = |path: &str| format!("{scheme}://{host}/{path}");
    format!(
        concat!(
            "{{\"version\":1,\"urls\":{{",
            "\"small_download_url\":\"{s}\",\"large_download_url\":\"{l}\",\"upload_url\":\"{u}\",",
            "\"small_https_download_url\":\"{s}\",\"large_https_download_url\":\"{l}\",\"https_upload_url\":\"{u}\"",
            "}}}}"
        ),
        s = url("small"),
        l = url("large"),
        u = url("upload"),
    )
}

const CORS: &str = "Access-Control-Allow-Origin: *\r\nTiming-Allow-Origin: *\r\nAccess-Control-Expose-Headers: *\r\n";

fn response(status: &str, content_type: &str, body_len: u64, extra: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {body_len}\r\nCache-Control: no-store\r\n{CORS}{extra}\r\n"
    )
    .into_bytes()
}

/// Reads `n` bytes of body through the link's upstream queue and drops them.
async fn discard<S: AsyncRead + Unpin>(
    stream: &mut S,
    pending: &mut Vec<u8>,
    mut n: u64,
    link: Option<&Link>,
) -> std::io::Result<u64> {
    let mut total = 0;
    let mut buffer = vec![0u8; BODY_CHUNK];
    while n > 0 {
        let got = if pending.is_empty() {
            let want = buffer.len().min(usize::try_from(n).unwrap_or(usize::MAX));
            let got = stream.read(&mut buffer[..want]).await?;
            if got == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            got
        } else {
            let take = pending.len().min(usize::try_from(n).unwrap_or(usize::MAX));
            pending.drain(..take);
            take
        };
        if let Some(link) = link {
            let leaves = link.up.pass(got, Instant::now()).await;
            tokio::time::sleep_until(leaves.into()).await;
        }
        n -= got as u64;
        total += got as u64;
    }
    Ok(total)
}

/// Reads one line (up to CRLF) of a chunked body.
async fn read_line<S: AsyncRead + Unpin>(
    stream: &mut S,
    pending: &mut Vec<u8>,
) -> std::io::Result<String> {
    let mut buffer = [0u8; 512];
    // Bounded: a chunk-size line is short.
    for _ in 0..64 {
        if let Some(at) = pending.windows(2).position(|w| w == b"\r\n") {
            let line = String::from_utf8_lossy(&pending[..at]).into_owned();
            pending.drain(..at + 2);
            return Ok(line);
        }
        let got = stream.read(&mut buffer).await?;
        if got == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        pending.extend_from_slice(&buffer[..got]);
    }
    Err(std::io::ErrorKind::InvalidData.into())
}

/// Serves HTTP requests on `stream` until the client closes it or stays silent.
pub async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    link: Option<Arc<Link>>,
    started: Instant,
    scheme: &'static str,
) -> std::io::Result<()> {
    let mut pending: Vec<u8> = Vec::new();
    let mut buffer = vec![0u8; 4096];
    loop {
        let head = loop {
            match parse_head(&pending) {
                Ok(Some(head)) => break head,
                Ok(None) => {}
                Err(why) => {
                    let body = format!("{why}\n");
                    let mut out = response(
                        "400 Bad Request",
                        "text/plain",
                        body.len() as u64,
                        "Connection: close\r\n",
                    );
                    out.extend_from_slice(body.as_bytes());
                    stream.write_all(&out).await?;
                    return Ok(());
                }
            }
            let got = match tokio::time::timeout(KEEP_ALIVE, stream.read(&mut buffer)).await {
                Ok(read) => read?,
                Err(_) => return Ok(()),
            };
            if got == 0 {
                return Ok(());
            }
            pending.extend_from_slice(&buffer[..got]);
        };
        pending.drain(..head.len);
        let shared = &link;
        let link = link.as_deref();
        match (head.method.as_str(), head.path.as_str()) {
            ("OPTIONS", _) => {
                let out = response(
                    "204 No Content",
                    "text/plain",
                    0,
                    "Access-Control-Allow-Methods: GET, POST, OPTIONS\r\nAccess-Control-Allow-Headers: *\r\nAccess-Control-Max-Age: 86400\r\n",
                );
                stream.write_all(&out).await?;
            }
            ("GET", "/config" | "/.well-known/nq") => {
                let body = config_json(scheme, head.host.as_deref().unwrap_or("127.0.0.1"));
                let mut out = response("200 OK", "application/json", body.len() as u64, "");
                out.extend_from_slice(body.as_bytes());
                stream.write_all(&out).await?;
            }
            ("GET", "/small") => {
                let mut out = response("200 OK", "application/octet-stream", 1, "");
                out.push(b'x');
                // The request crossed the link up, the answer crosses it down.
                // The precise wait: tokio's timer rounds up to the next millisecond, which
                // an idle probe would measure.
                if let Some(link) = link {
                    crate::wait_until(link.exchange(head.len, out.len()).await).await;
                }
                stream.write_all(&out).await?;
            }
            ("GET", "/large") => {
                stream
                    .write_all(&response(
                        "200 OK",
                        "application/octet-stream",
                        LARGE_BODY_BYTES,
                        "",
                    ))
                    .await?;
                let piece = link.map_or(BODY_CHUNK, |link| {
                    link.piece_bytes(crate::MIN_BULK_CHUNK_BYTES, BODY_CHUNK)
                });
                let chunk = vec![0u8; piece];
                let mut left = LARGE_BODY_BYTES;
                // Pieces admitted to the queue ahead of their sending, so the queue stays full.
                let mut paced = shared.as_ref().map(|link| link.paced_down(piece));
                while left > 0 {
                    let n = chunk.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                    if let Some(leaves) = &mut paced {
                        let Some(leaves) = leaves.recv().await else {
                            break;
                        };
                        tokio::time::sleep_until(leaves.into()).await;
                    }
                    // Ends with the connection: the client closes it once it has measured.
                    stream.write_all(&chunk[..n]).await?;
                    left -= n as u64;
                }
            }
            ("POST", "/upload") => {
                let received = if head.chunked {
                    let mut total = 0;
                    // Bounded by the body: each round reads one chunk, the last is empty.
                    loop {
                        let line = read_line(&mut stream, &mut pending).await?;
                        let size =
                            u64::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16)
                                .map_err(|_| {
                                    std::io::Error::from(std::io::ErrorKind::InvalidData)
                                })?;
                        if size == 0 {
                            // Trailers end with an empty line.
                            while !read_line(&mut stream, &mut pending).await?.is_empty() {}
                            break;
                        }
                        total += discard(&mut stream, &mut pending, size, link).await?;
                        read_line(&mut stream, &mut pending).await?;
                    }
                    total
                } else {
                    discard(
                        &mut stream,
                        &mut pending,
                        head.content_length.unwrap_or(0),
                        link,
                    )
                    .await?
                };
                let body = format!(
                    "{{\"received\":{received},\"server_ms\":{:.3}}}",
                    started.elapsed().as_secs_f64() * 1000.0
                );
                let mut out = response("200 OK", "application/json", body.len() as u64, "");
                out.extend_from_slice(body.as_bytes());
                stream.write_all(&out).await?;
            }
            _ => {
                let body = "not found: this netlens-echo serves /config, /small, /large, /upload and WebSocket echoes\n";
                let mut out = response("404 Not Found", "text/plain", body.len() as u64, "");
                out.extend_from_slice(body.as_bytes());
                stream.write_all(&out).await?;
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn heads_parse_and_bad_ones_are_errors() {
        let head =
            parse_head(b"POST /upload?x=1 HTTP/1.1\r\nHost: h:1\r\nContent-Length: 5\r\n\r\nhello")
                .unwrap()
                .unwrap();
        assert_eq!(head.method, "POST");
        assert_eq!(head.path, "/upload");
        assert_eq!(head.host.as_deref(), Some("h:1"));
        assert_eq!(head.content_length, Some(5));
        assert_eq!(head.len, 59);
        let ws = parse_head(b"GET /echo HTTP/1.1\r\nUpgrade: WebSocket\r\n\r\n")
            .unwrap()
            .unwrap();
        assert!(ws.websocket);
        assert_eq!(parse_head(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap(), None);
        assert!(parse_head(b"PRI * HTTP/2.0\r\n\r\n").is_err());
        assert!(parse_head(&vec![b'a'; MAX_HEAD_BYTES]).is_err());
        assert!(parse_head(b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n").is_err());
    }

    #[test]
    fn the_answer_to_tls_states_its_length_right() {
        let text = std::str::from_utf8(NOT_HTTP_RESPONSE).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(
            head.contains(&format!("Content-Length: {}", body.len())),
            "{head}"
        );
    }

    #[test]
    fn the_config_names_every_url_under_both_spellings() {
        let json: serde_json::Value =
            serde_json::from_str(&config_json("http", "127.0.0.1:9000")).unwrap();
        assert_eq!(json["version"], 1);
        let urls = &json["urls"];
        assert_eq!(
            urls["small_https_download_url"],
            "http://127.0.0.1:9000/small"
        );
        assert_eq!(urls["large_download_url"], "http://127.0.0.1:9000/large");
        assert_eq!(urls["https_upload_url"], urls["upload_url"]);
    }
}
