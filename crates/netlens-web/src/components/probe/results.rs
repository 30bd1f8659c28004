//! The numbers: the worker's clock line, the headline tiles, the details table and counters,
//! and what they mean.

use std::rc::Rc;

use netlens_probe::export;
use netlens_probe::session::Summary;
use netlens_probe::stats::Distribution;
use netlens_probe::worker::{UPDATE_INTERVAL_MS, WorkerEnvironment};
use yew::prelude::*;

use crate::state::probe::{DETAILS_EVERY_MS, fmt_ms};

/// The worker's clock and context.
pub(super) fn environment_line(environment: Option<&WorkerEnvironment>) -> Html {
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

/// The headline tiles.
pub(super) fn headline(s: &Summary) -> Html {
    let run = s.rtt_ms;
    let window = s.window;
    let idle_rpm = s
        .idle_rpm
        .map_or_else(|| "–".to_owned(), |r| format!("{r:.0}"));
    let band = s
        .idle_quality
        .map(|q| format!("{} · ", q.name()))
        .unwrap_or_default();
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
                <div class="nl-stat-label">{ "Round trips per minute at idle" }</div>
                <div class="nl-stat-value" data-stat="idle-rpm" data-quality={s.idle_quality.map(|q| q.name())}>{ idle_rpm }</div>
                <div class="nl-stat-sub">{ format!("{band}confidence {}", s.confidence.name()) }</div>
            </div>
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
pub(super) struct DetailsProps {
    /// What to show ([`Run::details`]: not every update).
    pub summary: Rc<Summary>,
    /// The run goes on: say how often the numbers follow it.
    pub live: bool,
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
pub(super) fn Details(props: &DetailsProps) -> Html {
    let s = &*props.summary;
    let ms = |v: Option<f64>| v.map_or_else(|| "–".to_owned(), fmt_ms);
    let kernel = s.kernel.map_or_else(
        || "– (netlens-echo with ?tcp_info=1 sends it)".to_owned(),
        |k| format!("{} (min {})", fmt_ms(k.rtt_ms), fmt_ms(k.min_rtt_ms)),
    );
    let above_kernel = s
        .kernel
        .zip(s.rtt_ms)
        .map_or_else(|| "–".to_owned(), |(k, d)| fmt_ms(d.median - k.rtt_ms));
    let counters: [(&str, String); 22] = [
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
        ("Kernel RTT (server's TCP_INFO)", kernel),
        ("Browser and device add (median − kernel)", above_kernel),
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
pub(super) fn Explanations() -> Html {
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
