//! The list of input problems, with where each one is.

use netlens_x509::{InputProblem, Severity};
use yew::prelude::*;

/// Props of [`ProblemList`].
#[derive(Properties, PartialEq)]
pub struct ProblemListProps {
    /// The problems, in input order.
    pub problems: Vec<InputProblem>,
}

/// Renders problems as a list: severity, place, message.
#[component]
pub fn ProblemList(props: &ProblemListProps) -> Html {
    if props.problems.is_empty() {
        return html! {};
    }
    html! {
        <ul class="nl-problems" aria-label="Input problems">
            { for props.problems.iter().map(|p| {
                let (class, word) = match p.severity() {
                    Severity::Error => ("nl-problem nl-sev-error", "Error"),
                    Severity::Warning => ("nl-problem nl-sev-warning", "Warning"),
                    Severity::Notice => ("nl-problem nl-sev-notice", "Note"),
                };
                html! {
                    <li class={class} data-code={p.code()}>
                        <span class="nl-sev">{ word }</span>
                        if let Some(location) = &p.location {
                            <span class="nl-where">{ location.to_string() }</span>
                        }
                        <span class="nl-message">{ p.message() }</span>
                    </li>
                }
            }) }
        </ul>
    }
}
