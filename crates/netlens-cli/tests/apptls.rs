//! `netlens tls error`, `netlens ats --info-plist` (alone, and against real `openssl s_server`
//! servers on 127.0.0.1) and `netlens pins`: what an app developer holds, read by the CLI.
//! Binary plists come from CPython's `plistlib`; the `openssl` and `python3` cases skip with a
//! message when the tool is missing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod common;

use common::servers::{OpensslServer, demo_chain_files, folder, one_at_a_time, openssl_available};
use serde_json::Value;

fn json(args: &[&str], stdin: &[u8]) -> (i32, Value) {
    let out = common::netlens(args, stdin);
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "no JSON from {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), report)
}

fn rules(findings: &Value) -> Vec<String> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn tls_error_explains_words_and_standard_input() {
    let (code, report) = json(&["tls", "error", "-9813", "--json"], b"");
    assert_eq!(code, 0);
    assert_eq!(report["recognised"][0]["name"], "errSSLNoRootCert");
    let console = b"Connection 1: default TLS Trust evaluation failed(-9807)\nTask <96AF05AA>.<1> HTTP load failed, 0/0 bytes (error code: -1202 [3:-9807])\n";
    let (code, report) = json(&["tls", "error", "-", "--json"], console);
    assert_eq!(code, 0);
    let names: Vec<&str> = report["recognised"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "default TLS Trust evaluation failed",
            "errSSLXCertChainInvalid",
            "NSURLErrorServerCertificateUntrusted"
        ]
    );
    assert_eq!(report["next_steps"][0], "analyse_chain");
    let out = common::netlens(&["tls", "error", "hello", "world"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("recognised no TLS error"));
    let out = common::netlens(&["tls", "error", "(-9870)"], b"");
    assert!(String::from_utf8_lossy(&out.stdout).contains("does not know it"));
}

const PLIST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>CFBundleIdentifier</key>
	<string>com.example.app</string>
	<!-- ATS: the test server is old -->
	<key>NSAppTransportSecurity</key>
	<dict>
		<key>NSExceptionDomains</key>
		<dict>
			<key>www.netlens.test</key>
			<dict>
				<key>NSExceptionMinimumTLSVersion</key>
				<string>TLSv1.1</string>
			</dict>
		</dict>
		<key>NSAllowArbitraryLoads</key>
		<true/>
	</dict>
</dict>
</plist>
"#;

#[test]
fn ats_lints_an_info_plist_xml_and_binary() {
    let dir = folder("apptls-lint");
    let xml = dir.join("Info.plist");
    std::fs::write(&xml, PLIST).unwrap();
    let (code, report) = json(
        &["ats", "--info-plist", xml.to_str().unwrap(), "--json"],
        b"",
    );
    assert_eq!(code, 1, "a misspelled key is an error: {report:#}");
    let found = rules(&report["findings"]);
    assert!(
        found.contains(&"app.ats-unknown-key".to_owned()),
        "{found:?}"
    );
    assert!(found.contains(&"app.ats-old-tls".to_owned()), "{found:?}");
    let unknown = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "app.ats-unknown-key")
        .unwrap();
    assert!(
        unknown["message"]
            .as_str()
            .unwrap()
            .contains("did you mean NSAllowsArbitraryLoads")
    );

    let python = std::process::Command::new("python3")
        .args([
            "-c",
            "import plistlib,sys; d=plistlib.loads(open(sys.argv[1],'rb').read()); open(sys.argv[2],'wb').write(plistlib.dumps(d, fmt=plistlib.FMT_BINARY))",
            xml.to_str().unwrap(),
            dir.join("Info.bplist").to_str().unwrap(),
        ])
        .status();
    match python {
        Ok(s) if s.success() => {
            let (code, binary) = json(
                &[
                    "ats",
                    "--info-plist",
                    dir.join("Info.bplist").to_str().unwrap(),
                    "--json",
                ],
                b"",
            );
            assert_eq!(code, 1);
            assert_eq!(
                binary["settings"], report["settings"],
                "binary and XML read the same"
            );
            let (mut a, mut b) = (rules(&binary["findings"]), found.clone());
            a.sort();
            b.sort();
            assert_eq!(a, b, "plistlib sorts keys; the findings are the same");
        }
        _ => println!("SKIPPED (binary plist): python3 with plistlib is not available"),
    }
    // Not a plist at all, and a truncated one: one sentence, exit 2.
    std::fs::write(dir.join("bad.plist"), &PLIST[..200]).unwrap();
    let out = common::netlens(
        &[
            "ats",
            "--info-plist",
            dir.join("bad.plist").to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ends inside") && err.lines().count() == 1,
        "{err}"
    );
}

