//! Issue 14, item 6, through the composite: its REST path (profiles of verified tokens, and
//! the unknown-key path) shares the REST verifier's cap on concurrent users/me requests.

use std::time::Duration;

use stack_auth_composite::CompositeVerifier;
use stack_auth_core::TokenVerifier;
use stack_auth_jwks::JwksVerifier;
use stack_auth_rest::RestVerifier;
use stack_auth_testkit::{Breakage, Fault, LocalStackAuth, Route, UserSpec};
use tokio::time::sleep;

#[tokio::test(start_paused = true)]
async fn the_composite_sends_at_most_the_cap_of_users_me_requests_at_once() {
    let stack = LocalStackAuth::start().await.unwrap();
    let jwks = JwksVerifier::builder_with_config(stack.config())
        .build()
        .unwrap();
    jwks.prefetch().await.unwrap();
    let rest = RestVerifier::builder_with_config(stack.config(), stack.secret_server_key())
        .max_concurrent_requests(1)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let v = CompositeVerifier::builder_from_verifiers(jwks, rest)
        .build()
        .unwrap();
    stack.inject(Route::UsersMe, Fault::Latency(Duration::from_secs(1)));
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let tokens = [
        stack.mint(&stack.create_user(UserSpec::normal()).unwrap()),
        stack.mint(&ada),
        stack.token(&ada).broken(Breakage::UnknownKid).mint(),
    ];
    let tasks: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            let v = v.clone();
            tokio::spawn(async move { v.verify(&token).await.is_ok() })
        })
        .collect();
    for expected in 1..=3 {
        sleep(Duration::from_millis(500)).await;
        assert_eq!(stack.requests(Route::UsersMe), expected);
        sleep(Duration::from_millis(500)).await;
    }
    let mut accepted = Vec::new();
    for task in tasks {
        accepted.push(task.await.unwrap());
    }
    assert_eq!(accepted, [true, true, false], "the forged token is refused");
}
