//! `RestVerifier::for_unverified_tokens`: requests about tokens nothing has verified are sent
//! once, only while the circuit is closed, and never counted by the breaker (issue 14, item 3).

use std::time::Duration;

use stack_auth_core::{TokenVerifier, UnavailableKind};

use super::scripted::{builder, kind, ok_user, too_many, Scripted, TOK};
use crate::CircuitBreakerPolicy;

#[tokio::test(start_paused = true)]
async fn rate_limited_unverified_tokens_never_open_the_circuit() {
    // Ten 429s without Retry-After (retryable), then answers.
    let t = Scripted::new(|n| {
        if n <= 10 {
            too_many(None)
        } else {
            ok_user("u1")
        }
    });
    let v = builder(&t)
        .circuit_breaker(CircuitBreakerPolicy::new(2, Duration::from_secs(60)))
        .build()
        .unwrap();
    let unverified = v.for_unverified_tokens();
    for n in 1..=10 {
        let e = unverified.verify(TOK).await.unwrap_err();
        assert_eq!(kind(&e), UnavailableKind::RateLimited);
        assert_eq!(t.calls(), n, "one request each, no retry");
    }
    // Verified traffic finds the circuit closed.
    assert_eq!(v.verify(TOK).await.unwrap().user_id(), "u1");
    assert_eq!(t.calls(), 11);
}

#[tokio::test(start_paused = true)]
async fn unverified_tokens_send_nothing_while_the_circuit_is_open_or_half_open() {
    let t = Scripted::new(|n| {
        if n <= 2 {
            too_many(None)
        } else {
            ok_user("u1")
        }
    });
    let cool_off = Duration::from_secs(5);
    let v = builder(&t)
        .retry_policy(crate::RetryPolicy::none())
        .circuit_breaker(CircuitBreakerPolicy::new(2, cool_off))
        .build()
        .unwrap();
    v.verify(TOK).await.unwrap_err();
    v.verify(TOK).await.unwrap_err();
    let unverified = v.for_unverified_tokens();
    let e = unverified.verify(TOK).await.unwrap_err();
    assert_eq!(kind(&e), UnavailableKind::CircuitOpen);
    tokio::time::advance(cool_off).await;
    // Half-open: the probe belongs to verified traffic.
    let e = unverified.verify(TOK).await.unwrap_err();
    assert_eq!(kind(&e), UnavailableKind::CircuitOpen);
    assert_eq!(t.calls(), 2);
    v.verify(TOK).await.unwrap();
    unverified.verify(TOK).await.unwrap();
    assert_eq!(t.calls(), 4);
}
