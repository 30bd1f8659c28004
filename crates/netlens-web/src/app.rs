//! The app shell: a header listing the tools, the current tool, a footer.

use yew::prelude::*;

use crate::components::cert_decoder::CertDecoder;
use crate::components::chain_analyzer::{ChainAnalyzer, with_code};
use crate::components::dnssd::DnssdTool;
use crate::components::probe::ProbeTool;
use crate::router::{Route, TOOLS, use_route};

/// The tool list (the home page).
#[component]
fn Home() -> Html {
    html! {
        <section class="nl-home">
            <h1>{ "netlens" }</h1>
            <p class="nl-lead">
                { "Offline diagnostics for people who build networked apps. Everything below runs in your browser: what you paste never leaves this device." }
            </p>
            <ul class="nl-tool-list">
                { for TOOLS.iter().map(|tool| html! {
                    <li class="nl-tool-entry">
                        <a href={tool.route.href()}>{ tool.name }</a>
                        <p>{ tool.summary }</p>
                    </li>
                }) }
            </ul>
        </section>
    }
}

/// One row of a rule table, whichever catalog it comes from.
struct RuleRow {
    id: &'static str,
    severity: netlens_catalog::Severity,
    title: &'static str,
    fix: &'static str,
    source: &'static str,
    /// The catalog's own column (chain: verdicts decided; DNS-SD: implementation behaviour).
    extra: Html,
}

/// A rule table: id (an anchor findings link to), severity, the catalog's own column, what,
/// fix, source.
fn rule_table(
    class: &'static str,
    extra_heading: &'static str,
    rows: impl Iterator<Item = RuleRow>,
) -> Html {
    html! {
        <table class={classes!("nl-table", "nl-rules", class)}>
            <thead><tr><th>{ "Rule" }</th><th>{ "Severity" }</th><th>{ extra_heading }</th><th>{ "What" }</th><th>{ "Fix" }</th><th>{ "Source" }</th></tr></thead>
            <tbody>
                { for rows.map(|r| html! {
                    <tr id={r.id}>
                        <td><code class="nl-mono">{ r.id }</code></td>
                        <td>{ r.severity.name() }</td>
                        <td>{ r.extra }</td>
                        <td>{ r.title }</td>
                        <td>{ with_code(r.fix) }</td>
                        <td>{ r.source }</td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

/// The rule catalogs: every finding each tool can report.
#[component]
fn Rules() -> Html {
    let chain_rows = netlens_chain::RULES.iter().map(|r| RuleRow {
        id: r.id,
        severity: r.severity,
        title: r.title,
        fix: r.fix,
        source: r.source,
        extra: html! { r.profiles.iter().map(|p| p.id()).collect::<Vec<_>>().join(", ") },
    });
    let dnssd_rows = netlens_dnssd::catalog::RULES.iter().map(|r| RuleRow {
        id: r.id,
        severity: r.severity,
        title: r.title,
        fix: r.fix,
        source: r.source,
        extra: html! {
            <ul class="nl-impl-list">
                { for r.implementations.iter().map(|n| html! {
                    <li title={n.detail}>{ n.implementation.name() }{ ": " }<strong>{ n.behaviour.name() }</strong></li>
                }) }
            </ul>
        },
    });
    html! {
        <section class="nl-home">
            <h1>{ "Rules" }</h1>
            <p class="nl-lead">
                { "Every finding has a stable id, a severity, where the requirement comes from, and what to do. The same catalogs drive the app, the CLI (`netlens rules`, `netlens dnssd rules`) and the README." }
            </p>
            <h2 id="chain-rules">{ "Certificate chain rules" }</h2>
            { rule_table("nl-chain-rules", "Decides", chain_rows) }
            <h2 id="dnssd-rules">{ "DNS-SD rules" }</h2>
            { rule_table("nl-dnssd-rules", "Implementations", dnssd_rows) }
        </section>
    }
}

#[component]
fn NotFound() -> Html {
    html! {
        <section class="nl-home">
            <h1>{ "Page not found" }</h1>
            <p>{ "This address does not name a netlens tool. " }<a href={Route::Home.href()}>{ "See all tools" }</a>{ "." }</p>
        </section>
    }
}

/// The whole app.
#[component]
pub fn App() -> Html {
    let route = use_route();
    use_effect_with(route, |route| {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&route.title());
        }
    });
    html! {
        <div class="nl-app">
            <header class="nl-topbar">
                <a class="nl-brand" href={Route::Home.href()}>{ "netlens" }</a>
                <nav class="nl-nav" aria-label="Tools">
                    { for TOOLS.iter().map(|tool| {
                        let current = (tool.route == route).then_some("page");
                        html! { <a href={tool.route.href()} aria-current={current}>{ tool.name }</a> }
                    }) }
                    <a href={Route::Rules.href()} aria-current={(route == Route::Rules).then_some("page")}>{ "Rules" }</a>
                </nav>
            </header>
            <main class="nl-main">
                {
                    match route {
                        Route::Home => html! { <Home /> },
                        Route::Chain => html! { <ChainAnalyzer /> },
                        Route::CertDecoder => html! { <CertDecoder /> },
                        Route::Dnssd => html! { <DnssdTool /> },
                        Route::Probe => html! { <ProbeTool /> },
                        Route::Rules => html! { <Rules /> },
                        Route::NotFound => html! { <NotFound /> },
                    }
                }
            </main>
            <footer class="nl-footer">
                { format!("netlens {} · runs offline in your browser · ", env!("CARGO_PKG_VERSION")) }
                <a href="embed-demo.html">{ "embed the tools in your docs" }</a>
            </footer>
        </div>
    }
}
