//! `GET /api/v1/auth/sessions?user_id=` with server access (PROTOCOL §10.4.1): the ids of a
//! user's sessions (impersonation sessions are never listed for a server key, §10.4.2).

use std::{collections::HashSet, sync::Arc};

use serde::Deserialize;

use crate::{endpoint::Endpoint, error::RestError, list::items, request::ApiRequest};

/// The ids of one user's listed sessions.
pub(super) type Listed = Arc<HashSet<String>>;

/// One item of the list: the session id and its owner (the rest is not needed).
#[derive(Deserialize)]
struct Item {
    id: String,
    user_id: String,
}

/// The request listing `user_id`'s sessions (a UUID, checked before).
pub(super) fn request(user_id: &str) -> ApiRequest {
    ApiRequest::get(format!("/auth/sessions?user_id={user_id}"))
}

/// `GET /auth/sessions` for one user.
pub(super) struct SessionList {
    /// Whose list it is: items of anyone else are ignored.
    pub(super) user_id: String,
}

impl Endpoint for SessionList {
    type Output = Listed;

    fn name(&self) -> &'static str {
        "auth/sessions"
    }

    fn parse(&self, body: &[u8]) -> Result<Listed, RestError> {
        let ids = items::<Item>(body)?
            .into_iter()
            .filter(|item| item.user_id == self.user_id)
            .map(|item| item.id)
            .collect();
        Ok(Arc::new(ids))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_ids_of_the_users_own_sessions() {
        let list = SessionList {
            user_id: "u1".into(),
        };
        let body = br#"{"items":[
            {"id":"s2","user_id":"u1","created_at":2,"last_used_at":2,"is_impersonation":false,"is_current_session":false,"agent_name":null},
            {"id":"s1","user_id":"u1","created_at":1,"last_used_at":1,"is_impersonation":false,"is_current_session":true},
            {"id":"x","user_id":"someone-else","created_at":1,"last_used_at":1,"is_impersonation":false,"is_current_session":false}
        ],"is_paginated":false}"#;
        let ids = list.parse(body).unwrap();
        assert_eq!(ids.len(), 2);
        assert!(ids.contains("s1") && ids.contains("s2") && !ids.contains("x"));
        assert!(list.parse(br#"{"items":[{"id":"s1"}]}"#).is_err());
        assert_eq!(request("u1").path, "/auth/sessions?user_id=u1");
    }
}