#[test]
fn ats_with_the_app_info_plist_against_real_servers() {
    let _serial = one_at_a_time();
    if !openssl_available() {
        println!("SKIPPED: openssl is not installed (Debian: openssl)");
        return;
    }
    let dir = folder("apptls-ats");
    demo_chain_files(&dir);
    let root = dir.join("root.pem");
    let (leaf, key, intermediate) = (
        dir.join("leaf.pem"),
        dir.join("leaf.key"),
        dir.join("intermediate.pem"),
    );
    let plist = dir.join("Info.plist");
    std::fs::write(
        &plist,
        PLIST.replace("<key>NSAllowArbitraryLoads</key>\n\t\t<true/>\n", ""),
    )
    .unwrap();
    let run = |port: u16| {
        json(
            &[
                "ats",
                &format!("127.0.0.1:{port}"),
                "--sni",
                "www.netlens.test",
                "--anchors",
                root.to_str().unwrap(),
                "--no-builtin-roots",
                "--at",
                "2026-06-01T00:00:00Z",
                "--timeout",
                "5",
                "--info-plist",
                plist.to_str().unwrap(),
                "--json",
            ],
            b"",
        )
    };
    // A modern server: the app connects, and its TLS 1.1 exception is no longer needed.
    let server = OpensslServer::start(&leaf, &key, Some(&intermediate), &[]);
    let (code, report) = run(server.port);
    drop(server);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["app"]["connects"], true);
    assert_eq!(report["app"]["policy"]["exception"], "www.netlens.test");
    assert!(rules(&report["app"]["findings"]).contains(&"app.ats-exception-not-needed".to_owned()));
    // TLS 1.0 only: the app's TLS 1.1 minimum does not reach it.
    let server = OpensslServer::start(
        &leaf,
        &key,
        Some(&intermediate),
        &["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"],
    );
    let (code, report) = run(server.port);
    drop(server);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(report["app"]["connects"], false);
    let blocks = report["app"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "app.ats-blocks")
        .expect("app.ats-blocks");
    assert!(
        blocks["message"]
            .as_str()
            .unwrap()
            .contains("NSExceptionMinimumTLSVersion = TLSv1.0"),
        "{blocks}"
    );
}

#[test]
fn pins_list_write_and_check_rotation() {
    let dir = folder("apptls-pins");
    demo_chain_files(&dir);
    let chain = std::fs::read_to_string(dir.join("leaf.pem")).unwrap()
        + &std::fs::read_to_string(dir.join("intermediate.pem")).unwrap();
    std::fs::write(dir.join("chain.pem"), &chain).unwrap();
    let (code, report) = json(
        &[
            "pins",
            dir.join("chain.pem").to_str().unwrap(),
            "--host",
            "www.netlens.test",
            "--json",
        ],
        b"",
    );
    assert_eq!(code, 0);
    let ca_pin = report["certificates"][1]["spki_sha256_base64"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(report["recommended"][0], ca_pin.as_str());
    // The fragment it wrote, checked against the same chain: it connects.
    let fragment = report["fragments"]["ns_pinned_domains"].as_str().unwrap();
    std::fs::write(dir.join("pins.plist"), fragment).unwrap();
    let (code, check) = json(
        &[
            "pins",
            dir.join("chain.pem").to_str().unwrap(),
            "--check",
            dir.join("pins.plist").to_str().unwrap(),
            "--host",
            "www.netlens.test",
            "--json",
        ],
        b"",
    );
    assert_eq!(code, 0, "{check:#}");
    assert_eq!(check["connects"], true);
    // A leaf pin set breaks when the leaf alone is the next chain's other key: here the next
    // chain is the root alone, which matches neither pin.
    let leaf_pin = report["certificates"][0]["spki_sha256_base64"]
        .as_str()
        .unwrap();
    std::fs::write(dir.join("leaf-pins.txt"), format!("sha256/{leaf_pin}\n")).unwrap();
    let (code, check) = json(
        &[
            "pins",
            dir.join("chain.pem").to_str().unwrap(),
            "--check",
            dir.join("leaf-pins.txt").to_str().unwrap(),
            "--next",
            dir.join("root.pem").to_str().unwrap(),
            "--json",
        ],
        b"",
    );
    assert_eq!(code, 1);
    assert_eq!(check["connects_after_rotation"], false);
    let found = rules(&check["findings"]);
    assert!(
        found.contains(&"app.pin-rotation-breaks".to_owned())
            && found.contains(&"app.pin-no-backup".to_owned()),
        "{found:?}"
    );
}
