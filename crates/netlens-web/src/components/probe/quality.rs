//! A working-conditions run on the page: the phase and the live numbers while it goes on
//! (throughput estimate, latency on the loaded connections, connections), then each loaded
//! phase's goodput, latency and RPM with the draft's confidence, the overall RPM with its band,
//! the bufferbloat grade with its source, what could not be measured, and the JSON export.

use netlens_probe::quality::run::Phase;
use netlens_probe::quality::{BUFFERBLOAT_GRADE_SOURCE, RpmBand};
use yew::prelude::*;

use crate::state::probe::QualityRunState;
use crate::state::probe::fmt_ms;
use crate::state::probe::format::fmt_rate;

/// Props of [`QualityPanel`].
#[derive(Properties, PartialEq)]
pub(super) struct QualityPanelProps {
    /// The run.
    pub run: QualityRunState,
}

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), fmt_ms)
}

fn added(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |a| format!("+{}", fmt_ms(a)))
}

/// The run's live numbers and results.
#[component]
pub(super) fn QualityPanel(props: &QualityPanelProps) -> Html {
    let Some(live) = &props.run.live else {
        return html! {};
    };
    let on_export = {
        let export = live.export.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(json) = &export {
                crate::files::download("netlens-quality.json", json, "application/json");
            }
        })
    };
    let loaded = !matches!(live.phase, Phase::Idle | Phase::Cooldown | Phase::Done);
    html! {
        <section class="nl-probe-quality" id="nl-quality" data-phase={live.phase.name()}>
            <div class="nl-stats">
                <div class="nl-stat">
                    <div class="nl-stat-label">{ "Throughput now (running estimate)" }</div>
                    <div class="nl-stat-value" data-stat="throughput" data-bps={live.throughput_bps.map(|b| b.to_string())}>
                        { if loaded { live.throughput_bps.map_or_else(|| "–".to_owned(), fmt_rate) } else { "–".to_owned() } }
                    </div>
                    <div class="nl-stat-sub">{ "lower of a 2 s and a 5 s average, as a video player keeps it" }</div>
                </div>
                <div class="nl-stat">
                    <div class="nl-stat-label">{ "Latency on the loaded connections" }</div>
                    <div class="nl-stat-value" data-stat="loaded-latency">{ ms(live.latest_self_ms) }</div>
                    <div class="nl-stat-sub">{ format!("idle {}", ms(live.idle_self_ms)) }</div>
                </div>
                <div class="nl-stat">
                    <div class="nl-stat-label">{ "RPM (under working conditions)" }</div>
                    <div class="nl-stat-value" data-stat="rpm" data-rpm={live.rpm.map(|r| r.to_string())}>
                        { live.rpm.map_or_else(|| "–".to_owned(), |r| format!("{r:.0}")) }
                    </div>
                    <div class="nl-stat-sub">{ live.rpm.map_or_else(|| "both directions loaded".to_owned(), |r| format!("{} by the draft's bands", RpmBand::of(r).name())) }</div>
                </div>
                <div class="nl-stat">
                    <div class="nl-stat-label">{ "Bufferbloat grade" }</div>
                    <div class="nl-stat-value" data-stat="grade">{ live.grade.clone().unwrap_or_else(|| "–".to_owned()) }</div>
                    <div class="nl-stat-sub">{ "added latency: A+ < 5 ms, A < 30, B < 60, C < 200, D < 400, F" }</div>
                </div>
            </div>
            if !live.phases.is_empty() {
                <div class="nl-scroll" tabindex="0" role="region" aria-label="Working conditions by phase">
                <table class="nl-table nl-quality-table">
                    <thead><tr>
                        <th>{ "Phase" }</th><th>{ "Goodput" }</th><th>{ "Connections" }</th>
                        <th>{ "Loaded connection" }</th><th>{ "Fresh connection" }</th>
                        <th>{ "Added (fresh)" }</th><th>{ "RPM" }</th><th>{ "Confidence" }</th>
                    </tr></thead>
                    <tbody>
                        <tr data-phase="idle">
                            <th scope="row">{ "idle" }</th><td>{ "–" }</td><td>{ "1" }</td>
                            <td>{ ms(live.idle_self_ms) }</td><td>{ ms(live.idle_foreign_ms) }</td>
                            <td>{ "–" }</td><td>{ "–" }</td><td>{ "–" }</td>
                        </tr>
                        { for live.phases.iter().map(|p| html! {
                            <tr data-phase={p.phase.name()} data-goodput-bps={p.goodput_bps.map(|b| b.to_string())}
                                data-added-self-ms={p.added_self_ms.map(|a| a.to_string())}
                                data-added-foreign-ms={p.added_foreign_ms.map(|a| a.to_string())}>
                                <th scope="row">{ p.phase.name() }</th>
                                <td>{ p.goodput_bps.map_or_else(|| "–".to_owned(), fmt_rate) }</td>
                                <td>{ p.flows }</td>
                                <td>{ format!("{} ({})", ms(p.self_ms), added(p.added_self_ms)) }</td>
                                <td>{ ms(p.foreign_ms) }</td>
                                <td>{ added(p.added_foreign_ms) }</td>
                                <td>{ p.rpm.map_or_else(|| "–".to_owned(), |r| format!("{r:.0}")) }</td>
                                <td>{ p.rpm_confidence.name() }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
                </div>
            }
            { for live.problems.iter().map(|p| html! { <p class="nl-note nl-quality-problem">{ p }</p> }) }
            if live.export.is_some() {
                <p class="nl-row">
                    <button type="button" class="nl-button nl-button-small" id="nl-quality-json" onclick={on_export}>{ "Export JSON" }</button>
                    <span class="nl-muted">{ " The same report as netlens quality --json, with networkQuality's -c key names under network_quality." }</span>
                </p>
            }
            <p class="nl-muted nl-quality-notes">
                { "RPM as draft-ietf-ippm-responsiveness computes it: the mean of foreign responsiveness (fresh connections: handshake per round trip and first echo) and loaded responsiveness (probes on the loaded connections), each from 95 % trimmed means of the last four intervals. Goodput is counted by the receiver (the server reports uploads). The grade's thresholds: " }
                <a href={BUFFERBLOAT_GRADE_SOURCE}>{ "DSLReports" }</a>{ "." }
            </p>
        </section>
    }
}
