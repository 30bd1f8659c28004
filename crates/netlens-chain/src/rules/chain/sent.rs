//! `chain.*` on the chain as sent, once every store has chosen its path: the order, certificates
//! no path uses, the search limit; and the case where no path could be built.

use crate::catalog::RuleId;
use crate::finding::Finding;
use crate::path;
use crate::rules::{Context, Sent};

/// `chain.search-limit`: the search stopped at its limits without reaching a trusted root.
pub fn search_limit(s: &Sent<'_>, out: &mut Vec<Finding>) {
    if s.exhausted && !s.primary.end.is_trusted() {
        out.push(Finding::new(
            RuleId::ChainSearchLimit,
            Some(s.ctx.certs[s.leaf].index),
            format!(
                "The certificates allow too many candidate paths: the search stopped (at {} signature checks \
                 or {} certificates visited) without reaching a trusted root.",
                path::MAX_VERIFICATIONS,
                path::MAX_SEARCH_STEPS
            ),
        ));
    }
}

/// `chain.wrong-order`: the certificates of the path must come first, leaf first, each followed
/// by its issuer.
pub fn order(s: &Sent<'_>, out: &mut Vec<Finding>) {
    let certs = s.ctx.certs;
    let on_path: Vec<usize> = s.primary.certs.iter().map(|&i| certs[i].index).collect();
    let sent_order: Vec<usize> = {
        let mut v: Vec<usize> = certs.iter().map(|c| c.index).collect();
        v.sort_unstable();
        v
    };
    let path_in_sent_order: Vec<usize> = sent_order
        .iter()
        .copied()
        .filter(|i| on_path.contains(i))
        .collect();
    if path_in_sent_order != on_path || sent_order.first() != on_path.first() {
        let expected: Vec<String> = on_path.iter().map(|i| format!("#{}", i + 1)).collect();
        out.push(
            Finding::new(
                RuleId::ChainWrongOrder,
                on_path.first().copied(),
                format!(
                    "The certificates are sent as {}; a TLS 1.2 server must send the path in order: {}.",
                    sent_order.iter().map(|i| format!("#{}", i + 1)).collect::<Vec<_>>().join(", "),
                    expected.join(", ")
                ),
            )
            .fix(
                "Concatenate leaf first, then each issuer: `cat leaf.pem intermediate.pem > fullchain.pem` \
                 (or use the fixed chain below).",
            ),
        );
    }
}

/// `chain.extra-certificate` and `chain.contains-anchor`: certificates on no store's trusted
/// path (nor the path shown), which are either trusted roots or not needed at all.
pub fn not_on_path(s: &Sent<'_>, out: &mut Vec<Finding>) {
    let (certs, store) = (s.ctx.certs, s.ctx.store);
    let on_any_path: Vec<usize> = s
        .deploy
        .iter()
        .chain(std::iter::once(&s.primary))
        .flat_map(|p| p.certs.iter().map(|&i| certs[i].index))
        .collect();
    let used_anchors: Vec<usize> = s
        .deploy
        .iter()
        .filter_map(|p| p.end.anchor())
        .chain(s.primary.end.anchor())
        .collect();
    for c in certs {
        if on_any_path.contains(&c.index) {
            continue;
        }
        match store.same_as(c) {
            Some(a) => out.push(Finding::new(
                RuleId::ChainContainsAnchor,
                Some(c.index),
                if used_anchors.contains(&a) {
                    format!(
                        "{} is the trusted root the chain ends at; sending it is unnecessary.",
                        c.label()
                    )
                } else {
                    format!(
                        "{} is a trusted root that the chosen path does not use.",
                        c.label()
                    )
                },
            )),
            None => out.push(Finding::new(
                RuleId::ChainExtraCertificate,
                Some(c.index),
                format!(
                    "{} is not on the path from the leaf to the root{}.",
                    c.label(),
                    if c.is_ca() {
                        " (a cross-signed or unrelated CA?)"
                    } else {
                        ""
                    }
                ),
            )),
        }
    }
}

/// `chain.missing-intermediate` (owned by [`super::path::ending`]) when not even a partial path
/// could be built from the leaf at `leaf`.
pub fn no_path(ctx: &Context<'_>, leaf: usize, out: &mut Vec<Finding>) {
    out.push(Finding::new(
        RuleId::ChainMissingIntermediate,
        ctx.certs.get(leaf).map(|c| c.index),
        "No path could be built.",
    ));
}
