//! Per-store trust: for one candidate path and one root store, does the store trust it, and if
//! not, why, in one sentence. A store trusts a path when it ends at an anchor the store holds
//! (or one the user supplied) and none of the store's own decisions about that root rejects the
//! leaf:
//!
//! - Apple's `constraints.json`: a root trusted only for listed Apple policies is not trusted
//!   for TLS unless the SSL policy is among them (`trust.root-not-for-tls`).
//! - Dated distrust (`trust.distrusted-after`): Apple's support-article decisions and Mozilla's
//!   `CKA_NSS_SERVER_DISTRUST_AFTER`, on the leaf's notBefore; Chrome's `sct_not_after_sec`, on
//!   the leaf's earliest embedded SCT (its notBefore when none is embedded, which the reason
//!   says: SCTs delivered in the handshake are not visible offline).
//! - Chrome's `enforce_anchor_expiry` (`trust.anchor-expired`).
//!
//! A path that ends at another store's root gets `trust.root-not-in-store`, or
//! `trust.root-removed` when it is a root Apple removed, with the release that removed it. The
//! findings carry no verdicts: the analyzer (`analyzer.rs`, `finish`) gives them the profiles that use the store.

use netlens_roots::{Basis, Distrust, Root, StoreId};

use crate::catalog::RuleId;
use crate::finding::Finding;
use crate::model::ChainCert;
use crate::path::{Path, PathEnd};
use crate::rules::{Context, Sent, StoreChoice};
use crate::store::Anchor;
use crate::store::TrustStore;

/// What one store makes of one path.
#[derive(Clone, Debug)]
pub struct Assessment {
    /// The store trusts the path's anchor for this leaf.
    pub trusted: bool,
    /// The store's own findings (errors), without verdicts yet.
    pub findings: Vec<Finding>,
    /// Why (not), in one sentence.
    pub reason: String,
}

fn date(unix: i64) -> String {
    netlens_x509::time::rfc3339_from_unix(unix)[..10].to_owned()
}

