//! Keys and signatures in pure Rust (RustCrypto), for the CLI; the page uses WebCrypto.
//!
//! Randomness comes from the caller (`rng`): the CLI passes the operating system's generator,
//! tests a seeded one. ECDSA signatures are RFC 6979-deterministic, so the same key signs the
//! same certificate into the same bytes.

use p256::elliptic_curve::Generate;
use rand_core::CryptoRng;
use signature::Signer as _;
use signature::hazmat::PrehashSigner as _;
use zeroize::Zeroizing;

use crate::error::MakeError;
use crate::keys::{KeyType, PrivateKey};
use crate::scheme::SignatureScheme;

fn failed(what: &'static str) -> impl Fn(String) -> MakeError {
    move |why| MakeError::KeyType {
        why: format!("netlens could not {what}: {why}."),
    }
}

/// A new key of `key_type`.
pub fn generate<R: CryptoRng + ?Sized>(
    key_type: KeyType,
    rng: &mut R,
) -> Result<PrivateKey, MakeError> {
    use p256::pkcs8::EncodePrivateKey as _;
    let fail = failed("generate the key");
    let der: Zeroizing<Vec<u8>> = match key_type {
        KeyType::P256 => Zeroizing::new(
            <p256::ecdsa::SigningKey as Generate>::generate_from_rng(rng)
                .to_pkcs8_der()
                .map_err(|e| fail(e.to_string()))?
                .as_bytes()
                .to_vec(),
        ),
        KeyType::P384 => Zeroizing::new(
            <p384::ecdsa::SigningKey as Generate>::generate_from_rng(rng)
                .to_pkcs8_der()
                .map_err(|e| fail(e.to_string()))?
                .as_bytes()
                .to_vec(),
        ),
        KeyType::Ed25519 => Zeroizing::new(
            ed25519_dalek::SigningKey::generate(rng)
                .to_pkcs8_der()
                .map_err(|e| fail(e.to_string()))?
                .as_bytes()
                .to_vec(),
        ),
        KeyType::Rsa(bits) => {
            let key = rsa::PrivateKey::new(rng, bits as usize).map_err(|e| fail(e.to_string()))?;
            Zeroizing::new(
                key.to_pkcs8_der()
                    .map_err(|e| fail(e.to_string()))?
                    .as_bytes()
                    .to_vec(),
            )
        }
    };
    PrivateKey::from_pkcs8(&der).map_err(MakeError::Key)
}

/// The SubjectPublicKeyInfo (DER) of `key`.
pub fn public_key(key: &PrivateKey) -> Result<Vec<u8>, MakeError> {
    use p256::pkcs8::{DecodePrivateKey as _, EncodePublicKey as _};
    let fail = failed("read the key");
    let der = key.pkcs8_der();
    let doc = match key.key_type() {
        KeyType::P256 => p256::ecdsa::SigningKey::from_pkcs8_der(der)
            .map_err(|e| fail(e.to_string()))?
            .verifying_key()
            .to_public_key_der(),
        KeyType::P384 => p384::ecdsa::SigningKey::from_pkcs8_der(der)
            .map_err(|e| fail(e.to_string()))?
            .verifying_key()
            .to_public_key_der(),
        KeyType::Ed25519 => ed25519_dalek::SigningKey::from_pkcs8_der(der)
            .map_err(|e| fail(e.to_string()))?
            .verifying_key()
            .to_public_key_der(),
        KeyType::Rsa(_) => rsa::PrivateKey::from_pkcs8_der(der)
            .map_err(|e| fail(e.to_string()))?
            .to_public_key()
            .to_public_key_der(),
    };
    Ok(doc.map_err(|e| fail(e.to_string()))?.as_bytes().to_vec())
}

/// The prehash ECDSA signs for `scheme`, left-padded with zeros to at least `width` bytes: a
/// SHA-1 digest is shorter than P-384's field, and ECDSA reads a short hash as the same
/// integer with leading zeros (FIPS 186-5 §6.4.1), which the signer wants spelled out.
fn prehash(scheme: SignatureScheme, message: &[u8], width: usize) -> Vec<u8> {
    use sha2::Digest as _;
    let digest = match scheme {
        SignatureScheme::EcdsaSha1 => sha1::Sha1::digest(message).to_vec(),
        SignatureScheme::EcdsaSha384 => sha2::Sha384::digest(message).to_vec(),
        _ => sha2::Sha256::digest(message).to_vec(),
    };
    let mut out = vec![0u8; width.saturating_sub(digest.len())];
    out.extend_from_slice(&digest);
    out
}

