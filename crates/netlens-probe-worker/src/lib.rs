//! # netlens-probe-worker: the latency probe's dedicated Web Worker
//!
//! Linked into the probe's wasm module (`netlens-web-probe`): the page compiles that module once
//! and posts it to a dedicated worker, which instantiates it again, with its own memory; this
//! crate's `start` then runs there (and returns at once on the page). So the WebSocket and its
//! timestamps live off the page's main thread: rendering the charts, garbage collection, layout
//! and scrolling there never delay a `message` event here, and so never inflate an RTT. One
//! module instead of two saves the page a second copy of std, serde and the probe core (about
//! 56 KB gzip).
//!
//! The worker is a thin driver over [`netlens_probe::Session`], exactly as the CLI is:
//! - it owns the socket (`binaryType = "arraybuffer"`, so a reply's header is read
//!   synchronously in the handler) and the clock (`performance.now()`, read first thing in every
//!   handler);
//! - it does what [`Session::poll`] says, sleeping with `setTimeout` until the session's next
//!   wake-up, and passes `bufferedAmount` so a probe is never queued behind unsent data;
//! - it posts [`Report`]s to the page as numbers and strings ([`netlens_probe::codec`]):
//!   [`Report::Ready`] with the timer resolution
//!   it measured, then an [`Report::Update`] every [`UPDATE_INTERVAL_MS`] (right after a reply,
//!   when the next one is not due for a while, so the page renders between replies) and on
//!   every state change.
//!
//! The page sends [`Command`]s (start, stop, visibility), also as JSON text.

mod quality;

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use netlens_probe::session::{Action, ConnectionState, Incoming, Outgoing, Session};
use netlens_probe::worker::{Command, Report, UPDATE_INTERVAL_MS, WorkerEnvironment};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, CloseEvent, DedicatedWorkerGlobalScope, MessageEvent, WebSocket};

/// The worker's entry point, run when the module is instantiated: installs the command handler
/// and reports ready. Does nothing outside a dedicated worker (on the page, which instantiates
/// the same module).
#[wasm_bindgen(start)]
pub fn start() {
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let Some(performance) = scope.performance() else {
        post(
            &scope,
            &Report::Error {
                message: "this browser has no performance.now() in workers".to_owned(),
            },
        );
        return;
    };
    let environment = WorkerEnvironment {
        timer_resolution_ms: timer_resolution_ms(|| performance.now()),
        cross_origin_isolated: js_sys::Reflect::get(&scope, &"crossOriginIsolated".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        user_agent: scope.navigator().user_agent().unwrap_or_default(),
    };
    let driver = Rc::new_cyclic(|me| {
        RefCell::new(Driver {
            me: me.clone(),
            scope: scope.clone(),
            performance,
            session: None,
            run_id: 0,
            socket: None,
            generation: 0,
            timer: None,
            on_timer: None,
            last_update_at: f64::NEG_INFINITY,
            last_state: None,
            after_message: false,
            quality: None,
        })
    });
    let weak = Rc::downgrade(&driver);
    let on_timer = Closure::<dyn FnMut()>::new(move || {
        with_driver(&weak, |d| {
            d.timer = None;
            d.pump();
        })
    });
    driver.borrow_mut().on_timer = Some(on_timer);
    let weak = Rc::downgrade(&driver);
    let on_command = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        with_driver(&weak, |d| d.command(e.data()));
    });
    scope.set_onmessage(Some(on_command.as_ref().unchecked_ref()));
    // Both live as long as the worker: the driver and the handler are never torn down.
    on_command.forget();
    std::mem::forget(driver);
    post(&scope, &Report::Ready { environment });
}

