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

use std::{error::Error, net::SocketAddr, sync::Arc};

use axum::{routing::get, Json, Router};
use serde_json::{json, Value};
use stack_auth_axum::{AuthRejection, MaybeStackUser, StackAuth, StackUser};
use stack_auth_composite::{CompositeVerifier, ProfilePolicy};
use stack_auth_core::{SecretServerKey, StackAuthConfig, TokenVerifier};
use stack_auth_testkit::{LocalStackAuth, UserSpec};
use tokio::net::TcpListener;

type BoxResult<T> = Result<T, Box<dyn Error + Send + Sync>>;

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

/// Where tokens are verified: your project when configured, else a local stand-in.
struct Backend {
    verifier: Arc<dyn TokenVerifier>,
    /// The stand-in and a token of one of its users, when no project is configured.
    stand_in: Option<(LocalStackAuth, String)>,
}

/// Checks JWTs locally on every request; asks REST only when a handler loads the profile.
fn on_demand(config: StackAuthConfig, key: SecretServerKey) -> BoxResult<Arc<dyn TokenVerifier>> {
    let verifier = CompositeVerifier::builder_with_config(config, key)
        .profile_policy(ProfilePolicy::OnDemand)
        .build()?;
    Ok(Arc::new(verifier))
}

/// `HEXCLAVE_<name>`, else `STACK_<name>` (empty counts as unset).
fn env(name: &str) -> Option<String> {
    ["HEXCLAVE_", "STACK_"].iter().find_map(|prefix| {
        std::env::var(format!("{prefix}{name}"))
            .ok()
            .filter(|v| !v.is_empty())
    })
}

/// Your project, from `HEXCLAVE_PROJECT_ID`, `HEXCLAVE_SECRET_SERVER_KEY` and `HEXCLAVE_API_URL`
/// (or their `STACK_` names).
fn project_from_env() -> BoxResult<Option<Backend>> {
    let (Some(project), Some(key)) = (env("PROJECT_ID"), env("SECRET_SERVER_KEY")) else {
        return Ok(None);
    };
    let mut config = StackAuthConfig::builder(project);
    if let Some(url) = env("API_URL") {
        config = config.base_url(url);
    }
    Ok(Some(Backend {
        verifier: on_demand(config.build()?, key.into())?,
        stand_in: None,
    }))
}

/// A local Stack Auth stand-in with one user, and a token for them.
async fn stand_in() -> BoxResult<Backend> {
    let stack = LocalStackAuth::start().await?;
    let ada = stack.create_user(
        UserSpec::normal()
            .email("ada@example.com")
            .display_name("Ada Lovelace")
            .team("Analytical Engines"),
    )?;
    let token = stack.mint(&ada);
    let verifier = on_demand(stack.config(), stack.secret_server_key())?;
    Ok(Backend {
        verifier,
        stand_in: Some((stack, token)),
    })
}

#[tokio::main]
async fn main() -> BoxResult<()> {
    let smoke = std::env::args().any(|a| a == "--smoke");
    let backend = match project_from_env()? {
        Some(backend) => backend,
        None => stand_in().await?,
    };
    let port = match std::env::var("PORT") {
        Ok(port) if !smoke => port.parse()?,
        _ if smoke => 0,
        _ => 3000,
    };
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    let addr = listener.local_addr()?;
    let token = backend.stand_in.as_ref().map(|(_, token)| token.clone());
    let server = axum::serve(listener, app(backend.verifier));
    if smoke {
        tokio::spawn(async move { server.await });
        smoke_test(addr, token.as_deref()).await?;
        println!("smoke test passed");
        return Ok(());
    }
    match (&backend.stand_in, &token) {
        (Some((stack, _)), Some(token)) => {
            println!("No HEXCLAVE_PROJECT_ID/HEXCLAVE_SECRET_SERVER_KEY (or STACK_*): using a local Stack Auth stand-in at {}.", stack.base_url());
            println!("Try (the token is valid for 10 minutes):\n");
            println!("  curl http://{addr}/");
            println!("  curl -H 'x-stack-access-token: {token}' http://{addr}/me");
            println!("  curl -H 'authorization: Bearer {token}' http://{addr}/profile\n");
        }
        _ => println!("Listening on http://{addr} (send a Stack Auth access token to /me)"),
    }
    server
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// Sends requests to the running server and checks the answers.
async fn smoke_test(addr: SocketAddr, token: Option<&str>) -> BoxResult<()> {
    let client = reqwest::Client::new();
    let url = |path: &str| format!("http://{addr}{path}");
    let public = client.get(url("/")).send().await?;
    expect(public.status().as_u16(), 200, "/")?;
    let refused = client.get(url("/me")).send().await?;
    expect(refused.status().as_u16(), 401, "/me without a token")?;
    let Some(token) = token else {
        return Ok(());
    };
    let me = client.get(url("/me")).bearer_auth(token).send().await?;
    expect(me.status().as_u16(), 200, "/me")?;
    let profile = client
        .get(url("/profile"))
        .header("x-stack-access-token", token)
        .send()
        .await?;
    expect(profile.status().as_u16(), 200, "/profile")?;
    let body: Value = serde_json::from_str(&profile.text().await?)?;
    expect(
        body["team"].as_str(),
        Some("Analytical Engines"),
        "/profile team",
    )
}

fn expect<T: PartialEq + std::fmt::Debug>(got: T, want: T, what: &str) -> BoxResult<()> {
    if got == want {
        return Ok(());
    }
    Err(format!("{what}: expected {want:?}, got {got:?}").into())
}

#[cfg(test)]
mod tests {
    /// The `--smoke` run against the stand-in: public, refused, protected and profile routes.
    #[tokio::test]
    async fn smoke_against_the_stand_in() {
        let backend = super::stand_in().await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let token = backend.stand_in.as_ref().map(|(_, t)| t.clone());
        let server = axum::serve(listener, super::app(backend.verifier));
        tokio::spawn(async move { server.await });
        super::smoke_test(addr, token.as_deref()).await.unwrap();
    }
}
