//! Sessions in the test API: every token minted through the stand-in belongs to a session
//! row (PROTOCOL §10.4.2); tests can also create sessions, impersonation sessions, and mint
//! for a given session.

use std::sync::Arc;

use stack_auth_core::ServerUser;

use super::LocalStackAuth;
use crate::ids::random_uuid;
use crate::mint::MintHook;
use crate::{Session, TestkitError, TokenBuilder};

impl LocalStackAuth {
    /// Records `(user, session)` of each token minted without breakage: a new row, or the
    /// row's `last_used_at` bumped (a refresh). Users the project does not hold get none.
    pub(crate) fn session_hook(&self, project_id: String) -> MintHook {
        let state = Arc::clone(&self.state);
        MintHook(Arc::new(move |user_id: &str, session_id: &str| {
            let now = state.clock.now_millis();
            let mut inner = state.lock();
            if let Ok(project) = inner.project_mut(&project_id) {
                if project.users.contains_key(user_id) {
                    project.data.sessions.minted(user_id, session_id, now);
                }
            }
        }))
    }

    fn new_session(&self, user: &ServerUser, impersonation: bool) -> Result<Session, TestkitError> {
        let now = self.state.clock.now_millis();
        let mut inner = self.state.lock();
        let pid = inner
            .project_of_user(&user.id)
            .ok_or_else(|| TestkitError::UnknownUser(user.id.clone()))?
            .to_owned();
        let sessions = &mut inner.project_mut(&pid)?.data.sessions;
        let id = random_uuid();
        sessions.insert(&user.id, &id, impersonation, now);
        sessions
            .get(&id)
            .cloned()
            .ok_or(TestkitError::UnknownSession(id))
    }

    /// Creates a session of `user` (a sign-in without a token yet); mint its tokens with
    /// [`LocalStackAuth::token_for_session`].
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownUser`].
    pub fn create_session(&self, user: &ServerUser) -> Result<Session, TestkitError> {
        self.new_session(user, false)
    }

    /// Creates an impersonation session of `user` (dashboard impersonation, or
    /// `POST /auth/sessions` with `is_impersonation: true`): its tokens look like any other,
    /// but server and client access never list it (PROTOCOL §10.4.2).
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownUser`].
    pub fn create_impersonation_session(&self, user: &ServerUser) -> Result<Session, TestkitError> {
        self.new_session(user, true)
    }

    /// Starts a token of `session` (its `refresh_token_id`); minting it bumps the session's
    /// `last_used_at`, as a refresh does.
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownSession`] when the session was deleted,
    /// [`TestkitError::UnknownUser`] when its user was.
    pub fn token_for_session(&self, session: &Session) -> Result<TokenBuilder, TestkitError> {
        let known = {
            let inner = self.state.lock();
            inner
                .projects
                .values()
                .any(|p| p.data.sessions.get(&session.id).is_some())
        };
        if !known {
            return Err(TestkitError::UnknownSession(session.id.clone()));
        }
        let user = self
            .user(&session.user_id)
            .ok_or_else(|| TestkitError::UnknownUser(session.user_id.clone()))?;
        Ok(self.token(&user).session_id(session.id.clone()))
    }

    /// The sessions of `user_id`, newest first, impersonation sessions included (what admin
    /// access lists).
    pub fn sessions(&self, user_id: &str) -> Vec<Session> {
        let inner = self.state.lock();
        inner
            .projects
            .values()
            .flat_map(|p| p.data.sessions.of_user(user_id, true))
            .cloned()
            .collect()
    }

    /// Deletes a session (as `DELETE /auth/sessions/{id}` does). Its unexpired tokens keep
    /// working for users/me (PROTOCOL §10.4.4).
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownSession`].
    pub fn delete_session(&self, session_id: &str) -> Result<Session, TestkitError> {
        let mut inner = self.state.lock();
        inner
            .projects
            .values_mut()
            .find_map(|p| p.data.sessions.remove(session_id))
            .ok_or_else(|| TestkitError::UnknownSession(session_id.to_owned()))
    }
}
