//! The Chrome Root Store from the `chromium-roots` crate (crates.io), which packages Chrome's
//! signed PKI Metadata component (the root store Chrome downloads and enforces) as Rust: the DER
//! of every TLS trust anchor with its constraint sets, the store's major version and the Chrome
//! version the component was requested for. `chromium/chromium`'s own
//! `net/data/ssl/chrome_root_store/root_store.textproto` is the same data, but the copy the code
//! index holds is version 17 (November 2024), while the component is current.
//!
//! Constraint sets are alternatives, each gated by Chrome versions. They are resolved here for
//! the snapshot's Chrome version: the sets that apply to it must only carry
//! `sct_not_after_sec`, which becomes a distrust date on the leaf's earliest SCT; any other
//! constraint stops the generator until netlens can check it.

use crate::cert::{self, CertPieces};

/// A trust anchor of the store.
pub struct ChromeAnchor {
    /// The certificate's pieces.
    pub cert: CertPieces,
    /// Leaves whose earliest SCT is after this moment are not trusted.
    pub sct_not_after: Option<i64>,
    /// Chrome checks this anchor's own validity.
    pub enforce_expiry: bool,
    /// An intermediate Chrome trusts directly (`additional_certs` with `tls_trust_anchor`).
    pub additional: bool,
}

/// What was read.
pub struct ChromeStore {
    /// The Root Store's major version.
    pub version: String,
    /// The Chrome version the snapshot applies to.
    pub browser: String,
    /// Where it came from.
    pub source: String,
    /// The anchors trusted by that Chrome version.
    pub anchors: Vec<ChromeAnchor>,
}

/// The index just past the string literal that opens at `bytes[start]` (a `"`), escapes skipped.
fn past_string(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() && bytes[i] != b'"' {
        if bytes[i] == b'\\' {
            i += 1;
        }
        i += 1;
    }
    i + 1
}

/// Splits Rust source into top-level `name: value` pairs of a struct literal's body (commas and
/// brackets inside strings and nested literals do not count).
fn fields(body: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i = past_string(bytes, i);
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 => {
                push_field(&body[start..i], &mut out);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    push_field(&body[start..], &mut out);
    out
}

fn push_field(text: &str, out: &mut Vec<(String, String)>) {
    if let Some((name, value)) = text.split_once(':') {
        let name = name.trim();
        if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            out.push((name.to_owned(), value.trim().to_owned()));
        }
    }
}

/// The bodies of every `Name { … }` literal in `text`, in order.
fn literals<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let open = format!("{name} {{");
    let mut rest = text;
    while let Some(at) = rest.find(&open) {
        let body_start = at + open.len();
        let bytes = rest.as_bytes();
        let mut depth = 1;
        let mut i = body_start;
        while i < bytes.len() && depth > 0 {
            match bytes[i] {
                b'"' => {
                    i = past_string(bytes, i);
                    continue;
                }
                b'{' => depth += 1,
                b'}' => depth -= 1,
                _ => {}
            }
            i += 1;
        }
        out.push(&rest[body_start..i - 1]);
        rest = &rest[i..];
    }
    out
}

/// Decodes a Rust byte-string literal's body (`\xHH`, `\n`, `\r`, `\t`, `\\`, `\"`, `\'`, `\0`).
fn byte_string(body: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(body.len());
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let escape = *bytes.get(i + 1).ok_or("dangling backslash")?;
        match escape {
            b'x' => {
                let hex = body.get(i + 2..i + 4).ok_or("short \\x escape")?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| format!("bad \\x{hex}"))?);
                i += 4;
                continue;
            }
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'0' => out.push(0),
            b'\\' | b'"' | b'\'' => out.push(escape),
            other => return Err(format!("unknown escape \\{}", other as char)),
        }
        i += 2;
    }
    Ok(out)
}

/// `Some("x")` / `None` / `"x"` to the string inside.
fn string_value(value: &str) -> Option<String> {
    let inner = value
        .strip_prefix("Some(")
        .and_then(|v| v.strip_suffix(')'))
        .unwrap_or(value);
    inner
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .map(str::to_owned)
}

/// `Some(1_820_966_399_i64)` / `None` to the number.
fn number_value(value: &str) -> Result<Option<i64>, String> {
    if value == "None" {
        return Ok(None);
    }
    let inner = value
        .strip_prefix("Some(")
        .and_then(|v| v.strip_suffix(')'))
        .ok_or(format!("unexpected value {value}"))?;
    let digits: String = inner
        .trim_end_matches("_i64")
        .trim_end_matches("i64")
        .chars()
        .filter(|c| *c != '_')
        .collect();
    digits
        .parse()
        .map(Some)
        .map_err(|_| format!("not a number: {value}"))
}

/// Dotted version comparison ("153.0.8010.0" < "154.0.8037.97").
fn version_key(v: &str) -> Vec<u64> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

