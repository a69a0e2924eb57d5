//! A key-set fetch whose runtime shuts down mid-flight must not leave the verifier stuck: the
//! next verification on another runtime starts a new fetch (found in review: the in-flight slot
//! used to keep the cancelled fetch forever, failing every later call).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use stack_auth_core::TokenVerifier;
use stack_auth_jwks::JwksVerifier;
use stack_auth_testkit::{Fault, LocalStackAuth, Route, UserSpec};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn a_fetch_cancelled_with_its_runtime_does_not_block_later_fetches() {
    // The stand-in lives on its own runtime for the whole test.
    let server_rt = runtime();
    let stack = server_rt.block_on(LocalStackAuth::start()).unwrap();
    let user = stack.create_user(UserSpec::normal()).unwrap();
    let token = stack.mint(&user);
    stack.inject(Route::Jwks, Fault::Hang);
    let verifier = JwksVerifier::builder_with_config(stack.config())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();

    // Runtime A starts the fetch, gives up waiting, and is shut down with the fetch in flight.
    let a = runtime();
    let waited = a.block_on(async {
        tokio::time::timeout(Duration::from_millis(200), verifier.verify(&token)).await
    });
    assert!(waited.is_err(), "the hanging fetch cannot have answered");
    assert!(verifier.status().fetch_in_flight);
    drop(a);

    // On runtime B, with the endpoint healthy again, the token verifies after a new fetch.
    stack.clear_faults();
    let b = runtime();
    let user_id = b
        .block_on(verifier.verify(&token))
        .unwrap()
        .user_id()
        .to_owned();
    assert_eq!(user_id, user.id);
    assert_eq!(stack.requests(Route::Jwks), 2);
    assert!(!verifier.status().fetch_in_flight);
    server_rt.block_on(stack.shutdown());
}
