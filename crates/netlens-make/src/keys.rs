//! Key types, and private keys as bytes: read from what users paste (PKCS#8, SEC1 and PKCS#1
//! PEM or DER), held as PKCS#8 DER, written as PKCS#8 PEM.
//!
//! netlens never does arithmetic on a private key here: the shells generate and sign (WebCrypto
//! in the page, RustCrypto in the CLI, see [`crate::rustcrypto`]). This module only reads the
//! structure to learn the algorithm, so that a key can be imported and its signatures labelled,
//! and wraps SEC1 and PKCS#1 keys into PKCS#8, which both WebCrypto and RustCrypto import.
//! Private key bytes live in [`Zeroizing`] buffers and are wiped when dropped.

use const_oid::ObjectIdentifier;
use netlens_x509::der_scan::{TAG_SEQUENCE, Tlv, children, read_tlv};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::der_write;
use crate::error::KeyError;
use crate::pem;

/// The OIDs of the key algorithms netlens issues with.
pub(crate) mod oid {
    use const_oid::ObjectIdentifier;
    /// rsaEncryption.
    pub const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
    /// id-ecPublicKey.
    pub const EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
    /// secp256r1.
    pub const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
    /// secp384r1.
    pub const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
    /// id-Ed25519.
    pub const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
}

/// A key algorithm and size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum KeyType {
    /// ECDSA on P-256 (the default: what Apple's own examples and most servers use).
    P256,
    /// ECDSA on P-384.
    P384,
    /// RSA of this many bits.
    Rsa(u32),
    /// Ed25519 (Apple TLS clients have not offered it: `ats.ed25519-key`).
    Ed25519,
}

impl KeyType {
    /// The key types netlens generates, in menu order.
    pub const GENERATED: [KeyType; 6] = [
        KeyType::P256,
        KeyType::P384,
        KeyType::Rsa(2048),
        KeyType::Rsa(3072),
        KeyType::Rsa(4096),
        KeyType::Ed25519,
    ];

    /// The id used in JSON, the CLI and the page: `p256`, `p384`, `rsa2048`, `ed25519`.
    pub fn id(self) -> String {
        match self {
            KeyType::P256 => "p256".into(),
            KeyType::P384 => "p384".into(),
            KeyType::Rsa(bits) => format!("rsa{bits}"),
            KeyType::Ed25519 => "ed25519".into(),
        }
    }

    /// Reads an id (`p256`, `P-256`, `rsa2048`, `RSA-2048`, `ed25519`), case-insensitively.
    pub fn from_id(id: &str) -> Option<KeyType> {
        let id = id.trim().to_ascii_lowercase().replace(['-', '_'], "");
        match id.as_str() {
            "p256" | "ec" | "ecdsa" => Some(KeyType::P256),
            "p384" => Some(KeyType::P384),
            "ed25519" => Some(KeyType::Ed25519),
            _ => id
                .strip_prefix("rsa")
                .and_then(|bits| bits.parse::<u32>().ok())
                .filter(|bits| KeyType::GENERATED.contains(&KeyType::Rsa(*bits)))
                .map(KeyType::Rsa),
        }
    }

    /// The name people read: `P-256`, `RSA-2048`, `Ed25519`.
    pub fn label(self) -> String {
        match self {
            KeyType::P256 => "ECDSA P-256".into(),
            KeyType::P384 => "ECDSA P-384".into(),
            KeyType::Rsa(bits) => format!("RSA-{bits}"),
            KeyType::Ed25519 => "Ed25519".into(),
        }
    }

    /// Whether this is an RSA key (which also allows static-RSA key exchange).
    pub fn is_rsa(self) -> bool {
        matches!(self, KeyType::Rsa(_))
    }

    /// The key type of a SubjectPublicKeyInfo (DER), when netlens issues with it.
    pub fn of_spki(spki: &[u8]) -> Option<KeyType> {
        use der::Decode as _;
        use netlens_x509::keys::{KeyKind, PublicKeyInfo};
        let spki = spki::SubjectPublicKeyInfoOwned::from_der(spki).ok()?;
        let info = PublicKeyInfo::new(&spki);
        match (info.kind, info.curve_oid.as_deref()) {
            (KeyKind::Ec, Some(c)) if c == oid::P256.to_string() => Some(KeyType::P256),
            (KeyKind::Ec, Some(c)) if c == oid::P384.to_string() => Some(KeyType::P384),
            (KeyKind::Ed25519, _) => Some(KeyType::Ed25519),
            (KeyKind::Rsa, _) => info.bits.map(KeyType::Rsa),
            _ => None,
        }
    }
}

