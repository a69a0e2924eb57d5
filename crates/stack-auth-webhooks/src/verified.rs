//! [`VerifiedWebhook`]: a delivery that passed every check.

use stack_auth_core::Eviction;

use crate::WebhookEvent;

/// A delivery whose signature, timestamp and body were verified, with its event. What a
/// [`WebhookReceiver`](crate::WebhookReceiver) returns and the framework extractors yield.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedWebhook {
    pub(crate) message_id: String,
    pub(crate) timestamp: i64,
    pub(crate) event: WebhookEvent,
    pub(crate) duplicate: bool,
}

impl VerifiedWebhook {
    /// The message id (`svix-id`, `msg_…`): the same on every attempt of a message, the key to
    /// deduplicate work of your own.
    pub fn message_id(&self) -> &str {
        &self.message_id
    }

    /// When this attempt was signed, Unix seconds.
    pub fn timestamp(&self) -> i64 {
        self.timestamp
    }

    /// The event.
    pub fn event(&self) -> &WebhookEvent {
        &self.event
    }

    /// The event, owned.
    pub fn into_event(self) -> WebhookEvent {
        self.event
    }

    /// Whether this message was accepted before (Svix delivering it again, e.g. after your
    /// answer was lost): nothing was evicted again. Answer 2xx so Svix stops, and skip work of
    /// your own that must happen once.
    pub fn is_duplicate(&self) -> bool {
        self.duplicate
    }

    /// What receiving it evicted: the event's [`evictions`](WebhookEvent::evictions), or none
    /// for a duplicate.
    pub fn evictions(&self) -> Vec<Eviction> {
        if self.duplicate {
            Vec::new()
        } else {
            self.event.evictions()
        }
    }
}
