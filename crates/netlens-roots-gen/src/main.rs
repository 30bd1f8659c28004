//! `netlens-roots-gen`: writes `crates/netlens-roots/src/generated.rs` from the upstream trust
//! stores and `crates/netlens-roots/data/apple-ct-logs.bin` from Apple's CT log list, or checks
//! that the committed files are what they give.
//!
//! ```text
//! netlens-roots-gen --apple <security_certificates git> [--apple-rev REV]
//!                   --nss <nss git> [--nss-rev REV]
//!                   --chrome <unpacked chromium-roots crate> --chrome-date YYYY-MM-DD
//!                   [--decisions apple-distrust.json] [--ct-out apple-ct-logs.bin]
//!                   [--out FILE | --check FILE]
//! netlens-roots-gen --apple <security_certificates git> --ct-only [--ct-out FILE | --check -]
//! ```
//!
//! DEVELOPERS.md ("Trust stores") has the recipe that fetches the three sources.

mod apple;
mod cert;
mod chrome;
mod ct;
mod emit;
mod git;
mod nss;

use std::path::PathBuf;
use std::process::ExitCode;

use netlens_roots::{Basis, StoreId};

use emit::{DistrustRow, RemovedRow, StoreRow, Tables};

struct Args {
    apple: PathBuf,
    apple_rev: String,
    nss: PathBuf,
    nss_rev: String,
    chrome: PathBuf,
    chrome_date: String,
    decisions: PathBuf,
    out: PathBuf,
    ct_out: PathBuf,
    ct_only: bool,
    check: bool,
}

const USAGE: &str = "usage: netlens-roots-gen --apple GITDIR [--apple-rev REV] --nss GITDIR [--nss-rev REV] \
                     --chrome CRATE_DIR --chrome-date YYYY-MM-DD [--decisions FILE] [--ct-out FILE] [--ct-only] [--out FILE | --check FILE]";

fn parse_args() -> Result<Args, String> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut args = Args {
        apple: PathBuf::new(),
        apple_rev: "HEAD".into(),
        nss: PathBuf::new(),
        nss_rev: "HEAD".into(),
        chrome: PathBuf::new(),
        chrome_date: String::new(),
        decisions: manifest.join("data/apple-distrust.json"),
        out: manifest.join("../netlens-roots/src/generated.rs"),
        ct_out: manifest.join("../netlens-roots/data/apple-ct-logs.bin"),
        ct_only: false,
        check: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--apple" => args.apple = value()?.into(),
            "--apple-rev" => args.apple_rev = value()?,
            "--nss" => args.nss = value()?.into(),
            "--nss-rev" => args.nss_rev = value()?,
            "--chrome" => args.chrome = value()?.into(),
            "--chrome-date" => args.chrome_date = value()?,
            "--decisions" => args.decisions = value()?.into(),
            "--out" => args.out = value()?.into(),
            "--ct-out" => args.ct_out = value()?.into(),
            // Only the CT log list (Apple's repository is the only source it needs).
            "--ct-only" => args.ct_only = true,
            "--check" => {
                args.out = value()?.into();
                args.check = true;
            }
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    if args.ct_only && !args.apple.as_os_str().is_empty() {
        return Ok(args);
    }
    if args.apple.as_os_str().is_empty()
        || args.nss.as_os_str().is_empty()
        || args.chrome.as_os_str().is_empty()
        || args.chrome_date.len() != 10
    {
        return Err(USAGE.into());
    }
    Ok(args)
}

/// The end of a day (UTC) as Unix seconds: "effective 2024-11-15" keeps certificates issued
/// that day.
fn end_of_day(date: &str) -> Result<i64, String> {
    netlens_x509::time::parse_moment(&format!("{date}T23:59:59Z"))
        .ok_or(format!("{date:?} is not a date"))
}

fn crate_version(dir: &std::path::Path) -> Result<String, String> {
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml"))
        .map_err(|e| format!("{}: {e}", dir.join("Cargo.toml").display()))?;
    manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .map(|v| v.trim_end_matches('"').to_owned())
        .ok_or("the crate's Cargo.toml has no version".into())
}

