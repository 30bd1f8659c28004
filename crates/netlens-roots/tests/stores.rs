//! The compiled-in tables hold together: counts, uniqueness, and decisions only where a store
//! holds the root. Comparisons with the upstream files are in netlens-roots-gen's tests.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::collections::{BTreeSet, HashSet};

use netlens_roots::{REMOVED, ROOTS, STORES, StoreId};

#[test]
fn every_store_counts_its_roots_and_each_root_appears_once() {
    let hashes: HashSet<[u8; 32]> = ROOTS.iter().map(|r| r.sha256).collect();
    assert_eq!(hashes.len(), ROOTS.len(), "a root is listed twice");
    for s in StoreId::ALL {
        assert_eq!(STORES[s as usize].id, s);
        assert_eq!(
            ROOTS.iter().filter(|r| r.in_store(s)).count(),
            s.info().roots
        );
        assert!(!s.info().version.is_empty() && !s.info().source.is_empty());
        assert_eq!(s.info().date.len(), 10, "{:?}", s.info().date);
    }
    // The sizes of this refresh (DEVELOPERS.md, "Trust stores").
    assert_eq!(StoreId::Apple.info().roots, 156);
    assert_eq!(StoreId::Apple.info().version, "2025072000");
    assert_eq!(StoreId::Mozilla.info().roots, 121);
    assert_eq!(StoreId::Chrome.info().roots, 115);
    for r in ROOTS {
        assert_ne!(r.stores, 0, "{} is in no store", r.label);
        assert!(r.not_before < r.not_after, "{}", r.label);
        for d in r.distrust {
            assert!(
                r.in_store(d.store),
                "{}: a decision of a store that lacks it",
                r.label
            );
        }
        assert!(r.apple_policies.is_empty() || r.in_store(StoreId::Apple));
        assert_eq!(r.expiry_enforced & !r.stores, 0, "{}", r.label);
    }
    let removed: HashSet<[u8; 32]> = REMOVED.iter().map(|r| r.sha256).collect();
    assert_eq!(removed.len(), REMOVED.len());
    assert!(
        ROOTS
            .iter()
            .filter(|r| r.in_store(StoreId::Apple))
            .all(|r| !removed.contains(&r.sha256)),
        "a root Apple ships is listed as removed"
    );
}

#[test]
fn the_stores_differ_as_published() {
    // Same root = same name and key (two stores may ship two encodings of one root).
    let identity = |s: StoreId| -> BTreeSet<(&[u8], &[u8])> {
        ROOTS
            .iter()
            .filter(|r| r.in_store(s))
            .map(|r| (r.subject, r.spki))
            .collect()
    };
    let (apple, mozilla, chrome) = (
        identity(StoreId::Apple),
        identity(StoreId::Mozilla),
        identity(StoreId::Chrome),
    );
    let both = apple.intersection(&mozilla).count();
    eprintln!(
        "Apple {} / Mozilla {} / Chrome {} distinct roots; Apple ∩ Mozilla {both}, Apple ∩ Chrome {}, Mozilla ∩ Chrome {}, all three {}",
        apple.len(),
        mozilla.len(),
        chrome.len(),
        apple.intersection(&chrome).count(),
        mozilla.intersection(&chrome).count(),
        apple
            .iter()
            .filter(|k| mozilla.contains(*k) && chrome.contains(*k))
            .count()
    );
    assert!(
        both < apple.len() && both < mozilla.len(),
        "the stores differ"
    );
    // Decisions of each kind are present: Apple's article dates, NSS' distrust-after, Chrome's
    // SCT dates, Apple's policy constraints.
    for s in StoreId::ALL {
        assert!(ROOTS.iter().any(|r| r.distrust(s).is_some()), "{s:?}");
    }
    assert_eq!(
        ROOTS
            .iter()
            .filter(|r| !r.apple_policies.is_empty())
            .count(),
        11
    );
    assert!(ROOTS.iter().any(|r| r.expiry_enforced_by(StoreId::Chrome)));
    assert!(REMOVED.iter().any(|r| !r.removed_in.is_empty()));
}

/// `data/trust-stores.bin`, which the web build serves, is the compiled-in stores, byte for
/// byte. After a refresh (DEVELOPERS.md, "Trust stores"), rewrite it with
/// `NETLENS_BLESS=1 cargo test -p netlens-roots`.
#[test]
fn the_trust_store_file_is_the_compiled_in_stores() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/trust-stores.bin");
    let expected = netlens_roots::file::encode(ROOTS, REMOVED);
    if std::env::var_os("NETLENS_BLESS").is_some() {
        std::fs::write(path, &expected).expect("write data/trust-stores.bin");
    }
    let committed = std::fs::read(path).unwrap_or_default();
    assert!(
        committed == expected,
        "data/trust-stores.bin is stale: run NETLENS_BLESS=1 cargo test -p netlens-roots"
    );
    let bytes: &'static [u8] = Box::leak(committed.into_boxed_slice());
    let data = netlens_roots::file::decode(bytes).expect("the committed file reads");
    assert_eq!(data.roots, ROOTS);
    assert_eq!(data.removed, REMOVED);
}

#[test]
fn damaged_trust_store_files_are_refused_without_panicking() {
    use netlens_roots::file::{FileError, decode, encode};
    let good: &'static [u8] = Box::leak(encode(&ROOTS[..3], &REMOVED[..2]).into_boxed_slice());
    assert_eq!(decode(good).unwrap().roots, &ROOTS[..3]);
    for end in (0..good.len()).step_by(7) {
        assert!(
            decode(&good[..end]).is_err(),
            "a prefix of {end} bytes was accepted"
        );
    }
    assert_eq!(
        decode(b"NOPE\x01\x00\x00\x00").err(),
        Some(FileError::NotATrustStoreFile)
    );
    let mut other = good.to_vec();
    // The versions line starts after the magic, the format and its length.
    other[12] ^= 0x20;
    let other: &'static [u8] = Box::leak(other.into_boxed_slice());
    assert_eq!(decode(other).err(), Some(FileError::OtherVersions));
    let mut longer = good.to_vec();
    longer.push(0);
    let longer: &'static [u8] = Box::leak(longer.into_boxed_slice());
    assert_eq!(decode(longer).err(), Some(FileError::Truncated));
}
