//! [`Credentials`], [`Principal`] and [`CredentialAuth`]: routes that accept an access token, an
//! API key, or either, the same way in every framework integration.

use std::{fmt, future::Future, sync::Arc};

use http::HeaderMap;

use crate::{
    extract_api_key, parse_api_key, ApiKeyType, ApiKeyVerifier, MisconfigKind, Misconfiguration,
    Refusal, RefusalReason, VerifiedApiKey, VerifiedUser, VerifyError,
};

use super::{request_auth::check_user_type, Rejection, RequestAuth};

/// Which credentials a route accepts: access tokens, user API keys, team API keys, or a mix.
/// The default is access tokens only.
///
/// ```
/// use stack_auth_core::{framework::Credentials, ApiKeyType};
///
/// let keys_too = Credentials::ACCESS_TOKEN.with_api_keys(ApiKeyType::User);
/// assert!(keys_too.accepts_access_tokens() && keys_too.accepts_api_keys(ApiKeyType::User));
/// assert!(!keys_too.accepts_api_keys(ApiKeyType::Team));
/// assert_eq!(Credentials::default(), Credentials::ACCESS_TOKEN);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Credentials(u8);

impl Credentials {
    /// Access tokens only (the default).
    pub const ACCESS_TOKEN: Credentials = Credentials(1);
    /// User and team API keys only.
    pub const API_KEYS: Credentials = Credentials(2 | 4);
    /// Access tokens, user API keys and team API keys.
    pub const ANY: Credentials = Credentials(1 | 2 | 4);

    const fn key_bit(key_type: ApiKeyType) -> u8 {
        match key_type {
            ApiKeyType::User => 2,
            ApiKeyType::Team => 4,
        }
    }

    /// API keys of `key_type` only.
    pub const fn api_keys_only(key_type: ApiKeyType) -> Credentials {
        Credentials(Self::key_bit(key_type))
    }

    /// This set with API keys of `key_type` added.
    #[must_use]
    pub const fn with_api_keys(self, key_type: ApiKeyType) -> Credentials {
        Credentials(self.0 | Self::key_bit(key_type))
    }

    /// Whether access tokens are accepted.
    pub const fn accepts_access_tokens(self) -> bool {
        self.0 & 1 != 0
    }

    /// Whether API keys of `key_type` are accepted.
    pub const fn accepts_api_keys(self, key_type: ApiKeyType) -> bool {
        self.0 & Self::key_bit(key_type) != 0
    }

    /// Whether API keys of either type are accepted.
    pub const fn accepts_any_api_key(self) -> bool {
        self.0 & 6 != 0
    }
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials::ACCESS_TOKEN
    }
}

/// Who sent a request: a user by access token, or the holder of an API key.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Principal {
    /// A user's access token, verified.
    AccessToken(VerifiedUser),
    /// An API key, verified (a user's or a team's).
    ApiKey(VerifiedApiKey),
}

impl Principal {
    /// The user acting: the token's user, or a user key's owner (`None` for a team key).
    pub fn user(&self) -> Option<&VerifiedUser> {
        match self {
            Principal::AccessToken(user) => Some(user),
            Principal::ApiKey(key) => key.user(),
        }
    }

    /// The API key, when one was sent.
    pub fn api_key(&self) -> Option<&VerifiedApiKey> {
        match self {
            Principal::ApiKey(key) => Some(key),
            Principal::AccessToken(_) => None,
        }
    }

    /// The team acting, for a team key.
    pub fn team_id(&self) -> Option<&str> {
        self.api_key().and_then(VerifiedApiKey::team_id)
    }
}

/// How a route authenticates when it may accept API keys: the access-token configuration
/// ([`RequestAuth`]), an [`ApiKeyVerifier`], and the [`Credentials`] it accepts.
///
/// API keys are looked for first (`x-hexclave-api-key`, `x-stack-api-key`, then
/// `Authorization: Bearer` carrying a key, PROTOCOL §10.2.5), then the access token. A key of a
/// type the route does not accept is refused as `wrong_api_key_type` and a string that is not
/// a key as `api_key_malformed`, both without asking the verifier; a user key's owner must be of
/// a user type the route lets in, like a token's user.
#[derive(Clone)]
pub struct CredentialAuth {
    tokens: RequestAuth,
    api_keys: Option<Arc<dyn ApiKeyVerifier>>,
    accepted: Credentials,
}

impl CredentialAuth {
    /// Access tokens only, through `tokens`.
    pub fn new(tokens: RequestAuth) -> Self {
        CredentialAuth {
            tokens,
            api_keys: None,
            accepted: Credentials::ACCESS_TOKEN,
        }
    }

