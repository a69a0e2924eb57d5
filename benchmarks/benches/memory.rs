//! Resident memory of the verified-token caches: the JWKS verifier's with 100,000 distinct
//! cached verdicts, and the REST verifier's with 10,000 (its default capacity; every entry costs
//! a users/me call to the stand-in, which is the slow part).
//!
//! Method (one process, `VmRSS` from `/proc/self/status`): mint the distinct tokens first (they
//! stay in memory throughout), warm the verifiers, then verify every token once with the cache
//! off (a control: what verification alone leaves resident) and once with it on. The cache's
//! cost is the growth during the second pass; a third pass confirms the verdicts are still held.
//! Before the passes, the verified claims of every JWKS token are parsed and held to the end:
//! what a cached verdict has to hand back whatever the cache, the floor under its size.
//! Not a criterion bench (nothing is timed); run:
//! `cargo bench -p stack-auth-benchmarks --bench memory`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use serde_json::{json, Value};
use stack_auth_benchmarks::{resident_kib, runtime, write_results, StandIn, TOKEN_LIFETIME};
use stack_auth_core::{AccessTokenClaims, TokenVerifier};
use stack_auth_jwks::JwksVerifier;
use stack_auth_rest::RestVerifier;
use stack_auth_testkit::Route;

const JWKS_ENTRIES: usize = 100_000;
const REST_ENTRIES: usize = 10_000;
/// The stand-in logs every request; clearing the log this often keeps it from growing.
const LOG_RESET_EVERY: usize = 500;

fn rss() -> u64 {
    resident_kib().expect("/proc/self/status has VmRSS")
}

/// Resident size before and after one pass, and how long it took.
struct Pass {
    before_kib: u64,
    after_kib: u64,
    secs: f64,
}

impl Pass {
    fn growth_kib(&self) -> i64 {
        self.after_kib as i64 - self.before_kib as i64
    }
}

/// Verifies every token once.
async fn pass(stand_in: &StandIn, verifier: &impl TokenVerifier, tokens: &[String]) -> Pass {
    let before_kib = rss();
    let start = Instant::now();
    for (i, token) in tokens.iter().enumerate() {
        verifier.verify(token).await.unwrap();
        if i % LOG_RESET_EVERY == 0 {
            stand_in.stack().reset_counts();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    Pass {
        before_kib,
        after_kib: rss(),
        secs,
    }
}

fn summary(entries: u64, control: &Pass, fill: &Pass, held: u64) -> Value {
    let growth = fill.growth_kib();
    json!({
        "entries": entries,
        "control_growth_kib": control.growth_kib(),
        "rss_before_fill_kib": fill.before_kib,
        "rss_after_fill_kib": fill.after_kib,
        "cache_growth_kib": growth,
        "bytes_per_entry": if entries == 0 { 0 } else { growth * 1024 / entries as i64 },
        "held_after_fill": held,
        "seconds_per_pass": [control.secs, fill.secs],
    })
}

/// Every token's claims, each in the `Arc` a verified user and a cached verdict share, and the
/// resident growth they caused.
fn claims_alone(tokens: &[String]) -> (Vec<Arc<AccessTokenClaims>>, Value) {
    let before = rss();
    let claims: Vec<Arc<AccessTokenClaims>> = tokens
        .iter()
        .map(|t| {
            let payload = URL_SAFE_NO_PAD
                .decode(t.split('.').nth(1).unwrap())
                .unwrap();
            Arc::new(AccessTokenClaims::from_json_slice(&payload).unwrap())
        })
        .collect();
    let growth = rss() as i64 - before as i64;
    let n = claims.len() as i64;
    let summary =
        json!({ "entries": n, "growth_kib": growth, "bytes_per_entry": growth * 1024 / n });
    (claims, summary)
}

async fn jwks(stand_in: &StandIn) -> Value {
    let tokens = stand_in.distinct_tokens(JWKS_ENTRIES).unwrap();
    let (claims, claims_alone) = claims_alone(&tokens);
    let control = stand_in.jwks_verifier(false).await.unwrap();
    let config = stand_in.stack().config();
    let cached = JwksVerifier::builder_with_config(config)
        .token_cache_capacity(JWKS_ENTRIES as u64)
        .token_cache_ttl(TOKEN_LIFETIME)
        .build()
        .unwrap();
    cached.prefetch().await.unwrap();
    let control = pass(stand_in, &control, &tokens).await;
    let fill = pass(stand_in, &cached, &tokens).await;
    let hits = cached.status().token_cache.unwrap().hits;
    pass(stand_in, &cached, &tokens).await;
    let stats = cached.status().token_cache.unwrap();
    let mut result = summary(stats.entries, &control, &fill, stats.hits - hits);
    result["claims_alone"] = claims_alone;
    drop(claims);
    result
}

async fn rest(stand_in: &StandIn) -> Value {
    let tokens = stand_in.stored_user_tokens(REST_ENTRIES).unwrap();
    let build = |ttl: Duration| {
        let builder = RestVerifier::builder_with_config(
            stand_in.stack().config(),
            stand_in.stack().secret_server_key(),
        );
        if ttl.is_zero() {
            builder.disable_token_cache()
        } else {
            builder
                .token_cache_ttl(ttl)
                .token_cache_capacity(REST_ENTRIES as u64)
        }
        .build()
        .unwrap()
    };
    let (control, cached) = (build(Duration::ZERO), build(TOKEN_LIFETIME));
    control.verify(stand_in.token()).await.unwrap();
    cached.verify(stand_in.token()).await.unwrap();
    let control = pass(stand_in, &control, &tokens).await;
    let fill = pass(stand_in, &cached, &tokens).await;
    stand_in.stack().reset_counts();
    for token in &tokens {
        cached.verify(token).await.unwrap();
    }
    let refetched = stand_in.stack().requests(Route::UsersMe);
    let held = tokens.len() as u64 - refetched;
    summary(tokens.len() as u64, &control, &fill, held)
}

fn main() {
    let rt = runtime(2);
    let stand_in = rt.block_on(StandIn::start()).unwrap();
    let jwks = rt.block_on(jwks(&stand_in));
    let rest = rt.block_on(rest(&stand_in));
    write_results("memory", &json!({ "jwks": jwks, "rest": rest })).unwrap();
}
