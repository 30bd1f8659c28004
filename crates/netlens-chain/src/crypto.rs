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

/// Why a signature algorithm cannot be verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnsupportedSignature {
    /// MD5 or MD2: broken, and no TLS client accepts them.
    Broken {
        /// The algorithm's name.
        name: String,
    },
    /// An algorithm netlens does not implement.
    Unknown {
        /// The algorithm's name (its OID when it has none).
        name: String,
        /// Its OID, dotted.
        oid: String,
    },
    /// RSASSA-PSS with parameters netlens cannot verify or read (the reason).
    Pss(String),
}

impl std::fmt::Display for UnsupportedSignature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UnsupportedSignature::Broken { name } => {
                write!(
                    f,
                    "{name} signatures are broken and no TLS client accepts them"
                )
            }
            UnsupportedSignature::Unknown { name, oid } => {
                write!(f, "{name} ({oid}) signatures are not supported")
            }
            UnsupportedSignature::Pss(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for UnsupportedSignature {}

/// Classifies a signature AlgorithmIdentifier. `Err` explains why it is not supported.
pub fn scheme(alg: &AlgorithmIdentifierOwned) -> Result<SignatureScheme, UnsupportedSignature> {
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
        "1.2.840.113549.1.1.10" => pss_scheme(alg).map_err(UnsupportedSignature::Pss)?,
        "1.2.840.113549.1.1.4" | "1.2.840.113549.1.1.2" => {
            return Err(UnsupportedSignature::Broken { name });
        }
        _ => {
            return Err(UnsupportedSignature::Unknown {
                name,
                oid: alg.oid.to_string(),
            });
        }
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
        Err(why) => return Verification::Unsupported(why.to_string()),
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
/// Native builds use [`RustCrypto`]. The browser verifies the analysis' plan ahead
/// ([`crate::Prepared::plan`]): WebCrypto confirms what it can, and the pure-Rust
/// [`verify`] decides the rest in a separate wasm module, loaded only then (it is most of the
/// chain tool's code otherwise). The results go in as [`Precomputed`], so every answer (and
/// every reason given for a failure) is the native one.
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

    /// Runs this check with [`RustCrypto`].
    pub fn verify(&self) -> Verification {
        verify(&self.message, &self.algorithm, &self.signature, &self.spki)
    }
}

/// At most this many verification rounds for one analysis in the browser: the plan, then the
/// checks a truncated path search asked for beyond it ([`Precomputed::take_missed`]). Every
/// case of the rule suite needs at most two.
pub const MAX_ROUNDS: usize = 4;

/// Results of checks run elsewhere (in the browser: WebCrypto and the verification module),
/// looked up by the analysis without running any cryptography itself.
///
/// A check that was not run is recorded ([`Precomputed::take_missed`]) and answered as
/// unsupported; the shell runs the missed checks and finishes the analysis again (at most
/// [`MAX_ROUNDS`] times), so the last report rests on real results only. Only a path search cut
/// short by its limit asks for checks beyond [`crate::Prepared::plan`].
#[derive(Debug, Default)]
pub struct Precomputed {
    // A handful of requests per analysis (bounded by the path search): a list compared byte
    // for byte is faster than hashing every signed message.
    known: Vec<(VerifyRequest, Verification)>,
    missed: std::cell::RefCell<Vec<VerifyRequest>>,
}

impl Precomputed {
    /// No results yet.
    pub fn new() -> Self {
        Precomputed::default()
    }

    /// Records the outcome of `request`.
    pub fn insert(&mut self, request: VerifyRequest, outcome: Verification) {
        self.known.push((request, outcome));
    }

    /// The checks the analysis asked for since the last call that nobody had run, each once.
    pub fn take_missed(&self) -> Vec<VerifyRequest> {
        let mut missed = self.missed.take();
        let mut unique: Vec<VerifyRequest> = Vec::with_capacity(missed.len());
        for request in missed.drain(..) {
            if !unique.contains(&request) {
                unique.push(request);
            }
        }
        unique
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
        if let Some((_, outcome)) = self
            .known
            .iter()
            .find(|(r, _)| r.is_for(message, alg, signature, spki_der))
        {
            return outcome.clone();
        }
        self.missed.borrow_mut().push(VerifyRequest {
            message: message.to_vec(),
            algorithm: alg.clone(),
            signature: signature.to_vec(),
            spki: spki_der.to_vec(),
        });
        Verification::Unsupported(
            "netlens did not check this signature: the analysis needed more checks than it \
             could run"
                .into(),
        )
    }
}

/// Why a [`transport`] message could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportError {
    /// The bytes end inside a field.
    Truncated,
    /// A signature algorithm is not a DER AlgorithmIdentifier.
    Algorithm,
    /// An outcome has an unknown kind or a reason that is not UTF-8.
    Outcome,
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TransportError::Truncated => "the message ends inside a field",
            TransportError::Algorithm => "a signature algorithm is not valid DER",
            TransportError::Outcome => "an outcome is not one netlens writes",
        })
    }
}

