//! Webhooks as Stack Auth sends them through Svix (PROTOCOL §10.5): the signing secret, the
//! signed request, and the record of each delivery the stand-in made.

mod secret;
mod signing;

pub use secret::WebhookSecret;
pub(crate) use signing::random_message_id;
pub use signing::{sign_webhook, SignedWebhook, WebhookHeaders};

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeliveryState {
    /// Not sent yet, or waiting for a retry.
    Pending,
    /// An attempt got a 2xx answer.
    Delivered,
    /// Every attempt failed.
    Failed,
}

/// One attempt of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryAttempt {
    /// The request as sent (its `svix-timestamp` is the time of this attempt).
    pub request: SignedWebhook,
    /// The receiver's status, if it answered.
    pub status: Option<u16>,
    /// Why the attempt failed without an answer (connection refused, timeout, …).
    pub error: Option<String>,
}

/// One webhook message the stand-in sent (or is sending) to a project's endpoint, with every
/// attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// The project whose endpoint it went to.
    pub project_id: String,
    /// The event type, e.g. `user.created`.
    pub event_type: String,
    /// The message id (`svix-id`), the same for every attempt.
    pub message_id: String,
    /// The body, `{"type":…,"data":…}`.
    pub body: String,
    /// Attempts so far, oldest first.
    pub attempts: Vec<DeliveryAttempt>,
    /// Where it stands.
    pub state: DeliveryState,
}

impl WebhookDelivery {
    /// The body's `data`, parsed.
    pub fn data(&self) -> serde_json::Value {
        serde_json::from_str::<serde_json::Value>(&self.body)
            .map(|mut v| v["data"].take())
            .unwrap_or_default()
    }
}
