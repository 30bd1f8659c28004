//! The session state machine against a simulated server and clock: every timeline is exact, so
//! counts and statistics are asserted to the sample.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly

use netlens_probe::change::Direction;
use netlens_probe::config::{MessageMode, ProbeConfig};
use netlens_probe::session::{
    Action, ConnectionState, Event, Incoming, Outcome, Outgoing, Session,
};
use netlens_probe::stats::{Confidence, Quality};

/// What the simulated server does with one request: reply after a delay (ms), several times
/// (duplicates), or not at all.
type Behaviour = Box<dyn FnMut(u64, f64) -> Vec<f64>>;

struct Sim {
    session: Session,
    now: f64,
    connect_delay: f64,
    /// (delivery time, message) in flight to the client.
    pending: Vec<(f64, Outgoing)>,
    /// A pending connection open.
    opening: Option<f64>,
    connected: bool,
    behaviour: Behaviour,
    /// Refuse connections until this time.
    down_until: f64,
    sent_seqs: Vec<u64>,
    /// Spans in which the driver's thread cannot run (a busy device): whatever falls due in
    /// one happens at its end.
    stalls: Vec<(f64, f64)>,
    /// Times the driver woke for its timer alone (no message, no connection event).
    timer_wakes: usize,
}

impl Sim {
    fn new(config: ProbeConfig, behaviour: Behaviour) -> Sim {
        config.validate().unwrap();
        Sim {
            session: Session::new(config, 77, 0.0),
            now: 0.0,
            connect_delay: 5.0,
            pending: Vec::new(),
            opening: None,
            connected: false,
            behaviour,
            down_until: 0.0,
            sent_seqs: Vec::new(),
            stalls: Vec::new(),
            timer_wakes: 0,
        }
    }

    fn seq_of(message: &Outgoing) -> u64 {
        match message {
            Outgoing::Binary(b) => netlens_probe::wire::decode_probe(b).unwrap().seq,
            Outgoing::Text(t) => {
                let v: serde_json::Value = serde_json::from_str(t).unwrap();
                v["id"].as_u64().unwrap()
            }
        }
    }

    fn reply_for(message: &Outgoing) -> Outgoing {
        match message {
            Outgoing::Binary(b) => Outgoing::Binary(b.clone()),
            Outgoing::Text(_) => Outgoing::Text(format!(
                r#"{{"type":"pong","id":{}}}"#,
                Self::seq_of(message)
            )),
        }
    }

    fn deliver(&mut self, message: &Outgoing) {
        match message {
            Outgoing::Binary(b) => self.session.on_message(self.now, Incoming::Binary(b)),
            Outgoing::Text(t) => self.session.on_message(self.now, Incoming::Text(t)),
        }
    }

    fn do_actions(&mut self, actions: Vec<Action>) {
        for action in actions {
            match action {
                Action::Connect => self.opening = Some(self.now + self.connect_delay),
                Action::Send(message) => {
                    let seq = Self::seq_of(&message);
                    self.sent_seqs.push(seq);
                    for delay in (self.behaviour)(seq, self.now) {
                        self.pending
                            .push((self.now + delay, Self::reply_for(&message)));
                    }
                }
                Action::Close => {
                    self.connected = false;
                    self.pending.clear();
                    self.session
                        .closed(self.now, Some(1000), "closed by the client");
                }
            }
        }
    }

    /// The server goes away at `now`: the connection drops, nothing is answered.
    fn kill(&mut self, down_for: f64) {
        self.connected = false;
        self.pending.clear();
        self.opening = None;
        self.down_until = self.now + down_for;
        self.session.closed(self.now, None, "connection reset");
    }

    /// The sequence numbers of the samples marked disturbed.
    fn disturbed_seqs(&self) -> Vec<u64> {
        self.session
            .samples()
            .filter(|x| x.disturbed)
            .map(|x| x.seq)
            .collect()
    }

    /// Runs the event loop until `until`.
    fn run_until(&mut self, until: f64) {
        let mut stuck = 0;
        loop {
            let poll = self.session.poll(self.now, 0);
            let wake = poll.wake_at_ms;
            // As a real driver: the timer is set for the wake-up asked for.
            self.session.timer_armed(wake);
            self.do_actions(poll.actions);
            let next_delivery = self
                .pending
                .iter()
                .map(|p| p.0)
                .fold(f64::INFINITY, f64::min);
            let next_open = self.opening.unwrap_or(f64::INFINITY);
            let mut next = wake.min(next_delivery).min(next_open).max(self.now);
            if let Some((_, end)) = self
                .stalls
                .iter()
                .find(|(from, to)| (*from..*to).contains(&next))
            {
                next = *end;
            }
            if next > until {
                self.now = until;
                return;
            }
            // A session that keeps asking to be woken now, with nothing to do, would spin its
            // driver at 100 % CPU.
            stuck = if next == self.now { stuck + 1 } else { 0 };
            assert!(
                stuck < 1_000,
                "the session asks to be woken at {next} forever"
            );
            if wake < next_delivery.min(next_open) {
                self.timer_wakes += 1;
            }
            self.now = next;
            if self.opening.is_some_and(|t| t <= self.now) {
                self.opening = None;
                if self.now < self.down_until {
                    self.session.closed(self.now, None, "connection refused");
                } else {
                    self.connected = true;
                    self.session.opened(self.now);
                }
            }
            if self.connected {
                let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending)
                    .into_iter()
                    .partition(|p| p.0 <= self.now);
                self.pending = later;
                for (_, message) in due {
                    self.deliver(&message);
                }
            }
        }
    }
}

