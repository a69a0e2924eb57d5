//! The extra latency of a Redis outage: verifications that miss the process's own cache (a
//! fresh token each, so Stack Auth is asked) by the composite with the shared cache at its
//! default settings (50 ms per operation, a breaker opening after 5 failures for 5 s), while
//! Redis hangs (`SIGSTOP`: connections open, nothing answered) and while it is down (killed:
//! connections refused), against the same verifications by a composite without a shared cache.

use serde_json::{json, Value};
use stack_auth_benchmarks::{latency_summary, StandIn};
use stack_auth_core::TokenVerifier;
use stack_auth_redis::{RedisConfig, RedisSharedCache, DEFAULT_OPERATION_TIMEOUT};
use stack_auth_testkit::RedisServer;

use crate::{timed, Build};

/// An instance on a shared cache of default settings, connected while Redis answers; the
/// cache is returned for its statistics.
async fn instance(
    stand_in: &StandIn,
    config: &RedisConfig,
    warm_token: &str,
) -> (impl TokenVerifier, RedisSharedCache) {
    let cache = RedisSharedCache::builder(config.clone()).build().unwrap();
    let build = Build {
        stand_in,
        shared: Some(&cache),
        caches: true,
    };
    let verifier = build.composite().await;
    verifier.verify(warm_token).await.unwrap();
    (verifier, cache)
}

/// The latencies of `tokens` verified once each, with what the shared cache counted.
async fn during(
    verifier: &impl TokenVerifier,
    cache: &RedisSharedCache,
    tokens: &[String],
) -> Value {
    let samples = timed(verifier, tokens, tokens.len()).await;
    let stats = cache.stats();
    json!({
        "latency": latency_summary(samples),
        "timeouts": stats.timeouts,
        "errors": stats.errors,
        "skipped": stats.skipped,
    })
}

/// Verifications while Redis hangs, then while it is down (the server is left killed).
pub(crate) async fn run(
    stand_in: &StandIn,
    redis: &mut RedisServer,
    config: &RedisConfig,
    calls: usize,
) -> Value {
    let tokens = stand_in.stored_user_tokens(3 * calls + 2).unwrap();
    let (warm, tokens) = tokens.split_at(2);
    let (baseline_tokens, rest) = tokens.split_at(calls);
    let (hanging_tokens, down_tokens) = rest.split_at(calls);

    let baseline = Build {
        stand_in,
        shared: None,
        caches: true,
    }
    .composite()
    .await;
    baseline.verify(&warm[0]).await.unwrap();
    let alone = timed(&baseline, baseline_tokens, calls).await;

    let (verifier, cache) = instance(stand_in, config, &warm[0]).await;
    redis.pause();
    let hanging = during(&verifier, &cache, hanging_tokens).await;
    redis.resume();

    let (verifier, cache) = instance(stand_in, config, &warm[1]).await;
    redis.kill();
    let down = during(&verifier, &cache, down_tokens).await;

    json!({
        "operation_timeout_ms": DEFAULT_OPERATION_TIMEOUT.as_millis() as u64,
        "without_shared_cache": latency_summary(alone),
        "redis_hanging": hanging,
        "redis_down": down,
    })
}
