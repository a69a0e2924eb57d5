//! [`LocalStackAuth`]: the local Stack Auth stand-in server.

mod api_keys;
mod auth;
mod changes;
mod control;
mod control_keys;
mod control_permissions;
mod control_sessions;
mod control_teams;
mod control_webhooks;
mod crud;
mod decode;
mod faults;
mod headers;
mod http;
mod jwks;
mod known_error;
mod log;
mod memberships;
mod outbox;
mod permission_routes;
mod respond;
mod sessions;
mod state;
mod store;
mod teams;
mod users_list;
mod users_me;
mod validate;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use stack_auth_core::{SecretServerKey, StackAuthConfig, StackAuthConfigBuilder};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use faults::{Fault, FaultBody};
pub use log::{RequestRecord, Route, REDACTED_HEADERS};
pub use outbox::{DEFAULT_WEBHOOK_RETRY_DELAYS, DEFAULT_WEBHOOK_TIMEOUT};

use crate::keys::{random_secret, KeyScheme};
use crate::{ProjectSpec, TestClock, TestkitError, WebhookHeaders, WebhookSecret};
use outbox::{Outbox, OutboxConfig};
use state::{Inner, Project, State};
use store::{ApiKeyStore, ProjectData, Rbac, SessionStore, TeamStore, WebhookEndpoint};

/// The local Stack Auth stand-in: an HTTP server on `127.0.0.1` (OS-assigned port), running
/// in-process on the current tokio runtime, that serves the JWKS, users/me and the server APIs
/// (users, API keys, teams, permissions, sessions) exactly as Stack Auth does (PROTOCOL §2–4,
/// §9.2–9.3, §10: request headers under their `x-hexclave-` or `x-stack-` names, both error
/// headers), hosts several projects with their users, teams, grants, sessions and keys, mints
/// their tokens, sends signed webhooks from a background task, and lets tests count requests,
/// rotate keys and inject faults.
///
/// It stops on [`LocalStackAuth::shutdown`] or when dropped.
///
/// ```
/// use stack_auth_testkit::{LocalStackAuth, UserSpec};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), stack_auth_testkit::TestkitError> {
/// let stack = LocalStackAuth::start().await?;
/// let user = stack.create_user(UserSpec::normal().email("ada@example.com"))?;
/// let token = stack.mint(&user);
/// assert!(stack.jwks_url().starts_with("http://127.0.0.1:"));
/// # let _ = token;
/// stack.shutdown().await;
/// # Ok(())
/// # }
/// ```
pub struct LocalStackAuth {
    state: Arc<State>,
    default_project: String,
    task: Option<JoinHandle<()>>,
    webhook_task: Option<JoinHandle<()>>,
}

impl fmt::Debug for LocalStackAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalStackAuth")
            .field("base_url", &self.state.base_url)
            .field("default_project", &self.default_project)
            .finish_non_exhaustive()
    }
}

/// Builder for [`LocalStackAuth`]; see [`LocalStackAuth::builder`].
#[derive(Debug, Default)]
#[must_use]
pub struct LocalStackAuthBuilder {
    secret: Option<String>,
    projects: Vec<ProjectSpec>,
    signing: Option<KeyScheme>,
    clock: Option<TestClock>,
    lifetime: Option<Duration>,
    port: u16,
    issuer_origins: Vec<String>,
    webhook_headers: WebhookHeaders,
    webhook_retry_delays: Option<Vec<Duration>>,
    webhook_timeout: Option<Duration>,
}

impl LocalStackAuthBuilder {
    /// The server secret (`STACK_SERVER_SECRET`, base64url) keys are derived from (default:
    /// random).
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// Hosts a project; the first one is the default project (default: one project with a
    /// random UUID id and a random `ssk_…` key).
    pub fn project(mut self, project: impl Into<ProjectSpec>) -> Self {
        self.projects.push(project.into());
        self
    }

    /// Which key signs (default [`KeyScheme::Legacy`], as Stack Auth today).
    pub fn signing_scheme(mut self, scheme: KeyScheme) -> Self {
        self.signing = Some(scheme);
        self
    }

