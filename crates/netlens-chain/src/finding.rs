//! Findings: a rule, the certificate it concerns, and what to do.

use serde::Serialize;

use crate::catalog::{Profile, RuleId, Severity};

/// One finding of an analysis.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule (see [`crate::catalog::RULES`]); serialised as its id string.
    pub rule: RuleId,
    /// Severity.
    pub severity: Severity,
    /// Index (0-based, as sent) of the chain certificate concerned, if any.
    pub certificate: Option<usize>,
    /// Label of the trust anchor concerned, when the finding is about an anchor.
    pub anchor: Option<String>,
    /// What is wrong, in plain words, with the specifics.
    pub message: String,
    /// Where the requirement comes from.
    pub source: &'static str,
    /// What to do, specific to this finding when possible.
    pub fix: String,
    /// The verdicts this finding fails (empty for warnings and info).
    pub decides: Vec<Profile>,
}

impl Finding {
    /// A finding of `rule` with the rule's severity, profiles and generic fix.
    pub fn new(rule: RuleId, certificate: Option<usize>, message: impl Into<String>) -> Self {
        // Every id has an entry (the catalog tests check); a missing one would still yield an
        // error finding rather than a panic.
        let r = rule.rule();
        let severity = r.map_or(Severity::Error, |r| r.severity);
        Finding {
            rule,
            severity,
            certificate,
            anchor: None,
            message: message.into(),
            source: r.map_or("", |r| r.source),
            fix: r.map_or(String::new(), |r| r.fix.to_owned()),
            decides: if severity == Severity::Error {
                r.map_or(Vec::new(), |r| r.profiles.to_vec())
            } else {
                Vec::new()
            },
        }
    }

    /// Replaces the fix with a specific one.
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = fix.into();
        self
    }

    /// Limits the verdicts this finding decides (the rule may decide more in other situations).
    pub fn deciding(mut self, profiles: &[Profile]) -> Self {
        self.decides = profiles.to_vec();
        self
    }

    /// Lowers an error to a warning that decides nothing.
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self.decides.clear();
        self
    }

    /// Marks the finding as being about a trust anchor.
    pub fn about_anchor(mut self, label: &str) -> Self {
        self.anchor = Some(label.to_owned());
        self
    }

    /// True when the finding fails `profile`.
    pub fn fails(&self, profile: Profile) -> bool {
        self.severity == Severity::Error && self.decides.contains(&profile)
    }
}
