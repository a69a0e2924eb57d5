//! [`extract_token`]: find the access token in an incoming request's headers (PROTOCOL §5.3).

use std::fmt;

use http::{header, HeaderMap, HeaderValue};
use percent_encoding::percent_decode_str;
use serde_json::Value;

/// Longest token accepted from a request (real access tokens are about 1 KiB).
pub const MAX_TOKEN_LEN: usize = 8 * 1024;

/// Where a token was found, in precedence order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenSource {
    /// `x-stack-access-token: <jwt>`, what Stack Auth's docs tell clients to send to your server.
    AccessTokenHeader,
    /// `Authorization: Bearer <jwt>`.
    AuthorizationBearer,
    /// `x-stack-auth: {"accessToken": "<jwt>", ...}`, what `user.getAuthHeaders()` produces.
    StackAuthHeader,
    /// The `stack-access` cookie, `["<refresh token>", "<jwt>"]`, set by Stack Auth's web SDK.
    Cookie,
}

impl TokenSource {
    /// The header (or cookie) name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            TokenSource::AccessTokenHeader => "x-stack-access-token",
            TokenSource::AuthorizationBearer => "authorization",
            TokenSource::StackAuthHeader => "x-stack-auth",
            TokenSource::Cookie => "stack-access cookie",
        }
    }
}

/// The set of places [`extract_token_from`] may read a token from.
///
/// Servers whose state-changing routes must not be reachable with ambient credentials (CSRF)
/// can leave the cookie out:
///
/// ```
/// use http::HeaderMap;
/// use stack_auth_core::{extract_token_from, TokenSource, TokenSources};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("cookie", r#"stack-access=["refresh","eyJ.a.b"]"#.parse().unwrap());
/// let headers_only = TokenSources::ALL.without(TokenSource::Cookie);
/// assert!(extract_token_from(&headers, headers_only).unwrap().is_none());
/// assert!(extract_token_from(&headers, TokenSources::ALL).unwrap().is_some());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenSources(u8);

impl TokenSources {
    /// Every source, in precedence order (what [`extract_token`] reads).
    pub const ALL: TokenSources = TokenSources(0b1111);
    /// The headers only: no cookie.
    pub const HEADERS_ONLY: TokenSources = TokenSources(0b0111);

    const fn bit(source: TokenSource) -> u8 {
        match source {
            TokenSource::AccessTokenHeader => 1,
            TokenSource::AuthorizationBearer => 2,
            TokenSource::StackAuthHeader => 4,
            TokenSource::Cookie => 8,
        }
    }

    /// Just `source`.
    pub const fn only(source: TokenSource) -> TokenSources {
        TokenSources(Self::bit(source))
    }

    /// This set with `source` added.
    #[must_use]
    pub const fn with(self, source: TokenSource) -> TokenSources {
        TokenSources(self.0 | Self::bit(source))
    }

    /// This set with `source` removed.
    #[must_use]
    pub const fn without(self, source: TokenSource) -> TokenSources {
        TokenSources(self.0 & !Self::bit(source))
    }

    /// Whether `source` is in the set.
    pub const fn contains(self, source: TokenSource) -> bool {
        self.0 & Self::bit(source) != 0
    }
}

impl Default for TokenSources {
    fn default() -> Self {
        TokenSources::ALL
    }
}

impl fmt::Debug for TokenSources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all = [
            TokenSource::AccessTokenHeader,
            TokenSource::AuthorizationBearer,
            TokenSource::StackAuthHeader,
            TokenSource::Cookie,
        ];
        f.debug_set()
            .entries(all.into_iter().filter(|s| self.contains(*s)))
            .finish()
    }
}

/// A token read from a request. `Debug` does not show it.
#[derive(Clone, PartialEq, Eq)]
pub struct ExtractedToken {
    token: String,
    source: TokenSource,
}

impl ExtractedToken {
    /// The token.
    pub fn as_str(&self) -> &str {
        &self.token
    }

    /// Where it was found.
    pub fn source(&self) -> TokenSource {
        self.source
    }

    /// The token, owned.
    pub fn into_string(self) -> String {
        self.token
    }
}

impl fmt::Debug for ExtractedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtractedToken")
            .field("token", &crate::redact_token(&self.token))
            .field("source", &self.source)
            .finish()
    }
}

/// A header that should carry a token but cannot be read. Never contains the header's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// The value is longer than [`MAX_TOKEN_LEN`].
    #[error("{} is too large", .0.name())]
    TooLarge(TokenSource),
    /// The header is repeated with different values.
    #[error("{} is sent more than once", .0.name())]
    Ambiguous(TokenSource),
    /// The value is not what the source's format requires.
    #[error("{src} is malformed: {why}", src = .0.name(), why = .1)]
    Malformed(TokenSource, &'static str),
}

impl ExtractError {
    /// The source that could not be read.
    pub fn source_kind(&self) -> TokenSource {
        match self {
            ExtractError::TooLarge(s)
            | ExtractError::Ambiguous(s)
            | ExtractError::Malformed(s, _) => *s,
        }
    }
}

