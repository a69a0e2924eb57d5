//! Permission definitions of a project (PROTOCOL §10.3): [`PermissionDefinition`] and the id
//! rules of §10.3.3.

pub use stack_auth_core::TEAM_SYSTEM_PERMISSIONS;

/// Where a permission applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PermissionScope {
    /// Held per (user, team).
    Team,
    /// Held per user, project-wide.
    Project,
}

impl PermissionScope {
    /// `"team"` or `"project"`, as in the `WRONG_PERMISSION_SCOPE` details.
    pub fn as_str(self) -> &'static str {
        match self {
            PermissionScope::Team => "team",
            PermissionScope::Project => "project",
        }
    }
}

/// One permission a project defines (the dashboard's permission list): id, scope and the
/// permissions it contains (`contained_permission_ids`, followed transitively by
/// `recursive=true` listings).
///
/// ```
/// use stack_auth_testkit::{PermissionDefinition, ProjectSpec};
///
/// let project = ProjectSpec::random()
///     .permission(PermissionDefinition::team("editor").contains(["viewer", "$read_members"]))
///     .permission(PermissionDefinition::team("viewer"))
///     .permission(PermissionDefinition::project("billing:read"));
/// # let _ = project;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct PermissionDefinition {
    pub(crate) id: String,
    pub(crate) scope: PermissionScope,
    pub(crate) contains: Vec<String>,
}

impl PermissionDefinition {
    /// A team permission (id `^[a-z0-9_:]+$`).
    pub fn team(id: impl Into<String>) -> Self {
        PermissionDefinition {
            id: id.into(),
            scope: PermissionScope::Team,
            contains: Vec::new(),
        }
    }

    /// A project permission (id `^[a-z0-9_:]+$`).
    pub fn project(id: impl Into<String>) -> Self {
        PermissionDefinition {
            id: id.into(),
            scope: PermissionScope::Project,
            contains: Vec::new(),
        }
    }

    /// The permissions it contains (ids of the same scope, or team system permissions).
    pub fn contains<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.contains.extend(ids.into_iter().map(Into::into));
        self
    }

    /// The id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The scope.
    pub fn scope(&self) -> PermissionScope {
        self.scope
    }

    /// The contained ids, as given.
    pub fn contained_permission_ids(&self) -> &[String] {
        &self.contains
    }
}

/// Whether `id` is a valid id of a defined permission: `^[a-z0-9_:]+$`.
pub(crate) fn is_custom_permission_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b':')
}

/// Why a permission id in a request is refused (PROTOCOL §10.3.3), as yup words it; `None`
/// when it is valid (`^\$?[a-z0-9_:]+$`, a `$` id being a team system permission).
pub(crate) fn permission_id_problem(id: &str) -> Option<&'static str> {
    let body = id.strip_prefix('$').unwrap_or(id);
    if !is_custom_permission_id(body) {
        return Some(
            "Only lowercase letters, numbers, \":\", \"_\" and optional \"$\" at the beginning are allowed",
        );
    }
    if id.starts_with('$') && !TEAM_SYSTEM_PERMISSIONS.contains(&id) {
        return Some("Invalid system permission");
    }
    None
}

/// The defaults of a project created through the API (PROTOCOL §10.3.3): `team_member`
/// (`$read_members`, `$invite_members`) and `team_admin` (all six system permissions).
pub(crate) fn default_definitions() -> Vec<PermissionDefinition> {
    vec![
        PermissionDefinition::team("team_member").contains(["$read_members", "$invite_members"]),
        PermissionDefinition::team("team_admin").contains(TEAM_SYSTEM_PERMISSIONS),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_schema() {
        for good in [
            "team_admin",
            "a:b",
            "x1_",
            "$update_team",
            "$manage_api_keys",
        ] {
            assert_eq!(permission_id_problem(good), None, "{good}");
        }
        for bad in ["", "Admin", "a-b", "a b", "$", "é"] {
            assert!(
                permission_id_problem(bad).unwrap().starts_with("Only"),
                "{bad}"
            );
        }
        assert_eq!(
            permission_id_problem("$nope"),
            Some("Invalid system permission")
        );
        assert!(!is_custom_permission_id("$update_team"));
        assert_eq!(
            PermissionDefinition::project("p").scope(),
            PermissionScope::Project
        );
    }
}
