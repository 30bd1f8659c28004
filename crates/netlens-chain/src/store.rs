//! Trust anchors: the compiled-in root stores ([`netlens_roots`]: Apple's, Mozilla's, the Chrome
//! Root Store) and the roots the user supplies (a private CA, roots exported from a Mac).
//!
//! Paths are built once, over the union of every store: an anchor is a name and a key (RFC 5280
//! §6.1.1 (d)) and remembers which stores hold it, so the same search answers "does Apple trust
//! this?" and "does Firefox?" ([`crate::trust`] picks each store's path). The same root shipped
//! by two stores as two encodings (same name and key, another validity) is one anchor with both
//! entries. A user anchor is a whole certificate, so its validity and extensions are checked too,
//! as strict validators do, and it is trusted in every store's evaluation: it stands for a root
//! the user installs on their clients.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use netlens_roots::{RemovedRoot, Root, StoreId, TrustData};
use sha2::{Digest, Sha256};

use crate::model::ChainCert;
use crate::names;

/// Where an anchor comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnchorOrigin {
    /// A compiled-in root store.
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
    /// Readable name (CN or organization).
    pub label: String,
    /// The subject's organization, to find the same CA's roots in another store.
    pub organization: Option<String>,
    /// The compiled-in root entries with this name and key, one per certificate.
    pub roots: Vec<&'static Root>,
    /// Compiled-in stores that hold it ([`StoreId::bit`]s).
    pub stores: u8,
    /// Supplied by the user (possibly also compiled in).
    pub user: bool,
    /// For user anchors: index into the user anchor certificates.
    pub cert: Option<usize>,
    /// The anchor certificate is self-issued (a root rather than a cross-certificate).
    pub self_issued: bool,
    /// A public root: Apple's rules for preinstalled roots (398 days, Certificate
    /// Transparency) apply to chains ending here. Compiled-in anchors are public; user anchors
    /// are when the user says so (e.g. roots exported from a Mac's System Roots keychain).
    pub public: bool,
}

impl Anchor {
    /// Built in (in some store) or only the user's.
    pub fn origin(&self) -> AnchorOrigin {
        if self.stores != 0 {
            AnchorOrigin::Builtin
        } else {
            AnchorOrigin::User
        }
    }

    /// The anchor ends a trusted path for `store`: the store holds it, or the user supplied it.
    pub fn trusted_in(&self, store: StoreId) -> bool {
        self.user || self.stores & store.bit() != 0
    }

    /// The compiled-in entries `store` holds for this anchor.
    pub fn entries_in(&self, store: StoreId) -> impl Iterator<Item = &'static Root> + '_ {
        self.roots
            .iter()
            .copied()
            .filter(move |r| r.in_store(store))
    }
}

/// The subject's organization (O), to find the same CA's roots in another store.
fn organization_of(subject: &[u8]) -> Option<String> {
    der::Decode::from_der(subject)
        .ok()
        .and_then(|n: x509_cert::name::Name| {
            netlens_x509::dn::DistinguishedName::from_name(&n)
                .values_of("O")
                .next()
                .map(str::to_owned)
        })
}

/// The first 8 bytes of a SHA-256, as [`RemovedRoot`] keeps them.
pub fn digest8(bytes: &[u8]) -> [u8; 8] {
    let full: [u8; 32] = Sha256::digest(bytes).into();
    let mut out = [0u8; 8];
    out.copy_from_slice(&full[..8]);
    out
}

/// Anchors built from compiled-in roots, merged by name and key, with their index by subject.
#[derive(Debug, Default)]
struct BaseAnchors {
    anchors: Vec<Anchor>,
    by_subject: HashMap<Vec<u8>, Vec<usize>>,
}

