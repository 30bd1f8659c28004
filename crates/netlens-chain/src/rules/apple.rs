//! `apple.*` and `ats.*`: Apple's rules, App Transport Security and Certificate Transparency,
//! one check per rule or per pair that shares its work. Dates are the certificate's notBefore,
//! as Apple applies them; the dates and limits themselves are the rules' catalog data, and the
//! runner applies them.
//!
//! Apple's requirements fall in two families (see the research notes): rules for every TLS server
//! certificate (RSA ≥ 2048 and SHA-2 for the leaf and issuing CAs, names in the SAN, serverAuth
//! and a validity limit), and rules only for chains to a *preinstalled* root (a shorter validity
//! limit, Certificate Transparency). netlens treats chains ending at a built-in
//! (Mozilla) anchor as public and chains ending at an anchor the user supplied as private.

use der::Decode;
use netlens_x509::keys::{KeyKind, PublicKeyInfo};
use spki::SubjectPublicKeyInfoOwned;

use crate::catalog::RuleId;
use crate::crypto::HashAlg;
use crate::ct::CtReport;
use crate::finding::Finding;
use crate::rules::{CertCheck, Node, PathCheck, Sent, hash_of};

/// `apple.sha1-signature` and `ats.signature-hash-too-weak`: signatures made by issuing CAs:
/// every certificate except a root's self-signature.
pub fn signature_hash(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    if cx.is_top() && cx.node.cert.self_issued() && !cx.is_leaf() {
        return;
    }
    match hash_of(cx.node.cert) {
        Some(HashAlg::Sha1) => out.push(cx.finding(
            RuleId::AppleSha1Signature,
            format!(
                "{} is signed with SHA-1; iOS 13 and macOS 10.15 no longer trust SHA-1 signed TLS certificates.",
                cx.name()
            ),
        )),
        Some(HashAlg::Sha224) => out.push(cx.finding(
            RuleId::AtsSignatureHashTooWeak,
            format!("{} is signed with SHA-224; ATS requires SHA-256 or stronger.", cx.name()),
        )),
        _ => {}
    }
}

