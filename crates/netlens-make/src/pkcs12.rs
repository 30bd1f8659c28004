//! PKCS#12 (RFC 7292): an identity (a key, its certificate and the chain) in one password
//! protected file, as Keychain Access, `SecPKCS12Import`, Android, Windows and servers import it.
//!
//! Two encodings ([`Pkcs12Format`]):
//! - **Apple-compatible** (the default): the key in a pkcs8ShroudedKeyBag and the certificates
//!   in an EncryptedData, both with `pbeWithSHAAnd3-KeyTripleDES-CBC`, and an HMAC-SHA1 MAC.
//!   Apple's importers have refused OpenSSL 3's defaults with "wrong password" (openssl#19495
//!   and #19871, `SecPKCS12Import` -25293; xca#474 on macOS 13.6; pyca#7293; ruby/openssl#654:
//!   "only SHA1 is supported" for the MAC), and newer releases reportedly accept them, with no
//!   source for the boundary; 3DES and a SHA-1 MAC are what every release imports, and unlike
//!   RC2-40 they are in OpenSSL 3's default provider (so `openssl pkcs12` reads the file
//!   without `-legacy`). WebCrypto has no 3DES, which is why PKI.js cannot write such files in
//!   a browser (PKI.js#84, #105); netlens writes them in Rust.
//! - **Modern**: PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC for both, an HMAC-SHA256 MAC
//!   (OpenSSL 3's defaults).
//!
//! Both use 2048 iterations (OpenSSL's default) and the layout OpenSSL writes: the
//! certificates' EncryptedData first, then the key bag, the key and its certificate tied by a
//! `localKeyId` (SHA-1 of the certificate) and named by a `friendlyName`. A password is
//! required: Apple's importers refuse a file without one (openradar 22909471, 12307889).
//!
//! [`read`] opens such a file again (MAC, decryption, bags), so every file is checked before it
//! is offered and tests can compare what went in with what comes out.

use aes::Aes256;
use cbc::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit, block_padding::Pkcs7};
use const_oid::ObjectIdentifier;
use des::TdesEde3;
use hmac::{Hmac, KeyInit, Mac};
use netlens_x509::der_scan::{Tlv, children, read_tlv};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::der_write::{self as w, tag};
use crate::error::MakeError;
pub use crate::request::Pkcs12Format;

/// Iterations of the key derivation and the MAC (OpenSSL's `PKCS12_DEFAULT_ITER`).
pub const ITERATIONS: u32 = 2048;

/// Random bytes one file needs: salts and an IV for the certificates, the key and the MAC.
pub const RANDOM_BYTES: usize = 16 + 16 + 16 + 16 + 8;

mod oids {
    use const_oid::ObjectIdentifier as Oid;
    pub const DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
    pub const ENCRYPTED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.6");
    pub const PBE_SHA1_3DES: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.3");
    pub const PBE_SHA1_RC2_128: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.5");
    pub const PBE_SHA1_RC2_40: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.6");
    pub const HMAC_SHA1: Oid = Oid::new_unwrap("1.2.840.113549.2.7");
    pub const AES128_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.2");
    pub const AES192_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.22");
    pub const PBES2: Oid = Oid::new_unwrap("1.2.840.113549.1.5.13");
    pub const PBKDF2: Oid = Oid::new_unwrap("1.2.840.113549.1.5.12");
    pub const HMAC_SHA256: Oid = Oid::new_unwrap("1.2.840.113549.2.9");
    pub const AES256_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.42");
    pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
    pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    pub const KEY_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.1");
    pub const KEY_BAG_SHROUDED: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.2");
    pub const CERT_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.3");
    pub const X509_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.22.1");
    pub const FRIENDLY_NAME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.20");
    pub const LOCAL_KEY_ID: Oid = Oid::new_unwrap("1.2.840.113549.1.9.21");
}

#[derive(Clone, Copy)]
enum Hash {
    Sha1,
    Sha256,
}

impl Hash {
    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha1 => Sha1::digest(data).to_vec(),
            Hash::Sha256 => Sha256::digest(data).to_vec(),
        }
    }

    fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha1 => {
                let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| {
                    // HMAC takes keys of any length; this branch cannot run.
                    <Hmac<Sha1> as KeyInit>::new(&Default::default())
                });
                mac.update(data);
                mac.finalize().into_bytes().to_vec()
            }
            Hash::Sha256 => {
                let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
                    .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new(&Default::default()));
                mac.update(data);
                mac.finalize().into_bytes().to_vec()
            }
        }
    }

    fn oid(self) -> ObjectIdentifier {
        match self {
            Hash::Sha1 => oids::SHA1,
            Hash::Sha256 => oids::SHA256,
        }
    }
}

/// The password as the PKCS#12 KDF takes it: UTF-16BE with two terminating zero bytes.
fn bmp_password(password: &str) -> Zeroizing<Vec<u8>> {
    let mut out: Vec<u8> = password.encode_utf16().flat_map(u16::to_be_bytes).collect();
    out.extend_from_slice(&[0, 0]);
    Zeroizing::new(out)
}

