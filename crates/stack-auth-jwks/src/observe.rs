//! Tracing spans and (feature `metrics`) metrics of verifications and key set fetches. The field
//! and metric names are listed in the [crate documentation](crate#tracing); they are stable.

use std::time::Duration;

use stack_auth_core::{observe as core_observe, VerifiedUser, VerifyError};
use tracing::{field::Empty, Span};

pub(crate) use stack_auth_core::observe::{millis, CacheUse, Timer};

/// Which key set a verification used (the `keyset` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeySetUse {
    /// The cached set, fresh.
    Fresh,
    /// The cached set past its freshness, within the stale-if-error limit (a refresh runs).
    Stale,
    /// A set given to the builder.
    Static,
    /// A set this verification waited for (a fetch it started or joined).
    Fetched,
}

impl KeySetUse {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            KeySetUse::Fresh => "fresh",
            KeySetUse::Stale => "stale",
            KeySetUse::Static => "static",
            KeySetUse::Fetched => "fetched",
        }
    }
}

/// What started a key set fetch (the `trigger` field and label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trigger {
    /// A verification found no set, or one due for a refresh.
    Expiry,
    /// A token named a `kid` the cached set does not have.
    UnknownKid,
    /// [`JwksVerifier::prefetch`](crate::JwksVerifier::prefetch).
    Prefetch,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::Expiry => "expiry",
            Trigger::UnknownKid => "unknown_kid",
            Trigger::Prefetch => "prefetch",
        }
    }
}

/// The `stack_auth.verify` span, its fields declared empty and recorded as they become known.
pub(crate) fn verify_span() -> Span {
    tracing::debug_span!(
        "stack_auth.verify",
        strategy = "jwks",
        outcome = Empty,
        reason = Empty,
        cache = Empty,
        keyset = Empty,
        kid = Empty,
        upstream_ms = Empty,
    )
}

/// The `stack_auth.jwks.fetch` span: a root span (a fetch serves every waiting verification),
/// following from the span that started it.
pub(crate) fn fetch_span(trigger: Trigger) -> Span {
    let span = tracing::info_span!(
        parent: None,
        "stack_auth.jwks.fetch",
        trigger = trigger.as_str(),
        outcome = Empty,
        reason = Empty,
        status = Empty,
        bytes = Empty,
        keys = Empty,
        upstream_ms = Empty,
    );
    span.follows_from(Span::current());
    span
}

/// Records how long a caller waited for a key set fetch.
pub(crate) fn record_upstream_ms(span: &Span, waited: Duration) {
    if !span.is_disabled() {
        span.record("upstream_ms", millis(waited));
    }
}

/// Longest `kid` recorded: real ones are short, a hostile token's may be kilobytes.
const MAX_KID_CHARS: usize = 64;

/// `kid`, cut to [`MAX_KID_CHARS`] characters.
pub(crate) fn shortened(kid: &str) -> &str {
    kid.char_indices()
        .nth(MAX_KID_CHARS)
        .map_or(kid, |(end, _)| &kid[..end])
}

/// Records `value` on `span` unless the span is disabled (skips the field lookup on the hot path).
pub(crate) fn record(span: &Span, field: &'static str, value: &str) {
    if !span.is_disabled() {
        span.record(field, value);
    }
}

/// Records the outcome of a verification on its span and in the metrics (core's one way).
pub(crate) fn verification(
    span: &Span,
    timer: Timer,
    cache: Option<CacheUse>,
    result: &Result<VerifiedUser, VerifyError>,
) {
    core_observe::verification(span, "jwks", timer, cache, result);
}

/// Records a finished fetch (`status`, `bytes`, `keys` when known) on its span and in the metrics.
pub(crate) fn fetch(
    span: &Span,
    trigger: Trigger,
    elapsed: Duration,
    status: Option<u16>,
    bytes: Option<usize>,
    result: Result<usize, &VerifyError>,
) {
    span.record("upstream_ms", millis(elapsed));
    if let Some(status) = status {
        span.record("status", status);
    }
    if let Some(bytes) = bytes {
        span.record("bytes", bytes);
    }
    if let Ok(keys) = result {
        span.record("keys", keys);
    }
    core_observe::record_outcome(span, result.err());
    #[cfg(feature = "metrics")]
    metrics_impl::fetch(trigger, elapsed, result.err());
    #[cfg(not(feature = "metrics"))]
    let _ = trigger;
}

#[cfg(feature = "metrics")]
mod metrics_impl {
    use std::time::Duration;

    use ::metrics::counter;
    use stack_auth_core::{metrics, VerifyError};

    use super::Trigger;

    pub(super) fn fetch(trigger: Trigger, elapsed: Duration, error: Option<&VerifyError>) {
        counter!("stack_auth_jwks_refetch_total", "trigger" => trigger.as_str()).increment(1);
        metrics::upstream("jwks", elapsed, error);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_kid_is_cut_on_a_character_boundary() {
        assert_eq!(shortened("abc"), "abc");
        let exact = "k".repeat(MAX_KID_CHARS);
        assert_eq!(shortened(&exact), exact);
        let long = "é".repeat(MAX_KID_CHARS + 10);
        assert_eq!(shortened(&long), "é".repeat(MAX_KID_CHARS));
    }
}
