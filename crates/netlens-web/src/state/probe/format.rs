//! Numbers for people: milliseconds with the precision they deserve, axis labels.

/// A number of milliseconds, with the precision it deserves: three decimals below 10 ms (the
/// timer resolves microseconds), two below 100 ms, one above.
pub fn fmt_ms(ms: f64) -> String {
    if !ms.is_finite() {
        "–".to_owned()
    } else if ms == 0.0 {
        "0 ms".to_owned()
    } else if ms.abs() < 10.0 {
        format!("{ms:.3} ms")
    } else if ms.abs() < 100.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

/// An axis label: the value as short as it is exact (ticks are quarters of a nice number, so
/// three decimals always suffice), `0 ms`, `7.5 ms`, `1500 ms`, `0.125 ms`.
pub fn fmt_tick(ms: f64) -> String {
    let text = format!("{ms:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} ms")
}

/// A rate in bit/s as people read it: `19.8 Mbit/s`, `850 kbit/s`, `1.25 Gbit/s`.
pub fn fmt_rate(bps: f64) -> String {
    if !bps.is_finite() {
        "–".to_owned()
    } else if bps >= 1e9 {
        format!("{:.2} Gbit/s", bps / 1e9)
    } else if bps >= 1e6 {
        format!("{:.1} Mbit/s", bps / 1e6)
    } else {
        format!("{:.0} kbit/s", bps / 1e3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_are_shown_with_sensible_precision() {
        assert_eq!(fmt_ms(0.1574), "0.157 ms");
        assert_eq!(fmt_ms(20.152), "20.15 ms");
        assert_eq!(fmt_ms(201.52), "201.5 ms");
        assert_eq!(fmt_ms(f64::NAN), "–");
        assert_eq!(fmt_ms(0.0), "0 ms");
        assert_eq!(fmt_tick(0.0), "0 ms");
        assert_eq!(fmt_tick(1125.0), "1125 ms");
        assert_eq!(fmt_tick(0.125), "0.125 ms");
        assert_eq!(fmt_tick(7.5), "7.5 ms");
    }

    #[test]
    fn rates_are_shown_in_the_unit_that_reads_best() {
        assert_eq!(fmt_rate(19.84e6), "19.8 Mbit/s");
        assert_eq!(fmt_rate(850e3), "850 kbit/s");
        assert_eq!(fmt_rate(1.25e9), "1.25 Gbit/s");
        assert_eq!(fmt_rate(f64::NAN), "–");
    }
}
