//! Validating one candidate path: RFC 5280 §6 path validation, the leaf's use for TLS, and the
//! per-certificate profile rules (RFC 5280 structure, CA/B Forum profile). Apple's, ATS and CT
//! rules live in [`crate::apple`]; revocation in [`crate::crl`].
//!
//! Every check runs on every candidate path, so the path finally shown is simply the one with
//! the fewest errors, and each alternative comes with its own reasons.

use const_oid::ObjectIdentifier;
use const_oid::db::rfc5280 as oid;
use der::Decode;
use netlens_x509::keys::KeyKind;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, ExtendedKeyUsage, SubjectAltName};

use crate::catalog::{Profile, RuleId};
use crate::constraints::{self, Constraints, Violation};
use crate::crypto::{HashAlg, Verification};
use crate::finding::Finding;
use crate::model::ChainCert;
use crate::names::{self, Host};
use crate::path::{Path, PathEnd};
use crate::store::{AnchorOrigin, TrustStore};
use crate::{ExpectedName, Options, Purpose};

const SERVER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
const CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
const ANY_EKU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");
const AIA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.1");
const CT_POISON: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.3");

/// Extensions a client understands well enough that marking them critical is fine.
const UNDERSTOOD: &[&str] = &[
    "2.5.29.14",         // subjectKeyIdentifier
    "2.5.29.15",         // keyUsage
    "2.5.29.17",         // subjectAltName
    "2.5.29.18",         // issuerAltName
    "2.5.29.19",         // basicConstraints
    "2.5.29.30",         // nameConstraints
    "2.5.29.31",         // cRLDistributionPoints
    "2.5.29.32",         // certificatePolicies
    "2.5.29.33",         // policyMappings
    "2.5.29.35",         // authorityKeyIdentifier
    "2.5.29.36",         // policyConstraints
    "2.5.29.37",         // extendedKeyUsage
    "2.5.29.54",         // inhibitAnyPolicy
    "1.3.6.1.5.5.7.1.1", // authorityInfoAccess
];

/// Everything validation looks at.
pub struct Context<'a> {
    /// Deduplicated chain certificates.
    pub certs: &'a [ChainCert],
    /// User-supplied anchor certificates.
    pub anchor_certs: &'a [ChainCert],
    /// The trust store.
    pub store: &'a TrustStore,
    /// The analysis options.
    pub options: &'a Options,
}

/// A certificate of the path with what findings need to name it.
#[derive(Clone, Copy)]
pub struct Node<'a> {
    /// The certificate.
    pub cert: &'a ChainCert,
    /// Set when this is a user-supplied anchor certificate rather than a chain certificate:
    /// findings then name the anchor instead of a chain position.
    pub anchor_label: Option<&'a str>,
}

impl Node<'_> {
    /// A finding about this node.
    pub fn finding(&self, rule: RuleId, message: impl Into<String>) -> Finding {
        match self.anchor_label {
            Some(label) => Finding::new(rule, None, message).about_anchor(label),
            None => Finding::new(rule, Some(self.cert.index), message),
        }
    }

    /// "#2 (Example CA)" or "trust anchor \"Example Root\"".
    pub fn name(&self) -> String {
        match self.anchor_label {
            Some(label) => format!("trust anchor \"{label}\""),
            None => self.cert.label(),
        }
    }
}

/// The full certificates of a path, leaf first, ending with the anchor's certificate when it is
/// known (a user anchor). A built-in anchor has no certificate: only its name and key.
pub fn nodes<'a>(ctx: &'a Context<'a>, path: &Path) -> Vec<Node<'a>> {
    let mut out: Vec<Node<'a>> = path
        .certs
        .iter()
        .map(|&i| Node {
            cert: &ctx.certs[i],
            anchor_label: None,
        })
        .collect();
    if let PathEnd::Anchor(a) = path.end
        && let Some(anchor) = ctx.store.get(a)
        && let Some(cert) = anchor.cert.and_then(|ci| ctx.anchor_certs.get(ci))
    {
        out.push(Node {
            cert,
            anchor_label: Some(&anchor.label),
        });
    }
    out
}

fn hash_of(cert: &ChainCert) -> Option<HashAlg> {
    crate::crypto::scheme(cert.cert.signature_algorithm())
        .ok()
        .map(|s| s.hash())
}

/// Validates `path`, returning its findings.
pub fn validate(ctx: &Context<'_>, path: &Path) -> Vec<Finding> {
    let mut out = Vec::new();
    let nodes = nodes(ctx, path);
    let Some(leaf) = nodes.first().copied() else {
        return out;
    };
    let now = ctx.options.at;

    links(ctx, path, &nodes, &mut out);
    ending(ctx, path, &mut out);

    for (i, node) in nodes.iter().enumerate() {
        let c = node.cert;
        // Validity (RFC 5280 §6.1.3 (a)(2)), for every certificate whose dates we know.
        let (nb, na) = c.validity();
        if now > na {
            out.push(node.finding(
                RuleId::ChainExpired,
                format!(
                    "{} expired on {} ({}).",
                    node.name(),
                    c.details.validity.not_after,
                    netlens_x509::time::ValidityInfo::new(
                        &c.cert.tbs_certificate().validity().not_before,
                        &c.cert.tbs_certificate().validity().not_after,
                        now
                    )
                    .relative
                ),
            ));
        } else if now < nb {
            out.push(node.finding(
                RuleId::ChainNotYetValid,
                format!(
                    "{} is not valid before {}.",
                    node.name(),
                    c.details.validity.not_before
                ),
            ));
        }
        unknown_critical(node, &mut out);
        let root = is_root(node, i, &nodes, path);
        structure(node, i == 0, root, &mut out);
        if i > 0 {
            issuer_checks(node, &nodes, i, &mut out);
            if !root {
                eku_chaining(ctx, node, &mut out);
            }
        }
    }

    name_constraints(ctx, path, &nodes, &mut out);
    leaf_checks(ctx, leaf, &mut out);
    depth(ctx, path, &nodes, &mut out);
    out
}

