//! [`TokenBuilder`]: one access token, valid by default, with options for tests.

use std::time::Duration;

use serde_json::{json, Value};
use stack_auth_core::{ServerUser, StackAuthConfig, UserType};

use crate::claims::{payload, to_legacy, PayloadParts};
use crate::ids::random_uuid;
use crate::jose::OrderedJson;
use crate::keys::DerivedKey;
use crate::{Breakage, TokenMinter};

mod signing;

use signing::{attacker_key, post_signing, sign};

/// Which published key signs a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum KeyChoice {
    /// The key Stack Auth (or the stand-in, after `set_signing_scheme`) signs with now.
    #[default]
    Current,
    /// The other published key of the same audience.
    Other,
}

/// One access token for one user; [`TokenBuilder::mint`] signs it. Created by
/// [`TokenMinter::token`] or `LocalStackAuth::token`.
///
/// ```
/// use std::time::Duration;
/// use stack_auth_testkit::{Breakage, KeyChoice, TokenMinter, UserSpec};
///
/// let minter = TokenMinter::new("c2VjcmV0", "http://127.0.0.1:8102", "internal")?;
/// let user = minter.user(UserSpec::normal())?;
/// let short = minter.token(&user).expires_in(Duration::from_secs(30)).mint();
/// let other_key = minter.token(&user).signed_by(KeyChoice::Other).mint();
/// let forged = minter.token(&user).broken(Breakage::WrongKey).mint();
/// let legacy = minter.token(&user).legacy_claims().extra_claim("plan", "pro").mint();
/// # let _ = (short, other_key, forged, legacy);
/// # Ok::<(), stack_auth_testkit::TestkitError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct TokenBuilder {
    minter: TokenMinter,
    user: ServerUser,
    session_id: Option<String>,
    issued_at: Option<i64>,
    expires_at: Option<i64>,
    lifetime: Option<Duration>,
    legacy: bool,
    claims: Vec<(String, Option<Value>)>,
    key: KeyChoice,
    breakage: Option<Breakage>,
    issuer_origin: Option<String>,
    on_mint: Option<MintHook>,
}

/// Told `(user_id, session_id)` when a token without breakage is minted: the stand-in records
/// the token's session.
#[derive(Clone)]
pub(crate) struct MintHook(pub(crate) std::sync::Arc<MintFn>);

/// `(user_id, session_id)`.
pub(crate) type MintFn = dyn Fn(&str, &str) + Send + Sync;

impl std::fmt::Debug for MintHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MintHook")
    }
}

impl TokenBuilder {
    pub(crate) fn new(minter: TokenMinter, user: ServerUser) -> Self {
        TokenBuilder {
            minter,
            user,
            session_id: None,
            issued_at: None,
            expires_at: None,
            lifetime: None,
            legacy: false,
            claims: Vec::new(),
            key: KeyChoice::Current,
            breakage: None,
            issuer_origin: None,
            on_mint: None,
        }
    }

    /// Calls `hook` when the token is minted without breakage.
    pub(crate) fn on_mint(mut self, hook: MintHook) -> Self {
        self.on_mint = Some(hook);
        self
    }

    /// The session (`refresh_token_id`) the token claims to come from (default: a new UUID).
    pub fn session_id(mut self, id: impl Into<String>) -> Self {
        self.session_id = Some(id.into());
        self
    }

    /// `iat`, Unix seconds (default: the minter's clock).
    pub fn issued_at(mut self, unix_seconds: i64) -> Self {
        self.issued_at = Some(unix_seconds);
        self
    }