impl std::fmt::Display for KeyType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

impl TryFrom<String> for KeyType {
    type Error = String;
    fn try_from(id: String) -> Result<Self, Self::Error> {
        KeyType::from_id(&id).ok_or_else(|| {
            format!(
                "{id:?} is not a key type netlens makes (p256, p384, rsa2048, rsa3072, rsa4096, \
                 ed25519)"
            )
        })
    }
}

impl From<KeyType> for String {
    fn from(k: KeyType) -> String {
        k.id()
    }
}

/// Bits of an unsigned INTEGER's magnitude.
fn integer_bits(value: &[u8]) -> u32 {
    let skip = value.iter().take_while(|b| **b == 0).count();
    match value.get(skip) {
        Some(first) => (value.len() - skip) as u32 * 8 - first.leading_zeros(),
        None => 0,
    }
}

/// The OID and parameters of an AlgorithmIdentifier element.
fn algorithm_parts<'a>(algorithm: &Tlv<'a>) -> Option<(ObjectIdentifier, Option<Tlv<'a>>)> {
    if algorithm.tag != TAG_SEQUENCE {
        return None;
    }
    let mut parts = children(algorithm.value);
    let id = parts.next()?.ok()?;
    let params = parts.next().and_then(Result::ok);
    Some((ObjectIdentifier::from_bytes(id.value).ok()?, params))
}

fn curve_key_type(params: Tlv<'_>) -> Option<KeyType> {
    match ObjectIdentifier::from_bytes(params.value).ok()? {
        c if c == oid::P256 => Some(KeyType::P256),
        c if c == oid::P384 => Some(KeyType::P384),
        _ => None,
    }
}

/// Largest key file netlens reads (a PEM RSA-8192 key is under 7 KB; a file with a chain and a
/// key rarely passes 20 KB).
pub const MAX_KEY_INPUT: usize = 256 * 1024;

/// A private key, as PKCS#8 DER, with its type. Never serialised, never shown: written only
/// into the files the user asked for.
#[derive(Clone, PartialEq, Eq)]
pub struct PrivateKey {
    key_type: KeyType,
    pkcs8: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey({}, not shown)", self.key_type)
    }
}

impl PrivateKey {
    /// A key from its PKCS#8 DER (what WebCrypto's `exportKey("pkcs8")` and RustCrypto write).
    pub fn from_pkcs8(der: &[u8]) -> Result<PrivateKey, KeyError> {
        let malformed = KeyError::Malformed {
            what: "PKCS#8 structure",
        };
        let outer = read_tlv(der, 0)
            .ok()
            .filter(|t| t.tag == TAG_SEQUENCE && t.raw.len() == der.len())
            .ok_or(malformed.clone())?;
        let mut parts = children(outer.value);
        let _version = parts.next().and_then(Result::ok).ok_or(malformed.clone())?;
        let algorithm = parts.next().and_then(Result::ok).ok_or(malformed.clone())?;
        let key = parts
            .next()
            .and_then(Result::ok)
            .filter(|t| t.tag == der_write::tag::OCTET_STRING)
            .ok_or(malformed.clone())?;
        let (alg, params) = algorithm_parts(&algorithm).ok_or(malformed.clone())?;
        let key_type =
            match alg {
                a if a == oid::EC => {
                    let params = params.ok_or(KeyError::Malformed {
                        what: "EC key's curve",
                    })?;
                    curve_key_type(params).ok_or_else(|| KeyError::Unsupported {
                        algorithm: format!(
                            "an EC key on curve {}",
                            ObjectIdentifier::from_bytes(params.value)
                                .map(|c| curve_name(&c))
                                .unwrap_or_else(|_| "(unreadable)".into())
                        ),
                    })?
                }
                a if a == oid::ED25519 => KeyType::Ed25519,
                a if a == oid::RSA => {
                    let seq = read_tlv(key.value, 0).map_err(|_| KeyError::Malformed {
                        what: "RSA private key",
                    })?;
                    let modulus = children(seq.value).nth(1).and_then(Result::ok).ok_or(
                        KeyError::Malformed {
                            what: "RSA private key",
                        },
                    )?;
                    let bits = integer_bits(modulus.value);
                    if bits < 2048 {
                        return Err(KeyError::RsaTooSmall { bits });
                    }
                    KeyType::Rsa(bits)
                }
                other => {
                    return Err(KeyError::Unsupported {
                        algorithm: algorithm_name(&other),
                    });
                }
            };
        Ok(PrivateKey {
            key_type,
            pkcs8: Zeroizing::new(der.to_vec()),
        })
    }

