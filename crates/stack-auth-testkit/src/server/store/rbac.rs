//! Permission definitions, default grants and direct grants of one project, and the listing
//! algorithm of `listPermissions` (PROTOCOL §10.3.1–10.3.3).

use std::collections::{BTreeMap, BTreeSet};

use crate::permission::{default_definitions, TEAM_SYSTEM_PERMISSIONS};
use crate::{PermissionDefinition, PermissionScope};

/// Why a grant is refused (`grantTeamPermission` / `grantProjectPermission`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum GrantError {
    /// `PERMISSION_NOT_FOUND`.
    NotFound,
    /// `WRONG_PERMISSION_SCOPE`, with the definition's scope.
    WrongScope(PermissionScope),
}

/// One project's permissions.
#[derive(Debug)]
pub(crate) struct Rbac {
    definitions: BTreeMap<String, PermissionDefinition>,
    pub(crate) creator_defaults: Vec<String>,
    pub(crate) member_defaults: Vec<String>,
    pub(crate) sign_up_defaults: Vec<String>,
    /// (team, user, permission)
    team_grants: BTreeSet<(String, String, String)>,
    /// (user, permission)
    project_grants: BTreeSet<(String, String)>,
}

impl Default for Rbac {
    /// The defaults of a project created through the API: `team_member` and `team_admin`,
    /// creators get `team_admin`, members `team_member`.
    fn default() -> Self {
        Rbac {
            definitions: default_definitions()
                .into_iter()
                .map(|d| (d.id.clone(), d))
                .collect(),
            creator_defaults: vec!["team_admin".into()],
            member_defaults: vec!["team_member".into()],
            sign_up_defaults: Vec::new(),
            team_grants: BTreeSet::new(),
            project_grants: BTreeSet::new(),
        }
    }
}

impl Rbac {
    /// Adds or replaces a definition.
    pub(crate) fn define(&mut self, definition: PermissionDefinition) {
        self.definitions.insert(definition.id.clone(), definition);
    }

    /// Removes a definition; grants of it stay in the database and are dropped when listed.
    pub(crate) fn undefine(&mut self, id: &str) -> Option<PermissionDefinition> {
        self.definitions.remove(id)
    }

    /// The contained ids of `id` in `scope` (system permissions contain nothing); `None` when
    /// `id` is not a permission of that scope.
    fn contained(&self, scope: PermissionScope, id: &str) -> Option<Vec<String>> {
        if scope == PermissionScope::Team && TEAM_SYSTEM_PERMISSIONS.contains(&id) {
            return Some(Vec::new());
        }
        self.definitions
            .get(id)
            .filter(|d| d.scope == scope)
            .map(|d| d.contains.clone())
    }

    /// Whether `id` may be granted in `scope` (system permissions are team permissions).
    pub(crate) fn check_grantable(
        &self,
        scope: PermissionScope,
        id: &str,
    ) -> Result<(), GrantError> {
        match self.definitions.get(id) {
            Some(d) if d.scope == scope => Ok(()),
            Some(d) => Err(GrantError::WrongScope(d.scope)),
            None if scope == PermissionScope::Team && TEAM_SYSTEM_PERMISSIONS.contains(&id) => {
                Ok(())
            }
            None => Err(GrantError::NotFound),
        }
    }

    /// Grants directly (idempotent); whether the grant is new.
    pub(crate) fn grant_team(&mut self, team: &str, user: &str, id: &str) -> bool {
        self.team_grants
            .insert((team.to_owned(), user.to_owned(), id.to_owned()))
    }

    pub(crate) fn revoke_team(&mut self, team: &str, user: &str, id: &str) -> bool {
        self.team_grants
            .remove(&(team.to_owned(), user.to_owned(), id.to_owned()))
    }

    pub(crate) fn grant_project(&mut self, user: &str, id: &str) -> bool {
        self.project_grants.insert((user.to_owned(), id.to_owned()))
    }

    pub(crate) fn revoke_project(&mut self, user: &str, id: &str) -> bool {
        self.project_grants
            .remove(&(user.to_owned(), id.to_owned()))
    }

    /// Drops the grants of a membership (the rows cascade with it).
    pub(crate) fn remove_member(&mut self, team: &str, user: &str) {
        self.team_grants
            .retain(|(t, u, _)| !(t == team && u == user));
    }

