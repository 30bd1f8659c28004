//! Name constraints (RFC 5280 §4.2.1.10), checked the defensive way.
//!
//! - dNSName, iPAddress, rfc822Name, directoryName and URI constraints are processed. Any other
//!   constraint type is honoured by rejecting certificates that carry a name of that type (RFC
//!   5280 requires processing a constraint or rejecting the name), and ignored otherwise.
//! - A wildcard SAN `*.example.com` is *within* a permitted subtree only if every name it can
//!   match is, and it *hits* an excluded subtree if any name it can match does
//!   (CVE-2025-61727): a validator must not let a wildcard smuggle a forbidden name through.
//! - Constraints that are malformed (a DNS constraint with a wildcard or leading dot, an IP mask
//!   that is not a prefix, an email with two `@`) make the CA unusable rather than ignored.
//! - Work is bounded: more than 2^20 name × subtree comparisons for one certificate is refused,
//!   the limit OpenSSL uses (its PR 4393), so a crafted CA cannot stall the analysis.

use std::net::IpAddr;

use der::Decode;
use x509_cert::ext::pkix::NameConstraints;
use x509_cert::ext::pkix::name::GeneralName;

use crate::model::ChainCert;
use crate::names;

/// Largest names × subtrees product checked for one certificate.
pub const MAX_COMPARISONS: usize = 1 << 20;

/// A parsed constraint subtree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subtree {
    /// dNSName: the name itself and every subdomain (lowercase; empty matches everything).
    Dns(String),
    /// iPAddress: address and prefix mask of the same family.
    Ip {
        /// Network address bytes.
        addr: Vec<u8>,
        /// Mask bytes.
        mask: Vec<u8>,
    },
    /// rfc822Name: a mailbox, a host, or `.domain`.
    Email(String),
    /// URI: a host or `.domain`.
    Uri(String),
    /// directoryName: RDN comparison keys, matched as a prefix.
    Directory(Vec<Vec<u8>>),
    /// Any other name form (otherName, x400Address, ediPartyName, registeredID).
    Other(&'static str),
}

/// The name constraints of one CA.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Constraints {
    /// Permitted subtrees.
    pub permitted: Vec<Subtree>,
    /// Excluded subtrees.
    pub excluded: Vec<Subtree>,
}

fn kind_of(name: &GeneralName) -> &'static str {
    match name {
        GeneralName::OtherName(_) => "otherName",
        GeneralName::Rfc822Name(_) => "rfc822Name",
        GeneralName::DnsName(_) => "dNSName",
        GeneralName::DirectoryName(_) => "directoryName",
        GeneralName::EdiPartyName(_) => "ediPartyName",
        GeneralName::UniformResourceIdentifier(_) => "uniformResourceIdentifier",
        GeneralName::IpAddress(_) => "iPAddress",
        GeneralName::RegisteredId(_) => "registeredID",
    }
}

fn prefix_mask(mask: &[u8]) -> bool {
    let bits: Vec<bool> = mask
        .iter()
        .flat_map(|b| (0..8).rev().map(move |i| (b >> i) & 1 == 1))
        .collect();
    let ones = bits.iter().take_while(|b| **b).count();
    bits[ones..].iter().all(|b| !b)
}

fn subtree(base: &GeneralName) -> Result<Subtree, String> {
    Ok(match base {
        GeneralName::DnsName(d) => {
            let d = d.as_str().to_ascii_lowercase();
            if d.starts_with('.') || d.contains('*') {
                return Err(format!(
                    "the dNSName constraint {d:?} is malformed (no wildcards or leading dots in DNS constraints)"
                ));
            }
            if !d.is_empty()
                && let Some(problem) = names::dns_name_problem(&d)
            {
                return Err(format!("the dNSName constraint is malformed: {problem}"));
            }
            Subtree::Dns(d)
        }
        GeneralName::IpAddress(o) => {
            let bytes = o.as_bytes();
            if !(bytes.len() == 8 || bytes.len() == 32) {
                return Err(format!(
                    "an iPAddress constraint must be an address and a mask (8 or 32 bytes), not {} bytes",
                    bytes.len()
                ));
            }
            let (addr, mask) = bytes.split_at(bytes.len() / 2);
            if !prefix_mask(mask) {
                return Err("an iPAddress constraint's mask is not a prefix mask".into());
            }
            Subtree::Ip {
                addr: addr.to_vec(),
                mask: mask.to_vec(),
            }
        }
        GeneralName::Rfc822Name(e) => {
            let e = e.as_str();
            if e.matches('@').count() > 1 || e.starts_with('@') || e.ends_with('@') {
                return Err(format!(
                    "the rfc822Name constraint {e:?} is not a valid mailbox or domain"
                ));
            }
            Subtree::Email(e.to_owned())
        }
        GeneralName::UniformResourceIdentifier(u) => Subtree::Uri(u.as_str().to_ascii_lowercase()),
        GeneralName::DirectoryName(n) => {
            let der = der::Encode::to_der(n).map_err(|e| e.to_string())?;
            Subtree::Directory(names::rdn_keys(&der))
        }
        other => Subtree::Other(kind_of(other)),
    })
}

