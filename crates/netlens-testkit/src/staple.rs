//! What a server sends beside its certificates, made for tests: SCT lists signed by test logs
//! (with the log list that knows them) and OCSP responses signed by an issuer.

use base64::Engine as _;
use der::Encode;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::{Error, Issued, Key, der_tlv, sign_raw};

/// A test CT log: its operator, a name and its key.
pub struct TestLog {
    /// The operator's name.
    pub operator: String,
    /// The log's description.
    pub description: String,
    /// Its key (P-256, as real logs use).
    pub key: Key,
}

impl TestLog {
    /// A log of `operator` with a key derived from `seed`.
    pub fn new(operator: &str, seed: &str) -> Result<TestLog, Error> {
        Ok(TestLog {
            operator: operator.to_owned(),
            description: format!("{operator} '{seed}' log"),
            key: Key::generate(crate::KeyAlgorithm::P256, seed)?,
        })
    }

    /// SubjectPublicKeyInfo DER.
    pub fn spki_der(&self) -> Result<Vec<u8>, Error> {
        Ok(self.key.spki()?.to_der()?)
    }

    /// The log ID: SHA-256 of the key.
    pub fn id(&self) -> Result<[u8; 32], Error> {
        Ok(Sha256::digest(self.spki_der()?).into())
    }

    /// A v1 SCT for `certificate_der` delivered beside it (an `x509_entry`), signed by this log.
    pub fn sct(&self, certificate_der: &[u8], timestamp_ms: u64) -> Result<Vec<u8>, Error> {
        let mut signed = vec![0, 0];
        signed.extend_from_slice(&timestamp_ms.to_be_bytes());
        signed.extend_from_slice(&[0, 0]);
        let n = certificate_der.len();
        signed.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
        signed.extend_from_slice(certificate_der);
        signed.extend_from_slice(&[0, 0]);
        let (_, signature) = sign_raw(&self.key, &signed)?;
        let mut sct = vec![0u8];
        sct.extend_from_slice(&self.id()?);
        sct.extend_from_slice(&timestamp_ms.to_be_bytes());
        sct.extend_from_slice(&[0, 0, 4, 3]);
        sct.extend_from_slice(&u16::try_from(signature.len())?.to_be_bytes());
        sct.extend_from_slice(&signature);
        Ok(sct)
    }
}

/// A TLS-encoded SignedCertificateTimestampList of `scts`.
pub fn sct_list(scts: &[Vec<u8>]) -> Result<Vec<u8>, Error> {
    let mut body = Vec::new();
    for sct in scts {
        body.extend_from_slice(&u16::try_from(sct.len())?.to_be_bytes());
        body.extend_from_slice(sct);
    }
    let mut out = u16::try_from(body.len())?.to_be_bytes().to_vec();
    out.extend_from_slice(&body);
    Ok(out)
}

/// The SCT list as OpenSSL's `-serverinfo` file holds it: a `SERVERINFO FOR EXTENSION 18` PEM
/// block (extension type, length, the list).
pub fn serverinfo_pem(list: &[u8]) -> Result<String, Error> {
    let mut body = vec![0, 18];
    body.extend_from_slice(&u16::try_from(list.len())?.to_be_bytes());
    body.extend_from_slice(list);
    Ok(crate::pem_with_label(&body, "SERVERINFO FOR EXTENSION 18"))
}

/// Apple's `log_list.json` format listing `logs`, each usable since 2024-01-01.
pub fn log_list_json(version: &str, logs: &[&TestLog]) -> Result<String, Error> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut operators: Vec<(String, Vec<String>)> = Vec::new();
    for log in logs {
        let entry = format!(
            r#"{{"description":"{}","key":"{}","log_id":"{}","mmd":86400,"state":{{"usable":{{"timestamp":"2024-01-01T00:00:00Z"}}}},"url":"https://ct.invalid/"}}"#,
            log.description,
            b64.encode(log.spki_der()?),
            b64.encode(log.id()?)
        );
        match operators.iter_mut().find(|(name, _)| *name == log.operator) {
            Some((_, entries)) => entries.push(entry),
            None => operators.push((log.operator.clone(), vec![entry])),
        }
    }
    let operators: Vec<String> = operators
        .into_iter()
        .map(|(name, logs)| {
            format!(
                r#"{{"name":"{name}","email":[],"logs":[{}],"tiled_logs":[]}}"#,
                logs.join(",")
            )
        })
        .collect();
    Ok(format!(
        r#"{{"version":"{version}","operators":[{}]}}"#,
        operators.join(",")
    ))
}

