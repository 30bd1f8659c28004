//! `tls.*`: the leaf's use for TLS: SAN syntax, host-name matching (RFC 9525), the purpose's
//! extended key usage and key usage.

use const_oid::db::rfc5280 as oid;
use der::Decode;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{ExtendedKeyUsage, SubjectAltName};

use crate::catalog::{Profile, RuleId};
use crate::finding::Finding;
use crate::model::ChainCert;
use crate::names::{self, Host};
use crate::{ExpectedName, Purpose};

use super::{ANY_EKU, CLIENT_AUTH, CertCheck, Context, Node, PathCheck, SERVER_AUTH};

/// The leaf's DNS names and IP addresses from its subjectAltName (`None` without a readable
/// one); malformed IP entries are left out.
pub(crate) fn san_names(c: &ChainCert) -> Option<(Vec<String>, Vec<std::net::IpAddr>)> {
    let ext = c.extension(&oid::ID_CE_SUBJECT_ALT_NAME)?;
    let san = SubjectAltName::from_der(ext.extn_value.as_bytes()).ok()?;
    let mut dns = Vec::new();
    let mut ips = Vec::new();
    for name in &san.0 {
        match name {
            GeneralName::DnsName(d) => dns.push(d.as_str().to_owned()),
            GeneralName::IpAddress(o) => ips.extend(names::ip_from_bytes(o.as_bytes())),
            _ => {}
        }
    }
    Some((dns, ips))
}

/// `tls.invalid-san`: subjectAltName entries a TLS client cannot use.
pub fn san_syntax(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    for name in &san_entries(cx.node.cert) {
        match name {
            GeneralName::DnsName(d) => {
                if let Some(problem) = names::dns_name_problem(d.as_str()) {
                    out.push(cx.finding(
                        RuleId::TlsInvalidSan,
                        format!("{}'s subjectAltName contains {problem}.", cx.name()),
                    ));
                }
            }
            GeneralName::IpAddress(o) if names::ip_from_bytes(o.as_bytes()).is_none() => {
                out.push(cx.finding(
                    RuleId::TlsInvalidSan,
                    format!(
                        "{}'s subjectAltName has an IP address of {} bytes (4 or 16 expected).",
                        cx.name(),
                        o.as_bytes().len()
                    ),
                ))
            }
            GeneralName::Rfc822Name(e)
                if e.as_str().matches('@').count() != 1
                    || e.as_str().starts_with('@')
                    || e.as_str().ends_with('@') =>
            {
                out.push(cx.finding(
                    RuleId::TlsInvalidSan,
                    format!(
                        "{}'s subjectAltName has the malformed email address \"{}\" (one '@' between a local part and a domain).",
                        cx.name(),
                        e.as_str()
                    ),
                ))
            }
            _ => {}
        }
    }
}

pub(crate) fn san_entries(cert: &ChainCert) -> Vec<GeneralName> {
    cert.extension(&oid::ID_CE_SUBJECT_ALT_NAME)
        .and_then(|e| SubjectAltName::from_der(e.extn_value.as_bytes()).ok())
        .map(|s| s.0)
        .unwrap_or_default()
}

fn eku_of(c: &ChainCert) -> Option<ExtendedKeyUsage> {
    c.extension(&oid::ID_CE_EXT_KEY_USAGE)
        .and_then(|e| ExtendedKeyUsage::from_der(e.extn_value.as_bytes()).ok())
}

/// `tls.missing-serverauth-eku`: a server leaf's extended key usage must allow serverAuth. The
/// rule is always in force; Apple's date ([`crate::catalog::APPLE_2019`]) decides one case of
/// it: a leaf with no extended key usage at all fails Apple from that day.
pub fn server_auth_eku(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let leaf = &cx.node;
    match eku_of(leaf.cert) {
        Some(list) if !list.0.contains(&SERVER_AUTH) && !list.0.contains(&ANY_EKU) => {
            let names: Vec<String> = list.0.iter().map(netlens_x509::oids::short_name).collect();
            out.push(leaf.finding(
                RuleId::TlsMissingServerauthEku,
                format!(
                    "{}'s extended key usage ({}) does not include serverAuth.",
                    leaf.name(),
                    names.join(", ")
                ),
            ));
        }
        Some(_) => {}
        None if cx.date >= crate::catalog::APPLE_2019.unix_seconds() => out.push(
            leaf.finding(
                RuleId::TlsMissingServerauthEku,
                format!(
                    "{} has no extended key usage. RFC 5280 allows that, but Apple requires serverAuth in \
                     certificates issued on or after {}.",
                    leaf.name(),
                    crate::catalog::APPLE_2019
                ),
            )
            .deciding(&[Profile::Apple]),
        ),
        None => {}
    }
}

/// `tls.missing-clientauth-eku`: a client leaf's extended key usage must allow clientAuth.
pub fn client_auth_eku(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    if let Some(list) = eku_of(cx.node.cert)
        && !list.0.contains(&CLIENT_AUTH)
        && !list.0.contains(&ANY_EKU)
    {
        out.push(cx.finding(
            RuleId::TlsMissingClientauthEku,
            format!(
                "{}'s extended key usage does not include clientAuth.",
                cx.name()
            ),
        ));
    }
}

/// `tls.hostname-mismatch` and `tls.cn-only-name`: the names clients match (RFC 9525): the host
/// a server is reached at, or the names a client certificate must carry.
pub fn names(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let ctx = cx.path.ctx;
    let sans = san_entries(cx.node.cert);
    match ctx.options.purpose {
        Purpose::ServerAuth => host_checks(ctx, cx.node, &sans, out),
        Purpose::ClientAuth => {
            for expected in &ctx.options.client_names {
                if !client_name_present(expected, &sans) {
                    out.push(cx.finding(
                        RuleId::TlsHostnameMismatch,
                        format!("{} does not name {}.", cx.name(), expected),
                    ));
                }
            }
        }
    }
}

