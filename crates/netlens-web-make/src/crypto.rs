//! The test certificate maker's keys, signatures and randomness, from the browser's WebCrypto
//! (`crypto.subtle`, `crypto.getRandomValues`).
//!
//! Keys are generated extractable, because the user downloads them (PKCS#8 PEM, PKCS#12); they
//! are exported once as PKCS#8 and then only imported again to sign. Nothing here sends,
//! stores or logs a key: the bytes go into `netlens_make`'s zeroizing buffers and the files the
//! user asked for. The root's key signs the root and the intermediate and is dropped with the
//! run (it is never offered for download).

use js_sys::{Array, Object, Uint8Array};
use netlens_make::scheme::SignatureScheme;
use netlens_make::{KeyType, PrivateKey};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::CryptoKey;

use netlens_web::webcrypto::{dict, subtle};

/// Why WebCrypto could not do what was asked, as a sentence.
fn unavailable(what: &str, key_type: KeyType) -> String {
    format!(
        "This browser's WebCrypto could not {what} a {key_type} key. netlens makes keys with \
         the browser's own cryptography: choose another key type, or use `netlens make` on the \
         command line."
    )
}

fn no_subtle() -> String {
    "WebCrypto is not available here: the page must be served over https (or from localhost) \
     for the browser to make keys."
        .into()
}

fn generate_params(key_type: KeyType) -> Object {
    match key_type {
        KeyType::P256 | KeyType::P384 => dict(&[
            ("name", "ECDSA".into()),
            (
                "namedCurve",
                if key_type == KeyType::P384 {
                    "P-384"
                } else {
                    "P-256"
                }
                .into(),
            ),
        ]),
        KeyType::Rsa(bits) => dict(&[
            ("name", "RSASSA-PKCS1-v1_5".into()),
            ("modulusLength", JsValue::from_f64(f64::from(bits))),
            ("publicExponent", Uint8Array::from(&[1u8, 0, 1][..]).into()),
            ("hash", "SHA-256".into()),
        ]),
        KeyType::Ed25519 => dict(&[("name", "Ed25519".into())]),
    }
}

async fn export(format: &str, key: &CryptoKey) -> Option<Vec<u8>> {
    let subtle = subtle()?;
    let buffer = JsFuture::from(subtle.export_key(format, key).ok()?)
        .await
        .ok()?;
    Some(Uint8Array::new(&buffer).to_vec())
}

/// A new key of `key_type`: the private key (PKCS#8) and its SubjectPublicKeyInfo (DER).
pub async fn generate(key_type: KeyType) -> Result<(PrivateKey, Vec<u8>), String> {
    let subtle = subtle().ok_or_else(no_subtle)?;
    let usages = Array::of2(&"sign".into(), &"verify".into());
    let promise = subtle
        .generate_key_with_object(&generate_params(key_type), true, &usages)
        .map_err(|_| unavailable("make", key_type))?;
    let pair = JsFuture::from(promise)
        .await
        .map_err(|_| unavailable("make", key_type))?;
    // A CryptoKeyPair's members, read without web-sys's binding for it (enabling a web-sys
    // feature costs every tool module bytes: measured 0.3 KB on the DNS-SD page).
    let half = |name: &str| -> Option<CryptoKey> {
        js_sys::Reflect::get(&pair, &name.into())
            .ok()?
            .dyn_into::<CryptoKey>()
            .ok()
    };
    let private = half("privateKey").ok_or_else(|| unavailable("make", key_type))?;
    let public = half("publicKey").ok_or_else(|| unavailable("make", key_type))?;
    let pkcs8 = export("pkcs8", &private)
        .await
        .ok_or_else(|| unavailable("export", key_type))?;
    let spki = export("spki", &public)
        .await
        .ok_or_else(|| unavailable("export", key_type))?;
    let key = PrivateKey::from_pkcs8(&pkcs8).map_err(|e| e.to_string())?;
    Ok((key, spki))
}

