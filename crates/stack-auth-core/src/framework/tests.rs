//! The neutral rejection mapping and the verdict-reuse rule, without any framework.
#![allow(clippy::unwrap_used)]

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use async_trait::async_trait;
use http::HeaderMap;

use super::{Rejection, RequestAuth, Verdicts};
use crate::{
    ExtractError, MisconfigKind, Misconfiguration, RefusalReason, TokenSource, TokenSources,
    TokenVerifier, Unavailable, UnavailableKind, Upstream, UserType, UserTypes, VerifiedUser,
    VerifyError,
};

/// Accepts `good` as a normal user and `anon` as an anonymous one, refuses the rest; counts.
#[derive(Debug, Default)]
struct Counting(AtomicUsize);

#[async_trait]
impl TokenVerifier for Counting {
    async fn verify(&self, token: &str) -> Result<VerifiedUser, VerifyError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        match token {
            "good" => Ok(VerifiedUser::new("u1", "p1", UserType::Normal, None)),
            "anon" => Ok(VerifiedUser::new("u2", "p1", UserType::Anonymous, None)),
            _ => Err(VerifyError::refused(RefusalReason::BadSignature)),
        }
    }
}

impl Counting {
    fn calls(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

pub(super) fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    map
}

fn cookie(token: &str) -> String {
    format!("stack-access=%5B%22r%22%2C%22{token}%22%5D")
}

#[test]
fn each_class_maps_to_its_status_challenge_and_code() {
    let unavailable: VerifyError = Unavailable::new(Upstream::Jwks, UnavailableKind::Timeout)
        .with_retry_after(Duration::from_millis(1500))
        .into();
    let cases: [(Rejection, u16, Option<&str>, &str); 6] = [
        (
            Rejection::missing_token(),
            401,
            Some("Bearer"),
            "missing_token",
        ),
        (
            ExtractError::TooLarge(TokenSource::StackAccessCookie).into(),
            400,
            Some(
                r#"Bearer error="invalid_request", error_description="the access token is too large""#,
            ),
            "invalid_request",
        ),
        (
            VerifyError::refused(RefusalReason::Expired).into(),
            401,
            Some(r#"Bearer error="invalid_token", error_description="the access token expired""#),
            "expired",
        ),
        (
            VerifyError::refused(RefusalReason::UserTypeNotAllowed).into(),
            403,
            Some(
                r#"Bearer error="insufficient_scope", error_description="this user type is not allowed here""#,
            ),
            "user_type_not_allowed",
        ),
        (unavailable.into(), 503, None, "unavailable"),
        (
            VerifyError::from(
                Misconfiguration::new(MisconfigKind::InvalidSecretServerKey).with_detail("secret"),
            )
            .into(),
            500,
            None,
            "misconfigured",
        ),
    ];
    for (rejection, status, challenge, code) in cases {
        assert_eq!(rejection.status(), status, "{rejection}");
        assert_eq!(rejection.www_authenticate().as_deref(), challenge);
        assert_eq!(rejection.code(), code);
        let body: serde_json::Value = serde_json::from_str(&rejection.json_body()).unwrap();
        assert_eq!(body["error"], code);
        assert_eq!(body["message"], rejection.message());
        assert!(!rejection.json_body().contains("secret"));
        let retry = (status == 503).then_some(2);
        assert_eq!(rejection.retry_after_secs(), retry);
    }
}

#[test]
fn revocations_are_401_invalid_token_with_their_own_message() {
    let mut messages = std::collections::HashSet::new();
    for (reason, code) in [
        (RefusalReason::SessionEnded, "session_ended"),
        (RefusalReason::UserNotFound, "user_not_found"),
    ] {
        let rejection = Rejection::from(VerifyError::refused(reason));
        assert_eq!((rejection.status(), rejection.code()), (401, code));
        let challenge = rejection.www_authenticate().unwrap_or_default();
        assert!(challenge.starts_with(r#"Bearer error="invalid_token""#));
        assert!(messages.insert(rejection.message()), "{code}");
        assert_ne!(rejection.message(), "the access token is invalid", "{code}");
    }
    assert_eq!(
        Rejection::from(VerifyError::refused(RefusalReason::SessionEnded)).message(),
        "the session of this access token has ended"
    );
}

#[test]
fn retry_after_defaults_to_5_seconds_and_is_at_least_1() {
    let unsaid = Rejection::from(VerifyError::from(Unavailable::new(
        Upstream::Api,
        UnavailableKind::Connect,
    )));
    assert_eq!(unsaid.retry_after_secs(), Some(5));
    let zero = Rejection::from(VerifyError::from(
        Unavailable::new(Upstream::Api, UnavailableKind::Connect).with_retry_after(Duration::ZERO),
    ));
    assert_eq!(zero.retry_after_secs(), Some(1));
}

#[tokio::test]
async fn a_verdict_is_reused_by_the_same_verifier_only() {
    let (one, two) = (Arc::new(Counting::default()), Arc::new(Counting::default()));
    let request = headers(&[("x-stack-access-token", "good")]);
    let outer = RequestAuth::new(one.clone());
    let outcome = outer.authenticate_request(&request, None, "outer").await;
    let mut verdicts = outcome.record(None).expect("a new verdict to store");
    assert_eq!(outcome.verified_user().unwrap().user_id(), "u1");

    let again = RequestAuth::new(one.clone()).require(UserTypes::NORMAL_ONLY);
    let outcome = again
        .authenticate_request(&request, Some(&verdicts), "again")
        .await;
    assert_eq!(
        *outcome.data(),
        "outer",
        "the recorder's data comes with the verdict"
    );
    assert!(outcome.record(None).is_none());
    outcome.record(Some(&mut verdicts));
    assert_eq!(verdicts.len(), 1, "a reused verdict is not recorded twice");
    assert!(outcome.into_required().is_ok());

    let other = RequestAuth::new(two.clone());
    let outcome = other
        .authenticate_request(&request, Some(&verdicts), "other")
        .await;
    assert_eq!(*outcome.data(), "other");
    assert_eq!((one.calls(), two.calls()), (1, 1));
}

#[tokio::test]
async fn a_cookie_verdict_is_not_reused_by_a_headers_only_configuration() {
    let verifier = Arc::new(Counting::default());
    let request = headers(&[("cookie", &cookie("good"))]);
    let mut verdicts = Verdicts::new();
    let outer = RequestAuth::new(verifier.clone());
    let outcome = outer
        .authenticate_request(&request, Some(&verdicts), ())
        .await;
    outcome.record(Some(&mut verdicts));
    assert!(outcome.verified_user().is_some());

    for inner in [
        RequestAuth::new(verifier.clone()).token_sources(TokenSources::HEADERS_ONLY),
        RequestAuth::reusing().token_sources(TokenSources::HEADERS_ONLY),
    ] {
        let outcome = inner
            .authenticate_request(&request, Some(&verdicts), ())
            .await;
        assert!(outcome.verified_user().is_none());
        assert!(outcome.into_required().unwrap_err().is_missing_token());
    }
    assert_eq!(verifier.calls(), 1);
}

#[tokio::test]
async fn reusing_without_a_verdict_or_for_an_unverified_token_is_misconfigured() {
    let request = headers(&[("x-stack-access-token", "good")]);
    let outcome = RequestAuth::reusing()
        .authenticate_request::<()>(&request, None, ())
        .await;
    assert_eq!(outcome.new_rejection().unwrap().code(), "misconfigured");
    let mut verdicts = Verdicts::new();
    let headers_only =
        RequestAuth::new(Arc::new(Counting::default())).token_sources(TokenSources::HEADERS_ONLY);
    let cookie_request = headers(&[("cookie", &cookie("good"))]);
    headers_only
        .authenticate_request(&cookie_request, Some(&verdicts), ())
        .await
        .record(Some(&mut verdicts));
    let outcome = RequestAuth::reusing()
        .token_sources(TokenSources::ALL)
        .authenticate_request(&cookie_request, Some(&verdicts), ())
        .await;
    let rejection = outcome.into_optional().unwrap_err();
    assert_eq!(rejection.status(), 500);
}

#[tokio::test]
async fn only_new_rejections_are_reported_for_logging() {
    let verifier = Arc::new(Counting::default());
    let request = headers(&[("x-stack-access-token", "bad")]);
    let mut verdicts = Verdicts::new();
    let auth = RequestAuth::new(verifier.clone());
    let first = auth
        .authenticate_request(&request, Some(&verdicts), ())
        .await;
    assert_eq!(first.new_rejection().unwrap().code(), "bad_signature");
    first.record(Some(&mut verdicts));
    let second = auth
        .authenticate_request(&request, Some(&verdicts), ())
        .await;
    assert!(second.new_rejection().is_none());
    assert_eq!(second.into_optional().unwrap_err().code(), "bad_signature");
    assert_eq!(verifier.calls(), 1);
}

#[tokio::test]
async fn authenticate_checks_the_user_type_and_reads_only_its_sources() {
    let verifier = Arc::new(Counting::default());
    let auth = RequestAuth::new(verifier.clone()).require(UserTypes::NORMAL_ONLY);
    let anon = headers(&[("authorization", "Bearer anon")]);
    assert_eq!(auth.authenticate(&anon).await.unwrap_err().status(), 403);
    let headers_only = auth.clone().token_sources(TokenSources::HEADERS_ONLY);
    let by_cookie = headers(&[("cookie", &cookie("good"))]);
    assert!(headers_only
        .authenticate(&by_cookie)
        .await
        .unwrap()
        .is_none());
    assert!(auth.authenticate(&by_cookie).await.unwrap().is_some());
    assert_eq!(
        RequestAuth::reusing()
            .authenticate(&anon)
            .await
            .unwrap_err()
            .code(),
        "misconfigured"
    );
}