/// `tls.key-usage-not-allowed`: the key usages the caller requires.
pub fn key_usage(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let required = &cx.path.options().required_key_usage;
    if !required.is_empty()
        && let Some(ku) = &cx.node.cert.details.key_usage
    {
        let missing: Vec<&str> = required
            .iter()
            .map(String::as_str)
            .filter(|u| !ku.usages.contains(u))
            .collect();
        if !missing.is_empty() {
            out.push(cx.finding(
                RuleId::TlsKeyUsageNotAllowed,
                format!("{}'s key usage lacks {}.", cx.name(), missing.join(", ")),
            ));
        }
    }
}

pub(crate) fn client_name_present(expected: &ExpectedName, sans: &[GeneralName]) -> bool {
    sans.iter().any(|san| match (expected, san) {
        (ExpectedName::Email(e), GeneralName::Rfc822Name(s)) => {
            match (e.rsplit_once('@'), s.as_str().rsplit_once('@')) {
                (Some((el, eh)), Some((sl, sh))) => el == sl && eh.eq_ignore_ascii_case(sh),
                _ => false,
            }
        }
        (ExpectedName::Host(Host::Dns(h)), GeneralName::DnsName(d)) => {
            names::dns_matches(d.as_str(), h)
        }
        (ExpectedName::Host(Host::Ip(ip)), GeneralName::IpAddress(o)) => {
            names::ip_from_bytes(o.as_bytes()).as_ref() == Some(ip)
        }
        _ => false,
    })
}

fn host_checks(ctx: &Context<'_>, leaf: Node<'_>, sans: &[GeneralName], out: &mut Vec<Finding>) {
    let has_name_sans = sans
        .iter()
        .any(|s| matches!(s, GeneralName::DnsName(_) | GeneralName::IpAddress(_)));
    let cns: Vec<&str> = leaf.cert.details.subject.values_of("CN").collect();
    let Some(host) = &ctx.options.host else {
        // Without a host nothing can be matched; Apple still requires names in the SAN.
        if !has_name_sans {
            out.push(
                leaf.finding(
                    RuleId::TlsCnOnlyName,
                    format!(
                        "{} has no DNS or IP subjectAltName{}; clients do not read host names from the CN.",
                        leaf.name(),
                        if cns.is_empty() { String::new() } else { format!(" (CN is \"{}\")", cns.join("\", \"")) }
                    ),
                )
                .deciding(&[Profile::Apple]),
            );
        }
        return;
    };
    let matched = sans.iter().any(|san| match (host, san) {
        (Host::Dns(h), GeneralName::DnsName(d)) => names::dns_matches(d.as_str(), h),
        (Host::Ip(ip), GeneralName::IpAddress(o)) => {
            names::ip_from_bytes(o.as_bytes()).as_ref() == Some(ip)
        }
        _ => false,
    });
    if matched {
        return;
    }
    let host_text = host.to_string();
    let cn_match = cns.iter().any(|cn| match host {
        Host::Dns(h) => names::dns_matches(cn, h),
        Host::Ip(ip) => cn.parse::<std::net::IpAddr>().ok().as_ref() == Some(ip),
    });
    let listed: Vec<String> = leaf
        .cert
        .details
        .subject_alt_names
        .iter()
        .map(|n| n.prefixed())
        .collect();
    if !has_name_sans && cn_match {
        out.push(leaf.finding(
            RuleId::TlsCnOnlyName,
            format!(
                "{host_text} appears only in {}'s subject CN; clients require it in the subjectAltName.",
                leaf.name()
            ),
        ).fix(format!(
            "Reissue with `-addext \"subjectAltName={}:{host_text}\"`.",
            if matches!(host, Host::Ip(_)) { "IP" } else { "DNS" }
        )));
    } else {
        out.push(leaf.finding(
            RuleId::TlsHostnameMismatch,
            format!(
                "{host_text} is not among {}'s names ({}).",
                leaf.name(),
                if listed.is_empty() { "it has no subjectAltName".to_owned() } else { listed.join(", ") }
            ),
        ).fix(format!(
            "Connect with a name the certificate lists, or reissue it with `-addext \"subjectAltName={}:{host_text}\"`.",
            if matches!(host, Host::Ip(_)) { "IP" } else { "DNS" }
        )));
    }
}

/// `tls.must-staple-missing`: a leaf with the TLS Feature status_request (OCSP Must-Staple)
/// from a server that stapled nothing, when the connection asked for a staple.
pub fn must_staple(p: &PathCheck<'_>, out: &mut Vec<Finding>) {
    let leaf = p.leaf();
    let looked = p
        .ctx
        .delivered
        .examined
        .iter()
        .any(|e| e.source == crate::ct::SctSource::Ocsp && e.examined);
    if leaf.cert.details.must_staple && looked && p.ctx.staples.is_empty() {
        out.push(leaf.finding(
            RuleId::TlsMustStapleMissing,
            format!(
                "{} carries the TLS Feature extension with status_request (OCSP Must-Staple), and the server stapled \
                 no OCSP response to a client that asked for one: Firefox refuses the connection \
                 (MOZILLA_PKIX_ERROR_REQUIRED_TLS_FEATURE_MISSING).",
                leaf.name()
            ),
        ));
    }
}
