//! The chain rules: one module per rule namespace, one check function per rule (or per small
//! family of rules that share their work), and one table, [`REGISTRY`], that says which check
//! makes which rule, when it runs and to what it applies.
//!
//! | ids | module |
//! |---|---|
//! | `chain.*` | [`chain`] (input, path validation, revocation, the chain as sent) |
//! | `x509.*` | [`x509`] |
//! | `cabf.*` | [`cabf`] |
//! | `tls.*` | [`tls`] |
//! | `apple.*`, `ats.*` | [`apple`] |
//! | `trust.*` | [`trust`] |
//! | `info.*` | [`info`] |
//!
//! A check never decides whether it applies: the runner ([`run`]) calls it for its [`Scope`]
//! only where its [`Applicability`] holds (the leaf, issuers, public roots, the purpose…) and
//! only for subjects dated inside its rules' effective dates (catalog data, read at the
//! certificate's notBefore; a check reads the limit in force with [`CertCheck::limit`]).
//! Findings are made here and nowhere else (`tests/architecture.rs` checks): the analyzer
//! builds paths, lets the stores choose and assembles the report.
//!
//! Every check runs on every candidate path, so the path finally shown is simply the one with
//! the fewest errors, and each alternative comes with its own reasons.

pub mod apple;
pub mod cabf;
pub mod chain;
pub mod info;
pub mod tls;
pub mod trust;
pub mod x509;

mod registry;
pub mod run;

pub use registry::{
    Applicability, Check, Position, REGISTRY, Registration, Roots, Scope, registration,
};

use std::cell::OnceCell;

use const_oid::ObjectIdentifier;

use crate::Options;
use crate::catalog::RuleId;
use crate::crl::Crl;
use crate::crypto::{HashAlg, Verifier};
use crate::ct::CtReport;
use crate::finding::Finding;
use crate::model::ChainCert;
use crate::path::{Path, PathEnd};
use crate::store::{Anchor, TrustStore};

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

/// Everything validation looks at, the same for every path.
pub struct Context<'a> {
    /// Deduplicated chain certificates.
    pub certs: &'a [ChainCert],
    /// User-supplied anchor certificates.
    pub anchor_certs: &'a [ChainCert],
    /// The trust store.
    pub store: &'a TrustStore,
    /// The analysis options.
    pub options: &'a Options,
    /// The CRLs supplied.
    pub crls: &'a [Crl],
    /// The OCSP responses stapled or supplied.
    pub staples: &'a [crate::ocsp::Staple],
    /// SCTs delivered beside the certificates, and which deliveries were looked at.
    pub delivered: &'a crate::ct::Delivered,
    /// Verifies CRL signatures (path signatures were verified while building).
    pub verifier: &'a dyn Verifier,
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
pub fn nodes<'a>(ctx: &Context<'a>, path: &Path) -> Vec<Node<'a>> {
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

/// One candidate path, as [`Scope::Path`] checks see it (and [`Scope::Certificate`] checks
/// through [`CertCheck::path`]).
pub struct PathCheck<'a> {
    /// What every path shares.
    pub ctx: &'a Context<'a>,
    /// The path.
    pub path: &'a Path,
    /// Its certificates, leaf first (never empty: the runner skips empty paths).
    pub nodes: Vec<Node<'a>>,
    /// The anchor it ends at, if any.
    pub anchor: Option<&'a Anchor>,
    /// Apple's Certificate Transparency evaluation of the leaf, for a path to a public root.
    pub ct: Option<&'a CtReport>,
    /// Name-constraint outcomes, computed once for the checks that report them.
    constraints: OnceCell<Vec<chain::ConstraintOutcome<'a>>>,
}

impl<'a> PathCheck<'a> {
    /// The path's view for checks; `None` for an empty path.
    pub fn new(ctx: &'a Context<'a>, path: &'a Path, ct: Option<&'a CtReport>) -> Option<Self> {
        let nodes = nodes(ctx, path);
        if nodes.is_empty() {
            return None;
        }
        Some(PathCheck {
            ctx,
            path,
            nodes,
            anchor: path.end.anchor().and_then(|a| ctx.store.get(a)),
            ct,
            constraints: OnceCell::new(),
        })
    }

