//! Effective dates and limits that change over time, as catalog data.
//!
//! Requirements such as "at most 825 days for certificates issued on or after 2019-07-01" have a
//! date the check compares against and a date the tables print. Both come from here, so the
//! text and the code cannot disagree about the day or about whether it is included: a rule
//! applies to subjects dated **on or after** its effective date.

use serde::{Serialize, Serializer};

const SECONDS_PER_DAY: i64 = 86_400;

/// A calendar day (UTC), serialised as `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// The day `year-month-day`. Catalog dates are constants; [`Date::is_valid`] is checked for
    /// each by the catalogs' tests.
    pub const fn new(year: u16, month: u8, day: u8) -> Self {
        Date { year, month, day }
    }

    /// True when the day exists in the proleptic Gregorian calendar.
    pub const fn is_valid(self) -> bool {
        let leap = self.year.is_multiple_of(4)
            && (!self.year.is_multiple_of(100) || self.year.is_multiple_of(400));
        let days_in_month = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => 0,
        };
        self.day >= 1 && self.day <= days_in_month
    }

    /// Seconds since the Unix epoch at 00:00:00 UTC of this day (the moments checks compare).
    pub const fn unix_seconds(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let (m, d) = (self.month as i64, self.day as i64);
        let y = self.year as i64 - if m <= 2 { 1 } else { 0 };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        (era * 146_097 + doe - 719_468) * SECONDS_PER_DAY
    }
}

impl core::fmt::Display for Date {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One step of a limit that tightens over time: `max` applies to subjects dated on or after
/// `from` (until the next step).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Limit {
    /// First day the limit applies.
    pub from: Date,
    /// The limit (its unit is the rule's: days of validity for the chain's validity rules).
    pub max: u32,
}

/// When a rule applies: always, from a date, or with a limit that changes on given dates.
/// A rule's JSON carries it as the optional fields `effective` (the first day) and `limits`
/// (see [`crate::RuleHeader::serialize_fields`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Effective {
    /// The first day the rule applies, by the subject's own date; `None`: always.
    pub from: Option<Date>,
    /// The limit's steps, oldest first; empty when the rule sets no dated limit.
    pub limits: &'static [Limit],
}

impl Effective {
    /// The rule applies whatever the date.
    pub const ALWAYS: Effective = Effective {
        from: None,
        limits: &[],
    };

    /// The rule applies to subjects dated on or after `day`.
    pub const fn since(day: Date) -> Self {
        Effective {
            from: Some(day),
            limits: &[],
        }
    }

    /// The rule sets a limit that changes over time; it applies from the first step.
    pub const fn limits(limits: &'static [Limit]) -> Self {
        let from = match limits.first() {
            Some(step) => Some(step.from),
            None => None,
        };
        Effective { from, limits }
    }

    /// True when the rule applies to a subject dated `moment` (Unix seconds).
    pub fn applies_at(self, moment: i64) -> bool {
        self.from.is_none_or(|day| moment >= day.unix_seconds())
    }

    /// The limit in force for a subject dated `moment`, if the rule applies then.
    pub fn limit_at(self, moment: i64) -> Option<u32> {
        self.limits
            .iter()
            .rev()
            .find(|step| moment >= step.from.unix_seconds())
            .map(|step| step.max)
    }

    /// The first day as `YYYY-MM-DD` (empty when the rule always applies), for messages.
    pub fn since_text(self) -> String {
        self.from.map(|day| day.to_string()).unwrap_or_default()
    }

    /// Words for the tables: `2019-07-01`, or each step (`398 from 2020-09-01; 200 from
    /// 2026-03-15`); `—` when the rule always applies.
    pub fn describe(self) -> String {
        if !self.limits.is_empty() {
            let steps: Vec<String> = self
                .limits
                .iter()
                .map(|step| format!("{} from {}", step.max, step.from))
                .collect();
            return steps.join("; ");
        }
        self.from
            .map_or_else(|| "—".to_owned(), |day| format!("from {day}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEPS: &[Limit] = &[
        Limit {
            from: Date::new(2020, 9, 1),
            max: 398,
        },
        Limit {
            from: Date::new(2026, 3, 15),
            max: 200,
        },
    ];

    #[test]
    fn unix_seconds_match_known_days() {
        assert_eq!(Date::new(1970, 1, 1).unix_seconds(), 0);
        assert_eq!(Date::new(2018, 10, 15).unix_seconds(), 1_539_561_600);
        assert_eq!(Date::new(2000, 3, 1).unix_seconds(), 951_868_800);
        assert_eq!(Date::new(2019, 7, 1).to_string(), "2019-07-01");
    }

    #[test]
    fn validity_of_days() {
        assert!(Date::new(2024, 2, 29).is_valid());
        assert!(!Date::new(2023, 2, 29).is_valid());
        assert!(!Date::new(1900, 2, 29).is_valid());
        assert!(Date::new(2000, 2, 29).is_valid());
        assert!(!Date::new(2020, 13, 1).is_valid() && !Date::new(2020, 4, 31).is_valid());
    }

    #[test]
    fn a_rule_applies_from_its_first_day_inclusive() {
        let day = Date::new(2019, 7, 1);
        let rule = Effective::since(day);
        assert!(rule.applies_at(day.unix_seconds()));
        assert!(!rule.applies_at(day.unix_seconds() - 1));
        assert!(Effective::ALWAYS.applies_at(i64::MIN));
    }

    #[test]
    fn limits_step_on_their_days() {
        let rule = Effective::limits(STEPS);
        assert_eq!(rule.from, Some(Date::new(2020, 9, 1)));
        assert_eq!(
            rule.limit_at(Date::new(2020, 9, 1).unix_seconds() - 1),
            None
        );
        assert_eq!(
            rule.limit_at(Date::new(2020, 9, 1).unix_seconds()),
            Some(398)
        );
        assert_eq!(
            rule.limit_at(Date::new(2026, 3, 15).unix_seconds() - 1),
            Some(398)
        );
        assert_eq!(
            rule.limit_at(Date::new(2026, 3, 15).unix_seconds()),
            Some(200)
        );
        assert_eq!(rule.describe(), "398 from 2020-09-01; 200 from 2026-03-15");
        assert_eq!(
            Effective::since(Date::new(2019, 7, 1)).describe(),
            "from 2019-07-01"
        );
        assert_eq!(Effective::ALWAYS.describe(), "—");
    }
}
