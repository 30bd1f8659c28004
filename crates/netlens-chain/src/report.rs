//! The analysis report: the stable JSON of `netlens chain --json` and of the JS API, and its
//! Markdown rendering.

use std::collections::BTreeMap;
use std::sync::Arc;

use netlens_x509::details::CertificateDetails;
use serde::Serialize;

use crate::catalog::{Profile, RuleId, Severity};
use crate::crypto::Verification;
use crate::ct::{CtReport, LogList};
use crate::finding::Finding;
use crate::model::ChainCert;
use crate::path::{Path, PathEnd};
use crate::store::{AnchorOrigin, TrustStore};
use crate::trust::Assessment;
use crate::{Options, StoreId};

netlens_catalog::string_enum! {
    /// A profile's verdict: `pass` or `fail`.
    pub enum Verdict {
        /// No error finding decides against the profile.
        Pass = "pass",
        /// At least one error finding fails the profile.
        Fail = "fail",
    }
}

netlens_catalog::string_enum! {
    /// What a certificate is in the chain: `leaf`, `intermediate`, `root`, `anchor`, `extra`
    /// (sent but not on the path) or `duplicate` (sent twice).
    pub enum Role {
        /// The server's certificate.
        Leaf = "leaf",
        /// An issuing CA below the top.
        Intermediate = "intermediate",
        /// The self-signed top of the path.
        Root = "root",
        /// A trust anchor of a store or of the user.
        Anchor = "anchor",
        /// Sent but not on the built path.
        Extra = "extra",
        /// A second copy of a certificate sent earlier.
        Duplicate = "duplicate",
    }
}

netlens_catalog::string_enum! {
    /// How a node's signature verified with the next node's key.
    pub enum SignatureState {
        /// It verifies.
        Valid = "valid",
        /// It does not verify.
        Invalid = "invalid",
        /// Its algorithm or key cannot be checked.
        Unsupported = "unsupported",
        /// Nothing to check: the top of the path.
        None = "none",
    }
}

/// The whole analysis.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    /// The moment validity was judged at (RFC 3339).
    pub analyzed_at: String,
    /// The host checked, if any.
    pub host: Option<String>,
    /// Profile id → `pass` | `fail`.
    pub verdicts: BTreeMap<Profile, Verdict>,
    /// Per profile: what it means and which findings decide it.
    pub verdict_details: Vec<VerdictDetail>,
    /// Every finding, errors first.
    pub findings: Vec<Finding>,
    /// The certificates in the order they were sent.
    pub chain_as_sent: Vec<SentCertificate>,
    /// The path chosen, leaf first, ending at the trust anchor when one was reached.
    pub chain_as_built: Vec<BuiltNode>,
    /// The chosen path reaches a trust anchor.
    pub path_trusted: bool,
    /// Other candidate paths (cross-signed roots, alternatives), best first.
    pub alternatives: Vec<AlternativePath>,
    /// The chain to deploy: leaf and needed intermediates, in order, without the root.
    pub fixed_chain: Option<FixedChain>,
    /// Certificate Transparency evaluation of the leaf (public chains).
    pub ct: Option<CtReport>,
    /// What each stapled or supplied OCSP response says about the leaf.
    pub ocsp: Vec<crate::ocsp::OcspView>,
    /// Per root store (`apple`, `mozilla`, `chrome`): does it trust the chain, and why (not).
    pub trust: BTreeMap<StoreId, TrustEntry>,
    /// What the trust stores held.
    pub trust_store: TrustStoreSummary,
    /// Version of the CT log list used, if one was loaded.
    pub ct_log_list: Option<String>,
    /// Every parsed certificate, as sent (the decoder's view).
    pub certificates: Vec<Arc<CertificateDetails>>,
}

/// One profile's verdict.
#[derive(Clone, Debug, Serialize)]
pub struct VerdictDetail {
    /// The profile (serialised as its id).
    pub profile: Profile,
    /// What the profile stands for.
    pub description: &'static str,
    /// The root store it anchors on, with its version (the user's anchors count too).
    pub store: String,
    /// Passed.
    pub pass: bool,
    /// Indexes into `findings` of the findings that fail it.
    pub deciding: Vec<usize>,
}

