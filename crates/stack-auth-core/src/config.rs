//! [`StackAuthConfig`]: the project, deployment and accepted user types every strategy shares.

use std::borrow::Cow;

use crate::{UserType, UserTypes};

mod issuers;
mod service_url;

pub use issuers::CLOUD_HOST_PAIRS;
pub use service_url::ServiceUrl;

/// The default Stack Auth API base URL (the hosted service).
pub const DEFAULT_BASE_URL: &str = "https://api.stack-auth.com";

/// The longest duration any builder setting of the SDK accepts (30 days): longer is surely a
/// mistake, and bounding durations keeps time arithmetic from overflowing. Every verifier
/// refuses a longer setting at `build` time, naming the field.
pub const MAX_DURATION_SETTING: std::time::Duration =
    std::time::Duration::from_secs(30 * 24 * 60 * 60);

/// Longest project id accepted (real ids are UUIDs or `internal`).
pub const MAX_PROJECT_ID_LEN: usize = 128;

/// An invalid configuration, refused when a verifier is built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The project id is empty.
    #[error("project id is empty")]
    EmptyProjectId,
    /// The project id has characters Stack Auth never uses (it becomes part of URLs and audiences).
    #[error("invalid project id: {0}")]
    InvalidProjectId(Cow<'static, str>),
    /// The base URL does not parse or is not an http(s) origin with an optional path.
    #[error("invalid base url: {0}")]
    InvalidBaseUrl(Cow<'static, str>),
    /// The base URL uses plain http for a host that is not loopback.
    #[error("base url must use https (plain http is only allowed for loopback hosts, or with allow_insecure_http)")]
    InsecureBaseUrl,
    /// The set of accepted user types is empty.
    #[error("no user type is accepted")]
    NoUserTypesAccepted,
    /// A strategy-specific setting is invalid.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The setting.
        field: &'static str,
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },
}

/// What every verification strategy needs to know: which project, which deployment, which user
/// types are accepted, and the issuers and audiences derived from them exactly as Stack Auth
/// derives them (PROTOCOL §1.4, §9.1).
///
/// **Accepted issuers.** A token's `iss` must be the issuer of its user type built on one of
/// the [accepted issuer origins](Self::issuer_origins):
/// 1. the origin of the base URL (its path is dropped, as the server drops it);
/// 2. when that origin is a host of the hosted service's [cloud pairs](CLOUD_HOST_PAIRS), the
///    other host of the pair: `https://api.stack-auth.com` and `https://api.hexclave.com`
///    accept each other's tokens (the hosted service stamps the host the client called into
///    `iss`); on by default, see
///    [`accept_sibling_brand`](StackAuthConfigBuilder::accept_sibling_brand);
/// 3. every origin added with
///    [`accept_issuer_origin`](StackAuthConfigBuilder::accept_issuer_origin).
///
/// Nothing else: not plain http, another pair, a failover host (`api1.`…) or a look-alike, and
/// a self-hosted deployment gets no alias unless you add one. The user-type variant of the
/// issuer must match the audience's on every origin.
///
/// ```
/// use stack_auth_core::{StackAuthConfig, UserType};
///
/// let config = StackAuthConfig::builder("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e")
///     .base_url("https://auth.example.com/stack/")
///     .accept(UserType::Restricted)
///     .build()?;
/// // Requests keep the path of the base URL...
/// assert_eq!(
///     config.api_url("/users/me"),
///     "https://auth.example.com/stack/api/v1/users/me"
/// );
/// // ...issuers drop it, like the server does.
/// assert_eq!(
///     config.issuer(UserType::Restricted),
///     "https://auth.example.com/api/v1/projects-restricted-users/3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e"
/// );
/// assert_eq!(config.audience(UserType::Anonymous), "3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e:anon");
/// assert!(config.accepts(UserType::Restricted) && !config.accepts(UserType::Anonymous));
///
/// // The hosted service's brands accept each other's issuers.
/// let hosted = StackAuthConfig::new("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e")?;
/// assert_eq!(hosted.issuer_origins(), ["https://api.stack-auth.com", "https://api.hexclave.com"]);
/// assert!(hosted.accepts_issuer(
///     UserType::Normal,
///     "https://api.hexclave.com/api/v1/projects/3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e"
/// ));
/// # Ok::<(), stack_auth_core::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackAuthConfig {
    project_id: String,
    api_base: String,
    /// The accepted issuer origins: the configured one first, then its sibling, then extras.
    issuer_origins: Vec<String>,
    /// `issuers[i][t]`: the issuer of user type `t` on `issuer_origins[i]`.
    issuers: Vec<[String; 3]>,
    audiences: [String; 3],
    accepted: UserTypes,
    allow_insecure_http: bool,
    sibling_brand: bool,
    extra_issuer_origins: Vec<String>,
}

