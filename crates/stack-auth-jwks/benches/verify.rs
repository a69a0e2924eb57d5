//! The warm verifier and the verified-token cache against a bare `jsonwebtoken::decode` with the
//! same pre-parsed key and equivalent validation (goals: at least 0.9x and 30x its throughput),
//! and the ECDSA P-256 check alone (the aws-lc-rs call jsonwebtoken makes): the floor under any
//! verifier on this backend (goal: the warm verifier within 1.03x of it; the cache hit at most
//! 700 ns). Also the same check with the public key parsed once (aws-lc-rs `ParsedPublicKey`,
//! which jsonwebtoken 12 does not offer: its verifier parses the point on every call), and the
//! token cache's keyed digest against SHA-256 of the same token.
//!
//! Run: `cargo bench -p stack-auth-jwks -- --warm-up-time 1 --measurement-time 3`. After
//! criterion's report, a summary prints the medians and ratios measured back to back.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::{
    hint::black_box,
    path::PathBuf,
    time::{Duration, Instant},
};

use aws_lc_rs::signature::{
    ParsedPublicKey, UnparsedPublicKey, VerificationAlgorithm as _, ECDSA_P256_SHA256_FIXED,
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use criterion::{criterion_group, Criterion};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use siphasher::sip128::{SipHasher13, SipHasher24};
use stack_auth_core::TokenVerifier;
use stack_auth_jwks::JwksVerifier;

struct Fixture {
    token: String,
    key: DecodingKey,
    /// The token's signing input, signature and public point, for the ECDSA-only baseline.
    signing_input: Vec<u8>,
    signature: Vec<u8>,
    point: Vec<u8>,
    /// The same point, parsed once.
    parsed: ParsedPublicKey,
    validation: Validation,
    warm: JwksVerifier,
    cached: JwksVerifier,
    runtime: tokio::runtime::Runtime,
    _server: mockito::ServerGuard,
}

fn interop() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/interop"
    ))
}

fn fixture() -> Fixture {
    let cases: Value =
        serde_json::from_str(&std::fs::read_to_string(interop().join("cases.json")).unwrap())
            .unwrap();
    let pid = cases["project_id"].as_str().unwrap().to_owned();
    let base = cases["base_url"].as_str().unwrap().to_owned();
    let case = cases["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "normal-user")
        .unwrap();
    let token = case["token"].as_str().unwrap().to_owned();
    let jwks_text = std::fs::read_to_string(
        interop()
            .join("jwks")
            .join(&pid)
            .join("jwks.json@include_anonymous=true"),
    )
    .unwrap();
    let jwks: Value = serde_json::from_str(&jwks_text).unwrap();
    let kid = jsonwebtoken::decode_header(&token).unwrap().kid.unwrap();
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .unwrap();
    let key =
        DecodingKey::from_ec_components(jwk["x"].as_str().unwrap(), jwk["y"].as_str().unwrap())
            .unwrap();
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    let (signing_input, signature) = (
        signing_input.as_bytes().to_vec(),
        URL_SAFE_NO_PAD.decode(signature).unwrap(),
    );
    let mut point = vec![0x04];
    for coordinate in [&jwk["x"], &jwk["y"]] {
        let bytes = URL_SAFE_NO_PAD
            .decode(coordinate.as_str().unwrap())
            .unwrap();
        point.extend(std::iter::repeat_n(0, 32 - bytes.len()));
        point.extend(bytes);
    }
    let mut validation = Validation::new(Algorithm::ES256);
    validation.leeway = 5;
    validation.set_audience(&[pid.as_str()]);
    validation.set_issuer(&[format!("{base}/api/v1/projects/{pid}")]);
    validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);

    let mut server = mockito::Server::new();
    server
        .mock(
            "GET",
            format!("/api/v1/projects/{pid}/.well-known/jwks.json").as_str(),
        )
        .match_query(mockito::Matcher::Exact("include_anonymous=true".into()))
        .with_header("cache-control", "public, max-age=3600")
        .with_body(jwks_text)
        .create();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let build = |cache: bool| {
        let b = JwksVerifier::builder(pid.as_str())
            .base_url(base.as_str())
            .jwks_url(format!(
                "{}/api/v1/projects/{pid}/.well-known/jwks.json",
                server.url()
            ));
        let b = if cache { b } else { b.disable_token_cache() };
        let v = b.build().unwrap();
        runtime.block_on(v.verify(&token)).unwrap();
        v
    };
    let warm = build(false);
    let cached = build(true);
    let parsed = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &point)
        .parse()
        .unwrap();
    Fixture {
        token,
        key,
        signing_input,
        signature,
        point,
        parsed,
        validation,
        warm,
        cached,
        runtime,
        _server: server,
    }
}

