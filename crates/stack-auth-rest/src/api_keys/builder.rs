//! [`ApiKeysBuilder`]: the settings of an [`ApiKeys`] verifier.

use std::sync::Arc;

use stack_auth_core::{
    budget::{RequestBudget, TokenBucket},
    ConfigError, MAX_DURATION_SETTING,
};

use super::{ApiKeys, Inner};
use crate::{
    api_builder::invalid,
    memo::{self, cache_setters, CacheSettings, Memo},
    tagged_cache::TaggedCache,
    ServerApi, Users,
};

/// How many checks of well-formed API keys that Stack Auth has not vouched for recently may
/// answer `API_KEY_NOT_FOUND` by default: 10 per minute (see
/// [`ApiKeysBuilder::unknown_key_budget`]).
pub const DEFAULT_UNKNOWN_API_KEY_BUDGET: RequestBudget = RequestBudget::per_minute(10);

/// Builder for [`ApiKeys`]; see [`ApiKeys::builder`].
#[derive(Debug)]
#[must_use]
pub struct ApiKeysBuilder {
    api: ServerApi,
    cache: Option<CacheSettings>,
    budget: RequestBudget,
    accept_public_keys: bool,
    users: Option<Users>,
}

impl ApiKeysBuilder {
    pub(super) fn new(api: &ServerApi) -> Self {
        ApiKeysBuilder {
            api: api.clone(),
            cache: Some(CacheSettings::default()),
            budget: DEFAULT_UNKNOWN_API_KEY_BUDGET,
            accept_public_keys: false,
            users: None,
        }
    }

    cache_setters!();

    /// Accepts public (`pk_…`) keys too (default: refused as
    /// [`PublicApiKeyNotAllowed`](stack_auth_core::RefusalReason::PublicApiKeyNotAllowed)
    /// without a request). A public key is made to be shown to anyone (embedded in a web page,
    /// say), so it proves nothing about who sends it: accept public keys only where anyone may
    /// act as the key's owner.
    pub fn accept_public_keys(mut self, accept: bool) -> Self {
        self.accept_public_keys = accept;
        self
    }

    /// How many checks of keys Stack Auth has not vouched for in the last hour may find no
    /// such key (default [`DEFAULT_UNKNOWN_API_KEY_BUDGET`]). Anyone can make a string in the
    /// key format with a correct checksum, and each would cost a request carrying the secret
    /// server key; once `API_KEY_NOT_FOUND` answers have spent the budget, such keys are
    /// refused as [`ApiKeyNotFound`](stack_auth_core::RefusalReason::ApiKeyNotFound) without a
    /// request until it refills. A key found to exist (good, revoked or expired) costs nothing
    /// from it, and keys vouched for stay checkable while it is spent. Those requests are sent
    /// once (no retries), only while the circuit is closed, and never counted by the circuit
    /// breaker. [`RequestBudget::none`] asks only about keys vouched for already.
    pub fn unknown_key_budget(mut self, budget: RequestBudget) -> Self {
        self.budget = budget;
        self
    }

    /// Resolves the owners of user keys through `users` (sharing its cache, so a user looked
    /// up by id elsewhere is not asked again; default: a [`Users`] of its own with the default
    /// cache). It must be on the same [`ServerApi`].
    pub fn users(mut self, users: Users) -> Self {
        self.users = Some(users);
        self
    }

    /// Builds the verifier.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`]: `cache` for a zero capacity or TTL or a duration over
    /// [`MAX_DURATION_SETTING`]; `unknown_key_budget` for a period over it or one too short for
    /// its requests; `users` for a [`Users`] on another server API.
    pub fn build(self) -> Result<ApiKeys, ConfigError> {
        memo::validate(self.cache, "cache", "disable_cache")?;
        if !self.budget.is_valid(MAX_DURATION_SETTING) {
            return Err(invalid(
                "unknown_key_budget",
                "the period must be at most 30 days, and long enough for its requests",
            ));
        }
        if let Some(users) = &self.users {
            if !users.api().same_as(&self.api) {
                return Err(invalid("users", "is on another ServerApi"));
            }
        }
        Ok(self.assemble())
    }

    /// The verifier of these settings, already checked (the defaults always are).
    pub(super) fn assemble(self) -> ApiKeys {
        let users = self.users.unwrap_or_else(|| Users::new(&self.api));
        let capacity = self
            .cache
            .map_or(memo::DEFAULT_CACHE_CAPACITY, |c| c.capacity);
        let memo = Memo::shared(self.cache, &self.api, &super::shared::SHARE);
        self.api.register_cache(memo.evictor());
        ApiKeys {
            inner: Arc::new(Inner {
                api: self.api,
                users,
                memo,
                budget: TokenBucket::new(self.budget),
                vouched: TaggedCache::new(capacity),
                accept_public_keys: self.accept_public_keys,
            }),
        }
    }
}