/// The PKCS#12 key derivation function (RFC 7292 appendix B.2), with a 64-byte block (SHA-1
/// and SHA-256). `id` 1 derives a key, 2 an IV, 3 a MAC key.
fn kdf(
    hash: Hash,
    password: &[u8],
    salt: &[u8],
    id: u8,
    iterations: u32,
    len: usize,
) -> Zeroizing<Vec<u8>> {
    const V: usize = 64;
    let repeat = |s: &[u8]| -> Vec<u8> {
        if s.is_empty() {
            return Vec::new();
        }
        let n = V * s.len().div_ceil(V);
        s.iter().copied().cycle().take(n).collect()
    };
    let d = [id; V];
    let mut i = Zeroizing::new([repeat(salt), repeat(password)].concat());
    let mut out = Zeroizing::new(Vec::with_capacity(len + 32));
    while out.len() < len {
        let mut a = hash.digest(&[&d[..], &i[..]].concat());
        for _ in 1..iterations {
            a = hash.digest(&a);
        }
        out.extend_from_slice(&a);
        if out.len() >= len {
            break;
        }
        let b: Vec<u8> = a.iter().copied().cycle().take(V).collect();
        for block in i.chunks_mut(V) {
            // block = (block + b + 1) mod 2^(8v)
            let mut carry = 1u16;
            for (x, y) in block.iter_mut().rev().zip(b.iter().rev()) {
                let sum = u16::from(*x) + u16::from(*y) + carry;
                *x = sum as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(len);
    out
}

/// Encryption parameters for one encrypted part, with the randomness it consumes.
enum Cipher {
    TripleDes { salt: [u8; 8] },
    Aes256 { salt: [u8; 16], iv: [u8; 16] },
}

impl Cipher {
    fn new(format: Pkcs12Format, random: &mut dyn FnMut(&mut [u8])) -> Cipher {
        match format {
            Pkcs12Format::Apple => {
                let mut salt = [0u8; 8];
                random(&mut salt);
                Cipher::TripleDes { salt }
            }
            Pkcs12Format::Modern => {
                let mut salt = [0u8; 16];
                let mut iv = [0u8; 16];
                random(&mut salt);
                random(&mut iv);
                Cipher::Aes256 { salt, iv }
            }
        }
    }

    /// The AlgorithmIdentifier this encryption is written with.
    fn algorithm(&self) -> Vec<u8> {
        match self {
            Cipher::TripleDes { salt } => w::algorithm(
                &oids::PBE_SHA1_3DES,
                Some(&w::sequence(&[
                    &w::octet_string(salt),
                    &w::small_integer(ITERATIONS),
                ])),
            ),
            Cipher::Aes256 { salt, iv } => {
                let pbkdf2 = w::algorithm(
                    &oids::PBKDF2,
                    Some(&w::sequence(&[
                        &w::octet_string(salt),
                        &w::small_integer(ITERATIONS),
                        &w::algorithm(&oids::HMAC_SHA256, Some(&w::null())),
                    ])),
                );
                let aes = w::algorithm(&oids::AES256_CBC, Some(&w::octet_string(iv)));
                w::algorithm(&oids::PBES2, Some(&w::sequence(&[&pbkdf2, &aes])))
            }
        }
    }

    fn encrypt(&self, password: &str, plaintext: &[u8]) -> Vec<u8> {
        match self {
            Cipher::TripleDes { salt } => {
                let bmp = bmp_password(password);
                let key = kdf(Hash::Sha1, &bmp, salt, 1, ITERATIONS, 24);
                let iv = kdf(Hash::Sha1, &bmp, salt, 2, ITERATIONS, 8);
                match cbc::Encryptor::<TdesEde3>::new_from_slices(&key, &iv) {
                    Ok(c) => c.encrypt_padded_vec::<Pkcs7>(plaintext),
                    Err(_) => Vec::new(),
                }
            }
            Cipher::Aes256 { salt, iv } => {
                let mut key = Zeroizing::new([0u8; 32]);
                pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt, ITERATIONS, &mut *key);
                match cbc::Encryptor::<Aes256>::new_from_slices(&*key, iv) {
                    Ok(c) => c.encrypt_padded_vec::<Pkcs7>(plaintext),
                    Err(_) => Vec::new(),
                }
            }
        }
    }
}

/// What goes into a PKCS#12 file.
pub struct Identity<'a> {
    /// The private key, PKCS#8 DER.
    pub key_pkcs8: &'a [u8],
    /// The key's certificate (DER).
    pub certificate: &'a [u8],
    /// The certificates above it, issuer first (DER).
    pub chain: Vec<&'a [u8]>,
    /// The name Keychain Access and Windows show for the identity.
    pub friendly_name: &'a str,
}

fn attributes(local_key_id: &[u8], friendly_name: &str) -> Vec<u8> {
    let name = w::sequence(&[
        &w::oid(&oids::FRIENDLY_NAME),
        &w::set_of(&[&w::bmp_string(friendly_name)]),
    ]);
    let id = w::sequence(&[
        &w::oid(&oids::LOCAL_KEY_ID),
        &w::set_of(&[&w::octet_string(local_key_id)]),
    ]);
    w::set_of(&[&name, &id])
}

fn cert_bag(certificate: &[u8], attrs: Option<&[u8]>) -> Vec<u8> {
    let value = w::sequence(&[
        &w::oid(&oids::X509_CERTIFICATE),
        &w::explicit(0, &w::octet_string(certificate)),
    ]);
    let id = w::oid(&oids::CERT_BAG);
    let value = w::explicit(0, &value);
    match attrs {
        Some(a) => w::sequence(&[&id, &value, a]),
        None => w::sequence(&[&id, &value]),
    }
}

/// Checks a password for a PKCS#12 file Apple's importers accept.
pub fn check_password(password: &str) -> Result<(), MakeError> {
    if password.is_empty() {
        return Err(MakeError::Password {
            why: "A PKCS#12 file needs a password: Apple's importers (Keychain Access, \
                  SecPKCS12Import, iOS profiles) refuse one without. Enter one, or leave the \
                  field empty for netlens to make one up.",
        });
    }
    if password.chars().count() > 128 {
        return Err(MakeError::Password {
            why: "The PKCS#12 password is longer than 128 characters: choose a shorter one.",
        });
    }
    Ok(())
}

/// Writes an identity as PKCS#12 protected by `password`, drawing the salts and IV from
/// `random` (at most [`RANDOM_BYTES`] bytes).
pub fn write(
    identity: &Identity<'_>,
    password: &str,
    format: Pkcs12Format,
    random: &mut dyn FnMut(&mut [u8]),
) -> Result<Zeroizing<Vec<u8>>, MakeError> {
    check_password(password)?;
    let local_key_id = Sha1::digest(identity.certificate).to_vec();
    let attrs = attributes(&local_key_id, identity.friendly_name);

    // The certificates: a SafeContents of CertBags, encrypted.
    let mut bags = vec![cert_bag(identity.certificate, Some(&attrs))];
    bags.extend(identity.chain.iter().map(|c| cert_bag(c, None)));
    let refs: Vec<&[u8]> = bags.iter().map(Vec::as_slice).collect();
    let cert_contents = w::sequence(&refs);
    let cert_cipher = Cipher::new(format, random);
    let encrypted_certs = cert_cipher.encrypt(password, &cert_contents);
    let encrypted_data = w::sequence(&[
        &w::small_integer(0),
        &w::sequence(&[
            &w::oid(&oids::DATA),
            &cert_cipher.algorithm(),
            &w::tlv(0x80, &encrypted_certs),
        ]),
    ]);
    let certs_info = w::sequence(&[
        &w::oid(&oids::ENCRYPTED_DATA),
        &w::explicit(0, &encrypted_data),
    ]);

    // The key: a pkcs8ShroudedKeyBag in a plain data SafeContents.
    let key_cipher = Cipher::new(format, random);
    let encrypted_key = key_cipher.encrypt(password, identity.key_pkcs8);
    let shrouded = w::sequence(&[&key_cipher.algorithm(), &w::octet_string(&encrypted_key)]);
    let key_bag = w::sequence(&[
        &w::oid(&oids::KEY_BAG_SHROUDED),
        &w::explicit(0, &shrouded),
        &attrs,
    ]);
    let key_contents = w::sequence(&[&key_bag]);
    let key_info = w::sequence(&[
        &w::oid(&oids::DATA),
        &w::explicit(0, &w::octet_string(&key_contents)),
    ]);

    let auth_safe = w::sequence(&[&certs_info, &key_info]);
    let (mac_hash, mac_len, mac_salt_len) = match format {
        Pkcs12Format::Apple => (Hash::Sha1, 20, 8),
        Pkcs12Format::Modern => (Hash::Sha256, 32, 16),
    };
    let mut mac_salt = vec![0u8; mac_salt_len];
    random(&mut mac_salt);
    let mac_key = kdf(
        mac_hash,
        &bmp_password(password),
        &mac_salt,
        3,
        ITERATIONS,
        mac_len,
    );
    let mac = mac_hash.hmac(&mac_key, &auth_safe);
    let mac_data = w::sequence(&[
        &w::sequence(&[
            &w::algorithm(&mac_hash.oid(), Some(&w::null())),
            &w::octet_string(&mac),
        ]),
        &w::octet_string(&mac_salt),
        &w::small_integer(ITERATIONS),
    ]);
    let pfx = w::sequence(&[
        &w::small_integer(3),
        &w::sequence(&[
            &w::oid(&oids::DATA),
            &w::explicit(0, &w::octet_string(&auth_safe)),
        ]),
        &mac_data,
    ]);
    Ok(Zeroizing::new(pfx))
}

/// What [`read`] found in a PKCS#12 file.
pub struct Opened {
    /// The private keys (PKCS#8 DER).
    pub keys: Vec<Zeroizing<Vec<u8>>>,
    /// The certificates, in file order.
    pub certificates: Vec<Vec<u8>>,
    /// The friendly names, in file order.
    pub friendly_names: Vec<String>,
    /// The encryption algorithms used, by name (`pbeWithSHAAnd3-KeyTripleDES-CBC`,
    /// `PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC)`).
    pub encryption: Vec<&'static str>,
    /// The MAC's hash (`SHA-1`, `SHA-256`).
    pub mac: &'static str,
}

/// Why [`read`] could not open a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    /// The structure is not what this module writes.
    Malformed(&'static str),
    /// The MAC does not verify: a wrong password or a damaged file.
    WrongPassword,
    /// An algorithm this module does not read.
    Unsupported(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Malformed(what) => write!(f, "the PKCS#12 file's {what} is malformed"),
            ReadError::WrongPassword => {
                f.write_str("the password is wrong, or the PKCS#12 file is damaged")
            }
            ReadError::Unsupported(alg) => write!(f, "the PKCS#12 file uses {alg}"),
        }
    }
}

