//! API keys (PROTOCOL §10.2): the [`ApiKeyVerifier`] trait, what it returns
//! ([`VerifiedApiKey`]), and the key format with its offline check ([`parse_api_key`]).
//!
//! An API key is a long-lived credential a user or a team creates in Stack Auth and hands to a
//! program; the program sends it to your server, which asks Stack Auth whether it is good and
//! whose it is. The REST crate's `ApiKeys` implements the trait; the framework integrations
//! take any implementation.

mod format;
mod verified;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use format::{
    looks_like_api_key, parse_api_key, ApiKeyFormatError, ParsedApiKey, API_KEY_MARKER,
    MAX_API_KEY_LEN,
};
pub use verified::{ApiKeyOwner, VerifiedApiKey};

use crate::{forward::forwarded_trait, VerifyError};

/// Whose key it is: a user's or a team's (the key string says which, and so does the check
/// endpoint it must go to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiKeyType {
    /// A user's key (`/user-api-keys`).
    User,
    /// A team's key (`/team-api-keys`).
    Team,
}

impl ApiKeyType {
    /// `user` or `team`, as in the key string and the key object.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiKeyType::User => "user",
            ApiKeyType::Team => "team",
        }
    }
}

impl fmt::Display for ApiKeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

forwarded_trait! {
    /// Decides whether an API key is good, and whose it is.
    ///
    /// The REST crate's `ApiKeys` implements it (an offline format check, then Stack Auth's
    /// check endpoint, cached); so can your own types (a fixed allow-list for tests, a layer
    /// in front of another verifier). It is object safe: keep an
    /// `Arc<`[`DynApiKeyVerifier`]`>`. Implementations are `Debug` and never show a key.
    ///
    /// `&T`, `Box<T>` and `Arc<T>` forward every method to `T`.
    ///
    /// ```
    /// use stack_auth_core::{
    ///     async_trait, ApiKeyOwner, ApiKeyVerifier, RefusalReason, VerifiedApiKey, VerifyError,
    /// };
    ///
    /// /// One team key, known in advance (a test double).
    /// #[derive(Debug)]
    /// struct OneKey;
    ///
    /// #[async_trait]
    /// impl ApiKeyVerifier for OneKey {
    ///     async fn verify_api_key(&self, key: &str) -> Result<VerifiedApiKey, VerifyError> {
    ///         if key == "sk_test" {
    ///             Ok(VerifiedApiKey::new("k1", ApiKeyOwner::team("t1")))
    ///         } else {
    ///             Err(VerifyError::refused(RefusalReason::ApiKeyNotFound))
    ///         }
    ///     }
    /// }
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let verifier: std::sync::Arc<stack_auth_core::DynApiKeyVerifier> = std::sync::Arc::new(OneKey);
    /// assert_eq!(verifier.verify_api_key("sk_test").await.unwrap().team_id(), Some("t1"));
    /// assert_eq!(verifier.verify_api_key("nope").await.unwrap_err().http_status(), 401);
    /// # });
    /// ```
    pub trait ApiKeyVerifier: Send, Sync, fmt::Debug {
        /// Verifies `key`: whose it is, or why it is refused.
        ///
        /// # Errors
        ///
        /// [`VerifyError::Refused`] with an API key reason
        /// ([`ApiKeyMalformed`](crate::RefusalReason::ApiKeyMalformed),
        /// [`ApiKeyNotFound`](crate::RefusalReason::ApiKeyNotFound),
        /// [`ApiKeyRevoked`](crate::RefusalReason::ApiKeyRevoked),
        /// [`ApiKeyExpired`](crate::RefusalReason::ApiKeyExpired),
        /// [`WrongApiKeyType`](crate::RefusalReason::WrongApiKeyType),
        /// [`PublicApiKeyNotAllowed`](crate::RefusalReason::PublicApiKeyNotAllowed)), or a
        /// user-key owner's refusal; [`VerifyError::Unavailable`] when Stack Auth cannot
        /// answer; [`VerifyError::Misconfigured`] when the verifier is set up wrongly (API keys
        /// not enabled for the project, a wrong server key).
        async fn verify_api_key(&self, key: &str) -> Result<VerifiedApiKey, VerifyError>;
    }
}

/// The type-erased API key verifier.
pub type DynApiKeyVerifier = dyn ApiKeyVerifier;
