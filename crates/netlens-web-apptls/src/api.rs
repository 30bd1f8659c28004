//! The App TLS functions of the JS API: the reports of `netlens tls error --json`,
//! `netlens ats --info-plist --json` and `netlens pins --json`, from the same core.

use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

fn type_error(message: &str) -> js_sys::Error {
    js_sys::TypeError::new(message).into()
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, js_sys::Error> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| js_sys::Error::new(&e.to_string()))
}

/// Bytes from a string, a `Uint8Array` or an `ArrayBuffer`.
fn bytes(input: &JsValue, function: &str) -> Result<Vec<u8>, js_sys::Error> {
    if let Some(text) = input.as_string() {
        Ok(text.into_bytes())
    } else if let Some(array) = input.dyn_ref::<js_sys::Uint8Array>() {
        Ok(array.to_vec())
    } else if let Some(buffer) = input.dyn_ref::<js_sys::ArrayBuffer>() {
        Ok(js_sys::Uint8Array::new(buffer).to_vec())
    } else {
        Err(type_error(&format!(
            "{function}: the input must be a string, a Uint8Array or an ArrayBuffer"
        )))
    }
}

fn text_option(options: &JsValue, key: &str) -> Option<String> {
    if !options.is_object() {
        return None;
    }
    js_sys::Reflect::get(options, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
}

/// `explainTlsError(text)`: every code, name, trust check, alert and log line in `text`.
pub fn explain_tls_error(text: &str) -> Result<JsValue, js_sys::Error> {
    to_js(&netlens_apptls::errors::explain(text))
}

/// `lintAtsDictionary(input, { host })`: the linter's report (and, with a host, the rules that
/// apply to it as `host`), or a rejected promise whose message says why the input is not one.
pub fn lint_ats_dictionary(input: JsValue, options: JsValue) -> Result<JsValue, js_sys::Error> {
    let input = bytes(&input, "lintAtsDictionary")?;
    let report =
        netlens_apptls::ats::lint(&input).map_err(|e| js_sys::Error::new(&e.to_string()))?;
    let host = text_option(&options, "host").filter(|h| !h.trim().is_empty());
    #[derive(Serialize)]
    struct Linted<'a> {
        #[serde(flatten)]
        report: &'a netlens_apptls::ats::AtsReport,
        #[serde(skip_serializing_if = "Option::is_none")]
        host: Option<netlens_apptls::ats::HostPolicy>,
    }
    let host = host.map(|h| report.settings.for_host(h.trim()));
    to_js(&Linted {
        report: &report,
        host,
    })
}

/// `pinsFromChain(chain, { host })`: each certificate's pin, the recommendation and the fragments.
pub fn pins_from_chain(chain: JsValue, options: JsValue) -> Result<JsValue, js_sys::Error> {
    let chain = bytes(&chain, "pinsFromChain")?;
    let host = text_option(&options, "host").unwrap_or_default();
    to_js(&netlens_apptls::pins::from_chain(
        &chain,
        &host,
        netlens_web::clock::now_unix(),
    ))
}

/// `checkPins(pinSet, chain, { next, host })`: which certificate each pin matches, now and after
/// the rotation.
pub fn check_pins(
    pin_set: &str,
    chain: JsValue,
    options: JsValue,
) -> Result<JsValue, js_sys::Error> {
    let chain = bytes(&chain, "checkPins")?;
    let next = text_option(&options, "next");
    let host = text_option(&options, "host").filter(|h| !h.trim().is_empty());
    to_js(&netlens_apptls::pins::check(
        pin_set,
        &chain,
        next.as_deref().map(str::as_bytes),
        host.as_deref(),
        netlens_web::clock::now_unix(),
    ))
}

/// `appRuleCatalog()`: the `app.*` rules.
pub fn app_rule_catalog() -> Result<JsValue, js_sys::Error> {
    to_js(&netlens_apptls::catalog::RULES)
}
