//! The extractor finds the token in every source of PROTOCOL §5.3 and §9.2 and verifies exactly
//! that token.

use axum::{routing::get, Router};
use base64::{engine::general_purpose::STANDARD, Engine as _};
use http::StatusCode;
use stack_auth_axum::{StackAuth, StackUser};

use crate::common::{get as request, recording, send, GOOD};

fn app(verifier: std::sync::Arc<dyn stack_auth_core::TokenVerifier>) -> Router {
    Router::new()
        .route(
            "/me",
            get(|user: StackUser| async move { user.user_id().to_owned() }),
        )
        .with_state(StackAuth::new(verifier))
}

async fn assert_source(headers: &[(&str, &str)]) {
    let verifier = recording();
    let reply = send(app(verifier.clone()), request("/me", headers)).await;
    assert_eq!(reply.status, StatusCode::OK, "{headers:?}: {reply:?}");
    assert_eq!(reply.body, "user-normal");
    assert_eq!(verifier.tokens(), [GOOD], "{headers:?}");
}

#[tokio::test]
async fn access_token_header() {
    assert_source(&[("x-stack-access-token", GOOD)]).await;
}

#[tokio::test]
async fn authorization_bearer() {
    assert_source(&[("authorization", &format!("Bearer {GOOD}"))]).await;
    assert_source(&[("authorization", &format!("bearer   {GOOD} "))]).await;
}

#[tokio::test]
async fn stack_auth_json_header() {
    let value = format!(r#"{{"accessToken": "{GOOD}", "refreshToken": "refresh-1"}}"#);
    assert_source(&[("x-stack-auth", &value)]).await;
}

#[tokio::test]
async fn stack_access_cookie() {
    // ["refresh-1","<token>"], percent-encoded as Stack Auth's web SDK sets it.
    let cookie = format!("theme=dark; stack-access=%5B%22refresh-1%22%2C%22{GOOD}%22%5D; lang=en");
    assert_source(&[("cookie", &cookie)]).await;
}

#[tokio::test]
async fn hexclave_access_token_header() {
    assert_source(&[("x-hexclave-access-token", GOOD)]).await;
    assert_source(&[
        ("x-hexclave-access-token", GOOD),
        ("x-stack-access-token", GOOD),
    ])
    .await;
}

/// `Authorization` as `user.getAuthorizationHeader()` of the official JS client builds it:
/// `Bearer stackauth_` + standard padded base64 of the auth JSON (PROTOCOL §9.2).
#[tokio::test]
async fn authorization_bearer_auth_json() {
    for prefix in ["stackauth_", "hexclave_"] {
        for json in [
            format!(r#"{{"accessToken":"{GOOD}","refreshToken":"refresh-1"}}"#),
            format!(r#"{{"accessToken":"{GOOD}","refreshToken":null}}"#),
        ] {
            let value = format!("Bearer {prefix}{}", STANDARD.encode(json));
            assert_source(&[("authorization", &value)]).await;
        }
    }
}

#[tokio::test]
async fn hexclave_access_cookie_before_the_legacy_one() {
    let cookie = format!(
        "stack-access=%5B%22refresh-0%22%2C%22stale-token%22%5D; lang=fran\u{e7}ais; \
         hexclave-access=%5B%22refresh-1%22%2C%22{GOOD}%22%5D"
    );
    let verifier = recording();
    let mut request = request("/me", &[]);
    request.headers_mut().insert(
        "cookie",
        http::HeaderValue::from_bytes(cookie.as_bytes()).unwrap(),
    );
    let reply = send(app(verifier.clone()), request).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(verifier.tokens(), [GOOD]);
}

#[tokio::test]
async fn two_different_access_token_headers_are_a_bad_request() {
    let verifier = recording();
    let headers = [
        ("x-hexclave-access-token", GOOD),
        ("x-stack-access-token", "other-token"),
    ];
    let reply = send(app(verifier.clone()), request("/me", &headers)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{reply:?}");
    assert_eq!(reply.json()["error"], "invalid_request");
    assert!(!reply.body.contains(GOOD));
    assert_eq!(verifier.calls(), 0);
}

#[tokio::test]
async fn access_token_header_wins_over_the_others() {
    let verifier = recording();
    let headers = [
        ("authorization", "Bearer other-token"),
        ("x-stack-access-token", GOOD),
    ];
    let reply = send(app(verifier.clone()), request("/me", &headers)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(verifier.tokens(), [GOOD]);
}

#[tokio::test]
async fn other_authorization_schemes_are_not_tokens() {
    let verifier = recording();
    let headers = [("authorization", "Basic dXNlcjpwYXNz")];
    let reply = send(app(verifier.clone()), request("/me", &headers)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["error"], "missing_token");
    assert_eq!(verifier.calls(), 0);
}

#[tokio::test]
async fn the_cookie_can_be_left_out_of_the_sources() {
    let verifier = recording();
    let headers_only = Router::new()
        .route(
            "/me",
            get(|user: StackUser| async move { user.user_id().to_owned() }),
        )
        .with_state(
            StackAuth::new(verifier.clone())
                .token_sources(stack_auth_core::TokenSources::HEADERS_ONLY),
        );
    for name in ["stack-access", "hexclave-access"] {
        let cookie = format!("{name}=%5B%22refresh-1%22%2C%22{GOOD}%22%5D");
        let reply = send(headers_only.clone(), request("/me", &[("cookie", &cookie)])).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{name}: {reply:?}");
        assert!(
            verifier.tokens().is_empty(),
            "the {name} cookie was not read"
        );
    }
    let reply = send(
        headers_only,
        request("/me", &[("x-stack-access-token", GOOD)]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
}
