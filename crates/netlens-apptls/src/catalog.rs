//! The app-side rule catalog: findings about an app's `NSAppTransportSecurity` dictionary and
//! its pin sets, as data (ids `app.*`, a public contract like every catalog's).
//!
//! Severity follows the catalog scale: what makes a key do nothing, or the app fail, is an
//! error; what Apple asks a justification for, or advises against, a warning; what only
//! informs, info. Sources are Apple's Information Property List reference pages, Technote and
//! forum posts, and RFCs.

use serde::Serialize;

pub use netlens_catalog::{CatalogRule, Effective, RuleHeader, Severity};

/// What a rule looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Concerns {
    /// The NSAppTransportSecurity dictionary.
    AtsDictionary,
    /// Pins (NSPinnedDomains or a list) and the chains they are checked against.
    Pins,
}

/// One rule: the common header and what it concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The fields every catalog shares.
    pub header: RuleHeader<RuleId>,
    /// What it concerns.
    pub concerns: Concerns,
}

netlens_catalog::catalog_rule!(Rule, RuleId, RULES, concerns);

/// The catalog as a Markdown table (the README's and `netlens ats rules`).
pub fn markdown() -> String {
    use netlens_catalog::{Column, markdown_table};
    markdown_table(
        RULES,
        &[
            Column::id(),
            Column::severity(),
            Column::title("What is wrong"),
            Column::source(),
        ],
    )
}

macro_rules! rules {
    ($(
        $variant:ident = $id:literal ($concerns:ident) {
            severity: $severity:ident,
            title: $title:expr,
            source: $source:expr,
            fix: $fix:expr $(,)?
        }
    )*) => {
        netlens_catalog::rule_ids! {
            /// Every app-side rule's id, in catalog order, serialised as its public string.
            pub enum RuleId {
                $( $variant = $id, )*
            }
        }

        /// Every rule.
        pub static RULES: &[Rule] = &[
            $( Rule {
                header: RuleHeader {
                    id: RuleId::$variant,
                    severity: Severity::$severity,
                    title: $title,
                    source: $source,
                    fix: $fix,
                    effective: Effective::ALWAYS,
                },
                concerns: Concerns::$concerns,
            }, )*
        ];
    };
}

const ATS_DOC: &str = "Apple, Information Property List › NSAppTransportSecurity";

