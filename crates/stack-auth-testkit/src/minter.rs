//! [`TokenMinter`]: mints access tokens for one project exactly as Stack Auth does, without a
//! server (the stand-in uses one per project).

use std::{fmt, sync::Arc, time::Duration};

use stack_auth_core::{ServerUser, StackAuthConfig, UserType, UserTypes};

use crate::keys::{derive_keys, DerivedKey, KeyScheme, PublicJwk};
use crate::{TestClock, TestkitError, TokenBuilder};

/// Stack Auth's default access-token lifetime (`STACK_ACCESS_TOKEN_EXPIRATION_TIME`, 10 min).
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(600);

/// Mints access tokens for one project of one deployment (server secret + base URL), with the
/// claims, issuer, audience, kids and signatures the real service produces.
///
/// ```
/// use stack_auth_testkit::{TokenMinter, UserSpec};
///
/// let minter = TokenMinter::new(
///     "23-wuNpik0gIW4mruTz25rbIvhuuvZFrLOLtL7J4tyo",
///     "https://api.stack-auth.com",
///     "internal",
/// )?;
/// let user = minter.user(UserSpec::normal())?;
/// let token = minter.mint(&user);
/// assert_eq!(token.split('.').count(), 3);
/// assert!(minter.jwks_json(stack_auth_core::UserTypes::NORMAL_ONLY).contains("M5zZLA6iQw2n"));
/// # Ok::<(), stack_auth_testkit::TestkitError>(())
/// ```
#[derive(Clone)]
pub struct TokenMinter {
    inner: Arc<Inner>,
}

struct Inner {
    config: StackAuthConfig,
    keys: [[DerivedKey; 2]; 3],
    signing: KeyScheme,
    clock: TestClock,
    lifetime: Duration,
}

impl fmt::Debug for TokenMinter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenMinter")
            .field("project_id", &self.project_id())
            .field("base_url", &self.inner.config.base_url())
            .field("signing", &self.inner.signing)
            .finish_non_exhaustive()
    }
}

impl TokenMinter {
    /// A minter for `project_id` of the deployment at `base_url` whose server secret is
    /// `secret`, signing with the key Stack Auth signs with today.
    ///
    /// # Errors
    ///
    /// [`TestkitError::InvalidSecret`] for a secret that is not base64url,
    /// [`TestkitError::Config`] for an invalid project id or base URL.
    pub fn new(
        secret: &str,
        base_url: impl Into<String>,
        project_id: impl Into<String>,
    ) -> Result<Self, TestkitError> {
        TokenMinter::with_options(
            secret,
            base_url,
            project_id,
            KeyScheme::Legacy,
            TestClock::system(),
        )
    }

    /// Like [`TokenMinter::new`], signing with the key of `signing` and reading `clock`.
    ///
    /// # Errors
    ///
    /// As [`TokenMinter::new`].
    pub fn with_options(
        secret: &str,
        base_url: impl Into<String>,
        project_id: impl Into<String>,
        signing: KeyScheme,
        clock: TestClock,
    ) -> Result<Self, TestkitError> {
        let config = StackAuthConfig::builder(project_id)
            .base_url(base_url)
            .allow_insecure_http(true)
            .accepted_user_types(UserTypes::ALL)
            .build()?;
        let keys = [
            derive_keys(secret, config.audience(UserType::Normal))?,
            derive_keys(secret, config.audience(UserType::Restricted))?,
            derive_keys(secret, config.audience(UserType::Anonymous))?,
        ];
        Ok(TokenMinter {
            inner: Arc::new(Inner {
                config,
                keys,
                signing,
                clock,
                lifetime: DEFAULT_TOKEN_LIFETIME,
            }),
        })
    }

    /// A copy whose tokens live `lifetime` by default (default [`DEFAULT_TOKEN_LIFETIME`]).
    #[must_use]
    pub fn with_lifetime(&self, lifetime: Duration) -> Self {
        TokenMinter {
            inner: Arc::new(Inner {
                config: self.inner.config.clone(),
                keys: self.inner.keys.clone(),
                signing: self.inner.signing,
                clock: self.inner.clock.clone(),
                lifetime,
            }),
        }
    }

    /// The project id.
    pub fn project_id(&self) -> &str {
        self.inner.config.project_id()
    }

    /// The configuration a verifier of this project and deployment would use (every user type
    /// accepted; narrow it with the core builder if needed).
    pub fn config(&self) -> &StackAuthConfig {
        &self.inner.config
    }

    /// The `iss` of tokens for `user_type`.
    pub fn issuer(&self, user_type: UserType) -> &str {
        self.inner.config.issuer(user_type)
    }

    /// The `aud` of tokens for `user_type`.
    pub fn audience(&self, user_type: UserType) -> &str {
        self.inner.config.audience(user_type)
    }

    /// The two published keys of `user_type`'s audience, `[legacy, new]`.
    pub fn keys(&self, user_type: UserType) -> &[DerivedKey; 2] {
        &self.inner.keys[user_type as usize]
    }

    /// The scheme whose key signs by default.
    pub fn signing_scheme(&self) -> KeyScheme {
        self.inner.signing
    }

    /// The key of `scheme` for `user_type`.
    pub fn key(&self, user_type: UserType, scheme: KeyScheme) -> &DerivedKey {
        let [legacy, new] = self.keys(user_type);
        match scheme {
            KeyScheme::Legacy => legacy,
            KeyScheme::New => new,
        }
    }

    /// The key that signs `user_type`'s tokens by default.
    pub fn signing_key(&self, user_type: UserType) -> &DerivedKey {
        self.key(user_type, self.inner.signing)
    }

    /// The published keys for the given user types, in Stack Auth's order: per audience
    /// (normal, restricted, anonymous) the signing key first, then the other.
    pub fn public_jwks(&self, user_types: UserTypes) -> Vec<PublicJwk> {
        user_types
            .iter()
            .flat_map(|t| {
                let signing = self.signing_key(t);
                let other = self.key(t, self.inner.signing.other());
                [signing.public_jwk(), other.public_jwk()]
            })
            .collect()
    }

    /// The JWKS document (`{"keys":[…]}`, compact) for the given user types. Stack Auth serves
    /// normal-only by default, normal+restricted for `include_restricted=true`, all three for
    /// `include_anonymous=true`.
    pub fn jwks_json(&self, user_types: UserTypes) -> String {
        #[derive(serde::Serialize)]
        struct Jwks {
            keys: Vec<PublicJwk>,
        }
        let keys = self.public_jwks(user_types);
        serde_json::to_string(&Jwks { keys }).unwrap_or_default()
    }

    /// The clock the minter reads for `iat`.
    pub fn clock(&self) -> &TestClock {
        &self.inner.clock
    }

    /// The default token lifetime.
    pub fn lifetime(&self) -> Duration {
        self.inner.lifetime
    }

    /// Builds a user offline (for minting without a server); the project is taken to require
    /// verified emails.
    ///
    /// # Errors
    ///
    /// [`TestkitError::InvalidUser`] when the spec contradicts itself.
    pub fn user(&self, spec: crate::UserSpec) -> Result<ServerUser, TestkitError> {
        spec.build(true, self.inner.clock.now_millis())
    }

    /// Starts a token for `user` (options: expiry, legacy claims, extra claims, key, breakage).
    pub fn token(&self, user: &ServerUser) -> TokenBuilder {
        TokenBuilder::new(self.clone(), user.clone())
    }

    /// A valid token for `user`, as Stack Auth would mint it now.
    pub fn mint(&self, user: &ServerUser) -> String {
        self.token(user).mint()
    }
}
