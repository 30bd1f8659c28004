//! Explains the TLS error codes and log lines an app developer pastes.
//!
//! People arrive holding `-1202`, `Error Domain=kCFStreamErrorDomainSSL Code=-9813`, an
//! `NWError` `tls(-9808)`, or a console excerpt ("ATS failed system trust", "TIC SSL Trust
//! Error", `boringssl_context_handle_fatal_alert … description: bad certificate`). [`explain`]
//! finds every code, name and known message in the text and says, for each: its domain and
//! name, Apple's own one-line text, what it means, the likely causes in order with the netlens
//! rules that would confirm each, and the next step.
//!
//! Names and numbers come from Apple's published definitions only (the generated tables in
//! `generated.rs`, written by `scripts/gen-tls-codes.py`): `SecBase.h` for `errSec*` and
//! `errSSL*`, `SecPolicyChecks.list` and `SecFrameworkStrings.h` for trust evaluation's checks
//! and messages, Foundation's `NSURLError.h` (through objc2-foundation's bindings) for
//! `NSURLErrorDomain`. A number in an Apple error range that those tables do not hold is
//! reported as unknown, never guessed.

use serde::Serialize;

use netlens_chain::catalog::RuleId;

use crate::generated;

/// Where a code or message comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    /// `NSURLErrorDomain` (URLSession; `kCFErrorDomainCFNetwork` uses the same numbers).
    NsUrl,
    /// SecureTransport / `kCFStreamErrorDomainSSL` (`errSSL*`, −9800…−9890), also what
    /// Network framework's `NWError.tls` carries.
    SecureTransport,
    /// The Security framework's other OSStatus codes (`errSec*`, `NSOSStatusErrorDomain`).
    Security,
    /// A trust evaluation check (`SecPolicyChecks.list`), as trustd logs it.
    TrustCheck,
    /// A TLS alert, sent or received (BoringSSL's log lines).
    TlsAlert,
    /// A Darwin POSIX error (`NWError.posix`, `NSPOSIXErrorDomain`, CFNetwork's `1:N`).
    Posix,
    /// A DNS-SD error: `netlens dnssd error` explains it.
    DnsSd,
    /// A log line of CFNetwork, ATS or BoringSSL.
    LogLine,
}

impl Domain {
    /// How the domain is written in Apple's APIs and logs.
    pub fn name(self) -> &'static str {
        match self {
            Domain::NsUrl => "NSURLErrorDomain",
            Domain::SecureTransport => "kCFStreamErrorDomainSSL (SecureTransport)",
            Domain::Security => "NSOSStatusErrorDomain (Security framework)",
            Domain::TrustCheck => "Trust evaluation check",
            Domain::TlsAlert => "TLS alert",
            Domain::Posix => "NSPOSIXErrorDomain",
            Domain::DnsSd => "kDNSServiceErr (dns_sd.h)",
            Domain::LogLine => "Log line",
        }
    }
}

/// The next thing to do, with the netlens command that does it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NextStep {
    /// Analyse the server's chain.
    AnalyseChain,
    /// Test the server half of ATS.
    AtsServer,
    /// Lint the app's NSAppTransportSecurity dictionary.
    LintInfoPlist,
    /// Check the app's pins against the chain.
    CheckPins,
    /// Present a client identity.
    ClientIdentity,
    /// Look for an intercepting proxy.
    CheckProxy,
    /// Check the device's clock.
    CheckClock,
    /// Not TLS: the network.
    CheckNetwork,
    /// A DNS-SD code.
    DnssdError,
}

impl NextStep {
    /// The step as a sentence with its command.
    pub fn text(self) -> &'static str {
        match self {
            NextStep::AnalyseChain => {
                "Analyse the chain the server sends: `netlens chain --connect HOST` (or paste it on the chain page). The findings name what fails on Apple platforms."
            }
            NextStep::AtsServer => {
                "Test the server half of App Transport Security: `netlens ats HOST` tries each TLS version and suite set and writes the least exceptions, or how to fix the server."
            }
            NextStep::LintInfoPlist => {
                "Lint the app's NSAppTransportSecurity dictionary: `netlens ats --info-plist Info.plist` (or paste it on the App TLS page); with a host, `netlens ats HOST --info-plist Info.plist` says whether the app as configured connects."
            }
            NextStep::CheckPins => {
                "Check the app's pins against the chain the server sends now: `netlens pins chain.pem --check pins.txt`, and against the renewal with `--next next.pem`."
            }
            NextStep::ClientIdentity => {
                "See whether the server asks for a client certificate and accepts yours: `netlens chain --connect HOST --client-identity identity.p12 --password-file FILE`."
            }
            NextStep::CheckProxy => {
                "If a proxy sits in the path (Charles, mitmproxy, Proxyman, a corporate SSL inspection), the app sees the proxy's certificate: compare with `netlens chain --connect HOST` from another network."
            }
            NextStep::CheckClock => {
                "Check the device's date and time (Settings › General › Date & Time): a wrong clock makes valid certificates look expired or not yet valid."
            }
            NextStep::CheckNetwork => {
                "This is a network failure, not a certificate one: check connectivity and latency to the endpoint (`netlens probe`)."
            }
            NextStep::DnssdError => {
                "This is a DNS-SD (Bonjour) code: `netlens dnssd error CODE` explains it."
            }
        }
    }
}

/// A likely cause, and the netlens rules whose findings confirm it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cause {
    /// The cause, as a sentence.
    pub text: &'static str,
    /// Rule ids that confirm it when the chain is analysed.
    pub rules: Vec<&'static str>,
}

/// One code, name or message recognised in the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Recognised {
    /// The text it was recognised from, as written in the input.
    pub matched: String,
    /// The domain.
    pub domain: Domain,
    /// The number, for codes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<i64>,
    /// The constant's name (`errSSLXCertChainInvalid`), the check's key, the alert's name, or
    /// the log line's words.
    pub name: String,
    /// Other names of the same code (CFNetwork's `kCFURLError…`, Swift's `URLError.…`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Apple's own one-line text for it (the header comment or the failure message).
    pub apple_text: String,
    /// What it means.
    pub meaning: String,
    /// The likely causes, most likely first.
    pub causes: Vec<Cause>,
    /// Where the name, number and text come from.
    pub source: &'static str,
}

/// A number in an Apple error range that netlens does not know.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unknown {
    /// As written.
    pub matched: String,
    /// The number.
    pub number: i64,
    /// Which range it lies in, and that netlens does not know it.
    pub note: String,
}

/// Everything recognised in one input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// Codes, names and messages, in the order they first appear.
    pub recognised: Vec<Recognised>,
    /// Numbers in Apple's error ranges that netlens does not know.
    pub unknown: Vec<Unknown>,
    /// What to do next, most useful first.
    pub next_steps: Vec<NextStep>,
    /// A sentence when nothing was recognised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The largest input explained (a console excerpt, not a whole log archive).
pub const MAX_INPUT: usize = 256 * 1024;

const SRC_SECBASE: &str = "Apple Security framework, SecBase.h (apple-oss-distributions/Security)";
const SRC_NSURL: &str = "Foundation NSURLError.h, as published by objc2-foundation 0.3.2 (NSURLError.rs) and Apple's “URL Loading System Error Codes”";
const SRC_CHECKS: &str = "Apple Security framework, SecPolicyChecks.list and SecFrameworkStrings.h (apple-oss-distributions/Security)";
const SRC_ALERT: &str =
    "RFC 8446 §6.2 and RFC 5246 §7.2 (alert descriptions), as BoringSSL names them in its logs";
const SRC_POSIX: &str = "Darwin <sys/errno.h> (apple-oss-distributions/xnu, bsd/sys/errno.h)";
const SRC_LOG: &str = "Apple's CFNetwork / BoringSSL log text, as quoted in Apple Developer Forums threads and public issue trackers (see the explainer's corpus test)";

/// Hand-written detail for the codes people meet most.
struct Detail {
    name: &'static str,
    meaning: &'static str,
    causes: &'static [(&'static str, &'static [RuleId])],
    next: &'static [NextStep],
}

use NextStep::*;
use RuleId as R;

