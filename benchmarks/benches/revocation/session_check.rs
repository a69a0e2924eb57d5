//! The session check's part of the revocation bench (issue 20): what `SessionChecked` adds to a
//! warm verification, what a check costs when its answer is not cached (one session-list
//! request to the stand-in over loopback), and how soon a `SessionEnded` told to the session
//! checker turns into a refused request.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use serde_json::{json, Value};
use stack_auth_benchmarks::{latency_summary, paired, per_call, StandIn};
use stack_auth_composite::{CompositeVerifier, SessionChecked};
use stack_auth_core::{Evict, Eviction, RefusalReason, TokenVerifier};
use stack_auth_rest::{ServerApi, Sessions};
use stack_auth_testkit::UserSpec;
use tokio::runtime::Runtime;

use crate::{verify, PAIRS};

/// How long the session answers are kept while the warm paths are measured: longer than the
/// run, so every call of a batch is a hit (the default, 15 s, would put one list request into
/// some batches).
const WARM_TTL: Duration = Duration::from_secs(3600);
/// Session checks measured one by one (misses, and eviction to refusal).
const SAMPLES: usize = 400;

/// The session check's numbers, as the `session_check` member of `revocation.json`.
pub(crate) fn measure(rt: &Runtime, stand_in: &StandIn) -> Value {
    let stack = stand_in.stack();
    let token = stand_in.token();
    let api = ServerApi::builder_with_config(stack.config(), stack.secret_server_key())
        .build()
        .unwrap();
    let sessions = |ttl: Option<Duration>| {
        let builder = Sessions::builder(&api);
        match ttl {
            Some(ttl) => builder.cache_ttl(ttl),
            None => builder.disable_cache(),
        }
        .build()
        .unwrap()
    };

    // 1. Warm: the answer cached, against the same verification without the check.
    let jwks = rt.block_on(stand_in.jwks_verifier(true)).unwrap();
    let checked_jwks = SessionChecked::new(jwks.clone(), sessions(Some(WARM_TTL)));
    let rest = rt.block_on(stand_in.rest_verifier(WARM_TTL)).unwrap();
    let composite = CompositeVerifier::builder_from_verifiers(jwks.clone(), rest)
        .build()
        .unwrap();
    let checked_composite = SessionChecked::new(composite.clone(), sessions(Some(WARM_TTL)));
    for verifier in [&checked_jwks as &dyn TokenVerifier, &checked_composite] {
        rt.block_on(verifier.verify(token)).unwrap();
    }
    let jwks_hit = paired(
        PAIRS,
        || per_call(5_000, || verify(&jwks, token)),
        || per_call(5_000, || verify(&checked_jwks, token)),
    );
    let composite_hit = paired(
        PAIRS,
        || per_call(5_000, || verify(&composite, token)),
        || per_call(5_000, || verify(&checked_composite, token)),
    );

    // 2. Misses: every check asks for the user's list.
    let uncached = SessionChecked::new(jwks.clone(), sessions(None));
    let misses = (0..SAMPLES)
        .map(|_| {
            let started = Instant::now();
            rt.block_on(uncached.verify(token)).unwrap();
            started.elapsed()
        })
        .collect();

    // 3. `SessionEnded` told to the checker (by a bus, another process, your sign-out
    // endpoint) to the first refused request, each session's answer cached before.
    let checker = Arc::new(sessions(Some(WARM_TTL)));
    let checked = SessionChecked::new(jwks.clone(), Arc::clone(&checker));
    let user = stack.create_user(UserSpec::normal()).unwrap();
    let ended = (0..SAMPLES)
        .map(|_| {
            let session = stack.create_session(&user).unwrap();
            let token = stack.token_for_session(&session).unwrap().mint();
            rt.block_on(checked.verify(&token)).unwrap();
            let started = Instant::now();
            checker.evict(&Eviction::SessionEnded {
                user_id: user.id.clone(),
                session_id: session.id,
            });
            let refused = rt.block_on(checked.verify(&token)).unwrap_err();
            let elapsed = started.elapsed();
            assert_eq!(refused.refusal_reason(), Some(RefusalReason::SessionEnded));
            elapsed
        })
        .collect();
    json!({
        "paired_jwks_token_cache_hit": jwks_hit.to_json(),
        "paired_composite_token_cache_hit": composite_hit.to_json(),
        "miss": latency_summary(misses),
        "session_ended_to_refusal": latency_summary(ended),
    })
}
