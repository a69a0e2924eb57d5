//! [`extract_api_key`]: find an API key in an incoming request's headers (PROTOCOL §10.2.5).

use std::fmt;

use http::HeaderMap;

use crate::{looks_like_api_key, MAX_API_KEY_LEN};

/// Where an API key was found, in precedence order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiKeySource {
    /// `x-hexclave-api-key: <key>`, the renamed form of
    /// [`StackApiKeyHeader`](Self::StackApiKeyHeader).
    HexclaveApiKeyHeader,
    /// `x-stack-api-key: <key>`, what Stack Auth's API key guides read.
    StackApiKeyHeader,
    /// `Authorization: Bearer <key>`, when the credential has the shape of an API key (an
    /// access token has dots, the official client's auth JSON is not in the key format).
    AuthorizationBearer,
}

impl ApiKeySource {
    /// The header, as named on the wire.
    pub fn name(self) -> &'static str {
        match self {
            ApiKeySource::HexclaveApiKeyHeader => "x-hexclave-api-key",
            ApiKeySource::StackApiKeyHeader => "x-stack-api-key",
            ApiKeySource::AuthorizationBearer => "authorization",
        }
    }

    /// A stable identifier (`snake_case`) for logs and machine-readable output.
    pub fn label(self) -> &'static str {
        match self {
            ApiKeySource::HexclaveApiKeyHeader => "hexclave_api_key_header",
            ApiKeySource::StackApiKeyHeader => "stack_api_key_header",
            ApiKeySource::AuthorizationBearer => "authorization_bearer_api_key",
        }
    }
}

/// An API key read from a request. `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct ExtractedApiKey {
    key: String,
    source: ApiKeySource,
}

impl ExtractedApiKey {
    /// The key.
    pub fn as_str(&self) -> &str {
        &self.key
    }

    /// Where it was found.
    pub fn source(&self) -> ApiKeySource {
        self.source
    }
}

impl fmt::Debug for ExtractedApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtractedApiKey")
            .field("key", &crate::redact_token(&self.key))
            .field("source", &self.source)
            .finish()
    }
}

/// An API key header that cannot be read. Never contains the header's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiKeyExtractError {
    /// The header is repeated with different values.
    #[error("{} is sent more than once", .0.name())]
    Ambiguous(ApiKeySource),
    /// `x-hexclave-api-key` and `x-stack-api-key` carry different keys.
    #[error("x-hexclave-api-key and x-stack-api-key carry different keys")]
    Conflict,
    /// The value is longer than [`MAX_API_KEY_LEN`] or not visible ASCII.
    #[error("{} is malformed", .0.name())]
    Malformed(ApiKeySource),
}

/// Reads an API key from request headers (PROTOCOL §10.2.5): `x-hexclave-api-key`, then
/// `x-stack-api-key` (both may be sent with the same key), then `Authorization: Bearer <c>`
/// when `<c>` has the shape of an API key ([`looks_like_api_key`]). Values are trimmed; an
/// empty one counts as absent. Nothing is verified: a malformed key in an API key header is
/// returned as it is, for the verifier to refuse.
///
/// ```
/// use http::HeaderMap;
/// use stack_auth_core::{extract_api_key, ApiKeySource};
///
/// let key = "sk_0123456789abcdefghjkmnpqrstvwxyz0123456789abc3241a28583294d698f3d316e08cf140cuser0574ck4u7hdbb7389e";
/// let mut headers = HeaderMap::new();
/// headers.insert("authorization", format!("Bearer {key}").parse().unwrap());
/// let found = extract_api_key(&headers).unwrap().unwrap();
/// assert_eq!((found.as_str(), found.source()), (key, ApiKeySource::AuthorizationBearer));
///
/// // An access token in the same header is not an API key.
/// headers.insert("authorization", "Bearer eyJ.a.b".parse().unwrap());
/// assert!(extract_api_key(&headers).unwrap().is_none());
/// ```
///
/// # Errors
///
/// [`ApiKeyExtractError`] for a repeated, conflicting, oversized or non-ASCII API key header.
pub fn extract_api_key(headers: &HeaderMap) -> Result<Option<ExtractedApiKey>, ApiKeyExtractError> {
    let hexclave = header(headers, ApiKeySource::HexclaveApiKeyHeader)?;
    let stack = header(headers, ApiKeySource::StackApiKeyHeader)?;
    let found = match (hexclave, stack) {
        (Some(a), Some(b)) if a != b => return Err(ApiKeyExtractError::Conflict),
        (Some(key), _) => Some((key, ApiKeySource::HexclaveApiKeyHeader)),
        (None, Some(key)) => Some((key, ApiKeySource::StackApiKeyHeader)),
        (None, None) => bearer(headers),
    };
    Ok(found.map(|(key, source)| ExtractedApiKey {
        key: key.to_owned(),
        source,
    }))
}

