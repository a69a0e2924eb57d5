//! [`Route`] and [`RequestRecord`]: what the stand-in counts and logs.

use http::HeaderMap;
use stack_auth_core::redact_token;

/// A route of the stand-in, for request counts, the log and fault injection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Route {
    /// `GET /api/{v1,latest}/projects/{pid}/.well-known/jwks.json`.
    Jwks,
    /// `/api/{v1,latest}/projects-anonymous-users/{pid}/.well-known/…` (the 307 alias).
    AnonymousJwksRedirect,
    /// `GET /api/{v1,latest}/users/me`.
    UsersMe,
    /// `GET /api/{v1,latest}/users/{user_id}` (server access).
    UserById,
    /// `GET /api/{v1,latest}/users` (the users list).
    Users,
    /// `POST /api/{v1,latest}/user-api-keys/check`.
    UserApiKeyCheck,
    /// `POST /api/{v1,latest}/team-api-keys/check`.
    TeamApiKeyCheck,
    /// `GET /api/{v1,latest}/user-api-keys` (a user's keys).
    UserApiKeys,
    /// `GET /api/{v1,latest}/team-api-keys` (a team's keys).
    TeamApiKeys,
    /// `GET /api/{v1,latest}/teams`.
    Teams,
    /// `GET /api/{v1,latest}/teams/{team_id}`.
    TeamById,
    /// `POST`/`DELETE /api/{v1,latest}/team-memberships/{team_id}/{user_id}`.
    TeamMemberships,
    /// `/api/{v1,latest}/team-permissions` (list, and grant/revoke by path).
    TeamPermissions,
    /// `/api/{v1,latest}/project-permissions` (list, and grant/revoke by path).
    ProjectPermissions,
    /// `GET /api/{v1,latest}/auth/sessions`.
    Sessions,
    /// `DELETE /api/{v1,latest}/auth/sessions/{id}`.
    SessionById,
    /// `DELETE /api/{v1,latest}/auth/sessions/current` (sign-out).
    CurrentSession,
    /// Anything else (answered 404).
    Other,
    /// Every route: for [`LocalStackAuth::inject`](crate::LocalStackAuth::inject) and
    /// counts; never the route of a request.
    Any,
}

impl Route {
    /// Whether a request on `route` is covered by `self` (`Any` covers all).
    pub fn matches(self, route: Route) -> bool {
        self == Route::Any || self == route
    }
}

/// Headers whose values are secrets: the log keeps a fingerprint
/// (`stack_auth_core::redact_token`) so tests can still compare them.
pub const REDACTED_HEADERS: [&str; 13] = [
    "x-stack-secret-server-key",
    "x-stack-access-token",
    "x-stack-refresh-token",
    "x-stack-super-secret-admin-key",
    "x-stack-admin-access-token",
    "x-hexclave-secret-server-key",
    "x-hexclave-access-token",
    "x-hexclave-refresh-token",
    "x-hexclave-super-secret-admin-key",
    "x-hexclave-admin-access-token",
    "x-stack-auth",
    "authorization",
    "cookie",
];

/// One request the stand-in received.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestRecord {
    /// The route it matched.
    pub route: Route,
    /// The HTTP method.
    pub method: String,
    /// The path, without query.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// Every header (lower-case names, in order); the values of [`REDACTED_HEADERS`] are
    /// replaced by `redact_token(value)`.
    pub headers: Vec<(String, String)>,
    /// The status answered (`None` while in flight, or when the connection was dropped or hung).
    pub status: Option<u16>,
    /// The injected fault, if any.
    pub fault: Option<String>,
}

impl RequestRecord {
    pub(crate) fn new(route: Route, method: &str, uri: &http::Uri, headers: &HeaderMap) -> Self {
        let headers = headers
            .iter()
            .map(|(name, value)| {
                let name = name.as_str().to_owned();
                let raw = String::from_utf8_lossy(value.as_bytes());
                let shown = if REDACTED_HEADERS.contains(&name.as_str()) {
                    redact_token(&raw)
                } else {
                    raw.into_owned()
                };
                (name, shown)
            })
            .collect();
        RequestRecord {
            route,
            method: method.to_owned(),
            path: uri.path().to_owned(),
            query: uri.query().map(str::to_owned),
            headers,
            status: None,
            fault: None,
        }
    }

    /// The first value of header `name` (lower-case), as logged.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}
