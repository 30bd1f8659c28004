//! Any bytes, as a paste or a file: scanning and decoding must never panic, and whatever is
//! decoded must serialise (the JSON contract) without panicking either.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let report = netlens_x509::decode(data, Some("fuzz"), 1_780_272_000);
    for cert in &report.certificates {
        let _ = cert.fingerprints.sha256.len();
    }
    for problem in &report.problems {
        let _ = problem.to_string();
    }
});
