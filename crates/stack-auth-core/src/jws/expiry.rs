//! The expiry rule, written once: jose's zero-tolerance comparison in whole seconds, widened by
//! a leeway.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::{Refusal, RefusalReason};

/// Checks `exp` (Unix seconds) at `now`: the token is expired when `now >= exp + leeway`, with
/// `now` in whole seconds (rounded down) and `leeway` rounded up to whole seconds (a
/// sub-second leeway is never silently dropped). With no leeway this is jose's rule (`exp`
/// with zero clock tolerance), the one Stack Auth applies. Returns how long the token stays
/// valid.
///
/// A clock before 1970 counts as the epoch.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use stack_auth_core::jws::check_expiry;
///
/// let at = |secs| UNIX_EPOCH + Duration::from_secs(secs);
/// assert_eq!(check_expiry(100, at(99), Duration::ZERO), Ok(Duration::from_secs(1)));
/// assert!(check_expiry(100, at(100), Duration::ZERO).is_err());
/// assert!(check_expiry(100, at(104), Duration::from_secs(5)).is_ok());
/// assert!(check_expiry(100, at(105), Duration::from_secs(5)).is_err());
/// ```
///
/// # Errors
///
/// A [`RefusalReason::Expired`] refusal.
pub fn check_expiry(exp: i64, now: SystemTime, leeway: Duration) -> Result<Duration, Refusal> {
    let now = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let leeway = leeway
        .as_secs()
        .saturating_add(u64::from(leeway.subsec_nanos() > 0));
    let valid_until = exp.saturating_add(i64::try_from(leeway).unwrap_or(i64::MAX));
    if now >= valid_until {
        return Err(Refusal::new(RefusalReason::Expired));
    }
    Ok(Duration::from_secs(
        u64::try_from(valid_until.saturating_sub(now)).unwrap_or(0),
    ))
}
