//! One instance of a fleet, wired the one obvious way (README "Running a fleet"): every cache
//! behind the deployment's Redis shared cache, every cache in one `EvictionHub`, the Redis
//! eviction bus in front of the hub, and the webhook receiver evicting into the bus. The `fleet`
//! example and the fleet tests run several of them, standing for several processes.

use std::sync::Arc;

use stack_auth::{
    composite::CompositeVerifier,
    jwks::JwksVerifier,
    redis::{RedisConfig, RedisEvictionBus, RedisSharedCache},
    rest::{ApiKeys, Permissions, RestVerifier, ServerApi},
    EvictionHub, SecretServerKey, StackAuthConfig,
};
use stack_auth_webhooks::WebhookReceiver;

use crate::backend::BoxResult;

/// What one process holds: its verifiers (each with its own in-process cache), its hub, its
/// bus and its webhook receiver. Cloning shares them.
#[derive(Debug, Clone)]
pub struct Instance {
    /// Access tokens: the JWT check, then the profile (users/me).
    pub verifier: CompositeVerifier<JwksVerifier, RestVerifier>,
    /// API keys.
    pub api_keys: ApiKeys,
    /// Team and project permissions.
    pub permissions: Permissions,
    /// Every cache of the process: what the bus applies evictions to.
    pub hub: EvictionHub,
    /// The eviction bus: give evictions to it, never to the hub.
    pub bus: RedisEvictionBus,
    /// Stack Auth's webhooks, evicting into the bus.
    pub webhooks: WebhookReceiver,
}

impl Instance {
    /// One process of the deployment `redis` names, for the project of `config`, its caches
    /// behind `shared` (built by the caller, who chooses its timeouts).
    ///
    /// # Errors
    ///
    /// A setting a builder refuses.
    pub fn start(
        config: &StackAuthConfig,
        secret_server_key: impl Into<SecretServerKey>,
        webhook_secret: &str,
        redis: &RedisConfig,
        shared: &RedisSharedCache,
    ) -> BoxResult<Instance> {
        // Every cache looks in the shared cache after its own, before asking Stack Auth.
        let api = ServerApi::builder_with_config(config.clone(), secret_server_key)
            .shared_cache(shared.clone())
            .build()?;
        let jwks = JwksVerifier::builder_with_config(config.clone())
            .shared_cache(shared.clone()) // the fleet's deleted users and ended sessions
            .build()?;
        let rest = RestVerifier::builder_with_api(&api).build()?;
        let verifier = CompositeVerifier::builder_from_verifiers(jwks, rest).build()?;
        let (api_keys, permissions) = (ApiKeys::new(&api), Permissions::new(&api));
        // Every cache of the process in one hub; the bus in front of it; webhooks into the bus.
        let hub = EvictionHub::new();
        hub.register(Arc::new(verifier.clone()));
        hub.register(Arc::new(api_keys.clone()));
        hub.register(Arc::new(permissions.clone()));
        let bus = RedisEvictionBus::builder(redis.clone(), hub.clone()).build()?;
        let webhooks = WebhookReceiver::builder(webhook_secret)
            .evicting(bus.clone())
            .build()?;
        Ok(Instance {
            verifier,
            api_keys,
            permissions,
            hub,
            bus,
            webhooks,
        })
    }
}