/// Whether `nodes[i]` is the root of the path: the anchor certificate, or a self-signed top.
fn is_root(node: &Node<'_>, i: usize, nodes: &[Node<'_>], path: &Path) -> bool {
    let last = i + 1 == nodes.len();
    node.anchor_label.is_some()
        || (last
            && node.cert.self_issued()
            && matches!(path.end, PathEnd::SelfSigned | PathEnd::IsAnchor(_)))
}

fn links(ctx: &Context<'_>, path: &Path, nodes: &[Node<'_>], out: &mut Vec<Finding>) {
    for (i, v) in path.links.iter().enumerate() {
        let Some(child) = nodes.get(i) else { continue };
        // The self-signature of an untrusted root proves nothing either way.
        let self_signature = i + 1 == path.links.len() && path.end == PathEnd::SelfSigned;
        if self_signature && i > 0 {
            continue;
        }
        let issuer_name = match path.certs.get(i + 1) {
            Some(&j) => ctx.certs[j].label(),
            None => match path.end.anchor().and_then(|a| ctx.store.get(a)) {
                Some(a) => format!("trust anchor \"{}\"", a.label),
                None => "itself".to_owned(),
            },
        };
        match v {
            Verification::Valid => {
                let issuer_ski = nodes.get(i + 1).and_then(|n| n.cert.ski.as_ref());
                if let (Some(aki), Some(ski)) = (&child.cert.aki, issuer_ski)
                    && aki != ski
                    && !self_signature
                {
                    out.push(child.finding(
                        RuleId::ChainAkiSkiMismatch,
                        format!(
                            "{}'s authority key identifier ({}) differs from {issuer_name}'s subject key identifier ({}), \
                             although the signature verifies.",
                            child.name(),
                            netlens_x509::hex::colon(aki),
                            netlens_x509::hex::colon(ski)
                        ),
                    ));
                }
                let hash = hash_of(child.cert);
                if matches!(hash, Some(HashAlg::Sha1)) {
                    out.push(
                        child
                            .finding(
                                RuleId::ChainWeakSignature,
                                format!(
                                    "{} is signed with SHA-1 by {issuer_name}. The signature verifies, but SHA-1 \
                                     collisions are practical and browsers reject it.",
                                    child.name()
                                ),
                            ),
                    );
                }
            }
            Verification::Invalid(why) => out.push(child.finding(
                RuleId::ChainSignatureInvalid,
                format!(
                    "{}'s signature does not verify with {issuer_name}'s key: {why}.",
                    child.name()
                ),
            )),
            Verification::Unsupported(why) => out.push(child.finding(
                RuleId::ChainUnsupportedAlgorithm,
                format!(
                    "{}'s signature by {issuer_name} cannot be checked: {why}.",
                    child.name()
                ),
            )),
        }
    }
}

fn ending(ctx: &Context<'_>, path: &Path, out: &mut Vec<Finding>) {
    let Some(&top_index) = path.certs.last() else {
        return;
    };
    let top = &ctx.certs[top_index];
    let node = Node {
        cert: top,
        anchor_label: None,
    };
    match path.end {
        PathEnd::Anchor(_) | PathEnd::IsAnchor(_) => {
            if path
                .end
                .anchor()
                .and_then(|a| ctx.store.get(a))
                .map(|a| a.origin())
                == Some(AnchorOrigin::User)
                && path.certs.len() == 1
                && top.self_issued()
                && !top.is_ca()
            {
                out.push(
                    node.finding(
                        RuleId::ChainSelfSignedLeaf,
                        format!(
                            "{} is a self-signed certificate with CA:FALSE. You trust it here, but iOS and macOS \
                             only let users trust roots with basicConstraints CA:TRUE.",
                            top.label()
                        ),
                    )
                    .deciding(&[Profile::Apple]),
                );
            }
        }
        PathEnd::SelfSigned => {
            if path.certs.len() == 1 {
                out.push(node.finding(
                    RuleId::ChainSelfSignedLeaf,
                    format!(
                        "{} is self-signed: it vouches for itself, so no client trusts it unless it is installed as a trust anchor.",
                        top.label()
                    ),
                ));
            } else {
                out.push(node.finding(
                    RuleId::ChainUntrustedRoot,
                    format!(
                        "The chain ends at {}, a self-signed root that {}.",
                        top.label(),
                        if ctx.options.builtin_roots {
                            "no root store netlens knows holds (Apple's, Mozilla's, the Chrome Root Store's) and \
                             that is not among your anchors"
                        } else {
                            "is not among your anchors (the compiled-in root stores are turned off)"
                        }
                    ),
                ));
            }
        }
        PathEnd::MissingIssuer => {
            let issuer = &top.details.issuer.rfc4514;
            let urls: Vec<String> = top
                .details
                .authority_info_access
                .as_ref()
                .map(|a| a.ca_issuers.clone())
                .unwrap_or_default();
            let mut message = format!(
                "The issuer of {}, \"{issuer}\", is not in the chain and is not a trusted root.",
                top.label()
            );
            let fix = match urls.first() {
                Some(url) => {
                    message.push_str(&format!(
                        " The certificate says it can be downloaded from {url}."
                    ));
                    format!(
                        "Download the intermediate and serve it after {}: `curl -sSfo issuer.crt {url}` \
                         (convert DER to PEM with `openssl x509 -inform DER -in issuer.crt -out issuer.pem`), then \
                         `cat leaf.pem issuer.pem > fullchain.pem` and point the server at fullchain.pem.",
                        top.label()
                    )
                }
                None => format!(
                    "Get the certificate of \"{issuer}\" from your CA and serve it after {}.",
                    top.label()
                ),
            };
            out.push(
                node.finding(RuleId::ChainMissingIntermediate, message)
                    .fix(fix),
            );
        }
        PathEnd::BadLink => {}
        PathEnd::TooLong => out.push(node.finding(
            RuleId::ChainTooLong,
            format!(
                "No trusted root was reached within {} certificates.",
                crate::path::MAX_PATH_LEN
            ),
        )),
    }
}

