//! Cases of `info.*`: advice. Mirrors `src/rules/mod.rs`.

use super::*;

/// rule id → (a case where it fires, a near miss where it must not).
pub(crate) fn cases() -> Vec<(&'static str, Pair)> {
    vec![
        ("info.revocation-pointers", || {
            (
                case(CertSpec {
                    ocsp_urls: vec!["http://ocsp.netlens.test".into()],
                    ..leaf_spec()
                }),
                baseline(),
            )
        }),
        ("info.private-root", || (baseline(), public(baseline()))),
        ("info.no-hostname", || {
            let mut fires = baseline();
            fires.options.host = None;
            (fires, baseline())
        }),
    ]
}
