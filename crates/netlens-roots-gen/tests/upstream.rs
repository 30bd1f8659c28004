//! The compiled-in stores against their upstream sources.
//!
//! - Apple's store against `../shared/data/apple-roots` (Apple's 156 DER roots, named by their
//!   SHA-256) and `../shared/data/apple-trust` (`constraints.json`, `removed/`), when present.
//! - The whole generated file against what `netlens-roots-gen` makes of the upstream sources,
//!   when `NETLENS_TRUST_UPSTREAM` names a directory holding them (DEVELOPERS.md, "Trust
//!   stores"): `security_certificates` and `nss` (git clones) and `chromium-roots` (the unpacked
//!   crate, with its publication date in `chromium-roots.date`).
//!
//! Without the data each test prints `SKIPPED: …` and passes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use netlens_roots::{REMOVED, ROOTS, StoreId};
use sha2::{Digest, Sha256};

fn shared(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: {} not found (../shared/data is optional; these checks run where it exists)",
            path.display()
        );
        None
    }
}

fn hex(bytes: &[u8]) -> String {
    netlens_roots::hex(bytes)
}

#[test]
fn apple_roots_are_the_files_apple_ships() {
    let Some(dir) = shared("apple-roots") else {
        return;
    };
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "cer") {
            let der = std::fs::read(&path).unwrap();
            let name = path.file_stem().unwrap().to_string_lossy().to_uppercase();
            assert_eq!(
                hex(&Sha256::digest(&der)),
                name,
                "Apple names roots by SHA-256"
            );
            files.insert(name, der);
        }
    }
    let ours: BTreeMap<String, &netlens_roots::Root> = ROOTS
        .iter()
        .filter(|r| r.in_store(StoreId::Apple))
        .map(|r| (r.sha256_hex(), r))
        .collect();
    assert_eq!(files.len(), 156);
    assert_eq!(ours.len(), files.len());
    assert_eq!(StoreId::Apple.info().roots, files.len());
    assert_eq!(
        ours.keys().collect::<BTreeSet<_>>(),
        files.keys().collect::<BTreeSet<_>>()
    );
    for (name, der) in &files {
        let parts = netlens_x509::der_scan::certificate_parts(der).unwrap();
        let root = ours[name];
        assert_eq!(root.subject, parts.subject, "{name}: subject");
        assert_eq!(root.spki, parts.spki, "{name}: key");
    }
}

#[test]
fn apple_constraints_and_removals_are_apples() {
    let Some(dir) = shared("apple-trust") else {
        return;
    };
    let constraints: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("constraints.json")).unwrap()).unwrap();
    let system = constraints["system"].as_object().unwrap();
    let constrained: BTreeMap<String, Vec<&str>> = ROOTS
        .iter()
        .filter(|r| r.in_store(StoreId::Apple) && !r.apple_policies.is_empty())
        .map(|r| (r.sha256_hex(), r.apple_policies.to_vec()))
        .collect();
    assert_eq!(constrained.len(), system.len());
    for (hash, policies) in system {
        let expected: Vec<&str> = policies
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().trim())
            .collect();
        assert_eq!(constrained[&hash.to_uppercase()], expected, "{hash}");
    }
    // Only Apple's platform roots are constrained, and of those only the TLS ones allow TLS.
    for root in ROOTS.iter().filter(|r| !r.apple_policies.is_empty()) {
        assert!(root.label.starts_with("Apple Platform"), "{}", root.label);
        assert_eq!(
            root.apple_allows_tls(),
            root.label.contains("TLS"),
            "{}",
            root.label
        );
    }

    // Every certificate in removed/ is listed as removed, unless Apple ships it as a root again.
    let removed: BTreeSet<[u8; 32]> = REMOVED.iter().map(|r| r.sha256).collect();
    let roots: BTreeSet<[u8; 32]> = ROOTS
        .iter()
        .filter(|r| r.in_store(StoreId::Apple))
        .map(|r| r.sha256)
        .collect();
    let mut seen = 0;
    let mut stack = vec![dir.join("removed")];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            for found in
                netlens_x509::input::scan(&std::fs::read(&path).unwrap(), None).certificates()
            {
                let hash: [u8; 32] = Sha256::digest(&found.der).into();
                if !roots.contains(&hash) {
                    assert!(removed.contains(&hash), "{} is not listed", path.display());
                    seen += 1;
                }
            }
        }
    }
    assert!(
        seen >= REMOVED.len(),
        "{seen} certificates, {} listed",
        REMOVED.len()
    );
}

#[test]
fn the_generated_file_is_what_the_upstream_stores_give() {
    let Some(dir) = std::env::var_os("NETLENS_TRUST_UPSTREAM").map(PathBuf::from) else {
        eprintln!(
            "SKIPPED: NETLENS_TRUST_UPSTREAM is not set (DEVELOPERS.md, \"Trust stores\", says how to fetch the \
             upstream stores and run this check)"
        );
        return;
    };
    let date = std::fs::read_to_string(dir.join("chromium-roots.date")).unwrap();
    let generated = Path::new(env!("CARGO_MANIFEST_DIR")).join("../netlens-roots/src/generated.rs");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_netlens-roots-gen"))
        .arg("--apple")
        .arg(dir.join("security_certificates"))
        .arg("--nss")
        .arg(dir.join("nss"))
        .arg("--chrome")
        .arg(dir.join("chromium-roots"))
        .arg("--chrome-date")
        .arg(date.trim())
        .arg("--check")
        .arg(&generated)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
