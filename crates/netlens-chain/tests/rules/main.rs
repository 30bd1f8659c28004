//! Every rule of the catalog, proved on real certificates: for each rule a chain that makes it
//! fire and a near miss that must not. Certificates come from the test kit (real keys, real
//! signatures), validated at a fixed moment. A meta-test fails when a catalog rule has no case.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::net::IpAddr;
use std::sync::OnceLock;

use base64::Engine as _;
use const_oid::ObjectIdentifier;
use der::Encode;
use der::asn1::{Ia5String, OctetString};
use netlens_chain::{Analysis, Analyzer, Options, Purpose, RULES, Severity, StoreId, TrustData};
use netlens_roots::{Basis, Distrust, RemovedRoot, Root};
use netlens_testkit::{
    CertSpec, DAY, Issued, JAN_2025, Key, KeyAlgorithm, SignatureHash, Usage, der_tlv, extension,
    issue, oid, resign, self_signed, sign_raw,
};
use sha2::Digest;
use x509_cert::ext::pkix::constraints::name::GeneralSubtree;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, ExtendedKeyUsage,
    NameConstraints, SubjectAltName, SubjectKeyIdentifier,
};

/// The validation moment: 100 days into 2025, inside every default validity.
mod apple;
mod cabf;
mod chain;
mod info;
mod tls;
mod trust;
mod x509;

const AT: i64 = JAN_2025 + 100 * DAY;
const HOST: &str = "www.netlens.test";

struct Pki {
    root: Issued,
    inter: Issued,
    rsa_inter: Issued,
}

fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let root = self_signed(
            &CertSpec {
                authority_key_id: false,
                ..CertSpec::ca("CN=Rules Root,O=Netlens Rules", None)
            },
            Key::generate(KeyAlgorithm::P256, "rules-root").unwrap(),
        )
        .unwrap();
        let inter = issue(
            &CertSpec::ca("CN=Rules Issuing CA,O=Netlens Rules", Some(0)),
            Key::generate(KeyAlgorithm::P256, "rules-inter").unwrap(),
            &root,
        )
        .unwrap();
        let rsa_inter = issue(
            &CertSpec::ca("CN=Rules RSA CA,O=Netlens Rules", Some(0)),
            Key::generate(KeyAlgorithm::Rsa(2048), "rules-rsa-inter").unwrap(),
            &root,
        )
        .unwrap();
        Pki {
            root,
            inter,
            rsa_inter,
        }
    })
}

/// What an analysis is run on.
#[derive(Clone)]
struct Case {
    chain: Vec<Vec<u8>>,
    anchors: Vec<Vec<u8>>,
    crls: Vec<Vec<u8>>,
    log_list: Option<String>,
    /// What a live connection looked at (the OCSP staple and the SCT extension), when the
    /// case is one.
    handshake: Option<Vec<netlens_chain::ct::SourceExamined>>,
    options: Options,
}

impl Case {
    fn run(&self) -> Analysis {
        analyzer_for(self).analyze()
    }
}

fn options() -> Options {
    let mut o = Options::at(AT);
    o.builtin_roots = false;
    // The cases' SCTs come from test logs: their list is given where a case needs one.
    o.builtin_ct_log_list = false;
    o.host = Some(netlens_chain::names::parse_host(HOST).unwrap());
    o
}

/// A chain: `leaf`, then the issuing intermediate, trusting the rules root.
fn case_with(leaf: &Issued, issuer: &Issued) -> Case {
    Case {
        chain: vec![leaf.der.clone(), issuer.der.clone()],
        anchors: vec![pki().root.der.clone()],
        crls: Vec::new(),
        log_list: None,
        handshake: None,
        options: options(),
    }
}

fn leaf_spec() -> CertSpec {
    CertSpec::leaf(HOST).serial(&[0x11, 0x22])
}

fn leaf_from(spec: CertSpec, seed: &str) -> Issued {
    issue(
        &spec,
        Key::generate(KeyAlgorithm::P256, seed).unwrap(),
        &pki().inter,
    )
    .unwrap()
}

fn case(spec: CertSpec) -> Case {
    let seed = format!("leaf-{}", spec.subject);
    case_with(&leaf_from(spec, &seed), &pki().inter)
}

fn baseline() -> Case {
    case(leaf_spec())
}

fn ext(oid_str: &str, critical: bool, value: &impl Encode) -> x509_cert::ext::Extension {
    extension(ObjectIdentifier::new_unwrap(oid_str), critical, value).unwrap()
}

fn with_ext(mut spec: CertSpec, e: x509_cert::ext::Extension) -> CertSpec {
    spec.extra_extensions.push(e);
    spec
}

fn public(mut c: Case) -> Case {
    c.options.anchors_are_public = true;
    c
}

