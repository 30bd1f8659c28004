//! `netlens probe` against the real echo server on loopback: delay injection is measured, loss,
//! duplicates, garbage and oversized replies are counted, a killed and restarted server is
//! survived, a stalled one shows up as lost and late probes, and unusable endpoints get a clear
//! message. Every test targets 127.0.0.1 and is bounded in probes and time.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod common;

use std::net::SocketAddr;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use common::netlens;
use netlens_echo::{Limits, Server};
use serde_json::Value;

/// An echo server on its own runtime thread, which tests can kill and restart on the same port.
struct Echo {
    addr: SocketAddr,
    commands: mpsc::Sender<Command>,
    thread: Option<thread::JoinHandle<()>>,
}

enum Command {
    Kill,
    Start,
    Quit,
}

impl Echo {
    fn start() -> Echo {
        let (ready_tx, ready_rx) = mpsc::channel();
        let (commands, command_rx) = mpsc::channel::<Command>();
        let thread = thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let mut server = Some(
                    Server::start(([127, 0, 0, 1], 0).into(), Limits::default())
                        .await
                        .unwrap(),
                );
                let addr = server.as_ref().unwrap().local_addr();
                ready_tx.send(addr).unwrap();
                loop {
                    let command =
                        tokio::task::block_in_place(|| command_rx.recv()).unwrap_or(Command::Quit);
                    match command {
                        Command::Kill => {
                            if let Some(s) = server.take() {
                                s.kill();
                            }
                        }
                        Command::Start => {
                            server = Some(Server::start(addr, Limits::default()).await.unwrap())
                        }
                        Command::Quit => break,
                    }
                }
            });
        });
        let addr = ready_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        Echo {
            addr,
            commands,
            thread: Some(thread),
        }
    }

    fn url(&self, query: &str) -> String {
        format!(
            "ws://{}/echo{}{query}",
            self.addr,
            if query.is_empty() { "" } else { "?" }
        )
    }
}

