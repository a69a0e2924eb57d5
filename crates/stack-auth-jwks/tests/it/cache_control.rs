//! `Cache-Control: max-age` is honoured within the configured clamps (a scripted JWKS server).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::time::Duration;

use stack_auth_core::TokenVerifier;

use crate::common::*;

async fn observed_ttl(cache_control: Option<&str>) -> u64 {
    let pid = default_project();
    let mut server = mockito::Server::new_async().await;
    let mut mock = server
        .mock("GET", jwks_path(&pid).as_str())
        .match_query(mockito::Matcher::Exact("include_anonymous=true".into()))
        .with_body(jwks_body(&pid, Some("include_anonymous=true")));
    if let Some(value) = cache_control {
        mock = mock.with_header("cache-control", value);
    }
    let mock = mock.create_async().await;
    let clock = clock();
    let verifier = builder_for(&server, &pid, &clock)
        .min_ttl(Duration::from_secs(60))
        .max_ttl(Duration::from_secs(600))
        .refresh_ahead(Duration::ZERO)
        .disable_token_cache()
        .build()
        .unwrap();
    let token = case_token("normal-user");
    verifier.verify(&token).await.unwrap();
    let status = verifier.status();
    let ttl = status
        .fresh_until
        .unwrap()
        .duration_since(status.fetched_at.unwrap())
        .unwrap()
        .as_secs();
    // Just before expiry nothing is fetched; just after, exactly one refresh. Tokio's clock
    // jumps and otherwise runs in real time (the mock serves from another thread), so "just"
    // is a second: more than the real time the test takes.
    jump(Duration::from_secs(ttl) - Duration::from_secs(1)).await;
    verifier.verify(&token).await.unwrap();
    verifier.prefetch().await.unwrap();
    let before = verifier.status().fetch_count;
    jump(Duration::from_secs(2)).await;
    verifier.verify(&token).await.unwrap();
    verifier.prefetch().await.unwrap();
    let after = verifier.status().fetch_count;
    assert_eq!((before, after), (1, 2), "{cache_control:?}");
    mock.expect(2).assert_async().await;
    ttl
}

#[tokio::test]
async fn max_age_is_honoured_within_the_clamps() {
    for (header, want) in [
        (Some("public, max-age=3600"), 600),
        (Some("public, max-age=120"), 120),
        (Some("max-age=10"), 60),
        (Some("no-store, max-age=0"), 60),
        (Some("public"), 600),
        (None, 600),
    ] {
        assert_eq!(observed_ttl(header).await, want, "{header:?}");
    }
}
