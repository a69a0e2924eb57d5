//! Retries of idempotent failures with full-jitter exponential backoff, all inside one deadline.

use std::{future::Future, time::Duration};

use stack_auth_core::{Unavailable, UnavailableKind, Upstream, VerifyError};
use tokio::{sync::Semaphore, time::Instant};

use crate::{breaker::Breaker, error::RestError, observe};

/// Attempts per verification by default (the first one included).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

/// The first backoff's upper bound by default; it doubles per retry.
pub const DEFAULT_BASE_BACKOFF: Duration = Duration::from_millis(100);

/// The largest backoff by default.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(2);

/// How failed requests are retried.
///
/// Only failures a repeat can fix are retried: connection errors and dropped connections, HTTP
/// 502/503/504, and 429 (after its `Retry-After` when given, and only if that wait fits the
/// remaining deadline). Before retry `n` the verifier sleeps a uniformly random time in
/// `[0, min(max_backoff, base_backoff * 2^(n-1))]` ("full jitter"), and never past the total
/// timeout ([`RestVerifierBuilder::timeout`](crate::RestVerifierBuilder::timeout)).
///
/// ```
/// use std::time::Duration;
/// use stack_auth_rest::RetryPolicy;
///
/// let policy = RetryPolicy::new(4, Duration::from_millis(50)).with_max_backoff(Duration::from_secs(1));
/// assert_eq!(policy.max_attempts(), 4);
/// assert_eq!(RetryPolicy::none().max_attempts(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_backoff: Duration,
    max_backoff: Duration,
}

impl RetryPolicy {
    /// At most `max_attempts` requests (the first included; 0 is refused by `build`), backing off
    /// from `base_backoff`, capped at [`DEFAULT_MAX_BACKOFF`].
    pub const fn new(max_attempts: u32, base_backoff: Duration) -> Self {
        RetryPolicy {
            max_attempts,
            base_backoff,
            max_backoff: DEFAULT_MAX_BACKOFF,
        }
    }

    /// One attempt, no retries.
    pub const fn none() -> Self {
        RetryPolicy::new(1, Duration::ZERO)
    }

    /// Caps a single backoff.
    #[must_use]
    pub const fn with_max_backoff(mut self, max_backoff: Duration) -> Self {
        self.max_backoff = max_backoff;
        self
    }

    /// Requests per verification, at most.
    pub const fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The first backoff's upper bound.
    pub const fn base_backoff(&self) -> Duration {
        self.base_backoff
    }

    /// The largest backoff.
    pub const fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The upper bound of the backoff before the retry that follows attempt `attempt` (1-based).
    pub(crate) fn backoff_bound(&self, attempt: u32) -> Duration {
        let factor = 1_u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.base_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }

    /// A random backoff in `[0, backoff_bound(attempt)]`.
    fn backoff(&self, attempt: u32) -> Duration {
        self.backoff_bound(attempt).mul_f64(rand::random::<f64>())
    }
}

impl Default for RetryPolicy {
    /// [`DEFAULT_MAX_ATTEMPTS`], [`DEFAULT_BASE_BACKOFF`], [`DEFAULT_MAX_BACKOFF`].
    fn default() -> Self {
        RetryPolicy::new(DEFAULT_MAX_ATTEMPTS, DEFAULT_BASE_BACKOFF)
    }
}

/// Whether a failed attempt may be repeated, and after how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryHint {
    /// Repeating cannot help.
    Never,
    /// Repeat after a jittered backoff.
    Backoff,
    /// Repeat after exactly this long (`Retry-After`), if it fits the deadline.
    After(Duration),
}

/// A failed attempt.
#[derive(Debug)]
pub(crate) struct Failure {
    /// What to report if this is the last attempt.
    pub(crate) error: VerifyError,
    /// Whether to try again.
    pub(crate) hint: RetryHint,
}

/// The outcome of all attempts.
#[derive(Debug)]
pub(crate) struct Outcome<T> {
    /// The endpoint's result or the error to report.
    pub(crate) result: Result<T, VerifyError>,
    /// Requests sent.
    pub(crate) attempts: u32,
}

/// Whether an error means the upstream failed (what the breaker counts): not the breaker's
/// own refusal, and not an answer about one user ([`UnavailableKind::ProfileTooLarge`]).
pub(crate) fn is_upstream_failure(e: &VerifyError) -> bool {
    matches!(e, VerifyError::Unavailable(u)
        if !matches!(u.kind(), UnavailableKind::CircuitOpen | UnavailableKind::ProfileTooLarge))
}

