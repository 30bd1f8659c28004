//! The probe state machine, driven by a socket owner with a monotonic clock.
//!
//! The driver (the browser worker, the CLI) calls:
//! - [`Session::poll`] whenever it wakes: it returns what to do now ([`Action`]: connect, send,
//!   close) and when to wake next;
//! - [`Session::opened`], [`Session::closed`] when the socket opens or closes (or fails to
//!   open);
//! - [`Session::on_message`] for every message received.
//!
//! All times are milliseconds on the driver's monotonic clock (`performance.now()`, or an
//! `Instant`), passed in: the session never reads a clock, so tests replay any timeline exactly.
//!
//! Definitions (printed in the UI and the exports):
//! - a probe is **lost** when no reply came within the timeout (or the connection closed first);
//!   **late** counts the lost probes whose reply came after all; loss = lost / (replies + lost);
//! - RTT statistics cover replies within the timeout; late replies keep their RTT in the samples
//!   and feed the timeout estimate;
//! - the adaptive timeout is RFC 6298's SRTT + 4·RTTVAR clamped to 250 ms – 5 s (1 s before the
//!   first reply), doubled after each consecutive timeout (RFC 6298 §5.5 back-off) up to 10 s;
//! - a send is **skipped**, not made, while the socket still holds unsent bytes
//!   (`bufferedAmount > 0`): a probe queued behind our own data would measure our queue;
//! - a reply is **disturbed** when the driver's own thread was held up as it came: the driver
//!   tells the session when its timer should fire ([`Session::timer_armed`]), the session sees
//!   how late it woke, and a wake-up later than [`DISTURBANCE_MS`] marks the replies timed in
//!   that stall (and just after it). Their RTT may include the device's delay, not the
//!   network's; they stay in the statistics, and the summary also gives the run without them.
//!   While a reply may come (from just before the oldest probe in flight is expected back) the
//!   session asks to be woken every [`HEARTBEAT_MS`], so a stall longer than that is always
//!   seen ([`HEARTBEAT_LEAD_MS`] says why not all the time).
//! - the run is **suspended** when the driver's timer fires more than [`SUSPENSION_MS`] late
//!   while the page is hidden (Safari suspends hidden pages and their workers, iOS within
//!   seconds), or more than [`SLEEP_MS`] late at any time (a sleeping device). The probes then
//!   in flight are **interrupted**: neither replies nor losses, whatever comes back for them
//!   later (its RTT would include the pause). A connection lost without a close frame while the
//!   page is hidden, or within [`RESUME_GRACE_MS`] of a suspension, is taken for the browser's
//!   doing (Safari closes the WebSockets of pages it suspends): its probes in flight are
//!   interrupted too, and the event says so. A suspension is an event, so the gap it leaves in
//!   the record is said, never silent.
//!
//! Memory is bounded whatever the run length: [`Session::MAX_SAMPLES`] samples (oldest dropped
//! and counted), [`Session::MAX_EVENTS`] events, [`Session::TRACKED_PROBES`] probes awaiting a
//! reply, fixed-size histograms.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::change::{Change, ChangeDetector, Direction};
use crate::config::{MessageMode, ProbeConfig};
use crate::stats::{
    Confidence, Distribution, InterarrivalJitter, MeanAbsDelta, Quality, RttEstimator,
    RunHistogram, Stability, Window, WindowStats, rpm,
};
use crate::wire;

/// A message received.
#[derive(Clone, Copy, Debug)]
pub enum Incoming<'a> {
    /// A binary message.
    Binary(&'a [u8]),
    /// A text message.
    Text(&'a str),
    /// A message the driver did not copy because it is larger than
    /// [`Session::MAX_MESSAGE_BYTES`] (it is counted as oversized).
    TooLarge {
        /// Its size, bytes (UTF-16 code units for browser text).
        bytes: usize,
    },
}

/// What to send.
#[derive(Clone, Debug, PartialEq)]
pub enum Outgoing {
    /// A binary probe (echo mode).
    Binary(Vec<u8>),
    /// A text request (request/response mode).
    Text(String),
}

/// What the driver must do now.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Open a new connection, then call [`Session::opened`] or [`Session::closed`].
    Connect,
    /// Send this message on the open connection.
    Send(Outgoing),
    /// Close the connection (fresh-connection mode after each probe, or the run is finished).
    Close,
}

/// [`Session::poll`]'s answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Poll {
    /// Do these, in order.
    pub actions: Vec<Action>,
    /// Call `poll` again at this time at the latest (earlier after any event is fine).
    pub wake_at_ms: f64,
}

/// How a probe ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Replied within the timeout.
    Ok,
    /// No reply within the timeout, none since.
    Lost,
    /// Replied after the timeout (counted as lost too).
    Late,
    /// In flight when the browser suspended the run or closed the connection of a hidden page:
    /// neither a reply nor a loss (see the module documentation).
    Interrupted,
}

impl Outcome {
    /// Lowercase name (CSV).
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Lost => "lost",
            Outcome::Late => "late",
            Outcome::Interrupted => "interrupted",
        }
    }
}

/// One probe's record (a CSV row).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Sequence number.
    pub seq: u64,
    /// When it was sent, ms since the session started.
    pub sent_at_ms: f64,
    /// How much later than scheduled it was sent (timer and event-loop delay, and a wait for a
    /// reply due back at that moment: [`SEND_YIELD_MS`]), ms.
    pub send_delay_ms: f64,
    /// Round trip, ms (`None` when lost).
    pub rtt_ms: Option<f64>,
    /// How it ended.
    pub outcome: Outcome,
    /// Connection it was sent on (1 for the first).
    pub connection: u32,
    /// Segment (1 for the first; a detected change starts the next).
    pub segment: u32,
    /// Smoothed RTT after this sample, ms (the chart's line).
    pub srtt_ms: Option<f64>,
    /// Whether the page was hidden when it was sent (background timers are throttled).
    pub hidden: bool,
    /// Whether the driver's thread was held up when the reply came (its RTT may include the
    /// device's delay): see the module documentation.
    pub disturbed: bool,
}

