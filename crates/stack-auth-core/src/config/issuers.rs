//! Which issuers a configuration accepts (PROTOCOL §1.4, §9.1): the configured origin's, its
//! cloud-brand sibling's, and any origin added explicitly; and the URL checks every origin passes.

use url::Url;

use super::ConfigError;
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
pub(super) fn sibling_origin(origin: &Url) -> Option<String> {
    if origin.scheme() != "https" || origin.port().is_some() {
        return None;
    }
    let host = origin.host_str()?;
    CLOUD_HOST_PAIRS.iter().find_map(|(stack, hexclave)| {
        let sibling = match host {
            h if h == *stack => hexclave,
            h if h == *hexclave => stack,
            _ => return None,
        };
        Some(format!("https://{sibling}"))
    })
}

/// Parses a deployment URL and checks it the way every configured URL is checked: http(s),
/// https unless the host is loopback or `allow_insecure_http`, a host, no query, fragment or
/// credentials.
pub(super) fn parse_deployment_url(
    raw: &str,
    allow_insecure_http: bool,
) -> Result<Url, ConfigError> {
    let url =
        Url::parse(raw.trim()).map_err(|e| ConfigError::InvalidBaseUrl(e.to_string().into()))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&url) => {}
        "http" => return Err(ConfigError::InsecureBaseUrl),
        _ => {
            return Err(ConfigError::InvalidBaseUrl(
                "scheme must be http or https".into(),
            ))
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ConfigError::InvalidBaseUrl("missing host".into()));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ConfigError::InvalidBaseUrl(
            "must not have a query or fragment".into(),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ConfigError::InvalidBaseUrl(
            "must not carry credentials".into(),
        ));
    }
    Ok(url)
}

/// The origin of an extra accepted issuer, checked like the base URL; its errors name the
/// setting instead of the base URL.
pub(super) fn extra_origin(raw: &str, allow_insecure_http: bool) -> Result<String, ConfigError> {
    let invalid = |reason: std::borrow::Cow<'static, str>| ConfigError::Invalid {
        field: "accept_issuer_origin",
        reason,
    };
    match parse_deployment_url(raw, allow_insecure_http) {
        Ok(url) => Ok(url.origin().ascii_serialization()),
        Err(ConfigError::InvalidBaseUrl(reason)) => Err(invalid(reason)),
        Err(ConfigError::InsecureBaseUrl) => Err(invalid(
            "must use https (plain http is only allowed for loopback hosts, or with allow_insecure_http)"
                .into(),
        )),
        Err(other) => Err(other),
    }
}

/// The `iss` Stack Auth builds for `user_type` of `project_id` on `origin` (PROTOCOL §1.4).
pub(super) fn issuer(origin: &str, user_type: UserType, project_id: &str) -> String {
    format!(
        "{origin}/api/v1/projects{}/{project_id}",
        user_type.issuer_suffix()
    )
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}
