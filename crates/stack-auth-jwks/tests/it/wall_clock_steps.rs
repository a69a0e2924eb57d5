//! Issue 16: the key set's freshness and the unknown-`kid` cooldown run on the monotonic clock.
//! On the wall clock, a backwards step of an hour (NTP, a VM resume) blocked unknown-`kid`
//! refetches for an hour: a rotated key stayed `unknown_key` long after the cooldown.

use std::time::Duration;

use stack_auth_core::{RefusalReason, TokenVerifier};

use crate::common::*;

#[tokio::test(start_paused = true)]
async fn a_backwards_wall_clock_step_does_not_block_unknown_kid_refetches() {
    let kit = Kit::start().await;
    let verifier = kit
        .verifier()
        .unknown_kid_cooldown(Duration::from_secs(30))
        .build()
        .unwrap();
    let token = kit.token();
    verifier.verify(&token).await.unwrap();
    // Spends the cooldown's one refetch.
    let unknown = verifier.verify(&with_kid(&token, "invented")).await;
    assert_eq!(reason(unknown), RefusalReason::UnknownKey);
    assert_eq!(kit.jwks_requests(), 2);

    kit.clock.rewind(Duration::from_secs(3600));
    kit.advance(31).await;
    kit.stack
        .rotate_secret(stack_auth_testkit::random_secret())
        .unwrap();
    let rotated = kit.token();
    verifier.verify(&rotated).await.unwrap();
    assert_eq!(kit.jwks_requests(), 3, "one refetch, 31 s after the last");
}

#[tokio::test(start_paused = true)]
async fn a_forward_wall_clock_step_does_not_expire_the_key_set() {
    let kit = Kit::start().await;
    let verifier = kit.verifier().build().unwrap();
    verifier.verify(&kit.token()).await.unwrap();
    // The wall clock jumps a day ahead; barely any time has passed for the key set.
    kit.clock.advance(Duration::from_secs(86_400));
    kit.stack.clock().advance(86_400);
    kit.advance(1).await;
    verifier.verify(&kit.token()).await.unwrap();
    assert_eq!(kit.jwks_requests(), 1);
    assert!(verifier.status().is_usable());
}
