//! A fleet behaves like one server: three instances of a server (standing for three processes
//! behind a load balancer) share their caches and evictions through a local `redis-server`,
//! against a local Stack Auth stand-in. Each is wired as README "Running a fleet" shows
//! ([`Instance::start`]): the caches behind the Redis shared cache, the eviction bus in front
//! of the process's hub, the webhook receiver evicting into the bus.
//!
//! ```sh
//! cargo run -p stack-auth-examples --example fleet   # needs redis-server on PATH
//! ```
#![allow(clippy::print_stdout)]

use std::{fmt::Write, time::Duration};

use axum::{routing::post, Router};
use stack_auth::{
    redis::{RedisConfig, RedisSharedCache},
    testkit::{ApiKeySpec, LocalStackAuth, ProjectSpec, RedisServer, Route, TeamSpec, UserSpec},
    TokenVerifier,
};
use stack_auth_examples::{backend::BoxResult, fleet::Instance};
use stack_auth_webhooks::StackWebhook;

#[tokio::main]
async fn main() -> BoxResult<()> {
    print!("{}", report().await?);
    Ok(())
}

/// Runs the tour and returns the report it prints.
async fn report() -> BoxResult<String> {
    let mut out = String::new();
    let redis = RedisServer::start()?; // 127.0.0.1, a free port, no persistence
    let project = ProjectSpec::random().team_api_keys(true);
    let stack = LocalStackAuth::builder().project(project).start().await?;
    let ada = stack.create_user(UserSpec::normal().email("ada@example.com"))?;
    let team = stack.create_team(TeamSpec::new("Engines").creator(&ada.id))?;
    let team_key = stack.create_api_key(ApiKeySpec::team(&team.id))?;
    let token = stack.mint(&ada);
    let config = RedisConfig::builder(redis.url())
        .deployment("shop")
        .build()?;
    let mut fleet = Vec::new();
    for _ in 0..3 {
        let shared = RedisSharedCache::builder(config.clone())
            .timeout(Duration::from_secs(1)) // generous: the example may run on a busy machine
            .build()?;
        let secret = stack.webhook_secret();
        let key = stack.secret_server_key();
        fleet.push(Instance::start(
            &stack.config(),
            key,
            secret.expose(),
            &config,
            &shared,
        )?);
    }
    // Stack Auth's webhooks reach one instance only, as a load balancer would route them.
    let app = Router::new()
        .route("/webhooks/stack", post(|_: StackWebhook| async {}))
        .with_state(fleet[0].webhooks.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    stack.set_webhook_endpoint(Some(&format!(
        "http://{}/webhooks/stack",
        listener.local_addr()?
    )));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    while fleet.iter().any(|i| !i.bus.stats().subscribed) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    stack.reset_counts();

    writeln!(out, "── Ada's token and the team's key on each instance ──")?;
    for (i, instance) in fleet.iter().enumerate() {
        let user = instance.verifier.verify(&token).await?;
        let key = instance.api_keys.check(team_key.key()).await?;
        let shown = user.email().unwrap_or("?");
        let team_id = key.team_id().unwrap_or("?");
        writeln!(
            out,
            "instance {i}: token of {shown}, key of team {}",
            &team_id[..8]
        )?;
    }
    let checks = stack.requests(Route::TeamApiKeyCheck);
    let me = stack.requests(Route::UsersMe);
    writeln!(
        out,
        "requests to Stack Auth: {me} users/me, {checks} key check"
    )?;

    writeln!(out, "── Ada deleted; the webhook reaches instance 0 ──")?;
    stack.delete_user(&ada.id)?;
    stack.wait_for_webhooks().await;
    for (i, instance) in fleet.iter().enumerate() {
        let verdict = loop {
            // The bus carries the eviction to the other instances within a round trip or two.
            match instance.verifier.verify(&token).await {
                Ok(_) => tokio::time::sleep(Duration::from_millis(1)).await,
                Err(e) => break e,
            }
        };
        writeln!(
            out,
            "instance {i}: {} → HTTP {}",
            verdict.reason_label(),
            verdict.http_status()
        )?;
    }
    server.abort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    /// One request per credential for the fleet, and a webhook on one instance reaching all.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn fleet_report_shows_one_request_per_credential_and_every_instance_refusing() {
        let report = super::report().await.unwrap();
        for i in 0..3 {
            let line = format!("instance {i}: token of ada@example.com, key of team ");
            assert!(report.contains(&line), "missing {line:?} in\n{report}");
            let line = format!("instance {i}: user_not_found → HTTP 401");
            assert!(report.contains(&line), "missing {line:?} in\n{report}");
        }
        let line = "requests to Stack Auth: 1 users/me, 1 key check";
        assert!(report.contains(line), "missing {line:?} in\n{report}");
    }
}
