//! Every app-side rule fires on a case and not on its near miss (the form the chain and DNS-SD
//! rule tests take), plus the ATS linter's and the pin checker's behaviour.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::sync::OnceLock;

use netlens_apptls::ats::{self, HostPolicy, ServerResult, TlsVersion};
use netlens_apptls::catalog::{RULES, RuleId};
use netlens_apptls::pins;
use netlens_testkit::{CertSpec, Chain, Key, KeyAlgorithm, demo_chain_cached, issue};

fn ats_dict(body: &str) -> String {
    format!(
        "<plist><dict><key>CFBundleName</key><string>App</string><key>NSAppTransportSecurity</key><dict>{body}</dict></dict></plist>"
    )
}

fn exception(domain: &str, keys: &str) -> String {
    ats_dict(&format!(
        "<key>NSExceptionDomains</key><dict><key>{domain}</key><dict>{keys}</dict></dict>"
    ))
}

fn pinned(keys: &str) -> String {
    ats_dict(&format!(
        "<key>NSPinnedDomains</key><dict><key>example.com</key><dict>{keys}</dict></dict>"
    ))
}

fn identity(pin: &str) -> String {
    format!("<dict><key>SPKI-SHA256-BASE64</key><string>{pin}</string></dict>")
}

const PIN_A: &str = "r/mIkG3eEpVdm+u/ko/cwxzOMo1bk4TyHIlByibiA5E=";
const PIN_B: &str = "YLh1dUR9y6Kja30RrAn7JKnbQG/uEtLMkBgFF2Fuihg=";

fn lint_rules(input: &str) -> Vec<RuleId> {
    ats::lint(input.as_bytes())
        .unwrap_or_else(|e| panic!("{e}: {input}"))
        .findings
        .iter()
        .map(|f| f.rule)
        .collect()
}

struct Chains {
    current: String,
    renewed_same_ca: String,
    other_ca: String,
    pins: [String; 3], // leaf, intermediate, root
}

fn spki_pin(pem: &str) -> String {
    netlens_x509::decode(pem.as_bytes(), None, 0).certificates[0]
        .fingerprints
        .spki_sha256_base64
        .clone()
}

fn chains() -> &'static Chains {
    static CHAINS: OnceLock<Chains> = OnceLock::new();
    CHAINS.get_or_init(|| {
        let Chain {
            root,
            intermediate,
            leaf,
        } = demo_chain_cached().unwrap();
        let renewed = issue(
            &CertSpec::leaf("www.netlens.test"),
            Key::generate(KeyAlgorithm::P256, "renewed-leaf").unwrap(),
            &intermediate,
        )
        .unwrap();
        let other_root = netlens_testkit::self_signed(
            &CertSpec::ca("CN=Other Root", None),
            Key::generate(KeyAlgorithm::P256, "other-root").unwrap(),
        )
        .unwrap();
        let other_leaf = issue(
            &CertSpec::leaf("www.netlens.test"),
            Key::generate(KeyAlgorithm::P256, "other-leaf").unwrap(),
            &other_root,
        )
        .unwrap();
        Chains {
            current: format!("{}{}", leaf.pem(), intermediate.pem()),
            renewed_same_ca: format!("{}{}", renewed.pem(), intermediate.pem()),
            other_ca: format!("{}{}", other_leaf.pem(), other_root.pem()),
            pins: [
                spki_pin(&leaf.pem()),
                spki_pin(&intermediate.pem()),
                spki_pin(&root.pem()),
            ],
        }
    })
}

fn pin_rules(pin_set: &str, next: Option<&str>) -> Vec<RuleId> {
    let c = chains();
    pins::check(
        pin_set,
        c.current.as_bytes(),
        next.map(str::as_bytes),
        None,
        0,
    )
    .findings
    .iter()
    .map(|f| f.rule)
    .collect()
}

/// A way to get a case's findings.
type Check = Box<dyn Fn() -> Vec<RuleId>>;

