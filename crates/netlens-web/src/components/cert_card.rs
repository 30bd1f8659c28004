//! One certificate: a summary line that is always visible, and every field when expanded.

use std::sync::Arc;

use netlens_x509::CertificateDetails;
use netlens_x509::time::ValidityStatus;
use yew::prelude::*;

use crate::components::copy_button::CopyButton;

/// Props of [`CertCard`].
#[derive(Properties)]
pub struct CertCardProps {
    /// The certificate (shared, never cloned per render).
    pub cert: Arc<CertificateDetails>,
    /// Its position, shown as #n and passed back on toggle.
    pub index: usize,
    /// Show every field.
    pub expanded: bool,
    /// Asks to open or close this card.
    pub on_toggle: Callback<usize>,
}

impl PartialEq for CertCardProps {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.cert, &other.cert)
            && self.index == other.index
            && self.expanded == other.expanded
            && self.on_toggle == other.on_toggle
    }
}

fn row(name: &str, value: Html) -> Html {
    html! {
        <>
            <dt>{ name }</dt>
            <dd>{ value }</dd>
        </>
    }
}

fn text_row(name: &str, value: impl Into<String>) -> Html {
    let value = value.into();
    if value.is_empty() {
        return html! {};
    }
    row(name, html! { value })
}

/// Items shown per list; a crafted certificate can carry tens of thousands of SANs, and the page
/// must stay responsive. The JSON export always has them all.
const MAX_LIST_ITEMS: usize = 200;

fn list(items: &[String]) -> Html {
    if items.is_empty() {
        return html! {};
    }
    let hidden = items.len().saturating_sub(MAX_LIST_ITEMS);
    html! {
        <ul class="nl-inline-list">
            { for items.iter().take(MAX_LIST_ITEMS).map(|i| html! { <li>{ i }</li> }) }
            if hidden > 0 {
                <li class="nl-muted">{ format!("… and {hidden} more (all of them are in the JSON export)") }</li>
            }
        </ul>
    }
}

fn mono(text: &str) -> Html {
    html! { <code class="nl-mono">{ text }</code> }
}

fn validity_class(status: ValidityStatus) -> &'static str {
    match status {
        ValidityStatus::Valid => "nl-chip nl-chip-ok",
        ValidityStatus::Expired => "nl-chip nl-chip-bad",
        ValidityStatus::NotYetValid => "nl-chip nl-chip-warn",
    }
}

