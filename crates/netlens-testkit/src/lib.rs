//! # netlens-testkit: real certificates for tests, made deterministically
//!
//! Tests must prove behaviour on real certificates, not on strings that look like them. This
//! crate issues them: real keys (P-256, P-384, Ed25519, RSA), real signatures, real extensions,
//! through x509-cert's builder. Everything is derived from a seed string, so the same spec gives
//! the same bytes on every run and machine (ECDSA signing is RFC 6979-deterministic; RSA keys
//! come from a seeded ChaCha20 stream). That makes failures reproducible and lets the fixture
//! files under `fixtures/` be checked for drift instead of trusted blindly.
//!
//! Never shipped: only tests, the fixture generator and developer tools depend on it.

use std::net::IpAddr;
use std::str::FromStr;

use const_oid::ObjectIdentifier;
use der::Encode;
use der::asn1::{Ia5String, OctetString};
use rand_core::SeedableRng;
use sha2::{Digest, Sha256, Sha384};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints,
    CrlDistributionPoints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectAltName,
    SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, spki};

pub use x509_cert::ext::pkix::KeyUsages as Usage;

pub mod staple;

/// Well-known OIDs tests need.
pub mod oid {
    use const_oid::ObjectIdentifier;
    /// id-kp-serverAuth.
    pub const SERVER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
    /// id-kp-clientAuth.
    pub const CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
    /// CA/B Forum domain-validated policy.
    pub const DV_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.140.1.2.1");
    /// Embedded SCT list extension.
    pub const SCT_LIST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.4.2");
    /// TLS feature extension.
    pub const TLS_FEATURE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.1.24");
    /// AIA OCSP access method.
    pub const AD_OCSP: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.1");
    /// AIA CA issuers access method.
    pub const AD_CA_ISSUERS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.48.2");
}

/// Key algorithms the kit can generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// ECDSA P-256, signing with SHA-256.
    P256,
    /// ECDSA P-384, signing with SHA-384.
    P384,
    /// Ed25519.
    Ed25519,
    /// RSA with the given modulus size, signing PKCS#1 v1.5 with SHA-256.
    Rsa(usize),
}

/// A key pair derived from a seed.
#[derive(Clone)]
pub enum Key {
    /// P-256.
    P256(p256::ecdsa::SigningKey),
    /// P-384.
    P384(p384::ecdsa::SigningKey),
    /// Ed25519.
    Ed25519(ed25519_dalek::SigningKey),
    /// RSA.
    Rsa(Box<rsa::PrivateKey>),
}

/// Errors from the kit (tests treat them as failures).
pub type Error = Box<dyn std::error::Error + Send + Sync>;

impl Key {
    /// The private key as PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), for a real TLS server
    /// in a test (`openssl s_server -key`). EC keys only.
    pub fn pkcs8_pem(&self) -> Result<String, Error> {
        use p256::pkcs8::EncodePrivateKey as _;
        let der = match self {
            Key::P256(k) => k.to_pkcs8_der()?.as_bytes().to_vec(),
            Key::P384(k) => k.to_pkcs8_der()?.as_bytes().to_vec(),
            _ => return Err("pkcs8_pem: only P-256 and P-384 keys".into()),
        };
        Ok(pem_with_label(&der, "PRIVATE KEY"))
    }

    /// Derives a key of `algorithm` from `seed`. Same seed, same key.
    pub fn generate(algorithm: KeyAlgorithm, seed: &str) -> Result<Self, Error> {
        let digest = Sha384::digest(format!("netlens-testkit/{seed}").as_bytes());
        Ok(match algorithm {
            KeyAlgorithm::P256 => Key::P256(p256::ecdsa::SigningKey::from_slice(&digest[..32])?),
            KeyAlgorithm::P384 => Key::P384(p384::ecdsa::SigningKey::from_slice(&digest)?),
            KeyAlgorithm::Ed25519 => {
                let mut secret = [0u8; 32];
                secret.copy_from_slice(&digest[..32]);
                Key::Ed25519(ed25519_dalek::SigningKey::from_bytes(&secret))
            }
            KeyAlgorithm::Rsa(bits) => {
                let mut seed32 = [0u8; 32];
                seed32.copy_from_slice(&digest[..32]);
                let mut rng = rand_chacha::ChaCha20Rng::from_seed(seed32);
                Key::Rsa(Box::new(rsa::PrivateKey::new(&mut rng, bits)?))
            }
        })
    }

