//! A CA the user already has: re-issuing leaves from it (its certificate and key pasted or
//! given as files). The key never leaves the page or the machine: it only signs the new
//! certificates, once it is proven to be the CA certificate's key.
//!
//! Which pasted certificate is the CA is found by proof, not by guessing: the shell signs
//! [`KEY_PROOF_MESSAGE`] with the key and verifies the signature with each candidate's
//! public key ([`CaInput::proof_request`]); the first that verifies issues. A key that matches
//! none is [`MakeError::CaKeyMismatch`].

use der::Encode;
use netlens_chain::crypto::VerifyRequest;
use netlens_x509::details::{self, RawCertificate};
use netlens_x509::input::FoundCertificate;
use x509_cert::name::Name;

use crate::error::MakeError;
use crate::keys::KeyType;
use crate::scheme::SignatureScheme;

/// What the shell signs with a pasted CA key to prove it belongs to a certificate.
pub const KEY_PROOF_MESSAGE: &[u8] = b"netlens make: this key belongs to this CA certificate";

/// The issuing CA, as re-issuing needs it.
#[derive(Clone, Debug)]
pub struct ExistingCa {
    /// The CA certificate's DER.
    pub certificate: Vec<u8>,
    /// Its subject, the new certificates' issuer.
    pub subject: Name,
    /// Its SubjectPublicKeyInfo DER (for the authority key identifier).
    pub spki: Vec<u8>,
    /// Its key type.
    pub key_type: KeyType,
    /// The certificates above it in the paste, up to the root when given (each issued the one
    /// before).
    pub above: Vec<Vec<u8>>,
    /// What clients must trust: the root if the paste had one, else the CA itself.
    pub anchor: Vec<u8>,
    /// Whether [`Self::anchor`] is a self-signed root.
    pub anchor_is_root: bool,
    /// A short label (its common name).
    pub label: String,
    /// notAfter, Unix seconds.
    pub not_after: i64,
    /// notAfter as RFC 3339.
    pub not_after_text: String,
}

struct Parsed {
    der: Vec<u8>,
    cert: RawCertificate,
    details: details::CertificateDetails,
}

/// The certificates of a pasted CA, before the key has chosen one.
pub struct CaInput {
    certs: Vec<Parsed>,
    candidates: Vec<usize>,
}

impl CaInput {
    /// Reads the CA certificate input (PEM, DER, PKCS#7: anything the decoder reads; the CA
    /// with its chain up to the root, in any order) and finds the CA certificates whose key is
    /// of `key_type`, issuing CAs before roots.
    pub fn read(input: &[u8], key_type: KeyType, at: i64) -> Result<CaInput, MakeError> {
        let scan = netlens_x509::input::scan(input, Some("CA certificate"));
        let found: Vec<FoundCertificate> = scan.certificates().to_vec();
        if found.is_empty() {
            return Err(MakeError::CaCertificate {
                why: "The CA certificate input holds no certificate: paste the CA's certificate \
                      (PEM or DER), with the root above it if the CA is an intermediate."
                    .into(),
            });
        }
        let mut certs = Vec::new();
        for (i, f) in found.iter().enumerate() {
            if let Ok(cert) = details::parse(&f.der) {
                let d = details::describe(&cert, f, i, at);
                certs.push(Parsed {
                    der: f.der.clone(),
                    cert,
                    details: d,
                });
            }
        }
        let is_ca = |p: &Parsed| {
            p.details.basic_constraints.as_ref().is_some_and(|b| b.ca)
                && p.details
                    .key_usage
                    .as_ref()
                    .is_none_or(|k| k.usages.contains(&"keyCertSign"))
        };
        let spki_type = |p: &Parsed| {
            p.cert
                .tbs_certificate()
                .subject_public_key_info()
                .to_der()
                .ok()
                .and_then(|d| KeyType::of_spki(&d))
        };
        let mut candidates: Vec<usize> = (0..certs.len())
            .filter(|&i| is_ca(&certs[i]) && spki_type(&certs[i]) == Some(key_type))
            .collect();
        candidates.sort_by_key(|&i| certs[i].details.self_issued);
        if candidates.is_empty() {
            let labels: Vec<String> = certs
                .iter()
                .map(|p| format!("\"{}\"", p.details.label))
                .collect();
            let why = if certs.iter().any(is_ca) {
                format!(
                    "None of the CA certificates given ({}) has a {} key like the key you gave: \
                     give the key that belongs to the CA certificate.",
                    labels.join(", "),
                    key_type
                )
            } else {
                format!(
                    "None of the certificates given ({}) is a CA (basicConstraints CA:TRUE with \
                     keyCertSign): give the CA's own certificate, not a server certificate.",
                    labels.join(", ")
                )
            };
            return Err(MakeError::CaCertificate { why });
        }
        Ok(CaInput { certs, candidates })
    }

