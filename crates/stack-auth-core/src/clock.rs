//! [`Clock`]: the one source of wall-clock time for every verifier of the SDK.

use std::{fmt, sync::Arc, time::SystemTime};

/// The current wall-clock time, injectable so tests (and simulations) control what depends on
/// it without sleeping.
///
/// Only wall-clock decisions go through a `Clock`: a token's `exp` (and how long a verdict may
/// be cached before it), HTTP dates (`Retry-After: <date>`), and the times a status report
/// shows. Durations the verifiers measure themselves (key-set freshness, cooldowns, backoff,
/// deadlines, the circuit breaker) run on Tokio's monotonic clock, so a wall-clock step
/// (NTP, a VM resume) cannot stretch or skip them, and tests drive them with
/// `tokio::time::pause`.
///
/// Implementations must be cheap: a verifier reads the clock once or twice per call.
///
/// ```
/// use std::time::{Duration, SystemTime, UNIX_EPOCH};
/// use stack_auth_core::Clock;
///
/// /// A clock stopped at one instant.
/// #[derive(Debug)]
/// struct Frozen(SystemTime);
///
/// impl Clock for Frozen {
///     fn now(&self) -> SystemTime {
///         self.0
///     }
/// }
///
/// let clock = Frozen(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// assert_eq!(clock.now().duration_since(UNIX_EPOCH).unwrap().as_secs(), 1_700_000_000);
/// ```
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> SystemTime {
        (**self).now()
    }
}

impl<C: Clock + ?Sized> Clock for Box<C> {
    fn now(&self) -> SystemTime {
        (**self).now()
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> SystemTime {
        (**self).now()
    }
}

/// The system's wall clock: every verifier's default.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}
