//! The names a server certificate carries, as users type them, and the name constraints a
//! test CA derives from them.
//!
//! Users type what their clients connect to: `api.example.test`, `printer.local` (the host a
//! Bonjour service resolves to), `192.168.1.20`, `[fe80::1]`, a URL. Each becomes one SAN
//! entry: DNS names lowercase and without the trailing dot (TN2326: "if you use a .local DNS
//! name, don't add the trailing dot"), IP addresses as iPAddress entries (Apple's "Creating an
//! Identity for Local Network TLS": clients connecting by IP need the IP in the SAN).

use std::net::IpAddr;

use netlens_chain::names::{Host, dns_name_problem, parse_host};
use serde::Serialize;

use crate::error::MakeError;

/// Most names one certificate carries here (public CAs allow 100; a test server has a few).
pub const MAX_NAMES: usize = 32;

/// One name a server certificate carries.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum SubjectName {
    /// A DNS name, lowercase, no trailing dot (`printer.local`).
    Dns(String),
    /// A wildcard DNS name (`*.example.test`).
    Wildcard(String),
    /// An IP address.
    Ip(IpAddr),
}

impl SubjectName {
    /// The name as a host a client connects to, for matching (a wildcard's own base is not
    /// matched by it, so a wildcard gives a name under it).
    pub fn as_host(&self) -> Host {
        match self {
            SubjectName::Dns(d) => Host::Dns(d.clone()),
            SubjectName::Wildcard(w) => Host::Dns(format!("test{}", w.trim_start_matches('*'))),
            SubjectName::Ip(ip) => Host::Ip(*ip),
        }
    }
}

impl std::fmt::Display for SubjectName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SubjectName::Dns(d) | SubjectName::Wildcard(d) => f.write_str(d),
            SubjectName::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// Splits what a user typed into names: commas, spaces and new lines separate them.
