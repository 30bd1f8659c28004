//! Cases of `cabf.*`: the CA/B Forum profile. Mirrors `src/rules/cabf.rs`.

use super::*;

/// rule id → (a case where it fires, a near miss where it must not).
pub(crate) fn cases() -> Vec<(&'static str, Pair)> {
    vec![
        ("cabf.cn-not-in-san", || {
            (
                case(CertSpec {
                    subject: "CN=WWW.Netlens.Test".into(),
                    ..leaf_spec()
                }),
                baseline(),
            )
        }),
        ("cabf.version-not-v3", || {
            let v1 = CertSpec {
                subject_key_id: false,
                authority_key_id: false,
                ..CertSpec::new(&format!("CN={HOST}"))
            };
            (case(v1), baseline())
        }),
        ("cabf.key-not-allowed", || {
            (
                case(CertSpec {
                    spki_override: Some(netlens_testkit::ec_spki("1.3.132.0.33", 28).unwrap()),
                    ..leaf_spec()
                }),
                baseline(),
            )
        }),
        ("cabf.eku-profile", || {
            let spec = with_ext(
                CertSpec {
                    extended_key_usage: Vec::new(),
                    ..leaf_spec()
                },
                ext("2.5.29.37", true, &ExtendedKeyUsage(vec![oid::SERVER_AUTH])),
            );
            (case(spec), baseline())
        }),
        ("cabf.aki-profile", || {
            let aki = AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(vec![9u8; 20]).unwrap()),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            };
            let key = Key::generate(KeyAlgorithm::P256, "root-bad-aki").unwrap();
            let root = self_signed(
                &with_ext(
                    CertSpec {
                        authority_key_id: false,
                        ..CertSpec::ca("CN=Bad AKI Root", None)
                    },
                    ext("2.5.29.35", false, &aki),
                ),
                key,
            )
            .unwrap();
            let leaf = issue(
                &leaf_spec(),
                Key::generate(KeyAlgorithm::P256, "under-bad-aki").unwrap(),
                &root,
            )
            .unwrap();
            let mut fires = case_with(&leaf, &root);
            fires.chain.truncate(1);
            fires.anchors = vec![root.der];
            (fires, baseline())
        }),
        ("cabf.empty-extension", || {
            (
                case(with_ext(
                    leaf_spec(),
                    ext(
                        "1.3.6.1.5.5.7.1.1",
                        false,
                        &AuthorityInfoAccessSyntax(vec![]),
                    ),
                )),
                baseline(),
            )
        }),
        ("cabf.validity-over-limit", || {
            (public_leaf_case(250, 3), public_leaf_case(190, 3))
        }),
    ]
}
