//! Fault injection against the stand-in's users/me (issue 10): down at start, down after
//! warm-up, slow, hanging, garbage, oversized, 5xx bursts, 429 storms and key rotation under
//! concurrent load. Each test asserts what callers get (the error class), that no verification
//! outlasts the deadline, and the exact number of users/me requests (retries within the policy,
//! the circuit breaker stopping them). Tokio time is paused: backoff, `Retry-After` waits, the
//! deadline and the breaker's cool-off run on it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use futures::future::join_all;
use stack_auth_core::{RefusalReason, TokenVerifier, UnavailableKind, VerifiedUser, VerifyError};
use stack_auth_rest::{CircuitBreakerPolicy, RestVerifier, RetryPolicy};
use stack_auth_testkit::{random_secret, Fault, LocalStackAuth, Route, UserSpec};
use tokio::time::Instant;

/// The deadline every test configures (all attempts and waits included).
const DEADLINE: Duration = Duration::from_secs(2);
/// Scheduling slack on top of the deadline (paused time: normally zero).
const SLACK: Duration = Duration::from_millis(50);
/// Attempts per verification.
const ATTEMPTS: u32 = 3;
/// Consecutive failed attempts that open the breaker, and its cool-off.
const THRESHOLD: u32 = 5;
const COOL_OFF: Duration = Duration::from_secs(5);

fn verifier(stack: &LocalStackAuth) -> RestVerifier {
    RestVerifier::builder_with_config(stack.config(), stack.secret_server_key())
        .timeout(DEADLINE)
        .retry_policy(RetryPolicy::new(ATTEMPTS, Duration::from_millis(100)))
        .circuit_breaker(CircuitBreakerPolicy::new(THRESHOLD, COOL_OFF))
        .max_response_bytes(64 * 1024)
        .build()
        .unwrap()
}

fn token(stack: &LocalStackAuth) -> String {
    stack.mint(&stack.create_user(UserSpec::normal()).unwrap())
}

fn users_me(stack: &LocalStackAuth) -> u64 {
    stack.requests(Route::UsersMe)
}

/// Verifies `token`, asserting the call ended within the deadline.
async fn timed(v: &RestVerifier, token: &str) -> Result<VerifiedUser, VerifyError> {
    let started = Instant::now();
    let result = v.verify(token).await;
    let took = started.elapsed();
    assert!(took <= DEADLINE + SLACK, "a verification took {took:?}");
    result
}

