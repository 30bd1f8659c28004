//! `netlens chain --connect HOST[:PORT]`: the chain a server really sends, and what it
//! negotiated.
//!
//! A TLS handshake with rustls in which nothing is verified (the analysis does that, with every
//! rule and store, and must see a broken chain rather than an aborted connection): the
//! certificates are recorded exactly as sent, with the protocol version, cipher suite, key
//! exchange group and ALPN. No application data is sent.
//!
//! [`probe`] is the other way in, for `netlens ats`: one hand-built ClientHello
//! (`netlens-tls`), one answer, no handshake.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde::Serialize;

/// What the handshake gave.
#[derive(Clone, Debug, Serialize)]
pub struct Connection {
    /// `host:port` as connected to.
    pub endpoint: String,
    /// The name sent as SNI, if any.
    pub sni: Option<String>,
    /// `TLSv1.3`, `TLSv1.2`.
    pub protocol_version: String,
    /// The IANA name of the negotiated suite.
    pub cipher_suite: String,
    /// The key exchange group (`X25519`, `secp256r1`).
    pub key_exchange_group: Option<String>,
    /// The ALPN protocol chosen, if any.
    pub alpn: Option<String>,
    /// The certificates as sent, in order (DER).
    #[serde(skip)]
    pub certificates: Vec<Vec<u8>>,
    /// How many the server sent.
    pub certificates_sent: usize,
    /// The OCSP response the server stapled (DER), if any.
    #[serde(skip)]
    pub ocsp_response: Option<Vec<u8>>,
    /// The SCT list of the server's `signed_certificate_timestamp` extension, if any (read in
    /// a TLS 1.2 handshake: in TLS 1.3 it travels encrypted).
    #[serde(skip)]
    pub sct_list: Option<Vec<u8>>,
    /// Which of those two deliveries were looked at, and how (or why not).
    pub handshake_sources: Vec<netlens_chain::ct::SourceExamined>,
    /// Mutual TLS: whether the server asked for a client certificate, what it takes, and what
    /// became of the identity presented. `None` when it did not ask and none was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_auth: Option<ClientAuth>,
    /// Set when rustls could not complete a handshake (TLS 1.0/1.1 or static RSA only) and
    /// the certificates are those the server sent in the clear to a TLS 1.0–1.2 hello: why,
    /// in a sentence. The version and suite are then the server's answer to that hello, and
    /// there is no key exchange group or ALPN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_in_the_clear: Option<String>,
}

impl Connection {
    /// Gives `analyzer` everything the connection received: the certificates, the stapled
    /// OCSP response, the SCT extension, and which of those were looked for.
    pub fn feed(&self, analyzer: &mut netlens_chain::Analyzer) {
        for der in &self.certificates {
            analyzer.add_chain(der, Some(&self.endpoint));
        }
        analyzer.add_handshake(
            self.ocsp_response.as_deref(),
            self.sct_list.as_deref(),
            self.handshake_sources.clone(),
            &format!("the handshake with {}", self.endpoint),
        );
    }

    /// What the handshake agreed on, for the key usage rule.
    pub fn negotiated(&self) -> netlens_chain::Negotiated {
        netlens_chain::Negotiated {
            protocol_version: self.protocol_version.clone(),
            cipher_suite: self.cipher_suite.clone(),
        }
    }
}

/// Mutual TLS, as a connection saw it.
#[derive(Clone, Debug, Serialize)]
pub struct ClientAuth {
    /// The server sent a CertificateRequest.
    pub requested: bool,
    /// The CAs it lists as acceptable (RFC 4514), which Safari and URLSession filter the
    /// identities they offer on; empty: any.
    pub acceptable_cas: Vec<String>,
    /// Their DER Names.
    #[serde(skip)]
    pub acceptable_ca_names: Vec<Vec<u8>>,
    /// The signature schemes it takes for the client's CertificateVerify.
    pub signature_schemes: Vec<String>,
    /// The identity presented (its file), if one was given.
    pub presented: Option<String>,
    /// The server accepted the connection with it: `Some(false)` when it sent an alert,
    /// `None` when it asked for nothing.
    pub accepted: Option<bool>,
    /// What happened, in a sentence.
    pub outcome: String,
}