impl BaseAnchors {
    fn of(data: &TrustData) -> BaseAnchors {
        let mut base = BaseAnchors::default();
        let mut by_identity: HashMap<(&[u8], &[u8]), usize> = HashMap::new();
        for root in data.roots {
            if let Some(&i) = by_identity.get(&(root.subject, root.spki)) {
                let a = &mut base.anchors[i];
                a.stores |= root.stores;
                a.self_issued &= root.self_issued;
                a.roots.push(root);
                continue;
            }
            let organization = organization_of(root.subject);
            by_identity.insert((root.subject, root.spki), base.anchors.len());
            let subject_key = names::comparison_key(root.subject);
            base.by_subject
                .entry(subject_key.clone())
                .or_default()
                .push(base.anchors.len());
            base.anchors.push(Anchor {
                subject_key,
                subject: root.subject.to_vec(),
                spki: root.spki.to_vec(),
                name_constraints: root.name_constraints.map(<[u8]>::to_vec),
                label: root.label.to_owned(),
                organization,
                roots: vec![root],
                stores: root.stores,
                user: false,
                cert: None,
                self_issued: root.self_issued,
                public: true,
            });
        }
        base
    }
}

/// The compiled-in anchors, prepared once per process and shared by every analysis (parsing
/// two hundred names, or even copying them, on every analysis would cost more than verifying
/// the chain's signatures).
fn builtin_base() -> Arc<BaseAnchors> {
    static BUILTIN: OnceLock<Arc<BaseAnchors>> = OnceLock::new();
    BUILTIN
        .get_or_init(|| Arc::new(BaseAnchors::of(&TrustData::builtin())))
        .clone()
}

/// The anchors an analysis trusts: the compiled-in ones (shared), then the user's. Anchor
/// indexes run over both: `0..base` are compiled in, the rest are the user's.
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    base: Arc<BaseAnchors>,
    /// Compiled-in anchors the user also supplied, with the user's certificate merged in.
    merged: HashMap<usize, Anchor>,
    user: Vec<Anchor>,
    user_by_subject: HashMap<Vec<u8>, Vec<usize>>,
    removed: &'static [RemovedRoot],
}

impl TrustStore {
    /// A store with the roots of `data` (when `builtin`) and the user's anchor certificates,
    /// which count as public roots when `user_public`.
    pub fn new(data: &TrustData, builtin: bool, user: &[ChainCert], user_public: bool) -> Self {
        // No roots (a web build before its stores are installed) is never the shared base,
        // which would then stay empty.
        let base = if !builtin || data.roots.is_empty() {
            Arc::default()
        } else if std::ptr::eq(data.roots, TrustData::builtin().roots) {
            builtin_base()
        } else {
            Arc::new(BaseAnchors::of(data))
        };
        let mut store = TrustStore {
            base,
            merged: HashMap::new(),
            user: Vec::new(),
            user_by_subject: HashMap::new(),
            removed: data.removed,
        };
        for (i, cert) in user.iter().enumerate() {
            let nc = cert
                .extension(&const_oid::db::rfc5280::ID_CE_NAME_CONSTRAINTS)
                .map(|e| e.extn_value.as_bytes().to_vec());
            store.push_user(Anchor {
                subject: cert.subject.clone(),
                subject_key: cert.subject_key.clone(),
                spki: cert.spki.clone(),
                name_constraints: nc,
                label: cert.details.label.clone(),
                organization: cert
                    .details
                    .subject
                    .values_of("O")
                    .next()
                    .map(str::to_owned),
                roots: Vec::new(),
                stores: 0,
                user: true,
                cert: Some(i),
                self_issued: cert.self_issued(),
                public: user_public,
            });
        }
        store
    }

