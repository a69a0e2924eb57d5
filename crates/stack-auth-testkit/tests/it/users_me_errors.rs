//! users/me answers every KnownError of PROTOCOL §4.2 that a server-side caller can trigger,
//! in the §3.3 processing order.
#![allow(clippy::unwrap_used)]

use serde_json::json;
use stack_auth_core::RestrictedReason;
use stack_auth_testkit::{Breakage, LocalStackAuth, ProjectSpec, UserSpec};

use crate::support::{self, get, me};

const ME: &str = "/api/v1/users/me";

#[tokio::test]
async fn access_type_and_project_header_errors() {
    let stack = LocalStackAuth::start().await.unwrap();
    let key = stack.secret_server_key();
    get(&stack, ME, &[])
        .await
        .assert_known(400, "ACCESS_TYPE_REQUIRED");
    let ans = get(&stack, ME, &[("x-stack-secret-server-key", key.expose())]).await;
    ans.assert_known(400, "PROJECT_KEY_WITHOUT_ACCESS_TYPE");
    let ans = get(
        &stack,
        ME,
        &[
            ("x-stack-access-type", "root"),
            ("x-stack-project-id", stack.project_id()),
        ],
    )
    .await;
    assert_eq!(ans.assert_known(400, "INVALID_ACCESS_TYPE"), None);
    let ans = get(&stack, ME, &[("x-stack-access-type", "server")]).await;
    assert_eq!(
        ans.assert_known(400, "ACCESS_TYPE_WITHOUT_PROJECT_ID"),
        Some(json!({"request_type": "server"}))
    );
}

#[tokio::test]
async fn token_errors_come_before_key_errors() {
    let stack = LocalStackAuth::start().await.unwrap();
    let user = stack.create_user(UserSpec::normal()).unwrap();
    let wrong_key = [("x-stack-secret-server-key", "ssk_wrong")];
    let garbage = stack.token(&user).broken(Breakage::Tampered).mint();
    let ans = support::get(
        &stack,
        ME,
        &[
            ("x-stack-access-type", "server"),
            ("x-stack-project-id", stack.project_id()),
            ("x-stack-access-token", &garbage),
            wrong_key[0],
        ],
    )
    .await;
    assert_eq!(
        ans.assert_known(401, "UNPARSABLE_ACCESS_TOKEN"),
        None,
        "a bad token masks a bad key"
    );
    let ans = get(
        &stack,
        ME,
        &[
            ("x-stack-access-type", "server"),
            ("x-stack-project-id", stack.project_id()),
            ("x-stack-access-token", &stack.mint(&user)),
            wrong_key[0],
        ],
    )
    .await;
    assert_eq!(
        ans.assert_known(401, "INVALID_SECRET_SERVER_KEY"),
        Some(json!({"project_id": stack.project_id()}))
    );
}

#[tokio::test]
async fn every_hostile_token_is_unparsable_except_the_ones_the_server_tells_apart() {
    let stack = LocalStackAuth::start().await.unwrap();
    let user = stack.create_user(UserSpec::normal()).unwrap();
    for b in Breakage::ALL {
        let token = stack.token(&user).broken(b).mint();
        let ans = me(&stack, Some(&token), &[]).await;
        match b {
            Breakage::Expired => {
                let details = ans.assert_known(401, "ACCESS_TOKEN_EXPIRED").unwrap();
                assert_eq!(details["user_id"], user.id.as_str());
                assert_eq!(details["project_id"], stack.project_id());
                assert!(
                    details["expired_at_millis"].as_i64().unwrap() < stack.clock().now_millis()
                );
                assert!(details["refresh_token_id"].is_string());
            }
            // Accepted by the real server: it does not tie the issuer variant to the audience,
            // and HTTP strips the spaces. (A header without a kid matches both keys of the
            // audience: jose's JWKSMultipleMatchingKeys, so UNPARSABLE_ACCESS_TOKEN below.)
            Breakage::IssuerVariantMismatch | Breakage::WhitespacePadded | Breakage::Huge => {
                assert_eq!(ans.status, 200, "{}: {}", b.label(), ans.text);
            }
            Breakage::Empty => {
                ans.assert_known(400, "CANNOT_GET_OWN_USER_WITHOUT_USER");
            }
            // StackAssertionError on the real server: plain 500.
            Breakage::BranchNotMain
            | Breakage::AnonymousClaimOnNormalAudience
            | Breakage::RestrictedWithoutReason
            | Breakage::MissingSub
            | Breakage::MissingExp => {
                assert_eq!(
                    (ans.status, ans.header("x-stack-known-error")),
                    (500, None),
                    "{}",
                    b.label()
                );
                assert_eq!(
                    ans.header("content-type"),
                    Some("text/plain; charset=utf-8")
                );
            }
            _ => {
                assert_eq!(
                    ans.assert_known(401, "UNPARSABLE_ACCESS_TOKEN"),
                    None,
                    "{}",
                    b.label()
                );
            }
        }
    }
}

