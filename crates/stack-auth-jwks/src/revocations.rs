//! [`Revocations`]: the users deleted and sessions ended this verifier was told about (an
//! [`Eviction`](stack_auth_core::Eviction)), each refused until every token minted before the
//! news could have expired.
//!
//! Checked on every verification, cached or not, so it must cost nothing when it is empty (one
//! atomic load) and little otherwise (a wall-clock comparison, then two hash lookups under a
//! read lock). Nothing here scans the token cache: a revoked user's cached verdicts stay where
//! they are and are refused when looked up, until they expire on their own.

use std::{
    collections::{HashMap, VecDeque},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, RwLock,
    },
    time::{Duration, SystemTime},
};

use stack_auth_core::{
    observe::{millis, unix_millis},
    AccessTokenClaims, Refusal, RefusalReason,
};

/// What is refused: a user (deleted) or a session (ended).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    User,
    Session,
}

/// The revoked ids and their deadlines (Unix milliseconds).
#[derive(Debug, Default)]
struct Entries {
    users: HashMap<Arc<str>, u64>,
    sessions: HashMap<Arc<str>, u64>,
    /// Every entry in the order it was made: nearly all last the whole window, so deadlines
    /// grow along the queue (a wall-clock step back, or the shorter rest of a revocation learnt
    /// from the fleet, only delays the pruning of a few entries by at most a window, never a
    /// refusal: an entry refuses only before its own deadline).
    order: VecDeque<(Kind, Arc<str>, u64)>,
}

impl Entries {
    fn map(&mut self, kind: Kind) -> &mut HashMap<Arc<str>, u64> {
        match kind {
            Kind::User => &mut self.users,
            Kind::Session => &mut self.sessions,
        }
    }

    /// Drops the entries whose deadline has passed, oldest first.
    fn prune(&mut self, now_ms: u64) {
        while let Some((kind, id, until)) = self.order.front().cloned() {
            if until > now_ms {
                break;
            }
            self.order.pop_front();
            // A later revocation of the same id moved its deadline: keep that one.
            let map = self.map(kind);
            if map.get(&id) == Some(&until) {
                map.remove(&id);
            }
        }
    }
}

/// Users and sessions refused for a while after an eviction said so.
#[derive(Debug)]
pub(crate) struct Revocations {
    /// The latest deadline of any entry (Unix milliseconds); 0 when none was ever made. Read
    /// first, without a lock: past it, nothing is refused.
    until_ms: AtomicU64,
    entries: RwLock<Entries>,
    /// How long an entry refuses: the longest token lifetime plus the `exp` leeway.
    window: Duration,
}

impl Revocations {
    /// An empty set whose entries refuse for `window`.
    pub(crate) fn new(window: Duration) -> Self {
        Revocations {
            until_ms: AtomicU64::new(0),
            entries: RwLock::default(),
            window,
        }
    }

    /// How long an entry refuses.
    pub(crate) fn window(&self) -> Duration {
        self.window
    }

    /// Refuses `user_id`'s tokens from `now` until the window has passed.
    pub(crate) fn revoke_user(&self, user_id: &str, now: SystemTime) {
        self.insert(Kind::User, user_id, now, self.window);
    }

    /// Refuses tokens whose `refresh_token_id` is `session_id` from `now` until the window has
    /// passed.
    pub(crate) fn end_session(&self, session_id: &str, now: SystemTime) {
        self.insert(Kind::Session, session_id, now, self.window);
    }

    /// Refuses `kind`'s `id` from `now` for `lasts` (what is left of a revocation another
    /// process made), at most the window.
    pub(crate) fn revoke_for(&self, kind: Kind, id: &str, now: SystemTime, lasts: Duration) {
        self.insert(kind, id, now, lasts.min(self.window));
    }

    fn insert(&self, kind: Kind, id: &str, now: SystemTime, lasts: Duration) {
        let now_ms = unix_millis(now);
        let until = now_ms.saturating_add(millis(lasts));
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        entries.prune(now_ms);
        let id: Arc<str> = Arc::from(id);
        let deadline = entries.map(kind).entry(Arc::clone(&id)).or_default();
        *deadline = (*deadline).max(until);
        let until = *deadline;
        entries.order.push_back((kind, id, until));
        // Published after the entry, under the lock: a check that sees the new deadline sees
        // the entry.
        self.until_ms.fetch_max(until, Ordering::Release);
    }

