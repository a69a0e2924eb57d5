//! `VerifiedUser`, `ServerUser` and redaction: serde round-trips, accessor precedence, Debug.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use stack_auth_core::{
    AccessTokenClaims, MisconfigKind, Misconfiguration, ProfileLoader, ProfileStatus, Refusal,
    RefusalReason, RestrictedReason, SecretServerKey, ServerUser, StackAuthConfig, Unavailable,
    UnavailableKind, Upstream, UserType, VerifiedUser, VerifyError,
};

const PROTOCOL_EXAMPLE: &str = r#"{
  "id": "3241a285-8329-4d69-8f3d-316e08cf140c",
  "primary_email": "johndoe@example.com",
  "primary_email_verified": true,
  "primary_email_auth_enabled": true,
  "display_name": "John Doe",
  "selected_team": {
    "id": "7b1c5e0a-2d3f-4a5b-8c9d-0e1f2a3b4c5d",
    "display_name": "John Doe's Team",
    "profile_image_url": null,
    "created_at_millis": 1767139200000,
    "client_metadata": null,
    "client_read_only_metadata": null,
    "server_metadata": null
  },
  "selected_team_id": "7b1c5e0a-2d3f-4a5b-8c9d-0e1f2a3b4c5d",
  "profile_image_url": "https://example.com/image.jpg",
  "signed_up_at_millis": 1767139200000,
  "has_password": true,
  "otp_auth_enabled": false,
  "passkey_auth_enabled": false,
  "client_metadata": { "theme": "dark" },
  "client_read_only_metadata": null,
  "server_metadata": { "stripe_customer_id": "cus_123" },
  "last_active_at_millis": 1767225600000,
  "is_anonymous": false,
  "is_restricted": false,
  "restricted_reason": null,
  "restricted_by_admin": false,
  "restricted_by_admin_reason": null,
  "restricted_by_admin_private_details": null,
  "country_code": "US",
  "risk_scores": { "sign_up": { "bot": 0, "free_trial_abuse": 0 } },
  "oauth_providers": [
    { "id": "github", "account_id": "12345678", "email": "johndoe@example.com" }
  ],
  "auth_with_email": true,
  "requires_totp_mfa": false,
  "a_field_from_the_future": [1, 2]
}"#;

fn claims() -> AccessTokenClaims {
    serde_json::from_value(serde_json::json!({
        "sub": "3241a285-8329-4d69-8f3d-316e08cf140c", "project_id": "p1", "branch_id": "main",
        "refresh_token_id": "rt", "role": "authenticated", "name": "Token Name",
        "email": "token@example.com", "email_verified": false, "selected_team_id": null,
        "signed_up_at": 1767139200, "is_anonymous": false, "is_restricted": false,
        "restricted_reason": null, "requires_totp_mfa": false,
        "iss": "https://api.stack-auth.com/api/v1/projects/p1", "iat": 1, "aud": "p1", "exp": 4102444800u64
    }))
    .unwrap()
}

#[test]
fn profile_of_protocol_example_parses_every_field() {
    let p: ServerUser = serde_json::from_str(PROTOCOL_EXAMPLE).unwrap();
    assert_eq!(p.id, "3241a285-8329-4d69-8f3d-316e08cf140c");
    assert_eq!(
        p.selected_team.as_ref().unwrap().display_name,
        "John Doe's Team"
    );
    let server: serde_json::Value = p.server_metadata_as().unwrap().unwrap();
    assert_eq!(server["stripe_customer_id"], "cus_123");
    assert_eq!(p.oauth_providers[0].id, "github");
    assert_eq!(p.risk_scores.sign_up.bot, 0);
    assert_eq!(p.country_code.as_deref(), Some("US"));
    assert!(p.auth_with_email && p.has_password && !p.passkey_auth_enabled);
    assert_eq!(p.last_active_at_millis, 1767225600000);
    assert_eq!(
        p.extra["a_field_from_the_future"].to_value().unwrap(),
        serde_json::json!([1, 2])
    );
    let back: ServerUser = serde_json::from_value(serde_json::to_value(&p).unwrap()).unwrap();
    assert_eq!(back, p);
}

#[test]
fn restricted_profile_parses_reason_object() {
    let mut v: serde_json::Value = serde_json::from_str(PROTOCOL_EXAMPLE).unwrap();
    v["is_restricted"] = true.into();
    v["restricted_reason"] = serde_json::json!({"type": "restricted_by_administrator"});
    let p: ServerUser = serde_json::from_value(v).unwrap();
    assert_eq!(p.user_type(), UserType::Restricted);
    assert_eq!(
        p.restricted_reason,
        Some(RestrictedReason::RestrictedByAdministrator)
    );
}

