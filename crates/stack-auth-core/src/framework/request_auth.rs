//! [`RequestAuth`]: how one framework configuration authenticates a request: read the token
//! from its sources, reuse a verdict that covers exactly that token or verify it, and check the
//! user type.

use std::{fmt, sync::Arc};

use http::HeaderMap;

use crate::{
    extract_token_from, MisconfigKind, Misconfiguration, Refusal, RefusalReason, TokenSources,
    TokenVerifier, UserTypes, VerifiedUser, VerifyError,
};

use super::{
    verdicts::{Extraction, Verdict},
    Outcome, Rejection, Verdicts,
};

/// A verifier (or none, to only reuse verdicts), the user types let in, and the token sources:
/// the framework-neutral half of the axum crate's and the actix-web crate's `StackAuth`.
///
/// ```
/// use std::sync::{atomic::{AtomicUsize, Ordering}, Arc};
/// use http::HeaderMap;
/// use stack_auth_core::{
///     async_trait, framework::{RequestAuth, Verdicts}, TokenVerifier, UserType, UserTypes,
///     VerifiedUser, VerifyError,
/// };
///
/// /// Accepts every token as an anonymous user, and counts the calls.
/// #[derive(Debug, Default)]
/// struct Anonymous(AtomicUsize);
///
/// #[async_trait]
/// impl TokenVerifier for Anonymous {
///     async fn verify(&self, _token: &str) -> Result<VerifiedUser, VerifyError> {
///         self.0.fetch_add(1, Ordering::SeqCst);
///         Ok(VerifiedUser::new("u1", "p1", UserType::Anonymous, None))
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let verifier = Arc::new(Anonymous::default());
/// let mut headers = HeaderMap::new();
/// headers.insert("x-stack-access-token", "eyJ.a.b".parse().unwrap());
///
/// // An outer middleware lets anyone with a valid token in, and records its verdict ...
/// let outer = RequestAuth::new(verifier.clone());
/// let mut verdicts = Verdicts::new();
/// let outcome = outer.authenticate_request(&headers, Some(&verdicts), ()).await;
/// outcome.record(Some(&mut verdicts));
/// assert!(outcome.into_required().is_ok());
///
/// // ... which an inner route that refuses anonymous users reuses: one verification.
/// let inner = RequestAuth::new(verifier.clone()).require(UserTypes::NORMAL_ONLY);
/// let outcome = inner.authenticate_request(&headers, Some(&verdicts), ()).await;
/// assert_eq!(outcome.into_required().unwrap_err().status(), 403);
/// assert_eq!(verifier.0.load(Ordering::SeqCst), 1);
/// # });
/// ```
#[derive(Clone)]
pub struct RequestAuth {
    verifier: Option<Arc<dyn TokenVerifier>>,
    required: UserTypes,
    /// Where tokens are read from; `None`: every source, and for a verifier-less
    /// [`RequestAuth::reusing`], whatever the verdict it reuses was reached on.
    sources: Option<TokenSources>,
}

impl RequestAuth {
    /// Authentication with `verifier`, letting in every user type it accepts, reading every
    /// token source.
    pub fn new(verifier: Arc<dyn TokenVerifier>) -> Self {
        RequestAuth {
            verifier: Some(verifier),
            required: UserTypes::ALL,
            sources: None,
        }
    }

    /// Authentication without a verifier: it reuses what a middleware in front found, and is
    /// [misconfigured](VerifyError::Misconfigured) when there is none.
    pub fn reusing() -> Self {
        RequestAuth {
            verifier: None,
            required: UserTypes::ALL,
            sources: None,
        }
    }

    /// Lets in only users of these types; others are refused as
    /// [`UserTypeNotAllowed`](RefusalReason::UserTypeNotAllowed) (403). This narrows what the
    /// verifier accepts, it cannot widen it.
    #[must_use]
    pub fn require(mut self, user_types: UserTypes) -> Self {
        self.required = user_types;
        self
    }

    /// Reads the token only from `sources` (default: all of them). A verdict recorded by
    /// another configuration is reused only if reading the request from `sources` picks the
    /// very token it was reached on, from the same source.
    #[must_use]
    pub fn token_sources(mut self, sources: TokenSources) -> Self {
        self.sources = Some(sources);
        self
    }

    /// The verifier, unless this is [`RequestAuth::reusing`].
    pub fn verifier(&self) -> Option<&Arc<dyn TokenVerifier>> {
        self.verifier.as_ref()
    }

    /// The user types let in.
    pub fn required_user_types(&self) -> UserTypes {
        self.required
    }

    /// The token sources set with [`token_sources`](Self::token_sources), if any.
    pub fn sources(&self) -> Option<TokenSources> {
        self.sources
    }

