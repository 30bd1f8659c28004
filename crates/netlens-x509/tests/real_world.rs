//! Real certificates from real CAs: Mozilla's root program (bundled with the `webpki-root-certs`
//! crate), and, when `../shared/data` is present, Apple's trust store and the real server chains
//! of x509-limbo's `online::` cases. The shared data is optional: without it those tests say so
//! and skip.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::path::PathBuf;

use netlens_x509::{Decoder, decode, time::rfc3339_from_unix};

const NOW: i64 = 1_780_272_000;

fn shared_data(rel: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(rel);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: {} not found (../shared/data is optional; these checks run where it exists)",
            path.display()
        );
        None
    }
}

#[test]
fn every_mozilla_root_decodes_with_a_name_key_and_fingerprint() {
    let mut decoder = Decoder::new(NOW);
    let roots = webpki_root_certs::TLS_SERVER_ROOT_CERTS;
    assert!(roots.len() > 100);
    for (i, der) in roots.iter().enumerate() {
        decoder.add(der.as_ref(), Some(&format!("mozilla-{i}.der")));
    }
    let report = decoder.finish();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert_eq!(report.certificates.len(), roots.len());
    for cert in &report.certificates {
        assert!(cert.self_issued, "{} is a root", cert.label);
        assert!(!cert.subject.rfc4514.is_empty());
        assert!(
            cert.public_key.bits.is_some(),
            "{}: {:?}",
            cert.label,
            cert.public_key
        );
        assert!(cert.signature_algorithm.hash.is_some(), "{}", cert.label);
        assert!(
            cert.warnings.is_empty(),
            "{}: {:?}",
            cert.label,
            cert.warnings
        );
        let bc = cert.basic_constraints.as_ref();
        assert!(bc.is_none_or(|b| b.ca), "{} must be a CA", cert.label);
    }
}

#[test]
fn apple_trust_store_fingerprints_match_file_names() {
    let Some(dir) = shared_data("apple-roots") else {
        return;
    };
    let mut count = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "cer") {
            continue;
        }
        let der = std::fs::read(&path).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().to_uppercase();
        let report = decode(&der, Some(&name), NOW);
        assert!(report.problems.is_empty(), "{name}: {:?}", report.problems);
        let cert = &report.certificates[0];
        // Apple names each root by the SHA-256 of its DER: an independent check of our digest.
        assert_eq!(cert.fingerprints.sha256.replace(':', ""), name);
        count += 1;
    }
    assert!(count >= 150, "expected Apple's ~156 roots, found {count}");
}

#[test]
fn limbo_online_chains_decode_completely() {
    let Some(path) = shared_data("x509-limbo/limbo.json") else {
        return;
    };
    let suite: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut chains = 0;
    for case in suite["testcases"].as_array().unwrap() {
        let id = case["id"].as_str().unwrap();
        if !id.starts_with("online::") {
            continue;
        }
        let mut text = case["peer_certificate"].as_str().unwrap().to_owned();
        for pem in case["untrusted_intermediates"].as_array().unwrap() {
            text.push_str(pem.as_str().unwrap());
        }
        let report = decode(text.as_bytes(), None, NOW);
        assert!(report.problems.is_empty(), "{id}: {:?}", report.problems);
        let leaf = &report.certificates[0];
        assert!(!leaf.subject_alt_names.is_empty(), "{id}: leaf has SANs");
        assert!(leaf.sct_count >= 2, "{id}: public leaves carry SCTs");
        assert!(leaf.authority_info_access.is_some(), "{id}");
        for sct in &leaf.scts {
            assert!(sct.timestamp.starts_with("20"), "{id}: {}", sct.timestamp);
        }
        chains += 1;
    }
    assert!(
        chains >= 10,
        "expected x509-limbo's online chains, found {chains}"
    );
    eprintln!(
        "decoded {chains} real server chains as of {}",
        rfc3339_from_unix(NOW)
    );
}
