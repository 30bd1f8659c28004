//! The latency probe's wasm module: `<netlens-probe>`, and the measuring worker. The page
//! instantiates this module and posts it to a dedicated worker, where it is instantiated again
//! and `netlens-probe-worker`'s start function (linked in here) takes over.
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

/// Gives the probe this module, compiled (`module`, a `WebAssembly.Module`), and the URL of its
/// glue (`glue`), which its worker instantiates; `netlens-embed.js` calls it after loading.
#[wasm_bindgen(js_name = setWorkerModule)]
pub fn set_worker_module(module: JsValue, glue: String) {
    netlens_web::components::probe::set_worker_module(module, glue);
}

/// Starts the probe's worker from `url`, a classic worker script, instead of the module worker
/// the probe makes itself. The single-file build passes a `blob:` URL of a classic worker with
/// the glue bundled in, the only kind a page opened from `file://` can start.
#[wasm_bindgen(js_name = setWorkerSource)]
pub fn set_worker_source(url: String) {
    netlens_web::components::probe::set_worker_source(url);
}

// The worker half: its `#[wasm_bindgen(start)]` runs when a worker instantiates this module.
use netlens_probe_worker as _;
