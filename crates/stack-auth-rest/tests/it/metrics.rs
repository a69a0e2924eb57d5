//! With the `metrics` feature (always on for this crate's tests, see Cargo.toml), verifications,
//! cache lookups and users/me requests are counted with bounded labels.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use metrics_util::{
    debugging::{DebugValue, DebuggingRecorder},
    CompositeKey, MetricKind,
};
use stack_auth_core::TokenVerifier;
use stack_auth_rest::{CircuitBreakerPolicy, RestVerifier, RetryPolicy};
use stack_auth_testkit::{Breakage, Fault, LocalStackAuth, Route, UserSpec};

/// What the recorder holds (taken once: taking a snapshot drains histograms).
type Snapshot = Vec<(CompositeKey, DebugValue)>;

fn find<'a>(
    snapshot: &'a Snapshot,
    kind: MetricKind,
    name: &str,
    labels: &[(&str, &str)],
) -> Option<&'a DebugValue> {
    let mut want: Vec<(&str, &str)> = labels.to_vec();
    want.sort();
    snapshot
        .iter()
        .find(|(key, _)| {
            let mut have: Vec<(&str, &str)> =
                key.key().labels().map(|l| (l.key(), l.value())).collect();
            have.sort();
            key.kind() == kind && key.key().name() == name && have == want
        })
        .map(|(_, value)| value)
}

/// The counter `name` with exactly `labels` (0 if never incremented).
fn counter(snapshot: &Snapshot, name: &str, labels: &[(&str, &str)]) -> u64 {
    match find(snapshot, MetricKind::Counter, name, labels) {
        Some(DebugValue::Counter(n)) => *n,
        None => 0,
        Some(other) => panic!("{name} is not a counter: {other:?}"),
    }
}

/// How many values the histogram `name` with exactly `labels` holds.
fn observations(snapshot: &Snapshot, name: &str, labels: &[(&str, &str)]) -> usize {
    match find(snapshot, MetricKind::Histogram, name, labels) {
        Some(DebugValue::Histogram(values)) => values.len(),
        None => 0,
        Some(other) => panic!("{name} is not a histogram: {other:?}"),
    }
}

#[test]
fn verifications_cache_requests_and_errors_are_counted() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let user_id = metrics::with_local_recorder(&recorder, || {
        runtime.block_on(async {
            let stack = LocalStackAuth::start().await.unwrap();
            let user = stack.create_user(UserSpec::normal()).unwrap();
            let token = stack.mint(&user);
            let forged = stack.token(&user).broken(Breakage::WrongKey).mint();
            let verifier =
                RestVerifier::builder_with_config(stack.config(), stack.secret_server_key())
                    .retry_policy(RetryPolicy::new(2, Duration::from_millis(1)))
                    .circuit_breaker(CircuitBreakerPolicy::new(2, Duration::from_secs(600)))
                    .build()
                    .unwrap();
            verifier.verify(&token).await.unwrap();
            verifier.verify(&token).await.unwrap();
            verifier.verify(&forged).await.unwrap_err();
            stack.inject(Route::UsersMe, Fault::status(503));
            // Two failed requests open the breaker; the next verification sends none.
            let flaky = stack.mint(&user);
            verifier.verify(&flaky).await.unwrap_err();
            verifier.verify(&flaky).await.unwrap_err();
            assert_eq!(stack.requests(Route::UsersMe), 4);
            user.id
        })
    });
    let snapshot: Snapshot = snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _, _, value)| (key, value))
        .collect();
    let s = &snapshot;

    let rest = ("strategy", "rest");
    for (outcome, reason, n) in [
        ("ok", "none", 2),
        ("refused", "unparsable", 1),
        ("unavailable", "server_error", 1),
        ("unavailable", "circuit_open", 1),
    ] {
        let labels = [rest, ("outcome", outcome), ("reason", reason)];
        let got = counter(s, "stack_auth_verifications_total", &labels);
        assert_eq!(got, n, "{outcome} {reason}");
    }
    assert_eq!(
        observations(s, "stack_auth_verify_duration_seconds", &[rest]),
        5
    );
    assert_eq!(
        counter(s, "stack_auth_cache_total", &[rest, ("cache", "hit")]),
        1
    );
    assert_eq!(
        counter(s, "stack_auth_cache_total", &[rest, ("cache", "miss")]),
        4
    );

    let api = ("upstream", "api");
    let requests = "stack_auth_upstream_requests_total";
    assert_eq!(counter(s, requests, &[api, ("outcome", "ok")]), 1);
    assert_eq!(counter(s, requests, &[api, ("outcome", "refused")]), 1);
    assert_eq!(counter(s, requests, &[api, ("outcome", "unavailable")]), 2);
    assert_eq!(
        observations(s, "stack_auth_upstream_duration_seconds", &[api]),
        4
    );
    let errors = "stack_auth_upstream_errors_total";
    assert_eq!(counter(s, errors, &[api, ("kind", "server_error")]), 2);
    assert_eq!(counter(s, errors, &[api, ("kind", "circuit_open")]), 1);
    for (key, _) in s {
        for label in key.key().labels() {
            assert_ne!(label.value(), user_id, "a user id as a label value");
        }
    }
}
