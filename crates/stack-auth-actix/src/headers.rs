//! The headers a token may be read from, copied from actix-web's `http` 0.2 header map into the
//! `http` 1 `HeaderMap` core's extraction reads.

use actix_web::http::header::HeaderMap as ActixHeaderMap;
use http::{HeaderMap, HeaderName, HeaderValue};
use stack_auth_core::{
    framework::Rejection, ApiKeyExtractError, ApiKeySource, ExtractError, TokenSource, TokenSources,
};

/// The headers of `sources` in `headers` (every value, in order), and nothing else: the request
/// as core's extraction sees it.
///
/// # Errors
///
/// An unreadable-token [`Rejection`] (400) for a value `http` 1 refuses; both `http` versions
/// accept the same bytes, so a request actix-web parsed never has one.
pub(crate) fn token_headers(
    headers: &ActixHeaderMap,
    sources: TokenSources,
) -> Result<HeaderMap, Rejection> {
    let mut copied = HeaderMap::new();
    for source in TokenSource::ALL
        .into_iter()
        .filter(|s| sources.contains(*s))
    {
        let name = if source.is_cookie() {
            "cookie"
        } else {
            source.name()
        };
        let Ok(name) = HeaderName::from_bytes(name.as_bytes()) else {
            continue;
        };
        if copied.contains_key(&name) {
            continue;
        }
        for value in headers.get_all(name.as_str()) {
            let value = HeaderValue::from_bytes(value.as_bytes()).map_err(|_| {
                Rejection::from(ExtractError::Malformed(source, "not a valid header value"))
            })?;
            copied.append(name.clone(), value);
        }
    }
    Ok(copied)
}

/// The headers an API key may be read from (`x-hexclave-api-key`, `x-stack-api-key`,
/// `authorization`), copied as [`token_headers`] copies a token's.
///
/// # Errors
///
/// An unreadable-API-key [`Rejection`] (400) for a value `http` 1 refuses.
pub(crate) fn api_key_headers(headers: &ActixHeaderMap) -> Result<HeaderMap, Rejection> {
    let mut copied = HeaderMap::new();
    let sources = [
        ApiKeySource::HexclaveApiKeyHeader,
        ApiKeySource::StackApiKeyHeader,
        ApiKeySource::AuthorizationBearer,
    ];
    for source in sources {
        let name = HeaderName::from_static(source.name());
        for value in headers.get_all(name.as_str()) {
            let value = HeaderValue::from_bytes(value.as_bytes())
                .map_err(|_| Rejection::from(ApiKeyExtractError::Malformed(source)))?;
            copied.append(name.clone(), value);
        }
    }
    Ok(copied)
}
