//! Trust anchors: Mozilla's root program (the `webpki-roots` crate, compiled in) and roots the
//! user supplies (a private CA, roots exported from a Mac).
//!
//! A built-in anchor is a name, a key and optional name constraints, which is all path
//! validation needs (RFC 5280 §6.1.1 (d)). A user anchor is a whole certificate, so its validity
//! and extensions are checked too, as strict validators do. Chains ending at a built-in anchor
//! are "public": Apple's 398-day and Certificate Transparency rules apply only to them.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::model::ChainCert;
use crate::names;

/// Where an anchor comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnchorOrigin {
    /// Mozilla's root program, built in.
    Builtin,
    /// Supplied by the user.
    User,
}

/// A trust anchor.
#[derive(Clone, Debug)]
pub struct Anchor {
    /// DER of the anchor's subject Name.
    pub subject: Vec<u8>,
    /// Comparison key of the subject.
    pub subject_key: Vec<u8>,
    /// DER SubjectPublicKeyInfo.
    pub spki: Vec<u8>,
    /// DER NameConstraints (the extension value), if the anchor is constrained.
    pub name_constraints: Option<Vec<u8>>,
    /// Where it comes from.
    pub origin: AnchorOrigin,
    /// Readable name (CN or organization).
    pub label: String,
    /// For user anchors: index into the user anchor certificates.
    pub cert: Option<usize>,
    /// The anchor certificate is self-issued (a root rather than a cross-certificate).
    pub self_issued: bool,
    /// A public root: Apple's rules for preinstalled roots (398 days, Certificate
    /// Transparency) apply to chains ending here. Built-in anchors are public; user anchors are
    /// when the user says so (e.g. roots exported from a Mac's System Roots keychain).
    pub public: bool,
}

/// DER SEQUENCE around `content`.
fn sequence(content: &[u8]) -> Vec<u8> {
    let mut out = vec![0x30];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn label_of(subject: &[u8]) -> String {
    der::Decode::from_der(subject)
        .map(|n: x509_cert::name::Name| {
            netlens_x509::dn::DistinguishedName::from_name(&n).display_label()
        })
        .unwrap_or_else(|_| "(unreadable name)".into())
}

/// Number of built-in (Mozilla) roots.
pub fn builtin_root_count() -> usize {
    webpki_roots::TLS_SERVER_ROOTS.len()
}

/// The built-in anchors and their index by subject.
type Builtin = (Vec<Anchor>, HashMap<Vec<u8>, Vec<usize>>);

/// The built-in anchors, prepared once per process (parsing 120 names on every analysis would
/// cost more than verifying the chain's signatures).
fn builtin() -> &'static Builtin {
    static BUILTIN: OnceLock<Builtin> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        let mut anchors = Vec::new();
        let mut index: HashMap<Vec<u8>, Vec<usize>> = HashMap::new();
        for a in webpki_roots::TLS_SERVER_ROOTS {
            let subject = sequence(a.subject.as_ref());
            let anchor = Anchor {
                subject_key: names::comparison_key(&subject),
                label: label_of(&subject),
                subject,
                spki: sequence(a.subject_public_key_info.as_ref()),
                name_constraints: a.name_constraints.as_ref().map(|nc| sequence(nc.as_ref())),
                origin: AnchorOrigin::Builtin,
                cert: None,
                self_issued: true,
                public: true,
            };
            index
                .entry(anchor.subject_key.clone())
                .or_default()
                .push(anchors.len());
            anchors.push(anchor);
        }
        (anchors, index)
    })
}

/// The anchors an analysis trusts.
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    anchors: Vec<Anchor>,
    by_subject: HashMap<Vec<u8>, Vec<usize>>,
}

impl TrustStore {
    /// A store with Mozilla's roots (when `builtin`) and the user's anchor certificates, which
    /// count as public roots when `user_public`.
    pub fn new(builtin_roots: bool, user: &[ChainCert], user_public: bool) -> Self {
        let mut store = if builtin_roots {
            let (anchors, index) = builtin();
            TrustStore {
                anchors: anchors.clone(),
                by_subject: index.clone(),
            }
        } else {
            TrustStore::default()
        };
        for (i, cert) in user.iter().enumerate() {
            let nc = cert
                .extension(&const_oid::db::rfc5280::ID_CE_NAME_CONSTRAINTS)
                .map(|e| e.extn_value.as_bytes().to_vec());
            store.push(Anchor {
                subject: cert.subject.clone(),
                subject_key: cert.subject_key.clone(),
                spki: cert.spki.clone(),
                name_constraints: nc,
                origin: AnchorOrigin::User,
                label: cert.details.label.clone(),
                cert: Some(i),
                self_issued: cert.self_issued(),
                public: user_public,
            });
        }
        store
    }

    fn push(&mut self, anchor: Anchor) {
        // The same name and key supplied twice (built in and by the user, or as a root and as a
        // cross-certificate) is one anchor. The certificate kept is the user's self-issued copy
        // when there is one: anchor checks then look at the root, not at a cross-certificate.
        if let Some(&existing) = self
            .by_subject
            .get(&anchor.subject_key)
            .and_then(|ids| ids.iter().find(|&&i| self.anchors[i].spki == anchor.spki))
        {
            let kept = &mut self.anchors[existing];
            if anchor.origin == AnchorOrigin::User
                && (kept.cert.is_none() || (!kept.self_issued && anchor.self_issued))
            {
                kept.cert = anchor.cert;
                kept.self_issued = anchor.self_issued;
            }
            return;
        }
        self.by_subject
            .entry(anchor.subject_key.clone())
            .or_default()
            .push(self.anchors.len());
        self.anchors.push(anchor);
    }

    /// Every anchor.
    pub fn anchors(&self) -> &[Anchor] {
        &self.anchors
    }

    /// The anchor at `i`.
    pub fn get(&self, i: usize) -> Option<&Anchor> {
        self.anchors.get(i)
    }

    /// Anchors whose subject matches `issuer_key` (candidate issuers).
    pub fn with_subject(&self, subject_key: &[u8]) -> &[usize] {
        self.by_subject.get(subject_key).map_or(&[], Vec::as_slice)
    }

    /// The anchor that *is* this certificate (same subject and key), if any.
    pub fn same_as(&self, cert: &ChainCert) -> Option<usize> {
        self.with_subject(&cert.subject_key)
            .iter()
            .copied()
            .find(|&i| self.anchors[i].spki == cert.spki)
    }

    /// Number of built-in anchors.
    pub fn builtin_count(&self) -> usize {
        self.anchors
            .iter()
            .filter(|a| a.origin == AnchorOrigin::Builtin)
            .count()
    }
}
