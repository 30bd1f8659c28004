//! Chart geometry from samples: the RTT-over-time chart and the histogram, pure and bounded
//! (the RTT chart looks at the last minute only and reduces it to one column per pixel, so
//! drawing costs the same at 1 probe/s and at 100; the histogram is one pass over the samples).

use std::fmt::Write as _;

use netlens_probe::session::{Event, Outcome, Sample};

use super::format::{fmt_ms, fmt_tick};

/// Geometry of the RTT chart, in SVG user units.
pub mod geometry {
    /// Width of the plot area.
    pub const WIDTH: f64 = 720.0;
    /// Height of the plot area.
    pub const HEIGHT: f64 = 200.0;
    /// Room left of the plot for the axis labels.
    pub const LEFT: f64 = 64.0;
    /// Room below the plot for the axis labels.
    pub const BOTTOM: f64 = 22.0;
    /// Room above the plot for the loss marks.
    pub const TOP: f64 = 10.0;
}

/// The RTT-over-time chart, ready to draw.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct RttChart {
    /// One vertical stroke per pixel column from its smallest to its largest RTT.
    pub rtt_path: String,
    /// The smoothed RTT (RFC 6298 SRTT).
    pub srtt_path: String,
    /// A tick above the plot for every lost probe.
    pub lost_path: String,
    /// Shaded spans where the page was hidden (x from, x to).
    pub hidden: Vec<(f64, f64)>,
    /// Detected changes (x, label).
    pub changes: Vec<(f64, String)>,
    /// Horizontal grid lines (y, label).
    pub y_ticks: Vec<(f64, String)>,
    /// Time labels (x, label).
    pub x_ticks: Vec<(f64, String)>,
    /// Probes drawn.
    pub points: usize,
    /// The time the chart spans (one of [`CHART_SPANS`]).
    pub span_ms: f64,
}

/// The smallest "nice" number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10ⁿ) at least `v`: an axis
/// that ends close above the data, with quarter ticks that read well.
pub fn nice_ceil(v: f64) -> f64 {
    if v.is_nan() || v <= 0.0 || v.is_infinite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|n| *n >= v * (1.0 - 1e-12))
        .unwrap_or(10.0 * magnitude)
}

/// The RTT chart's time spans (ms) and tick steps: the chart shows the smallest span that holds
/// the run so far (a ten-second run is not squeezed into a minute's width), then the last
/// minute. Ticks are relative to the latest probe, so the axis stays the same from one update to
/// the next and only the plotted paths change.
pub const CHART_SPANS: [(f64, f64); 3] = [
    (10_000.0, 2_000.0),
    (30_000.0, 5_000.0),
    (60_000.0, 10_000.0),
];

