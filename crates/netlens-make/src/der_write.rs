//! A few lines of DER writing for the structures netlens assembles by hand: the signed
//! certificate around a to-be-signed one, ECDSA signature values, PKCS#8 wrappers and PKCS#12.
//!
//! Certificates' contents are built with x509-cert's builder ([`crate::issue`]); what is left is
//! nesting known parts (a TBS the builder encoded, a signature a signer returned, ciphertext),
//! where a typed model would only restate the nesting. Every function here produces DER for
//! the lengths it is given (definite, minimal length octets).

/// Tag numbers used here.
pub mod tag {
    /// INTEGER.
    pub const INTEGER: u8 = 0x02;
    /// BIT STRING.
    pub const BIT_STRING: u8 = 0x03;
    /// OCTET STRING.
    pub const OCTET_STRING: u8 = 0x04;
    /// NULL.
    pub const NULL: u8 = 0x05;
    /// OBJECT IDENTIFIER.
    pub const OID: u8 = 0x06;
    /// BMPString.
    pub const BMP_STRING: u8 = 0x1e;
    /// SEQUENCE (constructed).
    pub const SEQUENCE: u8 = 0x30;
    /// SET (constructed).
    pub const SET: u8 = 0x31;
}

/// One element: `tag`, the length of `content`, `content`.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// A SEQUENCE of already encoded elements.
pub fn sequence(parts: &[&[u8]]) -> Vec<u8> {
    tlv(tag::SEQUENCE, &parts.concat())
}

/// A SET OF already encoded elements, sorted as DER requires.
pub fn set_of(parts: &[&[u8]]) -> Vec<u8> {
    let mut sorted: Vec<&[u8]> = parts.to_vec();
    sorted.sort();
    tlv(tag::SET, &sorted.concat())
}

/// An explicitly tagged element: `[n]` constructed, context-specific.
pub fn explicit(n: u8, inner: &[u8]) -> Vec<u8> {
    tlv(0xa0 | n, inner)
}

/// An OCTET STRING.
pub fn octet_string(content: &[u8]) -> Vec<u8> {
    tlv(tag::OCTET_STRING, content)
}

/// A BIT STRING with no unused bits.
pub fn bit_string(content: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(content.len() + 1);
    body.push(0);
    body.extend_from_slice(content);
    tlv(tag::BIT_STRING, &body)
}

/// A non-negative INTEGER from big-endian magnitude bytes (leading zeros dropped, a zero added
/// when the top bit is set).
pub fn unsigned_integer(magnitude: &[u8]) -> Vec<u8> {
    let skip = magnitude.iter().take_while(|b| **b == 0).count();
    let trimmed = &magnitude[skip..];
    let mut body = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        body.push(0);
    }
    body.extend_from_slice(trimmed);
    tlv(tag::INTEGER, &body)
}

/// A small non-negative INTEGER.
pub fn small_integer(value: u32) -> Vec<u8> {
    unsigned_integer(&value.to_be_bytes())
}

/// An OBJECT IDENTIFIER.
pub fn oid(oid: &const_oid::ObjectIdentifier) -> Vec<u8> {
    tlv(tag::OID, oid.as_bytes())
}

/// NULL.
pub fn null() -> Vec<u8> {
    vec![tag::NULL, 0]
}

/// An AlgorithmIdentifier: `oid` and the already encoded `parameters`, if any.
pub fn algorithm(id: &const_oid::ObjectIdentifier, parameters: Option<&[u8]>) -> Vec<u8> {
    match parameters {
        Some(p) => sequence(&[&oid(id), p]),
        None => sequence(&[&oid(id)]),
    }
}

/// A BMPString (UTF-16BE) of `text`.
pub fn bmp_string(text: &str) -> Vec<u8> {
    let units: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    tlv(tag::BMP_STRING, &units)
}

/// An ECDSA signature in DER (`SEQUENCE { r INTEGER, s INTEGER }`) from its fixed-width form
/// (`r ‖ s`, as WebCrypto returns it), or `None` when `raw` has an odd length or is empty.
pub fn ecdsa_signature_der(raw: &[u8]) -> Option<Vec<u8>> {
    if raw.is_empty() || !raw.len().is_multiple_of(2) {
        return None;
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    Some(sequence(&[&unsigned_integer(r), &unsigned_integer(s)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_minimal() {
        assert_eq!(tlv(0x04, &[]), [0x04, 0x00]);
        assert_eq!(tlv(0x04, &[0; 127])[..2], [0x04, 0x7f]);
        assert_eq!(tlv(0x04, &[0; 128])[..3], [0x04, 0x81, 0x80]);
        assert_eq!(tlv(0x04, &[0; 256])[..4], [0x04, 0x82, 0x01, 0x00]);
    }

    #[test]
    fn integers_are_positive_and_minimal() {
        assert_eq!(unsigned_integer(&[0, 0, 1]), [0x02, 0x01, 0x01]);
        assert_eq!(unsigned_integer(&[0x80]), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(unsigned_integer(&[]), [0x02, 0x01, 0x00]);
        assert_eq!(small_integer(2048), [0x02, 0x02, 0x08, 0x00]);
    }

    #[test]
    fn ecdsa_raw_to_der() {
        assert_eq!(
            ecdsa_signature_der(&[0x00, 0x80, 0x00, 0x01]).unwrap(),
            [0x30, 0x07, 0x02, 0x02, 0x00, 0x80, 0x02, 0x01, 0x01]
        );
        assert!(ecdsa_signature_der(&[1, 2, 3]).is_none());
    }

    #[test]
    fn sets_are_sorted() {
        assert_eq!(
            set_of(&[&[0x02, 0x01, 0x02], &[0x02, 0x01, 0x01]]),
            [0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02]
        );
    }

    #[test]
    fn bmp_strings_are_utf16_big_endian() {
        assert_eq!(bmp_string("é"), [0x1e, 0x02, 0x00, 0xe9]);
    }
}
