//! # netlens-tls: TLS handshake probes
//!
//! To tell which protocol versions and cipher suites a server accepts (the server half of App
//! Transport Security, as `nscurl --ats-diagnostics` tests it), a client must offer exactly one
//! version and one set of suites and read what comes back. TLS libraries cannot do that for the
//! versions that matter most here: rustls speaks neither TLS 1.0/1.1 nor static-RSA suites, and
//! a library that does would negotiate, not report. So, as sslyze and testssl.sh do, netlens
//! writes the ClientHello itself ([`client_hello`], for an [`Offer`]) and reads only the first
//! answer ([`read_answer`]): a ServerHello (accepted: which version and suite, and before TLS
//! 1.3 the certificates, which still travel in the clear), an alert (refused), a closed
//! connection, or something that is not TLS. No handshake is completed and no key is ever used,
//! so nothing here is cryptography.
//!
//! A hello's version is a maximum: a server that has only older versions answers with the
//! highest of them, so what the server accepts is the version in its answer, not the one
//! offered. (TLS 1.3 is offered in `supported_versions`, so a server without it answers as the
//! TLS 1.2 hello it then sees.)
//!
//! [`ats`] turns the answers into App Transport Security's verdict and the least Info.plist
//! exceptions. No I/O and no clock: the caller sends the bytes and feeds what it receives.

pub mod ats;

use serde::Serialize;

/// A TLS protocol version, as it travels (`0x0301` is TLS 1.0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Version {
    /// TLS 1.0.
    #[serde(rename = "TLSv1.0")]
    Tls10,
    /// TLS 1.1.
    #[serde(rename = "TLSv1.1")]
    Tls11,
    /// TLS 1.2.
    #[serde(rename = "TLSv1.2")]
    Tls12,
    /// TLS 1.3.
    #[serde(rename = "TLSv1.3")]
    Tls13,
}

impl Version {
    /// Every version, oldest first.
    pub const ALL: [Version; 4] = [
        Version::Tls10,
        Version::Tls11,
        Version::Tls12,
        Version::Tls13,
    ];

    /// The wire value.
    pub fn wire(self) -> u16 {
        match self {
            Version::Tls10 => 0x0301,
            Version::Tls11 => 0x0302,
            Version::Tls12 => 0x0303,
            Version::Tls13 => 0x0304,
        }
    }

    /// The version with this wire value.
    pub fn from_wire(value: u16) -> Option<Version> {
        Version::ALL.into_iter().find(|v| v.wire() == value)
    }

    /// As Apple's Info.plist keys spell it (`TLSv1.2`).
    pub fn name(self) -> &'static str {
        match self {
            Version::Tls10 => "TLSv1.0",
            Version::Tls11 => "TLSv1.1",
            Version::Tls12 => "TLSv1.2",
            Version::Tls13 => "TLSv1.3",
        }
    }
}

/// A cipher suite netlens offers, with what ATS thinks of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Suite {
    /// The IANA name.
    pub name: &'static str,
    /// The wire value.
    pub id: u16,
    /// One of the suites ATS accepts (ECDHE, so forward secrecy; or a TLS 1.3 suite).
    pub ats: bool,
}

const fn suite(name: &'static str, id: u16, ats: bool) -> Suite {
    Suite { name, id, ats }
}

/// TLS 1.3's suites (all forward secret).
pub const TLS13_SUITES: &[Suite] = &[
    suite("TLS_AES_128_GCM_SHA256", 0x1301, true),
    suite("TLS_AES_256_GCM_SHA384", 0x1302, true),
    suite("TLS_CHACHA20_POLY1305_SHA256", 0x1303, true),
];

