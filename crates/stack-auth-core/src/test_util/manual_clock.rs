//! [`ManualClock`]: a wall clock that only moves when told to.

use std::{
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use crate::{Clock, SystemClock};

/// A [`Clock`] that only moves when told to, forwards or backwards. Clones share the same
/// time, so a test keeps one clone and hands another to the verifier.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use stack_auth_core::{test_util::ManualClock, Clock};
///
/// let clock = ManualClock::at_unix_secs(1_700_000_000);
/// clock.advance(Duration::from_secs(90));
/// assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(1_700_000_090));
/// clock.rewind(Duration::from_secs(3600));
/// assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(1_699_996_490));
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<SystemTime>>,
}

impl Default for ManualClock {
    /// A clock standing at the Unix epoch.
    fn default() -> Self {
        ManualClock::at(UNIX_EPOCH)
    }
}

impl ManualClock {
    /// A clock standing at `now`.
    pub fn at(now: SystemTime) -> Self {
        ManualClock {
            now: Arc::new(Mutex::new(now)),
        }
    }

    /// A clock standing at `secs` seconds after the Unix epoch.
    pub fn at_unix_secs(secs: u64) -> Self {
        ManualClock::at(UNIX_EPOCH + Duration::from_secs(secs))
    }

    /// A clock standing at the system's current time (then frozen there).
    pub fn starting_now() -> Self {
        ManualClock::at(SystemClock.now())
    }

    /// Moves the clock forward by `by` (saturating far in the future).
    pub fn advance(&self, by: Duration) {
        self.update(|now| now.checked_add(by).unwrap_or(now));
    }

    /// Moves the clock backward by `by`, as an NTP step or a VM resume can (saturating at the
    /// epoch).
    pub fn rewind(&self, by: Duration) {
        self.update(|now| now.checked_sub(by).unwrap_or(UNIX_EPOCH).max(UNIX_EPOCH));
    }

    /// Sets the clock to `now`.
    pub fn set(&self, now: SystemTime) {
        self.update(|_| now);
    }

    fn update(&self, f: impl FnOnce(SystemTime) -> SystemTime) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now = f(*now);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
