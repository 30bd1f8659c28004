//! Every input form users paste or drop, and every way it can be wrong, with the location the
//! problem is reported at.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use base64::Engine as _;
use netlens_testkit::{demo_chain_cached, pem_with_label, pkcs7_bundle};
use netlens_x509::problem::{Location, ProblemKind, Severity};
use netlens_x509::{DecodeReport, Decoder, decode, limits};

const NOW: i64 = 1_780_272_000;

fn labels(report: &DecodeReport) -> Vec<String> {
    report
        .certificates
        .iter()
        .map(|c| c.label.clone())
        .collect()
}

fn codes(report: &DecodeReport) -> Vec<&'static str> {
    report.problems.iter().map(|p| p.code()).collect()
}

const DEMO: [&str; 3] = [
    "www.netlens.test",
    "Netlens Test Issuing CA 1",
    "Netlens Test Root CA",
];

#[test]
fn openssl_s_client_output_with_surrounding_text() {
    let chain = demo_chain_cached().unwrap();
    let text = format!(
        "CONNECTED(00000003)\ndepth=2 C = US, O = Netlens Test PKI, CN = Netlens Test Root CA\n\
         verify return:1\n---\nCertificate chain\n 0 s:CN = www.netlens.test\n   i:C = US, O = Netlens Test PKI, CN = Netlens Test Issuing CA 1\n\
         {} 1 s:C = US, O = Netlens Test PKI, CN = Netlens Test Issuing CA 1\n{}\
         ---\nServer certificate\nsubject=CN = www.netlens.test\n---\nSSL handshake has read 4242 bytes\n{}Verify return code: 0 (ok)\n",
        chain.leaf.pem(),
        chain.intermediate.pem(),
        chain.root.pem()
    );
    let report = decode(text.as_bytes(), None, NOW);
    assert_eq!(labels(&report), DEMO);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    // Lines are counted from 1 where each BEGIN line is.
    assert_eq!(report.certificates[0].location.line, Some(8));
}

#[test]
fn crlf_indentation_and_json_escapes() {
    let chain = demo_chain_cached().unwrap();
    let crlf = chain.pem().replace('\n', "\r\n");
    let indented: String = chain.pem().lines().map(|l| format!("    {l}\n")).collect();
    let json = format!(
        "{{\"cert\": \"{}\"}}",
        chain.leaf.pem().replace('\n', "\\n")
    );
    for (name, text) in [("crlf", crlf), ("indented", indented)] {
        let report = decode(text.as_bytes(), None, NOW);
        assert_eq!(labels(&report), DEMO, "{name}");
    }
    let report = decode(json.as_bytes(), None, NOW);
    assert_eq!(labels(&report), ["www.netlens.test"]);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[test]
fn rfc1421_headers_and_alternate_labels() {
    let chain = demo_chain_cached().unwrap();
    let with_header = chain
        .leaf
        .pem()
        .replace("-----\n", "-----\nProc-Type: 4,NONE\nComment: exported\n\n");
    let x509 = pem_with_label(&chain.intermediate.der, "X509 CERTIFICATE");
    // OpenSSL's TRUSTED CERTIFICATE: the certificate followed by auxiliary trust settings.
    let mut trusted_der = chain.root.der.clone();
    trusted_der.extend_from_slice(&[0x30, 0x03, 0x0C, 0x01, b'x']);
    let trusted = pem_with_label(&trusted_der, "TRUSTED CERTIFICATE");
    let report = decode(
        format!("{with_header}{x509}{trusted}").as_bytes(),
        None,
        NOW,
    );
    assert_eq!(labels(&report), DEMO);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.certificates[1].format, "PEM (X509 CERTIFICATE)");
}

#[test]
fn der_single_and_concatenated() {
    let chain = demo_chain_cached().unwrap();
    let report = decode(&chain.leaf.der, Some("leaf.der"), NOW);
    assert_eq!(labels(&report), ["www.netlens.test"]);
    assert_eq!(report.certificates[0].format, "DER");
    assert_eq!(
        report.certificates[0].location.source.as_deref(),
        Some("leaf.der")
    );

    let mut concatenated = [chain.leaf.der.clone(), chain.intermediate.der.clone()].concat();
    concatenated.extend_from_slice(b"\r\n");
    let report = decode(&concatenated, None, NOW);
    assert_eq!(labels(&report), &DEMO[..2]);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(
        report.certificates[1].location.byte_offset,
        chain.leaf.der.len()
    );
}

