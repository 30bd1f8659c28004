//! Signed certificate timestamps (RFC 6962 §3.2–3.3), read the same way wherever a client finds
//! them: the certificate's own extension, the TLS `signed_certificate_timestamp` extension and
//! the extension of a stapled OCSP response all carry one `SignedCertificateTimestampList` in
//! TLS encoding.
//!
//! The reader keeps every byte a signature check needs ([`Sct::signed_data`]): an SCT is only
//! evidence if the log's key verifies it, and the message it signs differs by where the SCT
//! travelled (the precertificate's TBS for an embedded SCT, the certificate itself otherwise).

use base64::Engine as _;
use sha2::Digest as _;

use crate::der_scan;

/// Most SCTs read from one list (real certificates carry 2 to 5).
pub const MAX_SCTS: usize = 64;

/// The certificate extension that carries embedded SCTs (RFC 6962 §3.3).
pub const EMBEDDED_OID: &str = "1.3.6.1.4.1.11129.2.4.2";
/// The single-response extension of an OCSP response that carries SCTs (RFC 6962 §3.3).
pub const OCSP_OID: &str = "1.3.6.1.4.1.11129.2.4.5";
/// The TLS extension number of `signed_certificate_timestamp` (RFC 6962 §3.3.1).
pub const TLS_EXTENSION: u16 = 18;

/// One version-1 SCT, as the log signed it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sct {
    /// The log's ID: SHA-256 of its public key (SubjectPublicKeyInfo DER).
    pub log_id: [u8; 32],
    /// Milliseconds since the epoch.
    pub timestamp_ms: u64,
    /// The SCT's extensions (opaque; none are defined).
    pub extensions: Vec<u8>,
    /// TLS HashAlgorithm (4 = SHA-256).
    pub hash_algorithm: u8,
    /// TLS SignatureAlgorithm (1 = RSA, 3 = ECDSA).
    pub signature_algorithm: u8,
    /// The signature (DER for ECDSA).
    pub signature: Vec<u8>,
}

/// What an SCT signature covers besides the SCT's own fields (RFC 6962 §3.2).
#[derive(Clone, Copy, Debug)]
pub enum Entry<'a> {
    /// An SCT delivered beside the certificate (TLS extension, OCSP): it signs the certificate.
    Certificate(&'a [u8]),
    /// An SCT embedded in the certificate: it signs the precertificate, which is the
    /// certificate's TBS without the SCT extension, and the issuer's key hash.
    Precertificate {
        /// SHA-256 of the issuer's SubjectPublicKeyInfo.
        issuer_key_hash: [u8; 32],
        /// The TBSCertificate with the SCT list extension removed ([`precertificate_tbs`]).
        tbs: &'a [u8],
    },
}

/// Why an SCT list cannot be read. Every variant is said as a sentence by `Display`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SctError {
    /// The bytes end inside a length or a field.
    Truncated,
    /// The list's length prefix does not match its size.
    LengthMismatch {
        /// The length the prefix announces.
        announced: usize,
        /// The bytes that follow it.
        actual: usize,
    },
    /// An SCT's own length does not match its fields.
    MalformedSct {
        /// Its position in the list, from 1.
        index: usize,
    },
    /// The list holds no SCT.
    Empty,
    /// More than [`MAX_SCTS`] SCTs.
    TooMany,
}

impl std::fmt::Display for SctError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SctError::Truncated => f.write_str("the SCT list is cut short"),
            SctError::LengthMismatch { announced, actual } => write!(
                f,
                "the SCT list announces {announced} bytes but {actual} follow: it is not a whole SignedCertificateTimestampList"
            ),
            SctError::MalformedSct { index } => write!(
                f,
                "SCT {index} of the list is malformed: its length does not match its fields"
            ),
            SctError::Empty => f.write_str("the SCT list is empty"),
            SctError::TooMany => write!(f, "the SCT list holds more than {MAX_SCTS} SCTs"),
        }
    }
}

impl std::error::Error for SctError {}

/// A cursor over TLS-encoded bytes.
struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SctError> {
        if self.data.len() < n {
            return Err(SctError::Truncated);
        }
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, SctError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<usize, SctError> {
        let b = self.take(2)?;
        Ok(usize::from(b[0]) << 8 | usize::from(b[1]))
    }

    fn vec16(&mut self) -> Result<&'a [u8], SctError> {
        let n = self.u16()?;
        self.take(n)
    }
}

