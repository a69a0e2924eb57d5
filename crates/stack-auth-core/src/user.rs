//! [`VerifiedUser`]: the one result every strategy returns.

use std::{borrow::Cow, fmt, sync::Arc};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::{AccessTokenClaims, RestrictedReason, ServerUser, UserType, VerifyError};

/// Whether a [`VerifiedUser`] carries the server profile, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProfileStatus {
    /// The profile is included.
    Present,
    /// The strategy does not fetch profiles (e.g. JWKS only).
    NotRequested,
    /// Not fetched yet; [`VerifiedUser::load_profile`] fetches it on demand.
    Deferred,
    /// The strategy tried and the API was unavailable (best-effort mode); claims only.
    Unavailable,
}

/// Fetches a user's server profile later, on demand (the composite verifier's claims-only mode).
///
/// Implementations hold whatever they need (usually the token); their `Debug` must not show it.
#[async_trait]
pub trait ProfileLoader: Send + Sync + fmt::Debug {
    /// Fetches the profile.
    ///
    /// # Errors
    ///
    /// The same [`VerifyError`]s a verification can give.
    async fn load(&self) -> Result<ServerUser, VerifyError>;
}

/// Who a verified token belongs to, and everything the strategy learned about them.
///
/// It always has the user id, project id and user type. It has the verified access-token
/// [`claims`](VerifiedUser::claims) when the JWT was checked locally, and the server
/// [`profile`](VerifiedUser::profile) when Stack Auth's API was asked. Accessors such as
/// [`email`](VerifiedUser::email) answer from the profile when present (it is current), else from
/// the claims.
///
/// ```
/// use stack_auth_core::{ServerUser, UserType, VerifiedUser};
///
/// let mut profile = ServerUser::new("user-1");
/// profile.primary_email = Some("ada@example.com".into());
/// let user = VerifiedUser::from_profile("project-1", profile);
/// assert_eq!(user.user_id(), "user-1");
/// assert_eq!(user.user_type(), UserType::Normal);
/// assert_eq!(user.email(), Some("ada@example.com"));
/// assert!(user.claims().is_none());
/// ```
///
/// Cloning is cheap: the claims and profile are shared (`Arc`), so caches can hand out copies.
///
/// It serializes (to log or return what was verified), but does not deserialize: a verified
/// user comes from a verifier, never from JSON someone sent.
///
/// ```compile_fail
/// let user: stack_auth_core::VerifiedUser = serde_json::from_str("{}").unwrap();
/// ```
#[derive(Clone, Serialize)]
pub struct VerifiedUser {
    user_id: String,
    project_id: String,
    user_type: UserType,
    restricted_reason: Option<RestrictedReason>,
    claims: Option<Arc<AccessTokenClaims>>,
    profile: Option<Arc<ServerUser>>,
    profile_status: ProfileStatus,
    #[serde(skip)]
    loader: Option<Arc<dyn ProfileLoader>>,
}

impl VerifiedUser {
    /// A user with only the essentials, for custom verifiers and tests.
    pub fn new(
        user_id: impl Into<String>,
        project_id: impl Into<String>,
        user_type: UserType,
        restricted_reason: Option<RestrictedReason>,
    ) -> Self {
        VerifiedUser {
            user_id: user_id.into(),
            project_id: project_id.into(),
            user_type,
            restricted_reason,
            claims: None,
            profile: None,
            profile_status: ProfileStatus::NotRequested,
            loader: None,
        }
    }

    /// A user known from verified access-token claims.
    pub fn from_claims(claims: AccessTokenClaims) -> Self {
        let mut user = VerifiedUser::new(
            claims.sub.clone(),
            claims.project_id.clone(),
            claims.user_type(),
            claims.restricted_reason,
        );
        user.claims = Some(Arc::new(claims));
        user
    }

    /// A user known from the server profile of `project_id`.
    pub fn from_profile(project_id: impl Into<String>, profile: ServerUser) -> Self {
        let mut user = VerifiedUser::new(
            profile.id.clone(),
            project_id,
            profile.user_type(),
            profile.restricted_reason,
        );
        user.profile = Some(Arc::new(profile));
        user.profile_status = ProfileStatus::Present;
        user
    }

    /// Adds verified claims (the user id, project and type stay as they are).
    #[must_use]
    pub fn with_claims(self, claims: AccessTokenClaims) -> Self {
        self.with_shared_claims(Arc::new(claims))
    }

    /// Adds the server profile; its user type and restriction take precedence (they are current).
    #[must_use]
    pub fn with_profile(self, profile: ServerUser) -> Self {
        self.with_shared_profile(Arc::new(profile))
    }

    /// Adds verified claims already shared elsewhere (no deep copy).
    #[must_use]
    pub fn with_shared_claims(mut self, claims: Arc<AccessTokenClaims>) -> Self {
        self.claims = Some(claims);
        self
    }

    /// Adds a server profile already shared elsewhere (no deep copy); see
    /// [`VerifiedUser::with_profile`].
    #[must_use]
    pub fn with_shared_profile(mut self, profile: Arc<ServerUser>) -> Self {
        self.user_type = profile.user_type();
        self.restricted_reason = profile.restricted_reason;
        self.profile = Some(profile);
        self.profile_status = ProfileStatus::Present;
        self.loader = None;
        self
    }

