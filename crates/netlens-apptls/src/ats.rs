//! Lints an app's `NSAppTransportSecurity` dictionary and says what it does to a host.
//!
//! [`lint`] reads a pasted Info.plist (XML or binary, whole or a fragment, through
//! `netlens-plist`), finds the dictionary (under `NSAppTransportSecurity`, or the dictionary
//! itself when its keys are ATS keys), and reports what each key does, what does nothing
//! (misspelled or misplaced keys, non-Boolean values, domains with a scheme or port, values
//! equal to the defaults) and what App Review asks a justification for. [`Settings`] is the
//! dictionary as ATS reads it; [`Settings::for_host`] says which rules apply to one host, which
//! the CLI's `netlens ats HOST --info-plist` compares with what the server accepts
//! ([`host_findings`]).

use serde::Serialize;

use crate::catalog::RuleId;
use crate::finding::{Finding, closest};
use netlens_plist::{Dict, Value};

const TOP_KEYS: &[&str] = &[
    "NSAllowsArbitraryLoads",
    "NSAllowsArbitraryLoadsForMedia",
    "NSAllowsArbitraryLoadsInWebContent",
    "NSAllowsLocalNetworking",
    "NSExceptionDomains",
    "NSPinnedDomains",
];
const DOMAIN_KEYS: &[&str] = &[
    "NSIncludesSubdomains",
    "NSExceptionAllowsInsecureHTTPLoads",
    "NSExceptionMinimumTLSVersion",
    "NSExceptionRequiresForwardSecrecy",
    "NSRequiresCertificateTransparency",
];
const PINNED_KEYS: &[&str] = &[
    "NSIncludesSubdomains",
    "NSPinnedCAIdentities",
    "NSPinnedLeafIdentities",
];
/// iOS 9's first keys and their current names.
const LEGACY_KEYS: &[(&str, &str)] = &[
    (
        "NSTemporaryExceptionAllowsInsecureHTTPLoads",
        "NSExceptionAllowsInsecureHTTPLoads",
    ),
    (
        "NSTemporaryExceptionMinimumTLSVersion",
        "NSExceptionMinimumTLSVersion",
    ),
    (
        "NSTemporaryExceptionRequiresForwardSecrecy",
        "NSExceptionRequiresForwardSecrecy",
    ),
    (
        "NSThirdPartyExceptionAllowsInsecureHTTPLoads",
        "NSExceptionAllowsInsecureHTTPLoads",
    ),
    (
        "NSThirdPartyExceptionMinimumTLSVersion",
        "NSExceptionMinimumTLSVersion",
    ),
    (
        "NSThirdPartyExceptionRequiresForwardSecrecy",
        "NSExceptionRequiresForwardSecrecy",
    ),
    (
        "NSTemporaryExceptionRequiresCertificateTransparency",
        "NSRequiresCertificateTransparency",
    ),
];

/// A TLS version as NSExceptionMinimumTLSVersion writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum TlsVersion {
    /// `TLSv1.0`.
    #[serde(rename = "TLSv1.0")]
    Tls10,
    /// `TLSv1.1`.
    #[serde(rename = "TLSv1.1")]
    Tls11,
    /// `TLSv1.2` (ATS's default minimum).
    #[serde(rename = "TLSv1.2")]
    Tls12,
    /// `TLSv1.3`.
    #[serde(rename = "TLSv1.3")]
    Tls13,
}

impl TlsVersion {
    /// The value as written in Info.plist.
    pub fn name(self) -> &'static str {
        match self {
            TlsVersion::Tls10 => "TLSv1.0",
            TlsVersion::Tls11 => "TLSv1.1",
            TlsVersion::Tls12 => "TLSv1.2",
            TlsVersion::Tls13 => "TLSv1.3",
        }
    }

    fn parse(s: &str) -> Option<TlsVersion> {
        Some(match s {
            "TLSv1.0" => TlsVersion::Tls10,
            "TLSv1.1" => TlsVersion::Tls11,
            "TLSv1.2" => TlsVersion::Tls12,
            "TLSv1.3" => TlsVersion::Tls13,
            _ => return None,
        })
    }
}

