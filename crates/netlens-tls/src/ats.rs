//! The server half of App Transport Security, from handshake answers.
//!
//! ATS (Apple's rules for `URLSession` connections) needs TLS 1.2 or later and, before TLS 1.3,
//! one of eleven ECDHE suites; an app relaxes that per domain in its Info.plist
//! (`NSExceptionDomains`): `NSExceptionMinimumTLSVersion` lowers the version,
//! `NSExceptionRequiresForwardSecrecy = false` adds six static-RSA suites. Like
//! `nscurl --ats-diagnostics`, netlens does not reason about what a server might choose: it sends
//! the hello each [`Configuration`] makes and reads what the server answers ([`server_half`]).
//! The first configuration that connects, in [`Configuration::LEAST_FIRST`] order, gives the
//! least exceptions an app would need ([`info_plist`] writes them), and the advice says how to
//! fix the server instead. The hellos of [`VersionProbe`] fill the table of what the server
//! accepts version by version.
//!
//! The certificate half (trust, SHA-256 signatures, key sizes, Certificate Transparency) is the
//! chain analysis's `apple` verdict; no Info.plist exception relaxes it
//! (`NSExceptionAllowsInsecureHTTPLoads` only lets the app judge trust itself, and is for HTTP).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::{ATS_SUITES, Answer, Offer, STATIC_RSA_SUITES, Suite, TLS13_SUITES, Version};

/// A value in an Info.plist dictionary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum PlistValue {
    /// `<string>`.
    String(&'static str),
    /// `<true/>` or `<false/>`.
    Bool(bool),
}

/// `NSExceptionDomains` keys of one domain and their values, in key order.
pub type Exceptions = BTreeMap<&'static str, PlistValue>;

/// What an app with some `NSExceptionDomains` settings for the domain offers in its hello.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Configuration {
    /// `NSExceptionMinimumTLSVersion` (TLS 1.2 by default).
    pub minimum: Version,
    /// `NSExceptionRequiresForwardSecrecy` (true by default).
    pub forward_secrecy: bool,
}

impl Configuration {
    /// No exception.
    pub const DEFAULT: Configuration = Configuration {
        minimum: Version::Tls12,
        forward_secrecy: true,
    };

    /// The configurations `nscurl --ats-diagnostics` tries that relax the server half, least
    /// relaxed first: TLS 1.2 without forward secrecy is a better protocol than TLS 1.1 or 1.0
    /// (deprecated by RFC 8996) with it, so it is suggested first.
    pub const LEAST_FIRST: [Configuration; 6] = [
        Configuration::DEFAULT,
        Configuration {
            minimum: Version::Tls12,
            forward_secrecy: false,
        },
        Configuration {
            minimum: Version::Tls11,
            forward_secrecy: true,
        },
        Configuration {
            minimum: Version::Tls11,
            forward_secrecy: false,
        },
        Configuration {
            minimum: Version::Tls10,
            forward_secrecy: true,
        },
        Configuration {
            minimum: Version::Tls10,
            forward_secrecy: false,
        },
    ];

    /// The hello an app with this configuration sends: TLS 1.3 down to the minimum, TLS 1.3's
    /// suites and ATS's, and the static-RSA ones without forward secrecy.
    pub fn offer(&self) -> Offer {
        let mut suites: Vec<&Suite> = TLS13_SUITES.iter().chain(ATS_SUITES).collect();
        if !self.forward_secrecy {
            suites.extend(STATIC_RSA_SUITES);
        }
        Offer {
            maximum: Version::Tls13,
            minimum: self.minimum,
            suites: suites.into_iter().map(|s| s.id).collect(),
        }
    }

    /// The Info.plist keys that make an app behave so (none for the default).
    pub fn exceptions(&self) -> Exceptions {
        let mut exceptions = Exceptions::new();
        if self.minimum != Version::Tls12 {
            exceptions.insert(
                "NSExceptionMinimumTLSVersion",
                PlistValue::String(self.minimum.name()),
            );
        }
        if !self.forward_secrecy {
            exceptions.insert("NSExceptionRequiresForwardSecrecy", PlistValue::Bool(false));
        }
        exceptions
    }
}

