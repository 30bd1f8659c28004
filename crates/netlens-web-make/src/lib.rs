//! The test certificate maker's wasm module: `<netlens-make>` and `makeCertificates`.
//!
//! A thin export shell over `netlens-web` (see its crate docs for why each tool is its own
//! module). It links the chain analysis, which checks every certificate it makes, but no
//! RustCrypto signing: keys and signatures come from the browser's WebCrypto.

use wasm_bindgen::prelude::*;

pub use netlens_web::api::netlens_version;
pub use netlens_web::assets::set_asset_base;
use netlens_web::embed::MountedElement;

/// Renders the maker into `host`: in its shadow root (an element; attribute `names`, or the
/// names as the element's text), or into `host` itself with its page heading (`app`).
#[wasm_bindgen(js_name = mountElement)]
pub fn mount_element(
    host: web_sys::HtmlElement,
    initial_input: Option<String>,
    app: bool,
) -> Result<MountedElement, js_sys::Error> {
    netlens_web::embed::mount_make(host, initial_input, app)
}

/// Makes a test CA and identities; options and result as documented in
/// `netlens_web::api::make_certificates`.
#[wasm_bindgen(js_name = makeCertificates)]
pub async fn make_certificates(options: JsValue) -> Result<JsValue, js_sys::Error> {
    netlens_web::api::make_certificates(options).await
}

/// Registers the verification module, which checks what WebCrypto does not confirm while the
/// maker's certificates are analysed. The loader calls this.
#[wasm_bindgen(js_name = setSignatureVerifier)]
pub fn set_signature_verifier(verifier: js_sys::Function) {
    netlens_web::signatures::set_signature_verifier(verifier);
}
