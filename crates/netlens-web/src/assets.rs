//! Where the files that travel with the wasm (`netlens.config.json`, the IANA descriptions) are,
//! and how to read them.
//!
//! The app finds them beside its page (`document.baseURI`). A documentation page that embeds
//! `<netlens-probe>` loads netlens from elsewhere, so `netlens-embed.js` tells us its own folder
//! with [`set_asset_base`] before any element mounts.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen_futures::JsFuture;

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

/// The response for the file `name` beside netlens: `Ok(None)` when there is none (HTTP 404),
/// when it cannot be fetched at all (offline on a first visit), or when the page was opened from
/// a file (`netlens-offline.html` cannot read files beside it, and carries them inline); `Err`
/// with a sentence for any other HTTP error.
async fn fetch_beside(name: &str) -> Result<Option<web_sys::Response>, String> {
    let window = web_sys::window().ok_or("no window")?;
    if window.location().protocol().is_ok_and(|p| p == "file:") {
        return Ok(None);
    }
    let Ok(response) = JsFuture::from(window.fetch_with_str(&asset_url(name))).await else {
        return Ok(None);
    };
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| "unexpected fetch result".to_owned())?;
    if response.status() == 404 {
        return Ok(None);
    }
    if !response.ok() {
        return Err(format!(
            "{name}: the server answered HTTP {}",
            response.status()
        ));
    }
    Ok(Some(response))
}

/// The text of the file `name` beside netlens (see [`fetch_beside`] for `None`); `Err` with a
/// sentence for an HTTP error or an unreadable body.
pub async fn fetch_text(name: &str) -> Result<Option<String>, String> {
    let Some(response) = fetch_beside(name).await? else {
        return Ok(None);
    };
    let unreadable = |_| format!("{name}: unreadable");
    let text = JsFuture::from(response.text().map_err(unreadable)?)
        .await
        .map_err(unreadable)?;
    Ok(text.as_string())
}

/// The bytes of the file `name` beside netlens, like [`fetch_text`].
pub async fn fetch_bytes(name: &str) -> Result<Option<Vec<u8>>, String> {
    let Some(response) = fetch_beside(name).await? else {
        return Ok(None);
    };
    let unreadable = |_| format!("{name}: unreadable");
    let buffer = JsFuture::from(response.array_buffer().map_err(unreadable)?)
        .await
        .map_err(unreadable)?;
    Ok(Some(js_sys::Uint8Array::new(&buffer).to_vec()))
}
