//! [`ServerUser`]: the user profile `GET /api/v1/users/me` returns with server access (PROTOCOL §3.4).

use std::collections::BTreeMap;

use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::{RawJson, RawJsonError, RestrictedReason, RestrictedReasonObject, UserType};

mod de;
mod debug;

/// The complete server-side user object, as Stack Auth's users/me returns it to a server.
///
/// Every documented field is typed; fields a later server version adds are kept in
/// [`ServerUser::extra`]. Missing fields take their empty value (`false`, `None`, `0`), so a
/// field Stack Auth drops does not break verification.
///
/// The metadata fields and unknown fields are kept as [`RawJson`], unparsed: users write their
/// own `client_metadata`, with no depth or size limit, and a profile must read however they
/// nest it. Parse them on demand with [`client_metadata_as`](Self::client_metadata_as) (and its
/// siblings) or [`RawJson::to_value`]; too deep a value is then a typed error for that caller
/// alone. Deserializing keeps the text of those fields, so it needs serde_json (or a
/// `serde_json::Value`) as the format.
///
/// `Debug` shows whether `server_metadata`, `restricted_by_admin_private_details` and the other
/// free-form fields are set, never their content (Stack Auth's docs suggest keeping secrets in
/// `server_metadata`).
#[derive(Clone, Default, PartialEq, Serialize)]
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
    /// Metadata readable and writable by the client (the user writes it: any depth, any size).
    pub client_metadata: Option<RawJson>,
    /// Metadata readable by the client, writable by the server.
    pub client_read_only_metadata: Option<RawJson>,
    /// Metadata only the server sees (where Stack Auth suggests keeping secrets).
    pub server_metadata: Option<RawJson>,
    /// Last activity, Unix milliseconds.
    pub last_active_at_millis: i64,
    /// Whether the user is anonymous.
    pub is_anonymous: bool,
    /// Whether the user is restricted.
    pub is_restricted: bool,
    /// Why the user is restricted; present iff restricted.
    #[serde(serialize_with = "serialize_reason")]
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
    pub extra: BTreeMap<String, RawJson>,
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

    /// `client_metadata` parsed as `T` (`None` when unset or `null`).
    ///
    /// # Errors
    ///
    /// [`RawJsonError::Mismatch`] when it does not have `T`'s shape,
    /// [`RawJsonError::TooDeep`] when the levels `T` reads nest too deeply.
    pub fn client_metadata_as<T: DeserializeOwned>(&self) -> Result<Option<T>, RawJsonError> {
        parse_set(self.client_metadata.as_ref())
    }

    /// `client_read_only_metadata` parsed as `T` (`None` when unset or `null`).
    ///
    /// # Errors
    ///
    /// As [`client_metadata_as`](Self::client_metadata_as).
    pub fn client_read_only_metadata_as<T: DeserializeOwned>(
        &self,
    ) -> Result<Option<T>, RawJsonError> {
        parse_set(self.client_read_only_metadata.as_ref())
    }

    /// `server_metadata` parsed as `T` (`None` when unset or `null`).
    ///
    /// # Errors
    ///
    /// As [`client_metadata_as`](Self::client_metadata_as).
    pub fn server_metadata_as<T: DeserializeOwned>(&self) -> Result<Option<T>, RawJsonError> {
        parse_set(self.server_metadata.as_ref())
    }
}

/// `raw` parsed as `T`, `None` when absent or `null`.
fn parse_set<T: DeserializeOwned>(raw: Option<&RawJson>) -> Result<Option<T>, RawJsonError> {
    raw.filter(|r| !r.is_null()).map(RawJson::parse).transpose()
}

/// The selected team, server view (`teamsCrudServerReadSchema`). Its metadata and unknown
/// fields are [`RawJson`], like [`ServerUser`]'s, and `Debug` does not show them.
#[derive(Clone, Default, PartialEq, Serialize)]
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
    pub client_metadata: Option<RawJson>,
    /// Client read-only metadata.
    pub client_read_only_metadata: Option<RawJson>,
    /// Server metadata.
    pub server_metadata: Option<RawJson>,
    /// Fields this SDK does not know.
    #[serde(flatten)]
    pub extra: BTreeMap<String, RawJson>,
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

fn serialize_reason<S: serde::Serializer>(
    r: &Option<RestrictedReason>,
    s: S,
) -> Result<S::Ok, S::Error> {
    r.map(|kind| RestrictedReasonObject { kind }).serialize(s)
}
