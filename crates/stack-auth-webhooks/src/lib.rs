//! Verified Stack Auth webhooks whose events evict exactly what they make stale in the caches of
//! your verifiers, so a deleted user, a revoked permission or a left team is seen at once rather
//! than when a cache entry expires.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use http::HeaderMap;
//! use stack_auth_core::{test_util::ManualClock, Evict, Eviction};
//! use stack_auth_webhooks::{WebhookEvent, WebhookReceiver};
//!
//! /// Stands in for a `JwksVerifier`, `RestVerifier` or `CompositeVerifier`.
//! #[derive(Debug, Default)]
//! struct Cache(Mutex<Vec<Eviction>>);
//! impl Evict for Cache {
//!     fn evict(&self, eviction: &Eviction) { self.0.lock().unwrap().push(eviction.clone()); }
//! }
//!
//! let cache = Arc::new(Cache::default());
//! let receiver = WebhookReceiver::builder("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX")
//!     .evicting(cache.clone())
//!     .clock(ManualClock::at_unix_secs(1_767_225_600)) // the delivery's time, for the example
//!     .build()?;
//!
//! // A delivery exactly as Stack Auth's Svix account sends it (PROTOCOL §10.5.2).
//! let body = r#"{"type":"team_permission.created","data":{"id":"$update_team","team_id":"7b1c5e0a-2d3f-4a5b-8c9d-0e1f2a3b4c5d","user_id":"3241a285-8329-4d69-8f3d-316e08cf140c"}}"#;
//! let mut headers = HeaderMap::new();
//! headers.insert("svix-id", "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W".parse()?);
//! headers.insert("svix-timestamp", "1767225600".parse()?);
//! headers.insert("svix-signature", "v1,+tNhGqpgNVSpFmE9Z7H0YnglqRFtMFTzTXUNxKJ1mWg=".parse()?);
//!
//! let webhook = receiver.receive(&headers, body.as_bytes())?;
//! assert!(matches!(webhook.event(), WebhookEvent::TeamPermissionCreated(p) if p.id == "$update_team"));
//! assert_eq!(
//!     *cache.0.lock().unwrap(),
//!     [Eviction::TeamPermissions {
//!         team_id: "7b1c5e0a-2d3f-4a5b-8c9d-0e1f2a3b4c5d".into(),
//!         user_id: "3241a285-8329-4d69-8f3d-316e08cf140c".into(),
//!     }]
//! );
//! // The same request again is a copy: refused (401), nothing evicted.
//! let again = receiver.receive(&headers, body.as_bytes()).unwrap_err();
//! assert_eq!((again.http_status(), again.code()), (401, "replayed"));
//! assert_eq!(cache.0.lock().unwrap().len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! In a server, wire the receiver to the verifiers of the process once, and route the
//! endpoint you configured in the Stack Auth dashboard to the extractor (feature `axum`):
//!
//! ```no_run
//! use axum::{routing::post, Router};
//! use stack_auth_jwks::JwksVerifier;
//! use stack_auth_webhooks::{StackWebhook, WebhookReceiver};
//!
//! # fn app() -> Result<Router, Box<dyn std::error::Error>> {
//! let jwks = JwksVerifier::builder("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e").build()?;
//! let receiver = WebhookReceiver::builder(std::env::var("STACK_WEBHOOK_SECRET")?)
//!     .evicting(jwks.clone()) // and every other verifier you use: a clone shares its caches
//!     .build()?;
//! let webhooks = Router::new()
//!     .route("/webhooks/stack", post(|_: StackWebhook| async {}))
//!     .with_state(receiver);
//! # Ok(webhooks) }
//! ```
//!
//! # What is verified
//!
//! [`WebhookReceiver::receive`] follows Standard Webhooks 1.0 as Svix delivers Stack Auth's
//! webhooks (PROTOCOL §10.5): the `svix-*` headers (the `webhook-*` names when no `svix-*` one
//! is present), a timestamp within [`TOLERANCE`] (5 minutes, either direction) of the
//! receiver's injectable [`Clock`](stack_auth_core::Clock), the raw body's HMAC-SHA256 against
//! any of the space-separated `v1,` signatures (unknown versions ignored, constant-time
//! comparison), and only then the body. A message id already accepted within the
//! [duplicate window](WebhookReceiverBuilder::duplicate_window) is recognised: the very same
//! request again is refused as [`Replayed`](WebhookError::Replayed) (401); the message signed
//! again by a Svix retry is accepted as a [duplicate](VerifiedWebhook::is_duplicate) that evicts
//! nothing (answer it 2xx, or Svix retries for a day). The secret ([`WebhookSecret`],
//! `whsec_<base64>` or bare base64) never appears in `Debug`, `Display`, errors or logs, and no
//! error quotes the body.
//!
//! The signature itself is checked by the [`svix`](https://docs.rs/svix) crate, Svix's own
//! library, with its `verify_ignoring_timestamp` (this crate checks the timestamp on its clock
//! first, which Svix's `verify` cannot do: it reads the system time). The `standardwebhooks`
//! crate is lighter but offers only `verify`, which reads the system clock (no injectable clock,
//! so no test at a fixed time, nor of the check vectors) and knows only the `webhook-*` names
//! (its 1.0.1 also pins the older `base64` 0.21). The price of `svix`: it has no feature to leave
//! its API client out, and 2.9 does not compile without one of its TLS features, so its defaults
//! stay on: the client, hyper's and rustls (with aws-lc) are compiled, though only the verifier
//! is ever called. Where aws-lc must not be built at all, this crate cannot be used yet.
//!
//! # Events and evictions
//!
//! [`WebhookEvent`] types every event of PROTOCOL §10.5.3 (`user.*` with core's
//! [`ServerUser`](stack_auth_core::ServerUser), `team.*` with
//! [`ServerTeam`](stack_auth_core::ServerTeam), `team_membership.*`, `team_permission.*`, the
//! undeclared `project_permission.*`, `issue.*`); a type it does not know is kept as
//! [`WebhookEvent::Unknown`], never refused. [`WebhookEvent::evictions`] tables what each makes
//! stale; the receiver evicts it into its [`EvictionHub`](stack_auth_core::EvictionHub), which
//! tells every cache registered with [`evicting`](WebhookReceiverBuilder::evicting) (any
//! [`Evict`](stack_auth_core::Evict): the SDK's verifiers implement it).
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `axum` | no | [`StackWebhook`] is an axum 0.8 extractor (router state: a [`WebhookReceiver`]) and [`WebhookRejection`] a response |
//! | `actix` | no | [`StackWebhook`] is an actix-web 4 extractor (app data: a [`WebhookReceiver`]) and [`WebhookRejection`] a `ResponseError` |
//!
//! The extractors live here, behind features, rather than in `stack-auth-axum` and
//! `stack-auth-actix`: a framework crate depends on core and its framework only, and this crate
//! on core only (plus the framework you turn on), so neither names the other.
//!
//! # External types
//!
//! [`WebhookReceiver::receive`] takes an `http` 1 `HeaderMap`; with a framework feature on,
//! [`StackWebhook`] and [`WebhookRejection`] implement that framework's traits (axum 0.8's
//! `FromRequest` and `IntoResponse`; actix-web 4's `FromRequest` and `ResponseError`). Metadata of users and teams, and the data of unknown events, are core's
//! [`RawJson`](stack_auth_core::RawJson).
//!
//! Sibling crates: `stack-auth-core` ([`Evict`](stack_auth_core::Evict),
//! [`Eviction`](stack_auth_core::Eviction)), `stack-auth-jwks` (refuses a deleted user's tokens
//! once told), `stack-auth-rest` and `stack-auth-composite` (drop their cached answers),
//! `stack-auth-testkit` (a stand-in that delivers signed webhooks), `stack-auth` (facade,
//! feature `webhooks`).

#[cfg(feature = "actix")]
mod actix;
#[cfg(feature = "axum")]
mod axum;
mod builder;
mod error;
mod event;
mod extract;
mod headers;
mod receiver;
mod recent;
mod secret;
mod verified;

use std::time::Duration;

pub use builder::{
    WebhookReceiverBuilder, DEFAULT_DUPLICATE_CAPACITY, DEFAULT_DUPLICATE_WINDOW,
    DEFAULT_MAX_BODY_BYTES,
};
pub use error::{BodyProblem, WebhookError};
pub use event::{
    DeletedUser, Issue, IssueStatus, IssueSubstatus, ProjectPermission, TeamMembership,
    TeamPermission, TeamRef, WebhookEvent,
};
pub use extract::{StackWebhook, WebhookRejection};
pub use receiver::WebhookReceiver;
pub use secret::WebhookSecret;
pub use verified::VerifiedWebhook;

/// How far a delivery's signed timestamp may be from the receiver's clock, in either direction:
/// Svix's libraries' 5 minutes.
pub const TOLERANCE: Duration = Duration::from_secs(5 * 60);