/// The step of a clock: read it until it changes, several times, and keep the median change.
/// Not the smallest: browsers that coarsen a clock also jitter it (Chromium rounds an isolated
/// page's clock to 5 µs and another's to 100 µs, then adds up to that much noise), so single
/// steps can be far finer than the clock's real resolution, and the minimum would claim a
/// precision the page does not have. Bounded: a frozen clock gives infinity after a few million
/// reads.
pub fn timer_resolution_ms(mut now: impl FnMut() -> f64) -> f64 {
    const ROUNDS: usize = 15;
    const MAX_READS: usize = 2_000_000;
    let mut steps = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let t0 = now();
        let mut reads = 0;
        let mut t1 = t0;
        while t1 == t0 && reads < MAX_READS {
            t1 = now();
            reads += 1;
        }
        if t1 > t0 {
            steps.push(t1 - t0);
        }
    }
    if steps.is_empty() {
        return f64::INFINITY;
    }
    steps.sort_by(f64::total_cmp);
    steps[steps.len() / 2]
}

/// The browser's close code in words: WebSocket gives scripts no reason for a failed
/// connection (1006 covers refused, TLS failures and HTTP errors alike, on purpose), so say
/// which causes are likely instead.
pub fn describe_close(code: u16, reason: &str, was_open: bool, secure: bool) -> String {
    let reason = reason.trim();
    let said = if reason.is_empty() {
        String::new()
    } else {
        format!(": “{reason}”")
    };
    match code {
        1000 => format!("the server closed the connection normally (1000){said}"),
        1001 => format!("the server went away (1001, e.g. shutting down or idle timeout){said}"),
        1002 => format!("the server reports a protocol error (1002){said}"),
        1003 => format!("the server does not accept this kind of message (1003){said}: try the other message mode"),
        1008 => format!("the server's policy refused the connection (1008){said}"),
        1009 => format!("the server found a message too big (1009){said}: lower the payload size"),
        1011 => format!("the server hit an internal error (1011){said}"),
        1013 => format!("the server is overloaded: try again later (1013){said}"),
        1015 => "the TLS handshake failed (1015): the browser does not trust the server's certificate".to_owned(),
        1006 if was_open => "the connection was lost with no close frame (1006): the server died, or a network device reset it".to_owned(),
        1006 => format!(
            "could not connect (1006; browsers hide the reason from scripts). Likely: nothing listening at that address and port, {}the server answered HTTP instead of upgrading (wrong path or port), or a proxy or firewall in between",
            if secure {
                "a wss:// URL on a plain ws:// server, a certificate the browser does not trust (open the https:// address once to see why), "
            } else {
                ""
            }
        ),
        code => format!("closed with code {code}{said}"),
    }
}

/// Posts `report` as `[Float64Array, string[]]` ([`netlens_probe::codec`]).
fn post(scope: &DedicatedWorkerGlobalScope, report: &Report) {
    let encoded = netlens_probe::codec::encode(report);
    let numbers = js_sys::Float64Array::from(encoded.numbers.as_slice());
    let strings: js_sys::Array = encoded.strings.iter().map(JsValue::from).collect();
    // Posting to our own page cannot fail in practice; nothing to do if it did.
    let _ = scope.post_message(&js_sys::Array::of2(&numbers, &strings));
}

fn with_driver(weak: &Weak<RefCell<Driver>>, f: impl FnOnce(&mut Driver)) {
    if let Some(driver) = weak.upgrade() {
        // Handlers never run inside one another (socket and timer events are separate tasks),
        // so the borrow is always free; skip rather than panic if that ever changed.
        if let Ok(mut d) = driver.try_borrow_mut() {
            f(&mut d);
        }
    }
}

fn js_message(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}

/// An open (or opening) WebSocket with its handlers. Dropping it detaches them first, so a
/// queued event of an old socket never reaches a dropped closure.
struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
    }
}

/// Browsers delay a timer set from a timer's callback (five deep or more) to at least 4 ms
/// (HTML's timer nesting clamp).
const CHAINED_TIMER_CLAMP_MS: f64 = 4.0;

