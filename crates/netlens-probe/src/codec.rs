//! [`Report`]s from the worker to the page as a list of numbers and a list of strings.
//!
//! Page and worker are two instances of one wasm module, so the encoding only has to agree with
//! itself: field by field, in declaration order, no names. The JSON export keeps the tagged
//! shapes people read (`{"state": "open", …}`), but reading those back costs serde's buffering of
//! every message, which was about 10 KiB gzip of the probe page; this reader is a few hundred
//! bytes. Numbers travel as `f64` (counters stay exact below 2^53), so the page posts them as one
//! `Float64Array`.
//!
//! [`decode`] never panics: a message that does not fit gives `None`.

use crate::change::Direction;
use crate::quality::Confidence as QualityConfidence;
use crate::quality::run::{Phase, PhaseLine, QualityLive};
use crate::session::{ConnectionState, Event, Outcome, Sample, Summary};
use crate::stats::{Confidence, Distribution, Quality, WindowStats};
use crate::wire::KernelView;
use crate::worker::{Report, WorkerEnvironment};

/// An encoded [`Report`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Encoded {
    /// Every number, in order.
    pub numbers: Vec<f64>,
    /// Every string, in order.
    pub strings: Vec<String>,
}

/// Reads an [`Encoded`] front to back.
struct Reader<'a> {
    numbers: std::slice::Iter<'a, f64>,
    strings: std::slice::Iter<'a, String>,
}

impl Reader<'_> {
    fn number(&mut self) -> Option<f64> {
        self.numbers.next().copied()
    }
    /// A whole number in `0..=max` (a count, an index, a flag).
    fn whole(&mut self, max: f64) -> Option<f64> {
        self.number()
            .filter(|n| n.fract() == 0.0 && (0.0..=max).contains(n))
    }
}

/// A type that travels in an [`Encoded`].
trait Wire: Sized {
    fn put(&self, out: &mut Encoded);
    fn get(input: &mut Reader<'_>) -> Option<Self>;
}

impl Wire for f64 {
    fn put(&self, out: &mut Encoded) {
        out.numbers.push(*self);
    }
    fn get(input: &mut Reader<'_>) -> Option<Self> {
        input.number()
    }
}

macro_rules! whole_numbers {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            fn put(&self, out: &mut Encoded) {
                out.numbers.push(*self as f64);
            }
            fn get(input: &mut Reader<'_>) -> Option<Self> {
                // Exact: only whole numbers the type holds (u64 up to 2^53).
                input.whole((<$t>::MAX as f64).min(9_007_199_254_740_992.0)).map(|n| n as $t)
            }
        }
    )*};
}
whole_numbers!(u16, u32, u64);

impl Wire for bool {
    fn put(&self, out: &mut Encoded) {
        out.numbers.push(f64::from(u8::from(*self)));
    }
    fn get(input: &mut Reader<'_>) -> Option<Self> {
        input.whole(1.0).map(|n| n == 1.0)
    }
}

impl Wire for String {
    fn put(&self, out: &mut Encoded) {
        out.strings.push(self.clone());
    }
    fn get(input: &mut Reader<'_>) -> Option<Self> {
        input.strings.next().cloned()
    }
}

impl<T: Wire> Wire for Option<T> {
    fn put(&self, out: &mut Encoded) {
        self.is_some().put(out);
        if let Some(v) = self {
            v.put(out);
        }
    }
    fn get(input: &mut Reader<'_>) -> Option<Self> {
        Some(if bool::get(input)? {
            Some(T::get(input)?)
        } else {
            None
        })
    }
}

impl<T: Wire> Wire for Vec<T> {
    fn put(&self, out: &mut Encoded) {
        (self.len() as u64).put(out);
        for v in self {
            v.put(out);
        }
    }
    fn get(input: &mut Reader<'_>) -> Option<Self> {
        let len = u64::get(input)?;
        // Every element takes at least one number or string: a length beyond what is left is
        // a damaged message, not an allocation to attempt.
        if len > (input.numbers.len() + input.strings.len()) as u64 {
            return None;
        }
        (0..len).map(|_| T::get(input)).collect()
    }
}

/// Field-less enums as their index in `ALL`.
macro_rules! unit_enums {
    ($($t:ty: [$($v:ident),*]),*) => {$(
        impl Wire for $t {
            fn put(&self, out: &mut Encoded) {
                const ALL: &[$t] = &[$(<$t>::$v),*];
                let index = ALL.iter().position(|v| v == self).unwrap_or_default();
                out.numbers.push(index as f64);
            }
            fn get(input: &mut Reader<'_>) -> Option<Self> {
                const ALL: &[$t] = &[$(<$t>::$v),*];
                ALL.get(input.whole(ALL.len() as f64)? as usize).copied()
            }
        }
    )*};
}
unit_enums!(
    Outcome: [Ok, Lost, Late, Interrupted],
    Direction: [Up, Down],
    Quality: [Poor, Fair, Good, Excellent],
    Confidence: [Low, Medium, High],
    QualityConfidence: [Low, Medium, High],
    Phase: [Idle, Download, Upload, Both, Cooldown, Done]
);

