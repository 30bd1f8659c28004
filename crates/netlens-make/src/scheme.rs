//! How each certificate is signed: the algorithm identifier written into it, and what a signer
//! is asked to do (the WebCrypto parameters the page uses, the RustCrypto call the CLI makes).
//!
//! A key signs with the hash its size calls for (P-256 with SHA-256, P-384 with SHA-384, RSA
//! with SHA-256, Ed25519 with itself). SHA-1 is used only for the `sha1-signed` fixture, made on
//! request to test an app's error path.

use const_oid::ObjectIdentifier;
use serde::Serialize;

use crate::der_write;
use crate::error::MakeError;
use crate::keys::KeyType;

/// A signature algorithm netlens signs certificates with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureScheme {
    /// ecdsa-with-SHA256.
    EcdsaSha256,
    /// ecdsa-with-SHA384.
    EcdsaSha384,
    /// ecdsa-with-SHA1 (the SHA-1 fixture).
    EcdsaSha1,
    /// sha256WithRSAEncryption (PKCS#1 v1.5).
    RsaSha256,
    /// sha1WithRSAEncryption (the SHA-1 fixture).
    RsaSha1,
    /// Ed25519.
    Ed25519,
}

/// What WebCrypto needs to sign with a PKCS#8 key: the `importKey` algorithm and the `sign`
/// algorithm, as strings the page turns into objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct WebCryptoSigning {
    /// `name` of both algorithms: `ECDSA`, `RSASSA-PKCS1-v1_5`, `Ed25519`.
    pub name: &'static str,
    /// `namedCurve` for ECDSA keys.
    pub named_curve: Option<&'static str>,
    /// `hash` of the import (RSA) or of the signature (ECDSA).
    pub hash: Option<&'static str>,
    /// The signature comes back as `r ‖ s` and must be DER-encoded (ECDSA).
    pub raw_ecdsa: bool,
}

impl SignatureScheme {
    /// The scheme a key of `key_type` signs with; `sha1` for the SHA-1 fixture.
    pub fn for_key(key_type: KeyType, sha1: bool) -> Result<SignatureScheme, MakeError> {
        Ok(match (key_type, sha1) {
            (KeyType::P256, false) => SignatureScheme::EcdsaSha256,
            (KeyType::P384, false) => SignatureScheme::EcdsaSha384,
            (KeyType::P256 | KeyType::P384, true) => SignatureScheme::EcdsaSha1,
            (KeyType::Rsa(_), false) => SignatureScheme::RsaSha256,
            (KeyType::Rsa(_), true) => SignatureScheme::RsaSha1,
            (KeyType::Ed25519, false) => SignatureScheme::Ed25519,
            (KeyType::Ed25519, true) => {
                return Err(MakeError::Fixture {
                    why: "An Ed25519 CA cannot make the sha1-signed fixture: Ed25519 signs with \
                          no separate hash. Use an ECDSA or RSA CA for it."
                        .into(),
                });
            }
        })
    }

    /// The signature algorithm's OID.
    pub fn oid(self) -> ObjectIdentifier {
        let id = match self {
            SignatureScheme::EcdsaSha256 => "1.2.840.10045.4.3.2",
            SignatureScheme::EcdsaSha384 => "1.2.840.10045.4.3.3",
            SignatureScheme::EcdsaSha1 => "1.2.840.10045.4.1",
            SignatureScheme::RsaSha256 => "1.2.840.113549.1.1.11",
            SignatureScheme::RsaSha1 => "1.2.840.113549.1.1.5",
            SignatureScheme::Ed25519 => "1.3.101.112",
        };
        ObjectIdentifier::new_unwrap(id)
    }

    /// The AlgorithmIdentifier as DER: RSA's carries NULL parameters (RFC 4055 §5), ECDSA's
    /// and Ed25519's none (RFC 5758 §3.2, RFC 8410 §3).
    pub fn algorithm_identifier_der(self) -> Vec<u8> {
        match self {
            SignatureScheme::RsaSha256 | SignatureScheme::RsaSha1 => {
                der_write::algorithm(&self.oid(), Some(&der_write::null()))
            }
            _ => der_write::algorithm(&self.oid(), None),
        }
    }

