//! The analysis report: the stable JSON of `netlens chain --json` and of the JS API, and its
//! Markdown rendering.

use std::collections::BTreeMap;

use netlens_x509::details::CertificateDetails;
use serde::Serialize;

use crate::catalog::{Profile, Severity};
use crate::crypto::Verification;
use crate::ct::{CtReport, LogList};
use crate::finding::Finding;
use crate::model::ChainCert;
use crate::path::{Path, PathEnd};
use crate::store::{AnchorOrigin, TrustStore};
use crate::{Options, verdicts};

/// The whole analysis.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    /// The moment validity was judged at (RFC 3339).
    pub analyzed_at: String,
    /// The host checked, if any.
    pub host: Option<String>,
    /// Profile id → "pass" | "fail".
    pub verdicts: BTreeMap<String, String>,
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
    /// What the trust store held.
    pub trust_store: TrustStoreSummary,
    /// Version of the CT log list used, if one was loaded.
    pub ct_log_list: Option<String>,
    /// Every parsed certificate, as sent (the decoder's view).
    pub certificates: Vec<CertificateDetails>,
}

/// One profile's verdict.
#[derive(Clone, Debug, Serialize)]
pub struct VerdictDetail {
    /// Profile id.
    pub profile: &'static str,
    /// What the profile stands for.
    pub description: &'static str,
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
    pub role: &'static str,
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
    pub role: &'static str,
    /// For anchors: `builtin` or `user`.
    pub anchor_origin: Option<AnchorOrigin>,
    /// How this node's signature verified with the next node's key: `valid`, `invalid`,
    /// `unsupported`, or `none` for the top.
    pub signature: &'static str,
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
}

/// What the trust store held.
#[derive(Clone, Debug, Serialize)]
pub struct TrustStoreSummary {
    /// Built-in (Mozilla) roots.
    pub builtin_roots: usize,
    /// Anchors supplied by the user.
    pub user_anchors: usize,
}

/// The pieces [`assemble`] puts together.
pub(crate) struct Parts<'a> {
    pub options: &'a Options,
    pub sent: &'a [ChainCert],
    pub certs: &'a [ChainCert],
    pub store: &'a TrustStore,
    pub best: Option<Path>,
    pub others: Vec<(Path, usize)>,
    pub findings: Vec<Finding>,
    pub ct: Option<CtReport>,
    pub log_list: Option<&'a LogList>,
}

fn signature_word(v: Option<&Verification>) -> (&'static str, Option<String>) {
    match v {
        Some(Verification::Valid) => ("valid", None),
        Some(Verification::Invalid(why)) => ("invalid", Some(why.clone())),
        Some(Verification::Unsupported(why)) => ("unsupported", Some(why.clone())),
        None => ("none", None),
    }
}

fn end_words(end: PathEnd, store: &TrustStore) -> String {
    match end {
        PathEnd::Anchor(a) | PathEnd::IsAnchor(a) => match store.get(a) {
            Some(anchor) if anchor.origin == AnchorOrigin::Builtin => {
                format!("trusted: built-in root \"{}\"", anchor.label)
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
                ("none", None)
            } else {
                signature_word(path.links.get(pos))
            };
            BuiltNode {
                certificate: Some(c.index),
                label: c.details.label.clone(),
                subject: c.details.subject.rfc4514.clone(),
                role: if pos == 0 {
                    "leaf"
                } else if is_top_root {
                    "root"
                } else {
                    "intermediate"
                },
                anchor_origin: match path.end {
                    PathEnd::IsAnchor(a) if pos + 1 == n => store.get(a).map(|x| x.origin),
                    _ => None,
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
            role: "anchor",
            anchor_origin: Some(anchor.origin),
            signature: "none",
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
        best,
        others,
        findings,
        ct,
        log_list,
    } = parts;
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
            VerdictDetail {
                profile: p.id(),
                description: p.description(),
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
                "duplicate"
            } else if store.same_as(c).is_some() {
                "anchor"
            } else {
                match position {
                    Some(0) => "leaf",
                    Some(p) if p + 1 == on_path.len() && c.self_issued() => "root",
                    Some(_) => "intermediate",
                    None => "extra",
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
    let fixed_chain = best.as_ref().filter(|p| p.end.is_trusted()).map(|p| {
        let mut deploy: Vec<usize> = p.certs.clone();
        if matches!(p.end, PathEnd::IsAnchor(_)) && deploy.len() > 1 {
            deploy.pop(); // the anchor itself is not sent
        }
        let indexes: Vec<usize> = deploy.iter().map(|&i| certs[i].index).collect();
        let pem: String = deploy
            .iter()
            .map(|&i| certs[i].details.pem.clone())
            .collect();
        let sent_order: Vec<usize> = sent.iter().map(|c| c.index).collect();
        FixedChain {
            differs_from_sent: sent_order != indexes,
            certificates: indexes,
            pem,
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
        trust_store: TrustStoreSummary {
            builtin_roots: store.builtin_count(),
            user_anchors: store.anchors().len() - store.builtin_count(),
        },
        ct_log_list: log_list.map(|l| l.version.clone()),
        certificates: sent.iter().map(|c| c.details.clone()).collect(),
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
        md.push_str("| Profile | Verdict |\n|---|---|\n");
        for v in &self.verdict_details {
            md.push_str(&format!(
                "| {} ({}) | {} |\n",
                v.profile,
                v.description,
                if v.pass { "**pass**" } else { "**fail**" }
            ));
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
                "none" => String::new(),
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
            md.push_str("\n## Chain to deploy\n\n```\n");
            md.push_str(&fixed.pem);
            md.push_str("```\n");
        }
        md
    }
}
