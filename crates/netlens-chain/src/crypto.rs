//! Signature verification, pure Rust (RustCrypto), for every link of a chain.
//!
//! Supported: RSA PKCS#1 v1.5 with SHA-1/224/256/384/512, RSASSA-PSS (SHA-256/384/512 with MGF1
//! of the same hash), ECDSA on P-256 / P-384 / P-521 with any SHA-1/SHA-2 digest, Ed25519.
//! Anything else (MD5, DSA, Ed448, ML-DSA, explicit EC parameters, mixed PSS hashes) is reported
//! as [`Verification::Unsupported`] with the reason: an algorithm netlens cannot check is a
//! finding, never a silent pass.
//!
//! Weak but verifiable signatures (SHA-1, RSA-1024) *are* verified, so a report can say "the
//! signature is valid, but Apple rejects SHA-1", which strict libraries cannot.

use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use netlens_x509::der_scan::{self, TAG_INTEGER, TAG_OID, TAG_SEQUENCE};
use sha2::Digest;
use signature::hazmat::PrehashVerifier;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoRef};

/// Result of checking one signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verification {
    /// The signature is valid for the message and key.
    Valid,
    /// The signature does not verify (wrong key, corrupted, or mismatched algorithm and key).
    Invalid(String),
    /// netlens cannot check this signature (algorithm or key type not supported).
    Unsupported(String),
}

impl Verification {
    /// True for [`Verification::Valid`].
    pub fn is_valid(&self) -> bool {
        matches!(self, Verification::Valid)
    }
}

/// Digest algorithms used in certificate signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashAlg {
    /// SHA-1 (broken for collision resistance; rejected by Apple since iOS 13).
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlg {
    fn digest(self, message: &[u8]) -> Vec<u8> {
        match self {
            HashAlg::Sha1 => sha1::Sha1::digest(message).to_vec(),
            HashAlg::Sha224 => sha2::Sha224::digest(message).to_vec(),
            HashAlg::Sha256 => sha2::Sha256::digest(message).to_vec(),
            HashAlg::Sha384 => sha2::Sha384::digest(message).to_vec(),
            HashAlg::Sha512 => sha2::Sha512::digest(message).to_vec(),
        }
    }

    fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        Some(match oid.to_string().as_str() {
            "1.3.14.3.2.26" => HashAlg::Sha1,
            "2.16.840.1.101.3.4.2.4" => HashAlg::Sha224,
            "2.16.840.1.101.3.4.2.1" => HashAlg::Sha256,
            "2.16.840.1.101.3.4.2.2" => HashAlg::Sha384,
            "2.16.840.1.101.3.4.2.3" => HashAlg::Sha512,
            _ => return None,
        })
    }

    /// Name as people write it.
    pub fn name(self) -> &'static str {
        match self {
            HashAlg::Sha1 => "SHA-1",
            HashAlg::Sha224 => "SHA-224",
            HashAlg::Sha256 => "SHA-256",
            HashAlg::Sha384 => "SHA-384",
            HashAlg::Sha512 => "SHA-512",
        }
    }
}

/// A signature algorithm netlens can verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureScheme {
    /// RSA PKCS#1 v1.5.
    RsaPkcs1(HashAlg),
    /// RSASSA-PSS with MGF1 over the same hash.
    RsaPss {
        /// Message and MGF1 digest.
        hash: HashAlg,
        /// Salt length in bytes.
        salt_len: usize,
    },
    /// ECDSA.
    Ecdsa(HashAlg),
    /// Ed25519 (pure, no prehash).
    Ed25519,
}

impl SignatureScheme {
    /// The digest the scheme signs with (Ed25519: SHA-512 internally).
    pub fn hash(self) -> HashAlg {
        match self {
            SignatureScheme::RsaPkcs1(h)
            | SignatureScheme::RsaPss { hash: h, .. }
            | SignatureScheme::Ecdsa(h) => h,
            SignatureScheme::Ed25519 => HashAlg::Sha512,
        }
    }
}