    /// Marks the profile as unavailable (best-effort mode when the API could not answer).
    #[must_use]
    pub fn with_profile_unavailable(mut self) -> Self {
        self.profile_status = ProfileStatus::Unavailable;
        self
    }

    /// Attaches a loader that fetches the profile on demand ([`ProfileStatus::Deferred`]).
    #[must_use]
    pub fn with_profile_loader(mut self, loader: Arc<dyn ProfileLoader>) -> Self {
        self.loader = Some(loader);
        self.profile_status = ProfileStatus::Deferred;
        self
    }

    /// The user id (`sub`).
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// The project the token belongs to.
    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    /// Normal, restricted or anonymous.
    pub fn user_type(&self) -> UserType {
        self.user_type
    }

    /// Why the user is restricted, when restricted (anonymous users: [`RestrictedReason::Anonymous`]).
    pub fn restricted_reason(&self) -> Option<RestrictedReason> {
        self.restricted_reason
    }

    /// Whether the user is anonymous.
    pub fn is_anonymous(&self) -> bool {
        self.user_type == UserType::Anonymous
    }

    /// Whether the user is restricted (anonymous users are).
    pub fn is_restricted(&self) -> bool {
        self.user_type != UserType::Normal
    }

    /// The verified access-token claims, when the strategy checked the JWT.
    pub fn claims(&self) -> Option<&AccessTokenClaims> {
        self.claims.as_deref()
    }

    /// The server profile, when the strategy asked the API.
    pub fn profile(&self) -> Option<&ServerUser> {
        self.profile.as_deref()
    }

    /// The claims as a shared handle, to pass on without copying.
    pub fn shared_claims(&self) -> Option<&Arc<AccessTokenClaims>> {
        self.claims.as_ref()
    }

    /// The profile as a shared handle, to pass on without copying.
    pub fn shared_profile(&self) -> Option<&Arc<ServerUser>> {
        self.profile.as_ref()
    }

    /// Whether the profile is here, deferred, not requested or unavailable.
    pub fn profile_status(&self) -> ProfileStatus {
        self.profile_status
    }

    /// The profile: the one included, or fetched now through the attached loader.
    ///
    /// # Errors
    ///
    /// The loader's [`VerifyError`]; a [`MisconfigKind::UnexpectedError`](crate::MisconfigKind)
    /// misconfiguration when there is neither a profile nor a loader.
    pub async fn load_profile(&self) -> Result<Cow<'_, ServerUser>, VerifyError> {
        if let Some(p) = &self.profile {
            return Ok(Cow::Borrowed(&**p));
        }
        match &self.loader {
            Some(loader) => loader.load().await.map(Cow::Owned),
            None => Err(
                crate::Misconfiguration::new(crate::MisconfigKind::UnexpectedError)
                    .with_detail("this verifier does not provide profiles")
                    .into(),
            ),
        }
    }

    /// The primary email.
    pub fn email(&self) -> Option<&str> {
        match (&self.profile, &self.claims) {
            (Some(p), _) => p.primary_email.as_deref(),
            (None, Some(c)) => c.email.as_deref(),
            (None, None) => None,
        }
    }

    /// Whether the primary email is verified (false when unknown).
    pub fn email_verified(&self) -> bool {
        match (&self.profile, &self.claims) {
            (Some(p), _) => p.primary_email_verified,
            (None, Some(c)) => c.email_verified,
            (None, None) => false,
        }
    }

    /// The display name.
    pub fn display_name(&self) -> Option<&str> {
        match (&self.profile, &self.claims) {
            (Some(p), _) => p.display_name.as_deref(),
            (None, Some(c)) => c.name.as_deref(),
            (None, None) => None,
        }
    }

    /// The selected team's id.
    pub fn selected_team_id(&self) -> Option<&str> {
        match (&self.profile, &self.claims) {
            (Some(p), _) => p.selected_team_id.as_deref(),
            (None, Some(c)) => c.selected_team_id.as_deref(),
            (None, None) => None,
        }
    }

    /// Sign-up time in Unix seconds.
    pub fn signed_up_at(&self) -> Option<i64> {
        match (&self.profile, &self.claims) {
            (Some(p), _) => Some(p.signed_up_at_millis.div_euclid(1000)),
            (None, Some(c)) => c.signed_up_at,
            (None, None) => None,
        }
    }

    /// The token's expiry in Unix seconds, when the claims are known.
    pub fn expires_at(&self) -> Option<i64> {
        self.claims.as_ref().map(|c| c.exp)
    }

    /// The session (refresh token) id, when the claims are known.
    pub fn session_id(&self) -> Option<&str> {
        self.claims
            .as_ref()
            .and_then(|c| c.refresh_token_id.as_deref())
    }
}

impl fmt::Debug for VerifiedUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedUser")
            .field("user_id", &self.user_id)
            .field("project_id", &self.project_id)
            .field("user_type", &self.user_type)
            .field("restricted_reason", &self.restricted_reason)
            .field("claims", &self.claims)
            .field("profile", &self.profile)
            .field("profile_status", &self.profile_status)
            .finish_non_exhaustive()
    }
}

impl PartialEq for VerifiedUser {
    /// Equal when everything but the on-demand loader is equal.
    fn eq(&self, other: &Self) -> bool {
        self.user_id == other.user_id
            && self.project_id == other.project_id
            && self.user_type == other.user_type
            && self.restricted_reason == other.restricted_reason
            && self.claims == other.claims
            && self.profile == other.profile
            && self.profile_status == other.profile_status
    }
}
