use std::{
    collections::HashSet,
    sync::atomic::{AtomicUsize, Ordering},
};

use async_trait::async_trait;

use crate::{PermissionChecker, PermissionScope, VerifyError};

/// A [`PermissionChecker`] answering from a fixed set of grants (or failing every check),
/// counting its calls.
///
/// ```
/// use stack_auth_core::{test_util::StaticPermissions, PermissionChecker, PermissionScope};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let grants = StaticPermissions::new().grant("u1", Some("t1"), "editor").grant("u1", None, "audit");
/// assert!(grants.has_permission("u1", PermissionScope::Team("t1"), "editor").await.unwrap());
/// assert!(!grants.has_permission("u1", PermissionScope::Team("t2"), "editor").await.unwrap());
/// assert!(grants.has_permission("u1", PermissionScope::Project, "audit").await.unwrap());
/// # });
/// ```
#[derive(Debug, Default)]
pub struct StaticPermissions {
    /// `(user, team or None for the project, permission)`.
    grants: HashSet<(String, Option<String>, String)>,
    failure: Option<VerifyError>,
    calls: AtomicUsize,
}

impl StaticPermissions {
    /// Grants nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Fails every check with `error` (an unavailable upstream, say).
    pub fn failing(error: VerifyError) -> Self {
        StaticPermissions {
            failure: Some(error),
            ..Self::default()
        }
    }

    /// Grants `permission` to `user` in `team` (`None`: project-wide).
    #[must_use]
    pub fn grant(mut self, user: &str, team: Option<&str>, permission: &str) -> Self {
        self.grants.insert((
            user.to_owned(),
            team.map(str::to_owned),
            permission.to_owned(),
        ));
        self
    }

    /// How many checks it answered.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl PermissionChecker for StaticPermissions {
    async fn has_permission(
        &self,
        user_id: &str,
        scope: PermissionScope<'_>,
        permission_id: &str,
    ) -> Result<bool, VerifyError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(e) = &self.failure {
            return Err(e.clone());
        }
        let team = match scope {
            PermissionScope::Team(team) => Some(team.to_owned()),
            _ => None,
        };
        let grant = (user_id.to_owned(), team, permission_id.to_owned());
        Ok(self.grants.contains(&grant))
    }
}
