//! The runner: calls each [`REGISTRY`] check at its scope, where its applicability holds and
//! for subjects inside its rules' effective dates. Checks never test these themselves.

use netlens_roots::StoreId;

use crate::ct::{self, CtReport, LogList};
use crate::finding::Finding;
use crate::path::{Path, PathEnd};

use super::{
    CertCheck, Check, Context, InputFacts, PathCheck, REGISTRY, Registration, Sent, trust,
};

/// Whether some rule of `registration` is in force for a subject dated `date`.
fn in_force(registration: &Registration, date: i64) -> bool {
    registration
        .rules
        .iter()
        .chain(registration.shares)
        .any(|r| r.effective().applies_at(date))
}

/// Keeps what `registration` made from `from` on: only its own rules (a debug build stops on
/// any other, which would be a registry error), and only those in force at `date`.
fn settle(registration: &Registration, out: &mut Vec<Finding>, from: usize, date: Option<i64>) {
    let made = out.get(from..).unwrap_or_default();
    debug_assert!(
        made.iter().all(|f| registration.makes(f.rule)),
        "{} made a rule it does not register: {:?}",
        registration.name,
        made.iter().map(|f| f.rule).collect::<Vec<_>>()
    );
    let in_force = |f: &Finding| date.is_none_or(|d| f.rule.effective().applies_at(d));
    // Almost always everything is in force: only then is nothing moved.
    if !made.iter().all(in_force) {
        let mut kept = out.split_off(from);
        kept.retain(in_force);
        out.append(&mut kept);
    }
}

/// The [`crate::rules::Scope::Input`] checks.
pub fn input(facts: &InputFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    for registration in REGISTRY {
        if let Check::Input(check) = registration.check {
            let from = out.len();
            check(facts, &mut out);
            settle(registration, &mut out, from, None);
        }
    }
    out
}

/// The [`crate::rules::Scope::NoPath`] checks, for the leaf at `leaf`.
pub fn no_path(ctx: &Context<'_>, leaf: usize) -> Vec<Finding> {
    let mut out = Vec::new();
    for registration in REGISTRY {
        if let Check::NoPath(check) = registration.check
            && registration.applies.holds(ctx, None)
        {
            let from = out.len();
            check(ctx, leaf, &mut out);
            settle(registration, &mut out, from, None);
        }
    }
    out
}

/// Whether `nodes[i]` is the root of the path: the anchor certificate, or a self-signed top.
fn is_root(check: &PathCheck<'_>, i: usize) -> bool {
    let node = &check.nodes[i];
    node.anchor_label.is_some()
        || (i + 1 == check.nodes.len()
            && node.cert.self_issued()
            && matches!(check.path.end, PathEnd::SelfSigned | PathEnd::IsAnchor(_)))
}

/// The [`crate::rules::Scope::Path`] and [`crate::rules::Scope::Certificate`] checks on one
/// candidate path, with Apple's CT evaluation of its leaf when it ends at a public root.
pub fn path(
    ctx: &Context<'_>,
    path: &Path,
    log_list: Option<&LogList>,
) -> (Vec<Finding>, Option<CtReport>) {
    let mut out = Vec::new();
    let public = path
        .end
        .anchor()
        .and_then(|a| ctx.store.get(a))
        .is_some_and(|a| a.public);
    let ct = match path.certs.first() {
        Some(&leaf) if public => {
            // The leaf's issuer: the next certificate, or the anchor (an embedded SCT signs
            // the issuer's key hash).
            let issuer_spki = match path.certs.get(1) {
                Some(&next) => Some(ctx.certs[next].spki.as_slice()),
                None => path
                    .end
                    .anchor()
                    .and_then(|a| ctx.store.get(a))
                    .map(|a| a.spki.as_slice()),
            };
            Some(ct::for_leaf(
                &ctx.certs[leaf],
                issuer_spki,
                ctx.delivered,
                log_list,
                ctx.verifier,
            ))
        }
        _ => None,
    };
    let Some(check) = PathCheck::new(ctx, path, ct.as_ref()) else {
        return (out, ct);
    };
    let roots: Vec<bool> = (0..check.nodes.len()).map(|i| is_root(&check, i)).collect();
    let leaf_date = check.leaf().cert.validity().0;
    for registration in REGISTRY {
        if !registration.applies.holds(ctx, Some(path)) {
            continue;
        }
        match registration.check {
            Check::Path(run) if in_force(registration, leaf_date) => {
                let from = out.len();
                run(&check, &mut out);
                settle(registration, &mut out, from, Some(leaf_date));
            }
            Check::Certificate(position, run) => {
                for (index, node) in check.nodes.iter().enumerate() {
                    let date = node.cert.validity().0;
                    if !position.includes(index, roots[index]) || !in_force(registration, date) {
                        continue;
                    }
                    let from = out.len();
                    let cert = CertCheck {
                        path: &check,
                        node: *node,
                        index,
                        is_root: roots[index],
                        date,
                    };
                    run(&cert, &mut out);
                    settle(registration, &mut out, from, Some(date));
                }
            }
            _ => {}
        }
    }
    (out, ct)
}