fn echo_after(delay: f64) -> Behaviour {
    Box::new(move |_, _| vec![delay])
}

fn config(interval_ms: f64) -> ProbeConfig {
    ProbeConfig {
        interval_ms,
        ..ProbeConfig::default()
    }
}

#[test]
fn a_steady_echo_measures_its_delay_connect_time_and_no_loss() {
    let mut sim = Sim::new(config(100.0), echo_after(20.0));
    sim.run_until(10_000.0);
    let s = sim.session.summary(sim.now);
    assert_eq!(s.connection, ConnectionState::Open { connection: 1 });
    assert_eq!(s.connect_ms, Some(5.0));
    // Sends at 5, 105, … 9905 ms: 100 probes; the last reply is due at 9925 ms.
    assert_eq!(s.sent, 100);
    assert_eq!(s.replies, 100);
    assert_eq!(
        (s.lost, s.late, s.duplicates, s.skipped, s.unmatched),
        (0, 0, 0, 0, 0)
    );
    assert_eq!(s.loss, 0.0);
    let rtt = s.rtt_ms.unwrap();
    assert_eq!((rtt.min, rtt.max, rtt.mean), (20.0, 20.0, 20.0));
    assert!((rtt.median - 20.0).abs() < 0.02);
    assert_eq!(s.window.unwrap().distribution.median, 20.0);
    assert_eq!(s.window.unwrap().jitter_ms, 0.0);
    assert_eq!(s.srtt_ms, Some(20.0));
    assert_eq!(s.idle_rpm, Some(3000.0));
    assert_eq!(s.idle_quality, Some(Quality::Good));
    assert_eq!(s.confidence, Confidence::High);
    // RTTVAR decays from 10 towards 0: the timeout sits at its 250 ms floor.
    assert_eq!(s.timeout_ms, 250.0);
    let samples: Vec<_> = sim.session.samples().collect();
    assert_eq!(samples.len(), 100);
    assert!(samples.iter().all(|x| x.outcome == Outcome::Ok
        && x.rtt_ms == Some(20.0)
        && x.connection == 1
        && x.segment == 1));
    assert_eq!(samples[1].sent_at_ms, 105.0);
}

#[test]
fn dropped_replies_are_lost_late_ones_are_late_and_duplicates_are_counted() {
    // Every 10th probe is dropped, every 25th answered after 2 s (past any timeout), every
    // 7th answered twice.
    let behaviour: Behaviour = Box::new(|seq, _| {
        if seq % 10 == 0 {
            vec![]
        } else if seq % 25 == 0 {
            vec![2_000.0]
        } else if seq % 7 == 0 {
            vec![20.0, 21.0]
        } else {
            vec![20.0]
        }
    });
    let mut sim = Sim::new(
        ProbeConfig {
            count: Some(200),
            ..config(100.0)
        },
        behaviour,
    );
    sim.run_until(30_000.0);
    assert!(sim.session.finished());
    let s = sim.session.summary(sim.now);
    assert_eq!(s.sent, 200);
    // Probes 1..=200: 20 multiples of 10 dropped; multiples of 25 not of 10: 25 75 125 175.
    assert_eq!(s.lost, 24);
    assert_eq!(s.late, 4);
    assert_eq!(s.replies, 176);
    // Multiples of 7 that are neither: 28 of 200 multiples of 7, minus 70 140 (×10) and 175 (×25).
    assert_eq!(s.duplicates, 25);
    assert!((s.loss - 24.0 / 200.0).abs() < 1e-12);
    let late: Vec<_> = sim
        .session
        .samples()
        .filter(|x| x.outcome == Outcome::Late)
        .collect();
    assert_eq!(late.len(), 4);
    assert!(late.iter().all(|x| x.rtt_ms == Some(2_000.0)));
    // RTT statistics cover timely replies only.
    assert_eq!(s.rtt_ms.unwrap().max, 20.0);
    // The late reply re-sends its sample through drain, with the late outcome.
    let (fresh, _) = sim.session.drain();
    assert!(
        fresh
            .iter()
            .any(|x| x.seq == 25 && x.outcome == Outcome::Late)
    );
    assert!(
        fresh
            .iter()
            .any(|x| x.seq == 25 && x.outcome == Outcome::Lost)
    );
}