/// A certificate as sent.
#[derive(Clone, Debug, Serialize)]
pub struct SentCertificate {
    /// Index as sent (0-based).
    pub index: usize,
    /// Label (CN or organization).
    pub label: String,
    /// Subject (RFC 4514).
    pub subject: String,
    /// Issuer (RFC 4514).
    pub issuer: String,
    /// SHA-256 fingerprint.
    pub sha256: String,
    /// Role: `leaf`, `intermediate`, `root`, `anchor`, `extra`, `duplicate`.
    pub role: Role,
    /// Position on the built path (0 = leaf), if on it.
    pub path_position: Option<usize>,
}

/// A node of the built path.
#[derive(Clone, Debug, Serialize)]
pub struct BuiltNode {
    /// Index as sent, for chain certificates.
    pub certificate: Option<usize>,
    /// Label.
    pub label: String,
    /// Subject (RFC 4514).
    pub subject: String,
    /// `leaf`, `intermediate`, `root`, `anchor`.
    pub role: Role,
    /// For anchors: `builtin` or `user`.
    pub anchor_origin: Option<AnchorOrigin>,
    /// For anchors: the compiled-in stores that hold it (`apple`, `mozilla`, `chrome`).
    pub anchor_stores: Vec<StoreId>,
    /// How this node's signature verified with the next node's key: `valid`, `invalid`,
    /// `unsupported`, or `none` for the top.
    pub signature: SignatureState,
    /// Why the signature did not verify.
    pub signature_note: Option<String>,
}

/// An alternative path, summarised.
#[derive(Clone, Debug, Serialize)]
pub struct AlternativePath {
    /// Labels from the leaf up, the anchor last when reached.
    pub nodes: Vec<String>,
    /// Indexes as sent of the chain certificates on it.
    pub certificates: Vec<usize>,
    /// It reaches a trust anchor.
    pub trusted: bool,
    /// How it ends, in words.
    pub ends: String,
    /// Number of error findings on it.
    pub errors: usize,
}

/// The chain to deploy.
#[derive(Clone, Debug, Serialize)]
pub struct FixedChain {
    /// Indexes as sent, in deployment order.
    pub certificates: Vec<usize>,
    /// The PEM to copy.
    pub pem: String,
    /// It differs from what was sent.
    pub differs_from_sent: bool,
    /// The stores it gives a trusted path to (`apple`, `mozilla`, `chrome`); the others need
    /// what the errors say.
    pub serves: Vec<StoreId>,
}

/// One store's verdict on the chain's trust.
#[derive(Clone, Debug, Serialize)]
pub struct TrustEntry {
    /// The store trusts the root the chain reaches, for this leaf.
    pub trusted: bool,
    /// The store: "Apple's trust store".
    pub store: &'static str,
    /// Its version: "2025072000".
    pub version: &'static str,
    /// The clients that use it.
    pub clients: &'static str,
    /// Why (not), in one sentence.
    pub reason: String,
    /// The rule id of the store's decision, when it does not trust the chain for a reason of its
    /// own (`trust.*`).
    pub rule: Option<RuleId>,
    /// The root the store's path reaches, if any.
    pub anchor: Option<String>,
    /// Indexes as sent of the chain certificates on the store's path, leaf first.
    pub certificates: Vec<usize>,
    /// Other errors on that path (expiry, names…), which the findings list.
    pub other_errors: usize,
}

/// The matrix entry for `store` when no path exists.
pub(crate) fn untrusted_entry(store: StoreId, reason: &str) -> TrustEntry {
    let info = store.info();
    TrustEntry {
        trusted: false,
        store: info.name,
        version: info.version,
        clients: info.clients,
        reason: reason.to_owned(),
        rule: None,
        anchor: None,
        certificates: Vec::new(),
        other_errors: 0,
    }
}

/// The matrix entry for `store`, which settled on `path`.
pub(crate) fn trust_entry(
    store_id: StoreId,
    assessment: &Assessment,
    path: &Path,
    certs: &[ChainCert],
    store: &TrustStore,
    path_errors: usize,
) -> TrustEntry {
    TrustEntry {
        trusted: assessment.trusted,
        rule: assessment.findings.first().map(|f| f.rule),
        anchor: path
            .end
            .anchor()
            .and_then(|a| store.get(a))
            .map(|a| a.label.clone()),
        certificates: path.certs.iter().map(|&i| certs[i].index).collect(),
        other_errors: path_errors,
        ..untrusted_entry(store_id, &assessment.reason)
    }
}

