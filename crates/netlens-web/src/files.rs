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
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
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
