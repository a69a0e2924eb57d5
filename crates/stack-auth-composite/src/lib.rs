//! Verifies Stack Auth access tokens with a local JWT check first and Stack Auth's REST API for
//! the full profile, so tokens the JWT check refuses never reach Stack Auth, forged tokens with
//! an invented key id reach it only within a small budget, and accepted users are current.
//!
//! ```
//! use stack_auth_composite::{CompositeVerifier, ProfilePolicy};
//! use stack_auth_core::{
//!     test_util::{RecordingVerifier, StaticVerifier},
//!     RefusalReason, ServerUser, StackAuthConfig, TokenVerifier, UserType, VerifiedUser,
//! };
//! use std::sync::Arc;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! // Stand-ins for a JwksVerifier and a RestVerifier: any two TokenVerifiers compose.
//! let claims_user = VerifiedUser::new("user-1", "my-project", UserType::Normal, None);
//! let jwt = StaticVerifier::refuse(RefusalReason::BadSignature).with_token("good", Ok(claims_user));
//! let rest = Arc::new(RecordingVerifier::new(StaticVerifier::accept(
//!     VerifiedUser::from_profile("my-project", ServerUser::new("user-1")),
//! )));
//! let verifier = CompositeVerifier::builder(jwt, rest.clone())
//!     .config(StackAuthConfig::new("my-project")?)
//!     .profile_policy(ProfilePolicy::Required)
//!     .build()?;
//!
//! let user = verifier.verify("good").await?;
//! assert!(user.profile().is_some());
//! let refused = verifier.verify("forged").await.unwrap_err();
//! assert_eq!(refused.refusal_reason(), Some(RefusalReason::BadSignature));
//! assert_eq!(rest.calls(), 1); // the forged token never reached REST
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! In a server, the documented default is a `JwksVerifier` and a `RestVerifier` with the same
//! configuration (feature `default-wiring`):
//! `CompositeVerifier::stack_auth(project_id, secret_server_key)?`, or
//! `CompositeVerifier::builder_with_config(config, secret_server_key)` to choose the policies.
//!
//! # Decision table
//!
//! The JWT check (`J`, usually a `JwksVerifier`) is asked first, for every token; the profile
//! verifier (`R`, usually a `RestVerifier`) only as the table says.
//!
//! | JWT check says | REST asked? | REST says | result |
//! |---|---|---|---|
//! | refused: malformed, unsupported algorithm, bad signature, expired, wrong issuer or audience, user type not allowed, inconsistent claims (any reason but `unknown_key`) | **no** | – | that refusal |
//! | misconfigured | **no** | – | that misconfiguration |
//! | accepted, [`ProfilePolicy::OnDemand`] | **no** (later, on [`load_profile`](stack_auth_core::VerifiedUser::load_profile)) | – | claims-only user, [`ProfileStatus::Deferred`](stack_auth_core::ProfileStatus::Deferred) |
//! | accepted | yes | the profile | claims **and** profile, if both name the same user and project; else refused `inconsistent_claims` |
//! | accepted | yes | refused (`user_not_found` for a deleted user, or any other reason) | that refusal: REST is the authority on revocation |
//! | accepted | yes | unavailable | [`ProfilePolicy::Required`]: unavailable (503); [`ProfilePolicy::BestEffort`]: claims-only user, [`ProfileStatus::Unavailable`](stack_auth_core::ProfileStatus::Unavailable), and a warning |
//! | accepted | yes | misconfigured | misconfigured, under every policy: a wrong server key is never hidden |
//! | accepted (or undecided, as below) | yes | a user **without** a profile (a custom profile verifier) | misconfigured ([`MisconfigKind::UnexpectedError`](stack_auth_core::MisconfigKind::UnexpectedError)), under every policy: a user never leaves looking checked by REST when REST described no one |
//! | refused `unknown_key` (even after a refetch) | if [`UnknownKeyPolicy::AskRest`], the token passes the screen and the [unknown-key budget](UnknownKeyBudget) is not spent | REST's answer (through the [`unknown_key_verifier`](CompositeVerifierBuilder::unknown_key_verifier)) | REST's user (with the claims REST just verified), or REST's error (`unparsable` stays `unknown_key`, the more precise reason); a token that fails the screen, a token over budget, or any token under [`UnknownKeyPolicy::Refuse`], stays refused `unknown_key` without a request |
//! | unavailable (JWKS down, no usable stale keys) | if [`UnknownKeyPolicy::AskRest`] and the token passes the screen | REST's answer | as in the row above; a token that fails the screen is refused for what the screen found; under [`UnknownKeyPolicy::Refuse`] a token that passes it gets the JWT check's unavailability (503): whether its key is known cannot be told, and that policy never sends such a token to REST |
//!
//! **The screen** is a local, unverified look at a token the JWT check could not decide: three
//! base64url segments, an `ES256` header with a non-empty `kid`, a 64-byte signature, claims
//! that parse and are consistent (PROTOCOL §1.8, and a `project_id` that agrees with `aud`), and
//! `now < exp + leeway` (the [leeway](CompositeVerifierBuilder::screen_leeway)); the JWT check's
//! rules, order and reasons, shared through [`stack_auth_core::jws`]; and, when the builder has a
//! [`config`](CompositeVerifierBuilder::config), this project's audience and issuer for an
//! accepted user type. Whatever fails it would be refused whatever its signature, so it costs
//! Stack Auth nothing. When REST accepts an undecided token, the user carries its claims: REST
//! checked that exact token's signature on the server. Under every profile policy such a user
//! also carries the profile, since REST was asked anyway.
//!
//! The screen keeps garbage, replayed expired tokens and other projects' tokens away from REST.
//! It cannot tell a token signed by a key not yet in the JWKS from one with an invented `kid`:
//! someone who knows the (public) project id can make tokens that pass it. So the tokens sent to
//! REST this way are bounded by the [`UnknownKeyBudget`] (default
//! [`DEFAULT_UNKNOWN_KEY_BUDGET`], 5 per minute per verifier, shared by its clones; over it they
//! are refused as `unknown_key` without a request), and the default wiring asks through
//! `RestVerifier::for_unverified_tokens`: one request per token, no retries, only while the
//! circuit is closed, and never counted by the circuit breaker, so a flood answered with 429s
//! cannot make Stack Auth look down for verified users. During a flood, a token signed by a
//! genuinely new key may be refused until the JWT check's refetch picks the key up (at most one
//! cooldown, 30 s by default). Choose [`UnknownKeyPolicy::Refuse`] to send none.
//!
//! When the JWT check is unavailable (no usable key set: the JWKS unreachable past its
//! stale-if-error window), every user's token depends on REST, so screened tokens go to it
//! through the profile verifier, unbudgeted, under [`UnknownKeyPolicy::AskRest`].
//!
//! A user whose claims and profile are both present has the profile's user type and restriction
//! (they are current) and the token's claims (expiry, session id).
//!
//! # Evictions
//!
//! When both verifiers implement [`Evict`](stack_auth_core::Evict) (a `JwksVerifier` and a
//! `RestVerifier` do), so does the composite: it forwards each
//! [`Eviction`](stack_auth_core::Eviction) to the JWT check, then to the profile verifier (see
//! the impl on [`CompositeVerifier`]). Register the composite with an
//! [`EvictionHub`](stack_auth_core::EvictionHub) or a `stack-auth-webhooks` receiver once, not
//! its two verifiers: a deleted user is then refused by the JWT check at once, before any REST
//! call. A `RestVerifier` evicts through its server API, so with the default wiring that one
//! registration also reaches every capability built on
//! `composite.rest_verifier().server_api()` (`Users`, `ApiKeys`, `Permissions`, `Teams`,
//! `Sessions`); a [`SessionChecked`] over the composite forwards to it and to its checker.
//!
//! # Session check
//!
//! Stack Auth keeps accepting an access token after its session was signed out (PROTOCOL
//! §10.4.4), and so does every strategy by itself. [`SessionChecked`] wraps any verifier (this
//! composite, a `JwksVerifier` alone) and, once it accepts a token, asks a
//! [`SessionChecker`](stack_auth_core::SessionChecker) (`stack_auth_rest::Sessions`: the
//! user's session list, cached 15 s, one request per user) whether the token's session is
//! alive; tokens of ended sessions are refused as `session_ended`. The default
//! ([`SessionPolicy::EndedOnly`]) refuses only sessions known to have ended, so impersonation
//! tokens, which a server key never sees listed, keep working; [`SessionPolicy::ListedOnly`]
//! refuses every session Stack Auth does not list. When Stack Auth cannot be asked the token
//! is accepted with a warning ([`UnknownSessionPolicy::Accept`]) or answered 503
//! ([`UnknownSessionPolicy::Unavailable`]). With the default wiring:
//! `CompositeVerifier::stack_auth(project_id, key)?.with_session_check()`.
//!
//! # Tracing
//!
//! Each verification runs in a `debug` span `stack_auth.verify`, with the same field names as the
//! other strategies; the JWT check's and REST's own `stack_auth.verify` spans (with their
//! `cache` and `upstream_ms`) are its children:
//!
//! | field | values |
//! |---|---|
//! | `strategy` | `composite` |
//! | `outcome` | `ok`, `refused`, `unavailable`, `misconfigured` ([`VerifyError::outcome_label`](stack_auth_core::VerifyError::outcome_label)) |
//! | `reason` | on failure: the refusal label, unavailability kind or misconfiguration kind ([`VerifyError::reason_label`](stack_auth_core::VerifyError::reason_label)) |
//! | `path` | the row of the decision table taken: `jwt_refused`, `jwt_misconfigured`, `jwt_then_rest`, `claims_only`, `unknown_key_refused`, `unknown_key_screened_out`, `unknown_key_over_budget`, `unknown_key_asked_rest`, `jwt_unavailable_screened_out`, `jwt_unavailable_not_asked`, `jwt_unavailable_asked_rest` |
//!
//! An on-demand profile load runs in a `debug` span `stack_auth.load_profile` (`strategy`,
//! `outcome`, `reason`); a [`SessionChecked`] check in a `debug` span
//! `stack_auth.session_check` (`session`: `alive`, `ended`, `not_listed`, `unknown`, `none`;
//! `outcome`, `reason`). Neither the token nor any secret is recorded.
//!
//! # Metrics
//!
//! With the `metrics` feature, composite verifications are counted through the
//! [`metrics`](https://docs.rs/metrics) facade, and the feature is passed on to the default
//! wiring's verifiers (which add their cache and upstream metrics, see their crates):
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `stack_auth_verifications_total` | counter | `strategy` = `composite`, `outcome`, `reason` (as in the span; `none` on success) |
//! | `stack_auth_verify_duration_seconds` | histogram | `strategy` |
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `default-wiring` | yes | `CompositeVerifier::stack_auth`, `from_config`, `builder_with_config` and `builder_from_verifiers`: a `stack_auth_jwks::JwksVerifier` and a `stack_auth_rest::RestVerifier` with matching configuration; `with_session_check` (a `stack_auth_rest::Sessions` on the REST verifier's server API) |
//! | `aws_lc_rs` | yes | the wired `JwksVerifier` checks ECDSA through aws-lc (`stack-auth-jwks/aws_lc_rs`) |
//! | `rust_crypto` | no | ... through the pure-Rust RustCrypto crates (`stack-auth-jwks/rust_crypto`, slower) |
//! | `rustls` | yes | the wired verifiers speak HTTPS through rustls |
//! | `native-tls` | no | ... through the platform's TLS library (OpenSSL on Linux) |
//! | `native-tls-vendored` | no | `native-tls` with OpenSSL compiled from source |
//! | `metrics` | no | counters and histograms through the [`metrics`](https://docs.rs/metrics) facade, here and in the wired verifiers (see [Metrics](#metrics)) |
//!
//! The backend and TLS features only configure the default wiring (see `stack-auth-jwks` for
//! what each does); without aws-lc: `default-features = false, features = ["default-wiring",
//! "rust_crypto", "native-tls"]`.
//!
//! # External types
//!
//! No public signature names another crate's type: the composite takes and returns the
//! `stack-auth-core` types (and, with `default-wiring`, builds the sibling crates' verifiers).
//!
//! Sibling crates: `stack-auth-core` (the [`TokenVerifier`](stack_auth_core::TokenVerifier)
//! trait), `stack-auth-jwks` (the local JWT check), `stack-auth-rest` (users/me),
//! `stack-auth-testkit` (a local Stack Auth stand-in), `stack-auth` (the facade).

mod budget;
mod builder;
mod combine;
mod evict;
mod loader;
mod observe;
mod policy;
mod screen;
mod session_check;
mod session_policy;
mod verifier;
#[cfg(feature = "default-wiring")]
mod wiring;

pub use budget::{UnknownKeyBudget, DEFAULT_UNKNOWN_KEY_BUDGET};
pub use builder::CompositeVerifierBuilder;
pub use policy::{
    ProfilePolicy, UnknownKeyPolicy, DEFAULT_PROFILE_POLICY, DEFAULT_SCREEN_LEEWAY,
    DEFAULT_UNKNOWN_KEY_POLICY, MAX_SCREEN_LEEWAY,
};
pub use session_check::SessionChecked;
pub use session_policy::{
    SessionPolicy, UnknownSessionPolicy, DEFAULT_SESSION_POLICY, DEFAULT_UNKNOWN_SESSION_POLICY,
};
pub use stack_auth_core::MAX_DURATION_SETTING;
pub use verifier::CompositeVerifier;
