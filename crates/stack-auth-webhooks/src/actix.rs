//! actix-web 4 (feature `actix`): [`StackWebhook`] as a `FromRequest`, [`WebhookRejection`] as
//! a `ResponseError`.

use std::{future::Future, pin::Pin};

use ::actix_web::{
    dev::Payload,
    http::{header::CONTENT_LENGTH, StatusCode},
    web, FromRequest, HttpRequest, HttpResponse, ResponseError,
};
use futures_util::StreamExt as _;

use crate::{headers::Lookup, StackWebhook, WebhookError, WebhookReceiver, WebhookRejection};

impl FromRequest for StackWebhook {
    type Error = WebhookRejection;
    type Future = Pin<Box<dyn Future<Output = Result<Self, WebhookRejection>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let request = request.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let receiver = receiver_of(&request).ok_or_else(|| {
                tracing::error!("StackWebhook needs a WebhookReceiver in the app data");
                WebhookRejection::no_receiver()
            })?;
            let limit = receiver.max_body_bytes();
            let too_large = || WebhookRejection::new(WebhookError::BodyTooLarge { limit });
            let declared = request
                .headers()
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
            if declared.is_some_and(|n| n > limit as u64) {
                return Err(too_large());
            }
            let mut body = Vec::new();
            while let Some(chunk) = payload.next().await {
                // Past the limit (or a body that breaks off, whose answer no one reads).
                let chunk = chunk.map_err(|_| too_large())?;
                if body.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            let headers = request.headers();
            let header = |name: &'static str| {
                let mut values = headers.get_all(name);
                match (values.next(), values.next()) {
                    (None, _) => Lookup::Absent,
                    (Some(one), None) => Lookup::One(one.as_bytes()),
                    (Some(_), Some(_)) => Lookup::Repeated,
                }
            };
            let webhook = receiver.receive_with(header, &body)?;
            Ok(StackWebhook(webhook))
        })
    }
}

/// The receiver of the app data, direct or in a `web::Data`.
fn receiver_of(request: &HttpRequest) -> Option<WebhookReceiver> {
    request.app_data::<WebhookReceiver>().cloned().or_else(|| {
        let data = request.app_data::<web::Data<WebhookReceiver>>()?;
        Some(WebhookReceiver::clone(data))
    })
}

impl ResponseError for WebhookRejection {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code())
            .content_type("application/json")
            .body(self.json_body())
    }
}
