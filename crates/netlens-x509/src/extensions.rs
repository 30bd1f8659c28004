//! Certificate extensions: decoded into structured views for the ones TLS diagnosis needs, and a
//! one-line summary (or hex) for every extension, so nothing in the certificate is hidden.
//!
//! An extension that fails to decode never fails the certificate: it is listed with its error
//! and a warning, because "your AIA extension is malformed" is itself a diagnosis.

use std::collections::HashSet;
use std::net::{Ipv4Addr, Ipv6Addr};

use const_oid::{AssociatedOid, ObjectIdentifier};
use der::Decode;
use der::asn1::AnyRef;
use serde::Serialize;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies,
    CrlDistributionPoints, ExtendedKeyUsage, FreshestCrl, InhibitAnyPolicy, IssuerAltName,
    KeyUsage, KeyUsages, NameConstraints, PolicyConstraints, SubjectAltName,
    SubjectInfoAccessSyntax, SubjectKeyIdentifier,
};

use crate::dn::{self, DistinguishedName};
use crate::limits::MAX_LISTED_EXTENSIONS;
use crate::{hex, oids, time};

const TLS_FEATURE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.24");
const CT_POISON: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.3");
const SCT_LIST: ObjectIdentifier = ObjectIdentifier::new_unwrap(crate::sct::EMBEDDED_OID);
const AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
const AD_CA_ISSUERS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.2");
const QT_CPS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.2.1");

/// One general name (in a SAN, AKI, name constraint, access location…).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GeneralNameInfo {
    /// `dns`, `ip`, `email`, `uri`, `directory_name`, `registered_id`, `other_name`, `edi_party`.
    pub kind: &'static str,
    /// The name as text. IP addresses in RFC 5952 form; name-constraint IP ranges as CIDR.
    pub value: String,
}

impl GeneralNameInfo {
    /// Describes `name`.
    pub fn new(name: &GeneralName) -> Self {
        let (kind, value) = match name {
            GeneralName::DnsName(s) => ("dns", s.to_string()),
            GeneralName::Rfc822Name(s) => ("email", s.to_string()),
            GeneralName::UniformResourceIdentifier(s) => ("uri", s.to_string()),
            GeneralName::IpAddress(o) => ("ip", ip_text(o.as_bytes())),
            GeneralName::DirectoryName(n) => {
                ("directory_name", DistinguishedName::from_name(n).rfc4514)
            }
            GeneralName::RegisteredId(oid) => ("registered_id", oids::long_name(oid)),
            GeneralName::OtherName(other) => {
                let any: AnyRef<'_> = (&other.value).into();
                let inner = any
                    .value()
                    .get(..)
                    .and_then(|v| AnyRef::from_der(v).ok())
                    .and_then(dn::decode_string)
                    .map_or_else(|| format!("#{}", hex::plain(any.value())), |(s, _)| s);
                (
                    "other_name",
                    format!("{}: {inner}", oids::long_name(&other.type_id)),
                )
            }
            GeneralName::EdiPartyName(_) => ("edi_party", "(EDI party name)".to_owned()),
        };
        Self { kind, value }
    }

    /// "DNS:example.com" style, as OpenSSL prints SANs.
    pub fn prefixed(&self) -> String {
        let prefix = match self.kind {
            "dns" => "DNS",
            "ip" => "IP",
            "email" => "email",
            "uri" => "URI",
            "directory_name" => "DirName",
            "registered_id" => "RID",
            "other_name" => "othername",
            _ => "EdiPartyName",
        };
        format!("{prefix}:{}", self.value)
    }
}

