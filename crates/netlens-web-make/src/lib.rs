//! The test certificate maker's wasm module: `<netlens-make>` and `makeCertificates`.
//!
//! Unlike the other tool modules, this crate holds its tool's UI itself (the form's reducer,
//! the component, the run, the WebCrypto key code) rather than exporting it from `netlens-web`:
//! linking `netlens-make` into `netlens-web` changed how the shared crate was optimised and cost
//! every other tool module bytes (0.26 KB of code on the DNS-SD page, measured), so the maker
//! builds on `netlens-web`'s public parts (mounting, the finding view, the copy button,
//! downloads, the chain analysis with WebCrypto) and nothing of it reaches another page. It
//! links the chain analysis, which checks every certificate it makes, but no RustCrypto
//! signing: keys and signatures come from the browser's WebCrypto.

pub mod api;
pub mod component;
pub mod crypto;
pub mod flow;
pub mod state;

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
    let names = host
        .get_attribute("names")
        .unwrap_or_else(|| netlens_web::embed::dedent(&initial_input.unwrap_or_default()));
    let props = component::MakeToolProps {
        initial_names: names.trim().to_owned().into(),
        embedded: !app,
    };
    netlens_web::embed::mount::<component::MakeTool>(&host, app, props)
}

/// Makes a test CA and identities; options and result as documented in
/// [`api::make_certificates`].
#[wasm_bindgen(js_name = makeCertificates)]
pub async fn make_certificates(options: JsValue) -> Result<JsValue, js_sys::Error> {
    api::make_certificates(options).await
}

/// Registers the verification module, which checks what WebCrypto does not confirm while the
/// maker's certificates are analysed. The loader calls this.
#[wasm_bindgen(js_name = setSignatureVerifier)]
pub fn set_signature_verifier(verifier: js_sys::Function) {
    netlens_web::signatures::set_signature_verifier(verifier);
}
