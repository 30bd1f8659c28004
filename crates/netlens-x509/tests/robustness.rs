//! Untrusted input never panics: every truncation of a real certificate, single-byte
//! corruptions at every position, and pseudo-random text and bytes go through the whole decoder.
//! Deterministic (a fixed xorshift stream), bounded, and fast enough for every `cargo test`; the
//! `fuzz/` target runs the same entry point under libFuzzer for longer campaigns.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use netlens_testkit::demo_chain_cached;
use netlens_x509::decode;

const NOW: i64 = 1_780_272_000;

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn every_truncation_of_a_certificate_is_an_error_not_a_panic() {
    let chain = demo_chain_cached().unwrap();
    let der = &chain.leaf.der;
    for len in 0..der.len() {
        let report = decode(&der[..len], None, NOW);
        assert!(
            report.certificates.is_empty(),
            "truncated at {len} still decoded"
        );
        assert!(report.has_errors(), "truncated at {len}: no error");
    }
}

#[test]
fn single_byte_corruptions_never_panic() {
    let chain = demo_chain_cached().unwrap();
    let der = &chain.intermediate.der;
    for pos in 0..der.len() {
        for value in [0x00, 0xFF, der[pos] ^ 0x80, der[pos].wrapping_add(1)] {
            let mut mutated = der.clone();
            mutated[pos] = value;
            let report = decode(&mutated, None, NOW);
            // Either it decodes (the byte was in a value) or it is reported; never both silent.
            assert!(
                !report.certificates.is_empty() || !report.problems.is_empty(),
                "byte {pos} = {value:#04x}: neither decoded nor reported"
            );
        }
    }
}

#[test]
fn random_bytes_and_random_text_never_panic() {
    let chain = demo_chain_cached().unwrap();
    let pem = chain.pem().into_bytes();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for round in 0..3000 {
        let mut input = match round % 3 {
            // Random binary, often starting like DER.
            0 => {
                let len = (rng.next() % 600) as usize;
                let mut v: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
                if let Some(first) = v.first_mut() {
                    *first = 0x30;
                }
                v
            }
            // A real PEM chain with random bytes overwritten.
            1 => {
                let mut v = pem.clone();
                for _ in 0..(rng.next() % 8 + 1) {
                    let i = (rng.next() as usize) % v.len();
                    v[i] = rng.next() as u8;
                }
                v
            }
            // Random text from the PEM alphabet and markers.
            _ => {
                let pieces: [&[u8]; 6] = [
                    b"-----BEGIN CERTIFICATE-----\n",
                    b"-----END CERTIFICATE-----\n",
                    b"MIIB",
                    b"\\n",
                    b"====",
                    b"-----BEGIN PKCS7-----",
                ];
                let mut v = Vec::new();
                for _ in 0..(rng.next() % 20) {
                    v.extend_from_slice(pieces[(rng.next() % 6) as usize]);
                }
                v
            }
        };
        if round % 7 == 0 {
            input.truncate(input.len() / 2);
        }
        let _ = decode(&input, Some("fuzz"), NOW);
    }
}

/// Inputs at the size limit built to trigger worst cases: each must be refused or reported with
/// bounded output. (A quadratic scan of these takes hours, so a regression shows as a hang.)
#[test]
fn pathological_inputs_at_the_size_limit_stay_bounded() {
    use netlens_x509::limits::{MAX_INPUT_BYTES, MAX_REPORTED_PROBLEMS};
    let fill = |unit: &[u8]| -> Vec<u8> {
        unit.iter()
            .copied()
            .cycle()
            .take(MAX_INPUT_BYTES / unit.len() * unit.len())
            .collect()
    };
    // ~190,000 BEGIN lines and no END: every block is unterminated.
    let report = decode(&fill(b"-----BEGIN CERTIFICATE-----\n"), None, NOW);
    assert_eq!(report.problems.len(), MAX_REPORTED_PROBLEMS + 1);
    assert_eq!(report.problems[0].code(), "pem-unterminated");
    assert_eq!(report.problems.last().unwrap().code(), "problems-omitted");

    // ~2.6 million empty SEQUENCEs: none is a certificate; the problems are counted, not stored.
    let report = decode(&fill(&[0x30, 0x00]), None, NOW);
    assert_eq!(report.problems.len(), MAX_REPORTED_PROBLEMS + 1);

    // ~870,000 certificate-shaped elements: scanning stops at the budget and refuses.
    let report = decode(&fill(&[0x30, 0x04, 0x30, 0x00, 0x30, 0x00]), None, NOW);
    assert!(report.certificates.is_empty());
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].code(), "too-many-certificates");

    // Megabytes of zero padding ending in one stray byte: ~2.6 million empty elements.
    let mut zeros = vec![0u8; MAX_INPUT_BYTES - 1];
    zeros.push(0x01);
    let report = decode(&zeros, None, NOW);
    assert_eq!(report.problems.len(), MAX_REPORTED_PROBLEMS + 1);

    // ~100,000 tiny PEM blocks of non-certificate DER.
    let report = decode(
        &fill(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        None,
        NOW,
    );
    assert_eq!(report.problems.len(), MAX_REPORTED_PROBLEMS + 1);
}

#[test]
fn extreme_moments_do_not_overflow() {
    let chain = demo_chain_cached().unwrap();
    for now in [i64::MIN, -1, 0, i64::MAX] {
        let report = decode(chain.pem().as_bytes(), None, now);
        assert_eq!(report.certificates.len(), 3, "now = {now}");
    }
}