/// Why a nameConstraints extension is unusable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConstraintsError {
    /// The extension value does not decode (the decoder's words).
    Undecodable(String),
    /// A subtree sets minimum or maximum (RFC 5280 §4.2.1.10: MUST NOT).
    MinimumOrMaximum,
    /// A subtree's base name is malformed or of a form netlens cannot check (the reason).
    Subtree(String),
}

impl std::fmt::Display for ConstraintsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConstraintsError::Undecodable(e) => {
                write!(f, "the name constraints cannot be decoded: {e}")
            }
            ConstraintsError::MinimumOrMaximum => {
                f.write_str("name constraints with minimum/maximum are not allowed")
            }
            ConstraintsError::Subtree(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for ConstraintsError {}

impl Constraints {
    /// Parses a nameConstraints extension value. Errors describe why it is unusable.
    pub fn parse(extn_value: &[u8]) -> Result<Constraints, ConstraintsError> {
        let nc = NameConstraints::from_der(extn_value)
            .map_err(|e| ConstraintsError::Undecodable(e.to_string()))?;
        let parse_all =
            |trees: &Option<Vec<x509_cert::ext::pkix::constraints::name::GeneralSubtree>>| {
                trees
                    .iter()
                    .flatten()
                    .map(|t| {
                        if t.minimum != 0 || t.maximum.is_some() {
                            return Err(ConstraintsError::MinimumOrMaximum);
                        }
                        subtree(&t.base).map_err(ConstraintsError::Subtree)
                    })
                    .collect::<Result<Vec<_>, _>>()
            };
        Ok(Constraints {
            permitted: parse_all(&nc.permitted_subtrees)?,
            excluded: parse_all(&nc.excluded_subtrees)?,
        })
    }

    /// Number of subtrees.
    pub fn len(&self) -> usize {
        self.permitted.len() + self.excluded.len()
    }

    /// No subtrees at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A name to check against constraints.
#[derive(Clone, Debug, PartialEq, Eq)]
enum CheckedName {
    Dns(String),
    Ip(IpAddr),
    Email(String),
    Uri(String),
    Directory(Vec<Vec<u8>>),
    Other(&'static str),
}

impl CheckedName {
    fn describe(&self) -> String {
        match self {
            CheckedName::Dns(d) => format!("DNS:{d}"),
            CheckedName::Ip(ip) => format!("IP:{ip}"),
            CheckedName::Email(e) => format!("email:{e}"),
            CheckedName::Uri(u) => format!("URI:{u}"),
            CheckedName::Directory(_) => "the subject name".into(),
            CheckedName::Other(k) => format!("an {k} name"),
        }
    }
}

/// The names of `cert` that constraints apply to: SANs, the subject DN, and the subject's
/// emailAddress attributes.
fn names_of(cert: &ChainCert) -> Vec<CheckedName> {
    let mut out = Vec::new();
    let subject = &cert.subject;
    if netlens_x509::dn::DistinguishedName::from_name(cert.cert.tbs_certificate().subject())
        .attributes
        .is_empty()
    {
        // An empty subject has no directory name to constrain.
    } else {
        out.push(CheckedName::Directory(names::rdn_keys(subject)));
    }
    for value in cert.details.subject.values_of("emailAddress") {
        out.push(CheckedName::Email(value.to_owned()));
    }
    for ext in cert.extensions() {
        if ext.extn_id != const_oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME {
            continue;
        }
        let Ok(san) = x509_cert::ext::pkix::SubjectAltName::from_der(ext.extn_value.as_bytes())
        else {
            continue;
        };
        for name in &san.0 {
            out.push(match name {
                GeneralName::DnsName(d) => CheckedName::Dns(d.as_str().to_ascii_lowercase()),
                GeneralName::IpAddress(o) => match names::ip_from_bytes(o.as_bytes()) {
                    Some(ip) => CheckedName::Ip(ip),
                    None => CheckedName::Other("iPAddress"),
                },
                GeneralName::Rfc822Name(e) => CheckedName::Email(e.as_str().to_owned()),
                GeneralName::UniformResourceIdentifier(u) => {
                    CheckedName::Uri(u.as_str().to_owned())
                }
                GeneralName::DirectoryName(n) => match der::Encode::to_der(n) {
                    Ok(der) => CheckedName::Directory(names::rdn_keys(&der)),
                    Err(_) => CheckedName::Other("directoryName"),
                },
                other => CheckedName::Other(kind_of(other)),
            });
        }
    }
    out
}

fn dns_within(name: &str, base: &str) -> bool {
    base.is_empty() || name == base || name.ends_with(&format!(".{base}"))
}

/// `name` (possibly a wildcard) lies entirely within the DNS subtree `base`.
fn dns_entirely_within(name: &str, base: &str) -> bool {
    match name.strip_prefix("*.") {
        Some(wild_base) => dns_within(wild_base, base),
        None => dns_within(name, base),
    }
}

/// Some name that `name` (possibly a wildcard) can match lies within the DNS subtree `base`.
fn dns_overlaps(name: &str, base: &str) -> bool {
    match name.strip_prefix("*.") {
        Some(wild_base) => {
            dns_within(wild_base, base)
                || base
                    .split_once('.')
                    .is_some_and(|(label, rest)| !label.is_empty() && rest == wild_base)
        }
        None => dns_within(name, base),
    }
}

fn ip_within(ip: &IpAddr, addr: &[u8], mask: &[u8]) -> bool {
    let bytes = match ip {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    };
    bytes.len() == addr.len()
        && bytes
            .iter()
            .zip(addr)
            .zip(mask)
            .all(|((b, a), m)| b & m == a & m)
}

/// Mailbox `email` within the rfc822Name constraint `c` (RFC 5280 §4.2.1.10).
fn email_within(email: &str, c: &str) -> bool {
    let Some((local, host)) = email.rsplit_once('@') else {
        return false;
    };
    if c.contains('@') {
        // A particular mailbox: exact local part, case-insensitive host. `*` is a literal.
        match c.rsplit_once('@') {
            Some((cl, ch)) => cl == local && ch.eq_ignore_ascii_case(host),
            None => false,
        }
    } else if let Some(domain) = c.strip_prefix('.') {
        host.to_ascii_lowercase()
            .ends_with(&format!(".{}", domain.to_ascii_lowercase()))
    } else {
        host.eq_ignore_ascii_case(c)
    }
}

fn uri_host(uri: &str) -> Option<String> {
    let rest = uri.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = if host.starts_with('[') {
        host.split(']').next()?.trim_start_matches('[')
    } else {
        host.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

fn uri_within(uri: &str, c: &str) -> Option<bool> {
    let host = uri_host(uri)?;
    Some(match c.strip_prefix('.') {
        Some(domain) => host.ends_with(&format!(".{domain}")),
        None => host == c,
    })
}

fn same_kind(name: &CheckedName, tree: &Subtree) -> bool {
    matches!(
        (name, tree),
        (CheckedName::Dns(_), Subtree::Dns(_))
            | (CheckedName::Ip(_), Subtree::Ip { .. })
            | (CheckedName::Email(_), Subtree::Email(_))
            | (CheckedName::Uri(_), Subtree::Uri(_))
            | (CheckedName::Directory(_), Subtree::Directory(_))
    ) || matches!((name, tree), (CheckedName::Other(a), Subtree::Other(b)) if a == b)
}

/// Whether `name` is inside `tree` (`any`: some name the wildcard can match is).
fn within(name: &CheckedName, tree: &Subtree, any: bool) -> Option<bool> {
    Some(match (name, tree) {
        (CheckedName::Dns(n), Subtree::Dns(b)) => {
            if any {
                dns_overlaps(n, b)
            } else {
                dns_entirely_within(n, b)
            }
        }
        (CheckedName::Ip(ip), Subtree::Ip { addr, mask }) => ip_within(ip, addr, mask),
        (CheckedName::Email(e), Subtree::Email(c)) => email_within(e, c),
        (CheckedName::Uri(u), Subtree::Uri(c)) => uri_within(u, c)?,
        (CheckedName::Directory(n), Subtree::Directory(c)) => {
            c.len() <= n.len() && n.iter().zip(c).all(|(a, b)| a == b)
        }
        (CheckedName::Other(_), Subtree::Other(_)) => return None,
        _ => false,
    })
}

/// Why `cert` violates `constraints`, or `Ok(())`. `Err` carries a sentence for the finding.
pub fn check(cert: &ChainCert, constraints: &Constraints) -> Result<(), Violation> {
    let names = names_of(cert);
    if names.len().saturating_mul(constraints.len()) > MAX_COMPARISONS {
        return Err(Violation::TooComplex {
            names: names.len(),
            subtrees: constraints.len(),
        });
    }
    for name in &names {
        for tree in &constraints.excluded {
            if !same_kind(name, tree) {
                continue;
            }
            match within(name, tree, true) {
                Some(false) => {}
                Some(true) => {
                    return Err(Violation::Excluded(format!(
                        "{} is in an excluded subtree",
                        name.describe()
                    )));
                }
                None => {
                    return Err(Violation::Excluded(format!(
                        "{} cannot be checked against the CA's {} constraint, so it must be rejected",
                        name.describe(),
                        match tree {
                            Subtree::Other(k) => k,
                            _ => "unsupported",
                        }
                    )));
                }
            }
        }
        let relevant: Vec<&Subtree> = constraints
            .permitted
            .iter()
            .filter(|t| same_kind(name, t))
            .collect();
        if relevant.is_empty() {
            continue;
        }
        let mut permitted = false;
        for tree in relevant {
            match within(name, tree, false) {
                Some(true) => {
                    permitted = true;
                    break;
                }
                Some(false) => {}
                None => {
                    return Err(Violation::NotPermitted(format!(
                        "{} cannot be checked against the CA's constraints, so it must be rejected",
                        name.describe()
                    )));
                }
            }
        }
        if !permitted {
            return Err(Violation::NotPermitted(format!(
                "{} is outside every permitted subtree",
                name.describe()
            )));
        }
    }
    Ok(())
}

/// A name-constraint failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Violation {
    /// A name falls in an excluded subtree (or cannot be checked against one).
    Excluded(String),
    /// A name is outside the permitted subtrees.
    NotPermitted(String),
    /// Too much work to check.
    TooComplex {
        /// Names in the certificate.
        names: usize,
        /// Subtrees in the constraints.
        subtrees: usize,
    },
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Violation::Excluded(s) | Violation::NotPermitted(s) => f.write_str(s),
            Violation::TooComplex { names, subtrees } => write!(
                f,
                "{names} names against {subtrees} constraints is more than the {MAX_COMPARISONS} comparisons clients allow"
            ),
        }
    }
}

impl std::error::Error for Violation {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_subtrees_and_wildcards() {
        assert!(dns_entirely_within("a.example.com", "example.com"));
        assert!(dns_entirely_within("example.com", "example.com"));
        assert!(!dns_entirely_within("badexample.com", "example.com"));
        assert!(dns_entirely_within("*.example.com", "example.com"));
        assert!(!dns_entirely_within("*.example.com", "foo.example.com"));
        assert!(dns_overlaps("*.example.com", "bar.example.com"));
        assert!(!dns_overlaps("*.example.com", "a.bar.example.com"));
        assert!(dns_overlaps("*.example.com", "example.com"));
        assert!(!dns_overlaps("*.example.com", "other.com"));
    }

    #[test]
    fn email_subtrees() {
        assert!(email_within("user@example.com", "example.com"));
        assert!(email_within("user@EXAMPLE.com", "user@example.com"));
        assert!(!email_within("User@example.com", "user@example.com"));
        assert!(email_within("user@mail.example.com", ".example.com"));
        assert!(!email_within("user@example.com", ".example.com"));
        assert!(!email_within("user@example.com", "*@example.com"));
        assert!(email_within("*@example.com", "*@example.com"));
    }

    #[test]
    fn ip_subtrees_and_masks() {
        let ip: IpAddr = "10.1.2.3".parse().unwrap();
        assert!(ip_within(&ip, &[10, 0, 0, 0], &[255, 0, 0, 0]));
        assert!(!ip_within(&ip, &[11, 0, 0, 0], &[255, 0, 0, 0]));
        let v6: IpAddr = "::1".parse().unwrap();
        assert!(!ip_within(&v6, &[10, 0, 0, 0], &[255, 0, 0, 0]));
        assert!(prefix_mask(&[255, 255, 0, 0]));
        assert!(!prefix_mask(&[255, 0, 255, 0]));
    }

    #[test]
    fn uri_hosts() {
        assert_eq!(
            uri_host("https://user@Example.com:443/x"),
            Some("example.com".into())
        );
        assert_eq!(
            uri_within("https://a.example.com/", ".example.com"),
            Some(true)
        );
        assert_eq!(uri_within("urn:isbn:1", "example.com"), None);
    }
}
