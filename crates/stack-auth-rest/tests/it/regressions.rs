//! Regression tests for crashes found by the issue-10 fuzzing work (`fuzz/`, target
//! `users_me_response`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use stack_auth_core::{TokenVerifier, UnavailableKind, VerifyError};
use stack_auth_rest::RestVerifier;
use stack_auth_testkit::{Fault, LocalStackAuth, Route, UserSpec};

fn rate_limited(e: &VerifyError) -> bool {
    matches!(e, VerifyError::Unavailable(u)
        if u.kind() == UnavailableKind::RateLimited && u.status() == Some(429))
}

/// `Retry-After: 18446744073709551615` on a 429 made the retry loop compute `now + wait`,
/// which overflowed `Instant` and panicked: inside `verify` the panic surfaced as a
/// misconfiguration (500), in `fetch_profile` it unwound into the caller. It is a rate limit
/// like any other, answered at once since the wait does not fit the deadline.
#[tokio::test(start_paused = true)]
async fn an_absurd_retry_after_is_a_rate_limit_not_a_panic() {
    let stack = LocalStackAuth::start().await.unwrap();
    stack.inject(
        Route::UsersMe,
        Fault::RateLimited {
            retry_after: Some(u64::MAX),
        },
    );
    let verifier = RestVerifier::builder_with_config(stack.config(), stack.secret_server_key())
        .build()
        .unwrap();
    let token = stack.mint(&stack.create_user(UserSpec::normal()).unwrap());

    let err = verifier.verify(&token).await.unwrap_err();
    assert!(rate_limited(&err), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(u64::MAX)));
    assert_eq!(
        stack.requests(Route::UsersMe),
        1,
        "no retry: the wait cannot fit"
    );

    let err = verifier.fetch_profile(&token).await.unwrap_err();
    assert!(rate_limited(&err), "{err:?}");
    assert_eq!(stack.requests(Route::UsersMe), 2);
}
