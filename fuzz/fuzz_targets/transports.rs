//! The byte formats netlens reads besides pastes: the signature checks and outcomes between the
//! chain and verification modules, `trust-stores.bin`, the probe worker's reports, and a TLS
//! server's first answer to a probe. Damaged input must be refused, never panic or allocate
//! without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Mutex;

/// Stores that decode stay reachable (they are leaked by design, once per page).
static KEPT: Mutex<Vec<netlens_roots::TrustData>> = Mutex::new(Vec::new());

fuzz_target!(|data: &[u8]| {
    let _ = netlens_chain::crypto::transport::decode_requests(data);
    let _ = netlens_chain::crypto::transport::decode_outcomes(data);
    let leaked: &'static [u8] = Box::leak(data.to_vec().into_boxed_slice());
    match netlens_roots::file::decode(leaked) {
        Ok(stores) => KEPT.lock().unwrap_or_else(|e| e.into_inner()).push(stores),
        // Not kept: give the copy back.
        // SAFETY: `leaked` came from `Box::leak` above and nothing borrows it after a failure.
        Err(_) => drop(unsafe { Box::from_raw(leaked as *const [u8] as *mut [u8]) }),
    }
    // The report codec: the first half of the bytes as numbers, the rest as strings.
    let (numbers, strings) = data.split_at(data.len() / 2);
    let numbers: Vec<f64> = numbers
        .chunks(8)
        .map(|c| {
            let mut b = [0u8; 8];
            b[..c.len()].copy_from_slice(c);
            // Small whole numbers too, so the decoder gets past its tags.
            if c.len() < 8 { f64::from(c[0]) } else { f64::from_le_bytes(b) }
        })
        .collect();
    let strings: Vec<String> = strings
        .split(|&b| b == 0)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .collect();
    let _ = netlens_probe::codec::decode(&numbers, &strings);
    // A server's first answer to a TLS probe (`netlens ats`).
    let _ = netlens_tls::read_answer(data, false);
    let _ = netlens_tls::read_answer(data, true);
});
