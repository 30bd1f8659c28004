//! # netlens-web: the browser UI shared by netlens' tool modules
//!
//! This crate only renders and wires events; every answer comes from a pure core crate, so the
//! browser, the CLI and the native tests agree.
//!
//! Each tool is its own wasm module (`crates/netlens-web-{decoder,chain,dnssd,probe}`), a thin
//! crate that exports that tool's `mountElement` and JS API functions from here. A page then
//! downloads only the tools it shows. For that to work this crate must export (almost) nothing
//! with `#[wasm_bindgen]`: every export of a linked crate is kept, with all it calls. The only
//! exports here are tiny and shared by every module: [`embed::MountedElement`],
//! [`assets::set_asset_base`] and [`api::netlens_version`].
//!
//! Three ways in, one code path:
//! - **Custom elements** (`netlens-embed.js`): the loader defines every element at once and
//!   imports a tool's module the first time one of its elements appears; [`embed`] renders the
//!   tool inside the element's shadow root.
//! - **The app** (`index.html` + `netlens-app.js`): a static shell (header, tool list, footer)
//!   that asks the same loader for the module of the route it shows, which renders into the page
//!   itself ([`embed`] with `app = true`).
//! - **A JS API** ([`api`]): `decodeCertificates(input)` returns the same report as
//!   `netlens decode --json`, as plain JS objects; each function loads only its tool.
//!
//! Nothing here touches the network except the latency probe, which talks to the endpoint it is
//! given: certificates and TXT records never leave the browser.

pub mod api;
pub mod assets;
pub mod clock;
pub mod components;
pub mod dnssd_support;
pub mod embed;
pub mod files;
pub mod pkcs12;
pub mod signatures;
pub mod state;
pub mod tools;
pub mod trust_stores;
pub mod webcrypto;

/// The stylesheet (`web/netlens.css`, minified by build.rs), compiled in so shadow roots get
/// their own copy (the app page links the same file through Trunk).
pub const STYLESHEET: &str = include_str!(concat!(env!("OUT_DIR"), "/netlens.min.css"));
