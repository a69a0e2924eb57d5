//! Sessions (PROTOCOL §10.4): every minted token belongs to a session row; the list (newest
//! first, impersonation hidden, `is_current_session`), deleting by id, signing out, and
//! tokens that outlive their session on users/me (§10.4.4).
#![allow(clippy::unwrap_used)]

use serde_json::json;
use stack_auth_testkit::{uuid_for_name, LocalStackAuth, UserSpec};

use crate::support::{client, me, pairs, send, server};

#[tokio::test]
async fn minted_tokens_are_sessions_listed_newest_first() {
    let stack = LocalStackAuth::start().await.unwrap();
    let clock = stack.clock().clone();
    clock.freeze_at(1_767_139_200);
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let first = stack.mint(&ada);
    clock.advance(10);
    let second = stack.mint(&ada);
    let hidden = stack.create_impersonation_session(&ada).unwrap();
    let impersonating = stack.token_for_session(&hidden).unwrap().mint();
    let sessions = stack.sessions(&ada.id);
    assert_eq!(sessions.len(), 3);
    let sid = |token: &str| {
        let claims = stack_auth_core::AccessTokenClaims::from_json_slice(
            &base64::Engine::decode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                token.split('.').nth(1).unwrap(),
            )
            .unwrap(),
        )
        .unwrap();
        claims.refresh_token_id.unwrap()
    };
    let (s1, s2) = (sid(&first), sid(&second));
    assert_eq!(sid(&impersonating), hidden.id);
    let h = server(&stack);
    let path = format!("/api/v1/auth/sessions?user_id={}", ada.id);
    let items = send(
        &stack,
        "GET",
        &path,
        &pairs(&h, &[("x-stack-access-token", &first)]),
        None,
    )
    .await
    .items();
    assert_eq!(
        items,
        [
            json!({"id": s2, "user_id": ada.id, "created_at": 1_767_139_210_000_i64, "last_used_at": 1_767_139_210_000_i64,
                   "is_impersonation": false, "is_current_session": false}),
            json!({"id": s1, "user_id": ada.id, "created_at": 1_767_139_200_000_i64, "last_used_at": 1_767_139_200_000_i64,
                   "is_impersonation": false, "is_current_session": true}),
        ],
        "impersonation hidden for server access"
    );
    // minting again for a session is a refresh: last_used_at moves, no new row
    clock.advance(5);
    let session = stack
        .sessions(&ada.id)
        .into_iter()
        .find(|s| s.id == s1)
        .unwrap();
    stack.token_for_session(&session).unwrap().mint();
    let items = send(&stack, "GET", &path, &pairs(&h, &[]), None)
        .await
        .items();
    assert_eq!(
        (items.len(), &items[1]["last_used_at"]),
        (2, &json!(1_767_139_215_000_i64))
    );
    assert!(items.iter().all(|i| i["is_current_session"] == false));
    // client access: own sessions only; server access: an unknown user has none
    let c = client(&stack, Some(&second));
    assert_eq!(
        send(
            &stack,
            "GET",
            "/api/v1/auth/sessions?user_id=me",
            &pairs(&c, &[]),
            None
        )
        .await
        .items()
        .len(),
        2
    );
    let other = format!("/api/v1/auth/sessions?user_id={}", uuid_for_name("other"));
    send(&stack, "GET", &other, &pairs(&c, &[]), None)
        .await
        .assert_plain(403, "Client can only list sessions for their own user.");
    assert!(send(&stack, "GET", &other, &pairs(&h, &[]), None)
        .await
        .items()
        .is_empty());
    let ans = send(
        &stack,
        "GET",
        "/api/v1/auth/sessions",
        &pairs(&h, &[]),
        None,
    )
    .await;
    assert_eq!(
        ans.assert_known(400, "SCHEMA_ERROR"),
        Some(
            json!({"message": "Request validation failed on GET /api/v1/auth/sessions:\n  - query.user_id must be defined"})
        )
    );
    // broken tokens are no session
    stack
        .token(&ada)
        .broken(stack_auth_testkit::Breakage::WrongKey)
        .mint();
    assert_eq!(stack.sessions(&ada.id).len(), 3);
}

