//! `cabf.*`: the CA/B Forum Baseline Requirements' certificate profile, which strict TLS
//! libraries enforce: v3, keys, EKU, AIA and name-constraint contents, root AKI, CN copied from a
//! SAN, and the maximum validity by issuance date (catalog data), one check per rule.

use const_oid::db::rfc5280 as oid;
use der::Decode;
use netlens_x509::keys::KeyKind;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, ExtendedKeyUsage};

use crate::catalog::RuleId;
use crate::constraints::Constraints;
use crate::finding::Finding;
use crate::names;

use super::{AIA, ANY_EKU, CertCheck, Node, tls};

/// `cabf.version-not-v3`.
pub fn version(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let d = &cx.node.cert.details;
    if d.version != 3 {
        out.push(cx.finding(
            RuleId::CabfVersionNotV3,
            format!("{} is an X.509 v{} certificate.", cx.name(), d.version),
        ));
    }
}

/// `cabf.empty-extension`: an AIA with no access descriptions, name constraints with no
/// subtrees.
pub fn empty_extension(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let c = cx.node.cert;
    if c.extension(&AIA).is_some()
        && c.details
            .authority_info_access
            .as_ref()
            .is_some_and(|a| a.ocsp.is_empty() && a.ca_issuers.is_empty() && a.other.is_empty())
    {
        out.push(cx.finding(
            RuleId::CabfEmptyExtension,
            format!(
                "{}'s Authority Information Access extension lists no access descriptions.",
                cx.name()
            ),
        ));
    }
    if let Some(nc) = c.extension(&oid::ID_CE_NAME_CONSTRAINTS)
        && let Ok(parsed) = Constraints::parse(nc.extn_value.as_bytes())
        && parsed.is_empty()
    {
        out.push(cx.finding(
            RuleId::CabfEmptyExtension,
            format!(
                "{}'s name constraints have neither permitted nor excluded subtrees.",
                cx.name()
            ),
        ));
    }
}

/// `cabf.aki-profile`: a self-signed root's authority key identifier, when present, is its
/// keyIdentifier alone, equal to its subject key identifier. (An undecodable AKI is reported as
/// a malformed extension.)
pub fn root_aki(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let c = cx.node.cert;
    if !cx.is_self_signed_root() {
        return;
    }
    let Some(e) = c.extension(&oid::ID_CE_AUTHORITY_KEY_IDENTIFIER) else {
        return;
    };
    let Ok(aki) = AuthorityKeyIdentifier::from_der(e.extn_value.as_bytes()) else {
        return;
    };
    let problem = if aki.key_identifier.is_none() {
        Some("has no keyIdentifier")
    } else if aki.authority_cert_issuer.is_some() || aki.authority_cert_serial_number.is_some() {
        Some("names an issuer or serial number")
    } else if c.ski.is_some() && c.aki != c.ski {
        Some("differs from its subject key identifier")
    } else {
        None
    };
    if let Some(problem) = problem {
        out.push(cx.finding(
            RuleId::CabfAkiProfile,
            format!(
                "The authority key identifier of root {} {problem}.",
                cx.name()
            ),
        ));
    }
}

/// `cabf.key-not-allowed`: keys allowed by the CA/B Forum (BR §6.1.5): RSA ≥ 2048 and a
/// multiple of 8, NIST curves. Built-in anchors are Mozilla's business, and user anchors follow
/// the same rule.
pub fn key(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let key = &cx.node.cert.details.public_key;
    let key_problem = match key.kind {
        KeyKind::Rsa | KeyKind::RsaPss => match key.bits {
            Some(bits) if bits < 2048 => Some(format!(
                "an RSA key of {bits} bits (at least 2048 are required)"
            )),
            Some(bits) if bits % 8 != 0 => {
                Some(format!("an RSA key of {bits} bits, not a multiple of 8"))
            }
            _ => None,
        },
        KeyKind::Ec => match key.curve.as_deref() {
            Some("P-256" | "P-384" | "P-521") => None,
            Some(curve) => Some(format!("an EC key on {curve}")),
            None => Some("an EC key on an unknown curve".into()),
        },
        KeyKind::Dsa => Some("a DSA key".into()),
        KeyKind::Ed25519 => None,
        _ => Some(format!("a {} key", key.algorithm)),
    };
    if let Some(problem) = key_problem {
        out.push(cx.finding(
            RuleId::CabfKeyNotAllowed,
            format!("{} has {problem}.", cx.name()),
        ));
    }
}