/// Cases: (rule, input that fires it, near miss that does not).
fn cases() -> Vec<(RuleId, Check, Check)> {
    let c = chains();
    let ca = c.pins[1].clone();
    let leaf = c.pins[0].clone();
    let root = c.pins[2].clone();
    let l = |s: String| -> Box<dyn Fn() -> Vec<RuleId>> { Box::new(move || lint_rules(&s)) };
    let host = |policy: HostPolicy, server: ServerResult| -> Box<dyn Fn() -> Vec<RuleId>> {
        Box::new(move || {
            ats::host_findings(&policy, &server)
                .iter()
                .map(|f| f.rule)
                .collect()
        })
    };
    let policy = |exception: Option<&str>, min: TlsVersion, fs: bool, applies: bool| HostPolicy {
        host: "api.example.com".into(),
        exception: exception.map(str::to_owned),
        ats_applies: applies,
        minimum_tls: min,
        requires_forward_secrecy: fs,
        allows_insecure_http: false,
        pinned: None,
    };
    let server = |default: bool, policy: bool| ServerResult {
        accepts_default: default,
        accepts_policy: policy,
        needs: None,
    };
    let p = |set: String, next: Option<String>| -> Check {
        Box::new(move || pin_rules(&set, next.as_deref()))
    };
    vec![
        (
            RuleId::AppAtsMissing,
            l("<plist><dict><key>CFBundleName</key><string>A</string></dict></plist>".into()),
            l(ats_dict("<key>NSAllowsLocalNetworking</key><true/>")),
        ),
        (
            RuleId::AppAtsArbitraryLoads,
            l(ats_dict("<key>NSAllowsArbitraryLoads</key><true/>")),
            l(ats_dict("<key>NSAllowsArbitraryLoads</key><false/>")),
        ),
        (
            RuleId::AppAtsArbitraryLoadsIgnored,
            l(ats_dict(
                "<key>NSAllowsArbitraryLoads</key><true/><key>NSAllowsArbitraryLoadsInWebContent</key><true/>",
            )),
            l(ats_dict("<key>NSAllowsArbitraryLoads</key><true/>")),
        ),
        (
            RuleId::AppAtsWebContent,
            l(ats_dict(
                "<key>NSAllowsArbitraryLoadsInWebContent</key><true/>",
            )),
            l(ats_dict(
                "<key>NSAllowsArbitraryLoadsInWebContent</key><false/>",
            )),
        ),
        (
            RuleId::AppAtsMedia,
            l(ats_dict("<key>NSAllowsArbitraryLoadsForMedia</key><true/>")),
            l(ats_dict(
                "<key>NSAllowsArbitraryLoadsForMedia</key><false/>",
            )),
        ),
        (
            RuleId::AppAtsLocalNetworking,
            l(ats_dict("<key>NSAllowsLocalNetworking</key><true/>")),
            l(ats_dict("<key>NSAllowsLocalNetworking</key><false/>")),
        ),
        (
            RuleId::AppAtsNotBoolean,
            l(ats_dict(
                "<key>NSAllowsArbitraryLoads</key><string>YES</string>",
            )),
            l(ats_dict("<key>NSAllowsArbitraryLoads</key><false/>")),
        ),
        (
            RuleId::AppAtsWrongType,
            l(ats_dict("<key>NSExceptionDomains</key><array/>")),
            l(ats_dict("<key>NSExceptionDomains</key><dict/>")),
        ),
        (
            RuleId::AppAtsUnknownKey,
            l(ats_dict("<key>NSAllowArbitraryLoads</key><true/>")),
            l(ats_dict("<key>NSAllowsLocalNetworking</key><true/>")),
        ),
        (
            RuleId::AppAtsKeyWrongLevel,
            l(ats_dict("<key>NSIncludesSubdomains</key><true/>")),
            l(exception(
                "example.com",
                "<key>NSIncludesSubdomains</key><true/><key>NSExceptionAllowsInsecureHTTPLoads</key><true/>",
            )),
        ),
        (
            RuleId::AppAtsLegacyKey,
            l(exception(
                "example.com",
                "<key>NSTemporaryExceptionAllowsInsecureHTTPLoads</key><true/>",
            )),
            l(exception(
                "example.com",
                "<key>NSExceptionAllowsInsecureHTTPLoads</key><true/>",
            )),
        ),
        (
            RuleId::AppAtsDomainNotAName,
            l(exception(
                "https://example.com:8443",
                "<key>NSExceptionAllowsInsecureHTTPLoads</key><true/>",
            )),
            l(exception(
                "example.com",
                "<key>NSExceptionAllowsInsecureHTTPLoads</key><true/>",
            )),
        ),
        (
            RuleId::AppAtsDomainForm,
            l(exception(
                "192.168.1.0/24",
                "<key>NSExceptionAllowsInsecureHTTPLoads</key><true/>",
            )),
            l(exception(
                "printer.local",
                "<key>NSExceptionAllowsInsecureHTTPLoads</key><true/>",
            )),
        ),
        (
            RuleId::AppAtsExceptionDoesNothing,
            l(exception(
                "example.com",
                "<key>NSIncludesSubdomains</key><true/><key>NSExceptionMinimumTLSVersion</key><string>TLSv1.2</string>",
            )),
            l(exception(
                "example.com",
                "<key>NSExceptionMinimumTLSVersion</key><string>TLSv1.1</string>",
            )),
        ),
        (
            RuleId::AppAtsInsecureHttp,
            l(exception(
                "example.com",
                "<key>NSExceptionAllowsInsecureHTTPLoads</key><true/>",
            )),
            l(exception(
                "example.com",
                "<key>NSExceptionAllowsInsecureHTTPLoads</key><false/><key>NSExceptionRequiresForwardSecrecy</key><false/>",
            )),
        ),
        (
            RuleId::AppAtsMinimumTlsInvalid,
            l(exception(
                "example.com",
                "<key>NSExceptionMinimumTLSVersion</key><string>1.2</string>",
            )),
            l(exception(
                "example.com",
                "<key>NSExceptionMinimumTLSVersion</key><string>TLSv1.0</string>",
            )),
        ),
        (
            RuleId::AppAtsOldTls,
            l(exception(
                "example.com",
                "<key>NSExceptionMinimumTLSVersion</key><string>TLSv1.1</string>",
            )),
            l(exception(
                "example.com",
                "<key>NSExceptionMinimumTLSVersion</key><string>TLSv1.3</string>",
            )),
        ),
        (
            RuleId::AppAtsNoForwardSecrecy,
            l(exception(
                "example.com",
                "<key>NSExceptionRequiresForwardSecrecy</key><false/>",
            )),
            l(exception(
                "example.com",
                "<key>NSExceptionRequiresForwardSecrecy</key><true/><key>NSRequiresCertificateTransparency</key><true/>",
            )),
        ),
        (
            RuleId::AppAtsExceptionNotNeeded,
            host(
                policy(Some("example.com"), TlsVersion::Tls10, true, true),
                server(true, true),
            ),
            host(
                policy(Some("example.com"), TlsVersion::Tls10, true, true),
                server(false, true),
            ),
        ),
        (
            RuleId::AppAtsBlocks,
            host(
                policy(None, TlsVersion::Tls12, true, true),
                server(false, false),
            ),
            host(
                policy(None, TlsVersion::Tls12, true, false),
                server(false, false),
            ),
        ),
        (
            RuleId::AppPinInvalid,
            p(format!("sha256/{}", &ca[..20]), None),
            p(format!("sha256/{ca}\nsha256/{root}"), None),
        ),
        (
            RuleId::AppPinIdentityShape,
            p(
                pinned(&format!(
                    "<key>NSPinnedCAIdentities</key><array><string>{ca}</string></array>"
                )),
                None,
            ),
            p(
                pinned(&format!(
                    "<key>NSPinnedCAIdentities</key><array>{}{}</array>",
                    identity(&ca),
                    identity(&root)
                )),
                None,
            ),
        ),
        (
            RuleId::AppPinNoBackup,
            p(ca.clone(), None),
            p(format!("{ca}\n{root}"), None),
        ),
        (
            RuleId::AppPinLeafOnly,
            p(
                pinned(&format!(
                    "<key>NSPinnedLeafIdentities</key><array>{}{}</array>",
                    identity(&leaf),
                    identity(PIN_A)
                )),
                None,
            ),
            p(
                pinned(&format!(
                    "<key>NSPinnedCAIdentities</key><array>{}{}</array>",
                    identity(&ca),
                    identity(&root)
                )),
                None,
            ),
        ),
        (
            RuleId::AppPinNoMatch,
            p(format!("{PIN_A}\n{PIN_B}"), None),
            p(format!("{PIN_A}\n{ca}"), None),
        ),
        (
            RuleId::AppPinRotationBreaks,
            p(format!("{leaf}\n{PIN_A}"), Some(c.renewed_same_ca.clone())),
            p(format!("{ca}\n{PIN_A}"), Some(c.renewed_same_ca.clone())),
        ),
    ]
}