/// One `NSExceptionDomains` entry as ATS reads it (keys that do nothing left out).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExceptionDomain {
    /// The domain, as written.
    pub domain: String,
    /// `NSIncludesSubdomains`.
    pub includes_subdomains: bool,
    /// `NSExceptionAllowsInsecureHTTPLoads`.
    pub allows_insecure_http: bool,
    /// `NSExceptionMinimumTLSVersion` (TLS 1.2 when absent or invalid).
    pub minimum_tls: TlsVersion,
    /// `NSExceptionRequiresForwardSecrecy` (true when absent).
    pub requires_forward_secrecy: bool,
    /// `NSRequiresCertificateTransparency`.
    pub requires_ct: bool,
    /// Whether the key is a name ATS can match (no scheme, port, path, wildcard or IP).
    pub usable: bool,
}

/// One pin as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pin {
    /// The base64 text.
    pub base64: String,
    /// The 32-byte digest, when the text is valid.
    #[serde(skip)]
    pub digest: Option<[u8; 32]>,
}

impl Pin {
    /// Reads a pin (base64 of a SHA-256 digest); `digest` is `None` when it is not one.
    pub fn parse(text: &str) -> Pin {
        use base64::Engine;
        let trimmed = text.trim();
        let digest = base64::engine::general_purpose::STANDARD
            .decode(trimmed)
            .ok()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes.as_slice()).ok());
        Pin {
            base64: trimmed.to_owned(),
            digest,
        }
    }
}

/// One `NSPinnedDomains` entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PinnedDomain {
    /// The domain, as written.
    pub domain: String,
    /// `NSIncludesSubdomains`.
    pub includes_subdomains: bool,
    /// `NSPinnedCAIdentities`.
    pub ca: Vec<Pin>,
    /// `NSPinnedLeafIdentities`.
    pub leaf: Vec<Pin>,
}

/// The dictionary as ATS reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// `NSAllowsArbitraryLoads` as written (true only for a Boolean true).
    pub allows_arbitrary_loads: bool,
    /// Whether ATS honours it (iOS 10 and later ignore it beside the narrower keys).
    pub arbitrary_loads_effective: bool,
    /// `NSAllowsArbitraryLoadsInWebContent`.
    pub allows_web_content: bool,
    /// `NSAllowsArbitraryLoadsForMedia`.
    pub allows_media: bool,
    /// `NSAllowsLocalNetworking`.
    pub allows_local_networking: bool,
    /// `NSExceptionDomains`.
    pub exceptions: Vec<ExceptionDomain>,
    /// `NSPinnedDomains`.
    pub pinned: Vec<PinnedDomain>,
}

/// What ATS does for URLSession connections to one host, from [`Settings::for_host`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HostPolicy {
    /// The host.
    pub host: String,
    /// The exception domain that applies, if any.
    pub exception: Option<String>,
    /// ATS's checks apply (false when NSAllowsArbitraryLoads turns them off for this host).
    pub ats_applies: bool,
    /// The lowest TLS version the app accepts.
    pub minimum_tls: TlsVersion,
    /// Whether the app requires forward-secret suites.
    pub requires_forward_secrecy: bool,
    /// Whether cleartext HTTP is allowed.
    pub allows_insecure_http: bool,
    /// The pinned domain that applies, if any.
    pub pinned: Option<String>,
}

/// What a pasted Info.plist's ATS dictionary does.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AtsReport {
    /// Whether an NSAppTransportSecurity dictionary was found.
    pub found: bool,
    /// The dictionary as ATS reads it.
    pub settings: Settings,
    /// Every finding, in the order of the keys.
    pub findings: Vec<Finding>,
}

/// Why a pasted text could not be linted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LintError {
    /// The property list cannot be read.
    Plist(netlens_plist::Error),
    /// A property list without ATS keys and without NSAppTransportSecurity.
    NotAts {
        /// Up to five of its top-level keys.
        keys: Vec<String>,
    },
    /// `NSAppTransportSecurity` is not a dictionary.
    NotADictionary(&'static str),
}

impl core::fmt::Display for LintError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            LintError::Plist(e) => e.fmt(f),
            LintError::NotAts { keys } if keys.is_empty() => write!(
                f,
                "The property list is empty: paste the app's Info.plist or its NSAppTransportSecurity dictionary."
            ),
            LintError::NotAts { keys } => write!(
                f,
                "This dictionary is not an ATS dictionary: its keys ({}) are not NSAppTransportSecurity or ATS keys. Paste the whole Info.plist, or the dictionary under NSAppTransportSecurity.",
                keys.join(", ")
            ),
            LintError::NotADictionary(kind) => write!(
                f,
                "NSAppTransportSecurity is {kind}; ATS reads it only as a dictionary (`<key>NSAppTransportSecurity</key><dict>…</dict>`)."
            ),
        }
    }
}