    /// The leaf.
    pub fn leaf(&self) -> Node<'a> {
        self.nodes[0]
    }

    /// The options.
    pub fn options(&self) -> &'a Options {
        self.ctx.options
    }

    /// Each name-constraint source on the path checked against the certificates below it.
    pub fn constraint_outcomes(&self) -> &[chain::ConstraintOutcome<'a>] {
        self.constraints
            .get_or_init(|| chain::constraint_outcomes(self))
    }
}

/// One certificate of a candidate path, as [`Scope::Certificate`] checks see it.
pub struct CertCheck<'p, 'a> {
    /// The path it is on.
    pub path: &'p PathCheck<'a>,
    /// The certificate.
    pub node: Node<'a>,
    /// Its position in [`PathCheck::nodes`] (0: the leaf).
    pub index: usize,
    /// It is the root of the path: the anchor certificate, or a self-signed top.
    pub is_root: bool,
    /// The moment the rules' effective dates are read at: the certificate's notBefore.
    pub date: i64,
}

impl CertCheck<'_, '_> {
    /// The leaf.
    pub fn is_leaf(&self) -> bool {
        self.index == 0
    }

    /// The last certificate of [`PathCheck::nodes`].
    pub fn is_top(&self) -> bool {
        self.index + 1 == self.path.nodes.len()
    }

    /// A self-signed root of the path (not merely an anchor that is an intermediate).
    pub fn is_self_signed_root(&self) -> bool {
        self.node.cert.self_issued() && self.is_root
    }

    /// The limit `rule` sets for this certificate's date (catalog data; the runner has checked
    /// the rule is in force).
    pub fn limit(&self, rule: RuleId) -> Option<u32> {
        rule.effective().limit_at(self.date)
    }

    /// A finding about this certificate.
    pub fn finding(&self, rule: RuleId, message: impl Into<String>) -> Finding {
        self.node.finding(rule, message)
    }

    /// How findings name it.
    pub fn name(&self) -> String {
        self.node.name()
    }
}

/// The chain as sent, once every store has chosen its path: what [`Scope::Sent`] checks see.
pub struct Sent<'a> {
    /// What every path shares.
    pub ctx: &'a Context<'a>,
    /// Index (into [`Context::certs`]) of the leaf.
    pub leaf: usize,
    /// The path search stopped at its limits.
    pub exhausted: bool,
    /// The path shown (Apple's choice).
    pub primary: &'a Path,
    /// Every store's trusted path, Apple's first.
    pub deploy: &'a [&'a Path],
    /// Each store's choice, in [`netlens_roots::StoreId::ALL`] order.
    pub chosen: &'a [StoreChoice<'a>],
}

/// One store's chosen path.
pub struct StoreChoice<'a> {
    /// The store.
    pub store: netlens_roots::StoreId,
    /// The path it settled on.
    pub path: &'a Path,
    /// It trusts that path.
    pub trusted: bool,
}

/// What was read, before any path is built: what [`Scope::Input`] checks see.
#[derive(Clone, Debug, Default)]
pub struct InputFacts {
    /// Problems the input scanner reported, each with whether it was the anchors' input.
    pub problems: Vec<(netlens_x509::InputProblem, bool)>,
    /// Why the CT log list could not be read.
    pub log_list_error: Option<String>,
    /// Chain certificates that do not parse: position as sent, where, why, DER offset.
    pub unparsed: Vec<Unparsed>,
    /// Anchor certificates that do not parse.
    pub unparsed_anchors: Vec<Unparsed>,
    /// Second copies: (the copy's index as sent, the first copy's label, the copy's label).
    pub duplicates: Vec<(usize, String, String)>,
    /// CRLs that cannot be read: where, and why.
    pub unreadable_crls: Vec<(String, crate::crl::CrlError)>,
    /// SCT lists that cannot be read: where, and why.
    pub unreadable_sct_lists: Vec<(String, String)>,
    /// How many distinct certificates were read.
    pub certificates: usize,
}

/// A certificate that does not parse.
#[derive(Clone, Debug)]
pub struct Unparsed {
    /// Its position in its input (0-based).
    pub index: usize,
    /// Where it was found, in words.
    pub location: String,
    /// The parser's words.
    pub detail: String,
    /// Where in its DER the parser stopped.
    pub der_offset: Option<usize>,
}

fn hash_of(cert: &ChainCert) -> Option<HashAlg> {
    crate::crypto::scheme(cert.cert.signature_algorithm())
        .ok()
        .map(|s| s.hash())
}
