//! [`TeamSpec`]: a team to create on the stand-in (PROTOCOL §10.3.5).

use stack_auth_core::RawJson;

/// A team to create with [`LocalStackAuth::create_team`](crate::LocalStackAuth::create_team):
/// its display name and fields, an optional creator (who gets the project's team-creator
/// permissions, `team_admin` by default) and members (who get the team-member permissions,
/// `team_member` by default).
///
/// ```
/// use stack_auth_testkit::{uuid_for_name, TeamSpec};
///
/// let team = TeamSpec::new("Analytical Engines")
///     .creator(uuid_for_name("ada"))
///     .member(uuid_for_name("charles"));
/// # let _ = team;
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct TeamSpec {
    pub(crate) id: Option<String>,
    pub(crate) display_name: String,
    pub(crate) profile_image_url: Option<String>,
    pub(crate) client_metadata: Option<RawJson>,
    pub(crate) client_read_only_metadata: Option<RawJson>,
    pub(crate) server_metadata: Option<RawJson>,
    pub(crate) creator: Option<String>,
    pub(crate) members: Vec<String>,
}

impl TeamSpec {
    /// A team with this display name, a random UUID id, no creator and no members.
    pub fn new(display_name: impl Into<String>) -> Self {
        TeamSpec {
            id: None,
            display_name: display_name.into(),
            profile_image_url: None,
            client_metadata: None,
            client_read_only_metadata: None,
            server_metadata: None,
            creator: None,
            members: Vec::new(),
        }
    }

    /// A fixed team id (a UUID).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// The profile image URL.
    pub fn profile_image_url(mut self, url: impl Into<String>) -> Self {
        self.profile_image_url = Some(url.into());
        self
    }

    /// Client metadata.
    pub fn client_metadata(mut self, value: impl Into<RawJson>) -> Self {
        self.client_metadata = Some(value.into());
        self
    }

    /// Client read-only metadata.
    pub fn client_read_only_metadata(mut self, value: impl Into<RawJson>) -> Self {
        self.client_read_only_metadata = Some(value.into());
        self
    }

    /// Server metadata.
    pub fn server_metadata(mut self, value: impl Into<RawJson>) -> Self {
        self.server_metadata = Some(value.into());
        self
    }

    /// The user creating the team (`creator_user_id`): a member with the team-creator
    /// permissions. Like the real server, this sends only `team.created`.
    pub fn creator(mut self, user_id: impl Into<String>) -> Self {
        self.creator = Some(user_id.into());
        self
    }

    /// Adds a member after creation (repeatable), as `POST /team-memberships` does: it gets
    /// the team-member permissions, and `team_membership.created` plus one
    /// `team_permission.created` per permission are sent.
    pub fn member(mut self, user_id: impl Into<String>) -> Self {
        self.members.push(user_id.into());
        self
    }
}
