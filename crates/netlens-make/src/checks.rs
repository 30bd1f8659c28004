//! netlens checks what it made before offering it: every certificate goes through the same
//! chain analysis a pasted chain gets, anchored on the new root alone (no built-in store, as a
//! test device that trusts only this root), at the moment of issue.
//!
//! - A server certificate is analysed for each of its names as the host; both verdicts, `apple`
//!   and `rfc5280`, must pass (with the `any` profile and more than 825 days, `apple` is
//!   expected to fail on exactly `apple.validity-over-825-days`, and the check says so).
//! - A client identity is analysed for clientAuth.
//! - A fixture must trigger its finding ([`Fixture::finding`]) and fail a verdict.
//!
//! [`checks`] says what to analyse; the shell runs each [`Check::analyzer`] (RustCrypto in the
//! CLI; WebCrypto first in the page) and [`Check::judge`] reads the analysis.

use netlens_chain::catalog::RuleId;
use netlens_chain::names::Host;
use netlens_chain::report::Verdict;
use netlens_chain::{Analysis, Analyzer, Finding, Options, Purpose, Severity};
use netlens_x509::details::to_pem;
use serde::Serialize;

use crate::issue::Issued;
use crate::request::{Fixture, Plan, Profile};

/// What a check expects of its analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "expect", content = "rule")]
pub enum Expectation {
    /// Both verdicts pass.
    Trusted,
    /// `rfc5280` passes; `apple` fails on Apple's validity limit alone (profile `any`).
    TrustedButOverAppleLimit,
    /// The finding fires and a verdict fails.
    Finding(RuleId),
}

/// One analysis to run.
#[derive(Clone, Debug)]
pub struct Check {
    /// What is checked, in words: "server certificate for printer.local".
    pub label: String,
    /// The fixture checked, if it is one.
    pub fixture: Option<Fixture>,
    /// The chain as a server (or client) would send it, PEM.
    pub chain: String,
    /// The anchor, PEM.
    pub anchor: String,
    /// The host the client connects to.
    pub host: Option<Host>,
    /// Server or client authentication.
    pub purpose: Purpose,
    /// What must come out.
    pub expect: Expectation,
    /// The moment of the analysis.
    pub at: i64,
}

/// A check's result.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// What was checked.
    pub label: String,
    /// The fixture checked, if it is one.
    pub fixture: Option<Fixture>,
    /// It came out as expected.
    pub passed: bool,
    /// One sentence: what came out, against what was expected.
    pub summary: String,
    /// What was expected.
    pub expect: Expectation,
    /// `apple` and `rfc5280`: `pass` or `fail`.
    pub verdicts: std::collections::BTreeMap<netlens_chain::Profile, Verdict>,
    /// The findings (errors and warnings; info left out).
    pub findings: Vec<Finding>,
}

/// The checks of everything `issued` for `plan`.
pub fn checks(plan: &Plan, issued: &Issued) -> Vec<Check> {
    let anchor = to_pem(&issued.anchor);
    let intermediates = issued.intermediates();
    let mut out = Vec::new();
    let with_chain = |leaf: &[u8]| {
        let mut parts = vec![leaf];
        parts.extend(intermediates.iter().copied());
        crate::pem::chain(&parts)
    };
    let over_apple = plan.request.profile == Profile::Any && plan.request.days > 825;
    if let Some(server) = &issued.server {
        for name in &plan.names {
            out.push(Check {
                label: format!("server certificate for {name}"),
                fixture: None,
                chain: with_chain(server),
                anchor: anchor.clone(),
                host: Some(name.as_host()),
                purpose: Purpose::ServerAuth,
                expect: if over_apple {
                    Expectation::TrustedButOverAppleLimit
                } else {
                    Expectation::Trusted
                },
                at: plan.at,
            });
        }
        let host = plan.names.first().map(|n| n.as_host());
        for fixture in &plan.fixtures {
            let chain = match fixture {
                Fixture::MissingIntermediate => crate::pem::chain(&[server]),
                f => match issued.fixtures.get(f) {
                    Some(cert) => with_chain(cert),
                    None => continue,
                },
            };
            out.push(Check {
                label: format!("fixture {}", fixture.as_str()),
                fixture: Some(*fixture),
                chain,
                anchor: anchor.clone(),
                host: host.clone(),
                purpose: Purpose::ServerAuth,
                expect: Expectation::Finding(fixture.finding()),
                at: plan.at,
            });
        }
    }
    for (name, cert) in plan.clients.iter().zip(&issued.clients) {
        out.push(Check {
            label: format!("client identity {name}"),
            fixture: None,
            chain: with_chain(cert),
            anchor: anchor.clone(),
            host: None,
            purpose: Purpose::ClientAuth,
            expect: Expectation::Trusted,
            at: plan.at,
        });
    }
    out
}

