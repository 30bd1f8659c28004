//! The worker stack. Safari gives a Web Worker a 512 KiB stack (Chromium and Firefox give more),
//! and netlens' probe runs in one; the JS API can be called from a worker too. So every parser a
//! page or worker runs must stay within a fixed depth whatever the input: no recursion follows
//! the input's nesting. Here the deepest inputs we can make (nested DER, nested encodings, the
//! longest chains the limits allow, deep JSON and plists, DNS name-compression chains, and the
//! fuzzers' largest cases when the corpus is on this machine) run on a thread with half a
//! worker's stack.
//!
//! The margin: wasm spends a stack differently from native code (the engine keeps its own frames
//! for wasm calls; Rust's shadow stack lives in linear memory), so a native run is a proxy. These
//! tests run debug builds, whose frames are several times larger than the release modules', on
//! half the stack: the deepest input here (a CT log list nested past serde_json's 128-level
//! limit) needs more than 128 KiB and less than 256 KiB in a debug build. Replies to the probe
//! are held to 32 levels (`netlens_probe::wire::MAX_REPLY_DEPTH`): at a quarter of the stack
//! they overflowed, which is how this test found them. A stack overflow aborts the test binary
//! ("has overflowed its stack"): that is the failure this test exists to show.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::path::{Path, PathBuf};

/// Safari's Web Worker stack.
const WORKER_STACK: usize = 512 * 1024;
/// The stack each input runs on (see the module documentation for the margin).
const TEST_STACK: usize = WORKER_STACK / 2;

/// Runs `work` on a thread with [`TEST_STACK`] bytes of stack.
fn on_worker_stack(name: &str, work: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .name(name.to_owned())
        .stack_size(TEST_STACK)
        .spawn(work)
        .unwrap()
        .join()
        .unwrap_or_else(|_| panic!("{name} panicked on a {} KiB stack", TEST_STACK / 1024));
}

/// `depth` DER SEQUENCEs, each inside the next (4-byte lengths).
fn nested_der(depth: usize) -> Vec<u8> {
    let mut der = vec![0x05, 0x00]; // NULL at the bottom
    for _ in 0..depth {
        let len = der.len() as u32;
        let mut outer = vec![0x30, 0x84];
        outer.extend_from_slice(&len.to_be_bytes());
        outer.extend_from_slice(&der);
        der = outer;
    }
    der
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../netlens-testkit/fixtures")
            .join(name),
    )
    .unwrap()
}

/// 2026-06-01, when the fixtures are valid.
const AT: i64 = 1_780_272_000;

fn decode_and_analyze(input: Vec<u8>) {
    let report = netlens_x509::decode(&input, Some("deep"), AT);
    let _ = serde_json::to_string(&report).unwrap();
    let mut analyzer = netlens_chain::Analyzer::new(netlens_chain::Options::at(AT));
    analyzer.add_chain(&input, Some("deep"));
    analyzer.add_anchors(&input, Some("deep"));
    let analysis = analyzer.analyze();
    let _ = serde_json::to_string(&analysis).unwrap();
}

#[test]
fn nested_der_and_nested_encodings_stay_within_a_worker_stack() {
    let der = nested_der(50_000);
    let as_pem = pem("CERTIFICATE", &der).into_bytes();
    let as_pkcs7 = pem("PKCS7", &der).into_bytes();
    on_worker_stack("nested DER", move || decode_and_analyze(der));
    on_worker_stack("nested DER as PEM", move || decode_and_analyze(as_pem));
    on_worker_stack("nested DER as PKCS#7", move || decode_and_analyze(as_pkcs7));

    // A chain base64-encoded twelve times over, and PEM inside PEM: the scanner unwraps what
    // it can, one level at a time.
    let mut wrapped = fixture("demo-chain.pem");
    for _ in 0..12 {
        use base64::Engine as _;
        wrapped = base64::engine::general_purpose::STANDARD
            .encode(&wrapped)
            .into_bytes();
    }
    on_worker_stack("base64 twelve times over", move || {
        decode_and_analyze(wrapped)
    });
    let mut nested_pem = fixture("demo-chain.pem");
    for _ in 0..40 {
        nested_pem = pem("CERTIFICATE", &nested_pem).into_bytes();
    }
    on_worker_stack("PEM inside PEM", move || decode_and_analyze(nested_pem));
}

#[test]
fn the_longest_inputs_the_limits_allow_stay_within_a_worker_stack() {
    // The decoder's limit is 500 certificates; the chain analysis takes what it is given and
    // bounds its path search (netlens-chain's path.rs).
    let leaf = String::from_utf8(fixture("demo-chain.pem")).unwrap();
    let many = leaf.repeat(170).into_bytes();
    on_worker_stack("510 certificates", move || decode_and_analyze(many));
    let pathological = fixture("demo-chain.pem").repeat(40);
    on_worker_stack("a chain of 120 certificates", move || {
        decode_and_analyze(pathological)
    });
}

