//! Creating, updating and deleting users, with their teams, grants, sessions and keys
//! (`users/crud.tsx`).

use serde_json::json;
use stack_auth_core::ServerUser;

use super::teams::{add_member, grant_defaults, Joined};
use super::ChangeError;
use crate::server::state::Project;
use crate::server::store::Event;
use crate::users::normalize;
use crate::{ApiKeyType, PermissionScope, TestkitError, UserSpec};

/// The user object as webhooks carry it: the server view, metadata verbatim.
pub(crate) fn user_event(kind: &'static str, user: &ServerUser) -> Event {
    Event::new(kind, serde_json::to_string(user).unwrap_or_default())
}

/// Creates a user. A selected team the project does not know becomes the user's personal team
/// (the user its creator; `team.created` is queued before `user.created`, nothing else is
/// sent); a known one is joined as a member after the user exists. The project's sign-up
/// permissions are granted silently.
pub(crate) fn create_user(
    project: &mut Project,
    spec: UserSpec,
    now: i64,
) -> Result<(ServerUser, Vec<Event>), TestkitError> {
    let mut user = spec.build(project.requires_verified_email, now)?;
    if project.users.contains_key(&user.id) {
        return Err(TestkitError::InvalidUser(
            "a user with this id exists".into(),
        ));
    }
    for id in &project.data.rbac.sign_up_defaults {
        project
            .data
            .rbac
            .check_grantable(PermissionScope::Project, id)
            .map_err(|_| {
                TestkitError::Permission(
                    format!("sign-up permission {id:?} is not a project permission").into(),
                )
            })?;
    }
    let mut events = Vec::new();
    let mut join = None;
    if let Some(team) = user.selected_team.clone() {
        match project.data.teams.get(&team.id) {
            Some(known) => {
                user.selected_team = Some(known.clone());
                join = Some(team.id);
            }
            None => {
                project.data.teams.insert(team.clone());
                project.data.teams.add_member(&team.id, &user.id);
                grant_defaults(project, &team.id, &user.id, Joined::Creator)?;
                events.push(Event::new(
                    "team.created",
                    serde_json::to_string(&team).unwrap_or_default(),
                ));
            }
        }
    }
    let rbac = &mut project.data.rbac;
    for id in rbac.sign_up_defaults.clone() {
        rbac.grant_project(&user.id, &id);
    }
    project.users.insert(user.id.clone(), user.clone());
    events.push(user_event("user.created", &user));
    if let Some(team) = join {
        events.extend(add_member(project, &team, &user.id, Joined::Member)?);
    }
    Ok((user, events))
}

/// Changes a user; derived fields are recomputed as the server does.
pub(crate) fn update_user(
    project: &mut Project,
    user_id: &str,
    change: impl FnOnce(&mut ServerUser),
) -> Result<(ServerUser, Vec<Event>), TestkitError> {
    let requires = project.requires_verified_email;
    let user = project
        .users
        .get_mut(user_id)
        .ok_or_else(|| TestkitError::UnknownUser(user_id.to_owned()))?;
    change(user);
    user.id = user_id.to_owned();
    normalize(user, requires);
    let user = user.clone();
    let event = user_event("user.updated", &user);
    Ok((user, vec![event]))
}

/// Deletes a user with its memberships, grants, sessions and API keys:
/// `team_membership.deleted` per team (oldest first), then `user.deleted`.
pub(crate) fn delete_user(
    project: &mut Project,
    user_id: &str,
) -> Result<(ServerUser, Vec<Event>), ChangeError> {
    let user = project
        .users
        .remove(user_id)
        .ok_or_else(|| ChangeError::UserNotFound(user_id.to_owned()))?;
    let data = &mut project.data;
    let teams: Vec<String> = data
        .teams
        .of_user(user_id)
        .into_iter()
        .map(|t| t.id.clone())
        .collect();
    data.teams.remove_user(user_id);
    data.rbac.remove_user(user_id);
    data.sessions.remove_user(user_id);
    data.api_keys.remove_owner(ApiKeyType::User, user_id);
    let mut events: Vec<Event> = teams
        .iter()
        .map(|t| {
            Event::json(
                "team_membership.deleted",
                &json!({ "team_id": t, "user_id": user_id }),
            )
        })
        .collect();
    let ids: Vec<_> = teams.iter().map(|t| json!({ "id": t })).collect();
    events.push(Event::json(
        "user.deleted",
        &json!({ "id": user_id, "teams": ids }),
    ));
    Ok((user, events))
}