/// A leaf valid `days` from 2026-04-01 at 2026-05-01, in a public chain.
fn public_leaf_case(days: i64, scts: u8) -> Case {
    let nb = 1_775_001_600; // 2026-04-01T00:00:00Z
    let mut spec = leaf_spec().valid(nb, nb + days * DAY - 1);
    if scts > 0 {
        spec.extra_extensions
            .push(netlens_testkit::sct_list_extension(scts, 1_775_001_600_000).unwrap());
    }
    let seed = format!("public-{days}-{scts}");
    let leaf = leaf_from(spec, &seed);
    let mut c = public(case_with(&leaf, &pki().inter));
    c.options.at = nb + 30 * DAY;
    // The rules PKI's root is valid for 20 years and the intermediate for one: reissue the
    // intermediate for the later dates.
    c
}

/// An Apple-format log list with the test kit's SCT logs (`log0`, `log1`…) and given operators.
fn log_list(operators: &[&str]) -> String {
    let mut ops: Vec<String> = Vec::new();
    for (i, op) in operators.iter().enumerate() {
        let id = base64::engine::general_purpose::STANDARD
            .encode(sha2::Sha256::digest([b'l', b'o', b'g', i as u8]));
        ops.push(format!(
            r#"{{"name":"{op}","email":[],"logs":[{{"description":"Log {i}","key":"","log_id":"{id}","mmd":86400,"state":{{"usable":{{"timestamp":"2024-01-01T00:00:00Z"}}}}}}]}}"#
        ));
    }
    format!(r#"{{"version":"1","operators":[{}]}}"#, ops.join(","))
}

fn intermediate(spec: CertSpec, seed: &str) -> Issued {
    issue(
        &spec,
        Key::generate(KeyAlgorithm::P256, seed).unwrap(),
        &pki().root,
    )
    .unwrap()
}

fn chain_via(inter: &Issued, leaf_spec: CertSpec, seed: &str) -> Case {
    let leaf = issue(
        &leaf_spec,
        Key::generate(KeyAlgorithm::P256, seed).unwrap(),
        inter,
    )
    .unwrap();
    case_with(&leaf, inter)
}

/// Stores made of test roots, for the `trust.*` rules: the rules root (and others) with the
/// stores that hold them. Leaked: a store is `'static` data, and a test process is short.
fn store_root(root: &Issued, stores: u8) -> Root {
    let scan = netlens_x509::input::scan(&root.der, None);
    let cert = netlens_chain::model::ChainCert::parse(&scan.certificates()[0], 0, 0).unwrap();
    let (not_before, not_after) = cert.validity();
    Root {
        sha256: cert.fingerprint,
        label: Box::leak(cert.details.label.clone().into_boxed_str()),
        subject: Box::leak(cert.subject.clone().into_boxed_slice()),
        spki: Box::leak(cert.spki.clone().into_boxed_slice()),
        name_constraints: None,
        not_before,
        not_after,
        self_issued: cert.self_issued(),
        stores,
        apple_policies: &[],
        distrust: &[],
        expiry_enforced: 0,
    }
}

const APPLE: u8 = StoreId::Apple.bit();
const MOZILLA: u8 = StoreId::Mozilla.bit();
const CHROME: u8 = StoreId::Chrome.bit();
const EVERY_STORE: u8 = APPLE | MOZILLA | CHROME;

/// A leaf a public CA would issue: the baseline's, with the three SCTs Apple's CT policy asks of
/// a one-year certificate.
fn public_leaf() -> &'static Issued {
    static LEAF: OnceLock<Issued> = OnceLock::new();
    LEAF.get_or_init(|| {
        let sct_ms = JAN_2025 as u64 * 1000;
        leaf_from(
            with_ext(
                leaf_spec(),
                netlens_testkit::sct_list_extension(3, sct_ms).unwrap(),
            ),
            "public-store-leaf",
        )
    })
}

/// The public leaf and the rules issuing CA, anchored on stores of `roots` instead of a user
/// anchor.
fn store_case(roots: Vec<Root>, removed: Vec<RemovedRoot>) -> Case {
    let mut c = case_with(public_leaf(), &pki().inter);
    c.anchors.clear();
    c.options.builtin_roots = true;
    c.options.trust_data = TrustData {
        roots: Box::leak(roots.into_boxed_slice()),
        removed: Box::leak(removed.into_boxed_slice()),
    };
    c
}

/// The rules root in `stores`, changed by `edit`.
fn rules_root_in(stores: u8, edit: impl FnOnce(&mut Root)) -> Case {
    let mut root = store_root(&pki().root, stores);
    edit(&mut root);
    store_case(vec![root], Vec::new())
}

