//! # netlens-tls: TLS handshake probes
//!
//! To tell which protocol versions and cipher suites a server accepts (the server half of App
//! Transport Security, as `nscurl --ats-diagnostics` tests it), a client must offer exactly one
//! version and one set of suites and read what comes back. TLS libraries cannot do that for the
//! versions that matter most here: rustls speaks neither TLS 1.0/1.1 nor static-RSA suites, and
//! a library that does would negotiate, not report. So, as sslyze and testssl.sh do, netlens
//! writes the ClientHello itself ([`client_hello`]) and reads only the first answer
//! ([`read_answer`]): a ServerHello (accepted: which version and suite), an alert (refused), or
//! something that is not TLS. No handshake is completed and no key is ever used, so nothing here
//! is cryptography.
//!
//! A hello's version is a maximum: a server that has only older versions answers with the
//! highest of them, so what the server accepts is the version in its answer, not the one
//! offered. (TLS 1.3 is offered in `supported_versions` alone, so a server without it answers
//! as the TLS 1.2 hello it then sees.)
//!
//! No I/O and no clock: the caller sends the bytes and feeds what it receives.

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

/// A ClientHello record offering only `version` and `suites`, for `server_name` (SNI, left out
/// for an IP address). `random` fills the random and, for TLS 1.3, the X25519 key share (any
/// 32 bytes: the handshake is never finished). Before TLS 1.3 the ECDHE extensions (curves,
/// point formats) and, for TLS 1.2, signature algorithms are offered, as a browser would.
pub fn client_hello(
    version: Version,
    suites: &[u16],
    server_name: Option<&str>,
    random: [u8; 32],
) -> Vec<u8> {
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
    if version >= Version::Tls12 {
        // signature_algorithms: ECDSA P-256/P-384 SHA-256/384, RSA-PSS SHA-256/384, RSA
        // PKCS#1 SHA-256/384/512, Ed25519.
        let algorithms: [u16; 9] = [
            0x0403, 0x0503, 0x0804, 0x0805, 0x0401, 0x0501, 0x0601, 0x0807, 0x0201,
        ];
        let mut body = Vec::new();
        push_u16(&mut body, algorithms.len() * 2);
        for a in algorithms {
            body.extend_from_slice(&a.to_be_bytes());
        }
        push_extension(&mut extensions, 0x000D, &body);
        // extended_master_secret (ATS expects it on TLS 1.2).
        push_extension(&mut extensions, 0x0017, &[]);
    }
    if version == Version::Tls13 {
        push_extension(&mut extensions, 0x002B, &[2, 0x03, 0x04]); // supported_versions
        let mut share = vec![0, 36, 0x00, 0x1D, 0, 32]; // one x25519 share
        share.extend_from_slice(&random);
        push_extension(&mut extensions, 0x0033, &share); // key_share
        push_extension(&mut extensions, 0x002D, &[1, 1]); // psk_key_exchange_modes: psk_dhe_ke
    }
    let mut hello = Vec::new();
    // legacy_version: TLS 1.3 says 1.2 here and the real one in supported_versions.
    hello.extend_from_slice(&version.wire().min(0x0303).to_be_bytes());
    hello.extend_from_slice(&random);
    hello.push(0); // no session id
    push_u16(&mut hello, suites.len() * 2);
    for s in suites {
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
    },
    /// An alert: `description` 40 is handshake_failure (no common suite), 70 protocol_version.
    Alert {
        /// The alert description.
        description: u8,
    },
    /// The bytes are not a TLS answer (an HTTP server, an echo, another protocol).
    NotTls,
}

/// The RFC 8446 random of a HelloRetryRequest (SHA-256 of "HelloRetryRequest").
const HELLO_RETRY_REQUEST: [u8; 32] = [
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
];