impl StackAuthConfig {
    /// Starts a configuration for `project_id` with the defaults: the hosted service at
    /// [`DEFAULT_BASE_URL`] and normal users only.
    pub fn builder(project_id: impl Into<String>) -> StackAuthConfigBuilder {
        StackAuthConfigBuilder {
            project_id: project_id.into(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            accepted: UserTypes::default(),
            allow_insecure_http: false,
            sibling_brand: true,
            extra_issuer_origins: Vec::new(),
        }
    }

    /// The configuration for `project_id` with every default.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] when the project id is empty or invalid.
    pub fn new(project_id: impl Into<String>) -> Result<Self, ConfigError> {
        Self::builder(project_id).build()
    }

    /// The project id.
    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    /// The API base URL as configured, without trailing slash (path kept).
    pub fn base_url(&self) -> &str {
        &self.api_base
    }

    /// Whether plain http to a non-loopback host was allowed when this configuration was built.
    pub fn allows_insecure_http(&self) -> bool {
        self.allow_insecure_http
    }

    /// A builder starting from this configuration, to change a setting and build again.
    pub fn to_builder(&self) -> StackAuthConfigBuilder {
        StackAuthConfigBuilder {
            project_id: self.project_id.clone(),
            base_url: self.api_base.clone(),
            accepted: self.accepted,
            allow_insecure_http: self.allow_insecure_http,
            sibling_brand: self.sibling_brand,
            extra_issuer_origins: self.extra_issuer_origins.clone(),
        }
    }

    /// The accepted user types.
    pub fn accepted_user_types(&self) -> UserTypes {
        self.accepted
    }

    /// Whether tokens of `user_type` are accepted.
    pub fn accepts(&self, user_type: UserType) -> bool {
        self.accepted.contains(user_type)
    }

    /// The `iss` Stack Auth puts in tokens of `user_type` for this project when clients call the
    /// configured base URL. Tokens may carry any of the
    /// [`accepted_issuers`](Self::accepted_issuers).
    pub fn issuer(&self, user_type: UserType) -> &str {
        &self.issuers[0][user_type as usize]
    }

    /// The origins (`scheme://host[:port]`) whose issuers are accepted, the configured one first
    /// (see [`StackAuthConfig`] for the rule).
    pub fn issuer_origins(&self) -> &[String] {
        &self.issuer_origins
    }

    /// Every `iss` accepted for tokens of `user_type`, the configured origin's first.
    pub fn accepted_issuers(&self, user_type: UserType) -> impl Iterator<Item = &str> + '_ {
        self.issuers
            .iter()
            .map(move |i| i[user_type as usize].as_str())
    }

    /// Whether `iss` is an accepted issuer for tokens of `user_type`.
    pub fn accepts_issuer(&self, user_type: UserType, iss: &str) -> bool {
        self.accepted_issuers(user_type).any(|i| i == iss)
    }

    /// The `aud` Stack Auth puts in tokens of `user_type` for this project.
    pub fn audience(&self, user_type: UserType) -> &str {
        &self.audiences[user_type as usize]
    }

    /// The user type whose audience is exactly `aud`, if any.
    pub fn user_type_for_audience(&self, aud: &str) -> Option<UserType> {
        UserType::ALL.into_iter().find(|t| self.audience(*t) == aud)
    }

    /// The user type of which `iss` is an accepted issuer, if any.
    pub fn user_type_for_issuer(&self, iss: &str) -> Option<UserType> {
        UserType::ALL
            .into_iter()
            .find(|t| self.accepts_issuer(*t, iss))
    }

    /// `{base}/api/v1{path}`; `path` starts with `/`.
    pub fn api_url(&self, path: &str) -> String {
        format!("{}/api/v1{}", self.api_base, path)
    }

    /// The project's JWKS URL, without query string.
    pub fn jwks_url(&self) -> String {
        self.api_url(&format!(
            "/projects/{}/.well-known/jwks.json",
            self.project_id
        ))
    }

    /// The users/me URL the REST strategy calls.
    pub fn users_me_url(&self) -> String {
        self.api_url("/users/me")
    }
}

