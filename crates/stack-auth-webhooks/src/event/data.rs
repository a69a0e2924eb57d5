//! The `data` of the events that do not carry a whole user, team or issue object
//! (PROTOCOL §10.5.3).

use serde::{Deserialize, Serialize};

/// `user.deleted`: the user and the teams it belonged to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeletedUser {
    /// The user's id.
    pub id: String,
    /// The teams the user was a member of.
    #[serde(default)]
    pub teams: Vec<TeamRef>,
}

/// A team named by id (in [`DeletedUser::teams`]; the whole of `team.deleted`'s data).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TeamRef {
    /// The team's id.
    pub id: String,
}

/// `team_membership.created` / `.deleted`: a user joined or left a team.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TeamMembership {
    /// The team.
    pub team_id: String,
    /// The user.
    pub user_id: String,
}

/// `team_permission.created` / `.deleted`: a permission granted to or revoked from a member.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TeamPermission {
    /// The permission id (`team_admin`, `$update_team`, ...).
    pub id: String,
    /// The team.
    pub team_id: String,
    /// The user.
    pub user_id: String,
}

/// `project_permission.created` / `.deleted`: a project permission granted or revoked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProjectPermission {
    /// The permission id.
    pub id: String,
    /// The user.
    pub user_id: String,
}
