//! Issue 14, item 3: forged tokens with an invented `kid` reached users/me without limit. Under
//! `UnknownKeyPolicy::AskRest`, every hand-made token that passes the local screen cost one
//! users/me call carrying the secret server key. Now a budget per verifier (a token bucket,
//! shared by clones; 5 per minute by default) bounds them, and a token over budget is refused
//! as `unknown_key` without a request. Time is Tokio's, paused.

use stack_auth_core::test_util::ManualClock;
use std::{sync::Arc, time::Duration};

use stack_auth_composite::{
    CompositeVerifier, ProfilePolicy, UnknownKeyBudget, MAX_DURATION_SETTING,
};
use stack_auth_core::{RefusalReason, TokenVerifier, VerifyError};

use crate::common::*;

fn unknown_key() -> VerifyError {
    VerifyError::refused(RefusalReason::UnknownKey)
}

#[tokio::test(start_paused = true)]
async fn a_flood_of_invented_kids_costs_rest_the_default_budget_only() {
    // The interop token's claims are this project's and unexpired: it passes the screen.
    let token = token("normal-user");
    let rest = rest(Ok(profile_for(&token)));
    let v = composite(jwt(Err(unknown_key())), &rest, ProfilePolicy::Required);
    let clone = v.clone();
    let mut refused = 0;
    for i in 0..100 {
        let verifier = if i % 2 == 0 { &v } else { &clone };
        match verifier.verify(&token).await {
            Ok(_) => {}
            Err(e) => {
                assert_eq!(e.refusal_reason(), Some(RefusalReason::UnknownKey));
                refused += 1;
            }
        }
    }
    assert_eq!(rest.calls(), 5, "the default budget, shared by clones");
    assert_eq!(refused, 95);
    // One more every twelve seconds.
    tokio::time::advance(Duration::from_millis(11_999)).await;
    assert!(v.verify(&token).await.is_err());
    tokio::time::advance(Duration::from_millis(1)).await;
    v.verify(&token).await.unwrap();
    assert!(v.verify(&token).await.is_err());
    assert_eq!(rest.calls(), 6);
}

#[tokio::test(start_paused = true)]
async fn the_budget_is_configurable_and_spares_other_paths() {
    let token = token("normal-user");
    let rest = rest(Ok(profile_for(&token)));
    let v = CompositeVerifier::builder(jwt(Err(unknown_key())), Arc::clone(&rest))
        .config(config())
        .unknown_key_budget(UnknownKeyBudget::new(2, Duration::from_secs(3600)))
        .clock(ManualClock::at_unix_secs(NOW))
        .build()
        .unwrap();
    for _ in 0..10 {
        let _ = v.verify(&token).await;
    }
    assert_eq!(rest.calls(), 2);
    // Tokens the JWT check accepted are not budgeted.
    let accepted = composite(jwt(Ok(claims_user(&token))), &rest, ProfilePolicy::Required);
    for _ in 0..10 {
        accepted.verify(&token).await.unwrap();
    }
    assert_eq!(rest.calls(), 12);
}

#[tokio::test]
async fn a_budget_period_over_the_longest_duration_or_too_short_is_refused_at_build_time() {
    let rest = rest(Err(unknown_key()));
    let over = MAX_DURATION_SETTING + Duration::from_secs(1);
    for budget in [
        UnknownKeyBudget::new(1, over),
        UnknownKeyBudget::new(10, Duration::from_nanos(5)),
    ] {
        let built = CompositeVerifier::builder(jwt(Err(unknown_key())), Arc::clone(&rest))
            .unknown_key_budget(budget)
            .build();
        assert!(built.is_err(), "{budget:?}");
    }
    let longest = UnknownKeyBudget::new(1, MAX_DURATION_SETTING);
    let built = CompositeVerifier::builder(jwt(Err(unknown_key())), Arc::clone(&rest))
        .unknown_key_budget(longest)
        .build();
    assert!(built.is_ok());
}