#[tokio::test]
async fn token_of_another_project() {
    let stack = LocalStackAuth::start().await.unwrap();
    let other = ProjectSpec::random();
    let other_id = other.id().to_owned();
    stack.add_project(other).unwrap();
    let stranger = stack.create_user_in(&other_id, UserSpec::normal()).unwrap();
    let ans = me(&stack, Some(&stack.mint(&stranger)), &[]).await;
    let details = ans
        .assert_known(401, "INVALID_PROJECT_FOR_ACCESS_TOKEN")
        .unwrap();
    assert_eq!(
        details,
        json!({"expected_project_id": stack.project_id(), "actual_project_id": other_id})
    );
}

#[tokio::test]
async fn anonymous_and_restricted_users_need_the_allow_headers() {
    let stack = LocalStackAuth::start().await.unwrap();
    let anon = stack.mint(&stack.create_user(UserSpec::anonymous()).unwrap());
    me(&stack, Some(&anon), &[])
        .await
        .assert_known(401, "ANONYMOUS_AUTHENTICATION_NOT_ALLOWED");
    let ans = me(
        &stack,
        Some(&anon),
        &[("x-stack-allow-restricted-user", "true")],
    )
    .await;
    ans.assert_known(401, "ANONYMOUS_AUTHENTICATION_NOT_ALLOWED");
    assert_eq!(
        me(
            &stack,
            Some(&anon),
            &[("x-stack-allow-anonymous-user", "true")]
        )
        .await
        .status,
        200
    );

    for reason in [
        RestrictedReason::EmailNotVerified,
        RestrictedReason::RestrictedByAdministrator,
    ] {
        let token = stack.mint(&stack.create_user(UserSpec::restricted(reason)).unwrap());
        let details = me(&stack, Some(&token), &[])
            .await
            .assert_known(403, "RESTRICTED_USER_NOT_ALLOWED");
        assert_eq!(
            details,
            Some(json!({"restricted_reason": {"type": reason.as_str()}}))
        );
        for allow in [
            "x-stack-allow-restricted-user",
            "x-stack-allow-anonymous-user",
        ] {
            let ans = me(&stack, Some(&token), &[(allow, "true")]).await;
            assert_eq!(
                ans.json()["restricted_reason"]["type"],
                reason.as_str(),
                "{allow}"
            );
        }
        let ans = me(
            &stack,
            Some(&token),
            &[("x-stack-allow-restricted-user", "false")],
        )
        .await;
        ans.assert_known(403, "RESTRICTED_USER_NOT_ALLOWED");
    }
}

