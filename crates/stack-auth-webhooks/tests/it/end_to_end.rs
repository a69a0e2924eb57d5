//! The whole loop offline: the stand-in posts signed deliveries to an axum receiver on
//! 127.0.0.1, which evicts into a `JwksVerifier` (and a recorder); exact request counts.

use std::sync::Arc;

use stack_auth_core::{Eviction, RefusalReason, TokenVerifier};
use stack_auth_jwks::JwksVerifier;
use stack_auth_testkit::{DeliveryState, LocalStackAuth, Route, TeamSpec, UserSpec};
use stack_auth_webhooks::WebhookReceiver;

use crate::common::{Endpoint, Recorder};

struct Loop {
    stack: LocalStackAuth,
    jwks: JwksVerifier,
    recorder: Arc<Recorder>,
    _endpoint: Endpoint,
}

/// A stand-in whose deliveries go to a receiver wired to a JWKS verifier of its project.
async fn start() -> Loop {
    let stack = LocalStackAuth::start().await.unwrap();
    let jwks = JwksVerifier::builder_with_config(stack.config())
        .build()
        .unwrap();
    let recorder = Arc::new(Recorder::default());
    let receiver = WebhookReceiver::builder(stack.webhook_secret().expose())
        .evicting(jwks.clone())
        .evicting(Arc::clone(&recorder))
        .build()
        .unwrap();
    let endpoint = Endpoint::serve(&stack, receiver).await;
    Loop {
        stack,
        jwks,
        recorder,
        _endpoint: endpoint,
    }
}

#[tokio::test]
async fn a_deleted_users_cached_and_uncached_tokens_are_refused_right_after_the_delivery() {
    let l = start().await;
    let ada = l.stack.create_user(UserSpec::normal()).unwrap();
    let bob = l.stack.create_user(UserSpec::normal()).unwrap();
    let (cached, uncached, bobs) = (l.stack.mint(&ada), l.stack.mint(&ada), l.stack.mint(&bob));
    l.jwks.verify(&cached).await.unwrap();
    l.jwks.verify(&bobs).await.unwrap();
    l.stack.wait_for_webhooks().await;
    assert!(l.recorder.seen().is_empty(), "user.created evicts nothing");

    l.stack.delete_user(&ada.id).unwrap();
    l.stack.wait_for_webhooks().await;
    let deliveries = l.stack.webhook_deliveries();
    let types: Vec<&str> = deliveries.iter().map(|d| d.event_type.as_str()).collect();
    assert_eq!(types, ["user.created", "user.created", "user.deleted"]);
    for d in &deliveries {
        assert_eq!((d.state, d.attempts.len()), (DeliveryState::Delivered, 1));
        assert_eq!(d.attempts[0].status, Some(200));
    }
    assert_eq!(
        l.recorder.seen(),
        [Eviction::UserDeleted {
            user_id: ada.id.clone()
        }]
    );
    for token in [&cached, &uncached] {
        let err = l.jwks.verify(token).await.unwrap_err();
        assert_eq!(err.refusal_reason(), Some(RefusalReason::UserNotFound));
    }
    assert_eq!(l.jwks.verify(&bobs).await.unwrap().user_id(), bob.id);
    let stats = l.jwks.status().token_cache.unwrap();
    assert_eq!(
        (stats.hits, stats.misses),
        (2, 3),
        "the cached token refused on its hit"
    );
    assert_eq!(l.stack.requests(Route::Jwks), 1);
    assert_eq!(l.stack.requests(Route::UsersMe), 0);
}

#[tokio::test]
async fn memberships_and_permissions_reach_the_caches_as_their_evictions() {
    let l = start().await;
    let ada = l.stack.create_user(UserSpec::normal()).unwrap();
    let bob = l.stack.create_user(UserSpec::normal()).unwrap();
    let team = l
        .stack
        .create_team(TeamSpec::new("T").creator(&ada.id))
        .unwrap();
    l.stack.add_team_member(&team.id, &bob.id).unwrap();
    l.stack
        .grant_team_permission(&team.id, &bob.id, "$update_team")
        .unwrap();
    l.stack
        .revoke_team_permission(&team.id, &bob.id, "$update_team")
        .unwrap();
    l.stack
        .update_team(&team.id, |t| t.display_name = "Renamed".into())
        .unwrap();
    l.stack
        .update_user(&bob.id, |u| u.display_name = Some("Bob".into()))
        .unwrap();
    l.stack.delete_user(&bob.id).unwrap();
    l.stack.wait_for_webhooks().await;
    let membership = Eviction::TeamMembership {
        team_id: team.id.clone(),
        user_id: bob.id.clone(),
    };
    let permissions = Eviction::TeamPermissions {
        team_id: team.id.clone(),
        user_id: bob.id.clone(),
    };
    assert_eq!(
        l.recorder.seen(),
        [
            membership.clone(),  // team_membership.created
            permissions.clone(), // team_permission.created (team_member, the default)
            permissions.clone(), // team_permission.created ($update_team)
            permissions,         // team_permission.deleted
            Eviction::Team {
                team_id: team.id.clone()
            },
            Eviction::UserUpdated {
                user_id: bob.id.clone()
            },
            membership.clone(), // team_membership.deleted, sent on deleting bob
            Eviction::UserDeleted {
                user_id: bob.id.clone()
            },
            membership, // user.deleted names bob's teams
        ]
    );
    let deliveries = l.stack.webhook_deliveries();
    assert!(deliveries
        .iter()
        .all(|d| d.state == DeliveryState::Delivered && d.attempts.len() == 1));
    assert_eq!(
        l.stack.requests(Route::Jwks),
        0,
        "nothing verified, nothing fetched"
    );
}