    /// Whether `claims` belong to a revoked user or session; `now` is read only when something
    /// may be revoked.
    ///
    /// # Errors
    ///
    /// `user_not_found` for a deleted user, `session_ended` for an ended session.
    pub(crate) fn check(
        &self,
        claims: &AccessTokenClaims,
        now: impl FnOnce() -> SystemTime,
    ) -> Result<(), Refusal> {
        let latest = self.until_ms.load(Ordering::Acquire);
        if latest == 0 {
            return Ok(());
        }
        let now_ms = unix_millis(now());
        if now_ms >= latest {
            return Ok(());
        }
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let live =
            |map: &HashMap<Arc<str>, u64>, id: &str| map.get(id).is_some_and(|&u| now_ms < u);
        if live(&entries.users, &claims.sub) {
            return Err(Refusal::new(RefusalReason::UserNotFound)
                .with_detail("the user was deleted (a revocation this verifier was told about)"));
        }
        if let Some(session) = &claims.refresh_token_id {
            if live(&entries.sessions, session) {
                return Err(Refusal::new(RefusalReason::SessionEnded)
                    .with_detail("the session ended (a revocation this verifier was told about)"));
            }
        }
        Ok(())
    }

    /// Entries held (expired ones not pruned yet included).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .order
            .len()
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    const T0: u64 = 1_767_225_600;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    fn claims(sub: &str, session: Option<&str>) -> AccessTokenClaims {
        let mut claims: AccessTokenClaims = serde_json::from_value(serde_json::json!({
            "sub": sub, "project_id": "p", "branch_id": "main", "iss": "i", "aud": "p",
            "exp": T0 + 600, "role": "authenticated",
        }))
        .unwrap();
        claims.refresh_token_id = session.map(str::to_owned);
        claims
    }

    fn reason(r: &Revocations, c: &AccessTokenClaims, now: u64) -> Option<RefusalReason> {
        r.check(c, || at(now)).err().map(|e| e.reason())
    }

    #[test]
    fn an_empty_set_never_reads_the_clock() {
        let r = Revocations::new(Duration::from_secs(605));
        let c = claims("u1", Some("s1"));
        assert!(r.check(&c, || panic!("the clock was read")).is_ok());
    }

    #[test]
    fn users_and_sessions_are_refused_for_the_window_only() {
        let r = Revocations::new(Duration::from_secs(605));
        r.revoke_user("u1", at(T0));
        r.end_session("s2", at(T0 + 10));
        let (u1, u2_s2, u2_s3, u3) = (
            claims("u1", Some("s1")),
            claims("u2", Some("s2")),
            claims("u2", Some("s3")),
            claims("u3", None),
        );
        assert_eq!(reason(&r, &u1, T0), Some(RefusalReason::UserNotFound));
        assert_eq!(
            reason(&r, &u2_s2, T0 + 10),
            Some(RefusalReason::SessionEnded)
        );
        assert_eq!(reason(&r, &u2_s3, T0 + 10), None);
        assert_eq!(reason(&r, &u3, T0 + 10), None);
        assert_eq!(reason(&r, &u1, T0 + 604), Some(RefusalReason::UserNotFound));
        assert_eq!(reason(&r, &u1, T0 + 605), None, "the window has passed");
        assert_eq!(
            reason(&r, &u2_s2, T0 + 614),
            Some(RefusalReason::SessionEnded)
        );
        assert_eq!(reason(&r, &u2_s2, T0 + 615), None);
        // Past every deadline the lock-free check answers; the next revocation prunes.
        assert_eq!(r.len(), 2);
        r.revoke_user("u9", at(T0 + 700));
        assert_eq!(r.len(), 1);
        assert_eq!(reason(&r, &u1, T0 + 700), None);
    }

    #[test]
    fn a_repeated_revocation_extends_and_pruning_keeps_the_later_deadline() {
        let r = Revocations::new(Duration::from_secs(100));
        let u1 = claims("u1", None);
        r.revoke_user("u1", at(T0));
        r.revoke_user("u1", at(T0 + 50));
        r.revoke_user("other", at(T0 + 120));
        assert_eq!(reason(&r, &u1, T0 + 120), Some(RefusalReason::UserNotFound));
        assert_eq!(reason(&r, &u1, T0 + 150), None);
        // A wall clock stepped back does not shorten a deadline.
        r.revoke_user("u1", at(T0 + 200));
        r.revoke_user("late", at(T0 + 10));
        assert_eq!(reason(&r, &u1, T0 + 299), Some(RefusalReason::UserNotFound));
    }
}
