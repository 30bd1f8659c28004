//! Stapled OCSP responses (RFC 6960, RFC 6066 §8): the one revocation answer an Apple client
//! reads from the server itself. netlens never asks a responder; it judges the response the
//! server stapled (`--connect`) or the user supplied (`openssl ocsp -respout`,
//! `openssl s_client -status`).
//!
//! A response is used for a certificate when one of its statuses names it (serial number, hash
//! of the issuer's name and key) and it is signed by the certificate's issuer or by a responder
//! the issuer delegated (a certificate it issued with the OCSPSigning EKU, RFC 6960 §4.2.2.2).
//! Reading the bytes is `netlens_x509::ocsp`'s.

use serde::Serialize;
use sha1::Digest as _;

use netlens_x509::ocsp::{self, CertStatus, OcspError, OcspResponse, Responder, SingleResponse};

use crate::crypto::{Verification, Verifier, VerifyRequest};
use crate::model::ChainCert;

const OCSP_SIGNING: &str = "1.3.6.1.5.5.7.3.9";
const SHA1: &str = "1.3.14.3.2.26";
const SHA256: &str = "2.16.840.1.101.3.4.2.1";

/// An OCSP response given with the chain or stapled by the server.
#[derive(Clone, Debug)]
pub struct Staple {
    /// Where it came from ("stapled by 127.0.0.1:8443", a file name).
    pub found_in: String,
    /// The response, or why it cannot be read.
    pub parsed: Result<OcspResponse, OcspError>,
}

impl Staple {
    /// Reads `der`, found in `found_in`.
    pub fn read(der: &[u8], found_in: String) -> Staple {
        Staple {
            found_in,
            parsed: ocsp::parse(der),
        }
    }
}

/// What a staple says about the leaf, for the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OcspView {
    /// Where it came from.
    pub found_in: String,
    /// The response status (`successful`, `tryLater`…), or `unreadable`.
    pub response_status: String,
    /// Who signed it (a name, or `key <hex>`).
    pub responder: Option<String>,
    /// When it was produced (RFC 3339).
    pub produced_at: Option<String>,
    /// The leaf's status: `good`, `revoked`, `unknown`; `None` when the response does not name
    /// the leaf.
    pub cert_status: Option<String>,
    /// When the leaf was revoked (RFC 3339), and why.
    pub revoked_at: Option<String>,
    /// The CRLReason, when given.
    pub revocation_reason: Option<String>,
    /// thisUpdate (RFC 3339).
    pub this_update: Option<String>,
    /// nextUpdate (RFC 3339).
    pub next_update: Option<String>,
    /// Who the signature was checked against: `issuer`, `delegated responder <name>`.
    pub signed_by: Option<String>,
    /// The signature verifies.
    pub signature_valid: bool,
    /// SCTs it carries.
    pub scts: usize,
    /// Why it cannot be relied on, in sentences (empty: usable).
    pub problems: Vec<String>,
    /// Current at the moment of the check (thisUpdate ≤ now ≤ nextUpdate).
    pub current: bool,
}

impl OcspView {
    /// The response says the leaf is revoked and can be relied on.
    pub fn revoked(&self) -> bool {
        self.cert_status.as_deref() == Some("revoked") && self.signature_valid
    }
}

/// The contents of the BIT STRING of a SubjectPublicKeyInfo: what CertID's issuerKeyHash and
/// ResponderID's byKey hash.
fn public_key_bits(spki: &[u8]) -> Option<&[u8]> {
    let outer = netlens_x509::der_scan::read_tlv(spki, 0).ok()?;
    let bits = netlens_x509::der_scan::children(outer.value).nth(1)?.ok()?;
    bits.value.get(1..)
}

fn hash(algorithm: &str, data: &[u8]) -> Option<Vec<u8>> {
    match algorithm {
        SHA1 => Some(sha1::Sha1::digest(data).to_vec()),
        SHA256 => Some(sha2::Sha256::digest(data).to_vec()),
        _ => None,
    }
}