#[test]
fn every_rule_fires_on_its_case_and_not_on_its_near_miss() {
    let cases = cases();
    for rule in RULES {
        let entry = cases.iter().find(|(r, _, _)| *r == rule.id);
        let Some((_, case, near)) = entry else {
            panic!("{} has no case", rule.id.as_str());
        };
        assert!(
            case().contains(&rule.id),
            "{} did not fire: {:?}",
            rule.id.as_str(),
            case()
        );
        assert!(
            !near().contains(&rule.id),
            "{} fired on its near miss",
            rule.id.as_str()
        );
    }
}

#[test]
fn binary_and_fragment_forms_lint_the_same() {
    let xml = exception(
        "example.com",
        "<key>NSExceptionMinimumTLSVersion</key><string>TLSv1.1</string>",
    );
    let fragment = "<key>NSAppTransportSecurity</key>\n<dict>\n\t<key>NSExceptionDomains</key>\n\t<dict>\n\t\t<key>example.com</key>\n\t\t<dict>\n\t\t\t<key>NSExceptionMinimumTLSVersion</key>\n\t\t\t<string>TLSv1.1</string>\n\t\t</dict>\n\t</dict>\n</dict>";
    let bare = "<dict><key>NSExceptionDomains</key><dict><key>example.com</key><dict><key>NSExceptionMinimumTLSVersion</key><string>TLSv1.1</string></dict></dict></dict>";
    let a = ats::lint(xml.as_bytes()).unwrap();
    for other in [fragment, bare] {
        let b = ats::lint(other.as_bytes()).unwrap();
        assert_eq!(a.settings, b.settings, "{other}");
        assert_eq!(a.findings, b.findings, "{other}");
    }
}

