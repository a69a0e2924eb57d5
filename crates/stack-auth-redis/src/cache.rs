//! [`RedisSharedCache`]: core's [`SharedCache`] on Redis, every call bounded in time and guarded
//! by a circuit breaker.

mod builder;

use std::{future::Future, sync::Arc, time::Duration};

use async_trait::async_trait;
use redis::{aio::ConnectionManager, RedisResult, Script};
use stack_auth_core::{
    breaker::{CircuitBreaker, Transition},
    observe::millis,
    CacheKey, CacheNamespace, CacheTag, SharedCache, SharedHit,
};

pub use builder::{
    RedisSharedCacheBuilder, DEFAULT_MAX_TTL, DEFAULT_MAX_VALUE_LEN, DEFAULT_OPERATION_TIMEOUT,
};

use crate::{
    connect::now,
    keys::Keys,
    scripts,
    stats::{bump, CacheCounters, SharedCacheStats},
};

/// The metric every lookup and store counts into (feature `metrics`).
const METRIC: &str = "stack_auth_shared_cache_total";

/// A [`SharedCache`] on Redis, for the processes of one deployment. Cloning shares it (one
/// multiplexed connection, one breaker, one set of counters).
///
/// - Every operation takes at most the [operation timeout](RedisSharedCacheBuilder::timeout)
///   (50 ms by default); one that runs out counts as a failure and answers like a miss.
/// - After [consecutive failures](RedisSharedCacheBuilder::circuit_breaker) (5 by default) the
///   circuit opens: operations skip Redis (no time spent) for a cool-off (5 s), then one probe
///   decides whether to close it.
/// - Entries are Redis hashes under `stack-auth:<deployment>:e:<namespace>:<key digest hex>`,
///   with the entry's TTL (never more than [`max_ttl`](RedisSharedCacheBuilder::max_ttl));
///   tags are epochs (see the crate docs), so invalidation is one `DEL`.
///
/// See [`RedisSharedCache::builder`].
#[derive(Clone)]
pub struct RedisSharedCache {
    inner: Arc<Inner>,
}

struct Inner {
    connection: ConnectionManager,
    keys: Keys,
    timeout: Duration,
    max_ttl: Duration,
    max_value_len: usize,
    breaker: CircuitBreaker,
    counters: CacheCounters,
    get: Script,
    put: Script,
}

impl RedisSharedCache {
    /// What the cache has done so far, and whether its breaker is open.
    pub fn stats(&self) -> SharedCacheStats {
        self.inner
            .counters
            .snapshot(!self.inner.breaker.is_closed())
    }

    /// Runs one operation against Redis within the timeout and through the breaker; `None`
    /// when it was skipped, failed or ran out of time (each counted).
    async fn run<T, F>(
        &self,
        op: &'static str,
        call: impl FnOnce(ConnectionManager) -> F,
    ) -> Option<T>
    where
        F: Future<Output = RedisResult<T>>,
    {
        let inner = &*self.inner;
        let Some(permit) = inner.breaker.try_acquire(now()) else {
            bump(&inner.counters.skipped, (METRIC, "skipped"));
            return None;
        };
        let outcome = tokio::time::timeout(inner.timeout, call(inner.connection.clone())).await;
        let (value, failed) = match outcome {
            Ok(Ok(value)) => (Some(value), false),
            Ok(Err(e)) => {
                bump(&inner.counters.errors, (METRIC, "error"));
                tracing::debug!(
                    target: "stack_auth_redis", op, kind = ?e.kind(), code = e.code(),
                    "shared cache: redis error"
                );
                (None, true)
            }
            Err(_) => {
                bump(&inner.counters.timeouts, (METRIC, "timeout"));
                tracing::debug!(
                    target: "stack_auth_redis", op, timeout_ms = millis(inner.timeout),
                    "shared cache: redis did not answer in time"
                );
                (None, true)
            }
        };
        match permit.record(failed, now()) {
            Transition::Opened { failures } => tracing::warn!(
                target: "stack_auth_redis",
                failures,
                cool_off_ms = millis(inner.breaker.policy().cool_off()),
                "shared cache: circuit opened, skipping redis"
            ),
            Transition::Closed => {
                tracing::info!(target: "stack_auth_redis", "shared cache: circuit closed, redis answers");
            }
            _ => {}
        }
        value
    }

