//! Mutual TLS and PKCS#12 identities, against the real thing: a rustls server on 127.0.0.1 that
//! requires client certificates from one CA, and PKCS#12 files written by `openssl pkcs12
//! -export` (OpenSSL 3's default AES, and `-legacy`) and by pyca/cryptography. `--connect` lists
//! the server's acceptable CAs; a matching identity connects, a wrong one is refused with the
//! alert said as a sentence; every file is opened, its key checked against its certificates,
//! and Apple's import verdict given; a wrong password is one sentence. Skips with a message when
//! `openssl` (or, for the pyca case, `target/pki-venv`) is missing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::servers::{folder, one_at_a_time, openssl_available, rustls_server_requiring_clients};
use netlens_testkit::{CertSpec, DAY, Issued, Key, KeyAlgorithm, issue, oid, self_signed};
use serde_json::Value;

struct Pki {
    server_root: Issued,
    server: Issued,
    client_ca: Issued,
    client: Issued,
    other_client: Issued,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn client_spec(name: &str) -> CertSpec {
    CertSpec {
        extended_key_usage: vec![oid::CLIENT_AUTH],
        dns_names: Vec::new(),
        emails: vec![format!("{name}@netlens.test")],
        ..CertSpec::leaf("unused").valid(now() - DAY, now() + 30 * DAY)
    }
}

fn pki() -> Pki {
    let key = |seed: &str| Key::generate(KeyAlgorithm::P256, seed).unwrap();
    let valid = |spec: CertSpec| spec.valid(now() - 10 * DAY, now() + 300 * DAY);
    let server_root = self_signed(
        &valid(CertSpec::ca("CN=mTLS Server Root", None)),
        key("mtls-server-root"),
    )
    .unwrap();
    let server = issue(
        &CertSpec::leaf("www.netlens.test").valid(now() - DAY, now() + 30 * DAY),
        key("mtls-server"),
        &server_root,
    )
    .unwrap();
    let client_ca = self_signed(
        &valid(CertSpec::ca("CN=mTLS Client CA", None)),
        key("mtls-client-ca"),
    )
    .unwrap();
    let other_ca = self_signed(
        &valid(CertSpec::ca("CN=Some Other CA", None)),
        key("mtls-other-ca"),
    )
    .unwrap();
    let client = issue(
        &CertSpec {
            subject: "CN=alice".into(),
            ..client_spec("alice")
        },
        key("mtls-alice"),
        &client_ca,
    )
    .unwrap();
    let other_client = issue(
        &CertSpec {
            subject: "CN=mallory".into(),
            ..client_spec("mallory")
        },
        key("mtls-mallory"),
        &other_ca,
    )
    .unwrap();
    Pki {
        server_root,
        server,
        client_ca,
        client,
        other_client,
    }
}

fn write_files(dir: &Path, p: &Pki) {
    let write = |name: &str, text: String| std::fs::write(dir.join(name), text).unwrap();
    write("server-root.pem", p.server_root.pem());
    write("client-ca.pem", p.client_ca.pem());
    write("alice.pem", p.client.pem());
    write("alice.key", p.client.key.pkcs8_pem().unwrap());
    write(
        "alice-chain.pem",
        format!("{}{}", p.client.pem(), p.client_ca.pem()),
    );
    write("mallory.pem", p.other_client.pem());
    write("mallory.key", p.other_client.key.pkcs8_pem().unwrap());
    write("password.txt", "s3cret-p12\n".into());
    write("wrong.txt", "not-the-password\n".into());
}

/// `openssl pkcs12 -export` of alice's key, certificate and CA into `name`, with `extra` flags.
fn openssl_p12(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = Command::new("openssl")
        .args([
            "pkcs12",
            "-export",
            "-inkey",
            "alice.key",
            "-in",
            "alice.pem",
            "-certfile",
            "client-ca.pem",
        ])
        .args(["-passout", "pass:s3cret-p12", "-out", name])
        .args(extra)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl pkcs12: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join(name)
}

fn netlens_json(args: &[&str]) -> (i32, Value, String) {
    let out = common::netlens(args, b"");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap(), json, stderr)
}

/// `netlens chain --connect` to the server with `client` args, trusting both roots.
fn connect(port: u16, dir: &Path, client: &[&str]) -> Value {
    let endpoint = format!("127.0.0.1:{port}");
    let server_root = dir.join("server-root.pem").display().to_string();
    let client_ca = dir.join("client-ca.pem").display().to_string();
    let mut args = vec![
        "chain",
        "--connect",
        &endpoint,
        "--host",
        "www.netlens.test",
        "--anchors",
        &server_root,
        "--anchors",
        &client_ca,
        "--no-builtin-roots",
        "--timeout",
        "5",
        "--json",
    ];
    args.extend(client);
    let (code, json, stderr) = netlens_json(&args);
    assert!(code < 2, "exit {code}: {stderr}");
    json
}