/// Structs as their fields in order.
macro_rules! structs {
    ($($t:ident { $($f:ident),* $(,)? }),* $(,)?) => {$(
        impl Wire for $t {
            fn put(&self, out: &mut Encoded) {
                $(self.$f.put(out);)*
            }
            fn get(input: &mut Reader<'_>) -> Option<Self> {
                Some($t { $($f: Wire::get(input)?),* })
            }
        }
    )*};
}
structs!(
    Distribution {
        count,
        min,
        median,
        mean,
        p90,
        p99,
        max
    },
    WindowStats {
        distribution,
        jitter_ms,
        stddev_ms,
        pdv_ms,
        iqm_ms,
        span_ms
    },
    Sample {
        seq,
        sent_at_ms,
        send_delay_ms,
        rtt_ms,
        outcome,
        connection,
        segment,
        srtt_ms,
        hidden,
        disturbed
    },
    WorkerEnvironment {
        timer_resolution_ms,
        cross_origin_isolated,
        user_agent
    },
    Summary {
        connection,
        elapsed_ms,
        sent,
        replies,
        lost,
        late,
        duplicates,
        skipped,
        unmatched,
        oversized,
        other_messages,
        in_flight,
        loss,
        rtt_ms,
        segment_rtt_ms,
        window,
        srtt_ms,
        rttvar_ms,
        timeout_ms,
        jitter_ms,
        rfc3550_jitter_ms,
        pdv_ms,
        idle_rpm,
        idle_quality,
        confidence,
        connect_ms,
        connect,
        connections,
        segment,
        max_send_delay_ms,
        hidden_probes,
        interrupted,
        suspensions,
        suspended_ms,
        samples_dropped,
        disturbed,
        rtt_ms_undisturbed,
        scheduling_lag_ms,
        kernel,
    },
    KernelView {
        rtt_ms,
        rttvar_ms,
        min_rtt_ms,
        total_retrans
    },
    PhaseLine {
        phase,
        goodput_bps,
        flows,
        rpm,
        rpm_confidence,
        self_ms,
        foreign_ms,
        added_self_ms,
        added_foreign_ms
    },
    QualityLive {
        phase,
        elapsed_ms,
        throughput_bps,
        flows,
        latest_self_ms,
        idle_self_ms,
        idle_foreign_ms,
        phases,
        rpm,
        grade,
        problems,
        export
    },
);

/// Enums with fields as their variant's index, then its fields in order.
macro_rules! tagged_enums {
    ($($t:ident { $($index:literal => $v:ident $({ $($f:ident),* })?),* $(,)? }),* $(,)?) => {$(
        impl Wire for $t {
            fn put(&self, out: &mut Encoded) {
                match self {
                    $($t::$v $({ $($f),* })? => {
                        out.numbers.push($index as f64);
                        $($($f.put(out);)*)?
                    })*
                }
            }
            fn get(input: &mut Reader<'_>) -> Option<Self> {
                Some(match input.whole(f64::from(u8::MAX))? as u8 {
                    $($index => $t::$v $({ $($f: Wire::get(input)?),* })?,)*
                    _ => return None,
                })
            }
        }
    )*};
}
tagged_enums!(
    ConnectionState {
        0 => Idle,
        1 => Connecting { attempt },
        2 => Open { connection },
        3 => Waiting { retry_at_ms, failures },
        4 => Finished,
    },
    Event {
        0 => Connected { at_ms, connection, connect_ms },
        1 => Disconnected { at_ms, connection, was_open, code, reason, lost_in_flight, interrupted_in_flight, retry_at_ms },
        2 => Change { at_ms, seq, segment, direction, from_ms, to_ms },
        3 => Visibility { at_ms, hidden },
        4 => Suspended { from_ms, to_ms, hidden, interrupted_in_flight },
    },
);

impl Wire for Box<QualityLive> {
    fn put(&self, out: &mut Encoded) {
        (**self).put(out);
    }
    fn get(input: &mut Reader<'_>) -> Option<Self> {
        QualityLive::get(input).map(Box::new)
    }
}

impl Wire for Box<Summary> {
    fn put(&self, out: &mut Encoded) {
        (**self).put(out);
    }
    fn get(input: &mut Reader<'_>) -> Option<Self> {
        Summary::get(input).map(Box::new)
    }
}

tagged_enums!(Report {
    0 => Ready { environment },
    1 => Update { run_id, summary, samples, events },
    2 => Error { message },
    3 => Quality { run_id, live },
});

/// Encodes `report`.
pub fn encode(report: &Report) -> Encoded {
    let mut out = Encoded::default();
    report.put(&mut out);
    out
}

/// Decodes what [`encode`] wrote; `None` when `numbers` and `strings` are not exactly one report.
pub fn decode(numbers: &[f64], strings: &[String]) -> Option<Report> {
    let mut input = Reader {
        numbers: numbers.iter(),
        strings: strings.iter(),
    };
    let report = Report::get(&mut input)?;
    (input.numbers.len() == 0 && input.strings.len() == 0).then_some(report)
}
