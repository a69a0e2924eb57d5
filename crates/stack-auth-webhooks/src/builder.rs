//! [`WebhookReceiverBuilder`]: the secret, the caches to evict, the clock and the limits of a
//! [`WebhookReceiver`].

use std::{fmt, sync::Arc, time::Duration};

use stack_auth_core::{Clock, ConfigError, Evict, EvictionHub, SystemClock};

use crate::{receiver::Inner, recent::RecentDeliveries, WebhookReceiver, WebhookSecret, TOLERANCE};

/// Default time a message id is remembered, to recognise Svix delivering it again.
pub const DEFAULT_DUPLICATE_WINDOW: Duration = Duration::from_secs(3600);
/// Default number of message ids remembered (the oldest are forgotten first).
pub const DEFAULT_DUPLICATE_CAPACITY: usize = 10_000;
/// Default largest body accepted (axum's default body limit too).
pub const DEFAULT_MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Builder of a [`WebhookReceiver`]; see [`WebhookReceiver::builder`].
///
/// ```
/// use std::sync::Arc;
/// use stack_auth_core::{Evict, Eviction, EvictionHub};
/// use stack_auth_webhooks::WebhookReceiver;
///
/// # #[derive(Debug, Default)] struct MyCache;
/// # impl Evict for MyCache { fn evict(&self, _: &Eviction) {} }
/// // `jwks` and `rest` in a real server: `JwksVerifier`, `RestVerifier`, `CompositeVerifier`.
/// let (jwks, rest) = (MyCache, Arc::new(MyCache));
/// let receiver = WebhookReceiver::builder("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
///     .evicting(jwks)
///     .evicting(rest)
///     .build()?;
/// assert_eq!(receiver.hub().len(), 2);
/// # Ok::<(), stack_auth_core::ConfigError>(())
/// ```
#[must_use]
pub struct WebhookReceiverBuilder {
    secret: String,
    hub: EvictionHub,
    sinks: Vec<Arc<dyn Evict>>,
    clock: Arc<dyn Clock>,
    duplicate_window: Duration,
    duplicate_capacity: usize,
    max_body_bytes: usize,
}

impl fmt::Debug for WebhookReceiverBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookReceiverBuilder")
            .field("secret", &"[redacted]")
            .field("caches", &(self.hub.len() + self.sinks.len()))
            .field("duplicate_window", &self.duplicate_window)
            .field("duplicate_capacity", &self.duplicate_capacity)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish_non_exhaustive()
    }
}

impl WebhookReceiverBuilder {
    pub(crate) fn new(secret: String) -> Self {
        WebhookReceiverBuilder {
            secret,
            hub: EvictionHub::new(),
            sinks: Vec::new(),
            clock: Arc::new(SystemClock),
            duplicate_window: DEFAULT_DUPLICATE_WINDOW,
            duplicate_capacity: DEFAULT_DUPLICATE_CAPACITY,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// Tells `cache` about every eviction (repeatable): a `JwksVerifier`, a `RestVerifier`, a
    /// `CompositeVerifier` (which tells both of its verifiers; register it instead of them), or
    /// any [`Evict`] of yours. Pass a clone of a verifier you also use: clones share their
    /// caches.
    pub fn evicting(mut self, cache: impl Evict + 'static) -> Self {
        self.sinks.push(Arc::new(cache));
        self
    }

    /// Evicts into `hub` (shared with other sources of evictions, or with caches registered
    /// elsewhere) instead of a hub of its own; [`evicting`](Self::evicting) registers with it.
    pub fn hub(mut self, hub: EvictionHub) -> Self {
        self.hub = hub;
        self
    }

    /// The wall clock timestamps are checked against and recent deliveries are dated with
    /// (default [`SystemClock`]).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// How long a message id is remembered (default [`DEFAULT_DUPLICATE_WINDOW`]; at least
    /// twice the [`TOLERANCE`], so every copy of a request within its signature's lifetime is
    /// recognised). Svix delivering a message again after it was forgotten evicts again, which
    /// is harmless: evictions are idempotent.
    pub fn duplicate_window(mut self, window: Duration) -> Self {
        self.duplicate_window = window;
        self
    }

    /// How many message ids are remembered at most (default [`DEFAULT_DUPLICATE_CAPACITY`]);
    /// past it the oldest are forgotten.
    pub fn duplicate_capacity(mut self, capacity: usize) -> Self {
        self.duplicate_capacity = capacity;
        self
    }

    /// The largest body accepted, in bytes (default [`DEFAULT_MAX_BODY_BYTES`]); a larger one
    /// is refused with 413 before it is read in full.
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// Checks the settings and builds the receiver; the caches given to
    /// [`evicting`](Self::evicting) are registered with its hub.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`]: `webhook_secret` when the secret is not `whsec_` and standard
    /// base64 (the message never quotes it), `duplicate_window` shorter than twice the
    /// [`TOLERANCE`], `duplicate_capacity` or `max_body_bytes` zero.
    pub fn build(self) -> Result<WebhookReceiver, ConfigError> {
        let secret = WebhookSecret::new(&self.secret)?;
        let invalid = |field: &'static str, reason: &'static str| ConfigError::Invalid {
            field,
            reason: reason.into(),
        };
        if self.duplicate_window < TOLERANCE * 2 {
            return Err(invalid(
                "duplicate_window",
                "must be at least 10 minutes (twice the timestamp tolerance)",
            ));
        }
        if self.duplicate_capacity == 0 {
            return Err(invalid("duplicate_capacity", "must be positive"));
        }
        if self.max_body_bytes == 0 {
            return Err(invalid("max_body_bytes", "must be positive"));
        }
        let verifier = svix::webhooks::Webhook::from_bytes(secret.key().to_vec())
            .map_err(|_| invalid("webhook_secret", "is empty"))?;
        for sink in self.sinks {
            self.hub.register(sink);
        }
        Ok(WebhookReceiver::from_inner(Inner {
            verifier,
            clock: self.clock,
            recent: RecentDeliveries::new(self.duplicate_window, self.duplicate_capacity),
            hub: self.hub,
            max_body_bytes: self.max_body_bytes,
        }))
    }
}