/// Records the server's CertificateRequest (TLS 1.2 and 1.3 alike: rustls hands the resolver
/// the acceptable CA names and signature schemes) and answers with the identity, if any.
#[derive(Debug)]
struct ClientCertRecorder {
    identity: Option<Arc<rustls::sign::CertifiedKey>>,
    request: std::sync::Mutex<Option<CertificateRequested>>,
}

/// What a CertificateRequest asked for: the acceptable CA names (DER) and signature schemes.
type CertificateRequested = (Vec<Vec<u8>>, Vec<SignatureScheme>);

impl rustls::client::ResolvesClientCert for ClientCertRecorder {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        if let Ok(mut request) = self.request.lock() {
            *request = Some((
                root_hint_subjects.iter().map(|n| n.to_vec()).collect(),
                sigschemes.to_vec(),
            ));
        }
        self.identity.clone()
    }

    fn has_certs(&self) -> bool {
        // Always: the request must reach `resolve` to be recorded.
        true
    }
}

/// An alert about a client certificate, said as a sentence.
fn client_alert_sentence(alert: rustls::AlertDescription, presented: bool) -> String {
    use rustls::AlertDescription as A;
    let what = match alert {
        A::CertificateRequired => {
            "the server requires a client certificate and none was sent (alert certificate_required)"
        }
        A::BadCertificate => {
            "the server refused the client certificate (alert bad_certificate): it cannot verify it or does not trust it"
        }
        A::UnknownCA => {
            "the server does not know the CA that issued the client certificate (alert unknown_ca): the client chain must reach one of the CAs it lists"
        }
        A::CertificateExpired => {
            "the server refused the client certificate as expired (alert certificate_expired)"
        }
        A::CertificateRevoked => {
            "the server refused the client certificate as revoked (alert certificate_revoked)"
        }
        A::UnsupportedCertificate => {
            "the server does not take this kind of client certificate (alert unsupported_certificate): check its key usage and extended key usage (clientAuth)"
        }
        A::CertificateUnknown => {
            "the server refused the client certificate (alert certificate_unknown)"
        }
        A::AccessDenied => {
            "the server accepted the client certificate's chain but denies this identity access (alert access_denied)"
        }
        A::DecryptError => {
            "the client's signature did not verify (alert decrypt_error): the key does not belong to the certificate"
        }
        A::HandshakeFailure if !presented => {
            "the server ended the handshake (alert handshake_failure), most likely because it requires a client certificate and none was sent"
        }
        _ => {
            return format!(
                "the server ended the connection with the alert {alert:?} after asking for a client certificate"
            );
        }
    };
    what.to_owned()
}

/// A TLS SignatureScheme by its IANA name (`ecdsa_secp256r1_sha256`), or its value in hex.
fn scheme_name(scheme: u16) -> String {
    match scheme {
        0x0201 => "rsa_pkcs1_sha1",
        0x0203 => "ecdsa_sha1",
        0x0401 => "rsa_pkcs1_sha256",
        0x0501 => "rsa_pkcs1_sha384",
        0x0601 => "rsa_pkcs1_sha512",
        0x0403 => "ecdsa_secp256r1_sha256",
        0x0503 => "ecdsa_secp384r1_sha384",
        0x0603 => "ecdsa_secp521r1_sha512",
        0x0804 => "rsa_pss_rsae_sha256",
        0x0805 => "rsa_pss_rsae_sha384",
        0x0806 => "rsa_pss_rsae_sha512",
        0x0807 => "ed25519",
        0x0808 => "ed448",
        0x0809 => "rsa_pss_pss_sha256",
        0x080A => "rsa_pss_pss_sha384",
        0x080B => "rsa_pss_pss_sha512",
        other => return format!("0x{other:04x}"),
    }
    .to_owned()
}

