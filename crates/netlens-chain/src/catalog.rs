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

pub use netlens_catalog::Severity;

/// A verdict profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// iOS / macOS with ATS.
    Apple,
    /// Strict RFC 5280 + RFC 6125 + CA/B Forum profile TLS client.
    Rfc5280,
}

impl Profile {
    /// Every profile, in report order.
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

/// One rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable id, e.g. `chain.missing-intermediate`.
    pub id: &'static str,
    /// Default severity of its findings.
    pub severity: Severity,
    /// Verdicts its error findings can decide.
    pub profiles: &'static [Profile],
    /// One line: what is wrong.
    pub title: &'static str,
    /// Where the requirement comes from.
    pub source: &'static str,
    /// What to do about it, in general (findings add specifics).
    pub fix: &'static str,
}

const BOTH: &[Profile] = &[Profile::Apple, Profile::Rfc5280];
const APPLE: &[Profile] = &[Profile::Apple];
const STRICT: &[Profile] = &[Profile::Rfc5280];
const NONE: &[Profile] = &[];

macro_rules! rules {
    ($( $id:literal, $sev:ident, $profiles:ident, $title:literal, $source:literal, $fix:literal; )*) => {
        /// Every rule, grouped by namespace.
        pub static RULES: &[Rule] = &[
            $( Rule { id: $id, severity: Severity::$sev, profiles: $profiles, title: $title, source: $source, fix: $fix }, )*
        ];
    };
}