/// Classifies a signature AlgorithmIdentifier. `Err` explains why it is not supported.
pub fn scheme(alg: &AlgorithmIdentifierOwned) -> Result<SignatureScheme, String> {
    let name = netlens_x509::oids::long_name(&alg.oid);
    Ok(match alg.oid.to_string().as_str() {
        "1.2.840.113549.1.1.5" => SignatureScheme::RsaPkcs1(HashAlg::Sha1),
        "1.2.840.113549.1.1.14" => SignatureScheme::RsaPkcs1(HashAlg::Sha224),
        "1.2.840.113549.1.1.11" => SignatureScheme::RsaPkcs1(HashAlg::Sha256),
        "1.2.840.113549.1.1.12" => SignatureScheme::RsaPkcs1(HashAlg::Sha384),
        "1.2.840.113549.1.1.13" => SignatureScheme::RsaPkcs1(HashAlg::Sha512),
        "1.2.840.10045.4.1" => SignatureScheme::Ecdsa(HashAlg::Sha1),
        "1.2.840.10045.4.3.1" => SignatureScheme::Ecdsa(HashAlg::Sha224),
        "1.2.840.10045.4.3.2" => SignatureScheme::Ecdsa(HashAlg::Sha256),
        "1.2.840.10045.4.3.3" => SignatureScheme::Ecdsa(HashAlg::Sha384),
        "1.2.840.10045.4.3.4" => SignatureScheme::Ecdsa(HashAlg::Sha512),
        "1.3.101.112" => SignatureScheme::Ed25519,
        "1.2.840.113549.1.1.10" => pss_scheme(alg)?,
        "1.2.840.113549.1.1.4" | "1.2.840.113549.1.1.2" => {
            return Err(format!(
                "{name} signatures are broken and no TLS client accepts them"
            ));
        }
        _ => return Err(format!("{name} ({}) signatures are not supported", alg.oid)),
    })
}

/// RSASSA-PSS parameters (RFC 4055 §3.1); netlens verifies PSS when MGF1 uses the message hash.
fn pss_scheme(alg: &AlgorithmIdentifierOwned) -> Result<SignatureScheme, String> {
    let params = alg
        .parameters
        .as_ref()
        .and_then(|p| p.to_der().ok())
        .ok_or("RSASSA-PSS without parameters")?;
    let seq = der_scan::read_tlv(&params, 0).map_err(|e| e.to_string())?;
    if seq.tag != TAG_SEQUENCE {
        return Err("malformed RSASSA-PSS parameters".into());
    }
    let (mut hash, mut mgf_hash, mut salt) = (HashAlg::Sha1, HashAlg::Sha1, 20usize);
    let first_oid = |bytes: &[u8]| -> Option<ObjectIdentifier> {
        let seq = der_scan::read_tlv(bytes, 0).ok()?;
        let oid = der_scan::children(seq.value).next()?.ok()?;
        (oid.tag == TAG_OID).then(|| ObjectIdentifier::from_bytes(oid.value).ok())?
    };
    for field in der_scan::children(seq.value) {
        let field = field.map_err(|e| e.to_string())?;
        match field.tag {
            0xA0 => {
                hash = first_oid(field.value)
                    .and_then(|o| HashAlg::from_oid(&o))
                    .ok_or("unsupported RSASSA-PSS hash")?;
            }
            0xA1 => {
                let mgf = der_scan::read_tlv(field.value, 0).map_err(|e| e.to_string())?;
                let mut parts = der_scan::children(mgf.value);
                let mgf_oid = parts.next().and_then(Result::ok).ok_or("malformed MGF")?;
                if mgf_oid.value != [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x08] {
                    return Err("RSASSA-PSS with a mask generation function other than MGF1".into());
                }
                let hash_alg = parts.next().and_then(Result::ok).ok_or("malformed MGF1")?;
                mgf_hash = first_oid(hash_alg.raw)
                    .and_then(|o| HashAlg::from_oid(&o))
                    .ok_or("unsupported MGF1 hash")?;
            }
            0xA2 => {
                let int = der_scan::read_tlv(field.value, 0).map_err(|e| e.to_string())?;
                if int.tag != TAG_INTEGER || int.value.len() > 2 {
                    return Err("implausible RSASSA-PSS salt length".into());
                }
                salt = int
                    .value
                    .iter()
                    .fold(0usize, |a, &b| a << 8 | usize::from(b));
            }
            _ => {}
        }
    }
    if hash != mgf_hash {
        return Err(format!(
            "RSASSA-PSS with {} and MGF1-{} (different hashes) is not supported",
            hash.name(),
            mgf_hash.name()
        ));
    }
    Ok(SignatureScheme::RsaPss {
        hash,
        salt_len: salt,
    })
}