/// The DER Name as RFC 4514 text, or its hex when it does not parse.
fn name_text(der: &[u8]) -> String {
    use der::Decode as _;
    x509_cert::name::Name::from_der(der).map_or_else(
        |_| netlens_x509::hex::plain(der),
        |n| netlens_x509::dn::DistinguishedName::from_name(&n).rfc4514,
    )
}

/// Where to connect: `HOST[:PORT]`, the SNI to send and how long to wait.
#[derive(Clone, Debug)]
pub struct Target {
    /// The host name or address.
    pub host: String,
    /// The port (443 by default).
    pub port: u16,
    /// The name sent as SNI: `--sni`, else HOST unless it is an address.
    pub sni: Option<String>,
    /// How long each connection may take.
    pub timeout: Duration,
}

impl Target {
    /// From `HOST[:PORT]`, `--sni` and `--timeout` (seconds); `Err` says which is wrong.
    pub fn parse(endpoint: &str, sni: Option<&str>, timeout: f64) -> Result<Target, String> {
        let (host, port) = split_endpoint(endpoint)?;
        if !(timeout > 0.0 && timeout <= 120.0) {
            return Err("--timeout is in seconds, more than 0 and at most 120".into());
        }
        let is_address = host.parse::<std::net::IpAddr>().is_ok();
        let sni = sni
            .map(str::to_owned)
            .or_else(|| (!is_address).then(|| host.clone()));
        Ok(Target {
            host,
            port,
            sni,
            timeout: Duration::from_secs_f64(timeout),
        })
    }

    /// `host:port`, with brackets for IPv6.
    pub fn endpoint(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Accepts every certificate and signature: the analysis judges them, the connection must not.
/// Keeps the OCSP response the server stapled (rustls asks for one in every handshake).
#[derive(Debug)]
struct RecordOnly {
    provider: Arc<rustls::crypto::CryptoProvider>,
    stapled: std::sync::Mutex<Option<Vec<u8>>>,
}

impl ServerCertVerifier for RecordOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if !ocsp.is_empty()
            && let Ok(mut stapled) = self.stapled.lock()
        {
            *stapled = Some(ocsp.to_vec());
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// `HOST[:PORT]` (`[::1]:8443` for IPv6) and the port, 443 by default.
pub fn split_endpoint(endpoint: &str) -> Result<(String, u16), String> {
    let (host, port) = if let Some(rest) = endpoint.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("{endpoint:?}: an IPv6 address needs its closing `]`"))?;
        (host, after.strip_prefix(':'))
    } else {
        match endpoint.rsplit_once(':') {
            Some((host, port)) if !host.contains(':') => (host, Some(port)),
            _ => (endpoint, None),
        }
    };
    let port = match port {
        Some(p) => p
            .parse()
            .map_err(|_| format!("{endpoint:?}: {p:?} is not a port number"))?,
        None => 443,
    };
    if host.is_empty() {
        return Err(format!("{endpoint:?}: no host"));
    }
    Ok((host.to_owned(), port))
}

/// A TCP connection to `target` within its timeout. `Err` is one sentence: what failed,
/// where, what to try.
fn open(target: &Target) -> Result<TcpStream, String> {
    let endpoint = target.endpoint();
    let host = &target.host;
    let addresses: Vec<_> = (host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| format!("{host} does not resolve ({e}): check the name"))?
        .collect();
    let mut last = format!("{host} has no address");
    for address in &addresses {
        match TcpStream::connect_timeout(address, target.timeout) {
            Ok(stream) => return Ok(stream),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                last = format!(
                    "nothing accepts connections at {endpoint} (connection refused): check the host and port"
                );
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                ) =>
            {
                last = format!(
                    "{endpoint} did not answer within {} s: a firewall may drop the connection; check the port or raise --timeout",
                    target.timeout.as_secs_f64()
                );
            }
            Err(e) => last = format!("cannot connect to {endpoint} ({e})"),
        }
    }
    Err(last)
}

