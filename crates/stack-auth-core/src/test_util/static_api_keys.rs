use std::{
    collections::HashMap,
    sync::atomic::{AtomicUsize, Ordering},
};

use async_trait::async_trait;

use crate::{
    ApiKeyOwner, ApiKeyVerifier, RefusalReason, VerifiedApiKey, VerifiedUser, VerifyError,
};

/// The worked user key of PROTOCOL §10.2.4 (secret, cloud), a valid key string for tests.
pub const EXAMPLE_USER_KEY: &str = "sk_0123456789abcdefghjkmnpqrstvwxyz0123456789abc3241a28583294d698f3d316e08cf140cuser0574ck4u7hdbb7389e";

/// The worked team key of PROTOCOL §10.2.4 (secret, self-hosted).
pub const EXAMPLE_TEAM_KEY: &str = "sk_0123456789abcdefghjkmnpqrstvwxyz0123456789abc3241a28583294d698f3d316e08cf140cteam1574ck4u7h8390c0a3";

/// The worked public user key of PROTOCOL §10.2.4 (`pk_`, cloud).
pub const EXAMPLE_PUBLIC_USER_KEY: &str = "pk_0123456789abcdefghjkmnpqrstvwxyz0123456789abc3241a28583294d698f3d316e08cf140cuser2574ck4u7h730c43cd";

/// An [`ApiKeyVerifier`] answering from a fixed table (every other key: `api_key_not_found`),
/// counting its calls.
///
/// ```
/// use stack_auth_core::{test_util::StaticApiKeys, ApiKeyOwner, ApiKeyVerifier, VerifiedApiKey};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let keys = StaticApiKeys::new().with_key("sk_k", Ok(VerifiedApiKey::new("k1", ApiKeyOwner::team("t1"))));
/// assert_eq!(keys.verify_api_key("sk_k").await.unwrap().team_id(), Some("t1"));
/// assert_eq!(keys.verify_api_key("other").await.unwrap_err().reason_label(), "api_key_not_found");
/// assert_eq!(keys.calls(), 2);
/// # });
/// ```
#[derive(Debug, Default)]
pub struct StaticApiKeys {
    by_key: HashMap<String, Result<VerifiedApiKey, VerifyError>>,
    calls: AtomicUsize,
}

impl StaticApiKeys {
    /// Knows no key.
    pub fn new() -> Self {
        Self::default()
    }

    /// Answers `answer` for exactly `key`.
    #[must_use]
    pub fn with_key(
        mut self,
        key: impl Into<String>,
        answer: Result<VerifiedApiKey, VerifyError>,
    ) -> Self {
        self.by_key.insert(key.into(), answer);
        self
    }

    /// Knows the three example keys: [`EXAMPLE_USER_KEY`] as `owner`'s (key id `k1`),
    /// [`EXAMPLE_TEAM_KEY`] as `team_id`'s (key id `k2`), and refuses [`EXAMPLE_PUBLIC_USER_KEY`]
    /// as revoked: the fixture of the framework integrations' tests.
    pub fn examples(owner: VerifiedUser, team_id: &str) -> Self {
        let revoked = VerifyError::refused(RefusalReason::ApiKeyRevoked);
        Self::new()
            .with_key(
                EXAMPLE_USER_KEY,
                Ok(VerifiedApiKey::new("k1", ApiKeyOwner::user(owner))),
            )
            .with_key(
                EXAMPLE_TEAM_KEY,
                Ok(VerifiedApiKey::new("k2", ApiKeyOwner::team(team_id))),
            )
            .with_key(EXAMPLE_PUBLIC_USER_KEY, Err(revoked))
    }

    /// How many keys it was asked about.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl ApiKeyVerifier for StaticApiKeys {
    async fn verify_api_key(&self, key: &str) -> Result<VerifiedApiKey, VerifyError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.by_key
            .get(key)
            .cloned()
            .unwrap_or_else(|| Err(VerifyError::refused(RefusalReason::ApiKeyNotFound)))
    }
}
