//! Permissions: check team permissions with `Permissions` (containment included, as Stack
//! Auth's own SDK), verify a token and check a permission in one request, and guard an axum
//! route with `require_permission` (403 `permission_denied`), against a local Stack Auth
//! stand-in. Every answer shows what it cost in requests to Stack Auth.
//!
//! ```sh
//! cargo run -p stack-auth-examples --example permissions
//! ```
#![allow(clippy::print_stdout)]

use std::{error::Error, fmt::Write, sync::Arc};

use axum::{body::Body, routing::post, Router};
use http::Request;
use stack_auth::{
    framework::{RequiredPermission, TeamSource},
    jwks::JwksVerifier,
    rest::{Permissions, ServerApi},
    testkit::{LocalStackAuth, PermissionDefinition, ProjectSpec, Route, TeamSpec, UserSpec},
    Evict, Eviction,
};
use stack_auth_axum::{StackAuth, StackUser};
use tower::ServiceExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    print!("{}", report().await?);
    Ok(())
}

fn mark(held: bool) -> &'static str {
    if held {
        "✔"
    } else {
        "✘"
    }
}

/// Runs the tour and returns the report it prints.
async fn report() -> Result<String, Box<dyn Error>> {
    let mut out = String::new();
    // `editor` contains `viewer`; a team's creator is `team_admin`, a member `team_member`.
    let project = ProjectSpec::random()
        .permission(PermissionDefinition::team("editor").contains(["viewer"]))
        .permission(PermissionDefinition::team("viewer"));
    let stack = LocalStackAuth::builder().project(project).start().await?;
    let ada = stack.create_user(UserSpec::normal().email("ada@example.com"))?;
    let bob = stack.create_user(UserSpec::normal().email("bob@example.com"))?;
    let team = stack.create_team(TeamSpec::new("Engines").creator(&ada.id).member(&bob.id))?;
    let lists = || stack.requests(Route::TeamPermissions);

    let api = ServerApi::builder_with_config(stack.config(), stack.secret_server_key()).build()?;
    let permissions = Permissions::new(&api);
    writeln!(out, "── Permissions::has_team_permission ──")?;
    for (who, user, permission) in [
        ("ada", &ada.id, "$update_team"),
        ("bob", &bob.id, "$update_team"),
        ("bob", &bob.id, "$read_members"),
        ("ada", &ada.id, "$delete_team"),
    ] {
        let held = permissions
            .has_team_permission(user, &team.id, permission)
            .await?;
        writeln!(out, "  {who} {permission:<15} {}", mark(held))?;
    }
    writeln!(
        out,
        "  requests: {} (one list per user and team, cached 30 s)",
        lists()
    )?;

    writeln!(out, "── one request: verify ada's token and check ──")?;
    let token = stack.mint(&ada);
    let held = permissions
        .token_has_team_permission(&token, &team.id, "$invite_members")
        .await?;
    writeln!(
        out,
        "  $invite_members {} ({} users/me requests)",
        mark(held),
        stack.requests(Route::UsersMe)
    )?;

    writeln!(
        out,
        "── POST /teams/{{team_id}}/documents, guarded by `editor` ──"
    )?;
    let jwks = Arc::new(JwksVerifier::builder_with_config(stack.config()).build()?);
    let auth = StackAuth::new(jwks).permission_checker(Arc::new(permissions.clone()));
    let editor = RequiredPermission::team("editor", TeamSource::PathParam("team_id".into()));
    let route = post(|user: StackUser| async move { format!("saved by {}", user.user_id()) })
        .route_layer(auth.require_permission(editor));
    let app = Router::new()
        .route("/teams/{team_id}/documents", route)
        .with_state(auth);
    let post_as = |token: String| {
        let uri = format!("/teams/{}/documents", team.id);
        let request = Request::post(uri).header("authorization", format!("Bearer {token}"));
        let app = app.clone();
        async move {
            let response = app.oneshot(request.body(Body::empty())?).await?;
            let status = response.status().as_u16();
            let body = axum::body::to_bytes(response.into_body(), 4096).await?;
            let code = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_owned));
            Ok::<_, Box<dyn Error>>(format!("{status} {}", code.unwrap_or_default()))
        }
    };
    writeln!(out, "  bob  → {}", post_as(stack.mint(&bob)).await?)?;
    stack.grant_team_permission(&team.id, &bob.id, "editor")?;
    writeln!(
        out,
        "  bob, granted editor, within the ttl → {}",
        post_as(stack.mint(&bob)).await?
    )?;
    // A team_permission.created webhook (or the application) evicts: seen at once.
    permissions.evict(&Eviction::TeamPermissions {
        team_id: team.id.clone(),
        user_id: bob.id.clone(),
    });
    writeln!(
        out,
        "  bob, after the eviction → {}",
        post_as(stack.mint(&bob)).await?
    )?;
    writeln!(out, "  permission lists asked in all: {}", lists())?;
    stack.shutdown().await;
    Ok(out)
}

#[cfg(test)]
mod tests {
    /// The report's answers, and their cost: one list per (user, team), a guard that answers
    /// 403 `permission_denied`, and a grant seen at once after an eviction.
    #[tokio::test]
    async fn permissions_report_shows_each_answer_and_its_cost() {
        let report = super::report().await.unwrap();
        for line in [
            "ada $update_team    ✔",
            "bob $update_team    ✘",
            "bob $read_members   ✔",
            "ada $delete_team    ✔",
            "requests: 2 (one list per user and team, cached 30 s)",
            "$invite_members ✔ (0 users/me requests)",
            "bob  → 403 permission_denied",
            "bob, granted editor, within the ttl → 403 permission_denied",
            "bob, after the eviction → 200",
            "permission lists asked in all: 4",
        ] {
            assert!(report.contains(line), "missing {line:?} in\n{report}");
        }
    }
}
