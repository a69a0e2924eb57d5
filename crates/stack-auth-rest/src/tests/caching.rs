//! Single flight, the verdict cache and user-type filtering.

use std::time::Duration;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use stack_auth_core::{RefusalReason, TokenVerifier, UserType};

use super::scripted::{after, builder, known, ok_user, status, Scripted};

/// A JWT-shaped token whose payload has `exp` an hour from now (only the cache reads it).
fn token(nonce: u32) -> String {
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let payload = URL_SAFE_NO_PAD.encode(format!(r#"{{"exp":{exp},"n":{nonce}}}"#));
    format!("{}.{payload}.c2ln", super::scripted::HEADER)
}

#[tokio::test(start_paused = true)]
async fn hundred_concurrent_verifications_make_one_request_even_without_cache() {
    let t = Scripted::new(|_| after(Duration::from_secs(1), ok_user("u1")));
    let v = builder(&t).build().unwrap();
    let tok = token(1);
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let (v, tok) = (v.clone(), tok.clone());
            tokio::spawn(async move { v.verify(&tok).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().user_id(), "u1");
    }
    assert_eq!(t.calls(), 1);
    v.verify(&tok).await.unwrap();
    assert_eq!(t.calls(), 2, "caching is off: a later call asks again");
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_first_caller_does_not_fail_or_repeat_the_request() {
    let t = Scripted::new(|_| after(Duration::from_secs(1), ok_user("u1")));
    let v = builder(&t).build().unwrap();
    let tok = token(2);
    let first = {
        let (v, tok) = (v.clone(), tok.clone());
        tokio::spawn(async move { v.verify(&tok).await })
    };
    tokio::time::sleep(Duration::from_millis(10)).await;
    let second = {
        let (v, tok) = (v.clone(), tok.clone());
        tokio::spawn(async move { v.verify(&tok).await })
    };
    tokio::time::sleep(Duration::from_millis(10)).await;
    first.abort();
    assert!(first.await.unwrap_err().is_cancelled());
    assert_eq!(second.await.unwrap().unwrap().user_id(), "u1");
    assert_eq!(t.calls(), 1);
}

#[tokio::test]
async fn successes_and_refusals_are_cached_other_errors_are_not() {
    let t = Scripted::new(|n| match n {
        1 => ok_user("u1"),
        2 => known(401, "ACCESS_TOKEN_EXPIRED"),
        3 | 4 => status(500, "oops"),
        _ => known(401, "INVALID_SECRET_SERVER_KEY"),
    });
    let v = builder(&t)
        .token_cache_ttl(Duration::from_secs(30))
        .token_cache_refusal_ttl(Duration::from_secs(30))
        .build()
        .unwrap();
    // Each token is made once: `token(n)` reads the clock, so two calls a second apart differ
    // (a loaded run once crossed a second mid-loop and made an extra request).
    let [ok, expired, failing, misconfigured] = [1, 2, 3, 5].map(token);
    for _ in 0..5 {
        assert_eq!(v.verify(&ok).await.unwrap().user_id(), "u1");
    }
    for _ in 0..1_000 {
        let e = v.verify(&expired).await.unwrap_err();
        assert_eq!(e.refusal_reason(), Some(RefusalReason::Expired), "{e:?}");
    }
    assert_eq!(t.calls(), 2);
    v.verify(&failing).await.unwrap_err();
    v.verify(&failing).await.unwrap_err();
    assert_eq!(t.calls(), 4, "unavailability is not cached");
    v.verify(&misconfigured).await.unwrap_err();
    v.verify(&misconfigured).await.unwrap_err();
    assert_eq!(t.calls(), 6, "misconfiguration is not cached");
}

#[tokio::test]
async fn a_token_without_readable_exp_is_not_cached_as_success() {
    let t = Scripted::new(|_| ok_user("u1"));
    let v = builder(&t)
        .token_cache_ttl(Duration::from_secs(30))
        .build()
        .unwrap();
    let opaque = format!("{}.e30.c2ln", super::scripted::HEADER);
    v.verify(&opaque).await.unwrap();
    v.verify(&opaque).await.unwrap();
    assert_eq!(t.calls(), 2);
}

#[tokio::test]
async fn user_types_are_filtered_locally_and_the_filter_is_not_cached_away() {
    let restricted = r#"{"id":"u2","is_anonymous":false,"is_restricted":true,"restricted_reason":{"type":"email_not_verified"}}"#;
    let anonymous = r#"{"id":"u3","is_anonymous":true,"is_restricted":true,"restricted_reason":{"type":"anonymous"}}"#;
    let body = move |n: u32| if n % 2 == 1 { restricted } else { anonymous };
    let t = Scripted::new(move |n| status(200, body(n)));
    let normal_only = builder(&t).build().unwrap();
    for n in 0..2 {
        let e = normal_only.verify(&token(n)).await.unwrap_err();
        assert_eq!(e.refusal_reason(), Some(RefusalReason::UserTypeNotAllowed));
        assert_eq!(e.http_status(), 403);
    }
    let t2 = Scripted::new(move |n| status(200, body(n)));
    let v = builder(&t2).accept(UserType::Restricted).build().unwrap();
    let user = v.verify(&token(0)).await.unwrap();
    assert_eq!(user.user_type(), UserType::Restricted);
    assert!(user.profile().is_some());
    let e = v.verify(&token(1)).await.unwrap_err();
    assert_eq!(e.refusal_reason(), Some(RefusalReason::UserTypeNotAllowed));
}

#[tokio::test]
async fn malformed_tokens_are_refused_without_a_request() {
    let t = Scripted::new(|_| ok_user("u1"));
    let v = builder(&t).build().unwrap();
    let long = "a".repeat(stack_auth_core::MAX_TOKEN_LEN + 1);
    for bad in ["", long.as_str(), "has space", "line\nbreak", "héllo"] {
        let e = v.verify(bad).await.unwrap_err();
        assert_eq!(
            e.refusal_reason(),
            Some(RefusalReason::Malformed),
            "{bad:?}"
        );
        let e = v.fetch_profile(bad).await.unwrap_err();
        assert_eq!(e.refusal_reason(), Some(RefusalReason::Malformed));
    }
    assert_eq!(t.calls(), 0);
}

#[tokio::test]
async fn fetch_profile_bypasses_cache_and_type_filter() {
    let anonymous = r#"{"id":"u3","is_anonymous":true,"is_restricted":true,"restricted_reason":{"type":"anonymous"}}"#;
    let t = Scripted::new(move |_| status(200, anonymous));
    let v = builder(&t)
        .token_cache_ttl(Duration::from_secs(30))
        .build()
        .unwrap();
    let tok = token(9);
    for _ in 0..3 {
        let profile = v.fetch_profile(&tok).await.unwrap();
        assert!(profile.is_anonymous);
    }
    assert_eq!(t.calls(), 3);
}
