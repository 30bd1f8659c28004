//! The rule catalog: every finding netlens can report, as data.
//!
//! One table, rendered by the UI, by `netlens rules`, and into the README (a test keeps the
//! README in step). Rule ids are a public contract: tools and people match on them, so an id
//! never changes meaning and is never reused.
//!
//! Each rule says which verdicts it can decide:
//! - `apple`: iOS / macOS with App Transport Security (SecTrust's TLS policy, Apple's published
//!   certificate requirements, Apple's CT policy), anchored on Apple's trust store and the
//!   user's own anchors.
//! - `rfc5280`: a strict standards-following TLS client: RFC 5280 path validation, RFC 6125 /
//!   RFC 9525 name matching, and the CA/Browser Forum certificate profile that strict libraries
//!   (rustls/webpki, pyca/cryptography) enforce, anchored on Mozilla's root store (or the store
//!   the caller picks) and the user's own anchors.
//!
//! `trust.*` rules are the root stores' own decisions; a finding of one decides the verdicts
//! whose store made the decision (see [`crate::trust`]).
//!
//! A rule with no profile is advice: it never fails a verdict.

use serde::Serialize;

pub use netlens_catalog::{CatalogRule, Date, Effective, Limit, RuleHeader, Severity};

/// A verdict profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// iOS / macOS with ATS.
    Apple,
    /// Strict RFC 5280 + RFC 6125 + CA/B Forum profile TLS client.
    Rfc5280,
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl Profile {
    /// Every profile, in report order (and in the order of their ids).
    pub const ALL: [Profile; 2] = [Profile::Apple, Profile::Rfc5280];

    /// The profile's id as used in JSON (`apple`, `rfc5280`).
    pub fn id(self) -> &'static str {
        match self {
            Profile::Apple => "apple",
            Profile::Rfc5280 => "rfc5280",
        }
    }

    /// What the profile stands for.
    pub fn description(self) -> &'static str {
        match self {
            Profile::Apple => "iOS / macOS clients with App Transport Security",
            Profile::Rfc5280 => {
                "a strict standard TLS client (RFC 5280, RFC 6125, CA/B Forum certificate profile)"
            }
        }
    }
}

/// One rule: the common header (id, severity, title, source, fix, effective date) and the
/// verdicts its error findings can decide. Serialised flat: the header's fields, then its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The fields every catalog shares.
    pub header: RuleHeader<RuleId>,
    /// Verdicts its error findings can decide.
    pub profiles: &'static [Profile],
}

netlens_catalog::catalog_rule!(Rule, RuleId, RULES, profiles);

const BOTH: &[Profile] = &[Profile::Apple, Profile::Rfc5280];
const APPLE: &[Profile] = &[Profile::Apple];
const STRICT: &[Profile] = &[Profile::Rfc5280];
const NONE: &[Profile] = &[];
const ALWAYS: Effective = Effective::ALWAYS;

/// Apple's rules for every TLS server certificate issued on or after this day (HT210176):
/// at most 825 days of validity, and an extended key usage with serverAuth.
pub const APPLE_2019: Date = Date::new(2019, 7, 1);

/// Apple's validity limit for certificates issued on or after [`APPLE_2019`].
pub const APPLE_VALIDITY: &[Limit] = &[Limit {
    from: APPLE_2019,
    max: 825,
}];

/// Apple's validity limit for certificates chaining to a preinstalled root (HT211025).
pub const APPLE_PUBLIC_VALIDITY: &[Limit] = &[Limit {
    from: Date::new(2020, 9, 1),
    max: 398,
}];

/// The CA/B Forum's maximum validity of a subscriber certificate, by issuance date (BR §6.3.2;
/// ballot SC-081 for the steps from 2026).
pub const CABF_VALIDITY: &[Limit] = &[
    Limit {
        from: Date::new(2018, 3, 1),
        max: 825,
    },
    Limit {
        from: Date::new(2020, 9, 1),
        max: 398,
    },
    Limit {
        from: Date::new(2026, 3, 15),
        max: 200,
    },
    Limit {
        from: Date::new(2027, 3, 15),
        max: 100,
    },
    Limit {
        from: Date::new(2029, 3, 15),
        max: 47,
    },
];

/// Apple enforces Certificate Transparency for certificates issued on or after this day.
pub const CT_ENFORCED: Date = Date::new(2018, 10, 15);

/// Apple's CT policy counts SCTs by the certificate's lifetime in days, with a cap per log
/// operator, for certificates issued on or after this day (see [`crate::ct::requirement`]).
pub const CT_POLICY_2021: Date = Date::new(2021, 4, 21);

