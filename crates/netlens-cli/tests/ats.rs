//! `netlens ats` (and `netlens chain --connect` where the chain is the point) against real TLS
//! servers on 127.0.0.1: Debian's `openssl s_server` (a modern server, TLS 1.1 only, TLS 1.2
//! without ECDHE) and a rustls server in the test (TLS 1.3 only, a chain in the wrong order, an
//! expired leaf, a key usage without digitalSignature over ECDHE), then an echo server, an HTTP
//! server, a server that never answers and a port nobody listens on. Every server is stopped when its test ends; every wait
//! is bounded. The `openssl` cases skip with a message when it is missing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod common;

use common::servers::{
    OpensslServer, demo_chain_files, folder, held_port, one_at_a_time, openssl_available,
    openssl_certificate, plain_server, rustls_server, silent_server,
};
use netlens_testkit::{CertSpec, DAY, Key, KeyAlgorithm, Usage, issue};
use serde_json::{Value, json};

/// 2026-01-01, when the demo leaf's validity starts; the tests judge at 2026-06-01.
const JAN_2026: i64 = 1_767_225_600;

/// `netlens COMMAND… 127.0.0.1:PORT` for www.netlens.test, trusting only `root`, at
/// 2026-06-01: exit code, JSON report (if any), stderr.
fn run(command: &[&str], port: u16, root: &std::path::Path) -> (i32, Option<Value>, String) {
    let endpoint = format!("127.0.0.1:{port}");
    let root = root.display().to_string();
    let mut args = command.to_vec();
    args.extend([
        endpoint.as_str(),
        "--sni",
        "www.netlens.test",
        "--anchors",
        &root,
        "--no-builtin-roots",
        "--at",
        "2026-06-01T00:00:00Z",
        "--timeout",
        "5",
        "--json",
    ]);
    let out = common::netlens(&args, b"");
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).ok(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ats(port: u16, root: &std::path::Path) -> (i32, Value) {
    let (code, report, stderr) = run(&["ats"], port, root);
    (
        code,
        report.unwrap_or_else(|| panic!("no report: {stderr}")),
    )
}

fn chain_connect(port: u16, root: &std::path::Path) -> Value {
    let (_, report, stderr) = run(&["chain", "--connect"], port, root);
    report.unwrap_or_else(|| panic!("no report: {stderr}"))
}

fn rules(findings: &Value) -> Vec<String> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

/// The version table's row for `version`.
fn accepts(report: &Value, version: &str) -> (Value, Value) {
    let row = report["server"]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["version"] == version)
        .unwrap();
    (
        row["forward_secret"].clone(),
        row["without_forward_secrecy"].clone(),
    )
}

