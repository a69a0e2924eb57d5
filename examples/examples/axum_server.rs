//! An axum server authenticated with Stack Auth: a public route, a protected route, and a route
//! that needs the full profile.
//!
//! ```sh
//! # against a local Stack Auth stand-in (prints a curl command with a fresh token):
//! cargo run -p stack-auth-examples --example axum_server
//! # against your project:
//! HEXCLAVE_PROJECT_ID=... HEXCLAVE_SECRET_SERVER_KEY=ssk_... cargo run -p stack-auth-examples --example axum_server
//! # start, send a few requests to itself, exit (used as a smoke test):
//! cargo run -p stack-auth-examples --example axum_server -- --smoke
//! ```
//!
//! The verifier checks the JWT locally (JWKS) on every request and asks Stack Auth's REST API
//! for the profile only when `/profile` calls `load_profile` (`ProfilePolicy::OnDemand`).
//! Optional: `HEXCLAVE_API_URL` (default the hosted service), `PORT` (default 3000). Each
//! `HEXCLAVE_*` variable may be given by its older `STACK_*` name, read after it.
#![allow(clippy::print_stdout)]

use std::{net::SocketAddr, sync::Arc};

use axum::{routing::get, Json, Router};
use serde_json::{json, Value};
use stack_auth_axum::{AuthRejection, MaybeStackUser, StackAuth, StackUser};
use stack_auth_core::TokenVerifier;
use stack_auth_examples::{
    backend::{port, Backend, BoxResult},
    smoke::check_http_routes,
};
use tokio::net::TcpListener;

/// `/`: anyone; greets the user by name when a valid token is sent.
async fn home(MaybeStackUser(user): MaybeStackUser) -> String {
    match user {
        Some(user) => format!("hello {}\n", user.display_name().unwrap_or("there")),
        None => "hello stranger (send a token to /me)\n".to_owned(),
    }
}

/// `/me`: a verified user; answers from the token's claims, without calling Stack Auth.
async fn me(user: StackUser) -> Json<Value> {
    Json(json!({
        "id": user.user_id(),
        "type": user.user_type().as_str(),
        "email": user.email(),
        "display_name": user.display_name(),
        "session_expires_at": user.expires_at(),
    }))
}

/// `/profile`: the full, current profile, loaded from Stack Auth's REST API on demand.
async fn profile(user: StackUser) -> Result<Json<Value>, AuthRejection> {
    let profile = user.load_profile().await?;
    Ok(Json(json!({
        "id": profile.id,
        "email": profile.primary_email,
        "email_verified": profile.primary_email_verified,
        "display_name": profile.display_name,
        "team": profile.selected_team.as_ref().map(|t| &t.display_name),
        "signed_up_at_millis": profile.signed_up_at_millis,
        "last_active_at_millis": profile.last_active_at_millis,
    })))
}

/// The application: routes, with the verifier in the router state.
fn app(verifier: Arc<dyn TokenVerifier>) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/me", get(me))
        .route("/profile", get(profile))
        .with_state(StackAuth::new(verifier))
}

#[tokio::main]
async fn main() -> BoxResult<()> {
    let smoke = std::env::args().any(|a| a == "--smoke");
    let backend = Backend::from_env_or_stand_in().await?;
    let listener =
        TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port(smoke, 3000)?))).await?;
    let addr = listener.local_addr()?;
    let token = backend.token();
    let server = axum::serve(listener, app(backend.verifier.clone()));
    if smoke {
        tokio::spawn(async move { server.await });
        smoke_test(addr, token.as_deref()).await?;
        println!("smoke test passed");
        return Ok(());
    }
    backend.print_intro(
        |token| {
            format!(
                "  curl http://{addr}/\n  curl -H 'x-stack-access-token: {token}' http://{addr}/me\n  \
                 curl -H 'authorization: Bearer {token}' http://{addr}/profile\n"
            )
        },
        &format!("Listening on http://{addr} (send a Stack Auth access token to /me)"),
    );
    server
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// Sends requests to the running server and checks the answers.
async fn smoke_test(addr: SocketAddr, token: Option<&str>) -> BoxResult<()> {
    check_http_routes(addr, token).await
}

#[cfg(test)]
mod tests {
    /// The `--smoke` run against the stand-in: public, refused, protected and profile routes.
    #[tokio::test]
    async fn smoke_against_the_stand_in() {
        let backend = super::Backend::stand_in().await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let token = backend.token();
        let server = axum::serve(listener, super::app(backend.verifier));
        tokio::spawn(async move { server.await });
        super::smoke_test(addr, token.as_deref()).await.unwrap();
    }
}