fn unavailable(result: Result<VerifiedUser, VerifyError>) -> (UnavailableKind, Option<u16>) {
    match result {
        Err(VerifyError::Unavailable(u)) => {
            assert_eq!(u.upstream(), stack_auth_core::Upstream::Api);
            (u.kind(), u.status())
        }
        other => panic!("expected unavailable, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn down_at_start_retries_within_the_policy_then_the_breaker_stops_requests() {
    let stack = LocalStackAuth::start().await.unwrap();
    stack.inject(Route::UsersMe, Fault::DropConnection);
    let v = verifier(&stack);
    let first = timed(&v, &token(&stack)).await;
    assert_eq!(unavailable(first).0, UnavailableKind::Connect);
    assert_eq!(
        users_me(&stack),
        u64::from(ATTEMPTS),
        "retried up to the policy"
    );
    // The second verification's second failure is the fifth in a row: the breaker opens and
    // its last attempt is not sent.
    assert_eq!(
        unavailable(timed(&v, &token(&stack)).await).0,
        UnavailableKind::Connect
    );
    assert_eq!(users_me(&stack), u64::from(THRESHOLD));
    for _ in 0..20 {
        let started = Instant::now();
        let kind = unavailable(v.verify(&token(&stack)).await).0;
        assert_eq!(kind, UnavailableKind::CircuitOpen);
        assert!(started.elapsed() < Duration::from_millis(1), "fails fast");
    }
    assert_eq!(
        users_me(&stack),
        u64::from(THRESHOLD),
        "no request while open"
    );

    // A truly closed port: a connection error within the deadline as well.
    let config = stack.config();
    stack.shutdown().await;
    let v = RestVerifier::builder_with_config(config, "ssk_unused")
        .timeout(DEADLINE)
        .build()
        .unwrap();
    let closed = timed(&v, "eyJhbGciOiJFUzI1NiIsImtpZCI6InRlc3QifQ.e30.c2ln").await;
    assert_eq!(unavailable(closed).0, UnavailableKind::Connect);
}

#[tokio::test(start_paused = true)]
async fn down_after_warm_up_serves_cached_users_opens_the_breaker_and_probes() {
    let stack = LocalStackAuth::start().await.unwrap();
    let v = verifier(&stack);
    let known = token(&stack);
    timed(&v, &known).await.unwrap();
    assert_eq!(users_me(&stack), 1);

    stack.inject(Route::UsersMe, Fault::DropConnection);
    // A user verified moments ago is served from the cache (its documented revocation delay).
    timed(&v, &known).await.unwrap();
    assert_eq!(users_me(&stack), 1);
    for _ in 0..2 {
        assert_eq!(
            unavailable(timed(&v, &token(&stack)).await).0,
            UnavailableKind::Connect
        );
    }
    let opened_at = users_me(&stack);
    assert_eq!(opened_at, 1 + u64::from(THRESHOLD));
    for _ in 0..50 {
        let kind = unavailable(timed(&v, &token(&stack)).await).0;
        assert_eq!(kind, UnavailableKind::CircuitOpen);
    }
    assert_eq!(
        users_me(&stack),
        opened_at,
        "the request count stops growing"
    );

    // After the cool-off one probe goes through; it fails, so the circuit re-opens.
    tokio::time::sleep(COOL_OFF).await;
    assert_eq!(
        unavailable(timed(&v, &token(&stack)).await).0,
        UnavailableKind::Connect
    );
    assert_eq!(users_me(&stack), opened_at + 1, "exactly one probe");
    let kind = unavailable(timed(&v, &token(&stack)).await).0;
    assert_eq!(kind, UnavailableKind::CircuitOpen);
    // The API is back: the next probe closes the circuit.
    stack.clear_faults();
    tokio::time::sleep(COOL_OFF).await;
    timed(&v, &token(&stack)).await.unwrap();
    timed(&v, &token(&stack)).await.unwrap();
    assert_eq!(users_me(&stack), opened_at + 3);
}

#[tokio::test(start_paused = true)]
async fn slow_beyond_the_deadline_times_out_with_one_request() {
    let stack = LocalStackAuth::start().await.unwrap();
    let v = verifier(&stack);
    stack.inject(Route::UsersMe, Fault::Latency(Duration::from_secs(30)));
    let started = Instant::now();
    assert_eq!(
        unavailable(timed(&v, &token(&stack)).await).0,
        UnavailableKind::Timeout
    );
    assert!(
        started.elapsed() >= DEADLINE,
        "waited the whole deadline, no more"
    );
    assert_eq!(users_me(&stack), 1, "the deadline covers all attempts");
    // Slow within the deadline is fine.
    stack.clear_faults();
    stack.inject(
        Route::UsersMe,
        Fault::Latency(DEADLINE - Duration::from_millis(300)),
    );
    timed(&v, &token(&stack)).await.unwrap();
    assert_eq!(users_me(&stack), 2);
}

#[tokio::test(start_paused = true)]
async fn a_hanging_api_times_out_every_waiting_caller_with_one_request() {
    let stack = LocalStackAuth::start().await.unwrap();
    let v = verifier(&stack);
    stack.inject(Route::UsersMe, Fault::Hang);
    let shared = token(&stack);
    let results = join_all((0..50).map(|_| timed(&v, &shared))).await;
    for r in results {
        assert_eq!(unavailable(r).0, UnavailableKind::Timeout);
    }
    assert_eq!(
        users_me(&stack),
        1,
        "50 callers of one token share one request"
    );
}

#[tokio::test(start_paused = true)]
async fn garbage_and_oversized_answers_are_unavailable_and_not_retried() {
    let stack = LocalStackAuth::start().await.unwrap();
    for (fault, kind) in [
        (Fault::GarbageJson, UnavailableKind::InvalidResponse),
        // A 200 JSON answer over the cap is one user's (oversized) profile: about that token.
        (Fault::Oversized(1 << 20), UnavailableKind::ProfileTooLarge),
    ] {
        let v = verifier(&stack);
        stack.reset_counts();
        stack.inject_times(Route::UsersMe, fault.clone(), 1);
        assert_eq!(
            unavailable(timed(&v, &token(&stack)).await).0,
            kind,
            "{fault:?}"
        );
        assert_eq!(users_me(&stack), 1, "{fault:?}: retrying cannot help");
        timed(&v, &token(&stack)).await.unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn a_5xx_burst_is_retried_within_the_attempt_limit() {
    let stack = LocalStackAuth::start().await.unwrap();
    // Two 503s, then the answer: three requests, one success.
    let v = verifier(&stack);
    stack.inject_times(Route::UsersMe, Fault::status(503), 2);
    timed(&v, &token(&stack)).await.unwrap();
    assert_eq!(users_me(&stack), 3);
    // A longer burst: exactly ATTEMPTS requests, then the last status.
    for status in [502, 503, 504] {
        let v = verifier(&stack);
        stack.reset_counts();
        stack.inject_times(Route::UsersMe, Fault::status(status), 10);
        let got = unavailable(timed(&v, &token(&stack)).await);
        assert_eq!(got, (UnavailableKind::ServerError, Some(status)));
        assert_eq!(users_me(&stack), u64::from(ATTEMPTS));
        stack.clear_faults();
    }
    // A plain 500 is a server bug that repeats: not retried.
    let v = verifier(&stack);
    stack.reset_counts();
    stack.inject_times(Route::UsersMe, Fault::status(500), 10);
    let got = unavailable(timed(&v, &token(&stack)).await);
    assert_eq!(got, (UnavailableKind::ServerError, Some(500)));
    assert_eq!(users_me(&stack), 1);
}

#[tokio::test(start_paused = true)]
async fn a_429_storm_honours_retry_after_only_within_the_deadline() {
    let stack = LocalStackAuth::start().await.unwrap();
    let limited = |retry_after| Fault::RateLimited { retry_after };

    // Retry-After: 1 fits the 2 s deadline once: two requests, about one second.
    let v = verifier(&stack);
    stack.inject(Route::UsersMe, limited(Some(1)));
    let started = Instant::now();
    let err = timed(&v, &token(&stack)).await.unwrap_err();
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(users_me(&stack), 2);

    // Retry-After: 30 does not fit: answered at once, with the wait for the caller.
    let v = verifier(&stack);
    stack.clear_faults();
    stack.reset_counts();
    stack.inject(Route::UsersMe, limited(Some(30)));
    let started = Instant::now();
    let err = v.verify(&token(&stack)).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(1));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
    assert_eq!(
        unavailable(Err(err)),
        (UnavailableKind::RateLimited, Some(429))
    );
    assert_eq!(users_me(&stack), 1);

    // Without Retry-After, a storm of verifications costs THRESHOLD requests in all.
    let v = verifier(&stack);
    stack.clear_faults();
    stack.reset_counts();
    stack.inject(Route::UsersMe, limited(None));
    for _ in 0..20 {
        let kind = unavailable(timed(&v, &token(&stack)).await).0;
        assert!(matches!(
            kind,
            UnavailableKind::RateLimited | UnavailableKind::CircuitOpen
        ));
    }
    assert_eq!(users_me(&stack), u64::from(THRESHOLD));
}

#[tokio::test(start_paused = true)]
async fn rotation_under_200_concurrent_verifications() {
    let stack = LocalStackAuth::start().await.unwrap();
    let v = verifier(&stack);
    let cached_old = token(&stack);
    timed(&v, &cached_old).await.unwrap();
    let unseen_old = token(&stack);
    stack.rotate_secret(random_secret()).unwrap();
    let new_tokens: Vec<String> = (0..10).map(|_| token(&stack)).collect();
    stack.reset_counts();

    let started = Instant::now();
    let calls = (0..200).map(|i| {
        let (v, token) = match i % 20 {
            18 => (v.clone(), cached_old.clone()),
            19 => (v.clone(), unseen_old.clone()),
            n => (v.clone(), new_tokens[n % 10].clone()),
        };
        async move {
            let result = v.verify(&token).await;
            (token, result)
        }
    });
    for (token, result) in join_all(calls).await {
        if token == unseen_old {
            let reason = result.unwrap_err().refusal_reason();
            assert_eq!(reason, Some(RefusalReason::Unparsable));
        } else {
            // New-key tokens verify; the old token verified before the rotation is served from
            // the cache until its TTL (the documented revocation delay).
            result.unwrap();
        }
    }
    assert!(started.elapsed() <= DEADLINE + SLACK);
    assert_eq!(
        users_me(&stack),
        11,
        "one request per distinct uncached token"
    );
}
