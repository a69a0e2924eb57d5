//! [`VerifiedApiKey`]: what an API key verifier found, and whose key it is ([`ApiKeyOwner`]).

use serde::Serialize;

use super::ApiKeyType;
use crate::VerifiedUser;

/// Whose key it is.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ApiKeyOwner {
    /// A user's key: the user, as users by id answers (PROTOCOL §10.2.6: check, then the user).
    User {
        /// The user.
        user: VerifiedUser,
    },
    /// A team's key: the team's id.
    #[non_exhaustive]
    Team {
        /// The team's id.
        team_id: String,
    },
}

impl ApiKeyOwner {
    /// A user's key.
    pub fn user(user: VerifiedUser) -> Self {
        ApiKeyOwner::User { user }
    }

    /// A team's key.
    pub fn team(team_id: impl Into<String>) -> Self {
        ApiKeyOwner::Team {
            team_id: team_id.into(),
        }
    }
}

/// An API key Stack Auth vouched for: its id, its owner, and what the key object says (PROTOCOL
/// §10.2.2). It never holds the key string.
///
/// ```
/// use stack_auth_core::{ApiKeyOwner, ApiKeyType, UserType, VerifiedApiKey, VerifiedUser};
///
/// let ada = VerifiedUser::new("3241a285-8329-4d69-8f3d-316e08cf140c", "p1", UserType::Normal, None);
/// let key = VerifiedApiKey::new("9a1f0c52-6a7e-4c1b-9d38-2f6b1e7c4d10", ApiKeyOwner::user(ada))
///     .with_description("CI key")
///     .with_expires_at_millis(Some(1_767_225_600_000));
/// assert_eq!(key.key_type(), ApiKeyType::User);
/// assert_eq!(key.user().map(|u| u.user_id()), Some("3241a285-8329-4d69-8f3d-316e08cf140c"));
/// assert_eq!(key.team_id(), None);
/// ```
#[derive(Debug, Clone, Serialize)]
pub struct VerifiedApiKey {
    key_id: String,
    owner: ApiKeyOwner,
    description: String,
    is_public: bool,
    created_at_millis: Option<i64>,
    expires_at_millis: Option<i64>,
    last_four: Option<String>,
}

impl VerifiedApiKey {
    /// The key with id `key_id` (the key object's `id`) of `owner`, nothing else known yet.
    pub fn new(key_id: impl Into<String>, owner: ApiKeyOwner) -> Self {
        VerifiedApiKey {
            key_id: key_id.into(),
            owner,
            description: String::new(),
            is_public: false,
            created_at_millis: None,
            expires_at_millis: None,
            last_four: None,
        }
    }

    /// Sets the description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Marks the key public (`pk_…`) or secret.
    #[must_use]
    pub fn with_public(mut self, is_public: bool) -> Self {
        self.is_public = is_public;
        self
    }

    /// Sets the creation time, Unix milliseconds.
    #[must_use]
    pub fn with_created_at_millis(mut self, millis: Option<i64>) -> Self {
        self.created_at_millis = millis;
        self
    }

    /// Sets the expiry, Unix milliseconds (`None`: never expires).
    #[must_use]
    pub fn with_expires_at_millis(mut self, millis: Option<i64>) -> Self {
        self.expires_at_millis = millis;
        self
    }

    /// Sets the last four characters of the key string (what the key object shows).
    #[must_use]
    pub fn with_last_four(mut self, last_four: impl Into<String>) -> Self {
        self.last_four = Some(last_four.into());
        self
    }

    /// The key's own id (not its owner's).
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Whose key it is.
    pub fn owner(&self) -> &ApiKeyOwner {
        &self.owner
    }

    /// A user or a team key.
    pub fn key_type(&self) -> ApiKeyType {
        match self.owner {
            ApiKeyOwner::User { .. } => ApiKeyType::User,
            ApiKeyOwner::Team { .. } => ApiKeyType::Team,
        }
    }

    /// The owning user, for a user key.
    pub fn user(&self) -> Option<&VerifiedUser> {
        match &self.owner {
            ApiKeyOwner::User { user } => Some(user),
            ApiKeyOwner::Team { .. } => None,
        }
    }

    /// The owning team's id, for a team key.
    pub fn team_id(&self) -> Option<&str> {
        match &self.owner {
            ApiKeyOwner::Team { team_id } => Some(team_id),
            ApiKeyOwner::User { .. } => None,
        }
    }

    /// The description (may be empty).
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Whether it is a public (`pk_…`) key.
    pub fn is_public(&self) -> bool {
        self.is_public
    }

    /// When it was created, Unix milliseconds, when known.
    pub fn created_at_millis(&self) -> Option<i64> {
        self.created_at_millis
    }

    /// When it expires, Unix milliseconds; `None` when it never does.
    pub fn expires_at_millis(&self) -> Option<i64> {
        self.expires_at_millis
    }

    /// The last four characters of the key string, when known.
    pub fn last_four(&self) -> Option<&str> {
        self.last_four.as_deref()
    }
}
