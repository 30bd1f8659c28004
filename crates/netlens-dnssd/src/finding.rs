//! Findings: a rule, the part of the input it concerns, and what to do.

use serde::Serialize;

use crate::catalog::{ImplementationNote, RuleId, Severity};

/// The part of the input a finding concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Subject {
    /// The service type as a whole.
    ServiceType,
    /// The application protocol label (`_name`).
    ServiceName,
    /// The transport label (`_tcp` / `_udp`).
    Transport,
    /// The domain.
    Domain,
    /// One subtype (0-based, in input order).
    Subtype {
        /// Index.
        index: usize,
    },
    /// The instance name.
    Instance,
    /// The full name.
    Name,
    /// The TXT record as a whole.
    TxtRecord,
    /// One TXT string (0-based, in wire order).
    TxtString {
        /// Index.
        index: usize,
    },
    /// One NSBonjourServices entry (0-based).
    PlistEntry {
        /// Index.
        index: usize,
    },
    /// The Multipeer Connectivity service type.
    Multipeer,
}

impl Subject {
    /// Words for people: "TXT string 3".
    pub fn describe(self) -> String {
        match self {
            Subject::ServiceType => "service type".into(),
            Subject::ServiceName => "service name".into(),
            Subject::Transport => "transport".into(),
            Subject::Domain => "domain".into(),
            Subject::Subtype { index } => format!("subtype {}", index + 1),
            Subject::Instance => "instance name".into(),
            Subject::Name => "full name".into(),
            Subject::TxtRecord => "TXT record".into(),
            Subject::TxtString { index } => format!("TXT string {}", index + 1),
            Subject::PlistEntry { index } => format!("NSBonjourServices entry {}", index + 1),
            Subject::Multipeer => "Multipeer service type".into(),
        }
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule (see [`crate::catalog::RULES`]); serialised as its id string.
    pub rule: RuleId,
    /// Severity (usually the rule's; some rules grade by amount).
    pub severity: Severity,
    /// What it concerns.
    pub subject: Subject,
    /// What is wrong, with the specifics.
    pub message: String,
    /// The clause the requirement comes from.
    pub source: &'static str,
    /// What to do, specific to this finding when possible.
    pub fix: String,
    /// How the major implementations treat it.
    pub implementations: &'static [ImplementationNote],
}

impl Finding {
    /// A finding of `rule` with the rule's severity, source, notes and generic fix.
    ///
    /// Every id has an entry (the catalog tests check); a missing one would still yield an
    /// error finding rather than a panic.
    pub fn new(rule: RuleId, subject: Subject, message: impl Into<String>) -> Self {
        let r = rule.rule();
        Finding {
            rule,
            severity: r.map_or(Severity::Error, |r| r.severity),
            subject,
            message: message.into(),
            source: r.map_or("", |r| r.source),
            fix: r.map_or(String::new(), |r| r.fix.to_owned()),
            implementations: r.map_or(&[], |r| r.implementations),
        }
    }

    /// Replaces the fix with a specific one.
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = fix.into();
        self
    }

    /// Overrides the severity (for rules graded by amount or by context).
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

/// Counts of findings by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Information.
    pub info: usize,
}

impl Counts {
    /// Counts `findings`.
    pub fn of(findings: &[Finding]) -> Self {
        let mut c = Counts::default();
        for f in findings {
            match f.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.info += 1,
            }
        }
        c
    }
}
