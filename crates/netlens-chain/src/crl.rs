//! Revocation from CRLs the user supplies (RFC 5280 §5, §6.3). netlens never fetches anything:
//! a user who downloaded the CRL from a certificate's distribution point can paste it with the
//! chain, and netlens checks it offline.
//!
//! A CRL is used for a certificate when its issuer name matches the certificate's issuer and it is
//! signed by the certificate's issuer. It must carry a non-critical CRL number, no unknown
//! critical extensions, and its issuer must be allowed to sign CRLs (cRLSign, when the issuer has
//! a key usage extension). An unusable CRL is reported, never silently ignored.

use der::Decode;
use x509_cert::crl::CertificateList;

use crate::crypto::VerifyRequest;
use crate::model::ChainCert;
use crate::names;

const CRL_NUMBER: &str = "2.5.29.20";
const UNDERSTOOD_CRL_EXTENSIONS: &[&str] = &[
    "2.5.29.20", // CRL number
    "2.5.29.35", // authority key identifier
    "2.5.29.28", // issuing distribution point (only whole-CRL scope is supported, see below)
];

/// A supplied CRL.
#[derive(Clone, Debug)]
pub struct Crl {
    /// Where it was found.
    pub location: netlens_x509::Location,
    /// Parsed list.
    pub list: CertificateList,
    /// The exact signed bytes.
    pub tbs: Vec<u8>,
    /// Comparison key of its issuer.
    pub issuer_key: Vec<u8>,
}

/// Why a CRL cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CrlError {
    /// The DER does not decode as a CertificateList (the decoder's words).
    Undecodable(String),
    /// The outer SEQUENCE holds no TBSCertList.
    NoTbsCertList,
}

impl std::fmt::Display for CrlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CrlError::Undecodable(e) => f.write_str(e),
            CrlError::NoTbsCertList => f.write_str("the CRL has no TBSCertList"),
        }
    }
}

impl std::error::Error for CrlError {}

impl Crl {
    /// Parses a found CRL.
    pub fn parse(found: &netlens_x509::FoundCrl) -> Result<Crl, CrlError> {
        let undecodable = |e: &dyn std::fmt::Display| CrlError::Undecodable(e.to_string());
        let list = CertificateList::from_der(&found.der).map_err(|e| undecodable(&e))?;
        let outer = netlens_x509::der_scan::read_tlv(&found.der, 0).map_err(|e| undecodable(&e))?;
        let tbs = netlens_x509::der_scan::children(outer.value)
            .next()
            .and_then(Result::ok)
            .ok_or(CrlError::NoTbsCertList)?;
        let issuer =
            der::Encode::to_der(&list.tbs_cert_list.issuer).map_err(|e| undecodable(&e))?;
        Ok(Crl {
            location: found.location.clone(),
            issuer_key: names::comparison_key(&issuer),
            tbs: tbs.raw.to_vec(),
            list,
        })
    }

    /// Why this CRL cannot be used, if so (issuer key usage is checked by the caller).
    pub(crate) fn structural_problem(&self) -> Option<String> {
        let exts = self
            .list
            .tbs_cert_list
            .crl_extensions
            .as_deref()
            .unwrap_or(&[]);
        match exts.iter().find(|e| e.extn_id.to_string() == CRL_NUMBER) {
            None => return Some("it has no CRL number (RFC 5280 §5.2.3 requires one)".into()),
            Some(e) if e.critical => {
                return Some(
                    "its CRL number is marked critical (RFC 5280 §5.2.3 forbids it)".into(),
                );
            }
            Some(_) => {}
        }
        exts.iter()
            .find(|e| {
                e.critical && !UNDERSTOOD_CRL_EXTENSIONS.contains(&e.extn_id.to_string().as_str())
            })
            .map(|e| {
                format!(
                    "it has an unknown critical extension {}",
                    netlens_x509::oids::long_name(&e.extn_id)
                )
            })
    }
}

/// Signature checks CRLs may need: each CRL against every certificate or anchor named like its
/// issuer (verified with WebCrypto ahead of the analysis in the browser).
pub fn plan(
    crls: &[Crl],
    certs: &[ChainCert],
    store: &crate::store::TrustStore,
) -> Vec<VerifyRequest> {
    let mut out = Vec::new();
    for crl in crls {
        let keys = certs
            .iter()
            .filter(|c| c.subject_key == crl.issuer_key)
            .map(|c| c.spki.clone())
            .chain(
                store
                    .with_subject(&crl.issuer_key)
                    .into_iter()
                    .filter_map(|a| store.get(a).map(|a| a.spki.clone())),
            );
        for spki in keys {
            out.push(VerifyRequest {
                message: crl.tbs.clone(),
                algorithm: crl.list.signature_algorithm.clone(),
                signature: crl.list.signature.raw_bytes().to_vec(),
                spki,
            });
        }
    }
    out
}
