//! Redis killed, stopped and restarted under a shared cache: every call completes and answers
//! like a miss, the breaker opens, and sharing resumes when Redis is back. The extra latency of
//! each call is measured and printed, not asserted.

use std::time::{Duration, Instant};

use stack_auth_core::{breaker::CircuitBreakerPolicy, CacheNamespace, CacheTag, SharedCache};
use stack_auth_redis::{RedisSharedCache, SharedCacheStats};

use crate::support::{config, eventually, key, quantile, redis};

const NS: CacheNamespace = CacheNamespace::PROFILES;
const TTL: Duration = Duration::from_secs(30);

fn process(url: &str) -> RedisSharedCache {
    RedisSharedCache::builder(config(url, "shop"))
        .timeout(Duration::from_millis(50))
        .circuit_breaker(CircuitBreakerPolicy::new(3, Duration::from_secs(2)))
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `calls` lookups of a key `a` stored, through `b`; returns each call's time.
async fn lookups(b: &RedisSharedCache, calls: usize) -> Vec<Duration> {
    let mut times = Vec::with_capacity(calls);
    for _ in 0..calls {
        let started = Instant::now();
        let hit = b.get(NS, &key(1)).await;
        times.push(started.elapsed());
        assert!(hit.is_none(), "no answer while redis is unreachable");
    }
    times.sort();
    times
}

fn report(what: &str, times: &[Duration], stats: &SharedCacheStats) {
    println!(
        "{what}: {} lookups, p50 {:?}, p99 {:?}, max {:?}; {stats:?}",
        times.len(),
        quantile(times, 0.5),
        quantile(times, 0.99),
        times.last().copied().unwrap_or_default()
    );
}

async fn shared_again(a: &RedisSharedCache, b: &RedisSharedCache) {
    eventually("entries are shared again", || async {
        a.put(NS, &key(9), b"back", TTL, &[]).await;
        b.get(NS, &key(9)).await.is_some()
    })
    .await;
}

#[tokio::test]
async fn redis_killed_mid_run_gives_misses_opens_the_breaker_and_sharing_resumes() {
    let mut redis = redis();
    let (a, b) = (process(&redis.url()), process(&redis.url()));
    a.put(NS, &key(1), b"profile", TTL, &[CacheTag::User("u1".into())])
        .await;
    assert!(
        b.get(NS, &key(1)).await.is_some(),
        "shared before the outage"
    );

    redis.kill();
    let times = lookups(&b, 40).await;
    a.put(NS, &key(2), b"lost", TTL, &[]).await; // completes, stores nothing
    a.invalidate(&[CacheTag::User("u1".into())]).await; // completes too
    let stats = b.stats();
    report("redis killed", &times, &stats);
    assert!(stats.circuit_open, "{stats:?}");
    assert!(
        stats.errors + stats.timeouts >= 3,
        "3 failures opened it: {stats:?}"
    );
    assert!(stats.skipped >= 1, "then lookups skip redis: {stats:?}");

    redis.restart().unwrap_or_else(|e| panic!("{e}"));
    shared_again(&a, &b).await;
    assert!(!b.stats().circuit_open);
    assert!(
        b.get(NS, &key(1)).await.is_none(),
        "the restarted redis is empty"
    );
}

#[tokio::test]
async fn a_stopped_redis_costs_each_call_its_timeout_until_the_breaker_opens() {
    let redis = redis();
    let (a, b) = (process(&redis.url()), process(&redis.url()));
    a.put(NS, &key(1), b"profile", TTL, &[]).await;
    assert!(b.get(NS, &key(1)).await.is_some());

    redis.pause(); // connected, but never answers: the slow case
    let times = lookups(&b, 20).await;
    let stats = b.stats();
    report("redis stopped", &times, &stats);
    assert!(stats.timeouts >= 3, "{stats:?}");
    assert!(stats.circuit_open && stats.skipped >= 1, "{stats:?}");

    redis.resume();
    shared_again(&a, &b).await;
    assert!(
        b.get(NS, &key(1)).await.is_some(),
        "the same redis, its entries intact"
    );
}

#[tokio::test]
async fn a_redis_down_from_the_start_delays_nothing_and_is_used_once_up() {
    let mut redis = redis();
    let url = redis.url();
    redis.kill();
    let (a, b) = (process(&url), process(&url));
    let times = lookups(&b, 10).await;
    report("redis never up", &times, &b.stats());
    redis.restart().unwrap_or_else(|e| panic!("{e}"));
    shared_again(&a, &b).await;
}
