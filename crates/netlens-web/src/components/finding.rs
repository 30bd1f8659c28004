//! One finding, for every tool: the chain analyzer and the DNS-SD validator render their
//! findings with [`FindingItem`], so a reader meets the same layout (rule id, what it concerns,
//! the message and the clause; expanded: the fix and the tool's own details) everywhere, and
//! page tests find every finding by `.nl-finding[data-rule="…"]`.

use netlens_catalog::Severity;
use yew::prelude::*;

/// Props of [`FindingItem`].
#[derive(Properties, PartialEq)]
pub struct FindingItemProps {
    /// The rule's public id (`chain.missing-intermediate`).
    pub rule: &'static str,
    /// The finding's severity (its class; a badge when `badge`).
    pub severity: Severity,
    /// Shows the severity as a badge (lists that are not grouped by severity).
    #[prop_or_default]
    pub badge: bool,
    /// What it concerns, in words ("certificate 2", "TXT string 3").
    pub subject: AttrValue,
    /// What is wrong (backticks mark code).
    pub message: AttrValue,
    /// The clause or document the requirement comes from.
    pub source: &'static str,
    /// What to do (backticks mark code).
    pub fix: AttrValue,
    /// The tool's own fields, as `<dt>`/`<dd>` pairs after the fix.
    #[prop_or_default]
    pub children: Html,
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

/// One finding as an expandable list item.
#[component]
pub fn FindingItem(props: &FindingItemProps) -> Html {
    let severity = props.severity.name();
    html! {
        <li>
            <details class={classes!("nl-finding", format!("nl-sev-{severity}"))} data-rule={props.rule}>
                <summary>
                    if props.badge {
                        <span class="nl-sev-badge">{ severity }</span>
                    }
                    <code class="nl-rule">{ props.rule }</code>
                    <span class="nl-where">{ props.subject.clone() }</span>
                    <span class="nl-message">{ with_code(&props.message) }</span>
                    <span class="nl-clause">{ props.source }</span>
                </summary>
                <dl class="nl-fields">
                    <dt>{ "Fix" }</dt><dd>{ with_code(&props.fix) }</dd>
                    { props.children.clone() }
                </dl>
            </details>
        </li>
    }
}
