//! Issue 14, item 2: one user could open the circuit breaker for everyone. Stack Auth lets a
//! user write their own `client_metadata`, with no depth or size limit; a healthy 200 answer
//! about that one user (nested past serde_json's recursion limit, or larger than the body cap)
//! was counted as an upstream failure, so five of them opened the breaker and every other user
//! got 503. Such an answer is now about that token alone: deep metadata is read as raw JSON, and
//! an over-cap profile is `profile_too_large` for that token, not counted by the breaker, not
//! retried, and cached like a refusal. Nothing one user does changes whether another user's
//! valid token verifies.

use serde_json::Value;
use stack_auth_core::{ServerUser, TokenVerifier, UnavailableKind, VerifyError};
use stack_auth_rest::{CircuitBreakerPolicy, RestVerifier};
use stack_auth_testkit::{LocalStackAuth, Route, UserSpec};

use crate::common::{builder, token, unavailable_kind, PATH};

/// More answers about the hostile user than the breaker's threshold (5).
const ANSWERS: u64 = 10;

/// The default settings: 5 consecutive failures open the breaker, 3 attempts, a 1 MiB cap.
fn verifier(stack: &LocalStackAuth) -> RestVerifier {
    RestVerifier::builder_with_config(stack.config(), stack.secret_server_key())
        .circuit_breaker(CircuitBreakerPolicy::default())
        .build()
        .unwrap()
}

/// JSON nested `depth` arrays deep, well past serde_json's recursion limit of 128.
fn nested(depth: usize) -> Value {
    (0..depth).fold(Value::Null, |inner, _| Value::Array(vec![inner]))
}

/// `count` distinct tokens of `user` (one per session), so no verdict cache is involved.
fn tokens(stack: &LocalStackAuth, user: &ServerUser, count: u64) -> Vec<String> {
    (0..count)
        .map(|i| stack.token(user).session_id(format!("session-{i}")).mint())
        .collect()
}

/// Asserts that a bystander's fresh token verifies with exactly one users/me request.
async fn bystander_verifies(stack: &LocalStackAuth, v: &RestVerifier) {
    let alice = stack.create_user(UserSpec::normal()).unwrap();
    let before = stack.requests(Route::UsersMe);
    let user = v.verify(&stack.mint(&alice)).await;
    let got = user.map(|u| u.user_id().to_owned());
    assert_eq!(got.map_err(|e| e.reason_label()), Ok(alice.id));
    assert_eq!(stack.requests(Route::UsersMe), before + 1);
}

#[tokio::test(start_paused = true)]
async fn one_users_deeply_nested_metadata_never_opens_the_breaker() {
    let stack = LocalStackAuth::start().await.unwrap();
    let mallory = stack
        .create_user(UserSpec::normal().client_metadata(nested(200)))
        .unwrap();
    let v = verifier(&stack);
    let mut answers = Vec::new();
    for token in tokens(&stack, &mallory, ANSWERS) {
        answers.push(v.verify(&token).await);
    }
    bystander_verifies(&stack, &v).await;
    for answer in answers {
        let user = answer.unwrap();
        assert_eq!(user.user_id(), mallory.id);
        assert!(user.profile().unwrap().client_metadata.is_some());
    }
    assert_eq!(
        stack.requests(Route::UsersMe),
        ANSWERS + 1,
        "one request each"
    );
}

#[tokio::test(start_paused = true)]
async fn one_users_oversized_profile_never_opens_the_breaker() {
    let stack = LocalStackAuth::start().await.unwrap();
    let huge = Value::String("x".repeat(1_100_000));
    let mallory = stack
        .create_user(UserSpec::normal().client_metadata(huge))
        .unwrap();
    let v = verifier(&stack);
    let tokens = tokens(&stack, &mallory, ANSWERS);
    let mut answers = Vec::new();
    for token in &tokens {
        answers.push(v.verify(token).await);
    }
    bystander_verifies(&stack, &v).await;
    for answer in answers {
        let err = answer.unwrap_err();
        assert!(
            matches!(&err, VerifyError::Unavailable(u) if u.status() == Some(200)),
            "{err:?}"
        );
        assert_eq!(err.reason_label(), "profile_too_large", "{err:?}");
    }
    assert_eq!(
        stack.requests(Route::UsersMe),
        ANSWERS + 1,
        "one request each: an answer about one user is not retried"
    );
    // Cached like a refusal: the same token again costs nothing for a while.
    let before = stack.requests(Route::UsersMe);
    assert!(v.verify(&tokens[0]).await.is_err());
    assert_eq!(stack.requests(Route::UsersMe), before);
}

/// Over the cap, a 200 JSON answer without a known error is one user's profile (users write
/// their own metadata): `profile_too_large`, about that token. Anything else that large (an
/// error status, a known error, no JSON) is not what Stack Auth sends: `too_large`.
#[tokio::test]
async fn only_an_oversized_profile_answer_is_about_the_token() {
    let mut server = mockito::Server::new_async().await;
    let big = format!(r#"{{"id":"u","pad":"{}"}}"#, "x".repeat(5_000));
    let answers: [(u64, usize, &str, Option<&str>); 4] = [
        (1, 200, "application/json; charset=utf-8", None),
        (2, 503, "application/json", None),
        (3, 200, "application/json", Some("INTERNAL_ERROR")),
        (4, 200, "text/html", None),
    ];
    let mut mocks = Vec::new();
    for (nonce, status, content_type, known) in answers {
        let mut mock = server
            .mock("GET", PATH)
            .match_header("x-stack-access-token", token(nonce).as_str())
            .with_status(status)
            .with_header("content-type", content_type)
            .with_body(&big);
        if let Some(code) = known {
            mock = mock.with_header("x-stack-known-error", code);
        }
        mocks.push(mock.create_async().await);
    }
    let v = builder(&server.url())
        .max_response_bytes(4_096)
        .build()
        .unwrap();
    for (nonce, status, content_type, _) in answers {
        let e = v.verify(&token(nonce)).await.unwrap_err();
        let expected = if nonce == 1 {
            UnavailableKind::ProfileTooLarge
        } else {
            UnavailableKind::TooLarge
        };
        assert_eq!(unavailable_kind(&e), expected, "{status} {content_type}");
        assert!(
            matches!(&e, VerifyError::Unavailable(u) if u.status() == u16::try_from(status).ok())
        );
    }
}