impl std::error::Error for ReadError {}

fn tlv_at<'a>(data: &'a [u8], what: &'static str) -> Result<Tlv<'a>, ReadError> {
    read_tlv(data, 0).map_err(|_| ReadError::Malformed(what))
}

fn parts<'a>(tlv: &Tlv<'a>, what: &'static str) -> Result<Vec<Tlv<'a>>, ReadError> {
    children(tlv.value)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| ReadError::Malformed(what))
}

fn oid_of(tlv: &Tlv<'_>) -> Option<ObjectIdentifier> {
    (tlv.tag == tag::OID)
        .then(|| ObjectIdentifier::from_bytes(tlv.value).ok())
        .flatten()
}

fn small_int(tlv: &Tlv<'_>) -> Option<u32> {
    (tlv.tag == tag::INTEGER && !tlv.value.is_empty() && tlv.value.len() <= 4)
        .then(|| tlv.value.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b)))
}

/// Most iterations [`read`] accepts (a file asking for more is a denial of service).
const MAX_READ_ITERATIONS: u32 = 1_000_000;

/// Decrypts one encrypted part whose AlgorithmIdentifier is `algorithm`.
fn decrypt(
    algorithm: &Tlv<'_>,
    password: &str,
    ciphertext: &[u8],
) -> Result<(Zeroizing<Vec<u8>>, &'static str), ReadError> {
    let p = parts(algorithm, "encryption algorithm")?;
    let id = p
        .first()
        .and_then(oid_of)
        .ok_or(ReadError::Malformed("encryption algorithm"))?;
    let params = p
        .get(1)
        .ok_or(ReadError::Malformed("encryption parameters"))?;
    if id == oids::PBE_SHA1_3DES || id == oids::PBE_SHA1_RC2_40 || id == oids::PBE_SHA1_RC2_128 {
        let pp = parts(params, "PBE parameters")?;
        let salt = pp.first().ok_or(ReadError::Malformed("PBE salt"))?.value;
        let iterations = pp
            .get(1)
            .and_then(small_int)
            .filter(|i| (1..=MAX_READ_ITERATIONS).contains(i))
            .ok_or(ReadError::Malformed("PBE iterations"))?;
        let bmp = bmp_password(password);
        let iv = kdf(Hash::Sha1, &bmp, salt, 2, iterations, 8);
        let wrong = |_| ReadError::WrongPassword;
        if id == oids::PBE_SHA1_3DES {
            let key = kdf(Hash::Sha1, &bmp, salt, 1, iterations, 24);
            let c = cbc::Decryptor::<TdesEde3>::new_from_slices(&key, &iv)
                .map_err(|_| ReadError::Malformed("3DES key"))?;
            let plain = c.decrypt_padded_vec::<Pkcs7>(ciphertext).map_err(wrong)?;
            return Ok((Zeroizing::new(plain), "pbeWithSHAAnd3-KeyTripleDES-CBC"));
        }
        // RC2 (what `openssl pkcs12 -legacy` and OpenSSL 1.1 encrypt certificates with):
        // read only, never written.
        let (bytes, name) = if id == oids::PBE_SHA1_RC2_40 {
            (5, "pbeWithSHAAnd40BitRC2-CBC")
        } else {
            (16, "pbeWithSHAAnd128BitRC2-CBC")
        };
        let key = kdf(Hash::Sha1, &bmp, salt, 1, iterations, bytes);
        let c = cbc::Decryptor::<rc2::Rc2>::new_from_slices(&key, &iv)
            .map_err(|_| ReadError::Malformed("RC2 key"))?;
        let plain = c.decrypt_padded_vec::<Pkcs7>(ciphertext).map_err(wrong)?;
        return Ok((Zeroizing::new(plain), name));
    }
    if id == oids::PBES2 {
        let pp = parts(params, "PBES2 parameters")?;
        let kdf_alg = pp.first().ok_or(ReadError::Malformed("PBES2 KDF"))?;
        let enc_alg = pp.get(1).ok_or(ReadError::Malformed("PBES2 cipher"))?;
        let kp = parts(kdf_alg, "PBES2 KDF")?;
        if kp.first().and_then(oid_of) != Some(oids::PBKDF2) {
            return Err(ReadError::Unsupported(
                "a PBES2 KDF other than PBKDF2".into(),
            ));
        }
        let kparams = parts(kp.get(1).ok_or(ReadError::Malformed("PBKDF2"))?, "PBKDF2")?;
        let salt = kparams
            .first()
            .ok_or(ReadError::Malformed("PBKDF2 salt"))?
            .value;
        let iterations = kparams
            .get(1)
            .and_then(small_int)
            .filter(|i| (1..=MAX_READ_ITERATIONS).contains(i))
            .ok_or(ReadError::Malformed("PBKDF2 iterations"))?;
        // The PRF (HMAC-SHA1 when absent, RFC 8018 §A.2), after the optional key length.
        let prf = kparams
            .iter()
            .skip(2)
            .find(|t| t.tag == tag::SEQUENCE)
            .map(|t| {
                parts(t, "PRF")
                    .ok()
                    .and_then(|p| p.first().and_then(oid_of))
            })
            .unwrap_or(Some(oids::HMAC_SHA1));
        let ep = parts(enc_alg, "PBES2 cipher")?;
        let cipher = ep.first().and_then(oid_of);
        let key_len = match cipher {
            Some(c) if c == oids::AES128_CBC => 16,
            Some(c) if c == oids::AES192_CBC => 24,
            Some(c) if c == oids::AES256_CBC => 32,
            _ => {
                return Err(ReadError::Unsupported(
                    "a PBES2 cipher other than AES-CBC".into(),
                ));
            }
        };
        let iv = ep.get(1).ok_or(ReadError::Malformed("AES IV"))?.value;
        let mut key = Zeroizing::new(vec![0u8; key_len]);
        let prf_name = match prf {
            Some(o) if o == oids::HMAC_SHA256 => {
                pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt, iterations, &mut key);
                "HMAC-SHA256"
            }
            Some(o) if o == oids::HMAC_SHA1 => {
                pbkdf2::pbkdf2_hmac::<Sha1>(password.as_bytes(), salt, iterations, &mut key);
                "HMAC-SHA1"
            }
            _ => {
                return Err(ReadError::Unsupported(
                    "a PBKDF2 PRF other than HMAC-SHA1 or HMAC-SHA256".into(),
                ));
            }
        };
        let wrong = |_| ReadError::WrongPassword;
        let plain = match key_len {
            16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(&key, iv)
                .map_err(|_| ReadError::Malformed("AES IV"))?
                .decrypt_padded_vec::<Pkcs7>(ciphertext)
                .map_err(wrong)?,
            24 => cbc::Decryptor::<aes::Aes192>::new_from_slices(&key, iv)
                .map_err(|_| ReadError::Malformed("AES IV"))?
                .decrypt_padded_vec::<Pkcs7>(ciphertext)
                .map_err(wrong)?,
            _ => cbc::Decryptor::<Aes256>::new_from_slices(&key, iv)
                .map_err(|_| ReadError::Malformed("AES IV"))?
                .decrypt_padded_vec::<Pkcs7>(ciphertext)
                .map_err(wrong)?,
        };
        let name = match (key_len, prf_name) {
            (32, "HMAC-SHA256") => "PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC)",
            (32, _) => "PBES2 (PBKDF2-HMAC-SHA1, AES-256-CBC)",
            (24, "HMAC-SHA256") => "PBES2 (PBKDF2-HMAC-SHA256, AES-192-CBC)",
            (24, _) => "PBES2 (PBKDF2-HMAC-SHA1, AES-192-CBC)",
            (_, "HMAC-SHA256") => "PBES2 (PBKDF2-HMAC-SHA256, AES-128-CBC)",
            _ => "PBES2 (PBKDF2-HMAC-SHA1, AES-128-CBC)",
        };
        return Ok((Zeroizing::new(plain), name));
    }
    Err(ReadError::Unsupported(format!(
        "the encryption algorithm {id}"
    )))
}