/// The eleven ECDHE suites App Transport Security accepts before TLS 1.3, in Apple's order.
pub const ATS_SUITES: &[Suite] = &[
    suite("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xC02C, true),
    suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xC02B, true),
    suite("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", 0xC024, true),
    suite("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 0xC023, true),
    suite("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", 0xC00A, true),
    suite("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 0xC009, true),
    suite("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xC030, true),
    suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xC02F, true),
    suite("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", 0xC028, true),
    suite("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", 0xC027, true),
    suite("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0xC013, true),
];

/// Suites without forward secrecy (static RSA key exchange) that servers still offer: ATS
/// refuses them unless `NSExceptionRequiresForwardSecrecy` is false.
pub const STATIC_RSA_SUITES: &[Suite] = &[
    suite("TLS_RSA_WITH_AES_256_GCM_SHA384", 0x009D, false),
    suite("TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009C, false),
    suite("TLS_RSA_WITH_AES_256_CBC_SHA256", 0x003D, false),
    suite("TLS_RSA_WITH_AES_128_CBC_SHA256", 0x003C, false),
    suite("TLS_RSA_WITH_AES_256_CBC_SHA", 0x0035, false),
    suite("TLS_RSA_WITH_AES_128_CBC_SHA", 0x002F, false),
];

/// The suite with this wire value, among those netlens offers.
pub fn suite_named(id: u16) -> Option<&'static Suite> {
    TLS13_SUITES
        .iter()
        .chain(ATS_SUITES)
        .chain(STATIC_RSA_SUITES)
        .find(|s| s.id == id)
}

/// What a ClientHello offers: protocol versions from `minimum` to `maximum`, and suites.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    /// The highest version offered (the hello's version).
    pub maximum: Version,
    /// The lowest version the client accepts. With a TLS 1.3 maximum it bounds
    /// `supported_versions`; before, the hello cannot say it, and the caller judges the answer.
    pub minimum: Version,
    /// The cipher suites, in order of preference (wire values).
    pub suites: Vec<u16>,
}

impl Offer {
    /// Exactly one version and these suites.
    pub fn only(version: Version, suites: &[Suite]) -> Offer {
        Offer {
            maximum: version,
            minimum: version,
            suites: suites.iter().map(|s| s.id).collect(),
        }
    }

    /// Whether `answer` is a ServerHello this offer allows: a version from `minimum` to
    /// `maximum` and one of the suites offered.
    pub fn allows(&self, version: Version, suite: u16) -> bool {
        (self.minimum..=self.maximum).contains(&version) && self.suites.contains(&suite)
    }
}

/// A ClientHello record for `offer`, for `server_name` (SNI, left out for an IP address).
/// `random` fills the random and, for TLS 1.3, the X25519 key share (any 32 bytes: the
/// handshake is never finished). The ECDHE extensions (curves, point formats), signature
/// algorithms and the extended master secret are offered as a browser would.
pub fn client_hello(offer: &Offer, server_name: Option<&str>, random: [u8; 32]) -> Vec<u8> {
    let mut extensions = Vec::new();
    if let Some(name) =
        server_name.filter(|n| n.parse::<std::net::IpAddr>().is_err() && n.len() < 256)
    {
        let name = name.as_bytes();
        let mut list = vec![0u8]; // host_name
        push_u16(&mut list, name.len());
        list.extend_from_slice(name);
        let mut body = Vec::new();
        push_u16(&mut body, list.len());
        body.extend_from_slice(&list);
        push_extension(&mut extensions, 0x0000, &body);
    }
    // supported_groups: x25519, secp256r1, secp384r1.
    push_extension(
        &mut extensions,
        0x000A,
        &[0, 6, 0x00, 0x1D, 0x00, 0x17, 0x00, 0x18],
    );
    // ec_point_formats: uncompressed.
    push_extension(&mut extensions, 0x000B, &[1, 0]);
    if offer.maximum >= Version::Tls12 {
        // signature_algorithms: ECDSA P-256/P-384 SHA-256/384, RSA-PSS SHA-256/384, RSA
        // PKCS#1 SHA-256/384/512, Ed25519, RSA PKCS#1 SHA-1.
        let algorithms: [u16; 9] = [
            0x0403, 0x0503, 0x0804, 0x0805, 0x0401, 0x0501, 0x0601, 0x0807, 0x0201,
        ];
        let mut body = Vec::new();
        push_u16(&mut body, algorithms.len() * 2);
        for a in algorithms {
            body.extend_from_slice(&a.to_be_bytes());
        }
        push_extension(&mut extensions, 0x000D, &body);
    }
    // extended_master_secret (RFC 7627; defined for every version before TLS 1.3).
    push_extension(&mut extensions, 0x0017, &[]);
    // status_request (RFC 6066 §8): OCSP, no responder IDs, no extensions; and
    // signed_certificate_timestamp (RFC 6962 §3.3.1), as browsers ask for both.
    push_extension(&mut extensions, 0x0005, &[1, 0, 0, 0, 0]);
    push_extension(&mut extensions, 0x0012, &[]);
    if offer.maximum == Version::Tls13 {
        // supported_versions, newest first, down to the minimum.
        let versions: Vec<Version> = Version::ALL
            .into_iter()
            .rev()
            .filter(|v| *v >= offer.minimum)
            .collect();
        let mut body = vec![(versions.len() * 2) as u8];
        for v in versions {
            body.extend_from_slice(&v.wire().to_be_bytes());
        }
        push_extension(&mut extensions, 0x002B, &body);
        let mut share = vec![0, 36, 0x00, 0x1D, 0, 32]; // one x25519 share
        share.extend_from_slice(&random);
        push_extension(&mut extensions, 0x0033, &share); // key_share
        push_extension(&mut extensions, 0x002D, &[1, 1]); // psk_key_exchange_modes: psk_dhe_ke
    }
    let mut hello = Vec::new();
    // legacy_version: TLS 1.3 says 1.2 here and the real one in supported_versions.
    hello.extend_from_slice(&offer.maximum.wire().min(0x0303).to_be_bytes());
    hello.extend_from_slice(&random);
    hello.push(0); // no session id
    push_u16(&mut hello, offer.suites.len() * 2);
    for s in &offer.suites {
        hello.extend_from_slice(&s.to_be_bytes());
    }
    hello.extend_from_slice(&[1, 0]); // compression: null only
    push_u16(&mut hello, extensions.len());
    hello.extend_from_slice(&extensions);
    let mut handshake = vec![1]; // client_hello
    handshake.extend_from_slice(&(hello.len() as u32).to_be_bytes()[1..]);
    handshake.extend_from_slice(&hello);
    let mut record = vec![22, 0x03, 0x01]; // handshake record, version 1.0 for compatibility
    push_u16(&mut record, handshake.len());
    record.extend_from_slice(&handshake);
    record
}

fn push_u16(out: &mut Vec<u8>, value: usize) {
    out.extend_from_slice(&(value.min(0xFFFF) as u16).to_be_bytes());
}

fn push_extension(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
    out.extend_from_slice(&kind.to_be_bytes());
    push_u16(out, body.len());
    out.extend_from_slice(body);
}

/// What a server answered a ClientHello with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "answer")]
pub enum Answer {
    /// A ServerHello: the version and suite it chose (a HelloRetryRequest counts: the server
    /// takes TLS 1.3 and only wants another key share).
    Accepted {
        /// The version chosen (from supported_versions for TLS 1.3).
        version: Version,
        /// The suite chosen.
        suite: u16,
        /// Whether it agreed to the extended master secret.
        extended_master_secret: bool,
        /// Before TLS 1.3, the certificates of the Certificate message that follows the
        /// ServerHello (DER, as sent); empty for TLS 1.3, where they are encrypted.
        #[serde(skip)]
        certificates: Vec<Vec<u8>>,
        /// Before TLS 1.3, what came beside them in the clear (SCTs, the OCSP staple, a
        /// request for a client certificate).
        #[serde(skip)]
        extras: Box<Extras>,
    },
    /// An alert: `description` 40 is handshake_failure (no common suite), 70 protocol_version.
    Alert {
        /// The alert description.
        description: u8,
    },
    /// The server closed the connection without a word (some refuse a hello that way).
    Closed,
    /// The bytes are not a TLS answer (an HTTP server, an echo, another protocol).
    NotTls,
}

impl Answer {
    /// One phrase for a report: "TLSv1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    /// "alert 40 (handshake_failure)", "closed without an answer".
    pub fn describe(&self) -> String {
        match self {
            Answer::Accepted { version, suite, .. } => {
                format!("{}, {}", version.name(), suite_name(*suite))
            }
            Answer::Alert { description } => format!(
                "alert {description} ({})",
                match description {
                    40 => "handshake_failure",
                    47 => "illegal_parameter",
                    70 => "protocol_version",
                    71 => "insufficient_security",
                    80 => "internal_error",
                    86 => "inappropriate_fallback",
                    112 => "unrecognized_name",
                    _ => "refused",
                }
            ),
            Answer::Closed => "closed without an answer".into(),
            Answer::NotTls => "an answer that is not TLS".into(),
        }
    }
}

/// What a TLS 1.0–1.2 server sends in the clear beside its certificates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extras {
    /// The ServerHello's `signed_certificate_timestamp` extension: a TLS-encoded SCT list.
    pub sct_list: Option<Vec<u8>>,
    /// The ServerHello acknowledged `status_request`: a CertificateStatus should follow.
    pub status_acknowledged: bool,
    /// The OCSP response of the CertificateStatus message (DER).
    pub ocsp_response: Option<Vec<u8>>,
    /// The server's CertificateRequest: it asks for a client certificate.
    pub certificate_request: Option<CertificateRequest>,
}

/// A TLS 1.2 CertificateRequest (RFC 5246 §7.4.4): what client certificate the server takes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertificateRequest {
    /// The certificate types (1 rsa_sign, 64 ecdsa_sign).
    pub certificate_types: Vec<u8>,
    /// The signature algorithms (TLS SignatureScheme values).
    pub signature_algorithms: Vec<u16>,
    /// The acceptable CAs: each a DER Distinguished Name.
    pub certificate_authorities: Vec<Vec<u8>>,
}