/// Something that happened to the run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Event {
    /// A connection opened.
    Connected {
        /// When, ms since the start.
        at_ms: f64,
        /// Connection number.
        connection: u32,
        /// Handshake time (socket created → open): DNS, TCP, TLS and the HTTP upgrade.
        connect_ms: f64,
    },
    /// A connection attempt failed or an open connection closed.
    Disconnected {
        /// When, ms since the start.
        at_ms: f64,
        /// Connection number (of the attempt, if it never opened).
        connection: u32,
        /// Whether it had opened.
        was_open: bool,
        /// WebSocket close code, when one was received.
        code: Option<u16>,
        /// What the driver knows about why.
        reason: String,
        /// Probes that were awaiting a reply, now lost.
        lost_in_flight: u64,
        /// Probes that were awaiting a reply, interrupted instead: the connection was lost
        /// while the page was hidden or just after a suspension, most likely by the browser.
        interrupted_in_flight: u64,
        /// When the next attempt is due, ms since the start (`None`: not reconnecting).
        retry_at_ms: Option<f64>,
    },
    /// The RTT level changed; a new segment starts.
    Change {
        /// When (the send time of the sample that completed the detection), ms since the start.
        at_ms: f64,
        /// Sequence number of that sample.
        seq: u64,
        /// Segment that starts.
        segment: u32,
        /// Up or down.
        direction: Direction,
        /// Median before, ms.
        from_ms: f64,
        /// Median of the new level so far, ms.
        to_ms: f64,
    },
    /// The page became hidden or visible.
    Visibility {
        /// When, ms since the start.
        at_ms: f64,
        /// Hidden now.
        hidden: bool,
    },
    /// The browser (or the device) stopped the run for a while: nothing was sent or timed.
    Suspended {
        /// When the driver should have woken, ms since the start.
        from_ms: f64,
        /// When it did.
        to_ms: f64,
        /// Whether the page was hidden.
        hidden: bool,
        /// Probes in flight, interrupted (not counted as lost).
        interrupted_in_flight: u64,
    },
}

/// The connection's state.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum ConnectionState {
    /// Not connected; connecting at the next poll.
    Idle,
    /// Handshake under way.
    Connecting {
        /// Attempt number (1 for the first).
        attempt: u32,
    },
    /// Open and probing.
    Open {
        /// Connection number.
        connection: u32,
    },
    /// Closed unexpectedly; reconnecting at `retry_at_ms` (ms since the start).
    Waiting {
        /// When the next attempt is due.
        retry_at_ms: f64,
        /// Failed attempts in a row.
        failures: u32,
    },
    /// Every probe sent and resolved (`count` reached), or stopped.
    Finished,
}

/// Counters and estimates at one moment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Connection state.
    pub connection: ConnectionState,
    /// Time since the session started, ms.
    pub elapsed_ms: f64,
    /// Probes sent.
    pub sent: u64,
    /// Replies within the timeout.
    pub replies: u64,
    /// Probes with no reply within the timeout.
    pub lost: u64,
    /// Lost probes whose reply came later.
    pub late: u64,
    /// Replies to a probe already answered.
    pub duplicates: u64,
    /// Sends skipped because the socket still held unsent data.
    pub skipped: u64,
    /// Messages that claimed to be replies but matched no probe of this run (corrupted, from an
    /// earlier run, or never sent), or binary probes of the wrong size.
    pub unmatched: u64,
    /// Messages larger than [`Session::MAX_MESSAGE_BYTES`], ignored.
    pub oversized: u64,
    /// Other messages (server greetings, pushes), ignored.
    pub other_messages: u64,
    /// Probes awaiting a reply.
    pub in_flight: u64,
    /// lost / (replies + lost); 0 before anything resolved.
    pub loss: f64,
    /// Whole run, replies within the timeout.
    pub rtt_ms: Option<Distribution>,
    /// Since the last detected change.
    pub segment_rtt_ms: Option<Distribution>,
    /// The latest replies (the "current" view).
    pub window: Option<WindowStats>,
    /// RFC 6298 smoothed RTT.
    pub srtt_ms: Option<f64>,
    /// RFC 6298 RTT variation.
    pub rttvar_ms: f64,
    /// The timeout now in force.
    pub timeout_ms: f64,
    /// Mean |ΔRTT| between consecutive replies over the run.
    pub jitter_ms: f64,
    /// RFC 3550 §6.4.1 jitter on RTTs.
    pub rfc3550_jitter_ms: f64,
    /// RFC 5481 PDV over the run: p99 − min.
    pub pdv_ms: Option<f64>,
    /// Round trips per minute at idle, from the current median (not the working-conditions
    /// RPM of [`crate::quality`], which is measured with the path loaded).
    pub idle_rpm: Option<f64>,
    /// The draft's band of the current median, at idle.
    pub idle_quality: Option<Quality>,
    /// How settled the current estimate is.
    pub confidence: Confidence,
    /// Median handshake time over the connections, ms.
    pub connect_ms: Option<f64>,
    /// Handshake times.
    pub connect: Option<Distribution>,
    /// Connections opened.
    pub connections: u32,
    /// Current segment (1 + changes detected).
    pub segment: u32,
    /// Largest send delay (timer lateness), ms.
    pub max_send_delay_ms: f64,
    /// Probes sent while the page was hidden.
    pub hidden_probes: u64,
    /// Probes interrupted by a suspension or a browser-closed connection (not lost).
    pub interrupted: u64,
    /// Times the run was suspended.
    pub suspensions: u64,
    /// Time spent suspended, ms.
    pub suspended_ms: f64,
    /// Samples dropped from the record because it was full (the statistics still count them).
    pub samples_dropped: u64,
    /// Replies (within the timeout or late) timed while the driver's thread was held up.
    pub disturbed: u64,
    /// The whole run without the disturbed replies (`None` when none was disturbed).
    pub rtt_ms_undisturbed: Option<Distribution>,
    /// How late the driver's timers fired, ms.
    pub scheduling_lag_ms: Option<Distribution>,
    /// The server kernel's latest view of the connection, when the server sends it
    /// (netlens-echo with `?tcp_info=1`): the probe's RTT minus its RTT is what the browser,
    /// the device and the server's application add.
    pub kernel: Option<crate::wire::KernelView>,
}

