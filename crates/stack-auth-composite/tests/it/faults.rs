//! The composite (JWKS first, users/me for the profile) under injected faults (issue 10): what
//! callers get when either upstream or both fail, that nothing waits past the configured
//! deadlines, and that hostile tokens cost users/me nothing even during an outage.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use stack_auth_composite::{CompositeVerifier, ProfilePolicy, UnknownKeyBudget};
use stack_auth_core::{
    ProfileStatus, RefusalReason, TokenVerifier, UnavailableKind, Upstream, VerifiedUser,
    VerifyError,
};
use stack_auth_jwks::JwksVerifier;
use stack_auth_rest::{RestVerifier, RetryPolicy};
use stack_auth_testkit::{Breakage, Fault, LocalStackAuth, Route, UserSpec};
use tokio::time::Instant;

const JWKS_TIMEOUT: Duration = Duration::from_secs(1);
const REST_DEADLINE: Duration = Duration::from_secs(2);

fn composite(
    stack: &LocalStackAuth,
    policy: ProfilePolicy,
) -> CompositeVerifier<JwksVerifier, RestVerifier> {
    let jwks = JwksVerifier::builder_with_config(stack.config())
        .timeout(JWKS_TIMEOUT)
        .build()
        .unwrap();
    let rest = RestVerifier::builder_with_config(stack.config(), stack.secret_server_key())
        .timeout(REST_DEADLINE)
        .retry_policy(RetryPolicy::new(2, Duration::from_millis(50)))
        .build()
        .unwrap();
    CompositeVerifier::builder_from_verifiers(jwks, rest)
        .profile_policy(policy)
        .build()
        .unwrap()
}

/// Verifies, asserting both deadlines together bound the call.
async fn timed(
    v: &CompositeVerifier<JwksVerifier, RestVerifier>,
    token: &str,
) -> Result<VerifiedUser, VerifyError> {
    let started = Instant::now();
    let result = v.verify(token).await;
    let took = started.elapsed();
    assert!(took <= JWKS_TIMEOUT + REST_DEADLINE, "took {took:?}");
    result
}

/// Tokens every verifier refuses whatever its keys say: costless to refuse locally.
fn hostile(stack: &LocalStackAuth) -> Vec<(Breakage, String)> {
    let user = stack.create_user(UserSpec::normal()).unwrap();
    [
        Breakage::Expired,
        Breakage::AudienceOfOtherProject,
        Breakage::AlgNone,
        Breakage::TwoSegments,
        Breakage::PayloadNotJson,
        Breakage::Huge,
    ]
    .into_iter()
    .map(|b| (b, stack.token(&user).broken(b).mint()))
    .collect()
}

#[tokio::test(start_paused = true)]
async fn jwks_down_asks_users_me_for_screened_tokens_only() {
    let stack = LocalStackAuth::start().await.unwrap();
    stack.inject(Route::Jwks, Fault::Hang);
    let v = composite(&stack, ProfilePolicy::Required);
    let user = stack.create_user(UserSpec::normal()).unwrap();
    let verified = timed(&v, &stack.mint(&user)).await.unwrap();
    assert_eq!(verified.user_id(), user.id);
    assert_eq!(verified.profile_status(), ProfileStatus::Present);
    assert_eq!(stack.requests(Route::UsersMe), 1);
    for (breakage, token) in hostile(&stack) {
        let err = timed(&v, &token).await.unwrap_err();
        assert!(err.refusal_reason().is_some(), "{breakage:?}: {err:?}");
    }
    assert_eq!(
        stack.requests(Route::UsersMe),
        1,
        "hostile tokens never reach users/me"
    );
    assert_eq!(
        stack.requests(Route::Jwks),
        1,
        "one attempt per retry interval"
    );
}

#[tokio::test(start_paused = true)]
async fn users_me_hanging_is_unavailable_or_claims_only_by_policy() {
    let stack = LocalStackAuth::start().await.unwrap();
    let required = composite(&stack, ProfilePolicy::Required);
    let best_effort = composite(&stack, ProfilePolicy::BestEffort);
    let token = stack.mint(&stack.create_user(UserSpec::normal()).unwrap());
    // Warm both key sets, then users/me hangs.
    required.verify(&token).await.unwrap();
    best_effort.verify(&token).await.unwrap();
    stack.inject(Route::UsersMe, Fault::Hang);
    let fresh = stack.mint(&stack.create_user(UserSpec::normal()).unwrap());

    let err = timed(&required, &fresh).await.unwrap_err();
    assert!(
        matches!(&err, VerifyError::Unavailable(u)
            if u.upstream() == Upstream::Api && u.kind() == UnavailableKind::Timeout),
        "{err:?}"
    );
    let user = timed(&best_effort, &fresh).await.unwrap();
    assert_eq!(user.profile_status(), ProfileStatus::Unavailable);
    assert!(user.claims().is_some());

    // A forged token is refused by the JWT check: users/me is not asked, nobody waits.
    stack.reset_counts();
    let forged = stack
        .token(&stack.create_user(UserSpec::normal()).unwrap())
        .broken(Breakage::WrongKey)
        .mint();
    let started = Instant::now();
    let err = required.verify(&forged).await.unwrap_err();
    assert_eq!(err.refusal_reason(), Some(RefusalReason::BadSignature));
    assert!(started.elapsed() < Duration::from_millis(1));
    assert_eq!(stack.requests(Route::UsersMe), 0);
}

