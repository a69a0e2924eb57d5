//! The shared cache's operations and the eviction bus's propagation delay against a local
//! `redis-server` the bench starts itself (127.0.0.1, no persistence), summarised by
//! `cargo xtask bench --redis` into the "Redis" section of `BENCHMARKS.md`.
//!
//! Criterion measures `redis/*`; the propagation delay's distribution (p50, p99, max over many
//! single evictions) is measured after it and written, with the server's version, to
//! `$STACK_AUTH_BENCH_RESULTS/redis.json` when that variable is set.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use criterion::Criterion;
use stack_auth_core::{
    breaker::CircuitBreakerPolicy, CacheKey, CacheNamespace, CacheTag, Evict, Eviction,
    EvictionHub, SharedCache,
};
use stack_auth_redis::{RedisConfig, RedisEvictionBus, RedisSharedCache};
use stack_auth_testkit::RedisServer;
use tokio::sync::mpsc;

const NS: CacheNamespace = CacheNamespace::PROFILES;
const TTL: Duration = Duration::from_secs(300);
/// Single evictions timed for the distribution.
const PROPAGATIONS: usize = 2_000;

/// A hub's cache that reports when it hears an eviction.
#[derive(Debug)]
struct Heard(mpsc::UnboundedSender<Instant>);

impl Evict for Heard {
    fn evict(&self, _: &Eviction) {
        let _ = self.0.send(Instant::now());
    }
}

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    panic!("redis bench: {what}: {e}")
}

/// A profile-sized value (users/me answers are a few KiB of JSON).
fn profile() -> Vec<u8> {
    let mut value =
        br#"{"id":"3241a285-8329-4d69-8f3d-316e08cf140c","display_name":"Ada","#.to_vec();
    value.resize(2048, b' ');
    value
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| fail("runtime", e));
    let redis = RedisServer::start().unwrap_or_else(|e| fail("redis-server", e));
    let config = RedisConfig::builder(redis.url())
        .deployment("bench")
        .build()
        .unwrap_or_else(|e| fail("config", e));
    let _guard = runtime.enter();
    let cache = RedisSharedCache::builder(config.clone())
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap_or_else(|e| fail("cache", e));
    let down = RedisSharedCache::builder(
        RedisConfig::new("redis://127.0.0.1:1/").unwrap_or_else(|e| fail("config", e)),
    )
    .circuit_breaker(CircuitBreakerPolicy::new(1, Duration::from_secs(3600)))
    .build()
    .unwrap_or_else(|e| fail("cache", e));
    let value = profile();
    let tags = [
        CacheTag::User("u1".into()),
        CacheTag::UserProfile("u1".into()),
    ];
    runtime.block_on(async {
        cache
            .put(NS, &CacheKey::from_digest([1; 32]), &value, TTL, &tags)
            .await;
        let _ = down.get(NS, &CacheKey::from_digest([1; 32])).await; // opens its breaker
    });
    assert!(
        down.stats().circuit_open,
        "the down cache's breaker is open"
    );

    let (bus_a, bus_b, mut heard) = bus_pair(&config);
    runtime.block_on(wait_subscribed(&[&bus_a, &bus_b]));
    while heard.try_recv().is_ok() {} // the "everything is stale" of the subscription

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("redis");
    let hit = CacheKey::from_digest([1; 32]);
    let miss = CacheKey::from_digest([2; 32]);
    let stored = CacheKey::from_digest([3; 32]);
    let voided = [CacheTag::User("u9".into())];
    group.bench_function("get_hit", |b| {
        b.to_async(&runtime).iter(|| cache.get(NS, &hit));
    });
    group.bench_function("get_miss", |b| {
        b.to_async(&runtime).iter(|| cache.get(NS, &miss));
    });
    group.bench_function("put", |b| {
        b.to_async(&runtime)
            .iter(|| cache.put(NS, &stored, &value, TTL, &tags));
    });
    group.bench_function("invalidate", |b| {
        b.to_async(&runtime).iter(|| cache.invalidate(&voided));
    });
    group.bench_function("get_redis_down_breaker_open", |b| {
        b.to_async(&runtime).iter(|| down.get(NS, &hit));
    });
    group.bench_function("eviction_propagation", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let started = Instant::now();
                for _ in 0..iters {
                    bus_a.evict(&Eviction::ApiKey { key_id: "k".into() });
                    let _ = heard.recv().await;
                }
                started.elapsed()
            })
        });
    });
    group.finish();
    c.final_summary();

    let delays = runtime.block_on(async {
        let mut delays = Vec::with_capacity(PROPAGATIONS);
        for i in 0..PROPAGATIONS {
            let sent = Instant::now();
            bus_a.evict(&Eviction::UserUpdated {
                user_id: format!("u{i}"),
            });
            if let Some(at) = heard.recv().await {
                delays.push(at.duration_since(sent));
            }
        }
        delays.sort();
        delays
    });
    report(&delays);
    drop(redis);
}

/// Two processes' buses; the second's hub reports what it hears.
fn bus_pair(
    config: &RedisConfig,
) -> (
    RedisEvictionBus,
    RedisEvictionBus,
    mpsc::UnboundedReceiver<Instant>,
) {
    let a = RedisEvictionBus::builder(config.clone(), EvictionHub::new())
        .build()
        .unwrap_or_else(|e| fail("bus", e));
    let (tx, rx) = mpsc::unbounded_channel();
    let hub = EvictionHub::new();
    hub.register(Arc::new(Heard(tx)));
    let b = RedisEvictionBus::builder(config.clone(), hub)
        .build()
        .unwrap_or_else(|e| fail("bus", e));
    (a, b, rx)
}

async fn wait_subscribed(buses: &[&RedisEvictionBus]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while buses.iter().any(|b| !b.stats().subscribed) {
        assert!(Instant::now() < deadline, "the buses did not subscribe");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Prints the distribution and writes `redis.json` for `cargo xtask bench --redis`.
fn report(delays: &[Duration]) {
    let at = |q: f64| {
        let rank = ((q * delays.len() as f64).ceil() as usize).clamp(1, delays.len().max(1));
        delays.get(rank - 1).copied().unwrap_or_default()
    };
    let (p50, p99, max) = (
        at(0.5),
        at(0.99),
        delays.last().copied().unwrap_or_default(),
    );
    println!(
        "eviction propagation, {} single evictions: p50 {p50:?}, p99 {p99:?}, max {max:?}",
        delays.len()
    );
    let Some(dir) = std::env::var_os("STACK_AUTH_BENCH_RESULTS") else {
        return;
    };
    let version = std::process::Command::new("redis-server")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let json = serde_json::json!({
        "redis_server": version,
        "propagation": {
            "count": delays.len(),
            "p50_ns": nanos(p50),
            "p99_ns": nanos(p99),
            "max_ns": nanos(max),
        },
    });
    let dir = std::path::PathBuf::from(dir);
    let _ = std::fs::create_dir_all(&dir);
    if let Err(e) = std::fs::write(dir.join("redis.json"), json.to_string()) {
        fail("writing redis.json", e);
    }
}
