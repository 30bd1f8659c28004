//! `x509.*`: RFC 5280's structure rules for each certificate: serial numbers, names, extension
//! uniqueness, decoding and criticality, key identifiers, basicConstraints / keyUsage agreement,
//! and name constraints that cannot be used.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5280 as oid;

use crate::catalog::RuleId;
use crate::finding::Finding;

use super::chain::ConstraintOutcome;
use super::{AIA, CertCheck, PathCheck};

/// `x509.serial-number`: zero, negative or over 20 bytes. Serial hygiene is about certificates
/// a CA issues; trust anchors (Starfield G2 has serial 0) are trusted as they are, so the
/// registry runs this on every certificate but the root.
pub fn serial_number(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let d = &cx.node.cert.details;
    if d.serial.zero
        || d.serial.negative
        || d.serial.length > 20 && !(d.serial.length == 21 && d.serial.hex.starts_with("00"))
    {
        let what = if d.serial.zero {
            "zero".to_owned()
        } else if d.serial.negative {
            "negative".to_owned()
        } else {
            format!("{} bytes long", d.serial.length)
        };
        out.push(cx.finding(
            RuleId::X509SerialNumber,
            format!("{}'s serial number is {what}.", cx.name()),
        ));
    }
}

/// `x509.signature-algorithm-mismatch`: the signed part and the outer signatureAlgorithm differ.
pub fn signature_algorithm_mismatch(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    if !cx.node.cert.details.signature_algorithm.matches_tbs {
        out.push(cx.finding(
            RuleId::X509SignatureAlgorithmMismatch,
            format!(
                "{}'s signed part names a different signature algorithm than its outer signatureAlgorithm.",
                cx.name()
            ),
        ));
    }
}

/// `x509.empty-name`: an empty issuer, or a CA with an empty subject.
pub fn empty_name(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let c = cx.node.cert;
    if c.details.issuer.attributes.is_empty() {
        out.push(cx.finding(
            RuleId::X509EmptyName,
            format!("{} has an empty issuer name.", cx.name()),
        ));
    }
    if c.details.subject.attributes.is_empty() && c.is_ca() {
        out.push(cx.finding(
            RuleId::X509EmptyName,
            format!("{} is a CA with an empty subject name.", cx.name()),
        ));
    }
}

/// `x509.duplicate-extension`: an extension present more than once.
pub fn duplicate_extension(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let mut seen: Vec<&ObjectIdentifier> = Vec::new();
    for ext in cx.node.cert.extensions() {
        if seen.contains(&&ext.extn_id) {
            out.push(cx.finding(
                RuleId::X509DuplicateExtension,
                format!(
                    "{} contains the {} extension more than once.",
                    cx.name(),
                    netlens_x509::oids::long_name(&ext.extn_id)
                ),
            ));
        }
        seen.push(&ext.extn_id);
    }
}

/// `x509.malformed-extension`: an extension that does not decode.
pub fn malformed_extension(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    for e in &cx.node.cert.details.extensions {
        if let Some(err) = &e.error {
            out.push(cx.finding(
                RuleId::X509MalformedExtension,
                format!(
                    "{}'s {} extension cannot be decoded: {err}.",
                    cx.name(),
                    e.name
                ),
            ));
        }
    }
}

/// `x509.extension-criticality`: AIA must not be critical; a CA's basicConstraints, policy
/// constraints and a CA's name constraints must be.
pub fn extension_criticality(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let c = cx.node.cert;
    let name = cx.name();
    if c.extension(&AIA).is_some_and(|aia| aia.critical) {
        out.push(cx.finding(
            RuleId::X509ExtensionCriticality,
            format!("{name}'s Authority Information Access extension is marked critical; it must not be."),
        ));
    }
    if let Some(bc) = &c.details.basic_constraints
        && bc.ca
        && !bc.critical
    {
        out.push(cx.finding(
            RuleId::X509ExtensionCriticality,
            format!("{name} is a CA whose basicConstraints extension is not marked critical."),
        ));
    }
    if c.extension(&oid::ID_CE_POLICY_CONSTRAINTS)
        .is_some_and(|pc| !pc.critical)
    {
        out.push(cx.finding(
            RuleId::X509ExtensionCriticality,
            format!("{name}'s policyConstraints extension is not marked critical."),
        ));
    }
    if c.is_ca()
        && c.extension(&oid::ID_CE_NAME_CONSTRAINTS)
            .is_some_and(|nc| !nc.critical)
    {
        out.push(cx.finding(
            RuleId::X509ExtensionCriticality,
            format!("{name}'s name constraints are not marked critical."),
        ));
    }
}

/// `x509.aki-critical` (RFC 5280 §4.2.1.1).
pub fn aki_critical(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    critical_key_identifier(
        cx,
        &oid::ID_CE_AUTHORITY_KEY_IDENTIFIER,
        RuleId::X509AkiCritical,
        "authority",
        out,
    );
}

