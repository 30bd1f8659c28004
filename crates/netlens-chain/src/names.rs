//! Names: distinguished-name matching for path building, host names and subject alternative
//! names for TLS.
//!
//! - Distinguished names compare by RFC 5280 §7.1: attribute by attribute, strings compared after
//!   folding case and runs of spaces (the LDAP StringPrep outcome for the ASCII names CAs use), so
//!   a PrintableString "Example CA" matches a UTF8String "example  ca".
//! - Host names follow RFC 9525 (formerly RFC 6125): the host is compared with DNS SANs only; a
//!   wildcard is the whole leftmost label, matches exactly one label, and needs at least two labels
//!   after it; IP addresses only ever match IP SANs.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use der::Decode;
use der::asn1::AnyRef;
use x509_cert::name::Name;

/// A comparison key for a DER Name: equal keys mean RFC 5280 §7.1 equal names.
pub fn comparison_key(name_der: &[u8]) -> Vec<u8> {
    let Ok(name) = Name::from_der(name_der) else {
        return name_der.to_vec(); // unparseable: only byte-identical names match
    };
    let mut key = Vec::with_capacity(name_der.len());
    for rdn in name.iter_rdn() {
        let mut atvs: Vec<Vec<u8>> = rdn
            .iter()
            .map(|atv| {
                let mut part = atv.oid.as_bytes().to_vec();
                part.push(0);
                let any: AnyRef<'_> = (&atv.value).into();
                match netlens_x509::dn::decode_string(any) {
                    Some((text, _)) => part.extend_from_slice(fold(&text).as_bytes()),
                    None => part.extend_from_slice(any.value()),
                }
                part
            })
            .collect();
        atvs.sort();
        for atv in atvs {
            key.extend_from_slice(&u32::try_from(atv.len()).unwrap_or(u32::MAX).to_be_bytes());
            key.extend_from_slice(&atv);
        }
        key.push(0xFF); // RDN separator
    }
    key
}

/// Case-folded, trimmed, with internal runs of whitespace collapsed to one space.
fn fold(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The RDNs of a name as comparison keys (for directoryName constraints: prefix matching).
pub fn rdn_keys(name_der: &[u8]) -> Vec<Vec<u8>> {
    let key = comparison_key(name_der);
    key.split(|&b| b == 0xFF)
        .filter(|r| !r.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// A host to connect to, as the user typed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    /// A DNS name, lowercase, without a trailing dot.
    Dns(String),
    /// An IP address.
    Ip(IpAddr),
}

impl std::fmt::Display for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Host::Dns(d) => f.write_str(d),
            Host::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// Why a typed host cannot be matched against certificates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostError {
    /// `[…]` holds something that is not an IPv6 address.
    InvalidIpv6 {
        /// What was typed.
        input: String,
    },
    /// Nothing is left once the scheme, port and path are taken away.
    Empty,
    /// The name has non-ASCII characters (certificates carry the punycode form).
    NonAscii {
        /// What was typed.
        input: String,
    },
    /// A label is empty, longer than 63 bytes, or has characters other than letters, digits
    /// and hyphens.
    InvalidLabel {
        /// What was typed.
        input: String,
        /// The first bad label.
        label: String,
    },
}

impl std::fmt::Display for HostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HostError::InvalidIpv6 { input } => write!(f, "{input:?} is not a valid IPv6 address"),
            HostError::Empty => f.write_str("the host name is empty"),
            HostError::NonAscii { input } => write!(
                f,
                "{input:?} contains non-ASCII characters: enter internationalized names in their \
                 punycode form (xn--…), as certificates carry them"
            ),
            HostError::InvalidLabel { input, label } => {
                write!(f, "{input:?} is not a valid host name (label {label:?})")
            }
        }
    }
}

impl std::error::Error for HostError {}

/// Parses what a user typed as the host: a name, an IP address, `[v6]`, or a whole URL
/// (`https://example.com:8443/path`), whose host part is taken.
pub fn parse_host(input: &str) -> Result<Host, HostError> {
    let mut s = input.trim();
    if let Some(rest) = s.split_once("://").map(|(_, r)| r) {
        s = rest;
    }
    s = s.split(['/', '?', '#']).next().unwrap_or_default();
    if let Some(at) = s.rfind('@') {
        s = &s[at + 1..];
    }
    if let Some(v6) = s.strip_prefix('[') {
        let addr = v6.split(']').next().unwrap_or_default();
        return addr
            .parse::<Ipv6Addr>()
            .map(|a| Host::Ip(IpAddr::V6(a)))
            .map_err(|_| HostError::InvalidIpv6 {
                input: input.to_owned(),
            });
    }
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Ok(Host::Ip(ip));
    }
    if s.matches(':').count() == 1 {
        s = s.split(':').next().unwrap_or_default(); // host:port
    }
    let name = s.trim_end_matches('.').to_ascii_lowercase();
    if name.is_empty() {
        return Err(HostError::Empty);
    }
    if !name.is_ascii() {
        return Err(HostError::NonAscii {
            input: input.to_owned(),
        });
    }
    if let Some(label) = name.split('.').find(|l| {
        l.is_empty() || l.len() > 63 || !l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    }) {
        return Err(HostError::InvalidLabel {
            input: input.to_owned(),
            label: label.to_owned(),
        });
    }
    Ok(Host::Dns(name))
}