/// Reads `src/generated.rs` of an unpacked `chromium-roots` crate.
pub fn read(generated_rs: &str, crate_version: &str) -> Result<ChromeStore, String> {
    let constant = |name: &str| -> Result<String, String> {
        let prefix = format!("pub const {name}: ");
        generated_rs
            .lines()
            .find_map(|l| l.trim().strip_prefix(&prefix))
            .and_then(|l| l.split_once("= "))
            .map(|(_, v)| v.trim_end_matches(';').trim_matches('"').to_owned())
            .ok_or(format!("generated.rs has no {name}"))
    };
    let version = constant("ROOT_STORE_VERSION")?
        .trim_end_matches("i64")
        .to_owned();
    let browser = constant("SOURCE_BROWSER_VERSION")?;
    let component = constant("SOURCE_COMPONENT_VERSION")?;
    let browser_key = version_key(&browser);

    // CERTIFICATE_n constants.
    let mut certificates = std::collections::HashMap::new();
    for line in generated_rs.lines() {
        let Some(rest) = line.strip_prefix("const CERTIFICATE_") else {
            continue;
        };
        let (number, literal) = rest
            .split_once(": &[u8] = b\"")
            .ok_or("unexpected CERTIFICATE line")?;
        let body = literal
            .strip_suffix("\";")
            .ok_or("unterminated CERTIFICATE literal")?;
        certificates.insert(format!("CERTIFICATE_{number}"), byte_string(body)?);
    }

    let list = generated_rs
        .split_once("pub const TLS_TRUST_ANCHORS: &[TrustAnchor] = &[")
        .map(|(_, rest)| rest)
        .ok_or("generated.rs has no TLS_TRUST_ANCHORS")?;
    let mut anchors = Vec::new();
    for body in literals(list, "TrustAnchor") {
        let f: std::collections::HashMap<String, String> = fields(body).into_iter().collect();
        let get = |k: &str| {
            f.get(k)
                .map(String::as_str)
                .ok_or(format!("TrustAnchor without {k}"))
        };
        let der = certificates
            .get(get("der")?)
            .ok_or(format!("unknown certificate {}", get("der")?))?;
        let pieces = cert::pieces(der)?;
        let mut applicable = Vec::new();
        for set in literals(get("constraints")?, "RootConstraint") {
            let c: std::collections::HashMap<String, String> = fields(set).into_iter().collect();
            let min = c.get("min_version").and_then(|v| string_value(v));
            let max = c.get("max_version_exclusive").and_then(|v| string_value(v));
            if min.is_some_and(|m| browser_key < version_key(&m))
                || max.is_some_and(|m| browser_key >= version_key(&m))
            {
                continue; // for other Chrome versions
            }
            for (name, value) in &c {
                let unset = value == "None" || value == "&[]";
                let known = matches!(
                    name.as_str(),
                    "sct_not_after_sec" | "min_version" | "max_version_exclusive"
                );
                if !unset && !known {
                    return Err(format!(
                        "{}: constraint {name} = {value} applies to Chrome {browser}; netlens cannot check it yet",
                        pieces.label
                    ));
                }
            }
            applicable.push(number_value(
                c.get("sct_not_after_sec").map_or("None", String::as_str),
            )?);
        }
        let constrained = !literals(get("constraints")?, "RootConstraint").is_empty();
        if constrained && applicable.is_empty() {
            continue; // trusted only by other Chrome versions
        }
        // Sets are alternatives: an unconstrained set wins, else the latest date.
        let sct_not_after = if applicable.iter().any(Option::is_none) {
            None
        } else {
            applicable.into_iter().flatten().max()
        };
        anchors.push(ChromeAnchor {
            cert: pieces,
            sct_not_after,
            enforce_expiry: get("enforce_anchor_expiry")? == "true",
            additional: get("kind")?.ends_with("Additional"),
        });
    }
    Ok(ChromeStore {
        source: format!(
            "Chrome Root Store {version}: Chrome PKI Metadata component {component} for Chrome {browser}, as \
             packaged by the chromium-roots crate {crate_version} (crates.io)"
        ),
        version,
        browser,
        anchors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_literals_are_read_back() {
        assert_eq!(byte_string(r#"0\x82\n\"\\{\0"#).unwrap(), b"0\x82\n\"\\{\0");
        assert!(byte_string(r"\q").is_err());
        let f = fields(r#"a: Some("x,y"), b: &[X { c: 1 }], d: None"#);
        assert_eq!(f.len(), 3);
        assert_eq!(f[1].1, "&[X { c: 1 }]");
        assert_eq!(
            number_value("Some(1_820_966_399_i64)").unwrap(),
            Some(1_820_966_399)
        );
        assert_eq!(
            string_value(r#"Some("153.0.8010.0")"#).as_deref(),
            Some("153.0.8010.0")
        );
        assert!(version_key("153.0.8010.0") < version_key("154.0.8037.97"));
        let blocks = literals(r#"T { a: b"}{", n: 1 }, T { n: 2 }"#, "T");
        assert_eq!(blocks.len(), 2);
    }
}
