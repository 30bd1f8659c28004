//! `netlens-echo`: the WebSocket echo server the latency probe measures against.
//!
//! ```text
//! netlens-echo [--listen ADDR] [--max-connections N] [--max-message-bytes N] [--idle-timeout-s N]
//! ```
//!
//! Listens on 127.0.0.1:9000 by default; impairments are per connection, in the URL's query
//! (see the library documentation).

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use netlens_echo::{Limits, Server};

const USAGE: &str = "usage: netlens-echo [--listen ADDR] [--max-connections N] [--max-message-bytes N] [--idle-timeout-s N]

A WebSocket echo server for the netlens latency probe. Every path echoes text and binary
messages; the query string adds impairments for the connection:
  delay_ms=20  jitter_ms=5  loss=0.01  seed=1  duplicate_every=N  garbage_every=N  oversize_every=N
  stall_after=N  stall_ms=M
e.g. ws://127.0.0.1:9000/echo?delay_ms=20&jitter_ms=5&loss=0.01";

fn parse_args(args: &[String]) -> Result<(SocketAddr, Limits), String> {
    let mut listen: SocketAddr = ([127, 0, 0, 1], 9000).into();
    let mut limits = Limits::default();
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
            _ => return Err(format!("unknown option {flag}")),
        }
        i += 2;
    }
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
        tokio::select! {
            _ = server.wait() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        ExitCode::SUCCESS
    })
}