    /// The AlgorithmIdentifier as x509-cert's type.
    pub fn algorithm_identifier(self) -> spki::AlgorithmIdentifierOwned {
        let parameters = match self {
            SignatureScheme::RsaSha256 | SignatureScheme::RsaSha1 => Some(der::asn1::Any::null()),
            _ => None,
        };
        spki::AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters,
        }
    }

    /// The WebCrypto parameters that sign with this scheme, for a key of `key_type`.
    pub fn webcrypto(self, key_type: KeyType) -> WebCryptoSigning {
        let curve = match key_type {
            KeyType::P384 => Some("P-384"),
            KeyType::P256 => Some("P-256"),
            _ => None,
        };
        match self {
            SignatureScheme::EcdsaSha256
            | SignatureScheme::EcdsaSha384
            | SignatureScheme::EcdsaSha1 => WebCryptoSigning {
                name: "ECDSA",
                named_curve: curve,
                hash: Some(self.hash_name()),
                raw_ecdsa: true,
            },
            SignatureScheme::RsaSha256 | SignatureScheme::RsaSha1 => WebCryptoSigning {
                name: "RSASSA-PKCS1-v1_5",
                named_curve: None,
                hash: Some(self.hash_name()),
                raw_ecdsa: false,
            },
            SignatureScheme::Ed25519 => WebCryptoSigning {
                name: "Ed25519",
                named_curve: None,
                hash: None,
                raw_ecdsa: false,
            },
        }
    }

    /// The hash's WebCrypto name (`SHA-256`); Ed25519's is its own.
    pub fn hash_name(self) -> &'static str {
        match self {
            SignatureScheme::EcdsaSha256 | SignatureScheme::RsaSha256 => "SHA-256",
            SignatureScheme::EcdsaSha384 => "SHA-384",
            SignatureScheme::EcdsaSha1 | SignatureScheme::RsaSha1 => "SHA-1",
            SignatureScheme::Ed25519 => "Ed25519",
        }
    }

    /// The signature as a certificate carries it, from what WebCrypto's `sign` returned
    /// (ECDSA's `r ‖ s` becomes DER), checked for the length the key gives.
    pub fn from_webcrypto(self, key_type: KeyType, raw: &[u8]) -> Result<Vec<u8>, BadSignature> {
        match self {
            SignatureScheme::EcdsaSha256
            | SignatureScheme::EcdsaSha384
            | SignatureScheme::EcdsaSha1 => {
                let width = match key_type {
                    KeyType::P384 => 48,
                    _ => 32,
                };
                if raw.len() != 2 * width {
                    return Err(BadSignature {
                        got: raw.len(),
                        expected: Some(2 * width),
                    });
                }
                der_write::ecdsa_signature_der(raw).ok_or(BadSignature {
                    got: 0,
                    expected: None,
                })
            }
            _ => self.check_length(key_type, raw).map(|()| raw.to_vec()),
        }
    }

    /// Checks that a finished signature (DER for ECDSA) has a plausible length.
    pub fn check_length(self, key_type: KeyType, signature: &[u8]) -> Result<(), BadSignature> {
        let expected = match (self, key_type) {
            (SignatureScheme::Ed25519, _) => Some(64),
            (_, KeyType::Rsa(bits)) => Some(bits.div_ceil(8) as usize),
            _ => None,
        };
        match expected {
            Some(n) if signature.len() != n => Err(BadSignature {
                got: signature.len(),
                expected: Some(n),
            }),
            _ if signature.is_empty() => Err(BadSignature { got: 0, expected }),
            _ => Ok(()),
        }
    }
}

/// A signer returned something that cannot be the signature asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadSignature {
    /// Its length.
    pub got: usize,
    /// The length the key and scheme give, when fixed.
    pub expected: Option<usize>,
}

impl std::fmt::Display for BadSignature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.got, self.expected) {
            (0, _) => f.write_str("an empty signature"),
            (got, Some(n)) => write!(f, "a signature of {got} bytes where {n} were expected"),
            (got, None) => write!(f, "an unusable signature of {got} bytes"),
        }
    }
}

impl std::error::Error for BadSignature {}

impl std::fmt::Display for SignatureScheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignatureScheme::EcdsaSha256 => "ECDSA with SHA-256",
            SignatureScheme::EcdsaSha384 => "ECDSA with SHA-384",
            SignatureScheme::EcdsaSha1 => "ECDSA with SHA-1",
            SignatureScheme::RsaSha256 => "RSA PKCS#1 v1.5 with SHA-256",
            SignatureScheme::RsaSha1 => "RSA PKCS#1 v1.5 with SHA-1",
            SignatureScheme::Ed25519 => "Ed25519",
        })
    }
}
