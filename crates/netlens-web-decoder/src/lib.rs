//! The certificate decoder's wasm module: `<netlens-cert-decoder>` and `decodeCertificates`.
//!
//! A thin export shell over `netlens-web` (see its crate docs for why each tool is its own
//! module): a page that shows only the decoder downloads only this.

use wasm_bindgen::prelude::*;

pub use netlens_web::api::netlens_version;
pub use netlens_web::assets::set_asset_base;
use netlens_web::embed::MountedElement;

/// Renders the decoder into `host`: in its shadow root (an element), or into `host` itself with
/// its page heading (`app`, the app shell). `initial_input` is decoded at once.
#[wasm_bindgen(js_name = mountElement)]
pub fn mount_element(
    host: web_sys::HtmlElement,
    initial_input: Option<String>,
    app: bool,
) -> Result<MountedElement, js_sys::Error> {
    netlens_web::embed::mount_decoder(host, initial_input, app)
}

/// Decodes certificates from `input` (string, `Uint8Array` or `ArrayBuffer`); options
/// `{ source?, at? }`. The report of `netlens decode --json`.
#[wasm_bindgen(js_name = decodeCertificates)]
pub fn decode_certificates(input: JsValue, options: JsValue) -> Result<JsValue, js_sys::Error> {
    netlens_web::api::decode_certificates(input, options)
}

/// Registers the PKCS#12 module (`netlens-web-pkcs12`), which opens a `.p12` with the password
/// typed: `(bytes: Uint8Array, password: string) => Promise<{ certificates, inspection }>`. The
/// loader calls this.
#[wasm_bindgen(js_name = setPkcs12Opener)]
pub fn set_pkcs12_opener(opener: js_sys::Function) {
    netlens_web::pkcs12::set_pkcs12_opener(opener);
}
