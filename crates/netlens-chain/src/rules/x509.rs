//! `x509.*`: RFC 5280's structure rules for each certificate: serial numbers, names, extension
//! uniqueness, decoding and criticality, key identifiers, basicConstraints / keyUsage agreement.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5280 as oid;

use crate::catalog::RuleId;
use crate::finding::Finding;

use super::{AIA, Node};

/// RFC 5280 certificate structure and the CA/B Forum profile, per certificate.
/// RFC 5280's structure rules for one certificate of the path (`x509.*`).
pub(crate) fn structure(node: &Node<'_>, is_leaf: bool, is_root: bool, out: &mut Vec<Finding>) {
    let c = node.cert;
    let d = &c.details;
    let self_signed_root = c.self_issued() && is_root;

    // Serial hygiene is about certificates a CA issues; trust anchors (Starfield G2 has serial 0)
    // are trusted as they are.
    let issued = !is_root;
    if issued
        && (d.serial.zero
            || d.serial.negative
            || d.serial.length > 20 && !(d.serial.length == 21 && d.serial.hex.starts_with("00")))
    {
        let what = if d.serial.zero {
            "zero".to_owned()
        } else if d.serial.negative {
            "negative".to_owned()
        } else {
            format!("{} bytes long", d.serial.length)
        };
        out.push(node.finding(
            RuleId::X509SerialNumber,
            format!("{}'s serial number is {what}.", node.name()),
        ));
    }
    if !d.signature_algorithm.matches_tbs {
        out.push(node.finding(
            RuleId::X509SignatureAlgorithmMismatch,
            format!(
                "{}'s signed part names a different signature algorithm than its outer signatureAlgorithm.",
                node.name()
            ),
        ));
    }
    if d.issuer.attributes.is_empty() {
        out.push(node.finding(
            RuleId::X509EmptyName,
            format!("{} has an empty issuer name.", node.name()),
        ));
    }
    if d.subject.attributes.is_empty() && c.is_ca() {
        out.push(node.finding(
            RuleId::X509EmptyName,
            format!("{} is a CA with an empty subject name.", node.name()),
        ));
    }

    // Extensions: duplicates, undecodable ones, criticality rules.
    let mut seen: Vec<&ObjectIdentifier> = Vec::new();
    for ext in c.extensions() {
        if seen.contains(&&ext.extn_id) {
            out.push(node.finding(
                RuleId::X509DuplicateExtension,
                format!(
                    "{} contains the {} extension more than once.",
                    node.name(),
                    netlens_x509::oids::long_name(&ext.extn_id)
                ),
            ));
        }
        seen.push(&ext.extn_id);
    }
    for e in &d.extensions {
        if let Some(err) = &e.error {
            out.push(node.finding(
                RuleId::X509MalformedExtension,
                format!(
                    "{}'s {} extension cannot be decoded: {err}.",
                    node.name(),
                    e.name
                ),
            ));
        }
    }
    if let Some(aia) = c.extension(&AIA)
        && aia.critical
    {
        out.push(node.finding(
            RuleId::X509ExtensionCriticality,
            format!(
                "{}'s Authority Information Access extension is marked critical; it must not be.",
                node.name()
            ),
        ));
    }
    if let Some(bc) = &d.basic_constraints
        && bc.ca
        && !bc.critical
    {
        out.push(node.finding(
            RuleId::X509ExtensionCriticality,
            format!(
                "{} is a CA whose basicConstraints extension is not marked critical.",
                node.name()
            ),
        ));
    }
    if let Some(pc) = c.extension(&oid::ID_CE_POLICY_CONSTRAINTS)
        && !pc.critical
    {
        out.push(node.finding(
            RuleId::X509ExtensionCriticality,
            format!(
                "{}'s policyConstraints extension is not marked critical.",
                node.name()
            ),
        ));
    }

    // Key identifiers (RFC 5280 §4.2.1.1, §4.2.1.2).
    let aki_ext = c.extension(&oid::ID_CE_AUTHORITY_KEY_IDENTIFIER);
    if let Some(e) = aki_ext
        && e.critical
    {
        out.push(node.finding(
            RuleId::X509AkiCritical,
            format!(
                "{}'s authority key identifier is marked critical.",
                node.name()
            ),
        ));
    }
    if let Some(e) = c.extension(&oid::ID_CE_SUBJECT_KEY_IDENTIFIER)
        && e.critical
    {
        out.push(node.finding(
            RuleId::X509SkiCritical,
            format!(
                "{}'s subject key identifier is marked critical.",
                node.name()
            ),
        ));
    }
    // Key identifiers help build paths *to* an issuer; a trust anchor ends the path (RFC 5280
    // §6.1.1 (d): an anchor is a name and a key), so it needs none.
    if !self_signed_root && node.anchor_label.is_none() && c.aki.is_none() && d.version == 3 {
        out.push(node.finding(
            RuleId::X509AkiMissing,
            format!(
                "{} has no authority key identifier (keyIdentifier), which conforming CAs must include.",
                node.name()
            ),
        ));
    }
    if c.is_ca() && c.ski.is_none() {
        out.push(node.finding(
            RuleId::X509SkiMissing,
            format!(
                "{} is a CA certificate without a subject key identifier.",
                node.name()
            ),
        ));
    }
    // basicConstraints and keyUsage agree (RFC 5280 §4.2.1.3, §4.2.1.9).
    if let Some(ku) = &d.key_usage {
        let cert_sign = ku.usages.contains(&"keyCertSign");
        if cert_sign && !c.is_ca() {
            out.push(node.finding(
                RuleId::X509CaKeyUsageInconsistent,
                format!(
                    "{} asserts keyCertSign but is not a CA (basicConstraints cA is not TRUE).",
                    node.name()
                ),
            ));
        }
        if is_leaf && c.is_ca() && !cert_sign {
            out.push(node.finding(
                RuleId::X509CaKeyUsageInconsistent,
                format!(
                    "{} says cA=TRUE but its key usage does not allow keyCertSign.",
                    node.name()
                ),
            ));
        }
    }

    // Subject alternative name criticality (RFC 5280 §4.2.1.6; CA/B Forum BR §7.1.2.7.12).
    if let Some(san) = c.extension(&oid::ID_CE_SUBJECT_ALT_NAME) {
        let empty_subject = d.subject.attributes.is_empty();
        if empty_subject && !san.critical {
            out.push(node.finding(
                RuleId::X509SanCriticality,
                format!(
                    "{} has an empty subject, so its subjectAltName must be critical.",
                    node.name()
                ),
            ));
        } else if !empty_subject && san.critical {
            out.push(node.finding(
                RuleId::X509SanCriticality,
                format!(
                    "{} has a subject, so its subjectAltName must not be critical.",
                    node.name()
                ),
            ));
        }
    }

    // Name constraints only in CAs, critical, and not empty.
    if let Some(nc) = c.extension(&oid::ID_CE_NAME_CONSTRAINTS) {
        if !c.is_ca() {
            out.push(node.finding(
                RuleId::X509NameConstraintsInvalid,
                format!("{} is not a CA but carries name constraints.", node.name()),
            ));
        } else if !nc.critical {
            out.push(node.finding(
                RuleId::X509ExtensionCriticality,
                format!(
                    "{}'s name constraints are not marked critical.",
                    node.name()
                ),
            ));
        }
    }
}
