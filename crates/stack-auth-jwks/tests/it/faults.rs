//! Fault injection against the stand-in's JWKS route (issue 10): down at start, down after
//! warm-up, slow, hanging, garbage, oversized, 5xx bursts, 429 storms and key rotation under
//! concurrent load. Each test asserts what callers get (the error class, or stale keys within
//! their limit), that nothing waits past the configured fetch timeout, and the exact number of
//! JWKS requests. Tokio time is paused; the verifier's clock is a `ManualClock`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use futures::future::join_all;
use stack_auth_core::{RefusalReason, TokenVerifier, UnavailableKind, VerifyError};
use stack_auth_jwks::{JwksVerifier, KeySetState};
use stack_auth_testkit::{random_secret, Fault, FaultBody, Route, UserSpec};
use tokio::time::Instant;

use crate::common::*;

/// The fetch deadline every test configures.
const TIMEOUT: Duration = Duration::from_secs(2);
/// Scheduling slack on top of a deadline (paused time: normally zero).
const SLACK: Duration = Duration::from_millis(50);
/// How long past its freshness a key set keeps serving while refreshes fail.
const STALE: Duration = Duration::from_secs(300);
/// Freshness of a fetched set: Stack Auth's `max-age=3600`, clamped to the default `max_ttl`.
const FRESH_SECS: u64 = 600;
/// The default interval between attempts after a failure.
const RETRY_SECS: u64 = 5;

fn verifier(kit: &Kit) -> JwksVerifier {
    kit.verifier()
        .timeout(TIMEOUT)
        .stale_if_error(STALE)
        .max_response_bytes(64 * 1024)
        .build()
        .unwrap()
}

/// Verifies `token`, asserting the call returned within the fetch deadline.
async fn timed(
    v: &JwksVerifier,
    token: &str,
) -> Result<stack_auth_core::VerifiedUser, VerifyError> {
    let started = Instant::now();
    let result = v.verify(token).await;
    let took = started.elapsed();
    assert!(took <= TIMEOUT + SLACK, "a verification took {took:?}");
    result
}

/// A valid token of a new normal user, living a day (the tests move the clock by minutes).
fn long_token(kit: &Kit) -> String {
    let user = kit.stack.create_user(UserSpec::normal()).unwrap();
    kit.stack
        .token(&user)
        .expires_in(Duration::from_secs(86_400))
        .mint()
}

