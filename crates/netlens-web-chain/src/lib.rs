//! The chain analysis' wasm module: `<netlens-chain>`, `analyzeChain`, the chain rule catalog.
//!
//! A thin export shell over `netlens-web` (see its crate docs for why each tool is its own
//! module).

use wasm_bindgen::prelude::*;

pub use netlens_web::api::netlens_version;
pub use netlens_web::assets::set_asset_base;
use netlens_web::embed::MountedElement;

/// Renders the chain analysis into `host`: in its shadow root (an element; attributes `host`
/// and `at`), or into `host` itself with its page heading (`app`). `initial_input` is the chain.
#[wasm_bindgen(js_name = mountElement)]
pub fn mount_element(
    host: web_sys::HtmlElement,
    initial_input: Option<String>,
    app: bool,
) -> Result<MountedElement, js_sys::Error> {
    netlens_web::embed::mount_chain(host, initial_input, app)
}

/// The chain rule table, for the app's Rules page.
#[wasm_bindgen(js_name = mountRules)]
pub fn mount_rules(host: web_sys::HtmlElement) -> Result<MountedElement, js_sys::Error> {
    netlens_web::embed::mount_chain_rules(host)
}

/// Analyzes a chain; resolves to the report of `netlens chain --json`. Options as documented in
/// `netlens_web::api::analyze_chain` (`webcrypto: false` verifies everything in pure Rust).
#[wasm_bindgen(js_name = analyzeChainAsync)]
pub async fn analyze_chain_async(
    input: JsValue,
    options: JsValue,
) -> Result<JsValue, js_sys::Error> {
    netlens_web::api::analyze_chain(input, options).await
}

/// Registers the verification module (`netlens-web-verify`), which checks what WebCrypto does
/// not confirm: `(requests: Uint8Array) => Promise<Uint8Array>`. The loader calls this.
#[wasm_bindgen(js_name = setSignatureVerifier)]
pub fn set_signature_verifier(verifier: js_sys::Function) {
    netlens_web::signatures::set_signature_verifier(verifier);
}

/// Installs the built-in trust stores from the bytes of `trust-stores.bin` (the single-file
/// build, which cannot fetch it); a `TypeError` when they are not this build's stores.
#[wasm_bindgen(js_name = setTrustStores)]
pub fn set_trust_stores(bytes: Vec<u8>) -> Result<(), js_sys::Error> {
    netlens_web::trust_stores::install(bytes)
        .map_err(|why| js_sys::Error::from(js_sys::TypeError::new(&why)))
}

/// The chain page's own analysis, for `make bench` (see `netlens_web::api::page_analysis`).
#[wasm_bindgen(js_name = pageAnalysis)]
pub async fn page_analysis(chain: String, anchors: String, host: String, at: f64) -> String {
    netlens_web::api::page_analysis(chain, anchors, host, at).await
}

/// The chain rule catalog.
#[wasm_bindgen(js_name = ruleCatalog)]
pub fn rule_catalog() -> Result<JsValue, js_sys::Error> {
    netlens_web::api::rule_catalog()
}

/// Registers the PKCS#12 module (`netlens-web-pkcs12`), which opens a `.p12` with the password
/// typed: `(bytes: Uint8Array, password: string) => Promise<{ certificates, inspection }>`. The
/// loader calls this.
#[wasm_bindgen(js_name = setPkcs12Opener)]
pub fn set_pkcs12_opener(opener: js_sys::Function) {
    netlens_web::pkcs12::set_pkcs12_opener(opener);
}
