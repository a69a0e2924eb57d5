//! [`RecentDeliveries`]: the message ids accepted lately, to recognise a delivery seen before.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::{Duration, SystemTime},
};

use stack_auth_core::observe::{millis, unix_millis};

/// What a delivery is, against the ones accepted lately.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seen {
    /// Its message id is new: remembered now.
    New,
    /// Its message id was accepted before, signed at another time: Svix delivering the message
    /// again (each attempt is signed afresh). The attempt is remembered too.
    Duplicate,
    /// The very same signed request (id and timestamp) was accepted before (first or as a
    /// duplicate): a copy.
    Replayed,
}

/// How many attempts (timestamps) of one message are remembered; Svix makes fewer.
const ATTEMPTS_KEPT: usize = 16;

#[derive(Debug, Default)]
struct Ids {
    /// Message id → the timestamps of its attempts accepted so far, and until when it is kept
    /// (Unix milliseconds).
    by_id: HashMap<Arc<str>, (Vec<i64>, u64)>,
    /// The ids in the order they were accepted, for expiry and the capacity bound.
    order: VecDeque<(Arc<str>, u64)>,
}

impl Ids {
    /// Forgets the oldest ids while `forget(until, held)` says so.
    fn forget_while(&mut self, forget: impl Fn(u64, usize) -> bool) {
        while let Some((old, until)) = self.order.front().cloned() {
            if !forget(until, self.order.len()) {
                break;
            }
            self.order.pop_front();
            // The same id accepted again later keeps its newer entry.
            if self.by_id.get(&old).is_some_and(|(_, u)| *u == until) {
                self.by_id.remove(&old);
            }
        }
    }
}

/// A bounded memory of accepted message ids, each kept for a window on the receiver's clock.
#[derive(Debug)]
pub(crate) struct RecentDeliveries {
    ids: Mutex<Ids>,
    window: Duration,
    capacity: usize,
}

impl RecentDeliveries {
    /// Remembers at most `capacity` ids, each for `window`.
    pub(crate) fn new(window: Duration, capacity: usize) -> Self {
        RecentDeliveries {
            ids: Mutex::default(),
            window,
            capacity,
        }
    }

    /// Tells whether `id` (signed at `timestamp`) was accepted lately, and remembers it if not.
    /// Check and insertion are one step: of two identical deliveries at once, one is new.
    pub(crate) fn check_and_insert(&self, id: &str, timestamp: i64, now: SystemTime) -> Seen {
        let now_ms = unix_millis(now);
        let mut ids = self.ids.lock().unwrap_or_else(|e| e.into_inner());
        ids.forget_while(|until, _| until <= now_ms);
        if let Some((attempts, until)) = ids.by_id.get_mut(id) {
            if *until > now_ms {
                if attempts.contains(&timestamp) {
                    return Seen::Replayed;
                }
                if attempts.len() == ATTEMPTS_KEPT {
                    attempts.remove(0);
                }
                attempts.push(timestamp);
                return Seen::Duplicate;
            }
        }
        let capacity = self.capacity;
        ids.forget_while(|_, len| len >= capacity);
        let until = now_ms.saturating_add(millis(self.window));
        let id: Arc<str> = Arc::from(id);
        ids.by_id.insert(Arc::clone(&id), (vec![timestamp], until));
        ids.order.push_back((id, until));
        Seen::New
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn new_then_replayed_or_duplicate_until_the_window_passes() {
        let recent = RecentDeliveries::new(Duration::from_secs(3600), 100);
        assert_eq!(recent.check_and_insert("msg_a", 100, at(100)), Seen::New);
        assert_eq!(
            recent.check_and_insert("msg_a", 100, at(101)),
            Seen::Replayed
        );
        assert_eq!(
            recent.check_and_insert("msg_a", 105, at(105)),
            Seen::Duplicate
        );
        assert_eq!(recent.check_and_insert("msg_b", 100, at(105)), Seen::New);
        assert_eq!(
            recent.check_and_insert("msg_a", 3699, at(3699)),
            Seen::Duplicate
        );
        assert_eq!(
            recent.check_and_insert("msg_a", 3700, at(3700)),
            Seen::New,
            "forgotten"
        );
        assert_eq!(
            recent.check_and_insert("msg_a", 3700, at(3701)),
            Seen::Replayed
        );
    }

    #[test]
    fn the_oldest_ids_make_room_beyond_the_capacity() {
        let recent = RecentDeliveries::new(Duration::from_secs(3600), 2);
        for id in ["msg_1", "msg_2", "msg_3"] {
            assert_eq!(recent.check_and_insert(id, 1, at(1)), Seen::New);
        }
        assert_eq!(recent.check_and_insert("msg_3", 1, at(2)), Seen::Replayed);
        assert_eq!(
            recent.check_and_insert("msg_1", 1, at(2)),
            Seen::New,
            "pushed out"
        );
        let ids = recent.ids.lock().unwrap();
        assert_eq!((ids.order.len(), ids.by_id.len()), (2, 2));
    }
}
