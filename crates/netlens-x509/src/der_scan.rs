//! A minimal, bounds-checked DER TLV scanner.
//!
//! The x509 decoder (`x509-cert`) parses one certificate from an exact byte slice. Before that we
//! need to *find* the slices: split concatenated DER, tell a certificate from a PKCS#7 bundle,
//! walk into `SignedData.certificates`, and keep the exact `tbsCertificate` bytes (re-encoding
//! them could differ from what was signed). This scanner does only that: it reads one tag-length-
//! value header at a time, never allocates and never reads past the slice.

use core::fmt;

/// Universal SEQUENCE, constructed.
pub const TAG_SEQUENCE: u8 = 0x30;
/// Universal SET, constructed.
pub const TAG_SET: u8 = 0x31;
/// Universal OBJECT IDENTIFIER.
pub const TAG_OID: u8 = 0x06;
/// Universal INTEGER.
pub const TAG_INTEGER: u8 = 0x02;
/// Context-specific [0], constructed.
pub const TAG_CONTEXT_0_CONSTRUCTED: u8 = 0xA0;

/// One TLV element found in a byte slice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The identifier octet (only low-tag-number form is supported, which covers X.509 and CMS).
    pub tag: u8,
    /// Offset of the identifier octet within the scanned slice.
    pub offset: usize,
    /// Length of the identifier and length octets.
    pub header_len: usize,
    /// The contents octets.
    pub value: &'a [u8],
    /// The whole element: header and contents.
    pub raw: &'a [u8],
}

impl Tlv<'_> {
    /// Offset just past this element.
    pub fn end(&self) -> usize {
        self.offset + self.raw.len()
    }
}

/// Why a TLV could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanError {
    /// The slice ended inside the header or the contents.
    Truncated {
        /// Offset where the element starts.
        offset: usize,
        /// Bytes the header announced (header plus contents), when known.
        needed: Option<usize>,
        /// Bytes actually available from `offset`.
        available: usize,
    },
    /// Indefinite length (0x80): allowed in BER, forbidden in DER.
    IndefiniteLength {
        /// Offset of the element.
        offset: usize,
    },
    /// A length encoded in more octets than needed, or longer than 4 octets.
    BadLength {
        /// Offset of the element.
        offset: usize,
    },
    /// A high-tag-number identifier (tag number ≥ 31), which X.509 and CMS never use at this level.
    HighTagNumber {
        /// Offset of the element.
        offset: usize,
    },
}

impl ScanError {
    /// Offset where the faulty element starts.
    pub fn offset(&self) -> usize {
        match *self {
            ScanError::Truncated { offset, .. }
            | ScanError::IndefiniteLength { offset }
            | ScanError::BadLength { offset }
            | ScanError::HighTagNumber { offset } => offset,
        }
    }
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ScanError::Truncated {
                needed: Some(needed),
                available,
                ..
            } => write!(
                f,
                "the data is cut short: the element needs {needed} bytes but only {available} remain"
            ),
            ScanError::Truncated { available, .. } => write!(
                f,
                "the data is cut short: only {available} bytes remain, not enough for an element header"
            ),
            ScanError::IndefiniteLength { .. } => {
                f.write_str("indefinite length (BER) is not allowed in DER")
            }
            ScanError::BadLength { .. } => f.write_str("malformed length octets"),
            ScanError::HighTagNumber { .. } => f.write_str("unexpected high-tag-number identifier"),
        }
    }
}

impl std::error::Error for ScanError {}

