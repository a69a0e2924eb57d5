//! The per-verification span: strategy, path and outcome are recorded, the token never is.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use stack_auth_composite::ProfilePolicy;
use stack_auth_core::{RefusalReason, TokenVerifier, UnavailableKind, Upstream, VerifyError};
use tracing_subscriber::fmt::{format::FmtSpan, MakeWriter};

use crate::common::*;

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

fn capture() -> (Buffer, tracing::subscriber::DefaultGuard) {
    let buffer = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(buffer.clone())
        .with_max_level(tracing::Level::DEBUG)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    (
        buffer,
        stack_auth_testkit::tracing_capture::scoped(subscriber),
    )
}

#[tokio::test]
async fn each_path_and_outcome_is_recorded_without_the_token() {
    let token = token("normal-user");
    let signature = token.split('.').nth(2).unwrap().to_owned();
    let cases = [
        (
            jwt(Err(VerifyError::refused(RefusalReason::BadSignature))),
            rest(Ok(profile_for(&token))),
            ProfilePolicy::Required,
            "path=\"jwt_refused\"",
            "outcome=\"refused\" reason=\"bad_signature\"",
        ),
        (
            jwt(Ok(claims_user(&token))),
            rest(Ok(profile_for(&token))),
            ProfilePolicy::Required,
            "path=\"jwt_then_rest\"",
            "outcome=\"ok\"",
        ),
        (
            jwt(Ok(claims_user(&token))),
            rest(Ok(profile_for(&token))),
            ProfilePolicy::OnDemand,
            "path=\"claims_only\"",
            "outcome=\"ok\"",
        ),
        (
            jwt(Err(unavailable(
                Upstream::Jwks,
                UnavailableKind::NoUsableKeys,
            ))),
            rest(Err(VerifyError::refused(RefusalReason::UserNotFound))),
            ProfilePolicy::Required,
            "path=\"jwt_unavailable_asked_rest\"",
            "outcome=\"refused\" reason=\"user_not_found\"",
        ),
        (
            jwt(Err(VerifyError::refused(RefusalReason::UnknownKey))),
            rest(Ok(profile_for(&token))),
            ProfilePolicy::Required,
            "path=\"unknown_key_asked_rest\"",
            "outcome=\"ok\"",
        ),
    ];
    for (jwt, rest, policy, path, outcome) in cases {
        let (buffer, _guard) = capture();
        let _ = composite(jwt, &rest, policy).verify(&token).await;
        let text = buffer.text();
        assert!(text.contains("stack_auth.verify"), "{text}");
        assert!(text.contains("strategy=\"composite\""), "{text}");
        assert!(text.contains(path), "{path}: {text}");
        assert!(text.contains(outcome), "{outcome}: {text}");
        assert!(!text.contains(&signature), "{text}");
    }
}

#[tokio::test]
async fn best_effort_warns_when_the_profile_is_missing() {
    let token = token("normal-user");
    let rest = rest(Err(unavailable(Upstream::Api, UnavailableKind::Timeout)));
    let (buffer, _guard) = capture();
    let v = composite(
        jwt(Ok(claims_user(&token))),
        &rest,
        ProfilePolicy::BestEffort,
    );
    assert!(v.verify(&token).await.is_ok());
    let text = buffer.text();
    assert!(text.contains("WARN"), "{text}");
    assert!(text.contains("best effort"), "{text}");
    assert!(!text.contains(token.split('.').nth(2).unwrap()), "{text}");
}