impl CertificateRequest {
    /// Reads a TLS 1.2 CertificateRequest body; `None` when it is malformed.
    pub fn parse_tls12(body: &[u8]) -> Option<CertificateRequest> {
        let types_len = usize::from(*body.first()?);
        let certificate_types = body.get(1..1 + types_len)?.to_vec();
        let mut at = 1 + types_len;
        let algorithms_len = usize::from(u16::from_be_bytes([*body.get(at)?, *body.get(at + 1)?]));
        let algorithms = body.get(at + 2..at + 2 + algorithms_len)?;
        at += 2 + algorithms_len;
        let signature_algorithms = algorithms
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        let names_len = usize::from(u16::from_be_bytes([*body.get(at)?, *body.get(at + 1)?]));
        let names = body.get(at + 2..at + 2 + names_len)?;
        Some(CertificateRequest {
            certificate_types,
            signature_algorithms,
            certificate_authorities: distinguished_names(names)?,
        })
    }
}

/// A list of `opaque DistinguishedName<1..2^16-1>` (as in CertificateRequest and the TLS 1.3
/// `certificate_authorities` extension).
pub fn distinguished_names(mut list: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut names = Vec::new();
    while !list.is_empty() {
        let len = usize::from(u16::from_be_bytes([*list.first()?, *list.get(1)?]));
        names.push(list.get(2..2 + len)?.to_vec());
        list = &list[2 + len..];
        if names.len() > 256 {
            return None;
        }
    }
    Some(names)
}

