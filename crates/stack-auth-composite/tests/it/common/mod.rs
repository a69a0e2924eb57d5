//! Shared helpers for the decision-table tests: interop tokens, users and a composite over
//! test doubles whose REST side counts its calls.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use stack_auth_core::test_util::ManualClock;
use std::{sync::Arc, time::Duration};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use serde_json::Value;
use stack_auth_composite::{CompositeVerifier, ProfilePolicy};
use stack_auth_core::{
    test_util::{RecordingVerifier, StaticVerifier},
    AccessTokenClaims, ServerUser, StackAuthConfig, TokenVerifier, Unavailable, UnavailableKind,
    Upstream, VerifiedUser, VerifyError,
};

pub const INTEROP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/interop");

/// 2026-01-01T00:00:00Z: after the fixtures' expired tokens, before their valid ones.
pub const NOW: u64 = 1_767_225_600;

pub type Rest = Arc<RecordingVerifier<StaticVerifier>>;

fn doc() -> Value {
    let text = std::fs::read_to_string(format!("{INTEROP}/cases.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Every case of `fixtures/<fixture>` (`interop` or `interop-brand`), each given the
/// `base_url` and `project_id` its verifier is configured with.
pub fn fixture_cases(fixture: &str) -> Vec<Value> {
    stack_auth_testkit::InteropFixture::load(format!("{INTEROP}/../{fixture}"))
        .unwrap()
        .cases()
}

/// The token of the interop case `name`.
pub fn token(name: &str) -> String {
    let doc = doc();
    let case = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no interop case {name}"));
    case["token"].as_str().unwrap().to_owned()
}

/// The configuration the interop tokens were minted for (normal users only).
pub fn config() -> StackAuthConfig {
    let doc = doc();
    StackAuthConfig::builder(doc["project_id"].as_str().unwrap())
        .base_url(doc["base_url"].as_str().unwrap())
        .build()
        .unwrap()
}

/// The claims of `token`, decoded without verification (the test doubles "verified" them).
pub fn claims_of(token: &str) -> AccessTokenClaims {
    let payload = token.split('.').nth(1).unwrap();
    AccessTokenClaims::from_json_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// What a JWT check says when it accepts `token`.
pub fn claims_user(token: &str) -> VerifiedUser {
    VerifiedUser::from_claims(claims_of(token))
}

/// What a REST verifier says for user `user_id` of `project_id`.
pub fn profile_user(user_id: &str, project_id: &str) -> VerifiedUser {
    let mut profile = ServerUser::new(user_id);
    profile.primary_email = Some("from-profile@example.com".into());
    profile.display_name = Some("Profile Name".into());
    VerifiedUser::from_profile(project_id, profile)
}

/// REST's answer for the interop token `token`: its user's profile.
pub fn profile_for(token: &str) -> VerifiedUser {
    let claims = claims_of(token);
    profile_user(&claims.sub, &claims.project_id)
}

pub fn unavailable(upstream: Upstream, kind: UnavailableKind) -> VerifyError {
    Unavailable::new(upstream, kind)
        .with_status(503)
        .with_retry_after(Duration::from_secs(7))
        .into()
}

/// A REST double answering `answer` to every token, counting its calls.
pub fn rest(answer: Result<VerifiedUser, VerifyError>) -> Rest {
    let inner = match answer {
        Ok(user) => StaticVerifier::accept(user),
        Err(e) => StaticVerifier::fail(e),
    };
    Arc::new(RecordingVerifier::new(inner))
}

/// A JWT double answering `answer` to every token.
pub fn jwt(answer: Result<VerifiedUser, VerifyError>) -> StaticVerifier {
    match answer {
        Ok(user) => StaticVerifier::accept(user),
        Err(e) => StaticVerifier::fail(e),
    }
}

/// The composite of `jwt` and `rest` under `policy`, configured for the interop project, with
/// the clock at [`NOW`].
pub fn composite<J: TokenVerifier>(
    jwt: J,
    rest: &Rest,
    policy: ProfilePolicy,
) -> CompositeVerifier<J, Rest> {
    CompositeVerifier::builder(jwt, Arc::clone(rest))
        .config(config())
        .profile_policy(policy)
        .clock(ManualClock::at_unix_secs(NOW))
        .build()
        .unwrap()
}

pub const ALL_POLICIES: [ProfilePolicy; 3] = [
    ProfilePolicy::Required,
    ProfilePolicy::BestEffort,
    ProfilePolicy::OnDemand,
];