/// What the trust stores held.
#[derive(Clone, Debug, Serialize)]
pub struct TrustStoreSummary {
    /// Compiled-in anchors (distinct names and keys, across the stores); 0 when turned off.
    pub builtin_roots: usize,
    /// Anchors supplied by the user.
    pub user_anchors: usize,
    /// Roots per compiled-in store (`apple`, `mozilla`, `chrome`), with its version.
    pub stores: BTreeMap<StoreId, StoreSummary>,
}

/// One compiled-in store.
#[derive(Clone, Debug, Serialize)]
pub struct StoreSummary {
    /// Its version.
    pub version: &'static str,
    /// Number of roots (0 when the compiled-in stores are turned off).
    pub roots: usize,
}

/// The pieces [`assemble`] puts together.
pub(crate) struct Parts<'a> {
    pub options: &'a Options,
    pub sent: &'a [ChainCert],
    pub certs: &'a [ChainCert],
    pub store: &'a TrustStore,
    /// Apple's path: the one shown.
    pub primary: Option<Path>,
    pub others: Vec<(Path, usize)>,
    /// Every store's trusted path, the chain to deploy serves them all.
    pub deploy: Vec<Path>,
    /// One entry per store, in [`StoreId::ALL`] order.
    pub trust: Vec<TrustEntry>,
    pub findings: Vec<Finding>,
    pub ct: Option<CtReport>,
    pub log_list: Option<&'a LogList>,
}

fn signature_state(v: Option<&Verification>) -> (SignatureState, Option<String>) {
    match v {
        Some(Verification::Valid) => (SignatureState::Valid, None),
        Some(Verification::Invalid(why)) => (SignatureState::Invalid, Some(why.clone())),
        Some(Verification::Unsupported(why)) => (SignatureState::Unsupported, Some(why.clone())),
        None => (SignatureState::None, None),
    }
}

/// The stores holding anchor `a`, as ids.
fn anchor_stores(store: &TrustStore, a: usize) -> Vec<StoreId> {
    store
        .get(a)
        .map(|anchor| {
            StoreId::ALL
                .into_iter()
                .filter(|s| anchor.stores & s.bit() != 0)
                .collect()
        })
        .unwrap_or_default()
}

