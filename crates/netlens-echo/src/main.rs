//! `netlens-echo`: the WebSocket echo server the latency probe measures against.
//!
//! ```text
//! netlens-echo [--listen ADDR] [--max-connections N] [--max-message-bytes N] [--idle-timeout-s N]
//!              [--rate-kbps R [--queue-kb Q]] [--cert PEM --key PEM]
//! ```
//!
//! Listens on 127.0.0.1:9000 by default; impairments are per connection, in the URL's query
//! (see the library documentation).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use netlens_echo::bottleneck::Shape;
use netlens_echo::{Limits, Server};

const USAGE: &str = "usage: netlens-echo [--listen ADDR] [--max-connections N] [--max-message-bytes N] [--idle-timeout-s N]
                    [--rate-kbps R [--queue-kb Q]] [--cert PEM --key PEM]

A WebSocket echo server for the netlens latency probe. Every path echoes text and binary
messages; the query string adds impairments for the connection:
  delay_ms=20  jitter_ms=5  loss=0.01  seed=1  duplicate_every=N  garbage_every=N  oversize_every=N
  stall_after=N  stall_ms=M
  rate_kbps=R  queue_kb=Q   this connection's own bottleneck: Q KB drained at R kbit/s each way
  bulk=download             send bulk data for as long as the connection lasts
  bulk=upload               count binary messages starting NLUP; report {\"received\":B,\"server_ms\":T}
e.g. ws://127.0.0.1:9000/echo?delay_ms=20&jitter_ms=5&loss=0.01

Plain HTTP on the same port makes it a responsiveness test server (draft-ietf-ippm-
responsiveness): GET /config (or /.well-known/nq) for the URLs, GET /small, GET /large (8 GiB),
POST /upload, with CORS and Timing-Allow-Origin for pages on other origins.

--cert and --key (PEM; e.g. a server identity from `netlens make`) serve TLS 1.3 with HTTP/2
and HTTP/1.1 instead (no WebSocket), so that `networkQuality -C https://HOST:PORT/config` on a
Mac can measure against this server.

--rate-kbps R --queue-kb Q gives one bottleneck that every connection shares, so parallel
flows fill one queue as at a home router: loaded latency rises by about Q/R
(--rate-kbps 20000 --queue-kb 250: +100 ms).";

/// The command line, read.
struct Options {
    listen: SocketAddr,
    limits: Limits,
    cert: Option<PathBuf>,
    key: Option<PathBuf>,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut listen: SocketAddr = ([127, 0, 0, 1], 9000).into();
    let mut limits = Limits::default();
    let (mut rate_kbps, mut queue_kb) = (None, None);
    let (mut cert, mut key) = (None, None);
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        let value = args
            .get(i + 1)
            .ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("{flag}: `{value}` is not a whole number"))
        };
        match flag {
            "--listen" => {
                listen = value.parse().map_err(|_| {
                    format!(
                        "--listen: `{value}` is not an address like 127.0.0.1:9000 or [::1]:9000"
                    )
                })?
            }
            "--max-connections" => limits.max_connections = number()?.max(1) as usize,
            "--max-message-bytes" => limits.max_message_bytes = number()?.max(1) as usize,
            "--idle-timeout-s" => limits.idle_timeout = Duration::from_secs(number()?.max(1)),
            "--rate-kbps" => rate_kbps = Some(number()? as f64),
            "--queue-kb" => queue_kb = Some(number()? as f64),
            "--cert" => cert = Some(PathBuf::from(value)),
            "--key" => key = Some(PathBuf::from(value)),
            _ => return Err(format!("unknown option {flag}")),
        }
        i += 2;
    }
    limits.bottleneck = match (rate_kbps, queue_kb) {
        (Some(rate), queue) => Some(Shape::new(rate, queue.unwrap_or(0.0))?),
        (None, Some(_)) => return Err("--queue-kb needs --rate-kbps".to_owned()),
        (None, None) => None,
    };
    if cert.is_some() != key.is_some() {
        return Err("--cert and --key go together".to_owned());
    }
    Ok(Options {
        listen,
        limits,
        cert,
        key,
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let Options {
        listen,
        limits,
        cert,
        key,
    } = match parse_args(&args) {
        Ok(parsed) => parsed,
        Err(why) => {
            eprintln!("netlens-echo: {why}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let acceptor = match (cert, key) {
        (Some(cert), Some(key)) => {
            let read = |path: &PathBuf| {
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
            };
            match read(&cert)
                .and_then(|c| read(&key).map(|k| (c, k)))
                .and_then(|(c, k)| netlens_echo::tls::acceptor(&c, &k))
            {
                Ok(acceptor) => Some(acceptor),
                Err(why) => {
                    eprintln!("netlens-echo: {why}");
                    return ExitCode::from(2);
                }
            }
        }
        _ => None,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("netlens-echo: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let tls = acceptor.is_some();
        let started = match acceptor {
            Some(acceptor) => Server::start_tls(listen, limits, acceptor).await,
            None => Server::start(listen, limits).await,
        };
        let server = match started {
            Ok(server) => server,
            Err(e) => {
                eprintln!("netlens-echo: cannot listen on {listen}: {e}");
                return ExitCode::FAILURE;
            }
        };
        // Scripts wait for this line before they start probing.
        if tls {
            // Scripts wait for this line before they start.
            println!(
                "netlens-echo listening on https://{}/config (HTTP/2 and HTTP/1.1 over TLS)",
                server.local_addr()
            );
        } else {
            println!("netlens-echo listening on {}", server.url());
        }
        if let Some(shape) = server.shared_bottleneck() {
            println!(
                "shared bottleneck: {} kbit/s, {} KB queue (+{:.0} ms when full)",
                shape.rate_kbps,
                shape.queue_kb,
                shape.full_queue_delay().as_secs_f64() * 1000.0
            );
        }
        tokio::select! {
            _ = server.wait() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        ExitCode::SUCCESS
    })
}
