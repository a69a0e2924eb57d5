//! API keys: check user and team keys with `ApiKeys`, and accept them (besides access tokens)
//! on an axum route with `StackPrincipal`, against a local Stack Auth stand-in. Every answer
//! shows what it cost in requests to Stack Auth.
//!
//! ```sh
//! cargo run -p stack-auth-examples --example api_keys
//! ```
#![allow(clippy::print_stdout)]

use std::{error::Error, fmt::Write, sync::Arc};

use axum::{body::Body, routing::get, Router};
use http::Request;
use stack_auth::{
    framework::{Credentials, Principal},
    jwks::JwksVerifier,
    rest::{ApiKeys, ServerApi},
    testkit::{ApiKeySpec, LocalStackAuth, ProjectSpec, Route, TeamSpec, UserSpec},
    VerifiedApiKey, VerifyError,
};
use stack_auth_axum::{StackAuth, StackPrincipal};
use tower::ServiceExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    print!("{}", report().await?);
    Ok(())
}

/// Key checks and requests to Stack Auth so far.
fn cost(stack: &LocalStackAuth) -> String {
    let checks = stack.requests(Route::UserApiKeyCheck) + stack.requests(Route::TeamApiKeyCheck);
    let users = stack.requests(Route::UserById);
    format!("{checks} key checks, {users} user lookups")
}

/// Runs the tour and returns the report it prints.
async fn report() -> Result<String, Box<dyn Error>> {
    let mut out = String::new();
    // API keys are off by default in a project: the dashboard's API Keys app turns them on.
    let project = ProjectSpec::random()
        .user_api_keys(true)
        .team_api_keys(true);
    let stack = LocalStackAuth::builder().project(project).start().await?;
    let ada = stack.create_user(UserSpec::normal().email("ada@example.com"))?;
    let team = stack.create_team(TeamSpec::new("Engines").creator(&ada.id))?;
    let ada_key = stack.create_api_key(ApiKeySpec::user(&ada.id).description("CI"))?;
    let team_key = stack.create_api_key(ApiKeySpec::team(&team.id))?;
    let public_key = stack.create_api_key(ApiKeySpec::user(&ada.id).public(true))?;
    let revoked = stack.create_api_key(ApiKeySpec::user(&ada.id))?;
    stack.revoke_api_key(revoked.id())?;
    let (body, last) = ada_key.key().split_at(ada_key.key().len() - 1);
    let tampered = format!("{body}{}", if last == "0" { "1" } else { "0" });

    let api = ServerApi::builder_with_config(stack.config(), stack.secret_server_key()).build()?;
    let keys = ApiKeys::new(&api);
    writeln!(out, "── ApiKeys::check ──")?;
    let cases = [
        ("ada's user key", keys.check(ada_key.key()).await),
        ("again (cached 30 s)", keys.check(ada_key.key()).await),
        ("the team's key", keys.check(team_key.key()).await),
        (
            "a team key as a user key",
            keys.check_user_key(team_key.key()).await,
        ),
        ("a revoked key", keys.check(revoked.key()).await),
        ("a tampered checksum", keys.check(&tampered).await),
        ("a public (pk_) key", keys.check(public_key.key()).await),
        ("not a key at all", keys.check("sk_hello").await),
    ];
    for (label, result) in cases {
        writeln!(out, "  {label:<25} {}", describe(result))?;
    }
    writeln!(out, "  requests: {}", cost(&stack))?;

    // A route for both kinds of callers: programs with an API key, browsers with a token.
    writeln!(
        out,
        "── GET /whoami, accepting access tokens and API keys ──"
    )?;
    let jwks = Arc::new(JwksVerifier::builder_with_config(stack.config()).build()?);
    let auth = StackAuth::new(jwks)
        .api_keys(Arc::new(keys.clone()))
        .accept(Credentials::ANY);
    let app = Router::new().route("/whoami", get(whoami)).with_state(auth);
    let bearer_team_key = format!("Bearer {}", team_key.key());
    let bearer_token = format!("Bearer {}", stack.mint(&ada));
    let requests = [
        (
            "x-stack-api-key: ada's key",
            ("x-stack-api-key", ada_key.key()),
        ),
        (
            "Bearer <the team's key>",
            ("authorization", bearer_team_key.as_str()),
        ),
        (
            "Bearer <ada's access token>",
            ("authorization", bearer_token.as_str()),
        ),
        (
            "x-stack-api-key: revoked",
            ("x-stack-api-key", revoked.key()),
        ),
    ];
    for (label, (name, value)) in requests {
        let request = Request::get("/whoami")
            .header(name, value)
            .body(Body::empty())?;
        let response = app.clone().oneshot(request).await?;
        let status = response.status().as_u16();
        let body = axum::body::to_bytes(response.into_body(), 4096).await?;
        writeln!(
            out,
            "  {label:<28} → {status} {}",
            String::from_utf8_lossy(&body)
        )?;
    }
    writeln!(
        out,
        "  requests: {} (every key answered from the cache)",
        cost(&stack)
    )?;
    stack.shutdown().await;
    Ok(out)
}

/// `/whoami`: who sent the request, by access token or API key.
async fn whoami(StackPrincipal(principal): StackPrincipal) -> String {
    match principal {
        Principal::ApiKey(key) => describe(Ok(key)),
        Principal::AccessToken(user) => format!("token of {}", user.email().unwrap_or("?")),
        _ => "someone".to_owned(),
    }
}

fn describe(result: Result<VerifiedApiKey, VerifyError>) -> String {
    match result {
        Ok(key) => match (key.user(), key.team_id()) {
            (Some(user), _) => format!("✔ user key of {}", user.email().unwrap_or("?")),
            (None, Some(team)) => format!("✔ team key of {}", &team[..8]),
            (None, None) => "✔ key".to_owned(),
        },
        Err(e) => format!("✘ {} → HTTP {}", e.reason_label(), e.http_status()),
    }
}

#[cfg(test)]
mod tests {
    /// The report's verdicts, and their cost: what is refused offline costs nothing, a key is
    /// asked once, the route answers from the cache.
    #[tokio::test]
    async fn api_keys_report_shows_each_verdict_and_its_cost() {
        let report = super::report().await.unwrap();
        for line in [
            "ada's user key            ✔ user key of ada@example.com",
            "again (cached 30 s)       ✔ user key of ada@example.com",
            "a team key as a user key  ✘ wrong_api_key_type → HTTP 401",
            "a revoked key             ✘ api_key_revoked → HTTP 401",
            "a tampered checksum       ✘ api_key_malformed → HTTP 401",
            "a public (pk_) key        ✘ public_api_key_not_allowed → HTTP 401",
            "not a key at all          ✘ api_key_malformed → HTTP 401",
            "requests: 3 key checks, 1 user lookups",
            "x-stack-api-key: ada's key   → 200 ✔ user key of ada@example.com",
            "Bearer <ada's access token>  → 200 token of ada@example.com",
            "x-stack-api-key: revoked     → 401",
            "requests: 3 key checks, 1 user lookups (every key answered from the cache)",
        ] {
            assert!(report.contains(line), "missing {line:?} in\n{report}");
        }
        assert!(report.contains("the team's key            ✔ team key of"));
    }
}
