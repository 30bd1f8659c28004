//! One finding of the app-side catalog.

use serde::Serialize;

use crate::catalog::{RuleId, Severity};

/// A finding: the rule, where in the input, what is wrong and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule, serialised as its id string.
    pub rule: RuleId,
    /// The rule's severity.
    pub severity: Severity,
    /// Where: the key path (`NSAppTransportSecurity › NSExceptionDomains › example.com`), or
    /// the pin or certificate concerned.
    pub at: String,
    /// What is wrong, with the specifics.
    pub message: String,
    /// What to do, specific to this finding when possible.
    pub fix: String,
    /// The rule's source.
    pub source: &'static str,
}

impl Finding {
    /// A finding of `rule` with the rule's severity, source and fix.
    pub fn new(rule: RuleId, at: impl Into<String>, message: impl Into<String>) -> Finding {
        let entry = rule.rule();
        Finding {
            rule,
            severity: entry.map_or(Severity::Error, |r| r.severity),
            at: at.into(),
            message: message.into(),
            fix: entry.map_or("", |r| r.fix).to_owned(),
            source: entry.map_or("", |r| r.source),
        }
    }

    /// Replaces the generic fix with a specific one.
    pub fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = fix.into();
        self
    }
}

/// The closest of `candidates` to `word` (case-insensitive edit distance at most a third of its
/// length), for "did you mean".
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .iter()
        .map(|c| (distance(&word, &c.to_ascii_lowercase()), *c))
        .filter(|(d, c)| *d <= c.len() / 3 + 1)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(prev + usize::from(ca != *cb));
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let keys = ["NSAllowsArbitraryLoads", "NSIncludesSubdomains"];
        assert_eq!(
            closest("NSAllowArbitraryLoads", &keys),
            Some("NSAllowsArbitraryLoads")
        );
        assert_eq!(
            closest("NSIncludeSubdomains", &keys),
            Some("NSIncludesSubdomains")
        );
        assert_eq!(closest("CFBundleName", &keys), None);
    }
}