#[test]
fn bad_input_is_one_sentence() {
    for (input, says) in [
        (
            "<plist><dict><key>NSAppTransportSecurity</key><dict>",
            "ends inside",
        ),
        (
            "<dict><key>NSBonjourServices</key><array/></dict>",
            "not an ATS dictionary",
        ),
        (
            "<dict><key>NSAppTransportSecurity</key><true/></dict>",
            "NSAppTransportSecurity is a boolean",
        ),
        ("NSAllowsArbitraryLoads = YES", "not a property list"),
    ] {
        let e = ats::lint(input.as_bytes()).unwrap_err().to_string();
        assert!(e.contains(says), "{input}: {e}");
        assert!(e.ends_with('.') && !e.contains('\n'), "{e}");
    }
    let c = pins::check("not base64!", chains().current.as_bytes(), None, None, 0);
    assert!(c.findings[0].message.contains("is not base64"));
    let short = pins::check("AAAA", chains().current.as_bytes(), None, None, 0);
    assert!(short.findings[0].message.contains("decodes to 3 bytes"));
    let hex = pins::check(&"ab".repeat(32), chains().current.as_bytes(), None, None, 0);
    assert!(hex.findings[0].message.contains("hexadecimal"));
}

#[test]
fn host_policy_follows_exceptions_and_subdomains() {
    let input = ats_dict(
        "<key>NSAllowsArbitraryLoads</key><true/><key>NSExceptionDomains</key><dict><key>example.com</key><dict><key>NSIncludesSubdomains</key><true/><key>NSExceptionMinimumTLSVersion</key><string>TLSv1.1</string></dict></dict>",
    );
    let s = ats::lint(input.as_bytes()).unwrap().settings;
    let api = s.for_host("api.example.com");
    assert_eq!(api.exception.as_deref(), Some("example.com"));
    assert!(api.ats_applies && api.minimum_tls == TlsVersion::Tls11);
    let other = s.for_host("other.org");
    assert!(
        !other.ats_applies && other.allows_insecure_http,
        "arbitrary loads cover other hosts"
    );
    assert!(s.for_host("notexample.com").exception.is_none());
    let ranged = ats::lint(
        exception(
            "10.0.0.0/8",
            "<key>NSExceptionAllowsInsecureHTTPLoads</key><true/>",
        )
        .as_bytes(),
    )
    .unwrap()
    .settings;
    assert_eq!(
        ranged.for_host("10.1.2.3").exception.as_deref(),
        Some("10.0.0.0/8")
    );
    assert!(ranged.for_host("192.168.1.1").exception.is_none());
}