fn baseline(f: &Fixture) {
    let data = jsonwebtoken::decode::<Value>(black_box(&f.token), &f.key, &f.validation).unwrap();
    black_box(data);
}

/// The signature check alone, as jsonwebtoken's aws-lc backend makes it: no parsing, no claims.
fn ecdsa_only(f: &Fixture) {
    ECDSA_P256_SHA256_FIXED
        .verify_sig(
            black_box(&f.point),
            black_box(&f.signing_input),
            black_box(&f.signature),
        )
        .unwrap();
}

/// The same check with the point parsed once: the floor for a verifier that keeps its keys
/// parsed.
fn ecdsa_parsed_key(f: &Fixture) {
    f.parsed
        .verify_sig(black_box(&f.signing_input), black_box(&f.signature))
        .unwrap();
}

/// The warm path never waits, so polling it to completion on this thread measures the verifier
/// itself, not a scheduler.
fn verify(f: &Fixture, verifier: &JwksVerifier) {
    let user = futures::executor::block_on(verifier.verify(black_box(&f.token))).unwrap();
    black_box(user);
}

fn benches(c: &mut Criterion) {
    let f = fixture();
    let _enter = f.runtime.enter();
    let mut group = c.benchmark_group("verify");
    group.bench_function("jsonwebtoken_decode_baseline", |b| b.iter(|| baseline(&f)));
    group.bench_function("aws_lc_ecdsa_verify_only", |b| b.iter(|| ecdsa_only(&f)));
    group.bench_function("aws_lc_ecdsa_verify_parsed_key", |b| {
        b.iter(|| ecdsa_parsed_key(&f))
    });
    group.bench_function("jwks_verifier_warm", |b| b.iter(|| verify(&f, &f.warm)));
    group.bench_function("jwks_verifier_token_cache_hit", |b| {
        b.iter(|| verify(&f, &f.cached))
    });
    group.finish();
    // The token cache's key (a 128-bit SipHash-1-3 under a secret key) and what it replaced.
    let mut group = c.benchmark_group("token_digest");
    let bytes = f.token.as_bytes();
    let (k0, k1) = (0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908);
    group.bench_function("siphash13_128", |b| {
        b.iter(|| SipHasher13::new_with_keys(k0, k1).hash(black_box(bytes)))
    });
    group.bench_function("siphash24_128", |b| {
        b.iter(|| SipHasher24::new_with_keys(k0, k1).hash(black_box(bytes)))
    });
    group.bench_function("sha256", |b| b.iter(|| Sha256::digest(black_box(bytes))));
    group.finish();
    summary(&f);
}

/// Median time per call over `samples` batches of `iters` calls.
fn median(samples: usize, iters: u32, mut call: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..samples)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..iters {
                call();
            }
            start.elapsed() / iters
        })
        .collect();
    times.sort();
    times[samples / 2]
}

fn summary(f: &Fixture) {
    let base = median(21, 500, || baseline(f));
    let ecdsa = median(21, 500, || ecdsa_only(f));
    let parsed = median(21, 500, || ecdsa_parsed_key(f));
    let warm = median(21, 500, || verify(f, &f.warm));
    let hit = median(21, 20_000, || verify(f, &f.cached));
    let ratio = |d: Duration| base.as_secs_f64() / d.as_secs_f64();
    println!("\nsummary (medians of 21 batches, measured back to back):");
    println!("  jsonwebtoken::decode baseline : {base:>10.2?}");
    println!("  ECDSA P-256 check alone       : {ecdsa:>10.2?}");
    println!("  the same, key parsed once     : {parsed:>10.2?}");
    println!(
        "  warm JwksVerifier             : {warm:>10.2?}  throughput {:.2}x the baseline (goal >= 0.9x), \
         {:.3}x the ECDSA check's time (goal <= 1.03x)",
        ratio(warm),
        warm.as_secs_f64() / ecdsa.as_secs_f64()
    );
    println!(
        "  token-cache hit               : {hit:>10.2?}  throughput {:.1}x the baseline (goal >= 30x), \
         goal <= 700 ns",
        ratio(hit)
    );
}

criterion_group!(verify_benches, benches);

fn main() {
    verify_benches();
    Criterion::default().configure_from_args().final_summary();
}
