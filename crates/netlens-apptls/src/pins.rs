//! Pin sets: written from a chain, and checked against a chain and its renewal.
//!
//! A pin is the base64 SHA-256 of a certificate's DER SubjectPublicKeyInfo (Apple's
//! `SPKI-SHA256-BASE64`, Android's `<pin digest="SHA-256">`, OkHttp's `sha256/…`, HPKP's
//! `pin-sha256`: the same 32 bytes everywhere). [`from_chain`] lists every certificate's pin,
//! recommends what to pin (a CA key with a backup, never the leaf alone: a renewal with a new
//! key would lock the app out) and writes the fragments to paste. [`check`] reads a pin set
//! (an `NSPinnedDomains` dictionary, or pins one per line in any of those forms) and says which
//! certificate of a chain each pin matches, and, given the next chain, whether the app
//! survives the rotation.

use serde::Serialize;

use crate::ats::{self, Pin};
use crate::catalog::RuleId;
use crate::finding::Finding;

/// Where a certificate sits in the chain as given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The first certificate: the server's.
    Leaf,
    /// A CA certificate that is not self-issued.
    Intermediate,
    /// A self-issued CA certificate.
    Root,
}

/// One certificate and its pin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertificatePin {
    /// Position in the input, from 0.
    pub index: usize,
    /// Its role.
    pub role: Role,
    /// A short name (the common name, else the organisation).
    pub name: String,
    /// notAfter, RFC 3339.
    pub not_after: String,
    /// The pin: base64 SHA-256 of the SubjectPublicKeyInfo.
    pub spki_sha256_base64: String,
}

/// Fragments to paste, one per client stack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fragments {
    /// Info.plist `NSAppTransportSecurity` › `NSPinnedDomains`.
    pub ns_pinned_domains: String,
    /// Android `res/xml/network_security_config.xml`.
    pub android: String,
    /// OkHttp's `CertificatePinner` (Kotlin).
    pub okhttp: String,
    /// TrustKit's configuration (Swift).
    pub trustkit: String,
}

/// The pins of a chain and what to do with them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainPins {
    /// The host the fragments name.
    pub host: String,
    /// Every certificate read, in input order.
    pub certificates: Vec<CertificatePin>,
    /// The pins recommended, most useful first (a CA key, then its backup).
    pub recommended: Vec<String>,
    /// Why these, and what to keep in mind, as sentences.
    pub advice: Vec<String>,
    /// The fragments, with the recommended pins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fragments: Option<Fragments>,
    /// Input problems, as sentences.
    pub problems: Vec<String>,
}

/// Reads the certificates in `chain` (PEM, DER, base64, PKCS#7: what the decoder reads).
fn certificates(chain: &[u8], now: i64) -> (Vec<CertificatePin>, Vec<String>) {
    let report = netlens_x509::decode(chain, None, now);
    let problems = report
        .problems
        .iter()
        .filter(|p| p.severity() == netlens_x509::Severity::Error)
        .map(|p| p.to_string())
        .collect();
    let certs = report
        .certificates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let ca = c.basic_constraints.as_ref().is_some_and(|b| b.ca);
            CertificatePin {
                index: i,
                role: if i == 0 && !ca {
                    Role::Leaf
                } else if c.self_issued && ca {
                    Role::Root
                } else if ca {
                    Role::Intermediate
                } else {
                    Role::Leaf
                },
                name: c.subject.display_label(),
                not_after: c.validity.not_after.clone(),
                spki_sha256_base64: c.fingerprints.spki_sha256_base64.clone(),
            }
        })
        .collect();
    (certs, problems)
}