/// `cabf.eku-profile` (BR §7.1.2.1, §7.1.2.7.10): no EKU in a root; in a leaf, not critical and
/// without anyExtendedKeyUsage.
pub fn eku(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let Some(eku) = cx.node.cert.extension(&oid::ID_CE_EXT_KEY_USAGE) else {
        return;
    };
    if cx.is_self_signed_root() {
        out.push(cx.finding(
            RuleId::CabfEkuProfile,
            format!(
                "Root {} has an extended key usage extension; roots must not.",
                cx.name()
            ),
        ));
    }
    if !cx.is_leaf() {
        return;
    }
    if eku.critical {
        out.push(cx.finding(
            RuleId::CabfEkuProfile,
            format!(
                "{}'s extended key usage is marked critical; it must not be.",
                cx.name()
            ),
        ));
    }
    if let Ok(list) = ExtendedKeyUsage::from_der(eku.extn_value.as_bytes())
        && list.0.contains(&ANY_EKU)
    {
        out.push(cx.finding(
            RuleId::CabfEkuProfile,
            format!(
                "{}'s extended key usage includes anyExtendedKeyUsage.",
                cx.name()
            ),
        ));
    }
}

/// An IP address written in any notation a resolver accepts: dotted decimal with leading zeros,
/// hexadecimal (`0xC0A80101`), or IPv6 in any case or compression.
pub(crate) fn loose_ip(text: &str) -> Option<std::net::IpAddr> {
    if let Ok(ip) = text.parse::<std::net::IpAddr>() {
        return Some(ip);
    }
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        return u32::from_str_radix(hex, 16)
            .ok()
            .map(|v| std::net::IpAddr::from(v.to_be_bytes()));
    }
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
    {
        let mut octets = [0u8; 4];
        for (o, p) in octets.iter_mut().zip(&parts) {
            *o = p.parse().ok()?;
        }
        return Some(std::net::IpAddr::from(octets));
    }
    None
}

/// CA/B Forum BR §7.1.4.3: a CN must be a character-for-character copy of a SAN value (for IP
/// addresses, in RFC 3986 / RFC 5952 form). A CN that encodes one of the SAN values in another
/// form is an error: byte-wise comparisons see a different name. A CN naming something that is
/// not among the SANs at all is a warning: clients ignore the CN when SANs exist, but a CA must
/// not issue it.
pub fn cn_in_san(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let c = cx.node.cert;
    if c.is_ca() {
        return; // BR §7.1.4.3 governs subscriber certificates
    }
    let Some((dns, ips)) = tls::san_names(c) else {
        return;
    };
    for cn in c.details.subject.values_of("CN") {
        if let Some(finding) = cn_problem(&cx.node, cn, &dns, &ips) {
            out.push(finding);
        }
    }
}

fn cn_problem(
    node: &Node<'_>,
    cn: &str,
    dns: &[String],
    ips: &[std::net::IpAddr],
) -> Option<Finding> {
    if dns.iter().any(|d| d == cn) || ips.iter().any(|ip| names::canonical_ip_text(ip) == cn) {
        return None;
    }
    let mismatch = |what: String| {
        node.finding(
            RuleId::CabfCnNotInSan,
            format!("{}'s subject CN \"{cn}\" {what}.", node.name()),
        )
    };
    if let Some(ip) = loose_ip(cn) {
        return Some(if ips.contains(&ip) {
            mismatch(format!(
                "is the IP address {} written in a non-canonical form; it must read \"{}\"",
                ip,
                names::canonical_ip_text(&ip)
            ))
        } else {
            mismatch("is an IP address that is not among the subjectAltNames".into()).warning()
        });
    }
    if let Some(d) = dns.iter().find(|d| d.eq_ignore_ascii_case(cn)) {
        return Some(mismatch(format!(
            "differs from the subjectAltName \"{d}\" in letter case; it must be an exact copy"
        )));
    }
    if cn.contains('.') && !cn.is_ascii() {
        return Some(mismatch(
            "is an internationalized name in Unicode; it must be the punycode (xn--) form listed in the subjectAltName"
                .into(),
        ));
    }
    if cn.contains('.') && (!dns.is_empty() || !ips.is_empty()) {
        return Some(
            mismatch("names a host that is not among the subjectAltNames".into()).warning(),
        );
    }
    None
}

/// `cabf.validity-over-limit`: the Baseline Requirements' maximum validity for the leaf's
/// issuance date (BR §6.3.2; the steps are the rule's catalog data). The registry runs it only
/// for chains to a public root: private CAs are not bound by the BRs.
pub fn validity_limit(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let lifetime = cx.node.cert.details.validity.lifetime_days;
    let issued = &cx.node.cert.details.validity.not_before;
    let issued_day = issued.get(..10).unwrap_or(issued);
    if let Some(max) = cx.limit(RuleId::CabfValidityOverLimit)
        && lifetime > i64::from(max)
    {
        out.push(cx.finding(
            RuleId::CabfValidityOverLimit,
            format!(
                "{} is valid for {lifetime} days; for certificates issued on {issued_day} the Baseline Requirements allow at most {max}.",
                cx.name(),
            ),
        ));
    }
}