/// The single, trimmed value of an API key header; `None` when absent or empty.
fn header(headers: &HeaderMap, source: ApiKeySource) -> Result<Option<&str>, ApiKeyExtractError> {
    let mut values = headers.get_all(source.name()).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.any(|v| v != first) {
        return Err(ApiKeyExtractError::Ambiguous(source));
    }
    let value = first
        .to_str()
        .ok()
        .filter(|v| v.len() <= MAX_API_KEY_LEN + 64)
        .map(str::trim)
        .filter(|v| v.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or(ApiKeyExtractError::Malformed(source))?;
    Ok((!value.is_empty()).then_some(value))
}

/// `Authorization: Bearer <key>`, when a single such header carries something in the key
/// format (anything else in it is the access token's business).
fn bearer(headers: &HeaderMap) -> Option<(&str, ApiKeySource)> {
    let mut values = headers.get_all(http::header::AUTHORIZATION).iter();
    let value = values.next()?.to_str().ok()?;
    if values.next().is_some() {
        return None;
    }
    let (scheme, credential) = value.trim().split_once(' ')?;
    let credential = credential.trim();
    (scheme.eq_ignore_ascii_case("bearer") && looks_like_api_key(credential))
        .then_some((credential, ApiKeySource::AuthorizationBearer))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    const KEY: &str = "sk_0123456789abcdefghjkmnpqrstvwxyz0123456789abc3241a28583294d698f3d316e08cf140cuser0574ck4u7hdbb7389e";

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn found(pairs: &[(&str, &str)]) -> Option<(String, ApiKeySource)> {
        extract_api_key(&headers(pairs))
            .unwrap()
            .map(|k| (k.as_str().to_owned(), k.source()))
    }

    #[test]
    fn the_headers_in_precedence_order() {
        let bearer = format!("Bearer {KEY}");
        assert_eq!(
            found(&[
                ("x-stack-api-key", KEY),
                ("authorization", "Bearer eyJ.a.b")
            ]),
            Some((KEY.to_owned(), ApiKeySource::StackApiKeyHeader))
        );
        assert_eq!(
            found(&[("x-stack-api-key", KEY), ("x-hexclave-api-key", KEY)]),
            Some((KEY.to_owned(), ApiKeySource::HexclaveApiKeyHeader))
        );
        assert_eq!(
            found(&[("authorization", &bearer)]),
            Some((KEY.to_owned(), ApiKeySource::AuthorizationBearer))
        );
        // A malformed key in an API key header is still the request's key.
        assert_eq!(
            found(&[("x-stack-api-key", "sk_not_a_key")]),
            Some(("sk_not_a_key".to_owned(), ApiKeySource::StackApiKeyHeader))
        );
        for not_a_key in [
            "Bearer eyJ.a.b",
            "Bearer stackauth_eyJhY2Nlc3NUb2tlbiI6bnVsbH0=",
            "Basic dXNlcjpwYXNz",
            "Bearer sk_short",
        ] {
            assert_eq!(found(&[("authorization", not_a_key)]), None, "{not_a_key}");
        }
        assert_eq!(found(&[("x-stack-api-key", "  ")]), None);
    }

    #[test]
    fn repeated_conflicting_and_broken_headers_are_errors() {
        let other = KEY.replace("sk_", "xk_");
        let cases: [(&[(&str, &str)], ApiKeyExtractError); 3] = [
            (
                &[("x-stack-api-key", KEY), ("x-stack-api-key", &other)],
                ApiKeyExtractError::Ambiguous(ApiKeySource::StackApiKeyHeader),
            ),
            (
                &[("x-hexclave-api-key", KEY), ("x-stack-api-key", &other)],
                ApiKeyExtractError::Conflict,
            ),
            (
                &[("x-stack-api-key", "a b")],
                ApiKeyExtractError::Malformed(ApiKeySource::StackApiKeyHeader),
            ),
        ];
        for (pairs, expected) in cases {
            assert_eq!(extract_api_key(&headers(pairs)), Err(expected));
        }
        let long = "k".repeat(MAX_API_KEY_LEN + 100);
        assert!(extract_api_key(&headers(&[("x-hexclave-api-key", &long)])).is_err());
        let shown = format!(
            "{:?}",
            extract_api_key(&headers(&[("x-stack-api-key", KEY)]))
        );
        assert!(!shown.contains(&KEY[3..40]), "{shown}");
    }
}