/// Why a dNSName SAN is malformed, or `None` when it is a valid name or wildcard pattern.
pub fn dns_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("an empty DNS name".into());
    }
    if !name.is_ascii() {
        return Some(format!(
            "{name:?} contains non-ASCII characters (internationalized names must be punycode, xn--…)"
        ));
    }
    if name.len() > 253 {
        return Some(format!("{name:?} is longer than 253 characters"));
    }
    if name.parse::<Ipv4Addr>().is_ok() || name.parse::<Ipv6Addr>().is_ok() {
        return Some(format!(
            "{name:?} is an IP address written as a DNS name; it must be an iPAddress entry"
        ));
    }
    let body = name.strip_suffix('.').unwrap_or(name);
    let labels: Vec<&str> = body.split('.').collect();
    for (i, label) in labels.iter().enumerate() {
        if label.contains('*') {
            if i != 0 {
                return Some(format!(
                    "{name:?} has a wildcard outside the leftmost label"
                ));
            }
            if *label != "*" {
                return Some(format!(
                    "{name:?} has a partial-label wildcard; only a whole leftmost \"*\" label is allowed"
                ));
            }
            if labels.len() < 3 {
                return Some(format!(
                    "{name:?} is a wildcard over a top-level domain or nothing at all"
                ));
            }
            continue;
        }
        if label.is_empty() {
            return Some(format!("{name:?} has an empty label"));
        }
        if label.len() > 63 {
            return Some(format!("{name:?} has a label longer than 63 characters"));
        }
        if let Some(bad) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Some(format!(
                "{name:?} contains {bad:?}, which is not allowed in host names (letters, digits, hyphens)"
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some(format!(
                "{name:?} has a label starting or ending with a hyphen"
            ));
        }
    }
    None
}

/// Whether the dNSName SAN `pattern` matches the DNS host `host` (lowercase, no trailing dot).
pub fn dns_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    if dns_name_problem(&pattern).is_some() {
        return false;
    }
    match pattern.strip_prefix("*.") {
        Some(base) => match host.split_once('.') {
            Some((first, rest)) => !first.is_empty() && rest == base,
            None => false,
        },
        None => pattern == host,
    }
}

/// An IP address from SAN bytes (4 or 16).
pub fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => Some(IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?)),
        16 => Some(IpAddr::from(<[u8; 16]>::try_from(bytes).ok()?)),
        _ => None,
    }
}

/// The one text form CA/B Forum BR §7.1.4.3 allows for an IP address in a CN: RFC 3986
/// dotted decimal for IPv4, RFC 5952 for IPv6 (what `Display` produces).
pub fn canonical_ip_text(ip: &IpAddr) -> String {
    ip.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_follow_rfc_9525() {
        assert!(dns_matches("*.example.com", "www.example.com"));
        assert!(dns_matches("*.EXAMPLE.com", "www.example.com"));
        assert!(!dns_matches("*.example.com", "example.com"));
        assert!(!dns_matches("*.example.com", "a.b.example.com"));
        assert!(!dns_matches("w*.example.com", "www.example.com"));
        assert!(!dns_matches("*.com", "example.com"));
        assert!(!dns_matches("www.*.com", "www.example.com"));
        assert!(dns_matches("example.com.", "example.com"));
    }

    #[test]
    fn dns_name_syntax() {
        assert_eq!(dns_name_problem("www.example.com"), None);
        assert_eq!(dns_name_problem("1password.com"), None);
        assert_eq!(dns_name_problem("*.example.com"), None);
        for bad in [
            "",
            "foo_bar.example.com",
            "192.168.1.1",
            "*",
            "*.com",
            "f*.example.com",
            "a..b",
            "-a.example.com",
            "☃.example.com",
        ] {
            assert!(dns_name_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn hosts_from_what_users_type() {
        assert_eq!(
            parse_host("Example.COM."),
            Ok(Host::Dns("example.com".into()))
        );
        assert_eq!(
            parse_host("https://user@www.example.com:8443/x?y"),
            Ok(Host::Dns("www.example.com".into()))
        );
        assert_eq!(
            parse_host("[2001:db8::1]:443"),
            Ok(Host::Ip("2001:db8::1".parse().unwrap()))
        );
        assert_eq!(
            parse_host("192.0.2.1"),
            Ok(Host::Ip("192.0.2.1".parse().unwrap()))
        );
        assert!(parse_host("bücher.de").is_err());
        assert!(parse_host("bad_name.example").is_err());
    }

    #[test]
    fn distinguished_names_match_by_rfc_5280() {
        use der::Encode;
        use std::str::FromStr;
        let a = Name::from_str("CN=Example  CA,O=Example")
            .unwrap()
            .to_der()
            .unwrap();
        let b = Name::from_str("CN=example ca,O=EXAMPLE")
            .unwrap()
            .to_der()
            .unwrap();
        let c = Name::from_str("CN=Other CA,O=Example")
            .unwrap()
            .to_der()
            .unwrap();
        assert_eq!(comparison_key(&a), comparison_key(&b));
        assert_ne!(comparison_key(&a), comparison_key(&c));
        assert_eq!(rdn_keys(&a).len(), 2);
    }
}