impl std::error::Error for LintError {}

/// Lints the ATS dictionary in a pasted Info.plist (text or the bytes of a binary plist).
pub fn lint(input: &[u8]) -> Result<AtsReport, LintError> {
    let doc = netlens_plist::parse(input).map_err(LintError::Plist)?;
    let Some(root) = doc.root.as_dict() else {
        return Err(LintError::NotAts { keys: Vec::new() });
    };
    let (ats, path) = match root.get("NSAppTransportSecurity") {
        Some(Value::Dict(d)) => (d, "NSAppTransportSecurity"),
        Some(other) => return Err(LintError::NotADictionary(other.kind())),
        None if root
            .entries()
            .iter()
            .any(|(k, _)| TOP_KEYS.contains(&k.as_str()) || DOMAIN_KEYS.contains(&k.as_str())) =>
        {
            (root, "NSAppTransportSecurity")
        }
        None if looks_like_info_plist(root) => {
            return Ok(AtsReport {
                found: false,
                settings: Settings::default(),
                findings: vec![Finding::new(
                    RuleId::AppAtsMissing,
                    "Info.plist",
                    "The Info.plist has no NSAppTransportSecurity key: every URLSession connection must meet ATS (HTTPS, TLS 1.2 or later, forward secrecy, a trusted certificate of SHA-256 and RSA ≥ 2048 / EC ≥ 256 bits).",
                )],
            });
        }
        None => {
            return Err(LintError::NotAts {
                keys: root
                    .entries()
                    .iter()
                    .take(5)
                    .map(|(k, _)| k.clone())
                    .collect(),
            });
        }
    };
    let mut findings = Vec::new();
    let settings = read_top(ats, path, &mut findings);
    Ok(AtsReport {
        found: true,
        settings,
        findings,
    })
}

/// A whole Info.plist has CFBundle… keys (Xcode always writes CFBundleIdentifier); a fragment
/// of other keys is not taken for one.
fn looks_like_info_plist(root: &Dict) -> bool {
    root.entries()
        .iter()
        .any(|(k, _)| k.starts_with("CFBundle"))
}

fn path_of(parent: &str, key: &str) -> String {
    format!("{parent} › {key}")
}

/// A Boolean key's value: `Some(b)` for a Boolean, `None` (with a finding) otherwise.
fn boolean(value: &Value, at: &str, key: &str, findings: &mut Vec<Finding>) -> Option<bool> {
    if let Some(b) = value.as_bool() {
        return Some(b);
    }
    let shown = match value {
        Value::String(s) => format!("the string \"{s}\""),
        Value::Integer(i) => format!("the integer {i}"),
        other => other.kind().to_owned(),
    };
    findings.push(
        Finding::new(
            RuleId::AppAtsNotBoolean,
            at,
            format!("{key} is {shown}, not a Boolean: ATS ignores it and uses the default."),
        )
        .fix(format!("Write `<key>{key}</key><true/>` (or `<false/>`).")),
    );
    None
}

