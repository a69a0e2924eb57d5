//! Changes to a project that the test API and the HTTP routes share, each checked as the real
//! handler checks it and returning the webhook events it sends (PROTOCOL §10.5.3).

mod permissions;
mod teams;
mod users;

use std::borrow::Cow;

use serde_json::json;

pub(crate) use permissions::{
    grant_project_permission, grant_team_permission, revoke_project_permission,
    revoke_team_permission,
};
pub(crate) use teams::{add_member, create_team, delete_team, remove_member, update_team, Joined};
pub(crate) use users::{create_user, delete_user, update_user};

use super::known_error::KnownError;
use super::state::Project;
use crate::{PermissionScope, TestkitError};

/// Why the server refuses a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ChangeError {
    UserNotFound(String),
    TeamNotFound(String),
    MembershipNotFound {
        team: String,
        user: String,
    },
    MembershipExists {
        team: String,
        user: String,
    },
    PermissionNotFound(String),
    WrongScope {
        id: String,
        expected: PermissionScope,
        actual: PermissionScope,
    },
    TeamPermissionNotFound {
        team: String,
        user: String,
        id: String,
    },
    Invalid(Cow<'static, str>),
}

impl ChangeError {
    /// The KnownError the real server answers.
    pub(crate) fn known(&self) -> KnownError {
        use ChangeError as E;
        match self {
            E::UserNotFound(_) => KnownError::user_not_found(),
            E::TeamNotFound(team) => KnownError::new(
                404,
                "TEAM_NOT_FOUND",
                format!("Team {team} not found."),
                Some(json!({ "team_id": team })),
            ),
            E::MembershipNotFound { team, user } => KnownError::new(
                404,
                "TEAM_MEMBERSHIP_NOT_FOUND",
                format!("User {user} is not found in team {team}."),
                Some(json!({ "team_id": team, "user_id": user })),
            ),
            E::MembershipExists { .. } => KnownError::new(
                409,
                "TEAM_MEMBERSHIP_ALREADY_EXISTS",
                "Team membership already exists.",
                None,
            ),
            E::PermissionNotFound(id) => KnownError::new(
                404,
                "PERMISSION_NOT_FOUND",
                format!("Permission \"{id}\" not found. Make sure you created it on the dashboard."),
                Some(json!({ "permission_id": id })),
            ),
            E::WrongScope {
                id,
                expected,
                actual,
            } => KnownError::new(
                404,
                "WRONG_PERMISSION_SCOPE",
                format!(
                    "Permission {} not found. (It was found for a different scope {}, but scope {} was expected.)",
                    json!(id),
                    json!(actual.as_str()),
                    json!(expected.as_str())
                ),
                Some(json!({
                    "permission_id": id,
                    "expected_scope": expected.as_str(),
                    "actual_scope": actual.as_str(),
                })),
            ),
            E::TeamPermissionNotFound { team, user, id } => KnownError::new(
                401,
                "TEAM_PERMISSION_NOT_FOUND",
                format!("User {user} does not have permission {id} in team {team}."),
                Some(json!({ "team_id": team, "user_id": user, "permission_id": id })),
            ),
            E::Invalid(why) => KnownError::schema_error(why.to_string()),
        }
    }
}

impl From<ChangeError> for TestkitError {
    fn from(e: ChangeError) -> Self {
        match e {
            ChangeError::UserNotFound(id) => TestkitError::UnknownUser(id),
            ChangeError::TeamNotFound(id) => TestkitError::UnknownTeam(id),
            ChangeError::Invalid(why) => TestkitError::InvalidTeam(why),
            other => TestkitError::Permission(other.known().error.into()),
        }
    }
}

/// `ensureUserExists`.
pub(crate) fn ensure_user(project: &Project, user_id: &str) -> Result<(), ChangeError> {
    if project.users.contains_key(user_id) {
        Ok(())
    } else {
        Err(ChangeError::UserNotFound(user_id.to_owned()))
    }
}

/// `ensureTeamMembershipExists`: the user first, then the membership.
pub(crate) fn ensure_member(project: &Project, team: &str, user: &str) -> Result<(), ChangeError> {
    ensure_user(project, user)?;
    if project.data.teams.is_member(team, user) {
        Ok(())
    } else {
        Err(ChangeError::MembershipNotFound {
            team: team.to_owned(),
            user: user.to_owned(),
        })
    }
}