const UNTRUSTED_CAUSES: &[(&str, &[RuleId])] = &[
    (
        "The server does not send its intermediate certificates (browsers may fetch them; iOS apps do not).",
        &[R::ChainMissingIntermediate],
    ),
    (
        "The chain ends at a root Apple does not trust: a private or test CA not installed and trusted on the device (Settings › General › About › Certificate Trust Settings), or a removed or distrusted root.",
        &[
            R::ChainUntrustedRoot,
            R::TrustRootNotInStore,
            R::TrustRootRemoved,
            R::TrustDistrustedAfter,
        ],
    ),
    (
        "The certificate does not name the host the app connects to (Apple reads only the Subject Alternative Name, never the Common Name).",
        &[R::TlsHostnameMismatch, R::TlsCnOnlyName],
    ),
    (
        "A certificate is expired or not yet valid (or the device's clock is wrong).",
        &[R::ChainExpired, R::ChainNotYetValid],
    ),
    (
        "The certificate breaks Apple's rules for TLS server certificates: validity over 398 days, too few SCTs, no serverAuth EKU, an RSA key under 2048 bits, a SHA-1 signature.",
        &[
            R::AppleValidityOver398Days,
            R::AppleValidityOver825Days,
            R::AppleCtInsufficientScts,
            R::TlsMissingServerauthEku,
            R::AppleRsaKeyTooSmall,
            R::AppleSha1Signature,
        ],
    ),
    (
        "A proxy that intercepts TLS (Charles, mitmproxy, a corporate SSL inspection) presents its own certificate.",
        &[R::TrustRootNotInStore],
    ),
];

