//! `netlens quality` against netlens-echo with a shared bottleneck on loopback: the loaded
//! phases see the bottleneck's rate and queue, and the RPM in the JSON is recomputed here from
//! the exported probes with an independent implementation of the draft's formula. Shape checks
//! only (generous bounds, a busy machine must pass); the figures go to `make bench-quality`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod common;

use std::sync::mpsc;
use std::thread;

use common::netlens;
use netlens_echo::bottleneck::Shape;
use netlens_echo::{Limits, Server};
use serde_json::Value;

/// An echo server with a shared 8 Mbit/s bottleneck and a 100 KB queue (+100 ms when full), on
/// its own runtime thread; stopped when the returned sender is dropped. Its ws:// URL.
fn bottlenecked_echo() -> (String, mpsc::Sender<()>, thread::JoinHandle<()>) {
    echo_serving(None)
}

/// [`bottlenecked_echo`], serving TLS with `acceptor` when given one.
fn echo_serving(
    acceptor: Option<tokio_rustls::TlsAcceptor>,
) -> (String, mpsc::Sender<()>, thread::JoinHandle<()>) {
    let (ready_tx, ready_rx) = mpsc::channel();
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    let thread = thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let limits = Limits {
                bottleneck: Some(Shape::new(8000.0, 100.0).unwrap()),
                ..Limits::default()
            };
            let address = ([127, 0, 0, 1], 0).into();
            let server = match acceptor {
                Some(acceptor) => Server::start_tls(address, limits, acceptor).await,
                None => Server::start(address, limits).await,
            }
            .unwrap();
            ready_tx.send(server.url()).unwrap();
            let _ = tokio::task::block_in_place(|| stop_rx.recv());
            server.kill();
        });
    });
    (ready_rx.recv().unwrap(), stop_tx, thread)
}

/// The draft's RPM written out again, apart from `netlens_probe::quality`: per series, sort,
/// keep the ⌈95 n / 100⌉ smallest, average; foreign from connect and first echo, loaded from
/// self probes; RPM their mean.
fn rpm_again(probes: &[&Value]) -> f64 {
    let tm = |kind: &str| {
        let mut v: Vec<f64> = probes
            .iter()
            .filter(|p| p["kind"] == kind)
            .map(|p| p["ms"].as_f64().unwrap())
            .collect();
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let keep = (v.len() * 95).div_ceil(100);
        v[..keep].iter().sum::<f64>() / keep as f64
    };
    let foreign = 60_000.0 / ((tm("foreign_connect") + tm("foreign_request")) / 2.0);
    let loaded = 60_000.0 / tm("self_request");
    (foreign + loaded) / 2.0
}