/// The rules root as Apple lists a removed root.
fn removed_rules_root() -> RemovedRoot {
    let root = store_root(&pki().root, 0);
    RemovedRoot {
        sha256: root.sha256,
        subject_digest: netlens_chain::store::digest8(root.subject),
        spki_digest: netlens_chain::store::digest8(root.spki),
        label: root.label,
        removed_in: "2024051500",
    }
}

/// A second root, and the rules issuing CA cross-signed by it (same name, same key).
fn cross_signed() -> (Issued, Issued) {
    let other = self_signed(
        &CertSpec {
            authority_key_id: false,
            ..CertSpec::ca("CN=Other Root,O=Netlens Other", None)
        },
        Key::generate(KeyAlgorithm::P256, "other-root").unwrap(),
    )
    .unwrap();
    let cross = issue(
        &CertSpec::ca("CN=Rules Issuing CA,O=Netlens Rules", Some(0)).serial(&[0x42]),
        Key::generate(KeyAlgorithm::P256, "rules-inter").unwrap(),
        &other,
    )
    .unwrap();
    (other, cross)
}

/// The leaf, the rules issuing CA and its cross-signed twin; the rules root held by
/// `rules_stores`, the other root by `other_stores`.
fn two_roots_case(rules_stores: u8, other_stores: u8) -> Case {
    let (other, cross) = cross_signed();
    let mut c = store_case(
        vec![
            store_root(&pki().root, rules_stores),
            store_root(&other, other_stores),
        ],
        Vec::new(),
    );
    c.chain.push(cross.der);
    c
}

/// A distrust decision of `store` at `after`.
fn distrust(store: StoreId, after: i64, basis: Basis) -> &'static [Distrust] {
    Box::leak(Box::new([Distrust {
        store,
        after,
        basis,
        source: "a test decision",
    }]))
}

type Pair = fn() -> (Case, Case);

/// rule id → (a case where it fires, a near miss where it must not).
fn cases() -> Vec<(&'static str, Pair)> {
    [
        chain::cases(),
        apple::cases(),
        tls::cases(),
        x509::cases(),
        cabf::cases(),
        info::cases(),
        trust::cases(),
    ]
    .concat()
}

fn sha1_pair() -> (Case, Case) {
    let leaf = issue(
        &CertSpec {
            signature_hash: SignatureHash::Sha1,
            ..leaf_spec()
        },
        Key::generate(KeyAlgorithm::P256, "sha1").unwrap(),
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
}

/// `n` CAs sharing one subject and one key, each issued by the previous: every one verifies
/// every other, the pathological shape of Go's `TestPathologicalChains`.
fn same_key_cas(n: usize) -> Case {
    let key = Key::generate(KeyAlgorithm::P256, "loop").unwrap();
    let first = self_signed(&CertSpec::ca("CN=Loop CA", None), key.clone()).unwrap();
    let mut cas = vec![first];
    for i in 1..n {
        let next = issue(
            &CertSpec::ca("CN=Loop CA", None).serial(&[i as u8 + 1]),
            key.clone(),
            &cas[i - 1],
        )
        .unwrap();
        cas.push(next);
    }
    let leaf = issue(
        &leaf_spec(),
        Key::generate(KeyAlgorithm::P256, "loop-leaf").unwrap(),
        &cas[n - 1],
    )
    .unwrap();
    let mut c = case_with(&leaf, &cas[n - 1]);
    c.chain = std::iter::once(leaf.der.clone())
        .chain(cas.iter().rev().map(|c| c.der.clone()))
        .collect();
    c
}

fn fires(a: &Analysis, rule: &str) -> bool {
    a.findings.iter().any(|f| f.rule == rule)
}

#[test]
fn baseline_chain_is_clean() {
    let a = baseline().run();
    let loud: Vec<_> = a
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Info)
        .collect();
    assert!(loud.is_empty(), "{loud:#?}");
    assert_eq!(a.verdicts[&netlens_chain::Profile::Apple], "pass");
    assert_eq!(a.verdicts[&netlens_chain::Profile::Rfc5280], "pass");
    assert!(a.path_trusted);
}

