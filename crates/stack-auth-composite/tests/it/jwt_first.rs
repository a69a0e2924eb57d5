//! Decision-table rows where the JWT check decides: definite refusals never reach REST, and an
//! accepted token is completed (or refused) by REST under each profile policy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use stack_auth_composite::{CompositeVerifier, ProfilePolicy, MAX_SCREEN_LEEWAY};
use stack_auth_core::{
    MisconfigKind, Misconfiguration, ProfileStatus, RefusalReason, TokenVerifier, UnavailableKind,
    Upstream, UserType, VerifyError,
};

use crate::common::*;

fn definite_refusals() -> impl Iterator<Item = RefusalReason> {
    RefusalReason::ALL
        .into_iter()
        .filter(|r| *r != RefusalReason::UnknownKey)
}

#[tokio::test]
async fn a_definite_refusal_is_returned_without_a_rest_call() {
    let token = token("normal-user");
    for policy in ALL_POLICIES {
        for reason in definite_refusals() {
            let rest = rest(Ok(profile_for(&token)));
            let v = composite(jwt(Err(VerifyError::refused(reason))), &rest, policy);
            let err = v.verify(&token).await.unwrap_err();
            assert_eq!(err.refusal_reason(), Some(reason), "{policy:?}");
            assert_eq!(rest.calls(), 0, "{policy:?} {reason}");
        }
    }
}

#[tokio::test]
async fn a_misconfigured_jwt_check_is_reported_without_a_rest_call() {
    let token = token("normal-user");
    for policy in ALL_POLICIES {
        let rest = rest(Ok(profile_for(&token)));
        let misconfigured = Misconfiguration::new(MisconfigKind::ProjectNotFound).into();
        let v = composite(jwt(Err(misconfigured)), &rest, policy);
        let err = v.verify(&token).await.unwrap_err();
        assert!(
            matches!(err, VerifyError::Misconfigured(ref m) if m.kind() == MisconfigKind::ProjectNotFound)
        );
        assert_eq!(rest.calls(), 0);
    }
}

#[tokio::test]
async fn an_accepted_token_carries_claims_and_profile_after_one_rest_call() {
    let token = token("normal-user");
    for policy in [ProfilePolicy::Required, ProfilePolicy::BestEffort] {
        let rest = rest(Ok(profile_for(&token)));
        let v = composite(jwt(Ok(claims_user(&token))), &rest, policy);
        let user = v.verify(&token).await.unwrap();
        assert_eq!(rest.calls(), 1);
        assert_eq!(rest.tokens(), std::slice::from_ref(&token));
        assert_eq!(user.claims(), Some(&claims_of(&token)));
        assert_eq!(user.profile_status(), ProfileStatus::Present);
        assert_eq!(user.email(), Some("from-profile@example.com"));
        assert_eq!(user.user_id(), claims_of(&token).sub);
        assert_eq!(user.expires_at(), Some(claims_of(&token).exp));
    }
}

#[tokio::test]
async fn the_profile_decides_the_current_user_type() {
    let token = token("normal-user");
    let claims = claims_of(&token);
    let mut restricted = profile_for(&token).profile().unwrap().clone();
    restricted.is_restricted = true;
    restricted.restricted_reason =
        Some(stack_auth_core::RestrictedReason::RestrictedByAdministrator);
    let rest_user = stack_auth_core::VerifiedUser::from_profile(&claims.project_id, restricted);
    let rest = rest(Ok(rest_user));
    let v = composite(jwt(Ok(claims_user(&token))), &rest, ProfilePolicy::Required);
    let user = v.verify(&token).await.unwrap();
    assert_eq!(user.user_type(), UserType::Restricted);
    assert_eq!(user.claims().map(|c| c.user_type()), Some(UserType::Normal));
}

#[tokio::test]
async fn claims_and_profile_of_different_users_or_projects_are_refused() {
    let token = token("normal-user");
    let claims = claims_of(&token);
    for (rest_user, what) in [
        (profile_user("someone-else", &claims.project_id), "user"),
        (profile_user(&claims.sub, "other-project"), "project"),
    ] {
        let rest = rest(Ok(rest_user));
        let v = composite(jwt(Ok(claims_user(&token))), &rest, ProfilePolicy::Required);
        let err = v.verify(&token).await.unwrap_err();
        assert_eq!(
            err.refusal_reason(),
            Some(RefusalReason::InconsistentClaims),
            "{what}"
        );
        assert_eq!(rest.calls(), 1);
    }
}

#[tokio::test]
async fn rest_refusals_win_over_an_accepting_jwt_check() {
    let token = token("normal-user");
    for policy in [ProfilePolicy::Required, ProfilePolicy::BestEffort] {
        for reason in [
            RefusalReason::UserNotFound,
            RefusalReason::Expired,
            RefusalReason::UserTypeNotAllowed,
            RefusalReason::Unparsable,
        ] {
            let rest = rest(Err(VerifyError::refused(reason)));
            let v = composite(jwt(Ok(claims_user(&token))), &rest, policy);
            let err = v.verify(&token).await.unwrap_err();
            assert_eq!(err.refusal_reason(), Some(reason), "{policy:?}");
            assert_eq!(rest.calls(), 1);
        }
    }
}

