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

/// The value as text when it is visible ASCII, spaces and tabs: one pass over its bytes (a
/// token is read on every request, so `HeaderValue::to_str`'s own scan is not added to it).
fn visible(v: &HeaderValue) -> Option<&str> {
    let bytes = v.as_bytes();
    if !visible_ascii(bytes) {
        return None;
    }
    std::str::from_utf8(bytes).ok()
}

/// Visible ASCII, spaces and tabs: what a token-carrying value may hold. Branch-free over the
/// bytes, so the compiler vectorizes it.
pub(super) fn visible_ascii(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |ok, &b| {
        ok & (b.wrapping_sub(b'!') <= b'~' - b'!' || b == b' ' || b == b'\t')
    })
}

/// Visible ASCII only (no spaces or control characters), branch-free like [`visible_ascii`].
fn graphic_ascii(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .fold(true, |ok, &b| ok & (b.wrapping_sub(b'!') <= b'~' - b'!'))
}

/// `token`, trimmed, as the token of `source`; none when empty.
pub(super) fn checked_token(token: &str, source: TokenSource) -> Result<Found, ExtractError> {
    let token = token.trim();
    if token.len() > MAX_TOKEN_LEN {
        return Err(ExtractError::TooLarge(source));
    }
    if !graphic_ascii(token.as_bytes()) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_classes_match_the_standard_library_for_every_byte() {
        for b in 0..=u8::MAX {
            assert_eq!(graphic_ascii(&[b]), b.is_ascii_graphic(), "byte {b}");
            let visible = b == b' ' || b == b'\t' || b.is_ascii_graphic();
            assert_eq!(visible_ascii(&[b]), visible, "byte {b}");
            let mut long = vec![b'a'; 100];
            long[57] = b;
            assert_eq!(
                graphic_ascii(&long),
                b.is_ascii_graphic(),
                "byte {b} inside"
            );
            assert_eq!(visible_ascii(&long), visible, "byte {b} inside");
        }
    }
}
