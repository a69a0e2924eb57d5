//! [`RequiredPermission`]: a route's permission requirement, and the check every framework
//! integration's guard runs (403 `permission_denied` when the user lacks it).

use std::fmt;

use crate::{MisconfigKind, Misconfiguration, PermissionChecker, PermissionScope, VerifyError};

use super::{Principal, Rejection};

/// Where a guarded route's team comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TeamSource {
    /// The route's path parameter of this name (`/teams/{team_id}/…`): a route without it is a
    /// misconfiguration (500).
    PathParam(String),
    /// The request header (gRPC metadata) of this name: a request without it holds no
    /// permission (403).
    Header(String),
    /// The user's selected team (the token's `selected_team_id`, or the profile's): a user
    /// without one holds no team permission (403). It names the team the user chose in the
    /// client, not one the route chose; the permission check makes it safe.
    SelectedTeam,
}

/// A permission a route requires: in a team (from a [`TeamSource`]) or project-wide.
///
/// ```
/// use stack_auth_core::framework::{RequiredPermission, TeamSource};
///
/// let edit = RequiredPermission::team("editor", TeamSource::PathParam("team_id".into()));
/// assert_eq!(edit.permission_id(), "editor");
/// assert_eq!(edit.path_param(), Some("team_id"));
/// let billing = RequiredPermission::project("billing:read");
/// assert_eq!(billing.team_source(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequiredPermission {
    permission_id: String,
    team: Option<TeamSource>,
}

impl RequiredPermission {
    /// `permission_id` in the team `team` names.
    pub fn team(permission_id: impl Into<String>, team: TeamSource) -> Self {
        RequiredPermission {
            permission_id: permission_id.into(),
            team: Some(team),
        }
    }

    /// The project permission `permission_id`.
    pub fn project(permission_id: impl Into<String>) -> Self {
        RequiredPermission {
            permission_id: permission_id.into(),
            team: None,
        }
    }

    /// The permission.
    pub fn permission_id(&self) -> &str {
        &self.permission_id
    }

    /// Where the team comes from; `None` for a project permission.
    pub fn team_source(&self) -> Option<&TeamSource> {
        self.team.as_ref()
    }

    /// The path parameter naming the team, if that is where it comes from.
    pub fn path_param(&self) -> Option<&str> {
        match &self.team {
            Some(TeamSource::PathParam(name)) => Some(name),
            _ => None,
        }
    }

    /// The request header naming the team, if that is where it comes from.
    pub fn header(&self) -> Option<&str> {
        match &self.team {
            Some(TeamSource::Header(name)) => Some(name),
            _ => None,
        }
    }

    /// Whether `principal` holds the permission, asking `checker`. `named_team` is the value
    /// of the route's path parameter or header (as the integration read it), when the team
    /// comes from one.
    ///
    /// # Errors
    ///
    /// [`Rejection::permission_denied`] when the user lacks the permission (or there is no user:
    /// a team API key; or no team: none selected, no header); the checker's error as a
    /// rejection (503, 500); a misconfiguration (500) for a route without the path parameter.
    pub async fn check(
        &self,
        checker: &dyn PermissionChecker,
        principal: &Principal,
        named_team: Option<&str>,
    ) -> Result<(), Rejection> {
        let Some(user) = principal.user() else {
            return Err(Rejection::permission_denied());
        };
        let team = match &self.team {
            None => None,
            Some(TeamSource::PathParam(name)) => Some(named_team.ok_or_else(|| {
                let detail = format!("the route has no path parameter {name} naming the team");
                Rejection::from(VerifyError::from(
                    Misconfiguration::new(MisconfigKind::UnexpectedError).with_detail(detail),
                ))
            })?),
            Some(TeamSource::Header(_)) => {
                Some(named_team.ok_or_else(Rejection::permission_denied)?)
            }
            Some(TeamSource::SelectedTeam) => Some(
                user.selected_team_id()
                    .ok_or_else(Rejection::permission_denied)?,
            ),
        };
        let scope = match team {
            Some(team) => PermissionScope::Team(team),
            None => PermissionScope::Project,
        };
        match checker
            .has_permission(user.user_id(), scope, &self.permission_id)
            .await
        {
            Ok(true) => Ok(()),
            Ok(false) => Err(Rejection::permission_denied()),
            Err(e) => Err(e.into()),
        }
    }
}

impl fmt::Display for RequiredPermission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.team {
            None => write!(f, "project permission {}", self.permission_id),
            Some(source) => write!(f, "team permission {} ({source:?})", self.permission_id),
        }
    }
}
