//! The decoded view of one certificate: every field a developer checks when a TLS connection
//! fails, in words, with the raw identifiers alongside.
//!
//! [`CertificateDetails`] is the stable JSON contract of `netlens decode --json` and of the JS
//! `decodeCertificates()` API (snake_case field names, documented in the README). It is built
//! from the certificate alone plus a `now` timestamp; judging the certificate (is it trusted,
//! does it meet Apple's rules) is the analysis layer's job, not this module's.

use base64::Engine as _;
use der::{Decode, Encode};
use serde::Serialize;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use x509_cert::certificate::{CertificateInner, Raw, Version};

use crate::dn::DistinguishedName;
use crate::extensions::{self, GeneralNameInfo};
use crate::input::FoundCertificate;
use crate::problem::Location;
use crate::time::ValidityInfo;
use crate::{hex, keys};

/// A certificate parsed with no profile checks: netlens reports RFC 5280 violations (negative
/// serials, over-long serials…) as findings instead of refusing to read the certificate.
pub type RawCertificate = CertificateInner<Raw>;

/// Everything netlens shows about one certificate.
#[derive(Clone, Debug, Serialize)]
pub struct CertificateDetails {
    /// 0-based position among all certificates decoded in the batch, in input order.
    pub index: usize,
    /// Where the certificate was found.
    pub location: Location,
    /// How it was packaged ("PEM", "DER", "PKCS#7 bundle (PEM)"…).
    pub format: String,
    /// A short label: the subject's common name, else its organization, else the whole name.
    pub label: String,
    /// X.509 version: 1, 2 or 3.
    pub version: u8,
    /// Serial number.
    pub serial: SerialInfo,
    /// Subject name.
    pub subject: DistinguishedName,
    /// Issuer name.
    pub issuer: DistinguishedName,
    /// Subject and issuer names are byte-for-byte equal (self-issued; usually a root).
    pub self_issued: bool,
    /// Validity period relative to the decode time.
    pub validity: ValidityInfo,
    /// Subject alternative names, in certificate order.
    pub subject_alt_names: Vec<GeneralNameInfo>,
    /// The subject public key.
    pub public_key: keys::PublicKeyInfo,
    /// The algorithm the issuer signed with.
    pub signature_algorithm: keys::SignatureAlgorithmInfo,
    /// Basic constraints, when present.
    pub basic_constraints: Option<extensions::BasicConstraintsInfo>,
    /// Key usage, when present.
    pub key_usage: Option<extensions::KeyUsageInfo>,
    /// Extended key usage, when present.
    pub extended_key_usage: Option<extensions::ExtendedKeyUsageInfo>,
    /// Authority key identifier, when present.
    pub authority_key_id: Option<extensions::AuthorityKeyIdInfo>,
    /// Subject key identifier (colon hex), when present.
    pub subject_key_id: Option<String>,
    /// Authority information access (OCSP responders, CA issuer URLs), when present.
    pub authority_info_access: Option<extensions::AuthorityInfoAccessInfo>,
    /// CRL distribution point locations.
    pub crl_distribution_points: Vec<String>,
    /// Certificate policies.
    pub certificate_policies: Vec<extensions::PolicyInfo>,
    /// Name constraints, when present.
    pub name_constraints: Option<extensions::NameConstraintsInfo>,
    /// Signed certificate timestamps embedded in the certificate (Certificate Transparency).
    pub scts: Vec<extensions::SctInfo>,
    /// Number of embedded SCTs (`scts.len()`).
    pub sct_count: usize,
    /// The TLS Feature extension asks for OCSP stapling ("OCSP Must-Staple").
    pub must_staple: bool,
    /// The CT poison extension is present: this is a precertificate, never served in TLS.
    pub precertificate: bool,
    /// Every extension in certificate order, including the ones decoded above.
    pub extensions: Vec<extensions::ExtensionInfo>,
    /// Fingerprints and the SPKI pin.
    pub fingerprints: Fingerprints,
    /// The certificate re-armored as PEM, for copying.
    pub pem: String,
    /// Things that made part of the certificate unreadable or are structurally wrong in a way the
    /// decoder can tell without judging (undecodable or duplicate extensions).
    pub warnings: Vec<String>,
}

/// A serial number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SerialInfo {
    /// Colon hex of the DER INTEGER contents, as OpenSSL prints it.
    pub hex: String,
    /// Decimal value (for non-negative serials).
    pub decimal: Option<String>,
    /// Length of the DER INTEGER contents in bytes (RFC 5280 allows at most 20).
    pub length: usize,
    /// The serial is negative (forbidden by RFC 5280 §4.1.2.2, tolerated by decoders).
    pub negative: bool,
    /// The serial is zero (forbidden by RFC 5280 §4.1.2.2).
    pub zero: bool,
}

/// Fingerprints of a certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fingerprints {
    /// SHA-256 of the DER certificate, colon hex.
    pub sha256: String,
    /// SHA-1 of the DER certificate, colon hex (still how Keychain Access and Windows label certs).
    pub sha1: String,
    /// Base64 SHA-256 of the DER SubjectPublicKeyInfo: the value of `SPKI-SHA256-BASE64` in
    /// Apple's `NSPinnedDomains` (and of HPKP-style `pin-sha256`).
    pub spki_sha256_base64: String,
}

