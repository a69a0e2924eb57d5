//! `Users`: users by id (PROTOCOL §10.1) against the stand-in: the full server object, `None`
//! for an unknown id, no filtering of user types, request counts, caching and evictions.

use std::time::Duration;

use stack_auth_core::{
    Evict, Eviction, MisconfigKind, RestrictedReason, ServerUser, UserType, VerifyError,
};
use stack_auth_rest::{ServerApi, Users};
use stack_auth_testkit::{LocalStackAuth, Route, UserSpec};

fn api(stack: &LocalStackAuth) -> ServerApi {
    ServerApi::builder_with_config(stack.config(), stack.secret_server_key())
        .build()
        .unwrap()
}

fn same(a: &ServerUser, b: &ServerUser) {
    assert_eq!(
        serde_json::to_value(a).unwrap(),
        serde_json::to_value(b).unwrap()
    );
}

#[tokio::test(start_paused = true)]
async fn every_user_type_by_id_and_none_for_unknown_ids() {
    let stack = LocalStackAuth::start().await.unwrap();
    let users = Users::new(&api(&stack));
    for spec in [
        UserSpec::normal().email("ada@example.com").team("Engines"),
        UserSpec::restricted(RestrictedReason::EmailNotVerified),
        UserSpec::anonymous(),
    ] {
        let created = stack.create_user(spec).unwrap();
        let got = users.get_user(&created.id).await.unwrap().unwrap();
        same(&got, &stack.user(&created.id).unwrap());
    }
    let anonymous = stack.create_user(UserSpec::anonymous()).unwrap();
    let got = users.get_user(&anonymous.id).await.unwrap().unwrap();
    assert_eq!(got.user_type(), UserType::Anonymous, "no filtering by type");

    let before = stack.requests(Route::UserById);
    let unknown = "9a1f0c52-6a7e-4c1b-9d38-2f6b1e7c4d10";
    assert!(users.get_user(unknown).await.unwrap().is_none());
    assert_eq!(stack.requests(Route::UserById), before + 1);
    for not_an_id in ["me", "", "../users/me", "not-a-uuid"] {
        assert!(users.get_user(not_an_id).await.unwrap().is_none());
    }
    assert_eq!(stack.requests(Route::UserById), before + 1, "no request");
    // The unknown id is remembered as briefly as a refusal.
    users.get_user(unknown).await.unwrap();
    assert_eq!(stack.requests(Route::UserById), before + 1);
    tokio::time::advance(stack_auth_rest::DEFAULT_CACHE_REFUSAL_TTL).await;
    users.get_user(unknown).await.unwrap();
    assert_eq!(stack.requests(Route::UserById), before + 2);
}

#[tokio::test(start_paused = true)]
async fn a_user_is_asked_once_then_cached_until_the_ttl_or_an_eviction() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let users = Users::new(&api(&stack));
    let asked = || stack.requests(Route::UserById);
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let (users, id) = (users.clone(), ada.id.clone());
            tokio::spawn(async move { users.get_user(&id).await })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().unwrap().is_some());
    }
    assert_eq!(asked(), 1, "one request for 100 concurrent callers");
    users.get_user(&ada.id).await.unwrap();
    assert_eq!(asked(), 1, "cached");

    stack
        .update_user(&ada.id, |u| u.display_name = Some("Ada L.".into()))
        .unwrap();
    users.evict(&Eviction::UserUpdated {
        user_id: ada.id.clone(),
    });
    let fresh = users.get_user(&ada.id).await.unwrap().unwrap();
    assert_eq!(fresh.display_name.as_deref(), Some("Ada L."));
    assert_eq!(asked(), 2);

    stack.delete_user(&ada.id).unwrap();
    users.get_user(&ada.id).await.unwrap().unwrap();
    assert_eq!(asked(), 2, "the deletion is not seen before the ttl");
    tokio::time::advance(Duration::from_secs(30)).await;
    assert!(users.get_user(&ada.id).await.unwrap().is_none());
    assert_eq!(asked(), 3);
}

#[tokio::test]
async fn a_wrong_server_key_is_a_misconfiguration() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let wrong = ServerApi::builder_with_config(stack.config(), "ssk_wrong")
        .build()
        .unwrap();
    let e = Users::new(&wrong).get_user(&ada.id).await.unwrap_err();
    assert!(
        matches!(&e, VerifyError::Misconfigured(m) if m.kind() == MisconfigKind::InvalidSecretServerKey),
        "{e:?}"
    );
    let no_cache = Users::builder(&api(&stack))
        .disable_cache()
        .build()
        .unwrap();
    no_cache.get_user(&ada.id).await.unwrap();
    no_cache.get_user(&ada.id).await.unwrap();
    assert_eq!(stack.requests(Route::UserById), 3);
}
