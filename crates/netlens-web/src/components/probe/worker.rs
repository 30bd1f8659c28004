//! The probe's Web Worker: started when the tool mounts, terminated when it unmounts (or the
//! page goes away), fed commands and read back as [`ProbeAction`]s.
//!
//! The worker runs the probe's own module (its `netlens-probe-worker` half); the page hands it
//! the module and its glue ([`set_worker_module`]) or a script URL ([`set_worker_source`]) for
//! the single-file build, whose worker must be a classic blob worker.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use netlens_probe::worker::{Command, Report};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};
use yew::prelude::*;

use crate::state::probe::{ProbeAction, ProbeState};

/// The worker and its handlers; dropping it terminates the worker.
pub(super) struct WorkerHandle {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
    _on_page_hide: Option<EventListener>,
    _visibility: Option<EventListener>,
}

impl WorkerHandle {
    pub(super) fn send(&self, command: &Command) {
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

pub(super) fn page_hidden() -> bool {
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

/// A run's id: reports of an earlier run that arrive late are told apart by it.
pub(super) fn random_run_id() -> u32 {
    (js_sys::Math::random() * f64::from(u32::MAX)) as u32
}

/// The probe's Web Worker, started when the tool mounts and dropped (terminated) when it
/// unmounts; a worker that cannot start is reported to the state.
#[hook]
pub(super) fn use_probe_worker(
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