/// Draws the probes sent in the chart's span (see [`CHART_SPANS`]) before `end_ms` (ms since the
/// run started). Coordinates are whole SVG units (about a pixel each): integers are quicker to
/// write, and for the browser to parse, than decimals.
pub fn rtt_chart(samples: &[Sample], events: &[Event], end_ms: f64) -> RttChart {
    use geometry::*;
    let (span, step) = CHART_SPANS
        .into_iter()
        .find(|(span, _)| end_ms <= *span)
        .unwrap_or(CHART_SPANS[CHART_SPANS.len() - 1]);
    let start_ms = end_ms - span;
    // Samples are in resolve order, which trails send order by at most a timeout (≤ 10 s): scan
    // back until well before the window.
    let visible: Vec<&Sample> = samples
        .iter()
        .rev()
        .take_while(|s| s.sent_at_ms >= start_ms - 12_000.0)
        .filter(|s| s.sent_at_ms >= start_ms && s.sent_at_ms <= end_ms)
        .collect();
    let y_max = nice_ceil(
        visible
            .iter()
            .filter_map(|s| s.rtt_ms.into_iter().chain(s.srtt_ms).reduce(f64::max))
            .fold(0.0, f64::max)
            * 1.05,
    );
    let x_of = |t: f64| LEFT + ((t - start_ms) / span * WIDTH).clamp(0.0, WIDTH);
    let y_of = |ms: f64| TOP + HEIGHT - (ms / y_max * HEIGHT).clamp(0.0, HEIGHT);
    let columns = WIDTH as usize + 1;
    let mut lo = vec![f64::INFINITY; columns];
    let mut hi = vec![f64::NEG_INFINITY; columns];
    let mut srtt: Vec<Option<(f64, f64)>> = vec![None; columns];
    let mut lost = vec![false; columns];
    for s in &visible {
        let column = ((s.sent_at_ms - start_ms) / span * WIDTH).clamp(0.0, WIDTH) as usize;
        match s.rtt_ms {
            Some(rtt) if s.outcome == Outcome::Ok => {
                lo[column] = lo[column].min(rtt);
                hi[column] = hi[column].max(rtt);
            }
            _ => lost[column] = true,
        }
        if let Some(v) = s.srtt_ms
            && srtt[column].is_none_or(|(t, _)| s.sent_at_ms > t)
        {
            srtt[column] = Some((s.sent_at_ms, v));
        }
    }
    let mut chart = RttChart {
        points: visible.len(),
        span_ms: span,
        ..RttChart::default()
    };
    // Whole units: `as i32` on values clamped to the plot.
    let unit = |v: f64| v.round() as i32;
    for column in 0..columns {
        let x = LEFT as i32 + column as i32;
        if lo[column].is_finite() {
            let top = unit(y_of(hi[column]));
            // At least 2 units tall so a single probe shows as a dot.
            let bottom = unit(y_of(lo[column])).max(top + 2);
            let _ = write!(chart.rtt_path, "M{x} {top}V{bottom}");
        }
        if lost[column] {
            let _ = write!(chart.lost_path, "M{x} 1V{}", unit(TOP - 1.0));
        }
        if let Some((_, v)) = srtt[column] {
            let command = if chart.srtt_path.is_empty() { 'M' } else { 'L' };
            let _ = write!(chart.srtt_path, "{command}{x} {}", unit(y_of(v)));
        }
    }
    let mut hidden_since: Option<f64> = None;
    for e in events {
        match e {
            Event::Change {
                at_ms,
                segment,
                from_ms,
                to_ms,
                ..
            } if *at_ms >= start_ms => chart.changes.push((
                x_of(*at_ms),
                format!(
                    "segment {segment}: {} → {}",
                    fmt_ms(*from_ms),
                    fmt_ms(*to_ms)
                ),
            )),
            Event::Visibility {
                at_ms,
                hidden: true,
            } => hidden_since = Some(*at_ms),
            Event::Visibility {
                at_ms,
                hidden: false,
            } => {
                if let Some(from) = hidden_since.take()
                    && *at_ms >= start_ms
                {
                    chart.hidden.push((x_of(from), x_of(*at_ms)));
                }
            }
            _ => {}
        }
    }
    if let Some(from) = hidden_since {
        chart.hidden.push((x_of(from), x_of(end_ms)));
    }
    for i in 0..=4 {
        let v = y_max * f64::from(i) / 4.0;
        chart.y_ticks.push((y_of(v), fmt_tick(v)));
    }
    // Seconds before the latest probe, at fixed places.
    let ticks = (span / step).round() as usize;
    for k in 0..=ticks {
        let before_s = (span - k as f64 * step) / 1000.0;
        let label = if k == ticks {
            "0 s".to_owned()
        } else {
            format!("\u{2212}{before_s:.0} s")
        };
        chart
            .x_ticks
            .push((LEFT + k as f64 * step / span * WIDTH, label));
    }
    chart
}

/// The RTT histogram, ready to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    /// Lower edge of the first bin, ms.
    pub from_ms: f64,
    /// Width of each bin, ms.
    pub bin_ms: f64,
    /// Replies per bin.
    pub counts: Vec<u64>,
    /// Replies above the last bin.
    pub above: u64,
}