#[test]
fn garbage_foreign_oversized_and_other_messages_are_counted_and_ignored() {
    let mut sim = Sim::new(config(100.0), echo_after(10.0));
    sim.run_until(1_000.0);
    let now = sim.now;
    let s = &mut sim.session;
    s.on_message(now, Incoming::Binary(b"not a probe"));
    s.on_message(
        now,
        Incoming::Binary(&netlens_probe::wire::encode_probe(78, 1, 0.0, 32)),
    ); // another run
    s.on_message(
        now,
        Incoming::Binary(&netlens_probe::wire::encode_probe(77, 1, 0.0, 64)),
    ); // wrong size
    s.on_message(
        now,
        Incoming::Binary(&netlens_probe::wire::encode_probe(77, 999, 0.0, 32)),
    ); // never sent
    s.on_message(
        now,
        Incoming::Binary(&vec![0u8; Session::MAX_MESSAGE_BYTES + 1]),
    );
    // The browser worker does not copy a message it knows is too large; the size is enough.
    s.on_message(
        now,
        Incoming::TooLarge {
            bytes: 50 * 1024 * 1024,
        },
    );
    s.on_message(now, Incoming::Text("Request served by 1234"));
    let summary = s.summary(now);
    assert_eq!(summary.unmatched, 4);
    assert_eq!(summary.oversized, 2);
    assert_eq!(summary.other_messages, 1);
    assert_eq!(summary.duplicates, 0);
    assert_eq!(summary.rtt_ms.unwrap().max, 10.0);
}

#[test]
fn a_server_that_goes_away_is_reported_retried_with_back_off_and_resumed() {
    let mut sim = Sim::new(config(100.0), echo_after(20.0));
    sim.run_until(1_010.0); // probes at 5 … 1005; the one at 1005 is in flight
    let before = sim.session.summary(sim.now);
    assert_eq!(before.in_flight, 1);
    sim.kill(3_000.0);
    let s = sim.session.summary(sim.now);
    assert!(matches!(
        s.connection,
        ConnectionState::Waiting { failures: 1, .. }
    ));
    assert_eq!(s.lost, 1);
    sim.run_until(8_000.0);
    let s = sim.session.summary(sim.now);
    assert_eq!(s.connection, ConnectionState::Open { connection: 2 });
    assert_eq!(s.connections, 2);
    // The results from before the outage are kept.
    assert!(s.replies > before.replies + 30);
    let disconnects: Vec<_> = sim
        .session
        .events()
        .filter_map(|e| match e {
            Event::Disconnected {
                at_ms,
                retry_at_ms,
                was_open,
                lost_in_flight,
                ..
            } => Some((*at_ms, *retry_at_ms, *was_open, *lost_in_flight)),
            _ => None,
        })
        .collect();
    // Killed at 1010 (1 in flight), then refused attempts backing off 250, 500, 1000, 2000 ms:
    // attempts at 1260, 1765, 2770, 4775 (each +5 ms handshake); the server is back at 4010.
    assert_eq!(disconnects[0], (1010.0, Some(1260.0), true, 1));
    let retries: Vec<f64> = disconnects
        .iter()
        .skip(1)
        .map(|d| d.1.unwrap() - d.0)
        .collect();
    assert_eq!(retries, vec![500.0, 1000.0, 2000.0]);
    assert!(disconnects.iter().skip(1).all(|d| !d.2));
}

#[test]
fn a_stalled_server_makes_probes_time_out_with_back_off_and_memory_stays_bounded() {
    // Ten minutes at 50 probes/s; the server stops answering for a minute in the middle.
    let behaviour: Behaviour = Box::new(|_, now| {
        if (300_000.0..360_000.0).contains(&now) {
            vec![]
        } else {
            vec![2.0]
        }
    });
    let mut sim = Sim::new(config(20.0), behaviour);
    sim.run_until(600_000.0);
    let s = sim.session.summary(sim.now);
    assert!(s.sent >= 29_990, "{}", s.sent);
    assert!((2_990..=3_010).contains(&s.lost), "lost {}", s.lost);
    assert!(sim.session.samples().count() <= Session::MAX_SAMPLES);
    assert!(sim.session.events().count() <= Session::MAX_EVENTS);
    assert_eq!(s.connection, ConnectionState::Open { connection: 1 });
    // After the stall, replies resume and the timeout comes back down.
    assert_eq!(s.timeout_ms, 250.0);
    assert!((s.rtt_ms.unwrap().median - 2.0).abs() < 0.01);
}