/// Why a probe has no answer to judge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeError {
    /// The connection could not be made (refused, unresolved, timed out).
    Unreachable(String),
    /// The server took the connection and the hello, and said nothing within the timeout.
    Silent(String),
}

impl std::fmt::Display for ProbeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProbeError::Unreachable(why) | ProbeError::Silent(why) => f.write_str(why),
        }
    }
}

/// Sends the ClientHello of `offer` to `target` on a connection of its own and reads the
/// server's first answer, within `target.timeout`.
pub fn probe(
    target: &Target,
    offer: &netlens_tls::Offer,
) -> Result<netlens_tls::Answer, ProbeError> {
    let mut stream = open(target).map_err(ProbeError::Unreachable)?;
    let deadline = Instant::now() + target.timeout;
    let hello = netlens_tls::client_hello(offer, target.sni.as_deref(), [0x4E; 32]);
    let _ = stream.set_write_timeout(Some(target.timeout));
    if stream.write_all(&hello).is_err() {
        return Ok(netlens_tls::Answer::Closed);
    }
    let mut received = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    loop {
        if let Some(answer) = netlens_tls::read_answer(&received, false) {
            return Ok(answer);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let read = if left.is_zero() {
            Err(std::io::ErrorKind::TimedOut.into())
        } else {
            let _ = stream.set_read_timeout(Some(left));
            stream.read(&mut buffer)
        };
        match read {
            Ok(n) if n > 0 => received.extend_from_slice(&buffer[..n]),
            Err(e)
                if received.is_empty()
                    && matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
            {
                return Err(ProbeError::Silent(format!(
                    "{} took the connection but did not answer a TLS hello within {} s: check that it speaks TLS on this port, or raise --timeout",
                    target.endpoint(),
                    target.timeout.as_secs_f64()
                )));
            }
            // Closed, reset, or out of time partway: what came is the answer.
            _ => {
                return Ok(netlens_tls::read_answer(&received, true)
                    .unwrap_or(netlens_tls::Answer::NotTls));
            }
        }
    }
}

/// Connects to `target` and completes a TLS handshake (SNI `target.sni`), within its timeout.
/// `Err` is one sentence: what failed, where, what to try.
pub fn connect(
    target: &Target,
    identity: Option<&crate::identity::ClientIdentity>,
) -> Result<Connection, String> {
    let endpoint = target.endpoint();
    let (host, sni, timeout) = (&target.host, target.sni.as_deref(), target.timeout);
    let deadline = Instant::now() + timeout;
    let mut stream = open(target)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let recorder = Arc::new(RecordOnly {
        provider: provider.clone(),
        stapled: std::sync::Mutex::new(None),
    });
    let certified = match identity {
        Some(id) => {
            let key = provider
                .key_provider
                .load_private_key(rustls::pki_types::PrivateKeyDer::Pkcs8(
                    rustls::pki_types::PrivatePkcs8KeyDer::from(id.key.to_vec()),
                ))
                .map_err(|e| {
                    format!(
                        "the client identity {}: its key cannot sign a TLS handshake ({e})",
                        id.source
                    )
                })?;
            Some(Arc::new(rustls::sign::CertifiedKey::new(
                id.chain
                    .iter()
                    .map(|c| CertificateDer::from(c.clone()))
                    .collect(),
                key,
            )))
        }
        None => None,
    };
    let client = Arc::new(ClientCertRecorder {
        identity: certified,
        request: std::sync::Mutex::new(None),
    });
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up failed: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_client_cert_resolver(client.clone());
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config.enable_sni = sni.is_some();
    let name = sni.unwrap_or(host.as_str());
    let server_name = ServerName::try_from(name.to_owned())
        .map_err(|_| format!("{name:?} is not a host name or address to send as SNI"))?;
    let mut tls = rustls::ClientConnection::new(Arc::new(config), server_name)
        .map_err(|e| format!("TLS set-up failed: {e}"))?;
    let not_tls = |why: &dyn std::fmt::Display| {
        format!(
            "{endpoint} did not complete a TLS handshake ({why}): is it a TLS port? A plain HTTP or other service has no certificate to check"
        )
    };
    while tls.is_handshaking() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!(
                "{endpoint} did not finish the TLS handshake within {} s: check that it speaks TLS on this port, or raise --timeout",
                timeout.as_secs_f64()
            ));
        }
        stream
            .set_read_timeout(Some(left))
            .map_err(|e| e.to_string())?;
        stream
            .set_write_timeout(Some(left))
            .map_err(|e| e.to_string())?;
        match tls.complete_io(&mut stream) {
            Ok((0, 0)) if tls.is_handshaking() => {
                let why = "the server closed the connection";
                return in_the_clear(target, &why).ok_or_else(|| not_tls(&why));
            }
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => {
                // A server that refuses what rustls speaks (an alert, an incompatible peer)
                // may still take an older version or static RSA: read its certificates in the
                // clear. Anything else (not TLS at all) is said as it is.
                let rustls_error = e
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<rustls::Error>());
                let refused = rustls_error.is_some_and(|r| {
                    matches!(
                        r,
                        rustls::Error::AlertReceived(_) | rustls::Error::PeerIncompatible(_)
                    )
                });
                // A TLS 1.2 server refuses a client certificate inside the handshake.
                let alert = match rustls_error {
                    Some(rustls::Error::AlertReceived(a)) => Some(*a),
                    _ => None,
                };
                let client_auth = client_auth(&client, identity, alert, false);
                return match refused.then(|| in_the_clear(target, &e)).flatten() {
                    Some(mut connection) => {
                        connection.client_auth = client_auth;
                        Ok(connection)
                    }
                    None => match client_auth {
                        Some(auth) if auth.accepted == Some(false) => {
                            Err(format!("{endpoint} ended the handshake: {}", auth.outcome))
                        }
                        _ => Err(not_tls(&e)),
                    },
                };
            }
        }
    }
    let certificates: Vec<Vec<u8>> = tls
        .peer_certificates()
        .map(|c| c.iter().map(|c| c.as_ref().to_vec()).collect())
        .unwrap_or_default();
    // A TLS 1.3 server judges the client certificate after the client's Finished: its alert
    // (or its silence) comes after the handshake. Waited for 1.5 s at most.
    let asked = client.request.lock().is_ok_and(|r| r.is_some());
    let mut post_handshake_alert = None;
    if asked {
        let wait = deadline
            .saturating_duration_since(Instant::now())
            .min(Duration::from_millis(1500))
            .max(Duration::from_millis(1));
        let until = Instant::now() + wait;
        let _ = stream.set_read_timeout(Some(wait));
        for _ in 0..32 {
            if Instant::now() >= until {
                break;
            }
            match tls.read_tls(&mut stream) {
                Ok(0) | Err(_) => break,
                Ok(_) => match tls.process_new_packets() {
                    Err(rustls::Error::AlertReceived(a)) => {
                        post_handshake_alert = Some(a);
                        break;
                    }
                    Err(_) => break,
                    Ok(state) if state.peer_has_closed() => break,
                    Ok(_) => {}
                },
            }
        }
    }
    let client_auth = client_auth(&client, identity, post_handshake_alert, true);
    // Say goodbye politely; nothing depends on it.
    tls.send_close_notify();
    let _ = tls.write_tls(&mut stream);
    let _ = stream.flush();
    let mut sink = [0u8; 1];
    let _ = stream.set_read_timeout(Some(Duration::from_millis(1)));
    let _ = stream.read(&mut sink);
    let protocol_version = match tls.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3".to_owned(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2".to_owned(),
        Some(v) => format!("{v:?}"),
        None => "unknown".to_owned(),
    };
    let ocsp_response = recorder.stapled.lock().ok().and_then(|s| s.clone());
    let (sct_list, sct_source) = sct_extension(target, certificates.first());
    let handshake_sources = vec![
        sct_source,
        netlens_chain::ct::SourceExamined {
            source: netlens_chain::ct::SctSource::Ocsp,
            examined: true,
            how: format!(
                "asked for (status_request) in the {protocol_version} handshake; the server {}",
                if ocsp_response.is_some() {
                    "stapled one"
                } else {
                    "stapled none"
                }
            ),
        },
    ];
    Ok(Connection {
        endpoint,
        sni: sni.map(str::to_owned),
        client_auth,
        ocsp_response,
        sct_list,
        handshake_sources,
        protocol_version,
        cipher_suite: tls
            .negotiated_cipher_suite()
            .and_then(|s| s.suite().as_str())
            .unwrap_or("unknown")
            .to_owned(),
        key_exchange_group: tls
            .negotiated_key_exchange_group()
            .map(|g| format!("{:?}", g.name())),
        alpn: tls
            .alpn_protocol()
            .map(|a| String::from_utf8_lossy(a).into_owned()),
        certificates_sent: certificates.len(),
        certificates,
        read_in_the_clear: None,
    })
}