/// Reads the TLV starting at `offset` in `data`.
pub fn read_tlv(data: &[u8], offset: usize) -> Result<Tlv<'_>, ScanError> {
    let available = data.len().saturating_sub(offset);
    let truncated = |needed| ScanError::Truncated {
        offset,
        needed,
        available,
    };
    let rest = data.get(offset..).ok_or(truncated(None))?;
    let (&tag, after_tag) = rest.split_first().ok_or(truncated(None))?;
    if tag & 0x1F == 0x1F {
        return Err(ScanError::HighTagNumber { offset });
    }
    let (&first_len, after_len) = after_tag.split_first().ok_or(truncated(None))?;
    let (content_len, len_octets) = match first_len {
        0x80 => return Err(ScanError::IndefiniteLength { offset }),
        n if n < 0x80 => (usize::from(n), 0usize),
        n => {
            let count = usize::from(n & 0x7F);
            if count > 4 {
                return Err(ScanError::BadLength { offset });
            }
            let octets = after_len.get(..count).ok_or(truncated(None))?;
            if octets.first() == Some(&0) {
                return Err(ScanError::BadLength { offset });
            }
            let len = octets
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            if len < 0x80 {
                // Long form used for a length that fits the short form: not DER.
                return Err(ScanError::BadLength { offset });
            }
            (len, count)
        }
    };
    let header_len = 2 + len_octets;
    let total = header_len
        .checked_add(content_len)
        .ok_or(ScanError::BadLength { offset })?;
    let raw = rest.get(..total).ok_or(truncated(Some(total)))?;
    Ok(Tlv {
        tag,
        offset,
        header_len,
        value: &raw[header_len..],
        raw,
    })
}

/// Iterates over the consecutive TLVs that make up `data` (for example the contents of a
/// SEQUENCE). Stops after the first error, which it yields.
pub fn children(data: &[u8]) -> Children<'_> {
    Children {
        data,
        offset: 0,
        failed: false,
    }
}

/// Iterator returned by [`children`].
pub struct Children<'a> {
    data: &'a [u8],
    offset: usize,
    failed: bool,
}

impl<'a> Iterator for Children<'a> {
    type Item = Result<Tlv<'a>, ScanError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.offset >= self.data.len() {
            return None;
        }
        match read_tlv(self.data, self.offset) {
            Ok(tlv) => {
                self.offset = tlv.end();
                Some(Ok(tlv))
            }
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}

/// True when `tlv` has the outer shape of an X.509 CRL (RFC 5280 §5.1): a signed SEQUENCE whose
/// TBSCertList holds a time (thisUpdate) among its direct fields, where a TBSCertificate holds
/// a Validity SEQUENCE instead.
pub fn looks_like_crl(tlv: &Tlv<'_>) -> bool {
    if tlv.tag != TAG_SEQUENCE {
        return false;
    }
    let Some(Ok(tbs)) = children(tlv.value).next() else {
        return false;
    };
    tbs.tag == TAG_SEQUENCE
        && children(tbs.value)
            .take(5)
            .any(|c| matches!(c, Ok(t) if t.tag == TAG_UTC_TIME || t.tag == TAG_GENERALIZED_TIME))
}

/// Universal UTCTime.
pub const TAG_UTC_TIME: u8 = 0x17;
/// Universal GeneralizedTime.
pub const TAG_GENERALIZED_TIME: u8 = 0x18;

/// True when `tlv` has the outer shape of an X.509 certificate: a SEQUENCE whose first element
/// (tbsCertificate) is itself a SEQUENCE, followed by a SEQUENCE (signatureAlgorithm).
pub fn looks_like_certificate(tlv: &Tlv<'_>) -> bool {
    if tlv.tag != TAG_SEQUENCE {
        return false;
    }
    let mut inner = children(tlv.value);
    matches!(
        (inner.next(), inner.next()),
        (Some(Ok(a)), Some(Ok(b))) if a.tag == TAG_SEQUENCE && b.tag == TAG_SEQUENCE
    )
}

/// True when `tlv` has the outer shape of a CMS / PKCS#7 `ContentInfo`: a SEQUENCE starting with
/// an OBJECT IDENTIFIER.
pub fn looks_like_content_info(tlv: &Tlv<'_>) -> bool {
    tlv.tag == TAG_SEQUENCE
        && matches!(children(tlv.value).next(), Some(Ok(first)) if first.tag == TAG_OID)
}

/// True when `tlv` has the outer shape of a PKCS#12 PFX (RFC 7292 §4): a SEQUENCE of version 3
/// then a ContentInfo.
pub fn looks_like_pkcs12(tlv: &Tlv<'_>) -> bool {
    let mut fields = children(tlv.value);
    tlv.tag == TAG_SEQUENCE
        && matches!(fields.next(), Some(Ok(v)) if v.tag == TAG_INTEGER && v.value == [3])
        && matches!(fields.next(), Some(Ok(c)) if looks_like_content_info(&c))
}

