//! The three paths of one verification: an in-process hit, a shared hit (the answer only in
//! Redis, put there by another instance), and Stack Auth asked.

use serde_json::{json, Value};
use stack_auth_benchmarks::{latency_summary, StandIn};
use stack_auth_core::DynTokenVerifier;
use stack_auth_redis::RedisSharedCache;

use crate::{timed, Build, Sizes};

/// Which verifier is measured.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    /// users/me only.
    Rest,
    /// The JWT check, then users/me (the default wiring).
    Composite,
}

impl Kind {
    /// One instance's verifier of this kind (behind a box, for both kinds alike: the same
    /// indirection on every path measured).
    async fn make(self, build: Build<'_>) -> Box<DynTokenVerifier> {
        match self {
            Kind::Rest => Box::new(build.rest()),
            Kind::Composite => Box::new(build.composite().await),
        }
    }
}

/// In-process hits, shared hits and upstream verifications of a verifier of `kind`.
pub(crate) async fn run(
    kind: Kind,
    stand_in: &StandIn,
    shared: &RedisSharedCache,
    sizes: &Sizes,
) -> Value {
    let build = |shared, caches| Build {
        stand_in,
        shared,
        caches,
    };
    let tokens = stand_in.stored_user_tokens(sizes.tokens).unwrap();
    // Another instance verified every token: Redis has their profiles.
    let filler = kind.make(build(Some(shared), true)).await;
    for token in &tokens {
        filler.verify(token).await.unwrap();
    }
    let warm = kind.make(build(Some(shared), true)).await;
    warm.verify(&tokens[0]).await.unwrap();
    let hit = timed(&warm, &tokens[..1], sizes.calls).await;
    let asked = stand_in.users_me_calls();
    let mut from_redis = Vec::with_capacity(sizes.rounds * tokens.len());
    for _ in 0..sizes.rounds {
        let fresh = kind.make(build(Some(shared), true)).await;
        from_redis.extend(timed(&fresh, &tokens, tokens.len()).await);
    }
    assert_eq!(
        stand_in.users_me_calls(),
        asked,
        "every shared hit came from Redis"
    );
    let upstream = kind.make(build(None, false)).await;
    let asking = timed(&upstream, &tokens[..1], sizes.calls).await;
    assert_eq!(
        stand_in.users_me_calls(),
        asked + sizes.calls as u64,
        "every upstream verification asked Stack Auth"
    );
    json!({
        "in_process_hit": latency_summary(hit),
        "shared_hit": latency_summary(from_redis),
        "upstream": latency_summary(asking),
    })
}