    /// The names of `tags` plus the "everything" tag, sorted and without duplicates.
    fn tag_keys(&self, tags: &[CacheTag]) -> Vec<String> {
        let mut names: Vec<String> = tags.iter().map(|t| self.inner.keys.tag(t)).collect();
        names.push(self.inner.keys.tag(&CacheTag::Everything));
        names.sort_unstable();
        names.dedup();
        names
    }
}

#[async_trait]
impl SharedCache for RedisSharedCache {
    async fn get(&self, namespace: CacheNamespace, key: &CacheKey) -> Option<SharedHit> {
        let entry = self.inner.keys.entry(namespace, key);
        let script = &self.inner.get;
        let found = self
            .run("get", |mut conn| async move {
                script
                    .key(entry)
                    .invoke_async::<Option<(Vec<u8>, u64)>>(&mut conn)
                    .await
            })
            .await?;
        let counters = &self.inner.counters;
        match found {
            Some((value, ms)) => {
                bump(&counters.hits, (METRIC, "hit"));
                Some(SharedHit::new(value, Duration::from_millis(ms)))
            }
            None => {
                bump(&counters.misses, (METRIC, "miss"));
                None
            }
        }
    }

    async fn put(
        &self,
        namespace: CacheNamespace,
        key: &CacheKey,
        value: &[u8],
        ttl: Duration,
        tags: &[CacheTag],
    ) {
        let inner = &*self.inner;
        let ttl_ms = millis(ttl.min(inner.max_ttl));
        if ttl_ms == 0 {
            return;
        }
        if value.len() > inner.max_value_len {
            bump(&inner.counters.oversized, (METRIC, "oversized"));
            return;
        }
        let entry = inner.keys.entry(namespace, key);
        let tag_keys = self.tag_keys(tags);
        let epoch = format!("{:016x}", rand::random::<u64>());
        let tag_ttl_ms = millis(inner.max_ttl).max(ttl_ms);
        let script = &inner.put;
        let stored = self
            .run("put", |mut conn| async move {
                let mut call = script.key(entry);
                for tag in tag_keys {
                    call.key(tag);
                }
                call.arg(value)
                    .arg(ttl_ms)
                    .arg(epoch)
                    .arg(tag_ttl_ms)
                    .invoke_async::<i64>(&mut conn)
                    .await
            })
            .await;
        if stored.is_some() {
            bump(&inner.counters.stores, (METRIC, "store"));
        }
    }

    async fn invalidate(&self, tags: &[CacheTag]) {
        if tags.is_empty() {
            return;
        }
        let names: Vec<String> = tags.iter().map(|t| self.inner.keys.tag(t)).collect();
        let done = self
            .run("invalidate", |mut conn| async move {
                redis::cmd("DEL")
                    .arg(names)
                    .query_async::<i64>(&mut conn)
                    .await
            })
            .await;
        if done.is_some() {
            bump(&self.inner.counters.invalidations, (METRIC, "invalidate"));
        }
    }
}

impl std::fmt::Debug for RedisSharedCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSharedCache")
            .field("deployment", &self.inner.keys.deployment())
            .field("timeout", &self.inner.timeout)
            .field("max_ttl", &self.inner.max_ttl)
            .field("circuit_open", &!self.inner.breaker.is_closed())
            .finish_non_exhaustive()
    }
}

impl Inner {
    fn new(connection: ConnectionManager, keys: Keys, settings: builder::Settings) -> Inner {
        Inner {
            connection,
            keys,
            timeout: settings.timeout,
            max_ttl: settings.max_ttl,
            max_value_len: settings.max_value_len,
            breaker: CircuitBreaker::new(settings.breaker),
            counters: CacheCounters::default(),
            get: Script::new(scripts::GET),
            put: Script::new(scripts::PUT),
        }
    }
}
