//! `impl Evict for RestVerifier`: an eviction drops exactly the cached verdicts it names
//! (found through the index, not by scanning), and the next verification asks users/me again.

use stack_auth_core::{Evict, Eviction, RefusalReason, RestrictedReason, TokenVerifier};
use stack_auth_rest::RestVerifier;
use stack_auth_testkit::{LocalStackAuth, Route, UserSpec};

#[tokio::test]
async fn evictions_drop_the_named_users_verdicts_and_nothing_else() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack
        .create_user(UserSpec::normal().email("ada@example.com").team("Engines"))
        .unwrap();
    let bob = stack.create_user(UserSpec::normal()).unwrap();
    let (ada_token, bob_token) = (stack.mint(&ada), stack.mint(&bob));
    let v = RestVerifier::builder_with_config(stack.config(), stack.secret_server_key())
        .build()
        .unwrap();
    let asked = || stack.requests(Route::UsersMe);
    v.verify(&ada_token).await.unwrap();
    v.verify(&bob_token).await.unwrap();
    assert_eq!(asked(), 2);

    // Another user's update, a session, a key: nothing of ada's or bob's goes.
    v.evict(&Eviction::UserUpdated {
        user_id: "9a1f0c52-6a7e-4c1b-9d38-2f6b1e7c4d10".into(),
    });
    v.evict(&Eviction::SessionEnded {
        user_id: ada.id.clone(),
        session_id: "s".into(),
    });
    v.evict(&Eviction::ApiKey {
        key_id: ada.id.clone(),
    });
    v.verify(&ada_token).await.unwrap();
    assert_eq!(asked(), 2, "still cached");

    // Ada's profile changes: her next verification carries the new one.
    stack
        .update_user(&ada.id, |u| u.display_name = Some("Ada L.".into()))
        .unwrap();
    v.evict(&Eviction::UserUpdated {
        user_id: ada.id.clone(),
    });
    let fresh = v.verify(&ada_token).await.unwrap();
    assert_eq!(fresh.display_name(), Some("Ada L."));
    v.verify(&bob_token).await.unwrap();
    assert_eq!(asked(), 3, "ada asked again, bob still cached");

    // Her selected team changes: profiles showing it go.
    let team = ada.selected_team_id.clone().unwrap();
    v.evict(&Eviction::Team { team_id: team });
    v.verify(&ada_token).await.unwrap();
    assert_eq!(asked(), 4);

    // A clone shares the cache; `All` drops everything.
    v.clone().evict(&Eviction::All);
    v.verify(&bob_token).await.unwrap();
    assert_eq!(asked(), 5);
}

#[tokio::test]
async fn a_cached_refusal_is_found_by_the_tokens_subject() {
    let stack = LocalStackAuth::start().await.unwrap();
    let grace = stack
        .create_user(UserSpec::restricted(RestrictedReason::EmailNotVerified))
        .unwrap();
    let token = stack.mint(&grace);
    let v = RestVerifier::builder_with_config(stack.config(), stack.secret_server_key())
        .build()
        .unwrap();
    let refused = v.verify(&token).await.unwrap_err();
    assert_eq!(
        refused.refusal_reason(),
        Some(RefusalReason::UserTypeNotAllowed)
    );
    v.verify(&token).await.unwrap_err();
    assert_eq!(stack.requests(Route::UsersMe), 1, "the refusal is cached");
    v.evict(&Eviction::UserUpdated {
        user_id: "someone-else".into(),
    });
    v.verify(&token).await.unwrap_err();
    assert_eq!(stack.requests(Route::UsersMe), 1);
    // Her user changed: the refusal (indexed by the token's unverified `sub`) is dropped and
    // Stack Auth asked again (her token still says restricted, so it is refused again).
    v.evict(&Eviction::UserUpdated {
        user_id: grace.id.clone(),
    });
    v.verify(&token).await.unwrap_err();
    assert_eq!(stack.requests(Route::UsersMe), 2);
}
