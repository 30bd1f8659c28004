//! The chain analysis' signature verification module: pure-Rust verification (RustCrypto,
//! `netlens_chain::crypto::verify`, exactly what the CLI runs) for the checks WebCrypto did not
//! confirm.
//!
//! It is its own wasm module because its cryptography (RSA, P-256/384/521, Ed25519 and their
//! big-number arithmetic) would otherwise be most of the chain module, while WebCrypto confirms
//! nearly every signature of a real chain: the loader fetches this module the first time an
//! analysis has a check left over (see `netlens_web::signatures`). It links nothing of the UI.

use netlens_chain::crypto::{Verification, transport};
use wasm_bindgen::prelude::*;

/// Runs the checks in `requests` ([`transport::encode_requests`]) and returns their outcomes
/// ([`transport::encode_outcomes`]), one per request. A message that cannot be read is a
/// `TypeError` (the chain module wrote it, so it means mismatched module versions).
#[wasm_bindgen(js_name = verifySignatures)]
pub fn verify_signatures(requests: &[u8]) -> Result<Vec<u8>, js_sys::Error> {
    let requests = transport::decode_requests(requests).map_err(|e| {
        js_sys::Error::from(js_sys::TypeError::new(&format!(
            "netlens: the signature checks could not be read ({e}); the chain and verification \
             modules are from different builds"
        )))
    })?;
    let outcomes: Vec<Verification> = requests.iter().map(|r| r.verify()).collect();
    Ok(transport::encode_outcomes(&outcomes))
}
