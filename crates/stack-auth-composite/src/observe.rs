//! Tracing spans and (feature `metrics`) metrics of composite verifications. The field and
//! metric names are listed in the [crate documentation](crate#tracing); they are stable.

use stack_auth_core::VerifyError;
use tracing::{field::Empty, Span};

/// The `stack_auth.verify` span, its fields declared empty and recorded as they become known.
pub(crate) fn verify_span() -> Span {
    tracing::debug_span!(
        "stack_auth.verify",
        strategy = "composite",
        outcome = Empty,
        reason = Empty,
        path = Empty,
    )
}

/// The `stack_auth.load_profile` span of an on-demand profile load.
pub(crate) fn load_profile_span() -> Span {
    tracing::debug_span!(
        "stack_auth.load_profile",
        strategy = "composite",
        outcome = Empty,
        reason = Empty,
    )
}

/// Records `outcome` and `reason` on `span`.
pub(crate) fn record_outcome<T>(span: &Span, result: &Result<T, VerifyError>) {
    if span.is_disabled() {
        return;
    }
    match result {
        Ok(_) => span.record("outcome", "ok"),
        Err(e) => span
            .record("outcome", e.outcome_label())
            .record("reason", e.reason_label()),
    };
}

/// Measures a verification's duration, only when metrics are compiled in.
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
pub(crate) fn verification<T>(span: &Span, timer: Timer, result: &Result<T, VerifyError>) {
    record_outcome(span, result);
    #[cfg(feature = "metrics")]
    metrics_impl::verification(timer, result);
    #[cfg(not(feature = "metrics"))]
    let _ = timer;
}

#[cfg(feature = "metrics")]
mod metrics_impl {
    use stack_auth_core::{metrics, VerifyError};

    use super::Timer;

    pub(super) fn verification<T>(timer: Timer, result: &Result<T, VerifyError>) {
        metrics::verification("composite", timer.started.elapsed(), result);
    }
}
