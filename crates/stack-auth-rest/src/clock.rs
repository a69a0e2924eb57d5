//! [`Clock`]: the wall clock the verifier reads to bound cache lifetimes by a token's `exp` and
//! to turn an HTTP-date `Retry-After` into a wait.

use std::{fmt, time::SystemTime};

/// The current wall-clock time. Inject your own with
/// [`RestVerifierBuilder::clock`](crate::RestVerifierBuilder::clock) to test expiry bounds.
///
/// Only wall-clock decisions go through it: how long a verified token may stay cached (never past
/// its `exp`) and how far away an HTTP-date `Retry-After` is. Deadlines, backoff and the circuit
/// breaker use Tokio's monotonic clock, so tests control them with `tokio::time::pause`.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use stack_auth_rest::Clock;
///
/// #[derive(Debug)]
/// struct Frozen(SystemTime);
///
/// impl Clock for Frozen {
///     fn now(&self) -> SystemTime {
///         self.0
///     }
/// }
///
/// let clock = Frozen(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// assert_eq!(clock.unix_seconds(), 1_700_000_000);
/// ```
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;

    /// The current time in whole Unix seconds (negative before 1970).
    fn unix_seconds(&self) -> i64 {
        match self.now().duration_since(SystemTime::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
        }
    }
}

/// The system's wall clock: the default [`Clock`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[derive(Debug)]
    struct At(SystemTime);

    impl Clock for At {
        fn now(&self) -> SystemTime {
            self.0
        }
    }

    #[test]
    fn unix_seconds_on_both_sides_of_the_epoch() {
        let after = At(SystemTime::UNIX_EPOCH + Duration::from_millis(5_999));
        assert_eq!(after.unix_seconds(), 5);
        let before = At(SystemTime::UNIX_EPOCH - Duration::from_secs(7));
        assert_eq!(before.unix_seconds(), -7);
        assert!(SystemClock.unix_seconds() > 1_700_000_000);
    }
}