fn read_top(ats: &Dict, path: &str, findings: &mut Vec<Finding>) -> Settings {
    let mut s = Settings::default();
    let mut narrower: Vec<&str> = Vec::new();
    for (key, value) in ats.entries() {
        let at = path_of(path, key);
        match key.as_str() {
            "NSAllowsArbitraryLoads" => {
                s.allows_arbitrary_loads = boolean(value, &at, key, findings).unwrap_or(false);
            }
            "NSAllowsArbitraryLoadsForMedia" => {
                narrower.push(key);
                s.allows_media = boolean(value, &at, key, findings).unwrap_or(false);
                if s.allows_media {
                    findings.push(Finding::new(RuleId::AppAtsMedia, &at, "AVFoundation loads media without ATS (cleartext HTTP and weak TLS allowed for media)."));
                }
            }
            "NSAllowsArbitraryLoadsInWebContent" => {
                narrower.push(key);
                s.allows_web_content = boolean(value, &at, key, findings).unwrap_or(false);
                if s.allows_web_content {
                    findings.push(Finding::new(RuleId::AppAtsWebContent, &at, "WKWebView loads web pages without ATS; URLSession connections stay under ATS."));
                }
            }
            "NSAllowsLocalNetworking" => {
                narrower.push(key);
                s.allows_local_networking = boolean(value, &at, key, findings).unwrap_or(false);
                if s.allows_local_networking {
                    findings.push(Finding::new(
                        RuleId::AppAtsLocalNetworking,
                        &at,
                        "Unqualified names, `.local` names and IP addresses load without ATS.",
                    ));
                }
            }
            "NSExceptionDomains" => match value.as_dict() {
                Some(domains) => {
                    for (domain, entry) in domains.entries() {
                        if let Some(e) =
                            read_exception(domain, entry, &path_of(&at, domain), findings)
                        {
                            s.exceptions.push(e);
                        }
                    }
                }
                None => findings.push(wrong_type(&at, key, "a dictionary of domains", value)),
            },
            "NSPinnedDomains" => match value.as_dict() {
                Some(domains) => {
                    for (domain, entry) in domains.entries() {
                        if let Some(p) = read_pinned(domain, entry, &path_of(&at, domain), findings)
                        {
                            s.pinned.push(p);
                        }
                    }
                }
                None => findings.push(wrong_type(&at, key, "a dictionary of domains", value)),
            },
            k if DOMAIN_KEYS.contains(&k)
                || LEGACY_KEYS.iter().any(|(l, _)| *l == k)
                || k == "NSPinnedCAIdentities"
                || k == "NSPinnedLeafIdentities" =>
            {
                findings.push(Finding::new(
                    RuleId::AppAtsKeyWrongLevel,
                    &at,
                    format!("{k} is a per-domain key directly under NSAppTransportSecurity, where it does nothing."),
                ).fix(format!("Move it into a domain's dictionary: NSExceptionDomains › example.com › {k}.")));
            }
            k => findings.push(unknown_key(&at, k, TOP_KEYS, "NSAppTransportSecurity")),
        }
    }
    s.arbitrary_loads_effective = s.allows_arbitrary_loads && narrower.is_empty();
    if s.allows_arbitrary_loads {
        let at = path_of(path, "NSAllowsArbitraryLoads");
        if narrower.is_empty() {
            findings.push(Finding::new(
                RuleId::AppAtsArbitraryLoads,
                &at,
                format!(
                    "ATS is off for every domain{}: cleartext HTTP and weak TLS are allowed, and App Review asks why.",
                    if s.exceptions.is_empty() { String::new() } else { format!(" except the {} in NSExceptionDomains", s.exceptions.len()) }
                ),
            ));
        } else {
            findings.push(Finding::new(
                RuleId::AppAtsArbitraryLoadsIgnored,
                &at,
                format!("NSAllowsArbitraryLoads is YES, but {} is present, so iOS 10+ and macOS 10.12+ ignore it and apply ATS to every other connection.", narrower.join(" and ")),
            ));
        }
    }
    s
}

fn wrong_type(at: &str, key: &str, expected: &str, value: &Value) -> Finding {
    Finding::new(
        RuleId::AppAtsWrongType,
        at,
        format!("{key} is {}, not {expected}: ATS ignores it.", value.kind()),
    )
}

fn unknown_key(at: &str, key: &str, known: &[&str], level: &str) -> Finding {
    let all: Vec<&str> = TOP_KEYS
        .iter()
        .chain(DOMAIN_KEYS)
        .chain(PINNED_KEYS)
        .copied()
        .collect();
    match closest(key, known) {
        Some(near) => Finding::new(
            RuleId::AppAtsUnknownKey,
            at,
            format!("{key} is not an ATS key, so it does nothing; did you mean {near}?"),
        )
        .fix(format!("Rename it to {near}.")),
        None => match closest(key, &all) {
            Some(elsewhere) => Finding::new(
                RuleId::AppAtsKeyWrongLevel,
                at,
                format!(
                    "{key} is not a key of {level}; {elsewhere} belongs at another level, where it would take effect."
                ),
            ),
            None => Finding::new(
                RuleId::AppAtsUnknownKey,
                at,
                format!("{key} is not an ATS key of {level}, so it does nothing."),
            ),
        },
    }
}