/// Reads the server's first answer from what it has sent so far: `None` while more bytes are
/// needed. Never panics, whatever the bytes.
pub fn read_answer(received: &[u8]) -> Option<Answer> {
    let header = received.get(..5)?;
    let (kind, major) = (header[0], header[1]);
    let length = usize::from(u16::from_be_bytes([header[3], header[4]]));
    if major != 3 || !matches!(kind, 21 | 22) || length == 0 || length > 18_432 {
        return Some(Answer::NotTls);
    }
    let body = received.get(5..5 + length)?;
    if kind == 21 {
        return Some(match body {
            [_, description] => Answer::Alert {
                description: *description,
            },
            _ => Answer::NotTls,
        });
    }
    // A handshake record: the first message must be a ServerHello (2). It may span records;
    // servers send it whole in the first one in practice, and a split one is read as not TLS
    // rather than guessed at.
    let (&msg_type, rest) = body.split_first()?;
    if msg_type != 2 {
        return Some(Answer::NotTls);
    }
    Some(server_hello(rest).unwrap_or(Answer::NotTls))
}

fn server_hello(message: &[u8]) -> Option<Answer> {
    let length = usize::from(*message.first()?) << 16
        | usize::from(*message.get(1)?) << 8
        | usize::from(*message.get(2)?);
    let hello = message.get(3..3 + length)?;
    let legacy = u16::from_be_bytes([*hello.first()?, *hello.get(1)?]);
    let random = hello.get(2..34)?;
    let session_len = usize::from(*hello.get(34)?);
    let mut at = 35 + session_len;
    let suite = u16::from_be_bytes([*hello.get(at)?, *hello.get(at + 1)?]);
    at += 3; // suite and compression method
    let mut version = Version::from_wire(legacy)?;
    let mut extended_master_secret = false;
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
                _ => {}
            }
            at += 4 + size;
        }
    }
    if random == HELLO_RETRY_REQUEST {
        version = Version::Tls13;
    }
    Some(Answer::Accepted {
        version,
        suite,
        extended_master_secret,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_hello_is_one_well_formed_record() {
        for version in Version::ALL {
            let hello = client_hello(version, &[0xC02F, 0x009C], Some("example.com"), [7; 32]);
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
        let by_ip = client_hello(Version::Tls12, &[0xC02F], Some("127.0.0.1"), [0; 32]);
        assert!(
            !by_ip.windows(9).any(|w| w == b"127.0.0.1"),
            "no SNI for an address"
        );
    }

    fn server_hello_record(legacy: u16, suite: u16, extensions: &[u8]) -> Vec<u8> {
        let mut hello = legacy.to_be_bytes().to_vec();
        hello.extend_from_slice(&[9; 32]);
        hello.push(0);
        hello.extend_from_slice(&suite.to_be_bytes());
        hello.push(0);
        hello.extend_from_slice(&(extensions.len() as u16).to_be_bytes());
        hello.extend_from_slice(extensions);
        let mut message = vec![2];
        message.extend_from_slice(&(hello.len() as u32).to_be_bytes()[1..]);
        message.extend_from_slice(&hello);
        let mut record = vec![22, 3, 3];
        record.extend_from_slice(&(message.len() as u16).to_be_bytes());
        record.extend_from_slice(&message);
        record
    }

    #[test]
    fn answers_are_read_and_partial_ones_wait() {
        let tls12 = server_hello_record(0x0303, 0xC02F, &[0x00, 0x17, 0, 0]);
        assert_eq!(
            read_answer(&tls12),
            Some(Answer::Accepted {
                version: Version::Tls12,
                suite: 0xC02F,
                extended_master_secret: true
            })
        );
        for end in 0..tls12.len() {
            assert!(
                matches!(read_answer(&tls12[..end]), None | Some(Answer::NotTls)),
                "{end}"
            );
        }
        let tls13 = server_hello_record(0x0303, 0x1301, &[0x00, 0x2B, 0, 2, 3, 4]);
        assert!(matches!(
            read_answer(&tls13),
            Some(Answer::Accepted {
                version: Version::Tls13,
                ..
            })
        ));
        assert_eq!(
            read_answer(&[21, 3, 3, 0, 2, 2, 70]),
            Some(Answer::Alert { description: 70 })
        );
        assert_eq!(
            read_answer(b"HTTP/1.1 400 Bad Request\r\n"),
            Some(Answer::NotTls)
        );
        // Our own hello echoed back is not an answer.
        assert_eq!(
            read_answer(&client_hello(Version::Tls12, &[0xC02F], None, [1; 32])),
            Some(Answer::NotTls)
        );
    }
}
