//! How the browser verifies a chain's signatures without linking the pure-Rust cryptography.
//!
//! RSA, the NIST curves, Ed25519 and their big-number arithmetic are most of the chain
//! analysis' code (about 75 KB of its gzip download), yet WebCrypto confirms nearly every
//! signature of a real chain. So the chain module links none of it: the core plans every check
//! ([`netlens_chain::Prepared::plan`]), WebCrypto confirms what it can ([`crate::webcrypto`]), and
//! only what it does not confirm (a bad signature, SHA-224, a key the browser refuses) goes to
//! the verification module (`netlens-web-verify`), which the loader fetches the first time it is
//! needed and which runs exactly the CLI's `netlens_chain::crypto::verify`. WebCrypto is only
//! trusted to say *valid*; every other answer and its reason is RustCrypto's, so the report is
//! the native one.
//!
//! The loader registers the module with [`set_signature_verifier`]: a JS function from the
//! requests to the outcomes ([`netlens_chain::crypto::transport`], one `Uint8Array` each way)
//! that resolves once the module has loaded and run them.

use std::cell::RefCell;

use js_sys::{Function, Promise, Uint8Array};
use netlens_chain::crypto::{MAX_ROUNDS, Precomputed, Verification, VerifyRequest, transport};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

thread_local! {
    static VERIFIER: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Registers the function that runs signature checks in the verification module:
/// `(requests: Uint8Array) => Promise<Uint8Array>`, both in [`transport`]'s encoding.
pub fn set_signature_verifier(verifier: Function) {
    VERIFIER.with(|v| *v.borrow_mut() = Some(verifier));
}

/// Why the verification module gave no outcomes, as the reason every unchecked signature shows.
fn unavailable(why: &str) -> String {
    format!(
        "netlens could not check this signature: its verification module {why}. Check the \
         network connection and analyze again."
    )
}

/// Runs `requests` in the verification module; one outcome per request.
async fn verify_in_module(requests: &[VerifyRequest]) -> Vec<Verification> {
    let outcomes = match run_module(requests).await {
        Ok(outcomes) if outcomes.len() == requests.len() => Ok(outcomes),
        Ok(_) => Err(unavailable("answered a different number of checks")),
        Err(why) => Err(why),
    };
    outcomes.unwrap_or_else(|why| vec![Verification::Unsupported(why); requests.len()])
}

async fn run_module(requests: &[VerifyRequest]) -> Result<Vec<Verification>, String> {
    let verifier = VERIFIER
        .with(|v| v.borrow().clone())
        .ok_or_else(|| unavailable("is not available in this page"))?;
    let bytes = Uint8Array::from(transport::encode_requests(requests).as_slice());
    let promise = verifier
        .call1(&JsValue::NULL, &bytes)
        .ok()
        .and_then(|p| p.dyn_into::<Promise>().ok())
        .ok_or_else(|| unavailable("did not start"))?;
    let answer = JsFuture::from(promise)
        .await
        .map_err(|_| unavailable("did not load"))?;
    let answer = answer
        .dyn_into::<Uint8Array>()
        .map_err(|_| unavailable("answered something else than outcomes"))?;
    transport::decode_outcomes(&answer.to_vec())
        .map_err(|e| unavailable(&format!("answered unreadable outcomes ({e})")))
}

/// Runs an analysis as the browser does: every planned check through WebCrypto (unless
/// `webcrypto` is false), the rest through the verification module, then the report; checks a
/// path search cut short asks for beyond the plan are run in further rounds (at most
/// [`MAX_ROUNDS`]).
pub async fn analyze(
    analyzer: netlens_chain::Analyzer,
    webcrypto: bool,
) -> netlens_chain::Analysis {
    let prepared = analyzer.prepare();
    let mut pending = prepared.plan();
    let mut known = Precomputed::new();
    let mut round = 0;
    loop {
        round += 1;
        let confirmed = if webcrypto {
            crate::webcrypto::verify_all(&pending).await
        } else {
            vec![false; pending.len()]
        };
        let (valid, rest): (Vec<_>, Vec<_>) = pending
            .into_iter()
            .zip(confirmed)
            .partition(|(_, confirmed)| *confirmed);
        let rest: Vec<VerifyRequest> = rest.into_iter().map(|(r, _)| r).collect();
        for (request, _) in valid {
            known.insert(request, Verification::Valid);
        }
        if !rest.is_empty() {
            let outcomes = verify_in_module(&rest).await;
            for (request, outcome) in rest.into_iter().zip(outcomes) {
                known.insert(request, outcome);
            }
        }
        let analysis = prepared.clone().finish(&known);
        pending = known.take_missed();
        if pending.is_empty() || round == MAX_ROUNDS {
            return analysis;
        }
    }
}