pub fn split(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Reads the names a server certificate is for. Returns them in the order given, duplicates
/// dropped, with notes on what was changed (a trailing dot removed, a URL's host taken).
pub fn parse(inputs: &[String]) -> Result<(Vec<SubjectName>, Vec<String>), MakeError> {
    let mut names: Vec<SubjectName> = Vec::new();
    let mut notes = Vec::new();
    let inputs: Vec<&str> = inputs
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if inputs.len() > MAX_NAMES {
        return Err(MakeError::TooManyNames {
            count: inputs.len(),
            limit: MAX_NAMES,
        });
    }
    for input in inputs {
        let name = parse_one(input, &mut notes)?;
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok((names, notes))
}

fn bad(input: &str, why: impl Into<String>) -> MakeError {
    MakeError::BadName {
        input: input.to_owned(),
        why: why.into(),
    }
}

fn parse_one(input: &str, notes: &mut Vec<String>) -> Result<SubjectName, MakeError> {
    if input.contains('%') {
        return Err(MakeError::ZonedAddress {
            input: input.to_owned(),
        });
    }
    let labels_of = |s: &str| -> Vec<String> {
        s.trim_end_matches('.')
            .split('.')
            .map(str::to_ascii_lowercase)
            .collect()
    };
    if labels_of(input)
        .iter()
        .any(|l| l == "_tcp" || l == "_udp" || l == "_sub")
    {
        return Err(MakeError::ServiceInstanceName {
            input: input.to_owned(),
        });
    }
    if let Some(base) = input.strip_prefix("*.") {
        let pattern = format!("*.{}", base.trim_end_matches('.').to_ascii_lowercase());
        if let Some(why) = dns_name_problem(&pattern) {
            return Err(bad(input, why));
        }
        if base.ends_with('.') {
            notes.push(trailing_dot_note(input));
        }
        return Ok(SubjectName::Wildcard(pattern));
    }
    if input.contains('*') {
        return Err(bad(
            input,
            "a wildcard must be the whole leftmost label (*.example.test)",
        ));
    }
    let host = parse_host(input).map_err(|e| bad(input, e.to_string()))?;
    let bare = input.trim();
    match host {
        Host::Ip(ip) => {
            if bare != ip.to_string() && bare.trim_matches(['[', ']']) != ip.to_string() {
                notes.push(format!("{bare:?} was read as the IP address {ip}."));
            }
            Ok(SubjectName::Ip(ip))
        }
        Host::Dns(name) => {
            if let Some(why) = dns_name_problem(&name) {
                return Err(bad(input, why));
            }
            if name.len() > 253 {
                return Err(bad(input, "it is longer than 253 characters"));
            }
            if bare.contains("://") || bare.contains('/') {
                notes.push(format!("{bare:?} was read as the host name {name}."));
            } else if bare.ends_with('.') {
                notes.push(trailing_dot_note(bare));
            } else if bare.to_ascii_lowercase() != name {
                notes.push(format!("{bare:?} was read as the host name {name}."));
            }
            Ok(SubjectName::Dns(name))
        }
    }
}

fn trailing_dot_note(input: &str) -> String {
    format!(
        "{input:?} ends with a dot; certificates carry names without it (TN2326: \"if you use a \
         .local DNS name, don't add the trailing dot\"), so it was left out."
    )
}

/// The name constraints a test CA gets from the names its leaves are for: DNS subtrees (each
/// name, or a wildcard's base, which also permits the names under it) and single IP
/// addresses; a kind of name not used at all is excluded outright, as the CA/B Forum's rule
/// for technically constrained CAs has it (BR §7.1.2.5.2: an empty dNSName, 0.0.0.0/0, ::/0).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Constraints {
    /// Permitted DNS subtrees.
    pub dns: Vec<String>,
    /// Permitted IP addresses (one address each).
    pub ips: Vec<IpAddr>,
}

impl Constraints {
    /// Constraints permitting exactly `names` (and names under DNS names).
    pub fn from_names(names: &[SubjectName]) -> Constraints {
        let mut dns: Vec<String> = Vec::new();
        let mut ips = Vec::new();
        for name in names {
            match name {
                SubjectName::Dns(d) => dns.push(d.clone()),
                SubjectName::Wildcard(w) => dns.push(w.trim_start_matches("*.").to_owned()),
                SubjectName::Ip(ip) => ips.push(*ip),
            }
        }
        // Drop a name another already covers (a.example.test under example.test).
        let covered = |name: &String, by: &String| name != by && name.ends_with(&format!(".{by}"));
        let all = dns.clone();
        dns.retain(|d| !all.iter().any(|other| covered(d, other)));
        dns.dedup();
        ips.dedup();
        Constraints { dns, ips }
    }

    /// Plain words: "api.example.test and names under it, 192.168.1.20".
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .dns
            .iter()
            .map(|d| format!("{d} and names under it"))
            .collect();
        parts.extend(self.ips.iter().map(IpAddr::to_string));
        if parts.is_empty() {
            "no server names (client identities only)".into()
        } else {
            parts.join(", ")
        }
    }

    /// A short form for a profile's display name: "api.example.test, 192.168.1.20".
    pub fn short(&self) -> String {
        let mut parts: Vec<String> = self.dns.clone();
        parts.extend(self.ips.iter().map(IpAddr::to_string));
        if parts.is_empty() {
            return "client identities only".into();
        }
        if parts.len() > 3 {
            let more = parts.len() - 3;
            parts.truncate(3);
            parts.push(format!("{more} more"));
        }
        parts.join(", ")
    }

    /// The NameConstraints extension value.
    pub fn extension(&self) -> Result<x509_cert::ext::pkix::NameConstraints, MakeError> {
        use der::asn1::{Ia5String, OctetString};
        use x509_cert::ext::pkix::constraints::name::GeneralSubtree;
        use x509_cert::ext::pkix::name::GeneralName;
        let subtree = |base| GeneralSubtree {
            base,
            minimum: 0,
            maximum: None,
        };
        let dns = |d: &str| -> Result<GeneralSubtree, MakeError> {
            Ok(subtree(GeneralName::DnsName(Ia5String::new(d).map_err(
                |e| MakeError::encoding("name constraints", e),
            )?)))
        };
        let ip = |address: Vec<u8>, mask: Vec<u8>| -> Result<GeneralSubtree, MakeError> {
            let bytes = [address, mask].concat();
            Ok(subtree(GeneralName::IpAddress(
                OctetString::new(bytes).map_err(|e| MakeError::encoding("name constraints", e))?,
            )))
        };
        let mut permitted = Vec::new();
        for d in &self.dns {
            permitted.push(dns(d)?);
        }
        for address in &self.ips {
            match address {
                IpAddr::V4(v4) => permitted.push(ip(v4.octets().to_vec(), vec![0xff; 4])?),
                IpAddr::V6(v6) => permitted.push(ip(v6.octets().to_vec(), vec![0xff; 16])?),
            }
        }
        let mut excluded = Vec::new();
        if self.dns.is_empty() {
            excluded.push(dns("")?);
        }
        if !self.ips.iter().any(IpAddr::is_ipv4) {
            excluded.push(ip(vec![0; 4], vec![0; 4])?);
        }
        if !self.ips.iter().any(IpAddr::is_ipv6) {
            excluded.push(ip(vec![0; 16], vec![0; 16])?);
        }
        Ok(x509_cert::ext::pkix::NameConstraints {
            permitted_subtrees: (!permitted.is_empty()).then_some(permitted),
            excluded_subtrees: (!excluded.is_empty()).then_some(excluded),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Result<(Vec<SubjectName>, Vec<String>), MakeError> {
        parse(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn reads_what_users_type() {
        let (got, notes) = names(&[
            "API.example.test",
            "printer.local.",
            "192.168.1.20",
            "[fe80::1]",
            "https://svc.example.test:8443/x",
            "*.dev.example.test",
            "api.example.test",
        ])
        .unwrap();
        assert_eq!(
            got,
            vec![
                SubjectName::Dns("api.example.test".into()),
                SubjectName::Dns("printer.local".into()),
                SubjectName::Ip("192.168.1.20".parse().unwrap()),
                SubjectName::Ip("fe80::1".parse().unwrap()),
                SubjectName::Dns("svc.example.test".into()),
                SubjectName::Wildcard("*.dev.example.test".into()),
            ]
        );
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes.iter().any(|n| n.contains("TN2326")));
    }

    #[test]
    fn refuses_with_a_reason() {
        for (input, needle) in [
            ("Office Printer._ipp._tcp.local.", "service instance name"),
            ("fe80::1%en0", "zone"),
            ("bad_name.example", "not a valid host name"),
            ("a.*.example", "wildcard"),
            ("*.com", "top-level"),
            ("-x.example", "hyphen"),
            ("café.example", "punycode"),
        ] {
            let e = names(&[input]).unwrap_err().to_string();
            assert!(e.contains(needle), "{input}: {e}");
        }
        let many: Vec<String> = (0..=MAX_NAMES).map(|i| format!("h{i}.test")).collect();
        assert!(matches!(parse(&many), Err(MakeError::TooManyNames { .. })));
    }

    #[test]
    fn constraints_cover_the_names_and_exclude_the_rest() {
        let (n, _) = names(&["a.example.test", "example.test", "*.dev.test", "10.0.0.1"]).unwrap();
        let c = Constraints::from_names(&n);
        assert_eq!(
            c.dns,
            vec!["example.test".to_string(), "dev.test".to_string()]
        );
        assert_eq!(c.ips, vec!["10.0.0.1".parse::<IpAddr>().unwrap()]);
        let ext = c.extension().unwrap();
        assert_eq!(ext.permitted_subtrees.as_ref().unwrap().len(), 3);
        // No IPv6 names: ::/0 excluded; DNS and IPv4 are used, so not excluded.
        assert_eq!(ext.excluded_subtrees.as_ref().unwrap().len(), 1);
        let none = Constraints::default().extension().unwrap();
        assert!(none.permitted_subtrees.is_none());
        assert_eq!(none.excluded_subtrees.unwrap().len(), 3);
    }

    #[test]
    fn split_on_commas_and_space() {
        assert_eq!(
            split("a.test, b.test\n10.0.0.1"),
            ["a.test", "b.test", "10.0.0.1"]
        );
    }
}
