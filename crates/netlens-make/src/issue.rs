//! The certificates: every byte but the signatures.
//!
//! [`to_sign`] turns a [`Plan`] and the public keys of its roles into to-be-signed
//! certificates (each part encoded by x509-cert's types: names, validity, extensions), each with
//! the role whose key signs it and how. The shell signs them (WebCrypto
//! in the page, RustCrypto in the CLI) and [`assemble`] puts the signatures in. Nothing here
//! reads a clock or draws randomness: the moment is the plan's, and serial numbers are the
//! first 128 bits of SHA-256 over the certificate itself, so the same keys, request and moment
//! give the same certificates in the page and in the CLI, and two different certificates from
//! one CA never share a serial.
//!
//! What each certificate carries, and why:
//! - **root**: CA:TRUE with pathLen 1 (one intermediate below it), keyCertSign and cRLSign, a
//!   subject key identifier, and a common name (iOS lists a root in Certificate Trust Settings
//!   only with CA:TRUE and a CN: mkcert#47). Name constraints only if asked.
//! - **intermediate**: CA:TRUE with pathLen 0, keyCertSign and cRLSign, extended key usage
//!   serverAuth and clientAuth (clients check it chains: `chain.ca-eku-mismatch`), the name
//!   constraints derived from the names (critical), key identifiers.
//! - **server**: CA:FALSE, digitalSignature whatever the key (never keyEncipherment on EC
//!   keys, which mkcert writes; iOS 18.4 checks key usage against the key exchange),
//!   serverAuth only (no clientAuth on server leaves: the Chrome Root Program's rule from
//!   2027-03-15), every name in the SAN (iOS 13 ignores the CN), the authority key identifier.
//! - **client**: CA:FALSE, digitalSignature, clientAuth, the name as CN.

use std::collections::BTreeMap;

use const_oid::AssociatedOid as _;
use der::Encode;
use der::asn1::{Ia5String, OctetString};
use serde::Serialize;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages,
    SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::time::{Time, Validity};

use crate::der_write;
use crate::error::MakeError;
use crate::keys::KeyType;
use crate::names::SubjectName;
use crate::request::{Fixture, Issuer, Placement, Plan, Role};
use crate::scheme::SignatureScheme;

/// One day.
pub const DAY: i64 = 86_400;
/// notBefore is this far before the moment of issue, so that a device whose clock is a little
/// behind accepts the certificate at once.
pub const BACKDATE: i64 = 3_600;

const SERVER_AUTH: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
const CLIENT_AUTH: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");
const COMMON_NAME: const_oid::ObjectIdentifier = const_oid::ObjectIdentifier::new_unwrap("2.5.4.3");

/// Which certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "certificate", content = "which")]
pub enum CertId {
    /// The new root.
    Root,
    /// The new intermediate.
    Ca,
    /// The server certificate.
    Server,
    /// A client identity, by index.
    Client(usize),
    /// A negative fixture.
    Fixture(Fixture),
}

/// The public keys of a plan's roles (SubjectPublicKeyInfo DER).
#[derive(Clone, Debug, Default)]
pub struct PublicKeys(BTreeMap<Role, Vec<u8>>);

impl PublicKeys {
    /// No keys yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `role`'s public key.
    pub fn insert(&mut self, role: Role, spki: Vec<u8>) {
        self.0.insert(role, spki);
    }

    /// `role`'s public key.
    pub fn get(&self, role: Role) -> Option<&[u8]> {
        self.0.get(&role).map(Vec::as_slice)
    }
}

/// A certificate to sign: its to-be-signed DER, whose key signs it, and how.
#[derive(Clone, Debug)]
pub struct ToSign {
    /// Which certificate.
    pub id: CertId,
    /// The TBSCertificate DER: what is signed.
    pub tbs: Vec<u8>,
    /// The role whose private key signs.
    pub signer: Role,
    /// The signer's key type.
    pub signer_key_type: KeyType,
    /// The signature algorithm.
    pub scheme: SignatureScheme,
}

impl ToSign {
    /// The signed certificate's DER, with `signature` (DER for ECDSA).
    pub fn certificate(&self, signature: &[u8]) -> Vec<u8> {
        der_write::sequence(&[
            &self.tbs,
            &self.scheme.algorithm_identifier_der(),
            &der_write::bit_string(signature),
        ])
    }
}

