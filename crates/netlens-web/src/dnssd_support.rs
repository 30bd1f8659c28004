//! What the DNS-SD core gets from the browser instead of from compiled-in tables: Unicode NFC
//! (`String.prototype.normalize`, saving the 61 KB gzip of tables) and the IANA registry's
//! descriptions (58 KB gzip), fetched from beside netlens the first time a page needs them.
//! Call [`install`] before the first check; [`load_iana_descriptions`] whenever descriptions
//! would be shown.

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
    let file = netlens_dnssd::iana::DESCRIPTIONS_FILE;
    match crate::assets::fetch_text(file).await {
        Ok(Some(text)) => netlens_dnssd::iana::set_descriptions(text),
        Ok(None) => web_sys::console::warn_1(&format!("netlens: {file} is not available").into()),
        Err(problem) => web_sys::console::warn_1(&format!("netlens: {problem}").into()),
    }
    netlens_dnssd::iana::has_descriptions()
}
