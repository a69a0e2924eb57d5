//! Shared test helpers: the interop fixtures, a PROTOCOL §2 JWKS server on mockito, a clock.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::{path::PathBuf, time::Duration};

use mockito::{Matcher, Mock, ServerGuard};
use serde_json::Value;
use stack_auth_core::test_util::ManualClock;
use stack_auth_core::{UserType, UserTypes};
use stack_auth_jwks::{JwksVerifier, JwksVerifierBuilder};

/// 2026-01-01T00:00:00Z: after the fixtures' `iat`, before their `exp` (2100).
pub const NOW: u64 = 1_767_225_600;

/// `fixtures/<name>` (`interop` or `interop-brand`).
pub fn fixture_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

pub fn interop_dir() -> PathBuf {
    fixture_dir("interop")
}

/// The `cases.json` of `fixtures/<name>`, each case given its `base_url` and `project_id` (its
/// own, else the file's).
pub fn cases_file_in(name: &str) -> Value {
    let fixture = stack_auth_testkit::InteropFixture::load(fixture_dir(name));
    fixture.unwrap().resolved_document()
}

pub fn cases_file() -> Value {
    cases_file_in("interop")
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
    jwks_body_in("interop", project_id, query)
}

/// A JWKS document of `fixtures/<fixture>`.
pub fn jwks_body_in(fixture: &str, project_id: &str, query: Option<&str>) -> String {
    let file = match query {
        None => "jwks.json".to_owned(),
        Some(q) => format!("jwks.json@{q}"),
    };
    std::fs::read_to_string(
        fixture_dir(fixture)
            .join("jwks")
            .join(project_id)
            .join(file),
    )
    .unwrap()
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
    serve_fixture_jwks_in(server, "interop", project_id, expected_full_fetches).await
}

/// [`serve_fixture_jwks`] with the documents of `fixtures/<fixture>`.
pub async fn serve_fixture_jwks_in(
    server: &mut ServerGuard,
    fixture: &str,
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
        .with_body(jwks_body_in(
            fixture,
            project_id,
            Some("include_anonymous=true"),
        ))
        .expect(expected_full_fetches)
        .create_async()
        .await;
    let mut mocks = vec![full];
    for query in [None, Some("include_restricted=true")] {
        let m = server
            .mock("GET", path.as_str())
            .match_query(Matcher::Exact(query.unwrap_or_default().into()))
            .with_status(200)
            .with_body(jwks_body_in(fixture, project_id, query))
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

/// Moves Tokio's clock (key-set freshness, cooldowns, backoff) forward by `by` at once, then
/// lets it run in real time again: for tests whose JWKS server runs on another thread (mockito),
/// where paused time would auto-advance into the fetch timeout while a request is on the wire.
pub async fn jump(by: Duration) {
    tokio::time::pause();
    tokio::time::advance(by).await;
    tokio::time::resume();
}

/// The local Stack Auth stand-in with its clock and the verifier's clock both frozen at [`NOW`].
pub struct Kit {
    pub stack: stack_auth_testkit::LocalStackAuth,
    pub clock: ManualClock,
}

impl Kit {
    pub async fn start() -> Kit {
        let kit_clock = stack_auth_testkit::TestClock::system();
        kit_clock.freeze_at(NOW as i64);
        let stack = stack_auth_testkit::LocalStackAuth::builder()
            .clock(kit_clock)
            .start()
            .await
            .unwrap();
        Kit {
            stack,
            clock: clock(),
        }
    }

    /// Moves the verifier's and the stand-in's wall clocks and Tokio's paused clock (key-set
    /// freshness, cooldowns and backoff) forward together, as time passes for a server.
    pub async fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
        self.stack.clock().advance(secs as i64);
        tokio::time::advance(Duration::from_secs(secs)).await;
    }

    /// A verifier builder for the stand-in's default project, on the shared clock.
    pub fn verifier(&self) -> JwksVerifierBuilder {
        JwksVerifier::builder_with_config(self.stack.config()).clock(self.clock.clone())
    }

    /// JWKS requests the stand-in has answered (or failed) so far.
    pub fn jwks_requests(&self) -> u64 {
        self.stack.requests(stack_auth_testkit::Route::Jwks)
    }

    /// A valid token of a new normal user.
    pub fn token(&self) -> String {
        let user = self
            .stack
            .create_user(stack_auth_testkit::UserSpec::normal())
            .unwrap();
        self.stack.mint(&user)
    }

    /// A token of a new user of `spec`'s type.
    pub fn token_of(&self, spec: stack_auth_testkit::UserSpec) -> String {
        let user = self.stack.create_user(spec).unwrap();
        self.stack.mint(&user)
    }
}

/// `token` with its header replaced by one naming `kid` (so the signature no longer matters: the
/// key lookup fails first).
pub fn with_kid(token: &str, kid: &str) -> String {
    use base64::Engine as _;
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!(r#"{{"alg":"ES256","kid":"{kid}"}}"#));
    let rest = token.split_once('.').unwrap().1;
    format!("{header}.{rest}")
}

/// The refusal reason of a verification result (panics on success or non-refusal).
pub fn reason(
    result: Result<stack_auth_core::VerifiedUser, stack_auth_core::VerifyError>,
) -> stack_auth_core::RefusalReason {
    match result {
        Ok(user) => panic!("expected a refusal, got {user:?}"),
        Err(e) => e
            .refusal_reason()
            .unwrap_or_else(|| panic!("expected a refusal, got {e}")),
    }
}

/// The unavailability kind of a verification result (panics otherwise).
pub fn unavailable_kind(
    result: Result<stack_auth_core::VerifiedUser, stack_auth_core::VerifyError>,
) -> stack_auth_core::UnavailableKind {
    match result {
        Err(stack_auth_core::VerifyError::Unavailable(u)) => {
            assert_eq!(u.upstream(), stack_auth_core::Upstream::Jwks);
            u.kind()
        }
        other => panic!("expected unavailable, got {other:?}"),
    }
}

/// Why `verifier` refuses `token`, or `None` when it accepts it.
pub async fn refusal_of(
    verifier: &impl stack_auth_core::TokenVerifier,
    token: &str,
) -> Option<stack_auth_core::RefusalReason> {
    verifier
        .verify(token)
        .await
        .err()
        .and_then(|e| e.refusal_reason())
}
