//! The live charts: round trip over time and the distribution, drawn as SVG from the geometry
//! [`crate::state::probe::chart`] computes.

use std::fmt::Write as _;

use netlens_probe::session::Summary;
use yew::prelude::*;

use crate::state::probe::{Histogram, RttChart, Run, fmt_ms, geometry, histogram, rtt_chart};

/// Histogram bars.
const HISTOGRAM_BINS: usize = 40;

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

/// The charts of a run.
pub(super) fn charts(run: &Run, summary: &Summary) -> Html {
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
