//! Path building: every way to get from the leaf to a trust anchor through the certificates the
//! user gave, whatever order they came in.
//!
//! Candidates for a certificate's issuer are the anchors and certificates whose subject matches
//! its issuer name (RFC 5280 §7.1). Each link's signature is verified once and cached. The search
//! is a depth-first walk that records every path it completes (reaching an anchor, a self-signed
//! root, or a certificate whose issuer is nowhere), so a report can show the path chosen *and*
//! the alternatives (cross-signed roots, the "chain of pain").
//!
//! It is bounded: at most [`MAX_PATH_LEN`] certificates per path, [`MAX_VERIFICATIONS`]
//! signature checks, [`MAX_SEARCH_STEPS`] certificates visited and [`MAX_PATHS`] recorded paths,
//! and dead ends are remembered, so the pathological inputs of Go's `TestPathologicalChains`
//! (100 intermediates sharing a subject and a key) finish in milliseconds with a clear "too many
//! candidate paths" finding. The step bound matters when the signatures are *valid*: a mesh of
//! cross-signed CAs has exponentially many paths that all reach an anchor, cached signatures
//! cost nothing, and only a bound on the walk itself stops it (found by fuzzing).

use std::collections::HashMap;

use crate::crypto::{Verification, Verifier, VerifyRequest};
use crate::model::ChainCert;
use crate::store::TrustStore;

/// Longest path searched, leaf included (nine CAs above the leaf).
pub const MAX_PATH_LEN: usize = 10;
/// Most signature verifications per analysis.
pub const MAX_VERIFICATIONS: usize = 256;
/// Most paths recorded.
pub const MAX_PATHS: usize = 48;
/// Most certificates visited by the walk (each visit is cheap; real chains need a few dozen).
pub const MAX_SEARCH_STEPS: usize = 4096;

/// Who signed a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Signer {
    /// A certificate of the chain (index into the chain certificates).
    Cert(usize),
    /// A trust anchor (index into the trust store).
    Anchor(usize),
}

/// How a path ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathEnd {
    /// The last certificate was issued by this trust anchor.
    Anchor(usize),
    /// The last certificate is itself this trust anchor (e.g. a user-trusted leaf).
    IsAnchor(usize),
    /// The last certificate is self-issued and not trusted.
    SelfSigned,
    /// No certificate or anchor has the last certificate's issuer as subject.
    MissingIssuer,
    /// A certificate with the right name was found but its key did not verify the signature.
    BadLink,
    /// The path reached [`MAX_PATH_LEN`] certificates.
    TooLong,
}

impl PathEnd {
    /// The path ends at a trust anchor.
    pub fn is_trusted(self) -> bool {
        matches!(self, PathEnd::Anchor(_) | PathEnd::IsAnchor(_))
    }

    /// The anchor the path ends at.
    pub fn anchor(self) -> Option<usize> {
        match self {
            PathEnd::Anchor(a) | PathEnd::IsAnchor(a) => Some(a),
            _ => None,
        }
    }
}

/// One candidate path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    /// Chain certificates, leaf first (indices into the chain certificates).
    pub certs: Vec<usize>,
    /// How it ends.
    pub end: PathEnd,
    /// `links[i]` is the verification of `certs[i]`'s signature by the next certificate (or the
    /// anchor, or itself for a self-signed end).
    pub links: Vec<Verification>,
}

/// What a search found.
#[derive(Clone, Debug, Default)]
pub struct Search {
    /// Every path recorded, in the order found.
    pub paths: Vec<Path>,
    /// The verification or step budget ran out before the search finished.
    pub exhausted: bool,
    /// Certificates visited by the walk.
    pub steps: usize,
}

/// Builds paths from `leaf`.
pub struct Builder<'a> {
    certs: &'a [ChainCert],
    store: &'a TrustStore,
    verifier: &'a dyn Verifier,
    by_subject: HashMap<&'a [u8], Vec<usize>>,
    cache: HashMap<(usize, Signer), Verification>,
    verifications: usize,
    steps: usize,
    paths: Vec<Path>,
    dead: HashMap<usize, usize>,
    exhausted: bool,
    now: i64,
}

impl<'a> Builder<'a> {
    /// A builder over `certs` (deduplicated chain certificates) and `store`.
    pub fn new(
        certs: &'a [ChainCert],
        store: &'a TrustStore,
        verifier: &'a dyn Verifier,
        now: i64,
    ) -> Self {
        let mut by_subject: HashMap<&[u8], Vec<usize>> = HashMap::new();
        for (i, c) in certs.iter().enumerate() {
            by_subject
                .entry(c.subject_key.as_slice())
                .or_default()
                .push(i);
        }
        Builder {
            certs,
            store,
            verifier,
            by_subject,
            cache: HashMap::new(),
            verifications: 0,
            steps: 0,
            paths: Vec::new(),
            dead: HashMap::new(),
            exhausted: false,
            now,
        }
    }

