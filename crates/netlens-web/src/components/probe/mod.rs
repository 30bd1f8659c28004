//! The WebSocket latency probe page: settings, start / stop / reset, the status line, live
//! charts, the numbers with what they mean, and the exports.
//!
//! The measuring happens in a dedicated Web Worker running the probe's own module (its
//! `netlens-probe-worker` half); this component starts it, sends it commands and renders its
//! reports ([`crate::state::probe`]), so nothing the page does (rendering, layout, scrolling) can
//! delay a receive timestamp.
//!
//! Its parts: [`worker`] (starting the worker and talking to it), [`settings`] (the form),
//! [`charts`] (the SVG charts) and [`results`] (tiles, details, explanations). State lives in
//! two reducers: [`ProbeState`] for what the worker reported and
//! [`SettingsState`](crate::state::probe::settings::SettingsState) for the form.

use std::rc::Rc;

use netlens_probe::export;
use netlens_probe::layers::{self, Layer, Source};
use netlens_probe::worker::Command;
use yew::prelude::*;

use crate::state::probe::settings::{CheckedForm, SettingsAction, SettingsState};
use crate::state::probe::{ProbeAction, ProbeState, export_json, is_running, status_line};

mod charts;
mod quality;
mod results;
mod settings;
mod worker;

pub use worker::{set_worker_module, set_worker_source};

use charts::charts;
use results::{Details, Explanations, environment_line, headline};
use settings::Settings;
use worker::{page_hidden, random_run_id, use_probe_worker};

/// The hosted settings file, served beside the app.
pub const CONFIG_FILE: &str = "netlens.config.json";

/// Props of [`ProbeTool`].
#[derive(Properties, PartialEq, Default)]
pub struct ProbeToolProps {
    /// Settings from the `<netlens-probe>` element's attributes (name, value).
    #[prop_or_default]
    pub attributes: Rc<Vec<(String, String)>>,
    /// Embedded in another page: no page heading.
    #[prop_or_default]
    pub embedded: bool,
}

/// The settings form, filled from the page's URL and the element's attributes at once, then from
/// `netlens.config.json` when it arrives (the reducer decides what the file may change).
#[hook]
fn use_probe_settings(attributes: &Rc<Vec<(String, String)>>) -> UseReducerHandle<SettingsState> {
    let base_layers = {
        let attributes = attributes.clone();
        use_memo((), move |_| {
            vec![
                settings::url_layer(),
                Layer::from_pairs(Source::Attribute, attributes.iter().cloned()),
            ]
        })
    };
    let settings = {
        let base_layers = base_layers.clone();
        // `mode=working-conditions` (URL parameter or the element's attribute) starts the form
        // in that mode.
        let working = attributes
            .iter()
            .chain(settings::url_pairs().iter())
            .any(|(k, v)| k == "mode" && v == "working-conditions");
        use_reducer(move || {
            let mut state = SettingsState::new(&layers::resolve(&base_layers));
            state.form.working_conditions = working;
            state
        })
    };
    {
        let dispatch = settings.dispatcher();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                let mut all = (*base_layers).clone();
                let mut file_problem = None;
                match crate::assets::fetch_text(CONFIG_FILE).await {
                    Ok(Some(text)) => match Layer::from_config_file(&text) {
                        Ok(layer) => all.push(layer),
                        Err(e) => file_problem = Some(e.to_string()),
                    },
                    Ok(None) => {}
                    Err(e) => file_problem = Some(e),
                }
                dispatch.dispatch(SettingsAction::FileRead {
                    resolved: layers::resolve(&all),
                    file_problem,
                });
            });
        });
    }
    settings
}

