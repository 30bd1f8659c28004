//! The latency probe's wasm module: `<netlens-probe>`. The measuring runs in its own worker
//! module (`netlens-probe-worker`), which this one starts.
//!
//! A thin export shell over `netlens-web` (see its crate docs for why each tool is its own
//! module).

use wasm_bindgen::prelude::*;

pub use netlens_web::api::netlens_version;
pub use netlens_web::assets::set_asset_base;
use netlens_web::embed::MountedElement;

/// Renders the probe into `host`: in its shadow root (an element; any probe setting as an
/// attribute), or into `host` itself with its page heading and URL parameters (`app`).
#[wasm_bindgen(js_name = mountElement)]
pub fn mount_element(
    host: web_sys::HtmlElement,
    _initial_input: Option<String>,
    app: bool,
) -> Result<MountedElement, js_sys::Error> {
    netlens_web::embed::mount_probe(host, app)
}

/// Starts the probe's worker from `url` instead of the loader beside netlens: a classic
/// (`module = false`) or module worker script. The single-file build passes a `blob:` URL of a
/// classic worker with the wasm inline, the only kind a page opened from `file://` can start.
#[wasm_bindgen(js_name = setWorkerSource)]
pub fn set_worker_source(url: String, module: bool) {
    netlens_web::components::probe::set_worker_source(url, module);
}
