//! The extractor finds the token in every source of PROTOCOL §5.3 and verifies exactly that token.

use axum::{routing::get, Router};
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
    let cookie = format!("stack-access=%5B%22refresh-1%22%2C%22{GOOD}%22%5D");
    let reply = send(headers_only.clone(), request("/me", &[("cookie", &cookie)])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{reply:?}");
    assert!(verifier.tokens().is_empty(), "the cookie was not read");
    let reply = send(
        headers_only,
        request("/me", &[("x-stack-access-token", GOOD)]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
}
