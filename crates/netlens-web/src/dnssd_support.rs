//! What the DNS-SD core gets from the browser instead of from compiled-in tables: Unicode NFC
//! (`String.prototype.normalize`, saving the 61 KB gzip of tables) and the IANA registry's
//! descriptions (58 KB gzip), fetched from beside netlens the first time a page needs them.
//! Call [`install`] before the first check; [`load_description`] whenever a registration's
//! description would be shown.

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

/// Fetches and installs the chunk of the IANA descriptions that holds `name`'s, unless the core
/// has it; resolves to whether it has it now. A failure (offline on a first visit, a host
/// without the files) leaves the registration without its description, which is all it is
/// used for; it is logged, not shown.
pub async fn load_description(name: &str) -> bool {
    use netlens_dnssd::iana;
    if iana::lookup(name).is_none() || iana::has_description_for(name) {
        return true;
    }
    let file = iana::description_file(name);
    match crate::assets::fetch_text(&file).await {
        Ok(Some(text)) => iana::add_description_chunk(iana::description_chunk(name), text),
        Ok(None) => web_sys::console::warn_1(&format!("netlens: {file} is not available").into()),
        Err(problem) => web_sys::console::warn_1(&format!("netlens: {problem}").into()),
    }
    iana::has_description_for(name)
}