impl Summary {
    /// One sentence when the browser or the device suspended the run, or closed its connection
    /// while the page was hidden (the page, the CLI and the exports say the same): so the gap
    /// in the record is said, and its probes are not taken for losses.
    pub fn interruption_note(&self) -> Option<String> {
        if self.suspensions == 0 && self.interrupted == 0 {
            return None;
        }
        let paused = match self.suspensions {
            0 => String::new(),
            1 => format!(
                "The run was suspended once, for {:.1} s (browsers suspend hidden pages; devices sleep). ",
                self.suspended_ms / 1000.0
            ),
            n => format!(
                "The run was suspended {n} times, {:.1} s in all (browsers suspend hidden pages; devices sleep). ",
                self.suspended_ms / 1000.0
            ),
        };
        let probes = match self.interrupted {
            1 => "1 probe in flight then was interrupted".to_owned(),
            n => format!("{n} probes in flight then were interrupted"),
        };
        Some(format!(
            "{paused}{probes} (by a suspension or a connection the browser closed): not counted as lost, and no RTT."
        ))
    }

    /// One sentence when the device held up the prober during the run (the page, the CLI and
    /// the exports say the same): how many replies, by how much, and the run without them.
    pub fn disturbance_note(&self) -> Option<String> {
        if self.disturbed == 0 {
            return None;
        }
        let timed = self.replies + self.late;
        let worst = self
            .scheduling_lag_ms
            .map(|l| format!(" (up to {:.1} ms)", l.max))
            .unwrap_or_default();
        let without = self
            .rtt_ms_undisturbed
            .map(|d| {
                format!(
                    " Without them: median {:.3} ms, p99 {:.3} ms.",
                    d.median, d.p99
                )
            })
            .unwrap_or_default();
        Some(format!(
            "{} of {timed} replies were timed while this device held up the prober by more than {DISTURBANCE_MS} ms{worst}: the tail may be the device, not the network.{without}",
            self.disturbed
        ))
    }
}

#[derive(Clone, Copy, Debug)]
enum ProbeState {
    InFlight,
    Answered,
    TimedOut,
    Late,
    Interrupted,
}

#[derive(Clone, Copy, Debug)]
struct Probe {
    seq: u64,
    sent_at: f64,
    send_delay: f64,
    connection: u32,
    hidden: bool,
    state: ProbeState,
    /// When its (first) reply was timed.
    received_at: Option<f64>,
    disturbed: bool,
}

/// The state machine. See the module documentation.
#[derive(Debug)]
pub struct Session {
    config: ProbeConfig,
    run_id: u32,
    started_at: f64,
    state: ConnectionState,
    connect_started_at: f64,
    connection: u32,
    failures: u32,
    next_seq: u64,
    next_send_at: f64,
    /// Recent probes, oldest first, at most TRACKED_PROBES.
    probes: VecDeque<Probe>,
    consecutive_timeouts: u32,
    hidden: bool,
    close_requested: bool,

    run: RunHistogram,
    segment_histogram: RunHistogram,
    window: Window,
    estimator: RttEstimator,
    rfc3550: InterarrivalJitter,
    mean_delta: MeanAbsDelta,
    stability: Stability,
    detector: ChangeDetector,
    connect_times: RunHistogram,
    segment: u32,

    sent: u64,
    replies: u64,
    lost: u64,
    late: u64,
    duplicates: u64,
    skipped: u64,
    unmatched: u64,
    oversized: u64,
    other_messages: u64,
    kernel: Option<crate::wire::KernelView>,
    max_send_delay: f64,
    hidden_probes: u64,
    interrupted: u64,
    suspensions: u64,
    suspended_ms: f64,
    /// When the last suspension ended (the driver's clock).
    resumed_at: Option<f64>,
    /// When the page last became visible (the driver's clock).
    shown_at: Option<f64>,

    samples: VecDeque<Sample>,
    samples_dropped: u64,
    events: VecDeque<Event>,
    fresh_samples: VecDeque<Sample>,
    fresh_events: VecDeque<Event>,

    /// When the driver's timer should fire (its latest promise, [`Session::timer_armed`]).
    timer_due: Option<f64>,
    /// Recent stalls of the driver: (when it should have run, when it did).
    stalls: VecDeque<(f64, f64)>,
    disturbed: u64,
    /// RTTs of the disturbed replies within the timeout (a subset of `run`).
    disturbed_rtts: RunHistogram,
    /// Every timer lateness observed.
    lags: RunHistogram,
}

/// A driver's timer that fires later than this (ms) means its thread was held up: the replies
/// timed in that stall are marked disturbed.
pub const DISTURBANCE_MS: f64 = 1.0;
/// While a reply may come, the session asks to be woken at least this often (ms), so that a
/// stall of the driver's thread always shows as a late timer. Browsers clamp chained timers to
/// 4 ms, so asking more often would not help.
pub const HEARTBEAT_MS: f64 = 4.0;
/// A reply "may come" from this long (ms) before the earliest the oldest probe in flight is
/// expected back (its send time + SRTT − 4·RTTVAR); before any RTT is known, always. Waking
/// every [`HEARTBEAT_MS`] all the time kept the worker's thread busy 250 times a second at
/// 100 ms RTT (five probes in flight), as replies arrived: with it off, the browser's p99 gap
/// to the bare client was 0.35 ms smaller in one five-round `make bench-probe` run, within the
/// rounds' own spread. The stalls that matter, those over a reply, are still seen.
pub const HEARTBEAT_LEAD_MS: f64 = 2.0;
/// A send due within this long (ms) of a reply expected back (its probe's send time + SRTT)
/// waits for that reply, at most this long past its schedule. Why: `WebSocket.send` holds the
/// prober's thread for 0.1–0.3 ms (Chromium's IPC), and a reply arriving meanwhile is timed
/// that much late. With the RTT a multiple of the interval (100 ms every 20 ms) every reply
/// landed just after a send: +0.2 ms on the browser's median in `make bench-probe`.
pub const SEND_YIELD_MS: f64 = 1.0;
/// A reply timed this soon (ms) after a stall ended arrived during it and waited.
const STALL_GRACE_MS: f64 = 0.25;
/// Stalls remembered, for replies handled before the stall was seen.
const MAX_STALLS: usize = 64;

/// A driver's timer this late (ms) while the page is hidden means the browser suspended the run.
/// Throttled hidden-page timers fire at most once a second in Chromium and Firefox, but a probe
/// worker's are not throttled: a second's lateness is a stop, not a slow timer.
pub const SUSPENSION_MS: f64 = 1_000.0;
/// A driver's timer this late (ms) means the run was suspended even with the page visible (the
/// device slept). Shorter stalls of a visible page are a busy device: disturbed, not suspended.
pub const SLEEP_MS: f64 = 10_000.0;
/// A connection lost without a close frame this soon (ms) after a suspension ended (or while the
/// page is hidden) is taken for the browser's doing.
pub const RESUME_GRACE_MS: f64 = 2_000.0;