    /// Every path found from `leaf`, in the order found.
    pub fn build(mut self, leaf: usize) -> Search {
        if leaf >= self.certs.len() {
            return Search::default();
        }
        if let Some(a) = self.store.same_as(&self.certs[leaf]) {
            // The leaf itself is trusted (e.g. a self-signed server certificate the user added).
            self.record(&[leaf], &[], PathEnd::IsAnchor(a));
        }
        let mut stack = vec![leaf];
        let mut links = Vec::new();
        self.search(&mut stack, &mut links);
        Search {
            paths: self.paths,
            exhausted: self.exhausted,
            steps: self.steps,
        }
    }

    fn verify(&mut self, child: usize, signer: Signer) -> Option<Verification> {
        if let Some(v) = self.cache.get(&(child, signer)) {
            return Some(v.clone());
        }
        if self.verifications >= MAX_VERIFICATIONS {
            self.exhausted = true;
            return None;
        }
        self.verifications += 1;
        let c = &self.certs[child];
        let spki = match signer {
            Signer::Cert(i) => &self.certs[i].spki,
            Signer::Anchor(a) => match self.store.get(a) {
                Some(anchor) => &anchor.spki,
                None => return None,
            },
        };
        let v = self.verifier.verify(
            &c.tbs,
            c.cert.signature_algorithm(),
            c.cert.signature().raw_bytes(),
            spki,
        );
        self.cache.insert((child, signer), v.clone());
        Some(v)
    }

    fn record(&mut self, certs: &[usize], links: &[Verification], end: PathEnd) {
        let path = Path {
            certs: certs.to_vec(),
            end,
            links: links.to_vec(),
        };
        if self.paths.len() < MAX_PATHS && !self.paths.contains(&path) {
            self.paths.push(path);
        }
    }

    /// Issuer candidates among the chain certificates, best first: key identifiers that match,
    /// then currently valid, then input order.
    fn candidates(&self, cur: usize, stack: &[usize]) -> Vec<usize> {
        let child = &self.certs[cur];
        let mut list: Vec<usize> = self
            .by_subject
            .get(child.issuer_key.as_slice())
            .map(|v| v.as_slice())
            .unwrap_or_default()
            .iter()
            .copied()
            .filter(|&c| c != cur && !stack.contains(&c))
            // A chain copy of a root anchor is reached as the anchor itself. A copy of an
            // anchor that is not a root (an intermediate one store trusts directly, as Chrome
            // does some) is also walked through: other stores reach their roots above it.
            .filter(|&c| {
                self.store
                    .same_as(&self.certs[c])
                    .and_then(|a| self.store.get(a))
                    .is_none_or(|a| !a.self_issued)
            })
            .collect();
        list.sort_by_key(|&c| {
            let cand = &self.certs[c];
            let aki_mismatch = match (&child.aki, &cand.ski) {
                (Some(a), Some(s)) => a != s,
                _ => false,
            };
            let (nb, na) = cand.validity();
            let invalid_now = self.now < nb || self.now > na;
            (aki_mismatch, invalid_now, c)
        });
        list
    }

    /// Extends the path on `stack`; true when some extension reached a trust anchor.
    fn search(&mut self, stack: &mut Vec<usize>, links: &mut Vec<Verification>) -> bool {
        let Some(&cur) = stack.last() else {
            return false;
        };
        let remaining = MAX_PATH_LEN.saturating_sub(stack.len());
        if self.dead.get(&cur).is_some_and(|&d| d >= remaining) || self.exhausted {
            return false;
        }
        self.steps += 1;
        if self.steps > MAX_SEARCH_STEPS {
            self.exhausted = true;
            return false;
        }
        let mut reached = false;
        let mut any_candidate = false;

        let anchors: Vec<usize> = self.store.with_subject(&self.certs[cur].issuer_key);
        for a in anchors {
            any_candidate = true;
            let Some(v) = self.verify(cur, Signer::Anchor(a)) else {
                return reached;
            };
            reached |= v.is_valid();
            links.push(v);
            self.record(stack, links, PathEnd::Anchor(a));
            links.pop();
        }

        for c in self.candidates(cur, stack) {
            any_candidate = true;
            if stack.len() >= MAX_PATH_LEN {
                self.record(stack, links, PathEnd::TooLong);
                break;
            }
            let Some(v) = self.verify(cur, Signer::Cert(c)) else {
                return reached;
            };
            let broken = matches!(v, Verification::Invalid(_));
            stack.push(c);
            links.push(v);
            if broken {
                self.record(stack, links, PathEnd::BadLink);
            } else {
                reached |= self.search(stack, links);
            }
            stack.pop();
            links.pop();
            if self.exhausted {
                return reached;
            }
        }

        if self.certs[cur].self_issued() {
            any_candidate = true;
            if let Some(v) = self.verify(cur, Signer::Cert(cur)) {
                links.push(v);
                self.record(stack, links, PathEnd::SelfSigned);
                links.pop();
            }
        }
        if !any_candidate {
            self.record(stack, links, PathEnd::MissingIssuer);
        }
        if !reached {
            let d = self.dead.entry(cur).or_insert(0);
            *d = (*d).max(remaining);
        }
        reached
    }
}

