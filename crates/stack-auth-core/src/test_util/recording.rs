use std::{
    fmt,
    sync::{Mutex, PoisonError},
};

use async_trait::async_trait;

use crate::{TokenVerifier, VerifiedUser, VerifyError};

/// Wraps another verifier and records every token it is asked about, so a test can assert how
/// often (and with what) verification happened.
///
/// ```
/// use stack_auth_core::{test_util::{RecordingVerifier, StaticVerifier}, RefusalReason, TokenVerifier};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let v = RecordingVerifier::new(StaticVerifier::refuse(RefusalReason::Expired));
/// let _ = v.verify("t1").await;
/// let _ = v.verify("t2").await;
/// assert_eq!(v.calls(), 2);
/// assert_eq!(v.tokens(), ["t1", "t2"]);
/// # });
/// ```
pub struct RecordingVerifier<V> {
    inner: V,
    tokens: Mutex<Vec<String>>,
}

impl<V: TokenVerifier> RecordingVerifier<V> {
    /// Records calls to `inner`.
    pub fn new(inner: V) -> Self {
        RecordingVerifier {
            inner,
            tokens: Mutex::new(Vec::new()),
        }
    }

    /// How many times `verify` was called.
    pub fn calls(&self) -> usize {
        self.lock().len()
    }

    /// The tokens passed to `verify`, in order.
    pub fn tokens(&self) -> Vec<String> {
        self.lock().clone()
    }

    /// Forgets the recorded calls.
    pub fn reset(&self) {
        self.lock().clear();
    }

    /// The wrapped verifier.
    pub fn inner(&self) -> &V {
        &self.inner
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.tokens.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<V> fmt::Debug for RecordingVerifier<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let calls = self.tokens.lock().map(|t| t.len()).unwrap_or_default();
        f.debug_struct("RecordingVerifier")
            .field("calls", &calls)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl<V: TokenVerifier> TokenVerifier for RecordingVerifier<V> {
    async fn verify(&self, token: &str) -> Result<VerifiedUser, VerifyError> {
        self.lock().push(token.to_owned());
        self.inner.verify(token).await
    }
}
