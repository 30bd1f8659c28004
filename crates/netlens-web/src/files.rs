//! Files the user drops or picks, and files the app offers for download.

use std::rc::Rc;

use netlens_x509::limits;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::FileList;

/// A file the user dropped or picked.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedFile {
    /// File name.
    pub name: String,
    /// Size in bytes.
    pub size: usize,
    /// Contents, or `None` when the file was over the size limit and not read.
    pub bytes: Option<Rc<Vec<u8>>>,
}

/// Reads the files of a drop or a file picker, then hands them to `done`. Files over the size
/// limit are not read at all; the cores report them like any oversized input.
pub fn load_files(files: FileList, done: impl FnOnce(Vec<LoadedFile>) + 'static) {
    let files: Vec<web_sys::File> = (0..files.length()).filter_map(|i| files.get(i)).collect();
    if files.is_empty() {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let mut loaded = Vec::with_capacity(files.len());
        for file in files {
            let size = file.size() as usize;
            let bytes = if size > limits::MAX_INPUT_BYTES {
                None
            } else {
                match JsFuture::from(file.array_buffer()).await {
                    Ok(buffer) => Some(Rc::new(js_sys::Uint8Array::new(&buffer).to_vec())),
                    // Unreadable (e.g. removed meanwhile): shown as empty, which the core reports.
                    Err(_) => Some(Rc::new(Vec::new())),
                }
            };
            loaded.push(LoadedFile {
                name: file.name(),
                size,
                bytes,
            });
        }
        done(loaded);
    });
}

/// Triggers a download of `text` as a file named `name`.
pub fn download(name: &str, text: &str, mime: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    if let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) {
        click_download(name, &blob);
    }
}

/// Triggers a download of `bytes` as a file named `name`. The object URL is revoked at once
/// (the click has taken its copy), so nothing stays reachable from the page.
pub fn download_bytes(name: &str, bytes: &[u8], mime: &str) {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options);
    // The JS copy of the bytes is wiped once the Blob has its own.
    array.fill(0, 0, array.length());
    if let Ok(blob) = blob {
        click_download(name, &blob);
    }
}

/// Offers `blob` as a download named `name` (an `<a download>` clicked, its URL revoked).
fn click_download(name: &str, blob: &web_sys::Blob) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(blob) else {
        return;
    };
    if let Ok(anchor) = document.create_element("a")
        && let Ok(anchor) = anchor.dyn_into::<web_sys::HtmlAnchorElement>()
    {
        anchor.set_href(&url);
        anchor.set_download(name);
        anchor.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
