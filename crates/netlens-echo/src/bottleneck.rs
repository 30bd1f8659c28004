//! A bottleneck link you can dial, since test machines have no netem: a FIFO of `queue` bytes
//! drained at `rate`, as a home router with a bloated buffer behaves. Once senders keep the
//! queue full, everything that passes waits about `queue / rate` (250 KB at 20 Mbit/s: 100 ms),
//! which is what a responsiveness test measures.
//!
//! The queue is kept in virtual time rather than as buffered messages: a message of `len` bytes
//! that arrives at `t` leaves at `max(t, busy_until) + len / rate`, and the backlog at `t` is
//! `(busy_until − t) × rate`. A message that does not fit waits (the sender is held back, as TCP
//! would be once the router drops) until enough has drained. Messages keep their order, and the
//! echo server releases each at its departure time, so one lock and two numbers model the link.

use std::sync::{Arc, Mutex};

use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// Messages up to this size (a latency probe, a report, an upgrade request) always enter the
/// queue: a drop-tail router's queue, kept full by bulk senders, still takes a small packet
/// now and then, and a probe must not starve behind senders that wait for room. Bulk messages
/// are larger than this.
pub const SMALL_BYTES: usize = 512;

/// Smallest rate (8 kbit/s) and largest queue (64 MiB) a bottleneck accepts.
pub const MIN_RATE_KBPS: f64 = 8.0;
/// See [`MIN_RATE_KBPS`].
pub const MAX_QUEUE_KB: f64 = 65_536.0;

/// One direction of a bottleneck link.
#[derive(Debug)]
pub struct Bottleneck {
    /// Drain rate, bytes per second.
    bytes_per_s: f64,
    /// Queue size, bytes.
    capacity: f64,
    /// The queue: when the last admitted byte leaves, and what is still in it.
    busy_until: Mutex<Queue>,
    /// Senders that wait for room take turns, first come first served (tokio's mutex is fair).
    entry: tokio::sync::Mutex<()>,
}

/// A bottleneck's settings, as the query string and the command line give them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shape {
    /// Rate in kbit/s (1000 bit/s).
    pub rate_kbps: f64,
    /// Queue in KB (1000 bytes).
    pub queue_kb: f64,
}

impl Shape {
    /// Checks the bounds; `None` with a sentence when out of them.
    pub fn new(rate_kbps: f64, queue_kb: f64) -> Result<Shape, String> {
        if rate_kbps.is_nan() || rate_kbps < MIN_RATE_KBPS || !rate_kbps.is_finite() {
            return Err(format!(
                "rate_kbps={rate_kbps}: at least {MIN_RATE_KBPS} kbit/s"
            ));
        }
        if !(0.0..=MAX_QUEUE_KB).contains(&queue_kb) {
            return Err(format!("queue_kb={queue_kb}: from 0 to {MAX_QUEUE_KB} KB"));
        }
        Ok(Shape {
            rate_kbps,
            queue_kb,
        })
    }

    /// The added delay a full queue causes: `queue / rate`.
    pub fn full_queue_delay(&self) -> Duration {
        Duration::from_secs_f64(self.queue_kb * 8.0 / self.rate_kbps)
    }
}

/// How early a waiting sender wakes up (see [`Bottleneck::pass`]).
const EARLY: Duration = Duration::from_millis(2);

/// Why a message must wait before it enters the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// It entered and leaves at this time.
    Leaves(Instant),
    /// The queue is full: try again at this time.
    Full(Instant),
}

impl Bottleneck {
    /// An empty bottleneck of this shape.
    pub fn new(shape: Shape) -> Bottleneck {
        Bottleneck {
            bytes_per_s: shape.rate_kbps * 1000.0 / 8.0,
            capacity: shape.queue_kb * 1000.0,
            busy_until: Mutex::new(Queue::default()),
            entry: tokio::sync::Mutex::new(()),
        }
    }

    /// Drain rate, bytes per second.
    pub fn bytes_per_s(&self) -> f64 {
        self.bytes_per_s
    }

    fn transmit(&self, len: usize) -> Duration {
        Duration::from_secs_f64(len as f64 / self.bytes_per_s)
    }