macro_rules! rules {
    ($( $variant:ident = $id:literal => $($check:ident)::+, $sev:ident, $profiles:ident, $effective:expr, $title:literal, $source:literal, $fix:literal; )*) => {
        netlens_catalog::rule_ids! {
            /// Every chain rule's id, in catalog order. Serialised as its public string
            /// (`chain.missing-intermediate`); the variant is the string in CamelCase.
            pub enum RuleId {
                $( $variant = $id, )*
            }
        }

        /// Every rule, grouped by namespace.
        pub static RULES: &[Rule] = &[
            $( Rule {
                header: RuleHeader {
                    id: RuleId::$variant,
                    severity: Severity::$sev,
                    title: $title,
                    source: $source,
                    fix: $fix,
                    effective: $effective,
                },
                profiles: $profiles,
            }, )*
        ];

        netlens_catalog::checked_by! {
            RuleId;
            $( $variant => crate::rules::$($check)::+, stringify!($($check)::+); )*
        }
    };
}

rules! {
    // ---- chain: building and validating the path ----
    ChainParseError = "chain.parse-error" => chain::input::unreadable, Error, BOTH, ALWAYS,
        "Part of the input is not a readable certificate",
        "RFC 5280 §4.1; RFC 7468",
        "Export the certificates again as PEM (`openssl x509 -in cert.der -inform DER -out cert.pem`) and paste every block whole, BEGIN and END lines included.";
    ChainMissingIntermediate = "chain.missing-intermediate" => chain::path::ending, Error, BOTH, ALWAYS,
        "The issuer of a certificate is neither in the chain nor a trusted root",
        "RFC 8446 §4.4.2; RFC 5246 §7.4.2; Apple TN2232",
        "Add the missing intermediate to the chain the server sends, right after the certificate it issued. Its location is usually in the certificate's AIA caIssuers URL.";
    ChainUntrustedRoot = "chain.untrusted-root" => chain::path::ending, Error, BOTH, ALWAYS,
        "The chain ends at a root that is not trusted",
        "RFC 5280 §6.1; Apple HT212140 (trust store)",
        "Use a certificate from a publicly trusted CA, or install and trust the private root on every client (iOS: install the profile, then enable it in Settings › General › About › Certificate Trust Settings). In netlens, add the root as a trust anchor.";
    ChainSelfSignedLeaf = "chain.self-signed-leaf" => chain::path::ending, Error, BOTH, ALWAYS,
        "The server certificate is self-signed",
        "RFC 5280 §6.1; Apple support 102390 (trust settings need CA:TRUE)",
        "Issue the server certificate from a CA (a private CA whose root the clients trust, or a public CA). iOS cannot trust a self-signed certificate whose basicConstraints say CA:FALSE.";
    ChainWrongOrder = "chain.wrong-order" => chain::sent::order, Warning, NONE, ALWAYS,
        "The certificates are not sent leaf first, each followed by its issuer",
        "RFC 5246 §7.4.2 (TLS 1.2 requires the order); RFC 8446 §4.4.2",
        "Send the leaf first, then each issuer in turn: `cat leaf.pem intermediate.pem > fullchain.pem`.";
    ChainExtraCertificate = "chain.extra-certificate" => chain::sent::not_on_path, Warning, NONE, ALWAYS,
        "A certificate in the chain is not needed to build the path",
        "RFC 8446 §4.4.2; SSL Labs \"Extra certs\"",
        "Remove it from the chain the server sends: it costs bytes in every handshake and can confuse older clients.";
    ChainDuplicateCertificate = "chain.duplicate-certificate" => chain::input::duplicates, Warning, NONE, ALWAYS,
        "The same certificate is sent twice",
        "RFC 5246 §7.4.2",
        "Send each certificate once.";
    ChainContainsAnchor = "chain.contains-anchor" => chain::sent::not_on_path, Info, NONE, ALWAYS,
        "The chain includes its trusted root",
        "RFC 8446 §4.4.2 (the root MAY be omitted); SSL Labs \"Contains anchor\"",
        "Leave the root out of the served chain; clients already have it.";
    ChainSignatureInvalid = "chain.signature-invalid" => chain::path::links, Error, BOTH, ALWAYS,
        "A certificate's signature does not verify with its issuer's key",
        "RFC 5280 §6.1.3 (a)(1)",
        "The certificate was not issued by the certificate sent as its issuer (wrong or re-keyed intermediate), or it was damaged. Get the matching issuer from your CA.";
    ChainUnsupportedAlgorithm = "chain.unsupported-algorithm" => chain::path::links, Error, BOTH, ALWAYS,
        "A signature uses an algorithm that cannot be verified",
        "RFC 5280 §6.1.3 (a)(1); Apple ATS requirements",
        "Reissue with RSA (PKCS#1 v1.5 or PSS) with SHA-256 or better, or ECDSA P-256/P-384.";
    ChainWeakSignature = "chain.weak-signature" => chain::path::links, Error, STRICT, ALWAYS,
        "A certificate is signed with SHA-1 or another broken hash",
        "CA/B Forum BR §7.1.3.2; browsers reject SHA-1 since 2017",
        "Reissue the certificate with a SHA-256 (or stronger) signature.";
    ChainExpired = "chain.expired" => chain::path::validity, Error, BOTH, ALWAYS,
        "A certificate in the chain has expired",
        "RFC 5280 §4.1.2.5, §6.1.3 (a)(2)",
        "Renew the certificate (e.g. `certbot renew`), or replace the expired intermediate with the current one from your CA.";
    ChainNotYetValid = "chain.not-yet-valid" => chain::path::validity, Error, BOTH, ALWAYS,
        "A certificate in the chain is not valid yet",
        "RFC 5280 §4.1.2.5, §6.1.3 (a)(2)",
        "Check the client's clock; if it is right, wait for notBefore or reissue the certificate.";
    ChainIssuerNotCa = "chain.issuer-not-ca" => chain::path::issuer_is_ca, Error, BOTH, ALWAYS,
        "A certificate that issued another is not a CA",
        "RFC 5280 §4.2.1.9, §6.1.4 (k)",
        "The issuing certificate needs basicConstraints CA:TRUE (critical). Use the CA's real intermediate, not a leaf.";
    ChainPathLengthExceeded = "chain.path-length-exceeded" => chain::path::issuer_is_ca, Error, BOTH, ALWAYS,
        "A CA's pathLenConstraint allows fewer intermediates below it",
        "RFC 5280 §4.2.1.9, §6.1.4 (l), (m)",
        "Reissue the constraining CA with a larger pathLenConstraint, or shorten the chain.";
    ChainIssuerMissingKeycertsign = "chain.issuer-missing-keycertsign" => chain::path::issuer_key_cert_sign, Error, BOTH, ALWAYS,
        "An issuing CA's key usage does not allow signing certificates",
        "RFC 5280 §4.2.1.3, §6.1.4 (n)",
        "Reissue the CA certificate with keyUsage keyCertSign (and cRLSign).";
    ChainNameConstraintsViolated = "chain.name-constraints-violated" => chain::path::name_constraints, Error, BOTH, ALWAYS,
        "A name in a certificate is outside a CA's name constraints",
        "RFC 5280 §4.2.1.10, §6.1.3 (b), (c)",
        "Issue the certificate for names the CA is permitted to certify, or get a CA without these constraints.";
    ChainAkiSkiMismatch = "chain.aki-ski-mismatch" => chain::path::links, Warning, NONE, ALWAYS,
        "A certificate's authority key identifier does not match its issuer's subject key identifier",
        "RFC 5280 §4.2.1.1, §4.2.1.2",
        "The issuer sent is probably a different generation (re-keyed) of the right CA. Use the intermediate whose key identifier matches.";
    ChainUnknownCriticalExtension = "chain.unknown-critical-extension" => chain::path::unknown_critical, Error, BOTH, ALWAYS,
        "A certificate has a critical extension clients do not understand",
        "RFC 5280 §4.2",
        "Reissue without the extension, or with it marked non-critical.";
    ChainRevoked = "chain.revoked" => chain::revocation::crls, Error, BOTH, ALWAYS,
        "A supplied CRL or a stapled OCSP response says a certificate of the chain is revoked",
        "RFC 5280 §5, §6.3; RFC 6960 §2.2",
        "Replace the revoked certificate.";
    ChainOcspResponseUnusable = "chain.ocsp-response-unusable" => chain::revocation::ocsp, Warning, NONE, ALWAYS,
        "A stapled or supplied OCSP response cannot be relied on (expired, not for this certificate, not signed by its issuer, or not a status)",
        "RFC 6960 §3.2, §4.2.2.2; RFC 6066 §8",
        "Have the server staple a current response from the issuer's responder for this certificate (nginx: `ssl_stapling on;` with a `resolver`; Apache: `SSLUseStapling On`), or give netlens the right one.";
    ChainSctListUnreadable = "chain.sct-list-unreadable" => chain::input::unreadable_sct_lists, Warning, NONE, ALWAYS,
        "An SCT list given with the chain cannot be read",
        "RFC 6962 §3.3",
        "Give the SCT list whole: the bytes of the signed_certificate_timestamp extension (`openssl s_client -serverinfo 18` prints them as a SERVERINFO FOR EXTENSION 18 block), base64 or PEM.";
    ChainCrlInvalid = "chain.crl-invalid" => chain::revocation::crls, Error, STRICT, ALWAYS,
        "A supplied CRL cannot be used to check revocation",
        "RFC 5280 §5.2.3, §6.3.3",
        "Use the CRL published by the issuing CA (signed by it, with a non-critical CRL number, issued by a CA allowed to sign CRLs).";
    ChainTooLong = "chain.too-long" => chain::path::too_long, Error, BOTH, ALWAYS,
        "The chain is longer than clients follow",
        "RFC 5280 §6.1 (implementations limit path length)",
        "Use a shorter chain: leaf, one or two intermediates, root.";
    ChainCaEkuMismatch = "chain.ca-eku-mismatch" => chain::path::eku_chaining, Error, BOTH, ALWAYS,
        "An issuing CA's extended key usage does not allow the leaf's purpose (TLS server or client authentication)",
        "RFC 5280 §4.2.1.12 as path validators apply it: Apple SecTrust, Chrome (BoringSSL), Go crypto/x509, rustls-webpki and pyca/cryptography reject it; CA/B Forum BR §7.1.2.2 (g) (subordinate CA EKU)",
        "Get the certificate from an intermediate whose extendedKeyUsage includes serverAuth (or clientAuth for client certificates), or has no extendedKeyUsage: ask your CA for its TLS issuing CA.";
    ChainSearchLimit = "chain.search-limit" => chain::sent::search_limit, Error, BOTH, ALWAYS,
        "The certificates form too many candidate paths to search",
        "Pathological path building (Go TestPathologicalChains; CVE-2024-0567)",
        "Send only the certificates of the one chain you mean: leaf and its intermediates.";

    // ---- trust: what each root store decides about the root the chain reaches ----
    TrustRootNotInStore = "trust.root-not-in-store" => trust::assess, Error, BOTH, ALWAYS,
        "The chain ends at a root this client's trust store does not hold",
        "Apple: security_certificates certificates/roots (support.apple.com/103272); Mozilla: NSS certdata.txt; Chrome Root Store",
        "Serve a chain that ends at a root the store holds (your CA's chain to another root, often through a cross-signed intermediate), or use a CA that every store trusts.";
    TrustInterceptingProxy = "trust.intercepting-proxy" => trust::interception, Warning, NONE, ALWAYS,
        "The chain was issued by a TLS-intercepting proxy or inspection product, not by the server's CA",
        "netlens' list of intercepting products, each with a public source (netlens-chain interception.rs); Apple, TLS for App Developers (a root the user or an administrator installs is trusted like a built-in one)",
        "Confirm from another network (`netlens chain --connect HOST`): if the chain there ends at a public root, the server is fine and the device's traffic is intercepted. Pins of the server's keys never match a proxy's chain; turn the proxy off or exclude the host from inspection.";
    TrustRootRemoved = "trust.root-removed" => trust::assess, Error, APPLE, ALWAYS,
        "The chain ends at a root Apple removed from its trust store",
        "apple-oss-distributions/security_certificates certificates/removed; Apple support 121668 (changes to certificate authorities)",
        "Get a certificate from a CA whose root Apple still ships (`netlens roots --store apple`), and serve that CA's current intermediates.";
    TrustDistrustedAfter = "trust.distrusted-after" => trust::assess, Error, BOTH, ALWAYS,
        "The store no longer trusts this root for certificates issued after a date, and the leaf was issued later",
        "Apple support 121668; Mozilla NSS CKA_NSS_SERVER_DISTRUST_AFTER; Chrome Root Store constraints (sct_not_after_sec)",
        "Replace the certificate with one from a CA the store trusts without a date limit; certificates issued before the date keep working until they expire.";
    TrustRootNotForTls = "trust.root-not-for-tls" => trust::assess, Error, APPLE, ALWAYS,
        "Apple trusts this root only for its own services, not for TLS server authentication",
        "apple-oss-distributions/security_certificates certificates/constraints.json (system roots restricted to Apple policies)",
        "Use a certificate from a public TLS CA; Apple's platform roots anchor Apple services only.";
    TrustAnchorExpired = "trust.anchor-expired" => trust::assess, Error, STRICT, ALWAYS,
        "The trust anchor has expired and the store enforces its validity",
        "Chrome Root Store (enforce_anchor_expiry); RFC 5280 §6.1.1 (d)",
        "Serve the CA's current intermediate, issued by a root that has not expired.";
    TrustStorePathsDiffer = "trust.store-paths-differ" => trust::paths_differ, Info, NONE, ALWAYS,
        "Root stores build different paths from the certificates given",
        "RFC 4158 (path building); each store trusts different roots",
        "Serve every certificate of the chain below (leaf first) so each client can build its own path.";

    // ---- tls: using the leaf for a TLS server ----
    TlsHostnameMismatch = "tls.hostname-mismatch" => tls::names, Error, BOTH, ALWAYS,
        "The host name is not among the certificate's subject alternative names",
        "RFC 9525 §6 (formerly RFC 6125); RFC 5280 §4.2.1.6",
        "Reissue the certificate with the name in its subjectAltName: `openssl req … -addext \"subjectAltName=DNS:example.com,DNS:www.example.com\"`.";
    TlsCnOnlyName = "tls.cn-only-name" => tls::names, Error, BOTH, ALWAYS,
        "The certificate names the server only in the subject CN, not in a subjectAltName",
        "RFC 9525 §6.4.4; Apple HT210176 (iOS 13); CA/B Forum BR §7.1.2.7.12",
        "Reissue with the host names in subjectAltName; clients ignore the CN.";
    TlsMissingServerauthEku = "tls.missing-serverauth-eku" => tls::server_auth_eku, Error, BOTH, ALWAYS,
        "The certificate is not allowed for TLS server authentication",
        "RFC 5280 §4.2.1.12; Apple HT210176 (serverAuth EKU required from 2019-07-01)",
        "Reissue with extendedKeyUsage serverAuth: `-addext \"extendedKeyUsage=serverAuth\"`.";
    TlsMissingClientauthEku = "tls.missing-clientauth-eku" => tls::client_auth_eku, Error, STRICT, ALWAYS,
        "The certificate is not allowed for TLS client authentication",
        "RFC 5280 §4.2.1.12",
        "Reissue with extendedKeyUsage clientAuth.";
    TlsKeyUsageNotAllowed = "tls.key-usage-not-allowed" => tls::key_usage, Error, STRICT, ALWAYS,
        "The certificate's key usage does not allow what the connection needs",
        "RFC 5280 §4.2.1.3",
        "Reissue with the required key usage (digitalSignature for TLS).";
    TlsMustStapleMissing = "tls.must-staple-missing" => tls::must_staple, Warning, NONE, ALWAYS,
        "The certificate requires a stapled OCSP response (TLS Feature status_request) and the server staples none",
        "RFC 7633 §4.2.3.1 (a client MUST refuse it; Firefox does, Apple and Chrome do not)",
        "Turn on OCSP stapling in the server, or get a certificate without the OCSP Must-Staple extension.";
    TlsInvalidSan = "tls.invalid-san" => tls::san_syntax, Error, STRICT, ALWAYS,
        "A subject alternative name is malformed",
        "RFC 5280 §4.2.1.6; RFC 1034 §3.5 (preferred name syntax); CA/B Forum BR §7.1.2.7.12",
        "Reissue with names in the LDH preferred syntax (letters, digits, hyphens; wildcard only as the whole leftmost label), IP addresses as iPAddress entries, and no empty entries.";

    // ---- x509: certificate structure (RFC 5280 profile) ----
    X509AkiMissing = "x509.aki-missing" => x509::aki_missing, Error, STRICT, ALWAYS,
        "A certificate that is not self-signed has no authority key identifier",
        "RFC 5280 §4.2.1.1",
        "CAs must include authorityKeyIdentifier with keyIdentifier in every certificate they issue.";
    X509AkiCritical = "x509.aki-critical" => x509::aki_critical, Error, STRICT, ALWAYS,
        "The authority key identifier is marked critical",
        "RFC 5280 §4.2.1.1",
        "Reissue with authorityKeyIdentifier non-critical.";
    X509SkiMissing = "x509.ski-missing" => x509::ski_missing, Error, STRICT, ALWAYS,
        "A CA certificate has no subject key identifier",
        "RFC 5280 §4.2.1.2",
        "Reissue the CA certificate with subjectKeyIdentifier.";
    X509SkiCritical = "x509.ski-critical" => x509::ski_critical, Error, STRICT, ALWAYS,
        "The subject key identifier is marked critical",
        "RFC 5280 §4.2.1.2",
        "Reissue with subjectKeyIdentifier non-critical.";
    X509SerialNumber = "x509.serial-number" => x509::serial_number, Error, STRICT, ALWAYS,
        "The serial number is zero, negative or longer than 20 bytes",
        "RFC 5280 §4.1.2.2",
        "Reissue with a positive serial of at most 20 bytes (CAs use 16 random bytes).";
    X509EmptyName = "x509.empty-name" => x509::empty_name, Error, STRICT, ALWAYS,
        "An issuer name is empty, or a CA's subject is empty",
        "RFC 5280 §4.1.2.4, §4.1.2.6",
        "Reissue with a non-empty distinguished name.";
    X509SanCriticality = "x509.san-criticality" => x509::san_criticality, Error, STRICT, ALWAYS,
        "The subjectAltName criticality does not fit the subject",
        "RFC 5280 §4.2.1.6; CA/B Forum BR §7.1.2.7.12",
        "Mark subjectAltName critical only when the subject is empty.";
    X509DuplicateExtension = "x509.duplicate-extension" => x509::duplicate_extension, Error, STRICT, ALWAYS,
        "An extension appears more than once",
        "RFC 5280 §4.2",
        "Reissue with each extension once.";
    X509SignatureAlgorithmMismatch = "x509.signature-algorithm-mismatch" => x509::signature_algorithm_mismatch, Error, STRICT, ALWAYS,
        "The two signature algorithm fields of a certificate differ",
        "RFC 5280 §4.1.1.2",
        "Reissue the certificate; the CA's software is broken.";
    X509MalformedExtension = "x509.malformed-extension" => x509::malformed_extension, Error, STRICT, ALWAYS,
        "An extension cannot be decoded",
        "RFC 5280 §4.2",
        "Reissue the certificate with a well-formed extension.";
    X509ExtensionCriticality = "x509.extension-criticality" => x509::extension_criticality, Error, STRICT, ALWAYS,
        "An extension is marked critical (or not) against RFC 5280",
        "RFC 5280 §4.2.1.9, §4.2.1.10, §4.2.1.11, §4.2.2.1",
        "Reissue with basicConstraints (CAs), nameConstraints and policyConstraints critical and AIA non-critical.";
    X509CaKeyUsageInconsistent = "x509.ca-key-usage-inconsistent" => x509::ca_key_usage, Error, STRICT, ALWAYS,
        "basicConstraints and keyUsage disagree about whether this is a CA",
        "RFC 5280 §4.2.1.3, §4.2.1.9",
        "A CA needs cA=TRUE and keyCertSign; a leaf needs neither.";
    X509NameConstraintsInvalid = "x509.name-constraints-invalid" => x509::name_constraints, Error, STRICT, ALWAYS,
        "A CA's name constraints are malformed or not allowed where they are",
        "RFC 5280 §4.2.1.10; CA/B Forum BR §7.1.2.5.2",
        "Reissue the CA with well-formed, critical name constraints (a leaf must not carry any).";
    X509NameConstraintsTooComplex = "x509.name-constraints-too-complex" => x509::name_constraints, Error, BOTH, ALWAYS,
        "Checking the name constraints would take too many comparisons",
        "Denial-of-service limits in TLS libraries (OpenSSL PR 4393)",
        "Use fewer names per certificate or fewer constraints per CA.";

    // ---- cabf: CA/Browser Forum certificate profile ----
    CabfCnNotInSan = "cabf.cn-not-in-san" => cabf::cn_in_san, Error, STRICT, ALWAYS,
        "The subject CN is not an exact copy of one of the subjectAltNames",
        "CA/B Forum BR §7.1.4.3",
        "Reissue with a CN equal, character for character, to a SAN entry (or without a CN).";
    CabfVersionNotV3 = "cabf.version-not-v3" => cabf::version, Error, STRICT, ALWAYS,
        "The certificate is not X.509 version 3",
        "CA/B Forum BR §7.1.1",
        "Reissue as a v3 certificate.";
    CabfKeyNotAllowed = "cabf.key-not-allowed" => cabf::key, Error, STRICT, ALWAYS,
        "The public key type or size is not allowed (RSA ≥ 2048 and divisible by 8, P-256/P-384/P-521)",
        "CA/B Forum BR §6.1.5, §7.1.3.1",
        "Reissue with an RSA key of 2048, 3072 or 4096 bits, or an ECDSA P-256 or P-384 key.";
    CabfEkuProfile = "cabf.eku-profile" => cabf::eku, Error, STRICT, ALWAYS,
        "The extended key usage does not follow the CA/B Forum profile",
        "CA/B Forum BR §7.1.2.1 (roots: no EKU), §7.1.2.7.10 (leaf: non-critical, no anyExtendedKeyUsage)",
        "Leaf: non-critical EKU with serverAuth (and optionally clientAuth) only. Root: no EKU.";
    CabfAkiProfile = "cabf.aki-profile" => cabf::root_aki, Error, STRICT, ALWAYS,
        "A root's authority key identifier does not follow the CA/B Forum profile",
        "CA/B Forum BR §7.1.2.1.3",
        "A root's AKI, if present, must hold only keyIdentifier, equal to its SKI.";
    CabfEmptyExtension = "cabf.empty-extension" => cabf::empty_extension, Error, STRICT, ALWAYS,
        "An extension that must list something is empty",
        "CA/B Forum BR §7.1.2.7.7 (AIA), §7.1.2.5.2 (name constraints)",
        "Reissue with the extension filled in or left out.";
    CabfValidityOverLimit = "cabf.validity-over-limit" => cabf::validity_limit, Warning, NONE, Effective::limits(CABF_VALIDITY),
        "The leaf's validity exceeds the CA/B Forum maximum for its issuance date",
        "CA/B Forum BR §6.3.2 (398 days; 200 from 2026-03-15; 100 from 2027-03-15; 47 from 2029-03-15)",
        "Publicly trusted CAs must not issue this; ask the CA to reissue within the limit and automate renewal (ACME).";

    // ---- apple: Apple platforms ----
    AppleSha1Signature = "apple.sha1-signature" => apple::signature_hash, Error, APPLE, ALWAYS,
        "A certificate is signed with SHA-1",
        "Apple HT210176 (iOS 13 / macOS 10.15)",
        "Reissue with a SHA-256 (or stronger) signature.";
    AppleRsaKeyTooSmall = "apple.rsa-key-too-small" => apple::key_size, Error, APPLE, ALWAYS,
        "An RSA key is smaller than 2048 bits",
        "Apple HT210176 (iOS 13 / macOS 10.15); ATS requirements",
        "Reissue with an RSA key of at least 2048 bits.";
    AppleValidityOver825Days = "apple.validity-over-825-days" => apple::validity_825_days, Error, APPLE, Effective::limits(APPLE_VALIDITY),
        "The certificate is valid for more than 825 days",
        "Apple HT210176 (certificates issued on or after 2019-07-01)",
        "Reissue with a validity of at most 825 days (public CAs: 398 days or less).";
    AppleValidityOver398Days = "apple.validity-over-398-days" => apple::validity_398_days, Error, APPLE, Effective::limits(APPLE_PUBLIC_VALIDITY),
        "The certificate is valid for more than 398 days",
        "Apple HT211025 (public roots, certificates issued on or after 2020-09-01)",
        "Reissue with a validity of at most 398 days (CAs issue 397).";
    AppleCtInsufficientScts = "apple.ct-insufficient-scts" => apple::certificate_transparency, Error, APPLE, Effective::since(CT_ENFORCED),
        "The certificate carries fewer Certificate Transparency SCTs than Apple requires",
        "Apple CT policy (support.apple.com/103214)",
        "Ask the CA for a certificate with embedded SCTs from enough logs, or have the server staple SCTs (TLS extension or OCSP).";
    AppleCtOperatorDiversity = "apple.ct-operator-diversity" => apple::certificate_transparency, Error, APPLE, Effective::since(CT_ENFORCED),
        "The SCTs do not come from enough distinct, Apple-approved logs and operators",
        "Apple CT policy (support.apple.com/103214); Apple's log_list.json",
        "Ask the CA to log the certificate in approved logs run by different operators.";
    AppleKeyUsageCipherMismatch = "apple.key-usage-cipher-mismatch" => apple::key_usage_cipher, Error, APPLE, ALWAYS,
        "The key usage does not allow the key exchange the connection will use",
        "Apple support 121158 (iOS 18.4); RFC 5280 §4.2.1.3",
        "Reissue with keyUsage digitalSignature (ECDHE and TLS 1.3), plus keyEncipherment for RSA keys if static-RSA suites are used, or leave keyUsage out.";

    // ---- ats: App Transport Security ----
    AtsEcKeyTooSmall = "ats.ec-key-too-small" => apple::key_size, Error, APPLE, ALWAYS,
        "An EC key is smaller than 256 bits",
        "Apple ATS requirements (NSAppTransportSecurity)",
        "Reissue with an ECDSA P-256 or P-384 key.";
    AtsSignatureHashTooWeak = "ats.signature-hash-too-weak" => apple::signature_hash, Error, APPLE, ALWAYS,
        "A signature uses a hash weaker than SHA-256",
        "Apple ATS requirements (NSAppTransportSecurity)",
        "Reissue with a SHA-256, SHA-384 or SHA-512 signature.";
    AtsServerConfiguration = "ats.server-configuration" => apple::server_configuration, Info, NONE, ALWAYS,
        "ATS also requires TLS 1.2+ with forward-secret (ECDHE) AES-GCM or AES-CBC suites",
        "Apple ATS requirements (NSAppTransportSecurity); support.apple.com/126655",
        "Check the server, not the certificate: `netlens ats host` tests it as ATS does and gives the least Info.plist exceptions (or `nmap --script ssl-enum-ciphers -p 443 host`).";
    AtsEd25519Key = "ats.ed25519-key" => apple::ed25519_key, Warning, NONE, ALWAYS,
        "The server key is Ed25519, which Apple TLS clients have not offered",
        "Apple developer forums thread 674462",
        "Use an ECDSA P-256 or RSA key for servers Apple devices connect to.";

    // ---- info ----
    InfoRevocationPointers = "info.revocation-pointers" => info::revocation_pointers, Info, NONE, ALWAYS,
        "Where clients can check revocation",
        "RFC 5280 §4.2.1.13, §4.2.2.1; Apple platform security (revocation)",
        "Nothing to do. Offline, netlens cannot tell whether a certificate is revoked unless you add its CRL. Apple devices rely on Apple's revocation data and OCSP stapling, not live CRL/OCSP fetches.";
    InfoPrivateRoot = "info.private-root" => info::private_root, Info, NONE, ALWAYS,
        "The chain ends at a root you supplied, not a public one",
        "Apple HT211025 and CT policy apply to Apple-preinstalled roots only",
        "Clients must trust this root themselves (configuration profile / MDM on Apple devices).";
    InfoNoHostname = "info.no-hostname" => info::no_hostname, Info, NONE, ALWAYS,
        "No host name was given, so names were not matched",
        "RFC 9525 §6",
        "Enter the host name or IP address clients connect to.";
}