#[test]
fn deep_json_plists_and_dns_names_stay_within_a_worker_stack() {
    // JSON the probe's worker reads (its commands, replies in request/response mode) and the CT
    // log list a chain analysis takes: serde_json stops at 128 levels.
    let deep_json = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let json = deep_json.clone();
    on_worker_stack("a deep probe command", move || {
        assert!(serde_json::from_str::<netlens_probe::worker::Command>(&json).is_err());
    });
    let json = deep_json.clone();
    on_worker_stack("a deep reply in request/response mode", move || {
        let config = netlens_probe::ProbeConfig {
            mode: netlens_probe::MessageMode::RequestResponse {
                template: r#"{"id":{seq}}"#.to_owned(),
                match_field: "id".to_owned(),
            },
            ..netlens_probe::ProbeConfig::default()
        };
        let mut session = netlens_probe::session::Session::new(config, 1, 0.0);
        session.on_message(1.0, netlens_probe::session::Incoming::Text(&json));
    });
    let json = deep_json.into_bytes();
    on_worker_stack("a deep CT log list", move || {
        let mut analyzer = netlens_chain::Analyzer::new(netlens_chain::Options::at(AT));
        assert!(analyzer.set_ct_log_list(&json).is_err());
    });

    // An Info.plist nested 50,000 arrays deep, for the NSBonjourServices check.
    let plist = format!(
        "<plist><dict><key>NSBonjourServices</key>{}<string>_ipp._tcp</string>{}</dict></plist>",
        "<array>".repeat(50_000),
        "</array>".repeat(50_000)
    );
    on_worker_stack("a deep plist", move || {
        let _ = netlens_dnssd::apple::check_plist(plist.as_bytes(), &[], None, "");
        // The ATS linter and the pin reader read through the same property list reader.
        let _ = netlens_apptls::ats::lint(plist.as_bytes());
        let _ = netlens_apptls::pins::read_pin_set(&plist, None);
    });

    // A DNS message whose names are chains of compression pointers, each to the one before.
    let mut message = vec![0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0];
    let first_name = message.len();
    message.extend_from_slice(&[1, b'a', 0]);
    let mut previous = first_name;
    for _ in 0..4_000 {
        let here = message.len();
        message.extend_from_slice(&[1, b'b', 0xC0 | (previous >> 8) as u8, previous as u8]);
        previous = here;
    }
    message.extend_from_slice(&[0xC0 | (previous >> 8) as u8, previous as u8]);
    message.extend_from_slice(&[0, 16, 0, 1, 0, 0, 0, 120, 0, 1, 0]);
    on_worker_stack("DNS compression chains", move || {
        let _ = netlens_dnssd::mdns::records(&message);
        let mut browse = netlens_dnssd::mdns::Browse::new(None);
        let _ = browse.receive(&message);
    });

    // A TXT record and every pasted format at their size limits.
    let txt = "k=v\n".repeat(20_000);
    on_worker_stack("a long TXT paste", move || {
        for format in [
            netlens_dnssd::Format::Kv,
            netlens_dnssd::Format::Hex,
            netlens_dnssd::Format::Dig,
            netlens_dnssd::Format::DnsSd,
            netlens_dnssd::Format::Avahi,
            netlens_dnssd::Format::Zeroconf,
        ] {
            let _ = netlens_dnssd::formats::parse(&txt, Some(format));
        }
    });
}

/// The fuzzers' largest inputs: the corpus on this machine (`fuzz/corpus`, not committed) or
/// the committed seeds, the 8 largest of each target, through what that target runs.
#[test]
fn the_fuzzers_largest_cases_stay_within_a_worker_stack() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let corpus = fuzz.join("corpus");
    let (root, what) = if corpus.is_dir() {
        (corpus, "corpus")
    } else {
        eprintln!("fuzz/corpus is not on this machine (it is not committed): the seeds only");
        (fuzz.join("seeds"), "seeds")
    };
    let mut ran = 0;
    for target in std::fs::read_dir(&root).unwrap().flatten() {
        let name = target.file_name().to_string_lossy().into_owned();
        let mut files: Vec<(u64, PathBuf)> = std::fs::read_dir(target.path())
            .unwrap()
            .flatten()
            .filter_map(|f| Some((f.metadata().ok()?.len(), f.path())))
            .collect();
        files.sort_by_key(|f| std::cmp::Reverse(f.0));
        for (_, file) in files.into_iter().take(8) {
            let data = std::fs::read(&file).unwrap();
            let target = name.clone();
            on_worker_stack(&format!("{what} {}", file.display()), move || {
                run_target(&target, &data)
            });
            ran += 1;
        }
    }
    assert!(ran > 0, "no fuzz inputs found under {}", root.display());
}

/// What fuzz target `target` does with `data`, in short (fuzz/fuzz_targets/).
fn run_target(target: &str, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match target {
        "decode" | "chain" => decode_and_analyze(data.to_vec()),
        "dnssd_mdns" => {
            let _ = netlens_dnssd::mdns::records(data);
            let mut browse = netlens_dnssd::mdns::Browse::new(None);
            for datagram in data.split(|&b| b == 0xFE).take(8) {
                let _ = browse.receive(datagram);
            }
        }
        "dnssd_names" => {
            let _ = netlens_dnssd::check_type(&text);
            let _ = netlens_dnssd::check_name(&text);
            let _ = netlens_dnssd::check_instance(&text);
            let _ = netlens_dnssd::apple::check_plist(
                text.as_bytes(),
                &[text.to_string()],
                Some(&text),
                &text,
            );
        }
        "transports" => {
            let _ = netlens_chain::crypto::transport::decode_requests(data);
            let _ = netlens_chain::crypto::transport::decode_outcomes(data);
        }
        "make_inputs" => {
            let _ = netlens_make::PrivateKey::parse(data);
            let _ = netlens_make::pkcs12::read(data, "password");
        }
        dnssd if dnssd.starts_with("dnssd_") => {
            if let Ok(parsed) = netlens_dnssd::formats::parse(&text, None) {
                let _ = netlens_dnssd::txt::check(&parsed.record);
            }
        }
        _ => decode_and_analyze(data.to_vec()),
    }
}
