//! The [`TokenVerifier`] trait every verification strategy implements.

use std::fmt;

use crate::{forward::forwarded_trait, VerifiedUser, VerifyError};

forwarded_trait! {
    /// Decides who an access token belongs to, or why it is refused.
    ///
    /// This is the one trait of the SDK. The JWKS, REST and composite strategies implement it,
    /// and so can your own types (an allow-list in front of another verifier, a cache, a test
    /// double). It is object safe: store it as `Arc<`[`DynTokenVerifier`]`>` and swap strategies
    /// without changing code. Implementations are `Debug` (show the configuration, never a
    /// secret), so a server's state that holds one can derive `Debug` too.
    ///
    /// `&T`, `Box<T>` and `Arc<T>` forward every method to `T`.
    ///
    /// # Example
    ///
    /// ```
    /// use async_trait::async_trait;
    /// use stack_auth_core::{
    ///     DynTokenVerifier, RefusalReason, TokenVerifier, VerifiedUser, VerifyError,
    /// };
    ///
    /// /// Refuses every token: a verifier for a service that is switched off.
    /// #[derive(Debug)]
    /// struct RefuseAll;
    ///
    /// #[async_trait]
    /// impl TokenVerifier for RefuseAll {
    ///     async fn verify(&self, _token: &str) -> Result<VerifiedUser, VerifyError> {
    ///         Err(VerifyError::refused(RefusalReason::Malformed))
    ///     }
    /// }
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let verifier: std::sync::Arc<DynTokenVerifier> = std::sync::Arc::new(RefuseAll);
    /// let err = verifier.verify("anything").await.unwrap_err();
    /// assert_eq!(err.http_status(), 401);
    /// # });
    /// ```
    pub trait TokenVerifier: Send, Sync, fmt::Debug {
        /// Verifies `token`: who it belongs to, or why it was refused.
        ///
        /// `token` is the exact string the client sent (already extracted from the request, see
        /// [`extract_token`](crate::extract_token)); verifiers do not trim or otherwise repair
        /// it.
        ///
        /// # Errors
        ///
        /// [`VerifyError::Refused`] when the token is not acceptable,
        /// [`VerifyError::Unavailable`] when the upstream needed to decide is unreachable,
        /// [`VerifyError::Misconfigured`] when the verifier itself is set up wrongly.
        async fn verify(&self, token: &str) -> Result<VerifiedUser, VerifyError>;
    }
}

/// The type-erased verifier, named as object_store names `DynObjectStore`: servers keep an
/// `Arc<DynTokenVerifier>` in their state and swap strategies without changing code.
pub type DynTokenVerifier = dyn TokenVerifier;
