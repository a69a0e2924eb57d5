//! The JWKS route behaves as PROTOCOL §2 describes.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use stack_auth_core::{UserType, UserTypes};
use stack_auth_testkit::{LocalStackAuth, ProjectSpec, Route};

use crate::support::get;

fn kids(body: &Value) -> Vec<String> {
    body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn two_four_six_keys_in_order_with_cache_headers() {
    let stack = LocalStackAuth::start().await.unwrap();
    let m = stack.minter();
    let path = format!(
        "/api/v1/projects/{}/.well-known/jwks.json",
        stack.project_id()
    );
    let expect = |types: UserTypes| -> Vec<String> {
        types
            .iter()
            .flat_map(|t| m.keys(t).iter().map(|k| k.kid().to_owned()))
            .collect()
    };
    for (query, types) in [
        ("", UserTypes::NORMAL_ONLY),
        ("?include_restricted=false", UserTypes::NORMAL_ONLY),
        (
            "?include_restricted=true",
            UserTypes::NORMAL_ONLY.with(UserType::Restricted),
        ),
        ("?include_anonymous=true", UserTypes::ALL),
        (
            "?include_restricted=true&include_anonymous=true",
            UserTypes::ALL,
        ),
        (
            "?include_restricted=false&include_anonymous=true",
            UserTypes::ALL,
        ),
    ] {
        let ans = get(&stack, &format!("{path}{query}"), &[]).await;
        assert_eq!(ans.status, 200);
        assert_eq!(ans.header("cache-control"), Some("public, max-age=3600"));
        assert_eq!(
            ans.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(ans.header("access-control-allow-origin"), Some("*"));
        assert!(ans.header("x-stack-request-id").is_some());
        assert!(ans.header("etag").is_none());
        let body = ans.json();
        assert_eq!(kids(&body), expect(types), "{query}");
        assert!(
            ans.text
                .starts_with(r#"{"keys":[{"kty":"EC","alg":"ES256","crv":"P-256","x":"#),
            "{}",
            ans.text
        );
        assert_eq!(ans.text, m.jwks_json(types));
    }
    let latest = get(&stack, &path.replace("/api/v1/", "/api/latest/"), &[]).await;
    assert_eq!(latest.status, 200);
    assert_eq!(stack.requests(Route::Jwks), 7);
}

#[tokio::test]
async fn query_validation_and_unknown_project() {
    let stack = LocalStackAuth::start().await.unwrap();
    let path = format!(
        "/api/v1/projects/{}/.well-known/jwks.json",
        stack.project_id()
    );
    for bad in [
        "?cache_buster=1",
        "?include_anonymous=yes",
        "?include_restricted=TRUE",
    ] {
        let ans = get(&stack, &format!("{path}{bad}"), &[]).await;
        let details = ans.assert_known(400, "SCHEMA_ERROR").unwrap();
        assert!(details["message"].is_string());
    }
    let ans = get(&stack, "/api/v1/projects/nope/.well-known/jwks.json", &[]).await;
    assert_eq!((ans.status, ans.text.as_str()), (404, "Project not found"));
    assert_eq!(
        ans.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(ans.header("cache-control"), Some("no-store, max-age=0"));
    assert!(ans.header("x-stack-known-error").is_none());
    let ans = get(
        &stack,
        "/api/v1/projects/nope/.well-known/jwks.json",
        &[("x-stack-override-error-status", "true")],
    )
    .await;
    assert_eq!(
        (ans.status, ans.header("x-stack-actual-status")),
        (200, Some("404"))
    );
}

#[tokio::test]
async fn anonymous_issuer_alias_redirects_with_include_anonymous() {
    let stack = LocalStackAuth::start().await.unwrap();
    let pid = stack.project_id().to_owned();
    let ans = get(
        &stack,
        &format!("/api/v1/projects-anonymous-users/{pid}/.well-known/jwks.json"),
        &[],
    )
    .await;
    assert_eq!(ans.status, 307);
    let location = ans.header("location").unwrap().to_owned();
    assert_eq!(
        location,
        format!(
            "{}/api/latest/projects/{pid}/.well-known/jwks.json?include_anonymous=true",
            stack.base_url()
        )
    );
    assert_eq!(stack.requests(Route::AnonymousJwksRedirect), 1);
    // A client following redirects ends up with the 6 keys.
    let body: Value = reqwest::get(format!(
        "{}/api/v1/projects-anonymous-users/{pid}/.well-known/jwks.json",
        stack.base_url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(kids(&body).len(), 6);
}

#[tokio::test]
async fn several_projects_have_distinct_keys_and_unknown_routes_are_404() {
    let stack = LocalStackAuth::builder()
        .project("project-a")
        .project(ProjectSpec::new("project-b"))
        .start()
        .await
        .unwrap();
    assert_eq!(stack.project_id(), "project-a");
    let a = get(
        &stack,
        "/api/v1/projects/project-a/.well-known/jwks.json",
        &[],
    )
    .await
    .json();
    let b = get(
        &stack,
        "/api/v1/projects/project-b/.well-known/jwks.json",
        &[],
    )
    .await
    .json();
    assert!(kids(&a).iter().all(|k| !kids(&b).contains(k)));
    let ans = get(
        &stack,
        "/api/v1/projects/project-a/.well-known/openid-configuration",
        &[],
    )
    .await;
    assert_eq!(ans.status, 404);
    assert_eq!(stack.requests(Route::Other), 1);
    assert!(matches!(
        stack.add_project("project-b"),
        Err(stack_auth_testkit::TestkitError::DuplicateProject(_))
    ));
}

#[tokio::test]
async fn auth_headers_on_the_jwks_route_run_the_generic_checks() {
    let stack = LocalStackAuth::start().await.unwrap();
    let path = format!(
        "/api/v1/projects/{}/.well-known/jwks.json",
        stack.project_id()
    );
    let ans = get(&stack, &path, &[("x-stack-access-type", "server")]).await;
    ans.assert_known(400, "ACCESS_TYPE_WITHOUT_PROJECT_ID");
    let ans = get(&stack, &path, &[("x-stack-secret-server-key", "ssk_x")]).await;
    ans.assert_known(400, "PROJECT_KEY_WITHOUT_ACCESS_TYPE");
    let ans = get(&stack, &path, &[("x-stack-random-nonce", "abc")]).await;
    assert_eq!(ans.status, 200, "unrelated headers change nothing");
}
