//! `chain.*` findings about what was read, before any path is built.

use crate::catalog::RuleId;
use crate::finding::Finding;
use crate::rules::InputFacts;

/// `chain.parse-error`: input that is not a readable certificate, and no certificate at all.
pub fn unreadable(facts: &InputFacts, out: &mut Vec<Finding>) {
    for (problem, anchor_input) in &facts.problems {
        if problem.severity() == netlens_x509::Severity::Error {
            let prefix = if *anchor_input {
                "trust anchor input: "
            } else {
                ""
            };
            out.push(Finding::new(
                RuleId::ChainParseError,
                None,
                format!("{prefix}{problem}"),
            ));
        }
    }
    if let Some(e) = &facts.log_list_error {
        out.push(
            Finding::new(RuleId::ChainParseError, None, format!("CT log list: {e}")).warning(),
        );
    }
    for u in &facts.unparsed {
        out.push(Finding::new(
            RuleId::ChainParseError,
            Some(u.index),
            format!(
                "{}: not a valid X.509 certificate: {}{}",
                u.location,
                u.detail,
                u.der_offset
                    .map(|o| format!(" (at DER offset {o})"))
                    .unwrap_or_default()
            ),
        ));
    }
    for u in &facts.unparsed_anchors {
        out.push(Finding::new(
            RuleId::ChainParseError,
            None,
            format!("trust anchor input, {}: {}", u.location, u.detail),
        ));
    }
    if facts.certificates == 0 && out.is_empty() {
        out.push(Finding::new(
            RuleId::ChainParseError,
            None,
            "No certificate was given.",
        ));
    }
}

/// `chain.duplicate-certificate`: a second copy of a certificate already sent.
pub fn duplicates(facts: &InputFacts, out: &mut Vec<Finding>) {
    for (index, first, copy) in &facts.duplicates {
        out.push(Finding::new(
            RuleId::ChainDuplicateCertificate,
            Some(*index),
            format!("{copy} is a second copy of {first}."),
        ));
    }
}

/// `chain.crl-invalid` (owned by [`super::revocation::crls`]): a CRL that cannot be read.
pub fn unreadable_crls(facts: &InputFacts, out: &mut Vec<Finding>) {
    for (location, e) in &facts.unreadable_crls {
        out.push(Finding::new(
            RuleId::ChainCrlInvalid,
            None,
            format!("The CRL at {location} cannot be read: {e}."),
        ));
    }
}

/// `chain.sct-list-unreadable`: an SCT list given with the chain that cannot be read.
pub fn unreadable_sct_lists(facts: &InputFacts, out: &mut Vec<Finding>) {
    for (location, e) in &facts.unreadable_sct_lists {
        out.push(Finding::new(
            RuleId::ChainSctListUnreadable,
            None,
            format!("The SCT list at {location} cannot be read: {e}; its SCTs were not counted."),
        ));
    }
}