    /// Offers `len` bytes arriving at `now`; [`SMALL_BYTES`] or fewer always enter.
    ///
    /// Messages leave in the order they arrive. A waiting bulk sender enters at the moment room
    /// appears, which its task reaches a little early ([`EARLY`]), so the queue can hold
    /// messages dated a moment ahead of the real clock: a small message arriving now is served
    /// before those (it arrived first), and they move back by its transmission time.
    pub fn admit(&self, len: usize, now: Instant) -> Admission {
        let mut q = self
            .busy_until
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        q.drain_before(now);
        let start = q.busy_until.filter(|b| *b > now).unwrap_or(now);
        let backlog = start.duration_since(now).as_secs_f64() * self.bytes_per_s;
        // A message larger than the whole queue enters once the queue is empty.
        let room = (self.capacity - len as f64).max(0.0);
        if len > SMALL_BYTES {
            if backlog > room {
                let wait = Duration::from_secs_f64((backlog - room) / self.bytes_per_s);
                return Admission::Full(now + wait);
            }
            let leaves = start + self.transmit(len);
            q.admit(now, leaves);
            return Admission::Leaves(leaves);
        }
        // Small: behind what arrived before it, ahead of what is dated later.
        let ahead = q.leaves_of_arrived_by(now).max(now);
        let leaves = ahead + self.transmit(len);
        q.busy_until = Some(start + self.transmit(len));
        q.admit(now, leaves);
        Admission::Leaves(leaves)
    }

    /// Waits for room, then returns when `len` bytes arriving at `at` (now or later) leave.
    ///
    /// A message that waits for room enters the queue at the moment room appears, in the
    /// queue's virtual time: the task wakes up to [`EARLY`] before it (tokio's timer is late by
    /// up to a millisecond), so a sender that keeps the queue full keeps it full to the byte.
    pub async fn pass(&self, len: usize, at: Instant) -> Instant {
        if let Admission::Leaves(leaves) = self.admit(len, at.max(Instant::now())) {
            return leaves;
        }
        // Full: wait in line. Holding the turn, a sender is the only one taking the room that
        // appears, so every wait ends with the message admitted (the bound is a safety net).
        let _turn = self.entry.lock().await;
        let mut at = at;
        for _ in 0..1000 {
            match self.admit(len, at.max(Instant::now())) {
                Admission::Leaves(leaves) => return leaves,
                Admission::Full(retry) => {
                    tokio::time::sleep_until((retry.checked_sub(EARLY).unwrap_or(retry)).into())
                        .await;
                    at = retry;
                }
            }
        }
        self.force(len, at.max(Instant::now()))
    }

    /// Admits `len` bytes at `now` whether or not they fit.
    fn force(&self, len: usize, now: Instant) -> Instant {
        let mut q = self
            .busy_until
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let leaves = q.busy_until.filter(|b| *b > now).unwrap_or(now) + self.transmit(len);
        q.admit(now, leaves);
        leaves
    }
}

/// What is in a bottleneck's queue: each message's arrival and departure, oldest first, and
/// when the last leaves. Bounded: entries go once they have left (a full queue holds its size
/// over the smallest bulk message, a few hundred at most).
#[derive(Debug, Default)]
struct Queue {
    busy_until: Option<Instant>,
    messages: std::collections::VecDeque<(Instant, Instant)>,
}

impl Queue {
    fn drain_before(&mut self, now: Instant) {
        while self
            .messages
            .front()
            .is_some_and(|(_, leaves)| *leaves <= now)
        {
            self.messages.pop_front();
        }
    }

    fn admit(&mut self, arrival: Instant, leaves: Instant) {
        self.busy_until = Some(self.busy_until.map_or(leaves, |b| b.max(leaves)));
        // A safety bound: a queue of tiny messages never grows without limit.
        if self.messages.len() >= 65_536 {
            self.messages.pop_front();
        }
        self.messages.push_back((arrival, leaves));
    }

    /// When the last message that arrived by `now` leaves.
    fn leaves_of_arrived_by(&self, now: Instant) -> Instant {
        self.messages
            .iter()
            .filter(|(arrival, _)| *arrival <= now)
            .map(|(_, leaves)| *leaves)
            .max()
            .unwrap_or(now)
    }
}

/// Pieces [`Link::paced_down`] admits ahead of their sending: admission bounds them by the
/// queue; this, above a [`MAX_QUEUE_KB`] queue's count of 16 KiB pieces, keeps the channel
/// finite.
const PACED_BACKLOG: usize = 8192;

