//! SCTs from every source and stapled OCSP responses: counted by where they came from, their
//! signatures checked with the log's (or the issuer's) key, and judged as Apple and Chrome do.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use netlens_chain::ct::SctSource;
use netlens_chain::{Analysis, Analyzer, Options};
use netlens_testkit::staple::{self, Status, TestLog};
use netlens_testkit::{CertSpec, DAY, Issued, Key, KeyAlgorithm, issue, self_signed};

const NOT_BEFORE: i64 = 1_775_001_600; // 2026-04-01
const AT: i64 = NOT_BEFORE + 10 * DAY;

struct Pki {
    root: Issued,
    leaf: Issued,
    logs: Vec<TestLog>,
}

fn pki() -> Pki {
    let root = self_signed(
        &CertSpec::ca("CN=Staples Root", None),
        Key::generate(KeyAlgorithm::P256, "staples-root").unwrap(),
    )
    .unwrap();
    let leaf = issue(
        &CertSpec::leaf("www.netlens.test").valid(NOT_BEFORE, NOT_BEFORE + 90 * DAY),
        Key::generate(KeyAlgorithm::P256, "staples-leaf").unwrap(),
        &root,
    )
    .unwrap();
    let logs = vec![
        TestLog::new("Operator A", "log-a").unwrap(),
        TestLog::new("Operator B", "log-b").unwrap(),
        TestLog::new("Operator A", "log-a2").unwrap(),
    ];
    Pki { root, leaf, logs }
}

/// The leaf under a root treated as public (Apple's CT rules apply), with the test logs' list.
fn analyzer(p: &Pki) -> Analyzer {
    let mut options = Options::at(AT);
    options.builtin_roots = false;
    options.anchors_are_public = true;
    let mut a = Analyzer::new(options);
    a.add_chain(p.leaf.pem().as_bytes(), None);
    a.add_anchors(p.root.pem().as_bytes(), None);
    let logs: Vec<&TestLog> = p.logs.iter().collect();
    a.set_ct_log_list(staple::log_list_json("7", &logs).unwrap().as_bytes())
        .unwrap();
    a
}

fn scts(p: &Pki, logs: &[usize], cert: &[u8]) -> Vec<u8> {
    let list: Vec<Vec<u8>> = logs
        .iter()
        .map(|&i| p.logs[i].sct(cert, (NOT_BEFORE as u64) * 1000).unwrap())
        .collect();
    staple::sct_list(&list).unwrap()
}

fn rules(a: &Analysis) -> Vec<&str> {
    a.findings.iter().map(|f| f.rule.as_str()).collect()
}

#[test]
fn without_handshake_scts_the_offline_finding_says_nobody_looked() {
    let p = pki();
    let a = analyzer(&p).analyze();
    let f = a
        .findings
        .iter()
        .find(|f| f.rule == "apple.ct-insufficient-scts")
        .expect("no SCT at all");
    assert!(
        f.message.contains("TLS extension: not looked at"),
        "{}",
        f.message
    );
    assert_eq!(a.verdicts[&netlens_chain::Profile::Apple], "fail");
}

#[test]
fn scts_from_the_tls_extension_count_for_apple_and_chrome() {
    let p = pki();
    let mut a = analyzer(&p);
    let list = scts(&p, &[0, 1], &p.leaf.der);
    a.add_handshake(None, Some(&list), Vec::new(), "127.0.0.1:8443");
    let a = a.analyze();
    assert!(
        !rules(&a).iter().any(|r| r.starts_with("apple.ct-")),
        "{:?}",
        rules(&a)
    );
    let ct = a.ct.as_ref().unwrap();
    assert!(ct.apple.compliant && ct.chrome.compliant, "{ct:?}");
    assert_eq!(ct.scts.len(), 2);
    assert!(
        ct.scts
            .iter()
            .all(|s| s.source == SctSource::TlsExtension && s.counts)
    );
    assert!(
        ct.scts
            .iter()
            .all(|s| s.signature == netlens_chain::ct::SctSignature::Valid)
    );
    assert!(
        ct.sources
            .iter()
            .any(|s| s.source == SctSource::TlsExtension && s.examined)
    );
    assert_eq!(a.verdicts[&netlens_chain::Profile::Apple], "pass");
}

#[test]
fn one_operator_is_enough_for_apple_in_the_handshake_but_not_for_chrome() {
    let p = pki();
    let mut a = analyzer(&p);
    let list = scts(&p, &[0, 2], &p.leaf.der); // both of Operator A
    a.add_handshake(None, Some(&list), Vec::new(), "127.0.0.1:8443");
    let ct = a.analyze().ct.unwrap();
    assert!(ct.apple.compliant, "{}", ct.apple.explanation);
    assert!(!ct.chrome.compliant, "{}", ct.chrome.explanation);
}

#[test]
fn an_sct_that_does_not_verify_never_counts() {
    let p = pki();
    let mut a = analyzer(&p);
    // Signed over another certificate: the log's key does not verify it for this leaf.
    let list = scts(&p, &[0, 1], &p.root.der);
    a.add_handshake(None, Some(&list), Vec::new(), "127.0.0.1:8443");
    let a = a.analyze();
    let ct = a.ct.as_ref().unwrap();
    assert!(
        ct.scts
            .iter()
            .all(|s| !s.counts && s.signature == netlens_chain::ct::SctSignature::Invalid)
    );
    let f = a
        .findings
        .iter()
        .find(|f| f.rule == "apple.ct-operator-diversity")
        .unwrap();
    assert!(f.message.contains("does not verify"), "{}", f.message);
}

