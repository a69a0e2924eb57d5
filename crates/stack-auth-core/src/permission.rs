//! Permissions (PROTOCOL §10.3): the [`PermissionChecker`] trait the framework guards take, the
//! [`PermissionScope`] a check is about, and the permission-id rule every check applies before
//! asking ([`check_permission_id`]).
//!
//! Stack Auth's access tokens carry no permissions: every check is a question to Stack Auth
//! (the REST crate's `Permissions` asks and caches the answer briefly).

use std::fmt;

use crate::{forward::forwarded_trait, VerifyError};

/// The six team system permissions: they exist in every project, contain nothing, and never
/// appear in project-permission answers.
pub const TEAM_SYSTEM_PERMISSIONS: [&str; 6] = [
    "$update_team",
    "$delete_team",
    "$read_members",
    "$remove_members",
    "$invite_members",
    "$manage_api_keys",
];

/// Where a permission is held: in one team, or project-wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PermissionScope<'a> {
    /// In the team with this id (`GET /team-permissions`).
    Team(&'a str),
    /// Project-wide (`GET /project-permissions`).
    Project,
}

impl fmt::Display for PermissionScope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PermissionScope::Team(team) => write!(f, "team {team}"),
            PermissionScope::Project => f.write_str("the project"),
        }
    }
}

/// A permission id Stack Auth would refuse to be asked about (PROTOCOL §10.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid permission id: {reason}")]
pub struct InvalidPermissionId {
    reason: &'static str,
}

impl InvalidPermissionId {
    /// Why, in the words of Stack Auth's schema.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

/// Checks `id` as Stack Auth checks a permission id in a query (PROTOCOL §10.3.3):
/// `^\$?[a-z0-9_:]+$`, and an id starting with `$` must be one of the
/// [`TEAM_SYSTEM_PERMISSIONS`]. A request with any other id would be refused as `SCHEMA_ERROR`.
///
/// ```
/// use stack_auth_core::check_permission_id;
///
/// assert!(check_permission_id("billing:read").is_ok());
/// assert!(check_permission_id("$read_members").is_ok());
/// assert!(check_permission_id("$read_everything").is_err());
/// assert!(check_permission_id("Admin").is_err());
/// ```
///
/// # Errors
///
/// [`InvalidPermissionId`] saying which rule the id breaks.
pub fn check_permission_id(id: &str) -> Result<(), InvalidPermissionId> {
    let body = id.strip_prefix('$').unwrap_or(id);
    let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b':';
    if body.is_empty() || !body.bytes().all(allowed) {
        return Err(InvalidPermissionId {
            reason: "only lowercase letters, numbers, \":\", \"_\" and an optional \"$\" at the beginning are allowed",
        });
    }
    if id.starts_with('$') && !TEAM_SYSTEM_PERMISSIONS.contains(&id) {
        return Err(InvalidPermissionId {
            reason: "a \"$\" id must be a team system permission",
        });
    }
    Ok(())
}

forwarded_trait! {
    /// Decides whether a user holds a permission, in a team or project-wide: what a framework's
    /// permission guard asks. The REST crate's `Permissions` implements it (Stack Auth's
    /// permission lists, with containment, cached briefly); so can your own types.
    ///
    /// `&T`, `Box<T>` and `Arc<T>` forward every method to `T`.
    ///
    /// ```
    /// use stack_auth_core::{async_trait, PermissionChecker, PermissionScope, VerifyError};
    ///
    /// /// Only user `u1`, only `read` in team `t1` (a test double).
    /// #[derive(Debug)]
    /// struct Fixed;
    ///
    /// #[async_trait]
    /// impl PermissionChecker for Fixed {
    ///     async fn has_permission(
    ///         &self,
    ///         user_id: &str,
    ///         scope: PermissionScope<'_>,
    ///         permission_id: &str,
    ///     ) -> Result<bool, VerifyError> {
    ///         Ok(user_id == "u1" && scope == PermissionScope::Team("t1") && permission_id == "read")
    ///     }
    /// }
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// assert!(Fixed.has_permission("u1", PermissionScope::Team("t1"), "read").await.unwrap());
    /// assert!(!Fixed.has_permission("u1", PermissionScope::Project, "read").await.unwrap());
    /// # });
    /// ```
    pub trait PermissionChecker: Send, Sync, fmt::Debug {
        /// Whether the user `user_id` holds `permission_id` in `scope`, directly or through a
        /// permission that contains it.
        ///
        /// # Errors
        ///
        /// [`VerifyError::Unavailable`] when Stack Auth cannot answer;
        /// [`VerifyError::Misconfigured`] for a permission id Stack Auth would refuse (see
        /// [`check_permission_id`]) or a checker set up wrongly.
        async fn has_permission(
            &self,
            user_id: &str,
            scope: PermissionScope<'_>,
            permission_id: &str
        ) -> Result<bool, VerifyError>;
    }
}

/// The type-erased permission checker.
pub type DynPermissionChecker = dyn PermissionChecker;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_ids_follow_the_schema() {
        for ok in ["team_admin", "billing:read", "a1_b2", "$manage_api_keys"] {
            assert!(check_permission_id(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "$",
            "Admin",
            "read-write",
            "read write",
            "$admin",
            "x$",
            "é",
        ] {
            assert!(check_permission_id(bad).is_err(), "{bad}");
        }
        let e = check_permission_id("$nope").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid permission id: a \"$\" id must be a team system permission"
        );
    }
}
