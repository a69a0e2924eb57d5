//! [`extract_token`]: find the access token in an incoming request's headers (PROTOCOL §5.3,
//! §9.2).

use std::fmt;

use http::HeaderMap;

pub use api_key::{extract_api_key, ApiKeyExtractError, ApiKeySource, ExtractedApiKey};

mod api_key;
mod bearer;
mod cookie;
mod headers;

/// Longest token accepted from a request (real access tokens are about 1 KiB).
pub const MAX_TOKEN_LEN: usize = 8 * 1024;

/// Where a token was found. The variants are listed in precedence order (see
/// [`extract_token`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenSource {
    /// `x-hexclave-access-token: <jwt>`, the renamed form of [`AccessTokenHeader`](Self::AccessTokenHeader).
    HexclaveAccessTokenHeader,
    /// `x-stack-access-token: <jwt>`, what Stack Auth's docs tell clients to send to your server.
    AccessTokenHeader,
    /// `Authorization: Bearer stackauth_<base64 JSON>` (or `hexclave_…`), what the official
    /// client's `user.getAuthorizationHeader()` produces: standard padded base64 of
    /// `{"accessToken": …, "refreshToken": …}`.
    AuthorizationBearerAuthJson,
    /// `Authorization: Bearer <jwt>`: a bare token, without the `stackauth_` / `hexclave_`
    /// prefix.
    AuthorizationBearer,
    /// `x-stack-auth: {"accessToken": "<jwt>", ...}`, what `user.getAuthHeaders()` produces.
    StackAuthHeader,
    /// The `hexclave-access` cookie, `["<refresh token>", "<jwt>"]`, set by the official web
    /// SDK since the rename.
    HexclaveCookie,
    /// The legacy `stack-access` cookie, `["<refresh token>", "<jwt>"]`, set by Stack Auth's web
    /// SDK before the rename.
    StackAccessCookie,
}

impl TokenSource {
    /// Every source, in precedence order.
    pub const ALL: [TokenSource; 7] = [
        TokenSource::HexclaveAccessTokenHeader,
        TokenSource::AccessTokenHeader,
        TokenSource::AuthorizationBearerAuthJson,
        TokenSource::AuthorizationBearer,
        TokenSource::StackAuthHeader,
        TokenSource::HexclaveCookie,
        TokenSource::StackAccessCookie,
    ];

    /// The header (or cookie) the token is read from, as it is named on the wire, for
    /// messages. Both `Authorization` forms are `authorization`; [`label`](Self::label) tells
    /// them apart.
    pub fn name(self) -> &'static str {
        match self {
            TokenSource::HexclaveAccessTokenHeader => "x-hexclave-access-token",
            TokenSource::AccessTokenHeader => "x-stack-access-token",
            TokenSource::AuthorizationBearerAuthJson | TokenSource::AuthorizationBearer => {
                "authorization"
            }
            TokenSource::StackAuthHeader => "x-stack-auth",
            TokenSource::HexclaveCookie => "hexclave-access cookie",
            TokenSource::StackAccessCookie => "stack-access cookie",
        }
    }

    /// A stable, unique identifier (`snake_case`) for logs, metrics and machine-readable
    /// output.
    pub fn label(self) -> &'static str {
        match self {
            TokenSource::HexclaveAccessTokenHeader => "hexclave_access_token_header",
            TokenSource::AccessTokenHeader => "access_token_header",
            TokenSource::AuthorizationBearerAuthJson => "authorization_bearer_auth_json",
            TokenSource::AuthorizationBearer => "authorization_bearer",
            TokenSource::StackAuthHeader => "stack_auth_header",
            TokenSource::HexclaveCookie => "hexclave_access_cookie",
            TokenSource::StackAccessCookie => "stack_access_cookie",
        }
    }

    /// Whether the source is a cookie (an ambient credential the browser sends by itself).
    pub fn is_cookie(self) -> bool {
        matches!(
            self,
            TokenSource::HexclaveCookie | TokenSource::StackAccessCookie
        )
    }

    const fn bit(self) -> u8 {
        match self {
            TokenSource::HexclaveAccessTokenHeader => 1,
            TokenSource::AccessTokenHeader => 1 << 1,
            TokenSource::AuthorizationBearerAuthJson => 1 << 2,
            TokenSource::AuthorizationBearer => 1 << 3,
            TokenSource::StackAuthHeader => 1 << 4,
            TokenSource::HexclaveCookie => 1 << 5,
            TokenSource::StackAccessCookie => 1 << 6,
        }
    }
}

/// The set of places [`extract_token_from`] may read a token from.
///
/// Servers whose state-changing routes must not be reachable with ambient credentials (CSRF)
/// leave the cookies out:
///
/// ```
/// use http::HeaderMap;
/// use stack_auth_core::{extract_token_from, TokenSources};
///
/// let mut headers = HeaderMap::new();
/// headers.insert("cookie", r#"hexclave-access=["refresh","eyJ.a.b"]"#.parse().unwrap());
/// assert!(extract_token_from(&headers, TokenSources::HEADERS_ONLY).unwrap().is_none());
/// assert!(extract_token_from(&headers, TokenSources::ALL).unwrap().is_some());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenSources(u8);

impl TokenSources {
    /// Every source, in precedence order (what [`extract_token`] reads).
    pub const ALL: TokenSources = TokenSources(0b111_1111);
    /// The headers only: neither the `hexclave-access` nor the `stack-access` cookie.
    pub const HEADERS_ONLY: TokenSources = TokenSources::ALL
        .without(TokenSource::HexclaveCookie)
        .without(TokenSource::StackAccessCookie);

