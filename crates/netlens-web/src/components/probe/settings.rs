//! The settings form: renders [`SettingsState`] and turns every edit into a [`SettingsAction`]
//! (the rules, where each value came from and when the hosted file may fill the form, live in
//! the reducer, [`crate::state::probe::settings`]).

use netlens_probe::layers::{self, Layer, Source};
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::CONFIG_FILE;
use crate::state::probe::settings::{Field, Flag, SettingsAction, SettingsState};

/// The page's own URL parameters (name, value), from the query and the hash route.
pub(super) fn url_pairs() -> Vec<(String, String)> {
    let location = web_sys::window().map(|w| w.location());
    let search = location
        .as_ref()
        .and_then(|l| l.search().ok())
        .unwrap_or_default();
    let hash = location
        .as_ref()
        .and_then(|l| l.hash().ok())
        .unwrap_or_default();
    let mut pairs = layers::query_pairs(&search);
    if hash.contains('?') {
        pairs.extend(layers::query_pairs(&hash));
    }
    pairs
}

/// The page's own URL parameters, from the query and from the hash route (`#/probe?…`).
pub(super) fn url_layer() -> Layer {
    Layer::from_pairs(Source::UrlParameter, url_pairs())
}

/// The page is served over https:// (it cannot open ws:// to other hosts).
pub(super) fn page_secure() -> bool {
    web_sys::window()
        .and_then(|w| w.location().protocol().ok())
        .is_some_and(|p| p == "https:")
}

fn value_of(e: &InputEvent) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        .map(|i| i.value())
        .unwrap_or_default()
}

fn checked_of(e: &Event) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        .is_some_and(|i| i.checked())
}

/// Props of [`Settings`]: equal from one worker report to the next, so the form is not
/// re-rendered while a run goes on.
#[derive(Properties, PartialEq)]
pub(super) struct SettingsProps {
    /// The form and where its values came from.
    pub settings: UseReducerHandle<SettingsState>,
    /// Embedded in another page: no advice on how to configure netlens.
    pub embedded: bool,
    /// Why Start is disabled.
    pub invalid: Option<String>,
    /// An https:// page cannot reach the endpoint.
    pub mixed: Option<String>,
}

