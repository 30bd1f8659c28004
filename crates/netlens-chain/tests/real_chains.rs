//! Real server chains (x509-limbo's `online::` cases: apple.com, google.com, cloudflare.com and
//! eleven more) against the compiled-in stores: every shipped store trusts each of them, and
//! both verdicts pass, at the moment each was captured, and their embedded SCTs verify with
//! the keys of Apple's CT log list. Needs `../shared/data`; skips without.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use netlens_chain::names::Host;
use netlens_chain::{Analyzer, Options, StoreId};

/// x509-limbo's suite from `../shared/data`, or `None` (with a SKIPPED line) without it.
fn limbo() -> Option<serde_json::Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/x509-limbo/limbo.json");
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!(
            "SKIPPED: {} not found (../shared/data is optional)",
            path.display()
        );
        return None;
    };
    Some(serde_json::from_slice(&bytes).unwrap())
}

#[test]
fn real_chains_are_trusted_by_every_store() {
    let Some(suite) = limbo() else {
        return;
    };
    let mut checked = Vec::new();
    let mut verified_scts = 0;
    for case in suite["testcases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        if !id.starts_with("online::") {
            continue;
        }
        let at =
            netlens_x509::time::parse_moment(case["validation_time"].as_str().unwrap()).unwrap();
        let mut options = Options::at(at);
        let host = case["expected_peer_name"]["value"].as_str().unwrap();
        options.host = Some(Host::Dns(host.to_owned()));
        let mut analyzer = Analyzer::new(options);
        analyzer.add_chain(case["peer_certificate"].as_str().unwrap().as_bytes(), None);
        for pem in case["untrusted_intermediates"].as_array().unwrap() {
            analyzer.add_chain(pem.as_str().unwrap().as_bytes(), None);
        }
        let a = analyzer.analyze();
        for store in StoreId::ALL {
            let t = &a.trust[&store];
            assert!(
                t.trusted,
                "{id}: {} does not trust it: {}",
                t.store, t.reason
            );
        }
        let errors: Vec<_> = a
            .findings
            .iter()
            .filter(|f| !f.decides.is_empty())
            .map(|f| format!("{}: {}", f.rule, f.message))
            .collect();
        assert_eq!(
            a.verdicts[&netlens_chain::Profile::Apple],
            "pass",
            "{id}: {errors:#?}"
        );
        assert_eq!(
            a.verdicts[&netlens_chain::Profile::Rfc5280],
            "pass",
            "{id}: {errors:#?}"
        );
        // Every embedded SCT from a log Apple's compiled-in list has a key for verifies: the
        // precertificate is rebuilt byte for byte.
        let ct = a.ct.as_ref().unwrap();
        for sct in &ct.scts {
            assert_ne!(
                sct.signature,
                netlens_chain::ct::SctSignature::Invalid,
                "{id}: {sct:?}"
            );
            if sct.signature == netlens_chain::ct::SctSignature::Valid {
                verified_scts += 1;
            }
        }
        checked.push(format!(
            "{id} → {}",
            a.trust[&netlens_chain::StoreId::Apple]
                .anchor
                .clone()
                .unwrap_or_default()
        ));
    }
    assert!(checked.len() >= 14, "{checked:?}");
    assert!(
        verified_scts >= 20,
        "{verified_scts} embedded SCT signatures verified"
    );
    for c in [
        "online::apple.com",
        "online::google.com",
        "online::cloudflare.com",
    ] {
        assert!(checked.iter().any(|x| x.starts_with(c)), "{c}");
    }
    eprintln!("{}", checked.join("\n"));
}

/// google.com's leaf sent alone: Chrome trusts its issuer WR2 directly (an intermediate in the
/// Chrome Root Store), Apple and Mozilla need WR2 sent, and say where to download it.
#[test]
fn a_leaf_whose_issuer_only_chrome_trusts_directly_is_missing_its_intermediate_elsewhere() {
    let Some(suite) = limbo() else {
        return;
    };
    let case = suite["testcases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "online::google.com")
        .unwrap();
    let at = netlens_x509::time::parse_moment(case["validation_time"].as_str().unwrap()).unwrap();
    let mut options = Options::at(at);
    options.host = Some(Host::Dns("google.com".into()));
    let mut analyzer = Analyzer::new(options);
    analyzer.add_chain(case["peer_certificate"].as_str().unwrap().as_bytes(), None);
    let a = analyzer.analyze();
    assert!(
        a.trust[&netlens_chain::StoreId::Chrome].trusted,
        "{}",
        a.trust[&netlens_chain::StoreId::Chrome].reason
    );
    assert_eq!(
        a.trust[&netlens_chain::StoreId::Chrome].anchor.as_deref(),
        Some("WR2")
    );
    for store in [
        netlens_chain::StoreId::Apple,
        netlens_chain::StoreId::Mozilla,
    ] {
        let t = &a.trust[&store];
        assert!(!t.trusted);
        assert_eq!(
            t.rule.map(|r| r.as_str()),
            Some("chain.missing-intermediate"),
            "{store}"
        );
        assert!(
            t.reason.contains("\"WR2\", is not in the chain"),
            "{}",
            t.reason
        );
        assert!(
            t.reason.contains("http://i.pki.goog/wr2.crt"),
            "{}",
            t.reason
        );
    }
    assert_eq!(a.verdicts[&netlens_chain::Profile::Apple], "fail");
    assert_eq!(a.verdicts[&netlens_chain::Profile::Rfc5280], "fail");
    let f = a
        .findings
        .iter()
        .find(|f| f.rule == "chain.missing-intermediate")
        .unwrap();
    assert_eq!(f.decides.len(), 2, "{f:?}");
    assert!(
        f.fix
            .contains("curl -sSfo issuer.crt http://i.pki.goog/wr2.crt")
    );
}
