//! The composite verifier (JWT check, then the profile from the REST verifier's cache) against
//! the `JwksVerifier` alone, for one repeated token of a user of the local stand-in (goal: the
//! composite within 1.2x of the JWKS verifier's time).
//!
//! Two pairs, measured in the same run:
//! * `jwks_warm` / `composite_warm_profile`: the JWKS token cache off, so both verify the
//!   signature every call; the composite then takes the profile from the warm REST cache.
//! * `jwks_token_cache_hit` / `composite_token_cache_hit`: the JWKS token cache on, so both
//!   answer the JWT check from the cache; the composite adds the REST cache lookup.
//!
//! After criterion, each pair is measured again interleaved ([`paired`]: alternating batches,
//! median of the per-pair ratios), which load drifting between criterion's back-to-back
//! functions cannot skew; both go to the results. The REST cache keeps the profile for 5 minutes here (the default is 30 s) so that it stays
//! warm for the whole measurement; the users/me calls made during it are counted and written
//! to the results (they should be zero). Run:
//! `cargo bench -p stack-auth-benchmarks --bench composite`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::{hint::black_box, time::Duration};

use criterion::{criterion_group, criterion_main, Criterion};
use serde_json::json;
use stack_auth_benchmarks::{paired, per_call, runtime, write_results, StandIn};
use stack_auth_composite::CompositeVerifier;
use stack_auth_core::TokenVerifier;

/// Interleaved pairs of batches in the paired check.
const PAIRS: usize = 41;

/// How long the REST verifier keeps the profile in this bench.
const PROFILE_CACHE_TTL: Duration = Duration::from_secs(300);

/// The warm paths never wait, so polling them to completion on this thread measures the
/// verifiers, not a scheduler (as in `stack-auth-jwks/benches/verify.rs`).
fn verify(verifier: &impl TokenVerifier, token: &str) {
    let user = futures::executor::block_on(verifier.verify(black_box(token))).unwrap();
    black_box(user);
}

fn benches(c: &mut Criterion) {
    let rt = runtime(1);
    let _context = rt.enter();
    let stand_in = rt.block_on(StandIn::start()).unwrap();
    let token = stand_in.token();
    let rest = rt
        .block_on(stand_in.rest_verifier(PROFILE_CACHE_TTL))
        .unwrap();
    let jwks_off = rt.block_on(stand_in.jwks_verifier(false)).unwrap();
    let jwks_on = rt.block_on(stand_in.jwks_verifier(true)).unwrap();
    let composite = |jwks| {
        let verifier = CompositeVerifier::builder_from_verifiers(jwks, rest.clone())
            .build()
            .unwrap();
        let user = rt.block_on(verifier.verify(token)).unwrap();
        assert!(
            user.profile().is_some(),
            "the composite returns the profile"
        );
        verifier
    };
    let composite_off = composite(jwks_off.clone());
    let composite_on = composite(jwks_on.clone());

    let calls_before = stand_in.users_me_calls();
    let mut group = c.benchmark_group("composite");
    group.bench_function("jwks_warm", |b| b.iter(|| verify(&jwks_off, token)));
    group.bench_function("composite_warm_profile", |b| {
        b.iter(|| verify(&composite_off, token))
    });
    group.bench_function("jwks_token_cache_hit", |b| {
        b.iter(|| verify(&jwks_on, token))
    });
    group.bench_function("composite_token_cache_hit", |b| {
        b.iter(|| verify(&composite_on, token))
    });
    group.finish();
    let warm = paired(
        PAIRS,
        || per_call(200, || verify(&composite_off, token)),
        || per_call(200, || verify(&jwks_off, token)),
    );
    let hit = paired(
        PAIRS,
        || per_call(5_000, || verify(&composite_on, token)),
        || per_call(5_000, || verify(&jwks_on, token)),
    );
    let calls = stand_in.users_me_calls() - calls_before;
    let results = json!({
        "users_me_calls_while_measuring": calls,
        "paired_warm_profile": warm.to_json(),
        "paired_token_cache_hit": hit.to_json(),
    });
    write_results("composite", &results).unwrap();
}

criterion_group! {
    name = composite;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(composite);
