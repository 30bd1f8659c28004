//! The WebSocket latency probe page: settings, start / stop / reset, the status line, live
//! charts, the numbers with what they mean, and the exports.
//!
//! The measuring happens in a dedicated Web Worker running the probe's own module (its
//! `netlens-probe-worker` half); this component starts it, sends it commands and renders its
//! reports ([`crate::state::probe`]), so nothing the page does (rendering, layout, scrolling) can
//! delay a receive timestamp.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;

use gloo_events::EventListener;
use netlens_probe::export;
use netlens_probe::layers::{self, Layer, Resolved, Source};
use netlens_probe::session::Summary;
use netlens_probe::stats::Distribution;
use netlens_probe::worker::{Command, Report, UPDATE_INTERVAL_MS, WorkerEnvironment};
use netlens_probe::{MessageMode, ProbeConfig};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlInputElement, MessageEvent, Worker, WorkerOptions, WorkerType};
use yew::prelude::*;

use crate::state::probe::{
    DETAILS_EVERY_MS, Histogram, ProbeAction, ProbeState, RttChart, Run, export_json, fmt_ms,
    geometry, histogram, is_running, rtt_chart, status_line,
};

/// The hosted settings file, served beside the app.
pub const CONFIG_FILE: &str = "netlens.config.json";
/// Histogram bars.
const HISTOGRAM_BINS: usize = 40;

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

/// The form's fields, as typed.
#[derive(Clone, Debug, PartialEq)]
struct Form {
    endpoint: String,
    interval: String,
    payload: String,
    timeout: String,
    subprotocol: String,
    request_mode: bool,
    request: String,
    match_field: String,
    fresh: bool,
    count: String,
}

impl Form {
    fn from_config(c: &ProbeConfig) -> Form {
        let (request_mode, request, match_field) = match &c.mode {
            MessageMode::Echo => (false, String::new(), String::new()),
            MessageMode::RequestResponse {
                template,
                match_field,
            } => (true, template.clone(), match_field.clone()),
        };
        Form {
            endpoint: c.endpoint.clone(),
            interval: c.interval_ms.to_string(),
            payload: c.payload_bytes.to_string(),
            timeout: c.timeout_ms.map(|t| t.to_string()).unwrap_or_default(),
            subprotocol: c.subprotocol.clone().unwrap_or_default(),
            request_mode,
            request,
            match_field,
            fresh: c.fresh_connection,
            count: c.count.map(|n| n.to_string()).unwrap_or_default(),
        }
    }

    /// The settings the form describes, through the same parsing as every other source.
    fn resolve(&self) -> Resolved {
        let mut values = vec![
            ("endpoint", self.endpoint.clone()),
            ("interval_ms", self.interval.clone()),
            ("payload_bytes", self.payload.clone()),
            ("timeout_ms", self.timeout.clone()),
            ("subprotocol", self.subprotocol.clone()),
            ("fresh_connection", self.fresh.to_string()),
            ("count", self.count.clone()),
        ];
        if self.request_mode {
            values.push(("request", self.request.clone()));
            values.push(("match_field", self.match_field.clone()));
        }
        layers::resolve(&[Layer::from_pairs(Source::Form, values)])
    }
}

/// The worker and its handlers; dropping it terminates the worker.
struct WorkerHandle {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
    _on_page_hide: Option<EventListener>,
    _visibility: Option<EventListener>,
}

impl WorkerHandle {
    fn send(&self, command: &Command) {
        post_command(&self.worker, command);
    }
}

/// A report the worker posted as `[Float64Array, string[]]` ([`netlens_probe::codec`]); `None`
/// for anything else.
fn decode_report(data: &JsValue) -> Option<Report> {
    let parts = data.dyn_ref::<js_sys::Array>()?;
    let numbers = parts
        .get(0)
        .dyn_into::<js_sys::Float64Array>()
        .ok()?
        .to_vec();
    let strings = parts
        .get(1)
        .dyn_into::<js_sys::Array>()
        .ok()?
        .iter()
        .map(|s| s.as_string())
        .collect::<Option<Vec<String>>>()?;
    netlens_probe::codec::decode(&numbers, &strings)
}

/// Sends a command to the worker as JSON text (the worker's only input format).
fn post_command(worker: &Worker, command: &Command) {
    if let Ok(json) = serde_json::to_string(command) {
        // Posting a string to our own worker only fails once it is terminated.
        let _ = worker.post_message(&JsValue::from_str(&json));
    }
}

/// How long a worker's error waits to be said (ms): long enough for a page being left to stop
/// running timers, short against a worker that takes a second to load.
const LEAVING_GRACE_MS: u32 = 100;

