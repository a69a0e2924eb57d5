//! The session policy end to end on the stand-in, with exact request counts and paused Tokio
//! time: a signed-out session's token is refused within the session cache TTL; impersonation
//! tokens pass by default and not under the strict policy; a `JwksVerifier` alone gets the same
//! check, and hears ended sessions announced; an outage fails open or closed as configured.

use std::{sync::Arc, time::Duration};

use stack_auth_composite::{
    CompositeVerifier, SessionChecked, SessionPolicy, UnknownSessionPolicy,
};
use stack_auth_core::{EvictionHub, RefusalReason, TokenVerifier, UnavailableKind, VerifyError};
use stack_auth_jwks::JwksVerifier;
use stack_auth_rest::{RestVerifier, ServerApi, Sessions, DEFAULT_SESSION_CACHE_TTL};
use stack_auth_testkit::{Fault, LocalStackAuth, Route, UserSpec};

/// Signs `token`'s session out, as a client does (`DELETE /auth/sessions/current`).
async fn sign_out(stack: &LocalStackAuth, token: &str) {
    let answer = reqwest::Client::new()
        .delete(format!("{}/api/v1/auth/sessions/current", stack.base_url()))
        .header("x-stack-access-type", "client")
        .header("x-stack-project-id", stack.project_id())
        .header("x-stack-access-token", token)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}

/// Requests so far: JWKS, users/me, session lists.
fn counts(stack: &LocalStackAuth) -> [u64; 3] {
    [Route::Jwks, Route::UsersMe, Route::Sessions].map(|r| stack.requests(r))
}

fn session_ended(e: VerifyError) {
    assert_eq!(e.refusal_reason(), Some(RefusalReason::SessionEnded), "{e}");
    assert_eq!(e.http_status(), 401);
}

fn composite(stack: &LocalStackAuth) -> CompositeVerifier<JwksVerifier, RestVerifier> {
    CompositeVerifier::from_config(stack.config(), stack.secret_server_key()).unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_signed_out_session_is_refused_within_the_session_ttl() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let (token, other) = (stack.mint(&ada), stack.mint(&ada));
    let verifier = composite(&stack).with_session_check();
    verifier.verify(&token).await.unwrap();
    verifier.verify(&other).await.unwrap();
    assert_eq!(counts(&stack), [1, 2, 1], "one list answered both sessions");

    sign_out(&stack, &token).await;
    verifier.verify(&token).await.unwrap();
    tokio::time::advance(DEFAULT_SESSION_CACHE_TTL - Duration::from_millis(1)).await;
    verifier.verify(&token).await.unwrap();
    assert_eq!(
        counts(&stack),
        [1, 2, 1],
        "within the TTL: cached, accepted"
    );
    tokio::time::advance(Duration::from_millis(1)).await;
    session_ended(verifier.verify(&token).await.unwrap_err());
    verifier.verify(&other).await.unwrap();
    assert_eq!(
        counts(&stack),
        [1, 2, 2],
        "one list, and users/me still cached"
    );
    session_ended(verifier.verify(&token).await.unwrap_err());
    assert_eq!(counts(&stack), [1, 2, 2], "the ended session is remembered");
    // Stack Auth itself still accepts the token (PROTOCOL §10.4.4).
    composite(&stack).verify(&token).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn impersonation_tokens_pass_by_default_and_not_under_the_strict_policy() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let hidden = stack.create_impersonation_session(&ada).unwrap();
    let impersonating = stack.token_for_session(&hidden).unwrap().mint();
    let own = stack.mint(&ada);
    let default = composite(&stack).with_session_check();
    default.verify(&impersonating).await.unwrap();
    default.verify(&impersonating).await.unwrap();
    assert_eq!(counts(&stack)[2], 1, "not listed: asked once, then cached");
    tokio::time::advance(DEFAULT_SESSION_CACHE_TTL).await;
    default.verify(&impersonating).await.unwrap();
    assert_eq!(
        counts(&stack)[2],
        2,
        "still not listed, never taken for ended"
    );

    let strict = composite(&stack)
        .with_session_check()
        .with_policy(SessionPolicy::ListedOnly);
    session_ended(strict.verify(&impersonating).await.unwrap_err());
    strict.verify(&own).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_jwks_verifier_alone_gets_the_check_and_hears_ended_sessions() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let session = stack.create_session(&ada).unwrap();
    let token = stack.token_for_session(&session).unwrap().mint();
    let jwks = JwksVerifier::builder_with_config(stack.config())
        .build()
        .unwrap();
    let hub = EvictionHub::new();
    hub.register(Arc::new(jwks.clone()));
    let api = ServerApi::builder_with_config(stack.config(), stack.secret_server_key())
        .build()
        .unwrap();
    let sessions = Sessions::builder(&api).announce_to(hub).build().unwrap();
    let checked = SessionChecked::new(jwks.clone(), sessions);
    checked.verify(&token).await.unwrap();

    stack.delete_session(&session.id).unwrap();
    tokio::time::advance(DEFAULT_SESSION_CACHE_TTL).await;
    session_ended(checked.verify(&token).await.unwrap_err());
    // Announced to the hub: the JWKS verifier without the policy refuses it too, at no cost.
    session_ended(jwks.verify(&token).await.unwrap_err());
    assert_eq!(counts(&stack), [1, 0, 2]);
}

#[tokio::test(start_paused = true)]
async fn an_outage_fails_open_by_default_and_closed_when_asked() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let token = stack.mint(&ada);
    stack.inject(Route::Sessions, Fault::status(503));
    let open = composite(&stack).with_session_check();
    open.verify(&token).await.unwrap();
    let closed = composite(&stack)
        .with_session_check()
        .with_unknown_policy(UnknownSessionPolicy::Unavailable);
    let e = closed.verify(&token).await.unwrap_err();
    assert!(
        matches!(&e, VerifyError::Unavailable(u) if u.kind() == UnavailableKind::ServerError),
        "{e:?}"
    );
    assert_eq!(e.http_status(), 503);
    // Nothing unknown is cached: once Stack Auth answers, the check does too.
    stack.clear_faults();
    closed.verify(&token).await.unwrap();
}