/// Checks the MacData `mac` over `auth_safe` with `password`; the MAC's hash name.
fn check_mac(mac: &Tlv<'_>, auth_safe: &[u8], password: &str) -> Result<&'static str, ReadError> {
    let mac_data = parts(mac, "MAC")?;
    let digest_info = parts(mac_data.first().ok_or(ReadError::Malformed("MAC"))?, "MAC")?;
    let mac_alg = parts(
        digest_info.first().ok_or(ReadError::Malformed("MAC"))?,
        "MAC",
    )?;
    let (hash, mac_len, mac_name) = match mac_alg.first().and_then(oid_of) {
        Some(o) if o == oids::SHA1 => (Hash::Sha1, 20, "SHA-1"),
        Some(o) if o == oids::SHA256 => (Hash::Sha256, 32, "SHA-256"),
        _ => {
            return Err(ReadError::Unsupported(
                "a MAC hash other than SHA-1 or SHA-256".into(),
            ));
        }
    };
    let expected = digest_info.get(1).ok_or(ReadError::Malformed("MAC"))?.value;
    let salt = mac_data
        .get(1)
        .ok_or(ReadError::Malformed("MAC salt"))?
        .value;
    let iterations = mac_data
        .get(2)
        .map(small_int)
        .unwrap_or(Some(1))
        .filter(|i| (1..=MAX_READ_ITERATIONS).contains(i))
        .ok_or(ReadError::Malformed("MAC iterations"))?;
    let key = kdf(hash, &bmp_password(password), salt, 3, iterations, mac_len);
    if hash.hmac(&key, auth_safe) != expected {
        return Err(ReadError::WrongPassword);
    }
    Ok(mac_name)
}

/// Opens a PKCS#12 file written by [`write`] (or by OpenSSL with the same algorithms): checks
/// the MAC with `password`, decrypts every bag, returns the keys and certificates.
pub fn read(der: &[u8], password: &str) -> Result<Opened, ReadError> {
    let pfx = tlv_at(der, "PFX")?;
    let p = parts(&pfx, "PFX")?;
    let auth_safe_info = parts(
        p.get(1).ok_or(ReadError::Malformed("authSafe"))?,
        "authSafe",
    )?;
    if auth_safe_info.first().and_then(oid_of) != Some(oids::DATA) {
        return Err(ReadError::Unsupported(
            "a public-key protected authSafe".into(),
        ));
    }
    let wrapper = auth_safe_info
        .get(1)
        .ok_or(ReadError::Malformed("authSafe"))?;
    let octets = tlv_at(wrapper.value, "authSafe")?;
    let auth_safe = octets.value;

    // MAC first: a wrong password says so before any decryption. A file without one (`openssl
    // pkcs12 -nomac`) is read unchecked; a wrong password then shows in the decryption.
    let mac_name = match p.get(2) {
        Some(mac) => check_mac(mac, auth_safe, password)?,
        None => "none",
    };

    let mut opened = Opened {
        keys: Vec::new(),
        certificates: Vec::new(),
        friendly_names: Vec::new(),
        encryption: Vec::new(),
        mac: mac_name,
    };
    let safe = tlv_at(auth_safe, "authenticated safe")?;
    for info in parts(&safe, "authenticated safe")? {
        let ip = parts(&info, "content info")?;
        let kind = ip.first().and_then(oid_of);
        let content = ip.get(1).ok_or(ReadError::Malformed("content info"))?;
        let inner = tlv_at(content.value, "content")?;
        let safe_contents: Zeroizing<Vec<u8>> = if kind == Some(oids::DATA) {
            Zeroizing::new(inner.value.to_vec())
        } else if kind == Some(oids::ENCRYPTED_DATA) {
            let ed = parts(&inner, "encrypted data")?;
            let eci = parts(
                ed.get(1).ok_or(ReadError::Malformed("encrypted data"))?,
                "encrypted data",
            )?;
            let alg = eci.get(1).ok_or(ReadError::Malformed("encrypted data"))?;
            let ciphertext = eci
                .get(2)
                .ok_or(ReadError::Malformed("encrypted data"))?
                .value;
            let (plain, name) = decrypt(alg, password, ciphertext)?;
            opened.encryption.push(name);
            plain
        } else {
            return Err(ReadError::Unsupported("an enveloped authSafe part".into()));
        };
        let contents = tlv_at(&safe_contents, "safe contents")?;
        for bag in parts(&contents, "safe contents")? {
            let bp = parts(&bag, "bag")?;
            let bag_id = bp.first().and_then(oid_of);
            let value = tlv_at(bp.get(1).ok_or(ReadError::Malformed("bag"))?.value, "bag")?;
            if let Some(attrs) = bp.get(2) {
                for attr in parts(attrs, "bag attributes")? {
                    let ap = parts(&attr, "bag attribute")?;
                    if ap.first().and_then(oid_of) == Some(oids::FRIENDLY_NAME)
                        && let Some(set) = ap.get(1)
                        && let Ok(name) = tlv_at(set.value, "friendly name")
                    {
                        let units: Vec<u16> = name
                            .value
                            .chunks(2)
                            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                            .collect();
                        opened.friendly_names.push(String::from_utf16_lossy(&units));
                    }
                }
            }
            if bag_id == Some(oids::CERT_BAG) {
                let cp = parts(&value, "certificate bag")?;
                let holder = cp.get(1).ok_or(ReadError::Malformed("certificate bag"))?;
                let cert = tlv_at(holder.value, "certificate bag")?;
                opened.certificates.push(cert.value.to_vec());
            } else if bag_id == Some(oids::KEY_BAG) {
                opened.keys.push(Zeroizing::new(value.raw.to_vec()));
                opened.encryption.push("an unencrypted key bag");
            } else if bag_id == Some(oids::KEY_BAG_SHROUDED) {
                let kp = parts(&value, "key bag")?;
                let alg = kp.first().ok_or(ReadError::Malformed("key bag"))?;
                let ciphertext = kp.get(1).ok_or(ReadError::Malformed("key bag"))?.value;
                let (plain, name) = decrypt(alg, password, ciphertext)?;
                opened.encryption.push(name);
                opened.keys.push(plain);
            }
        }
    }
    Ok(opened)
}

/// Whether Apple's importers (`SecPKCS12Import`, Keychain Access, configuration profiles) take a
/// file, as far as sources say.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AppleImport {
    /// `imports`: every release; `may_refuse`: some releases refuse it; `refuses`.
    pub verdict: &'static str,
    /// Why, and what to do, in sentences.
    pub explanation: String,
}

