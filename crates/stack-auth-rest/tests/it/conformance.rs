//! The testkit's conformance suite, run against the REST verifier for each set of accepted
//! user types.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use stack_auth_core::{UserType, UserTypes};
use stack_auth_rest::RestVerifier;
use stack_auth_testkit::{
    conformance::{self, Capabilities},
    LocalStackAuth,
};

async fn conforms(accepted: UserTypes) {
    let stack = LocalStackAuth::start().await.unwrap();
    let config = stack
        .config_builder()
        .accepted_user_types(accepted)
        .build()
        .unwrap();
    let verifier = RestVerifier::builder_with_config(config, stack.secret_server_key())
        .build()
        .unwrap();
    let report = conformance::run(&verifier, &stack, Capabilities::remote(accepted)).await;
    report.assert_passed();
}

#[tokio::test]
async fn conforms_accepting_normal_users_only() {
    conforms(UserTypes::NORMAL_ONLY).await;
}

#[tokio::test]
async fn conforms_accepting_every_user_type() {
    conforms(UserTypes::ALL).await;
}

#[tokio::test]
async fn conforms_accepting_normal_and_restricted_users() {
    conforms(UserTypes::NORMAL_ONLY.with(UserType::Restricted)).await;
}
