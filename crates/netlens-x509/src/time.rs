//! Validity periods: dates, lifetimes counted the way Apple and the CA/B Forum count them, and
//! "expires in N days" relative to a given moment.
//!
//! The core never reads the clock: callers pass `now` (Unix seconds), so results are
//! reproducible and the browser, the CLI and the tests agree.

use serde::Serialize;
use x509_cert::time::Time;

/// Seconds in a day, as RFC 5280 / Apple's CT policy / the Baseline Requirements count days.
pub const SECONDS_PER_DAY: i64 = 86_400;

/// Whether a certificate is valid at the given moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValidityStatus {
    /// `now` is before notBefore.
    NotYetValid,
    /// notBefore ≤ `now` ≤ notAfter.
    Valid,
    /// `now` is after notAfter.
    Expired,
}

/// The validity period of a certificate, relative to a moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ValidityInfo {
    /// notBefore, RFC 3339 UTC.
    pub not_before: String,
    /// notAfter, RFC 3339 UTC.
    pub not_after: String,
    /// notBefore, Unix seconds.
    pub not_before_unix: i64,
    /// notAfter, Unix seconds.
    pub not_after_unix: i64,
    /// Lifetime in days, notBefore through notAfter *inclusive* (RFC 5280 §4.1.2.5), where any
    /// part of a day counts as a day: the count the 398-day and 825-day rules use.
    pub lifetime_days: i64,
    /// Status at the moment of decoding.
    pub status: ValidityStatus,
    /// Whole days from the moment of decoding until notAfter, rounded toward zero (negative once
    /// expired: -3 means "expired 3 days ago").
    pub days_until_expiry: i64,
    /// Plain words: "expires in 45 days", "expired 3 days ago", "not valid until 2 days from now".
    pub relative: String,
}

/// Unix seconds of an X.509 time.
pub fn unix_seconds(time: &Time) -> i64 {
    i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

/// RFC 3339 rendering of an X.509 time (always UTC, second precision).
pub fn rfc3339(time: &Time) -> String {
    let dt = time.to_date_time();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minutes(),
        dt.seconds()
    )
}