rules! {
    // ---- chain: building and validating the path ----
    "chain.parse-error", Error, BOTH,
        "Part of the input is not a readable certificate",
        "RFC 5280 §4.1; RFC 7468",
        "Export the certificates again as PEM (`openssl x509 -in cert.der -inform DER -out cert.pem`) and paste every block whole, BEGIN and END lines included.";
    "chain.missing-intermediate", Error, BOTH,
        "The issuer of a certificate is neither in the chain nor a trusted root",
        "RFC 8446 §4.4.2; RFC 5246 §7.4.2; Apple TN2232",
        "Add the missing intermediate to the chain the server sends, right after the certificate it issued. Its location is usually in the certificate's AIA caIssuers URL.";
    "chain.untrusted-root", Error, BOTH,
        "The chain ends at a root that is not trusted",
        "RFC 5280 §6.1; Apple HT212140 (trust store)",
        "Use a certificate from a publicly trusted CA, or install and trust the private root on every client (iOS: install the profile, then enable it in Settings › General › About › Certificate Trust Settings). In netlens, add the root as a trust anchor.";
    "chain.self-signed-leaf", Error, BOTH,
        "The server certificate is self-signed",
        "RFC 5280 §6.1; Apple support 102390 (trust settings need CA:TRUE)",
        "Issue the server certificate from a CA (a private CA whose root the clients trust, or a public CA). iOS cannot trust a self-signed certificate whose basicConstraints say CA:FALSE.";
    "chain.wrong-order", Warning, NONE,
        "The certificates are not sent leaf first, each followed by its issuer",
        "RFC 5246 §7.4.2 (TLS 1.2 requires the order); RFC 8446 §4.4.2",
        "Send the leaf first, then each issuer in turn: `cat leaf.pem intermediate.pem > fullchain.pem`.";
    "chain.extra-certificate", Warning, NONE,
        "A certificate in the chain is not needed to build the path",
        "RFC 8446 §4.4.2; SSL Labs \"Extra certs\"",
        "Remove it from the chain the server sends: it costs bytes in every handshake and can confuse older clients.";
    "chain.duplicate-certificate", Warning, NONE,
        "The same certificate is sent twice",
        "RFC 5246 §7.4.2",
        "Send each certificate once.";
    "chain.contains-anchor", Info, NONE,
        "The chain includes its trusted root",
        "RFC 8446 §4.4.2 (the root MAY be omitted); SSL Labs \"Contains anchor\"",
        "Leave the root out of the served chain; clients already have it.";
    "chain.signature-invalid", Error, BOTH,
        "A certificate's signature does not verify with its issuer's key",
        "RFC 5280 §6.1.3 (a)(1)",
        "The certificate was not issued by the certificate sent as its issuer (wrong or re-keyed intermediate), or it was damaged. Get the matching issuer from your CA.";
    "chain.unsupported-algorithm", Error, BOTH,
        "A signature uses an algorithm that cannot be verified",
        "RFC 5280 §6.1.3 (a)(1); Apple ATS requirements",
        "Reissue with RSA (PKCS#1 v1.5 or PSS) with SHA-256 or better, or ECDSA P-256/P-384.";
    "chain.weak-signature", Error, STRICT,
        "A certificate is signed with SHA-1 or another broken hash",
        "CA/B Forum BR §7.1.3.2; browsers reject SHA-1 since 2017",
        "Reissue the certificate with a SHA-256 (or stronger) signature.";
    "chain.expired", Error, BOTH,
        "A certificate in the chain has expired",
        "RFC 5280 §4.1.2.5, §6.1.3 (a)(2)",
        "Renew the certificate (e.g. `certbot renew`), or replace the expired intermediate with the current one from your CA.";
    "chain.not-yet-valid", Error, BOTH,
        "A certificate in the chain is not valid yet",
        "RFC 5280 §4.1.2.5, §6.1.3 (a)(2)",
        "Check the client's clock; if it is right, wait for notBefore or reissue the certificate.";
    "chain.issuer-not-ca", Error, BOTH,
        "A certificate that issued another is not a CA",
        "RFC 5280 §4.2.1.9, §6.1.4 (k)",
        "The issuing certificate needs basicConstraints CA:TRUE (critical). Use the CA's real intermediate, not a leaf.";
    "chain.path-length-exceeded", Error, BOTH,
        "A CA's pathLenConstraint allows fewer intermediates below it",
        "RFC 5280 §4.2.1.9, §6.1.4 (l), (m)",
        "Reissue the constraining CA with a larger pathLenConstraint, or shorten the chain.";
    "chain.issuer-missing-keycertsign", Error, BOTH,
        "An issuing CA's key usage does not allow signing certificates",
        "RFC 5280 §4.2.1.3, §6.1.4 (n)",
        "Reissue the CA certificate with keyUsage keyCertSign (and cRLSign).";
    "chain.name-constraints-violated", Error, BOTH,
        "A name in a certificate is outside a CA's name constraints",
        "RFC 5280 §4.2.1.10, §6.1.3 (b), (c)",
        "Issue the certificate for names the CA is permitted to certify, or get a CA without these constraints.";
    "chain.aki-ski-mismatch", Warning, NONE,
        "A certificate's authority key identifier does not match its issuer's subject key identifier",
        "RFC 5280 §4.2.1.1, §4.2.1.2",
        "The issuer sent is probably a different generation (re-keyed) of the right CA. Use the intermediate whose key identifier matches.";
    "chain.unknown-critical-extension", Error, BOTH,
        "A certificate has a critical extension clients do not understand",
        "RFC 5280 §4.2",
        "Reissue without the extension, or with it marked non-critical.";
    "chain.revoked", Error, BOTH,
        "A supplied CRL lists a certificate of the chain as revoked",
        "RFC 5280 §5, §6.3",
        "Replace the revoked certificate.";
    "chain.crl-invalid", Error, STRICT,
        "A supplied CRL cannot be used to check revocation",
        "RFC 5280 §5.2.3, §6.3.3",
        "Use the CRL published by the issuing CA (signed by it, with a non-critical CRL number, issued by a CA allowed to sign CRLs).";
    "chain.too-long", Error, BOTH,
        "The chain is longer than clients follow",
        "RFC 5280 §6.1 (implementations limit path length)",
        "Use a shorter chain: leaf, one or two intermediates, root.";
    "chain.ca-eku-mismatch", Error, BOTH,
        "An issuing CA's extended key usage does not allow the leaf's purpose (TLS server or client authentication)",
        "RFC 5280 §4.2.1.12 as path validators apply it: Apple SecTrust, Chrome (BoringSSL), Go crypto/x509, rustls-webpki and pyca/cryptography reject it; CA/B Forum BR §7.1.2.2 (g) (subordinate CA EKU)",
        "Get the certificate from an intermediate whose extendedKeyUsage includes serverAuth (or clientAuth for client certificates), or has no extendedKeyUsage: ask your CA for its TLS issuing CA.";
    "chain.search-limit", Error, BOTH,
        "The certificates form too many candidate paths to search",
        "Pathological path building (Go TestPathologicalChains; CVE-2024-0567)",
        "Send only the certificates of the one chain you mean: leaf and its intermediates.";

    // ---- trust: what each root store decides about the root the chain reaches ----
    "trust.root-not-in-store", Error, BOTH,
        "The chain ends at a root this client's trust store does not hold",
        "Apple: security_certificates certificates/roots (support.apple.com/103272); Mozilla: NSS certdata.txt; Chrome Root Store",
        "Serve a chain that ends at a root the store holds (your CA's chain to another root, often through a cross-signed intermediate), or use a CA that every store trusts.";
    "trust.root-removed", Error, APPLE,
        "The chain ends at a root Apple removed from its trust store",
        "apple-oss-distributions/security_certificates certificates/removed; Apple support 121668 (changes to certificate authorities)",
        "Get a certificate from a CA whose root Apple still ships (`netlens roots --store apple`), and serve that CA's current intermediates.";
    "trust.distrusted-after", Error, BOTH,
        "The store no longer trusts this root for certificates issued after a date, and the leaf was issued later",
        "Apple support 121668; Mozilla NSS CKA_NSS_SERVER_DISTRUST_AFTER; Chrome Root Store constraints (sct_not_after_sec)",
        "Replace the certificate with one from a CA the store trusts without a date limit; certificates issued before the date keep working until they expire.";
    "trust.root-not-for-tls", Error, APPLE,
        "Apple trusts this root only for its own services, not for TLS server authentication",
        "apple-oss-distributions/security_certificates certificates/constraints.json (system roots restricted to Apple policies)",
        "Use a certificate from a public TLS CA; Apple's platform roots anchor Apple services only.";
    "trust.anchor-expired", Error, STRICT,
        "The trust anchor has expired and the store enforces its validity",
        "Chrome Root Store (enforce_anchor_expiry); RFC 5280 §6.1.1 (d)",
        "Serve the CA's current intermediate, issued by a root that has not expired.";
    "trust.store-paths-differ", Info, NONE,
        "Root stores build different paths from the certificates given",
        "RFC 4158 (path building); each store trusts different roots",
        "Serve every certificate of the chain below (leaf first) so each client can build its own path.";

    // ---- tls: using the leaf for a TLS server ----
    "tls.hostname-mismatch", Error, BOTH,
        "The host name is not among the certificate's subject alternative names",
        "RFC 9525 §6 (formerly RFC 6125); RFC 5280 §4.2.1.6",
        "Reissue the certificate with the name in its subjectAltName: `openssl req … -addext \"subjectAltName=DNS:example.com,DNS:www.example.com\"`.";
    "tls.cn-only-name", Error, BOTH,
        "The certificate names the server only in the subject CN, not in a subjectAltName",
        "RFC 9525 §6.4.4; Apple HT210176 (iOS 13); CA/B Forum BR §7.1.2.7.12",
        "Reissue with the host names in subjectAltName; clients ignore the CN.";
    "tls.missing-serverauth-eku", Error, BOTH,
        "The certificate is not allowed for TLS server authentication",
        "RFC 5280 §4.2.1.12; Apple HT210176 (serverAuth EKU required from 2019-07-01)",
        "Reissue with extendedKeyUsage serverAuth: `-addext \"extendedKeyUsage=serverAuth\"`.";
    "tls.missing-clientauth-eku", Error, STRICT,
        "The certificate is not allowed for TLS client authentication",
        "RFC 5280 §4.2.1.12",
        "Reissue with extendedKeyUsage clientAuth.";
    "tls.key-usage-not-allowed", Error, STRICT,
        "The certificate's key usage does not allow what the connection needs",
        "RFC 5280 §4.2.1.3",
        "Reissue with the required key usage (digitalSignature for TLS).";
    "tls.invalid-san", Error, STRICT,
        "A subject alternative name is malformed",
        "RFC 5280 §4.2.1.6; RFC 1034 §3.5 (preferred name syntax); CA/B Forum BR §7.1.2.7.12",
        "Reissue with names in the LDH preferred syntax (letters, digits, hyphens; wildcard only as the whole leftmost label), IP addresses as iPAddress entries, and no empty entries.";

    // ---- x509: certificate structure (RFC 5280 profile) ----
    "x509.aki-missing", Error, STRICT,
        "A certificate that is not self-signed has no authority key identifier",
        "RFC 5280 §4.2.1.1",
        "CAs must include authorityKeyIdentifier with keyIdentifier in every certificate they issue.";
    "x509.aki-critical", Error, STRICT,
        "The authority key identifier is marked critical",
        "RFC 5280 §4.2.1.1",
        "Reissue with authorityKeyIdentifier non-critical.";
    "x509.ski-missing", Error, STRICT,
        "A CA certificate has no subject key identifier",
        "RFC 5280 §4.2.1.2",
        "Reissue the CA certificate with subjectKeyIdentifier.";
    "x509.ski-critical", Error, STRICT,
        "The subject key identifier is marked critical",
        "RFC 5280 §4.2.1.2",
        "Reissue with subjectKeyIdentifier non-critical.";
    "x509.serial-number", Error, STRICT,
        "The serial number is zero, negative or longer than 20 bytes",
        "RFC 5280 §4.1.2.2",
        "Reissue with a positive serial of at most 20 bytes (CAs use 16 random bytes).";
    "x509.empty-name", Error, STRICT,
        "An issuer name is empty, or a CA's subject is empty",
        "RFC 5280 §4.1.2.4, §4.1.2.6",
        "Reissue with a non-empty distinguished name.";
    "x509.san-criticality", Error, STRICT,
        "The subjectAltName criticality does not fit the subject",
        "RFC 5280 §4.2.1.6; CA/B Forum BR §7.1.2.7.12",
        "Mark subjectAltName critical only when the subject is empty.";
    "x509.duplicate-extension", Error, STRICT,
        "An extension appears more than once",
        "RFC 5280 §4.2",
        "Reissue with each extension once.";
    "x509.signature-algorithm-mismatch", Error, STRICT,
        "The two signature algorithm fields of a certificate differ",
        "RFC 5280 §4.1.1.2",
        "Reissue the certificate; the CA's software is broken.";
    "x509.malformed-extension", Error, STRICT,
        "An extension cannot be decoded",
        "RFC 5280 §4.2",
        "Reissue the certificate with a well-formed extension.";
    "x509.extension-criticality", Error, STRICT,
        "An extension is marked critical (or not) against RFC 5280",
        "RFC 5280 §4.2.1.9, §4.2.1.10, §4.2.1.11, §4.2.2.1",
        "Reissue with basicConstraints (CAs), nameConstraints and policyConstraints critical and AIA non-critical.";
    "x509.ca-key-usage-inconsistent", Error, STRICT,
        "basicConstraints and keyUsage disagree about whether this is a CA",
        "RFC 5280 §4.2.1.3, §4.2.1.9",
        "A CA needs cA=TRUE and keyCertSign; a leaf needs neither.";
    "x509.name-constraints-invalid", Error, STRICT,
        "A CA's name constraints are malformed or not allowed where they are",
        "RFC 5280 §4.2.1.10; CA/B Forum BR §7.1.2.5.2",
        "Reissue the CA with well-formed, critical name constraints (a leaf must not carry any).";
    "x509.name-constraints-too-complex", Error, BOTH,
        "Checking the name constraints would take too many comparisons",
        "Denial-of-service limits in TLS libraries (OpenSSL PR 4393)",
        "Use fewer names per certificate or fewer constraints per CA.";

    // ---- cabf: CA/Browser Forum certificate profile ----
    "cabf.cn-not-in-san", Error, STRICT,
        "The subject CN is not an exact copy of one of the subjectAltNames",
        "CA/B Forum BR §7.1.4.3",
        "Reissue with a CN equal, character for character, to a SAN entry (or without a CN).";
    "cabf.version-not-v3", Error, STRICT,
        "The certificate is not X.509 version 3",
        "CA/B Forum BR §7.1.1",
        "Reissue as a v3 certificate.";
    "cabf.key-not-allowed", Error, STRICT,
        "The public key type or size is not allowed (RSA ≥ 2048 and divisible by 8, P-256/P-384/P-521)",
        "CA/B Forum BR §6.1.5, §7.1.3.1",
        "Reissue with an RSA key of 2048, 3072 or 4096 bits, or an ECDSA P-256 or P-384 key.";
    "cabf.eku-profile", Error, STRICT,
        "The extended key usage does not follow the CA/B Forum profile",
        "CA/B Forum BR §7.1.2.1 (roots: no EKU), §7.1.2.7.10 (leaf: non-critical, no anyExtendedKeyUsage)",
        "Leaf: non-critical EKU with serverAuth (and optionally clientAuth) only. Root: no EKU.";
    "cabf.aki-profile", Error, STRICT,
        "A root's authority key identifier does not follow the CA/B Forum profile",
        "CA/B Forum BR §7.1.2.1.3",
        "A root's AKI, if present, must hold only keyIdentifier, equal to its SKI.";
    "cabf.empty-extension", Error, STRICT,
        "An extension that must list something is empty",
        "CA/B Forum BR §7.1.2.7.7 (AIA), §7.1.2.5.2 (name constraints)",
        "Reissue with the extension filled in or left out.";
    "cabf.validity-over-limit", Warning, NONE,
        "The leaf's validity exceeds the CA/B Forum maximum for its issuance date",
        "CA/B Forum BR §6.3.2 (398 days; 200 from 2026-03-15; 100 from 2027-03-15; 47 from 2029-03-15)",
        "Publicly trusted CAs must not issue this; ask the CA to reissue within the limit and automate renewal (ACME).";

    // ---- apple: Apple platforms ----
    "apple.sha1-signature", Error, APPLE,
        "A certificate is signed with SHA-1",
        "Apple HT210176 (iOS 13 / macOS 10.15)",
        "Reissue with a SHA-256 (or stronger) signature.";
    "apple.rsa-key-too-small", Error, APPLE,
        "An RSA key is smaller than 2048 bits",
        "Apple HT210176 (iOS 13 / macOS 10.15); ATS requirements",
        "Reissue with an RSA key of at least 2048 bits.";
    "apple.validity-over-825-days", Error, APPLE,
        "The certificate is valid for more than 825 days",
        "Apple HT210176 (certificates issued after 2019-07-01)",
        "Reissue with a validity of at most 825 days (public CAs: 398 days or less).";
    "apple.validity-over-398-days", Error, APPLE,
        "The certificate is valid for more than 398 days",
        "Apple HT211025 (public roots, certificates issued from 2020-09-01)",
        "Reissue with a validity of at most 398 days (CAs issue 397).";
    "apple.ct-insufficient-scts", Error, APPLE,
        "The certificate carries fewer Certificate Transparency SCTs than Apple requires",
        "Apple CT policy (support.apple.com/103214)",
        "Ask the CA for a certificate with embedded SCTs from enough logs, or have the server staple SCTs (TLS extension or OCSP).";
    "apple.ct-operator-diversity", Error, APPLE,
        "The SCTs do not come from enough distinct, Apple-approved logs and operators",
        "Apple CT policy (support.apple.com/103214); Apple's log_list.json",
        "Ask the CA to log the certificate in approved logs run by different operators.";
    "apple.key-usage-cipher-mismatch", Error, APPLE,
        "The key usage does not allow the key exchange the connection will use",
        "Apple support 121158 (iOS 18.4); RFC 5280 §4.2.1.3",
        "Reissue with keyUsage digitalSignature (ECDHE and TLS 1.3), plus keyEncipherment for RSA keys if static-RSA suites are used, or leave keyUsage out.";

    // ---- ats: App Transport Security ----
    "ats.ec-key-too-small", Error, APPLE,
        "An EC key is smaller than 256 bits",
        "Apple ATS requirements (NSAppTransportSecurity)",
        "Reissue with an ECDSA P-256 or P-384 key.";
    "ats.signature-hash-too-weak", Error, APPLE,
        "A signature uses a hash weaker than SHA-256",
        "Apple ATS requirements (NSAppTransportSecurity)",
        "Reissue with a SHA-256, SHA-384 or SHA-512 signature.";
    "ats.server-configuration", Info, NONE,
        "ATS also requires TLS 1.2+ with forward-secret (ECDHE) AES-GCM or AES-CBC suites",
        "Apple ATS requirements (NSAppTransportSecurity); support.apple.com/126655",
        "Check the server, not the certificate: `netlens ats host` tests it as ATS does and gives the least Info.plist exceptions (or `nmap --script ssl-enum-ciphers -p 443 host`).";
    "ats.ed25519-key", Warning, NONE,
        "The server key is Ed25519, which Apple TLS clients have not offered",
        "Apple developer forums thread 674462",
        "Use an ECDSA P-256 or RSA key for servers Apple devices connect to.";

    // ---- info ----
    "info.revocation-pointers", Info, NONE,
        "Where clients can check revocation",
        "RFC 5280 §4.2.1.13, §4.2.2.1; Apple platform security (revocation)",
        "Nothing to do. Offline, netlens cannot tell whether a certificate is revoked unless you add its CRL. Apple devices rely on Apple's revocation data and OCSP stapling, not live CRL/OCSP fetches.";
    "info.private-root", Info, NONE,
        "The chain ends at a root you supplied, not a public one",
        "Apple HT211025 and CT policy apply to Apple-preinstalled roots only",
        "Clients must trust this root themselves (configuration profile / MDM on Apple devices).";
    "info.no-hostname", Info, NONE,
        "No host name was given, so names were not matched",
        "RFC 9525 §6",
        "Enter the host name or IP address clients connect to.";
}

/// Looks a rule up by id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// The catalog as a Markdown table (rendered into the README by `netlens rules --markdown`).
pub fn markdown() -> String {
    let mut out =
        String::from("| Rule | Severity | Decides | What | Source |\n|---|---|---|---|---|\n");
    for r in RULES {
        let profiles: Vec<&str> = r.profiles.iter().map(|p| p.id()).collect();
        let decides = if profiles.is_empty() {
            "—".to_owned()
        } else {
            profiles.join(", ")
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            r.id,
            r.severity.name(),
            decides,
            r.title,
            r.source
        ));
    }
    out
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
            let ns = a.id.split('.').next().unwrap_or_default();
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
}
