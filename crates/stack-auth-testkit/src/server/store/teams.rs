//! Teams and memberships of one project (PROTOCOL §10.3.5).

use stack_auth_core::ServerTeam;

/// The teams in creation order and the memberships in insertion order.
#[derive(Debug, Default)]
pub(crate) struct TeamStore {
    teams: Vec<ServerTeam>,
    members: Vec<(String, String)>,
}

impl TeamStore {
    pub(crate) fn get(&self, team_id: &str) -> Option<&ServerTeam> {
        self.teams.iter().find(|t| t.id == team_id)
    }

    pub(crate) fn get_mut(&mut self, team_id: &str) -> Option<&mut ServerTeam> {
        self.teams.iter_mut().find(|t| t.id == team_id)
    }

    pub(crate) fn insert(&mut self, team: ServerTeam) {
        self.teams.push(team);
    }

    /// Every team, oldest first (`createdAt` ascending; creation order breaks ties).
    pub(crate) fn all(&self) -> Vec<&ServerTeam> {
        let mut all: Vec<&ServerTeam> = self.teams.iter().collect();
        all.sort_by_key(|t| t.created_at_millis);
        all
    }

    /// The teams `user_id` belongs to, oldest first.
    pub(crate) fn of_user(&self, user_id: &str) -> Vec<&ServerTeam> {
        self.all()
            .into_iter()
            .filter(|t| self.is_member(&t.id, user_id))
            .collect()
    }

    pub(crate) fn is_member(&self, team_id: &str, user_id: &str) -> bool {
        self.members
            .iter()
            .any(|(t, u)| t == team_id && u == user_id)
    }

    /// The members of `team_id`, in the order they joined.
    pub(crate) fn members(&self, team_id: &str) -> Vec<&str> {
        self.members
            .iter()
            .filter(|(t, _)| t == team_id)
            .map(|(_, u)| u.as_str())
            .collect()
    }

    pub(crate) fn add_member(&mut self, team_id: &str, user_id: &str) {
        if !self.is_member(team_id, user_id) {
            self.members.push((team_id.to_owned(), user_id.to_owned()));
        }
    }

    /// Removes a membership; whether it existed.
    pub(crate) fn remove_member(&mut self, team_id: &str, user_id: &str) -> bool {
        let before = self.members.len();
        self.members
            .retain(|(t, u)| !(t == team_id && u == user_id));
        before != self.members.len()
    }

    /// Removes a team and its memberships.
    pub(crate) fn remove(&mut self, team_id: &str) -> Option<ServerTeam> {
        let index = self.teams.iter().position(|t| t.id == team_id)?;
        self.members.retain(|(t, _)| t != team_id);
        Some(self.teams.remove(index))
    }

    /// Removes every membership of `user_id`.
    pub(crate) fn remove_user(&mut self, user_id: &str) {
        self.members.retain(|(_, u)| u != user_id);
    }
}