const DETAILS: &[Detail] = &[
    Detail {
        name: "NSURLErrorSecureConnectionFailed",
        meaning: "URLSession could not set up TLS with the server. It is the generic code: the underlying SecureTransport code (`_kCFStreamErrorCodeKey`, e.g. -9802 or -9836) and any ATS log line say why.",
        causes: &[
            (
                "App Transport Security refused the server: TLS below 1.2, no forward-secret suite, or a certificate that fails ATS (SHA-1, RSA < 2048, EC < 256).",
                &[
                    R::AtsServerConfiguration,
                    R::AtsSignatureHashTooWeak,
                    R::AtsEcKeyTooSmall,
                    R::AppleRsaKeyTooSmall,
                ],
            ),
            (
                "The server's certificate is not trusted (ATS needs the default trust evaluation to pass whatever the app overrides).",
                &[
                    R::ChainMissingIntermediate,
                    R::TrustRootNotInStore,
                    R::TlsHostnameMismatch,
                ],
            ),
            (
                "The server sent a fatal alert: it wants a client certificate, or shares no protocol version or suite with iOS.",
                &[],
            ),
        ],
        next: &[AtsServer, AnalyseChain, LintInfoPlist],
    },
    Detail {
        name: "NSURLErrorServerCertificateUntrusted",
        meaning: "The server's certificate chain failed trust evaluation: the chain cannot be built to a root the device trusts, or it is built but breaks a rule (name, dates, Apple's policy).",
        causes: UNTRUSTED_CAUSES,
        next: &[AnalyseChain, CheckProxy, CheckClock],
    },
    Detail {
        name: "NSURLErrorServerCertificateHasUnknownRoot",
        meaning: "The chain ends at a root certificate the device does not trust.",
        causes: &[
            (
                "The server's CA is private or a test CA that is not installed and trusted on this device.",
                &[R::TrustRootNotInStore, R::InfoPrivateRoot],
            ),
            (
                "The server does not send the intermediates, so the chain stops short of a trusted root.",
                &[R::ChainMissingIntermediate],
            ),
            (
                "An intercepting proxy (Charles, mitmproxy, a corporate SSL inspection) signs with its own root.",
                &[R::TrustRootNotInStore],
            ),
        ],
        next: &[AnalyseChain, CheckProxy],
    },
    Detail {
        name: "NSURLErrorServerCertificateHasBadDate",
        meaning: "A certificate in the chain is expired (or not yet valid).",
        causes: &[
            (
                "The server's certificate (or an intermediate it sends) has expired: renewal did not reach this server.",
                &[R::ChainExpired],
            ),
            ("The device's clock is wrong.", &[]),
        ],
        next: &[AnalyseChain, CheckClock],
    },
    Detail {
        name: "NSURLErrorServerCertificateNotYetValid",
        meaning: "A certificate in the chain is not valid yet (its notBefore is in the future).",
        causes: &[
            ("The device's clock is behind.", &[]),
            (
                "The certificate was issued with a future start date.",
                &[R::ChainNotYetValid],
            ),
        ],
        next: &[CheckClock, AnalyseChain],
    },
    Detail {
        name: "NSURLErrorClientCertificateRejected",
        meaning: "The server rejected the client certificate the app presented (mutual TLS).",
        causes: &[
            (
                "The client certificate is not issued by a CA the server accepts, or lacks the clientAuth extended key usage.",
                &[R::TlsMissingClientauthEku],
            ),
            (
                "The app did not send the intermediates the server needs (pass them in URLCredential's certificates).",
                &[R::ChainMissingIntermediate],
            ),
            ("The client certificate has expired.", &[R::ChainExpired]),
        ],
        next: &[ClientIdentity],
    },
    Detail {
        name: "NSURLErrorClientCertificateRequired",
        meaning: "The server asked for a client certificate (mutual TLS) and the app supplied none.",
        causes: &[
            (
                "The app does not answer NSURLAuthenticationMethodClientCertificate challenges with a URLCredential(identity:certificates:persistence:).",
                &[],
            ),
            (
                "Safari / the system found no identity matching the CA names the server lists.",
                &[],
            ),
        ],
        next: &[ClientIdentity],
    },
    Detail {
        name: "NSURLErrorAppTransportSecurityRequiresSecureConnection",
        meaning: "App Transport Security blocked a cleartext `http://` load: ATS allows only HTTPS unless the Info.plist makes an exception.",
        causes: &[
            (
                "The URL is `http://`: use `https://` (the server needs a certificate Apple trusts).",
                &[],
            ),
            (
                "A redirect, or a resource the page loads, is `http://`.",
                &[],
            ),
            (
                "An exception is meant to cover the host but is misspelled, has a scheme or port, or misses NSIncludesSubdomains.",
                &[],
            ),
        ],
        next: &[LintInfoPlist, AtsServer],
    },
    Detail {
        name: "NSURLErrorUserCancelledAuthentication",
        meaning: "An authentication challenge was cancelled. For TLS this is usually the app's own trust or pinning code calling the completion handler with `.cancelAuthenticationChallenge`.",
        causes: &[
            (
                "The app's pinning check rejected the server's keys: the certificate was renewed with a new key, or a proxy is in the path.",
                &[],
            ),
            (
                "The app's URLSessionDelegate cancels challenges it does not handle (use `.performDefaultHandling`).",
                &[],
            ),
        ],
        next: &[CheckPins, CheckProxy],
    },
    Detail {
        name: "NSURLErrorTimedOut",
        meaning: "The request timed out: no answer within the request's timeout. Not a certificate problem.",
        causes: &[(
            "The server is slow or unreachable from this network, or a firewall drops the packets.",
            &[],
        )],
        next: &[CheckNetwork],
    },
    Detail {
        name: "NSURLErrorNotConnectedToInternet",
        meaning: "The device has no route to the Internet (offline, or cellular data turned off for the app). Not a certificate problem.",
        causes: &[(
            "No network, airplane mode, or the app's cellular data access is off.",
            &[],
        )],
        next: &[CheckNetwork],
    },
    Detail {
        name: "NSURLErrorNetworkConnectionLost",
        meaning: "The connection dropped mid-request. If it happens during the handshake, the server or a middlebox closed the connection, which a TLS version or suite mismatch can cause.",
        causes: &[
            (
                "The server closed an idle kept-alive connection the client reused (retry).",
                &[],
            ),
            (
                "The server resets the handshake it does not like (old TLS only, or a client certificate needed).",
                &[],
            ),
        ],
        next: &[CheckNetwork, AtsServer],
    },
    Detail {
        name: "errSSLFatalAlert",
        meaning: "A fatal TLS alert ended the handshake. Which side sent it and its description (in the BoringSSL log line) say why.",
        causes: &[
            (
                "App Transport Security rejected the server (ATS failures surface as -9802 on older systems): TLS below 1.2 or no ECDHE suite.",
                &[R::AtsServerConfiguration],
            ),
            (
                "The client rejected the server's certificate (write alert: bad certificate / certificate unknown).",
                &[
                    R::ChainMissingIntermediate,
                    R::TrustRootNotInStore,
                    R::TlsHostnameMismatch,
                ],
            ),
            (
                "The server rejected the client: a client certificate is required, or no version or suite in common (read alert).",
                &[],
            ),
        ],
        next: &[AtsServer, AnalyseChain],
    },
    Detail {
        name: "errSSLClosedAbort",
        meaning: "The connection closed with an error during the TLS handshake: the server (or a middlebox) dropped it.",
        causes: &[
            (
                "The server does not speak TLS on this port (plain HTTP), or a proxy or firewall cut the connection.",
                &[],
            ),
            (
                "The server refused the hello: only old TLS versions, no suite in common, or SNI it does not know.",
                &[R::AtsServerConfiguration],
            ),
        ],
        next: &[AtsServer, CheckProxy],
    },
    Detail {
        name: "errSSLXCertChainInvalid",
        meaning: "The certificate chain is invalid: trust evaluation failed. This is what CFNetwork logs (`3:-9807`) when a chain does not validate; the trust check key in the log says which test failed.",
        causes: UNTRUSTED_CAUSES,
        next: &[AnalyseChain, CheckProxy],
    },
    Detail {
        name: "errSSLBadCert",
        meaning: "A certificate could not be used: malformed, or it violates a requirement (key usage for the negotiated suite, an unsupported key, Apple's certificate rules). Network framework reports it as `tls(-9808)`.",
        causes: &[
            (
                "The certificate's key usage does not allow the negotiated suite: an RSA leaf without digitalSignature for ECDHE suites (enforced since iOS 18.4 / macOS 15.4).",
                &[R::AppleKeyUsageCipherMismatch, R::TlsKeyUsageNotAllowed],
            ),
            (
                "The certificate breaks Apple's TLS certificate requirements (validity, CT, EKU, key size).",
                &[
                    R::AppleValidityOver398Days,
                    R::AppleCtInsufficientScts,
                    R::TlsMissingServerauthEku,
                    R::AppleRsaKeyTooSmall,
                ],
            ),
            (
                "The certificate does not parse or uses an algorithm Apple does not support (e.g. Ed25519 in TLS).",
                &[
                    R::ChainParseError,
                    R::AtsEd25519Key,
                    R::ChainUnsupportedAlgorithm,
                ],
            ),
        ],
        next: &[AnalyseChain],
    },
    Detail {
        name: "errSSLUnknownRootCert",
        meaning: "The chain is valid but ends at a root the device does not trust.",
        causes: &[
            (
                "A private or test CA that is not installed and fully trusted on the device.",
                &[R::TrustRootNotInStore, R::InfoPrivateRoot],
            ),
            ("An intercepting proxy's root.", &[R::TrustRootNotInStore]),
        ],
        next: &[AnalyseChain, CheckProxy],
    },
    Detail {
        name: "errSSLNoRootCert",
        meaning: "The chain could not be built up to a root: an issuer is missing.",
        causes: &[
            (
                "The server does not send its intermediate certificate(s).",
                &[R::ChainMissingIntermediate],
            ),
            (
                "The server sends the wrong intermediate (an old one, or another CA's).",
                &[R::ChainMissingIntermediate, R::ChainWrongOrder],
            ),
        ],
        next: &[AnalyseChain],
    },
    Detail {
        name: "errSSLCertExpired",
        meaning: "A certificate in the chain has expired.",
        causes: &[
            ("The leaf or an intermediate expired.", &[R::ChainExpired]),
            ("The device's clock is ahead.", &[]),
        ],
        next: &[AnalyseChain, CheckClock],
    },
    Detail {
        name: "errSSLCertNotYetValid",
        meaning: "A certificate in the chain is not yet valid.",
        causes: &[
            ("The device's clock is behind.", &[]),
            (
                "A certificate starts in the future.",
                &[R::ChainNotYetValid],
            ),
        ],
        next: &[CheckClock, AnalyseChain],
    },
    Detail {
        name: "errSSLPeerHandshakeFail",
        meaning: "The server sent a handshake_failure alert: it found nothing acceptable in the client's hello.",
        causes: &[
            (
                "No protocol version or cipher suite in common (a server limited to old suites, or to suites ATS does not offer).",
                &[R::AtsServerConfiguration],
            ),
            (
                "The server requires a client certificate and got none.",
                &[],
            ),
        ],
        next: &[AtsServer, ClientIdentity],
    },
    Detail {
        name: "errSSLPeerProtocolVersion",
        meaning: "The server refused the TLS version the client offered (protocol_version alert).",
        causes: &[(
            "The server speaks only TLS 1.0 / 1.1 (ATS needs 1.2), or only a version the client does not offer.",
            &[R::AtsServerConfiguration],
        )],
        next: &[AtsServer],
    },
    Detail {
        name: "errSSLPeerCertUnknown",
        meaning: "The peer sent certificate_unknown: it could not accept the certificate it received. From a server, that is your client certificate.",
        causes: &[(
            "The server does not trust the client certificate the app presented.",
            &[R::TlsMissingClientauthEku],
        )],
        next: &[ClientIdentity],
    },
    Detail {
        name: "errSSLPeerUnknownCA",
        meaning: "The peer sent unknown_ca: it does not trust the CA of the certificate it received (for a server: your client certificate's issuer).",
        causes: &[(
            "The client certificate is issued by a CA the server does not accept, or the intermediates were not sent.",
            &[R::ChainMissingIntermediate],
        )],
        next: &[ClientIdentity],
    },
    Detail {
        name: "errSSLPeerBadCert",
        meaning: "The peer sent bad_certificate: it rejected the certificate it received.",
        causes: &[(
            "The server rejected the client certificate (wrong CA, expired, wrong key usage).",
            &[R::TlsMissingClientauthEku, R::ChainExpired],
        )],
        next: &[ClientIdentity],
    },
    Detail {
        name: "errSSLIllegalParam",
        meaning: "An illegal_parameter alert, or a parameter the client rejected. Since iOS 18.4 / macOS 15.4 this is how a server certificate whose key usage forbids the negotiated suite fails (an RSA leaf with keyEncipherment but no digitalSignature under ECDHE).",
        causes: &[
            (
                "The leaf's keyUsage lacks digitalSignature while the server negotiates an ECDHE (or any TLS 1.3) suite.",
                &[R::AppleKeyUsageCipherMismatch, R::TlsKeyUsageNotAllowed],
            ),
            (
                "A server or middlebox sends a malformed handshake field.",
                &[],
            ),
        ],
        next: &[AnalyseChain],
    },
    Detail {
        name: "errSSLHostNameMismatch",
        meaning: "The certificate does not name the host the app connected to.",
        causes: &[(
            "The name is missing from the Subject Alternative Name (Apple ignores the Common Name), or a wildcard does not cover it.",
            &[R::TlsHostnameMismatch, R::TlsCnOnlyName],
        )],
        next: &[AnalyseChain],
    },
    Detail {
        name: "errSSLCertificateRequired",
        meaning: "The server requires a client certificate (TLS 1.3 certificate_required) and the app sent none.",
        causes: &[(
            "The app does not answer the client certificate challenge with an identity.",
            &[],
        )],
        next: &[ClientIdentity],
    },
    Detail {
        name: "errSSLATSViolation",
        meaning: "App Transport Security refused the connection.",
        causes: &[
            (
                "The server half fails: TLS below 1.2, or no forward-secret (ECDHE) suite.",
                &[R::AtsServerConfiguration],
            ),
            (
                "The certificate half fails: SHA-1 signature, RSA < 2048 or EC < 256 bits, or trust.",
                &[
                    R::AtsSignatureHashTooWeak,
                    R::AtsEcKeyTooSmall,
                    R::AppleRsaKeyTooSmall,
                ],
            ),
        ],
        next: &[AtsServer, LintInfoPlist],
    },
    Detail {
        name: "errSSLATSMinimumVersionViolation",
        meaning: "ATS refused the TLS version the server negotiated: ATS needs TLS 1.2 or later unless NSExceptionMinimumTLSVersion lowers it.",
        causes: &[(
            "The server speaks only TLS 1.0 or 1.1.",
            &[R::AtsServerConfiguration],
        )],
        next: &[AtsServer, LintInfoPlist],
    },
    Detail {
        name: "errSSLATSCiphersuiteViolation",
        meaning: "ATS refused the cipher suite the server chose: before TLS 1.3, ATS needs one of its ECDHE AES suites unless NSExceptionRequiresForwardSecrecy is NO.",
        causes: &[(
            "The server prefers static-RSA or CBC-only suites ATS does not offer.",
            &[R::AtsServerConfiguration],
        )],
        next: &[AtsServer, LintInfoPlist],
    },
    Detail {
        name: "errSSLATSMinimumKeySizeViolation",
        meaning: "ATS refused a key size: RSA keys need 2048 bits, EC keys 256 bits.",
        causes: &[(
            "A certificate in the chain has a small key.",
            &[R::AppleRsaKeyTooSmall, R::AtsEcKeyTooSmall],
        )],
        next: &[AnalyseChain],
    },
    Detail {
        name: "errSSLATSLeafCertificateHashAlgorithmViolation",
        meaning: "ATS refused the leaf's signature hash: ATS needs SHA-256 or stronger.",
        causes: &[(
            "The leaf is signed with SHA-1 (or SHA-224).",
            &[R::AtsSignatureHashTooWeak, R::AppleSha1Signature],
        )],
        next: &[AnalyseChain],
    },
    Detail {
        name: "errSSLATSCertificateHashAlgorithmViolation",
        meaning: "ATS refused a certificate's signature hash in the chain: ATS needs SHA-256 or stronger.",
        causes: &[(
            "An intermediate is signed with SHA-1 (or SHA-224).",
            &[R::AtsSignatureHashTooWeak, R::AppleSha1Signature],
        )],
        next: &[AnalyseChain],
    },
    Detail {
        name: "errSSLATSCertificateTrustViolation",
        meaning: "ATS refused the chain: it is not trusted by the default evaluation, or (from NSPinnedDomains) no certificate matches a pinned key.",
        causes: &[
            (
                "The chain is not trusted (missing intermediate, unknown root, wrong name).",
                &[
                    R::ChainMissingIntermediate,
                    R::TrustRootNotInStore,
                    R::TlsHostnameMismatch,
                ],
            ),
            (
                "NSPinnedDomains pins keys that the chain no longer has (a renewal changed the key, or a proxy is in the path).",
                &[],
            ),
        ],
        next: &[AnalyseChain, CheckPins, LintInfoPlist],
    },
    Detail {
        name: "errSecNotTrusted",
        meaning: "Trust evaluation failed: the certificate is not trusted for this use.",
        causes: UNTRUSTED_CAUSES,
        next: &[AnalyseChain, CheckProxy],
    },
    Detail {
        name: "errSecCertificateExpired",
        meaning: "A certificate is expired (trust evaluation's TemporalValidity check).",
        causes: &[
            ("The leaf or an intermediate expired.", &[R::ChainExpired]),
            ("The device's clock is wrong.", &[]),
        ],
        next: &[AnalyseChain, CheckClock],
    },
    Detail {
        name: "errSecHostNameMismatch",
        meaning: "The certificate does not name the host (trust evaluation's SSLHostname check).",
        causes: &[(
            "The host is not in the Subject Alternative Name.",
            &[R::TlsHostnameMismatch, R::TlsCnOnlyName],
        )],
        next: &[AnalyseChain],
    },
    Detail {
        name: "errSecCreateChainFailed",
        meaning: "A certificate needed to build the chain cannot be found (trust evaluation's MissingIntermediate check).",
        causes: &[(
            "The server does not send its intermediates.",
            &[R::ChainMissingIntermediate],
        )],
        next: &[AnalyseChain],
    },
    Detail {
        name: "errSecCertificateValidityPeriodTooLong",
        meaning: "The certificate's validity is longer than Apple allows: 398 days for certificates issued since 2020-09-01 by public CAs, 825 days for others issued since 2019-07-01.",
        causes: &[(
            "The leaf is valid for too long.",
            &[R::AppleValidityOver398Days, R::AppleValidityOver825Days],
        )],
        next: &[AnalyseChain],
    },
    Detail {
        name: "errSecInvalidExtendedKeyUsage",
        meaning: "The certificate's extended key usage does not allow this use (no serverAuth for a TLS server).",
        causes: &[(
            "The leaf lacks id-kp-serverAuth (or a CA in the chain restricts EKUs that exclude it).",
            &[R::TlsMissingServerauthEku, R::ChainCaEkuMismatch],
        )],
        next: &[AnalyseChain],
    },
    Detail {
        name: "errSecInvalidKeyUsageForPolicy",
        meaning: "The certificate's key usage does not allow this use.",
        causes: &[(
            "The leaf's keyUsage lacks digitalSignature (or keyEncipherment for RSA key exchange).",
            &[R::TlsKeyUsageNotAllowed, R::AppleKeyUsageCipherMismatch],
        )],
        next: &[AnalyseChain],
    },
    Detail {
        name: "errSecVerifyActionFailed",
        meaning: "A policy action failed; for TLS this is trust evaluation's Certificate Transparency requirement (SystemTrustedCTRequired): a publicly trusted certificate without enough SCTs.",
        causes: &[(
            "The certificate has too few SCTs from distinct logs for Apple's CT policy.",
            &[R::AppleCtInsufficientScts, R::AppleCtOperatorDiversity],
        )],
        next: &[AnalyseChain],
    },
    Detail {
        name: "errSecCertificateRevoked",
        meaning: "A certificate in the chain is revoked, or blocked by Apple.",
        causes: &[(
            "The CA revoked the certificate (OCSP or CRL), or Apple blocks it.",
            &[R::ChainRevoked, R::TrustDistrustedAfter],
        )],
        next: &[AnalyseChain],
    },
    Detail {
        name: "errSecAuthFailed",
        meaning: "For SecPKCS12Import: the password is wrong (or the file's MAC cannot be checked).",
        causes: &[
            (
                "The password is wrong or empty (Apple's importer refuses unprotected files).",
                &[],
            ),
            (
                "The file is encrypted with PBES2 AES-256 and an HMAC-SHA-256 MAC (OpenSSL 3's default): Apple's importer answers -25293 as if the password were wrong (reported up to iOS 17). Re-export with 3DES and an HMAC-SHA1 MAC (`openssl pkcs12 -export -legacy`), the form `netlens make` writes; `netlens decode FILE.p12` says which form a file has.",
                &[],
            ),
        ],
        next: &[ClientIdentity],
    },
    Detail {
        name: "errSecPkcs12VerifyFailure",
        meaning: "SecPKCS12Import could not verify the PKCS#12 file's MAC: usually a wrong password.",
        causes: &[("The password is wrong, or the file was re-encoded.", &[])],
        next: &[ClientIdentity],
    },
    Detail {
        name: "errSecDecode",
        meaning: "The data could not be decoded: for SecPKCS12Import, a file the system does not understand (an encryption it lacks, or not PKCS#12).",
        causes: &[(
            "Not a PKCS#12 file (a PEM file, or a damaged download), or one made with algorithms the system lacks.",
            &[],
        )],
        next: &[ClientIdentity],
    },
];

