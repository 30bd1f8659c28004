//! OCSP responses (RFC 6960 §4.2), as servers staple them (TLS `status_request`) and as
//! `openssl ocsp -respout` writes them.
//!
//! The reader keeps what a client judges: the response status, the responder, when it was
//! produced, each certificate's status with thisUpdate / nextUpdate, the signature and the exact
//! bytes it covers, the certificates the responder sent, and the SCTs a response may carry for
//! Certificate Transparency. Judging it against a chain (is it for this certificate, signed by
//! its issuer or a delegated responder, current) is `netlens-chain`'s business.

use der::Decode as _;
use spki::AlgorithmIdentifierOwned;

use crate::der_scan::{self, Tlv};

/// Largest OCSP response read (real ones are 300 bytes to a few KiB).
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// Most single responses read from one response.
pub const MAX_SINGLE_RESPONSES: usize = 32;

const BASIC: &[u8] = &[
    0x06, 0x09, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01,
];
const SCT_EXTENSION: &[u8] = &[
    0x06, 0x0A, 0x2B, 0x06, 0x01, 0x04, 0x01, 0xD6, 0x79, 0x02, 0x04, 0x05,
];

/// The responder's answer to the request as a whole (RFC 6960 §4.2.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseStatus {
    /// The response holds certificate statuses.
    Successful,
    /// The request was malformed.
    MalformedRequest,
    /// The responder failed.
    InternalError,
    /// Try again later.
    TryLater,
    /// The request must be signed.
    SigRequired,
    /// The responder will not answer for this certificate.
    Unauthorized,
}

impl ResponseStatus {
    /// The status's name in RFC 6960.
    pub fn name(self) -> &'static str {
        match self {
            ResponseStatus::Successful => "successful",
            ResponseStatus::MalformedRequest => "malformedRequest",
            ResponseStatus::InternalError => "internalError",
            ResponseStatus::TryLater => "tryLater",
            ResponseStatus::SigRequired => "sigRequired",
            ResponseStatus::Unauthorized => "unauthorized",
        }
    }
}

/// Who signed the response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Responder {
    /// By name: the DER of the Name, and how it reads.
    ByName {
        /// The Name's DER.
        der: Vec<u8>,
        /// The name as text.
        text: String,
    },
    /// By key: SHA-1 of the responder's public key (the BIT STRING's contents).
    ByKey(Vec<u8>),
}

/// A certificate's status (RFC 6960 §4.2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertStatus {
    /// Not revoked.
    Good,
    /// Revoked at this moment (Unix seconds), for this CRLReason code when given.
    Revoked {
        /// When.
        at: i64,
        /// The CRLReason code (RFC 5280 §5.3.1).
        reason: Option<u8>,
    },
    /// The responder does not know the certificate.
    Unknown,
}

/// The status of one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SingleResponse {
    /// The CertID's hash algorithm OID (SHA-1 or SHA-256 in practice), dotted.
    pub hash_algorithm: String,
    /// Hash of the issuer's Name DER.
    pub issuer_name_hash: Vec<u8>,
    /// Hash of the issuer's public key (the BIT STRING's contents).
    pub issuer_key_hash: Vec<u8>,
    /// The certificate's serial number (the INTEGER's contents).
    pub serial: Vec<u8>,
    /// Its status.
    pub status: CertStatus,
    /// When the status was known to be correct (Unix seconds).
    pub this_update: i64,
    /// When newer information will be available (Unix seconds).
    pub next_update: Option<i64>,
    /// A TLS-encoded SCT list from the single-response extension, when present.
    pub sct_list: Option<Vec<u8>>,
}

/// A successful basic response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicResponse {
    /// The exact bytes the signature covers (tbsResponseData).
    pub tbs: Vec<u8>,
    /// Who signed it.
    pub responder: Responder,
    /// When it was produced (Unix seconds).
    pub produced_at: i64,
    /// One status per certificate asked about.
    pub responses: Vec<SingleResponse>,
    /// The signature algorithm.
    pub signature_algorithm: AlgorithmIdentifierOwned,
    /// The signature (the BIT STRING's contents).
    pub signature: Vec<u8>,
    /// Certificates the responder sent (a delegated responder's own), DER.
    pub certificates: Vec<Vec<u8>>,
}

/// An OCSP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcspResponse {
    /// The response status.
    pub status: ResponseStatus,
    /// The basic response, present exactly when the status is successful.
    pub basic: Option<BasicResponse>,
}

