//! Every paste parser on real tool output (built from the tools' print code, escapes included;
//! see the doc comments in src/formats/tools.rs), detected and given explicitly.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use netlens_dnssd::formats::{self, Format};

fn capture(name: &str) -> String {
    let path = format!("{}/tests/captures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse(name: &str, format: Format) -> formats::Parsed {
    let text = capture(name);
    assert_eq!(
        formats::detect(&text),
        format,
        "{name} is detected as {}",
        format.id()
    );
    let parsed = formats::parse(&text, Some(format)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(formats::parse(&text, None).unwrap().record, parsed.record);
    parsed
}

fn strings(p: &formats::Parsed) -> Vec<Vec<u8>> {
    p.record.strings.iter().map(|s| s.0.clone()).collect()
}

fn bytes(list: &[&[u8]]) -> Vec<Vec<u8>> {
    list.iter().map(|s| s.to_vec()).collect()
}

#[test]
fn dns_sd_lookup_undoes_show_txt_record_escaping() {
    let p = parse("dns-sd-L.txt", Format::DnsSd);
    assert_eq!(
        strings(&p),
        bytes(&[
            b"txtvers=1",
            b"ty=HP LaserJet 400",
            "note=Café".as_bytes(),
            b"path=C:\\dir",
            b"q=a\"b",
            b"nl=\n",
            b"flag",
            b"nul=\0end"
        ])
    );
    let service = p.service.unwrap();
    assert_eq!(service.instance.as_deref(), Some("My Printer"));
    assert_eq!(service.service_type.as_deref(), Some("_ipp._tcp"));
    assert_eq!(service.domain.as_deref(), Some("local."));
    assert_eq!(service.host.as_deref(), Some("printer.local."));
    assert_eq!(service.port, Some(631));
    assert!(p.notes.iter().any(|n| n.contains("2 resolve results")));
}

#[test]
fn dns_sd_lookup_without_txt_line_is_the_empty_record() {
    let p = formats::parse(
        "10:01:02.456  X._ipp._tcp.local. can be reached at h.local.:631 (interface 4)\n",
        None,
    )
    .unwrap();
    assert_eq!(strings(&p), bytes(&[b""]));
}

#[test]
fn dns_sd_zone_keeps_raw_bytes() {
    let p = parse("dns-sd-Z.txt", Format::DnsSdZone);
    assert_eq!(
        strings(&p),
        bytes(&[b"txtvers=1", b"path=/a\"b\\c", b"tab=a\tb"])
    );
    let service = p.service.unwrap();
    assert_eq!(service.instance.as_deref(), Some("My Web Server"));
    assert_eq!(service.port, Some(80));
    assert_eq!(service.host.as_deref(), Some("myhost.local."));
}

#[test]
fn dns_sd_query_is_exact_hex() {
    let p = parse("dns-sd-Q.txt", Format::Hex);
    assert_eq!(strings(&p), bytes(&[b"txtvers=1", b"qtotal=1"]));
}

#[test]
fn avahi_browse_resolve() {
    let p = parse("avahi-r.txt", Format::Avahi);
    assert_eq!(
        strings(&p),
        bytes(&[
            b"txtvers=1",
            b"rp=ipp/print",
            "note=Café".as_bytes(),
            b"q=a\"b\\c",
            b"nl=\n"
        ])
    );
    let service = p.service.unwrap();
    assert_eq!(service.instance.as_deref(), Some("My Printer"));
    assert_eq!(service.service_type.as_deref(), Some("_ipp._tcp"));
    assert_eq!(service.port, Some(631));
    assert!(p.notes.iter().any(|n| n.contains("2 resolved entries")));
}

#[test]
fn avahi_browse_parsable_splits_nine_fields_only() {
    let p = parse("avahi-rpk.txt", Format::AvahiParsable);
    assert_eq!(
        strings(&p),
        bytes(&[
            b"txtvers=1",
            b"rp=ipp/print",
            "note=Café".as_bytes(),
            b"semi=a;b",
            b"PATH=/x",
            b"path=/y"
        ])
    );
    assert_eq!(p.service.unwrap().instance.as_deref(), Some("My Printer."));
}

#[test]
fn dig_answer_short_and_zone_file() {
    let p = parse("dig.txt", Format::Dig);
    assert_eq!(
        strings(&p),
        bytes(&[
            b"txtvers=1",
            b"rp=ipp/print",
            "note=Café".as_bytes(),
            b"q=a\"b",
            b"x;y"
        ])
    );
    assert_eq!(p.service.unwrap().instance.as_deref(), Some("My Printer"));
    let p = parse("dig-short.txt", Format::Dig);
    assert_eq!(
        strings(&p),
        bytes(&[b"txtvers=1", b"rp=ipp/print", "note=Café".as_bytes()])
    );
    let p = parse("zone.txt", Format::Dig);
    assert_eq!(strings(&p), bytes(&[b"txtvers=1", b"rp=ipp/print"]));
}

#[test]
fn kv_and_base64() {
    let p = parse("kv.txt", Format::Kv);
    assert_eq!(
        strings(&p),
        bytes(&[
            b"txtvers=1",
            b"rp=ipp/print",
            b"flag",
            b"empty=",
            "note=Café".as_bytes()
        ])
    );
    let p = parse("base64.txt", Format::Base64);
    assert_eq!(strings(&p), bytes(&[b"txtvers=1", b"qtotal=1"]));
}

#[test]
fn parse_errors_name_line_and_column() {
    let cases: &[(&str, Format, usize, usize)] = &[
        ("x TXT \"open", Format::DnsSdZone, 1, 7),
        (
            "a. 1 IN TXT \"ok\"\nb. 1 IN TXT \"bad\\999\"",
            Format::Dig,
            2,
            17,
        ),
        (
            "=;eth0;IPv4;name;_ipp._tcp;local;host",
            Format::AvahiParsable,
            1,
            38,
        ),
        ("   txt = [\"a\" \"b", Format::Avahi, 1, 15),
        (
            "10:00:00.000  X._a._tcp.local. can be reached at h:1 (interface 1)\n << invalid data >>",
            Format::DnsSd,
            2,
            2,
        ),
        ("09 74", Format::Hex, 1, 1),
        ("CXR4dHZlcn#M9MQ", Format::Base64, 1, 11),
    ];
    for &(input, format, line, column) in cases {
        let e = formats::parse(input, Some(format)).unwrap_err();
        assert_eq!(
            (e.line, e.column),
            (line, column),
            "{} {input:?}: {e}",
            format.id()
        );
    }
}

#[test]
fn oversized_input_is_refused() {
    let big = "a".repeat(formats::MAX_INPUT + 1);
    assert!(
        formats::parse(&big, None)
            .unwrap_err()
            .message
            .contains("1 MiB")
    );
}

/// Captures of real tools (`scripts/dnssd-daemons.py`: avahi-daemon 0.8, python-zeroconf
/// 0.154), committed so that these run anywhere; `make test` checks every capture of a fresh
/// run against the wire bytes.
fn real(name: &str) -> formats::Parsed {
    parse(
        &format!("real/{name}"),
        if name.starts_with("avahi-0.8-r-") {
            Format::Avahi
        } else if name.starts_with("avahi") {
            Format::AvahiParsable
        } else {
            Format::Zeroconf
        },
    )
}

#[test]
fn real_avahi_prints_strings_last_first_and_netlens_reads_wire_order() {
    let p = real("avahi-0.8-rpk-dupes.txt");
    assert_eq!(
        strings(&p),
        bytes(&[
            b"txtvers=1",
            b"path=/first",
            b"PATH=/second",
            b"path=/third",
            b"Key=1",
            b"key=2"
        ])
    );
    assert!(p.notes.iter().any(|n| n.contains("last first")));
    // txtvers is first on the wire, so no finding says otherwise.
    let report = netlens_dnssd::check_txt(
        &capture("real/avahi-0.8-rpk-dupes.txt"),
        None,
        &netlens_dnssd::ServiceContext::default(),
    );
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.rule == "txt.txtvers-not-first")
    );
    let p = real("avahi-0.8-r-bytes.txt");
    assert_eq!(
        strings(&p),
        bytes(&[
            "note=Café ☕".as_bytes(),
            b"bin=\x00\x7f\xff\x01\x1f\x80",
            b"nul=\x00",
            b"tab=a\tb",
            b"nl=a\nb"
        ])
    );
    // Human output writes each byte of the name that is not printable ASCII as `_`.
    assert_eq!(
        p.service.unwrap().instance.as_deref(),
        Some("Caf__ ___ __n__code")
    );
    // Avahi drops the empty string in the middle (wire: a=1, "", b=2) and netlens says it may.
    let p = real("avahi-0.8-rp-gap.txt");
    assert_eq!(strings(&p), bytes(&[b"a=1", b"b=2"]));
    assert!(p.notes.iter().any(|n| n.contains("drops empty strings")));
}