fn build(args: &Args) -> Result<Tables, String> {
    let mut tables = Tables::default();

    let apple = apple::read(&git::Repo::open(&args.apple, &args.apple_rev)?)?;
    eprintln!(
        "Apple {}: {} roots, {} removed",
        apple.version,
        apple.roots.len(),
        apple.removed.len()
    );
    for root in apple.roots {
        tables.root(root.cert, StoreId::Apple).apple_policies = root.policies;
    }
    let decisions = apple::decisions(
        &std::fs::read(&args.decisions)
            .map_err(|e| format!("{}: {e}", args.decisions.display()))?,
    )?;
    for d in decisions {
        let after = end_of_day(&d.effective)?;
        for hex in &d.roots {
            let row = tables
                .roots
                .values_mut()
                .find(|r| r.stores & StoreId::Apple.bit() != 0 && netlens_roots::hex(&r.cert.sha256) == hex.to_uppercase())
                .ok_or(format!(
                    "{}: {hex} is not in Apple's store; remove it from the decisions file (a removed root needs no date)",
                    d.ca
                ))?;
            row.distrust.push(DistrustRow {
                store: StoreId::Apple,
                after,
                basis: Basis::NotBefore,
                source: format!("{} (effective {})", d.source, d.effective),
            });
        }
    }
    tables.removed = apple
        .removed
        .into_iter()
        .map(|r| RemovedRow {
            cert: r.cert,
            removed_in: r.removed_in,
        })
        .collect();
    tables.stores.push(StoreRow {
        id: StoreId::Apple,
        name: "Apple's trust store".into(),
        clients: apple.clients,
        version: apple.version,
        date: apple.date,
        source: apple.source,
    });

    let nss = nss::read(&git::Repo::open(&args.nss, &args.nss_rev)?)?;
    eprintln!("NSS {}: {} server-auth roots", nss.version, nss.roots.len());
    let nss_source = format!(
        "Mozilla NSS certdata.txt CKA_NSS_SERVER_DISTRUST_AFTER (NSS builtins {}), compared with the leaf's notBefore as Firefox does",
        nss.version
    );
    for root in nss.roots {
        let row = tables.root(root.cert, StoreId::Mozilla);
        if let Some(after) = root.distrust_after {
            row.distrust.push(DistrustRow {
                store: StoreId::Mozilla,
                after,
                basis: Basis::NotBefore,
                source: nss_source.clone(),
            });
        }
    }
    tables.stores.push(StoreRow {
        id: StoreId::Mozilla,
        name: "Mozilla's root store".into(),
        clients: "Firefox, and TLS stacks that ship NSS' list".into(),
        version: format!("NSS {}", nss.version),
        date: nss.date,
        source: nss.source,
    });

    let generated = std::fs::read_to_string(args.chrome.join("src/generated.rs"))
        .map_err(|e| format!("{}: {e}", args.chrome.join("src/generated.rs").display()))?;
    let chrome = chrome::read(&generated, &crate_version(&args.chrome)?)?;
    eprintln!(
        "Chrome Root Store {} (Chrome {}): {} anchors ({} additional)",
        chrome.version,
        chrome.browser,
        chrome.anchors.len(),
        chrome.anchors.iter().filter(|a| a.additional).count()
    );
    let chrome_source = format!(
        "Chrome Root Store {}: sct_not_after_sec constraint (Chrome {}), on the leaf's earliest SCT",
        chrome.version, chrome.browser
    );
    for anchor in chrome.anchors {
        let row = tables.root(anchor.cert, StoreId::Chrome);
        if let Some(after) = anchor.sct_not_after {
            row.distrust.push(DistrustRow {
                store: StoreId::Chrome,
                after,
                basis: Basis::EarliestSct,
                source: chrome_source.clone(),
            });
        }
        if anchor.enforce_expiry {
            row.expiry_enforced |= StoreId::Chrome.bit();
        }
    }
    let major = chrome
        .browser
        .split('.')
        .next()
        .unwrap_or_default()
        .to_owned();
    tables.stores.push(StoreRow {
        id: StoreId::Chrome,
        name: "the Chrome Root Store".into(),
        clients: format!("Chrome {major} on Windows, macOS, Linux, ChromeOS and Android"),
        version: chrome.version,
        date: args.chrome_date.clone(),
        source: chrome.source,
    });
    Ok(tables)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let rendered = if args.ct_only {
        None
    } else {
        match build(&args).and_then(|t| emit::render(&t)) {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("netlens-roots-gen: {e}");
                return ExitCode::FAILURE;
            }
        }
    };
    let ct_logs = match git::Repo::open(&args.apple, &args.apple_rev)
        .and_then(|repo| ct::read(&repo))
        .and_then(|list| {
            eprintln!(
                "Apple CT log list {} ({}): {} logs",
                list.version,
                list.date,
                list.logs.len()
            );
            netlens_roots::ct_logs::encode(&list).map_err(|e| e.to_string())
        }) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("netlens-roots-gen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outputs = rendered
        .map(|r| (&args.out, r.into_bytes()))
        .into_iter()
        .chain([(&args.ct_out, ct_logs)]);
    let mut status = ExitCode::SUCCESS;
    for (path, bytes) in outputs {
        if args.check {
            if std::fs::read(path).unwrap_or_default() == bytes {
                eprintln!("{} is what upstream gives", path.display());
            } else {
                eprintln!(
                    "{} differs from what upstream gives: regenerate it (DEVELOPERS.md, \"Trust stores\")",
                    path.display()
                );
                status = ExitCode::FAILURE;
            }
        } else if let Err(e) = std::fs::write(path, bytes) {
            eprintln!("netlens-roots-gen: {}: {e}", path.display());
            status = ExitCode::FAILURE;
        } else {
            eprintln!("wrote {}", path.display());
        }
    }
    status
}