    /// `exp` = `iat` + `lifetime` (default lifetime: the minter's, 10 minutes).
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.lifetime = Some(lifetime);
        self.expires_at = None;
        self
    }

    /// `exp`, Unix seconds (may be in the past).
    pub fn expires_at(mut self, unix_seconds: i64) -> Self {
        self.expires_at = Some(unix_seconds);
        self
    }

    /// Uses the camelCase claim names of tokens minted before 2025-09-14 (PROTOCOL §1.6). Only
    /// normal and anonymous users existed then: a restricted user's legacy token is
    /// inconsistent.
    pub fn legacy_claims(mut self) -> Self {
        self.legacy = true;
        self
    }

    /// Sets a claim (adds one, or overrides a standard one in place), after everything else.
    pub fn extra_claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.claims.push((name.into(), Some(value.into())));
        self
    }

    /// Removes a claim.
    pub fn without_claim(mut self, name: impl Into<String>) -> Self {
        self.claims.push((name.into(), None));
        self
    }

    /// Builds `iss` on `origin` instead of the minter's base URL, as the hosted service stamps
    /// the host the client called (PROTOCOL §9.1): `issuer_origin("https://api.hexclave.com")`
    /// gives `https://api.hexclave.com/api/v1/projects/<pid>` (or the restricted / anonymous
    /// variant). A path is dropped, as the server drops it; a value that is not a URL is used as
    /// it is, so tests can stamp anything. Keys do not depend on the host.
    pub fn issuer_origin(mut self, origin: impl Into<String>) -> Self {
        self.issuer_origin = Some(origin.into());
        self
    }

    /// Which published key signs (default [`KeyChoice::Current`]).
    pub fn signed_by(mut self, key: KeyChoice) -> Self {
        self.key = key;
        self
    }

    /// Breaks the token in the given way (see [`Breakage`]).
    pub fn broken(mut self, breakage: Breakage) -> Self {
        self.breakage = Some(breakage);
        self
    }

    /// The user type the token is for.
    pub fn user_type(&self) -> UserType {
        self.user.user_type()
    }

    /// The payload as it will be signed (before any post-signing breakage), compact JSON.
    pub fn claims_json(&self) -> String {
        self.parts().1.to_json()
    }

    /// Signs and returns the compact JWS.
    pub fn mint(mut self) -> String {
        let session = self.session_id.get_or_insert_with(random_uuid).clone();
        let (mut header, claims, mut key) = self.parts();
        let Some(breakage) = self.breakage else {
            if let Some(hook) = &self.on_mint {
                (hook.0)(&self.user.id, &session);
            }
            return sign(&header, &claims, &key);
        };
        let attacker = attacker_key;
        use Breakage as B;
        match breakage {
            B::WrongKey => {
                let real_kid = key.kid().to_owned();
                key = attacker();
                header.set("kid", json!(real_kid));
            }
            B::UnknownKid => header.set("kid", json!("NoSuchKid123")),
            B::MissingKid => {
                header.remove("kid");
            }
            B::EmbeddedJwk => {
                key = attacker();
                header.set("kid", json!("attacker"));
                let jwk = key.public_jwk();
                header.set(
                    "jwk",
                    json!({"kty": "EC", "x": jwk.x, "y": jwk.y, "crv": "P-256"}),
                );
            }
            B::Jku => {
                key = attacker();
                header.set("kid", json!("attacker2"));
                header.set("jku", json!("https://stack.evil.example/jwks.json"));
            }
            B::CritHeader => {
                header.set("crit", json!(["x-unknown"]));
                header.set("x-unknown", json!(true));
            }
            other => return self.finish_other(other, header, claims, key),
        }
        sign(&header, &claims, &key)
    }

    fn finish_other(
        &self,
        breakage: Breakage,
        mut header: OrderedJson,
        mut claims: OrderedJson,
        key: DerivedKey,
    ) -> String {
        if breakage == Breakage::AnonymousClaimOnNormalAudience {
            let m = &self.minter;
            let normal = m.signing_key(UserType::Normal).clone();
            claims.set("is_anonymous", json!(true));
            claims.set("is_restricted", json!(true));
            claims.set("restricted_reason", json!({"type": "anonymous"}));
            claims.set("iss", json!(self.issuer(UserType::Normal)));
            claims.set("aud", json!(m.audience(UserType::Normal)));
            header.set("kid", json!(normal.kid()));
            return sign(&header, &claims, &normal);
        }
        if self.break_claims(breakage, &mut claims) {
            sign(&header, &claims, &key)
        } else {
            post_signing(breakage, &header, &claims, &key)
        }
    }

    /// Breakages that only change claims before a correct signature; false for the others.
    fn break_claims(&self, breakage: Breakage, claims: &mut OrderedJson) -> bool {
        use Breakage as B;
        let m = &self.minter;
        match breakage {
            B::Expired => {
                let iat = m.clock().unix_secs() - 70 * 60;
                claims.set("iat", json!(iat));
                claims.set("exp", json!(iat + 600));
            }
            B::IssuerOfOtherDeployment => {
                let iss = format!(
                    "https://stack.evil.example/api/v1/projects/{}",
                    m.project_id()
                );
                claims.set("iss", json!(iss));
            }
            B::IssuerVariantMismatch => {
                let variant = match self.user_type() {
                    UserType::Normal => UserType::Restricted,
                    _ => UserType::Normal,
                };
                claims.set("iss", json!(self.issuer(variant)));
            }
            B::AudienceOfOtherProject => claims.set("aud", json!(random_uuid())),
            B::AudienceAsArray => {
                let aud = claims.get("aud").cloned().unwrap_or(Value::Null);
                claims.set("aud", json!([aud]));
            }
            B::BranchNotMain => claims.set("branch_id", json!("dev")),
            B::RestrictedWithoutReason => {
                claims.set("is_restricted", json!(true));
                claims.set("restricted_reason", Value::Null);
            }
            B::MissingSub => drop(claims.remove("sub")),
            B::ExpAsString => {
                let exp = claims
                    .get("exp")
                    .map(ToString::to_string)
                    .unwrap_or_default();
                claims.set("exp", json!(exp));
            }
            B::MissingExp => drop(claims.remove("exp")),
            B::Huge => claims.set("padding", json!("A".repeat(150_000))),
            _ => return false,
        }
        true
    }

    /// The `iss` of `user_type`: the minter's, or built on [`issuer_origin`](Self::issuer_origin).
    fn issuer(&self, user_type: UserType) -> String {
        let m = &self.minter;
        let Some(origin) = &self.issuer_origin else {
            return m.issuer(user_type).to_owned();
        };
        let built = StackAuthConfig::builder(m.project_id())
            .base_url(origin.as_str())
            .allow_insecure_http(true)
            .build();
        match built {
            Ok(config) => config.issuer(user_type).to_owned(),
            Err(_) => format!(
                "{}/api/v1/projects{}/{}",
                origin.trim_end_matches('/'),
                user_type.issuer_suffix(),
                m.project_id()
            ),
        }
    }

    /// The header, payload and signing key, with every option but the breakage applied.
    fn parts(&self) -> (OrderedJson, OrderedJson, DerivedKey) {
        let m = &self.minter;
        let user_type = self.user_type();
        let iat = self.issued_at.unwrap_or_else(|| m.clock().unix_secs());
        let lifetime = self.lifetime.unwrap_or(m.lifetime());
        let exp = self.expires_at.unwrap_or_else(|| {
            iat.saturating_add(i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX))
        });
        let session = self.session_id.clone().unwrap_or_else(random_uuid);
        let issuer = self.issuer(user_type);
        let mut claims = payload(
            &self.user,
            &PayloadParts {
                project_id: m.project_id(),
                session_id: &session,
                issuer: &issuer,
                audience: m.audience(user_type),
                iat,
                exp,
            },
        );
        if self.legacy {
            to_legacy(&mut claims);
        }
        for (name, value) in &self.claims {
            match value {
                Some(v) => claims.set(name, v.clone()),
                None => {
                    claims.remove(name);
                }
            }
        }
        let scheme = match self.key {
            KeyChoice::Current => m.signing_scheme(),
            KeyChoice::Other => m.signing_scheme().other(),
        };
        let key = m.key(user_type, scheme).clone();
        let mut header = OrderedJson::default();
        header.set("alg", json!("ES256"));
        header.set("kid", json!(key.kid()));
        (header, claims, key)
    }
}