/// Why a domain key matches no host, if it does not.
fn domain_problem(domain: &str) -> Option<String> {
    let d = domain.trim();
    if d.contains("://") {
        let host = d
            .split("://")
            .nth(1)
            .unwrap_or("")
            .split(['/', ':'])
            .next()
            .unwrap_or("");
        return Some(format!(
            "`{d}` has a scheme; ATS matches the host name alone (`{host}`)."
        ));
    }
    if d.contains('/') && ip_range(d).is_none() {
        return Some(format!(
            "`{d}` has a path; ATS matches the host name alone."
        ));
    }
    if d.starts_with('*') {
        return Some(format!(
            "`{d}` is a wildcard; ATS takes the parent domain with NSIncludesSubdomains (`{}`).",
            d.trim_start_matches("*.")
        ));
    }
    if ip_range(d).is_some()
        || d.trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok()
    {
        return None;
    }
    if let Some((host, port)) = d.rsplit_once(':')
        && !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
    {
        return Some(format!(
            "`{d}` has a port; ATS matches the host name alone (`{host}`), whatever the port."
        ));
    }
    if d != domain || d.is_empty() || d.contains(char::is_whitespace) {
        return Some(format!(
            "`{domain}` has spaces around or inside it, so it matches no host."
        ));
    }
    None
}

/// An IP address or range (`192.168.1.0/24`, `fd00::/8`) as NSExceptionDomains takes them
/// since iOS 17 / macOS 14: the network and its prefix length.
fn ip_range(text: &str) -> Option<(std::net::IpAddr, u8)> {
    let text = text.trim().trim_matches(['[', ']']);
    let (address, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, p.parse::<u8>().ok()?),
        None => (text, 128),
    };
    let address: std::net::IpAddr = address.parse().ok()?;
    let max = if address.is_ipv4() { 32 } else { 128 };
    Some((address, prefix.min(max)))
}

/// Whether `host` (an address) lies in `range`.
fn in_range(host: std::net::IpAddr, (network, prefix): (std::net::IpAddr, u8)) -> bool {
    let bits = |a: std::net::IpAddr| -> (u128, u32) {
        match a {
            std::net::IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
            std::net::IpAddr::V6(v6) => (u128::from(v6), 128),
        }
    };
    let ((h, width), (n, width_n)) = (bits(host), bits(network));
    if width != width_n {
        return false;
    }
    let prefix = u32::from(prefix).min(width);
    let shift = width - prefix;
    prefix == 0 || (h >> shift) == (n >> shift)
}

/// Why a usable domain key may still not do what its writer means: an address or range (honoured
/// from iOS 17 / macOS 14 only), or capitals (Apple's rule: lowercase).
fn domain_form(domain: &str) -> Option<String> {
    let d = domain.trim();
    if ip_range(d).is_some() {
        return Some(format!(
            "`{d}` is an IP address or range: iOS 17, iPadOS 17 and macOS 14 and later honour it; earlier systems ignore the entry (NSAllowsLocalNetworking covers local addresses there)."
        ));
    }
    if d.bytes().any(|b| b.is_ascii_uppercase()) {
        return Some(format!(
            "`{d}` has capitals; Apple's rule for exception domains is lowercase (`{}`).",
            d.to_ascii_lowercase()
        ));
    }
    None
}