#[test]
fn a_server_requiring_client_certificates_lists_its_cas_and_judges_the_identity() {
    let _serial = one_at_a_time();
    if !openssl_available() {
        println!("SKIPPED: openssl is not installed (Debian: openssl)");
        return;
    }
    let dir = folder("mtls");
    let p = pki();
    write_files(&dir, &p);
    let p12 = openssl_p12(&dir, "alice.p12", &[]);
    let server = rustls_server_requiring_clients(
        std::slice::from_ref(&p.server.der),
        &p.server.key.pkcs8_pem().unwrap(),
        std::slice::from_ref(&p.client_ca.der),
    );

    // No identity: the request is recorded with the CA it takes, and the refusal said.
    let report = connect(server.port, &dir, &[]);
    let auth = &report["connection"]["client_auth"];
    assert_eq!(auth["requested"], true, "{report:#}");
    assert_eq!(
        auth["acceptable_cas"],
        serde_json::json!(["CN=mTLS Client CA"])
    );
    assert_eq!(auth["accepted"], false);
    assert!(
        auth["outcome"]
            .as_str()
            .unwrap()
            .contains("requires a client certificate"),
        "{auth:#}"
    );

    // alice's identity (PKCS#12 from openssl): accepted; its chain reaches the listed CA and
    // passes as a client certificate.
    let p12_arg = p12.display().to_string();
    let password = dir.join("password.txt").display().to_string();
    let report = connect(
        server.port,
        &dir,
        &["--client-identity", &p12_arg, "--password-file", &password],
    );
    let auth = &report["connection"]["client_auth"];
    assert_eq!(auth["accepted"], true, "{auth:#}");
    assert_eq!(auth["presented"], p12_arg.as_str());
    let client = &report["client_identity"];
    assert_eq!(client["reaches_acceptable_ca"], true, "{client:#}");
    assert_eq!(
        client["analysis"]["verdicts"]["rfc5280"], "pass",
        "{:#}",
        client["analysis"]["findings"]
    );
    assert_eq!(
        client["sends"],
        serde_json::json!(["alice"]),
        "the root is not sent"
    );

    // The same identity as PEM: accepted too.
    let (cert, key) = (
        dir.join("alice.pem").display().to_string(),
        dir.join("alice.key").display().to_string(),
    );
    let report = connect(
        server.port,
        &dir,
        &["--client-cert", &cert, "--client-key", &key],
    );
    assert_eq!(report["connection"]["client_auth"]["accepted"], true);

    // mallory's certificate from another CA: refused, said as a sentence, and the chain does
    // not reach the listed CA.
    let (cert, key) = (
        dir.join("mallory.pem").display().to_string(),
        dir.join("mallory.key").display().to_string(),
    );
    let report = connect(
        server.port,
        &dir,
        &["--client-cert", &cert, "--client-key", &key],
    );
    let auth = &report["connection"]["client_auth"];
    assert_eq!(auth["accepted"], false, "{auth:#}");
    let outcome = auth["outcome"].as_str().unwrap();
    assert!(outcome.contains("alert"), "{outcome}");
    assert!(
        !outcome.contains("AlertReceived"),
        "a sentence, not a debug dump: {outcome}"
    );
    assert_eq!(report["client_identity"]["reaches_acceptable_ca"], false);

    // The text report says it in words.
    let endpoint = format!("127.0.0.1:{}", server.port);
    let server_root = dir.join("server-root.pem").display().to_string();
    let out = common::netlens(
        &[
            "chain",
            "--connect",
            &endpoint,
            "--host",
            "www.netlens.test",
            "--anchors",
            &server_root,
            "--no-builtin-roots",
            "--timeout",
            "5",
            "--client-cert",
            &cert,
            "--client-key",
            &key,
        ],
        b"",
    );
    drop(server);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "Client certificate: the server asks for one; acceptable CAs: CN=mTLS Client CA"
        ),
        "{text}"
    );
    assert!(
        text.contains("No certificate of the client chain was issued by"),
        "{text}"
    );
}

/// What `netlens chain FILE.p12` says about a PKCS#12 file: JSON `pkcs12[0]`.
fn inspect(file: &Path, password: &Path) -> (i32, Value, String) {
    let (file, password) = (file.display().to_string(), password.display().to_string());
    let (code, json, stderr) = netlens_json(&[
        "chain",
        &file,
        "--password-file",
        &password,
        "--purpose",
        "client",
        "--json",
    ]);
    (code, json, stderr)
}

