//! Native benchmark of a full chain analysis (parse, build, verify every signature, all rules).
//!
//! `cargo run --release -p netlens-chain --example bench -- CHAIN ANCHOR HOST AT [N]` prints one
//! JSON line: `{"median_ms": …, "min_ms": …, "runs": N}`. `make bench` runs it beside the
//! browser measurements (bench/run.mjs).

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: bench CHAIN ANCHOR HOST AT [N]");
        std::process::exit(2);
    }
    let chain = std::fs::read(&args[1]).unwrap_or_default();
    let anchor = std::fs::read(&args[2]).unwrap_or_default();
    let host = netlens_chain::names::parse_host(&args[3]).ok();
    let at = netlens_x509::time::parse_moment(&args[4]).unwrap_or(0);
    let runs: usize = args.get(5).and_then(|n| n.parse().ok()).unwrap_or(200);
    let run = || {
        let mut options = netlens_chain::Options::at(at);
        options.host = host.clone();
        let mut analyzer = netlens_chain::Analyzer::new(options);
        analyzer.add_chain(&chain, None);
        analyzer.add_anchors(&anchor, None);
        analyzer.analyze()
    };
    let check = run();
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(run());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "{{\"median_ms\": {:.4}, \"min_ms\": {:.4}, \"runs\": {runs}, \"verdicts\": {}}}",
        times[runs / 2],
        times[0],
        serde_json::to_string(&check.verdicts).unwrap_or_default()
    );
}
