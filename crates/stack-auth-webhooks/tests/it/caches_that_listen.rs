//! A realistic server, wired in one call: the stand-in posts signed deliveries to an axum
//! receiver that evicts into the server's verifier (the default composite with the session
//! check), which reaches the JWKS deny set and every cache built on the REST verifier's server
//! API (users, permissions, teams, sessions). Exact request counts; a forged, replayed or stale
//! delivery evicts nothing from any of them.

use stack_auth_composite::{CompositeVerifier, SessionChecked};
use stack_auth_core::{RefusalReason, TokenVerifier};
use stack_auth_jwks::JwksVerifier;
use stack_auth_rest::{Permissions, RestVerifier, Sessions, Teams, Users};
use stack_auth_testkit::{
    LocalStackAuth, PermissionDefinition, Route, SignedWebhook, TeamSpec, UserSpec, WebhookHeaders,
    WebhookSecret,
};
use stack_auth_webhooks::WebhookReceiver;

use crate::common::Endpoint;

type Verifier = SessionChecked<CompositeVerifier<JwksVerifier, RestVerifier>, Sessions>;

struct Server {
    stack: LocalStackAuth,
    verifier: Verifier,
    users: Users,
    permissions: Permissions,
    teams: Teams,
    endpoint: Endpoint,
}

/// The server: a verifier, the capabilities it needs on the verifier's server API, and the
/// webhook route; the stand-in delivers to it.
async fn start() -> Server {
    let stack = LocalStackAuth::start().await.unwrap();
    stack
        .define_permission(PermissionDefinition::project("billing:read"))
        .unwrap();
    let verifier = CompositeVerifier::from_config(stack.config(), stack.secret_server_key())
        .unwrap()
        .with_session_check();
    let api = verifier.inner().rest_verifier().server_api();
    let (users, permissions, teams) = (Users::new(api), Permissions::new(api), Teams::new(api));
    // The one call: the verifier hears every eviction and passes it on to the JWT check, the
    // session checker and every cache of its server API.
    let receiver = WebhookReceiver::builder(stack.webhook_secret().expose())
        .clock(stack.clock().clone()) // the stand-in's: a test can hold both still
        .evicting(verifier.clone())
        .build()
        .unwrap();
    let endpoint = Endpoint::serve(&stack, receiver).await;
    Server {
        stack,
        verifier,
        users,
        permissions,
        teams,
        endpoint,
    }
}

impl Server {
    fn asked(&self, route: Route) -> u64 {
        self.stack.requests(route)
    }

    /// Posts `delivery` to the receiver as Svix would; the status.
    async fn post(&self, delivery: &SignedWebhook) -> u16 {
        let mut request = reqwest::Client::new()
            .post(&self.endpoint.url)
            .body(delivery.body.clone());
        for (name, value) in &delivery.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        request.send().await.unwrap().status().as_u16()
    }
}

#[tokio::test]
async fn a_revoked_permission_or_membership_is_seen_after_the_event_without_waiting_for_the_ttl() {
    let s = start().await;
    let ada = s.stack.create_user(UserSpec::normal()).unwrap();
    let bob = s.stack.create_user(UserSpec::normal()).unwrap();
    let team = s
        .stack
        .create_team(TeamSpec::new("T").creator(&ada.id).member(&bob.id))
        .unwrap();
    s.stack
        .grant_team_permission(&team.id, &bob.id, "$update_team")
        .unwrap();
    s.stack
        .grant_project_permission(&bob.id, "billing:read")
        .unwrap();
    s.stack.wait_for_webhooks().await;
    let p = &s.permissions;
    let check = || p.has_team_permission(&bob.id, &team.id, "$update_team");
    let billing = || p.has_project_permission(&bob.id, "billing:read");
    assert!(check().await.unwrap() && billing().await.unwrap());
    assert!(s.teams.is_member(&bob.id, &team.id).await.unwrap());
    assert!(check().await.unwrap() && billing().await.unwrap());
    let lists = |s: &Server| {
        [
            Route::TeamPermissions,
            Route::ProjectPermissions,
            Route::Teams,
        ]
        .map(|r| s.asked(r))
    };
    assert_eq!(lists(&s), [1, 1, 1], "then cached (30 s)");

    s.stack
        .revoke_team_permission(&team.id, &bob.id, "$update_team")
        .unwrap();
    s.stack
        .revoke_project_permission(&bob.id, "billing:read")
        .unwrap();
    s.stack.wait_for_webhooks().await;
    assert!(
        !check().await.unwrap(),
        "team_permission.deleted evicted it"
    );
    assert!(
        !billing().await.unwrap(),
        "project_permission.deleted evicted it"
    );
    assert!(s.teams.is_member(&bob.id, &team.id).await.unwrap());
    assert_eq!(
        lists(&s),
        [2, 2, 1],
        "teams untouched by a permission event"
    );

    s.stack.remove_team_member(&team.id, &bob.id).unwrap();
    s.stack.wait_for_webhooks().await;
    assert!(!s.teams.is_member(&bob.id, &team.id).await.unwrap());
    assert_eq!(
        lists(&s),
        [2, 2, 2],
        "team_membership.deleted evicted the teams list"
    );
}

