//! A signed `user.deleted` delivery, posted as Svix would post it (the revocation and fleet
//! benches time what follows it).

use std::time::{SystemTime, UNIX_EPOCH};

use stack_auth_testkit::{SignedWebhook, WebhookHeaders, WebhookSecret};

/// A request posting to `url` a `user.deleted` delivery of `user_id`, message `message_id`,
/// signed with `secret` now (the `svix-*` headers).
pub fn user_deleted_delivery(
    client: &reqwest::Client,
    secret: &WebhookSecret,
    url: &str,
    message_id: String,
    user_id: &str,
) -> reqwest::RequestBuilder {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let body = format!(r#"{{"type":"user.deleted","data":{{"id":"{user_id}","teams":[]}}}}"#);
    let delivery = SignedWebhook::new(secret, url, message_id, now, body, WebhookHeaders::Svix);
    let mut request = client.post(url).body(delivery.body.clone());
    for (name, value) in &delivery.headers {
        request = request.header(name.as_str(), value.as_str());
    }
    request
}
