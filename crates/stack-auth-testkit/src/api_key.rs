//! API keys as Stack Auth issues them (PROTOCOL §10.2): [`ApiKeySpec`] to create one on the
//! stand-in, the key object [`ApiKey`], and the key string format ([`format_api_key`]).

use std::fmt;
use std::time::Duration;

use serde_json::json;

pub use stack_auth_core::ApiKeyType;

use crate::ids::is_uuid;
use crate::TestkitError;

/// The marker every key string carries before its checksum.
const MARKER: &str = "574ck4u7h";
/// Lower-case Crockford base32, the alphabet of the secret part.
const BASE32: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Length of the secret part (`generateSecureRandomString()`: 224 bits in base32).
pub(crate) const SECRET_PART_LEN: usize = 45;

/// The key string of PROTOCOL §10.2.4:
/// `<sk|pk>_<secret:45><id:32><user|team><scanner:1>574ck4u7h<crc32:8>`, where the scanner digit
/// is `(cloud ? 0 : 1) + (public ? 2 : 0)` and the checksum is the CRC-32 (IEEE) of everything
/// before it, in lower-case hex.
///
/// ```
/// use stack_auth_testkit::{format_api_key, ApiKeyType};
///
/// let key = format_api_key(
///     "0123456789abcdefghjkmnpqrstvwxyz0123456789abc",
///     "3241a285-8329-4d69-8f3d-316e08cf140c",
///     ApiKeyType::User,
///     false,
///     true,
/// )?;
/// assert!(key.ends_with("user0574ck4u7hdbb7389e"));
/// # Ok::<(), stack_auth_testkit::TestkitError>(())
/// ```
///
/// # Errors
///
/// [`TestkitError::InvalidApiKey`] when `secret_part` is not 45 characters of `[A-Za-z0-9_]`
/// or `key_id` is not a UUID.
pub fn format_api_key(
    secret_part: &str,
    key_id: &str,
    key_type: ApiKeyType,
    public: bool,
    cloud: bool,
) -> Result<String, TestkitError> {
    let valid_secret = secret_part.len() == SECRET_PART_LEN
        && secret_part
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !valid_secret {
        return Err(TestkitError::InvalidApiKey(
            "the secret part must be 45 characters of [A-Za-z0-9_]".into(),
        ));
    }
    if !is_uuid(key_id) {
        return Err(TestkitError::InvalidApiKey(
            "the key id must be a UUID".into(),
        ));
    }
    let prefix = if public { "pk" } else { "sk" };
    let scanner = u8::from(!cloud) + if public { 2 } else { 0 };
    let id_part = key_id.replace('-', "").to_ascii_lowercase();
    let checksummed = format!(
        "{prefix}_{secret_part}{id_part}{}{scanner}{MARKER}",
        key_type.as_str()
    );
    let crc = crc32fast::hash(checksummed.as_bytes());
    Ok(format!("{checksummed}{crc:08x}"))
}

/// 45 random characters of lower-case Crockford base32 (225 bits).
pub(crate) fn random_secret_part() -> String {
    (0..SECRET_PART_LEN)
        .map(|_| char::from(BASE32[usize::from(rand::random::<u8>() & 31)]))
        .collect()
}

/// When a key expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expiry {
    Never,
    AtMillis(i64),
    In(Duration),
}

/// An API key to create with
/// [`LocalStackAuth::create_api_key`](crate::LocalStackAuth::create_api_key): its owner (a user
/// or a team of the project), description, expiry and kind. Created keys are secret (`sk_`)
/// and self-hosted (scanner flag `1`, as for any host but `api.stack-auth.com`) unless set
/// otherwise.
///
/// ```
/// use std::time::Duration;
/// use stack_auth_testkit::ApiKeySpec;
///
/// let ci = ApiKeySpec::user("3241a285-8329-4d69-8f3d-316e08cf140c")
///     .description("CI key")
///     .expires_in(Duration::from_secs(3600));
/// let widget = ApiKeySpec::team("7b1c5e0a-2d3f-4a5b-8c9d-0e1f2a3b4c5d").public(true);
/// # let _ = (ci, widget);
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ApiKeySpec {
    pub(crate) key_type: ApiKeyType,
    pub(crate) owner_id: String,
    pub(crate) description: String,
    pub(crate) expiry: Expiry,
    pub(crate) public: bool,
    pub(crate) cloud: bool,
    pub(crate) secret_part: Option<String>,
    pub(crate) key_id: Option<String>,
}

impl ApiKeySpec {
    fn new(key_type: ApiKeyType, owner_id: String) -> Self {
        ApiKeySpec {
            key_type,
            owner_id,
            description: String::new(),
            expiry: Expiry::Never,
            public: false,
            cloud: false,
            secret_part: None,
            key_id: None,
        }
    }

    /// A key of the user `user_id`.
    pub fn user(user_id: impl Into<String>) -> Self {
        ApiKeySpec::new(ApiKeyType::User, user_id.into())
    }

