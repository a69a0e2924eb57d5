//! Times for a person: "in 9 minutes", "3 years ago", and RFC 3339 dates.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The current Unix time in seconds.
pub(crate) fn now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// `at` relative to `now`: `in 9 minutes`, `3 years ago`, or `now` within a second.
pub(crate) fn relative(at: i64, now: i64) -> String {
    let diff = i128::from(at) - i128::from(now);
    let span = amount(diff.unsigned_abs());
    match diff {
        0 => "now".to_owned(),
        d if d > 0 => format!("in {span}"),
        _ => format!("{span} ago"),
    }
}

/// A length of time in its largest whole unit: `1 second`, `9 minutes`, `74 years`.
pub(crate) fn amount(secs: u128) -> String {
    const UNITS: [(u128, &str); 6] = [
        (365 * 86_400, "year"),
        (30 * 86_400, "month"),
        (86_400, "day"),
        (3_600, "hour"),
        (60, "minute"),
        (1, "second"),
    ];
    let (size, name) = UNITS
        .iter()
        .copied()
        .find(|(size, _)| secs >= *size)
        .unwrap_or((1, "second"));
    let n = secs / size;
    if n == 1 {
        format!("1 {name}")
    } else {
        format!("{n} {name}s")
    }
}

/// `at` (Unix seconds) as an RFC 3339 UTC date, e.g. `2100-01-01T00:00:00Z`; times before 1970
/// or beyond year 9999 as the raw number.
pub(crate) fn date(at: i64) -> String {
    let Ok(secs) = u64::try_from(at) else {
        return format!("unix time {at}");
    };
    match UNIX_EPOCH.checked_add(Duration::from_secs(secs)) {
        Some(t) if secs < 253_402_300_800 => humantime::format_rfc3339_seconds(t).to_string(),
        _ => format!("unix time {at}"),
    }
}

/// `2100-01-01T00:00:00Z (in 74 years)`.
pub(crate) fn date_and_relative(at: i64, now: i64) -> String {
    format!("{} ({})", date(at), relative(at, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_pick_the_largest_whole_unit() {
        let now = 1_767_225_600;
        assert_eq!(relative(now + 9 * 60 + 59, now), "in 9 minutes");
        assert_eq!(relative(now - 3 * 365 * 86_400 - 5, now), "3 years ago");
        assert_eq!(relative(now + 1, now), "in 1 second");
        assert_eq!(relative(now - 59, now), "59 seconds ago");
        assert_eq!(relative(now + 2 * 3_600, now), "in 2 hours");
        assert_eq!(relative(now - 86_400, now), "1 day ago");
        assert_eq!(relative(now + 45 * 86_400, now), "in 1 month");
        assert_eq!(relative(now, now), "now");
        assert_eq!(
            relative(i64::MAX, i64::MIN),
            format!("in {}", amount(u128::from(u64::MAX)))
        );
    }

    #[test]
    fn dates_are_rfc3339_utc() {
        assert_eq!(date(4_102_444_800), "2100-01-01T00:00:00Z");
        assert_eq!(date(0), "1970-01-01T00:00:00Z");
        assert_eq!(date(-5), "unix time -5");
        assert_eq!(date(i64::MAX), format!("unix time {}", i64::MAX));
        assert_eq!(
            date_and_relative(1_609_459_200, 1_609_459_200 + 7_200),
            "2021-01-01T00:00:00Z (2 hours ago)"
        );
    }
}
