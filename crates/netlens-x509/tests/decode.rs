//! Every field of the decoder, checked against certificates issued by the test kit, whose
//! contents are known independently of the decoder.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use base64::Engine as _;
use der::Encode;
use netlens_testkit::{CertSpec, DAY, JAN_2025, Key, KeyAlgorithm, demo_chain_cached, issue};
use netlens_x509::keys::KeyKind;
use netlens_x509::time::ValidityStatus;
use netlens_x509::{CertificateDetails, decode};
use sha2::Digest;

/// 2026-06-01T00:00:00Z: inside the demo leaf's validity.
const JUNE_2026: i64 = 1_780_272_000;

fn decoded_demo_chain(now: i64) -> Vec<CertificateDetails> {
    let chain = demo_chain_cached().unwrap();
    let report = decode(chain.pem().as_bytes(), None, now);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    report.certificates
}

#[test]
fn decodes_the_three_certificates_in_input_order() {
    let certs = decoded_demo_chain(JUNE_2026);
    let labels: Vec<&str> = certs.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "www.netlens.test",
            "Netlens Test Issuing CA 1",
            "Netlens Test Root CA"
        ]
    );
    assert_eq!(
        certs[1].subject.rfc4514,
        "CN=Netlens Test Issuing CA 1,O=Netlens Test PKI,C=US"
    );
    assert_eq!(certs[0].issuer.rfc4514, certs[1].subject.rfc4514);
    assert!(certs[2].self_issued && !certs[0].self_issued);
    for (i, c) in certs.iter().enumerate() {
        assert_eq!(c.index, i);
        assert_eq!(c.location.block, Some(i + 1));
        assert_eq!(c.version, 3);
        assert_eq!(c.format, "PEM");
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
    }
}

#[test]
fn leaf_fields() {
    let leaf = &decoded_demo_chain(JUNE_2026)[0];
    assert_eq!(leaf.serial.hex, "0A:1B:2C:3D:4E:5F:60:71");
    assert_eq!(leaf.serial.decimal.as_deref(), Some("728224406569967729"));
    assert!(!leaf.serial.negative && !leaf.serial.zero);

    let sans: Vec<String> = leaf
        .subject_alt_names
        .iter()
        .map(|n| n.prefixed())
        .collect();
    assert_eq!(
        sans,
        [
            "DNS:www.netlens.test",
            "DNS:netlens.test",
            "IP:192.0.2.10",
            "IP:2001:db8::10"
        ]
    );
    assert_eq!(leaf.public_key.kind, KeyKind::Ec);
    assert_eq!(leaf.public_key.curve.as_deref(), Some("P-256"));
    assert_eq!(leaf.public_key.bits, Some(256));
    assert_eq!(leaf.public_key.summary, "EC P-256");
    assert_eq!(leaf.signature_algorithm.short_name, "ecdsa-with-SHA384");
    assert_eq!(leaf.signature_algorithm.hash.as_deref(), Some("SHA-384"));
    assert!(leaf.signature_algorithm.matches_tbs);

    let bc = leaf.basic_constraints.as_ref().unwrap();
    assert!(!bc.ca && bc.critical && bc.path_len.is_none());
    let ku = leaf.key_usage.as_ref().unwrap();
    assert_eq!(ku.usages, ["digitalSignature"]);
    assert!(ku.critical);
    let eku = leaf.extended_key_usage.as_ref().unwrap();
    assert_eq!(eku.purposes[0].short_name, "serverAuth");
    assert_eq!(eku.purposes[0].name, "TLS Web Server Authentication");

    let aia = leaf.authority_info_access.as_ref().unwrap();
    assert_eq!(aia.ocsp, ["http://ocsp.netlens.test"]);
    assert_eq!(aia.ca_issuers, ["http://pki.netlens.test/issuing-ca-1.cer"]);
    assert_eq!(
        leaf.crl_distribution_points,
        ["http://pki.netlens.test/issuing-ca-1.crl"]
    );
    assert_eq!(leaf.certificate_policies[0].policy.oid, "2.23.140.1.2.1");
    assert_eq!(
        leaf.certificate_policies[0].policy.name,
        "Domain Validated (CA/B Forum)"
    );

    assert_eq!(leaf.sct_count, 3);
    assert_eq!(leaf.scts[0].timestamp, "2026-01-01T00:00:00Z");
    assert_eq!(leaf.scts[1].timestamp_ms, 1_767_225_601_000);
    assert_eq!(leaf.scts[0].signature_algorithm, "ECDSA with SHA-256");
    let expected_log_id =
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(b"log\0"));
    assert_eq!(leaf.scts[0].log_id, expected_log_id);
    assert!(!leaf.must_staple && !leaf.precertificate);

    // Every extension is listed, in order, with a name and a decoded summary.
    let names: Vec<&str> = leaf
        .extensions
        .iter()
        .map(|e| e.short_name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "basicConstraints",
            "keyUsage",
            "extendedKeyUsage",
            "subjectAltName",
            "subjectKeyIdentifier",
            "authorityKeyIdentifier",
            "authorityInfoAccess",
            "crlDistributionPoints",
            "certificatePolicies",
            "ct_precert_scts"
        ]
    );
    assert!(
        leaf.extensions
            .iter()
            .all(|e| e.decoded && e.error.is_none())
    );
}

