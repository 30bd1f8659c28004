//! The trust stores as one binary file, `trust-stores.bin`: what the web build fetches the first
//! time an analysis uses the built-in stores, instead of compiling them into the chain module
//! (they are about a quarter of its download, and a docs page that shows the element without
//! analyzing anything should not pay for them).
//!
//! The file is written from the compiled-in tables ([`encode`]; `crates/netlens-roots/data/
//! trust-stores.bin`, checked by this crate's tests against [`crate::ROOTS`] and
//! [`crate::REMOVED`]), so both builds judge with the same roots. [`decode`] turns the bytes into
//! a [`TrustData`] that borrows from them for the rest of the process.
//!
//! Layout, little-endian: `NLTS`, format version (u32), the stores' versions (for a mismatch
//! check), then the roots and the removed roots, each list a u32 count. A byte string is a u32
//! length and its bytes; an optional one has a presence byte first.

use crate::{Basis, Distrust, RemovedRoot, Root, STORES, StoreId, TrustData};

const MAGIC: &[u8; 4] = b"NLTS";
const FORMAT: u32 = 1;
/// The most roots or removed roots a file may list (about 500 of each today).
const MAX_ENTRIES: usize = 10_000;

/// Why a trust store file could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileError {
    /// It does not start with `NLTS` and format 1.
    NotATrustStoreFile,
    /// It was written for other store versions than this build's.
    OtherVersions,
    /// It ends inside an entry, or has bytes after the last one.
    Truncated,
    /// A count, a store id, a basis or a text field is not one this format allows.
    Malformed,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FileError::NotATrustStoreFile => "it is not a netlens trust store file",
            FileError::OtherVersions => "it holds other store versions than this netlens build",
            FileError::Truncated => "it is cut short",
            FileError::Malformed => "it is damaged",
        })
    }
}

impl std::error::Error for FileError {}

/// The versions line that ties a file to this build's [`STORES`].
fn versions() -> String {
    STORES
        .iter()
        .map(|s| format!("{}={}", s.id.id(), s.version))
        .collect::<Vec<_>>()
        .join(",")
}

struct Writer(Vec<u8>);

