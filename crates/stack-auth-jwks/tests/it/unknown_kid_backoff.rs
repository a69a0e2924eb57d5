//! Issue 14, item 4: `UnknownKeyPolicy::Refuse` stopped holding after one failed JWKS fetch.
//! During the fetch backoff (up to 300 s after a `Retry-After`), or when the refetch an unknown
//! `kid` triggered failed, an unknown `kid` was reported as unavailable although a usable key
//! set was cached, and a composite then asked users/me about it. While a usable (fresh, or
//! stale within `stale_if_error`) key set is cached, an unknown `kid` is `unknown_key` (the
//! stale case: `caching::an_outage_serves_stale_keys_then_unavailable_never_refused`).

use std::time::Duration;

use stack_auth_core::{RefusalReason, TokenVerifier};
use stack_auth_testkit::{Fault, Route};

use crate::common::*;

#[tokio::test(start_paused = true)]
async fn an_unknown_kid_is_refused_while_fetching_is_backed_off_after_a_retry_after() {
    let kit = Kit::start().await;
    let verifier = kit
        .verifier()
        .unknown_kid_cooldown(Duration::from_secs(30))
        .build()
        .unwrap();
    let token = kit.token();
    verifier.verify(&token).await.unwrap();
    kit.stack.inject(
        Route::Jwks,
        Fault::RateLimited {
            retry_after: Some(300),
        },
    );
    // The refetch this unknown kid triggers fails: the cached set still answers.
    let first = verifier.verify(&with_kid(&token, "invented-1")).await;
    assert_eq!(reason(first), RefusalReason::UnknownKey);
    assert_eq!(kit.jwks_requests(), 2, "warm-up, then the one refetch");
    // Later in the 300 s backoff, past the cooldown: refused at once, nothing requested.
    for minute in 1..5 {
        kit.advance(60).await;
        let later = verifier
            .verify(&with_kid(&token, &format!("invented-{minute}")))
            .await;
        assert_eq!(reason(later), RefusalReason::UnknownKey, "minute {minute}");
        verifier.verify(&kit.token()).await.unwrap();
    }
    assert_eq!(kit.jwks_requests(), 2);
}