/// Trust-check keys with netlens rules that confirm them.
const CHECK_RULES: &[(&str, &[RuleId])] = &[
    ("SSLHostname", &[R::TlsHostnameMismatch, R::TlsCnOnlyName]),
    ("TemporalValidity", &[R::ChainExpired, R::ChainNotYetValid]),
    ("ValidLeaf", &[R::ChainExpired]),
    (
        "WeakKeySize",
        &[R::AppleRsaKeyTooSmall, R::AtsEcKeyTooSmall],
    ),
    (
        "WeakSignature",
        &[R::AppleSha1Signature, R::ChainWeakSignature],
    ),
    (
        "KeyUsage",
        &[R::TlsKeyUsageNotAllowed, R::AppleKeyUsageCipherMismatch],
    ),
    ("ExtendedKeyUsage", &[R::TlsMissingServerauthEku]),
    (
        "ServerAuthEKU",
        &[R::TlsMissingServerauthEku, R::ChainCaEkuMismatch],
    ),
    ("NotCA", &[R::ChainIssuerNotCa]),
    ("BasicConstraints", &[R::ChainIssuerNotCa]),
    ("BasicConstraintsCA", &[R::ChainIssuerNotCa]),
    ("BasicConstraintsPathLen", &[R::ChainPathLengthExceeded]),
    (
        "AnchorTrusted",
        &[R::TrustRootNotInStore, R::ChainUntrustedRoot],
    ),
    ("MissingIntermediate", &[R::ChainMissingIntermediate]),
    ("NonEmptySubject", &[R::X509EmptyName]),
    ("IdLinkage", &[R::ChainAkiSkiMismatch]),
    ("CriticalExtensions", &[R::ChainUnknownCriticalExtension]),
    ("NameConstraints", &[R::ChainNameConstraintsViolated]),
    ("Revocation", &[R::ChainRevoked]),
    ("BlackListedLeaf", &[R::TrustDistrustedAfter]),
    ("GrayListedLeaf", &[R::TrustDistrustedAfter]),
    ("CTRequired", &[R::AppleCtInsufficientScts]),
    (
        "SystemTrustedCTRequired",
        &[R::AppleCtInsufficientScts, R::AppleCtOperatorDiversity],
    ),
    ("ValidityPeriodMaximums", &[R::AppleValidityOver398Days]),
    ("SystemTrustValidityPeriod", &[R::AppleValidityOver398Days]),
    ("OtherTrustValidityPeriod", &[R::AppleValidityOver825Days]),
    ("SystemTrustedWeakHash", &[R::AppleSha1Signature]),
    ("SystemTrustedWeakKey", &[R::AppleRsaKeyTooSmall]),
    ("DuplicateExtension", &[R::X509DuplicateExtension]),
    ("UnparseableExtension", &[R::X509MalformedExtension]),
    ("BasicCertificateProcessing", &[R::ChainParseError]),
    ("ValidRoot", &[R::TrustAnchorExpired]),
];

