//! Helpers shared by the integration tests: a mockito users/me, tokens with a readable `exp`,
//! raw TCP servers that hang or drop, and a verifier builder tuned for fast tests.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use stack_auth_core::{UnavailableKind, VerifyError};
use stack_auth_rest::{CircuitBreakerPolicy, RestVerifier, RestVerifierBuilder, RetryPolicy};
use tokio::{io::AsyncReadExt, net::TcpListener};

pub const PID: &str = "3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e";
pub const KEY: &str = "ssk_wire_test_secret_key_123";
pub const PATH: &str = "/api/v1/users/me";

/// The §3.4 example profile, plus a field this SDK does not know.
pub const PROFILE: &str = r#"{
  "id": "3241a285-8329-4d69-8f3d-316e08cf140c",
  "primary_email": "johndoe@example.com",
  "primary_email_verified": true,
  "primary_email_auth_enabled": true,
  "display_name": "John Doe",
  "selected_team": {"id": "7b1c5e0a-2d3f-4a5b-8c9d-0e1f2a3b4c5d", "display_name": "John Doe's Team",
    "profile_image_url": null, "created_at_millis": 1767139200000, "client_metadata": null,
    "client_read_only_metadata": null, "server_metadata": null},
  "selected_team_id": "7b1c5e0a-2d3f-4a5b-8c9d-0e1f2a3b4c5d",
  "profile_image_url": "https://example.com/image.jpg",
  "signed_up_at_millis": 1767139200000,
  "has_password": true, "otp_auth_enabled": false, "passkey_auth_enabled": false,
  "client_metadata": {"theme": "dark"}, "client_read_only_metadata": null,
  "server_metadata": {"stripe_customer_id": "cus_123"},
  "last_active_at_millis": 1767225600000,
  "is_anonymous": false, "is_restricted": false, "restricted_reason": null,
  "restricted_by_admin": false, "restricted_by_admin_reason": null,
  "restricted_by_admin_private_details": null,
  "country_code": "US",
  "risk_scores": {"sign_up": {"bot": 3, "free_trial_abuse": 7}},
  "oauth_providers": [{"id": "github", "account_id": "12345678", "email": "johndoe@example.com"}],
  "auth_with_email": true, "requires_totp_mfa": false,
  "a_field_from_the_future": {"nested": [1, 2]}
}"#;

/// Now, in Unix seconds.
pub fn now_unix() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// A JWT-shaped token (only its `exp` is ever read locally) expiring at `exp`.
pub fn token_expiring(exp: i64, nonce: u64) -> String {
    let payload = URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"u","exp":{exp},"n":{nonce}}}"#));
    let signature = URL_SAFE_NO_PAD.encode(format!("signature-{nonce}"));
    format!("eyJhbGciOiJFUzI1NiIsImtpZCI6InRlc3QifQ.{payload}.{signature}")
}

/// A token that expires in 2100: the same string however often it is built (a token built from
/// the wall clock changes when a second passes between the mock's set-up and the request, and
/// then matches no mock: mockito's 501, seen on a loaded machine).
pub fn token(nonce: u64) -> String {
    token_expiring(4_102_444_800, nonce)
}

/// A verifier for `base`: fast retries, no breaker, caching off.
pub fn builder(base: &str) -> RestVerifierBuilder {
    RestVerifier::builder(PID, KEY)
        .base_url(base)
        .retry_policy(RetryPolicy::new(3, Duration::from_millis(1)))
        .circuit_breaker(CircuitBreakerPolicy::disabled())
        .disable_token_cache()
}

/// The unavailability kind of an error (panics otherwise).
pub fn unavailable_kind(e: &VerifyError) -> UnavailableKind {
    match e {
        VerifyError::Unavailable(u) => u.kind(),
        other => panic!("expected unavailable, got {other:?}"),
    }
}

/// A TCP server on 127.0.0.1 that reads each request and then either hangs or drops the
/// connection; counts connections.
pub struct RawServer {
    pub base: String,
    pub connections: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl RawServer {
    pub async fn start(hang: bool) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&connections);
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((mut socket, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                let mut buf = [0_u8; 4096];
                let _ = socket.read(&mut buf).await;
                if hang {
                    held.push(socket);
                }
            }
        });
        RawServer {
            base,
            connections,
            task,
        }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A loopback address where nothing listens.
pub async fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}
