//! A [`Transport`] that answers from a script and counts requests.

use std::{
    sync::{
        atomic::{AtomicU32, Ordering},
        Arc,
    },
    time::Duration,
};

use async_trait::async_trait;

use crate::{
    error::RestError,
    request::{ApiRequest, RawResponse, Transport, TransportError},
    RestVerifier, RestVerifierBuilder,
};

pub(crate) const PID: &str = "3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e";

/// `{"alg":"ES256","kid":"test"}`, the protected header of the test tokens.
pub(crate) const HEADER: &str = "eyJhbGciOiJFUzI1NiIsImtpZCI6InRlc3QifQ";

/// A token of the shape users/me is asked about (its payload has no `exp`: never cached).
pub(crate) const TOK: &str = "eyJhbGciOiJFUzI1NiIsImtpZCI6InRlc3QifQ.e30.c2lnbmF0dXJl";

/// One scripted answer.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// Answer after `delay`.
    Answer { delay: Duration, raw: RawResponse },
    /// Fail to connect.
    Refuse,
    /// Never answer.
    Hang,
}

type Script = dyn Fn(u32) -> Step + Send + Sync;

/// Answers request `n` (1-based) with `script(n)`.
pub(crate) struct Scripted {
    script: Box<Script>,
    calls: AtomicU32,
}

impl std::fmt::Debug for Scripted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scripted")
            .field("calls", &self.calls)
            .finish()
    }
}

impl Scripted {
    pub(crate) fn new(script: impl Fn(u32) -> Step + Send + Sync + 'static) -> Arc<Self> {
        Arc::new(Scripted {
            script: Box::new(script),
            calls: AtomicU32::new(0),
        })
    }

    pub(crate) fn calls(&self) -> u32 {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Transport for Scripted {
    async fn send(&self, _request: &ApiRequest) -> Result<RawResponse, TransportError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        match (self.script)(n) {
            Step::Answer { delay, raw } => {
                tokio::time::sleep(delay).await;
                Ok(raw)
            }
            Step::Refuse => Err(TransportError::Connect(RestError::Redirected)),
            Step::Hang => std::future::pending().await,
        }
    }
}

/// The kind of an unavailability (panics on anything else).
pub(crate) fn kind(e: &stack_auth_core::VerifyError) -> stack_auth_core::UnavailableKind {
    match e {
        stack_auth_core::VerifyError::Unavailable(u) => u.kind(),
        other => panic!("expected unavailable, got {other:?}"),
    }
}

/// A status with a body and optional headers.
pub(crate) fn status(code: u16, body: &str) -> Step {
    Step::Answer {
        delay: Duration::ZERO,
        raw: RawResponse {
            status: code,
            body: body.as_bytes().to_vec(),
            ..RawResponse::default()
        },
    }
}

/// 200 with a normal user's profile.
pub(crate) fn ok_user(id: &str) -> Step {
    status(
        200,
        &format!(
            r#"{{"id":"{id}","primary_email":"a@example.com","is_anonymous":false,"is_restricted":false}}"#
        ),
    )
}

/// A KnownError answer.
pub(crate) fn known(code: u16, name: &str) -> Step {
    let mut step = status(code, &format!(r#"{{"code":"{name}","error":"e"}}"#));
    if let Step::Answer { raw, .. } = &mut step {
        raw.known_error = Some(name.to_owned());
    }
    step
}

/// 429 with an optional Retry-After.
pub(crate) fn too_many(retry_after: Option<&str>) -> Step {
    let mut step = status(429, r#"{"message":"slow down"}"#);
    if let Step::Answer { raw, .. } = &mut step {
        raw.retry_after = retry_after.map(str::to_owned);
    }
    step
}

/// Delays a step.
pub(crate) fn after(delay: Duration, step: Step) -> Step {
    match step {
        Step::Answer { raw, .. } => Step::Answer { delay, raw },
        other => other,
    }
}

/// A builder wired to `transport`, with caching off unless a test turns it on.
pub(crate) fn builder(transport: &Arc<Scripted>) -> RestVerifierBuilder {
    RestVerifier::builder(PID, "ssk_test")
        .base_url("http://127.0.0.1:1")
        .disable_token_cache()
        .transport(Arc::clone(transport) as Arc<dyn Transport>)
}