/// TLS alerts: number, the name BoringSSL logs, what it means when the server sends it.
const ALERTS: &[(u8, &str, &str)] = &[
    (
        0,
        "close notify",
        "The peer closed the connection normally.",
    ),
    (
        10,
        "unexpected message",
        "A handshake message arrived out of order: usually a middlebox or a broken TLS stack.",
    ),
    (
        20,
        "bad record mac",
        "A record failed its integrity check: corruption on the path or a broken middlebox.",
    ),
    (22, "record overflow", "A record was too long."),
    (
        40,
        "handshake failure",
        "No acceptable set of parameters: no version or cipher suite in common, or a required client certificate missing.",
    ),
    (
        42,
        "bad certificate",
        "The certificate was rejected: from the client, iOS rejected the server's chain; from the server, your client certificate.",
    ),
    (
        43,
        "unsupported certificate",
        "The certificate's type is not supported (for example an Ed25519 or DSA key).",
    ),
    (44, "certificate revoked", "The certificate is revoked."),
    (
        45,
        "certificate expired",
        "The certificate is expired (or the clock is wrong).",
    ),
    (
        46,
        "certificate unknown",
        "The certificate could not be accepted: from the client, trust evaluation of the server's chain failed.",
    ),
    (
        47,
        "illegal parameter",
        "A handshake field is out of range; iOS 18.4 and later send it for a server certificate whose key usage forbids the negotiated suite.",
    ),
    (
        48,
        "unknown CA",
        "The issuer of the certificate is not trusted (for a server: your client certificate's CA).",
    ),
    (
        49,
        "access denied",
        "The peer refused access after the handshake (often a client certificate that is valid but not authorised).",
    ),
    (50, "decode error", "A message could not be decoded."),
    (
        51,
        "decrypt error",
        "A signature or key exchange check failed: the certificate and the key the server uses do not match, or a broken middlebox.",
    ),
    (
        70,
        "protocol version",
        "No TLS version in common: the server speaks only versions the client does not offer (TLS 1.0 / 1.1).",
    ),
    (
        71,
        "insufficient security",
        "The server requires stronger cipher suites than the client offered.",
    ),
    (80, "internal error", "The peer hit an internal error."),
    (
        86,
        "inappropriate fallback",
        "The client retried with a lower version the server knows it supports higher than.",
    ),
    (90, "user canceled", "The peer cancelled the handshake."),
    (
        109,
        "missing extension",
        "A required TLS extension was missing.",
    ),
    (
        110,
        "unsupported extension",
        "An extension was not expected.",
    ),
    (
        112,
        "unrecognized name",
        "The server does not know the name sent in SNI.",
    ),
    (
        113,
        "bad certificate status response",
        "The stapled OCSP response is invalid.",
    ),
    (
        115,
        "unknown psk identity",
        "The pre-shared key identity is unknown (TLS-PSK).",
    ),
    (
        116,
        "certificate required",
        "The server requires a client certificate and the client sent none (TLS 1.3).",
    ),
    (
        120,
        "no application protocol",
        "No ALPN protocol in common (for example the server does not offer h2 or http/1.1).",
    ),
];

/// Darwin errno values that network failures show (NWError.posix, `[1:N]` in CFNetwork logs).
const POSIX: &[(i64, &str, &str)] = &[
    (48, "EADDRINUSE", "Address already in use."),
    (49, "EADDRNOTAVAIL", "Can't assign requested address."),
    (50, "ENETDOWN", "Network is down."),
    (51, "ENETUNREACH", "Network is unreachable."),
    (
        53,
        "ECONNABORTED",
        "Software caused connection abort (often the app was suspended).",
    ),
    (
        54,
        "ECONNRESET",
        "Connection reset by peer: the server or a middlebox closed the connection, during a TLS handshake often because it refused the hello.",
    ),
    (57, "ENOTCONN", "Socket is not connected."),
    (
        89,
        "ECANCELED",
        "Operation canceled: the task was cancelled, by the app or by its own trust or pinning code (with NSURLErrorCancelled, -999).",
    ),
    (60, "ETIMEDOUT", "Operation timed out."),
    (
        61,
        "ECONNREFUSED",
        "Connection refused: nothing listens on that port.",
    ),
    (64, "EHOSTDOWN", "Host is down."),
    (
        65,
        "EHOSTUNREACH",
        "No route to host: on iOS 14 and later, also what local network privacy returns when the user has not allowed local network access.",
    ),
];

/// Log lines (lowercase needle), their meaning, causes and steps.
struct LogPattern {
    needle: &'static str,
    name: &'static str,
    meaning: &'static str,
    causes: &'static [(&'static str, &'static [RuleId])],
    next: &'static [NextStep],
}

const LOG_PATTERNS: &[LogPattern] = &[
    LogPattern {
        needle: "ats failed system trust",
        name: "ATS failed system trust",
        meaning: "App Transport Security ran the default trust evaluation and it failed. With ATS on, the default evaluation must pass whatever the app's own trust code does (TLS for App Developers).",
        causes: UNTRUSTED_CAUSES,
        next: &[AnalyseChain, CheckProxy],
    },
    LogPattern {
        needle: "system trust failed",
        name: "System Trust failed",
        meaning: "The default trust evaluation of the server's chain failed.",
        causes: UNTRUSTED_CAUSES,
        next: &[AnalyseChain, CheckProxy],
    },
    LogPattern {
        needle: "tic ssl trust error",
        name: "TIC SSL Trust Error",
        meaning: "CFNetwork's TCP I/O connection reports that trust evaluation of the server's chain failed; the numbers after it (`3:-9807`, `3:-9813`) are the SecureTransport code.",
        causes: UNTRUSTED_CAUSES,
        next: &[AnalyseChain],
    },
    LogPattern {
        needle: "tls trust evaluation failed",
        name: "default TLS Trust evaluation failed",
        meaning: "Network framework's default trust evaluation of the server's chain failed; the code in parentheses says how.",
        causes: UNTRUSTED_CAUSES,
        next: &[AnalyseChain],
    },
    LogPattern {
        needle: "tls trust encountered error",
        name: "TLS Trust encountered error",
        meaning: "Network framework's trust evaluation of the server's chain failed; the `3:` code after it is the SecureTransport code.",
        causes: UNTRUSTED_CAUSES,
        next: &[AnalyseChain],
    },
    LogPattern {
        needle: "tic tcp conn failed",
        name: "TIC TCP Conn Failed",
        meaning: "CFNetwork could not open the TCP connection (before any TLS); the `1:N` pair after it is the POSIX error.",
        causes: &[(
            "Nothing listens on that port, the host is unreachable, or the user has not allowed local network access.",
            &[],
        )],
        next: &[CheckNetwork],
    },
    LogPattern {
        needle: "sslhandshake failed",
        name: "CFNetwork SSLHandshake failed",
        meaning: "The TLS handshake failed; the code in parentheses says how.",
        causes: &[],
        next: &[AtsServer, AnalyseChain],
    },
    LogPattern {
        needle: "app transport security has blocked a cleartext http",
        name: "App Transport Security has blocked a cleartext HTTP (http://) resource load",
        meaning: "ATS refused an `http://` URL: NSURLErrorAppTransportSecurityRequiresSecureConnection (-1022).",
        causes: &[(
            "The URL, a redirect or a sub-resource is `http://`, and no exception covers the host.",
            &[],
        )],
        next: &[LintInfoPlist],
    },
    LogPattern {
        needle: "app transport security policy requires the use of a secure connection",
        name: "The resource could not be loaded because the App Transport Security policy requires the use of a secure connection",
        meaning: "ATS refused an `http://` load (-1022).",
        causes: &[(
            "The URL, a redirect or a sub-resource is `http://`, and no exception covers the host.",
            &[],
        )],
        next: &[LintInfoPlist],
    },
    LogPattern {
        needle: "the certificate for this server is invalid",
        name: "The certificate for this server is invalid",
        meaning: "URLSession's message for NSURLErrorServerCertificateUntrusted (-1202): trust evaluation failed.",
        causes: UNTRUSTED_CAUSES,
        next: &[AnalyseChain, CheckProxy],
    },
    LogPattern {
        needle: "a secure connection to the server cannot be made",
        name: "An SSL error has occurred and a secure connection to the server cannot be made",
        meaning: "URLSession's message for NSURLErrorSecureConnectionFailed (-1200): the TLS handshake or ATS failed.",
        causes: &[
            (
                "ATS refused the server (TLS < 1.2, no ECDHE suite) or the chain.",
                &[R::AtsServerConfiguration],
            ),
            ("The server sent a fatal alert.", &[]),
        ],
        next: &[AtsServer, AnalyseChain],
    },
    LogPattern {
        needle: "certificate is not standards compliant",
        name: "certificate is not standards compliant",
        meaning: "Trust evaluation rejected the certificate for breaking Apple's rules for TLS server certificates (RFC 5280 / CA/B Forum profile, validity limits, CT): on macOS, `security verify-cert` names it.",
        causes: &[(
            "Validity over 398 / 825 days, too few SCTs, no serverAuth EKU, or a structural error.",
            &[
                R::AppleValidityOver398Days,
                R::AppleValidityOver825Days,
                R::AppleCtInsufficientScts,
                R::TlsMissingServerauthEku,
                R::ChainParseError,
            ],
        )],
        next: &[AnalyseChain],
    },
    LogPattern {
        needle: "certificate name does not match input",
        name: "certificate name does not match input",
        meaning: "Trust evaluation's hostname check failed: the certificate does not name the host.",
        causes: &[(
            "The host is not in the Subject Alternative Name.",
            &[R::TlsHostnameMismatch, R::TlsCnOnlyName],
        )],
        next: &[AnalyseChain],
    },
    LogPattern {
        needle: "certificate is not permitted for this usage",
        name: "certificate is not permitted for this usage",
        meaning: "Trust evaluation's key usage or extended key usage check failed.",
        causes: &[(
            "No serverAuth EKU, or a keyUsage that forbids the TLS suite.",
            &[
                R::TlsMissingServerauthEku,
                R::TlsKeyUsageNotAllowed,
                R::AppleKeyUsageCipherMismatch,
            ],
        )],
        next: &[AnalyseChain],
    },
    LogPattern {
        needle: "certificates do not meet pinning requirements",
        name: "certificates do not meet pinning requirements",
        meaning: "No certificate in the chain matches a pin the app (NSPinnedDomains) or the system requires.",
        causes: &[(
            "The server's key changed at renewal, or an intercepting proxy is in the path.",
            &[],
        )],
        next: &[CheckPins, CheckProxy],
    },
];