fn read_exception(
    domain: &str,
    entry: &Value,
    at: &str,
    findings: &mut Vec<Finding>,
) -> Option<ExceptionDomain> {
    let Some(dict) = entry.as_dict() else {
        findings.push(wrong_type(
            at,
            domain,
            "a dictionary of exception keys",
            entry,
        ));
        return None;
    };
    let usable = match domain_problem(domain) {
        Some(problem) => {
            findings.push(Finding::new(RuleId::AppAtsDomainNotAName, at, problem));
            false
        }
        None => true,
    };
    if let Some(note) = domain_form(domain) {
        findings.push(Finding::new(RuleId::AppAtsDomainForm, at, note));
    }
    let mut e = ExceptionDomain {
        domain: domain.to_owned(),
        includes_subdomains: false,
        allows_insecure_http: false,
        minimum_tls: TlsVersion::Tls12,
        requires_forward_secrecy: true,
        requires_ct: false,
        usable,
    };
    let mut relaxes = false;
    for (key, value) in dict.entries() {
        let kat = path_of(at, key);
        match key.as_str() {
            "NSIncludesSubdomains" => {
                e.includes_subdomains = boolean(value, &kat, key, findings).unwrap_or(false)
            }
            "NSExceptionAllowsInsecureHTTPLoads" => {
                e.allows_insecure_http = boolean(value, &kat, key, findings).unwrap_or(false);
                if e.allows_insecure_http {
                    relaxes = true;
                    findings.push(Finding::new(
                        RuleId::AppAtsInsecureHttp,
                        &kat,
                        format!(
                            "Cleartext HTTP to {domain}{} is allowed.",
                            if e.includes_subdomains {
                                " and its subdomains"
                            } else {
                                ""
                            }
                        ),
                    ));
                }
            }
            "NSExceptionMinimumTLSVersion" => {
                match value.as_str().map(|s| (s, TlsVersion::parse(s))) {
                    Some((_, Some(v))) => {
                        e.minimum_tls = v;
                        if v < TlsVersion::Tls12 {
                            relaxes = true;
                            findings.push(Finding::new(
                                RuleId::AppAtsOldTls,
                                &kat,
                                format!("The app accepts {} from {domain}.", v.name()),
                            ));
                        }
                    }
                    Some((s, None)) => {
                        let guess = s.chars().filter(|c| c.is_ascii_digit()).collect::<String>();
                        let near = match guess.as_str() {
                            "10" | "1" => "TLSv1.0",
                            "11" => "TLSv1.1",
                            "13" => "TLSv1.3",
                            _ => "TLSv1.2",
                        };
                        findings.push(Finding::new(RuleId::AppAtsMinimumTlsInvalid, &kat, format!("\"{s}\" is not a value ATS knows (TLSv1.0, TLSv1.1, TLSv1.2, TLSv1.3): it is ignored and TLS 1.2 is required.")).fix(format!("Write `<string>{near}</string>`.")));
                    }
                    None => findings.push(wrong_type(&kat, key, "a string such as TLSv1.2", value)),
                }
            }
            "NSExceptionRequiresForwardSecrecy" => {
                e.requires_forward_secrecy = boolean(value, &kat, key, findings).unwrap_or(true);
                if !e.requires_forward_secrecy {
                    relaxes = true;
                    findings.push(Finding::new(
                        RuleId::AppAtsNoForwardSecrecy,
                        &kat,
                        format!("The app accepts static-RSA suites from {domain}."),
                    ));
                }
            }
            "NSRequiresCertificateTransparency" => {
                e.requires_ct = boolean(value, &kat, key, findings).unwrap_or(false)
            }
            k => {
                if let Some((_, current)) = LEGACY_KEYS.iter().find(|(l, _)| *l == k) {
                    findings.push(Finding::new(RuleId::AppAtsLegacyKey, &kat, format!("{k} is from iOS 9's first documentation; Apple documents {current} today.")).fix(format!("Rename it to {current}.")));
                    relaxes = true;
                } else if TOP_KEYS.contains(&k) {
                    findings.push(Finding::new(RuleId::AppAtsKeyWrongLevel, &kat, format!("{k} belongs directly under NSAppTransportSecurity; inside a domain it does nothing.")));
                } else {
                    findings.push(unknown_key(&kat, k, DOMAIN_KEYS, "an exception domain"));
                }
            }
        }
    }
    if !relaxes && !e.requires_ct && usable {
        findings.push(Finding::new(RuleId::AppAtsExceptionDoesNothing, at, format!("The exception for {domain} sets nothing but defaults: ATS treats {domain} as if it were not listed.")));
    }
    Some(e)
}

fn read_pinned(
    domain: &str,
    entry: &Value,
    at: &str,
    findings: &mut Vec<Finding>,
) -> Option<PinnedDomain> {
    let Some(dict) = entry.as_dict() else {
        findings.push(wrong_type(
            at,
            domain,
            "a dictionary of pinning keys",
            entry,
        ));
        return None;
    };
    if let Some(problem) = domain_problem(domain) {
        findings.push(Finding::new(RuleId::AppAtsDomainNotAName, at, problem));
    }
    let mut p = PinnedDomain {
        domain: domain.to_owned(),
        includes_subdomains: false,
        ca: Vec::new(),
        leaf: Vec::new(),
    };
    for (key, value) in dict.entries() {
        let kat = path_of(at, key);
        match key.as_str() {
            "NSIncludesSubdomains" => {
                p.includes_subdomains = boolean(value, &kat, key, findings).unwrap_or(false)
            }
            "NSPinnedCAIdentities" => p.ca = read_identities(value, &kat, key, findings),
            "NSPinnedLeafIdentities" => p.leaf = read_identities(value, &kat, key, findings),
            k => findings.push(unknown_key(&kat, k, PINNED_KEYS, "a pinned domain")),
        }
    }
    Some(p)
}