fn unknown_critical(node: &Node<'_>, out: &mut Vec<Finding>) {
    for ext in node.cert.extensions() {
        if !ext.critical {
            continue;
        }
        let id = ext.extn_id.to_string();
        if ext.extn_id == CT_POISON {
            out.push(node.finding(
                RuleId::ChainUnknownCriticalExtension,
                format!(
                    "{} is a Certificate Transparency precertificate (critical poison extension), not the certificate the CA issued.",
                    node.name()
                ),
            ).fix("Use the final certificate the CA issued after logging, not the precertificate."));
        } else if !UNDERSTOOD.contains(&id.as_str()) {
            out.push(node.finding(
                RuleId::ChainUnknownCriticalExtension,
                format!(
                    "{} has a critical extension clients do not know: {} ({id}).",
                    node.name(),
                    netlens_x509::oids::long_name(&ext.extn_id)
                ),
            ));
        }
    }
}

/// RFC 5280 certificate structure and the CA/B Forum profile, per certificate.
fn structure(node: &Node<'_>, is_leaf: bool, is_root: bool, out: &mut Vec<Finding>) {
    let c = node.cert;
    let d = &c.details;
    let self_signed_root = c.self_issued() && is_root;

    if d.version != 3 {
        out.push(node.finding(
            RuleId::CabfVersionNotV3,
            format!("{} is an X.509 v{} certificate.", node.name(), d.version),
        ));
    }
    // Serial hygiene is about certificates a CA issues; trust anchors (Starfield G2 has serial 0)
    // are trusted as they are.
    let issued = !is_root;
    if issued
        && (d.serial.zero
            || d.serial.negative
            || d.serial.length > 20 && !(d.serial.length == 21 && d.serial.hex.starts_with("00")))
    {
        let what = if d.serial.zero {
            "zero".to_owned()
        } else if d.serial.negative {
            "negative".to_owned()
        } else {
            format!("{} bytes long", d.serial.length)
        };
        out.push(node.finding(
            RuleId::X509SerialNumber,
            format!("{}'s serial number is {what}.", node.name()),
        ));
    }
    if !d.signature_algorithm.matches_tbs {
        out.push(node.finding(
            RuleId::X509SignatureAlgorithmMismatch,
            format!(
                "{}'s signed part names a different signature algorithm than its outer signatureAlgorithm.",
                node.name()
            ),
        ));
    }
    if d.issuer.attributes.is_empty() {
        out.push(node.finding(
            RuleId::X509EmptyName,
            format!("{} has an empty issuer name.", node.name()),
        ));
    }
    if d.subject.attributes.is_empty() && c.is_ca() {
        out.push(node.finding(
            RuleId::X509EmptyName,
            format!("{} is a CA with an empty subject name.", node.name()),
        ));
    }

    // Extensions: duplicates, undecodable ones, criticality rules.
    let mut seen: Vec<&ObjectIdentifier> = Vec::new();
    for ext in c.extensions() {
        if seen.contains(&&ext.extn_id) {
            out.push(node.finding(
                RuleId::X509DuplicateExtension,
                format!(
                    "{} contains the {} extension more than once.",
                    node.name(),
                    netlens_x509::oids::long_name(&ext.extn_id)
                ),
            ));
        }
        seen.push(&ext.extn_id);
    }
    for e in &d.extensions {
        if let Some(err) = &e.error {
            out.push(node.finding(
                RuleId::X509MalformedExtension,
                format!(
                    "{}'s {} extension cannot be decoded: {err}.",
                    node.name(),
                    e.name
                ),
            ));
        }
    }
    if let Some(aia) = c.extension(&AIA) {
        if aia.critical {
            out.push(node.finding(
                RuleId::X509ExtensionCriticality,
                format!("{}'s Authority Information Access extension is marked critical; it must not be.", node.name()),
            ));
        }
        if d.authority_info_access
            .as_ref()
            .is_some_and(|a| a.ocsp.is_empty() && a.ca_issuers.is_empty() && a.other.is_empty())
        {
            out.push(node.finding(
                RuleId::CabfEmptyExtension,
                format!(
                    "{}'s Authority Information Access extension lists no access descriptions.",
                    node.name()
                ),
            ));
        }
    }
    if let Some(bc) = &d.basic_constraints
        && bc.ca
        && !bc.critical
    {
        out.push(node.finding(
            RuleId::X509ExtensionCriticality,
            format!(
                "{} is a CA whose basicConstraints extension is not marked critical.",
                node.name()
            ),
        ));
    }
    if let Some(pc) = c.extension(&oid::ID_CE_POLICY_CONSTRAINTS)
        && !pc.critical
    {
        out.push(node.finding(
            RuleId::X509ExtensionCriticality,
            format!(
                "{}'s policyConstraints extension is not marked critical.",
                node.name()
            ),
        ));
    }

    // Key identifiers (RFC 5280 §4.2.1.1, §4.2.1.2).
    let aki_ext = c.extension(&oid::ID_CE_AUTHORITY_KEY_IDENTIFIER);
    if let Some(e) = aki_ext
        && e.critical
    {
        out.push(node.finding(
            RuleId::X509AkiCritical,
            format!(
                "{}'s authority key identifier is marked critical.",
                node.name()
            ),
        ));
    }
    if let Some(e) = c.extension(&oid::ID_CE_SUBJECT_KEY_IDENTIFIER)
        && e.critical
    {
        out.push(node.finding(
            RuleId::X509SkiCritical,
            format!(
                "{}'s subject key identifier is marked critical.",
                node.name()
            ),
        ));
    }
    // Key identifiers help build paths *to* an issuer; a trust anchor ends the path (RFC 5280
    // §6.1.1 (d): an anchor is a name and a key), so it needs none.
    if !self_signed_root && node.anchor_label.is_none() && c.aki.is_none() && d.version == 3 {
        out.push(node.finding(
            RuleId::X509AkiMissing,
            format!(
                "{} has no authority key identifier (keyIdentifier), which conforming CAs must include.",
                node.name()
            ),
        ));
    }
    if c.is_ca() && c.ski.is_none() {
        out.push(node.finding(
            RuleId::X509SkiMissing,
            format!(
                "{} is a CA certificate without a subject key identifier.",
                node.name()
            ),
        ));
    }
    if self_signed_root && let Some(e) = aki_ext {
        // (An undecodable AKI is reported as a malformed extension.)
        if let Ok(aki) = AuthorityKeyIdentifier::from_der(e.extn_value.as_bytes()) {
            let problem = if aki.key_identifier.is_none() {
                Some("has no keyIdentifier")
            } else if aki.authority_cert_issuer.is_some()
                || aki.authority_cert_serial_number.is_some()
            {
                Some("names an issuer or serial number")
            } else if c.ski.is_some() && c.aki != c.ski {
                Some("differs from its subject key identifier")
            } else {
                None
            };
            if let Some(problem) = problem {
                out.push(node.finding(
                    RuleId::CabfAkiProfile,
                    format!(
                        "The authority key identifier of root {} {problem}.",
                        node.name()
                    ),
                ));
            }
        }
    }

    // basicConstraints and keyUsage agree (RFC 5280 §4.2.1.3, §4.2.1.9).
    if let Some(ku) = &d.key_usage {
        let cert_sign = ku.usages.contains(&"keyCertSign");
        if cert_sign && !c.is_ca() {
            out.push(node.finding(
                RuleId::X509CaKeyUsageInconsistent,
                format!(
                    "{} asserts keyCertSign but is not a CA (basicConstraints cA is not TRUE).",
                    node.name()
                ),
            ));
        }
        if is_leaf && c.is_ca() && !cert_sign {
            out.push(node.finding(
                RuleId::X509CaKeyUsageInconsistent,
                format!(
                    "{} says cA=TRUE but its key usage does not allow keyCertSign.",
                    node.name()
                ),
            ));
        }
    }

    // Subject alternative name criticality (RFC 5280 §4.2.1.6; CA/B Forum BR §7.1.2.7.12).
    if let Some(san) = c.extension(&oid::ID_CE_SUBJECT_ALT_NAME) {
        let empty_subject = d.subject.attributes.is_empty();
        if empty_subject && !san.critical {
            out.push(node.finding(
                RuleId::X509SanCriticality,
                format!(
                    "{} has an empty subject, so its subjectAltName must be critical.",
                    node.name()
                ),
            ));
        } else if !empty_subject && san.critical {
            out.push(node.finding(
                RuleId::X509SanCriticality,
                format!(
                    "{} has a subject, so its subjectAltName must not be critical.",
                    node.name()
                ),
            ));
        }
    }

    // Name constraints only in CAs, critical, and not empty.
    if let Some(nc) = c.extension(&oid::ID_CE_NAME_CONSTRAINTS) {
        if !c.is_ca() {
            out.push(node.finding(
                RuleId::X509NameConstraintsInvalid,
                format!("{} is not a CA but carries name constraints.", node.name()),
            ));
        } else if !nc.critical {
            out.push(node.finding(
                RuleId::X509ExtensionCriticality,
                format!(
                    "{}'s name constraints are not marked critical.",
                    node.name()
                ),
            ));
        }
        if let Ok(parsed) = Constraints::parse(nc.extn_value.as_bytes())
            && parsed.is_empty()
        {
            out.push(node.finding(
                RuleId::CabfEmptyExtension,
                format!(
                    "{}'s name constraints have neither permitted nor excluded subtrees.",
                    node.name()
                ),
            ));
        }
    }

    // Keys allowed by the CA/B Forum (BR §6.1.5): RSA ≥ 2048 and a multiple of 8, NIST curves.
    // Built-in anchors are Mozilla's business, and user anchors follow the same rule.
    let key = &d.public_key;
    let key_problem = match key.kind {
        KeyKind::Rsa | KeyKind::RsaPss => match key.bits {
            Some(bits) if bits < 2048 => Some(format!(
                "an RSA key of {bits} bits (at least 2048 are required)"
            )),
            Some(bits) if bits % 8 != 0 => {
                Some(format!("an RSA key of {bits} bits, not a multiple of 8"))
            }
            _ => None,
        },
        KeyKind::Ec => match key.curve.as_deref() {
            Some("P-256" | "P-384" | "P-521") => None,
            Some(curve) => Some(format!("an EC key on {curve}")),
            None => Some("an EC key on an unknown curve".into()),
        },
        KeyKind::Dsa => Some("a DSA key".into()),
        KeyKind::Ed25519 => None,
        _ => Some(format!("a {} key", key.algorithm)),
    };
    if let Some(problem) = key_problem {
        out.push(node.finding(
            RuleId::CabfKeyNotAllowed,
            format!("{} has {problem}.", node.name()),
        ));
    }

    // Extended key usage profile (BR §7.1.2.1, §7.1.2.7.10).
    if let Some(eku) = c.extension(&oid::ID_CE_EXT_KEY_USAGE) {
        if self_signed_root {
            out.push(node.finding(
                RuleId::CabfEkuProfile,
                format!(
                    "Root {} has an extended key usage extension; roots must not.",
                    node.name()
                ),
            ));
        }
        if is_leaf {
            if eku.critical {
                out.push(node.finding(
                    RuleId::CabfEkuProfile,
                    format!(
                        "{}'s extended key usage is marked critical; it must not be.",
                        node.name()
                    ),
                ));
            }
            if let Ok(list) = ExtendedKeyUsage::from_der(eku.extn_value.as_bytes())
                && list.0.contains(&ANY_EKU)
            {
                out.push(node.finding(
                    RuleId::CabfEkuProfile,
                    format!(
                        "{}'s extended key usage includes anyExtendedKeyUsage.",
                        node.name()
                    ),
                ));
            }
        }
    }

    if is_leaf {
        leaf_names(node, out);
    }
}