/// The reason of a connection lost with no close frame while the page was hidden or just after a
/// suspension (the page's status line recognises it).
pub const BROWSER_CLOSED: &str = concat!(
    "the connection was lost with no close frame while the page was hidden or just back ",
    "(browsers, Safari above all, close the connections of pages they suspend): the probes in ",
    "flight are not counted as lost"
);

/// Adaptive timeout bounds.
const TIMEOUT_FLOOR_MS: f64 = 250.0;
const TIMEOUT_CEILING_MS: f64 = 5_000.0;
const TIMEOUT_INITIAL_MS: f64 = 1_000.0;
const TIMEOUT_BACKOFF_CEILING_MS: f64 = 10_000.0;
/// Reconnect back-off: 250 ms doubling to 10 s.
const RECONNECT_FIRST_MS: f64 = 250.0;
const RECONNECT_MAX_MS: f64 = 10_000.0;
/// Handshake timeout.
const CONNECT_TIMEOUT_MS: f64 = 10_000.0;

impl Session {
    /// Samples kept for export (33 minutes at 50 probes/s).
    pub const MAX_SAMPLES: usize = 100_000;
    /// Events kept.
    pub const MAX_EVENTS: usize = 1_000;
    /// Probes tracked for a reply (older ones are counted lost and forgotten).
    pub const TRACKED_PROBES: usize = 4_096;
    /// Larger messages are counted and ignored.
    pub const MAX_MESSAGE_BYTES: usize = 1 << 20;
    /// Fresh samples and events held for [`Session::drain`] (a driver that never drains loses
    /// the oldest, not memory).
    const MAX_FRESH: usize = 10_000;

    /// A session for `config` (validate it first), started at `now`. `run_id` tells this run's
    /// replies from an earlier run's (any value that differs between runs: a counter, a random
    /// number).
    pub fn new(config: ProbeConfig, run_id: u32, now: f64) -> Session {
        Session {
            config,
            run_id,
            started_at: now,
            state: ConnectionState::Idle,
            connect_started_at: now,
            connection: 0,
            failures: 0,
            next_seq: 1,
            next_send_at: now,
            probes: VecDeque::new(),
            consecutive_timeouts: 0,
            hidden: false,
            close_requested: false,
            run: RunHistogram::new(),
            segment_histogram: RunHistogram::new(),
            window: Window::default(),
            estimator: RttEstimator::default(),
            rfc3550: InterarrivalJitter::default(),
            mean_delta: MeanAbsDelta::default(),
            stability: Stability::default(),
            detector: ChangeDetector::default(),
            connect_times: RunHistogram::new(),
            segment: 1,
            sent: 0,
            replies: 0,
            lost: 0,
            late: 0,
            duplicates: 0,
            skipped: 0,
            unmatched: 0,
            oversized: 0,
            other_messages: 0,
            kernel: None,
            max_send_delay: 0.0,
            hidden_probes: 0,
            interrupted: 0,
            suspensions: 0,
            suspended_ms: 0.0,
            resumed_at: None,
            shown_at: None,
            samples: VecDeque::new(),
            samples_dropped: 0,
            events: VecDeque::new(),
            fresh_samples: VecDeque::new(),
            fresh_events: VecDeque::new(),
            timer_due: None,
            stalls: VecDeque::new(),
            disturbed: 0,
            disturbed_rtts: RunHistogram::new(),
            lags: RunHistogram::new(),
        }
    }

    /// The driver has set its timer to fire at `due_at` (its clock, ms), as late as it may
    /// fire on an idle device (a driver whose timers round up says so here: the browser's
    /// whole milliseconds, tokio's millisecond ticks). Each wake-up later than that, seen at
    /// the next [`Session::poll`], is the driver's scheduling lag.
    pub fn timer_armed(&mut self, due_at: f64) {
        self.timer_due = Some(due_at);
    }

    /// Notes how late the driver woke, if its timer was due by `now`.
    fn observe_lag(&mut self, now: f64) {
        let Some(due) = self.timer_due.filter(|due| now >= *due) else {
            return;
        };
        self.timer_due = None;
        let lag = now - due;
        self.lags.record(lag);
        if self.is_suspension(due, now) {
            self.suspended(due, now);
        } else if lag > DISTURBANCE_MS {
            self.stalls.push_back((due, now));
            if self.stalls.len() > MAX_STALLS {
                self.stalls.pop_front();
            }
            self.flag_replies_in_stall(due, now);
        }
    }

    /// Whether the driver's timer is overdue by a suspension at `now` (a message or a close
    /// handled on resuming, before the timer's own callback).
    fn overdue_by_suspension(&self, now: f64) -> bool {
        self.timer_due
            .is_some_and(|due| self.is_suspension(due, now))
    }

    /// Whether a timer due at `due` that fired at `now` was held by a suspension: late by
    /// [`SUSPENSION_MS`] with the page hidden at some point meanwhile (the page's "visible
    /// again" may reach the driver before its late timer does), or by [`SLEEP_MS`].
    fn is_suspension(&self, due: f64, now: f64) -> bool {
        let lag = now - due;
        let hidden_meanwhile = self.hidden || self.shown_at.is_some_and(|shown| shown >= due);
        lag > SUSPENSION_MS && (hidden_meanwhile || lag > SLEEP_MS)
    }

    /// The run was suspended from `from` to `to`: the probes in flight are interrupted.
    fn suspended(&mut self, from: f64, to: f64) {
        let interrupted_in_flight = self.interrupt_in_flight();
        self.suspensions += 1;
        self.suspended_ms += to - from;
        self.resumed_at = Some(to);
        let (from_ms, to_ms) = (self.rel(from), self.rel(to));
        let hidden = self.hidden || self.shown_at.is_some_and(|shown| shown >= from);
        self.push_event(Event::Suspended {
            from_ms,
            to_ms,
            hidden,
            interrupted_in_flight,
        });
    }