#[test]
fn key_identifiers_link_leaf_to_issuer() {
    let certs = decoded_demo_chain(JUNE_2026);
    let leaf_aki = certs[0].authority_key_id.as_ref().unwrap();
    assert_eq!(leaf_aki.key_id, certs[1].subject_key_id);
    let inter_aki = certs[1].authority_key_id.as_ref().unwrap();
    assert_eq!(inter_aki.key_id, certs[2].subject_key_id);
    assert!(certs[2].authority_key_id.is_none());
}

#[test]
fn ca_fields_and_key_sizes() {
    let certs = decoded_demo_chain(JUNE_2026);
    let inter = &certs[1];
    assert_eq!(inter.public_key.summary, "EC P-384");
    let bc = inter.basic_constraints.as_ref().unwrap();
    assert!(bc.ca);
    assert_eq!(bc.path_len, Some(0));
    assert_eq!(
        inter.key_usage.as_ref().unwrap().usages,
        ["keyCertSign", "cRLSign"]
    );

    let root = &certs[2];
    assert_eq!(root.public_key.kind, KeyKind::Rsa);
    assert_eq!(root.public_key.bits, Some(4096));
    assert_eq!(root.public_key.rsa_exponent.as_deref(), Some("65537"));
    assert_eq!(root.public_key.summary, "RSA 4096 bits");
    assert_eq!(
        root.signature_algorithm.short_name,
        "sha256WithRSAEncryption"
    );
    assert_eq!(
        inter.signature_algorithm.short_name,
        "sha256WithRSAEncryption"
    );
}

#[test]
fn fingerprints_and_spki_pin_are_computed_over_the_right_bytes() {
    let chain = demo_chain_cached().unwrap();
    let leaf = &decoded_demo_chain(JUNE_2026)[0];
    let expected_sha256 = netlens_x509::hex::colon(&sha2::Sha256::digest(&chain.leaf.der));
    assert_eq!(leaf.fingerprints.sha256, expected_sha256);
    assert_eq!(leaf.fingerprints.sha1.len(), 20 * 3 - 1);
    // The pin is over the SubjectPublicKeyInfo the key itself encodes, not over the certificate.
    let spki_der = chain.leaf.key.spki().unwrap().to_der().unwrap();
    let pin = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(spki_der));
    assert_eq!(leaf.fingerprints.spki_sha256_base64, pin);
    assert_eq!(leaf.pem, chain.leaf.pem());
}

#[test]
fn validity_is_judged_against_the_given_moment() {
    // Leaf: 2026-01-01T00:00:00Z .. 2027-02-01T23:59:59Z (397 inclusive days).
    let leaf = &decoded_demo_chain(JUNE_2026)[0];
    assert_eq!(leaf.validity.not_before, "2026-01-01T00:00:00Z");
    assert_eq!(leaf.validity.not_after, "2027-02-01T23:59:59Z");
    assert_eq!(leaf.validity.lifetime_days, 397);
    assert_eq!(leaf.validity.status, ValidityStatus::Valid);
    assert_eq!(leaf.validity.relative, "expires in 245 days");
    assert_eq!(leaf.validity.days_until_expiry, 245);

    let later = &decoded_demo_chain(1_767_225_600 + 400 * DAY)[0];
    assert_eq!(later.validity.status, ValidityStatus::Expired);
    assert_eq!(later.validity.relative, "expired 3 days ago");
    assert_eq!(later.validity.days_until_expiry, -3);

    let earlier = &decoded_demo_chain(1_767_225_600 - 3600 * 5)[0];
    assert_eq!(earlier.validity.status, ValidityStatus::NotYetValid);
    assert_eq!(
        earlier.validity.relative,
        "not valid until 5 hours from now"
    );
}

#[test]
fn other_key_types_and_name_forms() {
    let chain = demo_chain_cached().unwrap();
    let ed = issue(
        &CertSpec {
            emails: vec!["ops@netlens.test".into()],
            uris: vec!["https://netlens.test/id".into()],
            ..CertSpec::new("CN=Ed Leaf,OU=Ops+UID=42,O=Netlens \"Quoted\"\\, Inc,C=DE")
        },
        Key::generate(KeyAlgorithm::Ed25519, "ed-leaf").unwrap(),
        &chain.intermediate,
    )
    .unwrap();
    let rsa = issue(
        &CertSpec::leaf("rsa.netlens.test").valid(JAN_2025, JAN_2025 + 90 * DAY),
        Key::generate(KeyAlgorithm::Rsa(2048), "rsa-leaf").unwrap(),
        &chain.intermediate,
    )
    .unwrap();
    let text = format!("{}{}", ed.pem(), rsa.pem());
    let report = decode(text.as_bytes(), None, JUNE_2026);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let [ed, rsa] = &report.certificates[..] else {
        panic!("expected two certificates")
    };
    assert_eq!(ed.public_key.kind, KeyKind::Ed25519);
    assert_eq!(ed.public_key.summary, "Ed25519");
    let sans: Vec<String> = ed.subject_alt_names.iter().map(|n| n.prefixed()).collect();
    assert_eq!(
        sans,
        ["email:ops@netlens.test", "URI:https://netlens.test/id"]
    );
    // Multi-valued RDN and RFC 4514 escaping survive the round trip.
    assert!(
        ed.subject.rfc4514.starts_with("CN=Ed Leaf,"),
        "{}",
        ed.subject.rfc4514
    );
    assert!(
        ed.subject
            .rfc4514
            .contains("O=Netlens \\\"Quoted\\\"\\, Inc"),
        "{}",
        ed.subject.rfc4514
    );
    assert!(ed.subject.attributes.iter().any(|a| a.multi_valued));
    assert!(ed.basic_constraints.is_none() && ed.key_usage.is_none());

    assert_eq!(rsa.public_key.summary, "RSA 2048 bits");
    assert_eq!(rsa.validity.lifetime_days, 91);
    assert_eq!(rsa.validity.status, ValidityStatus::Expired);
}

