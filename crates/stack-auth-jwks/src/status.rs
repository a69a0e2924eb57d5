//! [`JwksStatus`]: what the verifier knows about its key set, for health checks and metrics.

use std::time::SystemTime;

use stack_auth_core::VerifyError;

pub use crate::token_cache::TokenCacheStats;

/// How usable the cached key set is right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeySetState {
    /// No key set has been fetched yet.
    Empty,
    /// Within its freshness lifetime.
    Fresh,
    /// Past its freshness but within the stale-if-error limit: still served while a refresh is
    /// attempted.
    Stale,
    /// Past the stale-if-error limit: verifications fail as unavailable until a fetch succeeds.
    Expired,
    /// Given to the builder ([`static_jwks`](crate::JwksVerifierBuilder::static_jwks)): never
    /// fetched, never expires.
    Static,
}

/// How the last JWKS fetch ended.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum FetchOutcome {
    /// The fetch succeeded with this many usable keys.
    Succeeded {
        /// Usable keys in the document.
        keys: usize,
    },
    /// The fetch failed; the error is what a verification would report.
    Failed(VerifyError),
}

/// The last JWKS fetch: when it ended and how.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LastFetch {
    /// When the fetch ended (by the verifier's clock).
    pub at: SystemTime,
    /// How it ended.
    pub outcome: FetchOutcome,
}

/// A snapshot of a [`JwksVerifier`](crate::JwksVerifier)'s key set and counters.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct JwksStatus {
    /// Fresh, stale, expired or empty.
    pub state: KeySetState,
    /// The key ids of the cached set, in document order.
    pub key_ids: Vec<String>,
    /// When the cached set was fetched (`None` for a static set).
    pub fetched_at: Option<SystemTime>,
    /// Until when the cached set is fresh (`None` for a static set: always).
    pub fresh_until: Option<SystemTime>,
    /// Until when the cached set may be served while refreshes fail (`None` for a static set).
    pub stale_until: Option<SystemTime>,
    /// The last fetch, successful or not.
    pub last_fetch: Option<LastFetch>,
    /// JWKS requests started (successful or not).
    pub fetch_count: u64,
    /// JWKS requests that failed.
    pub failed_fetch_count: u64,
    /// Refetches triggered by a token naming an unknown `kid`.
    pub unknown_kid_refetch_count: u64,
    /// Whether a fetch is running now.
    pub fetch_in_flight: bool,
    /// The verified-token cache's counters, when it is enabled.
    pub token_cache: Option<TokenCacheStats>,
}

impl JwksStatus {
    /// Whether verifications can be answered without waiting for the network (fresh, stale or
    /// static).
    pub fn is_usable(&self) -> bool {
        matches!(
            self.state,
            KeySetState::Fresh | KeySetState::Stale | KeySetState::Static
        )
    }
}
