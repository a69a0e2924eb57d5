//! `parseAuth` (PROTOCOL §3.3 steps 1–9): which request headers produce which KnownError, in
//! the order the real server checks them.

use http::HeaderMap;
use stack_auth_core::ServerUser;

use super::decode::{decode, DecodeError};
use super::headers::request_header;
use super::known_error::KnownError;
use super::state::State;

/// A request's authentication, once every check passed.
#[derive(Debug, Clone)]
pub(crate) struct Auth {
    pub(crate) access_type: String,
    /// The project of the request (`x-stack-project-id`).
    pub(crate) project_id: String,
    /// The token's user, if a token was given and its user still exists.
    pub(crate) user: Option<ServerUser>,
    /// The token's session (`refresh_token_id`), if a token was given.
    pub(crate) session_id: Option<String>,
}

/// Why authentication failed.
#[derive(Debug, Clone)]
pub(crate) enum AuthError {
    Known(KnownError),
    /// A failed server assertion (plain 500).
    Internal,
}

impl From<KnownError> for AuthError {
    fn from(e: KnownError) -> Self {
        AuthError::Known(e)
    }
}

/// Runs the checks; `Ok(None)` when no access type is given (and no key either). Every header
/// is read under its `x-hexclave-` name, then its `x-stack-` name (PROTOCOL §9.2).
pub(crate) fn parse_auth(state: &State, headers: &HeaderMap) -> Result<Option<Auth>, AuthError> {
    let h = |name| request_header(headers, name).filter(|v| !v.is_empty());
    let keys = [
        "x-stack-publishable-client-key",
        "x-stack-secret-server-key",
        "x-stack-super-secret-admin-key",
        "x-stack-admin-access-token",
    ];
    let Some(access_type) = h("x-stack-access-type") else {
        if keys.iter().any(|k| h(k).is_some()) {
            return Err(KnownError::project_key_without_access_type().into());
        }
        return Ok(None);
    };
    if !matches!(access_type, "client" | "server" | "admin") {
        return Err(KnownError::invalid_access_type(access_type).into());
    }
    let Some(project_id) = h("x-stack-project-id") else {
        return Err(KnownError::access_type_without_project_id(access_type).into());
    };
    let decoded = match h("x-stack-access-token") {
        Some(token) => Some(check_token(state, headers, token, project_id)?),
        None => None,
    };
    let inner = state.lock();
    let Some(project) = inner.projects.get(project_id) else {
        return Err(KnownError::current_project_not_found(project_id).into());
    };
    check_keys(access_type, project_id, &project.keys, &h)?;
    let branch = h("x-stack-branch-id").unwrap_or("main");
    if branch != "main" {
        return Err(KnownError::branch_does_not_exist(branch).into());
    }
    let (user_id, session_id) = decoded.unzip();
    let user = user_id.and_then(|id| project.users.get(&id).cloned());
    Ok(Some(Auth {
        access_type: access_type.to_owned(),
        project_id: project_id.to_owned(),
        user,
        session_id: session_id.flatten(),
    }))
}

/// Step 5: the token is decoded before any key is checked; its user and session.
fn check_token(
    state: &State,
    headers: &HeaderMap,
    token: &str,
    project_id: &str,
) -> Result<(String, Option<String>), AuthError> {
    let secret = state.lock().secret.clone();
    let accepts_issuer = |pid: &str, iss: &str| state.accepts_issuer(pid, iss);
    let decoded =
        decode(token, &secret, &accepts_issuer, state.clock.unix_secs()).map_err(|e| match e {
            DecodeError::Expired(details, at) => {
                KnownError::access_token_expired(details, at).into()
            }
            DecodeError::Unparsable => KnownError::unparsable_access_token().into(),
            DecodeError::Assertion(why) => {
                tracing::debug!(why, "stand-in: access token failed a server assertion");
                AuthError::Internal
            }
        })?;
    if decoded.project_id != project_id {
        return Err(
            KnownError::invalid_project_for_access_token(project_id, &decoded.project_id).into(),
        );
    }
    let allowed = |name| request_header(headers, name) == Some("true");
    let allow_anonymous = allowed("x-stack-allow-anonymous-user");
    if decoded.is_anonymous && !allow_anonymous {
        return Err(KnownError::anonymous_not_allowed().into());
    }
    if decoded.is_restricted && !allow_anonymous && !allowed("x-stack-allow-restricted-user") {
        let reason = decoded.restricted_reason.as_deref().unwrap_or_default();
        return Err(KnownError::restricted_user_not_allowed(reason).into());
    }
    Ok((decoded.user_id, decoded.session_id))
}

/// Step 7: the key of the access type.
fn check_keys<'a>(
    access_type: &str,
    project_id: &str,
    valid: &[stack_auth_core::SecretServerKey],
    h: &impl Fn(&'static str) -> Option<&'a str>,
) -> Result<(), KnownError> {
    match access_type {
        "server" => match h("x-stack-secret-server-key") {
            None => Err(KnownError::server_authentication_required()),
            Some(key) if valid.iter().any(|k| k.expose() == key) => Ok(()),
            Some(_) => Err(KnownError::invalid_secret_server_key(project_id)),
        },
        "admin" => match h("x-stack-super-secret-admin-key").or(h("x-stack-admin-access-token")) {
            None => Err(KnownError::admin_authentication_required()),
            Some(_) => Err(KnownError::invalid_super_secret_admin_key(project_id)),
        },
        _ => match h("x-stack-publishable-client-key") {
            None => Ok(()),
            Some(_) => Err(KnownError::invalid_publishable_client_key(project_id)),
        },
    }
}
