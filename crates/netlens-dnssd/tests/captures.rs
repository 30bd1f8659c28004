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
