//! Revocation by webhook, measured (issue 20):
//!
//! * the cost of the `JwksVerifier`'s revocation check per verification: a warm token-cache hit
//!   (and a full verification, cache off) with an empty revocation set against one holding
//!   1,000 deleted users and 1,000 ended sessions (none of them the token's), measured
//!   interleaved (`stack_auth_benchmarks::paired`);
//! * the time from a webhook delivery to the first refused request on a warm server over
//!   loopback: an axum server with the `StackWebhook` route (a `WebhookReceiver` evicting into
//!   the server's `JwksVerifier`) and a `StackUser` route on the same verifier, whose token is
//!   in the verified-token cache; the client posts a signed `user.deleted` delivery, as Svix
//!   would, then asks the user route with the deleted user's token: from the start of the post
//!   to the 401. Beside it: the delivery's own round trip, and an authenticated request with a
//!   cached token (the loopback floor);
//! * the session check (`SessionChecked` with `stack_auth_rest::Sessions`, see
//!   `revocation/session_check.rs`): its cost on a warm verification, a check whose answer is
//!   not cached, and a `SessionEnded` to the first refused request.
//!
//! Not a criterion bench; run: `cargo bench -p stack-auth-benchmarks --bench revocation`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

#[path = "revocation/session_check.rs"]
mod session_check;

use std::{hint::black_box, sync::Arc, time::Instant};

use axum::{
    routing::{get, post},
    Router,
};
use serde_json::json;
use stack_auth_axum::{StackAuth, StackUser};
use stack_auth_benchmarks::{
    latency_summary, paired, per_call, runtime, user_deleted_delivery, write_results, StandIn,
};
use stack_auth_core::{Evict, Eviction, TokenVerifier};
use stack_auth_jwks::JwksVerifier;
use stack_auth_testkit::{random_uuid, UserSpec, WebhookSecret};
use stack_auth_webhooks::{StackWebhook, WebhookReceiver};

/// Interleaved pairs of batches for the revocation check's cost.
const PAIRS: usize = 41;
/// Revocations held by the non-empty set: this many users and as many sessions.
const REVOKED: usize = 1_000;
/// Users deleted by webhook, one measured delivery each.
const DELIVERIES: usize = 400;

fn verify(verifier: &impl TokenVerifier, token: &str) {
    let user = futures::executor::block_on(verifier.verify(black_box(token))).unwrap();
    black_box(user);
}

/// Revokes [`REVOKED`] users and as many sessions, none of them anyone's.
fn fill(verifier: &JwksVerifier) {
    for _ in 0..REVOKED {
        verifier.evict(&Eviction::UserDeleted {
            user_id: random_uuid(),
        });
        verifier.evict(&Eviction::SessionEnded {
            user_id: random_uuid(),
            session_id: random_uuid(),
        });
    }
}

fn main() {
    let rt = runtime(1);
    let _context = rt.enter();
    let stand_in = rt.block_on(StandIn::start()).unwrap();
    let token = stand_in.token().to_owned();

    // 1. The revocation check on the warm paths.
    let verifiers = |cache: bool| {
        let (empty, full) = rt.block_on(async {
            (
                stand_in.jwks_verifier(cache).await.unwrap(),
                stand_in.jwks_verifier(cache).await.unwrap(),
            )
        });
        fill(&full);
        verify(&empty, &token);
        verify(&full, &token);
        (empty, full)
    };
    let (hit_empty, hit_full) = verifiers(true);
    let hit = paired(
        PAIRS,
        || per_call(5_000, || verify(&hit_empty, &token)),
        || per_call(5_000, || verify(&hit_full, &token)),
    );
    let (warm_empty, warm_full) = verifiers(false);
    let warm = paired(
        PAIRS,
        || per_call(100, || verify(&warm_empty, &token)),
        || per_call(100, || verify(&warm_full, &token)),
    );
    let session_check = session_check::measure(&rt, &stand_in);

    // 2. Delivery to refusal on a warm server.
    let stack = stand_in.stack();
    let jwks = rt.block_on(stand_in.jwks_verifier(true)).unwrap();
    let secret = WebhookSecret::random();
    let receiver = WebhookReceiver::builder(secret.expose())
        .evicting(jwks.clone())
        .build()
        .unwrap();
    let app = Router::new()
        .route(
            "/me",
            get(|user: StackUser| async move { user.user_id().to_owned() }),
        )
        .with_state(StackAuth::new(Arc::new(jwks.clone())))
        .merge(
            Router::new()
                .route("/webhooks/stack", post(|_: StackWebhook| async {}))
                .with_state(receiver),
        );
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    rt.spawn(async move { axum::serve(listener, app).await.unwrap() });
    let users: Vec<(String, String)> = (0..DELIVERIES)
        .map(|_| {
            let user = stack.create_user(UserSpec::normal()).unwrap();
            let token = stack.mint(&user);
            (user.id, token)
        })
        .collect();
    let client = reqwest::Client::new();
    let (me, hook) = (format!("{base}/me"), format!("{base}/webhooks/stack"));
    let (mut to_refusal, mut ack, mut get_ok) = (Vec::new(), Vec::new(), Vec::new());
    rt.block_on(async {
        let ask = |token: &str| client.get(&me).bearer_auth(token).send();
        for (i, (user_id, token)) in users.iter().enumerate() {
            // Warm: the token is verified and cached, the connection open.
            assert_eq!(ask(token).await.unwrap().status(), 200);
            let started = Instant::now();
            assert_eq!(ask(token).await.unwrap().status(), 200);
            get_ok.push(started.elapsed());
            let request =
                user_deleted_delivery(&client, &secret, &hook, format!("msg_bench{i}"), user_id);
            let started = Instant::now();
            assert_eq!(request.send().await.unwrap().status(), 200);
            ack.push(started.elapsed());
            assert_eq!(ask(token).await.unwrap().status(), 401, "refused at once");
            to_refusal.push(started.elapsed());
        }
    });
    let results = json!({
        "revoked_users": REVOKED,
        "ended_sessions": REVOKED,
        "paired_token_cache_hit": hit.to_json(),
        "paired_warm": warm.to_json(),
        "delivery_to_refusal": latency_summary(to_refusal),
        "delivery_acknowledged": latency_summary(ack),
        "authenticated_request": latency_summary(get_ok),
        "session_check": session_check,
    });
    write_results("revocation", &results).unwrap();
}