    /// Marks every probe in flight interrupted; returns how many.
    fn interrupt_in_flight(&mut self) -> u64 {
        let mut count = 0;
        for i in 0..self.probes.len() {
            let p = self.probes[i];
            if !matches!(p.state, ProbeState::InFlight) {
                continue;
            }
            self.probes[i].state = ProbeState::Interrupted;
            self.interrupted += 1;
            count += 1;
            self.push_sample(Sample {
                seq: p.seq,
                sent_at_ms: self.rel(p.sent_at),
                send_delay_ms: p.send_delay,
                rtt_ms: None,
                outcome: Outcome::Interrupted,
                connection: p.connection,
                segment: self.segment,
                srtt_ms: self.estimator.srtt_ms,
                hidden: p.hidden,
                disturbed: false,
            });
        }
        count
    }

    /// Whether a reply timed at `received_at` came in a stall (or just after one).
    fn in_stall(&self, received_at: f64) -> bool {
        self.stalls
            .iter()
            .rev()
            .any(|(from, to)| (*from..=to + STALL_GRACE_MS).contains(&received_at))
    }

    /// Marks the replies already timed within a stall just seen.
    fn flag_replies_in_stall(&mut self, from: f64, to: f64) {
        // Replies come within the timeout or, late, not much after: older probes are done.
        let horizon = from - 2.0 * self.timeout_ms();
        let mut flagged = Vec::new();
        for p in self.probes.iter_mut().rev() {
            if p.sent_at < horizon {
                break;
            }
            if let Some(at) = p.received_at
                && !p.disturbed
                && (from..=to + STALL_GRACE_MS).contains(&at)
            {
                p.disturbed = true;
                flagged.push((
                    p.seq,
                    at - p.sent_at,
                    matches!(p.state, ProbeState::Answered),
                ));
            }
        }
        for (seq, rtt, answered) in flagged {
            self.disturbed += 1;
            if answered {
                self.disturbed_rtts.record(rtt);
            }
            self.amend_sample(seq, |s| s.disturbed = true);
        }
    }

    /// The settings.
    pub fn config(&self) -> &ProbeConfig {
        &self.config
    }

    /// The connection state.
    pub fn state(&self) -> ConnectionState {
        self.state
    }

    /// Whether the run is over (`count` probes sent and resolved, or [`Session::stop`]).
    pub fn finished(&self) -> bool {
        self.state == ConnectionState::Finished
    }

    fn rel(&self, now: f64) -> f64 {
        now - self.started_at
    }

    /// The reply timeout now in force, ms.
    pub fn timeout_ms(&self) -> f64 {
        if let Some(fixed) = self.config.timeout_ms {
            return fixed;
        }
        let base = self.estimator.rto_ms().map_or(TIMEOUT_INITIAL_MS, |rto| {
            rto.clamp(TIMEOUT_FLOOR_MS, TIMEOUT_CEILING_MS)
        });
        let backoff = 2f64.powi(self.consecutive_timeouts.min(6) as i32);
        (base * backoff).min(TIMEOUT_BACKOFF_CEILING_MS.max(base))
    }

    /// How long from `now` until the next reply is expected (the oldest probe in flight, sent
    /// at `t`, at `t` + SRTT), ms: infinite with nothing in flight, 0 before any RTT is known.
    /// The worker posts its updates into such gaps, so the page renders while no reply is due.
    pub fn quiet_for(&self, now: f64) -> f64 {
        let Some(p) = self
            .probes
            .iter()
            .find(|p| matches!(p.state, ProbeState::InFlight))
        else {
            return f64::INFINITY;
        };
        self.estimator
            .srtt_ms
            .map_or(0.0, |srtt| (p.sent_at + srtt - now).max(0.0))
    }

    /// Probes awaiting a reply.
    fn in_flight(&self) -> u64 {
        self.probes
            .iter()
            .filter(|p| matches!(p.state, ProbeState::InFlight))
            .count() as u64
    }

    /// Records the page's visibility (sent with each probe; throttled timers make hidden-page
    /// samples less trustworthy).
    pub fn set_hidden(&mut self, hidden: bool, now: f64) {
        if hidden != self.hidden {
            self.hidden = hidden;
            if !hidden {
                self.shown_at = Some(now);
            }
            let at_ms = self.rel(now);
            self.push_event(Event::Visibility { at_ms, hidden });
        }
    }

    /// Stops the run: nothing more is sent; probes in flight stay unresolved.
    pub fn stop(&mut self) {
        self.state = ConnectionState::Finished;
    }

    /// What to do at `now`. `buffered_bytes` is the socket's unsent data (`bufferedAmount`; 0
    /// for a driver that sends synchronously).
    pub fn poll(&mut self, now: f64, buffered_bytes: u64) -> Poll {
        let mut actions = Vec::new();
        self.observe_lag(now);
        self.expire(now);
        match self.state {
            ConnectionState::Finished => {}
            ConnectionState::Idle => {
                if self.all_sent() {
                    self.state = ConnectionState::Finished;
                } else if !self.config.fresh_connection || now >= self.next_send_at {
                    self.start_connect(now);
                    actions.push(Action::Connect);
                }
            }
            ConnectionState::Waiting { retry_at_ms, .. } => {
                if self.rel(now) >= retry_at_ms {
                    self.start_connect(now);
                    actions.push(Action::Connect);
                }
            }
            ConnectionState::Connecting { .. } => {
                if now - self.connect_started_at > CONNECT_TIMEOUT_MS {
                    actions.push(Action::Close);
                    self.closed(now, None, "the handshake took longer than 10 s");
                }
            }
            ConnectionState::Open { .. } => {
                if self.all_sent() {
                    if self.in_flight() == 0 {
                        actions.push(Action::Close);
                        self.close_requested = true;
                        self.state = ConnectionState::Finished;
                    }
                } else if self.config.fresh_connection {
                    // One probe per connection: send it, close once it resolves.
                    if self.sent_on_this_connection() == 0 {
                        if let Some(message) = self.send(now, buffered_bytes) {
                            actions.push(Action::Send(message));
                        }
                    } else if self.in_flight() == 0 {
                        actions.push(Action::Close);
                        self.close_requested = true;
                        self.state = ConnectionState::Idle;
                    }
                } else if now >= self.next_send_at
                    && self.send_waits_until(now).is_none()
                    && let Some(message) = self.send(now, buffered_bytes)
                {
                    actions.push(Action::Send(message));
                }
            }
        }
        Poll {
            actions,
            wake_at_ms: self.next_wake(now),
        }
    }

    fn all_sent(&self) -> bool {
        self.config.count.is_some_and(|n| self.sent >= n)
    }

