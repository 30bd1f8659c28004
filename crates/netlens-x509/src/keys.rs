//! Public keys and signature algorithms, described the way TLS rules talk about them: "RSA 2048
//! bits", "EC P-256", "ECDSA with SHA-256", "RSASSA-PSS with SHA-384".

use const_oid::ObjectIdentifier;
use der::Tagged;
use serde::Serialize;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::der_scan::{self, TAG_INTEGER, TAG_OID, TAG_SEQUENCE};
use crate::oids;

const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");
const X25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");
const X448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.111");
const DSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10040.4.1");

/// The kind of a public key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// RSA (rsaEncryption).
    Rsa,
    /// RSA restricted to RSASSA-PSS (id-RSASSA-PSS as the key algorithm).
    RsaPss,
    /// Elliptic curve (id-ecPublicKey).
    Ec,
    /// Ed25519.
    Ed25519,
    /// Ed448.
    Ed448,
    /// X25519 (key agreement only).
    X25519,
    /// X448 (key agreement only).
    X448,
    /// DSA.
    Dsa,
    /// Anything else.
    Other,
}

/// A subject public key, described.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublicKeyInfo {
    /// The kind of key.
    pub kind: KeyKind,
    /// Readable algorithm name ("RSA", "EC", "Ed25519"…).
    pub algorithm: String,
    /// Dotted OID of the key algorithm.
    pub algorithm_oid: String,
    /// Key size in bits (RSA modulus, curve size, DSA prime), when known.
    pub bits: Option<u32>,
    /// Named curve for EC keys ("P-256"…), or "explicit parameters".
    pub curve: Option<String>,
    /// Dotted OID of the named curve.
    pub curve_oid: Option<String>,
    /// RSA public exponent (decimal).
    pub rsa_exponent: Option<String>,
    /// One line: "RSA 2048 bits", "EC P-256", "Ed25519".
    pub summary: String,
}

/// Bits of the named curves we know.
fn curve_bits(name: &str) -> Option<u32> {
    Some(match name {
        "P-192" => 192,
        "P-224" => 224,
        "P-256" | "secp256k1" | "brainpoolP256r1" | "SM2 P-256" => 256,
        "P-384" | "brainpoolP384r1" => 384,
        "P-521" => 521,
        "brainpoolP512r1" => 512,
        _ => return None,
    })
}

/// Bit length of a big-endian unsigned integer (DER INTEGER contents).
fn bit_length(bytes: &[u8]) -> u32 {
    let trimmed: &[u8] = match bytes.iter().position(|&b| b != 0) {
        Some(i) => &bytes[i..],
        None => return 0,
    };
    let leading = trimmed[0].leading_zeros();
    u32::try_from(trimmed.len() * 8).unwrap_or(u32::MAX) - leading
}

/// Reads `SEQUENCE { INTEGER, INTEGER, … }` and returns the INTEGER contents.
fn integers(der: &[u8]) -> Option<Vec<&[u8]>> {
    let seq = der_scan::read_tlv(der, 0).ok()?;
    if seq.tag != TAG_SEQUENCE {
        return None;
    }
    der_scan::children(seq.value)
        .map(|c| c.ok().filter(|t| t.tag == TAG_INTEGER).map(|t| t.value))
        .collect()
}