#[test]
fn every_rule_fires_on_its_case_and_not_on_its_near_miss() {
    let table = cases();
    let mut failures = Vec::new();
    for (rule, pair) in &table {
        let (fire_case, near_case) = pair();
        let fired = fire_case.run();
        let near = near_case.run();
        if !fires(&fired, rule) {
            failures.push(format!(
                "{rule}: did not fire; findings: {:?}",
                fired.findings.iter().map(|f| f.rule).collect::<Vec<_>>()
            ));
        }
        if fires(&near, rule) {
            failures.push(format!(
                "{rule}: fired on the near miss: {:?}",
                near.findings
                    .iter()
                    .filter(|f| f.rule == *rule)
                    .map(|f| &f.message)
                    .collect::<Vec<_>>()
            ));
        }
        // A firing error finding fails the verdicts it claims to decide.
        for f in fired.findings.iter().filter(|f| f.rule == *rule) {
            for p in &f.decides {
                assert_eq!(
                    fired.verdicts[p],
                    "fail",
                    "{rule} decides {} but it passed",
                    p.id()
                );
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_catalog_rule_has_a_case() {
    let table = cases();
    let missing: Vec<&str> = RULES
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !table.iter().any(|(r, _)| r == id))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a firing case and near miss: {missing:?}"
    );
    let _ = IpAddr::from([127, 0, 0, 1]);
}

fn analyzer_for(case: &Case) -> Analyzer {
    let mut a = Analyzer::new(case.options.clone());
    for c in &case.chain {
        a.add_chain(c, None);
    }
    for c in &case.crls {
        a.add_chain(c, Some("crl"));
    }
    for c in &case.anchors {
        a.add_anchors(c, Some("anchor"));
    }
    if let Some(list) = &case.log_list {
        a.set_ct_log_list(list.as_bytes()).unwrap();
    }
    if let Some(examined) = &case.handshake {
        a.add_handshake(None, None, examined.clone(), "the test connection");
    }
    a
}

/// The browser's path gives exactly the native analysis: plan, run the checks elsewhere (here
/// RustCrypto, as the verification module does), finish; then run what a truncated search asked
/// for beyond the plan and finish again, within [`MAX_ROUNDS`].
#[test]
fn precomputed_verification_matches_rustcrypto_within_the_round_limit() {
    use netlens_chain::crypto::{MAX_ROUNDS, Precomputed};
    let mut most_rounds = 0;
    for (rule, pair) in cases() {
        let (fire, near) = pair();
        for case in [fire, near] {
            let reference = serde_json::to_value(case.run()).unwrap();
            let prepared = analyzer_for(&case).prepare();
            let mut pending = prepared.plan();
            let mut known = Precomputed::new();
            let mut rounds = 0;
            let browser = loop {
                rounds += 1;
                for r in pending {
                    let outcome = r.verify();
                    known.insert(r, outcome);
                }
                let analysis = prepared.clone().finish(&known);
                pending = known.take_missed();
                if pending.is_empty() || rounds == MAX_ROUNDS {
                    break analysis;
                }
            };
            assert!(
                pending.is_empty(),
                "{rule}: checks still missing after {rounds} rounds"
            );
            if rule != "chain.search-limit" {
                assert_eq!(rounds, 1, "{rule}: the plan missed a signature check");
            }
            most_rounds = most_rounds.max(rounds);
            assert_eq!(
                serde_json::to_value(browser).unwrap(),
                reference,
                "{rule}: precomputed verification changed the analysis"
            );
        }
    }
    assert!(
        most_rounds <= 2,
        "MAX_ROUNDS' documentation says two rounds suffice"
    );
}

#[test]
fn webcrypto_calls_for_the_usual_algorithms() {
    use netlens_chain::crypto::webcrypto_call;
    let prepared = analyzer_for(&baseline()).prepare();
    let calls: Vec<_> = prepared.plan().iter().filter_map(webcrypto_call).collect();
    assert!(!calls.is_empty());
    assert!(
        calls.iter().all(|c| c.name == "ECDSA"
            && c.named_curve == Some("P-256")
            && c.signature.len() == 64)
    );
    let (rsa, _) = sha1_pair();
    let prepared = analyzer_for(&rsa).prepare();
    let names: Vec<_> = prepared
        .plan()
        .iter()
        .filter_map(webcrypto_call)
        .map(|c| (c.name, c.hash))
        .collect();
    assert!(
        names.contains(&("RSASSA-PKCS1-v1_5", Some("SHA-1"))),
        "{names:?}"
    );
}

// ---- Trust stores: the matrix, each store's verdict, distrust dates, EKU chaining ----

fn finding<'a>(a: &'a Analysis, rule: &str) -> &'a netlens_chain::Finding {
    a.findings
        .iter()
        .find(|f| f.rule == rule)
        .unwrap_or_else(|| panic!("no {rule}: {:#?}", a.findings))
}

