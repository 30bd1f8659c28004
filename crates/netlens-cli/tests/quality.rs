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
/// its own runtime thread; stopped when the returned sender is dropped.
fn bottlenecked_echo() -> (String, mpsc::Sender<()>, thread::JoinHandle<()>) {
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
            let server = Server::start(([127, 0, 0, 1], 0).into(), limits)
                .await
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
        assert!((60.0..250.0).contains(&added), "{name}: +{added} ms");
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
