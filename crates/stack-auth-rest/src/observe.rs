//! Tracing spans and (feature `metrics`) metrics of verifications and users/me requests. The
//! field and metric names are listed in the [crate documentation](crate#tracing); they are
//! stable.

use stack_auth_core::{observe as core_observe, VerifiedUser, VerifyError};
use tracing::{field::Empty, Span};

pub(crate) use stack_auth_core::observe::{millis, CacheUse, Timer};

/// The `stack_auth.verify` span, its fields declared empty and recorded as they become known.
pub(crate) fn verify_span() -> Span {
    tracing::debug_span!(
        "stack_auth.verify",
        strategy = "rest",
        outcome = Empty,
        reason = Empty,
        cache = Empty,
        attempts = Empty,
        upstream_ms = Empty,
    )
}

/// Records the outcome of a verification on its span and in the metrics (core's one way).
pub(crate) fn verification(
    span: &Span,
    timer: Timer,
    cache: Option<CacheUse>,
    result: &Result<VerifiedUser, VerifyError>,
) {
    core_observe::verification(span, "rest", timer, cache, result);
}

/// Counts one users/me request that got an answer (`None`) or failed (`Some`), in the metrics.
pub(crate) fn request(timer: Timer, error: Option<&VerifyError>) {
    #[cfg(feature = "metrics")]
    stack_auth_core::metrics::upstream("api", timer.elapsed(), error);
    #[cfg(not(feature = "metrics"))]
    let _ = (timer, error);
}

/// Counts a request the open circuit breaker did not let through, in the metrics.
pub(crate) fn circuit_open() {
    #[cfg(feature = "metrics")]
    metrics::counter!(
        "stack_auth_upstream_errors_total",
        "upstream" => "api",
        "kind" => "circuit_open"
    )
    .increment(1);
}
