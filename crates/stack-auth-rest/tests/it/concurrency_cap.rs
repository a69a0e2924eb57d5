//! Issue 14, item 6: the REST verifier had no cap on concurrent users/me requests. It now has
//! one (`max_concurrent_requests`); a verification that finds every slot taken waits within its
//! deadline, and one that cannot get a slot in time is `unavailable` (timeout) without sending
//! anything, never a hang. Tokio time is paused: the stand-in's latency and the deadlines run
//! on it.

use std::time::Duration;

use stack_auth_core::{TokenVerifier, UnavailableKind, VerifiedUser, VerifyError};
use stack_auth_rest::{CircuitBreakerPolicy, RestVerifier, RetryPolicy};
use stack_auth_testkit::{Fault, LocalStackAuth, Route, UserSpec};
use tokio::{
    task::JoinHandle,
    time::{sleep, Instant},
};

type Verdict = Result<VerifiedUser, VerifyError>;

const DEADLINE: Duration = Duration::from_secs(10);
const LATENCY: Duration = Duration::from_secs(1);

fn capped(stack: &LocalStackAuth, cap: usize, deadline: Duration) -> RestVerifier {
    RestVerifier::builder_with_config(stack.config(), stack.secret_server_key())
        .max_concurrent_requests(cap)
        .timeout(deadline)
        .retry_policy(RetryPolicy::none())
        .circuit_breaker(CircuitBreakerPolicy::disabled())
        .build()
        .unwrap()
}

/// `count` tokens of distinct users (no shared flight, no cache).
fn tokens(stack: &LocalStackAuth, count: usize) -> Vec<String> {
    (0..count)
        .map(|_| stack.mint(&stack.create_user(UserSpec::normal()).unwrap()))
        .collect()
}

/// Starts a verification of each token, all at once.
fn verify_all(v: &RestVerifier, tokens: Vec<String>) -> Vec<JoinHandle<Verdict>> {
    tokens
        .into_iter()
        .map(|token| {
            let v = v.clone();
            tokio::spawn(async move { v.verify(&token).await })
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn users_me_requests_in_flight_never_exceed_the_cap() {
    let stack = LocalStackAuth::start().await.unwrap();
    stack.inject(Route::UsersMe, Fault::Latency(LATENCY));
    let v = capped(&stack, 2, DEADLINE);
    let tasks = verify_all(&v, tokens(&stack, 6));
    // Two at a time: each second, two more requests reach users/me.
    for expected in [2, 4, 6] {
        sleep(LATENCY / 2).await;
        assert_eq!(stack.requests(Route::UsersMe), expected);
        sleep(LATENCY / 2).await;
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(stack.requests(Route::UsersMe), 6);
}

#[tokio::test(start_paused = true)]
async fn a_caller_without_a_slot_is_unavailable_at_the_deadline_without_a_request() {
    let stack = LocalStackAuth::start().await.unwrap();
    stack.inject(Route::UsersMe, Fault::Hang);
    let deadline = Duration::from_secs(2);
    let v = capped(&stack, 1, deadline);
    let started = Instant::now();
    let tasks = verify_all(&v, tokens(&stack, 3));
    for task in tasks {
        let err = task.await.unwrap().unwrap_err();
        assert!(
            matches!(&err, VerifyError::Unavailable(u) if u.kind() == UnavailableKind::Timeout),
            "{err:?}"
        );
    }
    assert!(started.elapsed() <= deadline, "{:?}", started.elapsed());
    assert_eq!(
        stack.requests(Route::UsersMe),
        1,
        "the waiters sent nothing"
    );
}