#[test]
fn a_step_in_rtt_starts_a_new_segment_and_resets_the_current_view() {
    let behaviour: Behaviour = Box::new(|seq, _| {
        vec![if seq <= 100 {
            10.0 + (seq % 3) as f64 * 0.2
        } else {
            40.0 + (seq % 3) as f64 * 0.5
        }]
    });
    let mut sim = Sim::new(config(100.0), behaviour);
    sim.run_until(15_000.0);
    let changes: Vec<_> = sim
        .session
        .events()
        .filter_map(|e| match e {
            Event::Change {
                seq,
                segment,
                direction,
                from_ms,
                to_ms,
                ..
            } => Some((*seq, *segment, *direction, *from_ms, *to_ms)),
            _ => None,
        })
        .collect();
    assert_eq!(changes.len(), 1, "{changes:?}");
    let (seq, segment, direction, from, to) = changes[0];
    assert!((101..=105).contains(&seq), "detected at {seq}");
    assert_eq!((segment, direction), (2, Direction::Up));
    assert!(
        (from - 10.2).abs() < 0.3 && (to - 40.5).abs() < 1.0,
        "{from} → {to}"
    );
    let s = sim.session.summary(sim.now);
    assert_eq!(s.segment, 2);
    // The current view holds only the new level; the whole run holds both.
    assert!(s.window.unwrap().distribution.min >= 40.0);
    assert!(s.segment_rtt_ms.unwrap().min >= 40.0);
    assert!(s.rtt_ms.unwrap().min < 11.0);
    // The samples since the onset carry the new segment.
    let first_new = sim.session.samples().find(|x| x.segment == 2).unwrap();
    assert_eq!(first_new.seq, 101);
    // A driver that keeps what `drain` gives, replacing by seq (the browser page), ends with
    // exactly the session's record: the re-labelled samples came through again.
    let (fresh, _) = sim.session.drain();
    let mut copy: Vec<netlens_probe::Sample> = Vec::new();
    for sample in fresh {
        match copy.iter_mut().find(|c| c.seq == sample.seq) {
            Some(c) => *c = sample,
            None => copy.push(sample),
        }
    }
    assert_eq!(copy, sim.session.samples().copied().collect::<Vec<_>>());
}

#[test]
fn no_send_while_the_socket_holds_unsent_data() {
    let mut session = Session::new(config(100.0), 1, 0.0);
    assert_eq!(session.poll(0.0, 0).actions, vec![Action::Connect]);
    session.opened(3.0);
    assert!(matches!(session.poll(3.0, 10).actions.as_slice(), []));
    assert_eq!(session.summary(3.0).skipped, 1);
    assert!(matches!(
        session.poll(103.0, 0).actions.as_slice(),
        [Action::Send(_)]
    ));
    assert_eq!(session.summary(103.0).sent, 1);
}

#[test]
fn a_counted_run_closes_when_every_probe_resolved() {
    let mut sim = Sim::new(
        ProbeConfig {
            count: Some(5),
            ..config(50.0)
        },
        echo_after(30.0),
    );
    sim.run_until(5_000.0);
    assert!(sim.session.finished());
    let s = sim.session.summary(sim.now);
    assert_eq!((s.sent, s.replies, s.in_flight), (5, 5, 0));
    assert!(!sim.connected);
}

#[test]
fn fresh_connection_mode_measures_a_handshake_per_probe() {
    let mut sim = Sim::new(
        ProbeConfig {
            fresh_connection: true,
            count: Some(10),
            ..config(200.0)
        },
        echo_after(15.0),
    );
    sim.connect_delay = 12.0;
    sim.run_until(10_000.0);
    let s = sim.session.summary(sim.now);
    assert!(sim.session.finished());
    assert_eq!((s.sent, s.replies, s.connections), (10, 10, 10));
    assert_eq!(s.connect.unwrap().count, 10);
    assert_eq!(s.connect_ms, Some(12.0));
    assert_eq!(s.rtt_ms.unwrap().median, 15.0);
    // A close the client asked for is not a disconnect.
    assert!(
        !sim.session
            .events()
            .any(|e| matches!(e, Event::Disconnected { .. }))
    );
}

#[test]
fn request_response_mode_matches_replies_by_json_field() {
    let config = ProbeConfig {
        mode: MessageMode::RequestResponse {
            template: r#"{"type":"ping","id":{seq},"t":{t}}"#.into(),
            match_field: "id".into(),
        },
        ..config(100.0)
    };
    let mut sim = Sim::new(config, echo_after(7.0));
    sim.run_until(2_000.0);
    let s = sim.session.summary(sim.now);
    assert_eq!((s.sent, s.replies, s.lost), (20, 20, 0));
    assert_eq!(s.rtt_ms.unwrap().median, 7.0);
}

