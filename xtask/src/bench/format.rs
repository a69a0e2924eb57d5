//! Number formatting and goal judgement for `BENCHMARKS.md`.

/// A goal on a ratio.
#[derive(Clone, Copy)]
pub(crate) enum Goal {
    AtLeast(f64),
    AtMost(f64),
    None,
}

impl Goal {
    pub(crate) fn text(self) -> String {
        match self {
            Goal::AtLeast(g) => format!(">= {g}x"),
            Goal::AtMost(g) => format!("<= {g}x"),
            Goal::None => "–".to_owned(),
        }
    }

    pub(crate) fn met(self, ratio: f64) -> &'static str {
        let met = match self {
            Goal::None => return "–",
            _ if ratio.is_nan() => return "?",
            Goal::AtLeast(g) => ratio >= g,
            Goal::AtMost(g) => ratio <= g,
        };
        if met {
            "yes"
        } else {
            "**no**"
        }
    }
}

/// A duration in nanoseconds, in the unit that reads best.
pub(crate) fn time(ns: f64) -> String {
    if ns.is_nan() {
        "?".to_owned()
    } else if ns < 1_000.0 {
        format!("{ns:.1} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{:.2} ms", ns / 1e6)
    }
}

/// A ratio with precision suited to its size.
pub(crate) fn fmt_ratio(r: f64) -> String {
    if r.is_nan() || r.is_infinite() {
        "?".to_owned()
    } else if r < 10.0 {
        format!("{r:.2}x")
    } else {
        format!("{r:.0}x")
    }
}

/// A count or rate with thousands separators.
pub(crate) fn count(n: f64) -> String {
    if !n.is_finite() {
        return "?".to_owned();
    }
    let digits = format!("{:.0}", n.abs());
    let mut grouped = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if n < 0.0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        assert_eq!(time(512.0), "512.0 ns");
        assert_eq!(time(43_210.0), "43.21 µs");
        assert_eq!(time(2_500_000.0), "2.50 ms");
        assert_eq!(count(1_234_567.4), "1,234,567");
        assert_eq!(count(-1_200.0), "-1,200");
        assert_eq!(count(999.0), "999");
        assert_eq!(fmt_ratio(0.934), "0.93x");
        assert_eq!(fmt_ratio(81.6), "82x");
        assert_eq!(fmt_ratio(f64::NAN), "?");
    }

    #[test]
    fn goals_are_judged_in_their_direction() {
        assert_eq!(Goal::AtLeast(0.9).met(0.95), "yes");
        assert_eq!(Goal::AtLeast(1.7).met(1.1), "**no**");
        assert_eq!(Goal::AtMost(1.2).met(1.05), "yes");
        assert_eq!(Goal::AtMost(1.2).met(2.0), "**no**");
        assert_eq!(Goal::AtMost(1.2).met(f64::NAN), "?");
        assert_eq!(Goal::None.met(3.0), "–");
    }
}