/// `apple.rsa-key-too-small` and `ats.ec-key-too-small`: keys of the leaf and of every issuing
/// CA, the built-in anchor included.
pub fn key_size(p: &PathCheck<'_>, out: &mut Vec<Finding>) {
    let mut keys: Vec<(String, PublicKeyInfo, Option<Node<'_>>)> = p
        .nodes
        .iter()
        .map(|n| (n.name(), n.cert.details.public_key.clone(), Some(*n)))
        .collect();
    if let Some(a) = p.anchor
        && a.cert.is_none()
        && let Ok(spki) = SubjectPublicKeyInfoOwned::from_der(&a.spki)
    {
        keys.push((
            format!("trust anchor \"{}\"", a.label),
            PublicKeyInfo::new(&spki),
            None,
        ));
    }
    for (name, key, node) in keys {
        let finding = |rule, msg: String| match node {
            Some(n) => n.finding(rule, msg),
            None => Finding::new(rule, None, msg)
                .about_anchor(name.trim_start_matches("trust anchor ").trim_matches('"')),
        };
        match (key.kind, key.bits) {
            (KeyKind::Rsa | KeyKind::RsaPss, Some(bits)) if bits < 2048 => out.push(finding(
                RuleId::AppleRsaKeyTooSmall,
                format!("{name} has an RSA key of {bits} bits; Apple requires at least 2048."),
            )),
            (KeyKind::Ec, Some(bits)) if bits < 256 => out.push(finding(
                RuleId::AtsEcKeyTooSmall,
                format!("{name} has a {bits}-bit EC key; ATS requires at least 256 bits."),
            )),
            _ => {}
        }
    }
}

/// `apple.validity-over-825-days`, for every TLS server certificate issued from the rule's
/// first day (its limit is catalog data).
pub fn validity_825_days(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let rule = RuleId::AppleValidityOver825Days;
    let validity = &cx.node.cert.details.validity;
    if let Some(max) = cx.limit(rule)
        && validity.lifetime_days > i64::from(max)
    {
        out.push(cx.finding(
            rule,
            format!(
                "{} is valid for {} days ({} to {}); Apple accepts at most {max} for certificates issued on or after {}.",
                cx.name(),
                validity.lifetime_days,
                validity.not_before,
                validity.not_after,
                rule.effective().since_text()
            ),
        ));
    }
}

/// `apple.validity-over-398-days`, for certificates chaining to a preinstalled root.
pub fn validity_398_days(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let rule = RuleId::AppleValidityOver398Days;
    let lifetime = cx.node.cert.details.validity.lifetime_days;
    if let Some(max) = cx.limit(rule)
        && lifetime > i64::from(max)
    {
        out.push(cx.finding(
            rule,
            format!(
                "{} chains to a public root and is valid for {lifetime} days; Apple accepts at most {max} for certificates issued on or after {}.",
                cx.name(),
                rule.effective().since_text()
            ),
        ));
    }
}

/// `apple.ct-insufficient-scts` and `apple.ct-operator-diversity`: Apple's CT policy on the
/// leaf of a chain to a public root (the evaluation is [`crate::ct`]'s).
pub fn certificate_transparency(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    if let Some(report) = cx.path.ct {
        ct_findings(cx.node, report, out);
    }
}

/// `apple.key-usage-cipher-mismatch`: since iOS 18.4, a key usage extension must allow the key
/// exchange (the one negotiated, when a live connection says which).
pub fn key_usage_cipher(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let leaf = &cx.node;
    let Some(ku) = &leaf.cert.details.key_usage else {
        return;
    };
    let signature = ku.usages.contains(&"digitalSignature");
    let encipherment = ku.usages.contains(&"keyEncipherment");
    let kind = leaf.cert.details.public_key.kind;
    let negotiated = cx.path.options().negotiated.as_ref();
    if let Some(n) = negotiated.filter(|n| n.signed_key_exchange() && !signature) {
        out.push(leaf.finding(
            RuleId::AppleKeyUsageCipherMismatch,
            format!(
                "The server negotiated {} ({}), whose key exchange {}'s key must sign, but its key usage ({}) lacks \
                 digitalSignature. Since iOS 18.4 this connection fails with -9830 and cannot be overridden.",
                n.cipher_suite,
                n.protocol_version,
                leaf.name(),
                ku.usages.join(", ")
            ),
        ));
    } else if let Some(n) = negotiated.filter(|n| !n.signed_key_exchange() && !encipherment) {
        out.push(leaf.finding(
            RuleId::AppleKeyUsageCipherMismatch,
            format!(
                "The server negotiated {} (static RSA key exchange), which needs keyEncipherment, but {}'s key usage ({}) \
                 lacks it.",
                n.cipher_suite,
                leaf.name(),
                ku.usages.join(", ")
            ),
        ));
    } else if negotiated.is_some() {
        // The key exchange that is used is allowed.
    } else if !signature {
        out.push(leaf.finding(
            RuleId::AppleKeyUsageCipherMismatch,
            format!(
                "{}'s key usage ({}) lacks digitalSignature, which ECDHE key exchange and TLS 1.3 need. Since iOS 18.4 \
                 such connections fail with -9830 and cannot be overridden.",
                leaf.name(),
                ku.usages.join(", ")
            ),
        ));
    } else if matches!(kind, KeyKind::Rsa) && !encipherment {
        out.push(
            leaf.finding(
                RuleId::AppleKeyUsageCipherMismatch,
                format!(
                    "{}'s RSA key usage lacks keyEncipherment: static-RSA (TLS_RSA_*) suites would fail. ATS apps \
                     only use ECDHE suites, which work.",
                    leaf.name()
                ),
            )
            .warning(),
        );
    }
}

/// `ats.ed25519-key`: Apple's TLS stack does not take Ed25519 server keys.
pub fn ed25519_key(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    if cx.node.cert.details.public_key.kind == KeyKind::Ed25519 {
        out.push(cx.finding(
            RuleId::AtsEd25519Key,
            format!("{} has an Ed25519 key.", cx.name()),
        ));
    }
}

/// `ats.server-configuration`: the half of ATS certificates cannot show.
pub fn server_configuration(s: &Sent<'_>, out: &mut Vec<Finding>) {
    out.push(Finding::new(
        RuleId::AtsServerConfiguration,
        None,
        match &s.ctx.options.negotiated {
            // A live connection shows one handshake, not every one ATS might make.
            Some(n) => format!(
                "The certificate half of App Transport Security is checked above. This connection negotiated {}, {}; \
                 ATS needs TLS 1.2 or later with an ECDHE (forward-secret) AES suite, and `netlens ats` tests each \
                 configuration it may use.",
                n.protocol_version, n.cipher_suite
            ),
            None => "The certificate half of App Transport Security is checked above. ATS also needs the server to \
                 negotiate TLS 1.2 or later with an ECDHE (forward-secret) AES suite; certificates cannot show that."
                .to_owned(),
        },
    ));
}

fn ct_findings(leaf: Node<'_>, report: &CtReport, out: &mut Vec<Finding>) {
    let handshake_looked = report
        .sources
        .iter()
        .any(|s| s.source.in_handshake() && s.examined);
    let fix = if handshake_looked {
        "Ask your CA for a certificate with SCTs from enough Apple-approved logs, or deliver SCTs in the TLS handshake \
         (signed_certificate_timestamp extension) or a stapled OCSP response."
    } else {
        "Ask your CA for a certificate with SCTs from enough Apple-approved logs. If the server delivers SCTs in the \
         TLS handshake or a stapled OCSP response, check it live (`netlens chain --connect HOST`) or add its SCT list \
         and OCSP response: netlens saw only the certificate."
    };
    let by_source = |embedded: bool| {
        let mut ids: Vec<&str> = report
            .scts
            .iter()
            .filter(|s| (s.source == crate::ct::SctSource::Embedded) == embedded)
            .map(|s| s.log_id.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    };
    let looked = format!("Looked at: {}.", report.sources_sentence());
    if !report.enough_without_list() {
        out.push(
            leaf.finding(
                RuleId::AppleCtInsufficientScts,
                format!(
                    "{} has {} embedded SCT(s) and {} delivered in the handshake, from distinct logs; Apple requires {} \
                     embedded for a certificate of this lifetime issued on {}, or two with one delivered in the \
                     handshake. {looked}",
                    leaf.name(),
                    by_source(true),
                    by_source(false),
                    report.required,
                    &leaf.cert.details.validity.not_before[..10]
                ),
            )
            .fix(fix),
        );
        return;
    }
    if report.log_list_loaded && !report.apple.compliant {
        let excluded: Vec<String> = report
            .scts
            .iter()
            .filter(|s| !s.counts)
            .filter_map(|s| {
                let name = s
                    .log
                    .as_ref()
                    .map_or(s.log_id.clone(), |l| l.description.clone());
                s.note
                    .as_ref()
                    .map(|n| format!("{name} ({}, {n})", s.source.describe()))
            })
            .collect();
        let mut message = format!("{}: {}.", leaf.name(), report.apple.explanation);
        if !excluded.is_empty() {
            message.push_str(&format!(" Not counted: {}.", excluded.join(", ")));
        }
        if let Some(list) = &report.log_list {
            message.push_str(&format!(" Judged with {}.", list.describe()));
        }
        message.push(' ');
        message.push_str(&looked);
        out.push(
            leaf.finding(RuleId::AppleCtOperatorDiversity, message)
                .fix(fix),
        );
    }
}
