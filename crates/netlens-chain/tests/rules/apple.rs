//! Cases of `apple.*` and `ats.*`: Apple's rules and App Transport Security. Mirrors `src/rules/apple.rs`.

use super::*;

/// rule id → (a case where it fires, a near miss where it must not).
pub(crate) fn cases() -> Vec<(&'static str, Pair)> {
    vec![
        ("apple.sha1-signature", sha1_pair),
        ("apple.rsa-key-too-small", || {
            let leaf = issue(
                &leaf_spec(),
                Key::generate(KeyAlgorithm::Rsa(1024), "rsa1024").unwrap(),
                &pki().inter,
            )
            .unwrap();
            (case_with(&leaf, &pki().inter), baseline())
        }),
        ("apple.validity-over-825-days", || {
            (
                case(leaf_spec().valid(JAN_2025, JAN_2025 + 900 * DAY)),
                case(leaf_spec().valid(JAN_2025, JAN_2025 + 800 * DAY)),
            )
        }),
        ("apple.validity-over-398-days", || {
            let spec = |days| {
                let mut s = leaf_spec().valid(JAN_2025, JAN_2025 + days * DAY - 1);
                s.extra_extensions
                    .push(netlens_testkit::sct_list_extension(3, 1_735_689_600_000).unwrap());
                s
            };
            (
                public(case_with(&leaf_from(spec(400), "long"), &pki().inter)),
                public(case_with(&leaf_from(spec(397), "short"), &pki().inter)),
            )
        }),
        ("apple.ct-insufficient-scts", || {
            (public_leaf_case(90, 1), public_leaf_case(90, 2))
        }),
        ("apple.ct-operator-diversity", || {
            let mut fires = public_leaf_case(90, 2);
            fires.log_list = Some(log_list(&["Same Operator", "Same Operator"]));
            let mut near = public_leaf_case(90, 2);
            near.log_list = Some(log_list(&["Operator A", "Operator B"]));
            (fires, near)
        }),
        ("apple.key-usage-cipher-mismatch", || {
            (
                case(CertSpec {
                    key_usage: vec![Usage::KeyEncipherment],
                    ..leaf_spec()
                }),
                baseline(),
            )
        }),
        ("ats.ec-key-too-small", || {
            (
                case(CertSpec {
                    spki_override: Some(netlens_testkit::ec_spki("1.3.132.0.33", 28).unwrap()),
                    ..leaf_spec()
                }),
                baseline(),
            )
        }),
        ("ats.signature-hash-too-weak", || {
            let leaf = issue(
                &CertSpec {
                    signature_hash: SignatureHash::Sha224,
                    ..leaf_spec()
                },
                Key::generate(KeyAlgorithm::P256, "sha224").unwrap(),
                &pki().rsa_inter,
            )
            .unwrap();
            let near = issue(
                &leaf_spec(),
                Key::generate(KeyAlgorithm::P256, "sha256").unwrap(),
                &pki().rsa_inter,
            )
            .unwrap();
            (
                case_with(&leaf, &pki().rsa_inter),
                case_with(&near, &pki().rsa_inter),
            )
        }),
        ("ats.server-configuration", || {
            let mut near = baseline();
            near.options.purpose = Purpose::ClientAuth;
            (baseline(), near)
        }),
        ("ats.ed25519-key", || {
            let leaf = issue(
                &leaf_spec(),
                Key::generate(KeyAlgorithm::Ed25519, "ed").unwrap(),
                &pki().inter,
            )
            .unwrap();
            (case_with(&leaf, &pki().inter), baseline())
        }),
    ]
}
