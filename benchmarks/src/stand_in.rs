//! [`StandIn`]: a local Stack Auth with one user, and warm verifiers pointed at it.

use std::time::Duration;

use stack_auth_core::{ServerUser, TokenVerifier};
use stack_auth_jwks::JwksVerifier;
use stack_auth_rest::RestVerifier;
use stack_auth_testkit::{random_uuid, LocalStackAuth, Route, UserSpec};

use crate::BenchError;

/// Lifetime of the tokens the stand-in mints: longer than any bench run, so none expires while
/// it is measured.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// A [`LocalStackAuth`] on 127.0.0.1 with one normal user and a token of theirs.
#[derive(Debug)]
pub struct StandIn {
    stack: LocalStackAuth,
    user: ServerUser,
    token: String,
}

impl StandIn {
    /// Starts the stand-in on the current tokio runtime and creates the user.
    ///
    /// # Errors
    ///
    /// When no local port can be bound or the user cannot be created.
    pub async fn start() -> Result<StandIn, BenchError> {
        let stack = LocalStackAuth::builder()
            .token_lifetime(TOKEN_LIFETIME)
            .start()
            .await?;
        let user = stack.create_user(UserSpec::normal().display_name("Ada Lovelace"))?;
        let token = stack.mint(&user);
        Ok(StandIn { stack, user, token })
    }

    /// The stand-in itself (request counts, users).
    pub fn stack(&self) -> &LocalStackAuth {
        &self.stack
    }

    /// The user's id.
    pub fn user_id(&self) -> &str {
        &self.user.id
    }

    /// A valid token of the user: the "repeated token" of the cache benchmarks.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// `n` distinct valid tokens (each of a distinct user's session), minted offline with the
    /// project's signing key: the stand-in does not store these users, so they are for the JWKS
    /// verifier only.
    ///
    /// # Errors
    ///
    /// When a user spec is refused (it is not).
    pub fn distinct_tokens(&self, n: usize) -> Result<Vec<String>, BenchError> {
        let minter = self.stack.minter();
        (0..n)
            .map(|_| {
                let user = minter.user(UserSpec::normal())?;
                Ok(minter.token(&user).session_id(random_uuid()).mint())
            })
            .collect()
    }

    /// `n` distinct users stored by the stand-in, one valid token each (for users/me).
    ///
    /// # Errors
    ///
    /// When a user cannot be created.
    pub fn stored_user_tokens(&self, n: usize) -> Result<Vec<String>, BenchError> {
        (0..n)
            .map(|_| {
                Ok(self
                    .stack
                    .mint(&self.stack.create_user(UserSpec::normal())?))
            })
            .collect()
    }

    /// A [`JwksVerifier`] for the stand-in's project with its keys fetched and the user's token
    /// verified once, with or without the verified-token cache.
    ///
    /// # Errors
    ///
    /// When the verifier cannot be built or the keys cannot be fetched.
    pub async fn jwks_verifier(&self, token_cache: bool) -> Result<JwksVerifier, BenchError> {
        let builder = JwksVerifier::builder_with_config(self.stack.config());
        let builder = if token_cache {
            builder
        } else {
            builder.disable_token_cache()
        };
        let verifier = builder.build()?;
        verifier.prefetch().await?;
        verifier.verify(&self.token).await?;
        Ok(verifier)
    }

    /// A [`RestVerifier`] for the stand-in's project keeping successes for `cache_ttl`
    /// ([`Duration::ZERO`]: no token cache), with its connection open and, when it caches,
    /// the user's token in its cache.
    ///
    /// # Errors
    ///
    /// When the verifier cannot be built or the stand-in does not accept the token.
    pub async fn rest_verifier(&self, cache_ttl: Duration) -> Result<RestVerifier, BenchError> {
        let builder =
            RestVerifier::builder_with_config(self.stack.config(), self.stack.secret_server_key());
        let verifier = if cache_ttl.is_zero() {
            builder.disable_token_cache()
        } else {
            builder.token_cache_ttl(cache_ttl)
        }
        .build()?;
        verifier.verify(&self.token).await?;
        Ok(verifier)
    }

    /// users/me requests the stand-in has answered so far.
    pub fn users_me_calls(&self) -> u64 {
        self.stack.requests(Route::UsersMe)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[tokio::test]
    async fn tokens_are_distinct_and_verify_without_requests_once_warm() {
        let stand_in = StandIn::start().await.unwrap();
        let tokens = stand_in.distinct_tokens(20).unwrap();
        assert_eq!(tokens.iter().collect::<HashSet<_>>().len(), 20);
        let verifier = stand_in.jwks_verifier(false).await.unwrap();
        let jwks_calls = stand_in.stack().requests(Route::Jwks);
        for token in &tokens {
            verifier.verify(token).await.unwrap();
        }
        assert_eq!(stand_in.stack().requests(Route::Jwks), jwks_calls);
        assert_eq!(verifier.status().token_cache, None);
    }

    #[tokio::test]
    async fn rest_verifier_caches_only_when_asked() {
        let stand_in = StandIn::start().await.unwrap();
        let cached = stand_in.rest_verifier(TOKEN_LIFETIME).await.unwrap();
        let before = stand_in.users_me_calls();
        cached.verify(stand_in.token()).await.unwrap();
        assert_eq!(stand_in.users_me_calls(), before);
        let uncached = stand_in.rest_verifier(Duration::ZERO).await.unwrap();
        let before = stand_in.users_me_calls();
        let user = uncached.verify(stand_in.token()).await.unwrap();
        assert_eq!(stand_in.users_me_calls(), before + 1);
        assert_eq!(user.user_id(), stand_in.user_id());
    }

    #[tokio::test]
    async fn stored_users_pass_users_me() {
        let stand_in = StandIn::start().await.unwrap();
        let uncached = stand_in.rest_verifier(Duration::ZERO).await.unwrap();
        for token in stand_in.stored_user_tokens(3).unwrap() {
            assert!(uncached.verify(&token).await.unwrap().profile().is_some());
        }
    }
}