#[test]
fn base64_and_hex_without_armor() {
    let chain = demo_chain_cached().unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&chain.leaf.der);
    let wrapped: String = b64
        .as_bytes()
        .chunks(76)
        .map(|c| format!("{}\n", String::from_utf8_lossy(c)))
        .collect();
    let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&chain.root.der);
    let hex = netlens_x509::hex::colon(&chain.intermediate.der);
    for (text, label, format) in [
        (wrapped.as_str(), DEMO[0], "base64"),
        (b64.as_str(), DEMO[0], "base64"),
        (url_safe.as_str(), DEMO[2], "base64"),
        (hex.as_str(), DEMO[1], "hex"),
    ] {
        let report = decode(text.as_bytes(), None, NOW);
        assert_eq!(labels(&report), [label]);
        assert_eq!(report.certificates[0].format, format);
    }
}

#[test]
fn pkcs7_bundles_in_der_and_pem() {
    let chain = demo_chain_cached().unwrap();
    let bundle = pkcs7_bundle(&[&chain.leaf.der, &chain.intermediate.der, &chain.root.der]);
    let report = decode(&bundle, Some("chain.p7b"), NOW);
    assert_eq!(labels(&report), DEMO);
    assert_eq!(report.certificates[0].format, "PKCS#7 bundle (DER)");
    assert_eq!(report.certificates[2].location.bundle_index, Some(3));

    let pem = pem_with_label(&bundle, "PKCS7");
    let report = decode(pem.as_bytes(), None, NOW);
    assert_eq!(labels(&report), DEMO);
    assert_eq!(report.certificates[0].format, "PKCS#7 bundle (PEM (PKCS7))");
    assert!(
        report
            .certificates
            .iter()
            .all(|c| c.location.block == Some(1))
    );

    let empty = pkcs7_bundle(&[]);
    let report = decode(&empty, None, NOW);
    assert_eq!(codes(&report), ["empty-pkcs7"]);
    assert_eq!(report.problems[0].severity(), Severity::Warning);
}

#[test]
fn pkcs7_that_is_not_signed_data_is_explained() {
    // ContentInfo with id-data instead of id-signedData.
    let data_oid = [
        0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01,
    ];
    let mut content_info = vec![0x30, data_oid.len() as u8];
    content_info.extend_from_slice(&data_oid);
    let report = decode(&content_info, None, NOW);
    assert_eq!(codes(&report), ["invalid-pkcs7"]);
    assert!(report.problems[0].message().contains("signedData"));
}

#[test]
fn garbage_is_an_error_naming_what_was_expected() {
    let report = decode(b"hello, this is not a certificate", None, NOW);
    assert!(report.certificates.is_empty());
    assert_eq!(codes(&report), ["nothing-recognised"]);
    assert!(
        report.problems[0]
            .message()
            .contains("-----BEGIN CERTIFICATE-----")
    );
    assert!(report.has_errors());

    assert_eq!(codes(&decode(b"  \n\t ", None, NOW)), ["empty"]);
}

#[test]
fn pem_problems_name_block_line_and_byte() {
    let chain = demo_chain_cached().unwrap();
    let leaf = chain.leaf.pem();
    let inter = chain.intermediate.pem();

    // Second block cut off: no END line. The first still decodes.
    let cut = &inter[..inter.len() / 2];
    let text = format!("{leaf}{cut}");
    let report = decode(text.as_bytes(), None, NOW);
    assert_eq!(labels(&report), [DEMO[0]]);
    assert_eq!(codes(&report), ["pem-unterminated"]);
    let loc = report.problems[0].location.as_ref().unwrap();
    assert_eq!((loc.block, loc.byte_offset), (Some(2), leaf.len()));
    assert_eq!(loc.line, Some(leaf.lines().count() + 1));
    assert!(report.problems[0].to_string().starts_with("block 2 (line"));

    // Mismatched END label.
    let text = leaf.replace("-----END CERTIFICATE-----", "-----END PKCS7-----");
    assert_eq!(
        codes(&decode(text.as_bytes(), None, NOW)),
        ["pem-mismatched-end"]
    );

    // A stray character in the body: reported with its own byte offset.
    let mut text = leaf.clone();
    let at = text.find('\n').unwrap() + 10;
    text.replace_range(at..at + 1, "!");
    let report = decode(text.as_bytes(), None, NOW);
    assert_eq!(
        report.problems[0].kind,
        ProblemKind::PemInvalidCharacter { character: '!', at }
    );

    // END without BEGIN.
    let body = leaf.split_once('\n').unwrap().1;
    let report = decode(body.as_bytes(), None, NOW);
    assert_eq!(codes(&report), ["pem-missing-begin"]);

    // Empty block.
    let report = decode(
        b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
        None,
        NOW,
    );
    assert_eq!(codes(&report), ["pem-empty"]);
}

