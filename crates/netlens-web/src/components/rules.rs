//! The rule catalogs as tables: every finding a tool can report, with the anchor its findings
//! link to. The chain module renders [`ChainRules`], the DNS-SD module [`DnssdRules`]; the app's
//! Rules page shows both.

use netlens_catalog::{CatalogRule, RuleId};
use yew::prelude::*;

use crate::components::finding::with_code;

/// A rule table from any catalog: id (an anchor findings link to), severity, the catalog's
/// own column (`extra`), what, fix, source, and when the rule took effect.
fn rule_table<R: CatalogRule>(
    class: &'static str,
    extra_heading: &'static str,
    rules: &[R],
    extra: impl Fn(&R) -> Html,
) -> Html {
    html! {
        <table class={classes!("nl-table", "nl-rules", class)}>
            <thead><tr><th>{ "Rule" }</th><th>{ "Severity" }</th><th>{ extra_heading }</th><th>{ "What" }</th><th>{ "Fix" }</th><th>{ "Source" }</th></tr></thead>
            <tbody>
                { for rules.iter().map(|rule| {
                    let r = rule.header();
                    let id = r.id.as_str();
                    html! {
                        <tr id={id}>
                            <td><code class="nl-mono">{ id }</code></td>
                            <td>{ r.severity.name() }</td>
                            <td>{ extra(rule) }</td>
                            <td>{ r.title }</td>
                            <td>{ with_code(r.fix) }</td>
                            <td>
                                { r.source }
                                if r.effective.from.is_some() {
                                    <span class="nl-clause">{ format!("Effective: {}", r.effective.describe()) }</span>
                                }
                            </td>
                        </tr>
                    }
                }) }
            </tbody>
        </table>
    }
}

/// The certificate chain rules.
#[component]
pub fn ChainRules() -> Html {
    rule_table("nl-chain-rules", "Decides", netlens_chain::RULES, |r| {
        html! { r.profiles.iter().map(|p| p.id()).collect::<Vec<_>>().join(", ") }
    })
}

/// The DNS-SD rules, with what each implementation does.
#[component]
pub fn DnssdRules() -> Html {
    rule_table(
        "nl-dnssd-rules",
        "Implementations",
        netlens_dnssd::catalog::RULES,
        |r| {
            html! {
                <ul class="nl-impl-list">
                    { for r.implementations.iter().map(|n| html! {
                        <li title={n.detail}>{ n.implementation.name() }{ ": " }<strong>{ n.behaviour.name() }</strong></li>
                    }) }
                </ul>
            }
        },
    )
}
