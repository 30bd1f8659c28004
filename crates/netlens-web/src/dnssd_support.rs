//! What the DNS-SD core gets from the browser instead of from compiled-in tables: Unicode NFC
//! (`String.prototype.normalize`, saving the 61 KB gzip of tables) and the IANA registry's
//! descriptions (58 KB gzip), fetched from beside netlens the first time a page needs them.
//! Call [`install`] before the first check; [`load_iana_descriptions`] whenever descriptions
//! would be shown.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::assets::asset_url;

fn browser_nfc(text: &str) -> String {
    js_sys::JsString::from(text)
        .normalize("NFC")
        .as_string()
        .unwrap_or_else(|| text.to_owned())
}

/// Hands the core the browser's NFC normalizer (idempotent).
pub fn install() {
    netlens_dnssd::nfc::set_normalizer(browser_nfc);
}

/// Fetches and installs the IANA descriptions unless the core has them; resolves to whether it
/// has them now. A failure (offline on a first visit, a host without the file) leaves the
/// registrations without descriptions, which is all they are used for; it is logged, not shown.
pub async fn load_iana_descriptions() -> bool {
    if netlens_dnssd::iana::has_descriptions() {
        return true;
    }
    match fetch_text(&asset_url(netlens_dnssd::iana::DESCRIPTIONS_FILE)).await {
        Ok(text) => netlens_dnssd::iana::set_descriptions(text),
        Err(problem) => web_sys::console::warn_1(
            &format!("netlens: IANA descriptions are not available: {problem}").into(),
        ),
    }
    netlens_dnssd::iana::has_descriptions()
}

async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| format!("{url} could not be fetched"))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| "unexpected fetch result".to_owned())?;
    if !response.ok() {
        return Err(format!("{url}: HTTP {}", response.status()));
    }
    let text = response.text().map_err(|_| format!("{url}: unreadable"))?;
    JsFuture::from(text)
        .await
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| format!("{url}: unreadable"))
}
