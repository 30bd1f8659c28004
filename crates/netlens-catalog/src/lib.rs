//! What every netlens rule catalog shares: the severity scale, the rule header (id, severity,
//! title, source, fix, effective date), typed rule ids and the one Markdown renderer.
//!
//! Each tool keeps its own catalog next to the checks that produce its findings
//! (`netlens_chain::catalog`, `netlens_dnssd::catalog`), because what a rule carries beyond the
//! header differs: chain rules decide verdict profiles, DNS-SD rules describe how each
//! implementation behaves. The header is common, so the app, the CLI, the README and scripts
//! that read the JSON show, sort and filter rules and findings from every tool the same way.
//!
//! Rule ids are a public contract, serialised as their strings (`chain.missing-intermediate`).
//! In code they are enums made by [`rule_ids!`], so a misspelt id does not compile instead of
//! becoming a finding with no source or fix.

use serde::Serialize;

mod date;
mod markdown;
pub mod registry;

pub use date::{Date, Effective, Limit};
pub use markdown::{Column, markdown_table};

#[doc(hidden)]
pub use serde as __serde;

/// How serious a finding is. Serialised as `info`, `warning`, `error`; ordered from least to
/// most serious.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// For information: nothing is wrong.
    Info,
    /// Works, but is wrong or fragile: some clients or implementations misbehave, or a SHOULD
    /// is not followed.
    Warning,
    /// A MUST is violated: clients reject the chain, registration fails, or peers ignore or
    /// misread the data.
    Error,
}

impl Severity {
    /// Every severity, most serious first (the order reports list them in).
    pub const MOST_SERIOUS_FIRST: [Severity; 3] =
        [Severity::Error, Severity::Warning, Severity::Info];

    /// Lowercase name, as in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Plural heading for a report section (`Errors`, `Warnings`, `Information`).
    pub fn heading(self) -> &'static str {
        match self {
            Severity::Error => "Errors",
            Severity::Warning => "Warnings",
            Severity::Info => "Information",
        }
    }
}

/// A typed rule id: implemented by the enums [`rule_ids!`] makes.
pub trait RuleId: Copy + Eq + core::fmt::Debug + 'static {
    /// Every id, in catalog order.
    const ALL: &'static [Self];
    /// The id's public string, e.g. `chain.missing-intermediate`.
    fn as_str(self) -> &'static str;
    /// The namespace: the part before the first dot (`chain`).
    fn namespace(self) -> &'static str {
        let id = self.as_str();
        id.split_once('.').map_or(id, |(ns, _)| ns)
    }
}

/// What every rule carries, whichever tool's catalog it is in. Serialised flat into the
/// rule's JSON (`id`, `severity`, `title`, `source`, `fix`, and `effective` / `limits` when
/// the rule has them): a catalog's rule writes these fields with
/// [`RuleHeader::serialize_fields`], then its own. (Written out rather than
/// `#[serde(flatten)]`, which goes through serde's map machinery: 6 KiB of gzipped wasm.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleHeader<Id> {
    /// Stable id (a public contract).
    pub id: Id,
    /// Default severity of its findings.
    pub severity: Severity,
    /// One line: what is wrong.
    pub title: &'static str,
    /// Where the requirement comes from.
    pub source: &'static str,
    /// What to do about it, in general (findings add specifics).
    pub fix: &'static str,
    /// From when (by the subject's own date, such as a certificate's notBefore) the rule
    /// applies, and the limits it sets over time.
    pub effective: Effective,
}

impl<Id: RuleId> RuleHeader<Id> {
    /// How many fields [`RuleHeader::serialize_fields`] writes.
    pub fn field_count(&self) -> usize {
        5 + usize::from(self.effective.from.is_some())
            + usize::from(!self.effective.limits.is_empty())
    }