#[test]
fn a_modern_server_passes_and_old_ones_get_the_least_exceptions() {
    let _serial = one_at_a_time();
    if !openssl_available() {
        println!("SKIPPED: openssl is not installed (Debian: openssl)");
        return;
    }
    let dir = folder("ats-openssl");
    demo_chain_files(&dir);
    let root = dir.join("root.pem");
    let (leaf, key, intermediate) = (
        dir.join("leaf.pem"),
        dir.join("leaf.key"),
        dir.join("intermediate.pem"),
    );

    // A modern server with the complete chain: ATS connects with no exception.
    let server = OpensslServer::start(&leaf, &key, Some(&intermediate), &[]);
    let (code, report) = ats(server.port, &root);
    drop(server);
    assert_eq!(report["ats"], "pass", "{report:#}");
    assert_eq!(code, 0);
    assert_eq!(report["exceptions"], json!({}));
    assert_eq!(report["info_plist"], Value::Null);
    assert_eq!(report["certificate"]["result"], "pass");
    assert!(accepts(&report, "TLSv1.3").0.is_string());
    assert!(accepts(&report, "TLSv1.2").0.is_string());
    assert_eq!(accepts(&report, "TLSv1.1"), (Value::Null, Value::Null));
    assert_eq!(
        report["chain"]["chain_as_sent"].as_array().unwrap().len(),
        2
    );

    // TLS 1.1 only: ATS needs NSExceptionMinimumTLSVersion = TLSv1.1. rustls cannot speak it,
    // so the certificates come from the probe's answer, in the clear.
    let server = OpensslServer::start(
        &leaf,
        &key,
        Some(&intermediate),
        &["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"],
    );
    let (code, report) = ats(server.port, &root);
    let connected = chain_connect(server.port, &root);
    drop(server);
    assert_eq!((code, &report["ats"]), (1, &json!("fail")), "{report:#}");
    assert_eq!(
        report["exceptions"],
        json!({"NSExceptionMinimumTLSVersion": "TLSv1.1"})
    );
    // `chain --connect` too reads the chain such a server sends.
    assert_eq!(connected["connection"]["protocol_version"], "TLSv1.1");
    assert_eq!(connected["connection"]["certificates_sent"], 2);
    assert!(
        connected["connection"]["read_in_the_clear"]
            .as_str()
            .unwrap()
            .contains("in the clear")
    );
    assert_eq!(connected["verdicts"]["apple"], "pass");
    let fragment = report["info_plist"].as_str().unwrap();
    assert!(
        fragment.contains("<key>www.netlens.test</key>"),
        "{fragment}"
    );
    assert!(
        fragment.contains(
            "<key>NSExceptionMinimumTLSVersion</key>\n            <string>TLSv1.1</string>"
        )
    );
    assert!(!fragment.contains("NSExceptionAllowsInsecureHTTPLoads"));
    assert!(accepts(&report, "TLSv1.1").0.is_string());
    assert_eq!(accepts(&report, "TLSv1.2"), (Value::Null, Value::Null));
    assert_eq!(report["certificate"]["result"], "pass");
    assert!(
        report["certificate"]["from"]
            .as_str()
            .unwrap()
            .contains("answered a hello for TLS 1.0 to 1.3 with TLSv1.1")
    );
    assert_eq!(
        report["chain"]["chain_as_sent"].as_array().unwrap().len(),
        2
    );
    assert!(
        report["advice"][0]
            .as_str()
            .unwrap()
            .starts_with("Enable TLS 1.2 and TLS 1.3")
    );

    // TLS 1.2 without ECDHE (static RSA only, an RSA key): forward secrecy must be waived.
    let (rsa_cert, rsa_key) = openssl_certificate(
        &dir,
        "rsa",
        "/CN=www.netlens.test",
        "rsa:2048",
        &[
            "subjectAltName=DNS:www.netlens.test",
            "keyUsage=critical,digitalSignature,keyEncipherment",
            "extendedKeyUsage=serverAuth",
        ],
    );
    let server = OpensslServer::start(
        &rsa_cert,
        &rsa_key,
        None,
        &["-tls1_2", "-cipher", "AES128-GCM-SHA256:AES256-SHA"],
    );
    let (code, report) = ats(server.port, &rsa_cert);
    drop(server);
    assert_eq!((code, &report["ats"]), (1, &json!("fail")), "{report:#}");
    assert_eq!(
        report["exceptions"],
        json!({"NSExceptionRequiresForwardSecrecy": false})
    );
    assert_eq!(
        accepts(&report, "TLSv1.2"),
        (Value::Null, json!("TLS_RSA_WITH_AES_128_GCM_SHA256"))
    );
    assert!(
        report["advice"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a.as_str().unwrap().starts_with("Enable ECDHE")),
        "{:#}",
        report["advice"]
    );
    assert!(
        report["certificate"]["from"]
            .as_str()
            .unwrap()
            .contains("with TLSv1.2 and TLS_RSA_WITH_")
    );
}

/// A P-256 leaf for www.netlens.test from the demo intermediate, valid from `not_before` for
/// `days`, with `usage`.
fn leaf(seed: &str, not_before: i64, days: i64, usage: Vec<Usage>) -> netlens_testkit::Issued {
    let chain = netlens_testkit::demo_chain_cached().unwrap();
    issue(
        &CertSpec {
            key_usage: usage,
            ..CertSpec::leaf("www.netlens.test").valid(not_before, not_before + days * DAY)
        },
        Key::generate(KeyAlgorithm::P256, seed).unwrap(),
        &chain.intermediate,
    )
    .unwrap()
}

