//! [`Clock`]: the wall-clock time the verifier checks `exp` and cache freshness against.

use std::{
    fmt,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

/// A source of wall-clock time, injectable so tests (and simulations) control token expiry, key
/// freshness, cooldowns and stale limits without sleeping.
///
/// The verifier reads it once or twice per verification; implementations must be cheap.
///
/// ```
/// use std::time::Duration;
/// use stack_auth_jwks::{Clock, ManualClock};
///
/// let clock = ManualClock::at_unix_secs(1_700_000_000);
/// clock.advance(Duration::from_secs(90));
/// assert_eq!(clock.now().as_secs(), 1_700_000_090);
/// ```
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time as a duration since the Unix epoch.
    fn now(&self) -> Duration;
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> Duration {
        (**self).now()
    }
}

/// The system's wall clock (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        // A clock before 1970 is treated as the epoch: tokens then look unexpired for longer,
        // which only matters on a badly broken host.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
    }
}

/// A clock that only moves when told to. Clones share the same time, so a test keeps one clone
/// and hands another to the verifier.
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    millis: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock standing at `secs` seconds after the Unix epoch.
    pub fn at_unix_secs(secs: u64) -> Self {
        let clock = ManualClock::default();
        clock.set(Duration::from_secs(secs));
        clock
    }

    /// A clock standing at the system's current time (then frozen there).
    pub fn starting_now() -> Self {
        let clock = ManualClock::default();
        clock.set(SystemClock.now());
        clock
    }

    /// Moves the clock forward by `by` (millisecond resolution).
    pub fn advance(&self, by: Duration) {
        self.millis.fetch_add(duration_millis(by), Ordering::SeqCst);
    }

    /// Sets the clock to `since_epoch` (millisecond resolution).
    pub fn set(&self, since_epoch: Duration) {
        self.millis
            .store(duration_millis(since_epoch), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        Duration::from_millis(self.millis.load(Ordering::SeqCst))
    }
}

/// Milliseconds in `d`, saturating (no `Duration` this crate handles comes near `u64::MAX` ms).
pub(crate) fn duration_millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The clock's time in milliseconds since the epoch.
pub(crate) fn now_millis(clock: &dyn Clock) -> u64 {
    duration_millis(clock.now())
}