/// One hello of the version table: exactly one version, with ATS's forward-secret suites (TLS
/// 1.3's for TLS 1.3) or with the static-RSA ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VersionProbe {
    /// The version offered, and the only one accepted.
    pub version: Version,
    /// ATS's suites (true) or the static-RSA ones (false).
    pub forward_secret: bool,
}

impl VersionProbe {
    /// Newest first: TLS 1.3; then TLS 1.2, 1.1 and 1.0, each with and without forward secrecy.
    pub fn all() -> Vec<VersionProbe> {
        let mut probes = vec![VersionProbe {
            version: Version::Tls13,
            forward_secret: true,
        }];
        for version in [Version::Tls12, Version::Tls11, Version::Tls10] {
            for forward_secret in [true, false] {
                probes.push(VersionProbe {
                    version,
                    forward_secret,
                });
            }
        }
        probes
    }

    /// The hello.
    pub fn offer(&self) -> Offer {
        let suites = match (self.version, self.forward_secret) {
            (Version::Tls13, _) => TLS13_SUITES,
            (_, true) => ATS_SUITES,
            (_, false) => STATIC_RSA_SUITES,
        };
        Offer::only(self.version, suites)
    }
}

/// What the server accepts at one version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VersionSupport {
    /// The version.
    pub version: Version,
    /// The suite it chose among ATS's forward-secret ones (TLS 1.3's for TLS 1.3), if any.
    pub forward_secret: Option<String>,
    /// The suite it chose among the static-RSA ones, if any (never for TLS 1.3).
    pub without_forward_secrecy: Option<String>,
    /// Before TLS 1.3: whether it agreed to the extended master secret (RFC 7627) when it
    /// accepted; `None` when it accepted nothing or for TLS 1.3 (always there).
    pub extended_master_secret: Option<bool>,
}

/// The outcome of one configuration's hello.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConfigurationResult {
    /// The Info.plist keys of the configuration (empty: ATS's default).
    pub exceptions: Exceptions,
    /// `pass` when the server chose a version and suite the configuration allows.
    pub result: &'static str,
    /// What the server answered: the version and suite, or the alert.
    pub answer: String,
    /// The version and suite negotiated, when it passes.
    #[serde(skip)]
    pub negotiated: Option<(Version, u16)>,
}

/// The server half of ATS.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServerHalf {
    /// `pass` when an app without exceptions connects (as far as the handshake goes).
    pub result: &'static str,
    /// Newest version first.
    pub versions: Vec<VersionSupport>,
    /// Every configuration tried, least relaxed first.
    pub configurations: Vec<ConfigurationResult>,
    /// The least exceptions that connect: empty when none is needed, `None` when no
    /// configuration connects. (Not serialized: a report states it once, beside the
    /// certificate half.)
    #[serde(skip)]
    pub exceptions: Option<Exceptions>,
    /// How to fix the server, most important first (not serialized, as `exceptions`).
    #[serde(skip)]
    pub advice: Vec<String>,
}

impl ServerHalf {
    /// The version and suite the least relaxed configuration that connects negotiated.
    pub fn negotiated(&self) -> Option<(Version, u16)> {
        self.configurations.iter().find_map(|c| c.negotiated)
    }
}

/// Whether `answer` to `offer` is a connection the offer allows.
fn allowed(offer: &Offer, answer: &Answer) -> Option<(Version, u16)> {
    match answer {
        Answer::Accepted { version, suite, .. } if offer.allows(*version, *suite) => {
            Some((*version, *suite))
        }
        _ => None,
    }
}