/// Lists the pins of `chain`, recommends a pin set and writes the fragments for `host`.
pub fn from_chain(chain: &[u8], host: &str, now: i64) -> ChainPins {
    let (certificates, mut problems) = certificates(chain, now);
    let host = if host.trim().is_empty() {
        "example.com"
    } else {
        host.trim()
    };
    let mut advice = Vec::new();
    let mut recommended: Vec<String> = Vec::new();
    let cas: Vec<&CertificatePin> = certificates
        .iter()
        .filter(|c| c.role != Role::Leaf)
        .collect();
    if certificates.is_empty() && problems.is_empty() {
        problems.push("No certificate was found: paste the chain the server sends (PEM), or run `netlens chain --connect HOST` to fetch it.".to_owned());
    }
    match (cas.first(), cas.get(1)) {
        (Some(issuer), backup) => {
            recommended.push(issuer.spki_sha256_base64.clone());
            advice.push(format!("Pin the key of the CA that issues your certificate ({}): renewals from the same CA keep working, whatever key the new leaf has.", issuer.name));
            match backup {
                Some(b) => {
                    recommended.push(b.spki_sha256_base64.clone());
                    advice.push(format!("Keep {} as the backup pin: if the CA moves to a new intermediate under it, the app still connects.", b.name));
                }
                None => advice.push("Add a backup pin: the key of the root above it (paste the root too), or of a second CA you could move to. With one pin, a CA change locks the app out until an update ships; TrustKit refuses a configuration with fewer than two.".to_owned()),
            }
        }
        (None, _) if !certificates.is_empty() => {
            recommended.push(certificates[0].spki_sha256_base64.clone());
            advice.push("Only the leaf was given, so only the leaf key can be pinned: every renewal must then reuse the key (`openssl req -key old.key`), or the app breaks. Paste the intermediates to pin a CA key instead.".to_owned());
        }
        _ => {}
    }
    if !certificates.is_empty() {
        advice.push("Or do not pin: Certificate Transparency (NSRequiresCertificateTransparency) and ATS's default trust evaluation stop mis-issued certificates without the rotation risk. A proxy the user trusts (Charles, mitmproxy) is stopped only by pins.".to_owned());
    }
    let ca_pins = !cas.is_empty();
    let not_after = cas
        .first()
        .copied()
        .or(certificates.first())
        .map(|c| c.not_after.get(..10).unwrap_or("").to_owned())
        .unwrap_or_default();
    let fragments =
        (!recommended.is_empty()).then(|| write_fragments(host, &recommended, ca_pins, &not_after));
    ChainPins {
        host: host.to_owned(),
        certificates,
        recommended,
        advice,
        fragments,
        problems,
    }
}

fn write_fragments(host: &str, pins: &[String], ca: bool, expiration: &str) -> Fragments {
    let identities = if ca {
        "NSPinnedCAIdentities"
    } else {
        "NSPinnedLeafIdentities"
    };
    let mut plist = format!(
        "<key>NSAppTransportSecurity</key>\n<dict>\n\t<key>NSPinnedDomains</key>\n\t<dict>\n\t\t<key>{host}</key>\n\t\t<dict>\n\t\t\t<key>NSIncludesSubdomains</key>\n\t\t\t<false/>\n\t\t\t<key>{identities}</key>\n\t\t\t<array>\n"
    );
    for pin in pins {
        plist.push_str(&format!("\t\t\t\t<dict>\n\t\t\t\t\t<key>SPKI-SHA256-BASE64</key>\n\t\t\t\t\t<string>{pin}</string>\n\t\t\t\t</dict>\n"));
    }
    plist.push_str("\t\t\t</array>\n\t\t</dict>\n\t</dict>\n</dict>\n");
    let mut android = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- res/xml/network_security_config.xml; AndroidManifest: android:networkSecurityConfig=\"@xml/network_security_config\" -->\n<network-security-config>\n    <domain-config>\n",
    );
    android.push_str(&format!(
        "        <domain includeSubdomains=\"false\">{host}</domain>\n"
    ));
    if expiration.is_empty() {
        android.push_str("        <pin-set>\n");
    } else {
        android.push_str(&format!("        <!-- After this date the pins are not enforced: set it past your CA's key rotation. -->\n        <pin-set expiration=\"{expiration}\">\n"));
    }
    for pin in pins {
        android.push_str(&format!(
            "            <pin digest=\"SHA-256\">{pin}</pin>\n"
        ));
    }
    android.push_str("        </pin-set>\n    </domain-config>\n</network-security-config>\n");
    let mut okhttp = String::from("val certificatePinner = CertificatePinner.Builder()\n");
    for pin in pins {
        okhttp.push_str(&format!("    .add(\"{host}\", \"sha256/{pin}\")\n"));
    }
    okhttp.push_str("    .build()\nval client = OkHttpClient.Builder()\n    .certificatePinner(certificatePinner)\n    .build()\n");
    let hashes: Vec<String> = pins.iter().map(|p| format!("\"{p}\"")).collect();
    let trustkit = format!(
        "let trustKitConfig: [String: Any] = [\n    kTSKSwizzleNetworkDelegates: false,\n    kTSKPinnedDomains: [\n        \"{host}\": [\n            kTSKIncludeSubdomains: false,\n            kTSKEnforcePinning: true,\n            // TrustKit requires at least two hashes: one of them a backup.\n            kTSKPublicKeyHashes: [{}],\n        ],\n    ],\n]\nTrustKit.initSharedInstance(withConfiguration: trustKitConfig)\n",
        hashes.join(", ")
    );
    Fragments {
        ns_pinned_domains: plist,
        android,
        okhttp,
        trustkit,
    }
}

/// Which certificates a pin may match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PinKind {
    /// `NSPinnedCAIdentities`: any CA certificate of the chain.
    Ca,
    /// `NSPinnedLeafIdentities`: the leaf only.
    Leaf,
    /// A bare pin (Android, OkHttp, TrustKit, HPKP): any certificate of the chain.
    Any,
}

