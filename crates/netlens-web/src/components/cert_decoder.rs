//! The certificate decoder tool: paste, drop or pick certificates; see every field.

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use netlens_x509::limits;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{FileList, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::components::cert_card::CertCard;
use crate::components::copy_button::CopyButton;
use crate::components::problem_list::ProblemList;
use crate::state::{DecoderAction, DecoderState, LoadedFile};

/// A real chain (root, intermediate, leaf of netlens' test PKI) for "Try an example".
pub const EXAMPLE_CHAIN: &str = include_str!("../../../netlens-testkit/fixtures/demo-chain.pem");

/// Pastes up to this size decode on every keystroke; larger ones wait for typing to pause, so a
/// multi-megabyte bundle never decodes twice per key press.
const IMMEDIATE_DECODE_BYTES: usize = 256 * 1024;
const DEBOUNCE_MS: u32 = 300;

/// Props of [`CertDecoder`].
#[derive(Properties, PartialEq, Default)]
pub struct CertDecoderProps {
    /// Text decoded when the tool appears (an embedding page can pass a certificate).
    #[prop_or_default]
    pub initial_input: AttrValue,
    /// Embedded in another page: no page heading.
    #[prop_or_default]
    pub embedded: bool,
}

/// Reads the files of a drop or a file picker, then dispatches them. Files over the size limit
/// are not read at all; the core reports them like any oversized input.
fn load_files(files: FileList, dispatcher: UseReducerDispatcher<DecoderState>) {
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
        dispatcher.dispatch(DecoderAction::AddFiles(loaded));
    });
}

/// Triggers a download of `text` as a file named `name`.
fn download(name: &str, text: &str, mime: &str) {
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

fn human_size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

/// The decoder tool.
#[component]
pub fn CertDecoder(props: &CertDecoderProps) -> Html {
    let state = use_reducer(|| DecoderState::with_text(&props.initial_input));
    let textarea = use_node_ref();
    let file_input = use_node_ref();
    let dragging = use_state(|| false);
    let pending = use_mut_ref(|| None::<Timeout>);

    // The textarea is uncontrolled (a re-render must never reset what the user is typing while a
    // debounced decode is pending); its initial value is set once here.
    {
        let textarea = textarea.clone();
        let initial = props.initial_input.clone();
        use_effect_with((), move |_| {
            if let Some(t) = textarea.cast::<HtmlTextAreaElement>() {
                t.set_value(&initial);
            }
        });
    }

    let oninput = {
        let dispatcher = state.dispatcher();
        let pending = pending.clone();
        Callback::from(move |e: InputEvent| {
            let value = e.target_unchecked_into::<HtmlTextAreaElement>().value();
            pending.borrow_mut().take(); // cancels a scheduled decode
            if value.len() <= IMMEDIATE_DECODE_BYTES {
                dispatcher.dispatch(DecoderAction::SetText(value));
            } else {
                let dispatcher = dispatcher.clone();
                *pending.borrow_mut() = Some(Timeout::new(DEBOUNCE_MS, move || {
                    dispatcher.dispatch(DecoderAction::SetText(value));
                }));
            }
        })
    };

    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if !*dragging {
                dragging.set(true);
            }
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let ondrop = {
        let dragging = dragging.clone();
        let dispatcher = state.dispatcher();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(files) = e.data_transfer().and_then(|dt| dt.files()) {
                load_files(files, dispatcher.clone());
            }
        })
    };
    let onchange = {
        let dispatcher = state.dispatcher();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            if let Some(files) = input.files() {
                load_files(files, dispatcher.clone());
            }
            input.set_value(""); // picking the same file again fires `change` again
        })
    };
    let choose_files = {
        let file_input = file_input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = file_input.cast::<HtmlInputElement>() {
                input.click();
            }
        })
    };
    let set_text = |text: &'static str| {
        let dispatcher = state.dispatcher();
        let textarea = textarea.clone();
        let pending = pending.clone();
        Callback::from(move |_: MouseEvent| {
            pending.borrow_mut().take();
            if let Some(t) = textarea.cast::<HtmlTextAreaElement>() {
                t.set_value(text);
            }
            if text.is_empty() {
                dispatcher.dispatch(DecoderAction::Clear);
            } else {
                dispatcher.dispatch(DecoderAction::SetText(text.to_owned()));
            }
        })
    };
    let on_toggle = {
        let dispatcher = state.dispatcher();
        Callback::from(move |i: usize| dispatcher.dispatch(DecoderAction::Toggle(i)))
    };

    let dropzone_class = if *dragging {
        "nl-dropzone nl-dragging"
    } else {
        "nl-dropzone"
    };

    html! {
        <section class="nl-tool nl-cert-decoder">
            if !props.embedded {
                <header class="nl-tool-head">
                    <h1>{ "Certificate decoder" }</h1>
                    <p class="nl-lead">{ "Paste a certificate chain or drop certificate files to see every field a TLS diagnosis needs." }</p>
                </header>
            }
            <div class={dropzone_class} {ondragover} {ondragleave} {ondrop}>
                <label class="nl-label" for="nl-cert-input">{ "Certificates" }</label>
                <textarea
                    id="nl-cert-input"
                    class="nl-textarea"
                    ref={textarea.clone()}
                    spellcheck="false"
                    autocomplete="off"
                    placeholder="Paste PEM here (openssl s_client -showcerts output works as is), or base64, hex, or drop .pem .crt .cer .der .p7b files anywhere in this box"
                    {oninput}
                />
                <div class="nl-input-actions">
                    <button type="button" class="nl-button" onclick={choose_files}>{ "Choose files…" }</button>
                    <input
                        type="file"
                        class="nl-hidden"
                        ref={file_input}
                        multiple=true
                        accept=".pem,.crt,.cer,.der,.p7b,.p7c,.txt"
                        aria-label="Certificate files"
                        {onchange}
                    />
                    <button type="button" class="nl-button nl-button-quiet" onclick={set_text(EXAMPLE_CHAIN)}>{ "Try an example" }</button>
                    <button type="button" class="nl-button nl-button-quiet" onclick={set_text("")}>{ "Clear" }</button>
                </div>
                if !state.files.is_empty() {
                    <ul class="nl-files" aria-label="Loaded files">
                        { for state.files.iter().enumerate().map(|(i, f)| {
                            let dispatcher = state.dispatcher();
                            let remove = Callback::from(move |_: MouseEvent| dispatcher.dispatch(DecoderAction::RemoveFile(i)));
                            html! {
                                <li class="nl-file">
                                    <span>{ format!("{} ({})", f.name, human_size(f.size)) }</span>
                                    <button type="button" class="nl-remove" aria-label={format!("Remove {}", f.name)} onclick={remove}>{ "×" }</button>
                                </li>
                            }
                        }) }
                    </ul>
                }
            </div>
            <p class="nl-privacy">
                { format!(
                    "Decoded in your browser: nothing you paste or drop leaves this device. Limits: {} per paste or file, {} certificates.",
                    human_size(limits::MAX_INPUT_BYTES),
                    limits::MAX_CERTIFICATES
                ) }
            </p>
            if let Some(report) = state.report.clone() {
                { results(&report, &state, on_toggle) }
            }
        </section>
    }
}