struct Driver {
    me: Weak<RefCell<Driver>>,
    scope: DedicatedWorkerGlobalScope,
    performance: web_sys::Performance,
    session: Option<Session>,
    run_id: u32,
    socket: Option<Socket>,
    /// Tags each socket's handlers, so events of a replaced socket are ignored.
    generation: u64,
    timer: Option<i32>,
    on_timer: Option<Closure<dyn FnMut()>>,
    last_update_at: f64,
    last_state: Option<ConnectionState>,
    /// The current pump follows a received message.
    after_message: bool,
    /// A working-conditions run, when one was started ([`quality`]).
    quality: Option<quality::QualityDriver>,
}

/// An update due is posted right after a reply, when the next reply is not expected for
/// [`UPDATE_QUIET_MS`], so that the page renders it in that gap rather than while a reply is
/// arriving; at most this much later (ms) it is posted anyway (every probe lost, no gap).
const UPDATE_SLACK_MS: f64 = 250.0;
/// The gap an update needs (ms): the page takes about 5 ms of main thread to render one.
const UPDATE_QUIET_MS: f64 = 10.0;

impl Driver {
    fn now(&self) -> f64 {
        self.performance.now()
    }

    fn command(&mut self, data: JsValue) {
        let Some(text) = data.as_string() else {
            return;
        };
        let command = match serde_json::from_str::<Command>(&text) {
            Ok(c) => c,
            Err(e) => {
                post(
                    &self.scope,
                    &Report::Error {
                        message: format!("unknown command: {e}"),
                    },
                );
                return;
            }
        };
        match command {
            Command::StartQuality {
                url,
                config,
                run_id,
            } => {
                if let Err(e) = netlens_probe::config::parse_endpoint(&url) {
                    post(
                        &self.scope,
                        &Report::Error {
                            message: e.to_string(),
                        },
                    );
                    return;
                }
                self.start_quality(url, config, run_id);
            }
            Command::Start {
                config,
                run_id,
                hidden,
            } => {
                self.stop_quality("a latency run started");
                self.quality = None;
                if let Err(e) = config.validate() {
                    post(
                        &self.scope,
                        &Report::Error {
                            message: e.to_string(),
                        },
                    );
                    return;
                }
                self.close_socket();
                let now = self.now();
                let mut session = Session::new(config, run_id, now);
                session.set_hidden(hidden, now);
                self.session = Some(session);
                self.run_id = run_id;
                self.last_state = None;
                self.pump();
            }
            Command::Stop => {
                self.stop_quality("you stopped it");
                if let Some(session) = self.session.as_mut() {
                    session.stop();
                }
                self.close_socket();
                self.pump();
            }
            Command::Visibility { hidden } => {
                if hidden {
                    // A hidden page's timers are throttled and Safari closes its sockets: the
                    // load cannot be kept up, and figures measured so would mislead.
                    self.stop_quality(
                        "the page was hidden, and browsers throttle hidden pages (Safari closes their connections), so the load could not be kept up; keep the page visible until the run ends",
                    );
                }
                let now = self.now();
                if let Some(session) = self.session.as_mut() {
                    session.set_hidden(hidden, now);
                }
            }
        }
    }

    fn close_socket(&mut self) {
        if let Some(socket) = self.socket.take() {
            let ws = socket.ws.clone();
            drop(socket);
            let _ = ws.close_with_code(1000);
        }
    }

    /// Posts an update when one is due (or when `state_changed_only`, only if the connection
    /// state changed since the last one).
    fn report(&mut self, session: &mut Session, state_changed_only: bool) {
        let now = self.now();
        let state = session.state();
        let changed = self.last_state != Some(state);
        let elapsed = now - self.last_update_at;
        let due = !session.finished()
            && elapsed >= UPDATE_INTERVAL_MS
            && ((self.after_message && session.quiet_for(now) >= UPDATE_QUIET_MS)
                || elapsed >= UPDATE_INTERVAL_MS + UPDATE_SLACK_MS);
        if !(changed || (due && !state_changed_only)) {
            return;
        }
        let (samples, events) = session.drain();
        post(
            &self.scope,
            &Report::Update {
                run_id: self.run_id,
                summary: Box::new(session.summary(now)),
                samples,
                events,
            },
        );
        self.last_update_at = now;
        self.last_state = Some(state);
    }

