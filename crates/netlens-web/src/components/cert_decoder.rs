//! The certificate decoder tool: paste, drop or pick certificates; see every field.

use std::rc::Rc;

use netlens_x509::limits;
use yew::prelude::*;

use crate::clock;
use crate::components::cert_card::CertCard;
use crate::components::copy_button::CopyButton;
use crate::components::inputs::{DropZone, FileChips, FilePicker, PasteArea, human_size, set_text};
use crate::components::problem_list::ProblemList;
use crate::files::download;
use crate::state::{DecoderAction, DecoderState};

/// A real chain (root, intermediate, leaf of netlens' test PKI) for "Try an example".
pub const EXAMPLE_CHAIN: &str = include_str!("../../../netlens-testkit/fixtures/demo-chain.pem");

/// Accepted certificate file names.
pub const CERT_FILES: &str = ".pem,.crt,.cer,.der,.p7b,.p7c,.txt,.p12,.pfx";

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

/// The decoder tool.
#[component]
pub fn CertDecoder(props: &CertDecoderProps) -> Html {
    let state = use_reducer(|| DecoderState::with_text(&props.initial_input, clock::now_unix()));
    let textarea = use_node_ref();

    let on_text = {
        let d = state.dispatcher();
        Callback::from(move |text: String| {
            d.dispatch(DecoderAction::SetText {
                text,
                now: clock::now_unix(),
            })
        })
    };
    let on_files = {
        let d = state.dispatcher();
        Callback::from(move |files| {
            d.dispatch(DecoderAction::AddFiles {
                files,
                now: clock::now_unix(),
            })
        })
    };
    let on_remove = {
        let d = state.dispatcher();
        Callback::from(move |index| {
            d.dispatch(DecoderAction::RemoveFile {
                index,
                now: clock::now_unix(),
            })
        })
    };
    let set = |text: &'static str| {
        let d = state.dispatcher();
        let textarea = textarea.clone();
        Callback::from(move |_: MouseEvent| {
            set_text(&textarea, text);
            d.dispatch(if text.is_empty() {
                DecoderAction::Clear
            } else {
                DecoderAction::SetText {
                    text: text.to_owned(),
                    now: clock::now_unix(),
                }
            });
        })
    };
    let on_toggle = {
        let d = state.dispatcher();
        Callback::from(move |i: usize| d.dispatch(DecoderAction::Toggle(i)))
    };
    let on_open = {
        let d = state.dispatcher();
        Callback::from(move |(name, result)| {
            d.dispatch(DecoderAction::Pkcs12Opened {
                name,
                result,
                now: clock::now_unix(),
            })
        })
    };

    html! {
        <section class="nl-tool nl-cert-decoder">
            if !props.embedded {
                <header class="nl-tool-head">
                    <h1>{ "Certificate decoder" }</h1>
                    <p class="nl-lead">{ "Paste a certificate chain or drop certificate files to see every field a TLS diagnosis needs." }</p>
                </header>
            }
            <DropZone on_files={on_files.clone()}>
                <label class="nl-label" for="nl-cert-input">{ "Certificates" }</label>
                <PasteArea
                    id="nl-cert-input"
                    textarea={textarea.clone()}
                    initial={props.initial_input.clone()}
                    on_text={on_text}
                    placeholder="Paste PEM here (openssl s_client -showcerts output works as is), or base64, hex, or drop .pem .crt .cer .der .p7b .p12 files anywhere in this box"
                />
                <div class="nl-input-actions">
                    <FilePicker label="Choose files…" accept={CERT_FILES} aria_label="Certificate files" on_files={on_files} />
                    <button type="button" class="nl-button nl-button-quiet" onclick={set(EXAMPLE_CHAIN)}>{ "Try an example" }</button>
                    <button type="button" class="nl-button nl-button-quiet" onclick={set("")}>{ "Clear" }</button>
                </div>
                <FileChips files={state.files.clone()} {on_remove} />
            </DropZone>
            { crate::components::pkcs12::pkcs12_panel(&state.pkcs12, &on_open) }
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
                { for state.certificates.iter().enumerate().map(|(i, cert)| html! {
                    <CertCard
                        key={i}
                        cert={cert.clone()}
                        index={i}
                        expanded={state.expanded.contains(&i)}
                        on_toggle={on_toggle.clone()}
                    />
                }) }
            </div>
        </div>
    }
}