fn results(
    report: &Rc<netlens_x509::DecodeReport>,
    state: &UseReducerHandle<DecoderState>,
    on_toggle: Callback<usize>,
) -> Html {
    let n = report.certificates.len();
    let to_json = {
        let report = report.clone();
        Callback::from(move |()| serde_json::to_string_pretty(&*report).unwrap_or_default())
    };
    let download_json = {
        let to_json = to_json.clone();
        Callback::from(move |_: MouseEvent| {
            download(
                "netlens-certificates.json",
                &to_json.emit(()),
                "application/json",
            )
        })
    };
    let expand_all = {
        let d = state.dispatcher();
        Callback::from(move |_: MouseEvent| d.dispatch(DecoderAction::ExpandAll))
    };
    let collapse_all = {
        let d = state.dispatcher();
        Callback::from(move |_: MouseEvent| d.dispatch(DecoderAction::CollapseAll))
    };
    let summary = match (n, report.problems.len()) {
        (1, 0) => "1 certificate".to_owned(),
        (n, 0) => format!("{n} certificates"),
        (n, p) => format!(
            "{n} certificate{} · {p} problem{}",
            if n == 1 { "" } else { "s" },
            if p == 1 { "" } else { "s" }
        ),
    };
    html! {
        <div class="nl-results" aria-live="polite">
            <div class="nl-results-bar">
                <strong class="nl-count">{ summary }</strong>
                <span class="nl-muted">{ format!("validity as of {}", report.decoded_at) }</span>
                if n > 1 {
                    <button type="button" class="nl-button nl-button-small" onclick={expand_all}>{ "Expand all" }</button>
                    <button type="button" class="nl-button nl-button-small" onclick={collapse_all}>{ "Collapse all" }</button>
                }
                if n > 0 {
                    <CopyButton produce={to_json} label="Copy JSON" />
                    <button type="button" class="nl-button nl-button-small" onclick={download_json}>{ "Download JSON" }</button>
                }
            </div>
            <ProblemList problems={report.problems.clone()} />
            <div class="nl-cert-list">
                { for (0..n).map(|i| html! {
                    <CertCard
                        key={i}
                        report={report.clone()}
                        index={i}
                        expanded={state.expanded.contains(&i)}
                        on_toggle={on_toggle.clone()}
                    />
                }) }
            </div>
        </div>
    }
}