fn details(c: &CertificateDetails) -> Html {
    let serial = match &c.serial.decimal {
        Some(d) => format!("{} (decimal {d})", c.serial.hex),
        None => format!("{} (negative)", c.serial.hex),
    };
    let sans: Vec<String> = c.subject_alt_names.iter().map(|n| n.prefixed()).collect();
    let mut key = c.public_key.summary.clone();
    if let Some(e) = &c.public_key.rsa_exponent {
        key.push_str(&format!(", exponent {e}"));
    }
    let basic = c.basic_constraints.as_ref().map(|bc| {
        let mut v = format!("CA: {}", if bc.ca { "yes" } else { "no" });
        if let Some(n) = bc.path_len {
            v.push_str(&format!(", path length ≤ {n}"));
        }
        if bc.critical {
            v.push_str(" (critical)");
        }
        v
    });
    let key_usage = c.key_usage.as_ref().map(|ku| {
        let crit = if ku.critical { " (critical)" } else { "" };
        format!("{}{crit}", ku.usages.join(", "))
    });
    let eku: Vec<String> = c
        .extended_key_usage
        .iter()
        .flat_map(|e| e.purposes.iter())
        .map(|p| format!("{} ({})", p.name, p.short_name))
        .collect();
    let policies: Vec<String> = c
        .certificate_policies
        .iter()
        .map(|p| format!("{} ({})", p.policy.name, p.policy.oid))
        .collect();
    let scts: Vec<String> = c
        .scts
        .iter()
        .map(|s| format!("log {} at {}", s.log_id, s.timestamp))
        .collect();
    html! {
        <div class="nl-cert-body">
            <dl class="nl-fields">
                { text_row("Subject", c.subject.rfc4514.clone()) }
                { text_row("Issuer", c.issuer.rfc4514.clone()) }
                { row("Serial number", mono(&serial)) }
                { text_row("Version", format!("v{}", c.version)) }
                { text_row("Not before", c.validity.not_before.clone()) }
                { text_row("Not after", c.validity.not_after.clone()) }
                { text_row("Lifetime", format!("{} days ({})", c.validity.lifetime_days, c.validity.relative)) }
                { row("Subject alternative names", if sans.is_empty() { html!{ <span class="nl-muted">{ "none" }</span> } } else { list(&sans) }) }
                { text_row("Public key", key) }
                { text_row("Signature algorithm", format!("{} ({})", c.signature_algorithm.name, c.signature_algorithm.short_name)) }
                { text_row("Basic constraints", basic.unwrap_or_default()) }
                { text_row("Key usage", key_usage.unwrap_or_default()) }
                if !eku.is_empty() { { row("Extended key usage", list(&eku)) } }
                if let Some(ski) = &c.subject_key_id { { row("Subject key ID", mono(ski)) } }
                if let Some(id) = c.authority_key_id.as_ref().and_then(|a| a.key_id.as_ref()) {
                    { row("Authority key ID", mono(id)) }
                }
                if let Some(aia) = &c.authority_info_access {
                    if !aia.ocsp.is_empty() { { row("OCSP", list(&aia.ocsp)) } }
                    if !aia.ca_issuers.is_empty() { { row("CA issuers", list(&aia.ca_issuers)) } }
                }
                if !c.crl_distribution_points.is_empty() { { row("CRL distribution points", list(&c.crl_distribution_points)) } }
                if !policies.is_empty() { { row("Certificate policies", list(&policies)) } }
                { row("Embedded SCTs", html! {
                    <>
                        <span>{ c.sct_count }</span>
                        { list(&scts) }
                    </>
                }) }
                if c.must_staple { { text_row("TLS feature", "OCSP Must-Staple") } }
                { row("SHA-256 fingerprint", html! { <>{ mono(&c.fingerprints.sha256) }<CopyButton text={c.fingerprints.sha256.clone()} label="Copy" /></> }) }
                { row("SHA-1 fingerprint", mono(&c.fingerprints.sha1)) }
                { row("SPKI SHA-256 pin", html! {
                    <>
                        { mono(&c.fingerprints.spki_sha256_base64) }
                        <CopyButton text={c.fingerprints.spki_sha256_base64.clone()} label="Copy" />
                        <span class="nl-hint">{ "the SPKI-SHA256-BASE64 value for NSPinnedDomains" }</span>
                    </>
                }) }
                { text_row("Found in", format!("{}, {}", c.format, c.location)) }
            </dl>
            <details class="nl-extensions">
                <summary>{ format!("All extensions ({})", c.extensions.len()) }</summary>
                <table class="nl-table">
                    <thead><tr><th>{ "Extension" }</th><th>{ "OID" }</th><th>{ "Critical" }</th><th>{ "Value" }</th></tr></thead>
                    <tbody>
                        { for c.extensions.iter().map(|e| html! {
                            <tr>
                                <td>{ &e.name }</td>
                                <td>{ mono(&e.oid) }</td>
                                <td>{ if e.critical { "yes" } else { "no" } }</td>
                                <td>{
                                    match (&e.error, &e.value_hex) {
                                        (Some(err), _) => html! { <span class="nl-bad">{ format!("undecodable: {err}") }</span> },
                                        (None, Some(hex)) => mono(hex),
                                        (None, None) => list(&e.summary),
                                    }
                                }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </details>
            if !c.warnings.is_empty() {
                <ul class="nl-warnings">
                    { for c.warnings.iter().map(|w| html! { <li>{ w }</li> }) }
                </ul>
            }
            <div class="nl-actions">
                <CopyButton text={c.pem.clone()} label="Copy PEM" />
            </div>
        </div>
    }
}

/// A certificate card.
#[component]
pub fn CertCard(props: &CertCardProps) -> Html {
    let c = &*props.cert;
    let toggle = {
        let on_toggle = props.on_toggle.clone();
        let index = props.index;
        Callback::from(move |_: MouseEvent| on_toggle.emit(index))
    };
    let is_ca = c.basic_constraints.as_ref().is_some_and(|b| b.ca);
    html! {
        <article class="nl-cert-card" data-index={props.index.to_string()}>
            <button type="button" class="nl-cert-head" aria-expanded={props.expanded.to_string()} onclick={toggle}>
                <span class="nl-index">{ format!("#{}", props.index + 1) }</span>
                <span class="nl-cert-label">{ &c.label }</span>
                if is_ca { <span class="nl-tag">{ "CA" }</span> }
                if c.self_issued { <span class="nl-tag">{ "self-issued" }</span> }
                if c.precertificate { <span class="nl-tag nl-tag-warn">{ "precertificate" }</span> }
                <span class={validity_class(c.validity.status)}>{ &c.validity.relative }</span>
            </button>
            <p class="nl-cert-subject">{ &c.subject.rfc4514 }</p>
            if props.expanded { { details(c) } }
        </article>
    }
}
