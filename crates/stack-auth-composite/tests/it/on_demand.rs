//! `ProfilePolicy::OnDemand`: claims only while verifying, the profile from REST when loaded.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use stack_auth_composite::ProfilePolicy;
use stack_auth_core::{
    MisconfigKind, ProfileStatus, RefusalReason, TokenVerifier, UnavailableKind, Upstream,
    UserType, VerifiedUser, VerifyError,
};

use crate::common::*;

#[tokio::test]
async fn verifying_makes_no_rest_call_and_loading_makes_one() {
    let token = token("normal-user");
    let rest = rest(Ok(profile_for(&token)));
    let v = composite(jwt(Ok(claims_user(&token))), &rest, ProfilePolicy::OnDemand);
    let user = v.verify(&token).await.unwrap();
    assert_eq!(rest.calls(), 0);
    assert_eq!(user.profile_status(), ProfileStatus::Deferred);
    assert!(user.profile().is_none());
    assert_eq!(user.email(), Some("ada@example.com"));
    let profile = user.load_profile().await.unwrap();
    assert_eq!(
        profile.primary_email.as_deref(),
        Some("from-profile@example.com")
    );
    assert_eq!(rest.calls(), 1);
    assert_eq!(rest.tokens(), std::slice::from_ref(&token));
    // A clone of the composite shares the profile verifier.
    let clone = v.clone();
    clone
        .verify(&token)
        .await
        .unwrap()
        .load_profile()
        .await
        .unwrap();
    assert_eq!(rest.calls(), 2);
}

#[tokio::test]
async fn loading_the_profile_of_a_deleted_user_is_refused() {
    let token = token("normal-user");
    let rest = rest(Err(VerifyError::refused(RefusalReason::UserNotFound)));
    let v = composite(jwt(Ok(claims_user(&token))), &rest, ProfilePolicy::OnDemand);
    let user = v.verify(&token).await.unwrap();
    let err = user.load_profile().await.unwrap_err();
    assert_eq!(err.refusal_reason(), Some(RefusalReason::UserNotFound));
}

#[tokio::test]
async fn loading_fails_as_unavailable_when_rest_is_down() {
    let token = token("normal-user");
    let rest = rest(Err(unavailable(
        Upstream::Api,
        UnavailableKind::RateLimited,
    )));
    let v = composite(jwt(Ok(claims_user(&token))), &rest, ProfilePolicy::OnDemand);
    let user = v.verify(&token).await.unwrap();
    assert!(user.load_profile().await.unwrap_err().is_retryable());
}

#[tokio::test]
async fn a_loaded_profile_of_another_user_is_inconsistent() {
    let token = token("normal-user");
    let claims = claims_of(&token);
    for rest_user in [
        profile_user("someone-else", &claims.project_id),
        profile_user(&claims.sub, "other-project"),
    ] {
        let rest = rest(Ok(rest_user));
        let v = composite(jwt(Ok(claims_user(&token))), &rest, ProfilePolicy::OnDemand);
        let err = v
            .verify(&token)
            .await
            .unwrap()
            .load_profile()
            .await
            .unwrap_err();
        assert_eq!(
            err.refusal_reason(),
            Some(RefusalReason::InconsistentClaims)
        );
    }
}

#[tokio::test]
async fn a_profile_verifier_that_returns_no_profile_is_a_misconfiguration() {
    let token = token("normal-user");
    let claims = claims_of(&token);
    let bare = VerifiedUser::new(&claims.sub, &claims.project_id, UserType::Normal, None);
    let rest = rest(Ok(bare));
    let v = composite(jwt(Ok(claims_user(&token))), &rest, ProfilePolicy::OnDemand);
    let err = v
        .verify(&token)
        .await
        .unwrap()
        .load_profile()
        .await
        .unwrap_err();
    assert!(
        matches!(err, VerifyError::Misconfigured(ref m) if m.kind() == MisconfigKind::UnexpectedError)
    );
}

#[tokio::test]
async fn the_deferred_user_does_not_show_the_token() {
    let token = token("normal-user");
    let rest = rest(Ok(profile_for(&token)));
    let v = composite(jwt(Ok(claims_user(&token))), &rest, ProfilePolicy::OnDemand);
    let user = v.verify(&token).await.unwrap();
    for shown in [format!("{user:?}"), format!("{user:#?}"), format!("{v:?}")] {
        assert!(!shown.contains(&token), "{shown}");
        assert!(!shown.contains(token.split('.').nth(2).unwrap()), "{shown}");
    }
}
