//! Invariants of the source tree that the compiler cannot check (ARCHITECTURE.md, "Invariants").
//!
//! - Rule ids are typed: outside the catalogs, code names a rule by its enum variant, never by
//!   its string, so a misspelt id fails to compile. Tests, scripts and page tests match on the
//!   strings on purpose (they are the public contract), so only `src/` is checked.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

fn rust_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `.rs` file under `crates/*/src`.
fn sources() -> Vec<PathBuf> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&crates).unwrap().flatten() {
        rust_sources(&entry.path().join("src"), &mut files);
    }
    assert!(files.len() > 50, "found only {} source files", files.len());
    files
}

#[test]
fn no_rule_id_string_outside_the_catalogs() {
    let ids: Vec<&str> = netlens_chain::catalog::RuleId::ALL
        .iter()
        .map(|id| id.as_str())
        .chain(
            netlens_dnssd::catalog::RuleId::ALL
                .iter()
                .map(|id| id.as_str()),
        )
        .collect();
    assert!(ids.len() > 100);
    let mut found = Vec::new();
    for file in sources() {
        if file.file_name().is_some_and(|n| n == "catalog.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for id in &ids {
                if line.contains(&format!("\"{id}\"")) {
                    found.push(format!("{}:{}: {id}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "rule ids written as strings (use the catalog's RuleId variant):\n{}",
        found.join("\n")
    );
}

/// The crates with no clock, no I/O and no wasm (ARCHITECTURE.md, "Code map").
const CORE_CRATES: &[&str] = &[
    "netlens-catalog",
    "netlens-chain",
    "netlens-dnssd",
    "netlens-probe",
    "netlens-x509",
    "netlens-roots",
    "netlens-tls",
    "netlens-make",
];

#[test]
fn core_public_functions_return_error_enums_not_strings() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = Vec::new();
    for name in CORE_CRATES {
        let mut files = Vec::new();
        rust_sources(&crates.join(name).join("src"), &mut files);
        assert!(!files.is_empty(), "{name} has no sources");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            // A signature runs from `pub fn` to its body or `;` (rustfmt may break it over
            // lines).
            for (start, _) in text.match_indices("pub fn ") {
                let signature = &text[start..];
                let end = signature.find(['{', ';']).unwrap_or(signature.len());
                let signature: String = signature[..end].split_whitespace().collect();
                if signature.contains("Result<") && signature.ends_with(",String>") {
                    found.push(format!("{}: {signature}", file.display()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "public functions of core crates that return Result<_, String> (give them an error enum \
         with Display and std::error::Error):\n{}",
        found.join("\n")
    );
}