#[test]
fn pins_from_a_chain() {
    let c = chains();
    let report = pins::from_chain(c.current.as_bytes(), "www.netlens.test", 0);
    assert_eq!(report.certificates.len(), 2);
    assert_eq!(report.certificates[0].role, pins::Role::Leaf);
    assert_eq!(report.certificates[1].role, pins::Role::Intermediate);
    assert_eq!(
        report.recommended,
        vec![c.pins[1].clone()],
        "the issuing CA's key"
    );
    assert!(report.advice.iter().any(|a| a.contains("Add a backup pin")));
    let f = report.fragments.unwrap();
    assert!(
        f.ns_pinned_domains
            .contains("<key>NSPinnedCAIdentities</key>")
    );
    assert!(f.ns_pinned_domains.contains(&c.pins[1]));
    assert!(
        f.android
            .contains(&format!("<pin digest=\"SHA-256\">{}</pin>", c.pins[1]))
    );
    assert!(f.okhttp.contains(&format!(
        ".add(\"www.netlens.test\", \"sha256/{}\")",
        c.pins[1]
    )));
    assert!(f.trustkit.contains("kTSKPublicKeyHashes"));
    // The fragment the page writes is read back by the checker: a round trip.
    let check = pins::check(
        &f.ns_pinned_domains,
        c.current.as_bytes(),
        None,
        Some("www.netlens.test"),
        0,
    );
    assert!(check.connects);
    assert_eq!(check.pins[0].matches, vec![1]);
    // With the root, the root is the backup.
    let with_root = format!("{}{}", c.current, demo_chain_cached().unwrap().root.pem());
    let report = pins::from_chain(with_root.as_bytes(), "www.netlens.test", 0);
    assert_eq!(
        report.recommended,
        vec![c.pins[1].clone(), c.pins[2].clone()]
    );
    assert_eq!(report.certificates[2].role, pins::Role::Root);
}

#[test]
fn rotation() {
    let c = chains();
    // A CA pin survives a renewal from the same CA; a leaf pin does not; neither survives a
    // move to another CA.
    let ca = pins::check(
        &format!("{}\n{PIN_A}", c.pins[1]),
        c.current.as_bytes(),
        Some(c.renewed_same_ca.as_bytes()),
        None,
        0,
    );
    assert_eq!(
        (ca.connects, ca.connects_after_rotation),
        (true, Some(true))
    );
    let leaf = pins::check(
        &format!("{}\n{PIN_A}", c.pins[0]),
        c.current.as_bytes(),
        Some(c.renewed_same_ca.as_bytes()),
        None,
        0,
    );
    assert_eq!(
        (leaf.connects, leaf.connects_after_rotation),
        (true, Some(false))
    );
    assert!(
        leaf.findings
            .iter()
            .any(|f| f.rule == RuleId::AppPinLeafOnly),
        "a bare pin that matches only the leaf is a leaf pin in effect"
    );
    let moved = pins::check(
        &format!("{}\n{PIN_A}", c.pins[1]),
        c.current.as_bytes(),
        Some(c.other_ca.as_bytes()),
        None,
        0,
    );
    assert_eq!(moved.connects_after_rotation, Some(false));
    // A CA identity that is really the leaf's key is said so.
    let wrong = pins::check(
        &pinned(&format!(
            "<key>NSPinnedCAIdentities</key><array>{}{}</array>",
            identity(&c.pins[0]),
            identity(PIN_A)
        )),
        c.current.as_bytes(),
        None,
        None,
        0,
    );
    assert!(!wrong.connects);
    assert!(
        wrong
            .findings
            .iter()
            .any(|f| f.message.contains("move it to NSPinnedLeafIdentities"))
    );
}