/// SAN syntax and the CN-in-SAN rule, for the leaf.
fn leaf_names(node: &Node<'_>, out: &mut Vec<Finding>) {
    let c = node.cert;
    let Some(ext) = c.extension(&oid::ID_CE_SUBJECT_ALT_NAME) else {
        return;
    };
    let Ok(san) = SubjectAltName::from_der(ext.extn_value.as_bytes()) else {
        return;
    };
    let mut dns = Vec::new();
    let mut ips = Vec::new();
    for name in &san.0 {
        match name {
            GeneralName::DnsName(d) => {
                let d = d.as_str();
                if let Some(problem) = names::dns_name_problem(d) {
                    out.push(node.finding(
                        RuleId::TlsInvalidSan,
                        format!("{}'s subjectAltName contains {problem}.", node.name()),
                    ));
                }
                dns.push(d.to_owned());
            }
            GeneralName::IpAddress(o) => match names::ip_from_bytes(o.as_bytes()) {
                Some(ip) => ips.push(ip),
                None => out.push(node.finding(
                    RuleId::TlsInvalidSan,
                    format!(
                        "{}'s subjectAltName has an IP address of {} bytes (4 or 16 expected).",
                        node.name(),
                        o.as_bytes().len()
                    ),
                )),
            },
            GeneralName::Rfc822Name(e)
                if e.as_str().matches('@').count() != 1
                    || e.as_str().starts_with('@')
                    || e.as_str().ends_with('@') =>
            {
                out.push(node.finding(
                    RuleId::TlsInvalidSan,
                    format!(
                        "{}'s subjectAltName has the malformed email address \"{}\" (one '@' between a local part and a domain).",
                        node.name(),
                        e.as_str()
                    ),
                ))
            }
            _ => {}
        }
    }
    if c.is_ca() {
        return; // CA/B Forum BR §7.1.4.3 governs subscriber certificates
    }
    for cn in c.details.subject.values_of("CN") {
        if let Some(finding) = cn_problem(node, cn, &dns, &ips) {
            out.push(finding);
        }
    }
}

