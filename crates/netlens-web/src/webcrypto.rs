//! Signature verification with the browser's WebCrypto, ahead of an analysis.
//!
//! Pure-Rust ECDSA P-384 costs about 2.5 ms per signature in wasm; WebCrypto verifies natively
//! on the browser's own crypto. The core plans every signature check an analysis may need
//! ([`netlens_chain::Prepared::plan`]) and says how to run each with WebCrypto
//! ([`netlens_chain::crypto::webcrypto_call`]); this module runs them in parallel. Only a
//! *valid* from WebCrypto is used: anything else (unsupported algorithm, a key the browser will
//! not import, an invalid signature) is left to RustCrypto, so results and their explanations
//! are the same as the native CLI's.

use futures::future::join_all;
use js_sys::{Object, Reflect, Uint8Array};
use netlens_chain::crypto::{VerifyRequest, WebCryptoCall, webcrypto_call};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

/// The page's (or worker's) `crypto.subtle`, when the context is secure.
pub fn subtle() -> Option<SubtleCrypto> {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).ok()?;
    Reflect::get(&crypto, &"subtle".into())
        .ok()?
        .dyn_into::<SubtleCrypto>()
        .ok()
}

/// A plain JS object of `entries` (WebCrypto's algorithm parameters).
pub fn dict(entries: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in entries {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

fn import_params(call: &WebCryptoCall) -> Object {
    let mut entries = vec![("name", JsValue::from_str(call.name))];
    if let Some(h) = call.hash {
        entries.push(("hash", JsValue::from_str(h)));
    }
    if let Some(c) = call.named_curve {
        entries.push(("namedCurve", JsValue::from_str(c)));
    }
    dict(&entries)
}

fn verify_params(call: &WebCryptoCall) -> Object {
    let mut entries = vec![("name", JsValue::from_str(call.name))];
    if call.name == "ECDSA"
        && let Some(h) = call.hash
    {
        entries.push(("hash", JsValue::from_str(h)));
    }
    if let Some(s) = call.salt_length {
        entries.push(("saltLength", JsValue::from_f64(s as f64)));
    }
    dict(&entries)
}

async fn verify_one(subtle: &SubtleCrypto, request: &VerifyRequest) -> bool {
    let Some(call) = webcrypto_call(request) else {
        return false;
    };
    let usages = js_sys::Array::of1(&JsValue::from_str("verify"));
    let spki = Uint8Array::from(request.spki.as_slice());
    let Ok(import) =
        subtle.import_key_with_object("spki", &spki, &import_params(&call), false, &usages)
    else {
        return false;
    };
    let Ok(key) = JsFuture::from(import).await else {
        return false;
    };
    let Ok(key) = key.dyn_into::<CryptoKey>() else {
        return false;
    };
    let signature = Uint8Array::from(call.signature.as_slice());
    let message = Uint8Array::from(request.message.as_slice());
    let Ok(verify) = subtle.verify_with_object_and_js_u8_array_and_js_u8_array(
        &verify_params(&call),
        &key,
        &signature,
        &message,
    ) else {
        return false;
    };
    matches!(
        JsFuture::from(verify).await.map(|v| v.as_bool()),
        Ok(Some(true))
    )
}

/// Verifies `requests` with WebCrypto, in parallel; `true` where WebCrypto confirmed validity.
/// Without WebCrypto (an insecure context), confirms nothing.
pub async fn verify_all(requests: &[VerifyRequest]) -> Vec<bool> {
    let Some(subtle) = subtle() else {
        return vec![false; requests.len()];
    };
    join_all(requests.iter().map(|r| verify_one(&subtle, r))).await
}
