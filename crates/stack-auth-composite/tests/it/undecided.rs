//! Decision-table rows where the JWT check cannot decide (unknown key, JWKS unavailable): REST
//! decides, but only for tokens that pass the local screen.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use stack_auth_core::test_util::ManualClock;
use std::{sync::Arc, time::Duration};

use stack_auth_composite::{CompositeVerifier, ProfilePolicy, UnknownKeyPolicy};
use stack_auth_core::{
    test_util::StaticVerifier, ProfileStatus, RefusalReason, StackAuthConfig, TokenVerifier,
    UnavailableKind, Upstream, UserType, UserTypes, VerifiedUser, VerifyError,
};

use crate::common::{self, *};

fn unknown_key() -> VerifyError {
    VerifyError::refused(RefusalReason::UnknownKey)
}

fn jwks_down() -> VerifyError {
    unavailable(Upstream::Jwks, UnavailableKind::NoUsableKeys)
}

#[tokio::test]
async fn an_undecided_plausible_token_is_decided_by_rest() {
    let token = token("normal-user");
    for policy in ALL_POLICIES {
        for jwt_error in [unknown_key(), jwks_down()] {
            let rest = rest(Ok(profile_for(&token)));
            let v = composite(jwt(Err(jwt_error.clone())), &rest, policy);
            let user = v.verify(&token).await.unwrap();
            assert_eq!(rest.calls(), 1, "{policy:?} {jwt_error}");
            assert_eq!(user.profile_status(), ProfileStatus::Present);
            assert_eq!(user.email(), Some("from-profile@example.com"));
            // REST checked this exact token on the server: its claims come along.
            assert_eq!(user.claims(), Some(&claims_of(&token)));
        }
    }
}

#[tokio::test]
async fn an_undecided_token_rest_accepts_without_a_profile_is_a_misconfiguration() {
    let token = token("normal-user");
    let claims = claims_of(&token);
    let bare = VerifiedUser::new(&claims.sub, &claims.project_id, UserType::Normal, None);
    for policy in ALL_POLICIES {
        for jwt_error in [unknown_key(), jwks_down()] {
            let rest = rest(Ok(bare.clone()));
            let v = composite(jwt(Err(jwt_error.clone())), &rest, policy);
            let err = v.verify(&token).await.unwrap_err();
            assert_eq!(
                err.outcome_label(),
                "misconfigured",
                "{policy:?} {jwt_error}"
            );
            assert_eq!(rest.calls(), 1, "{policy:?} {jwt_error}");
        }
    }
}

#[tokio::test]
async fn rest_refusing_an_undecided_token_is_final() {
    let token = token("normal-user");
    for (jwt_error, reason, expected) in [
        (
            unknown_key(),
            RefusalReason::UserNotFound,
            RefusalReason::UserNotFound,
        ),
        (
            unknown_key(),
            RefusalReason::Expired,
            RefusalReason::Expired,
        ),
        // REST's "unparsable" is vaguer than the JWT check's "unknown_key".
        (
            unknown_key(),
            RefusalReason::Unparsable,
            RefusalReason::UnknownKey,
        ),
        (
            jwks_down(),
            RefusalReason::UserNotFound,
            RefusalReason::UserNotFound,
        ),
        (
            jwks_down(),
            RefusalReason::Unparsable,
            RefusalReason::Unparsable,
        ),
    ] {
        let rest = rest(Err(VerifyError::refused(reason)));
        let v = composite(jwt(Err(jwt_error.clone())), &rest, ProfilePolicy::Required);
        let err = v.verify(&token).await.unwrap_err();
        assert_eq!(
            err.refusal_reason(),
            Some(expected),
            "{jwt_error} then {reason}"
        );
        assert_eq!(rest.calls(), 1);
    }
}

#[tokio::test]
async fn when_neither_can_decide_the_token_is_unavailable_under_every_policy() {
    let token = token("normal-user");
    for policy in ALL_POLICIES {
        let rest = rest(Err(unavailable(Upstream::Api, UnavailableKind::Connect)));
        let v = composite(jwt(Err(jwks_down())), &rest, policy);
        let err = v.verify(&token).await.unwrap_err();
        assert!(
            matches!(err, VerifyError::Unavailable(ref u) if u.upstream() == Upstream::Api),
            "{policy:?}"
        );
        assert_eq!(rest.calls(), 1);
    }
}

#[tokio::test]
async fn rest_naming_another_user_than_the_token_is_inconsistent() {
    let token = token("normal-user");
    let claims = claims_of(&token);
    let rest = rest(Ok(profile_user("someone-else", &claims.project_id)));
    let v = composite(jwt(Err(unknown_key())), &rest, ProfilePolicy::Required);
    let err = v.verify(&token).await.unwrap_err();
    assert_eq!(
        err.refusal_reason(),
        Some(RefusalReason::InconsistentClaims)
    );
}

#[tokio::test]
async fn an_unknown_key_on_another_projects_token_stays_refused_without_rest() {
    let other = token("token-of-other-project");
    let rest = rest(Ok(profile_for(&other)));
    let v = composite(jwt(Err(unknown_key())), &rest, ProfilePolicy::Required);
    let err = v.verify(&other).await.unwrap_err();
    assert_eq!(err.refusal_reason(), Some(RefusalReason::UnknownKey));
    assert_eq!(rest.calls(), 0);
}