    /// The public key as a SubjectPublicKeyInfo.
    pub fn spki(&self) -> Result<SubjectPublicKeyInfoOwned, Error> {
        Ok(match self {
            Key::P256(k) => SubjectPublicKeyInfoOwned::from_key(k.verifying_key())?,
            Key::P384(k) => SubjectPublicKeyInfoOwned::from_key(k.verifying_key())?,
            Key::Ed25519(k) => SubjectPublicKeyInfoOwned::from_key(&k.verifying_key())?,
            Key::Rsa(k) => SubjectPublicKeyInfoOwned::from_key(&k.to_public_key())?,
        })
    }

    /// SHA-256 of the public key bits, truncated to 20 bytes: the key identifier used for
    /// SKI / AKI (RFC 7093 §2 method 1).
    pub fn key_id(&self) -> Result<Vec<u8>, Error> {
        let spki = self.spki()?;
        Ok(Sha256::digest(spki.subject_public_key.raw_bytes())[..20].to_vec())
    }
}

/// What to put in a certificate. Start from [`CertSpec::leaf`], [`CertSpec::ca`] or
/// [`CertSpec::new`] and set fields.
#[derive(Clone, Debug)]
pub struct CertSpec {
    /// Subject in RFC 4514 form, e.g. `CN=example.com,O=Example,C=US`.
    pub subject: String,
    /// Serial number bytes (big endian, positive).
    pub serial: Vec<u8>,
    /// notBefore, Unix seconds.
    pub not_before: i64,
    /// notAfter, Unix seconds.
    pub not_after: i64,
    /// Basic constraints: `None` omits the extension; `Some((ca, path_len))` adds it (critical).
    pub basic_constraints: Option<(bool, Option<u8>)>,
    /// Key usage bits; empty omits the extension.
    pub key_usage: Vec<KeyUsages>,
    /// Extended key usages; empty omits the extension.
    pub extended_key_usage: Vec<ObjectIdentifier>,
    /// DNS SANs.
    pub dns_names: Vec<String>,
    /// IP SANs.
    pub ip_addresses: Vec<IpAddr>,
    /// Email SANs.
    pub emails: Vec<String>,
    /// URI SANs.
    pub uris: Vec<String>,
    /// AIA OCSP URLs.
    pub ocsp_urls: Vec<String>,
    /// AIA CA issuer URLs.
    pub ca_issuer_urls: Vec<String>,
    /// CRL distribution point URLs.
    pub crl_urls: Vec<String>,
    /// Add a subject key identifier.
    pub subject_key_id: bool,
    /// Add an authority key identifier (the issuer's key ID).
    pub authority_key_id: bool,
    /// Any further extensions, encoded by the caller.
    pub extra_extensions: Vec<Extension>,
    /// Digest the issuer signs with, for RSA issuers (ECDSA keys use their curve's hash).
    pub signature_hash: SignatureHash,
    /// Put this public key in the certificate instead of the subject key's (for leaves whose key
    /// is never used to verify anything: weak or unusual key types).
    pub spki_override: Option<SubjectPublicKeyInfoOwned>,
}

/// Digest for RSA PKCS#1 v1.5 signatures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SignatureHash {
    /// SHA-1 (for tests of weak-signature rules).
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256 (the default).
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
}

/// 2025-01-01T00:00:00Z, a fixed reference date for fixtures.
pub const JAN_2025: i64 = 1_735_689_600;
/// One day in seconds.
pub const DAY: i64 = 86_400;

impl CertSpec {
    /// A bare v3 certificate: subject, serial 1, valid 2025-01-01 for 365 days, SKI and AKI.
    pub fn new(subject: &str) -> Self {
        Self {
            subject: subject.to_owned(),
            serial: vec![0x01],
            not_before: JAN_2025,
            not_after: JAN_2025 + 365 * DAY - 1,
            basic_constraints: None,
            key_usage: Vec::new(),
            extended_key_usage: Vec::new(),
            dns_names: Vec::new(),
            ip_addresses: Vec::new(),
            emails: Vec::new(),
            uris: Vec::new(),
            ocsp_urls: Vec::new(),
            ca_issuer_urls: Vec::new(),
            crl_urls: Vec::new(),
            subject_key_id: true,
            authority_key_id: true,
            extra_extensions: Vec::new(),
            signature_hash: SignatureHash::Sha256,
            spki_override: None,
        }
    }