#[test]
fn a_root_in_one_store_only_is_trusted_there_and_named_missing_elsewhere() {
    // Only Mozilla holds the root: Firefox trusts the chain, an iPhone does not.
    let a = rules_root_in(MOZILLA, |_| {}).run();
    assert!(
        a.trust[&netlens_chain::StoreId::Mozilla].trusted,
        "{:?}",
        a.trust[&netlens_chain::StoreId::Mozilla]
    );
    assert!(!a.trust[&netlens_chain::StoreId::Apple].trusted);
    assert!(!a.trust[&netlens_chain::StoreId::Chrome].trusted);
    assert_eq!(
        a.trust[&netlens_chain::StoreId::Apple]
            .rule
            .map(|r| r.as_str()),
        Some("trust.root-not-in-store")
    );
    assert_eq!(a.verdicts[&netlens_chain::Profile::Apple], "fail");
    assert_eq!(a.verdicts[&netlens_chain::Profile::Rfc5280], "pass");
    let f = finding(&a, "trust.root-not-in-store");
    assert_eq!(f.decides, [netlens_chain::Profile::Apple]);
    assert!(
        f.message.contains("is not in Apple's trust store")
            && f.message.contains("Mozilla's root store")
            && f.message.contains("Rules Root"),
        "{}",
        f.message
    );
    assert!(
        a.trust[&netlens_chain::StoreId::Apple]
            .reason
            .contains("Apple's trust store")
    );
    assert_eq!(
        a.trust[&netlens_chain::StoreId::Apple].store,
        "Apple's trust store"
    );
    assert_eq!(
        a.trust[&netlens_chain::StoreId::Apple].version,
        StoreId::Apple.info().version,
        "the entry names the compiled-in version"
    );
    assert!(a.verdict_details[0].store.contains("Apple's trust store"));
    assert!(a.verdict_details[1].store.contains("Mozilla's root store"));

    // The other way round: Apple only. The strict verdict names Mozilla's store.
    let a = rules_root_in(APPLE, |_| {}).run();
    assert_eq!(a.verdicts[&netlens_chain::Profile::Apple], "pass");
    assert_eq!(a.verdicts[&netlens_chain::Profile::Rfc5280], "fail");
    let f = finding(&a, "trust.root-not-in-store");
    assert_eq!(f.decides, [netlens_chain::Profile::Rfc5280]);
    assert!(f.message.contains("Mozilla's root store"), "{}", f.message);

    // `--store chrome`: the strict verdict follows the Chrome Root Store.
    let mut c = rules_root_in(MOZILLA | APPLE, |_| {});
    c.options.strict_store = StoreId::Chrome;
    let a = c.run();
    assert_eq!(a.verdicts[&netlens_chain::Profile::Apple], "pass");
    assert_eq!(a.verdicts[&netlens_chain::Profile::Rfc5280], "fail");
    assert!(
        finding(&a, "trust.root-not-in-store")
            .message
            .contains("the Chrome Root Store"),
    );

    // The JSON carries the matrix under `trust`, per store.
    let json = serde_json::to_value(&a).unwrap();
    for store in netlens_chain::StoreId::ALL {
        let entry = &json["trust"][store.id()];
        assert!(entry["trusted"].is_boolean(), "{entry}");
        assert!(entry["store"].is_string() && entry["version"].is_string());
        assert!(!entry["reason"].as_str().unwrap().is_empty());
    }
}

#[test]
fn the_removed_root_says_when_apple_removed_it() {
    let root = store_root(&pki().root, MOZILLA);
    let a = store_case(vec![root], vec![removed_rules_root()]).run();
    let f = finding(&a, "trust.root-removed");
    assert!(f.message.contains("in 2024051500"), "{}", f.message);
    assert_eq!(f.decides, [netlens_chain::Profile::Apple]);
    assert!(!fires(&a, "trust.root-not-in-store"));
    assert!(a.trust[&netlens_chain::StoreId::Mozilla].trusted);

    // A chain that ends at the removed root itself, sent as a self-signed certificate.
    let mut c = store_case(Vec::new(), vec![removed_rules_root()]);
    c.chain.push(pki().root.der.clone());
    let a = c.run();
    assert!(fires(&a, "trust.root-removed"), "{:#?}", a.findings);
    assert!(fires(&a, "chain.untrusted-root"));
}

