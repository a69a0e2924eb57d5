//! `StackPrincipal`: an access token or an API key, as the route accepts; every status.

use std::sync::Arc;

use axum::{routing::get, Router};
use http::StatusCode;
use stack_auth_axum::{StackAuth, StackPrincipal};
use stack_auth_core::{
    framework::{Credentials, Principal},
    test_util::{
        StaticApiKeys, EXAMPLE_PUBLIC_USER_KEY as REVOKED_KEY, EXAMPLE_TEAM_KEY as TEAM_KEY,
        EXAMPLE_USER_KEY as USER_KEY,
    },
    ApiKeyType, Unavailable, UnavailableKind, Upstream, UserType, UserTypes, VerifiedUser,
    VerifyError,
};

use crate::common::{get as request, recording, send, Reply, GOOD};

/// Knows the user key (of `owner`) and the team key (of team `t1`); the third is revoked.
pub(crate) fn keys(owner: UserType) -> Arc<StaticApiKeys> {
    let user = VerifiedUser::new("key-owner", "project-1", owner, None);
    Arc::new(StaticApiKeys::examples(user, "t1"))
}

fn app(auth: StackAuth) -> Router {
    let whoami = |StackPrincipal(p): StackPrincipal| async move {
        match p {
            Principal::AccessToken(u) => format!("token {}", u.user_id()),
            Principal::ApiKey(k) => match k.user() {
                Some(u) => format!("user key {} of {}", k.key_id(), u.user_id()),
                None => format!("team key {} of {}", k.key_id(), k.team_id().unwrap_or("?")),
            },
            _ => "?".to_owned(),
        }
    };
    let maybe = |p: Option<StackPrincipal>| async move { format!("{}", p.is_some()) };
    Router::new()
        .route("/whoami", get(whoami))
        .route("/maybe", get(maybe))
        .with_state(auth)
}

async fn call(auth: StackAuth, headers: &[(&str, &str)]) -> Reply {
    let reply = send(app(auth), request("/whoami", headers)).await;
    let leaked = [USER_KEY, TEAM_KEY, REVOKED_KEY]
        .iter()
        .any(|k| reply.body.contains(&k[3..40]));
    assert!(!leaked, "{reply:?}");
    reply
}

#[tokio::test]
async fn tokens_by_default_and_keys_where_the_route_accepts_them() {
    let keys = keys(UserType::Normal);
    let tokens_only = StackAuth::new(recording()).api_keys(keys.clone());
    let reply = call(
        tokens_only.clone(),
        &[("authorization", &format!("Bearer {GOOD}"))],
    )
    .await;
    assert_eq!(
        (reply.status, reply.body.as_str()),
        (StatusCode::OK, "token user-normal")
    );
    let reply = call(tokens_only, &[("x-stack-api-key", TEAM_KEY)]).await;
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "keys are not looked at"
    );
    reply.assert_error_body("missing_token");
    assert_eq!(keys.calls(), 0);

    let any = StackAuth::new(recording())
        .api_keys(keys.clone())
        .accept(Credentials::ANY);
    let cases = [
        (
            ("x-stack-api-key", USER_KEY.to_owned()),
            "user key k1 of key-owner",
        ),
        (
            ("x-hexclave-api-key", TEAM_KEY.to_owned()),
            "team key k2 of t1",
        ),
        (
            ("authorization", format!("Bearer {TEAM_KEY}")),
            "team key k2 of t1",
        ),
        (
            ("authorization", format!("Bearer {GOOD}")),
            "token user-normal",
        ),
    ];
    for ((name, value), expected) in cases {
        let reply = call(any.clone(), &[(name, &value)]).await;
        assert_eq!(
            (reply.status, reply.body.as_str()),
            (StatusCode::OK, expected)
        );
    }
    let reply = send(app(any.clone()), request("/maybe", &[])).await;
    assert_eq!(reply.body, "false");
    let reply = send(
        app(any),
        request("/maybe", &[("x-stack-api-key", USER_KEY)]),
    )
    .await;
    assert_eq!(reply.body, "true");
}

#[tokio::test]
async fn every_refusal_has_its_status_and_code() {
    let keys = keys(UserType::Anonymous);
    let user_keys = StackAuth::new(recording())
        .api_keys(keys.clone())
        .accept(Credentials::ACCESS_TOKEN.with_api_keys(ApiKeyType::User))
        .require(UserTypes::NORMAL_ONLY);
    let conflicting: [(&str, &str); 2] = [
        ("x-stack-api-key", USER_KEY),
        ("x-hexclave-api-key", TEAM_KEY),
    ];
    type Case<'a> = (&'a [(&'a str, &'a str)], StatusCode, &'a str);
    let cases: [Case<'_>; 6] = [
        (&[], StatusCode::UNAUTHORIZED, "missing_token"),
        (
            &[("x-stack-api-key", "sk_garbage")],
            StatusCode::UNAUTHORIZED,
            "api_key_malformed",
        ),
        (
            &[("x-stack-api-key", TEAM_KEY)],
            StatusCode::UNAUTHORIZED,
            "wrong_api_key_type",
        ),
        (
            &[("x-stack-api-key", REVOKED_KEY)],
            StatusCode::UNAUTHORIZED,
            "api_key_revoked",
        ),
        (&conflicting, StatusCode::BAD_REQUEST, "invalid_request"),
        (
            &[("x-stack-api-key", USER_KEY)],
            StatusCode::FORBIDDEN,
            "user_type_not_allowed",
        ),
    ];
    for (headers, status, code) in cases {
        let reply = call(user_keys.clone(), headers).await;
        assert_eq!(reply.status, status, "{code}");
        reply.assert_error_body(code);
        let challenge = reply.header("www-authenticate").unwrap_or("Bearer");
        assert!(challenge.starts_with("Bearer"), "{challenge}");
    }
    assert_eq!(
        keys.calls(),
        2,
        "malformed and wrong-type keys never reach the verifier"
    );
}

#[tokio::test]
async fn a_missing_or_unavailable_verifier_is_500_or_503() {
    let no_verifier = StackAuth::new(recording()).accept(Credentials::API_KEYS);
    let reply = call(no_verifier, &[("x-stack-api-key", USER_KEY)]).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    reply.assert_error_body("misconfigured");
    let down: VerifyError = Unavailable::new(Upstream::Api, UnavailableKind::Timeout).into();
    let keys = Arc::new(StaticApiKeys::new().with_key(USER_KEY, Err(down)));
    let auth = StackAuth::new(recording())
        .api_keys(keys)
        .accept(Credentials::API_KEYS);
    let reply = call(auth, &[("x-stack-api-key", USER_KEY)]).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.header("retry-after"), Some("5"));
    reply.assert_error_body("unavailable");
}
