//! The users/me request: the header set (PROTOCOL §3.1, §3.2) and a send that caps the body.

use std::fmt;

use async_trait::async_trait;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, USER_AGENT};
use stack_auth_core::{UserType, UserTypes};

use crate::error::RestError;

/// Header carrying the access type; always `server`.
pub(crate) const ACCESS_TYPE: &str = "x-stack-access-type";
/// Header carrying the project id.
pub(crate) const PROJECT_ID: &str = "x-stack-project-id";
/// Header carrying the secret server key.
pub(crate) const SECRET_SERVER_KEY: &str = "x-stack-secret-server-key";
/// Header carrying the end user's access token.
pub(crate) const ACCESS_TOKEN: &str = "x-stack-access-token";
/// Lets anonymous users' tokens through; sent only when anonymous users are accepted.
pub(crate) const ALLOW_ANONYMOUS: &str = "x-stack-allow-anonymous-user";
/// Lets restricted users' tokens through; sent only when restricted or anonymous users are
/// accepted.
pub(crate) const ALLOW_RESTRICTED: &str = "x-stack-allow-restricted-user";
/// Response headers naming the known error, read in this order (PROTOCOL §9.3: the renamed
/// service sends both, the client reads the `x-hexclave-` one first).
pub(crate) const KNOWN_ERROR: [&str; 2] = ["x-hexclave-known-error", "x-stack-known-error"];
/// Response headers with the real status when the error status was overridden, read in this
/// order.
pub(crate) const ACTUAL_STATUS: [&str; 2] = ["x-hexclave-actual-status", "x-stack-actual-status"];

/// What the verifier needs from a users/me response.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawResponse {
    /// The HTTP status.
    pub(crate) status: u16,
    /// `x-hexclave-known-error`, else `x-stack-known-error`, if present and readable.
    pub(crate) known_error: Option<String>,
    /// `x-hexclave-actual-status`, else `x-stack-actual-status`, if present and readable.
    pub(crate) actual_status: Option<String>,
    /// `retry-after`, if present and readable.
    pub(crate) retry_after: Option<String>,
    /// `content-type`, if present and readable.
    pub(crate) content_type: Option<String>,
    /// The body, at most the configured cap (empty when it was over).
    pub(crate) body: Vec<u8>,
    /// The body was larger than the cap: reading stopped there, and `body` is empty. Whether
    /// that is Stack Auth's fault depends on the answer (see `response::classify`).
    pub(crate) body_over_cap: bool,
}

/// Why no response could be read.
#[derive(Debug)]
pub(crate) enum TransportError {
    /// Connecting failed, or the connection dropped before a complete response.
    Connect(RestError),
    /// The HTTP client's own timeout fired.
    Timeout(RestError),
    /// The request could not be built (a bug or a broken injected client).
    Request(RestError),
    /// The injected HTTP client followed a redirect: the secret server key and the token were
    /// sent to another URL, and its answer is not Stack Auth's.
    Redirected,
}

/// Sends one users/me request. The real one is [`HttpTransport`]; tests substitute scripted
/// answers to exercise retries and the breaker under paused time.
#[async_trait]
pub(crate) trait Transport: Send + Sync + fmt::Debug {
    /// Asks users/me about `token` once, asking Stack Auth to let through users of the
    /// `allowed` types only (see [`allow_headers`]).
    async fn users_me(
        &self,
        token: &HeaderValue,
        allowed: UserTypes,
    ) -> Result<RawResponse, TransportError>;
}

/// [`Transport`] over a pooled `reqwest::Client`.
pub(crate) struct HttpTransport {
    client: reqwest::Client,
    url: String,
    headers: HeaderMap,
    max_body: usize,
}

impl fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpTransport")
            .field("url", &self.url)
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

