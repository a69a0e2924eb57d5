//! With the `metrics` feature (always on for this crate's tests, see Cargo.toml), verifications,
//! cache lookups and key set fetches are counted with bounded labels.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use metrics_util::{
    debugging::{DebugValue, DebuggingRecorder},
    CompositeKey, MetricKind,
};
use stack_auth_core::TokenVerifier;
use stack_auth_testkit::{Breakage, Fault, Route, UserSpec};

use crate::common::{with_kid, Kit};

/// What the recorder holds (taken once: taking a snapshot drains histograms).
type Snapshot = Vec<(CompositeKey, DebugValue)>;

/// The value of the counter `name` whose labels are exactly `labels` (0 if never incremented).
fn counter(snapshot: &Snapshot, name: &str, labels: &[(&str, &str)]) -> u64 {
    find(snapshot, MetricKind::Counter, name, labels).map_or(0, |v| match v {
        DebugValue::Counter(n) => *n,
        other => panic!("{name} is not a counter: {other:?}"),
    })
}

/// How many values the histogram `name` with exactly `labels` holds.
fn observations(snapshot: &Snapshot, name: &str, labels: &[(&str, &str)]) -> usize {
    find(snapshot, MetricKind::Histogram, name, labels).map_or(0, |v| match v {
        DebugValue::Histogram(values) => values.len(),
        other => panic!("{name} is not a histogram: {other:?}"),
    })
}

fn find<'a>(
    snapshot: &'a Snapshot,
    kind: MetricKind,
    name: &str,
    labels: &[(&str, &str)],
) -> Option<&'a DebugValue> {
    let mut want: Vec<(String, String)> = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    want.sort();
    snapshot
        .iter()
        .find(|(key, _)| {
            let mut have: Vec<(String, String)> = key
                .key()
                .labels()
                .map(|l| (l.key().to_owned(), l.value().to_owned()))
                .collect();
            have.sort();
            key.kind() == kind && key.key().name() == name && have == want
        })
        .map(|(_, value)| value)
}

/// Every label value ever recorded, to check none is unbounded (a kid, a user id).
fn label_values(snapshot: &Snapshot) -> Vec<String> {
    snapshot
        .iter()
        .flat_map(|(key, _)| {
            key.key()
                .labels()
                .map(|l| l.value().to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn verifications_cache_and_fetches_are_counted() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let user_id = metrics::with_local_recorder(&recorder, || {
        runtime.block_on(async {
            let kit = Kit::start().await;
            let user = kit.stack.create_user(UserSpec::normal()).unwrap();
            let token = kit.stack.mint(&user);
            let forged = kit.stack.token(&user).broken(Breakage::WrongKey).mint();
            let verifier = kit.verifier().build().unwrap();
            verifier.prefetch().await.unwrap();
            verifier.verify(&token).await.unwrap();
            verifier.verify(&token).await.unwrap();
            verifier.verify(&forged).await.unwrap_err();
            verifier
                .verify(&with_kid(&token, "nope"))
                .await
                .unwrap_err();
            kit.stack.inject(Route::Jwks, Fault::status(503));
            let failing = kit.verifier().build().unwrap();
            failing.verify(&token).await.unwrap_err();
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
    let verifications = "stack_auth_verifications_total";
    let jwks = ("strategy", "jwks");
    for (outcome, reason, n) in [
        ("ok", "none", 2),
        ("refused", "bad_signature", 1),
        ("refused", "unknown_key", 1),
        ("unavailable", "server_error", 1),
    ] {
        let labels = [jwks, ("outcome", outcome), ("reason", reason)];
        assert_eq!(counter(s, verifications, &labels), n, "{outcome} {reason}");
    }
    assert_eq!(
        observations(s, "stack_auth_verify_duration_seconds", &[jwks]),
        5
    );
    let cache = "stack_auth_cache_total";
    assert_eq!(counter(s, cache, &[jwks, ("cache", "hit")]), 1);
    assert_eq!(counter(s, cache, &[jwks, ("cache", "miss")]), 4);

    let refetch = "stack_auth_jwks_refetch_total";
    assert_eq!(counter(s, refetch, &[("trigger", "prefetch")]), 1);
    assert_eq!(counter(s, refetch, &[("trigger", "unknown_kid")]), 1);
    assert_eq!(counter(s, refetch, &[("trigger", "expiry")]), 1);
    let requests = "stack_auth_upstream_requests_total";
    let upstream = ("upstream", "jwks");
    assert_eq!(counter(s, requests, &[upstream, ("outcome", "ok")]), 2);
    assert_eq!(
        counter(s, requests, &[upstream, ("outcome", "unavailable")]),
        1
    );
    assert_eq!(
        counter(
            s,
            "stack_auth_upstream_errors_total",
            &[upstream, ("kind", "server_error")]
        ),
        1
    );
    assert_eq!(
        observations(s, "stack_auth_upstream_duration_seconds", &[upstream]),
        3
    );
    for value in label_values(s) {
        assert!(
            value != "nope" && value != user_id,
            "unbounded label {value}"
        );
    }
}