thread_local! {
    /// A terminated worker's error handler: cancels the event (see `WorkerHandle`'s drop).
    static IGNORE_ERROR: Closure<dyn Fn(web_sys::Event)> =
        Closure::new(|event: web_sys::Event| event.prevent_default());
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        // Handlers first, as the closures are about to be dropped. WebKit reports a worker
        // terminated while its module still loads as an error ("Importing a module script is
        // canceled"), which is no failure of a tool the user has left: it is cancelled, so
        // that the browser does not report it either.
        self.worker.set_onmessage(None);
        IGNORE_ERROR.with(|ignore| {
            self.worker
                .set_onerror(Some(ignore.as_ref().unchecked_ref()))
        });
        self.worker.terminate();
    }
}

fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

/// The worker's first script: waits for the probe module and the URL of its glue, then
/// instantiates the module, whose start function (from `netlens-probe-worker`) takes over the
/// worker. A load failure is rethrown outside the promise so the page's `error` handler hears
/// of it. Made into a `blob:` module worker by the page itself: a worker script must have the
/// page's origin, and netlens may be served from another (a docs site embedding it from a CDN);
/// the glue is then imported with CORS.
const WORKER_BOOT: &str = "self.onmessage = async ({ data }) => {
  self.onmessage = null;
  try {
    const glue = await import(data.glue);
    await glue.default({ module_or_path: data.module });
  } catch (error) {
    setTimeout(() => { throw error; });
  }
};
";

thread_local! {
    /// The probe module, compiled, and the URL of its glue (see [`set_worker_module`]).
    static WORKER_MODULE: std::cell::RefCell<Option<(JsValue, String)>> = const { std::cell::RefCell::new(None) };
    /// A classic worker script to start instead of [`WORKER_BOOT`] (see [`set_worker_source`]).
    static WORKER_SOURCE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// The probe module (a `WebAssembly.Module`) and its glue's URL, for the worker to instantiate;
/// the loader passes them (`netlens-web-probe`'s `setWorkerModule`).
pub fn set_worker_module(module: JsValue, glue: String) {
    WORKER_MODULE.with(|m| *m.borrow_mut() = Some((module, glue)));
}

/// Starts the worker from `url`, a classic script that takes the same first message, instead
/// of [`WORKER_BOOT`] (`netlens-web-probe`'s `setWorkerSource`; the single-file build).
pub fn set_worker_source(url: String) {
    WORKER_SOURCE.with(|s| *s.borrow_mut() = Some(url));
}

/// A `blob:` URL of `source` as a JavaScript file.
fn script_url(source: &str) -> Result<String, JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(source));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    web_sys::Url::create_object_url_with_blob(&blob)
}

fn start_worker(dispatch: UseReducerDispatcher<ProbeState>) -> Result<WorkerHandle, String> {
    let cannot_start = |e: JsValue| {
        web_sys::console::error_2(&"netlens: cannot start the probe worker".into(), &e);
        "the measuring worker could not be started in this browser. Reload the page; if it \
         keeps failing, the page's Content-Security-Policy may block workers (it needs \
         worker-src blob:)."
            .to_owned()
    };
    let Some((module, glue)) = WORKER_MODULE.with(|m| m.borrow().clone()) else {
        return Err(cannot_start(
            "the probe module was not handed over: load it through netlens-embed.js".into(),
        ));
    };
    let options = WorkerOptions::new();
    options.set_name("netlens-probe");
    let (url, revoke) = match WORKER_SOURCE.with(|s| s.borrow().clone()) {
        Some(url) => {
            options.set_type(WorkerType::Classic);
            (url, false)
        }
        None => {
            options.set_type(WorkerType::Module);
            (script_url(WORKER_BOOT).map_err(cannot_start)?, true)
        }
    };
    let worker = Worker::new_with_options(&url, &options).map_err(cannot_start);
    if revoke {
        // The constructor has resolved the URL; the blob is not needed any more.
        let _ = web_sys::Url::revoke_object_url(&url);
    }
    let worker = worker?;
    let first = js_sys::Object::new();
    for (key, value) in [("module", module), ("glue", glue.clone().into())] {
        js_sys::Reflect::set(&first, &key.into(), &value).map_err(cannot_start)?;
    }
    worker.post_message(&first).map_err(cannot_start)?;
    let on_message = {
        let dispatch = dispatch.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Some(report) = decode_report(&e.data()) {
                dispatch.dispatch(ProbeAction::Report(report));
            }
        })
    };
    // A page being left (navigated away, reloaded, closed) stops its workers, and WebKit reports
    // a module import that stop cancels as an error of the worker, sometimes before `pagehide`.
    // So the error is cancelled at once (the browser reports nothing) and said a moment later,
    // by which time a page being left has no timers left to run: only a real failure is said.
    let leaving = Rc::new(std::cell::Cell::new(false));
    let on_page_hide = web_sys::window().map(|window| {
        let leaving = leaving.clone();
        EventListener::new(&window, "pagehide", move |_| leaving.set(true))
    });
    let on_error = {
        let dispatch = dispatch.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            e.prevent_default();
            let detail = js_sys::Reflect::get(&e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .filter(|m| !m.is_empty())
                .map(|m| format!(" ({m})"))
                .unwrap_or_default();
            let message =
                format!("netlens: the probe worker ({glue}) did not load or crashed{detail}");
            let (dispatch, leaving) = (dispatch.clone(), leaving.clone());
            gloo_timers::callback::Timeout::new(LEAVING_GRACE_MS, move || {
                if leaving.get() {
                    return;
                }
                web_sys::console::error_1(&message.into());
                dispatch.dispatch(ProbeAction::WorkerFailed(
                    "the measuring worker did not load or stopped. Check the network connection \
                     and reload the page (details are in the browser console)."
                        .to_owned(),
                ));
            })
            .forget();
        })
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    dispatch.dispatch(ProbeAction::Visibility {
        hidden: page_hidden(),
    });
    let visibility = web_sys::window()
        .and_then(|w| w.document())
        .map(|document| {
            let worker = worker.clone();
            EventListener::new(&document, "visibilitychange", move |_| {
                let hidden = page_hidden();
                post_command(&worker, &Command::Visibility { hidden });
                dispatch.dispatch(ProbeAction::Visibility { hidden });
            })
        });
    Ok(WorkerHandle {
        worker,
        _on_message: on_message,
        _on_error: on_error,
        _on_page_hide: on_page_hide,
        _visibility: visibility,
    })
}