/// The certificates made, as DER.
#[derive(Clone, Debug, Default)]
pub struct Issued {
    /// The new root, or the existing CA's root when the paste had one.
    pub root: Option<Vec<u8>>,
    /// The issuing CA: the new intermediate, or the existing CA.
    pub ca: Vec<u8>,
    /// Certificates between the issuing CA and the root (existing CAs only; the root not
    /// included).
    pub between: Vec<Vec<u8>>,
    /// What clients must trust (the root, or the existing CA when no root was given).
    pub anchor: Vec<u8>,
    /// The server certificate.
    pub server: Option<Vec<u8>>,
    /// Client certificates, in plan order.
    pub clients: Vec<Vec<u8>>,
    /// Fixture certificates that needed one of their own.
    pub fixtures: BTreeMap<Fixture, Vec<u8>>,
}

impl Issued {
    /// The intermediates a server sends after its leaf: the issuing CA unless it is the root
    /// itself, then those between it and the root.
    pub fn intermediates(&self) -> Vec<&[u8]> {
        let mut out = Vec::new();
        if self.root.as_deref() != Some(self.ca.as_slice()) {
            out.push(self.ca.as_slice());
        }
        out.extend(self.between.iter().map(Vec::as_slice));
        out
    }
}

fn encode_err(what: &'static str) -> impl Fn(der::Error) -> MakeError {
    move |e| MakeError::encoding(what, e)
}

fn extension(
    oid: const_oid::ObjectIdentifier,
    critical: bool,
    value: &impl Encode,
) -> Result<Extension, MakeError> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der().map_err(encode_err("extension"))?)
            .map_err(encode_err("extension"))?,
    })
}

/// A name with one common name (UTF8String).
fn cn_name(common_name: &str) -> Result<Name, MakeError> {
    use x509_cert::attr::AttributeTypeAndValue;
    use x509_cert::name::{RdnSequence, RelativeDistinguishedName};
    let value = der::asn1::Utf8StringRef::new(common_name).map_err(encode_err("name"))?;
    let atv = AttributeTypeAndValue {
        oid: COMMON_NAME,
        value: der::asn1::Any::encode_from(&value).map_err(encode_err("name"))?,
    };
    let rdn = RelativeDistinguishedName::try_from(vec![atv]).map_err(encode_err("name"))?;
    Ok(Name::hazmat_from_rdn_sequence(RdnSequence::from(vec![rdn])))
}

/// The key identifier of a SubjectPublicKeyInfo: SHA-1 of its public key bits (RFC 5280
/// §4.2.1.2, method 1; what OpenSSL computes, so the identifiers match what tools expect).
pub fn key_identifier(spki_der: &[u8]) -> Result<Vec<u8>, MakeError> {
    use der::Decode;
    let spki =
        spki::SubjectPublicKeyInfoRef::from_der(spki_der).map_err(encode_err("public key"))?;
    Ok(Sha1::digest(spki.subject_public_key.raw_bytes()).to_vec())
}

fn time(unix: i64) -> Result<Time, MakeError> {
    let secs = u64::try_from(unix).map_err(|_| MakeError::Validity {
        what: "certificate",
        days: 0,
        why: "its dates would fall before 1970.".into(),
    })?;
    let moment = std::time::Duration::from_secs(secs);
    // UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5).
    match der::asn1::UtcTime::from_unix_duration(moment) {
        Ok(utc) => Ok(Time::UtcTime(utc)),
        Err(_) => Ok(Time::GeneralTime(
            der::asn1::GeneralizedTime::from_unix_duration(moment)
                .map_err(encode_err("validity"))?,
        )),
    }
}

/// `days` of validity from `not_before`: notAfter is the last second, so that the lifetime
/// Apple and the CA/B Forum count (inclusive) is exactly `days`.
fn validity(not_before: i64, days: i64) -> Result<Validity, MakeError> {
    Ok(Validity::new(
        time(not_before)?,
        time(not_before + days * DAY - 1)?,
    ))
}

struct Spec {
    id: CertId,
    subject: Name,
    issuer: Name,
    validity: Validity,
    spki: Vec<u8>,
    extensions: Vec<Extension>,
    signer: Role,
    signer_key_type: KeyType,
    scheme: SignatureScheme,
}

/// The TBSCertificate (RFC 5280 §4.1): v3, the serial, the signature algorithm, the names, the
/// validity, the key and the extensions, each part encoded by x509-cert's types.
fn encode_tbs(spec: &Spec, serial: &[u8]) -> Result<Vec<u8>, MakeError> {
    fn der(what: &'static str, value: &impl Encode) -> Result<Vec<u8>, MakeError> {
        value.to_der().map_err(encode_err(what))
    }
    let extensions: Vec<Vec<u8>> = spec
        .extensions
        .iter()
        .map(|e| der("extension", e))
        .collect::<Result<_, _>>()?;
    let extensions: Vec<&[u8]> = extensions.iter().map(Vec::as_slice).collect();
    Ok(der_write::sequence(&[
        &der_write::explicit(0, &der_write::small_integer(2)),
        &der_write::unsigned_integer(serial),
        &spec.scheme.algorithm_identifier_der(),
        &der("issuer", &spec.issuer)?,
        &der("validity", &spec.validity)?,
        &der("subject", &spec.subject)?,
        &spec.spki,
        &der_write::explicit(3, &der_write::sequence(&extensions)),
    ]))
}