/// An IP address written in any notation a resolver accepts: dotted decimal with leading zeros,
/// hexadecimal (`0xC0A80101`), or IPv6 in any case or compression.
fn loose_ip(text: &str) -> Option<std::net::IpAddr> {
    if let Ok(ip) = text.parse::<std::net::IpAddr>() {
        return Some(ip);
    }
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        return u32::from_str_radix(hex, 16)
            .ok()
            .map(|v| std::net::IpAddr::from(v.to_be_bytes()));
    }
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
    {
        let mut octets = [0u8; 4];
        for (o, p) in octets.iter_mut().zip(&parts) {
            *o = p.parse().ok()?;
        }
        return Some(std::net::IpAddr::from(octets));
    }
    None
}

/// CA/B Forum BR §7.1.4.3: a CN must be a character-for-character copy of a SAN value (for IP
/// addresses, in RFC 3986 / RFC 5952 form). A CN that encodes one of the SAN values in another
/// form is an error: byte-wise comparisons see a different name. A CN naming something that is
/// not among the SANs at all is a warning: clients ignore the CN when SANs exist, but a CA must
/// not issue it.
fn cn_problem(
    node: &Node<'_>,
    cn: &str,
    dns: &[String],
    ips: &[std::net::IpAddr],
) -> Option<Finding> {
    if dns.iter().any(|d| d == cn) || ips.iter().any(|ip| names::canonical_ip_text(ip) == cn) {
        return None;
    }
    let mismatch = |what: String| {
        node.finding(
            RuleId::CabfCnNotInSan,
            format!("{}'s subject CN \"{cn}\" {what}.", node.name()),
        )
    };
    if let Some(ip) = loose_ip(cn) {
        return Some(if ips.contains(&ip) {
            mismatch(format!(
                "is the IP address {} written in a non-canonical form; it must read \"{}\"",
                ip,
                names::canonical_ip_text(&ip)
            ))
        } else {
            mismatch("is an IP address that is not among the subjectAltNames".into()).warning()
        });
    }
    if let Some(d) = dns.iter().find(|d| d.eq_ignore_ascii_case(cn)) {
        return Some(mismatch(format!(
            "differs from the subjectAltName \"{d}\" in letter case; it must be an exact copy"
        )));
    }
    if cn.contains('.') && !cn.is_ascii() {
        return Some(mismatch(
            "is an internationalized name in Unicode; it must be the punycode (xn--) form listed in the subjectAltName"
                .into(),
        ));
    }
    if cn.contains('.') && (!dns.is_empty() || !ips.is_empty()) {
        return Some(
            mismatch("names a host that is not among the subjectAltNames".into()).warning(),
        );
    }
    None
}