/// A public key netlens can verify with.
enum VerifyingKey {
    Rsa(rsa::PublicKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

/// RSA moduli accepted for *verification*. Weak sizes are verified and reported as findings.
const RSA_VERIFY_BITS: core::ops::RangeInclusive<usize> = 512..=16384;

fn verifying_key(spki_der: &[u8]) -> Result<VerifyingKey, Verification> {
    let unsupported = |why: String| Verification::Unsupported(why);
    let spki = SubjectPublicKeyInfoRef::from_der(spki_der)
        .map_err(|e| Verification::Invalid(format!("the issuer's public key is malformed: {e}")))?;
    let key = spki.subject_public_key.raw_bytes();
    let alg = spki.algorithm.oid.to_string();
    match alg.as_str() {
        "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => {
            let malformed = || Verification::Invalid("the issuer's RSA key is malformed".into());
            let seq = der_scan::read_tlv(key, 0).map_err(|_| malformed())?;
            let mut ints = der_scan::children(seq.value);
            let n = ints.next().and_then(Result::ok).ok_or_else(malformed)?;
            let e = ints.next().and_then(Result::ok).ok_or_else(malformed)?;
            let n = crypto_bigint::BoxedUint::from_be_slice_vartime(n.value);
            let e = crypto_bigint::BoxedUint::from_be_slice_vartime(e.value);
            rsa::PublicKey::new_with_size_limits(n, e, RSA_VERIFY_BITS)
                .map(VerifyingKey::Rsa)
                .map_err(|e| unsupported(format!("the issuer's RSA key cannot be used: {e}")))
        }
        "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                .ok_or_else(|| {
                    unsupported(
                        "the issuer's EC key uses explicit curve parameters, which TLS clients reject"
                            .into(),
                    )
                })?;
            let bad =
                |_| Verification::Invalid("the issuer's EC public key is not a valid point".into());
            match curve.to_string().as_str() {
                "1.2.840.10045.3.1.7" => p256::ecdsa::VerifyingKey::from_sec1_bytes(key)
                    .map(VerifyingKey::P256)
                    .map_err(bad),
                "1.3.132.0.34" => p384::ecdsa::VerifyingKey::from_sec1_bytes(key)
                    .map(VerifyingKey::P384)
                    .map_err(bad),
                "1.3.132.0.35" => p521::ecdsa::VerifyingKey::from_sec1_bytes(key)
                    .map(VerifyingKey::P521)
                    .map_err(bad),
                _ => Err(unsupported(format!(
                    "EC keys on curve {} are not supported (TLS uses P-256, P-384, P-521)",
                    netlens_x509::oids::long_name(&curve)
                ))),
            }
        }
        "1.3.101.112" => {
            let bytes: [u8; 32] = key.try_into().map_err(|_| {
                Verification::Invalid("the issuer's Ed25519 key is not 32 bytes".into())
            })?;
            ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .map(VerifyingKey::Ed25519)
                .map_err(|_| Verification::Invalid("the issuer's Ed25519 key is invalid".into()))
        }
        _ => Err(unsupported(format!(
            "{} keys are not supported for verification",
            netlens_x509::oids::long_name(&spki.algorithm.oid)
        ))),
    }
}

fn key_name(key: &VerifyingKey) -> &'static str {
    match key {
        VerifyingKey::Rsa(_) => "RSA",
        VerifyingKey::P256(_) | VerifyingKey::P384(_) | VerifyingKey::P521(_) => "EC",
        VerifyingKey::Ed25519(_) => "Ed25519",
    }
}

