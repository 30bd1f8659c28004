//! Cases of `trust.*`: the root stores' decisions. Mirrors `src/rules/trust.rs`.

use super::*;

/// rule id → (a case where it fires, a near miss where it must not).
pub(crate) fn cases() -> Vec<(&'static str, Pair)> {
    vec![
        ("trust.root-not-in-store", || {
            (
                rules_root_in(MOZILLA | CHROME, |_| {}),
                rules_root_in(EVERY_STORE, |_| {}),
            )
        }),
        ("trust.root-removed", || {
            let root = store_root(&pki().root, MOZILLA);
            (
                store_case(vec![root], vec![removed_rules_root()]),
                store_case(vec![root], Vec::new()),
            )
        }),
        ("trust.distrusted-after", || {
            // The leaf's notBefore is JAN_2025: a decision the day before fires, the day after not.
            (
                rules_root_in(EVERY_STORE, |r| {
                    r.distrust = distrust(StoreId::Apple, JAN_2025 - DAY, Basis::NotBefore)
                }),
                rules_root_in(EVERY_STORE, |r| {
                    r.distrust = distrust(StoreId::Apple, JAN_2025 + DAY, Basis::NotBefore)
                }),
            )
        }),
        ("trust.root-not-for-tls", || {
            (
                rules_root_in(EVERY_STORE, |r| {
                    r.apple_policies = &["1.2.840.113635.100.1.2", "1.2.840.113635.100.1.16"]
                }),
                rules_root_in(EVERY_STORE, |r| {
                    r.apple_policies = &["1.2.840.113635.100.1.2", "1.2.840.113635.100.1.3.1"]
                }),
            )
        }),
        ("trust.anchor-expired", || {
            let expired = |enforced: u8| {
                let mut c = rules_root_in(EVERY_STORE, |r| {
                    r.not_after = AT - DAY;
                    r.expiry_enforced = enforced;
                });
                c.options.strict_store = StoreId::Chrome;
                c
            };
            (expired(CHROME), expired(0))
        }),
        ("trust.intercepting-proxy", || {
            // Charles' root signs the leaf directly, as the proxy does for every host; the
            // near miss is the same shape under an ordinary private root.
            let proxied = |root_name: &str, seed: &str| {
                let root = self_signed(
                    &CertSpec::ca(root_name, None),
                    Key::generate(KeyAlgorithm::P256, seed).unwrap(),
                )
                .unwrap();
                let leaf = issue(
                    &leaf_spec(),
                    Key::generate(KeyAlgorithm::P256, "proxied-leaf").unwrap(),
                    &root,
                )
                .unwrap();
                Case {
                    chain: vec![leaf.der.clone()],
                    anchors: vec![root.der.clone()],
                    ..baseline()
                }
            };
            (
                proxied(
                    "CN=Charles Proxy CA (7 Dec 2026\\, mac.local),OU=https://charlesproxy.com/ssl,O=XK72 Ltd,C=NZ",
                    "charles-root",
                ),
                proxied("CN=Office Test Root,O=Example Corp", "office-root"),
            )
        }),
        ("trust.store-paths-differ", || {
            (
                two_roots_case(APPLE, MOZILLA | CHROME),
                two_roots_case(EVERY_STORE, EVERY_STORE),
            )
        }),
    ]
}
