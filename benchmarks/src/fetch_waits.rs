//! [`FetchWaits`]: counts, from the JWKS verifier's `stack_auth.verify` spans, the
//! verifications that waited for a key set fetch (the span's `upstream_ms` field is recorded
//! only then) and those served from a stale key set, so the HTTP benchmark can show whether
//! any request waited while keys rotated or the JWKS was slow.

use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc,
};

use serde_json::{json, Value};
use tracing::{
    field::{Field, Visit},
    span, Subscriber,
};
use tracing_subscriber::{
    filter::{LevelFilter, Targets},
    layer::{Context, SubscriberExt as _},
    registry::LookupSpan,
    Layer,
};

/// The span this layer reads (named in `stack-auth-jwks`'s crate docs; stable).
const VERIFY_SPAN: &str = "stack_auth.verify";

/// Counters since the layer was made; shared with whoever reports them.
#[derive(Debug, Default)]
pub struct FetchWaitCounts {
    verifications: AtomicU64,
    waited: AtomicU64,
    longest_wait_ms: AtomicU64,
    stale: AtomicU64,
}

impl FetchWaitCounts {
    /// The counts as JSON: `verifications`, `waited` (verifications that waited for a fetch)
    /// and `stale` (verifications answered with a key set past its freshness) since the start,
    /// and `longest_wait_ms` since the previous report (so each report covers its own window).
    pub fn report(&self) -> Value {
        let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
        json!({
            "verifications": n(&self.verifications),
            "waited": n(&self.waited),
            "longest_wait_ms": self.longest_wait_ms.swap(0, Ordering::Relaxed),
            "stale": n(&self.stale),
        })
    }
}

/// What one verification's span recorded, kept in its extensions until it closes.
#[derive(Debug, Default)]
struct Facts {
    waited_ms: Option<u64>,
    stale: bool,
}

impl Visit for Facts {
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "upstream_ms" {
            self.waited_ms = Some(self.waited_ms.unwrap_or(0).saturating_add(value));
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "keyset" && value == "stale" {
            self.stale = true;
        }
    }

    fn record_debug(&mut self, _field: &Field, _value: &dyn std::fmt::Debug) {}
}

/// The layer; see the module docs.
#[derive(Debug, Clone, Default)]
pub struct FetchWaits {
    counts: Arc<FetchWaitCounts>,
}

impl FetchWaits {
    /// A layer with fresh counters.
    pub fn new() -> FetchWaits {
        FetchWaits::default()
    }

    /// The counters this layer adds to.
    pub fn counts(&self) -> Arc<FetchWaitCounts> {
        Arc::clone(&self.counts)
    }

    /// Installs the layer as the global subscriber, enabling only the JWKS verifier's spans
    /// (debug level, target `stack_auth_jwks`).
    ///
    /// # Errors
    ///
    /// When a global subscriber is already set.
    pub fn install(self) -> Result<(), tracing::subscriber::SetGlobalDefaultError> {
        tracing::subscriber::set_global_default(self.subscriber())
    }

    fn subscriber(self) -> impl Subscriber + Send + Sync {
        let only_jwks = Targets::new().with_target("stack_auth_jwks", LevelFilter::DEBUG);
        tracing_subscriber::registry().with(self.with_filter(only_jwks))
    }
}

impl<S> Layer<S> for FetchWaits
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != VERIFY_SPAN {
            return;
        }
        if let Some(span) = ctx.span(id) {
            let mut facts = Facts::default();
            attrs.record(&mut facts);
            span.extensions_mut().insert(facts);
        }
    }

    fn on_record(&self, id: &span::Id, values: &span::Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(facts) = span.extensions_mut().get_mut::<Facts>() {
                values.record(facts);
            }
        }
    }

    fn on_close(&self, id: span::Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let Some(facts) = span.extensions_mut().remove::<Facts>() else {
            return;
        };
        let c = &self.counts;
        c.verifications.fetch_add(1, Ordering::Relaxed);
        if let Some(ms) = facts.waited_ms {
            c.waited.fetch_add(1, Ordering::Relaxed);
            c.longest_wait_ms.fetch_max(ms, Ordering::Relaxed);
        }
        if facts.stale {
            c.stale.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use tracing::field::Empty;

    use super::*;

    #[test]
    fn counts_waits_and_stale_key_sets_of_verify_spans_only() {
        let layer = FetchWaits::new();
        let counts = layer.counts();
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            let fresh =
                tracing::debug_span!("stack_auth.verify", keyset = Empty, upstream_ms = Empty);
            fresh.record("keyset", "fresh");
            drop(fresh);
            let waited =
                tracing::debug_span!("stack_auth.verify", keyset = Empty, upstream_ms = Empty);
            waited.record("upstream_ms", 12_u64);
            waited.record("keyset", "stale");
            drop(waited);
            let other = tracing::info_span!("stack_auth.jwks.fetch", upstream_ms = Empty);
            other.record("upstream_ms", 900_u64);
            drop(other);
        });
        let json = counts.report();
        assert_eq!(json["verifications"], 2);
        assert_eq!(json["waited"], 1);
        assert_eq!(json["longest_wait_ms"], 12);
        assert_eq!(json["stale"], 1);
        let again = counts.report();
        assert_eq!(
            (again["waited"].as_u64(), again["longest_wait_ms"].as_u64()),
            (Some(1), Some(0))
        );
    }

    #[tokio::test]
    async fn sees_the_wait_of_a_real_verification_for_its_first_fetch() {
        use stack_auth_core::TokenVerifier;

        let stand_in = crate::StandIn::start().await.unwrap();
        let layer = FetchWaits::new();
        let counts = layer.counts();
        // `scoped`, not `set_default`: a concurrent test without a subscriber could otherwise
        // switch the span sites off for the whole process (tokio-rs/tracing#3611).
        let _guard = stack_auth_testkit::tracing_capture::scoped(layer.subscriber());
        let verifier =
            stack_auth_jwks::JwksVerifier::builder_with_config(stand_in.stack().config())
                .build()
                .unwrap();
        verifier.verify(stand_in.token()).await.unwrap();
        verifier.verify(stand_in.token()).await.unwrap();
        let json = counts.report();
        assert_eq!(
            (json["verifications"].as_u64(), json["waited"].as_u64()),
            (Some(2), Some(1))
        );
        assert_eq!(json["stale"], 0);
    }
}