    /// A CA certificate: basicConstraints CA:TRUE (critical), keyCertSign + cRLSign.
    pub fn ca(subject: &str, path_len: Option<u8>) -> Self {
        Self {
            basic_constraints: Some((true, path_len)),
            key_usage: vec![KeyUsages::KeyCertSign, KeyUsages::CRLSign],
            not_after: JAN_2025 + 20 * 365 * DAY,
            ..Self::new(subject)
        }
    }

    /// A TLS server leaf for `dns_name`: CN and SAN, serverAuth, digitalSignature, CA:FALSE.
    pub fn leaf(dns_name: &str) -> Self {
        Self {
            basic_constraints: Some((false, None)),
            key_usage: vec![KeyUsages::DigitalSignature],
            extended_key_usage: vec![oid::SERVER_AUTH],
            dns_names: vec![dns_name.to_owned()],
            ..Self::new(&format!("CN={dns_name}"))
        }
    }

    /// Sets the validity period.
    pub fn valid(mut self, not_before: i64, not_after: i64) -> Self {
        self.not_before = not_before;
        self.not_after = not_after;
        self
    }

    /// Sets the serial number.
    pub fn serial(mut self, serial: &[u8]) -> Self {
        self.serial = serial.to_vec();
        self
    }
}

/// An issued certificate with its key.
#[derive(Clone)]
pub struct Issued {
    /// The certificate.
    pub certificate: Certificate,
    /// Its DER encoding.
    pub der: Vec<u8>,
    /// Its subject's key.
    pub key: Key,
}

impl Issued {
    /// PEM armor of the certificate.
    pub fn pem(&self) -> String {
        pem(&self.der)
    }
}

/// PEM armor for DER bytes.
pub fn pem(der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// Encodes an extension value.
pub fn extension(
    oid: ObjectIdentifier,
    critical: bool,
    value: &impl Encode,
) -> Result<Extension, Error> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

struct SpecProfile {
    subject: Name,
    issuer: Name,
    extensions: Vec<Extension>,
}

impl BuilderProfile for SpecProfile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: spki::SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: spki::SubjectPublicKeyInfoRef<'_>,
        _tbs: &x509_cert::TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        Ok(self.extensions.clone())
    }
}

fn uri(url: &str) -> Result<GeneralName, Error> {
    Ok(GeneralName::UniformResourceIdentifier(Ia5String::new(url)?))
}

fn time(unix: i64) -> Result<Time, Error> {
    let secs = u64::try_from(unix)?;
    Ok(Time::GeneralTime(
        der::asn1::GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(secs))?,
    ))
}

