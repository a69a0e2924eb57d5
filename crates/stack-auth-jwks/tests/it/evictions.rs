//! `impl Evict for JwksVerifier`: a deleted user's and an ended session's tokens are refused,
//! cached or not, for the configured window; `All` clears the token cache; other evictions
//! change nothing. No eviction costs a request.

use std::time::Duration;

use stack_auth_core::{Evict, Eviction, RefusalReason, TokenVerifier};
use stack_auth_testkit::UserSpec;

use crate::common::*;

fn user_deleted(user_id: &str) -> Eviction {
    Eviction::UserDeleted {
        user_id: user_id.to_owned(),
    }
}

#[tokio::test(start_paused = true)]
async fn a_deleted_users_cached_and_uncached_tokens_are_refused_at_once() {
    let kit = Kit::start().await;
    let verifier = kit.verifier().build().unwrap();
    let ada = kit.stack.create_user(UserSpec::normal()).unwrap();
    let bob = kit.stack.create_user(UserSpec::normal()).unwrap();
    let (cached, uncached, bobs) = (
        kit.stack.mint(&ada),
        kit.stack.mint(&ada),
        kit.stack.mint(&bob),
    );
    verifier.verify(&cached).await.unwrap();
    verifier.verify(&bobs).await.unwrap();
    kit.stack.delete_user(&ada.id).unwrap();
    verifier.evict(&user_deleted(&ada.id));

    let hits = verifier.status().token_cache.unwrap().hits;
    assert_eq!(
        refusal_of(&verifier, &cached).await,
        Some(RefusalReason::UserNotFound)
    );
    assert_eq!(
        verifier.status().token_cache.unwrap().hits,
        hits + 1,
        "refused on the hit path"
    );
    assert_eq!(
        refusal_of(&verifier, &uncached).await,
        Some(RefusalReason::UserNotFound)
    );
    let err = verifier.verify(&uncached).await.unwrap_err();
    assert_eq!(
        (err.http_status(), err.reason_label()),
        (401, "user_not_found")
    );
    // Another user is untouched, and nothing was fetched again.
    assert_eq!(verifier.verify(&bobs).await.unwrap().user_id(), bob.id);
    assert_eq!(kit.jwks_requests(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_revocation_lasts_the_max_token_lifetime_plus_the_leeway() {
    let kit = Kit::start().await;
    // Tokens live 10 minutes; this verifier is told they live at most one.
    let verifier = kit
        .verifier()
        .max_token_lifetime(Duration::from_secs(60))
        .leeway(Duration::from_secs(5))
        .build()
        .unwrap();
    let ada = kit.stack.create_user(UserSpec::normal()).unwrap();
    let token = kit.stack.mint(&ada);
    verifier.verify(&token).await.unwrap();
    verifier.evict(&user_deleted(&ada.id));
    kit.advance(64).await;
    assert_eq!(
        refusal_of(&verifier, &token).await,
        Some(RefusalReason::UserNotFound)
    );
    kit.advance(1).await;
    assert_eq!(verifier.verify(&token).await.unwrap().user_id(), ada.id);
}

#[tokio::test(start_paused = true)]
async fn an_ended_sessions_tokens_are_refused_and_the_users_other_sessions_are_not() {
    let kit = Kit::start().await;
    let verifier = kit.verifier().build().unwrap();
    let ada = kit.stack.create_user(UserSpec::normal()).unwrap();
    let (laptop, phone) = (
        kit.stack.create_session(&ada).unwrap(),
        kit.stack.create_session(&ada).unwrap(),
    );
    let mint = |s| kit.stack.token_for_session(s).unwrap().mint();
    let (cached, uncached, other) = (mint(&laptop), mint(&laptop), mint(&phone));
    verifier.verify(&cached).await.unwrap();
    verifier.verify(&other).await.unwrap();

    // Signed out on the stand-in: Stack Auth sends no webhook for it, so the eviction comes
    // from whoever learns of it (a session check, your own call).
    kit.stack.delete_session(&laptop.id).unwrap();
    let listed: Vec<String> = kit
        .stack
        .sessions(&ada.id)
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(listed, [phone.id.as_str()]);
    verifier.evict(&Eviction::SessionEnded {
        user_id: ada.id.clone(),
        session_id: laptop.id.clone(),
    });
    for token in [&cached, &uncached] {
        let err = verifier.verify(token).await.unwrap_err();
        assert_eq!(err.refusal_reason(), Some(RefusalReason::SessionEnded));
        assert_eq!(
            (err.http_status(), err.reason_label()),
            (401, "session_ended")
        );
    }
    assert_eq!(verifier.verify(&other).await.unwrap().user_id(), ada.id);
    assert_eq!(kit.jwks_requests(), 1);
}

#[tokio::test(start_paused = true)]
async fn all_clears_the_token_cache_and_other_evictions_change_nothing() {
    let kit = Kit::start().await;
    let verifier = kit.verifier().build().unwrap();
    let ada = kit.stack.create_user(UserSpec::normal()).unwrap();
    let token = kit.stack.mint(&ada);
    verifier.verify(&token).await.unwrap();
    let unrelated = [
        Eviction::UserUpdated {
            user_id: ada.id.clone(),
        },
        Eviction::TeamPermissions {
            team_id: "t".into(),
            user_id: ada.id.clone(),
        },
        Eviction::ProjectPermissions {
            user_id: ada.id.clone(),
        },
        Eviction::TeamMembership {
            team_id: "t".into(),
            user_id: ada.id.clone(),
        },
        Eviction::Team {
            team_id: "t".into(),
        },
        Eviction::ApiKey { key_id: "k".into() },
    ];
    for eviction in &unrelated {
        verifier.evict(eviction);
        verifier.verify(&token).await.unwrap();
    }
    let stats = verifier.status().token_cache.unwrap();
    assert_eq!((stats.hits, stats.misses), (6, 1), "every one a hit");

    verifier.evict(&Eviction::All);
    verifier.verify(&token).await.unwrap();
    let stats = verifier.status().token_cache.unwrap();
    assert_eq!(
        (stats.hits, stats.misses),
        (6, 2),
        "verified again after All"
    );
    assert_eq!(kit.jwks_requests(), 1, "the key set is kept");
}

#[tokio::test(start_paused = true)]
async fn without_a_token_cache_revocations_still_hold() {
    let kit = Kit::start().await;
    let verifier = kit.verifier().disable_token_cache().build().unwrap();
    let ada = kit.stack.create_user(UserSpec::normal()).unwrap();
    let token = kit.stack.mint(&ada);
    verifier.verify(&token).await.unwrap();
    verifier.evict(&user_deleted(&ada.id));
    verifier.evict(&Eviction::All);
    assert_eq!(
        refusal_of(&verifier, &token).await,
        Some(RefusalReason::UserNotFound)
    );
}

#[tokio::test]
async fn a_forged_token_of_a_revoked_user_is_still_a_bad_signature() {
    let kit = Kit::start().await;
    let verifier = kit.verifier().build().unwrap();
    let ada = kit.stack.create_user(UserSpec::normal()).unwrap();
    let token = kit.stack.mint(&ada);
    verifier.evict(&user_deleted(&ada.id));
    let (signed, _) = token.rsplit_once('.').unwrap();
    let forged = format!("{signed}.{}", "A".repeat(86));
    assert_eq!(
        refusal_of(&verifier, &forged).await,
        Some(RefusalReason::BadSignature)
    );
}

#[test]
fn a_zero_max_token_lifetime_is_refused_at_build() {
    let err = stack_auth_jwks::JwksVerifier::builder("p")
        .max_token_lifetime(Duration::ZERO)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("max_token_lifetime"), "{err}");
    assert_eq!(
        stack_auth_jwks::DEFAULT_MAX_TOKEN_LIFETIME,
        Duration::from_secs(600)
    );
}
