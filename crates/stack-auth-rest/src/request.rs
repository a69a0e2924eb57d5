//! One server-API request: the header set every server call carries (PROTOCOL §3.1, §3.2,
//! §10.0) and a send that caps the body.

use std::fmt;

use async_trait::async_trait;
use reqwest::{
    header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE, USER_AGENT},
    Method,
};
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

/// One request to Stack Auth's server API: the method, the path under `/api/v1` (with its
/// query string), the end user's access token when the endpoint reads one, the user types
/// Stack Auth is asked to let through, and a JSON body.
#[derive(Clone)]
pub(crate) struct ApiRequest {
    pub(crate) method: Method,
    /// The path under `/api/v1`, starting with `/`, query string included.
    pub(crate) path: String,
    /// `x-stack-access-token`, for endpoints that read the caller's token (users/me,
    /// `user_id=me`).
    pub(crate) token: Option<HeaderValue>,
    /// The `x-stack-allow-*-user` headers to send (meaningful with a token only).
    pub(crate) allowed: UserTypes,
    /// A JSON body (sent with `content-type: application/json`).
    pub(crate) body: Option<Vec<u8>>,
}

impl ApiRequest {
    /// A `GET` of `path`, without token or body.
    pub(crate) fn get(path: impl Into<String>) -> Self {
        ApiRequest {
            method: Method::GET,
            path: path.into(),
            token: None,
            allowed: UserTypes::NORMAL_ONLY,
            body: None,
        }
    }

    /// A `POST` of the JSON `body` to `path`.
    pub(crate) fn post_json(path: impl Into<String>, body: Vec<u8>) -> Self {
        ApiRequest {
            method: Method::POST,
            body: Some(body),
            ..ApiRequest::get(path)
        }
    }

    /// This request carrying the end user's `token`, letting through users of `allowed`.
    pub(crate) fn with_token(mut self, token: HeaderValue, allowed: UserTypes) -> Self {
        self.token = Some(token);
        self.allowed = allowed;
        self
    }
}

impl fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("has_token", &self.token.is_some())
            .field("allowed", &self.allowed)
            .finish_non_exhaustive()
    }
}

/// What the server API's callers need from a response.
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

/// Sends one server-API request. The real one is [`HttpTransport`]; tests substitute scripted
/// answers to exercise retries and the breaker under paused time.
#[async_trait]
pub(crate) trait Transport: Send + Sync + fmt::Debug {
    /// Sends `request` once (with a token: asking Stack Auth to let through users of its
    /// `allowed` types only, see [`allow_headers`]).
    async fn send(&self, request: &ApiRequest) -> Result<RawResponse, TransportError>;
}

/// [`Transport`] over a pooled `reqwest::Client`.
pub(crate) struct HttpTransport {
    client: reqwest::Client,
    /// `{base}/api/v1`, the paths are appended to it.
    api_root: String,
    headers: HeaderMap,
    max_body: usize,
}

impl fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpTransport")
            .field("api_root", &self.api_root)
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

impl HttpTransport {
    /// A transport sending the fixed headers with every request; `secret_key` is marked
    /// sensitive so the HTTP stack never prints it.
    pub(crate) fn new(
        client: reqwest::Client,
        api_root: String,
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
            api_root,
            headers,
            max_body,
        }
    }
}

#[async_trait]
impl Transport for HttpTransport {
    async fn send(&self, request: &ApiRequest) -> Result<RawResponse, TransportError> {
        let mut headers = self.headers.clone();
        if let Some(token) = &request.token {
            let mut token = token.clone();
            token.set_sensitive(true);
            headers.insert(HeaderName::from_static(ACCESS_TOKEN), token);
            for name in allow_headers(request.allowed) {
                headers.insert(
                    HeaderName::from_static(name),
                    HeaderValue::from_static("true"),
                );
            }
        }
        let url = format!("{}{}", self.api_root, request.path);
        let mut builder = self
            .client
            .request(request.method.clone(), url)
            .headers(headers);
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(body.clone());
        }
        let built = builder.build().map_err(classify)?;
        let requested = built.url().clone();
        let mut response = self.client.execute(built).await.map_err(classify)?;
        if response.url() != &requested {
            // A caller-supplied client that follows redirects: whatever answered is not the
            // endpoint asked, so nothing it said is used.
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
/// connection that failed or dropped (retryable: every call this crate makes reads and
/// changes nothing, the API key checks included).
fn classify(e: reqwest::Error) -> TransportError {
    if e.is_timeout() {
        TransportError::Timeout(RestError::Http(e))
    } else if e.is_builder() {
        TransportError::Request(RestError::Http(e))
    } else {
        TransportError::Connect(RestError::Http(e))
    }
}
