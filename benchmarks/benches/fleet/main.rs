//! A fleet on Redis, measured (issue 21), against a local `redis-server` the bench starts
//! itself and the Stack Auth stand-in, both on loopback. Each instance is a set of verifiers of
//! its own (its own in-process caches and Redis connections), standing for one process:
//!
//! * [`counts`]: users/me requests for K distinct tokens verified on each of N instances, with
//!   the shared cache (K) and without (N×K);
//! * [`paths`]: the cost of one verification, for the `RestVerifier` and the composite (JWKS +
//!   REST), when the answer is in the process's own cache (an in-process hit), when it is only
//!   in Redis (a shared hit: a fresh verifier per round over tokens another instance verified),
//!   and when Stack Auth is asked (users/me over loopback; for the composite also the signature
//!   check);
//! * [`propagation`]: the delay of an eviction across instances through the webhook path: a
//!   signed `user.deleted` delivery posted to instance A's axum route, its receiver evicting into
//!   A's eviction bus, until instance B's hub has it and until B refuses the user's cached token;
//! * [`outage`]: verifications that miss the process's own cache while Redis hangs (`SIGSTOP`)
//!   and while it is down (killed), against the same verifications without a shared cache: the
//!   bounded extra latency of an outage.
//!
//! Not a criterion bench (distributions, not means); `cargo xtask bench --redis` runs it and
//! writes the numbers into `BENCHMARKS.md`. Run alone: `cargo bench -p stack-auth-benchmarks
//! --bench fleet` (needs `redis-server` on `PATH`); with `STACK_AUTH_BENCH_QUICK=1` it runs a
//! tenth of the samples (a check that it works, not numbers to report).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod counts;
mod outage;
mod paths;
mod propagation;

use std::time::{Duration, Instant};

use serde_json::json;
use stack_auth_benchmarks::{runtime, write_results, StandIn};
use stack_auth_composite::CompositeVerifier;
use stack_auth_core::TokenVerifier;
use stack_auth_jwks::JwksVerifier;
use stack_auth_redis::{RedisConfig, RedisSharedCache};
use stack_auth_rest::RestVerifier;
use stack_auth_testkit::RedisServer;

/// How long answers are kept (in the process and in Redis): longer than the run.
const TTL: Duration = Duration::from_secs(1800);

/// `STACK_AUTH_BENCH_QUICK=1`: a tenth of the samples.
const QUICK_ENV: &str = "STACK_AUTH_BENCH_QUICK";

/// How many samples of each kind this run takes.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    /// Distinct tokens another instance put in Redis ([`paths`]).
    tokens: usize,
    /// Fresh verifiers, each answering every token once from Redis ([`paths`]).
    rounds: usize,
    /// Verifications timed on the in-process and the upstream paths ([`paths`]).
    calls: usize,
    /// Instances and distinct tokens of the request count ([`counts`]).
    instances: usize,
    count_tokens: usize,
    /// Deliveries timed across instances ([`propagation`]).
    deliveries: usize,
    /// Verifications timed per outage and for the baseline ([`outage`]).
    outage_calls: usize,
}

impl Sizes {
    fn from_env() -> (Sizes, bool) {
        let quick = std::env::var_os(QUICK_ENV).is_some_and(|v| v == "1");
        let div = if quick { 10 } else { 1 };
        let sizes = Sizes {
            tokens: 1_000 / div,
            rounds: 10,
            calls: 5_000 / div,
            instances: 4,
            count_tokens: 250 / div,
            deliveries: 300 / div,
            outage_calls: 1_000 / div,
        };
        (sizes, quick)
    }
}

type Composite = CompositeVerifier<JwksVerifier, RestVerifier>;

/// One instance's verifiers on `shared` (or none), with their token caches (or not).
struct Build<'a> {
    stand_in: &'a StandIn,
    shared: Option<&'a RedisSharedCache>,
    caches: bool,
}

impl Build<'_> {
    fn rest(&self) -> RestVerifier {
        let stack = self.stand_in.stack();
        let builder = RestVerifier::builder_with_config(stack.config(), stack.secret_server_key());
        let builder = match self.shared {
            Some(shared) => builder.shared_cache(shared.clone()),
            None => builder,
        };
        let builder = if self.caches {
            builder.token_cache_ttl(TTL)
        } else {
            builder.disable_token_cache()
        };
        builder.build().unwrap()
    }

    async fn jwks(&self) -> JwksVerifier {
        let builder = JwksVerifier::builder_with_config(self.stand_in.stack().config());
        let builder = match self.shared {
            Some(shared) => builder.shared_cache(shared.clone()),
            None => builder,
        };
        let builder = if self.caches {
            builder
        } else {
            builder.disable_token_cache()
        };
        let jwks = builder.build().unwrap();
        jwks.prefetch().await.unwrap();
        jwks
    }

    async fn composite(&self) -> Composite {
        CompositeVerifier::builder_from_verifiers(self.jwks().await, self.rest())
            .build()
            .unwrap()
    }
}

/// Times each of `calls` verifications of `tokens[i % len]` by `verifier`.
async fn timed(verifier: &impl TokenVerifier, tokens: &[String], calls: usize) -> Vec<Duration> {
    let mut samples = Vec::with_capacity(calls);
    for token in tokens.iter().cycle().take(calls) {
        let started = Instant::now();
        verifier.verify(token).await.unwrap();
        samples.push(started.elapsed());
    }
    samples
}

fn main() {
    let (sizes, quick) = Sizes::from_env();
    let rt = runtime(2);
    let _context = rt.enter();
    let mut redis = RedisServer::start().unwrap_or_else(|e| panic!("{e}"));
    let stand_in = rt.block_on(StandIn::start()).unwrap();
    let config = RedisConfig::builder(redis.url())
        .deployment("bench")
        .build()
        .unwrap();
    // Generous: the machine may be busy, and a timeout here would be a miss, not a shared hit.
    let shared = RedisSharedCache::builder(config.clone())
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let results = rt.block_on(async {
        let counts = counts::run(&stand_in, &config, &sizes).await;
        let rest = paths::run(paths::Kind::Rest, &stand_in, &shared, &sizes).await;
        let composite = paths::run(paths::Kind::Composite, &stand_in, &shared, &sizes).await;
        let propagation = propagation::run(&stand_in, &config, sizes.deliveries).await;
        // Last: it stops and kills the server.
        let outage = outage::run(&stand_in, &mut redis, &config, sizes.outage_calls).await;
        json!({
            "quick": quick,
            "requests": counts,
            "rest": rest,
            "composite": composite,
            "webhook_propagation": propagation,
            "outage": outage,
        })
    });
    write_results("fleet", &results).unwrap();
}