/// Why bytes are not a usable OCSP response. `Display` says it as a sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OcspError {
    /// Larger than [`MAX_RESPONSE_BYTES`].
    TooLarge(usize),
    /// Not DER, or not the OCSPResponse structure: where and what.
    Malformed(String),
    /// A successful response of a type other than id-pkix-ocsp-basic.
    NotBasic,
    /// More than [`MAX_SINGLE_RESPONSES`] statuses.
    TooManyResponses,
}

impl std::fmt::Display for OcspError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OcspError::TooLarge(n) => write!(
                f,
                "the OCSP response is {n} bytes, over the {MAX_RESPONSE_BYTES}-byte limit: it is not a stapled response"
            ),
            OcspError::Malformed(why) => write!(f, "the OCSP response is malformed: {why}"),
            OcspError::NotBasic => f.write_str(
                "the OCSP response is not a basic response (id-pkix-ocsp-basic), the only type TLS clients read",
            ),
            OcspError::TooManyResponses => write!(
                f,
                "the OCSP response holds more than {MAX_SINGLE_RESPONSES} certificate statuses"
            ),
        }
    }
}

impl std::error::Error for OcspError {}

fn malformed(what: &str) -> OcspError {
    OcspError::Malformed(what.to_owned())
}

/// The TLVs of a constructed value, or why not.
fn fields<'a>(value: &'a [u8], what: &str) -> Result<Vec<Tlv<'a>>, OcspError> {
    der_scan::children(value)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| OcspError::Malformed(format!("{what}: {e}")))
}

fn expect<'a>(tlv: Option<&Tlv<'a>>, tag: u8, what: &str) -> Result<Tlv<'a>, OcspError> {
    match tlv {
        Some(t) if t.tag == tag => Ok(*t),
        _ => Err(OcspError::Malformed(format!(
            "{what} is missing or has the wrong type"
        ))),
    }
}

fn generalized_time(tlv: &Tlv<'_>, what: &str) -> Result<i64, OcspError> {
    let time = der::asn1::GeneralizedTime::from_der(tlv.raw)
        .map_err(|_| OcspError::Malformed(format!("{what} is not a GeneralizedTime")))?;
    Ok(i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX))
}

/// True when `tlv` has the outer shape of an OCSPResponse: a SEQUENCE that starts with an
/// ENUMERATED (no certificate, CRL or CMS structure does).
pub fn looks_like_response(tlv: &Tlv<'_>) -> bool {
    tlv.tag == der_scan::TAG_SEQUENCE
        && der_scan::read_tlv(tlv.value, 0).is_ok_and(|first| first.tag == 0x0A)
}

/// Reads an OCSP response (DER).
pub fn parse(der: &[u8]) -> Result<OcspResponse, OcspError> {
    if der.len() > MAX_RESPONSE_BYTES {
        return Err(OcspError::TooLarge(der.len()));
    }
    let outer = der_scan::read_tlv(der, 0).map_err(|e| OcspError::Malformed(e.to_string()))?;
    if outer.tag != der_scan::TAG_SEQUENCE || outer.end() != der.len() {
        return Err(malformed("it is not one DER SEQUENCE"));
    }
    let top = fields(outer.value, "OCSPResponse")?;
    let status = expect(top.first(), 0x0A, "responseStatus")?;
    let status = match status.value {
        [0] => ResponseStatus::Successful,
        [1] => ResponseStatus::MalformedRequest,
        [2] => ResponseStatus::InternalError,
        [3] => ResponseStatus::TryLater,
        [5] => ResponseStatus::SigRequired,
        [6] => ResponseStatus::Unauthorized,
        _ => {
            return Err(malformed(
                "responseStatus has a value RFC 6960 does not define",
            ));
        }
    };
    if status != ResponseStatus::Successful {
        return Ok(OcspResponse {
            status,
            basic: None,
        });
    }
    let bytes = expect(top.get(1), 0xA0, "responseBytes")?;
    let bytes = expect(
        fields(bytes.value, "responseBytes")?.first(),
        der_scan::TAG_SEQUENCE,
        "ResponseBytes",
    )?;
    let rb = fields(bytes.value, "ResponseBytes")?;
    let kind = expect(rb.first(), der_scan::TAG_OID, "responseType")?;
    if kind.raw != BASIC {
        return Err(OcspError::NotBasic);
    }
    let response = expect(rb.get(1), 0x04, "response")?;
    Ok(OcspResponse {
        status,
        basic: Some(basic(response.value)?),
    })
}