#[test]
fn the_timeout_adapts_and_backs_off() {
    let mut session = Session::new(config(1000.0), 1, 0.0);
    assert_eq!(session.timeout_ms(), 1000.0);
    let _ = session.poll(0.0, 0);
    session.opened(0.0);
    let _ = session.poll(0.0, 0); // probe 1 at 0
    session.on_message(
        400.0,
        Incoming::Binary(&netlens_probe::wire::encode_probe(1, 1, 0.0, 32)),
    );
    // SRTT 400, RTTVAR 200: 400 + 800 = 1200.
    assert_eq!(session.timeout_ms(), 1200.0);
    let _ = session.poll(1000.0, 0); // probe 2 at 1000, never answered
    let _ = session.poll(2201.0, 0); // timed out: back-off doubles
    assert_eq!(session.summary(2201.0).lost, 1);
    assert_eq!(session.timeout_ms(), 2400.0);
    let fixed = Session::new(
        ProbeConfig {
            timeout_ms: Some(300.0),
            ..config(100.0)
        },
        1,
        0.0,
    );
    assert_eq!(fixed.timeout_ms(), 300.0);
}

/// The page reads exactly what the worker posts (`netlens_probe::codec`), for a run with every
/// kind of event and sample: replies, a level change, loss, late replies, a dropped connection
/// and a hidden page; and a damaged message is refused, never a panic.
#[test]
fn reports_cross_from_worker_to_page_exactly() {
    use netlens_probe::codec::{decode, encode};
    use netlens_probe::worker::{Report, WorkerEnvironment};
    // 20 ms, then 80 ms (a change), every 7th probe lost and every 11th answered late.
    let mut sim = Sim::new(
        config(50.0),
        Box::new(|seq, now| match seq {
            s if s % 7 == 3 => vec![],
            s if s % 11 == 5 => vec![5_000.0],
            _ if now < 4_000.0 => vec![20.0],
            _ => vec![80.0],
        }),
    );
    sim.run_until(3_000.0);
    sim.session.set_hidden(true, sim.now);
    sim.run_until(6_000.0);
    sim.session.set_hidden(false, sim.now);
    sim.kill(500.0);
    sim.run_until(9_000.0);
    let summary = sim.session.summary(sim.now);
    let (samples, events) = sim.session.drain();
    for kind in ["connected", "disconnected", "change", "visibility"] {
        let json = serde_json::to_string(&events).unwrap();
        assert!(
            json.contains(&format!("\"kind\":\"{kind}\"")),
            "no {kind} event"
        );
    }
    assert!(samples.iter().any(|s| s.outcome == Outcome::Late));
    assert!(summary.window.is_some() && summary.rtt_ms.is_some());
    let reports = [
        Report::Ready {
            environment: WorkerEnvironment {
                timer_resolution_ms: 0.005,
                cross_origin_isolated: true,
                user_agent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/150 ✓".into(),
            },
        },
        Report::Update {
            run_id: 77,
            summary: Box::new(summary),
            samples,
            events,
        },
        Report::Error {
            message: "The endpoint is not a ws:// or wss:// URL.".into(),
        },
        Report::Quality {
            run_id: 78,
            live: Box::new(finished_quality_run()),
        },
    ];
    for report in &reports {
        let encoded = encode(report);
        assert_eq!(
            decode(&encoded.numbers, &encoded.strings).as_ref(),
            Some(report)
        );
        // Cut short, lengthened, or a number out of range: refused.
        let numbers = &encoded.numbers;
        for end in 0..numbers.len() {
            assert_eq!(decode(&numbers[..end], &encoded.strings), None);
        }
        let mut longer = numbers.clone();
        longer.push(0.0);
        assert_eq!(decode(&longer, &encoded.strings), None);
        let mut bad_tag = numbers.clone();
        bad_tag[0] = 9.5;
        assert_eq!(decode(&bad_tag, &encoded.strings), None);
    }
    // A huge element count is refused without allocating for it.
    assert_eq!(decode(&[1.0, 1.0, 4.0, 1e15], &[]), None);
}