    fn push_user(&mut self, anchor: Anchor) {
        // The same name and key supplied twice (built in and by the user, or as a root and as a
        // cross-certificate) is one anchor. The certificate kept is the user's self-issued copy
        // when there is one: anchor checks then look at the root, not at a cross-certificate.
        if let Some(existing) = self
            .with_subject(&anchor.subject_key)
            .into_iter()
            .find(|&i| self.get(i).is_some_and(|a| a.spki == anchor.spki))
        {
            let base_len = self.base.anchors.len();
            let kept = if existing < base_len {
                let base = &self.base.anchors[existing];
                self.merged.entry(existing).or_insert_with(|| base.clone())
            } else {
                &mut self.user[existing - base_len]
            };
            kept.user = true;
            kept.public |= anchor.public;
            if kept.cert.is_none() || (!kept.self_issued && anchor.self_issued) {
                kept.cert = anchor.cert;
                kept.self_issued = anchor.self_issued;
            }
            return;
        }
        let index = self.base.anchors.len() + self.user.len();
        self.user_by_subject
            .entry(anchor.subject_key.clone())
            .or_default()
            .push(index);
        self.user.push(anchor);
    }

    /// Every anchor.
    pub fn iter(&self) -> impl Iterator<Item = &Anchor> {
        (0..self.base.anchors.len() + self.user.len()).filter_map(|i| self.get(i))
    }

    /// The anchor at `i`.
    pub fn get(&self, i: usize) -> Option<&Anchor> {
        let base_len = self.base.anchors.len();
        if i < base_len {
            self.merged.get(&i).or(self.base.anchors.get(i))
        } else {
            self.user.get(i - base_len)
        }
    }

    /// Anchors whose subject matches `subject_key` (candidate issuers).
    pub fn with_subject(&self, subject_key: &[u8]) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .base
            .by_subject
            .get(subject_key)
            .cloned()
            .unwrap_or_default();
        if let Some(user) = self.user_by_subject.get(subject_key) {
            out.extend(user);
        }
        out
    }

    /// The anchor that *is* this certificate (same subject and key), if any.
    pub fn same_as(&self, cert: &ChainCert) -> Option<usize> {
        self.with_subject(&cert.subject_key)
            .into_iter()
            .find(|&i| self.get(i).is_some_and(|a| a.spki == cert.spki))
    }

    /// Number of compiled-in anchors (distinct names and keys).
    pub fn builtin_count(&self) -> usize {
        self.base.anchors.len()
    }

    /// Number of user anchors.
    pub fn user_count(&self) -> usize {
        self.iter().filter(|a| a.user).count()
    }

    /// The root Apple removed that has this subject and key (a root, a cross-certificate or an
    /// anchor of another store), if any.
    pub fn removed_by_apple(&self, subject: &[u8], spki: &[u8]) -> Option<&'static RemovedRoot> {
        let (s, k) = (digest8(subject), digest8(spki));
        self.removed
            .iter()
            .find(|r| r.subject_digest == s && r.spki_digest == k)
    }

    /// The root Apple removed with this subject name (for an issuer missing from the chain).
    pub fn removed_by_name(&self, subject: &[u8]) -> Option<&'static RemovedRoot> {
        let s = digest8(subject);
        self.removed.iter().find(|r| r.subject_digest == s)
    }

    /// The compiled-in anchors of `store` from the same organization as `organization`.
    pub fn same_organization(&self, organization: &str, store: StoreId) -> Vec<&Anchor> {
        self.iter()
            .filter(|a| {
                a.stores & store.bit() != 0
                    && a.organization
                        .as_deref()
                        .is_some_and(|o| o.eq_ignore_ascii_case(organization))
            })
            .collect()
    }
}

/// A compiled-in store as `netlens roots` lists it: what it is and every root with the store's
/// constraints on it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StoreListing {
    /// `apple`, `mozilla`, `chrome`.
    pub store: &'static str,
    /// "Apple's trust store".
    pub name: &'static str,
    /// The clients that use it.
    pub clients: &'static str,
    /// The store's version.
    pub version: &'static str,
    /// When the upstream source was published.
    pub date: &'static str,
    /// Where the data came from.
    pub source: &'static str,
    /// The roots, by label.
    pub roots: Vec<RootListing>,
}

