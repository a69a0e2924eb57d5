//! The token's payload, deserialized once, straight into the typed claims, and the user they
//! make.

use std::sync::Arc;

use serde_json::Value;
use stack_auth_core::{AccessTokenClaims, Refusal, RefusalReason, VerifiedUser};

/// A payload known to be JSON. It is read before the key lookup (a payload that is not JSON is
/// refused as `malformed` first, as before); whether it holds valid claims is told only after
/// the signature holds, by [`Payload::into_claims`].
#[derive(Debug)]
pub(crate) enum Payload {
    /// Every claim, read in one pass from the bytes (no intermediate [`Value`]), in the one
    /// allocation the verified user and the token cache then share: every token Stack Auth
    /// issues.
    Claims(Arc<AccessTokenClaims>),
    /// A JSON object that does not deserialize as claims as it stands (a claim missing or of
    /// the wrong type, a name given twice), kept for
    /// [`AccessTokenClaims::from_json_value`] to tell which refusal it is, or to accept it (a
    /// repeated name, the last one winning, as always).
    Unusual(Value),
}

impl Payload {
    /// Reads a decoded payload.
    ///
    /// # Errors
    ///
    /// `malformed` when it is not JSON or not a JSON object (the shared rule of
    /// `stack_auth_core::jws`).
    pub(crate) fn parse(json: &[u8]) -> Result<Payload, Refusal> {
        if let Ok(claims) = serde_json::from_slice(json) {
            return Ok(Payload::Claims(Arc::new(claims)));
        }
        match serde_json::from_slice(json) {
            Ok(value @ Value::Object(_)) => Ok(Payload::Unusual(value)),
            // The shared rule (`stack_auth_core::jws`): refused before the key lookup.
            Ok(_) => Err(malformed("payload is not a JSON object")),
            Err(_) => Err(malformed("payload is not JSON")),
        }
    }

    /// The claims, with exactly the answers of [`AccessTokenClaims::from_json_slice`].
    ///
    /// # Errors
    ///
    /// The refusal [`AccessTokenClaims::from_json_value`] gives (`wrong_audience`,
    /// `wrong_issuer` or `malformed`).
    pub(crate) fn into_claims(self) -> Result<Arc<AccessTokenClaims>, Refusal> {
        match self {
            Payload::Claims(claims) => Ok(claims),
            Payload::Unusual(value) => AccessTokenClaims::from_json_value(value).map(Arc::new),
        }
    }
}

fn malformed(detail: &'static str) -> Refusal {
    Refusal::new(RefusalReason::Malformed).with_detail(detail)
}