/// The latency probe tool.
#[component]
pub fn ProbeTool(props: &ProbeToolProps) -> Html {
    // Compared by version: a report to a hidden page changes the data, not the page.
    let state = use_reducer_eq(ProbeState::default);
    let worker = use_probe_worker(state.dispatcher());
    let settings = use_probe_settings(&props.attributes);

    // Worker reports re-render the tool every second: what depends on the form alone is
    // computed when the form changes.
    let checked = use_memo(settings.form.clone(), |form| {
        CheckedForm::new(form, settings::page_secure())
    });
    let CheckedForm {
        resolved,
        invalid,
        mixed,
    } = &*checked;
    let running = is_running(&state);
    let ready = state.environment.is_some() && state.worker_error.is_none() && settings.loaded;

    let on_start = {
        let worker = worker.clone();
        let dispatch = state.dispatcher();
        let config = resolved.config.clone();
        let quality = settings
            .form
            .working_conditions
            .then(|| settings.form.run_config().ok())
            .flatten();
        Callback::from(move |_: MouseEvent| {
            let run_id = random_run_id();
            if let Some(run) = quality {
                dispatch.dispatch(ProbeAction::StartedQuality { run_id });
                if let Some(w) = worker.borrow().as_ref() {
                    w.send(&Command::StartQuality {
                        url: config.endpoint.clone(),
                        config: run,
                        run_id,
                    });
                }
                return;
            }
            dispatch.dispatch(ProbeAction::Started {
                run_id,
                config: config.clone(),
            });
            if let Some(w) = worker.borrow().as_ref() {
                w.send(&Command::Start {
                    config: config.clone(),
                    run_id,
                    hidden: page_hidden(),
                });
            }
        })
    };
    let on_stop = {
        let worker = worker.clone();
        let dispatch = state.dispatcher();
        Callback::from(move |_: MouseEvent| {
            if let Some(w) = worker.borrow().as_ref() {
                w.send(&Command::Stop);
            }
            dispatch.dispatch(ProbeAction::Stopped);
        })
    };
    let on_reset = {
        let worker = worker.clone();
        let dispatch = state.dispatcher();
        Callback::from(move |_: MouseEvent| {
            if let Some(w) = worker.borrow().as_ref() {
                w.send(&Command::Stop);
            }
            dispatch.dispatch(ProbeAction::Reset);
        })
    };
    let on_csv = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(run) = &state.run {
                let csv = export::csv(run.log.borrow().samples.iter());
                crate::files::download("netlens-probe.csv", &csv, "text/csv");
            }
        })
    };
    let on_json = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(json) = state
                .run
                .as_ref()
                .and_then(|run| export_json(run, state.environment.as_ref()))
            {
                crate::files::download("netlens-probe.json", &json, "application/json");
            }
        })
    };

    let (tone, status) = status_line(&state);
    let run = state.run.as_ref();
    let summary = run.and_then(|r| r.summary.as_ref());
    html! {
        <section class="nl-tool nl-probe">
            if !props.embedded {
                <header class="nl-tool-head">
                    <h1>{ "WebSocket latency probe" }</h1>
                    <p class="nl-lead">{ "How good is the network to your endpoint, right now? Connect time, round-trip percentiles, jitter and loss, a running estimate that notices when the level changes, and live charts, measured in a dedicated Web Worker. The only tool here that uses the network: it talks to the endpoint you give, nothing else." }</p>
                </header>
            }
            <Settings settings={settings.clone()} embedded={props.embedded}
                invalid={invalid.clone()} mixed={mixed.clone()} />
            <div class="nl-row nl-probe-controls">
                <button type="button" class="nl-button" id="nl-probe-start" disabled={!ready || invalid.is_some()} onclick={on_start}>
                    { if running { "Restart" } else { "Start" } }
                </button>
                <button type="button" class="nl-button nl-button-quiet" id="nl-probe-stop" disabled={!running} onclick={on_stop}>{ "Stop" }</button>
                <button type="button" class="nl-button nl-button-quiet" id="nl-probe-reset" disabled={run.is_none()} onclick={on_reset}>{ "Reset" }</button>
                <span class="nl-probe-exports">
                    <button type="button" class="nl-button nl-button-small" id="nl-probe-csv" disabled={summary.is_none()} onclick={on_csv}>{ "Export CSV" }</button>
                    <button type="button" class="nl-button nl-button-small" id="nl-probe-json" disabled={summary.is_none()} onclick={on_json}>{ "Export JSON" }</button>
                </span>
            </div>
            <p class={tone.class()} id="nl-probe-status" role="status" aria-live="polite">{ status }</p>
            { environment_line(state.environment.as_ref()) }
            if let Some(q) = &state.quality {
                <quality::QualityPanel run={q.clone()} />
            }
            if let (Some(run), Some(summary)) = (run, summary) {
                if let Some(note) = summary.disturbance_note() {
                    <p class="nl-note nl-probe-disturbance" id="nl-probe-disturbance">{ note }</p>
                }
                { headline(summary) }
                { charts(run, summary) }
                if let Some(shown) = &run.details {
                    <Details summary={shown.clone()} live={running} />
                }
            }
            <Explanations />
        </section>
    }
}