/// What a PKCS#12 file holds, without its private key.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Inspection {
    /// The certificates, in file order (DER).
    #[serde(skip)]
    pub certificates: Vec<Vec<u8>>,
    /// How many private keys it holds.
    pub keys: usize,
    /// The certificate (index in file order) whose public key is the first private key's, when
    /// one is; `None` when there is no key or no certificate matches it.
    pub key_certificate: Option<usize>,
    /// The key could not be checked (its type is not one netlens reads).
    pub key_unchecked: bool,
    /// Each certificate in words, in file order: "www.example.com (the key's certificate)",
    /// "Example Issuing CA (intermediate)", "Example Root (root)".
    pub contents: Vec<String>,
    /// The intermediates it includes (their labels): what a server or client sends with the
    /// leaf.
    pub intermediates: Vec<String>,
    /// The friendly names.
    pub friendly_names: Vec<String>,
    /// How each part is encrypted, in file order.
    pub encryption: Vec<&'static str>,
    /// The MAC's hash.
    pub mac: &'static str,
    /// Whether Apple's importers take it.
    pub apple_import: AppleImport,
}

/// The public key bits (the subjectPublicKey BIT STRING's contents) of a PKCS#8 private key,
/// read from the key itself without any cryptography: an EC key's RFC 5915 `publicKey`, an RSA
/// key's modulus and exponent, a PKCS#8 v2 (RFC 5958) key's `publicKey`. `None` when the key
/// does not carry it (an Ed25519 key in PKCS#8 v1).
pub fn public_key_bits(pkcs8: &[u8]) -> Option<Vec<u8>> {
    let outer = read_tlv(pkcs8, 0).ok()?;
    let fields: Vec<Tlv<'_>> = children(outer.value).collect::<Result<_, _>>().ok()?;
    let algorithm = fields.get(1)?;
    let oid = children(algorithm.value)
        .next()?
        .ok()
        .and_then(|t| oid_of(&t))?;
    let private = fields.get(2).filter(|t| t.tag == tag::OCTET_STRING)?;
    // PKCS#8 v2: [1] IMPLICIT publicKey BIT STRING, after the optional [0] attributes.
    if let Some(public) = fields.iter().skip(3).find(|t| t.tag == 0x81) {
        return public.value.get(1..).map(<[u8]>::to_vec);
    }
    const EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
    const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
    let inner = read_tlv(private.value, 0).ok()?;
    let parts: Vec<Tlv<'_>> = children(inner.value).collect::<Result<_, _>>().ok()?;
    if oid == EC {
        // ECPrivateKey: version, privateKey, [0] parameters, [1] EXPLICIT publicKey BIT STRING.
        let public = parts.iter().find(|t| t.tag == 0xA1)?;
        let bits = read_tlv(public.value, 0)
            .ok()
            .filter(|t| t.tag == tag::BIT_STRING)?;
        return bits.value.get(1..).map(<[u8]>::to_vec);
    }
    if oid == RSA {
        // RSAPrivateKey: version, modulus, publicExponent, …; RSAPublicKey is the two.
        let (n, e) = (parts.get(1)?, parts.get(2)?);
        return Some(w::sequence(&[n.raw, e.raw]));
    }
    None
}

