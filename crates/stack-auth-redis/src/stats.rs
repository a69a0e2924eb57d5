//! The counters of a shared cache and of an eviction bus: cheap (relaxed atomics), read as
//! snapshots, and recorded through the `metrics` facade too with the `metrics` feature.

use std::sync::atomic::{AtomicU64, Ordering};

/// What a [`RedisSharedCache`](crate::RedisSharedCache) has done since it was built.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SharedCacheStats {
    /// Reads that found a valid entry.
    pub hits: u64,
    /// Reads Redis answered with no entry (absent, expired or voided by a tag).
    pub misses: u64,
    /// Operations Redis answered with an error or could not be sent (connection down).
    pub errors: u64,
    /// Operations that ran out of their time.
    pub timeouts: u64,
    /// Operations not sent because the circuit breaker was open.
    pub skipped: u64,
    /// Entries stored.
    pub stores: u64,
    /// Entries not stored because their value was over the size limit.
    pub oversized: u64,
    /// Invalidation calls sent.
    pub invalidations: u64,
    /// Whether the circuit breaker is open (or half-open) now.
    pub circuit_open: bool,
}

/// The live counters behind [`SharedCacheStats`].
#[derive(Debug, Default)]
pub(crate) struct CacheCounters {
    pub(crate) hits: AtomicU64,
    pub(crate) misses: AtomicU64,
    pub(crate) errors: AtomicU64,
    pub(crate) timeouts: AtomicU64,
    pub(crate) skipped: AtomicU64,
    pub(crate) stores: AtomicU64,
    pub(crate) oversized: AtomicU64,
    pub(crate) invalidations: AtomicU64,
}

impl CacheCounters {
    pub(crate) fn snapshot(&self, circuit_open: bool) -> SharedCacheStats {
        let read = |c: &AtomicU64| c.load(Ordering::Relaxed);
        SharedCacheStats {
            hits: read(&self.hits),
            misses: read(&self.misses),
            errors: read(&self.errors),
            timeouts: read(&self.timeouts),
            skipped: read(&self.skipped),
            stores: read(&self.stores),
            oversized: read(&self.oversized),
            invalidations: read(&self.invalidations),
            circuit_open,
        }
    }
}

/// What a [`RedisEvictionBus`](crate::RedisEvictionBus) has done since it was built.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EvictionBusStats {
    /// Local evictions published (each with its shared-cache tags voided).
    pub published: u64,
    /// Publish attempts that failed (they are retried).
    pub publish_failures: u64,
    /// Local evictions waiting to be published now.
    pub pending: u64,
    /// Times the backlog overflowed and was replaced by one "everything is stale" eviction.
    pub overflows: u64,
    /// Evictions of other processes applied to the local hub.
    pub received: u64,
    /// This process's own evictions heard back and skipped (already applied locally).
    pub own_skipped: u64,
    /// Messages on the channel that were not evictions (ignored).
    pub malformed: u64,
    /// Subscriptions made (the first, then one per reconnection); each applied a local
    /// "everything is stale" eviction.
    pub subscriptions: u64,
    /// Whether the bus is subscribed now.
    pub subscribed: bool,
}

/// The live counters behind [`EvictionBusStats`].
#[derive(Debug, Default)]
pub(crate) struct BusCounters {
    pub(crate) published: AtomicU64,
    pub(crate) publish_failures: AtomicU64,
    pub(crate) pending: AtomicU64,
    pub(crate) overflows: AtomicU64,
    pub(crate) received: AtomicU64,
    pub(crate) own_skipped: AtomicU64,
    pub(crate) malformed: AtomicU64,
    pub(crate) subscriptions: AtomicU64,
    pub(crate) subscribed: std::sync::atomic::AtomicBool,
}

impl BusCounters {
    pub(crate) fn snapshot(&self) -> EvictionBusStats {
        let read = |c: &AtomicU64| c.load(Ordering::Relaxed);
        EvictionBusStats {
            published: read(&self.published),
            publish_failures: read(&self.publish_failures),
            pending: read(&self.pending),
            overflows: read(&self.overflows),
            received: read(&self.received),
            own_skipped: read(&self.own_skipped),
            malformed: read(&self.malformed),
            subscriptions: read(&self.subscriptions),
            subscribed: self.subscribed.load(Ordering::Relaxed),
        }
    }
}

/// Adds one to `counter` (and to the metric `name` with the `metrics` feature).
pub(crate) fn bump(counter: &AtomicU64, _metric: (&'static str, &'static str)) {
    counter.fetch_add(1, Ordering::Relaxed);
    #[cfg(feature = "metrics")]
    {
        let (name, outcome) = _metric;
        metrics::counter!(name, "outcome" => outcome).increment(1);
    }
}