/// What each `errSSL*` / `errSec*` / `NSURLError*` code is, looked up by number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Code {
    /// The domain.
    pub domain: Domain,
    /// The number.
    pub number: i64,
    /// The constant's name.
    pub name: &'static str,
    /// The header's comment (empty for NSURLError, whose header is not published).
    pub header_text: &'static str,
}

/// Every code the explainer knows, from the generated tables.
pub fn codes() -> impl Iterator<Item = Code> {
    let osstatus = generated::OSSTATUS.iter().map(|&(n, name, text)| Code {
        domain: if name.starts_with("errSSL") {
            Domain::SecureTransport
        } else {
            Domain::Security
        },
        number: i64::from(n),
        name,
        header_text: text,
    });
    let url = generated::NSURL.iter().map(|&(n, name)| Code {
        domain: Domain::NsUrl,
        number: i64::from(n),
        name,
        header_text: "",
    });
    osstatus.chain(url)
}

/// The code with this number (numbers are unique across the tables).
pub fn by_number(number: i64) -> Option<Code> {
    codes().find(|c| c.number == number && c.number != 0)
}

/// The code with this name: the constant (`errSSLXCertChainInvalid`, `NSURLErrorTimedOut`),
/// CFNetwork's (`kCFURLErrorTimedOut`) or Swift's (`URLError.timedOut`, `.timedOut` after
/// `URLError`).
pub fn by_name(name: &str) -> Option<Code> {
    let name = name.trim();
    if let Some(rest) = name.strip_prefix("kCFURLError") {
        return by_name(&format!("NSURLError{rest}"));
    }
    if let Some(rest) = name
        .strip_prefix("URLError.Code.")
        .or_else(|| name.strip_prefix("URLError."))
        .or_else(|| name.strip_prefix("URLError(."))
    {
        let rest = rest.trim_end_matches(')');
        return codes().find(|c| c.domain == Domain::NsUrl && swift_name(c.name) == rest);
    }
    codes().find(|c| c.name == name)
}

/// `NSURLErrorBadURL` → `badURL`, `NSURLErrorDNSLookupFailed` → `dnsLookupFailed`: Swift's
/// `URLError.Code` spelling (leading acronyms lowercased).
fn swift_name(name: &str) -> String {
    let rest = name.strip_prefix("NSURLError").unwrap_or(name);
    let chars: Vec<char> = rest.chars().collect();
    let upper = chars.iter().take_while(|c| c.is_ascii_uppercase()).count();
    // An acronym run keeps its last capital when a lowercase letter follows (DNSLookup → dnsLookup).
    let lower = if upper > 1 && upper < chars.len() {
        upper - 1
    } else {
        upper.max(1)
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < lower {
                c.to_ascii_lowercase()
            } else {
                *c
            }
        })
        .collect()
}

fn aliases(code: &Code) -> Vec<String> {
    match code.domain {
        Domain::NsUrl => {
            let rest = code.name.trim_start_matches("NSURLError");
            vec![
                format!("kCFURLError{rest}"),
                format!("URLError.{}", swift_name(code.name)),
            ]
        }
        _ => Vec::new(),
    }
}

fn causes(list: &[(&'static str, &'static [RuleId])]) -> Vec<Cause> {
    list.iter()
        .map(|(text, rules)| Cause {
            text,
            rules: rules.iter().map(|r| r.as_str()).collect(),
        })
        .collect()
}

/// The explanation of one code.
fn explain_code(code: Code, matched: &str, steps: &mut Vec<NextStep>) -> Recognised {
    let detail = DETAILS.iter().find(|d| d.name == code.name);
    let (meaning, causes_, next): (String, Vec<Cause>, &[NextStep]) = match detail {
        Some(d) => (d.meaning.to_owned(), causes(d.causes), d.next),
        None => {
            let apple = if code.header_text.is_empty() {
                String::new()
            } else {
                format!(" Apple's header says: “{}”", code.header_text)
            };
            let tls_related = code.domain == Domain::SecureTransport
                || (code.domain == Domain::NsUrl && (-1206..=-1200).contains(&code.number));
            (
                format!(
                    "{} {}.{apple}",
                    code.name,
                    if tls_related {
                        "is a TLS failure netlens has no further detail on"
                    } else {
                        "is not specific to TLS certificates"
                    }
                ),
                Vec::new(),
                if tls_related {
                    &[AnalyseChain, AtsServer][..]
                } else if code.domain == Domain::NsUrl {
                    &[CheckNetwork][..]
                } else {
                    &[][..]
                },
            )
        }
    };
    steps.extend_from_slice(next);
    Recognised {
        matched: matched.to_owned(),
        domain: code.domain,
        number: Some(code.number),
        name: code.name.to_owned(),
        aliases: aliases(&code),
        apple_text: code.header_text.to_owned(),
        meaning,
        causes: causes_,
        source: match code.domain {
            Domain::NsUrl => SRC_NSURL,
            _ => SRC_SECBASE,
        },
    }
}

/// A negative or positive integer token in the text and what precedes it.
struct NumberToken<'a> {
    at: usize,
    text: &'a str,
    value: i64,
    /// The 24 characters before it, lowercased.
    before: String,
}