#[tokio::test]
async fn implausible_unknown_key_tokens_never_reach_rest() {
    for name in [
        "expired",
        "audience-of-other-project",
        "issuer-of-other-deployment",
        "restricted-user-not-allowed",
        "branch-not-main",
        "alg-none",
        "two-segments",
        "huge-token",
        "truncated-signature",
    ] {
        let token = token(name);
        let rest = rest(Ok(profile_for(&common::token("normal-user"))));
        let v = composite(jwt(Err(unknown_key())), &rest, ProfilePolicy::Required);
        let err = v.verify(&token).await.unwrap_err();
        assert_eq!(
            err.refusal_reason(),
            Some(RefusalReason::UnknownKey),
            "{name}"
        );
        assert_eq!(rest.calls(), 0, "{name}");
    }
}

#[tokio::test]
async fn unknown_key_policy_refuse_never_asks_rest() {
    let token = token("normal-user");
    let rest = rest(Ok(profile_for(&token)));
    let v = CompositeVerifier::builder(jwt(Err(unknown_key())), Arc::clone(&rest))
        .config(config())
        .unknown_key_policy(UnknownKeyPolicy::Refuse)
        .build()
        .unwrap();
    let err = v.verify(&token).await.unwrap_err();
    assert_eq!(err.refusal_reason(), Some(RefusalReason::UnknownKey));
    assert_eq!(rest.calls(), 0);
}

#[tokio::test]
async fn during_a_jwks_outage_implausible_tokens_are_refused_for_what_the_screen_found() {
    for (name, reason) in [
        ("expired", RefusalReason::Expired),
        ("audience-of-other-project", RefusalReason::WrongAudience),
        ("token-of-other-project", RefusalReason::WrongAudience),
        ("issuer-of-other-deployment", RefusalReason::WrongIssuer),
        (
            "restricted-user-not-allowed",
            RefusalReason::UserTypeNotAllowed,
        ),
        ("branch-not-main", RefusalReason::InconsistentClaims),
        ("alg-none", RefusalReason::UnsupportedAlgorithm),
        ("payload-not-json", RefusalReason::Malformed),
    ] {
        let rest = rest(Ok(profile_for(&token("normal-user"))));
        let v = composite(jwt(Err(jwks_down())), &rest, ProfilePolicy::BestEffort);
        let err = v.verify(&token(name)).await.unwrap_err();
        assert_eq!(err.refusal_reason(), Some(reason), "{name}");
        assert_eq!(rest.calls(), 0, "{name}");
    }
}

#[tokio::test]
async fn the_screen_expiry_follows_the_injected_clock() {
    let token = token("normal-user");
    let exp = u64::try_from(claims_of(&token).exp).unwrap();
    // The shared boundary: expired once `now >= exp + leeway`.
    for (now, calls) in [(exp + 59, 1), (exp + 60, 0)] {
        let rest = rest(Ok(profile_for(&token)));
        let v = CompositeVerifier::builder(jwt(Err(jwks_down())), Arc::clone(&rest))
            .config(config())
            .screen_leeway(Duration::from_secs(60))
            .clock(ManualClock::at_unix_secs(now))
            .build()
            .unwrap();
        let _ = v.verify(&token).await;
        assert_eq!(rest.calls(), calls, "now = exp + {}", now - exp);
    }
}

#[tokio::test]
async fn without_a_config_only_the_shape_is_screened() {
    let other = token("token-of-other-project");
    let rest = rest(Ok(profile_for(&other)));
    let v = CompositeVerifier::builder(StaticVerifier::fail(unknown_key()), Arc::clone(&rest))
        .clock(ManualClock::at_unix_secs(NOW))
        .build()
        .unwrap();
    assert!(v.verify(&other).await.is_ok());
    assert_eq!(rest.calls(), 1);
}

/// Every brand case while the JWKS is down: the screen sends exactly the tokens issued under an
/// accepted host (the configured one or its cloud sibling) to REST, and refuses the others for
/// what it found, as the JWT check would.
#[tokio::test]
async fn during_a_jwks_outage_the_screen_accepts_exactly_the_brand_aliases() {
    let cases = fixture_cases("interop-brand");
    assert_eq!(cases.len(), 14);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let token = case["token"].as_str().unwrap();
        let allow: UserTypes = serde_json::from_value(case["allow"].clone()).unwrap();
        let config = StackAuthConfig::builder(case["project_id"].as_str().unwrap())
            .base_url(case["base_url"].as_str().unwrap())
            .accepted_user_types(allow)
            .build()
            .unwrap();
        let rest = rest(Ok(profile_for(token)));
        let v = CompositeVerifier::builder(jwt(Err(jwks_down())), Arc::clone(&rest))
            .config(config)
            .profile_policy(ProfilePolicy::BestEffort)
            .clock(ManualClock::at_unix_secs(NOW))
            .build()
            .unwrap();
        let got = v.verify(token).await;
        let expect = &case["expect"];
        if expect["ok"] == true {
            let user = got.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(user.user_id(), expect["user_id"], "{name}");
            assert_eq!(rest.calls(), 1, "{name}");
        } else {
            let want = RefusalReason::from_label(expect["reason"].as_str().unwrap()).unwrap();
            assert_eq!(got.unwrap_err().refusal_reason(), Some(want), "{name}");
            assert_eq!(rest.calls(), 0, "{name}");
        }
    }
}
