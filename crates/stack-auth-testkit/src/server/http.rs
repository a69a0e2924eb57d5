//! The HTTP side: accept loop, per-connection service, routing, counting, logging and fault
//! injection.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::Bytes;
use http::{header, Request, Response};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::faults::{take, Fault, FaultBody};
use super::jwks;
use super::known_error::KnownError;
use super::respond::{finish, known, override_status, plain, reply, set, Body, JSON, TEXT};
use super::state::State;
use super::{
    api_keys, memberships, permission_routes, sessions, teams, users_list, users_me, RequestRecord,
    Route,
};
use crate::ApiKeyType;

/// The largest request body read (larger ones are answered 413).
const MAX_BODY: usize = 1 << 20;

/// The connection was dropped on purpose (a [`Fault::DropConnection`] or [`Fault::Hang`]).
#[derive(Debug)]
pub(crate) struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for Dropped {}

/// Accepts connections until shutdown, then lets open connections finish gracefully.
pub(crate) async fn serve(listener: TcpListener, state: Arc<State>) {
    let mut shutdown = state.shutdown.subscribe();
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    state.connections.fetch_add(1, Ordering::SeqCst);
                    conns.spawn(connection(stream, Arc::clone(&state)));
                }
            }
            _ = stopped(&mut shutdown) => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(listener);
    while conns.join_next().await.is_some() {}
}

