//! The chain rules, one module per rule namespace, so a rule's code is found from its id:
//!
//! | ids | module |
//! |---|---|
//! | `chain.*` | [`chain`] (path validation and the chain as sent; revocation in [`crate::crl`]) |
//! | `x509.*` | [`x509`] |
//! | `cabf.*` | [`cabf`] |
//! | `tls.*` | [`tls`] |
//! | `apple.*`, `ats.*`, `info.private-root` | [`apple`] |
//! | `trust.*` | [`trust`] (`trust.store-paths-differ` in `analyzer.rs`, which compares the stores' chosen paths) |
//! | `info.*` | [`chain::chain_level`] (advice about the input as a whole); `info.private-root` in [`apple`] |
//!
//! This module validates one candidate path ([`validate`]): it runs the per-path rules of
//! [`chain`], [`x509`], [`cabf`] and [`tls`] in order.
//!
//! Every check runs on every candidate path, so the path finally shown is simply the one with
//! the fewest errors, and each alternative comes with its own reasons.

pub mod apple;
pub mod cabf;
pub mod chain;
pub mod tls;
pub mod trust;
pub mod x509;

use const_oid::ObjectIdentifier;

use crate::Options;
use crate::catalog::RuleId;
use crate::crypto::HashAlg;
use crate::finding::Finding;
use crate::model::ChainCert;
use crate::path::{Path, PathEnd};
use crate::store::TrustStore;

const SERVER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
const CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
const ANY_EKU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");
const AIA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.1");
const CT_POISON: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.3");

/// Extensions a client understands well enough that marking them critical is fine.
const UNDERSTOOD: &[&str] = &[
    "2.5.29.14",         // subjectKeyIdentifier
    "2.5.29.15",         // keyUsage
    "2.5.29.17",         // subjectAltName
    "2.5.29.18",         // issuerAltName
    "2.5.29.19",         // basicConstraints
    "2.5.29.30",         // nameConstraints
    "2.5.29.31",         // cRLDistributionPoints
    "2.5.29.32",         // certificatePolicies
    "2.5.29.33",         // policyMappings
    "2.5.29.35",         // authorityKeyIdentifier
    "2.5.29.36",         // policyConstraints
    "2.5.29.37",         // extendedKeyUsage
    "2.5.29.54",         // inhibitAnyPolicy
    "1.3.6.1.5.5.7.1.1", // authorityInfoAccess
];

/// Everything validation looks at.
pub struct Context<'a> {
    /// Deduplicated chain certificates.
    pub certs: &'a [ChainCert],
    /// User-supplied anchor certificates.
    pub anchor_certs: &'a [ChainCert],
    /// The trust store.
    pub store: &'a TrustStore,
    /// The analysis options.
    pub options: &'a Options,
}

/// A certificate of the path with what findings need to name it.
#[derive(Clone, Copy)]
pub struct Node<'a> {
    /// The certificate.
    pub cert: &'a ChainCert,
    /// Set when this is a user-supplied anchor certificate rather than a chain certificate:
    /// findings then name the anchor instead of a chain position.
    pub anchor_label: Option<&'a str>,
}

impl Node<'_> {
    /// A finding about this node.
    pub fn finding(&self, rule: RuleId, message: impl Into<String>) -> Finding {
        match self.anchor_label {
            Some(label) => Finding::new(rule, None, message).about_anchor(label),
            None => Finding::new(rule, Some(self.cert.index), message),
        }
    }

    /// "#2 (Example CA)" or "trust anchor \"Example Root\"".
    pub fn name(&self) -> String {
        match self.anchor_label {
            Some(label) => format!("trust anchor \"{label}\""),
            None => self.cert.label(),
        }
    }
}

/// The full certificates of a path, leaf first, ending with the anchor's certificate when it is
/// known (a user anchor). A built-in anchor has no certificate: only its name and key.
pub fn nodes<'a>(ctx: &'a Context<'a>, path: &Path) -> Vec<Node<'a>> {
    let mut out: Vec<Node<'a>> = path
        .certs
        .iter()
        .map(|&i| Node {
            cert: &ctx.certs[i],
            anchor_label: None,
        })
        .collect();
    if let PathEnd::Anchor(a) = path.end
        && let Some(anchor) = ctx.store.get(a)
        && let Some(cert) = anchor.cert.and_then(|ci| ctx.anchor_certs.get(ci))
    {
        out.push(Node {
            cert,
            anchor_label: Some(&anchor.label),
        });
    }
    out
}

fn hash_of(cert: &ChainCert) -> Option<HashAlg> {
    crate::crypto::scheme(cert.cert.signature_algorithm())
        .ok()
        .map(|s| s.hash())
}

/// Validates `path`, returning its findings.
pub fn validate(ctx: &Context<'_>, path: &Path) -> Vec<Finding> {
    let mut out = Vec::new();
    let nodes = nodes(ctx, path);
    let Some(leaf) = nodes.first().copied() else {
        return out;
    };
    let now = ctx.options.at;

    chain::links(ctx, path, &nodes, &mut out);
    chain::ending(ctx, path, &mut out);

    for (i, node) in nodes.iter().enumerate() {
        chain::validity(node, now, &mut out);
        chain::unknown_critical(node, &mut out);
        let root = is_root(node, i, &nodes, path);
        x509::structure(node, i == 0, root, &mut out);
        cabf::profile(node, i == 0, root, &mut out);
        if i == 0 {
            tls::leaf_names(node, &mut out);
        }
        if i > 0 {
            chain::issuer_checks(node, &nodes, i, &mut out);
            if !root {
                chain::eku_chaining(ctx, node, &mut out);
            }
        }
    }

    chain::name_constraints(ctx, path, &nodes, &mut out);
    tls::leaf_checks(ctx, leaf, &mut out);
    chain::depth(ctx, path, &nodes, &mut out);
    out
}

/// Whether `nodes[i]` is the root of the path: the anchor certificate, or a self-signed top.
fn is_root(node: &Node<'_>, i: usize, nodes: &[Node<'_>], path: &Path) -> bool {
    let last = i + 1 == nodes.len();
    node.anchor_label.is_some()
        || (last
            && node.cert.self_issued()
            && matches!(path.end, PathEnd::SelfSigned | PathEnd::IsAnchor(_)))
}
