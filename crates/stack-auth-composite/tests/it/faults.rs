//! The composite (JWKS first, users/me for the profile) under injected faults (issue 10): what
//! callers get when either upstream or both fail, that nothing waits past the configured
//! deadlines, and that hostile tokens cost users/me nothing even during an outage.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use stack_auth_composite::{CompositeVerifier, ProfilePolicy};
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
        .deadline(REST_DEADLINE)
        .retry_policy(RetryPolicy::new(2, Duration::from_millis(50)))
        .build()
        .unwrap();
    CompositeVerifier::builder_from_verifiers(jwks, rest)
        .unwrap()
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
