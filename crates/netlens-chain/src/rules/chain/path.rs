//! `chain.*` on each candidate path: RFC 5280 §6 path validation: validity dates, signatures along
//! the path, how the path ends, CA and key-usage checks on issuers, EKU chaining, name
//! constraints and depth.

use const_oid::db::rfc5280 as oid;
use der::Decode;
use x509_cert::ext::pkix::ExtendedKeyUsage;

use crate::Purpose;
use crate::catalog::{Profile, RuleId};
use crate::constraints::{self, Constraints, ConstraintsError, Violation};
use crate::crypto::{HashAlg, Verification};
use crate::finding::Finding;
use crate::path::PathEnd;
use crate::store::AnchorOrigin;

use crate::rules::{
    ANY_EKU, CLIENT_AUTH, CT_POISON, CertCheck, Node, PathCheck, SERVER_AUTH, UNDERSTOOD, hash_of,
};

/// Validity dates (RFC 5280 §6.1.3 (a)(2)) at `now`, for every certificate whose dates we know.
pub fn validity(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let node = &cx.node;
    let now = cx.path.options().at;
    let c = node.cert;
    let (nb, na) = c.validity();
    if now > na {
        out.push(node.finding(
            RuleId::ChainExpired,
            format!(
                "{} expired on {} ({}).",
                node.name(),
                c.details.validity.not_after,
                netlens_x509::time::ValidityInfo::new(
                    &c.cert.tbs_certificate().validity().not_before,
                    &c.cert.tbs_certificate().validity().not_after,
                    now
                )
                .relative
            ),
        ));
    } else if now < nb {
        out.push(node.finding(
            RuleId::ChainNotYetValid,
            format!(
                "{} is not valid before {}.",
                node.name(),
                c.details.validity.not_before
            ),
        ));
    }
}

/// Each link's signature (verified while building): invalid, unverifiable, SHA-1; and key
/// identifiers that disagree although the signature verifies.
pub fn links(p: &PathCheck<'_>, out: &mut Vec<Finding>) {
    let (ctx, path, nodes) = (p.ctx, p.path, &p.nodes);
    for (i, v) in path.links.iter().enumerate() {
        let Some(child) = nodes.get(i) else { continue };
        // The self-signature of an untrusted root proves nothing either way.
        let self_signature = i + 1 == path.links.len() && path.end == PathEnd::SelfSigned;
        if self_signature && i > 0 {
            continue;
        }
        let issuer_name = match path.certs.get(i + 1) {
            Some(&j) => ctx.certs[j].label(),
            None => match path.end.anchor().and_then(|a| ctx.store.get(a)) {
                Some(a) => format!("trust anchor \"{}\"", a.label),
                None => "itself".to_owned(),
            },
        };
        match v {
            Verification::Valid => {
                let issuer_ski = nodes.get(i + 1).and_then(|n| n.cert.ski.as_ref());
                if let (Some(aki), Some(ski)) = (&child.cert.aki, issuer_ski)
                    && aki != ski
                    && !self_signature
                {
                    out.push(child.finding(
                        RuleId::ChainAkiSkiMismatch,
                        format!(
                            "{}'s authority key identifier ({}) differs from {issuer_name}'s subject key identifier ({}), \
                             although the signature verifies.",
                            child.name(),
                            netlens_x509::hex::colon(aki),
                            netlens_x509::hex::colon(ski)
                        ),
                    ));
                }
                let hash = hash_of(child.cert);
                if matches!(hash, Some(HashAlg::Sha1)) {
                    out.push(
                        child
                            .finding(
                                RuleId::ChainWeakSignature,
                                format!(
                                    "{} is signed with SHA-1 by {issuer_name}. The signature verifies, but SHA-1 \
                                     collisions are practical and browsers reject it.",
                                    child.name()
                                ),
                            ),
                    );
                }
            }
            Verification::Invalid(why) => out.push(child.finding(
                RuleId::ChainSignatureInvalid,
                format!(
                    "{}'s signature does not verify with {issuer_name}'s key: {why}.",
                    child.name()
                ),
            )),
            Verification::Unsupported(why) => out.push(child.finding(
                RuleId::ChainUnsupportedAlgorithm,
                format!(
                    "{}'s signature by {issuer_name} cannot be checked: {why}.",
                    child.name()
                ),
            )),
        }
    }
}

