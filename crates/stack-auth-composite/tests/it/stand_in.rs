//! The default wiring (a real `JwksVerifier` and `RestVerifier`) against the local Stack Auth
//! stand-in, proving with its request counts what reaches `users/me`.
#![cfg(feature = "default-wiring")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use stack_auth_composite::{CompositeVerifier, ProfilePolicy};
use stack_auth_core::{
    ProfileStatus, RefusalReason, ServerUser, StackAuthConfig, TokenVerifier, Upstream, VerifyError,
};
use stack_auth_jwks::JwksVerifier;
use stack_auth_rest::{CircuitBreakerPolicy, RestVerifier, RetryPolicy};
use stack_auth_testkit::{Breakage, Fault, LocalStackAuth, Route, UserSpec};

type Wired = CompositeVerifier<JwksVerifier, RestVerifier>;

/// A cold composite for the stand-in; REST neither retries nor trips its breaker, so every
/// `users/me` request the composite causes is counted exactly once.
fn wired(stack: &LocalStackAuth, policy: ProfilePolicy) -> Wired {
    let jwks = JwksVerifier::builder_with_config(stack.config())
        .build()
        .unwrap();
    let rest = RestVerifier::builder_with_config(stack.config(), stack.secret_server_key())
        .retry_policy(RetryPolicy::none())
        .circuit_breaker(CircuitBreakerPolicy::disabled())
        .build()
        .unwrap();
    CompositeVerifier::builder_from_verifiers(jwks, rest)
        .profile_policy(policy)
        .build()
        .unwrap()
}

async fn stand_in() -> (LocalStackAuth, ServerUser) {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack
        .create_user(
            UserSpec::normal()
                .email("ada@example.com")
                .display_name("Ada"),
        )
        .unwrap();
    (stack, ada)
}

#[tokio::test]
async fn a_forged_or_expired_token_makes_no_users_me_request() {
    let (stack, ada) = stand_in().await;
    let v = wired(&stack, ProfilePolicy::Required);
    for (breakage, reason) in [
        (Breakage::WrongKey, RefusalReason::BadSignature),
        (Breakage::Tampered, RefusalReason::BadSignature),
        (Breakage::Expired, RefusalReason::Expired),
    ] {
        let token = stack.token(&ada).broken(breakage).mint();
        let err = v.verify(&token).await.unwrap_err();
        assert_eq!(err.refusal_reason(), Some(reason), "{}", breakage.label());
    }
    assert_eq!(stack.requests(Route::UsersMe), 0);
    assert_eq!(stack.requests(Route::Jwks), 1);
}

#[tokio::test]
async fn every_broken_token_is_refused_and_only_unknown_keys_reach_users_me() {
    let (stack, ada) = stand_in().await;
    let v = wired(&stack, ProfilePolicy::Required);
    for breakage in Breakage::ALL {
        let before = stack.requests(Route::UsersMe);
        let token = stack.token(&ada).broken(breakage).mint();
        let err = v.verify(&token).await.unwrap_err();
        let expected = breakage.expected_refusal();
        assert_eq!(err.refusal_reason(), Some(expected), "{}", breakage.label());
        // A kid nobody knows may be a key newer than the JWKS: REST, the authority, is asked
        // once (and says unparsable, reported as the more precise unknown_key).
        let asked = u64::from(expected == RefusalReason::UnknownKey);
        let made = stack.requests(Route::UsersMe) - before;
        assert_eq!(made, asked, "{}", breakage.label());
    }
}

#[tokio::test]
async fn a_valid_token_makes_one_users_me_request_then_none_while_cached() {
    let (stack, ada) = stand_in().await;
    let v = wired(&stack, ProfilePolicy::Required);
    let token = stack.mint(&ada);
    for _ in 0..3 {
        let user = v.verify(&token).await.unwrap();
        assert_eq!(user.user_id(), ada.id);
        assert_eq!(user.profile_status(), ProfileStatus::Present);
        assert_eq!(user.profile().map(|p| p.id.as_str()), Some(ada.id.as_str()));
        assert_eq!(user.display_name(), Some("Ada"));
        assert_eq!(user.claims().map(|c| c.sub.as_str()), Some(ada.id.as_str()));
    }
    assert_eq!(stack.requests(Route::UsersMe), 1);
    assert_eq!(stack.requests(Route::Jwks), 1);
}

