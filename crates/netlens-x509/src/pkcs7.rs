//! Certificates out of PKCS#7 / CMS "certs-only" bundles (`.p7b`, `.p7c`).
//!
//! Windows' certificate export, macOS Keychain and many CAs hand out chains as a degenerate
//! `SignedData` (RFC 5652 §5) with no content and no signers, only the `certificates` field. We
//! read exactly that field, with the DER scanner, and ignore the rest (CRLs, signer infos):
//!
//! ```text
//! ContentInfo ::= SEQUENCE { contentType OID (1.2.840.113549.1.7.2), content [0] EXPLICIT SignedData }
//! SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo SEQUENCE,
//!                           certificates [0] IMPLICIT SET OF CertificateChoices OPTIONAL,
//!                           crls [1] IMPLICIT OPTIONAL, signerInfos SET }
//! ```

//!
//! This module only reads the bundle; the input scanner (`input.rs`) turns what it finds into certificates
//! and problems.

use crate::der_scan::{self, TAG_CONTEXT_0_CONSTRUCTED, TAG_INTEGER, TAG_OID, TAG_SEQUENCE, Tlv};

/// DER contents of the OID 1.2.840.113549.1.7.2 (id-signedData).
const ID_SIGNED_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];
/// DER contents of the OID prefix 1.2.840.113549.1.7 (PKCS#7 content types).
const PKCS7_PREFIX: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07];

/// Why a bundle cannot be read: the scanner's words and the DER offset, when known.
pub(crate) type Pkcs7Error = (String, Option<usize>);

fn scan_err(e: der_scan::ScanError, base: usize) -> Pkcs7Error {
    (e.to_string(), Some(base + e.offset()))
}

/// Returns the certificate elements of a certs-only SignedData. Offsets in errors are relative to
/// the start of `content_info`.
pub(crate) fn certificates<'a>(content_info: &Tlv<'a>) -> Result<Vec<Tlv<'a>>, Pkcs7Error> {
    let base = content_info.header_len;
    let mut fields = der_scan::children(content_info.value);
    let oid = fields
        .next()
        .ok_or(("empty ContentInfo".to_owned(), Some(0)))?
        .map_err(|e| scan_err(e, base))?;
    if oid.tag != TAG_OID {
        return Err((
            "ContentInfo does not start with a content type".to_owned(),
            Some(base),
        ));
    }
    if oid.value != ID_SIGNED_DATA {
        let what = if oid.value.starts_with(PKCS7_PREFIX) {
            "a PKCS#7 content type other than signedData"
        } else {
            "not a PKCS#7 content type"
        };
        return Err((
            format!(
                "content type is {what}; certificate bundles use signedData (1.2.840.113549.1.7.2)"
            ),
            Some(base + oid.offset),
        ));
    }
    let explicit = fields
        .next()
        .ok_or(("the signedData has no content".to_owned(), None))?
        .map_err(|e| scan_err(e, base))?;
    if explicit.tag != TAG_CONTEXT_0_CONSTRUCTED {
        return Err((
            "the content is not tagged [0]".to_owned(),
            Some(base + explicit.offset),
        ));
    }
    let sd_base = base + explicit.offset + explicit.header_len;
    let signed_data = der_scan::read_tlv(explicit.value, 0).map_err(|e| scan_err(e, sd_base))?;
    if signed_data.tag != TAG_SEQUENCE {
        return Err(("SignedData is not a SEQUENCE".to_owned(), Some(sd_base)));
    }
    let fields_base = sd_base + signed_data.header_len;
    let mut found = None;
    for (i, field) in der_scan::children(signed_data.value).enumerate() {
        let field = field.map_err(|e| scan_err(e, fields_base))?;
        if i == 0 && field.tag != TAG_INTEGER {
            return Err((
                "SignedData does not start with a version number".to_owned(),
                Some(fields_base + field.offset),
            ));
        }
        if field.tag == TAG_CONTEXT_0_CONSTRUCTED {
            found = Some(field);
            break;
        }
    }
    let Some(set) = found else {
        return Ok(Vec::new());
    };
    let set_base = fields_base + set.offset + set.header_len;
    der_scan::children(set.value)
        .map(|c| c.map_err(|e| scan_err(e, set_base)))
        .collect()
}
