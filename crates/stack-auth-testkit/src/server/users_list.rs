//! `GET /api/v1/users` (`users/crud.tsx onList`): the project's users, by default without
//! anonymous and restricted ones, optionally of one team, paginated with a cursor.

use bytes::Bytes;
use http::{Method, Request};
use stack_auth_core::ServerUser;

use super::crud::{answer, begin, ok, project_gone, Res};
use super::respond::plain;
use super::state::State;
use super::validate::{Kind, Validation};
use crate::ids::is_uuid;

const QUERY: [(&str, Kind, bool); 9] = [
    ("team_id", Kind::Uuid, false),
    ("limit", Kind::PositiveInt, false),
    ("cursor", Kind::Uuid, false),
    ("order_by", Kind::OneOf(&["signed_up_at"]), false),
    ("desc", Kind::TrueFalse, false),
    ("query", Kind::Text, false),
    ("include_anonymous", Kind::TrueFalse, false),
    ("only_anonymous", Kind::TrueFalse, false),
    ("include_restricted", Kind::TrueFalse, false),
];

/// Answers the users list (server access only).
pub(crate) fn list_users(state: &State, req: &Request<Bytes>, request_id: &str) -> Res {
    answer(|| {
        let call = begin(state, req, request_id, &[Method::GET])?;
        let mut v = Validation::new(req, &call.auth);
        let q = v.query(req, &QUERY);
        v.finish(&call.auth, &["server", "admin"])?;
        let flag = |name: &str| q.get(name).map(String::as_str) == Some("true");
        let (only_anonymous, include_anonymous) =
            (flag("only_anonymous"), flag("include_anonymous"));
        if only_anonymous && !include_anonymous {
            return Err(plain(400, "only_anonymous=true requires include_anonymous=true").into());
        }
        let include_restricted = flag("include_restricted") || include_anonymous;
        let inner = state.lock();
        let project = inner.project(&call.auth.project_id).map_err(project_gone)?;
        let search = q.get("query").map(String::as_str);
        let mut users: Vec<&ServerUser> = project
            .users
            .values()
            .filter(|u| {
                q.get("team_id")
                    .is_none_or(|t| project.data.teams.is_member(t, &u.id))
            })
            .filter(|u| {
                if only_anonymous {
                    u.is_anonymous
                } else {
                    include_anonymous || !u.is_anonymous
                }
            })
            .filter(|u| include_restricted || u.is_anonymous || !u.is_restricted)
            .filter(|u| search.is_none_or(|s| matches_search(u, s)))
            .collect();
        users.sort_by(|a, b| (a.signed_up_at_millis, &a.id).cmp(&(b.signed_up_at_millis, &b.id)));
        if flag("desc") {
            users.reverse();
        }
        if let Some(cursor) = q.get("cursor") {
            let start = users
                .iter()
                .position(|u| &u.id == cursor)
                .unwrap_or(users.len());
            users.drain(..start);
        }
        let limit = q
            .get("limit")
            .and_then(|l| l.trim().parse::<f64>().ok())
            .map(|l| l as usize);
        let next = limit.and_then(|l| users.get(l)).map(|u| u.id.clone());
        if let Some(l) = limit {
            users.truncate(l);
        }
        let items: Vec<String> = users
            .iter()
            .map(|u| serde_json::to_string(u).unwrap_or_default())
            .collect();
        Ok(ok(format!(
            "{{\"items\":[{}],\"is_paginated\":true,\"pagination\":{{\"next_cursor\":{}}}}}",
            items.join(","),
            serde_json::Value::from(next)
        )))
    })
}

/// The free-text search: the id exactly (after dropping special characters), or the display
/// name or email containing the text, case-insensitively.
fn matches_search(user: &ServerUser, text: &str) -> bool {
    let cleaned: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    let needle = text.to_lowercase();
    let contains = |v: &Option<String>| {
        v.as_ref()
            .is_some_and(|v| v.to_lowercase().contains(&needle))
    };
    (is_uuid(&cleaned) && user.id == cleaned)
        || contains(&user.display_name)
        || contains(&user.primary_email)
}