/// After rustls failed (`why`): one hello offering every version from TLS 1.0 and every suite
/// netlens knows; a TLS 1.0–1.2 answer carries the certificates in the clear.
fn in_the_clear(target: &Target, why: &dyn std::fmt::Display) -> Option<Connection> {
    let offer = netlens_tls::Offer {
        maximum: netlens_tls::Version::Tls13,
        minimum: netlens_tls::Version::Tls10,
        suites: netlens_tls::TLS13_SUITES
            .iter()
            .chain(netlens_tls::ATS_SUITES)
            .chain(netlens_tls::STATIC_RSA_SUITES)
            .map(|s| s.id)
            .collect(),
    };
    match probe(target, &offer).ok()? {
        netlens_tls::Answer::Accepted {
            version,
            suite,
            certificates,
            extras,
            ..
        } if !certificates.is_empty() => Some(Connection {
            endpoint: target.endpoint(),
            sni: target.sni.clone(),
            handshake_sources: vec![
                netlens_chain::ct::SourceExamined {
                    source: netlens_chain::ct::SctSource::TlsExtension,
                    examined: true,
                    how: format!("asked for in a {} hello, read in the clear", version.name()),
                },
                netlens_chain::ct::SourceExamined {
                    source: netlens_chain::ct::SctSource::Ocsp,
                    examined: true,
                    how: format!(
                        "asked for (status_request) in a {} hello; the server {}",
                        version.name(),
                        if extras.ocsp_response.is_some() {
                            "stapled one"
                        } else {
                            "stapled none"
                        }
                    ),
                },
            ],
            ocsp_response: extras.ocsp_response.clone(),
            sct_list: extras.sct_list.clone(),
            client_auth: extras.certificate_request.as_ref().map(|r| ClientAuth {
                requested: true,
                acceptable_cas: r.certificate_authorities.iter().map(|n| name_text(n)).collect(),
                acceptable_ca_names: r.certificate_authorities.clone(),
                signature_schemes: r
                    .signature_algorithms
                    .iter()
                    .map(|s| scheme_name(*s))
                    .collect(),
                presented: None,
                accepted: None,
                outcome: "the server asks for a client certificate (read from its TLS 1.2 hello, in the clear)".into(),
            }),
            protocol_version: version.name().to_owned(),
            cipher_suite: netlens_tls::suite_name(suite),
            key_exchange_group: None,
            alpn: None,
            certificates_sent: certificates.len(),
            certificates,
            read_in_the_clear: Some(format!(
                "rustls could not complete a handshake ({why}): the server answered a hello for TLS 1.0 to 1.3 with {} and {}, so the certificates are those it sent in the clear",
                version.name(),
                netlens_tls::suite_name(suite)
            )),
        }),
        _ => None,
    }
}

