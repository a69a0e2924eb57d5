use std::{
    collections::HashMap,
    sync::atomic::{AtomicUsize, Ordering},
};

use async_trait::async_trait;

use crate::{ApiKeyVerifier, RefusalReason, VerifiedApiKey, VerifyError};

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