#[test]
fn loaded_phases_show_the_bottleneck_and_rpm_recomputes_from_the_export() {
    let (url, stop, thread) = bottlenecked_echo();
    let other = format!(
        "{}/../netlens-probe/tests/corpus/compare/networkquality-c.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = netlens(
        &[
            "quality",
            &url,
            "--duration",
            "6",
            "--interval-ms",
            "500",
            "--idle",
            "1",
            "--cooldown",
            "0.5",
            "--compare",
            &other,
            "--json",
        ],
        b"",
    );
    drop(stop);
    thread.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_bottleneck_shape(&report);
    let phases = report["phases"].as_array().unwrap();
    for phase in phases {
        let name = phase["phase"].as_str().unwrap();
        // The RPM, recomputed from the probes it was computed from.
        let (from, to) = (
            phase["rpm_window_ms"][0].as_f64().unwrap(),
            phase["rpm_window_ms"][1].as_f64().unwrap(),
        );
        let inputs: Vec<&Value> = report["probes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["phase"] == name)
            .filter(|p| (from..=to).contains(&p["at_ms"].as_f64().unwrap()))
            .collect();
        let rpm = phase["responsiveness"]["rpm"].as_f64().unwrap();
        let again = rpm_again(&inputs);
        assert!((rpm - again).abs() < 1e-6 * rpm, "{name}: {rpm} vs {again}");
        assert_eq!(
            phase["responsiveness"]["probes"].as_u64().unwrap() as usize,
            inputs.len()
        );
    }
    assert_eq!(report["rpm"], phases[2]["responsiveness"]["rpm"]);
    // The same run under networkQuality's key names, and networkQuality's beside it.
    let nq = &report["network_quality"];
    assert_eq!(nq["dl_throughput"], phases[0]["goodput_bps"]);
    assert_eq!(nq["responsiveness"], report["rpm"]);
    assert!(!nq["lud_self_h2_req_resp"].as_array().unwrap().is_empty());
    let rows = report["compare"]["rows"].as_array().unwrap();
    let responsiveness = rows
        .iter()
        .find(|r| r["metric"] == "responsiveness")
        .unwrap();
    assert_eq!(responsiveness["other"], 1234.5);
    assert_eq!(responsiveness["netlens"], report["rpm"]);
    assert_eq!(report["compare"]["other"]["tool"], "network_quality_json");
    // Idle latency on loopback is well under the queue's delay.
    assert!(report["idle"]["foreign_ms"]["median"].as_f64().unwrap() < 20.0);
}

#[test]
fn a_compare_file_that_is_not_a_result_is_said_before_measuring() {
    let dir = std::env::temp_dir().join(format!("netlens-quality-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("notes.txt");
    std::fs::write(&file, "my speed test was slow\n").unwrap();
    // Nothing listens on port 9: had the CLI measured first, it would say so instead.
    let out = netlens(
        &[
            "quality",
            "ws://127.0.0.1:9/echo",
            "--compare",
            file.to_str().unwrap(),
        ],
        b"",
    );
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("paste the whole output"), "{err}");
}

#[test]
fn a_server_without_the_bulk_protocol_is_said_in_a_sentence() {
    let out = netlens(&["quality", "ws://127.0.0.1:9/echo", "--idle", "0.5"], b"");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("netlens quality: "), "{err}");
    assert!(!err.contains("Io("), "no debug dump: {err}");
}

/// The shape checks of a loaded run's JSON: each loaded phase carries the bottleneck's rate and
/// shows its queue to fresh connections, and loaded self probes were answered.
fn assert_bottleneck_shape(report: &Value) {
    let phases = report["phases"].as_array().unwrap();
    assert_eq!(phases.len(), 3, "{report:#}");
    for phase in phases {
        let name = phase["phase"].as_str().unwrap();
        let goodput = phase["goodput_bps"].as_f64().unwrap();
        // 8 Mbit/s each way; both directions at once carry twice that.
        let expected = if name == "both" { 16e6 } else { 8e6 };
        assert!(
            (0.7 * expected..1.3 * expected).contains(&goodput),
            "{name}: {goodput}"
        );
        // A full 100 KB queue at 8 Mbit/s adds 100 ms to a fresh connection's first echo.
        let added = phase["added_foreign_ms"].as_f64().unwrap();
        assert!((50.0..300.0).contains(&added), "{name}: +{added} ms");
        assert!(
            phase["latency"]["self_ms"]["median"].as_f64().unwrap() > 0.0,
            "{name}"
        );
    }
    assert!(report["rpm"].as_f64().unwrap() > 0.0);
}

/// `scheme://host:port` of the echo server at `ws_url` (`ws://host:port/echo`).
fn http_base(ws_url: &str, scheme: &str) -> String {
    let authority = ws_url
        .trim_start_matches("ws://")
        .split('/')
        .next()
        .unwrap();
    format!("{scheme}://{authority}")
}

fn quality_json(url: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "quality",
        url,
        "--duration",
        "5",
        "--interval-ms",
        "500",
        "--idle",
        "1",
        "--cooldown",
        "0.5",
        "--json",
    ];
    args.extend_from_slice(extra);
    netlens(&args, b"")
}

/// The draft's way, against netlens-echo's plain port: the configuration fetched over
/// HTTP/1.1, then HTTP/2 with prior knowledge (h2c): `GET /large` and `POST /upload` streams for
/// load, `GET /small` self probes multiplexed beside them, foreign probes on fresh connections.
#[test]
fn a_configuration_url_runs_the_draft_over_http2() {
    let (url, stop, thread) = bottlenecked_echo();
    let config = http_base(&url, "http") + "/config";
    let out = quality_json(&config, &[]);
    drop(stop);
    thread.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["config"]["transport"], "http2", "{report:#}");
    assert_eq!(report["config"]["handshake_round_trips"], 1.0);
    assert_bottleneck_shape(&report);
}

