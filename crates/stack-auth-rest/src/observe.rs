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
    use stack_auth_core::{metrics, VerifiedUser, VerifyError};

    use super::{CacheUse, Timer};

    pub(super) fn verification(
        timer: Timer,
        cache: Option<CacheUse>,
        result: &Result<VerifiedUser, VerifyError>,
    ) {
        metrics::verification("rest", timer.started.elapsed(), result);
        match cache {
            Some(CacheUse::Hit) => metrics::cache("rest", true),
            Some(CacheUse::Miss | CacheUse::Joined) => metrics::cache("rest", false),
            Some(CacheUse::Off) | None => {}
        }
    }

    pub(super) fn request(timer: Timer, error: Option<&VerifyError>) {
        metrics::upstream("api", timer.started.elapsed(), error);
    }
}
