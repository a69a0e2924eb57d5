//! Key-set caching against the local Stack Auth stand-in: single flight, the unknown-kid
//! cooldown, refresh-ahead and stale-if-error, with exact request counts and no real waiting.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::{sync::Arc, time::Duration};

use stack_auth_core::{RefusalReason, TokenVerifier, UnavailableKind};
use stack_auth_jwks::{FetchOutcome, KeySetState};
use stack_auth_testkit::{Fault, Route};

use crate::common::*;

#[tokio::test(start_paused = true)]
async fn a_thousand_concurrent_verifications_on_a_cold_verifier_make_one_request() {
    let kit = Kit::start().await;
    kit.stack
        .inject(Route::Jwks, Fault::Latency(Duration::from_millis(200)));
    let verifier = kit.verifier().build().unwrap();
    let tokens: Vec<Arc<str>> = (0..10).map(|_| Arc::from(kit.token())).collect();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..1000 {
        let (verifier, token) = (verifier.clone(), Arc::clone(&tokens[i % tokens.len()]));
        tasks.spawn(async move { verifier.verify(&token).await });
    }
    let mut ok = 0;
    while let Some(result) = tasks.join_next().await {
        result.unwrap().unwrap();
        ok += 1;
    }
    assert_eq!(ok, 1000);
    assert_eq!(kit.jwks_requests(), 1);
    let status = verifier.status();
    assert_eq!(status.fetch_count, 1);
    assert_eq!(status.state, KeySetState::Fresh);
    assert_eq!(status.key_ids.len(), 6, "the full key set is fetched");
}

#[tokio::test(start_paused = true)]
async fn a_dropped_caller_does_not_cancel_the_shared_fetch() {
    let kit = Kit::start().await;
    kit.stack
        .inject(Route::Jwks, Fault::Latency(Duration::from_secs(2)));
    let verifier = kit.verifier().build().unwrap();
    let token = kit.token();
    let gave_up = tokio::time::timeout(Duration::from_millis(100), verifier.verify(&token)).await;
    assert!(
        gave_up.is_err(),
        "the first caller gives up while the fetch runs"
    );
    assert!(verifier.status().fetch_in_flight);
    // The next caller joins the fetch that is still running instead of starting another.
    verifier.verify(&token).await.unwrap();
    assert_eq!(kit.jwks_requests(), 1);
    assert_eq!(verifier.status().fetch_count, 1);
}

#[tokio::test(start_paused = true)]
async fn ten_thousand_random_kids_cause_at_most_one_extra_request() {
    let kit = Kit::start().await;
    let verifier = kit.verifier().build().unwrap();
    let valid = kit.token();
    verifier.prefetch().await.unwrap();
    assert_eq!(kit.jwks_requests(), 1);
    kit.stack
        .inject(Route::Jwks, Fault::Latency(Duration::from_millis(50)));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..10_000 {
        let flooder = verifier.clone();
        let forged = with_kid(&valid, &format!("flood-{i:05}"));
        tasks.spawn(async move { reason(flooder.verify(&forged).await) });
        if i % 100 == 0 {
            let (verifier, valid) = (verifier.clone(), valid.clone());
            tasks.spawn(async move {
                let started = tokio::time::Instant::now();
                let user = verifier.verify(&valid).await.unwrap();
                assert_eq!(started.elapsed(), Duration::ZERO, "valid tokens never wait");
                assert!(!user.user_id().is_empty());
                RefusalReason::MissingToken // marks a valid verification
            });
        }
    }
    let (mut unknown, mut valid_ok) = (0, 0);
    while let Some(result) = tasks.join_next().await {
        match result.unwrap() {
            RefusalReason::UnknownKey => unknown += 1,
            RefusalReason::MissingToken => valid_ok += 1,
            other => panic!("unexpected refusal {other}"),
        }
    }
    assert_eq!((unknown, valid_ok), (10_000, 100));
    assert_eq!(
        kit.jwks_requests(),
        2,
        "one warm-up fetch and at most one refetch"
    );
    assert_eq!(verifier.status().unknown_kid_refetch_count, 1);

    // Still inside the cooldown: no request. Past it: exactly one more.
    kit.advance(29).await;
    assert_eq!(
        reason(verifier.verify(&with_kid(&valid, "late")).await),
        RefusalReason::UnknownKey
    );
    assert_eq!(kit.jwks_requests(), 2);
    kit.advance(2).await;
    assert_eq!(
        reason(verifier.verify(&with_kid(&valid, "later")).await),
        RefusalReason::UnknownKey
    );
    assert_eq!(kit.jwks_requests(), 3);
}