#[test]
fn corrupted_der_inside_a_block_names_the_der_offset() {
    let chain = demo_chain_cached().unwrap();
    let mut der = chain.intermediate.der.clone();
    // Overwrite the tag of the validity SEQUENCE's first time with an INTEGER tag.
    let validity_time = der
        .windows(2)
        .position(|w| w == [0x17, 0x0D])
        .expect("UTCTime in the certificate");
    der[validity_time] = 0x02;
    let text = format!(
        "{}{}{}",
        chain.leaf.pem(),
        netlens_testkit::pem(&der),
        chain.root.pem()
    );
    let report = decode(text.as_bytes(), None, NOW);
    assert_eq!(labels(&report), [DEMO[0], DEMO[2]]);
    assert_eq!(codes(&report), ["invalid-certificate"]);
    let loc = report.problems[0].location.as_ref().unwrap();
    assert_eq!(loc.block, Some(2));
    assert!(loc.der_offset.is_some(), "{loc:?}");
    assert!(report.problems[0].to_string().contains("block 2"));

    // Truncated DER file.
    let report = decode(&chain.leaf.der[..300], Some("cut.der"), NOW);
    assert_eq!(codes(&report), ["malformed-der"]);
    assert!(report.problems[0].message().contains("cut short"));
}

#[test]
fn non_certificate_pem_types_are_skipped_with_a_reason() {
    let chain = demo_chain_cached().unwrap();
    let text = format!(
        "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----\n\
         -----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n\
         -----BEGIN FOO BAR-----\nAAAA\n-----END FOO BAR-----\n{}",
        chain.leaf.pem()
    );
    let report = decode(text.as_bytes(), None, NOW);
    assert_eq!(labels(&report), [DEMO[0]]);
    assert_eq!(
        codes(&report),
        [
            "private-key-ignored",
            "not-a-certificate",
            "unsupported-pem-label"
        ]
    );
    assert_eq!(report.problems[0].severity(), Severity::Notice);
    // The private key's content never appears in any message.
    assert!(
        report
            .problems
            .iter()
            .all(|p| !p.to_string().contains("MIIBVQ"))
    );
}

#[test]
fn inputs_over_the_size_limit_are_refused() {
    let big = vec![b'A'; limits::MAX_INPUT_BYTES + 1];
    let report = decode(&big, Some("huge.pem"), NOW);
    assert!(report.certificates.is_empty());
    assert_eq!(codes(&report), ["too-large"]);
    assert!(report.refusal().is_some());
    assert!(report.problems[0].message().contains("5.0 MiB"));
}

#[test]
fn files_refused_before_reading_are_reported_like_oversized_input() {
    let mut decoder = Decoder::new(NOW);
    decoder.add_too_large(12 * 1024 * 1024, Some("huge.p7b"));
    let report = decoder.finish();
    assert_eq!(codes(&report), ["too-large"]);
    assert!(report.problems[0].to_string().starts_with("file huge.p7b"));
    assert!(report.problems[0].message().contains("12.0 MiB"));
}

#[test]
fn batches_over_the_certificate_limit_are_refused() {
    let chain = demo_chain_cached().unwrap();
    let pem = chain.leaf.pem();
    let at_limit = pem.repeat(limits::MAX_CERTIFICATES);
    let report = decode(at_limit.as_bytes(), None, NOW);
    assert_eq!(report.certificates.len(), limits::MAX_CERTIFICATES);
    assert!(report.problems.is_empty());

    // The budget is shared across the inputs of one batch.
    let mut decoder = Decoder::new(NOW);
    decoder.add(at_limit.as_bytes(), Some("a.pem"));
    decoder.add(pem.as_bytes(), Some("b.pem"));
    let report = decoder.finish();
    assert!(report.certificates.is_empty());
    assert_eq!(codes(&report), ["too-many-certificates"]);
}

#[test]
fn floods_of_problems_are_summarised() {
    let text =
        "-----BEGIN FOO-----\nAA\n-----END FOO-----\n".repeat(limits::MAX_REPORTED_PROBLEMS + 7);
    let report = decode(text.as_bytes(), None, NOW);
    assert_eq!(report.problems.len(), limits::MAX_REPORTED_PROBLEMS + 1);
    assert_eq!(
        report.problems.last().unwrap().kind,
        ProblemKind::ProblemsOmitted { count: 7 }
    );
}

#[test]
fn batch_keeps_sources_apart() {
    let chain = demo_chain_cached().unwrap();
    let mut decoder = Decoder::new(NOW);
    decoder.add(chain.leaf.pem().as_bytes(), None);
    decoder.add(&chain.root.der, Some("root.cer"));
    decoder.add(b"junk", Some("notes.txt"));
    let report = decoder.finish();
    assert_eq!(labels(&report), [DEMO[0], DEMO[2]]);
    assert_eq!(report.certificates[1].index, 1);
    assert_eq!(
        report.certificates[1].location.source.as_deref(),
        Some("root.cer")
    );
    assert_eq!(
        report.problems[0].location,
        Some(Location {
            source: Some("notes.txt".into()),
            ..Location::default()
        })
    );
}