impl std::error::Error for TransportError {}

/// Signature checks and their outcomes as bytes, between the chain module and the verification
/// module in the browser (one `Uint8Array` each way, nothing for serde to derive).
///
/// Every field is a little-endian `u32` length and its bytes. A request is its message,
/// algorithm (DER), signature and key (DER); an outcome is a kind (`valid`, `invalid`,
/// `unsupported`) and its reason.
pub mod transport {
    use super::{TransportError, Verification, VerifyRequest};
    use der::{Decode, Encode};
    use spki::AlgorithmIdentifierOwned;

    fn put(out: &mut Vec<u8>, field: &[u8]) {
        // Fields are certificates' parts, far below 4 GiB.
        out.extend_from_slice(&(field.len() as u32).to_le_bytes());
        out.extend_from_slice(field);
    }

    struct Reader<'a>(&'a [u8]);

    impl<'a> Reader<'a> {
        fn field(&mut self) -> Result<&'a [u8], TransportError> {
            let (len, rest) = self
                .0
                .split_first_chunk::<4>()
                .ok_or(TransportError::Truncated)?;
            let len = u32::from_le_bytes(*len) as usize;
            if rest.len() < len {
                return Err(TransportError::Truncated);
            }
            let (field, rest) = rest.split_at(len);
            self.0 = rest;
            Ok(field)
        }
    }

    /// Encodes `requests`.
    pub fn encode_requests<'r>(requests: impl IntoIterator<Item = &'r VerifyRequest>) -> Vec<u8> {
        let mut out = Vec::new();
        for r in requests {
            put(&mut out, &r.message);
            put(&mut out, &r.algorithm.to_der().unwrap_or_default());
            put(&mut out, &r.signature);
            put(&mut out, &r.spki);
        }
        out
    }

    /// Decodes what [`encode_requests`] wrote.
    pub fn decode_requests(bytes: &[u8]) -> Result<Vec<VerifyRequest>, TransportError> {
        let mut reader = Reader(bytes);
        let mut requests = Vec::new();
        while !reader.0.is_empty() {
            let message = reader.field()?.to_vec();
            let algorithm = AlgorithmIdentifierOwned::from_der(reader.field()?)
                .map_err(|_| TransportError::Algorithm)?;
            let signature = reader.field()?.to_vec();
            let spki = reader.field()?.to_vec();
            requests.push(VerifyRequest {
                message,
                algorithm,
                signature,
                spki,
            });
        }
        Ok(requests)
    }

    /// Encodes `outcomes`.
    pub fn encode_outcomes<'v>(outcomes: impl IntoIterator<Item = &'v Verification>) -> Vec<u8> {
        let mut out = Vec::new();
        for v in outcomes {
            let (kind, reason): (&[u8], &str) = match v {
                Verification::Valid => (b"valid", ""),
                Verification::Invalid(why) => (b"invalid", why),
                Verification::Unsupported(why) => (b"unsupported", why),
            };
            put(&mut out, kind);
            put(&mut out, reason.as_bytes());
        }
        out
    }

    /// Decodes what [`encode_outcomes`] wrote.
    pub fn decode_outcomes(bytes: &[u8]) -> Result<Vec<Verification>, TransportError> {
        let mut reader = Reader(bytes);
        let mut outcomes = Vec::new();
        while !reader.0.is_empty() {
            let kind = reader.field()?;
            let reason = std::str::from_utf8(reader.field()?)
                .map_err(|_| TransportError::Outcome)?
                .to_owned();
            outcomes.push(match kind {
                b"valid" if reason.is_empty() => Verification::Valid,
                b"invalid" => Verification::Invalid(reason),
                b"unsupported" => Verification::Unsupported(reason),
                _ => return Err(TransportError::Outcome),
            });
        }
        Ok(outcomes)
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

    fn request(seed: u8) -> VerifyRequest {
        VerifyRequest {
            message: vec![seed; 3],
            algorithm: AlgorithmIdentifierOwned {
                oid: ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2"),
                parameters: None,
            },
            signature: vec![seed, 0, 0xff],
            spki: Vec::new(),
        }
    }

    #[test]
    fn transport_round_trips_requests_and_outcomes() {
        let requests = [request(1), request(2)];
        let bytes = transport::encode_requests(&requests);
        assert_eq!(transport::decode_requests(&bytes).unwrap(), requests);
        let outcomes = [
            Verification::Valid,
            Verification::Invalid("the signature does not match the issuer's key".into()),
            Verification::Unsupported("MD5 ✗".into()),
        ];
        let bytes = transport::encode_outcomes(&outcomes);
        assert_eq!(transport::decode_outcomes(&bytes).unwrap(), outcomes);
        assert_eq!(transport::decode_requests(&[]).unwrap(), []);
    }

    #[test]
    fn transport_rejects_damaged_messages_without_panicking() {
        let bytes = transport::encode_requests(&[request(7)]);
        for end in 0..bytes.len() {
            // Every prefix is either a shorter valid message or an error, never a panic.
            let _ = transport::decode_requests(&bytes[..end]);
        }
        assert_eq!(
            transport::decode_requests(&bytes[..bytes.len() - 1]),
            Err(TransportError::Truncated)
        );
        let mut bad_alg = Vec::new();
        for field in [&b"m"[..], b"\x30\x01", b"s", b"k"] {
            bad_alg.extend_from_slice(&(field.len() as u32).to_le_bytes());
            bad_alg.extend_from_slice(field);
        }
        assert_eq!(
            transport::decode_requests(&bad_alg),
            Err(TransportError::Algorithm)
        );
        let outcome = transport::encode_outcomes(&[Verification::Invalid("x".into())]);
        let mut unknown = outcome.clone();
        unknown[4] = b'X';
        assert_eq!(
            transport::decode_outcomes(&unknown),
            Err(TransportError::Outcome)
        );
        assert_eq!(
            transport::decode_outcomes(&[0xff, 0xff, 0xff, 0xff]),
            Err(TransportError::Truncated)
        );
    }

    #[test]
    fn precomputed_answers_known_checks_and_records_the_others_once() {
        let mut known = Precomputed::new();
        let (a, b) = (request(1), request(2));
        known.insert(a.clone(), Verification::Valid);
        let check =
            |r: &VerifyRequest| known.verify(&r.message, &r.algorithm, &r.signature, &r.spki);
        assert_eq!(check(&a), Verification::Valid);
        assert!(matches!(check(&b), Verification::Unsupported(_)));
        assert!(matches!(check(&b), Verification::Unsupported(_)));
        assert_eq!(known.take_missed(), [b]);
        assert_eq!(known.take_missed(), []);
    }
}
