//! [`ServiceUrl`]: the one check every configured URL passes (the base URL, an extra issuer
//! origin, a JWKS URL), on `http::Uri` so that core needs no URL crate.

use std::{
    borrow::Cow,
    fmt,
    net::{Ipv4Addr, Ipv6Addr},
};

use http::Uri;

use super::ConfigError;

/// A URL checked the way every URL the SDK is configured with is checked: `http` or `https`;
/// `https` unless the host is loopback (`localhost`, `127.0.0.0/8`, `::1`) or plain http is
/// allowed explicitly; a host (and a valid port, if any); no query, fragment or credentials.
/// The origin is normalised as browsers do it: a lower-case scheme and host, the default port
/// left out.
///
/// ```
/// use stack_auth_core::{ConfigError, ServiceUrl};
///
/// let url = ServiceUrl::parse("https://Auth.Example.com:443/stack/", false)?;
/// assert_eq!((url.origin(), url.path()), ("https://auth.example.com", "/stack/"));
/// assert_eq!(url.to_string(), "https://auth.example.com/stack/");
/// assert_eq!(ServiceUrl::parse("http://auth.example.com", false), Err(ConfigError::InsecureBaseUrl));
/// assert!(ServiceUrl::parse("http://127.0.0.1:8102", false).is_ok());
/// # Ok::<(), ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceUrl {
    origin: String,
    path: String,
}

fn invalid(reason: &'static str) -> ConfigError {
    ConfigError::InvalidBaseUrl(Cow::Borrowed(reason))
}

impl ServiceUrl {
    /// Checks `raw` (surrounding whitespace ignored) as a base URL.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InsecureBaseUrl`] for plain http to a host that is not loopback (unless
    /// `allow_insecure_http`), [`ConfigError::InvalidBaseUrl`] for anything else that fails.
    pub fn parse(raw: &str, allow_insecure_http: bool) -> Result<Self, ConfigError> {
        let raw = raw.trim();
        // `Uri` drops a fragment silently: look for one first.
        if raw.contains('#') {
            return Err(invalid("must not have a query or fragment"));
        }
        let uri: Uri = raw.parse().map_err(|e: http::uri::InvalidUri| {
            ConfigError::InvalidBaseUrl(e.to_string().into())
        })?;
        let scheme = uri.scheme_str().map(str::to_ascii_lowercase);
        let Some(authority) = uri.authority() else {
            return Err(invalid("not an absolute http(s) URL"));
        };
        if authority.as_str().contains('@') {
            return Err(invalid("must not carry credentials"));
        }
        let host = authority.host().to_ascii_lowercase();
        if host.is_empty() {
            return Err(invalid("missing host"));
        }
        let port = port_of(authority.as_str(), authority.host().len())?;
        let default_port = match scheme.as_deref() {
            Some("https") => 443,
            Some("http") if allow_insecure_http || is_loopback(&host) => 80,
            Some("http") => return Err(ConfigError::InsecureBaseUrl),
            _ => return Err(invalid("scheme must be http or https")),
        };
        if uri.query().is_some() {
            return Err(invalid("must not have a query or fragment"));
        }
        let scheme = scheme.unwrap_or_default();
        let origin = match port.filter(|p| *p != default_port) {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        };
        Ok(ServiceUrl {
            origin,
            path: uri.path().to_owned(),
        })
    }

    /// Like [`ServiceUrl::parse`], for the setting `field` (an extra issuer origin, a JWKS
    /// URL): its errors name the setting instead of the base URL.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for `field`, with the reason.
    pub fn parse_setting(
        field: &'static str,
        raw: &str,
        allow_insecure_http: bool,
    ) -> Result<Self, ConfigError> {
        let invalid = |reason: Cow<'static, str>| ConfigError::Invalid { field, reason };
        ServiceUrl::parse(raw, allow_insecure_http).map_err(|e| match e {
            ConfigError::InvalidBaseUrl(reason) => invalid(reason),
            ConfigError::InsecureBaseUrl => invalid(
                "must use https (plain http is only allowed for loopback hosts, or with allow_insecure_http)"
                    .into(),
            ),
            other => other,
        })
    }

    /// `scheme://host[:port]`, normalised.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The path as given (`/` when there is none).
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for ServiceUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.origin, self.path)
    }
}

/// The port after the host in `authority` (`host_len` bytes of host), if one is given.
fn port_of(authority: &str, host_len: usize) -> Result<Option<u16>, ConfigError> {
    match authority.get(host_len..) {
        None | Some("") | Some(":") => Ok(None),
        Some(rest) => rest
            .strip_prefix(':')
            .and_then(|p| p.parse::<u16>().ok())
            .map(Some)
            .ok_or_else(|| invalid("invalid port number")),
    }
}

fn is_loopback(host: &str) -> bool {
    if host == "localhost" {
        return true;
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
    }
    host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_the_origin_and_keeps_the_path() {
        for (raw, origin, path) in [
            (
                "https://api.stack-auth.com/",
                "https://api.stack-auth.com",
                "/",
            ),
            (" https://X.COM:443 ", "https://x.com", "/"),
            ("HTTPS://x.com:8443/p", "https://x.com:8443", "/p"),
            ("http://localhost:80/a/b/", "http://localhost", "/a/b/"),
            ("http://[::1]:9000", "http://[::1]:9000", "/"),
            ("http://127.0.0.2:1", "http://127.0.0.2:1", "/"),
            ("https://x.com:", "https://x.com", "/"),
        ] {
            let url = ServiceUrl::parse(raw, false).unwrap();
            assert_eq!((url.origin(), url.path()), (origin, path), "{raw}");
        }
    }

    #[test]
    fn refuses_what_no_configured_url_may_be() {
        for bad in [
            "not a url",
            "ftp://x.com",
            "https://x.com/?a=1",
            "https://x.com/#f",
            "https://u:p@x.com",
            "https://u@x.com",
            "https://",
            "http://:80",
            "https://x.com:99999",
            "https://x.com:8a",
            "x.com",
            "/path",
            "https://exämple.com",
        ] {
            assert!(
                matches!(
                    ServiceUrl::parse(bad, true),
                    Err(ConfigError::InvalidBaseUrl(_))
                ),
                "{bad}"
            );
        }
        for insecure in ["http://api.example.com", "http://10.0.0.1", "http://[::2]"] {
            assert_eq!(
                ServiceUrl::parse(insecure, false),
                Err(ConfigError::InsecureBaseUrl),
                "{insecure}"
            );
            assert!(ServiceUrl::parse(insecure, true).is_ok(), "{insecure}");
        }
        let e = ServiceUrl::parse_setting("jwks_url", "http://x.com", false).unwrap_err();
        assert!(matches!(
            e,
            ConfigError::Invalid {
                field: "jwks_url",
                ..
            }
        ));
    }
}
