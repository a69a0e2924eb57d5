//! `static_jwks`: a key set given to the builder is parsed once and never fetched.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use stack_auth_core::{ConfigError, RefusalReason, TokenVerifier, UserType};
use stack_auth_jwks::{JwksVerifier, JwksVerifierBuilder, KeySetState};

use crate::common::*;

const SHORT_KEY_PROJECT: &str = "9b1f6c2e-0d4a-4c8e-b7a1-5e3d2f10a188";

/// A verifier for `project_id` with the fixture document of that project, whose JWKS URL is a
/// closed port: any fetch would fail as unavailable.
fn static_builder(project_id: &str) -> JwksVerifierBuilder {
    JwksVerifier::builder(project_id)
        .base_url(fixture_base_url())
        .jwks_url("http://127.0.0.1:9/jwks")
        .clock(clock())
        .static_jwks(jwks_body(project_id, Some("include_anonymous=true")))
}

#[tokio::test]
async fn verifies_with_the_given_keys_and_never_fetches() {
    let verifier = static_builder(&default_project())
        .accept(UserType::Anonymous)
        .build()
        .unwrap();
    let status = verifier.status();
    assert_eq!(status.state, KeySetState::Static);
    assert!(status.is_usable());
    assert_eq!(status.key_ids.len(), 6);
    assert!(status.fetched_at.is_none() && status.fresh_until.is_none());
    verifier.prefetch().await.unwrap();

    for name in [
        "normal-user",
        "normal-user-new-scheme-key",
        "anonymous-user-allowed",
    ] {
        let user = verifier.verify(&case_token(name)).await;
        assert!(user.is_ok(), "{name}: {user:?}");
    }
    for (name, reason) in [
        ("unknown-kid", RefusalReason::UnknownKey),
        ("token-of-other-project", RefusalReason::UnknownKey),
        ("attacker-key-real-kid", RefusalReason::BadSignature),
        ("expired", RefusalReason::Expired),
    ] {
        let err = verifier.verify(&case_token(name)).await.unwrap_err();
        assert_eq!(err.refusal_reason(), Some(reason), "{name}: {err}");
    }
    let status = verifier.status();
    assert_eq!(status.fetch_count, 0);
    assert_eq!(status.unknown_kid_refetch_count, 0);
    assert!(status.last_fetch.is_none() && !status.fetch_in_flight);
    assert_eq!(status.state, KeySetState::Static);
}

#[tokio::test]
async fn short_coordinates_are_left_padded_as_when_fetched() {
    let verifier = static_builder(SHORT_KEY_PROJECT).build().unwrap();
    let token = case_token(&format!("other-config-project-{SHORT_KEY_PROJECT}"));
    let user = verifier.verify(&token).await.unwrap();
    assert_eq!(user.project_id(), SHORT_KEY_PROJECT);
    assert_eq!(verifier.status().fetch_count, 0);
}

#[test]
fn an_unusable_document_is_a_configuration_error() {
    for document in ["", "not json", r#"{"keys":{}}"#, r#"{"keys":[]}"#] {
        let err = JwksVerifier::builder("p")
            .static_jwks(document)
            .build()
            .unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::Invalid {
                    field: "static_jwks",
                    ..
                }
            ),
            "{document:?}: {err}"
        );
    }
    let only_rsa = r#"{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","kid":"r"}]}"#;
    let err = JwksVerifier::builder("p")
        .static_jwks(only_rsa)
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("no usable ES256 key"), "{err}");
}

/// The brand fixtures with static keys, as `stack-auth verify --jwks-file` runs them: each case
/// configured with its own base URL.
#[tokio::test]
async fn every_interop_brand_case_with_static_keys() {
    let file = cases_file_in("interop-brand");
    let cases = file["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 14);
    for case in cases {
        let (name, pid) = (
            case["name"].as_str().unwrap(),
            case["project_id"].as_str().unwrap(),
        );
        let verifier = JwksVerifier::builder(pid)
            .base_url(case["base_url"].as_str().unwrap())
            .jwks_url("http://127.0.0.1:9/jwks")
            .clock(clock())
            .accepted_user_types(user_types(&case["allow"]))
            .static_jwks(jwks_body_in(
                "interop-brand",
                pid,
                Some("include_anonymous=true"),
            ))
            .build()
            .unwrap();
        let got = verifier.verify(case["token"].as_str().unwrap()).await;
        let expect = &case["expect"];
        match got {
            Ok(user) => {
                assert_eq!(expect["ok"], true, "{name}");
                assert_eq!(
                    user.user_id(),
                    expect["user_id"].as_str().unwrap(),
                    "{name}"
                );
            }
            Err(e) => {
                let want = expect["reason"].as_str().unwrap_or("(accepted)");
                assert_eq!(
                    e.refusal_reason().map(|r| r.as_str()),
                    Some(want),
                    "{name}: {e}"
                );
            }
        }
        assert_eq!(verifier.status().fetch_count, 0);
    }
}
