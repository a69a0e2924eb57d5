//! The pairs of `crates/stack-auth-jwks/benches/verify.rs` measured interleaved: the warm
//! `JwksVerifier` (token cache off) and the token-cache hit, each against a bare
//! `jsonwebtoken::decode` of the same interop token with the same pre-parsed key, and the warm
//! verifier against the ECDSA P-256 check alone (the aws-lc-rs call jsonwebtoken makes, on the
//! same bytes; goal: at most 1.03x its time). Batches of
//! the two sides alternate (see `stack_auth_benchmarks::paired`), so a change of load on the
//! shared machine hits both; the criterion medians stay in `verify.rs`. Not a criterion bench;
//! run: `cargo bench -p stack-auth-benchmarks --bench verify_paired`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use aws_lc_rs::signature::{VerificationAlgorithm as _, ECDSA_P256_SHA256_FIXED};
use serde_json::{json, Value};
use stack_auth_benchmarks::{interop_dir, paired, per_call, runtime, write_results, InteropToken};
use stack_auth_core::TokenVerifier;
use stack_auth_jwks::JwksVerifier;

/// Interleaved pairs of batches.
const PAIRS: usize = 41;

fn verify(verifier: &JwksVerifier, token: &str) {
    // The warm path never waits: polling it on this thread measures the verifier.
    let user = futures::executor::block_on(verifier.verify(black_box(token))).unwrap();
    black_box(user);
}

fn main() {
    let fixture = InteropToken::load(&interop_dir()).unwrap();
    let served = fixture.serve();
    let rt = runtime(1);
    let _context = rt.enter();
    let warm = rt.block_on(fixture.jwks_verifier(&served, false)).unwrap();
    let cached = rt.block_on(fixture.jwks_verifier(&served, true)).unwrap();
    let (key, validation) = fixture.bare_decoder().unwrap();
    let ecdsa = fixture.ecdsa_input().unwrap();
    let ecdsa_only = || {
        ECDSA_P256_SHA256_FIXED
            .verify_sig(
                black_box(&ecdsa.point),
                black_box(&ecdsa.signing_input),
                black_box(&ecdsa.signature),
            )
            .unwrap();
    };
    let token = fixture.token.as_str();
    let decode = || {
        let data = jsonwebtoken::decode::<Value>(black_box(token), &key, &validation).unwrap();
        black_box(data);
    };
    // Batches of a few milliseconds on each side.
    let warm_pair = paired(
        PAIRS,
        || per_call(100, || verify(&warm, token)),
        || per_call(100, decode),
    );
    let hit_pair = paired(
        PAIRS,
        || per_call(5_000, || verify(&cached, token)),
        || per_call(100, decode),
    );
    let ecdsa_pair = paired(
        PAIRS,
        || per_call(100, || verify(&warm, token)),
        || per_call(100, ecdsa_only),
    );
    let results = json!({
        "paired_warm": warm_pair.to_json(),
        "paired_warm_ecdsa": ecdsa_pair.to_json(),
        "paired_token_cache_hit": hit_pair.to_json(),
    });
    write_results("verify", &results).unwrap();
}
