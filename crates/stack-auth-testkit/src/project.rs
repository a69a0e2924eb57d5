//! [`ProjectSpec`]: one project hosted by the stand-in.

use stack_auth_core::SecretServerKey;

use crate::ids::{random_secret_server_key, random_uuid};
use crate::{PermissionDefinition, WebhookSecret};

/// A project on the stand-in: its id, the secret server keys that are valid for it, whether it
/// requires verified emails (which makes unverified users restricted), its API key feature
/// flags, permission definitions and defaults, and its webhook endpoint.
///
/// ```
/// use stack_auth_testkit::{PermissionDefinition, ProjectSpec};
///
/// let spec = ProjectSpec::new("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e")
///     .secret_server_key("ssk_test_key")
///     .requires_verified_email(false)
///     .user_api_keys(true)
///     .permission(PermissionDefinition::project("billing:read"))
///     .webhook_endpoint("http://127.0.0.1:9000/hooks");
/// assert_eq!(spec.id(), "3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e");
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ProjectSpec {
    id: String,
    keys: Vec<SecretServerKey>,
    requires_verified_email: bool,
    pub(crate) user_api_keys: bool,
    pub(crate) team_api_keys: bool,
    pub(crate) permissions: Vec<PermissionDefinition>,
    pub(crate) creator_permissions: Option<Vec<String>>,
    pub(crate) member_permissions: Option<Vec<String>>,
    pub(crate) sign_up_permissions: Vec<String>,
    pub(crate) webhook_url: Option<String>,
    pub(crate) webhook_secret: Option<WebhookSecret>,
}

impl ProjectSpec {
    /// A project with this id, one random `ssk_…` key, requiring verified emails, API keys
    /// disabled (the real default), the default permissions (`team_member`, `team_admin`),
    /// no webhook endpoint and a random `whsec_` secret.
    pub fn new(id: impl Into<String>) -> Self {
        ProjectSpec {
            id: id.into(),
            keys: Vec::new(),
            requires_verified_email: true,
            user_api_keys: false,
            team_api_keys: false,
            permissions: Vec::new(),
            creator_permissions: None,
            member_permissions: None,
            sign_up_permissions: Vec::new(),
            webhook_url: None,
            webhook_secret: None,
        }
    }

    /// A project with a random UUID id.
    pub fn random() -> Self {
        ProjectSpec::new(random_uuid())
    }

    /// Adds a valid secret server key (the first one added is the project's main key; without
    /// any, a random one is generated).
    pub fn secret_server_key(mut self, key: impl Into<SecretServerKey>) -> Self {
        self.keys.push(key.into());
        self
    }

    /// Whether unverified emails make users restricted (default: true).
    pub fn requires_verified_email(mut self, required: bool) -> Self {
        self.requires_verified_email = required;
        self
    }

    /// Enables user API keys (`apiKeys.enabled.user`; default off, as on the real service:
    /// the check endpoint then answers a plain-text 400).
    pub fn user_api_keys(mut self, enabled: bool) -> Self {
        self.user_api_keys = enabled;
        self
    }

    /// Enables team API keys (`apiKeys.enabled.team`; default off).
    pub fn team_api_keys(mut self, enabled: bool) -> Self {
        self.team_api_keys = enabled;
        self
    }

    /// Defines a permission (repeatable; replaces a default of the same id).
    pub fn permission(mut self, definition: PermissionDefinition) -> Self {
        self.permissions.push(definition);
        self
    }

    /// The team permissions a team's creator gets (default `["team_admin"]`).
    pub fn team_creator_permissions<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.creator_permissions = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// The team permissions a member added later gets (default `["team_member"]`).
    pub fn team_member_permissions<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.member_permissions = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// The project permissions every new user gets, silently (default none).
    pub fn sign_up_permissions<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.sign_up_permissions = ids.into_iter().map(Into::into).collect();
        self
    }

    /// The URL webhook deliveries are POSTed to (default: none, nothing is sent).
    pub fn webhook_endpoint(mut self, url: impl Into<String>) -> Self {
        self.webhook_url = Some(url.into());
        self
    }

    /// The secret deliveries are signed with (default: a random one; read it with
    /// [`LocalStackAuth::webhook_secret`](crate::LocalStackAuth::webhook_secret)).
    pub fn webhook_secret(mut self, secret: WebhookSecret) -> Self {
        self.webhook_secret = Some(secret);
        self
    }

    /// The project id.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn into_parts(mut self) -> (String, Vec<SecretServerKey>, bool, ProjectSpec) {
        if self.keys.is_empty() {
            self.keys.push(random_secret_server_key());
        }
        let (id, keys) = (self.id.clone(), std::mem::take(&mut self.keys));
        (id, keys, self.requires_verified_email, self)
    }
}

impl From<&str> for ProjectSpec {
    fn from(id: &str) -> Self {
        ProjectSpec::new(id)
    }
}

impl From<String> for ProjectSpec {
    fn from(id: String) -> Self {
        ProjectSpec::new(id)
    }
}