#[test]
fn distrust_dates_apply_by_each_stores_issuance_time() {
    // notBefore (Apple, Mozilla): one day either side of JAN_2025.
    for store in [StoreId::Apple, StoreId::Mozilla] {
        for (after, distrusted) in [(JAN_2025 - DAY, true), (JAN_2025 + DAY, false)] {
            let a = rules_root_in(EVERY_STORE, |r| {
                r.distrust = distrust(store, after, Basis::NotBefore)
            })
            .run();
            assert_eq!(!a.trust[&store].trusted, distrusted, "{store:?} {after}");
            for other in StoreId::ALL.into_iter().filter(|s| *s != store) {
                assert!(a.trust[&other].trusted, "{other:?} is not affected");
            }
            if distrusted {
                let f = finding(&a, "trust.distrusted-after");
                assert!(f.message.contains("2024-12-31"), "{}", f.message);
                assert!(
                    f.message.contains("2025-01-01 (notBefore)"),
                    "{}",
                    f.message
                );
            }
        }
    }
    // The earliest embedded SCT (Chrome): 2025-01-10, whatever the notBefore.
    let sct_ms = (JAN_2025 + 9 * DAY) as u64 * 1000;
    let leaf = leaf_from(
        with_ext(
            leaf_spec(),
            netlens_testkit::sct_list_extension(3, sct_ms).unwrap(),
        ),
        "sct-leaf",
    );
    for (after, distrusted) in [(JAN_2025 + 8 * DAY, true), (JAN_2025 + 10 * DAY, false)] {
        let mut c = rules_root_in(EVERY_STORE, |r| {
            r.distrust = distrust(StoreId::Chrome, after, Basis::EarliestSct)
        });
        c.chain[0] = leaf.der.clone();
        let a = c.run();
        assert_eq!(
            !a.trust[&netlens_chain::StoreId::Chrome].trusted,
            distrusted,
            "{after}"
        );
        if distrusted {
            assert!(
                a.trust[&netlens_chain::StoreId::Chrome]
                    .reason
                    .contains("earliest embedded SCT"),
                "{}",
                a.trust[&netlens_chain::StoreId::Chrome].reason
            );
        }
    }
    // Without an embedded SCT, Chrome's date is read against the notBefore, and the reason says
    // the handshake's SCTs were not visible.
    let mut c = rules_root_in(EVERY_STORE, |r| {
        r.distrust = distrust(StoreId::Chrome, JAN_2025 - DAY, Basis::EarliestSct)
    });
    c.chain[0] = baseline().chain[0].clone();
    let a = c.run();
    assert!(!a.trust[&netlens_chain::StoreId::Chrome].trusted);
    assert!(
        a.trust[&netlens_chain::StoreId::Chrome]
            .reason
            .contains("no SCT is embedded")
    );
    // Chrome is no verdict's store by default: the matrix says it, the verdicts do not.
    assert_eq!(a.verdicts[&netlens_chain::Profile::Rfc5280], "pass");
    assert!(!fires(&a, "trust.distrusted-after"));
}

#[test]
fn eku_chaining_follows_the_leafs_purpose() {
    let ca = |eku: Vec<ObjectIdentifier>, name: &str| {
        intermediate(
            CertSpec {
                extended_key_usage: eku,
                ..CertSpec::ca(&format!("CN={name},O=Netlens Rules"), Some(0))
            },
            name,
        )
    };
    let server_only = ca(vec![oid::SERVER_AUTH], "Server EKU CA");
    let client_only = ca(vec![oid::CLIENT_AUTH], "Client EKU CA");
    let both = ca(vec![oid::SERVER_AUTH, oid::CLIENT_AUTH], "Both EKU CA");
    let any = ca(
        vec![ObjectIdentifier::new_unwrap("2.5.29.37.0")],
        "Any EKU CA",
    );
    let none = ca(Vec::new(), "No EKU CA");

    let server = |inter: &Issued| chain_via(inter, leaf_spec(), "eku-server-leaf").run();
    for ok in [&server_only, &both, &any, &none] {
        let a = server(ok);
        assert!(!fires(&a, "chain.ca-eku-mismatch"), "{:#?}", a.findings);
        assert_eq!(a.verdicts[&netlens_chain::Profile::Apple], "pass");
    }
    let a = server(&client_only);
    let f = finding(&a, "chain.ca-eku-mismatch");
    assert!(f.message.contains("serverAuth"), "{}", f.message);
    assert_eq!(f.certificate, Some(1));
    assert_eq!(a.verdicts[&netlens_chain::Profile::Apple], "fail");
    assert_eq!(a.verdicts[&netlens_chain::Profile::Rfc5280], "fail");

    let client = |inter: &Issued| {
        let mut c = chain_via(
            inter,
            CertSpec {
                extended_key_usage: vec![oid::CLIENT_AUTH],
                ..leaf_spec()
            },
            "eku-client-leaf",
        );
        c.options.purpose = Purpose::ClientAuth;
        c.options.host = None;
        c.run()
    };
    for ok in [&client_only, &both, &any, &none] {
        assert!(!fires(&client(ok), "chain.ca-eku-mismatch"));
    }
    let a = client(&server_only);
    assert!(
        finding(&a, "chain.ca-eku-mismatch")
            .message
            .contains("clientAuth")
    );
}