/// `x509.ski-critical` (RFC 5280 §4.2.1.2).
pub fn ski_critical(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    critical_key_identifier(
        cx,
        &oid::ID_CE_SUBJECT_KEY_IDENTIFIER,
        RuleId::X509SkiCritical,
        "subject",
        out,
    );
}

/// A key identifier extension (`whose`: authority or subject) marked critical.
fn critical_key_identifier(
    cx: &CertCheck<'_, '_>,
    extension: &ObjectIdentifier,
    rule: RuleId,
    whose: &str,
    out: &mut Vec<Finding>,
) {
    if cx
        .node
        .cert
        .extension(extension)
        .is_some_and(|e| e.critical)
    {
        out.push(cx.finding(
            rule,
            format!("{}'s {whose} key identifier is marked critical.", cx.name()),
        ));
    }
}

/// `x509.aki-missing`. Key identifiers help build paths *to* an issuer; a trust anchor ends the
/// path (RFC 5280 §6.1.1 (d): an anchor is a name and a key), so it needs none.
pub fn aki_missing(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let c = cx.node.cert;
    if !cx.is_self_signed_root()
        && cx.node.anchor_label.is_none()
        && c.aki.is_none()
        && c.details.version == 3
    {
        out.push(cx.finding(
            RuleId::X509AkiMissing,
            format!(
                "{} has no authority key identifier (keyIdentifier), which conforming CAs must include.",
                cx.name()
            ),
        ));
    }
}

/// `x509.ski-missing`: a CA without a subject key identifier.
pub fn ski_missing(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let c = cx.node.cert;
    if c.is_ca() && c.ski.is_none() {
        out.push(cx.finding(
            RuleId::X509SkiMissing,
            format!(
                "{} is a CA certificate without a subject key identifier.",
                cx.name()
            ),
        ));
    }
}

/// `x509.ca-key-usage-inconsistent`: basicConstraints and keyUsage disagree (RFC 5280 §4.2.1.3,
/// §4.2.1.9).
pub fn ca_key_usage(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let c = cx.node.cert;
    let Some(ku) = &c.details.key_usage else {
        return;
    };
    let cert_sign = ku.usages.contains(&"keyCertSign");
    if cert_sign && !c.is_ca() {
        out.push(cx.finding(
            RuleId::X509CaKeyUsageInconsistent,
            format!(
                "{} asserts keyCertSign but is not a CA (basicConstraints cA is not TRUE).",
                cx.name()
            ),
        ));
    }
    if cx.is_leaf() && c.is_ca() && !cert_sign {
        out.push(cx.finding(
            RuleId::X509CaKeyUsageInconsistent,
            format!(
                "{} says cA=TRUE but its key usage does not allow keyCertSign.",
                cx.name()
            ),
        ));
    }
}

/// `x509.san-criticality` (RFC 5280 §4.2.1.6; CA/B Forum BR §7.1.2.7.12): critical exactly when
/// the subject is empty.
pub fn san_criticality(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let c = cx.node.cert;
    let Some(san) = c.extension(&oid::ID_CE_SUBJECT_ALT_NAME) else {
        return;
    };
    let empty_subject = c.details.subject.attributes.is_empty();
    if empty_subject && !san.critical {
        out.push(cx.finding(
            RuleId::X509SanCriticality,
            format!(
                "{} has an empty subject, so its subjectAltName must be critical.",
                cx.name()
            ),
        ));
    } else if !empty_subject && san.critical {
        out.push(cx.finding(
            RuleId::X509SanCriticality,
            format!(
                "{} has a subject, so its subjectAltName must not be critical.",
                cx.name()
            ),
        ));
    }
}

/// `x509.name-constraints-invalid` and `x509.name-constraints-too-complex`: name constraints
/// outside a CA, constraints that cannot be read, and checks too large to finish.
pub fn name_constraints(p: &PathCheck<'_>, out: &mut Vec<Finding>) {
    for node in &p.nodes {
        if node.cert.extension(&oid::ID_CE_NAME_CONSTRAINTS).is_some() && !node.cert.is_ca() {
            out.push(node.finding(
                RuleId::X509NameConstraintsInvalid,
                format!("{} is not a CA but carries name constraints.", node.name()),
            ));
        }
    }
    for outcome in p.constraint_outcomes() {
        match outcome {
            ConstraintOutcome::Unreadable { source, name, why } => {
                let message = format!("{name}: {why}.");
                out.push(match source {
                    Some(n) => n.finding(RuleId::X509NameConstraintsInvalid, message),
                    None => Finding::new(RuleId::X509NameConstraintsInvalid, None, message),
                });
            }
            ConstraintOutcome::Checked {
                below,
                name,
                result: Err(v @ crate::constraints::Violation::TooComplex { .. }),
            } => out.push(below.finding(
                RuleId::X509NameConstraintsTooComplex,
                format!(
                    "Checking {} against {name}'s name constraints: {v}.",
                    below.name()
                ),
            )),
            ConstraintOutcome::Checked { .. } => {}
        }
    }
}
