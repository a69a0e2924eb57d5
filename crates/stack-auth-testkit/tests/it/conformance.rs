//! The conformance suite against small verifiers written here, independent of this
//! workspace's verifier crates: one checks JWTs locally with `jsonwebtoken`, one asks users/me.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use async_trait::async_trait;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;
use stack_auth_core::{
    AccessTokenClaims, MisconfigKind, Misconfiguration, RefusalReason, ServerUser, StackAuthConfig,
    TokenVerifier, Unavailable, UnavailableKind, Upstream, UserType, UserTypes, VerifiedUser,
    VerifyError,
};
use stack_auth_testkit::conformance::{self, Capabilities, Outcome};
use stack_auth_testkit::LocalStackAuth;

fn refuse(reason: RefusalReason) -> VerifyError {
    VerifyError::refused(reason)
}

fn padded(c: &str) -> String {
    let raw = URL_SAFE_NO_PAD.decode(c).unwrap();
    let mut full = vec![0u8; 32 - raw.len()];
    full.extend(raw);
    URL_SAFE_NO_PAD.encode(full)
}

/// A local verifier: keys from the JWKS (fetched once), `jsonwebtoken` for the ES256 check,
/// core's claim types for the Stack Auth rules.
#[derive(Debug)]
struct JwtVerifier {
    config: StackAuthConfig,
    keys: HashMap<String, DecodingKey>,
}

impl JwtVerifier {
    async fn new(config: StackAuthConfig) -> Self {
        let url = format!("{}?include_anonymous=true", config.jwks_url());
        let jwks: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
        let keys = jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| {
                let key = DecodingKey::from_ec_components(
                    &padded(k["x"].as_str().unwrap()),
                    &padded(k["y"].as_str().unwrap()),
                );
                (k["kid"].as_str().unwrap().to_owned(), key.unwrap())
            })
            .collect();
        JwtVerifier { config, keys }
    }

    fn check(&self, token: &str) -> Result<VerifiedUser, VerifyError> {
        use RefusalReason as R;
        let parts: Vec<&str> = token.split('.').collect();
        let (true, [h, p, s]) = (token.len() <= 16 * 1024, parts.as_slice()) else {
            return Err(refuse(R::Malformed));
        };
        let header: Value = URL_SAFE_NO_PAD
            .decode(h)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .filter(Value::is_object)
            .ok_or(refuse(R::Malformed))?;
        if header["alg"] != "ES256" {
            return Err(refuse(R::UnsupportedAlgorithm));
        }
        if header.get("crit").is_some() {
            return Err(refuse(R::Malformed));
        }
        let kid = header["kid"].as_str().ok_or(refuse(R::Malformed))?;
        let key = self.keys.get(kid).ok_or(refuse(R::UnknownKey))?;
        let message = format!("{h}.{p}");
        if !jsonwebtoken::crypto::verify(s, message.as_bytes(), key, Algorithm::ES256)
            .unwrap_or(false)
        {
            return Err(refuse(R::BadSignature));
        }
        let payload = URL_SAFE_NO_PAD
            .decode(p)
            .map_err(|_| refuse(R::Malformed))?;
        let claims = AccessTokenClaims::from_json_slice(&payload)?;
        if claims.exp <= jsonwebtoken::get_current_timestamp() as i64 {
            return Err(refuse(R::Expired));
        }
        let user_type = self
            .config
            .user_type_for_audience(&claims.aud)
            .ok_or(refuse(R::WrongAudience))?;
        if !self.config.accepts_issuer(user_type, &claims.iss) {
            return Err(refuse(R::WrongIssuer));
        }
        claims.check_consistency()?;
        if !self.config.accepts(user_type) {
            return Err(refuse(R::UserTypeNotAllowed));
        }
        Ok(VerifiedUser::from_claims(claims))
    }
}

#[async_trait]
impl TokenVerifier for JwtVerifier {
    async fn verify(&self, token: &str) -> Result<VerifiedUser, VerifyError> {
        self.check(token)
    }
}

/// A remote verifier: asks users/me with server access, lets the server accept every user
/// type and filters locally, like the JS SDK.
#[derive(Debug)]
struct UsersMeVerifier {
    config: StackAuthConfig,
    key: stack_auth_core::SecretServerKey,
    client: reqwest::Client,
}