/// How long to wait before another attempt, or `None` when there must not be one: the
/// failure is final, the attempts are used up, or the wait would not leave the deadline.
fn next_wait(
    policy: &RetryPolicy,
    hint: RetryHint,
    attempts: u32,
    deadline: Instant,
) -> Option<Duration> {
    let wait = match hint {
        RetryHint::Never => return None,
        RetryHint::Backoff => policy.backoff(attempts),
        RetryHint::After(after) => after,
    };
    // `checked_add`: a hostile `Retry-After` (up to u64::MAX seconds) must not overflow.
    let fits = Instant::now()
        .checked_add(wait)
        .is_some_and(|at| at < deadline);
    (attempts < policy.max_attempts && fits).then_some(wait)
}

/// Whether a verification's requests count for the circuit breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Health {
    /// Sent through the breaker (a half-open circuit lets one through as its probe), and their
    /// outcomes open or close it.
    Counted,
    /// About tokens nothing has verified: sent only while the circuit is closed, and never
    /// recorded, so they cannot open (or close) it.
    Uncounted,
}

/// What every attempt passes through before it is sent: a free request slot (the cap on
/// concurrent requests) and the circuit breaker; and the endpoint's name, for the logs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Gates<'a> {
    pub(crate) slots: &'a Semaphore,
    pub(crate) breaker: &'a Breaker,
    pub(crate) health: Health,
    pub(crate) endpoint: &'static str,
}

/// Calls `attempt(n)` until it succeeds, fails for good, the attempts run out, the breaker says
/// no, no request slot frees up before `deadline`, or the next wait would cross `deadline`
/// (`total` is the configured deadline, for the error message). No call lasts past `deadline`.
/// Each attempt holds a slot while it is sent and answered, not while backing off.
pub(crate) async fn run<T, F, Fut>(
    policy: &RetryPolicy,
    gates: Gates<'_>,
    deadline: Instant,
    total: Duration,
    mut attempt: F,
) -> Outcome<T>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, Failure>>,
{
    let mut last: Option<VerifyError> = None;
    let mut attempts = 0;
    loop {
        let Ok(Ok(slot)) = tokio::time::timeout_at(deadline, gates.slots.acquire()).await else {
            tracing::debug!(target: "stack_auth_rest", "no request slot within the deadline");
            let error = last.unwrap_or_else(|| {
                RestError::NoRequestSlot(total)
                    .unavailable(UnavailableKind::Timeout)
                    .into()
            });
            return Outcome {
                result: Err(error),
                attempts,
            };
        };
        let permit = match gates.health {
            Health::Counted => gates.breaker.try_acquire().map(Some),
            Health::Uncounted => gates.breaker.is_closed().then_some(None),
        };
        let Some(permit) = permit else {
            observe::circuit_open();
            let error = last.unwrap_or_else(|| {
                Unavailable::new(Upstream::Api, UnavailableKind::CircuitOpen).into()
            });
            return Outcome {
                result: Err(error),
                attempts,
            };
        };
        attempts += 1;
        let timer = observe::Timer::start();
        let outcome = match tokio::time::timeout_at(deadline, attempt(attempts)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(Failure {
                error: RestError::Deadline(total)
                    .unavailable(UnavailableKind::Timeout)
                    .into(),
                hint: RetryHint::Never,
            }),
        };
        observe::request(timer, outcome.as_ref().err().map(|f| &f.error));
        if let Some(permit) = permit {
            permit.record(matches!(&outcome, Err(f) if is_upstream_failure(&f.error)));
        }
        drop(slot);
        let failure = match outcome {
            Ok(answer) => {
                return Outcome {
                    result: Ok(answer),
                    attempts,
                }
            }
            Err(failure) => failure,
        };
        let Some(wait) = next_wait(policy, failure.hint, attempts, deadline) else {
            return Outcome {
                result: Err(failure.error),
                attempts,
            };
        };
        tracing::debug!(
            target: "stack_auth_rest",
            attempt = attempts,
            wait_ms = crate::observe::millis(wait),
            error = %failure.error,
            "retrying {}",
            gates.endpoint
        );
        tokio::time::sleep(wait).await;
        last = Some(failure.error);
    }
}