/// Waits (in paused time) until no fetch is running, so request counts are final.
async fn settle(v: &JwksVerifier) {
    for _ in 0..1000 {
        if !v.status().fetch_in_flight {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("a background fetch never finished");
}

/// A verifier that fetched the key set once and verified `token`.
async fn warm(kit: &Kit, token: &str) -> JwksVerifier {
    let v = verifier(kit);
    timed(&v, token).await.unwrap();
    assert_eq!(kit.jwks_requests(), 1);
    v
}

#[tokio::test(start_paused = true)]
async fn down_at_start_fails_fast_with_one_request_per_retry_interval() {
    let kit = Kit::start().await;
    let token = long_token(&kit);
    kit.stack.inject(Route::Jwks, Fault::DropConnection);
    let v = verifier(&kit);
    let results = join_all((0..50).map(|_| timed(&v, &token))).await;
    for r in results {
        assert_eq!(unavailable_kind(r), UnavailableKind::Connect);
    }
    assert_eq!(kit.jwks_requests(), 1, "50 callers share one fetch");
    // Inside the retry interval: the same answer, no request.
    kit.advance(RETRY_SECS - 1).await;
    let err = timed(&v, &token).await.unwrap_err();
    assert_eq!(err.http_status(), 503);
    assert_eq!(kit.jwks_requests(), 1);
    // Past it, the endpoint is back: one request, and keys are in.
    kit.stack.clear_faults();
    kit.advance(1).await;
    timed(&v, &token).await.unwrap();
    assert_eq!(kit.jwks_requests(), 2);
}

#[tokio::test(start_paused = true)]
async fn down_after_warm_up_serves_stale_keys_within_the_limit_then_503() {
    let kit = Kit::start().await;
    let token = long_token(&kit);
    let v = warm(&kit, &token).await;
    kit.stack.inject(Route::Jwks, Fault::DropConnection);
    kit.advance(FRESH_SECS).await;
    // Through the whole stale window (checked every minute) the old keys keep verifying, also
    // for a token never seen before, and refreshes are attempted at most once per call.
    let minutes = STALE.as_secs() / 60;
    for minute in 0..minutes {
        let fresh_token = long_token(&kit);
        timed(&v, &token).await.unwrap();
        timed(&v, &fresh_token).await.unwrap();
        settle(&v).await;
        assert_eq!(v.status().state, KeySetState::Stale);
        assert_eq!(
            kit.jwks_requests(),
            2 + minute,
            "one refresh attempt a minute"
        );
        kit.advance(60).await;
    }
    // Past the stale limit: unavailable (503, retryable), never a refusal.
    let before = kit.jwks_requests();
    let err = timed(&v, &long_token(&kit)).await.unwrap_err();
    assert!(matches!(err, VerifyError::Unavailable(_)), "{err:?}");
    assert_eq!(err.http_status(), 503);
    assert_eq!(v.status().state, KeySetState::Expired);
    assert_eq!(kit.jwks_requests(), before + 1);
    // The endpoint recovers: keys are back with one request.
    kit.stack.clear_faults();
    kit.advance(RETRY_SECS).await;
    timed(&v, &token).await.unwrap();
    assert_eq!(kit.jwks_requests(), before + 2);
    assert_eq!(v.status().state, KeySetState::Fresh);
}

#[tokio::test(start_paused = true)]
async fn slow_beyond_the_timeout_times_out_for_every_waiting_caller() {
    let kit = Kit::start().await;
    let token = long_token(&kit);
    kit.stack.inject(
        Route::Jwks,
        Fault::Latency(TIMEOUT + Duration::from_secs(30)),
    );
    let v = verifier(&kit);
    for r in join_all((0..20).map(|_| timed(&v, &token))).await {
        assert_eq!(unavailable_kind(r), UnavailableKind::Timeout);
    }
    assert_eq!(kit.jwks_requests(), 1);
    // Slow but within the deadline is fine.
    kit.stack.clear_faults();
    kit.stack.inject(
        Route::Jwks,
        Fault::Latency(TIMEOUT - Duration::from_millis(500)),
    );
    kit.advance(RETRY_SECS).await;
    timed(&v, &token).await.unwrap();
    assert_eq!(kit.jwks_requests(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_hanging_endpoint_times_out_and_a_hanging_refresh_delays_nobody() {
    let kit = Kit::start().await;
    let token = long_token(&kit);
    kit.stack.inject_times(Route::Jwks, Fault::Hang, 1);
    let v = verifier(&kit);
    assert_eq!(
        unavailable_kind(timed(&v, &token).await),
        UnavailableKind::Timeout
    );
    kit.advance(RETRY_SECS).await;
    timed(&v, &token).await.unwrap();
    assert_eq!(kit.jwks_requests(), 2);

    // Warm now. The refresh hangs: verifications go on with the current keys at once.
    kit.stack.inject(Route::Jwks, Fault::Hang);
    kit.advance(FRESH_SECS + 1).await;
    let started = Instant::now();
    for _ in 0..10 {
        v.verify(&token).await.unwrap();
        v.verify(&long_token(&kit)).await.unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_millis(10),
        "nobody waited"
    );
    assert!(v.status().fetch_in_flight);
    settle(&v).await;
    assert_eq!(kit.jwks_requests(), 3, "one background refresh");
    assert_eq!(v.status().state, KeySetState::Stale);
}

#[tokio::test(start_paused = true)]
async fn garbage_and_oversized_bodies_are_unavailable_and_never_replace_good_keys() {
    for (fault, kind) in [
        (Fault::GarbageJson, UnavailableKind::InvalidResponse),
        (Fault::Oversized(1 << 20), UnavailableKind::TooLarge),
        (
            Fault::Status {
                status: 200,
                body: FaultBody::Json(serde_json::json!({"keys": []})),
            },
            UnavailableKind::InvalidResponse,
        ),
    ] {
        let kit = Kit::start().await;
        let token = long_token(&kit);
        kit.stack.inject_times(Route::Jwks, fault.clone(), 1);
        let v = verifier(&kit);
        assert_eq!(unavailable_kind(timed(&v, &token).await), kind, "{fault:?}");
        assert_eq!(kit.jwks_requests(), 1);

        // After warm-up, a broken refresh keeps the keys that work.
        kit.advance(RETRY_SECS).await;
        timed(&v, &token).await.unwrap();
        kit.stack.inject(Route::Jwks, fault.clone());
        kit.advance(FRESH_SECS).await;
        timed(&v, &token).await.unwrap();
        settle(&v).await;
        assert_eq!(kit.jwks_requests(), 3, "{fault:?}");
        let status = v.status();
        assert_eq!(status.key_ids.len(), 6, "{fault:?}: the good keys stay");
        assert_eq!(status.failed_fetch_count, 2);
        timed(&v, &long_token(&kit)).await.unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn a_5xx_burst_costs_one_request_per_retry_interval() {
    let kit = Kit::start().await;
    let token = long_token(&kit);
    kit.stack.inject_times(Route::Jwks, Fault::status(503), 3);
    let v = verifier(&kit);
    for attempt in 1..=3 {
        // Hammered during each interval: one request per interval, the same 503.
        for _ in 0..10 {
            let err = timed(&v, &token).await.unwrap_err();
            let VerifyError::Unavailable(u) = &err else {
                panic!("{err:?}")
            };
            assert_eq!(
                (u.kind(), u.status()),
                (UnavailableKind::ServerError, Some(503))
            );
        }
        assert_eq!(kit.jwks_requests(), attempt);
        kit.advance(RETRY_SECS).await;
    }
    timed(&v, &token).await.unwrap();
    assert_eq!(kit.jwks_requests(), 4, "three failures, then one success");
}

#[tokio::test(start_paused = true)]
async fn a_429_storm_honours_retry_after_up_to_its_cap() {
    let kit = Kit::start().await;
    let token = long_token(&kit);
    kit.stack.inject(
        Route::Jwks,
        Fault::RateLimited {
            retry_after: Some(30),
        },
    );
    let v = verifier(&kit);
    let err = timed(&v, &token).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
    assert!(
        matches!(&err, VerifyError::Unavailable(u) if u.kind() == UnavailableKind::RateLimited)
    );
    for _ in 0..29 {
        kit.advance(1).await;
        assert!(timed(&v, &token).await.is_err());
    }
    assert_eq!(kit.jwks_requests(), 1, "nothing asked before Retry-After");
    kit.advance(1).await;
    assert!(timed(&v, &token).await.is_err());
    assert_eq!(kit.jwks_requests(), 2);

    // An absurd Retry-After is capped at five minutes; without one, the retry interval applies.
    kit.stack.clear_faults();
    kit.stack.inject_times(
        Route::Jwks,
        Fault::RateLimited {
            retry_after: Some(1_000_000),
        },
        1,
    );
    kit.stack
        .inject_times(Route::Jwks, Fault::RateLimited { retry_after: None }, 1);
    kit.advance(30).await;
    assert!(timed(&v, &token).await.is_err());
    assert_eq!(kit.jwks_requests(), 3);
    kit.advance(299).await;
    assert!(timed(&v, &token).await.is_err());
    assert_eq!(kit.jwks_requests(), 3);
    kit.advance(1).await;
    assert!(
        timed(&v, &token).await.is_err(),
        "the 429 without Retry-After"
    );
    assert_eq!(kit.jwks_requests(), 4);
    kit.advance(RETRY_SECS).await;
    timed(&v, &token).await.unwrap();
    assert_eq!(kit.jwks_requests(), 5);
}

#[tokio::test(start_paused = true)]
async fn rotation_under_200_concurrent_verifications_refetches_once() {
    let kit = Kit::start().await;
    let old_tokens: Vec<String> = (0..100).map(|_| long_token(&kit)).collect();
    let v = warm(&kit, &old_tokens[0]).await;
    for t in &old_tokens {
        v.verify(t).await.unwrap();
    }
    kit.stack.rotate_secret(random_secret()).unwrap();
    let new_tokens: Vec<String> = (0..100).map(|_| long_token(&kit)).collect();

    let started = Instant::now();
    let calls = old_tokens
        .iter()
        .zip(&new_tokens)
        .flat_map(|(old, new)| [(old, false), (new, true)])
        .map(|(token, is_new)| {
            let v = v.clone();
            async move { (is_new, v.verify(token).await) }
        });
    for (is_new, result) in join_all(calls).await {
        match (is_new, result) {
            (true, r) => assert!(r.is_ok(), "a new-key token: {r:?}"),
            // Old tokens checked before the new set landed still pass; after, they are refused.
            (false, Ok(_)) => {}
            (false, r) => assert_eq!(reason(r), RefusalReason::UnknownKey),
        }
    }
    assert!(started.elapsed() <= TIMEOUT + SLACK);
    assert_eq!(
        kit.jwks_requests(),
        2,
        "one refetch for 200 concurrent callers"
    );
    assert_eq!(v.status().unknown_kid_refetch_count, 1);

    // Once rotated: every old token is refused (cached verdicts too), no further request.
    for t in &old_tokens {
        assert_eq!(reason(v.verify(t).await), RefusalReason::UnknownKey);
    }
    assert_eq!(kit.jwks_requests(), 2);

    // A second rotation inside the cooldown: refused until it passes, then one more refetch.
    kit.stack.rotate_secret(random_secret()).unwrap();
    let newest = long_token(&kit);
    assert_eq!(reason(v.verify(&newest).await), RefusalReason::UnknownKey);
    assert_eq!(kit.jwks_requests(), 2);
    kit.advance(30).await;
    v.verify(&newest).await.unwrap();
    assert_eq!(kit.jwks_requests(), 3);
}
