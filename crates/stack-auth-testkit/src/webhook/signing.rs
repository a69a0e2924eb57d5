//! Signing a delivery as Svix does (Standard Webhooks 1.0, PROTOCOL §10.5.2): HMAC-SHA256 of
//! `<id>.<timestamp>.<body>`, standard base64 with padding, `v1,` in front.

use base64::{engine::general_purpose::STANDARD, Engine as _};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::WebhookSecret;

/// Which header names a delivery carries (PROTOCOL §10.5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum WebhookHeaders {
    /// `svix-id`, `svix-timestamp`, `svix-signature`: what Stack Auth's Svix account sends.
    #[default]
    Svix,
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature` (Svix's white-label names).
    Standard,
    /// Both sets, with the same values.
    Both,
}

impl WebhookHeaders {
    fn prefixes(self) -> &'static [&'static str] {
        match self {
            WebhookHeaders::Svix => &["svix"],
            WebhookHeaders::Standard => &["webhook"],
            WebhookHeaders::Both => &["svix", "webhook"],
        }
    }
}

/// The signature header value (`v1,<base64>`) of `body` sent as message `message_id` at
/// `timestamp` (Unix seconds).
///
/// ```
/// use stack_auth_testkit::{sign_webhook, WebhookSecret};
///
/// let secret = WebhookSecret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
/// let signature = sign_webhook(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, r#"{"test": 2432232314}"#);
/// assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
/// # Ok::<(), stack_auth_testkit::TestkitError>(())
/// ```
pub fn sign_webhook(
    secret: &WebhookSecret,
    message_id: &str,
    timestamp: i64,
    body: &str,
) -> String {
    let content = format!("{message_id}.{timestamp}.{body}");
    // HMAC takes keys of any length, so this never falls back.
    let mac = Hmac::<Sha256>::new_from_slice(secret.key_bytes())
        .map(|mut m| {
            m.update(content.as_bytes());
            m.finalize().into_bytes().to_vec()
        })
        .unwrap_or_default();
    format!("v1,{}", STANDARD.encode(mac))
}

/// One delivery request exactly as the stand-in sends it (or would send it): URL, headers and
/// body. Build forged or replayed deliveries from it in tests.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedWebhook {
    /// The endpoint URL.
    pub url: String,
    /// The message id (`msg_…`), the same on every retry.
    pub message_id: String,
    /// The timestamp signed, Unix seconds.
    pub timestamp: i64,
    /// The request headers, in order (`content-type` first, then the id, timestamp and
    /// signature of each header set).
    pub headers: Vec<(String, String)>,
    /// The body: `{"type":…,"data":…}`.
    pub body: String,
}

impl SignedWebhook {
    /// Signs `body` as message `message_id` at `timestamp` for `url`, with the header names of
    /// `headers`.
    pub fn new(
        secret: &WebhookSecret,
        url: impl Into<String>,
        message_id: impl Into<String>,
        timestamp: i64,
        body: impl Into<String>,
        headers: WebhookHeaders,
    ) -> Self {
        let (message_id, body) = (message_id.into(), body.into());
        let signature = sign_webhook(secret, &message_id, timestamp, &body);
        let mut list = vec![("content-type".to_owned(), "application/json".to_owned())];
        for prefix in headers.prefixes() {
            list.push((format!("{prefix}-id"), message_id.clone()));
            list.push((format!("{prefix}-timestamp"), timestamp.to_string()));
            list.push((format!("{prefix}-signature"), signature.clone()));
        }
        SignedWebhook {
            url: url.into(),
            message_id,
            timestamp,
            headers: list,
            body,
        }
    }

    /// The first value of header `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A fresh Svix-style message id: `msg_` and 27 base62 characters.
pub(crate) fn random_message_id() -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let tail: String = (0..27)
        .map(|_| char::from(ALPHABET[usize::from(rand::random::<u8>()) % 62]))
        .collect();
    format!("msg_{tail}")
}
