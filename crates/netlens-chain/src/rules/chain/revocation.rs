//! `chain.revoked`, `chain.crl-invalid` and `chain.ocsp-response-unusable`: revocation from the CRLs the user supplied (RFC 5280 §5, §6.3)
//! and the OCSP responses stapled or supplied (RFC 6960); reading them is [`crate::crl`]'s and
//! [`crate::ocsp`]'s.

use crate::catalog::RuleId;
use crate::crypto::Verification;
use crate::finding::Finding;
use crate::model::ChainCert;
use crate::path::PathEnd;
use crate::rules::PathCheck;

/// Checks every certificate of `path` against the supplied CRLs.
pub fn crls(p: &PathCheck<'_>, out: &mut Vec<Finding>) {
    let (ctx, path, nodes) = (p.ctx, p.path, &p.nodes);
    let (crls, verifier) = (ctx.crls, ctx.verifier);
    for (i, node) in nodes.iter().enumerate() {
        // Issuer of this node: the next node, or the built-in anchor at the end.
        let (issuer_spki, issuer_cert): (Option<&[u8]>, Option<&ChainCert>) = match nodes.get(i + 1)
        {
            Some(next) => (Some(&next.cert.spki), Some(next.cert)),
            None => match path.end {
                PathEnd::Anchor(a) => (ctx.store.get(a).map(|a| a.spki.as_slice()), None),
                _ => (None, None),
            },
        };
        let Some(issuer_spki) = issuer_spki else {
            continue;
        };
        for crl in crls.iter().filter(|c| c.issuer_key == node.cert.issuer_key) {
            let verification = verifier.verify(
                &crl.tbs,
                &crl.list.signature_algorithm,
                crl.list.signature.raw_bytes(),
                issuer_spki,
            );
            if !matches!(verification, Verification::Valid) {
                // Same issuer name, different key: a CRL of another CA with that name.
                continue;
            }
            let problem = crl.structural_problem().or_else(|| {
                issuer_cert
                    .and_then(|c| c.details.key_usage.as_ref())
                    .filter(|ku| !ku.usages.contains(&"cRLSign"))
                    .map(|_| "its issuer's key usage does not include cRLSign".to_owned())
            });
            if let Some(problem) = problem {
                out.push(node.finding(
                    RuleId::ChainCrlInvalid,
                    format!(
                        "The CRL for {} ({}) cannot be used: {problem}.",
                        node.name(),
                        crl.location
                    ),
                ));
                continue;
            }
            let serial = node.cert.cert.tbs_certificate().serial_number().as_bytes();
            if let Some(entry) = crl
                .list
                .tbs_cert_list
                .revoked_certificates
                .iter()
                .flatten()
                .find(|r| r.serial_number.as_bytes() == serial)
            {
                out.push(node.finding(
                    RuleId::ChainRevoked,
                    format!(
                        "{} was revoked on {} according to the CRL ({}).",
                        node.name(),
                        netlens_x509::time::rfc3339(&entry.revocation_date),
                        crl.location
                    ),
                ));
            }
        }
    }
}

/// The leaf's issuer key on `path`: the next certificate's, or the anchor's.
fn issuer_spki<'a>(p: &PathCheck<'a>) -> Option<&'a [u8]> {
    match p.nodes.get(1) {
        Some(next) => Some(&next.cert.spki),
        None => match p.path.end {
            PathEnd::Anchor(a) => p.ctx.store.get(a).map(|a| a.spki.as_slice()),
            _ => None,
        },
    }
}

/// Judges the OCSP responses stapled or supplied for the leaf of `path`.
pub fn ocsp(p: &PathCheck<'_>, out: &mut Vec<Finding>) {
    let leaf = p.leaf();
    let Some(issuer_spki) = issuer_spki(p) else {
        return;
    };
    let ctx = p.ctx;
    for staple in ctx.staples {
        let view =
            crate::ocsp::evaluate(staple, leaf.cert, issuer_spki, ctx.verifier, ctx.options.at);
        if view.revoked() {
            out.push(leaf.finding(
                RuleId::ChainRevoked,
                format!(
                    "{} was revoked on {}{} according to the OCSP response ({}).",
                    leaf.name(),
                    view.revoked_at.as_deref().unwrap_or("an unknown date"),
                    view.revocation_reason
                        .as_deref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default(),
                    view.found_in
                ),
            ));
        }
        if !view.problems.is_empty() {
            out.push(leaf.finding(
                RuleId::ChainOcspResponseUnusable,
                format!(
                    "The OCSP response ({}) for {} cannot be relied on: {}",
                    view.found_in,
                    leaf.name(),
                    view.problems.join(" ")
                ),
            ));
        }
    }
}