#[async_trait]
impl TokenVerifier for UsersMeVerifier {
    async fn verify(&self, token: &str) -> Result<VerifiedUser, VerifyError> {
        let unavailable = |kind| VerifyError::from(Unavailable::new(Upstream::Api, kind));
        let res = self
            .client
            .get(self.config.users_me_url())
            .header("x-stack-access-type", "server")
            .header("x-stack-project-id", self.config.project_id())
            .header("x-stack-secret-server-key", self.key.expose())
            .header("x-stack-allow-anonymous-user", "true")
            .header("x-stack-access-token", token)
            .send()
            .await
            .map_err(|_| unavailable(UnavailableKind::Connect))?;
        let status = res.status().as_u16();
        let code = res
            .headers()
            .get("x-stack-known-error")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = res
            .text()
            .await
            .map_err(|_| unavailable(UnavailableKind::InvalidResponse))?;
        match (status, code.as_deref()) {
            (200, None) => {
                let user: ServerUser = serde_json::from_str(&body)
                    .map_err(|_| unavailable(UnavailableKind::InvalidResponse))?;
                if !self.config.accepts(user.user_type()) {
                    return Err(refuse(RefusalReason::UserTypeNotAllowed));
                }
                Ok(VerifiedUser::from_profile(self.config.project_id(), user))
            }
            (_, Some("UNPARSABLE_ACCESS_TOKEN")) => Err(refuse(RefusalReason::Unparsable)),
            (_, Some("ACCESS_TOKEN_EXPIRED")) => Err(refuse(RefusalReason::Expired)),
            (_, Some("INVALID_PROJECT_FOR_ACCESS_TOKEN")) => {
                Err(refuse(RefusalReason::WrongProject))
            }
            (_, Some("CANNOT_GET_OWN_USER_WITHOUT_USER")) => {
                Err(refuse(RefusalReason::UserNotFound))
            }
            (s, _) if s >= 500 => Err(unavailable(UnavailableKind::ServerError)),
            _ => Err(Misconfiguration::new(MisconfigKind::UnexpectedError).into()),
        }
    }
}

async fn local(stack: &LocalStackAuth, accepted: UserTypes) -> JwtVerifier {
    JwtVerifier::new(
        stack
            .config_builder()
            .accepted_user_types(accepted)
            .build()
            .unwrap(),
    )
    .await
}

fn remote(stack: &LocalStackAuth, accepted: UserTypes) -> UsersMeVerifier {
    UsersMeVerifier {
        config: stack
            .config_builder()
            .accepted_user_types(accepted)
            .build()
            .unwrap(),
        key: stack.secret_server_key(),
        client: reqwest::Client::new(),
    }
}

#[tokio::test]
async fn a_local_jwt_verifier_passes_for_every_accepted_set() {
    for accepted in [
        UserTypes::ALL,
        UserTypes::NORMAL_ONLY,
        UserTypes::NORMAL_ONLY.with(UserType::Restricted),
    ] {
        let stack = LocalStackAuth::start().await.unwrap();
        let verifier = local(&stack, accepted).await;
        let report = conformance::run(&verifier, &stack, Capabilities::local(accepted)).await;
        report.assert_passed();
        assert!(report.cases.len() >= 40, "{report}");
        let deleted = report.case("deleted-user").unwrap();
        assert!(
            matches!(deleted.got, Outcome::Accepted { .. }),
            "a JWT cannot know deletions"
        );
        let anon = report.case("anonymous-user").unwrap();
        let expect_anon = accepted.contains(UserType::Anonymous);
        assert_eq!(
            matches!(anon.got, Outcome::Accepted { .. }),
            expect_anon,
            "{accepted:?}"
        );
    }
}

#[tokio::test]
async fn a_users_me_verifier_passes_and_knows_deletions() {
    for accepted in [UserTypes::ALL, UserTypes::NORMAL_ONLY] {
        let stack = LocalStackAuth::start().await.unwrap();
        let verifier = remote(&stack, accepted);
        let report = conformance::run(&verifier, &stack, Capabilities::remote(accepted)).await;
        report.assert_passed();
        let deleted = report.case("deleted-user").unwrap();
        assert_eq!(deleted.got, Outcome::Refused(RefusalReason::UserNotFound));
        let other = report.case("token-of-other-project").unwrap();
        assert_eq!(other.got, Outcome::Refused(RefusalReason::WrongProject));
    }
}

#[tokio::test]
async fn strategies_are_told_apart() {
    let stack = LocalStackAuth::start().await.unwrap();
    let verifier = remote(&stack, UserTypes::ALL);
    let report = conformance::run(&verifier, &stack, Capabilities::local(UserTypes::ALL)).await;
    assert!(!report.passed(), "users/me cannot give the local reasons");
    assert!(report
        .failures()
        .iter()
        .any(|c| c.name == "attacker-key-real-kid"));
}

/// Decodes the payload without checking anything: what the suite must catch.
#[derive(Debug)]
struct Sloppy;

#[async_trait]
impl TokenVerifier for Sloppy {
    async fn verify(&self, token: &str) -> Result<VerifiedUser, VerifyError> {
        let payload = token
            .split('.')
            .nth(1)
            .and_then(|p| URL_SAFE_NO_PAD.decode(p).ok())
            .ok_or(refuse(RefusalReason::Malformed))?;
        Ok(VerifiedUser::from_claims(
            AccessTokenClaims::from_json_slice(&payload)?,
        ))
    }
}

#[tokio::test]
async fn a_sloppy_verifier_fails_with_a_readable_table() {
    let stack = LocalStackAuth::start().await.unwrap();
    let report =
        conformance::run(&Sloppy, &stack, Capabilities::local(UserTypes::NORMAL_ONLY)).await;
    let failed: Vec<&str> = report.failures().iter().map(|c| c.name.as_str()).collect();
    for must_fail in [
        "attacker-key-real-kid",
        "tampered-payload",
        "expired",
        "alg-none",
        "restricted-email-not-verified",
    ] {
        assert!(
            failed.contains(&must_fail),
            "{must_fail} not caught:\n{report}"
        );
    }
    assert!(report.case("normal-user").unwrap().passed());
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| report.assert_passed()))
        .unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("FAIL")
            && message.contains("attacker-key-real-kid")
            && message.contains("refused bad_signature"),
        "{message}"
    );
}