/// The IANA name of a suite netlens offers, or its wire value in hex.
pub fn suite_name(id: u16) -> String {
    suite_named(id).map_or_else(|| format!("0x{id:04X}"), |s| s.name.to_owned())
}

/// The most handshake bytes read for one answer: a ServerHello and a certificate list fit
/// easily; a server that sends more is answered from what came.
pub const MAX_ANSWER_BYTES: usize = 256 * 1024;

/// The RFC 8446 random of a HelloRetryRequest (SHA-256 of "HelloRetryRequest").
const HELLO_RETRY_REQUEST: [u8; 32] = [
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
];

/// Reads the server's first answer from what it has sent so far: `None` while more bytes are
/// needed. `ended`: the server has closed the connection (or the caller stops reading), so
/// what has come is all there is. Before TLS 1.3 the answer waits for the Certificate message
/// after the ServerHello. Handshake messages are reassembled across records. Never panics,
/// whatever the bytes.
pub fn read_answer(received: &[u8], ended: bool) -> Option<Answer> {
    let ended = ended || received.len() >= MAX_ANSWER_BYTES;
    if received.is_empty() {
        return ended.then_some(Answer::Closed);
    }
    // The handshake bytes of the records that have come whole; `stopped` once a record that
    // ends the plaintext (an alert after the hello, encrypted data) or a broken one arrives.
    let mut handshake = Vec::new();
    let mut at = 0;
    let mut stopped = false;
    while let Some(header) = received.get(at..at + 5) {
        let (kind, major) = (header[0], header[1]);
        let length = usize::from(u16::from_be_bytes([header[3], header[4]]));
        if major != 3 || !matches!(kind, 20..=23) || length == 0 || length > 18_432 {
            if at == 0 {
                return Some(Answer::NotTls);
            }
            stopped = true;
            break;
        }
        if at == 0 && !matches!(kind, 21 | 22) {
            return Some(Answer::NotTls);
        }
        let Some(body) = received.get(at + 5..at + 5 + length) else {
            break;
        };
        match kind {
            22 => handshake.extend_from_slice(body),
            20 => {} // change_cipher_spec (TLS 1.3's middlebox compatibility)
            21 if handshake.is_empty() => {
                return Some(match body {
                    [_, description] => Answer::Alert {
                        description: *description,
                    },
                    _ => Answer::NotTls,
                });
            }
            _ => {
                stopped = true;
                break;
            }
        }
        at += 5 + length;
    }
    let complete = ended || stopped;
    let Some((msg_type, hello, next)) = message(&handshake, 0) else {
        return complete.then_some(Answer::NotTls);
    };
    if msg_type != 2 {
        return Some(Answer::NotTls);
    }
    let Some((version, suite, extended_master_secret, mut extras)) = server_hello(hello) else {
        return Some(Answer::NotTls);
    };
    let accepted = |certificates, extras| Answer::Accepted {
        version,
        suite,
        extended_master_secret,
        certificates,
        extras: Box::new(extras),
    };
    if version == Version::Tls13 {
        return Some(accepted(Vec::new(), Extras::default()));
    }
    // The rest of the server's first flight, up to ServerHelloDone: Certificate,
    // CertificateStatus, ServerKeyExchange, CertificateRequest.
    let mut certificates = Vec::new();
    let mut at = next;
    loop {
        match message(&handshake, at) {
            Some((11, body, after)) => {
                certificates = certificate_list(body);
                at = after;
            }
            Some((22, body, after)) => {
                // CertificateStatus: status_type ocsp (1), then the response.
                if body.first() == Some(&1) && body.len() > 4 {
                    extras.ocsp_response = Some(body[4..].to_vec());
                }
                at = after;
            }
            Some((13, body, after)) => {
                extras.certificate_request = CertificateRequest::parse_tls12(body);
                at = after;
            }
            Some((14, _, _)) => return Some(accepted(certificates, extras)),
            Some((_, _, after)) => at = after,
            None => return complete.then(|| accepted(certificates, extras)),
        }
    }
}