    fn sent_on_this_connection(&self) -> usize {
        self.probes
            .iter()
            .filter(|p| p.connection == self.connection)
            .count()
    }

    /// Until when a send due by `now` waits for a reply expected within [`SEND_YIELD_MS`]:
    /// that reply's expected time plus [`SEND_YIELD_MS`], and no later than [`SEND_YIELD_MS`]
    /// after the send was due. `None`: send now (no RTT known yet, no reply that close, or the
    /// wait is over).
    fn send_waits_until(&self, now: f64) -> Option<f64> {
        let srtt = self.estimator.srtt_ms?;
        let limit = self.next_send_at + SEND_YIELD_MS;
        if now >= limit {
            return None;
        }
        // Newest first, and only as far back as a reply could still be due: this runs on every
        // reply, and thousands of probes may be tracked.
        self.probes
            .iter()
            .rev()
            .map(|p| (p, p.sent_at + srtt))
            .take_while(|(_, expected)| *expected > now - SEND_YIELD_MS)
            .filter(|(p, expected)| {
                matches!(p.state, ProbeState::InFlight) && *expected <= now + SEND_YIELD_MS
            })
            .map(|(_, expected)| expected)
            .reduce(f64::min)
            .map(|expected| (expected + SEND_YIELD_MS).min(limit))
    }

    fn next_wake(&self, now: f64) -> f64 {
        let mut wake = now + 1_000.0;
        let timeout = self.timeout_ms();
        if let Some(p) = self
            .probes
            .iter()
            .find(|p| matches!(p.state, ProbeState::InFlight))
        {
            wake = wake.min(p.sent_at + timeout);
            // While a reply may come, a heartbeat shows whether the driver can run.
            if matches!(self.state, ConnectionState::Open { .. }) {
                let earliest_reply = self.estimator.srtt_ms.map_or(p.sent_at, |srtt| {
                    p.sent_at + (srtt - 4.0 * self.estimator.rttvar_ms).max(0.0)
                });
                wake = wake.min((now + HEARTBEAT_MS).max(earliest_reply - HEARTBEAT_LEAD_MS));
            }
        }
        match self.state {
            ConnectionState::Open { .. } => {
                let sends_more = !self.all_sent()
                    && (!self.config.fresh_connection || self.sent_on_this_connection() == 0);
                if sends_more {
                    let send_at = if now >= self.next_send_at && !self.config.fresh_connection {
                        self.send_waits_until(now).unwrap_or(now)
                    } else {
                        self.next_send_at
                    };
                    wake = wake.min(send_at);
                }
            }
            ConnectionState::Idle => {
                wake = wake.min(if self.config.fresh_connection {
                    self.next_send_at
                } else {
                    now
                })
            }
            ConnectionState::Waiting { retry_at_ms, .. } => {
                wake = wake.min(self.started_at + retry_at_ms)
            }
            ConnectionState::Connecting { .. } => {
                wake = wake.min(self.connect_started_at + CONNECT_TIMEOUT_MS)
            }
            ConnectionState::Finished => {}
        }
        wake.max(now)
    }

    fn start_connect(&mut self, now: f64) {
        self.connect_started_at = now;
        self.close_requested = false;
        self.state = ConnectionState::Connecting {
            attempt: self.failures + 1,
        };
    }

    /// The connection opened at `now`.
    pub fn opened(&mut self, now: f64) {
        if !matches!(self.state, ConnectionState::Connecting { .. }) {
            return;
        }
        self.connection += 1;
        self.failures = 0;
        let connect_ms = now - self.connect_started_at;
        self.connect_times.record(connect_ms);
        self.state = ConnectionState::Open {
            connection: self.connection,
        };
        if !self.config.fresh_connection || self.next_send_at < now {
            self.next_send_at = now;
        }
        let at_ms = self.rel(now);
        let connection = self.connection;
        self.push_event(Event::Connected {
            at_ms,
            connection,
            connect_ms,
        });
    }

    /// The connection closed, or failed to open, at `now`; `code` is the close code received,
    /// `reason` what the driver knows. Probes in flight are lost; unless the close was asked for
    /// ([`Action::Close`]) or the run is finished, a reconnect is scheduled with back-off.
    pub fn closed(&mut self, now: f64, code: Option<u16>, reason: &str) {
        if self.overdue_by_suspension(now) {
            self.observe_lag(now);
        }
        let was_open = matches!(self.state, ConnectionState::Open { .. });
        let expected = self.close_requested;
        self.close_requested = false;
        let by_browser = was_open
            && !expected
            && code.is_none_or(|c| c == 1006)
            && (self.hidden || self.resumed_at.is_some_and(|t| now - t <= RESUME_GRACE_MS));
        let mut lost_in_flight = 0;
        let mut interrupted_in_flight = 0;
        if by_browser {
            interrupted_in_flight = self.interrupt_in_flight();
        } else {
            for i in 0..self.probes.len() {
                if matches!(self.probes[i].state, ProbeState::InFlight) {
                    lost_in_flight += 1;
                    self.time_out(i);
                }
            }
        }
        let reason = if by_browser { BROWSER_CLOSED } else { reason };
        if expected && lost_in_flight == 0 {
            return;
        }
        let retry_at_ms = match self.state {
            ConnectionState::Finished => None,
            _ => {
                self.failures += 1;
                let delay = (RECONNECT_FIRST_MS
                    * 2f64.powi(self.failures.saturating_sub(1).min(16) as i32))
                .min(RECONNECT_MAX_MS);
                let retry = self.rel(now) + delay;
                self.state = ConnectionState::Waiting {
                    retry_at_ms: retry,
                    failures: self.failures,
                };
                Some(retry)
            }
        };
        let at_ms = self.rel(now);
        let connection = if was_open {
            self.connection
        } else {
            self.connection + 1
        };
        self.push_event(Event::Disconnected {
            at_ms,
            connection,
            was_open,
            code,
            reason: reason.to_owned(),
            lost_in_flight,
            interrupted_in_flight,
            retry_at_ms,
        });
    }

