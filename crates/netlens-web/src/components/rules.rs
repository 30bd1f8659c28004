//! The rule catalogs as tables: every finding a tool can report, with the anchor its findings
//! link to. The chain module renders [`ChainRules`], the DNS-SD module [`DnssdRules`]; the app's
//! Rules page shows both.

use yew::prelude::*;

use crate::components::chain_analyzer::with_code;

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

/// The certificate chain rules.
#[component]
pub fn ChainRules() -> Html {
    let rows = netlens_chain::RULES.iter().map(|r| RuleRow {
        id: r.id,
        severity: r.severity,
        title: r.title,
        fix: r.fix,
        source: r.source,
        extra: html! { r.profiles.iter().map(|p| p.id()).collect::<Vec<_>>().join(", ") },
    });
    rule_table("nl-chain-rules", "Decides", rows)
}

/// The DNS-SD rules, with what each implementation does.
#[component]
pub fn DnssdRules() -> Html {
    let rows = netlens_dnssd::catalog::RULES.iter().map(|r| RuleRow {
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
    rule_table("nl-dnssd-rules", "Implementations", rows)
}
