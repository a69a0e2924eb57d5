//! Secrets audit (issue 10): everything the crates can emit, on success and failure paths of the
//! JWKS, REST and composite verifiers, the axum, actix-web and gRPC integrations and the testkit,
//! is captured (Debug, `{:#?}`, Display, every `source()` of error chains, `tracing` output of
//! every target at TRACE with span events, response statuses, headers and bodies) and searched
//! for the secret server keys, the stand-in's server secret and private keys, every full token
//! and every token's signature segment. Tokens may appear only as `redact_token` fingerprints.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "secrets_audit/frameworks.rs"]
mod frameworks;

use std::{
    error::Error,
    io,
    sync::{Arc, Mutex, OnceLock},
    time::Duration,
};

use axum::{routing::get, Router};
use stack_auth_axum::{StackAuth, StackUser};
use stack_auth_composite::{CompositeVerifier, ProfilePolicy};
use stack_auth_core::{
    extract_token, RestrictedReason, TokenVerifier, UserType, UserTypes, VerifiedUser, VerifyError,
};
use stack_auth_jwks::JwksVerifier;
use stack_auth_rest::{RestVerifier, RetryPolicy};
use stack_auth_testkit::{
    random_secret, random_uuid, Breakage, Fault, LocalStackAuth, ProjectSpec, Route, UserSpec,
};
use tracing_subscriber::fmt::{format::FmtSpan, MakeWriter};

const SERVER_KEY: &str = "ssk_audit_the_real_server_key_5f0c2a9e7d41";
const WRONG_KEY: &str = "ssk_audit_a_wrong_server_key_91be34d07c22";

/// Everything `tracing` wrote, from every target, at TRACE.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

fn tracing_capture() -> &'static Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED.get_or_init(|| {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(FmtSpan::FULL)
            .with_ansi(false)
            .with_writer(captured.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        captured
    })
}

/// What must never be seen, and everything that was.
#[derive(Default)]
struct Audit {
    forbidden: Vec<(String, String)>,
    seen: Vec<(String, String)>,
}

impl Audit {
    fn forbid(&mut self, what: impl Into<String>, secret: impl Into<String>) {
        self.forbidden.push((what.into(), secret.into()));
    }

    /// A token, and its signature segment when it is long enough to be unique.
    fn forbid_token(&mut self, what: &str, token: &str) {
        if token.len() >= 16 {
            self.forbid(format!("token {what}"), token);
        }
        if let Some(signature) = token.rsplit('.').next().filter(|s| s.len() >= 20) {
            self.forbid(format!("signature of token {what}"), signature);
        }
    }

    fn see(&mut self, label: impl Into<String>, text: impl Into<String>) {
        self.seen.push((label.into(), text.into()));
    }

    fn see_debug(&mut self, label: &str, value: &impl std::fmt::Debug) {
        self.see(label, format!("{value:?}"));
        self.see(label, format!("{value:#?}"));
    }

