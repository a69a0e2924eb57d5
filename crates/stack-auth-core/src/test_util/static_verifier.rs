use std::collections::HashMap;

use async_trait::async_trait;

use crate::{RefusalReason, TokenVerifier, VerifiedUser, VerifyError};

/// Answers from a fixed table: a per-token answer if one was registered, else a default answer.
///
/// ```
/// use stack_auth_core::{test_util::StaticVerifier, RefusalReason, TokenVerifier, UserType, VerifiedUser};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let v = StaticVerifier::refuse(RefusalReason::BadSignature)
///     .with_token("good", Ok(VerifiedUser::new("u1", "p1", UserType::Normal, None)));
/// assert!(v.verify("good").await.is_ok());
/// assert_eq!(v.verify("bad").await.unwrap_err().refusal_reason(), Some(RefusalReason::BadSignature));
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct StaticVerifier {
    default: Result<VerifiedUser, VerifyError>,
    by_token: HashMap<String, Result<VerifiedUser, VerifyError>>,
}

impl StaticVerifier {
    /// Accepts every token as `user`.
    pub fn accept(user: VerifiedUser) -> Self {
        StaticVerifier {
            default: Ok(user),
            by_token: HashMap::new(),
        }
    }

    /// Refuses every token for `reason`.
    pub fn refuse(reason: RefusalReason) -> Self {
        Self::fail(VerifyError::refused(reason))
    }

    /// Fails every token with `error` (e.g. an unavailable upstream).
    pub fn fail(error: VerifyError) -> Self {
        StaticVerifier {
            default: Err(error),
            by_token: HashMap::new(),
        }
    }

    /// Answers `answer` for exactly `token`.
    #[must_use]
    pub fn with_token(
        mut self,
        token: impl Into<String>,
        answer: Result<VerifiedUser, VerifyError>,
    ) -> Self {
        self.by_token.insert(token.into(), answer);
        self
    }
}

#[async_trait]
impl TokenVerifier for StaticVerifier {
    async fn verify(&self, token: &str) -> Result<VerifiedUser, VerifyError> {
        self.by_token.get(token).unwrap_or(&self.default).clone()
    }
}