/// Looks a rule up by its public string.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RuleId::from_id(id).and_then(RuleId::rule)
}

/// The catalog as a Markdown table (rendered into the README by `netlens rules --markdown`).
pub fn markdown() -> String {
    use netlens_catalog::{Column, markdown_table};
    markdown_table(
        RULES,
        &[
            Column::id(),
            Column::severity(),
            Column::new("Decides", |r: &Rule| {
                let profiles: Vec<&str> = r.profiles.iter().map(|p| p.id()).collect();
                if profiles.is_empty() {
                    "—".to_owned()
                } else {
                    profiles.join(", ")
                }
            }),
            Column::title("What"),
            Column::source(),
            Column::effective(),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ids the issue fixes as a public contract.
    const REQUIRED: &[&str] = &[
        "chain.parse-error",
        "chain.missing-intermediate",
        "chain.untrusted-root",
        "chain.self-signed-leaf",
        "chain.wrong-order",
        "chain.extra-certificate",
        "chain.contains-anchor",
        "chain.signature-invalid",
        "chain.unsupported-algorithm",
        "chain.expired",
        "chain.not-yet-valid",
        "chain.issuer-not-ca",
        "chain.path-length-exceeded",
        "chain.issuer-missing-keycertsign",
        "chain.name-constraints-violated",
        "chain.aki-ski-mismatch",
        "chain.unknown-critical-extension",
        "chain.ca-eku-mismatch",
        "trust.root-not-in-store",
        "trust.root-removed",
        "trust.distrusted-after",
        "tls.hostname-mismatch",
        "tls.cn-only-name",
        "tls.missing-serverauth-eku",
        "apple.sha1-signature",
        "apple.rsa-key-too-small",
        "apple.validity-over-825-days",
        "apple.validity-over-398-days",
        "apple.ct-insufficient-scts",
        "apple.ct-operator-diversity",
        "apple.key-usage-cipher-mismatch",
        "ats.ec-key-too-small",
        "cabf.validity-over-limit",
        "info.revocation-pointers",
    ];

    #[test]
    fn every_required_rule_exists_exactly_once() {
        for id in REQUIRED {
            assert_eq!(RULES.iter().filter(|r| r.id == *id).count(), 1, "{id}");
        }
        for (i, a) in RULES.iter().enumerate() {
            assert!(
                RULES[i + 1..].iter().all(|b| b.id != a.id),
                "{} twice",
                a.id
            );
            let ns = a.id.as_str().split('.').next().unwrap_or_default();
            assert!(
                [
                    "chain", "trust", "tls", "x509", "cabf", "apple", "ats", "info"
                ]
                .contains(&ns),
                "{}",
                a.id
            );
            assert!(!a.title.is_empty() && !a.source.is_empty() && !a.fix.is_empty());
            // Advice never decides a verdict; errors that decide nothing would be advice.
            if a.severity == Severity::Info {
                assert!(a.profiles.is_empty(), "{}", a.id);
            }
        }
    }

    /// Every day the rules' data names (effective dates, limit steps and the named dates).
    fn catalog_days() -> Vec<Date> {
        let mut days = vec![APPLE_2019, CT_ENFORCED, CT_POLICY_2021];
        for r in RULES {
            days.extend(r.effective.from);
            days.extend(r.effective.limits.iter().map(|l| l.from));
        }
        days
    }

    #[test]
    fn dates_in_rule_text_are_the_dates_the_checks_use() {
        let days: Vec<String> = catalog_days().iter().map(|d| d.to_string()).collect();
        for day in catalog_days() {
            assert!(day.is_valid(), "{day}");
        }
        for r in RULES {
            for text in [r.title, r.source, r.fix] {
                let bytes = text.as_bytes();
                for start in 0..bytes.len().saturating_sub(9) {
                    let Some(window) = text.get(start..start + 10) else {
                        continue;
                    };
                    let looks_like_day = window.bytes().enumerate().all(|(i, b)| match i {
                        4 | 7 => b == b'-',
                        _ => b.is_ascii_digit(),
                    });
                    if looks_like_day {
                        assert!(
                            days.iter().any(|d| d == window),
                            "{}: {window} in its text is not a date of the catalog's data",
                            r.id
                        );
                    }
                }
            }
            // A rule that sets dated limits applies from the first one.
            if let Some(first) = r.effective.limits.first() {
                assert_eq!(r.effective.from, Some(first.from), "{}", r.id);
                assert!(
                    r.effective.limits.windows(2).all(|w| w[0].from < w[1].from),
                    "{}: steps out of order",
                    r.id
                );
            }
        }
    }
}
