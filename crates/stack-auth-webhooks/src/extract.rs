//! [`StackWebhook`], the extractor of the `axum` and `actix` features, and its
//! [`WebhookRejection`].

use std::{fmt, ops::Deref};

use crate::{VerifiedWebhook, WebhookError};

/// A verified Stack Auth webhook delivery, as a request extractor: with feature `axum` it is an
/// axum 0.8 `FromRequest` (the router state, or a part of it through `FromRef`, is the
/// [`WebhookReceiver`](crate::WebhookReceiver)); with feature `actix` an actix-web 4
/// `FromRequest` (the app data holds the receiver: `App::app_data(receiver)` or
/// `web::Data<WebhookReceiver>`).
///
/// The extractor reads the body (at most the receiver's
/// [`max_body_bytes`](crate::WebhookReceiver::max_body_bytes)) and hands it to the receiver's
/// [`receive`](crate::WebhookReceiver::receive) before the handler runs: when the handler gets
/// it, the delivery is verified, recognised if seen before, and its evictions are done. So the
/// handler is one line, plus whatever your application does with the event:
///
/// ```
/// # #[cfg(feature = "axum")] {
/// use axum::{routing::post, Router};
/// use stack_auth_webhooks::{StackWebhook, WebhookEvent, WebhookReceiver};
///
/// async fn stack_webhook(webhook: StackWebhook) {
///     if let (false, WebhookEvent::UserCreated(user)) = (webhook.is_duplicate(), webhook.event()) {
///         println!("welcome {}", user.id);
///     }
/// }
///
/// # fn app(receiver: WebhookReceiver) -> Router {
/// Router::new().route("/webhooks/stack", post(stack_webhook)).with_state(receiver)
/// # }
/// # }
/// ```
///
/// ```
/// # #[cfg(feature = "actix")] {
/// use actix_web::{web, App, HttpResponse};
/// use stack_auth_webhooks::{StackWebhook, WebhookReceiver};
///
/// # fn app(receiver: WebhookReceiver) {
/// let app = App::new()
///     .app_data(receiver)
///     .route("/webhooks/stack", web::post().to(|_: StackWebhook| async { HttpResponse::NoContent() }));
/// # let _ = app;
/// # }
/// # }
/// ```
///
/// A delivery that is not accepted gets a [`WebhookRejection`].
#[derive(Debug, Clone, PartialEq)]
pub struct StackWebhook(pub VerifiedWebhook);

impl StackWebhook {
    /// The verified delivery.
    pub fn into_inner(self) -> VerifiedWebhook {
        self.0
    }
}

impl Deref for StackWebhook {
    type Target = VerifiedWebhook;

    fn deref(&self) -> &VerifiedWebhook {
        &self.0
    }
}

/// Why [`StackWebhook`] refused a delivery, and the answer: the [`WebhookError`]'s status (400
/// for a missing or malformed header or a signed body that is not an event, 401 for a bad,
/// stale or replayed signature, 413 for a body too large) with
/// `{"error": "<code>", "message": "<fixed text>"}` as JSON; never the request's body or
/// headers. Without a receiver (actix app data only; axum checks the state at compile time):
/// 500 `misconfigured`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRejection {
    error: Option<WebhookError>,
}

impl WebhookRejection {
    /// The rejection for a delivery the receiver refused.
    pub fn new(error: WebhookError) -> Self {
        WebhookRejection { error: Some(error) }
    }

    /// The rejection when no receiver is configured.
    #[cfg(feature = "actix")]
    pub(crate) fn no_receiver() -> Self {
        WebhookRejection { error: None }
    }

    /// Why the receiver refused the delivery (`None`: no receiver is configured).
    pub fn error(&self) -> Option<&WebhookError> {
        self.error.as_ref()
    }

    /// The HTTP status: the error's, or 500.
    pub fn http_status(&self) -> u16 {
        self.error.as_ref().map_or(500, WebhookError::http_status)
    }

    /// The JSON body.
    pub fn json_body(&self) -> String {
        match &self.error {
            Some(error) => error.json_body(),
            None => serde_json::json!({
                "error": "misconfigured",
                "message": "webhooks are misconfigured on this server",
            })
            .to_string(),
        }
    }
}

impl From<WebhookError> for WebhookRejection {
    fn from(error: WebhookError) -> Self {
        WebhookRejection::new(error)
    }
}

impl fmt::Display for WebhookRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.error {
            Some(error) => error.fmt(f),
            None => f.write_str("no webhook receiver is configured"),
        }
    }
}

impl std::error::Error for WebhookRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
