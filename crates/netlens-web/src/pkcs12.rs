//! How the decoder and the chain page open a PKCS#12 file without linking its ciphers.
//!
//! 3DES, RC2, AES, PBKDF2 and the PKCS#12 KDF would cost every page that embeds the decoder or
//! the chain analysis about 25 KiB of gzip for a file few users drop, so they live in the
//! PKCS#12 module (`netlens-web-pkcs12`, `netlens make`'s reader), which the loader fetches the
//! first time a file is opened and registers with [`set_pkcs12_opener`]. The password goes to
//! that call and nowhere else; the key never leaves the module.

use std::cell::RefCell;

use js_sys::{Function, Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

thread_local! {
    static OPENER: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Registers `(bytes: Uint8Array, password: string) => Promise<{ certificates, inspection }>`.
pub fn set_pkcs12_opener(opener: Function) {
    OPENER.with(|o| *o.borrow_mut() = Some(opener));
}

/// Whether Apple's importers take the file (`netlens_make::pkcs12::AppleImport`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct AppleImport {
    /// `imports`, `may_refuse` or `refuses`.
    pub verdict: String,
    /// Why, and what to do.
    pub explanation: String,
}

/// What a PKCS#12 file holds, without its key, as the module reports it
/// (`netlens_make::pkcs12::Inspection`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct Summary {
    /// How many private keys.
    pub keys: usize,
    /// The certificate (file order) the first key belongs to.
    pub key_certificate: Option<usize>,
    /// The key could not be compared.
    pub key_unchecked: bool,
    /// Each certificate in words.
    pub contents: Vec<String>,
    /// The intermediates it includes.
    pub intermediates: Vec<String>,
    /// The friendly names.
    pub friendly_names: Vec<String>,
    /// How each part is encrypted.
    pub encryption: Vec<String>,
    /// The MAC's hash.
    pub mac: String,
    /// Whether Apple's importers take it.
    pub apple_import: AppleImport,
}

/// An opened file: its certificates (DER) and its summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    /// The certificates, in file order.
    pub certificates: Vec<Vec<u8>>,
    /// What it holds.
    pub summary: Summary,
}

/// Opens `bytes` with `password` in the PKCS#12 module. `Err` is a sentence for the page.
pub async fn open(bytes: &[u8], password: &str) -> Result<Opened, String> {
    let opener = OPENER
        .with(|o| o.borrow().clone())
        .ok_or("This page cannot open PKCS#12 files: its PKCS#12 module is not available.")?;
    let promise = opener
        .call2(
            &JsValue::NULL,
            &Uint8Array::from(bytes),
            &JsValue::from_str(password),
        )
        .ok()
        .and_then(|p| p.dyn_into::<Promise>().ok())
        .ok_or("The PKCS#12 module did not start.")?;
    let answer = JsFuture::from(promise).await.map_err(|e| {
        js_sys::Reflect::get(&e, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| {
                "The PKCS#12 module could not be loaded: check the network connection and try again."
                    .into()
            })
    })?;
    let unreadable = |_: JsValue| "The PKCS#12 module answered something unreadable.".to_owned();
    let certificates = js_sys::Reflect::get(&answer, &"certificates".into())
        .map_err(|_| "The PKCS#12 module answered no certificates.".to_owned())?;
    let certificates: Vec<Vec<u8>> = js_sys::Array::from(&certificates)
        .iter()
        .filter_map(|c| c.dyn_into::<Uint8Array>().ok().map(|c| c.to_vec()))
        .collect();
    let summary = js_sys::Reflect::get(&answer, &"inspection".into()).map_err(unreadable)?;
    let summary: Summary = serde_wasm_bindgen::from_value(summary)
        .map_err(|e| format!("The PKCS#12 module answered an unreadable summary ({e})."))?;
    Ok(Opened {
        certificates,
        summary,
    })
}
