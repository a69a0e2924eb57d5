//! Verifying outside a Tokio runtime is a misconfiguration, not a panic or a deadlock, and
//! leaves the verifier working inside one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{sync::mpsc, thread, time::Duration};

use stack_auth_core::{MisconfigKind, TokenVerifier, VerifyError};

use crate::common::{builder, token, PATH, PROFILE};

/// Without a runtime, starting the request's task (`tokio::spawn`) panicked while the flights'
/// lock was held, and dropping the unstarted flight locked it again: a deadlock (or a panic).
#[test]
fn verify_without_a_tokio_runtime_is_an_error_and_later_verifications_work() {
    let mut server = mockito::Server::new();
    let mock = server
        .mock("GET", PATH)
        .with_body(PROFILE)
        .expect(1)
        .create();
    let v = builder(&server.url()).build().unwrap();
    let tok = token(1);

    let (tx, rx) = mpsc::channel();
    let (outside, t) = (v.clone(), tok.clone());
    thread::spawn(move || {
        let verdict = futures::executor::block_on(outside.verify(&t));
        let profile = futures::executor::block_on(outside.fetch_profile(&t));
        tx.send((verdict, profile)).unwrap();
    });
    let (verdict, profile) = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("verify outside a runtime deadlocked or panicked");
    for e in [verdict.unwrap_err(), profile.unwrap_err()] {
        let VerifyError::Misconfigured(m) = &e else {
            panic!("{e:?}")
        };
        assert_eq!(m.kind(), MisconfigKind::UnexpectedError);
        assert_eq!(m.detail(), Some("no tokio runtime"));
    }

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let user = runtime.block_on(v.verify(&tok)).unwrap();
    assert_eq!(user.user_id(), "3241a285-8329-4d69-8f3d-316e08cf140c");
    mock.assert();
}