    /// The clock used for `iat`/`exp` of minted tokens and the server's expiry check (default:
    /// the system clock; freeze it to test expiry without waiting).
    pub fn clock(mut self, clock: TestClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The port to listen on, on `127.0.0.1` (default `0`: one the OS assigns). For a stand-in
    /// other programs reach at a known address, such as `stack-auth serve --port`.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Also accepts access tokens whose issuer is built on `origin` (repeatable), as the hosted
    /// service accepts its sibling brand's (PROTOCOL §9.1): with
    /// `accept_issuer_origin("https://api.hexclave.com")`, tokens minted with
    /// [`TokenBuilder::issuer_origin`](crate::TokenBuilder::issuer_origin) of that origin pass
    /// users/me. [`LocalStackAuth::config`] accepts them too.
    pub fn accept_issuer_origin(mut self, origin: impl Into<String>) -> Self {
        self.issuer_origins.push(origin.into());
        self
    }

    /// The lifetime of minted tokens (`STACK_ACCESS_TOKEN_EXPIRATION_TIME`, default
    /// [`DEFAULT_TOKEN_LIFETIME`](crate::DEFAULT_TOKEN_LIFETIME), 10 minutes).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = Some(lifetime);
        self
    }

    /// Which webhook header names deliveries carry (default [`WebhookHeaders::Svix`]).
    pub fn webhook_headers(mut self, headers: WebhookHeaders) -> Self {
        self.webhook_headers = headers;
        self
    }

    /// The pauses before each retry of a failed delivery (default
    /// [`DEFAULT_WEBHOOK_RETRY_DELAYS`]: three retries; empty: no retry). A delivery fails when
    /// the receiver does not answer 2xx.
    pub fn webhook_retry_delays(mut self, delays: impl IntoIterator<Item = Duration>) -> Self {
        self.webhook_retry_delays = Some(delays.into_iter().collect());
        self
    }

    /// How long one delivery attempt may take (default [`DEFAULT_WEBHOOK_TIMEOUT`]).
    pub fn webhook_timeout(mut self, timeout: Duration) -> Self {
        self.webhook_timeout = Some(timeout);
        self
    }

    /// Binds `127.0.0.1` (on the [`port`](Self::port), by default one the OS assigns) and
    /// starts serving on the current tokio runtime.
    ///
    /// # Errors
    ///
    /// [`TestkitError::InvalidSecret`], [`TestkitError::Config`] for a bad project id or
    /// issuer origin, [`TestkitError::DuplicateProject`], [`TestkitError::Bind`].
    pub async fn start(self) -> Result<LocalStackAuth, TestkitError> {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .map_err(TestkitError::Bind)?;
        let port = listener.local_addr().map_err(TestkitError::Bind)?.port();
        let secret = self.secret.unwrap_or_else(random_secret);
        let signing = self.signing.unwrap_or(KeyScheme::Legacy);
        let mut specs = self.projects;
        if specs.is_empty() {
            specs.push(ProjectSpec::random());
        }
        let default_project = specs[0].id().to_owned();
        let base_url = format!("http://127.0.0.1:{port}");
        state::config_builder(&default_project, &base_url, &self.issuer_origins).build()?;
        let state = Arc::new(State {
            base_url,
            issuer_origins: self.issuer_origins,
            clock: self.clock.unwrap_or_default(),
            lifetime: self.lifetime.unwrap_or(crate::DEFAULT_TOKEN_LIFETIME),
            inner: Mutex::new(Inner {
                secret,
                signing,
                projects: BTreeMap::new(),
                counts: HashMap::new(),
                log: Vec::new(),
                faults: Vec::new(),
            }),
            connections: AtomicU64::new(0),
            shutdown: watch::channel(false).0,
            outbox: Outbox::new(OutboxConfig {
                headers: self.webhook_headers,
                retry_delays: self
                    .webhook_retry_delays
                    .unwrap_or_else(|| outbox::DEFAULT_WEBHOOK_RETRY_DELAYS.to_vec()),
                timeout: self
                    .webhook_timeout
                    .unwrap_or(outbox::DEFAULT_WEBHOOK_TIMEOUT),
            }),
        });
        for spec in specs {
            add_project(&state, spec)?;
        }
        let webhook_task = state
            .outbox
            .take_receiver()
            .map(|jobs| tokio::spawn(outbox::run(Arc::clone(&state), jobs)));
        let task = tokio::spawn(http::serve(listener, Arc::clone(&state)));
        Ok(LocalStackAuth {
            state,
            default_project,
            task: Some(task),
            webhook_task,
        })
    }
}

