//! How a [`CompositeVerifier`] hears that something went stale: it tells both of its verifiers.

use stack_auth_core::{Evict, Eviction};

use crate::CompositeVerifier;

/// Forwards every [`Eviction`] to the JWT check and then to the profile verifier, so one
/// registration covers both (a `JwksVerifier` refuses a deleted user's tokens, a `RestVerifier`
/// drops its cached answers). The composite keeps no cache of its own. A verifier given to
/// [`unknown_key_verifier`](crate::CompositeVerifierBuilder::unknown_key_verifier) is not told:
/// register it too if it caches.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use stack_auth_composite::CompositeVerifier;
/// use stack_auth_core::{async_trait, Evict, Eviction, EvictionHub, TokenVerifier, VerifiedUser, VerifyError, RefusalReason};
///
/// /// A verifier with a cache, standing in for a `JwksVerifier` or a `RestVerifier`.
/// #[derive(Debug, Default)]
/// struct Cached(Mutex<Vec<Eviction>>);
/// #[async_trait]
/// impl TokenVerifier for Cached {
///     async fn verify(&self, _: &str) -> Result<VerifiedUser, VerifyError> {
///         Err(VerifyError::refused(RefusalReason::BadSignature))
///     }
/// }
/// impl Evict for Cached {
///     fn evict(&self, e: &Eviction) { self.0.lock().unwrap().push(e.clone()); }
/// }
///
/// let (jwt, rest) = (Arc::new(Cached::default()), Arc::new(Cached::default()));
/// let composite = CompositeVerifier::builder(Arc::clone(&jwt), Arc::clone(&rest)).build()?;
/// let hub = EvictionHub::new();
/// hub.register(Arc::new(composite));
/// hub.evict(&Eviction::UserUpdated { user_id: "u1".into() });
/// assert_eq!((jwt.0.lock().unwrap().len(), rest.0.lock().unwrap().len()), (1, 1));
/// # Ok::<(), stack_auth_core::ConfigError>(())
/// ```
impl<J: Evict, R: Evict> Evict for CompositeVerifier<J, R> {
    fn evict(&self, eviction: &Eviction) {
        self.jwt.evict(eviction);
        self.rest.evict(eviction);
    }
}
