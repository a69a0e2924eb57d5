//! With the `metrics` feature (always on for this crate's tests, see Cargo.toml), composite
//! verifications are counted, and the feature reaches the default wiring's verifiers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;

use metrics_util::{
    debugging::{DebugValue, DebuggingRecorder},
    CompositeKey, MetricKind,
};
use stack_auth_composite::ProfilePolicy;
use stack_auth_core::{RefusalReason, TokenVerifier, UnavailableKind, Upstream, VerifyError};

use crate::common::*;

/// What the recorder holds (taken once: taking a snapshot drains histograms).
type Snapshot = Vec<(CompositeKey, DebugValue)>;

/// Runs `work` on a current-thread runtime with a fresh recorder and returns what it recorded.
fn recorded<F: Future<Output = ()>>(work: F) -> Snapshot {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    metrics::with_local_recorder(&recorder, || runtime.block_on(work));
    snapshotter
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _, _, value)| (key, value))
        .collect()
}

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

fn verifications(snapshot: &Snapshot, strategy: &str, outcome: &str, reason: &str) -> u64 {
    let labels = [
        ("strategy", strategy),
        ("outcome", outcome),
        ("reason", reason),
    ];
    counter(snapshot, "stack_auth_verifications_total", &labels)
}

#[test]
fn composite_verifications_are_counted_by_outcome_and_reason() {
    let snapshot = recorded(async {
        let token = token("normal-user");
        let ok = rest(Ok(profile_for(&token)));
        let down = rest(Err(unavailable(Upstream::Api, UnavailableKind::Timeout)));
        let accepting = || jwt(Ok(claims_user(&token)));
        let v = composite(accepting(), &ok, ProfilePolicy::Required);
        v.verify(&token).await.unwrap();
        v.verify(&token).await.unwrap();
        let refusing = jwt(Err(VerifyError::refused(RefusalReason::BadSignature)));
        let v = composite(refusing, &ok, ProfilePolicy::Required);
        v.verify(&token).await.unwrap_err();
        let v = composite(accepting(), &down, ProfilePolicy::Required);
        v.verify(&token).await.unwrap_err();
    });
    let s = &snapshot;
    assert_eq!(verifications(s, "composite", "ok", "none"), 2);
    assert_eq!(verifications(s, "composite", "refused", "bad_signature"), 1);
    assert_eq!(verifications(s, "composite", "unavailable", "timeout"), 1);
    let durations = find(
        s,
        MetricKind::Histogram,
        "stack_auth_verify_duration_seconds",
        &[("strategy", "composite")],
    );
    assert!(matches!(durations, Some(DebugValue::Histogram(v)) if v.len() == 4));
}

#[cfg(feature = "default-wiring")]
#[test]
fn the_feature_reaches_the_wired_verifiers() {
    use stack_auth_composite::CompositeVerifier;
    use stack_auth_testkit::{LocalStackAuth, UserSpec};

    let snapshot = recorded(async {
        let stack = LocalStackAuth::start().await.unwrap();
        let token = stack.mint(&stack.create_user(UserSpec::normal()).unwrap());
        let verifier =
            CompositeVerifier::from_config(stack.config(), stack.secret_server_key()).unwrap();
        verifier.verify(&token).await.unwrap();
    });
    let s = &snapshot;
    for strategy in ["composite", "jwks", "rest"] {
        assert_eq!(verifications(s, strategy, "ok", "none"), 1, "{strategy}");
    }
    for upstream in ["jwks", "api"] {
        let labels = [("upstream", upstream), ("outcome", "ok")];
        let got = counter(s, "stack_auth_upstream_requests_total", &labels);
        assert_eq!(got, 1, "{upstream}");
    }
}
