//! The caches built on a [`ServerApi`], so one [`Evict`] call reaches all of them: the server
//! API implements [`Evict`] by telling every cache of every capability built on it (the
//! verifier's verdicts, users, API key verdicts, permission lists, teams, sessions).
//!
//! The registry holds the caches weakly: a capability that is dropped leaves it (its entry is
//! pruned on the next registration), and the server API never keeps a cache alive, so no
//! reference cycle forms between a capability and the server API it holds.

use std::{
    fmt,
    sync::{Arc, Mutex, MutexGuard, PoisonError, Weak},
};

use stack_auth_core::{Evict, Eviction};

use crate::ServerApi;

/// The live caches of one server API.
#[derive(Default)]
pub(crate) struct Caches {
    list: Mutex<Vec<Weak<dyn Evict>>>,
}

impl Caches {
    fn lock(&self) -> MutexGuard<'_, Vec<Weak<dyn Evict>>> {
        // A push or a retain: the list stays consistent after a panic.
        self.list.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds `cache`, dropping the registrations of caches that are gone.
    pub(crate) fn register(&self, cache: Weak<dyn Evict>) {
        let mut list = self.lock();
        list.retain(|c| c.strong_count() > 0);
        list.push(cache);
    }

    /// The caches still alive (taken out of the lock, so evicting never holds it).
    fn live(&self) -> Vec<Arc<dyn Evict>> {
        self.lock().iter().filter_map(Weak::upgrade).collect()
    }
}

impl fmt::Debug for Caches {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Caches")
            .field("live", &self.live().len())
            .finish()
    }
}

impl ServerApi {
    /// Registers a cache of a capability built on this server API (see [`Evict for
    /// ServerApi`](#impl-Evict-for-ServerApi)).
    pub(crate) fn register_cache(&self, cache: Weak<dyn Evict>) {
        self.inner.caches.register(cache);
    }

    /// How many caches built on this server API are alive (each capability has one or two).
    pub fn cache_count(&self) -> usize {
        self.inner.caches.live().len()
    }
}

/// Tells every cache built on this server API: the [`RestVerifier`](crate::RestVerifier)'s
/// verdicts and the caches of [`Users`](crate::Users), [`ApiKeys`](crate::ApiKeys),
/// [`Permissions`](crate::Permissions), [`Teams`](crate::Teams) and
/// [`Sessions`](crate::Sessions), whichever exist; each drops exactly what the eviction names.
/// Register the server API (or a verifier built on it: a `RestVerifier` evicts through its
/// server API, and so does a composite through its `RestVerifier`) with a webhook receiver or
/// an [`EvictionHub`](stack_auth_core::EvictionHub) once, not each capability.
///
/// ```
/// use stack_auth_core::{Evict, Eviction};
/// use stack_auth_rest::{Permissions, ServerApi, Teams};
///
/// let api = ServerApi::builder("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e", "ssk_example").build()?;
/// let (permissions, teams) = (Permissions::new(&api), Teams::new(&api));
/// assert_eq!(api.cache_count(), 3); // the permission lists, the token checks, the teams
/// api.evict(&Eviction::TeamMembership {
///     team_id: "7b1c5e0a-2d3f-4a5b-8c9d-0e1f2a3b4c5d".into(),
///     user_id: "3241a285-8329-4d69-8f3d-316e08cf140c".into(),
/// });
/// drop(teams);
/// assert_eq!(api.cache_count(), 2);
/// # let _ = permissions;
/// # Ok::<(), stack_auth_core::ConfigError>(())
/// ```
impl Evict for ServerApi {
    fn evict(&self, eviction: &Eviction) {
        for cache in self.inner.caches.live() {
            cache.evict(eviction);
        }
    }
}