/// Reads the access token from request headers.
///
/// Sources are tried in this order, and the first present one wins (a malformed earlier source
/// is an error, not skipped, so a client cannot smuggle a second token past a broken first one):
/// 1. `x-stack-access-token`
/// 2. `Authorization: Bearer` (other schemes are ignored)
/// 3. `x-stack-auth` (JSON object; `accessToken` missing or null means no token)
/// 4. the `stack-access` cookie (percent-encoded JSON array, token at index 1)
///
/// Values are trimmed; an empty value counts as absent.
///
/// ```
/// use http::HeaderMap;
/// use stack_auth_core::{extract_token, TokenSource};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("authorization", "Bearer eyJ.a.b".parse().unwrap());
/// let token = extract_token(&headers).unwrap().unwrap();
/// assert_eq!(token.as_str(), "eyJ.a.b");
/// assert_eq!(token.source(), TokenSource::AuthorizationBearer);
/// assert!(extract_token(&HeaderMap::new()).unwrap().is_none());
/// ```
///
/// # Errors
///
/// [`ExtractError`] for an oversized, repeated or malformed token source.
pub fn extract_token(headers: &HeaderMap) -> Result<Option<ExtractedToken>, ExtractError> {
    extract_token_from(headers, TokenSources::ALL)
}

/// Like [`extract_token`], reading only the given `sources` (same precedence among them).
///
/// # Errors
///
/// [`ExtractError`] for an oversized, repeated or malformed value of a source in the set.
pub fn extract_token_from(
    headers: &HeaderMap,
    sources: TokenSources,
) -> Result<Option<ExtractedToken>, ExtractError> {
    type Reader = fn(&HeaderMap) -> Result<Option<String>, ExtractError>;
    const READERS: [(Reader, TokenSource); 4] = [
        (from_access_token_header, TokenSource::AccessTokenHeader),
        (from_bearer, TokenSource::AuthorizationBearer),
        (from_stack_auth_header, TokenSource::StackAuthHeader),
        (from_cookie, TokenSource::Cookie),
    ];
    for (read, source) in READERS {
        if !sources.contains(source) {
            continue;
        }
        if let Some(token) = read(headers)? {
            return Ok(Some(ExtractedToken { token, source }));
        }
    }
    Ok(None)
}

/// The single value of `name`, as trimmed visible ASCII; `None` when absent or empty.
fn single<'a>(
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
    s.bytes()
        .all(|b| b == b' ' || b == b'\t' || b.is_ascii_graphic())
        .then_some(s)
}

fn checked_token(token: &str, source: TokenSource) -> Result<Option<String>, ExtractError> {
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
    Ok((!token.is_empty()).then(|| token.to_owned()))
}

fn from_access_token_header(headers: &HeaderMap) -> Result<Option<String>, ExtractError> {
    let src = TokenSource::AccessTokenHeader;
    match single(headers, "x-stack-access-token", src, MAX_TOKEN_LEN + 64)? {
        Some(v) => checked_token(v, src),
        None => Ok(None),
    }
}

fn from_bearer(headers: &HeaderMap) -> Result<Option<String>, ExtractError> {
    let src = TokenSource::AuthorizationBearer;
    let Some(v) = single(
        headers,
        header::AUTHORIZATION.as_str(),
        src,
        MAX_TOKEN_LEN + 64,
    )?
    else {
        return Ok(None);
    };
    let (scheme, rest) = v.split_once(' ').unwrap_or((v, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Ok(None);
    }
    if rest.trim().is_empty() {
        return Err(ExtractError::Malformed(
            src,
            "bearer scheme without a token",
        ));
    }
    checked_token(rest, src)
}

fn from_stack_auth_header(headers: &HeaderMap) -> Result<Option<String>, ExtractError> {
    let src = TokenSource::StackAuthHeader;
    let Some(v) = single(headers, "x-stack-auth", src, 2 * MAX_TOKEN_LEN + 1024)? else {
        return Ok(None);
    };
    let json: Value =
        serde_json::from_str(v).map_err(|_| ExtractError::Malformed(src, "not JSON"))?;
    let Value::Object(obj) = json else {
        return Err(ExtractError::Malformed(src, "not a JSON object"));
    };
    match obj.get("accessToken") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(t)) => checked_token(t, src),
        Some(_) => Err(ExtractError::Malformed(src, "accessToken is not a string")),
    }
}

fn from_cookie(headers: &HeaderMap) -> Result<Option<String>, ExtractError> {
    let src = TokenSource::Cookie;
    let mut found: Option<&str> = None;
    for header_value in headers.get_all(header::COOKIE) {
        let Ok(line) = header_value.to_str() else {
            continue;
        };
        for pair in line.split(';') {
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            if name.trim() != "stack-access" {
                continue;
            }
            if found.is_some_and(|f| f != value.trim()) {
                return Err(ExtractError::Ambiguous(src));
            }
            found = Some(value.trim());
        }
    }
    let Some(raw) = found else { return Ok(None) };
    if raw.len() > 3 * (2 * MAX_TOKEN_LEN + 64) {
        return Err(ExtractError::TooLarge(src));
    }
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
            Value::Null => Ok(None),
            _ => Err(ExtractError::Malformed(src, "access token is not a string")),
        },
        _ => Err(ExtractError::Malformed(src, "not a two-element JSON array")),
    }
}

#[cfg(test)]
mod tests;
