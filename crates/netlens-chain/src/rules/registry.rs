//! [`REGISTRY`]: which check makes which rule, at what scope, for what.
//!
//! Every [`RuleId`] is owned by exactly one registration (its home: the check that makes it,
//! reached with "go to definition" from the registration or from the rule's catalog entry).
//! A registration may also *share* a rule another one owns, when the same problem shows at a
//! second scope: a missing intermediate is seen on a path, by a store that trusts an
//! intermediate directly, and when no path can be built; an unusable CRL when it cannot be read
//! and when it cannot be used. The tests check both lists, and in debug builds the runner checks
//! that a check only makes the rules it registers.

use crate::Purpose;
use crate::catalog::RuleId;
use crate::path::Path;
use crate::store::AnchorOrigin;

use super::{
    CertCheck, Context, Finding, InputFacts, PathCheck, Sent, apple, cabf, chain, info, tls, trust,
    x509,
};

/// When a check runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Once, on what was read (before any path is built).
    Input,
    /// On each certificate of each candidate path that its [`Position`] allows.
    Certificate(Position),
    /// On each candidate path.
    Path,
    /// On each candidate path, for each root store: the store's own decision.
    Store,
    /// Once, on the chain as sent, after every store has chosen its path (and with what a live
    /// connection negotiated).
    Sent,
    /// Once, when no candidate path could be built.
    NoPath,
}

/// Which certificates of a path a [`Scope::Certificate`] check sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// Every certificate, trust anchor certificates included.
    Every,
    /// The leaf.
    Leaf,
    /// Every certificate that issued the one below it (anchor certificates included).
    Issuer,
    /// Issuers that are not the root of the path.
    Intermediate,
    /// Every certificate but the root (certificates some CA issued and can reissue).
    NotRoot,
}

impl Position {
    /// Whether the certificate at `index` (0: the leaf) of a path, the root or not, is seen.
    pub fn includes(self, index: usize, is_root: bool) -> bool {
        match self {
            Position::Every => true,
            Position::Leaf => index == 0,
            Position::Issuer => index > 0,
            Position::Intermediate => index > 0 && !is_root,
            Position::NotRoot => !is_root,
        }
    }
}

/// Which paths' anchors a check applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Roots {
    /// Any path.
    Any,
    /// Paths ending at a public (preinstalled) root: Apple's rules for such roots, the CA/B
    /// Forum's rules, Certificate Transparency.
    Public,
    /// Paths ending at a private root the user supplied.
    Private,
}

/// Where a registered check applies. The runner tests it before calling the check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Applicability {
    /// The roots the path must end at.
    pub roots: Roots,
    /// The purpose the analysis must be for, if only one.
    pub purpose: Option<Purpose>,
}

impl Applicability {
    /// Everywhere.
    pub const ANY: Applicability = Applicability {
        roots: Roots::Any,
        purpose: None,
    };
    /// Paths ending at a public root.
    pub const PUBLIC: Applicability = Applicability {
        roots: Roots::Public,
        purpose: None,
    };
    /// Paths ending at a private root the user supplied.
    pub const PRIVATE: Applicability = Applicability {
        roots: Roots::Private,
        purpose: None,
    };
    /// Analyses of a TLS server's certificate.
    pub const SERVER: Applicability = Applicability {
        roots: Roots::Any,
        purpose: Some(Purpose::ServerAuth),
    };
    /// Analyses of a TLS client's certificate.
    pub const CLIENT: Applicability = Applicability {
        roots: Roots::Any,
        purpose: Some(Purpose::ClientAuth),
    };

    /// Whether it holds for `path` in `ctx`.
    pub fn holds(self, ctx: &Context<'_>, path: Option<&Path>) -> bool {
        if self.purpose.is_some_and(|p| p != ctx.options.purpose) {
            return false;
        }
        let anchor = || {
            path.and_then(|p| p.end.anchor())
                .and_then(|a| ctx.store.get(a))
        };
        match self.roots {
            Roots::Any => true,
            Roots::Public => anchor().is_some_and(|a| a.public),
            Roots::Private => {
                anchor().is_some_and(|a| a.origin() == AnchorOrigin::User && !a.public)
            }
        }
    }
}

