//! The probes against a real server: Debian's `openssl s_server` on 127.0.0.1, configured for
//! one protocol version or suite set at a time, with a certificate made here. Each server is
//! stopped by its PID; every wait is bounded. Skips with a message when `openssl` is missing.

// Tests fail loudly; and the test is the shell here: it owns the socket and the clock that the
// core may not touch (clippy-core.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(clippy::disallowed_types, clippy::disallowed_methods)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use netlens_tls::{
    ATS_SUITES, Answer, Offer, STATIC_RSA_SUITES, TLS13_SUITES, Version, client_hello, read_answer,
};

/// A running `openssl s_server`, killed on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn openssl_available() -> bool {
    Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A self-signed certificate and key in `dir` (`ec` or `rsa`).
fn certificate(dir: &std::path::Path, kind: &str) -> (String, String) {
    let (cert, key) = (
        dir.join(format!("{kind}.crt")),
        dir.join(format!("{kind}.key")),
    );
    let key_args: &[&str] = if kind == "ec" {
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    } else {
        &["-newkey", "rsa:2048"]
    };
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
        ])
        .args(key_args)
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    (cert.display().to_string(), key.display().to_string())
}

fn start(dir: &std::path::Path, kind: &str, args: &[&str]) -> Server {
    let (cert, key) = certificate(dir, kind);
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("openssl")
        .args([
            "s_server",
            "-accept",
            &format!("127.0.0.1:{port}"),
            "-cert",
            &cert,
            "-key",
            &key,
            "-quiet",
        ])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server { child, port };
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "openssl s_server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

/// Sends one ClientHello offering only `version` and `suites`, and reads the first answer.
fn probe(port: u16, version: Version, suites: &[netlens_tls::Suite]) -> Answer {
    send(port, &Offer::only(version, suites))
}

/// Sends the hello of `offer` and reads the first answer (at most 5 s).
fn send(port: u16, offer: &Offer) -> Answer {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
        .write_all(&client_hello(offer, Some("localhost"), [42; 32]))
        .unwrap();
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        if let Some(answer) = read_answer(&received, false) {
            return answer;
        }
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return read_answer(&received, true).unwrap(),
            Ok(n) => received.extend_from_slice(&buffer[..n]),
        }
    }
}

/// The DER of a PEM certificate file, by `openssl x509`.
fn der_of(pem: &std::path::Path) -> Vec<u8> {
    Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(pem)
        .output()
        .unwrap()
        .stdout
}

/// The server half of ATS, from every hello `netlens ats` sends.
fn ats(port: u16) -> netlens_tls::ats::ServerHalf {
    use netlens_tls::ats::{Configuration, VersionProbe};
    let versions: Vec<_> = VersionProbe::all()
        .into_iter()
        .map(|p| (p, send(port, &p.offer())))
        .collect();
    let configurations: Vec<_> = Configuration::LEAST_FIRST
        .into_iter()
        .map(|c| (c, send(port, &c.offer())))
        .collect();
    netlens_tls::ats::server_half(&versions, &configurations)
}

fn accepted(answer: &Answer) -> Option<(Version, u16)> {
    match answer {
        Answer::Accepted { version, suite, .. } => Some((*version, *suite)),
        _ => None,
    }
}

#[test]
fn probes_read_what_openssl_accepts_and_refuses() {
    if !openssl_available() {
        println!("SKIPPED: openssl is not installed (Debian: openssl)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("netlens-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    // TLS 1.3 only.
    let server = start(&dir, "ec", &["-tls1_3"]);
    let answer = probe(server.port, Version::Tls13, TLS13_SUITES);
    assert!(
        matches!(accepted(&answer), Some((Version::Tls13, 0x1301..=0x1303))),
        "{answer:?}"
    );
    assert!(matches!(
        probe(server.port, Version::Tls12, ATS_SUITES),
        Answer::Alert { .. }
    ));
    drop(server);

    // TLS 1.1 only (OpenSSL 3 needs security level 0 for it). A hello's version is a maximum:
    // offered up to TLS 1.2 (or 1.3), the server answers with the 1.1 it has.
    let server = start(&dir, "ec", &["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"]);
    for offered in [Version::Tls11, Version::Tls12] {
        let answer = probe(server.port, offered, ATS_SUITES);
        assert_eq!(
            accepted(&answer).map(|a| a.0),
            Some(Version::Tls11),
            "{answer:?}"
        );
    }
    let answer = probe(server.port, Version::Tls13, TLS13_SUITES);
    assert_ne!(
        accepted(&answer).map(|a| a.0),
        Some(Version::Tls13),
        "{answer:?}"
    );
    // Before TLS 1.3 the certificate travels in the clear: the probe reads it.
    let answer = probe(server.port, Version::Tls11, ATS_SUITES);
    let sent = der_of(&dir.join("ec.crt"));
    assert!(
        matches!(&answer, Answer::Accepted { certificates, .. } if *certificates == [sent]),
        "{answer:?}"
    );
    // ATS's configurations: the default fails; TLSv1.1 as the minimum connects.
    let server_half = ats(server.port);
    assert_eq!(server_half.result, "fail");
    assert_eq!(
        server_half.exceptions,
        Some(netlens_tls::ats::Exceptions::from([(
            "NSExceptionMinimumTLSVersion",
            netlens_tls::ats::PlistValue::String("TLSv1.1")
        )]))
    );
    drop(server);

    // TLS 1.2 without forward secrecy (static RSA only).
    let server = start(&dir, "rsa", &["-tls1_2", "-cipher", "AES128-GCM-SHA256"]);
    assert!(
        matches!(
            probe(server.port, Version::Tls12, ATS_SUITES),
            Answer::Alert { description: 40 }
        ),
        "no ATS suite: handshake_failure"
    );
    let answer = probe(server.port, Version::Tls12, STATIC_RSA_SUITES);
    assert_eq!(
        accepted(&answer),
        Some((Version::Tls12, 0x009C)),
        "{answer:?}"
    );
    let server_half = ats(server.port);
    assert_eq!(
        server_half.exceptions,
        Some(netlens_tls::ats::Exceptions::from([(
            "NSExceptionRequiresForwardSecrecy",
            netlens_tls::ats::PlistValue::Bool(false)
        )]))
    );
    drop(server);

    // An ordinary modern server: TLS 1.2 with an ATS suite and the extended master secret.
    let server = start(&dir, "ec", &[]);
    let answer = probe(server.port, Version::Tls12, ATS_SUITES);
    assert!(
        matches!(answer, Answer::Accepted { version: Version::Tls12, extended_master_secret: true, suite, .. } if netlens_tls::suite_named(suite).is_some_and(|s| s.ats)),
        "{answer:?}"
    );
    let server_half = ats(server.port);
    assert_eq!(server_half.result, "pass");
    assert_eq!(
        server_half.negotiated().map(|n| n.0),
        Some(Version::Tls13),
        "ATS's hello offers TLS 1.3 first"
    );
    drop(server);

    // Not TLS at all: an echo server sends our own hello back.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let echo = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut buffer = [0u8; 4096];
        if let Ok(n) = stream.read(&mut buffer) {
            let _ = stream.write_all(&buffer[..n]);
        }
    });
    assert_eq!(probe(port, Version::Tls12, ATS_SUITES), Answer::NotTls);
    echo.join().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
