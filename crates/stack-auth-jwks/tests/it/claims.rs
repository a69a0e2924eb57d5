//! Tokens minted by the stand-in with its own keys: every breakage, user types, legacy claims,
//! leeway.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::time::Duration;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};

use stack_auth_core::{RefusalReason, RestrictedReason, TokenVerifier, UserType, UserTypes};
use stack_auth_testkit::{Breakage, UserSpec};

use crate::common::*;

#[tokio::test]
async fn every_breakage_gets_the_refusal_a_jwks_verifier_must_give() {
    let kit = Kit::start().await;
    let verifier = kit
        .verifier()
        .accepted_user_types(UserTypes::ALL)
        .build()
        .unwrap();
    let user = kit.stack.create_user(UserSpec::normal()).unwrap();
    for breakage in Breakage::ALL {
        let token = kit.stack.token(&user).broken(breakage).mint();
        let got = reason(verifier.verify(&token).await);
        assert_eq!(got, breakage.expected_refusal(), "{}", breakage.label());
    }
    // One fetch, plus the single unknown-kid refetch the cooldown allows for three hostile kids.
    assert_eq!(kit.jwks_requests(), 2);
    assert_eq!(verifier.status().unknown_kid_refetch_count, 1);
}

#[tokio::test]
async fn user_types_are_refused_after_the_signature_unless_accepted() {
    let kit = Kit::start().await;
    let restricted = kit.token_of(UserSpec::restricted(RestrictedReason::EmailNotVerified));
    let by_admin = kit.token_of(UserSpec::restricted(
        RestrictedReason::RestrictedByAdministrator,
    ));
    let anonymous = kit.token_of(UserSpec::anonymous());
    let normal = kit.token();
    let normal_only = kit.verifier().build().unwrap();
    for token in [&restricted, &by_admin, &anonymous] {
        let err = normal_only.verify(token).await.unwrap_err();
        assert_eq!(
            err.refusal_reason(),
            Some(RefusalReason::UserTypeNotAllowed)
        );
        assert_eq!(err.http_status(), 403);
    }
    let all = kit
        .verifier()
        .accepted_user_types(UserTypes::ALL)
        .build()
        .unwrap();
    let user = all.verify(&anonymous).await.unwrap();
    assert_eq!(user.user_type(), UserType::Anonymous);
    assert_eq!(user.restricted_reason(), Some(RestrictedReason::Anonymous));
    let user = all.verify(&by_admin).await.unwrap();
    assert_eq!(user.user_type(), UserType::Restricted);
    assert_eq!(
        user.restricted_reason(),
        Some(RestrictedReason::RestrictedByAdministrator)
    );
    let restricted_ok = kit.verifier().accept(UserType::Restricted).build().unwrap();
    restricted_ok.verify(&restricted).await.unwrap();
    restricted_ok.verify(&normal).await.unwrap();
    assert_eq!(
        reason(restricted_ok.verify(&anonymous).await),
        RefusalReason::UserTypeNotAllowed
    );
    // A refused user type is never cached as accepted, and the key set is shared per verifier.
    assert_eq!(
        reason(normal_only.verify(&restricted).await),
        RefusalReason::UserTypeNotAllowed
    );
}

#[tokio::test]
async fn legacy_claims_and_extra_claims_are_accepted() {
    let kit = Kit::start().await;
    let verifier = kit
        .verifier()
        .accepted_user_types(UserTypes::ALL)
        .build()
        .unwrap();
    let ada = kit
        .stack
        .create_user(UserSpec::normal().email("ada@example.com"))
        .unwrap();
    let legacy = kit.stack.token(&ada).legacy_claims().mint();
    let user = verifier.verify(&legacy).await.unwrap();
    assert_eq!(user.user_id(), ada.id);
    assert_eq!(user.email(), Some("ada@example.com"));
    let anon = kit.stack.create_user(UserSpec::anonymous()).unwrap();
    let legacy_anon = kit.stack.token(&anon).legacy_claims().mint();
    assert_eq!(
        verifier.verify(&legacy_anon).await.unwrap().user_type(),
        UserType::Anonymous
    );
    let extra = kit.stack.token(&ada).extra_claim("plan", "pro").mint();
    let user = verifier.verify(&extra).await.unwrap();
    assert_eq!(user.claims().unwrap().extra["plan"], "pro");
}

#[tokio::test(start_paused = true)]
async fn exp_is_checked_with_the_leeway() {
    let kit = Kit::start().await;
    let user = kit.stack.create_user(UserSpec::normal()).unwrap();
    let token = kit
        .stack
        .token(&user)
        .expires_in(Duration::from_secs(30))
        .mint();
    let strict = kit
        .verifier()
        .leeway(Duration::ZERO)
        .disable_token_cache()
        .build()
        .unwrap();
    let lenient = kit.verifier().build().unwrap();
    strict.verify(&token).await.unwrap();
    lenient.verify(&token).await.unwrap();
    kit.advance(30).await;
    assert_eq!(reason(strict.verify(&token).await), RefusalReason::Expired);
    // The default 5 s leeway still accepts it, from the token cache or not.
    lenient.verify(&token).await.unwrap();
    lenient.clear_token_cache();
    lenient.verify(&token).await.unwrap();
    kit.advance(5).await;
    assert_eq!(reason(lenient.verify(&token).await), RefusalReason::Expired);
}

#[tokio::test]
async fn a_token_of_another_project_on_the_same_deployment_is_an_unknown_key() {
    let kit = Kit::start().await;
    kit.stack.add_project("other-project").unwrap();
    let other = kit
        .stack
        .create_user_in("other-project", UserSpec::normal())
        .unwrap();
    let token = kit.stack.minter_for("other-project").unwrap().mint(&other);
    let verifier = kit.verifier().build().unwrap();
    assert_eq!(
        reason(verifier.verify(&token).await),
        RefusalReason::UnknownKey
    );
}

/// The rules of the shared unverified-JWS parser (`stack_auth_core::jws`) hold here too: an
/// empty `kid` is malformed (refused before any fetch), a `project_id` that disagrees with a
/// correctly signed `aud` is `inconsistent_claims`, and a signature of the wrong length is
/// `bad_signature` while an empty one is malformed.
#[tokio::test]
async fn the_shared_parser_rules() {
    let kit = Kit::start().await;
    let verifier = kit.verifier().build().unwrap();
    let token = kit.token();
    let empty_kid = verifier.verify(&with_kid(&token, "")).await.unwrap_err();
    assert_eq!(empty_kid.refusal_reason(), Some(RefusalReason::Malformed));
    assert_eq!(kit.jwks_requests(), 0);
    let unsecured = format!("{}.", &token[..token.rfind('.').unwrap()]);
    assert_eq!(
        reason(verifier.verify(&unsecured).await),
        RefusalReason::Malformed
    );
    let truncated = format!(
        "{}.{}",
        &token[..token.rfind('.').unwrap()],
        URL_SAFE_NO_PAD.encode([7u8; 63])
    );
    assert_eq!(
        reason(verifier.verify(&truncated).await),
        RefusalReason::BadSignature
    );
    assert_eq!(kit.jwks_requests(), 0);
    let user = kit.stack.create_user(UserSpec::normal()).unwrap();
    let other_project = kit
        .stack
        .token(&user)
        .extra_claim("project_id", "another-project")
        .mint();
    assert_eq!(
        reason(verifier.verify(&other_project).await),
        RefusalReason::InconsistentClaims
    );
}
