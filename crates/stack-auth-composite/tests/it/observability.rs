//! The composite's `stack_auth.verify` span carries the stable fields of the crate docs (the same
//! names as the other strategies) plus its `path`; the wired verifiers add their own spans.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use stack_auth_composite::ProfilePolicy;
use stack_auth_core::{
    MisconfigKind, Misconfiguration, RefusalReason, TokenVerifier, UnavailableKind, Upstream,
    VerifyError,
};
use stack_auth_testkit::tracing_capture::{capture, SpanRecord};

use crate::common::*;

const VERIFY: &str = "stack_auth.verify";

fn assert_fields(span: &SpanRecord, expected: &[(&str, Option<&str>)]) {
    for (field, value) in expected {
        assert_eq!(span.get(field), *value, "{field} of {span:#?}");
    }
}

#[tokio::test]
async fn outcome_reason_and_path_of_each_kind_of_result() {
    let token = token("normal-user");
    let misconfigured: VerifyError = Misconfiguration::new(MisconfigKind::ProjectNotFound).into();
    let cases = [
        (
            jwt(Ok(claims_user(&token))),
            rest(Ok(profile_for(&token))),
            [
                ("outcome", Some("ok")),
                ("reason", None),
                ("path", Some("jwt_then_rest")),
            ],
        ),
        (
            jwt(Err(VerifyError::refused(RefusalReason::Expired))),
            rest(Ok(profile_for(&token))),
            [
                ("outcome", Some("refused")),
                ("reason", Some("expired")),
                ("path", Some("jwt_refused")),
            ],
        ),
        (
            jwt(Ok(claims_user(&token))),
            rest(Err(unavailable(Upstream::Api, UnavailableKind::Timeout))),
            [
                ("outcome", Some("unavailable")),
                ("reason", Some("timeout")),
                ("path", Some("jwt_then_rest")),
            ],
        ),
        (
            jwt(Err(misconfigured)),
            rest(Ok(profile_for(&token))),
            [
                ("outcome", Some("misconfigured")),
                ("reason", Some("project_not_found")),
                ("path", Some("jwt_misconfigured")),
            ],
        ),
    ];
    for (jwt, rest, expected) in cases {
        let (seen, _guard) = capture();
        let _ = composite(jwt, &rest, ProfilePolicy::Required)
            .verify(&token)
            .await;
        let span = seen.only(VERIFY);
        assert_fields(&span, &[("strategy", Some("composite"))]);
        assert_fields(&span, &expected);
        let signature = token.rsplit('.').next().unwrap();
        assert!(!seen.all_text().contains(signature));
    }
}

#[tokio::test]
async fn an_on_demand_load_has_its_own_span() {
    let token = token("normal-user");
    let rest = rest(Err(VerifyError::refused(RefusalReason::UserNotFound)));
    let (seen, _guard) = capture();
    let verifier = composite(jwt(Ok(claims_user(&token))), &rest, ProfilePolicy::OnDemand);
    let user = verifier.verify(&token).await.unwrap();
    assert_fields(
        &seen.only(VERIFY),
        &[("outcome", Some("ok")), ("path", Some("claims_only"))],
    );
    user.load_profile().await.unwrap_err();
    assert_fields(
        &seen.only("stack_auth.load_profile"),
        &[
            ("strategy", Some("composite")),
            ("outcome", Some("refused")),
            ("reason", Some("user_not_found")),
        ],
    );
}

#[cfg(feature = "default-wiring")]
#[tokio::test]
async fn the_wired_verifiers_report_under_the_same_names() {
    use stack_auth_composite::CompositeVerifier;
    use stack_auth_testkit::{LocalStackAuth, UserSpec};

    let stack = LocalStackAuth::start().await.unwrap();
    let token = stack.mint(&stack.create_user(UserSpec::normal()).unwrap());
    let verifier =
        CompositeVerifier::from_config(stack.config(), stack.secret_server_key()).unwrap();
    let (seen, _guard) = capture();
    verifier.verify(&token).await.unwrap();
    let spans = seen.spans(VERIFY);
    let strategy = |name: &str| {
        spans
            .iter()
            .find(|s| s.get("strategy") == Some(name))
            .unwrap_or_else(|| panic!("no {name} span in {spans:#?}"))
    };
    for name in ["composite", "jwks", "rest"] {
        assert_fields(strategy(name), &[("outcome", Some("ok")), ("reason", None)]);
    }
    assert_fields(
        strategy("jwks"),
        &[("cache", Some("miss")), ("keyset", Some("fetched"))],
    );
    assert_fields(
        strategy("rest"),
        &[("cache", Some("miss")), ("attempts", Some("1"))],
    );
    assert!(strategy("rest").get("upstream_ms").is_some());
    assert_eq!(seen.spans("stack_auth.jwks.fetch").len(), 1);
    let text = seen.all_text();
    assert!(!text.contains(&token) && !text.contains(stack.secret_server_key().expose()));
}
