//! The access cookies: `hexclave-access`, then the legacy `stack-access` (PROTOCOL §5.3, §9.2).

use http::{header, HeaderMap};
use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::headers::{checked_token, visible_ascii, MAX_AUTH_JSON_LEN};
use super::{ExtractError, Found, TokenSource, TokenSources};

/// Longest cookie value read: the percent-encoded JSON array of two tokens.
const MAX_COOKIE_LEN: usize = 3 * (MAX_AUTH_JSON_LEN + 64);

/// The first access cookie present among those in `sources`: `hexclave-access`, else
/// `stack-access`.
pub(super) fn access_cookies(
    headers: &HeaderMap,
    sources: TokenSources,
) -> Result<Found, ExtractError> {
    for (name, source) in [
        ("hexclave-access", TokenSource::HexclaveCookie),
        ("stack-access", TokenSource::StackAccessCookie),
    ] {
        if !sources.contains(source) {
            continue;
        }
        if let Some(raw) = cookie_value(headers, name, source)? {
            return access_cookie(raw, source);
        }
    }
    Ok(Found::Absent)
}

/// The value of cookie `name` over every `Cookie` header; `None` when absent or empty.
///
/// The headers are split as raw bytes: another cookie's non-ASCII value (`lang=français`) is
/// none of our business, only the value read must be visible ASCII.
fn cookie_value<'a>(
    headers: &'a HeaderMap,
    name: &str,
    source: TokenSource,
) -> Result<Option<&'a str>, ExtractError> {
    let mut found: Option<&[u8]> = None;
    for line in headers.get_all(header::COOKIE) {
        for pair in line.as_bytes().split(|b| *b == b';') {
            let Some(eq) = pair.iter().position(|b| *b == b'=') else {
                continue;
            };
            if pair[..eq].trim_ascii() != name.as_bytes() {
                continue;
            }
            let value = pair[eq + 1..].trim_ascii();
            if found.is_some_and(|f| f != value) {
                return Err(ExtractError::Ambiguous(source));
            }
            found = Some(value);
        }
    }
    let Some(raw) = found.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if raw.len() > MAX_COOKIE_LEN {
        return Err(ExtractError::TooLarge(source));
    }
    match std::str::from_utf8(raw) {
        Ok(s) if visible_ascii(raw) => Ok(Some(s)),
        _ => Err(ExtractError::Malformed(source, "not visible ASCII")),
    }
}

/// An access cookie's value: `["<refresh token>", "<access token>"]`, percent-encoded and
/// maybe quoted; a null access token is none.
fn access_cookie(raw: &str, src: TokenSource) -> Result<Found, ExtractError> {
    let raw = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(raw);
    let decoded = percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| ExtractError::Malformed(src, "not UTF-8 after percent-decoding"))?;
    let json: Value =
        serde_json::from_str(&decoded).map_err(|_| ExtractError::Malformed(src, "not JSON"))?;
    match json {
        Value::Array(items) if items.len() == 2 => match &items[1] {
            Value::String(t) => checked_token(t, src),
            Value::Null => Ok(Found::NoToken),
            _ => Err(ExtractError::Malformed(src, "access token is not a string")),
        },
        _ => Err(ExtractError::Malformed(src, "not a two-element JSON array")),
    }
}