#[tokio::test(start_paused = true)]
async fn both_down_is_unavailable_and_garbage_is_still_refused_for_free() {
    let stack = LocalStackAuth::start().await.unwrap();
    stack.inject(Route::Jwks, Fault::status(503));
    stack.inject(Route::UsersMe, Fault::status(503));
    let v = composite(&stack, ProfilePolicy::BestEffort);
    let token = stack.mint(&stack.create_user(UserSpec::normal()).unwrap());
    let err = timed(&v, &token).await.unwrap_err();
    assert_eq!(err.http_status(), 503, "{err:?}");
    assert_eq!(
        stack.requests(Route::UsersMe),
        2,
        "retried within the policy"
    );
    stack.reset_counts();
    for (breakage, token) in hostile(&stack) {
        let err = timed(&v, &token).await.unwrap_err();
        assert!(err.refusal_reason().is_some(), "{breakage:?}: {err:?}");
    }
    assert_eq!(stack.requests(Route::UsersMe), 0);
    assert_eq!(
        stack.requests(Route::Jwks),
        0,
        "inside the JWKS retry interval"
    );
}

/// Forged tokens with invented `kid`s and this project's plausible claims, one per session.
fn invented_kids(stack: &LocalStackAuth, count: usize) -> Vec<String> {
    let mallory = stack.create_user(UserSpec::normal()).unwrap();
    (0..count)
        .map(|i| {
            stack
                .token(&mallory)
                .session_id(format!("forged-{i}"))
                .broken(Breakage::UnknownKid)
                .mint()
        })
        .collect()
}

/// Issue 14, item 3: a flood of forged unknown-kid tokens while users/me answers 429 (the
/// project's rate limit spent) costs users/me exactly the unknown-key budget, one request per
/// token and no retries, and never opens the REST circuit breaker: once Stack Auth answers
/// again, a legitimate user's fresh token verifies at once.
#[tokio::test(start_paused = true)]
async fn a_flood_of_forged_unknown_kid_tokens_answered_429_leaves_a_fresh_token_verifying() {
    let stack = LocalStackAuth::start().await.unwrap();
    // The default wiring with default settings: budget 5 per minute, breaker after 5 failures.
    let v = CompositeVerifier::builder_with_config(stack.config(), stack.secret_server_key())
        .build()
        .unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    v.verify(&stack.mint(&ada)).await.unwrap();
    stack.reset_counts();
    stack.inject(Route::UsersMe, Fault::RateLimited { retry_after: None });
    let mut rate_limited = 0;
    for token in invented_kids(&stack, 200) {
        match v.verify(&token).await {
            Err(VerifyError::Unavailable(u)) if u.kind() == UnavailableKind::RateLimited => {
                rate_limited += 1;
            }
            Err(e) => assert_eq!(e.reason_label(), "unknown_key"),
            Ok(user) => panic!("a forged token was accepted: {user:?}"),
        }
    }
    assert_eq!(rate_limited, 5);
    assert_eq!(
        stack.requests(Route::UsersMe),
        5,
        "the budget, one request each"
    );
    assert_eq!(
        stack.requests(Route::Jwks),
        1,
        "one unknown-kid refetch per cooldown"
    );

    stack.clear_faults();
    let bob = stack.create_user(UserSpec::normal()).unwrap();
    let user = v.verify(&stack.mint(&bob)).await.unwrap();
    assert_eq!(user.user_id(), bob.id);
    assert_eq!(user.profile_status(), ProfileStatus::Present);
    assert_eq!(stack.requests(Route::UsersMe), 6);
}

/// Exact users/me counts for a configured budget: its size at once, then one per refill
/// interval, whatever the flood.
#[tokio::test(start_paused = true)]
async fn the_unknown_key_budget_costs_users_me_exactly_its_size_then_one_per_interval() {
    let stack = LocalStackAuth::start().await.unwrap();
    let v = CompositeVerifier::builder_with_config(stack.config(), stack.secret_server_key())
        .unknown_key_budget(UnknownKeyBudget::new(3, Duration::from_secs(300)))
        .build()
        .unwrap();
    let forged = invented_kids(&stack, 60);
    let (first, later) = forged.split_at(30);
    for token in first {
        let err = v.verify(token).await.unwrap_err();
        assert_eq!(err.refusal_reason(), Some(RefusalReason::UnknownKey));
    }
    assert_eq!(stack.requests(Route::UsersMe), 3);
    // One refill interval (100 s) later: exactly one more.
    tokio::time::advance(Duration::from_secs(100)).await;
    for token in later {
        let err = v.verify(token).await.unwrap_err();
        assert_eq!(err.refusal_reason(), Some(RefusalReason::UnknownKey));
    }
    assert_eq!(stack.requests(Route::UsersMe), 4);
}