/// A stall of the driver's thread (a busy device): the reply timed in it is marked disturbed
/// (it was timed before the stall was seen, so it is marked again through `drain`), as is one
/// timed just after; the run's statistics are given with and without them; a reply that came
/// well after is not marked.
#[test]
fn replies_timed_in_a_stall_of_the_driver_are_marked_disturbed() {
    // Sends at 5, 25, 45 … ms.
    let delays = |seq: u64, _| match seq {
        2 => vec![5.0],  // due at 30, in the stall: timed at 40
        3 => vec![5.0],  // sent at 45 (after the stall), timed at 50
        5 => vec![15.1], // sent at 85, due at 100.1: just after the second stall
        _ => vec![5.0],
    };
    let mut sim = Sim::new(config(20.0), Box::new(delays));
    sim.stalls = vec![(30.0, 40.0), (90.0, 100.0)];
    sim.run_until(12.0);
    let _ = sim.session.drain();
    sim.run_until(1_000.0);
    let s = sim.session.summary(sim.now);
    let disturbed = sim.disturbed_seqs();
    assert_eq!(disturbed, [2, 5]);
    assert_eq!(s.disturbed, 2);
    let all = s.rtt_ms.unwrap();
    let without = s.rtt_ms_undisturbed.unwrap();
    assert_eq!(all.count, 50);
    assert!((all.max - 15.1).abs() < 1e-9, "{}", all.max);
    // The run without them: 3 significant digits (the HDR histogram's).
    assert_eq!(without.count, 48);
    assert!((without.max - 5.0).abs() < 0.01, "{}", without.max);
    assert!((without.mean - 5.0).abs() < 1e-9, "{}", without.mean);
    // The heartbeat timer due at 33 ms woke at 40; the one due at 93 at 100.
    let lag = s.scheduling_lag_ms.unwrap();
    assert_eq!(lag.max, 7.0);
    assert_eq!(lag.min, 0.0);
    // Sample 2 was drained unmarked, then again marked.
    let (fresh, _) = sim.session.drain();
    let twice: Vec<_> = fresh.iter().filter(|x| x.seq == 2).collect();
    assert!(twice.iter().any(|x| !x.disturbed) && twice.last().unwrap().disturbed);
    // The CSV carries the mark.
    let csv = netlens_probe::export::csv(sim.session.samples());
    assert!(csv.lines().nth(2).unwrap().ends_with(",true"), "{csv}");
}

/// No stall, no mark: the heartbeat wakes on time, the undisturbed view is absent.
#[test]
fn an_undisturbed_run_marks_nothing() {
    let mut sim = Sim::new(config(20.0), echo_after(30.0));
    sim.run_until(2_000.0);
    let s = sim.session.summary(sim.now);
    assert_eq!(s.disturbed, 0);
    assert_eq!(s.rtt_ms_undisturbed, None);
    assert_eq!(s.scheduling_lag_ms.unwrap().max, 0.0);
    assert!(sim.session.samples().all(|x| !x.disturbed));
}

/// At 100 ms RTT with five probes in flight, the heartbeat wakes the driver just ahead of each
/// expected reply, not every 4 ms: about one wake-up per send and one per reply. A stall that
/// holds a reply up is still seen.
#[test]
fn heartbeats_come_when_a_reply_may_and_still_see_stalls() {
    let mut sim = Sim::new(config(20.0), echo_after(100.0));
    sim.run_until(2_000.0);
    // About 100 sends and 95 replies in 2 s; a heartbeat every 4 ms would be 500 more.
    assert!(
        (100..=260).contains(&sim.timer_wakes),
        "{} timer wake-ups",
        sim.timer_wakes
    );
    assert_eq!(sim.session.summary(sim.now).disturbed, 0);

    // Sends at 5, 25, 45 … ms: the reply to the probe sent at 1 005 ms is due at 1 105, in a
    // stall from 1 104.5 to 1 110.
    let mut sim = Sim::new(config(20.0), echo_after(100.0));
    sim.stalls = vec![(1_104.5, 1_110.0)];
    sim.run_until(2_000.0);
    let disturbed = sim.disturbed_seqs();
    assert_eq!(
        disturbed,
        [51],
        "the probe sent at 1 005 ms (the first is 1, at 5 ms)"
    );
}

/// A send due just before a reply is expected waits for it (sending holds the prober's thread,
/// and would delay the reply's timestamp), never more than `SEND_YIELD_MS`; a reply expected
/// later does not hold sends up, and neither does one that never comes for long.
#[test]
fn a_send_due_as_a_reply_is_expected_waits_for_it() {
    use netlens_probe::session::SEND_YIELD_MS;
    // (seq, sent at, send delay, RTT) from the 11th probe on (the SRTT has settled).
    let run = |rtt: f64, lose: Option<u64>| {
        let behaviour: Behaviour = Box::new(
            move |seq, _| {
                if Some(seq) == lose { vec![] } else { vec![rtt] }
            },
        );
        let mut sim = Sim::new(config(20.0), behaviour);
        sim.run_until(1_000.0);
        sim.session
            .samples()
            .filter(|s| s.seq > 10)
            .map(|s| (s.seq, s.sent_at_ms, s.send_delay_ms, s.rtt_ms))
            .collect::<Vec<_>>()
    };
    // Replies 100.5 ms after their send come 0.5 ms after the next-but-four send is due. No
    // send goes out in the millisecond before a reply; none waits more than SEND_YIELD_MS.
    let close = run(100.5, None);
    let replies: Vec<f64> = close
        .iter()
        .map(|(_, at, _, rtt)| at + rtt.unwrap())
        .collect();
    for (seq, at, delay, rtt) in &close {
        assert_eq!(*rtt, Some(100.5));
        assert!(*delay <= SEND_YIELD_MS, "probe {seq} waited {delay} ms");
        assert!(
            !replies.iter().any(|r| *at > r - SEND_YIELD_MS && at < r),
            "probe {seq} went out at {at}, just before a reply: {close:?}"
        );
    }
    assert!(
        close.iter().any(|(_, _, delay, _)| *delay > 0.0),
        "some waited"
    );
    // Replies 3 ms after a send is due: no wait.
    assert!(
        run(103.0, None)
            .iter()
            .all(|(_, _, delay, _)| *delay == 0.0)
    );
    // The reply to probe 20 never comes: the send due as it was expected waits the most there
    // is, then goes.
    let lost = run(103.0 - 2.5, Some(20));
    let delay_of = |seq| lost.iter().find(|(s, ..)| *s == seq).unwrap().2;
    assert_eq!(delay_of(25), SEND_YIELD_MS);
}

