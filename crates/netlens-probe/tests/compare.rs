//! Other tools' results read for a side-by-side comparison: every fixture in
//! `tests/corpus/compare` parses, with the figures its format carries.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use netlens_probe::compare::{NetworkQualityKeys, Tool, parse, side_by_side};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/corpus/compare/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn network_quality_json() {
    let run = parse(&fixture("networkquality-c.json")).unwrap();
    assert_eq!(run.tool, Some(Tool::NetworkQualityJson));
    assert_eq!(run.download_bps, Some(342_123_456.0));
    assert_eq!(run.upload_bps, Some(98_765_432.0));
    assert_eq!((run.download_flows, run.upload_flows), (Some(12), Some(16)));
    assert_eq!(run.rpm, Some(1234.5));
    assert_eq!(run.idle_ms, Some(18.5));
    assert_eq!(run.loaded_foreign_ms, Some(47.5));
    assert_eq!(run.loaded_self_ms, Some(31.0));
    assert_eq!(run.test_endpoint.as_deref(), Some("edge.example.net"));

    let sequential = parse(&fixture("networkquality-c-sequential.json")).unwrap();
    assert_eq!(sequential.download_rpm, Some(980.0));
    assert_eq!(sequential.upload_rpm, Some(410.0));
    // Self probes of both directions together: 58 60 64 200 220.
    assert_eq!(sequential.loaded_self_ms, Some(64.0));
}

#[test]
fn network_quality_summaries_old_and_new() {
    let run = parse(&fixture("networkquality-summary.txt")).unwrap();
    assert_eq!(run.tool, Some(Tool::NetworkQualityText));
    assert_eq!(run.download_bps, Some(187.402e6));
    assert_eq!(run.upload_bps, Some(19.812e6));
    assert_eq!((run.download_flows, run.upload_flows), (Some(12), Some(16)));
    assert_eq!(run.rpm, Some(226.0));
    assert_eq!(run.grade.as_deref(), Some("Medium"));
    assert_eq!(run.idle_ms, Some(18.25));

    let old = parse(&fixture("networkquality-summary-monterey.txt")).unwrap();
    assert_eq!(old.download_bps, Some(21.002e6));
    assert_eq!(old.upload_flows, Some(20));
    assert_eq!((old.grade.as_deref(), old.rpm), (Some("Low"), Some(103.0)));

    let sequential = parse(&fixture("networkquality-sequential.txt")).unwrap();
    assert_eq!(sequential.download_rpm, Some(1818.0));
    assert_eq!(sequential.upload_rpm, Some(1250.0));
    assert_eq!(sequential.rpm, None);
    assert_eq!(sequential.idle_ms, Some(9.0));
}

#[test]
fn goresponsiveness_results() {
    let run = parse(&fixture("goresponsiveness.txt")).unwrap();
    assert_eq!(run.tool, Some(Tool::Goresponsiveness));
    assert_eq!(run.download_bps, Some(187.226e6));
    assert_eq!(run.upload_bps, Some(19.004e6));
    assert_eq!((run.download_flows, run.upload_flows), (Some(12), Some(8)));
    // The trimmed-mean figures, the draft's: not the P90 ones.
    assert_eq!(
        (run.download_rpm, run.upload_rpm, run.rpm),
        (Some(845.0), Some(399.0), Some(560.0))
    );
}

#[test]
fn side_by_side_puts_both_in_the_same_units() {
    let ours = NetworkQualityKeys {
        dl_throughput: Some(20e6),
        responsiveness: Some(600.0),
        lud_foreign_h2_req_resp: vec![100.0, 102.0, 98.0],
        ..NetworkQualityKeys::default()
    };
    let other = parse(&fixture("networkquality-c.json")).unwrap();
    let rows = side_by_side(&ours, &other);
    let row = |metric: &str| rows.iter().find(|r| r.metric == metric).unwrap().clone();
    assert_eq!(row("download goodput").netlens, Some(20.0));
    assert_eq!(row("download goodput").other, Some(342.123456));
    assert_eq!(row("responsiveness").other, Some(1234.5));
    assert_eq!(
        row("loaded, fresh connection (median)").netlens,
        Some(100.0)
    );
    assert_eq!(row("upload goodput").netlens, None);
}