impl PublicKeyInfo {
    /// Describes `spki`.
    pub fn new(spki: &SubjectPublicKeyInfoOwned) -> Self {
        let oid = spki.algorithm.oid;
        let key_bytes = spki.subject_public_key.raw_bytes();
        let mut info = Self {
            kind: KeyKind::Other,
            algorithm: oids::long_name(&oid),
            algorithm_oid: crate::oids::dotted(&oid),
            bits: None,
            curve: None,
            curve_oid: None,
            rsa_exponent: None,
            summary: String::new(),
        };
        if oid == RSA || oid == RSA_PSS {
            info.kind = if oid == RSA {
                KeyKind::Rsa
            } else {
                KeyKind::RsaPss
            };
            info.algorithm = if oid == RSA { "RSA" } else { "RSA-PSS" }.to_owned();
            if let Some(ints) = integers(key_bytes).filter(|i| i.len() == 2) {
                info.bits = Some(bit_length(ints[0]));
                info.rsa_exponent = Some(crate::hex::unsigned_decimal(ints[1]));
            }
        } else if oid == EC_PUBLIC_KEY {
            info.kind = KeyKind::Ec;
            info.algorithm = "EC".to_owned();
            match spki.algorithm.parameters.as_ref() {
                Some(p) if p.tag() == der::Tag::ObjectIdentifier => {
                    if let Ok(curve) = p.decode_as::<ObjectIdentifier>() {
                        let name = oids::long_name(&curve);
                        info.bits = curve_bits(&name);
                        info.curve_oid = Some(curve.to_string());
                        info.curve = Some(name);
                    }
                }
                Some(p) if p.tag() == der::Tag::Sequence => {
                    info.curve = Some("explicit parameters".to_owned());
                }
                _ => info.curve = Some("missing parameters".to_owned()),
            }
            if info.bits.is_none() && key_bytes.first() == Some(&0x04) {
                // Uncompressed point: 0x04 || X || Y.
                info.bits = u32::try_from((key_bytes.len() - 1) / 2 * 8).ok();
            }
        } else if oid == ED25519 || oid == X25519 {
            info.kind = if oid == ED25519 {
                KeyKind::Ed25519
            } else {
                KeyKind::X25519
            };
            info.bits = Some(256);
        } else if oid == ED448 || oid == X448 {
            info.kind = if oid == ED448 {
                KeyKind::Ed448
            } else {
                KeyKind::X448
            };
            info.bits = Some(if oid == ED448 { 456 } else { 448 });
        } else if oid == DSA {
            info.kind = KeyKind::Dsa;
            info.algorithm = "DSA".to_owned();
            if let Some(params) = spki.algorithm.parameters.as_ref()
                && let Ok(der) = der::Encode::to_der(params)
                && let Some(ints) = integers(&der)
                && let Some(p) = ints.first()
            {
                info.bits = Some(bit_length(p));
            }
        }
        info.summary = match (&info.curve, info.bits) {
            (Some(curve), _) => format!("{} {curve}", info.algorithm),
            (None, Some(bits))
                if matches!(info.kind, KeyKind::Rsa | KeyKind::RsaPss | KeyKind::Dsa) =>
            {
                format!("{} {bits} bits", info.algorithm)
            }
            _ => info.algorithm.clone(),
        };
        info
    }
}

/// A signature algorithm, described.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignatureAlgorithmInfo {
    /// Dotted OID.
    pub oid: String,
    /// Short name (`sha256WithRSAEncryption`, `ecdsa-with-SHA256`…).
    pub short_name: String,
    /// Readable name, with PSS parameters when present.
    pub name: String,
    /// The digest algorithm ("SHA-256"…), when the algorithm names one.
    pub hash: Option<String>,
    /// RSASSA-PSS parameters, for PSS signatures.
    pub pss: Option<PssParams>,
    /// The `signature` field inside tbsCertificate equals the outer `signatureAlgorithm`.
    pub matches_tbs: bool,
}

/// RSASSA-PSS parameters (RFC 4055 §3.1), with the defaults filled in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PssParams {
    /// Message digest.
    pub hash: String,
    /// Digest used by MGF1.
    pub mgf1_hash: String,
    /// Salt length in bytes.
    pub salt_length: u32,
}

fn hash_of(short_name: &str) -> Option<&'static str> {
    let lower = short_name.to_ascii_lowercase();
    [
        ("sha512", "SHA-512"),
        ("sha384", "SHA-384"),
        ("sha256", "SHA-256"),
        ("sha224", "SHA-224"),
        ("sha1", "SHA-1"),
        ("md5", "MD5"),
        ("md2", "MD2"),
        ("sm3", "SM3"),
    ]
    .into_iter()
    .find(|(needle, _)| lower.contains(needle))
    .map(|(_, name)| name)
}