fn numbers(text: &str) -> Vec<NumberToken<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let negative = bytes[i] == b'-';
        let digits_at = if negative { i + 1 } else { i };
        if digits_at < bytes.len() && bytes[digits_at].is_ascii_digit() {
            // A number starts here only after a non-alphanumeric character (not inside dates,
            // UUIDs, hex addresses or identifiers).
            let prev_ok = i == 0 || {
                let p = bytes[i - 1];
                !p.is_ascii_alphanumeric() && p != b'.' && p != b'_' && !(negative && p == b'-')
            };
            let mut end = digits_at;
            while end < bytes.len() && bytes[end].is_ascii_digit() {
                end += 1;
            }
            let next_ok = end >= bytes.len()
                || !(bytes[end].is_ascii_alphanumeric()
                    || bytes[end] == b'_'
                    || bytes[end] == b'.'
                        && end + 1 < bytes.len()
                        && bytes[end + 1].is_ascii_digit());
            let digits = &text[digits_at..end];
            if prev_ok
                && next_ok
                && digits.len() <= 9
                && !(digits.len() > 1 && digits.starts_with('0'))
            {
                let magnitude: i64 = digits.parse().unwrap_or(0);
                let start = i.saturating_sub(24);
                let start = (start..=i).find(|&s| text.is_char_boundary(s)).unwrap_or(i);
                out.push(NumberToken {
                    at: i,
                    text: &text[i..end],
                    value: if negative { -magnitude } else { magnitude },
                    before: text[start..i].to_ascii_lowercase(),
                });
            }
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// The Apple error range a number lies in, if any.
fn apple_range(n: i64) -> Option<&'static str> {
    match n {
        -9999..=-9800 => Some("SecureTransport's errSSL range (−9800…−9899)"),
        -1299..=-1200 | -1199..=-1000 | -3007..=-3000 | -2000 | -999..=-995 => {
            Some("NSURLErrorDomain's range")
        }
        -67999..=-67000 | -26999..=-25000 | -34999..=-34000 => {
            Some("the Security framework's errSec range")
        }
        _ => None,
    }
}

/// What one number in the text is.
enum NumberHit {
    /// A code netlens knows, with the steps it suggests.
    Known(Recognised, Vec<NextStep>),
    /// A number in an Apple error range that netlens does not know.
    Unknown(Unknown),
}

fn explain_number(token: &NumberToken<'_>) -> Option<NumberHit> {
    let n = token.value;
    let before = token.before.as_str();
    // `[1:54]` / `1:54` and `posix(54)` are POSIX; `NSPOSIXErrorDomain Code=54` too.
    let posix_context = before.ends_with("1:")
        || before.ends_with("so_error [")
        || before.ends_with("posix(")
        || before.ends_with("rawvalue: ")
        || before.contains("nsposixerrordomain code=");
    if posix_context && n > 0 {
        let &(_, name, text) = POSIX.iter().find(|(v, _, _)| *v == n)?;
        return Some(NumberHit::Known(
            Recognised {
                matched: token.text.to_owned(),
                domain: Domain::Posix,
                number: Some(n),
                name: name.to_owned(),
                aliases: vec![format!("POSIXErrorCode.{name}")],
                apple_text: text.to_owned(),
                meaning: format!("{name} ({n}): {text} This happens below TLS."),
                causes: Vec::new(),
                source: SRC_POSIX,
            },
            vec![CheckNetwork],
        ));
    }
    if n >= 0 {
        return None;
    }
    if (-65999..=-65537).contains(&n) || n == -72008 {
        return Some(NumberHit::Known(
            Recognised {
                matched: token.text.to_owned(),
                domain: Domain::DnsSd,
                number: Some(n),
                name: format!("DNS-SD error {n}"),
                aliases: Vec::new(),
                apple_text: String::new(),
                meaning: format!(
                    "{n} is a DNS-SD (Bonjour) error code, not a TLS one: `netlens dnssd error {n}` explains it."
                ),
                causes: Vec::new(),
                source: "dns_sd.h (mDNSResponder)",
            },
            vec![DnssdError],
        ));
    }
    // Short generic codes (-1, -4, -50, -999) only count where the text says they are codes.
    let code_context = before.ends_with("code=")
        || before.ends_with("code: ")
        || before.ends_with("error ")
        || before.ends_with("error: ")
        || before.ends_with("tls(")
        || before.ends_with("3:")
        || before.ends_with("(")
        || before.ends_with("[");
    if token.text.len() < 5 && !code_context {
        return None;
    }
    match by_number(n) {
        Some(code) => {
            let mut steps = Vec::new();
            let r = explain_code(code, token.text, &mut steps);
            Some(NumberHit::Known(r, steps))
        }
        None => apple_range(n).map(|range| NumberHit::Unknown(Unknown {
            matched: token.text.to_owned(),
            number: n,
            note: format!("{n} lies in {range}, but it is not a code in Apple's published headers netlens reads (SecBase.h, NSURLError.h): netlens does not know it and does not guess. On a Mac, `security error {n}` may name it."),
        })),
    }
}

/// Adds `r` unless the same name was already recognised; says whether it was added.
fn push(out: &mut Explanation, seen: &mut Vec<(Domain, String)>, r: Recognised) -> bool {
    let key = (r.domain, r.name.clone());
    if seen.contains(&key) {
        return false;
    }
    seen.push(key);
    out.recognised.push(r);
    true
}

/// Finds every code, constant name, trust check, alert and known log line in `text` and
/// explains each.
pub fn explain(text: &str) -> Explanation {
    let mut out = Explanation::default();
    if text.len() > MAX_INPUT {
        out.note = Some(format!(
            "The text is {} bytes, more than the {MAX_INPUT} bytes netlens reads: paste the lines around the error.",
            text.len()
        ));
        return out;
    }
    let mut seen: Vec<(Domain, String)> = Vec::new();
    // Positions let the results follow the text's order.
    let mut found: Vec<(usize, Recognised, Vec<NextStep>)> = Vec::new();
    let lower = text.to_ascii_lowercase();

    for pattern in LOG_PATTERNS {
        if let Some(at) = lower.find(pattern.needle) {
            found.push((
                at,
                Recognised {
                    matched: text[at..at + pattern.needle.len()].to_owned(),
                    domain: Domain::LogLine,
                    number: None,
                    name: pattern.name.to_owned(),
                    aliases: Vec::new(),
                    apple_text: String::new(),
                    meaning: pattern.meaning.to_owned(),
                    causes: causes(pattern.causes),
                    source: SRC_LOG,
                },
                pattern.next.to_vec(),
            ));
        }
    }
    alerts(text, &lower, &mut found);
    ssl_ad(text, &lower, &mut found);
    trust_checks(text, &mut found);
    // Constant names written out.
    for (at, word) in identifiers(text) {
        if let Some(code) = by_name(word) {
            let mut steps = Vec::new();
            let r = explain_code(code, word, &mut steps);
            found.push((at, r, steps));
        }
    }
    // Numbers: known codes join the rest; unknown ones are listed once each.
    for token in numbers(text) {
        match explain_number(&token) {
            Some(NumberHit::Known(r, steps)) => found.push((token.at, r, steps)),
            Some(NumberHit::Unknown(u)) if !out.unknown.iter().any(|k| k.number == u.number) => {
                out.unknown.push(u);
            }
            _ => {}
        }
    }

    found.sort_by_key(|(at, _, _)| *at);
    let mut steps: Vec<NextStep> = Vec::new();
    for (_, r, s) in found {
        if push(&mut out, &mut seen, r) {
            steps.extend(s);
        }
    }
    for step in steps {
        if !out.next_steps.contains(&step) {
            out.next_steps.push(step);
        }
    }
    if out.recognised.is_empty() && out.unknown.is_empty() {
        out.note = Some(if text.trim().is_empty() {
            "Paste an error code (-1202, -9813), an error description (Error Domain=NSURLErrorDomain Code=-1200 …) or the console lines around the failure.".to_owned()
        } else {
            "netlens recognised no TLS error code or log line in this text. It reads NSURLErrorDomain, SecureTransport (errSSL, −98xx), errSec and NWError codes, trust evaluation checks, TLS alerts and CFNetwork / ATS / BoringSSL log lines.".to_owned()
        });
    }
    out
}

