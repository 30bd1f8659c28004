//! # netlens-web: the browser shell over netlens' analysis cores
//!
//! This crate only renders and wires events; every answer comes from a pure core crate
//! (`netlens-x509` today), so the browser, the CLI and the native tests agree.
//!
//! Three ways in, one wasm module:
//! - **The app** (`index.html`): [`start`] mounts [`app::App`] into `#netlens-app` when the page
//!   has one. Tools have their own URL (`#/decoder`), so links and bookmarks work on any static
//!   host and under any sub-path.
//! - **Custom elements** (`netlens-embed.js`): [`embed::mount_element`] renders a tool inside an
//!   element's shadow root with its own copy of the stylesheet, so a documentation page's CSS and
//!   ours never meet.
//! - **A JS API** ([`api`]): `decodeCertificates(input)` returns the same report as
//!   `netlens decode --json`, as plain JS objects.
//!
//! Nothing here touches the network: certificates never leave the browser.

pub mod api;
pub mod app;
pub mod assets;
pub mod clock;
pub mod components;
pub mod embed;
pub mod files;
pub mod router;
pub mod state;
pub mod webcrypto;

use wasm_bindgen::prelude::wasm_bindgen;

/// The stylesheet, compiled in so shadow roots get their own copy (the app page links the same
/// file through Trunk).
pub const STYLESHEET: &str = include_str!("../../../web/netlens.css");

/// The id of the element the app mounts into.
pub const APP_ROOT_ID: &str = "netlens-app";

/// Runs when the wasm module is instantiated: mounts the app if the page has an app root. Pages
/// that only embed elements (documentation sites) have none, and nothing happens.
#[wasm_bindgen(start)]
pub fn start() {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(APP_ROOT_ID))
    {
        // Replace the static "loading" placeholder.
        root.set_inner_html("");
        yew::Renderer::<app::App>::with_root(root).render();
    }
}
