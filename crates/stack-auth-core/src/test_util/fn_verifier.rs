use std::fmt;

use async_trait::async_trait;

use crate::{TokenVerifier, VerifiedUser, VerifyError};

/// A verifier from a closure over the token, for tests that need a rule rather than a table.
///
/// ```
/// use stack_auth_core::{test_util::FnVerifier, RefusalReason, TokenVerifier, UserType, VerifiedUser, VerifyError};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let v = FnVerifier::new(|token| match token.strip_prefix("user:") {
///     Some(id) => Ok(VerifiedUser::new(id, "p1", UserType::Normal, None)),
///     None => Err(VerifyError::refused(RefusalReason::Malformed)),
/// });
/// assert_eq!(v.verify("user:42").await.unwrap().user_id(), "42");
/// assert!(v.verify("nope").await.is_err());
/// # });
/// ```
pub struct FnVerifier<F> {
    f: F,
}

impl<F> FnVerifier<F>
where
    F: Fn(&str) -> Result<VerifiedUser, VerifyError> + Send + Sync,
{
    /// Wraps `f`.
    pub fn new(f: F) -> Self {
        FnVerifier { f }
    }
}

impl<F> fmt::Debug for FnVerifier<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnVerifier").finish_non_exhaustive()
    }
}

#[async_trait]
impl<F> TokenVerifier for FnVerifier<F>
where
    F: Fn(&str) -> Result<VerifiedUser, VerifyError> + Send + Sync,
{
    async fn verify(&self, token: &str) -> Result<VerifiedUser, VerifyError> {
        (self.f)(token)
    }
}
