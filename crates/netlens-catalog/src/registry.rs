//! What every tool's check registry must be: each rule id owned by exactly one check.
//!
//! A tool keeps its own registry next to its checks (`netlens_chain::rules::REGISTRY`,
//! `netlens_dnssd::checks::REGISTRY`), because what a check sees differs. The completeness test
//! is common: [`coverage`] lists the ids no check owns and the ids two checks own, so a rule
//! added to a catalog without a check, or registered twice, fails that tool's tests.

use crate::RuleId;

/// What a registry misses or repeats.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Coverage<Id> {
    /// Ids no registration owns: findings of theirs could never be made.
    pub unregistered: Vec<Id>,
    /// Ids more than one registration owns: their home is ambiguous.
    pub registered_twice: Vec<Id>,
}

impl<Id: RuleId> Coverage<Id> {
    /// Every id owned exactly once.
    pub fn is_complete(&self) -> bool {
        self.unregistered.is_empty() && self.registered_twice.is_empty()
    }
}

impl<Id: RuleId> core::fmt::Display for Coverage<Id> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let words = |ids: &[Id]| {
            ids.iter()
                .map(|i| i.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !self.unregistered.is_empty() {
            writeln!(
                f,
                "no check owns {} (add the check and its registry line)",
                words(&self.unregistered)
            )?;
        }
        if !self.registered_twice.is_empty() {
            writeln!(
                f,
                "more than one check owns {} (a rule has one home; others may share it)",
                words(&self.registered_twice)
            )?;
        }
        Ok(())
    }
}

/// Compares the ids a registry's lines own with every id of the catalog.
pub fn coverage<Id: RuleId>(owned: impl IntoIterator<Item = Id>) -> Coverage<Id> {
    let owned: Vec<Id> = owned.into_iter().collect();
    let count = |id: Id| owned.iter().filter(|o| **o == id).count();
    Coverage {
        unregistered: Id::ALL
            .iter()
            .copied()
            .filter(|&id| count(id) == 0)
            .collect(),
        registered_twice: Id::ALL
            .iter()
            .copied()
            .filter(|&id| count(id) > 1)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::rule_ids! {
        /// A catalog of three, to plant mistakes in.
        pub enum Planted {
            First = "demo.first",
            Second = "demo.second",
            Third = "demo.third",
        }
    }

    #[test]
    fn a_complete_registry_passes() {
        let c = coverage([Planted::First, Planted::Second, Planted::Third]);
        assert!(c.is_complete(), "{c}");
    }

    #[test]
    fn a_planted_unregistered_id_fails() {
        let c = coverage([Planted::First, Planted::Third]);
        assert!(!c.is_complete());
        assert_eq!(c.unregistered, [Planted::Second]);
        assert!(c.to_string().contains("no check owns demo.second"), "{c}");
    }

    #[test]
    fn a_planted_duplicate_registration_fails() {
        let c = coverage([
            Planted::First,
            Planted::Second,
            Planted::Third,
            Planted::Second,
        ]);
        assert!(!c.is_complete());
        assert_eq!(c.registered_twice, [Planted::Second]);
        assert!(
            c.to_string()
                .contains("more than one check owns demo.second"),
            "{c}"
        );
    }
}
