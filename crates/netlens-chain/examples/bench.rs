//! Native benchmark of a full chain analysis (parse, build, verify every signature, all rules).
//!
//! `cargo run --release -p netlens-chain --example bench -- CHAIN ANCHOR HOST AT [N]` prints one
//! JSON line: `{"median_ms": …, "runs": N, "verdicts": …, "stages_ms": {…}}`. `make bench` runs it beside the
//! browser measurements (bench/run.mjs).

// A benchmark is a shell: it times the core, which may not read the clock itself.
#![allow(clippy::disallowed_methods)]

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
    let prepare = || {
        let mut options = netlens_chain::Options::at(at);
        options.host = host.clone();
        let mut analyzer = netlens_chain::Analyzer::new(options);
        analyzer.add_chain(&chain, None);
        analyzer.add_anchors(&anchor, None);
        analyzer.prepare()
    };
    let check = prepare().finish(&netlens_chain::crypto::RustCrypto);
    let total = median_ms(runs, || {
        std::hint::black_box(prepare().finish(&netlens_chain::crypto::RustCrypto));
    });
    // Stages, to see where the time goes: parsing, signature checks, and the rest (paths,
    // rules, report) with signatures already known.
    let parse = median_ms(runs, || {
        std::hint::black_box(prepare());
    });
    let requests = prepare().plan();
    let signatures = median_ms(runs, || {
        for r in &requests {
            std::hint::black_box(netlens_chain::crypto::verify(
                &r.message,
                &r.algorithm,
                &r.signature,
                &r.spki,
            ));
        }
    });
    let mut known = netlens_chain::crypto::Precomputed::new();
    for r in &requests {
        known.insert(r.clone(), r.verify());
    }
    let rest = median_ms(runs, || {
        let prepared = prepare();
        std::hint::black_box(prepared.plan());
        std::hint::black_box(prepared.finish(&known));
    }) - parse;
    let json = median_ms(runs, || {
        std::hint::black_box(serde_json::to_string(&check).unwrap_or_default());
    });
    println!(
        "{{\"median_ms\": {total:.4}, \"runs\": {runs}, \"verdicts\": {}, \"stages_ms\": \
         {{\"parse\": {parse:.4}, \"signatures\": {signatures:.4}, \"signature_count\": {}, \
         \"paths_rules_report\": {rest:.4}, \"report_to_json\": {json:.4}}}}}",
        serde_json::to_string(&check.verdicts).unwrap_or_default(),
        requests.len(),
    );
}

/// Median wall time of `runs` calls of `f`, in milliseconds.
fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}