/// One pin of the set and what it matches.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PinMatch {
    /// The pin as written.
    pub pin: String,
    /// Which certificates it may match.
    pub kind: PinKind,
    /// The domain it is pinned for (NSPinnedDomains), if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Whether it is a valid 32-byte SHA-256 pin.
    pub valid: bool,
    /// The indexes of the current chain's certificates it matches.
    pub matches: Vec<usize>,
    /// The indexes of the next chain's certificates it matches.
    pub matches_next: Vec<usize>,
}

/// A pin set checked against a chain (and its renewal).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PinCheck {
    /// Each pin and what it matches.
    pub pins: Vec<PinMatch>,
    /// The current chain's certificates.
    pub chain: Vec<CertificatePin>,
    /// The next chain's certificates, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<Vec<CertificatePin>>,
    /// Whether the app connects to a server sending the current chain.
    pub connects: bool,
    /// Whether it connects after the rotation (when a next chain was given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connects_after_rotation: Option<bool>,
    /// Findings: invalid pins, a single pin, leaf-only pins, no match, a rotation that breaks.
    pub findings: Vec<crate::finding::Finding>,
    /// Input problems, as sentences.
    pub problems: Vec<String>,
}

/// One pin of a set: the pin, what it may match, and the domain it is pinned for.
pub type PinEntry = (Pin, PinKind, Option<String>);

/// Reads a pin set: an NSPinnedDomains dictionary (in an Info.plist or alone), or pins one per
/// line / comma in any common form (`sha256/…`, `pin-sha256="…"`, `<pin digest="SHA-256">…`,
/// bare base64). When `host` is given, only NSPinnedDomains entries that apply to it count.
pub fn read_pin_set(input: &str, host: Option<&str>) -> (Vec<PinEntry>, Vec<Finding>) {
    let trimmed = input.trim_start();
    if trimmed.starts_with('<')
        && (input.contains("NSPinned") || input.contains("SPKI-SHA256-BASE64"))
    {
        return match ats::lint(input.as_bytes()) {
            Ok(report) => {
                let mut out = Vec::new();
                for domain in &report.settings.pinned {
                    let applies = host.is_none_or(|h| {
                        let h = h.to_ascii_lowercase();
                        let d = domain.domain.to_ascii_lowercase();
                        h == d || (domain.includes_subdomains && h.ends_with(&format!(".{d}")))
                    });
                    if !applies {
                        continue;
                    }
                    for p in &domain.ca {
                        out.push((p.clone(), PinKind::Ca, Some(domain.domain.clone())));
                    }
                    for p in &domain.leaf {
                        out.push((p.clone(), PinKind::Leaf, Some(domain.domain.clone())));
                    }
                }
                let findings = report
                    .findings
                    .into_iter()
                    .filter(|f| {
                        crate::catalog::RuleId::rule(f.rule)
                            .is_some_and(|r| r.concerns == crate::catalog::Concerns::Pins)
                            || f.rule == RuleId::AppAtsDomainNotAName
                    })
                    .collect();
                (out, findings)
            }
            Err(e) => (
                Vec::new(),
                vec![Finding::new(
                    RuleId::AppPinIdentityShape,
                    "pins",
                    e.to_string(),
                )],
            ),
        };
    }
    let mut out = Vec::new();
    let mut findings = Vec::new();
    for (n, raw) in input
        .split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty() && !s.starts_with('#') && !s.starts_with("//"))
        .enumerate()
    {
        let text = pin_text(raw);
        let pin = Pin::parse(text);
        if pin.digest.is_none() {
            findings.push(ats::pin_invalid(&format!("pin {}", n + 1), text));
        }
        out.push((pin, PinKind::Any, None));
    }
    (out, findings)
}

/// The base64 inside the common ways of writing a pin.
fn pin_text(raw: &str) -> &str {
    let raw = raw.trim().trim_end_matches(')');
    if let Some(at) = raw.find("sha256/") {
        return raw[at + 7..]
            .trim_matches(|c: char| c == '"' || c == '\'' || c == ')' || c.is_whitespace());
    }
    if let Some(at) = raw.find("pin-sha256=") {
        return raw[at + 11..].trim_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace());
    }
    if let Some(start) = raw.find('>')
        && let Some(end) = raw[start..].find("</")
    {
        return raw[start + 1..start + end].trim();
    }
    raw.trim_matches(|c: char| c == '"' || c == '\'' || c == ',' || c.is_whitespace())
}

fn matches(pin: &Pin, kind: PinKind, chain: &[CertificatePin]) -> Vec<usize> {
    chain
        .iter()
        .filter(|c| match kind {
            PinKind::Ca => c.role != Role::Leaf,
            PinKind::Leaf => c.index == 0,
            PinKind::Any => true,
        })
        .filter(|c| c.spki_sha256_base64 == pin.base64)
        .map(|c| c.index)
        .collect()
}