/// Bins the run's replies between `from_ms` and `to_ms` (the run's minimum and p99: the tail
/// beyond goes into `above`, so one 200 ms retransmission does not flatten the rest).
pub fn histogram(samples: &[Sample], from_ms: f64, to_ms: f64, bins: usize) -> Option<Histogram> {
    let bins = bins.max(1);
    if !(from_ms.is_finite() && to_ms.is_finite()) {
        return None;
    }
    let (from, to) = if to_ms - from_ms < 0.01 {
        (from_ms - 0.005, from_ms + 0.005)
    } else {
        (from_ms, to_ms)
    };
    let bin_ms = (to - from) / bins as f64;
    let mut counts = vec![0u64; bins];
    let mut above = 0;
    let mut any = false;
    for rtt in samples
        .iter()
        .filter(|s| s.outcome == Outcome::Ok)
        .filter_map(|s| s.rtt_ms)
    {
        any = true;
        if rtt > to {
            above += 1;
        } else {
            let i = (((rtt - from) / bin_ms).floor().max(0.0) as usize).min(bins - 1);
            counts[i] += 1;
        }
    }
    any.then_some(Histogram {
        from_ms: from,
        bin_ms,
        counts,
        above,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;
    use crate::state::probe::test_support::sample;

    #[test]
    fn nice_numbers() {
        assert_eq!(nice_ceil(0.0), 1.0);
        assert_eq!(nice_ceil(0.17), 0.2);
        assert_eq!(nice_ceil(2.0), 2.0);
        assert_eq!(nice_ceil(21.0), 25.0);
        assert_eq!(nice_ceil(26.3), 30.0);
        assert_eq!(nice_ceil(101.0), 150.0);
        assert_eq!(nice_ceil(900.0), 1000.0);
        assert_eq!(nice_ceil(f64::NAN), 1.0);
    }

    #[test]
    fn chart_draws_one_column_per_pixel_and_marks_losses_and_changes() {
        // 10 s at 100 probes/s: 1000 probes in 720 columns.
        let samples: Vec<Sample> = (0..1000)
            .map(|i| {
                let t = i as f64 * 10.0;
                sample(i, t, (i % 100 != 0).then_some(20.0 + (i % 3) as f64))
            })
            .collect();
        let events = vec![Event::Change {
            at_ms: 5_000.0,
            seq: 500,
            segment: 2,
            direction: netlens_probe::change::Direction::Up,
            from_ms: 20.0,
            to_ms: 40.0,
        }];
        let chart = rtt_chart(&samples, &events, 10_000.0);
        assert_eq!(chart.points, 1000);
        // Every column is drawn at most once.
        let strokes = chart.rtt_path.matches('M').count();
        assert!((700..=721).contains(&strokes), "{strokes}");
        assert_eq!(chart.lost_path.matches('M').count(), 10);
        assert_eq!(chart.changes.len(), 1);
        assert!(chart.changes[0].1.contains("20.00 ms → 40.00 ms"));
        // Axis: 0 to 25 ms (22 ms × 1.05 rounded up to a nice number).
        assert_eq!(chart.y_ticks.last().unwrap().1, "25 ms");
        assert_eq!(chart.y_ticks[1].1, "6.25 ms");
        assert_eq!(chart.y_ticks[0].1, "0 ms");
        assert_eq!(chart.y_ticks[0].0, geometry::TOP + geometry::HEIGHT);
        // 10 s of data: ten seconds, ticks every 2 s before the latest probe.
        assert_eq!(chart.span_ms, 10_000.0);
        let labels: Vec<&str> = chart.x_ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            labels,
            [
                "\u{2212}10 s",
                "\u{2212}8 s",
                "\u{2212}6 s",
                "\u{2212}4 s",
                "\u{2212}2 s",
                "0 s"
            ]
        );
        assert_eq!(chart.x_ticks[0].0, geometry::LEFT);
        assert_eq!(chart.x_ticks[5].0, geometry::LEFT + geometry::WIDTH);
        // The axis does not move from one update to the next: only the paths do.
        let short = rtt_chart(&samples[..400], &[], 4_000.0);
        assert_eq!(short.x_ticks, chart.x_ticks);
        assert_eq!(short.y_ticks, chart.y_ticks);
        assert_ne!(short.rtt_path, chart.rtt_path);
        // Whole units only.
        assert!(!chart.rtt_path.contains('.') && !chart.srtt_path.contains('.'));
        // Then 30 s, then the last minute.
        let labels = |end_ms| {
            let c = rtt_chart(&samples, &[], end_ms);
            (c.span_ms, c.x_ticks.len(), c.x_ticks[0].1.clone())
        };
        assert_eq!(labels(25_000.0), (30_000.0, 7, "\u{2212}30 s".to_owned()));
        assert_eq!(labels(600_000.0), (60_000.0, 7, "\u{2212}60 s".to_owned()));
        // Only the last minute is drawn.
        let late: Vec<Sample> = (0..200)
            .map(|i| sample(i, i as f64 * 1000.0, Some(5.0)))
            .collect();
        let chart = rtt_chart(&late, &[], 199_000.0);
        assert_eq!(chart.points, 61);
    }

    #[test]
    fn histogram_bins_replies_and_counts_the_tail() {
        let samples: Vec<Sample> = [10.0, 10.5, 11.0, 19.9, 20.0, 300.0]
            .iter()
            .enumerate()
            .map(|(i, r)| sample(i as u64, 0.0, Some(*r)))
            .chain([sample(99, 0.0, None)])
            .collect();
        let h = histogram(&samples, 10.0, 20.0, 10).unwrap();
        assert_eq!(h.counts.iter().sum::<u64>(), 5);
        assert_eq!(h.above, 1);
        assert_eq!(h.counts[0], 2); // 10.0 and 10.5
        assert_eq!(h.counts[1], 1); // 11.0
        assert_eq!(h.counts[9], 2); // 19.9 and 20.0 (the top edge belongs to the last bin)
        // Identical RTTs get a narrow range rather than a division by zero.
        let same = vec![sample(1, 0.0, Some(1.0)); 3];
        let h = histogram(&same, 1.0, 1.0, 4).unwrap();
        assert_eq!(h.counts.iter().sum::<u64>(), 3);
        assert!(histogram(&[sample(1, 0.0, None)], 0.0, 1.0, 4).is_none());
    }
}
