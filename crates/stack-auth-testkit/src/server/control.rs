//! What tests do with a running stand-in: projects, users, tokens, counters, key rotation and
//! faults.

use std::sync::atomic::Ordering;

use stack_auth_core::{SecretServerKey, ServerUser};

use super::changes;
use super::faults::FaultRule;
use super::{add_project, Fault, LocalStackAuth, RequestRecord, Route};
use crate::keys::{derive_keys, KeyScheme};
use crate::{ProjectSpec, TestClock, TestkitError, TokenBuilder, TokenMinter, UserSpec};

impl LocalStackAuth {
    /// Hosts another project.
    ///
    /// # Errors
    ///
    /// [`TestkitError::DuplicateProject`], [`TestkitError::Config`] for an invalid id.
    pub fn add_project(&self, spec: impl Into<ProjectSpec>) -> Result<(), TestkitError> {
        add_project(&self.state, spec.into())
    }

    /// Makes `key` valid for `project_id` too.
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownProject`].
    pub fn add_secret_server_key(
        &self,
        project_id: &str,
        key: impl Into<SecretServerKey>,
    ) -> Result<(), TestkitError> {
        self.state
            .lock()
            .project_mut(project_id)?
            .keys
            .push(key.into());
        Ok(())
    }

    /// Revokes `key` for `project_id` (later requests with it get `INVALID_SECRET_SERVER_KEY`).
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownProject`].
    pub fn revoke_secret_server_key(
        &self,
        project_id: &str,
        key: &SecretServerKey,
    ) -> Result<(), TestkitError> {
        self.state
            .lock()
            .project_mut(project_id)?
            .keys
            .retain(|k| k != key);
        Ok(())
    }

    /// Creates a user in the default project and returns the full server user object.
    ///
    /// # Errors
    ///
    /// [`TestkitError::InvalidUser`] (e.g. a duplicate id).
    pub fn create_user(&self, spec: UserSpec) -> Result<ServerUser, TestkitError> {
        self.create_user_in(&self.default_project, spec)
    }

    /// Creates a user in `project_id`. A selected team the project does not know yet
    /// ([`UserSpec::team`]) becomes the user's team, the user its creator (a personal team);
    /// a known one is joined as a member. Sends `user.created` (after `team.created` for a new
    /// team) to the project's webhook endpoint.
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownProject`], [`TestkitError::InvalidUser`].
    pub fn create_user_in(
        &self,
        project_id: &str,
        spec: UserSpec,
    ) -> Result<ServerUser, TestkitError> {
        let now = self.state.clock.now_millis();
        let mut inner = self.state.lock();
        let project = inner.project_mut(project_id)?;
        let (user, events) = changes::create_user(project, spec, now)?;
        self.state.emit(&inner, project_id, events);
        Ok(user)
    }

    /// Changes a user; derived fields (restriction, `selected_team_id`, `auth_with_email`) are
    /// recomputed as the server does. Tokens minted before keep their claims; users/me answers
    /// with the new object. Sends `user.updated`.
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownUser`].
    pub fn update_user(
        &self,
        user_id: &str,
        change: impl FnOnce(&mut ServerUser),
    ) -> Result<ServerUser, TestkitError> {
        let mut inner = self.state.lock();
        let pid = inner
            .project_of_user(user_id)
            .ok_or_else(|| TestkitError::UnknownUser(user_id.to_owned()))?
            .to_owned();
        let (user, events) = changes::update_user(inner.project_mut(&pid)?, user_id, change)?;
        self.state.emit(&inner, &pid, events);
        Ok(user)
    }

    /// Deletes a user with their memberships, permissions, sessions and API keys; their
    /// still-valid tokens then get `CANNOT_GET_OWN_USER_WITHOUT_USER`. Sends
    /// `team_membership.deleted` per team, then `user.deleted`.
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownUser`].
    pub fn delete_user(&self, user_id: &str) -> Result<ServerUser, TestkitError> {
        let mut inner = self.state.lock();
        let pid = inner
            .project_of_user(user_id)
            .ok_or_else(|| TestkitError::UnknownUser(user_id.to_owned()))?
            .to_owned();
        let (user, events) = changes::delete_user(inner.project_mut(&pid)?, user_id)?;
        self.state.emit(&inner, &pid, events);
        Ok(user)
    }

    /// The current server user object of `user_id`, if it exists.
    pub fn user(&self, user_id: &str) -> Option<ServerUser> {
        let inner = self.state.lock();
        inner
            .projects
            .values()
            .find_map(|p| p.users.get(user_id).cloned())
    }

    /// The minter of the default project (current secret and signing key).
    pub fn minter(&self) -> TokenMinter {
        let inner = self.state.lock();
        let project = inner.projects.get(&self.default_project);
        // The default project is created at start and never removed.
        project.expect("the default project exists").minter.clone()
    }

    /// The minter of `project_id`.
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownProject`].
    pub fn minter_for(&self, project_id: &str) -> Result<TokenMinter, TestkitError> {
        Ok(self.state.lock().project(project_id)?.minter.clone())
    }

    /// Starts a token for `user`, in the project that holds it (the default project for a user
    /// the stand-in does not know, e.g. one already deleted). Minting it without a breakage
    /// records its session (`refresh_token_id`) as a session row of the user, as signing in
    /// does; see [`LocalStackAuth::sessions`].
    pub fn token(&self, user: &ServerUser) -> TokenBuilder {
        let (minter, pid) = {
            let inner = self.state.lock();
            let pid = inner
                .project_of_user(&user.id)
                .unwrap_or(&self.default_project)
                .to_owned();
            (inner.project(&pid).map(|p| p.minter.clone()), pid)
        };
        minter
            .unwrap_or_else(|_| self.minter())
            .token(user)
            .on_mint(self.session_hook(pid))
    }

    /// A valid token for `user`, as Stack Auth would mint it now.
    pub fn mint(&self, user: &ServerUser) -> String {
        self.token(user).mint()
    }

    /// The clock used for minting and expiry checks (freeze or advance it in tests).
    pub fn clock(&self) -> &TestClock {
        &self.state.clock
    }

    /// The server secret (`STACK_SERVER_SECRET`) keys are derived from now.
    pub fn server_secret(&self) -> String {
        self.state.lock().secret.clone()
    }

    /// Replaces the server secret: every key changes (JWKS, signing); tokens minted before are
    /// refused as `UNPARSABLE_ACCESS_TOKEN`.
    ///
    /// # Errors
    ///
    /// [`TestkitError::InvalidSecret`]; nothing changes then.
    pub fn rotate_secret(&self, secret: impl Into<String>) -> Result<(), TestkitError> {
        let secret = secret.into();
        derive_keys(&secret, "probe")?;
        let mut inner = self.state.lock();
        inner.secret = secret;
        self.refresh_minters(&mut inner)
    }

    /// Switches the signing key to the one of `scheme` (what upstream's planned flip to the
    /// new-scheme key will do). The JWKS lists the signing key first; both stay published.
    pub fn set_signing_scheme(&self, scheme: KeyScheme) {
        let mut inner = self.state.lock();
        inner.signing = scheme;
        let _ = self.refresh_minters(&mut inner);
    }

    /// The scheme of the signing key.
    pub fn signing_scheme(&self) -> KeyScheme {
        self.state.lock().signing
    }

    fn refresh_minters(&self, inner: &mut super::state::Inner) -> Result<(), TestkitError> {
        let (secret, signing) = (inner.secret.clone(), inner.signing);
        for (id, project) in inner.projects.iter_mut() {
            project.minter = self.state.minter(&secret, signing, id)?;
        }
        Ok(())
    }

    /// How many requests hit `route` (`Route::Any`: all) since start or the last
    /// [`LocalStackAuth::reset_counts`].
    pub fn requests(&self, route: Route) -> u64 {
        let inner = self.state.lock();
        inner
            .counts
            .iter()
            .filter(|(r, _)| route.matches(**r))
            .map(|(_, n)| n)
            .sum()
    }

    /// Every request received since start or the last reset, oldest first.
    pub fn request_log(&self) -> Vec<RequestRecord> {
        self.state.lock().log.clone()
    }

    /// Clears request counts and the request log (not the connection count).
    pub fn reset_counts(&self) {
        let mut inner = self.state.lock();
        inner.counts.clear();
        inner.log.clear();
    }

    /// How many TCP connections the server accepted (to prove keep-alive pooling).
    pub fn connections_accepted(&self) -> u64 {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// Injects `fault` on every later request to `route` until [`LocalStackAuth::clear_faults`].
    pub fn inject(&self, route: Route, fault: Fault) {
        self.push_fault(route, fault, None);
    }

    /// Injects `fault` on the next `times` requests to `route` only ("fail twice, then
    /// succeed"). Counted faults apply before persistent ones, oldest first.
    pub fn inject_times(&self, route: Route, fault: Fault, times: u64) {
        if times > 0 {
            self.push_fault(route, fault, Some(times));
        }
    }

    /// Removes every injected fault.
    pub fn clear_faults(&self) {
        self.state.lock().faults.clear();
    }

    fn push_fault(&self, route: Route, fault: Fault, remaining: Option<u64>) {
        self.state.lock().faults.push(FaultRule {
            route,
            fault,
            remaining,
        });
    }
}