/// How the path ends: a self-signed leaf, an untrusted root, a missing issuer.
pub fn ending(p: &PathCheck<'_>, out: &mut Vec<Finding>) {
    let (ctx, path) = (p.ctx, p.path);
    let Some(&top_index) = path.certs.last() else {
        return;
    };
    let top = Node {
        cert: &ctx.certs[top_index],
        anchor_label: None,
    };
    let finding = match path.end {
        PathEnd::Anchor(_) | PathEnd::IsAnchor(_) => trusted_self_signed_leaf(p, top),
        PathEnd::SelfSigned => Some(self_signed_end(p, top)),
        PathEnd::MissingIssuer => Some(missing_issuer(top)),
        PathEnd::BadLink | PathEnd::TooLong => None,
    };
    out.extend(finding);
}

/// A self-signed CA:FALSE leaf the user trusts: fine here, impossible to trust on iOS.
fn trusted_self_signed_leaf(p: &PathCheck<'_>, top: Node<'_>) -> Option<Finding> {
    let user_anchor = p.anchor.map(|a| a.origin()) == Some(AnchorOrigin::User);
    let cert = top.cert;
    if !(user_anchor && p.path.certs.len() == 1 && cert.self_issued() && !cert.is_ca()) {
        return None;
    }
    Some(
        top.finding(
            RuleId::ChainSelfSignedLeaf,
            format!(
                "{} is a self-signed certificate with CA:FALSE. You trust it here, but iOS and macOS \
                 only let users trust roots with basicConstraints CA:TRUE.",
                cert.label()
            ),
        )
        .deciding(&[Profile::Apple]),
    )
}

/// The path ends at a self-signed certificate no store or anchor holds.
fn self_signed_end(p: &PathCheck<'_>, top: Node<'_>) -> Finding {
    if p.path.certs.len() == 1 {
        return top.finding(
            RuleId::ChainSelfSignedLeaf,
            format!(
                "{} is self-signed: it vouches for itself, so no client trusts it unless it is installed as a trust anchor.",
                top.cert.label()
            ),
        );
    }
    top.finding(
        RuleId::ChainUntrustedRoot,
        format!(
            "The chain ends at {}, a self-signed root that {}.",
            top.cert.label(),
            if p.options().builtin_roots {
                "no root store netlens knows holds (Apple's, Mozilla's, the Chrome Root Store's) and \
                 that is not among your anchors"
            } else {
                "is not among your anchors (the compiled-in root stores are turned off)"
            }
        ),
    )
}

/// The issuer of the top certificate is neither sent nor trusted; its AIA says where it is.
fn missing_issuer(top: Node<'_>) -> Finding {
    let cert = top.cert;
    let issuer = &cert.details.issuer.rfc4514;
    let url = cert
        .details
        .authority_info_access
        .as_ref()
        .and_then(|a| a.ca_issuers.first().cloned());
    let mut message = format!(
        "The issuer of {}, \"{issuer}\", is not in the chain and is not a trusted root.",
        cert.label()
    );
    let fix = match url {
        Some(url) => {
            message.push_str(&format!(
                " The certificate says it can be downloaded from {url}."
            ));
            format!(
                "Download the intermediate and serve it after {}: `curl -sSfo issuer.crt {url}` \
                 (convert DER to PEM with `openssl x509 -inform DER -in issuer.crt -out issuer.pem`), then \
                 `cat leaf.pem issuer.pem > fullchain.pem` and point the server at fullchain.pem.",
                cert.label()
            )
        }
        None => format!(
            "Get the certificate of \"{issuer}\" from your CA and serve it after {}.",
            cert.label()
        ),
    };
    top.finding(RuleId::ChainMissingIntermediate, message)
        .fix(fix)
}

/// Critical extensions clients do not understand, and precertificates.
pub fn unknown_critical(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let node = &cx.node;
    for ext in node.cert.extensions() {
        if !ext.critical {
            continue;
        }
        let id = ext.extn_id.to_string();
        if ext.extn_id == CT_POISON {
            out.push(node.finding(
                RuleId::ChainUnknownCriticalExtension,
                format!(
                    "{} is a Certificate Transparency precertificate (critical poison extension), not the certificate the CA issued.",
                    node.name()
                ),
            ).fix("Use the final certificate the CA issued after logging, not the precertificate."));
        } else if !UNDERSTOOD.contains(&id.as_str()) {
            out.push(node.finding(
                RuleId::ChainUnknownCriticalExtension,
                format!(
                    "{} has a critical extension clients do not know: {} ({id}).",
                    node.name(),
                    netlens_x509::oids::long_name(&ext.extn_id)
                ),
            ));
        }
    }
}