/// Every signature check a path search over `certs` may need, bounded by [`MAX_VERIFICATIONS`]:
/// each certificate against every anchor and certificate whose subject matches its issuer (and
/// itself when self-issued). The browser verifies these with WebCrypto before the search.
pub fn plan(certs: &[ChainCert], store: &TrustStore) -> Vec<VerifyRequest> {
    let mut out = Vec::new();
    for child in certs {
        let mut keys: Vec<&[u8]> = store
            .with_subject(&child.issuer_key)
            .into_iter()
            .filter_map(|a| store.get(a).map(|a| a.spki.as_slice()))
            .collect();
        keys.extend(
            certs
                .iter()
                .filter(|c| c.subject_key == child.issuer_key)
                .map(|c| c.spki.as_slice()),
        );
        keys.dedup();
        for spki in keys {
            if out.len() >= MAX_VERIFICATIONS {
                return out;
            }
            out.push(VerifyRequest {
                message: child.tbs.clone(),
                algorithm: child.cert.signature_algorithm().clone(),
                signature: child.cert.signature().raw_bytes().to_vec(),
                spki: spki.to_vec(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::RustCrypto;
    use netlens_testkit::{CertSpec, Key, KeyAlgorithm, issue, self_signed};

    fn parse(der: &[u8], index: usize) -> ChainCert {
        let scan = netlens_x509::input::scan(der, None);
        ChainCert::parse(&scan.certificates()[0], index, 0).unwrap()
    }

    /// A mesh of cross-signed CAs where every signature is valid: nine layers of four
    /// certificates, each layer sharing one name and one key, so each certificate has four
    /// valid issuers and 4^9 paths reach the root. Signatures are cached, dead ends never
    /// happen: only the step bound ends the walk.
    #[test]
    fn a_mesh_of_valid_cross_signatures_is_walked_within_the_step_bound() {
        const LAYERS: usize = 9;
        const WIDTH: u8 = 4;
        let root_key = Key::generate(KeyAlgorithm::P256, "mesh root").unwrap();
        let root = self_signed(&CertSpec::ca("CN=Mesh Root", None), root_key).unwrap();
        // From the top layer down; each layer's certificates are issued by the layer above.
        let mut above = root.clone();
        let mut layers = Vec::new();
        for layer in (1..=LAYERS).rev() {
            let name = format!("CN=Mesh {layer}");
            let issued: Vec<_> = (0..WIDTH)
                .map(|n| {
                    let key = Key::generate(KeyAlgorithm::P256, &name).unwrap();
                    let spec = CertSpec::ca(&name, None).serial(&[layer as u8, n + 1]);
                    issue(&spec, key, &above).unwrap()
                })
                .collect();
            above = issued[0].clone();
            layers.push(issued);
        }
        let leaf_key = Key::generate(KeyAlgorithm::P256, "mesh leaf").unwrap();
        let leaf = issue(&CertSpec::leaf("mesh.example"), leaf_key, &above).unwrap();

        let mut certs = vec![parse(&leaf.der, 0)];
        for issued in layers.iter().flatten() {
            certs.push(parse(&issued.der, certs.len()));
        }
        let anchors = [parse(&root.der, 0)];
        let store = TrustStore::new(&netlens_roots::TrustData::builtin(), false, &anchors, false);
        let search = Builder::new(&certs, &store, &RustCrypto, 1_780_272_000).build(0);

        assert!(search.exhausted, "4^9 paths cannot all be walked");
        assert!(
            search.steps <= MAX_SEARCH_STEPS + 1,
            "{} steps",
            search.steps
        );
        assert!(search.paths.len() <= MAX_PATHS);
        // The walk still found the way to the root before it stopped.
        let first = &search.paths[0];
        assert!(first.end.is_trusted(), "{:?}", first.end);
        assert_eq!(first.certs.len(), LAYERS + 1);
    }
}