/// The status of `leaf` in a response, when one names it (issued by `issuer_spki`).
fn status_of<'a>(
    responses: &'a [SingleResponse],
    leaf: &ChainCert,
    issuer_spki: &[u8],
) -> Option<&'a SingleResponse> {
    let serial = leaf.cert.tbs_certificate().serial_number().as_bytes();
    let key = public_key_bits(issuer_spki)?;
    responses.iter().find(|r| {
        r.serial == serial
            && hash(&r.hash_algorithm, key).is_some_and(|h| h == r.issuer_key_hash)
            && hash(&r.hash_algorithm, &leaf.issuer).is_some_and(|h| h == r.issuer_name_hash)
    })
}

/// Responder certificates a response carries that the issuer delegated: parsed, with the OCSP
/// signing purpose.
fn delegates(basic: &ocsp::BasicResponse, leaf: &ChainCert, now: i64) -> Vec<ChainCert> {
    basic
        .certificates
        .iter()
        .enumerate()
        .filter_map(|(i, der)| {
            let found = netlens_x509::FoundCertificate {
                der: der.clone(),
                location: netlens_x509::Location::default(),
                container: netlens_x509::Container::Der,
            };
            ChainCert::parse(&found, i, now).ok()
        })
        .filter(|c| c.issuer_key == leaf.issuer_key)
        .filter(|c| {
            c.details
                .extended_key_usage
                .as_ref()
                .is_some_and(|e| e.purposes.iter().any(|p| p.oid == OCSP_SIGNING))
        })
        .collect()
}

/// Signature checks a staple may need: the response by the issuer, each delegate by the issuer,
/// and the response by each delegate.
pub fn plan(
    staples: &[Staple],
    certs: &[ChainCert],
    store: &crate::store::TrustStore,
    now: i64,
) -> Vec<VerifyRequest> {
    let mut out = Vec::new();
    for staple in staples {
        let Ok(OcspResponse {
            basic: Some(basic), ..
        }) = &staple.parsed
        else {
            continue;
        };
        for leaf in certs.iter().filter(|c| !c.is_ca()) {
            let issuers: Vec<Vec<u8>> = certs
                .iter()
                .filter(|c| c.subject_key == leaf.issuer_key)
                .map(|c| c.spki.clone())
                .chain(
                    store
                        .with_subject(&leaf.issuer_key)
                        .into_iter()
                        .filter_map(|a| store.get(a).map(|a| a.spki.clone())),
                )
                .collect();
            let delegates = delegates(basic, leaf, now);
            for spki in issuers {
                out.push(VerifyRequest {
                    message: basic.tbs.clone(),
                    algorithm: basic.signature_algorithm.clone(),
                    signature: basic.signature.clone(),
                    spki: spki.clone(),
                });
                for d in &delegates {
                    out.push(VerifyRequest {
                        message: d.tbs.clone(),
                        algorithm: d.cert.signature_algorithm().clone(),
                        signature: d.cert.signature().raw_bytes().to_vec(),
                        spki: spki.clone(),
                    });
                }
            }
            for d in &delegates {
                out.push(VerifyRequest {
                    message: basic.tbs.clone(),
                    algorithm: basic.signature_algorithm.clone(),
                    signature: basic.signature.clone(),
                    spki: d.spki.clone(),
                });
            }
        }
    }
    out
}