/// The same over TLS 1.3 and HTTP/2 by ALPN, as `networkQuality -C` measures, with the test
/// CA given by `--cacert` (openssl makes a self-signed leaf here; skipped without openssl).
#[test]
fn over_https_the_run_negotiates_http2_and_trusts_the_given_ca() {
    let dir = std::env::temp_dir().join(format!("netlens-quality-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ])
        .args([
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .args(["-addext", "basicConstraints=critical,CA:FALSE", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output();
    if !made.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: openssl could not make a test certificate (apt install openssl)");
        return;
    }
    let acceptor = netlens_echo::tls::acceptor(
        &std::fs::read(&cert).unwrap(),
        &std::fs::read(&key).unwrap(),
    )
    .unwrap();
    let (url, stop, thread) = echo_serving(Some(acceptor));
    let config = http_base(&url, "https") + "/config";
    // Without the CA the certificate is not trusted, said in a sentence.
    let untrusted = netlens(&["quality", &config, "--idle", "0.5"], b"");
    let cacert = cert.display().to_string();
    let out = quality_json(&config, &["--cacert", &cacert]);
    drop(stop);
    thread.join().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(untrusted.status.code(), Some(2));
    let err = String::from_utf8_lossy(&untrusted.stderr);
    assert!(
        err.contains("TLS with 127.0.0.1:") && err.contains("certificate"),
        "{err}"
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["config"]["handshake_round_trips"], 2.0);
    assert_bottleneck_shape(&report);
}

/// A plain HTTP/1.1 server on its own thread that answers every request with `body` for `paths`
/// and 404 otherwise, until the returned sender is dropped. Its base URL.
fn http1_server(
    answers: Vec<(&'static str, String)>,
) -> (String, mpsc::Sender<()>, thread::JoinHandle<()>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    let thread = thread::spawn(move || {
        // Bounded: a minute at most, ended sooner by the test.
        for _ in 0..6000 {
            if !matches!(stop_rx.try_recv(), Err(mpsc::TryRecvError::Empty)) {
                return;
            }
            let Ok((mut stream, _)) = listener.accept() else {
                thread::sleep(std::time::Duration::from_millis(10));
                continue;
            };
            stream.set_nonblocking(false).unwrap();
            let mut head = [0u8; 4096];
            let n = stream.read(&mut head).unwrap_or(0);
            let text = String::from_utf8_lossy(&head[..n]);
            let path = text.split(' ').nth(1).unwrap_or("");
            let (status, body) = match answers.iter().find(|(p, _)| *p == path) {
                Some((_, body)) => ("200 OK", body.clone()),
                None => ("404 Not Found", "not here".to_owned()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (base, stop_tx, thread)
}

#[test]
fn configurations_that_are_not_json_or_lack_urls_are_said_in_a_sentence() {
    let (base, stop, thread) = http1_server(vec![
        ("/page", "<!doctype html><p>Hello</p>".to_owned()),
        (
            "/empty",
            r#"{"version":1,"urls":{"small_https_download_url":"http://a/s"}}"#.to_owned(),
        ),
    ]);
    let said = |path: &str| {
        let out = netlens(&["quality", &format!("{base}{path}"), "--idle", "0.5"], b"");
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let (page, empty, missing) = (said("/page"), said("/empty"), said("/missing"));
    drop(stop);
    thread.join().unwrap();
    assert!(
        page.contains("did not return JSON (it began \"<!doctype html>"),
        "{page}"
    );
    assert!(
        empty.contains("lacks large_https_download_url, https_upload_url"),
        "{empty}"
    );
    assert!(missing.contains("answered 404"), "{missing}");
}

/// A server that refuses uploads: the upload phases say why in one sentence each and the run
/// reports what it could measure (the download phase and its RPM).
#[test]
fn a_server_that_refuses_uploads_is_said_and_the_rest_is_measured() {
    let (url, stop, thread) = bottlenecked_echo();
    let echo = http_base(&url, "http");
    let config = format!(
        r#"{{"version":1,"urls":{{"small_https_download_url":"{echo}/small","large_https_download_url":"{echo}/large","https_upload_url":"{echo}/no-uploads-here"}}}}"#
    );
    let (base, stop_config, config_thread) = http1_server(vec![("/config", config)]);
    let out = quality_json(&format!("{base}/config"), &[]);
    drop((stop, stop_config));
    thread.join().unwrap();
    config_thread.join().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    let problems: Vec<&str> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let refused = problems
        .iter()
        .filter(|p| {
            p.contains("answered POST") && p.contains("/no-uploads-here with 404 Not Found")
        })
        .count();
    assert!(refused >= 1, "{problems:#?}");
    let download = &report["phases"][0];
    assert_eq!(download["phase"], "download");
    assert!(
        download["goodput_bps"].as_f64().unwrap() > 5e6,
        "{report:#}"
    );
    assert!(download["responsiveness"]["rpm"].as_f64().unwrap() > 0.0);
}