fn read_identities(value: &Value, at: &str, key: &str, findings: &mut Vec<Finding>) -> Vec<Pin> {
    let Some(items) = value.as_array() else {
        findings.push(Finding::new(
            RuleId::AppPinIdentityShape,
            at,
            format!("{key} is {}, not an array of dictionaries.", value.kind()),
        ));
        return Vec::new();
    };
    let mut pins = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let iat = format!("{at} › item {}", i + 1);
        let text = match item {
            Value::Dict(d) => match d.get("SPKI-SHA256-BASE64") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => {
                    findings.push(Finding::new(
                        RuleId::AppPinIdentityShape,
                        &iat,
                        format!("SPKI-SHA256-BASE64 is {}, not a string.", other.kind()),
                    ));
                    continue;
                }
                None => {
                    let keys: Vec<&str> = d.entries().iter().map(|(k, _)| k.as_str()).collect();
                    findings.push(Finding::new(
                        RuleId::AppPinIdentityShape,
                        &iat,
                        format!(
                            "The identity has no SPKI-SHA256-BASE64 key (it has {}).",
                            if keys.is_empty() {
                                "none".to_owned()
                            } else {
                                keys.join(", ")
                            }
                        ),
                    ));
                    continue;
                }
            },
            Value::String(s) => {
                findings.push(Finding::new(RuleId::AppPinIdentityShape, &iat, "The identity is a bare string; ATS reads only dictionaries with an SPKI-SHA256-BASE64 key.").fix(format!("Write `<dict><key>SPKI-SHA256-BASE64</key><string>{s}</string></dict>`.")));
                continue;
            }
            other => {
                findings.push(Finding::new(
                    RuleId::AppPinIdentityShape,
                    &iat,
                    format!("The identity is {}, not a dictionary.", other.kind()),
                ));
                continue;
            }
        };
        let pin = Pin::parse(&text);
        if pin.digest.is_none() {
            findings.push(pin_invalid(&iat, &text));
        }
        pins.push(pin);
    }
    pins
}

/// The finding for a pin that is not base64 of 32 bytes.
pub(crate) fn pin_invalid(at: &str, text: &str) -> Finding {
    use base64::Engine;
    let shown: String = text.chars().take(60).collect();
    let trimmed = text.trim();
    let message = if trimmed.len() == 64 && trimmed.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!(
            "`{shown}` is hexadecimal (a SHA-256 fingerprint's form); pins are base64: the same 32 bytes as 44 characters ending in `=`."
        )
    } else {
        match base64::engine::general_purpose::STANDARD.decode(trimmed) {
            Ok(bytes) if bytes.len() == 20 => format!(
                "`{shown}` decodes to 20 bytes: a SHA-1 digest, but pins are SHA-256 (32 bytes)."
            ),
            Ok(bytes) => format!(
                "`{shown}` decodes to {} bytes; a SHA-256 pin is 32 bytes (44 base64 characters).",
                bytes.len()
            ),
            Err(_) => format!("`{shown}` is not base64."),
        }
    };
    Finding::new(RuleId::AppPinInvalid, at, message)
}

impl Settings {
    /// The exception or pinned domain entry that applies to `host`: an exact match, or a
    /// parent domain with NSIncludesSubdomains (the most specific wins).
    fn matching<'a, T>(
        entries: &'a [T],
        host: &str,
        name: impl Fn(&T) -> (&str, bool),
    ) -> Option<&'a T> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        entries
            .iter()
            .filter(|e| {
                let (domain, subdomains) = name(e);
                if let (Some(range), Ok(address)) = (ip_range(domain), host.parse()) {
                    return in_range(address, range);
                }
                let domain = domain.trim_end_matches('.').to_ascii_lowercase();
                host == domain || (subdomains && host.ends_with(&format!(".{domain}")))
            })
            .max_by_key(|e| name(e).0.len())
    }

    /// What ATS does for URLSession connections to `host`.
    pub fn for_host(&self, host: &str) -> HostPolicy {
        let exception = Settings::matching(&self.exceptions, host, |e| {
            (e.domain.as_str(), e.includes_subdomains)
        })
        .filter(|e| e.usable);
        let pinned = Settings::matching(&self.pinned, host, |p| {
            (p.domain.as_str(), p.includes_subdomains)
        });
        let ats_applies = exception.is_some() || !self.arbitrary_loads_effective;
        HostPolicy {
            host: host.to_owned(),
            exception: exception.map(|e| e.domain.clone()),
            ats_applies,
            minimum_tls: exception.map_or(TlsVersion::Tls12, |e| e.minimum_tls),
            requires_forward_secrecy: exception.is_none_or(|e| e.requires_forward_secrecy),
            allows_insecure_http: exception.is_some_and(|e| e.allows_insecure_http) || !ats_applies,
            pinned: pinned.map(|p| p.domain.clone()),
        }
    }
}