/// Builder for [`StackAuthConfig`]; see [`StackAuthConfig::builder`].
#[derive(Debug, Clone)]
#[must_use]
pub struct StackAuthConfigBuilder {
    project_id: String,
    base_url: String,
    accepted: UserTypes,
    allow_insecure_http: bool,
    sibling_brand: bool,
    extra_issuer_origins: Vec<String>,
}

impl StackAuthConfigBuilder {
    /// The API base URL of a self-hosted deployment (default [`DEFAULT_BASE_URL`]). A path is
    /// kept for requests and discarded for issuers, as the server does.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// Also accept tokens of `user_type` (normal users are accepted by default).
    pub fn accept(mut self, user_type: UserType) -> Self {
        self.accepted = self.accepted.with(user_type);
        self
    }

    /// Replaces the set of accepted user types.
    pub fn accepted_user_types(mut self, accepted: UserTypes) -> Self {
        self.accepted = accepted;
        self
    }

    /// Allows a plain-http base URL for a non-loopback host (e.g. inside a private network).
    /// Off by default: the REST strategy sends the secret server key to this URL.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Also accepts tokens whose issuer is built on `origin`, e.g. a self-hosted deployment
    /// moving from `https://auth.old.example` to a new domain while tokens of the old one are
    /// still live. Repeatable. Checked like the base URL when building (https unless loopback
    /// or [`allow_insecure_http`](Self::allow_insecure_http); no query, fragment or
    /// credentials); a path is dropped, as the server drops it from issuers. Only this origin
    /// is added: no cloud sibling.
    pub fn accept_issuer_origin(mut self, origin: impl Into<String>) -> Self {
        self.extra_issuer_origins.push(origin.into());
        self
    }

    /// Whether a base URL on a host of the hosted service's [cloud pairs](CLOUD_HOST_PAIRS)
    /// also accepts the issuers of the pair's other host, as the hosted service does (default
    /// `true`). Turn it off only to pin one brand; no other host is affected.
    pub fn accept_sibling_brand(mut self, accept: bool) -> Self {
        self.sibling_brand = accept;
        self
    }

    /// Validates and builds the configuration.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] for an empty or invalid project id, an unparsable or non-http(s) base
    /// URL, plain http to a non-loopback host, or an empty set of user types;
    /// [`ConfigError::Invalid`] (field `accept_issuer_origin`) for an extra issuer origin that
    /// fails the base URL's checks.
    pub fn build(self) -> Result<StackAuthConfig, ConfigError> {
        validate_project_id(&self.project_id)?;
        if self.accepted.is_empty() {
            return Err(ConfigError::NoUserTypesAccepted);
        }
        let url = ServiceUrl::parse(&self.base_url, self.allow_insecure_http)?;
        let origin = url.origin().to_owned();
        let api_base = format!("{origin}{}", url.path().trim_end_matches('/'));
        let mut extra_issuer_origins = Vec::with_capacity(self.extra_issuer_origins.len());
        for raw in &self.extra_issuer_origins {
            extra_issuer_origins.push(issuers::extra_origin(raw, self.allow_insecure_http)?);
        }
        let sibling = issuers::sibling_origin(&url).filter(|_| self.sibling_brand);
        let mut issuer_origins = vec![origin];
        for o in sibling
            .into_iter()
            .chain(extra_issuer_origins.iter().cloned())
        {
            if !issuer_origins.contains(&o) {
                issuer_origins.push(o);
            }
        }
        let pid = &self.project_id;
        let issuers = issuer_origins
            .iter()
            .map(|o| UserType::ALL.map(|t| issuers::issuer(o, t, pid)))
            .collect();
        let audiences = UserType::ALL.map(|t| format!("{pid}{}", t.audience_suffix()));
        Ok(StackAuthConfig {
            project_id: self.project_id,
            api_base,
            issuer_origins,
            issuers,
            audiences,
            accepted: self.accepted,
            allow_insecure_http: self.allow_insecure_http,
            sibling_brand: self.sibling_brand,
            extra_issuer_origins,
        })
    }
}

fn validate_project_id(pid: &str) -> Result<(), ConfigError> {
    if pid.is_empty() {
        return Err(ConfigError::EmptyProjectId);
    }
    if pid.len() > MAX_PROJECT_ID_LEN {
        return Err(ConfigError::InvalidProjectId("too long".into()));
    }
    if !pid
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    {
        return Err(ConfigError::InvalidProjectId(
            "only ASCII letters, digits, '-', '_' and '.' are allowed".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