/// IPv4 / IPv6 addresses, or address+mask pairs (name constraints) as CIDR.
fn ip_text(bytes: &[u8]) -> String {
    let prefix = |mask: &[u8]| -> String {
        let ones: u32 = mask.iter().map(|b| b.count_ones()).sum();
        let contiguous = mask
            .iter()
            .flat_map(|b| (0..8).rev().map(move |i| (b >> i) & 1))
            .skip_while(|&bit| bit == 1)
            .all(|bit| bit == 0);
        if contiguous {
            ones.to_string()
        } else {
            format!("mask {}", hex::colon(mask))
        }
    };
    match bytes.len() {
        4 => Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).to_string(),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(bytes);
            Ipv6Addr::from(a).to_string()
        }
        8 => format!(
            "{}/{}",
            Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]),
            prefix(&bytes[4..])
        ),
        32 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(&bytes[..16]);
            format!("{}/{}", Ipv6Addr::from(a), prefix(&bytes[16..]))
        }
        _ => format!("invalid address #{}", hex::plain(bytes)),
    }
}

/// Basic constraints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BasicConstraintsInfo {
    /// cA flag.
    pub ca: bool,
    /// pathLenConstraint.
    pub path_len: Option<u8>,
    /// Marked critical.
    pub critical: bool,
}

/// Key usage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyUsageInfo {
    /// Usage names as RFC 5280 spells them (`digitalSignature`, `keyEncipherment`…).
    pub usages: Vec<&'static str>,
    /// Marked critical.
    pub critical: bool,
}

/// A named OID (EKU purpose, policy…).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NamedOid {
    /// Dotted OID.
    pub oid: String,
    /// Short name.
    pub short_name: String,
    /// Readable name.
    pub name: String,
}

impl NamedOid {
    /// Names `oid`.
    pub fn new(oid: &ObjectIdentifier) -> Self {
        let (oid, short_name, name) = oids::names(oid);
        Self {
            oid,
            short_name,
            name,
        }
    }
}

/// Extended key usage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExtendedKeyUsageInfo {
    /// Purposes in certificate order.
    pub purposes: Vec<NamedOid>,
    /// Marked critical.
    pub critical: bool,
}

/// Authority key identifier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuthorityKeyIdInfo {
    /// keyIdentifier, colon hex.
    pub key_id: Option<String>,
    /// authorityCertIssuer.
    pub issuer: Vec<GeneralNameInfo>,
    /// authorityCertSerialNumber, colon hex.
    pub serial: Option<String>,
}

/// Authority information access.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuthorityInfoAccessInfo {
    /// OCSP responder locations.
    pub ocsp: Vec<String>,
    /// CA issuer locations: where the issuing certificate can be downloaded.
    pub ca_issuers: Vec<String>,
    /// Other access methods, "method: location".
    pub other: Vec<String>,
}

/// One certificate policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyInfo {
    /// The policy OID, named.
    pub policy: NamedOid,
    /// CPS URIs from the policy qualifiers.
    pub cps: Vec<String>,
}

/// Name constraints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NameConstraintsInfo {
    /// Permitted subtrees.
    pub permitted: Vec<GeneralNameInfo>,
    /// Excluded subtrees.
    pub excluded: Vec<GeneralNameInfo>,
    /// Marked critical.
    pub critical: bool,
}

/// One embedded signed certificate timestamp (RFC 6962 §3.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SctInfo {
    /// SCT version (0 = v1).
    pub version: u8,
    /// The log's ID (SHA-256 of its key), base64, as log lists publish it.
    pub log_id: String,
    /// Timestamp, milliseconds since the epoch.
    pub timestamp_ms: u64,
    /// Timestamp, RFC 3339 UTC.
    pub timestamp: String,
    /// Signature algorithm of the SCT ("ECDSA with SHA-256"…).
    pub signature_algorithm: String,
    /// The SCT as read, for checking its signature.
    #[serde(skip)]
    pub sct: crate::sct::Sct,
}

/// One extension, as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExtensionInfo {
    /// Dotted OID.
    pub oid: String,
    /// Short name.
    pub short_name: String,
    /// Readable name.
    pub name: String,
    /// Marked critical.
    pub critical: bool,
    /// netlens decoded the value (false: shown as hex only).
    pub decoded: bool,
    /// The value in words, one entry per line.
    pub summary: Vec<String>,
    /// Hex of the value for extensions netlens does not decode (first 512 bytes).
    pub value_hex: Option<String>,
    /// Why the value could not be decoded.
    pub error: Option<String>,
}