rules! {
    AppAtsMissing = "app.ats-missing" (AtsDictionary) {
        severity: Info,
        title: "The Info.plist has no NSAppTransportSecurity dictionary: ATS applies in full",
        source: ATS_DOC,
        fix: "Nothing to do if every server meets ATS (HTTPS, TLS 1.2+, forward secrecy, a trusted certificate); `netlens ats HOST` checks a server.",
    }
    AppAtsArbitraryLoads = "app.ats-arbitrary-loads" (AtsDictionary) {
        severity: Warning,
        title: "NSAllowsArbitraryLoads turns ATS off for every domain not listed in NSExceptionDomains",
        source: "Apple, NSAllowsArbitraryLoads: “You must supply a justification during App Store review if you set the key’s value to YES”",
        fix: "Fix the servers, or replace it with a per-domain exception (NSExceptionDomains) for the hosts that need one; `netlens ats HOST` writes the least exception.",
    }
    AppAtsArbitraryLoadsIgnored = "app.ats-arbitrary-loads-ignored" (AtsDictionary) {
        severity: Warning,
        title: "NSAllowsArbitraryLoads is ignored because NSAllowsArbitraryLoadsInWebContent, NSAllowsArbitraryLoadsForMedia or NSAllowsLocalNetworking is present",
        source: "Apple, NSAllowsArbitraryLoadsInWebContent and NSAllowsArbitraryLoads: in iOS 10 and later and macOS 10.12 and later, including any of these keys makes ATS ignore NSAllowsArbitraryLoads",
        fix: "Keep NSAllowsArbitraryLoads only for iOS 9 / macOS 10.11; on current systems use the narrower keys or NSExceptionDomains for what must load without ATS.",
    }
    AppAtsWebContent = "app.ats-web-content" (AtsDictionary) {
        severity: Info,
        title: "NSAllowsArbitraryLoadsInWebContent exempts WKWebView loads from ATS",
        source: "Apple, NSAllowsArbitraryLoadsInWebContent (App Review asks for a justification)",
        fix: "Keep it only if the app shows arbitrary web pages; URLSession connections stay under ATS.",
    }
    AppAtsMedia = "app.ats-media" (AtsDictionary) {
        severity: Info,
        title: "NSAllowsArbitraryLoadsForMedia exempts AVFoundation media loads from ATS",
        source: "Apple, NSAllowsArbitraryLoadsForMedia (App Review asks for a justification)",
        fix: "Keep it only for media the app cannot serve over HTTPS (encrypted HLS segments, for example).",
    }
    AppAtsLocalNetworking = "app.ats-local-networking" (AtsDictionary) {
        severity: Info,
        title: "NSAllowsLocalNetworking lets the app load unqualified names, .local names and IP addresses without ATS",
        source: "Apple, NSAllowsLocalNetworking",
        fix: "Right for apps that talk to devices on the local network (no justification needed); traffic to them is unencrypted unless the app uses TLS itself.",
    }
    AppAtsNotBoolean = "app.ats-not-boolean" (AtsDictionary) {
        severity: Error,
        title: "A Boolean ATS key has a value that is not a Boolean, so ATS ignores it",
        source: ATS_DOC,
        fix: "Write `<true/>` or `<false/>` (in Xcode's editor: type Boolean, value YES / NO), not the string \"YES\".",
    }
    AppAtsWrongType = "app.ats-wrong-type" (AtsDictionary) {
        severity: Error,
        title: "An ATS key has the wrong type (a dictionary or a string expected), so ATS ignores it",
        source: ATS_DOC,
        fix: "Give the key the type Apple documents: NSExceptionDomains and NSPinnedDomains are dictionaries of dictionaries, NSExceptionMinimumTLSVersion is a string.",
    }
    AppAtsUnknownKey = "app.ats-unknown-key" (AtsDictionary) {
        severity: Error,
        title: "A key ATS does not know (often a misspelling) does nothing",
        source: ATS_DOC,
        fix: "Spell the key as Apple documents it (the finding suggests the closest one), or remove it.",
    }
    AppAtsKeyWrongLevel = "app.ats-key-wrong-level" (AtsDictionary) {
        severity: Error,
        title: "An ATS key is at the wrong level of the dictionary, where it does nothing",
        source: ATS_DOC,
        fix: "Domain keys (NSIncludesSubdomains, NSException…) go inside a domain's dictionary under NSExceptionDomains; NSAllowsArbitraryLoads and the other NSAllows… keys go directly under NSAppTransportSecurity.",
    }
    AppAtsLegacyKey = "app.ats-legacy-key" (AtsDictionary) {
        severity: Warning,
        title: "An NSTemporaryException… or NSThirdPartyException… key from iOS 9's first documentation",
        source: "Apple, NSExceptionDomains (the current keys are NSExceptionAllowsInsecureHTTPLoads, NSExceptionMinimumTLSVersion, NSExceptionRequiresForwardSecrecy)",
        fix: "Use the NSException… key of the same meaning.",
    }
    AppAtsDomainNotAName = "app.ats-domain-not-a-name" (AtsDictionary) {
        severity: Error,
        title: "An exception or pinned domain is not a domain name, address or range (a scheme, port, path or wildcard), so it matches no host",
        source: "Apple, NSExceptionDomains: keys name domains, IP addresses or ranges of IP addresses",
        fix: "Write the host name alone (`api.example.com`), with NSIncludesSubdomains for its subdomains.",
    }
    AppAtsDomainForm = "app.ats-domain-form" (AtsDictionary) {
        severity: Warning,
        title: "An exception domain that only some systems honour: an IP address or range (iOS 17 / macOS 14 and later), or a name with capitals",
        source: "Apple, NSExceptionDomains: use lowercase; IP addresses and ranges from iOS 17, iPadOS 17 and macOS 14",
        fix: "Write names in lowercase; for an address on older systems, use NSAllowsLocalNetworking (local addresses) or a name.",
    }
    AppAtsExceptionDoesNothing = "app.ats-exception-does-nothing" (AtsDictionary) {
        severity: Warning,
        title: "An exception domain relaxes nothing: every key it sets is ATS's default",
        source: ATS_DOC,
        fix: "Remove the domain, or set the exception it was meant to make.",
    }
    AppAtsInsecureHttp = "app.ats-insecure-http" (AtsDictionary) {
        severity: Warning,
        title: "NSExceptionAllowsInsecureHTTPLoads allows cleartext HTTP to the domain",
        source: "Apple, NSExceptionAllowsInsecureHTTPLoads (App Review asks for a justification)",
        fix: "Serve the domain over HTTPS with a trusted certificate and remove the exception; the key is also what lets the app relax trust for the domain's HTTPS, which pinning never needs.",
    }
    AppAtsMinimumTlsInvalid = "app.ats-minimum-tls-invalid" (AtsDictionary) {
        severity: Error,
        title: "NSExceptionMinimumTLSVersion is not one of TLSv1.0, TLSv1.1, TLSv1.2, TLSv1.3, so ATS ignores it",
        source: "Apple, NSExceptionMinimumTLSVersion",
        fix: "Write exactly `TLSv1.2` (or the version the server needs).",
    }
    AppAtsOldTls = "app.ats-old-tls" (AtsDictionary) {
        severity: Warning,
        title: "NSExceptionMinimumTLSVersion allows TLS 1.0 or 1.1, which RFC 8996 deprecates",
        source: "RFC 8996 (TLS 1.0 and 1.1 MUST NOT be used); Apple, NSExceptionMinimumTLSVersion (App Review asks for a justification)",
        fix: "Enable TLS 1.2 (and 1.3) on the server and remove the exception.",
    }
    AppAtsNoForwardSecrecy = "app.ats-no-forward-secrecy" (AtsDictionary) {
        severity: Warning,
        title: "NSExceptionRequiresForwardSecrecy NO allows static-RSA key exchange with the domain",
        source: "Apple, NSExceptionRequiresForwardSecrecy",
        fix: "Enable ECDHE suites (or TLS 1.3) on the server and remove the exception.",
    }
    AppAtsExceptionNotNeeded = "app.ats-exception-not-needed" (AtsDictionary) {
        severity: Info,
        title: "The server meets what an exception relaxes: the exception is no longer needed",
        source: "netlens ats (handshakes with each ATS configuration)",
        fix: "Remove the exception: the server accepts ATS's default configuration.",
    }
    AppAtsBlocks = "app.ats-blocks" (AtsDictionary) {
        severity: Error,
        title: "The app as configured cannot connect to the host: ATS refuses what the server offers",
        source: "netlens ats (handshakes with the configuration the Info.plist makes)",
        fix: "Fix the server (the finding says what), or add the least exception `netlens ats HOST` writes.",
    }
    AppPinInvalid = "app.pin-invalid" (Pins) {
        severity: Error,
        title: "A pin is not the base64 of a 32-byte SHA-256 digest, so it can never match",
        source: "Apple, NSPinnedDomains: SPKI-SHA256-BASE64 is the base64-encoded SHA-256 of the certificate's DER SubjectPublicKeyInfo",
        fix: "Compute the pin from the certificate (`netlens pins chain.pem`) and paste it whole: 44 characters ending in `=`.",
    }
    AppPinIdentityShape = "app.pin-identity-shape" (Pins) {
        severity: Error,
        title: "NSPinnedCAIdentities / NSPinnedLeafIdentities is not an array of dictionaries with an SPKI-SHA256-BASE64 key",
        source: "Apple, NSPinnedDomains",
        fix: "Write `<array><dict><key>SPKI-SHA256-BASE64</key><string>…</string></dict></array>`; netlens writes the fragment.",
    }
    AppPinNoBackup = "app.pin-no-backup" (Pins) {
        severity: Warning,
        title: "A pinned domain has a single pin: a key change locks the app out until it is updated",
        source: "RFC 7469 §4.3 (a backup pin SHOULD be kept); Apple, NSPinnedDomains",
        fix: "Add a backup pin: a second CA's key you could move to, or a spare key pair kept offline.",
    }
    AppPinLeafOnly = "app.pin-leaf-only" (Pins) {
        severity: Warning,
        title: "Only the leaf key is pinned: every renewal with a new key breaks the app",
        source: "Apple Developer Forums (Quinn, on pinning alternatives); RFC 7469 §4.3",
        fix: "Pin the CA key (an intermediate or the root) with a backup, or rely on Certificate Transparency (NSRequiresCertificateTransparency) instead of pins.",
    }
    AppPinNoMatch = "app.pin-no-match" (Pins) {
        severity: Error,
        title: "No certificate of the chain matches a pin: the app refuses this server",
        source: "Apple, NSPinnedDomains (a connection succeeds only if a certificate in the chain matches a pin)",
        fix: "The key changed (a renewal) or a proxy is in the path: pin the key the chain now has, with a backup.",
    }
    AppPinRotationBreaks = "app.pin-rotation-breaks" (Pins) {
        severity: Error,
        title: "The pins match the current chain but not the renewal: the app breaks after the rotation",
        source: "Apple, NSPinnedDomains",
        fix: "Ship an app update that also pins a key of the next chain before the server switches.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_in_the_app_namespace_and_unique() {
        for rule in RULES {
            assert!(rule.id.as_str().starts_with("app."), "{}", rule.id.as_str());
            assert_eq!(rule.id.rule().map(|r| r.id), Some(rule.id));
        }
        assert_eq!(RULES.len(), RuleId::ALL.len());
    }
}