    /// Reads the token from `headers` and verifies it, reusing nothing: `Ok(None)` when no
    /// token was sent.
    ///
    /// # Errors
    ///
    /// A [`Rejection`] when a token header cannot be read, the token is refused, its user type
    /// is not let in, or the verifier is unavailable, misconfigured or missing.
    pub async fn authenticate(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<VerifiedUser>, Rejection> {
        let Some(verifier) = &self.verifier else {
            return Err(no_verifier(NO_VERIFIER));
        };
        let extracted = extract_token_from(headers, self.sources.unwrap_or(TokenSources::ALL));
        identify(verifier, &extracted)
            .await?
            .map(|user| check_user_type(self.required, user))
            .transpose()
    }

    /// Authenticates a request whose earlier verdicts are `verdicts`: reuses the innermost one
    /// this configuration may reuse (see [`Verdicts`]), else reaches one now, with `data`
    /// recorded beside it. Store it with [`Outcome::record`].
    ///
    /// A verdict is reused only by the verifier that produced it (an inner configuration with
    /// another verifier, say REST behind JWKS, verifies again), and only if this
    /// configuration's token sources pick the token it was reached on. A
    /// [`reusing`](Self::reusing) configuration reuses the latest verdict its sources allow.
    pub async fn authenticate_request<T: Clone>(
        &self,
        headers: &HeaderMap,
        verdicts: Option<&Verdicts<T>>,
        data: T,
    ) -> Outcome<T> {
        let sources = match (&self.verifier, self.sources) {
            (_, Some(sources)) => Some(sources),
            (Some(_), None) => Some(TokenSources::ALL),
            (None, None) => None,
        };
        let extracted = sources.map(|s| extract_token_from(headers, s));
        let found = verdicts.and_then(|v| v.find(self.verifier.as_ref(), extracted.as_ref()));
        let (verdict, record) = match (found, extracted) {
            (Some(verdict), _) => return Outcome::reused(verdict, self.required),
            (None, Some(extracted)) => {
                let result = match &self.verifier {
                    Some(verifier) => identify(verifier, &extracted).await,
                    None => without_verifier(&extracted, verdicts.is_some_and(|v| !v.is_empty())),
                };
                let verdict = Verdict {
                    verifier: self.verifier.clone(),
                    extracted,
                    result,
                    data,
                };
                (verdict, true)
            }
            (None, None) => {
                let verdict = Verdict {
                    verifier: None,
                    extracted: Ok(None),
                    result: Err(no_verifier(NO_VERIFIER)),
                    data,
                };
                (verdict, false)
            }
        };
        Outcome::reached(Arc::new(verdict), record, self.required)
    }
}

const NO_VERIFIER: &str = "no verifier configured and no authentication middleware in front";

/// Verifies the token `extracted` found (`Ok(None)`: there was none).
async fn identify(
    verifier: &Arc<dyn TokenVerifier>,
    extracted: &Extraction,
) -> Result<Option<VerifiedUser>, Rejection> {
    match extracted {
        Ok(Some(token)) => verifier
            .verify(token.as_str())
            .await
            .map(Some)
            .map_err(Rejection::from),
        Ok(None) => Ok(None),
        Err(error) => Err(error.clone().into()),
    }
}

/// What a configuration without a verifier can say about `extracted`, which no recorded verdict
/// covers: no token, an unreadable one, or (for a token no middleware in front verified) a
/// misconfiguration.
fn without_verifier(
    extracted: &Extraction,
    any_verdict: bool,
) -> Result<Option<VerifiedUser>, Rejection> {
    if !any_verdict {
        return Err(no_verifier(NO_VERIFIER));
    }
    match extracted {
        Ok(None) => Ok(None),
        Err(error) => Err(error.clone().into()),
        Ok(Some(_)) => Err(no_verifier(
            "no authentication middleware in front verified the token this route reads",
        )),
    }
}

/// The rejection of a configuration that has no verifier for the request.
fn no_verifier(detail: &'static str) -> Rejection {
    let error = Misconfiguration::new(MisconfigKind::UnexpectedError).with_detail(detail);
    VerifyError::from(error).into()
}

/// `user`, if its type is in `required`.
pub(super) fn check_user_type(
    required: UserTypes,
    user: VerifiedUser,
) -> Result<VerifiedUser, Rejection> {
    if required.contains(user.user_type()) {
        return Ok(user);
    }
    let refusal = Refusal::new(RefusalReason::UserTypeNotAllowed)
        .with_detail(format!("{} users are not allowed", user.user_type()));
    Err(VerifyError::from(refusal).into())
}

impl fmt::Debug for RequestAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestAuth")
            .field("has_verifier", &self.verifier.is_some())
            .field("required", &self.required)
            .field("sources", &self.sources)
            .finish()
    }
}
