//! The circuit breaker of the users/me calls: core's [`CircuitBreaker`] (one home for the rule)
//! on tokio's clock, logging its transitions under this crate's target.
//!
//! Only unavailability counts as a failure (connection errors, timeouts, 5xx, 429, garbage):
//! refusals and misconfigurations are answers, so they close the circuit like a success, and so
//! is a 200 answer carrying one user's profile over the size cap
//! ([`UnavailableKind::ProfileTooLarge`](stack_auth_core::UnavailableKind::ProfileTooLarge)),
//! which is about that user, not about Stack Auth's health. While open, verifications that need
//! the API fail at once with
//! [`UnavailableKind::CircuitOpen`](stack_auth_core::UnavailableKind::CircuitOpen) and send no
//! request; after the cool-off one probe request goes through, and its outcome closes or re-opens
//! the circuit.

use stack_auth_core::breaker::{self, CircuitBreaker, Transition};
pub use stack_auth_core::breaker::{
    CircuitBreakerPolicy, DEFAULT_COOL_OFF, DEFAULT_FAILURE_THRESHOLD,
};
use tokio::time::Instant;

/// The breaker's shared state.
#[derive(Debug)]
pub(crate) struct Breaker(CircuitBreaker);

/// Permission to send one request; report its outcome with [`Permit::record`]. Dropping it
/// unrecorded (the caller was cancelled) counts as neither success nor failure.
#[derive(Debug)]
pub(crate) struct Permit<'a> {
    inner: breaker::Permit<'a>,
    policy: CircuitBreakerPolicy,
}

/// Now, on tokio's clock (paused in tests).
fn now() -> std::time::Instant {
    Instant::now().into_std()
}

impl Breaker {
    pub(crate) fn new(policy: CircuitBreakerPolicy) -> Self {
        Breaker(CircuitBreaker::new(policy))
    }

    /// A permit to send a request, or `None` while the circuit is open (or half-open with a
    /// probe already in flight).
    pub(crate) fn try_acquire(&self) -> Option<Permit<'_>> {
        let permit = self.0.try_acquire(now())?;
        if permit.is_probe() {
            tracing::debug!(target: "stack_auth_rest", "circuit half-open: sending a probe");
        }
        Some(Permit {
            inner: permit,
            policy: self.0.policy(),
        })
    }

    /// Whether the circuit is closed: not open, not half-open (a disabled breaker always is).
    pub(crate) fn is_closed(&self) -> bool {
        self.0.is_closed()
    }

    /// Whether the circuit is open now (for tests and diagnostics).
    #[cfg(test)]
    pub(crate) fn is_open(&self) -> bool {
        !self.is_closed()
    }
}

impl Permit<'_> {
    /// Records whether the request failed because the upstream was unavailable.
    pub(crate) fn record(self, upstream_failed: bool) {
        match self.inner.record(upstream_failed, now()) {
            Transition::Opened { failures } => tracing::warn!(
                target: "stack_auth_rest",
                failures,
                cool_off_ms = crate::observe::millis(self.policy.cool_off()),
                "circuit opened: failing fast"
            ),
            Transition::Closed => {
                tracing::info!(target: "stack_auth_rest", "circuit closed: stack auth answered");
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn fail(b: &Breaker) {
        b.try_acquire().unwrap().record(true);
    }

    #[tokio::test(start_paused = true)]
    async fn opens_after_threshold_and_probes_after_cool_off_on_tokio_time() {
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
    }
}
