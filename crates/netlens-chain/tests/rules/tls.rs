//! Cases of `tls.*`: the leaf's use for TLS. Mirrors `src/rules/tls.rs`.

use super::*;

/// rule id → (a case where it fires, a near miss where it must not).
pub(crate) fn cases() -> Vec<(&'static str, Pair)> {
    vec![
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