    /// Checks API keys with `verifier` (which credentials are accepted is
    /// [`accept`](Self::accept)'s).
    #[must_use]
    pub fn api_key_verifier(mut self, verifier: Arc<dyn ApiKeyVerifier>) -> Self {
        self.api_keys = Some(verifier);
        self
    }

    /// Accepts `credentials` (default [`Credentials::ACCESS_TOKEN`]).
    #[must_use]
    pub fn accept(mut self, credentials: Credentials) -> Self {
        self.accepted = credentials;
        self
    }

    /// The access-token configuration.
    pub fn tokens(&self) -> &RequestAuth {
        &self.tokens
    }

    /// A copy with another access-token configuration.
    #[must_use]
    pub fn with_tokens(mut self, tokens: RequestAuth) -> Self {
        self.tokens = tokens;
        self
    }

    /// The credentials accepted.
    pub fn accepted(&self) -> Credentials {
        self.accepted
    }

    /// Whether an API key verifier is configured.
    pub fn has_api_key_verifier(&self) -> bool {
        self.api_keys.is_some()
    }

    /// The request's API key and its verdict, when API keys are accepted and the request sends
    /// one; `None` otherwise (the access token decides then).
    pub async fn authenticate_api_key(
        &self,
        headers: &HeaderMap,
    ) -> Option<Result<VerifiedApiKey, Rejection>> {
        if !self.accepted.accepts_any_api_key() {
            return None;
        }
        let key = match extract_api_key(headers) {
            Ok(Some(key)) => key,
            Ok(None) => return None,
            Err(e) => return Some(Err(e.into())),
        };
        Some(self.verify_api_key(key.as_str()).await)
    }

    async fn verify_api_key(&self, key: &str) -> Result<VerifiedApiKey, Rejection> {
        let refused = |reason, detail: String| {
            Rejection::from(VerifyError::from(Refusal::new(reason).with_detail(detail)))
        };
        let parsed = parse_api_key(key)
            .map_err(|e| refused(RefusalReason::ApiKeyMalformed, e.to_string()))?;
        if !self.accepted.accepts_api_keys(parsed.key_type()) {
            let detail = format!("{} api keys are not accepted here", parsed.key_type());
            return Err(refused(RefusalReason::WrongApiKeyType, detail));
        }
        let Some(verifier) = &self.api_keys else {
            let detail = "api keys are accepted but no api key verifier is configured";
            let error = Misconfiguration::new(MisconfigKind::UnexpectedError).with_detail(detail);
            return Err(VerifyError::from(error).into());
        };
        let verified = verifier.verify_api_key(key).await?;
        if let Some(user) = verified.user() {
            check_user_type(self.tokens.required_user_types(), user.clone())?;
        }
        Ok(verified)
    }

    /// Who sent the request, the way an integration that keeps verdicts asks: its API key if it
    /// sends one the route accepts (a refusal goes through `reject`), else, if the route
    /// accepts access tokens, the user `token` finds (`token(required)`: the integration's own
    /// token path, which reuses verdicts); `Ok(None)` when there is neither and `required` is
    /// false.
    ///
    /// # Errors
    ///
    /// The rejection of the credential found, or of a missing one (`missing_token`) when
    /// `required`.
    pub async fn principal<E, F, Fut>(
        &self,
        headers: &HeaderMap,
        required: bool,
        reject: impl FnOnce(Rejection) -> E,
        token: F,
    ) -> Result<Option<Principal>, E>
    where
        F: FnOnce(bool) -> Fut,
        Fut: Future<Output = Result<Option<VerifiedUser>, E>>,
    {
        let principal = match self.authenticate_api_key(headers).await {
            Some(Ok(key)) => Some(Principal::ApiKey(key)),
            Some(Err(rejection)) => return Err(reject(rejection)),
            None if self.accepted.accepts_access_tokens() => {
                token(required).await?.map(Principal::AccessToken)
            }
            None => None,
        };
        match principal {
            None if required => Err(reject(Rejection::missing_token())),
            principal => Ok(principal),
        }
    }

    /// Authenticates the request without reusing any earlier verdict (for integrations that
    /// keep none): its API key if it sends one the route accepts, else its access token if the
    /// route accepts those; `Ok(None)` when it sends neither.
    ///
    /// # Errors
    ///
    /// The [`Rejection`] of the credential found.
    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<Option<Principal>, Rejection> {
        let tokens = |_| self.tokens.authenticate(headers);
        self.principal(headers, false, |r| r, tokens).await
    }
}

impl fmt::Debug for CredentialAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialAuth")
            .field("tokens", &self.tokens)
            .field("has_api_key_verifier", &self.api_keys.is_some())
            .field("accepted", &self.accepted)
            .finish()
    }
}
