//! The REST verifier against the local stand-in (users/me over loopback HTTP): verifications per
//! second and users/me calls per verification, with the default success cache (30 s) and with
//! it off, one verification at a time; and, cache off, 16 at a time over 64 distinct users.
//!
//! Criterion gives the time per verification; the calls the stand-in answered and the
//! verifications made (warm-up included) are counted around each function and written to the
//! results. The stand-in checks each token's ES256 signature itself and runs on the same two
//! cores, so the uncached numbers are a floor for a real deployment's CPU cost, not its latency.
//! Run: `cargo bench -p stack-auth-benchmarks --bench rest`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::{
    hint::black_box,
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

use criterion::{criterion_group, criterion_main, Criterion};
use futures::StreamExt;
use serde_json::{json, Map, Value};
use stack_auth_benchmarks::{runtime, write_results, StandIn};
use stack_auth_core::TokenVerifier;
use stack_auth_rest::{RestVerifier, DEFAULT_TOKEN_CACHE_TTL};

/// Verifications in flight at once in the concurrent case.
const CONCURRENCY: usize = 16;
/// Distinct users cycled through in the concurrent case.
const USERS: usize = 64;

async fn verify_one(verifier: &RestVerifier, token: &str, count: &AtomicU64) {
    count.fetch_add(1, Ordering::Relaxed);
    black_box(verifier.verify(token).await.unwrap());
}

async fn verify_concurrently(
    verifier: &RestVerifier,
    tokens: &[String],
    iters: u64,
    count: &AtomicU64,
) -> Duration {
    let start = Instant::now();
    futures::stream::iter(0..iters)
        .map(|i| verify_one(verifier, &tokens[i as usize % tokens.len()], count))
        .buffer_unordered(CONCURRENCY)
        .collect::<()>()
        .await;
    start.elapsed()
}

fn benches(c: &mut Criterion) {
    let rt = runtime(2);
    let stand_in = rt.block_on(StandIn::start()).unwrap();
    let token = stand_in.token();
    let tokens = stand_in.stored_user_tokens(USERS).unwrap();
    let cached = rt
        .block_on(stand_in.rest_verifier(DEFAULT_TOKEN_CACHE_TTL))
        .unwrap();
    let uncached = rt.block_on(stand_in.rest_verifier(Duration::ZERO)).unwrap();

    let mut results = Map::new();
    let mut group = c.benchmark_group("rest");
    let mut counted = |id: &str, run: &mut dyn FnMut(&AtomicU64)| {
        let count = AtomicU64::new(0);
        let calls = stand_in.users_me_calls();
        run(&count);
        let calls = stand_in.users_me_calls() - calls;
        let verifications = count.load(Ordering::Relaxed);
        results.insert(
            id.to_owned(),
            json!({ "verifications": verifications, "users_me_calls": calls }),
        );
    };
    counted("cached", &mut |count| {
        group.bench_function("cached", |b| {
            b.to_async(&rt).iter(|| verify_one(&cached, token, count))
        });
    });
    counted("uncached", &mut |count| {
        group.bench_function("uncached", |b| {
            b.to_async(&rt).iter(|| verify_one(&uncached, token, count))
        });
    });
    counted("uncached_16_concurrent", &mut |count| {
        group.bench_function("uncached_16_concurrent", |b| {
            b.to_async(&rt)
                .iter_custom(|iters| verify_concurrently(&uncached, &tokens, iters, count))
        });
    });
    group.finish();
    write_results("rest", &Value::Object(results)).unwrap();
}

criterion_group! {
    name = rest;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(50);
    targets = benches
}
criterion_main!(rest);