#[tokio::test]
async fn after_rotation_the_first_new_token_verifies_after_exactly_one_refetch() {
    let kit = Kit::start().await;
    let verifier = kit.verifier().build().unwrap();
    let old = kit.token();
    verifier.verify(&old).await.unwrap();
    verifier.verify(&old).await.unwrap();
    assert_eq!(verifier.status().token_cache.unwrap().hits, 1);
    assert_eq!(kit.jwks_requests(), 1);

    kit.stack
        .rotate_secret(stack_auth_testkit::random_secret())
        .unwrap();
    let new = kit.token();
    verifier.verify(&new).await.unwrap();
    assert_eq!(kit.jwks_requests(), 2, "exactly one refetch");
    // The old key left the JWKS: its cached verdict is dropped, and no refetch is attempted
    // within the cooldown.
    assert_eq!(
        reason(verifier.verify(&old).await),
        RefusalReason::UnknownKey
    );
    assert_eq!(kit.jwks_requests(), 2);
    verifier.verify(&new).await.unwrap();
}

#[tokio::test]
async fn a_signing_key_flip_within_the_published_set_needs_no_request() {
    let kit = Kit::start().await;
    let verifier = kit.verifier().build().unwrap();
    verifier.verify(&kit.token()).await.unwrap();
    kit.stack
        .set_signing_scheme(stack_auth_testkit::KeyScheme::New);
    verifier.verify(&kit.token()).await.unwrap();
    assert_eq!(kit.jwks_requests(), 1);
}

#[tokio::test(start_paused = true)]
async fn refresh_ahead_happens_in_the_background() {
    let kit = Kit::start().await;
    let verifier = kit
        .verifier()
        .max_ttl(Duration::from_secs(300))
        .refresh_ahead(Duration::from_secs(30))
        .disable_token_cache()
        .build()
        .unwrap();
    let token = kit.token();
    verifier.prefetch().await.unwrap();
    kit.advance(269).await;
    verifier.verify(&token).await.unwrap();
    assert_eq!(kit.jwks_requests(), 1, "not yet within the margin");
    kit.stack
        .inject(Route::Jwks, Fault::Latency(Duration::from_secs(3)));
    kit.advance(2).await;
    let started = tokio::time::Instant::now();
    verifier.verify(&token).await.unwrap();
    assert_eq!(
        started.elapsed(),
        Duration::ZERO,
        "the verification did not wait"
    );
    assert!(verifier.status().fetch_in_flight);
    verifier.prefetch().await.unwrap(); // joins the background refresh
    assert_eq!(kit.jwks_requests(), 2);
    let status = verifier.status();
    assert_eq!(status.state, KeySetState::Fresh);
    assert_eq!(status.fetch_count, 2);
}

#[tokio::test(start_paused = true)]
async fn an_outage_serves_stale_keys_then_unavailable_never_refused() {
    let kit = Kit::start().await;
    let verifier = kit
        .verifier()
        .max_ttl(Duration::from_secs(600))
        .stale_if_error(Duration::from_secs(900))
        .retry_after_error(Duration::from_secs(10))
        .disable_token_cache()
        .build()
        .unwrap();
    verifier.prefetch().await.unwrap();
    kit.stack.inject(Route::Jwks, Fault::status(503));
    kit.advance(601).await;
    let token = kit.token();
    verifier.verify(&token).await.unwrap();
    let err = verifier.prefetch().await.unwrap_err();
    assert_eq!(err.http_status(), 503);
    let status = verifier.status();
    assert_eq!(status.state, KeySetState::Stale);
    assert!(matches!(
        status.last_fetch.unwrap().outcome,
        FetchOutcome::Failed(_)
    ));
    let failed_so_far = kit.jwks_requests();
    assert_eq!(
        failed_so_far, 2,
        "warm-up, then the background refresh the prefetch joined"
    );

    // Within the retry interval nothing is requested; stale keys keep serving.
    for _ in 0..100 {
        verifier.verify(&token).await.unwrap();
    }
    // The stale set is the one that answers: a kid it lacks is refused (issue 14 item 4: as
    // "unavailable" it went to a composite's REST fallback whatever the unknown-key policy),
    // and it costs no request inside the retry interval.
    let unknown = verifier.verify(&with_kid(&token, "rotated-kid")).await;
    assert_eq!(reason(unknown), RefusalReason::UnknownKey);
    assert_eq!(kit.jwks_requests(), failed_so_far);

    // Past the stale limit: unavailable (503), not a refusal, even for a valid token.
    kit.advance(900).await;
    let token = kit.token();
    let err = verifier.verify(&token).await.unwrap_err();
    assert_eq!(err.http_status(), 503);
    assert!(err.is_retryable());
    assert_eq!(verifier.status().state, KeySetState::Expired);
    // Failing fast inside the retry interval, with the same answer.
    assert_eq!(
        unavailable_kind(verifier.verify(&token).await),
        UnavailableKind::ServerError
    );
    assert_eq!(kit.jwks_requests(), failed_so_far + 1);

    // Recovery.
    kit.stack.clear_faults();
    kit.advance(11).await;
    verifier.verify(&token).await.unwrap();
    assert_eq!(verifier.status().state, KeySetState::Fresh);
}