#[test]
fn rustls_servers_tls13_only_wrong_order_expired_and_a_key_usage_without_signing() {
    let _serial = one_at_a_time();
    let dir = folder("ats-rustls");
    demo_chain_files(&dir);
    let root = dir.join("root.pem");
    let demo = netlens_testkit::demo_chain_cached().unwrap();
    let key = demo.leaf.key.pkcs8_pem().unwrap();
    let both = [&rustls::version::TLS13, &rustls::version::TLS12];

    // TLS 1.3 only: ATS connects; nothing older is accepted.
    let server = rustls_server(
        &[demo.leaf.der.clone(), demo.intermediate.der.clone()],
        &key,
        &[&rustls::version::TLS13],
    );
    let (code, report) = ats(server.port, &root);
    let connected = chain_connect(server.port, &root);
    drop(server);
    assert_eq!((code, &report["ats"]), (0, &json!("pass")), "{report:#}");
    assert!(accepts(&report, "TLSv1.3").0.is_string());
    for old in ["TLSv1.2", "TLSv1.1", "TLSv1.0"] {
        assert_eq!(accepts(&report, old), (Value::Null, Value::Null), "{old}");
    }
    assert_eq!(report["chain"]["connection"]["protocol_version"], "TLSv1.3");
    assert_eq!(connected["verdicts"]["apple"], "pass");

    // The wrong order: a leaf under two intermediates, sent leaf, upper, lower. Both commands
    // see it as sent.
    let upper = issue(
        &CertSpec::ca("CN=Netlens Test Policy CA,O=Netlens Test PKI,C=US", Some(1))
            .valid(JAN_2026 - 365 * DAY, JAN_2026 + 5 * 365 * DAY),
        Key::generate(KeyAlgorithm::P256, "ats-upper").unwrap(),
        &demo.root,
    )
    .unwrap();
    let lower = issue(
        &CertSpec::ca(
            "CN=Netlens Test Issuing CA 2,O=Netlens Test PKI,C=US",
            Some(0),
        )
        .valid(JAN_2026 - 365 * DAY, JAN_2026 + 5 * 365 * DAY),
        Key::generate(KeyAlgorithm::P256, "ats-lower").unwrap(),
        &upper,
    )
    .unwrap();
    let below = issue(
        &CertSpec::leaf("www.netlens.test").valid(JAN_2026, JAN_2026 + 90 * DAY),
        Key::generate(KeyAlgorithm::P256, "ats-below").unwrap(),
        &lower,
    )
    .unwrap();
    let server = rustls_server(
        &[below.der.clone(), upper.der.clone(), lower.der.clone()],
        &below.key.pkcs8_pem().unwrap(),
        &both,
    );
    let (_, report) = ats(server.port, &root);
    let connected = chain_connect(server.port, &root);
    drop(server);
    for findings in [&report["chain"]["findings"], &connected["findings"]] {
        assert!(
            rules(findings).contains(&"chain.wrong-order".to_owned()),
            "{:?}",
            rules(findings)
        );
    }
    assert_eq!(connected["connection"]["certificates_sent"], 3);

    // An expired leaf: the server half passes, the certificate half fails, and no exception
    // is offered for it.
    let expired = leaf(
        "ats-expired",
        JAN_2026 - 200 * DAY,
        90,
        vec![Usage::DigitalSignature],
    );
    let server = rustls_server(
        &[expired.der.clone(), demo.intermediate.der.clone()],
        &expired.key.pkcs8_pem().unwrap(),
        &both,
    );
    let (code, report) = ats(server.port, &root);
    let connected = chain_connect(server.port, &root);
    drop(server);
    assert_eq!((code, &report["ats"]), (1, &json!("fail")), "{report:#}");
    assert_eq!(report["server"]["result"], "pass");
    assert_eq!(report["exceptions"], json!({}));
    assert_eq!(report["info_plist"], Value::Null);
    assert_eq!(report["certificate"]["result"], "fail");
    assert!(
        report["summary"]
            .as_str()
            .unwrap()
            .contains("chain.expired"),
        "{}",
        report["summary"]
    );
    assert!(
        report["advice"][0]
            .as_str()
            .unwrap()
            .starts_with("Fix the certificate chain")
    );
    assert!(rules(&connected["findings"]).contains(&"chain.expired".to_owned()));

    // A key usage without digitalSignature on a TLS 1.2 ECDHE server: the iOS 18.4 rule names
    // the suite ATS's hello negotiated.
    let unsigned = leaf("ats-ku", JAN_2026, 90, vec![Usage::KeyEncipherment]);
    let server = rustls_server(
        &[unsigned.der.clone(), demo.intermediate.der.clone()],
        &unsigned.key.pkcs8_pem().unwrap(),
        &[&rustls::version::TLS12],
    );
    let (code, report) = ats(server.port, &root);
    drop(server);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["server"]["result"], "pass");
    let finding = report["chain"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "apple.key-usage-cipher-mismatch")
        .unwrap_or_else(|| panic!("{:?}", rules(&report["chain"]["findings"])));
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("negotiated TLS_ECDHE_ECDSA_WITH_"),
        "{message}"
    );
}

#[test]
fn servers_that_are_not_tls_exit_2_with_a_sentence() {
    let _serial = one_at_a_time();
    let dir = std::env::temp_dir();
    let root = dir.join("no-such-root.pem");

    let (held, port) = held_port();
    let (code, report, stderr) = run(&["ats"], port, &root);
    drop(held);
    assert_eq!((code, report.is_none()), (2, true));
    assert!(stderr.contains("connection refused"), "{stderr}");

    for reply in [
        None,
        Some(&b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"[..]),
    ] {
        let (port, server) = plain_server(reply, 1);
        let (code, report, stderr) = run(&["ats"], port, &root);
        server.join().unwrap();
        assert_eq!((code, report.is_none()), (2, true), "{stderr}");
        assert!(
            stderr.contains("did not answer a TLS hello in TLS: is it a TLS port?"),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"));
    }

    // A server that takes the connection and says nothing: both commands give up after
    // --timeout, with a sentence.
    let silent = silent_server();
    let endpoint = format!("127.0.0.1:{}", silent.port);
    for command in [&["ats"][..], &["chain", "--connect"][..]] {
        let mut args = command.to_vec();
        args.extend([endpoint.as_str(), "--timeout", "1", "--json"]);
        let out = common::netlens(&args, b"");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command:?}: {stderr}");
        assert!(stderr.contains("within 1 s"), "{command:?}: {stderr}");
    }
    drop(silent);
}