/// The user verified `claims` describe, sharing them: what
/// [`VerifiedUser::from_claims`] gives, without copying the claims.
pub(crate) fn verified_user(claims: Arc<AccessTokenClaims>) -> VerifiedUser {
    VerifiedUser::new(
        claims.sub.as_str(),
        claims.project_id.as_str(),
        claims.user_type(),
        claims.restricted_reason,
    )
    .with_shared_claims(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A payload as Stack Auth issues it, field by field.
    const FIELDS: &[(&str, &str)] = &[
        ("sub", r#""cd582a99-d579-43d9-ab8e-58b46f20adbb""#),
        ("project_id", r#""3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e""#),
        ("branch_id", r#""main""#),
        (
            "refresh_token_id",
            r#""a30a7ca2-e805-4c3c-9ed7-36ab4b0700c5""#,
        ),
        ("role", r#""authenticated""#),
        ("name", r#""Ada Lovelace""#),
        ("email", r#""ada@example.com""#),
        ("email_verified", "true"),
        ("selected_team_id", "null"),
        ("signed_up_at", "1767139200"),
        ("is_anonymous", "false"),
        ("is_restricted", "false"),
        ("restricted_reason", "null"),
        ("requires_totp_mfa", "false"),
        ("iss", r#""https://api.stack-auth.com/api/v1/projects/p""#),
        ("iat", "1767225600"),
        ("aud", r#""3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e""#),
        ("exp", "4102444800"),
    ];

    fn object(fields: &[(&str, &str)]) -> String {
        let members: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!(r#""{k}":{v}"#))
            .collect();
        format!("{{{}}}", members.join(","))
    }

    /// The one-pass reading gives what parsing to a `Value` and converting gave, refusal
    /// reason and detail included.
    fn assert_same(json: &str) {
        let once = Payload::parse(json.as_bytes()).and_then(Payload::into_claims);
        let before = AccessTokenClaims::from_json_slice(json.as_bytes());
        assert_eq!(once, before.map(Arc::new), "{json}");
    }

    #[test]
    fn a_stack_auth_payload_is_read_in_one_pass() {
        let json = object(FIELDS);
        let payload = Payload::parse(json.as_bytes()).unwrap();
        assert!(matches!(payload, Payload::Claims(_)), "{payload:?}");
        assert_same(&json);
    }

    #[test]
    fn every_claim_missing_mistyped_or_repeated_gets_the_same_answer() {
        let variants = ["null", "1", "-1", "1.5", r#""x""#, "true", "[]", "{}"];
        for (i, (name, value)) in FIELDS.iter().enumerate() {
            let without: Vec<_> = FIELDS.iter().copied().filter(|(k, _)| k != name).collect();
            assert_same(&object(&without));
            for variant in variants {
                let mut changed = FIELDS.to_vec();
                changed[i] = (name, variant);
                assert_same(&object(&changed));
                // Repeated: before and after the real value (the last one wins).
                let mut repeated = FIELDS.to_vec();
                repeated.insert(i, (name, variant));
                assert_same(&object(&repeated));
                repeated.push((name, value));
                assert_same(&object(&repeated));
            }
        }
    }

    #[test]
    fn the_user_is_the_one_the_claims_make() {
        let claims = AccessTokenClaims::from_json_slice(object(FIELDS).as_bytes()).unwrap();
        let shared = verified_user(Arc::new(claims.clone()));
        assert_eq!(shared, VerifiedUser::from_claims(claims));
        let restricted = FIELDS
            .iter()
            .map(|&(k, v)| match k {
                "is_restricted" => (k, "true"),
                "restricted_reason" => (k, r#"{"type":"email_not_verified"}"#),
                "aud" => (k, r#""p:restricted""#),
                _ => (k, v),
            })
            .collect::<Vec<_>>();
        let claims = AccessTokenClaims::from_json_slice(object(&restricted).as_bytes()).unwrap();
        let shared = verified_user(Arc::new(claims.clone()));
        assert_eq!(shared.user_type(), stack_auth_core::UserType::Restricted);
        assert_eq!(shared, VerifiedUser::from_claims(claims));
    }

    #[test]
    fn other_objects_get_the_same_answer_and_anything_else_is_refused_first() {
        let legacy = object(&[
            ("sub", r#""u""#),
            ("project_id", r#""p""#),
            ("branchId", r#""main""#),
            ("role", r#""anon""#),
            ("iss", r#""i""#),
            ("aud", r#""p:anon""#),
            ("exp", "1"),
            ("extra", r#"{"nested":[1,2]}"#),
        ]);
        for json in [legacy.as_str(), "{}", r#"{"aud":"a","iss":"i"}"#] {
            assert_same(json);
        }
        // The shared rule of `stack_auth_core::jws`: JSON that is not an object is refused as
        // malformed before the key lookup, as the composite's screen and REST's shape check do.
        for not_an_object in ["[]", "null", "1", r#""text""#] {
            let err = Payload::parse(not_an_object.as_bytes()).unwrap_err();
            assert_eq!(err.reason(), RefusalReason::Malformed, "{not_an_object}");
            assert_eq!(err.detail(), Some("payload is not a JSON object"));
        }
        for not_json in ["", "{", "{}x", r#"{"sub":}"#, "\u{feff}{}"] {
            let err = Payload::parse(not_json.as_bytes()).unwrap_err();
            assert_eq!(err.reason(), RefusalReason::Malformed, "{not_json}");
            assert_same(not_json);
        }
    }
}