/// The settings form.
#[component]
pub(super) fn Settings(props: &SettingsProps) -> Html {
    let edit = |field: Field| {
        let settings = props.settings.clone();
        Callback::from(move |e: InputEvent| {
            settings.dispatch(SettingsAction::Edit(field, value_of(&e)))
        })
    };
    let toggle = |flag: Flag| {
        let settings = props.settings.clone();
        Callback::from(move |e: Event| {
            settings.dispatch(SettingsAction::Toggle(flag, checked_of(&e)))
        })
    };
    let f = &props.settings.form;
    html! {
        <div class="nl-probe-settings">
            <div class="nl-probe-endpoint">
                <label class="nl-label" for="nl-probe-endpoint">{ "Endpoint" }</label>
                <input id="nl-probe-endpoint" class="nl-input nl-mono" type="url" spellcheck="false" autocomplete="off"
                    placeholder="wss://echo.example.com/ws" value={f.endpoint.clone()}
                    oninput={edit(Field::Endpoint)} />
                <p class="nl-muted nl-probe-origin">
                    { format!("Endpoint from {}.", props.settings.endpoint_source) }
                    // How to configure netlens is for whoever runs it, not for the readers
                    // of a page that embeds the probe.
                    if !props.embedded {
                        { " Set it with " }<code class="nl-mono">{ "?endpoint=wss://…" }</code>{ ", " }
                        <code class="nl-mono">{ "<netlens-probe endpoint=\"…\">" }</code>{ " or a " }
                        <code class="nl-mono">{ CONFIG_FILE }</code>{ " beside the app. The echo server " }
                        <code class="nl-mono">{ "make serve" }</code>{ " starts takes " }
                        <code class="nl-mono">{ "?delay_ms=20&jitter_ms=5&loss=0.01&tcp_info=1" }</code>{ "." }
                    }
                </p>
            </div>
            <div class="nl-probe-grid">
                <div>
                    <label class="nl-label" for="nl-probe-interval">{ "Interval (ms)" }</label>
                    <input id="nl-probe-interval" class="nl-input" type="number" min="10" max="60000" value={f.interval.clone()} oninput={edit(Field::Interval)} />
                </div>
                <div>
                    <label class="nl-label" for="nl-probe-payload">{ "Payload (bytes)" }</label>
                    <input id="nl-probe-payload" class="nl-input" type="number" min="24" max="65536" disabled={f.request_mode} value={f.payload.clone()} oninput={edit(Field::Payload)} />
                </div>
                <div>
                    <label class="nl-label" for="nl-probe-timeout">{ "Timeout (ms)" }</label>
                    <input id="nl-probe-timeout" class="nl-input" type="number" min="10" max="60000" placeholder="adaptive" value={f.timeout.clone()} oninput={edit(Field::Timeout)} />
                </div>
                <div>
                    <label class="nl-label" for="nl-probe-count">{ "Probes" }</label>
                    <input id="nl-probe-count" class="nl-input" type="number" min="1" placeholder="until stopped" value={f.count.clone()} oninput={edit(Field::Count)} />
                </div>
                <div>
                    <label class="nl-label" for="nl-probe-subprotocol">{ "Subprotocol" }</label>
                    <input id="nl-probe-subprotocol" class="nl-input nl-mono" type="text" spellcheck="false" placeholder="none" value={f.subprotocol.clone()} oninput={edit(Field::Subprotocol)} />
                </div>
            </div>
            <div class="nl-probe-options">
                <label><input id="nl-probe-working" type="checkbox" checked={f.working_conditions} onchange={toggle(Flag::WorkingConditions)} />
                    { " Working conditions: load the path with parallel downloads and uploads and measure responsiveness (RPM), as networkQuality does (the server needs netlens-echo's bulk protocol)" }</label>
                <label><input id="nl-probe-fresh" type="checkbox" checked={f.fresh} onchange={toggle(Flag::FreshConnection)} />
                    { " A fresh connection for every probe (measures connect time each time)" }</label>
                <label><input id="nl-probe-request-mode" type="checkbox" checked={f.request_mode} onchange={toggle(Flag::RequestMode)} />
                    { " Request/response: the server answers a request instead of echoing" }</label>
            </div>
            if f.working_conditions {
                <div class="nl-probe-grid nl-probe-working">
                    <div>
                        <label class="nl-label" for="nl-probe-phase">{ "Longest loaded phase (s)" }</label>
                        <input id="nl-probe-phase" class="nl-input" type="number" min="2" max="60" value={f.phase_s.clone()} oninput={edit(Field::PhaseSeconds)} />
                    </div>
                </div>
            }
            if f.request_mode {
                <div class="nl-probe-grid nl-probe-request">
                    <div class="nl-probe-wide">
                        <label class="nl-label" for="nl-probe-request">{ "Request ({seq} and {t} are filled in)" }</label>
                        <input id="nl-probe-request" class="nl-input nl-mono" type="text" spellcheck="false" placeholder="{\"op\":\"ping\",\"id\":{seq}}" value={f.request.clone()} oninput={edit(Field::Request)} />
                    </div>
                    <div>
                        <label class="nl-label" for="nl-probe-match">{ "Reply field with {seq}" }</label>
                        <input id="nl-probe-match" class="nl-input nl-mono" type="text" spellcheck="false" placeholder="id" value={f.match_field.clone()} oninput={edit(Field::MatchField)} />
                    </div>
                </div>
            }
            { for props.settings.problems.iter().map(|p| html! { <p class="nl-note nl-probe-problem">{ p }</p> }) }
            if let Some(e) = &props.invalid {
                <p class="nl-field-error" id="nl-probe-invalid">{ e }</p>
            }
            if let Some(w) = &props.mixed {
                <p class="nl-field-error">{ w }</p>
            }
        </div>
    }
}