fn extensions_for(
    spec: &CertSpec,
    subject_key: &Key,
    issuer_key: &Key,
) -> Result<Vec<Extension>, Error> {
    let mut exts = Vec::new();
    if let Some((ca, path_len)) = spec.basic_constraints {
        exts.push(extension(
            BasicConstraints::OID,
            true,
            &BasicConstraints {
                ca,
                path_len_constraint: path_len,
            },
        )?);
    }
    if !spec.key_usage.is_empty() {
        let mut flags = flagset::FlagSet::default();
        for u in &spec.key_usage {
            flags |= *u;
        }
        exts.push(extension(KeyUsage::OID, true, &KeyUsage(flags))?);
    }
    if !spec.extended_key_usage.is_empty() {
        exts.push(extension(
            ExtendedKeyUsage::OID,
            false,
            &ExtendedKeyUsage(spec.extended_key_usage.clone()),
        )?);
    }
    let mut sans = Vec::new();
    for d in &spec.dns_names {
        sans.push(GeneralName::DnsName(Ia5String::new(d)?));
    }
    for ip in &spec.ip_addresses {
        let bytes = match ip {
            IpAddr::V4(v4) => v4.octets().to_vec(),
            IpAddr::V6(v6) => v6.octets().to_vec(),
        };
        sans.push(GeneralName::IpAddress(OctetString::new(bytes)?));
    }
    for e in &spec.emails {
        sans.push(GeneralName::Rfc822Name(Ia5String::new(e)?));
    }
    for u in &spec.uris {
        sans.push(uri(u)?);
    }
    if !sans.is_empty() {
        exts.push(extension(
            SubjectAltName::OID,
            false,
            &SubjectAltName(sans),
        )?);
    }
    if spec.subject_key_id {
        exts.push(extension(
            SubjectKeyIdentifier::OID,
            false,
            &SubjectKeyIdentifier(OctetString::new(subject_key.key_id()?)?),
        )?);
    }
    if spec.authority_key_id {
        exts.push(extension(
            AuthorityKeyIdentifier::OID,
            false,
            &AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(issuer_key.key_id()?)?),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            },
        )?);
    }
    let mut access = Vec::new();
    for url in &spec.ocsp_urls {
        access.push(AccessDescription {
            access_method: oid::AD_OCSP,
            access_location: uri(url)?,
        });
    }
    for url in &spec.ca_issuer_urls {
        access.push(AccessDescription {
            access_method: oid::AD_CA_ISSUERS,
            access_location: uri(url)?,
        });
    }
    if !access.is_empty() {
        exts.push(extension(
            AuthorityInfoAccessSyntax::OID,
            false,
            &AuthorityInfoAccessSyntax(access),
        )?);
    }
    if !spec.crl_urls.is_empty() {
        let points = spec
            .crl_urls
            .iter()
            .map(|u| {
                Ok(DistributionPoint {
                    distribution_point: Some(DistributionPointName::FullName(vec![uri(u)?])),
                    reasons: None,
                    crl_issuer: None,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        exts.push(extension(
            CrlDistributionPoints::OID,
            false,
            &CrlDistributionPoints(points),
        )?);
    }
    exts.extend(spec.extra_extensions.iter().cloned());
    Ok(exts)
}

use const_oid::AssociatedOid as _;

fn build(
    spec: &CertSpec,
    subject_key: Key,
    issuer_name: Name,
    issuer_key: &Key,
) -> Result<Issued, Error> {
    let subject = Name::from_str(&spec.subject)?;
    let profile = SpecProfile {
        subject,
        issuer: issuer_name,
        extensions: extensions_for(spec, &subject_key, issuer_key)?,
    };
    let validity = Validity::new(time(spec.not_before)?, time(spec.not_after)?);
    let spki = match &spec.spki_override {
        Some(spki) => spki.clone(),
        None => subject_key.spki()?,
    };
    let builder =
        CertificateBuilder::new(profile, SerialNumber::new(&spec.serial)?, validity, spki)?;
    let certificate = match issuer_key {
        Key::P256(k) => builder.build::<_, p256::ecdsa::DerSignature>(k)?,
        Key::P384(k) => builder.build::<_, p384::ecdsa::DerSignature>(k)?,
        Key::Ed25519(k) => builder.build::<_, ed25519_dalek::Signature>(k)?,
        Key::Rsa(k) => builder.build::<_, rsa::pkcs1v15::Signature>(
            &rsa::pkcs1v15::SigningKey::<Sha256>::new((**k).clone()),
        )?,
    };
    if spec.signature_hash != SignatureHash::Sha256 && matches!(issuer_key, Key::Rsa(_)) {
        // rsa's typed signers stop at SHA-256+; older digests go through the raw scheme.
        let der = resign_hashed(
            &certificate.to_der()?,
            issuer_key,
            spec.signature_hash,
            false,
            |_| {},
        )?;
        let certificate = der::Decode::from_der(&der)?;
        return Ok(Issued {
            certificate,
            der,
            key: subject_key,
        });
    }
    let der = certificate.to_der()?;
    Ok(Issued {
        certificate,
        der,
        key: subject_key,
    })
}

/// Issues a self-signed certificate for `spec` with `key`.
pub fn self_signed(spec: &CertSpec, key: Key) -> Result<Issued, Error> {
    let name = Name::from_str(&spec.subject)?;
    let signer = key.clone();
    build(spec, key, name, &signer)
}

/// Issues a certificate for `spec` and `subject_key`, signed by `issuer`.
pub fn issue(spec: &CertSpec, subject_key: Key, issuer: &Issued) -> Result<Issued, Error> {
    let issuer_name = issuer.certificate.tbs_certificate().subject().clone();
    build(spec, subject_key, issuer_name, &issuer.key)
}

/// A root → intermediate → leaf chain.
#[derive(Clone)]
pub struct Chain {
    /// Self-signed root (RSA 4096 when built by [`demo_chain`]).
    pub root: Issued,
    /// Intermediate CA (P-384).
    pub intermediate: Issued,
    /// Server leaf (P-256).
    pub leaf: Issued,
}

impl Chain {
    /// The chain as a server sends it, leaf first, root included: three PEM blocks.
    pub fn pem(&self) -> String {
        format!(
            "{}{}{}",
            self.leaf.pem(),
            self.intermediate.pem(),
            self.root.pem()
        )
    }
}

/// Encodes an SCT list extension with `count` syntactically valid v1 SCTs (signatures are
/// placeholders: no log signed them), for decoder tests.
pub fn sct_list_extension(count: u8, first_timestamp_ms: u64) -> Result<Extension, Error> {
    let mut list = Vec::new();
    for i in 0..count {
        let mut sct = vec![0u8]; // v1
        sct.extend_from_slice(&Sha256::digest([b'l', b'o', b'g', i])); // log id
        sct.extend_from_slice(&(first_timestamp_ms + u64::from(i) * 1000).to_be_bytes());
        sct.extend_from_slice(&[0, 0]); // no extensions
        sct.extend_from_slice(&[4, 3]); // SHA-256 / ECDSA
        let signature = [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01];
        sct.extend_from_slice(&u16::try_from(signature.len())?.to_be_bytes());
        sct.extend_from_slice(&signature);
        list.extend_from_slice(&u16::try_from(sct.len())?.to_be_bytes());
        list.extend_from_slice(&sct);
    }
    let mut tls = u16::try_from(list.len())?.to_be_bytes().to_vec();
    tls.extend_from_slice(&list);
    extension(oid::SCT_LIST, false, &OctetString::new(tls)?)
}

/// The demo chain used across netlens' tests and fixtures: an RSA-4096 root, a P-384
/// intermediate and a P-256 leaf for `www.netlens.test` with the extensions a public CA puts in
/// a server certificate (SANs, EKU, AIA, CRL DP, DV policy, 3 SCTs).
pub fn demo_chain() -> Result<Chain, Error> {
    let root = self_signed(
        &CertSpec {
            authority_key_id: false,
            ..CertSpec::ca("CN=Netlens Test Root CA,O=Netlens Test PKI,C=US", None)
        }
        .serial(&[0x5E, 0xED, 0x01]),
        Key::generate(KeyAlgorithm::Rsa(4096), "demo-root")?,
    )?;
    let intermediate = issue(
        &CertSpec {
            extended_key_usage: vec![oid::SERVER_AUTH, oid::CLIENT_AUTH],
            ocsp_urls: vec!["http://ocsp.netlens.test".to_owned()],
            ca_issuer_urls: vec!["http://pki.netlens.test/root.cer".to_owned()],
            crl_urls: vec!["http://pki.netlens.test/root.crl".to_owned()],
            ..CertSpec::ca(
                "CN=Netlens Test Issuing CA 1,O=Netlens Test PKI,C=US",
                Some(0),
            )
        }
        .serial(&[0x5E, 0xED, 0x02])
        .valid(JAN_2025, JAN_2025 + 10 * 365 * DAY),
        Key::generate(KeyAlgorithm::P384, "demo-intermediate")?,
        &root,
    )?;
    let policies = x509_cert::ext::pkix::CertificatePolicies(vec![
        x509_cert::ext::pkix::certpolicy::PolicyInformation {
            policy_identifier: oid::DV_POLICY,
            policy_qualifiers: None,
        },
    ]);
    let leaf = issue(
        &CertSpec {
            dns_names: vec!["www.netlens.test".to_owned(), "netlens.test".to_owned()],
            ip_addresses: vec![
                IpAddr::from([192, 0, 2, 10]),
                IpAddr::from_str("2001:db8::10")?,
            ],
            ocsp_urls: vec!["http://ocsp.netlens.test".to_owned()],
            ca_issuer_urls: vec!["http://pki.netlens.test/issuing-ca-1.cer".to_owned()],
            crl_urls: vec!["http://pki.netlens.test/issuing-ca-1.crl".to_owned()],
            extra_extensions: vec![
                extension(
                    x509_cert::ext::pkix::CertificatePolicies::OID,
                    false,
                    &policies,
                )?,
                sct_list_extension(3, 1_767_225_600_000)?,
            ],
            ..CertSpec::leaf("www.netlens.test")
        }
        .serial(&[0x0A, 0x1B, 0x2C, 0x3D, 0x4E, 0x5F, 0x60, 0x71])
        // 2026-01-01 for 397 days, the longest a public CA issued before March 2026.
        .valid(1_767_225_600, 1_767_225_600 + 397 * DAY - 1),
        Key::generate(KeyAlgorithm::P256, "demo-leaf")?,
        &intermediate,
    )?;
    Ok(Chain {
        root,
        intermediate,
        leaf,
    })
}

/// DER tag-length-value with a definite length.
pub fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

/// A PKCS#7 certs-only bundle (degenerate SignedData, RFC 5652 §5), as `.p7b` files hold.
pub fn pkcs7_bundle(certificates: &[&[u8]]) -> Vec<u8> {
    const SIGNED_DATA: [u8; 9] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];
    const DATA: [u8; 9] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01];
    let certs: Vec<u8> = certificates.concat();
    let signed_data = [
        der_tlv(0x02, &[0x01]),               // version 1
        der_tlv(0x31, &[]),                   // digestAlgorithms: none
        der_tlv(0x30, &der_tlv(0x06, &DATA)), // encapContentInfo: data, no content
        der_tlv(0xA0, &certs),                // certificates [0] IMPLICIT
        der_tlv(0x31, &[]),                   // signerInfos: none
    ]
    .concat();
    der_tlv(
        0x30,
        &[
            der_tlv(0x06, &SIGNED_DATA),
            der_tlv(0xA0, &der_tlv(0x30, &signed_data)),
        ]
        .concat(),
    )
}

/// Armors any DER as PEM with `label`.
pub fn pem_with_label(der: &[u8], label: &str) -> String {
    pem(der).replace("CERTIFICATE", label)
}

static DEMO_CHAIN: std::sync::OnceLock<Result<Chain, String>> = std::sync::OnceLock::new();

/// [`demo_chain`], built once per process (the RSA-4096 root key takes a moment).
pub fn demo_chain_cached() -> Result<Chain, Error> {
    DEMO_CHAIN
        .get_or_init(|| demo_chain().map_err(|e| e.to_string()))
        .clone()
        .map_err(Error::from)
}

/// The fixture files committed under `fixtures/`, by name, generated from [`demo_chain`].
/// `netlens-fixtures` writes them; a test checks the committed copies never drift.
pub fn fixture_files() -> Result<Vec<(&'static str, Vec<u8>)>, Error> {
    let chain = demo_chain_cached()?;
    let bundle = pkcs7_bundle(&[&chain.leaf.der, &chain.intermediate.der, &chain.root.der]);
    // A shared-hosting style certificate with 300 DNS names (UI list limits).
    let many_sans = issue(
        &CertSpec {
            dns_names: (1..=300).map(|i| format!("site{i}.netlens.test")).collect(),
            ..CertSpec::leaf("site1.netlens.test").valid(1_767_225_600, 1_767_225_600 + 90 * DAY)
        },
        Key::generate(KeyAlgorithm::P256, "many-sans")?,
        &chain.intermediate,
    )?;
    Ok(vec![
        ("many-sans.pem", many_sans.pem().into_bytes()),
        ("demo-chain.pem", chain.pem().into_bytes()),
        ("demo-leaf.der", chain.leaf.der.clone()),
        ("demo-root.der", chain.root.der.clone()),
        ("demo-chain.p7b", bundle),
    ])
}

/// The directory holding the committed fixtures.
pub fn fixtures_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Signs `message` the plain way for `key`: returns the DER AlgorithmIdentifier and the
/// signature bytes (ECDSA in DER). RSA signs PKCS#1 v1.5 with SHA-256.
pub fn sign_raw(key: &Key, message: &[u8]) -> Result<(Vec<u8>, Vec<u8>), Error> {
    sign_raw_hashed(key, message, SignatureHash::Sha256)
}

/// [`sign_raw`] with a chosen digest for RSA keys.
pub fn sign_raw_hashed(
    key: &Key,
    message: &[u8],
    hash: SignatureHash,
) -> Result<(Vec<u8>, Vec<u8>), Error> {
    use signature::Signer;
    const ECDSA_SHA256: [u8; 8] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02];
    const ECDSA_SHA384: [u8; 8] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x03];
    const ED25519: [u8; 3] = [0x2B, 0x65, 0x70];
    const RSA_SHA256: [u8; 9] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B];
    Ok(match key {
        Key::P256(k) => {
            let sig: p256::ecdsa::DerSignature = k.try_sign(message)?;
            (
                der_tlv(0x30, &der_tlv(0x06, &ECDSA_SHA256)),
                sig.as_bytes().to_vec(),
            )
        }
        Key::P384(k) => {
            let sig: p384::ecdsa::DerSignature = k.try_sign(message)?;
            (
                der_tlv(0x30, &der_tlv(0x06, &ECDSA_SHA384)),
                sig.as_bytes().to_vec(),
            )
        }
        Key::Ed25519(k) => {
            let sig: ed25519_dalek::Signature = k.try_sign(message)?;
            (
                der_tlv(0x30, &der_tlv(0x06, &ED25519)),
                sig.to_bytes().to_vec(),
            )
        }
        Key::Rsa(k) => {
            use rsa::pkcs1v15::Pkcs1v15Sign;
            let (last_arc, padding, hashed) = match hash {
                SignatureHash::Sha1 => (
                    5,
                    Pkcs1v15Sign::new::<sha1::Sha1>(),
                    sha1::Sha1::digest(message).to_vec(),
                ),
                SignatureHash::Sha224 => (
                    14,
                    Pkcs1v15Sign::new::<sha2::Sha224>(),
                    sha2::Sha224::digest(message).to_vec(),
                ),
                SignatureHash::Sha256 => (
                    11,
                    Pkcs1v15Sign::new::<Sha256>(),
                    Sha256::digest(message).to_vec(),
                ),
                SignatureHash::Sha384 => (
                    12,
                    Pkcs1v15Sign::new::<Sha384>(),
                    Sha384::digest(message).to_vec(),
                ),
            };
            let mut oid = RSA_SHA256.to_vec();
            if let Some(last) = oid.last_mut() {
                *last = last_arc;
            }
            let sig = k.sign(padding, &hashed)?;
            (
                der_tlv(0x30, &[der_tlv(0x06, &oid), vec![0x05, 0x00]].concat()),
                sig,
            )
        }
    })
}