/// True when `bytes` begin with a PKCS#12 PFX ([`looks_like_pkcs12`]).
pub fn is_pkcs12(bytes: &[u8]) -> bool {
    read_tlv(bytes, 0).is_ok_and(|tlv| looks_like_pkcs12(&tlv))
}

/// The exact DER of a certificate's pieces that chain analysis compares and verifies, as
/// encoded (re-encoding a parsed Name could reorder a SET and change what is matched).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertificateParts<'a> {
    /// tbsCertificate, the signed bytes.
    pub tbs: &'a [u8],
    /// The issuer Name.
    pub issuer: &'a [u8],
    /// The subject Name.
    pub subject: &'a [u8],
    /// The SubjectPublicKeyInfo.
    pub spki: &'a [u8],
}

/// Splits a DER certificate into its [`CertificateParts`], or `None` when the fields cannot be
/// located.
pub fn certificate_parts(der: &[u8]) -> Option<CertificateParts<'_>> {
    let cert = read_tlv(der, 0).ok()?;
    let tbs = children(cert.value).next()?.ok()?;
    let mut fields = children(tbs.value).filter_map(Result::ok).peekable();
    if fields
        .peek()
        .is_some_and(|f| f.tag == TAG_CONTEXT_0_CONSTRUCTED)
    {
        fields.next(); // version
    }
    let _serial = fields.next()?;
    let _signature = fields.next()?;
    let issuer = fields.next()?;
    let _validity = fields.next()?;
    let subject = fields.next()?;
    let spki = fields.next()?;
    Some(CertificateParts {
        tbs: tbs.raw,
        issuer: issuer.raw,
        subject: subject.raw,
        spki: spki.raw,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_short_and_long_form() {
        let data = [0x30, 0x03, 0x02, 0x01, 0x05];
        let tlv = read_tlv(&data, 0).unwrap();
        assert_eq!((tlv.tag, tlv.header_len, tlv.value), (0x30, 2, &data[2..]));

        let mut long = vec![0x04, 0x81, 0x80];
        long.extend(std::iter::repeat_n(0xAA, 0x80));
        let tlv = read_tlv(&long, 0).unwrap();
        assert_eq!((tlv.header_len, tlv.value.len()), (3, 0x80));
    }

    #[test]
    fn rejects_non_der_lengths_and_truncation() {
        assert_eq!(
            read_tlv(&[0x30, 0x80, 0x00, 0x00], 0),
            Err(ScanError::IndefiniteLength { offset: 0 })
        );
        assert_eq!(
            read_tlv(&[0x30, 0x81, 0x05, 0, 0, 0, 0, 0], 0),
            Err(ScanError::BadLength { offset: 0 })
        );
        assert_eq!(
            read_tlv(&[0x30, 0x82, 0x00, 0x90], 0),
            Err(ScanError::BadLength { offset: 0 })
        );
        assert_eq!(
            read_tlv(&[0x30, 0x85, 1, 1, 1, 1, 1], 0),
            Err(ScanError::BadLength { offset: 0 })
        );
        assert_eq!(
            read_tlv(&[0x30, 0x05, 0x02], 0),
            Err(ScanError::Truncated {
                offset: 0,
                needed: Some(7),
                available: 3
            })
        );
        assert!(read_tlv(&[], 0).is_err());
        assert!(read_tlv(&[0x30], 0).is_err());
        assert!(read_tlv(&[0x30, 0x00], 5).is_err());
    }

    #[test]
    fn children_stop_at_first_error() {
        let data = [0x02, 0x01, 0x01, 0x02, 0x05, 0x00];
        let items: Vec<_> = children(&data).collect();
        assert_eq!(items.len(), 2);
        assert!(items[0].is_ok());
        assert_eq!(items[1].unwrap_err().offset(), 3);
    }

    #[test]
    fn huge_lengths_do_not_overflow() {
        let data = [0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF];
        assert!(matches!(
            read_tlv(&data, 0),
            Err(ScanError::Truncated { .. })
        ));
    }
}
