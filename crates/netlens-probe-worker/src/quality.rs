//! The worker's driver of a working-conditions run ([`QualityRun`]), as `netlens quality` is the
//! CLI's: it owns the load-generating WebSockets (netlens-echo's `?bulk=download` and
//! `?bulk=upload`), the foreign probes' fresh sockets and the clock, does what the run says, and
//! posts [`Report::Quality`] once a second and when the run ends (with the JSON report).
//!
//! Uploads are paced by what the *server* reports it received, not by `bufferedAmount` alone:
//! WebKit updates `bufferedAmount` late, and a sender that trusted it would pile megabytes into
//! the socket, measuring its own queue. Goodput is counted at the receiver both ways.

use netlens_probe::quality::run::{Action, FlowKind, Phase, QualityRun, RunConfig};
use netlens_probe::worker::Report;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use super::{Driver, Socket, describe_close, js_message, post, with_driver};

/// Upload bytes sent and not yet reported received, per connection, at most.
const UPLOAD_WINDOW: u64 = 256 * 1024;
/// Size of an upload message.
const UPLOAD_CHUNK: usize = 16 * 1024;
/// `bufferedAmount` above which no more is queued (a second guard behind the window).
const MAX_BUFFERED: u32 = 1 << 20;
/// First bytes of a latency probe (the echo returns it unchanged).
const PROBE_MAGIC: &[u8; 4] = b"NLPR";
/// First bytes of a bulk download message and of an upload message (netlens-echo's).
const DOWNLOAD_MAGIC: &[u8; 4] = b"NLDN";
const UPLOAD_MAGIC: &[u8; 4] = b"NLUP";
/// The page is told how the run goes this often, ms.
const LIVE_EVERY_MS: f64 = 1000.0;

/// A load-generating (or idle) connection.
struct Flow {
    socket: Socket,
    kind: FlowKind,
    open: bool,
    /// When the self probe in flight was sent (run time, ms).
    probe_sent_at: Option<f64>,
    sent: u64,
    acked: u64,
}

/// A foreign probe's fresh connection.
struct Foreign {
    socket: Socket,
    started: f64,
    opened_at: Option<f64>,
    sent_at: Option<f64>,
}

/// A working-conditions run under way (or just ended).
pub(super) struct QualityDriver {
    run: QualityRun,
    run_id: u32,
    url: String,
    /// `performance.now()` when the run started: run time is measured from it.
    t0: f64,
    /// Tags handlers, so events of an earlier run's sockets are ignored.
    generation: u64,
    /// Few at a time (at most the draft's 16 per direction, and a probe's per 100 ms): a list
    /// costs the module less than a hash map.
    flows: Vec<(u32, Flow)>,
    foreign: Vec<(u32, Foreign)>,
    last_live: f64,
    last_phase: Phase,
    /// The final report has been posted.
    reported_end: bool,
}

impl QualityDriver {
    fn flow(&mut self, id: u32) -> Option<&mut Flow> {
        self.flows
            .iter_mut()
            .find(|(f, _)| *f == id)
            .map(|(_, flow)| flow)
    }
}

fn probe_message() -> [u8; 12] {
    let mut m = [0u8; 12];
    m[..4].copy_from_slice(PROBE_MAGIC);
    m
}

/// `url` with `extra` added to its query.
fn with_query(url: &str, extra: &str) -> String {
    if url.contains('?') {
        format!("{url}&{extra}")
    } else {
        format!("{url}?{extra}")
    }
}

impl Driver {
    /// Starts a working-conditions run, ending whatever ran before.
    pub(super) fn start_quality(&mut self, url: String, config: RunConfig, run_id: u32) {
        self.stop_quality("a new run started");
        if let Some(session) = self.session.as_mut() {
            session.stop();
        }
        self.close_socket();
        self.generation += 1;
        let t0 = self.now();
        self.quality = Some(QualityDriver {
            run: QualityRun::new(config, 0.0),
            run_id,
            url,
            t0,
            generation: self.generation,
            flows: Vec::new(),
            foreign: Vec::new(),
            last_live: f64::NEG_INFINITY,
            last_phase: Phase::Idle,
            reported_end: false,
        });
        self.quality_pump();
    }

    /// Ends the run under way, if any, saying why.
    pub(super) fn stop_quality(&mut self, why: &str) {
        if let Some(q) = self.quality.as_mut()
            && q.run.phase() != Phase::Done
        {
            q.run.stop(why);
            self.quality_pump();
        }
    }

