//! The circuit breaker: after consecutive upstream failures, fail fast for a cool-off instead of
//! piling requests onto an API that is down, then let one probe through.

use std::{
    sync::{Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use tokio::time::Instant;

/// Consecutive upstream failures that open the circuit by default.
pub const DEFAULT_FAILURE_THRESHOLD: u32 = 5;

/// How long an open circuit fails fast by default before letting one probe through.
pub const DEFAULT_COOL_OFF: Duration = Duration::from_secs(5);

/// When the circuit breaker opens and for how long.
///
/// Only unavailability counts as a failure (connection errors, timeouts, 5xx, 429, garbage):
/// refusals and misconfigurations are answers, so they close the circuit like a success, and
/// so is a 200 answer carrying one user's profile over the size cap
/// ([`UnavailableKind::ProfileTooLarge`](stack_auth_core::UnavailableKind::ProfileTooLarge)),
/// which is about that user, not about Stack Auth's health. While
/// open, verifications that need the API fail at once with
/// [`UnavailableKind::CircuitOpen`](stack_auth_core::UnavailableKind::CircuitOpen) and send no
/// request; after the cool-off one probe request goes through, and its outcome closes or re-opens
/// the circuit.
///
/// ```
/// use std::time::Duration;
/// use stack_auth_rest::CircuitBreakerPolicy;
///
/// let policy = CircuitBreakerPolicy::new(3, Duration::from_secs(10));
/// assert!(policy.is_enabled());
/// assert!(!CircuitBreakerPolicy::disabled().is_enabled());
/// ```
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

#[derive(Debug, Default)]
struct State {
    failures: u32,
    open_until: Option<Instant>,
    probing: bool,
}

/// The breaker's shared state. The lock is never held across an `.await`.
#[derive(Debug)]
pub(crate) struct Breaker {
    policy: CircuitBreakerPolicy,
    state: Mutex<State>,
}

/// Permission to send one request; report its outcome with [`Permit::record`]. Dropping it
/// unrecorded (the caller was cancelled) counts as neither success nor failure.
#[derive(Debug)]
pub(crate) struct Permit<'a> {
    breaker: &'a Breaker,
    probe: bool,
    recorded: bool,
}

impl Breaker {
    pub(crate) fn new(policy: CircuitBreakerPolicy) -> Self {
        Breaker {
            policy,
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent even if a holder panicked: every update is a plain store.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A permit to send a request, or `None` while the circuit is open (or half-open with a
    /// probe already in flight).
    pub(crate) fn try_acquire(&self) -> Option<Permit<'_>> {
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
            Some(until) if Instant::now() < until => None,
            Some(_) if state.probing => None,
            Some(_) => {
                state.probing = true;
                tracing::debug!(target: "stack_auth_rest", "circuit half-open: sending a probe");
                Some(permit(true))
            }
        }
    }

    /// Whether the circuit is closed: not open, not half-open (a disabled breaker always is).
    pub(crate) fn is_closed(&self) -> bool {
        !self.policy.is_enabled() || self.lock().open_until.is_none()
    }

    /// Whether the circuit is open now (for tests and diagnostics).
    #[cfg(test)]
    pub(crate) fn is_open(&self) -> bool {
        !self.is_closed()
    }
}

impl Permit<'_> {
    /// Records whether the request failed because the upstream was unavailable.
    pub(crate) fn record(mut self, upstream_failed: bool) {
        self.recorded = true;
        let policy = self.breaker.policy;
        if !policy.is_enabled() {
            return;
        }
        let mut state = self.breaker.lock();
        if self.probe {
            state.probing = false;
        }
        if !upstream_failed {
            if state.open_until.is_some() {
                tracing::info!(target: "stack_auth_rest", "circuit closed: stack auth answered");
            }
            *state = State::default();
            return;
        }
        state.failures = state.failures.saturating_add(1);
        let reopen = self.probe
            || (state.open_until.is_none() && state.failures >= policy.failure_threshold);
        if reopen {
            state.open_until = Some(Instant::now() + policy.cool_off);
            tracing::warn!(
                target: "stack_auth_rest",
                failures = state.failures,
                cool_off_ms = crate::observe::millis(policy.cool_off),
                "circuit opened: failing fast"
            );
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

    fn fail(b: &Breaker) {
        b.try_acquire().unwrap().record(true);
    }

    #[tokio::test(start_paused = true)]
    async fn opens_after_threshold_and_probes_after_cool_off() {
        let b = Breaker::new(CircuitBreakerPolicy::new(3, Duration::from_secs(10)));
        fail(&b);
        fail(&b);
        assert!(!b.is_open());
        fail(&b);
        assert!(b.is_open());
        assert!(b.try_acquire().is_none());
        tokio::time::advance(Duration::from_millis(9_999)).await;
        assert!(b.try_acquire().is_none());
        tokio::time::advance(Duration::from_millis(1)).await;
        let probe = b.try_acquire().unwrap();
        assert!(b.try_acquire().is_none(), "only one probe at a time");
        probe.record(true);
        assert!(b.try_acquire().is_none(), "failed probe re-opens");
        tokio::time::advance(Duration::from_secs(10)).await;
        b.try_acquire().unwrap().record(false);
        assert!(!b.is_open());
        fail(&b);
        fail(&b);
        assert!(!b.is_open(), "success reset the count");
    }

    #[tokio::test(start_paused = true)]
    async fn answers_reset_the_count_and_cancelled_probes_free_the_slot() {
        let b = Breaker::new(CircuitBreakerPolicy::new(2, Duration::from_secs(1)));
        fail(&b);
        b.try_acquire().unwrap().record(false);
        fail(&b);
        assert!(!b.is_open());
        fail(&b);
        assert!(b.is_open());
        tokio::time::advance(Duration::from_secs(1)).await;
        drop(b.try_acquire().unwrap());
        let probe = b.try_acquire();
        assert!(probe.is_some(), "a dropped probe lets the next one through");
    }

    #[test]
    fn disabled_never_opens() {
        let b = Breaker::new(CircuitBreakerPolicy::disabled());
        for _ in 0..100 {
            fail(&b);
        }
        assert!(b.try_acquire().is_some());
    }
}
