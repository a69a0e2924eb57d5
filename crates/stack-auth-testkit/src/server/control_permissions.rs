//! Permissions in the test API (PROTOCOL §10.3.1–10.3.3): definitions of the default project,
//! and grants and revocations that check and notify as the HTTP routes do.

use super::changes;
use super::LocalStackAuth;
use crate::permission::{is_custom_permission_id, permission_id_problem};
use crate::{PermissionDefinition, TestkitError};

impl LocalStackAuth {
    /// Defines (or redefines) a permission in the default project.
    ///
    /// # Errors
    ///
    /// [`TestkitError::Permission`] for an id that is not `^[a-z0-9_:]+$`, or a contained id
    /// that is not a valid permission id.
    pub fn define_permission(&self, definition: PermissionDefinition) -> Result<(), TestkitError> {
        if !is_custom_permission_id(definition.id()) {
            return Err(bad_id(definition.id()));
        }
        if let Some(bad) = definition
            .contained_permission_ids()
            .iter()
            .find(|id| permission_id_problem(id).is_some())
        {
            return Err(bad_id(bad));
        }
        let mut inner = self.state.lock();
        let project = inner.project_mut(&self.default_project)?;
        project.data.rbac.define(definition);
        Ok(())
    }

    /// Removes a permission definition from the default project; existing grants of it stay
    /// and are left out of listings, as on the real server.
    ///
    /// # Errors
    ///
    /// [`TestkitError::Permission`] when no such definition exists.
    pub fn remove_permission_definition(&self, id: &str) -> Result<(), TestkitError> {
        let mut inner = self.state.lock();
        let project = inner.project_mut(&self.default_project)?;
        project
            .data
            .rbac
            .undefine(id)
            .map(|_| ())
            .ok_or_else(|| TestkitError::Permission(format!("no permission {id:?}").into()))
    }

    /// Runs a grant or revocation on the project holding `user_id` and sends its events.
    fn change_permission(
        &self,
        user_id: &str,
        id: &str,
        f: impl FnOnce(
            &mut super::state::Project,
        ) -> Result<Vec<super::store::Event>, changes::ChangeError>,
    ) -> Result<(), TestkitError> {
        if permission_id_problem(id).is_some() {
            return Err(bad_id(id));
        }
        let mut inner = self.state.lock();
        let pid = inner
            .project_of_user(user_id)
            .ok_or_else(|| TestkitError::UnknownUser(user_id.to_owned()))?
            .to_owned();
        let events = f(inner.project_mut(&pid)?)?;
        self.state.emit(&inner, &pid, events);
        Ok(())
    }

    /// Grants team permission `id` to member `user_id` of `team_id` (idempotent). Sends
    /// `team_permission.created`.
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownUser`]; [`TestkitError::Permission`] for a non-member, an
    /// unknown permission or a project permission.
    pub fn grant_team_permission(
        &self,
        team_id: &str,
        user_id: &str,
        id: &str,
    ) -> Result<(), TestkitError> {
        self.change_permission(user_id, id, |p| {
            changes::grant_team_permission(p, team_id, user_id, id)
        })
    }

    /// Revokes a direct team-permission grant. Sends `team_permission.deleted`.
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownUser`]; [`TestkitError::Permission`] for a non-member or a
    /// permission not granted directly.
    pub fn revoke_team_permission(
        &self,
        team_id: &str,
        user_id: &str,
        id: &str,
    ) -> Result<(), TestkitError> {
        self.change_permission(user_id, id, |p| {
            changes::revoke_team_permission(p, team_id, user_id, id)
        })
    }

    /// Grants project permission `id` to `user_id` (idempotent). Sends
    /// `project_permission.created`.
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownUser`]; [`TestkitError::Permission`] for an unknown permission
    /// or a team permission.
    pub fn grant_project_permission(&self, user_id: &str, id: &str) -> Result<(), TestkitError> {
        self.change_permission(user_id, id, |p| {
            changes::grant_project_permission(p, user_id, id)
        })
    }

    /// Revokes a direct project-permission grant. Sends `project_permission.deleted`.
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownUser`]; [`TestkitError::Permission`] when not granted directly.
    pub fn revoke_project_permission(&self, user_id: &str, id: &str) -> Result<(), TestkitError> {
        self.change_permission(user_id, id, |p| {
            changes::revoke_project_permission(p, user_id, id)
        })
    }
}

fn bad_id(id: &str) -> TestkitError {
    TestkitError::Permission(format!("{id:?} is not a valid permission id").into())
}