    /// Posts an update when one is due, does what the session says, and sleeps until the next
    /// wake-up.
    ///
    /// The update (summary, JSON, postMessage: the only heavy work here) comes *before* the
    /// sends: done after a send, it would hold the thread while the reply arrives and delay its
    /// timestamp, which showed as a p99 tail at small RTTs.
    fn pump(&mut self) {
        if self.quality.is_some() {
            self.quality_pump();
            return;
        }
        let Some(mut session) = self.session.take() else {
            return;
        };
        self.report(&mut session, false);
        let mut wake_at = f64::INFINITY;
        // A connection refused synchronously (bad URL, mixed content) is reported to the
        // session, which may then want the next step at once: a few rounds at most.
        for _ in 0..4 {
            let now = self.now();
            let buffered = self
                .socket
                .as_ref()
                .map_or(0, |s| u64::from(s.ws.buffered_amount()));
            let poll = session.poll(now, buffered);
            wake_at = poll.wake_at_ms;
            let mut again = false;
            for action in poll.actions {
                match action {
                    Action::Connect => {
                        if let Err(why) = self.connect(&session) {
                            // The browser refused outright (SecurityError, SyntaxError):
                            // retrying cannot help, so the run ends with the reason.
                            session.closed(self.now(), None, &why);
                            session.stop();
                            post(&self.scope, &Report::Error { message: why });
                            again = true;
                        }
                    }
                    Action::Send(message) => {
                        if let Some(socket) = &self.socket {
                            let sent = match &message {
                                Outgoing::Binary(bytes) => socket.ws.send_with_u8_array(bytes),
                                Outgoing::Text(text) => socket.ws.send_with_str(text),
                            };
                            if let Err(e) = sent {
                                self.socket = None;
                                session.closed(
                                    self.now(),
                                    None,
                                    &format!("send failed: {}", js_message(&e)),
                                );
                                again = true;
                            }
                        }
                    }
                    Action::Close => self.close_socket(),
                }
            }
            if !again {
                break;
            }
        }
        // Connection state changes (open, lost, finished) are shown at once.
        self.report(&mut session, true);
        let now = self.now();
        if !session.finished() {
            // The next update: after a reply from `last_update_at + UPDATE_INTERVAL_MS` on, or
            // at the end of its slack.
            wake_at = wake_at.min(self.last_update_at + UPDATE_INTERVAL_MS + UPDATE_SLACK_MS);
            // The timer fires at the whole millisecond `schedule` rounds up to, and no sooner
            // than 4 ms when set from a timer (browsers clamp chained timers); later than that
            // is this device holding the worker up (the session marks what it timed then).
            session.timer_armed(now + (wake_at - now).max(0.0).ceil().max(CHAINED_TIMER_CLAMP_MS));
            self.schedule(wake_at - now);
        } else if let Some(id) = self.timer.take() {
            self.scope.clear_timeout_with_handle(id);
        }
        self.session = Some(session);
    }