/// The page's own URL parameters, from the query and from the hash route (`#/probe?…`).
fn url_layer() -> Layer {
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
    Layer::from_pairs(Source::UrlParameter, pairs)
}

/// An `https://` page cannot open `ws://` to anything but this machine (mixed content).
fn mixed_content_warning(endpoint: &str) -> Option<String> {
    let page_secure = web_sys::window()
        .and_then(|w| w.location().protocol().ok())
        .is_some_and(|p| p == "https:");
    // Only a parsed endpoint is worth a warning; validation reports the others.
    let Ok(parsed) = netlens_probe::config::parse_endpoint(endpoint) else {
        return None;
    };
    let local =
        parsed.host == "localhost" || parsed.host == "::1" || parsed.host.starts_with("127.");
    (page_secure && !parsed.secure && !local).then(|| {
        "this page is https:// and browsers block ws:// connections from it (mixed content): use wss://"
            .to_owned()
    })
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

fn random_run_id() -> u32 {
    (js_sys::Math::random() * f64::from(u32::MAX)) as u32
}

/// The probe's Web Worker, started when the tool mounts and dropped (terminated) when it
/// unmounts; a worker that cannot start is reported to the state.
#[hook]
fn use_probe_worker(
    dispatch: UseReducerDispatcher<ProbeState>,
) -> Rc<RefCell<Option<WorkerHandle>>> {
    let worker = use_mut_ref(|| None::<WorkerHandle>);
    {
        let worker = worker.clone();
        use_effect_with((), move |_| {
            match start_worker(dispatch.clone()) {
                Ok(handle) => *worker.borrow_mut() = Some(handle),
                Err(e) => dispatch.dispatch(ProbeAction::WorkerFailed(e)),
            }
            move || {
                worker.borrow_mut().take();
            }
        });
    }
    worker
}

/// The settings form and where its values came from.
struct ProbeSettings {
    /// The form as the user edits it.
    form: UseStateHandle<Form>,
    /// The user has edited the form (a late config file no longer overwrites it).
    touched: Rc<RefCell<bool>>,
    /// Where the endpoint came from, and what was wrong with the settings (shown once, above
    /// the form).
    origin: UseStateHandle<(Source, Vec<String>)>,
    /// `netlens.config.json` has been read (or found absent): Start waits for it, so a run
    /// never uses settings about to change.
    loaded: UseStateHandle<bool>,
}

/// The settings in their layers: the page's URL and the element's attributes at once, then
/// `netlens.config.json` when it arrives.
#[hook]
fn use_probe_settings(attributes: &Rc<Vec<(String, String)>>) -> ProbeSettings {
    let base_layers = {
        let attributes = attributes.clone();
        use_memo((), move |_| {
            vec![
                url_layer(),
                Layer::from_pairs(Source::Attribute, attributes.iter().cloned()),
            ]
        })
    };
    let initial = layers::resolve(&base_layers);
    let form = use_state(|| Form::from_config(&initial.config));
    let touched = use_mut_ref(|| false);
    // Where the settings came from, and what was wrong with them (shown once, above the form).
    let origin = use_state(|| (initial.endpoint_source, initial.problems.clone()));
    // Start waits for netlens.config.json, so a run never uses settings about to change.
    let settings_loaded = use_state(|| false);

    {
        let form = form.clone();
        let origin = origin.clone();
        let touched = touched.clone();
        let base_layers = base_layers.clone();
        let settings_loaded = settings_loaded.clone();
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
                let resolved = layers::resolve(&all);
                let mut problems = resolved.problems.clone();
                problems.extend(file_problem);
                if !*touched.borrow() {
                    form.set(Form::from_config(&resolved.config));
                }
                origin.set((resolved.endpoint_source, problems));
                settings_loaded.set(true);
            });
        });
    }
    ProbeSettings {
        form,
        touched,
        origin,
        loaded: settings_loaded,
    }
}

