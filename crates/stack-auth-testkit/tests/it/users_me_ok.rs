//! users/me answers the full server user object (PROTOCOL §3.4) for every valid token shape.
#![allow(clippy::unwrap_used)]

use stack_auth_core::{RestrictedReason, ServerUser};
use stack_auth_testkit::{KeyChoice, LocalStackAuth, UserSpec};

use crate::support::{get, me};

const FIELDS: [&str; 29] = [
    "id",
    "primary_email",
    "primary_email_verified",
    "primary_email_auth_enabled",
    "display_name",
    "selected_team",
    "selected_team_id",
    "profile_image_url",
    "signed_up_at_millis",
    "has_password",
    "otp_auth_enabled",
    "passkey_auth_enabled",
    "client_metadata",
    "client_read_only_metadata",
    "server_metadata",
    "last_active_at_millis",
    "is_anonymous",
    "is_restricted",
    "restricted_reason",
    "restricted_by_admin",
    "restricted_by_admin_reason",
    "restricted_by_admin_private_details",
    "country_code",
    "risk_scores",
    "oauth_providers",
    "auth_with_email",
    "requires_totp_mfa",
    // two fields of the team object, checked below
    "created_at_millis",
    "client_metadata",
];

#[tokio::test]
async fn full_server_user_object_with_the_real_headers() {
    let stack = LocalStackAuth::start().await.unwrap();
    let user = stack
        .create_user(
            UserSpec::normal()
                .email("johndoe@example.com")
                .display_name("John Doe")
                .team("John Doe's Team")
                .profile_image_url("https://example.com/image.jpg")
                .client_metadata(serde_json::json!({"theme": "dark"}))
                .server_metadata(serde_json::json!({"stripe_customer_id": "cus_123"}))
                .oauth("github", "12345678"),
        )
        .unwrap();
    let ans = me(&stack, Some(&stack.mint(&user)), &[]).await;
    assert_eq!(ans.status, 200, "{}", ans.text);
    assert_eq!(
        ans.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(ans.header("cache-control"), Some("no-store, max-age=0"));
    assert!(ans.header("x-stack-request-id").is_some());
    assert!(ans.header("x-stack-known-error").is_none());
    assert!(!ans.text.contains('\n'), "compact JSON by default");
    let body = ans.json();
    for field in &FIELDS[..27] {
        assert!(body.get(field).is_some(), "missing {field}");
    }
    assert_eq!(
        body["selected_team"]["created_at_millis"],
        user.selected_team.as_ref().unwrap().created_at_millis
    );
    assert_eq!(
        body["risk_scores"],
        serde_json::json!({"sign_up": {"bot": 0, "free_trial_abuse": 0}})
    );
    assert_eq!(body["oauth_providers"][0]["email"], "johndoe@example.com");
    assert_eq!(serde_json::from_value::<ServerUser>(body).unwrap(), user);

    let ans = me(&stack, Some(&stack.mint(&user)), &[("accept", "text/html")]).await;
    assert!(ans.text.contains("\n  \"id\""), "pretty for browsers");
}

#[tokio::test]
async fn updates_are_visible_and_recompute_restriction() {
    let stack = LocalStackAuth::start().await.unwrap();
    let user = stack.create_user(UserSpec::normal()).unwrap();
    let token = stack.mint(&user);
    stack
        .update_user(&user.id, |u| u.display_name = Some("Countess".into()))
        .unwrap();
    assert_eq!(
        me(&stack, Some(&token), &[]).await.json()["display_name"],
        "Countess"
    );
    let updated = stack
        .update_user(&user.id, |u| {
            u.restricted_by_admin = true;
            u.restricted_by_admin_reason = Some("Spam".into());
        })
        .unwrap();
    assert_eq!(
        updated.restricted_reason,
        Some(RestrictedReason::RestrictedByAdministrator)
    );
    // The old token still says "normal"; the server decides from the token, then returns the
    // current object.
    let body = me(&stack, Some(&token), &[]).await.json();
    assert_eq!(body["is_restricted"], true);
    assert_eq!(body["restricted_by_admin_reason"], "Spam");
    let lifted = stack
        .update_user(&user.id, |u| u.restricted_by_admin = false)
        .unwrap();
    assert!(!lifted.is_restricted && lifted.restricted_by_admin_reason.is_none());
}

#[tokio::test]
async fn legacy_other_key_and_extra_claims_are_accepted() {
    let stack = LocalStackAuth::start().await.unwrap();
    let anon = stack.create_user(UserSpec::anonymous()).unwrap();
    let normal = stack.create_user(UserSpec::normal()).unwrap();
    let allow = [("x-stack-allow-anonymous-user", "true")];
    for token in [
        stack.token(&normal).legacy_claims().mint(),
        stack.token(&anon).legacy_claims().mint(),
        stack.token(&normal).signed_by(KeyChoice::Other).mint(),
        stack.token(&anon).signed_by(KeyChoice::Other).mint(),
        stack.token(&normal).extra_claim("future_claim", 42).mint(),
    ] {
        let ans = me(&stack, Some(&token), &allow).await;
        assert_eq!(ans.status, 200, "{}", ans.text);
    }
}

#[tokio::test]
async fn expiry_follows_the_shared_clock_and_rotation_invalidates_tokens() {
    let stack = LocalStackAuth::start().await.unwrap();
    let user = stack.create_user(UserSpec::normal()).unwrap();
    stack.clock().freeze_at(1_767_225_600);
    let token = stack.mint(&user);
    stack.clock().advance(599);
    assert_eq!(me(&stack, Some(&token), &[]).await.status, 200);
    stack.clock().advance(1);
    me(&stack, Some(&token), &[])
        .await
        .assert_known(401, "ACCESS_TOKEN_EXPIRED");
    let fresh = stack.mint(&user);
    stack
        .rotate_secret(stack_auth_testkit::random_secret())
        .unwrap();
    me(&stack, Some(&fresh), &[])
        .await
        .assert_known(401, "UNPARSABLE_ACCESS_TOKEN");
    assert_eq!(me(&stack, Some(&stack.mint(&user)), &[]).await.status, 200);
}

#[tokio::test]
async fn client_access_gets_the_client_view_and_latest_prefix_works() {
    let stack = LocalStackAuth::start().await.unwrap();
    let user = stack.create_user(UserSpec::normal().team("T")).unwrap();
    let token = stack.mint(&user);
    let ans = get(
        &stack,
        "/api/latest/users/me",
        &[
            ("x-stack-access-type", "client"),
            ("x-stack-project-id", stack.project_id()),
            ("x-stack-access-token", &token),
        ],
    )
    .await;
    let body = ans.json();
    assert_eq!(body["id"], user.id.as_str());
    for server_only in [
        "server_metadata",
        "last_active_at_millis",
        "risk_scores",
        "country_code",
    ] {
        assert!(body.get(server_only).is_none(), "{server_only}");
    }
    assert!(body["selected_team"].get("created_at_millis").is_none());
}

#[tokio::test]
async fn configured_token_lifetime_and_secrets_stay_out_of_debug() {
    let secret = stack_auth_testkit::random_secret();
    let stack = LocalStackAuth::builder()
        .secret(secret.clone())
        .token_lifetime(std::time::Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let user = stack.create_user(UserSpec::normal()).unwrap();
    let claims: serde_json::Value =
        serde_json::from_str(&stack.token(&user).claims_json()).unwrap();
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        60
    );
    let key = stack.secret_server_key();
    for text in [
        format!("{stack:?}"),
        format!("{:?}", stack.minter()),
        format!("{:?}", stack.request_log()),
    ] {
        assert!(
            !text.contains(&secret) && !text.contains(key.expose()),
            "{text}"
        );
    }
}