impl Writer {
    fn bytes(&mut self, b: &[u8]) {
        // Fields are names, keys and labels: far below 4 GiB.
        self.0.extend_from_slice(&(b.len() as u32).to_le_bytes());
        self.0.extend_from_slice(b);
    }
    fn count(&mut self, n: usize) {
        self.0.extend_from_slice(&(n as u32).to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
}

/// Writes `roots` and `removed` in the file's layout.
pub fn encode(roots: &[Root], removed: &[RemovedRoot]) -> Vec<u8> {
    let mut w = Writer(MAGIC.to_vec());
    w.0.extend_from_slice(&FORMAT.to_le_bytes());
    w.bytes(versions().as_bytes());
    w.count(roots.len());
    for r in roots {
        w.0.extend_from_slice(&r.sha256);
        w.bytes(r.label.as_bytes());
        w.bytes(r.subject);
        w.bytes(r.spki);
        match r.name_constraints {
            Some(nc) => {
                w.0.push(1);
                w.bytes(nc);
            }
            None => w.0.push(0),
        }
        w.i64(r.not_before);
        w.i64(r.not_after);
        w.0.extend_from_slice(&[u8::from(r.self_issued), r.stores, r.expiry_enforced]);
        w.count(r.apple_policies.len());
        for p in r.apple_policies {
            w.bytes(p.as_bytes());
        }
        w.count(r.distrust.len());
        for d in r.distrust {
            w.0.push(d.store as u8);
            w.i64(d.after);
            w.0.push(match d.basis {
                Basis::NotBefore => 0,
                Basis::EarliestSct => 1,
            });
            w.bytes(d.source.as_bytes());
        }
    }
    w.count(removed.len());
    for r in removed {
        w.0.extend_from_slice(&r.sha256);
        w.0.extend_from_slice(&r.subject_digest);
        w.0.extend_from_slice(&r.spki_digest);
        w.bytes(r.label.as_bytes());
        w.bytes(r.removed_in.as_bytes());
    }
    w.0
}

struct Reader(&'static [u8]);

impl Reader {
    fn take(&mut self, n: usize) -> Result<&'static [u8], FileError> {
        if self.0.len() < n {
            return Err(FileError::Truncated);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], FileError> {
        self.take(N)?.try_into().map_err(|_| FileError::Truncated)
    }
    fn u8(&mut self) -> Result<u8, FileError> {
        Ok(self.array::<1>()?[0])
    }
    fn u32(&mut self) -> Result<usize, FileError> {
        Ok(u32::from_le_bytes(self.array()?) as usize)
    }
    fn i64(&mut self) -> Result<i64, FileError> {
        Ok(i64::from_le_bytes(self.array()?))
    }
    fn bytes(&mut self) -> Result<&'static [u8], FileError> {
        let n = self.u32()?;
        self.take(n)
    }
    fn text(&mut self) -> Result<&'static str, FileError> {
        std::str::from_utf8(self.bytes()?).map_err(|_| FileError::Malformed)
    }
    fn count(&mut self) -> Result<usize, FileError> {
        let n = self.u32()?;
        if n > MAX_ENTRIES {
            return Err(FileError::Malformed);
        }
        Ok(n)
    }
}

/// Reads a file [`encode`] wrote for this build's store versions. The [`TrustData`] borrows
/// `bytes` (leak a fetched buffer once to get them); on success its three lists are allocated
/// once and never freed, like compiled-in tables; on failure nothing is kept. Never panics,
/// whatever the bytes.
pub fn decode(bytes: &'static [u8]) -> Result<TrustData, FileError> {
    let mut r = Reader(bytes);
    if r.take(4).ok() != Some(MAGIC.as_slice()) || r.u32().ok() != Some(FORMAT as usize) {
        return Err(FileError::NotATrustStoreFile);
    }
    if r.bytes()? != versions().as_bytes() {
        return Err(FileError::OtherVersions);
    }
    let store = |id: u8| {
        StoreId::ALL
            .into_iter()
            .find(|s| *s as u8 == id)
            .ok_or(FileError::Malformed)
    };
    // Every root's policies and distrust decisions go into two shared lists, sliced once the
    // whole file has been read.
    let mut roots = Vec::new();
    let mut policies = Vec::new();
    let mut distrust = Vec::new();
    let mut ranges = Vec::new();
    for _ in 0..r.count()? {
        let sha256 = r.array()?;
        let label = r.text()?;
        let subject = r.bytes()?;
        let spki = r.bytes()?;
        let name_constraints = match r.u8()? {
            0 => None,
            1 => Some(r.bytes()?),
            _ => return Err(FileError::Malformed),
        };
        let not_before = r.i64()?;
        let not_after = r.i64()?;
        let [self_issued, stores, expiry_enforced] = r.array()?;
        let first_policy = policies.len();
        for _ in 0..r.count()? {
            policies.push(r.text()?);
        }
        let first_distrust = distrust.len();
        for _ in 0..r.count()? {
            distrust.push(Distrust {
                store: store(r.u8()?)?,
                after: r.i64()?,
                basis: match r.u8()? {
                    0 => Basis::NotBefore,
                    1 => Basis::EarliestSct,
                    _ => return Err(FileError::Malformed),
                },
                source: r.text()?,
            });
        }
        ranges.push((first_policy..policies.len(), first_distrust..distrust.len()));
        roots.push(Root {
            sha256,
            label,
            subject,
            spki,
            name_constraints,
            not_before,
            not_after,
            self_issued: self_issued != 0,
            stores,
            apple_policies: &[],
            distrust: &[],
            expiry_enforced,
        });
    }
    let mut removed = Vec::new();
    for _ in 0..r.count()? {
        removed.push(RemovedRoot {
            sha256: r.array()?,
            subject_digest: r.array()?,
            spki_digest: r.array()?,
            label: r.text()?,
            removed_in: r.text()?,
        });
    }
    if !r.0.is_empty() {
        return Err(FileError::Truncated);
    }
    let policies: &'static [&'static str] = Box::leak(policies.into_boxed_slice());
    let distrust: &'static [Distrust] = Box::leak(distrust.into_boxed_slice());
    for (root, (p, d)) in roots.iter_mut().zip(ranges) {
        root.apple_policies = policies.get(p).unwrap_or_default();
        root.distrust = distrust.get(d).unwrap_or_default();
    }
    Ok(TrustData {
        roots: Box::leak(roots.into_boxed_slice()),
        removed: Box::leak(removed.into_boxed_slice()),
    })
}