/// Judges the answers to [`VersionProbe::all`]'s and [`Configuration::LEAST_FIRST`]'s hellos (in
/// any order; a probe or configuration without an answer counts as refused).
pub fn server_half(
    versions: &[(VersionProbe, Answer)],
    configurations: &[(Configuration, Answer)],
) -> ServerHalf {
    let accepted = |version: Version, forward_secret: bool| {
        versions
            .iter()
            .filter(|(p, _)| p.version == version && p.forward_secret == forward_secret)
            .find_map(|(p, answer)| match answer {
                Answer::Accepted {
                    version: chosen,
                    suite,
                    extended_master_secret,
                    ..
                } if p.offer().allows(*chosen, *suite) => Some((*suite, *extended_master_secret)),
                _ => None,
            })
    };
    let versions: Vec<VersionSupport> = [
        Version::Tls13,
        Version::Tls12,
        Version::Tls11,
        Version::Tls10,
    ]
    .into_iter()
    .map(|version| {
        let with = accepted(version, true);
        let without = (version != Version::Tls13)
            .then(|| accepted(version, false))
            .flatten();
        VersionSupport {
            version,
            forward_secret: with.map(|(s, _)| crate::suite_name(s)),
            without_forward_secrecy: without.map(|(s, _)| crate::suite_name(s)),
            extended_master_secret: (version != Version::Tls13)
                .then(|| with.or(without).map(|(_, ems)| ems))
                .flatten(),
        }
    })
    .collect();
    let configurations: Vec<ConfigurationResult> = Configuration::LEAST_FIRST
        .iter()
        .map(|configuration| {
            let answer = configurations
                .iter()
                .find(|(c, _)| c == configuration)
                .map_or(Answer::Closed, |(_, a)| a.clone());
            let negotiated = allowed(&configuration.offer(), &answer);
            ConfigurationResult {
                exceptions: configuration.exceptions(),
                result: if negotiated.is_some() { "pass" } else { "fail" },
                answer: match (&answer, negotiated) {
                    (Answer::Accepted { version, .. }, None) => format!(
                        "{} (not allowed: {})",
                        answer.describe(),
                        if *version < configuration.minimum {
                            "the version is too old"
                        } else {
                            "the suite was not offered"
                        }
                    ),
                    _ => answer.describe(),
                },
                negotiated,
            }
        })
        .collect();
    let exceptions = configurations
        .iter()
        .find(|c| c.negotiated.is_some())
        .map(|c| c.exceptions.clone());
    let pass = exceptions.as_ref().is_some_and(BTreeMap::is_empty);
    let advice = advice(&versions, pass);
    ServerHalf {
        result: if pass { "pass" } else { "fail" },
        versions,
        configurations,
        exceptions,
        advice,
    }
}

