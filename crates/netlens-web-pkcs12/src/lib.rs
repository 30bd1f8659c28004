//! The PKCS#12 module: opens a `.p12` / `.pfx` the user dropped on the decoder or the chain page,
//! with the password they typed, using `netlens make`'s one reader (`netlens_make::pkcs12`).
//!
//! It is its own wasm module because 3DES, RC2, AES, PBKDF2 and the PKCS#12 KDF would cost every
//! page that embeds the decoder or the chain analysis about 25 KiB of gzip, for a file few users
//! drop: the loader fetches it the first time one is opened (see `netlens_web::pkcs12`). The
//! private key never leaves this call: it is compared with the certificates by public key and
//! dropped (zeroed); only the certificates and the summary are returned.

use wasm_bindgen::prelude::*;

/// Opens `bytes` with `password`: `{ certificates: Uint8Array[], inspection }` (the summary of
/// `netlens_make::pkcs12::Inspection`, without the key), or an `Error` whose message is one
/// sentence (a wrong password says so).
#[wasm_bindgen(js_name = openPkcs12)]
pub fn open_pkcs12(bytes: &[u8], password: &str) -> Result<JsValue, js_sys::Error> {
    let inspection = netlens_make::pkcs12::inspect(bytes, password).map_err(|e| {
        js_sys::Error::new(&match e {
            netlens_make::pkcs12::ReadError::WrongPassword => {
                "The password does not open it (or the file is damaged): check it and try again."
                    .to_owned()
            }
            other => format!("It cannot be opened: {other}."),
        })
    })?;
    let certificates = js_sys::Array::new();
    for der in &inspection.certificates {
        certificates.push(&js_sys::Uint8Array::from(der.as_slice()));
    }
    let summary = serde_wasm_bindgen::to_value(&inspection)
        .map_err(|e| js_sys::Error::new(&format!("netlens: the PKCS#12 summary: {e}")))?;
    let result = js_sys::Object::new();
    js_sys::Reflect::set(&result, &"certificates".into(), &certificates)?;
    js_sys::Reflect::set(&result, &"inspection".into(), &summary)?;
    Ok(result.into())
}
