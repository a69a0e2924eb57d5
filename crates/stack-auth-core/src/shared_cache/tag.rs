//! [`CacheTag`]: what a shared entry depends on, so an [`Eviction`] voids exactly the entries it
//! makes stale.

use std::fmt;

use crate::Eviction;

/// Something a shared entry depends on. A [`SharedCache`](super::SharedCache) entry carries the
/// tags of everything its answer would change with; invalidating a tag voids those entries.
///
/// Which tags an entry carries (the SDK's verifiers follow this table; so should yours):
///
/// | entry | tags |
/// |---|---|
/// | a profile (users/me) | `User`, `UserProfile`, and `Session` when the token names its session |
/// | an API key verdict | `ApiKey`, and `User` or `Team` of the key's owner |
/// | a permission answer | `User`, and `TeamMember` (team permission) or `ProjectPermissions` |
/// | a session's liveness | `User`, `Session` |
///
/// Which tags an [`Eviction`] voids is [`Eviction::cache_tags`]. The ids are Stack Auth's ids
/// (never a credential); `Display` writes a tag as one string (`user:<id>`,
/// `team_member:<team id length>:<team id>:<user id>`), different for different tags.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum CacheTag {
    /// Every answer about the user (voided when the user is deleted).
    User(String),
    /// Answers that carry the user's profile (voided when the profile changes).
    UserProfile(String),
    /// The user's project permissions.
    ProjectPermissions(String),
    /// The user's membership of the team and permissions in it.
    TeamMember {
        /// The team.
        team_id: String,
        /// The user.
        user_id: String,
    },
    /// Everything about the team: its data, memberships and permissions in it.
    Team(String),
    /// A session (the tokens' `refresh_token_id`): voided when it ends.
    Session(String),
    /// An API key, by the key's id (never the key string).
    ApiKey(String),
    /// Every entry: all entries carry it without naming it, so invalidating it voids the whole
    /// shared cache (of this deployment).
    Everything,
}

impl CacheTag {
    /// The tag's kind, a stable label: `user`, `user_profile`, `project_permissions`,
    /// `team_member`, `team`, `session`, `api_key`, `everything`.
    pub fn kind(&self) -> &'static str {
        match self {
            CacheTag::User(_) => "user",
            CacheTag::UserProfile(_) => "user_profile",
            CacheTag::ProjectPermissions(_) => "project_permissions",
            CacheTag::TeamMember { .. } => "team_member",
            CacheTag::Team(_) => "team",
            CacheTag::Session(_) => "session",
            CacheTag::ApiKey(_) => "api_key",
            CacheTag::Everything => "everything",
        }
    }
}

impl fmt::Display for CacheTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind();
        match self {
            CacheTag::User(id)
            | CacheTag::UserProfile(id)
            | CacheTag::ProjectPermissions(id)
            | CacheTag::Team(id)
            | CacheTag::Session(id)
            | CacheTag::ApiKey(id) => write!(f, "{kind}:{id}"),
            // The length keeps ("a:b", "c") and ("a", "b:c") apart.
            CacheTag::TeamMember { team_id, user_id } => {
                write!(f, "{kind}:{}:{team_id}:{user_id}", team_id.len())
            }
            CacheTag::Everything => f.write_str(kind),
        }
    }
}

impl Eviction {
    /// The shared-cache tags this eviction voids: invalidate them in the
    /// [`SharedCache`](super::SharedCache) once, from the process the eviction started in,
    /// and every process's next read misses.
    ///
    /// ```
    /// use stack_auth_core::{CacheTag, Eviction};
    ///
    /// let gone = Eviction::UserDeleted { user_id: "u1".into() };
    /// assert_eq!(gone.cache_tags(), [CacheTag::User("u1".into())]);
    /// assert_eq!(Eviction::All.cache_tags(), [CacheTag::Everything]);
    /// ```
    pub fn cache_tags(&self) -> Vec<CacheTag> {
        let tag = match self {
            Eviction::UserUpdated { user_id } => CacheTag::UserProfile(user_id.clone()),
            Eviction::UserDeleted { user_id } => CacheTag::User(user_id.clone()),
            Eviction::SessionEnded { session_id, .. } => CacheTag::Session(session_id.clone()),
            Eviction::TeamPermissions { team_id, user_id }
            | Eviction::TeamMembership { team_id, user_id } => CacheTag::TeamMember {
                team_id: team_id.clone(),
                user_id: user_id.clone(),
            },
            Eviction::ProjectPermissions { user_id } => {
                CacheTag::ProjectPermissions(user_id.clone())
            }
            Eviction::Team { team_id } => CacheTag::Team(team_id.clone()),
            Eviction::ApiKey { key_id } => CacheTag::ApiKey(key_id.clone()),
            Eviction::All => CacheTag::Everything,
        };
        vec![tag]
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::test_util::every_eviction;

    #[test]
    fn each_eviction_voids_the_tag_of_what_it_names() {
        let tags: Vec<String> = every_eviction()
            .iter()
            .flat_map(Eviction::cache_tags)
            .map(|t| t.to_string())
            .collect();
        assert_eq!(
            tags,
            [
                "user_profile:u1",
                "user:u1",
                "session:s1",
                "team_member:2:t1:u1",
                "project_permissions:u1",
                "team_member:2:t1:u1",
                "team:t1",
                "api_key:k1",
                "everything",
            ]
        );
    }

    #[test]
    fn different_tags_print_differently() {
        let tags = [
            CacheTag::TeamMember {
                team_id: "a:b".into(),
                user_id: "c".into(),
            },
            CacheTag::TeamMember {
                team_id: "a".into(),
                user_id: "b:c".into(),
            },
            CacheTag::User("x".into()),
            CacheTag::UserProfile("x".into()),
            CacheTag::Team("x".into()),
            CacheTag::Session("x".into()),
            CacheTag::ApiKey("x".into()),
            CacheTag::ProjectPermissions("x".into()),
            CacheTag::Everything,
        ];
        let printed: HashSet<String> = tags.iter().map(ToString::to_string).collect();
        assert_eq!(printed.len(), tags.len());
    }
}
