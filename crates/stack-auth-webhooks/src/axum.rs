//! axum 0.8 (feature `axum`): [`StackWebhook`] as a `FromRequest`, [`WebhookRejection`] as a
//! response.

use ::axum::{
    body::to_bytes,
    extract::{FromRef, FromRequest, Request},
    http::{
        header::{CONTENT_LENGTH, CONTENT_TYPE},
        StatusCode,
    },
    response::{IntoResponse, Response},
};

use crate::{StackWebhook, WebhookError, WebhookReceiver, WebhookRejection};

impl<S> FromRequest<S> for StackWebhook
where
    S: Send + Sync,
    WebhookReceiver: FromRef<S>,
{
    type Rejection = WebhookRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let receiver = WebhookReceiver::from_ref(state);
        let (parts, body) = request.into_parts();
        let limit = receiver.max_body_bytes();
        let too_large = WebhookRejection::new(WebhookError::BodyTooLarge { limit });
        let declared = parts
            .headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(too_large);
        }
        // Past the limit (or a body that breaks off, whose answer no one reads).
        let bytes = to_bytes(body, limit).await.map_err(|_| too_large)?;
        let webhook = receiver.receive(&parts.headers, &bytes)?;
        Ok(StackWebhook(webhook))
    }
}

impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (
            status,
            [(CONTENT_TYPE, "application/json")],
            self.json_body(),
        )
            .into_response()
    }
}