/// How to fix the server, from the version table.
fn advice(versions: &[VersionSupport], pass: bool) -> Vec<String> {
    let at = |v: Version| versions.iter().find(|s| s.version == v);
    let modern_fs = [Version::Tls13, Version::Tls12]
        .iter()
        .any(|v| at(*v).is_some_and(|s| s.forward_secret.is_some()));
    let tls12 = at(Version::Tls12);
    let legacy: Vec<&str> = [Version::Tls11, Version::Tls10]
        .into_iter()
        .filter(|v| {
            at(*v)
                .is_some_and(|s| s.forward_secret.is_some() || s.without_forward_secrecy.is_some())
        })
        .map(Version::name)
        .collect();
    let mut advice = Vec::new();
    let accepts_12 =
        tls12.is_some_and(|s| s.forward_secret.is_some() || s.without_forward_secrecy.is_some());
    let accepts_13 = at(Version::Tls13).is_some_and(|s| s.forward_secret.is_some());
    if !accepts_12 && !accepts_13 {
        advice.push(
            "Enable TLS 1.2 and TLS 1.3 on the server (nginx: `ssl_protocols TLSv1.2 TLSv1.3;`, Apache: `SSLProtocol -all +TLSv1.2 +TLSv1.3`): ATS needs TLS 1.2 or later, and without it every app needs an exception that App Review asks you to justify.".to_owned(),
        );
    } else if !modern_fs {
        advice.push(
            "Enable ECDHE cipher suites on the server (such as ECDHE-ECDSA-AES128-GCM-SHA256 and ECDHE-RSA-AES128-GCM-SHA256), or TLS 1.3: ATS requires forward secrecy, and the server offers only key exchanges without it (or suites ATS does not accept).".to_owned(),
        );
    }
    if !legacy.is_empty() {
        advice.push(format!(
            "Turn off {} on the server: RFC 8996 deprecates {}, and ATS refuses {} without an exception.",
            legacy.join(" and "),
            if legacy.len() == 1 { "it" } else { "them" },
            if legacy.len() == 1 { "it" } else { "them" },
        ));
    }
    if pass && tls12.is_some_and(|s| s.without_forward_secrecy.is_some()) {
        advice.push(
            "The server also accepts TLS 1.2 suites without forward secrecy (TLS_RSA_*): ATS never chooses them, other clients might; remove them.".to_owned(),
        );
    }
    if tls12.and_then(|s| s.extended_master_secret) == Some(false) {
        advice.push(
            "The server's TLS 1.2 lacks the extended master secret (RFC 7627): enable it, or TLS 1.3. Apple has announced that system connections (device management, app installation, software update) will require ATS-level TLS (support.apple.com/126655).".to_owned(),
        );
    }
    if accepts_12 && !accepts_13 {
        advice.push(
            "Enable TLS 1.3 on the server: Apple platforms prefer it, and it is always forward secret.".to_owned(),
        );
    }
    advice
}