#[test]
fn stores_that_build_different_paths_get_one_chain_that_serves_both() {
    let a = two_roots_case(APPLE, MOZILLA | CHROME).run();
    assert_eq!(
        a.verdicts[&netlens_chain::Profile::Apple],
        "pass",
        "{:#?}",
        a.findings
    );
    assert_eq!(
        a.verdicts[&netlens_chain::Profile::Rfc5280],
        "pass",
        "{:#?}",
        a.findings
    );
    for store in netlens_chain::StoreId::ALL {
        assert!(a.trust[&store].trusted, "{store}: {:?}", a.trust[&store]);
    }
    assert_eq!(a.trust[&netlens_chain::StoreId::Apple].certificates, [0, 1]);
    assert_eq!(
        a.trust[&netlens_chain::StoreId::Mozilla].certificates,
        [0, 2]
    );
    assert_eq!(
        a.trust[&netlens_chain::StoreId::Apple].anchor.as_deref(),
        Some("Rules Root")
    );
    assert_eq!(
        a.trust[&netlens_chain::StoreId::Mozilla].anchor.as_deref(),
        Some("Other Root")
    );
    let fixed = a.fixed_chain.as_ref().unwrap();
    assert_eq!(fixed.certificates, [0, 1, 2]);
    assert!(!fires(&a, "chain.extra-certificate"), "{:#?}", a.findings);
    assert!(
        finding(&a, "trust.store-paths-differ")
            .fix
            .contains("#1, #2, #3")
    );
}

