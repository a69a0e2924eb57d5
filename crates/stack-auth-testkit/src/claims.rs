//! The access-token payload Stack Auth builds for a user (PROTOCOL §1.3), in emission order.

use serde_json::{json, Value};
use stack_auth_core::{ServerUser, MAIN_BRANCH};

use crate::jose::OrderedJson;

/// The inputs of one payload besides the user.
#[derive(Debug, Clone)]
pub(crate) struct PayloadParts<'a> {
    pub(crate) project_id: &'a str,
    pub(crate) session_id: &'a str,
    pub(crate) issuer: &'a str,
    pub(crate) audience: &'a str,
    pub(crate) iat: i64,
    pub(crate) exp: i64,
}

/// The claims of `generateAccessTokenFromRefreshTokenIfValid`, then `iss, iat, aud, exp` as
/// `signJWT` appends them.
pub(crate) fn payload(user: &ServerUser, p: &PayloadParts<'_>) -> OrderedJson {
    let mut c = OrderedJson::default();
    c.set("sub", json!(user.id));
    c.set("project_id", json!(p.project_id));
    c.set("branch_id", json!(MAIN_BRANCH));
    c.set("refresh_token_id", json!(p.session_id));
    c.set("role", json!("authenticated"));
    c.set("name", json!(user.display_name));
    c.set("email", json!(user.primary_email));
    c.set("email_verified", json!(user.primary_email_verified));
    c.set("selected_team_id", json!(user.selected_team_id));
    c.set(
        "signed_up_at",
        json!(user.signed_up_at_millis.div_euclid(1000)),
    );
    c.set("is_anonymous", json!(user.is_anonymous));
    c.set("is_restricted", json!(user.is_restricted));
    let reason = user.restricted_reason.map(|r| json!({"type": r.as_str()}));
    c.set("restricted_reason", reason.unwrap_or(Value::Null));
    c.set("requires_totp_mfa", json!(user.requires_totp_mfa));
    c.set("iss", json!(p.issuer));
    c.set("iat", json!(p.iat));
    c.set("aud", json!(p.audience));
    c.set("exp", json!(p.exp));
    c
}

/// Rewrites a payload to the shape of tokens minted before 2025-09-14 (PROTOCOL §1.6):
/// camelCase names, no restriction claims, and `role: "anon"` instead of `is_anonymous`.
pub(crate) fn to_legacy(c: &mut OrderedJson) {
    for (from, to) in [
        ("branch_id", "branchId"),
        ("refresh_token_id", "refreshTokenId"),
        ("name", "displayName"),
        ("email", "primaryEmail"),
        ("email_verified", "primaryEmailVerified"),
        ("selected_team_id", "selectedTeamId"),
    ] {
        c.rename(from, to);
    }
    c.remove("is_restricted");
    c.remove("restricted_reason");
    if c.remove("is_anonymous") == Some(Value::Bool(true)) {
        c.set("role", json!("anon"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stack_auth_core::{AccessTokenClaims, UserType};

    use crate::UserSpec;

    fn parts() -> PayloadParts<'static> {
        PayloadParts {
            project_id: "p",
            session_id: "s",
            issuer: "http://127.0.0.1:1/api/v1/projects-anonymous-users/p",
            audience: "p:anon",
            iat: 10,
            exp: 610,
        }
    }

    #[test]
    fn order_matches_the_backend() {
        let u = UserSpec::normal().build(true, 1_767_139_200_123).unwrap();
        let json = payload(&u, &parts()).to_json();
        let keys: Vec<String> = serde_json::from_str::<serde_json::Map<String, Value>>(&json)
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(keys.len(), 18);
        let order = [
            "\"sub\"",
            "\"project_id\"",
            "\"branch_id\"",
            "\"refresh_token_id\"",
            "\"role\"",
            "\"name\"",
            "\"email\"",
            "\"email_verified\"",
            "\"selected_team_id\"",
            "\"signed_up_at\"",
            "\"is_anonymous\"",
            "\"is_restricted\"",
            "\"restricted_reason\"",
            "\"requires_totp_mfa\"",
            "\"iss\"",
            "\"iat\"",
            "\"aud\"",
            "\"exp\"",
        ];
        let positions: Vec<usize> = order.iter().map(|k| json.find(k).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{json}");
        assert!(json.contains("\"signed_up_at\":1767139200,"));
    }

    #[test]
    fn legacy_anonymous_parses_back_with_the_server_defaults() {
        let u = UserSpec::anonymous().build(true, 0).unwrap();
        let mut c = payload(&u, &parts());
        to_legacy(&mut c);
        let json = c.to_json();
        assert!(json.contains("\"role\":\"anon\"") && json.contains("\"branchId\":\"main\""));
        assert!(!json.contains("is_anonymous") && !json.contains("restricted_reason"));
        let parsed = AccessTokenClaims::from_json_slice(json.as_bytes()).unwrap();
        assert_eq!(parsed.user_type(), UserType::Anonymous);
        parsed.check_consistency().unwrap();
    }
}