    fn quality_now(&self) -> f64 {
        let t0 = self.quality.as_ref().map_or(0.0, |q| q.t0);
        self.now() - t0
    }

    /// Does what the run says, keeps the uploads going, tells the page, sleeps until the next
    /// wake-up.
    pub(super) fn quality_pump(&mut self) {
        let now = self.quality_now();
        let Some(mut q) = self.quality.take() else {
            return;
        };
        // Foreign probes that never came back are closed.
        q.foreign
            .retain(|(_, f)| now - f.started < netlens_probe::quality::run::PROBE_TIMEOUT_MS);
        if now >= q.run.next_wake_ms() {
            for action in q.run.poll(now) {
                self.quality_action(&mut q, action, now);
            }
        }
        if q.run.phase() == Phase::Done {
            q.flows.clear();
            q.foreign.clear();
        }
        fill_uploads(&mut q);
        let phase = q.run.phase();
        let due = now - q.last_live >= LIVE_EVERY_MS || phase != q.last_phase;
        if !q.reported_end && (due || phase == Phase::Done) {
            post(
                &self.scope,
                &Report::Quality {
                    run_id: q.run_id,
                    live: Box::new(q.run.live(now)),
                },
            );
            q.last_live = now;
            q.last_phase = phase;
            q.reported_end = phase == Phase::Done;
        }
        if phase != Phase::Done {
            let wake = q.run.next_wake_ms().min(q.last_live + LIVE_EVERY_MS);
            self.schedule(wake - now);
        }
        self.quality = Some(q);
    }

    fn quality_action(&mut self, q: &mut QualityDriver, action: Action, now: f64) {
        match action {
            Action::OpenFlow { flow, kind } => {
                let url = match kind {
                    FlowKind::Idle => q.url.clone(),
                    FlowKind::Download => with_query(&q.url, "bulk=download"),
                    FlowKind::Upload => with_query(&q.url, "bulk=upload"),
                };
                match self.quality_socket(&url, q.generation, Target::Flow(flow)) {
                    Ok(socket) => {
                        q.flows.push((
                            flow,
                            Flow {
                                socket,
                                kind,
                                open: false,
                                probe_sent_at: None,
                                sent: 0,
                                acked: 0,
                            },
                        ));
                    }
                    Err(why) => q.run.flow_failed(flow, &why),
                }
            }
            Action::CloseFlows => {
                for (_, flow) in q.flows.drain(..) {
                    let ws = flow.socket.ws.clone();
                    drop(flow);
                    let _ = ws.close_with_code(1000);
                }
            }
            Action::SelfProbe { flow } => {
                if let Some(f) = q.flow(flow)
                    && f.open
                    && f.probe_sent_at.is_none()
                    && f.socket.ws.send_with_u8_array(&probe_message()).is_ok()
                {
                    f.probe_sent_at = Some(now);
                }
            }
            Action::ForeignProbe { probe } => {
                if let Ok(socket) =
                    self.quality_socket(&q.url.clone(), q.generation, Target::Foreign(probe))
                {
                    q.foreign.push((
                        probe,
                        Foreign {
                            socket,
                            started: now,
                            opened_at: None,
                            sent_at: None,
                        },
                    ));
                }
            }
        }
    }

