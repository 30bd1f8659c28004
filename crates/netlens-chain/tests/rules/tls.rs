//! Cases of `tls.*`: the leaf's use for TLS. Mirrors `src/rules/tls.rs`.

use super::*;

/// rule id → (a case where it fires, a near miss where it must not).
pub(crate) fn cases() -> Vec<(&'static str, Pair)> {
    vec![
        ("tls.must-staple-missing", || {
            // A Must-Staple leaf from a server that stapled nothing to a client that asked; the
            // near miss is the same leaf read offline, where nobody asked.
            let must_staple = with_ext(
                leaf_spec(),
                extension(
                    netlens_testkit::oid::TLS_FEATURE,
                    false,
                    &<der::asn1::Any as der::Decode>::from_der(&[0x30, 0x03, 0x02, 0x01, 0x05])
                        .unwrap(),
                )
                .unwrap(),
            );
            let mut fires = case(must_staple.clone());
            fires.handshake = Some(vec![netlens_chain::ct::SourceExamined {
                source: netlens_chain::ct::SctSource::Ocsp,
                examined: true,
                how: "the test connection asked for a staple".into(),
            }]);
            (fires, case(must_staple))
        }),
        ("tls.hostname-mismatch", || {
            let mut fires = baseline();
            fires.options.host =
                Some(netlens_chain::names::parse_host("api.netlens.test").unwrap());
            (fires, baseline())
        }),
        ("tls.cn-only-name", || {
            (
                case(CertSpec {
                    dns_names: Vec::new(),
                    ..leaf_spec()
                }),
                baseline(),
            )
        }),
        ("tls.missing-serverauth-eku", || {
            (
                case(CertSpec {
                    extended_key_usage: vec![oid::CLIENT_AUTH],
                    ..leaf_spec()
                }),
                baseline(),
            )
        }),
        ("tls.missing-clientauth-eku", || {
            let mut fires = baseline();
            fires.options.purpose = Purpose::ClientAuth;
            let mut near = case(CertSpec {
                extended_key_usage: vec![oid::SERVER_AUTH, oid::CLIENT_AUTH],
                ..leaf_spec()
            });
            near.options.purpose = Purpose::ClientAuth;
            (fires, near)
        }),
        ("tls.key-usage-not-allowed", || {
            let mut fires = baseline();
            fires.options.required_key_usage = vec!["keyEncipherment".into()];
            let mut near = baseline();
            near.options.required_key_usage = vec!["digitalSignature".into()];
            (fires, near)
        }),
        ("tls.invalid-san", || {
            (
                case(CertSpec {
                    dns_names: vec![HOST.into(), "under_score.netlens.test".into()],
                    ..leaf_spec()
                }),
                baseline(),
            )
        }),
    ]
}
