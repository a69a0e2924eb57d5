//! Issue 14, item 4: `UnknownKeyPolicy::Refuse` stopped holding after one failed JWKS fetch.
//! The JWKS verifier answered an unknown `kid` as unavailable during its fetch backoff, and the
//! composite's unavailable path asked REST without checking the policy: a forged token with an
//! invented `kid` reached users/me. Now the JWKS verifier refuses it while a usable key set is
//! cached, and under `Refuse` the composite never asks REST about a token whose key it could
//! not check.

use stack_auth_core::test_util::ManualClock;
use std::sync::Arc;

use stack_auth_composite::{CompositeVerifier, UnknownKeyPolicy};
use stack_auth_core::{RefusalReason, TokenVerifier, UnavailableKind, Upstream, VerifyError};
use stack_auth_testkit::{Breakage, Fault, LocalStackAuth, Route, UserSpec};

use crate::common::{self, *};

#[tokio::test]
async fn refuse_holds_for_an_invented_kid_during_the_jwks_backoff() {
    let stack = LocalStackAuth::start().await.unwrap();
    let v = CompositeVerifier::builder_with_config(stack.config(), stack.secret_server_key())
        .unknown_key_policy(UnknownKeyPolicy::Refuse)
        .build()
        .unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    v.verify(&stack.mint(&ada)).await.unwrap();
    stack.reset_counts();
    stack.inject(
        Route::Jwks,
        Fault::RateLimited {
            retry_after: Some(300),
        },
    );
    // The first forged token's refetch fails (429, `Retry-After: 300`); the others arrive
    // during the backoff.
    for i in 0..5 {
        let forged = stack
            .token(&ada)
            .session_id(format!("s{i}"))
            .broken(Breakage::UnknownKid)
            .mint();
        let err = v.verify(&forged).await.unwrap_err();
        assert_eq!(stack.requests(Route::UsersMe), 0, "token {i}: {err:?}");
        assert_eq!(err.refusal_reason(), Some(RefusalReason::UnknownKey));
    }
    assert_eq!(
        stack.requests(Route::Jwks),
        1,
        "one refetch, then the backoff"
    );
}

#[tokio::test]
async fn refuse_never_asks_rest_when_the_jwt_check_is_unavailable() {
    let token = token("normal-user");
    let rest = rest(Ok(profile_for(&token)));
    let jwks_down = unavailable(Upstream::Jwks, UnavailableKind::NoUsableKeys);
    let v = CompositeVerifier::builder(jwt(Err(jwks_down)), Arc::clone(&rest))
        .config(config())
        .unknown_key_policy(UnknownKeyPolicy::Refuse)
        .clock(ManualClock::at_unix_secs(NOW))
        .build()
        .unwrap();
    let err = v.verify(&token).await.unwrap_err();
    assert_eq!(rest.calls(), 0, "{err:?}");
    assert!(
        matches!(&err, VerifyError::Unavailable(u) if u.upstream() == Upstream::Jwks),
        "the jwt check's unavailability stands: {err:?}"
    );
    // What the screen can refuse is still refused, for free.
    let err = v.verify(&common::token("expired")).await.unwrap_err();
    assert_eq!(err.refusal_reason(), Some(RefusalReason::Expired));
    assert_eq!(rest.calls(), 0);
}
