//! One finding, for every tool: the chain analyzer and the DNS-SD validator render their
//! findings with [`finding_item`], so a reader meets the same layout (rule id, what it concerns,
//! the message and the clause; expanded: the fix and the tool's own details) everywhere, and
//! page tests find every finding by `.nl-finding[data-rule="…"]`.

use netlens_catalog::Severity;
use yew::prelude::*;

/// One finding, as every tool shows it.
pub struct FindingView<'a> {
    /// The rule's public id (`chain.missing-intermediate`).
    pub rule: &'static str,
    /// The finding's severity (its class; a badge when `badge`).
    pub severity: Severity,
    /// Shows the severity as a badge (lists that are not grouped by severity).
    pub badge: bool,
    /// What it concerns, in words ("certificate 2", "TXT string 3").
    pub subject: String,
    /// What is wrong (backticks mark code).
    pub message: &'a str,
    /// The clause or document the requirement comes from.
    pub source: &'static str,
    /// What to do (backticks mark code).
    pub fix: &'a str,
    /// The tool's own fields, as `<dt>`/`<dd>` pairs after the fix.
    pub details: Html,
}

/// Text with `code` spans: backticks in catalog and finding text mark commands and values.
pub fn with_code(text: &str) -> Html {
    html! {
        <>
            { for text.split('`').enumerate().map(|(i, part)| if i % 2 == 1 {
                html! { <code class="nl-mono">{ part }</code> }
            } else {
                html! { part }
            }) }
        </>
    }
}

/// One finding as an expandable list item. A view function rather than a Yew component: a
/// component's machinery costs about 5 KB of wasm on each page, and a finding has no state.
pub fn finding_item(f: FindingView<'_>) -> Html {
    let severity = f.severity.name();
    html! {
        <li>
            <details class={classes!("nl-finding", format!("nl-sev-{severity}"))} data-rule={f.rule}>
                <summary>
                    if f.badge {
                        <span class="nl-sev-badge">{ severity }</span>
                    }
                    <code class="nl-rule">{ f.rule }</code>
                    <span class="nl-where">{ f.subject }</span>
                    <span class="nl-message">{ with_code(f.message) }</span>
                    <span class="nl-clause">{ f.source }</span>
                </summary>
                <dl class="nl-fields">
                    <dt>{ "Fix" }</dt><dd>{ with_code(f.fix) }</dd>
                    { f.details }
                </dl>
            </details>
        </li>
    }
}