/// Everything decoded from a certificate's extensions.
#[derive(Debug, Default)]
pub struct DecodedExtensions {
    /// Subject alternative names.
    pub subject_alt_names: Vec<GeneralNameInfo>,
    /// Basic constraints.
    pub basic_constraints: Option<BasicConstraintsInfo>,
    /// Key usage.
    pub key_usage: Option<KeyUsageInfo>,
    /// Extended key usage.
    pub extended_key_usage: Option<ExtendedKeyUsageInfo>,
    /// Authority key identifier.
    pub authority_key_id: Option<AuthorityKeyIdInfo>,
    /// Subject key identifier.
    pub subject_key_id: Option<String>,
    /// Authority information access.
    pub authority_info_access: Option<AuthorityInfoAccessInfo>,
    /// CRL distribution point locations.
    pub crl_distribution_points: Vec<String>,
    /// Certificate policies.
    pub certificate_policies: Vec<PolicyInfo>,
    /// Name constraints.
    pub name_constraints: Option<NameConstraintsInfo>,
    /// Embedded SCTs.
    pub scts: Vec<SctInfo>,
    /// TLS feature status_request (OCSP Must-Staple).
    pub must_staple: bool,
    /// CT precertificate poison present.
    pub precertificate: bool,
    /// Every extension.
    pub all: Vec<ExtensionInfo>,
    /// Decode warnings.
    pub warnings: Vec<String>,
}

const KEY_USAGE_NAMES: [(KeyUsages, &str); 9] = [
    (KeyUsages::DigitalSignature, "digitalSignature"),
    (KeyUsages::NonRepudiation, "nonRepudiation"),
    (KeyUsages::KeyEncipherment, "keyEncipherment"),
    (KeyUsages::DataEncipherment, "dataEncipherment"),
    (KeyUsages::KeyAgreement, "keyAgreement"),
    (KeyUsages::KeyCertSign, "keyCertSign"),
    (KeyUsages::CRLSign, "cRLSign"),
    (KeyUsages::EncipherOnly, "encipherOnly"),
    (KeyUsages::DecipherOnly, "decipherOnly"),
];

fn names_of(names: &[GeneralName]) -> Vec<GeneralNameInfo> {
    names.iter().map(GeneralNameInfo::new).collect()
}

fn locations(names: &[GeneralNameInfo]) -> Vec<String> {
    names
        .iter()
        .map(|n| {
            if n.kind == "uri" {
                n.value.clone()
            } else {
                n.prefixed()
            }
        })
        .collect()
}

fn distribution_points(points: &[DistributionPoint]) -> Vec<String> {
    let mut out = Vec::new();
    for point in points {
        match &point.distribution_point {
            Some(DistributionPointName::FullName(names)) => {
                out.extend(locations(&names_of(names)));
            }
            Some(DistributionPointName::NameRelativeToCRLIssuer(_)) => {
                out.push("(name relative to the CRL issuer)".to_owned());
            }
            None => {}
        }
    }
    out
}