    fn see_error(&mut self, label: &str, error: &(dyn Error + 'static)) {
        self.see(label, format!("{error} | {error:?} | {error:#?}"));
        let mut source = error.source();
        while let Some(s) = source {
            self.see(format!("{label} (source)"), format!("{s} | {s:?}"));
            source = s.source();
        }
    }

    fn see_result(&mut self, label: &str, result: &Result<VerifiedUser, VerifyError>) {
        match result {
            Ok(user) => self.see_debug(label, user),
            Err(e) => self.see_error(label, e),
        }
    }

    /// Panics listing each leak once, with a short window around it.
    fn check(mut self) {
        let traced = String::from_utf8_lossy(&tracing_capture().0.lock().unwrap()).into_owned();
        assert!(
            traced.contains("TRACE") || traced.contains("DEBUG"),
            "nothing was traced"
        );
        self.see("tracing output", traced);
        let mut leaks = Vec::new();
        for (what, secret) in &self.forbidden {
            for (label, text) in &self.seen {
                if let Some(at) = text.find(secret.as_str()) {
                    let mut from = at.saturating_sub(60);
                    while !text.is_char_boundary(from) {
                        from -= 1;
                    }
                    let mut to = (at + secret.len() + 20).min(text.len());
                    while !text.is_char_boundary(to) {
                        to += 1;
                    }
                    leaks.push(format!("{what} in {label}: …{}…", &text[from..to]));
                    break;
                }
            }
        }
        assert!(
            leaks.is_empty(),
            "{} leak(s):\n{}",
            leaks.len(),
            leaks.join("\n")
        );
    }
}

struct World {
    stack: LocalStackAuth,
    /// (label, token) for every token the tests send.
    tokens: Vec<(String, String)>,
}

async fn world(audit: &mut Audit) -> World {
    let server_secret = random_secret();
    let stack = LocalStackAuth::builder()
        .secret(server_secret.clone())
        .project(ProjectSpec::new(random_uuid()).secret_server_key(SERVER_KEY))
        .start()
        .await
        .unwrap();
    audit.forbid("server key", SERVER_KEY);
    audit.forbid("wrong server key", WRONG_KEY);
    audit.forbid("stand-in server secret", server_secret);
    for t in UserType::ALL {
        for key in stack.minter().keys(t) {
            audit.forbid(format!("private key {}", key.kid()), key.private_jwk().d);
        }
    }
    let ada = stack
        .create_user(UserSpec::normal().email("ada@example.com"))
        .unwrap();
    let mut tokens = vec![
        ("normal".to_owned(), stack.mint(&ada)),
        (
            "restricted".to_owned(),
            stack.mint(
                &stack
                    .create_user(UserSpec::restricted(RestrictedReason::EmailNotVerified))
                    .unwrap(),
            ),
        ),
        (
            "anonymous".to_owned(),
            stack.mint(&stack.create_user(UserSpec::anonymous()).unwrap()),
        ),
    ];
    let gone = stack.create_user(UserSpec::normal()).unwrap();
    tokens.push(("deleted user".to_owned(), stack.mint(&gone)));
    stack.delete_user(&gone.id).unwrap();
    for b in Breakage::ALL {
        tokens.push((b.label().to_owned(), stack.token(&ada).broken(b).mint()));
    }
    for (label, token) in &tokens {
        audit.forbid_token(label, token);
    }
    World { stack, tokens }
}

async fn jwks_paths(w: &World, audit: &mut Audit) {
    let v = JwksVerifier::builder_with_config(w.stack.config())
        .build()
        .unwrap();
    for (label, token) in &w.tokens {
        let result = v.verify(token).await;
        audit.see_result(&format!("jwks verify {label}"), &result);
    }
    audit.see_debug("jwks verifier", &v);
    audit.see_debug("jwks status", &v.status());
    for fault in [
        Fault::GarbageJson,
        Fault::status(503),
        Fault::Oversized(1 << 20),
    ] {
        w.stack.inject_times(Route::Jwks, fault, 1);
        let v = JwksVerifier::builder_with_config(w.stack.config())
            .build()
            .unwrap();
        audit.see_result("jwks under fault", &v.verify(&w.tokens[0].1).await);
        audit.see_debug("jwks status after fault", &v.status());
    }
}

async fn rest_paths(w: &World, audit: &mut Audit) {
    let builder = RestVerifier::builder_with_config(w.stack.config(), SERVER_KEY)
        .retry_policy(RetryPolicy::new(2, Duration::from_millis(1)));
    audit.see_debug("rest builder", &builder);
    let v = builder.build().unwrap();
    audit.see_debug("rest verifier", &v);
    for (label, token) in &w.tokens {
        let result = v.verify(token).await;
        audit.see_result(&format!("rest verify {label}"), &result);
    }
    match v.fetch_profile(&w.tokens[0].1).await {
        Ok(profile) => audit.see_debug("rest profile", &profile),
        Err(e) => audit.see_error("rest profile", &e),
    }
    let wrong = RestVerifier::builder_with_config(w.stack.config(), WRONG_KEY)
        .build()
        .unwrap();
    audit.see_debug("rest verifier with a wrong key", &wrong);
    audit.see_result("rest wrong key", &wrong.verify(&w.tokens[0].1).await);
    let faults = [
        Fault::status(503),
        Fault::GarbageJson,
        Fault::RateLimited {
            retry_after: Some(9),
        },
        Fault::known_error(500, "SOMETHING_NEW", "surprise"),
        Fault::DropConnection,
    ];
    for fault in faults {
        w.stack.inject_times(Route::UsersMe, fault, 2);
        let v = RestVerifier::builder_with_config(w.stack.config(), SERVER_KEY)
            .build()
            .unwrap();
        audit.see_result("rest under fault", &v.verify(&w.tokens[1].1).await);
        w.stack.clear_faults();
    }
}

async fn composite_paths(w: &World, audit: &mut Audit) {
    let config = w
        .stack
        .config_builder()
        .accepted_user_types(UserTypes::ALL)
        .build()
        .unwrap();
    let v = CompositeVerifier::builder_with_config(config.clone(), SERVER_KEY)
        .build()
        .unwrap();
    audit.see_debug("composite", &v);
    for (label, token) in &w.tokens {
        audit.see_result(&format!("composite verify {label}"), &v.verify(token).await);
    }
    // The profile unavailable (best effort), then the JWKS unavailable (REST asked instead).
    w.stack.inject(Route::UsersMe, Fault::status(503));
    let best_effort = CompositeVerifier::builder_with_config(config.clone(), SERVER_KEY)
        .profile_policy(ProfilePolicy::BestEffort)
        .build()
        .unwrap();
    audit.see_result(
        "composite best effort",
        &best_effort.verify(&w.tokens[0].1).await,
    );
    w.stack.clear_faults();
    w.stack.inject(Route::Jwks, Fault::status(503));
    let fresh = CompositeVerifier::builder_with_config(config, SERVER_KEY)
        .build()
        .unwrap();
    for (label, token) in w.tokens.iter().take(6) {
        audit.see_result(
            &format!("composite, jwks down, {label}"),
            &fresh.verify(token).await,
        );
    }
    w.stack.clear_faults();
}

async fn me(user: StackUser) -> String {
    format!("hello {}", user.user_id())
}

async fn axum_paths(w: &World, audit: &mut Audit) {
    let verifier = CompositeVerifier::from_config(w.stack.config(), SERVER_KEY).unwrap();
    let app = Router::new()
        .route("/me", get(me))
        .with_state(StackAuth::new(Arc::new(verifier)));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/me", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::new();
    for (label, token) in w.tokens.iter().filter(|(_, t)| t.len() < 8192) {
        let cookie = format!("stack-access=%5B%22r%22%2C%22{token}%22%5D");
        let json = format!(r#"{{"accessToken":"{token}"}}"#);
        let requests = [
            client.get(&url).bearer_auth(token),
            client
                .get(&url)
                .header("x-stack-access-token", token.as_str()),
            client.get(&url).header("x-stack-auth", json),
            client.get(&url).header("cookie", cookie),
        ];
        for request in requests {
            let Ok(response) = request.send().await else {
                continue;
            };
            let head = format!("{} {:?}", response.status(), response.headers());
            let body = response.text().await.unwrap_or_default();
            audit.see(format!("axum response, {label}"), format!("{head}\n{body}"));
        }
    }
    // Headers that cannot be read: the rejection must not echo them.
    let mut headers = axum::http::HeaderMap::new();
    headers.append(
        "authorization",
        format!("Bearer {}", w.tokens[0].1).parse().unwrap(),
    );
    headers.append(
        "authorization",
        format!("Bearer {}", w.tokens[1].1).parse().unwrap(),
    );
    match extract_token(&headers) {
        Ok(found) => audit.see_debug("extract", &found),
        Err(e) => audit.see_error("extract", &e),
    }
}

fn testkit_and_core(w: &World, audit: &mut Audit) {
    audit.see_debug("stand-in", &w.stack);
    audit.see_debug("minter", &w.stack.minter());
    for t in UserType::ALL {
        for key in w.stack.minter().keys(t) {
            audit.see_debug("derived key", key);
            audit.see_debug("private jwk", &key.private_jwk());
        }
    }
    audit.see_debug("request log", &w.stack.request_log());
    audit.see_debug("config", &w.stack.config());
    let key = w.stack.secret_server_key();
    audit.see("secret server key", format!("{key} {key:?} {key:#?}"));
}

// Paused time: retry backoff and Retry-After waits take no real time.
#[tokio::test(start_paused = true)]
async fn nothing_emitted_shows_a_secret_key_or_a_token() {
    tracing_capture();
    let mut audit = Audit::default();
    let w = world(&mut audit).await;
    jwks_paths(&w, &mut audit).await;
    rest_paths(&w, &mut audit).await;
    composite_paths(&w, &mut audit).await;
    axum_paths(&w, &mut audit).await;
    frameworks::actix_paths(&w, &mut audit).await;
    frameworks::grpc_paths(&w, &mut audit).await;
    testkit_and_core(&w, &mut audit);
    assert!(
        audit.seen.len() > 300,
        "the audit saw too little: {}",
        audit.seen.len()
    );
    audit.check();
}
