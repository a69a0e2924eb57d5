//! The `--smoke` checks the HTTP server examples (`axum_server`, `actix_server`) share: the same
//! routes answer the same way in both frameworks.

use std::net::SocketAddr;

use serde_json::Value;

use crate::backend::{expect, BoxResult};

/// Sends requests to the server at `addr` and checks the answers: `/` is public, `/me` refuses a
/// request without a token (401, `WWW-Authenticate: Bearer`); with the stand-in's `token`, `/me`
/// and `/profile` (the profile loaded from the stand-in) answer.
///
/// # Errors
///
/// The first answer that is not the expected one, or a request that fails.
pub async fn check_http_routes(addr: SocketAddr, token: Option<&str>) -> BoxResult<()> {
    let client = reqwest::Client::new();
    let url = |path: &str| format!("http://{addr}{path}");
    let public = client.get(url("/")).send().await?;
    expect(public.status().as_u16(), 200, "/")?;
    let refused = client.get(url("/me")).send().await?;
    expect(refused.status().as_u16(), 401, "/me without a token")?;
    expect(
        refused
            .headers()
            .get("www-authenticate")
            .map(|v| v.as_bytes()),
        Some(b"Bearer".as_slice()),
        "/me challenge",
    )?;
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