/// Reads a `SignedCertificateTimestampList` (a 2-byte length, then SCTs each with a 2-byte
/// length). SCTs of a version other than 1 are skipped, as RFC 6962 §3.3 tells clients to do.
pub fn parse_list(bytes: &[u8]) -> Result<Vec<Sct>, SctError> {
    let mut outer = Reader { data: bytes };
    let announced = outer.u16()?;
    if announced != outer.data.len() {
        return Err(SctError::LengthMismatch {
            announced,
            actual: outer.data.len(),
        });
    }
    let mut scts = Vec::new();
    let mut index = 0;
    while !outer.data.is_empty() {
        index += 1;
        if index > MAX_SCTS {
            return Err(SctError::TooMany);
        }
        let one = outer.vec16()?;
        if let Some(sct) = parse_one(one).map_err(|_| SctError::MalformedSct { index })? {
            scts.push(sct);
        }
    }
    if index == 0 {
        return Err(SctError::Empty);
    }
    Ok(scts)
}

fn parse_one(bytes: &[u8]) -> Result<Option<Sct>, SctError> {
    let mut r = Reader { data: bytes };
    if r.u8()? != 0 {
        return Ok(None);
    }
    let mut log_id = [0u8; 32];
    log_id.copy_from_slice(r.take(32)?);
    let timestamp_ms = r
        .take(8)?
        .iter()
        .fold(0u64, |acc, &b| acc << 8 | u64::from(b));
    let extensions = r.vec16()?.to_vec();
    let hash_algorithm = r.u8()?;
    let signature_algorithm = r.u8()?;
    let signature = r.vec16()?.to_vec();
    if !r.data.is_empty() {
        return Err(SctError::Truncated);
    }
    Ok(Some(Sct {
        log_id,
        timestamp_ms,
        extensions,
        hash_algorithm,
        signature_algorithm,
        signature,
    }))
}

impl Sct {
    /// The log ID in base64, as log lists publish it.
    pub fn log_id_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.log_id)
    }

    /// Seconds since the epoch.
    pub fn timestamp_seconds(&self) -> i64 {
        i64::try_from(self.timestamp_ms / 1000).unwrap_or(i64::MAX)
    }

    /// The signature's algorithm in words ("ECDSA with SHA-256").
    pub fn algorithm_name(&self) -> String {
        let signature = match self.signature_algorithm {
            1 => "RSA",
            2 => "DSA",
            3 => "ECDSA",
            7 => "Ed25519",
            8 => "Ed448",
            _ => "unknown",
        };
        let hash = match self.hash_algorithm {
            2 => "SHA-1",
            4 => "SHA-256",
            5 => "SHA-384",
            6 => "SHA-512",
            8 => return signature.to_owned(),
            _ => "other hash",
        };
        format!("{signature} with {hash}")
    }

    /// The signature algorithm as an X.509 AlgorithmIdentifier OID, for the two RFC 6962 allows
    /// (ECDSA with SHA-256, RSA PKCS#1 v1.5 with SHA-256); `None` for anything else.
    pub fn x509_algorithm(&self) -> Option<&'static str> {
        match (self.hash_algorithm, self.signature_algorithm) {
            (4, 3) => Some("1.2.840.10045.4.3.2"),
            (4, 1) => Some("1.2.840.113549.1.1.11"),
            _ => None,
        }
    }

    /// The bytes the log signed (RFC 6962 §3.2, `digitally-signed struct`).
    pub fn signed_data(&self, entry: Entry<'_>) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.extensions.len());
        out.push(0); // v1
        out.push(0); // certificate_timestamp
        out.extend_from_slice(&self.timestamp_ms.to_be_bytes());
        let push24 = |out: &mut Vec<u8>, body: &[u8]| {
            let n = body.len();
            out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
            out.extend_from_slice(body);
        };
        match entry {
            Entry::Certificate(der) => {
                out.extend_from_slice(&[0, 0]);
                push24(&mut out, der);
            }
            Entry::Precertificate {
                issuer_key_hash,
                tbs,
            } => {
                out.extend_from_slice(&[0, 1]);
                out.extend_from_slice(&issuer_key_hash);
                push24(&mut out, tbs);
            }
        }
        let n = self.extensions.len();
        out.extend_from_slice(&[(n >> 8) as u8, n as u8]);
        out.extend_from_slice(&self.extensions);
        out
    }
}

