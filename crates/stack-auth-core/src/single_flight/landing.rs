//! [`Landing`]: takes a flight out of the map when its task ends, however it ends.

use std::{hash::Hash, sync::Weak};

use super::Inner;

/// Owned by the task that drives a flight: dropped when the task finishes, panics or is
/// dropped with its runtime, it removes the flight (if it is still this one) so the next caller
/// starts afresh.
pub(super) struct Landing<K: Eq + Hash, T: Clone> {
    inner: Weak<Inner<K, T>>,
    key: Option<K>,
    id: u64,
}

impl<K: Eq + Hash, T: Clone> Landing<K, T> {
    pub(super) fn new(inner: Weak<Inner<K, T>>, key: K, id: u64) -> Self {
        Landing {
            inner,
            key: Some(key),
            id,
        }
    }
}

impl<K: Eq + Hash, T: Clone> Drop for Landing<K, T> {
    fn drop(&mut self) {
        let (Some(inner), Some(key)) = (self.inner.upgrade(), self.key.take()) else {
            return;
        };
        let removed = {
            let mut map = inner.lock();
            match map.get(&key) {
                Some((id, _)) if *id == self.id => map.remove(&key),
                _ => None,
            }
        };
        // Dropped after the lock is released: it may be the flight's last handle, whose work
        // holds the other landing, which takes the same lock.
        drop(removed);
    }
}