/// The handshake message at `at`: (type, body, offset of the next), once it is whole.
fn message(handshake: &[u8], at: usize) -> Option<(u8, &[u8], usize)> {
    let header = handshake.get(at..at + 4)?;
    let length =
        usize::from(header[1]) << 16 | usize::from(header[2]) << 8 | usize::from(header[3]);
    let body = handshake.get(at + 4..at + 4 + length)?;
    Some((header[0], body, at + 4 + length))
}

/// The certificates of a TLS 1.0–1.2 Certificate message (`certificate_list<0..2^24-1>` of
/// `opaque ASN.1Cert<1..2^24-1>`); as many whole ones as there are.
fn certificate_list(body: &[u8]) -> Vec<Vec<u8>> {
    let mut certificates = Vec::new();
    let Some(list) = body.get(3..) else {
        return certificates;
    };
    let mut at = 0;
    while let Some(length) = list.get(at..at + 3) {
        let length =
            usize::from(length[0]) << 16 | usize::from(length[1]) << 8 | usize::from(length[2]);
        let Some(der) = list.get(at + 3..at + 3 + length) else {
            break;
        };
        certificates.push(der.to_vec());
        at += 3 + length;
    }
    certificates
}

/// (version, suite, extended master secret, the extensions netlens reads) of a ServerHello body.
fn server_hello(hello: &[u8]) -> Option<(Version, u16, bool, Extras)> {
    let legacy = u16::from_be_bytes([*hello.first()?, *hello.get(1)?]);
    let random = hello.get(2..34)?;
    let session_len = usize::from(*hello.get(34)?);
    let mut at = 35 + session_len;
    let suite = u16::from_be_bytes([*hello.get(at)?, *hello.get(at + 1)?]);
    at += 3; // suite and compression method
    let mut version = Version::from_wire(legacy)?;
    let mut extended_master_secret = false;
    let mut extras = Extras::default();
    if let Some(len) = hello.get(at..at + 2) {
        let end = (at + 2 + usize::from(u16::from_be_bytes([len[0], len[1]]))).min(hello.len());
        at += 2;
        while at + 4 <= end {
            let kind = u16::from_be_bytes([hello[at], hello[at + 1]]);
            let size = usize::from(u16::from_be_bytes([hello[at + 2], hello[at + 3]]));
            let data = hello.get(at + 4..at + 4 + size)?;
            match kind {
                0x002B if data.len() == 2 => {
                    version = Version::from_wire(u16::from_be_bytes([data[0], data[1]]))?
                }
                0x0017 => extended_master_secret = true,
                0x0005 => extras.status_acknowledged = true,
                0x0012 if !data.is_empty() => extras.sct_list = Some(data.to_vec()),
                _ => {}
            }
            at += 4 + size;
        }
    }
    if random == HELLO_RETRY_REQUEST {
        version = Version::Tls13;
    }
    Some((version, suite, extended_master_secret, extras))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_hello_is_one_well_formed_record() {
        for version in Version::ALL {
            let offer = Offer {
                maximum: version,
                minimum: Version::Tls10,
                suites: vec![0xC02F, 0x009C],
            };
            let hello = client_hello(&offer, Some("example.com"), [7; 32]);
            assert_eq!(hello[0], 22);
            assert_eq!(
                usize::from(u16::from_be_bytes([hello[3], hello[4]])),
                hello.len() - 5
            );
            assert_eq!(hello[5], 1, "client_hello");
            let legacy = u16::from_be_bytes([hello[9], hello[10]]);
            assert_eq!(legacy, version.wire().min(0x0303));
            assert!(hello.windows(11).any(|w| w == b"example.com"));
        }
        // TLS 1.3 down to 1.1: supported_versions lists 1.3, 1.2, 1.1.
        let offer = Offer {
            maximum: Version::Tls13,
            minimum: Version::Tls11,
            suites: vec![0x1301],
        };
        let hello = client_hello(&offer, None, [0; 32]);
        assert!(
            hello
                .windows(11)
                .any(|w| w == [0x00, 0x2B, 0, 7, 6, 3, 4, 3, 3, 3, 2])
        );
        let by_ip = client_hello(&offer, Some("127.0.0.1"), [0; 32]);
        assert!(
            !by_ip.windows(9).any(|w| w == b"127.0.0.1"),
            "no SNI for an address"
        );
        assert!(offer.allows(Version::Tls12, 0x1301));
        assert!(!offer.allows(Version::Tls10, 0x1301));
        assert!(!offer.allows(Version::Tls13, 0x1302));
    }

    fn record(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut record = vec![kind, 3, 3];
        record.extend_from_slice(&(body.len() as u16).to_be_bytes());
        record.extend_from_slice(body);
        record
    }

    fn handshake_message(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut message = vec![kind];
        message.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        message.extend_from_slice(body);
        message
    }

    fn server_hello_message(legacy: u16, suite: u16, extensions: &[u8]) -> Vec<u8> {
        let mut hello = legacy.to_be_bytes().to_vec();
        hello.extend_from_slice(&[9; 32]);
        hello.push(0);
        hello.extend_from_slice(&suite.to_be_bytes());
        hello.push(0);
        hello.extend_from_slice(&(extensions.len() as u16).to_be_bytes());
        hello.extend_from_slice(extensions);
        handshake_message(2, &hello)
    }

    fn certificate_message(certificates: &[&[u8]]) -> Vec<u8> {
        let mut list = Vec::new();
        for c in certificates {
            list.extend_from_slice(&(c.len() as u32).to_be_bytes()[1..]);
            list.extend_from_slice(c);
        }
        let mut body = (list.len() as u32).to_be_bytes()[1..].to_vec();
        body.extend_from_slice(&list);
        handshake_message(11, &body)
    }

    #[test]
    fn answers_are_read_and_partial_ones_wait() {
        let hello = server_hello_message(0x0303, 0xC02F, &[0x00, 0x17, 0, 0]);
        let certificates = certificate_message(&[b"leaf", b"intermediate"]);
        let done = handshake_message(14, &[]);
        // The ServerHello, the Certificate and ServerHelloDone in one record, then split
        // across two records at every byte: the certificates are read either way.
        let mut flights = vec![record(
            22,
            &[hello.clone(), certificates.clone(), done.clone()].concat(),
        )];
        let both = [hello.clone(), certificates.clone(), done.clone()].concat();
        for split in 1..both.len() {
            flights.push([record(22, &both[..split]), record(22, &both[split..])].concat());
        }
        for flight in flights {
            let expected = Answer::Accepted {
                version: Version::Tls12,
                suite: 0xC02F,
                extended_master_secret: true,
                certificates: vec![b"leaf".to_vec(), b"intermediate".to_vec()],
                extras: Box::default(),
            };
            assert_eq!(read_answer(&flight, false), Some(expected));
            for end in 0..flight.len() {
                assert!(
                    matches!(
                        read_answer(&flight[..end], false),
                        None | Some(Answer::NotTls)
                    ),
                    "{end}"
                );
            }
        }
        // SCTs in the ServerHello, the OCSP staple and a request for a client certificate in
        // the flight.
        let sct_list = [0u8, 3, 0, 1, 0xAA];
        let mut extensions = vec![0x00, 0x05, 0, 0, 0x00, 0x12, 0, 5];
        extensions.extend_from_slice(&sct_list);
        let hello_scts = server_hello_message(0x0303, 0xC02F, &extensions);
        let status = handshake_message(22, &[1, 0, 0, 3, 0x30, 0x01, 0x00]);
        let ca_name = [0x30, 0x00];
        let request = handshake_message(
            13,
            &[&[1, 64][..], &[0, 2, 0x04, 0x03], &[0, 4, 0, 2], &ca_name].concat()[..],
        );
        let flight = record(
            22,
            &[hello_scts, certificates.clone(), status, request, done].concat(),
        );
        let Some(Answer::Accepted { extras, .. }) = read_answer(&flight, false) else {
            panic!("no answer");
        };
        assert_eq!(extras.sct_list.as_deref(), Some(&sct_list[..]));
        assert!(extras.status_acknowledged);
        assert_eq!(
            extras.ocsp_response.as_deref(),
            Some(&[0x30, 0x01, 0x00][..])
        );
        let request = extras.certificate_request.unwrap();
        assert_eq!(request.certificate_types, vec![64]);
        assert_eq!(request.signature_algorithms, vec![0x0403]);
        assert_eq!(request.certificate_authorities, vec![ca_name.to_vec()]);
        // A ServerHello whose Certificate never comes: read at the end, without certificates.
        let alone = record(22, &hello);
        assert_eq!(read_answer(&alone, false), None);
        assert!(matches!(
            read_answer(&alone, true),
            Some(Answer::Accepted { certificates, .. }) if certificates.is_empty()
        ));
        // TLS 1.3: the answer is the ServerHello (the certificates are encrypted), with or
        // without the compatibility change_cipher_spec after it.
        let tls13 = server_hello_message(0x0303, 0x1301, &[0x00, 0x2B, 0, 2, 3, 4]);
        for flight in [
            record(22, &tls13),
            [record(22, &tls13), record(20, &[1]), record(23, &[0; 40])].concat(),
        ] {
            assert!(matches!(
                read_answer(&flight, false),
                Some(Answer::Accepted {
                    version: Version::Tls13,
                    ..
                })
            ));
        }
        assert_eq!(
            read_answer(&[21, 3, 3, 0, 2, 2, 70], false),
            Some(Answer::Alert { description: 70 })
        );
        assert_eq!(read_answer(&[], true), Some(Answer::Closed));
        assert_eq!(read_answer(&[], false), None);
        assert_eq!(
            read_answer(b"HTTP/1.1 400 Bad Request\r\n", false),
            Some(Answer::NotTls)
        );
        // Our own hello echoed back is not an answer.
        let offer = Offer::only(Version::Tls12, ATS_SUITES);
        assert_eq!(
            read_answer(&client_hello(&offer, None, [1; 32]), false),
            Some(Answer::NotTls)
        );
        assert_eq!(
            Answer::Alert { description: 40 }.describe(),
            "alert 40 (handshake_failure)"
        );
    }
}