/// What became of client authentication: the request the resolver recorded, and `alert` (one
/// received in the handshake, or after it when `completed`).
fn client_auth(
    recorder: &ClientCertRecorder,
    identity: Option<&crate::identity::ClientIdentity>,
    alert: Option<rustls::AlertDescription>,
    completed: bool,
) -> Option<ClientAuth> {
    let request = recorder.request.lock().ok().and_then(|r| r.clone());
    let presented = identity.map(|i| i.source.clone());
    let Some((names, schemes)) = request else {
        return presented.map(|p| ClientAuth {
            requested: false,
            acceptable_cas: Vec::new(),
            acceptable_ca_names: Vec::new(),
            signature_schemes: Vec::new(),
            presented: Some(p),
            accepted: None,
            outcome: "the server did not ask for a client certificate, so none was sent".into(),
        });
    };
    let sent = presented.is_some();
    let (accepted, outcome) = match alert {
        Some(a) => (Some(false), client_alert_sentence(a, sent)),
        None if completed && sent => (
            Some(true),
            "the server accepted the client certificate: the handshake completed and no alert followed".into(),
        ),
        None if completed => (
            Some(true),
            "the server asks for a client certificate but connected without one (it is optional there)".into(),
        ),
        None => (None, "the handshake failed after the server asked for a client certificate".into()),
    };
    Some(ClientAuth {
        requested: true,
        acceptable_cas: names.iter().map(|n| name_text(n)).collect(),
        acceptable_ca_names: names,
        signature_schemes: schemes.iter().map(|s| scheme_name(u16::from(*s))).collect(),
        presented,
        accepted,
        outcome,
    })
}