#[tokio::test]
async fn a_jwks_outage_on_a_cold_verifier_falls_back_to_rest() {
    let (stack, ada) = stand_in().await;
    stack.inject(Route::Jwks, Fault::status(503));
    let v = wired(&stack, ProfilePolicy::Required);
    let user = v.verify(&stack.mint(&ada)).await.unwrap();
    assert_eq!(user.user_id(), ada.id);
    assert_eq!(user.profile().map(|p| p.id.as_str()), Some(ada.id.as_str()));
    assert_eq!(user.claims().map(|c| c.sub.as_str()), Some(ada.id.as_str()));
    assert!(stack.requests(Route::Jwks) >= 1);
    assert_eq!(stack.requests(Route::UsersMe), 1);

    // While the keys are missing, a token the screen can judge still costs REST nothing...
    let expired = stack.token(&ada).broken(Breakage::Expired).mint();
    let err = v.verify(&expired).await.unwrap_err();
    assert_eq!(err.refusal_reason(), Some(RefusalReason::Expired));
    let other = stack
        .token(&ada)
        .broken(Breakage::AudienceOfOtherProject)
        .mint();
    let err = v.verify(&other).await.unwrap_err();
    assert_eq!(err.refusal_reason(), Some(RefusalReason::WrongAudience));
    assert_eq!(stack.requests(Route::UsersMe), 1);

    // ...and one only a key can judge is decided by REST.
    let forged = stack.token(&ada).broken(Breakage::WrongKey).mint();
    let err = v.verify(&forged).await.unwrap_err();
    assert_eq!(err.refusal_reason(), Some(RefusalReason::Unparsable));
    assert_eq!(stack.requests(Route::UsersMe), 2);
}

#[tokio::test]
async fn a_deleted_user_is_refused() {
    let (stack, ada) = stand_in().await;
    let token = stack.mint(&ada);
    stack.delete_user(&ada.id).unwrap();
    for policy in [ProfilePolicy::Required, ProfilePolicy::BestEffort] {
        let err = wired(&stack, policy).verify(&token).await.unwrap_err();
        assert_eq!(
            err.refusal_reason(),
            Some(RefusalReason::UserNotFound),
            "{policy:?}"
        );
        assert_eq!(err.http_status(), 401);
    }
    assert_eq!(stack.requests(Route::UsersMe), 2);
}

#[tokio::test]
async fn required_profile_is_unavailable_when_users_me_fails() {
    let (stack, ada) = stand_in().await;
    stack.inject(Route::UsersMe, Fault::status(503));
    let err = wired(&stack, ProfilePolicy::Required)
        .verify(&stack.mint(&ada))
        .await
        .unwrap_err();
    assert!(matches!(err, VerifyError::Unavailable(ref u) if u.upstream() == Upstream::Api));
    assert_eq!(err.http_status(), 503);
    assert_eq!(stack.requests(Route::UsersMe), 1);
}

#[tokio::test]
async fn best_effort_profile_returns_the_claims_when_users_me_fails() {
    let (stack, ada) = stand_in().await;
    stack.inject(Route::UsersMe, Fault::status(503));
    let user = wired(&stack, ProfilePolicy::BestEffort)
        .verify(&stack.mint(&ada))
        .await
        .unwrap();
    assert_eq!(user.user_id(), ada.id);
    assert_eq!(user.profile_status(), ProfileStatus::Unavailable);
    assert!(user.profile().is_none());
    assert_eq!(user.email(), Some("ada@example.com"));
    assert_eq!(stack.requests(Route::UsersMe), 1);
}

#[tokio::test]
async fn on_demand_loads_the_profile_later_with_exactly_one_request() {
    let (stack, ada) = stand_in().await;
    let user = wired(&stack, ProfilePolicy::OnDemand)
        .verify(&stack.mint(&ada))
        .await
        .unwrap();
    assert_eq!(user.profile_status(), ProfileStatus::Deferred);
    assert_eq!(stack.requests(Route::UsersMe), 0);
    let profile = user.load_profile().await.unwrap();
    assert_eq!(profile.id, ada.id);
    assert_eq!(profile.display_name.as_deref(), Some("Ada"));
    assert_eq!(stack.requests(Route::UsersMe), 1);
}

#[tokio::test]
async fn the_default_constructors_verify_against_the_stand_in() {
    let (stack, ada) = stand_in().await;
    let v = CompositeVerifier::from_config(stack.config(), stack.secret_server_key()).unwrap();
    assert_eq!(v.profile_policy(), ProfilePolicy::Required);
    let user = v.verify(&stack.mint(&ada)).await.unwrap();
    assert_eq!(user.email(), Some("ada@example.com"));
    assert_eq!(stack.requests(Route::UsersMe), 1);
}

#[tokio::test]
async fn verifiers_configured_differently_are_not_wired_together() {
    let (stack, _) = stand_in().await;
    let jwks = JwksVerifier::builder_with_config(stack.config())
        .build()
        .unwrap();
    let other: StackAuthConfig = stack
        .config_builder()
        .accept(stack_auth_core::UserType::Anonymous)
        .build()
        .unwrap();
    let rest = RestVerifier::builder_with_config(other, stack.secret_server_key())
        .build()
        .unwrap();
    let err = CompositeVerifier::builder_from_verifiers(jwks, rest)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("accepted user types"), "{err}");
}

/// Like every `builder_with_config`, the composite's returns the builder: a configuration a
/// verifier refuses is reported by `build`, with policies set in between.
#[tokio::test]
async fn the_default_wiring_reports_a_refused_configuration_at_build() {
    let (stack, _) = stand_in().await;
    let err = CompositeVerifier::builder_with_config(stack.config(), "")
        .profile_policy(ProfilePolicy::BestEffort)
        .build()
        .unwrap_err();
    assert!(
        matches!(
            err,
            stack_auth_core::ConfigError::Invalid {
                field: "secret_server_key",
                ..
            }
        ),
        "{err}"
    );
}
