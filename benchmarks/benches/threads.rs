//! Throughput of the warm `JwksVerifier` (token cache off: every call verifies a signature) over
//! a batch of distinct valid tokens on one OS thread and on two at once (goal: two threads give
//! at least 1.7x the throughput of one).
//!
//! Each sample spawns the threads afresh and times a fixed number of verifications split evenly
//! between them; criterion reports wall time per verification, so the ratio of the two medians
//! is the throughput ratio. The same is measured for a bare `jsonwebtoken::decode` of the same
//! tokens with a pre-parsed key: a control telling how much the machine itself lets two threads
//! scale at that moment (it has two cores, shared with other work).
//! After criterion, both are measured again interleaved (`paired_together`: in each round, a
//! 1- and a 2-thread batch of each, in alternating order; median of the per-round ratios), so
//! the verifier and the control see the same moments; written to the results.
//! Run: `cargo bench -p stack-auth-benchmarks --bench threads`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::{hint::black_box, time::Duration};

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::json;
use stack_auth_benchmarks::{on_threads, paired_together, runtime, write_results, StandIn};
use stack_auth_core::{TokenVerifier, UserType};

/// Distinct tokens in the batch (all of one project and key).
const BATCH: usize = 1024;
/// Interleaved pairs of batches in the paired check, and verifications per batch.
const PAIRS: usize = 31;
const PAIR_BATCH: u64 = 400;

/// The bare decode with the stand-in's public key parsed once and the same checks.
fn bare_decoder(stand_in: &StandIn) -> (DecodingKey, Validation) {
    let minter = stand_in.stack().minter();
    let jwk = minter.signing_key(UserType::Normal).public_jwk();
    let key = DecodingKey::from_ec_components(&jwk.x, &jwk.y).unwrap();
    let mut validation = Validation::new(Algorithm::ES256);
    validation.leeway = 5;
    validation.set_audience(&[minter.audience(UserType::Normal)]);
    validation.set_issuer(&[minter.issuer(UserType::Normal)]);
    validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    (key, validation)
}

fn benches(c: &mut Criterion) {
    let rt = runtime(1);
    let stand_in = rt.block_on(StandIn::start()).unwrap();
    let tokens = stand_in.distinct_tokens(BATCH).unwrap();
    let verifier = rt.block_on(stand_in.jwks_verifier(false)).unwrap();
    let (key, validation) = bare_decoder(&stand_in);
    let handle = rt.handle();
    let verify = |token: &str| {
        let user = futures::executor::block_on(verifier.verify(token)).unwrap();
        black_box(user);
    };
    let decode = |token: &str| {
        let data = jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation).unwrap();
        black_box(data);
    };

    let mut group = c.benchmark_group("threads");
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(1));
    for (threads, suffix) in [(1, "1_thread"), (2, "2_threads")] {
        group.bench_function(format!("jwks_{suffix}"), |b| {
            b.iter_custom(|iters| on_threads(Some(handle), &tokens, threads, iters, verify))
        });
        group.bench_function(format!("decode_{suffix}"), |b| {
            b.iter_custom(|iters| on_threads(None, &tokens, threads, iters, decode))
        });
    }
    group.finish();
    // on_threads gives the time of the whole batch; paired wants it per verification. The
    // control pair is measured in the same rounds, so it sees the same load.
    let on = |context, threads, call: &(dyn Fn(&str) + Sync)| {
        on_threads(context, &tokens, threads, PAIR_BATCH, call) / PAIR_BATCH as u32
    };
    let [jwks, control] = paired_together(
        PAIRS,
        [
            (&mut || on(Some(handle), 2, &verify), &mut || {
                on(Some(handle), 1, &verify)
            }),
            (&mut || on(None, 2, &decode), &mut || on(None, 1, &decode)),
        ],
    );
    let results = json!({ "paired_jwks": jwks.to_json(), "paired_decode": control.to_json() });
    write_results("threads", &results).unwrap();
}

criterion_group! {
    name = threads;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(40);
    targets = benches
}
criterion_main!(threads);