    /// How many certificates could be the key's.
    pub fn candidates(&self) -> usize {
        self.candidates.len()
    }

    /// The check that proves the key belongs to candidate `n`: `signature` is the shell's
    /// signature of [`KEY_PROOF_MESSAGE`] with the key, made with `scheme` (DER for ECDSA).
    pub fn proof_request(
        &self,
        n: usize,
        scheme: SignatureScheme,
        signature: &[u8],
    ) -> Option<VerifyRequest> {
        let cert = &self.certs.get(*self.candidates.get(n)?)?.cert;
        Some(VerifyRequest {
            spki: cert
                .tbs_certificate()
                .subject_public_key_info()
                .to_der()
                .ok()?,
            algorithm: scheme.algorithm_identifier(),
            message: KEY_PROOF_MESSAGE.to_vec(),
            signature: signature.to_vec(),
        })
    }

    /// The error when the key proved none of the candidates.
    pub fn mismatch(&self) -> MakeError {
        let subject = self
            .candidates
            .first()
            .and_then(|&i| self.certs.get(i))
            .map(|p| p.details.subject.rfc4514.clone())
            .unwrap_or_default();
        MakeError::CaKeyMismatch { subject }
    }

    /// The CA of candidate `n` (the one the key proved), with the certificates above it.
    pub fn select(self, n: usize) -> Result<ExistingCa, MakeError> {
        let index = *self.candidates.get(n).ok_or_else(|| self.mismatch())?;
        let ca = &self.certs[index];
        let tbs = ca.cert.tbs_certificate();
        let spki = tbs
            .subject_public_key_info()
            .to_der()
            .map_err(|e| MakeError::encoding("CA public key", e))?;
        let key_type = KeyType::of_spki(&spki).ok_or_else(|| self.mismatch())?;
        // Walk up by name: each next certificate is the one whose subject is the issuer.
        let mut above = Vec::new();
        let mut current = index;
        let mut anchor_is_root = ca.details.self_issued;
        while !self.certs[current].details.self_issued && above.len() < 8 {
            let issuer = self.certs[current].cert.tbs_certificate().issuer();
            let Some(next) = self.certs.iter().position(|p| {
                p.cert.tbs_certificate().subject() == issuer && !above.contains(&p.der)
            }) else {
                break;
            };
            above.push(self.certs[next].der.clone());
            anchor_is_root = self.certs[next].details.self_issued;
            current = next;
        }
        let anchor = if anchor_is_root {
            above.last().cloned().unwrap_or_else(|| ca.der.clone())
        } else {
            ca.der.clone()
        };
        Ok(ExistingCa {
            certificate: ca.der.clone(),
            subject: tbs.subject().clone(),
            spki,
            key_type,
            above,
            anchor,
            anchor_is_root,
            label: ca.details.label.clone(),
            not_after: ca.details.validity.not_after_unix,
            not_after_text: ca.details.validity.not_after.clone(),
        })
    }
}
