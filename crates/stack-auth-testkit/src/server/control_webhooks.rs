//! Webhooks in the test API (PROTOCOL §10.5): each project's endpoint and secret, the
//! deliveries made, waiting for them, and signed requests built without sending them.

use super::LocalStackAuth;
use crate::webhook::random_message_id;
use crate::{SignedWebhook, TestkitError, WebhookDelivery, WebhookSecret};

impl LocalStackAuth {
    /// Points the default project's webhook deliveries at `url` (`None`: send nothing).
    pub fn set_webhook_endpoint(&self, url: Option<&str>) {
        let _ = self.set_webhook_endpoint_in(&self.default_project, url, None);
    }

    /// Points `project_id`'s deliveries at `url`, and with `secret` signs them with it from
    /// now on.
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownProject`].
    pub fn set_webhook_endpoint_in(
        &self,
        project_id: &str,
        url: Option<&str>,
        secret: Option<WebhookSecret>,
    ) -> Result<(), TestkitError> {
        let mut inner = self.state.lock();
        let endpoint = &mut inner.project_mut(project_id)?.data.webhook;
        endpoint.url = url.map(str::to_owned);
        if let Some(secret) = secret {
            endpoint.secret = secret;
        }
        Ok(())
    }

    /// The secret the default project's deliveries are signed with.
    pub fn webhook_secret(&self) -> WebhookSecret {
        self.webhook_secret_of(&self.default_project)
            .unwrap_or_else(|_| WebhookSecret::random())
    }

    /// The secret `project_id`'s deliveries are signed with.
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownProject`].
    pub fn webhook_secret_of(&self, project_id: &str) -> Result<WebhookSecret, TestkitError> {
        Ok(self
            .state
            .lock()
            .project(project_id)?
            .data
            .webhook
            .secret
            .clone())
    }

    /// Every delivery so far (all projects), in the order the changes happened, with their
    /// attempts. Deliveries are sent one at a time in that order by a background task.
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.state.outbox.deliveries()
    }

    /// Waits until every queued delivery was delivered or has failed all its attempts.
    pub async fn wait_for_webhooks(&self) {
        self.state.outbox.idle().await;
    }

    /// The request the default project's endpoint would get for an event of `event_type`
    /// with `data_json` (a fresh message id, signed now by the stand-in's clock), without
    /// sending it: for forged, replayed or stale deliveries in tests. The URL is empty when
    /// no endpoint is set; `data_json` is used as it is.
    pub fn sign_webhook_event(&self, event_type: &str, data_json: &str) -> SignedWebhook {
        let (url, secret) = {
            let inner = self.state.lock();
            match inner.project(&self.default_project) {
                Ok(p) => (
                    p.data.webhook.url.clone().unwrap_or_default(),
                    p.data.webhook.secret.clone(),
                ),
                Err(_) => (String::new(), WebhookSecret::random()),
            }
        };
        let body = format!(
            "{{\"type\":{},\"data\":{data_json}}}",
            serde_json::Value::from(event_type)
        );
        SignedWebhook::new(
            &secret,
            url,
            random_message_id(),
            self.state.clock.unix_secs(),
            body,
            self.state.outbox.config.headers,
        )
    }
}
