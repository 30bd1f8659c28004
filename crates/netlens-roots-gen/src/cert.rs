//! A root certificate reduced to what the tables keep: the exact DER of its subject, key and
//! name constraints (re-encoding a parsed Name could reorder a SET and change what is matched),
//! its validity, a label and its SHA-256.

use netlens_x509::der_scan;
use sha2::{Digest, Sha256};

const NAME_CONSTRAINTS: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("2.5.29.30");

/// One certificate's pieces.
#[derive(Clone, Debug)]
pub struct CertPieces {
    /// SHA-256 of the DER.
    pub sha256: [u8; 32],
    /// The subject's display label (CN, else O, else the whole name).
    pub label: String,
    /// DER of the subject Name, as encoded.
    pub subject: Vec<u8>,
    /// DER SubjectPublicKeyInfo.
    pub spki: Vec<u8>,
    /// The nameConstraints extension value, when present.
    pub name_constraints: Option<Vec<u8>>,
    /// notBefore, Unix seconds.
    pub not_before: i64,
    /// notAfter, Unix seconds.
    pub not_after: i64,
    /// Subject and issuer are the same bytes.
    pub self_issued: bool,
}

/// Splits a DER certificate into its pieces.
pub fn pieces(der: &[u8]) -> Result<CertPieces, String> {
    let cert = netlens_x509::details::parse(der).map_err(|e| e.detail)?;
    let parts =
        der_scan::certificate_parts(der).ok_or("the certificate's fields cannot be located")?;
    let (subject, spki) = (parts.subject.to_vec(), parts.spki.to_vec());
    let tbs_cert = cert.tbs_certificate();
    let validity = tbs_cert.validity();
    let name_constraints = tbs_cert.extensions().and_then(|exts| {
        exts.iter()
            .find(|e| e.extn_id == NAME_CONSTRAINTS)
            .map(|e| e.extn_value.as_bytes().to_vec())
    });
    let label = netlens_x509::dn::DistinguishedName::from_name(tbs_cert.subject()).display_label();
    let self_issued = parts.issuer == parts.subject;
    Ok(CertPieces {
        sha256: Sha256::digest(der).into(),
        label,
        subject,
        spki,
        name_constraints,
        not_before: netlens_x509::time::unix_seconds(&validity.not_before),
        not_after: netlens_x509::time::unix_seconds(&validity.not_after),
        self_issued,
    })
}

/// The first 8 bytes of a SHA-256: how removed roots are recognised by name and by key.
pub fn digest8(bytes: &[u8]) -> [u8; 8] {
    let full: [u8; 32] = Sha256::digest(bytes).into();
    let mut out = [0u8; 8];
    out.copy_from_slice(&full[..8]);
    out
}

/// Every certificate in a file of any format the decoder reads (DER, PEM, PKCS#7).
pub fn certificates_in(bytes: &[u8]) -> Vec<Vec<u8>> {
    netlens_x509::input::scan(bytes, None)
        .certificates()
        .iter()
        .map(|c| c.der.clone())
        .collect()
}
