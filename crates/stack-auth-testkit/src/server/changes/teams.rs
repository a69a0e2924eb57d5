//! Creating, updating and deleting teams, and adding and removing members
//! (`teams/crud.tsx`, `team-memberships/crud.tsx`).

use serde_json::json;
use stack_auth_core::ServerTeam;

use super::{ensure_member, ensure_user, ChangeError};
use crate::ids::{is_uuid, random_uuid};
use crate::server::state::Project;
use crate::server::store::Event;
use crate::{ApiKeyType, PermissionScope, TeamSpec};

/// How a user joined a team: which default permissions they get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Joined {
    /// The team's creator (`team_admin` by default).
    Creator,
    /// A member added later (`team_member` by default).
    Member,
}

pub(crate) fn team_event(kind: &'static str, team: &ServerTeam) -> Event {
    Event::new(kind, serde_json::to_string(team).unwrap_or_default())
}

/// The default permissions of `joined` (`grantDefaultTeamPermissions`), all checked before
/// any is granted; their ids.
pub(crate) fn grant_defaults(
    project: &mut Project,
    team: &str,
    user: &str,
    joined: Joined,
) -> Result<Vec<String>, ChangeError> {
    let rbac = &mut project.data.rbac;
    let ids = match joined {
        Joined::Creator => rbac.creator_defaults.clone(),
        Joined::Member => rbac.member_defaults.clone(),
    };
    for id in &ids {
        rbac.check_grantable(PermissionScope::Team, id)
            .map_err(|_| ChangeError::PermissionNotFound(id.clone()))?;
    }
    for id in &ids {
        rbac.grant_team(team, user, id);
    }
    Ok(ids)
}

/// Creates a team: its creator joins silently with the creator permissions (only
/// `team.created` is sent); each member then joins as `add_member` does.
pub(crate) fn create_team(
    project: &mut Project,
    spec: TeamSpec,
    now: i64,
) -> Result<(ServerTeam, Vec<Event>), ChangeError> {
    let id = spec.id.unwrap_or_else(random_uuid);
    if !is_uuid(&id) {
        return Err(ChangeError::Invalid(
            format!("team id {id:?} is not a UUID").into(),
        ));
    }
    if project.data.teams.get(&id).is_some() {
        return Err(ChangeError::Invalid(
            format!("a team with id {id} exists").into(),
        ));
    }
    for user in spec.creator.iter().chain(&spec.members) {
        ensure_user(project, user)?;
    }
    let mut team = ServerTeam::new(id.clone(), spec.display_name);
    team.profile_image_url = spec.profile_image_url;
    team.created_at_millis = now;
    team.client_metadata = spec.client_metadata;
    team.client_read_only_metadata = spec.client_read_only_metadata;
    team.server_metadata = spec.server_metadata;
    project.data.teams.insert(team.clone());
    if let Some(creator) = &spec.creator {
        project.data.teams.add_member(&id, creator);
        grant_defaults(project, &id, creator, Joined::Creator)?;
    }
    let mut events = vec![team_event("team.created", &team)];
    for member in &spec.members {
        if !project.data.teams.is_member(&id, member) {
            events.extend(add_member(project, &id, member, Joined::Member)?);
        }
    }
    Ok((team, events))
}

/// Changes a team (its id stays); users who selected it see the change.
pub(crate) fn update_team(
    project: &mut Project,
    team_id: &str,
    change: impl FnOnce(&mut ServerTeam),
) -> Result<(ServerTeam, Vec<Event>), ChangeError> {
    let team = project
        .data
        .teams
        .get_mut(team_id)
        .ok_or_else(|| ChangeError::TeamNotFound(team_id.to_owned()))?;
    change(team);
    team.id = team_id.to_owned();
    let team = team.clone();
    for user in project.users.values_mut() {
        if user.selected_team_id.as_deref() == Some(team_id) {
            user.selected_team = Some(team.clone());
        }
    }
    let event = team_event("team.updated", &team);
    Ok((team, vec![event]))
}

/// Deletes a team with its memberships, grants and keys; users who selected it have no
/// selected team any more. Only `team.deleted` is sent.
pub(crate) fn delete_team(project: &mut Project, team_id: &str) -> Result<Vec<Event>, ChangeError> {
    project
        .data
        .teams
        .remove(team_id)
        .ok_or_else(|| ChangeError::TeamNotFound(team_id.to_owned()))?;
    project.data.rbac.remove_team(team_id);
    project
        .data
        .api_keys
        .remove_owner(ApiKeyType::Team, team_id);
    for user in project.users.values_mut() {
        if user.selected_team_id.as_deref() == Some(team_id) {
            user.selected_team = None;
            user.selected_team_id = None;
        }
    }
    Ok(vec![Event::json("team.deleted", &json!({ "id": team_id }))])
}

/// Adds a member (`POST /team-memberships`): `team_membership.created`, then one
/// `team_permission.created` per default permission.
pub(crate) fn add_member(
    project: &mut Project,
    team: &str,
    user: &str,
    joined: Joined,
) -> Result<Vec<Event>, ChangeError> {
    ensure_user(project, user)?;
    if project.data.teams.get(team).is_none() {
        return Err(ChangeError::TeamNotFound(team.to_owned()));
    }
    if project.data.teams.is_member(team, user) {
        return Err(ChangeError::MembershipExists {
            team: team.to_owned(),
            user: user.to_owned(),
        });
    }
    project.data.teams.add_member(team, user);
    let granted = grant_defaults(project, team, user, joined)?;
    let mut events = vec![Event::json(
        "team_membership.created",
        &json!({ "team_id": team, "user_id": user }),
    )];
    events.extend(granted.iter().map(|id| {
        Event::json(
            "team_permission.created",
            &json!({ "id": id, "team_id": team, "user_id": user }),
        )
    }));
    Ok(events)
}

/// Removes a member with their grants in the team (no `team_permission.deleted`); a user who
/// selected the team has none selected any more.
pub(crate) fn remove_member(
    project: &mut Project,
    team: &str,
    user: &str,
) -> Result<Vec<Event>, ChangeError> {
    ensure_member(project, team, user)?;
    project.data.teams.remove_member(team, user);
    project.data.rbac.remove_member(team, user);
    if let Some(u) = project.users.get_mut(user) {
        if u.selected_team_id.as_deref() == Some(team) {
            u.selected_team = None;
            u.selected_team_id = None;
        }
    }
    Ok(vec![Event::json(
        "team_membership.deleted",
        &json!({ "team_id": team, "user_id": user }),
    )])
}