/// `key` as a WebCrypto signing key for `scheme` (`extractable` only to read its public half);
/// the copy of its bytes handed to the browser is wiped once imported.
async fn import(
    key: &PrivateKey,
    scheme: SignatureScheme,
    extractable: bool,
) -> Result<CryptoKey, String> {
    let subtle = subtle().ok_or_else(no_subtle)?;
    let key_type = key.key_type();
    let params = scheme.webcrypto(key_type);
    let mut algorithm = vec![("name", JsValue::from_str(params.name))];
    if let Some(curve) = params.named_curve {
        algorithm.push(("namedCurve", curve.into()));
    }
    if params.name == "RSASSA-PKCS1-v1_5"
        && let Some(hash) = params.hash
    {
        algorithm.push(("hash", hash.into()));
    }
    let der = Uint8Array::from(key.pkcs8_der());
    let usages = Array::of1(&"sign".into());
    let imported =
        subtle.import_key_with_object("pkcs8", &der, &dict(&algorithm), extractable, &usages);
    der.fill(0, 0, der.length());
    let imported = imported.map_err(|_| unavailable("import", key_type))?;
    Ok(JsFuture::from(imported)
        .await
        .map_err(|_| unavailable("import", key_type))?
        .unchecked_into())
}

/// Signs `message` with `key` by `scheme`; the signature as a certificate carries it (ECDSA
/// converted to DER).
pub async fn sign(
    key: &PrivateKey,
    scheme: SignatureScheme,
    message: &[u8],
) -> Result<Vec<u8>, String> {
    let subtle = subtle().ok_or_else(no_subtle)?;
    let key_type = key.key_type();
    let params = scheme.webcrypto(key_type);
    let crypto_key = import(key, scheme, false).await?;
    let mut sign_params = vec![("name", JsValue::from_str(params.name))];
    if params.name == "ECDSA"
        && let Some(hash) = params.hash
    {
        sign_params.push(("hash", hash.into()));
    }
    let message = Uint8Array::from(message);
    let promise = subtle
        .sign_with_object_and_js_u8_array(&dict(&sign_params), &crypto_key, &message)
        .map_err(|_| unavailable("sign with", key_type))?;
    let raw = JsFuture::from(promise)
        .await
        .map_err(|_| unavailable("sign with", key_type))?;
    let raw = Uint8Array::new(&raw).to_vec();
    scheme.from_webcrypto(key_type, &raw).map_err(|why| {
        netlens_make::MakeError::Signature {
            certificate: "certificate".into(),
            why: why.to_string(),
        }
        .to_string()
    })
}

/// Fills `out` from `crypto.getRandomValues` (in pieces of at most 64 KiB, its limit); `false`
/// when the browser gave nothing, and then the caller must not use `out`.
pub fn random(out: &mut [u8]) -> bool {
    let Some(crypto) = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).ok() else {
        return false;
    };
    let Some(get) = js_sys::Reflect::get(&crypto, &"getRandomValues".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    else {
        return false;
    };
    out.chunks_mut(65_536).all(|chunk| {
        let buffer = Uint8Array::new_with_length(chunk.len() as u32);
        if get.call1(&crypto, &buffer).is_err() {
            return false;
        }
        buffer.copy_to(chunk);
        buffer.fill(0, 0, buffer.length());
        true
    })
}

/// The SubjectPublicKeyInfo of a private key the user gave: WebCrypto imports it and exports
/// its JWK, whose public members `netlens_make` turns into the SPKI.
pub async fn public_key(key: &PrivateKey) -> Result<Vec<u8>, String> {
    let subtle = subtle().ok_or_else(no_subtle)?;
    let key_type = key.key_type();
    let scheme = SignatureScheme::for_key(key_type, false).map_err(|e| e.to_string())?;
    let crypto_key = import(key, scheme, true).await?;
    let jwk = JsFuture::from(
        subtle
            .export_key("jwk", &crypto_key)
            .map_err(|_| unavailable("export", key_type))?,
    )
    .await
    .map_err(|_| unavailable("export", key_type))?;
    let member = |name: &str| {
        js_sys::Reflect::get(&jwk, &name.into())
            .ok()
            .and_then(|v| v.as_string())
    };
    let (x, y, n, e) = (member("x"), member("y"), member("n"), member("e"));
    // The JWK also holds the private members; they are dropped with it, never read.
    netlens_make::keys::spki_from_jwk(
        key_type,
        x.as_deref(),
        y.as_deref(),
        n.as_deref(),
        e.as_deref(),
    )
    .map_err(|e| e.to_string())
}
