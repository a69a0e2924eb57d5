//! The servers of the HTTP benchmark (`http_server <kind>`): one trivial JSON handler behind
//! no auth, the JWKS verifier (token cache on or off) or the composite verifier, plus an
//! unauthenticated `/_stats` route for the harness.

use std::{sync::Arc, time::Duration};

use axum::{routing::get, Json, Router};
use serde_json::{json, Value};
use stack_auth_axum::{StackAuthLayer, StackUser};
use stack_auth_composite::CompositeVerifier;
use stack_auth_core::TokenVerifier;
use stack_auth_jwks::{JwksVerifier, JwksVerifierBuilder};

use crate::{BenchError, FetchWaitCounts, HttpSetup};

/// Which server to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    /// `plain`: axum without auth (the ceiling).
    Plain,
    /// `jwks`: `StackAuthLayer` with a default `JwksVerifier` (verified-token cache on).
    Jwks,
    /// `jwks-no-cache`: the same with the token cache off (every request checks a signature).
    JwksNoCache,
    /// `composite`: `StackAuthLayer` with the default composite wiring (JWT, then the profile
    /// from the REST verifier's cache).
    Composite,
    /// `jwks-tail`: `jwks` with short key set lifetimes ([`TAIL_TIMINGS`]), so refreshes happen
    /// while it is measured, and the fetch waits counted.
    JwksTail,
}

impl std::str::FromStr for ServerKind {
    type Err = BenchError;

    fn from_str(s: &str) -> Result<ServerKind, BenchError> {
        Ok(match s {
            "plain" => ServerKind::Plain,
            "jwks" => ServerKind::Jwks,
            "jwks-no-cache" => ServerKind::JwksNoCache,
            "composite" => ServerKind::Composite,
            "jwks-tail" => ServerKind::JwksTail,
            other => return Err(format!("unknown server kind {other:?}").into()),
        })
    }
}

/// Key set timings of [`ServerKind::JwksTail`].
#[derive(Debug, Clone, Copy)]
pub struct TailTimings {
    /// `min_ttl`.
    pub min_ttl: Duration,
    /// `max_ttl`: caps the stand-in's `max-age=3600`, so the set is refreshed while measured.
    pub max_ttl: Duration,
    /// `refresh_ahead`: a background refresh starts this long before expiry.
    pub refresh_ahead: Duration,
    /// `timeout`: a fetch is given up after this long.
    pub timeout: Duration,
    /// `retry_after_error`.
    pub retry_after_error: Duration,
    /// `unknown_kid_cooldown`.
    pub unknown_kid_cooldown: Duration,
}

/// The timings of [`ServerKind::JwksTail`]: fresh for 3 s, refreshed in the background from
/// 1 s before expiry, a fetch given up after 2 s, retried 1 s after a failure.
pub const TAIL_TIMINGS: TailTimings = TailTimings {
    min_ttl: Duration::from_secs(1),
    max_ttl: Duration::from_secs(3),
    refresh_ahead: Duration::from_secs(1),
    timeout: Duration::from_secs(2),
    retry_after_error: Duration::from_secs(1),
    unknown_kid_cooldown: Duration::from_secs(1),
};

impl TailTimings {
    fn apply(&self, builder: JwksVerifierBuilder) -> JwksVerifierBuilder {
        builder
            .min_ttl(self.min_ttl)
            .max_ttl(self.max_ttl)
            .refresh_ahead(self.refresh_ahead)
            .timeout(self.timeout)
            .retry_after_error(self.retry_after_error)
            .unknown_kid_cooldown(self.unknown_kid_cooldown)
    }

    /// The timings in milliseconds, by setting name.
    pub fn to_json(&self) -> Value {
        let ms = |d: Duration| d.as_millis() as u64;
        json!({
            "min_ttl": ms(self.min_ttl),
            "max_ttl": ms(self.max_ttl),
            "refresh_ahead": ms(self.refresh_ahead),
            "timeout": ms(self.timeout),
            "retry_after_error": ms(self.retry_after_error),
            "unknown_kid_cooldown": ms(self.unknown_kid_cooldown),
        })
    }
}