/// The DER fields of a certificate's tbsCertificate, in order (version, serial, signature,
/// issuer, validity, subject, SPKI, [extensions]).
pub fn tbs_fields(cert_der: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
    let mut fields = Vec::new();
    let outer = tlv_content(cert_der)?;
    let tbs = first_tlv(outer)?;
    let mut rest = tlv_content(tbs)?;
    while !rest.is_empty() {
        let field = first_tlv(rest)?;
        fields.push(field.to_vec());
        rest = &rest[field.len()..];
    }
    Ok(fields)
}

fn header_len(data: &[u8]) -> Result<(usize, usize), Error> {
    let first = *data.get(1).ok_or("truncated DER")?;
    if first < 0x80 {
        return Ok((2, usize::from(first)));
    }
    let n = usize::from(first & 0x7F);
    let len = data
        .get(2..2 + n)
        .ok_or("truncated DER")?
        .iter()
        .fold(0usize, |a, &b| a << 8 | usize::from(b));
    Ok((2 + n, len))
}

fn first_tlv(data: &[u8]) -> Result<&[u8], Error> {
    let (h, len) = header_len(data)?;
    Ok(data.get(..h + len).ok_or("truncated DER")?)
}

fn tlv_content(data: &[u8]) -> Result<&[u8], Error> {
    let (h, len) = header_len(data)?;
    Ok(data.get(h..h + len).ok_or("truncated DER")?)
}