/// With a live connection (`netlens chain --connect`), the iOS 18.4 key usage rule judges the
/// key exchange the server negotiated: signed (ECDHE, TLS 1.3) needs digitalSignature, static
/// RSA needs keyEncipherment.
#[test]
fn the_key_usage_rule_reads_the_negotiated_suite() {
    use netlens_chain::Negotiated;
    let negotiated = |protocol: &str, suite: &str| Negotiated {
        protocol_version: protocol.into(),
        cipher_suite: suite.into(),
    };
    let mismatch = |usages: Vec<Usage>, n: Option<Negotiated>| {
        let mut c = case(CertSpec {
            key_usage: usages,
            ..leaf_spec()
        });
        c.options.negotiated = n;
        c.run()
            .findings
            .into_iter()
            .find(|f| f.rule == "apple.key-usage-cipher-mismatch")
            .map(|f| (f.severity, f.message))
    };
    let tls13 = negotiated("TLSv1.3", "TLS13_AES_128_GCM_SHA256");
    let (severity, message) = mismatch(vec![Usage::KeyEncipherment], Some(tls13.clone())).unwrap();
    assert_eq!(severity, Severity::Error);
    assert!(
        message.contains("negotiated TLS13_AES_128_GCM_SHA256"),
        "{message}"
    );
    assert_eq!(mismatch(vec![Usage::DigitalSignature], Some(tls13)), None);
    // Static RSA really negotiated: keyEncipherment is needed, digitalSignature is not.
    let rsa = negotiated("TLSv1.2", "TLS_RSA_WITH_AES_128_GCM_SHA256");
    let (severity, message) = mismatch(vec![Usage::DigitalSignature], Some(rsa.clone())).unwrap();
    assert_eq!(severity, Severity::Error);
    assert!(message.contains("static RSA"), "{message}");
    assert_eq!(mismatch(vec![Usage::KeyEncipherment], Some(rsa)), None);
    let ecdhe = negotiated("TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    assert!(ecdhe.signed_key_exchange());
    assert!(mismatch(vec![Usage::KeyEncipherment], Some(ecdhe)).is_some());
}

// ---- Dated rules: the boundaries come from the catalog's data ----

/// A leaf issued at `not_before` and valid for `days` (inclusive of both ends, as RFC 5280
/// counts), with `scts` embedded SCTs, in a chain to the rules root, which is treated as a
/// public (preinstalled) root or as a private one.
fn dated_case(not_before: i64, days: i64, scts: u8, public_root: bool) -> Case {
    let mut spec = leaf_spec().valid(not_before, not_before + days * DAY - 1);
    if scts > 0 {
        spec.extra_extensions.push(
            netlens_testkit::sct_list_extension(scts, not_before.max(0) as u64 * 1000).unwrap(),
        );
    }
    let leaf = leaf_from(spec, &format!("dated-{not_before}-{days}-{scts}"));
    let mut c = case_with(&leaf, &pki().inter);
    c.options.anchors_are_public = public_root;
    c.options.at = not_before + DAY;
    c
}

/// The catalog's dated rules, each with whether the registry applies it to chains ending at a
/// private root too.
fn dated_rules() -> Vec<(netlens_chain::catalog::RuleId, bool)> {
    use netlens_chain::rules::{Roots, registration};
    RULES
        .iter()
        .filter(|r| r.effective.from.is_some())
        .map(|r| {
            let applies = registration(r.id)
                .unwrap_or_else(|| panic!("{} is not registered", r.id))
                .applies;
            (r.id, applies.roots == Roots::Any)
        })
        .collect()
}

#[test]
fn dated_validity_limits_hold_exactly_at_the_limit_from_their_first_day_and_only_where_they_apply()
{
    // Every rule that sets a limit over time, as the catalog and the registry say.
    let rules: Vec<_> = dated_rules()
        .into_iter()
        .filter(|(rule, _)| !rule.effective().limits.is_empty())
        .collect();
    assert!(rules.len() >= 3, "{rules:?}");
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut expected_checks = 0;
    for (rule, private_too) in rules {
        let effective = rule.effective();
        expected_checks += 4 * effective.limits.len();
        for step in effective.limits {
            let from = step.from.unix_seconds();
            let max = i64::from(step.max);
            let id = rule.as_str();
            let mut expect = |what: &str, case: Case, fired: bool| {
                checked += 1;
                if fires(&case.run(), id) != fired {
                    failures.push(format!(
                        "{id}, step {max} days from {}: {what}: expected {}",
                        step.from,
                        if fired { "a finding" } else { "none" }
                    ));
                }
            };
            expect(
                "exactly at the limit",
                dated_case(from, max, 3, true),
                false,
            );
            expect("one day over", dated_case(from, max + 1, 3, true), true);
            expect(
                "issued the day before the step, one day over",
                dated_case(from - DAY, max + 1, 3, true),
                false,
            );
            expect(
                "the same leaf under a private root",
                dated_case(from, max + 1, 3, false),
                private_too,
            );
        }
    }
    assert_eq!(checked, expected_checks);
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// A leaf issued at `not_before` that breaks the dated rule `rule` (a rule with a first day and
/// no limits), under a public or a private root. A new dated rule needs its case here.
fn breaking_case(rule: netlens_chain::catalog::RuleId, not_before: i64, public_root: bool) -> Case {
    use netlens_chain::catalog::RuleId;
    match rule {
        // No SCT at all.
        RuleId::AppleCtInsufficientScts => dated_case(not_before, 90, 0, public_root),
        // Enough SCTs for a 90-day certificate, but every one from a tiled (static CT API)
        // log, which Apple's policy does not count alone: a diversity problem in any period.
        RuleId::AppleCtOperatorDiversity => {
            let mut c = dated_case(not_before, 90, 3, public_root);
            c.log_list = Some(
                log_list(&["Operator A", "Operator B", "Operator C"])
                    .replace("\"logs\":", "\"tiled_logs\":"),
            );
            c
        }
        other => panic!("{other} is dated: add a case that breaks it to breaking_case"),
    }
}

#[test]
fn dated_rules_apply_from_their_first_day_and_only_where_they_apply() {
    let rules: Vec<_> = dated_rules()
        .into_iter()
        .filter(|(rule, _)| rule.effective().limits.is_empty())
        .collect();
    assert!(rules.len() >= 2, "{rules:?}");
    for (rule, private_too) in rules {
        let from = rule
            .effective()
            .from
            .expect("a dated rule has a first day")
            .unix_seconds();
        let id = rule.as_str();
        let on_the_day = breaking_case(rule, from, true).run();
        assert!(
            fires(&on_the_day, id),
            "{id} on its first day: {:?}",
            on_the_day
                .findings
                .iter()
                .map(|f| (f.rule, &f.message))
                .collect::<Vec<_>>()
        );
        assert!(
            !fires(&breaking_case(rule, from - DAY, true).run(), id),
            "{id} the day before its first day"
        );
        assert_eq!(
            fires(&breaking_case(rule, from, false).run(), id),
            private_too,
            "{id} under a private root"
        );
    }
}

#[test]
fn apples_serverauth_requirement_applies_from_its_first_day_to_every_root() {
    use netlens_chain::catalog::{APPLE_2019, Profile, RuleId};
    let id = RuleId::TlsMissingServerauthEku.as_str();
    // A leaf with no extended key usage: RFC 5280 allows it, Apple does not from APPLE_2019.
    let no_eku = |not_before: i64, public_root: bool| {
        let mut spec = leaf_spec().valid(not_before, not_before + 90 * DAY - 1);
        spec.extended_key_usage.clear();
        let leaf = leaf_from(spec, &format!("no-eku-{not_before}"));
        let mut c = case_with(&leaf, &pki().inter);
        c.options.anchors_are_public = public_root;
        c.options.at = not_before + DAY;
        c.run()
    };
    let from = APPLE_2019.unix_seconds();
    for public_root in [true, false] {
        let on_the_day = no_eku(from, public_root);
        let finding = on_the_day.findings.iter().find(|f| f.rule == id);
        assert!(
            finding.is_some_and(|f| f.decides == [Profile::Apple]),
            "on {APPLE_2019}, public root {public_root}: {:?}",
            on_the_day
                .findings
                .iter()
                .map(|f| f.rule)
                .collect::<Vec<_>>()
        );
        assert!(
            !fires(&no_eku(from - DAY, public_root), id),
            "the day before {APPLE_2019}, public root {public_root}"
        );
    }
}
