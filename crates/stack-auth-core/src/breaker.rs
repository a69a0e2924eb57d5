//! A circuit breaker (for implementations that call a service on the request path): after
//! consecutive failures, skip the service for a cool-off instead of paying its timeout on every
//! request, then let one probe through, whose outcome closes or re-opens the circuit.
//!
//! Runtime-free: the caller passes the time (`tokio::time::Instant::now().into_std()` keeps it
//! testable with tokio's paused clock) and logs the [`Transition`]s with its own target.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use stack_auth_core::breaker::{CircuitBreaker, CircuitBreakerPolicy, Transition};
//!
//! let breaker = CircuitBreaker::new(CircuitBreakerPolicy::new(2, Duration::from_secs(5)));
//! let now = Instant::now();
//! assert_eq!(breaker.try_acquire(now).unwrap().record(true, now), Transition::None);
//! assert!(matches!(breaker.try_acquire(now).unwrap().record(true, now), Transition::Opened { .. }));
//! assert!(breaker.try_acquire(now).is_none(), "open: skip the service");
//! let later = now + Duration::from_secs(5);
//! let probe = breaker.try_acquire(later).unwrap();
//! assert!(probe.is_probe());
//! assert_eq!(probe.record(false, later), Transition::Closed);
//! ```

use std::{
    sync::{Mutex, MutexGuard, PoisonError},
    time::{Duration, Instant},
};

/// Consecutive failures that open the circuit by default.
pub const DEFAULT_FAILURE_THRESHOLD: u32 = 5;

/// How long an open circuit skips the service by default before letting one probe through.
pub const DEFAULT_COOL_OFF: Duration = Duration::from_secs(5);

/// When a [`CircuitBreaker`] opens and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CircuitBreakerPolicy {
    failure_threshold: u32,
    cool_off: Duration,
}

impl CircuitBreakerPolicy {
    /// Opens after `failure_threshold` consecutive failures (0 disables the breaker) for
    /// `cool_off`.
    pub const fn new(failure_threshold: u32, cool_off: Duration) -> Self {
        CircuitBreakerPolicy {
            failure_threshold,
            cool_off,
        }
    }

    /// Never opens.
    pub const fn disabled() -> Self {
        CircuitBreakerPolicy::new(0, Duration::ZERO)
    }

    /// Whether the breaker can open at all.
    pub const fn is_enabled(&self) -> bool {
        self.failure_threshold > 0
    }

    /// Consecutive failures that open the circuit.
    pub const fn failure_threshold(&self) -> u32 {
        self.failure_threshold
    }

    /// How long the circuit stays open before a probe.
    pub const fn cool_off(&self) -> Duration {
        self.cool_off
    }
}

impl Default for CircuitBreakerPolicy {
    /// [`DEFAULT_FAILURE_THRESHOLD`] failures, [`DEFAULT_COOL_OFF`].
    fn default() -> Self {
        CircuitBreakerPolicy::new(DEFAULT_FAILURE_THRESHOLD, DEFAULT_COOL_OFF)
    }
}

/// A change of the circuit's state, for the caller to log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Transition {
    /// No change.
    None,
    /// The circuit opened (or re-opened after a failed probe) after `failures` consecutive
    /// failures.
    Opened {
        /// Consecutive failures so far.
        failures: u32,
    },
    /// The circuit closed: the service answered after being skipped.
    Closed,
}

#[derive(Debug, Default)]
struct State {
    failures: u32,
    open_until: Option<Instant>,
    probing: bool,
}

/// The breaker's shared state (its lock is never held across an `.await`).
#[derive(Debug)]
pub struct CircuitBreaker {
    policy: CircuitBreakerPolicy,
    state: Mutex<State>,
}

/// Permission to call the service once; report the outcome with [`Permit::record`]. Dropping it
/// unrecorded (the caller was cancelled) counts as neither success nor failure.
#[derive(Debug)]
#[must_use = "record the outcome, or drop the permit to count it as neither"]
pub struct Permit<'a> {
    breaker: &'a CircuitBreaker,
    probe: bool,
    recorded: bool,
}

impl CircuitBreaker {
    /// A closed breaker following `policy`.
    pub fn new(policy: CircuitBreakerPolicy) -> Self {
        CircuitBreaker {
            policy,
            state: Mutex::new(State::default()),
        }
    }