fn decode<'a, T: Decode<'a>>(ext: &'a Extension) -> Result<T, String>
where
    T::Error: core::fmt::Display,
{
    T::from_der(ext.extn_value.as_bytes()).map_err(|e| e.to_string())
}

/// Decodes every extension in `exts`.
pub fn decode_all(exts: &[Extension]) -> DecodedExtensions {
    let mut out = DecodedExtensions::default();
    let mut seen = HashSet::new();
    let mut duplicated = HashSet::new();
    if exts.len() > MAX_LISTED_EXTENSIONS {
        out.warnings.push(format!(
            "the certificate has {} extensions; only the first {MAX_LISTED_EXTENSIONS} are listed",
            exts.len()
        ));
    }
    for ext in exts.iter().take(MAX_LISTED_EXTENSIONS) {
        if !seen.insert(ext.extn_id) && duplicated.insert(ext.extn_id) {
            out.warnings.push(format!(
                "the {} extension appears more than once (RFC 5280 §4.2 allows each extension once)",
                oids::long_name(&ext.extn_id)
            ));
        }
        let (oid, short_name, name) = oids::names(&ext.extn_id);
        let mut info = ExtensionInfo {
            oid,
            short_name,
            name,
            critical: ext.critical,
            decoded: true,
            summary: Vec::new(),
            value_hex: None,
            error: None,
        };
        match decode_one(ext, &mut out) {
            Ok(Some(summary)) => info.summary = summary,
            Ok(None) => {
                info.decoded = false;
                let bytes = ext.extn_value.as_bytes();
                let shown = &bytes[..bytes.len().min(512)];
                let mut hex = hex::colon(shown);
                if bytes.len() > shown.len() {
                    hex.push_str(&format!(" … ({} bytes in all)", bytes.len()));
                }
                info.value_hex = Some(hex);
            }
            Err(error) => {
                out.warnings.push(format!(
                    "the {} extension could not be decoded: {error}",
                    info.name
                ));
                info.decoded = false;
                info.value_hex = Some(hex::colon(
                    &ext.extn_value.as_bytes()[..ext.extn_value.as_bytes().len().min(512)],
                ));
                info.error = Some(error);
            }
        }
        out.all.push(info);
    }
    out
}

/// Decodes one extension into `out`; returns its summary lines, `None` for extensions netlens
/// does not decode.
fn decode_one(ext: &Extension, out: &mut DecodedExtensions) -> Result<Option<Vec<String>>, String> {
    let oid = ext.extn_id;
    let summary = if oid == SubjectAltName::OID {
        let san: SubjectAltName = decode(ext)?;
        out.subject_alt_names = names_of(&san.0);
        out.subject_alt_names
            .iter()
            .map(GeneralNameInfo::prefixed)
            .collect()
    } else if oid == IssuerAltName::OID {
        let ian: IssuerAltName = decode(ext)?;
        names_of(&ian.0)
            .iter()
            .map(GeneralNameInfo::prefixed)
            .collect()
    } else if oid == BasicConstraints::OID {
        let bc: BasicConstraints = decode(ext)?;
        out.basic_constraints = Some(BasicConstraintsInfo {
            ca: bc.ca,
            path_len: bc.path_len_constraint,
            critical: ext.critical,
        });
        let mut line = format!("CA: {}", if bc.ca { "TRUE" } else { "FALSE" });
        if let Some(n) = bc.path_len_constraint {
            line.push_str(&format!(", path length ≤ {n}"));
        }
        vec![line]
    } else if oid == KeyUsage::OID {
        let ku: KeyUsage = decode(ext)?;
        let usages: Vec<&'static str> = KEY_USAGE_NAMES
            .iter()
            .filter(|(flag, _)| ku.0.contains(*flag))
            .map(|(_, name)| *name)
            .collect();
        out.key_usage = Some(KeyUsageInfo {
            usages: usages.clone(),
            critical: ext.critical,
        });
        if usages.is_empty() {
            vec!["(no usage bits set)".to_owned()]
        } else {
            vec![usages.join(", ")]
        }
    } else if oid == ExtendedKeyUsage::OID {
        let eku: ExtendedKeyUsage = decode(ext)?;
        let purposes: Vec<NamedOid> = eku.0.iter().map(NamedOid::new).collect();
        let lines = purposes
            .iter()
            .map(|p| format!("{} ({})", p.name, p.short_name))
            .collect();
        out.extended_key_usage = Some(ExtendedKeyUsageInfo {
            purposes,
            critical: ext.critical,
        });
        lines
    } else if oid == SubjectKeyIdentifier::OID {
        let ski: SubjectKeyIdentifier = decode(ext)?;
        let id = hex::colon(ski.0.as_bytes());
        out.subject_key_id = Some(id.clone());
        vec![id]
    } else if oid == AuthorityKeyIdentifier::OID {
        let aki: AuthorityKeyIdentifier = decode(ext)?;
        let info = AuthorityKeyIdInfo {
            key_id: aki
                .key_identifier
                .as_ref()
                .map(|k| hex::colon(k.as_bytes())),
            issuer: aki
                .authority_cert_issuer
                .as_deref()
                .map(names_of)
                .unwrap_or_default(),
            serial: aki
                .authority_cert_serial_number
                .as_ref()
                .map(|s| hex::colon(s.as_bytes())),
        };
        let mut lines = Vec::new();
        if let Some(k) = &info.key_id {
            lines.push(format!("key ID {k}"));
        }
        for n in &info.issuer {
            lines.push(format!("issuer {}", n.prefixed()));
        }
        if let Some(s) = &info.serial {
            lines.push(format!("issuer serial {s}"));
        }
        out.authority_key_id = Some(info);
        lines
    } else if oid == AuthorityInfoAccessSyntax::OID {
        let aia: AuthorityInfoAccessSyntax = decode(ext)?;
        let mut info = AuthorityInfoAccessInfo {
            ocsp: Vec::new(),
            ca_issuers: Vec::new(),
            other: Vec::new(),
        };
        let mut lines = Vec::new();
        for ad in &aia.0 {
            let location = locations(&[GeneralNameInfo::new(&ad.access_location)])
                .into_iter()
                .next()
                .unwrap_or_default();
            let method = oids::long_name(&ad.access_method);
            lines.push(format!("{method}: {location}"));
            if ad.access_method == AD_OCSP {
                info.ocsp.push(location);
            } else if ad.access_method == AD_CA_ISSUERS {
                info.ca_issuers.push(location);
            } else {
                info.other.push(format!("{method}: {location}"));
            }
        }
        out.authority_info_access = Some(info);
        lines
    } else if oid == SubjectInfoAccessSyntax::OID {
        let sia: SubjectInfoAccessSyntax = decode(ext)?;
        sia.0
            .iter()
            .map(|ad| {
                format!(
                    "{}: {}",
                    oids::long_name(&ad.access_method),
                    GeneralNameInfo::new(&ad.access_location).value
                )
            })
            .collect()
    } else if oid == CrlDistributionPoints::OID {
        let dps: CrlDistributionPoints = decode(ext)?;
        out.crl_distribution_points = distribution_points(&dps.0);
        out.crl_distribution_points.clone()
    } else if oid == FreshestCrl::OID {
        let dps: FreshestCrl = decode(ext)?;
        distribution_points(&dps.0)
    } else if oid == CertificatePolicies::OID {
        let policies: CertificatePolicies = decode(ext)?;
        let mut lines = Vec::new();
        for p in &policies.0 {
            let cps: Vec<String> = p
                .policy_qualifiers
                .iter()
                .flatten()
                .filter(|q| q.policy_qualifier_id == QT_CPS)
                .filter_map(|q| q.qualifier.as_ref())
                .filter_map(|a| dn::decode_string(a.into()).map(|(s, _)| s))
                .collect();
            let policy = NamedOid::new(&p.policy_identifier);
            let mut line = if policy.name == policy.oid {
                policy.oid.clone()
            } else {
                format!("{} ({})", policy.name, policy.oid)
            };
            for uri in &cps {
                line.push_str(&format!(", CPS {uri}"));
            }
            lines.push(line);
            out.certificate_policies.push(PolicyInfo { policy, cps });
        }
        lines
    } else if oid == NameConstraints::OID {
        let nc: NameConstraints = decode(ext)?;
        let subtrees =
            |s: &Option<Vec<x509_cert::ext::pkix::constraints::name::GeneralSubtree>>| {
                s.iter()
                    .flatten()
                    .map(|t| GeneralNameInfo::new(&t.base))
                    .collect::<Vec<_>>()
            };
        let info = NameConstraintsInfo {
            permitted: subtrees(&nc.permitted_subtrees),
            excluded: subtrees(&nc.excluded_subtrees),
            critical: ext.critical,
        };
        let mut lines: Vec<String> = info
            .permitted
            .iter()
            .map(|n| format!("permitted {}", n.prefixed()))
            .collect();
        lines.extend(
            info.excluded
                .iter()
                .map(|n| format!("excluded {}", n.prefixed())),
        );
        out.name_constraints = Some(info);
        lines
    } else if oid == PolicyConstraints::OID {
        let pc: PolicyConstraints = decode(ext)?;
        let mut lines = Vec::new();
        if let Some(n) = pc.require_explicit_policy {
            lines.push(format!("require explicit policy after {n} certificates"));
        }
        if let Some(n) = pc.inhibit_policy_mapping {
            lines.push(format!("inhibit policy mapping after {n} certificates"));
        }
        lines
    } else if oid == InhibitAnyPolicy::OID {
        let iap: InhibitAnyPolicy = decode(ext)?;
        vec![format!("anyPolicy inhibited after {} certificates", iap.0)]
    } else if oid == SCT_LIST {
        out.scts = scts(ext.extn_value.as_bytes())?;
        out.scts
            .iter()
            .map(|s| format!("log {} at {}", s.log_id, s.timestamp))
            .collect()
    } else if oid == CT_POISON {
        out.precertificate = true;
        vec!["precertificate: logged to CT, never served to TLS clients".to_owned()]
    } else if oid == TLS_FEATURE {
        let features = tls_features(ext.extn_value.as_bytes())?;
        out.must_staple = features.contains(&5);
        features
            .iter()
            .map(|f| match f {
                5 => "status_request (OCSP Must-Staple)".to_owned(),
                17 => "status_request_v2".to_owned(),
                n => format!("TLS extension {n}"),
            })
            .collect()
    } else {
        return Ok(None);
    };
    Ok(Some(summary))
}

/// TLS Feature (RFC 7633): `SEQUENCE OF INTEGER`.
fn tls_features(der: &[u8]) -> Result<Vec<u32>, String> {
    let seq = crate::der_scan::read_tlv(der, 0).map_err(|e| e.to_string())?;
    if seq.tag != crate::der_scan::TAG_SEQUENCE {
        return Err("expected a SEQUENCE of INTEGER".to_owned());
    }
    crate::der_scan::children(seq.value)
        .map(|item| {
            let item = item.map_err(|e| e.to_string())?;
            if item.tag != crate::der_scan::TAG_INTEGER || item.value.len() > 3 {
                return Err("expected a small INTEGER".to_owned());
            }
            Ok(item
                .value
                .iter()
                .fold(0u32, |acc, &b| acc << 8 | u32::from(b)))
        })
        .collect()
}

fn scts(extension_value: &[u8]) -> Result<Vec<SctInfo>, String> {
    // The extension's OCTET STRING holds the TLS-encoded list: one reader for every source.
    let inner = der::asn1::OctetString::from_der(extension_value)
        .map_err(|e| format!("malformed SCT list ({e})"))?;
    let parsed = crate::sct::parse_list(inner.as_bytes()).map_err(|e| e.to_string())?;
    Ok(parsed.iter().map(SctInfo::from).collect())
}

impl From<&crate::sct::Sct> for SctInfo {
    fn from(sct: &crate::sct::Sct) -> Self {
        SctInfo {
            version: 0,
            log_id: sct.log_id_base64(),
            timestamp_ms: sct.timestamp_ms,
            timestamp: time::rfc3339_from_unix(sct.timestamp_seconds()),
            signature_algorithm: sct.algorithm_name(),
            sct: sct.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_addresses_and_ranges() {
        assert_eq!(ip_text(&[192, 0, 2, 1]), "192.0.2.1");
        assert_eq!(ip_text(&[10, 0, 0, 0, 255, 0, 0, 0]), "10.0.0.0/8");
        assert_eq!(
            ip_text(&[10, 0, 0, 0, 255, 0, 255, 0]),
            "10.0.0.0/mask FF:00:FF:00"
        );
        let mut v6 = [0u8; 16];
        v6[0] = 0x20;
        v6[1] = 0x01;
        v6[2] = 0x0d;
        v6[3] = 0xb8;
        v6[15] = 1;
        assert_eq!(ip_text(&v6), "2001:db8::1");
        assert_eq!(ip_text(&[1, 2, 3]), "invalid address #010203");
    }

    #[test]
    fn tls_feature_must_staple() {
        assert_eq!(tls_features(&[0x30, 0x03, 0x02, 0x01, 0x05]), Ok(vec![5]));
        assert!(tls_features(&[0x04, 0x00]).is_err());
    }
}
