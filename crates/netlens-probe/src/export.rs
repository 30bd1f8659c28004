//! Exports: CSV with one row per probe, and the definition of every number, which the JSON
//! export carries so a reader months later knows what "jitter" meant here.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::config::ProbeConfig;
use crate::session::{Event, Sample, Summary};

/// The JSON export, the same from the CLI (`netlens probe --json`) and the browser: the
/// summary's fields at the top level (`rtt_ms`, `loss`, `connect_ms`, …), with the endpoint,
/// the settings, the events, where it was measured (`environment`, the driver's own) and the
/// definitions.
#[derive(Serialize)]
pub struct RunReport<'a, E: Serialize> {
    /// The endpoint probed.
    pub endpoint: &'a str,
    /// The settings used.
    pub settings: &'a ProbeConfig,
    /// Counters and estimates at the end.
    #[serde(flatten)]
    pub summary: &'a Summary,
    /// Connections, disconnections, changes, visibility.
    pub events: Vec<&'a Event>,
    /// The client, its clock and its context.
    pub environment: E,
    /// The sentences the page and the CLI show beside the numbers: a suspended run, a device
    /// that held up the prober.
    pub notes: Vec<String>,
    /// What every number means.
    pub definitions: BTreeMap<&'static str, &'static str>,
}

impl<'a, E: Serialize> RunReport<'a, E> {
    /// A report with the standard definitions.
    pub fn new(
        settings: &'a ProbeConfig,
        summary: &'a Summary,
        events: impl IntoIterator<Item = &'a Event>,
        environment: E,
    ) -> Self {
        RunReport {
            endpoint: &settings.endpoint,
            settings,
            summary,
            events: events.into_iter().collect(),
            environment,
            notes: [summary.interruption_note(), summary.disturbance_note()]
                .into_iter()
                .flatten()
                .collect(),
            definitions: DEFINITIONS.iter().copied().collect(),
        }
    }

