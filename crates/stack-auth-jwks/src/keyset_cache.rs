//! The cached key set: freshness, single-flight fetching, refresh-ahead, the unknown-`kid`
//! cooldown and stale-if-error.
//!
//! The hit path is one `ArcSwap` load and a clock read; no lock is ever held across an await.
//! Fetches run on a spawned task shared by every waiter (a dropped caller cannot cancel it).
//!
//! Freshness, the refresh-ahead point, the stale-if-error limit, the unknown-`kid` cooldown and
//! the failure backoff are measured on Tokio's monotonic clock (milliseconds since the store was
//! made), so a wall-clock step cannot stretch or skip them; the wall clock only dates the set for
//! [`JwksStatus`](crate::JwksStatus).

mod fetch_task;

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, MutexGuard, PoisonError,
    },
    time::{Duration, SystemTime},
};

use arc_swap::ArcSwapOption;
use stack_auth_core::{
    observe::millis, Clock, Unavailable, UnavailableKind, Upstream, VerifyError,
};
use tokio::time::Instant;
use tracing::Span;

use self::fetch_task::InFlight;
use crate::{
    fetch::Fetcher,
    keys::VerifyKey,
    observe::{self, KeySetUse, Trigger},
    status::{FetchOutcome, LastFetch},
    token_cache::TokenCache,
};

/// Sentinel for "never happened" in the millisecond atomics.
const NEVER: u64 = u64::MAX;

/// A parsed key set and its lifetime, in monotonic milliseconds of its [`KeyStore`].
#[derive(Debug)]
pub(crate) struct KeySet {
    pub(crate) keys: Vec<Arc<VerifyKey>>,
    /// When it was fetched (or installed), by the wall clock: for the status report only.
    pub(crate) fetched_at: SystemTime,
    pub(crate) fetched_at_ms: u64,
    pub(crate) refresh_at_ms: u64,
    pub(crate) fresh_until_ms: u64,
    pub(crate) stale_until_ms: u64,
    /// Given to the builder ([`static_jwks`](crate::JwksVerifierBuilder::static_jwks)): never
    /// expires, never refetched.
    pub(crate) is_static: bool,
}

impl KeySet {
    /// The key with this id.
    pub(crate) fn find(&self, kid: &str) -> Option<&Arc<VerifyKey>> {
        self.keys.iter().find(|k| k.kid() == kid)
    }

    /// The wall-clock time of the monotonic instant `ms` (for the status report).
    pub(crate) fn wall_time(&self, ms: u64) -> SystemTime {
        let since_fetch = Duration::from_millis(ms.saturating_sub(self.fetched_at_ms));
        self.fetched_at
            .checked_add(since_fetch)
            .unwrap_or(self.fetched_at)
    }

    /// Whether this exact key (same id and material) is still in the set.
    pub(crate) fn holds(&self, key: &Arc<VerifyKey>) -> bool {
        self.keys.iter().any(|k| Arc::ptr_eq(k, key))
    }
}

/// The timing policy of the cache (validated by the builder).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timing {
    pub(crate) min_ttl: Duration,
    pub(crate) max_ttl: Duration,
    pub(crate) refresh_ahead: Duration,
    pub(crate) max_stale: Duration,
    pub(crate) retry_after_error: Duration,
    pub(crate) unknown_kid_cooldown: Duration,
}

type FetchResult = Result<Arc<KeySet>, VerifyError>;
type SharedFetch = stack_auth_core::single_flight::Flight<Arc<KeySet>>;

/// Counters and the last outcome, for [`JwksStatus`](crate::JwksStatus).
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) fetches: AtomicU64,
    pub(crate) failures: AtomicU64,
    pub(crate) unknown_kid_refetches: AtomicU64,
    pub(crate) last: Mutex<Option<(SystemTime, FetchOutcome)>>,
}