    /// Writes the header's fields into a rule's struct serialisation.
    pub fn serialize_fields<S: serde::ser::SerializeStruct>(
        &self,
        out: &mut S,
    ) -> Result<(), S::Error> {
        out.serialize_field("id", self.id.as_str())?;
        out.serialize_field("severity", &self.severity)?;
        out.serialize_field("title", self.title)?;
        out.serialize_field("source", self.source)?;
        out.serialize_field("fix", self.fix)?;
        match self.effective.from {
            Some(day) => out.serialize_field("effective", &day)?,
            None => out.skip_field("effective")?,
        }
        if self.effective.limits.is_empty() {
            out.skip_field("limits")
        } else {
            out.serialize_field("limits", self.effective.limits)
        }
    }
}

impl<Id: RuleId> Serialize for RuleHeader<Id> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = serializer.serialize_struct("Rule", self.field_count())?;
        self.serialize_fields(&mut out)?;
        out.end()
    }
}

/// A rule of some tool's catalog: its header, plus whatever the tool adds.
pub trait CatalogRule {
    /// The tool's rule-id enum.
    type Id: RuleId;
    /// The common fields.
    fn header(&self) -> &RuleHeader<Self::Id>;
}

/// Makes a rule-id enum: one variant per id, serialised as the id's string, with
/// [`RuleId`], `Display` and comparison with `&str` (so tests and scripts keep matching on the
/// public strings).
///
/// ```
/// netlens_catalog::rule_ids! {
///     /// Ids of a small catalog.
///     pub enum DemoRule {
///         DemoTooLong = "demo.too-long",
///         DemoEmpty = "demo.empty",
///     }
/// }
/// use netlens_catalog::RuleId;
/// assert_eq!(DemoRule::DemoEmpty.as_str(), "demo.empty");
/// assert_eq!(DemoRule::from_id("demo.too-long"), Some(DemoRule::DemoTooLong));
/// assert!(DemoRule::DemoEmpty == "demo.empty");
/// ```
#[macro_export]
macro_rules! rule_ids {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $( $variant:ident = $id:literal, )* }) => {
        $crate::string_enum! {
            $(#[$meta])*
            #[derive(PartialOrd, Ord)]
            $vis enum $name {
                $( #[doc = concat!("`", $id, "`")] $variant = $id, )*
            }
        }

        impl $crate::RuleId for $name {
            const ALL: &'static [$name] = $name::ALL;
            fn as_str(self) -> &'static str {
                self.as_str()
            }
        }
    };
}

/// Makes an enum whose JSON and `Display` form is a fixed word per variant, read back with
/// `from_id` (and `Deserialize`), listed in `ALL`, comparable with `&str` (the words are a
/// JSON contract; code matches on variants). [`rule_ids!`] is built on
/// it; reports use it for their verdicts and states.
#[macro_export]
macro_rules! string_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $word:literal, )* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )*
        }

        impl $name {
            /// Every variant, in declaration order.
            #[allow(dead_code)]
            pub const ALL: &'static [$name] = &[$( $name::$variant, )*];

            /// The word, as in JSON.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $word, )*
                }
            }

            /// The variant with this word, if there is one.
            #[allow(dead_code)]
            pub fn from_id(word: &str) -> Option<Self> {
                match word {
                    $( $word => Some($name::$variant), )*
                    _ => None,
                }
            }
        }

        impl $crate::__serde::Serialize for $name {
            fn serialize<S: $crate::__serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let word = <String as $crate::__serde::Deserialize>::deserialize(deserializer)?;
                Self::from_id(&word).ok_or_else(|| {
                    let words: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    <D::Error as $crate::__serde::de::Error>::custom(format!(
                        "{word:?} is not one of {}",
                        words.join(", ")
                    ))
                })
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.as_str()
            }
        }
    };
}

