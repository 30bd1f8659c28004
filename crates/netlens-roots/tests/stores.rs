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
