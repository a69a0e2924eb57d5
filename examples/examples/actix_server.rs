//! An actix-web server authenticated with Stack Auth: a public route, a protected route, a route
//! that needs the full profile, and a state-changing route that reads the token from headers
//! only (never the ambient cookie: cross-site request forgery).
//!
//! ```sh
//! # against a local Stack Auth stand-in (prints curl commands with a fresh token):
//! cargo run -p stack-auth-examples --example actix_server
//! # against your project:
//! HEXCLAVE_PROJECT_ID=... HEXCLAVE_SECRET_SERVER_KEY=ssk_... cargo run -p stack-auth-examples --example actix_server
//! # start, send a few requests to itself, exit (used as a smoke test):
//! cargo run -p stack-auth-examples --example actix_server -- --smoke
//! ```
//!
//! The verifier checks the JWT locally (JWKS) on every request and asks Stack Auth's REST API
//! for the profile only when `/profile` calls `load_profile` (`ProfilePolicy::OnDemand`).
//! Optional: `HEXCLAVE_API_URL` (default the hosted service), `PORT` (default 3000). Each
//! `HEXCLAVE_*` variable may be given by its older `STACK_*` name, read after it.
#![allow(clippy::print_stdout)]

use std::{net::SocketAddr, sync::Arc};

use actix_web::{web, App, HttpResponse, HttpServer};
use serde_json::json;
use stack_auth_actix::{AuthRejection, MaybeStackUser, StackAuth, StackAuthMiddleware, StackUser};
use stack_auth_core::{TokenSources, TokenVerifier, UserTypes};
use stack_auth_examples::{
    backend::{expect, port, Backend, BoxResult},
    smoke::check_http_routes,
};

/// `/`: anyone; greets the user by name when a valid token is sent.
async fn home(MaybeStackUser(user): MaybeStackUser) -> String {
    match user {
        Some(user) => format!("hello {}\n", user.display_name().unwrap_or("there")),
        None => "hello stranger (send a token to /me)\n".to_owned(),
    }
}

/// `/me`: a verified user; answers from the token's claims, without calling Stack Auth.
async fn me(user: StackUser) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "id": user.user_id(),
        "type": user.user_type().as_str(),
        "email": user.email(),
        "display_name": user.display_name(),
        "session_expires_at": user.expires_at(),
    }))
}

/// `/profile`: the full, current profile, loaded from Stack Auth's REST API on demand.
async fn profile(user: StackUser) -> Result<HttpResponse, AuthRejection> {
    let profile = user.load_profile().await?;
    Ok(HttpResponse::Ok().json(json!({
        "id": profile.id,
        "email": profile.primary_email,
        "email_verified": profile.primary_email_verified,
        "display_name": profile.display_name,
        "team": profile.selected_team.as_ref().map(|t| &t.display_name),
        "signed_up_at_millis": profile.signed_up_at_millis,
        "last_active_at_millis": profile.last_active_at_millis,
    })))
}

/// `POST /notes`: changes state, so it takes the token from a header only; a cross-site form
/// carrying just the browser's cookie gets 401.
async fn add_note(user: StackUser) -> String {
    format!("note saved for {}\n", user.user_id())
}

/// The routes; `/notes` behind a middleware that reads the token from headers only.
fn routes(config: &mut web::ServiceConfig) {
    let headers_only =
        StackAuthMiddleware::requiring(UserTypes::ALL).token_sources(TokenSources::HEADERS_ONLY);
    config
        .route("/", web::get().to(home))
        .route("/me", web::get().to(me))
        .route("/profile", web::get().to(profile))
        .service(
            web::resource("/notes")
                .wrap(headers_only)
                .route(web::post().to(add_note)),
        );
}

/// Starts the server on 127.0.0.1:`port` (0: any free port) with `workers` workers: the
/// verifier in the app data for the extractors, and an optional middleware that verifies each
/// request once (the extractors reuse its verdict).
fn start(
    verifier: Arc<dyn TokenVerifier>,
    port: u16,
    workers: usize,
) -> BoxResult<(actix_web::dev::Server, SocketAddr)> {
    let server = HttpServer::new(move || {
        App::new()
            .app_data(StackAuth::new(verifier.clone()))
            .wrap(StackAuthMiddleware::new(verifier.clone()).optional())
            .configure(routes)
    })
    .workers(workers)
    .bind(("127.0.0.1", port))?;
    let addr = *server.addrs().first().ok_or("no address bound")?;
    Ok((server.run(), addr))
}

#[actix_web::main]
async fn main() -> BoxResult<()> {
    let smoke = std::env::args().any(|a| a == "--smoke");
    let backend = Backend::from_env_or_stand_in().await?;
    let workers = if smoke { 1 } else { 2 };
    let (server, addr) = start(backend.verifier.clone(), port(smoke, 3000)?, workers)?;
    if smoke {
        let handle = server.handle();
        actix_web::rt::spawn(server);
        smoke_test(addr, backend.token().as_deref()).await?;
        handle.stop(true).await;
        println!("smoke test passed");
        return Ok(());
    }
    backend.print_intro(
        |token| {
            format!(
                "  curl http://{addr}/\n  curl -H 'x-stack-access-token: {token}' http://{addr}/me\n  \
                 curl -H 'authorization: Bearer {token}' http://{addr}/profile\n  \
                 curl -X POST -H 'authorization: Bearer {token}' http://{addr}/notes\n"
            )
        },
        &format!("Listening on http://{addr} (send a Stack Auth access token to /me)"),
    );
    server.await?;
    Ok(())
}

/// Sends requests to the running server and checks the answers: the routes every HTTP
/// example has, and `/notes`, which takes the token from a header but not from the cookie.
async fn smoke_test(addr: SocketAddr, token: Option<&str>) -> BoxResult<()> {
    check_http_routes(addr, token).await?;
    let Some(token) = token else {
        return Ok(());
    };
    let client = reqwest::Client::new();
    let notes = format!("http://{addr}/notes");
    let cookie = format!("stack-access=%5B%22refresh%22%2C%22{token}%22%5D");
    let cross_site = client.post(&notes).header("cookie", cookie).send().await?;
    expect(
        cross_site.status().as_u16(),
        401,
        "/notes with the cookie only",
    )?;
    let note = client.post(&notes).bearer_auth(token).send().await?;
    expect(note.status().as_u16(), 200, "/notes with a header")
}

#[cfg(test)]
mod tests {
    /// The `--smoke` run against the stand-in: public, refused, protected, profile and
    /// headers-only routes, over a real actix-web server on 127.0.0.1.
    #[actix_web::test]
    async fn smoke_against_the_stand_in() {
        let backend = super::Backend::stand_in().await.unwrap();
        let (server, addr) = super::start(backend.verifier.clone(), 0, 1).unwrap();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        super::smoke_test(addr, backend.token().as_deref())
            .await
            .unwrap();
        handle.stop(true).await;
    }
}