#[test]
fn pkcs12_files_from_openssl_and_pyca_open_with_their_key_checked_and_apples_verdict() {
    let _serial = one_at_a_time();
    if !openssl_available() {
        println!("SKIPPED: openssl is not installed (Debian: openssl)");
        return;
    }
    let dir = folder("pkcs12");
    let p = pki();
    write_files(&dir, &p);
    let password = dir.join("password.txt");

    // OpenSSL 3's default: PBES2 with AES-256 and a SHA-256 MAC, which some Apple releases refuse.
    let modern = openssl_p12(&dir, "modern.p12", &[]);
    let (code, report, stderr) = inspect(&modern, &password);
    assert!(code < 2, "{stderr}");
    let p12 = &report["pkcs12"][0];
    assert_eq!(p12["certificates"], 2, "{p12:#}");
    assert_eq!(
        p12["inspection"]["key_certificate"], 0,
        "the key is alice's"
    );
    assert_eq!(p12["inspection"]["apple_import"]["verdict"], "may_refuse");
    assert!(
        p12["inspection"]["apple_import"]["explanation"]
            .as_str()
            .unwrap()
            .contains("-legacy")
    );
    assert_eq!(p12["intermediates"], serde_json::json!([]), "{p12:#}");
    assert!(
        !report.to_string().contains("PRIVATE KEY"),
        "the key is never shown"
    );
    // The certificates were analyzed as a chain: alice is a client certificate.
    assert_eq!(report["chain_as_sent"].as_array().unwrap().len(), 2);

    // `netlens decode` opens it too: its two certificates decoded.
    let (code, decoded, stderr) = netlens_json(&[
        "decode",
        &modern.display().to_string(),
        "--password-file",
        &password.display().to_string(),
        "--json",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(decoded["certificates"].as_array().unwrap().len(), 2);
    assert!(
        stderr.contains("Apple: Some Apple releases refuse"),
        "{stderr}"
    );

    // -legacy: RC2-40 for the certificates, 3DES for the key, a SHA-1 MAC: Apple imports it.
    let legacy = openssl_p12(&dir, "legacy.p12", &["-legacy"]);
    let (code, report, stderr) = inspect(&legacy, &password);
    assert!(code < 2, "{stderr}");
    let inspection = &report["pkcs12"][0]["inspection"];
    assert_eq!(
        inspection["apple_import"]["verdict"], "imports",
        "{inspection:#}"
    );
    assert!(
        inspection["encryption"].to_string().contains("RC2"),
        "{inspection:#}"
    );
    assert_eq!(inspection["key_certificate"], 0);

    // Without a MAC (`-nomac`): read unchecked, said, and Apple's verdict names it.
    let nomac = openssl_p12(&dir, "nomac.p12", &["-legacy", "-nomac"]);
    let (code, report, stderr) = inspect(&nomac, &password);
    assert!(code < 2, "{stderr}");
    let inspection = &report["pkcs12"][0]["inspection"];
    assert_eq!(inspection["mac"], "none", "{inspection:#}");
    assert_eq!(inspection["apple_import"]["verdict"], "may_refuse");
    assert!(
        inspection["apple_import"]["explanation"]
            .as_str()
            .unwrap()
            .contains("missing MAC")
    );

    // A wrong password: one sentence, exit 2, no panic.
    let (code, _, stderr) = inspect(&legacy, &dir.join("wrong.txt"));
    assert_eq!(code, 2);
    assert!(stderr.contains("does not open it"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    // No password at all: said what to give.
    let (code, _, stderr) = netlens_json(&["chain", &legacy.display().to_string()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--password-file"), "{stderr}");

    // pyca/cryptography's PKCS#12 (BestAvailableEncryption).
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/pki-venv/bin/python");
    if !python.exists() {
        println!(
            "SKIPPED (pyca part): target/pki-venv is missing (`scripts/setup.sh test` makes it)"
        );
        return;
    }
    let script = r#"
import sys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
key = serialization.load_pem_private_key(open("alice.key", "rb").read(), None)
cert = x509.load_pem_x509_certificate(open("alice.pem", "rb").read())
ca = x509.load_pem_x509_certificate(open("client-ca.pem", "rb").read())
data = pkcs12.serialize_key_and_certificates(b"alice", key, cert, [ca], serialization.BestAvailableEncryption(b"s3cret-p12"))
open("pyca.p12", "wb").write(data)
"#;
    let out = Command::new(&python)
        .args(["-c", script])
        .current_dir(&*dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pyca: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (code, report, stderr) = inspect(&dir.join("pyca.p12"), &password);
    assert!(code < 2, "{stderr}");
    let inspection = &report["pkcs12"][0]["inspection"];
    assert_eq!(inspection["key_certificate"], 0, "{inspection:#}");
    assert_eq!(inspection["friendly_names"][0], "alice");
    assert!(
        ["may_refuse", "imports"]
            .contains(&inspection["apple_import"]["verdict"].as_str().unwrap())
    );
}