/// Verifies `signature` over `message` with the key in `issuer_spki_der` (a DER
/// SubjectPublicKeyInfo), using the algorithm `alg`.
pub fn verify(
    message: &[u8],
    alg: &AlgorithmIdentifierOwned,
    signature: &[u8],
    issuer_spki_der: &[u8],
) -> Verification {
    let scheme = match scheme(alg) {
        Ok(s) => s,
        Err(why) => return Verification::Unsupported(why),
    };
    let key = match verifying_key(issuer_spki_der) {
        Ok(k) => k,
        Err(outcome) => return outcome,
    };
    let invalid = || Verification::Invalid("the signature does not match the issuer's key".into());
    let mismatch = |key: &VerifyingKey| {
        Verification::Invalid(format!(
            "the signature algorithm does not fit the issuer's {} key",
            key_name(key)
        ))
    };
    match (scheme, &key) {
        (SignatureScheme::RsaPkcs1(hash), VerifyingKey::Rsa(k)) => {
            let padding = match hash {
                HashAlg::Sha1 => rsa::pkcs1v15::Pkcs1v15Sign::new::<sha1::Sha1>(),
                HashAlg::Sha224 => rsa::pkcs1v15::Pkcs1v15Sign::new::<sha2::Sha224>(),
                HashAlg::Sha256 => rsa::pkcs1v15::Pkcs1v15Sign::new::<sha2::Sha256>(),
                HashAlg::Sha384 => rsa::pkcs1v15::Pkcs1v15Sign::new::<sha2::Sha384>(),
                HashAlg::Sha512 => rsa::pkcs1v15::Pkcs1v15Sign::new::<sha2::Sha512>(),
            };
            match k.verify(padding, &hash.digest(message), signature) {
                Ok(()) => Verification::Valid,
                Err(_) => invalid(),
            }
        }
        (SignatureScheme::RsaPss { hash, salt_len }, VerifyingKey::Rsa(k)) => {
            let hashed = hash.digest(message);
            let result = match hash {
                HashAlg::Sha256 => k.verify(
                    rsa::pss::Pss::<sha2::Sha256>::new_with_salt(salt_len),
                    &hashed,
                    signature,
                ),
                HashAlg::Sha384 => k.verify(
                    rsa::pss::Pss::<sha2::Sha384>::new_with_salt(salt_len),
                    &hashed,
                    signature,
                ),
                HashAlg::Sha512 => k.verify(
                    rsa::pss::Pss::<sha2::Sha512>::new_with_salt(salt_len),
                    &hashed,
                    signature,
                ),
                other => {
                    return Verification::Unsupported(format!(
                        "RSASSA-PSS with {} is not supported",
                        other.name()
                    ));
                }
            };
            match result {
                Ok(()) => Verification::Valid,
                Err(_) => invalid(),
            }
        }
        (SignatureScheme::Ecdsa(hash), ec) => {
            let digest = hash.digest(message);
            let ok = match ec {
                VerifyingKey::P256(k) => p256::ecdsa::DerSignature::try_from(signature)
                    .ok()
                    .map(|s| k.verify_prehash(&digest, &s).is_ok()),
                VerifyingKey::P384(k) => p384::ecdsa::DerSignature::try_from(signature)
                    .ok()
                    .map(|s| k.verify_prehash(&digest, &s).is_ok()),
                VerifyingKey::P521(k) => p521::ecdsa::DerSignature::try_from(signature)
                    .ok()
                    .map(|s| k.verify_prehash(&digest, &s).is_ok()),
                other => return mismatch(other),
            };
            match ok {
                Some(true) => Verification::Valid,
                Some(false) => invalid(),
                None => Verification::Invalid("the ECDSA signature is not valid DER".into()),
            }
        }
        (SignatureScheme::Ed25519, VerifyingKey::Ed25519(k)) => {
            let Ok(sig) = ed25519_dalek::Signature::from_slice(signature) else {
                return Verification::Invalid("the Ed25519 signature is not 64 bytes".into());
            };
            match k.verify_strict(message, &sig) {
                Ok(()) => Verification::Valid,
                Err(_) => invalid(),
            }
        }
        (_, key) => mismatch(key),
    }
}

