//! `netlens make` against the real tools users check with: `openssl verify`, `s_server` and
//! `s_client` (also with a client identity), `openssl pkcs12` without `-legacy`,
//! pyca/cryptography and Python's plistlib (`scripts/check-made.py`), pkilint, a rustls server,
//! `netlens chain --connect` and `netlens ats`; and `netlens make serve` answering HTTP.
//!
//! The Python tools live in `target/pki-venv` (`scripts/setup.sh test` makes it); without it
//! those tests print SKIPPED and why. Everything listens on 127.0.0.1 and is stopped by PID.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod common;

use std::io::{BufRead as _, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::netlens;
use common::servers::{OpensslServer, folder, one_at_a_time, openssl_available, rustls_server};

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `netlens make ARGS --out DIR --password-file …` (password "test-pw").
fn make(dir: &Path, args: &[&str]) -> Output {
    let password = dir.with_extension("pw");
    std::fs::write(&password, "test-pw\n").unwrap();
    let mut all: Vec<String> = vec!["make".into()];
    all.extend(args.iter().map(|s| s.to_string()));
    all.extend([
        "--out".into(),
        dir.display().to_string(),
        "--password-file".into(),
        password.display().to_string(),
    ]);
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    let out = netlens(&refs, b"");
    let _ = std::fs::remove_file(&password);
    out
}

fn openssl(args: &[&str], dir: &Path) -> Output {
    Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn skip_without_openssl() -> bool {
    if openssl_available() {
        return false;
    }
    eprintln!("SKIPPED: openssl is not installed (scripts/setup.sh test installs it)");
    true
}

fn venv_python() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join("target/pki-venv/bin/python");
    if python.exists() {
        Some(python)
    } else {
        eprintln!(
            "SKIPPED: target/pki-venv is missing (pyca/cryptography and pkilint; `scripts/setup.sh test` makes it)"
        );
        None
    }
}

fn check_made(python: &Path, dir: &Path) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/check-made.py");
    let out = Command::new(python)
        .arg(script)
        .arg(dir)
        .arg("test-pw")
        .output()
        .unwrap();
    assert!(out.status.success(), "check-made.py: {}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_key_type_verifies_with_openssl() {
    if skip_without_openssl() {
        return;
    }
    for (key, ca) in [
        ("p256", "p256"),
        ("p384", "p384"),
        ("rsa2048", "rsa2048"),
        ("rsa3072", "p256"),
        ("ed25519", "p256"),
    ] {
        let dir = folder(&format!("make-keys-{key}"));
        let out = make(
            &dir.join("out"),
            &[
                "--name",
                "api.example.test",
                "--name",
                "192.168.1.20",
                "--client",
                "alice",
                "--key-type",
                key,
                "--ca-key-type",
                ca,
            ],
        );
        assert!(out.status.success(), "{key}: {}", text(&out));
        let d = dir.join("out");
        for args in [
            &[
                "verify",
                "-CAfile",
                "root.pem",
                "-untrusted",
                "ca.pem",
                "-purpose",
                "sslserver",
                "-verify_hostname",
                "api.example.test",
                "server.pem",
            ][..],
            &[
                "verify",
                "-CAfile",
                "root.pem",
                "-untrusted",
                "ca.pem",
                "-purpose",
                "sslserver",
                "-verify_ip",
                "192.168.1.20",
                "server.pem",
            ],
            &[
                "verify",
                "-CAfile",
                "root.pem",
                "-untrusted",
                "ca.pem",
                "-purpose",
                "sslclient",
                "client-alice.pem",
            ],
            &["verify", "-CAfile", "root.pem", "ca.pem"],
        ] {
            let o = openssl(args, &d);
            assert!(text(&o).contains(": OK"), "{key} {args:?}: {}", text(&o));
        }
    }
}

#[test]
fn fixtures_are_refused_by_openssl_or_judged_by_netlens() {
    if skip_without_openssl() {
        return;
    }
    let dir = folder("make-fixtures");
    let d = dir.join("out");
    let out = make(&d, &["--name", "api.example.test", "--fixture", "all"]);
    assert!(out.status.success(), "{}", text(&out));
    let verify = |fixture: &str, extra: &[&str], file: &str| {
        let path = format!("fixtures/{fixture}/{file}");
        let mut args = vec!["verify", "-CAfile", "root.pem"];
        args.extend_from_slice(extra);
        args.extend([
            "-purpose",
            "sslserver",
            "-verify_hostname",
            "api.example.test",
            path.as_str(),
        ]);
        text(&openssl(&args, &d))
    };
    let untrusted = ["-untrusted", "ca.pem"];
    for (fixture, refusal) in [
        ("expired", "certificate has expired"),
        ("not-yet-valid", "certificate is not yet valid"),
        ("wrong-host", "hostname mismatch"),
        ("no-serverauth", "unsuitable certificate purpose"),
    ] {
        let said = verify(fixture, &untrusted, "server.pem");
        assert!(said.contains(refusal), "{fixture}: {said}");
    }
    // The leaf alone, as a server that forgets its intermediate sends it.
    let said = verify("missing-intermediate", &[], "fullchain.pem");
    assert!(
        said.contains("unable to get local issuer certificate"),
        "{said}"
    );
    // OpenSSL accepts these two; netlens judges them for their stated reason.
    for (fixture, rule) in [
        ("over-825-days", "apple.validity-over-825-days"),
        ("sha1-signed", "apple.sha1-signature"),
    ] {
        assert!(verify(fixture, &untrusted, "server.pem").contains(": OK"));
        let chain = d.join(format!("fixtures/{fixture}/fullchain.pem"));
        let anchors = d.join("root.pem");
        let o = netlens(
            &[
                "chain",
                chain.to_str().unwrap(),
                "--anchors",
                anchors.to_str().unwrap(),
                "--no-builtin-roots",
                "--host",
                "api.example.test",
                "--json",
            ],
            b"",
        );
        assert_eq!(o.status.code(), Some(1), "{fixture}: {}", text(&o));
        let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(report["verdicts"]["apple"], "fail");
        assert!(
            report["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["rule"] == rule),
            "{fixture}"
        );
    }
}

#[test]
fn servers_with_the_identity_complete_handshakes() {
    if skip_without_openssl() {
        return;
    }
    let _guard = one_at_a_time();
    let dir = folder("make-servers");
    let d = dir.join("out");
    let out = make(&d, &["--name", "api.example.test", "--name", "127.0.0.1"]);
    assert!(out.status.success(), "{}", text(&out));
    let root = d.join("root.pem");
    let server = OpensslServer::start(
        &d.join("server.pem"),
        &d.join("server-key.pem"),
        Some(&d.join("ca.pem")),
        &[],
    );
    let port = server.port.to_string();
    let connect = format!("127.0.0.1:{port}");
    for name_check in [
        &[
            "-servername",
            "api.example.test",
            "-verify_hostname",
            "api.example.test",
        ][..],
        &["-verify_ip", "127.0.0.1"],
    ] {
        let mut args = vec![
            "s_client",
            "-connect",
            connect.as_str(),
            "-verify_return_error",
            "-CAfile",
            root.to_str().unwrap(),
        ];
        args.extend_from_slice(name_check);
        let o = openssl(&args, &d);
        assert!(
            text(&o).contains("Verify return code: 0 (ok)"),
            "{name_check:?}: {}",
            text(&o)
        );
    }
    for command in ["chain", "ats"] {
        let mut args = vec![command];
        if command == "chain" {
            args.push("--connect");
        }
        args.extend([
            connect.as_str(),
            "--sni",
            "api.example.test",
            "--anchors",
            root.to_str().unwrap(),
        ]);
        let o = netlens(&args, b"");
        assert_eq!(o.status.code(), Some(0), "netlens {command}: {}", text(&o));
    }
    drop(server);

    // A rustls server with the same identity.
    let fullchain = std::fs::read(d.join("fullchain.pem")).unwrap();
    let chain: Vec<Vec<u8>> = pem_blocks(&fullchain);
    let key = std::fs::read_to_string(d.join("server-key.pem")).unwrap();
    let rustls = rustls_server(
        &chain,
        &key,
        &[&rustls::version::TLS13, &rustls::version::TLS12],
    );
    let connect = format!("127.0.0.1:{}", rustls.port);
    let o = netlens(
        &[
            "chain",
            "--connect",
            &connect,
            "--sni",
            "api.example.test",
            "--anchors",
            root.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = openssl(
        &[
            "s_client",
            "-connect",
            &connect,
            "-servername",
            "api.example.test",
            "-verify_return_error",
            "-CAfile",
            root.to_str().unwrap(),
        ],
        &d,
    );
    assert!(
        text(&o).contains("Verify return code: 0 (ok)"),
        "{}",
        text(&o)
    );
}

fn pem_blocks(pem: &[u8]) -> Vec<Vec<u8>> {
    use base64::Engine as _;
    let text = String::from_utf8_lossy(pem);
    text.split("-----BEGIN CERTIFICATE-----")
        .skip(1)
        .filter_map(|b| b.split("-----END CERTIFICATE-----").next())
        .map(|b| {
            let body: String = b.split_whitespace().collect();
            base64::engine::general_purpose::STANDARD
                .decode(body)
                .unwrap()
        })
        .collect()
}

#[test]
fn a_server_accepts_the_client_identity() {
    if skip_without_openssl() {
        return;
    }
    let _guard = one_at_a_time();
    let dir = folder("make-mtls");
    let d = dir.join("out");
    let out = make(
        &d,
        &["--name", "api.example.test", "--client", "Alice Smith"],
    );
    assert!(out.status.success(), "{}", text(&out));
    let client_ca = [
        std::fs::read(d.join("ca.pem")).unwrap(),
        std::fs::read(d.join("root.pem")).unwrap(),
    ]
    .concat();
    std::fs::write(d.join("client-ca.pem"), client_ca).unwrap();
    let server = OpensslServer::start(
        &d.join("server.pem"),
        &d.join("server-key.pem"),
        Some(&d.join("ca.pem")),
        &[
            "-Verify",
            "2",
            "-verify_return_error",
            "-CAfile",
            d.join("client-ca.pem").to_str().unwrap(),
            "-tls1_2",
        ],
    );
    let connect = format!("127.0.0.1:{}", server.port);
    let handshake = |cert: &str, key: &str| {
        let o = openssl(
            &[
                "s_client",
                "-connect",
                &connect,
                "-servername",
                "api.example.test",
                "-CAfile",
                "root.pem",
                "-verify_return_error",
                "-cert",
                cert,
                "-key",
                key,
            ],
            &d,
        );
        (o.status.success(), text(&o))
    };
    let (ok, said) = handshake("client-alice-smith.pem", "client-alice-smith-key.pem");
    assert!(ok && said.contains("Verify return code: 0 (ok)"), "{said}");
    // An identity of another test CA is refused by the server.
    let other = dir.join("other");
    assert!(make(&other, &["--client", "mallory"]).status.success());
    let (ok, said) = handshake(
        other.join("client-mallory.pem").to_str().unwrap(),
        other.join("client-mallory-key.pem").to_str().unwrap(),
    );
    assert!(!ok, "a stranger's identity was accepted: {said}");
}

#[test]
fn pkcs12_reads_with_openssl_and_pyca() {
    if skip_without_openssl() {
        return;
    }
    let dir = folder("make-p12");
    for (format, encryption, mac) in [
        ("apple", "pbeWithSHA1And3-KeyTripleDES-CBC", "MAC: sha1"),
        ("modern", "PBES2, PBKDF2, AES-256-CBC", "MAC: sha256"),
    ] {
        let d = dir.join(format);
        let out = make(
            &d,
            &[
                "--name",
                "printer.local",
                "--client",
                "alice",
                "--pkcs12",
                format,
            ],
        );
        assert!(out.status.success(), "{}", text(&out));
        for p12 in ["server.p12", "client-alice.p12"] {
            // Without -legacy: OpenSSL 3's default provider reads both.
            let o = openssl(
                &[
                    "pkcs12",
                    "-info",
                    "-nokeys",
                    "-in",
                    p12,
                    "-passin",
                    "pass:test-pw",
                ],
                &d,
            );
            let said = text(&o);
            assert!(o.status.success(), "{format} {p12}: {said}");
            assert!(said.contains(mac), "{format} {p12}: {said}");
            assert_eq!(
                said.matches(encryption).count(),
                2,
                "{format} {p12}: {said}"
            );
            let o = openssl(
                &[
                    "pkcs12",
                    "-info",
                    "-nokeys",
                    "-in",
                    p12,
                    "-passin",
                    "pass:wrong",
                ],
                &d,
            );
            assert!(!o.status.success());
        }
        let Some(python) = venv_python() else { return };
        let facts = check_made(&python, &d);
        for p12 in ["server.p12", "client-alice.p12"] {
            let f = &facts["pkcs12"][p12];
            assert_eq!(f["key_matches"], true, "{format} {p12}");
            assert_eq!(f["extra_certificates"], 1, "{format} {p12}");
            assert_eq!(f["wrong_password_refused"], true, "{format} {p12}");
        }
        for key in ["server-key.pem", "ca-key.pem", "client-alice-key.pem"] {
            assert_eq!(facts["pem"][key]["matches"], true, "{key}");
        }
    }
}

#[test]
fn profiles_load_in_plistlib_with_uuids_stable_for_the_same_root() {
    let Some(python) = venv_python() else { return };
    let dir = folder("make-profiles");
    let keys = dir.join("keys");
    let first = dir.join("first");
    assert!(
        make(
            &first,
            &[
                "--name",
                "printer.local",
                "--client",
                "alice",
                "--at",
                "2026-12-07T10:00:00Z"
            ]
        )
        .status
        .success()
    );
    // The same keys (root-key.pem beside the others) and moment: the same root.
    std::fs::create_dir_all(&keys).unwrap();
    for role in ["root", "ca", "server"] {
        let o = Command::new("openssl")
            .args([
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
            ])
            .arg(keys.join(format!("{role}-key.pem")))
            .output();
        if o.is_err() {
            eprintln!("SKIPPED: openssl is not installed");
            return;
        }
    }
    let runs: Vec<serde_json::Value> = ["a", "b"]
        .iter()
        .map(|run| {
            let d = dir.join(run);
            let o = make(
                &d,
                &[
                    "--name",
                    "printer.local",
                    "--keys",
                    keys.to_str().unwrap(),
                    "--at",
                    "2026-12-07T10:00:00Z",
                ],
            );
            assert!(o.status.success(), "{}", text(&o));
            check_made(&python, &d)
        })
        .collect();
    let root_profile = |facts: &serde_json::Value| facts["profiles"]["root.mobileconfig"].clone();
    let (a, b) = (root_profile(&runs[0]), root_profile(&runs[1]));
    assert_eq!(a["type"], "Configuration");
    assert_eq!(a["payloads"][0]["type"], "com.apple.security.root");
    assert_eq!(a["payloads"][0]["is_root_cer"], true);
    assert_eq!(a["uuid"], b["uuid"], "the same root keeps its profile UUID");
    assert_eq!(a["payloads"][0]["uuid"], b["payloads"][0]["uuid"]);
    assert!(
        a["display_name"]
            .as_str()
            .unwrap()
            .contains("only for printer.local"),
        "{a}"
    );
    assert_eq!(
        std::fs::read(dir.join("a/root.cer")).unwrap(),
        std::fs::read(dir.join("b/root.cer")).unwrap()
    );
    // Another root: other UUIDs.
    let other = root_profile(&check_made(&python, &first));
    assert_ne!(a["uuid"], other["uuid"]);
    let client = &check_made(&python, &first)["profiles"]["client-alice.mobileconfig"];
    assert_eq!(client["payloads"][0]["type"], "com.apple.security.pkcs12");
}

/// pkilint's findings on server leaves that no client enforces on a private root, each with
/// why: a test CA is not a public CA.
const CA_DUTIES: &[(&str, &str)] = &[
    (
        "cabf.serverauth.certificate_validity_period_exceeds_",
        "the CA/B Forum schedule binds public CAs; Apple's 398 days apply to public roots only",
    ),
    (
        "cabf.serverauth.dv.common_name_attribute_present",
        "the CN is NOT RECOMMENDED, not forbidden; clients ignore it when the SAN is there",
    ),
    (
        "cabf.serverauth.subscriber.revocation_information_absent",
        "a test CA runs no OCSP responder or CRL",
    ),
    (
        "msft.end_entity.revocation_information_absent",
        "the same, in Microsoft's root program",
    ),
    (
        "cabf.serverauth.subscriber.authority_info_access_extension_absent",
        "no OCSP responder, no issuer URL to fetch from",
    ),
    (
        "cabf.serverauth.subscriber.certificate_policies_extension_absent",
        "policy OIDs assert CA/B validation, which a test CA does not do",
    ),
    (
        "cabf.internal_domain_name",
        "public CAs may not certify .local or test names; a test CA is for exactly those",
    ),
    ("cabf.internal_ip_address", "the same for private addresses"),
    (
        "pkix.certificate_skid_end_entity_missing",
        "RFC 5280 SHOULD, CA/B profile NOT RECOMMENDED; no client reads it",
    ),
];

#[test]
fn pkilint_finds_nothing_clients_enforce() {
    let Some(python) = venv_python() else { return };
    let bin = python.parent().unwrap();
    let dir = folder("make-pkilint");
    for key in ["p256", "p384", "rsa2048", "ed25519"] {
        let d = dir.join(key);
        assert!(
            make(
                &d,
                &[
                    "--name",
                    "printer.local",
                    "--name",
                    "192.168.1.20",
                    "--key-type",
                    key
                ]
            )
            .status
            .success()
        );
        let mut codes = Vec::new();
        for (linter, args) in [
            (
                "lint_cabf_serverauth_cert",
                &["lint", "-t", "DV-FINAL-CERTIFICATE", "-f", "JSON"][..],
            ),
            ("lint_pkix_cert", &["lint", "-f", "JSON"]),
        ] {
            let o = Command::new(bin.join(linter))
                .args(args)
                .arg(d.join("server.pem"))
                .output()
                .unwrap();
            let report: serde_json::Value = serde_json::from_slice(&o.stdout)
                .unwrap_or_else(|e| panic!("{linter}: {e}: {}", text(&o)));
            for result in report["results"].as_array().unwrap() {
                for f in result["finding_descriptions"].as_array().unwrap() {
                    codes.push(f["code"].as_str().unwrap().to_owned());
                }
            }
        }
        for code in &codes {
            let duty = CA_DUTIES.iter().any(|(prefix, _)| code.starts_with(prefix));
            // Ed25519 server keys: the CA/B profile forbids them and browsers do not support
            // them; netlens warns (ats.ed25519-key) and makes them only on request.
            let ed25519 = key == "ed25519"
                && code == "cabf.serverauth.prohibited_subject_public_key_algorithm_encoding";
            assert!(duty || ed25519, "{key}: pkilint {code} is not a CA duty");
        }
        assert!(
            !codes.is_empty(),
            "pkilint said nothing at all: is it running?"
        );
    }
}

#[test]
fn bad_input_exits_2_with_one_sentence() {
    let dir = folder("make-bad");
    let first = dir.join("first");
    assert!(make(&first, &["--name", "a.example.test"]).status.success());
    let other_key = dir.join("other");
    assert!(
        make(&other_key, &["--name", "b.example.test"])
            .status
            .success()
    );
    let ca_cert = first.join("ca.pem");
    let stranger = other_key.join("ca-key.pem");
    for (args, needle) in [
        (vec!["--name", "bad_name.test"], "not a valid host name"),
        (
            vec!["--name", "a.test", "--days", "900"],
            "apple.validity-over-825-days",
        ),
        (
            vec!["--name", "a.test", "--key-type", "rsa1024"],
            "not a key type",
        ),
        (
            vec!["--name", "a.test", "--fixture", "bogus"],
            "not a fixture",
        ),
        (
            vec!["--name", "Printer._ipp._tcp.local."],
            "service instance name",
        ),
        (
            vec![
                "--name",
                "a.test",
                "--ca-cert",
                ca_cert.to_str().unwrap(),
                "--ca-key",
                stranger.to_str().unwrap(),
            ],
            "is not the key of the CA certificate",
        ),
        (vec![], "Enter at least one name"),
    ] {
        let out_dir = dir.join(format!("out-{}", needle.len()));
        let o = make(&out_dir, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o));
        let said = String::from_utf8_lossy(&o.stderr);
        assert!(said.contains(needle), "{args:?}: {said}");
        assert_eq!(said.trim_end().lines().count(), 1, "one sentence: {said}");
        assert!(!out_dir.join("server.pem").exists());
    }
    // Files are never replaced.
    let o = make(&first, &["--name", "a.example.test"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("already exists"));
    // Re-issuing from the CA made first works.
    let again = dir.join("again");
    let ca_key = first.join("ca-key.pem");
    let o = make(
        &again,
        &[
            "--name",
            "www.a.example.test",
            "--ca-cert",
            ca_cert.to_str().unwrap(),
            "--ca-key",
            ca_key.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
}

/// Reads a terminal QR code (light modules drawn as half blocks) with zbarimg: the lines become
/// a PGM image, 8 pixels a module. `None` (with a SKIPPED line) when zbar is not installed.
fn decode_qr(lines: &[&str], dir: &Path) -> Option<String> {
    if Command::new("zbarimg").arg("--version").output().is_err() {
        eprintln!(
            "SKIPPED: reading the QR code back (zbarimg is not installed; scripts/setup.sh test installs zbar-tools)"
        );
        return None;
    }
    const SCALE: usize = 8;
    let width = lines.iter().map(|l| l.chars().count()).max()?;
    let mut rows: Vec<Vec<u8>> = Vec::new();
    for line in lines {
        let (mut top, mut bottom) = (Vec::new(), Vec::new());
        for c in line.chars().chain(std::iter::repeat(' ')).take(width) {
            let (t, b) = match c {
                '█' => (255, 255),
                '▀' => (255, 0),
                '▄' => (0, 255),
                _ => (0, 0),
            };
            top.extend(std::iter::repeat_n(t, SCALE));
            bottom.extend(std::iter::repeat_n(b, SCALE));
        }
        rows.extend(std::iter::repeat_n(top, SCALE));
        rows.extend(std::iter::repeat_n(bottom, SCALE));
    }
    // A white margin around it, as printed on a page.
    let margin = 4 * SCALE;
    let (w, h) = (width * SCALE + 2 * margin, rows.len() + 2 * margin);
    let mut pgm = format!("P5\n{w} {h}\n255\n").into_bytes();
    pgm.extend(std::iter::repeat_n(255u8, w * margin));
    for row in rows {
        pgm.extend(std::iter::repeat_n(255u8, margin));
        pgm.extend(row);
        pgm.extend(std::iter::repeat_n(255u8, margin));
    }
    pgm.extend(std::iter::repeat_n(255u8, w * margin));
    let file = dir.join("qr.pgm");
    std::fs::write(&file, pgm).unwrap();
    let out = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "zbarimg read no QR code: {}",
        text(&out)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn make_serve_offers_the_profile_over_http() {
    let dir = folder("make-serve");
    let d = dir.join("out");
    assert!(make(&d, &["--name", "printer.local"]).status.success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_netlens"))
        .args([
            "make",
            "serve",
            d.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    struct Stop(std::process::Child);
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let _stop = Stop(child);
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let base = first.split_whitespace().last().unwrap().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{first}");
    let mut banner = String::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !banner.contains("Ctrl-C") && Instant::now() < deadline {
        stdout.read_line(&mut banner).unwrap();
    }
    assert!(
        banner.contains(&format!("{base}root.mobileconfig")),
        "{banner}"
    );
    assert!(
        banner.contains('█') && banner.contains('▀'),
        "a QR code: {banner}"
    );
    assert!(!banner.contains('\x1b'), "no escape codes when piped");
    // The QR code reads back as the profile's address (zbar, when installed).
    let qr: Vec<&str> = banner
        .lines()
        .filter(|l| !l.trim().is_empty() && l.chars().all(|c| "█▀▄ ".contains(c)))
        .collect();
    if let Some(decoded) = decode_qr(&qr, &dir) {
        assert_eq!(decoded.trim(), format!("{base}root.mobileconfig"));
    }
    let addr = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let get = |path: &str| {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
        let mut reply = Vec::new();
        s.read_to_end(&mut reply).unwrap();
        let split = reply.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        (
            String::from_utf8_lossy(&reply[..split]).to_string(),
            reply[split + 4..].to_vec(),
        )
    };
    let (head, body) = get("/root.mobileconfig");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.contains("Content-Type: application/x-apple-aspen-config"),
        "{head}"
    );
    assert_eq!(body, std::fs::read(d.join("root.mobileconfig")).unwrap());
    let (head, body) = get("/root.cer");
    assert!(
        head.contains("Content-Type: application/x-x509-ca-cert"),
        "{head}"
    );
    assert_eq!(body, std::fs::read(d.join("root.cer")).unwrap());
    let (head, body) = get("/");
    assert!(head.contains("text/html"));
    assert!(String::from_utf8_lossy(&body).contains("Certificate Trust Settings"));
    // Keys and identities are not served.
    for path in [
        "/server-key.pem",
        "/server.p12",
        "/../server-key.pem",
        "/ca-key.pem",
    ] {
        let (head, _) = get(path);
        assert!(head.starts_with("HTTP/1.1 404"), "{path}: {head}");
    }
}
