//! The JS API: the same analysis as the UI and the CLI, returning plain JS objects.
//!
//! ```js
//! import { decodeCertificates } from './netlens-embed.js';
//! const report = await decodeCertificates(pemText, { source: 'chain.pem' });
//! report.certificates[0].subject.rfc4514;   // "CN=www.example.com"
//! report.problems;                          // [{ code, severity, message, location }]
//! ```
//!
//! Objects follow the JSON schema of `netlens decode --json` (snake_case keys). Bad arguments
//! throw `Error`; bad *input* never throws, it is reported in `problems`.

use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::clock;

fn type_error(message: &str) -> js_sys::Error {
    js_sys::TypeError::new(message).into()
}

/// Bytes from a string, a `Uint8Array` or an `ArrayBuffer`.
fn input_bytes(input: &JsValue) -> Result<Vec<u8>, js_sys::Error> {
    if let Some(text) = input.as_string() {
        Ok(text.into_bytes())
    } else if let Some(array) = input.dyn_ref::<js_sys::Uint8Array>() {
        Ok(array.to_vec())
    } else if let Some(buffer) = input.dyn_ref::<js_sys::ArrayBuffer>() {
        Ok(js_sys::Uint8Array::new(buffer).to_vec())
    } else {
        Err(type_error(
            "decodeCertificates(input): input must be a string, a Uint8Array or an ArrayBuffer",
        ))
    }
}

fn option(options: &JsValue, key: &str) -> JsValue {
    if options.is_object() {
        js_sys::Reflect::get(options, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

/// The validation moment from `options.at`: a `Date`, Unix seconds, or an RFC 3339 string.
fn moment(at: &JsValue) -> Result<i64, js_sys::Error> {
    if at.is_undefined() || at.is_null() {
        Ok(clock::now_unix())
    } else if let Some(date) = at.dyn_ref::<js_sys::Date>() {
        Ok((date.get_time() / 1000.0).floor() as i64)
    } else if let Some(seconds) = at.as_f64() {
        Ok(seconds.floor() as i64)
    } else if let Some(text) = at.as_string() {
        netlens_x509::time::parse_moment(&text).ok_or_else(|| {
            type_error(&format!(
                "decodeCertificates: options.at {text:?} is not a time (RFC 3339, a date or Unix seconds)"
            ))
        })
    } else {
        Err(type_error(
            "decodeCertificates: options.at must be a Date, Unix seconds or an RFC 3339 string",
        ))
    }
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, js_sys::Error> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_sys::Error::new(&e.to_string()))
}

/// Decodes certificates from `input` (string, `Uint8Array` or `ArrayBuffer`).
///
/// `options` (optional): `{ source?: string, at?: Date | number | string }`; `source` names the
/// input in problem locations, `at` is the moment validity is judged against (default now).
#[wasm_bindgen(js_name = decodeCertificates)]
pub fn decode_certificates(input: JsValue, options: JsValue) -> Result<JsValue, js_sys::Error> {
    let bytes = input_bytes(&input)?;
    let source = option(&options, "source").as_string();
    let now = moment(&option(&options, "at"))?;
    let report = netlens_x509::decode(&bytes, source.as_deref(), now);
    to_js(&report)
}

/// The netlens version of this build.
#[wasm_bindgen(js_name = netlensVersion)]
pub fn netlens_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