#[tokio::test]
async fn user_events_reach_the_profiles_and_a_deleted_users_tokens_are_refused_at_once() {
    let s = start().await;
    let ada = s.stack.create_user(UserSpec::normal()).unwrap();
    let (cached, uncached) = (s.stack.mint(&ada), s.stack.mint(&ada));
    s.verifier.verify(&cached).await.unwrap();
    s.users.get_user(&ada.id).await.unwrap().unwrap();
    let asked = |s: &Server| {
        [
            Route::Jwks,
            Route::UsersMe,
            Route::UserById,
            Route::Sessions,
        ]
        .map(|r| s.asked(r))
    };
    assert_eq!(asked(&s), [1, 1, 1, 1]);

    s.stack
        .update_user(&ada.id, |u| u.display_name = Some("Ada L.".into()))
        .unwrap();
    s.stack.wait_for_webhooks().await;
    let user = s.verifier.verify(&cached).await.unwrap();
    assert_eq!(
        user.display_name(),
        Some("Ada L."),
        "user.updated: a fresh profile"
    );
    let by_id = s.users.get_user(&ada.id).await.unwrap().unwrap();
    assert_eq!(by_id.display_name.as_deref(), Some("Ada L."));
    assert_eq!(asked(&s), [1, 2, 2, 1], "the session check stays cached");

    s.stack.delete_user(&ada.id).unwrap();
    s.stack.wait_for_webhooks().await;
    for token in [&cached, &uncached] {
        let e = s.verifier.verify(token).await.unwrap_err();
        assert_eq!(e.refusal_reason(), Some(RefusalReason::UserNotFound));
    }
    assert_eq!(s.users.get_user(&ada.id).await.unwrap(), None);
    assert_eq!(
        asked(&s),
        [1, 2, 3, 1],
        "refused by the JWT check: no users/me, no session list"
    );
}

#[tokio::test]
async fn forged_replayed_or_stale_deliveries_evict_nothing_from_any_cache() {
    let s = start().await;
    let ada = s.stack.create_user(UserSpec::normal()).unwrap();
    let team = s
        .stack
        .create_team(TeamSpec::new("T").creator(&ada.id))
        .unwrap();
    s.stack.wait_for_webhooks().await;
    let token = s.stack.mint(&ada);
    let warm = || async {
        s.verifier.verify(&token).await.unwrap();
        s.users.get_user(&ada.id).await.unwrap().unwrap();
        s.permissions
            .has_team_permission(&ada.id, &team.id, "team_admin")
            .await
            .unwrap();
    };
    let asked = |s: &Server| {
        [
            Route::UsersMe,
            Route::UserById,
            Route::TeamPermissions,
            Route::Sessions,
        ]
        .map(|r| s.asked(r))
    };
    warm().await;
    assert_eq!(asked(&s), [1, 1, 1, 1]);

    // A genuine delivery evicts; the caches are warmed again, then it is replayed.
    let deleted = format!(r#"{{"id":"{}","teams":[{{"id":"{}"}}]}}"#, ada.id, team.id);
    let genuine = s
        .stack
        .sign_webhook_event("user.updated", &user_json(&s, &ada.id));
    assert_eq!(s.post(&genuine).await, 200);
    warm().await;
    assert_eq!(
        asked(&s),
        [2, 2, 1, 1],
        "user.updated: the profiles, not the permissions"
    );

    let mut forged = s
        .stack
        .sign_webhook_event("user.deleted", r#"{"id":"x","teams":[]}"#);
    forged.body = forged.body.replace(r#""x""#, &format!("{:?}", ada.id));
    // Held still, so that a second passing between signing and checking cannot bring a
    // timestamp 301 s away within the 300 s tolerance.
    let now = s.stack.clock().unix_secs();
    s.stack.clock().freeze_at(now);
    let sign_at = |timestamp: i64, secret: &WebhookSecret| {
        let body = format!(r#"{{"type":"user.deleted","data":{deleted}}}"#);
        SignedWebhook::new(
            secret,
            &s.endpoint.url,
            "msg_late",
            timestamp,
            body,
            WebhookHeaders::Svix,
        )
    };
    let secret = s.stack.webhook_secret();
    let mut headerless = s.stack.sign_webhook_event("user.deleted", &deleted);
    headerless
        .headers
        .retain(|(name, _)| name != "svix-signature");
    let bad = [
        (genuine, 401),
        (forged, 401),
        (sign_at(now - 301, &secret), 401),
        (sign_at(now + 301, &secret), 401),
        (sign_at(now, &WebhookSecret::random()), 401),
        (headerless, 400),
    ];
    for (delivery, status) in &bad {
        assert_eq!(s.post(delivery).await, *status, "{}", delivery.body);
    }
    warm().await;
    assert_eq!(asked(&s), [2, 2, 1, 1], "nothing was evicted");
}

/// The stand-in's server user object of `user_id`, as `user.updated` carries it.
fn user_json(s: &Server, user_id: &str) -> String {
    let user = s.stack.user(user_id).unwrap();
    serde_json::to_string(&user).unwrap()
}
