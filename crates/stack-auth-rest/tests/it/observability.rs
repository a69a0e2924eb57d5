//! The `stack_auth.verify` span carries the stable fields of the crate docs (the same names as
//! the other strategies) for every outcome and cache path, and never the token or the key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use stack_auth_core::TokenVerifier;
use stack_auth_rest::{RestVerifier, RetryPolicy};
use stack_auth_testkit::tracing_capture::{capture, SpanRecord};
use stack_auth_testkit::{Breakage, Fault, LocalStackAuth, Route, UserSpec};

const VERIFY: &str = "stack_auth.verify";

fn assert_fields(span: &SpanRecord, expected: &[(&str, Option<&str>)]) {
    for (field, value) in expected {
        assert_eq!(span.get(field), *value, "{field} of {span:#?}");
    }
}

fn has_millis(span: &SpanRecord) {
    let ms = span.get("upstream_ms");
    assert!(ms.is_some_and(|ms| ms.parse::<u64>().is_ok()), "{span:#?}");
}

#[tokio::test]
async fn each_outcome_and_cache_path_is_recorded() {
    let stack = LocalStackAuth::start().await.unwrap();
    let key = stack.secret_server_key();
    let user = stack.create_user(UserSpec::normal()).unwrap();
    let token = stack.mint(&user);
    let forged = stack.token(&user).broken(Breakage::WrongKey).mint();
    let flaky = stack.mint(&user);
    let verifier = RestVerifier::builder_with_config(stack.config(), key.clone())
        .retry_policy(RetryPolicy::new(2, Duration::from_millis(1)))
        .build()
        .unwrap();
    let wrong_key = RestVerifier::builder_with_config(stack.config(), "ssk_wrong_secret_value")
        .build()
        .unwrap();
    let (seen, _guard) = capture();

    verifier.verify(&token).await.unwrap();
    verifier.verify(&token).await.unwrap();
    verifier.verify(&forged).await.unwrap_err();
    stack.inject(Route::UsersMe, Fault::status(503));
    verifier.verify(&flaky).await.unwrap_err();
    stack.clear_faults();
    wrong_key.verify(&token).await.unwrap_err();
    verifier.verify("").await.unwrap_err();

    let spans = seen.spans(VERIFY);
    assert_eq!(spans.len(), 6, "{spans:#?}");
    let rest = [("strategy", Some("rest"))];
    spans.iter().for_each(|s| assert_fields(s, &rest));
    let expected: [&[(&str, Option<&str>)]; 6] = [
        &[
            ("outcome", Some("ok")),
            ("reason", None),
            ("cache", Some("miss")),
            ("attempts", Some("1")),
        ],
        &[
            ("outcome", Some("ok")),
            ("cache", Some("hit")),
            ("attempts", None),
            ("upstream_ms", None),
        ],
        &[
            ("outcome", Some("refused")),
            ("reason", Some("unparsable")),
            ("cache", Some("miss")),
        ],
        &[
            ("outcome", Some("unavailable")),
            ("reason", Some("server_error")),
            ("attempts", Some("2")),
        ],
        &[
            ("outcome", Some("misconfigured")),
            ("reason", Some("invalid_secret_server_key")),
        ],
        &[
            ("outcome", Some("refused")),
            ("reason", Some("malformed")),
            ("cache", None),
            ("upstream_ms", None),
        ],
    ];
    for (span, fields) in spans.iter().zip(expected) {
        assert_fields(span, fields);
    }
    for i in [0, 2, 3, 4] {
        has_millis(&spans[i]);
    }
    let calls = seen.spans("stack_auth.rest.users_me");
    assert_eq!(calls.len(), 4);
    has_millis(&calls[0]);

    let text = seen.all_text();
    for secret in [
        &token,
        &forged,
        &flaky,
        key.expose(),
        "ssk_wrong_secret_value",
    ] {
        assert!(!text.contains(secret), "a secret leaked: {text}");
    }
    assert!(!text.contains(token.rsplit('.').next().unwrap()));
}

#[tokio::test]
async fn a_shared_request_and_a_disabled_cache_are_told_apart() {
    let stack = LocalStackAuth::start().await.unwrap();
    let token = stack.mint(&stack.create_user(UserSpec::normal()).unwrap());
    let verifier = RestVerifier::builder_with_config(stack.config(), stack.secret_server_key())
        .build()
        .unwrap();
    let uncached = RestVerifier::builder_with_config(stack.config(), stack.secret_server_key())
        .disable_token_cache()
        .build()
        .unwrap();
    let (seen, _guard) = capture();

    let (a, b) = tokio::join!(verifier.verify(&token), verifier.verify(&token));
    a.unwrap();
    b.unwrap();
    let mut caches: Vec<_> = seen
        .spans(VERIFY)
        .iter()
        .map(|s| s.get("cache").unwrap().to_owned())
        .collect();
    caches.sort();
    assert_eq!(caches, ["joined", "miss"]);
    assert_eq!(stack.requests(Route::UsersMe), 1);

    seen.clear();
    uncached.verify(&token).await.unwrap();
    assert_fields(
        &seen.only(VERIFY),
        &[("outcome", Some("ok")), ("cache", Some("off"))],
    );
}
