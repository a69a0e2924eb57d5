//! The single-flight key set fetch (core's [`SingleFlight`], as for the REST flights): one
//! spawned task shared by every waiter, and what its result does to the cache (new lifetimes,
//! dropped verdicts, or the failure backoff).

use std::{
    sync::{atomic::Ordering, Arc},
    time::Duration,
};

use stack_auth_core::{
    observe::millis,
    single_flight::{SingleFlight, Task},
    VerifyError,
};
use tracing::Instrument as _;

use super::{lock, FetchResult, KeySet, KeyStore, SharedFetch};
use crate::{
    fetch::FetchError,
    keys::{parse_jwks, VerifyKey},
    observe::{self, Trigger},
    status::FetchOutcome,
};

/// The one key-set fetch in flight (the key is `()`: a store has one key set).
pub(super) type InFlight = SingleFlight<(), Arc<KeySet>>;

/// Spawns a fetch's task on the current Tokio runtime.
fn spawn(task: Task) -> Result<(), VerifyError> {
    let runtime = tokio::runtime::Handle::try_current()
        .map_err(|_| FetchError::NoRuntime.into_verify_error())?;
    runtime.spawn(task);
    Ok(())
}

impl KeyStore {
    /// The running fetch, or a new one (started by `trigger`) spawned on the current tokio
    /// runtime.
    pub(super) fn start_fetch(
        self: &Arc<Self>,
        trigger: Trigger,
    ) -> Result<SharedFetch, VerifyError> {
        let this = Arc::clone(self);
        let start = move || {
            let span = observe::fetch_span(trigger);
            async move { this.fetch_and_store(trigger).await }.instrument(span)
        };
        let (flight, _leader) = self.inflight.join_or_spawn((), start, spawn)?;
        Ok(flight)
    }

    /// One fetch (in its `stack_auth.jwks.fetch` span): parse, store on success, remember the
    /// failure otherwise.
    async fn fetch_and_store(&self, trigger: Trigger) -> FetchResult {
        self.stats.fetches.fetch_add(1, Ordering::Relaxed);
        let previous = self.current.load_full();
        let old_keys = previous.as_ref().map_or(&[][..], |s| &s.keys[..]);
        let started = tokio::time::Instant::now();
        let fetched = self.fetcher.fetch().await;
        let elapsed = started.elapsed();
        let (status, bytes) = match &fetched {
            Ok(doc) => (Some(200), Some(doc.body.len())),
            Err(e) => (e.status(), None),
        };
        let result = match fetched {
            Ok(doc) => parse_jwks(&doc.body, old_keys)
                .map(|keys| (keys, doc.max_age))
                .map_err(FetchError::Invalid),
            Err(e) => Err(e),
        };
        let now = self.now_ms();
        let result = match result {
            Ok((keys, max_age)) => Ok(self.store(now, keys, max_age, previous.as_deref())),
            Err(e) => Err(self.record_failure(now, e)),
        };
        let span = tracing::Span::current();
        let summary = result.as_ref().map(|set| set.keys.len());
        observe::fetch(&span, trigger, elapsed, status, bytes, summary);
        result
    }

    fn store(
        &self,
        now: u64,
        keys: Vec<Arc<VerifyKey>>,
        max_age: Option<Duration>,
        previous: Option<&KeySet>,
    ) -> Arc<KeySet> {
        let t = &self.timing;
        let ttl = max_age.unwrap_or(t.max_ttl).clamp(t.min_ttl, t.max_ttl);
        let ahead = t.refresh_ahead.min(ttl / 2);
        let fresh_until_ms = now.saturating_add(millis(ttl));
        let set = Arc::new(KeySet {
            fetched_at: self.wall_now(),
            fetched_at_ms: now,
            refresh_at_ms: fresh_until_ms.saturating_sub(millis(ahead)),
            fresh_until_ms,
            stale_until_ms: fresh_until_ms.saturating_add(millis(t.max_stale)),
            is_static: false,
            keys,
        });
        let removed = previous.is_some_and(|old| old.keys.iter().any(|k| !set.holds(k)));
        self.current.store(Some(Arc::clone(&set)));
        if removed {
            if let Some(cache) = &self.token_cache {
                cache.clear();
            }
        }
        self.no_fetch_before_ms.store(0, Ordering::Release);
        *lock(&self.last_error) = None;
        *lock(&self.stats.last) = Some((
            set.fetched_at,
            FetchOutcome::Succeeded {
                keys: set.keys.len(),
            },
        ));
        tracing::info!(
            strategy = "jwks",
            keys = set.keys.len(),
            ttl_secs = ttl.as_secs(),
            keys_removed = removed,
            "fetched the key set"
        );
        set
    }

    fn record_failure(&self, now: u64, e: FetchError) -> VerifyError {
        let backoff = e.retry_after().map_or(self.timing.retry_after_error, |r| {
            r.max(self.timing.retry_after_error)
        });
        self.no_fetch_before_ms
            .store(now.saturating_add(millis(backoff)), Ordering::Release);
        self.stats.failures.fetch_add(1, Ordering::Relaxed);
        let error = e.into_verify_error();
        tracing::warn!(strategy = "jwks", error = %error, "key set fetch failed");
        *lock(&self.last_error) = Some(error.clone());
        *lock(&self.stats.last) = Some((self.wall_now(), FetchOutcome::Failed(error.clone())));
        error
    }
}
