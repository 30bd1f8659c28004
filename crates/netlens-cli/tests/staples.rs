//! What a live server sends beside its certificates: `openssl s_server` on 127.0.0.1 delivering
//! SCTs in the TLS extension (`-serverinfo`, signed by test logs) and an OCSP response made by
//! `openssl ocsp` (`-status_file`). `netlens chain --connect` and `netlens ats` count the SCTs
//! by their source and decode the staple; the same server without them fails Apple's CT policy,
//! and the report says the handshake was looked at. Skips with a message when `openssl` is
//! missing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod common;

use std::path::Path;
use std::process::Command;

use common::servers::{OpensslServer, folder, one_at_a_time, openssl_available};
use netlens_testkit::staple::{self, TestLog};
use netlens_testkit::{CertSpec, DAY, Key, KeyAlgorithm, issue, self_signed};
use serde_json::Value;

/// A root, a leaf valid around now without embedded SCTs, two test logs of two operators with
/// their log list, an SCT list for the leaf, and an OCSP response from `openssl ocsp`.
fn files(dir: &Path) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let root = self_signed(
        &CertSpec::ca("CN=Staples Test Root", None),
        Key::generate(KeyAlgorithm::P256, "cli-staples-root").unwrap(),
    )
    .unwrap();
    let leaf = issue(
        &CertSpec::leaf("www.netlens.test")
            .serial(&[0x42, 0x01])
            .valid(now - 10 * DAY, now + 80 * DAY),
        Key::generate(KeyAlgorithm::P256, "cli-staples-leaf").unwrap(),
        &root,
    )
    .unwrap();
    let logs = [
        TestLog::new("Operator A", "cli-log-a").unwrap(),
        TestLog::new("Operator B", "cli-log-b").unwrap(),
    ];
    let scts: Vec<Vec<u8>> = logs
        .iter()
        .map(|l| l.sct(&leaf.der, (now as u64 - 86_400) * 1000).unwrap())
        .collect();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    write("root.pem", root.pem().as_bytes());
    write("root.key", root.key.pkcs8_pem().unwrap().as_bytes());
    write("leaf.pem", leaf.pem().as_bytes());
    write("leaf.key", leaf.key.pkcs8_pem().unwrap().as_bytes());
    write(
        "serverinfo.pem",
        staple::serverinfo_pem(&staple::sct_list(&scts).unwrap())
            .unwrap()
            .as_bytes(),
    );
    write(
        "log_list.json",
        staple::log_list_json("1", &[&logs[0], &logs[1]])
            .unwrap()
            .as_bytes(),
    );
    // The same logs for `openssl s_client -ct` (which needs a log list to print SCTs at all).
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    write(
        "ct_log_list.cnf",
        format!(
            "enabled_logs = a,b\n[a]\ndescription = A\nkey = {}\n[b]\ndescription = B\nkey = {}\n",
            b64.encode(logs[0].spki_der().unwrap()),
            b64.encode(logs[1].spki_der().unwrap())
        )
        .as_bytes(),
    );
    // `openssl ocsp` as a responder over a CA index holding the leaf as valid.
    let expiry = "491231235959Z";
    write(
        "index.txt",
        format!("V\t{expiry}\t\t4201\tunknown\t/CN=www.netlens.test\n").as_bytes(),
    );
    let status = Command::new("openssl")
        .args([
            "ocsp",
            "-index",
            "index.txt",
            "-rsigner",
            "root.pem",
            "-rkey",
            "root.key",
        ])
        .args([
            "-CA", "root.pem", "-issuer", "root.pem", "-cert", "leaf.pem",
        ])
        .args(["-respout", "ocsp.der", "-ndays", "7"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        dir.join("ocsp.der").exists(),
        "openssl ocsp: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

fn server(dir: &Path, staples: bool) -> OpensslServer {
    let serverinfo = dir.join("serverinfo.pem").display().to_string();
    let status = dir.join("ocsp.der").display().to_string();
    let args: Vec<&str> = if staples {
        vec!["-serverinfo", &serverinfo, "-status_file", &status]
    } else {
        Vec::new()
    };
    OpensslServer::start(&dir.join("leaf.pem"), &dir.join("leaf.key"), None, &args)
}

/// `netlens COMMAND 127.0.0.1:PORT …` trusting the test root as a public one (Apple's CT
/// policy applies) with the test logs' list: exit code and JSON report.
fn netlens(command: &str, port: u16, dir: &Path) -> (i32, Value) {
    let endpoint = format!("127.0.0.1:{port}");
    let root = dir.join("root.pem").display().to_string();
    let list = dir.join("log_list.json").display().to_string();
    let mut args = vec![command];
    if command == "chain" {
        args.push("--connect");
    }
    args.extend([
        endpoint.as_str(),
        "--host",
        "www.netlens.test",
        "--anchors",
        &root,
        "--anchors-are-public",
        "--no-builtin-roots",
        "--ct-log-list",
        &list,
        "--timeout",
        "5",
        "--json",
    ]);
    let out = common::netlens(&args, b"");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{command}: {e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), report)
}

fn rules(findings: &Value) -> Vec<&str> {
    findings
        .as_array()
        .unwrap_or_else(|| panic!("not a list of findings: {findings:#}"))
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect()
}

#[test]
fn scts_and_the_ocsp_staple_from_the_handshake_count_by_their_source() {
    let _serial = one_at_a_time();
    if !openssl_available() {
        println!("SKIPPED: openssl is not installed (Debian: openssl)");
        return;
    }
    let dir = folder("staples");
    files(&dir);

    let with = server(&dir, true);
    let (code, report) = netlens("chain", with.port, &dir);
    let (ats_code, ats) = netlens("ats", with.port, &dir);
    // The same server as `openssl s_client -ct -status` prints it, pasted into `netlens chain -`
    // (TLS 1.2: `-serverinfo` in the v1 form sends the extension in the ServerHello only).
    let s_client = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{}", with.port),
            "-ct",
            "-status",
        ])
        .args(["-ctlogfile", "ct_log_list.cnf", "-noservername", "-tls1_2"])
        .current_dir(&*dir)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    drop(with);
    let printed = String::from_utf8_lossy(&s_client.stdout).into_owned();
    assert!(
        printed.contains("Signed Certificate Timestamp:"),
        "{printed}"
    );
    let (root, list) = (
        dir.join("root.pem").display().to_string(),
        dir.join("log_list.json").display().to_string(),
    );
    let offline = common::netlens(
        &[
            "chain",
            "-",
            "--host",
            "www.netlens.test",
            "--anchors",
            &root,
            "--anchors-are-public",
            "--no-builtin-roots",
            "--ct-log-list",
            &list,
            "--json",
        ],
        printed.as_bytes(),
    );
    let offline: Value = serde_json::from_slice(&offline.stdout).unwrap();
    let offline_ct = &offline["ct"];
    assert_eq!(offline_ct["apple"]["compliant"], true, "{offline_ct:#}");
    let offline_scts = offline_ct["scts"].as_array().unwrap();
    assert_eq!(offline_scts.len(), 2, "{offline_ct:#}");
    assert!(
        offline_scts
            .iter()
            .all(|s| s["source"] == "supplied" && s["signature"] == "valid"),
        "{offline_ct:#}"
    );
    assert_eq!(code, 0, "{:#?}", report["findings"]);
    let ct = &report["ct"];
    assert_eq!(ct["apple"]["compliant"], true, "{ct:#}");
    let scts = ct["scts"].as_array().unwrap();
    assert_eq!(scts.len(), 2, "{ct:#}");
    for sct in scts {
        assert_eq!(sct["source"], "tls_extension");
        assert_eq!(sct["signature"], "valid");
        assert_eq!(sct["counts"], true);
    }
    let sources = ct["sources"].as_array().unwrap();
    assert!(
        sources
            .iter()
            .any(|s| s["source"] == "tls_extension" && s["examined"] == true)
    );
    let ocsp = &report["ocsp"][0];
    assert_eq!(ocsp["cert_status"], "good", "{ocsp:#}");
    assert_eq!(ocsp["signature_valid"], true);
    assert_eq!(ocsp["signed_by"], "issuer");
    assert!(ocsp["problems"].as_array().unwrap().is_empty(), "{ocsp:#}");
    assert!(
        !rules(&report["findings"])
            .iter()
            .any(|r| r.starts_with("apple.ct-"))
    );
    // ATS: the certificate half passes on the SCTs of the extension.
    assert_eq!(
        ats["certificate"]["result"], "pass",
        "{:#}",
        ats["certificate"]
    );
    assert_eq!(ats_code, 0, "{ats:#}");

    // The same server without SCTs and staple: Apple's CT policy fails, and the report says
    // the handshake was looked at (not that nobody looked).
    let without = server(&dir, false);
    let (code, report) = netlens("chain", without.port, &dir);
    let (_, ats) = netlens("ats", without.port, &dir);
    drop(without);
    assert_eq!(code, 1);
    let finding = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "apple.ct-insufficient-scts")
        .unwrap_or_else(|| panic!("{:#}", report["findings"]));
    let message = finding["message"].as_str().unwrap();
    assert!(message.contains("TLS extension: looked at"), "{message}");
    assert!(
        message.contains("stapled OCSP response: looked at"),
        "{message}"
    );
    assert!(report["ocsp"].as_array().unwrap().is_empty());
    assert_eq!(ats["certificate"]["result"], "fail");
    assert!(
        ats["summary"]
            .as_str()
            .unwrap()
            .contains("apple.ct-insufficient-scts"),
        "{}",
        ats["summary"]
    );
}