/// basicConstraints of a certificate that issued the one below it: a CA, within its
/// pathLenConstraint.
pub fn issuer_is_ca(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let (node, nodes, i) = (&cx.node, &cx.path.nodes, cx.index);
    let c = node.cert;
    let subordinate = nodes[i - 1].name();
    match &c.details.basic_constraints {
        Some(bc) if bc.ca => {
            // pathLenConstraint: non-self-issued intermediates below this CA (RFC 5280 §6.1.4 (l)).
            if let Some(limit) = bc.path_len {
                let below = (1..i).filter(|&k| !nodes[k].cert.self_issued()).count();
                if below > usize::from(limit) {
                    out.push(node.finding(
                        RuleId::ChainPathLengthExceeded,
                        format!(
                            "{} allows {limit} intermediate CA(s) below it (pathLenConstraint), but the chain has {below}.",
                            node.name()
                        ),
                    ));
                }
            }
        }
        _ => out.push(node.finding(
            RuleId::ChainIssuerNotCa,
            format!(
                "{} issued {subordinate} but is not a CA: {}.",
                node.name(),
                if c.details.version < 3 {
                    "it is a v1/v2 certificate, which cannot carry basicConstraints".to_owned()
                } else if c.details.basic_constraints.is_none() {
                    "it has no basicConstraints extension".to_owned()
                } else {
                    "its basicConstraints say cA=FALSE".to_owned()
                }
            ),
        )),
    }
}

/// The key usage of a certificate that issued the one below it allows keyCertSign.
pub fn issuer_key_cert_sign(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let node = &cx.node;
    let subordinate = cx.path.nodes[cx.index - 1].name();
    if let Some(ku) = &node.cert.details.key_usage
        && !ku.usages.contains(&"keyCertSign")
    {
        out.push(node.finding(
            RuleId::ChainIssuerMissingKeycertsign,
            format!(
                "{} issued {subordinate}, but its key usage ({}) does not include keyCertSign.",
                node.name(),
                ku.usages.join(", ")
            ),
        ));
    }
}

/// EKU chaining: an intermediate whose extended key usage neither lists the leaf's purpose nor
/// anyExtendedKeyUsage cannot vouch for that purpose. RFC 5280 defines EKU for the end entity
/// only, but every major validator (Apple, Chrome's BoringSSL, Go, rustls-webpki, pyca) applies
/// it down the path, and the BRs require TLS subordinate CAs to carry serverAuth. An intermediate
/// without the extension is unrestricted. Roots are not checked: a trust anchor is a name and a
/// key.
pub fn eku_chaining(cx: &CertCheck<'_, '_>, out: &mut Vec<Finding>) {
    let (ctx, node) = (cx.path.ctx, &cx.node);
    let Some(list) = node
        .cert
        .extension(&oid::ID_CE_EXT_KEY_USAGE)
        .and_then(|e| ExtendedKeyUsage::from_der(e.extn_value.as_bytes()).ok())
    else {
        return;
    };
    let (wanted, purpose) = match ctx.options.purpose {
        Purpose::ServerAuth => (SERVER_AUTH, "TLS server authentication (serverAuth)"),
        Purpose::ClientAuth => (CLIENT_AUTH, "TLS client authentication (clientAuth)"),
    };
    if list.0.contains(&wanted) || list.0.contains(&ANY_EKU) {
        return;
    }
    let names: Vec<String> = list.0.iter().map(netlens_x509::oids::short_name).collect();
    out.push(node.finding(
        RuleId::ChainCaEkuMismatch,
        format!(
            "{}'s extended key usage ({}) does not allow {purpose}, so clients refuse the certificates it issues for it.",
            node.name(),
            if names.is_empty() { "empty".to_owned() } else { names.join(", ") }
        ),
    ));
}