    /// Pretty-printed JSON.
    pub fn to_json(&self) -> String {
        // Every field is plain data with string keys: serialisation cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// CSV header.
pub const CSV_HEADER: &str =
    "seq,sent_at_ms,rtt_ms,outcome,connection,segment,srtt_ms,send_delay_ms,hidden,disturbed";

/// One row per probe, oldest first, times with microsecond precision; an empty `rtt_ms` means
/// the probe was lost.
pub fn csv<'a>(samples: impl IntoIterator<Item = &'a Sample>) -> String {
    let mut out = String::from(CSV_HEADER);
    out.push('\n');
    let ms = |v: Option<f64>| v.map(|v| format!("{v:.3}")).unwrap_or_default();
    for s in samples {
        let _ = writeln!(
            out,
            "{},{:.3},{},{},{},{},{},{:.3},{},{}",
            s.seq,
            s.sent_at_ms,
            ms(s.rtt_ms),
            s.outcome.name(),
            s.connection,
            s.segment,
            ms(s.srtt_ms),
            s.send_delay_ms,
            s.hidden,
            s.disturbed
        );
    }
    out
}

/// (name, definition) of every number the summary reports.
pub const DEFINITIONS: &[(&str, &str)] = &[
    (
        "rtt_ms",
        "Round trip: time from handing a probe to the socket to receiving its reply, on the prober's monotonic clock. Replies within the timeout only. Percentiles over the run from an HDR histogram (3 significant digits); min, max and mean exact.",
    ),
    (
        "window",
        "The latest replies (at most 60, at most 30 s old), exact percentiles: the current view. Cleared when a change is detected.",
    ),
    ("segment_rtt_ms", "Replies since the last detected change."),
    (
        "jitter_ms",
        "Mean absolute difference between consecutive replies' RTTs (as Cloudflare, networkquality-rs and IRTT report jitter).",
    ),
    (
        "rfc3550_jitter_ms",
        "RFC 3550 §6.4.1 interarrival jitter applied to RTTs: J += (|ΔRTT| − J) / 16.",
    ),
    ("pdv_ms", "Packet delay variation, RFC 5481: p99 − min."),
    ("stddev_ms", "Population standard deviation (ping's mdev)."),
    (
        "iqm_ms",
        "Interquartile mean: the mean of the middle half (Ookla's loaded-latency statistic).",
    ),
    (
        "srtt_ms",
        "RFC 6298 smoothed RTT (α = 1/8); rttvar_ms its mean deviation (β = 1/4).",
    ),
    (
        "timeout_ms",
        "Reply timeout: SRTT + 4·RTTVAR clamped to 250 ms – 5 s (1 s before the first reply), doubled after each consecutive timeout up to 10 s; or the fixed timeout configured.",
    ),
    (
        "loss",
        "Probes without a reply within the timeout (or whose connection closed first), over replies + lost. Over TCP a lost packet is retransmitted, so network loss mostly shows as RTT spikes of 200 ms or more, not as loss.",
    ),
    ("late", "Lost probes whose reply came after the timeout."),
    ("duplicates", "Replies to a probe already answered."),
    (
        "unmatched",
        "Messages that look like replies but match no probe of this run (corrupted, an earlier run, never sent, or the wrong size).",
    ),
    (
        "skipped",
        "Sends skipped because the socket still held unsent data (bufferedAmount > 0): that probe would have measured our own queue.",
    ),
    (
        "idle_rpm",
        "Round trips per minute at idle: 60000 / current median RTT of this unloaded path. Not networkQuality's RPM, which is measured while the path is loaded (netlens quality). idle_quality: the draft's bands, Excellent ≥ 6000, Good ≥ 1000, Fair ≥ 300, Poor below.",
    ),
    (
        "confidence",
        "Low until 20 replies and 4 blocks of 10 since the start or the last change; High when the last 4 block medians' standard deviation is within 5 % of the latest; Medium otherwise.",
    ),
    (
        "connect_ms",
        "Handshake time, socket created to open: DNS, TCP, TLS and the HTTP upgrade together (browsers do not expose the phases). Median over the connections.",
    ),
    (
        "kernel",
        "The server kernel's view of the connection (Linux TCP_INFO: smoothed rtt, rttvar, min_rtt, retransmissions), when the server sends it (netlens-echo with ?tcp_info=1), as ndt7 does. The probe's RTT minus the kernel's is what the browser, the device and the server's application add.",
    ),
    (
        "segment",
        "Detected level changes (two-sided CUSUM on ln(RTT + 1 ms), robustly standardised) split the run into segments.",
    ),
    (
        "send_delay_ms",
        "How late a probe was sent against its schedule (timer and event-loop delay); RTTs are measured from the actual send.",
    ),
    (
        "hidden",
        "The page was hidden when the probe was sent: browsers throttle background timers.",
    ),
    (
        "disturbed",
        "The prober's own thread was held up when the reply came (a timer of it fired more than 1 ms late: a busy device, not the network), so the RTT may include that delay. While a reply may come (from just before the oldest probe in flight is expected back) the prober wakes every 4 ms to check; shorter stalls between two wake-ups can go unseen.",
    ),
    (
        "interrupted",
        "In flight when the browser suspended the run (a prober timer over 1 s late with the page hidden, as Safari suspends hidden pages, or over 10 s late: the device slept) or closed its connection (no close frame, page hidden or within 2 s of a suspension): neither a reply nor a loss.",
    ),
    (
        "suspended_ms",
        "Time the run was suspended, in all; each suspension is an event.",
    ),
    (
        "rtt_ms_undisturbed",
        "The whole run without the disturbed replies (percentiles from the HDR histogram, min and max to 3 significant digits).",
    ),
    (
        "scheduling_lag_ms",
        "How late the prober's timers fired against when they were due: the device's own scheduling delay.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Outcome;

    #[test]
    fn csv_has_one_row_per_probe_and_blank_rtt_for_losses() {
        let ok = Sample {
            seq: 1,
            sent_at_ms: 5.0,
            send_delay_ms: 0.0123,
            rtt_ms: Some(20.1234),
            outcome: Outcome::Ok,
            connection: 1,
            segment: 1,
            srtt_ms: Some(20.1234),
            hidden: false,
            disturbed: true,
        };
        let lost = Sample {
            seq: 2,
            sent_at_ms: 105.0,
            rtt_ms: None,
            outcome: Outcome::Lost,
            srtt_ms: Some(20.1234),
            hidden: true,
            disturbed: false,
            ..ok
        };
        assert_eq!(
            csv([&ok, &lost]),
            "seq,sent_at_ms,rtt_ms,outcome,connection,segment,srtt_ms,send_delay_ms,hidden,disturbed\n\
             1,5.000,20.123,ok,1,1,20.123,0.012,false,true\n\
             2,105.000,,lost,1,1,20.123,0.012,true,false\n"
        );
    }
}
