//! Untrusted input never panics: every truncation and single-byte change of real inputs (a
//! PKCS#8 key as PEM and DER, SEC1 and PKCS#1 keys, a pasted CA with its root, a PKCS#12 file of
//! each format) and pseudo-random bytes go through the readers `netlens make` and the page use.
//! The fuzz target `make_inputs` runs the same readers for longer campaigns.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use std::collections::BTreeMap;

use netlens_make::rustcrypto;
use netlens_make::{CaInput, KeyType, PrivateKey, Request, SignatureScheme};
use rand_core::SeedableRng;

fn read_everything(data: &[u8]) {
    let _ = PrivateKey::parse(data);
    for key_type in [KeyType::P256, KeyType::Rsa(2048)] {
        if let Ok(input) = CaInput::read(data, key_type, 0) {
            for n in 0..input.candidates() {
                let _ = input.proof_request(n, SignatureScheme::EcdsaSha256, data);
            }
            let _ = input.select(0);
        }
    }
    let _ = netlens_make::pkcs12::read(data, "pw");
    let names = netlens_make::names::split(&String::from_utf8_lossy(data));
    if let Ok((list, _)) = netlens_make::names::parse(&names) {
        let _ = netlens_make::names::Constraints::from_names(&list).extension();
    }
}

fn samples() -> Vec<Vec<u8>> {
    let mut rng = rand_chacha::ChaCha20Rng::from_seed([7; 32]);
    let request = Request {
        names: vec!["printer.local".into()],
        ..Request::default()
    };
    let made = rustcrypto::make(
        request.clone(),
        1_796_638_402,
        None,
        BTreeMap::new(),
        Some("pw"),
        &mut rng,
    )
    .unwrap();
    let modern = rustcrypto::make(
        Request {
            pkcs12: netlens_make::Pkcs12Format::Modern,
            ..request
        },
        1_796_638_402,
        None,
        BTreeMap::new(),
        Some("pw"),
        &mut rng,
    )
    .unwrap();
    let file = |m: &rustcrypto::Made, p: &str| {
        m.files.iter().find(|f| f.path == p).unwrap().bytes.to_vec()
    };
    let key = PrivateKey::parse(&file(&made, "server-key.pem")).unwrap();
    let rsa = rustcrypto::generate(KeyType::Rsa(2048), &mut rng).unwrap();
    vec![
        file(&made, "server-key.pem"),
        key.pkcs8_der().to_vec(),
        rsa.pkcs8_der().to_vec(),
        [file(&made, "ca.pem"), file(&made, "root.pem")].concat(),
        file(&made, "root.cer"),
        file(&made, "server.p12"),
        file(&modern, "server.p12"),
    ]
}

#[test]
fn truncations_and_corruptions_never_panic() {
    for sample in samples() {
        for len in 0..sample.len() {
            read_everything(&sample[..len]);
        }
        // One changed byte at a time (every position of short inputs, a stride through long ones).
        let stride = (sample.len() / 400).max(1);
        for i in (0..sample.len()).step_by(stride) {
            let mut changed = sample.clone();
            changed[i] ^= 0x5a;
            read_everything(&changed);
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for round in 0..3000 {
        let len = (round * 7) % 700;
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        read_everything(&bytes);
    }
}

#[test]
fn oversized_key_input_is_refused_with_a_sentence() {
    let big = vec![b'A'; netlens_make::keys::MAX_KEY_INPUT + 1];
    let e = PrivateKey::parse(&big).unwrap_err().to_string();
    assert!(e.contains("more than"), "{e}");
}