/// `scts` as a TLS-encoded SignedCertificateTimestampList ([`parse_list`] reads it back).
pub fn encode_list(scts: &[Sct]) -> Vec<u8> {
    let mut body = Vec::new();
    for s in scts {
        let mut one = vec![0u8];
        one.extend_from_slice(&s.log_id);
        one.extend_from_slice(&s.timestamp_ms.to_be_bytes());
        one.extend_from_slice(&(s.extensions.len().min(0xFFFF) as u16).to_be_bytes());
        one.extend_from_slice(&s.extensions);
        one.extend_from_slice(&[s.hash_algorithm, s.signature_algorithm]);
        one.extend_from_slice(&(s.signature.len().min(0xFFFF) as u16).to_be_bytes());
        one.extend_from_slice(&s.signature);
        body.extend_from_slice(&(one.len().min(0xFFFF) as u16).to_be_bytes());
        body.extend_from_slice(&one);
    }
    let mut out = (body.len().min(0xFFFF) as u16).to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    out
}

/// SHA-256 of a SubjectPublicKeyInfo: a log's ID from its key, an issuer's key hash.
pub fn key_hash(spki_der: &[u8]) -> [u8; 32] {
    sha2::Sha256::digest(spki_der).into()
}

/// The precertificate TBS an embedded SCT signs: the certificate's TBSCertificate with the SCT
/// list extension removed, DER re-encoded. `None` when the certificate cannot be taken apart.
pub fn precertificate_tbs(certificate_der: &[u8]) -> Option<Vec<u8>> {
    let cert = der_scan::read_tlv(certificate_der, 0).ok()?;
    let tbs = der_scan::children(cert.value).next()?.ok()?;
    let mut fields = Vec::new();
    for field in der_scan::children(tbs.value) {
        let field = field.ok()?;
        if field.tag != 0xA3 {
            fields.extend_from_slice(field.raw);
            continue;
        }
        // [3] EXPLICIT Extensions: drop the SCT list, keep the rest in order.
        let list = der_scan::read_tlv(field.value, 0).ok()?;
        let mut kept = Vec::new();
        for extension in der_scan::children(list.value) {
            let extension = extension.ok()?;
            let oid = der_scan::children(extension.value).next()?.ok()?;
            if oid.raw != EMBEDDED_OID_DER {
                kept.extend_from_slice(extension.raw);
            }
        }
        if kept.is_empty() {
            continue;
        }
        let sequence = wrap(0x30, &kept);
        fields.extend_from_slice(&wrap(0xA3, &sequence));
    }
    Some(wrap(0x30, &fields))
}

/// The DER of [`EMBEDDED_OID`].
const EMBEDDED_OID_DER: &[u8] = &[
    0x06, 0x0A, 0x2B, 0x06, 0x01, 0x04, 0x01, 0xD6, 0x79, 0x02, 0x04, 0x02,
];

/// A DER element with `tag` around `body`.
fn wrap(tag: u8, body: &[u8]) -> Vec<u8> {
    let n = body.len();
    let mut out = Vec::with_capacity(n + 6);
    out.push(tag);
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let first = bytes
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(bytes.len() - 1);
        out.push(0x80 | (bytes.len() - first) as u8);
        out.extend_from_slice(&bytes[first..]);
    }
    out.extend_from_slice(body);
    out
}