/// RFC 3339 rendering of Unix seconds (UTC). Handles years 1970–9999.
pub fn rfc3339_from_unix(secs: i64) -> String {
    let days = secs.div_euclid(SECONDS_PER_DAY);
    let rem = secs.rem_euclid(SECONDS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (inverse of `civil_from_days`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses a moment given as Unix seconds (`1780272000`), an RFC 3339 timestamp
/// (`2026-06-01T00:00:00Z`, `2026-06-01T02:00:00+02:00`, fractional seconds ignored) or a date
/// (`2026-06-01`, midnight UTC). Returns Unix seconds.
pub fn parse_moment(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<i64>() {
        return Some(secs);
    }
    let bytes = text.as_bytes();
    let num = |range: core::ops::Range<usize>| -> Option<i64> {
        let s = text.get(range)?;
        s.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    if bytes.len() < 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let date = days_from_civil(year, month as u32, day as u32) * SECONDS_PER_DAY;
    if bytes.len() == 10 {
        return Some(date);
    }
    if bytes.len() < 20
        || !matches!(bytes[10], b'T' | b't' | b' ')
        || bytes[13] != b':'
        || bytes[16] != b':'
    {
        return None;
    }
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let offset = match rest.as_bytes() {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
            if [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit()) =>
        {
            let oh = i64::from((h1 - b'0') * 10 + (h2 - b'0'));
            let om = i64::from((m1 - b'0') * 10 + (m2 - b'0'));
            let sign = if *sign == b'+' { 1 } else { -1 };
            sign * (oh * 3600 + om * 60)
        }
        _ => return None,
    };
    Some(date + h * 3600 + mi * 60 + s - offset)
}

/// Inclusive lifetime in days: `(notAfter − notBefore + 1 s)` rounded up to whole days.
pub fn lifetime_days(not_before: i64, not_after: i64) -> i64 {
    let seconds = not_after.saturating_sub(not_before).saturating_add(1);
    if seconds <= 0 {
        return 0;
    }
    (seconds + SECONDS_PER_DAY - 1) / SECONDS_PER_DAY
}

/// "45 days", "1 day", "5 hours", "1 minute", "30 seconds".
pub fn humanize_duration(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    let (n, unit) = if s >= 86_400 {
        (s / 86_400, "day")
    } else if s >= 3600 {
        (s / 3600, "hour")
    } else if s >= 60 {
        (s / 60, "minute")
    } else {
        (s, "second")
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

impl ValidityInfo {
    /// Builds the validity view of `not_before`..`not_after` as seen at `now` (Unix seconds).
    pub fn new(not_before: &Time, not_after: &Time, now: i64) -> Self {
        let nb = unix_seconds(not_before);
        let na = unix_seconds(not_after);
        // Saturating: `now` comes from callers (a CLI flag, a JS argument) and may be extreme.
        let (status, relative) = if now < nb {
            (
                ValidityStatus::NotYetValid,
                format!(
                    "not valid until {} from now",
                    humanize_duration(nb.saturating_sub(now))
                ),
            )
        } else if now > na {
            (
                ValidityStatus::Expired,
                format!("expired {} ago", humanize_duration(now.saturating_sub(na))),
            )
        } else {
            (
                ValidityStatus::Valid,
                format!("expires in {}", humanize_duration(na.saturating_sub(now))),
            )
        };
        Self {
            not_before: rfc3339(not_before),
            not_after: rfc3339(not_after),
            not_before_unix: nb,
            not_after_unix: na,
            lifetime_days: lifetime_days(nb, na),
            status,
            days_until_expiry: na.saturating_sub(now) / SECONDS_PER_DAY,
            relative,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetime_counts_inclusive_days() {
        let nb = 1_598_918_400; // 2020-09-01T00:00:00Z
        // 398 days minus one second is exactly 398 inclusive days (Apple's limit).
        assert_eq!(lifetime_days(nb, nb + 398 * SECONDS_PER_DAY - 1), 398);
        // One more second starts day 399.
        assert_eq!(lifetime_days(nb, nb + 398 * SECONDS_PER_DAY), 399);
        assert_eq!(lifetime_days(nb, nb), 1);
        assert_eq!(lifetime_days(nb, nb - 10), 0);
    }

    #[test]
    fn formats_dates() {
        assert_eq!(rfc3339_from_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_from_unix(1_598_918_400), "2020-09-01T00:00:00Z");
        assert_eq!(rfc3339_from_unix(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_from_unix(4_102_444_799), "2099-12-31T23:59:59Z");
    }

    #[test]
    fn parses_moments() {
        assert_eq!(parse_moment("1780272000"), Some(1_780_272_000));
        assert_eq!(parse_moment("2026-06-01"), Some(1_780_272_000));
        assert_eq!(parse_moment("2026-06-01T00:00:00Z"), Some(1_780_272_000));
        assert_eq!(
            parse_moment("2026-06-01T02:00:00.123+02:00"),
            Some(1_780_272_000)
        );
        assert_eq!(parse_moment("2000-02-29T12:00:00Z"), Some(951_825_600));
        for bad in [
            "",
            "2026-13-01",
            "2026-06-01T00:00Z",
            "June 1",
            "2026-06-01T00:00:00+2",
        ] {
            assert_eq!(parse_moment(bad), None, "{bad}");
        }
        for secs in [0, 951_825_600, 1_780_272_000, 4_102_444_799] {
            assert_eq!(parse_moment(&rfc3339_from_unix(secs)), Some(secs));
        }
    }

    #[test]
    fn humanizes() {
        assert_eq!(humanize_duration(45 * 86_400 + 5), "45 days");
        assert_eq!(humanize_duration(86_400), "1 day");
        assert_eq!(humanize_duration(-3 * 3600), "3 hours");
        assert_eq!(humanize_duration(61), "1 minute");
        assert_eq!(humanize_duration(0), "0 seconds");
    }
}
