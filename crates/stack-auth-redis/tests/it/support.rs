//! What the tests share: a Redis of their own, configurations, a recording cache for the hubs,
//! and waiting for something that happens asynchronously (with a deadline, never a fixed sleep).

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use stack_auth_core::{CacheKey, Evict, Eviction, EvictionHub};
use stack_auth_redis::{RedisConfig, RedisEvictionBus, RedisSharedCache};
use stack_auth_testkit::RedisServer;
pub(crate) use stack_auth_testkit::{eventually, quantile};

/// A Redis server of the test's own (fails the test, saying how to install it, without one).
pub(crate) fn redis() -> RedisServer {
    RedisServer::start().unwrap_or_else(|e| panic!("{e}"))
}

/// `redis` with extra arguments.
pub(crate) fn redis_with(args: &[&str]) -> RedisServer {
    RedisServer::start_with(args).unwrap_or_else(|e| panic!("{e}"))
}

/// The configuration of `deployment` on `url`.
pub(crate) fn config(url: &str, deployment: &str) -> RedisConfig {
    RedisConfig::builder(url)
        .deployment(deployment)
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A shared cache with a generous timeout: on a loaded two-core CI machine the default 50 ms
/// can run out, and these tests are about behaviour, not speed.
pub(crate) fn cache(config: &RedisConfig) -> RedisSharedCache {
    RedisSharedCache::builder(config.clone())
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A key made from one byte.
pub(crate) fn key(n: u8) -> CacheKey {
    CacheKey::from_digest([n; 32])
}

/// A cache that records the evictions it hears, and when.
#[derive(Debug, Default)]
pub(crate) struct Recorder(Mutex<Vec<(Eviction, Instant)>>);

impl Evict for Recorder {
    fn evict(&self, eviction: &Eviction) {
        self.lock().push((eviction.clone(), Instant::now()));
    }
}

impl Recorder {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(Eviction, Instant)>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What it heard, in order.
    pub(crate) fn seen(&self) -> Vec<Eviction> {
        self.lock().iter().map(|(e, _)| e.clone()).collect()
    }

    /// What it heard, with the instants.
    pub(crate) fn timed(&self) -> Vec<(Eviction, Instant)> {
        self.lock().clone()
    }

    /// Forgets what it heard.
    pub(crate) fn clear(&self) {
        self.lock().clear();
    }
}

/// One process: a hub with a recording cache in it, and a bus on `config`.
pub(crate) struct Process {
    pub(crate) bus: RedisEvictionBus,
    pub(crate) recorder: Arc<Recorder>,
}

impl Process {
    pub(crate) fn new(config: &RedisConfig) -> Process {
        Process::with(config, |b| b)
    }

    pub(crate) fn with(
        config: &RedisConfig,
        tune: impl FnOnce(
            stack_auth_redis::RedisEvictionBusBuilder,
        ) -> stack_auth_redis::RedisEvictionBusBuilder,
    ) -> Process {
        let hub = EvictionHub::new();
        let recorder = Arc::new(Recorder::default());
        hub.register(recorder.clone());
        let builder =
            RedisEvictionBus::builder(config.clone(), hub).heartbeat(Duration::from_millis(200));
        let bus = tune(builder).build().unwrap_or_else(|e| panic!("{e}"));
        Process { bus, recorder }
    }

    /// Waits until the bus has subscribed `times` times, then forgets the "everything is stale"
    /// each subscription applied.
    pub(crate) async fn subscribed(&self, times: u64) {
        eventually("the bus subscribed", || async {
            let s = self.bus.stats();
            s.subscribed && s.subscriptions >= times
        })
        .await;
        self.recorder.clear();
    }
}
