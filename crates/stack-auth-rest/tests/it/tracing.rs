//! Every verification is traced, and no span or event field ever holds the token or the key.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::Write,
    sync::{Arc, Mutex},
    time::Duration,
};

use stack_auth_core::TokenVerifier;
use stack_auth_rest::{RestVerifier, RetryPolicy};
use stack_auth_testkit::{Breakage, Fault, LocalStackAuth, Route, UserSpec};
use tracing_subscriber::fmt::format::FmtSpan;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures everything this crate logs until the guard is dropped.
fn capture() -> (Captured, impl Drop) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("stack_auth_rest=trace")
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    (
        captured,
        stack_auth_testkit::tracing_capture::scoped(subscriber),
    )
}

#[tokio::test]
async fn spans_carry_outcomes_but_never_secrets() {
    let stack = LocalStackAuth::start().await.unwrap();
    let key = stack.secret_server_key();
    let (captured, _guard) = capture();

    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let good = stack.mint(&ada);
    let forged = stack.token(&ada).broken(Breakage::WrongKey).mint();
    let flaky = stack.mint(&ada);
    let v = RestVerifier::builder_with_config(stack.config(), key.clone())
        .retry_policy(RetryPolicy::new(2, Duration::from_millis(1)))
        .build()
        .unwrap();
    v.verify(&good).await.unwrap();
    v.verify(&good).await.unwrap();
    v.verify(&forged).await.unwrap_err();
    stack.inject(Route::UsersMe, Fault::status(503));
    v.verify(&flaky).await.unwrap_err();
    let wrong_key = RestVerifier::builder_with_config(stack.config(), "ssk_wrong_secret_value")
        .build()
        .unwrap();
    stack.clear_faults();
    wrong_key.verify(&good).await.unwrap_err();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for expected in [
        "stack_auth.verify",
        "strategy=\"rest\"",
        "cache=\"miss\"",
        "cache=\"hit\"",
        "outcome=\"ok\"",
        "outcome=\"refused\"",
        "reason=\"unparsable\"",
        "outcome=\"unavailable\"",
        "outcome=\"misconfigured\"",
        "reason=\"server_error\"",
        "reason=\"invalid_secret_server_key\"",
        "stack_auth.rest.users_me",
        "attempts=2",
        "upstream_ms=",
        "retrying users/me",
    ] {
        assert!(logs.contains(expected), "missing {expected} in:\n{logs}");
    }
    for secret in [
        &good,
        &forged,
        &flaky,
        key.expose(),
        "ssk_wrong_secret_value",
    ] {
        assert!(!logs.contains(secret), "a secret leaked into the logs");
    }
    // Not even a recognisable piece of a token (its signature segment).
    let signature = good.rsplit('.').next().unwrap();
    assert!(!logs.contains(signature));
}

#[tokio::test]
async fn api_key_checks_log_the_key_id_and_a_fingerprint_never_the_key() {
    let stack = crate::api_keys::stand_in().await;
    let (captured, _guard) = capture();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let key = stack
        .create_api_key(stack_auth_testkit::ApiKeySpec::user(&ada.id))
        .unwrap();
    let keys = stack_auth_rest::ApiKeys::new(&crate::api_keys::api(&stack));
    keys.check(key.key()).await.unwrap();
    stack.revoke_api_key(key.id()).unwrap();
    stack_auth_core::Evict::evict(&keys, &stack_auth_core::Eviction::All);
    keys.check(key.key()).await.unwrap_err();
    keys.check(&key.key()[1..]).await.unwrap_err();
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for expected in [
        "stack_auth.rest.check_api_key",
        &format!("key_id=\"{}\"", key.id()),
        &stack_auth_core::redact_token(key.key()),
        "reason=\"api_key_revoked\"",
        "reason=\"api_key_malformed\"",
        "user-api-keys/check answered",
        "stack_auth.rest.get_user",
    ] {
        assert!(logs.contains(expected), "missing {expected} in:\n{logs}");
    }
    assert!(
        !logs.contains(&key.key()[3..48]),
        "a key leaked into the logs"
    );
}
