//! [`Evict`]: how a cache hears that what it holds went stale (a Stack Auth webhook, an explicit
//! call, a session found ended), without the caller naming the cache or the cache naming the
//! caller.
//!
//! Every caching verifier of the SDK implements [`Evict`]; a webhook receiver, an application
//! or a fleet-wide eviction bus calls it. [`EvictionHub`] fans one eviction out to every
//! registered cache of the process.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use stack_auth_core::{Evict, Eviction, EvictionHub};
//!
//! #[derive(Debug, Default)]
//! struct Log(Mutex<Vec<Eviction>>);
//! impl Evict for Log {
//!     fn evict(&self, eviction: &Eviction) {
//!         self.0.lock().unwrap().push(eviction.clone());
//!     }
//! }
//!
//! let log = Arc::new(Log::default());
//! let hub = EvictionHub::new();
//! hub.register(log.clone());
//! hub.evict(&Eviction::UserDeleted { user_id: "3241a285-8329-4d69-8f3d-316e08cf140c".into() });
//! assert_eq!(log.0.lock().unwrap().len(), 1);
//! ```

use std::{
    fmt,
    sync::{Arc, RwLock},
};

use serde::{Deserialize, Serialize};

/// What became stale. Each variant names the smallest set of cached answers it voids; a cache
/// drops exactly those (and nothing when it holds none), and must do so without scanning all of
/// its entries.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Eviction {
    /// The user's profile changed (`user.updated`): cached profiles of this user are stale.
    /// Verdicts on their tokens stay valid (the tokens did not change).
    UserUpdated {
        /// The user's id.
        user_id: String,
    },
    /// The user was deleted (`user.deleted`): every cached answer about this user is void, and
    /// verifiers that can refuse the user's still-unexpired tokens should do so until the
    /// longest token lifetime has passed.
    UserDeleted {
        /// The user's id.
        user_id: String,
    },
    /// A session ended (signed out, deleted, or found missing): tokens minted from it
    /// (`refresh_token_id`) are no longer accepted where a session policy applies.
    SessionEnded {
        /// The session's owner.
        user_id: String,
        /// The session id (the tokens' `refresh_token_id`).
        session_id: String,
    },
    /// The user's permissions in the team changed (`team_permission.*`).
    TeamPermissions {
        /// The team.
        team_id: String,
        /// The user.
        user_id: String,
    },
    /// The user's project permissions changed (`project_permission.*`).
    ProjectPermissions {
        /// The user.
        user_id: String,
    },
    /// The user joined or left the team (`team_membership.*`): membership and the user's
    /// permissions in the team are stale.
    TeamMembership {
        /// The team.
        team_id: String,
        /// The user.
        user_id: String,
    },
    /// The team changed or was deleted (`team.updated`, `team.deleted`): everything cached about
    /// the team (its data, memberships and permissions in it) is stale.
    Team {
        /// The team.
        team_id: String,
    },
    /// An API key is no longer good (revoked or expired), by the key's id (the `id` of the key
    /// object, PROTOCOL §10.2.2; never the key string).
    ApiKey {
        /// The key's id.
        key_id: String,
    },
    /// Everything cached is stale.
    All,
}

/// A cache that can drop what an [`Eviction`] makes stale. Implemented by every caching
/// verifier of the SDK; called by webhook receivers, applications and eviction buses.
///
/// `evict` must be cheap and must not block: it runs on the caller's task (a webhook handler,
/// say). It cannot fail: a cache that holds nothing the eviction names does nothing.
pub trait Evict: Send + Sync + fmt::Debug {
    /// Drops what `eviction` makes stale.
    fn evict(&self, eviction: &Eviction);
}

impl<T: Evict + ?Sized> Evict for &T {
    fn evict(&self, eviction: &Eviction) {
        (**self).evict(eviction);
    }
}

impl<T: Evict + ?Sized> Evict for Box<T> {
    fn evict(&self, eviction: &Eviction) {
        (**self).evict(eviction);
    }
}

impl<T: Evict + ?Sized> Evict for Arc<T> {
    fn evict(&self, eviction: &Eviction) {
        (**self).evict(eviction);
    }
}

/// The caches of a process, each told about every eviction: wire a webhook receiver (or an
/// eviction bus) to a hub once, and register each verifier with it. Cloning shares the hub.
///
/// Do not register a hub with itself (directly or through another hub): an eviction would go
/// round for ever.
#[derive(Clone, Default)]
pub struct EvictionHub {
    sinks: Arc<RwLock<Vec<Arc<dyn Evict>>>>,
}

impl EvictionHub {
    /// An empty hub.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `sink`; it hears every later eviction.
    pub fn register(&self, sink: Arc<dyn Evict>) {
        let mut sinks = self.sinks.write().unwrap_or_else(|e| e.into_inner());
        sinks.push(sink);
    }

    /// How many caches are registered.
    pub fn len(&self) -> usize {
        self.sinks.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether no cache is registered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Evict for EvictionHub {
    fn evict(&self, eviction: &Eviction) {
        let sinks = self.sinks.read().unwrap_or_else(|e| e.into_inner()).clone();
        for sink in sinks {
            sink.evict(eviction);
        }
    }
}

impl fmt::Debug for EvictionHub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EvictionHub")
            .field("caches", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[derive(Debug, Default)]
    struct Log(Mutex<Vec<Eviction>>);

    impl Evict for Log {
        fn evict(&self, eviction: &Eviction) {
            self.0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(eviction.clone());
        }
    }

    impl Log {
        fn seen(&self) -> Vec<Eviction> {
            self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
        }
    }

    #[test]
    fn a_hub_tells_every_registered_cache_and_clones_share_it() {
        let (a, b) = (Arc::new(Log::default()), Arc::new(Log::default()));
        let hub = EvictionHub::new();
        assert!(hub.is_empty());
        hub.register(a.clone());
        hub.clone().register(b.clone());
        assert_eq!(hub.len(), 2);
        let gone = Eviction::UserDeleted {
            user_id: "u1".into(),
        };
        hub.evict(&gone);
        let shared: Arc<dyn Evict> = Arc::new(hub.clone());
        shared.evict(&Eviction::All);
        assert_eq!(a.seen(), [gone.clone(), Eviction::All]);
        assert_eq!(b.seen(), [gone, Eviction::All]);
    }

    #[test]
    fn evictions_travel_as_tagged_json() {
        let e = Eviction::TeamPermissions {
            team_id: "t".into(),
            user_id: "u".into(),
        };
        let text = serde_json::to_string(&e).unwrap_or_default();
        assert_eq!(
            text,
            r#"{"kind":"team_permissions","team_id":"t","user_id":"u"}"#
        );
        assert_eq!(serde_json::from_str::<Eviction>(&text).ok(), Some(e));
        assert_eq!(
            serde_json::to_string(&Eviction::All).unwrap_or_default(),
            r#"{"kind":"all"}"#
        );
    }
}
