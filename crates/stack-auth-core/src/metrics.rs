//! The SDK's metrics, recorded through the [`metrics`](https://docs.rs/metrics) facade: every
//! strategy reports through these functions, so the series and labels are the same everywhere,
//! and a verifier of your own can report into the same dashboards.
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `stack_auth_verifications_total` | counter | `strategy`, `outcome` (`ok`, `refused`, `unavailable`, `misconfigured`), `reason` (`none` or [`VerifyError::reason_label`]) |
//! | `stack_auth_verify_duration_seconds` | histogram | `strategy` |
//! | `stack_auth_cache_total` | counter | `strategy`, `cache` (`hit`, `miss`) |
//! | `stack_auth_upstream_requests_total` | counter | `upstream` (`jwks`, `api`), `outcome` |
//! | `stack_auth_upstream_duration_seconds` | histogram | `upstream` |
//! | `stack_auth_upstream_errors_total` | counter | `upstream`, `kind` (the unavailability or misconfiguration kind) |
//!
//! Labels on the success and cache paths are literals, so recording them allocates nothing.
//!
//! ```
//! use std::time::Duration;
//! use stack_auth_core::{metrics, VerifiedUser, VerifyError, RefusalReason};
//!
//! let refused: Result<VerifiedUser, VerifyError> = Err(VerifyError::refused(RefusalReason::Expired));
//! // With no recorder installed these are no-ops; with one, they count
//! // stack_auth_verifications_total{strategy="mine",outcome="refused",reason="expired"}.
//! metrics::verification("mine", Duration::from_micros(40), &refused);
//! metrics::cache("mine", false);
//! ```

use std::time::Duration;

use metrics::{counter, histogram};

use crate::VerifyError;

/// Records one finished verification by `strategy`: its outcome, reason and duration.
pub fn verification<T>(strategy: &'static str, elapsed: Duration, result: &Result<T, VerifyError>) {
    match result {
        Ok(_) => counter!(
            "stack_auth_verifications_total",
            "strategy" => strategy,
            "outcome" => "ok",
            "reason" => "none"
        )
        .increment(1),
        Err(e) => counter!(
            "stack_auth_verifications_total",
            "strategy" => strategy,
            "outcome" => e.outcome_label(),
            "reason" => e.reason_label()
        )
        .increment(1),
    }
    histogram!("stack_auth_verify_duration_seconds", "strategy" => strategy)
        .record(elapsed.as_secs_f64());
}

/// [`verification`] measured by `timer`, and the verdict-cache lookup when there was one
/// (`Some(true)` a hit, `Some(false)` a miss): what a strategy records once per verification.
pub fn verification_timed<T>(
    strategy: &'static str,
    timer: crate::observe::Timer,
    cache_hit: Option<bool>,
    result: &Result<T, VerifyError>,
) {
    verification(strategy, timer.elapsed(), result);
    if let Some(hit) = cache_hit {
        cache(strategy, hit);
    }
}

/// Records one lookup of `strategy`'s verdict cache: a `hit` or a miss.
pub fn cache(strategy: &'static str, hit: bool) {
    let cache = if hit { "hit" } else { "miss" };
    counter!("stack_auth_cache_total", "strategy" => strategy, "cache" => cache).increment(1);
}

/// Records one request to `upstream` (`jwks` or `api`) and its duration. `error` is `None` for
/// an answer; a refusal is an answer too (`outcome` = `refused`), so only unavailability and
/// misconfiguration count in `stack_auth_upstream_errors_total`.
pub fn upstream(upstream: &'static str, elapsed: Duration, error: Option<&VerifyError>) {
    let outcome = error.map_or("ok", VerifyError::outcome_label);
    counter!(
        "stack_auth_upstream_requests_total",
        "upstream" => upstream,
        "outcome" => outcome
    )
    .increment(1);
    histogram!("stack_auth_upstream_duration_seconds", "upstream" => upstream)
        .record(elapsed.as_secs_f64());
    if let Some(e) = error.filter(|e| !matches!(e, VerifyError::Refused(_))) {
        counter!(
            "stack_auth_upstream_errors_total",
            "upstream" => upstream,
            "kind" => e.reason_label()
        )
        .increment(1);
    }
}