fn end_words(end: PathEnd, store: &TrustStore) -> String {
    match end {
        PathEnd::Anchor(a) | PathEnd::IsAnchor(a) => match store.get(a) {
            Some(anchor) if anchor.origin() == AnchorOrigin::Builtin => {
                format!(
                    "trusted: built-in root \"{}\" ({})",
                    anchor.label,
                    anchor_stores(store, a)
                        .iter()
                        .map(|s| s.id())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
            Some(anchor) => format!("trusted: your anchor \"{}\"", anchor.label),
            None => "trusted".into(),
        },
        PathEnd::SelfSigned => "untrusted self-signed root".into(),
        PathEnd::MissingIssuer => "issuer missing".into(),
        PathEnd::BadLink => "a signature does not verify".into(),
        PathEnd::TooLong => "too long".into(),
    }
}

fn built(path: &Path, certs: &[ChainCert], store: &TrustStore) -> Vec<BuiltNode> {
    let n = path.certs.len();
    let mut nodes: Vec<BuiltNode> = path
        .certs
        .iter()
        .enumerate()
        .map(|(pos, &i)| {
            let c = &certs[i];
            let is_top_root =
                pos + 1 == n && matches!(path.end, PathEnd::SelfSigned | PathEnd::IsAnchor(_));
            let (signature, note) = if is_top_root {
                (SignatureState::None, None)
            } else {
                signature_state(path.links.get(pos))
            };
            BuiltNode {
                certificate: Some(c.index),
                label: c.details.label.clone(),
                subject: c.details.subject.rfc4514.clone(),
                role: if pos == 0 {
                    Role::Leaf
                } else if is_top_root {
                    Role::Root
                } else {
                    Role::Intermediate
                },
                anchor_origin: match path.end {
                    PathEnd::IsAnchor(a) if pos + 1 == n => store.get(a).map(|x| x.origin()),
                    _ => None,
                },
                anchor_stores: match path.end {
                    PathEnd::IsAnchor(a) if pos + 1 == n => anchor_stores(store, a),
                    _ => Vec::new(),
                },
                signature,
                signature_note: note,
            }
        })
        .collect();
    if let PathEnd::Anchor(a) = path.end
        && let Some(anchor) = store.get(a)
    {
        nodes.push(BuiltNode {
            certificate: None,
            label: anchor.label.clone(),
            subject: der::Decode::from_der(&anchor.subject)
                .map(|n: x509_cert::name::Name| {
                    netlens_x509::dn::DistinguishedName::from_name(&n).rfc4514
                })
                .unwrap_or_default(),
            role: Role::Anchor,
            anchor_origin: Some(anchor.origin()),
            anchor_stores: anchor_stores(store, a),
            signature: SignatureState::None,
            signature_note: None,
        });
    }
    nodes
}

pub(crate) fn assemble(parts: Parts<'_>) -> Analysis {
    let Parts {
        options,
        sent,
        certs,
        store,
        primary: best,
        others,
        deploy,
        trust,
        findings,
        ct,
        log_list,
    } = parts;
    let store_of = |p: Profile| match p {
        Profile::Apple => StoreId::Apple,
        Profile::Rfc5280 => options.strict_store,
    };
    let verdicts = verdicts(&findings);
    let verdict_details = Profile::ALL
        .iter()
        .map(|p| {
            let deciding: Vec<usize> = findings
                .iter()
                .enumerate()
                .filter(|(_, f)| f.fails(*p))
                .map(|(i, _)| i)
                .collect();
            let anchored_on = if options.builtin_roots {
                store_of(*p).info().describe()
            } else {
                "no compiled-in store (turned off)".to_owned()
            };
            VerdictDetail {
                profile: *p,
                description: p.description(),
                store: format!("{anchored_on}, and your trust anchors"),
                pass: deciding.is_empty(),
                deciding,
            }
        })
        .collect();

    let on_path: Vec<usize> = best
        .as_ref()
        .map(|p| p.certs.iter().map(|&i| certs[i].index).collect())
        .unwrap_or_default();
    let first_copy: Vec<usize> = certs.iter().map(|c| c.index).collect();
    let chain_as_sent = sent
        .iter()
        .map(|c| {
            let position = on_path.iter().position(|&i| i == c.index);
            let role = if !first_copy.contains(&c.index) {
                Role::Duplicate
            } else if store.same_as(c).is_some() {
                Role::Anchor
            } else {
                match position {
                    Some(0) => Role::Leaf,
                    Some(p) if p + 1 == on_path.len() && c.self_issued() => Role::Root,
                    Some(_) => Role::Intermediate,
                    None => Role::Extra,
                }
            };
            SentCertificate {
                index: c.index,
                label: c.details.label.clone(),
                subject: c.details.subject.rfc4514.clone(),
                issuer: c.details.issuer.rfc4514.clone(),
                sha256: c.details.fingerprints.sha256.clone(),
                role,
                path_position: position,
            }
        })
        .collect();

    let chain_as_built = best
        .as_ref()
        .map(|p| built(p, certs, store))
        .unwrap_or_default();
    let path_trusted = best.as_ref().is_some_and(|p| p.end.is_trusted());
    // The chain to deploy: Apple's trusted path, then what other stores' paths add, roots left
    // out (clients have them).
    let serves: Vec<StoreId> = StoreId::ALL
        .into_iter()
        .zip(&trust)
        .filter(|(_, t)| t.trusted)
        .map(|(s, _)| s)
        .collect();
    let fixed_chain = (!deploy.is_empty()).then(|| {
        let mut indexes: Vec<usize> = Vec::new();
        let mut pem = String::new();
        for p in &deploy {
            let mut serve: &[usize] = &p.certs;
            if matches!(p.end, PathEnd::IsAnchor(_)) && serve.len() > 1 {
                serve = &serve[..serve.len() - 1]; // the anchor itself is not sent
            }
            for &i in serve {
                if !indexes.contains(&certs[i].index) {
                    indexes.push(certs[i].index);
                    pem.push_str(&certs[i].details.pem);
                }
            }
        }
        let sent_order: Vec<usize> = sent.iter().map(|c| c.index).collect();
        FixedChain {
            differs_from_sent: sent_order != indexes,
            certificates: indexes,
            pem,
            serves: serves.clone(),
        }
    });
    let alternatives = others
        .into_iter()
        .take(8)
        .map(|(p, errors)| AlternativePath {
            nodes: built(&p, certs, store)
                .into_iter()
                .map(|n| n.label)
                .collect(),
            certificates: p.certs.iter().map(|&i| certs[i].index).collect(),
            trusted: p.end.is_trusted(),
            ends: end_words(p.end, store),
            errors,
        })
        .collect();

    Analysis {
        analyzed_at: netlens_x509::time::rfc3339_from_unix(options.at),
        host: options.host.as_ref().map(ToString::to_string),
        verdicts,
        verdict_details,
        findings,
        chain_as_sent,
        chain_as_built,
        path_trusted,
        alternatives,
        fixed_chain,
        ct,
        ocsp: Vec::new(),
        trust: StoreId::ALL.into_iter().zip(trust).collect(),
        trust_store: TrustStoreSummary {
            builtin_roots: store.builtin_count(),
            user_anchors: store.user_count(),
            stores: StoreId::ALL
                .into_iter()
                .map(|s| {
                    (
                        s,
                        StoreSummary {
                            version: s.info().version,
                            roots: if options.builtin_roots {
                                options.trust_data.roots_of(s).count()
                            } else {
                                0
                            },
                        },
                    )
                })
                .collect(),
        },
        ct_log_list: log_list.map(|l| l.info.version.clone()),
        certificates: sent.iter().map(|c| Arc::clone(&c.details)).collect(),
    }
}

impl Analysis {
    /// The report as Markdown (for tickets and pull requests).
    pub fn to_markdown(&self) -> String {
        let mut md = String::from("# netlens chain analysis\n\n");
        md.push_str(&format!(
            "Analyzed at {}{}.\n\n",
            self.analyzed_at,
            self.host
                .as_ref()
                .map(|h| format!(" for host `{h}`"))
                .unwrap_or_default()
        ));
        md.push_str("| Profile | Verdict | Anchored on |\n|---|---|---|\n");
        for v in &self.verdict_details {
            md.push_str(&format!(
                "| {} ({}) | {} | {} |\n",
                v.profile,
                v.description,
                if v.pass { "**pass**" } else { "**fail**" },
                v.store
            ));
        }
        md.push_str(
            "\n## Trust by root store\n\n| Store | Version | Trusted | Why |\n|---|---|---|---|\n",
        );
        for store in StoreId::ALL {
            if let Some(t) = self.trust.get(&store) {
                md.push_str(&format!(
                    "| {} | {} | {} | {} |\n",
                    t.store,
                    t.version,
                    if t.trusted { "yes" } else { "**no**" },
                    t.reason.replace('|', "\\|")
                ));
            }
        }
        md.push_str("\n## Chain as sent\n\n");
        for c in &self.chain_as_sent {
            md.push_str(&format!(
                "{}. {} ({}): `{}`\n",
                c.index + 1,
                c.label,
                c.role,
                c.subject
            ));
        }
        md.push_str("\n## Chain as built\n\n");
        for (i, n) in self.chain_as_built.iter().enumerate() {
            let sig = match n.signature {
                SignatureState::None => String::new(),
                s => format!(", signature {s}"),
            };
            md.push_str(&format!("{}. {} ({}{sig})\n", i + 1, n.label, n.role));
        }
        for severity in Severity::MOST_SERIOUS_FIRST {
            let list: Vec<&Finding> = self
                .findings
                .iter()
                .filter(|f| f.severity == severity)
                .collect();
            if list.is_empty() {
                continue;
            }
            md.push_str(&format!("\n## {}\n\n", severity.heading()));
            for f in list {
                let about = f
                    .certificate
                    .map(|i| format!(" (certificate #{})", i + 1))
                    .or_else(|| f.anchor.as_ref().map(|a| format!(" (anchor {a})")))
                    .unwrap_or_default();
                md.push_str(&format!("- **`{}`**{about}: {}\n", f.rule, f.message));
                md.push_str(&format!("  - Source: {}\n  - Fix: {}\n", f.source, f.fix));
            }
        }
        if let Some(fixed) = &self.fixed_chain {
            md.push_str(&format!(
                "\n## Chain to deploy\n\nTrusted by: {}.\n\n```\n",
                fixed
                    .serves
                    .iter()
                    .map(|s| s.id())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            md.push_str(&fixed.pem);
            md.push_str("```\n");
        }
        md
    }
}

/// Per-profile verdicts from findings: a profile fails when any error finding decides it.
pub fn verdicts(findings: &[Finding]) -> BTreeMap<Profile, Verdict> {
    Profile::ALL
        .iter()
        .map(|p| {
            let verdict = if findings.iter().any(|f| f.fails(*p)) {
                Verdict::Fail
            } else {
                Verdict::Pass
            };
            (*p, verdict)
        })
        .collect()
}
