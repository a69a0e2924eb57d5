//! Teams and memberships in the test API (PROTOCOL §10.3.5); each change sends the webhook
//! events the real server sends (§10.5.3).

use stack_auth_core::ServerTeam;

use super::changes::{self, Joined};
use super::LocalStackAuth;
use crate::{TeamSpec, TestkitError};

impl LocalStackAuth {
    /// Creates a team in the default project (see [`TeamSpec`]).
    ///
    /// # Errors
    ///
    /// [`TestkitError::InvalidTeam`] for a bad or duplicate id, [`TestkitError::UnknownUser`]
    /// for a creator or member the project does not hold.
    pub fn create_team(&self, spec: TeamSpec) -> Result<ServerTeam, TestkitError> {
        self.create_team_in(&self.default_project, spec)
    }

    /// Creates a team in `project_id`.
    ///
    /// # Errors
    ///
    /// As [`LocalStackAuth::create_team`], and [`TestkitError::UnknownProject`].
    pub fn create_team_in(
        &self,
        project_id: &str,
        spec: TeamSpec,
    ) -> Result<ServerTeam, TestkitError> {
        let now = self.state.clock.now_millis();
        let mut inner = self.state.lock();
        let (team, events) = changes::create_team(inner.project_mut(project_id)?, spec, now)?;
        self.state.emit(&inner, project_id, events);
        Ok(team)
    }

    /// Runs `f` on the project holding `team_id` and sends the events it returns.
    fn change_team<T>(
        &self,
        team_id: &str,
        f: impl FnOnce(
            &mut super::state::Project,
        ) -> Result<(T, Vec<super::store::Event>), changes::ChangeError>,
    ) -> Result<T, TestkitError> {
        let mut inner = self.state.lock();
        let pid = inner
            .project_of_team(team_id)
            .ok_or_else(|| TestkitError::UnknownTeam(team_id.to_owned()))?
            .to_owned();
        let (value, events) = f(inner.project_mut(&pid)?)?;
        self.state.emit(&inner, &pid, events);
        Ok(value)
    }

    /// Changes a team (its id stays); users who selected it see the change. Sends
    /// `team.updated`.
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownTeam`].
    pub fn update_team(
        &self,
        team_id: &str,
        change: impl FnOnce(&mut ServerTeam),
    ) -> Result<ServerTeam, TestkitError> {
        self.change_team(team_id, |p| changes::update_team(p, team_id, change))
    }

    /// Deletes a team with its memberships, permissions and API keys. Sends only
    /// `team.deleted`.
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownTeam`].
    pub fn delete_team(&self, team_id: &str) -> Result<(), TestkitError> {
        self.change_team(team_id, |p| Ok(((), changes::delete_team(p, team_id)?)))
    }

    /// Adds `user_id` to the team with the project's team-member permissions. Sends
    /// `team_membership.created` and one `team_permission.created` per permission.
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownTeam`], [`TestkitError::UnknownUser`], and
    /// [`TestkitError::Permission`] when the user already is a member.
    pub fn add_team_member(&self, team_id: &str, user_id: &str) -> Result<(), TestkitError> {
        self.change_team(team_id, |p| {
            Ok((
                (),
                changes::add_member(p, team_id, user_id, Joined::Member)?,
            ))
        })
    }

    /// Removes `user_id` from the team with their permissions in it. Sends
    /// `team_membership.deleted` (and no `team_permission.deleted`).
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownTeam`], [`TestkitError::UnknownUser`],
    /// [`TestkitError::Permission`] when the user is not a member.
    pub fn remove_team_member(&self, team_id: &str, user_id: &str) -> Result<(), TestkitError> {
        self.change_team(team_id, |p| {
            Ok(((), changes::remove_member(p, team_id, user_id)?))
        })
    }

    /// The team `team_id`, if it exists.
    pub fn team(&self, team_id: &str) -> Option<ServerTeam> {
        let inner = self.state.lock();
        inner
            .projects
            .values()
            .find_map(|p| p.data.teams.get(team_id).cloned())
    }

    /// The teams `user_id` belongs to, oldest first.
    pub fn teams_of(&self, user_id: &str) -> Vec<ServerTeam> {
        let inner = self.state.lock();
        inner
            .projects
            .values()
            .flat_map(|p| p.data.teams.of_user(user_id))
            .cloned()
            .collect()
    }

    /// The ids of the team's members, in the order they joined.
    pub fn team_members(&self, team_id: &str) -> Vec<String> {
        let inner = self.state.lock();
        inner
            .projects
            .values()
            .flat_map(|p| p.data.teams.members(team_id))
            .map(str::to_owned)
            .collect()
    }
}
