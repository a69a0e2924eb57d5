//! [`ServerUser`]: the user profile `GET /api/v1/users/me` returns with server access (PROTOCOL §3.4).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{RestrictedReason, RestrictedReasonObject, UserType};

/// The complete server-side user object, as Stack Auth's users/me returns it to a server.
///
/// Every documented field is typed; fields a later server version adds are kept in
/// [`ServerUser::extra`]. Missing fields take their empty value (`false`, `None`, `0`), so a
/// field Stack Auth drops does not break verification.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ServerUser {
    /// The user id.
    pub id: String,
    /// The primary email.
    pub primary_email: Option<String>,
    /// Whether the primary email is verified.
    pub primary_email_verified: bool,
    /// Whether the primary email can be used to sign in.
    pub primary_email_auth_enabled: bool,
    /// The display name (an empty name is sent as `null`).
    pub display_name: Option<String>,
    /// The selected team, in full.
    pub selected_team: Option<ServerTeam>,
    /// The selected team's id.
    pub selected_team_id: Option<String>,
    /// The profile image URL (may be a `data:` URL).
    pub profile_image_url: Option<String>,
    /// Sign-up time, Unix milliseconds.
    pub signed_up_at_millis: i64,
    /// Whether the user has a password.
    pub has_password: bool,
    /// Whether magic-link / OTP sign-in is enabled.
    pub otp_auth_enabled: bool,
    /// Whether passkey sign-in is enabled.
    pub passkey_auth_enabled: bool,
    /// Metadata readable and writable by the client.
    pub client_metadata: Option<Value>,
    /// Metadata readable by the client, writable by the server.
    pub client_read_only_metadata: Option<Value>,
    /// Metadata only the server sees.
    pub server_metadata: Option<Value>,
    /// Last activity, Unix milliseconds.
    pub last_active_at_millis: i64,
    /// Whether the user is anonymous.
    pub is_anonymous: bool,
    /// Whether the user is restricted.
    pub is_restricted: bool,
    /// Why the user is restricted; present iff restricted.
    #[serde(with = "reason_object")]
    pub restricted_reason: Option<RestrictedReason>,
    /// Whether an administrator restricted the user.
    pub restricted_by_admin: bool,
    /// The reason shown to the user, when restricted by an administrator.
    pub restricted_by_admin_reason: Option<String>,
    /// Private notes of the administrator (server only).
    pub restricted_by_admin_private_details: Option<String>,
    /// ISO 3166-1 alpha-2 country of sign-up, best effort.
    pub country_code: Option<String>,
    /// Risk scores computed at sign-up.
    pub risk_scores: RiskScores,
    /// Connected OAuth accounts.
    pub oauth_providers: Vec<OAuthProvider>,
    /// Deprecated: `has_password || otp_auth_enabled`.
    pub auth_with_email: bool,
    /// Deprecated.
    pub requires_totp_mfa: bool,
    /// Fields this SDK does not know, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ServerUser {
    /// A profile with only an id set; fill the public fields as needed (for tests and doubles).
    pub fn new(id: impl Into<String>) -> Self {
        ServerUser {
            id: id.into(),
            ..ServerUser::default()
        }
    }

    /// The user type the profile's flags say.
    pub fn user_type(&self) -> UserType {
        UserType::from_flags(self.is_anonymous, self.is_restricted)
    }
}

/// The selected team, server view (`teamsCrudServerReadSchema`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ServerTeam {
    /// The team id.
    pub id: String,
    /// The team's display name.
    pub display_name: String,
    /// The team's image.
    pub profile_image_url: Option<String>,
    /// Creation time, Unix milliseconds.
    pub created_at_millis: i64,
    /// Client metadata.
    pub client_metadata: Option<Value>,
    /// Client read-only metadata.
    pub client_read_only_metadata: Option<Value>,
    /// Server metadata.
    pub server_metadata: Option<Value>,
    /// Fields this SDK does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ServerTeam {
    /// A team with only an id and name set.
    pub fn new(id: impl Into<String>, display_name: impl Into<String>) -> Self {
        ServerTeam {
            id: id.into(),
            display_name: display_name.into(),
            ..ServerTeam::default()
        }
    }
}

/// Sign-up risk scores.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct RiskScores {
    /// Scores computed at sign-up.
    pub sign_up: SignUpRiskScores,
}

/// Risk scores computed at sign-up, each 0..=100.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SignUpRiskScores {
    /// Likelihood the sign-up is a bot.
    pub bot: u8,
    /// Likelihood of free-trial abuse.
    pub free_trial_abuse: u8,
}

/// A connected OAuth account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct OAuthProvider {
    /// The provider config id, e.g. `github`.
    pub id: String,
    /// The account id at the provider.
    pub account_id: String,
    /// The email the provider gave, if any.
    pub email: Option<String>,
}

impl OAuthProvider {
    /// A provider entry.
    pub fn new(
        id: impl Into<String>,
        account_id: impl Into<String>,
        email: Option<String>,
    ) -> Self {
        OAuthProvider {
            id: id.into(),
            account_id: account_id.into(),
            email,
        }
    }
}

mod reason_object {
    use super::*;
    use serde::{Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(
        r: &Option<RestrictedReason>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        r.map(|kind| RestrictedReasonObject { kind }).serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<RestrictedReason>, D::Error> {
        Ok(Option::<RestrictedReasonObject>::deserialize(d)?.map(|o| o.kind))
    }
}