    pub(crate) fn remove_team(&mut self, team: &str) {
        self.team_grants.retain(|(t, _, _)| t != team);
    }

    pub(crate) fn remove_user(&mut self, user: &str) {
        self.team_grants.retain(|(_, u, _)| u != user);
        self.project_grants.retain(|(u, _)| u != user);
    }

    /// `GET /team-permissions`: `(team, user, id)` sorted by team, user, id.
    pub(crate) fn list_team(
        &self,
        team: Option<&str>,
        user: Option<&str>,
        permission: Option<&str>,
        recursive: bool,
    ) -> Vec<(String, String, String)> {
        let mut groups: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
        for (t, u, p) in &self.team_grants {
            if team.is_none_or(|x| x == t) && user.is_none_or(|x| x == u) {
                groups.entry((t, u)).or_default().push(p);
            }
        }
        let mut out: Vec<(String, String, String)> = groups
            .into_iter()
            .flat_map(|((t, u), direct)| {
                self.expand(PermissionScope::Team, &direct, recursive)
                    .into_iter()
                    .map(move |id| (t.to_owned(), u.to_owned(), id))
            })
            .collect();
        out.sort();
        out.retain(|(_, _, id)| permission.is_none_or(|p| p == id));
        out
    }

    /// `GET /project-permissions`: `(user, id)` sorted by user, id.
    pub(crate) fn list_project(
        &self,
        user: Option<&str>,
        permission: Option<&str>,
        recursive: bool,
    ) -> Vec<(String, String)> {
        let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (u, p) in &self.project_grants {
            if user.is_none_or(|x| x == u) {
                groups.entry(u).or_default().push(p);
            }
        }
        let mut out: Vec<(String, String)> = groups
            .into_iter()
            .flat_map(|(u, direct)| {
                self.expand(PermissionScope::Project, &direct, recursive)
                    .into_iter()
                    .map(move |id| (u.to_owned(), id))
            })
            .collect();
        out.sort();
        out.retain(|(_, id)| permission.is_none_or(|p| p == id));
        out
    }

    /// The direct ids of one (user, team) pair, plus with `recursive` everything they contain
    /// transitively; ids without a definition in `scope` are dropped (each id once, cycles
    /// harmless).
    fn expand(&self, scope: PermissionScope, direct: &[&str], recursive: bool) -> BTreeSet<String> {
        let mut todo: Vec<String> = direct.iter().map(|s| (*s).to_owned()).collect();
        let mut seen = BTreeSet::new();
        while let Some(id) = todo.pop() {
            let Some(contained) = self.contained(scope, &id) else {
                continue;
            };
            if seen.insert(id) && recursive {
                todo.extend(contained);
            }
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containment_is_transitive_and_undefined_grants_are_dropped() {
        let mut rbac = Rbac::default();
        rbac.define(PermissionDefinition::team("a").contains(["b"]));
        rbac.define(PermissionDefinition::team("b").contains(["a", "$update_team"]));
        rbac.define(PermissionDefinition::project("p"));
        rbac.grant_team("t", "u", "a");
        rbac.grant_team("t", "u", "gone");
        rbac.grant_team("t", "u", "p");
        let ids = |r: Vec<(String, String, String)>| r.into_iter().map(|x| x.2).collect::<Vec<_>>();
        assert_eq!(ids(rbac.list_team(None, None, None, false)), ["a"]);
        assert_eq!(
            ids(rbac.list_team(Some("t"), Some("u"), None, true)),
            ["$update_team", "a", "b"]
        );
        assert_eq!(ids(rbac.list_team(None, None, Some("b"), true)), ["b"]);
        assert!(rbac.list_team(None, None, Some("b"), false).is_empty());
        assert!(rbac.list_team(Some("x"), None, None, true).is_empty());
        assert_eq!(
            rbac.check_grantable(PermissionScope::Team, "p"),
            Err(GrantError::WrongScope(PermissionScope::Project))
        );
        assert_eq!(
            rbac.check_grantable(PermissionScope::Project, "$update_team"),
            Err(GrantError::NotFound)
        );
        assert_eq!(
            rbac.check_grantable(PermissionScope::Team, "$update_team"),
            Ok(())
        );
    }
}