#[tokio::test]
async fn deleting_sessions_and_signing_out() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let kept = stack.create_session(&ada).unwrap();
    let token = stack.token_for_session(&kept).unwrap().mint();
    let doomed = stack.create_session(&ada).unwrap();
    let doomed_token = stack.token_for_session(&doomed).unwrap().mint();
    let hidden = stack.create_impersonation_session(&ada).unwrap();
    let h = server(&stack);
    let path = |id: &str| format!("/api/v1/auth/sessions/{id}?user_id={}", ada.id);
    let ans = send(&stack, "DELETE", &path(&doomed.id), &pairs(&h, &[]), None).await;
    assert_eq!((ans.status, ans.json()), (200, json!({"success": true})));
    // the access token of the deleted session still works on users/me (PROTOCOL §10.4.4)
    assert_eq!(me(&stack, Some(&doomed_token), &[]).await.status, 200);
    send(&stack, "DELETE", &path(&doomed.id), &pairs(&h, &[]), None)
        .await
        .assert_plain(404, "Session not found.");
    // impersonation sessions can be deleted by id with a server key
    assert_eq!(
        send(&stack, "DELETE", &path(&hidden.id), &pairs(&h, &[]), None)
            .await
            .status,
        200
    );
    // the request's own session cannot be deleted by id
    let ans = send(
        &stack,
        "DELETE",
        &path(&kept.id),
        &pairs(&h, &[("x-stack-access-token", &token)]),
        None,
    )
    .await;
    assert_eq!(ans.assert_known(400, "CANNOT_DELETE_CURRENT_SESSION"), None);
    // user_id is required by the shared query schema; the id must be a UUID
    let ans = send(
        &stack,
        "DELETE",
        &format!("/api/v1/auth/sessions/{}", kept.id),
        &pairs(&h, &[]),
        None,
    )
    .await;
    assert_eq!(
        ans.assert_known(400, "SCHEMA_ERROR"),
        Some(
            json!({"message": format!("Request validation failed on DELETE /api/v1/auth/sessions/{}:\n  - query.user_id must be defined", kept.id)})
        )
    );
    send(&stack, "DELETE", &path("nope"), &pairs(&h, &[]), None)
        .await
        .assert_known(400, "SCHEMA_ERROR");
    // client access: another user's session is "not found"
    let bob = stack.create_user(UserSpec::normal()).unwrap();
    let c = client(&stack, Some(&stack.mint(&bob)));
    send(&stack, "DELETE", &path(&kept.id), &pairs(&c, &[]), None)
        .await
        .assert_plain(404, "Session not found.");
    // sign-out deletes the token's session; a second time there is none
    let c = client(&stack, Some(&token));
    let ans = send(
        &stack,
        "DELETE",
        "/api/v1/auth/sessions/current",
        &pairs(&c, &[]),
        None,
    )
    .await;
    assert_eq!((ans.status, ans.json()), (200, json!({"success": true})));
    assert!(stack.sessions(&ada.id).is_empty());
    send(
        &stack,
        "DELETE",
        "/api/v1/auth/sessions/current",
        &pairs(&c, &[]),
        None,
    )
    .await
    .assert_known(401, "REFRESH_TOKEN_NOT_FOUND_OR_EXPIRED");
    send(
        &stack,
        "DELETE",
        "/api/v1/auth/sessions/current",
        &pairs(&h, &[]),
        None,
    )
    .await
    .assert_known(401, "ACCESS_TOKEN_EXPIRED");
    assert_eq!(me(&stack, Some(&token), &[]).await.status, 200);
}

#[tokio::test]
async fn deleting_a_user_deletes_their_sessions() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let token = stack.mint(&ada);
    stack.mint(&ada);
    assert_eq!(stack.sessions(&ada.id).len(), 2);
    stack.delete_user(&ada.id).unwrap();
    assert!(stack.sessions(&ada.id).is_empty());
    let h = server(&stack);
    let path = format!("/api/v1/auth/sessions?user_id={}", ada.id);
    assert!(send(&stack, "GET", &path, &pairs(&h, &[]), None)
        .await
        .items()
        .is_empty());
    // minting for a user the stand-in no longer holds records nothing
    stack.mint(&ada);
    assert!(stack.sessions(&ada.id).is_empty());
    me(&stack, Some(&token), &[])
        .await
        .assert_known(400, "CANNOT_GET_OWN_USER_WITHOUT_USER");
}