/// The router of `kind` for the stand-in of `setup`, its verifier warmed: the key set fetched
/// and every token of the setup verified once (so the caches hold them).
///
/// # Errors
///
/// When a verifier cannot be built, or a token of the setup does not verify.
pub async fn app(
    kind: ServerKind,
    setup: &HttpSetup,
    waits: Option<Arc<FetchWaitCounts>>,
) -> Result<Router, BenchError> {
    let config = setup.config()?;
    let (verifier, jwks): (Arc<dyn TokenVerifier>, JwksVerifier) = match kind {
        ServerKind::Plain => {
            let app = Router::new().route("/", get(|| async { Json(json!({"user_id": null})) }));
            return Ok(with_stats(app, None, None));
        }
        ServerKind::Jwks => {
            let v = JwksVerifier::builder_with_config(config).build()?;
            (Arc::new(v.clone()), v)
        }
        ServerKind::JwksNoCache => {
            let v = JwksVerifier::builder_with_config(config)
                .disable_token_cache()
                .build()?;
            (Arc::new(v.clone()), v)
        }
        ServerKind::JwksTail => {
            let v = TAIL_TIMINGS
                .apply(JwksVerifier::builder_with_config(config))
                .build()?;
            (Arc::new(v.clone()), v)
        }
        ServerKind::Composite => {
            let v = CompositeVerifier::from_config(config, setup.secret_server_key())?;
            let jwks = v.jwt_verifier().clone();
            (Arc::new(v), jwks)
        }
    };
    jwks.prefetch().await?;
    for token in &setup.tokens {
        verifier
            .verify(token)
            .await
            .map_err(|e| format!("a token of the setup did not verify: {e}"))?;
    }
    let app = Router::new()
        .route("/", get(hello))
        .layer(StackAuthLayer::new(verifier));
    Ok(with_stats(app, Some(jwks), waits))
}

/// The handler behind the auth layer.
async fn hello(user: StackUser) -> Json<Value> {
    Json(json!({ "user_id": user.user_id() }))
}

/// Adds `/_stats` (outside any auth layer): the JWKS verifier's counters and the fetch waits.
fn with_stats(
    app: Router,
    jwks: Option<JwksVerifier>,
    waits: Option<Arc<FetchWaitCounts>>,
) -> Router {
    let stats = move || {
        let (jwks, waits) = (jwks.clone(), waits.clone());
        async move { Json(stats(jwks.as_ref(), waits.as_deref())) }
    };
    app.route("/_stats", get(stats))
}

fn stats(jwks: Option<&JwksVerifier>, waits: Option<&FetchWaitCounts>) -> Value {
    let jwks = jwks.map(|v| {
        let s = v.status();
        json!({
            "fetches": s.fetch_count,
            "failed_fetches": s.failed_fetch_count,
            "unknown_kid_refetches": s.unknown_kid_refetch_count,
            "state": format!("{:?}", s.state),
        })
    });
    json!({
        "jwks": jwks,
        "waits": waits.map(FetchWaitCounts::report),
        "tail_timings_ms": TAIL_TIMINGS.to_json(),
    })
}

#[cfg(test)]
mod tests {
    use tower::ServiceExt as _;

    use super::*;

    #[test]
    fn parses_every_kind_and_refuses_others() {
        for (name, kind) in [
            ("plain", ServerKind::Plain),
            ("jwks", ServerKind::Jwks),
            ("jwks-no-cache", ServerKind::JwksNoCache),
            ("composite", ServerKind::Composite),
            ("jwks-tail", ServerKind::JwksTail),
        ] {
            assert_eq!(name.parse::<ServerKind>().unwrap(), kind);
        }
        assert!("jwks-fast".parse::<ServerKind>().is_err());
    }

    #[test]
    fn the_tail_timings_build_a_verifier() {
        let builder = JwksVerifier::builder("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e");
        TAIL_TIMINGS.apply(builder).build().unwrap();
        let stats = stats(None, None);
        assert_eq!(stats["tail_timings_ms"]["timeout"], 2000);
        assert_eq!(stats["tail_timings_ms"]["unknown_kid_cooldown"], 1000);
    }

    async fn get(app: &Router, path: &str, token: Option<&str>) -> (u16, Value) {
        let mut request = http::Request::get(path);
        if let Some(token) = token {
            request = request.header("x-stack-access-token", token);
        }
        let response = app
            .clone()
            .oneshot(request.body(axum::body::Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    #[tokio::test]
    async fn every_kind_answers_tokens_of_the_setup_and_refuses_others() {
        let control = crate::StandInControl::start(2).await.unwrap();
        let setup = control.setup();
        let plain = app(ServerKind::Plain, &setup, None).await.unwrap();
        assert_eq!(get(&plain, "/", None).await.0, 200);
        for kind in [
            ServerKind::Jwks,
            ServerKind::JwksNoCache,
            ServerKind::Composite,
            ServerKind::JwksTail,
        ] {
            let waits = crate::FetchWaits::new().counts();
            let router = app(kind, &setup, Some(waits)).await.unwrap();
            let (status, body) = get(&router, "/", Some(&setup.tokens[1])).await;
            assert_eq!(status, 200, "{kind:?}");
            assert!(body["user_id"].as_str().is_some_and(|id| !id.is_empty()));
            assert_eq!(get(&router, "/", Some("not.a.token")).await.0, 401);
            assert_eq!(get(&router, "/", None).await.0, 401);
            let (status, stats) = get(&router, "/_stats", None).await;
            assert_eq!(status, 200);
            assert_eq!(stats["jwks"]["fetches"], 1, "{kind:?}: {stats}");
            assert_eq!(stats["waits"]["waited"], 0);
        }
    }
}