/// Parses RSASSA-PSS-params; absent fields take their DEFAULT (SHA-1, MGF1-SHA-1, 20).
fn pss_params(params: &[u8]) -> Option<PssParams> {
    let seq = der_scan::read_tlv(params, 0).ok()?;
    if seq.tag != TAG_SEQUENCE {
        return None;
    }
    let mut out = PssParams {
        hash: "SHA-1".to_owned(),
        mgf1_hash: "SHA-1".to_owned(),
        salt_length: 20,
    };
    let first_oid = |explicit: &[u8]| -> Option<ObjectIdentifier> {
        let alg = der_scan::read_tlv(explicit, 0).ok()?;
        let oid = der_scan::children(alg.value).next()?.ok()?;
        (oid.tag == TAG_OID).then(|| ObjectIdentifier::from_bytes(oid.value).ok())?
    };
    for field in der_scan::children(seq.value) {
        let field = field.ok()?;
        match field.tag {
            0xA0 => out.hash = oids::long_name(&first_oid(field.value)?),
            0xA1 => {
                // MaskGenAlgorithm: SEQUENCE { mgf1 OID, AlgorithmIdentifier of the hash }.
                let alg = der_scan::read_tlv(field.value, 0).ok()?;
                let mut parts = der_scan::children(alg.value);
                let _mgf = parts.next()?.ok()?;
                let hash = parts.next()?.ok()?;
                out.mgf1_hash = oids::long_name(&first_oid(hash.raw)?);
            }
            0xA2 => {
                let int = der_scan::read_tlv(field.value, 0).ok()?;
                out.salt_length = int.value.iter().try_fold(0u32, |acc, &b| {
                    acc.checked_mul(256)?.checked_add(u32::from(b))
                })?;
            }
            _ => {}
        }
    }
    Some(out)
}

impl SignatureAlgorithmInfo {
    /// Describes `alg`; `matches_tbs` tells whether the inner and outer algorithms agree.
    pub fn new(alg: &AlgorithmIdentifierOwned, matches_tbs: bool) -> Self {
        let short_name = oids::short_name(&alg.oid);
        let mut name = oids::long_name(&alg.oid);
        let mut hash = hash_of(&short_name).map(str::to_owned);
        let mut pss = None;
        if alg.oid == RSA_PSS {
            pss = alg
                .parameters
                .as_ref()
                .and_then(|p| der::Encode::to_der(p).ok())
                .and_then(|der| pss_params(&der));
            if let Some(p) = &pss {
                name = format!(
                    "RSASSA-PSS with {} (MGF1 {}, salt {} bytes)",
                    p.hash, p.mgf1_hash, p.salt_length
                );
                hash = Some(p.hash.clone());
            }
        } else if alg.oid == ED25519 || alg.oid == ED448 {
            hash = Some(
                if alg.oid == ED25519 {
                    "SHA-512"
                } else {
                    "SHAKE256"
                }
                .to_owned(),
            );
        }
        Self {
            oid: crate::oids::dotted(&alg.oid),
            short_name,
            name,
            hash,
            pss,
            matches_tbs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_length(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(bit_length(&[0x01]), 1);
        assert_eq!(bit_length(&[0, 0]), 0);
        assert_eq!(bit_length(&[]), 0);
    }

    #[test]
    fn pss_defaults_and_explicit_values() {
        // Empty SEQUENCE: all defaults.
        let p = pss_params(&[0x30, 0x00]).unwrap();
        assert_eq!((p.hash.as_str(), p.salt_length), ("SHA-1", 20));
        // SHA-256 / MGF1-SHA-256 / salt 32, as OpenSSL writes for -sigopt rsa_padding_mode:pss.
        let der = [
            0x30, 0x34, 0xA0, 0x0F, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
            0x04, 0x02, 0x01, 0x05, 0x00, 0xA1, 0x1C, 0x30, 0x1A, 0x06, 0x09, 0x2A, 0x86, 0x48,
            0x86, 0xF7, 0x0D, 0x01, 0x01, 0x08, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
            0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xA2, 0x03, 0x02, 0x01, 0x20,
        ];
        let p = pss_params(&der).unwrap();
        assert_eq!(p.hash, "SHA-256");
        assert_eq!(p.mgf1_hash, "SHA-256");
        assert_eq!(p.salt_length, 32);
    }

    #[test]
    fn hash_names() {
        assert_eq!(hash_of("sha256WithRSAEncryption"), Some("SHA-256"));
        assert_eq!(hash_of("ecdsa-with-SHA384"), Some("SHA-384"));
        assert_eq!(hash_of("ED25519"), None);
    }
}
