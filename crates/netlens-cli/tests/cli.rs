//! The `netlens` binary, run as a user runs it, on the committed fixtures.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod common;
use common::{fixture, netlens};

#[test]
fn decode_text_output_lists_every_certificate() {
    let out = netlens(
        &["decode", &fixture("demo-chain.pem"), "--at", "2026-06-01"],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("3 certificates decoded (validity judged at 2026-06-01T00:00:00Z)"));
    for expected in [
        "[0] www.netlens.test",
        "[1] Netlens Test Issuing CA 1",
        "[2] Netlens Test Root CA",
        "DNS:www.netlens.test, DNS:netlens.test, IP:192.0.2.10, IP:2001:db8::10",
        "expires in 245 days",
        "RSA 4096 bits, exponent 65537",
        "Embedded SCTs         3",
        "SPKI SHA-256 pin",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

#[test]
fn decode_json_is_the_core_report() {
    let out = netlens(
        &[
            "decode",
            &fixture("demo-chain.p7b"),
            &fixture("demo-leaf.der"),
            "--json",
            "--at",
            "1780272000",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let certs = report["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 4);
    assert_eq!(certs[0]["format"], "PKCS#7 bundle (DER)");
    assert_eq!(certs[3]["format"], "DER");
    assert_eq!(certs[3]["location"]["source"], fixture("demo-leaf.der"));
    assert_eq!(certs[0]["fingerprints"], certs[3]["fingerprints"]);
    assert_eq!(report["decoded_at"], "2026-06-01T00:00:00Z");
}

#[test]
fn decode_reads_stdin() {
    let pem = std::fs::read(fixture("demo-chain.pem")).unwrap();
    let out = netlens(&["decode", "-", "--json"], &pem);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["certificates"].as_array().unwrap().len(), 3);
    assert!(report["certificates"][0]["location"]["source"].is_null());
}

#[test]
fn exit_status_tells_errors_from_unusable_input() {
    let out = netlens(&["decode", "-"], b"definitely not a certificate");
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("no certificate found"), "{text}");

    let mut mixed = std::fs::read(fixture("demo-chain.pem")).unwrap();
    mixed.extend_from_slice(b"-----BEGIN CERTIFICATE-----\nMIIB!!\n-----END CERTIFICATE-----\n");
    let out = netlens(&["decode", "-"], &mixed);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stdout).unwrap().contains("block 4"));

    let out = netlens(&["decode", "/nonexistent/chain.pem"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("cannot read /nonexistent/chain.pem")
    );

    let out = netlens(&["decode", "-", "--at", "yesterday"], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn oversized_stdin_is_refused_without_reading_it_all() {
    let big = vec![b'A'; netlens_x509::limits::MAX_INPUT_BYTES + 100];
    let out = netlens(&["decode", "-"], &big);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("input refused")
    );
}