/// The project's key set, shared by every clone of a verifier.
#[derive(Debug)]
pub(crate) struct KeyStore {
    current: ArcSwapOption<KeySet>,
    inflight: InFlight,
    fetcher: Fetcher,
    /// The wall clock: only dates fetches for the status report.
    clock: Arc<dyn Clock>,
    /// The monotonic origin of every `_ms` value.
    origin: Instant,
    timing: Timing,
    token_cache: Option<TokenCache>,
    last_unknown_kid_refetch_ms: AtomicU64,
    no_fetch_before_ms: AtomicU64,
    last_error: Mutex<Option<VerifyError>>,
    pub(crate) stats: Stats,
}

/// Awaits a fetch, recording how long the verification waited as `upstream_ms` on its `span`.
async fn wait(fetch: SharedFetch, span: &Span) -> FetchResult {
    let started = Instant::now();
    let result = fetch.await;
    observe::record_upstream_ms(span, started.elapsed());
    result
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl KeyStore {
    pub(crate) fn new(
        fetcher: Fetcher,
        clock: Arc<dyn Clock>,
        timing: Timing,
        token_cache: Option<TokenCache>,
    ) -> Self {
        KeyStore {
            current: ArcSwapOption::empty(),
            inflight: InFlight::new(),
            fetcher,
            clock,
            origin: Instant::now(),
            timing,
            token_cache,
            last_unknown_kid_refetch_ms: AtomicU64::new(NEVER),
            no_fetch_before_ms: AtomicU64::new(0),
            last_error: Mutex::new(None),
            stats: Stats::default(),
        }
    }

    /// Monotonic milliseconds since the store was made (Tokio's clock: paused time in tests).
    pub(crate) fn now_ms(&self) -> u64 {
        millis(Instant::now().saturating_duration_since(self.origin))
    }

    /// The wall-clock time now.
    pub(crate) fn wall_now(&self) -> SystemTime {
        self.clock.now()
    }

    /// Installs `keys` as a set that never expires, so nothing is ever fetched: `current` always
    /// answers at once, `prefetch` finds it fresh and an unknown `kid` is never refetched.
    pub(crate) fn install_static(&self, keys: Vec<Arc<VerifyKey>>) {
        let now = self.now_ms();
        self.current.store(Some(Arc::new(KeySet {
            keys,
            fetched_at: self.wall_now(),
            fetched_at_ms: now,
            refresh_at_ms: NEVER,
            fresh_until_ms: NEVER,
            stale_until_ms: NEVER,
            is_static: true,
        })));
    }

    /// The cached set, whatever its state.
    pub(crate) fn snapshot(&self) -> Option<Arc<KeySet>> {
        self.current.load_full()
    }

    pub(crate) fn fetch_in_flight(&self) -> bool {
        !self.inflight.is_empty()
    }

    /// The key set to verify with now, and which it is. Fresh: returned at once (and refreshed
    /// in the background when close to expiry). Stale but within the stale-if-error limit:
    /// returned at once while a background refresh runs. Otherwise: fetched, sharing any fetch
    /// already running ([`KeySetUse::Fetched`]: this call waited, so the set is as new as any
    /// refetch could be). A wait is recorded on the verification's `span`.
    ///
    /// # Errors
    ///
    /// The fetch's error when there is no usable set.
    pub(crate) async fn current_tracked(
        self: &Arc<Self>,
        span: &Span,
    ) -> Result<(Arc<KeySet>, KeySetUse), VerifyError> {
        let now = self.now_ms();
        if let Some(set) = self.current.load_full() {
            if now < set.refresh_at_ms {
                let used = if set.is_static {
                    KeySetUse::Static
                } else {
                    KeySetUse::Fresh
                };
                return Ok((set, used));
            }
            if now < set.stale_until_ms {
                self.refresh_in_background(now);
                let used = if now < set.fresh_until_ms {
                    KeySetUse::Fresh
                } else {
                    KeySetUse::Stale
                };
                return Ok((set, used));
            }
        }
        let fetch = match self.running() {
            Some(running) => running,
            None if now < self.no_fetch_before_ms.load(Ordering::Acquire) => {
                return Err(self.last_error_or_no_keys());
            }
            None => self.start_fetch(Trigger::Expiry)?,
        };
        wait(fetch, span).await.map(|set| (set, KeySetUse::Fetched))
    }

    /// Makes sure a fresh set is cached, fetching now if it is not (ignores the error backoff).
    ///
    /// # Errors
    ///
    /// The fetch's error.
    pub(crate) async fn prefetch(self: &Arc<Self>) -> Result<(), VerifyError> {
        let now = self.now_ms();
        if let Some(set) = self.current.load_full() {
            if now < set.refresh_at_ms {
                return Ok(());
            }
        }
        self.start_fetch(Trigger::Prefetch)?.await.map(|_| ())
    }

    /// After `seen` (a usable set: fresh, or stale within `stale_if_error`) did not hold `kid`:
    /// the key from a newer set, from a fetch already running, or from one refetch if the
    /// cooldown allows; `None` when the key stays unknown.
    ///
    /// Callers that find no fetch running and lose the cooldown race fail fast: a flood of random
    /// `kid`s causes at most one request per cooldown and never queues behind a limiter. While
    /// fetching is backed off after a failure, or when the refetch fails, the key stays unknown
    /// too: `seen` is the set that answers, and a token whose `kid` it lacks is refused, never
    /// reported as unavailable (that would send it to a composite's REST fallback).
    ///
    /// # Errors
    ///
    /// Only a refetch that cannot start (no tokio runtime).
    pub(crate) async fn refetch_for_unknown_kid(
        self: &Arc<Self>,
        kid: &str,
        seen: &Arc<KeySet>,
        span: &Span,
    ) -> Result<Option<Arc<VerifyKey>>, VerifyError> {
        if seen.is_static {
            return Ok(None);
        }
        if let Some(newer) = self.current.load_full() {
            if !Arc::ptr_eq(&newer, seen) {
                if let Some(key) = newer.find(kid) {
                    return Ok(Some(Arc::clone(key)));
                }
            }
        }
        let fetch = match self.running() {
            Some(running) => running,
            None => {
                let now = self.now_ms();
                if now < self.no_fetch_before_ms.load(Ordering::Acquire) {
                    return Ok(None);
                }
                if !self.take_cooldown_slot(now) {
                    return Ok(None);
                }
                self.stats
                    .unknown_kid_refetches
                    .fetch_add(1, Ordering::Relaxed);
                tracing::debug!(strategy = "jwks", "unknown kid: refetching the key set");
                self.start_fetch(Trigger::UnknownKid)?
            }
        };
        match wait(fetch, span).await {
            Ok(set) => Ok(set.find(kid).cloned()),
            Err(error) => {
                tracing::debug!(
                    strategy = "jwks",
                    %error,
                    "unknown kid: the refetch failed; the cached key set answers"
                );
                Ok(None)
            }
        }
    }

    /// Claims the one unknown-`kid` refetch allowed per cooldown (atomically).
    fn take_cooldown_slot(&self, now: u64) -> bool {
        let last = self.last_unknown_kid_refetch_ms.load(Ordering::Acquire);
        let cooldown = millis(self.timing.unknown_kid_cooldown);
        if last != NEVER && now < last.saturating_add(cooldown) {
            return false;
        }
        self.last_unknown_kid_refetch_ms
            .compare_exchange(last, now, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    fn running(&self) -> Option<SharedFetch> {
        self.inflight.running(&())
    }

    fn last_error_or_no_keys(&self) -> VerifyError {
        lock(&self.last_error).clone().unwrap_or_else(|| {
            Unavailable::new(Upstream::Jwks, UnavailableKind::NoUsableKeys).into()
        })
    }

    /// Starts a background refresh unless one is running or the last failure is too recent.
    fn refresh_in_background(self: &Arc<Self>, now: u64) {
        if now < self.no_fetch_before_ms.load(Ordering::Acquire) || self.fetch_in_flight() {
            return;
        }
        if let Err(e) = self.start_fetch(Trigger::Expiry) {
            tracing::warn!(strategy = "jwks", error = %e, "could not start a key set refresh");
        }
    }

    /// The last fetch, for the status view.
    pub(crate) fn last_fetch(&self) -> Option<LastFetch> {
        lock(&self.stats.last)
            .clone()
            .map(|(at, outcome)| LastFetch { at, outcome })
    }
}