impl Drop for Echo {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Quit);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn probe_json(args: &[&str]) -> (Value, i32, String) {
    let mut all = vec!["probe", "--json"];
    all.extend_from_slice(args);
    let out = netlens(&all, b"");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (json, out.status.code().unwrap_or(-1), stderr)
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn injected_delay_is_measured_and_the_json_has_the_documented_fields() {
    let echo = Echo::start();
    let (baseline, code, _) = probe_json(&[&echo.url(""), "--count", "100", "--interval", "10"]);
    assert_eq!(code, 0);
    let (j, code, stderr) = probe_json(&[
        &echo.url("delay_ms=20"),
        "--count",
        "100",
        "--interval",
        "10",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let rtt = &j["rtt_ms"];
    for key in ["min", "median", "mean", "p90", "p99", "max"] {
        assert!(rtt[key].is_number(), "rtt_ms.{key} missing: {j}");
    }
    assert_eq!(f(&j["loss"]), 0.0);
    assert!(f(&j["connect_ms"]) > 0.0 && f(&j["connect_ms"]) < 100.0);
    assert_eq!(j["sent"], 100);
    assert_eq!(j["replies"], 100);
    // The server holds each echo 20 ms: nothing comes back sooner, and the median is the delay
    // plus the loopback baseline, within a millisecond (the research notes' assertion).
    assert!(f(&rtt["min"]) >= 20.0, "{rtt}");
    let expected = 20.0 + f(&baseline["rtt_ms"]["median"]);
    assert!(
        (f(&rtt["median"]) - expected).abs() < 1.0,
        "median {} vs {expected}",
        rtt["median"]
    );
    // The tail is the machine's, not the probe's: on a busy 2-core machine a few replies come
    // several milliseconds late. What is asserted is that the delay does not accumulate.
    assert!((f(&rtt["mean"]) - expected).abs() < 5.0, "{rtt}");
    assert!(f(&rtt["p99"]) < expected + 30.0, "{rtt}");
    assert!(
        j["definitions"]["jitter_ms"]
            .as_str()
            .unwrap()
            .contains("consecutive")
    );
    assert_eq!(j["settings"]["interval_ms"], 10.0);
}

#[test]
fn loss_duplicates_garbage_and_oversized_replies_are_counted_and_ignored() {
    let echo = Echo::start();
    let (j, code, stderr) = probe_json(&[
        &echo.url("loss=0.2&seed=7&duplicate_every=10&garbage_every=5&oversize_every=25"),
        "--count",
        "100",
        "--interval",
        "10",
        "--timeout",
        "200",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (sent, replies, lost) = (
        j["sent"].as_u64().unwrap(),
        j["replies"].as_u64().unwrap(),
        j["lost"].as_u64().unwrap(),
    );
    assert_eq!(sent, 100);
    assert_eq!(replies + lost, 100);
    assert!((10..=30).contains(&lost), "lost {lost}");
    assert!((f(&j["loss"]) - lost as f64 / 100.0).abs() < 1e-12);
    // Extras follow the echoes (not the dropped messages): every 10th echo twice, garbage after
    // every 5th, 2 MiB after every 25th.
    let echoed = replies + j["late"].as_u64().unwrap();
    assert_eq!(j["duplicates"].as_u64().unwrap(), echoed / 10);
    assert_eq!(j["unmatched"].as_u64().unwrap(), echoed / 5);
    assert_eq!(j["oversized"].as_u64().unwrap(), echoed / 25);
    assert_eq!(j["late"], 0);
    // The 2 MiB messages are read and dropped, not waited on (the timeout is 200 ms; a busy
    // machine may add tens of milliseconds).
    assert!(f(&j["rtt_ms"]["max"]) < 150.0);
}

#[test]
fn a_killed_server_is_reported_and_the_probe_resumes_when_it_returns() {
    let echo = Echo::start();
    let url = echo.url("");
    let cli = thread::spawn(move || probe_json(&[&url, "--count", "60", "--interval", "50"]));
    thread::sleep(Duration::from_millis(1000));
    echo.commands.send(Command::Kill).unwrap();
    thread::sleep(Duration::from_millis(1200));
    echo.commands.send(Command::Start).unwrap();
    let (j, code, stderr) = cli.join().unwrap();
    assert_eq!(code, 0, "{stderr}");
    let events = j["events"].as_array().unwrap();
    let disconnect = events
        .iter()
        .find(|e| e["kind"] == "disconnected" && e["was_open"] == true)
        .unwrap_or_else(|| panic!("{events:?}"));
    assert!(disconnect["retry_at_ms"].is_number());
    // Attempts while the server is down fail and back off; then the second connection opens.
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "disconnected" && e["was_open"] == false)
    );
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "connected" && e["connection"] == 2),
        "{events:?}"
    );
    assert_eq!(j["connections"], 2);
    assert_eq!(j["sent"], 60);
    // Results from before the outage are kept; probes resume after it.
    assert!(j["replies"].as_u64().unwrap() >= 40, "{}", j["replies"]);
}

#[test]
fn a_stalled_server_shows_as_lost_then_late_probes() {
    let echo = Echo::start();
    let (j, code, stderr) = probe_json(&[
        &echo.url("stall_after=10&stall_ms=1500"),
        "--count",
        "40",
        "--interval",
        "50",
        "--timeout",
        "300",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (lost, late) = (j["lost"].as_u64().unwrap(), j["late"].as_u64().unwrap());
    // About 1.5 s of probes at 50 ms wait past the 300 ms timeout, then come back in a burst.
    assert!((15..=35).contains(&lost), "lost {lost}");
    assert!(late >= lost - 8, "late {late} of {lost}");
    assert_eq!(j["in_flight"], 0);
    assert_eq!(j["connections"], 1);
}

#[test]
fn request_response_mode_fresh_connections_and_subprotocols_work_against_the_echo() {
    let echo = Echo::start();
    let (j, code, stderr) = probe_json(&[
        &echo.url(""),
        "--count",
        "10",
        "--interval",
        "20",
        "--request",
        r#"{"op":"ping","id":{seq},"t":{t}}"#,
        "--match-field",
        "id",
        "--subprotocol",
        "netlens.v1",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        (j["replies"].as_u64(), j["other_messages"].as_u64()),
        (Some(10), Some(0))
    );
    let (j, code, stderr) = probe_json(&[
        &echo.url(""),
        "--count",
        "5",
        "--interval",
        "50",
        "--fresh-connection",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(j["connections"], 5);
    assert_eq!(j["connect"]["count"], 5);
    assert_eq!(j["replies"], 5);
}

#[test]
fn unusable_endpoints_get_a_clear_message_and_exit_2() {
    let echo = Echo::start();
    let closed_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let cases: Vec<(String, &str)> = vec![
        (
            format!("ws://127.0.0.1:{closed_port}/echo"),
            "connection refused",
        ),
        (
            format!("wss://{}/echo", echo.addr),
            "is the server plain ws://?",
        ),
        (
            echo.url("delay=20"),
            "HTTP 400 Bad Request instead of switching to WebSocket: unknown parameter `delay`",
        ),
        (
            "http://127.0.0.1/".to_owned(),
            "did you mean `ws://127.0.0.1/`?",
        ),
        ("ws://127.0.0.1:99999/".to_owned(), "port `99999`"),
    ];
    for (url, message) in cases {
        let out = netlens(&["probe", &url, "--count", "3"], b"");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{url}: {stderr}");
        assert!(stderr.contains(message), "{url}: {stderr}");
    }
}

#[test]
fn csv_export_has_a_row_per_probe() {
    let echo = Echo::start();
    let out = netlens(
        &[
            "probe",
            &echo.url("delay_ms=2"),
            "--count",
            "12",
            "--interval",
            "10",
            "--csv",
            "-",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    let csv = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], netlens_probe::export::CSV_HEADER);
    assert_eq!(lines.len(), 13);
    assert!(lines[1..].iter().all(|l| l.contains(",ok,1,1,")), "{csv}");
}
