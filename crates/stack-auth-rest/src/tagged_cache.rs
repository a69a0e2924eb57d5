//! [`TaggedCache`]: the one cache every capability of this crate keeps its answers in: a
//! bounded moka cache with a lifetime per entry, plus a secondary index from [`Tag`]s (a user, a
//! team, a key id) to the entries that mention them, so an [`Eviction`] drops exactly what it
//! names without scanning the cache.
//!
//! Lifetimes run on Tokio's monotonic clock (an entry is served only before its deadline, so
//! tests drive them with paused time); moka's own expiry of the same length only reclaims the
//! memory.

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, MutexGuard, PoisonError,
    },
    time::Duration,
};

use moka::{notification::RemovalCause, sync::Cache, Expiry};
use serde::{Deserialize, Serialize};
use stack_auth_core::Eviction;
use tokio::time::Instant;

/// What a cached answer mentions, for evictions (PROTOCOL §10.5.3's events, through core's
/// [`Eviction`]). It travels with an answer shared with the fleet (serde: a one-key object,
/// `{"user":"<id>"}`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Tag {
    /// The answer holds the user's profile (stale when the user is updated).
    Profile(String),
    /// The answer is about the user (void when the user is deleted).
    User(String),
    /// The user's permissions in, or membership of, the team.
    TeamUser(String, String),
    /// The user's project permissions.
    ProjectPermissions(String),
    /// The list of the user's teams.
    TeamsOf(String),
    /// The answer mentions the team.
    Team(String),
    /// The answer is about the API key with this id.
    ApiKey(String),
}

/// The tags an eviction voids; `None` for [`Eviction::All`] (and for any eviction this crate
/// does not know yet: dropping everything is never wrong).
pub(crate) fn tags_of(eviction: &Eviction) -> Option<Vec<Tag>> {
    Some(match eviction {
        Eviction::UserUpdated { user_id } => vec![Tag::Profile(user_id.clone())],
        Eviction::UserDeleted { user_id } => vec![Tag::User(user_id.clone())],
        // Stack Auth answers about a token the same after its session ended (PROTOCOL
        // §10.4.4), so nothing cached here is about sessions.
        Eviction::SessionEnded { .. } => Vec::new(),
        Eviction::TeamPermissions { team_id, user_id } => {
            vec![Tag::TeamUser(team_id.clone(), user_id.clone())]
        }
        Eviction::ProjectPermissions { user_id } => {
            vec![Tag::ProjectPermissions(user_id.clone())]
        }
        Eviction::TeamMembership { team_id, user_id } => vec![
            Tag::TeamUser(team_id.clone(), user_id.clone()),
            Tag::TeamsOf(user_id.clone()),
        ],
        Eviction::Team { team_id } => vec![Tag::Team(team_id.clone())],
        Eviction::ApiKey { key_id } => vec![Tag::ApiKey(key_id.clone())],
        _ => return None,
    })
}

/// A cached value, how long it may be kept, and what it mentions.
#[derive(Clone)]
struct Entry<V> {
    value: V,
    ttl: Duration,
    /// When it stops being served (Tokio's clock).
    expires_at: Instant,
    tags: Arc<[Tag]>,
    /// Tells this entry's index registrations from those of an entry that replaced it.
    generation: u64,
}

struct EntryExpiry;

impl<K, V> Expiry<K, Entry<V>> for EntryExpiry {
    fn expire_after_create(
        &self,
        _key: &K,
        value: &Entry<V>,
        _created_at: std::time::Instant,
    ) -> Option<Duration> {
        Some(value.ttl)
    }
}

/// Tag → the keys of the entries that mention it, with their generations.
type Index<K> = Mutex<HashMap<Tag, HashMap<K, u64>>>;

fn lock<K>(index: &Index<K>) -> MutexGuard<'_, HashMap<Tag, HashMap<K, u64>>> {
    // Every update is a plain insert or remove: the map stays consistent after a panic.
    index.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A bounded cache with a lifetime per entry and an index by [`Tag`].
pub(crate) struct TaggedCache<K, V> {
    cache: Cache<K, Entry<V>>,
    index: Arc<Index<K>>,
    generations: AtomicU64,
}