    /// Just `source`.
    pub const fn only(source: TokenSource) -> TokenSources {
        TokenSources(source.bit())
    }

    /// This set with `source` added.
    #[must_use]
    pub const fn with(self, source: TokenSource) -> TokenSources {
        TokenSources(self.0 | source.bit())
    }

    /// This set with `source` removed.
    #[must_use]
    pub const fn without(self, source: TokenSource) -> TokenSources {
        TokenSources(self.0 & !source.bit())
    }

    /// Whether `source` is in the set.
    pub const fn contains(self, source: TokenSource) -> bool {
        self.0 & source.bit() != 0
    }
}

impl Default for TokenSources {
    fn default() -> Self {
        TokenSources::ALL
    }
}

impl fmt::Debug for TokenSources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(TokenSource::ALL.into_iter().filter(|s| self.contains(*s)))
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
    /// The header (or cookie) is repeated with different values.
    #[error("{} is sent more than once", .0.name())]
    Ambiguous(TokenSource),
    /// Two sources read together carry different tokens (`x-hexclave-access-token` and
    /// `x-stack-access-token`).
    #[error("{} and {} carry different tokens", .0.name(), .1.name())]
    Conflict(TokenSource, TokenSource),
    /// The value is not what the source's format requires.
    #[error("{src} is malformed: {why}", src = .0.name(), why = .1)]
    Malformed(TokenSource, &'static str),
}

impl ExtractError {
    /// The source that could not be read (the first of two conflicting ones).
    pub fn source_kind(&self) -> TokenSource {
        match self {
            ExtractError::TooLarge(s)
            | ExtractError::Ambiguous(s)
            | ExtractError::Conflict(s, _)
            | ExtractError::Malformed(s, _) => *s,
        }
    }
}

/// What one place of the request says about the token.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    /// Not there (or empty): the next source is read.
    Absent,
    /// There, and it says there is no token (`accessToken` null or missing): no token.
    NoToken,
    /// There, with a token.
    Token(String, TokenSource),
}

/// Reads the access token from request headers.
///
/// The sources are read in this order; **the first one present decides**: its token, or no
/// token when it says there is none. A malformed one is an error, not skipped, so a client
/// cannot smuggle a second token past a broken first one.
///
/// | # | source | format | no token when |
/// |---|---|---|---|
/// | 1 | `x-hexclave-access-token`, `x-stack-access-token` ([`HexclaveAccessTokenHeader`](TokenSource::HexclaveAccessTokenHeader), [`AccessTokenHeader`](TokenSource::AccessTokenHeader)) | the bare JWT; both may be sent, with the same token (two different tokens are [`ExtractError::Conflict`]) | — |
/// | 2 | `Authorization: Bearer stackauth_…` or `…hexclave_…` ([`AuthorizationBearerAuthJson`](TokenSource::AuthorizationBearerAuthJson)) | standard padded base64 of a JSON object, decoded as the official parser does | `accessToken` null or missing |
/// | 2 | `Authorization: Bearer <jwt>` ([`AuthorizationBearer`](TokenSource::AuthorizationBearer)) | any other bearer credential; other schemes are ignored | — |
/// | 3 | `x-stack-auth` ([`StackAuthHeader`](TokenSource::StackAuthHeader)) | JSON object | `accessToken` null or missing |
/// | 4 | the `hexclave-access` cookie ([`HexclaveCookie`](TokenSource::HexclaveCookie)) | percent-encoded JSON array, token at index 1 | index 1 null |
/// | 5 | the `stack-access` cookie ([`Cookie`](TokenSource::StackAccessCookie)) | as `hexclave-access` | index 1 null |
///
/// Values are trimmed; an empty value counts as absent. A header repeated with different
/// values, or a cookie sent twice with different values, is [`ExtractError::Ambiguous`].
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
///
/// // What `user.getAuthorizationHeader()` of the official JS client sends:
/// // base64 of {"accessToken":"eyJ.a.b","refreshToken":null}
/// headers.insert(
///     "authorization",
///     "Bearer stackauth_eyJhY2Nlc3NUb2tlbiI6ImV5Si5hLmIiLCJyZWZyZXNoVG9rZW4iOm51bGx9"
///         .parse()
///         .unwrap(),
/// );
/// let token = extract_token(&headers).unwrap().unwrap();
/// assert_eq!(token.as_str(), "eyJ.a.b");
/// assert_eq!(token.source(), TokenSource::AuthorizationBearerAuthJson);
/// assert!(extract_token(&HeaderMap::new()).unwrap().is_none());
/// ```
///
/// # Errors
///
/// [`ExtractError`] for an oversized, repeated, conflicting or malformed token source.
pub fn extract_token(headers: &HeaderMap) -> Result<Option<ExtractedToken>, ExtractError> {
    extract_token_from(headers, TokenSources::ALL)
}

/// Like [`extract_token`], reading only the given `sources` (same precedence among them; a
/// source outside the set is not read at all).
///
/// # Errors
///
/// [`ExtractError`] for an oversized, repeated, conflicting or malformed value of a source in
/// the set.
pub fn extract_token_from(
    headers: &HeaderMap,
    sources: TokenSources,
) -> Result<Option<ExtractedToken>, ExtractError> {
    type Reader = fn(&HeaderMap, TokenSources) -> Result<Found, ExtractError>;
    const READERS: [Reader; 4] = [
        headers::access_token_headers,
        bearer::authorization,
        headers::stack_auth_header,
        cookie::access_cookies,
    ];
    for read in READERS {
        match read(headers, sources)? {
            Found::Absent => {}
            Found::NoToken => return Ok(None),
            Found::Token(token, source) => return Ok(Some(ExtractedToken { token, source })),
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests;