/// A certificate's status in a test OCSP response.
#[derive(Clone, Copy, Debug)]
pub enum Status {
    /// Not revoked.
    Good,
    /// Revoked at this moment (Unix seconds), keyCompromise.
    Revoked(i64),
    /// Not known to the responder.
    Unknown,
}

fn generalized_time(at: i64) -> Result<Vec<u8>, Error> {
    let time = der::asn1::GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(
        u64::try_from(at)?,
    ))?;
    Ok(time.to_der()?)
}

/// A successful basic OCSP response about `leaf`, signed by its `issuer` (responder by key
/// hash), with SHA-1 CertID hashes as OpenSSL writes them, valid from `this_update` to
/// `next_update`, with `sct_list` in its single extension when given.
pub fn ocsp_response(
    issuer: &Issued,
    leaf: &Issued,
    status: Status,
    this_update: i64,
    next_update: Option<i64>,
    sct_list: Option<&[u8]>,
) -> Result<Vec<u8>, Error> {
    let issuer_key_bits = issuer
        .certificate
        .tbs_certificate()
        .subject_public_key_info()
        .subject_public_key
        .raw_bytes()
        .to_vec();
    let issuer_name = issuer.certificate.tbs_certificate().subject().to_der()?;
    let serial = leaf
        .certificate
        .tbs_certificate()
        .serial_number()
        .to_der()?;
    let sha1 = der_tlv(
        0x30,
        &[
            der_tlv(0x06, &[0x2B, 0x0E, 0x03, 0x02, 0x1A]),
            vec![0x05, 0x00],
        ]
        .concat(),
    );
    let cert_id = der_tlv(
        0x30,
        &[
            sha1,
            der_tlv(0x04, &Sha1::digest(&issuer_name)),
            der_tlv(0x04, &Sha1::digest(&issuer_key_bits)),
            serial,
        ]
        .concat(),
    );
    let cert_status = match status {
        Status::Good => vec![0x80, 0x00],
        Status::Unknown => vec![0x82, 0x00],
        Status::Revoked(at) => der_tlv(
            0xA1,
            &[generalized_time(at)?, der_tlv(0xA0, &[0x0A, 0x01, 0x01])].concat(),
        ),
    };
    let mut single = [cert_id, cert_status, generalized_time(this_update)?].concat();
    if let Some(next) = next_update {
        single.extend_from_slice(&der_tlv(0xA0, &generalized_time(next)?));
    }
    if let Some(list) = sct_list {
        let oid = der_tlv(
            0x06,
            &[0x2B, 0x06, 0x01, 0x04, 0x01, 0xD6, 0x79, 0x02, 0x04, 0x05],
        );
        let value = der_tlv(0x04, &der_tlv(0x04, list));
        let extension = der_tlv(0x30, &[oid, value].concat());
        single.extend_from_slice(&der_tlv(0xA1, &der_tlv(0x30, &extension)));
    }
    let responder = der_tlv(0xA2, &der_tlv(0x04, &Sha1::digest(&issuer_key_bits)));
    let tbs = der_tlv(
        0x30,
        &[
            responder,
            generalized_time(this_update)?,
            der_tlv(0x30, &der_tlv(0x30, &single)),
        ]
        .concat(),
    );
    let (algorithm, signature) = sign_raw(&issuer.key, &tbs)?;
    let mut bits = vec![0u8];
    bits.extend_from_slice(&signature);
    let basic = der_tlv(0x30, &[tbs, algorithm, der_tlv(0x03, &bits)].concat());
    let basic_oid = der_tlv(
        0x06,
        &[0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01],
    );
    let bytes = der_tlv(0x30, &[basic_oid, der_tlv(0x04, &basic)].concat());
    Ok(der_tlv(
        0x30,
        &[vec![0x0A, 0x01, 0x00], der_tlv(0xA0, &bytes)].concat(),
    ))
}