/// The latency probe tool.
#[component]
pub fn ProbeTool(props: &ProbeToolProps) -> Html {
    // Compared by version: a report to a hidden page changes the data, not the page.
    let state = use_reducer_eq(ProbeState::default);
    let worker = use_probe_worker(state.dispatcher());
    let ProbeSettings {
        form,
        touched,
        origin,
        loaded: settings_loaded,
    } = use_probe_settings(&props.attributes);

    // Worker reports re-render the tool every second: what depends on the form alone is
    // computed when the form changes.
    let checked = use_memo((*form).clone(), CheckedForm::new);
    let CheckedForm {
        resolved,
        invalid,
        mixed,
    } = &*checked;
    let running = is_running(&state);
    let ready = state.environment.is_some() && state.worker_error.is_none() && *settings_loaded;

    let on_start = {
        let worker = worker.clone();
        let dispatch = state.dispatcher();
        let config = resolved.config.clone();
        Callback::from(move |_: MouseEvent| {
            let run_id = random_run_id();
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
            <Settings form={form.clone()} touched={touched.clone()} origin={origin.clone()}
                embedded={props.embedded} invalid={invalid.clone()} mixed={mixed.clone()} />
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

/// The form's settings checked: what the page shows about them and what Start would use.
struct CheckedForm {
    resolved: Resolved,
    /// Why Start is disabled.
    invalid: Option<String>,
    /// An https:// page cannot reach the endpoint.
    mixed: Option<String>,
}

impl CheckedForm {
    fn new(form: &Form) -> CheckedForm {
        let resolved = form.resolve();
        let invalid = resolved
            .problems
            .first()
            .map(|p| p.replace(" from the form", ""))
            .or_else(|| resolved.config.validate().err().map(|e| e.to_string()));
        let mixed = mixed_content_warning(&resolved.config.endpoint);
        CheckedForm {
            resolved,
            invalid,
            mixed,
        }
    }
}

/// Props of [`Settings`]: equal from one worker report to the next, so the form is not
/// re-rendered while a run goes on.
#[derive(Properties, PartialEq)]
struct SettingsProps {
    form: UseStateHandle<Form>,
    /// Set once the user edits the form (the hosted settings file then no longer fills it).
    touched: Rc<std::cell::RefCell<bool>>,
    /// Where the endpoint came from, and what was wrong with the settings' sources.
    origin: UseStateHandle<(Source, Vec<String>)>,
    embedded: bool,
    invalid: Option<String>,
    mixed: Option<String>,
}

/// A field's event handler: reads the value the event carries, marks the form as edited and
/// applies the value.
fn on_field<E: 'static, T: 'static>(
    props: &SettingsProps,
    read: fn(&E) -> T,
    apply: fn(&mut Form, T),
) -> Callback<E> {
    let form = props.form.clone();
    let touched = props.touched.clone();
    Callback::from(move |e: E| {
        *touched.borrow_mut() = true;
        let mut f = (*form).clone();
        apply(&mut f, read(&e));
        form.set(f);
    })
}

/// The settings form.
#[component]
fn Settings(props: &SettingsProps) -> Html {
    let edit = |apply: fn(&mut Form, String)| on_field(props, value_of, apply);
    let toggle = |apply: fn(&mut Form, bool)| on_field(props, checked_of, apply);
    let f = &*props.form;
    html! {
        <div class="nl-probe-settings">
            <div class="nl-probe-endpoint">
                <label class="nl-label" for="nl-probe-endpoint">{ "Endpoint" }</label>
                <input id="nl-probe-endpoint" class="nl-input nl-mono" type="url" spellcheck="false" autocomplete="off"
                    placeholder="wss://echo.example.com/ws" value={f.endpoint.clone()}
                    oninput={edit(|f, v| f.endpoint = v)} />
                <p class="nl-muted nl-probe-origin">
                    { format!("Endpoint from {}.", props.origin.0) }
                    // How to configure netlens is for whoever runs it, not for the readers
                    // of a page that embeds the probe.
                    if !props.embedded {
                        { " Set it with " }<code class="nl-mono">{ "?endpoint=wss://…" }</code>{ ", " }
                        <code class="nl-mono">{ "<netlens-probe endpoint=\"…\">" }</code>{ " or a " }
                        <code class="nl-mono">{ CONFIG_FILE }</code>{ " beside the app. The echo server " }
                        <code class="nl-mono">{ "make serve" }</code>{ " starts takes " }
                        <code class="nl-mono">{ "?delay_ms=20&jitter_ms=5&loss=0.01" }</code>{ "." }
                    }
                </p>
            </div>
            <div class="nl-probe-grid">
                <div>
                    <label class="nl-label" for="nl-probe-interval">{ "Interval (ms)" }</label>
                    <input id="nl-probe-interval" class="nl-input" type="number" min="10" max="60000" value={f.interval.clone()} oninput={edit(|f, v| f.interval = v)} />
                </div>
                <div>
                    <label class="nl-label" for="nl-probe-payload">{ "Payload (bytes)" }</label>
                    <input id="nl-probe-payload" class="nl-input" type="number" min="24" max="65536" disabled={f.request_mode} value={f.payload.clone()} oninput={edit(|f, v| f.payload = v)} />
                </div>
                <div>
                    <label class="nl-label" for="nl-probe-timeout">{ "Timeout (ms)" }</label>
                    <input id="nl-probe-timeout" class="nl-input" type="number" min="10" max="60000" placeholder="adaptive" value={f.timeout.clone()} oninput={edit(|f, v| f.timeout = v)} />
                </div>
                <div>
                    <label class="nl-label" for="nl-probe-count">{ "Probes" }</label>
                    <input id="nl-probe-count" class="nl-input" type="number" min="1" placeholder="until stopped" value={f.count.clone()} oninput={edit(|f, v| f.count = v)} />
                </div>
                <div>
                    <label class="nl-label" for="nl-probe-subprotocol">{ "Subprotocol" }</label>
                    <input id="nl-probe-subprotocol" class="nl-input nl-mono" type="text" spellcheck="false" placeholder="none" value={f.subprotocol.clone()} oninput={edit(|f, v| f.subprotocol = v)} />
                </div>
            </div>
            <div class="nl-probe-options">
                <label><input id="nl-probe-fresh" type="checkbox" checked={f.fresh} onchange={toggle(|f, v| f.fresh = v)} />
                    { " A fresh connection for every probe (measures connect time each time)" }</label>
                <label><input id="nl-probe-request-mode" type="checkbox" checked={f.request_mode} onchange={toggle(|f, v| f.request_mode = v)} />
                    { " Request/response: the server answers a request instead of echoing" }</label>
            </div>
            if f.request_mode {
                <div class="nl-probe-grid nl-probe-request">
                    <div class="nl-probe-wide">
                        <label class="nl-label" for="nl-probe-request">{ "Request ({seq} and {t} are filled in)" }</label>
                        <input id="nl-probe-request" class="nl-input nl-mono" type="text" spellcheck="false" placeholder="{\"op\":\"ping\",\"id\":{seq}}" value={f.request.clone()} oninput={edit(|f, v| f.request = v)} />
                    </div>
                    <div>
                        <label class="nl-label" for="nl-probe-match">{ "Reply field with {seq}" }</label>
                        <input id="nl-probe-match" class="nl-input nl-mono" type="text" spellcheck="false" placeholder="id" value={f.match_field.clone()} oninput={edit(|f, v| f.match_field = v)} />
                    </div>
                </div>
            }
            { for props.origin.1.iter().map(|p| html! { <p class="nl-note nl-probe-problem">{ p }</p> }) }
            if let Some(e) = &props.invalid {
                <p class="nl-field-error" id="nl-probe-invalid">{ e }</p>
            }
            if let Some(w) = &props.mixed {
                <p class="nl-field-error">{ w }</p>
            }
        </div>
    }
}

/// The worker's clock and context.
fn environment_line(environment: Option<&WorkerEnvironment>) -> Html {
    let Some(env) = environment else {
        return html! {};
    };
    let resolution = if env.timer_resolution_ms.is_finite() {
        let us = env.timer_resolution_ms * 1000.0;
        if us < 1000.0 {
            format!("{us:.0} µs")
        } else {
            fmt_ms(env.timer_resolution_ms)
        }
    } else {
        "unknown".to_owned()
    };
    let from_file = web_sys::window()
        .and_then(|w| w.location().protocol().ok())
        .is_some_and(|p| p == "file:");
    let isolation = if env.cross_origin_isolated {
        "cross-origin isolated"
    } else if from_file {
        // netlens-offline.html: nothing can make a file:// page cross-origin isolated.
        "opened from a file, which cannot be cross-origin isolated: browsers round its timers \
         (100 µs in Chromium, 1 ms in Firefox), and WebSocket servers see Origin: null. Serve \
         netlens over http(s) with COOP/COEP headers for 5 µs timers"
    } else {
        // Embedded on a documentation site, most often: the site decides. Safari has no COEP
        // credentialless, so there only require-corp (every subresource opted in) isolates.
        "not cross-origin isolated, so browsers round its timers (100 µs in Chromium, 1 ms in \
         Firefox and Safari): the page needs Cross-Origin-Opener-Policy: same-origin and \
         Cross-Origin-Embedder-Policy: require-corp (Safari has no credentialless) for finer ones"
    };
    html! {
        <p class="nl-muted nl-probe-env" id="nl-probe-env" data-timer-ms={env.timer_resolution_ms.to_string()}>
            { "Measured in a Web Worker · timer resolution " }<strong>{ resolution }</strong>{ format!(" ({isolation})") }
        </p>
    }
}

/// A headline number; `data-stat` and `data-ms` let tests and scripts read it exactly.
fn tile(stat: &'static str, label: &'static str, value: Option<f64>, sub: String) -> Html {
    html! {
        <div class="nl-stat">
            <div class="nl-stat-label">{ label }</div>
            <div class="nl-stat-value" data-stat={stat} data-ms={value.map(|v| v.to_string())}>
                { value.map_or_else(|| "–".to_owned(), fmt_ms) }
            </div>
            <div class="nl-stat-sub">{ sub }</div>
        </div>
    }
}

fn headline(s: &Summary) -> Html {
    let run = s.rtt_ms;
    let window = s.window;
    let quality = s.quality.map_or("–", |q| q.name());
    let rpm = s.rpm.map(|r| format!("{r:.0} RPM · ")).unwrap_or_default();
    html! {
        <div class="nl-stats">
            { tile("median", "Median RTT", run.map(|d| d.median),
                window.map_or_else(String::new, |w| format!("now {}", fmt_ms(w.distribution.median)))) }
            { tile("p99", "p99", run.map(|d| d.p99), run.map_or_else(String::new, |d| format!("max {}", fmt_ms(d.max)))) }
            { tile("jitter", "Jitter", (s.replies > 1).then_some(s.jitter_ms), "mean |ΔRTT|".to_owned()) }
            <div class="nl-stat">
                <div class="nl-stat-label">{ "Loss" }</div>
                <div class="nl-stat-value" data-stat="loss" data-fraction={s.loss.to_string()}>{ format!("{:.1} %", s.loss * 100.0) }</div>
                <div class="nl-stat-sub">{ format!("{} lost, {} late, of {}", s.lost, s.late, s.replies + s.lost) }</div>
            </div>
            { tile("connect", "Connect", s.connect_ms, format!("{} connection{}", s.connections, if s.connections == 1 { "" } else { "s" })) }
            <div class="nl-stat">
                <div class="nl-stat-label">{ "Responsiveness" }</div>
                <div class="nl-stat-value" data-stat="quality">{ quality }</div>
                <div class="nl-stat-sub">{ format!("{rpm}confidence {}", s.confidence.name()) }</div>
            </div>
        </div>
    }
}

/// "10 s", "30 s", "minute".
fn span_name(span_ms: f64) -> String {
    if span_ms == 60_000.0 {
        "minute".to_owned()
    } else {
        format!("{:.0} s", span_ms / 1000.0)
    }
}

fn rtt_svg(chart: &RttChart) -> Html {
    use geometry::*;
    let view = format!("0 0 {} {}", LEFT + WIDTH + 8.0, TOP + HEIGHT + BOTTOM);
    html! {
        <svg class="nl-chart nl-rtt-chart" viewBox={view} role="img" aria-label={format!("Round-trip time over the last {}", span_name(chart.span_ms))}>
            { for chart.hidden.iter().map(|(a, b)| html! {
                <rect class="nl-chart-hidden" x={a.to_string()} y={TOP.to_string()} width={(b - a).max(1.0).to_string()} height={HEIGHT.to_string()}><title>{ "page hidden: timers throttled" }</title></rect>
            }) }
            { for chart.y_ticks.iter().map(|(y, label)| html! {
                <g class="nl-chart-grid">
                    <line x1={LEFT.to_string()} x2={(LEFT + WIDTH).to_string()} y1={y.to_string()} y2={y.to_string()} />
                    <text x={(LEFT - 4.0).to_string()} y={(y + 4.0).to_string()} text-anchor="end">{ label }</text>
                </g>
            }) }
            { for chart.x_ticks.iter().map(|(x, label)| html! {
                <text class="nl-chart-axis" x={x.to_string()} y={(TOP + HEIGHT + 16.0).to_string()} text-anchor="middle">{ label }</text>
            }) }
            <path class="nl-chart-rtt" d={chart.rtt_path.clone()} />
            <path class="nl-chart-srtt" d={chart.srtt_path.clone()} />
            <path class="nl-chart-lost" d={chart.lost_path.clone()} />
            { for chart.changes.iter().map(|(x, label)| html! {
                <line class="nl-chart-change" x1={x.to_string()} x2={x.to_string()} y1={TOP.to_string()} y2={(TOP + HEIGHT).to_string()}><title>{ label }</title></line>
            }) }
        </svg>
    }
}

fn histogram_svg(h: &Histogram) -> Html {
    use geometry::*;
    let max = h
        .counts
        .iter()
        .copied()
        .chain([h.above])
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let bins = h.counts.len() as f64 + 1.5; // room for the "above" bar
    let bar = WIDTH / bins;
    let mut path = String::new();
    for (i, count) in h.counts.iter().enumerate() {
        if *count > 0 {
            let height = (*count as f64 / max * HEIGHT).max(1.0);
            // Whole units, as in the RTT chart.
            let _ = write!(
                path,
                "M{} {}h{}v{}h{}Z",
                (LEFT + i as f64 * bar).round() as i32,
                (TOP + HEIGHT - height).round() as i32,
                (bar - 1.0).round() as i32,
                height.round() as i32,
                -(bar - 1.0).round() as i32
            );
        }
    }
    let above_x = LEFT + (h.counts.len() as f64 + 0.5) * bar;
    let above_height = h.above as f64 / max * HEIGHT;
    let to = h.from_ms + h.bin_ms * h.counts.len() as f64;
    let view = format!("0 0 {} {}", LEFT + WIDTH + 8.0, TOP + HEIGHT + BOTTOM);
    html! {
        <svg class="nl-chart nl-histogram" viewBox={view} role="img" aria-label="Distribution of round-trip times">
            <line class="nl-chart-grid" x1={LEFT.to_string()} x2={(LEFT + WIDTH).to_string()} y1={(TOP + HEIGHT).to_string()} y2={(TOP + HEIGHT).to_string()} />
            <text class="nl-chart-axis" x={(LEFT - 4.0).to_string()} y={(TOP + 8.0).to_string()} text-anchor="end">{ format!("{max:.0}") }<title>{ "replies in the tallest bar" }</title></text>
            <path class="nl-chart-bars" d={path} />
            if h.above > 0 {
                <rect class="nl-chart-above" x={above_x.to_string()} y={(TOP + HEIGHT - above_height.max(1.0)).to_string()} width={(bar - 1.0).to_string()} height={above_height.max(1.0).to_string()}>
                    <title>{ format!("{} replies above {}", h.above, fmt_ms(to)) }</title>
                </rect>
            }
            <text class="nl-chart-axis" x={LEFT.to_string()} y={(TOP + HEIGHT + 16.0).to_string()} text-anchor="start">{ fmt_ms(h.from_ms) }</text>
            <text class="nl-chart-axis" x={(LEFT + h.counts.len() as f64 * bar).to_string()} y={(TOP + HEIGHT + 16.0).to_string()} text-anchor="end">{ format!("{} (p99)", fmt_ms(to)) }</text>
            <text class="nl-chart-axis" x={(above_x + bar / 2.0).to_string()} y={(TOP + HEIGHT + 16.0).to_string()} text-anchor="middle">{ "more" }</text>
        </svg>
    }
}

fn charts(run: &Run, summary: &Summary) -> Html {
    let log = run.log.borrow();
    let chart = rtt_chart(&log.samples, &run.events, summary.elapsed_ms);
    let hist = summary
        .rtt_ms
        .and_then(|d| histogram(&log.samples, d.min, d.p99, HISTOGRAM_BINS));
    html! {
        <div class="nl-probe-charts">
            <figure>
                <figcaption>
                    { format!("Round trip over the last {} (seconds before the latest probe): ", span_name(chart.span_ms)) }<span class="nl-key nl-key-rtt">{ "each probe" }</span>{ " · " }
                    <span class="nl-key nl-key-srtt">{ "smoothed (SRTT)" }</span>{ " · " }
                    <span class="nl-key nl-key-lost">{ "lost" }</span>{ " · " }
                    <span class="nl-key nl-key-change">{ "level change" }</span>
                </figcaption>
                { rtt_svg(&chart) }
            </figure>
            if let Some(h) = hist {
                <figure>
                    <figcaption>{ format!("Distribution of the run's {} replies", summary.replies) }</figcaption>
                    { histogram_svg(&h) }
                </figure>
            }
        </div>
    }
}

fn distribution_row(label: &'static str, d: Option<Distribution>) -> Html {
    let cell = |v: Option<f64>| html! { <td>{ v.map_or_else(|| "–".to_owned(), fmt_ms) }</td> };
    html! {
        <tr>
            <th scope="row">{ label }</th>
            <td>{ d.map_or(0, |d| d.count) }</td>
            { cell(d.map(|d| d.min)) }{ cell(d.map(|d| d.median)) }{ cell(d.map(|d| d.mean)) }
            { cell(d.map(|d| d.p90)) }{ cell(d.map(|d| d.p99)) }{ cell(d.map(|d| d.max)) }
        </tr>
    }
}

/// Props of [`Details`].
#[derive(Properties)]
struct DetailsProps {
    /// What to show ([`Run::details`]: not every update).
    summary: Rc<Summary>,
    /// The run goes on: say how often the numbers follow it.
    live: bool,
}

/// The reducer replaces [`Run::details`] when it moves on: the same `Rc` is the same summary
/// (and comparing pointers spares the wasm a field-by-field comparison of summaries).
impl PartialEq for DetailsProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.summary, &other.summary) && self.live == other.live
    }
}

/// The distributions table and the counters, re-rendered only when [`Run::details`] moves on.
#[component]
fn Details(props: &DetailsProps) -> Html {
    let s = &*props.summary;
    let ms = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), fmt_ms);
    let counters: [(&str, String); 20] = [
        ("SRTT (RFC 6298)", ms(s.srtt_ms)),
        ("RTTVAR", fmt_ms(s.rttvar_ms)),
        ("Timeout now", fmt_ms(s.timeout_ms)),
        ("RFC 3550 jitter", fmt_ms(s.rfc3550_jitter_ms)),
        ("PDV (p99 − min)", ms(s.pdv_ms)),
        (
            "Window jitter / stddev",
            s.window.map_or_else(
                || "–".to_owned(),
                |w| format!("{} / {}", fmt_ms(w.jitter_ms), fmt_ms(w.stddev_ms)),
            ),
        ),
        ("Sent", s.sent.to_string()),
        ("Replies", s.replies.to_string()),
        ("In flight", s.in_flight.to_string()),
        ("Duplicates", s.duplicates.to_string()),
        ("Skipped (socket busy)", s.skipped.to_string()),
        ("Unmatched", s.unmatched.to_string()),
        ("Oversized", s.oversized.to_string()),
        ("Other messages", s.other_messages.to_string()),
        ("Segment", s.segment.to_string()),
        ("Largest send delay", fmt_ms(s.max_send_delay_ms)),
        ("Probes while hidden", s.hidden_probes.to_string()),
        ("Replies delayed by this device", s.disturbed.to_string()),
        (
            "Worker timer lag (p99 / max)",
            s.scheduling_lag_ms.map_or_else(
                || "–".to_owned(),
                |l| format!("{} / {}", fmt_ms(l.p99), fmt_ms(l.max)),
            ),
        ),
        ("Elapsed", format!("{:.1} s", s.elapsed_ms / 1000.0)),
    ];
    html! {
        <div class="nl-probe-details">
            <div class="nl-scroll" tabindex="0" role="region" aria-label="Round-trip time distribution">
            <table class="nl-table nl-probe-table">
                <thead><tr><th><span class="nl-visually-hidden">{ "Probes" }</span></th><th>{ "Replies" }</th><th>{ "Min" }</th><th>{ "Median" }</th><th>{ "Mean" }</th><th>{ "p90" }</th><th>{ "p99" }</th><th>{ "Max" }</th></tr></thead>
                <tbody>
                    { distribution_row("Whole run", s.rtt_ms) }
                    { distribution_row("Since the last change", s.segment_rtt_ms) }
                    { distribution_row("Now (latest replies)", s.window.map(|w| w.distribution)) }
                    { distribution_row("Connect (handshake)", s.connect) }
                </tbody>
            </table>
            </div>
            <dl class="nl-fields nl-probe-counters">
                { for counters.iter().map(|(k, v)| html! { <><dt>{ *k }</dt><dd>{ v }</dd></> }) }
            </dl>
            if props.live {
                <p class="nl-muted nl-probe-details-rate">{ format!("These numbers follow the run every {} s; the tiles and charts above, every {} s.", DETAILS_EVERY_MS / 1000.0, UPDATE_INTERVAL_MS / 1000.0) }</p>
            }
        </div>
    }
}

