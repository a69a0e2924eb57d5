//! Sessions (refresh-token rows) of one project (PROTOCOL §10.4).

use crate::Session;

/// The rows in creation order.
#[derive(Debug, Default)]
pub(crate) struct SessionStore {
    rows: Vec<Session>,
}

impl SessionStore {
    /// A token was minted for `session_id` of `user_id` at `now`: a new row, or the row's
    /// `last_used_at` bumped (a refresh). Another user's row with that id is left alone.
    pub(crate) fn minted(&mut self, user_id: &str, session_id: &str, now: i64) {
        match self.rows.iter_mut().find(|s| s.id == session_id) {
            Some(row) if row.user_id == user_id => {
                row.last_used_at_millis = row.last_used_at_millis.max(now);
            }
            Some(_) => {}
            None => self.insert(user_id, session_id, false, now),
        }
    }

    pub(crate) fn insert(&mut self, user_id: &str, id: &str, impersonation: bool, now: i64) {
        self.rows.push(Session {
            id: id.to_owned(),
            user_id: user_id.to_owned(),
            created_at_millis: now,
            last_used_at_millis: now,
            is_impersonation: impersonation,
        });
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Session> {
        self.rows.iter().find(|s| s.id == id)
    }

    /// The sessions of `user_id`, newest first; impersonation rows only when asked.
    pub(crate) fn of_user(&self, user_id: &str, with_impersonation: bool) -> Vec<&Session> {
        let mut list: Vec<&Session> = self
            .rows
            .iter()
            .rev()
            .filter(|s| s.user_id == user_id && (with_impersonation || !s.is_impersonation))
            .collect();
        list.sort_by_key(|s| std::cmp::Reverse(s.created_at_millis));
        list
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<Session> {
        let index = self.rows.iter().position(|s| s.id == id)?;
        Some(self.rows.remove(index))
    }

    pub(crate) fn remove_user(&mut self, user_id: &str) {
        self.rows.retain(|s| s.user_id != user_id);
    }
}
