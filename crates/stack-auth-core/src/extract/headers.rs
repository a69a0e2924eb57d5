//! The plain header sources: `x-hexclave-access-token` / `x-stack-access-token` and
//! `x-stack-auth`, and the checks every source shares.

use http::{HeaderMap, HeaderValue};
use serde_json::Value;

use super::{ExtractError, Found, TokenSource, TokenSources, MAX_TOKEN_LEN};

/// Longest JSON (`x-stack-auth`, the decoded auth JSON) accepted: two tokens and some slack.
pub(super) const MAX_AUTH_JSON_LEN: usize = 2 * MAX_TOKEN_LEN + 1024;

/// The single value of `name`, as trimmed visible ASCII; `None` when absent or empty.
pub(super) fn single<'a>(
    headers: &'a HeaderMap,
    name: &str,
    source: TokenSource,
    max: usize,
) -> Result<Option<&'a str>, ExtractError> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.any(|v| v != first) {
        return Err(ExtractError::Ambiguous(source));
    }
    if first.len() > max {
        return Err(ExtractError::TooLarge(source));
    }
    let s = visible(first)
        .ok_or(ExtractError::Malformed(source, "not visible ASCII"))?
        .trim();
    Ok((!s.is_empty()).then_some(s))
}

fn visible(v: &HeaderValue) -> Option<&str> {
    let s = v.to_str().ok()?;
    visible_ascii(s.as_bytes()).then_some(s)
}

/// Visible ASCII, spaces and tabs: what a token-carrying value may hold.
pub(super) fn visible_ascii(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|b| *b == b' ' || *b == b'\t' || b.is_ascii_graphic())
}

/// `token`, trimmed, as the token of `source`; none when empty.
pub(super) fn checked_token(token: &str, source: TokenSource) -> Result<Found, ExtractError> {
    let token = token.trim();
    if token.len() > MAX_TOKEN_LEN {
        return Err(ExtractError::TooLarge(source));
    }
    if token.bytes().any(|b| !b.is_ascii_graphic()) {
        return Err(ExtractError::Malformed(
            source,
            "token has spaces or control characters",
        ));
    }
    Ok(if token.is_empty() {
        Found::NoToken
    } else {
        Found::Token(token.to_owned(), source)
    })
}

/// `x-hexclave-access-token` and `x-stack-access-token`, read together: the same token in
/// both is that token (found under the `x-hexclave-` name), two different ones a conflict.
pub(super) fn access_token_headers(
    headers: &HeaderMap,
    sources: TokenSources,
) -> Result<Found, ExtractError> {
    let read = |source: TokenSource| -> Result<Option<String>, ExtractError> {
        if !sources.contains(source) {
            return Ok(None);
        }
        let Some(v) = single(headers, source.name(), source, MAX_TOKEN_LEN + 64)? else {
            return Ok(None);
        };
        Ok(match checked_token(v, source)? {
            Found::Token(t, _) => Some(t),
            Found::Absent | Found::NoToken => None,
        })
    };
    let (hexclave, stack) = (
        TokenSource::HexclaveAccessTokenHeader,
        TokenSource::AccessTokenHeader,
    );
    Ok(match (read(hexclave)?, read(stack)?) {
        (Some(a), Some(b)) if a != b => return Err(ExtractError::Conflict(hexclave, stack)),
        (Some(a), _) => Found::Token(a, hexclave),
        (None, Some(b)) => Found::Token(b, stack),
        (None, None) => Found::Absent,
    })
}

/// `x-stack-auth`: a JSON object whose `accessToken` is the token (null or missing: none).
pub(super) fn stack_auth_header(
    headers: &HeaderMap,
    sources: TokenSources,
) -> Result<Found, ExtractError> {
    let src = TokenSource::StackAuthHeader;
    if !sources.contains(src) {
        return Ok(Found::Absent);
    }
    let Some(v) = single(headers, src.name(), src, MAX_AUTH_JSON_LEN)? else {
        return Ok(Found::Absent);
    };
    let json: Value =
        serde_json::from_str(v).map_err(|_| ExtractError::Malformed(src, "not JSON"))?;
    let Value::Object(obj) = json else {
        return Err(ExtractError::Malformed(src, "not a JSON object"));
    };
    match obj.get("accessToken") {
        None | Some(Value::Null) => Ok(Found::NoToken),
        Some(Value::String(t)) => checked_token(t, src),
        Some(_) => Err(ExtractError::Malformed(src, "accessToken is not a string")),
    }
}
