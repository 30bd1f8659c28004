//! netlens-echo over TLS with HTTP/2, as a responsiveness test server for networkQuality: a
//! certificate made by openssl, then curl --http2 (the configuration, the small object, an
//! upload) and the h2 client (a PING answered while a large body streams on the same
//! connection, and the body does not run out). Skips with a message where openssl or curl is
//! missing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use netlens_echo::{Limits, Server};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

/// A self-signed P-256 leaf certificate for 127.0.0.1 and its key, made by openssl in `dir`.
fn identity(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ])
        .args(["-days", "2", "-subj", "/CN=netlens-echo test"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        // A leaf, not a CA: rustls refuses a CA certificate as a server's.
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .args(["-addext", "extendedKeyUsage=serverAuth"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output();
    match made {
        Ok(out) if out.status.success() => Some((cert, key)),
        Ok(out) => panic!(
            "openssl req failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) => {
            eprintln!("skipped: openssl is not installed (apt install openssl)");
            None
        }
    }
}

fn curl(args: &[String]) -> Option<String> {
    match Command::new("curl").args(args).output() {
        Ok(out) => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        Err(_) => {
            eprintln!("skipped: curl is not installed (apt install curl)");
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_over_tls_serves_the_responsiveness_endpoints_and_answers_pings() {
    let dir = std::env::temp_dir().join(format!("netlens-echo-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let Some((cert, key)) = identity(&dir) else {
        return;
    };
    let cert_pem = std::fs::read(&cert).unwrap();
    let acceptor = netlens_echo::tls::acceptor(&cert_pem, &std::fs::read(&key).unwrap()).unwrap();
    let server = Server::start_tls(([127, 0, 0, 1], 0).into(), Limits::default(), acceptor)
        .await
        .unwrap();
    let base = format!("https://{}", server.local_addr());

    // curl, over HTTP/2: the configuration names https URLs on this server.
    let cacert = cert.display().to_string();
    let run = |extra: Vec<String>| {
        let mut args = vec![
            "-sS".to_owned(),
            "--http2".to_owned(),
            "--cacert".to_owned(),
            cacert.clone(),
        ];
        args.extend(extra);
        tokio::task::spawn_blocking(move || curl(&args))
    };
    let Some(config) = run(vec![format!("{base}/config")]).await.unwrap() else {
        return;
    };
    let config: serde_json::Value = serde_json::from_str(&config).unwrap();
    assert_eq!(
        config["urls"]["large_https_download_url"],
        format!("{base}/large")
    );
    // Over HTTP/1.1 too (a client fetches the configuration however it likes, then measures
    // over HTTP/2 at the URLs it names).
    let config = run(vec!["--http1.1".into(), format!("{base}/config")])
        .await
        .unwrap()
        .unwrap();
    let config: serde_json::Value = serde_json::from_str(&config).unwrap();
    assert_eq!(config["urls"]["https_upload_url"], format!("{base}/upload"));
    let version = run(vec![
        "-o".into(),
        "/dev/null".into(),
        "-w".into(),
        "%{http_version} %{size_download}".into(),
        format!("{base}/small"),
    ])
    .await
    .unwrap()
    .unwrap();
    assert_eq!(version, "2 1");
    let body = dir.join("upload.bin");
    std::fs::write(&body, vec![1u8; 3_000_000]).unwrap();
    let uploaded = run(vec![
        "--data-binary".into(),
        format!("@{}", body.display()),
        format!("{base}/upload"),
    ])
    .await
    .unwrap()
    .unwrap();
    let uploaded: serde_json::Value = serde_json::from_str(&uploaded).unwrap();
    assert_eq!(uploaded["received"], 3_000_000);

    // The h2 client: a large body streams while a PING goes out on the same connection.
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(&cert_pem) {
        roots.add(c.unwrap()).unwrap();
    }
    let mut client = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS13])
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    client.alpn_protocols = vec![b"h2".to_vec()];
    let tcp = tokio::net::TcpStream::connect(server.local_addr())
        .await
        .unwrap();
    let tls = tokio_rustls::TlsConnector::from(Arc::new(client))
        .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp)
        .await
        .unwrap();
    assert_eq!(
        tls.get_ref().1.protocol_version(),
        Some(rustls::ProtocolVersion::TLSv1_3)
    );
    let (send, mut connection) = h2::client::handshake(tls).await.unwrap();
    let mut ping_pong = connection.ping_pong().unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let mut send = send.ready().await.unwrap();
    let request = http::Request::get(format!("{base}/large"))
        .body(())
        .unwrap();
    let (response, _) = send.send_request(request, true).unwrap();
    let response = response.await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-length"].to_str().unwrap(),
        netlens_echo::http::LARGE_BODY_BYTES.to_string()
    );
    let mut body = response.into_body();
    let mut read = 0usize;
    while read < 20_000_000 {
        let data = body.data().await.unwrap().unwrap();
        read += data.len();
        let _ = body.flow_control().release_capacity(data.len());
    }
    let pong = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        ping_pong.ping(h2::Ping::opaque()),
    )
    .await
    .expect("a PING is answered within 5 s");
    assert!(pong.is_ok(), "{pong:?}");
    drop(body);
    std::fs::remove_dir_all(&dir).unwrap();
}