/// Checks a pin set against `chain` and, if given, the `next` chain (the renewal).
pub fn check(
    pin_set: &str,
    chain: &[u8],
    next: Option<&[u8]>,
    host: Option<&str>,
    now: i64,
) -> PinCheck {
    let (pins, mut findings) = read_pin_set(pin_set, host);
    let (current, mut problems) = certificates(chain, now);
    let next_chain = next.map(|n| {
        let (certs, p) = certificates(n, now);
        problems.extend(p.into_iter().map(|s| format!("Next chain: {s}")));
        certs
    });
    if pins.is_empty() && findings.is_empty() {
        problems.push("No pin was found: paste NSPinnedDomains (or the Info.plist), or pins one per line (`sha256/…`, base64).".to_owned());
    }
    if current.is_empty() {
        problems.push(
            "No certificate was found in the chain: paste the chain the server sends (PEM)."
                .to_owned(),
        );
    }
    let valid: Vec<&PinEntry> = pins.iter().filter(|(p, _, _)| p.digest.is_some()).collect();
    if valid.len() == 1 {
        findings.push(Finding::new(RuleId::AppPinNoBackup, "pins", "The set has one valid pin: if that key changes, the app cannot connect until an update ships."));
    }
    if !valid.is_empty() && valid.iter().all(|(_, k, _)| *k == PinKind::Leaf) {
        findings.push(Finding::new(
            RuleId::AppPinLeafOnly,
            "pins",
            "Only leaf keys are pinned (NSPinnedLeafIdentities).",
        ));
    }
    let results: Vec<PinMatch> = pins
        .iter()
        .map(|(pin, kind, domain)| PinMatch {
            pin: pin.base64.clone(),
            kind: *kind,
            domain: domain.clone(),
            valid: pin.digest.is_some(),
            matches: matches(pin, *kind, &current),
            matches_next: next_chain
                .as_ref()
                .map(|n| matches(pin, *kind, n))
                .unwrap_or_default(),
        })
        .collect();
    let connects = results.iter().any(|r| !r.matches.is_empty());
    // Bare pins that match only the leaf are leaf pins in effect.
    let only_leaf_matches = connects
        && results
            .iter()
            .flat_map(|r| &r.matches)
            .all(|&i| current.iter().any(|c| c.index == i && c.role == Role::Leaf));
    if only_leaf_matches && !findings.iter().any(|f| f.rule == RuleId::AppPinLeafOnly) {
        findings.push(Finding::new(
            RuleId::AppPinLeafOnly,
            "pins",
            "Of these pins, only the leaf's key matches this chain: a renewal with a new key breaks the app.",
        ));
    }
    if !current.is_empty() && !valid.is_empty() && !connects {
        let leaf_only_leaf = results.iter().any(|r| {
            r.kind == PinKind::Ca
                && current
                    .iter()
                    .any(|c| c.role == Role::Leaf && c.spki_sha256_base64 == r.pin)
        });
        let no_root = !current.iter().any(|c| c.role == Role::Root);
        let mut why = String::from("None of the pins is the key of a certificate in this chain.");
        if leaf_only_leaf {
            why.push_str(" One NSPinnedCAIdentities pin is the leaf's key: CA identities match only CA certificates; move it to NSPinnedLeafIdentities.");
        }
        if no_root {
            why.push_str(" The chain has no root: if a pin is a root's key, paste the root too (iOS matches pins against the chain it builds, root included).");
        }
        why.push_str(" If the server renewed with a new key or CA, pin the new key; if a proxy is in the path, the chain is the proxy's.");
        findings.push(Finding::new(RuleId::AppPinNoMatch, "chain", why));
    }
    let connects_after_rotation = next_chain
        .as_ref()
        .map(|_| results.iter().any(|r| !r.matches_next.is_empty()));
    if connects && connects_after_rotation == Some(false) {
        findings.push(Finding::new(RuleId::AppPinRotationBreaks, "next chain", "The pins match today's chain but no certificate of the renewal: after the server switches, the app cannot connect."));
    }
    PinCheck {
        pins: results,
        chain: current,
        next: next_chain,
        connects,
        connects_after_rotation,
        findings,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_forms() {
        let b = "r/mIkG3eEpVdm+u/ko/cwxzOMo1bk4TyHIlByibiA5E=";
        for form in [
            format!("sha256/{b}"),
            format!("pin-sha256=\"{b}\""),
            format!("<pin digest=\"SHA-256\">{b}</pin>"),
            format!("\"{b}\""),
            format!(".add(\"example.com\", \"sha256/{b}\")"),
        ] {
            assert_eq!(pin_text(&form), b, "{form}");
        }
    }
}