impl<K, V> TaggedCache<K, V>
where
    K: Hash + Eq + Clone + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// A cache of at most `capacity` entries.
    pub(crate) fn new(capacity: u64) -> Self {
        let index: Arc<Index<K>> = Arc::default();
        let listener_index = Arc::clone(&index);
        let cache = Cache::builder()
            .max_capacity(capacity)
            .expire_after(EntryExpiry)
            .eviction_listener(move |key: Arc<K>, entry: Entry<V>, _cause: RemovalCause| {
                unregister(&listener_index, &key, &entry);
            })
            .build();
        TaggedCache {
            cache,
            index,
            generations: AtomicU64::new(0),
        }
    }

    /// The fresh value for `key` (or a borrowed form of it, as `&str` for a `String` key), if
    /// any.
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.cache
            .get(key)
            .filter(|e| Instant::now() < e.expires_at)
            .map(|e| e.value)
    }

    /// Keeps `value` for `ttl` (nothing when `ttl` is zero), findable by `tags`.
    pub(crate) fn insert(&self, key: K, value: V, ttl: Duration, tags: Vec<Tag>) {
        if ttl.is_zero() {
            return;
        }
        let generation = self.generations.fetch_add(1, Ordering::Relaxed);
        let tags: Arc<[Tag]> = tags.into();
        {
            let mut index = lock(&self.index);
            for tag in tags.iter() {
                index
                    .entry(tag.clone())
                    .or_default()
                    .insert(key.clone(), generation);
            }
        }
        let entry = Entry {
            value,
            ttl,
            expires_at: Instant::now() + ttl,
            tags,
            generation,
        };
        self.cache.insert(key, entry);
    }

    /// Drops what `eviction` makes stale: the entries of its tags, or everything.
    pub(crate) fn evict(&self, eviction: &Eviction) {
        let Some(tags) = tags_of(eviction) else {
            self.cache.invalidate_all();
            return;
        };
        let keys: Vec<K> = {
            let index = lock(&self.index);
            tags.iter()
                .filter_map(|tag| index.get(tag))
                .flat_map(|keys| keys.keys().cloned())
                .collect()
        };
        for key in keys {
            self.cache.invalidate(&key);
        }
    }

    /// How many tags the index holds (for tests: it must not outgrow the cache).
    #[cfg(test)]
    pub(crate) fn indexed_tags(&self) -> usize {
        self.cache.run_pending_tasks();
        lock(&self.index).len()
    }
}

/// Removes the index registrations of `entry` (and only its own, by generation).
fn unregister<K: Hash + Eq, V>(index: &Index<K>, key: &K, entry: &Entry<V>) {
    let mut index = lock(index);
    for tag in entry.tags.iter() {
        if let Some(keys) = index.get_mut(tag) {
            if keys.get(key) == Some(&entry.generation) {
                keys.remove(key);
            }
            if keys.is_empty() {
                index.remove(tag);
            }
        }
    }
}

impl<K, V> std::fmt::Debug for TaggedCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaggedCache")
            .field("entries", &self.cache.entry_count())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: &str) -> Vec<Tag> {
        vec![Tag::Profile(id.into()), Tag::User(id.into())]
    }

    #[test]
    fn an_eviction_drops_exactly_the_entries_it_names() {
        let cache: TaggedCache<u32, &str> = TaggedCache::new(100);
        let ttl = Duration::from_secs(60);
        cache.insert(1, "ada's profile", ttl, user("ada"));
        cache.insert(2, "bob's profile", ttl, user("bob"));
        let mut perms = vec![Tag::TeamUser("t1".into(), "ada".into())];
        perms.extend([Tag::User("ada".into()), Tag::Team("t1".into())]);
        cache.insert(3, "ada's permissions in t1", ttl, perms);

        cache.evict(&Eviction::UserUpdated {
            user_id: "ada".into(),
        });
        assert_eq!(cache.get(&1), None);
        assert_eq!(cache.get(&2), Some("bob's profile"));
        assert_eq!(
            cache.get(&3),
            Some("ada's permissions in t1"),
            "not a profile"
        );

        cache.evict(&Eviction::TeamPermissions {
            team_id: "t1".into(),
            user_id: "bob".into(),
        });
        assert!(cache.get(&3).is_some(), "another user");
        cache.evict(&Eviction::Team {
            team_id: "t1".into(),
        });
        assert_eq!(cache.get(&3), None);
        cache.evict(&Eviction::All);
        assert_eq!(cache.get(&2), None);
        assert_eq!(cache.indexed_tags(), 0, "the index follows the cache");
    }

    #[tokio::test(start_paused = true)]
    async fn entries_are_served_until_their_deadline_on_tokios_clock() {
        let cache: TaggedCache<u32, u8> = TaggedCache::new(100);
        cache.insert(1, 1, Duration::from_secs(30), Vec::new());
        tokio::time::advance(Duration::from_millis(29_999)).await;
        assert_eq!(cache.get(&1), Some(1));
        tokio::time::advance(Duration::from_millis(1)).await;
        assert_eq!(cache.get(&1), None);
    }

    #[test]
    fn a_replaced_entry_keeps_the_new_ones_tags() {
        let cache: TaggedCache<u32, u8> = TaggedCache::new(100);
        let ttl = Duration::from_secs(60);
        cache.insert(1, 1, ttl, user("ada"));
        cache.insert(1, 2, ttl, user("ada"));
        cache.indexed_tags();
        cache.evict(&Eviction::UserDeleted {
            user_id: "ada".into(),
        });
        assert_eq!(cache.get(&1), None, "the replacement is still indexed");
        cache.insert(2, 3, Duration::ZERO, user("bob"));
        assert_eq!(cache.get(&2), None, "a zero lifetime keeps nothing");
        assert_eq!(cache.indexed_tags(), 0);
    }
}