    fn send(&mut self, now: f64, buffered_bytes: u64) -> Option<Outgoing> {
        let scheduled = self.next_send_at;
        // The next send is one interval after this one's schedule; when the driver fell behind
        // by more than an interval (a throttled timer, a stall), start afresh from now rather
        // than bursting to catch up.
        self.next_send_at = if now - scheduled > self.config.interval_ms {
            now + self.config.interval_ms
        } else {
            scheduled + self.config.interval_ms
        };
        if buffered_bytes > 0 {
            self.skipped += 1;
            return None;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.sent += 1;
        if self.hidden {
            self.hidden_probes += 1;
        }
        let send_delay = (now - scheduled).max(0.0);
        self.max_send_delay = self.max_send_delay.max(send_delay);
        let sent_at = now;
        self.probes.push_back(Probe {
            seq,
            sent_at,
            send_delay,
            connection: self.connection,
            hidden: self.hidden,
            state: ProbeState::InFlight,
            received_at: None,
            disturbed: false,
        });
        while self.probes.len() > Self::TRACKED_PROBES {
            if matches!(self.probes[0].state, ProbeState::InFlight) {
                self.time_out(0);
            }
            self.probes.pop_front();
        }
        let rel = self.rel(sent_at);
        Some(match &self.config.mode {
            MessageMode::Echo => Outgoing::Binary(wire::encode_probe(
                self.run_id,
                seq,
                rel,
                self.config.payload_bytes,
            )),
            MessageMode::RequestResponse { template, .. } => {
                Outgoing::Text(wire::render_template(template, seq, rel))
            }
        })
    }

    /// Marks probes whose timeout passed as lost.
    fn expire(&mut self, now: f64) {
        let timeout = self.timeout_ms();
        // Probes are recorded in send order and share one timeout, so the first one in flight
        // that has not expired ends the scan.
        for i in 0..self.probes.len() {
            let p = self.probes[i];
            if matches!(p.state, ProbeState::InFlight) {
                if now < p.sent_at + timeout {
                    break;
                }
                self.time_out(i);
            }
        }
    }

    fn time_out(&mut self, index: usize) {
        let p = self.probes[index];
        self.probes[index].state = ProbeState::TimedOut;
        self.lost += 1;
        if self.config.timeout_ms.is_none() {
            self.consecutive_timeouts += 1;
        }
        let sample = Sample {
            seq: p.seq,
            sent_at_ms: self.rel(p.sent_at),
            send_delay_ms: p.send_delay,
            rtt_ms: None,
            outcome: Outcome::Lost,
            connection: p.connection,
            segment: self.segment,
            srtt_ms: self.estimator.srtt_ms,
            hidden: p.hidden,
            disturbed: false,
        };
        self.push_sample(sample);
    }

    /// A message arrived at `now`.
    pub fn on_message(&mut self, now: f64, message: Incoming<'_>) {
        if self.overdue_by_suspension(now) {
            self.observe_lag(now);
        }
        let len = match message {
            Incoming::Binary(b) => b.len(),
            Incoming::Text(t) => t.len(),
            Incoming::TooLarge { bytes } => bytes.max(Self::MAX_MESSAGE_BYTES + 1),
        };
        if len > Self::MAX_MESSAGE_BYTES {
            self.oversized += 1;
            return;
        }
        let seq = match (&self.config.mode, message) {
            (MessageMode::Echo, Incoming::Binary(bytes)) => match wire::decode_probe(bytes) {
                Some(h)
                    if h.run_id == self.run_id
                        && bytes.len() == self.config.payload_bytes.max(wire::HEADER_LEN) =>
                {
                    h.seq
                }
                Some(_) => {
                    self.unmatched += 1;
                    return;
                }
                None => {
                    // Binary that is not a probe at all: corrupted or foreign.
                    self.unmatched += 1;
                    return;
                }
            },
            (MessageMode::RequestResponse { match_field, .. }, Incoming::Text(text)) => {
                match wire::match_reply(text, match_field) {
                    Some(seq) => seq,
                    None => {
                        match wire::kernel_view(text) {
                            Some(view) => self.kernel = Some(view),
                            None => self.other_messages += 1,
                        }
                        return;
                    }
                }
            }
            (_, Incoming::Text(text)) if wire::kernel_view(text).is_some() => {
                self.kernel = wire::kernel_view(text);
                return;
            }
            _ => {
                self.other_messages += 1;
                return;
            }
        };
        self.reply(now, seq);
    }

    fn reply(&mut self, now: f64, seq: u64) {
        // Probes are pushed in sequence order, so the record is sorted by seq.
        let Ok(index) = self.probes.binary_search_by_key(&seq, |p| p.seq) else {
            if seq < self.next_seq && self.probes.front().is_some_and(|p| seq < p.seq) {
                // Older than anything tracked: it was counted lost when it was forgotten.
                self.late += 1;
            } else {
                self.unmatched += 1;
            }
            return;
        };
        let mut p = self.probes[index];
        let rtt = now - p.sent_at;
        if matches!(p.state, ProbeState::InFlight | ProbeState::TimedOut) {
            p.received_at = Some(now);
            p.disturbed = self.in_stall(now);
            if p.disturbed {
                self.disturbed += 1;
            }
            self.probes[index].received_at = p.received_at;
            self.probes[index].disturbed = p.disturbed;
        }
        match p.state {
            ProbeState::InFlight => {
                self.probes[index].state = ProbeState::Answered;
                self.consecutive_timeouts = 0;
                self.replies += 1;
                if p.disturbed {
                    self.disturbed_rtts.record(rtt);
                }
                self.record_reply(p, rtt);
            }
            ProbeState::TimedOut => {
                self.probes[index].state = ProbeState::Late;
                self.late += 1;
                // A late reply is still a true RTT: it teaches the timeout that the path got slower.
                self.estimator.update(rtt);
                self.update_lost_sample(seq, rtt, p.disturbed);
            }
            ProbeState::Answered | ProbeState::Late => self.duplicates += 1,
            // Its RTT would include the suspension: not a measurement.
            ProbeState::Interrupted => {}
        }
    }

    fn record_reply(&mut self, p: Probe, rtt: f64) {
        self.run.record(rtt);
        self.estimator.update(rtt);
        self.rfc3550.update(rtt);
        self.mean_delta.update(rtt);
        let sent_rel = self.rel(p.sent_at);
        if let Some(change) = self.detector.push(rtt) {
            self.start_segment(p, change, sent_rel, rtt);
        } else {
            self.segment_histogram.record(rtt);
            self.window.push(sent_rel, rtt);
            self.stability.update(rtt);
        }
        let sample = Sample {
            seq: p.seq,
            sent_at_ms: sent_rel,
            send_delay_ms: p.send_delay,
            rtt_ms: Some(rtt),
            outcome: Outcome::Ok,
            connection: p.connection,
            segment: self.segment,
            srtt_ms: self.estimator.srtt_ms,
            hidden: p.hidden,
            disturbed: p.disturbed,
        };
        self.push_sample(sample);
    }

    /// A change was detected at probe `p`: the new segment starts at the estimated onset, and
    /// its statistics are rebuilt from the replies since then.
    fn start_segment(&mut self, p: Probe, change: Change, sent_rel: f64, rtt: f64) {
        self.segment += 1;
        self.segment_histogram = RunHistogram::new();
        self.window.clear();
        self.stability.reset();
        // The replies since the onset (this one included) belong to the new segment. The
        // earlier ones among them are already in the sample record; they are re-labelled so the
        // chart shows the segment boundary where the change began.
        // Re-labelled samples are sent again through `drain` (a driver replaces by `seq`), so
        // the browser's copy and its exports agree with the CLI's.
        let onset = change.samples_since_onset;
        let mut since: Vec<(f64, f64)> = Vec::with_capacity(onset);
        let mut relabelled = Vec::new();
        for s in self.samples.iter_mut().rev() {
            if since.len() + 1 >= onset {
                break;
            }
            if let (Outcome::Ok, Some(rtt)) = (s.outcome, s.rtt_ms) {
                s.segment = self.segment;
                since.push((s.sent_at_ms, rtt));
                relabelled.push(*s);
            }
        }
        for s in relabelled.into_iter().rev() {
            self.push_fresh_sample(s);
        }
        since.reverse();
        since.push((sent_rel, rtt));
        for (at, rtt) in since {
            self.segment_histogram.record(rtt);
            self.window.push(at, rtt);
            self.stability.update(rtt);
        }
        let segment = self.segment;
        self.push_event(Event::Change {
            at_ms: sent_rel,
            seq: p.seq,
            segment,
            direction: change.direction,
            from_ms: change.from_ms,
            to_ms: change.to_ms,
        });
    }

    fn update_lost_sample(&mut self, seq: u64, rtt: f64, disturbed: bool) {
        let srtt = self.estimator.srtt_ms;
        self.amend_sample(seq, |s| {
            s.outcome = Outcome::Late;
            s.rtt_ms = Some(rtt);
            s.srtt_ms = srtt;
            s.disturbed = disturbed;
        });
    }

    /// Changes the recorded sample of probe `seq` (searched from the newest: amended samples
    /// are recent) and sends the driver the new copy.
    fn amend_sample(&mut self, seq: u64, change: impl FnOnce(&mut Sample)) {
        if let Some(s) = self.samples.iter_mut().rev().find(|s| s.seq == seq) {
            change(s);
            let amended = *s;
            self.push_fresh_sample(amended);
        }
    }

    fn push_sample(&mut self, sample: Sample) {
        self.samples.push_back(sample);
        if self.samples.len() > Self::MAX_SAMPLES {
            self.samples.pop_front();
            self.samples_dropped += 1;
        }
        self.push_fresh_sample(sample);
    }

    fn push_fresh_sample(&mut self, sample: Sample) {
        if self.fresh_samples.len() >= Self::MAX_FRESH {
            self.fresh_samples.pop_front();
        }
        self.fresh_samples.push_back(sample);
    }

    fn push_event(&mut self, event: Event) {
        self.events.push_back(event.clone());
        if self.events.len() > Self::MAX_EVENTS {
            self.events.pop_front();
        }
        if self.fresh_events.len() >= Self::MAX_FRESH {
            self.fresh_events.pop_front();
        }
        self.fresh_events.push_back(event);
    }

    /// Samples and events since the last call. A sample already drained comes again when it
    /// changes (a late reply: outcome `late`; a detected change: its new segment); replace by
    /// `seq`.
    pub fn drain(&mut self) -> (Vec<Sample>, Vec<Event>) {
        (
            self.fresh_samples.drain(..).collect(),
            self.fresh_events.drain(..).collect(),
        )
    }

    /// Every sample kept, oldest first.
    pub fn samples(&self) -> impl Iterator<Item = &Sample> {
        self.samples.iter()
    }

    /// Every event kept, oldest first.
    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.events.iter()
    }