/// The TBS with its serial: 128 bits of SHA-256 over the TBS encoded with serial 1, with the
/// top bit clear (a positive INTEGER) and the next set (always 16 bytes long).
fn finish(spec: Spec) -> Result<ToSign, MakeError> {
    let draft = encode_tbs(&spec, &[1])?;
    let digest = Sha256::digest(&draft);
    let mut serial = [0u8; 16];
    serial.copy_from_slice(&digest[..16]);
    serial[0] = (serial[0] & 0x7f) | 0x40;
    Ok(ToSign {
        id: spec.id,
        tbs: encode_tbs(&spec, &serial)?,
        signer: spec.signer,
        signer_key_type: spec.signer_key_type,
        scheme: spec.scheme,
    })
}

fn key_usage(flags: &[KeyUsages]) -> Result<Extension, MakeError> {
    let mut set = flagset::FlagSet::default();
    for f in flags {
        set |= *f;
    }
    extension(KeyUsage::OID, true, &KeyUsage(set))
}

fn basic_constraints(ca: bool, path_len: Option<u8>) -> Result<Extension, MakeError> {
    extension(
        BasicConstraints::OID,
        true,
        &BasicConstraints {
            ca,
            path_len_constraint: path_len,
        },
    )
}

fn ski(spki: &[u8]) -> Result<Extension, MakeError> {
    extension(
        SubjectKeyIdentifier::OID,
        false,
        &SubjectKeyIdentifier(
            OctetString::new(key_identifier(spki)?).map_err(encode_err("key identifier"))?,
        ),
    )
}

fn aki(issuer_spki: &[u8]) -> Result<Extension, MakeError> {
    extension(
        AuthorityKeyIdentifier::OID,
        false,
        &AuthorityKeyIdentifier {
            key_identifier: Some(
                OctetString::new(key_identifier(issuer_spki)?)
                    .map_err(encode_err("key identifier"))?,
            ),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        },
    )
}

fn eku(purposes: &[const_oid::ObjectIdentifier]) -> Result<Extension, MakeError> {
    extension(
        ExtendedKeyUsage::OID,
        false,
        &ExtendedKeyUsage(purposes.to_vec()),
    )
}

fn san(names: &[SubjectName]) -> Result<Extension, MakeError> {
    let mut list = Vec::new();
    for name in names {
        list.push(match name {
            SubjectName::Dns(d) | SubjectName::Wildcard(d) => {
                GeneralName::DnsName(Ia5String::new(d).map_err(encode_err("names"))?)
            }
            SubjectName::Ip(std::net::IpAddr::V4(v4)) => GeneralName::IpAddress(
                OctetString::new(v4.octets().to_vec()).map_err(encode_err("names"))?,
            ),
            SubjectName::Ip(std::net::IpAddr::V6(v6)) => GeneralName::IpAddress(
                OctetString::new(v6.octets().to_vec()).map_err(encode_err("names"))?,
            ),
        });
    }
    extension(SubjectAltName::OID, false, &SubjectAltName(list))
}

/// Key usage a leaf needs: digitalSignature, whatever the key. Signed key exchange (ECDHE, and
/// every TLS 1.3 suite) is all ATS allows, and static-RSA key exchange, the only use of
/// keyEncipherment, is what the CA/B Forum profile advises against beside it (pkilint's
/// `subscriber_rsa_digitalsignature_and_keyencipherment_present`).
fn leaf_key_usage() -> Vec<KeyUsages> {
    vec![KeyUsages::DigitalSignature]
}

/// The default CA name: "netlens Test CA" and the first 4 bytes of the root key's SHA-256, so
/// that two test CAs on one device can be told apart in Settings.
pub fn default_ca_name(root_spki: &[u8]) -> String {
    let digest = Sha256::digest(root_spki);
    format!(
        "netlens Test CA {}",
        netlens_x509::hex::plain(&digest[..4]).to_ascii_uppercase()
    )
}

/// The intermediate's name: the CA's, marked as the issuing one (64 characters at most).
fn intermediate_name(ca_name: &str) -> String {
    const SUFFIX: &str = " Issuing CA";
    let room = 64 - SUFFIX.len();
    let base: String = ca_name.chars().take(room).collect();
    format!("{}{SUFFIX}", base.trim_end())
}