/// What the server half of ATS found for a host, as the CLI's handshakes measured it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerResult {
    /// The server accepts ATS's default (TLS 1.2+, forward secrecy).
    pub accepts_default: bool,
    /// The server accepts what the app's policy for the host offers.
    pub accepts_policy: bool,
    /// The least exception the server needs, in words, when it does not accept the default.
    pub needs: Option<String>,
}

/// Findings for one host: whether the app as configured connects, and which exceptions it no
/// longer needs.
pub fn host_findings(policy: &HostPolicy, server: &ServerResult) -> Vec<Finding> {
    let mut out = Vec::new();
    let at = match &policy.exception {
        Some(d) => format!("NSAppTransportSecurity › NSExceptionDomains › {d}"),
        None => "NSAppTransportSecurity".to_owned(),
    };
    if policy.ats_applies && !server.accepts_policy {
        out.push(Finding::new(
            RuleId::AppAtsBlocks,
            &at,
            format!(
                "{} requires {}{} and the server at {} offers neither{}.",
                if policy.exception.is_some() {
                    "The exception"
                } else {
                    "ATS"
                },
                policy.minimum_tls.name(),
                if policy.requires_forward_secrecy {
                    " with forward secrecy"
                } else {
                    ""
                },
                policy.host,
                server
                    .needs
                    .as_ref()
                    .map(|n| format!(": it needs {n}"))
                    .unwrap_or_default()
            ),
        ));
    }
    if server.accepts_default {
        if let Some(domain) = &policy.exception {
            if policy.minimum_tls < TlsVersion::Tls12 || !policy.requires_forward_secrecy {
                out.push(Finding::new(
                    RuleId::AppAtsExceptionNotNeeded,
                    &at,
                    format!("{} accepts TLS 1.2 with forward secrecy now: the exception for {domain} that lowers the version or drops forward secrecy is no longer needed.", policy.host),
                ));
            }
        } else if !policy.ats_applies {
            out.push(Finding::new(
                RuleId::AppAtsExceptionNotNeeded,
                "NSAppTransportSecurity › NSAllowsArbitraryLoads",
                format!("{} meets ATS's server requirements: NSAllowsArbitraryLoads is not needed for it.", policy.host),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_problems() {
        assert!(
            domain_problem("https://api.example.com")
                .unwrap()
                .contains("`api.example.com`")
        );
        assert!(
            domain_problem("api.example.com:8443")
                .unwrap()
                .contains("port")
        );
        assert!(
            domain_problem("*.example.com")
                .unwrap()
                .contains("`example.com`")
        );
        // Addresses and ranges are names ATS matches (iOS 17 / macOS 14 on): only noted.
        assert_eq!(domain_problem("192.168.1.10"), None);
        assert_eq!(domain_problem("10.0.0.0/8"), None);
        assert!(domain_form("10.0.0.0/8").unwrap().contains("iOS 17"));
        assert!(
            domain_form("API.example.com")
                .unwrap()
                .contains("`api.example.com`")
        );
        assert_eq!(domain_form("api.example.com"), None);
        assert!(in_range(
            "10.1.2.3".parse().unwrap(),
            ip_range("10.0.0.0/8").unwrap()
        ));
        assert!(!in_range(
            "11.1.2.3".parse().unwrap(),
            ip_range("10.0.0.0/8").unwrap()
        ));
        assert!(in_range(
            "fd00::1".parse().unwrap(),
            ip_range("fd00::/8").unwrap()
        ));
        assert!(!in_range(
            "10.0.0.1".parse().unwrap(),
            ip_range("fd00::/8").unwrap()
        ));
        assert!(domain_problem("example.com/api").unwrap().contains("path"));
        assert_eq!(domain_problem("api.example.com"), None);
        assert_eq!(domain_problem("localhost"), None);
    }
}