    /// Reads a private key from what a user pastes or drops: PEM (`PRIVATE KEY`, `EC PRIVATE
    /// KEY`, `RSA PRIVATE KEY`, among other blocks such as certificates) or DER (PKCS#8,
    /// SEC1, PKCS#1). The first private key found is taken.
    pub fn parse(input: &[u8]) -> Result<PrivateKey, KeyError> {
        if input.len() > MAX_KEY_INPUT {
            return Err(KeyError::TooLarge {
                size: input.len(),
                limit: MAX_KEY_INPUT,
            });
        }
        let blocks = pem::blocks(input);
        if blocks.is_empty() {
            return Self::from_der_any(input);
        }
        let mut found = None;
        for block in &blocks {
            match block.label.as_str() {
                "PRIVATE KEY" if block.encrypted => return Err(KeyError::Encrypted),
                "PRIVATE KEY" => return Self::from_pkcs8(&block.der),
                "EC PRIVATE KEY" if block.encrypted => return Err(KeyError::Encrypted),
                "EC PRIVATE KEY" => return Self::from_sec1(&block.der),
                "RSA PRIVATE KEY" if block.encrypted => return Err(KeyError::Encrypted),
                "RSA PRIVATE KEY" => return Self::from_pkcs1(&block.der),
                "ENCRYPTED PRIVATE KEY" => return Err(KeyError::Encrypted),
                "OPENSSH PRIVATE KEY" => return Err(KeyError::OpenSsh),
                "CERTIFICATE" | "TRUSTED CERTIFICATE" => found = found.or(Some("a certificate")),
                "PUBLIC KEY" | "RSA PUBLIC KEY" => found = found.or(Some("a public key")),
                "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
                    found = found.or(Some("a certificate request"))
                }
                "EC PARAMETERS" => {}
                _ => {}
            }
        }
        Err(KeyError::NotFound { found })
    }

    fn from_der_any(der: &[u8]) -> Result<PrivateKey, KeyError> {
        let pkcs8 = Self::from_pkcs8(der);
        if !matches!(pkcs8, Err(KeyError::Malformed { .. })) {
            return pkcs8;
        }
        // SEC1 starts with version 1, PKCS#1 with version 0 and then the modulus.
        let first = read_tlv(der, 0)
            .ok()
            .filter(|t| t.tag == TAG_SEQUENCE)
            .and_then(|seq| children(seq.value).next().and_then(Result::ok));
        match first.map(|v| v.value) {
            Some([1]) => Self::from_sec1(der),
            Some([0]) => Self::from_pkcs1(der),
            _ => Err(KeyError::NotFound { found: None }),
        }
    }

    /// A SEC1 `ECPrivateKey` (OpenSSL's `EC PRIVATE KEY`), wrapped into PKCS#8 with its curve.
    fn from_sec1(der: &[u8]) -> Result<PrivateKey, KeyError> {
        let malformed = KeyError::Malformed {
            what: "EC private key",
        };
        let seq = read_tlv(der, 0)
            .ok()
            .filter(|t| t.tag == TAG_SEQUENCE)
            .ok_or(malformed.clone())?;
        let curve = children(seq.value)
            .filter_map(Result::ok)
            .find(|t| t.tag == 0xa0)
            .and_then(|params| read_tlv(params.value, 0).ok())
            .ok_or(KeyError::Malformed {
                what: "EC key's curve (its parameters are missing)",
            })?;
        let curve_oid = ObjectIdentifier::from_bytes(curve.value).map_err(|_| malformed.clone())?;
        let algorithm = der_write::algorithm(&oid::EC, Some(&der_write::oid(&curve_oid)));
        Self::from_pkcs8(&wrap_pkcs8(&algorithm, der))
    }

    /// A PKCS#1 `RSAPrivateKey` (OpenSSL's `RSA PRIVATE KEY`), wrapped into PKCS#8.
    fn from_pkcs1(der: &[u8]) -> Result<PrivateKey, KeyError> {
        let algorithm = der_write::algorithm(&oid::RSA, Some(&der_write::null()));
        Self::from_pkcs8(&wrap_pkcs8(&algorithm, der))
    }

    /// The key's type.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The PKCS#8 DER, for importing into a signer (WebCrypto `importKey("pkcs8")`, RustCrypto).
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    /// The key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), as servers read it.
    pub fn pkcs8_pem(&self) -> Zeroizing<String> {
        Zeroizing::new(pem::encode("PRIVATE KEY", &self.pkcs8))
    }
}