#[test]
fn real_python_zeroconf_views() {
    // info.text is the record; the repr's properties read the same here (no duplicate keys).
    let wire = bytes(&[
        b"txtvers=1",
        b"flag",
        b"empty=",
        b"bin=\x00\xff",
        "text=Café".as_bytes(),
    ]);
    assert_eq!(strings(&real("zeroconf-0.154-text.txt")), wire);
    let p = real("zeroconf-0.154-print.txt");
    assert_eq!(strings(&p), wire);
    let service = p.service.unwrap();
    assert_eq!(service.instance.as_deref(), Some("Zeroconf Ünïcode Device"));
    assert_eq!(service.service_type.as_deref(), Some("_nlt-zc._tcp"));
    assert_eq!(service.port, Some(8123));
    // decoded_properties lost the bytes that are not UTF-8, and netlens says so.
    let p = real("zeroconf-0.154-decoded-bytes.txt");
    assert_eq!(
        strings(&p)[1],
        "bin=\0\u{7f}\u{fffd}\u{1}\u{1f}\u{fffd}".as_bytes()
    );
    assert!(p.notes.iter().any(|n| n.contains("U+FFFD")));
}

/// The forms to copy publish the service the paste names, where the user gave none.
#[test]
fn forms_use_the_service_a_paste_names() {
    use netlens_dnssd::{ServiceContext, check_txt};
    let report = check_txt(
        &capture("real/avahi-0.8-rpk-dupes.txt"),
        None,
        &ServiceContext::default(),
    );
    let forms = report.forms.unwrap();
    assert!(
        forms.dns_sd_register.contains("Duplicates")
            && forms.dns_sd_register.contains("_nlt-dupes._tcp")
            && forms.dns_sd_register.contains(" 80 "),
        "{}",
        forms.dns_sd_register
    );
    assert!(
        forms.python.contains("server=\"netlens-test.local.\""),
        "{}",
        forms.python
    );
    // What the user typed wins over the paste.
    let given = ServiceContext {
        instance: "Front Desk".into(),
        port: 631,
        ..ServiceContext::default()
    };
    let forms = check_txt(&capture("real/avahi-0.8-rpk-dupes.txt"), None, &given)
        .forms
        .unwrap();
    assert!(
        forms.dns_sd_register.contains("Front Desk") && forms.dns_sd_register.contains(" 631 ")
    );
    assert!(forms.dns_sd_register.contains("_nlt-dupes._tcp"));
    // avahi-browse -r shows `_` for name bytes it cannot print: its name is not used.
    let forms = check_txt(
        &capture("real/avahi-0.8-r-bytes.txt"),
        None,
        &ServiceContext::default(),
    )
    .forms
    .unwrap();
    assert!(
        forms.dns_sd_register.contains("My Service")
            && forms.dns_sd_register.contains("_nlt-bytes._tcp")
    );
    // python-zeroconf's repr names all of it.
    let forms = check_txt(
        &capture("real/zeroconf-0.154-print.txt"),
        None,
        &ServiceContext::default(),
    )
    .forms
    .unwrap();
    assert!(
        forms
            .python
            .contains("Zeroconf Ünïcode Device._nlt-zc._tcp.local.")
            && forms.python.contains("port=8123"),
        "{}",
        forms.python
    );
}