/// The [`crate::rules::Scope::Store`] checks: what `store` makes of `path`.
pub fn store(ctx: &Context<'_>, path: &Path, store: StoreId) -> trust::Assessment {
    let mut result: Option<trust::Assessment> = None;
    for registration in REGISTRY {
        let Check::Store(run) = registration.check else {
            continue;
        };
        if !registration.applies.holds(ctx, Some(path)) {
            continue;
        }
        let mut assessment = run(ctx, path, store);
        let mut findings = std::mem::take(&mut assessment.findings);
        settle(registration, &mut findings, 0, None);
        assessment.findings = findings;
        result = Some(match result {
            None => assessment,
            Some(mut so_far) => {
                so_far.trusted &= assessment.trusted;
                so_far.findings.extend(assessment.findings);
                if !assessment.trusted {
                    so_far.reason.push(' ');
                    so_far.reason.push_str(&assessment.reason);
                }
                so_far
            }
        });
    }
    result.unwrap_or_else(|| trust::Assessment {
        trusted: false,
        findings: Vec::new(),
        reason: String::new(),
    })
}

/// The [`crate::rules::Scope::Sent`] checks.
pub fn sent(sent: &Sent<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for registration in REGISTRY {
        if let Check::Sent(run) = registration.check
            && registration.applies.holds(sent.ctx, Some(sent.primary))
        {
            let from = out.len();
            run(sent, &mut out);
            settle(registration, &mut out, from, None);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{APPLE_2019, RuleId};
    use crate::rules::{Applicability, Check};

    fn planted(rules: &'static [RuleId]) -> Registration {
        Registration {
            rules,
            shares: &[],
            applies: Applicability::ANY,
            check: Check::Sent(|_, _| {}),
            name: "planted",
        }
    }

    #[cfg(debug_assertions)]
    #[test]
    #[should_panic(expected = "made a rule it does not register")]
    fn a_check_making_a_rule_it_does_not_register_is_caught() {
        let mut out = vec![Finding::new(RuleId::ChainWrongOrder, None, "planted")];
        settle(&planted(&[RuleId::ChainExpired]), &mut out, 0, None);
    }

    #[test]
    fn findings_outside_their_rules_effective_dates_are_dropped() {
        let rule = RuleId::AppleValidityOver825Days;
        let registration = planted(&[RuleId::AppleValidityOver825Days]);
        let first_day = APPLE_2019.unix_seconds();
        assert_eq!(rule.effective().from, Some(APPLE_2019));
        assert!(in_force(&registration, first_day));
        assert!(!in_force(&registration, first_day - 1));
        let made = || vec![Finding::new(rule, Some(0), "planted")];
        let mut before = made();
        settle(&registration, &mut before, 0, Some(first_day - 1));
        assert!(before.is_empty());
        let mut on_the_day = made();
        settle(&registration, &mut on_the_day, 0, Some(first_day));
        assert_eq!(on_the_day.len(), 1);
    }
}