/// EKU chaining: an intermediate whose extended key usage neither lists the leaf's purpose nor
/// anyExtendedKeyUsage cannot vouch for that purpose. RFC 5280 defines EKU for the end entity
/// only, but every major validator (Apple, Chrome's BoringSSL, Go, rustls-webpki, pyca) applies
/// it down the path, and the BRs require TLS subordinate CAs to carry serverAuth. An intermediate
/// without the extension is unrestricted. Roots are not checked: a trust anchor is a name and a
/// key.
fn eku_chaining(ctx: &Context<'_>, node: &Node<'_>, out: &mut Vec<Finding>) {
    let Some(list) = node
        .cert
        .extension(&oid::ID_CE_EXT_KEY_USAGE)
        .and_then(|e| ExtendedKeyUsage::from_der(e.extn_value.as_bytes()).ok())
    else {
        return;
    };
    let (wanted, purpose) = match ctx.options.purpose {
        Purpose::ServerAuth => (SERVER_AUTH, "TLS server authentication (serverAuth)"),
        Purpose::ClientAuth => (CLIENT_AUTH, "TLS client authentication (clientAuth)"),
    };
    if list.0.contains(&wanted) || list.0.contains(&ANY_EKU) {
        return;
    }
    let names: Vec<String> = list.0.iter().map(netlens_x509::oids::short_name).collect();
    out.push(node.finding(
        RuleId::ChainCaEkuMismatch,
        format!(
            "{}'s extended key usage ({}) does not allow {purpose}, so clients refuse the certificates it issues for it.",
            node.name(),
            if names.is_empty() { "empty".to_owned() } else { names.join(", ") }
        ),
    ));
}

/// Checks on certificates that issued the one below them.
fn issuer_checks(node: &Node<'_>, nodes: &[Node<'_>], i: usize, out: &mut Vec<Finding>) {
    let c = node.cert;
    let subordinate = nodes[i - 1].name();
    match &c.details.basic_constraints {
        Some(bc) if bc.ca => {
            // pathLenConstraint: non-self-issued intermediates below this CA (RFC 5280 §6.1.4 (l)).
            if let Some(limit) = bc.path_len {
                let below = (1..i).filter(|&k| !nodes[k].cert.self_issued()).count();
                if below > usize::from(limit) {
                    out.push(node.finding(
                        RuleId::ChainPathLengthExceeded,
                        format!(
                            "{} allows {limit} intermediate CA(s) below it (pathLenConstraint), but the chain has {below}.",
                            node.name()
                        ),
                    ));
                }
            }
        }
        _ => out.push(node.finding(
            RuleId::ChainIssuerNotCa,
            format!(
                "{} issued {subordinate} but is not a CA: {}.",
                node.name(),
                if c.details.version < 3 {
                    "it is a v1/v2 certificate, which cannot carry basicConstraints".to_owned()
                } else if c.details.basic_constraints.is_none() {
                    "it has no basicConstraints extension".to_owned()
                } else {
                    "its basicConstraints say cA=FALSE".to_owned()
                }
            ),
        )),
    }
    if let Some(ku) = &c.details.key_usage
        && !ku.usages.contains(&"keyCertSign")
    {
        out.push(node.finding(
            RuleId::ChainIssuerMissingKeycertsign,
            format!(
                "{} issued {subordinate}, but its key usage ({}) does not include keyCertSign.",
                node.name(),
                ku.usages.join(", ")
            ),
        ));
    }
}