/// mDNSResponder's own dns-sd (mDNSPosix of mDNSResponder-2600.100.147, built and captured by
/// scripts/mdnsresponder-captures.sh): -L and -Z print bytes ≥ 0x80 raw, -Q prints the wire in
/// hex, -B lists instances only.
#[test]
fn real_dns_sd_outputs() {
    let read = |name: &str| {
        let path = format!(
            "{}/tests/captures/mdnsresponder/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        formats::text_from_bytes(&std::fs::read(&path).unwrap())
    };
    let wire = bytes(&[
        "note=Café ☕".as_bytes(),
        b"bin=\x00\x7f\xff\x01\x1f\x80",
        b"nul=\x00",
        b"tab=a\tb",
        b"nl=a\nb",
    ]);
    for (name, format) in [
        ("bytes.dnssd_L.txt", Format::DnsSd),
        ("bytes.dnssd_Z.txt", Format::DnsSdZone),
        ("bytes.dnssd_Q.txt", Format::Hex),
    ] {
        let text = read(name);
        assert_eq!(formats::detect(&text), format, "{name}");
        let p = formats::parse(&text, None).unwrap();
        assert_eq!(strings(&p), wire, "{name}");
    }
    let p = formats::parse(&read("escapes.dnssd_L.txt"), None).unwrap();
    assert_eq!(
        p.service.unwrap().instance.as_deref(),
        Some("Dots. and \\Backslash v2.0")
    );
    let e = formats::parse(&read("basic.dnssd_B.txt"), None).unwrap_err();
    assert!(
        e.message
            .contains("dns-sd -L \"Basic Printer\" _nlt-basic._tcp"),
        "{}",
        e.message
    );
}
