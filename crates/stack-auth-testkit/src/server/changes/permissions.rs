//! Granting and revoking team and project permissions (`team-permissions/crud.tsx`,
//! `project-permissions/crud.tsx`); each call sends its event, even a repeated grant.

use serde_json::json;

use super::{ensure_member, ensure_user, ChangeError};
use crate::server::state::Project;
use crate::server::store::{Event, GrantError};
use crate::PermissionScope;

fn refused(e: GrantError, id: &str, expected: PermissionScope) -> ChangeError {
    match e {
        GrantError::NotFound => ChangeError::PermissionNotFound(id.to_owned()),
        GrantError::WrongScope(actual) => ChangeError::WrongScope {
            id: id.to_owned(),
            expected,
            actual,
        },
    }
}

/// `POST /team-permissions/{team}/{user}/{id}`.
pub(crate) fn grant_team_permission(
    project: &mut Project,
    team: &str,
    user: &str,
    id: &str,
) -> Result<Vec<Event>, ChangeError> {
    ensure_member(project, team, user)?;
    let rbac = &mut project.data.rbac;
    rbac.check_grantable(PermissionScope::Team, id)
        .map_err(|e| refused(e, id, PermissionScope::Team))?;
    rbac.grant_team(team, user, id);
    Ok(vec![Event::json(
        "team_permission.created",
        &json!({ "id": id, "team_id": team, "user_id": user }),
    )])
}

/// `DELETE /team-permissions/{team}/{user}/{id}`: only a direct grant of a defined permission.
pub(crate) fn revoke_team_permission(
    project: &mut Project,
    team: &str,
    user: &str,
    id: &str,
) -> Result<Vec<Event>, ChangeError> {
    ensure_member(project, team, user)?;
    let rbac = &mut project.data.rbac;
    if rbac
        .list_team(Some(team), Some(user), Some(id), false)
        .is_empty()
    {
        return Err(ChangeError::TeamPermissionNotFound {
            team: team.to_owned(),
            user: user.to_owned(),
            id: id.to_owned(),
        });
    }
    rbac.revoke_team(team, user, id);
    Ok(vec![Event::json(
        "team_permission.deleted",
        &json!({ "id": id, "team_id": team, "user_id": user }),
    )])
}

/// `POST /project-permissions/{user}/{id}`.
pub(crate) fn grant_project_permission(
    project: &mut Project,
    user: &str,
    id: &str,
) -> Result<Vec<Event>, ChangeError> {
    ensure_user(project, user)?;
    let rbac = &mut project.data.rbac;
    rbac.check_grantable(PermissionScope::Project, id)
        .map_err(|e| refused(e, id, PermissionScope::Project))?;
    rbac.grant_project(user, id);
    Ok(vec![Event::json(
        "project_permission.created",
        &json!({ "id": id, "user_id": user }),
    )])
}

/// `DELETE /project-permissions/{user}/{id}`: not a direct grant → `PERMISSION_NOT_FOUND`.
pub(crate) fn revoke_project_permission(
    project: &mut Project,
    user: &str,
    id: &str,
) -> Result<Vec<Event>, ChangeError> {
    ensure_user(project, user)?;
    let rbac = &mut project.data.rbac;
    if rbac.list_project(Some(user), Some(id), false).is_empty() {
        return Err(ChangeError::PermissionNotFound(id.to_owned()));
    }
    rbac.revoke_project(user, id);
    Ok(vec![Event::json(
        "project_permission.deleted",
        &json!({ "id": id, "user_id": user }),
    )])
}
