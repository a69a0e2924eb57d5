//! Issue 14, item 2, through the default wiring: one user's own profile (metadata nested past
//! serde_json's recursion limit, or larger than the body cap) is an answer about that user's
//! token alone. It never opens the REST circuit breaker, so under `Required` other users keep
//! verifying, and under `BestEffort` tokens of deleted users keep being refused (an open
//! breaker would have let them in on their claims).
#![cfg(feature = "default-wiring")]

use serde_json::Value;
use stack_auth_composite::{CompositeVerifier, ProfilePolicy};
use stack_auth_core::{ProfileStatus, RefusalReason, ServerUser, TokenVerifier};
use stack_auth_jwks::JwksVerifier;
use stack_auth_rest::RestVerifier;
use stack_auth_testkit::{LocalStackAuth, Route, UserSpec};

/// More answers about the hostile user than the breaker's default threshold (5).
const ANSWERS: usize = 10;

/// The default wiring with default settings (breaker, retries, 1 MiB cap).
fn wired(
    stack: &LocalStackAuth,
    policy: ProfilePolicy,
) -> CompositeVerifier<JwksVerifier, RestVerifier> {
    CompositeVerifier::builder_with_config(stack.config(), stack.secret_server_key())
        .profile_policy(policy)
        .build()
        .unwrap()
}

fn hostile_users(stack: &LocalStackAuth) -> [ServerUser; 2] {
    let deep = (0..300).fold(Value::Null, |inner, _| Value::Array(vec![inner]));
    let huge = Value::String("x".repeat(1_100_000));
    [deep, huge].map(|metadata| {
        stack
            .create_user(UserSpec::normal().client_metadata(metadata))
            .unwrap()
    })
}

#[tokio::test(start_paused = true)]
async fn under_required_another_users_profile_never_refuses_yours() {
    let stack = LocalStackAuth::start().await.unwrap();
    let v = wired(&stack, ProfilePolicy::Required);
    let [deep, huge] = hostile_users(&stack);
    let mut answers = Vec::new();
    for i in 0..ANSWERS {
        let session = format!("s{i}");
        answers.push(
            v.verify(&stack.token(&deep).session_id(&session).mint())
                .await,
        );
        answers.push(
            v.verify(&stack.token(&huge).session_id(&session).mint())
                .await,
        );
    }
    let alice = stack.create_user(UserSpec::normal()).unwrap();
    let before = stack.requests(Route::UsersMe);
    let user = v.verify(&stack.mint(&alice)).await.unwrap();
    assert_eq!(user.user_id(), alice.id);
    assert_eq!(stack.requests(Route::UsersMe), before + 1);
    for pair in answers.chunks(2) {
        assert_eq!(
            pair[0].as_ref().unwrap().profile_status(),
            ProfileStatus::Present
        );
        let err = pair[1].as_ref().unwrap_err();
        assert_eq!(err.reason_label(), "profile_too_large", "{err:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn under_best_effort_a_deleted_user_stays_refused_after_oversized_profiles() {
    let stack = LocalStackAuth::start().await.unwrap();
    let v = wired(&stack, ProfilePolicy::BestEffort);
    let [_, huge] = hostile_users(&stack);
    for i in 0..ANSWERS {
        let token = stack.token(&huge).session_id(format!("s{i}")).mint();
        // The oversized user is verified on their claims, without the profile.
        let user = v.verify(&token).await.unwrap();
        assert_eq!(user.profile_status(), ProfileStatus::Unavailable);
    }
    let gone = stack.create_user(UserSpec::normal()).unwrap();
    let token = stack.mint(&gone);
    stack.delete_user(&gone.id).unwrap();
    let err = v.verify(&token).await.unwrap_err();
    assert_eq!(err.refusal_reason(), Some(RefusalReason::UserNotFound));
}
