//! [`Memory`]: a bounded set of session ids, each remembered for a while (the sessions seen
//! listed, the sessions found ended). Deadlines run on Tokio's clock, like every cache of this
//! crate, so tests drive them with paused time; moka's expiry of the same length only reclaims
//! the memory.

use std::time::Duration;

use moka::sync::Cache;
use tokio::time::Instant;

/// Session ids remembered for `ttl` after they were last inserted.
pub(super) struct Memory {
    ids: Cache<String, Instant>,
    ttl: Duration,
}

impl Memory {
    /// At most `capacity` ids, each for `ttl`.
    pub(super) fn new(capacity: u64, ttl: Duration) -> Self {
        Memory {
            ids: Cache::builder()
                .max_capacity(capacity)
                .time_to_live(ttl)
                .build(),
            ttl,
        }
    }

    /// Remembers `id` for the TTL from now (again, if it was).
    pub(super) fn insert(&self, id: &str) {
        self.ids.insert(id.to_owned(), Instant::now() + self.ttl);
    }

    /// Whether `id` is remembered.
    pub(super) fn contains(&self, id: &str) -> bool {
        self.ids.get(id).is_some_and(|until| Instant::now() < until)
    }

    /// Forgets `id`; whether it was remembered (only one of concurrent callers gets `true`).
    pub(super) fn remove(&self, id: &str) -> bool {
        self.ids
            .remove(id)
            .is_some_and(|until| Instant::now() < until)
    }

    /// About how many ids are held (moka's count: expired ones not reclaimed yet included).
    pub(super) fn len(&self) -> u64 {
        self.ids.entry_count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn ids_are_remembered_for_the_ttl_and_removed_once() {
        let memory = Memory::new(10, Duration::from_secs(60));
        memory.insert("s1");
        tokio::time::advance(Duration::from_secs(59)).await;
        assert!(memory.contains("s1"));
        memory.insert("s1");
        tokio::time::advance(Duration::from_secs(59)).await;
        assert!(memory.contains("s1"), "inserting again restarts the ttl");
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(!memory.contains("s1"));
        memory.insert("s2");
        assert!(memory.remove("s2"));
        assert!(!memory.remove("s2"), "only once");
        assert!(!memory.contains("s2"));
    }
}