    /// The policy.
    pub fn policy(&self) -> CircuitBreakerPolicy {
        self.policy
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent even if a holder panicked: every update is a plain store.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A permit to call the service at `now`, or `None` while the circuit is open (or
    /// half-open with a probe already in flight).
    pub fn try_acquire(&self, now: Instant) -> Option<Permit<'_>> {
        let permit = |probe| Permit {
            breaker: self,
            probe,
            recorded: false,
        };
        if !self.policy.is_enabled() {
            return Some(permit(false));
        }
        let mut state = self.lock();
        match state.open_until {
            None => Some(permit(false)),
            Some(until) if now < until => None,
            Some(_) if state.probing => None,
            Some(_) => {
                state.probing = true;
                Some(permit(true))
            }
        }
    }

    /// Whether the circuit is closed: not open, not half-open (a disabled breaker always is).
    pub fn is_closed(&self) -> bool {
        !self.policy.is_enabled() || self.lock().open_until.is_none()
    }
}

impl Permit<'_> {
    /// Whether this call is the probe of a half-open circuit.
    pub fn is_probe(&self) -> bool {
        self.probe
    }

    /// Records at `now` whether the call failed, and what that changed.
    pub fn record(mut self, failed: bool, now: Instant) -> Transition {
        self.recorded = true;
        let policy = self.breaker.policy;
        if !policy.is_enabled() {
            return Transition::None;
        }
        let mut state = self.breaker.lock();
        if self.probe {
            state.probing = false;
        }
        if !failed {
            let was_open = state.open_until.is_some();
            *state = State::default();
            return if was_open {
                Transition::Closed
            } else {
                Transition::None
            };
        }
        state.failures = state.failures.saturating_add(1);
        let reopen = self.probe
            || (state.open_until.is_none() && state.failures >= policy.failure_threshold);
        if !reopen {
            return Transition::None;
        }
        state.open_until = Some(now + policy.cool_off);
        Transition::Opened {
            failures: state.failures,
        }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if self.probe && !self.recorded {
            self.breaker.lock().probing = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(b: &CircuitBreaker, now: Instant) -> Transition {
        b.try_acquire(now)
            .map_or(Transition::None, |p| p.record(true, now))
    }

    #[test]
    fn opens_after_threshold_and_probes_after_cool_off() {
        let b = CircuitBreaker::new(CircuitBreakerPolicy::new(3, Duration::from_secs(10)));
        let t0 = Instant::now();
        assert_eq!(fail(&b, t0), Transition::None);
        assert_eq!(fail(&b, t0), Transition::None);
        assert!(b.is_closed());
        assert_eq!(fail(&b, t0), Transition::Opened { failures: 3 });
        assert!(!b.is_closed());
        assert!(b.try_acquire(t0 + Duration::from_millis(9_999)).is_none());
        let t1 = t0 + Duration::from_secs(10);
        let probe = b.try_acquire(t1);
        assert!(probe.as_ref().is_some_and(Permit::is_probe));
        assert!(b.try_acquire(t1).is_none(), "only one probe at a time");
        let reopened = probe.map(|p| p.record(true, t1));
        assert_eq!(reopened, Some(Transition::Opened { failures: 4 }));
        assert!(b.try_acquire(t1).is_none(), "a failed probe re-opens");
        let t2 = t1 + Duration::from_secs(10);
        let closed = b.try_acquire(t2).map(|p| p.record(false, t2));
        assert_eq!(closed, Some(Transition::Closed));
        assert!(b.is_closed());
        fail(&b, t2);
        fail(&b, t2);
        assert!(b.is_closed(), "a success reset the count");
    }

    #[test]
    fn a_dropped_probe_frees_the_slot() {
        let b = CircuitBreaker::new(CircuitBreakerPolicy::new(1, Duration::from_secs(1)));
        let t0 = Instant::now();
        fail(&b, t0);
        let t1 = t0 + Duration::from_secs(1);
        drop(b.try_acquire(t1));
        assert!(b.try_acquire(t1).is_some_and(|p| p.is_probe()));
    }

    #[test]
    fn disabled_never_opens() {
        let b = CircuitBreaker::new(CircuitBreakerPolicy::disabled());
        let now = Instant::now();
        for _ in 0..100 {
            assert_eq!(fail(&b, now), Transition::None);
        }
        assert!(b.try_acquire(now).is_some());
        assert!(b.is_closed());
    }
}