/// Implements what a catalog's `Rule` (a [`RuleHeader`] in field `header` plus one field of
/// its own) needs: serialisation (the header's fields, then its own), `Deref` to the header,
/// [`CatalogRule`], and `RuleId::rule` / `RuleId::effective` looking the id up in `RULES`.
#[macro_export]
macro_rules! catalog_rule {
    ($rule:ident, $id:ident, $rules:ident, $own:ident) => {
        impl $crate::__serde::Serialize for $rule {
            fn serialize<S: $crate::__serde::Serializer>(
                &self,
                serializer: S,
            ) -> Result<S::Ok, S::Error> {
                use $crate::__serde::ser::SerializeStruct;
                let mut out = serializer.serialize_struct("Rule", self.header.field_count() + 1)?;
                self.header.serialize_fields(&mut out)?;
                out.serialize_field(stringify!($own), &self.$own)?;
                out.end()
            }
        }

        impl core::ops::Deref for $rule {
            type Target = $crate::RuleHeader<$id>;
            fn deref(&self) -> &$crate::RuleHeader<$id> {
                &self.header
            }
        }

        impl $crate::CatalogRule for $rule {
            type Id = $id;
            fn header(&self) -> &$crate::RuleHeader<$id> {
                &self.header
            }
        }

        impl $id {
            /// The catalog entry of this id.
            pub fn rule(self) -> Option<&'static $rule> {
                $rules.iter().find(|r| r.header.id == self)
            }

            /// When the rule applies and the limits it sets (what checks compare against).
            /// Every id has an entry (the catalog tests check); one without would apply
            /// always, with no limit.
            #[allow(dead_code)]
            pub fn effective(self) -> $crate::Effective {
                self.rule()
                    .map_or($crate::Effective::ALWAYS, |r| r.header.effective)
            }
        }
    };
}

/// Ties a catalog to its checks, in test builds only: `CHECKED_BY` lists each rule with the
/// check its entry names (for the test that compares it with the tool's registry), and a
/// function names each check as code, so "go to definition" on the entry reaches the check and
/// a renamed check does not compile. Called by a catalog's `rules!` macro with each check's
/// path as the crate sees it and its name as the registry writes it.
#[macro_export]
macro_rules! checked_by {
    ($id:ident; $( $variant:ident => $check:path, $name:expr; )*) => {
        /// The check each rule's catalog entry names.
        #[cfg(test)]
        pub(crate) const CHECKED_BY: &[($id, &str)] = &[ $( ($id::$variant, $name), )* ];

        #[cfg(test)]
        #[allow(dead_code)]
        fn checks_named_by_the_catalog() {
            $( let _ = $check; )*
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    rule_ids! {
        /// Test ids.
        enum TestRule {
            TestOne = "test.one",
            OtherTwo = "other.two",
        }
    }

    #[test]
    fn names_match_the_json_spelling_and_order_is_by_seriousness() {
        for severity in Severity::MOST_SERIOUS_FIRST {
            let json = serde_json::to_string(&severity).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", severity.name()));
        }
        let mut sorted = Severity::MOST_SERIOUS_FIRST;
        sorted.sort();
        assert_eq!(sorted, [Severity::Info, Severity::Warning, Severity::Error]);
    }

    #[test]
    fn rule_ids_serialise_as_their_strings_and_parse_back() {
        assert_eq!(
            serde_json::to_string(&TestRule::ALL).unwrap_or_default(),
            r#"["test.one","other.two"]"#
        );
        for id in TestRule::ALL {
            assert_eq!(TestRule::from_id(id.as_str()), Some(*id));
            assert_eq!(id.to_string(), id.as_str());
        }
        assert_eq!(TestRule::from_id("test.two"), None);
        assert_eq!(TestRule::OtherTwo.namespace(), "other");
        assert!(TestRule::TestOne == "test.one");
        assert!("other.two" == TestRule::OtherTwo);
    }

    #[test]
    fn a_header_serialises_flat_with_its_effective_date_only_when_it_has_one() {
        let mut header = RuleHeader {
            id: TestRule::TestOne,
            severity: Severity::Warning,
            title: "T",
            source: "S",
            fix: "F",
            effective: Effective::ALWAYS,
        };
        assert_eq!(
            serde_json::to_string(&header).unwrap_or_default(),
            r#"{"id":"test.one","severity":"warning","title":"T","source":"S","fix":"F"}"#
        );
        header.effective = Effective::since(Date::new(2019, 7, 1));
        assert_eq!(
            serde_json::to_string(&header).unwrap_or_default(),
            r#"{"id":"test.one","severity":"warning","title":"T","source":"S","fix":"F","effective":"2019-07-01"}"#
        );
    }
}