impl HttpTransport {
    /// A transport sending the fixed headers with every request; `secret_key` is marked
    /// sensitive so the HTTP stack never prints it.
    pub(crate) fn new(
        client: reqwest::Client,
        url: String,
        project_id: HeaderValue,
        mut secret_key: HeaderValue,
        max_body: usize,
    ) -> Self {
        secret_key.set_sensitive(true);
        let mut headers = HeaderMap::new();
        let fixed: [(&'static str, HeaderValue); 3] = [
            (ACCESS_TYPE, HeaderValue::from_static("server")),
            (PROJECT_ID, project_id),
            (SECRET_SERVER_KEY, secret_key),
        ];
        for (name, value) in fixed {
            headers.insert(HeaderName::from_static(name), value);
        }
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("stack-auth-rest/", env!("CARGO_PKG_VERSION"))),
        );
        HttpTransport {
            client,
            url,
            headers,
            max_body,
        }
    }
}

#[async_trait]
impl Transport for HttpTransport {
    async fn users_me(
        &self,
        token: &HeaderValue,
        allowed: UserTypes,
    ) -> Result<RawResponse, TransportError> {
        let mut token = token.clone();
        token.set_sensitive(true);
        let mut headers = self.headers.clone();
        for name in allow_headers(allowed) {
            headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static("true"),
            );
        }
        let request = self
            .client
            .get(&self.url)
            .headers(headers)
            .header(ACCESS_TOKEN, token)
            .build()
            .map_err(classify)?;
        let requested = request.url().clone();
        let mut response = self.client.execute(request).await.map_err(classify)?;
        if response.url() != &requested {
            // A caller-supplied client that follows redirects: whatever answered is not
            // users/me, so nothing it said is used.
            return Err(TransportError::Redirected);
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let first = |names: [&str; 2]| names.into_iter().find_map(header);
        let mut raw = RawResponse {
            status: response.status().as_u16(),
            known_error: first(KNOWN_ERROR),
            actual_status: first(ACTUAL_STATUS),
            retry_after: header(reqwest::header::RETRY_AFTER.as_str()),
            content_type: header(reqwest::header::CONTENT_TYPE.as_str()),
            body: Vec::new(),
            body_over_cap: false,
        };
        // Stop reading at the cap: the answer is dropped with its connection, and whether it
        // counts against Stack Auth's health is for `classify` to say, not a transport error.
        if response
            .content_length()
            .is_some_and(|len| len > self.max_body as u64)
        {
            raw.body_over_cap = true;
            return Ok(raw);
        }
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if raw.body.len() + chunk.len() > self.max_body {
                raw.body = Vec::new();
                raw.body_over_cap = true;
                return Ok(raw);
            }
            raw.body.extend_from_slice(&chunk);
        }
        Ok(raw)
    }
}

/// The `x-stack-allow-*-user: true` headers for `allowed`: Stack Auth refuses the other types
/// itself (`ANONYMOUS_AUTHENTICATION_NOT_ALLOWED`, `RESTRICTED_USER_NOT_ALLOWED`), on top of
/// the verifier's own check. Stack Auth's anonymous header implies restricted users too, so it
/// goes with the restricted one.
pub(crate) fn allow_headers(allowed: UserTypes) -> impl Iterator<Item = &'static str> {
    let anonymous = allowed.contains(UserType::Anonymous);
    let restricted = anonymous || allowed.contains(UserType::Restricted);
    [(ALLOW_RESTRICTED, restricted), (ALLOW_ANONYMOUS, anonymous)]
        .into_iter()
        .filter_map(|(name, send)| send.then_some(name))
}

/// Sorts a client error: a client-side timeout, a request that could not be built, or else a
/// connection that failed or dropped (all retryable for an idempotent GET).
fn classify(e: reqwest::Error) -> TransportError {
    if e.is_timeout() {
        TransportError::Timeout(RestError::Http(e))
    } else if e.is_builder() {
        TransportError::Request(RestError::Http(e))
    } else {
        TransportError::Connect(RestError::Http(e))
    }
}