async fn connection(stream: TcpStream, state: Arc<State>) {
    let mut shutdown = state.shutdown.subscribe();
    let service_state = Arc::clone(&state);
    let service = service_fn(move |req| handle(Arc::clone(&service_state), req));
    let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stopped(&mut shutdown) => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

/// Resolves once shutdown is signalled (or the signal is gone).
async fn stopped(rx: &mut watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

/// Splits `/api/{v1,latest}/…` into a route and its parameters.
fn classify(path: &str) -> (Route, Vec<&str>) {
    let rest = path
        .strip_prefix("/api/v1/")
        .or_else(|| path.strip_prefix("/api/latest/"));
    let Some(rest) = rest else {
        return (Route::Other, Vec::new());
    };
    let segments: Vec<&str> = rest.split('/').collect();
    match segments.as_slice() {
        ["projects", pid, ".well-known", "jwks.json"] => (Route::Jwks, vec![*pid]),
        ["projects-anonymous-users", pid, ".well-known", more @ ..] if !more.is_empty() => {
            let tail = &rest[rest.find(".well-known/").map_or(0, |i| i + 12)..];
            (Route::AnonymousJwksRedirect, vec![*pid, tail])
        }
        ["users", "me"] => (Route::UsersMe, Vec::new()),
        ["users", id] => (Route::UserById, vec![*id]),
        ["users"] => (Route::Users, Vec::new()),
        ["user-api-keys", "check"] => (Route::UserApiKeyCheck, Vec::new()),
        ["team-api-keys", "check"] => (Route::TeamApiKeyCheck, Vec::new()),
        ["user-api-keys"] => (Route::UserApiKeys, Vec::new()),
        ["team-api-keys"] => (Route::TeamApiKeys, Vec::new()),
        ["teams"] => (Route::Teams, Vec::new()),
        ["teams", id] => (Route::TeamById, vec![*id]),
        ["team-memberships", team, user] => (Route::TeamMemberships, vec![*team, *user]),
        ["team-permissions"] => (Route::TeamPermissions, Vec::new()),
        ["team-permissions", t, u, p] => (Route::TeamPermissions, vec![*t, *u, *p]),
        ["project-permissions"] => (Route::ProjectPermissions, Vec::new()),
        ["project-permissions", u, p] => (Route::ProjectPermissions, vec![*u, *p]),
        ["auth", "sessions"] => (Route::Sessions, Vec::new()),
        ["auth", "sessions", "current"] => (Route::CurrentSession, Vec::new()),
        ["auth", "sessions", id] => (Route::SessionById, vec![*id]),
        _ => (Route::Other, Vec::new()),
    }
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Result<Response<Body>, Dropped> {
    let (route, params) = classify(req.uri().path());
    let (index, fault, request_id) = {
        let mut inner = state.lock();
        *inner.counts.entry(route).or_default() += 1;
        let mut record = RequestRecord::new(route, req.method().as_str(), req.uri(), req.headers());
        let fault = take(&mut inner.faults, route);
        record.fault = fault.as_ref().map(Fault::label);
        inner.log.push(record);
        let index = inner.log.len() - 1;
        (
            index,
            fault,
            format!("req_{index:06}_{}", &crate::random_uuid()[..8]),
        )
    };
    let params: Vec<String> = params.iter().map(|p| decode_segment(p)).collect();
    let (parts, body) = req.into_parts();
    let body = match http_body_util::Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let req = Request::from_parts(parts, body);
    let res = match fault {
        None => Some(answer(&state, &req, route, &params, &request_id)),
        Some(Fault::Latency(delay)) => {
            tokio::time::sleep(delay).await;
            Some(answer(&state, &req, route, &params, &request_id))
        }
        Some(Fault::Hang) => {
            stopped(&mut state.shutdown.subscribe()).await;
            None
        }
        Some(Fault::DropConnection) => None,
        Some(other) => Some(fault_response(other)),
    };
    let Some(res) = res else {
        return Err(Dropped);
    };
    let res = finish(res, &request_id);
    if let Some(record) = state.lock().log.get_mut(index) {
        record.status = Some(res.status().as_u16());
    }
    Ok(res)
}

fn answer(
    state: &State,
    req: &Request<Bytes>,
    route: Route,
    params: &[String],
    request_id: &str,
) -> Response<Body> {
    let res = match (route, params) {
        (Route::Jwks, [pid]) => jwks::jwks(state, req, pid, request_id),
        (Route::AnonymousJwksRedirect, [pid, rest]) => jwks::anonymous_alias(state, req, pid, rest),
        (Route::UsersMe, _) => users_me::users_me(state, req, request_id),
        (Route::UserById, [id]) => users_me::user_by_id(state, req, id, request_id),
        (Route::Users, _) => users_list::list_users(state, req, request_id),
        (Route::UserApiKeyCheck, _) => api_keys::check(state, req, ApiKeyType::User, request_id),
        (Route::TeamApiKeyCheck, _) => api_keys::check(state, req, ApiKeyType::Team, request_id),
        (Route::UserApiKeys, _) => api_keys::list_keys(state, req, ApiKeyType::User, request_id),
        (Route::TeamApiKeys, _) => api_keys::list_keys(state, req, ApiKeyType::Team, request_id),
        (Route::Teams, _) => teams::list_teams(state, req, request_id),
        (Route::TeamById, [id]) => teams::read_team(state, req, id, request_id),
        (Route::TeamMemberships, [team, user]) => {
            memberships::membership(state, req, team, user, request_id)
        }
        (Route::TeamPermissions, p) => {
            permission_routes::team_permissions(state, req, p, request_id)
        }
        (Route::ProjectPermissions, p) => {
            permission_routes::project_permissions(state, req, p, request_id)
        }
        (Route::Sessions, _) => sessions::list_sessions(state, req, request_id),
        (Route::SessionById, [id]) => sessions::delete_session(state, req, id, request_id),
        (Route::CurrentSession, _) => sessions::sign_out(state, req, request_id),
        _ => plain(404, "Not found"),
    };
    override_status(res, req.headers())
}

/// A path segment, percent-decoded (the official SDK encodes ids with `encodeURIComponent`).
fn decode_segment(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

/// The response an injected fault stands for.
fn fault_response(fault: Fault) -> Response<Body> {
    match fault {
        Fault::Status { status, body } => match body {
            FaultBody::Plain(text) => reply(status, Some(TEXT), text),
            FaultBody::KnownError {
                code,
                error,
                details,
            } => known(&KnownError::new(status, &code, error, details)),
            FaultBody::Json(value) => reply(status, Some(JSON), value.to_string()),
            FaultBody::Empty => reply(status, None, Bytes::new()),
        },
        Fault::RateLimited { retry_after } => {
            let body = r#"{"message":"Artificial development rate limit triggered. Wait before retrying."}"#;
            let mut res = reply(429, Some(JSON), body);
            if let Some(secs) = retry_after {
                set(&mut res, header::RETRY_AFTER, &secs.to_string());
            }
            res
        }
        Fault::GarbageJson => reply(200, Some(JSON), r#"{"keys": [{"kty": "EC", "alg"#),
        Fault::Oversized(size) => reply(200, Some(JSON), oversized(size)),
        _ => plain(500, "Injected fault"),
    }
}

/// Valid JSON of exactly `size` bytes (at least the 23 of the skeleton).
fn oversized(size: usize) -> String {
    let skeleton = r#"{"keys":[],"padding":""}"#;
    let pad = size.saturating_sub(skeleton.len());
    format!("{{\"keys\":[],\"padding\":\"{}\"}}", "A".repeat(pad))
}
