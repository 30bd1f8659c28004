//! The App TLS tool's wasm module: `<netlens-apptls>` and `explainTlsError`,
//! `lintAtsDictionary`, `pinsFromChain`, `checkPins`, `appRuleCatalog`.
//!
//! Like the maker's, this module holds its tool's UI itself (the inputs' reducer in `state`,
//! the page in `component`) on `netlens-web`'s public parts (mounting, the finding view, the
//! copy button, file loading), so that nothing of `netlens-apptls` (its code tables, the ATS
//! linter, the plist reader) reaches another tool's module.

pub mod api;
pub mod component;
pub mod state;

use wasm_bindgen::prelude::*;

pub use netlens_web::api::netlens_version;
pub use netlens_web::assets::set_asset_base;
use netlens_web::embed::MountedElement;

/// Renders the tool into `host`: in its shadow root (an element; attribute `tool` = `error`,
/// `ats` or `pins` shows that part alone, with the element's text as its input), or into
/// `host` itself with its page heading (`app`).
#[wasm_bindgen(js_name = mountElement)]
pub fn mount_element(
    host: web_sys::HtmlElement,
    initial_input: Option<String>,
    app: bool,
) -> Result<MountedElement, js_sys::Error> {
    let only = host
        .get_attribute("tool")
        .and_then(|t| state::Part::from_attribute(&t));
    let props = component::AppTlsToolProps {
        only,
        initial_input: netlens_web::embed::dedent(&initial_input.unwrap_or_default())
            .trim()
            .to_owned()
            .into(),
        embedded: !app,
    };
    netlens_web::embed::mount::<component::AppTlsTool>(&host, app, props)
}

/// Explains TLS error codes and log lines; the report of `netlens tls error --json`.
#[wasm_bindgen(js_name = explainTlsError)]
pub fn explain_tls_error(text: &str) -> Result<JsValue, js_sys::Error> {
    api::explain_tls_error(text)
}

/// Lints an Info.plist's NSAppTransportSecurity dictionary (text, or a binary plist's bytes);
/// options: { host }.
#[wasm_bindgen(js_name = lintAtsDictionary)]
pub fn lint_ats_dictionary(input: JsValue, options: JsValue) -> Result<JsValue, js_sys::Error> {
    api::lint_ats_dictionary(input, options)
}

/// The pins of a chain, what to pin and the fragments to paste; options: { host }.
#[wasm_bindgen(js_name = pinsFromChain)]
pub fn pins_from_chain(chain: JsValue, options: JsValue) -> Result<JsValue, js_sys::Error> {
    api::pins_from_chain(chain, options)
}

/// Checks a pin set against a chain; options: { next, host }.
#[wasm_bindgen(js_name = checkPins)]
pub fn check_pins(
    pin_set: &str,
    chain: JsValue,
    options: JsValue,
) -> Result<JsValue, js_sys::Error> {
    api::check_pins(pin_set, chain, options)
}

/// The `app.*` rule catalog.
#[wasm_bindgen(js_name = appRuleCatalog)]
pub fn app_rule_catalog() -> Result<JsValue, js_sys::Error> {
    api::app_rule_catalog()
}