/// Verifies signatures. The analysis calls this for every link and CRL it checks.
///
/// Native builds use [`RustCrypto`]. The browser shell verifies the analysis' plan with
/// WebCrypto first (much faster in wasm) and hands the results over as [`Precomputed`], which
/// falls back to RustCrypto for anything WebCrypto did not confirm, so every answer (and every
/// reason given for a failure) is the same either way.
pub trait Verifier {
    /// Verifies `signature` over `message` with the key in `spki_der` under `alg`.
    fn verify(
        &self,
        message: &[u8],
        alg: &AlgorithmIdentifierOwned,
        signature: &[u8],
        spki_der: &[u8],
    ) -> Verification;
}

/// Pure-Rust verification (RustCrypto).
#[derive(Clone, Copy, Debug, Default)]
pub struct RustCrypto;

impl Verifier for RustCrypto {
    fn verify(
        &self,
        message: &[u8],
        alg: &AlgorithmIdentifierOwned,
        signature: &[u8],
        spki_der: &[u8],
    ) -> Verification {
        verify(message, alg, signature, spki_der)
    }
}

/// One signature check an analysis will need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyRequest {
    /// The signed bytes.
    pub message: Vec<u8>,
    /// The signature algorithm.
    pub algorithm: AlgorithmIdentifierOwned,
    /// The signature bytes (as in the certificate: DER for ECDSA).
    pub signature: Vec<u8>,
    /// The signer's SubjectPublicKeyInfo (DER).
    pub spki: Vec<u8>,
}

impl VerifyRequest {
    /// Whether this request is exactly the check of `signature` over `message` by `spki_der`
    /// under `alg`. Signatures differ first, so a mismatch is found after a few bytes.
    pub fn is_for(
        &self,
        message: &[u8],
        alg: &AlgorithmIdentifierOwned,
        signature: &[u8],
        spki_der: &[u8],
    ) -> bool {
        self.signature == signature
            && self.message == message
            && self.spki == spki_der
            && &self.algorithm == alg
    }
}

/// Results computed elsewhere (WebCrypto in the browser), with RustCrypto for the rest.
#[derive(Clone, Debug, Default)]
pub struct Precomputed {
    // A handful of requests per analysis (bounded by the path search): a list compared byte
    // for byte is faster than hashing every signed message.
    valid: Vec<VerifyRequest>,
}

impl Precomputed {
    /// Results for `requests`: `confirmed[i]` is true when request `i` verified as valid.
    pub fn new(requests: &[VerifyRequest], confirmed: &[bool]) -> Self {
        Precomputed {
            valid: requests
                .iter()
                .zip(confirmed)
                .filter(|(_, ok)| **ok)
                .map(|(r, _)| r.clone())
                .collect(),
        }
    }
}

impl Verifier for Precomputed {
    fn verify(
        &self,
        message: &[u8],
        alg: &AlgorithmIdentifierOwned,
        signature: &[u8],
        spki_der: &[u8],
    ) -> Verification {
        if self
            .valid
            .iter()
            .any(|r| r.is_for(message, alg, signature, spki_der))
        {
            Verification::Valid
        } else {
            // Not confirmed elsewhere: RustCrypto decides, and says why when it fails.
            verify(message, alg, signature, spki_der)
        }
    }
}

/// How to run one [`VerifyRequest`] with WebCrypto (`SubtleCrypto.importKey("spki", …)` then
/// `SubtleCrypto.verify(…)`). Values are the WebCrypto dictionary members.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct WebCryptoCall {
    /// Algorithm name: `RSASSA-PKCS1-v1_5`, `RSA-PSS`, `ECDSA` or `Ed25519`.
    pub name: &'static str,
    /// Digest name (`SHA-256`…) for RSA and ECDSA.
    pub hash: Option<&'static str>,
    /// Named curve for ECDSA keys (`P-256`…).
    pub named_curve: Option<&'static str>,
    /// Salt length in bytes for RSA-PSS.
    pub salt_length: Option<usize>,
    /// The signature in WebCrypto's encoding (raw r‖s for ECDSA).
    pub signature: Vec<u8>,
}

