//! What every strategy reports about a verification, written once (for verifier
//! implementations): the stable, bounded `outcome` and `reason` labels, a [`Timer`] that costs
//! nothing unless metrics are compiled in, and (feature `tracing`) the recording of those labels
//! on a verification's span.
//!
//! It lives in core so the JWKS, REST and composite verifiers (and yours) report alike. Tracing
//! types appear only behind the `tracing` feature, which the strategies turn on; the
//! always-available API names none.

use crate::VerifyError;

/// Whole milliseconds in `d`, saturating: the unit of every `_ms` span field and of the
/// verifiers' monotonic bookkeeping.
pub fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Whole milliseconds from the Unix epoch to `t` (0 before it), saturating: the unit of the
/// wall-clock deadlines the verifiers keep in atomics and maps (revocations, recent deliveries).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use stack_auth_core::observe::unix_millis;
///
/// assert_eq!(unix_millis(UNIX_EPOCH + Duration::from_millis(1_767_225_600_123)), 1_767_225_600_123);
/// assert_eq!(unix_millis(UNIX_EPOCH - Duration::from_secs(1)), 0);
/// ```
pub fn unix_millis(t: std::time::SystemTime) -> u64 {
    t.duration_since(std::time::UNIX_EPOCH)
        .map(millis)
        .unwrap_or(0)
}

/// Measures a verification's (or a request's) duration when the `metrics` feature is compiled
/// in; otherwise zero-sized and free.
#[derive(Debug, Clone, Copy)]
pub struct Timer {
    #[cfg(feature = "metrics")]
    started: std::time::Instant,
}

impl Timer {
    /// Starts measuring (a no-op without the `metrics` feature).
    pub fn start() -> Self {
        Timer {
            #[cfg(feature = "metrics")]
            started: std::time::Instant::now(),
        }
    }

    /// The time since [`Timer::start`].
    #[cfg(feature = "metrics")]
    pub fn elapsed(&self) -> std::time::Duration {
        self.started.elapsed()
    }
}

/// Records `outcome` (`ok` when `error` is `None`, else [`VerifyError::outcome_label`]) and, on
/// failure, `reason` ([`VerifyError::reason_label`]) on `span`; nothing when the span is
/// disabled.
#[cfg(feature = "tracing")]
pub fn record_outcome(span: &tracing::Span, error: Option<&VerifyError>) {
    if span.is_disabled() {
        return;
    }
    match error {
        None => span.record("outcome", "ok"),
        Some(e) => span
            .record("outcome", e.outcome_label())
            .record("reason", e.reason_label()),
    };
}

/// How a verdict cache served a verification: the `cache` span field (its label) and, for the
/// metrics, a hit or a miss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CacheUse {
    /// Answered from the cache (`hit`).
    Hit,
    /// Not cached: verified (`miss`).
    Miss,
    /// Cached, but no longer valid (expired, or its key left the key set): dropped, then
    /// verified (`stale`; a miss).
    Stale,
    /// Not cached: this verification shared another one's upstream request (`joined`; a miss).
    Joined,
    /// The cache is disabled (`off`; not counted).
    Off,
}

impl CacheUse {
    /// The stable `cache` label.
    pub fn as_str(self) -> &'static str {
        match self {
            CacheUse::Hit => "hit",
            CacheUse::Miss => "miss",
            CacheUse::Stale => "stale",
            CacheUse::Joined => "joined",
            CacheUse::Off => "off",
        }
    }

    /// A hit (`Some(true)`) or a miss (`Some(false)`) for the metrics; `None` when the cache is
    /// off.
    pub fn hit(self) -> Option<bool> {
        match self {
            CacheUse::Hit => Some(true),
            CacheUse::Miss | CacheUse::Stale | CacheUse::Joined => Some(false),
            CacheUse::Off => None,
        }
    }
}

/// Everything a strategy reports once a verification ends, the same way for every strategy:
/// `outcome`, `reason` and (with a `cache`) `cache` on its `span`; and, when the `metrics`
/// feature is compiled in, `stack_auth_verifications_total`, the duration `timer` measured, and
/// the cache lookup, labelled with `strategy`.
#[cfg(feature = "tracing")]
pub fn verification<T>(
    span: &tracing::Span,
    strategy: &'static str,
    timer: Timer,
    cache: Option<CacheUse>,
    result: &Result<T, VerifyError>,
) {
    record_outcome(span, result.as_ref().err());
    if let (Some(cache), false) = (cache, span.is_disabled()) {
        span.record("cache", cache.as_str());
    }
    #[cfg(feature = "metrics")]
    crate::metrics::verification_timed(strategy, timer, cache.and_then(CacheUse::hit), result);
    #[cfg(not(feature = "metrics"))]
    let _ = (strategy, timer);
}

impl VerifyError {
    /// What happened, as a stable label: `refused`, `unavailable` or `misconfigured` (a success
    /// is reported as `ok` by the strategies).
    ///
    /// ```
    /// use stack_auth_core::{RefusalReason, VerifyError};
    ///
    /// assert_eq!(VerifyError::refused(RefusalReason::Expired).outcome_label(), "refused");
    /// ```
    pub fn outcome_label(&self) -> &'static str {
        match self {
            VerifyError::Refused(_) => "refused",
            VerifyError::Unavailable(_) => "unavailable",
            VerifyError::Misconfigured(_) => "misconfigured",
        }
    }

    /// Why, as a stable snake_case label: the refusal reason ([`RefusalReason::as_str`]), the
    /// unavailability kind ([`UnavailableKind::as_str`]) or the misconfiguration kind
    /// ([`MisconfigKind::as_str`]). The set of values is small and fixed, so it suits a metric
    /// label.
    ///
    /// [`RefusalReason::as_str`]: crate::RefusalReason::as_str
    /// [`UnavailableKind::as_str`]: crate::UnavailableKind::as_str
    /// [`MisconfigKind::as_str`]: crate::MisconfigKind::as_str
    ///
    /// ```
    /// use stack_auth_core::{Unavailable, UnavailableKind, Upstream, VerifyError};
    ///
    /// let e: VerifyError = Unavailable::new(Upstream::Api, UnavailableKind::RateLimited).into();
    /// assert_eq!((e.outcome_label(), e.reason_label()), ("unavailable", "rate_limited"));
    /// ```
    pub fn reason_label(&self) -> &'static str {
        match self {
            VerifyError::Refused(r) => r.reason().as_str(),
            VerifyError::Unavailable(u) => u.kind().as_str(),
            VerifyError::Misconfigured(m) => m.kind().as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{
        MisconfigKind, Misconfiguration, RefusalReason, Unavailable, UnavailableKind, Upstream,
        VerifyError,
    };

    #[test]
    fn labels_follow_the_variant_and_kind() {
        let cases: [(VerifyError, &str, &str); 3] = [
            (
                VerifyError::refused(RefusalReason::UnknownKey),
                "refused",
                "unknown_key",
            ),
            (
                Unavailable::new(Upstream::Jwks, UnavailableKind::NoUsableKeys).into(),
                "unavailable",
                "no_usable_keys",
            ),
            (
                Misconfiguration::new(MisconfigKind::InvalidSecretServerKey).into(),
                "misconfigured",
                "invalid_secret_server_key",
            ),
        ];
        for (error, outcome, reason) in cases {
            assert_eq!(
                (error.outcome_label(), error.reason_label()),
                (outcome, reason)
            );
        }
    }
}
