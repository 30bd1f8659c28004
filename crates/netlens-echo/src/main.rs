//! `netlens-echo`: the WebSocket echo server the latency probe measures against.
//!
//! ```text
//! netlens-echo [--listen ADDR] [--max-connections N] [--max-message-bytes N] [--idle-timeout-s N]
//!              [--rate-kbps R [--queue-kb Q]]
//! ```
//!
//! Listens on 127.0.0.1:9000 by default; impairments are per connection, in the URL's query
//! (see the library documentation).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use netlens_echo::bottleneck::Shape;
use netlens_echo::{Limits, Server};

const USAGE: &str = "usage: netlens-echo [--listen ADDR] [--max-connections N] [--max-message-bytes N] [--idle-timeout-s N]
                    [--rate-kbps R [--queue-kb Q]]

A WebSocket echo server for the netlens latency probe. Every path echoes text and binary
messages; the query string adds impairments for the connection:
  delay_ms=20  jitter_ms=5  loss=0.01  seed=1  duplicate_every=N  garbage_every=N  oversize_every=N
  stall_after=N  stall_ms=M
  rate_kbps=R  queue_kb=Q   this connection's own bottleneck: Q KB drained at R kbit/s each way
  bulk=download             send bulk data for as long as the connection lasts
  bulk=upload               count binary messages starting NLUP; report {\"received\":B,\"server_ms\":T}
e.g. ws://127.0.0.1:9000/echo?delay_ms=20&jitter_ms=5&loss=0.01

--rate-kbps R --queue-kb Q gives one bottleneck that every connection shares, so parallel
flows fill one queue as at a home router: loaded latency rises by about Q/R
(--rate-kbps 20000 --queue-kb 250: +100 ms).";

fn parse_args(args: &[String]) -> Result<(SocketAddr, Limits), String> {
    let mut listen: SocketAddr = ([127, 0, 0, 1], 9000).into();
    let mut limits = Limits::default();
    let (mut rate_kbps, mut queue_kb) = (None, None);
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
            _ => return Err(format!("unknown option {flag}")),
        }
        i += 2;
    }
    limits.bottleneck = match (rate_kbps, queue_kb) {
        (Some(rate), queue) => Some(Shape::new(rate, queue.unwrap_or(0.0))?),
        (None, Some(_)) => return Err("--queue-kb needs --rate-kbps".to_owned()),
        (None, None) => None,
    };
    Ok((listen, limits))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let (listen, limits) = match parse_args(&args) {
        Ok(parsed) => parsed,
        Err(why) => {
            eprintln!("netlens-echo: {why}\n\n{USAGE}");
            return ExitCode::from(2);
        }
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
        let server = match Server::start(listen, limits).await {
            Ok(server) => server,
            Err(e) => {
                eprintln!("netlens-echo: cannot listen on {listen}: {e}");
                return ExitCode::FAILURE;
            }
        };
        // Scripts wait for this line before they start probing.
        println!("netlens-echo listening on {}", server.url());
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
