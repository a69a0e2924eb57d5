//! The stand-in's shared state: deployment secret, projects and their users, counters, log
//! and injected faults.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard};

use stack_auth_core::{SecretServerKey, ServerUser, StackAuthConfig, StackAuthConfigBuilder};
use tokio::sync::watch;

use super::faults::FaultRule;
use super::outbox::Outbox;
use super::store::{Event, ProjectData};
use super::{RequestRecord, Route};
use crate::keys::KeyScheme;
use crate::{TestClock, TestkitError, TokenMinter};

/// One hosted project.
#[derive(Debug)]
pub(crate) struct Project {
    pub(crate) keys: Vec<SecretServerKey>,
    pub(crate) requires_verified_email: bool,
    pub(crate) users: BTreeMap<String, ServerUser>,
    pub(crate) minter: TokenMinter,
    pub(crate) data: ProjectData,
}

/// Everything behind the lock.
pub(crate) struct Inner {
    pub(crate) secret: String,
    pub(crate) signing: KeyScheme,
    pub(crate) projects: BTreeMap<String, Project>,
    pub(crate) counts: HashMap<Route, u64>,
    pub(crate) log: Vec<RequestRecord>,
    pub(crate) faults: Vec<FaultRule>,
}

impl std::fmt::Debug for Inner {
    /// Leaves out the server secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("signing", &self.signing)
            .field("projects", &self.projects.keys().collect::<Vec<_>>())
            .field("requests", &self.log.len())
            .field("faults", &self.faults)
            .finish_non_exhaustive()
    }
}

impl Inner {
    pub(crate) fn project(&self, id: &str) -> Result<&Project, TestkitError> {
        self.projects
            .get(id)
            .ok_or_else(|| TestkitError::UnknownProject(id.to_owned()))
    }

    pub(crate) fn project_mut(&mut self, id: &str) -> Result<&mut Project, TestkitError> {
        self.projects
            .get_mut(id)
            .ok_or_else(|| TestkitError::UnknownProject(id.to_owned()))
    }

    /// The project holding team `team_id`.
    pub(crate) fn project_of_team(&self, team_id: &str) -> Option<&str> {
        self.projects
            .iter()
            .find(|(_, p)| p.data.teams.get(team_id).is_some())
            .map(|(id, _)| id.as_str())
    }

    /// The project holding user `user_id`.
    pub(crate) fn project_of_user(&self, user_id: &str) -> Option<&str> {
        self.projects
            .iter()
            .find(|(_, p)| p.users.contains_key(user_id))
            .map(|(id, _)| id.as_str())
    }
}

/// Shared by the handle and every connection task.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) base_url: String,
    /// Issuer origins accepted besides the stand-in's own.
    pub(crate) issuer_origins: Vec<String>,
    pub(crate) clock: TestClock,
    pub(crate) lifetime: std::time::Duration,
    pub(crate) inner: Mutex<Inner>,
    pub(crate) connections: AtomicU64,
    pub(crate) shutdown: watch::Sender<bool>,
    pub(crate) outbox: Outbox,
}

impl State {
    /// Locks the state; a panic in another test thread does not poison it for this one.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues the webhook deliveries of `events` for `project_id`'s endpoint (call with the
    /// lock held, so deliveries keep the order of the changes).
    pub(crate) fn emit(&self, inner: &Inner, project_id: &str, events: Vec<Event>) {
        if let Some(project) = inner.projects.get(project_id) {
            self.outbox.emit(project_id, &project.data.webhook, events);
        }
    }

    /// A configuration builder for `project_id` of this stand-in: its base URL and the issuer
    /// origins it accepts.
    pub(crate) fn config_builder(&self, project_id: &str) -> StackAuthConfigBuilder {
        config_builder(project_id, &self.base_url, &self.issuer_origins)
    }

    /// Whether the stand-in accepts `iss` for a token of `project_id` (any user type: like
    /// the server, it does not tie the issuer variant to the audience).
    pub(crate) fn accepts_issuer(&self, project_id: &str, iss: &str) -> bool {
        self.config_builder(project_id)
            .build()
            .is_ok_and(|c| c.user_type_for_issuer(iss).is_some())
    }

    /// A minter for `project_id` with the current secret and signing scheme.
    pub(crate) fn minter(
        &self,
        secret: &str,
        signing: KeyScheme,
        project_id: &str,
    ) -> Result<TokenMinter, TestkitError> {
        let minter = TokenMinter::with_options(
            secret,
            self.base_url.clone(),
            project_id,
            signing,
            self.clock.clone(),
        )?;
        Ok(minter.with_lifetime(self.lifetime))
    }
}

/// A configuration builder for `project_id` on the stand-in at `base_url` that also accepts
/// the issuers of `issuer_origins`.
pub(crate) fn config_builder(
    project_id: &str,
    base_url: &str,
    issuer_origins: &[String],
) -> StackAuthConfigBuilder {
    issuer_origins.iter().fold(
        StackAuthConfig::builder(project_id).base_url(base_url),
        |b, o| b.accept_issuer_origin(o.clone()),
    )
}