/// Signs `message` with `key` by `scheme`; ECDSA signatures come out DER-encoded, as a
/// certificate carries them.
pub fn sign(
    key: &PrivateKey,
    scheme: SignatureScheme,
    message: &[u8],
) -> Result<Vec<u8>, MakeError> {
    use p256::pkcs8::DecodePrivateKey as _;
    let fail = failed("sign");
    let der = key.pkcs8_der();
    match (key.key_type(), scheme) {
        (KeyType::P256, SignatureScheme::EcdsaSha256 | SignatureScheme::EcdsaSha1) => {
            let k =
                p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|e| fail(e.to_string()))?;
            let sig: p256::ecdsa::Signature = k
                .sign_prehash(&prehash(scheme, message, 32))
                .map_err(|e| fail(e.to_string()))?;
            Ok(sig.to_der().as_bytes().to_vec())
        }
        (KeyType::P384, SignatureScheme::EcdsaSha384 | SignatureScheme::EcdsaSha1) => {
            let k =
                p384::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|e| fail(e.to_string()))?;
            let sig: p384::ecdsa::Signature = k
                .sign_prehash(&prehash(scheme, message, 48))
                .map_err(|e| fail(e.to_string()))?;
            Ok(sig.to_der().as_bytes().to_vec())
        }
        (KeyType::Ed25519, SignatureScheme::Ed25519) => {
            let k =
                ed25519_dalek::SigningKey::from_pkcs8_der(der).map_err(|e| fail(e.to_string()))?;
            Ok(k.sign(message).to_bytes().to_vec())
        }
        (KeyType::Rsa(_), SignatureScheme::RsaSha256) => {
            use sha2::Digest as _;
            let k = rsa::PrivateKey::from_pkcs8_der(der).map_err(|e| fail(e.to_string()))?;
            k.sign(
                rsa::pkcs1v15::Pkcs1v15Sign::new::<sha2::Sha256>(),
                &sha2::Sha256::digest(message),
            )
            .map_err(|e| fail(e.to_string()))
        }
        (KeyType::Rsa(_), SignatureScheme::RsaSha1) => {
            use sha2::Digest as _;
            let k = rsa::PrivateKey::from_pkcs8_der(der).map_err(|e| fail(e.to_string()))?;
            k.sign(
                rsa::pkcs1v15::Pkcs1v15Sign::new::<sha1::Sha1>(),
                &sha1::Sha1::digest(message),
            )
            .map_err(|e| fail(e.to_string()))
        }
        (key_type, scheme) => Err(fail(format!("a {key_type} key does not sign {scheme}"))),
    }
}

pub use crate::maker::Made;

/// A CA the user has: its certificate input (with the chain above it, if any) and its key.
pub struct GivenCa<'a> {
    /// The CA certificate input, as read from a file.
    pub certificates: &'a [u8],
    /// The CA's private key.
    pub key: PrivateKey,
}

/// Finds which pasted certificate `key` belongs to, by signing and verifying
/// ([`crate::existing::KEY_PROOF_MESSAGE`]).
pub fn prove_ca(given: &GivenCa<'_>, at: i64) -> Result<crate::existing::ExistingCa, MakeError> {
    let input = crate::existing::CaInput::read(given.certificates, given.key.key_type(), at)?;
    let scheme = SignatureScheme::for_key(given.key.key_type(), false)?;
    let signature = sign(&given.key, scheme, crate::existing::KEY_PROOF_MESSAGE)?;
    for n in 0..input.candidates() {
        if let Some(request) = input.proof_request(n, scheme, &signature)
            && request.verify().is_valid()
        {
            return input.select(n);
        }
    }
    Err(input.mismatch())
}

/// Makes everything `request` asks for at `at`, natively: keys from `keys` where given (by
/// role) and generated otherwise, a new CA or `ca`, signatures and analyses with RustCrypto,
/// the files. `password` protects the PKCS#12 files; without one, one is made up.
pub fn make<R: CryptoRng + ?Sized>(
    request: crate::request::Request,
    at: i64,
    ca: Option<GivenCa<'_>>,
    keys: std::collections::BTreeMap<crate::request::Role, PrivateKey>,
    password: Option<&str>,
    rng: &mut R,
) -> Result<Made, MakeError> {
    let existing = match ca {
        Some(given) => Some((prove_ca(&given, at)?, given.key)),
        None => None,
    };
    let mut given = std::collections::BTreeMap::new();
    for (role, key) in keys {
        let spki = public_key(&key)?;
        given.insert(role, (key, spki));
    }
    let mut maker = crate::maker::Maker::new(request, at, existing, given)?;
    for (role, key_type) in maker.keys_needed() {
        let key = generate(key_type, rng)?;
        let spki = public_key(&key)?;
        maker.add_key(role, key, spki);
    }
    let mut signatures = Vec::new();
    for item in maker.to_sign()?.to_vec() {
        signatures.push(sign(maker.signer_key(&item)?, item.scheme, &item.tbs)?);
    }
    let signed = maker.assemble(&signatures)?;
    let outcomes = signed
        .checks()
        .iter()
        .map(|check| check.judge(&check.analyzer().analyze()))
        .collect();
    signed.finish(outcomes, password, &mut |out: &mut [u8]| {
        rng.fill_bytes(out)
    })
}