fn key_of<'a>(
    plan: &Plan,
    keys: &'a PublicKeys,
    role: Role,
    expected: KeyType,
) -> Result<&'a [u8], MakeError> {
    let spki = keys.get(role).ok_or_else(|| MakeError::KeyRoleMismatch {
        role: plan.role_name(role),
        why: "it is missing".into(),
    })?;
    match KeyType::of_spki(spki) {
        Some(t) if t == expected => Ok(spki),
        Some(t) => Err(MakeError::KeyRoleMismatch {
            role: plan.role_name(role),
            why: format!(
                "it is {t} but {expected} was asked for; ask for {t} or give a {expected} key"
            ),
        }),
        None => Err(MakeError::KeyRoleMismatch {
            role: plan.role_name(role),
            why: "its public key is not one netlens issues for".into(),
        }),
    }
}

/// Every certificate of `plan` to sign, in signing order (root, intermediate, server, clients,
/// fixtures), from the public keys of its roles ([`Plan::roles`]).
pub fn to_sign(plan: &Plan, keys: &PublicKeys) -> Result<Vec<ToSign>, MakeError> {
    let mut out = Vec::new();
    let not_before = plan.at - BACKDATE;
    let ca_type = plan.ca_key_type();
    let ca_scheme = SignatureScheme::for_key(ca_type, false)?;

    // The issuing CA: new (root and intermediate), or the user's.
    let (ca_subject, ca_spki): (Name, Vec<u8>) = match &plan.issuer {
        Issuer::New { name } => {
            let root_spki = key_of(plan, keys, Role::Root, ca_type)?.to_vec();
            let ca_spki = key_of(plan, keys, Role::Ca, ca_type)?.to_vec();
            let ca_name = name.clone().unwrap_or_else(|| default_ca_name(&root_spki));
            let root_subject = cn_name(&ca_name)?;
            let ca_subject = cn_name(&intermediate_name(&ca_name))?;
            let ca_validity = validity(not_before, i64::from(plan.request.ca_days))?;
            let constraints = plan.constraints.extension()?;

            let mut root_ext = vec![
                basic_constraints(true, Some(1))?,
                key_usage(&[KeyUsages::KeyCertSign, KeyUsages::CRLSign])?,
                ski(&root_spki)?,
            ];
            if plan.request.constraints == Placement::Root {
                root_ext.push(extension(
                    x509_cert::ext::pkix::NameConstraints::OID,
                    true,
                    &constraints,
                )?);
            }
            out.push(finish(Spec {
                id: CertId::Root,
                subject: root_subject.clone(),
                issuer: root_subject.clone(),
                validity: ca_validity,
                spki: root_spki.clone(),
                extensions: root_ext,
                signer: Role::Root,
                signer_key_type: ca_type,
                scheme: ca_scheme,
            })?);

            let mut ca_ext = vec![
                basic_constraints(true, Some(0))?,
                key_usage(&[KeyUsages::KeyCertSign, KeyUsages::CRLSign])?,
                eku(&[SERVER_AUTH, CLIENT_AUTH])?,
            ];
            if plan.request.constraints != Placement::None {
                ca_ext.push(extension(
                    x509_cert::ext::pkix::NameConstraints::OID,
                    true,
                    &constraints,
                )?);
            }
            ca_ext.push(ski(&ca_spki)?);
            ca_ext.push(aki(&root_spki)?);
            out.push(finish(Spec {
                id: CertId::Ca,
                subject: ca_subject.clone(),
                issuer: root_subject,
                validity: ca_validity,
                spki: ca_spki.clone(),
                extensions: ca_ext,
                signer: Role::Root,
                signer_key_type: ca_type,
                scheme: ca_scheme,
            })?);
            (ca_subject, ca_spki)
        }
        Issuer::Existing(ca) => (ca.subject.clone(), ca.spki.clone()),
    };

    let leaf = |id: CertId,
                subject_cn: &str,
                spki: &[u8],
                validity: Validity,
                extensions: Vec<Extension>,
                scheme: SignatureScheme|
     -> Result<ToSign, MakeError> {
        finish(Spec {
            id,
            subject: cn_name(subject_cn)?,
            issuer: ca_subject.clone(),
            validity,
            spki: spki.to_vec(),
            extensions,
            signer: Role::Ca,
            signer_key_type: ca_type,
            scheme,
        })
    };
    let days = i64::from(plan.request.days);

    if let Some(first) = plan.names.first() {
        let spki = key_of(plan, keys, Role::Server, plan.request.key_type)?.to_vec();
        let server_ext = |names: &[SubjectName], purposes: &[const_oid::ObjectIdentifier]| {
            Ok::<_, MakeError>(vec![
                basic_constraints(false, None)?,
                key_usage(&leaf_key_usage())?,
                eku(purposes)?,
                san(names)?,
                aki(&ca_spki)?,
            ])
        };
        let cn = first.to_string();
        out.push(leaf(
            CertId::Server,
            &cn,
            &spki,
            validity(not_before, days)?,
            server_ext(&plan.names, &[SERVER_AUTH])?,
            ca_scheme,
        )?);
        // Each fixture is the server certificate with one thing wrong.
        let wrong = wrong_host(plan);
        for fixture in &plan.fixtures {
            let (mut start, mut lifetime, mut names) = (not_before, days, &plan.names[..]);
            let (mut purpose, mut scheme) = (SERVER_AUTH, ca_scheme);
            match fixture {
                // The server certificate itself, served alone.
                Fixture::MissingIntermediate => continue,
                Fixture::Expired => (start, lifetime) = (plan.at - 30 * DAY - 365 * DAY + 1, 365),
                Fixture::NotYetValid => (start, lifetime) = (plan.at + 365 * DAY, 365),
                Fixture::WrongHost => names = std::slice::from_ref(&wrong),
                Fixture::Over825Days => lifetime = 826,
                Fixture::Sha1Signed => scheme = SignatureScheme::for_key(ca_type, true)?,
                Fixture::NoServerauth => purpose = CLIENT_AUTH,
            }
            out.push(leaf(
                CertId::Fixture(*fixture),
                &names.first().map(ToString::to_string).unwrap_or_default(),
                &spki,
                validity(start, lifetime)?,
                server_ext(names, &[purpose])?,
                scheme,
            )?);
        }
    }

    for (i, client) in plan.clients.iter().enumerate() {
        let spki = key_of(plan, keys, Role::Client(i), plan.request.key_type)?.to_vec();
        out.push(leaf(
            CertId::Client(i),
            client,
            &spki,
            validity(not_before, days)?,
            vec![
                basic_constraints(false, None)?,
                key_usage(&leaf_key_usage())?,
                eku(&[CLIENT_AUTH])?,
                aki(&ca_spki)?,
            ],
            ca_scheme,
        )?);
    }
    Ok(out)
}

