//! What a project holds beyond users: teams and memberships, permissions, sessions, API keys
//! and its webhook endpoint; and the webhook events a change produces.

mod api_keys;
mod rbac;
mod sessions;
mod teams;

pub(crate) use api_keys::ApiKeyStore;
pub(crate) use rbac::{GrantError, Rbac};
pub(crate) use sessions::SessionStore;
pub(crate) use teams::TeamStore;

use crate::WebhookSecret;

/// A webhook event: its type and `data` as JSON text (user objects keep their metadata
/// verbatim).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Event {
    pub(crate) kind: &'static str,
    pub(crate) data: String,
}

impl Event {
    pub(crate) fn new(kind: &'static str, data: impl Into<String>) -> Self {
        Event {
            kind,
            data: data.into(),
        }
    }

    /// `data` from a JSON value.
    pub(crate) fn json(kind: &'static str, data: &serde_json::Value) -> Self {
        Event::new(kind, data.to_string())
    }

    /// The delivered body: exactly `{"type":…,"data":…}`.
    pub(crate) fn body(&self) -> String {
        format!(
            "{{\"type\":{},\"data\":{}}}",
            serde_json::Value::from(self.kind),
            self.data
        )
    }
}

/// A project's webhook endpoint: where deliveries go (none: nothing is sent) and the secret
/// that signs them.
#[derive(Debug, Clone)]
pub(crate) struct WebhookEndpoint {
    pub(crate) url: Option<String>,
    pub(crate) secret: WebhookSecret,
}

/// Everything a project holds besides its users, keys and minter.
#[derive(Debug)]
pub(crate) struct ProjectData {
    pub(crate) teams: TeamStore,
    pub(crate) rbac: Rbac,
    pub(crate) sessions: SessionStore,
    pub(crate) api_keys: ApiKeyStore,
    pub(crate) webhook: WebhookEndpoint,
}
