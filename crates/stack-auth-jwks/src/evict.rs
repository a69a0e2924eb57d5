//! How a [`JwksVerifier`] hears that something went stale: [`Evict`].

use stack_auth_core::{Evict, Eviction};

use crate::{revocations::Kind, JwksVerifier};

/// What a JWKS verifier does with each [`Eviction`] (a Stack Auth webhook through a receiver, an
/// eviction bus, or your own call):
///
/// | eviction | effect |
/// |---|---|
/// | [`UserDeleted`](Eviction::UserDeleted) | the user's tokens, cached or not, are refused as `user_not_found` from now on, for [`max_token_lifetime`](crate::JwksVerifierBuilder::max_token_lifetime) plus the leeway (by then every token minted before the deletion has expired) |
/// | [`SessionEnded`](Eviction::SessionEnded) | tokens whose `refresh_token_id` is the session are refused as `session_ended`, for the same time |
/// | [`All`](Eviction::All) | the verified-token cache is cleared (revocations stay) |
/// | anything else | nothing: a token's claims are as Stack Auth minted them, a profile or permission change does not alter them |
///
/// Cheap and non-blocking, as [`Evict`] requires: a revocation is one entry in a small set
/// checked on every verification (one atomic load while the set is empty); the token cache is
/// never scanned. The set holds one entry per revocation for the window, whatever the number of
/// cached tokens.
///
/// ```
/// use stack_auth_core::{Evict, Eviction, EvictionHub};
/// use stack_auth_jwks::JwksVerifier;
///
/// let verifier = JwksVerifier::builder("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e").build()?;
/// // Every cache of the process registers once; a webhook receiver evicts into the hub.
/// let hub = EvictionHub::new();
/// hub.register(std::sync::Arc::new(verifier.clone()));
/// hub.evict(&Eviction::UserDeleted { user_id: "3241a285-8329-4d69-8f3d-316e08cf140c".into() });
/// # Ok::<(), stack_auth_core::ConfigError>(())
/// ```
impl Evict for JwksVerifier {
    fn evict(&self, eviction: &Eviction) {
        match eviction {
            Eviction::UserDeleted { user_id } => self.revoke(Kind::User, user_id),
            Eviction::SessionEnded { session_id, .. } => self.revoke(Kind::Session, session_id),
            Eviction::All => self.clear_token_cache(),
            _ => {}
        }
    }
}