fn add_project(state: &State, spec: ProjectSpec) -> Result<(), TestkitError> {
    let mut inner = state.lock();
    let (id, keys, requires_verified_email, spec) = spec.into_parts();
    if inner.projects.contains_key(&id) {
        return Err(TestkitError::DuplicateProject(id));
    }
    let minter = state.minter(&inner.secret, inner.signing, &id)?;
    let project = Project {
        keys,
        requires_verified_email,
        users: BTreeMap::new(),
        minter,
        data: project_data(spec),
    };
    inner.projects.insert(id, project);
    Ok(())
}

/// The teams, permissions, sessions, API keys and webhook endpoint of a new project.
fn project_data(spec: ProjectSpec) -> ProjectData {
    let mut rbac = Rbac::default();
    for definition in spec.permissions {
        rbac.define(definition);
    }
    if let Some(ids) = spec.creator_permissions {
        rbac.creator_defaults = ids;
    }
    if let Some(ids) = spec.member_permissions {
        rbac.member_defaults = ids;
    }
    rbac.sign_up_defaults = spec.sign_up_permissions;
    ProjectData {
        teams: TeamStore::default(),
        rbac,
        sessions: SessionStore::default(),
        api_keys: ApiKeyStore::new(spec.user_api_keys, spec.team_api_keys),
        webhook: WebhookEndpoint {
            url: spec.webhook_url,
            secret: spec.webhook_secret.unwrap_or_else(WebhookSecret::random),
        },
    }
}

impl LocalStackAuth {
    /// Starts configuring a stand-in.
    pub fn builder() -> LocalStackAuthBuilder {
        LocalStackAuthBuilder::default()
    }

    /// Starts a stand-in with a random secret and one default project (random UUID id, random
    /// `ssk_…` key).
    ///
    /// # Errors
    ///
    /// [`TestkitError::Bind`] when no local port can be bound.
    pub async fn start() -> Result<LocalStackAuth, TestkitError> {
        LocalStackAuth::builder().start().await
    }

    /// `http://127.0.0.1:PORT`: the API base URL to configure verifiers with.
    pub fn base_url(&self) -> &str {
        &self.state.base_url
    }

    /// The default project's id.
    pub fn project_id(&self) -> &str {
        &self.default_project
    }

    /// The default project's JWKS URL (no query).
    pub fn jwks_url(&self) -> String {
        format!(
            "{}/api/v1/projects/{}/.well-known/jwks.json",
            self.base_url(),
            self.default_project
        )
    }

    /// The users/me URL.
    pub fn users_me_url(&self) -> String {
        format!("{}/api/v1/users/me", self.base_url())
    }

    /// The default project's main secret server key.
    pub fn secret_server_key(&self) -> SecretServerKey {
        self.secret_server_key_of(&self.default_project)
            .unwrap_or_else(|_| SecretServerKey::new(""))
    }

    /// The main secret server key of `project_id`.
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownProject`].
    pub fn secret_server_key_of(&self, project_id: &str) -> Result<SecretServerKey, TestkitError> {
        let inner = self.state.lock();
        let project = inner.project(project_id)?;
        Ok(project
            .keys
            .first()
            .cloned()
            .unwrap_or_else(|| SecretServerKey::new("")))
    }

    /// A verifier configuration for the default project pointed at the stand-in, accepting
    /// normal users only.
    pub fn config(&self) -> StackAuthConfig {
        self.config_builder()
            .build()
            .unwrap_or_else(|_| self.minter().config().clone())
    }

    /// A configuration builder for the default project pointed at the stand-in, to accept
    /// other user types (`.accept(UserType::Anonymous)`) before `build()`.
    pub fn config_builder(&self) -> StackAuthConfigBuilder {
        self.config_builder_for(&self.default_project)
    }

    /// Like [`LocalStackAuth::config_builder`], for another hosted project.
    pub fn config_builder_for(&self, project_id: &str) -> StackAuthConfigBuilder {
        self.state.config_builder(project_id)
    }

    /// Stops accepting connections, lets in-flight requests finish (a hanging fault is
    /// released and its connection dropped), and waits for the server task.
    pub async fn shutdown(mut self) {
        self.state.shutdown.send_replace(true);
        if let Some(task) = self.webhook_task.take() {
            task.abort();
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for LocalStackAuth {
    /// Signals shutdown and aborts the server task without blocking.
    fn drop(&mut self) {
        self.state.shutdown.send_replace(true);
        for task in [self.task.take(), self.webhook_task.take()]
            .into_iter()
            .flatten()
        {
            task.abort();
        }
    }
}
