//! Where the files that travel with the wasm (the probe worker, `netlens.config.json`) are.
//!
//! The app finds them beside its page (`document.baseURI`). A documentation page that embeds
//! `<netlens-probe>` loads netlens from elsewhere, so `netlens-embed.js` tells us its own folder
//! with [`set_asset_base`] before any element mounts.

use std::cell::RefCell;

use wasm_bindgen::prelude::wasm_bindgen;

thread_local! {
    static ASSET_BASE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Sets the folder netlens' files are served from (a URL ending in `/`).
#[wasm_bindgen(js_name = setAssetBase)]
pub fn set_asset_base(base: String) {
    ASSET_BASE.with(|b| *b.borrow_mut() = Some(base));
}

/// The absolute URL of a file served beside netlens.
pub fn asset_url(name: &str) -> String {
    let base = ASSET_BASE
        .with(|b| b.borrow().clone())
        .or_else(|| {
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.base_uri().ok().flatten())
        })
        .unwrap_or_default();
    web_sys::Url::new_with_base(name, &base)
        .map(|u| u.href())
        .unwrap_or_else(|_| name.to_owned())
}