    /// A socket whose events come back to this driver as `target`'s.
    fn quality_socket(
        &mut self,
        url: &str,
        generation: u64,
        target: Target,
    ) -> Result<Socket, String> {
        let ws = WebSocket::new(url)
            .map_err(|e| format!("the browser refused to open {url}: {}", js_message(&e)))?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let me = self.me.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || {
            with_driver(&me, |d| {
                d.quality_event(generation, target, QualityEvent::Open)
            })
        });
        let me = self.me.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            with_driver(&me, |d| {
                d.quality_event(generation, target, QualityEvent::Message(e.data()))
            })
        });
        let me = self.me.clone();
        let secure = url.starts_with("wss:");
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            with_driver(&me, |d| {
                let why = describe_close(e.code(), &e.reason(), false, secure);
                d.quality_event(generation, target, QualityEvent::Closed(why))
            })
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Socket {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    fn quality_event(&mut self, generation: u64, target: Target, event: QualityEvent) {
        // The receive time first, before any copying.
        let now = self.quality_now();
        let Some(mut q) = self.quality.take() else {
            return;
        };
        if q.generation != generation {
            self.quality = Some(q);
            return;
        }
        match (target, event) {
            (Target::Flow(id), QualityEvent::Open) => {
                if let Some(f) = q.flow(id) {
                    f.open = true;
                    q.run.opened(id);
                }
            }
            (Target::Flow(id), QualityEvent::Message(data)) => {
                if let Some(i) = q.flows.iter().position(|(f, _)| *f == id) {
                    flow_message(&mut q.run, id, &mut q.flows[i].1, &data, now);
                }
            }
            (Target::Flow(id), QualityEvent::Closed(why)) => {
                if let Some(i) = q.flows.iter().position(|(f, _)| *f == id) {
                    q.flows.remove(i);
                    q.run.flow_failed(id, &why);
                }
            }
            (Target::Foreign(id), QualityEvent::Open) => {
                if let Some((_, f)) = q.foreign.iter_mut().find(|(p, _)| *p == id)
                    && f.socket.ws.send_with_u8_array(&probe_message()).is_ok()
                {
                    f.opened_at = Some(now);
                    f.sent_at = Some(now);
                }
            }
            (Target::Foreign(id), QualityEvent::Message(data)) => {
                let echoed = data
                    .dyn_ref::<js_sys::ArrayBuffer>()
                    .is_some_and(|b| starts_with(b, PROBE_MAGIC));
                if echoed && let Some(i) = q.foreign.iter().position(|(p, _)| *p == id) {
                    let (_, f) = q.foreign.swap_remove(i);
                    if let (Some(opened), Some(sent)) = (f.opened_at, f.sent_at) {
                        q.run.foreign(id, now, opened - f.started, now - sent);
                    }
                    let ws = f.socket.ws.clone();
                    drop(f);
                    let _ = ws.close_with_code(1000);
                }
            }
            (Target::Foreign(id), QualityEvent::Closed(_)) => {
                q.foreign.retain(|(p, _)| *p != id);
            }
        }
        self.quality = Some(q);
        self.quality_pump();
    }
}

/// Whose socket an event is about.
#[derive(Clone, Copy)]
enum Target {
    Flow(u32),
    Foreign(u32),
}

enum QualityEvent {
    Open,
    Message(JsValue),
    Closed(String),
}

fn starts_with(buffer: &js_sys::ArrayBuffer, magic: &[u8; 4]) -> bool {
    if buffer.byte_length() < 4 {
        return false;
    }
    let head = js_sys::Uint8Array::new_with_byte_offset_and_length(buffer, 0, 4).to_vec();
    head == magic
}

/// A message on a load-generating connection: bulk bytes, a self probe's echo, or the
/// server's upload report.
fn flow_message(run: &mut QualityRun, id: u32, f: &mut Flow, data: &JsValue, now: f64) {
    if let Some(buffer) = data.dyn_ref::<js_sys::ArrayBuffer>() {
        if starts_with(buffer, DOWNLOAD_MAGIC) {
            run.received(id, u64::from(buffer.byte_length()));
        } else if starts_with(buffer, PROBE_MAGIC)
            && let Some(sent) = f.probe_sent_at.take()
        {
            run.self_reply(id, now, now - sent);
        }
    } else if let Some(text) = data.as_string()
        && let Ok(value) = serde_json::from_str::<serde_json::Value>(&text)
        && let Some(received) = value.get("received").and_then(serde_json::Value::as_u64)
    {
        let delta = received.saturating_sub(f.acked);
        f.acked = f.acked.max(received);
        run.received(id, delta);
    }
}

/// Keeps every open upload connection's window full.
fn fill_uploads(q: &mut QualityDriver) {
    let mut chunk = vec![0u8; UPLOAD_CHUNK];
    chunk[..4].copy_from_slice(UPLOAD_MAGIC);
    for (_, f) in &mut q.flows {
        if f.kind != FlowKind::Upload || !f.open {
            continue;
        }
        // Bounded: a window's worth of chunks per call.
        for _ in 0..(UPLOAD_WINDOW as usize / UPLOAD_CHUNK) {
            if f.sent.saturating_sub(f.acked) >= UPLOAD_WINDOW
                || f.socket.ws.buffered_amount() >= MAX_BUFFERED
                || f.socket.ws.send_with_u8_array(&chunk).is_err()
            {
                break;
            }
            f.sent += UPLOAD_CHUNK as u64;
        }
    }
}