/// The gap before the next expected reply, where the worker posts its updates.
#[test]
fn quiet_for_is_the_time_until_the_next_reply_is_expected() {
    let mut sim = Sim::new(config(20.0), echo_after(50.0));
    // Sends at 5, 25, 45 … ms; replies 50 ms later.
    sim.run_until(50.0);
    assert_eq!(sim.session.quiet_for(50.0), 0.0, "no RTT known yet");
    // The first reply came at 55 ms (SRTT 50): the oldest in flight, sent at 25, is expected
    // at 75.
    sim.run_until(60.0);
    assert_eq!(sim.session.quiet_for(60.0), 15.0);
    let mut idle = Sim::new(config(1000.0), echo_after(5.0));
    idle.run_until(500.0);
    assert_eq!(idle.session.quiet_for(500.0), f64::INFINITY);
}

/// Safari suspends a hidden page and its workers: the driver's timer fires seconds late. The
/// probe in flight then is interrupted (its reply, handled before the timer on resuming, would
/// carry the pause as RTT), neither a reply nor a loss, and the pause is an event and a note.
#[test]
fn a_hidden_page_suspended_by_the_browser_interrupts_its_probes_and_says_so() {
    // Sends at 5, 105, … (seq 1, 2, …); seq 10, at 905, is due back at 925, inside the pause.
    let mut sim = Sim::new(config(100.0), echo_after(20.0));
    sim.run_until(900.0);
    sim.session.set_hidden(true, sim.now);
    sim.stalls = vec![(915.0, 5_915.0)];
    sim.run_until(6_000.0);
    sim.session.set_hidden(false, sim.now);
    sim.run_until(8_000.0);
    let s = sim.session.summary(sim.now);
    assert_eq!((s.suspensions, s.interrupted, s.lost, s.late), (1, 1, 0, 0));
    assert!(
        s.suspended_ms > 4_900.0 && s.suspended_ms <= 5_000.0,
        "{}",
        s.suspended_ms
    );
    assert_eq!(s.loss, 0.0);
    assert!(
        (s.rtt_ms.unwrap().max - 20.0).abs() < 1e-9,
        "no RTT carries the pause"
    );
    let suspended: Vec<_> = sim
        .session
        .events()
        .filter_map(|e| match e {
            Event::Suspended {
                to_ms,
                hidden,
                interrupted_in_flight,
                ..
            } => Some((*to_ms, *hidden, *interrupted_in_flight)),
            _ => None,
        })
        .collect();
    assert_eq!(suspended, [(5_915.0, true, 1)]);
    let interrupted: Vec<_> = sim
        .session
        .samples()
        .filter(|x| x.outcome == Outcome::Interrupted)
        .map(|x| (x.seq, x.rtt_ms))
        .collect();
    assert_eq!(interrupted, [(10, None)]);
    let note = s.interruption_note().unwrap();
    assert!(
        note.starts_with("The run was suspended once, for 5.0 s"),
        "{note}"
    );
    assert!(
        note.contains("1 probe in flight then was interrupted"),
        "{note}"
    );
    // After the pause the run goes on (nothing was sent during it, nor made up for after):
    // every probe sent is a reply or the interrupted one; the CSV says "interrupted".
    assert!(s.replies >= 29, "{}", s.replies);
    assert_eq!(s.sent, s.replies + s.interrupted + s.in_flight);
    assert!(netlens_probe::export::csv(sim.session.samples()).contains(",interrupted,"));
}

/// The same pause with the page visible is a busy device, not a suspension: the reply is
/// disturbed; a pause past `SLEEP_MS` is a suspension whatever the visibility (a sleeping device).
#[test]
fn a_visible_page_is_suspended_only_by_a_pause_as_long_as_sleep() {
    let mut busy = Sim::new(config(100.0), echo_after(20.0));
    busy.stalls = vec![(915.0, 5_915.0)];
    busy.run_until(8_000.0);
    let s = busy.session.summary(busy.now);
    assert_eq!((s.suspensions, s.interrupted), (0, 0));
    assert!(busy.disturbed_seqs().contains(&10));
    assert_eq!(s.interruption_note(), None);

    let mut asleep = Sim::new(config(100.0), echo_after(20.0));
    asleep.stalls = vec![(915.0, 15_915.0)];
    asleep.run_until(17_000.0);
    let s = asleep.session.summary(asleep.now);
    assert_eq!((s.suspensions, s.interrupted, s.lost), (1, 1, 0));
    assert!(
        asleep
            .session
            .events()
            .any(|e| matches!(e, Event::Suspended { hidden: false, .. }))
    );
}

