//! Every catalog rule: an input that fires it and a near miss that must not. A meta-test fails
//! when a rule has no case, so a new rule cannot land untested.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use netlens_dnssd::catalog::RULES;
use netlens_dnssd::{Finding, TxtRecord, apple, check_instance, check_name, check_type, txt};

#[derive(Clone, Copy)]
enum Input {
    Type(&'static str),
    Instance(&'static str),
    Name(&'static str),
    Txt(&'static [&'static [u8]]),
    /// NSBonjourServices entries, the type in use, the Multipeer service type.
    Plist(&'static str, &'static str, Option<&'static str>),
}

fn findings(input: Input) -> Vec<Finding> {
    match input {
        Input::Type(t) => check_type(t).findings,
        Input::Instance(i) => check_instance(i).findings,
        Input::Name(n) => check_name(n).findings,
        Input::Txt(strings) => {
            txt::check(&TxtRecord::from_strings(strings.iter().map(|s| s.to_vec())))
        }
        Input::Plist(entries, used, mc) => {
            let used: Vec<String> = if used.is_empty() {
                Vec::new()
            } else {
                vec![used.to_owned()]
            };
            apple::check_plist(entries.as_bytes(), &used, mc, "").findings
        }
    }
}

const BIG: &[u8] = &[b'v'; 300];
const S255: &[u8] = &[b'a'; 255];

/// (rule, fires, near miss).
const CASES: &[(&str, Input, Input)] = &[
    (
        "service.missing-underscore",
        Input::Type("http._tcp"),
        Input::Type("_http._tcp"),
    ),
    (
        "service.name-empty",
        Input::Type("_._tcp"),
        Input::Type("_a._tcp"),
    ),
    (
        "service.name-too-long",
        Input::Type("_abcdefghijklmnop._tcp"),
        Input::Type("_abcdefghijklmno._tcp"),
    ),
    (
        "service.name-invalid-char",
        Input::Type("_my_service._tcp"),
        Input::Type("_my-service._tcp"),
    ),
    (
        "service.name-no-letter",
        Input::Type("_22._udp"),
        Input::Type("_22a._udp"),
    ),
    (
        "service.name-bad-hyphen",
        Input::Type("_my--svc._tcp"),
        Input::Type("_my-svc._tcp"),
    ),
    (
        "service.bad-transport",
        Input::Type("_http._sctp"),
        Input::Type("_http._udp"),
    ),
    (
        "service.uppercase",
        Input::Type("_Http._tcp"),
        Input::Type("_http._tcp"),
    ),
    (
        "service.unregistered",
        Input::Type("_companion-link._tcp"),
        Input::Type("_airplay._tcp"),
    ),
    (
        "service.has-domain",
        Input::Type("_ipp._tcp.local."),
        Input::Type("_ipp._tcp."),
    ),
    (
        "service.looks-like-instance",
        Input::Type("Office._ipp._tcp"),
        Input::Type("_sub._ipp._tcp"),
    ),
    (
        "subtype.invalid",
        Input::Type("_http._tcp,_a,,_b"),
        Input::Type("_http._tcp,_a,_b"),
    ),
    (
        "subtype.no-underscore",
        Input::Type("printer._sub._http._tcp"),
        Input::Type("_printer._sub._http._tcp"),
    ),
    (
        "subtype.comma-form",
        Input::Type("_http._tcp,_printer"),
        Input::Type("_printer._sub._http._tcp"),
    ),
    ("instance.empty", Input::Instance(""), Input::Instance("x")),
    (
        "instance.too-long",
        Input::Instance("ééééééééééééééééééééééééééééééééx"),
        Input::Instance("éééééééééééééééééééééééééééééééx"),
    ),
    (
        "instance.control-char",
        Input::Instance("Printer\r\n"),
        Input::Instance("Printer "),
    ),
    (
        "instance.c1-control",
        Input::Instance("Caf\u{0083}"),
        Input::Instance("Caf\u{00e9}"),
    ),
    (
        "instance.invalid-utf8",
        Input::Name(r"Caf\233._ipp._tcp.local."),
        Input::Name(r"Caf\195\169._ipp._tcp.local."),
    ),
    (
        "instance.not-nfc",
        Input::Instance("Cafe\u{0301}"),
        Input::Instance("Caf\u{00e9}"),
    ),
    (
        "instance.hex-identifier",
        Input::Instance("ESP-A4CF12B3C4D5"),
        Input::Instance("Kitchen 2"),
    ),
    (
        "name.too-long",
        Input::Name(
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa._http._tcp.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.ddddddddddddddddddddddddddddddddddddddddddddddddddd.",
        ),
        Input::Name(
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa._http._tcp.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.dddddddddddddddddddddddddddddddddddddddddddddddddd.",
        ),
    ),
    (
        "name.unescaped-dot",
        Input::Name("Printer.2._ipp._tcp.local."),
        Input::Name(r"Printer\.2._ipp._tcp.local."),
    ),
    (
        "name.empty-label",
        Input::Name("Printer._ipp._tcp..local."),
        Input::Name("Printer._ipp._tcp.local."),
    ),
    (
        "name.label-too-long",
        Input::Name(
            "P._ipp._tcp.eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.com.",
        ),
        Input::Name(
            "P._ipp._tcp.eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee.com.",
        ),
    ),
    ("txt.empty-record", Input::Txt(&[]), Input::Txt(&[b""])),
    (
        "txt.string-too-long",
        Input::Txt(&[BIG]),
        Input::Txt(&[b"k=v"]),
    ),
    (
        "txt.string-apple-limit",
        Input::Txt(&[&[b'k'; 255]]),
        Input::Txt(&[&[b'k'; 254]]),
    ),
    ("txt.empty-key", Input::Txt(&[b"="]), Input::Txt(&[b"a="])),
    (
        "txt.string-starts-with-equals",
        Input::Txt(&[b"=value"]),
        Input::Txt(&[b"k=value"]),
    ),
    (
        "txt.key-invalid-char",
        Input::Txt(&[b"caf\xc3\xa9=1"]),
        Input::Txt(&[b"cafe=\xc3\xa9"]),
    ),
    (
        "txt.key-space",
        Input::Txt(&[b"key =value"]),
        Input::Txt(&[b"key= value"]),
    ),
    (
        "txt.duplicate-key",
        Input::Txt(&[b"path=/a", b"PATH=/b"]),
        Input::Txt(&[b"path=/a", b"paths=/b"]),
    ),
    (
        "txt.key-too-long",
        Input::Txt(&[b"papersize=A4", b"paper-size=A4"]),
        Input::Txt(&[b"papersize=A4"]),
    ),
    (
        "txt.record-large",
        Input::Txt(&[&[b'a'; 250]]),
        Input::Txt(&[&[b'a'; 199]]),
    ),
    (
        "txt.record-over-1300",
        Input::Txt(&[S255, S255, S255, S255, S255, S255]),
        Input::Txt(&[S255, S255, S255, S255, S255]),
    ),
    (
        "txt.record-too-large",
        Input::Txt(&[S255; 40]),
        Input::Txt(&[S255; 30]),
    ),
    (
        "txt.empty-string",
        Input::Txt(&[b"a=1", b""]),
        Input::Txt(&[b""]),
    ),
    (
        "txt.txtvers-not-first",
        Input::Txt(&[b"a=1", b"txtvers=1"]),
        Input::Txt(&[b"txtvers=1", b"a=1"]),
    ),
    (
        "txt.value-binary",
        Input::Txt(&[b"k=\xff\x00"]),
        Input::Txt(&[b"k=\xc3\xa9"]),
    ),
    (
        "apple.plist-missing-type",
        Input::Plist("_ipp._tcp", "_http._tcp", None),
        Input::Plist("_IPP._tcp.", "_ipp._tcp", None),
    ),
    (
        "apple.plist-entry-has-domain",
        Input::Plist("_ipp._tcp.local.", "", None),
        Input::Plist("_ipp._tcp.", "", None),
    ),
    (
        "apple.plist-entry-invalid",
        Input::Plist("ipp._tcp", "", None),
        Input::Plist("_ipp._tcp", "", None),
    ),
    (
        "apple.multipeer-needs-both",
        Input::Plist("_game._tcp", "", Some("game")),
        Input::Plist("_game._tcp _game._udp", "", Some("game")),
    ),
    (
        "apple.multipeer-invalid",
        Input::Plist("", "", Some("Game")),
        Input::Plist("", "", Some("game")),
    ),
];

fn fires(input: Input, rule: &str) -> bool {
    findings(input).iter().any(|f| f.rule == rule)
}

#[test]
fn every_rule_fires_on_its_case_and_not_on_its_near_miss() {
    for &(rule, fire, miss) in CASES {
        assert!(
            fires(fire, rule),
            "{rule} does not fire: {:?}",
            findings(fire)
        );
        assert!(
            !fires(miss, rule),
            "{rule} fires on its near miss: {:?}",
            findings(miss)
        );
    }
}

#[test]
fn the_usage_description_reminder_comes_with_every_plist_check() {
    assert!(fires(
        Input::Plist("_ipp._tcp", "_ipp._tcp", None),
        "apple.usage-description"
    ));
    assert!(!fires(Input::Type("_ipp._tcp"), "apple.usage-description"));
}

#[test]
fn every_catalog_rule_has_a_case() {
    let tested: Vec<&str> = CASES
        .iter()
        .map(|c| c.0)
        .chain(["apple.usage-description"])
        .collect();
    for rule in RULES {
        assert!(
            tested.contains(&rule.id.as_str()),
            "rule {} has no case in tests/rules.rs",
            rule.id
        );
    }
}

#[test]
fn the_issue_s_rule_ids_are_all_in_the_catalog() {
    for id in [
        "service.missing-underscore",
        "service.name-too-long",
        "service.name-invalid-char",
        "service.name-no-letter",
        "service.name-bad-hyphen",
        "service.bad-transport",
        "service.uppercase",
        "service.unregistered",
        "subtype.invalid",
        "instance.too-long",
        "instance.control-char",
        "instance.not-nfc",
        "name.too-long",
        "txt.empty-record",
        "txt.string-too-long",
        "txt.empty-key",
        "txt.key-invalid-char",
        "txt.string-starts-with-equals",
        "txt.duplicate-key",
        "txt.key-too-long",
        "txt.record-large",
        "txt.empty-string",
        "txt.txtvers-not-first",
    ] {
        let rule = netlens_dnssd::catalog::rule(id).unwrap_or_else(|| panic!("{id} missing"));
        assert!(
            !rule.source.is_empty() && !rule.fix.is_empty() && !rule.title.is_empty(),
            "{id}"
        );
    }
    let mut ids: Vec<&str> = RULES.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), RULES.len(), "rule ids are unique");
}

#[test]
fn record_size_tiers_grade_severity() {
    use netlens_dnssd::Severity;
    let tier = |n: usize| {
        let strings: Vec<Vec<u8>> = (0..n / 100).map(|_| vec![b'a'; 99]).collect();
        txt::check(&TxtRecord::from_strings(strings))
            .into_iter()
            .find(|f| f.rule == "txt.record-large")
            .map(|f| f.severity)
    };
    assert_eq!(tier(300), Some(Severity::Info));
    assert_eq!(tier(500), Some(Severity::Warning));
    assert_eq!(tier(1400), None, "txt.record-over-1300 takes over");
    assert_eq!(tier(100), None);
}

/// Severities follow the catalog's own scale: the clause each rule cites is read, and a
/// violated MUST is an error, a SHOULD a warning, a MAY information. Rules citing no RFC 2119
/// keyword are graded by what goes wrong, and say so in their source.
#[test]
fn severities_follow_the_keyword_of_the_cited_clause() {
    use netlens_dnssd::catalog::Requirement;
    let mut graded = 0;
    for rule in RULES {
        if let Some(severity) = rule.requirement().severity() {
            graded += 1;
            assert_eq!(
                rule.severity,
                severity,
                "{}: its source says {:?} ({:?})",
                rule.id,
                rule.requirement(),
                rule.source
            );
        }
    }
    assert!(graded >= 15, "only {graded} rules cite a keyword");
    let of = |id: &str| netlens_dnssd::catalog::rule(id).unwrap().requirement();
    assert_eq!(of("txt.key-too-long"), Requirement::Should);
    assert_eq!(of("txt.record-over-1300"), Requirement::Should);
    assert_eq!(of("instance.control-char"), Requirement::Must);
    assert_eq!(of("service.name-bad-hyphen"), Requirement::Must);
    assert_eq!(of("subtype.no-underscore"), Requirement::None);
}
