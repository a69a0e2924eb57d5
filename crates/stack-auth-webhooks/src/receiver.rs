//! [`WebhookReceiver`]: verifies a delivery, recognises one seen before, and evicts what its
//! event makes stale.

use std::{fmt, sync::Arc};

use http::{HeaderMap, HeaderValue};
use stack_auth_core::{Clock, Evict, EvictionHub};

use crate::{
    error::BodyProblem,
    headers::{self, Lookup, SignatureHeaders},
    recent::{RecentDeliveries, Seen},
    VerifiedWebhook, WebhookError, WebhookEvent, WebhookReceiverBuilder,
};

/// Receives Stack Auth webhooks: verifies each delivery (PROTOCOL §10.5.2), recognises a
/// message seen before, and tells every registered cache what the event made stale. Cheap to
/// clone (clones share the memory of recent deliveries and the caches).
///
/// What [`receive`](Self::receive) does, in order (the first failure answers, nothing is
/// evicted):
///
/// 1. picks the header set: `svix-id`, `svix-timestamp`, `svix-signature` when any of them is
///    present, else `webhook-id`, `webhook-timestamp`, `webhook-signature`;
/// 2. refuses a timestamp more than [`TOLERANCE`](crate::TOLERANCE) (5 minutes) from the
///    receiver's [clock](WebhookReceiverBuilder::clock), in either direction;
/// 3. verifies the raw body's signature with Svix's verifier: HMAC-SHA256 of
///    `<id>.<timestamp>.<body>` under the secret, any of the space-separated `v1,` signatures
///    (others ignored), compared in constant time;
/// 4. only then parses the body into a [`WebhookEvent`];
/// 5. looks the message id up among the deliveries accepted lately: a signed request accepted
///    before (same id, same timestamp) is [`WebhookError::Replayed`]; the same message signed
///    at another time (Svix retrying) is accepted as a [duplicate](VerifiedWebhook::is_duplicate)
///    and evicts nothing;
/// 6. evicts the event's [`evictions`](WebhookEvent::evictions) into its
///    [`EvictionHub`], which tells every registered cache.
#[derive(Clone)]
pub struct WebhookReceiver {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) verifier: svix::webhooks::Webhook,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) recent: RecentDeliveries,
    pub(crate) hub: EvictionHub,
    pub(crate) max_body_bytes: usize,
}

impl fmt::Debug for WebhookReceiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookReceiver")
            .field("secret", &"[redacted]")
            .field("caches", &self.inner.hub.len())
            .field("max_body_bytes", &self.inner.max_body_bytes)
            .finish_non_exhaustive()
    }
}

impl WebhookReceiver {
    /// Starts a receiver for the endpoint whose signing secret is `secret` (`whsec_…`, as the
    /// dashboard shows it).
    pub fn builder(secret: impl Into<String>) -> WebhookReceiverBuilder {
        WebhookReceiverBuilder::new(secret.into())
    }

    pub(crate) fn from_inner(inner: Inner) -> Self {
        WebhookReceiver {
            inner: Arc::new(inner),
        }
    }

    /// The hub the receiver evicts into: register more caches with it at any time, or hand it
    /// to other sources of evictions.
    pub fn hub(&self) -> &EvictionHub {
        &self.inner.hub
    }

    /// The largest body accepted, in bytes; the framework extractors stop reading past it.
    pub fn max_body_bytes(&self) -> usize {
        self.inner.max_body_bytes
    }