/// Identifiers that could be constant names (`errSSL…`, `errSec…`, `NSURLError…`,
/// `kCFURLError…`, `URLError.…`).
fn identifiers(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_alphabetic()
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'))
        {
            let mut end = i;
            while end < bytes.len()
                && (bytes[end].is_ascii_alphanumeric()
                    || bytes[end] == b'_'
                    || bytes[end] == b'.'
                    || (bytes[end] == b'(' && text[i..end].ends_with("URLError")))
            {
                end += 1;
            }
            let word = text[i..end].trim_end_matches('.');
            if ["errSSL", "errSec", "NSURLError", "kCFURLError", "URLError."]
                .iter()
                .any(|p| word.starts_with(p))
                && word != "NSURLErrorDomain"
            {
                out.push((i, word));
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// `read alert, level: fatal, description: bad certificate` and BoringSSL's
/// `SSLV3_ALERT_BAD_CERTIFICATE` forms.
fn alerts(text: &str, lower: &str, found: &mut Vec<(usize, Recognised, Vec<NextStep>)>) {
    for (at, _) in lower.match_indices("description: ") {
        let rest = &lower[at + 13..];
        let Some(&(number, name, meaning)) = ALERTS
            .iter()
            .filter(|(_, name, _)| rest.starts_with(&name.to_ascii_lowercase()))
            .max_by_key(|(_, name, _)| name.len())
        else {
            continue;
        };
        let line_start = lower[..at].rfind('\n').map_or(0, |p| p + 1);
        let line = &lower[line_start..at];
        let direction = if line.contains("write alert") {
            "iOS sent this alert: the app's side rejected the handshake"
        } else if line.contains("read alert") {
            "the server sent this alert: it rejected the app's handshake"
        } else {
            "a TLS alert"
        };
        found.push((
            at,
            alert(
                text,
                at,
                at + 13 + name.len(),
                number,
                name,
                meaning,
                direction,
            ),
            alert_steps(number, line.contains("write alert")),
        ));
    }
    for (at, m) in lower.match_indices("_alert_") {
        let word_start = lower[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .map_or(0, |p| p + 1);
        let prefix = &lower[word_start..at];
        if prefix != "sslv3" && prefix != "tlsv1" && prefix != "tlsv13" {
            continue;
        }
        let rest = &lower[at + m.len()..];
        let word_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let words = rest[..word_end].replace('_', " ");
        let Some(&(number, name, meaning)) = ALERTS
            .iter()
            .find(|(_, n, _)| n.to_ascii_lowercase() == words)
        else {
            continue;
        };
        found.push((
            word_start,
            alert(
                text,
                word_start,
                at + m.len() + word_end,
                number,
                name,
                meaning,
                "BoringSSL received this alert from the server",
            ),
            alert_steps(number, false),
        ));
    }
}

/// BoringSSL's `SSL_AD_CERTIFICATE_UNKNOWN` form.
fn ssl_ad(text: &str, lower: &str, found: &mut Vec<(usize, Recognised, Vec<NextStep>)>) {
    for (at, m) in lower.match_indices("ssl_ad_") {
        let rest = &lower[at + m.len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let words = rest[..end].replace('_', " ");
        if let Some(&(number, name, meaning)) = ALERTS
            .iter()
            .find(|(_, n, _)| n.to_ascii_lowercase() == words)
        {
            found.push((
                at,
                alert(
                    text,
                    at,
                    at + m.len() + end,
                    number,
                    name,
                    meaning,
                    "the alert BoringSSL reports for the failed handshake",
                ),
                alert_steps(number, false),
            ));
        }
    }
}

fn alert(
    text: &str,
    start: usize,
    end: usize,
    number: u8,
    name: &str,
    meaning: &str,
    direction: &str,
) -> Recognised {
    let mut causes_ = Vec::new();
    match number {
        42 | 46 | 48 => causes_.extend(causes(UNTRUSTED_CAUSES)),
        40 | 70 | 71 => causes_.extend(causes(&[(
            "No TLS version or suite in common, or a required client certificate missing.",
            &[R::AtsServerConfiguration],
        )])),
        47 => causes_.extend(causes(&[(
            "The leaf's keyUsage forbids the negotiated suite (iOS 18.4 / macOS 15.4 enforce it).",
            &[R::AppleKeyUsageCipherMismatch, R::TlsKeyUsageNotAllowed],
        )])),
        45 => causes_.extend(causes(&[(
            "A certificate expired, or the clock is wrong.",
            &[R::ChainExpired],
        )])),
        _ => {}
    }
    Recognised {
        matched: text.get(start..end).unwrap_or_default().to_owned(),
        domain: Domain::TlsAlert,
        number: Some(i64::from(number)),
        name: name.to_owned(),
        aliases: Vec::new(),
        apple_text: String::new(),
        meaning: format!("TLS alert {number} ({name}); {direction}. {meaning}"),
        causes: causes_,
        source: SRC_ALERT,
    }
}

fn alert_steps(number: u8, sent_by_client: bool) -> Vec<NextStep> {
    match (number, sent_by_client) {
        (42 | 46 | 48, true) => vec![AnalyseChain, CheckProxy],
        (42 | 46 | 48 | 49 | 116, false) => vec![ClientIdentity],
        (40 | 70 | 71, _) => vec![AtsServer, ClientIdentity],
        (47, _) => vec![AnalyseChain],
        (45, _) => vec![AnalyseChain, CheckClock],
        _ => vec![AtsServer],
    }
}

/// Trust check keys (`[leaf TemporalValidity]`, `SSLHostname`) and their failure messages.
fn trust_checks(text: &str, found: &mut Vec<(usize, Recognised, Vec<NextStep>)>) {
    for &(key, err, message) in generated::TRUST_CHECKS {
        let hit = find_word(text, key).map(|at| (at, key)).or_else(|| {
            (!message.is_empty() && message.len() > 20)
                .then(|| text.find(message).map(|at| (at, message)))
                .flatten()
        });
        let Some((at, matched)) = hit else { continue };
        let rules = CHECK_RULES
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, r)| *r)
            .unwrap_or(&[]);
        let code = by_name(err);
        found.push((
            at,
            Recognised {
                matched: matched.to_owned(),
                domain: Domain::TrustCheck,
                number: code.map(|c| c.number),
                name: key.to_owned(),
                aliases: vec![err.to_owned()],
                apple_text: message.to_owned(),
                meaning: format!(
                    "Trust evaluation's {key} check failed{}; it yields {err}{}.",
                    if message.is_empty() {
                        String::new()
                    } else {
                        format!(" (“{message}”)")
                    },
                    code.map(|c| format!(" ({})", c.number)).unwrap_or_default()
                ),
                causes: if rules.is_empty() {
                    Vec::new()
                } else {
                    vec![Cause {
                        text: "netlens finds this in the chain the server sends.",
                        rules: rules.iter().map(|r| r.as_str()).collect(),
                    }]
                },
                source: SRC_CHECKS,
            },
            vec![AnalyseChain],
        ));
    }
}

/// `word` in `text` as a whole word (not inside another identifier), where a trust check key
/// stands in trustd's logs: after `[leaf `, `[ca0 `, `[root `, a space, or a quote.
fn find_word(text: &str, word: &str) -> Option<usize> {
    text.match_indices(word).map(|(at, _)| at).find(|&at| {
        let before_ok = at == 0 || !text.as_bytes()[at - 1].is_ascii_alphanumeric();
        let end = at + word.len();
        let after_ok = end >= text.len() || !text.as_bytes()[end].is_ascii_alphanumeric();
        // Keys are common words ("Revocation", "KeyUsage"): only where trustd writes them,
        // inside `Trust evaluate failure: [leaf …]` or after `cert[0]: `.
        let bracketed = text[..at]
            .rfind('[')
            .is_some_and(|open| !text[open..at].contains(']'));
        let after_cert = text[..at].ends_with("]: ");
        before_ok && after_ok && (bracketed || after_cert)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swift_names() {
        assert_eq!(swift_name("NSURLErrorBadURL"), "badURL");
        assert_eq!(swift_name("NSURLErrorDNSLookupFailed"), "dnsLookupFailed");
        assert_eq!(
            swift_name("NSURLErrorServerCertificateUntrusted"),
            "serverCertificateUntrusted"
        );
        assert_eq!(
            swift_name("NSURLErrorHTTPTooManyRedirects"),
            "httpTooManyRedirects"
        );
    }

    #[test]
    fn numbers_skip_dates_and_uuids() {
        let t = numbers("2024-03-19 12:00:01.123-0700 Task <5B7A-11>.<1> failed (-1202 [3:-9807])");
        let values: Vec<i64> = t.iter().map(|n| n.value).collect();
        assert!(
            values.contains(&-1202) && values.contains(&-9807),
            "{values:?}"
        );
        assert!(
            !values.contains(&-3) && !values.contains(&-19) && !values.contains(&-11),
            "{values:?}"
        );
    }

    #[test]
    fn details_name_real_codes() {
        for d in DETAILS {
            assert!(
                by_name(d.name).is_some(),
                "{} is not in the generated tables",
                d.name
            );
        }
        for (key, _) in CHECK_RULES {
            assert!(
                generated::TRUST_CHECKS.iter().any(|(k, _, _)| k == key),
                "{key}"
            );
        }
    }
}