/// Whether `pkcs8` is the key of `certificate` (DER): their public key bits are equal. `None`
/// when the key does not carry its public half.
pub fn key_matches(pkcs8: &[u8], certificate: &[u8]) -> Option<bool> {
    let bits = public_key_bits(pkcs8)?;
    let spki = netlens_x509::der_scan::certificate_parts(certificate)?.spki;
    let spki = read_tlv(spki, 0).ok()?;
    let cert_bits = children(spki.value).nth(1)?.ok()?;
    Some(cert_bits.value.get(1..) == Some(&bits[..]))
}

/// A certificate's outline, read with the DER scanner alone (the PKCS#12 module of the web
/// build links no certificate decoder): its label (the subject's common name, else its last
/// attribute's value), whether basicConstraints says CA, and whether it is self-issued.
fn outline(der: &[u8]) -> Option<(String, bool, bool)> {
    const CN: &[u8] = &[0x55, 0x04, 0x03];
    const BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1D, 0x13];
    let parts = netlens_x509::der_scan::certificate_parts(der)?;
    let subject = read_tlv(parts.subject, 0).ok()?;
    let mut label = None;
    for rdn in children(subject.value).flatten() {
        for attribute in children(rdn.value).flatten() {
            let mut fields = children(attribute.value).flatten();
            let (Some(kind), Some(value)) = (fields.next(), fields.next()) else {
                continue;
            };
            let text = String::from_utf8_lossy(value.value).into_owned();
            if kind.value == CN || label.is_none() {
                label = Some(text);
            }
        }
    }
    // basicConstraints cA: the extension's OCTET STRING holds SEQUENCE { BOOLEAN TRUE … }.
    let tbs = read_tlv(parts.tbs, 0).ok()?;
    let ca = children(tbs.value)
        .flatten()
        .filter(|f| f.tag == 0xA3)
        .filter_map(|f| read_tlv(f.value, 0).ok())
        .flat_map(|list| children(list.value).flatten().collect::<Vec<_>>())
        .find(|ext| {
            children(ext.value)
                .flatten()
                .next()
                .is_some_and(|oid| oid.tag == tag::OID && oid.value == BASIC_CONSTRAINTS)
        })
        .and_then(|ext| {
            children(ext.value)
                .flatten()
                .find(|f| f.tag == tag::OCTET_STRING)
        })
        .and_then(|value| read_tlv(value.value, 0).ok())
        .and_then(|seq| children(seq.value).flatten().next())
        .is_some_and(|first| first.tag == 0x01 && first.value.first().is_some_and(|&b| b != 0));
    Some((
        label.unwrap_or_else(|| "(no subject)".into()),
        ca,
        parts.issuer == parts.subject,
    ))
}

