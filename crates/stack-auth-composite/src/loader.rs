//! The on-demand profile loader of [`ProfilePolicy::OnDemand`](crate::ProfilePolicy::OnDemand).

use std::{fmt, sync::Arc};

use async_trait::async_trait;
use stack_auth_core::{redact_token, ProfileLoader, ServerUser, TokenVerifier, VerifyError};
use tracing::Instrument;

use crate::{combine::profile_of, observe};

/// Fetches the profile of an already verified token from the profile verifier, later.
///
/// It holds the token (REST needs it), so its `Debug` shows only a redacted fingerprint.
pub(crate) struct RestProfileLoader {
    rest: Arc<dyn TokenVerifier>,
    token: Box<str>,
    user_id: String,
    project_id: String,
}

impl RestProfileLoader {
    /// A loader asking `rest` about `token`, expecting `user_id` of `project_id`.
    pub(crate) fn new(
        rest: Arc<dyn TokenVerifier>,
        token: &str,
        user_id: &str,
        project_id: &str,
    ) -> Self {
        RestProfileLoader {
            rest,
            token: token.into(),
            user_id: user_id.to_owned(),
            project_id: project_id.to_owned(),
        }
    }
}

impl fmt::Debug for RestProfileLoader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestProfileLoader")
            .field("token", &redact_token(&self.token))
            .field("user_id", &self.user_id)
            .field("project_id", &self.project_id)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl ProfileLoader for RestProfileLoader {
    async fn load(&self) -> Result<ServerUser, VerifyError> {
        let span = observe::load_profile_span();
        let result = async {
            let rest_user = self.rest.verify(&self.token).await?;
            profile_of(&self.user_id, &self.project_id, rest_user)
        }
        .instrument(span.clone())
        .await;
        observe::record_outcome(&span, result.as_ref().err());
        result
    }
}

#[cfg(test)]
mod tests {
    use stack_auth_core::{test_util::StaticVerifier, RefusalReason};

    use super::*;

    #[test]
    fn debug_shows_a_fingerprint_not_the_token() {
        let token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJlLXNlY3JldA";
        let rest: Arc<dyn TokenVerifier> =
            Arc::new(StaticVerifier::refuse(RefusalReason::UserNotFound));
        let loader = RestProfileLoader::new(rest, token, "u1", "p1");
        for shown in [format!("{loader:?}"), format!("{loader:#?}")] {
            assert!(!shown.contains("eyJ"), "{shown}");
            assert!(!shown.contains("c2lnbmF0dXJl"), "{shown}");
            assert!(shown.contains(&redact_token(token)), "{shown}");
            assert!(shown.contains("u1"), "{shown}");
        }
    }
}