fn webcrypto_hash(h: HashAlg) -> Option<&'static str> {
    match h {
        HashAlg::Sha1 => Some("SHA-1"),
        HashAlg::Sha256 => Some("SHA-256"),
        HashAlg::Sha384 => Some("SHA-384"),
        HashAlg::Sha512 => Some("SHA-512"),
        HashAlg::Sha224 => None, // not in WebCrypto
    }
}

/// DER `SEQUENCE { INTEGER r, INTEGER s }` to fixed-width `r‖s`.
fn ecdsa_raw(der: &[u8], width: usize) -> Option<Vec<u8>> {
    let seq = der_scan::read_tlv(der, 0).ok()?;
    if seq.tag != TAG_SEQUENCE || seq.raw.len() != der.len() {
        return None;
    }
    let mut out = Vec::with_capacity(2 * width);
    let mut ints = der_scan::children(seq.value);
    for _ in 0..2 {
        let int = ints.next()?.ok()?;
        if int.tag != TAG_INTEGER {
            return None;
        }
        let value = match int.value {
            [0, rest @ ..] => rest,
            v => v,
        };
        if value.len() > width {
            return None;
        }
        out.extend(std::iter::repeat_n(0u8, width - value.len()));
        out.extend_from_slice(value);
    }
    ints.next().is_none().then_some(out)
}

/// The WebCrypto call for `request`, or `None` when WebCrypto cannot do it (then RustCrypto
/// will). Never wrong in the other direction: a `Valid` from WebCrypto is one RustCrypto would
/// also give.
pub fn webcrypto_call(request: &VerifyRequest) -> Option<WebCryptoCall> {
    let scheme = scheme(&request.algorithm).ok()?;
    let spki = SubjectPublicKeyInfoRef::from_der(&request.spki).ok()?;
    let key_alg = spki.algorithm.oid.to_string();
    match scheme {
        SignatureScheme::RsaPkcs1(h) if key_alg == "1.2.840.113549.1.1.1" => Some(WebCryptoCall {
            name: "RSASSA-PKCS1-v1_5",
            hash: Some(webcrypto_hash(h)?),
            named_curve: None,
            salt_length: None,
            signature: request.signature.clone(),
        }),
        SignatureScheme::RsaPss { hash, salt_len } if key_alg == "1.2.840.113549.1.1.1" => {
            Some(WebCryptoCall {
                name: "RSA-PSS",
                hash: Some(webcrypto_hash(hash)?),
                named_curve: None,
                salt_length: Some(salt_len),
                signature: request.signature.clone(),
            })
        }
        SignatureScheme::Ecdsa(h) if key_alg == "1.2.840.10045.2.1" => {
            let curve = spki
                .algorithm
                .parameters?
                .decode_as::<ObjectIdentifier>()
                .ok()?;
            let (named_curve, width) = match curve.to_string().as_str() {
                "1.2.840.10045.3.1.7" => ("P-256", 32),
                "1.3.132.0.34" => ("P-384", 48),
                "1.3.132.0.35" => ("P-521", 66),
                _ => return None,
            };
            Some(WebCryptoCall {
                name: "ECDSA",
                hash: Some(webcrypto_hash(h)?),
                named_curve: Some(named_curve),
                salt_length: None,
                signature: ecdsa_raw(&request.signature, width)?,
            })
        }
        SignatureScheme::Ed25519 if key_alg == "1.3.101.112" => Some(WebCryptoCall {
            name: "Ed25519",
            hash: None,
            named_curve: None,
            salt_length: None,
            signature: request.signature.clone(),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdsa_der_to_raw() {
        // r = 0x80 (needs a leading zero in DER), s = 0x01.
        let der = [0x30, 0x07, 0x02, 0x02, 0x00, 0x80, 0x02, 0x01, 0x01];
        let raw = ecdsa_raw(&der, 4).unwrap();
        assert_eq!(raw, [0, 0, 0, 0x80, 0, 0, 0, 1]);
        assert!(ecdsa_raw(&der, 0).is_none());
        assert!(ecdsa_raw(&der[..5], 4).is_none());
    }
}