/// A connection lost with no close frame while the page is hidden, or just after a suspension,
/// is taken for the browser's doing (Safari closes the WebSockets of pages it suspends): its
/// probe in flight is interrupted, not lost, and the event says why. Visible, it is lost.
#[test]
fn a_connection_lost_while_hidden_interrupts_rather_than_loses() {
    let mut hidden = Sim::new(config(100.0), echo_after(20.0));
    hidden.run_until(1_010.0); // the probe sent at 1005 is in flight
    hidden.session.set_hidden(true, hidden.now);
    hidden.kill(0.0);
    let s = hidden.session.summary(hidden.now);
    assert_eq!((s.lost, s.interrupted), (0, 1));
    let Some(Event::Disconnected {
        reason,
        lost_in_flight,
        interrupted_in_flight,
        ..
    }) = hidden.session.events().last()
    else {
        panic!("no disconnection event");
    };
    assert_eq!((*lost_in_flight, *interrupted_in_flight), (0, 1));
    assert!(reason.contains("while the page was hidden"), "{reason}");
    // It reconnects and goes on.
    hidden.session.set_hidden(false, hidden.now);
    hidden.run_until(3_000.0);
    assert_eq!(hidden.session.summary(hidden.now).connections, 2);

    // Visible again, but within the grace after a suspension: still the browser's doing.
    let mut resumed = Sim::new(config(100.0), echo_after(20.0));
    resumed.run_until(900.0);
    resumed.session.set_hidden(true, resumed.now);
    resumed.stalls = vec![(915.0, 5_915.0)];
    resumed.run_until(5_950.0);
    resumed.session.set_hidden(false, resumed.now);
    resumed.run_until(6_020.0); // a probe sent after the pause is in flight
    resumed.kill(0.0);
    let s = resumed.session.summary(resumed.now);
    assert_eq!((s.lost, s.interrupted), (0, 2));

    // Visible, no suspension: a lost connection loses its probe in flight, as before.
    let mut visible = Sim::new(config(100.0), echo_after(20.0));
    visible.run_until(1_010.0);
    visible.kill(0.0);
    let s = visible.session.summary(visible.now);
    assert_eq!((s.lost, s.interrupted), (1, 0));
}

/// The page's "visible again" may reach the driver before its late timer: the pause still
/// counts as a suspension of a hidden page.
#[test]
fn a_suspension_is_seen_when_the_page_is_shown_before_the_late_timer_fires() {
    let mut sim = Sim::new(config(100.0), echo_after(20.0));
    sim.run_until(900.0);
    sim.session.set_hidden(true, sim.now);
    sim.stalls = vec![(915.0, 5_915.0)];
    sim.run_until(910.0);
    sim.now = 5_915.0;
    sim.session.set_hidden(false, sim.now);
    sim.run_until(7_000.0);
    let s = sim.session.summary(sim.now);
    assert_eq!((s.suspensions, s.interrupted, s.lost), (1, 1, 0));
    assert!(
        sim.session
            .events()
            .any(|e| matches!(e, Event::Suspended { hidden: true, .. }))
    );
}

/// A working-conditions run played to its end on a simulated path (every phase, a problem, the
/// export): what the worker posts last.
fn finished_quality_run() -> netlens_probe::quality::run::QualityLive {
    use netlens_probe::quality::run::{Action, FlowKind, Phase, QualityRun, RunConfig};
    let config = RunConfig {
        idle_ms: 300.0,
        phase_limit_ms: 1_000.0,
        cooldown_ms: 300.0,
        ..RunConfig::default()
    };
    let mut run = QualityRun::new(config, 0.0);
    let mut now = 0.0;
    for _ in 0..500 {
        if run.phase() == Phase::Done {
            break;
        }
        now = run.next_wake_ms();
        for action in run.poll(now) {
            match action {
                Action::OpenFlow { flow, kind } => {
                    run.opened(flow);
                    if kind != FlowKind::Idle {
                        run.received(flow, 10_000);
                    }
                }
                Action::SelfProbe { flow } => run.self_reply(flow, now + 9.0, 9.0),
                Action::ForeignProbe { probe } => run.foreign(probe, now + 5.0, 4.0, 5.0),
                Action::CloseFlows => {}
            }
        }
    }
    let live = run.live(now);
    assert_eq!(live.phase, Phase::Done);
    assert!(live.export.is_some() && live.phases.len() == 3);
    live
}