/// The SCT list of the server's `signed_certificate_timestamp` extension, read from a TLS 1.2
/// hello (rustls dropped SCT support, and TLS 1.3 sends the extension encrypted inside the
/// Certificate message), and how it was looked for. The answer counts only when the server
/// sends the same leaf over TLS 1.2 as in the handshake being judged.
fn sct_extension(
    target: &Target,
    leaf: Option<&Vec<u8>>,
) -> (Option<Vec<u8>>, netlens_chain::ct::SourceExamined) {
    let offer = netlens_tls::Offer {
        maximum: netlens_tls::Version::Tls12,
        minimum: netlens_tls::Version::Tls12,
        suites: netlens_tls::ATS_SUITES
            .iter()
            .chain(netlens_tls::STATIC_RSA_SUITES)
            .map(|s| s.id)
            .collect(),
    };
    let not_looked = |how: &str| {
        (
            None,
            netlens_chain::ct::SourceExamined {
                source: netlens_chain::ct::SctSource::TlsExtension,
                examined: false,
                how: how.to_owned(),
            },
        )
    };
    match probe(target, &offer) {
        Ok(netlens_tls::Answer::Accepted {
            certificates,
            extras,
            ..
        }) if certificates.first() == leaf => (
            extras.sct_list.clone(),
            netlens_chain::ct::SourceExamined {
                source: netlens_chain::ct::SctSource::TlsExtension,
                examined: true,
                how: format!(
                    "asked for in a TLS 1.2 hello (in TLS 1.3 the extension travels encrypted); the server sent {}",
                    if extras.sct_list.is_some() {
                        "an SCT list"
                    } else {
                        "none"
                    }
                ),
            },
        ),
        Ok(netlens_tls::Answer::Accepted { .. }) => not_looked(
            "the server sends another certificate over TLS 1.2, and in TLS 1.3 the extension travels encrypted",
        ),
        _ => not_looked(
            "the server does not take TLS 1.2, and in TLS 1.3 the extension travels inside the encrypted Certificate \
             message, which netlens' TLS library does not expose",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_with_and_without_ports() {
        assert_eq!(
            split_endpoint("example.com").unwrap(),
            ("example.com".into(), 443)
        );
        assert_eq!(
            split_endpoint("example.com:8443").unwrap(),
            ("example.com".into(), 8443)
        );
        assert_eq!(split_endpoint("[::1]:8443").unwrap(), ("::1".into(), 8443));
        assert_eq!(split_endpoint("::1").unwrap(), ("::1".into(), 443));
        assert!(split_endpoint("example.com:https").is_err());
        assert!(split_endpoint(":443").is_err());
    }
}