/// Both directions of a link: what the client sends passes `up`, what the server sends `down`.
#[derive(Debug)]
pub struct Link {
    /// Client → server.
    pub up: Bottleneck,
    /// Server → client.
    pub down: Bottleneck,
}

impl Link {
    /// A link with the same shape each way.
    pub fn new(shape: Shape) -> Link {
        Link {
            up: Bottleneck::new(shape),
            down: Bottleneck::new(shape),
        }
    }

    /// Leave times for an endless stream of `chunk`-byte pieces sent down the link: each is
    /// admitted as soon as the queue has room, so a bulk sender keeps the queue full (as TCP
    /// keeps a router's full) and what else crosses the link waits behind it. The sender
    /// sends each piece at its leave time; dropping the receiver ends the admissions.
    pub fn paced_down(self: &Arc<Self>, chunk: usize) -> mpsc::Receiver<Instant> {
        debug_assert!(chunk > 0);
        // Room for every piece a full queue can hold: admission, not this channel, is the bound.
        let (tx, rx) = mpsc::channel(PACED_BACKLOG);
        let link = Arc::clone(self);
        tokio::spawn(async move {
            // Ends when the receiver is dropped (the transfer ended).
            loop {
                let leaves = link.down.pass(chunk, Instant::now()).await;
                if tx.send(leaves).await.is_err() {
                    break;
                }
            }
        });
        rx
    }

    /// The size of a bulk piece sent down this link: half a millisecond of its time, between
    /// `smallest` and `largest` bytes. The queue is full to within one piece, so what waits
    /// behind it waits `queue / rate` less half a piece (0.25 ms), not less half of a large
    /// write (13 ms for 32 KiB at 20 Mbit/s).
    pub fn piece_bytes(&self, smallest: usize, largest: usize) -> usize {
        ((self.down.bytes_per_s() / 2000.0) as usize).clamp(smallest, largest.max(smallest))
    }

    /// When an exchange starting now is done: a request of `request_bytes` crosses the link up,
    /// then its answer of `response_bytes` crosses it down, each behind what waits in its queue,
    /// as a probe crosses a loaded home link both ways.
    pub async fn exchange(&self, request_bytes: usize, response_bytes: usize) -> Instant {
        let up = self.up.pass(request_bytes, Instant::now()).await;
        self.down.pass(response_bytes, up).await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn a_full_queue_delays_by_queue_over_rate_and_holds_senders_back() {
        // 8 Mbit/s = 1 MB/s, 100 KB queue: 100 ms when full.
        let shape = Shape::new(8000.0, 100.0).unwrap();
        assert_eq!(shape.full_queue_delay(), Duration::from_millis(100));
        let link = Bottleneck::new(shape);
        let t0 = Instant::now();
        let mut last = t0;
        let mut admitted = 0;
        for _ in 0..20 {
            match link.admit(10_000, t0) {
                Admission::Leaves(at) => {
                    last = at;
                    admitted += 1;
                }
                Admission::Full(retry) => {
                    // Room for one more 10 KB message after 10 ms of draining.
                    assert_eq!(retry.duration_since(t0), Duration::from_millis(10));
                    break;
                }
            }
        }
        assert_eq!(admitted, 10);
        assert_eq!(last.duration_since(t0), Duration::from_millis(100));
        // A small message arriving now enters all the same, and waits behind the whole queue.
        match link.admit(0, t0) {
            Admission::Leaves(at) => assert_eq!(at.duration_since(t0), Duration::from_millis(100)),
            other => panic!("{other:?}"),
        }
        // Once drained, no wait beyond the message's own transmission time.
        let later = t0 + Duration::from_secs(1);
        match link.admit(1000, later) {
            Admission::Leaves(at) => assert_eq!(at.duration_since(later), Duration::from_millis(1)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn shapes_are_bounded() {
        assert!(Shape::new(1.0, 10.0).unwrap_err().contains("at least 8"));
        assert!(Shape::new(f64::NAN, 10.0).is_err());
        assert!(Shape::new(1000.0, -1.0).is_err());
        assert!(Shape::new(1000.0, 1e9).is_err());
        assert!(Shape::new(1000.0, 0.0).is_ok());
    }
}