/// What the numbers mean. A component without props, so the page's updates never
/// rebuild it.
#[component]
fn Explanations() -> Html {
    html! {
        <details class="nl-probe-explain">
            <summary>{ "What these numbers mean" }</summary>
            <p>{ "WebSocket runs over TCP, and TCP does not lose messages: it retransmits them. A lost packet therefore shows up here as a latency spike (the probe and every one queued behind it arrive together, 200 ms or more late, the minimum retransmission timeout on Linux), not as loss. A probe counts as lost only when no reply came within the timeout; if its reply comes later it is also counted as late. Steady spikes with little loss are the signature of packet loss underneath." }</p>
            <p>{ "The round trip includes the server's own processing time and every proxy, load balancer or TLS terminator on the way: an echo behind a CDN measures you to the CDN plus the CDN to the origin. The first probes of a connection are often slower (TLS, warm-up)." }</p>
            <p>{ "Timestamps are taken in a dedicated Web Worker, so the page's rendering never delays them. Browsers round timers (5 µs when the page is cross-origin isolated, 100 µs otherwise in Chromium, 1 ms in Firefox and Safari); the resolution measured is shown above. In a hidden tab browsers throttle timers: probes go out late (shaded on the chart), though replies are still timed when they arrive." }</p>
            <p>{ "A level change is detected with a CUSUM test on the logarithm of the RTT: a lasting step up or down (not a single spike) starts a new segment, marks the chart and resets the confidence grade." }</p>
            <dl class="nl-fields">
                { for export::DEFINITIONS.iter().map(|(name, text)| html! { <><dt><code class="nl-mono">{ *name }</code></dt><dd>{ *text }</dd></> }) }
            </dl>
        </details>
    }
}
