//! [`RedisSharedCacheBuilder`].

use std::{sync::Arc, time::Duration};

use stack_auth_core::breaker::CircuitBreakerPolicy;

use super::{Inner, RedisSharedCache};
use crate::{connect, BuildError, RedisConfig};

/// How long one shared-cache operation may take by default: the most a verification can spend
/// on Redis per lookup when Redis is slow or down (until the breaker opens and it spends none).
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_millis(50);

/// The longest TTL an entry gets by default, whatever the caller asks.
pub const DEFAULT_MAX_TTL: Duration = Duration::from_secs(60 * 60);

/// The largest value stored by default (a users/me profile is a few KiB); larger ones are not
/// stored.
pub const DEFAULT_MAX_VALUE_LEN: usize = 256 * 1024;

/// Builds a [`RedisSharedCache`]; see [`RedisSharedCache::builder`].
#[derive(Debug, Clone)]
pub struct RedisSharedCacheBuilder {
    config: RedisConfig,
    settings: Settings,
}

/// The validated settings.
#[derive(Debug, Clone, Copy)]
pub(super) struct Settings {
    pub(super) timeout: Duration,
    pub(super) max_ttl: Duration,
    pub(super) max_value_len: usize,
    pub(super) breaker: CircuitBreakerPolicy,
}

impl RedisSharedCache {
    /// A builder for a shared cache on `config`'s Redis and deployment.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use stack_auth_redis::{RedisConfig, RedisSharedCache};
    ///
    /// # async fn run() -> Result<(), stack_auth_redis::BuildError> {
    /// let config = RedisConfig::builder("redis://127.0.0.1:6379/").deployment("shop").build()?;
    /// let cache = RedisSharedCache::builder(config)
    ///     .timeout(Duration::from_millis(20))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn builder(config: RedisConfig) -> RedisSharedCacheBuilder {
        RedisSharedCacheBuilder {
            config,
            settings: Settings {
                timeout: DEFAULT_OPERATION_TIMEOUT,
                max_ttl: DEFAULT_MAX_TTL,
                max_value_len: DEFAULT_MAX_VALUE_LEN,
                breaker: CircuitBreakerPolicy::default(),
            },
        }
    }
}

impl RedisSharedCacheBuilder {
    /// How long one operation may take, connecting included (default
    /// [`DEFAULT_OPERATION_TIMEOUT`]); past it the operation counts as a failure and answers
    /// like a miss. Between 1 ms and 10 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    /// When the circuit breaker opens and for how long (default: after 5 consecutive failures,
    /// for 5 s; [`CircuitBreakerPolicy::disabled`] never opens it).
    pub fn circuit_breaker(mut self, policy: CircuitBreakerPolicy) -> Self {
        self.settings.breaker = policy;
        self
    }

    /// The longest TTL any entry gets (default [`DEFAULT_MAX_TTL`]): a longer one asked by a
    /// caller is shortened. It is also the lifetime of the tag epochs.
    pub fn max_ttl(mut self, max_ttl: Duration) -> Self {
        self.settings.max_ttl = max_ttl;
        self
    }

    /// The largest value stored (default [`DEFAULT_MAX_VALUE_LEN`] bytes).
    pub fn max_value_len(mut self, bytes: usize) -> Self {
        self.settings.max_value_len = bytes;
        self
    }

    /// Builds the cache. It connects lazily, on its first operation, so a Redis that is down
    /// delays nothing here.
    ///
    /// # Errors
    ///
    /// [`BuildError::InvalidSetting`] for a timeout outside 1 ms – 10 s or a `max_ttl` under
    /// 1 s; [`BuildError::NoRuntime`] outside a tokio runtime.
    pub fn build(self) -> Result<RedisSharedCache, BuildError> {
        let s = self.settings;
        if s.timeout < Duration::from_millis(1) || s.timeout > Duration::from_secs(10) {
            return Err(BuildError::InvalidSetting {
                setting: "timeout",
                reason: "must be between 1 ms and 10 s",
            });
        }
        if s.max_ttl < Duration::from_secs(1) {
            return Err(BuildError::InvalidSetting {
                setting: "max_ttl",
                reason: "must be at least 1 s",
            });
        }
        let connection = connect::manager(&self.config)?;
        Ok(RedisSharedCache {
            inner: Arc::new(Inner::new(connection, self.config.keys.clone(), s)),
        })
    }
}
