//! `Authorization: Bearer …`: the official client's auth JSON (`stackauth_` / `hexclave_` +
//! base64, PROTOCOL §9.2) or a bare token.

use base64::{
    alphabet,
    engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig},
    Engine as _,
};
use http::{header, HeaderMap};
use serde_json::Value;

use super::headers::{checked_token, single, MAX_AUTH_JSON_LEN};
use super::{ExtractError, Found, TokenSource, TokenSources};

/// The prefixes of the auth JSON credential; upstream emits `stackauth_` and will switch to
/// `hexclave_`, its parser takes both.
pub(super) const AUTH_JSON_PREFIXES: [&str; 2] = ["hexclave_", "stackauth_"];

/// Longest `Authorization` value read: the base64 of the longest auth JSON, plus the scheme and
/// prefix.
const MAX_AUTHORIZATION_LEN: usize = MAX_AUTH_JSON_LEN.div_ceil(3) * 4 + 64;

/// Standard-alphabet base64 decoded the way the browser's `atob` decodes (the official parser
/// calls it): padding optional (it is stripped first), non-zero trailing bits ignored.
const ATOB: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// The `Authorization` header, as whichever of its two sources are in `sources`.
pub(super) fn authorization(
    headers: &HeaderMap,
    sources: TokenSources,
) -> Result<Found, ExtractError> {
    let (json_src, bare_src) = (
        TokenSource::AuthorizationBearerAuthJson,
        TokenSource::AuthorizationBearer,
    );
    let (json, bare) = (sources.contains(json_src), sources.contains(bare_src));
    if !json && !bare {
        return Ok(Found::Absent);
    }
    // Until the credential is seen, errors name the bare form when it is read at all.
    let src = if bare { bare_src } else { json_src };
    let name = header::AUTHORIZATION.as_str();
    let Some(value) = single(headers, name, src, MAX_AUTHORIZATION_LEN)? else {
        return Ok(Found::Absent);
    };
    let Some(credential) = bearer_credential(value) else {
        return Ok(Found::Absent);
    };
    if credential.is_empty() {
        return Err(ExtractError::Malformed(
            src,
            "bearer scheme without a token",
        ));
    }
    match AUTH_JSON_PREFIXES
        .iter()
        .find_map(|p| credential.strip_prefix(p))
    {
        Some(encoded) if json => match auth_json_access_token(encoded) {
            Ok(Some(token)) => checked_token(&token, json_src),
            Ok(None) => Ok(Found::NoToken),
            Err(why) => Err(ExtractError::Malformed(json_src, why)),
        },
        Some(_) => Ok(Found::Absent),
        None if bare => checked_token(credential, bare_src),
        None => Ok(Found::Absent),
    }
}

/// The trimmed credential of a `Bearer` value (`/^Bearer\s+(.+)$/i`; a lone `Bearer` gives an
/// empty one); `None` for another scheme.
fn bearer_credential(value: &str) -> Option<&str> {
    let scheme = value.get(..6)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let rest = &value[6..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    Some(rest.trim())
}

/// The `accessToken` of the auth JSON `encoded` (what follows the prefix), checked as the
/// official `getAuthJsonFromAuthorizationHeaderValue` checks it: non-empty; base64 as `atob`
/// reads it; UTF-8 decoded leniently (a BOM dropped), as `TextDecoder` does; a JSON object
/// (not null, not an array) whose `accessToken` and `refreshToken` are each a string, null or
/// missing. `Ok(None)` when `accessToken` is null or missing.
pub(super) fn auth_json_access_token(encoded: &str) -> Result<Option<String>, &'static str> {
    if encoded.is_empty() {
        return Err("empty auth JSON after the stackauth_/hexclave_ prefix");
    }
    let bytes = atob(encoded).ok_or("auth JSON is not base64")?;
    if bytes.len() > MAX_AUTH_JSON_LEN {
        return Err("auth JSON is too large");
    }
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let Ok(json) = serde_json::from_str::<Value>(text) else {
        return Err("auth JSON is not JSON");
    };
    let Value::Object(obj) = json else {
        return Err("auth JSON is not an object");
    };
    if !matches!(
        obj.get("refreshToken"),
        None | Some(Value::Null | Value::String(_))
    ) {
        return Err("refreshToken is not a string or null");
    }
    match obj.get("accessToken") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(t)) => Ok(Some(t.clone())),
        Some(_) => Err("accessToken is not a string or null"),
    }
}

/// `atob`'s forgiving base64: ASCII whitespace removed, then one or two `=` dropped when the
/// length is a multiple of four; any other `=`, a character outside the standard alphabet, or
/// a length of 1 modulo 4 fails.
fn atob(encoded: &str) -> Option<Vec<u8>> {
    let mut compact: Vec<u8> = encoded
        .bytes()
        .filter(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r'))
        .collect();
    if compact.len().is_multiple_of(4) {
        for _ in 0..2 {
            if compact.last() == Some(&b'=') {
                compact.pop();
            }
        }
    }
    ATOB.decode(compact).ok()
}

#[cfg(test)]
mod tests;
