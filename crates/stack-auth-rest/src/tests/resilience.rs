//! Retries, backoff, Retry-After, the deadline and the breaker, under paused time.

use std::time::Duration;

use stack_auth_core::{RefusalReason, TokenVerifier, UnavailableKind};
use tokio::time::Instant;

use super::scripted::{
    after, builder, kind, known, ok_user, status, too_many, Scripted, Step, TOK,
};
use crate::{CircuitBreakerPolicy, RetryPolicy};

#[tokio::test(start_paused = true)]
async fn gateway_errors_and_connect_failures_are_retried_with_bounded_backoff() {
    let t = Scripted::new(|n| match n {
        1 => status(502, "bad gateway"),
        2 => Step::Refuse,
        3 => status(504, ""),
        _ => ok_user("u1"),
    });
    let v = builder(&t)
        .retry_policy(RetryPolicy::new(4, Duration::from_millis(100)))
        .build()
        .unwrap();
    let start = Instant::now();
    let user = v.verify(TOK).await.unwrap();
    assert_eq!(user.user_id(), "u1");
    assert_eq!(t.calls(), 4);
    // Full jitter: at most 100 + 200 + 400 ms of backoff.
    assert!(
        start.elapsed() <= Duration::from_millis(700),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn attempts_run_out_and_the_last_error_is_reported() {
    let t = Scripted::new(|_| status(503, "down"));
    let v = builder(&t).build().unwrap();
    let e = v.verify(TOK).await.unwrap_err();
    assert_eq!(kind(&e), UnavailableKind::ServerError);
    assert_eq!(t.calls(), crate::DEFAULT_MAX_ATTEMPTS);
    assert!(e.is_retryable());
}

#[tokio::test(start_paused = true)]
async fn plain_500_refusals_and_misconfiguration_are_not_retried() {
    for (step, check) in [
        (status(500, "oops"), "unavailable"),
        (known(401, "ACCESS_TOKEN_EXPIRED"), "expired"),
        (known(401, "INVALID_SECRET_SERVER_KEY"), "misconfigured"),
    ] {
        let t = Scripted::new(move |_| step.clone());
        let v = builder(&t).build().unwrap();
        let e = v.verify(TOK).await.unwrap_err();
        let code = e.refusal_reason().map_or(e.outcome_label(), |r| r.as_str());
        assert_eq!(code, check);
        assert_eq!(t.calls(), 1, "{check}");
    }
}

#[tokio::test(start_paused = true)]
async fn retry_after_that_fits_is_waited_exactly() {
    let t = Scripted::new(|n| {
        if n == 1 {
            too_many(Some("2"))
        } else {
            ok_user("u1")
        }
    });
    let v = builder(&t).timeout(Duration::from_secs(5)).build().unwrap();
    let start = Instant::now();
    v.verify(TOK).await.unwrap();
    assert_eq!(start.elapsed(), Duration::from_secs(2));
    assert_eq!(t.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn retry_after_that_does_not_fit_returns_at_once_with_it() {
    let t = Scripted::new(|_| too_many(Some("10")));
    let v = builder(&t).timeout(Duration::from_secs(5)).build().unwrap();
    let start = Instant::now();
    let e = v.verify(TOK).await.unwrap_err();
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(kind(&e), UnavailableKind::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(10)));
    assert_eq!(t.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn rate_limit_without_retry_after_backs_off() {
    let t = Scripted::new(|n| if n < 3 { too_many(None) } else { ok_user("u1") });
    let v = builder(&t).build().unwrap();
    v.verify(TOK).await.unwrap();
    assert_eq!(t.calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_hang_ends_at_the_deadline() {
    let t = Scripted::new(|_| Step::Hang);
    let v = builder(&t).timeout(Duration::from_secs(3)).build().unwrap();
    let start = Instant::now();
    let e = v.verify(TOK).await.unwrap_err();
    assert_eq!(start.elapsed(), Duration::from_secs(3));
    assert_eq!(kind(&e), UnavailableKind::Timeout);
    assert_eq!(t.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_deadline_covers_all_retries() {
    let t = Scripted::new(|_| after(Duration::from_millis(1_500), status(503, "")));
    let v = builder(&t)
        .timeout(Duration::from_secs(4))
        .retry_policy(RetryPolicy::new(100, Duration::from_millis(10)))
        .build()
        .unwrap();
    let start = Instant::now();
    let e = v.verify(TOK).await.unwrap_err();
    assert!(
        start.elapsed() <= Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );
    assert!(matches!(
        kind(&e),
        UnavailableKind::Timeout | UnavailableKind::ServerError
    ));
    assert_eq!(t.calls(), 3);
}

#[tokio::test(start_paused = true)]
async fn breaker_fails_fast_then_probes_after_cool_off() {
    let t = Scripted::new(|n| {
        if n <= 3 {
            status(503, "")
        } else {
            ok_user("u1")
        }
    });
    let v = builder(&t)
        .retry_policy(RetryPolicy::none())
        .circuit_breaker(CircuitBreakerPolicy::new(3, Duration::from_secs(10)))
        .build()
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            kind(&v.verify(TOK).await.unwrap_err()),
            UnavailableKind::ServerError
        );
    }
    for _ in 0..50 {
        let e = v.verify(TOK).await.unwrap_err();
        assert_eq!(kind(&e), UnavailableKind::CircuitOpen);
    }
    assert_eq!(t.calls(), 3, "no request while open");
    tokio::time::advance(Duration::from_secs(10)).await;
    assert_eq!(v.verify(TOK).await.unwrap().user_id(), "u1");
    assert_eq!(v.verify(TOK).await.unwrap().user_id(), "u1");
    assert_eq!(t.calls(), 5);
}

#[tokio::test(start_paused = true)]
async fn the_breaker_opening_mid_retry_reports_the_real_error() {
    let t = Scripted::new(|_| status(503, ""));
    let v = builder(&t)
        .circuit_breaker(CircuitBreakerPolicy::new(2, Duration::from_secs(10)))
        .build()
        .unwrap();
    let e = v.verify(TOK).await.unwrap_err();
    assert_eq!(kind(&e), UnavailableKind::ServerError);
    assert_eq!(t.calls(), 2);
}

#[tokio::test(start_paused = true)]
async fn refusals_do_not_open_the_breaker() {
    let t = Scripted::new(|_| known(401, "UNPARSABLE_ACCESS_TOKEN"));
    let v = builder(&t)
        .circuit_breaker(CircuitBreakerPolicy::new(2, Duration::from_secs(10)))
        .build()
        .unwrap();
    for _ in 0..10 {
        let e = v.verify(TOK).await.unwrap_err();
        assert_eq!(e.refusal_reason(), Some(RefusalReason::Unparsable));
    }
    assert_eq!(t.calls(), 10);
}