/// Re-signs a certificate after editing its tbsCertificate fields: the surgery tests need for
/// encodings no well-behaved builder produces (negative serials, empty issuers, mismatched
/// algorithms). `edit` gets the TBS fields; the TBS `signature` field is set to the signer's
/// algorithm unless `keep_inner_algorithm` is true, and the outer algorithm is always the
/// signer's, so a test can make the two differ.
pub fn resign(
    cert_der: &[u8],
    issuer: &Key,
    keep_inner_algorithm: bool,
    edit: impl FnOnce(&mut Vec<Vec<u8>>),
) -> Result<Vec<u8>, Error> {
    resign_hashed(
        cert_der,
        issuer,
        SignatureHash::Sha256,
        keep_inner_algorithm,
        edit,
    )
}

/// [`resign`] with a chosen digest for RSA issuers.
pub fn resign_hashed(
    cert_der: &[u8],
    issuer: &Key,
    hash: SignatureHash,
    keep_inner_algorithm: bool,
    edit: impl FnOnce(&mut Vec<Vec<u8>>),
) -> Result<Vec<u8>, Error> {
    let mut fields = tbs_fields(cert_der)?;
    edit(&mut fields);
    let (alg, _) = sign_raw_hashed(issuer, b"probe", hash)?;
    let sig_index = if fields.first().is_some_and(|f| f.first() == Some(&0xA0)) {
        2
    } else {
        1
    };
    if !keep_inner_algorithm && let Some(f) = fields.get_mut(sig_index) {
        *f = alg.clone();
    }
    let tbs = der_tlv(0x30, &fields.concat());
    let (alg, sig) = sign_raw_hashed(issuer, &tbs, hash)?;
    let mut bits = vec![0u8];
    bits.extend_from_slice(&sig);
    Ok(der_tlv(0x30, &[tbs, alg, der_tlv(0x03, &bits)].concat()))
}

