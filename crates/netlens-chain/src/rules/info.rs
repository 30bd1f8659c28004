//! `info.*`: advice about the input as a whole; never a verdict.

use crate::catalog::RuleId;
use crate::finding::Finding;
use crate::rules::{PathCheck, Sent};

/// `info.revocation-pointers`: where revocation of the path shown can be checked, and
/// Must-Staple.
pub fn revocation_pointers(s: &Sent<'_>, out: &mut Vec<Finding>) {
    let mut pointers = Vec::new();
    for &i in &s.primary.certs {
        let c = &s.ctx.certs[i];
        let ocsp = c
            .details
            .authority_info_access
            .as_ref()
            .map(|a| a.ocsp.clone())
            .unwrap_or_default();
        let crl = c.details.crl_distribution_points.clone();
        if !ocsp.is_empty() || !crl.is_empty() {
            let mut parts = Vec::new();
            if !ocsp.is_empty() {
                parts.push(format!("OCSP {}", ocsp.join(", ")));
            }
            if !crl.is_empty() {
                parts.push(format!("CRL {}", crl.join(", ")));
            }
            pointers.push(format!("{}: {}", c.label(), parts.join("; ")));
        }
        if c.details.must_staple {
            pointers.push(format!(
                "{} requires OCSP stapling (Must-Staple): the server must staple a fresh OCSP response.",
                c.label()
            ));
        }
    }
    if !pointers.is_empty() {
        out.push(Finding::new(
            RuleId::InfoRevocationPointers,
            None,
            format!("Revocation can be checked at: {}.", pointers.join(" · ")),
        ));
    }
}

/// `info.no-hostname`: no host name to match the certificate against.
pub fn no_hostname(s: &Sent<'_>, out: &mut Vec<Finding>) {
    if s.ctx.options.host.is_none() {
        out.push(Finding::new(
            RuleId::InfoNoHostname,
            None,
            "No host name was given: the certificate's names were not matched against the host clients connect to.",
        ));
    }
}

/// `info.private-root`: the chain ends at a root the user supplied, so the rules for
/// preinstalled roots were not applied.
pub fn private_root(p: &PathCheck<'_>, out: &mut Vec<Finding>) {
    let label = p.anchor.map(|a| a.label.clone()).unwrap_or_default();
    out.push(Finding::new(
        RuleId::InfoPrivateRoot,
        None,
        format!(
            "The chain ends at \"{label}\", a root you supplied. Apple's 398-day and Certificate Transparency rules \
             apply only to Apple-preinstalled roots, so they were not applied."
        ),
    ));
}
