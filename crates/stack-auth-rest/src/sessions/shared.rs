//! [`SharedLists`]: the fleet's copy of users' session lists, so N processes checking the same
//! user's sessions ask Stack Auth once per cache TTL between them, not N times.
//!
//! A list is stored under [`CacheNamespace::SESSIONS`], keyed by the SHA-256 of the user id, as
//! a JSON array of the listed session ids, for the time this process would keep it, tagged with
//! the user and with every session in it: an
//! [`Eviction::SessionEnded`](stack_auth_core::Eviction::SessionEnded) or `UserDeleted` voids
//! it for the fleet (through the eviction bus), so the next check asks Stack Auth again. What a
//! process has seen and found ended stays its own: ended sessions travel as evictions.

use std::{sync::Arc, time::Duration};

use stack_auth_core::{CacheKey, CacheNamespace, CacheScope, CacheTag, DynSharedCache};

use super::list::Listed;
use crate::ServerApi;

/// Users' session lists in the fleet's shared cache.
pub(super) struct SharedLists {
    cache: Arc<DynSharedCache>,
    /// The project every key is made in.
    scope: CacheScope,
}

impl SharedLists {
    /// The lists on `api`'s shared cache, if it has one.
    pub(super) fn of(api: &ServerApi) -> Option<Self> {
        Some(SharedLists {
            cache: Arc::clone(api.inner.shared.as_ref()?),
            scope: CacheScope::of(api.config()),
        })
    }

    /// `user`'s list as another process stored it, and how long it has left; `None` when it
    /// is absent, unreadable, or the shared cache is slow or down.
    pub(super) async fn read(&self, user: &str) -> Option<(Listed, Duration)> {
        let hit = self
            .cache
            .get(CacheNamespace::SESSIONS, &self.key(user))
            .await?;
        let ids: Vec<String> = serde_json::from_slice(hit.value()).ok()?;
        Some((Arc::new(ids.into_iter().collect()), hit.remaining()))
    }

    /// Stores `user`'s list for `ttl`, voided when the user or any of its sessions is evicted.
    pub(super) async fn write(&self, user: &str, listed: &Listed, ttl: Duration) {
        let Ok(value) = serde_json::to_vec(listed.as_ref()) else {
            return;
        };
        let mut tags = Vec::with_capacity(listed.len() + 1);
        tags.push(CacheTag::User(user.to_owned()));
        tags.extend(listed.iter().map(|id| CacheTag::Session(id.clone())));
        self.cache
            .put(
                CacheNamespace::SESSIONS,
                &self.key(user),
                &value,
                ttl,
                &tags,
            )
            .await;
    }
}

impl std::fmt::Debug for SharedLists {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedLists")
            .field("cache", &self.cache)
            .finish()
    }
}

impl SharedLists {
    /// The key of `user`'s list in this project: never the id itself.
    fn key(&self, user: &str) -> CacheKey {
        self.scope.key(&[b"sessions", user.as_bytes()])
    }
}