/// One root of a [`StoreListing`].
#[derive(Clone, Debug, serde::Serialize)]
pub struct RootListing {
    /// SHA-256 of the certificate, uppercase hex.
    pub sha256: String,
    /// Display name.
    pub label: String,
    /// Subject (RFC 4514).
    pub subject: String,
    /// notBefore (RFC 3339).
    pub not_before: String,
    /// notAfter (RFC 3339).
    pub not_after: String,
    /// The other compiled-in stores that hold it.
    pub also_in: Vec<&'static str>,
    /// The store's constraints on it.
    pub constraints: Vec<Constraint>,
}

/// A store's constraint on one of its roots.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Constraint {
    /// Trusted only for certificates issued up to a moment.
    DistrustAfter {
        /// The moment (RFC 3339).
        after: String,
        /// What counts as issuance: `not_before` or `earliest_sct`.
        basis: netlens_roots::Basis,
        /// Where it was decided.
        source: &'static str,
    },
    /// Apple trusts it only for these Apple policies.
    ApplePolicies {
        /// Policy OIDs.
        policies: Vec<&'static str>,
        /// Whether TLS server authentication is among them.
        tls: bool,
    },
    /// The store checks the root's own expiry.
    ExpiryEnforced,
}

impl Constraint {
    /// In words, for the plain-text listing.
    pub fn describe(&self) -> String {
        match self {
            Constraint::DistrustAfter { after, basis, .. } => format!(
                "distrusted for leaves issued after {} ({})",
                &after[..10],
                match basis {
                    netlens_roots::Basis::NotBefore => "notBefore",
                    netlens_roots::Basis::EarliestSct => "earliest SCT",
                }
            ),
            Constraint::ApplePolicies { tls: false, .. } => {
                "Apple services only (not TLS)".to_owned()
            }
            Constraint::ApplePolicies { tls: true, .. } => "Apple policies incl. TLS".to_owned(),
            Constraint::ExpiryEnforced => "expiry enforced".to_owned(),
        }
    }
}

/// The roots of `store` in `data`, with their constraints.
pub fn listing(data: &TrustData, store: StoreId) -> StoreListing {
    let info = store.info();
    let time = netlens_x509::time::rfc3339_from_unix;
    let mut roots: Vec<RootListing> = data
        .roots_of(store)
        .map(|r| {
            let mut constraints = Vec::new();
            if let Some(d) = r.distrust(store) {
                constraints.push(Constraint::DistrustAfter {
                    after: time(d.after),
                    basis: d.basis,
                    source: d.source,
                });
            }
            if store == StoreId::Apple && !r.apple_policies.is_empty() {
                constraints.push(Constraint::ApplePolicies {
                    policies: r.apple_policies.to_vec(),
                    tls: r.apple_allows_tls(),
                });
            }
            if r.expiry_enforced_by(store) {
                constraints.push(Constraint::ExpiryEnforced);
            }
            RootListing {
                sha256: r.sha256_hex(),
                label: r.label.to_owned(),
                subject: der::Decode::from_der(r.subject)
                    .map(|n: x509_cert::name::Name| {
                        netlens_x509::dn::DistinguishedName::from_name(&n).rfc4514
                    })
                    .unwrap_or_default(),
                not_before: time(r.not_before),
                not_after: time(r.not_after),
                also_in: StoreId::ALL
                    .into_iter()
                    .filter(|s| *s != store && r.in_store(*s))
                    .map(StoreId::id)
                    .collect(),
                constraints,
            }
        })
        .collect();
    roots.sort_by(|a, b| {
        a.label
            .to_lowercase()
            .cmp(&b.label.to_lowercase())
            .then(a.sha256.cmp(&b.sha256))
    });
    StoreListing {
        store: store.id(),
        name: info.name,
        clients: info.clients,
        version: info.version,
        date: info.date,
        source: info.source,
        roots,
    }
}
