//! [`AccessTokenClaims`]: the typed payload of a Stack Auth access token (PROTOCOL §1.3).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::{Refusal, RefusalReason, RestrictedReason, RestrictedReasonObject, UserType};

/// The only branch Stack Auth currently supports (PROTOCOL §1.8).
pub const MAIN_BRANCH: &str = "main";

/// The claims of a Stack Auth access token, typed.
///
/// Deserializing accepts the current snake_case names and the camelCase names of tokens minted
/// before 2025-09-14 (`branchId`, `refreshTokenId`, `displayName`, `primaryEmail`,
/// `primaryEmailVerified`, `selectedTeamId`, `role: "anon"`), and applies the server's defaults
/// for tokens older than the restricted-user flags (PROTOCOL §1.6). Claims this SDK does not know
/// are kept in [`AccessTokenClaims::extra`]. Serializing writes the current names.
///
/// Parsing does not verify anything: use a [`TokenVerifier`](crate::TokenVerifier).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawClaims")]
#[non_exhaustive]
pub struct AccessTokenClaims {
    /// The user id.
    pub sub: String,
    /// The project id.
    pub project_id: String,
    /// The tenancy branch; always `main` today.
    pub branch_id: String,
    /// The session (refresh token) the access token was minted from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token_id: Option<String>,
    /// Always `authenticated` for current tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The user's display name.
    pub name: Option<String>,
    /// The user's primary email.
    pub email: Option<String>,
    /// Whether the primary email is verified.
    pub email_verified: bool,
    /// The user's selected team.
    pub selected_team_id: Option<String>,
    /// Sign-up time, Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_up_at: Option<i64>,
    /// Whether the user is anonymous.
    pub is_anonymous: bool,
    /// Whether the user is restricted (anonymous users always are).
    pub is_restricted: bool,
    /// Why the user is restricted; present iff restricted.
    #[serde(serialize_with = "ser_reason")]
    pub restricted_reason: Option<RestrictedReason>,
    /// Deprecated user flag, still emitted.
    pub requires_totp_mfa: bool,
    /// The issuer.
    pub iss: String,
    /// Issued-at, Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// The audience: the project id, with `:restricted` or `:anon` for those user types.
    pub aud: String,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// Claims this SDK does not know, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AccessTokenClaims {
    /// Parses a decoded JWT payload, telling apart the failures a verifier must distinguish:
    /// a non-string `aud` is [`RefusalReason::WrongAudience`], a non-string `iss`
    /// [`RefusalReason::WrongIssuer`], anything else that does not fit
    /// [`RefusalReason::Malformed`]. It does not check consistency; see
    /// [`AccessTokenClaims::check_consistency`].
    ///
    /// # Errors
    ///
    /// A [`Refusal`] with the reasons above.
    pub fn from_json_slice(payload: &[u8]) -> Result<Self, Refusal> {
        let value: Value = serde_json::from_slice(payload).map_err(|_| {
            Refusal::new(RefusalReason::Malformed).with_detail("payload is not JSON")
        })?;
        Self::from_json_value(value)
    }

    /// Like [`AccessTokenClaims::from_json_slice`], for an already parsed payload.
    ///
    /// # Errors
    ///
    /// A [`Refusal`]: [`RefusalReason::WrongAudience`], [`RefusalReason::WrongIssuer`] or
    /// [`RefusalReason::Malformed`].
    pub fn from_json_value(value: Value) -> Result<Self, Refusal> {
        let Value::Object(map) = &value else {
            return Err(
                Refusal::new(RefusalReason::Malformed).with_detail("payload is not an object")
            );
        };
        match map.get("aud") {
            Some(Value::String(_)) => {}
            Some(_) => {
                return Err(
                    Refusal::new(RefusalReason::WrongAudience).with_detail("aud is not a string")
                )
            }
            None => {
                return Err(Refusal::new(RefusalReason::WrongAudience).with_detail("aud is missing"))
            }
        }
        match map.get("iss") {
            Some(Value::String(_)) => {}
            _ => {
                return Err(Refusal::new(RefusalReason::WrongIssuer)
                    .with_detail("iss is missing or not a string"))
            }
        }
        serde_json::from_value(value).map_err(|e| {
            Refusal::new(RefusalReason::Malformed).with_detail(schema_error_detail(&e))
        })
    }

    /// The user type the claims say: anonymous, else restricted, else normal.
    pub fn user_type(&self) -> UserType {
        UserType::from_flags(self.is_anonymous, self.is_restricted)
    }

    /// The user type the audience suffix says (`:anon`, `:restricted`, none).
    pub fn audience_user_type(&self) -> UserType {
        if self.aud.ends_with(":anon") {
            UserType::Anonymous
        } else if self.aud.ends_with(":restricted") {
            UserType::Restricted
        } else {
            UserType::Normal
        }
    }

