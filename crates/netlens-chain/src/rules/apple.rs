//! `apple.*` and `ats.*`: Apple's rules, App Transport Security and Certificate Transparency,
//! applied to one path (and, for public chains, the CA/B Forum validity limit in
//! `cabf::validity_limit`). Dates are the certificate's notBefore, as Apple applies
//! them; the dates and limits themselves are the rules' catalog data.
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
use crate::ct::{self, CtReport, LogList};
use crate::finding::Finding;
use crate::path::Path;
use crate::rules::{self, Context, Node};
use crate::store::AnchorOrigin;

/// The result of Apple checks on a path.
pub struct AppleResult {
    /// Findings.
    pub findings: Vec<Finding>,
    /// CT evaluation of the leaf.
    pub ct: Option<CtReport>,
}

/// Runs the Apple, ATS, CT and CA/B validity checks on `path`.
pub fn check(ctx: &Context<'_>, path: &Path, log_list: Option<&LogList>) -> AppleResult {
    let mut out = Vec::new();
    let nodes = rules::nodes(ctx, path);
    let Some(leaf) = nodes.first().copied() else {
        return AppleResult {
            findings: out,
            ct: None,
        };
    };
    let anchor = path.end.anchor().and_then(|a| ctx.store.get(a));
    let public = anchor.is_some_and(|a| a.public);
    let (nb, _) = leaf.cert.validity();
    let lifetime = leaf.cert.details.validity.lifetime_days;

    // Signatures made by issuing CAs: every certificate except a root's self-signature.
    for (i, node) in nodes.iter().enumerate() {
        let is_top = i + 1 == nodes.len();
        if is_top && node.cert.self_issued() && i > 0 {
            continue;
        }
        let hash = crate::crypto::scheme(node.cert.cert.signature_algorithm())
            .ok()
            .map(|s| s.hash());
        match hash {
            Some(HashAlg::Sha1) => out.push(node.finding(
                RuleId::AppleSha1Signature,
                format!(
                    "{} is signed with SHA-1; iOS 13 and macOS 10.15 no longer trust SHA-1 signed TLS certificates.",
                    node.name()
                ),
            )),
            Some(HashAlg::Sha224) => out.push(node.finding(
                RuleId::AtsSignatureHashTooWeak,
                format!("{} is signed with SHA-224; ATS requires SHA-256 or stronger.", node.name()),
            )),
            _ => {}
        }
    }

    // Keys of the leaf and of every issuing CA, the built-in anchor included.
    let mut keys: Vec<(String, PublicKeyInfo, Option<Node<'_>>)> = nodes
        .iter()
        .map(|n| (n.name(), n.cert.details.public_key.clone(), Some(*n)))
        .collect();
    if let Some(a) = anchor
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

    // Validity periods, by the leaf's notBefore; the limits and their dates are catalog data.
    if let Some(max) = RuleId::AppleValidityOver825Days.effective().limit_at(nb)
        && lifetime > i64::from(max)
    {
        out.push(leaf.finding(
            RuleId::AppleValidityOver825Days,
            format!(
                "{} is valid for {lifetime} days ({} to {}); Apple accepts at most {max} for certificates issued on or after {}.",
                leaf.name(),
                leaf.cert.details.validity.not_before,
                leaf.cert.details.validity.not_after,
                RuleId::AppleValidityOver825Days.effective().since_text()
            ),
        ));
    }
    if public
        && let Some(max) = RuleId::AppleValidityOver398Days.effective().limit_at(nb)
        && lifetime > i64::from(max)
    {
        out.push(leaf.finding(
            RuleId::AppleValidityOver398Days,
            format!(
                "{} chains to a public root and is valid for {lifetime} days; Apple accepts at most {max} for certificates issued on or after {}.",
                leaf.name(),
                RuleId::AppleValidityOver398Days.effective().since_text()
            ),
        ));
    }
    if public {
        super::cabf::validity_limit(leaf, &mut out);
    }

    // Certificate Transparency (public chains only).
    let ct = if public {
        let applies = RuleId::AppleCtInsufficientScts.effective().applies_at(nb);
        let report = ct::evaluate(&leaf.cert.details.scts, lifetime, nb, applies, log_list);
        if applies {
            ct_findings(leaf, &report, &mut out);
        }
        Some(report)
    } else {
        None
    };

    // iOS 18.4: a key usage extension must allow the key exchange (the one negotiated, when a
    // live connection says which).
    if let Some(ku) = &leaf.cert.details.key_usage {
        let signature = ku.usages.contains(&"digitalSignature");
        let encipherment = ku.usages.contains(&"keyEncipherment");
        let kind = leaf.cert.details.public_key.kind;
        let negotiated = ctx.options.negotiated.as_ref();
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
    if leaf.cert.details.public_key.kind == KeyKind::Ed25519 {
        out.push(leaf.finding(
            RuleId::AtsEd25519Key,
            format!("{} has an Ed25519 key.", leaf.name()),
        ));
    }
    if anchor.is_some_and(|a| a.origin() == AnchorOrigin::User && !a.public) {
        let label = anchor.map(|a| a.label.clone()).unwrap_or_default();
        out.push(Finding::new(
            RuleId::InfoPrivateRoot,
            None,
            format!(
                "The chain ends at \"{label}\", a root you supplied. Apple's 398-day and Certificate Transparency rules \
                 apply only to Apple-preinstalled roots, so they were not applied."
            ),
        ));
    }
    AppleResult { findings: out, ct }
}

fn ct_findings(leaf: Node<'_>, report: &CtReport, out: &mut Vec<Finding>) {
    let distinct = {
        let mut ids: Vec<&str> = report.scts.iter().map(|s| s.log_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    };
    let fix = "Ask your CA for a certificate with SCTs from enough Apple-approved logs, or deliver SCTs in the TLS \
               handshake (signed_certificate_timestamp extension) or a stapled OCSP response, which netlens cannot see offline.";
    if distinct < report.required {
        out.push(
            leaf.finding(
                RuleId::AppleCtInsufficientScts,
                format!(
                    "{} has {distinct} embedded SCT(s) from distinct logs; Apple requires {} for a certificate of this \
                     lifetime issued on {}.",
                    leaf.name(),
                    report.required,
                    &leaf.cert.details.validity.not_before[..10]
                ),
            )
            .fix(fix),
        );
        return;
    }
    if report.log_list_loaded {
        let mut problems = Vec::new();
        if report.counted < report.required {
            let cap = report
                .per_operator_cap
                .map(|c| format!(" (at most {c} per operator counts)"))
                .unwrap_or_default();
            problems.push(format!(
                "only {} of its SCTs count toward the {} required{cap}",
                report.counted, report.required
            ));
        }
        if report.currently_approved == Some(false) {
            problems.push("none comes from a currently approved log".to_owned());
        }
        let all_tiled = report
            .scts
            .iter()
            .filter(|s| s.counts)
            .all(|s| s.log.as_ref().is_some_and(|l| l.tiled));
        if all_tiled && report.scts.iter().any(|s| s.counts) {
            problems.push("none comes from an RFC 6962 log".to_owned());
        }
        let excluded: Vec<String> = report
            .scts
            .iter()
            .filter_map(|s| s.note.as_ref().map(|n| format!("{} ({n})", s.log_id)))
            .collect();
        if !problems.is_empty() {
            let mut message = format!("{}: {}.", leaf.name(), problems.join("; "));
            if !excluded.is_empty() {
                message.push_str(&format!(" Not counted: {}.", excluded.join(", ")));
            }
            out.push(
                leaf.finding(RuleId::AppleCtOperatorDiversity, message)
                    .fix(fix),
            );
        }
    }
}
