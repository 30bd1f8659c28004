//! [`REGISTRY`]: which check makes which DNS-SD rule, and what it looks at.
//!
//! The checks run where the input is read (a service type, an instance name, a full name, a TXT
//! record, an `Info.plist`), so the registry does not call them: it says where each rule's
//! findings are made. Every [`RuleId`] is owned by exactly one check (its home, reached with
//! "go to definition" from its catalog entry); a check may also *share* a rule another owns when
//! reading its input shows the same problem (an empty label while splitting a service type, say).
//! The tests check both lists, and `tests/architecture.rs` in `netlens-cli` checks that every
//! finding is made inside a check registered for its rule.

use crate::catalog::RuleId;

/// What a check looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// A service type as typed: its labels, subtypes and domain.
    ServiceType,
    /// A service name (RFC 6335 §5.1).
    ServiceName,
    /// One subtype.
    Subtype,
    /// An instance name (one label).
    Instance,
    /// A full name (instance, type, domain).
    Name,
    /// A TXT record and its strings.
    TxtRecord,
    /// One TXT key.
    TxtKey,
    /// An app's `NSBonjourServices` and related `Info.plist` keys.
    Plist,
}

/// One line of [`REGISTRY`].
#[derive(Clone, Copy, Debug)]
pub struct Registration {
    /// The rules this check owns (their only home).
    pub rules: &'static [RuleId],
    /// Rules owned by another check that this one also makes.
    pub shares: &'static [RuleId],
    /// What it looks at.
    pub scope: Scope,
    /// The function's path in the crate (`service::check_subtype`), as the catalog names it.
    pub name: &'static str,
}

impl Registration {
    /// Whether `rule` may come out of this check.
    pub fn makes(&self, rule: RuleId) -> bool {
        self.rules.contains(&rule) || self.shares.contains(&rule)
    }
}

use RuleId::*;

/// Every DNS-SD check.
pub static REGISTRY: &[Registration] = &[
    Registration {
        rules: &[
            SubtypeCommaForm,
            ServiceLooksLikeInstance,
            ServiceUppercase,
            ServiceHasDomain,
        ],
        shares: &[SubtypeInvalid, NameEmptyLabel, NameLabelTooLong],
        scope: Scope::ServiceType,
        name: "service::read_type",
    },
    Registration {
        rules: &[ServiceUnregistered],
        shares: &[],
        scope: Scope::ServiceType,
        name: "service::check_type",
    },
    Registration {
        rules: &[ServiceMissingUnderscore, ServiceBadTransport],
        shares: &[],
        scope: Scope::ServiceType,
        name: "service::check_labels",
    },
    Registration {
        rules: &[
            ServiceNameEmpty,
            ServiceNameTooLong,
            ServiceNameInvalidChar,
            ServiceNameNoLetter,
            ServiceNameBadHyphen,
        ],
        shares: &[],
        scope: Scope::ServiceName,
        name: "service::check_service_name",
    },
    Registration {
        rules: &[SubtypeInvalid, SubtypeNoUnderscore],
        shares: &[],
        scope: Scope::Subtype,
        name: "service::check_subtype",
    },
    Registration {
        rules: &[
            InstanceEmpty,
            InstanceTooLong,
            InstanceControlChar,
            InstanceC1Control,
            InstanceInvalidUtf8,
            InstanceNotNfc,
            InstanceHexIdentifier,
        ],
        shares: &[],
        scope: Scope::Instance,
        name: "name::check_instance_label",
    },
    Registration {
        rules: &[
            NameEmptyLabel,
            NameUnescapedDot,
            NameLabelTooLong,
            NameTooLong,
        ],
        shares: &[],
        scope: Scope::Name,
        name: "name::check_name",
    },
    Registration {
        rules: &[
            TxtEmptyRecord,
            TxtStringTooLong,
            TxtStringAppleLimit,
            TxtEmptyKey,
            TxtStringStartsWithEquals,
            TxtDuplicateKey,
            TxtRecordLarge,
            TxtRecordOver1300,
            TxtRecordTooLarge,
            TxtEmptyString,
            TxtTxtversNotFirst,
            TxtValueBinary,
        ],
        shares: &[],
        scope: Scope::TxtRecord,
        name: "txt::check",
    },
    Registration {
        rules: &[TxtKeyInvalidChar, TxtKeySpace, TxtKeyTooLong],
        shares: &[],
        scope: Scope::TxtKey,
        name: "txt::check_key",
    },
    Registration {
        rules: &[
            ApplePlistMissingType,
            ApplePlistEntryHasDomain,
            ApplePlistEntryInvalid,
            AppleMultipeerNeedsBoth,
            AppleMultipeerInvalid,
            AppleUsageDescription,
        ],
        shares: &[],
        scope: Scope::Plist,
        name: "apple::check_plist",
    },
];

/// The registration that owns `rule`.
pub fn registration(rule: RuleId) -> Option<&'static Registration> {
    REGISTRY.iter().find(|r| r.rules.contains(&rule))
}

/// The registration of the check named `name` (`service::check_subtype`).
pub fn by_name(name: &str) -> Option<&'static Registration> {
    REGISTRY.iter().find(|r| r.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::CHECKED_BY;

    #[test]
    fn every_rule_is_owned_by_exactly_one_check() {
        let coverage = netlens_catalog::registry::coverage(
            REGISTRY.iter().flat_map(|r| r.rules.iter().copied()),
        );
        assert!(coverage.is_complete(), "{coverage}");
    }

    #[test]
    fn a_shared_rule_is_owned_elsewhere() {
        for r in REGISTRY {
            for shared in r.shares {
                let home = registration(*shared).map(|h| h.name);
                assert!(
                    home.is_some_and(|h| h != r.name),
                    "{} shares {shared}, whose home is {home:?}",
                    r.name
                );
            }
        }
    }

    #[test]
    fn the_catalog_names_each_rules_check() {
        assert_eq!(CHECKED_BY.len(), crate::catalog::RULES.len());
        for (rule, named) in CHECKED_BY {
            assert_eq!(
                registration(*rule).map(|r| r.name),
                Some(named.replace(' ', "").as_str()),
                "{rule}"
            );
        }
        for r in REGISTRY {
            assert!(
                by_name(r.name).is_some_and(|b| std::ptr::eq(b, r)),
                "{} twice",
                r.name
            );
        }
    }
}