/// The sentence when Apple may refuse a file's algorithms.
const REEXPORT: &str = "Re-export it with `openssl pkcs12 -export -legacy` (or `-keypbe PBE-SHA1-3DES -certpbe \
     PBE-SHA1-3DES -macalg sha1`), or make it with `netlens make`, whose default is what every Apple release imports.";

/// Opens a PKCS#12 file with `password` and says what it holds: the certificates, whether the
/// key matches one of them (by public key, [`key_matches`]), the algorithms, and whether
/// Apple's importers take it. The private key is used only for that comparison and dropped
/// (zeroed) before this returns.
pub fn inspect(der: &[u8], password: &str) -> Result<Inspection, ReadError> {
    let opened = read(der, password)?;
    let matches: Option<Vec<Option<bool>>> = opened.keys.first().map(|k| {
        opened
            .certificates
            .iter()
            .map(|c| key_matches(k, c))
            .collect()
    });
    let key_certificate = matches
        .as_ref()
        .and_then(|m| m.iter().position(|&x| x == Some(true)));
    let key_unchecked = matches
        .as_ref()
        .is_some_and(|m| !m.is_empty() && m.iter().all(Option::is_none));
    let modern = opened.encryption.iter().any(|e| e.starts_with("PBES2"));
    let apple_import = if password.is_empty() {
        AppleImport {
            verdict: "refuses",
            explanation: "Apple's importers refuse a PKCS#12 file with an empty password (SecPKCS12Import, Keychain \
                          Access, profiles): re-export it with a password."
                .into(),
        }
    } else if modern || opened.mac != "SHA-1" {
        let mac = if opened.mac == "none" {
            "missing MAC".to_owned()
        } else {
            format!("{} MAC", opened.mac)
        };
        let what = match (modern, opened.mac != "SHA-1") {
            (true, true) => format!("AES encryption (PBES2) and {mac}"),
            (true, false) => "AES encryption (PBES2)".to_owned(),
            _ => mac,
        };
        AppleImport {
            verdict: "may_refuse",
            explanation: format!(
                "Some Apple releases refuse this file's {what}: SecPKCS12Import then says the password is wrong \
                 (-25293), and no source gives which releases. {REEXPORT}"
            ),
        }
    } else {
        AppleImport {
            verdict: "imports",
            explanation: format!(
                "{} with a SHA-1 MAC: what every Apple release imports.",
                if opened.encryption.iter().any(|e| e.contains("RC2")) {
                    "3DES and RC2"
                } else {
                    "3DES"
                }
            ),
        }
    };
    let mut contents = Vec::new();
    let mut intermediates = Vec::new();
    for (i, der) in opened.certificates.iter().enumerate() {
        let Some((label, ca, self_issued)) = outline(der) else {
            contents.push(format!("certificate {} (unreadable)", i + 1));
            continue;
        };
        let role = if key_certificate == Some(i) {
            "the key's certificate"
        } else if ca && self_issued {
            "root"
        } else if ca {
            intermediates.push(label.clone());
            "intermediate"
        } else {
            "another end-entity certificate"
        };
        contents.push(format!("{label} ({role})"));
    }
    Ok(Inspection {
        contents,
        intermediates,
        keys: opened.keys.len(),
        key_certificate,
        key_unchecked,
        friendly_names: opened.friendly_names.clone(),
        encryption: {
            let mut names = opened.encryption.clone();
            names.dedup();
            names
        },
        mac: opened.mac,
        apple_import,
        certificates: opened.certificates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter() -> impl FnMut(&mut [u8]) {
        let mut n = 0u8;
        move |out: &mut [u8]| {
            for b in out {
                n = n.wrapping_add(1);
                *b = n;
            }
        }
    }

    /// RFC 7292's KDF against a published vector (the test vectors of OpenSSL's
    /// test/pkcs12_format_test and BouncyCastle's PKCS12Test: password "smeg", salt
    /// 0A58CF64530D823F, one iteration, SHA-1).
    #[test]
    fn kdf_matches_the_known_vector() {
        let salt = [0x0a, 0x58, 0xcf, 0x64, 0x53, 0x0d, 0x82, 0x3f];
        let key = kdf(Hash::Sha1, &bmp_password("smeg"), &salt, 1, 1, 24);
        assert_eq!(
            netlens_x509::hex::plain(&key).to_ascii_uppercase(),
            "8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3"
        );
        let iv = kdf(Hash::Sha1, &bmp_password("smeg"), &salt, 2, 1, 8);
        assert_eq!(
            netlens_x509::hex::plain(&iv).to_ascii_uppercase(),
            "79993DFE048D3B76"
        );
    }

    #[test]
    fn both_formats_round_trip() {
        let key = [0x30u8, 0x03, 0x02, 0x01, 0x00];
        let cert = [0x30u8, 0x03, 0x02, 0x01, 0x07];
        let ca = [0x30u8, 0x03, 0x02, 0x01, 0x09];
        for format in [Pkcs12Format::Apple, Pkcs12Format::Modern] {
            let identity = Identity {
                key_pkcs8: &key,
                certificate: &cert,
                chain: vec![&ca],
                friendly_name: "printer.local",
            };
            let file = write(&identity, "s3cret", format, &mut counter()).unwrap();
            let opened = read(&file, "s3cret").unwrap();
            assert_eq!(opened.keys.len(), 1);
            assert_eq!(&opened.keys[0][..], &key);
            assert_eq!(opened.certificates, vec![cert.to_vec(), ca.to_vec()]);
            assert_eq!(
                opened.friendly_names,
                vec!["printer.local", "printer.local"]
            );
            assert!(matches!(
                read(&file, "wrong"),
                Err(ReadError::WrongPassword)
            ));
        }
    }

    #[test]
    fn empty_passwords_are_refused() {
        let identity = Identity {
            key_pkcs8: &[],
            certificate: &[],
            chain: vec![],
            friendly_name: "x",
        };
        assert!(write(&identity, "", Pkcs12Format::Apple, &mut counter()).is_err());
    }

    #[test]
    fn garbage_does_not_panic() {
        for input in [&b""[..], b"\x30\x00", b"\x30\x03\x02\x01\x03", b"\x30\x80"] {
            assert!(read(input, "x").is_err());
        }
    }
}
