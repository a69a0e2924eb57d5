//! Checks every [`JwksVerifierBuilder`] setting and resolves the project configuration.

use std::{borrow::Cow, time::Duration};

use stack_auth_core::{ConfigError, ServiceUrl, StackAuthConfig};
use url::Url;

use super::JwksVerifierBuilder;
use crate::{
    defaults::{MAX_DURATION_SETTING, MAX_LEEWAY},
    fetch::FULL_KEY_SET_QUERY,
};

impl JwksVerifierBuilder {
    pub(super) fn config(&self) -> Result<StackAuthConfig, ConfigError> {
        self.config.clone().build()
    }

    pub(super) fn check_settings(&self) -> Result<(), ConfigError> {
        let t = &self.timing;
        if self.leeway > MAX_LEEWAY {
            return Err(invalid("leeway", "must be at most 5 minutes"));
        }
        if t.min_ttl.is_zero() || t.min_ttl > t.max_ttl {
            return Err(invalid("min_ttl", "must be positive and at most max_ttl"));
        }
        if t.unknown_kid_cooldown < Duration::from_secs(1) {
            return Err(invalid(
                "unknown_kid_cooldown",
                "must be at least one second",
            ));
        }
        if t.retry_after_error < Duration::from_secs(1) {
            return Err(invalid("retry_after_error", "must be at least one second"));
        }
        if self.connect_timeout.is_zero() || self.timeout.is_zero() {
            return Err(invalid("timeout", "must be positive"));
        }
        if self.max_token_lifetime.is_zero() {
            return Err(invalid("max_token_lifetime", "must be positive"));
        }
        if self.max_response_bytes == 0 {
            return Err(invalid("max_response_bytes", "must be positive"));
        }
        let longest = [
            ("max_ttl", t.max_ttl),
            ("refresh_ahead", t.refresh_ahead),
            ("unknown_kid_cooldown", t.unknown_kid_cooldown),
            ("stale_if_error", t.max_stale),
            ("retry_after_error", t.retry_after_error),
            ("timeout", self.timeout),
            ("max_token_lifetime", self.max_token_lifetime),
            (
                "token_cache",
                self.token_cache.map_or(Duration::ZERO, |(_, ttl)| ttl),
            ),
        ];
        if let Some((field, _)) = longest.iter().find(|(_, d)| *d > MAX_DURATION_SETTING) {
            return Err(invalid(field, "must be at most 30 days"));
        }
        if let Some((capacity, ttl)) = self.token_cache {
            if capacity == 0 || ttl.is_zero() {
                return Err(invalid(
                    "token_cache",
                    "capacity and ttl must be positive (use disable_token_cache to turn it off)",
                ));
            }
        }
        Ok(())
    }
}

pub(super) fn invalid(field: &'static str, reason: impl Into<Cow<'static, str>>) -> ConfigError {
    ConfigError::Invalid {
        field,
        reason: reason.into(),
    }
}

/// Validates the JWKS URL by the rules of every configured URL ([`ServiceUrl`]: https, or
/// http to loopback unless insecure http is allowed; no query, fragment or credentials) and
/// appends the full-key-set query.
pub(super) fn jwks_url(raw: &str, allow_insecure_http: bool) -> Result<Url, ConfigError> {
    let checked = ServiceUrl::parse_setting("jwks_url", raw, allow_insecure_http)?;
    let mut url =
        Url::parse(&checked.to_string()).map_err(|e| invalid("jwks_url", e.to_string()))?;
    url.set_query(Some(FULL_KEY_SET_QUERY));
    Ok(url)
}
