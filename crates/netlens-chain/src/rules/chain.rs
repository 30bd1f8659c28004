//! `chain.*`: RFC 5280 §6 path validation: validity dates, signatures along the path, how the
//! path ends, CA and key-usage checks on issuers, EKU chaining, name constraints and depth; and,
//! once the stores have chosen their paths, the chain as sent ([`chain_level`]: order, extra
//! certificates, anchors sent, and the `info.*` advice). Revocation (`chain.revoked`,
//! `chain.crl-invalid`) is in [`crate::crl`].

use const_oid::db::rfc5280 as oid;
use der::Decode;
use x509_cert::ext::pkix::ExtendedKeyUsage;

use crate::catalog::{Profile, RuleId};
use crate::constraints::{self, Constraints, Violation};
use crate::crypto::{HashAlg, Verification};
use crate::finding::Finding;
use crate::model::ChainCert;
use crate::path::{Path, PathEnd};
use crate::store::{AnchorOrigin, TrustStore};
use crate::{Options, Purpose};

use super::{ANY_EKU, CLIENT_AUTH, CT_POISON, Context, Node, SERVER_AUTH, UNDERSTOOD, hash_of};

/// Validity dates (RFC 5280 §6.1.3 (a)(2)) at `now`, for every certificate whose dates we know.
pub(crate) fn validity(node: &Node<'_>, now: i64, out: &mut Vec<Finding>) {
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

pub(crate) fn links(ctx: &Context<'_>, path: &Path, nodes: &[Node<'_>], out: &mut Vec<Finding>) {
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

pub(crate) fn ending(ctx: &Context<'_>, path: &Path, out: &mut Vec<Finding>) {
    let Some(&top_index) = path.certs.last() else {
        return;
    };
    let top = &ctx.certs[top_index];
    let node = Node {
        cert: top,
        anchor_label: None,
    };
    match path.end {
        PathEnd::Anchor(_) | PathEnd::IsAnchor(_) => {
            if path
                .end
                .anchor()
                .and_then(|a| ctx.store.get(a))
                .map(|a| a.origin())
                == Some(AnchorOrigin::User)
                && path.certs.len() == 1
                && top.self_issued()
                && !top.is_ca()
            {
                out.push(
                    node.finding(
                        RuleId::ChainSelfSignedLeaf,
                        format!(
                            "{} is a self-signed certificate with CA:FALSE. You trust it here, but iOS and macOS \
                             only let users trust roots with basicConstraints CA:TRUE.",
                            top.label()
                        ),
                    )
                    .deciding(&[Profile::Apple]),
                );
            }
        }
        PathEnd::SelfSigned => {
            if path.certs.len() == 1 {
                out.push(node.finding(
                    RuleId::ChainSelfSignedLeaf,
                    format!(
                        "{} is self-signed: it vouches for itself, so no client trusts it unless it is installed as a trust anchor.",
                        top.label()
                    ),
                ));
            } else {
                out.push(node.finding(
                    RuleId::ChainUntrustedRoot,
                    format!(
                        "The chain ends at {}, a self-signed root that {}.",
                        top.label(),
                        if ctx.options.builtin_roots {
                            "no root store netlens knows holds (Apple's, Mozilla's, the Chrome Root Store's) and \
                             that is not among your anchors"
                        } else {
                            "is not among your anchors (the compiled-in root stores are turned off)"
                        }
                    ),
                ));
            }
        }
        PathEnd::MissingIssuer => {
            let issuer = &top.details.issuer.rfc4514;
            let urls: Vec<String> = top
                .details
                .authority_info_access
                .as_ref()
                .map(|a| a.ca_issuers.clone())
                .unwrap_or_default();
            let mut message = format!(
                "The issuer of {}, \"{issuer}\", is not in the chain and is not a trusted root.",
                top.label()
            );
            let fix = match urls.first() {
                Some(url) => {
                    message.push_str(&format!(
                        " The certificate says it can be downloaded from {url}."
                    ));
                    format!(
                        "Download the intermediate and serve it after {}: `curl -sSfo issuer.crt {url}` \
                         (convert DER to PEM with `openssl x509 -inform DER -in issuer.crt -out issuer.pem`), then \
                         `cat leaf.pem issuer.pem > fullchain.pem` and point the server at fullchain.pem.",
                        top.label()
                    )
                }
                None => format!(
                    "Get the certificate of \"{issuer}\" from your CA and serve it after {}.",
                    top.label()
                ),
            };
            out.push(
                node.finding(RuleId::ChainMissingIntermediate, message)
                    .fix(fix),
            );
        }
        PathEnd::BadLink => {}
        PathEnd::TooLong => out.push(node.finding(
            RuleId::ChainTooLong,
            format!(
                "No trusted root was reached within {} certificates.",
                crate::path::MAX_PATH_LEN
            ),
        )),
    }
}

pub(crate) fn unknown_critical(node: &Node<'_>, out: &mut Vec<Finding>) {
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

/// Checks on certificates that issued the one below them.
pub(crate) fn issuer_checks(node: &Node<'_>, nodes: &[Node<'_>], i: usize, out: &mut Vec<Finding>) {
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
    if let Some(ku) = &c.details.key_usage
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
pub(crate) fn eku_chaining(ctx: &Context<'_>, node: &Node<'_>, out: &mut Vec<Finding>) {
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

pub(crate) fn name_constraints(
    ctx: &Context<'_>,
    path: &Path,
    nodes: &[Node<'_>],
    out: &mut Vec<Finding>,
) {
    // Constraint sources, by the index of the first node they constrain downward from.
    let mut sources: Vec<(usize, Vec<u8>, String, Option<Node<'_>>)> = Vec::new();
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
    for (j, nc, name, node) in sources {
        let constraints = match Constraints::parse(&nc) {
            Ok(c) => c,
            Err(why) => {
                let f = match node {
                    Some(n) => n.finding(
                        RuleId::X509NameConstraintsInvalid,
                        format!("{name}: {why}."),
                    ),
                    None => Finding::new(
                        RuleId::X509NameConstraintsInvalid,
                        None,
                        format!("{name}: {why}."),
                    ),
                };
                out.push(f);
                continue;
            }
        };
        for (k, below) in nodes.iter().enumerate().take(j) {
            if k > 0 && below.cert.self_issued() {
                continue; // RFC 5280 §6.1.3 (b): self-issued intermediates are not name-checked
            }
            match constraints::check(below.cert, &constraints) {
                Ok(()) => {}
                Err(Violation::TooComplex { .. }) => {
                    let why = constraints::check(below.cert, &constraints)
                        .err()
                        .map(|v| v.to_string())
                        .unwrap_or_default();
                    out.push(below.finding(
                        RuleId::X509NameConstraintsTooComplex,
                        format!(
                            "Checking {} against {name}'s name constraints: {why}.",
                            below.name()
                        ),
                    ));
                }
                Err(v) => out.push(below.finding(
                    RuleId::ChainNameConstraintsViolated,
                    format!(
                        "{}: {v}, under the name constraints of {name}.",
                        below.name()
                    ),
                )),
            }
        }
    }
}

/// The limbo-style limit on logical intermediates (self-issued ones do not count).
pub(crate) fn depth(ctx: &Context<'_>, path: &Path, nodes: &[Node<'_>], out: &mut Vec<Finding>) {
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
            nodes.first().map(|n| n.cert.index),
            format!("The path has {logical} intermediate CAs; at most {max} are allowed."),
        ));
    }
}

/// Findings about the chain as a whole: order, extras, anchors included, revocation pointers.
/// `deploy` holds every store's trusted path: a certificate on any of them is not extra.
pub fn chain_level(
    certs: &[ChainCert],
    store: &TrustStore,
    best: &Path,
    deploy: &[&Path],
    options: &Options,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let on_path: Vec<usize> = best.certs.iter().map(|&i| certs[i].index).collect();
    let on_any_path: Vec<usize> = deploy
        .iter()
        .flat_map(|p| p.certs.iter().map(|&i| certs[i].index))
        .chain(on_path.iter().copied())
        .collect();
    let used_anchors: Vec<usize> = deploy
        .iter()
        .filter_map(|p| p.end.anchor())
        .chain(best.end.anchor())
        .collect();

    // Order: the certificates of the path must come first, leaf first, each followed by its issuer.
    let sent_order: Vec<usize> = {
        let mut v: Vec<usize> = certs.iter().map(|c| c.index).collect();
        v.sort_unstable();
        v
    };
    let path_in_sent_order: Vec<usize> = sent_order
        .iter()
        .copied()
        .filter(|i| on_path.contains(i))
        .collect();
    if path_in_sent_order != on_path || sent_order.first() != on_path.first() {
        let expected: Vec<String> = on_path.iter().map(|i| format!("#{}", i + 1)).collect();
        out.push(
            Finding::new(
                RuleId::ChainWrongOrder,
                on_path.first().copied(),
                format!(
                    "The certificates are sent as {}; a TLS 1.2 server must send the path in order: {}.",
                    sent_order.iter().map(|i| format!("#{}", i + 1)).collect::<Vec<_>>().join(", "),
                    expected.join(", ")
                ),
            )
            .fix(
                "Concatenate leaf first, then each issuer: `cat leaf.pem intermediate.pem > fullchain.pem` \
                 (or use the fixed chain below).",
            ),
        );
    }

    for c in certs {
        if on_any_path.contains(&c.index) {
            continue;
        }
        match store.same_as(c) {
            Some(a) => {
                let used = used_anchors.contains(&a);
                out.push(Finding::new(
                    RuleId::ChainContainsAnchor,
                    Some(c.index),
                    if used {
                        format!(
                            "{} is the trusted root the chain ends at; sending it is unnecessary.",
                            c.label()
                        )
                    } else {
                        format!(
                            "{} is a trusted root that the chosen path does not use.",
                            c.label()
                        )
                    },
                ));
            }
            None => out.push(Finding::new(
                RuleId::ChainExtraCertificate,
                Some(c.index),
                format!(
                    "{} is not on the path from the leaf to the root{}.",
                    c.label(),
                    if c.is_ca() {
                        " (a cross-signed or unrelated CA?)"
                    } else {
                        ""
                    }
                ),
            )),
        }
    }

    // Revocation pointers, as information.
    let mut pointers = Vec::new();
    for &i in &best.certs {
        let c = &certs[i];
        let ocsp = c
            .details
            .authority_info_access
            .as_ref()
            .map(|a| a.ocsp.clone())
            .unwrap_or_default();
        let crl = c.details.crl_distribution_points.clone();
        if !ocsp.is_empty() || !crl.is_empty() {
            let mut parts = Vec::new();
            if !ocsp.is_empty() {
                parts.push(format!("OCSP {}", ocsp.join(", ")));
            }
            if !crl.is_empty() {
                parts.push(format!("CRL {}", crl.join(", ")));
            }
            pointers.push(format!("{}: {}", c.label(), parts.join("; ")));
        }
        if c.details.must_staple {
            pointers.push(format!(
                "{} requires OCSP stapling (Must-Staple): the server must staple a fresh OCSP response.",
                c.label()
            ));
        }
    }
    if !pointers.is_empty() {
        out.push(Finding::new(
            RuleId::InfoRevocationPointers,
            None,
            format!("Revocation can be checked at: {}.", pointers.join(" · ")),
        ));
    }
    if options.purpose == Purpose::ServerAuth {
        out.push(Finding::new(
            RuleId::AtsServerConfiguration,
            None,
            match &options.negotiated {
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
        if options.host.is_none() {
            out.push(Finding::new(
                RuleId::InfoNoHostname,
                None,
                "No host name was given: the certificate's names were not matched against the host clients connect to.",
            ));
        }
    }
    out
}