    /// A key of the team `team_id`.
    pub fn team(team_id: impl Into<String>) -> Self {
        ApiKeySpec::new(ApiKeyType::Team, team_id.into())
    }

    /// The description (default empty).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// Expires at this Unix time in milliseconds (default: never).
    pub fn expires_at_millis(mut self, millis: i64) -> Self {
        self.expiry = Expiry::AtMillis(millis);
        self
    }

    /// Expires this long after creation, by the stand-in's clock.
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.expiry = Expiry::In(lifetime);
        self
    }

    /// A public key (`pk_…`, `is_public: true`) instead of a secret one.
    pub fn public(mut self, public: bool) -> Self {
        self.public = public;
        self
    }

    /// The scanner flag of a key created on the cloud (`api.stack-auth.com`, digit `0`/`2`)
    /// instead of a self-hosted deployment (digit `1`/`3`, the default).
    pub fn cloud(mut self, cloud: bool) -> Self {
        self.cloud = cloud;
        self
    }

    /// A fixed secret part (45 characters of `[A-Za-z0-9_]`) instead of a random one, to
    /// reproduce a known key string.
    pub fn secret_part(mut self, secret: impl Into<String>) -> Self {
        self.secret_part = Some(secret.into());
        self
    }

    /// A fixed key id (a UUID) instead of a random one.
    pub fn key_id(mut self, id: impl Into<String>) -> Self {
        self.key_id = Some(id.into());
        self
    }
}

/// An API key as the server lists and checks it (PROTOCOL §10.2.2): everything but the key
/// string, of which only the last four characters are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiKey {
    /// The key's own id (also embedded in the key string).
    pub id: String,
    /// The description (may be empty).
    pub description: String,
    /// Creation time, Unix milliseconds.
    pub created_at_millis: i64,
    /// Expiry, Unix milliseconds; `None` when the key never expires.
    pub expires_at_millis: Option<i64>,
    /// When the key was revoked, Unix milliseconds.
    pub manually_revoked_at_millis: Option<i64>,
    /// Whether it is a public (`pk_`) key.
    pub is_public: bool,
    /// The last four characters of the key string.
    pub last_four: String,
    /// A user or a team key.
    pub key_type: ApiKeyType,
    /// The owning user's or team's id.
    pub owner_id: String,
}

impl ApiKey {
    /// The server's JSON object: optional fields omitted when unset, never `null`.
    pub(crate) fn to_json(&self) -> serde_json::Value {
        let mut o = json!({
            "id": self.id,
            "description": self.description,
            "created_at_millis": self.created_at_millis,
            "is_public": self.is_public,
            "value": { "last_four": self.last_four },
            "type": self.key_type.as_str(),
        });
        if let Some(map) = o.as_object_mut() {
            if let Some(at) = self.expires_at_millis {
                map.insert("expires_at_millis".into(), json!(at));
            }
            if let Some(at) = self.manually_revoked_at_millis {
                map.insert("manually_revoked_at_millis".into(), json!(at));
            }
            let owner = match self.key_type {
                ApiKeyType::User => "user_id",
                ApiKeyType::Team => "team_id",
            };
            map.insert(owner.into(), json!(self.owner_id));
        }
        o
    }
}

/// A key just created: the full key string (shown once, as by the real create endpoint) and
/// the key object. `Debug` never shows the key string.
#[derive(Clone)]
pub struct CreatedApiKey {
    pub(crate) key: String,
    pub(crate) api_key: ApiKey,
}

impl CreatedApiKey {
    /// The full key string (`sk_…` or `pk_…`), what a client sends.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The key object.
    pub fn api_key(&self) -> &ApiKey {
        &self.api_key
    }

    /// The key's id.
    pub fn id(&self) -> &str {
        &self.api_key.id
    }
}

impl fmt::Debug for CreatedApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedApiKey")
            .field("api_key", &self.api_key)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_secrets_are_lower_case_crockford_base32() {
        let s = random_secret_part();
        assert_eq!(s.len(), SECRET_PART_LEN);
        assert!(s.bytes().all(|b| BASE32.contains(&b)), "{s}");
        assert!(!s.contains(['i', 'l', 'o', 'u']));
        assert_ne!(s, random_secret_part());
    }

    #[test]
    fn bad_parts_are_refused() {
        let id = "3241a285-8329-4d69-8f3d-316e08cf140c";
        for secret in ["short", &"a".repeat(46), &format!("{}-", "a".repeat(44))] {
            let err = format_api_key(secret, id, ApiKeyType::User, false, true);
            assert!(
                matches!(err, Err(TestkitError::InvalidApiKey(_))),
                "{secret}"
            );
        }
        let err = format_api_key(&"a".repeat(45), "nope", ApiKeyType::Team, true, false);
        assert!(matches!(err, Err(TestkitError::InvalidApiKey(_))));
    }
}