/// The Info.plist fragment with `exceptions` for `domain` (lowercased, as Apple asks): the
/// `NSAppTransportSecurity` dictionary to merge into the app's.
pub fn info_plist(domain: &str, exceptions: &Exceptions) -> String {
    let mut out = String::from(
        "<key>NSAppTransportSecurity</key>\n<dict>\n    <key>NSExceptionDomains</key>\n    <dict>\n",
    );
    out.push_str(&format!(
        "        <key>{}</key>\n        <dict>\n",
        xml_escape(&domain.to_ascii_lowercase())
    ));
    for (key, value) in exceptions {
        out.push_str(&format!("            <key>{key}</key>\n"));
        match value {
            PlistValue::String(s) => out.push_str(&format!("            <string>{s}</string>\n")),
            PlistValue::Bool(b) => out.push_str(&format!("            <{b}/>\n")),
        }
    }
    out.push_str("        </dict>\n    </dict>\n</dict>\n");
    out
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepted(version: Version, suite: u16, ems: bool) -> Answer {
        Answer::Accepted {
            version,
            suite,
            extended_master_secret: ems,
            certificates: Vec::new(),
            extras: Box::default(),
        }
    }

    /// Answers as a server that takes `versions` (each with ATS's suites, static RSA or both)
    /// and always picks its highest version, then a suite it has for it.
    fn simulate(server: &[(Version, bool, bool)]) -> ServerHalf {
        let answer = |offer: &Offer| {
            let best = server
                .iter()
                .filter(|(v, _, _)| *v <= offer.maximum)
                .max_by_key(|(v, _, _)| *v);
            let Some(&(version, fs, rsa)) = best else {
                return Answer::Alert { description: 70 };
            };
            if version < offer.minimum && offer.maximum == Version::Tls13 {
                return Answer::Alert { description: 70 };
            }
            let suite = offer.suites.iter().copied().find(|id| {
                let s = crate::suite_named(*id);
                match version {
                    Version::Tls13 => TLS13_SUITES.iter().any(|t| t.id == *id),
                    _ => s.is_some_and(|s| {
                        !TLS13_SUITES.contains(s) && ((s.ats && fs) || (!s.ats && rsa))
                    }),
                }
            });
            suite.map_or(Answer::Alert { description: 40 }, |s| {
                accepted(version, s, true)
            })
        };
        let versions: Vec<_> = VersionProbe::all()
            .into_iter()
            .map(|p| (p, answer(&p.offer())))
            .collect();
        let configurations: Vec<_> = Configuration::LEAST_FIRST
            .into_iter()
            .map(|c| (c, answer(&c.offer())))
            .collect();
        server_half(&versions, &configurations)
    }

    #[test]
    fn the_least_exceptions_follow_what_the_server_accepts() {
        use Version::*;
        // A modern server: no exception.
        let modern = simulate(&[(Tls13, true, false), (Tls12, true, false)]);
        assert_eq!(modern.result, "pass");
        assert_eq!(modern.exceptions, Some(Exceptions::new()));
        assert!(modern.advice.is_empty(), "{:?}", modern.advice);
        // TLS 1.1 only.
        let old = simulate(&[(Tls11, true, true)]);
        assert_eq!(old.result, "fail");
        assert_eq!(
            old.exceptions,
            Some(Exceptions::from([(
                "NSExceptionMinimumTLSVersion",
                PlistValue::String("TLSv1.1")
            )]))
        );
        assert!(old.advice[0].starts_with("Enable TLS 1.2 and TLS 1.3"));
        assert_eq!(
            old.versions[2].forward_secret.as_deref(),
            Some("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384")
        );
        // TLS 1.2 without ECDHE: forward secrecy off, the version kept.
        let rsa = simulate(&[(Tls12, false, true)]);
        assert_eq!(
            rsa.exceptions,
            Some(Exceptions::from([(
                "NSExceptionRequiresForwardSecrecy",
                PlistValue::Bool(false)
            )]))
        );
        assert!(rsa.advice[0].starts_with("Enable ECDHE"));
        // TLS 1.0 with static RSA only: both.
        let worst = simulate(&[(Tls10, false, true)]);
        assert_eq!(worst.exceptions.map(|e| e.len()), Some(2));
        // TLS 1.3 only passes; a server with only TLS 1.2 suites outside ATS's lists has no
        // exception that helps.
        assert_eq!(simulate(&[(Tls13, true, false)]).result, "pass");
        let none = simulate(&[(Tls12, false, false)]);
        assert_eq!(none.exceptions, None);
        assert_eq!(none.negotiated(), None);
        // Legacy versions beside a passing TLS 1.2 are advised against.
        let mixed = simulate(&[(Tls12, true, true), (Tls10, true, false)]);
        assert_eq!(mixed.result, "pass");
        assert!(
            mixed
                .advice
                .iter()
                .any(|a| a.starts_with("Turn off TLSv1.0"))
        );
        assert!(mixed.advice.iter().any(|a| a.contains("TLS_RSA_*")));
    }

    #[test]
    fn an_answer_outside_the_offer_fails() {
        let configuration = Configuration::DEFAULT;
        // A server that answers TLS 1.1 to a hello whose minimum is TLS 1.2.
        let half = server_half(
            &[],
            &[(configuration, accepted(Version::Tls11, 0xC013, false))],
        );
        assert_eq!(half.configurations[0].result, "fail");
        assert!(
            half.configurations[0]
                .answer
                .contains("the version is too old")
        );
        // No answer at all counts as refused.
        assert_eq!(half.configurations[1].answer, "closed without an answer");
    }

    #[test]
    fn the_fragment_is_a_plist_dictionary() {
        let exceptions = Configuration {
            minimum: Version::Tls11,
            forward_secrecy: false,
        }
        .exceptions();
        assert_eq!(
            info_plist("API.Example.com", &exceptions),
            "<key>NSAppTransportSecurity</key>\n<dict>\n    <key>NSExceptionDomains</key>\n    <dict>\n        <key>api.example.com</key>\n        <dict>\n            <key>NSExceptionMinimumTLSVersion</key>\n            <string>TLSv1.1</string>\n            <key>NSExceptionRequiresForwardSecrecy</key>\n            <false/>\n        </dict>\n    </dict>\n</dict>\n"
        );
    }
}
