//! The verified-token cache: hits for the exact same token, expiry no later than `exp`, only
//! successes cached, off with one call, never showing the token.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::{sync::Arc, time::Duration};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use stack_auth_core::{RefusalReason, TokenVerifier};
use stack_auth_testkit::{Breakage, UserSpec};

use crate::common::*;

#[tokio::test]
async fn a_repeated_token_is_answered_from_the_cache() {
    let kit = Kit::start().await;
    let verifier = kit.verifier().build().unwrap();
    let token = kit.token();
    let first = verifier.verify(&token).await.unwrap();
    let second = verifier.verify(&token).await.unwrap();
    assert_eq!(first, second);
    let stats = verifier.status().token_cache.unwrap();
    assert_eq!((stats.hits, stats.misses), (1, 1));
    // Another token of the same user is a different string: a miss.
    verifier.verify(&kit.token()).await.unwrap();
    assert_eq!(verifier.status().token_cache.unwrap().misses, 2);
}

#[tokio::test(start_paused = true)]
async fn a_hit_shares_the_claims_of_the_verification_it_remembers() {
    let kit = Kit::start().await;
    let verifier = kit.verifier().build().unwrap();
    let token = kit.token();
    let first = verifier.verify(&token).await.unwrap();
    let again = verifier.verify(&token).await.unwrap();
    let claims = |u: &stack_auth_core::VerifiedUser| Arc::clone(u.shared_claims().unwrap());
    assert!(Arc::ptr_eq(&claims(&first), &claims(&again)));
    assert_eq!(verifier.status().token_cache.unwrap().hits, 1);
}

#[tokio::test(start_paused = true)]
async fn the_whole_token_is_the_key_never_the_signature_alone() {
    let kit = Kit::start().await;
    let verifier = kit.verifier().build().unwrap();
    let token = kit.token();
    let user = verifier.verify(&token).await.unwrap();
    // The cached token's signature on another payload (another user) and under another header.
    let (header, rest) = token.split_once('.').unwrap();
    let (payload, signature) = rest.split_once('.').unwrap();
    let claims = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    let someone_else = claims.replace(user.user_id(), "00000000-0000-4000-8000-000000000000");
    assert_ne!(someone_else, claims);
    let other_header = URL_SAFE_NO_PAD.encode(format!(
        r#"{{"kid":"{}","alg":"ES256"}}"#,
        header_kid(&token)
    ));
    for forged in [
        format!(
            "{header}.{}.{signature}",
            URL_SAFE_NO_PAD.encode(someone_else)
        ),
        format!("{other_header}.{payload}.{signature}"),
    ] {
        assert_eq!(
            reason(verifier.verify(&forged).await),
            RefusalReason::BadSignature
        );
    }
    let stats = verifier.status().token_cache.unwrap();
    assert_eq!((stats.hits, stats.misses), (0, 3));
    verifier.verify(&token).await.unwrap();
    assert_eq!(verifier.status().token_cache.unwrap().hits, 1);
}

/// The `kid` of a token's header.
fn header_kid(token: &str) -> String {
    let header = URL_SAFE_NO_PAD
        .decode(token.split('.').next().unwrap())
        .unwrap();
    let header: serde_json::Value = serde_json::from_slice(&header).unwrap();
    header["kid"].as_str().unwrap().to_owned()
}

#[tokio::test(start_paused = true)]
async fn a_cached_verdict_never_outlives_the_token() {
    let kit = Kit::start().await;
    let verifier = kit.verifier().leeway(Duration::ZERO).build().unwrap();
    let user = kit.stack.create_user(UserSpec::normal()).unwrap();
    let token = kit
        .stack
        .token(&user)
        .expires_in(Duration::from_secs(20))
        .mint();
    verifier.verify(&token).await.unwrap();
    kit.advance(19).await;
    verifier.verify(&token).await.unwrap();
    assert_eq!(verifier.status().token_cache.unwrap().hits, 1);
    kit.advance(1).await;
    assert_eq!(
        reason(verifier.verify(&token).await),
        RefusalReason::Expired
    );
}

#[tokio::test]
async fn refusals_are_not_cached() {
    let kit = Kit::start().await;
    let verifier = kit.verifier().build().unwrap();
    let user = kit.stack.create_user(UserSpec::normal()).unwrap();
    let forged = kit.stack.token(&user).broken(Breakage::WrongKey).mint();
    for _ in 0..3 {
        assert_eq!(
            reason(verifier.verify(&forged).await),
            RefusalReason::BadSignature
        );
    }
    let stats = verifier.status().token_cache.unwrap();
    assert_eq!((stats.hits, stats.misses, stats.entries), (0, 3, 0));
}

#[tokio::test]
async fn the_cache_is_off_with_one_call() {
    let kit = Kit::start().await;
    let verifier = kit.verifier().disable_token_cache().build().unwrap();
    let token = kit.token();
    verifier.verify(&token).await.unwrap();
    verifier.verify(&token).await.unwrap();
    assert!(verifier.status().token_cache.is_none());
}

#[tokio::test]
async fn neither_debug_nor_status_shows_a_token() {
    let kit = Kit::start().await;
    let verifier = kit.verifier().build().unwrap();
    let token = kit.token();
    verifier.verify(&token).await.unwrap();
    let shown = format!("{verifier:?} {:?}", verifier.status());
    let signature = token.rsplit('.').next().unwrap();
    assert!(
        !shown.contains(&token) && !shown.contains(signature),
        "{shown}"
    );
}