/// Why a certificate could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// What is wrong, in words.
    pub detail: String,
    /// Byte offset inside the certificate's DER where decoding stopped, when known.
    pub der_offset: Option<usize>,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)?;
        match self.der_offset {
            Some(offset) => write!(f, " (at DER offset {offset})"),
            None => Ok(()),
        }
    }
}

impl std::error::Error for DecodeError {}

/// Decodes one certificate found in the input.
pub fn decode(
    found: &FoundCertificate,
    index: usize,
    now: i64,
) -> Result<CertificateDetails, DecodeError> {
    let cert = parse(&found.der)?;
    Ok(describe(&cert, found, index, now))
}

/// Parses DER into a certificate (no profile checks), with a readable error.
pub fn parse(der: &[u8]) -> Result<RawCertificate, DecodeError> {
    RawCertificate::from_der(der).map_err(|e| DecodeError {
        detail: describe_der_error(&e),
        der_offset: e
            .position()
            .map(|p| usize::try_from(u32::from(p)).unwrap_or(usize::MAX)),
    })
}

fn describe_der_error(e: &der::Error) -> String {
    use der::ErrorKind;
    match e.kind() {
        ErrorKind::TagUnexpected { expected, actual } => match expected {
            Some(expected) => format!("expected {expected}, found {actual}"),
            None => format!("unexpected {actual}"),
        },
        ErrorKind::Noncanonical { tag } => format!(
            "{tag} is not in canonical DER form (BER encoding, or a DEFAULT value written out)"
        ),
        ErrorKind::SetOrdering => "a SET is not in DER sort order (often a multi-valued name \
                                    attribute encoded by a non-DER library)"
            .to_owned(),
        ErrorKind::DateTime => "a date is invalid or before 1970".to_owned(),
        kind => kind.to_string(),
    }
}

/// Describes an already parsed certificate (see [`decode`]).
pub fn describe(
    cert: &RawCertificate,
    found: &FoundCertificate,
    index: usize,
    now: i64,
) -> CertificateDetails {
    let tbs = cert.tbs_certificate();
    let subject = DistinguishedName::from_name(tbs.subject());
    let issuer = DistinguishedName::from_name(tbs.issuer());
    // Decoded names compare as their DER does (the decoder keeps every value's bytes).
    let self_issued = tbs.subject() == tbs.issuer();
    let spki_der = tbs.subject_public_key_info().to_der().unwrap_or_default();
    let mut warnings = Vec::new();

    let signature_algorithm = keys::SignatureAlgorithmInfo::new(
        cert.signature_algorithm(),
        tbs.signature() == cert.signature_algorithm(),
    );
    if !signature_algorithm.matches_tbs {
        warnings.push(
            "the signature algorithm inside the signed part differs from the outer one \
             (RFC 5280 §4.1.1.2 requires them to be identical)"
                .to_owned(),
        );
    }

    let ext = extensions::decode_all(tbs.extensions().map(|e| e.as_slice()).unwrap_or(&[]));
    warnings.extend(ext.warnings);

    CertificateDetails {
        index,
        location: found.location.clone(),
        format: found.container.describe(),
        label: subject.display_label(),
        version: match tbs.version() {
            Version::V1 => 1,
            Version::V2 => 2,
            Version::V3 => 3,
        },
        serial: serial_info(tbs.serial_number().as_bytes()),
        subject,
        issuer,
        self_issued,
        validity: ValidityInfo::new(&tbs.validity().not_before, &tbs.validity().not_after, now),
        subject_alt_names: ext.subject_alt_names,
        public_key: keys::PublicKeyInfo::new(tbs.subject_public_key_info()),
        signature_algorithm,
        basic_constraints: ext.basic_constraints,
        key_usage: ext.key_usage,
        extended_key_usage: ext.extended_key_usage,
        authority_key_id: ext.authority_key_id,
        subject_key_id: ext.subject_key_id,
        authority_info_access: ext.authority_info_access,
        crl_distribution_points: ext.crl_distribution_points,
        certificate_policies: ext.certificate_policies,
        name_constraints: ext.name_constraints,
        sct_count: ext.scts.len(),
        scts: ext.scts,
        must_staple: ext.must_staple,
        precertificate: ext.precertificate,
        extensions: ext.all,
        fingerprints: Fingerprints {
            sha256: hex::colon(&Sha256::digest(&found.der)),
            sha1: hex::colon(&Sha1::digest(&found.der)),
            spki_sha256_base64: base64::engine::general_purpose::STANDARD
                .encode(Sha256::digest(&spki_der)),
        },
        pem: to_pem(&found.der),
        warnings,
    }
}

/// Serial number view from the DER INTEGER contents (two's complement, big endian).
pub fn serial_info(bytes: &[u8]) -> SerialInfo {
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    let zero = bytes.iter().all(|&b| b == 0);
    SerialInfo {
        hex: hex::colon(bytes),
        decimal: (!negative).then(|| hex::unsigned_decimal(bytes)),
        length: bytes.len(),
        negative,
        zero,
    }
}

/// Armors DER as a PEM `CERTIFICATE` block with 64-character lines (RFC 7468 §2).
pub fn to_pem(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 60);
    out.push_str("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}