#[tokio::test]
async fn project_key_and_branch_errors() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ans = get(
        &stack,
        ME,
        &[
            ("x-stack-access-type", "server"),
            ("x-stack-project-id", "no-such-project"),
        ],
    )
    .await;
    let details = ans.assert_known(400, "CURRENT_PROJECT_NOT_FOUND");
    assert_eq!(details, Some(json!({"project_id": "no-such-project"})));
    let ans = get(
        &stack,
        ME,
        &[
            ("x-stack-access-type", "server"),
            ("x-stack-project-id", stack.project_id()),
        ],
    )
    .await;
    assert_eq!(
        ans.assert_known(401, "SERVER_AUTHENTICATION_REQUIRED"),
        None
    );
    let ans = me(&stack, None, &[("x-stack-branch-id", "dev")]).await;
    assert_eq!(
        ans.assert_known(400, "BRANCH_DOES_NOT_EXIST"),
        Some(json!({"branch_id": "dev"}))
    );
    let key = stack.secret_server_key();
    stack
        .add_secret_server_key(stack.project_id(), "ssk_second")
        .unwrap();
    stack
        .revoke_secret_server_key(stack.project_id(), &key)
        .unwrap();
    let revoked = [
        ("x-stack-access-type", "server"),
        ("x-stack-project-id", stack.project_id()),
        ("x-stack-secret-server-key", key.expose()),
    ];
    get(&stack, ME, &revoked)
        .await
        .assert_known(401, "INVALID_SECRET_SERVER_KEY");
    assert_eq!(stack.secret_server_key().expose(), "ssk_second");
    me(&stack, None, &[])
        .await
        .assert_known(400, "CANNOT_GET_OWN_USER_WITHOUT_USER");
}

#[tokio::test]
async fn no_user_missing_token_deleted_user_and_schema_errors() {
    let stack = LocalStackAuth::start().await.unwrap();
    me(&stack, None, &[])
        .await
        .assert_known(400, "CANNOT_GET_OWN_USER_WITHOUT_USER");
    me(&stack, Some(""), &[])
        .await
        .assert_known(400, "CANNOT_GET_OWN_USER_WITHOUT_USER");
    let user = stack.create_user(UserSpec::normal()).unwrap();
    let token = stack.mint(&user);
    assert_eq!(me(&stack, Some(&token), &[]).await.status, 200);
    stack.delete_user(&user.id).unwrap();
    me(&stack, Some(&token), &[])
        .await
        .assert_known(400, "CANNOT_GET_OWN_USER_WITHOUT_USER");

    let key = stack.secret_server_key();
    let headers = [
        ("x-stack-access-type", "server"),
        ("x-stack-project-id", stack.project_id()),
        ("x-stack-secret-server-key", key.expose()),
    ];
    let ans = get(&stack, "/api/v1/users/me?nonce=1", &headers).await;
    let details = ans.assert_known(400, "SCHEMA_ERROR").unwrap();
    assert!(details["message"].as_str().unwrap().contains("nonce"));
}

#[tokio::test]
async fn override_error_status_rewrites_4xx_only() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ans = me(&stack, None, &[("x-stack-override-error-status", "true")]).await;
    assert_eq!(
        (ans.status, ans.header("x-stack-actual-status")),
        (200, Some("400"))
    );
    assert_eq!(
        ans.header("x-stack-known-error"),
        Some("CANNOT_GET_OWN_USER_WITHOUT_USER")
    );
    assert_eq!(ans.json()["code"], "CANNOT_GET_OWN_USER_WITHOUT_USER");
    let user = stack.create_user(UserSpec::normal()).unwrap();
    let bad = stack.token(&user).broken(Breakage::BranchNotMain).mint();
    let ans = me(
        &stack,
        Some(&bad),
        &[("x-stack-override-error-status", "true")],
    )
    .await;
    assert_eq!(
        (ans.status, ans.header("x-stack-actual-status")),
        (500, None)
    );
    let ans = me(
        &stack,
        Some(&stack.mint(&user)),
        &[("x-stack-override-error-status", "true")],
    )
    .await;
    assert_eq!(
        (ans.status, ans.header("x-stack-actual-status")),
        (200, None)
    );
}

#[tokio::test]
async fn other_methods_are_plain_405() {
    let stack = LocalStackAuth::start().await.unwrap();
    let res = reqwest::Client::new()
        .post(stack.users_me_url())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 405);
    assert!(res.headers().get("x-stack-known-error").is_none());
}