#[test]
fn scts_in_a_stapled_ocsp_response_count_and_the_response_is_decoded() {
    let p = pki();
    let mut a = analyzer(&p);
    let list = scts(&p, &[0, 1], &p.leaf.der);
    let response = staple::ocsp_response(
        &p.root,
        &p.leaf,
        Status::Good,
        AT - DAY,
        Some(AT + 6 * DAY),
        Some(&list),
    )
    .unwrap();
    a.add_handshake(Some(&response), None, Vec::new(), "127.0.0.1:8443");
    let a = a.analyze();
    let ct = a.ct.as_ref().unwrap();
    assert!(ct.apple.compliant, "{}", ct.apple.explanation);
    assert!(
        ct.scts
            .iter()
            .all(|s| s.source == SctSource::Ocsp && s.counts)
    );
    let view = &a.ocsp[0];
    assert_eq!(view.cert_status.as_deref(), Some("good"));
    assert_eq!(view.signed_by.as_deref(), Some("issuer"));
    assert!(
        view.signature_valid && view.current && view.problems.is_empty(),
        "{view:?}"
    );
    assert_eq!(view.scts, 2);
}

#[test]
fn a_revoked_status_is_an_error_and_a_stale_or_foreign_response_a_warning() {
    let p = pki();
    let revoked = staple::ocsp_response(
        &p.root,
        &p.leaf,
        Status::Revoked(AT - 2 * DAY),
        AT - DAY,
        Some(AT + DAY),
        None,
    )
    .unwrap();
    let mut a = analyzer(&p);
    a.add_chain(&revoked, Some("resp.der"));
    let a = a.analyze();
    let f = a
        .findings
        .iter()
        .find(|f| f.rule == "chain.revoked")
        .unwrap();
    assert!(
        f.message.contains("keyCompromise") && f.message.contains("resp.der"),
        "{}",
        f.message
    );
    assert_eq!(a.verdicts[&netlens_chain::Profile::Apple], "fail");

    let stale = staple::ocsp_response(
        &p.root,
        &p.leaf,
        Status::Good,
        AT - 9 * DAY,
        Some(AT - DAY),
        None,
    )
    .unwrap();
    let mut a = analyzer(&p);
    a.add_chain(&stale, Some("stale.der"));
    let a = a.analyze();
    let f = a
        .findings
        .iter()
        .find(|f| f.rule == "chain.ocsp-response-unusable")
        .unwrap();
    assert!(f.message.contains("expired"), "{}", f.message);

    // Another issuer's answer: not signed by this leaf's issuer.
    let other = self_signed(
        &CertSpec::ca("CN=Staples Root", None),
        Key::generate(KeyAlgorithm::P256, "impostor").unwrap(),
    )
    .unwrap();
    let forged = staple::ocsp_response(
        &other,
        &p.leaf,
        Status::Good,
        AT - DAY,
        Some(AT + DAY),
        None,
    )
    .unwrap();
    let mut a = analyzer(&p);
    a.add_chain(&forged, Some("forged.der"));
    let a = a.analyze();
    assert!(!a.ocsp[0].signature_valid);
    assert!(rules(&a).contains(&"chain.ocsp-response-unusable"));
}

#[test]
fn pasted_serverinfo_and_base64_staples_analyse_like_a_live_handshake() {
    let p = pki();
    let list = scts(&p, &[0, 1], &p.leaf.der);
    let mut a = analyzer(&p);
    a.add_chain(
        staple::serverinfo_pem(&list).unwrap().as_bytes(),
        Some("serverinfo.pem"),
    );
    let ct = a.analyze().ct.unwrap();
    assert!(ct.apple.compliant);
    assert!(ct.scts.iter().all(|s| s.source == SctSource::TlsExtension));

    // A bare base64 SCT list: its delivery is not known, and it counts as delivered beside
    // the certificate.
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&list);
    let mut a = analyzer(&p);
    a.add_chain(b64.as_bytes(), Some("scts.txt"));
    let ct = a.analyze().ct.unwrap();
    assert!(ct.apple.compliant);
    assert!(ct.scts.iter().all(|s| s.source == SctSource::Supplied));
}

/// The compiled-in list is Apple's `log_list.json` of the same version (from `../shared/data`,
/// skipped without it): every log, its state, operator and key.
#[test]
fn the_builtin_log_list_is_apples() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/apple-ct-log-list.json");
    let Ok(json) = std::fs::read(&path) else {
        eprintln!(
            "SKIPPED: {} not found (../shared/data is optional)",
            path.display()
        );
        return;
    };
    let shared = netlens_chain::ct::LogList::parse(&json).unwrap();
    let builtin = netlens_chain::ct::LogList::builtin().unwrap();
    assert_eq!(builtin.info.version, shared.info.version);
    assert_eq!(builtin.len(), shared.len());
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let mut checked = 0;
    for op in value["operators"].as_array().unwrap() {
        for kind in ["logs", "tiled_logs"] {
            for log in op[kind].as_array().into_iter().flatten() {
                use base64::Engine as _;
                let id: [u8; 32] = base64::engine::general_purpose::STANDARD
                    .decode(log["log_id"].as_str().unwrap())
                    .unwrap()
                    .try_into()
                    .unwrap();
                let (a, b) = (builtin.get(&id).unwrap(), shared.get(&id).unwrap());
                assert_eq!(
                    (a.state, &a.operator, a.tiled, a.state_since),
                    (b.state, &b.operator, b.tiled, b.state_since)
                );
                if a.state != netlens_chain::ct::LogState::Rejected {
                    assert_eq!(a.key, b.key, "{}", a.description);
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, shared.len());
}