    fn schedule(&mut self, delay_ms: f64) {
        if let Some(id) = self.timer.take() {
            self.scope.clear_timeout_with_handle(id);
        }
        let Some(on_timer) = &self.on_timer else {
            return;
        };
        // Round up: waking a fraction of a millisecond early would find nothing due and spin.
        let delay = delay_ms.max(0.0).ceil().min(f64::from(i32::MAX)) as i32;
        self.timer = self
            .scope
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                on_timer.as_ref().unchecked_ref(),
                delay,
            )
            .ok();
    }

    fn connect(&mut self, session: &Session) -> Result<(), String> {
        self.socket = None;
        self.generation += 1;
        let generation = self.generation;
        let config = session.config();
        let ws = match &config.subprotocol {
            Some(p) => WebSocket::new_with_str(&config.endpoint, p),
            None => WebSocket::new(&config.endpoint),
        }
        .map_err(|e| {
            format!(
                "the browser refused to open {}: {}",
                config.endpoint,
                js_message(&e)
            )
        })?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        // Validated at Start, so this parses.
        let secure =
            netlens_probe::config::parse_endpoint(&config.endpoint).is_ok_and(|e| e.secure);

        let me = self.me.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            with_driver(&me, |d| {
                let now = d.now();
                if d.generation != generation {
                    return;
                }
                if let Some(s) = d.session.as_mut() {
                    s.opened(now);
                }
                d.pump();
            })
        });
        let me = self.me.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            with_driver(&me, |d| {
                // The receive timestamp comes first, before any copying.
                let now = d.now();
                if d.generation != generation {
                    return;
                }
                if let Some(s) = d.session.as_mut() {
                    deliver(s, now, &e.data());
                }
                d.after_message = true;
                d.pump();
                d.after_message = false;
            })
        });
        let me = self.me.clone();
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            with_driver(&me, |d| {
                let now = d.now();
                if d.generation != generation {
                    return;
                }
                d.socket = None;
                if let Some(s) = d.session.as_mut() {
                    let was_open = matches!(s.state(), ConnectionState::Open { .. });
                    let why = describe_close(e.code(), &e.reason(), was_open, secure);
                    s.closed(now, Some(e.code()), &why);
                }
                d.pump();
            })
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        self.socket = Some(Socket {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        });
        Ok(())
    }
}

/// Hands a received message to the session, copying it out of JS only when it is small
/// enough to be a reply.
fn deliver(session: &mut Session, now: f64, data: &JsValue) {
    if let Some(buffer) = data.dyn_ref::<js_sys::ArrayBuffer>() {
        let len = buffer.byte_length() as usize;
        if len > Session::MAX_MESSAGE_BYTES {
            session.on_message(now, Incoming::TooLarge { bytes: len });
        } else {
            let bytes = js_sys::Uint8Array::new(buffer).to_vec();
            session.on_message(now, Incoming::Binary(&bytes));
        }
    } else if let Some(text) = data.dyn_ref::<js_sys::JsString>() {
        let units = text.length() as usize;
        if units > Session::MAX_MESSAGE_BYTES {
            session.on_message(now, Incoming::TooLarge { bytes: units });
        } else {
            let text = String::from(text);
            session.on_message(now, Incoming::Text(&text));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timer_resolution_is_the_step_of_the_clock() {
        // A clock quantised to 0.1 ms, read 7 times per step.
        let mut reads = 0u64;
        let r = timer_resolution_ms(|| {
            reads += 1;
            (reads / 7) as f64 * 0.1
        });
        assert!((r - 0.1).abs() < 1e-9, "{r}");
        // The same clock with Chromium-style jitter (each step's edge moved by up to one step):
        // single steps as small as 15 µs, yet the clock tells time to about 0.1 ms, and says so
        // (the minimum would have claimed 15 µs).
        let mut reads = 0u64;
        let jitter = [0.0, 0.095, 0.01, 0.09, 0.02, 0.085, 0.0, 0.05];
        let r = timer_resolution_ms(|| {
            reads += 1;
            let step = reads / 7;
            step as f64 * 0.1 + jitter[(step % 8) as usize]
        });
        assert!((0.05..=0.2).contains(&r), "{r}");
        // A frozen clock ends and says so.
        assert_eq!(timer_resolution_ms(|| 5.0), f64::INFINITY);
    }

    #[test]
    fn close_codes_are_explained() {
        let failed = describe_close(1006, "", false, true);
        assert!(failed.contains("could not connect"), "{failed}");
        assert!(failed.contains("plain ws://"), "{failed}");
        assert!(!describe_close(1006, "", false, false).contains("wss://"));
        assert!(describe_close(1006, "", true, false).contains("lost"));
        assert!(describe_close(1009, "too big", true, false).contains("payload"));
        assert_eq!(
            describe_close(1001, " bye ", true, false),
            "the server went away (1001, e.g. shutting down or idle timeout): “bye”"
        );
        assert_eq!(
            describe_close(4000, "", true, false),
            "closed with code 4000"
        );
    }
}