/// The SCT list in a `SERVERINFO FOR EXTENSION 18` PEM body (OpenSSL's `-serverinfo` file, also
/// what `openssl s_client -serverinfo 18` prints): extension type, length, then the list. The
/// V2 form starts with a 4-byte context. `None` when the body holds no extension 18.
pub fn from_serverinfo(body: &[u8], v2: bool) -> Option<&[u8]> {
    let mut r = Reader { data: body };
    while !r.data.is_empty() {
        if v2 {
            r.take(4).ok()?;
        }
        let kind = r.u16().ok()?;
        let data = r.vec16().ok()?;
        if kind == usize::from(TLS_EXTENSION) {
            return Some(data);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(log: u8, timestamp: u64) -> Vec<u8> {
        let mut s = vec![0];
        s.extend_from_slice(&[log; 32]);
        s.extend_from_slice(&timestamp.to_be_bytes());
        s.extend_from_slice(&[0, 0, 4, 3, 0, 2, 0xAB, 0xCD]);
        s
    }

    fn list(items: &[Vec<u8>]) -> Vec<u8> {
        let mut body = Vec::new();
        for item in items {
            body.extend_from_slice(&(item.len() as u16).to_be_bytes());
            body.extend_from_slice(item);
        }
        let mut out = (body.len() as u16).to_be_bytes().to_vec();
        out.extend_from_slice(&body);
        out
    }

    #[test]
    fn reads_a_list_and_skips_unknown_versions() {
        let mut v2 = one(9, 1);
        v2[0] = 1;
        let scts = parse_list(&list(&[one(1, 1_700_000_000_123), v2, one(2, 5)])).unwrap();
        assert_eq!(scts.len(), 2);
        assert_eq!(scts[0].log_id, [1; 32]);
        assert_eq!(scts[0].timestamp_ms, 1_700_000_000_123);
        assert_eq!(scts[0].timestamp_seconds(), 1_700_000_000);
        assert_eq!(scts[0].signature, vec![0xAB, 0xCD]);
        assert_eq!(scts[0].algorithm_name(), "ECDSA with SHA-256");
        assert_eq!(scts[0].x509_algorithm(), Some("1.2.840.10045.4.3.2"));
    }

    #[test]
    fn malformed_lists_are_errors_not_panics() {
        let good = list(&[one(1, 1)]);
        for cut in 0..good.len() {
            assert!(parse_list(&good[..cut]).is_err(), "cut at {cut}");
        }
        assert_eq!(parse_list(&[0, 0]), Err(SctError::Empty));
        let mut long = good.clone();
        long.push(0);
        assert!(matches!(
            parse_list(&long),
            Err(SctError::LengthMismatch { .. })
        ));
        let many: Vec<Vec<u8>> = (0..65).map(|i| one(i, 1)).collect();
        assert_eq!(parse_list(&list(&many)), Err(SctError::TooMany));
    }

    #[test]
    fn signed_data_has_the_rfc_6962_layout() {
        let sct = parse_list(&list(&[one(1, 0x0102)])).unwrap().remove(0);
        let data = sct.signed_data(Entry::Certificate(&[0x30, 0x00]));
        assert_eq!(
            data,
            vec![
                0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x30, 0x00, 0, 0
            ]
        );
        let pre = sct.signed_data(Entry::Precertificate {
            issuer_key_hash: [7; 32],
            tbs: &[0x30, 0x00],
        });
        assert_eq!(&pre[10..12], &[0, 1]);
        assert_eq!(&pre[12..44], &[7; 32]);
    }

    #[test]
    fn an_encoded_list_reads_back() {
        let scts = parse_list(&list(&[one(1, 7), one(2, 9)])).unwrap();
        assert_eq!(parse_list(&encode_list(&scts)).unwrap(), scts);
    }

    #[test]
    fn serverinfo_blocks() {
        let sct_list = list(&[one(1, 1)]);
        let mut body = vec![0, 18];
        body.extend_from_slice(&(sct_list.len() as u16).to_be_bytes());
        body.extend_from_slice(&sct_list);
        assert_eq!(from_serverinfo(&body, false), Some(&sct_list[..]));
        let mut v2 = vec![0, 0, 0x01, 0xD0];
        v2.extend_from_slice(&body);
        assert_eq!(from_serverinfo(&v2, true), Some(&sct_list[..]));
        assert_eq!(from_serverinfo(&[0, 5, 0, 0], false), None);
    }

    #[test]
    fn der_wrapping() {
        assert_eq!(wrap(0x04, &[1, 2]), vec![4, 2, 1, 2]);
        assert_eq!(wrap(0x30, &[0; 200])[..3], [0x30, 0x81, 200]);
        assert_eq!(wrap(0x30, &[0; 300])[..4], [0x30, 0x82, 1, 44]);
    }
}
