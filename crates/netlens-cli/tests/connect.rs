//! `netlens chain --connect` against real TLS servers on 127.0.0.1: Debian's `openssl s_server`
//! with the test kit's demo chain (leaf only, then leaf and intermediate), an echo server, an
//! HTTP server and a port nobody listens on. Every server is stopped when its test ends; every
//! wait is bounded. Skips with a message when `openssl` is missing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The tests of this file run one at a time: each picks free ports, and two picking at once
/// could get the same one.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the server on {port} did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The demo chain's files in a fresh folder: leaf, its key, intermediate, root.
fn files() -> std::path::PathBuf {
    let chain = netlens_testkit::demo_chain_cached().unwrap();
    let dir = std::env::temp_dir().join(format!("netlens-connect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("leaf.pem"), chain.leaf.pem()).unwrap();
    std::fs::write(dir.join("leaf.key"), chain.leaf.key.pkcs8_pem().unwrap()).unwrap();
    std::fs::write(dir.join("intermediate.pem"), chain.intermediate.pem()).unwrap();
    std::fs::write(dir.join("root.pem"), chain.root.pem()).unwrap();
    dir
}

fn openssl(dir: &std::path::Path, with_intermediate: bool) -> (Server, u16) {
    let port = free_port();
    let mut command = Command::new("openssl");
    command
        .args([
            "s_server",
            "-quiet",
            "-accept",
            &format!("127.0.0.1:{port}"),
        ])
        .arg("-cert")
        .arg(dir.join("leaf.pem"))
        .arg("-key")
        .arg(dir.join("leaf.key"));
    if with_intermediate {
        command.arg("-cert_chain").arg(dir.join("intermediate.pem"));
    }
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child);
    wait_for(port);
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
    if Command::new("openssl").arg("version").output().is_err() {
        println!("SKIPPED: openssl is not installed (Debian: openssl)");
        return;
    }
    let dir = files();

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
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn servers_that_are_not_tls_are_said_in_a_sentence() {
    let _serial = one_at_a_time();
    let dir = std::env::temp_dir();
    // Nobody listening: a port held by a socket that is bound but does not listen, so that no
    // other server can take it meanwhile.
    let held = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    held.bind(&std::net::SocketAddr::from(([127, 0, 0, 1], 0)).into())
        .unwrap();
    let port = held.local_addr().unwrap().as_socket().unwrap().port();
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
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut buffer = [0u8; 4096];
            if let Ok(n) = stream.read(&mut buffer) {
                let _ = stream.write_all(reply.unwrap_or(&buffer[..n]));
            }
        });
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
    if Command::new("openssl").arg("version").output().is_err() {
        println!("SKIPPED: openssl is not installed (Debian: openssl)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("netlens-connect-ku-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=www.netlens.test",
        ])
        .args(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"])
        .args(["-addext", "keyUsage=critical,keyEncipherment"])
        .arg("-keyout")
        .arg(dir.join("leaf.key"))
        .arg("-out")
        .arg(dir.join("leaf.pem"))
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
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
    let _ = std::fs::remove_dir_all(&dir);
}
