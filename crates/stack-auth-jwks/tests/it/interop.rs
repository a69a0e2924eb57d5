//! Every case of `fixtures/interop/cases.json` and `fixtures/interop-brand/cases.json` against
//! the fixture JWKS served like PROTOCOL §2, the verifier configured with each case's base URL.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::time::Duration;

use stack_auth_core::{RefusalReason, TokenVerifier};
use stack_auth_jwks::JwksVerifier;

use crate::common::*;

#[tokio::test]
async fn every_interop_case_gets_the_expected_answer() {
    run_fixture("interop").await;
}

#[tokio::test]
async fn every_interop_brand_case_gets_the_expected_answer() {
    run_fixture("interop-brand").await;
}

/// Runs every case of `fixtures/<fixture>` and fails listing every case that went wrong.
async fn run_fixture(fixture: &str) {
    let file = cases_file_in(fixture);
    let cases = file["cases"].as_array().unwrap();
    assert!(!cases.is_empty());
    let mut server = mockito::Server::new_async().await;
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let pid = case["project_id"].as_str().unwrap();
        let token = case["token"].as_str().unwrap();
        let expect = &case["expect"];
        // Only a token that gets past the header, signature and payload parsing makes the
        // verifier fetch; garbage never costs a request.
        let mocks = serve_fixture_jwks_in(
            &mut server,
            fixture,
            pid,
            usize::from(needs_keys(name, expect)),
        )
        .await;
        let verifier = JwksVerifier::builder(pid)
            .base_url(case["base_url"].as_str().unwrap())
            .jwks_url(format!("{}{}", server.url(), jwks_path(pid)))
            .clock(clock())
            .timeout(Duration::from_secs(5))
            .accepted_user_types(user_types(&case["allow"]))
            .build()
            .unwrap();
        let got = verifier.verify(token).await;
        match (expect["ok"].as_bool().unwrap(), got) {
            (true, Ok(user)) => {
                let want_type = expect["user_type"].as_str().unwrap();
                let want_reason = expect["restricted_reason"].as_str();
                let checks = [
                    (
                        user.user_id() == expect["user_id"].as_str().unwrap(),
                        "user_id",
                    ),
                    (user.user_type().as_str() == want_type, "user_type"),
                    (
                        user.restricted_reason().map(|r| r.as_str()) == want_reason,
                        "restricted_reason",
                    ),
                    (user.email() == expect["email"].as_str(), "email"),
                    (user.project_id() == pid, "project_id"),
                ];
                for (ok, what) in checks {
                    if !ok {
                        failures.push(format!("{name}: wrong {what}: {user:?}"));
                    }
                }
            }
            (false, Err(e)) => {
                let want = RefusalReason::from_label(expect["reason"].as_str().unwrap()).unwrap();
                if e.refusal_reason() != Some(want) {
                    failures.push(format!("{name}: expected {want}, got {e}"));
                }
                if token.len() > 16 {
                    let shown = format!("{e} {e:?}");
                    assert!(!shown.contains(token), "{name}: error shows the token");
                }
            }
            (true, Err(e)) => failures.push(format!("{name}: expected ok, got {e}")),
            (false, Ok(user)) => failures.push(format!("{name}: expected refusal, got {user:?}")),
        }
        for m in &mocks {
            if !m.matched_async().await {
                failures.push(format!("{name}: unexpected JWKS request count"));
            }
        }
        for m in mocks {
            m.remove_async().await;
        }
    }
    assert!(
        failures.is_empty(),
        "{fixture}: {} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Whether the verifier must look at the key set to reach the expected answer: everything but
/// the refusals found while parsing (claims that do not fit are only read once the signature
/// holds), and a signature of the wrong length (refused before any key lookup, so it cannot
/// spend an unknown-kid refetch). Exactly one request either way: a cold fetch is as new as an
/// unknown-kid refetch.
fn needs_keys(name: &str, expect: &serde_json::Value) -> bool {
    let claims_checked_after_signature = ["missing-sub", "exp-as-string", "missing-exp"];
    if name == "truncated-signature" {
        return false;
    }
    expect["ok"] == true
        || claims_checked_after_signature.contains(&name)
        || !matches!(
            expect["reason"].as_str(),
            Some("malformed" | "unsupported_algorithm")
        )
}