/// A SubjectPublicKeyInfo for an EC key on the curve with `curve_oid`, with an arbitrary point:
/// for leaves whose key only needs to be *described* (P-192, P-224…), never used.
pub fn ec_spki(
    curve_oid: &str,
    coordinate_bytes: usize,
) -> Result<SubjectPublicKeyInfoOwned, Error> {
    use der::Decode;
    let ec = ObjectIdentifier::new("1.2.840.10045.2.1")?;
    let curve = ObjectIdentifier::new(curve_oid)?;
    let alg = der_tlv(
        0x30,
        &[
            der_tlv(0x06, ec.as_bytes()),
            der_tlv(0x06, curve.as_bytes()),
        ]
        .concat(),
    );
    let mut point = vec![0x00, 0x04];
    point.extend((0..coordinate_bytes * 2).map(|i| (i * 7 + 1) as u8));
    Ok(SubjectPublicKeyInfoOwned::from_der(&der_tlv(
        0x30,
        &[alg, der_tlv(0x03, &point)].concat(),
    ))?)
}

/// A CRL issued by `issuer` listing `revoked` serial numbers, with CRL number `number`.
pub fn crl(issuer: &Issued, revoked: &[&[u8]], number: u32) -> Result<Vec<u8>, Error> {
    use x509_cert::crl::RevokedCert;
    use x509_cert::ext::pkix::CrlNumber;
    let entries: Vec<RevokedCert> = revoked
        .iter()
        .map(|serial| {
            Ok(RevokedCert {
                serial_number: SerialNumber::new(serial)?,
                revocation_date: time(JAN_2025 + 30 * DAY)?,
                crl_entry_extensions: None,
            })
        })
        .collect::<Result<_, Error>>()?;
    let builder = x509_cert::builder::CrlBuilder::new_with_this_update(
        &issuer.certificate,
        CrlNumber(der::asn1::Uint::new(&number.to_be_bytes())?),
        time(JAN_2025 + 40 * DAY)?,
    )?
    .with_next_update(Some(time(JAN_2025 + 3650 * DAY)?))
    .with_certificates(entries.into_iter());
    let list = match &issuer.key {
        Key::P256(k) => builder.build::<_, p256::ecdsa::DerSignature>(k)?,
        Key::P384(k) => builder.build::<_, p384::ecdsa::DerSignature>(k)?,
        Key::Ed25519(k) => builder.build::<_, ed25519_dalek::Signature>(k)?,
        Key::Rsa(k) => builder.build::<_, rsa::pkcs1v15::Signature>(
            &rsa::pkcs1v15::SigningKey::<Sha256>::new((**k).clone()),
        )?,
    };
    Ok(list.to_der()?)
}