/// One name-constraint source on a path, checked against every certificate below it.
pub enum ConstraintOutcome<'a> {
    /// The source's constraints cannot be read.
    Unreadable {
        /// The certificate that carries them (`None` for a built-in anchor).
        source: Option<Node<'a>>,
        /// How findings name the source.
        name: String,
        /// Why.
        why: ConstraintsError,
    },
    /// A certificate below the source, checked.
    Checked {
        /// The certificate checked.
        below: Node<'a>,
        /// How findings name the source.
        name: String,
        /// The result.
        result: Result<(), Violation>,
    },
}

/// Every name-constraint source on the path (CA certificates, then a built-in anchor's
/// constraints) against the certificates below it; self-issued intermediates are not checked
/// (RFC 5280 §6.1.3 (b)).
pub fn constraint_outcomes<'a>(p: &PathCheck<'a>) -> Vec<ConstraintOutcome<'a>> {
    let (ctx, path, nodes) = (p.ctx, p.path, &p.nodes);
    // Constraint sources, by the index of the first node they constrain downward from.
    let mut sources: Vec<(usize, Vec<u8>, String, Option<Node<'a>>)> = Vec::new();
    for (j, node) in nodes.iter().enumerate().skip(1) {
        if let Some(nc) = node.cert.extension(&oid::ID_CE_NAME_CONSTRAINTS) {
            sources.push((
                j,
                nc.extn_value.as_bytes().to_vec(),
                node.name(),
                Some(*node),
            ));
        }
    }
    if let PathEnd::Anchor(a) = path.end
        && let Some(anchor) = ctx.store.get(a)
        && anchor.cert.is_none()
        && let Some(nc) = &anchor.name_constraints
    {
        sources.push((
            nodes.len(),
            nc.clone(),
            format!("trust anchor \"{}\"", anchor.label),
            None,
        ));
    }
    let mut out = Vec::new();
    for (j, nc, name, source) in sources {
        let constraints = match Constraints::parse(&nc) {
            Ok(c) => c,
            Err(why) => {
                out.push(ConstraintOutcome::Unreadable { source, name, why });
                continue;
            }
        };
        for (k, below) in nodes.iter().enumerate().take(j) {
            if k > 0 && below.cert.self_issued() {
                continue;
            }
            out.push(ConstraintOutcome::Checked {
                below: *below,
                name: name.clone(),
                result: constraints::check(below.cert, &constraints),
            });
        }
    }
    out
}

/// Names outside the constraints of a CA above them.
pub fn name_constraints(p: &PathCheck<'_>, out: &mut Vec<Finding>) {
    for outcome in p.constraint_outcomes() {
        if let ConstraintOutcome::Checked {
            below,
            name,
            result: Err(v),
        } = outcome
            && !matches!(v, Violation::TooComplex { .. })
        {
            out.push(below.finding(
                RuleId::ChainNameConstraintsViolated,
                format!(
                    "{}: {v}, under the name constraints of {name}.",
                    below.name()
                ),
            ));
        }
    }
}

/// Too many certificates: no root within the path length clients follow, or more logical
/// intermediates than the caller allows (self-issued ones do not count).
pub fn too_long(p: &PathCheck<'_>, out: &mut Vec<Finding>) {
    let (ctx, path) = (p.ctx, p.path);
    if path.end == PathEnd::TooLong
        && let Some(&top) = path.certs.last()
    {
        let node = Node {
            cert: &ctx.certs[top],
            anchor_label: None,
        };
        out.push(node.finding(
            RuleId::ChainTooLong,
            format!(
                "No trusted root was reached within {} certificates.",
                crate::path::MAX_PATH_LEN
            ),
        ));
    }
    let Some(max) = ctx.options.max_intermediates else {
        return;
    };
    let mut intermediates: Vec<usize> = path.certs.iter().copied().skip(1).collect();
    if matches!(path.end, PathEnd::IsAnchor(_) | PathEnd::SelfSigned) {
        intermediates.pop();
    }
    let logical = intermediates
        .iter()
        .filter(|&&i| !ctx.certs[i].self_issued())
        .count();
    if logical > max {
        out.push(Finding::new(
            RuleId::ChainTooLong,
            Some(p.leaf().cert.index),
            format!("The path has {logical} intermediate CAs; at most {max} are allowed."),
        ));
    }
}
