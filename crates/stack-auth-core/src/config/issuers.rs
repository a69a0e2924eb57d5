//! Which issuers a configuration accepts (PROTOCOL §1.4, §9.1): the configured origin's, its
//! cloud-brand sibling's, and any origin added explicitly; and the URL checks every origin passes.

use super::{ConfigError, ServiceUrl};
use crate::UserType;

/// The hosted service's host pairs, `(Stack Auth host, Hexclave host)` (PROTOCOL §9.1). The
/// hosted service stamps the host the client called into `iss` and accepts both hosts of a
/// pair; a configuration for one host accepts the other's issuers too.
pub const CLOUD_HOST_PAIRS: [(&str, &str); 3] = [
    ("api.stack-auth.com", "api.hexclave.com"),
    ("api.dev.stack-auth.com", "api.dev.hexclave.com"),
    ("api.staging.stack-auth.com", "api.staging.hexclave.com"),
];

/// The origin whose issuers the hosted service also accepts for `origin`: the same URLs on the
/// other host of its cloud pair. Only `https://<pair host>` (default port) has one; self-hosted
/// deployments, failover hosts and plain http get none.
pub(super) fn sibling_origin(origin: &ServiceUrl) -> Option<String> {
    let host = origin.origin().strip_prefix("https://")?;
    CLOUD_HOST_PAIRS.iter().find_map(|(stack, hexclave)| {
        let sibling = match host {
            h if h == *stack => hexclave,
            h if h == *hexclave => stack,
            _ => return None,
        };
        Some(format!("https://{sibling}"))
    })
}

/// The origin of an extra accepted issuer, checked like the base URL; its errors name the
/// setting instead of the base URL.
pub(super) fn extra_origin(raw: &str, allow_insecure_http: bool) -> Result<String, ConfigError> {
    ServiceUrl::parse_setting("accept_issuer_origin", raw, allow_insecure_http)
        .map(|url| url.origin().to_owned())
}

/// The `iss` Stack Auth builds for `user_type` of `project_id` on `origin` (PROTOCOL §1.4).
pub(super) fn issuer(origin: &str, user_type: UserType, project_id: &str) -> String {
    format!(
        "{origin}/api/v1/projects{}/{project_id}",
        user_type.issuer_suffix()
    )
}