#[tokio::test]
async fn required_profile_fails_as_unavailable_when_rest_is_down() {
    let token = token("normal-user");
    let rest = rest(Err(unavailable(
        Upstream::Api,
        UnavailableKind::ServerError,
    )));
    let v = composite(jwt(Ok(claims_user(&token))), &rest, ProfilePolicy::Required);
    let err = v.verify(&token).await.unwrap_err();
    assert!(matches!(err, VerifyError::Unavailable(ref u) if u.upstream() == Upstream::Api));
    assert_eq!(err.http_status(), 503);
    assert_eq!(err.retry_after(), Some(std::time::Duration::from_secs(7)));
    assert_eq!(rest.calls(), 1);
}

#[tokio::test]
async fn best_effort_profile_returns_the_claims_only_user_when_rest_is_down() {
    let token = token("normal-user");
    let rest = rest(Err(unavailable(Upstream::Api, UnavailableKind::Timeout)));
    let v = composite(
        jwt(Ok(claims_user(&token))),
        &rest,
        ProfilePolicy::BestEffort,
    );
    let user = v.verify(&token).await.unwrap();
    assert_eq!(user.profile_status(), ProfileStatus::Unavailable);
    assert!(user.profile().is_none());
    assert_eq!(user.claims(), Some(&claims_of(&token)));
    assert_eq!(user.email(), Some("ada@example.com"));
    assert_eq!(rest.calls(), 1);
}

#[tokio::test]
async fn a_rest_misconfiguration_is_never_hidden() {
    let token = token("normal-user");
    for policy in [ProfilePolicy::Required, ProfilePolicy::BestEffort] {
        let bad_key = Misconfiguration::new(MisconfigKind::InvalidSecretServerKey).into();
        let rest = rest(Err(bad_key));
        let v = composite(jwt(Ok(claims_user(&token))), &rest, policy);
        let err = v.verify(&token).await.unwrap_err();
        assert_eq!(err.http_status(), 500, "{policy:?}");
        assert_eq!(err.outcome_label(), "misconfigured");
    }
}

#[tokio::test]
async fn a_rest_user_without_profile_is_a_misconfiguration_not_a_profileless_user() {
    let token = token("normal-user");
    let claims = claims_of(&token);
    let bare =
        stack_auth_core::VerifiedUser::new(&claims.sub, &claims.project_id, UserType::Normal, None);
    for policy in [ProfilePolicy::Required, ProfilePolicy::BestEffort] {
        let rest = rest(Ok(bare.clone()));
        let v = composite(jwt(Ok(claims_user(&token))), &rest, policy);
        let err = v.verify(&token).await.unwrap_err();
        assert!(
            matches!(err, VerifyError::Misconfigured(ref m) if m.kind() == MisconfigKind::UnexpectedError),
            "{policy:?}: {err}"
        );
        assert_eq!(rest.calls(), 1, "{policy:?}");
    }
}

#[test]
fn builder_defaults_and_limits() {
    let rest = rest(Err(VerifyError::refused(RefusalReason::UserNotFound)));
    let v = CompositeVerifier::builder(
        jwt(Err(VerifyError::refused(RefusalReason::Expired))),
        rest.clone(),
    )
    .build()
    .unwrap();
    assert_eq!(v.profile_policy(), ProfilePolicy::Required);
    assert_eq!(
        v.unknown_key_policy(),
        stack_auth_composite::UnknownKeyPolicy::AskRest
    );
    let too_lenient =
        CompositeVerifier::builder(jwt(Err(VerifyError::refused(RefusalReason::Expired))), rest)
            .screen_leeway(MAX_SCREEN_LEEWAY + std::time::Duration::from_secs(1))
            .build();
    assert!(matches!(
        too_lenient,
        Err(stack_auth_core::ConfigError::Invalid {
            field: "screen_leeway",
            ..
        })
    ));
}

#[tokio::test]
async fn composes_as_a_dyn_verifier() {
    let token = token("normal-user");
    let rest = rest(Ok(profile_for(&token)));
    let j: std::sync::Arc<stack_auth_core::DynTokenVerifier> =
        std::sync::Arc::new(jwt(Ok(claims_user(&token))));
    let r: std::sync::Arc<stack_auth_core::DynTokenVerifier> = rest.clone();
    let v: CompositeVerifier = CompositeVerifier::builder(j, r).build().unwrap();
    let shared: std::sync::Arc<stack_auth_core::DynTokenVerifier> = std::sync::Arc::new(v);
    assert!(shared.verify(&token).await.unwrap().profile().is_some());
    assert_eq!(rest.calls(), 1);
}