    /// Verifies one delivery (its headers and raw body) and evicts what it makes stale; see the
    /// [type docs](Self) for the steps.
    ///
    /// # Errors
    ///
    /// A [`WebhookError`]: a missing or malformed header (400), a bad or stale signature or a
    /// replayed request (401), a correctly signed body that is not a Stack Auth event (400), a
    /// body over [`max_body_bytes`](Self::max_body_bytes) (413).
    pub fn receive(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<VerifiedWebhook, WebhookError> {
        self.receive_with(|name| headers::in_map(headers, name), body)
    }

    /// Checks only the headers, the timestamp and the signature of a delivery (steps 1 to 3 of
    /// the [type docs](Self)): nothing is parsed, remembered or evicted. For a body that is not
    /// a Stack Auth event, or a pipeline of your own.
    ///
    /// # Errors
    ///
    /// [`WebhookError::MissingHeader`], [`WebhookError::InvalidHeader`],
    /// [`WebhookError::StaleTimestamp`], [`WebhookError::BadSignature`];
    /// [`WebhookError::MalformedBody`] for a body that is not UTF-8 (it cannot have been
    /// signed); [`WebhookError::BodyTooLarge`].
    pub fn verify_signature(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
        let signed = headers::read(|name| headers::in_map(headers, name))?;
        self.check_signed(&signed, body).map(|_| ())
    }

    /// [`receive`](Self::receive) with headers read through `header` (for frameworks on
    /// another `http` version).
    pub(crate) fn receive_with<'a>(
        &self,
        header: impl Fn(&'static str) -> Lookup<'a>,
        body: &[u8],
    ) -> Result<VerifiedWebhook, WebhookError> {
        let result = self.verify_and_evict(header, body);
        match &result {
            Ok(webhook) => tracing::debug!(
                event_type = webhook.event().event_type(),
                message_id = webhook.message_id(),
                duplicate = webhook.is_duplicate(),
                "stack auth webhook received"
            ),
            Err(e) => tracing::debug!(error = e.code(), "stack auth webhook refused: {e}"),
        }
        result
    }

    fn verify_and_evict<'a>(
        &self,
        header: impl Fn(&'static str) -> Lookup<'a>,
        body: &[u8],
    ) -> Result<VerifiedWebhook, WebhookError> {
        let inner = &self.inner;
        let signed = headers::read(header)?;
        let now = self.check_signed(&signed, body)?;
        let event = WebhookEvent::from_json(body)?;
        let seen = inner
            .recent
            .check_and_insert(signed.id, signed.timestamp, now);
        if seen == Seen::Replayed {
            return Err(WebhookError::Replayed);
        }
        let webhook = VerifiedWebhook {
            message_id: signed.id.to_owned(),
            timestamp: signed.timestamp,
            event,
            duplicate: seen == Seen::Duplicate,
        };
        for eviction in webhook.evictions() {
            inner.hub.evict(&eviction);
        }
        Ok(webhook)
    }

    /// The size, the timestamp and the signature; returns the time it was checked at.
    fn check_signed(
        &self,
        signed: &SignatureHeaders<'_>,
        body: &[u8],
    ) -> Result<std::time::SystemTime, WebhookError> {
        let limit = self.inner.max_body_bytes;
        if body.len() > limit {
            return Err(WebhookError::BodyTooLarge { limit });
        }
        let now = self.inner.clock.now();
        check_timestamp(signed.timestamp, now)?;
        self.check_signature(signed, body)?;
        Ok(now)
    }

    /// Svix's verifier on the chosen header set (the timestamp was checked on our clock).
    fn check_signature(
        &self,
        signed: &SignatureHeaders<'_>,
        body: &[u8],
    ) -> Result<(), WebhookError> {
        let mut map = HeaderMap::with_capacity(3);
        for (name, value) in [
            (headers::SVIX.id, signed.id.to_owned()),
            (headers::SVIX.timestamp, signed.timestamp.to_string()),
            (headers::SVIX.signature, signed.signature.to_owned()),
        ] {
            let value =
                HeaderValue::from_str(&value).map_err(|_| WebhookError::InvalidHeader(name))?;
            map.insert(name, value);
        }
        match self.inner.verifier.verify_ignoring_timestamp(body, &map) {
            Ok(()) => Ok(()),
            Err(svix::webhooks::WebhookError::InvalidPayload) => {
                Err(WebhookError::MalformedBody(BodyProblem::NotUtf8))
            }
            Err(_) => Err(WebhookError::BadSignature),
        }
    }
}

/// Refuses a timestamp further than [`TOLERANCE`](crate::TOLERANCE) from `now`.
fn check_timestamp(timestamp: i64, now: std::time::SystemTime) -> Result<(), WebhookError> {
    let now_secs = now
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    let seconds = now_secs.saturating_sub(timestamp);
    let tolerance = i64::try_from(crate::TOLERANCE.as_secs()).unwrap_or(i64::MAX);
    if seconds.unsigned_abs() > tolerance.unsigned_abs() {
        return Err(WebhookError::StaleTimestamp { seconds });
    }
    Ok(())
}