/// The wrong-host fixture's name: under the first permitted DNS name, so that it stays inside
/// the CA's name constraints and a client reports the host mismatch rather than a constraint
/// violation; `wrong-host.invalid` when there is no DNS name to put it under.
pub fn wrong_host(plan: &Plan) -> SubjectName {
    match plan.constraints.dns.first() {
        Some(base) => SubjectName::Dns(format!("wrong-host.{base}")),
        None => SubjectName::Dns("wrong-host.invalid".into()),
    }
}

/// Puts the signatures in: `signatures[i]` signs `to_sign[i]` (DER for ECDSA).
pub fn assemble(
    plan: &Plan,
    to_sign: &[ToSign],
    signatures: &[Vec<u8>],
) -> Result<Issued, MakeError> {
    if signatures.len() != to_sign.len() {
        return Err(MakeError::Signature {
            certificate: "certificates".into(),
            why: format!(
                "{} signatures for {} certificates",
                signatures.len(),
                to_sign.len()
            ),
        });
    }
    let mut issued = Issued::default();
    for (item, signature) in to_sign.iter().zip(signatures) {
        item.scheme
            .check_length(item.signer_key_type, signature)
            .map_err(|why| MakeError::Signature {
                certificate: format!("{:?}", item.id).to_lowercase(),
                why: why.to_string(),
            })?;
        let der = item.certificate(signature);
        match item.id {
            CertId::Root => issued.root = Some(der),
            CertId::Ca => issued.ca = der,
            CertId::Server => issued.server = Some(der),
            CertId::Client(_) => issued.clients.push(der),
            CertId::Fixture(f) => {
                issued.fixtures.insert(f, der);
            }
        }
    }
    match &plan.issuer {
        Issuer::New { .. } => {
            issued.anchor = issued.root.clone().unwrap_or_default();
        }
        Issuer::Existing(ca) => {
            issued.ca = ca.certificate.clone();
            let root_included = ca.anchor_is_root;
            let mut between = ca.above.clone();
            if root_included {
                issued.root = between.pop().or_else(|| Some(ca.certificate.clone()));
            }
            issued.between = between;
            issued.anchor = ca.anchor.clone();
        }
    }
    Ok(issued)
}
