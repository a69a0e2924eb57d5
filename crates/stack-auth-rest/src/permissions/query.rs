//! `GET /api/v1/team-permissions` and `GET /api/v1/project-permissions` (PROTOCOL §10.3.1,
//! §10.3.2): the queries a check sends, and the list it answers.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::{
    endpoint::Endpoint,
    error::RestError,
    list::{items, query_value},
    request::ApiRequest,
};

/// One item of a permission list: the permission, and whose it is.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct Item {
    pub(crate) id: String,
    pub(crate) user_id: String,
}

/// Where the permissions asked about are held.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Held {
    /// In this team.
    Team(String),
    /// Project-wide.
    Project,
}

impl Held {
    /// The team, for the tags of an answer.
    pub(crate) fn team(&self) -> Option<&str> {
        match self {
            Held::Team(team) => Some(team),
            Held::Project => None,
        }
    }
}

/// The list of `user`'s permissions (`me`: the request's token's user), optionally only
/// `permission`, with or without the ones contained in those held directly.
pub(crate) fn request(
    held: &Held,
    user: &str,
    permission: Option<&str>,
    recursive: bool,
) -> ApiRequest {
    let mut query = match held {
        Held::Team(team) => format!("/team-permissions?team_id={team}&user_id={user}"),
        Held::Project => format!("/project-permissions?user_id={user}"),
    };
    if let Some(permission) = permission {
        query.push_str("&permission_id=");
        query.push_str(&query_value(permission));
    }
    query.push_str(if recursive {
        "&recursive=true"
    } else {
        "&recursive=false"
    });
    ApiRequest::get(query)
}

/// A permission list endpoint.
pub(crate) struct PermissionList(pub(crate) bool);

impl PermissionList {
    /// The endpoint answering about `held`.
    pub(crate) fn of(held: &Held) -> Self {
        PermissionList(matches!(held, Held::Team(_)))
    }
}

impl Endpoint for PermissionList {
    type Output = Arc<[Item]>;

    fn name(&self) -> &'static str {
        if self.0 {
            "team-permissions"
        } else {
            "project-permissions"
        }
    }

    fn parse(&self, body: &[u8]) -> Result<Arc<[Item]>, RestError> {
        items(body).map(Vec::into)
    }
}
