//! Real tools as the oracle of the DNS-SD paste parsers.
//!
//! `scripts/dnssd-daemons.py` publishes services with hard TXT records and names through a real
//! avahi-daemon and python-zeroconf (in network namespaces it creates) and captures what a user
//! would paste; python-zeroconf reads each record's wire bytes off the network. Here every
//! capture goes through `netlens dnssd txt --json` as a user's paste would, and netlens must give
//! exactly the wire strings, in wire order, and the service's name, type, host and port where
//! the output shows them. Where a tool's output loses something (Avahi drops empty strings and,
//! without `-p`, writes unprintable name bytes as `_`), netlens must say so in its notes.
//!
//! Needs root, network namespaces, the Debian packages avahi-daemon, avahi-utils, dbus and
//! bind9-dnsutils, and the venv `scripts/setup.sh test` makes (target/dnssd-venv); it says
//! `SKIPPED` and why when something is missing. `make test` runs it (it is `#[ignore]`d for a
//! plain `cargo test`, which may not run as root).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the harness into `out`; `Err` with the reason when it skipped.
fn run_harness(out: &Path) -> Result<(), String> {
    let python = root().join("target/dnssd-venv/bin/python");
    if !python.exists() {
        return Err(format!(
            "{} is missing: run `scripts/setup.sh test` (make test does)",
            python.display()
        ));
    }
    let mut child = Command::new(python)
        .arg(root().join("scripts/dnssd-daemons.py"))
        .arg(out)
        .args(["--browse", env!("CARGO_BIN_EXE_netlens")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The harness bounds itself (120 s) and cleans up on SIGTERM; this is the backstop.
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(240) {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            std::thread::sleep(Duration::from_secs(10));
            let _ = child.kill();
            panic!("the daemon harness did not finish within 240 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    match output.status.code() {
        Some(0) => Ok(()),
        Some(77) => Err(stdout.trim().trim_start_matches("SKIPPED: ").to_owned()),
        code => panic!(
            "the daemon harness failed ({code:?}):\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

/// Bytes from hex, spaced (netlens' `09 74 78`) or not (the manifest's `097478`).
fn unhex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

/// The service's TXT strings as python-zeroconf read them off the network.
fn wire_of(service: &Value) -> Vec<Vec<u8>> {
    service["wire"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| unhex(s.as_str().unwrap()))
        .collect()
}

/// Shows strings for a failure message.
fn show(strings: &[Vec<u8>]) -> String {
    strings
        .iter()
        .map(|s| format!("{:?}", String::from_utf8_lossy(s)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A string as python-zeroconf's `decoded_properties` shows it: the key decoded as ASCII and
/// the value as UTF-8, each with U+FFFD for what does not decode, encoded again as UTF-8.
fn python_decoded(string: &[u8]) -> Vec<u8> {
    let (key, value) = match string.iter().position(|&b| b == b'=') {
        Some(at) => (&string[..at], Some(&string[at + 1..])),
        None => (string, None),
    };
    let mut out: Vec<u8> = key
        .iter()
        .flat_map(|&b| {
            if b.is_ascii() {
                vec![b]
            } else {
                "\u{fffd}".as_bytes().to_vec()
            }
        })
        .collect();
    if let Some(value) = value {
        out.push(b'=');
        out.extend_from_slice(String::from_utf8_lossy(value).as_bytes());
    }
    out
}

struct Checked {
    exact: usize,
    lossy: usize,
}

/// Checks one capture; `Ok(true)` when decoded exactly, `Ok(false)` when the tool's output lost
/// something and netlens said so.
fn check(capture: &Value, service: &Value, dir: &Path) -> Result<bool, String> {
    let file = capture["file"].as_str().unwrap();
    let tool = capture["tool"].as_str().unwrap();
    let text = std::fs::read(dir.join(file)).unwrap();
    if capture["format"] == "browse" {
        return check_browsed(&text, service).map_err(|why| format!("{file} ({tool}): {why}"));
    }
    let Some(format) = capture["format"].as_str() else {
        // `dns-sd -B` lists instances, not records: netlens says what to run instead.
        let out = common::netlens(&["dnssd", "txt", "--json", "-"], &text);
        let report: Value =
            serde_json::from_slice(&out.stdout).map_err(|e| format!("{file}: {e}"))?;
        let error = report["error"]["message"].as_str().unwrap_or_default();
        return if error.contains("dns-sd -L") {
            Ok(true)
        } else {
            Err(format!(
                "{file} ({tool}): expected advice to run dns-sd -L, got {}",
                report["error"]
            ))
        };
    };
    let out = common::netlens(&["dnssd", "txt", "--format", format, "--json", "-"], &text);
    let report: Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("{file}: no JSON report ({e})"))?;
    if !report["error"].is_null() {
        return Err(format!("{file} ({tool}): {}", report["error"]));
    }
    let notes: Vec<&str> = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    let said = |words: &str| notes.iter().any(|n| n.contains(words));
    let decoded: Vec<Vec<u8>> = report["strings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| unhex(s["hex"].as_str().unwrap()))
        .collect();
    let wire = wire_of(service);
    let mut exact = true;
    // Avahi and dns-sd -L never print an empty string; netlens must say so (a record of one
    // empty string it can tell from `[]` or a missing TXT line).
    let drops_empty = format.starts_with("avahi") || format == "dns-sd";
    let expected: Vec<Vec<u8>> = if drops_empty && wire.len() > 1 {
        wire.iter().filter(|s| !s.is_empty()).cloned().collect()
    } else {
        wire.clone()
    };
    if expected != wire {
        exact = false;
        if !said("empty strings") {
            return Err(format!(
                "{file}: the tool dropped an empty string and netlens did not say so: {notes:?}"
            ));
        }
    }
    // python-zeroconf's dicts keep the first string of each key (byte for byte) and its
    // decoded_properties turn what is not text into U+FFFD; `info.text` is the record.
    let expected = if format == "zeroconf" && !tool.ends_with(" text") {
        let mut seen: Vec<Vec<u8>> = Vec::new();
        let mut kept = Vec::new();
        for s in &expected {
            let key = s.split(|&b| b == b'=').next().unwrap_or_default().to_vec();
            if !seen.contains(&key) {
                seen.push(key);
                kept.push(s.clone());
            }
        }
        if kept != expected && !said("first string of each key") {
            return Err(format!(
                "{file}: netlens did not say python-zeroconf keeps one string per key: {notes:?}"
            ));
        }
        if tool.ends_with("decoded_properties") {
            kept = kept.iter().map(|s| python_decoded(s)).collect();
            if kept
                .iter()
                .any(|s| String::from_utf8_lossy(s).contains('\u{fffd}'))
            {
                exact = false;
                if !said("U+FFFD") {
                    return Err(format!(
                        "{file}: netlens did not say python-zeroconf replaced bytes with U+FFFD: {notes:?}"
                    ));
                }
            }
        }
        if kept != expected {
            exact = false;
        }
        kept
    } else {
        expected
    };
    if decoded != expected {
        return Err(format!(
            "{file} ({tool}):\n  netlens: {}\n  wire:    {}",
            show(&decoded),
            show(&expected)
        ));
    }
    // The service, where the output shows it.
    let shown = &report["service"];
    let instance = service["instance"].as_str().unwrap();
    let service_type = service["type"].as_str().unwrap();
    let host = service["host"].as_str().unwrap();
    let same = |key: &str, want: &str| -> Result<(), String> {
        let got = shown[key].as_str();
        if got.map(|g| g.trim_end_matches('.')) == Some(want.trim_end_matches('.')) {
            Ok(())
        } else {
            Err(format!(
                "{file} ({tool}): {key} {got:?} instead of {want:?}"
            ))
        }
    };
    let same_port = || -> Result<(), String> {
        if shown["port"] == service["port"] {
            Ok(())
        } else {
            Err(format!(
                "{file}: port {} instead of {}",
                shown["port"], service["port"]
            ))
        }
    };
    match format {
        "avahi-rp" => {
            same_port()?;
            same("host", host)?;
            same("instance", instance)?;
            if tool.contains("-rpk") {
                same("service_type", service_type)?;
            }
        }
        "avahi" => {
            same_port()?;
            same("host", host)?;
            // Human output writes every byte that is not printable ASCII as `_`.
            let printable = |b: u8| (0x20..0x7f).contains(&b);
            if !instance.bytes().all(printable) {
                exact = false;
                if !said("with `_`") {
                    return Err(format!(
                        "{file}: netlens did not say avahi-browse replaced name bytes with `_`: {notes:?}"
                    ));
                }
            }
            let shown_name: String = instance
                .bytes()
                .map(|b| if printable(b) { b as char } else { '_' })
                .collect();
            same("instance", &shown_name)?;
            same("service_type", service_type)?;
        }
        "zeroconf" if tool.ends_with(" print") => {
            same_port()?;
            same("host", host)?;
            same("instance", instance)?;
            same("service_type", service_type)?;
        }
        "dig" if !tool.contains("+short") => {
            same("instance", instance)?;
            same("service_type", service_type)?;
        }
        "dns-sd" | "dns-sd-zone" => {
            same_port()?;
            same("host", host)?;
            same("instance", instance)?;
            same("service_type", service_type)?;
        }
        _ => {}
    }
    Ok(exact)
}

/// `netlens dnssd browse TYPE --json`, run against the live service: exactly one service, its
/// TXT strings exactly as sent, its name, type, host and port.
fn check_browsed(json: &[u8], service: &Value) -> Result<bool, String> {
    let report: Value = serde_json::from_slice(json).map_err(|e| e.to_string())?;
    let found = report["services"].as_array().ok_or("no services")?;
    let [found] = found.as_slice() else {
        return Err(format!("{} services instead of 1", found.len()));
    };
    let strings: Vec<Vec<u8>> = found["txt"]["strings"]
        .as_array()
        .ok_or("no TXT record")?
        .iter()
        .map(|s| unhex(s["hex"].as_str().unwrap_or_default()))
        .collect();
    let wire = wire_of(service);
    if strings != wire {
        return Err(format!(
            "netlens: {}\n  wire: {}",
            show(&strings),
            show(&wire)
        ));
    }
    for (key, want) in [
        ("instance", &service["instance"]),
        ("service_type", &service["type"]),
        ("host", &service["host"]),
        ("port", &service["port"]),
    ] {
        if found[key] != *want {
            return Err(format!("{key} {} instead of {want}", found[key]));
        }
    }
    Ok(true)
}

/// Checks every capture of the manifest in `dir`; the summary line.
fn check_all(dir: &Path) -> String {
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    let services = manifest["services"].as_array().unwrap();
    let captures = manifest["captures"].as_array().unwrap();
    let mut checked = Checked { exact: 0, lossy: 0 };
    let mut failures = Vec::new();
    for capture in captures {
        let service = services
            .iter()
            .find(|s| s["id"] == capture["service"])
            .unwrap();
        match check(capture, service, dir) {
            Ok(true) => checked.exact += 1,
            Ok(false) => checked.lossy += 1,
            Err(why) => failures.push(why),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} captures:\n{}",
        failures.len(),
        captures.len(),
        failures.join("\n")
    );
    format!(
        "{} captures of {} services ({}): {} decoded exactly, {} where the tool's output loses bytes, said in notes",
        captures.len(),
        services.len(),
        manifest["tools"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_str().unwrap())
            .collect::<Vec<_>>()
            .join(", "),
        checked.exact,
        checked.lossy
    )
}

#[test]
#[ignore = "needs root and target/dnssd-venv: `make test` runs it"]
fn every_capture_of_real_daemons_decodes_to_the_wire_bytes() {
    let dir = std::env::temp_dir().join(format!("netlens-dnssd-daemons-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(why) = run_harness(&dir) {
        println!("dnssd daemons: SKIPPED: {why}");
        return;
    }
    let summary = check_all(&dir);
    // Browsing every type on the link finds every service.
    let all: Value =
        serde_json::from_slice(&std::fs::read(dir.join("browse-all.json")).unwrap()).unwrap();
    let found = all["services"].as_array().map_or(0, Vec::len);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        found, 9,
        "netlens dnssd browse (every type) found {found} of 9 services"
    );
    println!("dnssd daemons: {summary}; netlens dnssd browse found all {found} services");
}

/// mDNSResponder's own `dns-sd` output, captured once by scripts/mdnsresponder-captures.sh
/// (Debian has no package of it) against the same services, with their wire bytes.
#[test]
fn committed_mdnsresponder_captures_decode_to_the_wire_bytes() {
    let dir = root().join("crates/netlens-dnssd/tests/captures/mdnsresponder");
    let summary = check_all(&dir);
    assert!(
        summary.starts_with("36 captures of 9 services"),
        "{summary}"
    );
}
