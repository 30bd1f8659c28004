//! What every netlens rule catalog shares.
//!
//! Each tool keeps its own catalog next to the checks that produce its findings
//! (`netlens_chain::catalog`, `netlens_dnssd::catalog`), because what a rule carries beyond the
//! common fields differs: chain rules decide verdict profiles, DNS-SD rules describe how each
//! implementation behaves. The severity scale is common, so the app, the CLI and scripts that
//! read the JSON sort and filter findings from every tool the same way.

use serde::Serialize;

/// How serious a finding is. Serialised as `info`, `warning`, `error`; ordered from least to
/// most serious.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// For information: nothing is wrong.
    Info,
    /// Works, but is wrong or fragile: some clients or implementations misbehave, or a SHOULD
    /// is not followed.
    Warning,
    /// A MUST is violated: clients reject the chain, registration fails, or peers ignore or
    /// misread the data.
    Error,
}

impl Severity {
    /// Every severity, most serious first (the order reports list them in).
    pub const MOST_SERIOUS_FIRST: [Severity; 3] =
        [Severity::Error, Severity::Warning, Severity::Info];

    /// Lowercase name, as in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Plural heading for a report section (`Errors`, `Warnings`, `Information`).
    pub fn heading(self) -> &'static str {
        match self {
            Severity::Error => "Errors",
            Severity::Warning => "Warnings",
            Severity::Info => "Information",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_json_spelling_and_order_is_by_seriousness() {
        for severity in Severity::MOST_SERIOUS_FIRST {
            let json = serde_json::to_string(&severity).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", severity.name()));
        }
        let mut sorted = Severity::MOST_SERIOUS_FIRST;
        sorted.sort();
        assert_eq!(sorted, [Severity::Info, Severity::Warning, Severity::Error]);
    }
}
