//! `netlens limbo`: an x509-limbo harness (C2SP/x509-limbo `harness/README.md` contract).
//!
//! Reads a limbo suite on stdin, validates every testcase with netlens' `rfc5280` profile and
//! writes `{"version": 1, "harness": …, "results": [{id, actual_result, context}]}` on stdout.
//! Honours `validation_time`, `expected_peer_name(s)`, `max_chain_depth`, `key_usage`,
//! `extended_key_usage`, `crls` and the CLIENT/SERVER kind. Cases are skipped only for a stated
//! reason: features netlens does not implement, and the webpki side of testcases that conflict
//! with an RFC 5280 twin.

use std::io::Read as _;
use std::process::ExitCode;

use netlens_chain::names::Host;
use netlens_chain::{Analyzer, ExpectedName, Options, Profile, Purpose};
use serde::Serialize;
use serde_json::Value;

use crate::input::now;

#[derive(Serialize)]
struct LimboResult {
    id: String,
    actual_result: &'static str,
    context: String,
}

#[derive(Serialize)]
struct LimboResults {
    version: u32,
    harness: String,
    results: Vec<LimboResult>,
}

/// Features netlens deliberately does not implement, with the reason given for the skip.
const UNSUPPORTED_FEATURES: &[(&str, &str)] = &[
    (
        "pedantic-public-suffix-wildcard",
        "needs the Public Suffix List (with its private section), which netlens does not bundle",
    ),
    (
        "pedantic-rfc5280",
        "requires an authority key identifier in a trust anchor, which cve::cve-2024-0567 expects to be \
         accepted; netlens treats an anchor as a name and a key (RFC 5280 §6.1.1 (d))",
    ),
];

fn skip_reason(case: &Value) -> Option<String> {
    let features: Vec<&str> = case["features"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for (feature, reason) in UNSUPPORTED_FEATURES {
        if features.contains(feature) {
            return Some(format!("{feature}: {reason}"));
        }
    }
    let id = case["id"].as_str().unwrap_or_default();
    let conflicts: Vec<&str> = case["conflicts_with"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if id.starts_with("webpki::") && !conflicts.is_empty() {
        return Some(format!(
            "conflicts with {}: netlens' rfc5280 profile follows RFC 5280 where the webpki policy differs",
            conflicts.join(", ")
        ));
    }
    None
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn peer_name(v: &Value) -> Option<ExpectedName> {
    let value = v["value"].as_str()?;
    match v["kind"].as_str()? {
        "RFC822" => Some(ExpectedName::Email(value.to_owned())),
        "DNS" => Some(ExpectedName::Host(Host::Dns(
            value.trim_end_matches('.').to_ascii_lowercase(),
        ))),
        "IP" => value
            .parse()
            .ok()
            .map(|ip| ExpectedName::Host(Host::Ip(ip))),
        _ => None,
    }
}

fn run_case(case: &Value, default_now: i64) -> LimboResult {
    let id = case["id"].as_str().unwrap_or_default().to_owned();
    if let Some(reason) = skip_reason(case) {
        return LimboResult {
            id,
            actual_result: "SKIPPED",
            context: reason,
        };
    }
    let at = case["validation_time"]
        .as_str()
        .and_then(netlens_x509::time::parse_moment)
        .unwrap_or(default_now);
    let mut options = Options::at(at);
    options.builtin_roots = false;
    options.leaf = Some(0);
    options.max_intermediates = case["max_chain_depth"].as_u64().map(|d| d as usize);
    options.required_key_usage = strings(&case["key_usage"]);
    let ekus = strings(&case["extended_key_usage"]);
    let client = case["validation_kind"].as_str() == Some("CLIENT")
        || ekus.iter().any(|e| e == "clientAuth");
    if client {
        options.purpose = Purpose::ClientAuth;
        options.client_names = case["expected_peer_names"]
            .as_array()
            .map(|a| a.iter().filter_map(peer_name).collect())
            .unwrap_or_default();
    } else if let Some(ExpectedName::Host(h)) = peer_name(&case["expected_peer_name"]) {
        options.host = Some(h);
    }
    let mut analyzer = Analyzer::new(options);
    if let Some(peer) = case["peer_certificate"].as_str() {
        analyzer.add_chain(peer.as_bytes(), Some("peer"));
    }
    for pem in strings(&case["untrusted_intermediates"]) {
        analyzer.add_chain(pem.as_bytes(), Some("intermediate"));
    }
    for pem in strings(&case["crls"]) {
        analyzer.add_chain(pem.as_bytes(), Some("crl"));
    }
    for pem in strings(&case["trusted_certs"]) {
        analyzer.add_anchors(pem.as_bytes(), Some("trusted"));
    }
    let analysis = analyzer.analyze();
    let failing: Vec<&netlens_chain::Finding> = analysis
        .findings
        .iter()
        .filter(|f| f.fails(Profile::Rfc5280))
        .collect();
    if failing.is_empty() {
        LimboResult {
            id,
            actual_result: "SUCCESS",
            context: format!(
                "path: {}",
                analysis
                    .chain_as_built
                    .iter()
                    .map(|n| n.label.as_str())
                    .collect::<Vec<_>>()
                    .join(" <- ")
            ),
        }
    } else {
        let mut rules: Vec<&str> = failing.iter().map(|f| f.rule.as_str()).collect();
        rules.dedup();
        LimboResult {
            id,
            actual_result: "FAILURE",
            context: format!("{}: {}", rules.join(", "), failing[0].message),
        }
    }
}

/// Runs the harness.
pub fn run() -> ExitCode {
    let mut input = Vec::new();
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut input) {
        eprintln!("netlens limbo: cannot read stdin: {e}");
        return ExitCode::from(2);
    }
    let suite: Value = match serde_json::from_slice(&input) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("netlens limbo: stdin is not a limbo JSON suite: {e}");
            return ExitCode::from(2);
        }
    };
    let Some(cases) = suite["testcases"].as_array() else {
        eprintln!("netlens limbo: the suite has no \"testcases\" array");
        return ExitCode::from(2);
    };
    let default_now = now();
    let results = LimboResults {
        version: 1,
        harness: format!("netlens-{}", env!("CARGO_PKG_VERSION")),
        results: cases.iter().map(|c| run_case(c, default_now)).collect(),
    };
    match serde_json::to_string_pretty(&results) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("netlens limbo: {e}");
            ExitCode::from(2)
        }
    }
}
