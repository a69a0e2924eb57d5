//! Retries, Retry-After and the circuit breaker over real HTTP, with exact request counts.
//! (The timing itself is tested under paused time in the crate's unit tests.)

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use stack_auth_core::{TokenVerifier, UnavailableKind};
use stack_auth_rest::{CircuitBreakerPolicy, RetryPolicy};

use crate::common::{builder, token, unavailable_kind, PATH, PROFILE};

async fn mock_status(server: &mut mockito::Server, status: usize, hits: usize) -> mockito::Mock {
    server
        .mock("GET", PATH)
        .with_status(status)
        .with_body("unavailable")
        .expect(hits)
        .create_async()
        .await
}

#[tokio::test]
async fn gateway_errors_are_retried_until_success() {
    let mut server = mockito::Server::new_async().await;
    let m502 = mock_status(&mut server, 502, 1).await;
    let m503 = mock_status(&mut server, 503, 1).await;
    let ok = server
        .mock("GET", PATH)
        .with_body(PROFILE)
        .expect(1)
        .create_async()
        .await;
    let v = builder(&server.url()).build().unwrap();
    v.verify(&token(1)).await.unwrap();
    for m in [m502, m503, ok] {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn retries_stop_at_max_attempts() {
    let mut server = mockito::Server::new_async().await;
    let m = mock_status(&mut server, 504, 4).await;
    let v = builder(&server.url())
        .retry_policy(RetryPolicy::new(4, Duration::from_millis(1)))
        .build()
        .unwrap();
    let e = v.verify(&token(1)).await.unwrap_err();
    assert_eq!(unavailable_kind(&e), UnavailableKind::ServerError);
    m.assert_async().await;
}

#[tokio::test]
async fn plain_500_is_not_retried() {
    let mut server = mockito::Server::new_async().await;
    let m = mock_status(&mut server, 500, 1).await;
    builder(&server.url())
        .build()
        .unwrap()
        .verify(&token(1))
        .await
        .unwrap_err();
    m.assert_async().await;
}

#[tokio::test]
async fn a_retry_after_that_fits_is_honoured() {
    let mut server = mockito::Server::new_async().await;
    let limited = server
        .mock("GET", PATH)
        .with_status(429)
        .with_header("retry-after", "0")
        .with_body(r#"{"message":"Artificial development rate limit triggered."}"#)
        .expect(1)
        .create_async()
        .await;
    let ok = server
        .mock("GET", PATH)
        .with_body(PROFILE)
        .expect(1)
        .create_async()
        .await;
    builder(&server.url())
        .build()
        .unwrap()
        .verify(&token(1))
        .await
        .unwrap();
    limited.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn a_retry_after_past_the_deadline_returns_at_once() {
    let mut server = mockito::Server::new_async().await;
    let m = server
        .mock("GET", PATH)
        .with_status(429)
        .with_header("retry-after", "30")
        .expect(1)
        .create_async()
        .await;
    let v = builder(&server.url())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let start = Instant::now();
    let e = v.verify(&token(1)).await.unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(unavailable_kind(&e), UnavailableKind::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(30)));
    m.assert_async().await;
}

#[tokio::test]
async fn the_breaker_stops_requests_then_probes() {
    let mut server = mockito::Server::new_async().await;
    let failing = mock_status(&mut server, 503, 3).await;
    let v = builder(&server.url())
        .retry_policy(RetryPolicy::none())
        .circuit_breaker(CircuitBreakerPolicy::new(3, Duration::from_millis(400)))
        .build()
        .unwrap();
    for n in 0..3 {
        let e = v.verify(&token(n)).await.unwrap_err();
        assert_eq!(unavailable_kind(&e), UnavailableKind::ServerError);
    }
    for n in 3..100 {
        let e = v.verify(&token(n)).await.unwrap_err();
        assert_eq!(unavailable_kind(&e), UnavailableKind::CircuitOpen);
    }
    failing.assert_async().await;
    let ok = server
        .mock("GET", PATH)
        .with_body(PROFILE)
        .expect(2)
        .create_async()
        .await;
    tokio::time::sleep(Duration::from_millis(450)).await;
    v.verify(&token(100)).await.unwrap();
    v.verify(&token(101)).await.unwrap();
    ok.assert_async().await;
}