impl Check {
    /// The analyzer to run: the chain, the anchor, the host and purpose, no built-in store.
    pub fn analyzer(&self) -> Analyzer {
        let mut options = Options::at(self.at);
        options.host = self.host.clone();
        options.builtin_roots = false;
        options.purpose = self.purpose;
        let mut analyzer = Analyzer::new(options);
        analyzer.add_chain(self.chain.as_bytes(), Some(&self.label));
        analyzer.add_anchors(self.anchor.as_bytes(), Some("the new root"));
        analyzer
    }

    /// Judges the analysis against what was expected.
    pub fn judge(&self, analysis: &Analysis) -> Outcome {
        let verdict =
            |p: netlens_chain::Profile| analysis.verdicts.get(&p).copied().unwrap_or(Verdict::Fail);
        let (apple, strict) = (
            verdict(netlens_chain::Profile::Apple),
            verdict(netlens_chain::Profile::Rfc5280),
        );
        let errors: Vec<&Finding> = analysis
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        let words = format!("apple {apple}, rfc5280 {strict}");
        let (passed, summary) = match self.expect {
            Expectation::Trusted => {
                let ok = apple == Verdict::Pass && strict == Verdict::Pass;
                let summary = if ok {
                    format!("{}: trusted ({words}).", self.label)
                } else {
                    let why: Vec<String> = errors.iter().map(|f| f.rule.to_string()).collect();
                    format!("{}: NOT trusted ({words}: {}).", self.label, why.join(", "))
                };
                (ok, summary)
            }
            Expectation::TrustedButOverAppleLimit => {
                let only_limit = errors
                    .iter()
                    .all(|f| f.rule == RuleId::AppleValidityOver825Days);
                let ok = strict == Verdict::Pass && apple == Verdict::Fail && only_limit;
                let summary = if ok {
                    format!(
                        "{}: trusted by standard clients (rfc5280 pass); iOS and macOS refuse it \
                         (apple fail: {}), as the profile \"any\" allows.",
                        self.label,
                        RuleId::AppleValidityOver825Days
                    )
                } else {
                    let why: Vec<String> = errors.iter().map(|f| f.rule.to_string()).collect();
                    format!(
                        "{}: NOT as expected ({words}: {}).",
                        self.label,
                        why.join(", ")
                    )
                };
                (ok, summary)
            }
            Expectation::Finding(rule) => {
                let fired = analysis.findings.iter().any(|f| f.rule == rule);
                let fails = apple == Verdict::Fail || strict == Verdict::Fail;
                let ok = fired && fails;
                let summary = if ok {
                    format!("{}: {rule} fires ({words}).", self.label)
                } else if fired {
                    format!(
                        "{}: {rule} fires but no verdict fails ({words}).",
                        self.label
                    )
                } else {
                    format!("{}: {rule} does NOT fire ({words}).", self.label)
                };
                (ok, summary)
            }
        };
        Outcome {
            label: self.label.clone(),
            fixture: self.fixture,
            passed,
            summary,
            expect: self.expect,
            verdicts: analysis.verdicts.clone(),
            findings: analysis
                .findings
                .iter()
                .filter(|f| f.severity != Severity::Info)
                .cloned()
                .collect(),
        }
    }
}