fn name_constraints(ctx: &Context<'_>, path: &Path, nodes: &[Node<'_>], out: &mut Vec<Finding>) {
    // Constraint sources, by the index of the first node they constrain downward from.
    let mut sources: Vec<(usize, Vec<u8>, String, Option<Node<'_>>)> = Vec::new();
    for (j, node) in nodes.iter().enumerate().skip(1) {
        if let Some(nc) = node.cert.extension(&oid::ID_CE_NAME_CONSTRAINTS) {
            sources.push((
                j,
                nc.extn_value.as_bytes().to_vec(),
                node.name(),
                Some(*node),
            ));
        }
    }
    if let PathEnd::Anchor(a) = path.end
        && let Some(anchor) = ctx.store.get(a)
        && anchor.cert.is_none()
        && let Some(nc) = &anchor.name_constraints
    {
        sources.push((
            nodes.len(),
            nc.clone(),
            format!("trust anchor \"{}\"", anchor.label),
            None,
        ));
    }
    for (j, nc, name, node) in sources {
        let constraints = match Constraints::parse(&nc) {
            Ok(c) => c,
            Err(why) => {
                let f = match node {
                    Some(n) => n.finding(
                        RuleId::X509NameConstraintsInvalid,
                        format!("{name}: {why}."),
                    ),
                    None => Finding::new(
                        RuleId::X509NameConstraintsInvalid,
                        None,
                        format!("{name}: {why}."),
                    ),
                };
                out.push(f);
                continue;
            }
        };
        for (k, below) in nodes.iter().enumerate().take(j) {
            if k > 0 && below.cert.self_issued() {
                continue; // RFC 5280 §6.1.3 (b): self-issued intermediates are not name-checked
            }
            match constraints::check(below.cert, &constraints) {
                Ok(()) => {}
                Err(Violation::TooComplex { .. }) => {
                    let why = constraints::check(below.cert, &constraints)
                        .err()
                        .map(|v| v.to_string())
                        .unwrap_or_default();
                    out.push(below.finding(
                        RuleId::X509NameConstraintsTooComplex,
                        format!(
                            "Checking {} against {name}'s name constraints: {why}.",
                            below.name()
                        ),
                    ));
                }
                Err(v) => out.push(below.finding(
                    RuleId::ChainNameConstraintsViolated,
                    format!(
                        "{}: {v}, under the name constraints of {name}.",
                        below.name()
                    ),
                )),
            }
        }
    }
}

fn san_entries(cert: &ChainCert) -> Vec<GeneralName> {
    cert.extension(&oid::ID_CE_SUBJECT_ALT_NAME)
        .and_then(|e| SubjectAltName::from_der(e.extn_value.as_bytes()).ok())
        .map(|s| s.0)
        .unwrap_or_default()
}

fn leaf_checks(ctx: &Context<'_>, leaf: Node<'_>, out: &mut Vec<Finding>) {
    let c = leaf.cert;
    let sans = san_entries(c);
    let eku = c
        .extension(&oid::ID_CE_EXT_KEY_USAGE)
        .and_then(|e| ExtendedKeyUsage::from_der(e.extn_value.as_bytes()).ok());
    let nb = c.validity().0;

    match ctx.options.purpose {
        Purpose::ServerAuth => {
            match &eku {
                Some(list) if !list.0.contains(&SERVER_AUTH) && !list.0.contains(&ANY_EKU) => {
                    let names: Vec<String> = list.0.iter().map(netlens_x509::oids::short_name).collect();
                    out.push(leaf.finding(
                        RuleId::TlsMissingServerauthEku,
                        format!(
                            "{}'s extended key usage ({}) does not include serverAuth.",
                            leaf.name(),
                            names.join(", ")
                        ),
                    ));
                }
                Some(_) => {}
                None if nb >= crate::catalog::APPLE_2019.unix_seconds() => out.push(
                    leaf.finding(
                        RuleId::TlsMissingServerauthEku,
                        format!(
                            "{} has no extended key usage. RFC 5280 allows that, but Apple requires serverAuth in \
                             certificates issued on or after {}.",
                            leaf.name(),
                            crate::catalog::APPLE_2019
                        ),
                    )
                    .deciding(&[Profile::Apple]),
                ),
                None => {}
            }
            host_checks(ctx, leaf, &sans, out);
        }
        Purpose::ClientAuth => {
            if let Some(list) = &eku
                && !list.0.contains(&CLIENT_AUTH)
                && !list.0.contains(&ANY_EKU)
            {
                out.push(leaf.finding(
                    RuleId::TlsMissingClientauthEku,
                    format!(
                        "{}'s extended key usage does not include clientAuth.",
                        leaf.name()
                    ),
                ));
            }
            for expected in &ctx.options.client_names {
                if !client_name_present(expected, &sans) {
                    out.push(leaf.finding(
                        RuleId::TlsHostnameMismatch,
                        format!("{} does not name {}.", leaf.name(), expected),
                    ));
                }
            }
        }
    }

    if !ctx.options.required_key_usage.is_empty()
        && let Some(ku) = &c.details.key_usage
    {
        let missing: Vec<&str> = ctx
            .options
            .required_key_usage
            .iter()
            .map(String::as_str)
            .filter(|u| !ku.usages.contains(u))
            .collect();
        if !missing.is_empty() {
            out.push(leaf.finding(
                RuleId::TlsKeyUsageNotAllowed,
                format!("{}'s key usage lacks {}.", leaf.name(), missing.join(", ")),
            ));
        }
    }
}

fn client_name_present(expected: &ExpectedName, sans: &[GeneralName]) -> bool {
    sans.iter().any(|san| match (expected, san) {
        (ExpectedName::Email(e), GeneralName::Rfc822Name(s)) => {
            match (e.rsplit_once('@'), s.as_str().rsplit_once('@')) {
                (Some((el, eh)), Some((sl, sh))) => el == sl && eh.eq_ignore_ascii_case(sh),
                _ => false,
            }
        }
        (ExpectedName::Host(Host::Dns(h)), GeneralName::DnsName(d)) => {
            names::dns_matches(d.as_str(), h)
        }
        (ExpectedName::Host(Host::Ip(ip)), GeneralName::IpAddress(o)) => {
            names::ip_from_bytes(o.as_bytes()).as_ref() == Some(ip)
        }
        _ => false,
    })
}

fn host_checks(ctx: &Context<'_>, leaf: Node<'_>, sans: &[GeneralName], out: &mut Vec<Finding>) {
    let has_name_sans = sans
        .iter()
        .any(|s| matches!(s, GeneralName::DnsName(_) | GeneralName::IpAddress(_)));
    let cns: Vec<&str> = leaf.cert.details.subject.values_of("CN").collect();
    let Some(host) = &ctx.options.host else {
        // Without a host nothing can be matched; Apple still requires names in the SAN.
        if !has_name_sans {
            out.push(
                leaf.finding(
                    RuleId::TlsCnOnlyName,
                    format!(
                        "{} has no DNS or IP subjectAltName{}; clients do not read host names from the CN.",
                        leaf.name(),
                        if cns.is_empty() { String::new() } else { format!(" (CN is \"{}\")", cns.join("\", \"")) }
                    ),
                )
                .deciding(&[Profile::Apple]),
            );
        }
        return;
    };
    let matched = sans.iter().any(|san| match (host, san) {
        (Host::Dns(h), GeneralName::DnsName(d)) => names::dns_matches(d.as_str(), h),
        (Host::Ip(ip), GeneralName::IpAddress(o)) => {
            names::ip_from_bytes(o.as_bytes()).as_ref() == Some(ip)
        }
        _ => false,
    });
    if matched {
        return;
    }
    let host_text = host.to_string();
    let cn_match = cns.iter().any(|cn| match host {
        Host::Dns(h) => names::dns_matches(cn, h),
        Host::Ip(ip) => cn.parse::<std::net::IpAddr>().ok().as_ref() == Some(ip),
    });
    let listed: Vec<String> = leaf
        .cert
        .details
        .subject_alt_names
        .iter()
        .map(|n| n.prefixed())
        .collect();
    if !has_name_sans && cn_match {
        out.push(leaf.finding(
            RuleId::TlsCnOnlyName,
            format!(
                "{host_text} appears only in {}'s subject CN; clients require it in the subjectAltName.",
                leaf.name()
            ),
        ).fix(format!(
            "Reissue with `-addext \"subjectAltName={}:{host_text}\"`.",
            if matches!(host, Host::Ip(_)) { "IP" } else { "DNS" }
        )));
    } else {
        out.push(leaf.finding(
            RuleId::TlsHostnameMismatch,
            format!(
                "{host_text} is not among {}'s names ({}).",
                leaf.name(),
                if listed.is_empty() { "it has no subjectAltName".to_owned() } else { listed.join(", ") }
            ),
        ).fix(format!(
            "Connect with a name the certificate lists, or reissue it with `-addext \"subjectAltName={}:{host_text}\"`.",
            if matches!(host, Host::Ip(_)) { "IP" } else { "DNS" }
        )));
    }
}

/// The limbo-style limit on logical intermediates (self-issued ones do not count).
fn depth(ctx: &Context<'_>, path: &Path, nodes: &[Node<'_>], out: &mut Vec<Finding>) {
    let Some(max) = ctx.options.max_intermediates else {
        return;
    };
    let mut intermediates: Vec<usize> = path.certs.iter().copied().skip(1).collect();
    if matches!(path.end, PathEnd::IsAnchor(_) | PathEnd::SelfSigned) {
        intermediates.pop();
    }
    let logical = intermediates
        .iter()
        .filter(|&&i| !ctx.certs[i].self_issued())
        .count();
    if logical > max {
        out.push(Finding::new(
            RuleId::ChainTooLong,
            nodes.first().map(|n| n.cert.index),
            format!("The path has {logical} intermediate CAs; at most {max} are allowed."),
        ));
    }
}