/// A list in words: "A", "A and B", "A, B and C".
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The stores other than `store` that hold `anchor`, described ("Mozilla's root store NSS
/// 2.86"), capitalized to open a sentence.
fn other_holders(anchor: &Anchor, store: StoreId, capital: bool) -> Vec<String> {
    StoreId::ALL
        .into_iter()
        .filter(|s| *s != store && anchor.stores & s.bit() != 0)
        .map(|s| {
            let info = s.info();
            let name = if capital {
                info.title()
            } else {
                info.name.to_owned()
            };
            format!("{name} {}", info.version)
        })
        .collect()
}

/// When the leaf was issued, for `basis`, and how that was read.
fn issuance(ctx: &Context<'_>, path: &Path, basis: Basis) -> (i64, &'static str) {
    let leaf = &ctx.certs[path.certs[0]];
    let not_before = leaf.validity().0;
    match basis {
        Basis::NotBefore => (not_before, "notBefore"),
        Basis::EarliestSct => leaf
            .details
            .scts
            .iter()
            .map(|s| i64::try_from(s.timestamp_ms / 1000).unwrap_or(i64::MAX))
            .min()
            .map_or(
                (
                    not_before,
                    "notBefore; no SCT is embedded, so SCTs from the handshake could not be read",
                ),
                |t| (t, "earliest embedded SCT"),
            ),
    }
}

/// The finding `rule` about `anchor` at the top of `path`.
fn about(
    rule: RuleId,
    path: &Path,
    ctx: &Context<'_>,
    anchor: &Anchor,
    message: String,
) -> Finding {
    let top = path.certs.last().map(|&i| ctx.certs[i].index);
    Finding::new(rule, top, message).about_anchor(&anchor.label)
}

/// Judges `path` for `store`: the `trust.*` rules, one family, because each store's decision
/// and its one-sentence reason come from the same anchor entries.
pub fn assess(ctx: &Context<'_>, path: &Path, store: StoreId) -> Assessment {
    let info = store.info();
    let Some(anchor) = path.end.anchor().and_then(|a| ctx.store.get(a)) else {
        return unanchored(ctx, path, store);
    };
    if !anchor.trusted_in(store) {
        return not_held(ctx, path, store, anchor);
    }
    if anchor.user && anchor.stores & store.bit() == 0 {
        return Assessment {
            trusted: true,
            findings: Vec::new(),
            reason: format!(
                "The chain reaches \"{}\", one of your trust anchors.",
                anchor.label
            ),
        };
    }
    let entries: Vec<&'static Root> = anchor.entries_in(store).collect();
    let decisions: Vec<Finding> = [
        not_for_tls(path, ctx, anchor, store, &entries),
        distrusted_after(path, ctx, anchor, store, &entries),
        anchor_expired(path, ctx, anchor, store, &entries),
    ]
    .into_iter()
    .flatten()
    .collect();
    if decisions.is_empty() {
        return Assessment {
            trusted: true,
            findings: decisions,
            reason: format!(
                "The chain reaches \"{}\", which {} {} holds{}.",
                anchor.label,
                info.name,
                info.version,
                if anchor.user {
                    " (and you supplied)"
                } else {
                    ""
                }
            ),
        };
    }
    let reason = decisions
        .iter()
        .map(|f| f.message.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    Assessment {
        trusted: false,
        findings: decisions,
        reason,
    }
}

/// `trust.root-not-for-tls`: Apple trusts the root only for its own services.
fn not_for_tls(
    path: &Path,
    ctx: &Context<'_>,
    anchor: &Anchor,
    store: StoreId,
    entries: &[&'static Root],
) -> Option<Finding> {
    if store != StoreId::Apple || entries.is_empty() || entries.iter().any(|r| r.apple_allows_tls())
    {
        return None;
    }
    let policies = entries
        .iter()
        .flat_map(|r| r.apple_policies.iter().copied())
        .collect::<Vec<_>>()
        .join(", ");
    let message = format!(
        "Apple trusts \"{}\" only for its own services (Apple policies {policies}), not for TLS server \
         authentication.",
        anchor.label
    );
    Some(about(
        RuleId::TrustRootNotForTls,
        path,
        ctx,
        anchor,
        message,
    ))
}

/// `trust.distrusted-after`: the store distrusts certificates issued after a date. A root some
/// entry of which carries no distrust date stays trusted.
fn distrusted_after(
    path: &Path,
    ctx: &Context<'_>,
    anchor: &Anchor,
    store: StoreId,
    entries: &[&'static Root],
) -> Option<Finding> {
    let info = store.info();
    let distrusts: Vec<&Distrust> = entries.iter().filter_map(|r| r.distrust(store)).collect();
    if entries.is_empty() || distrusts.len() != entries.len() {
        return None;
    }
    let d = distrusts.iter().max_by_key(|d| d.after).copied().copied()?;
    let (issued, how) = issuance(ctx, path, d.basis);
    if issued <= d.after {
        return None;
    }
    let message = format!(
        "{} no longer trusts certificates from \"{}\" issued after {}: this one was issued on {} ({how}). \
         Source: {}.",
        info.title(),
        anchor.label,
        date(d.after),
        date(issued),
        d.source
    );
    Some(
        about(RuleId::TrustDistrustedAfter, path, ctx, anchor, message).fix(format!(
            "Replace the certificate with one from a CA that {} trusts without a date limit; certificates \
             issued on or before {} keep working until they expire.",
            info.name,
            date(d.after)
        )),
    )
}

/// `trust.anchor-expired`: the store enforces the anchor's own validity.
fn anchor_expired(
    path: &Path,
    ctx: &Context<'_>,
    anchor: &Anchor,
    store: StoreId,
    entries: &[&'static Root],
) -> Option<Finding> {
    if entries.is_empty()
        || !entries
            .iter()
            .all(|r| r.expiry_enforced_by(store) && ctx.options.at > r.not_after)
    {
        return None;
    }
    let not_after = entries
        .iter()
        .map(|r| r.not_after)
        .max()
        .unwrap_or_default();
    let message = format!(
        "{} enforces the validity of \"{}\", which expired on {}.",
        store.info().title(),
        anchor.label,
        date(not_after)
    );
    Some(about(
        RuleId::TrustAnchorExpired,
        path,
        ctx,
        anchor,
        message,
    ))
}

/// The path ends at an anchor `store` does not hold.
fn not_held(ctx: &Context<'_>, path: &Path, store: StoreId, anchor: &Anchor) -> Assessment {
    if !anchor.self_issued {
        return intermediate_not_sent(ctx, path, store, anchor);
    }
    let info = store.info();
    let holders = other_holders(anchor, store, true);
    let held_by = if holders.is_empty() {
        String::new()
    } else {
        format!(
            " {} {} it.",
            and_list(&holders),
            if holders.len() == 1 { "holds" } else { "hold" }
        )
    };
    let removed = (store == StoreId::Apple)
        .then(|| ctx.store.removed_by_apple(&anchor.subject, &anchor.spki))
        .flatten();
    let alternatives: Vec<String> = anchor
        .organization
        .as_deref()
        .map(|o| ctx.store.same_organization(o, store))
        .unwrap_or_default()
        .iter()
        .take(4)
        .map(|a| format!("\"{}\"", a.label))
        .collect();
    let fix = if alternatives.is_empty() {
        format!(
            "Serve a chain that ends at a root {} holds: ask your CA for its chain (or cross-signed intermediate) \
             to such a root, or use a CA that {} trusts. `netlens roots --store {}` lists them.",
            info.name,
            info.name,
            store.id()
        )
    } else {
        format!(
            "{} has other roots in {}: {}. Ask it for the chain (a cross-signed intermediate) to one of them and \
             serve that, or use a CA that {} trusts.",
            anchor.organization.as_deref().unwrap_or("The CA"),
            info.name,
            and_list(&alternatives),
            info.name
        )
    };
    let (rule, message) = match removed {
        Some(r) => (
            RuleId::TrustRootRemoved,
            format!(
                "The chain ends at \"{}\", a root Apple removed from its trust store{}: iPhones, iPads and Macs no \
                 longer trust it.{held_by}",
                anchor.label,
                if r.removed_in.is_empty() {
                    String::new()
                } else {
                    format!(" in {}", r.removed_in)
                }
            ),
        ),
        None => (
            RuleId::TrustRootNotInStore,
            format!(
                "The chain ends at \"{}\", which is not in {}.{held_by}",
                anchor.label,
                info.describe()
            ),
        ),
    };
    Assessment {
        trusted: false,
        findings: vec![about(rule, path, ctx, anchor, message.clone()).fix(fix)],
        reason: message,
    }
}

/// The path ends at an intermediate another store trusts directly (the Chrome Root Store's
/// additional anchors): for `store` the chain is missing that intermediate, which chains on to
/// roots `store` may well hold.
fn intermediate_not_sent(
    ctx: &Context<'_>,
    path: &Path,
    store: StoreId,
    anchor: &Anchor,
) -> Assessment {
    let Some(&top_index) = path.certs.last() else {
        return unanchored(ctx, path, store);
    };
    let top = &ctx.certs[top_index];
    let holders = other_holders(anchor, store, false);
    let url = top
        .details
        .authority_info_access
        .as_ref()
        .and_then(|a| a.ca_issuers.first().cloned());
    // The same words for every store that lacks it, so the finding is one, failing each verdict.
    let message = format!(
        "The issuer of {}, \"{}\", is not in the chain. Only {} {} it directly (as an anchor); other \
         clients need it sent after {}.{}",
        top.label(),
        anchor.label,
        and_list(&holders),
        if holders.len() == 1 {
            "trusts"
        } else {
            "trust"
        },
        top.label(),
        url.as_ref()
            .map(|u| format!(" The certificate says it can be downloaded from {u}."))
            .unwrap_or_default()
    );
    let fix = match url {
        Some(url) => format!(
            "Download the intermediate and serve it after {}: `curl -sSfo issuer.crt {url}` (convert DER to PEM \
             with `openssl x509 -inform DER -in issuer.crt -out issuer.pem`), then `cat leaf.pem issuer.pem > \
             fullchain.pem`.",
            top.label()
        ),
        None => format!(
            "Get the certificate of \"{}\" from your CA and serve it after {}.",
            anchor.label,
            top.label()
        ),
    };
    Assessment {
        trusted: false,
        findings: vec![
            Finding::new(
                RuleId::ChainMissingIntermediate,
                Some(top.index),
                message.clone(),
            )
            .fix(fix),
        ],
        reason: message,
    }
}

/// The path reaches no anchor: the reason names how it ends, and for Apple whether the root it
/// stops at (or the issuer it misses) is one Apple removed.
fn unanchored(ctx: &Context<'_>, path: &Path, store: StoreId) -> Assessment {
    let info = store.info();
    let Some(&top_index) = path.certs.last() else {
        return Assessment {
            trusted: false,
            findings: Vec::new(),
            reason: "No certificate to build a path from.".into(),
        };
    };
    let top = &ctx.certs[top_index];
    let mut findings = Vec::new();
    let mut reason = match path.end {
        PathEnd::SelfSigned if path.certs.len() == 1 => {
            format!("{} is self-signed and not in {}.", top.label(), info.name)
        }
        PathEnd::SelfSigned => format!(
            "The chain ends at {}, a self-signed root {} does not hold.",
            top.label(),
            info.name
        ),
        PathEnd::MissingIssuer => format!(
            "The issuer of {}, \"{}\", is not in the chain and is not a root {} holds.",
            top.label(),
            top.details.issuer.rfc4514,
            info.name
        ),
        PathEnd::BadLink => "A signature on the path does not verify.".into(),
        PathEnd::TooLong => "No root was reached within the path length clients follow.".into(),
        PathEnd::Anchor(_) | PathEnd::IsAnchor(_) => String::new(),
    };
    if store == StoreId::Apple {
        let removed = match path.end {
            PathEnd::SelfSigned => ctx.store.removed_by_apple(&top.subject, &top.spki),
            PathEnd::MissingIssuer => ctx.store.removed_by_name(&top.issuer),
            _ => None,
        };
        if let Some(r) = removed {
            let when = if r.removed_in.is_empty() {
                String::new()
            } else {
                format!(" in {}", r.removed_in)
            };
            let message = format!(
                "\"{}\", where this chain ends, is a root Apple removed from its trust store{when}: iPhones, iPads \
                 and Macs no longer trust it.",
                r.label
            );
            reason.push(' ');
            reason.push_str(&message);
            findings.push(
                Finding::new(RuleId::TrustRootRemoved, Some(top.index), message)
                    .about_anchor(r.label),
            );
        }
    }
    Assessment {
        trusted: false,
        findings,
        reason,
    }
}

/// "#1 → #2 → ISRG Root X1".
fn path_words(path: &Path, certs: &[ChainCert], store: &TrustStore) -> String {
    let mut parts: Vec<String> = path
        .certs
        .iter()
        .map(|&i| format!("#{}", certs[i].index + 1))
        .collect();
    if let PathEnd::Anchor(a) = path.end
        && let Some(anchor) = store.get(a)
    {
        parts.push(anchor.label.clone());
    }
    parts.join(" → ")
}

/// `trust.store-paths-differ`: when stores that trust the chain settle on different paths, the
/// served chain must hold the certificates of each: say so, with the paths.
pub fn paths_differ(s: &Sent<'_>, out: &mut Vec<Finding>) {
    let (certs, store) = (s.ctx.certs, s.ctx.store);
    let trusted: Vec<&StoreChoice<'_>> = s.chosen.iter().filter(|c| c.trusted).collect();
    let Some(first) = trusted.first() else {
        return;
    };
    if trusted.iter().all(|c| c.path.certs == first.path.certs) {
        return;
    }
    let described: Vec<String> = trusted
        .iter()
        .map(|c| {
            format!(
                "{}: {}",
                c.store.info().name,
                path_words(c.path, certs, store)
            )
        })
        .collect();
    let mut all: Vec<usize> = Vec::new();
    for c in &trusted {
        for &i in &c.path.certs {
            if !all.contains(&certs[i].index) && store.same_as(&certs[i]).is_none() {
                all.push(certs[i].index);
            }
        }
    }
    out.push(
        Finding::new(
            RuleId::TrustStorePathsDiffer,
            None,
            format!(
                "The stores that trust this chain build different paths ({}).",
                described.join("; ")
            ),
        )
        .fix(format!(
            "Serve {} (leaf first) so each client can build its own path; the chain to deploy below does.",
            all.iter()
                .map(|i| format!("#{}", i + 1))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    );
}

/// `trust.intercepting-proxy`: the top certificate of the chain shown (or the issuer it names)
/// belongs to a product that intercepts TLS (`crate::interception`), and no built-in root
/// anchors it.
pub fn interception(s: &Sent<'_>, out: &mut Vec<Finding>) {
    let anchored_publicly = match s.primary.end {
        PathEnd::Anchor(i) | PathEnd::IsAnchor(i) => s.ctx.store.get(i).is_some_and(|a| !a.user),
        _ => false,
    };
    let Some(&top) = s.primary.certs.last() else {
        return;
    };
    let cert = &s.ctx.certs[top];
    if anchored_publicly {
        return;
    }
    let found = crate::interception::identify(&cert.details.subject)
        .or_else(|| crate::interception::identify(&cert.details.issuer));
    let Some(product) = found else { return };
    let what = match product.kind {
        crate::interception::Kind::DebuggingProxy => "a debugging proxy",
        crate::interception::Kind::Inspection => "a corporate TLS inspection service",
    };
    out.push(Finding::new(
        RuleId::TrustInterceptingProxy,
        Some(cert.index),
        format!(
            "The chain ends at \"{}\", the certificate of {} ({what}): the client sees the proxy's certificate, not the server's. It is trusted only where its root was installed, and an app that pins the server's keys refuses it.",
            cert.details.subject.display_label(),
            product.product,
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_sentences() {
        let s = |v: &[&str]| and_list(&v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>());
        assert_eq!(s(&[]), "");
        assert_eq!(s(&["A"]), "A");
        assert_eq!(s(&["A", "B"]), "A and B");
        assert_eq!(s(&["A", "B", "C"]), "A, B and C");
        assert_eq!(StoreId::Chrome.info().title(), "The Chrome Root Store");
    }
}