    /// The counters and estimates at `now`.
    pub fn summary(&self, now: f64) -> Summary {
        let window = self.window.stats();
        let current = window.map(|w| w.distribution.median);
        let rtt_ms = self.run.distribution();
        let connect = self.connect_times.distribution();
        let resolved = self.replies + self.lost;
        Summary {
            connection: self.state,
            elapsed_ms: self.rel(now),
            sent: self.sent,
            replies: self.replies,
            lost: self.lost,
            late: self.late,
            duplicates: self.duplicates,
            skipped: self.skipped,
            unmatched: self.unmatched,
            oversized: self.oversized,
            other_messages: self.other_messages,
            in_flight: self.in_flight(),
            loss: if resolved == 0 {
                0.0
            } else {
                self.lost as f64 / resolved as f64
            },
            rtt_ms,
            segment_rtt_ms: self.segment_histogram.distribution(),
            window,
            srtt_ms: self.estimator.srtt_ms,
            rttvar_ms: self.estimator.rttvar_ms,
            timeout_ms: self.timeout_ms(),
            jitter_ms: self.mean_delta.mean_ms(),
            rfc3550_jitter_ms: self.rfc3550.jitter_ms(),
            pdv_ms: rtt_ms.map(|d| d.p99 - d.min),
            idle_rpm: current.map(rpm),
            idle_quality: current.map(Quality::of_rtt),
            confidence: self.stability.confidence(),
            connect_ms: connect.map(|d| d.median),
            connect,
            connections: self.connection,
            segment: self.segment,
            max_send_delay_ms: self.max_send_delay,
            hidden_probes: self.hidden_probes,
            interrupted: self.interrupted,
            suspensions: self.suspensions,
            suspended_ms: self.suspended_ms,
            samples_dropped: self.samples_dropped,
            disturbed: self.disturbed,
            rtt_ms_undisturbed: if self.disturbed_rtts.count() > 0 {
                self.run.distribution_without(&self.disturbed_rtts)
            } else {
                None
            },
            scheduling_lag_ms: self.lags.distribution(),
            kernel: self.kernel,
        }
    }
}