    /// Checks the invariants the server asserts (PROTOCOL §1.8): anonymous implies restricted,
    /// restricted iff a reason is given, an anonymous reason iff anonymous, the audience suffix
    /// matches the user type, the branch is `main`; and that `project_id` is the project `aud`
    /// names.
    ///
    /// A `project_id` that disagrees with `aud` is `inconsistent_claims` (not `wrong_project`):
    /// the server takes the project from `aud` (and chooses the verification key by it), so such
    /// a token contradicts itself; `wrong_project` is for a token whose audience names another
    /// project.
    ///
    /// # Errors
    ///
    /// A [`RefusalReason::InconsistentClaims`] refusal naming the broken rule.
    pub fn check_consistency(&self) -> Result<(), Refusal> {
        let fail = |why: &'static str| {
            Err(Refusal::new(RefusalReason::InconsistentClaims).with_detail(why))
        };
        if self.is_anonymous && !self.is_restricted {
            return fail("anonymous user is not marked restricted");
        }
        if self.is_restricted != self.restricted_reason.is_some() {
            return fail("is_restricted disagrees with restricted_reason");
        }
        if self.is_anonymous != (self.restricted_reason == Some(RestrictedReason::Anonymous)) {
            return fail("restricted_reason anonymous disagrees with is_anonymous");
        }
        if self.audience_user_type() != self.user_type() {
            return fail("audience suffix does not match the user type");
        }
        if self.branch_id != MAIN_BRANCH {
            return fail("branch_id is not main");
        }
        if self.aud.split(':').next() != Some(self.project_id.as_str()) {
            return fail("project_id disagrees with aud");
        }
        Ok(())
    }
}

/// A detail for a claims schema error that never repeats a claim's value: serde's message
/// quotes the offending value, which comes from an unverified token.
fn schema_error_detail(e: &serde_json::Error) -> String {
    let message = e.to_string();
    match message.strip_prefix("missing field `") {
        Some(rest) => match rest.split_once('`') {
            Some((field, _)) if field.len() <= 32 => format!("claim `{field}` is missing"),
            _ => "a required claim is missing".to_owned(),
        },
        None => "a claim has the wrong type".to_owned(),
    }
}

fn ser_reason<S: Serializer>(r: &Option<RestrictedReason>, s: S) -> Result<S::Ok, S::Error> {
    r.map(|kind| RestrictedReasonObject { kind }).serialize(s)
}

/// Distinguishes an absent field (`None`) from an explicit `null` (`Some(None)`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

#[derive(Deserialize)]
struct RawClaims {
    sub: String,
    project_id: String,
    #[serde(alias = "branchId")]
    branch_id: String,
    #[serde(default, alias = "refreshTokenId")]
    refresh_token_id: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default, alias = "displayName")]
    name: Option<String>,
    #[serde(default, alias = "primaryEmail")]
    email: Option<String>,
    #[serde(default, alias = "primaryEmailVerified")]
    email_verified: bool,
    #[serde(default, alias = "selectedTeamId")]
    selected_team_id: Option<String>,
    #[serde(default)]
    signed_up_at: Option<i64>,
    #[serde(default)]
    is_anonymous: Option<bool>,
    #[serde(default)]
    is_restricted: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    restricted_reason: Option<Option<RestrictedReasonObject>>,
    #[serde(default)]
    requires_totp_mfa: bool,
    iss: String,
    #[serde(default)]
    iat: Option<i64>,
    aud: String,
    exp: i64,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

impl From<RawClaims> for AccessTokenClaims {
    fn from(r: RawClaims) -> Self {
        let is_anonymous = r.is_anonymous.unwrap_or(r.role.as_deref() == Some("anon"));
        let is_restricted = r.is_restricted.unwrap_or(is_anonymous);
        let restricted_reason = match r.restricted_reason {
            Some(reason) => reason.map(|o| o.kind),
            None => is_anonymous.then_some(RestrictedReason::Anonymous),
        };
        AccessTokenClaims {
            sub: r.sub,
            project_id: r.project_id,
            branch_id: r.branch_id,
            refresh_token_id: r.refresh_token_id,
            role: r.role,
            name: r.name,
            email: r.email,
            email_verified: r.email_verified,
            selected_team_id: r.selected_team_id,
            signed_up_at: r.signed_up_at,
            is_anonymous,
            is_restricted,
            restricted_reason,
            requires_totp_mfa: r.requires_totp_mfa,
            iss: r.iss,
            iat: r.iat,
            aud: r.aud,
            exp: r.exp,
            extra: r.extra,
        }
    }
}
