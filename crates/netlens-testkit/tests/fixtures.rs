//! The committed fixtures equal what the kit generates today: fixtures cannot silently drift
//! from the code that documents how they were made.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

#[test]
fn fixtures_are_current() {
    let dir = netlens_testkit::fixtures_dir();
    for (name, bytes) in netlens_testkit::fixture_files().unwrap() {
        let committed = std::fs::read(dir.join(name))
            .unwrap_or_else(|e| panic!("fixture {name} missing ({e}); run netlens-fixtures"));
        assert!(
            committed == bytes,
            "fixture {name} is stale; run `cargo run -p netlens-testkit --bin netlens-fixtures`"
        );
    }
}

#[test]
fn same_seed_same_key_different_seed_different_key() {
    use netlens_testkit::{Key, KeyAlgorithm};
    for alg in [
        KeyAlgorithm::P256,
        KeyAlgorithm::P384,
        KeyAlgorithm::Ed25519,
    ] {
        let a = Key::generate(alg, "a").unwrap().key_id().unwrap();
        assert_eq!(a, Key::generate(alg, "a").unwrap().key_id().unwrap());
        assert_ne!(a, Key::generate(alg, "b").unwrap().key_id().unwrap());
    }
}