fn basic(der: &[u8]) -> Result<BasicResponse, OcspError> {
    let outer = der_scan::read_tlv(der, 0).map_err(|e| OcspError::Malformed(e.to_string()))?;
    let parts = fields(outer.value, "BasicOCSPResponse")?;
    let tbs = expect(parts.first(), der_scan::TAG_SEQUENCE, "tbsResponseData")?;
    let algorithm = expect(parts.get(1), der_scan::TAG_SEQUENCE, "signatureAlgorithm")?;
    let signature_algorithm = AlgorithmIdentifierOwned::from_der(algorithm.raw)
        .map_err(|_| malformed("signatureAlgorithm is not an AlgorithmIdentifier"))?;
    let signature = expect(parts.get(2), 0x03, "signature")?;
    let signature = match signature.value.split_first() {
        Some((0, bits)) => bits.to_vec(),
        _ => return Err(malformed("the signature BIT STRING has unused bits")),
    };
    let mut certificates = Vec::new();
    if let Some(certs) = parts.get(3) {
        let certs = expect(Some(certs), 0xA0, "certs")?;
        let list = expect(
            fields(certs.value, "certs")?.first(),
            der_scan::TAG_SEQUENCE,
            "certs",
        )?;
        certificates = fields(list.value, "certs")?
            .iter()
            .take(8)
            .map(|c| c.raw.to_vec())
            .collect();
    }

    let data = fields(tbs.value, "ResponseData")?;
    let mut at = 0;
    if data.first().is_some_and(|t| t.tag == 0xA0) {
        at = 1; // version, v1 (the only one) when present
    }
    let responder = match data.get(at) {
        Some(t) if t.tag == 0xA1 => {
            let name = expect(
                fields(t.value, "responderID")?.first(),
                der_scan::TAG_SEQUENCE,
                "responderID byName",
            )?;
            let parsed = x509_cert::name::Name::from_der(name.raw)
                .map_err(|_| malformed("responderID byName is not a Name"))?;
            Responder::ByName {
                der: name.raw.to_vec(),
                text: crate::dn::DistinguishedName::from_name(&parsed).display_label(),
            }
        }
        Some(t) if t.tag == 0xA2 => {
            let hash = expect(
                fields(t.value, "responderID")?.first(),
                0x04,
                "responderID byKey",
            )?;
            Responder::ByKey(hash.value.to_vec())
        }
        _ => return Err(malformed("responderID is missing or has the wrong type")),
    };
    let produced_at = generalized_time(
        &expect(
            data.get(at + 1),
            der_scan::TAG_GENERALIZED_TIME,
            "producedAt",
        )?,
        "producedAt",
    )?;
    let list = expect(data.get(at + 2), der_scan::TAG_SEQUENCE, "responses")?;
    let items = fields(list.value, "responses")?;
    if items.len() > MAX_SINGLE_RESPONSES {
        return Err(OcspError::TooManyResponses);
    }
    let responses = items.iter().map(single).collect::<Result<Vec<_>, _>>()?;
    Ok(BasicResponse {
        tbs: tbs.raw.to_vec(),
        responder,
        produced_at,
        responses,
        signature_algorithm,
        signature,
        certificates,
    })
}

