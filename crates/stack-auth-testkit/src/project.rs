//! [`ProjectSpec`]: one project hosted by the stand-in.

use stack_auth_core::SecretServerKey;

use crate::ids::{random_secret_server_key, random_uuid};

/// A project on the stand-in: its id, the secret server keys that are valid for it, and
/// whether it requires verified emails (which makes unverified users restricted).
///
/// ```
/// use stack_auth_testkit::ProjectSpec;
///
/// let spec = ProjectSpec::new("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e")
///     .secret_server_key("ssk_test_key")
///     .requires_verified_email(false);
/// assert_eq!(spec.id(), "3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e");
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ProjectSpec {
    id: String,
    keys: Vec<SecretServerKey>,
    requires_verified_email: bool,
}

impl ProjectSpec {
    /// A project with this id, one random `ssk_…` key, requiring verified emails.
    pub fn new(id: impl Into<String>) -> Self {
        ProjectSpec {
            id: id.into(),
            keys: Vec::new(),
            requires_verified_email: true,
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

    /// The project id.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub(crate) fn into_parts(mut self) -> (String, Vec<SecretServerKey>, bool) {
        if self.keys.is_empty() {
            self.keys.push(random_secret_server_key());
        }
        (self.id, self.keys, self.requires_verified_email)
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
