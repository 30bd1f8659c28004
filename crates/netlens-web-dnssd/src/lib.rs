//! The DNS-SD validator's wasm module: `<netlens-dnssd>` and the `check*` functions.
//!
//! A thin export shell over `netlens-web` (see its crate docs for why each tool is its own
//! module).

use wasm_bindgen::prelude::*;

pub use netlens_web::api::netlens_version;
pub use netlens_web::assets::set_asset_base;
use netlens_web::embed::MountedElement;

/// Renders the validator into `host`: in its shadow root (an element; attributes `type` and
/// `instance`), or into `host` itself with its page heading (`app`). `initial_input` is the TXT
/// record.
#[wasm_bindgen(js_name = mountElement)]
pub fn mount_element(
    host: web_sys::HtmlElement,
    initial_input: Option<String>,
    app: bool,
) -> Result<MountedElement, js_sys::Error> {
    netlens_web::embed::mount_dnssd(host, initial_input, app)
}

/// The DNS-SD rule table, for the app's Rules page.
#[wasm_bindgen(js_name = mountRules)]
pub fn mount_rules(host: web_sys::HtmlElement) -> Result<MountedElement, js_sys::Error> {
    netlens_web::embed::mount_dnssd_rules(host)
}

/// Fetches the IANA registry's description of the service name `name` (only its chunk, from
/// beside netlens) unless loaded; resolves to whether its registration now carries it (the JS
/// API waits for this before a check; the element does not).
#[wasm_bindgen(js_name = loadIanaDescription)]
pub async fn load_iana_description(name: String) -> bool {
    netlens_web::dnssd_support::load_description(&name).await
}

/// Installs the IANA descriptions from text (the single-file build carries them inline).
#[wasm_bindgen(js_name = setIanaDescriptions)]
pub fn set_iana_descriptions(text: String) {
    netlens_dnssd::iana::set_descriptions(text);
}

/// Checks a service type; the report of `netlens dnssd type --json`.
#[wasm_bindgen(js_name = checkServiceType)]
pub fn check_service_type(service_type: &str) -> Result<JsValue, js_sys::Error> {
    netlens_web::api::check_service_type(service_type)
}

/// Checks an instance name (plain text); the report of `netlens dnssd instance --json`.
#[wasm_bindgen(js_name = checkInstanceName)]
pub fn check_instance_name(name: &str) -> Result<JsValue, js_sys::Error> {
    netlens_web::api::check_instance_name(name)
}

/// Checks a full service instance name; the report of `netlens dnssd name --json`.
#[wasm_bindgen(js_name = checkServiceName)]
pub fn check_service_name(name: &str) -> Result<JsValue, js_sys::Error> {
    netlens_web::api::check_service_name(name)
}

/// Parses and checks a TXT record; the report of `netlens dnssd txt --json`.
#[wasm_bindgen(js_name = checkTxtRecord)]
pub fn check_txt_record(input: &str, options: JsValue) -> Result<JsValue, js_sys::Error> {
    netlens_web::api::check_txt_record(input, options)
}

/// Checks Info.plist NSBonjourServices against the service types an app uses.
#[wasm_bindgen(js_name = checkBonjourServices)]
pub fn check_bonjour_services(
    plist: &str,
    used_types: Vec<String>,
    multipeer: Option<String>,
) -> Result<JsValue, js_sys::Error> {
    netlens_web::api::check_bonjour_services(plist, used_types, multipeer)
}

/// Explains a DNS-SD / NSNetService error code (`-65555`), or `null`.
#[wasm_bindgen(js_name = explainDnssdError)]
pub fn explain_dnssd_error(code: f64) -> Result<JsValue, js_sys::Error> {
    netlens_web::api::explain_dnssd_error(code)
}

/// The DNS-SD rule catalog.
#[wasm_bindgen(js_name = dnssdRuleCatalog)]
pub fn dnssd_rule_catalog() -> Result<JsValue, js_sys::Error> {
    netlens_web::api::dnssd_rule_catalog()
}