#[test]
fn unknown_and_malformed_extensions_are_listed_not_fatal() {
    let chain = demo_chain_cached().unwrap();
    let private = const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.7");
    let spec = CertSpec {
        extra_extensions: vec![
            netlens_testkit::extension(private, false, &der::asn1::Null).unwrap(),
            // A TLS Feature asking for OCSP Must-Staple.
            netlens_testkit::extension(
                const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.24"),
                false,
                &vec![der::asn1::Int::new(&[5]).unwrap()],
            )
            .unwrap(),
            // An AIA whose value is not a SEQUENCE: undecodable.
            netlens_testkit::extension(
                const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.1"),
                false,
                &der::asn1::Null,
            )
            .unwrap(),
        ],
        ..CertSpec::leaf("odd.netlens.test")
    };
    let odd = issue(
        &spec,
        Key::generate(KeyAlgorithm::P256, "odd").unwrap(),
        &chain.intermediate,
    )
    .unwrap();
    let report = decode(odd.pem().as_bytes(), None, JUNE_2026);
    let cert = &report.certificates[0];
    let unknown = cert
        .extensions
        .iter()
        .find(|e| e.oid == "1.3.6.1.4.1.99999.7")
        .unwrap();
    assert!(!unknown.decoded);
    assert_eq!(unknown.value_hex.as_deref(), Some("05:00"));
    assert!(cert.must_staple);
    let aia = cert
        .extensions
        .iter()
        .find(|e| e.short_name == "authorityInfoAccess")
        .unwrap();
    assert!(aia.error.is_some());
    assert!(
        cert.warnings
            .iter()
            .any(|w| w.contains("Authority Information Access")),
        "{:?}",
        cert.warnings
    );
}

#[test]
fn report_serializes_to_stable_snake_case_json() {
    let chain = demo_chain_cached().unwrap();
    let report = decode(chain.pem().as_bytes(), Some("chain.pem"), JUNE_2026);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["decoded_at"], "2026-06-01T00:00:00Z");
    assert_eq!(json["limits"]["max_certificates"], 500);
    let leaf = &json["certificates"][0];
    for key in [
        "subject",
        "issuer",
        "serial",
        "validity",
        "subject_alt_names",
        "public_key",
        "signature_algorithm",
        "basic_constraints",
        "key_usage",
        "extended_key_usage",
        "authority_key_id",
        "subject_key_id",
        "authority_info_access",
        "crl_distribution_points",
        "sct_count",
        "extensions",
        "fingerprints",
    ] {
        assert!(!leaf[key].is_null(), "missing {key}");
    }
    assert_eq!(leaf["location"]["source"], "chain.pem");
    assert_eq!(leaf["subject_alt_names"][0]["kind"], "dns");
    assert_eq!(leaf["validity"]["status"], "valid");
    assert_eq!(leaf["public_key"]["kind"], "ec");
}

#[test]
fn crafted_extension_floods_are_listed_in_part_with_a_warning() {
    use netlens_x509::limits::MAX_LISTED_EXTENSIONS;
    let chain = demo_chain_cached().unwrap();
    let private = const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.1");
    let flood = vec![netlens_testkit::extension(private, false, &der::asn1::Null).unwrap(); 3000];
    let cert = issue(
        &CertSpec {
            extra_extensions: flood,
            ..CertSpec::leaf("flood.netlens.test")
        },
        Key::generate(KeyAlgorithm::P256, "flood").unwrap(),
        &chain.intermediate,
    )
    .unwrap();
    let report = decode(&cert.der, None, JUNE_2026);
    let c = &report.certificates[0];
    assert_eq!(c.extensions.len(), MAX_LISTED_EXTENSIONS);
    assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
    // 3000 added to the leaf spec's six (basic constraints, KU, EKU, SAN, SKI, AKI).
    assert!(
        c.warnings[0].contains("has 3006 extensions"),
        "{}",
        c.warnings[0]
    );
    assert!(c.warnings[1].contains("appears more than once"));
}
