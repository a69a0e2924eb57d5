//! Shared test helpers: the interop fixtures, a PROTOCOL §2 JWKS server on mockito, a clock.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::{path::PathBuf, time::Duration};

use mockito::{Matcher, Mock, ServerGuard};
use serde_json::Value;
use stack_auth_core::{UserType, UserTypes};
use stack_auth_jwks::{JwksVerifier, JwksVerifierBuilder, ManualClock};

/// 2026-01-01T00:00:00Z: after the fixtures' `iat`, before their `exp` (2100).
pub const NOW: u64 = 1_767_225_600;

pub fn interop_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/interop"
    ))
}

pub fn cases_file() -> Value {
    let text = std::fs::read_to_string(interop_dir().join("cases.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

pub fn default_project() -> String {
    cases_file()["project_id"].as_str().unwrap().to_owned()
}

pub fn fixture_base_url() -> String {
    cases_file()["base_url"].as_str().unwrap().to_owned()
}

/// The token of the named case.
pub fn case_token(name: &str) -> String {
    cases_file()["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub fn jwks_body(project_id: &str, query: Option<&str>) -> String {
    let file = match query {
        None => "jwks.json".to_owned(),
        Some(q) => format!("jwks.json@{q}"),
    };
    std::fs::read_to_string(interop_dir().join("jwks").join(project_id).join(file)).unwrap()
}

pub fn jwks_path(project_id: &str) -> String {
    format!("/api/v1/projects/{project_id}/.well-known/jwks.json")
}

pub fn user_types(allow: &Value) -> UserTypes {
    allow
        .as_array()
        .unwrap()
        .iter()
        .map(|t| match t.as_str().unwrap() {
            "normal" => UserType::Normal,
            "restricted" => UserType::Restricted,
            "anonymous" => UserType::Anonymous,
            other => panic!("unknown user type {other}"),
        })
        .collect()
}

/// Mocks answering the JWKS of `project_id` like PROTOCOL §2: one mock per query variant, the
/// full key set (`include_anonymous=true`) returned first so tests can count its hits.
pub async fn serve_fixture_jwks(
    server: &mut ServerGuard,
    project_id: &str,
    expected_full_fetches: usize,
) -> Vec<Mock> {
    let path = jwks_path(project_id);
    let full = server
        .mock("GET", path.as_str())
        .match_query(Matcher::Exact("include_anonymous=true".into()))
        .with_status(200)
        .with_header("content-type", "application/json; charset=utf-8")
        .with_header("cache-control", "public, max-age=3600")
        .with_body(jwks_body(project_id, Some("include_anonymous=true")))
        .expect(expected_full_fetches)
        .create_async()
        .await;
    let mut mocks = vec![full];
    for query in [None, Some("include_restricted=true")] {
        let m = server
            .mock("GET", path.as_str())
            .match_query(Matcher::Exact(query.unwrap_or_default().into()))
            .with_status(200)
            .with_body(jwks_body(project_id, query))
            .expect(0)
            .create_async()
            .await;
        mocks.push(m);
    }
    mocks
}

/// A builder pointed at `server` for `project_id`, issuers of the fixtures' deployment, the
/// clock at [`NOW`].
pub fn builder_for(
    server: &ServerGuard,
    project_id: &str,
    clock: &ManualClock,
) -> JwksVerifierBuilder {
    JwksVerifier::builder(project_id)
        .base_url(fixture_base_url())
        .jwks_url(format!("{}{}", server.url(), jwks_path(project_id)))
        .clock(clock.clone())
        .timeout(Duration::from_secs(5))
}

pub fn clock() -> ManualClock {
    ManualClock::at_unix_secs(NOW)
}
