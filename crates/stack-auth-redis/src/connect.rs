//! The connections: redis-rs's `ConnectionManager` (one multiplexed connection, re-established
//! in the background when it drops), created lazily so a Redis that is down at start-up delays
//! nothing.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::{BuildError, RedisConfig};

/// Now, on tokio's clock (the breaker's time; paused in tests).
pub(crate) fn now() -> std::time::Instant {
    tokio::time::Instant::now().into_std()
}

/// A lazily connecting manager for `config`. Each attempt to (re)connect is bounded by the
/// configured connect timeout and retried once; the next operation after a failed attempt
/// starts another, so no attempt loop runs while nobody asks (the shared cache's breaker limits
/// how often that is).
///
/// # Errors
///
/// [`BuildError::NoRuntime`] outside a tokio runtime.
pub(crate) fn manager(config: &RedisConfig) -> Result<ConnectionManager, BuildError> {
    tokio::runtime::Handle::try_current().map_err(|_| BuildError::NoRuntime)?;
    let settings = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(config.connect_timeout))
        .set_response_timeout(Some(config.connect_timeout))
        .set_number_of_retries(1)
        .set_min_delay(Duration::from_millis(10))
        .set_max_delay(Duration::from_millis(100));
    ConnectionManager::new_lazy_with_config(config.client.clone(), settings)
        .map_err(|_| BuildError::InvalidUrl("the connection manager refused this url"))
}
