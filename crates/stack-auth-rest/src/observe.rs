//! Tracing spans and (feature `metrics`) metrics of verifications and users/me requests. The
//! field and metric names are listed in the [crate documentation](crate#tracing); they are
//! stable.

use std::time::Duration;

use stack_auth_core::{VerifiedUser, VerifyError};
use tracing::{field::Empty, Span};

/// How the verdict cache served a verification (the `cache` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CacheUse {
    /// Answered from the cache.
    Hit,
    /// Not cached: this verification asked users/me.
    Miss,
    /// Not cached: this verification shared another one's users/me request.
    Joined,
    /// The cache is disabled: this verification asked users/me.
    Off,
}

impl CacheUse {
    fn as_str(self) -> &'static str {
        match self {
            CacheUse::Hit => "hit",
            CacheUse::Miss => "miss",
            CacheUse::Joined => "joined",
            CacheUse::Off => "off",
        }
    }
}

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

/// Whole milliseconds, saturating.
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Measures a duration for the metrics, only when they are compiled in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timer {
    #[cfg(feature = "metrics")]
    started: std::time::Instant,
}

impl Timer {
    pub(crate) fn start() -> Self {
        Timer {
            #[cfg(feature = "metrics")]
            started: std::time::Instant::now(),
        }
    }
}

/// Records the outcome of a verification on its span and in the metrics.
pub(crate) fn verification(
    span: &Span,
    timer: Timer,
    cache: Option<CacheUse>,
    result: &Result<VerifiedUser, VerifyError>,
) {
    if !span.is_disabled() {
        match result {
            Ok(_) => span.record("outcome", "ok"),
            Err(e) => span
                .record("outcome", e.outcome_label())
                .record("reason", e.reason_label()),
        };
        if let Some(cache) = cache {
            span.record("cache", cache.as_str());
        }
    }
    #[cfg(feature = "metrics")]
    metrics_impl::verification(timer, cache, result);
    #[cfg(not(feature = "metrics"))]
    let _ = (timer, cache);
}

/// Counts one users/me request that got an answer (`None`) or failed (`Some`), in the metrics.
pub(crate) fn request(timer: Timer, error: Option<&VerifyError>) {
    #[cfg(feature = "metrics")]
    metrics_impl::request(timer, error);
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

#[cfg(feature = "metrics")]
mod metrics_impl {
    use metrics::{counter, histogram};
    use stack_auth_core::{VerifiedUser, VerifyError};

    use super::{CacheUse, Timer};

    /// Literal labels on the success and cache paths keep their keys static (no allocation).
    pub(super) fn verification(
        timer: Timer,
        cache: Option<CacheUse>,
        result: &Result<VerifiedUser, VerifyError>,
    ) {
        match result {
            Ok(_) => counter!(
                "stack_auth_verifications_total",
                "strategy" => "rest",
                "outcome" => "ok",
                "reason" => "none"
            )
            .increment(1),
            Err(e) => counter!(
                "stack_auth_verifications_total",
                "strategy" => "rest",
                "outcome" => e.outcome_label(),
                "reason" => e.reason_label()
            )
            .increment(1),
        }
        histogram!("stack_auth_verify_duration_seconds", "strategy" => "rest")
            .record(timer.started.elapsed().as_secs_f64());
        match cache {
            Some(CacheUse::Hit) => {
                counter!("stack_auth_cache_total", "strategy" => "rest", "cache" => "hit")
                    .increment(1);
            }
            Some(CacheUse::Miss | CacheUse::Joined) => {
                counter!("stack_auth_cache_total", "strategy" => "rest", "cache" => "miss")
                    .increment(1);
            }
            Some(CacheUse::Off) | None => {}
        }
    }

    /// A refusal is an answer (`outcome` = `refused`); only unavailability and misconfiguration
    /// count as upstream errors.
    pub(super) fn request(timer: Timer, error: Option<&VerifyError>) {
        let outcome = error.map_or("ok", VerifyError::outcome_label);
        counter!(
            "stack_auth_upstream_requests_total",
            "upstream" => "api",
            "outcome" => outcome
        )
        .increment(1);
        histogram!("stack_auth_upstream_duration_seconds", "upstream" => "api")
            .record(timer.started.elapsed().as_secs_f64());
        if let Some(e) = error.filter(|e| !matches!(e, VerifyError::Refused(_))) {
            counter!(
                "stack_auth_upstream_errors_total",
                "upstream" => "api",
                "kind" => e.reason_label()
            )
            .increment(1);
        }
    }
}