fn single(tlv: &Tlv<'_>) -> Result<SingleResponse, OcspError> {
    let parts = fields(tlv.value, "SingleResponse")?;
    let cert_id = expect(parts.first(), der_scan::TAG_SEQUENCE, "certID")?;
    let id = fields(cert_id.value, "certID")?;
    let hash = expect(id.first(), der_scan::TAG_SEQUENCE, "certID hashAlgorithm")?;
    let hash_algorithm = AlgorithmIdentifierOwned::from_der(hash.raw)
        .map_err(|_| malformed("certID hashAlgorithm is not an AlgorithmIdentifier"))?
        .oid
        .to_string();
    let issuer_name_hash = expect(id.get(1), 0x04, "issuerNameHash")?.value.to_vec();
    let issuer_key_hash = expect(id.get(2), 0x04, "issuerKeyHash")?.value.to_vec();
    let serial = expect(id.get(3), der_scan::TAG_INTEGER, "serialNumber")?
        .value
        .to_vec();
    let status = match parts.get(1) {
        Some(t) if t.tag == 0x80 => CertStatus::Good,
        Some(t) if t.tag == 0x82 => CertStatus::Unknown,
        Some(t) if t.tag == 0xA1 => {
            let info = fields(t.value, "revokedInfo")?;
            let at = generalized_time(
                &expect(
                    info.first(),
                    der_scan::TAG_GENERALIZED_TIME,
                    "revocationTime",
                )?,
                "revocationTime",
            )?;
            let reason = match info.get(1) {
                Some(r) if r.tag == 0xA0 => {
                    let code = expect(
                        fields(r.value, "revocationReason")?.first(),
                        0x0A,
                        "revocationReason",
                    )?;
                    code.value.last().copied()
                }
                _ => None,
            };
            CertStatus::Revoked { at, reason }
        }
        _ => return Err(malformed("certStatus is missing or has the wrong type")),
    };
    let this_update = generalized_time(
        &expect(parts.get(2), der_scan::TAG_GENERALIZED_TIME, "thisUpdate")?,
        "thisUpdate",
    )?;
    let mut next_update = None;
    let mut sct_list = None;
    for extra in parts.iter().skip(3) {
        match extra.tag {
            0xA0 => {
                let time = expect(
                    fields(extra.value, "nextUpdate")?.first(),
                    der_scan::TAG_GENERALIZED_TIME,
                    "nextUpdate",
                )?;
                next_update = Some(generalized_time(&time, "nextUpdate")?);
            }
            0xA1 => sct_list = scts_in(extra.value)?,
            _ => return Err(malformed("a SingleResponse has an unexpected field")),
        }
    }
    Ok(SingleResponse {
        hash_algorithm,
        issuer_name_hash,
        issuer_key_hash,
        serial,
        status,
        this_update,
        next_update,
        sct_list,
    })
}

/// The SCT list among singleExtensions (`[1] EXPLICIT Extensions`), when there is one.
fn scts_in(explicit: &[u8]) -> Result<Option<Vec<u8>>, OcspError> {
    let list = expect(
        fields(explicit, "singleExtensions")?.first(),
        der_scan::TAG_SEQUENCE,
        "singleExtensions",
    )?;
    for extension in fields(list.value, "singleExtensions")? {
        let parts = fields(extension.value, "an extension")?;
        if parts.first().is_some_and(|oid| oid.raw == SCT_EXTENSION) {
            // extnValue (after an optional critical BOOLEAN) holds an OCTET STRING that holds
            // the TLS-encoded list.
            let value = parts
                .iter()
                .skip(1)
                .find(|p| p.tag == 0x04)
                .ok_or_else(|| malformed("the SCT extension has no value"))?;
            let inner = der_scan::read_tlv(value.value, 0)
                .ok()
                .filter(|t| t.tag == 0x04)
                .ok_or_else(|| malformed("the SCT extension's value is not an OCTET STRING"))?;
            return Ok(Some(inner.value.to_vec()));
        }
    }
    Ok(None)
}

/// The CRLReason code's name (RFC 5280 §5.3.1).
pub fn reason_name(code: u8) -> &'static str {
    match code {
        0 => "unspecified",
        1 => "keyCompromise",
        2 => "cACompromise",
        3 => "affiliationChanged",
        4 => "superseded",
        5 => "cessationOfOperation",
        6 => "certificateHold",
        8 => "removeFromCRL",
        9 => "privilegeWithdrawn",
        10 => "aACompromise",
        _ => "an unknown reason",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsuccessful_statuses_have_no_body() {
        let r = parse(&[0x30, 0x03, 0x0A, 0x01, 0x03]).unwrap();
        assert_eq!(r.status, ResponseStatus::TryLater);
        assert!(r.basic.is_none());
        assert!(matches!(
            parse(&[0x30, 0x03, 0x0A, 0x01, 0x04]),
            Err(OcspError::Malformed(_))
        ));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [
            &[][..],
            &[0x30],
            &[0x30, 0x00],
            &[0x04, 0x00],
            &[0x30, 0x03, 0x0A, 0x01, 0x00],
        ] {
            assert!(parse(bytes).is_err(), "{bytes:?}");
        }
        assert!(matches!(
            parse(&vec![0; MAX_RESPONSE_BYTES + 1]),
            Err(OcspError::TooLarge(_))
        ));
    }

    #[test]
    fn shape() {
        let tlv = der_scan::read_tlv(&[0x30, 0x03, 0x0A, 0x01, 0x00], 0).unwrap();
        assert!(looks_like_response(&tlv));
        let tlv = der_scan::read_tlv(&[0x30, 0x03, 0x02, 0x01, 0x00], 0).unwrap();
        assert!(!looks_like_response(&tlv));
    }
}
