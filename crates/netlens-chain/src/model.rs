//! Certificates as the analysis sees them: parsed once, with the exact DER pieces the checks
//! need (the signed bytes, the names, the key) and the decoded view the UI shows.

use const_oid::ObjectIdentifier;
use der::Decode;
use netlens_x509::der_scan;
use netlens_x509::details::{self, CertificateDetails, DecodeError, RawCertificate};
use netlens_x509::{FoundCertificate, Location};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use x509_cert::ext::Extension;

use crate::names;

/// A certificate of the chain (or a user-supplied anchor), parsed for analysis.
///
/// Shared, not copied: the same certificate appears as sent, in the de-duplicated set the paths
/// are built from, and in the report, and a deep copy costs as much as parsing it again.
#[derive(Clone, Debug)]
pub struct ChainCert(Arc<CertData>);

impl std::ops::Deref for ChainCert {
    type Target = CertData;

    fn deref(&self) -> &CertData {
        &self.0
    }
}

/// What [`ChainCert`] holds.
#[derive(Debug)]
pub struct CertData {
    /// Position in the input as sent (0-based), or in the anchor input for anchors.
    pub index: usize,
    /// Where it was found.
    pub location: Location,
    /// The DER certificate.
    pub der: Vec<u8>,
    /// The parsed certificate.
    pub cert: RawCertificate,
    /// The decoded view (labels, SANs, key summary…), shared with the report without a copy.
    pub details: Arc<CertificateDetails>,
    /// The exact bytes of tbsCertificate, as signed.
    pub tbs: Vec<u8>,
    /// DER of the issuer Name, as encoded.
    pub issuer: Vec<u8>,
    /// DER of the subject Name, as encoded.
    pub subject: Vec<u8>,
    /// Comparison key of the issuer name (RFC 5280 §7.1 matching).
    pub issuer_key: Vec<u8>,
    /// Comparison key of the subject name.
    pub subject_key: Vec<u8>,
    /// DER of the SubjectPublicKeyInfo.
    pub spki: Vec<u8>,
    /// SHA-256 of the whole certificate.
    pub fingerprint: [u8; 32],
    /// subjectKeyIdentifier bytes.
    pub ski: Option<Vec<u8>>,
    /// authorityKeyIdentifier keyIdentifier bytes.
    pub aki: Option<Vec<u8>>,
}

/// The 32 bytes of a colon-separated hex SHA-256 fingerprint (the decoder computed it already;
/// hashing the certificate again costs more than reading it back).
fn colon_hex_32(hex: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    let mut parts = hex.split(':');
    for byte in &mut out {
        *byte = u8::from_str_radix(parts.next()?, 16).ok()?;
    }
    parts.next().is_none().then_some(out)
}

impl ChainCert {
    /// Parses a found certificate. `now` is used for the decoded view's relative times.
    pub fn parse(
        found: &FoundCertificate,
        index: usize,
        now: i64,
    ) -> Result<ChainCert, DecodeError> {
        let cert = details::parse(&found.der)?;
        let details = details::describe(&cert, found, index, now);
        let parts = der_scan::certificate_parts(&found.der).ok_or(DecodeError {
            detail: "the certificate's fields cannot be located".into(),
            der_offset: None,
        })?;
        let (tbs, issuer, subject, spki) = (
            parts.tbs.to_vec(),
            parts.issuer.to_vec(),
            parts.subject.to_vec(),
            parts.spki.to_vec(),
        );
        let ski = extension(&cert, &const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER)
            .and_then(|e| der::asn1::OctetString::from_der(e.extn_value.as_bytes()).ok())
            .map(|o| o.as_bytes().to_vec());
        let aki = extension(
            &cert,
            &const_oid::db::rfc5280::ID_CE_AUTHORITY_KEY_IDENTIFIER,
        )
        .and_then(|e| {
            x509_cert::ext::pkix::AuthorityKeyIdentifier::from_der(e.extn_value.as_bytes()).ok()
        })
        .and_then(|a| a.key_identifier.map(|k| k.as_bytes().to_vec()));
        Ok(ChainCert(Arc::new(CertData {
            index,
            location: found.location.clone(),
            issuer_key: names::comparison_key(&issuer),
            subject_key: names::comparison_key(&subject),
            fingerprint: colon_hex_32(&details.fingerprints.sha256)
                .unwrap_or_else(|| Sha256::digest(&found.der).into()),
            der: found.der.clone(),
            cert,
            details: Arc::new(details),
            tbs,
            issuer,
            subject,
            spki,
            ski,
            aki,
        })))
    }

    /// The extensions, or none.
    pub fn extensions(&self) -> &[Extension] {
        self.cert
            .tbs_certificate()
            .extensions()
            .map(|e| e.as_slice())
            .unwrap_or(&[])
    }

    /// The first extension with `oid`.
    pub fn extension(&self, oid: &ObjectIdentifier) -> Option<&Extension> {
        extension(&self.cert, oid)
    }

    /// Subject and issuer names are equal (the certificate is self-issued).
    pub fn self_issued(&self) -> bool {
        self.subject_key == self.issuer_key
    }

    /// basicConstraints cA is TRUE.
    pub fn is_ca(&self) -> bool {
        self.details
            .basic_constraints
            .as_ref()
            .is_some_and(|b| b.ca)
    }

    /// A short label for messages: "#2 (Netlens Test Issuing CA 1)".
    pub fn label(&self) -> String {
        format!("#{} ({})", self.index + 1, self.details.label)
    }

    /// notBefore / notAfter in Unix seconds.
    pub fn validity(&self) -> (i64, i64) {
        (
            self.details.validity.not_before_unix,
            self.details.validity.not_after_unix,
        )
    }
}

fn extension<'a>(cert: &'a RawCertificate, oid: &ObjectIdentifier) -> Option<&'a Extension> {
    cert.tbs_certificate()
        .extensions()?
        .iter()
        .find(|e| &e.extn_id == oid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_the_sha256_of_the_der() {
        let pem = netlens_testkit::demo_chain_cached().unwrap().pem();
        let scan = netlens_x509::input::scan(pem.as_bytes(), None);
        for (i, found) in scan.certificates().iter().enumerate() {
            let cert = ChainCert::parse(found, i, 0).unwrap();
            let expected: [u8; 32] = Sha256::digest(&found.der).into();
            assert_eq!(cert.fingerprint, expected);
        }
        assert_eq!(colon_hex_32("AB:CD"), None);
        assert_eq!(colon_hex_32(&["00"; 33].join(":")), None);
        assert_eq!(colon_hex_32(&["0f"; 32].join(":")), Some([15; 32]));
    }
}