/// Judges `staple` for `leaf`, issued by `issuer_spki` (the next certificate of the path, or
/// its anchor), at `now`.
pub fn evaluate(
    staple: &Staple,
    leaf: &ChainCert,
    issuer_spki: &[u8],
    verifier: &dyn Verifier,
    now: i64,
) -> OcspView {
    let time = netlens_x509::time::rfc3339_from_unix;
    let mut view = OcspView {
        found_in: staple.found_in.clone(),
        response_status: "unreadable".into(),
        responder: None,
        produced_at: None,
        cert_status: None,
        revoked_at: None,
        revocation_reason: None,
        this_update: None,
        next_update: None,
        signed_by: None,
        signature_valid: false,
        scts: 0,
        problems: Vec::new(),
        current: false,
    };
    let response = match &staple.parsed {
        Ok(r) => r,
        Err(e) => {
            view.problems.push(format!("{e}."));
            return view;
        }
    };
    view.response_status = response.status.name().into();
    let Some(basic) = &response.basic else {
        view.problems.push(format!(
            "the responder answered {} instead of a status: a client gets no revocation information from it.",
            response.status.name()
        ));
        return view;
    };
    view.responder = Some(match &basic.responder {
        Responder::ByName { text, .. } => text.clone(),
        Responder::ByKey(hash) => format!("key {}", netlens_roots::hex(hash).to_lowercase()),
    });
    view.produced_at = Some(time(basic.produced_at));

    // The signer: the issuer itself, else a delegated responder the issuer signed.
    let by_issuer = verifier.verify(
        &basic.tbs,
        &basic.signature_algorithm,
        &basic.signature,
        issuer_spki,
    );
    if by_issuer.is_valid() {
        view.signed_by = Some("issuer".into());
        view.signature_valid = true;
    } else {
        for d in delegates(basic, leaf, now) {
            let issued = verifier.verify(
                &d.tbs,
                d.cert.signature_algorithm(),
                d.cert.signature().raw_bytes(),
                issuer_spki,
            );
            let signed = verifier.verify(
                &basic.tbs,
                &basic.signature_algorithm,
                &basic.signature,
                &d.spki,
            );
            if issued.is_valid() && signed.is_valid() {
                view.signed_by = Some(format!("delegated responder {}", d.label()));
                view.signature_valid = true;
                let (from, until) = d.validity();
                if now < from || now > until {
                    view.problems.push(format!(
                        "the delegated responder's certificate {} is not valid at the moment of the check.",
                        d.label()
                    ));
                }
                break;
            }
        }
        if !view.signature_valid {
            view.problems.push(match by_issuer {
                Verification::Unsupported(why) => format!("its signature cannot be checked: {why}."),
                _ => "its signature verifies neither with the issuer's key nor with a responder certificate the issuer \
                      delegated (OCSPSigning): a client ignores it."
                    .to_owned(),
            });
        }
    }

    let Some(single) = status_of(&basic.responses, leaf, issuer_spki) else {
        view.problems.push(format!(
            "it gives the status of {} other certificate(s), not of {}: the server staples the response of another \
             certificate (an old one, or another site's).",
            basic.responses.len(),
            leaf.label()
        ));
        return view;
    };
    view.scts = single
        .sct_list
        .as_deref()
        .and_then(|l| netlens_x509::sct::parse_list(l).ok())
        .map_or(0, |l| l.len());
    view.this_update = Some(time(single.this_update));
    view.next_update = single.next_update.map(time);
    match single.status {
        CertStatus::Good => view.cert_status = Some("good".into()),
        CertStatus::Unknown => {
            view.cert_status = Some("unknown".into());
            view.problems
                .push("the responder does not know the certificate (status unknown).".into());
        }
        CertStatus::Revoked { at, reason } => {
            view.cert_status = Some("revoked".into());
            view.revoked_at = Some(time(at));
            view.revocation_reason = reason.map(|r| ocsp::reason_name(r).to_owned());
        }
    }
    view.current = single.this_update <= now && single.next_update.is_none_or(|n| now <= n);
    if single.this_update > now {
        view.problems.push(format!(
            "its thisUpdate ({}) is after the moment of the check: the responder's clock or the check's time is wrong.",
            time(single.this_update)
        ));
    } else if let Some(next) = single.next_update.filter(|&n| now > n) {
        view.problems.push(format!(
            "it expired: its nextUpdate ({}) has passed, and clients ignore a stale response. The server should \
             fetch a fresh one (nginx: ssl_stapling on with a resolver; Apache: SSLUseStapling On).",
            time(next)
        ));
    }
    view
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_key_bits_of_an_spki() {
        // SEQUENCE { SEQUENCE { OID }, BIT STRING { 0 unused, 0xAB 0xCD } }
        let spki = [
            0x30, 0x0A, 0x30, 0x03, 0x06, 0x01, 0x2A, 0x03, 0x03, 0x00, 0xAB, 0xCD,
        ];
        assert_eq!(public_key_bits(&spki), Some(&[0xAB, 0xCD][..]));
        assert_eq!(public_key_bits(&[0x30, 0x00]), None);
    }
}
