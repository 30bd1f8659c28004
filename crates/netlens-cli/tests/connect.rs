//! `netlens chain --connect` against real TLS servers on 127.0.0.1: Debian's `openssl s_server`
//! with the test kit's demo chain (leaf only, then leaf and intermediate), an echo server, an
//! HTTP server and a port nobody listens on. Every server is stopped when its test ends; every
//! wait is bounded. Skips with a message when `openssl` is missing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod common;

use common::servers::{
    OpensslServer, demo_chain_files, folder, held_port, one_at_a_time, openssl_available,
    openssl_certificate, plain_server,
};
use serde_json::Value;

/// `openssl s_server` with the demo leaf, and its intermediate when `with_intermediate`.
fn openssl(dir: &std::path::Path, with_intermediate: bool) -> (OpensslServer, u16) {
    let intermediate = dir.join("intermediate.pem");
    let server = OpensslServer::start(
        &dir.join("leaf.pem"),
        &dir.join("leaf.key"),
        with_intermediate.then_some(intermediate.as_path()),
        &[],
    );
    let port = server.port;
    (server, port)
}

/// `netlens chain --connect 127.0.0.1:PORT …`: exit code, JSON report (if any), stderr.
fn connect(port: u16, dir: &std::path::Path) -> (i32, Option<Value>, String) {
    let endpoint = format!("127.0.0.1:{port}");
    let root = dir.join("root.pem").display().to_string();
    let out = common::netlens(
        &[
            "chain",
            "--connect",
            &endpoint,
            "--host",
            "www.netlens.test",
            "--anchors",
            &root,
            "--no-builtin-roots",
            "--at",
            "2026-06-01T00:00:00Z",
            "--timeout",
            "5",
            "--json",
        ],
        b"",
    );
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).ok(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn rules(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_chain_a_server_sends_is_analyzed_as_sent() {
    let _serial = one_at_a_time();
    if !openssl_available() {
        println!("SKIPPED: openssl is not installed (Debian: openssl)");
        return;
    }
    let dir = folder("connect");
    demo_chain_files(&dir);

    // Leaf only: the intermediate is missing, and the report says where to get it.
    let (server, port) = openssl(&dir, false);
    let (code, report, stderr) = connect(port, &dir);
    drop(server);
    let report = report.unwrap_or_else(|| panic!("no report: {stderr}"));
    assert_eq!(code, 1, "the apple verdict fails");
    assert_eq!(report["connection"]["certificates_sent"], 1);
    assert_eq!(report["connection"]["protocol_version"], "TLSv1.3");
    assert!(
        rules(&report).contains(&"chain.missing-intermediate".to_owned()),
        "{:?}",
        rules(&report)
    );
    assert!(
        report
            .to_string()
            .contains("http://pki.netlens.test/issuing-ca-1.cer")
    );

    // Leaf and intermediate: trusted by the anchor, apple passes.
    let (server, port) = openssl(&dir, true);
    let (code, report, stderr) = connect(port, &dir);
    drop(server);
    let report = report.unwrap_or_else(|| panic!("no report: {stderr}"));
    assert_eq!(report["connection"]["certificates_sent"], 2);
    assert_eq!(report["verdicts"]["apple"], "pass", "{:?}", rules(&report));
    assert_eq!(code, 0);
    assert!(
        report["connection"]["cipher_suite"]
            .as_str()
            .unwrap()
            .starts_with("TLS13_")
    );
}

#[test]
fn servers_that_are_not_tls_are_said_in_a_sentence() {
    let _serial = one_at_a_time();
    let dir = std::env::temp_dir();
    // Nobody listening.
    let (held, port) = held_port();
    let (code, report, stderr) = connect(port, &dir);
    drop(held);
    assert_eq!((code, report.is_none()), (2, true));
    assert!(stderr.contains("connection refused"), "{stderr}");
    assert!(!stderr.contains("panicked"));

    // An echo server and an HTTP server: no handshake.
    for reply in [
        None,
        Some(&b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"[..]),
    ] {
        let (port, server) = plain_server(reply, 1);
        let (code, _, stderr) = connect(port, &dir);
        server.join().unwrap();
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains("did not complete a TLS handshake"),
            "{stderr}"
        );
    }
}

/// iOS 18.4's key usage rule, from the suite the server really negotiated: a P-256 key whose
/// key usage lacks digitalSignature, served over TLS 1.3 (whose key exchange it must sign).
#[test]
fn the_key_usage_rule_uses_the_suite_the_server_negotiated() {
    let _serial = one_at_a_time();
    if !openssl_available() {
        println!("SKIPPED: openssl is not installed (Debian: openssl)");
        return;
    }
    let dir = folder("connect-ku");
    openssl_certificate(
        &dir,
        "leaf",
        "/CN=www.netlens.test",
        "ec",
        &["keyUsage=critical,keyEncipherment"],
    );
    std::fs::copy(dir.join("leaf.pem"), dir.join("root.pem")).unwrap();
    let (server, port) = openssl(&dir, false);
    let (_, report, stderr) = connect(port, &dir);
    drop(server);
    let report = report.unwrap_or_else(|| panic!("no report: {stderr}"));
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "apple.key-usage-cipher-mismatch")
        .unwrap_or_else(|| panic!("{:?}", rules(&report)));
    let suite = report["connection"]["cipher_suite"].as_str().unwrap();
    assert_eq!(finding["severity"], "error");
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains(&format!("negotiated {suite}"))
    );
}
