//! netlens-echo as a responsiveness test server over plain HTTP/1.1, driven by curl (the tool
//! users have): the configuration JSON, the small, large and upload endpoints, CORS and
//! Timing-Allow-Origin, the preflight, a chunked upload, and the bottleneck on the large body.
//! Skips with a message where curl is missing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::process::Command;

use netlens_echo::bottleneck::Shape;
use netlens_echo::{Limits, Server};

fn curl(args: &[&str]) -> Option<(String, String)> {
    let output = match Command::new("curl").args(args).output() {
        Ok(output) => output,
        Err(_) => {
            eprintln!("skipped: curl is not installed (apt install curl)");
            return None;
        }
    };
    Some((
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

fn base(server: &Server) -> String {
    format!("http://{}", server.local_addr())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configuration_and_the_small_and_upload_endpoints_answer_curl() {
    let server = Server::start(([127, 0, 0, 1], 0).into(), Limits::default())
        .await
        .unwrap();
    let base = base(&server);
    let config_url = format!("{base}/config");
    let run = |args: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            curl(&args.iter().map(String::as_str).collect::<Vec<_>>())
        })
    };
    let Some((config, _)) = run(vec!["-sS".into(), config_url]).await.unwrap() else {
        return;
    };
    let config: serde_json::Value = serde_json::from_str(&config).unwrap();
    assert_eq!(config["version"], 1);
    let small = config["urls"]["small_https_download_url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(small, format!("{base}/small"));

    // The small object: one byte, with the headers a page on another origin needs.
    let (headers, _) = run(vec![
        "-sS".into(),
        "-D".into(),
        "-".into(),
        "-o".into(),
        "/dev/null".into(),
        small,
    ])
    .await
    .unwrap()
    .unwrap();
    let lower = headers.to_ascii_lowercase();
    assert!(lower.starts_with("http/1.1 200"), "{headers}");
    for header in [
        "content-length: 1",
        "access-control-allow-origin: *",
        "timing-allow-origin: *",
    ] {
        assert!(lower.contains(header), "{header} in {headers}");
    }

    // A preflight, as a browser sends before a cross-origin POST of octets.
    let (preflight, _) = run(vec![
        "-sS".into(),
        "-X".into(),
        "OPTIONS".into(),
        "-D".into(),
        "-".into(),
        "-o".into(),
        "/dev/null".into(),
        "-H".into(),
        "Origin: http://docs.example".into(),
        "-H".into(),
        "Access-Control-Request-Method: POST".into(),
        format!("{base}/upload"),
    ])
    .await
    .unwrap()
    .unwrap();
    assert!(
        preflight
            .to_ascii_lowercase()
            .contains("access-control-allow-methods: get, post, options"),
        "{preflight}"
    );

    // Uploads, sized and chunked, are counted and discarded.
    let upload = config["urls"]["upload_url"].as_str().unwrap().to_owned();
    let body = std::env::temp_dir().join(format!("netlens-echo-upload-{}", std::process::id()));
    std::fs::write(&body, vec![7u8; 1_000_000]).unwrap();
    let data = format!("@{}", body.display());
    let (sized, _) = run(vec![
        "-sS".into(),
        "--data-binary".into(),
        data.clone(),
        "-H".into(),
        "Content-Type: application/octet-stream".into(),
        upload.clone(),
    ])
    .await
    .unwrap()
    .unwrap();
    let (chunked, _) = run(vec![
        "-sS".into(),
        "--data-binary".into(),
        data,
        "-H".into(),
        "Transfer-Encoding: chunked".into(),
        upload,
    ])
    .await
    .unwrap()
    .unwrap();
    std::fs::remove_file(&body).unwrap();
    for answer in [sized, chunked] {
        let json: serde_json::Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(json["received"], 1_000_000, "{answer}");
    }

    // Anything else: a sentence, not a hang.
    let (missing, _) = run(vec!["-sS".into(), format!("{base}/nothing")])
        .await
        .unwrap()
        .unwrap();
    assert!(missing.contains("serves /config"), "{missing}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_large_body_does_not_run_out_and_passes_the_bottleneck() {
    let limits = Limits {
        bottleneck: Some(Shape::new(8000.0, 100.0).unwrap()),
        ..Limits::default()
    };
    let server = Server::start(([127, 0, 0, 1], 0).into(), limits)
        .await
        .unwrap();
    let url = format!("{}/large", base(&server));
    // curl stops after 2 s (exit 28): the body is 8 GiB, and 8 Mbit/s delivers about 2 MB.
    let result = tokio::task::spawn_blocking(move || {
        curl(&[
            "-s",
            "--max-time",
            "2",
            "-o",
            "/dev/null",
            "-w",
            "%{size_download} %{http_code}",
            &url,
        ])
    })
    .await
    .unwrap();
    let Some((written, _)) = result else { return };
    let mut parts = written.split_whitespace();
    let bytes: f64 = parts.next().unwrap().parse().unwrap();
    assert_eq!(parts.next(), Some("200"));
    assert!(
        (1_400_000.0..2_600_000.0).contains(&bytes),
        "{bytes} bytes in 2 s"
    );
}

/// HTTP/2 without TLS for a client that knows the server speaks it (curl
/// `--http2-prior-knowledge`; `netlens quality http://…/config` measures this way, and its tests
/// multiplex probes beside the load): the same endpoints, the configuration naming http://
/// URLs. One request per curl: curl 7.88 fails its second request on a reused h2c connection
/// ("Error in the HTTP2 framing layer") where over TLS it reuses this server's connections; the
/// h2 client does reuse them (`netlens quality`'s tests).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_with_prior_knowledge_serves_the_same_endpoints() {
    let server = Server::start(([127, 0, 0, 1], 0).into(), Limits::default())
        .await
        .unwrap();
    let base = base(&server);
    let h2c = |url: String, extra: Vec<String>| {
        tokio::task::spawn_blocking(move || {
            let mut args = vec![
                "-sS",
                "--http2-prior-knowledge",
                "-w",
                "\n%{http_version} %{http_code}",
            ];
            args.extend(extra.iter().map(String::as_str));
            args.push(&url);
            curl(&args)
        })
    };
    let Some((text, stderr)) = h2c(format!("{base}/config"), vec![]).await.unwrap() else {
        return;
    };
    let (body, status) = text.rsplit_once('\n').unwrap();
    assert_eq!(status, "2 200", "{text} {stderr}");
    let config: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        config["urls"]["https_upload_url"].as_str().unwrap(),
        format!("{base}/upload")
    );
    let (text, _) = h2c(format!("{base}/small"), vec![]).await.unwrap().unwrap();
    assert_eq!(text, "x\n2 200");
    // An upload answers with what arrived.
    let upload = vec!["--data-binary".to_owned(), "x".repeat(100_000)];
    let (text, _) = h2c(format!("{base}/upload"), upload)
        .await
        .unwrap()
        .unwrap();
    let (body, status) = text.rsplit_once('\n').unwrap();
    assert_eq!(status, "2 200");
    let reply: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(reply["received"], 100_000);
}