/// A SubjectPublicKeyInfo (DER) from the public members of a JWK (RFC 7518 §6: `x` and `y` for
/// EC keys, `n` and `e` for RSA, `x` for Ed25519 (RFC 8037), base64url): what WebCrypto tells
/// of a private key the user gave, so that its certificate can be built.
pub fn spki_from_jwk(
    key_type: KeyType,
    x: Option<&str>,
    y: Option<&str>,
    n: Option<&str>,
    e: Option<&str>,
) -> Result<Vec<u8>, KeyError> {
    use base64::Engine as _;
    let malformed = KeyError::Malformed {
        what: "public key (as WebCrypto exported it)",
    };
    let decode = |v: Option<&str>| -> Result<Vec<u8>, KeyError> {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(v.ok_or(malformed.clone())?.trim_end_matches('='))
            .map_err(|_| malformed.clone())
    };
    let spki = |algorithm: Vec<u8>, key: Vec<u8>| {
        der_write::sequence(&[&algorithm, &der_write::bit_string(&key)])
    };
    Ok(match key_type {
        KeyType::P256 | KeyType::P384 => {
            let width = if key_type == KeyType::P256 { 32 } else { 48 };
            let (x, y) = (decode(x)?, decode(y)?);
            if x.len() != width || y.len() != width {
                return Err(malformed);
            }
            let curve = if key_type == KeyType::P256 {
                oid::P256
            } else {
                oid::P384
            };
            let point = [&[4u8][..], &x, &y].concat();
            spki(
                der_write::algorithm(&oid::EC, Some(&der_write::oid(&curve))),
                point,
            )
        }
        KeyType::Rsa(_) => {
            let key = der_write::sequence(&[
                &der_write::unsigned_integer(&decode(n)?),
                &der_write::unsigned_integer(&decode(e)?),
            ]);
            spki(
                der_write::algorithm(&oid::RSA, Some(&der_write::null())),
                key,
            )
        }
        KeyType::Ed25519 => {
            let x = decode(x)?;
            if x.len() != 32 {
                return Err(malformed);
            }
            spki(der_write::algorithm(&oid::ED25519, None), x)
        }
    })
}

fn wrap_pkcs8(algorithm: &[u8], key: &[u8]) -> Vec<u8> {
    let key = Zeroizing::new(der_write::octet_string(key));
    der_write::sequence(&[&der_write::small_integer(0), algorithm, &key])
}

fn curve_name(oid: &ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.3.132.0.35" => "P-521".into(),
        "1.3.132.0.10" => "secp256k1".into(),
        other => other.into(),
    }
}

fn algorithm_name(oid: &ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.3.101.113" => "Ed448".into(),
        "1.2.840.10040.4.1" => "DSA".into(),
        "1.2.840.113549.1.1.10" => "RSA-PSS (restricted to PSS)".into(),
        "1.3.101.110" | "1.3.101.111" => "an X25519/X448 key-agreement key".into(),
        other => format!("an algorithm with OID {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for k in KeyType::GENERATED {
            assert_eq!(KeyType::from_id(&k.id()), Some(k));
        }
        assert_eq!(KeyType::from_id("RSA-2048"), Some(KeyType::Rsa(2048)));
        assert_eq!(KeyType::from_id("P-384"), Some(KeyType::P384));
        assert_eq!(KeyType::from_id("rsa1024"), None);
        assert_eq!(KeyType::from_id("p521"), None);
    }

    #[test]
    fn integer_bits_counts_the_magnitude() {
        assert_eq!(integer_bits(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(integer_bits(&[0x01]), 1);
        assert_eq!(integer_bits(&[0x00]), 0);
    }

    #[test]
    fn garbage_is_not_a_key() {
        assert_eq!(
            PrivateKey::parse(b"hello"),
            Err(KeyError::NotFound { found: None })
        );
        assert_eq!(
            PrivateKey::parse(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"),
            Err(KeyError::Encrypted)
        );
    }
}