#[test]
fn accessors_prefer_the_current_profile() {
    let p: ServerUser = serde_json::from_str(PROTOCOL_EXAMPLE).unwrap();
    let claims_only = VerifiedUser::from_claims(claims());
    assert_eq!(claims_only.email(), Some("token@example.com"));
    assert_eq!(claims_only.display_name(), Some("Token Name"));
    assert!(!claims_only.email_verified());
    assert_eq!(claims_only.expires_at(), Some(4102444800));
    assert_eq!(claims_only.session_id(), Some("rt"));
    assert_eq!(claims_only.profile_status(), ProfileStatus::NotRequested);
    let both = claims_only.clone().with_profile(p);
    assert_eq!(both.email(), Some("johndoe@example.com"));
    assert_eq!(both.display_name(), Some("John Doe"));
    assert!(both.email_verified());
    assert_eq!(
        both.selected_team_id(),
        Some("7b1c5e0a-2d3f-4a5b-8c9d-0e1f2a3b4c5d")
    );
    assert_eq!(both.signed_up_at(), Some(1767139200));
    assert_eq!(both.profile_status(), ProfileStatus::Present);
    assert!(both.claims().is_some() && both.profile().is_some());
}

#[test]
fn verified_users_serialize_every_part() {
    let p: ServerUser = serde_json::from_str(PROTOCOL_EXAMPLE).unwrap();
    for user in [
        VerifiedUser::from_claims(claims()),
        VerifiedUser::from_claims(claims()).with_profile(p.clone()),
        VerifiedUser::from_profile("p1", p),
        VerifiedUser::new(
            "u",
            "p",
            UserType::Anonymous,
            Some(RestrictedReason::Anonymous),
        ),
        VerifiedUser::from_claims(claims()).with_profile_unavailable(),
    ] {
        // Serialize only (a verified user never comes from JSON): every part is written.
        let json = serde_json::to_value(&user).unwrap();
        assert_eq!(json["user_id"], user.user_id());
        assert_eq!(json["project_id"], user.project_id());
        assert_eq!(
            json["user_type"],
            serde_json::to_value(user.user_type()).unwrap()
        );
        assert_eq!(
            json["restricted_reason"],
            serde_json::to_value(user.restricted_reason()).unwrap()
        );
        assert_eq!(json["claims"], serde_json::to_value(user.claims()).unwrap());
        assert_eq!(
            json["profile"],
            serde_json::to_value(user.profile()).unwrap()
        );
        assert_eq!(
            json["profile_status"],
            serde_json::to_value(user.profile_status()).unwrap()
        );
        assert_eq!(json.as_object().unwrap().len(), 7);
    }
}

#[derive(Debug)]
struct Loader;

#[stack_auth_core::async_trait]
impl ProfileLoader for Loader {
    async fn load(&self) -> Result<ServerUser, VerifyError> {
        Ok(ServerUser::new("3241a285-8329-4d69-8f3d-316e08cf140c"))
    }
}

#[tokio::test]
async fn profiles_load_on_demand() {
    let deferred = VerifiedUser::from_claims(claims()).with_profile_loader(Arc::new(Loader));
    assert_eq!(deferred.profile_status(), ProfileStatus::Deferred);
    assert_eq!(
        deferred.load_profile().await.unwrap().id,
        "3241a285-8329-4d69-8f3d-316e08cf140c"
    );
    let none = VerifiedUser::from_claims(claims());
    assert_eq!(none.load_profile().await.unwrap_err().http_status(), 500);
}

#[test]
fn nothing_secret_is_ever_printed() {
    let key = SecretServerKey::new("ssk_topsecret_123");
    let config = StackAuthConfig::new("p1").unwrap();
    let errors = [
        VerifyError::from(Refusal::new(RefusalReason::Expired).with_detail("exp in the past")),
        VerifyError::from(Unavailable::new(Upstream::Api, UnavailableKind::Timeout)),
        VerifyError::from(Misconfiguration::new(MisconfigKind::InvalidSecretServerKey)),
    ];
    let mut printed = vec![format!("{key:?}"), format!("{key}"), format!("{config:?}")];
    for e in &errors {
        printed.push(format!("{e}"));
        printed.push(format!("{e:?}"));
        printed.push(format!("{e:#?}"));
    }
    let user = VerifiedUser::from_claims(claims()).with_profile_loader(Arc::new(Loader));
    printed.push(format!("{user:?}"));
    for s in printed {
        assert!(!s.contains("topsecret"), "{s}");
    }
}

#[test]
fn shared_handles_pass_on_without_copying() {
    let a = VerifiedUser::from_claims(claims());
    let b = VerifiedUser::new(
        "3241a285-8329-4d69-8f3d-316e08cf140c",
        "p1",
        UserType::Normal,
        None,
    )
    .with_shared_claims(Arc::clone(a.shared_claims().unwrap()));
    assert!(Arc::ptr_eq(
        a.shared_claims().unwrap(),
        b.shared_claims().unwrap()
    ));
    let mut p = ServerUser::new("3241a285-8329-4d69-8f3d-316e08cf140c");
    p.is_restricted = true;
    p.restricted_reason = Some(RestrictedReason::EmailNotVerified);
    let c = b.with_shared_profile(Arc::new(p));
    assert_eq!(
        c.user_type(),
        UserType::Restricted,
        "the profile's type is current"
    );
    assert_eq!(c.profile_status(), ProfileStatus::Present);
    assert!(c.shared_profile().is_some());
}