/// A check function, by the scope it runs at.
#[derive(Clone, Copy)]
pub enum Check {
    /// See [`Scope::Input`].
    Input(fn(&InputFacts, &mut Vec<Finding>)),
    /// See [`Scope::Certificate`].
    Certificate(Position, fn(&CertCheck<'_, '_>, &mut Vec<Finding>)),
    /// See [`Scope::Path`].
    Path(fn(&PathCheck<'_>, &mut Vec<Finding>)),
    /// See [`Scope::Store`].
    Store(fn(&Context<'_>, &Path, netlens_roots::StoreId) -> trust::Assessment),
    /// See [`Scope::Sent`].
    Sent(fn(&Sent<'_>, &mut Vec<Finding>)),
    /// See [`Scope::NoPath`]: the context and the leaf's index.
    NoPath(fn(&Context<'_>, usize, &mut Vec<Finding>)),
}

impl Check {
    /// The scope it runs at.
    pub fn scope(&self) -> Scope {
        match self {
            Check::Input(_) => Scope::Input,
            Check::Certificate(position, _) => Scope::Certificate(*position),
            Check::Path(_) => Scope::Path,
            Check::Store(_) => Scope::Store,
            Check::Sent(_) => Scope::Sent,
            Check::NoPath(_) => Scope::NoPath,
        }
    }
}

/// One line of [`REGISTRY`].
#[derive(Clone, Copy)]
pub struct Registration {
    /// The rules this check owns (their only home).
    pub rules: &'static [RuleId],
    /// Rules owned by another registration that this check also makes (see the module docs).
    pub shares: &'static [RuleId],
    /// Where it applies.
    pub applies: Applicability,
    /// The function.
    pub check: Check,
    /// The function's path under `rules` (`chain::path::validity`), as the catalog names it
    /// (empty in release builds).
    pub name: &'static str,
}

impl Registration {
    const fn new(rules: &'static [RuleId], (check, name): (Check, &'static str)) -> Self {
        Registration {
            rules,
            shares: &[],
            applies: Applicability::ANY,
            check,
            name,
        }
    }

    const fn applies(mut self, applies: Applicability) -> Self {
        self.applies = applies;
        self
    }

    const fn shares(mut self, shares: &'static [RuleId]) -> Self {
        self.shares = shares;
        self
    }

    /// Whether `rule` may come out of this check.
    pub fn makes(&self, rule: RuleId) -> bool {
        self.rules.contains(&rule) || self.shares.contains(&rule)
    }
}

/// A check and its name: `at!(Path, chain::path::links)`. The name is for tests and debug
/// builds' messages; release builds leave it empty (it would cost every chain page 0.6 KiB).
macro_rules! at {
    (Certificate($position:ident), $($check:ident)::+) => {
        (Check::Certificate(Position::$position, $($check)::+), name!($($check)::+))
    };
    ($scope:ident, $($check:ident)::+) => {
        (Check::$scope($($check)::+), name!($($check)::+))
    };
}

macro_rules! name {
    ($($check:ident)::+) => {
        if cfg!(debug_assertions) {
            stringify!($($check)::+)
        } else {
            ""
        }
    };
}

use RuleId::*;

/// Every check, in the order the runner calls them within a scope.
pub static REGISTRY: &[Registration] = &[
    // ---- Input: what was read ----
    Registration::new(&[ChainParseError], at!(Input, chain::input::unreadable)),
    Registration::new(
        &[ChainDuplicateCertificate],
        at!(Input, chain::input::duplicates),
    ),
    Registration::new(&[], at!(Input, chain::input::unreadable_crls)).shares(&[ChainCrlInvalid]),
    Registration::new(
        &[ChainSctListUnreadable],
        at!(Input, chain::input::unreadable_sct_lists),
    ),
    // ---- Path: one candidate path ----
    Registration::new(
        &[
            ChainSignatureInvalid,
            ChainUnsupportedAlgorithm,
            ChainWeakSignature,
            ChainAkiSkiMismatch,
        ],
        at!(Path, chain::path::links),
    ),
    Registration::new(
        &[
            ChainSelfSignedLeaf,
            ChainUntrustedRoot,
            ChainMissingIntermediate,
        ],
        at!(Path, chain::path::ending),
    ),
    // ---- Certificate: each certificate of a candidate path ----
    Registration::new(
        &[ChainExpired, ChainNotYetValid],
        at!(Certificate(Every), chain::path::validity),
    ),
    Registration::new(
        &[ChainUnknownCriticalExtension],
        at!(Certificate(Every), chain::path::unknown_critical),
    ),
    Registration::new(
        &[X509SerialNumber],
        at!(Certificate(NotRoot), x509::serial_number),
    ),
    Registration::new(
        &[X509SignatureAlgorithmMismatch],
        at!(Certificate(Every), x509::signature_algorithm_mismatch),
    ),
    Registration::new(&[X509EmptyName], at!(Certificate(Every), x509::empty_name)),
    Registration::new(
        &[X509DuplicateExtension],
        at!(Certificate(Every), x509::duplicate_extension),
    ),
    Registration::new(
        &[X509MalformedExtension],
        at!(Certificate(Every), x509::malformed_extension),
    ),
    Registration::new(
        &[X509ExtensionCriticality],
        at!(Certificate(Every), x509::extension_criticality),
    ),
    Registration::new(
        &[X509AkiCritical],
        at!(Certificate(Every), x509::aki_critical),
    ),
    Registration::new(
        &[X509SkiCritical],
        at!(Certificate(Every), x509::ski_critical),
    ),
    Registration::new(
        &[X509AkiMissing],
        at!(Certificate(Every), x509::aki_missing),
    ),
    Registration::new(
        &[X509SkiMissing],
        at!(Certificate(Every), x509::ski_missing),
    ),
    Registration::new(
        &[X509CaKeyUsageInconsistent],
        at!(Certificate(Every), x509::ca_key_usage),
    ),
    Registration::new(
        &[X509SanCriticality],
        at!(Certificate(Every), x509::san_criticality),
    ),
    Registration::new(&[CabfVersionNotV3], at!(Certificate(Every), cabf::version)),
    Registration::new(
        &[CabfEmptyExtension],
        at!(Certificate(Every), cabf::empty_extension),
    ),
    Registration::new(&[CabfAkiProfile], at!(Certificate(Every), cabf::root_aki)),
    Registration::new(&[CabfKeyNotAllowed], at!(Certificate(Every), cabf::key)),
    Registration::new(&[CabfEkuProfile], at!(Certificate(Every), cabf::eku)),
    Registration::new(&[TlsInvalidSan], at!(Certificate(Leaf), tls::san_syntax)),
    Registration::new(&[CabfCnNotInSan], at!(Certificate(Leaf), cabf::cn_in_san)),
    Registration::new(
        &[ChainIssuerNotCa, ChainPathLengthExceeded],
        at!(Certificate(Issuer), chain::path::issuer_is_ca),
    ),
    Registration::new(
        &[ChainIssuerMissingKeycertsign],
        at!(Certificate(Issuer), chain::path::issuer_key_cert_sign),
    ),
    Registration::new(
        &[ChainCaEkuMismatch],
        at!(Certificate(Intermediate), chain::path::eku_chaining),
    ),
    // ---- Path, after the certificates ----
    Registration::new(
        &[ChainNameConstraintsViolated],
        at!(Path, chain::path::name_constraints),
    ),
    Registration::new(
        &[X509NameConstraintsInvalid, X509NameConstraintsTooComplex],
        at!(Path, x509::name_constraints),
    ),
    Registration::new(
        &[TlsMissingServerauthEku],
        at!(Certificate(Leaf), tls::server_auth_eku),
    )
    .applies(Applicability::SERVER),
    Registration::new(
        &[TlsMissingClientauthEku],
        at!(Certificate(Leaf), tls::client_auth_eku),
    )
    .applies(Applicability::CLIENT),
    Registration::new(
        &[TlsHostnameMismatch, TlsCnOnlyName],
        at!(Certificate(Leaf), tls::names),
    ),
    Registration::new(
        &[TlsKeyUsageNotAllowed],
        at!(Certificate(Leaf), tls::key_usage),
    ),
    Registration::new(&[ChainTooLong], at!(Path, chain::path::too_long)),
    // ---- Apple and ATS ----
    Registration::new(
        &[AppleSha1Signature, AtsSignatureHashTooWeak],
        at!(Certificate(Every), apple::signature_hash),
    ),
    Registration::new(
        &[AppleRsaKeyTooSmall, AtsEcKeyTooSmall],
        at!(Path, apple::key_size),
    ),
    Registration::new(
        &[AppleValidityOver825Days],
        at!(Certificate(Leaf), apple::validity_825_days),
    ),
    Registration::new(
        &[AppleValidityOver398Days],
        at!(Certificate(Leaf), apple::validity_398_days),
    )
    .applies(Applicability::PUBLIC),
    Registration::new(
        &[CabfValidityOverLimit],
        at!(Certificate(Leaf), cabf::validity_limit),
    )
    .applies(Applicability::PUBLIC),
    Registration::new(
        &[AppleCtInsufficientScts, AppleCtOperatorDiversity],
        at!(Certificate(Leaf), apple::certificate_transparency),
    )
    .applies(Applicability::PUBLIC),
    Registration::new(
        &[AppleKeyUsageCipherMismatch],
        at!(Certificate(Leaf), apple::key_usage_cipher),
    ),
    Registration::new(&[AtsEd25519Key], at!(Certificate(Leaf), apple::ed25519_key)),
    Registration::new(&[InfoPrivateRoot], at!(Path, info::private_root))
        .applies(Applicability::PRIVATE),
    Registration::new(
        &[ChainRevoked, ChainCrlInvalid],
        at!(Path, chain::revocation::crls),
    ),
    Registration::new(
        &[ChainOcspResponseUnusable],
        at!(Path, chain::revocation::ocsp),
    )
    .shares(&[ChainRevoked]),
    Registration::new(&[TlsMustStapleMissing], at!(Path, tls::must_staple)),
    // ---- Store: each root store's decision ----
    Registration::new(
        &[
            TrustRootNotInStore,
            TrustRootRemoved,
            TrustDistrustedAfter,
            TrustRootNotForTls,
            TrustAnchorExpired,
        ],
        at!(Store, trust::assess),
    )
    .shares(&[ChainMissingIntermediate]),
    // ---- Sent: the chain as sent, once the stores have chosen ----
    Registration::new(&[ChainSearchLimit], at!(Sent, chain::sent::search_limit)),
    Registration::new(&[ChainWrongOrder], at!(Sent, chain::sent::order)),
    Registration::new(
        &[ChainExtraCertificate, ChainContainsAnchor],
        at!(Sent, chain::sent::not_on_path),
    ),
    Registration::new(
        &[InfoRevocationPointers],
        at!(Sent, info::revocation_pointers),
    ),
    Registration::new(
        &[AtsServerConfiguration],
        at!(Sent, apple::server_configuration),
    )
    .applies(Applicability::SERVER),
    Registration::new(&[InfoNoHostname], at!(Sent, info::no_hostname))
        .applies(Applicability::SERVER),
    Registration::new(&[TrustStorePathsDiffer], at!(Sent, trust::paths_differ)),
    Registration::new(&[TrustInterceptingProxy], at!(Sent, trust::interception)),
    // ---- NoPath ----
    Registration::new(&[], at!(NoPath, chain::sent::no_path)).shares(&[ChainMissingIntermediate]),
];

/// The registration that owns `rule`.
pub fn registration(rule: RuleId) -> Option<&'static Registration> {
    REGISTRY.iter().find(|r| r.rules.contains(&rule))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::CHECKED_BY;
    use netlens_catalog::RuleId as _;

    fn owned() -> impl Iterator<Item = RuleId> {
        REGISTRY.iter().flat_map(|r| r.rules.iter().copied())
    }

    #[test]
    fn every_rule_is_owned_by_exactly_one_check() {
        let coverage = netlens_catalog::registry::coverage(owned());
        assert!(coverage.is_complete(), "{coverage}");
    }

    #[test]
    fn a_shared_rule_is_owned_elsewhere() {
        for r in REGISTRY {
            for shared in r.shares {
                let home = registration(*shared);
                assert!(
                    home.is_some_and(|h| !std::ptr::eq(h, r)),
                    "{} shares {shared}, which it owns or nobody does",
                    r.name
                );
            }
        }
    }

    #[test]
    #[cfg_attr(not(debug_assertions), ignore = "names are empty in release builds")]
    fn the_catalog_names_each_rules_check() {
        let plain = |s: &str| s.replace(' ', "");
        assert_eq!(CHECKED_BY.len(), crate::RULES.len());
        for (rule, named) in CHECKED_BY {
            let registered = registration(*rule).map(|r| plain(r.name));
            assert_eq!(
                registered.as_deref(),
                Some(plain(named).as_str()),
                "{rule}: the catalog names {named}"
            );
        }
    }

    #[test]
    #[cfg_attr(not(debug_assertions), ignore = "names are empty in release builds")]
    fn a_check_lives_in_its_rules_namespace() {
        // `apple.*` and `ats.*` share the apple module (ATS is Apple's).
        for r in REGISTRY {
            let module = r.name.split("::").next().unwrap_or_default().trim();
            for rule in r.rules {
                let namespace = match rule.namespace() {
                    "ats" => "apple",
                    other => other,
                };
                assert_eq!(module, namespace, "{rule} is made by {}", r.name);
            }
        }
    }

    #[test]
    fn certificate_positions_are_what_they_say() {
        // A path of three: leaf, intermediate, root.
        let seen =
            |p: Position| -> Vec<usize> { (0..3).filter(|&i| p.includes(i, i == 2)).collect() };
        assert_eq!(seen(Position::Every), [0, 1, 2]);
        assert_eq!(seen(Position::Leaf), [0]);
        assert_eq!(seen(Position::Issuer), [1, 2]);
        assert_eq!(seen(Position::Intermediate), [1]);
        assert_eq!(seen(Position::NotRoot), [0, 1]);
    }
}
